/**
 * Output named on the command line (`generate --out`, `replay --report`), written whole or not at
 * all: the one way a command replaces a file it was given.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { type FileHandle, link, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CallhookError, describeIoError, ExitCode, ioReason } from '../errors.js';
import { refuseReplacingRecord } from '../http/journal.js';
import {
  blockDeviceProblem,
  cannotLink,
  checkOutputPath,
  creationProblem,
  danglingLinkProblem,
  fileId,
  joinablePath,
  namesFile,
  refuseForeign,
  socketProblem,
  standardStreamOf,
} from '../output-file.js';
import { escapeTerminal } from '../render/terminal.js';
import { warnOnStderr } from './output.js';

/** Where the text goes: stdout, or a temporary file renamed over the file named at the end. */
export interface Sink {
  write(bytes: Uint8Array): Promise<void>;
  /** Makes the output final: the temporary file takes the name given. */
  commit(): Promise<void>;
  /** Removes what was written; nothing is left behind (a stream keeps what it was sent). */
  discard(): Promise<void>;
  /** What became of the output when a run is interrupted, for the message then. */
  interrupted: string;
  /** True once the reader of a standard stream or a named pipe went away: what is written goes nowhere, and the writer may stop. */
  readonly ended?: boolean;
}

/**
 * Waits for `stream` to have taken what was written (`drain`) or to end (`finish`). Only an abort
 * that comes while it waits gives the wait up (it then rejects with the abort's reason): output a
 * reader is there to take is not cut off at what a pipe holds by an abort that came before. Any
 * other failure is `out`'s.
 */
async function drained(stream: NodeJS.WritableStream, event: 'drain' | 'finish', out: string, abort?: AbortSignal) {
  await heeding(abort, out, (signal) => once(stream, event, { signal }));
}

/** Waits for `wait`, given the abort to heed (see `drained`), which gives it up; any other failure is `out`'s. */
async function heeding(
  abort: AbortSignal | undefined,
  out: string,
  wait: (signal: AbortSignal | undefined) => Promise<unknown>,
): Promise<void> {
  const heeded = abort?.aborted ? undefined : abort;
  try {
    await wait(heeded);
  } catch (error) {
    throw heeded?.aborted ? heeded.reason : describeIoError(error, out);
  }
}

/** The standard streams `streamSink` watches for their reader going away, and those whose reader has. */
const watched = new WeakSet<NodeJS.WriteStream>();
const readerGone = new WeakSet<NodeJS.WriteStream>();

/**
 * Output to stdout (or stderr, `fd` 2), at the pace of its reader: a slow one holds the run back,
 * until `abort`. Its reader going away (`| head`, `2> >(head -c 100)`) ends the output quietly,
 * `ended`, no error: the run ends as it would have (stdout's ends at once, see cli.ts).
 */
export function streamSink(abort?: AbortSignal, fd: 1 | 2 = 1): Sink {
  const [stream, name] = fd === 1 ? [process.stdout, '<stdout>'] : [process.stderr, '<stderr>'];
  // Hint: told before the wait for 'drain' is, which the same error rejects; stderr's EPIPE was
  // that wait's I/O error, exit 2, said on the stderr that was gone. Watched once a stream, however
  // many sinks write to it (generate's stdout and stderr, run after run in one test process).
  if (!watched.has(stream)) {
    watched.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') readerGone.add(stream);
    });
  }
  const gone = () => readerGone.has(stream);
  return {
    interrupted: '',
    get ended() {
      return gone();
    },
    // Hint: waits until the bytes are handed on, not only for room in the stream's buffer: a pipe
    // stdout and stderr share (`2>&1`) takes what is said on the other stream next after them,
    // not inside them (generate's defects). A write that fails with EPIPE is told here first, before
    // the stream's 'error'.
    async write(bytes) {
      if (gone() || bytes.length === 0) return;
      await heeding(
        abort,
        name,
        (signal) =>
          new Promise<void>((resolve, reject) => {
            const aborted = () => reject(signal?.reason);
            signal?.addEventListener('abort', aborted, { once: true });
            stream.write(bytes, (error?: NodeJS.ErrnoException | null) => {
              signal?.removeEventListener('abort', aborted);
              if (error?.code === 'EPIPE') readerGone.add(stream);
              if (error && !gone()) reject(error);
              else resolve();
            });
          }),
      ).catch((error: unknown) => {
        if (!gone()) throw error;
      });
    },
    async commit() {},
    async discard() {},
  };
}

