/** `callhook show <paths...>`: call flows and other events, filtered, as people read them. */
import { Copies } from '../core/copies.js';
import { NumberBook } from '../core/sms-direction.js';
import type { StatusGroupChoice } from '../core/summary-names.js';
import { type EventFilter, maskPayload, maskPhonesInText, matchesFilter, searchPattern } from '../core/timeline.js';
import {
  CallhookError,
  describeIoError,
  ExitCode,
  exitCodeWithUnreadable,
  formatFatal,
  unreadableFileError,
} from '../errors.js';
import { exactValue } from '../input/exact-value.js';
import { listSources, readRecords } from '../input/read.js';
import { undocumentedAsEvent } from '../input/records.js';
import type { InputRecord } from '../input/types.js';
import { type FlowContext, renderEvent, renderFileHeading, renderJsonElement } from '../render/flow.js';
import type { ViewFormat } from '../render/formats.js';
import { SkipWarnings } from '../render/skip-warnings.js';
import { colorsFor, terminalWidth } from '../render/terminal.js';
import { plural } from '../render/words.js';
import { correlationIdOf, type EventType } from '../schema/events.js';
import { optionError } from './options.js';
import { Output } from './output.js';
import { timeRangeOf } from './time-range.js';

/** The options `show` and `trace` share, as commander's parsers (src/commands/options.ts) checked them. */
export interface RawViewOptions {
  format?: ViewFormat;
  mask?: boolean;
  width?: number;
  pager?: boolean;
  type?: EventType;
  orgNumber?: string[];
  maxElementSize?: number;
}

/** `show`'s options, as commander's parsers checked them. */
interface RawShowOptions extends RawViewOptions {
  status?: string[];
  group?: StatusGroupChoice;
  campaign?: string;
  phone?: string;
  id?: string;
  correlation?: string;
  since?: string;
  until?: string;
  grep?: string;
  limit?: number;
}

/** The options `show` and `trace` share, with defaults and the width resolved. */
interface ViewOptions {
  format: ViewFormat;
  mask: boolean;
  width: number;
  pager: boolean;
  type: EventType | undefined;
  maxElementBytes: number | undefined;
  /** The organisation's own numbers (`--org-number`), digits only. */
  orgNumbers: string[];
  /**
   * A file's name as the output names it: under `--mask` masked as text, as every error and warning
   * line is (`maskDiagnostics`) and listen's paths are. Hint: a file may be named after a customer.
   */
  shownFile: (file: string) => string;
}

/** The shared options with their defaults: `--width`, else the terminal's, else 80. */
export function parseViewOptions(raw: RawViewOptions): ViewOptions {
  return {
    format: raw.format ?? 'pretty',
    mask: raw.mask === true,
    width: raw.width ?? terminalWidth(process.stdout),
    pager: raw.pager !== false,
    type: raw.type,
    orgNumbers: raw.orgNumber ?? [],
    maxElementBytes: raw.maxElementSize,
    shownFile: raw.mask === true ? maskPhonesInText : (file) => file,
  };
}

/** Writes what an input record that is not a valid event says, so that nothing is skipped silently. */
async function warnAboutRecord(record: InputRecord, output: Output, said: SkipWarnings): Promise<void> {
  const warning = said.warningFor(record);
  if (warning !== undefined) await output.warn(warning.message, warning.names);
}

/**
 * Reads `paths` through the input layer, stopping quietly when the reader goes away. A call result
 * whose one problem is an undocumented status is shown (as summarise counts it, under `Other`).
 */
