/** The last events whose ids were first seen, for naming a redelivery's first copy at once (see input/first-copies.ts). */
import { impossible } from '../errors.js';
import type { Location } from './types.js';

/**
 * Where the last `size` events whose ids were first seen began, newest last: a ring, so that its
 * memory does not grow with the run. A redelivery of one of them is a redelivery of that one.
 */
export class RecentFirsts {
  static readonly size = 1024;
  // Hint: the slots are made once and written over, so that noting an event allocates nothing.
  private readonly slots: (Location & { id: string | undefined })[] = Array.from({ length: RecentFirsts.size }, () => ({
    id: undefined,
    file: '',
    line: 0,
    column: 0,
    offset: 0,
    pointer: '',
  }));
  private next = 0;

  /** Notes that the event with `id`, first seen, began at `at`. */
  add(id: string, at: Location): void {
    const slot = this.slots[this.next] ?? impossible('next is kept below the ring size');
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
    for (let n = 1; n <= RecentFirsts.size; n++) {
      const slot = this.slots[(this.next - n + RecentFirsts.size) % RecentFirsts.size];
      if (slot === undefined || slot.id !== id) continue;
      return { file: slot.file, line: slot.line, column: slot.column, offset: slot.offset, pointer: slot.pointer };
    }
    return undefined;
  }
}
