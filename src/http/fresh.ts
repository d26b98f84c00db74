/**
 * `--fresh`: gives events new ids and moves their timestamps so the newest is now, keeping the
 * spacing between them, for receivers that reject old or repeated events. Pure.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { firstInstant, instantOf, isoOf, lastInstant } from '../core/instant.js';
import { CallhookError } from '../errors.js';
import { exactValue } from '../input/exact-value.js';
import { withSourceNumbers } from '../input/source-number.js';
import { isEnvelope } from '../schema/check.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The fields that carry an instant: the envelope's createdAt, a call's startedTime, the others' time.
const envelopeTimeKeys = ['createdAt'] as const;
const dataTimeKeys = ['startedTime', 'time'] as const;

function eachTimestamp(value: unknown, visit: (holder: Json, key: string, text: string) => void): void {
  if (!isObject(value)) return;
  for (const key of envelopeTimeKeys) if (typeof value[key] === 'string') visit(value, key, value[key] as string);
  const payload = isEnvelope(value) && isObject(value.data) ? value.data : value;
  for (const key of dataTimeKeys) if (typeof payload[key] === 'string') visit(payload, key, payload[key] as string);
}

/** An instant (ms since the epoch) among an event's timestamps, and where that event is (`file:line:column`). */
export interface PlacedInstant {
  ms: number;
  location: string;
}

/** The oldest and the newest instant among a run's timestamps, each with its event's location: what `newFreshRun` is chosen from. */
export class TimestampSpan {
  oldest: PlacedInstant | undefined;
  newest: PlacedInstant | undefined;

  /** Takes in the timestamps of the event `value`, found at `location`. */
  add(value: unknown, location: string): void {
    eachTimestamp(value, (_holder, _key, text) => {
      const ms = instantOf(text);
      if (Number.isNaN(ms)) return;
      if (this.oldest === undefined || ms < this.oldest.ms) this.oldest = { ms, location };
      if (this.newest === undefined || ms > this.newest.ms) this.newest = { ms, location };
    });
  }
}

/**
 * Formats `ms` the way `original` was written: UTC with `Z`, with milliseconds if it had a
 * fraction, or if `ms` has any: a whole-second time moved by a shift with milliseconds, which cut
 * would move less than the others. A new run's shift is whole seconds (`newFreshRun`); a journal
 * written before it was may hold one with milliseconds, which `--resume` takes.
 */
export function formatLike(original: string, ms: number): string {
  const iso = isoOf(ms);
  return ms % 1000 !== 0 || /[T ]\d\d:\d\d:\d\d\.\d/.test(original) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** Options for `freshenEvent`. */
interface FreshOptions {
  /** Milliseconds added to every timestamp. */
  shiftMs: number;
  /** Makes the new id of an event from its old one (`freshIds`). */
  newId: (oldId: string) => string;
}

/**
 * A maker of new event ids for one run: a random UUID for each old id, the same one for every
 * copy of it, so that a redelivery still arrives as a redelivery. Hint: derived with a keyed
 * hash rather than remembered, so memory does not grow with the ids of a large export.
 */
export function freshIds(key: Buffer = randomBytes(32)): (oldId: string) => string {
  return (oldId) => {
    const bytes = createHmac('sha256', key).update(oldId).digest().subarray(0, 16);
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/**
 * What makes one `--fresh` run's events: the key of its new ids (base64url) and the shift of its
 * timestamps. Kept in the run's journal, so that `--resume` sends a batch again as the same
 * bytes, under the same webhook-id, and a receiver that kept it can drop it.
 */
export interface FreshRun {
  key: string;
  shiftMs: number;
}

/**
 * A new `--fresh` run that moves the newest of `span`'s timestamps (none: no shift) to `now`, less
 * than a second before it: the shift is whole seconds, so a time written without milliseconds
 * is still written so. Throws a usage error, naming both events, when the oldest would leave the
 * years 0000 to 9999, which no timestamp can be written in (a newest event far in the future).
 * Hint: the newest lands on `now`, so only the oldest can leave them.
 */
export function newFreshRun(span: TimestampSpan, now: number): FreshRun {
  const { oldest, newest } = span;
  const shiftMs = newest === undefined ? 0 : Math.floor((now - newest.ms) / 1000) * 1000;
  if (oldest !== undefined && newest !== undefined && oldest.ms + shiftMs < firstInstant) {
    throw new CallhookError(
      `--fresh: moving the newest time, ${isoOf(newest.ms)} (${newest.location}), to now would move ${isoOf(oldest.ms)} (${oldest.location}) before the year 0000; replay those events apart, or without --fresh`,
    );
  }
  return { key: randomBytes(32).toString('base64url'), shiftMs };
}

/** Whether `value` is a `FreshRun` as a journal holds it. */
export function isFreshRun(value: unknown): value is FreshRun {
  const run = value as Partial<Record<keyof FreshRun, unknown>> | null;
  return (
    typeof run === 'object' &&
    run !== null &&
    typeof run.key === 'string' &&
    /^[A-Za-z0-9_-]{43}$/.test(run.key) &&
    Number.isSafeInteger(run.shiftMs) &&
    Math.abs(run.shiftMs as number) <= lastInstant
  );
}

/**
 * The rewrite of one `--fresh` run: an event's JSON text, from its value as parsed and its text as
 * the file writes it, with its new id and moved timestamps. Hint: a number a double does not hold
 * as the file writes it (`exactValue`): JSON.stringify of the parsed value sent `1e400` as null,
 * and other digits of `12345678901234567891` (red team hT58); one it holds as JSON.stringify
 * writes it (`1.0` as `1`, `-0` as `0`, the same value).
 */
export function freshRewrite(run: FreshRun): (value: unknown, text: string) => string {
  const newId = freshIds(Buffer.from(run.key, 'base64url'));
  return (value, text) =>
    withSourceNumbers(JSON.stringify(freshenEvent(exactValue(value, text), { shiftMs: run.shiftMs, newId })));
}

/**
 * A copy of the event with a new envelope id and every timestamp moved by `shiftMs`. Hint: only
 * the objects it changes are copied (the event, and an envelope's data), as spread copies them:
 * a `__proto__` key stays data, and a number kept as its text (a `SourceNumber`) stays one, which
 * a structured clone makes a plain object.
 */
export function freshenEvent(value: unknown, options: FreshOptions): unknown {
  if (!isObject(value)) return value;
  const copy: Json = { ...value };
  if (isEnvelope(copy) && isObject(copy.data)) copy.data = { ...copy.data };
  if (isEnvelope(copy) && typeof copy.id === 'string') copy.id = options.newId(copy.id);
  eachTimestamp(copy, (holder, key, text) => {
    const ms = instantOf(text);
    if (!Number.isNaN(ms)) holder[key] = formatLike(text, ms + options.shiftMs);
  });
  return copy;
}
