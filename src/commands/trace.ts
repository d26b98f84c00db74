/** `callhook trace <correlationId> <paths...>`: the story of one scheduled call, in time order. */
import { belongsToTrace, maskPayload, orderTimeline, type TimelineEntry } from '../core/timeline.js';
import { CallhookError, ExitCode } from '../errors.js';
import type { ElementInfo } from '../input/types.js';
import {
  type FlowContext,
  renderEventMarkdown,
  renderEventPretty,
  renderJson,
  renderRedelivery,
  renderTraceHeader,
} from '../render/flow.js';
import { colorsFor, escapeTerminal } from '../render/terminal.js';
import { correlationIdOf, eventTime } from '../schema/events.js';
import { Output } from './output.js';
import { eventRecords, finish, parseViewOptions, type RawViewOptions } from './show.js';

interface TraceEntry extends TimelineEntry {
  value: unknown;
  element: ElementInfo;
  duplicate: boolean;
}

/** The `trace` action. */
export async function trace(correlationId: string, paths: string[], raw: RawViewOptions): Promise<void> {
  const prefix = correlationId.trim().toLowerCase();
  if (!/^[0-9a-f-]{1,36}$/.test(prefix)) {
    throw new CallhookError(
      `correlationId: expected a UUID or the start of one, received ${JSON.stringify(escapeTerminal(correlationId))}`,
      ExitCode.usage,
    );
  }
  const options = parseViewOptions(raw);
  const output = new Output(process.stdout, { pager: options.pager && options.format !== 'json' });
  const ctx: FlowContext = { width: options.width, colors: colorsFor(process.stdout) };
  if (options.format !== 'pretty') ctx.colors.level = 0;

  try {
    // Hint: only this call's events are kept, so memory stays bounded however large the export is.
    const entries: TraceEntry[] = [];
    for await (const record of eventRecords(paths, options, output)) {
      if (!belongsToTrace(record.event, prefix)) continue;
      const masked = options.mask;
      entries.push({
        event: masked ? maskPayload(record.event) : record.event,
        value: masked ? maskPayload(record.value) : record.value,
        element: record.element,
        duplicate: record.duplicate,
        sequence: entries.length,
      });
    }
    if (output.closed) return;

    const ids = [...new Set(entries.map((entry) => correlationIdOf(entry.event) as string))];
    if (ids.length === 0) {
      throw new CallhookError(`no event has a correlationId starting with ${prefix}`, ExitCode.invalid);
    }
    if (ids.length > 1) {
      const listed = ids
        .slice(0, 5)
        .map((text) => escapeTerminal(text))
        .join(', ');
      throw new CallhookError(
        `${prefix} is the start of ${ids.length} correlationIds (${listed}${ids.length > 5 ? ', …' : ''}); give more of it`,
        ExitCode.usage,
      );
    }
    const fullId = ids[0] as string;
    const ordered = orderTimeline(entries);

    if (options.format === 'json') {
      await output.write(
        renderJson({
          correlationId: fullId,
          events: ordered.map((entry) => ({
            time: eventTime(entry.event),
            type: entry.event.type,
            source: `${entry.element.file}:${entry.element.line}:${entry.element.column}`,
            duplicate: entry.duplicate,
            event: entry.value,
          })),
        }),
      );
      return;
    }

    const markdown = options.format === 'markdown';
    await output.write(renderTraceHeader(fullId, ordered, ctx, markdown));
    let previousWasBlock = true;
    for (const entry of ordered) {
      if (output.closed) break;
      const { event } = entry;
      const redelivery = entry.duplicate && event.type === 'CallComplete';
      let text: string;
      if (redelivery) text = renderRedelivery(event, ctx, markdown);
      else if (markdown) text = renderEventMarkdown(event, ctx);
      else text = renderEventPretty(event, ctx);
      const block = event.type === 'CallComplete' && !redelivery;
      await output.write(block || previousWasBlock ? `\n${text}` : text);
      previousWasBlock = block;
    }
  } finally {
    await finish(output);
  }
}