/** How `fileSink` writes a file. */
export interface FileSinkOptions {
  /** Replace a file that exists (`--force`); without it, one is refused. */
  force: boolean;
  /**
   * The mode of a file made anew (a file replaced keeps its own, and its owner and group where it
   * can: see `keepOwner`); by default as the umask says.
   */
  mode?: number | undefined;
  /** What names the temporary file, beside the file: `.callhook-<purpose>-XXXXXX`. */
  purpose: string;
  /**
   * Gives up writing to a named pipe: waiting for its reader, or for a reader that stopped reading;
   * the write or commit waiting then rejects with the signal's reason, for its caller to word.
   */
  abort?: AbortSignal | undefined;
  /** Says a warning (a temporary file left behind); by default on stderr. */
  warn?: ((message: string) => void) | undefined;
}

/**
 * Where output named `out` goes. A regular file is written the way editors save: into a new file
 * beside the target (created exclusively, mode 0600, see `createBeside`), given its name only when
 * complete, and only with `force` when it exists; its mode (and a file replaced's owner and
 * group, see `keepOwner`) is set through the open file, and a name that no longer leads to it then
 * (someone who can write to the folder put another file in its place) fails the run, touching
 * nothing of theirs, nor anything outside the folder. So a reader
 * never sees half a file, a run interrupted or failing part way (a full disk) leaves the old file
 * as it was, and a symlink to a file is written through to it; one whose target does not exist is
 * refused (see `danglingLinkProblem`), as is another user's (`checkOutputPath`). `/dev/stdout`
 * is stdout and `/dev/stderr` stderr (whatever names them: see `standardStreamOf`), and anything
 * else that exists is written into as it is (a named pipe once a reader comes, see `pipeSink`; a
 * character device): renaming over it would replace the device itself. A socket, which cannot be
 * opened, and a block device, a disk that JSON would be written over, are refused.
 */
export async function fileSink(
  out: string,
  { force, mode: newMode, purpose, abort, warn = warnOnStderr }: FileSinkOptions,
): Promise<Sink> {
  checkOutputPath(out);
  let existing: Stats | undefined;
  try {
    existing = await stat(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw describeIoError(error, out);
  }
  if (existing?.isDirectory()) throw new CallhookError(`${out}: is a directory`, ExitCode.usage);
  const dangling = existing === undefined ? danglingLinkProblem(out) : undefined;
  if (dangling) throw new CallhookError(`${out}: ${dangling}`, ExitCode.usage);
  // Hint: `/dev/stdout` is stdout, written through it as if no file had been named: sent to a file,
  // not reopened (truncating what a `>>` kept) nor renamed over; sent to a pipe, its reader gone
  // (`| head`) ends the run quietly, as stdout's does, not as a named pipe's failure. `/dev/stderr`
  // likewise: renamed over, the log `2>>` kept lost what it held, and what was said after.
  const stream = existing === undefined ? undefined : standardStreamOf(existing, [1, 2]);
  if (stream !== undefined) return streamSink(abort, stream);
  if (existing?.isFIFO()) return pipeSink(out, abort);
  if (existing?.isSocket()) throw new CallhookError(`${out}: ${socketProblem('written')}`, ExitCode.usage);
  if (existing?.isBlockDevice()) throw new CallhookError(`${out}: ${blockDeviceProblem}`, ExitCode.usage);
  if (existing !== undefined && !existing.isFile()) return deviceSink(out);
  refuseReplacingRecord(out);
  if (existing !== undefined && !force) {
    throw new CallhookError(`${out}: already exists; --force replaces it`, ExitCode.usage);
  }
  // Hint: the file that replaces it keeps its owner (see `keepOwner`): another user's, planted in a
  // shared folder, would be theirs to rewrite once this run had written it.
  if (existing !== undefined) {
    refuseForeign(
      out,
      existing.uid,
      'rewrite what replaces it (a file replaced keeps its owner); delete it first, or name another file',
    );
  }
  let mode = newMode ?? 0o666 & ~process.umask();
  let target: string;
  try {
    target = existing === undefined ? joinablePath(out) : await realpath(out);
  } catch (error) {
    throw describeIoError(error, out);
  }
  if (existing !== undefined) mode = existing.mode & 0o7777;
  let temporary: string;
  let handle: FileHandle;
  try {
    ({ temporary, handle } = await createBeside(target, purpose));
  } catch (error) {
    if (!(error as NodeJS.ErrnoException).code) throw error;
    throw new CallhookError(`${out}: ${creationProblem(target, true, error)}`, ExitCode.usage);
  }
  // Hint: its owner, group and mode are set through the handle, and what the names lead to is told
  // by its device and inode: in a folder others can write to, they may move the temporary file
  // aside and put theirs (a symlink to a file of the user's) in its place, which a call by name
  // would then reach.
  let id: string | undefined;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= handle.close();
    return closing;
  };
  let ending: Promise<void> | undefined;
  const end = () => {
    ending ??= removeIfOurs(temporary, id, warn)
      .finally(close)
      .catch((error: unknown) => {
        throw describeIoError(error, out);
      });
    return ending;
  };
  try {
    id = fileId(await handle.stat());
  } catch (error) {
    // Hint: by its name, just made, as nothing else can tell it: `end` removes only what `id` names.
    await close().catch(() => {});
    await unlink(temporary).catch(() => {});
    throw describeIoError(error, out);
  }
  return {
    interrupted: `; ${escapeTerminal(out)} ${existing === undefined ? 'was not created' : 'was left as it was'}`,
    write: writerTo(handle, out),
    async commit() {
      try {
        if (existing !== undefined) await keepOwner(handle, existing, out, warn);
        // Hint: after the chown, which clears a setuid or setgid bit.
        await handle.chmod(mode);
        // Hint: closed before it takes its name: a write that a network file system fails only at
        // the close leaves the file it would replace as it was.
        await close();
        // Hint: asked again, as a replay may have begun a journal there while this output was made.
        refuseReplacingRecord(out);
        // Hint: without --force a file that appeared meanwhile (another run, another program) is
        // kept: a hard link, unlike rename, never replaces one.
        if (force) await rename(temporary, target);
        else await linkNew(temporary, target, out);
        if (!(await namesFile(target, id))) {
          throw new CallhookError(
            `${out}: another file took the place of the output while it was written (others can write to its folder): what that name holds now is not this output, and is left as it is${force && existing !== undefined ? '; the file it held before was replaced' : ''}`,
            ExitCode.usage,
          );
        }
      } catch (error) {
        if (error instanceof CallhookError) throw error;
        throw describeIoError(error, out);
      } finally {
        await end();
      }
    },
    async discard() {
      await end().catch(() => {});
    },
  };
}

