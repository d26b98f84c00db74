/** `callhook replay`: delivers input events to a live URL the way the platform would. */
import { once } from 'node:events';
import { type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { isoOf } from '../core/instant.js';
import {
  CallhookError,
  describeIoError,
  ExitCode,
  exitCodeWithUnreadable,
  formatFatal,
  interruptedBy,
  unreadableFileError,
} from '../errors.js';
import {
  type EventRewriter,
  type OutboundBatch,
  planBatches,
  type ReplayItem,
  replayEventsFromRecords,
  type SkippedInput,
} from '../http/batches.js';
import { redactHeaders, redactUrl, secretHeaderVariable, splitCredentials } from '../http/credentials.js';
import { baseRequestHeaders, deliverBatches, InputLimits } from '../http/deliver.js';
import { type FreshRun, freshRewrite, newFreshRun, TimestampSpan } from '../http/fresh.js';
import {
  checkResume,
  deliveryOf,
  fingerprintInputs,
  type Journal,
  type JournalChange,
  type JournalHeader,
  journalKind,
  journalLockOf,
  journalVersion,
  lockJournal,
  openJournal,
  type RunIdentity,
  readJournal,
  refuseExistingJournal,
  refuseReplacingRecord,
  selectionOf,
} from '../http/journal.js';
import { defaultToleranceSeconds } from '../http/names.js';
import { createSigner, parseSecrets, type Signer } from '../http/signing.js';
import { DeliveryStats, type ReplayReport, replayExitCode } from '../http/stats.js';
import { amongSources, listSources, type ReadOptions, readSources, type Source } from '../input/read.js';
import { SourceBytes } from '../input/source-bytes.js';
import { type InputRecord, stdinName } from '../input/types.js';
import {
  checkFoldersOf,
  checkOutputPath,
  checkOwnFile,
  type OwnFileRisks,
  realPathOf,
  standardStreamOf,
} from '../output-file.js';
import {
  curlSecretVariables,
  type DryRunRequest,
  renderCurl,
  renderDryRunJson,
  renderDryRunRequest,
  renderProgressBar,
  renderProgressLine,
  renderReplaySummary,
  renderUnjournalled,
} from '../render/replay.js';
import { SkipWarnings } from '../render/skip-warnings.js';
import { canDraw, colorsFor, terminalWidth, toSafeJson, warningLine, wrapMessage } from '../render/terminal.js';
import { plural } from '../render/words.js';
import { fileSink } from './file-sink.js';
import { parseReplayOptions, type RawReplayOptions, type ReplaySettings } from './replay-options.js';
import { finishWithoutStdout, onStopSignals, runIsOver, type StopSignal, stopSignals } from './signals.js';

const stderr = process.stderr;
const errColors = colorsFor(stderr);
// Hint: redrawn in place (\r, ESC [2K) only where the terminal can move its cursor; elsewhere a
// line every --progress-interval, as when stderr is not a terminal.
const liveBar = canDraw(stderr);
let barShown = false;

/** Writes a diagnostic to stderr without tearing the live progress bar (it is redrawn on the next tick). */
function diagnose(text: string): void {
  if (barShown) {
    stderr.write('\r\x1b[2K');
    barShown = false;
  }
  stderr.write(text);
}

/** The warnings said: a journal is checked when read for `--resume` and again when opened, and said once. */
const warned = new Set<string>();

/** Says a warning on stderr, once. */
function warn(message: string, names: readonly string[] = []): void {
  if (warned.has(message)) return;
  warned.add(message);
  diagnose(warningLine(message, terminalWidth(stderr), names));
}

/**
 * What a run must know of its input before reading it: whether every source can be read a second
 * time (`endsByItself`: no stdin, FIFO or process substitution), and where each file starts in the
 * whole input, in bytes, so progress can show an ETA (`sizes`, the total under the key ''; undefined
 * when stdin is among the inputs, its size unknown, or all are empty). Hint: a file gone since it
 * was listed is taken as an empty file, not failed here: reading it says it cannot be read, in one
 * line, and the others are sent, as every command reads on (red team hR97: "internal error").
 */
async function measureInputs(
  sources: readonly Source[],
): Promise<{ endsByItself: boolean; sizes: Map<string, number> | undefined }> {
  const starts = new Map<string, number>();
  let total = 0;
  let endsByItself = true;
  for (const source of sources) {
    if (source.path === '-') return { endsByItself: false, sizes: undefined };
    const info = await stat(source.path).catch(() => undefined);
    if (info !== undefined && !info.isFile()) endsByItself = false;
    starts.set(source.name, total);
    total += info?.size ?? 0;
  }
  starts.set('', total);
  return { endsByItself, sizes: total > 0 ? starts : undefined };
}

/**
 * How far through the input the run is: where the last batch taken ends, of all the input's
 * bytes; undefined when the input's size is unknown (stdin). Hint: the batches taken, not the
 * events parsed, which run ahead of them (a small file is parsed whole at once): the progress
 * line estimates the total batches as those taken over this fraction.
 */
function fractionRead(sizes: Map<string, number> | undefined, at: DeliveryStats['readTo']): number | undefined {
  const total = sizes?.get('') ?? 0;
  if (total <= 0) return undefined;
  const start = at && sizes?.get(at.file);
  return at && start !== undefined ? Math.min(1, (start + at.offset) / total) : 0;
}

/**
 * Why `--linger` does nothing in this run, or undefined when it does something: it applies only
 * to a stream read as it comes, and cuts only `--batch-size` batches (`planBatches`). `freshFirst`:
 * the input is read whole before the first batch, as `prepareFresh` reads a stream for a new --fresh run.
 */
function lingerProblem(endsByItself: boolean, freshFirst: boolean, batchSize: number | undefined): string | undefined {
  if (endsByItself) {
    return 'applies only when reading a stream (stdin, a named pipe, a <(…)); a regular file never goes quiet, and its last batch is sent at its end';
  }
  if (freshFirst) return 'does nothing with --fresh, which reads a stream whole before the first batch';
  return batchSize === undefined
    ? 'cuts only --batch-size batches; without one each input batch is sent whole as soon as it is read, a lone value at once, an array at its closing "]"'
    : undefined;
}

/**
 * `--fresh` needs the newest timestamp before the first request, and the oldest, to refuse a
 * shift that would move it before the year 0000. Files are read twice (the first pass keeps
 * nothing); stdin or a pipe can be read only once, so its events are held in memory. A run that
 * continues one (`--resume`) takes its key and shift from the journal instead, so that what it
 * sends again is the same bytes under the same webhook-id (its input is the journal's own, checked
 * then).
 */
async function prepareFresh(
  sources: readonly Source[],
  endsByItself: boolean,
  settings: ReplayCommandSettings,
  source: () => AsyncIterable<ReplayItem[]>,
  continued: FreshRun | undefined,
): Promise<{ run: FreshRun; rewrite: EventRewriter; replayed?: ReplayItem[][] }> {
  if (continued) return { run: continued, rewrite: freshRewrite(continued) };
  const span = new TimestampSpan();
  let replayed: ReplayItem[][] | undefined;
  const once = !endsByItself;
  const scan = once
    ? source()
    : replayEventsFromRecords(readSources(sources, readOptions(settings)), {
        validate: settings.validate,
        keepValues: true,
      });
  if (once) replayed = [];
  for await (const chunk of scan) {
    replayed?.push(chunk);
    for (const event of chunk) if (!('arrayEnd' in event)) span.add(event.value, event.location);
  }
  const run = newFreshRun(span, Date.now());
  const rewrite = freshRewrite(run);
  return replayed ? { run, rewrite, replayed } : { run, rewrite };
}

async function* fromArray(chunks: ReplayItem[][]): AsyncGenerator<ReplayItem[]> {
  yield* chunks;
}

/** Replay's settings, with the one it takes for the input layer. */
interface ReplayCommandSettings extends ReplaySettings {
  maxElementBytes: number | undefined;
}

/** How replay asks the input layer to read. */
function readOptions(settings: ReplayCommandSettings): ReadOptions {
  // Hint: delivery, not the disk, sets replay's pace, so larger reads buy nothing here and
  // cost memory. A skipped element is told by its first error, the rest counted, and no warning
  // of a payload is printed (a redelivery's, a duplicate key's): one error kept, no warning looked for.
  return {
    type: settings.type,
    readSize: 64 * 1024,
    maxElementBytes: settings.maxElementBytes,
    maxIssues: 1,
    warnings: false,
    // An input array is sent as soon as it is whole (see `planBatches`).
    arrayEnds: true,
  };
}

function makeSigner(settings: ReplaySettings): Signer | undefined {
  if (!settings.sign) return undefined;
  const keys = parseSecrets(process.env[settings.secretEnv], settings.sign, settings.secretEnv);
  return createSigner(settings.sign, keys, settings.signatureHeader);
}

/**
 * The headers every request carries before signing: the defaults, `-H`, and Basic auth from
 * user info in the URL (unless `-H` gave an Authorization), as curl sends it.
 */
function requestHeaders(settings: ReplaySettings, version: string | undefined): Record<string, string> {
  const headers = baseRequestHeaders(settings.headers, version);
  const { authorization } = splitCredentials(settings.url);
  if (authorization && headers.authorization === undefined) headers.authorization = authorization;
  return headers;
}

/**
 * `--dry-run`: prints each request to `out` instead of sending it. Waits for `out` to drain
 * whenever it is full, so a slow reader holds the input back instead of memory filling up.
 */
export async function dryRun(
  batches: AsyncIterable<OutboundBatch>,
  settings: ReplaySettings,
  version: string | undefined,
  signer: Signer | undefined,
  confirmed: ReadonlySet<string> | undefined,
  out: NodeJS.WritableStream & { isTTY?: boolean | undefined } = process.stdout,
): Promise<number> {
  const colors = colorsFor(out);
  const headers = requestHeaders(settings, version);
  const secrets = curlSecretVariables(headers);
  if (settings.format === 'curl' && secrets.length > 0) {
    // Hint: the user typed a user and password in --url, not a header: the line that makes the
    // header of them is given, on a line of its own, never wrapped, to be copied as it is (and
    // base64 wraps its output at 76 columns: tr takes those line breaks out).
    const { authorization } = splitCredentials(settings.url);
    const fromUrl = authorization !== undefined && headers.authorization === authorization;
    const said = `callhook: the curl commands read ${secrets.join(', ')}; export ${secrets.length === 1 ? 'it' : 'them'} before running the commands${fromUrl ? "; for the URL's user and password:" : ''}`;
    const basic = fromUrl
      ? `  export ${secretHeaderVariable('authorization')}="Basic $(printf %s 'user:password' | base64 | tr -d '\\n')"\n`
      : '';
    diagnose(`${wrapMessage(said, terminalWidth(stderr))}${basic}`);
  }
  let shown = 0;
  let seen = 0;
  let firstSigned: Date | undefined;
  for await (const batch of batches) {
    seen++;
    if (confirmed?.has(batch.key)) continue;
    const signedAt = new Date();
    firstSigned ??= signedAt;
    const request: DryRunRequest = {
      method: settings.method,
      url: settings.url,
      headers,
      signed: signer?.(batch.webhookId, batch.body, signedAt),
      body: batch.body,
      ordinal: batch.ordinal + 1,
      events: batch.events,
      source: batch.source,
      insecure: settings.insecure,
    };
    shown++;
    const text =
      settings.format === 'curl'
        ? renderCurl(request)
        : settings.format === 'json'
          ? renderDryRunJson(request)
          : renderDryRunRequest(request, colors, terminalWidth(out));
    if (!out.write(text)) await once(out, 'drain');
  }
  if (seen === 0) {
    diagnose('callhook: nothing to send: the input has no valid events\n');
    return ExitCode.invalid;
  }
  if (settings.format === 'pretty') {
    diagnose(`dry run: ${plural(shown, 'request')} shown, nothing sent\n`);
  }
  if (firstSigned !== undefined && settings.format === 'curl' && settings.sign === 'standard') {
    // Hint: a saved script of them fails later with no word why: each carries the time it was signed.
    const said = `callhook: the curl commands are signed for now (webhook-timestamp ${Math.floor(firstSigned.getTime() / 1000)} on the first): a receiver refuses them once its tolerance has passed (${defaultToleranceSeconds} s by default); make them again then`;
    diagnose(wrapMessage(said, terminalWidth(stderr)));
  }
  return ExitCode.ok;
}

function startProgress(
  stats: DeliveryStats,
  fraction: () => number | undefined,
  intervalMs: number,
  rate: number | undefined,
): () => void {
  if (liveBar) {
    const timer = setInterval(() => {
      stderr.write(`\r\x1b[2K${renderProgressBar(stats.snapshot(fraction(), rate), stderr.columns || 80, errColors)}`);
      barShown = true;
    }, 100);
    return () => {
      clearInterval(timer);
      if (barShown) stderr.write('\r\x1b[2K');
      barShown = false;
    };
  }
  const timer = setInterval(
    () => stderr.write(`${renderProgressLine(stats.snapshot(fraction(), rate))}\n`),
    intervalMs,
  );
  return () => clearInterval(timer);
}

/** What a report holds, and what another user could do with it, for `checkOwnFile`. */
const reportRisks: OwnFileRisks = {
  what: 'the report',
  holds: "the receiver's URL (with any ?token= in its query) and the headers sent",
  writers: 'change the record of what was delivered',
  instead: 'write the report to a file of your own',
};

/**
 * Checks `--report` before the first request, as the journal is checked: a report another user
 * owns, or in a folder they own, is refused, so that a run does not send everything and only then
 * fail, or write the URL and headers into their file; one others can reach is warned of. A
 * replay journal, another run's live one above all, is refused too (`refuseReplacingRecord`).
 */
function checkReport(path: string): void {
  try {
    checkFoldersOf(path, reportRisks, warn);
  } catch (error) {
    throw describeIoError(error, path);
  }
  refuseReplacingRecord(path);
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    // Created private when the run ends (fileSink).
    return;
  }
  // Hint: stdout or stderr (`/dev/stdout`, `/dev/stderr`), a pipe or a device is written as it is,
  // as --format json prints the report: it is not a file kept that others could read or replace.
  if (stats.isFile() && standardStreamOf(stats, [1, 2]) === undefined) checkOwnFile(path, stats, reportRisks, warn);
}

