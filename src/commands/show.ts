/** `callhook show <paths...>`: call flows and other events, filtered, as people read them. */
import * as v from 'valibot';
import {
  type EventFilter,
  knownStatuses,
  maskPayload,
  matchesFilter,
  normaliseStatus,
  parseTimeBound,
  searchPattern,
} from '../core/timeline.js';
import { CallhookError, describeIoError, ExitCode } from '../errors.js';
import { listSources, readRecords } from '../input/read.js';
import type { InputRecord } from '../input/types.js';
import {
  type FlowContext,
  renderEventMarkdown,
  renderEventPretty,
  renderFileHeading,
  renderJsonElement,
  renderSkipWarning,
} from '../render/flow.js';
import { colorsFor, terminalWidth } from '../render/terminal.js';
import { type EventType, eventTypes } from '../schema/events.js';
import { Output } from './output.js';

/** The output formats of `show` and `trace`. */
export const viewFormats = ['pretty', 'json', 'markdown'] as const;
/** `--group`'s choices. */
export const groups = ['complete', 'failed'] as const;

/** The options `show` and `trace` share, as commander hands them over. */
export interface RawViewOptions {
  format?: string;
  mask?: boolean;
  width?: string;
  pager?: boolean;
  type?: string;
  maxElementSize?: number;
}

/** `show`'s options as commander hands them over. */
export interface RawShowOptions extends RawViewOptions {
  status?: string[];
  group?: string;
  campaign?: string;
  phone?: string;
  id?: string;
  correlation?: string;
  since?: string;
  until?: string;
  grep?: string;
  limit?: number;
}

/** The checked options `show` and `trace` share. */
export interface ViewOptions {
  format: (typeof viewFormats)[number];
  mask: boolean;
  width: number;
  pager: boolean;
  type: EventType | undefined;
  maxElementBytes: number | undefined;
}

const idPrefix = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[0-9a-f-]{1,36}$/, 'expected a UUID or the start of one (hex digits and dashes)'),
);
const wholeNumber = (min: number, message: string) =>
  v.pipe(v.string(), v.trim(), v.regex(/^\d+$/, message), v.transform(Number), v.minValue(min, message));

const ViewSchema = v.object({
  format: v.optional(v.picklist(viewFormats), 'pretty'),
  mask: v.optional(v.boolean(), false),
  width: v.optional(wholeNumber(20, 'expected a whole number of columns, at least 20')),
  pager: v.optional(v.boolean(), true),
  type: v.optional(v.picklist(eventTypes)),
  // commander's parseByteSize has already checked it.
  maxElementSize: v.optional(v.number()),
});

const ShowSchema = v.object({
  ...ViewSchema.entries,
  status: v.optional(
    v.pipe(
      v.array(v.string()),
      v.transform((list) => list.flatMap((item) => item.split(',')).map(normaliseStatus)),
      v.check(
        (list) => list.every((status) => (knownStatuses as readonly string[]).includes(status)),
        'expected Complete, Partial, "Not Complete", success or failed',
      ),
    ),
  ),
  group: v.optional(v.picklist(groups)),
  campaign: v.optional(idPrefix),
  correlation: v.optional(idPrefix),
  id: v.optional(idPrefix),
  phone: v.optional(
    v.pipe(
      v.string(),
      v.transform((text) => text.replace(/[\s()+.-]/g, '')),
      v.regex(/^\d{5,15}$/, 'expected 5 to 15 digits, e.g. 61491573087'),
    ),
  ),
  since: v.optional(v.string()),
  until: v.optional(v.string()),
  grep: v.optional(v.pipe(v.string(), v.minLength(1, 'expected some text to search for'))),
  // commander's parsePositiveInteger has already checked it.
  limit: v.optional(v.number()),
});

/** Checks options at the boundary; every problem is a usage error naming its option. */
export function parseOptions<S extends v.GenericSchema>(schema: S, raw: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = issue.path?.[0]?.key;
  const name = typeof key === 'string' ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'option';
  throw new CallhookError(`${name}: ${issue.message}`, ExitCode.usage);
}

/** The checked shared options, with the width resolved: `--width`, else the terminal's, else 80. */
export function viewOptionsOf(parsed: v.InferOutput<typeof ViewSchema>): ViewOptions {
  const width = parsed.width ?? terminalWidth(process.stdout);
  return {
    format: parsed.format,
    mask: parsed.mask,
    width,
    pager: parsed.pager,
    type: parsed.type,
    maxElementBytes: parsed.maxElementSize,
  };
}

