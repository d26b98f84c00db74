/**
 * A pipe whose reader has stopped taking what is written to it (a paused consumer, a pager left
 * open): a named pipe, opened for reading and never read, already full. Give `fd` to a child as
 * its stdout or stderr; its next write there waits for ever.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './payloads.js';

export interface StalledPipe {
  /** The write end, for a child's stdio. */
  fd: number;
  /** Closes both ends (the child's reads then end, as at `| head`) and removes the pipe. */
  close(): void;
  /**
   * Reads what the pipe holds now, as a reader that comes back would: the bytes read, the dots
   * it was filled with first included.
   */
  drain(): Buffer;
}

export function stalledPipe(): StalledPipe {
  const dir = tempDir('stalled');
  const path = join(dir, 'pipe');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  // Hint: without waiting: a reader is there. Filled until the kernel takes no more (EAGAIN).
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const block = Buffer.alloc(4096, 0x2e);
  for (;;) {
    try {
      writeSync(fd, block);
    } catch {
      break;
    }
  }
  return {
    fd,
    close() {
      closeSync(fd);
      closeSync(reader);
      rmSync(dir, { recursive: true, force: true });
    },
    drain() {
      const into = Buffer.alloc(64 * 1024);
      const read: Buffer[] = [];
      for (;;) {
        try {
          const n = readSync(reader, into);
          if (n === 0) return Buffer.concat(read);
          read.push(Buffer.from(into.subarray(0, n)));
        } catch {
          // EAGAIN: empty for now.
          return Buffer.concat(read);
        }
      }
    },
  };
}