/**
 * Writes the report to `path`: stdout (`/dev/stdout`, sent to a pipe or a file) after the summary
 * through stdout itself (and `/dev/stderr` through stderr), a named pipe once a reader comes,
 * until `abort` (a second signal), a file whole or not at all (a full disk leaves the report
 * before as it was), anything else (a device) as it is: all as `fileSink` writes them.
 */
async function writeReport(path: string, report: ReplayReport, abort: AbortSignal): Promise<void> {
  // Hint: checked again (as fileSink does) before the file the path leads to is, since a link may
  // have been planted during the run: refused, with no warning of its target first.
  checkOutputPath(path);
  let existing: Stats | undefined;
  try {
    existing = statSync(path);
  } catch {
    // Missing or unreachable: fileSink creates it, or says why not.
  }
  // Hint: checked again, since the file may have been replaced during the run.
  if (existing?.isFile() && standardStreamOf(existing, [1, 2]) === undefined)
    checkOwnFile(path, existing, reportRisks, warn);
  // Hint: made private, as it holds the receiver's URL and the headers sent; one replaced keeps its mode.
  const sink = await fileSink(path, { force: true, mode: 0o600, purpose: 'report', abort, warn });
  try {
    await sink.write(Buffer.from(`${toSafeJson(report)}\n`));
    await sink.commit();
  } catch (error) {
    await sink.discard();
    if (error !== abort.reason) throw error;
    throw new CallhookError(`${path}: no reader took the report before a second signal: not written`);
  }
}

