/** Output that keeps memory to the bytes it holds when its reader is slow or has stopped (listen's stdout). */

/**
 * Writes to a stream, gathering what the stream has not yet taken into one buffer, written as one
 * once it has (`drain`). Hint: a write a turn, or a string joined to a string, kept ~1 KB of the
 * stream's or V8's bookkeeping per 120-byte line waiting, and a 96 MB heap ran out before 16 MiB
 * of lines waited (hT60).
 */
export class GatheringWriter {
  private held = Buffer.alloc(0);
  private heldBytes = 0;
  private blocked = false;

  constructor(private readonly out: NodeJS.WritableStream & { readonly writableLength: number }) {}

  /** Writes `text`, or holds it while the stream has not taken what it was given before. */
  write(text: string | Buffer): void {
    if (!this.blocked) {
      if (!this.out.write(text)) {
        this.blocked = true;
        this.out.once('drain', () => {
          this.blocked = false;
          const lines = this.take();
          if (lines.length > 0) this.write(lines);
        });
      }
      return;
    }
    const size = this.heldBytes + Buffer.byteLength(text);
    if (size > this.held.length) {
      const larger = Buffer.allocUnsafe(Math.max(size, 2 * this.held.length, 64 * 1024));
      this.held.copy(larger, 0, 0, this.heldBytes);
      this.held = larger;
    }
    this.heldBytes +=
      typeof text === 'string' ? this.held.write(text, this.heldBytes) : text.copy(this.held, this.heldBytes);
  }

  /** The bytes written and not yet taken by the stream's reader, those held included. */
  get waiting(): number {
    return this.out.writableLength + this.heldBytes;
  }

  /**
   * Hands what is held to the stream now, for a run's end, which waits for the stream to take
   * what it was given. Hint: taken out first, so that the wait for `drain` finds nothing held and
   * writes no line twice (review hR57).
   */
  release(): void {
    const lines = this.take();
    if (lines.length > 0) this.out.write(lines);
  }

  private take(): Buffer {
    const lines = this.held.subarray(0, this.heldBytes);
    this.held = Buffer.alloc(0);
    this.heldBytes = 0;
    return lines;
  }
}
