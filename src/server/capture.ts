/**
 * `listen --out DIR`: each delivery saved as its exact body bytes beside a description of the
 * request and the answer, handed to the operating system (written) before the answer is sent, or
 * with `--durable` on the disk itself; and the reader that `verify` uses to take them back.
 *
 * A capture folder holds:
 * - `000001.json`, `000002.json`, …: one file per delivery, numbered in arrival order, holding its
 *   body byte for byte, when it was answered 2xx (accepted). Only these end in `.json`, so the
 *   folder is direct input for validate, show, trace, summarise and replay, which read `*.json`,
 *   `*.ndjson` and `*.jsonl`;
 * - `000003.body`: the body of a delivery answered otherwise (400, 401, 422, a --fail-rate 503),
 *   kept for `verify` and for reading, out of the way of the commands that read events;
 * - `deliveries.meta`: one line of JSON per delivery, in the order they were saved, describing
 *   the request (method, path, headers in the order received), the answer given, and the body's
 *   file name, size and SHA-256. Its name ends in `.meta`, not `.json`, for the same reason.
 *
 * Layout 1 (before this log) wrote the description of each delivery to its own `000001.meta`;
 * the reader still takes those.
 */
import { hash } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fdatasync as fdatasyncCallback,
  openSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { CallhookError, describeIoError, ExitCode } from '../errors.js';

/** The description of one captured delivery: a line of `deliveries.meta` (or a layout 1 `NNNNNN.meta`). */
interface CaptureMeta {
  /** The layout's version: 2 for a line of the log, 1 for a file of its own. */
  capture: 1 | 2;
  /** When the request's body had been read, ISO 8601. */
  receivedAt: string;
  method: string;
  /** The request target as sent (path and query). */
  path: string;
  /** Headers as received: names in their case and order, repeated ones repeated. */
  headers: [string, string][];
  /** The body's file name, beside this one. */
  body: string;
  bytes: number;
  sha256: string;
  /** The status answered; with --forward, the upstream's. */
  status: number;
  /** The status listen's own checks gave, when --forward replaced it with the upstream's. */
  checkedStatus?: number | undefined;
}

/** The folder's log of deliveries. */
export const captureLogName = 'deliveries.meta';
const metaSuffix = '.meta';
const numbered = /^(\d+)\.(json|body|meta)$/;

// Hint: O_EXCL never overwrites a delivery another listen saved.
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
// Hint: O_APPEND puts each line at the end even when another listen appends to the same log.
const logFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;

const fdatasync = promisify(fdatasyncCallback);

const isTaken = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'EEXIST';

/** Writes all of `bytes` to a descriptor. */
function writeWhole(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The data was flushed, or the failure was already reported.
  }
}

function rmQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or never created.
  }
}

/** What listen knows of a delivery when it saves it. */
type CaptureRequest = Omit<CaptureMeta, 'capture' | 'body' | 'bytes' | 'sha256'>;

/** A delivery waiting for the next commit, and the caller waiting for it. */
interface Waiting {
  body: Buffer;
  request: CaptureRequest;
  resolve: (saved: { body: string }) => void;
  reject: (error: unknown) => void;
}

/** How a capture waits before the answer is sent. */
interface CaptureOptions {
  /**
   * Wait for the disk (bodies flushed, the folder fsynced, the log written with O_DSYNC), so a 2xx
   * survives a power loss; otherwise the files are written, which a crash or kill of listen cannot undo.
   */
  durable?: boolean | undefined;
}

/**
 * Saves deliveries into one folder; numbers continue after those already there. The deliveries
 * saved in one turn of the event loop are committed together (a group commit): their bodies
 * written, then their lines appended to the log in one write, and only then is any of them
 * answered. With `durable`, the deliveries that arrive while the disk is busy wait for the next
 * commit, which takes them all.
 */
