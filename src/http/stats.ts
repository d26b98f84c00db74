/** Counts what a replay did, for the live progress line and the final report. Pure. */
import { ExitCode, exitCodeWithUnreadable, interruptedBy, type UnreadableFile } from '../errors.js';
import type { OutboundBatch, SkippedInput } from './batches.js';
import type { BatchStatus, JournalEntry } from './journal.js';

/**
 * Latency percentiles in ms (nearest rank), to 0.1 ms; one past 409.5 ms less than 0.05% below
 * the exact figure (see `LatencyHistogram`). The max is exact.
 */
export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** A batch that did not reach the receiver. */
export interface UndeliveredBatch {
  key: string;
  source: string;
  status: Exclude<BatchStatus, 'delivered'>;
  code?: number | undefined;
  attempts: number;
  events: number;
  reason: string;
}

/** The final report: what `--report` writes and `--format json` prints. */
export interface ReplayReport {
  url: string;
  method: string;
  dryRun: boolean;
  /** True when a signal (Ctrl-C, SIGTERM, SIGHUP) stopped the run. */
  interrupted: boolean;
  /** The signal that stopped the run, if one did. */
  signal: string | null;
  /** Why the run stopped early (410 Gone, a read error), if it did. */
  stoppedBy: string | null;
  /** False when the run stopped before reading all of its input: rerun with --resume for the rest. */
  inputComplete: boolean;
  durationMs: number;
  /**
   * Requests started per second, from the first start to the last: N requests are N-1 intervals,
   * so a run kept to `--rate R` reads R at most. 0 with fewer than two starts apart.
   */
  requestRate: number;
  /**
   * `notSent`: read from the input and never sent; `--resume` sends them. From a file, read after
   * the run stopped (by a signal, one batch at most); from a stream, all it had read; and a batch
   * waiting for its turn (`--rate`, a Retry-After pause) when the run stopped, the one kind the
   * journal lists (undelivered, 0 attempts). With `inputComplete` false, the input holds more still.
   */
  batches: {
    delivered: number;
    failed: number;
    undelivered: number;
    notSent: number;
    resumed: number;
    retried: number;
  };
  events: {
    delivered: number;
    failed: number;
    undelivered: number;
    notSent: number;
    resumed: number;
    invalid: number;
  };
  requests: number;
  /** Attempts after the first, over all batches. */
  retries: number;
  /** Attempts by outcome: an HTTP status code, `timeout`, or a network error code. */
  statusCodes: Record<string, number>;
  latencyMs: LatencySummary | null;
  /** Every batch not delivered (the first 10,000; the journal has them all). */
  undelivered: UndeliveredBatch[];
  /** Every element skipped as invalid (the first 1,000). */
  invalid: SkippedInput[];
  /** Syntax problems between elements (a stray comma, an unclosed array): not events, so not in `events.invalid`. */
  inputProblems: number;
  /**
   * The files read no further where they are not text (binary, compressed, UTF-16), or where they
   * could not be read further (gone since they were listed, a read that failed): where, and why,
   * as summarise's report lists them. Nothing they held from there on was sent or counted.
   */
  unreadableFiles: UnreadableFile[];
  /** The headers every request carried before signing, secrets redacted. */
  headers: Record<string, string>;
}

/** A moment of the run, for the progress display. */
export interface ProgressSnapshot {
  elapsedMs: number;
  /** Batches finished, whatever the outcome (resumed ones included). */
  done: number;
  /** Batches read from the input so far. */
  read: number;
  /** True once the input is fully read, so `read` is the total. */
  inputEnded: boolean;
  delivered: number;
  /** Batches that failed for good (failed or undelivered). */
  errors: number;
  /** Batches whose last attempt failed and that are waiting for, or making, another. */
  retrying: number;
  /** Attempts that failed and were retried, so far. */
  failedAttempts: number;
  requests: number;
  /** Fraction of the input bytes read, when the input's size is known. */
  fractionRead?: number | undefined;
  /** How long the run still waits before sending, as the receiver's Retry-After asked (0: not waiting). */
  pausedMs?: number | undefined;
  /** How long it has waited so, all told: not sending, so not part of its pace. */
  pausedSoFarMs?: number | undefined;
  /** `--rate`, requests a second, when the run keeps to one: the batches left start no sooner. */
  rate?: number | undefined;
}