/** Whether two URLs name the same place, however written (`http://h:1` and `http://h:1/`). */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/**
 * For `--resume`: the keys the journal confirms, once it is known to be this run's journal, where
 * its batches start (to cut them there again), the `--fresh` run it continues, and whether its
 * keys name batches by their place in the run. Unreadable lines (torn by a crash or a full disk) are listed and skipped.
 */
function resumedFromJournal(
  path: string,
  run: RunIdentity,
  url: string,
): {
  confirmed: Set<string>;
  recorded: Map<string, number>;
  fresh: FreshRun | undefined;
  placedInRun: boolean;
  idBySource: boolean;
  acrossFiles: boolean;
} {
  const warnings: string[] = [];
  const contents = readJournal(path, (message) => warnings.push(message));
  // Hint: the header first: a file that is not this run's journal is refused in one line, not
  // after a line of diagnostics for each of its lines (nor a warning of who may read it).
  checkResume(path, contents.header, run, contents.notHeader);
  for (const message of warnings) warn(message);
  if (contents.header?.fingerprint === null) {
    warn(
      `${path}: a journal of stdin or a pipe, whose content cannot be compared with its run's: a batch whose events changed or moved is sent again`,
    );
  }
  for (const line of contents.unreadable) {
    warn(`${path}:${line}: unreadable journal line skipped (cut short by a crash or a full disk?)`);
  }
  // Hint: a journal of an earlier version says nothing of what it did not record: not compared, said.
  const header = contents.header;
  const unrecorded: Array<{ what: string; options: string }> = [];
  if (header?.selection === undefined) {
    unrecorded.push({ what: 'which events its run selected', options: '--type, --no-validate and --max-element-size' });
  }
  if (header?.fresh === undefined)
    unrecorded.push({ what: 'whether its run had --fresh', options: '--fresh (or none)' });
  if (header?.delivery === undefined) {
    unrecorded.push({ what: 'how its run sent the batches', options: '--sign, --signature-header, --method and -H' });
  }
  if (header && unrecorded.length > 0) {
    const what = unrecorded.map((item) => item.what).join(' or ');
    const options = unrecorded.map((item) => item.options).join(', and ');
    // Hint: and the versions before journal locks took none: a run of one still going sends the
    // batches this one does (review hT69).
    warn(
      `the journal does not say ${what} (an earlier version wrote it): resume only with that run's ${options}, once it has ended (an earlier version may not lock its journal)`,
    );
  }
  // Another receiver may be right (the same one restarted on another port), so it is only said.
  const written = header?.url;
  if (written !== undefined && !sameUrl(written, url)) {
    warn(
      `the journal was written for ${written}, and this run sends to ${url}: the batches it confirms as delivered there are not sent here`,
    );
  }
  // Hint: a journal before version 3 named batches by their place in the run, and one before 4 cut
  // them across files: its keys are matched so (review hR77: a version 3 journal resumed with
  // batches cut at each file's end sent delivered events again, exit 0). One before 5 named a
  // webhook-id by its file's place among the inputs: its batches go again under the ids its run sent.
  return {
    confirmed: contents.confirmed,
    recorded: contents.recorded,
    fresh: header?.fresh ?? undefined,
    placedInRun: header !== undefined && header.version < 3,
    idBySource: header !== undefined && header.version < 5,
    acrossFiles: header !== undefined && header.version < 4,
  };
}

