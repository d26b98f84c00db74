/**
 * `callhook listen`'s options as commander hands them over (strings), checked with the shared
 * parsers of options.ts and turned into settings. Every problem is reported, each naming its option.
 */
import { largestSeed } from '../core/generate-names.js';
import { CallhookError, quoted } from '../errors.js';
import { defaultHmacHeader, defaultToleranceSeconds } from '../http/names.js';
import type { SignScheme } from '../http/signing.js';
import type { EventType } from '../schema/names.js';
import type { Answer } from '../server/listen.js';
import {
  byteSize,
  decimal,
  durationMs,
  httpUrl,
  type lineFormats,
  maxDelayMs,
  optional,
  optionError,
  outputName,
  parseAll,
  secretEnvName,
  signatureHeaderName,
  signingProblems,
  wholeNumber,
} from './options.js';

/** The options as commander parses them. */
export interface RawListenOptions {
  port: string;
  host: string;
  path?: string | undefined;
  format: (typeof lineFormats)[number];
  maxBody: string;
  type?: EventType | undefined;
  acceptInvalid?: boolean | undefined;
  sign?: SignScheme | undefined;
  secretEnv?: string | undefined;
  signatureHeader?: string | undefined;
  tolerance?: string | undefined;
  out?: string | undefined;
  durable?: boolean | undefined;
  compact?: boolean | undefined;
  mask?: boolean | undefined;
  /** Parsed by commander (`options.width`). */
  width?: number | undefined;
  respond?: string | undefined;
  failRate: string;
  seed?: string | undefined;
  failCode?: string | undefined;
  retryAfter?: string | undefined;
  delay: string;
  forward?: string | undefined;
  insecure?: boolean | undefined;
  forwardTimeout?: string | undefined;
  headerTimeout: string;
  requestTimeout: string;
}

/** The checked options (secrets are read later, from the environment). */
export interface ListenOptions {
  port: number;
  host: string;
  path: string | undefined;
  format: (typeof lineFormats)[number];
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

/** A parser of an answer listen gives: a final status code (200-599), or `reset` the connection. */
function answer(name: string): (value: string) => Answer {
  return (value) => {
    const text = value.trim().toLowerCase();
    if (text === 'reset') return 'reset';
    if (!/^[2-5][0-9][0-9]$/.test(text)) throw optionError(name, 'a status code from 200 to 599, or reset', value);
    return Number(text);
  };
}

/**
 * A parser of `--path`: absolute, printable ASCII without a space, a query or a fragment. Hint:
 * a request target arrives as sent, percent-encoded (node:http refuses control and non-ASCII
 * bytes in it), so a path holding them could never match a request.
 */
function servedPath(value: string): string {
  if (!/^\/[!-~]*$/.test(value) || /[?#]/.test(value))
    throw optionError(
      '--path',
      'a path that starts with / and holds only printable ASCII (percent-encode the rest), no spaces, ? or #',
      value,
    );
  return value;
}

function address(value: string): string {
  // Hint: an IPv6 address as a URL writes it, `[::1]`, which node:net would look up as a name.
  const host = value.trim().replace(/^\[([0-9a-f.]*:[0-9a-f:.]*(?:%[\w.-]+)?)\]$/i, '$1');
  if (host === '') throw optionError('--host', 'an address or host name', value);
  return host;
}

/** Checks the raw options; throws one usage error listing every problem. */
export function parseListenOptions(raw: RawListenOptions, platform: NodeJS.Platform = process.platform): ListenOptions {
  const problems: string[] = signingProblems(raw);
  if (raw.insecure && !raw.forward) problems.push('--insecure: applies only with --forward');
  // Hint: listen relays no redirect, so with an http:// upstream it checks no certificate at all.
  else if (raw.insecure && /^http:/i.test(raw.forward?.trim() ?? '')) {
    problems.push('--insecure: applies only with an https:// --forward');
  }
  if (raw.forwardTimeout !== undefined && !raw.forward) problems.push('--forward-timeout: applies only with --forward');
  if (raw.durable && raw.out === undefined) problems.push('--durable: applies only with --out');
  // Hint: Windows syncs no folder (EPERM) and has no O_DSYNC: a 2xx could not mean the delivery is on disk.
  if (raw.durable && platform === 'win32') {
    problems.push('--durable: not available on Windows, where a folder cannot be flushed to the disk');
  }
  if (raw.retryAfter !== undefined && raw.respond === undefined && !(Number(raw.failRate) > 0)) {
    problems.push('--retry-after: applies only with --respond or a --fail-rate above 0');
  }
  // Hint: these have no default in commander, so that one given is told from one not (as --tolerance).
  for (const [given, name] of [
    [raw.seed, '--seed'],
    [raw.failCode, '--fail-code'],
  ] as const) {
    if (given !== undefined && !(Number(raw.failRate) > 0))
      problems.push(`${name}: applies only with a --fail-rate above 0`);
  }
  if (raw.respond !== undefined && Number(raw.failRate) > 0)
    problems.push('--fail-rate: cannot be combined with --respond');
  const out = parseAll(
    {
      port: () => wholeNumber('--port', 0, 65535)(raw.port),
      host: () => address(raw.host),
      path: () => optional(raw.path, servedPath),
      out: () => optional(raw.out, outputName('--out', 'folder')),
      maxBodyBytes: () => byteSize('--max-body')(raw.maxBody),
      secretEnv: () => secretEnvName(raw.secretEnv),
      signatureHeader: () => signatureHeaderName(raw.signatureHeader ?? defaultHmacHeader),
      toleranceSeconds: () =>
        wholeNumber('--tolerance', 0, undefined, 'seconds')(raw.tolerance ?? String(defaultToleranceSeconds)),
      respond: () => optional(raw.respond, answer('--respond')),
      failRate: () => decimal('--fail-rate', { min: 0, max: 1, from: true, what: 'a fraction' })(raw.failRate),
      seed: () => wholeNumber('--seed', 0, largestSeed)(raw.seed ?? '1'),
      failCode: () => answer('--fail-code')(raw.failCode ?? '503'),
      retryAfter: () => optional(raw.retryAfter, wholeNumber('--retry-after', 0, undefined, 'seconds')),
      delayMs: () => wholeNumber('--delay', 0, maxDelayMs, 'milliseconds')(raw.delay),
      forward: () => optional(raw.forward, httpUrl('--forward')),
      forwardTimeoutMs: () => durationMs('--forward-timeout')(raw.forwardTimeout ?? '30'),
      headersTimeoutMs: () => {
        const header = durationMs('--header-timeout')(raw.headerTimeout);
        // Hint: compared with a valid --request-timeout only, so that a bad value is said for
        // itself alone; either may be its default, which the user did not type: said as such.
        let request: number | undefined;
        try {
          request = durationMs('--request-timeout')(raw.requestTimeout);
        } catch (error) {
          if (!(error instanceof CallhookError)) throw error;
        }
        if (request !== undefined && header > request) {
          throw new CallhookError(
            `--header-timeout: must not be longer than --request-timeout (${quoted(raw.headerTimeout)} and ${quoted(raw.requestTimeout)}, as given or by default)`,
          );
        }
        return header;
      },
      requestTimeoutMs: () => durationMs('--request-timeout')(raw.requestTimeout),
    },
    problems,
  );
  return {
    ...out,
    format: raw.format,
    type: raw.type,
    width: raw.width,
    acceptInvalid: raw.acceptInvalid === true,
    sign: raw.sign,
    durable: raw.durable === true,
    compact: raw.compact === true,
    mask: raw.mask === true,
    insecure: raw.insecure === true,
  };
}