const maxUndeliveredListed = 10_000;

/**
 * Compares two batch keys by where their batches start: `source_offset-hash` (`planBatches`), or
 * `ordinal-hash` in a journal before version 3.
 */
function inInputOrder(a: string, b: string): number {
  const [sourceA = 0, offsetA = 0] = a.slice(0, a.indexOf('-')).split('_').map(Number);
  const [sourceB = 0, offsetB = 0] = b.slice(0, b.indexOf('-')).split('_').map(Number);
  return sourceA - sourceB || offsetA - offsetB;
}
const maxInvalidListed = 1_000;

/** Latencies below this many tenths of a ms each have a bucket of their own. */
const exactTenths = 4096;

/** The bucket of a latency of `tenths` 0.1 ms (see `LatencyHistogram`). */
function bucketOf(tenths: number): number {
  let shift = 0;
  while (tenths >= exactTenths * 2 ** shift) shift++;
  return (exactTenths / 2) * shift + Math.floor(tenths / 2 ** shift);
}

/** The lowest latency in `bucket`, in tenths of a ms: `bucketOf` turned around. */
function lowestOf(bucket: number): number {
  const shift = bucket < exactTenths ? 0 : Math.floor(bucket / (exactTenths / 2)) - 1;
  return (bucket - (exactTenths / 2) * shift) * 2 ** shift;
}

/**
 * Latencies counted in buckets, as autocannon's HDR histogram counts them, so that a run of
 * millions of requests takes no more room than one of thousands: each 0.1 ms (what is printed)
 * below 409.6 ms has a bucket, and above it, each doubling has 2048, each less than 1/2048 of its
 * values wide. A percentile is its bucket's lowest latency: exact below 409.6 ms, and less than
 * 0.05% low above. Hint: a bucket is made once a latency reaches it: 18,432 of them hold up to
 * 52 s, 40,960 a day (the longest --timeout).
 */
class LatencyHistogram {
  /** Latencies in each bucket (`bucketOf`); a hole is none. */
  private readonly counts: number[] = [];
  count = 0;
  /** The longest, in tenths of a ms. */
  private maxTenths = 0;

  /** Counts a latency of `ms`. */
  record(ms: number): void {
    // Hint: bounded, so that `bucketOf` ends for any value, however long.
    const tenths = Math.min(Math.max(0, Math.round(ms * 10)), Number.MAX_SAFE_INTEGER);
    const bucket = bucketOf(tenths);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    this.maxTenths = Math.max(this.maxTenths, tenths);
  }

  /** The nearest-rank `p`th percentile, in ms; 0 when none was counted. */
  percentile(p: number): number {
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let counted = 0;
    for (let bucket = 0; bucket < this.counts.length; bucket++) {
      counted += this.counts[bucket] ?? 0;
      if (counted >= rank) return lowestOf(bucket) / 10;
    }
    return 0;
  }

  /** The longest latency counted, in ms. */
  get max(): number {
    return this.maxTenths / 10;
  }
}

