import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Hint: a machine with no host name (a minimal sandbox, `unshare --uts` with none set); the
// workers share modules between files (isolate: false), so journal.js is loaded afresh with it.
vi.mock('node:os', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:os')>();
  const hostname = () => '';
  return { ...original, hostname, default: { ...original, hostname } };
});
vi.resetModules();
// Hint: the workers share modules between files (isolate: false): the mock, and what was loaded
// with it, go with this file, so the next file loads the real ones.
afterAll(() => {
  vi.doUnmock('node:os');
  vi.resetModules();
});
const { lockJournal } = await import('./journal.js');

describe('a journal lock on a machine with no host name', () => {
  it('is still held by its live run, however old, and refused to a second run', () => {
    // Written with an empty host field, the lock read as one with no id, which counts as gone once
    // 5 s old: a second run took it over from the live one, and 60 batches went out as 81 (red team hT37).
    const path = join(mkdtempSync(join(tmpdir(), 'callhook-journal-')), 'run.jsonl');
    lockJournal(path, () => {});
    // As another run still going wrote it: its id made this one's parent's, which runs.
    const lock = `${path}.lock`;
    writeFileSync(lock, readFileSync(lock, 'utf8').replace(/^\d+/, String(process.ppid)));
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    expect(() => lockJournal(path, () => {})).toThrow(
      new RegExp(`is in use by another replay \\(pid ${process.ppid}, `),
    );
  });
});
