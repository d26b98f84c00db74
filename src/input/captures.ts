/**
 * The reader `verify` uses to take back the deliveries `listen --out` captured: their
 * descriptions (a folder's `deliveries.meta`, or a layout 1 `NNNNNN.meta`), and their bodies,
 * each checked against its SHA-256. The capture folder's layout is described in
 * src/server/capture.ts, which writes it.
 */
import { hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, readdir, stat } from 'node:fs/promises';
import { maxHeaderSize } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { instantOf } from '../core/instant.js';
import { CallhookError, describeIoError, ExitCode, ioReason } from '../errors.js';
import { joinablePath, realPathOf } from '../output-file.js';
import { bodyName, type CaptureMeta, metaSuffix, numbered } from './capture-names.js';
import { optionSize } from './element.js';
import { openablePath } from './file-names.js';
import { LineSplitter } from './line-splitter.js';
import { folderEntries, openWithoutWaiting, specialFileKind, walksInto } from './read.js';
import { captureLogName } from './types.js';

/** A captured delivery: its description, the file it came from, and where its body is. */
export interface CapturedDelivery {
  /** The file that describes it: the folder's log, or a layout 1 `.meta`. */
  metaPath: string;
  meta: CaptureMeta;
  /** The file that holds the body (a line of it, for layout 3). */
  bodyPath: string;
  /** Where the body is, for messages: `bodyPath`, or `bodyPath:line`. */
  where: string;
  /** What describes it, for messages: `metaPath`, or `metaPath:line` for a line of a log. */
  describedBy: string;
  /** The line of the log that describes it; undefined for a layout 1 `.meta`. */
  logLine: number | undefined;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function isCaptureMeta(value: unknown): value is CaptureMeta {
  const meta = value as Partial<CaptureMeta> | null;
  return (
    typeof meta === 'object' &&
    meta !== null &&
    (meta.capture === 1 || meta.capture === 2 || meta.capture === 3) &&
    // Hint: verify checks a timestamp against this moment; one it cannot read is no capture's.
    typeof meta.receivedAt === 'string' &&
    !Number.isNaN(instantOf(meta.receivedAt)) &&
    typeof meta.body === 'string' &&
    // Hint: a name listen gives a body, in this folder: not `..`, not a path, not a NUL.
    bodyName.test(meta.body) &&
    Array.isArray(meta.headers) &&
    meta.headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((x) => typeof x === 'string')) &&
    (meta.capture !== 3 || (isCount(meta.line) && isCount(meta.offset) && isCount(meta.bytes))) &&
    (meta.tolerance === undefined || isCount(meta.tolerance))
  );
}

function captured(metaPath: string, meta: CaptureMeta, logLine?: number): CapturedDelivery {
  const bodyPath = join(dirname(metaPath), meta.body);
  const where = meta.capture === 3 ? `${bodyPath}:${meta.line}` : bodyPath;
  const describedBy = logLine === undefined ? metaPath : `${metaPath}:${logLine}`;
  return { metaPath, meta, bodyPath, where, describedBy, logLine };
}

function notCaptureMeta(where: string): CallhookError {
  return new CallhookError(`${where}: not a capture description written by callhook listen`, ExitCode.usage);
}

/**
 * The most bytes of one capture description read (a line of the log, or a layout 1 `.meta`), more
 * than listen ever writes. Hint: node:http takes at most `maxHeaderSize` bytes of header names and
 * values; listen writes each of them as at most 9 bytes of a log line (one-letter headers,
 * `["a",""],` each), and the first layout's pretty-printed JSON as about 33. 64 leaves a margin.
 */
const maxDescriptionBytes = 64 * maxHeaderSize;

/** A description past `maxDescriptionBytes`, for messages. */
const tooLong = `more than ${optionSize(maxDescriptionBytes)}`;

/** A layout 1 description's text: a pipe or a device refused (`openRegular`), and one past `maxDescriptionBytes` unread. */
async function readDescription(path: string): Promise<string> {
  try {
    const { handle, size } = await openRegular(path, 'a capture description');
    try {
      if (size > maxDescriptionBytes) {
        throw new CallhookError(
          `${path}: not a capture description (${tooLong}, and listen writes none so large)`,
          ExitCode.usage,
        );
      }
      const text = Buffer.alloc(size);
      const { bytesRead } = await handle.read(text, 0, size, 0);
      return text.toString('utf8', 0, bytesRead);
    } finally {
      await handle.close().catch(() => {});
    }
  } catch (error) {
    throw describeIoError(error, path);
  }
}

/**
 * The lines of `chunks`, split by `lines` (see `LineSplitter`, which says where each is); one of
 * more than its limit of bytes is `undefined`, its bytes never held. Hint: readline held every line
 * whole, however long.
 */
async function* boundedLines(
  chunks: AsyncIterable<Buffer>,
  lines: LineSplitter,
  cutShort: (read: number) => void,
): AsyncGenerator<string | undefined> {
  let read = 0;
  for await (const chunk of chunks) {
    read += chunk.length;
    yield* lines.push(chunk);
  }
  cutShort(read);
  if (lines.pending) yield lines.end();
}

/** A line of a log that describes a delivery: the description, the line's number, and where its bytes are. */
interface LogEntry {
  meta: CaptureMeta;
  number: number;
  at: number;
  bytes: number;
}

/** Where a reading of a log stopped: the byte past its last whole line, and how many lines that is. */
export interface LogEnd {
  at: number;
  number: number;
}

/**
 * What `use` makes of the capture's log at `path`, opened for it (its size then given too), and
 * closed however it ends.
 */
