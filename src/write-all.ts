/**
 * Writing bytes whole with `writeSync`, which may take fewer than it is given: a full disk or a
 * file-size limit (`ulimit -f`) cuts a write short, and only the write after it fails.
 */
import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Writes all of `bytes` to the file open as `fd`, where the descriptor is (or at the end, opened
 * to append). Hint: a write that takes none of its bytes fails rather than loops.
 */
export function writeAllSync(fd: number, bytes: Buffer): void {
  const { error } = writeAsMuchSync(fd, bytes);
  if (error !== undefined) throw error;
}

/**
 * Writes `bytes` as `writeAllSync` does, and says how many were written before a write failed,
 * and its error (undefined when all were): for a caller that cuts back what a failure left.
 */
export function writeAsMuchSync(fd: number, bytes: Buffer): { written: number; error: unknown } {
  let at = 0;
  try {
    while (at < bytes.length) {
      const written = writeSync(fd, bytes, at, bytes.length - at, null);
      if (written === 0) throw new Error('a write took none of its bytes');
      at += written;
    }
  } catch (error) {
    return { written: at, error };
  }
  return { written: at, error: undefined };
}

/**
 * Makes `stream` (stdout or stderr) write each chunk whole when it is redirected to a file, so a
 * write cut short is finished, and the one past the limit fails as an error of the stream's.
 * Hint: Node writes such a stream with its SyncWriteStream, one `writeSync` a chunk, and never
 * looks at how many bytes it took: `summarise --format json > out` under `ulimit -f`, or onto a
 * disk that filled part way, lost the rest of its last write and exited 0 (red team hT33). A pipe
 * or a terminal is written by libuv, which finishes short writes itself.
 */
export function writeWholeWhenFile(stream: NodeJS.WriteStream): void {
  if (stream.constructor.name !== 'SyncWriteStream') return;
  const { fd } = stream as unknown as { fd: number };
  (stream as unknown as Writable)._write = (chunk: Buffer, _encoding, done) => {
    try {
      writeAllSync(fd, chunk);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
}
