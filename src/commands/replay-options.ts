/**
 * `callhook replay`'s options as commander hands them over (strings), checked with the shared
 * parsers of options.ts and turned into the settings the engine takes. Every problem is
 * reported, each naming its option.
 */
import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { CallhookError, ExitCode, ioReason, shownPath } from '../errors.js';
import { hasCredentials } from '../http/credentials.js';
import {
  defaultHmacHeader,
  framingHeaders,
  headerLineParts,
  headerSpelling,
  headerValueCharacters,
  type ReplayMethod,
  type SignScheme,
  standardWebhookHeaders,
} from '../http/names.js';
import { type BackoffOptions, defaultBackoff } from '../http/retry.js';
import {
  blockDeviceProblem,
  creationProblem,
  danglingLinkProblem,
  notAFile,
  socketProblem,
  standardStreamNames,
  standardStreamOf,
} from '../output-file.js';
import type { EventType } from '../schema/names.js';
import {
  decimal,
  durationMs,
  headerLineError,
  httpUrl,
  largestBatch,
  maxConcurrency,
  optional,
  optionError,
  parseAll,
  rateRange,
  type replayFormats,
  secretEnvName,
  signatureHeaderName,
  signingProblems,
  wholeNumber,
} from './options.js';

/** The options as commander parses them. */
export interface RawReplayOptions {
  url?: string | undefined;
  batchSize?: string | undefined;
  type?: EventType | undefined;
  validate: boolean;
  concurrency: string;
  rate?: string | undefined;
  timeout: string;
  retries: string;
  followRedirects?: boolean | undefined;
  sign?: SignScheme | undefined;
  secretEnv?: string | undefined;
  signatureHeader?: string | undefined;
  header?: string[] | undefined;
  method: ReplayMethod;
  insecure?: boolean | undefined;
  fresh?: boolean | undefined;
  dryRun?: boolean | undefined;
  journal?: string | undefined;
  resume?: boolean | undefined;
  report?: string | undefined;
  format: (typeof replayFormats)[number];
  linger?: string | undefined;
  backoffBase?: string | undefined;
  backoffCap?: string | undefined;
  progressInterval?: string | undefined;
}

/** The checked settings. */
export interface ReplaySettings {
  url: string;
  batchSize: number | undefined;
  type: EventType | undefined;
  validate: boolean;
  concurrency: number;
  rate: number | undefined;
  timeoutMs: number;
  retries: number;
  followRedirects: boolean;
  sign: SignScheme | undefined;
  secretEnv: string;
  signatureHeader: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  method: ReplayMethod;
  insecure: boolean;
  fresh: boolean;
  dryRun: boolean;
  journal: string | undefined;
  resume: boolean;
  report: string | undefined;
  format: (typeof replayFormats)[number];
  backoff: BackoffOptions;
  /** How often a plain progress line is printed when stderr is not a terminal. */
  progressIntervalMs: number;
  /** With stdin, how long without new input before a partial batch is sent as it stands. */
  lingerMs: number;
  /** Whether `--linger` was given: refused where no stream is read as it comes (see replay's `lingerProblem`). */
  lingerGiven: boolean;
}

/**
 * A parser of `-H`/`--header`: `Name: value`, on one line; the only Expect is 100-continue; no
 * Transfer-Encoding or Trailer, nor a header `signed` names (those `--sign` sets, lower-case).
 */
function headerLine(
  value: string,
  signed: { scheme: SignScheme; names: readonly string[] } | undefined,
): [string, string] {
  // Hint: a line break (CR, LF, U+2028/9) in it is no line of that shape: refused there.
  const parts = headerLineParts(value, true);
  if ('expected' in parts) throw headerLineError('--header', `a header ${parts.expected}`, value);
  const { name, value: text } = parts;
  if (!headerValueCharacters.test(text)) {
    throw headerLineError(
      '--header',
      'a header "Name: value" whose value has no control characters and nothing past U+00FF',
      value,
    );
  }
  if (name.toLowerCase() === 'expect' && text.toLowerCase() !== '100-continue') {
    throw headerLineError('--header', 'Expect: 100-continue, the only expectation replay supports', value);
  }
  const framing = framingHeaders.get(name.toLowerCase());
  if (framing !== undefined) {
    throw headerLineError('--header', `a header other than ${headerSpelling(name.toLowerCase())}: ${framing}`, value);
  }
  // Hint: refused as the framing headers are, not let through with a warning: the signer's value
  // would replace the user's, and a run must not send other than what its options say.
  if (signed?.names.includes(name.toLowerCase())) {
    const sets = `--sign ${signed.scheme} sets it on every request`;
    throw headerLineError('--header', `a header other than ${headerSpelling(name.toLowerCase())}: ${sets}`, value);
  }
  return [name.toLowerCase(), text];
}

