/**
 * `callhook fix`: repair the JSON mistakes the platform's own examples make, and an export cut
 * off at its end. Prints the repaired text, or with `--write` rewrites each file in place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, readlinkSync, type Stats } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { applyRepairs, type RepairPlan, RepairPlanner } from '../core/repair.js';
import {
  CallhookError,
  describeIoError,
  ExitCode,
  exitCodeWithUnreadable,
  formatFatal,
  interruptedBy,
  ioReason,
  unreadableFileError,
} from '../errors.js';
import { optionSize } from '../input/element.js';
import { fileNameOf, openablePath } from '../input/file-names.js';
import {
  cannotBeRead,
  checkedStdin,
  isStdin,
  listSources,
  notRegularInFolder,
  ownStream,
  type PrintedOutput,
  readChunks,
  readChunksOf,
  readRecords,
  type Source,
  specialFileKind,
} from '../input/read.js';
import { ByteScanner } from '../input/scanner.js';
import { namesStdin, processStdin, stdinFile } from '../input/stdin.js';
import { defaultMaxProblems, isUnreadable, type Problem, rewriteMark } from '../input/types.js';
import { cannotLink, checkLinksOnTheWay, fileId, namesFile, realPathOf } from '../output-file.js';
import { colorsFor, escapeJsonForTerminal, escapeTerminal, terminalWidth } from '../render/terminal.js';
import { renderOmitted, renderProblemPretty } from '../render/validation.js';
import { plural } from '../render/words.js';
import { maxHeldStreamBytes } from './options.js';
import { drained, warnOnStderr } from './output.js';
import { finishWithoutStdout, stdoutGone, stopSignals } from './signals.js';

/** The options `fix` takes. */
interface FixOptions {
  write?: boolean;
  maxElementSize?: number;
  maxProblems?: number;
  /** The most of a stream held in memory (not a command-line option: tests take a small one). */
  maxStreamBytes?: number;
  width?: number;
}

/** A source to repair: a file read from disk (three times), or stdin or a pipe held in memory. */
interface FixInput {
  source: Source;
  /** An input that cannot be read twice, not read yet: planning reads it (see `planFor`), up to `maxStreamBytes`. */
  stream?: AsyncIterable<Buffer | string> | undefined;
  maxStreamBytes: number;
  /** The text of an input that cannot be read twice, as it was read. */
  bytes?: Buffer[] | undefined;
  /** The file's status when it was planned, for a file on disk. */
  stats?: Stats | undefined;
  /** --max-element-size, in bytes. */
  maxElementBytes?: number | undefined;
  /** The line ending of its first line, for a line break a repair puts in where the text around it cannot tell (see `firstLineEnding`). */
  firstLineEnding?: string | undefined;
  /** The SHA-256 of the bytes the plan was made from, once they were read to their end. */
  digest?: string | undefined;
}

/** How many bytes of a file on disk are read at a time. */
const chunkBytes = 256 * 1024;

/** The refusal of a file whose bytes are not those its repair was planned from; `then` says what that leaves. */
function changedWhileChecked(name: string, then = 'nothing was written'): CallhookError {
  return new CallhookError(`${name}: the file changed while it was checked; ${then}`);
}

/**
 * The refusal of a stream longer than fix holds, saying what to run instead: a file is read from
 * disk at any size, and stdin redirected from one (`fix - < big.json`) already is one, to name.
 */
export function streamTooLong(name: string, limit: number, redirectedFromFile: boolean): CallhookError {
  const instead = redirectedFromFile
    ? 'name the file instead of redirecting it (callhook fix FILE): a file is read from disk, at any size'
    : 'save it to a file and run callhook fix on the file';
  return new CallhookError(
    `${name}: a stream of more than ${optionSize(limit)}; fix holds a stream in memory to read it more than once: ${instead}`,
    ExitCode.usage,
  );
}

/** Hands on the chunks of the input's stream, keeping each in `held`, as far as its reader reads; refuses more than `maxStreamBytes`. */
async function* holding(
  input: FixInput,
  stream: AsyncIterable<Buffer | string>,
  held: Buffer[],
): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > input.maxStreamBytes) {
      throw streamTooLong(input.source.name, input.maxStreamBytes, isStdin(input.source) && stdinFile() !== undefined);
    }
    held.push(buffer);
    yield buffer;
  }
}

/** Opens a source for fix: a regular file stays on disk; stdin, a FIFO or a device is read once, by planning. */
export async function fixInput(source: Source, options: FixOptions): Promise<FixInput> {
  const opened = {
    source,
    maxElementBytes: options.maxElementSize,
    maxStreamBytes: options.maxStreamBytes ?? maxHeldStreamBytes,
  };
  // Hint: checked as every command checks stdin sent from a file: cut short under fix, the text was
  // "repaired" to its first part, exit 0 (review hR120).
  if (source.path === '-') return { ...opened, stream: checkedStdin(processStdin()) };
  let stats: Stats;
  try {
    stats = await stat(source.path);
  } catch (error) {
    throw describeIoError(error, source.name);
  }
  if (stats.isFile()) {
    if (options.write) await refuseInterrupted(source.name, backupBase(source.name), stats.uid);
    return { ...opened, stats };
  }
  // Hint: refused on its status, before it is opened: a named pipe with no writer blocks its
  // open in a worker thread, which no signal ends, and one with a writer would be read whole first.
  const own = ownStream(stats);
  if (own) throw new CallhookError(`${source.name}: cannot be read: ${own}`, ExitCode.usage);
  const special = options.write || source.inFolder ? specialFileKind(stats) : undefined;
  // Hint: a folder's file swapped for a named pipe after the walk waited for a writer for ever (review hR68).
  if (special && source.inFolder) {
    throw new CallhookError(`${source.name}: ${notRegularInFolder(special)}`, ExitCode.usage);
  }
  if (special) {
    throw new CallhookError(
      `${source.name}: ${special}, not a regular file: --write rewrites only regular files (drop --write to print the repair)`,
      ExitCode.usage,
    );
  }
  return { ...opened, stream: createReadStream(source.path) };
}

/**
 * The input's bytes: those held, or the file's, read from disk again as the input layer reads it
 * (each chunk valid only until the next is asked for: see `readChunks`). Hint: an error reading
 * the file is Node's, with its code, after every byte read before it, so that planning places it
 * where reading stopped (see `readFile` in input/read.ts); a read stream would drop what it had
 * read ahead.
 */
