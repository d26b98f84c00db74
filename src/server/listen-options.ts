/**
 * `callhook listen`'s options as commander hands them over (strings), checked with valibot and
 * turned into settings. Every problem is reported, each naming its option.
 */
import * as v from 'valibot';
import { CallhookError, ExitCode } from '../errors.js';
import type { SignScheme } from '../http/signing.js';
import type { EventType } from '../schema/events.js';
import type { Answer } from './listen.js';

/** `listen --format`: a line per delivery for people, or NDJSON for scripts. */
const listenFormats = ['pretty', 'json'] as const;

/** The options as commander parses them. */
export interface RawListenOptions {
  port: string;
  host: string;
  path?: string | undefined;
  format: (typeof listenFormats)[number];
  maxBody: string;
  type?: EventType | undefined;
  acceptInvalid?: boolean | undefined;
  sign?: SignScheme | undefined;
  secretEnv: string;
  signatureHeader: string;
  tolerance: string;
  out?: string | undefined;
  durable?: boolean | undefined;
  compact?: boolean | undefined;
  mask?: boolean | undefined;
  width?: string | undefined;
  respond?: string | undefined;
  failRate: string;
  seed: string;
  failCode: string;
  retryAfter?: string | undefined;
  delay: string;
  forward?: string | undefined;
  insecure?: boolean | undefined;
  forwardTimeout: string;
  headerTimeout: string;
  requestTimeout: string;
}

/** The checked options (secrets are read later, from the environment). */
export interface ListenOptions {
  port: number;
  host: string;
  path: string | undefined;
  format: (typeof listenFormats)[number];
  maxBodyBytes: number;
  type: EventType | undefined;
  acceptInvalid: boolean;
  sign: SignScheme | undefined;
  secretEnv: string;
  signatureHeader: string;
  toleranceSeconds: number;
  out: string | undefined;
  /** With --out: wait for the disk before each answer. */
  durable: boolean;
  compact: boolean;
  mask: boolean;
  width: number | undefined;
  respond: Answer | undefined;
  failRate: number;
  seed: number;
  failCode: Answer;
  retryAfter: number | undefined;
  delayMs: number;
  forward: URL | undefined;
  insecure: boolean;
  forwardTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

const units: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2 };
const whole = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, `${name} must be a whole number`),
    v.transform(Number),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );
const seconds = (name: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^(\d+\.?\d*|\.\d+)$/, `${name} must be a number of seconds`),
    v.transform(Number),
    v.gtValue(0, `${name} must be more than 0`),
  );
const answer = (name: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.check((text) => text === 'reset' || /^[1-5]\d\d$/.test(text), `${name} must be a status code (200-599) or reset`),
    v.check((text) => text === 'reset' || Number(text) >= 200, `${name} must be 200-599 (1xx are not answers)`),
    v.transform((text): Answer => (text === 'reset' ? 'reset' : Number(text))),
  );
const tokenName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const Schema = v.object({
  port: whole('--port', 0, 65535),
  host: v.pipe(v.string(), v.trim(), v.minLength(1, '--host must name an address')),
  path: v.optional(v.pipe(v.string(), v.regex(/^\/[^\s?#]*$/, '--path must start with / and hold no spaces, ? or #'))),
  maxBody: v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.regex(/^\d+(\.\d+)?\s*(b|k|kb|m|mb)?$/, '--max-body must be a size such as 5mb, 512kb or 65536'),
    v.transform((text) => {
      const [, number, unit] = /^([\d.]+)\s*([a-z]*)$/.exec(text)!;
      return Math.floor(Number(number) * units[unit!]!);
    }),
    v.minValue(1, '--max-body must be at least 1 byte'),
  ),
  secretEnv: v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, '--secret-env must name an environment variable')),
  signatureHeader: v.pipe(v.string(), v.regex(tokenName, '--signature-header must be a header name')),
  tolerance: whole('--tolerance', 0),
  width: v.optional(whole('--width', 20)),
  respond: v.optional(answer('--respond')),
  failRate: v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^(0|1|0?\.\d+|1\.0*)$/, '--fail-rate must be a fraction from 0 to 1'),
    v.transform(Number),
  ),
  seed: whole('--seed', 0, 2 ** 32 - 1),
  failCode: answer('--fail-code'),
  retryAfter: v.optional(whole('--retry-after', 0)),
  delay: whole('--delay', 0, 600_000),
  forward: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol),
        '--forward must be an http(s) URL',
      ),
      v.transform((text) => new URL(text)),
    ),
  ),
  forwardTimeout: seconds('--forward-timeout'),
  headerTimeout: seconds('--header-timeout'),
  requestTimeout: seconds('--request-timeout'),
});

/** Checks the raw options; throws one usage error listing every problem. */
export function parseListenOptions(raw: RawListenOptions): ListenOptions {
  const result = v.safeParse(Schema, raw);
  const problems = result.success ? [] : result.issues.map((issue) => issue.message);
  if (raw.insecure && !raw.forward) problems.push('--insecure applies only with --forward');
  if (raw.durable && raw.out === undefined) problems.push('--durable applies only with --out');
  if (Number(raw.headerTimeout) > Number(raw.requestTimeout)) {
    problems.push('--header-timeout must not be longer than --request-timeout');
  }
  if (raw.respond !== undefined && Number(raw.failRate) > 0)
    problems.push('--fail-rate cannot be combined with --respond');
  if (!result.success || problems.length > 0) {
    throw new CallhookError(
      problems.length === 1 ? problems[0]! : `invalid options:\n  ${problems.join('\n  ')}`,
      ExitCode.usage,
    );
  }
  const out = result.output;
  return {
    port: out.port,
    host: out.host,
    path: out.path,
    format: raw.format,
    maxBodyBytes: out.maxBody,
    type: raw.type,
    acceptInvalid: raw.acceptInvalid === true,
    sign: raw.sign,
    secretEnv: out.secretEnv,
    signatureHeader: out.signatureHeader,
    toleranceSeconds: out.tolerance,
    out: raw.out,
    durable: raw.durable === true,
    compact: raw.compact === true,
    mask: raw.mask === true,
    width: out.width,
    respond: out.respond,
    failRate: out.failRate,
    seed: out.seed,
    failCode: out.failCode,
    retryAfter: out.retryAfter,
    delayMs: out.delay,
    forward: out.forward,
    insecure: raw.insecure === true,
    forwardTimeoutMs: out.forwardTimeout * 1000,
    headersTimeoutMs: out.headerTimeout * 1000,
    requestTimeoutMs: out.requestTimeout * 1000,
  };
}
