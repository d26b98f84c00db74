/** `callhook summarise`: outcomes, reasons, campaigns and drop-off of webhook exports. */
import {
  nothingSummarised,
  type ReportedStatus,
  SummaryAccumulator,
  type SummaryDimension,
  type SummaryOptions,
  type SummaryReport,
  summaryExitCode,
} from '../core/summary.js';
import { maskedApart, maskPhone, maskPhonesInText } from '../core/timeline.js';
import { CallhookError, formatFatal, unreadableFileError } from '../errors.js';
import { readInHalves, threadSettings, threadSettingsWarning, timesLine } from '../input/halves.js';
import { type ReadOptions, readRecords } from '../input/read.js';
import { escapeTerminal } from '../render/escape.js';
import type { SummaryFormat } from '../render/formats.js';
import { renderSummaryJsonParts, undocumentedStatusFate } from '../render/summary-json.js';
import { plural } from '../render/words.js';
import type { EventType } from '../schema/events.js';
import { drained, warnOnStderr } from './output.js';
import { finishWithoutStdout, stdoutGone } from './signals.js';
import { timeRangeOf } from './time-range.js';

/** The options `summarise` takes, as commander's parsers (src/commands/options.ts) checked them. */
export interface SummariseCliOptions {
  format: SummaryFormat;
  by?: SummaryDimension;
  top: number;
  since?: string;
  until?: string;
  status?: ReportedStatus[];
  orgNumber?: string[];
  type?: EventType;
  strict?: boolean;
  maxElementSize?: number;
  mask?: boolean;
  width?: number;
}

/**
 * The report with personal data masked as `show --mask` masks it: the customers' numbers of a
 * `--by phone` table (all but the last 3 digits), and a number written in a reason, a failure
 * note, a question or a request. The counts are untouched: two rows that mask alike stay two rows,
 * told apart (`********087 (2)`, `Call back on **** *** 087 (2)`), as `show --mask` tells keys
 * apart. Hint: one name a text throughout the report, told apart once over all its texts: table by
 * table, one name stood for one number in a table and the other in the next (review hR107).
 */
export function maskedReport(report: SummaryReport): SummaryReport {
  const { callComplete, callAttempted } = report;
  const texts = new Set<string>();
  for (const { rows } of Object.values(callComplete.byReason))
    for (const { reason } of rows) if (reason !== null) texts.add(reason);
  for (const { note } of callAttempted.byNote.rows) if (note !== null) texts.add(note);
  for (const { steps } of callComplete.funnel.rows) for (const { question } of steps) texts.add(question);
  for (const { request } of callComplete.requests.rows) texts.add(request);
  // Hint: a `--by phone` table's customers too, each kept whole but its last 3 digits: a number
  // in a reason was named as a customer was (review hR108).
  const phones = new Set(report.groups?.by === 'phone' ? report.groups.rows.map((row) => row.key) : []);
  for (const phone of phones) texts.add(phone);
  const mask = (text: string) =>
    !phones.has(text) ? maskPhonesInText(text) : /^\+?\d+$/.test(text) ? maskPhone(text) : text;
  const distinct = [...texts];
  const names = new Map(maskedApart(distinct, mask).map((name, i) => [distinct[i], name]));
  const name = (text: string) => names.get(text) ?? text;
  const byReason = Object.fromEntries(
    Object.entries(callComplete.byReason).map(([status, reasons]) => [
      status,
      {
        ...reasons,
        rows: reasons.rows.map((row) => ({ ...row, reason: row.reason === null ? null : name(row.reason) })),
      },
    ]),
  ) as typeof callComplete.byReason;
  const notes = callAttempted.byNote.rows.map((row) => ({ ...row, note: row.note === null ? null : name(row.note) }));
  const funnel = callComplete.funnel.rows.map((row) => ({
    ...row,
    steps: row.steps.map((step) => ({ ...step, question: name(step.question) })),
  }));
  const requests = callComplete.requests.rows.map((row) => ({ ...row, request: name(row.request) }));
  const masked: SummaryReport = {
    ...report,
    callComplete: {
      ...callComplete,
      byReason,
      funnel: { ...callComplete.funnel, rows: funnel },
      requests: { ...callComplete.requests, rows: requests },
    },
    callAttempted: { ...callAttempted, byNote: { ...callAttempted.byNote, rows: notes } },
    // Hint: a file's name may hold a phone number (an export per customer), as stderr masks it.
    unreadableFiles: report.unreadableFiles.map((file) => ({ ...file, file: maskPhonesInText(file.file) })),
  };
  const groups = report.groups;
  if (groups?.by !== 'phone') return masked;
  return { ...masked, groups: { ...groups, rows: groups.rows.map((row) => ({ ...row, key: name(row.key) })) } };
}

/** The summary's options: the times read (a bad one, or an empty range, is a usage error). */
function summaryOptionsFrom(options: SummariseCliOptions): SummaryOptions {
  const { since, until } = timeRangeOf(options);
  return { by: options.by, top: options.top, since, until, statuses: options.status, orgNumbers: options.orgNumber };
}

/**
 * The report in a format other than JSON. Hint: the renderers are loaded only here: JSON needs
 * none of them; loading them brings chalk and the width tables.
 */