function bytesOf(input: FixInput): AsyncIterable<Buffer> {
  return input.bytes
    ? Readable.from(input.bytes)
    : readChunks(input.source.path, 0, chunkBytes, undefined, undefined, input.source.inFolder);
}

/**
 * The input's bytes in buffers of their own (printing holds them), for the passes after planning.
 * Hint: read as planning reads them (see `bytesOf`), and their lines and columns counted as the
 * input layer counts them, so that an error reading them is the line planning's would be: where
 * reading stopped, why, and `then`, what that leaves.
 */
async function* placedBytesOf(input: FixInput, then: string): AsyncGenerator<Buffer> {
  if (input.bytes) {
    yield* input.bytes;
    return;
  }
  const place = new ByteScanner();
  let offset = 0;
  try {
    for await (const chunk of bytesOf(input)) {
      place.passOver(chunk, offset);
      offset += chunk.length;
      yield Buffer.from(chunk);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code === undefined) throw error;
    const { line, column } = place.passedAt(offset);
    throw unreadableFileError({ file: input.source.name, line, column, message: `${cannotBeRead(error)}; ${then}` });
  }
}

/** Hands on `bytes`, and once they end, their SHA-256 to `done`. */
async function* hashing(bytes: AsyncIterable<Buffer>, done: (digest: string) => void): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of bytes) {
    hash.update(chunk);
    yield chunk;
  }
  done(hash.digest('hex'));
}

/**
 * The line ending of the text's first line, CRLF or LF (LF when it has no line break). Hint: the
 * input layer reads a line longer than a chunk before its end, so a line break a repair puts into
 * the first line would not know it; the lines after it know the one before them.
 */
async function firstLineEnding(input: FixInput): Promise<string> {
  let before = 0;
  try {
    for await (const chunk of bytesOf(input)) {
      const at = chunk.indexOf(0x0a);
      if (at !== -1) return (at > 0 ? chunk[at - 1] : before) === 0x0d ? '\r\n' : '\n';
      before = chunk.at(-1) ?? before;
    }
  } catch (error) {
    // Hint: a file that cannot be read (even read ahead of its first line break) is planned as LF:
    // planning reads it again and says where reading stopped.
    if ((error as NodeJS.ErrnoException | undefined)?.code === undefined) throw error;
  }
  return '\n';
}

/**
 * Reads a text through the input layer, its bytes handed over as stdin's, under the source's name.
 * Hint: no warnings are looked for, as no repair comes of one (`RepairPlanner` takes errors
 * alone): a file of a million keys given twice held a warning for each, twice, and ran fix out of
 * memory under a 256 MiB heap (red team hR131).
 */
function recordsOf(input: FixInput, bytes: AsyncIterable<Buffer>) {
  const { maxElementBytes, firstLineEnding } = input;
  const stdin = bytes as NodeJS.ReadableStream;
  return readRecords(['-'], {
    stdin,
    stdinName: input.source.name,
    maxElementBytes,
    firstLineEnding,
    warnings: false,
  });
}

/**
 * Plans the repairs of `bytes`, and keeps their digest: the check and the backup are compared
 * with it, so the plan's offsets are never applied to other bytes (another writer's).
 */
async function planOf(input: FixInput, bytes: AsyncIterable<Buffer>): Promise<RepairPlan> {
  const planner = new RepairPlanner(input.firstLineEnding);
  const hashed = hashing(bytes, (digest) => {
    input.digest = digest;
  });
  for await (const records of recordsOf(input, hashed)) for (const record of records) planner.add(record);
  return planner.plan();
}

/**
 * The repairs a source needs. A stream is planned as it is read, and held for the passes after:
 * the input layer stops reading it where it refuses it (binary, UTF-16), as validate does, so an
 * endless device or a pipe never closed is not waited on. Hint: a stream's first line ending is
 * known only once it is read; planned as LF, a CRLF text is planned again.
 */
export async function planFor(input: FixInput): Promise<RepairPlan> {
  if (input.stream) {
    const held: Buffer[] = [];
    const plan = await planOf(input, holding(input, input.stream, held));
    input.stream = undefined;
    input.bytes = held;
    input.firstLineEnding = await firstLineEnding(input);
    if (input.firstLineEnding === '\n') return plan;
  } else input.firstLineEnding = await firstLineEnding(input);
  return planOf(input, bytesOf(input));
}

/** Where planned repairs are, as the lines refusing a file name them: `1:5, 2:3`, five at most and how many more. */
function plannedPlaces(repairs: RepairPlan['repairs']): string {
  const at = repairs.slice(0, 5).map((planned) => `${planned.line}:${planned.column}`);
  return `${at.join(', ')}${repairs.length > at.length ? ` and ${repairs.length - at.length} more, as validate lists them` : ''}`;
}

/**
 * How many syntax errors the repaired text still has: it is checked before anything is written.
 * Refuses a file whose bytes are no longer those the plan was made from.
 */
export async function errorsAfter(input: FixInput, plan: RepairPlan): Promise<number> {
  const planner = new RepairPlanner(input.firstLineEnding);
  let checked: string | undefined;
  const read = hashing(placedBytesOf(input, 'nothing was written'), (digest) => {
    checked = digest;
  });
  const repaired = applyRepairs(
    read,
    plan.repairs.map((planned) => planned.repair),
  );
  for await (const records of recordsOf(input, repaired)) for (const record of records) planner.add(record);
  if (checked === undefined || checked !== input.digest) throw changedWhileChecked(input.source.name);
  const after = planner.plan();
  return after.repairs.length + after.unrepairable.length;
}

/** A failure of work done with the stop signals held (see `withSignalsHeld`), and the one that came meanwhile. */
class FailedWhileHeld {
  constructor(
    readonly error: unknown,
    readonly signal: NodeJS.Signals,
  ) {}
}

/**
 * Runs `work` with `stopSignals` held back until it ends, and says which arrived: the backup and
 * the rewrite are never left half done, and no file is left behind. Work that fails with a signal
 * held throws `FailedWhileHeld`, so that the signal still stops the run.
 */
async function withSignalsHeld<T>(work: () => Promise<T>): Promise<{ value: T; signal: NodeJS.Signals | undefined }> {
  let signal: NodeJS.Signals | undefined;
  const hold = (received: NodeJS.Signals) => {
    signal ??= received;
  };
  for (const name of stopSignals) process.on(name, hold);
  rewritesUnderWay++;
  try {
    return { value: await work(), signal };
  } catch (error) {
    throw signal === undefined ? error : new FailedWhileHeld(error, signal);
  } finally {
    rewritesUnderWay--;
    for (const name of stopSignals) process.off(name, hold);
  }
}

