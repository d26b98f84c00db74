/**
 * A set of strings that keeps only a 64-bit fingerprint of each, in one typed array: 16 bytes
 * an entry, in a table kept a quarter to half full, so remembering every event id of a 2 GB export
 * (about two million) takes 32 to 64 MiB (96 MiB for a moment while the table grows) instead of
 * the ~200 MiB a `Set<string>` would. Two different ids collide with a
 * probability of about n²/2⁶⁵ (one in ~10⁷ for two million ids), which would count one event as
 * a redelivery: an acceptable price for bounded memory.
 *
 * The fingerprints are taken under a seed, random for each process: ids crafted to collide
 * under a known seed (so that a real event is counted as a redelivery, or every id piles into
 * one chain of the table) cannot be crafted for an unknown one. A worker whose sets are compared
 * with its parent's takes the parent's seed (`useFingerprintSeed`).
 */
import { randomBytes } from 'node:crypto';

let processSeed = randomBytes(4).readUInt32LE(0);

/** The seed of the sets this process makes, to hand to a worker. */
export function fingerprintSeed(): number {
  return processSeed;
}

/** Makes the sets this process makes from now on use `seed` (a worker takes its parent's). */
export function useFingerprintSeed(seed: number): void {
  processSeed = seed >>> 0;
}

export class FingerprintSet {
  private table = new Uint32Array(2 * 1024);
  // When asked for: at each entry's slot, the order in which its key was first added (0, 1, ...).
  private order: Uint32Array | undefined;
  private size = 0;
  private readonly seed: number;
  /** The last fingerprint taken (see `fingerprint`). Hint: two fields, not a pair allocated per id. */
  private h1 = 0;
  private h2 = 0;

  /**
   * `ordered`: remember the order in which keys were first added (4 more bytes a slot), for
   * `shared`. `seed`: the process's unless given; sets compared with `shared` need the same one.
   */
  constructor(options: { ordered?: boolean; seed?: number } = {}) {
    if (options.ordered) this.order = new Uint32Array(this.table.length / 2);
    this.seed = (options.seed ?? processSeed) >>> 0;
  }

  /** How many distinct fingerprints the set holds. */
  get count(): number {
    return this.size;
  }

  /** Adds `key`; returns false when it (or its fingerprint) was already there. */
  add(key: string): boolean {
    this.fingerprint(key);
    if ((this.size + 1) * 2 > this.table.length / 2) this.grow();
    return this.insert(this.h1, this.h2, this.size);
  }

  /** Whether `key` (or its fingerprint) is there, adding nothing. */
  holds(key: string): boolean {
    this.fingerprint(key);
    return this.has(this.h1, this.h2);
  }

  /** Takes `key`'s fingerprint into `h1` and `h2`. */
  private fingerprint(key: string): void {
    // cyrb53's two 32-bit lanes, seeded as cyrb53 is, kept whole: a 64-bit fingerprint.
    let h1 = 0xdeadbeef ^ this.seed;
    let h2 = 0x41c6ce57 ^ this.seed;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    h1 >>>= 0;
    h2 >>>= 0;
    // (0, 0) marks an empty slot.
    this.h1 = h1;
    this.h2 = h1 === 0 && h2 === 0 ? 1 : h2;
  }

  /**
   * The table itself (pairs of 32-bit halves, (0, 0) empty) and, for an `ordered` set, the order
   * of each slot's entry: to hand to another thread's `shared`.
   */
  snapshot(): { table: Uint32Array; order: Uint32Array | undefined } {
    return { table: this.table, order: this.order };
  }

  /**
   * The entries of another set's `snapshot()` that this set holds too, each as the order in
   * which the other set first added it (its slot's index when that set was not `ordered`),
   * lowest first.
   */
  shared(other: { table: Uint32Array; order: Uint32Array | undefined }): number[] {
    const found: number[] = [];
    const table = other.table;
    const order = other.order;
    // The table's length is even, so both halves are there; reading none would be (0, 0), an empty slot.
    for (let i = 0; i < table.length; i += 2) {
      const h1 = table[i] ?? 0;
      const h2 = table[i + 1] ?? 0;
      if ((h1 !== 0 || h2 !== 0) && this.has(h1, h2)) found.push(order ? (order[i / 2] ?? 0) : i / 2);
    }
    return found.sort((a, b) => a - b);
  }

  private has(h1: number, h2: number): boolean {
    const slot = this.slotOf(h1, h2);
    return this.table[slot] !== 0 || this.table[slot + 1] !== 0;
  }

  private insert(h1: number, h2: number, order: number): boolean {
    const slot = this.slotOf(h1, h2);
    if (this.table[slot] !== 0 || this.table[slot + 1] !== 0) return false;
    this.table[slot] = h1;
    this.table[slot + 1] = h2;
    if (this.order) this.order[slot / 2] = order;
    this.size++;
    return true;
  }

  /** The index in the table where the fingerprint is, or the empty place where it would go. */
  private slotOf(h1: number, h2: number): number {
    const table = this.table;
    const mask = table.length / 2 - 1;
    for (let slot = h1 & mask; ; slot = (slot + 1) & mask) {
      // The slot is masked into the table, so the reads are defined; === needs no number.
      const a = table[slot * 2];
      const b = table[slot * 2 + 1];
      if ((a === 0 && b === 0) || (a === h1 && b === h2)) return slot * 2;
    }
  }

  private grow(): void {
    const old = this.table;
    const oldOrder = this.order;
    this.table = new Uint32Array(old.length * 2);
    if (oldOrder) this.order = new Uint32Array(this.table.length / 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const h1 = old[i] ?? 0;
      const h2 = old[i + 1] ?? 0;
      if (h1 !== 0 || h2 !== 0) this.insert(h1, h2, oldOrder ? (oldOrder[i / 2] ?? 0) : 0);
    }
  }
}
