/**
 * Files callhook creates or appends to at a path the user gave (`replay --journal` and
 * `--report`, `generate --out`, `listen --out`'s log): never created through a symlink. A symlink
 * to a file that exists is the user's own link to their file, and is written through; one whose
 * target does not exist is refused, since the file would appear somewhere the user did not name
 * (a link planted in a shared folder, or left from another setup).
 */
import { constants, lstatSync, openSync, readlinkSync, statSync } from 'node:fs';
import { CallhookError, describeIoError, ExitCode } from './errors.js';

/** Why no file may be created at `path`: it is a symlink whose target does not exist; undefined otherwise. */
export function danglingLinkProblem(path: string): string | undefined {
  let target: string | undefined;
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
    target = readlinkSync(path);
    statSync(path);
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || target === undefined) return undefined;
  }
  return `is a symlink to ${target}, which does not exist: callhook creates nothing where a link points (name the target itself, or remove the link)`;
}

/**
 * Opens `path` with `flags` (O_CREAT and O_EXCL are added here, where needed): an existing file,
 * or a symlink to one, is opened as it is, its mode kept; a missing file is created exclusively, at
 * `path` itself, readable by the user alone whatever the umask: each of these files holds what the
 * user gave (a URL's ?token=, request headers). Hint: O_EXCL never follows a symlink, so a dangling
 * one fails the create (EEXIST) instead of creating its target; it is then refused as a usage error naming it.
 */
export function openOutputSync(path: string, flags: number): number {
  const existing = flags & ~(constants.O_CREAT | constants.O_EXCL);
  // Another program may create or remove the file between the two opens: a few tries settle it.
  for (let tries = 0; ; tries++) {
    try {
      return openSync(path, existing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw describeIoError(error, path);
    }
    try {
      return openSync(path, existing | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 3) throw describeIoError(error, path);
      const dangling = danglingLinkProblem(path);
      if (dangling) throw new CallhookError(`${path}: ${dangling}`, ExitCode.usage);
    }
  }
}
