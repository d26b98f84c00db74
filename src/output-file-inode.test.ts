import { afterAll, describe, expect, it, vi } from 'vitest';

// Hint: a file system that numbers no inode (FAT, some network shares) gives every file 0; here
// stdout is a file on one (and stderr a file numbered 9 on the same device), mocked, since no such file system can be mounted in a test.
// The workers share modules between files (isolate: false), so output-file.js is loaded afresh with it.
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>();
  const fstatSync = ((fd: number, options?: object) =>
    fd === 1
      ? { dev: 7, ino: 0 }
      : fd === 2
        ? { dev: 7, ino: 9 }
        : original.fstatSync(fd, options)) as typeof original.fstatSync;
  return { ...original, fstatSync, default: { ...original, fstatSync } };
});
vi.resetModules();
afterAll(() => {
  vi.doUnmock('node:fs');
  vi.resetModules();
});
const { standardStreamOf } = await import('./output-file.js');

describe('standardStreamOf on a file system with no inode numbers', () => {
  it('takes no file for stdout by its inode 0, as fileId compares none; a numbered one is still told', () => {
    // Compared by device and inode alone, every file there was stdout: `--report /dev/stdout`'s
    // rule (written through, never replaced) was applied to any report on that disk.
    expect(standardStreamOf({ dev: 7, ino: 0 }, [1, 2])).toBeUndefined();
    expect(standardStreamOf({ dev: 7, ino: 0 }, [1])).toBeUndefined();
    expect(standardStreamOf({ dev: 7, ino: 9 }, [1, 2])).toBe(2);
  });
});