/** Accumulates outcomes as batches finish. */
export class DeliveryStats {
  readonly started = Date.now();
  read = 0;
  /** Where the last batch read ends: its file, and the byte offset in it. */
  readTo: OutboundBatch['last'];
  inputEnded = false;
  requests = 0;
  retries = 0;
  interrupted = false;
  signal: string | null = null;
  stoppedBy: string | null = null;
  inputProblems = 0;
  readonly unreadableFiles: UnreadableFile[] = [];
  readonly statusCodes: Record<string, number> = {};
  readonly batches = { delivered: 0, failed: 0, undelivered: 0, notSent: 0, resumed: 0, retried: 0 };
  readonly events = { delivered: 0, failed: 0, undelivered: 0, notSent: 0, resumed: 0, invalid: 0 };
  readonly undelivered: UndeliveredBatch[] = [];
  readonly invalid: SkippedInput[] = [];
  /** Requests on the wire now (a batch waiting out a backoff or a Retry-After is not one). */
  sending = 0;
  /** Until when (epoch ms) no batch is sent, as a 429's or 503's Retry-After asked; 0 when never (see `pauseUntil`). */
  pausedUntil = 0;
  /** When (epoch ms) the last worker a Retry-After paused is due back, its spread after the pause included; 0 when never. */
  pausedWorkersDueBy = 0;
  /** The time paused, to the end of the pause now (see `pauseUntil`): each moment once, however pauses overlap. */
  private pausedTotalMs = 0;
  // The keys of the batches being retried now: at most the requests in flight.
  private readonly retryingKeys = new Set<string>();
  private failedAttempts = 0;
  private readonly latencies = new LatencyHistogram();
  /** Requests started, and when (epoch ms) the first and the last did, for `requestRate`. */
  private starts = 0;
  private firstStart = 0;
  private lastStart = 0;

  /** Records a batch read from the input. */
  took(batch: OutboundBatch): void {
    this.read++;
    this.readTo = batch.last ?? this.readTo;
  }

  /** Records one request's outcome: its status code or error name, and its latency if it got a response. */
  attempt(outcome: string, latencyMs?: number): void {
    this.requests++;
    this.statusCodes[outcome] = (this.statusCodes[outcome] ?? 0) + 1;
    if (latencyMs !== undefined) this.latencies.record(latencyMs);
  }

  /** Records that a request starts (each hop of a followed redirect too). */
  requestStarted(now = Date.now()): void {
    if (this.starts++ === 0) this.firstStart = now;
    this.lastStart = now;
  }

  /** Records that the batch `key` failed an attempt and will be tried again. */
  retrying(key: string): void {
    this.failedAttempts++;
    this.retryingKeys.add(key);
  }

  /** Records a batch that finished, as its journal line says. */
  finish(entry: JournalEntry): void {
    this.retryingKeys.delete(entry.key);
    if (entry.attempts > 1) {
      this.batches.retried++;
      this.retries += entry.attempts - 1;
    }
    if (entry.status === 'delivered') {
      this.batches.delivered++;
      this.events.delivered += entry.events;
      return;
    }
    // Hint: journalled undelivered (so that --resume sends it), but never tried: a batch waiting
    // for its --rate slot or a Retry-After pause when the run stopped was not sent.
    if (entry.status === 'undelivered' && entry.attempts === 0) {
      this.notSent(entry.events);
      return;
    }
    const bucket = entry.status === 'undelivered' ? 'undelivered' : 'failed';
    this.batches[bucket]++;
    this.events[bucket] += entry.events;
    if (this.undelivered.length < maxUndeliveredListed) {
      this.undelivered.push({
        key: entry.key,
        source: entry.source,
        status: entry.status,
        code: entry.code,
        attempts: entry.attempts,
        events: entry.events,
        reason: entry.reason ?? entry.status,
      });
    }
  }

  /** Records a batch `--resume` skipped because the journal confirms it. */
  resumed(events: number): void {
    this.batches.resumed++;
    this.events.resumed += events;
  }

  /** Records a batch read and never sent: the run had stopped. */
  notSent(events: number): void {
    this.batches.notSent++;
    this.events.notSent += events;
  }

  /** Records an element skipped as invalid. */
  skip(skipped: SkippedInput): void {
    this.events.invalid++;
    if (this.invalid.length < maxInvalidListed) this.invalid.push(skipped);
  }

  /** Records a syntax problem between elements. */
  problem(): void {
    this.inputProblems++;
  }

  /** Records a file read no further where it is not text. */
  unreadable(file: UnreadableFile): void {
    this.unreadableFiles.push(file);
  }