/** The checked shared options of `trace`. */
export function parseViewOptions(raw: RawViewOptions): ViewOptions {
  return viewOptionsOf(parseOptions(ViewSchema, raw));
}

function timeBound(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const time = parseTimeBound(text, now);
  if (time === undefined) {
    throw new CallhookError(
      `--${name}: expected an ISO-8601 date or time (2022-09-01, 2022-09-01T10:00:00Z) or a duration such as 2h or 7d`,
      ExitCode.usage,
    );
  }
  return time;
}

/** Writes what an input record that is not a valid event says, so that nothing is skipped silently. */
export async function warnAboutRecord(record: InputRecord, output: Output): Promise<void> {
  const line = renderSkipWarning(record);
  if (line !== undefined) await output.warn(line);
}

/** Reads `paths` through the input layer, stopping quietly when the reader goes away. */
export async function* eventRecords(
  paths: string[],
  options: ViewOptions,
  output: Output,
): AsyncGenerator<Extract<InputRecord, { kind: 'event' }>> {
  for await (const records of readRecords(paths, { type: options.type, maxElementBytes: options.maxElementBytes })) {
    for (const record of records) {
      if (output.closed) return;
      if (record.kind === 'event') yield record;
      else await warnAboutRecord(record, output);
    }
    if (output.closed) return;
  }
}

/** Ends the output and turns a write error other than EPIPE into an I/O error. */
export async function finish(output: Output): Promise<void> {
  await output.end();
  if (output.error) throw describeIoError(output.error, '<stdout>');
}

/** The `show` action. */
export async function show(paths: string[], raw: RawShowOptions): Promise<void> {
  const parsed = parseOptions(ShowSchema, raw);
  const options = viewOptionsOf(parsed);
  const now = Date.now();
  const filter: EventFilter = {
    statuses: parsed.status,
    group: parsed.group,
    campaign: parsed.campaign,
    correlation: parsed.correlation,
    id: parsed.id,
    phone: parsed.phone,
    since: timeBound('since', parsed.since, now),
    until: timeBound('until', parsed.until, now),
    grep: parsed.grep === undefined ? undefined : searchPattern(parsed.grep),
  };
  const output = new Output(process.stdout, { pager: options.pager && options.format !== 'json' });
  const ctx: FlowContext = {
    width: options.width,
    colors: colorsFor(process.stdout),
    grep: filter.grep,
  };
  if (options.format !== 'pretty') ctx.colors.level = 0;

  let shown = 0;
  // Events written since the last file heading: blank lines go between events, not after a heading.
  let sinceHeading = 0;
  let previousWasBlock = false;
  let currentFile: string | undefined;
  try {
    // Like head and tail, name each file when there are several, so every call can be traced to its file.
    const manyFiles = (await listSources(paths)).length > 1 && options.format !== 'json';
    for await (const record of eventRecords(paths, options, output)) {
      if (!matchesFilter(record.event, filter)) continue;
      if (manyFiles && record.element.file !== currentFile) {
        currentFile = record.element.file;
        const heading = renderFileHeading(currentFile, ctx, options.format === 'markdown');
        await output.write(shown > 0 ? `\n${heading}` : heading);
        previousWasBlock = false;
        sinceHeading = 0;
      }
      if (options.format === 'json') {
        const value = options.mask ? maskPayload(record.value) : record.value;
        // Hint: the bracket is written with the first element, so that an error before it leaves stdout empty.
        await output.write((shown === 0 ? '[\n' : '') + renderJsonElement(value, shown === 0));
      } else {
        const event = options.mask ? maskPayload(record.event) : record.event;
        const note = { duplicate: record.duplicate };
        const text =
          options.format === 'markdown' ? renderEventMarkdown(event, ctx, note) : renderEventPretty(event, ctx, note);
        // A call result is a block: a blank line sets it apart from its neighbours.
        const block = event.type === 'CallComplete';
        await output.write(sinceHeading > 0 && (block || previousWasBlock) ? `\n${text}` : text);
        previousWasBlock = block;
      }
      shown++;
      sinceHeading++;
      if (parsed.limit !== undefined && shown >= parsed.limit) break;
    }
    if (options.format === 'json') await output.write(shown === 0 ? '[]\n' : '\n]\n');
  } finally {
    await finish(output);
  }
}