/** How many `withSignalsHeld` are under way: a stop signal then waits for them (see `fix`). */
let rewritesUnderWay = 0;

/**
 * `refusal`, once `backup`, made by this run for a rewrite it refuses, is removed; a backup that
 * cannot be removed is named in it, so that none is left behind unsaid.
 */
async function withoutBackup(backup: string, refusal: CallhookError): Promise<CallhookError> {
  return rm(openablePath(backup), { force: true }).then(
    () => refusal,
    (error: unknown) =>
      new CallhookError(
        `${refusal.message}; the backup ${backup} is left behind (could not remove it: ${ioReason(error)})`,
        refusal.exitCode,
      ),
  );
}

/**
 * A backup made by this run: its name (`path`, text: see `openablePath`), and the file it made, open. Hint: all but its naming
 * and removal goes through `handle`, never the name: in a folder others may write to, the name can be made a
 * symlink to another file meanwhile, whose owner a chown by name would change (run as root), or
 * whose bytes a read by name would write into the file.
 */
export interface Backup {
  path: string;
  handle: FileHandle;
}

/** What marks the name a backup is made under until it is whole: `x.json.bak.partial-1f2e3d4c`. */
export const partialBackupMark = '.partial-';

/**
 * Refuses the file named `name` (backed up as `base`, see `backupBase`; `owner` its owner) when its
 * mark is there: a run is rewriting it, or one was stopped while it did (SIGKILL, a power loss),
 * so part of it may be repaired and part not, and another repair would take the tear for one more
 * mistake to mend. Looked for before the file is read, since a tear may be a mistake no repair
 * plans for, or none at all. The mark holds the backup's absolute name (`openablePath`'s bytes),
 * said only when the mark is the user's or the file owner's and names one of the file's own
 * backups: in a folder others may write to, a mark planted there could name any file.
 */
async function refuseInterrupted(name: string, base: string, owner: number): Promise<void> {
  const mark = `${base}${rewriteMark}`;
  let backup: string | undefined;
  let unnamed = false;
  try {
    // Hint: not through a symbolic link, which someone who can write the folder could plant.
    const handle = await open(openablePath(mark), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const { uid } = await handle.stat();
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
      const named = fileNameOf(buffer.subarray(0, bytesRead));
      const own = resolve(base);
      const trusted = uid === owner || uid === process.getuid?.();
      unnamed = trusted && bytesRead === 0;
      if (trusted && named.startsWith(own) && /^\.bak(\.\d+)?$/.test(named.slice(own.length))) backup = named;
    } finally {
      await handle.close();
    }
  } catch (error) {
    // Hint: no mark can be made where its name is too long: fix --write refuses such a file
    // (see `markRewrite`).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENAMETOOLONG') return;
  }
  if (unnamed) {
    // Hint: the backup's name is in the mark, on the disk, before a byte of the file is rewritten.
    throw new CallhookError(
      `${name}: marked as being rewritten (${mark}): another fix --write is at it, or one was stopped before it changed the file (the mark names no backup yet); with no fix --write running, delete the mark to repair the file`,
    );
  }
  const marked = `${name}: marked as being rewritten (${mark}): another fix --write is at it, or one was stopped part way`;
  // Hint: the advice is followed as printed: the mark stays until deleted, so it says to delete it
  // after putting the backup back; and a backup put back with `mv` is gone, not to be put back again.
  const gone =
    backup !== undefined &&
    (await lstat(openablePath(backup)).then(
      () => false,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    ));
  if (gone) {
    throw new CallhookError(
      `${marked}; the backup it names, ${backup}, is gone (put back already?): with no fix --write running, delete the mark to repair the file as it is`,
    );
  }
  // Hint: copied back, not moved: `mv` would give the file the backup's mode (0600) and inode,
  // breaking its hard links, and put a file in place of a symbolic link, its target left torn
  // with no mark to say so (hT54). `base` is that target.
  const keeps = "(with cp, which keeps the file's mode and hard links)";
  const original = backup
    ? `the original is in ${backup}: copy it back over ${base} ${keeps}`
    : `copy its backup back over ${base} ${keeps}`;
  throw new CallhookError(
    `${marked}, so it may be part repaired; ${original}, then delete the mark (or, with no fix --write running, delete the mark alone to repair the file as it is)`,
  );
}

/** The mark of a rewrite made by this run (see `markRewrite`): its name, and the file it made, open. */
interface Mark {
  path: string;
  handle: FileHandle;
}

/**
 * Leaves the mark `refuseInterrupted` looks for, empty until `nameInMark` writes the backup's name
 * into it, and returns it; a file with no room for its name is refused. Made before the backup,
 * so that a read that finds no mark when it opens the file began before any backup of this run
 * was made (see read.ts, `refuseRewritten`), and a run at the same file meanwhile is refused
 * before it copies anything.
 */
