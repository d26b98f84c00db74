/**
 * Lines of bytes that come a piece at a time: verify's reading of a capture log, and replay's
 * of its journal. Hint: split on the line feed's byte, which is never part of another UTF-8
 * character, so a line split across pieces is decoded whole.
 */
export class LineSplitter {
  #parts: Buffer[] = [];
  #length = 0;
  /** Where the line being read begins: past the lines ended, their LFs too (from the constructor's `at`). */
  #before = 0;
  /** Where the line last ended begins (see the constructor's `at`), and its length, its LF not counted. */
  lineAt = 0;
  lineBytes = 0;

  /**
   * `limit`: a line of more bytes is `undefined`, its bytes only counted, never held; `at`: where
   * the first piece begins in its file, from which lines are placed.
   */
  constructor(
    private readonly limit = Number.POSITIVE_INFINITY,
    at = 0,
  ) {
    this.#before = at;
  }

  /** Where the line being read begins: past the lines ended so far, their LFs too. */
  get nextLineAt(): number {
    return this.#before;
  }

  /**
   * The lines `piece` ends, each decoded as UTF-8. Hint: what it leaves of a line is copied, so
   * the caller may read its next piece into the same memory.
   */
  *push(piece: Buffer): Generator<string | undefined> {
    for (let start = 0; ; ) {
      const end = piece.indexOf(0x0a, start);
      const part = piece.subarray(start, end < 0 ? piece.length : end);
      this.#length += part.length;
      if (this.#length > this.limit) this.#parts = [];
      else if (end < 0) this.#parts.push(Buffer.from(part));
      else this.#parts.push(part);
      if (end < 0) return;
      yield this.end();
      start = end + 1;
    }
  }

  /** Whether bytes of a line not ended yet are held (or counted). */
  get pending(): boolean {
    return this.#length > 0;
  }

  /** The line held so far, ended here (`''` when none); the next bytes begin another. */
  end(): string | undefined {
    const line = this.#length > this.limit ? undefined : Buffer.concat(this.#parts).toString('utf8');
    this.lineAt = this.#before;
    this.lineBytes = this.#length;
    this.#before += this.#length + 1;
    this.#parts = [];
    this.#length = 0;
    return line;
  }
}