export async function* eventRecords(
  paths: string[],
  options: ViewOptions,
  output: Output,
  skipped = { elements: 0, unreadable: 0 },
): AsyncGenerator<Extract<InputRecord, { kind: 'event' }>> {
  // Hint: a skipped element's warning names its first error and counts the rest, and a call whose
  // only error is its status is told by omitted errors too: one kept is all that is read. No
  // warning of a payload is printed (a redelivery's, a duplicate key's), so none is looked for.
  const read = {
    type: options.type,
    maxElementBytes: options.maxElementBytes,
    maxIssues: 1,
    warnings: false,
    // Hint: said as show's other warnings are, into the paged text when paging; `warn` never rejects.
    onWarning: (message: string, names: readonly string[]) => void output.warn(message, names),
  };
  const said = new SkipWarnings();
  try {
    for await (const records of readRecords(paths, read)) {
      for (const record of records) {
        if (output.closed) return;
        if (record.kind === 'event') yield record;
        else if (record.kind === 'invalid' && record.call) {
          yield {
            kind: 'event',
            event: undocumentedAsEvent(record.call),
            value: record.value,
            element: record.element,
            problems: [],
            duplicate: record.duplicate === true,
          };
        } else {
          if (record.kind === 'problem' && record.problem.fatal) {
            // Hint: a file that is not text fails the run, however it ends (`| head` included).
            skipped.unreadable++;
            process.exitCode = exitCodeWithUnreadable(Number(process.exitCode ?? ExitCode.ok), skipped.unreadable);
            await output.diagnose(`${formatFatal(unreadableFileError(record.problem)).message}\n`);
            continue;
          }
          if (record.kind === 'invalid') skipped.elements++;
          await warnAboutRecord(record, output, said);
        }
      }
      if (output.closed) return;
    }
  } finally {
    // Hint: also when reading stops early (--limit, a trace's second call, the reader gone).
    const rest = said.end();
    if (rest !== undefined) await output.warn(rest);
  }
}

/** Ends the output and turns a write error other than EPIPE, or a pager that failed, into an I/O error. */
export async function finish(output: Output): Promise<void> {
  await output.end();
  if (output.error) throw describeIoError(output.error, '<stdout>');
  if (output.pagerFailed) throw output.pagerFailed;
}

function noteMatch(ids: Set<string>, prefix: string | undefined, id: string | undefined): void {
  // Two are enough to know the prefix is ambiguous; a few more name the candidates.
  if (prefix !== undefined && id !== undefined && ids.size < 4 && id.length > prefix.length) ids.add(id.toLowerCase());
}

/** The warning for an id prefix that matched several ids, or undefined. */
function ambiguityWarning(option: string, prefix: string | undefined, ids: ReadonlySet<string>): string | undefined {
  if (prefix === undefined || ids.size < 2) return undefined;
  // Hint: whole, as trace's refusal names them: any part of them may be what tells them apart.
  const listed = [...ids].slice(0, 3);
  const many = ids.size > 3 ? 'more than 3' : String(ids.size);
  return `--${option} ${prefix} matched ${many} ${option}Ids (${listed.join(', ')}${ids.size > 3 ? ', …' : ''}); give more of it to pick one`;
}

/**
 * The most characters `--grep` takes. Hint: its pattern, case-insensitive over Unicode, made of
 * 12,400 Latin letters (8,000 Cyrillic) was more than V8 could compile ("Stack overflow"), an
 * internal error, and only once an event with text was searched (red team hR125).
 */
const longestSearch = 1000;

/**
 * `text`, refused when empty (an empty filter would be no filter: `--grep "$TERM"` with TERM
 * unset) or longer than `longestSearch` characters.
 */
function searchText(option: string, text: string): string {
  if (text === '') throw optionError(option, 'some text to look for', text);
  if ([...text].length > longestSearch) {
    throw optionError(option, `at most ${longestSearch.toLocaleString('en-US')} characters`, text);
  }
  return text;
}

