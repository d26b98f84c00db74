import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  lchownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallhookError } from './errors.js';
import { cannotLink, danglingLinkProblem, openOutputSync } from './output-file.js';

const folder = () => mkdtempSync(join(tmpdir(), 'callhook-output-file-'));
const append = constants.O_WRONLY | constants.O_APPEND;

describe('openOutputSync', () => {
  it('creates a missing file, and appends to an existing one or to a symlink to one', () => {
    const dir = folder();
    const path = join(dir, 'new.jsonl');
    let { fd } = openOutputSync(path, append);
    writeSync(fd, 'a\n');
    closeSync(fd);
    fd = openOutputSync(path, append).fd;
    writeSync(fd, 'b\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('a\nb\n');
    // A link the user made to a file of theirs is written through.
    const link = join(dir, 'link.jsonl');
    symlinkSync('new.jsonl', link);
    fd = openOutputSync(link, append).fd;
    writeSync(fd, 'c\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('a\nb\nc\n');
    expect(danglingLinkProblem(link)).toBeUndefined();
    expect(danglingLinkProblem(path)).toBeUndefined();
    expect(danglingLinkProblem(join(dir, 'missing'))).toBeUndefined();
  });

  it('never creates the target of a dangling symlink: a usage error naming the link and its target', () => {
    const dir = folder();
    const link = join(dir, 'planted.jsonl');
    const target = join(dir, 'victim');
    symlinkSync(target, link);
    for (const flags of [append, constants.O_WRONLY | constants.O_TRUNC]) {
      const refused = (() => {
        try {
          return openOutputSync(link, flags);
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(CallhookError);
      expect((refused as CallhookError).exitCode).toBe(2);
      expect((refused as CallhookError).message).toBe(
        `${link}: is a symlink to ${target}, which does not exist: callhook creates nothing where a link points (name the target itself, or remove the link)`,
      );
    }
    expect(existsSync(target)).toBe(false);
    expect(danglingLinkProblem(link)).toMatch(/^is a symlink to /);
  });

  it('truncates an existing file when asked, as a report is rewritten', () => {
    const path = join(folder(), 'report.json');
    writeFileSync(path, 'an older, longer report\n');
    const { fd } = openOutputSync(path, constants.O_WRONLY | constants.O_TRUNC);
    writeSync(fd, '{}\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
  });

  it('creates a file for the user alone whatever the umask, and keeps the mode of one that exists', () => {
    const dir = folder();
    const umask = process.umask(0);
    try {
      closeSync(openOutputSync(join(dir, 'new.jsonl'), append).fd);
    } finally {
      process.umask(umask);
    }
    expect(statSync(join(dir, 'new.jsonl')).mode & 0o777).toBe(0o600);
    // Hint: a file the user made is theirs to share; it is never made more readable than it was.
    const theirs = join(dir, 'theirs.json');
    writeFileSync(theirs, '');
    chmodSync(theirs, 0o640);
    closeSync(openOutputSync(theirs, constants.O_WRONLY | constants.O_TRUNC).fd);
    expect(statSync(theirs).mode & 0o777).toBe(0o640);
  });

  // Hint: only root can give a symlink to another user (nobody, 65534), as one does who plants it in a shared folder.
  it.skipIf(process.getuid?.() !== 0)(
    "refuses a symlink another user owns, anywhere on the way, writing nothing through it; the user's own is written through",
    () => {
      // `ln -s ~/victim.txt shared/rep.json` by another user, then `replay --report shared/rep.json`,
      // overwrote victim.txt with the report: only the target's owner was checked.
      const dir = folder();
      const victim = join(dir, 'victim.txt');
      writeFileSync(victim, 'precious\n');
      const planted = join(dir, 'rep.json');
      symlinkSync(victim, planted);
      lchownSync(planted, 65534, 65534);
      const refused = (path: string, flags: number) => {
        try {
          closeSync(openOutputSync(path, flags).fd);
        } catch (error) {
          expect(error).toBeInstanceOf(CallhookError);
          expect((error as CallhookError).exitCode).toBe(2);
          return (error as CallhookError).message;
        }
        return 'opened';
      };
      const refusal = (link: string) =>
        `${link}: belongs to another user (uid 65534), who could point this symlink at any file of yours, for callhook to write to; name a file of your own`;
      for (const flags of [append, constants.O_WRONLY | constants.O_TRUNC, constants.O_RDWR | constants.O_APPEND]) {
        expect(refused(planted, flags)).toBe(refusal(planted));
      }
      // A folder on the way: nothing is created in the folder it points to.
      const inside = join(dir, 'inside');
      mkdirSync(inside);
      const via = join(dir, 'via');
      symlinkSync(inside, via);
      lchownSync(via, 65534, 65534);
      expect(refused(join(via, 'deliveries.meta'), append)).toBe(refusal(via));
      expect(readdirSync(inside)).toEqual([]);
      // `..` after it, in the path given: the kernel follows the link, then goes up from where it
      // points (`via/../x` is `dir/x` only as text), so the link is on the way all the same.
      const deeper = join(inside, 'deeper');
      mkdirSync(deeper);
      const up = join(dir, 'up');
      symlinkSync(deeper, up);
      lchownSync(up, 65534, 65534);
      expect(refused(`${up}/../planted.json`, append)).toBe(refusal(up));
      expect(readdirSync(inside)).toEqual(['deeper']);
      // A link of the user's own that leads through theirs.
      const mine = join(dir, 'mine.json');
      symlinkSync('rep.json', mine);
      expect(refused(mine, append)).toBe(refusal(planted));
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      // The user's own link, and root's (as /dev/stdout is), are written through.
      lchownSync(planted, 0, 0);
      expect(refused(mine, append)).toBe('opened');
      expect(refused(planted, append)).toBe('opened');
    },
  );
});

describe('cannotLink', () => {
  it("tells a file system with no hard links (FAT, exFAT, some shares) from link's other failures", () => {
    // Three lists did this before, and the journal's lacked EOPNOTSUPP (red team hT30).
    const failed = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'])
      expect(cannotLink(failed(code)), code).toBe(true);
    for (const code of ['EEXIST', 'ENOENT', 'EACCES', 'EXDEV', 'ENOSPC'])
      expect(cannotLink(failed(code)), code).toBe(false);
    expect(cannotLink(new Error('no code'))).toBe(false);
    expect(cannotLink(undefined)).toBe(false);
  });
});