/**
 * Refuses a journal or report that is (or would be, once written) one of the input files: read
 * back as events it would be skipped as invalid on every run, and the journal would change the
 * input's fingerprint under itself, so that `--resume` could never trust it. And a report written
 * over the journal, which would lose every confirmation in it.
 */
async function refuseOutputsAmongInputs(paths: readonly string[], settings: ReplayCommandSettings): Promise<void> {
  const { journal, report } = settings;
  if (journal !== undefined && report !== undefined) {
    if (realPathOf(journal) === realPathOf(report)) {
      throw new CallhookError(
        `--report: ${report} is the --journal file: the report would overwrite the journal, and --resume could not trust it; name another file`,
        ExitCode.usage,
      );
    }
    if (journalLockOf(journal) === realPathOf(report)) {
      throw new CallhookError(
        `--report: ${report} is the --journal's lock file: the next --resume would take it for another replay's; name another file`,
        ExitCode.usage,
      );
    }
  }
  for (const [option, path] of [
    ['--journal', settings.journal],
    ['--report', settings.report],
  ] as const) {
    const among = path === undefined ? undefined : await amongSources(paths, path);
    if (among === 'read') {
      throw new CallhookError(
        `${option}: ${path} is among the input files: it would be read back as events, and --resume would find the input changed; keep it outside the input folders`,
        ExitCode.usage,
      );
    }
    if (among === 'linked') {
      throw new CallhookError(
        `${option}: ${path} is an input file by another name (a hard link), or the file stdin is read from: writing it would overwrite that input; name another file`,
        ExitCode.usage,
      );
    }
  }
}