async function markRewrite(name: string, base: string, owner: number): Promise<Mark> {
  const path = `${base}${rewriteMark}`;
  try {
    return { path, handle: await open(openablePath(path), 'wx', 0o600) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Hint: made since this run looked, by another run rewriting the same file.
    if (code === 'EEXIST') await refuseInterrupted(name, base, owner);
    // Hint: a name with no room for the mark was rewritten without one, so a kill -9 part way left
    // a torn file no command refused (red team hR105). The mark is the longest name fix makes
    // beside the file (`.bak` fits wherever it does), so this says it for the backup too.
    const hint =
      code === 'ENAMETOOLONG'
        ? ' (the name, or the path to it, leaves no room for the mark fix --write leaves while it rewrites: rename or move the file, or print the repair without --write)'
        : '';
    throw new CallhookError(`${name}: could not make ${path} (${ioReason(error)}); nothing was written${hint}`);
  }
}

/**
 * Writes the name of `backup` into `mark`, its bytes flushed to the disk (its name is, with the
 * backup's, by the caller's one sync of the folder), and closes it.
 */
async function nameInMark(name: string, mark: Mark, backup: string): Promise<void> {
  try {
    const held = openablePath(resolve(backup));
    await writeWhole(mark.handle, typeof held === 'string' ? Buffer.from(held) : held, 0);
    await mark.handle.sync();
    await mark.handle.close();
  } catch (error) {
    throw new CallhookError(`${name}: could not write ${mark.path} (${ioReason(error)}); nothing was written`);
  }
}

/**
 * `error`, once `mark`, made by this run for a rewrite it gave up before writing a byte of the
 * file, is removed; a mark that cannot be removed is named in it, since the next run refuses the file.
 */
async function withoutMark(mark: Mark, error: unknown): Promise<unknown> {
  await mark.handle.close().catch(() => undefined);
  return rm(openablePath(mark.path)).then(
    () => error,
    (failure: unknown) =>
      error instanceof CallhookError
        ? new CallhookError(
            `${error.message}; ${mark.path} is left behind (could not remove it: ${ioReason(failure)}): delete it, or the next fix --write of the file refuses it`,
            error.exitCode,
          )
        : error,
  );
}

/**
 * Takes the mark away once the file is whole again: repaired, or as it was. Hint: the folder is
 * not synced for it: a mark a crash brings back only makes the next run refuse, as it says.
 */
async function unmarkRewrite(name: string, mark: string): Promise<void> {
  try {
    await rm(openablePath(mark));
  } catch (error) {
    throw new CallhookError(
      `${name}: could not remove ${mark} (${ioReason(error)}); delete it, or the next fix --write of ${name} refuses it`,
    );
  }
}

/** The first of `<name>.bak`, `<name>.bak.1`, … from the `from`th on that names nothing yet, and its number. */
async function freeBackupName(name: string, from: number): Promise<{ candidate: string; n: number }> {
  for (let n = from; ; n++) {
    const candidate = n === 0 ? `${name}.bak` : `${name}.bak.${n}`;
    // Hint: an error (a name too long) is left to the open or the link, which say it.
    const taken = await lstat(openablePath(candidate)).then(
      () => true,
      () => false,
    );
    if (!taken) return { candidate, n };
  }
}

/**
 * Opens a new file, ours alone (0600), for the backup `candidate` to be made in: named
 * `<candidate>.partial-<8 hex>`, or, where that name is too long, `.callhook.bak.partial-<8 hex>`
 * in the same folder. Hint: neither ends in .json, .ndjson or .jsonl, so a later run never reads one
 * left by a kill as its input; the name says what it is.
 */
async function openPartialBackup(candidate: string): Promise<{ partial: string; handle: FileHandle }> {
  const mark = `${partialBackupMark}${randomBytes(4).toString('hex')}`;
  // Hint: 'wx' never overwrites. Not copyFile: it makes the copy with the original's mode but
  // ours, so another user's 0640 file was readable by our group until the chown.
  const opened = async (partial: string) => ({ partial, handle: await open(openablePath(partial), 'wx+', 0o600) });
  return opened(`${candidate}${mark}`).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') throw error;
    return opened(join(dirname(candidate), `.callhook.bak${mark}`));
  });
}

/**
 * Gives the whole backup made as `partial` its name, `<name>.bak` or the next free one, never
 * replacing a file; returns that name, and `partial` is gone. Hint: `link`, then the partial's
 * unlink, not a `rename` after checking that the name is free: `link` fails with EEXIST when the
 * name is taken at that very moment, where a `rename` replaces a file named so between the check
 * and it (the backup of a second `fix --write` of the same file). Only on a file system without
 * hard links is it `rename`, after that check: there that race remains. A kill between the link
 * and the unlink leaves the partial beside the backup, both whole.
 */
async function nameBackup(
  name: string,
  partial: string,
  first: { candidate: string; n: number },
  id: string | undefined,
): Promise<string> {
  for (let { candidate, n } = first; ; { candidate, n } = await freeBackupName(name, n + 1)) {
    try {
      await link(openablePath(partial), openablePath(candidate));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // Hint: a file system with no hard links: the backup is given its name by `rename`.
      if (!cannotLink(error)) throw error;
      if ((await freeBackupName(name, n)).n !== n) continue;
      await rename(openablePath(partial), openablePath(candidate));
      return ownBackup(candidate, id);
    }
    await rm(openablePath(partial)).catch(async (error: unknown) => {
      // Hint: refused, the rewrite leaves no backup under a backup's name; the partial that cannot
      // go is named in the refusal (see `withoutBackup`).
      await rm(openablePath(candidate), { force: true }).catch(() => undefined);
      throw error;
    });
    return ownBackup(candidate, id);
  }
}

/**
 * `candidate`, once it is known to name the backup made (`id`, its `fileId`): in a folder others
 * can write to, they may have put another file (a symlink to a file of the user's) in the
 * partial's place before it was named, and the original would then be kept under no name the
 * message could give; that name (this run's link) is taken back, and the rewrite refused.
 */
async function ownBackup(candidate: string, id: string | undefined): Promise<string> {
  if (await namesFile(openablePath(candidate), id)) return candidate;
  await rm(openablePath(candidate), { force: true }).catch(() => undefined);
  throw new Error('another file took its place while it was made (others can write to its folder)');
}

/**
 * Copies the file's `bytes` to `<name>.bak` (or `.bak.1`, …: a backup is never overwritten), at no
 * moment more readable than the original: readable by us alone until it has the original's owner
 * and mode. It is made under another name (see `openPartialBackup`), and named only once whole,
 * synced, with its owner and mode, so that no `.bak` holds part of a file, whenever the run is
 * killed. Returns it open: the caller closes it, and syncs the folder that holds its name.
 */
async function makeBackup(name: string, stats: Stats, bytes: AsyncIterable<Buffer>): Promise<Backup> {
  // Hint: named after the source's name, opened by its bytes: a name that is not UTF-8, written
  // as text, would make the backup under another name (U+FFFD for each such byte).
  const first = await freeBackupName(name, 0);
  const cannotMake = (error: unknown, as = '') =>
    new CallhookError(
      `${name}: could not make the backup ${first.candidate}${as} (${ioReason(error)}); nothing was written`,
    );
  let partial: string;
  let handle: FileHandle;
  try {
    ({ partial, handle } = await openPartialBackup(first.candidate));
  } catch (error) {
    throw cannotMake(error);
  }
  const removed = async (refusal: CallhookError) => {
    await handle.close().catch(() => undefined);
    return withoutBackup(partial, refusal);
  };
  try {
    let size = 0;
    for await (const chunk of bytes) size += await writeWhole(handle, chunk, size);
    // Hint: a write a file system defers (NFS) fails here, as it did at a close here; the backup
    // is now closed once the file is rewritten, too late to refuse it.
    await handle.sync();
  } catch (error) {
    throw await removed(cannotMake(error));
  }
  // The original's owner (another user's file, when not root: the backup stays ours), and its
  // mode for its owner alone. Hint: a copy carries no access control list or other extended
  // attribute of the original, so one as open as the original's mode could be more open than the
  // original (a user an ACL shuts out of a 0644 file). One whose mode cannot be set goes (it is
  // 0600 until then, so no one else could read it meanwhile).
  await handle.chown(stats.uid, stats.gid).catch(() => undefined);
  await handle.chmod(stats.mode & 0o700).catch(async (error: unknown) => {
    throw await removed(cannotMake(error, ' as private as the original'));
  });
  let path: string;
  try {
    path = await nameBackup(name, partial, first, fileId(await handle.stat()));
  } catch (error) {
    throw await removed(cannotMake(error));
  }
  return { path, handle };
}

