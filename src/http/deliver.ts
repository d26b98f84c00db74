/**
 * The delivery engine: sends planned batches to one URL with a pooled keep-alive client,
 * `concurrency` at a time, paced, retried, signed and journalled, and stops cleanly on request.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Agent, type Dispatcher, interceptors } from 'undici';
import type { OutboundBatch } from './batches.js';
import type { Journal, JournalEntry } from './journal.js';
import { createPacer } from './pace.js';
import { type BackoffOptions, backoffDelay, defaultBackoff, isRetryableStatus, parseRetryAfter } from './retry.js';
import type { Signer } from './signing.js';
import { DeliveryStats } from './stats.js';

/** How to deliver. Header names in `headers` are lower-case. */
export interface DeliveryOptions {
  url: string;
  method: 'POST' | 'PUT';
  headers?: Record<string, string> | undefined;
  /** callhook's version, for the user-agent header. */
  version?: string | undefined;
  concurrency: number;
  /** Requests per second, counting retries; undefined for no limit. */
  rate?: number | undefined;
  /** Per attempt: to connect, to receive the response headers, and as the longest pause in the body. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  backoff?: BackoffOptions | undefined;
  followRedirects?: boolean | undefined;
  /** Skip TLS certificate verification (local development only). */
  insecure?: boolean | undefined;
  signer?: Signer | undefined;
  journal?: Journal | undefined;
  /** Keys a previous run's journal confirms: these batches are not sent again. */
  confirmed?: ReadonlySet<string> | undefined;
  /** Stop starting batches; in-flight attempts finish (first Ctrl-C). */
  stop?: AbortSignal | undefined;
  /** Abort in-flight requests at once (second Ctrl-C). */
  abort?: AbortSignal | undefined;
  /** Receives counts as they change; a new one is made otherwise. */
  stats?: DeliveryStats | undefined;
  random?: (() => number) | undefined;
}

/** What a run ended with: its counts, and the error that stopped reading the input, if any. */
export interface DeliveryResult {
  stats: DeliveryStats;
  readError?: unknown;
}

type Attempt =
  | { kind: 'response'; status: number; latencyMs: number; retryAfterMs?: number | undefined; detail: string }
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

/** What one request got back: the status, the headers, and the first bytes of a non-2xx body. */
interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const snippetBytes = 1024;

/**
 * One request through undici's `dispatch` with a minimal handler. Hint: `request()` wraps every
 * response body in a Readable stream; a replay only needs the status and, for errors, the first
 * bytes of the body, and skipping the stream is a measurable part of the request rate.
 */
