import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAllSync, writeAsMuchSync } from './write-all.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-write-all-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAsMuchSync', () => {
  it('writes all of the bytes and says so, or says how many before the write that failed, and its error', () => {
    const file = join(dir, 'out');
    const fd = openSync(file, 'a');
    expect(writeAsMuchSync(fd, Buffer.from('abc'))).toEqual({ written: 3, error: undefined });
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('abc');
    // listen's log on a full disk: what it wrote is cut back by the count, so it must be told.
    const full = openSync('/dev/full', 'w');
    const { written, error } = writeAsMuchSync(full, Buffer.from('abc'));
    closeSync(full);
    expect({ written, code: (error as NodeJS.ErrnoException).code }).toEqual({ written: 0, code: 'ENOSPC' });
    const again = openSync('/dev/full', 'w');
    expect(() => writeAllSync(again, Buffer.from('abc'))).toThrow(/ENOSPC/);
    closeSync(again);
  });
});