/**
 * Flushes the folder holding `path` to the disk, so that the names given to the backup and to the
 * mark of the rewrite survive a power loss during the rewrite, as their bytes do. Hint: as far as it can: a folder that cannot be
 * opened for reading (mode 0300) or a file system that syncs no folder keeps the name as it keeps
 * any other, and refusing the repair for that would help no one.
 */
async function syncFolderOf(path: string): Promise<void> {
  const folder = await open(openablePath(dirname(path)), 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close().catch(() => undefined);
}

/**
 * Writes all of `chunk` at `position` in the file open as `handle`; returns its length. `wrote` is
 * told where the bytes written end after each write that took some (one that took part of them,
 * the rest then refused: a full disk). Hint: one that takes none is an I/O error: asked again, as
 * Node's writeFile asks it, it may take none for ever, the signals held meanwhile.
 */
async function writeWhole(
  handle: FileHandle,
  chunk: Buffer,
  position: number,
  wrote: (end: number) => void = () => {},
): Promise<number> {
  for (let written = 0; written < chunk.length; ) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.length - written, position + written);
    if (bytesWritten === 0) throw new Error('a write took none of its bytes');
    written += bytesWritten;
    wrote(position + written);
  }
  return chunk.length;
}

/**
 * A rewrite in place as it goes, carried over to the one that puts the original back when it
 * fails: `file`, whether a byte of the file was written or its length cut; `end`, where the bytes
 * the rewrites wrote, or the original's, end (what lies past it another program appended); `aside`,
 * what another program appended that the repair would have written over, still to go after it.
 */
interface Rewrite {
  file: boolean;
  end: number;
  aside: Buffer[];
}

/** What another program appended while a file was rewritten: how many bytes were kept after the repair, and whether it stopped before the rewrite did (`settled`). */
export interface Appended {
  kept: number;
  settled: boolean;
}

/** How many times the bytes another program appends are moved after the repair before it gives up on one that keeps appending. */
const maxMoves = 100;

/**
 * Writes the repaired text of the backup open as `backup` into the file's own inode, from its
 * first byte, and cuts what is left over (see `Rewrite` for `rewrite`). Returns how many bytes
 * another program appended to the file meanwhile, kept after the repair. Hint: a program
 * appending (a logger) writes at the file's end, wherever that is as it writes; bytes written
 * below the end are never in its way. So the repair is written up to the original's end; what it
 * holds past that (a comma put in), and what was appended meanwhile, read then, go after it in
 * one write, the only one past the end; what comes after that is moved down to follow them,
 * until nothing more comes, and only then is the rest cut. Cut with the rest, appended lines
 * were lost without a word (red team hT64). What comes between the last look and that one write,
 * or the cut, or from a program that keeps appending past `maxMoves` looks, still can be.
 */
async function rewriteInPlace(
  handle: FileHandle,
  backup: FileHandle,
  plan: RepairPlan,
  rewrite: Rewrite = { file: false, end: 0, aside: [] },
): Promise<Appended> {
  // Hint: a pass that puts the original back starts where the failed one's bytes end, which may
  // be short of the original's end (a shorter repair, cut): past it is another program's.
  if (!rewrite.file) rewrite.end = Math.max(rewrite.end, (await backup.stat()).size);
  const limit = rewrite.end;
  // Hint: the end of every write, those cut short too: what a rewrite that failed wrote past the
  // original is its own, not another program's, to the one that puts the original back.
  const wrote = (end: number) => {
    rewrite.file = true;
    rewrite.end = Math.max(rewrite.end, end);
  };
  const repaired = applyRepairs(
    readChunksOf(backup, 0, chunkBytes),
    plan.repairs.map((planned) => planned.repair),
  );
  let position = 0;
  /** The repair's bytes past `limit`, written with what was appended. */
  const past: Buffer[] = [];
  for await (const chunk of repaired) {
    const below = Math.max(0, Math.min(chunk.length, limit - position));
    if (below > 0) await writeWhole(handle, chunk.subarray(0, below), position, wrote);
    if (below < chunk.length) past.push(Buffer.from(chunk.subarray(below)));
    position += chunk.length;
  }
  // What was appended meanwhile, read until no more comes, so that the one write past the end
  // follows the last look at once (reading it took long enough for more to come: review hR64).
  // Hint: `end` moves with each chunk taken, so that a pass that puts the original back after a
  // failure meanwhile neither takes a chunk twice nor leaves one (review hR65).
  for (let looks = 0; looks < maxMoves; looks++) {
    const { size } = await handle.stat();
    if (size <= rewrite.end) break;
    for await (const chunk of readChunksOf(handle, rewrite.end, chunkBytes, true, size)) {
      rewrite.aside.push(Buffer.from(chunk));
      rewrite.end += chunk.length;
    }
  }
  const aside = Buffer.concat(rewrite.aside);
  await writeWhole(handle, Buffer.concat([...past, aside]), Math.min(position, limit), wrote);
  let kept = aside.length;
  let settled = false;
  // Hint: moved down, a chunk at a time in order: each lands before where it was read. Kept aside
  // too until the end, so that a pass that puts the original back keeps them (review hR64).
  for (let moves = 0; moves < maxMoves; moves++) {
    const now = (await handle.stat()).size;
    if (now <= rewrite.end) {
      settled = true;
      break;
    }
    for await (const chunk of readChunksOf(handle, rewrite.end, chunkBytes, true, now)) {
      rewrite.aside.push(Buffer.from(chunk));
      rewrite.end += chunk.length;
      kept += await writeWhole(handle, chunk, position + kept, wrote);
    }
  }
  rewrite.file = true;
  await handle.truncate(position + kept);
  // Hint: what comes after the cut lands past it: a pass that puts the original back after a
  // failed sync takes it from there, not from the end before the cut (review hR66).
  rewrite.end = position + kept;
  await handle.sync();
  rewrite.aside = [];
  return { kept, settled };
}