export class CaptureWriter {
  private next: number;
  private waiting: Waiting[] = [];
  private scheduled = false;
  private committing: Promise<void> | undefined;
  /** A write to the log failed part-way: the next one starts on a line of its own. */
  private torn = false;
  /** Deliveries saved. */
  saved = 0;
  /** The folder's path with a separator, which a file name completes (a join per file showed under load). */
  private readonly inFolder: string;

  private constructor(
    readonly folder: string,
    first: number,
    readonly durable: boolean,
    private readonly log: FileHandle,
  ) {
    this.next = first;
    this.inFolder = join(folder, sep);
  }

  /** Creates the folder (private to the user) and its log if needed, and finds the next free number. */
  static async open(folder: string, options: CaptureOptions = {}): Promise<CaptureWriter> {
    const durable = options.durable === true;
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
      let highest = 0;
      for (const name of await readdir(folder)) {
        const match = numbered.exec(name);
        if (match) highest = Math.max(highest, Number(match[1]));
      }
      const logPath = join(folder, captureLogName);
      const log = await open(logPath, durable ? logFlags | constants.O_DSYNC : logFlags, 0o600);
      const writer = new CaptureWriter(folder, highest + 1, durable, log);
      writer.torn = !(await endsWithNewline(logPath));
      return writer;
    } catch (error) {
      throw describeIoError(error, folder);
    }
  }

  /**
   * Saves one delivery and resolves once its body and its line of the log are written (the
   * operating system has them), or with `durable`, once they and the body's name are on the disk.
   */
  save(body: Buffer, request: CaptureRequest): Promise<{ body: string }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ body, request, resolve, reject });
      this.schedule();
    });
  }

  /** Closes the log, once every delivery saved has been committed. */
  async close(): Promise<void> {
    while (this.committing || this.waiting.length > 0) {
      await (this.committing ?? new Promise((resolve) => setImmediate(resolve)));
    }
    await this.log.close();
  }

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    // Hint: setImmediate runs after the I/O callbacks of this turn, so every delivery whose body
    // was read in this turn is in the same commit.
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.waiting;
      this.waiting = [];
      if (batch.length === 0) return;
      if (!this.durable) {
        this.commitNow(batch);
        return;
      }
      this.committing = this.commitDurably(batch).finally(() => {
        this.committing = undefined;
        if (this.waiting.length > 0) this.schedule();
      });
    });
  }

  /** The description of a delivery, as its line of the log. */
  private line(entry: Waiting, bodyName: string): string {
    const { receivedAt, method, path, headers, status, checkedStatus } = entry.request;
    // Hint: written out field by field (in the order the log has always had), not spread.
    const meta: CaptureMeta = {
      capture: 2,
      receivedAt,
      method,
      path,
      headers,
      status,
      checkedStatus,
      body: bodyName,
      bytes: entry.body.length,
      sha256: hash('sha256', entry.body, 'hex'),
    };
    return `${JSON.stringify(meta)}\n`;
  }

  /** The next number's body file name, and the name the same number has with the other ending. */
  private bodyName(entry: Waiting): [string, string] {
    const accepted = entry.request.status >= 200 && entry.request.status < 300;
    const stem = String(this.next++).padStart(6, '0');
    return accepted ? [`${stem}.json`, `${stem}.body`] : [`${stem}.body`, `${stem}.json`];
  }

  /** Appends lines to the log; a line cut short by a failure is ended before the next one. */
  private logText(lines: string[]): Buffer {
    const text = Buffer.from((this.torn ? '\n' : '') + lines.join(''));
    this.torn = true;
    return text;
  }

  /**
   * Hint: small files handed to the page cache take microseconds each, far less than the
   * thread-pool round trips (open, write, close) that asynchronous calls cost per delivery, so
   * without --durable the commit is synchronous: a body file each, and one write to the log.
   */
  private commitNow(batch: Waiting[]): void {
    const done: [Waiting, string][] = [];
    const lines: string[] = [];
    for (const entry of batch) {
      try {
        const { name, fd } = this.writeBody(entry);
        closeSync(fd);
        done.push([entry, name]);
        lines.push(this.line(entry, name));
      } catch (error) {
        entry.reject(describeIoError(error, this.folder));
      }
    }
    if (done.length === 0) return;
    try {
      writeWhole(this.log.fd, this.logText(lines));
      this.torn = false;
    } catch (error) {
      this.failed(done, error);
      return;
    }
    this.succeeded(done);
  }

  /** Creates the body's file under the next free number and writes it; the caller closes it. */
  private writeBody(entry: Waiting): { name: string; fd: number } {
    for (;;) {
      const [name, sibling] = this.bodyName(entry);
      const path = this.inFolder + name;
      let fd: number;
      try {
        fd = openSync(path, createFlags, 0o600);
      } catch (error) {
        // Another listen saving into the same folder took this number: take the next.
        if (isTaken(error)) continue;
        throw error;
      }
      // Hint: a number names one delivery; another listen may have taken it with the other ending.
      if (existsSync(this.inFolder + sibling)) {
        closeSync(fd);
        rmQuietly(path);
        continue;
      }
      try {
        writeWhole(fd, entry.body);
      } catch (error) {
        closeSync(fd);
        rmQuietly(path);
        throw error;
      }
      return { name, fd };
    }
  }

  /**
   * The bodies are written as without --durable (in order, so numbers follow arrival), then each
   * is flushed to the disk beside an fsync of the folder (their names); only then do the lines go
   * to the log, itself written with O_DSYNC: a line on the disk names a body that is there too.
   */
  private async commitDurably(batch: Waiting[]): Promise<void> {
    const done: [Waiting, string][] = [];
    const fds: number[] = [];
    for (const entry of batch) {
      try {
        const { name, fd } = this.writeBody(entry);
        done.push([entry, name]);
        fds.push(fd);
      } catch (error) {
        entry.reject(describeIoError(error, this.folder));
      }
    }
    if (done.length === 0) return;
    try {
      await Promise.all([...fds.map((fd) => fdatasync(fd)), syncFolder(this.folder)]);
      const text = this.logText(done.map(([entry, name]) => this.line(entry, name)));
      for (let at = 0; at < text.length; ) at += (await this.log.write(text, at, text.length - at)).bytesWritten;
      this.torn = false;
    } catch (error) {
      this.failed(done, error);
      return;
    } finally {
      for (const fd of fds) closeQuietly(fd);
    }
    this.succeeded(done);
  }

  private succeeded(done: [Waiting, string][]): void {
    this.saved += done.length;
    for (const [entry, name] of done) entry.resolve({ body: name });
  }

  /** The log could not be written: the bodies are removed, so no delivery is half saved. */
  private failed(done: [Waiting, string][], error: unknown): void {
    for (const [entry, name] of done) {
      rmQuietly(join(this.folder, name));
      entry.reject(describeIoError(error, this.folder));
    }
  }
}

