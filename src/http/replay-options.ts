/**
 * `callhook replay`'s options as commander hands them over (strings), checked with valibot and
 * turned into the settings the engine takes. Every problem is reported, each naming its option.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';
import { CallhookError, ExitCode } from '../errors.js';
import type { EventType } from '../schema/events.js';
import { type BackoffOptions, defaultBackoff } from './retry.js';
import type { SignScheme } from './signing.js';

/** Output formats: a summary for people, the report as JSON, or (dry run only) curl commands. */
const replayFormats = ['pretty', 'json', 'curl'] as const;
/** HTTP methods replay may use. */
const replayMethods = ['POST', 'PUT'] as const;

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
  secretEnv: string;
  signatureHeader: string;
  header?: string[] | undefined;
  method: (typeof replayMethods)[number];
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
  method: (typeof replayMethods)[number];
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
}

/** The range `--rate` accepts, in requests per second: one per 1000 s up to 100,000 a second. */
const rateRange = { min: 0.001, max: 100_000 } as const;
/** The longest `--timeout` and `--linger`, in seconds (one day). */
const maxSeconds = 86_400;

const integer = (name: string, min: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, `${name} must be a whole number`),
    v.transform(Number),
    v.minValue(min, `${name} must be at least ${min}`),
  );
const positive = (name: string, min: number, max: number, range = `more than ${min}`) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^(\d+\.?\d*|\.\d+)$/, `${name} must be a number`),
    v.transform(Number),
    v.check((n) => n > min || (min > 0 && n === min), `${name} must be ${range}`),
    v.maxValue(max, `${name} must be ${range}`),
  );
const seconds = (name: string) => positive(name, 0, maxSeconds, `more than 0 and at most ${maxSeconds} (a day)`);
const tokenName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const Schema = v.object({
  url: v.pipe(
    v.string(),
    v.minLength(1, '--url is required'),
    v.check(
      (text) => text === '' || (URL.canParse(text) && /^https?:$/.test(new URL(text).protocol)),
      '--url must be an http(s) URL',
    ),
  ),
  batchSize: v.optional(integer('--batch-size', 1)),
  concurrency: integer('--concurrency', 1),
  rate: v.optional(
    positive(
      '--rate',
      rateRange.min,
      rateRange.max,
      `between ${rateRange.min} and ${rateRange.max} requests per second`,
    ),
  ),
  timeout: seconds('--timeout'),
  linger: seconds('--linger'),
  retries: integer('--retries', 0),
  secretEnv: v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, '--secret-env must name an environment variable')),
  signatureHeader: v.pipe(v.string(), v.regex(tokenName, '--signature-header must be a header name')),
  header: v.optional(
    v.array(
      v.pipe(
        v.string(),
        v.check((h) => {
          const colon = h.indexOf(':');
          return colon > 0 && tokenName.test(h.slice(0, colon).trim()) && !/[\r\n]/.test(h);
        }, '--header must look like "Name: value"'),
        v.check(
          (h) => !/^\s*expect\s*:/i.test(h) || /^\s*expect\s*:\s*100-continue\s*$/i.test(h),
          '--header: the only Expect replay supports is "Expect: 100-continue"',
        ),
      ),
    ),
    [],
  ),
  backoffBase: v.optional(integer('--backoff-base', 0)),
  backoffCap: v.optional(integer('--backoff-cap', 0)),
  progressInterval: v.optional(integer('--progress-interval', 1)),
});

/** Checks the raw options; throws one usage error listing every problem. */
export function parseReplayOptions(raw: RawReplayOptions): ReplaySettings {
  const result = v.safeParse(Schema, { ...raw, url: raw.url ?? '', linger: raw.linger ?? '1' });
  const problems = result.success ? [] : result.issues.map((issue) => issue.message);
  if (raw.format === 'curl' && !raw.dryRun) problems.push('--format curl needs --dry-run');
  if (raw.resume && !raw.journal) problems.push('--resume needs --journal FILE (the journal of the run to resume)');
  if (raw.concurrency && Number(raw.concurrency) > 1024) problems.push('--concurrency must be at most 1024');
  problems.push(...outputPathProblems({ report: raw.report, journal: raw.journal, dryRun: raw.dryRun === true }));
  if (!result.success || problems.length > 0) {
    throw new CallhookError(
      problems.length === 1 ? problems[0]! : `invalid options:\n  ${problems.join('\n  ')}`,
      ExitCode.usage,
    );
  }
  const out = result.output;
  const headers: Record<string, string> = {};
  for (const h of out.header) {
    const colon = h.indexOf(':');
    headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
  }
  return {
    url: out.url,
    batchSize: out.batchSize,
    type: raw.type,
    validate: raw.validate,
    concurrency: out.concurrency,
    rate: out.rate,
    timeoutMs: out.timeout * 1000,
    retries: out.retries,
    followRedirects: raw.followRedirects === true,
    sign: raw.sign,
    secretEnv: out.secretEnv,
    signatureHeader: out.signatureHeader,
    headers,
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
    lingerMs: out.linger * 1000,
  };
}

const ioReasons: Record<string, string> = {
  ENOENT: 'no such directory',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'not a directory',
};

/** Why `path` could not be written (created, or replaced if it exists), or undefined if it can. */
function unwritable(path: string): string | undefined {
  const reason = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    return ioReasons[code] ?? (error as Error).message;
  };
  try {
    if (statSync(path).isDirectory()) return 'is a directory';
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return reason(error);
  }
  const folder = dirname(resolve(path));
  try {
    if (!statSync(folder).isDirectory()) return `${folder} is not a directory`;
    accessSync(folder, constants.W_OK);
    return undefined;
  } catch (error) {
    return `cannot create it in ${folder}: ${reason(error)}`;
  }
}

/**
 * What stops `--report` and `--journal` from being written, checked before the first request so
 * a bad path is not found only after every batch was sent.
 */
function outputPathProblems(settings: Pick<ReplaySettings, 'report' | 'journal' | 'dryRun'>): string[] {
  const problems: string[] = [];
  const outputs: [string, string | undefined][] = [['--report', settings.report]];
  if (!settings.dryRun) outputs.push(['--journal', settings.journal]);
  for (const [option, path] of outputs) {
    const why = path === undefined ? undefined : unwritable(path);
    if (why) problems.push(`${option} ${path}: ${why}`);
  }
  return problems;
}