/** The action of `callhook replay <paths...>`. */
export async function replayCommand(
  paths: string[],
  raw: RawReplayOptions & { maxElementSize?: number },
  command?: Command,
): Promise<void> {
  const settings: ReplayCommandSettings = { ...parseReplayOptions(raw), maxElementBytes: raw.maxElementSize };
  await refuseOutputsAmongInputs(paths, settings);
  // Hint: a dry run writes no report (nor journal), and so checks none.
  if (settings.report !== undefined && !settings.dryRun) checkReport(settings.report);
  // Until the first batch (reading a --fresh input, fingerprinting a large one) nothing is in
  // flight: a signal ends the run at once, its lock released; delivery has stop handlers of its
  // own. Without a lock (a dry run, no --journal) a signal ends the run as it always does.
  // Hint: the handlers come before the lock, which another process may see at once.
  const journal = settings.dryRun ? undefined : settings.journal;
  let release: (() => void) | undefined;
  const early = (signal: NodeJS.Signals) => {
    diagnose(`\nstopped (${signal}) before the first batch: nothing was sent\n`);
    release?.();
    process.exit(interruptedBy(signal));
  };
  /** Takes away the delivery's stop handlers, once delivery has begun (see `replayWith`). */
  let delivered: (() => void) | undefined;
  const delivering = (takeAway: () => void) => {
    for (const signal of stopSignals) process.off(signal, early);
    delivered = takeAway;
  };
  if (journal) for (const signal of stopSignals) process.on(signal, early);
  // Stops the run, no new batches, those in flight finished and journalled, when another replay holds the journal.
  const halt = new AbortController();
  try {
    // Hint: held from before the journal is read until the last line is written: a second run on
    // it would send again whatever it does not confirm yet. A dry run writes none, and takes none.
    if (journal)
      release = lockJournal(journal, warn, (holder, deleted) => {
        const how = deleted
          ? `the journal's lock was deleted during the run, and another replay (${holder}) has taken the journal since`
          : `another replay (${holder}) took over the journal's lock, judging this run gone (paused?)`;
        halt.abort(
          new CallhookError(
            `${how}: stopped, so that both do not send the same batches; once it has ended, --resume --journal ${journal} sends what neither delivered`,
          ),
        );
      });
    await replayWith(paths, settings, command?.parent?.version(), delivering, halt.signal);
  } finally {
    // Hint: the run is over: a signal from here changes nothing (README), taken before any handler
    // is taken away (see `runIsOver`).
    runIsOver();
    for (const signal of stopSignals) process.off(signal, early);
    release?.();
    // Hint: only now, the summary and report written and the lock let go of: a signal once delivery
    // had ended, with no handler, killed the run outright, its report unwritten, its lock left.
    delivered?.();
  }
}