/**
 * Creates a new file beside `target`, named `.callhook-<purpose>-XXXXXX` (hidden, and not read as
 * input), exclusively (never through a symlink, never a file that exists) and mode 0600; returns
 * its name, and it open to write.
 */
async function createBeside(target: string, purpose: string): Promise<{ temporary: string; handle: FileHandle }> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  for (let tries = 1; ; tries++) {
    const temporary = join(dirname(target), `.callhook-${purpose}-${randomBytes(3).toString('hex')}`);
    try {
      return { temporary, handle: await open(temporary, flags, 0o600) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 100) throw error;
    }
  }
}

/**
 * Gives the file open as `handle` the owner and group of `existing`, the file it replaces, where it
 * can: made anew, it was of the group a setgid folder gives (whose members could then read what its
 * mode let the old group read), and root's for a file of root's replaced by another user. One that
 * cannot be kept (EPERM: a group the runner is not in, root's file) is said, naming the file. Another
 * user's file is refused before (`refuseForeign`).
 */
async function keepOwner(handle: FileHandle, existing: Stats, out: string, warn: (message: string) => void) {
  const made = await handle.stat();
  if (made.uid === existing.uid && made.gid === existing.gid) return;
  try {
    await handle.chown(existing.uid, existing.gid);
  } catch (error) {
    if (!(error as NodeJS.ErrnoException).code) throw error;
    warn(
      `${out}: its owner and group (uid ${existing.uid}, gid ${existing.gid}) cannot be kept (${ioReason(error)}): the file that replaces it is uid ${made.uid}, gid ${made.gid}`,
    );
  }
}

/**
 * Removes the temporary file's name, while it still names the file this run made (`id`): another
 * file put in its place is not this run's to remove. Hint: one that cannot be removed (a folder
 * that takes names but gives none up: chattr +a) is left, named in a warning: the file is in
 * place, or the run's own failure is said, either way not hidden behind this one.
 */
async function removeIfOurs(temporary: string, id: string | undefined, warn: (message: string) => void): Promise<void> {
  try {
    // Hint: unlink, not rm, which answers an unlink refused (EPERM) with an rmdir, and says ENOTDIR.
    if (await namesFile(temporary, id)) await unlink(temporary);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    warn(`the temporary file ${temporary} is left behind (could not remove it: ${ioReason(error)})`);
  }
}

/**
 * Gives the finished file its name only if nothing has that name yet. Where the file system has
 * no hard links, the name is checked and the file renamed (a window, but no worse than before).
 */
async function linkNew(temporary: string, target: string, out: string): Promise<void> {
  let taken: boolean;
  try {
    await link(temporary, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && !cannotLink(error)) throw error;
    taken =
      code === 'EEXIST' ||
      (await stat(target).then(
        () => true,
        () => false,
      ));
  }
  if (taken) {
    throw new CallhookError(`${out}: appeared while generating, and is kept; --force replaces it`, ExitCode.usage);
  }
  await rename(temporary, target);
}