/** Whether a file is empty or ends with a newline (a log whose last line was cut short does not). */
async function endsWithNewline(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A captured delivery: its description, the file it came from, and where its body is. */
export interface CapturedDelivery {
  /** The file that describes it: the folder's log, or a layout 1 `.meta`. */
  metaPath: string;
  meta: CaptureMeta;
  bodyPath: string;
}

function isCaptureMeta(value: unknown): value is CaptureMeta {
  const meta = value as Partial<CaptureMeta> | null;
  return (
    typeof meta === 'object' &&
    meta !== null &&
    (meta.capture === 1 || meta.capture === 2) &&
    typeof meta.body === 'string' &&
    basename(meta.body) === meta.body &&
    Array.isArray(meta.headers) &&
    meta.headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((x) => typeof x === 'string'))
  );
}

function notCaptureMeta(where: string): CallhookError {
  return new CallhookError(`${where}: not a capture description written by callhook listen`, ExitCode.usage);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw describeIoError(error, path);
  }
}

/**
 * The deliveries a folder's log describes, in order. A line that is not JSON was cut short (listen
 * stopped mid-write, or a write failed) and is skipped, as a journal's reader does.
 */
async function readLog(path: string): Promise<CapturedDelivery[]> {
  const found: CapturedDelivery[] = [];
  for (const [i, line] of (await readText(path)).split('\n').entries()) {
    if (line.trim() === '') continue;
    let meta: unknown;
    try {
      meta = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isCaptureMeta(meta)) throw notCaptureMeta(`${path}:${i + 1}`);
    found.push({ metaPath: path, meta, bodyPath: join(dirname(path), meta.body) });
  }
  return found;
}

