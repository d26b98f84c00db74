/**
 * What one attempt to deliver a batch came to: what a receiver's answer means (delivered, a
 * redirect to follow, a failure worth retrying or not) and what an error means. Pure.
 */
import { ioReason } from '../errors.js';
import { excerpt } from '../schema/names.js';
import { redactUrl } from './credentials.js';
import type { ExchangeResponse } from './exchange.js';
import { isRetryableStatus, parseRetryAfter } from './retry.js';

/** The outcome of one attempt. */
export type Attempt =
  | {
      kind: 'response';
      status: number;
      /** A 2xx that answered the request carrying the body: the batch is delivered. */
      accepted: boolean;
      /** Whether another attempt may help. */
      retryable: boolean;
      latencyMs: number;
      retryAfterMs?: number | undefined;
      detail: string;
    }
  | {
      kind: 'error';
      /** What the attempt is counted as: `timeout`, `aborted`, or the error's code. */
      outcome: string;
      retryable: boolean;
      detail: string;
      /** The receiver answered, though with bytes HTTP cannot read. */
      answered?: true | undefined;
      /** A limit of this machine, not the receiver's failing (see `localLimits`): what helps. */
      local?: string | undefined;
      /** The run stopped before this request was sent (a redirect's hop waiting for its turn): no request to count. */
      unsent?: true | undefined;
    };

/** An answer to go on from: a redirect the attempt follows, within its deadline. */
export interface Redirect {
  kind: 'follow';
  to: URL;
}

/** Where an answer came from, and how redirects are handled. */
export interface AnswerContext {
  /** The URL that answered. */
  url: URL;
  method: string;
  /** Redirects followed before this answer. */
  hops: number;
  /** Follow 307 and 308 (`--follow-redirects`). */
  followRedirects: boolean;
  /** From the start of the attempt to this answer. */
  latencyMs: number;
  /** Now, for a Retry-After given as a date. */
  now?: number | undefined;
}

/** Redirects after which an attempt gives up. */
export const maxRedirects = 5;

/**
 * An answer's text, on one line and cut to 200 characters, for the report. Hint: cut between whole
 * characters (`excerpt`): half an emoji was written to the report and the journal as `"\ud83d"`,
 * which strict JSON readers refuse (jq 1.6).
 */
function snippet(text: string): string {
  return excerpt(text.replace(/\s+/g, ' ').trim(), 200);
}

/**
 * Where a 3xx points, resolved against the URL it answered, or undefined when it names no http(s)
 * URL. Hint: a header's bytes come as latin1 characters; one outside ASCII is escaped as its byte,
 * as curl does (`/café` in UTF-8 went to `/caf%C3%83%C2%A9`, each byte encoded again: hR104).
 */
