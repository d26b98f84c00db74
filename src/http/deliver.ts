/**
 * The delivery engine: sends planned batches to one URL with a pooled keep-alive client,
 * `concurrency` at a time, paced, retried, signed and journalled, and stops cleanly on request.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { OutboundBatch } from './batches.js';
import { isSecretHeader, redactUrl, splitCredentials } from './credentials.js';
import { createHttpClient, ExchangeError, type ExchangeResponse } from './exchange.js';
import type { BatchStatus, Journal, JournalEntry } from './journal.js';
import { createPacer } from './pace.js';
import { type BackoffOptions, backoffDelay, defaultBackoff, isRetryableStatus, parseRetryAfter } from './retry.js';
import type { Signer } from './signing.js';
import { DeliveryStats } from './stats.js';

/** How to deliver. Header names in `headers` are lower-case. */
export interface DeliveryOptions {
  /** The receiver; user info in it (`http://user:pass@host/`) is sent as HTTP Basic auth. */
  url: string;
  method: 'POST' | 'PUT';
  headers?: Record<string, string> | undefined;
  /** callhook's version, for the user-agent header. */
  version?: string | undefined;
  concurrency: number;
  /** Requests per second, counting retries; undefined for no limit. */
  rate?: number | undefined;
  /** Per attempt: the whole exchange, from connecting to the end of the response, redirects included. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  backoff?: BackoffOptions | undefined;
  /** Follow 307 and 308 (which keep the method and body); 301, 302 and 303 are never followed. */
  followRedirects?: boolean | undefined;
  /** Skip TLS certificate verification (local development only). */
  insecure?: boolean | undefined;
  signer?: Signer | undefined;
  /** Where each finished batch is recorded; a write error stops the run at once. */
  journal?: Journal | undefined;
  /** Keys a previous run's journal confirms: these batches are not sent again. */
  confirmed?: ReadonlySet<string> | undefined;
  /** Stop starting batches; in-flight attempts finish (first Ctrl-C, SIGTERM or SIGHUP). */
  stop?: AbortSignal | undefined;
  /** Abort in-flight requests at once (a second signal). */
  abort?: AbortSignal | undefined;
  /** Receives counts as they change; a new one is made otherwise. */
  stats?: DeliveryStats | undefined;
  random?: (() => number) | undefined;
}

/** A batch whose outcome could not be journalled because writing the journal failed. */
export interface UnjournalledBatch {
  key: string;
  source: string;
  events: number;
  status: BatchStatus;
}

/** What a run ended with: its counts, and the error that stopped reading the input, if any. */
interface DeliveryResult {
  stats: DeliveryStats;
  readError?: unknown;
  /** The error that stopped the run when the journal could not be written. */
  journalError?: unknown;
  /** With `journalError`: the batches in flight then (and any finished after), which the journal does not record. */
  unjournalled?: UnjournalledBatch[];
}

type Attempt =
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
  | { kind: 'error'; outcome: string; retryable: boolean; detail: string };

// Errors that another attempt cannot fix: the certificate will be just as wrong next time.
const certificateCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Redirects after which an attempt gives up. */
const maxRedirects = 5;

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Where a 3xx points, resolved against the URL it answered, or undefined when it names no http(s) URL. */
function redirectTarget(response: ExchangeResponse, from: URL): URL | undefined {
  const location = headerValue(response.headers.location);
  if (!location || !URL.canParse(location, from.href)) return undefined;
  const to = new URL(location, from);
  return /^https?:$/.test(to.protocol) ? to : undefined;
}

/**
 * The headers every request carries before signing; the user's `-H` headers win over the defaults.
 * The user agent names the version the caller gives (replay gives the CLI's), else plain `callhook`.
 */
export function baseRequestHeaders(userHeaders: Record<string, string> = {}, version = ''): Record<string, string> {
  const userAgent = version ? `callhook/${version}` : 'callhook';
  return { 'content-type': 'application/json', 'user-agent': userAgent, ...userHeaders };
}

