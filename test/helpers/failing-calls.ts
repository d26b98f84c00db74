/**
 * File-system calls that fail on one file, as a file system refusing them does (an NFS or FUSE
 * mount, a file made immutable): run as root on a local disk, `chmod` and `rm` never fail on demand.
 */
import { readdirSync, statSync } from 'node:fs';
import fsPromises, { type FileHandle, open } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { partialBackupMark } from '../../src/commands/fix.js';

/** Whether `path` names the backup `file` while it is made, before it is whole (see `partialBackupMark`). */
export function isPartialOf(path: unknown, file: string): boolean {
  return typeof path === 'string' && path.replace(/ \(deleted\)$/, '').startsWith(`${file}${partialBackupMark}`);
}

/**
 * Whether `path` is `file`, or, when `file` ends in `partialBackupMark` (`x.json.bak.partial-`), one
 * of the partial backups named so.
 */
function isNamed(path: unknown, file: string): boolean {
  return path === file || (file.endsWith(partialBackupMark) && typeof path === 'string' && path.startsWith(file));
}

/** The files `file` names (see `isNamed`) in its folder. */
function filesNamed(file: string): string[] {
  const folder = dirname(file);
  return readdirSync(folder)
    .map((name) => join(folder, name))
    .filter((path) => isNamed(path, file));
}

/** The prototype FileHandles share, to spy on a method of all of them. */
export async function fileHandlePrototype(): Promise<FileHandle> {
  const probe = await open(fileURLToPath(import.meta.url), 'r');
  await probe.close();
  return Object.getPrototypeOf(probe) as FileHandle;
}

/**
 * Makes every call of `name` on `file` fail with the error of `code` (EPERM, EACCES, …), as Node
 * makes it: `rm` of fs/promises, by name; `chmod` and `chown` of a FileHandle open on it, the
 * handle told to be the file's by its device and inode (`file` may be one not made yet: a backup;
 * `x.json.bak.partial-` names every partial backup of `x.json.bak`, see `partialBackupMark`).
 * Calls on other files go through (or fail as an earlier call made them). Hint: a module imports
 * `rm` by name (`import { rm } from 'node:fs/promises'`), a binding Node updates from the module's
 * object only in `syncBuiltinESMExports`: call it again after `vi.restoreAllMocks()`.
 */
export async function failCallsOn(
  name: 'chmod' | 'chown' | 'rm',
  file: string,
  code: string,
  message: string,
): Promise<void> {
  type Call = (this: unknown, ...args: unknown[]) => Promise<void>;
  const failure = (call: string) =>
    Object.assign(new Error(`${code}: ${message}, ${call} '${file}'`), { code, syscall: call, path: file });
  // Hint: a second spy on the same function is the first: its files keep failing.
  const unmocked = (current: Call) =>
    vi.isMockFunction(current) ? ((current.getMockImplementation() ?? current) as Call) : current;
  if (name === 'rm') {
    const real = unmocked(fsPromises.rm as Call);
    vi.spyOn(fsPromises, 'rm').mockImplementation((async (path: unknown, ...rest: unknown[]) => {
      if (!isNamed(path, file)) return real(path, ...rest);
      throw failure('rm');
    }) as never);
    syncBuiltinESMExports();
    return;
  }
  const prototype = await fileHandlePrototype();
  const real = unmocked(prototype[name] as Call);
  vi.spyOn(prototype, name).mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
    const opened = await this.stat();
    const names = filesNamed(file).map((path) => statSync(path, { throwIfNoEntry: false }));
    if (!names.some((named) => named?.dev === opened.dev && named.ino === opened.ino)) return real.apply(this, args);
    throw failure(`f${name}`);
  } as never);
}
