import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CallhookError } from '../errors.js';
import { fileSink } from './file-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-file-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to `out` through `fileSink`, calling `meanwhile` between the write and the commit; what the commit threw, if anything. */
async function written(
  out: string,
  force: boolean,
  meanwhile: () => void = () => {},
  warnings: string[] = [],
): Promise<unknown> {
  const sink = await fileSink(out, { force, purpose: 'test', warn: (message) => warnings.push(message) });
  await sink.write(Buffer.from('new\n'));
  meanwhile();
  const failed = await sink.commit().then(
    () => undefined,
    (error: unknown) => error,
  );
  await sink.discard();
  return failed;
}

describe('fileSink in a folder other users can write to (no sticky bit)', () => {
  it('touches nothing outside that folder when what it writes is swapped for a symlink meanwhile, and says so, exit 2', async () => {
    // Another user who could write to the folder moved the temporary folder (`.callhook-<purpose>-…`)
    // aside and put a symlink to a private folder of the user's in its place: its file of the same
    // name was then chmod-ed, hard-linked into the shared folder, or (with --force) moved there,
    // and the run ended 0 (red team hR90).
    for (const force of [false, true]) {
      for (const pointsAt of ['folder', 'file'] as const) {
        const shared = mkdtempSync(join(dir, 'shared-'));
        const victim = mkdtempSync(join(dir, 'private-'));
        const secret = join(victim, 'export.json');
        writeFileSync(secret, 'private\n');
        chmodSync(secret, 0o600);
        chmodSync(victim, 0o700);
        const out = join(shared, 'export.json');
        if (force) writeFileSync(out, 'old\n');
        const failed = await written(out, force, () => {
          const [temporary = ''] = readdirSync(shared).filter((name) => name.startsWith('.callhook-test-'));
          renameSync(join(shared, temporary), join(shared, 'moved-aside'));
          symlinkSync(pointsAt === 'folder' ? victim : secret, join(shared, temporary));
        });
        const what = { force, pointsAt };
        expect({ ...what, failed }).toEqual({ ...what, failed: expect.any(CallhookError) });
        expect((failed as CallhookError).exitCode).toBe(2);
        // With --force the rename went through: the file it held before was replaced, which is said (review hR92).
        expect((failed as CallhookError).message).toBe(
          `${out}: another file took the place of the output while it was written (others can write to its folder): what that name holds now is not this output, and is left as it is${force ? '; the file it held before was replaced' : ''}`,
        );
        expect({ ...what, left: readdirSync(victim) }).toEqual({ ...what, left: ['export.json'] });
        const kept = statSync(secret);
        expect({ ...what, mode: kept.mode & 0o7777, links: kept.nlink }).toEqual({ ...what, mode: 0o600, links: 1 });
        expect(readFileSync(secret, 'utf8')).toBe('private\n');
        expect(statSync(victim).mode & 0o7777).toBe(0o700);
        // What the other user put in the folder is theirs: left there.
        expect(lstatSync(out).isSymbolicLink()).toBe(true);
      }
    }
  });

  it('writes the file beside its target, with no folder of its own, and leaves nothing else', async () => {
    const shared = mkdtempSync(join(dir, 'beside-'));
    const out = join(shared, 'export.json');
    const seen: string[][] = [];
    expect(await written(out, false, () => seen.push(readdirSync(shared)))).toBeUndefined();
    expect(seen).toEqual([[expect.stringMatching(/^\.callhook-test-[0-9a-f]{6}$/)]]);
    expect(statSync(join(shared, seen[0]?.[0] ?? '.'), { throwIfNoEntry: false })).toBeUndefined();
    expect(readdirSync(shared)).toEqual(['export.json']);
    expect(readFileSync(out, 'utf8')).toBe('new\n');
  });
});

describe('fileSink replacing a file (--force, replay --report)', () => {
  // Hint: only root can give a file to another user, as happens to a file replaced in a shared folder.
  it.skipIf(process.getuid?.() !== 0)(
    "keeps its owner and group, not the folder's group (setgid), and refuses another user's file",
    async () => {
      // In a setgid folder the report (0640, which may hold a URL's ?token=) took the folder's
      // group, readable by its members (red team hR90). Another user's file, whose owner the file
      // replacing it would keep, is refused: they could rewrite the output (review hR92).
      const folder = join(dir, 'setgid');
      mkdirSync(folder);
      chownSync(folder, 0, 65534);
      chmodSync(folder, 0o2770);
      for (const [uid, gid] of [
        [0, 0],
        [0, 100],
        [65534, 0],
        [65534, 65534],
      ] as const) {
        const out = join(folder, `${uid}-${gid}.json`);
        writeFileSync(out, 'old\n');
        chownSync(out, uid, gid);
        chmodSync(out, 0o640);
        const warnings: string[] = [];
        // Hint: refused up front, by fileSink itself, or not at all.
        const failed = await written(out, true, undefined, warnings).catch((error: unknown) => error);
        const { uid: owner, gid: group, mode } = statSync(out);
        expect({ owner, group, mode: mode & 0o7777 }).toEqual({ owner: uid, group: gid, mode: 0o640 });
        expect(readFileSync(out, 'utf8')).toBe(uid === 0 ? 'new\n' : 'old\n');
        expect(warnings).toEqual([]);
        expect(failed === undefined ? undefined : (failed as CallhookError).message).toBe(
          uid === 0
            ? undefined
            : `${out}: belongs to another user (uid ${uid}), who could rewrite what replaces it (a file replaced keeps its owner); delete it first, or name another file`,
        );
      }
      expect(readdirSync(folder).filter((name) => name.startsWith('.callhook-'))).toEqual([]);
    },
  );
});