  /** Batches finished, whatever their outcome. */
  get done(): number {
    const b = this.batches;
    return b.delivered + b.failed + b.undelivered + b.resumed;
  }

  /**
   * Notes that no batch is sent until `until` (epoch ms), as a Retry-After asked (`workers`: the
   * last worker it paused comes back then, its spread included). The time paused is counted once.
   */
  pauseUntil(until: number, workers = false, now = Date.now()): void {
    const from = Math.max(now, this.pausedUntil, this.pausedWorkersDueBy);
    if (until > from) this.pausedTotalMs += until - from;
    if (workers) this.pausedWorkersDueBy = Math.max(this.pausedWorkersDueBy, until);
    else this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** The state of the run now. */
  snapshot(fractionRead?: number, rate?: number): ProgressSnapshot {
    const now = Date.now();
    const pausedMs = Math.max(0, this.pausedUntil - now, this.pausedWorkersDueBy - now);
    return {
      elapsedMs: Date.now() - this.started,
      done: this.done,
      read: this.read,
      inputEnded: this.inputEnded,
      delivered: this.batches.delivered,
      errors: this.batches.failed + this.batches.undelivered,
      retrying: this.retryingKeys.size,
      pausedMs,
      pausedSoFarMs: this.pausedTotalMs - pausedMs,
      failedAttempts: this.failedAttempts,
      requests: this.requests,
      fractionRead,
      rate,
    };
  }

  /**
   * Requests started per second (see `ReplayReport.requestRate`), to a tenth, or to two figures
   * below one a second: to a tenth, --rate 0.04 read 0, as if none had started (review hR69).
   */
  private requestRate(): number {
    const span = this.lastStart - this.firstStart;
    if (span <= 0) return 0;
    const rate = ((this.starts - 1) / span) * 1000;
    return rate < 1 ? Number(rate.toPrecision(2)) : Math.round(rate * 10) / 10;
  }

  /** Latency percentiles over every request that got a response. */
  latency(): LatencySummary | null {
    const l = this.latencies;
    if (l.count === 0) return null;
    return { p50: l.percentile(50), p95: l.percentile(95), p99: l.percentile(99), max: l.max };
  }

  /** The final report. */
  report(url: string, method: string, dryRun = false, headers: Record<string, string> = {}): ReplayReport {
    const durationMs = Date.now() - this.started;
    return {
      url,
      method,
      dryRun,
      interrupted: this.interrupted,
      signal: this.signal,
      stoppedBy: this.stoppedBy,
      inputComplete: this.inputEnded,
      durationMs,
      requestRate: this.requestRate(),
      batches: { ...this.batches },
      events: { ...this.events },
      requests: this.requests,
      retries: this.retries,
      statusCodes: { ...this.statusCodes },
      latencyMs: this.latency(),
      // Hint: in the input's order (a key begins with where its batch starts), not the order they
      // finished in, which concurrency and retries shuffle (hT59).
      undelivered: this.undelivered.toSorted((a, b) => inInputOrder(a.key, b.key)),
      invalid: this.invalid,
      inputProblems: this.inputProblems,
      unreadableFiles: [...this.unreadableFiles],
      headers,
    };
  }
}

/**
 * The exit code a replay ends with: 128 + the signal's number when a signal stopped it (130 for
 * Ctrl-C, 143 for SIGTERM, 129 for SIGHUP), 2 when a file was not read (it is not text), 1 when
 * any batch was not delivered, the run stopped early (410 Gone) or there was nothing valid to
 * send, 0 otherwise.
 */
export function replayExitCode(report: ReplayReport): number {
  if (report.interrupted) return interruptedBy(report.signal as NodeJS.Signals | undefined);
  const b = report.batches;
  const failed = report.stoppedBy || b.failed > 0 || b.undelivered > 0 || b.delivered + b.resumed === 0;
  return exitCodeWithUnreadable(failed ? ExitCode.invalid : ExitCode.ok, report.unreadableFiles.length);
}
