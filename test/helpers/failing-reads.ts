/**
 * A file on disk whose reads fail part way, as a failing disk's do (EIO): Linux gives no regular
 * file that does so on demand (/proc/self/mem fails at its first byte), so the reads of this
 * process are wrapped, the file told apart by what its descriptor names in /proc/self/fd.
 */
import fs, { existsSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { vi } from 'vitest';
import { fileHandlePrototype, isPartialOf } from './failing-calls.js';

type Done = (error: NodeJS.ErrnoException | null, bytesRead: number, buffer: Buffer) => void;

/** The error a read of a failing disk gives, as Node makes it. */
function eio(): NodeJS.ErrnoException {
  return Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' });
}

/**
 * Makes every read of `file` fail with EIO from byte `at` on, a read across it cut there: those
 * of a FileHandle (the input layer's) and of a read stream (the `fs` module's `read`). Only the
 * readings of the file from the `fromReading`th on (counting from 1) fail, so that a first reading
 * can succeed and a second fail: a reading is an open's reads, or a handle's from its byte 0 again
 * (a backup is read back, and then read to write the repair, through the one handle). `file` may
 * be one not made yet (a backup: its reads while it has its partial name fail too, see `isPartialOf`). Undone by `vi.restoreAllMocks()`.
 */
export async function failReadsOf(file: string, at: number, fromReading = 1): Promise<void> {
  const target = existsSync(file) ? realpathSync(file) : join(realpathSync(dirname(file)), basename(file));
  // Keyed by descriptor (forgotten when closed) for the `fs` module's reads, by FileHandle for its own.
  const opened = new Map<unknown, { failing: boolean; read: number; from?: number }>();
  let readings = 0;
  /** What is known of an open file `key` on descriptor `fd` (undefined for another file), first seen now. */
  const stateOf = (key: unknown, fd: number) => {
    let state = opened.get(key);
    if (state === undefined) {
      let path: string | undefined;
      try {
        path = readlinkSync(`/proc/self/fd/${fd}`);
      } catch {}
      if (path !== target && !isPartialOf(path, target)) return undefined;
      state = { failing: false, read: 0 };
      opened.set(key, state);
    }
    return state;
  };
  /** How many bytes a read from `position` (the descriptor's own when null) may take, or an error. */
  const allowed = (state: { failing: boolean; read: number; from?: number }, position: unknown, length: number) => {
    const from = typeof position === 'number' && position >= 0 ? position : state.read;
    if (state.from === undefined || (from === 0 && state.from !== 0)) state.failing = ++readings >= fromReading;
    state.from = from;
    if (!state.failing) return length;
    return from >= at ? eio() : Math.min(length, at - from);
  };

  const readFs = fs.read;
  vi.spyOn(fs, 'read').mockImplementation(((...args: unknown[]) => {
    const [fd, buffer, offset, length, position, done] = args as [number, Buffer, number, number, unknown, Done];
    const state = typeof done === 'function' ? stateOf(fd, fd) : undefined;
    if (state === undefined) return (readFs as (...a: unknown[]) => void)(...args);
    const may = allowed(state, position, length);
    if (typeof may !== 'number') return process.nextTick(done, may, 0, buffer);
    readFs(fd, buffer, offset, may, position as number | null, (error, bytesRead, into) => {
      state.read += bytesRead;
      done(error, bytesRead, into);
    });
  }) as typeof fs.read);
  const closeFs = fs.close;
  vi.spyOn(fs, 'close').mockImplementation(((fd: number, ...rest: unknown[]) => {
    opened.delete(fd);
    return (closeFs as (...a: unknown[]) => void)(fd, ...rest);
  }) as typeof fs.close);

  const prototype = (await fileHandlePrototype()) as unknown as {
    read: (...args: unknown[]) => Promise<{ bytesRead: number; buffer: Buffer }>;
  };
  const readHandle = prototype.read;
  vi.spyOn(prototype, 'read').mockImplementation(async function (this: { fd: number }, ...args: unknown[]) {
    const [buffer, offset, length, position] = args as [Buffer, number, number, unknown];
    const state = Buffer.isBuffer(buffer) && typeof length === 'number' ? stateOf(this, this.fd) : undefined;
    if (state === undefined) return readHandle.apply(this, args);
    const may = allowed(state, position, length);
    if (typeof may !== 'number') throw may;
    const result = await readHandle.call(this, buffer, offset, may, position);
    state.read += result.bytesRead;
    return result;
  });
}