/** A layout 1 description, `NNNNNN.meta`. */
async function readMetaFile(path: string): Promise<CapturedDelivery> {
  let meta: unknown;
  try {
    meta = JSON.parse(await readText(path));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new CallhookError(`${path}: not a capture description (not JSON)`, ExitCode.usage);
    }
    throw error;
  }
  if (!isCaptureMeta(meta)) throw notCaptureMeta(path);
  return { metaPath: path, meta, bodyPath: join(dirname(path), meta.body) };
}

/** The deliveries of one capture folder: its log's, and any layout 1 `.meta` files', by body name. */
async function readFolder(folder: string, names: string[]): Promise<CapturedDelivery[]> {
  const found: CapturedDelivery[] = [];
  if (names.includes(captureLogName)) found.push(...(await readLog(join(folder, captureLogName))));
  for (const name of names) {
    if (name !== captureLogName && name.endsWith(metaSuffix)) found.push(await readMetaFile(join(folder, name)));
  }
  return found.sort((a, b) => (a.meta.body < b.meta.body ? -1 : a.meta.body > b.meta.body ? 1 : 0));
}

/** One file named on the command line: a log, a layout 1 `.meta`, or a captured body (found in its folder's log). */
async function readOne(path: string): Promise<CapturedDelivery[]> {
  const name = basename(path);
  if (name === captureLogName) return readLog(path);
  if (name.endsWith(metaSuffix)) return [await readMetaFile(path)];
  const match = numbered.exec(name);
  if (match) {
    const folder = dirname(path);
    const own = join(folder, `${match[1]}${metaSuffix}`);
    const names = await readdir(folder).catch(() => [] as string[]);
    if (names.includes(`${match[1]}${metaSuffix}`)) return [await readMetaFile(own)];
    if (names.includes(captureLogName)) {
      const described = (await readLog(join(folder, captureLogName))).filter((d) => d.meta.body === name);
      if (described.length > 0) return described.slice(-1);
    }
  }
  // The file must exist before it is said to be undescribed.
  await readText(path);
  throw new CallhookError(`${path}: no capture description names this file (${captureLogName})`, ExitCode.usage);
}

/**
 * The captured deliveries the paths name: a folder's (its `deliveries.meta`, and layout 1 `*.meta`
 * files), or a file's (a log, a `.meta`, or a captured body). Every path is read before any is
 * verified.
 */
export async function listCapturedDeliveries(paths: readonly string[]): Promise<CapturedDelivery[]> {
  const found: CapturedDelivery[] = [];
  for (const path of paths) {
    let names: string[] | undefined;
    try {
      names = (await readdir(path, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && entry.name.endsWith(metaSuffix))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR') throw describeIoError(error, path);
    }
    if (names === undefined) found.push(...(await readOne(path)));
    else if (names.length === 0) {
      throw new CallhookError(`${path}: no captured deliveries (${captureLogName}) in this folder`, ExitCode.usage);
    } else found.push(...(await readFolder(path, names)));
  }
  return found;
}

/** A captured delivery's body, byte for byte. */
export async function readCapturedBody(delivery: CapturedDelivery): Promise<Buffer> {
  try {
    return await readFile(delivery.bodyPath);
  } catch (error) {
    throw describeIoError(error, delivery.bodyPath);
  }
}