async function renderWithTables(report: SummaryReport, options: SummariseCliOptions): Promise<Iterable<string>> {
  const [{ renderSummary }, { colorsFor, terminalWidth }] = await Promise.all([
    import('../render/summary.js'),
    import('../render/terminal.js'),
  ]);
  const width = options.width ?? terminalWidth(process.stdout);
  return renderSummary(report, options.format, { colors: colorsFor(process.stdout), width, by: options.by });
}

/**
 * What goes to stderr beside a machine-readable report, where the overview cannot say it; and,
 * in every format, what made `--strict` fail the run. Hint: the overview of a pretty or Markdown
 * report says it too, but on stdout, which a CI log may not keep: exit 1 with an empty stderr.
 */
export function summaryDiagnostics(
  report: SummaryReport,
  format: SummaryFormat,
  by: SummaryDimension | undefined,
  strict = false,
): string[] {
  const out: string[] = [];
  if ((format === 'pretty' || format === 'markdown') && !strict) return out;
  if (report.invalid > 0) {
    out.push(`skipped ${plural(report.invalid, 'invalid element')}; run \`callhook validate\` for details`);
  }
  if (report.undocumentedStatuses > 0) {
    out.push(
      `${plural(report.undocumentedStatuses, 'call')} with an undocumented status, ${undocumentedStatusFate(report)}`,
    );
  }
  if (report.inputErrors > 0) {
    out.push(`${plural(report.inputErrors, 'problem')} outside any event; run \`callhook validate\` for details`);
  }
  if (format === 'csv' && by && by !== 'status' && report.groups?.rest) {
    out.push(`--top left out ${plural(report.groups.rest.keys, `${by} row`)}; --top 0 keeps them all`);
  }
  return out;
}

/** Runs `summarise`: reads once, prints the report, sets the exit code (1 under --strict when anything was invalid). */
export async function summarise(paths: string[], options: SummariseCliOptions): Promise<void> {
  const summaryOptions = summaryOptionsFrom(options);
  // Piped input needs no `-`; the input layer refuses a terminal on stdin (it would look like a hang).
  if (paths.length === 0) paths = ['-'];
  const threads = threadSettingsWarning();
  if (threads) warnOnStderr(threads, options.width);

  // The summary counts no warnings (consistency rules, duplicate keys), so none are looked for;
  // and of an invalid element's errors, one kept tells all it needs (see `eventRecords` in show).
  const readOptions: ReadOptions = {
    type: options.type,
    strict: options.strict,
    warnings: false,
    maxIssues: 1,
    maxElementBytes: options.maxElementSize,
  };
  // Hint: the worker's module (also the consumer's) is loaded here, not imported above: bundled,
  // it must be a chunk of its own for a worker to start from.
  const { summariseWorkerScript, summaryConsumerOf } = await import('./summarise-worker.js');
  const summary = new SummaryAccumulator(summaryOptions);
  const consumer = summaryConsumerOf(summary);
  // One large file is read on two threads when that pays; anything else on this one.
  const onlyPath = paths.length === 1 ? paths[0] : undefined;
  const halves =
    onlyPath !== undefined
      ? await readInHalves(onlyPath, readOptions, consumer, {
          script: summariseWorkerScript,
          task: 'summarise',
          input: summaryOptions,
        })
      : { consumed: false, how: 'one thread (several paths)' };
  if (threadSettings().trace) process.stderr.write(`callhook: read on ${escapeTerminal(halves.how)}\n`);
  if (!halves.consumed) {
    for await (const records of readRecords(paths, {
      ...readOptions,
      onWarning: (message: string, names: readonly string[]) => warnOnStderr(message, options.width, names),
    }))
      consumer.add(records);
  }
  const summed = summary.report();
  const report = options.mask ? maskedReport(summed) : summed;
  const times = timesLine(halves);
  if (times !== undefined) process.stderr.write(times);

  // Hint: in pieces, each written once the one before it was taken: a table of a million rows is
  // never one string (see `renderSummaryJsonParts`). A reader that goes away meanwhile (`| head`)
  // drops the rest, and the run still says what failed and ends as the whole run would: in one
  // write, the report was all handed over before the diagnostics came (review hR133).
  finishWithoutStdout();
  const pieces = options.format === 'json' ? renderSummaryJsonParts(report) : await renderWithTables(report, options);
  for (const piece of pieces) {
    if (stdoutGone.dropped) break;
    if (!process.stdout.write(piece)) await drained(process.stdout, () => process.stdout.destroyed);
  }
  // A file that is not text fails the run (exit 2, in `summaryExitCode`), each named as errors are.
  for (const unreadable of report.unreadableFiles) {
    process.stderr.write(`${formatFatal(unreadableFileError(unreadable)).message}\n`);
  }
  for (const line of summaryDiagnostics(report, options.format, summaryOptions.by, options.strict)) {
    process.stderr.write(`callhook: ${line}\n`);
  }
  const first = summary.firstError;
  if (nothingSummarised(report) && first) {
    const errors = report.invalid + report.inputErrors;
    const more = errors > 1 ? `; ${plural(errors - 1, 'more error')}: see callhook validate` : '';
    const error = new CallhookError(
      `${first.file}:${first.line}:${first.column}: ${first.message} (no event to summarise${more})`,
    );
    process.stderr.write(`${formatFatal(error).message}\n`);
  }
  process.exitCode = summaryExitCode(report, options.strict === true);
}
