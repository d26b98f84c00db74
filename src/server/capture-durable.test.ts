/**
 * `listen --durable`: a save resolves (and listen answers 2xx) only once the body is flushed to the
 * disk, the folder too when a file was made, before its line goes to a log opened with O_DSYNC.
 * Hint: every other capture test passes as well with the flushes gone (red team hR123), so these
 * watch the calls themselves: node:fs's fdatasync and fsync, and the log's open flags in /proc.
 */
import { constants, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/helpers/payloads.js';

/**
 * Each flush as it was asked for: which, of what (its inode: a body of a file of its own is
 * flushed under a temporary name, then given its own), and how long the log was then.
 */
const flushes = vi.hoisted(() => [] as Array<{ call: 'fdatasync' | 'fsync'; ino: number; logBytes: number }>);
/** The folder whose log `logBytes` measures. */
const watched = vi.hoisted(() => ({ folder: '' }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const record = (call: 'fdatasync' | 'fsync', fd: number) => {
    const log = join(watched.folder, 'deliveries.meta');
    const logBytes = real.existsSync(log) ? real.statSync(log).size : -1;
    flushes.push({ call, ino: real.fstatSync(fd).ino, logBytes });
  };
  const fdatasync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    record('fdatasync', fd);
    real.fdatasync(fd, callback);
  };
  const fsync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    record('fsync', fd);
    real.fsync(fd, callback);
  };
  return { ...real, fdatasync, fsync, default: { ...real, fdatasync, fsync } };
});

// Hint: the workers share modules between files (isolate: false), so capture.js may already be
// loaded with the real node:fs; loading it afresh here gives it the mock.
vi.resetModules();
afterAll(() => {
  vi.doUnmock('node:fs');
  vi.resetModules();
});
const { CaptureWriter } = await import('./capture.js');

/** The open flags of this process's descriptor of `path` (Linux: /proc/self/fdinfo), or undefined. */
function openFlags(path: string): number | undefined {
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== path) continue;
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined) return Number.parseInt(flags, 8);
    } catch {
      // closed since it was listed
    }
  }
  return undefined;
}

const facts = { receivedAt: '2026-12-07T00:00:00.000Z', method: 'POST', path: '/', headers: [], status: 200 };

describe.runIf(process.platform === 'linux')('listen --durable', () => {
  it.each([
    ['a body on a line of an .ndjson file', '[1]', true, '000001.ndjson'],
    ['a body in a .json file of its own', '[\n1\n]', true, '000001.json'],
    ['a body answered otherwise, in a .body file', 'not json', false, '000001.body'],
  ])(
    'flushes %s and the folder before the line that names it, to a log written with O_DSYNC',
    async (_, body, json, name) => {
      const folder = tempDir('durable');
      watched.folder = folder;
      flushes.length = 0;
      const capture = await CaptureWriter.open(folder, { durable: true });
      try {
        const log = join(folder, 'deliveries.meta');
        expect((openFlags(log) ?? 0) & constants.O_DSYNC).toBe(constants.O_DSYNC);
        const saved = await capture.save(Buffer.from(body), facts, json);
        expect(saved.body.split(':')[0]).toBe(name);
        // When the save resolved: the body and the folder flushed, each while the log held no line yet.
        const file = join(folder, name);
        expect(flushes.filter((flush) => flush.logBytes > 0)).toEqual([]);
        expect(flushes.map(({ call, ino }) => `${call} ${ino}`)).toEqual(
          expect.arrayContaining([`fdatasync ${statSync(file).ino}`, `fsync ${statSync(folder).ino}`]),
        );
        expect(statSync(log).size).toBeGreaterThan(0);
      } finally {
        await capture.close();
      }
    },
  );

  it('flushes nothing and writes its log plainly without --durable, so the test above tells them apart', async () => {
    const folder = tempDir('not-durable');
    watched.folder = folder;
    flushes.length = 0;
    const capture = await CaptureWriter.open(folder, { durable: false });
    try {
      expect((openFlags(join(folder, 'deliveries.meta')) ?? -1) & constants.O_DSYNC).toBe(0);
      await capture.save(Buffer.from('[1]'), facts, true);
      expect(flushes).toEqual([]);
    } finally {
      await capture.close();
    }
  });
});
