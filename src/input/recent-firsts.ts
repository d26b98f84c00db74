/** The last events whose ids were first seen, for naming a redelivery's first copy at once (see input/first-copies.ts). */
import type { Location } from './types.js';

/**
 * Where the last `size` events whose ids were first seen began, newest last: a ring, so that its
 * memory does not grow with the run. A redelivery of one of them is a redelivery of that one.
 */
export class RecentFirsts {
  static readonly size = 1024;
  private readonly ids: (string | undefined)[] = new Array(RecentFirsts.size);
  private readonly files: string[] = new Array(RecentFirsts.size);
  private readonly pointers: string[] = new Array(RecentFirsts.size);
  // Line, column and offset of each.
  private readonly places = new Float64Array(RecentFirsts.size * 3);
  private next = 0;

  /** Notes that the event with `id`, first seen, began at `at`. */
  add(id: string, at: Location): void {
    const slot = this.next;
    this.next = (slot + 1) % RecentFirsts.size;
    this.ids[slot] = id;
    this.files[slot] = at.file;
    this.pointers[slot] = at.pointer;
    this.places[slot * 3] = at.line;
    this.places[slot * 3 + 1] = at.column;
    this.places[slot * 3 + 2] = at.offset;
  }

  /** Where the event with `id` began, when it is among the last first seen. */
  find(id: string): Location | undefined {
    for (let n = 1; n <= RecentFirsts.size; n++) {
      const slot = (this.next - n + RecentFirsts.size) % RecentFirsts.size;
      if (this.ids[slot] !== id) continue;
      const [line, column, offset] = this.places.subarray(slot * 3, slot * 3 + 3);
      return { file: this.files[slot]!, line: line!, column: column!, offset: offset!, pointer: this.pointers[slot]! };
    }
    return undefined;
  }
}