export function redirectTarget(location: string | string[] | undefined, from: URL): URL | undefined {
  const given = Array.isArray(location) ? location[0] : location;
  const text = given?.replace(/[\x80-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (!text || !URL.canParse(text, from.href)) return undefined;
  const to = new URL(text, from);
  return /^https?:$/.test(to.protocol) ? to : undefined;
}

/** What a receiver's answer means for the attempt: delivered, a redirect to follow, or a failure. */
export function answerOf(
  response: Pick<ExchangeResponse, 'status' | 'headers' | 'body' | 'bodyWithheld'>,
  context: AnswerContext,
): Attempt | Redirect {
  const { status } = response;
  const failed = (detail: string, retryable = isRetryableStatus(status)): Attempt => ({
    kind: 'response',
    status,
    accepted: false,
    retryable,
    latencyMs: context.latencyMs,
    retryAfterMs: retryable ? parseRetryAfter(response.headers['retry-after'], context.now) : undefined,
    detail,
  });
  if (status >= 200 && status < 300) {
    if (response.bodyWithheld) {
      return failed('answered before the whole body was sent, so the events did not arrive', false);
    }
    return { kind: 'response', status, accepted: true, retryable: false, latencyMs: context.latencyMs, detail: '' };
  }
  // Hint: 304 is in the 3xx class, but no redirect: it answers a conditional GET or HEAD only.
  if (status === 304) {
    return failed(
      `answered 304 Not Modified, which is no redirect but an answer to a conditional GET or HEAD, not to a ${context.method}: ` +
        'misconfigured endpoint',
    );
  }
  if (status >= 300 && status < 400) return redirectAnswerOf(status, response.headers.location, context, failed);
  return failed(status >= 400 ? snippet(response.body) : '');
}

/** What a 3xx means: 307 and 308 keep the method and body, so they may be followed; the others never. */
function redirectAnswerOf(
  status: number,
  location: string | string[] | undefined,
  context: AnswerContext,
  failed: (detail: string) => Attempt,
): Attempt | Redirect {
  const to = redirectTarget(location, context.url);
  const where = to ? ` to ${redactUrl(to.href)}` : '';
  if (status !== 301 && status !== 302 && status !== 303 && status !== 307 && status !== 308) {
    return failed(
      `answered ${status}${where}: misconfigured endpoint (only a 307 or 308 redirect keeps the ${context.method} ` +
        'and its body; give the final address as --url)',
    );
  }
  if (status !== 307 && status !== 308) {
    return failed(
      `redirected${where}: misconfigured endpoint (a ${status} turns the ${context.method} into a GET without ` +
        'the body, so it is never followed; give the final address as --url)',
    );
  }
  if (!context.followRedirects) {
    return failed(`redirected${where}: misconfigured endpoint? (pass --follow-redirects to follow)`);
  }
  if (!to) return failed('redirected without a usable Location: misconfigured endpoint');
  if (context.hops === maxRedirects) return failed(`more than ${maxRedirects} redirects: misconfigured endpoint`);
  return { kind: 'follow', to };
}

/**
 * The codes of a certificate that fails the check (OpenSSL's X509_V_ERR_*, as Node names them,
 * UNSPECIFIED for those it has no name for, such as a signature too weak; and Node's own check of
 * the name): another attempt meets the same certificate. Hint: six of them were listed, and the
 * rest (INVALID_PURPOSE, CERT_NOT_YET_VALID…) tried six times, with no hint (red team hT67).
 */
const certificateCodes = new Set([
  ...['UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_CRL', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE'],
  ...['UNABLE_TO_DECRYPT_CRL_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE'],
  ...['CRL_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'CRL_NOT_YET_VALID', 'CRL_HAS_EXPIRED'],
  ...['ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD', 'ERROR_IN_CRL_LAST_UPDATE_FIELD'],
  ...['ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ...['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED'],
  ...['INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_UNTRUSTED', 'CERT_REJECTED'],
  ...['HOSTNAME_MISMATCH', 'UNSPECIFIED', 'ERR_TLS_CERT_ALTNAME_INVALID'],
]);

/** Those of a certificate no trusted authority vouches for: a private CA's, which `NODE_EXTRA_CA_CERTS` can trust. */
const untrustedCodes = new Set([
  ...['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT'],
  ...['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_UNTRUSTED'],
]);

/**
 * TLS alerts by which a receiver refuses every handshake alike: it wants a client certificate,
 * or shares no version, cipher or protocol, or refuses the certificate callhook would send.
 * Hint: not `internal error`, which may pass.
 */
const refusingAlert =
  /alert (?:handshake failure|certificate required|protocol version|insufficient security|no application protocol|bad certificate|unsupported certificate|certificate unknown|unknown ca|access denied)/i;

/**
 * What a receiver that refused the TLS handshake (an alert: `ERR_SSL_…ALERT…`, or `EPROTO` naming
 * one, `refusingAlert`) means, in OpenSSL's reason alone (its error queue and a path in Node's
 * sources cut off); undefined for any other error. Every attempt is refused alike.
 */
function refusedHandshake(code: string, message: string): string | undefined {
  if (!(code.startsWith('ERR_SSL_') || code === 'EPROTO') || !refusingAlert.test(message)) return undefined;
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1] ?? message.trim();
  if (/certificate required/i.test(reason)) {
    return `the receiver wants a client certificate, which callhook does not send (${reason})`;
  }
  return `the receiver refused the TLS handshake (${reason}): it may want a client certificate, which callhook does not send, or share no TLS version or cipher with it`;
}

/** Whether an attempt's error code says the receiver answered something that is not HTTP (llhttp's and fast-exchange's parse errors). */
function isUnreadableAnswer(code: string): boolean {
  return code.startsWith('HPE_') || code === 'UPGRADE';
}

/**
 * Errors of this machine's own limits, which say nothing of the receiver, each with what helps.
 * Hint: not retried, and they stop the run (see deliver.ts): another attempt meets the same limit
 * while the run holds as many connections, and they were never the receiver failing to answer.
 */
const localLimits: ReadonlyMap<string, string> = new Map([
  ['EMFILE', 'lower --concurrency or raise ulimit -n'],
  ['ENFILE', 'lower --concurrency'],
  ['ENOMEM', 'lower --concurrency or --batch-size'],
  ['ENOBUFS', 'lower --concurrency'],
]);

/**
 * Network errors an attempt meets, each in words, given where (the address and port, or the host
 * name) when the error names it. Hint: Node's own text (`connect ECONNREFUSED 127.0.0.1:1`,
 * `socket hang up`) named the code a second time and said nothing of what went wrong.
 */
const networkReasons: ReadonlyMap<string, (at: string | undefined) => string> = new Map([
  ['ECONNREFUSED', (at) => `nothing is listening${at ? ` at ${at}` : ' at that address'}`],
  ['ENOTFOUND', (at) => `no such host${at ? `: ${at}` : ''}`],
  ['EAI_AGAIN', (at) => `the host name${at ? ` ${at}` : ''} could not be looked up (DNS did not answer in time)`],
  ['ECONNRESET', () => 'the receiver closed the connection before answering'],
  ['EPIPE', () => 'the receiver closed the connection while the request was being sent'],
  [
    'ETIMEDOUT',
    (at) => `no answer to connecting${at ? ` to ${at}` : ''} (a host that is down, or a firewall dropping it?)`,
  ],
  ['EHOSTUNREACH', (at) => `no route to the host${at ? ` ${at}` : ''} (is it up, and reachable from this network?)`],
  ['ENETUNREACH', (at) => `no route to the network${at ? ` of ${at}` : ''} (is this machine online?)`],
]);

/** Where a network error happened, as it names it: `127.0.0.1:1`, `[::1]:8080`, or a host name. */
function whereOf(error: unknown): string | undefined {
  const { address, port, hostname } = error as { address?: unknown; port?: unknown; hostname?: unknown };
  if (typeof address === 'string' && address !== '') {
    const host = address.includes(':') ? `[${address}]` : address;
    return typeof port === 'number' ? `${host}:${port}` : host;
  }
  return typeof hostname === 'string' && hostname !== '' ? hostname : undefined;
}

/** A network error in words (`networkReasons`), or undefined for one it has none for. */
function networkReason(error: unknown, code: string): string | undefined {
  // Hint: set by the exchange for a connection lost after the head of an answer (listen --forward reads it whole).
  if ((error as { partway?: unknown }).partway === true && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return 'the receiver closed the connection part way through its answer';
  }
  return networkReasons.get(code)?.(whereOf(error));
}

/** What an error of an attempt means: its outcome, and whether another attempt may help. */
export function failureOf(error: unknown, timeoutMs: number): Attempt {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'network-error';
  // Hint: Node names the local end of a connect that failed before it had one `Local (undefined:undefined)`.
  const message = (error as Error).message.replace(/ - Local \(undefined:undefined\)$/, '');
  const local = localLimits.get(code);
  if (local !== undefined) {
    return {
      kind: 'error',
      outcome: code,
      retryable: false,
      detail: `${ioReason(error)} on this machine (${code})`,
      local,
    };
  }
  if (code === 'TIMEOUT') {
    return {
      kind: 'error',
      outcome: 'timeout',
      retryable: true,
      detail: `no complete response within ${timeoutMs / 1000} s`,
    };
  }
  // A header value node:http refuses: no attempt will do better.
  if (/^ERR_(HTTP_)?INVALID/.test(code)) return { kind: 'error', outcome: code, retryable: false, detail: message };
  // Hint: the receiver read the request and answered bytes HTTP cannot read. The next answer
  // will be as unreadable, and each attempt may have delivered the events again.
  if (isUnreadableAnswer(code)) {
    return {
      kind: 'error',
      outcome: code,
      retryable: false,
      detail: `${message} (the receiver's answer; not retried)`,
      answered: true,
    };
  }
  // Hint: a plain-http receiver answers the TLS hello with text; every handshake fails alike.
  if (code === 'EPROTO' && /wrong version number/i.test(message)) {
    return {
      kind: 'error',
      outcome: code,
      retryable: false,
      detail: 'the receiver does not speak TLS at this address (is it http://, not https://?)',
    };
  }
  if (certificateCodes.has(code)) {
    return {
      kind: 'error',
      outcome: code,
      retryable: false,
      detail: `${message} (for a local development server, --insecure skips the check${untrustedCodes.has(code) ? '; NODE_EXTRA_CA_CERTS=ca.pem trusts a private CA' : ''})`,
    };
  }
  const refused = refusedHandshake(code, message);
  if (refused !== undefined) return { kind: 'error', outcome: code, retryable: false, detail: refused };
  return { kind: 'error', outcome: code, retryable: true, detail: networkReason(error, code) ?? message };
}
