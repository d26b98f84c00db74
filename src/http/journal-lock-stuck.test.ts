import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Hint: a folder that takes names but gives none up (chattr +a) needs root and a file system that
// has it (journal.test.ts tries it); removing any file in `stuck` failing as it does there shows
// the same without either.
const folder = vi.hoisted(() => ({ stuck: undefined as string | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>();
  const refuse = (path: unknown) => {
    if (folder.stuck !== undefined && String(path).startsWith(`${folder.stuck}/`)) {
      throw Object.assign(new Error(`EPERM: operation not permitted, unlink '${String(path)}'`), { code: 'EPERM' });
    }
  };
  const rmSync: typeof original.rmSync = (path, options) => {
    refuse(path);
    return original.rmSync(path, options);
  };
  const unlinkSync: typeof original.unlinkSync = (path) => {
    refuse(path);
    return original.unlinkSync(path);
  };
  return { ...original, rmSync, unlinkSync, default: { ...original, rmSync, unlinkSync } };
});
// Hint: the workers share modules between files (isolate: false), so journal.js may already be
// loaded with the real node:fs; loading it afresh here gives it the mock.
vi.resetModules();
// Hint: the workers share modules between files (isolate: false): the mock, and what was loaded
// with it, go with this file, so the next file loads the real ones.
afterAll(() => {
  vi.doUnmock('node:fs');
  vi.resetModules();
});
const { lockJournal } = await import('./journal.js');

const tempPath = (name: string) => join(mkdtempSync(join(tmpdir(), 'callhook-journal-')), name);

describe('a journal lock that cannot be removed', () => {
  it('is said at the end, naming it and why, and left', () => {
    // The failed removal was swallowed: the next run found the lock, and refused the journal as
    // "in use by another replay" naming this run, long ended.
    const path = tempPath('run.jsonl');
    const warnings: string[] = [];
    const release = lockJournal(path, (message) => warnings.push(message));
    folder.stuck = dirname(path);
    try {
      release();
    } finally {
      folder.stuck = undefined;
    }
    expect(warnings).toEqual([
      `cannot remove the journal's lock ${path}.lock (operation not permitted): it is left, naming this run (pid ${process.pid})`,
    ]);
    expect(existsSync(`${path}.lock`)).toBe(true);
  });

  it('left by a run that has ended, is said so, and the run goes on unlocked, at once, run after run', () => {
    // `replay --resume` in a folder that gives no name up (chattr +a) was refused, exit 2, "is in
    // use by another replay (pid N …) … delete ….lock", though pid N had ended and the lock could
    // not be deleted there; after three takeovers it could not make, each waiting on the turn
    // the one before had left.
    const path = tempPath('run.jsonl');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${path}.lock`, `${gone} ${hostname()}\n`);
    folder.stuck = dirname(path);
    const left = `cannot lock the journal ${path}: its lock ${path}.lock was left by replay pid ${gone}, which has ended`;
    const unlocked = 'do not start another replay on it until this one ends';
    try {
      // The second finds the turn to take it over the first could not remove either.
      for (const stuck of [
        'it cannot be removed (operation not permitted)',
        `it cannot be taken over, as the turn a run before took to do so (${path}.lock.takeover) cannot be removed (operation not permitted)`,
      ]) {
        const warnings: string[] = [];
        const started = Date.now();
        const release = lockJournal(path, (message) => warnings.push(message));
        expect(Date.now() - started).toBeLessThan(1000);
        expect(warnings).toEqual([`${left}; ${stuck}: ${unlocked}`]);
        release();
        expect(warnings).toHaveLength(1);
      }
    } finally {
      folder.stuck = undefined;
    }
  });
});