async function* withLog<T>(
  path: string,
  use: (handle: FileHandle, size: number) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  let handle: FileHandle;
  let size: number;
  try {
    ({ handle, size } = await openRegular(path, "a capture's log"));
  } catch (error) {
    throw describeIoError(error, path);
  }
  // Hint: a bad line, or a reader that stops early, leaves the file to this `finally` (else
  // garbage collection closes it, with a warning on stderr).
  try {
    yield* use(handle, size);
  } catch (error) {
    if (error instanceof CallhookError) throw error;
    throw describeIoError(error, path);
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * The description a line of a log holds (`where` names the line); undefined for a blank line. A
 * line that is not JSON was cut short (listen stopped mid-write, or a write failed) and is
 * skipped, as a journal's reader does, and named to `onUnreadable` with why.
 */
function descriptionIn(
  line: string,
  where: string,
  onUnreadable: ((where: string, why: string) => void) | undefined,
): CaptureMeta | undefined {
  if (line.trim() === '') return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(line);
  } catch {
    onUnreadable?.(where, 'unreadable line skipped (cut short?)');
    meta = gluedDescription(line);
    if (meta === undefined) return undefined;
  }
  if (!isCaptureMeta(meta)) throw notCaptureMeta(where);
  return meta;
}

/**
 * The descriptions of the log open on `handle` (at `path`, `size` bytes when opened), in order,
 * read a line at a time (a long listen's log is never held whole), from its start or from where a
 * reading ended (`from`); where this one ends is given to `ended`. A line cut short is skipped
 * (see `descriptionIn`); so is a line longer than listen writes any, unread, named to
 * `onUnreadable` too. A log that ends before `size` was cut short while read: an error.
 */
async function* logEntries(
  handle: FileHandle,
  size: number,
  path: string,
  onUnreadable: ((where: string, why: string) => void) | undefined,
  { from = { at: 0, number: 0 }, ended }: { from?: LogEnd; ended?: ((end: LogEnd) => void) | undefined } = {},
): AsyncGenerator<LogEntry> {
  const lines = new LineSplitter(maxDescriptionBytes, from.at);
  let number = from.number;
  // Hint: a log is only ever appended to; one emptied or cut while read ended the reading there
  // without a word, and verify blamed every body described past that point as not captured.
  // Asked before a last line without its LF, which a listen may be writing: it is no whole line.
  const cutShort = (read: number) => {
    if (from.at + read < size) throw logChanged(`${path}:${number + 1}`);
    ended?.({ at: lines.nextLineAt, number });
  };
  const chunks = handle.createReadStream({ autoClose: false, start: from.at });
  for await (const line of boundedLines(chunks, lines, cutShort)) {
    number++;
    if (line === undefined) {
      onUnreadable?.(`${path}:${number}`, `line of ${tooLong} skipped unread (listen writes none so long)`);
      continue;
    }
    const meta = descriptionIn(line, `${path}:${number}`, onUnreadable);
    if (meta !== undefined) yield { meta, number, at: lines.lineAt, bytes: lines.lineBytes };
  }
}

/**
 * The deliveries a folder's log describes, in order (see `logEntries`, and `ended`). `only`: just
 * those whose body is in this file.
 */
function readLog(
  path: string,
  only: string | undefined,
  onUnreadable: ((where: string, why: string) => void) | undefined,
  ended: ((end: LogEnd) => void) | undefined,
): AsyncGenerator<CapturedDelivery> {
  return withLog(path, async function* (handle, size) {
    for await (const { meta, number } of logEntries(handle, size, path, onUnreadable, { ended })) {
      if (only === undefined || meta.body === only) yield captured(path, meta, number);
    }
  });
}

/** The error for a log rewritten or cut short while verify read it; `where` names its line. */
function logChanged(where: string): CallhookError {
  return new CallhookError(`${where}: the log changed while verify read it`, ExitCode.usage);
}

/** Where a line of a log is: its number, and where its bytes are. */
type LogPlace = Omit<LogEntry, 'meta'>;

/**
 * Where the log at `path` describes each of `bodies` (files beside it, by name) last; a body it
 * does not describe has no entry. Hint: the log is read once for them all, however the files are
 * named (once for each, `verify captured/*.json` took 43 s for 3,000 files), keeping where each
 * last description is, not the description (a line may be 1 MiB), which is read again in its turn.
 */
async function lastPlaces(
  path: string,
  bodies: ReadonlySet<string>,
  onUnreadable: ((where: string, why: string) => void) | undefined,
): Promise<Map<string, LogPlace>> {
  const places = new Map<string, LogPlace>();
  for await (const { meta, number, at, bytes } of withLog(path, (handle, size) =>
    logEntries(handle, size, path, onUnreadable),
  )) {
    if (bodies.has(meta.body)) places.set(meta.body, { number, at, bytes });
  }
  return places;
}

/**
 * The delivery the log at `path` describes for each of `bodies`, in their order, read where
 * `places` (see `lastPlaces`) found it; undefined for one it does not describe.
 */
function lastDescriptions(
  path: string,
  bodies: readonly string[],
  places: ReadonlyMap<string, LogPlace>,
): AsyncGenerator<CapturedDelivery | undefined> {
  return withLog(path, async function* (handle) {
    for (const body of bodies) {
      const last = places.get(body);
      if (last === undefined) {
        yield undefined;
        continue;
      }
      const line = Buffer.alloc(last.bytes);
      const { bytesRead } = await handle.read(line, 0, last.bytes, last.at);
      const where = `${path}:${last.number}`;
      const meta = descriptionIn(line.toString('utf8', 0, bytesRead), where, undefined);
      // Hint: a log is only ever appended to; one rewritten since no longer says what was read.
      if (meta?.body !== body) throw logChanged(where);
      yield captured(path, meta, last.number);
    }
  });
}

/**
 * The body a layout 1 `.meta` named on the command line (or the body named, `named`) may describe:
 * the body named, or for the `.meta` itself one of its own number (`000002.meta`, `000002.json`).
 */
function ownBody(named: string, meta: string, body: string): string {
  if (named !== meta) return basename(named);
  // Hint: only a name listen gave is held to its number: a copy renamed by hand names its body as written.
  const number = numbered.exec(basename(meta))?.[1];
  return number === undefined || body.startsWith(`${number}.`) ? body : `${number}.json`;
}

/** How every description listen writes begins: its layout's number first (see `describe`). */
const descriptionStart = '{"capture":';

/**
 * The whole description that a line cut short has after it, if any. Hint: two listens sharing a
 * folder append to one log; when one stops mid-line (a full disk), the other's next line is
 * glued to the piece. A description's text holds `{"capture":` only at its start (a string's
 * quotes are escaped), so the last one on the line begins the description written whole.
 */
function gluedDescription(line: string): unknown {
  const at = line.lastIndexOf(descriptionStart);
  if (at <= 0) return undefined;
  try {
    return JSON.parse(line.slice(at));
  } catch {
    return undefined;
  }
}

/**
 * A layout 1 description, `NNNNNN.meta`; undefined for one left empty or cut short (a listen
 * killed while writing it), which is skipped as a log's cut line is, and named to `onUnreadable`.
 */
async function readMetaFile(
  path: string,
  onUnreadable: ((where: string, why: string) => void) | undefined,
): Promise<CapturedDelivery | undefined> {
  let meta: unknown;
  // Hint: without the NULs a power loss leaves at a file's end, in place of what was not written;
  // trimmed by a loop, since `/\0+$/` is quadratic on a run of NULs followed by another byte.
  const read = await readDescription(path);
  let end = read.length;
  while (end > 0 && read.charCodeAt(end - 1) === 0) end--;
  const text = read.slice(0, end);
  try {
    meta = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Hint: empty, or the start of one as listen wrote them (pretty-printed, `{\n  "capture": 1,`),
    // cut anywhere: anything else is no capture description.
    const start = text.replace(/\s+/g, '');
    if (!descriptionStart.startsWith(start) && !start.startsWith(descriptionStart)) {
      throw new CallhookError(`${path}: not a capture description (not JSON)`, ExitCode.usage);
    }
    onUnreadable?.(path, 'unreadable description skipped (empty or cut short: a listen stopped while writing it?)');
    return undefined;
  }
  if (!isCaptureMeta(meta)) throw notCaptureMeta(path);
  return captured(path, meta);
}

/**
 * Where the deliveries a path names are described, found before any is read: a layout 1 `.meta`
 * file, or a log (all its lines, or those of one `.ndjson` body file; for a body file of its own,
 * `last`, the last saved under its name, which must be there).
 */
type Described =
  | { meta: string; named?: string }
  | { log: string; body?: string; line?: number; named?: string }
  | { log: string; last: string; named: string };

/** The names in a folder (none when it cannot be listed), each folder listed once however many of its files are named. */
type FolderNames = (folder: string) => Promise<ReadonlySet<string>>;

/** One file named on the command line: a log, a layout 1 `.meta`, or a captured body (found in its folder's log). */
async function describeFile(path: string, namesIn: FolderNames): Promise<Described> {
  const name = basename(path);
  if (name === captureLogName) return { log: path };
  if (name.endsWith(metaSuffix)) return { meta: path, named: path };
  const match = numbered.exec(name);
  if (match) {
    const folder = dirname(path);
    const names = await namesIn(folder);
    if (names.has(`${match[1]}${metaSuffix}`)) return { meta: join(folder, `${match[1]}${metaSuffix}`), named: path };
    // An `.ndjson` file holds many deliveries; a body file, one.
    if (names.has(captureLogName)) {
      const log = join(folder, captureLogName);
      return match[2] === 'ndjson' ? { log, body: name, named: path } : { log, last: name, named: path };
    }
  }
  // The file must exist before it is said to be undescribed. Hint: looked at, not read: it may
  // be a large export, or a pipe.
  try {
    await stat(path);
  } catch (error) {
    throw describeIoError(error, path);
  }
  throw undescribed(path);
}

function undescribed(path: string, what = 'file'): CallhookError {
  return new CallhookError(`${path}: no capture description names this ${what} (${captureLogName})`, ExitCode.usage);
}

/** A delivery's name as listen and verify print it, `000001.ndjson:12`: its file and line. */
const lineName = /^(.*\.ndjson):([1-9]\d*)$/;

/** What one path names: a folder's layout 1 `.meta` files (by number), then its log; or a file's. */
async function describePath(path: string, namesIn: FolderNames): Promise<Described[]> {
  // Hint: a name copied from listen's or verify's output; a file that is really so named comes first.
  const named = lineName.exec(path);
  if (named?.[1] !== undefined && !existsSync(path)) {
    const file = await describeFile(named[1], namesIn);
    if ('body' in file) return [{ ...file, line: Number(named[2]), named: path }];
  }
  const described = await describeFolder(path);
  if (described === undefined) return [await describeFile(path, namesIn)];
  if (described.length === 0) {
    throw new CallhookError(`${path}: no captured deliveries (${captureLogName}) in this folder`, ExitCode.usage);
  }
  return described;
}

/**
 * What a folder describes: its layout 1 `.meta` files (by number), then its log, then those of
 * each folder below it that the reading commands walk into (see `walksInto`), in the order
 * `folderEntries` lists them (names, listen's numbered ones by number); undefined
 * when `path` is no folder. Hint: validate, summarise and replay read the bodies of a capture
 * folder nested in it (`listen --out captured/day2`), so verify checks them too.
 */
async function describeFolder(path: string): Promise<Described[] | undefined> {
  let entries: Awaited<ReturnType<typeof folderEntries>>;
  try {
    // Hint: listed as a folder of input is, so a name that is not UTF-8 is opened by its bytes (see `openRegular`).
    entries = await folderEntries(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw describeIoError(error, path);
  }
  // Hint: any entry but a folder: a FIFO or a device so named is refused when opened, and a
  // symlink read, rather than either passed over in silence.
  const names = entries
    .filter(({ name, isFolder }) => !isFolder && name.endsWith(metaSuffix) && !name.startsWith('.'))
    .map(({ name }) => name);
  const described: Described[] = names
    .filter((name) => name !== captureLogName)
    .map((name) => ({ meta: join(path, name) }));
  if (names.includes(captureLogName)) described.push({ log: join(path, captureLogName) });
  const folders = entries.filter(({ name, isFolder }) => isFolder && walksInto(name)).map(({ name }) => name);
  // Hint: a loop, not push(...): a folder may hold more descriptions than a call takes arguments.
  for (const folder of folders)
    for (const source of (await describeFolder(join(path, folder))) ?? []) described.push(source);
  return described;
}

/**
 * Where the deliveries `paths` name are described (see `describePath`), every path found before
 * any delivery is read. Hint: a folder is listed once however many of its files are named (it was
 * listed once for each).
 */
async function describePaths(paths: readonly string[]): Promise<Described[]> {
  const listed = new Map<string, Promise<ReadonlySet<string>>>();
  const namesIn: FolderNames = (folder) => {
    let names = listed.get(folder);
    if (names === undefined) {
      names = readdir(folder).then(
        (found) => new Set(found),
        () => new Set<string>(),
      );
      listed.set(folder, names);
    }
    return names;
  };
  const described: Described[] = [];
  // Hint: a loop, not push(...): a folder may hold more descriptions than a call takes arguments.
  for (const path of paths)
    for (const source of await describePath(joinablePath(path), namesIn)) described.push(source);
  return described;
}

/**
 * The captured deliveries the paths name, one at a time: a folder's (its layout 1 `*.meta` files,
 * then its `deliveries.meta` in the order saved), or a file's (a log, a `.meta`, or a captured
 * body). Every path is found (and a typo fails) before any delivery is read; a layout 1 `.meta`
 * a file named on its own hangs on is read in its turn, and refused then when it cannot be checked. A log line cut
 * short, or longer than listen writes any, and a layout 1 `.meta` left empty or cut short, are
 * skipped, their `file:line` (or file) and why given to `onUnreadable`. Where each reading of a
 * log for all its deliveries ended is given to `onLogRead`.
 */
export async function* capturedDeliveries(
  paths: readonly string[],
  onUnreadable?: (where: string, why: string) => void,
  onLogRead?: (log: string, end: LogEnd) => void,
): AsyncGenerator<CapturedDelivery> {
  const described = await describePaths(paths);
  // Hint: the body files named of each log, found in one reading of it however they are
  // interleaved with those of others (`verify a/*.json` read it once, `verify a/1.json b/1.json
  // a/2.json …` once for each file: 22.9 s for 3,000 files). A description the log gains after
  // that reading is not looked for.
  const bodiesOf = new Map<string, Set<string>>();
  for (const source of described) {
    if (!('last' in source)) continue;
    const bodies = bodiesOf.get(source.log) ?? new Set<string>();
    bodies.add(source.last);
    bodiesOf.set(source.log, bodies);
  }
  const placesIn = new Map<string, Map<string, LogPlace>>();
  for (let index = 0; index < described.length; index++) {
    const source = described[index] as Described;
    if ('meta' in source) {
      // Hint: a file named on its own must be checked, its body the one its description names.
      const named = source.named;
      const delivery = await readMetaFile(source.meta, named === undefined ? onUnreadable : undefined);
      if (named === undefined) {
        if (delivery) yield delivery;
      } else if (delivery === undefined) {
        const what = named === source.meta ? 'it is' : `its description ${source.meta} is`;
        throw new CallhookError(
          `${named}: ${what} empty or cut short (a listen stopped while writing it?): it cannot be checked`,
          ExitCode.usage,
        );
      } else if (delivery.meta.body !== ownBody(named, source.meta, delivery.meta.body)) {
        // Hint: listen numbered a .meta and its body alike: one naming another body vouches for a file it is not beside.
        const what = named === source.meta ? 'it names' : `its description ${source.meta} names`;
        throw new CallhookError(`${named}: ${what} another body (${delivery.meta.body})`, ExitCode.usage);
      } else yield delivery;
      continue;
    }
    // A body file named on its own must be described: nothing checked is not a pass.
    if ('last' in source) {
      // Hint: those of one log named one after another (`verify captured/*.json`) are read with the log opened once.
      const group = [source];
      for (
        let next = described[index + 1];
        next && 'last' in next && next.log === source.log;
        next = described[index + 1]
      ) {
        group.push(next);
        index++;
      }
      let places = placesIn.get(source.log);
      if (places === undefined) {
        places = await lastPlaces(source.log, bodiesOf.get(source.log) ?? new Set(), onUnreadable);
        placesIn.set(source.log, places);
      }
      let at = 0;
      for await (const last of lastDescriptions(
        source.log,
        group.map((named) => named.last),
        places,
      )) {
        const named = group[at++] as (typeof group)[number];
        if (last === undefined) throw undescribed(named.named);
        yield last;
      }
      continue;
    }
    let found = 0;
    const ended = source.body === undefined && onLogRead ? (end: LogEnd) => onLogRead(source.log, end) : undefined;
    for await (const delivery of readLog(source.log, source.body, onUnreadable, ended)) {
      if (source.line !== undefined && delivery.meta.line !== source.line) continue;
      found++;
      yield delivery;
    }
    if (source.named !== undefined && found === 0) {
      throw undescribed(source.named, source.line === undefined ? 'file' : 'line');
    }
  }
}

/** The largest body `CapturedBodies` reads, and why one past it is refused (after the delivery's name). */
export interface BodyLimit {
  bytes: number;
  reason: string;
}

/** How much of an `.ndjson` file `CapturedBodies` reads at a time. */
const readAhead = 256 * 1024;
/**
 * How far apart the counts of line breaks `CapturedBodies` keeps are. Hint: a line of a log
 * repeated asks where a line begins, anywhere behind the bodies read: a count goes on from the
 * mark before it, at most this many bytes (a mark costs a number per 64 KiB of a file).
 */
const markEvery = 64 * 1024;
/** How many `.ndjson` files `CapturedBodies` keeps open: the listens that shared a folder at once. */
const openFiles = 8;

/** Bytes of a file as read, and where they begin. */
interface Window {
  bytes: Buffer;
  at: number;
}

/** An `.ndjson` file being read: its size as last seen, and the bytes last read from it. */
interface OpenBodies {
  handle: FileHandle;
  size: number;
  /**
   * The bytes last read for a body (the lines after it come with them), and for `lineAt`. Hint:
   * apart, so that a line of the log repeated does not send the next body back to the disk.
   */
  windows: Record<WindowKind, Window>;
}

/** What bytes of a file are read for, and how many at least: a body, or where a line begins (`lineAt`). */
const windowBytes = { body: readAhead, line: markEvery };
type WindowKind = keyof typeof windowBytes;

/**
 * The line breaks of an `.ndjson` file counted so far: how many come before byte `at`, and before
 * each multiple of `markEvery` counted past (`marks`), from where a count goes on for a byte
 * behind `at`, or far past it.
 */
interface LineCount {
  at: number;
  breaks: number;
  marks: number[];
}

/** How many LFs `bytes` holds. */
function lineBreaksIn(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}

/** What reading the body of the delivery `where` names threw, as `BodyUnreadable` when the disk would not give it. */
function unreadable(error: unknown, where: string): unknown {
  if (error instanceof NotRegularFile) return new BodyUnreadable(where, error.why);
  if (error instanceof CallhookError || (error as NodeJS.ErrnoException).code === undefined) return error;
  return new BodyUnreadable(where, ioReason(error));
}

/** A captured file that is not a regular file: `why` says what it is instead (`not a regular file (a folder)`). */
class NotRegularFile extends CallhookError {
  constructor(
    path: string,
    readonly why: string,
    what: string,
  ) {
    super(`${path}: ${why}; ${what} is a file`, ExitCode.usage);
  }
}

/**
 * Opens a captured file to read, and its size. A FIFO, a device or a folder is refused, as a
 * capture folder sent by someone else may hold one: a FIFO waits for a writer for ever, and
 * /dev/zero never ends. Hint: O_NONBLOCK, so that opening a FIFO does not itself wait; it changes
 * nothing for a file.
 */
async function openRegular(path: string, what = 'a captured body'): Promise<{ handle: FileHandle; size: number }> {
  // Hint: and a file under another's write lease is waited for, as every reading waits (review hR72).
  const handle = await openWithoutWaiting(openablePath(path));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      const kind = stats.isDirectory() ? 'a folder' : (specialFileKind(stats) ?? 'not a file');
      throw new NotRegularFile(path, `not a regular file (${kind})`, what);
    }
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** A captured body that is not the one listen saved: its SHA-256 differs from the log's. */
export class BodyChanged extends CallhookError {
  /** What is wrong, without the delivery's name (verify's line names it). */
  static readonly reason = `the body is not the one captured (its SHA-256 differs from ${captureLogName}'s)`;

  constructor(where: string) {
    super(`${where}: ${BodyChanged.reason}`, ExitCode.usage);
  }
}

/**
 * A captured body that cannot be read: the disk will not give it (permission denied, a failing
 * disk, deleted since), or it is no regular file (a folder, a FIFO). Its message names the delivery
 * (`where`) and why; `reason` is why alone (verify's line names the delivery).
 */
export class BodyUnreadable extends CallhookError {
  constructor(
    where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`, ExitCode.usage);
  }
}

/**
 * Reads captured deliveries' bodies, byte for byte, each checked against the SHA-256 its
 * description holds. Hint: an `.ndjson` file is kept open from one delivery to the next and read
 * 256 KiB at a time; an open, a stat and a close for each of its lines made verify wait on the
 * disk most of its time. A few files stay open at once, since the log of a folder that two
 * listens shared interleaves their lines. `close()` when done.
 */
export class CapturedBodies {
  /** The open files, the one read last at the end. */
  #open = new Map<string, OpenBodies>();
  /** Each `.ndjson` file's line breaks counted, kept when the file is closed to open another. */
  readonly #counted = new Map<string, LineCount>();
  readonly #limit: BodyLimit | undefined;

  /** `limit`: the largest body read, as listen's `--max-body`; none for captures callhook itself just made. */
  constructor(limit?: BodyLimit) {
    this.#limit = limit;
  }

  /** A delivery's body: its file, or its line of an `.ndjson` file. */
  async read(delivery: CapturedDelivery): Promise<Buffer> {
    const body = await this.#bytes(delivery);
    // A body changed since it was captured would otherwise show as a failed signature.
    const { sha256 } = delivery.meta;
    if (typeof sha256 === 'string' && hash('sha256', body, 'hex') !== sha256) throw new BodyChanged(delivery.where);
    return body;
  }

  async close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map((file) => file.handle.close()));
  }

  /** The open `.ndjson` file at `path`, opened (and the least recently read one closed) if need be. */
  async #file(path: string): Promise<OpenBodies> {
    let file = this.#open.get(path);
    if (file) {
      this.#open.delete(path);
    } else {
      const { handle, size } = await openRegular(path);
      const none = { bytes: Buffer.alloc(0), at: 0 };
      file = { handle, size, windows: { body: none, line: none } };
      if (this.#open.size >= openFiles) {
        const [oldest, least] = this.#open.entries().next().value as [string, OpenBodies];
        this.#open.delete(oldest);
        await least.handle.close();
      }
    }
    this.#open.set(path, file);
    return file;
  }

  /** Refuses a body of `size` bytes past the limit, before anything that large is read. */
  #refuseLarger(size: number, delivery: CapturedDelivery): void {
    if (this.#limit && size > this.#limit.bytes) {
      throw new CallhookError(`${delivery.where}: ${this.#limit.reason}`, ExitCode.usage);
    }
  }

  async #bytes(delivery: CapturedDelivery): Promise<Buffer> {
    const { meta, bodyPath } = delivery;
    try {
      if (meta.capture !== 3) {
        const { handle, size } = await openRegular(bodyPath);
        try {
          // Hint: a size other than the log's is a changed body, found without reading a planted huge file.
          if (isCount(meta.bytes) && size !== meta.bytes) throw new BodyChanged(delivery.where);
          // Hint: a line of an earlier version gives no size: the file's, seen once, bounds the read.
          this.#refuseLarger(size, delivery);
          const body = Buffer.alloc(size);
          const { bytesRead } = await handle.read(body, 0, size, 0);
          return body.subarray(0, bytesRead);
        } finally {
          await handle.close().catch(() => {});
        }
      }
      this.#refuseLarger(meta.bytes, delivery);
      const offset = meta.offset ?? 0;
      const file = await this.#file(bodyPath);
      // Hint: the size comes from the log, which is input too: checked against the file before
      // anything that large is allocated (a file still growing under a listen is looked at again).
      if (offset + meta.bytes > file.size) file.size = (await file.handle.stat()).size;
      if (offset + meta.bytes > file.size) {
        throw new CallhookError(
          `${delivery.where}: the file ends ${offset + meta.bytes - file.size} bytes before the body it should hold (cut short?)`,
          ExitCode.usage,
        );
      }
      // Hint: the line a body is named by comes from the log too: the bytes checked must be on it,
      // or verify would name one line and check another's bytes.
      const first = (await this.#breaksBefore(bodyPath, file, offset, delivery.where)) + 1;
      const body = Buffer.from(await this.#span(file, offset, offset + meta.bytes, delivery.where));
      const last = first + lineBreaksIn(body);
      if (first !== meta.line || last !== first) {
        const lines = last === first ? `line ${first}` : `lines ${first}-${last}`;
        throw new CallhookError(
          `${delivery.where}: the body ${delivery.describedBy} describes is on ${lines} (from byte ${offset}), not on this line`,
          ExitCode.usage,
        );
      }
      this.#countedPast(bodyPath, offset, body.length);
      return body;
    } catch (error) {
      throw unreadable(error, delivery.where);
    }
  }

  /**
   * The line of the `.ndjson` file at `path` that begins at byte `at` (from 1), or undefined when
   * `at` is within a line; `where` names the delivery it is asked for.
   */
  async lineAt(path: string, at: number, where: string): Promise<number | undefined> {
    try {
      const file = await this.#file(path);
      // Hint: counted first, so that the byte before is in the window the count read.
      const breaks = await this.#breaksBefore(path, file, at, where, 'line');
      if (at > 0 && (await this.#span(file, at - 1, at, where, 'line'))[0] !== 0x0a) return undefined;
      return breaks + 1;
    } catch (error) {
      throw unreadable(error, where);
    }
  }

  /**
   * The bytes of `file` from `start` to `end`, read from the disk (into the window of `kind`)
   * unless a window holds them. Hint: a log describes an `.ndjson` file's lines in order, so one
   * read brings the next bodies too.
   */
  async #span(file: OpenBodies, start: number, end: number, where: string, kind: WindowKind = 'body'): Promise<Buffer> {
    for (const { bytes, at } of Object.values(file.windows)) {
      if (start >= at && end - at <= bytes.length) return bytes.subarray(start - at, end - at);
    }
    // Hint: none past the end of a file cut short since (its size is taken again when it is opened again).
    const read = Buffer.alloc(Math.max(0, Math.min(Math.max(end - start, windowBytes[kind]), file.size - start)));
    const { bytesRead } = await file.handle.read(read, 0, read.length, start);
    file.windows[kind] = { bytes: read.subarray(0, bytesRead), at: start };
    if (bytesRead < end - start) {
      throw new CallhookError(`${where}: the file ends before the body it should hold (cut short?)`, ExitCode.usage);
    }
    return read.subarray(0, end - start);
  }

  /**
   * Goes on with the count of `path` past a body just checked, `bytes` long from `at`, which holds
   * no line break: the next body's count reads only the line break after it. Its marks are the
   * count where it stands.
   */
  #countedPast(path: string, at: number, bytes: number): void {
    const count = this.#counted.get(path);
    if (count?.at !== at) return;
    while (count.marks.length * markEvery <= at + bytes) count.marks.push(count.breaks);
    count.at = at + bytes;
  }

  /**
   * How many LFs the `.ndjson` file at `path` holds before byte `at`: counted on from where the
   * last count stopped, or from the mark before `at` when that is nearer. `kind`: what the bytes
   * are read for (see `#span`); a count for `lineAt` is not kept, so that the next body's goes on
   * from where the last body's stopped. Hint: in the log's order a count reads only the line break
   * after the body before; out of it, at most `markEvery` bytes, once a count has been past them.
   */
  async #breaksBefore(
    path: string,
    file: OpenBodies,
    at: number,
    where: string,
    kind: WindowKind = 'body',
  ): Promise<number> {
    let count = this.#counted.get(path);
    if (!count) {
      count = { at: 0, breaks: 0, marks: [0] };
      this.#counted.set(path, count);
    }
    let { at: from, breaks } = count;
    const mark = Math.min(Math.floor(at / markEvery), count.marks.length - 1);
    if (at < from || mark * markEvery > from) {
      from = mark * markEvery;
      breaks = count.marks[mark] ?? 0;
    }
    while (from < at) {
      // Hint: each count ends at the next multiple of `markEvery`, so that no mark is passed unseen.
      const to = Math.min(at, (Math.floor(from / markEvery) + 1) * markEvery);
      breaks += lineBreaksIn(await this.#span(file, from, to, where, kind));
      from = to;
      if (from === count.marks.length * markEvery) count.marks.push(breaks);
    }
    if (kind === 'body') {
      count.at = at;
      count.breaks = breaks;
    }
    return breaks;
  }
}

/** What `CaptureCoverage.add` makes of a delivery: a body to check, one named again, or a body another line describes too. */
export type Coverage = { kind: 'new' } | { kind: 'again' } | { kind: 'twice'; first: string };

/**
 * Bodies on consecutive lines of an `.ndjson` file, described one after another by one log, as
 * listen writes them: each begins the byte after the one before it ends. Hint: each body is read
 * before the next is added, and checked to hold no line break and to be on the line its
 * description gives (verify stops otherwise; one that cannot be read is taken out, see
 * `CaptureCoverage.unread`), so the byte between two is a line break, and the line breaks from
 * `start` to `end` are those between its bodies: where it begins and ends is all that is kept of them.
 */
interface Run {
  /** Where its first body begins, and where its last ends. */
  start: number;
  end: number;
  /** The line of its first body, and how many bodies it holds. */
  line: number;
  count: number;
  /** The log that describes them, as named, and its line that describes the first. */
  log: string;
  logLine: number;
  /**
   * The bodies that a line of the log describes that is not the line after the one before (two
   * listens sharing a folder interleave their lines in its log): each as its index in the run and
   * that line, a pair of numbers.
   */
  jumps: number[];
}

/** How many of `count` keys in rising order (the `index`th is `keyAt(index)`) are at most `value`, found by halves. */
function keysUpTo(count: number, keyAt: (index: number) => number, value: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keyAt(middle) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The line of its log that describes the `index`th body of `run` (from 0). */
function logLineOf({ logLine, jumps }: Run, index: number): number {
  const jump = keysUpTo(jumps.length / 2, (at) => jumps[2 * at] ?? 0, index) - 1;
  if (jump < 0) return logLine + index;
  return (jumps[2 * jump + 1] ?? 0) + index - (jumps[2 * jump] ?? 0);
}

/** What describes a body file: all of it (a body of its own), or bodies on its lines. */
interface DescribedFile {
  whole: string | undefined;
  /** Runs of bodies, apart, in the order of their bytes. */
  runs: Run[];
  /**
   * Bodies no run holds (described out of order, within another's line, or never read), by
   * offset; with the delivery that describes it when a line the log gained since it was read does
   * (see `CaptureCoverage.undescribed`).
   */
  aside: Map<number, { bytes: number; by: string; gained?: CapturedDelivery | undefined }>;
  /** Told of each delivery a line the log gained describes whose bytes it explained: to be checked. */
  explained?: ((delivery: CapturedDelivery) => void) | undefined;
}

/** Line numbers, a bit each. */
class LineSet {
  #bits = new Uint8Array(1024);

  /** Adds `line`; says whether it was there already. */
  add(line: number): boolean {
    const at = Math.floor(line / 8);
    const bit = 1 << (line % 8);
    if (at >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(at + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const had = ((this.#bits[at] ?? 0) & bit) !== 0;
    this.#bits[at] = (this.#bits[at] ?? 0) | bit;
    return had;
  }
}

/**
 * The run of `runs` (in the order of their bytes) whose bodies begin at, or span, `offset`. Hint:
 * up to its end included, where an empty last body begins.
 */
function runAt(runs: readonly Run[], offset: number): Run | undefined {
  const run = runs[keysUpTo(runs.length, (at) => runs[at]?.start ?? 0, offset) - 1];
  return run && offset <= run.end ? run : undefined;
}

/**
 * The bodies a capture's descriptions name, and the bytes of a folder's event files that none
 * describes. Hint: validate, summarise, show and replay read every `*.json`, `*.ndjson` and
 * `*.jsonl` below a folder, not its log: a line appended to an `.ndjson` file, a file copied in,
 * or a body a crash left unanswered (written, its line of the log not) would be read as captured
 * while verify checked only what the log names. Hint: it kept a string and a map entry for every
 * delivery (a million took 486 MB); it keeps a bit per line of a log, and for each `.ndjson` file
 * the runs of its lines a log describes one after another (one per listen run), so a long capture
 * is never held whole. What else it keeps grows only with layouts listen does not write that way:
 * a body file of its own for each delivery (layouts 1 and 2), two listens' lines interleaved in
 * one log (see `Run.jumps`), descriptions out of order or within another's line (`aside`).
 */
export class CaptureCoverage {
  /** The lines met of each log, and each layout 1 `.meta` met, by absolute path. */
  readonly #logLines = new Map<string, LineSet>();
  readonly #metaFiles = new Set<string>();
  /** What describes each body file named, by absolute path. */
  readonly #files = new Map<string, DescribedFile>();
  /** Paths made absolute, each once: a delivery's log and body file are those of the one before, most often. */
  readonly #absolutes = new Map<string, string>();
  /** The delivery added last, and the run it went into, until its body is read. */
  #last: { delivery: CapturedDelivery; file: DescribedFile; run: Run } | undefined;
  /** The deliveries that lines the log gained since it was read describe, whose bytes they explained (see `undescribed`). */
  readonly #explained = new Set<CapturedDelivery>();
  /** Where the reading of each log for all its deliveries ended, by absolute path (see `logRead`). */
  readonly #logEnds = new Map<string, LogEnd>();

  /** `bodies`: where the bodies are read, which says where a line of an `.ndjson` file begins. */
  constructor(private readonly bodies: CapturedBodies) {}

  #absolute(path: string): string {
    let absolute = this.#absolutes.get(path);
    if (absolute === undefined) {
      // Hint: through symlinks too (`verify cap caplink`); a body that is gone by its name.
      absolute = realPathOf(path);
      this.#absolutes.set(path, absolute);
    }
    return absolute;
  }

  /**
   * Records a delivery: `new` to check, `again` (a description named twice: skip it), or `twice`
   * (another line described its body). Its body is read before the next is added.
   */
  async add(delivery: CapturedDelivery): Promise<Coverage> {
    this.#last = undefined;
    // Hint: by absolute path, as a folder may be named `cap` and `/tmp/cap` at once.
    const described = this.#absolute(delivery.metaPath);
    if (delivery.logLine === undefined) {
      if (this.#metaFiles.has(described)) return { kind: 'again' };
      this.#metaFiles.add(described);
    } else {
      let lines = this.#logLines.get(described);
      if (!lines) {
        lines = new LineSet();
        this.#logLines.set(described, lines);
      }
      if (lines.add(delivery.logLine)) return { kind: 'again' };
    }
    const bodyPath = this.#absolute(delivery.bodyPath);
    let file = this.#files.get(bodyPath);
    if (!file) {
      file = { whole: undefined, runs: [], aside: new Map() };
      this.#files.set(bodyPath, file);
    }
    const { meta, describedBy } = delivery;
    if (meta.capture !== 3) {
      if (file.whole !== undefined) return { kind: 'twice', first: file.whole };
      file.whole = describedBy;
      return { kind: 'new' };
    }
    const first = await this.#describer(file, delivery);
    if (first !== undefined) return { kind: 'twice', first };
    this.#record(file, delivery);
    return { kind: 'new' };
  }

  /**
   * Takes back out of its run a delivery just added whose body could not be read: its bytes were
   * never checked to be a line's, so it is kept aside, as it was described.
   */
  unread(delivery: CapturedDelivery): void {
    const last = this.#last;
    if (last?.delivery !== delivery) return;
    this.#last = undefined;
    const offset = delivery.meta.offset ?? 0;
    if (last.run.count === 1) last.file.runs.pop();
    else {
      last.run.count--;
      last.run.end = offset - 1;
      if (last.run.jumps.at(-2) === last.run.count) last.run.jumps.length -= 2;
    }
    last.file.aside.set(offset, { bytes: delivery.meta.bytes, by: delivery.describedBy });
  }

  /** What described the body `delivery` names (by its offset) already, if anything. */
  async #describer(file: DescribedFile, delivery: CapturedDelivery): Promise<string | undefined> {
    const offset = delivery.meta.offset ?? 0;
    const aside = file.aside.get(offset);
    if (aside) return aside.by;
    const run = runAt(file.runs, offset);
    if (!run) return undefined;
    // Hint: within a run, a body begins after each line break, and nowhere else (see `Run`).
    const line = offset === run.start ? run.line : await this.bodies.lineAt(delivery.bodyPath, offset, delivery.where);
    return line === undefined ? undefined : `${run.log}:${logLineOf(run, line - run.line)}`;
  }

  /** Records the body of a layout 3 delivery that nothing described before: in a run when it goes on one. */
  #record(file: DescribedFile, delivery: CapturedDelivery): void {
    const { meta, metaPath: log, logLine } = delivery;
    const offset = meta.offset ?? 0;
    const line = meta.line ?? 0;
    const end = offset + meta.bytes;
    const last = file.runs.at(-1);
    if (logLine === undefined || (last && offset <= last.end)) {
      file.aside.set(offset, { bytes: meta.bytes, by: delivery.describedBy });
      return;
    }
    let run: Run;
    if (last?.log === log && offset === last.end + 1 && line === last.line + last.count) {
      run = last;
      if (logLine !== logLineOf(run, run.count)) run.jumps.push(run.count, logLine);
      run.count++;
      run.end = end;
    } else {
      run = { start: offset, end, line, count: 1, log, logLine, jumps: [] };
      file.runs.push(run);
    }
    this.#last = { delivery, file, run };
  }

  /**
   * The deliveries that lines the log gained since it was read describe, whose bytes they
   * explained, once `undescribed` has gone through the folder: to be checked as the others were.
   * Hint: left for the next run unchecked, a forged body with a forged line of the log appended
   * while verify ran passed, exit 0 (review hR102).
   */
  explainedSince(): Iterable<CapturedDelivery> {
    return this.#explained;
  }

  /** Records where a reading of the log at `log` for all its deliveries ended (the furthest, read more than once). */
  logRead(log: string, end: LogEnd): void {
    const absolute = this.#absolute(log);
    if ((this.#logEnds.get(absolute)?.at ?? -1) < end.at) this.#logEnds.set(absolute, end);
  }

  /**
   * The files the reading commands take from a folder (`sources`, by name), and runs of lines of
   * its `.ndjson` files within their first `size` bytes, that no description recorded names: each
   * as where (`file`, or `file:line` / `file:first-last`, with the lines it holds). Hint: listen
   * saves a body, then (with --durable after an fdatasync) its line of the log, so a body saved
   * whole before the sizes were taken may have had no line when the log was read (verify beside a
   * listen: "3 not captured", exit 1): what a line the log gained since describes exactly (see
   * `#gained`) is left for the next run, as what was saved after the sizes were taken is.
   */
  async *undescribed(sources: readonly { name: string; size: number }[]): AsyncGenerator<Undescribed> {
    const sizes = new Map(sources.map(({ name, size }) => [name, size]));
    /** What each log gained describes, read once, for the first of its folder's files with bytes to explain. */
    const gained = new Map<string, Promise<Map<string, Gained[]>>>();
    const gainedBy = (log: string) => {
      let since = gained.get(log);
      if (since === undefined) {
        since = this.#gained(log, sizes);
        gained.set(log, since);
      }
      return since;
    };
    for (const { name, size } of sources) {
      const file: DescribedFile = this.#files.get(realPathOf(name)) ?? { whole: undefined, runs: [], aside: new Map() };
      file.explained = (delivery) => this.#explained.add(delivery);
      if (file.whole !== undefined) continue;
      let explained: Promise<boolean> | undefined;
      const explain = () => {
        const since = gainedBy(join(dirname(name), captureLogName));
        explained ??= since.then((bodies) => describedSince(file, bodies.get(name) ?? []));
        return explained;
      };
      if (file.runs.length > 0 || file.aside.size > 0 || (await explain())) {
        if (file.whole === undefined) yield* undescribedLines(name, file, size, explain);
      } else yield { where: name, lines: undefined };
    }
  }

  /**
   * What the lines the log at `log` gained since it was read (from where `logRead` says) describe
   * of its folder's event files (`sizes`: each one's size when the sizes were taken), by name: a
   * file whole, of that size, or a body on its lines, beginning within that many bytes.
   */
  async #gained(log: string, sizes: ReadonlyMap<string, number>): Promise<Map<string, Gained[]>> {
    const bodies = new Map<string, Gained[]>();
    const from = this.#logEnds.get(this.#absolute(log));
    if (from === undefined) return bodies;
    for await (const { meta, number } of withLog(log, (handle, size) =>
      logEntries(handle, size, log, undefined, { from }),
    )) {
      const name = join(dirname(log), meta.body);
      const size = sizes.get(name);
      const offset = meta.capture === 3 ? (meta.offset ?? 0) : undefined;
      // Hint: a body on a line may run past the size (it was being written then: see `undescribedLines`).
      if (size === undefined || (offset === undefined ? meta.bytes !== size : offset >= size)) continue;
      let described = bodies.get(name);
      if (described === undefined) {
        described = [];
        bodies.set(name, described);
      }
      described.push({ offset, bytes: meta.bytes, by: `${log}:${number}`, delivery: captured(log, meta, number) });
    }
    return bodies;
  }
}

/** A body a line a log gained describes: where it begins on a line (none for a file of its own), its bytes, and that line. */
interface Gained {
  offset: number | undefined;
  bytes: number;
  by: string;
  delivery: CapturedDelivery;
}

/** Records `gained` in what describes their file, `file`; says whether there were any. */
function describedSince(file: DescribedFile, gained: readonly Gained[]): boolean {
  for (const { offset, bytes, by, delivery } of gained) {
    if (offset === undefined) {
      file.whole = by;
      file.explained?.(delivery);
    } else file.aside.set(offset, { bytes, by, gained: delivery });
  }
  return gained.length > 0;
}

/** Bytes of a capture folder's event files that no description names: a file whole, or a run of an `.ndjson` file's lines (`lines` of them). */
export interface Undescribed {
  where: string;
  lines: number | undefined;
}

/** Why a file is no body to be read, as its deliveries' reads found it too. */
const unopenable = new Set(['ELOOP', 'ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ENXIO', 'EISDIR']);

/**
 * The runs of lines of the `.ndjson` file `name`, in its first `size` bytes, that are not exactly a
 * body `described` names; `explain`, asked when one is not, may record more in `described`, and
 * says whether it did.
 */
async function* undescribedLines(
  name: string,
  described: DescribedFile,
  size: number,
  explain: () => Promise<boolean>,
): AsyncGenerator<Undescribed> {
  // Hint: a file that is not one, or cannot be opened (a named pipe, a link that loops), failed
  // each delivery it holds as body-unreadable, where it was read: its lines cannot be looked
  // through, and it ended the run, with no summary, as an internal error (review hR70). Any other
  // failure (too many open files) fails the run, in one line: skipped, the lines would go unsaid.
  const opened = await openRegular(name).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof NotRegularFile || unopenable.has(code ?? '')) return undefined;
    throw describeIoError(error, name);
  });
  if (opened === undefined) return;
  const { handle } = opened;
  const { runs, aside } = described;
  /** The run of bodies that the lines go through, or the next: lines come in the order of their bytes. */
  let next = 0;
  /** Whether the bytes from `start` to `end` are a body described. */
  const isBody = (start: number, end: number) => {
    const apart = aside.get(start);
    if (apart?.bytes === end - start) {
      if (apart.gained) described.explained?.(apart.gained);
      return true;
    }
    while ((runs[next]?.end ?? Number.POSITIVE_INFINITY) < start) next++;
    const run = runs[next];
    // Hint: between its start and end, a run's line breaks are those between its bodies (see `Run`).
    return run !== undefined && run.start <= start && end <= run.end;
  };
  let number = 0;
  let start = 0;
  let run: [number, number] | undefined;
  const found: Undescribed[] = [];
  const endRun = () => {
    if (run) {
      const where = `${name}:${run[0] === run[1] ? run[0] : `${run[0]}-${run[1]}`}`;
      found.push({ where, lines: run[1] - run[0] + 1 });
    }
    run = undefined;
  };
  /** The line from `start` to `end`, numbered `number`: ended by its LF, or (`cut`) by the end of the file. */
  const line = async (end: number, cut = false) => {
    number++;
    // Hint: listen writes each body with its LF; a last line without one is no body described.
    if (!cut && (isBody(start, end) || ((await explain()) && isBody(start, end)))) endRun();
    else if (run) run[1] = number;
    else run = [number, number];
  };
  try {
    let at = 0;
    // Hint: `end` is inclusive; a file of no bytes then has none to read.
    const chunks = size === 0 ? [] : handle.createReadStream({ autoClose: false, end: size - 1 });
    for await (const chunk of chunks as AsyncIterable<Buffer>) {
      for (let lf = chunk.indexOf(0x0a); lf >= 0; lf = chunk.indexOf(0x0a, lf + 1)) {
        await line(at + lf);
        start = at + lf + 1;
      }
      at += chunk.length;
      yield* found.splice(0);
    }
    // Hint: a last line without its LF was being written when the size was taken (listen saving a
    // large body: red team hR97) when a description says a body begins there and runs past it:
    // one read with the log (that body was checked), or one the log gained since (left for the
    // next run, as what was saved since is). Any other is a body cut short, or forged: left
    // whenever the file went on, one appended with its LF to come once verify had begun passed
    // (review hR100); one read with the log was failed though its body was checked (hR102).
    const runsPast = () => {
      const apart = aside.get(start);
      if (apart !== undefined && start + apart.bytes > at) {
        if (apart.gained) described.explained?.(apart.gained);
        return true;
      }
      return runs.some((r) => r.start <= start && r.end > at);
    };
    if (start < at && !runsPast() && !((await explain()) && runsPast())) await line(at, true);
    endRun();
    yield* found.splice(0);
  } catch (error) {
    throw describeIoError(error, name);
  } finally {
    await handle.close().catch(() => {});
  }
}
