/**
 * Which events are copies of one read before: the one rule `show` and `trace` tell a redelivery
 * by, with memory bounded however long the run.
 */
import { FingerprintSet } from '../input/fingerprint-set.js';

/** What an event is to the events noted before it. */
export interface CopyNote {
  /** A copy of one noted before: the same id and the same parsed value (a redelivery). */
  duplicate: boolean;
  /** The id of one noted before, with another value: shown in full, never as a copy. */
  conflict: boolean;
}

/**
 * The events noted so far, by id and by content. Hint: a copy is the same parsed value (keys in
 * any order), not the same bytes: a redelivery re-sent in another batch, indented or ordered
 * otherwise, or as NDJSON, is the same event; any value changed (a status, a time, a step) is not.
 */
export class Copies {
  private readonly ids = new FingerprintSet();
  private readonly contents = new FingerprintSet();

  /** Notes the event with `id` and parsed `value`, and says what it is to those noted before. */
  note(id: string | undefined, value: unknown): CopyNote {
    if (id === undefined) return { duplicate: false, conflict: false };
    const newContent = this.contents.add(`${id}\n${JSON.stringify(value, sortedKeys)}`);
    const newId = this.ids.add(id);
    return { duplicate: !newId && !newContent, conflict: !newId && newContent };
  }
}

/** A JSON.stringify replacer that writes every object's keys in one order, so that key order does not count. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  // Hint: Object.fromEntries defines a `__proto__` key as data, as JSON.parse read it.
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
