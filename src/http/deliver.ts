/**
 * The delivery engine: sends planned batches to one URL with a pooled keep-alive client,
 * `concurrency` at a time, paced, retried, signed and journalled, and stops cleanly on request.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { isoOf } from '../core/instant.js';
import { CallhookError } from '../errors.js';
import { type Attempt, answerOf, failureOf } from './attempt.js';
import type { OutboundBatch } from './batches.js';
import { isSecretHeader, redactUrl, splitCredentials } from './credentials.js';
import { createHttpClient, ExchangeError, type HttpClient } from './exchange.js';
import type { BatchStatus, Journal, JournalEntry } from './journal.js';
import type { ReplayMethod } from './names.js';
import { createPacer, type Pacer } from './pace.js';
import {
  type BackoffOptions,
  type BatchOutcome,
  defaultBackoff,
  maxRetryAfterMs,
  nextStep,
  type RetryPolicy,
} from './retry.js';
import type { Signer } from './signing.js';
import { DeliveryStats } from './stats.js';

/** How to deliver. Header names in `headers` are lower-case. */
export interface DeliveryOptions {
  /** The receiver; user info in it (`http://user:pass@host/`) is sent as HTTP Basic auth. */
  url: string;
  method: ReplayMethod;
  headers?: Record<string, string> | undefined;
  /** callhook's version, for the user-agent header. */
  version?: string | undefined;
  concurrency: number;
  /** Requests per second, counting retries and the hops of a followed redirect; undefined for no limit. */
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
  /**
   * Stop starting batches for a failure of the run's own (its journal's lock held by another
   * replay): the signal's reason, a CallhookError, is the run's `localError`. In-flight attempts finish.
   */
  halt?: AbortSignal | undefined;
  /** The input's side of a limit of this machine: see `InputLimits`. */
  inputLimits?: InputLimits | undefined;
  /**
   * After the run stops (410 Gone, a receiver that answers nothing), read the rest of the input
   * to count the batches it never sent; stopped by a signal, one batch at most, to tell whether
   * any was left. Only for an input that ends by itself (files): a quiet stdin might never.
   */
  countUnsent?: boolean | undefined;
  /**
   * For an input that may never end by itself (a stream), instead of `countUnsent`: aborted when
   * the run stops, so that the input reads no further (`ReadOptions.stop`); the batches it still
   * makes of what it had read are counted as not sent: they were read, and a stream cannot be
   * read again.
   */
  stopReading?: AbortController | undefined;
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
  /** Requests made for it: 0 for one never sent (waiting for its turn when the run stopped). */
  attempts: number;
}

/** What a run ended with: its counts, and the error that stopped reading the input, if any. */
interface DeliveryResult {
  stats: DeliveryStats;
  readError?: unknown;
  /** The error that stopped the run when the journal could not be written. */
  journalError?: unknown;
  /** With `journalError`: the batches in flight then (and any finished after), which the journal does not record. */
  unjournalled?: UnjournalledBatch[];
  /**
   * What stopped the run on this side, with what helps: a limit of this machine (too many open
   * files, out of memory), or a `halt`.
   */
  localError?: CallhookError;
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
  const run = new DeliveryRun(options);
  const reader = new BatchReader(batches, run.stopping);
  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => run.work(reader)));
    // Hint: every request is done: the connections go before the rest is read to be counted or
    // closed, which, stopped by too many open files, found each file it opened refused for want of
    // one (hR110); and a read waiting for them (see `InputLimits`) goes on.
    run.closeConnections();
    if (run.countsUnsent(reader)) {
      options.stopReading?.abort();
      if (options.countUnsent || options.stopReading) await run.countUnsent(reader, options.stopReading !== undefined);
    }
    // Stopped early: let the input layer close its files.
    if (!run.stats.inputEnded && reader.error === undefined) await reader.close();
  } finally {
    reader.dispose();
    run.dispose();
  }
  return run.result(reader.error);
}

/** Failed batches in a row, none of whose attempts the receiver answered, that stop the run. */
const unansweredBatchesToStop = 3;