/**
 * Writes the repair of `backup` into the file open as `handle`; when that fails, puts the backup's
 * text back (if a byte of the file was changed) before saying what went wrong.
 */
export async function rewriteFromBackup(
  handle: FileHandle,
  { path: backup, handle: backupHandle }: Backup,
  plan: RepairPlan,
  name: string,
  whole: () => Promise<void> = async () => {},
): Promise<Appended> {
  const touched: Rewrite = { file: false, end: 0, aside: [] };
  let kept: Appended;
  try {
    kept = await rewriteInPlace(handle, backupHandle, plan, touched);
  } catch (error) {
    const reason = ioReason(error);
    // Hint: the mark left, the next run refuses the file as interrupted: safe, and the reason here stays the one said.
    if (!touched.file) {
      await whole().catch(() => undefined);
      throw new CallhookError(
        `${name}: could not write the repair (${reason}); nothing was written; the original is also in ${backup}`,
      );
    }
    const restored = await rewriteInPlace(handle, backupHandle, { repairs: [], unrepairable: [] }, touched).then(
      () => true,
      () => false,
    );
    if (restored) await whole().catch(() => undefined);
    throw new CallhookError(
      restored
        ? `${name}: could not write the repair (${reason}); the file is as it was, and also in ${backup}`
        : `${name}: could not write the repair (${reason}), nor put the original back: the file may be partly written; the original is in ${backup}`,
    );
  }
  await whole();
  return kept;
}

/** The SHA-256 of `bytes`. */
async function sha256Of(bytes: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of bytes) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * What the backup of the file open as `fd`, named `name`, and the mark of its rewrite are named
 * after: `name`, unless `name` is a symlink, then the file's own path, so that a run through any
 * link finds the mark another left (readers look beside the file too, see read.ts). Hint: beside
 * the file itself, since a backup beside a link would be a copy in the link's folder, which others
 * may read where the file's own folder keeps them out; and found from the file open (Linux:
 * /proc/self/fd), not from the name read again, which one who can write the link's folder could
 * point elsewhere in between. Elsewhere, or with no file open (a look for its mark), from the name.
 */
export function backupBase(name: string, fd?: number): string {
  let opened = fd === undefined ? realPathOf(name) : undefined;
  try {
    opened ??= fileNameOf(readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' }));
  } catch {
    opened = realPathOf(name);
  }
  return dirname(opened) === realPathOf(dirname(name)) && basename(opened) === basename(name) ? name : opened;
}

/** Whether --write refuses a file as read-only. Hint: told by the mode, not by trying: root may write a file its owner made read-only. */
function isReadOnly(stats: { mode: number }): boolean {
  return (stats.mode & 0o222) === 0;
}

/**
 * Rewrites the file the way editors do: a backup first, then the repaired text written into the
 * same file, so that its mode, owner and a symlink to it all stay as they were (a file of more
 * than one name is refused: see below). Returns the backup's name.
 */
export async function writeRepaired(
  input: FixInput,
  plan: RepairPlan,
): Promise<{ backup: string; appended: Appended }> {
  const path = input.source.path;
  // Hint: every message thrown here is escaped whole where it is printed (see `fixOne`, `formatFatal`).
  const name = input.source.name;
  const stats = input.stats;
  if (!stats) throw new CallhookError(`${name}: --write needs a file; this is read once (stdin or a pipe)`);
  if (isReadOnly(stats)) {
    throw new CallhookError(
      `${name}: the file is read-only; nothing was written (make it writable, or fix without --write)`,
    );
  }
  // Hint: as every file callhook writes: a link another user planted (in a shared folder) could
  // point at any file of the user's, one they never named. A link planted after this look would
  // reach another file than the one planned, which the open's identity check below refuses.
  checkLinksOnTheWay(name);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') {
      throw new CallhookError(`${name}: not writable by you; nothing was written`);
    }
    throw describeIoError(error, name);
  }
  let backup: Backup | undefined;
  let written = false;
  try {
    // Hint: the file planned, opened, backed up and rewritten must be one: the name, in a folder
    // others can write to, may be swapped for a link to another file between any two opens of it.
    // Opened once; the backup is read through this handle, and it must be the file planned.
    const opened = await handle.stat();
    if (opened.dev !== stats.dev || opened.ino !== stats.ino) throw changedWhileChecked(name);
    const base = backupBase(name, handle.fd);
    const mark = await markRewrite(name, base, opened.uid);
    try {
      // Hint: looked at once the mark is made, so that a name added after a run's look is seen by
      // the run through it: each mark is beside its own name, and two runs through two names of one
      // file both rewrote it, the second reading the first's repair as bytes appended (red team hR110).
      const { nlink } = await handle.stat();
      if (nlink > 1) {
        throw new CallhookError(
          `${name}: it is one of ${nlink} names of one file (hard links): a repair in place would change it under every name, and a fix --write through another name would not see this one's mark; nothing was written (repair a copy of it, or print the repair without --write)`,
        );
      }
      backup = await makeBackup(base, opened, readChunksOf(handle, 0, chunkBytes));
      const { path: made } = backup;
      // Hint: the repair is written from the backup, so the backup must hold the very bytes planned:
      // a size and an mtime unchanged miss an edit within the mtime's resolution, or `touch -r`.
      // One that differs, or cannot be read back to tell, is this run's own, and goes.
      const refusal = await sha256Of(readChunksOf(backup.handle, 0, chunkBytes)).then(
        (digest) => (digest === input.digest ? undefined : changedWhileChecked(name)),
        (error: unknown) =>
          new CallhookError(
            `${name}: could not read back the backup ${made} (${ioReason(error)}); nothing was written`,
          ),
      );
      if (refusal) throw await withoutBackup(made, refusal);
      await nameInMark(name, mark, made).catch(async (error: unknown) => {
        throw await withoutBackup(made, error as CallhookError);
      });
    } catch (error) {
      throw await withoutMark(mark, error);
    }
    // One sync of the folder puts the backup's name and the mark's on the disk, before the first byte is rewritten.
    await syncFolderOf(backup.path);
    const appended = await rewriteFromBackup(handle, backup, plan, name, () => unmarkRewrite(name, mark.path));
    // Hint: the kernel clears the set-user-ID and set-group-ID bits of a file written by a user
    // without CAP_FSETID (not root); they are put back, as the file keeps its mode.
    const mode = opened.mode & 0o7777;
    if (((await handle.stat()).mode & 0o7777) !== mode) await handle.chmod(mode).catch(() => undefined);
    written = true;
    return { backup: backup.path, appended };
  } finally {
    // Hint: synced once written (see `makeBackup`): its close has nothing left to report.
    await backup?.handle.close().catch(() => undefined);
    // Hint: a close that fails (an NFS mount's write-back error) after a refusal or a failed write
    // must not hide why; after the repair is written, it is the write's failure.
    await handle.close().catch((error: unknown) => {
      if (written && backup) {
        throw new CallhookError(
          `${name}: could not close it once repaired (${ioReason(error)}): the repair may not all be on the disk; the original is in ${backup.path}`,
        );
      }
    });
  }
}