/** The `show` action. */
export async function show(paths: string[], raw: RawShowOptions): Promise<void> {
  const options = parseViewOptions(raw);
  const { since, until } = timeRangeOf(raw);
  const filter: EventFilter = {
    statuses: raw.status,
    group: raw.group,
    campaign: raw.campaign,
    correlation: raw.correlation,
    id: raw.id,
    phone: raw.phone,
    since,
    until,
    grep: raw.grep === undefined ? undefined : searchPattern(searchText('--grep', raw.grep)),
  };
  const output = new Output(process.stdout, { pager: options.pager && options.format !== 'json', width: raw.width });
  const numbers = new NumberBook(options.orgNumbers);
  // Hint: copies among the events shown; one with the id of an event the filters left out is a conflicting copy.
  const copies = new Copies();
  const ctx: FlowContext = {
    width: options.width,
    colors: colorsFor(process.stdout),
    grep: filter.grep,
  };
  // Prefixes that matched more than one id: said at the end, as trace refuses them.
  const matched = { campaign: new Set<string>(), correlation: new Set<string>() };
  if (options.format !== 'pretty') ctx.colors.level = 0;

  let seen = 0;
  let shown = 0;
  // Events written since the last file heading: blank lines go between events, not after a heading.
  let sinceHeading = 0;
  let previousWasBlock = false;
  let currentFile: string | undefined;
  try {
    // Like head and tail, name each file when there are several, so every call can be traced to its file.
    const manyFiles = (await listSources(paths)).length > 1 && options.format !== 'json';
    const skipped = { elements: 0, unreadable: 0 };
    for await (const record of eventRecords(paths, options, output, skipped)) {
      const { event: read } = record;
      seen++;
      if (read.type === 'CallComplete' || read.type === 'CallAttempted' || read.type === 'CallReceived') {
        numbers.addCustomer(read.data.phone);
      }
      if (!matchesFilter(read, filter)) {
        copies.leaveOut(read.id);
        continue;
      }
      noteMatch(matched.campaign, filter.campaign, read.data.campaignId);
      noteMatch(matched.correlation, filter.correlation, correlationIdOf(read));
      // Hint: the payload as the file writes it, a number too large for a double too (`1e400`):
      // it is printed, and tells copies apart. Read again only for an event shown.
      const exact = exactValue(record.value, record.element.text);
      if (options.format === 'json') {
        const value = options.mask ? maskPayload(exact) : exact;
        // Hint: the bracket is written with the first element, so that an error before it leaves stdout empty.
        await output.write((shown === 0 ? '[\n' : '') + renderJsonElement(value, shown === 0));
      } else {
        if (manyFiles && record.element.file !== currentFile) {
          currentFile = record.element.file;
          const heading = renderFileHeading(options.shownFile(currentFile), ctx, options.format);
          await output.write(shown > 0 ? `\n${heading}` : heading);
          previousWasBlock = false;
          sinceHeading = 0;
        }
        // Hint: the direction is told from the numbers seen so far, before --mask hides them.
        const smsDirection = read.type === 'SMS' ? numbers.direction(read.data.from, read.data.to) : undefined;
        const event = options.mask ? maskPayload(read) : read;
        const note = { ...copies.note(read.id, exact), smsDirection };
        const text = renderEvent(event, ctx, options.format, note);
        // A call result is a block: a blank line sets it apart from its neighbours.
        const block = event.type === 'CallComplete';
        await output.write(sinceHeading > 0 && (block || previousWasBlock) ? `\n${text}` : text);
        previousWasBlock = block;
      }
      shown++;
      sinceHeading++;
      if (raw.limit !== undefined && shown >= raw.limit) break;
    }
    if (options.format === 'json') await output.write(shown === 0 ? '[]\n' : '\n]\n');
    for (const [name, ids] of Object.entries(matched)) {
      const line = ambiguityWarning(name, filter[name as keyof typeof matched], ids);
      if (line) await output.warn(line);
    }
    // Hint: as grep does, and as trace does for an id no call has, filters that select nothing exit 1.
    const given = Object.entries(filter).flatMap(([name, value]) =>
      value === undefined ? [] : [`--${name === 'statuses' ? 'status' : name}`],
    );
    if (shown === 0 && given.length > 0 && !output.closed) {
      throw new CallhookError(
        `no event matched ${given.join(', ')} (of ${plural(seen, 'event')} read)`,
        // A file that could not be read may have held one: that failure is the one to end with.
        exitCodeWithUnreadable(ExitCode.invalid, skipped.unreadable),
      );
    }
  } finally {
    await finish(output);
  }
}
