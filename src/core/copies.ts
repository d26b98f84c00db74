/**
 * Which events are copies of one read before: the one rule `show` and `trace` tell a redelivery
 * by, with memory bounded however long the run.
 */
import { FingerprintSet } from '../input/fingerprint-set.js';
import { SourceNumber } from '../input/source-number.js';

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
  private readonly leftOut = new FingerprintSet();

  /**
   * Notes the id of an event the filters left out. Hint: an event noted later with this id is a
   * conflicting copy, even with none shown before it: a copy with the same content would have
   * been left out too (every filter reads the parsed value), and summarise counts the event by
   * the first copy, so it is not shown as the event itself (hR113).
   */
  leaveOut(id: string | undefined): void {
    if (id !== undefined) this.leftOut.add(id);
  }

  /** Notes the event with `id` and parsed `value`, and says what it is to those noted before. */
  note(id: string | undefined, value: unknown): CopyNote {
    if (id === undefined) return { duplicate: false, conflict: false };
    const newContent = this.contents.add(`${id}\n${canonicalJson(value)}`);
    const newId = this.ids.add(id);
    if (newId) return { duplicate: false, conflict: this.leftOut.holds(id) };
    return { duplicate: !newContent, conflict: newContent };
  }
}

/** Whether two parsed values are the same content, as `Copies` tells a copy: keys in any order. */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * A parsed value as JSON text with every object's keys in one order, so that key order does not
 * count. Hint: written here rather than by a JSON.stringify replacer, which built a sorted copy of
 * every object and took twice as long; an own `__proto__` key (as JSON.parse makes one) is read as
 * data. A number too large for a double (`1e400`) parses to Infinity, which JSON.stringify writes
 * as `null`: it is written `Infinity`, another value than null.
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value instanceof SourceNumber) return value.value;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const object = value as Record<string, unknown>;
  const members = Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
  return `{${members.join(',')}}`;
}
