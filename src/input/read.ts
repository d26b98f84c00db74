/**
 * The one way callhook reads input: paths (files, folders, `-` for stdin) become a stream of
 * records — valid events, invalid elements with their problems, and problems between elements —
 * with bounded memory whatever the size of the files.
 */
import { isUtf8 } from 'node:buffer';
import {
  accessSync,
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  open as openFdCallback,
  openSync,
  read as readCallback,
  readFileSync,
  readlinkSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { access, type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isUint8Array } from 'node:util/types';
import { CallhookError, describeIoError, ExitCode, folderDeleted, ioReason } from '../errors.js';
import { letLoopRun } from '../loop.js';
import {
  fileId,
  joinablePath,
  realPathOf,
  socketProblem,
  standardStreamNames,
  standardStreamOf,
} from '../output-file.js';
import type { CheckOptions } from '../schema/check.js';
import { kindOf } from '../schema/names.js';
import { endings, lastNumber, numbered } from './capture-names.js';
import { cliLimitWords, type LimitWords } from './element.js';
import { fileNameOf, type OpenablePath, openablePath } from './file-names.js';
import { FingerprintSet } from './fingerprint-set.js';
import { RecentFirsts } from './recent-firsts.js';
import { RecordBuilder } from './records.js';
import { textSampleSize } from './sniff.js';
import { ElementSplitter, type ResumePoint, type SplitElement, type SplitLimits, type SplitSink } from './split.js';
import { chunksOfStdin, namesStdin, processStdin, readsFdZero } from './stdin.js';
import {
  captureLogName,
  eventFileEndings,
  type InputRecord,
  type Location,
  lineDelimitedNames,
  type Problem,
  rewriteMark,
  stdinName,
  unreadableCode,
} from './types.js';

const openFd = promisify(openFdCallback);
const readFd = promisify(readCallback);

/** How to read input. */
export interface ReadOptions extends CheckOptions {
  /** Warn about a batch (top-level array) with more events than this. */
  batchSize?: number | undefined;
  /** An element larger than this is reported and skipped (default 64 MiB: `--max-element-size`). */
  maxElementBytes?: number | undefined;
  /** Bytes read from a file at a time (default 256 KiB): a consumer paced by something slower may read less. */
  readSize?: number | undefined;
  /** Bytes handed to the splitter at a time, and so records yielded at a time (default 64 KiB); tests use tiny ones. */
  chunkSize?: number | undefined;
  /**
   * Told of a source that is not read as named: a file named twice is read once (`code`
   * `named-twice`), a folder's compressed file is not read (`compressed`; see `listSources`);
   * `names`, the file names in the message, the first the one not read as named, for a terminal
   * to keep each whole.
   * Hint: a new list each time, so not typed read-only: a listener typed `names: string[]` fits.
   */
  onWarning?: ((message: string, names: string[], code: 'compressed' | 'named-twice') => void) | undefined;
  /** Where `-` reads from (default process.stdin): a stream, or an async iterable of its chunks. */
  stdin?: NodeJS.ReadableStream | AsyncIterable<unknown> | undefined;
  /**
   * `stdin` is a caller's own stream (the library's `readEvents`): every error it gives is its
   * failure (a `fetch` body's `TypeError: terminated`), an `unreadable` problem. In a stream of
   * callhook's own (fix reading back a repair, listen a request's body) an error without an I/O
   * code is a bug, and fails the run, as in callhook's reads of files.
   */
  stdinIsCallers?: boolean | undefined;
  /**
   * The name `-` goes by (default `<stdin>`): that of the source `stdin` holds the bytes of, when
   * it is another's (fix reads a pipe once, then its held bytes as stdin), so that the name says
   * what it says of the source (an empty `*.ndjson` is no events).
   */
  stdinName?: string | undefined;
  /** Name a redelivery's first copy in its warning when it was among the last first seen (see input/first-copies.ts). */
  firstCopies?: boolean | undefined;
  /**
   * The line ending (`\n` or `\r\n`) of the first line of the one file read, for the line break a
   * repair puts into that line when it is longer than a chunk (see `ElementSplitter`); LF when not given.
   */
  firstLineEnding?: string | undefined;
  /**
   * Whether a problem of `severity` placed at or after `at` may still be listed (see `ValidationCollector.mayListFrom`): when not, the problems the check of an
   * element beginning there finds (schema errors and warnings, a redelivery's) are counted in
   * `omitted`, not built and placed, for a report that would only have counted them; and a
   * problem between elements placed there comes without its `excerpt` (the code frame), not
   * gathered for it.
   */
  mayListFrom?: ((at: Location, severity: Problem['severity']) => boolean) | undefined;
  /**
   * Once aborted, no more is read: what was read and not yet split (the rest of the chunk in hand,
   * and what a stream holds buffered) is split and handed on, a read waiting for more is given up
   * (a named pipe it opened closed then; a `stdin` given is left to its caller), and no other
   * source is opened. For replay stopped while reading a stream, which counts every event it read
   * as sent or not. Reads sharing one signal add one listener to it.
   */
  stop?: AbortSignal | undefined;
  /** Each source is one JSON document, as a request's body (listen) is: a second value in it is an error, not NDJSON. */
  oneValue?: boolean | undefined;
  /** Hand on an `array-end` record where each top-level array ends, for replay to send a stream's array as soon as it is whole. */
  arrayEnds?: boolean | undefined;
}

/** How `readRecords` reads: `ReadOptions`, and what the library's callers do not give (their stdout is theirs). */
export interface ReadingOptions extends ReadOptions {
  /**
   * What the run prints to stdout, for the refusal of a stdout that is one of the files read (see
   * `refuseOwnOutput`); the reading commands' output when not given, false where stdout is no
   * output of the reading's (the library's).
   */
  printed?: PrintedOutput | false | undefined;
}

/** What a run prints to stdout, as the refusal of a stdout that is one of the files it reads says it (see `refuseOwnOutput`). */
export interface PrintedOutput {
  /** What is printed: `the output`, or fix's `the repair`. */
  what: string;
  /** What to do instead, told whether the file is read as stdin (`- < x.json`). */
  instead: (asStdin: boolean) => string;
  /** The run rewrites the files it reads (fix --write): a stderr among them is refused however it was opened. */
  rewrites?: true;
}

/** What the reading commands print to stdout (fix says its own: see `PrintedOutput`). */
const commandOutput: PrintedOutput = { what: 'the output', instead: () => 'send the output to another file' };

/** The default of `--max-element-size`. */
export const defaultMaxElementBytes = 64 * 2 ** 20;

/**
 * A file to read: its path, and the name problems use for it. The path is the name's bytes when
 * the name is not UTF-8 (see input/file-names.ts): print the name, never the path.
 */
export interface Source {
  // Hint: not `OpenablePath`, which the package does not export: a consumer's type holding it could not be named.
  path: string | Buffer;
  name: string;
  /** Found in a folder, where only regular files are read: one that is no longer one when read fails (see `readChunks`). */
  inFolder?: true;
  /**
   * Read no further than this many bytes of it, and judged unchanged by them: the size a replay
   * journal's fingerprint covers, so that what the file grew by since is not sent under it.
   */
  size?: number;
}

const extensions = new RegExp(`\\.(${eventFileEndings.join('|')})$`, 'i');

/**
 * A name that sorts by its number in a folder's listing (see `folderEntries`): digits, then an
 * ending the walk reads or listen writes, in any case. Hint: one rule for every ending read:
 * `10.JSON` came before `9.JSON`, and `10.jsonl` before `9.jsonl`, where `9.json` came first.
 */
const byNumber = new RegExp(`^(\\d+)\\.(${[...new Set([...eventFileEndings, ...endings])].join('|')})$`, 'i');

/** Whether a source is stdin: `-`, or a name of it (`/dev/stdin`), read as a file when it was redirected from one. */
export function isStdin(source: Source): boolean {
  return typeof source.path === 'string' && namesStdin(source.path);
}

/**
 * Checks that the file `name` names (see `openablePath`) can be read, and throws a one-line I/O
 * error naming it when not: a broken or looping symbolic link, no permission. Returns what it is
 * (a folder is not read as a file).
 */
function checkReadable(name: string): BigIntStats {
  const path = openablePath(name);
  let info: BigIntStats;
  // Hint: with calls that wait for the system: each a round trip to the thread pool, a folder of
  // 20,000 small files spent more in them than in reading the files.
  try {
    // Hint: as bigints, for an inode number past 2^53 (XFS, btrfs) names one file (see `fileId`).
    info = statSync(path, { bigint: true });
  } catch (error) {
    // Hint: lstat is asked only of a name that leads nowhere: of a file in a folder that can be
    // listed but not entered (mode 644) it failed too (EACCES), and the folder given was named.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new CallhookError(`${name}: a broken symbolic link (its target does not exist)`, ExitCode.usage);
    }
    throw describeIoError(error, name);
  }
  if (info.isDirectory()) return info;
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw describeIoError(error, name);
  }
  return info;
}