/** The longest wait a timer takes, in milliseconds (2^31 - 1). */
const longestTimer = 2_147_483_647;

/** Checks the raw options; throws one usage error listing every problem. */
export function parseReplayOptions(raw: RawReplayOptions): ReplaySettings {
  const problems: string[] = signingProblems(raw);
  if (raw.url === undefined) problems.push('--url: must be given: the receiver to deliver to');
  if (raw.format === 'curl' && !raw.dryRun) problems.push('--format: curl needs --dry-run');
  if (raw.resume && !raw.journal) problems.push('--resume: needs --journal FILE (the journal of the run to resume)');
  if (raw.dryRun && raw.report !== undefined) problems.push('--report: a dry run sends nothing, and writes no report');
  // A URL that does not parse is --url's own problem.
  const url = raw.url !== undefined && URL.canParse(raw.url) ? new URL(raw.url) : undefined;
  // Hint: refused as listen refuses --insecure without --forward. A 307 or 308 followed may lead
  // from http:// to https://, whose certificate is then checked.
  if (raw.insecure && !raw.followRedirects && url?.protocol === 'http:') {
    problems.push('--insecure: applies only with an https:// --url, or with --follow-redirects, which may lead to one');
  }
  if (raw.dryRun && raw.journal !== undefined && !raw.resume) {
    problems.push(
      '--journal: a dry run sends nothing, and writes no journal (with --resume it reads one, to show what a resume would send)',
    );
  }
  problems.push(
    ...outputPathProblems({
      report: raw.report,
      journal: raw.journal,
      dryRun: raw.dryRun === true,
      resume: raw.resume === true,
    }),
  );
  const out = parseAll(
    {
      // Hint: the URL is sent as written (not as URL normalises it), as the journal records it.
      url: () => {
        if (raw.url !== undefined) httpUrl('--url')(raw.url);
        return raw.url ?? '';
      },
      batchSize: () => optional(raw.batchSize, wholeNumber('--batch-size', 1, largestBatch)),
      concurrency: () => wholeNumber('--concurrency', 1, maxConcurrency)(raw.concurrency),
      rate: () =>
        optional(
          raw.rate,
          decimal('--rate', {
            ...rateRange,
            from: true,
            what: 'a number of requests per second',
          }),
        ),
      timeoutMs: () => durationMs('--timeout')(raw.timeout),
      lingerMs: () => durationMs('--linger')(raw.linger ?? '1'),
      retries: () => wholeNumber('--retries', 0)(raw.retries),
      secretEnv: () => secretEnvName(raw.secretEnv),
      signatureHeader: () => {
        const name = signatureHeaderName(raw.signatureHeader ?? defaultHmacHeader);
        // Hint: the URL's user info goes in Authorization (as curl sends it), which the digest
        // would replace.
        if (raw.sign === 'hmac' && name.toLowerCase() === 'authorization' && url && hasCredentials(url)) {
          throw optionError(
            '--signature-header',
            "a header other than Authorization: --url's user:password is sent in it",
            name,
          );
        }
        return name;
      },
      headers: () => {
        const names =
          raw.sign === 'hmac' ? [(raw.signatureHeader ?? defaultHmacHeader).toLowerCase()] : standardWebhookHeaders;
        const signed = raw.sign === undefined ? undefined : { scheme: raw.sign, names };
        const headers: Record<string, string> = {};
        for (const [name, value] of (raw.header ?? []).map((line) => headerLine(line, signed))) {
          // Hint: a name is a token (headerLine), nothing to escape; a second was taken for the first.
          if (Object.hasOwn(headers, name)) {
            throw new CallhookError(
              `--header: ${name} is given twice; give it once (a list in one value, "a, b", if the receiver takes one)`,
              ExitCode.usage,
            );
          }
          // Hint: defined, not assigned: `__proto__` is a header name like any other (review hR53).
          Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
        }
        return headers;
      },
      // Hint: at most what a timer holds: past it, Node warns in its own words and waits 1 ms.
      backoffBase: () => optional(raw.backoffBase, wholeNumber('--backoff-base', 0, longestTimer, 'milliseconds')),
      backoffCap: () => optional(raw.backoffCap, wholeNumber('--backoff-cap', 0, longestTimer, 'milliseconds')),
      progressInterval: () =>
        optional(raw.progressInterval, wholeNumber('--progress-interval', 1, longestTimer, 'milliseconds')),
    },
    problems,
  );
  return {
    url: out.url,
    batchSize: out.batchSize,
    type: raw.type,
    validate: raw.validate,
    concurrency: out.concurrency,
    rate: out.rate,
    timeoutMs: out.timeoutMs,
    retries: out.retries,
    followRedirects: raw.followRedirects === true,
    sign: raw.sign,
    secretEnv: out.secretEnv,
    signatureHeader: out.signatureHeader,
    headers: out.headers,
    method: raw.method,
    insecure: raw.insecure === true,
    fresh: raw.fresh === true,
    dryRun: raw.dryRun === true,
    journal: raw.journal,
    resume: raw.resume === true,
    report: raw.report,
    format: raw.format,
    backoff: {
      baseMs: out.backoffBase ?? defaultBackoff.baseMs,
      capMs: out.backoffCap ?? defaultBackoff.capMs,
    },
    progressIntervalMs: out.progressInterval ?? 5000,
    lingerMs: out.lingerMs,
    lingerGiven: raw.linger !== undefined,
  };
}