async function replayWith(
  paths: string[],
  settings: ReplayCommandSettings,
  version: string | undefined,
  delivering: (takeAway: () => void) => void,
  halt: AbortSignal,
): Promise<void> {
  // The secret is checked before any input is read, so a missing one fails fast.
  const signer = makeSigner(settings);
  // Listed once: a missing path fails here, before anything is sent. Hint: a file ends; stdin, a
  // FIFO or a <(...) may never, and counting what was left would wait for it.
  const sources = await listSources(paths, warn);
  const { endsByItself, sizes } = await measureInputs(sources);
  // Hint: a stream (stdin, a named pipe, <(...)) cannot be fingerprinted: opening a named pipe
  // to sample it would lose what it holds when closed, and the run would then wait forever.
  const taken = settings.journal && endsByItself ? await fingerprintInputs(sources) : null;
  // Hint: each file read no further than the fingerprint covers: a file that grew since (an export
  // being written, a capture folder listen writes to) had batches past it sent and journalled as
  // delivered, and --resume's advice, to replay the rest alone, sent them twice (red team hR119).
  const reading = taken?.covered ?? sources;
  const run: RunIdentity = {
    inputs: paths,
    fingerprint: taken?.fingerprint ?? null,
    ...(taken ? { files: taken.files } : {}),
    batchSize: settings.batchSize ?? null,
    selection: selectionOf(settings),
    delivery: deliveryOf(settings),
    fresh: settings.fresh,
  };
  const resumed =
    settings.resume && settings.journal
      ? resumedFromJournal(settings.journal, run, redactUrl(settings.url))
      : undefined;
  const problem = settings.lingerGiven
    ? lingerProblem(endsByItself, settings.fresh && !resumed?.fresh, settings.batchSize)
    : undefined;
  if (problem) throw new CallhookError(`--linger: ${problem}`, ExitCode.usage);
  const confirmed = resumed?.confirmed;
  // Hint: `/dev/stdin` names stdin too, read as `-` when it is a pipe (listSources).
  const readsStdin = sources.some((source) => source.path === '-');
  const stats = new DeliveryStats();
  const said = new SkipWarnings();
  // Hint: said as show says it, by the same function: the event's kind, the pointer, the count of more.
  const onSkip = (skipped: SkippedInput, record: InputRecord) => {
    stats.skip(skipped);
    const warning = said.warningFor(record);
    if (warning !== undefined) warn(warning.message, warning.names);
  };
  // Hint: a file that is not text fails the run (exit 2, unreadable input), as it fails every command;
  // it is no syntax problem between events, so `inputProblems` does not count it: `unreadableFiles` lists it.
  const onProblem = (problem: SkippedInput, record: InputRecord) => {
    if (problem.unreadable) {
      stats.unreadable(problem.unreadable);
      diagnose(`${formatFatal(unreadableFileError(problem.unreadable)).message}\n`);
    } else {
      stats.problem();
      const warning = said.warningFor(record);
      if (warning !== undefined) warn(warning.message, warning.names);
    }
  };
  // Hint: a report that cannot be written fails the run too (exit 2), said when found; the run goes on.
  let reportFailed = false;
  // A stream is read no further once the run stops, and what it had read is still counted (a file
  // is read on instead: see `countUnsent`).
  const stopReading = endsByItself ? undefined : new AbortController();
  const inputLimits = new InputLimits();
  const source = () =>
    replayEventsFromRecords(
      readSources(
        reading,
        { ...readOptions(settings), stop: stopReading?.signal },
        { descriptorsFreed: inputLimits.met },
      ),
      {
        validate: settings.validate,
        // Only --fresh rewrites events from their parsed values; otherwise the text is all that is sent.
        keepValues: settings.fresh,
        onSkip,
        onProblem,
        // Hint: said as a skip is, and capped with them, not counted as skipped: it holds no event to
        // skip. A capture of a `[]` delivery went unsaid (red team hR118); 2,000,000 of them, said
        // each, took 35 s and 415 MB (review hR120).
        onEmptyArray: (record) => {
          const warning = said.warningFor(record);
          if (warning !== undefined) warn(warning.message, warning.names);
        },
      },
    );

  const fresh = settings.fresh
    ? await prepareFresh(reading, endsByItself, settings, source, resumed?.fresh)
    : undefined;
  // Listing the sources first also makes a missing path fail before anything is sent.
  const sourceBytes = new SourceBytes();
  const batches = planBatches(fresh?.replayed ? fromArray(fresh.replayed) : source(), {
    batchSize: settings.batchSize,
    rewrite: fresh?.rewrite,
    // An input array is sent as its own bytes, read back from its file (not from a stream).
    exact: (file, events) => (file === stdinName ? undefined : sourceBytes.arrayOf(file, events)),
    // A regular file never goes quiet; any stream may (stdin, a FIFO, a `<(tail -f ...)`), and its
    // last batch must not wait for more input. Hint: decided as `endsByItself` is: what is not a
    // regular file, `-` and `/dev/stdin` included, is a stream, however it is opened.
    lingerMs: endsByItself ? undefined : settings.lingerMs,
    placedInRun: resumed?.placedInRun,
    idBySource: resumed?.idBySource,
    acrossFiles: resumed?.acrossFiles,
    recorded: resumed?.recorded,
  });

  /** The count of the skip warnings not said, once the input is read. */
  const tellUnsaid = () => {
    const line = said.end();
    if (line !== undefined) warn(line);
  };
  if (settings.dryRun) {
    const code = await dryRun(batches, settings, version, signer, confirmed).finally(() => sourceBytes.close());
    tellUnsaid();
    process.exitCode = exitCodeWithUnreadable(code, stats.unreadableFiles.length);
    return;
  }

  // Hint: the report and the journal are written whatever becomes of stdout (`--report r.json |
  // true`, `> /dev/full`): ended with the summary, the run wrote no report, or left its private
  // folder behind. A dry run writes neither, and ends at once as the others do.
  finishWithoutStdout();
  const url = redactUrl(settings.url);
  let journal: Journal | undefined;
  if (settings.journal) {
    if (!settings.resume) refuseExistingJournal(settings.journal);
    // Hint: the run's identity as checked, but with the --fresh run itself, not whether there is one.
    const { fresh: _asked, ...identity } = run;
    const header: JournalHeader = {
      journal: journalKind,
      version: journalVersion,
      ...identity,
      fresh: fresh?.run ?? null,
      url,
      startedAt: isoOf(Date.now()),
    };
    journal = openJournal(settings.journal, warn, settings.resume ? undefined : header);
  }
  const stop = new AbortController();
  const abort = new AbortController();
  /** Whether the run is writing its --report, all else done (see `onSignal`). */
  let reporting = false;
  const onSignal = (signal: StopSignal) => {
    if (!stop.signal.aborted) {
      stats.signal = signal;
      const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
      // Hint: a batch waiting out a backoff or a Retry-After is journalled undelivered at once.
      const waiting =
        stats.sending === 0
          ? 'nothing in flight'
          : `waiting for ${stats.sending} in flight (${again} again to abort them)`;
      diagnose(`\nstopping (${signal}): no new batches; ${waiting}\n`);
      stop.abort();
    } else if (!abort.signal.aborted) {
      diagnose('aborting\n');
      abort.abort();
    } else if (reporting) {
      // Hint: a third, once the summary is out and the journal closed, ends the run at once: all
      // that is left is a --report a reader of its named pipe stopped taking, which the second
      // signal no longer gives up (it came before). Before then, the run still winds down: three
      // quick Ctrl-Cs must not cut the journal or the summary short.
      process.exit(interruptedBy(signal));
    }
  };
  // Hint: the delivery's handlers first: with no listener for a moment, node stops watching the
  // signal, and one arriving then would be lost. After a signal they stay until the process exits:
  // a second Ctrl-C while the summary is written must not kill the process with the summary cut short.
  delivering(onStopSignals(onSignal));
  const stopProgress = startProgress(
    stats,
    () => fractionRead(sizes, stats.readTo),
    settings.progressIntervalMs,
    settings.rate,
  );
  let result: Awaited<ReturnType<typeof deliverBatches>>;
  // Hint: a journal this run made and recorded nothing in is removed as it closes (see `Journal.close`).
  let journalKept = false;
  let journalChange: JournalChange | undefined;
  try {
    result = await deliverBatches(batches, {
      url: settings.url,
      method: settings.method,
      headers: settings.headers,
      version,
      concurrency: settings.concurrency,
      rate: settings.rate,
      timeoutMs: settings.timeoutMs,
      retries: settings.retries,
      backoff: settings.backoff,
      followRedirects: settings.followRedirects,
      insecure: settings.insecure,
      signer,
      journal,
      confirmed,
      countUnsent: endsByItself,
      stopReading,
      stop: stop.signal,
      abort: abort.signal,
      halt,
      inputLimits,
      stats,
    });
  } finally {
    stopProgress();
    sourceBytes.close();
    journalChange = journal?.changed();
    journalKept = journal?.close() ?? false;
    // Stopped before stdin ended: let go of it, or the process would wait for it to close.
    if (readsStdin && !stats.inputEnded) process.stdin.destroy();
    // Hint: a named pipe's read given up closes the pipe, so the run does not wait for its writer.
    if (!stats.inputEnded) stopReading?.abort();
  }
  const { readError, journalError, localError } = result;
  // Hint: a journal changed after its last line (or before its first) is said as one found at a line is.
  const changedAfter =
    journalChange && journalError === undefined ? new CallhookError(journalChange.message) : undefined;
  tellUnsaid();

  // A path that cannot be read before anything was sent is a plain usage error, with no summary.
  if (readError !== undefined && stats.requests === 0 && stats.done === 0) throw readError;

  const report = stats.report(url, settings.method, false, redactHeaders(requestHeaders(settings, version)));
  // Hint: the run's code is set before the summary and the report are written: a reader of stdout
  // gone meanwhile (`--report /dev/stdout | head -1`) ends the run at once with the code set so far,
  // which was 0, a pass under pipefail for a run its receiver refused. The lines below refine it.
  const failure = journalError ?? localError ?? changedAfter ?? readError;
  process.exitCode = failure === undefined ? replayExitCode(report) : formatFatal(failure).exitCode;
  for (const fatal of [journalError, localError, changedAfter]) {
    if (fatal !== undefined) diagnose(`${formatFatal(fatal).message}\n`);
  }
  if (settings.format === 'json') process.stdout.write(`${toSafeJson(report)}\n`);
  else {
    const summary = renderReplaySummary(
      report,
      colorsFor(process.stdout),
      journalChange ? (journalChange.resumeWith ?? null) : journalKept ? settings.journal : undefined,
      terminalWidth(process.stdout),
      readError !== undefined,
      result.unjournalled?.filter((batch) => batch.status === 'delivered').length,
    );
    process.stdout.write(summary);
  }
  // Hint: after the summary: a report that cannot be written (its folder removed during the run)
  // must not leave a run that sent everything saying nothing of it.
  if (settings.report) {
    reporting = true;
    try {
      await writeReport(settings.report, report, abort.signal);
    } catch (error) {
      diagnose(`${formatFatal(error).message}\n`);
      reportFailed = true;
    }
  }
  if (journalError !== undefined) {
    diagnose(renderUnjournalled(result.unjournalled ?? []));
    process.exitCode = ExitCode.usage;
    return;
  }
  if (readError !== undefined) throw readError instanceof Error ? readError : new CallhookError(String(readError));
  if (stats.read === 0 && !stats.interrupted) diagnose('callhook: nothing to send: the input has no valid events\n');
  const code = replayExitCode(report);
  // Hint: a limit of this machine that stopped the run is an I/O error, not the receiver's failing.
  const local = reportFailed || localError !== undefined || changedAfter !== undefined;
  process.exitCode = local && code < ExitCode.usage ? ExitCode.usage : code;
}
