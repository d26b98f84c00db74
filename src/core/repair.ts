/** Applies `fix`'s repairs to a byte stream. Pure: bytes in, bytes out. */
import type { Repair } from '../input/types.js';

/** Sorts repairs by offset and drops exact duplicates. */
export function orderRepairs(repairs: readonly Repair[]): Repair[] {
  const sorted = [...repairs].sort((a, b) => a.offset - b.offset || a.deleteBytes - b.deleteBytes);
  return sorted.filter(
    (repair, i) =>
      i === 0 ||
      repair.offset !== sorted[i - 1]!.offset ||
      repair.deleteBytes !== sorted[i - 1]!.deleteBytes ||
      repair.insert !== sorted[i - 1]!.insert,
  );
}

/** Copies `chunks` with `repairs` (sorted by offset) applied: insertions and deletions at byte offsets. */
export async function* applyRepairs(chunks: AsyncIterable<Buffer>, repairs: readonly Repair[]): AsyncGenerator<Buffer> {
  let next = 0;
  let offset = 0;
  let skip = 0;
  for await (const chunk of chunks) {
    let from = 0;
    const end = offset + chunk.length;
    while (true) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - from);
        from += n;
        skip -= n;
        if (skip > 0) break;
      }
      const repair = repairs[next];
      if (!repair || repair.offset >= end) break;
      const at = Math.max(from, repair.offset - offset);
      if (at > from) yield chunk.subarray(from, at);
      if (repair.insert) yield Buffer.from(repair.insert);
      from = at;
      skip = repair.deleteBytes;
      next++;
    }
    if (from < chunk.length) yield chunk.subarray(from);
    offset = end;
  }
  // Insertions at the very end of the file (a missing closing bracket).
  for (; next < repairs.length; next++) if (repairs[next]!.insert) yield Buffer.from(repairs[next]!.insert);
}