/**
 * Why `path` could not be written (created, or replaced if it exists), or undefined if it can.
 * `whole`: a regular file is replaced whole (`fileSink`: a new file made in its real folder, then
 * renamed over it), so that folder must take a new entry too.
 */
function unwritable(path: string, whole: boolean): string | undefined {
  const dangling = danglingLinkProblem(path);
  if (dangling) return dangling;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) return 'is a directory';
    const stream = standardStreamOf(stats, [1, 2]) !== undefined;
    // Hint: writable as far as access() tells, a socket fails only when opened (ENXIO): after every
    // batch was sent. Not this run's stdout or stderr, written through (a child's are sockets).
    if (stats.isSocket() && !stream) return socketProblem('written');
    if (stats.isBlockDevice()) return blockDeviceProblem;
    accessSync(path, constants.W_OK);
    if (!whole || !stats.isFile() || stream) return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return ioReason(error);
  }
  return creationProblem(path, whole);
}

/**
 * What stops `--report` and `--journal` from being written, checked before the first request so
 * a bad path is not found only after every batch was sent.
 */
function outputPathProblems(settings: Pick<ReplaySettings, 'report' | 'journal' | 'dryRun' | 'resume'>): string[] {
  const problems: string[] = [];
  const outputs: [string, string | undefined][] = [['--report', settings.report]];
  if (!settings.dryRun) outputs.push(['--journal', settings.journal]);
  for (const [option, path] of outputs) {
    const why =
      path === undefined
        ? undefined
        : (unwritable(path, option === '--report') ?? (option === '--journal' ? journalProblem(path) : undefined));
    if (why) problems.push(`${option}: ${shownPath(path ?? '')}: ${why}`);
  }
  // A dry run writes no journal, but with --resume it reads one, which a FIFO would never end.
  const why =
    settings.dryRun && settings.resume && settings.journal ? notAFile(settings.journal, journalReadBack) : undefined;
  if (why) problems.push(`--journal: ${shownPath(settings.journal ?? '')}: ${why}`);
  return problems;
}

const journalReadBack = 'the journal is read back by --resume';

/**
 * Why the file at `path` cannot be the journal: this run's own stdout or stderr (`--journal
 * /dev/stdout > run.log`), where what else is written is mixed with its lines (the summary
 * written from offset 0 over them), so that --resume finds no journal; or no regular file.
 * Hint: stdin is not asked: read (`-`), it is refused as an input (see replay's
 * `refuseOutputsAmongInputs`); not read, nothing else touches it.
 */
function journalProblem(path: string): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    // Missing (created as a file) or unreachable (said by `unwritable`).
    return undefined;
  }
  const stream = standardStreamOf(stats, [1, 2]);
  if (stream !== undefined) {
    return `is this run's own ${standardStreamNames[stream]}: the journal, which --resume reads back, must be a file of its own; name another file`;
  }
  return notAFile(stats, journalReadBack);
}