function dispatchOnce(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: RawResponse['headers'] = {};
    const chunks: Buffer[] = [];
    let size = 0;
    dispatcher.dispatch(options, {
      // Hint: undici tells the handler API apart by this method; without it, it expects the old one.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        // A 2xx body is drained unread; an error body is kept only as far as the report shows it.
        if (status >= 300 && size < snippetBytes) {
          chunks.push(chunk);
          size += chunk.length;
        }
      },
      onResponseEnd() {
        resolve({
          status,
          headers,
          body: chunks.length ? Buffer.concat(chunks).toString('utf8', 0, snippetBytes) : '',
        });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The headers every request carries before signing; the user's `-H` headers win over the defaults.
 * Hint: the version comes in as an argument because src/version.ts resolves package.json relative
 * to the importing file, which is wrong from inside a lazily loaded chunk of the bundle.
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
  const target = new URL(options.url);
  const origin = target.origin;
  const path = `${target.pathname}${target.search}`;
  const pacer = options.rate ? createPacer(options.rate) : undefined;
  const baseHeaders = baseRequestHeaders(options.headers, options.version);

  const agent = new Agent({
    connections: options.concurrency,
    keepAliveTimeout: 30_000,
    connect: { rejectUnauthorized: !options.insecure, timeout: options.timeoutMs },
  });
  const dispatcher: Dispatcher = options.followRedirects
    ? agent.compose(interceptors.redirect({ maxRedirections: 5 }))
    : agent;

  // One signal for "stop starting things": Ctrl-C, a second Ctrl-C, 410 Gone or a read error.
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

  // Hint: a second Ctrl-C destroys the pool, which fails every in-flight request at once; this
  // costs nothing per request, unlike an AbortSignal listener on each one.
  const onAbort = () => {
    agent.destroy().catch(() => {});
  };
  options.abort?.addEventListener('abort', onAbort, { once: true });

  const timeouts = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
  const send = async (batch: OutboundBatch): Promise<Attempt> => {
    const headers = options.signer
      ? { ...baseHeaders, ...options.signer(batch.webhookId, batch.body, new Date()) }
      : baseHeaders;
    const started = performance.now();
    try {
      // Hint: undici's own header and body timers are far cheaper than an AbortController and a
      // timer per request; together they bound an attempt: the headers must arrive, and the body
      // must not stall, within the timeout.
      const response = await dispatchOnce(dispatcher, {
        origin,
        path,
        method: options.method,
        headers,
        body: batch.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const statusCode = response.status;
      let detail = '';
      if (statusCode >= 300 && statusCode < 400) {
        const location = headerValue(response.headers.location);
        detail = `redirected${location ? ` to ${location}` : ''}: misconfigured endpoint? (pass --follow-redirects to follow)`;
      } else if (statusCode >= 400) detail = snippet(response.body);
      const retryAfterMs = statusCode >= 400 ? parseRetryAfter(response.headers['retry-after']) : undefined;
      return { kind: 'response', status: statusCode, latencyMs: performance.now() - started, retryAfterMs, detail };
    } catch (error) {
      if (options.abort?.aborted) return { kind: 'error', outcome: 'aborted', retryable: false, detail: 'aborted' };
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'network-error';
      const message = (error as Error).message;
      if (timeouts.has(code)) {
        return {
          kind: 'error',
          outcome: 'timeout',
          retryable: true,
          detail: `no response within ${options.timeoutMs / 1000} s`,
        };
      }
      if (code === 'UND_ERR_INVALID_ARG') return { kind: 'error', outcome: code, retryable: false, detail: message };
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

  const finish = (batch: OutboundBatch, entry: Omit<JournalEntry, 'key' | 'events' | 'source' | 'at'>) => {
    const full: JournalEntry = {
      key: batch.key,
      ...entry,
      events: batch.events,
      source: batch.source,
      at: options.journal ? new Date().toISOString() : '',
    };
    options.journal?.append(full);
    stats.finish(full);
  };

  const deliverOne = async (batch: OutboundBatch): Promise<void> => {
    if (options.confirmed?.has(batch.key)) {
      stats.resumed(batch.events);
      return;
    }
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
        if (status >= 200 && status < 300) {
          finish(batch, { status: 'delivered', code: status, attempts, latencyMs: latency });
          return;
        }
        if (status === 410) {
          finish(batch, { status: 'gone', code: status, attempts, latencyMs: latency, reason: '410 Gone' });
          stopRun(`the receiver answered 410 Gone (${batch.source})`);
          return;
        }
        const reason = `HTTP ${status}${result.detail ? `: ${result.detail}` : ''}`;
        if (!isRetryableStatus(status) || attempts > options.retries) {
          const final = isRetryableStatus(status) ? `${reason} (gave up after ${attempts} attempts)` : reason;
          finish(batch, { status: 'failed', code: status, attempts, latencyMs: latency, reason: final });
          return;
        }
        if (result.retryAfterMs !== undefined && (status === 429 || status === 503)) {
          pausedUntil = Math.max(pausedUntil, Date.now() + result.retryAfterMs);
        }
        waitMs = result.retryAfterMs ?? backoffDelay(attempts, backoff, random);
      } else {
        stats.attempt(result.outcome);
        if (result.outcome === 'aborted') {
          finish(batch, { status: 'undelivered', attempts, reason: 'aborted by a second Ctrl-C' });
          return;
        }
        if (!result.retryable || attempts > options.retries) {
          const reason = `${result.outcome}: ${result.detail}${result.retryable ? ` (gave up after ${attempts} attempts)` : ''}`;
          finish(batch, { status: 'failed', attempts, reason });
          return;
        }
        waitMs = backoffDelay(attempts, backoff, random);
      }
    }
  };

  const iterator = batches[Symbol.asyncIterator]();
  let readError: unknown;
  // Hint: a second Ctrl-C must not wait for input that may never come (a quiet stdin), so a
  // pending read is abandoned; what it would have returned was never sent, and --resume sends it.
  // (Not Promise.race against one long-lived promise: every race would leave a reaction on it,
  // which leaks memory in proportion to the number of batches.)
  const ended: IteratorResult<OutboundBatch> = { done: true, value: undefined };
  const pendingReads = new Set<() => void>();
  const onAbandon = () => {
    for (const abandon of pendingReads) abandon();
    pendingReads.clear();
  };
  options.abort?.addEventListener('abort', onAbandon, { once: true });
  const nextBatch = (): Promise<IteratorResult<OutboundBatch>> =>
    new Promise((resolve, reject) => {
      if (options.abort?.aborted) {
        resolve(ended);
        return;
      }
      const abandon = () => resolve(ended);
      pendingReads.add(abandon);
      iterator.next().then(
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
        if (options.abort?.aborted) {
          readAbandoned = true;
          if (!next.done)
            finish(next.value, { status: 'undelivered', attempts: 0, reason: 'not sent: the run stopped' });
          return;
        }
      } catch (error) {
        readError ??= error;
        stopRun(`reading the input failed: ${(error as Error).message}`);
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
    // Stopped early: let the input layer close its files.
    if (!stats.inputEnded && readError === undefined && !readAbandoned) await iterator.return?.(undefined);
  } finally {
    options.abort?.removeEventListener('abort', onAbandon);
    options.abort?.removeEventListener('abort', onAbort);
    options.stop?.removeEventListener('abort', onStop);
    options.abort?.removeEventListener('abort', onStop);
    await (options.abort?.aborted ? agent.destroy() : agent.close()).catch(() => {});
  }
  return readError === undefined ? { stats } : { stats, readError };
}
