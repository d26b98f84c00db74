import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Hint: a network file system may report a write that failed only when the file is closed (EIO,
// ENOSPC, EDQUOT); as there, the temporary file's close closes it, then fails.
const nfs = vi.hoisted(() => ({ failClose: false, failStat: false, failLstat: false }));
// Hint: and a step between fileSink's look at a name and its open of it, as another user who can
// write to the folder could take: the symlink `at` is pointed at `to`.
const swap = vi.hoisted(() => ({ at: '', to: '' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  const { unlinkSync: unlink, symlinkSync: symlink } = await import('node:fs');
  const open = (async (...args: Parameters<typeof original.open>) => {
    if (swap.at !== '' && String(args[0]) === swap.at) {
      unlink(swap.at);
      symlink(swap.to, swap.at);
      swap.at = '';
    }
    const handle = await original.open(...args);
    if (String(args[0]).includes('.callhook-test-')) {
      const stat = handle.stat.bind(handle);
      handle.stat = (async (...options: Parameters<typeof handle.stat>) => {
        if (nfs.failStat)
          throw Object.assign(new Error('EIO: i/o error, fstat'), { code: 'EIO', errno: -5, syscall: 'fstat' });
        return stat(...options);
      }) as typeof handle.stat;
      const close = handle.close.bind(handle);
      handle.close = async () => {
        await close();
        if (nfs.failClose)
          throw Object.assign(new Error('EIO: i/o error, close'), { code: 'EIO', errno: -5, syscall: 'close' });
      };
    }
    return handle;
  }) as typeof original.open;
  const lstat = (async (...args: Parameters<typeof original.lstat>) => {
    if (nfs.failLstat && String(args[0]).includes('.callhook-test-'))
      throw Object.assign(new Error('EACCES: permission denied, lstat'), {
        code: 'EACCES',
        errno: -13,
        syscall: 'lstat',
      });
    return original.lstat(...args);
  }) as typeof original.lstat;
  return { ...original, open, lstat, default: { ...original, open, lstat } };
});
// Hint: the workers share modules between files (isolate: false), so file-sink.js may already be
// loaded with the real node:fs/promises; loading it afresh here gives it the mock.
vi.resetModules();
const dir = mkdtempSync(join(tmpdir(), 'callhook-file-sink-close-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.doUnmock('node:fs/promises');
  vi.resetModules();
});
const { fileSink } = await import('./file-sink.js');
const { CallhookError } = await import('../errors.js');

describe('fileSink when closing what it wrote fails', () => {
  it('leaves the file it would replace as it was, and no temporary file, and says why', async () => {
    // The file took its name first and was closed after (hF77): with --force, an EIO at the close
    // came once the old file had been replaced by one whose end the file system had not kept.
    for (const force of [true, false]) {
      const folder = mkdtempSync(join(dir, 'close-'));
      const out = join(folder, 'r.json');
      if (force) writeFileSync(out, 'old\n');
      const sink = await fileSink(out, { force, purpose: 'test', warn: () => {} });
      await sink.write(Buffer.from('new\n'));
      nfs.failClose = true;
      const failed = await sink.commit().then(
        () => undefined,
        (error: unknown) => error,
      );
      nfs.failClose = false;
      await sink.discard();
      expect({ force, failed }).toEqual({ force, failed: expect.any(CallhookError) });
      expect((failed as InstanceType<typeof CallhookError>).message).toBe(`${out}: i/o error`);
      expect({ force, left: readdirSync(folder) }).toEqual({ force, left: force ? ['r.json'] : [] });
      if (force) expect(readFileSync(out, 'utf8')).toBe('old\n');
    }
  });
});

describe('fileSink given a device whose name is pointed elsewhere before it is opened', () => {
  it("writes nothing into what it leads to then, a file of the user's, and says so in one line, exit 2", async () => {
    // Found a symlink to /dev/null, then opened by name O_WRONLY|O_TRUNC: pointed meanwhile at a file
    // (or a disk), that was emptied and written over, no --force asked (task hF80 #2).
    const secret = join(dir, 'secret.json');
    writeFileSync(secret, 'private\n');
    const out = join(dir, 'out.json');
    symlinkSync('/dev/null', out);
    Object.assign(swap, { at: out, to: secret });
    const failed = await fileSink(out, { force: false, purpose: 'test', warn: () => {} }).then(
      async (sink) => {
        await sink.write(Buffer.from('new\n'));
        await sink.commit();
      },
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(CallhookError);
    expect((failed as InstanceType<typeof CallhookError>).exitCode).toBe(2);
    expect((failed as InstanceType<typeof CallhookError>).message).toBe(
      `${out}: is no longer a character device; nothing was written to it`,
    );
    expect(readFileSync(secret, 'utf8')).toBe('private\n');
    unlinkSync(out);
  });

  it('removes its temporary file when what it made cannot be asked who it is, and says why', async () => {
    // The file's device and inode, read once it is made, tell its name apart from another put in
    // its place; when that read failed, the file was left behind without a word (review hR92).
    const folder = mkdtempSync(join(dir, 'stat-'));
    nfs.failStat = true;
    const failed = await fileSink(join(folder, 'r.json'), { force: false, purpose: 'test', warn: () => {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    nfs.failStat = false;
    expect((failed as Error | undefined)?.message).toBe(`${join(folder, 'r.json')}: i/o error`);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('says its temporary file is left behind when it cannot look at its name to remove it', async () => {
    // A look at the name that failed (EACCES) was taken for another file in its place: the file
    // was left, and the warning its comment promises never said so (review hR92).
    const folder = mkdtempSync(join(dir, 'lstat-'));
    const warnings: string[] = [];
    const sink = await fileSink(join(folder, 'r.json'), {
      force: false,
      purpose: 'test',
      warn: (m) => warnings.push(m),
    });
    nfs.failLstat = true;
    await sink.discard();
    nfs.failLstat = false;
    const [left = ''] = readdirSync(folder);
    expect(warnings).toEqual([
      `the temporary file ${join(folder, left)} is left behind (could not remove it: permission denied)`,
    ]);
  });
});