/** One run's shared state: the client, the stop and abort signals, the pause, the journal. */
class DeliveryRun {
  readonly stats: DeliveryStats;
  /** Aborted to stop starting things: a signal, 410 Gone, a read or journal error. */
  readonly stopping: AbortSignal;
  readonly #stopper = new AbortController();
  readonly #options: DeliveryOptions;
  readonly #policy: RetryPolicy;
  readonly #target: ReturnType<typeof splitCredentials>;
  readonly #pacer: Pacer | undefined;
  readonly #headers: Record<string, string>;
  readonly #client: HttpClient;
  // Batches in a row that ended failed with no answer from the receiver to any attempt.
  #unansweredInRow = 0;
  // Set by a second signal or a journal write error: in-flight requests are failed at once.
  #abortReason: string | undefined;
  // The batches being delivered now, for the list a journal write error leaves on stderr.
  readonly #inFlight = new Set<OutboundBatch>();
  #journalError: unknown;
  readonly #unjournalled: UnjournalledBatch[] = [];
  #localError: CallhookError | undefined;

  constructor(options: DeliveryOptions) {
    this.#options = options;
    this.stats = options.stats ?? new DeliveryStats();
    this.stopping = this.#stopper.signal;
    // Hint: every worker waiting out a backoff or a Retry-After listens on this signal until it
    // wakes, so --concurrency 16 paused by a 503 is 16 listeners and no leak; node would warn past
    // 10 on stderr.
    setMaxListeners(0, this.stopping);
    this.#policy = { retries: options.retries, backoff: options.backoff ?? defaultBackoff, random: options.random };
    this.#target = splitCredentials(options.url);
    this.#pacer = options.rate ? createPacer(options.rate) : undefined;
    this.#headers = baseRequestHeaders(options.headers, options.version);
    // As curl does: user info in the URL becomes Basic auth, unless -H gave an Authorization.
    if (this.#target.authorization && this.#headers.authorization === undefined) {
      this.#headers.authorization = this.#target.authorization;
    }
    this.#client = createHttpClient({ connections: options.concurrency, insecure: options.insecure });
    options.stop?.addEventListener('abort', this.#onStop, { once: true });
    options.abort?.addEventListener('abort', this.#onStop, { once: true });
    if (options.stop?.aborted || options.abort?.aborted) this.#onStop();
    options.abort?.addEventListener('abort', this.#onAbort, { once: true });
    options.halt?.addEventListener('abort', this.#onHalt, { once: true });
    if (options.halt?.aborted) this.#onHalt();
    options.inputLimits?.bind((error) => {
      const failure = failureOf(error, 0);
      if (failure.kind === 'error' && failure.local !== undefined) this.#localLimit(failure.detail, failure.local);
    });
  }

  readonly #onHalt = () => {
    const reason: unknown = this.#options.halt?.reason;
    this.#localError ??= reason instanceof CallhookError ? reason : new CallhookError(String(reason));
    this.stopRun(this.#localError.message);
  };

  readonly #onStop = () => {
    this.stats.interrupted = true;
    this.stopRun(null);
  };

  readonly #onAbort = () => this.#abortInFlight('aborted by a second signal');

  /** Stops starting batches; `why` (the first one given) is reported as what stopped the run. */
  stopRun(why: string | null): void {
    if (this.stopping.aborted) return;
    if (why) this.stats.stoppedBy ??= why;
    this.#stopper.abort();
  }

  #abortInFlight(why: string): void {
    this.#abortReason ??= why;
    this.#client.abortAll();
  }

  /** Waits `ms`; false when the run stopped before (or while) waiting. */
  async #sleep(ms: number): Promise<boolean> {
    if (this.stopping.aborted) return false;
    if (ms <= 0) return true;
    try {
      await sleepFor(ms, undefined, { signal: this.stopping });
      return true;
    } catch {
      return false;
    }
  }

  /** Takes batches from `reader` and delivers them, one at a time, until the input ends or the run stops. */
  async work(reader: BatchReader): Promise<void> {
    while (!this.stopping.aborted) {
      let next: OutboundBatch | undefined;
      try {
        next = await reader.next();
      } catch (error) {
        this.stopRun(`reading the input failed: ${(error as Error).message}`);
        return;
      }
      if (next === undefined) {
        if (reader.ended) this.stats.inputEnded = true;
        return;
      }
      this.stats.took(next);
      await this.#deliverOne(next);
    }
  }

  /** Whether the run stopped (not by a read or a journal error) with input that may be left to count. */
  countsUnsent(reader: BatchReader): boolean {
    return (
      this.stopping.aborted && !this.stats.inputEnded && reader.error === undefined && this.#journalError === undefined
    );
  }

  /**
   * Reads the batches the run never took, to the end of the input, and counts them as not sent
   * (or resumed, those the journal confirms). Hint: a signal stops the count after one batch, so
   * a run stopped by one still tells whether any input was left (none, when its last batch was
   * in flight), without reading the rest of a large file. A stream told to stop reading (`stopped`)
   * ends where what it had read ends, and every batch of that is counted: it was read, and is not
   * the end of the input.
   */
  async countUnsent(reader: BatchReader, stopped: boolean): Promise<void> {
    try {
      for await (const batch of reader.unsent()) {
        this.stats.took(batch);
        if (this.#options.confirmed?.has(batch.key)) this.stats.resumed(batch.events);
        else this.stats.notSent(batch.events);
        if (this.stats.interrupted && !stopped) return;
      }
      if (!stopped) this.stats.inputEnded = true;
    } catch (error) {
      reader.error ??= error;
    }
  }

  /**
   * Waits until this worker may send: `waitMs` (a backoff, a Retry-After), the end of any pause a
   * Retry-After began, and its --rate slot; false when the run stopped first. Hint: the pause is
   * read again after every wait: a 429 may pause the run while this worker sleeps.
   */
  async #waitForTurn(waitMs: number): Promise<boolean> {
    const due = Date.now() + waitMs;
    for (;;) {
      const now = Date.now();
      const wait = Math.max(due - now, this.#pausedWait(now));
      if (wait > 0) {
        if (!(await this.#sleep(wait))) return false;
        continue;
      }
      const turn = this.#pacer ? await this.#pacer.turn(this.stopping) : !this.stopping.aborted;
      if (!turn) return false;
      if (this.stats.pausedUntil <= Date.now()) return true;
    }
  }

  /**
   * How long this worker waits for a pause a Retry-After began, 0 when none. Hint: the workers a
   * Retry-After paused come back spread over half as long again, at random: all at once, they
   * overflowed the receiver again (listen's 503 for too many bodies at once) and moved in
   * lockstep. The spread stays within the longest Retry-After honoured, which is the most a
   * worker waits.
   */
  #pausedWait(now: number): number {
    const paused = this.stats.pausedUntil - now;
    if (paused <= 0) return 0;
    const spread = Math.max(0, Math.min(paused / 2, maxRetryAfterMs - paused));
    const wait = paused + Math.floor((this.#policy.random ?? Math.random)() * spread);
    // The progress counts the pause down to the last of them.
    this.stats.pauseUntil(now + wait, true);
    return wait;
  }

  /** Sends one batch, retrying as the policy says, and records how it ended. */
  async #deliverOne(batch: OutboundBatch): Promise<void> {
    if (this.#options.confirmed?.has(batch.key)) {
      this.stats.resumed(batch.events);
      return;
    }
    this.#inFlight.add(batch);
    let attempts = 0;
    let waitMs = 0;
    let answered = false;
    for (;;) {
      // Hint: a turn that came, and then no connection before the run stopped, is no attempt either.
      const result = (await this.#waitForTurn(waitMs)) ? await this.#send(batch) : undefined;
      if (result === undefined) {
        const reason = attempts === 0 ? 'not sent: the run stopped' : 'not retried: the run stopped';
        this.#finish(batch, { status: 'undelivered', attempts, reason });
        return;
      }
      attempts++;
      if (result.kind === 'response') this.stats.attempt(String(result.status), result.latencyMs);
      else if (!result.unsent) this.stats.attempt(result.outcome);
      // An unreadable answer is still an answer: the receiver is up.
      if (result.kind === 'response' || result.answered) {
        answered = true;
        this.#unansweredInRow = 0;
      }
      const step = nextStep(result, attempts, this.#policy);
      if (step.kind === 'done') {
        this.#finish(batch, step.outcome);
        if (step.stopsRun) this.stopRun(`the receiver answered 410 Gone (${batch.source})`);
        else if (result.kind === 'error' && result.local !== undefined) this.#localLimit(result.detail, result.local);
        else if (!answered && step.outcome.status === 'failed') this.#unanswered(step.outcome.reason);
        return;
      }
      // A 429 or 503 with Retry-After holds back every worker, not only the one that got it (and
      // the progress says for how long).
      if (step.pauseAllMs !== undefined) this.stats.pauseUntil(Date.now() + step.pauseAllMs);
      this.stats.retrying(batch.key);
      waitMs = step.waitMs;
    }
  }

  /**
   * A batch failed and the receiver answered none of its attempts (refused, reset, timed out, a
   * TLS or DNS error). Hint: each such batch has had its retries, so several in a row, with nothing
   * answered between them, mean the receiver is down or unreachable: the run stops, as on 410,
   * instead of spending the retries of every batch left; the journal keeps them for --resume.
   */
  #unanswered(reason: string | undefined): void {
    this.#unansweredInRow++;
    if (this.#unansweredInRow < unansweredBatchesToStop) return;
    this.stopRun(
      `the receiver answered none of ${unansweredBatchesToStop} batches in a row (last: ${reason ?? 'no answer'})`,
    );
  }

  /**
   * An attempt met a limit of this machine (too many open files under `ulimit -n`, out of
   * memory): the run stops, as on 410, saying so with what helps. Hint: not the receiver's
   * failing, so never counted as a batch it did not answer; the batch is journalled undelivered,
   * and --resume sends it.
   */
  #localLimit(detail: string, helps: string): void {
    const message = `${detail} with --concurrency ${this.#options.concurrency}: ${helps}`;
    this.#localError ??= new CallhookError(message);
    this.stopRun(message);
  }

  /**
   * One attempt: the request, and the redirects it may follow, within one deadline; undefined when
   * the run stopped while its request waited for a connection (one held by a 2xx body still
   * draining), so nothing of it was sent. Hint: it is in flight (`stats.sending`) and started (the
   * request rate) once it has a connection: waiting for one, it was counted in flight by a
   * signal's "waiting for 1 in flight", then sent once the connection freed, long after the signal.
   */
  async #send(batch: OutboundBatch): Promise<Attempt | undefined> {
    const options = this.#options;
    // Hint: signed when each request's turn has come: a hop waits for --rate or a Retry-After
    // pause, and one sent with the first request's webhook-timestamp was refused as too old.
    const sign = () => options.signer?.(batch.webhookId, batch.body, new Date()) ?? {};
    const signed = sign();
    let headers = { ...this.#headers, ...signed };
    const started = performance.now();
    // Hint: the time a hop waited for a free connection (one held by a 2xx body still draining) is
    // not the receiver's, and is left out of the attempt's latency.
    let waited = 0;
    // Each hop after the first is a request, and waits for its turn as a retry does (--rate, a
    // Retry-After's pause). Hint: that wait is neither the receiver's time nor --timeout's.
    let paced = 0;
    // What a hop after the first that is not sent says (the first unsent is no attempt at all).
    let hopUnsent: string | undefined;
    const unsentHop = (detail: string): Attempt => ({
      kind: 'error',
      outcome: 'aborted',
      retryable: false,
      detail,
      unsent: true,
    });
    const nextTurn = async (unsent: string): Promise<Attempt | undefined> => {
      hopUnsent = unsent;
      const before = performance.now();
      const sending = await this.#waitForTurn(0);
      paced += performance.now() - before;
      if (!sending) return unsentHop(unsent);
      headers = { ...headers, ...sign() };
      return undefined;
    };
    let inFlight = false;
    const onStart = () => {
      this.stats.requestStarted();
      if (inFlight) return;
      inFlight = true;
      this.stats.sending++;
    };
    let url = this.#target.url;
    try {
      let hops = 0;
      for (;;) {
        const remaining = options.timeoutMs - (performance.now() - started - paced);
        if (remaining <= 0) throw new ExchangeError('TIMEOUT', 'timeout');
        const response = await this.#client.send({
          url,
          method: options.method,
          headers,
          body: batch.body,
          timeoutMs: remaining,
          stop: this.stopping,
          onStart,
        });
        waited += response.waitedMs;
        // Hint: a 417 to a request that expected 100-continue says only that something on the way
        // does not support expectations; RFC 9110 §10.1.1 asks that it be sent again without one.
        // Once (no expectation is left), counted as a status as a redirect's hop is.
        if (response.status === 417 && headers.expect !== undefined) {
          this.stats.attempt('417');
          headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'expect'));
          const unsent = await nextTurn('not sent again without Expect: the run stopped');
          if (unsent) return unsent;
          continue;
        }
        const answer = answerOf(response, {
          url,
          method: options.method,
          hops,
          followRedirects: options.followRedirects === true,
          latencyMs: performance.now() - started - waited - paced,
        });
        if (answer.kind !== 'follow') return answer;
        // Each hop is a request the receiver answered: its status is counted (its time is the attempt's).
        this.stats.attempt(String(response.status));
        // Credentials go only to the origin they were given for, as curl does. Hint: the header
        // `--sign` sets is a digest of the body, no credential, whatever its name (`X-Hook-Token`):
        // the next origin needs it as much as the first.
        if (answer.to.origin !== url.origin) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(([name]) => !isSecretHeader(name) || Object.hasOwn(signed, name)),
          );
        }
        url = answer.to;
        hops++;
        const unsent = await nextTurn(`redirect to ${redactUrl(url.href)} not followed: the run stopped`);
        if (unsent) return unsent;
      }
    } catch (error) {
      if (error instanceof ExchangeError && error.code === 'UNSENT') {
        return hopUnsent === undefined ? undefined : unsentHop(hopUnsent);
      }
      if (this.#abortReason !== undefined) {
        return { kind: 'error', outcome: 'aborted', retryable: false, detail: this.#abortReason };
      }
      const failure = failureOf(error, options.timeoutMs);
      // Where it failed is not --url, which answered with a redirect: say so. Hint: still no
      // answer for the stop rule, since every attempt will end there: a run redirected to a dead
      // host stops after a few batches rather than timing out on each.
      // This machine's limit is its own wherever the connection was to go.
      if (url === this.#target.url || failure.kind !== 'error' || failure.local !== undefined) return failure;
      return { ...failure, detail: `${failure.detail}, after a redirect to ${redactUrl(url.href)}` };
    } finally {
      if (inFlight) this.stats.sending--;
    }
  }

  /** Records how a batch ended: in the counts, and in the journal when there is one. */
  #finish(batch: OutboundBatch, outcome: BatchOutcome): void {
    this.#inFlight.delete(batch);
    const journal = this.#options.journal;
    const entry: JournalEntry = {
      key: batch.key,
      ...outcome,
      events: batch.events,
      source: batch.source,
      at: journal ? isoOf(Date.now()) : '',
    };
    this.stats.finish(entry);
    if (!journal) return;
    const { status, attempts } = entry;
    const missed = { key: batch.key, source: batch.source, events: batch.events, status, attempts };
    if (this.#journalError !== undefined) {
      this.#unjournalled.push(missed);
      return;
    }
    try {
      journal.append(entry);
    } catch (error) {
      // The journal is what --resume trusts: a run that cannot record its outcomes stops at once.
      this.#journalError = error;
      this.#unjournalled.push(missed);
      this.stopRun(`writing the journal failed: ${(error as Error).message}`);
      this.#abortInFlight('aborted: the journal could not be written');
    }
  }

