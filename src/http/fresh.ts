/**
 * `--fresh`: gives events new ids and moves their timestamps so the newest is now, keeping the
 * spacing between them, for receivers that reject old or repeated events. Pure.
 */
import { randomUUID } from 'node:crypto';
import { instantOf } from '../core/instant.js';
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

/** The latest instant (ms since the epoch) among an event's timestamps, or undefined if it has none. */
export function newestTimestamp(value: unknown): number | undefined {
  let newest: number | undefined;
  eachTimestamp(value, (_holder, _key, text) => {
    const ms = instantOf(text);
    if (!Number.isNaN(ms) && (newest === undefined || ms > newest)) newest = ms;
  });
  return newest;
}

/** Formats `ms` the way `original` was written: UTC with `Z`, with milliseconds only if it had a fraction. */
export function formatLike(original: string, ms: number): string {
  const iso = new Date(ms).toISOString();
  return /[T ]\d\d:\d\d:\d\d\.\d/.test(original) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** Options for `freshenEvent`. */
export interface FreshOptions {
  /** Milliseconds added to every timestamp. */
  shiftMs: number;
  /** Makes a new event id; random UUIDs by default. */
  newId?: () => string;
}

/** A copy of the event with a new envelope id and every timestamp moved by `shiftMs`. */
export function freshenEvent(value: unknown, options: FreshOptions): unknown {
  if (!isObject(value)) return value;
  const copy: Json = structuredClone(value);
  if (isEnvelope(copy) && typeof copy.id === 'string') copy.id = (options.newId ?? randomUUID)();
  eachTimestamp(copy, (holder, key, text) => {
    const ms = instantOf(text);
    if (!Number.isNaN(ms)) holder[key] = formatLike(text, ms + options.shiftMs);
  });
  return copy;
}
