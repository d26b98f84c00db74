/** replay in process, where the input changes between its listing and its reading. */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { capture } from '../../test/helpers/capture.js';
import { startServer, type TestServer } from '../../test/helpers/http-server.js';
import { attempt, tempDir } from '../../test/helpers/payloads.js';
import { replayDefaults } from '../../test/helpers/replay-options.js';
import { unwrapped } from '../../test/helpers/run-cli.js';

// Hint: a file deleted in the moment between the listing and what follows it cannot be timed from
// outside: the listing itself deletes it once it has listed it, or the fingerprint once it has read it.
const gone = vi.hoisted(() => {
  const files = { afterListing: '', afterFingerprint: '' };
  /** `call`, then the file `files[moment]` names deleted, once. */
  const after =
    <A extends unknown[], R>(moment: keyof typeof files, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await call(...args);
      const file = files[moment];
      files[moment] = '';
      if (file) (await import('node:fs')).unlinkSync(file);
      return result;
    };
  return { files, after };
});
vi.mock('../input/read.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../input/read.js')>();
  return { ...original, listSources: gone.after('afterListing', original.listSources) };
});
vi.mock('../http/journal.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../http/journal.js')>();
  return { ...original, fingerprintInputs: gone.after('afterFingerprint', original.fingerprintInputs) };
});
// Hint: the workers share modules between files (isolate: false): loaded afresh with the mocks,
// and unmocked after, so the next file loads the real ones.
vi.resetModules();
afterAll(() => {
  vi.doUnmock('../input/read.js');
  vi.doUnmock('../http/journal.js');
  vi.resetModules();
});
const { replayCommand } = await import('./replay.js');

const dir = tempDir('replay');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder `name` of three files of one event each, `a.json`, `b.json` and `c.json`; the path of `b.json`. */
function threeFiles(name: string): { folder: string; lost: string } {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const [n, file] of ['a', 'b', 'c'].entries()) {
    writeFileSync(join(folder, `${file}.json`), JSON.stringify(attempt(n)));
  }
  return { folder, lost: join(folder, 'b.json') };
}

/** What validate, show, summarise and trace say of a file gone since it was listed. */
const cannotBeRead = (file: string) => `callhook: ${file}:1:1: cannot be read: no such file or directory\n`;

describe('replay of a folder one of whose files is deleted after it is listed', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    process.exitCode = undefined;
    await server?.close();
    server = undefined;
  });

  /** A receiver, `threeFiles(name)` whose `b.json` is deleted at `moment`, and replay's options to send them with a --journal. */
  async function journalled(name: string, moment: keyof typeof gone.files) {
    const receiver = await startServer();
    server = receiver;
    const { folder, lost } = threeFiles(name);
    gone.files[moment] = lost;
    const journal = join(dir, `${name}.jsonl`);
    return {
      receiver,
      folder,
      lost,
      journal,
      options: { ...replayDefaults, url: receiver.url, format: 'json', journal } as const,
    };
  }

  it('says the file cannot be read, in one line naming it, as validate does, and sends the others', async () => {
    const { folder, lost } = threeFiles('dry');
    gone.files.afterListing = lost;
    const options = { ...replayDefaults, dryRun: true, format: 'json' } as const;
    // Before: "internal error: ENOENT: no such file or directory, stat '…/b.json'", nothing sent;
    // and deleted a moment later, left out of the run without a word, exit 0.
    const { stdout, stderr } = await capture(() => replayCommand([folder], options));
    expect(unwrapped(stderr)).toBe(cannotBeRead(lost));
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).source),
    ).toEqual([`${join(folder, 'a.json')}:1:1`, `${join(folder, 'c.json')}:1:1`]);
    expect(process.exitCode).toBe(2);
  });

  it('with --journal, before its fingerprint is taken: stops in one line naming it, nothing sent, no journal left', async () => {
    const { receiver, folder, lost, journal, options } = await journalled('before-fingerprint', 'afterListing');
    // Before: "internal error: ENOENT: no such file or directory, stat '…/b.json'".
    await expect(capture(() => replayCommand([folder], options))).rejects.toThrow(`${lost}: no such file or directory`);
    expect(receiver.requests).toHaveLength(0);
    expect(existsSync(journal)).toBe(false);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it('with --journal, once its fingerprint is taken: journals what it sent, and --resume sends none of it again', async () => {
    const { receiver, folder, lost, options } = await journalled('after-fingerprint', 'afterFingerprint');
    // Before: "internal error: ENOENT: no such file or directory, stat '…/b.json'", nothing sent.
    const first = await capture(() => replayCommand([folder], options));
    expect(unwrapped(first.stderr)).toBe(cannotBeRead(lost));
    expect(process.exitCode).toBe(2);
    expect(receiver.requests).toHaveLength(2);
    // The input is not the one the journal's fingerprint holds: refused, with what to do, nothing sent again.
    await expect(capture(() => replayCommand([folder], { ...options, resume: true }))).rejects.toThrow(
      `${lost} is gone: put it back as it was`,
    );
    expect(receiver.requests).toHaveLength(2);
  });
});