  /** What the run ended with. */
  result(readError: unknown): DeliveryResult {
    const result: DeliveryResult = { stats: this.stats };
    if (readError !== undefined) result.readError = readError;
    if (this.#journalError !== undefined) {
      Object.assign(result, { journalError: this.#journalError, unjournalled: this.#unjournalled });
    }
    if (this.#localError !== undefined) result.localError = this.#localError;
    return result;
  }

  /** Closes the client's connections, idle ones too, once no request is in flight. */
  closeConnections(): void {
    this.#client.close();
    this.#options.inputLimits?.closed();
  }

  /** Lets go of the signals and closes the client. */
  dispose(): void {
    const options = this.#options;
    options.abort?.removeEventListener('abort', this.#onAbort);
    options.stop?.removeEventListener('abort', this.#onStop);
    options.abort?.removeEventListener('abort', this.#onStop);
    options.halt?.removeEventListener('abort', this.#onHalt);
    this.closeConnections();
  }
}

/**
 * The input's side of a limit of this machine (see `DeliveryRun.#localLimit`): a file the run
 * could not open for want of a descriptor, its connections holding them. The run stops on it, as
 * on an attempt that meets it, and the file is opened again once the connections are closed, its
 * batches counted as not sent: each was refused as a file that could not be read, 96 lines of
 * them, and counted as not read (red team hR110).
 */
export class InputLimits {
  #stop: ((error: unknown) => void) | undefined;
  #closed: () => void = () => {};
  readonly #connectionsClosed = new Promise<void>((resolve) => {
    this.#closed = resolve;
  });

  /** For `ReadRange.descriptorsFreed` (input/read.ts): stops the run, and settles once its connections are closed (at once before it begins). */
  readonly met = (error: unknown): Promise<void> => {
    if (this.#stop === undefined) return Promise.resolve();
    this.#stop(error);
    return this.#connectionsClosed;
  };

  /** The run's stop, by `deliverBatches`. */
  bind(stop: (error: unknown) => void): void {
    this.#stop = stop;
  }

  /** The run's connections are closed. */
  closed(): void {
    this.#closed();
  }
}

/**
 * The batches, read for several workers at once. A stopping run must not wait for input that may
 * never come (a quiet stdin), so a pending read is abandoned: what it would have returned was never
 * read, let alone sent, and --resume sends it.
 */
class BatchReader {
  readonly #iterator: AsyncIterator<OutboundBatch>;
  readonly #stopping: AbortSignal;
  /** The reads in progress, each with what abandons it. */
  readonly #pending = new Map<() => void, Promise<IteratorResult<OutboundBatch>>>();
  /** The reads abandoned when the run stopped, in the order they were made: each may yet bring a batch. */
  readonly #abandonedReads: Array<Promise<IteratorResult<OutboundBatch>>> = [];
  #lastRead: Promise<unknown> = Promise.resolve();
  /** The input ended: every batch was read. */
  ended = false;
  /** A read was abandoned because the run stopped. */
  #abandoned = false;
  /** The first error reading the input. */
  error: unknown;

  constructor(batches: AsyncIterable<OutboundBatch>, stopping: AbortSignal) {
    this.#iterator = batches[Symbol.asyncIterator]();
    this.#stopping = stopping;
    stopping.addEventListener('abort', this.#abandonAll, { once: true });
  }

  readonly #abandonAll = () => {
    for (const [abandon, read] of this.#pending) {
      abandon();
      this.#abandonedReads.push(read);
      // Hint: a read that fails after it was abandoned, with no one counting, is no unhandled rejection.
      read.catch(() => {});
    }
    this.#pending.clear();
  };

  /**
   * After the run stopped: the batches it never took, those its abandoned reads bring first, to
   * the end of the input. Hint: an async generator answers its reads in the order they were made.
   */
  async *unsent(): AsyncGenerator<OutboundBatch> {
    for (;;) {
      const read = this.#abandonedReads.shift() ?? this.#iterator.next();
      this.#abandoned = this.#abandonedReads.length > 0;
      const result = await read;
      if (result.done) {
        this.ended = true;
        return;
      }
      yield result.value;
    }
  }

  /** The next batch, or undefined when the input ended or the run stopped; rejects when reading fails. */
  async next(): Promise<OutboundBatch | undefined> {
    let result: IteratorResult<OutboundBatch> | undefined;
    try {
      result = await this.#read();
    } catch (error) {
      this.error ??= error;
      throw this.error;
    }
    if (result === undefined) {
      this.#abandoned = true;
      return undefined;
    }
    if (result.done) {
      // Hint: a generator that threw is done for every later read: that is no end of the input.
      this.ended = this.error === undefined;
      return undefined;
    }
    return result.value;
  }

  /** The iterator's next result, or undefined once the run stops (at once, even while a read is pending). */
  #read(): Promise<IteratorResult<OutboundBatch> | undefined> {
    // Hint: not Promise.race against one long-lived promise: every race would leave a reaction on
    // it, which leaks memory in proportion to the number of batches.
    return new Promise((resolve, reject) => {
      if (this.#stopping.aborted) {
        resolve(undefined);
        return;
      }
      const abandon = () => resolve(undefined);
      const read = this.#iterator.next();
      this.#pending.set(abandon, read);
      this.#lastRead = read;
      read.then(
        (result) => {
          this.#pending.delete(abandon);
          resolve(result);
        },
        (error: unknown) => {
          this.#pending.delete(abandon);
          reject(error);
        },
      );
    });
  }

  /** Lets the input close its files: at once, or after an abandoned read is done (a quiet stdin may never answer). */
  async close(): Promise<void> {
    if (!this.#abandoned) await this.#iterator.return?.(undefined);
    else void this.#lastRead.then(() => this.#iterator.return?.(undefined)).catch(() => {});
  }

  /** Lets go of the run's stop signal. */
  dispose(): void {
    this.#stopping.removeEventListener('abort', this.#abandonAll);
  }
}
