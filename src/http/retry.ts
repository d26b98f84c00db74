/**
 * The retry policy: which outcomes are retried, how long to wait, what Retry-After asks for, and
 * when to give up. Pure.
 */

import { httpDateInstant } from '../core/instant.js';
import { plural } from '../render/words.js';
import type { Attempt } from './attempt.js';
import type { JournalEntry } from './journal.js';

/** Backoff settings in milliseconds. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** Default backoff: 0.5 s doubling to at most 30 s. */
export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** The longest Retry-After honoured, so one odd header cannot stall a run for hours. */
export const maxRetryAfterMs = 10 * 60_000;

/** Whether a status is worth another attempt: 408 and 429 (the receiver asks for it) and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait before retry number `retry` (1-based): "full jitter", a uniform draw from
 * [0, min(cap, base·2^(retry-1))], which spreads out clients that failed together.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Milliseconds a Retry-After header asks to wait (delta-seconds or an HTTP date), or undefined if unusable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = httpDateInstant(text, now);
    if (Number.isNaN(date)) return undefined;
    ms = Math.max(0, date - now);
  }
  return Math.min(ms, maxRetryAfterMs);
}

/** How a batch is retried. */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  backoff: BackoffOptions;
  random?: (() => number) | undefined;
}

/** How a batch's delivery ended: its journal entry but for the batch's own fields. */
export type BatchOutcome = Omit<JournalEntry, 'key' | 'events' | 'source' | 'at'>;

/** What follows an attempt: the batch is done, or tried again after a wait. */
export type NextStep =
  | {
      kind: 'done';
      outcome: BatchOutcome;
      /** 410 Gone: the receiver wants nothing more, so the run stops starting batches. */
      stopsRun: boolean;
    }
  | {
      kind: 'retry';
      waitMs: number;
      /** A 429 or 503 with Retry-After holds back every worker this long, not only this batch. */
      pauseAllMs: number | undefined;
    };

/** What follows attempt number `attempts` (1-based) of a batch, which came to `result`. */
export function nextStep(result: Attempt, attempts: number, policy: RetryPolicy): NextStep {
  const done = (outcome: BatchOutcome, stopsRun = false): NextStep => ({ kind: 'done', outcome, stopsRun });
  const givingUp = !result.retryable || attempts > policy.retries;
  const gaveUp = result.retryable ? ` (gave up after ${plural(attempts, 'attempt')})` : '';
  const backoff = () => backoffDelay(attempts, policy.backoff, policy.random);
  if (result.kind === 'error') {
    // Hint: undelivered, not failed: the run stopped it (a second signal, a limit of this machine), not the receiver.
    if (result.outcome === 'aborted' || result.local !== undefined) {
      return done({ status: 'undelivered', attempts, reason: result.detail });
    }
    if (givingUp) return done({ status: 'failed', attempts, reason: `${result.outcome}: ${result.detail}${gaveUp}` });
    return { kind: 'retry', waitMs: backoff(), pauseAllMs: undefined };
  }
  const { status } = result;
  const answered = { code: status, attempts, latencyMs: Math.round(result.latencyMs * 10) / 10 };
  if (result.accepted) return done({ status: 'delivered', ...answered });
  if (status === 410) return done({ status: 'gone', ...answered, reason: '410 Gone' }, true);
  if (givingUp) {
    const reason = `HTTP ${status}${result.detail ? `: ${result.detail}` : ''}${gaveUp}`;
    return done({ status: 'failed', ...answered, reason });
  }
  const asked = result.retryAfterMs;
  return {
    kind: 'retry',
    waitMs: asked ?? backoff(),
    pauseAllMs: asked !== undefined && (status === 429 || status === 503) ? asked : undefined,
  };
}