/** What the file `name` names is, as `checkReadable` tells it; undefined when that cannot be known. */
function statIfAny(name: string): BigIntStats | undefined {
  try {
    return statSync(openablePath(name), { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** What a file that is neither a regular file nor a folder is, in words; undefined for a regular file. */
export function specialFileKind(info: BigIntStats | Stats): string | undefined {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return undefined;
}

/**
 * Opens `path` to read without waiting for a writer, as a named pipe would have it wait: a file
 * under another's write lease (Samba's oplocks, an NFS server's delegations), which refuses such an
 * open (EAGAIN), is asked again, ever less often, until the lease is let go (the kernel breaks one
 * within its lease-break-time, 45 s unless set). Hint: opened once more the waiting way, it hung on
 * a named pipe swapped in meanwhile (review hR72); failed at once, it was a file read before
 * (review hR68).
 */
export async function openWithoutWaiting(path: OpenablePath): Promise<FileHandle> {
  const started = performance.now();
  for (let pause = 10; ; pause = Math.min(pause * 2, 500)) {
    try {
      return await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'EAGAIN' && code !== 'EWOULDBLOCK') || performance.now() - started > leaseWaitMs) throw error;
      await delay(pause);
    }
  }
}

/**
 * The descriptor of `path` opened to read without waiting (see `openWithoutWaiting`), by a call
 * that waits for the system; undefined when it cannot be opened so at once, for any reason.
 */
export function openAtOnce(path: OpenablePath): number | undefined {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
}

/** How long `openWithoutWaiting` asks again for a file under a lease: past the kernel's longest break by default. */
const leaseWaitMs = 60_000;

/** Why a folder's file that is `special` (see `specialFileKind`) is not read, wherever it is found so. */
export function notRegularInFolder(special: string): string {
  return `${special}, not a regular file; in a folder only regular files are read`;
}

/** Throws, as a failure of the file where it stands, when a folder's file is not a regular file (any longer). */
function refuseSpecial(info: BigIntStats | Stats): void {
  const special = specialFileKind(info);
  if (special === undefined) return;
  throw Object.assign(new Error(notRegularInFolder(special)), { code: 'ERR_NOT_REGULAR' });
}

/**
 * Whether a folder's walk goes into a subfolder of this name: hidden folders, `node_modules` and
 * `__MACOSX` (what a zip made by macOS's Finder holds beside its files) are skipped.
 */
export function walksInto(name: string): boolean {
  return !name.startsWith('.') && name !== 'node_modules' && name !== '__MACOSX';
}

/**
 * The endings (any case) of the compressed files and archives a folder's walk names in a warning
 * rather than reads, each with the program that writes what it holds to stdout. Hint: such a file
 * was passed over without a word, and `validate exports/` said "valid" of a folder whose every
 * export but one was gzipped; named on its own, it is read, and refused as not text.
 */
const packed: readonly (readonly [RegExp, string])[] = [
  // Hint: a tar archive before the others' endings: through bunzip2 alone, a .tar.bz2 is tar's bytes (review hR68).
  [/\.(tgz|tar\.gz)$/i, 'tar -xzOf'],
  [/\.(tbz2|tar\.bz2)$/i, 'tar -xjOf'],
  [/\.(txz|tar\.xz)$/i, 'tar -xJOf'],
  [/\.(tzst|tar\.zst)$/i, 'tar -I zstd -xOf'],
  [/\.tar\.lz4$/i, 'tar -I lz4 -xOf'],
  [/\.gz$/i, 'gunzip -c'],
  [/\.bz2$/i, 'bunzip2 -c'],
  [/\.xz$/i, 'xz -dc'],
  [/\.zst$/i, 'zstd -dc'],
  [/\.lz4$/i, 'lz4 -dc'],
  [/\.br$/i, 'brotli -dc'],
  [/\.zip$/i, 'unzip -p'],
  [/\.7z$/i, '7z e -so'],
  // Hint: -inul, or unrar's own banner and progress would go to stdout with the files' bytes.
  [/\.rar$/i, 'unrar p -inul'],
];

/** A warning, and the texts in it a terminal keeps whole (see `ReadOptions.onWarning`). */
interface Warning {
  message: string;
  names: string[];
}

/** The warning of a folder's file named `path` that is compressed or an archive (see `packed`), else undefined. */
function packedWarning(path: string): Warning | undefined {
  const tool = packed.find(([ending]) => ending.test(path))?.[1];
  if (tool === undefined) return undefined;
  const example = `${tool} FILE | callhook … -`;
  return {
    message: `${path}: compressed, so skipped: read it through ${tool}, as stdin (${example})`,
    names: [path, example],
  };
}

/**
 * Whether a folder's walk reads a file of this name: `*.json`, `*.ndjson` and `*.jsonl`, unless
 * hidden (macOS writes `._x.json` beside `x.json` on a USB stick, a network share or in a zip: its
 * resource fork, binary, under the same extension).
 */
export function readsInFolder(name: string): boolean {
  return extensions.test(name) && !name.startsWith('.');
}

/** A source listed, and the file it is whatever path names it (see `fileId`); undefined for stdin that is no file. */
interface Listed {
  source: Source;
  id: string | undefined;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The most digits of a number listen gives (see `lastNumber`). */
const numberDigits = String(lastNumber).length;

/**
 * The entries of the folder `directory` names, each with its name as text and whether it is a
 * folder (a symbolic link to one is not), in name order but for
 * numbered names (`000001.json`, `2.JSONL`: see `byNumber`), which sort as if their numbers had as
 * many digits as the longest among them: by number. Hint: listen pads its numbers to 6 digits
 * only, so by name `1000000.json` came before `999999.json`, and the first delivery was read last.
 * A number longer than listen gives (`lastNumber`) is no name of its, nor pads the others so long.
 * Listed as bytes, by the folder's bytes: decoded by Node, a name that is not UTF-8 names no file
 * (see file-names.ts). Throws the system's error, for the caller to describe.
 */
export async function folderEntries(directory: string): Promise<{ name: string; isFolder: boolean }[]> {
  const listed = await readdir(openablePath(directory), { withFileTypes: true, encoding: 'buffer' });
  const entries = listed.map((entry) => {
    const name = fileNameOf(entry.name);
    const number = byNumber.exec(name)?.[1];
    return {
      name,
      isFolder: entry.isDirectory(),
      number: number !== undefined && number.length <= numberDigits ? number : undefined,
    };
  });
  let digits = 0;
  for (const { number } of entries) digits = Math.max(digits, number?.length ?? 0);
  const keyed = entries.map(({ name, isFolder, number }) => {
    const key =
      number === undefined || number.length === digits
        ? name
        : number.padStart(digits, '0') + name.slice(number.length);
    return { name, isFolder, key };
  });
  // Hint: `1.json` and `000001.json` sort alike by number; by name then, so the order is total.
  return keyed.sort((a, b) => byText(a.key, b.key) || byText(a.name, b.name));
}

/** How a folder is walked (see `walk`). */
interface WalkOptions {
  /** Told the warning of each compressed file or archive, which is not read (see `packed`), and its `fileId`. */
  onPacked?: ((warning: Warning, id: string | undefined) => void) | undefined;
  /**
   * List a file whatever it is and whether it can be read, rather than refuse it: for verify,
   * which fails the one delivery whose body it is, where it stands.
   */
  unchecked?: boolean | undefined;
}

/** Lists the folder `directory` names into `into`: its files to read (see `listSources`), recursively. */
async function walk(directory: string, into: Listed[], options: WalkOptions = {}): Promise<void> {
  // Hint: a subfolder that cannot be listed is named itself, not the folder the user gave.
  const entries = await folderEntries(directory).catch((error: unknown) => {
    throw describeIoError(error, directory);
  });
  // Hint: every file is checked now, before anything is printed.
  for (const { name, isFolder } of entries) {
    await letLoopRun();
    const path = join(directory, name);
    if (isFolder) {
      if (walksInto(name)) await walk(path, into, options);
    } else if (readsInFolder(name)) {
      // Hint: a symbolic link to a folder is not followed (it could loop). A named pipe would
      // wait for a writer for ever, and a socket cannot be opened: only a path named on its own is
      // read as a stream.
      const info = options.unchecked ? statIfAny(path) : checkReadable(path);
      if (info?.isDirectory()) continue;
      const special = info && specialFileKind(info);
      if (special && !options.unchecked) {
        throw new CallhookError(`${path}: ${notRegularInFolder(special)}`, ExitCode.usage);
      }
      into.push({ source: { path: openablePath(path), name: path, inFolder: true }, id: info && fileId(info) });
    } else if (!name.startsWith('.')) {
      const warning = packedWarning(path);
      if (warning === undefined) continue;
      const info = statIfAny(path);
      options.onPacked?.(warning, info && fileId(info));
    }
  }
}

/**
 * The files the reading commands take from `folder` (see `listSources`), none or many, each
 * whatever it is and whether it can be read (a named pipe, a file you may not read): for verify,
 * which fails the delivery whose body such a file is, and checks the others.
 */
export async function filesBelow(folder: string): Promise<Source[]> {
  const found: Listed[] = [];
  await walk(joinablePath(folder), found, { unchecked: true });
  return found.map(({ source }) => source);
}

/**
 * The files the paths name: a file as given, a folder's `*.json`, `*.ndjson` and `*.jsonl`
 * (recursively, in the order `folderEntries` lists them), `-` for stdin. Every path is checked
 * before anything is read, so a typo fails at once with exit 2. A file named more than once (by
 * the same path, through a folder and by name, or through a symlink) is listed once, where first
 * named, and `onWarning` is told so once for each path that named it again, with the names the
 * message holds; it is told too of each compressed file or archive a folder holds, once (see `packed`).
 */
export async function listSources(
  paths: readonly string[],
  warnOf?: ReadOptions['onWarning'],
  {
    stdinGiven = false,
    printed = commandOutput,
  }: {
    // Hint: true where `-` reads a stream of the caller's (`ReadOptions.stdin`): this process's fd 0
    // is then no file of the run, and a file it is redirected from is read as named (hT62).
    stdinGiven?: boolean | undefined;
    /** See `ReadingOptions.printed`. */
    printed?: PrintedOutput | false | undefined;
  } = {},
): Promise<Source[]> {
  if (paths.length === 0) throw new CallhookError('no input: name files or folders, or - for stdin', ExitCode.usage);
  // Hint: the warnings are said once every path is listed and the run's own output refused: one
  // said before `fix --write f 2>> f` was refused went into f too, before its refusal (review hR127).
  const held: Parameters<NonNullable<ReadOptions['onWarning']>>[] = [];
  const onWarning: ReadOptions['onWarning'] = warnOf && ((...warning) => held.push(warning));
  const sources: Source[] = [];
  /** Each file listed, by `fileId`: the name it was read by, and the path given that named it. */
  const first = new Map<string, { name: string; given: string }>();
  /** Every name the paths before found a file by, read or not (a link to a file read by another). */
  const named = new Set<string>();
  /**
   * The compressed files and archives warned of (see `packed`), by `fileId`: once each, however
   * often named. Hint: by their message, one reached through a symlink to a folder walked before
   * was warned of again, by its other name (review hR101).
   */
  const packedSeen = new Set<string>();
  const onPacked = ({ message, names }: Warning, id: string | undefined) => {
    const key = id ?? message;
    if (packedSeen.has(key)) return;
    packedSeen.add(key);
    onWarning?.(message, names, 'compressed');
  };
  try {
    for (const path of paths) {
      const found = await listPath(path, sources, stdinGiven, onPacked);
      // Hint: read twice, a file's events were counted twice and its batches, named alike, fused into one.
      const earlier = found.map(({ id }) => (id === undefined ? undefined : first.get(id)));
      // A path all of whose files were found already is one warning: a folder named twice (by the
      // same names), or a folder by another name (a symlink to one named before).
      const again = earlier.every((seen) => seen !== undefined);
      const sameNames = again && found.every(({ source }) => named.has(source.name));
      // Hint: `-` is read as `<stdin>`, a name of its own, not a file found in a folder.
      const folder = found.some(({ source }) => source.name !== path && !isStdin(source));
      const wholly = sameNames || (again && folder);
      for (const { source } of found) named.add(source.name);
      for (const { source, id } of found) {
        // Hint: asked again, not taken from `earlier`: one folder may reach a file by two names too.
        const seen = id === undefined ? undefined : first.get(id);
        if (seen === undefined) {
          if (id !== undefined) first.set(id, { name: source.name, given: path });
          sources.push(source);
        } else if (!wholly) {
          onWarning?.(namedTwice(source.name, seen, path), [source.name, seen.name, seen.given, path], 'named-twice');
        }
      }
      if (wholly) {
        const others = [...new Set(earlier.map((seen) => seen?.given ?? ''))].filter((other) => other !== path);
        const given = others.join(', ');
        // Hint: named twice only when the path itself was given before (`exports exports`); a
        // folder whose files were each named before it (`exports/a.json exports`) was named once.
        onWarning?.(
          sameNames && (!folder || given === '')
            ? namedTwice(path, { name: path, given: given || path }, path)
            : `${path} holds only files named already (through ${given || path}); read once`,
          [path, ...others],
          'named-twice',
        );
      }
    }
  } catch (error) {
    // Hint: a path that cannot be listed is said after the warnings of those before it, as before.
    for (const warning of held) warnOf?.(...warning);
    throw error;
  }
  if (printed !== false) {
    // Hint: `/dev/stdin` read as the file stdin is redirected from is stdin too, as `isStdin` says.
    const files: OwnFile[] = [...first].map(([id, { name, given }]) => ({ id, name, asStdin: namesStdin(given) }));
    // Hint: stdin sent from a file is that file whether or not it is read from its start (see `stdinReadWhole`).
    const stdin = sources.find((source) => source.path === '-');
    if (stdin && !stdinGiven && readsFdZero()) files.push({ id: stdinFileId(), name: stdin.name, asStdin: true });
    refuseOwnOutput(files, printed);
  }
  for (const warning of held) warnOf?.(...warning);
  return sources;
}

/** A file a run reads, as `refuseOwnOutput` compares it: by `fileId`, its name, and whether it is read as stdin. */
interface OwnFile {
  id: string | undefined;
  name: string;
  asStdin: boolean;
}

/**
 * Refuses, as `cat` does ("input file is output file"), a run whose stdout is a regular file among
 * `files` (each by `fileId`), the files it reads: what it prints would be added to what it reads.
 * Hint: only fix refused it, file by file; `summarise x.json >> x.json` appended its report to the
 * export (review hF61). So is a stderr among them that a `2>` emptied: `fix --write f 2> f` read
 * the emptied file and called it unrepairable, never saying why (review hR111). Only an empty one:
 * the refusal goes to stderr too, into that file, and appended to one still holding its text
 * (`2>>`) it made a valid export invalid, where the run would have said nothing (review hR112).
 * Asked once every path is listed, so before anything is read.
 */
function refuseOwnOutput(files: readonly OwnFile[], printed: PrintedOutput = commandOutput): void {
  const out = stdoutFile();
  const own = out && files.find((file) => file.id === out.id);
  if (out !== undefined && own !== undefined) {
    // Hint: an empty one was most likely emptied by the shell (`x.json > x.json`): its text is gone already.
    const emptied = out.size === 0n ? `, and is empty: ${emptiedBy('>')}; then` : ';';
    throw new CallhookError(
      `${own.name}: is also where ${printed.what} is printed (stdout)${emptied} ${printed.instead(own.asStdin)}`,
    );
  }
  refuseOwnStderr(files, printed.rewrites === true);
}

/** What a redirection that emptied a file the run reads did. */
const emptiedBy = (redirection: '>' | '2>') =>
  `a \`${redirection} file\` redirection empties it before callhook starts, so whatever it held is gone (restore it if it held anything)`;

/**
 * Refuses a run whose stderr is a file among `files` that a `2>` emptied (see `refuseOwnOutput`),
 * or, for a run that `rewrites` them (fix --write), any of them: `fix --write f 2>> f` appended its
 * own lines to the file it had just repaired, which no longer read as JSON, and exited 0 (red
 * team hR125). The refusal is appended there too, before anything is rewritten, and says so.
 */
function refuseOwnStderr(files: readonly OwnFile[], rewrites: boolean): void {
  const err = standardFile(2);
  const own = err && (rewrites || err.size === 0n) ? files.find((file) => file.id === err.id) : undefined;
  if (own === undefined || err === undefined) return;
  const why =
    err.size === 0n
      ? `is empty: ${emptiedBy('2>')}; then`
      : 'fix --write rewrites it, so they would be added to the file repaired: nothing was rewritten; delete this line from its end, and';
  throw new CallhookError(
    `${own.name}: is also where diagnostics are written (stderr), and ${why} send them to another file`,
  );
}

/**
 * The regular file a standard stream is (stdin sent from `< x.json`, stdout to `>> x.json`), by
 * `fileId`, and its size; undefined when it is none.
 */
function standardFile(fd: 0 | 1 | 2): { id: string; size: bigint } | undefined {
  try {
    const info = fstatSync(fd, { bigint: true });
    const id = info.isFile() ? fileId(info) : undefined;
    return id === undefined ? undefined : { id, size: info.size };
  } catch {
    // A stream closed (`>&-`) is no file.
    return undefined;
  }
}

/** The regular file stdout is sent to (see `standardFile`). */
const stdoutFile = () => standardFile(1);

/**
 * Refuses (see `refuseOwnOutput`) a stdout that is a file verify reads: stdin for a name of it,
 * `files` as named (`--body`, `--headers`), and of `captures`, the capture files (see
 * `isCaptureFile`) of a folder named and of those below it that a walk goes into (see
 * `walksInto`), and those beside a file named, which verify reads through it (the log beside a
 * body, the bodies a log describes; review hR73). For verify, which reads captures its own way,
 * not through `listSources`. Looks at nothing unless stdout is a regular file, or stderr an empty one.
 */
export async function refuseOutputAmong(captures: readonly string[], files: readonly string[] = []): Promise<void> {
  if (stdoutFile() === undefined && standardFile(2)?.size !== 0n) return;
  const found: OwnFile[] = [];
  const note = (path: string, info: BigIntStats) => found.push({ id: fileId(info), name: path, asStdin: false });
  const statOf = (path: string) => stat(openablePath(path), { bigint: true }).catch(() => undefined);
  // Hint: in a folder, a symbolic link to a folder is not followed, as verify does not follow it:
  // two links to `.` made the walk double at every level, for ever (review hR76). `deep`: into
  // the folders below, for a folder named; beside a file named, verify reads that folder alone.
  const walkCaptures = async (folder: string, deep: boolean): Promise<void> => {
    for (const { name, isFolder } of await folderEntries(folder).catch(() => [])) {
      const path = join(folder, name);
      if (isFolder) {
        if (deep && walksInto(name)) await walkCaptures(path, true);
        continue;
      }
      if (!isCaptureFile(name)) continue;
      const info = await statOf(path);
      if (info && !info.isDirectory()) note(path, info);
    }
  };
  for (const path of [...captures, ...files]) {
    if (path === '-') {
      found.push({ id: stdinFileId(), name: stdinName, asStdin: true });
      continue;
    }
    const given = joinablePath(path);
    const info = await statOf(given);
    if (info === undefined) continue;
    if (!info.isDirectory()) note(given, info);
    if (captures.includes(path)) await walkCaptures(info.isDirectory() ? given : dirname(given), info.isDirectory());
  }
  refuseOwnOutput(found);
}

/**
 * Whether a folder's file of this name is one verify reads as part of a capture: listen's log, a
 * file it numbered, or one the reading commands read (verify checks that a description names it).
 */
function isCaptureFile(name: string): boolean {
  return name === captureLogName || numbered.test(name) || readsInFolder(name);
}

/**
 * The warning that `name` (given as, or found in, `path`) is a file already read (as `seen.name`,
 * found in the path given `seen.given`), and is read once: named twice, or the same file by
 * another name (a symlink, a hard link).
 */
function namedTwice(name: string, seen: { name: string; given: string }, path: string): string {
  if (seen.name !== name) return `${name} is the same file as ${seen.name}; read once`;
  const others = [...new Set([path, seen.given])].filter((other) => other !== name);
  return `${name} is named twice${others.length > 0 ? ` (also as ${others.join(', ')})` : ''}; read once`;
}

/**
 * The files one path given names (see `listSources`), `listed` those of the paths before it;
 * `onPacked` is told of a folder's compressed files and archives (see `walk`).
 */
async function listPath(
  path: string,
  listed: readonly Source[],
  stdinGiven = false,
  onPacked?: WalkOptions['onPacked'],
): Promise<Listed[]> {
  const found: Listed[] = [];
  // Hint: stdin is read once; named again it would be a second input, empty ("holds no JSON value").
  const addStdin = (given: string, name: string) => {
    if (listed.some((source) => source.path === '-')) {
      throw new CallhookError(`${given}: stdin is named twice, and can be read only once`, ExitCode.usage);
    }
    // Hint: stdin sent from a file (`- < a.json`) is that file, as `/dev/stdin` opened by name is:
    // named too (`a.json - < a.json`), it is read once; but only read from its start (see `stdinReadWhole`).
    const fdZero = !stdinGiven && readsFdZero();
    found.push({ source: { path: '-', name }, id: fdZero && stdinReadWhole() ? stdinFileId() : undefined });
    return found;
  };
  if (path === '-') return addStdin(path, stdinName);
  // Hint: stdin that is a socket (as Node gives a child's) cannot be opened by name (ENXIO),
  // so a name for stdin that is not a regular file reads the stdin stream.
  if (namesStdin(path) && !(await stat(path).catch(() => undefined))?.isFile()) return addStdin(path, path);
  try {
    const info = checkReadable(path);
    if (info.isDirectory()) {
      const folder = joinablePath(path);
      let packedFiles = 0;
      const counted: WalkOptions['onPacked'] = (warning, id) => {
        packedFiles++;
        onPacked?.(warning, id);
      };
      await walk(folder, found, { onPacked: counted });
      if (found.length === 0 && packedFiles > 0) {
        const what =
          packedFiles === 1 ? 'compressed file or archive, which is' : 'compressed files or archives, which are';
        throw new CallhookError(
          `${path}: no .json, .ndjson or .jsonl files in this folder, only ${packedFiles} ${what} not read`,
          ExitCode.usage,
        );
      }
      if (found.length === 0) {
        // Hint: a listen whose deliveries were all refused (a wrong secret: every one a 401) leaves
        // only .body files, and a user points validate or replay at its folder next; a listen that
        // received nothing leaves its log alone, so the words hold whether any body was refused.
        const capture = await access(join(folder, captureLogName)).then(
          () => true,
          () => false,
        );
        // Hint: a folder deleted while it is open (the shell's current folder, `rm -r` from another
        // window) lists nothing, and has no name left in any folder: no link.
        const why = capture
          ? 'a listen capture with no accepted delivery (a body listen refused is kept as a .body file, which is not read as an event)'
          : Number(info.nlink) === 0
            ? `this folder ${folderDeleted}`
            : 'no .json, .ndjson or .jsonl files in this folder';
        throw new CallhookError(`${path}: ${why}`, ExitCode.usage);
      }
    } else {
      // Hint: a socket can never be opened (ENXIO), so it is refused now, before anything is
      // read, not failed in its turn after the files before it were read (replay had sent them).
      if (info.isSocket()) {
        throw new CallhookError(`${path}: ${socketProblem('read')}`);
      }
      found.push({ source: { path, name: path }, id: fileId(info) });
    }
  } catch (error) {
    throw describeIoError(error, path);
  }
  return found;
}

/**
 * Whether the file at `candidate`, existing or not, is (or once written would be) one of the
 * sources `paths` name: `read`, the same file as a path given, or a `*.json`, `*.ndjson` or
 * `*.jsonl` below a folder given, as `listSources` walks it; `linked`, another name (a hard link)
 * of one of those, or the file stdin is read from when stdin is read; undefined when neither.
 * For files a command writes (replay's journal and report), which must never be read back as
 * its input, nor overwrite it.
 */
export async function amongSources(
  paths: readonly string[],
  candidate: string,
): Promise<'read' | 'linked' | undefined> {
  const target = realPathOf(candidate);
  const given = paths.filter((path) => !namesStdin(path));
  for (const path of given) {
    const canonical = realPathOf(path);
    if (canonical === target) return 'read';
    const inside = relative(canonical, target);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) continue;
    const folders = inside.split(sep);
    const name = folders.pop() ?? '';
    if (readsInFolder(name) && folders.every(walksInto)) return 'read';
  }
  const info = await stat(target, { bigint: true }).catch(() => undefined);
  const id = info?.isFile() ? fileId(info) : undefined;
  if (id === undefined) return undefined;
  // Stdin sent from a file (`- < export.json`) reads that file, whatever its names.
  if (given.length < paths.length && stdinFileId() === id) return 'linked';
  // Hint: only a file with another name can be an input by another name; a path that cannot be
  // listed is left for the reading to name.
  if (info === undefined || info.nlink < 2n) return undefined;
  for (const path of given) {
    const found = await listPath(path, []).catch(() => []);
    if (found.some((listed) => listed.id === id)) return 'linked';
  }
  return undefined;
}

/**
 * Whether stdin, read as `-`, gives all of the file it may be sent from: it is at the file's start.
 * Hint: `(head -n 5 >/dev/null; callhook validate - f) < f` reads on from the sixth line, so `-`
 * and `f` are two inputs, not one: taken for `f`, the file named was read from there alone. Where
 * stdin's offset cannot be read (no /proc/self/fdinfo: not Linux), it is not known to be at the start.
 */
function stdinReadWhole(): boolean {
  return offsetOf(0) === 0n;
}

/** The offset of this process's descriptor `fd` in the file it is open on; undefined where it cannot be read (no /proc/self/fdinfo: not Linux). */
function offsetOf(fd: number): bigint | undefined {
  try {
    const pos = /^pos:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return pos === undefined ? undefined : BigInt(pos);
  } catch {
    return undefined;
  }
}

/** The file this process's stdin is (see `fileId`), when it is a regular file. */
const stdinFileId = (): string | undefined => standardFile(0)?.id;

/**
 * A named pipe's bytes (a FIFO, `/dev/stdin`, a process substitution `<(...)`), read as stdin is,
 * until `abandoned` aborts. Hint: through the event loop, not the thread pool: a read of a quiet
 * pipe waits there for its writer, and nothing can cancel it, so a read given up (`stop`) held the
 * pipe open, and a run stopped by a signal could not exit, until the writer wrote or closed; a
 * socket's read ends when it is destroyed.
 */
async function* readPipe(path: OpenablePath, abandoned: AbortSignal | undefined): AsyncGenerator<Buffer> {
  // Hint: a plain open waits, in a thread-pool thread nothing can cancel, for a writer to open the
  // pipe, so a run stopped before one came never exited. On Linux an open without waiting reads
  // no end of input before a writer came: the socket waits for its bytes, or for it to close.
  const fd = await openFd(path, constants.O_RDONLY | (process.platform === 'linux' ? constants.O_NONBLOCK : 0));
  const pipe = new Socket({ fd, readable: true, writable: false });
  const release = () => pipe.destroy();
  abandoned?.addEventListener('abort', release, { once: true });
  try {
    // Hint: a read given up while it was finding or opening its pipe has let go of it already.
    if (abandoned?.aborted) return;
    yield* pipe as AsyncIterable<Buffer>;
  } finally {
    abandoned?.removeEventListener('abort', release);
    pipe.destroy();
  }
}

/**
 * Why the file `info` describes cannot be read, when it is the pipe this run writes its output to
 * (`/dev/stdout` under `| cat`, `/dev/stderr` under `2>&1`), which ends only when the run does:
 * read, it would be waited on for ever. Undefined for any other file. Every reading asks it.
 */
export function ownStream(info: Stats): string | undefined {
  if (!info.isFIFO()) return undefined;
  const own = standardStreamOf(info, [1, 2]);
  return own === undefined ? undefined : `it is this run's own ${standardStreamNames[own]}, a pipe it writes to`;
}

/**
 * A file's bytes from `start`, `size` at a time (see `readChunksOf`): each chunk is valid only
 * until the next is asked for. A named pipe (`readPipe`) is read as a stream, from where it is,
 * and closed at once when `abandoned` aborts, though a read of it waits. `opened` is told what
 * the file opened is, before its first chunk. A regular file is read as it was when opened, up to
 * the size it had then, and on to the end of the line being written then (see `readOn`): what is
 * appended meanwhile is left for the next run (read on to its end, a file each read made longer,
 * `replay` of a capture folder into the `listen` writing it, was never done). One that is not the
 * file that was opened once read fails there (see `changedSince`), and so does one `fix --write`
 * rewrites meanwhile (see `refuseRewritten`). Given `upTo`, a regular file is read no further than
 * that many bytes, never on past them (see `Source.size`), and judged unchanged by them.
 */
export async function* readChunks(
  path: OpenablePath,
  start: number,
  size: number,
  abandoned?: AbortSignal,
  opened?: (info: BigIntStats) => void,
  inFolder = false,
  upTo?: number,
): AsyncGenerator<Buffer> {
  // Hint: a file that is gone is left to open below, which says so as for any file. A folder's
  // file was a regular one when it was listed: it is opened without waiting (below), and not asked
  // first, a round trip to the thread pool a file (a folder of 20,000 small files, red team hT77).
  const info = inFolder ? undefined : await stat(path).catch(() => undefined);
  if (info?.isFIFO()) {
    // Hint: with a code, as the source's own failures have: the file is reported unreadable where
    // it stands, and the others are read.
    const own = ownStream(info);
    if (own !== undefined) throw Object.assign(new Error(own), { code: 'ERR_OWN_STREAM' });
    yield* readPipe(path, abandoned);
    return;
  }
  if (inFolder) {
    await letLoopRun();
    const whole = readSmallFile(path, start, size, opened, upTo);
    if (whole !== undefined) {
      try {
        yield whole.bytes;
        if (whole.unended) yield* readOn(whole.unended, size);
      } finally {
        closeSync(whole.fd);
      }
      return;
    }
  }
  // Hint: swapped for a named pipe since, it was read as a stream, which waited for a writer for
  // ever (red team hT77): opened without waiting, it is refused as what it is now.
  const handle = inFolder
    ? await openWithoutWaiting(path).catch(async (error: unknown) => {
        // Hint: a socket cannot be opened (ENXIO): said to be one, as the walk says it.
        refuseSpecial(await stat(path));
        throw error;
      })
    : await open(path, 'r');
  try {
    // Hint: asked at once, as each chunk's check below is: a round trip to the thread pool costs
    // more than the call.
    const info = fstatSync(handle.fd, { bigint: true });
    if (inFolder) refuseSpecial(info);
    opened?.(info);
    if (!info.isFile()) {
      // Hint: a read at a position of a pipe fails with ESPIPE; a null position reads on from the last.
      yield* readChunksOf(handle, start, size, false);
      return;
    }
    const names = rewriteNamesOf(path, handle.fd);
    refuseRewritten(names);
    // Hint: a backup fix --write made since the read began, less the lag of the file system's
    // clock (fix marks the file before it backs it up: one marked before the read was refused above).
    const began = (BigInt(Date.now()) - 50n) * 1_000_000n;
    let written = info.mtimeNs;
    let end = start;
    let last: number | undefined;
    const known = sizeUpTo(handle.fd, info, upTo);
    const limit = known.size > 0n ? Number(known.size) : undefined;
    for await (const chunk of readChunksOf(handle, start, size, true, limit)) {
      const now = fstatSync(handle.fd, { bigint: true });
      // Hint: a file empty when opened that has bytes now was empty then: its bytes came since. One
      // of procfs, whose size says nothing of its length (0), is read on to its end.
      if (limit === undefined && end === start && now.size > 0n) break;
      end += chunk.length;
      // Hint: a write dates the file before it changes a byte, so a chunk read while the file was
      // rewritten is seen as written to, here, before it is handed on; so is one read after a
      // rewrite done between two reads. Only then are the mark and the backups looked for.
      if (now.mtimeNs !== written) {
        written = now.mtimeNs;
        refuseRewritten(names, began);
      }
      last = chunk[chunk.length - 1];
      yield chunk;
    }
    const now = fstatSync(handle.fd, { bigint: true });
    changedSince(known, now, BigInt(end));
    if (upTo === undefined && endsInLineGrown(last, now, end)) {
      yield* readOn({ fd: handle.fd, names, began, from: end }, size);
    }
  } finally {
    await handle.close();
  }
}

const lineFeed = 0x0a;

/**
 * Whether what was read of a file, to `end`, its last byte `last`, ends part way through a line
 * the file has grown by since (`now`): a line another process was writing when its size was taken.
 */
function endsInLineGrown(last: number | undefined, now: BigIntStats, end: number): boolean {
  return last !== undefined && last !== lineFeed && now.size > BigInt(end);
}

/** A file open as `fd` whose read ended at `from` part way through a line being written (see `readOn`), and what checks it (see `refuseRewritten`). */
interface LineBeingWritten {
  fd: number;
  names: OpenablePath[];
  began: bigint;
  from: number;
}

/** How long `readOn` follows a line being written, for its end, in ms. */
const followTime = 2000;

/**
 * The bytes of a file from where its read ended part way through a line being written, on to
 * the end of that line (its line feed), `size` at most at a time, each chunk valid only until the
 * next is asked for; checked as the read before them are (cut short, marked or backed up by fix
 * --write). Hint: a file's size, taken while another process writes a line to its end (listen
 * saving a body, `generate > FILE`, `cp`), can fall part way through that line: read only so far,
 * half a line was a syntax error, and the events before the cut in it were counted (red team
 * hR97). A line not ended within `followTime` fails (`ECHANGED`), whether it goes on growing (a
 * writer that never ends it was followed for ever: review hR100) or stopped: a writer that pauses
 * part way through a line cannot be told from one that is done, and a half line taken as it was
 * counted half a batch, exit 0 (review hR102); so is a whole file without a final line feed read
 * while it is copied in (a minified JSON array), which reads whole once the copy is done.
 */
async function* readOn({ fd, names, began, from }: LineBeingWritten, size: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafeSlow(Math.min(size, 64 * 1024));
  const started = Date.now();
  let written: bigint | undefined;
  for (let at = from; ; ) {
    const { bytesRead } = await readFd(fd, buffer, 0, buffer.length, at);
    const now = fstatSync(fd, { bigint: true });
    if (now.size < BigInt(at + bytesRead)) throw cutShort(at + bytesRead, now.size);
    if (now.mtimeNs !== written) {
      written = now.mtimeNs;
      refuseRewritten(names, began);
    }
    const followed = Date.now() - started >= followTime;
    if (bytesRead === 0) {
      if (followed) throw stillWritten();
      await delay(10);
      continue;
    }
    const lf = buffer.subarray(0, bytesRead).indexOf(lineFeed);
    const chunk = buffer.subarray(0, lf < 0 ? bytesRead : lf + 1);
    at += chunk.length;
    yield chunk;
    if (lf >= 0) return;
    if (followed) throw stillWritten();
  }
}

/** The failure of a file `readOn` followed for `followTime` without the line being written ending. */
function stillWritten(): Error {
  return changedWhileRead(
    `the file was being written while it was read, part way through a line not ended ${followTime / 1000} s on: read it again once it is written`,
  );
}

/** The I/O error of a file found changed while it was read (code `ECHANGED`), which every reading reports where it stopped. */
function changedWhileRead(reason: string): Error {
  return Object.assign(new Error(reason), { code: 'ECHANGED' });
}

/** `changedWhileRead`: cut short, `from` bytes (at least) to `to`. */
export function cutShort(from: number | bigint, to: number | bigint): Error {
  return changedWhileRead(`the file was cut short while it was read (from ${from} to ${to} bytes)`);
}

/**
 * The bytes from `start` of the folder's file `path` names, when it is a regular file that one
 * read of `size` takes whole and that can be opened at once: read with calls that wait for the
 * system, and checked as `readChunks` checks what it reads (`opened` told what it is, refused as
 * being rewritten, changed while read). Undefined, having read nothing, for any other (empty,
 * larger, not a regular file any longer, under a lease, not openable): `readChunks` reads that one
 * its own way, and fails it as such. Hint: the open, the read and the close, each a round trip to
 * the thread pool, took ten times as long as the calls themselves (a folder of 20,000 small
 * files: 1.7 s against 0.17 s), and a folder's files are read one after another.
 */
function readSmallFile(
  path: OpenablePath,
  start: number,
  size: number,
  opened: ((info: BigIntStats) => void) | undefined,
  upTo: number | undefined,
): SmallRead | undefined {
  const fd = openAtOnce(path);
  if (fd === undefined) return undefined;
  let kept = false;
  try {
    const info = fstatSync(fd, { bigint: true });
    if (!info.isFile()) return undefined;
    const known = sizeUpTo(fd, info, upTo);
    const length = Number(known.size) - start;
    if (length <= 0 || length > size) return undefined;
    opened?.(info);
    const names = rewriteNamesOf(path, fd);
    refuseRewritten(names);
    const began = (BigInt(Date.now()) - 50n) * 1_000_000n;
    const bytes = Buffer.allocUnsafeSlow(length);
    let end = start;
    for (let read = -1; read !== 0 && end - start < length; end += read) {
      read = readSync(fd, bytes, end - start, length - (end - start), end);
    }
    const now = fstatSync(fd, { bigint: true });
    if (now.mtimeNs !== info.mtimeNs) refuseRewritten(names, began);
    changedSince(known, now, BigInt(end));
    const last = end > start ? bytes[end - start - 1] : undefined;
    const unended = upTo === undefined && endsInLineGrown(last, now, end) ? { fd, names, began, from: end } : undefined;
    kept = true;
    return { bytes: bytes.subarray(0, end - start), fd, unended };
  } finally {
    if (!kept) closeSync(fd);
  }
}

/**
 * A small file read at once: its bytes, the file still open as `fd` for the caller to close, and
 * when the bytes end part way through a line the file grew by while they were read, where to read
 * on from (see `readOn`).
 */
interface SmallRead {
  bytes: Buffer;
  fd: number;
  unended: LineBeingWritten | undefined;
}

/**
 * The names `fix --write` would give the mark and the backups of the file open as `fd`, named
 * `path`, are made from: the name, and the file's own path when the name is a link to it (Linux:
 * /proc/self/fd; see fix.ts, `backupBase`).
 */
function rewriteNamesOf(path: OpenablePath, fd: number): OpenablePath[] {
  const names = [path];
  try {
    names.push(readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' }));
  } catch {
    // No /proc (macOS): found again by its name.
    names.push(openablePath(realPathOf(typeof path === 'string' ? path : fileNameOf(path))));
  }
  return names;
}

/** `name` with `suffix` after it, as `name` is: text, or bytes. */
function suffixed(name: OpenablePath, suffix: string): OpenablePath {
  return typeof name === 'string' ? `${name}${suffix}` : Buffer.concat([name, Buffer.from(suffix)]);
}

/**
 * Throws, as an I/O error of the file's (code `ECHANGED`), when `fix --write` is rewriting the
 * file in place, or one was stopped part way (its mark is beside one of `names`), so it may be part
 * repaired, part not (see fix.ts, `refuseInterrupted`); or, given `since` (when the read began, in
 * ns), when one rewrote it whole meanwhile: a backup of it (`.bak`, `.bak.1`, …) was made since.
 * Hint: told by the backup's ctime, which a chmod of it changes too: only asked once the file changed.
 */
function refuseRewritten(names: readonly OpenablePath[], since?: bigint): void {
  for (const name of names) {
    let mark: Stats | undefined;
    try {
      mark = statSync(suffixed(name, rewriteMark), { throwIfNoEntry: false });
    } catch {
      // Hint: no mark can be made where it cannot be looked for (its name too long, say).
    }
    if (mark === undefined) continue;
    // Hint: the mark names its backup before a byte of the file is rewritten (see fix.ts, `markRewrite`).
    throw changedWhileRead(
      mark.size === 0
        ? 'the file is marked as being rewritten by fix --write (its .fix-in-progress mark is beside it, or beside its target if it is a symbolic link, naming no backup yet: a fix --write is backing it up, or one was stopped before it changed the file): read it once that run is done, or, with none running, delete the mark'
        : 'the file is marked as being rewritten by fix --write (its .fix-in-progress mark is beside it, or beside its target if it is a symbolic link): read it once the rewrite is done; with none running, one was stopped part way: copy the backup the mark names, if it is still there, back over the file (with cp, which keeps its mode and hard links), then delete the mark',
    );
  }
  if (since === undefined) return;
  for (const name of names) {
    // Hint: fix --write backs up to the first free name of these, so the newest is the last there.
    for (let n = 0; n < 10_000; n++) {
      const backup = suffixed(name, n === 0 ? '.bak' : `.bak.${n}`);
      let made: BigIntStats | undefined;
      try {
        made = statSync(backup, { bigint: true, throwIfNoEntry: false });
      } catch {
        // Hint: no backup can be made where it cannot be looked for (its name too long, say).
      }
      if (made === undefined) break;
      if (made.ctimeNs >= since) {
        const shown = typeof backup === 'string' ? backup : fileNameOf(backup);
        throw changedWhileRead(
          `the file was rewritten by fix --write while it was read (its backup ${shown} was made meanwhile)`,
        );
      }
    }
  }
}

/** What `changedSince` judges a file by: its size and the time it was last written. */
type FileState = Pick<BigIntStats, 'size' | 'mtimeNs'>;

/**
 * The file open as `fd` as it was when `info` was taken, read no further than `upTo` bytes when
 * given (see `Source.size`): its size then, or `upTo` where the file was longer. Throws, as an I/O
 * error of the file's (`ECHANGED`), when it is shorter than `upTo` (cut since), or longer and its
 * byte before `upTo` is no line feed: a line was being written there when `upTo` was taken. Hint:
 * read to `upTo`, the whole elements of that half line were sent, the rest skipped as invalid,
 * exit 0, and `--resume`'s advice, to put the file back to its first `upTo` bytes and replay the
 * rest alone, sent neither half whole (review hR121).
 */
function sizeUpTo(fd: number, info: BigIntStats, upTo: number | undefined): FileState {
  if (upTo === undefined || info.size === BigInt(upTo)) return info;
  if (info.size < BigInt(upTo)) throw cutShort(upTo, info.size);
  const before = Buffer.alloc(1);
  if (upTo > 0 && readSync(fd, before, 0, 1, upTo - 1) === 1 && before[0] !== lineFeed) {
    throw changedWhileRead(
      `the file was being written when its size was taken, part way through a line at byte ${upTo}: read it again once it is written`,
    );
  }
  return { size: BigInt(upTo), mtimeNs: info.mtimeNs };
}

/**
 * Throws, as an I/O error of the file's (code `ECHANGED`), when a regular file, `opened` when it
 * was opened and `now` once read to its end at `end`, is not the file that was read: cut short,
 * or rewritten in place. Hint: the bytes after a cut or a rewrite were read as if they went on
 * from those before (a syntax error at a line the file no longer has, counts of two versions).
 * A file that only grew (an export still being appended to) was read whole up to `end`, as a
 * stream is; a rewrite into a larger file looks the same by its size and time, and is read so.
 * A cut ahead of the reader fails too: a rewrite into a smaller file looks the same.
 */
function changedSince(opened: FileState, now: FileState, end: bigint): void {
  // Hint: a file whose size is not its length (procfs says 0, sysfs 4096) is read whole and found
  // unchanged: only a file written meanwhile has a new time, so a size alone says nothing of it.
  const written = now.mtimeNs !== opened.mtimeNs;
  const largest = opened.size > end ? opened.size : end;
  if (now.size < opened.size || (written && now.size < end)) throw cutShort(largest, now.size);
  if (written && (end < opened.size || now.size === opened.size)) {
    throw changedWhileRead('the file was rewritten while it was read');
  }
}

/**
 * The bytes of the file open as `handle` from `start` (where it is when not `seekable`), `size` at
 * a time, read into two buffers in turn: each chunk is valid only until the next is asked for;
 * no further than `limit`, when given. The file stays open. Returns the offset its end was found at.
 */
export async function* readChunksOf(
  handle: FileHandle,
  start: number,
  size: number,
  seekable = true,
  limit?: number,
): AsyncGenerator<Buffer, number> {
  const at = (position: number) => (seekable ? position : null);
  // Hint: two buffers for the whole file. A fresh buffer per read (as createReadStream makes)
  // is fresh memory the kernel must map and fill, several times the cost of this, most of it
  // system time. The next read is in flight while the caller works on the chunk in hand, so the
  // thread does not wait for the disk.
  // A file's size when it is known: a folder of 20,000 small files made 10 GB of buffers.
  const length = limit === undefined ? size : Math.max(1, Math.min(size, limit - start));
  const buffers: [Buffer, Buffer] = [Buffer.allocUnsafeSlow(length), Buffer.allocUnsafeSlow(length)];
  let turn: 0 | 1 = 0;
  let position = start;
  const read = (into: Buffer) => {
    const length = limit === undefined ? into.length : Math.min(into.length, limit - position);
    const reading = length > 0 ? handle.read(into, 0, length, at(position)) : Promise.resolve({ bytesRead: 0 });
    // Hint: a read that fails while the caller works on the chunk before (fix awaiting a write)
    // fails it when asked for; unwatched until then, it ended the process with a stack (review hR66).
    reading.catch(() => undefined);
    return reading;
  };
  let next = read(buffers[0]);
  try {
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) return position;
      const chunk = buffers[turn].subarray(0, bytesRead);
      position += bytesRead;
      turn = turn === 0 ? 1 : 0;
      next = read(buffers[turn]);
      yield chunk;
    }
  } finally {
    await next.catch(() => undefined);
  }
}

function openSource(
  source: Source,
  options: ReadOptions,
  start: number,
  abandoned: AbortSignal | undefined,
  opened: ((info: BigIntStats) => void) | undefined,
  descriptorsFreed: ReadRange['descriptorsFreed'],
): AsyncIterable<Chunk> {
  // Hint: the disk is read 256 KiB at a time (64 KiB reads left the main thread idle, waiting on
  // the thread pool), but records are yielded per 64 KiB slice (below).
  if (source.path !== '-') {
    const size = Math.max(options.readSize ?? 256 * 1024, options.chunkSize ?? 0);
    const read = () => readChunks(source.path, start, size, abandoned, opened, source.inFolder, source.size);
    return failuresTold(descriptorsFreed ? againOnceFreed(read, descriptorsFreed) : read(), false);
  }
  const stdin = options.stdin ?? checkedStdin(chunksOfStdin(processStdin()));
  // Hint: a stream given by a program may yield strings, or Uint8Arrays that are not Buffers (a web
  // ReadableStream, TextEncoder's output), whose toString() lists their bytes as numbers.
  return failuresTold(stdin as AsyncIterable<unknown>, options.stdin === undefined || options.stdinIsCallers === true);
}

/**
 * The chunks of this process's stdin as they are, checked as `readChunks` checks a file's when its
 * fd 0 is a regular file (stdin sent from one: `- < export.json`; not a Worker's stdin, a stream
 * from its parent, nor a pipe): cut short, rewritten in place, or marked or backed up by fix
 * --write while it was read, it fails (`ECHANGED`) as the file read by its name does. Hint: a stream reads on from its offset in whatever the file holds
 * then: `summarise - < f` while `fix --write f` rewrote f counted events of neither version, exit
 * 0, and a file cut short under it was a syntax error at a line it no longer had, exit 1 (red team
 * hR119). A file that only grew is read on to its end, as a stream of it is.
 */
export async function* checkedStdin<T>(chunks: AsyncIterable<T>): AsyncGenerator<T> {
  const fd = 0;
  const opened = readsFdZero() ? fstatSync(fd, { bigint: true }) : undefined;
  if (!opened?.isFile()) {
    yield* chunks;
    return;
  }
  // Hint: its name, to look for fix --write's mark and backups beside; none where it cannot be read (not Linux).
  const names: OpenablePath[] = [];
  try {
    names.push(readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' }));
  } catch {
    // Its name unknown, the file is checked by its size and time alone.
  }
  refuseRewritten(names);
  const began = (BigInt(Date.now()) - 50n) * 1_000_000n;
  // Hint: where the stream begins; where that is unknown, taken to be read to the end it had.
  const start = offsetOf(fd);
  let end = start ?? 0n;
  let written = opened.mtimeNs;
  for await (const chunk of chunks) {
    end += BigInt(isUint8Array(chunk) ? chunk.byteLength : Buffer.byteLength(String(chunk)));
    // Hint: as readChunks does, fix --write is looked for once the file is written to; whether it
    // was cut or rewritten otherwise is known once the stream has read to its end.
    const now = fstatSync(fd, { bigint: true });
    if (now.mtimeNs !== written) {
      written = now.mtimeNs;
      refuseRewritten(names, began);
    }
    yield chunk;
  }
  changedSince(opened, fstatSync(fd, { bigint: true }), start === undefined ? opened.size : end);
}

/**
 * The chunks of `read()`; read once more, when the file could not be opened for want of a
 * descriptor (EMFILE, ENFILE), once `freed` settles (see `ReadRange.descriptorsFreed`).
 */
async function* againOnceFreed(
  read: () => AsyncGenerator<Buffer>,
  freed: (error: unknown) => Promise<void>,
): AsyncGenerator<Buffer> {
  let opened = false;
  try {
    for await (const chunk of read()) {
      opened = true;
      yield chunk;
    }
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (opened || (code !== 'EMFILE' && code !== 'ENFILE')) throw error;
    await freed(error);
  }
  yield* read();
}

/**
 * An error the source gave while it was read (a stream destroyed, a connection dropped, a disk
 * error), told apart from one of callhook's own code on the way, which is a bug and fails the run.
 */
class SourceFailure {
  constructor(readonly error: unknown) {}
}

/**
 * The chunks of `chunks`, each a string or bytes, with the errors that come out of reading them
 * handed on as `SourceFailure`s: every error when `anyError` (process.stdin, a caller's stream,
 * whose errors are its own, undici's `TypeError: terminated` as much as ECONNRESET), else those
 * with an I/O code (callhook's own readers of files and pipes and its own streams, in which an
 * error without one is a bug).
 */
async function* failuresTold(chunks: AsyncIterable<unknown>, anyError: boolean): AsyncGenerator<Chunk> {
  // Hint: asked before reading, so that a wrong call (an old-style Stream, an object with only a
  // pipe method) is not taken for a source that failed.
  if (typeof (chunks as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function') {
    throw new TypeError('source must be a readable stream or an async iterable of strings or bytes');
  }
  let wrong: { chunk: unknown } | undefined;
  // Hint: a character outside the BMP is two UTF-16 code units, and a stream of strings may cut
  // between them: a first half ending a string waits for the next, so that the two are one
  // character's bytes rather than two U+FFFDs. One left alone stays U+FFFD, as Buffer.from makes it.
  let half = '';
  try {
    for await (const chunk of chunks) {
      if (typeof chunk === 'string') {
        const text = half + chunk;
        const last = text.charCodeAt(text.length - 1);
        half = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : '';
        yield Buffer.from(half ? text.slice(0, -1) : text);
      } else if (isUint8Array(chunk)) {
        if (half) yield Buffer.from(half);
        half = '';
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      } else {
        wrong = { chunk };
        break;
      }
    }
    if (half) yield Buffer.from(half);
  } catch (error) {
    // Hint: only what the source's reads throw comes here: an error in the loop reading these
    // chunks (`readFile`'s) ends this generator by `return`, not through this catch. A
    // CallhookError is callhook's own word, already said (fix reads a file's repair through a
    // stream that refuses it, placed, when the file fails or changes): it is handed on as thrown.
    const theSources =
      !(error instanceof CallhookError) &&
      (anyError || (error as NodeJS.ErrnoException | undefined)?.code !== undefined);
    throw theSources ? new SourceFailure(error) : error;
  }
  // Hint: a wrong call (an object-mode stream, an iterable of numbers), not input that is wrong:
  // a stream's chunks are known only as they come, so this is thrown at the first such chunk.
  if (wrong) {
    throw new TypeError(`source chunks must be strings or bytes (a Uint8Array or Buffer; got ${kindOf(wrong.chunk)})`);
  }
}

/** How a thread reads part of one file (see input/halves.ts); for the first file of `paths` only. */
interface ReadRange {
  /** Start at byte `offset`, where the file is at `point` (see `ElementSplitter.resumeAt`). */
  from?: { offset: number; point: ResumePoint; indent?: number | undefined } | undefined;
  /**
   * At byte offset `at`, ask `stop` (told whether the splitter is at `point`, where a `from` would
   * start) whether to end the file there.
   */
  pause?: { at: number; point: ResumePoint; stop: (atPoint: boolean) => Promise<boolean> } | undefined;
  /** The run's event ids, so that the caller can compare them with another thread's. */
  ids?: FingerprintSet | undefined;
  /** The run's last first-seen events (see `ReadOptions.firstCopies`), to share with another reading. */
  recent?: RecentFirsts | undefined;
  /**
   * Told, as each file of `paths` (not only the first; not a stream) is opened, its name and what
   * it is then, so that a reading of it again by its name can tell whether it is the same file.
   */
  onOpen?: ((name: string, info: BigIntStats) => void) | undefined;
  /**
   * Called when a file cannot be opened for want of a descriptor (EMFILE, ENFILE), before any of
   * it was read; the file is opened once more when the promise it returns settles. For replay,
   * whose connections hold the descriptors: it stops the run and closes them (see `InputLimits`).
   */
  descriptorsFreed?: ((error: unknown) => Promise<void>) | undefined;
  /**
   * Every element read byte by byte, none offered to the quick path (see `SplitSink.tryElement`):
   * for the tests, which hold the two readings' records equal.
   */
  byteByByte?: boolean | undefined;
}

/**
 * Reads paths as a stream of record arrays, one array per chunk read. `words`: how problems name
 * the options of the limits, the CLI's flags unless the library's entry points say otherwise.
 */
export async function* readRecords(
  paths: readonly string[],
  options: ReadingOptions = {},
  range: ReadRange = {},
  words: LimitWords = cliLimitWords,
): AsyncGenerator<InputRecord[], void, undefined> {
  const sources = await listSources(paths, options.onWarning, {
    stdinGiven: options.stdin !== undefined,
    printed: options.printed,
  });
  yield* readSources(sources, options, range, words);
}

/**
 * Reads the files `listSources` listed, as `readRecords` reads paths. Hint: for replay, which
 * reads the files it listed, measured and fingerprinted, not those a second listing finds: a file
 * deleted in between was left out without a word, and one added was sent outside the journal's
 * fingerprint (red team hR97).
 */
export async function* readSources(
  listed: readonly Source[],
  options: ReadOptions = {},
  range: ReadRange = {},
  words: LimitWords = cliLimitWords,
): AsyncGenerator<InputRecord[], void, undefined> {
  const named = (source: Source) =>
    source.path === '-' && options.stdinName ? { ...source, name: options.stdinName } : source;
  const sources = listed.map(named);
  const run: RunContext = {
    options,
    ids: range.ids ?? new FingerprintSet(),
    recent: range.recent ?? (options.firstCopies && options.warnings !== false ? new RecentFirsts() : undefined),
    limits: {
      maxElementBytes: options.maxElementBytes ?? defaultMaxElementBytes,
      firstLineEnding: options.firstLineEnding,
      oneValue: options.oneValue,
    },
    check: { type: options.type, strict: options.strict, warnings: options.warnings, maxIssues: options.maxIssues },
    words,
    quick: range.byteByByte !== true,
  };
  for (const [ordinal, source] of sources.entries()) {
    if (options.stop?.aborted) return;
    yield* readFile(
      source,
      run,
      ordinal === 0 ? range : { onOpen: range.onOpen, descriptorsFreed: range.descriptorsFreed },
    );
  }
}

/** A chunk of a source's bytes (see `openSource`; a stream's strings are made bytes there). */
type Chunk = Buffer;

/**
 * The chunks of `chunks` until `stop` aborts; then those already read and held in memory (a
 * stream's buffer), and no more: a read waiting for more is given up, and `abandon` called to
 * close what it waits on (a named pipe callhook opened). `left.stopped` says so.
 */
async function* untilStopped(
  chunks: AsyncIterable<Chunk>,
  stop: AbortSignal,
  left: { stopped: boolean },
  abandon: AbortController,
): AsyncGenerator<Chunk> {
  const iterator = chunks[Symbol.asyncIterator]();
  let waiting: Promise<IteratorResult<Chunk>> | undefined;
  try {
    for (;;) {
      waiting = iterator.next();
      const result = await (stop.aborted ? readyNow(waiting) : unlessStopped(waiting, stop));
      if (result === undefined) {
        left.stopped = true;
        return;
      }
      waiting = undefined;
      if (result.done) return;
      yield result.value;
    }
  } finally {
    // Hint: not awaited while a read waits: a quiet stream may never answer it (a caller's stream
    // is the caller's to close; a pipe callhook opened is closed now, which ends the read).
    if (waiting === undefined) await iterator.return?.();
    else {
      abandon.abort();
      void waiting.then(() => iterator.return?.()).catch(() => {});
    }
  }
}

/**
 * `read`'s result if it settles without waiting for input (a stream's buffered bytes come in a
 * few microtasks), else undefined. Hint: a macrotask runs only once every microtask has.
 */
function readyNow<T>(read: Promise<T>): Promise<T | undefined> {
  return Promise.race([read, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
}

/** `read`'s result, or undefined as soon as `stop` aborts. */
function unlessStopped<T>(read: Promise<T>, stop: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const forget = whenStopped(stop, () => resolve(undefined));
    read.then(resolve, reject).finally(forget);
  });
}

/** The reads waiting on each `stop` signal, and its one listener that wakes them (see `whenStopped`). */
const stopWatches = new WeakMap<AbortSignal, { waiters: Set<() => void>; wake: () => void }>();

/**
 * Calls `then` when `stop` aborts, until the function returned is called. Hint: one listener on
 * the signal however many reads wait on it, taken off once none does: a caller's shutdown signal
 * shared by 11 reads made node print MaxListenersExceededWarning, and the library prints nothing.
 */
function whenStopped(stop: AbortSignal, then: () => void): () => void {
  let watch = stopWatches.get(stop);
  if (watch === undefined) {
    const waiters = new Set<() => void>();
    const wake = () => {
      stopWatches.delete(stop);
      for (const waiter of waiters) waiter();
    };
    watch = { waiters, wake };
    stopWatches.set(stop, watch);
    stop.addEventListener('abort', wake, { once: true });
  }
  const { waiters, wake } = watch;
  waiters.add(then);
  return () => {
    waiters.delete(then);
    if (waiters.size > 0 || stopWatches.get(stop)?.wake !== wake) return;
    stopWatches.delete(stop);
    stop.removeEventListener('abort', wake);
  };
}

/** About how many records a slice of a file is to make (see `readFile`). */
const recordsAtOnce = 512;
/** The fewest bytes a slice of a file holds, however small its elements (see `readFile`). */
const smallestSlice = 1024;

/**
 * Where the file's first 4 KiB at hand in `buffer` (read from file offset `base`) end, when they
 * are not plain UTF-8 text; else 0. Hint: binary data in them makes the whole file unread
 * (README), so such a head goes in one push, judged as the file read at once is: a push ended
 * at a line break before the binary data would have handed on the events before it. Text, the
 * bulk of every file, is sliced as any other bytes.
 */
function oddHeadEnd(buffer: Buffer, base: number): number {
  if (base >= textSampleSize) return 0;
  const head = buffer.subarray(0, textSampleSize - base);
  return head.includes(0) || !isUtf8(head) ? head.length : 0;
}

/** What every file of a run is read with. */
interface RunContext {
  options: ReadOptions;
  /** The run's event ids: a redelivery is an id seen in any file before. */
  ids: FingerprintSet;
  /** The run's last first-seen events, so that a redelivery names its first copy at once. */
  recent: RecentFirsts | undefined;
  limits: SplitLimits;
  check: CheckOptions;
  words: LimitWords;
  /** Whether elements are offered to the quick path (see `ReadRange.byteByByte`). */
  quick: boolean;
}

/** The records of one file not yet handed on, and what the file's end reports. */
class FileRecords {
  readonly file: string;
  records: InputRecord[];
  elements = 0;
  /** Where the file could not be read further (binary data, UTF-16): its byte offset. */
  fatalAt: number | undefined;

  constructor(file: string, stdin: boolean) {
    this.file = file;
    this.records = [stdin ? { kind: 'file-start', file, stdin } : { kind: 'file-start', file }];
  }

  /** The records so far, handed on. */
  take(): InputRecord[] {
    const ready = this.records;
    this.records = [];
    return ready;
  }
}

/** A splitter whose elements and problems become records of `out`, built by `build`. */
function fileSplitter(out: FileRecords, build: RecordBuilder, run: RunContext): ElementSplitter {
  const { batchSize, mayListFrom, arrayEnds } = run.options;
  const onQuickElement = (element: SplitElement): boolean => {
    const record = build.quick(element);
    if (record === undefined) return false;
    out.elements++;
    out.records.push(record);
    return true;
  };
  const sink: SplitSink = {
    element: (element, lineBefore) => {
      out.elements++;
      out.records.push(build.element(element, lineBefore));
    },
    tryElement: run.quick ? onQuickElement : undefined,
    problem: (problem) => {
      // Hint: an NDJSON file of no lines is no events (`generate --count 0 --format ndjson` writes
      // one), as `[]` is in a .json file; an empty .json file or stdin is cut short or unwritten.
      if (problem.code === 'empty' && lineDelimitedNames.test(out.file)) return;
      if (problem.fatal) out.fatalAt ??= problem.offset;
      out.records.push({ kind: 'problem', problem: build.problem(problem) });
    },
    mayList:
      mayListFrom &&
      (({ offset, line, column }) => mayListFrom({ file: out.file, offset, line, column, pointer: '' }, 'error')),
    batchEnd: (end) => {
      if (arrayEnds && end.isArray) {
        const { batch, line, column, elements } = end;
        out.records.push({ kind: 'array-end', file: out.file, batch, line, column, elements });
      }
      if (batchSize === undefined || !end.isArray || end.elements <= batchSize) return;
      const message = `batch of ${end.elements} events is larger than ${run.words.batchSize(batchSize)}`;
      const problem = build.problem({ ...end, pointer: '', code: 'batch-too-large', message }, 'warning');
      out.records.push({ kind: 'problem', problem });
    },
  };
  return new ElementSplitter(sink, run.limits);
}

/** What the problem of a source that could not be read further (an I/O error, `error`) says. */
export function cannotBeRead(error: unknown): string {
  return `cannot be read: ${ioReason(error)}`;
}

/**
 * The one problem of a source that could not be read further (an I/O error, `error`): where
 * `splitter` stopped, and why.
 */
export function unreadableAt(build: RecordBuilder, splitter: ElementSplitter, error: unknown): Problem {
  const message = cannotBeRead(error);
  return build.problem({ ...splitter.position(), pointer: '', code: unreadableCode, message, fatal: true });
}

/** How long reading may hold the event loop before it gives other work a turn (see `readFile`). */
const holdMs = 10;

/** Reads one file (from `range.from`, up to `range.pause` when it says stop) as a stream of record arrays. */
async function* readFile(source: Source, run: RunContext, range: ReadRange): AsyncGenerator<InputRecord[]> {
  const { options } = run;
  const out = new FileRecords(source.name, isStdin(source));
  const build = new RecordBuilder(
    source.name,
    run.ids,
    run.check,
    { maxElementBytes: run.limits.maxElementBytes, words: run.words },
    options.warnings !== false,
    run.recent,
    options.mayListFrom,
  );
  const splitter = fileSplitter(out, build, run);
  // Hint: records are handed on every 64 KiB, or sooner where elements are small. Smaller
  // batches measured faster and leaner than 1 MiB ones: fewer records are alive when the young
  // generation is collected, so fewer are promoted. 64 KiB of `{}` are 21,000 records, and
  // collecting those was half of validate's time on such a file: so each slice is sized by the
  // records the last one made, the first small.
  const largest = options.chunkSize ?? 64 * 1024;
  const smallest = Math.min(largest, smallestSlice);
  let slice = smallest;
  /** Sizes the next slice by the records the last, `pushed` bytes long, made: about `recordsAtOnce`. */
  const resize = (pushed: number) => {
    const made = out.records.length;
    slice = made === 0 ? largest : Math.min(largest, Math.max(smallest, Math.floor((pushed * recordsAtOnce) / made)));
  };
  const start = range.from?.offset ?? 0;
  if (range.from) splitter.resumeAt(range.from.offset, range.from.point, range.from.indent);
  // Hint: the bytes a cut element held are read again a slice at a time, as the file is, so that
  // the records of a large one are handed on as they come (see `ElementSplitter.deferRecoveries`).
  splitter.deferRecoveries();
  function* readAgain(parts: Buffer[]): Generator<InputRecord[]> {
    // What is left to push, the next last: a part cut short by another deferral goes on after it.
    const left = parts.map((part) => ({ part, from: 0 })).reverse();
    for (let next = left.pop(); next !== undefined; next = left.pop()) {
      const { part } = next;
      for (let from = next.from; from < part.length; ) {
        const to = splitter.pushEnd(part, from, Math.min(part.length, from + slice));
        splitter.push(part.subarray(from, to));
        resize(to - from);
        from = to;
        if (out.records.length > 0) yield out.take();
        const more = splitter.takeDeferred();
        if (more) {
          left.push({ part, from }, ...more.map((bytes) => ({ part: bytes, from: 0 })).reverse());
          break;
        }
      }
    }
  }
  // Hint: a source held in memory (a body, a string) is read with no await that waits, so the
  // event loop is given a turn once the reading has held it for `holdMs`: 10 MB of a body held a
  // service's timers and other requests for 9 s (red team hR109). A file's reads wait anyway.
  let heldSince = performance.now();
  let pause = range.pause;
  let bytes = 0;
  let stopped = false;
  const left = { stopped: false };
  /** The file could not be read further (see below). */
  let unread = false;
  // Hint: only a read that `stop` can give up has a pipe to close then.
  const abandon = options.stop ? new AbortController() : undefined;
  const { onOpen } = range;
  const opened = onOpen && ((info: BigIntStats) => onOpen(source.name, info));
  const chunks = openSource(source, options, start, abandon?.signal, opened, range.descriptorsFreed);
  try {
    read: for await (const buffer of options.stop && abandon
      ? untilStopped(chunks, options.stop, left, abandon)
      : chunks) {
      const base = start + bytes;
      bytes += buffer.length;
      const oddHead = oddHeadEnd(buffer, base);
      for (let from = 0; from < buffer.length; ) {
        let to = Math.max(oddHead, splitter.pushEnd(buffer, from, Math.min(buffer.length, from + slice)));
        const pauseAt = pause ? pause.at - base : -1;
        if (pauseAt >= from && pauseAt < to) to = pauseAt;
        if (to > from) splitter.push(buffer.subarray(from, to));
        resize(to - from);
        from = to;
        if (out.records.length > 0) yield out.take();
        const held = splitter.takeDeferred();
        if (held) yield* readAgain(held);
        if (out.fatalAt !== undefined) break read;
        if (performance.now() - heldSince >= holdMs) {
          await new Promise((resolve) => setImmediate(resolve));
          heldSince = performance.now();
        }
        if (pause && from === pauseAt) {
          stopped = await pause.stop(splitter.atResumePoint(pause.point));
          if (stopped) break read;
          pause = undefined;
        }
      }
    }
  } catch (error) {
    // Hint: a source that cannot be read (gone since it was listed, a disk error, a stream reset
    // part way) is read no further, as one that is not text is: what was read before is handed on,
    // it ends with one problem where reading stopped, and the sources after it are still read.
    // An error of callhook's own code reading it is a bug, and fails the run (see `failuresTold`).
    if (!(error instanceof SourceFailure)) throw error;
    unread = true;
    const problem = unreadableAt(build, splitter, error.error);
    out.fatalAt = problem.offset;
    out.records.push({ kind: 'problem', problem });
  }
  // Hint: a file stopped at the pause, or left by `stop`, is not at its end, so nothing is
  // reported as left open: a half-read line there is no element, nor a problem.
  if (stopped) bytes = (pause?.at ?? start) - start;
  else if (!left.stopped && !unread) {
    // The bytes a cut element held at the end of the file, too (see `ElementSplitter.endStep`).
    for (let rest = splitter.endStep(); rest !== undefined; rest = splitter.endStep()) yield* readAgain([rest]);
  }
  // A file refused is counted to where it was, not to the end of the reads made before that.
  if (out.fatalAt !== undefined) bytes = out.fatalAt - start;
  out.records.push({ kind: 'file-end', file: out.file, elements: out.elements, bytes });
  yield out.take();
}
