/**
 * File-system calls that fail on one file, as a file system refusing them does (an NFS or FUSE
 * mount, a file made immutable): run as root on a local disk, `chmod` and `rm` never fail on demand.
 */
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { vi } from 'vitest';

/**
 * Makes every call of `fs/promises`' `name` on `file` fail with the error of `code` (EPERM,
 * EACCES, …), as Node makes it; calls on other files go through (or fail as an earlier call made them). Hint: a module imports the
 * function by name (`import { chmod } from 'node:fs/promises'`), a binding Node updates from
 * the module's object only in `syncBuiltinESMExports`: call it again after `vi.restoreAllMocks()`.
 */
export function failCallsOn(name: 'chmod' | 'chown' | 'rm', file: string, code: string, message: string): void {
  type Call = (path: unknown, ...rest: unknown[]) => Promise<void>;
  const current = fsPromises[name] as Call;
  // Hint: a second spy on the same function is the first: its files keep failing.
  const real = vi.isMockFunction(current) ? ((current.getMockImplementation() ?? current) as Call) : current;
  vi.spyOn(fsPromises, name).mockImplementation((async (path: unknown, ...rest: unknown[]) => {
    if (path !== file) return real(path, ...rest);
    throw Object.assign(new Error(`${code}: ${message}, ${name} '${file}'`), { code, syscall: name, path: file });
  }) as never);
  syncBuiltinESMExports();
}
