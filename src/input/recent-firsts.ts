/** The last events whose ids were first seen, for naming a redelivery's first copy at once (see input/first-copies.ts). */
import type { Location } from './types.js';

/**
 * Where the last `size` events whose ids were first seen began, newest last: a ring, so that its
 * memory does not grow with the run. A redelivery of one of them is a redelivery of that one.
 */
export class RecentFirsts {
  static readonly size = 1024;
  // Hint: a slot is made the first time the ring reaches it and written over after, so that noting
  // an event allocates nothing once the ring is full, and a read of one body (the library's
  // readEvents per request) makes only the slots it fills: all 1,024 up front cost each call 3-4
  // times the read itself.
  private readonly slots: (Location & { id: string | undefined })[] = [];
  private next = 0;

  /** Notes that the event with `id`, first seen, began at `at`. */
  add(id: string, at: Location): void {
    let slot = this.slots[this.next];
    if (slot === undefined) {
      slot = { id, file: '', line: 0, column: 0, offset: 0, pointer: '' };
      this.slots.push(slot);
    }
    this.next = (this.next + 1) % RecentFirsts.size;
    slot.id = id;
    slot.file = at.file;
    slot.line = at.line;
    slot.column = at.column;
    slot.offset = at.offset;
    slot.pointer = at.pointer;
  }

  /** Where the event with `id` began, when it is among the last first seen. */
  find(id: string): Location | undefined {
    for (let n = 1; n <= this.slots.length; n++) {
      const slot = this.slots[(this.next - n + RecentFirsts.size) % RecentFirsts.size];
      if (slot === undefined || slot.id !== id) continue;
      return { file: slot.file, line: slot.line, column: slot.column, offset: slot.offset, pointer: slot.pointer };
    }
    return undefined;
  }
}