/** Writes each block whole to `handle`, a failure named after `out`. */
function writerTo(handle: FileHandle, out: string): Sink['write'] {
  return async (bytes) => {
    try {
      // Hint: writeFile writes all of it (from the current position); write may write part.
      await handle.writeFile(bytes);
    } catch (error) {
      throw describeIoError(error, out);
    }
  };
}

/** A character device given as output: opened for writing and written in order, never replaced. */
async function deviceSink(out: string): Promise<Sink> {
  let handle: FileHandle;
  let device: boolean;
  try {
    // Hint: no O_CREAT: what is written into must be what was found, not a file made in its place;
    // nor O_TRUNC, which truncates only a regular file: one the name was pointed at meanwhile.
    handle = await open(out, constants.O_WRONLY);
  } catch (error) {
    throw describeIoError(error, out);
  }
  try {
    // Hint: asked of what was opened: in a folder others can write to, a symlink found leading to
    // /dev/null may lead to a file of the user's, or a disk, by the time it is opened.
    device = (await handle.stat()).isCharacterDevice();
  } catch (error) {
    await handle.close().catch(() => {});
    throw describeIoError(error, out);
  }
  if (!device) {
    await handle.close().catch(() => {});
    throw new CallhookError(`${out}: is no longer a character device; nothing was written to it`, ExitCode.usage);
  }
  return {
    interrupted: `; what was written to ${escapeTerminal(out)} before stays there`,
    write: writerTo(handle, out),
    async commit() {
      await handle.close();
    },
    async discard() {
      await handle.close().catch(() => {});
    },
  };
}

/**
 * A named pipe given as output: opened at the first write, once a reader comes, and written at its
 * pace, never replaced; `abort` gives up waiting, for the reader or for one that stopped reading.
 * Its reader going away (`head -c 1000 out.fifo`) ends the output quietly, `ended`, as stdout's does.
 * Hint: a plain open waits for a reader in a thread-pool thread the process waits for at exit,
 * where no signal handler helps: only SIGKILL ended such a run. An open that does not wait fails
 * (ENXIO) until a reader comes; the bytes then go through the event loop, which a signal reaches.
 */
function pipeSink(out: string, abort: AbortSignal | undefined): Sink {
  let pipe: Socket | undefined;
  let failure: unknown;
  let gone = false;
  const opened = async () => {
    if (!pipe) {
      pipe = await readerOf(out, abort);
      // Hint: kept between writes, told at the next: an error no listener takes ends the process.
      // Told before a wait for 'drain' or 'finish' is, which the same error rejects.
      pipe.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') gone = true;
        else failure ??= error;
      });
    }
    if (failure !== undefined) throw describeIoError(failure, out);
    return pipe;
  };
  const until = async (socket: Socket, event: 'drain' | 'finish') => {
    try {
      await drained(socket, event, out, abort);
    } catch (error) {
      socket.destroy();
      if (!gone) throw error;
    }
  };
  return {
    get ended() {
      return gone;
    },
    get interrupted() {
      const shown = escapeTerminal(out);
      return pipe
        ? `; what was written to ${shown} before stays there`
        : `; no reader opened ${shown}: nothing was written to it`;
    },
    async write(bytes) {
      if (gone) return;
      const socket = await opened();
      // Respect the reader's pace, as stdout's: a slow reader holds the run back instead of filling memory.
      if (!socket.write(bytes)) await until(socket, 'drain');
    },
    async commit() {
      if (gone) return;
      const socket = await opened();
      socket.end();
      await until(socket, 'finish');
    },
    async discard() {
      pipe?.destroy();
    },
  };
}

/** Opens the named pipe `out` for writing once a reader has it open, polling until then or `abort`. */
async function readerOf(out: string, abort: AbortSignal | undefined): Promise<Socket> {
  for (;;) {
    let fd: number | undefined;
    try {
      // Hint: no O_CREAT: what is written into must be what was found, not a file made in its place.
      fd = openSync(out, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw describeIoError(error, out);
    }
    if (fd !== undefined) {
      // Hint: what the name leads to may have been replaced since it was found a pipe: a regular
      // file opened here would be written over from its first byte, with no --force asked.
      if (fstatSync(fd).isFIFO()) return new Socket({ fd, readable: false, writable: true });
      closeSync(fd);
      throw new CallhookError(`${out}: is no longer a named pipe; nothing was written to it`, ExitCode.usage);
    }
    abort?.throwIfAborted();
    await delay(50, undefined, { signal: abort }).catch(() => undefined);
  }
}
