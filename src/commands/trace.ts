/** `callhook trace <correlationId> <paths...>`: the story of one scheduled call, in time order. */
import { Copies, type CopyNote, sameContent } from '../core/copies.js';
import { instantOf, isoOf } from '../core/instant.js';
import { NumberBook } from '../core/sms-direction.js';
import { belongsToTrace, maskPayload, orderTimeline, type TimelineEntry } from '../core/timeline.js';
import { CallhookError, ExitCode, exitCodeWithUnreadable } from '../errors.js';
import { exactValue } from '../input/exact-value.js';
import type { ElementInfo } from '../input/types.js';
import {
  type FlowContext,
  renderEvent,
  renderJson,
  renderRedelivery,
  renderSkippedNote,
  renderTraceHeader,
  shortIdLength,
} from '../render/flow.js';
import { colorsFor, escapeTerminal } from '../render/terminal.js';
import { correlationIdOf, eventTime } from '../schema/events.js';
import { idPrefix } from './options.js';
import { Output } from './output.js';
import { eventRecords, finish, parseViewOptions, type RawViewOptions } from './show.js';

interface TraceEntry extends TimelineEntry, CopyNote {
  /** Which way an SMS of unknown direction went, asked once every event of the call has been read. */
  smsDirection: (() => 'sent' | 'received' | undefined) | undefined;
  value: unknown;
  element: ElementInfo;
}

/** The `trace` action. */
export async function trace(correlationId: string, paths: string[], raw: RawViewOptions): Promise<void> {
  const prefix = idPrefix('correlationId')(correlationId);
  const options = parseViewOptions(raw);
  const output = new Output(process.stdout, { pager: options.pager && options.format !== 'json', width: raw.width });
  // The call's own phone is the customer's: its SMS go to it (sent) or come from it (received).
  const numbers = new NumberBook(options.orgNumbers);
  const ctx: FlowContext = { width: options.width, colors: colorsFor(process.stdout) };
  if (options.format !== 'pretty') ctx.colors.level = 0;

  try {
    // Only this call's events are kept, so memory stays bounded however large the export is;
    // and reading stops at the first event of a second call the prefix matches (refused below).
    const entries: TraceEntry[] = [];
    const ids = new Set<string>();
    // Hint: the call's events only, in input order (as summarise and validate tell a redelivery):
    // an event whose id another call's event had first is this call's own, or a trace could read "0 events".
    const copies = new Copies();
    const skipped = { elements: 0, unreadable: 0 };
    for await (const record of eventRecords(paths, options, output, skipped)) {
      if (!belongsToTrace(record.event, prefix)) continue;
      // Hint: a UUID is the same whatever its case (RFC 9562), and producers differ in how they write it.
      ids.add((correlationIdOf(record.event) as string).toLowerCase());
      if (ids.size > 1) break;
      const { event } = record;
      if (event.type === 'CallComplete' || event.type === 'CallAttempted' || event.type === 'CallReceived') {
        numbers.addCustomer(event.data.phone);
      }
      // Hint: as show holds it (see there), read again only for this call's events.
      const value = exactValue(record.value, record.element.text);
      entries.push({
        smsDirection: event.type === 'SMS' ? () => numbers.direction(event.data.from, event.data.to) : undefined,
        event,
        value,
        element: record.element,
        ...copies.note(event.id, value),
        sequence: entries.length,
      });
    }
    if (output.closed) return;
    /** The trace as JSON: the call's id (null when none matched), its events, and the elements skipped. */
    const traceJson = (id: string | null, events: unknown[]) =>
      renderJson({ correlationId: id, events, skipped: skipped.elements });

    if (ids.size === 0) {
      // Hint: as JSON, the empty trace, as show prints `[]`: a `| jq` after it reads a value.
      if (options.format === 'json') await output.write(traceJson(null, []));
      // A file that could not be read may have held it: that failure is the one to end with.
      const code = exitCodeWithUnreadable(ExitCode.invalid, skipped.unreadable);
      throw new CallhookError(`no event has a correlationId starting with ${prefix}`, code);
    }
    if (ids.size > 1) {
      const listed = [...ids].map((text) => escapeTerminal(text)).join(', ');
      throw new CallhookError(
        `${prefix} is the start of several correlationIds (${listed}, and maybe more); give more of it`,
        ExitCode.usage,
      );
    }
    const fullId = [...ids][0] as string;
    // Hint: a redelivery follows the copy it repeats, which a conflicting copy read between them
    // would otherwise stand before (few: compared only when one is a copy).
    for (const entry of entries) {
      if (!entry.duplicate) continue;
      entry.repeats = entries.find(
        (first) => first.event.id === entry.event.id && sameContent(first.value, entry.value),
      )?.sequence;
    }
    const ordered = orderTimeline(entries);
    // Hint: masked as printed, not as read: the SMS direction and the heading's phones are told
    // from the digits --mask hides.
    const shown = <T>(value: T): T => (options.mask ? maskPayload(value) : value);

    if (options.format === 'json') {
      await output.write(
        traceJson(
          fullId,
          ordered.map((entry) => ({
            // Hint: in UTC, one form, as summarise's times: as written, one instant sorted apart.
            time: isoOf(instantOf(eventTime(entry.event))),
            type: entry.event.type,
            direction: directionOf(entry),
            source: `${options.shownFile(entry.element.file)}:${entry.element.line}:${entry.element.column}`,
            duplicate: entry.duplicate,
            conflict: entry.conflict,
            event: shown(entry.value),
          })),
        ),
      );
      return;
    }

    // Its calls name their campaigns as the heading does, as long as tells them apart.
    ctx.idLength = shortIdLength(ordered.map((entry) => entry.event.data.campaignId));
    await output.write(renderTraceHeader(fullId, ordered, ctx, options.format, options.mask));
    let previousWasBlock = true;
    for (const entry of ordered) {
      if (output.closed) break;
      const event = shown(entry.event);
      const redelivery = entry.duplicate && event.type === 'CallComplete';
      const text = redelivery
        ? renderRedelivery(event, ctx, options.format)
        : renderEvent(event, ctx, options.format, {
            duplicate: entry.duplicate,
            conflict: entry.conflict,
            smsDirection: directionOf(entry) ?? undefined,
          });
      const block = event.type === 'CallComplete' && !redelivery;
      await output.write(block || previousWasBlock ? `\n${text}` : text);
      previousWasBlock = block;
    }
    if (skipped.elements > 0 && !output.closed)
      await output.write(`\n${renderSkippedNote(skipped.elements, ctx, options.format)}`);
  } finally {
    await finish(output);
  }
}

/** Which way an SMS went, as the pretty trace labels it (`SMS sent`), or null for another event or when its numbers do not tell. */
function directionOf(entry: TraceEntry): 'sent' | 'received' | null {
  if (entry.event.type === 'SMSSent') return 'sent';
  if (entry.event.type === 'SMSReceived') return 'received';
  return entry.smsDirection?.() ?? null;
}