/**
 * Prints the repair of the input's bytes, read once more, to stdout. Refuses, once printed, a
 * file whose bytes are no longer those the plan was made from: the plan's offsets applied to
 * another writer's bytes print text that is neither file's repair.
 */
export async function printRepaired(input: FixInput, plan: RepairPlan): Promise<void> {
  let printed: string | undefined;
  const read = hashing(placedBytesOf(input, 'what was printed is cut off there'), (digest) => {
    printed = digest;
  });
  // Hint: piped or redirected, the repair is the file's bytes; to a terminal, what it would act on
  // (C1 controls, bidi overrides) is written as \u escapes, which mean the same in JSON strings, the
  // only place such characters can be in a repair that checked as JSON.
  // A CR outside strings (the only place JSON has one) not before a LF, an old Mac line end, is
  // written as a LF, which JSON reads alike: the terminal would go back to the line's start and
  // write what follows over it. One at a chunk's end waits for the next chunk's first character.
  // Hint: TextDecoder leaves a leading BOM out: shown as `\ufeff` before the `[`, it was not JSON,
  // and it marks how the file's bytes are encoded, not text of the file.
  const decoder = process.stdout.isTTY ? new TextDecoder() : undefined;
  let heldReturn = '';
  const forTerminal = (text: string, last = false) => {
    const whole = heldReturn + text;
    heldReturn = !last && whole.endsWith('\r') ? '\r' : '';
    return escapeJsonForTerminal(whole.slice(0, whole.length - heldReturn.length).replace(/\r(?!\n)/g, '\n'));
  };
  const print = async (chunk: Buffer | string) => {
    if (!process.stdout.write(chunk)) await drained(process.stdout, () => process.stdout.destroyed);
  };
  for await (const chunk of applyRepairs(
    read,
    plan.repairs.map((planned) => planned.repair),
  )) {
    await print(decoder ? forTerminal(decoder.decode(chunk, { stream: true })) : chunk);
  }
  if (decoder) await print(forTerminal(decoder.decode(), true));
  if (printed !== input.digest) throw changedWhileChecked(input.source.name, 'what was printed is not its repair');
}

/**
 * Repairs one source; returns the exit code it ends with. `headings`, when several files are
 * fixed, counts the `==> file <==` lines printed so far: after the first, one follows a line
 * break, as `head` writes them, so that it is on a line of its own after a file that ends
 * without one.
 */
async function fixOne(
  source: Source,
  options: FixOptions,
  headings: { printed: number } | undefined,
): Promise<{ code: number; signal?: NodeJS.Signals | undefined }> {
  const c = colorsFor(process.stderr);
  const width = options.width ?? terminalWidth(process.stderr);
  const input = await fixInput(source, options);
  const name = escapeTerminal(source.name);
  const plan = await planFor(input);
  const own = (problem: Problem): Problem => ({ ...problem, file: source.name });
  // Hint: a text file saved as .json has a problem a word, and a file of compact events a
  // missing comma each: both lists are cut at --max-problems, and the rest counted.
  // Hint: a file read no further (`fatal`: not text from there on) is always listed, outside the
  // limit, as validate lists it: nothing else says that the rest of the file was not read.
  const list = <T>(items: readonly T[], line: (item: T) => string, what: string, always = (_: T) => false) => {
    let kept = 0;
    const max = options.maxProblems ?? defaultMaxProblems;
    const shown = items.filter((item) => always(item) || kept++ < max);
    for (const item of shown) process.stderr.write(`${line(item)}\n`);
    if (items.length > shown.length)
      process.stderr.write(`${renderOmitted(items.length - shown.length, c, width, what)}\n`);
  };
  if (plan.unrepairable.length > 0) {
    // Hint: a file that could not be read further is not damaged: one line says where reading
    // stopped (as summarise and replay say it), after the problems found before it.
    const unreadable = plan.unrepairable.find(isUnreadable);
    const problems = plan.unrepairable.filter((problem) => problem !== unreadable);
    const fatal = (problem: Problem) => problem.fatal === true;
    list(problems, (problem) => renderProblemPretty(own(problem), c, width), 'problem', fatal);
    const unrepaired = `${plural(problems.length, 'problem')} cannot be repaired automatically`;
    const stopped = unreadable && escapeTerminal(unreadableFileError(own(unreadable)).message);
    const why = stopped ? (problems.length > 0 ? `${stopped}; ${unrepaired}` : stopped) : `${name}: ${unrepaired}`;
    // Hint: after a missing colon the parser skips to the next `,` or `}`, which in an object or
    // array value (`{"a" {"b": 1}}`) is the value's own: a false `unexpected "}"` follows, and
    // listed alone it sent the user to the wrong place, never to the colon.
    const colons = stopped ? [] : plan.repairs.filter((planned) => planned.beforeUnrepairable);
    const one = colons.length === 1;
    const cause =
      colons.length > 0
        ? ` (${problems.length === 1 ? 'it' : 'they'} may follow from the ${one ? 'colon' : 'colons'} missing at ${plannedPlaces(colons)}: put ${one ? 'that' : 'those'} in by hand, then run fix again)`
        : '';
    process.stderr.write(`callhook: ${why}; nothing was written${cause}\n`);
    return { code: exitCodeWithUnreadable(ExitCode.invalid, unreadable ? 1 : 0) };
  }
  const left = plan.repairs.length > 0 ? await errorsAfter(input, plan) : 0;
  if (left > 0) {
    // Hint: what is left shows only once the planned repairs are made (after a missing colon the
    // parser skips to the next `,` or `}`), or a repair made it (`4 5` repaired into `4, 5` where a
    // key goes); its place in this file is not known, the planned repairs' are.
    const one = plan.repairs.length === 1;
    process.stderr.write(
      `callhook: ${name}: ${plural(left, 'syntax problem')} ${left === 1 ? 'remains' : 'remain'} once the ${plural(plan.repairs.length, 'repair')} planned (at ${plannedPlaces(plan.repairs)}) ${one ? 'is' : 'are'} made; nothing was written: make ${one ? 'it' : 'them'} by hand, then run fix again to see where\n`,
    );
    return { code: ExitCode.invalid };
  }
  const listRepairs = () =>
    list(
      plan.repairs,
      (planned) => `callhook: ${name}:${planned.line}:${planned.column}: ${escapeTerminal(planned.description)}`,
      'repair',
    );
  if (!options.write) {
    // Hint: a file after printing failed has its repair go nowhere: listed, it read as repaired (review hR111).
    if (!stdoutGone.failing) listRepairs();
    if (headings) process.stdout.write(`${headings.printed++ > 0 ? '\n' : ''}==> ${name} <==\n`);
    await printRepaired(input, plan);
    // Hint: not once printing it failed (a full disk under `> out.json`): nothing was repaired
    // anywhere, and the failure, said on the line before, is the run's last word.
    if (plan.repairs.length > 0 && !stdoutGone.failing) {
      // Hint: only a file on disk can be rewritten; --write refuses stdin and pipes, and a read-only file.
      const onDisk = isStdin(source) ? undefined : input.stats;
      const hint = !onDisk
        ? ''
        : isReadOnly(onDisk)
          ? ' (the file is read-only: make it writable, then --write saves them)'
          : ' (--write saves them)';
      process.stderr.write(`callhook: ${name}: repaired ${plural(plan.repairs.length, 'problem')}${hint}\n`);
    }
    return { code: ExitCode.ok };
  }
  if (plan.repairs.length === 0) {
    process.stderr.write(`callhook: ${name}: nothing to repair\n`);
    return { code: ExitCode.ok };
  }
  // Hint: the repairs are listed once written: a --write that refuses the file repaired nothing.
  const { value: written, signal } = await withSignalsHeld(() => writeRepaired(input, plan));
  listRepairs();
  process.stderr.write(
    `callhook: ${name}: repaired ${plural(plan.repairs.length, 'problem')}; the original is kept as ${escapeTerminal(written.backup)}\n`,
  );
  const { kept, settled } = written.appended;
  if (kept > 0) {
    process.stderr.write(
      `callhook: warning: ${name}: ${plural(kept, 'byte')} another program appended while it was rewritten are kept after the repair, unchecked (repair a file only once nothing writes to it)\n`,
    );
  }
  if (!settled) {
    process.stderr.write(
      `callhook: warning: ${name}: another program kept appending to it while it was rewritten: what it appended after the last of ${maxMoves} looks may be cut off (repair a file only once nothing writes to it)\n`,
    );
  }
  return { code: ExitCode.ok, signal };
}