/** Delivers every batch and returns the counts; never throws for delivery failures, only records them. */
export async function deliverBatches(
  batches: AsyncIterable<OutboundBatch>,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const stats = options.stats ?? new DeliveryStats();
  const backoff = options.backoff ?? defaultBackoff;
  const random = options.random ?? Math.random;
  const target = splitCredentials(options.url);
  const pacer = options.rate ? createPacer(options.rate) : undefined;
  const baseHeaders = baseRequestHeaders(options.headers, options.version);
  // As curl does: user info in the URL becomes Basic auth, unless -H gave an Authorization.
  if (target.authorization && baseHeaders.authorization === undefined) baseHeaders.authorization = target.authorization;
  const client = createHttpClient({ connections: options.concurrency, insecure: options.insecure });

  // One signal for "stop starting things": a signal, 410 Gone, a read or journal error.
  const stopping = new AbortController();
  const stopRun = (why: string | null) => {
    if (stopping.signal.aborted) return;
    if (why) stats.stoppedBy ??= why;
    stopping.abort();
  };
  const onStop = () => {
    stats.interrupted = true;
    stopRun(null);
  };
  options.stop?.addEventListener('abort', onStop, { once: true });
  options.abort?.addEventListener('abort', onStop, { once: true });
  if (options.stop?.aborted || options.abort?.aborted) onStop();
  // A 429 or 503 with Retry-After holds back every worker, not only the one that got it.
  let pausedUntil = 0;
  // Set by a second signal or a journal write error: in-flight requests are failed at once.
  let abortReason: string | undefined;

  const sleep = async (ms: number): Promise<boolean> => {
    if (stopping.signal.aborted) return false;
    if (ms <= 0) return true;
    try {
      await sleepFor(ms, undefined, { signal: stopping.signal });
      return true;
    } catch {
      return false;
    }
  };

  const abortInFlight = (why: string) => {
    abortReason ??= why;
    client.abortAll();
  };
  const onAbort = () => abortInFlight('aborted by a second signal');
  options.abort?.addEventListener('abort', onAbort, { once: true });

  const send = async (batch: OutboundBatch): Promise<Attempt> => {
    let headers = options.signer
      ? { ...baseHeaders, ...options.signer(batch.webhookId, batch.body, new Date()) }
      : baseHeaders;
    const started = performance.now();
    let url = target.url;
    try {
      for (let hops = 0; ; hops++) {
        const remaining = options.timeoutMs - (performance.now() - started);
        if (remaining <= 0) throw new ExchangeError('TIMEOUT', 'timeout');
        const response = await client.send({
          url,
          method: options.method,
          headers,
          body: batch.body,
          timeoutMs: remaining,
        });
        const { status } = response;
        const latencyMs = performance.now() - started;
        const answer = (detail: string, retryable = isRetryableStatus(status)): Attempt => ({
          kind: 'response',
          status,
          accepted: false,
          retryable,
          latencyMs,
          retryAfterMs: retryable ? parseRetryAfter(response.headers['retry-after']) : undefined,
          detail,
        });
        if (status >= 200 && status < 300) {
          if (response.bodyWithheld) {
            return answer(
              'answered before the body was sent (Expect: 100-continue), so the events did not arrive',
              false,
            );
          }
          return { kind: 'response', status, accepted: true, retryable: false, latencyMs, detail: '' };
        }
        if (status >= 300 && status < 400) {
          const to = redirectTarget(response, url);
          const where = to ? ` to ${redactUrl(to.href)}` : '';
          if (status === 307 || status === 308) {
            if (!options.followRedirects) {
              return answer(`redirected${where}: misconfigured endpoint? (pass --follow-redirects to follow)`);
            }
            if (!to) return answer('redirected without a usable Location: misconfigured endpoint');
            if (hops === maxRedirects) return answer(`more than ${maxRedirects} redirects: misconfigured endpoint`);
            // Credentials go only to the origin they were given for, as curl does.
            if (to.origin !== url.origin) {
              headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !isSecretHeader(name)));
            }
            url = to;
            continue;
          }
          return answer(
            `redirected${where}: misconfigured endpoint (a ${status} turns the ${options.method} into a GET without ` +
              'the body, so it is never followed; give the final address as --url)',
          );
        }
        return answer(status >= 400 ? snippet(response.body) : '');
      }
    } catch (error) {
      if (abortReason !== undefined)
        return { kind: 'error', outcome: 'aborted', retryable: false, detail: abortReason };
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'network-error';
      const message = (error as Error).message;
      if (code === 'TIMEOUT') {
        return {
          kind: 'error',
          outcome: 'timeout',
          retryable: true,
          detail: `no complete response within ${options.timeoutMs / 1000} s`,
        };
      }
      // A header value node:http refuses: no attempt will do better.
      if (/^ERR_(HTTP_)?INVALID/.test(code)) return { kind: 'error', outcome: code, retryable: false, detail: message };
      if (certificateCodes.has(code)) {
        return {
          kind: 'error',
          outcome: code,
          retryable: false,
          detail: `${message} (for a local development server, --insecure skips the check)`,
        };
      }
      return { kind: 'error', outcome: code, retryable: true, detail: message };
    }
  };

  // The batches being delivered now, for the list a journal write error leaves on stderr.
  const inFlight = new Set<OutboundBatch>();
  let journalError: unknown;
  const unjournalled: UnjournalledBatch[] = [];

  const finish = (batch: OutboundBatch, entry: Omit<JournalEntry, 'key' | 'events' | 'source' | 'at'>) => {
    inFlight.delete(batch);
    const full: JournalEntry = {
      key: batch.key,
      ...entry,
      events: batch.events,
      source: batch.source,
      at: options.journal ? new Date().toISOString() : '',
    };
    stats.finish(full);
    if (!options.journal) return;
    const missed = { key: batch.key, source: batch.source, events: batch.events, status: full.status };
    if (journalError !== undefined) {
      unjournalled.push(missed);
      return;
    }
    try {
      options.journal.append(full);
    } catch (error) {
      // The journal is what --resume trusts: a run that cannot record its outcomes stops at once.
      journalError = error;
      unjournalled.push(missed);
      stopRun(`writing the journal failed: ${(error as Error).message}`);
      abortInFlight('aborted: the journal could not be written');
    }
  };

  const deliverOne = async (batch: OutboundBatch): Promise<void> => {
    if (options.confirmed?.has(batch.key)) {
      stats.resumed(batch.events);
      return;
    }
    inFlight.add(batch);
    let attempts = 0;
    let waitMs = 0;
    for (;;) {
      const slot = Math.max(waitMs, pausedUntil - Date.now(), pacer?.reserve(Date.now() + waitMs) ?? 0);
      // Hint: most batches need no wait; skipping the await then saves a few microtasks a request.
      if ((slot > 0 || stopping.signal.aborted) && !(await sleep(slot))) {
        const reason = attempts === 0 ? 'not sent: the run stopped' : 'not retried: the run stopped';
        finish(batch, { status: 'undelivered', attempts, reason });
        return;
      }
      attempts++;
      const result = await send(batch);
      if (result.kind === 'response') {
        const { status, latencyMs } = result;
        stats.attempt(String(status), latencyMs);
        const latency = Math.round(latencyMs * 10) / 10;
        if (result.accepted) {
          finish(batch, { status: 'delivered', code: status, attempts, latencyMs: latency });
          return;
        }
        if (status === 410) {
          finish(batch, { status: 'gone', code: status, attempts, latencyMs: latency, reason: '410 Gone' });
          stopRun(`the receiver answered 410 Gone (${batch.source})`);
          return;
        }
        const reason = `HTTP ${status}${result.detail ? `: ${result.detail}` : ''}`;
        if (!result.retryable || attempts > options.retries) {
          const final = result.retryable ? `${reason} (gave up after ${attempts} attempts)` : reason;
          finish(batch, { status: 'failed', code: status, attempts, latencyMs: latency, reason: final });
          return;
        }
        if (result.retryAfterMs !== undefined && (status === 429 || status === 503)) {
          pausedUntil = Math.max(pausedUntil, Date.now() + result.retryAfterMs);
        }
        stats.retrying(batch.key);
        waitMs = result.retryAfterMs ?? backoffDelay(attempts, backoff, random);
      } else {
        stats.attempt(result.outcome);
        if (result.outcome === 'aborted') {
          finish(batch, { status: 'undelivered', attempts, reason: result.detail });
          return;
        }
        if (!result.retryable || attempts > options.retries) {
          const reason = `${result.outcome}: ${result.detail}${result.retryable ? ` (gave up after ${attempts} attempts)` : ''}`;
          finish(batch, { status: 'failed', attempts, reason });
          return;
        }
        stats.retrying(batch.key);
        waitMs = backoffDelay(attempts, backoff, random);
      }
    }
  };

  const iterator = batches[Symbol.asyncIterator]();
  let readError: unknown;
  // Hint: a stopping run must not wait for input that may never come (a quiet stdin), so a
  // pending read is abandoned; what it would have returned was never read, let alone sent, and
  // --resume sends it. (Not Promise.race against one long-lived promise: every race would leave
  // a reaction on it, which leaks memory in proportion to the number of batches.)
  const abandoned: IteratorResult<OutboundBatch> = { done: true, value: undefined };
  const pendingReads = new Set<() => void>();
  const onAbandon = () => {
    for (const abandon of pendingReads) abandon();
    pendingReads.clear();
  };
  stopping.signal.addEventListener('abort', onAbandon, { once: true });
  let lastRead: Promise<unknown> = Promise.resolve();
  const nextBatch = (): Promise<IteratorResult<OutboundBatch>> =>
    new Promise((resolve, reject) => {
      if (stopping.signal.aborted) {
        resolve(abandoned);
        return;
      }
      const abandon = () => resolve(abandoned);
      pendingReads.add(abandon);
      const read = iterator.next();
      lastRead = read;
      read.then(
        (result) => {
          pendingReads.delete(abandon);
          resolve(result);
        },
        (error: unknown) => {
          pendingReads.delete(abandon);
          reject(error);
        },
      );
    });
  let readAbandoned = false;
  const worker = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let next: IteratorResult<OutboundBatch>;
      try {
        next = await nextBatch();
      } catch (error) {
        readError ??= error;
        stopRun(`reading the input failed: ${(error as Error).message}`);
        return;
      }
      if (next === abandoned) {
        readAbandoned = true;
        return;
      }
      if (next.done) {
        stats.inputEnded = true;
        return;
      }
      stats.read++;
      await deliverOne(next.value);
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    // Stopped early: let the input layer close its files. After an abandoned read, not before
    // that read is done (a quiet stdin may never answer; the command lets go of it).
    if (!stats.inputEnded && readError === undefined) {
      if (!readAbandoned) await iterator.return?.(undefined);
      else void lastRead.then(() => iterator.return?.(undefined)).catch(() => {});
    }
  } finally {
    stopping.signal.removeEventListener('abort', onAbandon);
    options.abort?.removeEventListener('abort', onAbort);
    options.stop?.removeEventListener('abort', onStop);
    options.abort?.removeEventListener('abort', onStop);
    client.close();
  }
  const result: DeliveryResult = { stats };
  if (readError !== undefined) result.readError = readError;
  if (journalError !== undefined) Object.assign(result, { journalError, unjournalled });
  return result;
}
