/**
 * Files callhook creates or appends to at a path the user gave (`replay --journal` and
 * `--report`, `generate --out`, `listen --out`'s log): never created through a symlink. A symlink
 * of the user's (or root's) to a file that exists is the user's own link to their file, and is
 * written through; one whose target does not exist is refused, since the file would appear
 * somewhere the user did not name (a link planted in a shared folder, or left from another
 * setup); so is one another user owns, anywhere on the way (`checkOutputPath`).
 */
import {
  accessSync,
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  type PathLike,
  readlinkSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import {
  CallhookError,
  describeIoError,
  ExitCode,
  folderDeleted,
  ioReason,
  replacementCharacterError,
} from './errors.js';
import { fileNameOf, openablePath } from './input/file-names.js';

/**
 * Whether `link` failed with `error` because the file system has no hard links (FAT, exFAT, some
 * network shares; EMLINK, a file with as many links as it may have): a name is then given another
 * way (a rename once the name is seen free, or an exclusive create).
 */
export function cannotLink(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'].includes(code);
}

/**
 * Why no file can be made at `path`: `error`, what making it met, or without it whether the
 * folder `path` is (or would be) in takes one; undefined if it does. `whole`: the file is written
 * whole (`generate --out`, `replay --report`: into a temporary file made beside it first, then
 * given its name), so it is that file that is made. The one wording for every command, before
 * and when writing, the folder named by its absolute real path. Hint: a folder that is there may
 * still take no new file (/proc says ENOENT; a file there may be writable while its folder is
 * not): then it is the temporary file that cannot be made, and saying so makes the reason true.
 */
export function creationProblem(path: string, whole: boolean, error?: unknown): string | undefined {
  const folder = dirname(realPathOf(path));
  let stats: Stats | undefined;
  let reason = error;
  try {
    stats = statSync(folder);
    if (reason === undefined && stats.isDirectory()) accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (failure) {
    reason ??= failure;
  }
  const there = stats?.isDirectory() === true;
  if (reason === undefined && there) return undefined;
  const why = reason === undefined ? 'not a directory' : ioReason(reason);
  const what = whole && there ? 'the temporary file it is written to before it takes its name,' : 'a file';
  return `cannot create ${what} in ${folder} (${why})`;
}

/** Whether the file open as `fd`, of `size` bytes, is empty or ends with a newline (a log whose last line was cut short does not). */
export function endsWithNewline(fd: number, size: number): boolean {
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

/**
 * Why a socket cannot be `use`d as a file is: it can never be opened (ENXIO). The one wording for
 * an input and an output, said before anything is read or sent.
 */
export function socketProblem(use: 'read' | 'written'): string {
  return `a socket, not a file or a named pipe: it cannot be ${use}`;
}

/**
 * Why a block device (a disk, a partition) is never an output: what is written would go over what
 * it holds, and it can never be a file of events. Said before it is opened.
 */
export const blockDeviceProblem = 'a block device (a disk or a partition), not a file: no output is written over one';

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
 * Why a file callhook keeps and reads back cannot be `path` (or the file `stats` describe, once
 * open): a pipe or a device (`<(...)`, a FIFO, /dev/null) takes what is written where it can never
 * be read back, and a FIFO waits for a reader. `readBack`: who reads it back. Undefined for a
 * regular file, or for none at all.
 */
export function notAFile(path: string | Stats, readBack: string): string | undefined {
  let stats = path;
  try {
    if (typeof stats === 'string') stats = statSync(stats);
  } catch {
    return undefined;
  }
  if (stats.isFile()) return undefined;
  return `is not a regular file (a pipe or a device): ${readBack}, so it must be a file`;
}

/** A file `openOutputSync` opened: its descriptor, and whether it was created then (it did not exist). */
export interface OpenedOutput {
  fd: number;
  created: boolean;
}

/**
 * Opens `path` with `flags` (O_CREAT and O_EXCL are added here, where needed): an existing file,
 * or a symlink to one, is opened as it is, its mode kept; a missing file is created exclusively, at
 * `path` itself, readable by the user alone whatever the umask: each of these files holds what the
 * user gave (a URL's ?token=, request headers). Hint: O_EXCL never follows a symlink, so a dangling
 * one fails the create (EEXIST) instead of creating its target; it is then refused as a usage error naming it.
 */
export function openOutputSync(path: string, flags: number): OpenedOutput {
  checkOutputPath(path);
  const opened = openOrCreate(path, flags);
  try {
    // Hint: again once open, for a link planted between the check and the open; nothing is written yet.
    checkOutputPath(path);
  } catch (error) {
    closeSync(opened.fd);
    throw error;
  }
  return opened;
}

function openOrCreate(path: string, flags: number): OpenedOutput {
  const existing = flags & ~(constants.O_CREAT | constants.O_EXCL);
  // Another program may create or remove the file between the two opens: a few tries settle it.
  for (let tries = 0; ; tries++) {
    try {
      return { fd: openSync(path, existing), created: false };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw describeIoError(error, path);
    }
    try {
      return { fd: openSync(path, existing | constants.O_CREAT | constants.O_EXCL, 0o600), created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 3) throw describeIoError(error, path);
      const dangling = danglingLinkProblem(path);
      if (dangling) throw new CallhookError(`${path}: ${dangling}`, ExitCode.usage);
    }
  }
}

/**
 * Refuses a file or folder that another user (not root) owns, as one planted in /tmp would be:
 * whatever modes callhook gives it, its owner can read it and change what is in it. `who`: what
 * they could do, and what to do instead.
 */
export function refuseForeign(path: string, owner: number, who: string): void {
  const me = process.getuid?.();
  // Hint: root's own folders (/tmp itself) are trusted: root can read and replace anything anyway.
  if (me === undefined || owner === me || owner === 0) return;
  throw new CallhookError(`${path}: belongs to another user (uid ${owner}), who could ${who}`, ExitCode.usage);
}

/**
 * `path` made absolute against the current folder, not normalised (`link/../x` keeps its `..`,
 * see `checkLinksOnTheWay`). Hint: a current folder deleted under the shell has no path: getcwd
 * fails (ENOENT, uv_cwd), which is said naming `path` rather than as an internal error.
 */
function absolutePath(path: string): string {
  if (isAbsolute(path)) return path;
  let folder: string;
  try {
    folder = process.cwd();
  } catch {
    throw new CallhookError(`${path}: the current folder ${folderDeleted}`);
  }
  return `${folder}${sep}${path}`;
}

/**
 * What every path callhook writes to is asked first. Refuses a name holding U+FFFD (a name typed
 * that is not UTF-8, below), and a path with a symlink on its way (the path itself, a folder in
 * it, or one that a link points to) that belongs to another user (not root): whoever owns it chose
 * where it points, and could have pointed it at any file of the user's, for callhook to write to.
 * Stricter than the kernel's fs.protected_symlinks, which judges links in sticky folders only.
 * Hint: a link's own owner, not its target's: the target is the user's file they would reach.
 */
export function checkOutputPath(path: string): void {
  // Hint: a name that cannot be the one typed: a byte that is not UTF-8 reaches callhook as U+FFFD
  // (`--out caf<E9>.json` as `caf\ufffd.json`), and the file made, or with --force replaced,
  // would be another, one the user never named.
  if (path.includes('\ufffd')) throw replacementCharacterError(path, 'write');
  checkLinksOnTheWay(path);
}

/**
 * Refuses a path with a symlink on its way that another user owns (see `checkOutputPath`): a
 * file `fix --write` rewrites, which exists, is asked only this. `path` is a name as files are
 * named (a byte that is not UTF-8 as `\udcXX`, see input/file-names.ts).
 */
export function checkLinksOnTheWay(path: string): void {
  const me = process.getuid?.();
  if (me === undefined) return;
  // Hint: followed name by name, as the kernel does: `..` after a link leaves where it points, so
  // the path is not normalised first (`resolve` makes `link/../x` plain `x`, the link never met).
  // The working folder as getcwd gives it holds no link.
  const names = absolutePath(path).split(sep).reverse();
  let at: string = sep;
  for (let links = 0; names.length > 0; ) {
    const name = names.pop() as string;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      at = dirname(at);
      continue;
    }
    const next = join(at, name);
    let stats: Stats;
    try {
      stats = lstatSync(openablePath(next));
    } catch {
      // Missing (so nothing further on is a link) or unreachable: the open creates it, or says why not.
      return;
    }
    if (!stats.isSymbolicLink()) {
      at = next;
      continue;
    }
    refuseForeign(
      // Hint: the path as given when it is the link itself, as every other message names it.
      links === 0 && names.every((rest) => rest === '' || rest === '.') ? path : next,
      stats.uid,
      'point this symlink at any file of yours, for callhook to write to; name a file of your own',
    );
    // Too many (a loop): the open says so (ELOOP).
    if (++links > 40) return;
    let target: string;
    try {
      target = fileNameOf(readlinkSync(openablePath(next), { encoding: 'buffer' }));
    } catch {
      return;
    }
    names.push(...target.split(sep).reverse());
    if (target.startsWith(sep)) at = sep;
  }
}

/**
 * Whether users other than the owner may write to a file, or delete or rename the files in a
 * folder: it is world-writable, or group-writable by a group that is not the user's own, without
 * the sticky bit (which, as on /tmp, leaves that to each file's owner). Hint: warned of, not
 * refused: a Docker volume is often 0777, and its container has no other user; umask 002 makes
 * files and folders group-writable where each user has a group of their own.
 */
export function writableByOthers(stats: Stats): boolean {
  return (permissionsOf(stats) & 0o1000) === 0 && othersCanAddTo(stats);
}

/**
 * Whether users other than the owner may add files to a folder: it is world-writable, or
 * group-writable by a group that is not the user's own, sticky or not (the sticky bit stops them
 * deleting or renaming the user's files, not adding theirs). Hint: what counts for a folder whose
 * contents are read back as the user's, as listen's captures are.
 */
export function othersCanAddTo(stats: Stats): boolean {
  const mode = permissionsOf(stats);
  return (mode & 0o002) !== 0 || ((mode & 0o020) !== 0 && stats.gid !== process.getgid?.());
}

/** A file's permission bits; none on Windows, which has no such modes (as in `refuseForeign`). */
export function permissionsOf({ mode }: Stats): number {
  return process.getuid === undefined ? 0 : mode & 0o7777;
}

/**
 * The path a path names, absolute: through its symlinks, or its folder's when it does not exist
 * yet (its absolute path when neither does), as one spelling of each file, to compare. Hint: the
 * system's realpath, not Node's own, which takes `..` as text before it follows a link: the file
 * opened as `link/../x` is beside the link's target, not beside the link.
 */
export function realPathOf(path: string): string {
  // Hint: as bytes, then named as a folder's entries are (see input/file-names.ts): a name that
  // is not UTF-8, decoded, would name another file.
  const real = (of: string) => fileNameOf(realpathSync.native(openablePath(of), { encoding: 'buffer' }));
  try {
    return real(path);
  } catch {
    try {
      return join(real(dirname(path)), basename(path));
    } catch {
      return resolve(absolutePath(path));
    }
  }
}

/**
 * `path`, spelt so that join() and dirname() reach what the system opens through it: as given,
 * unless a `..` in it follows a symlink (`link/../x`), which join() would take as text (`x`,
 * beside the link, where the system reads the folder above the link's target); then its real path.
 */
export function joinablePath(path: string): string {
  if (!path.split(sep).includes('..')) return path;
  const real = realPathOf(path);
  return real === realPathOf(normalize(path)) ? path : real;
}

/**
 * The folders above `path`, up to the root, that other users may write to (`writableByOthers`),
 * on the way as written and on the way it really is, through symlinks: they could move `path`,
 * or a folder on its way, aside and put one of theirs in its place.
 */
function parentsWritableByOthers(path: string): Array<{ path: string; mode: number }> {
  const seen = new Set<string>();
  const found: Array<{ path: string; mode: number }> = [];
  for (const start of [resolve(absolutePath(path)), realPathOf(path)]) {
    for (let folder = dirname(start); ; folder = dirname(folder)) {
      // Hint: stat follows a symlink to the folder that holds the next name on the way.
      const stats = statSync(folder);
      const key = `${stats.dev}:${stats.ino}`;
      if (!seen.has(key)) {
        seen.add(key);
        if (writableByOthers(stats)) found.push({ path: folder, mode: stats.mode });
      }
      if (dirname(folder) === folder) break;
    }
  }
  return found;
}

/**
 * Tells `warn` of each folder on the way to `path` that others can write to (`parentsWritableByOthers`),
 * where the user keeps what is there; `instead`: what else to do.
 */
export function warnOfOpenFolders(path: string, instead: string, warn: (message: string) => void): void {
  for (const { path: folder, mode } of parentsWritableByOthers(path)) {
    warn(
      `${folder}: other users can write to it (mode ${(mode & 0o777).toString(8)}), so they could move what is in it away and put their own in its place; chmod +t or go-w it, or ${instead}`,
    );
  }
}

/** What a file of the user's holds, and what other users could do with it, for `checkOwnFile`'s messages. */
export interface OwnFileRisks {
  /** The file, as messages name it ('the journal'). */
  what: string;
  /** What one who can read it learns. */
  holds: string;
  /** What one who can write to it could do. */
  writers: string;
  /** What to do instead of using another user's file. */
  instead: string;
}

/**
 * Checks a file callhook writes to or trusts (listen's log, replay's journal) once open (`stats`):
 * refuses one that another user owns, and warns of one that others can read or write to, since
 * it holds what the user gave (headers, a URL's ?token=) and says what was done with it. Hint:
 * warned of, not changed: the file is the user's, and its mode theirs to choose.
 */
export function checkOwnFile(path: string, stats: Stats, risks: OwnFileRisks, warn: (message: string) => void): void {
  refuseForeign(path, stats.uid, `read it, and ${risks.writers}; ${risks.instead}`);
  const mode = permissionsOf(stats);
  const shown = `mode ${(mode & 0o777).toString(8)}`;
  if (mode & 0o044) warn(`${path}: other users can read it (${shown}), and it holds ${risks.holds}; chmod 600 it`);
  if (writableByOthers(stats)) {
    warn(`${path}: other users can write to it (${shown}), so they could ${risks.writers}; chmod 600 it`);
  }
}

/**
 * Checks the folders on the way to a file callhook writes to or trusts (`checkOwnFile` checks the
 * file), as listen checks its capture folder: refuses a folder holding it (as named, or through
 * a symlink) that another user owns, or a symlink on its way they own (`checkOutputPath`), and
 * warns of each folder on its way, up to the root, that others can write to without the sticky
 * bit: either could put a file of theirs in its place.
 */
export function checkFoldersOf(path: string, risks: OwnFileRisks, warn: (message: string) => void): void {
  checkOutputPath(path);
  const instead = `keep ${risks.what} in a folder of your own`;
  for (const folder of new Set([dirname(resolve(absolutePath(path))), dirname(realPathOf(path))])) {
    refuseForeign(folder, statSync(folder).uid, `delete or replace ${risks.what} in it; ${instead}`);
  }
  warnOfOpenFolders(path, instead, warn);
}

/**
 * What a file is whatever path names it (a symlink, `./`, a folder's walk, a standard stream): its
 * device and inode; undefined where that says nothing. The one way callhook tells two names of one
 * file. Hint: compare ids made alike (of bigint stats, or of number stats): an inode number past
 * 2^53 (XFS, btrfs) is written otherwise by each.
 */
export function fileId(info: Pick<BigIntStats, 'dev' | 'ino'> | Pick<Stats, 'dev' | 'ino'>): string | undefined {
  // Hint: a file system that numbers no inode (FAT, some network shares) gives every file 0: none is compared.
  return BigInt(info.ino) === 0n ? undefined : `${info.dev}:${info.ino}`;
}

/** Whether `path` names the file whose `fileId` is `id` itself (not a symlink to it, nor another file). */
export async function namesFile(path: PathLike, id: string | undefined): Promise<boolean> {
  // Hint: only a name that is gone names nothing; a look that fails otherwise (EACCES) is the caller's to say.
  const named = await lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  return named !== undefined && fileId(named) === id;
}

/** This process's standard streams, by descriptor: 0 stdin, 1 stdout, 2 stderr. */
export type StandardStream = 0 | 1 | 2;

/** Each standard stream's name, as messages say it. */
export const standardStreamNames = { 0: 'stdin', 1: 'stdout', 2: 'stderr' } as const;

/**
 * Which of this process's standard streams `fds` (in that order of preference) the file `file`
 * describes is, by device and inode (see `fileId`): `/dev/stdout`, `/dev/fd/2`, `/proc/self/fd/0`, or the file
 * one was sent to (`2>> log`) by its own name; the first of them when several are (`> log 2>&1`),
 * undefined when none is. The one way callhook tells a path it was given from its own streams,
 * which are written through or refused, never reopened or replaced.
 */
export function standardStreamOf<Fd extends StandardStream>(
  file: Pick<Stats, 'dev' | 'ino'>,
  fds: readonly Fd[],
): Fd | undefined {
  const id = fileId(file);
  if (id === undefined) return undefined;
  return fds.find((fd) => {
    try {
      return fileId(fstatSync(fd)) === id;
    } catch {
      // A stream closed (`2>&-`) is none.
      return false;
    }
  });
}