/** What fix prints to stdout, and how else to have it (see `PrintedOutput`). Hint: --write refuses stdin, which it cannot rewrite. */
const printedRepair: PrintedOutput = {
  what: 'the repair',
  instead: (asStdin) => `use --write${asStdin ? ' on the file itself (not stdin)' : ''} to repair it in place`,
};

/**
 * fix --write prints nothing, but a file it reads sent stdout to (`> x.json`) was emptied by the
 * shell before it ran: it read the empty file and called it unrepairable (red team hR110).
 */
const printedByWrite: PrintedOutput = {
  what: 'the output',
  instead: () => 'drop the redirection (fix --write prints nothing to stdout)',
  rewrites: true,
};

/** Runs `fix` on files, folders or `-`: prints the repaired text, or with `--write` rewrites each file in place. */
export async function fix(paths: string[], options: FixOptions): Promise<void> {
  finishWithoutStdout();
  // Hint: asked first: `fix --write - < f 2>> f` was refused for its stderr, not for what was wrong (review hR127).
  // Only a path typed names stdin: a folder's files are regular files.
  if (options.write && paths.some(namesStdin)) {
    throw new CallhookError('fix --write needs files: stdin cannot be rewritten (drop --write to print the repair)');
  }
  // As `cat f >> f` refuses: fix reads a file more than once, and would read its repair back; read
  // once from stdin, the file would still have the repair added to what it held.
  const sources = await listSources(paths, (message, names) => warnOnStderr(message, options.width, names), {
    printed: options.write ? printedByWrite : printedRepair,
  });
  const interrupted = (signal: NodeJS.Signals, rest: number) => {
    const left = rest === 1 ? '1 file left as it was' : `${plural(rest, 'file')} left as they were`;
    process.stderr.write(`callhook: interrupted${rest > 0 ? `; ${left}` : ''}\n`);
    return interruptedBy(signal);
  };
  let code: number = ExitCode.ok;
  let current = 0;
  const headings = sources.length > 1 ? { printed: 0 } : undefined;
  // Hint: with --write, a stop signal while a file is planned (nothing written) ends the run at once,
  // as it would with no handler, but first says how many files were left as they were; one during
  // a rewrite waits for it (`withSignalsHeld`), and is said once the file is done.
  const stopNow = (signal: NodeJS.Signals) => {
    if (rewritesUnderWay === 0) process.exit(interrupted(signal, sources.length - current));
  };
  if (options.write) for (const name of stopSignals) process.on(name, stopNow);
  try {
    for (const [index, source] of sources.entries()) {
      current = index;
      let outcome: Awaited<ReturnType<typeof fixOne>>;
      try {
        outcome = await fixOne(source, options, headings);
      } catch (error) {
        const held = error instanceof FailedWhileHeld ? error : undefined;
        const failure = held ? held.error : error;
        // One file that cannot be rewritten does not stop the others; a signal that came meanwhile does.
        if (!(failure instanceof CallhookError) || (sources.length === 1 && !held)) throw failure;
        process.stderr.write(`${formatFatal(failure).message}\n`);
        outcome = { code: failure.exitCode, signal: held?.signal };
      }
      code = Math.max(code, outcome.code);
      // Hint: set as each file ends, so a reader of stdout that goes away after it (`| head`)
      // ends the run with it (see cli.ts), not with 0.
      process.exitCode = code;
      if (outcome.signal) {
        code = interrupted(outcome.signal, sources.length - index - 1);
        break;
      }
    }
  } finally {
    for (const name of stopSignals) process.off(name, stopNow);
  }
  process.exitCode = code;
}
