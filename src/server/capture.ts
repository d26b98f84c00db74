/**
 * `listen --out DIR`: each delivery saved as its exact body bytes beside a description of the
 * request and the answer, handed to the operating system (written) before the answer is sent, or
 * with `--durable` on the disk itself; and the reader that `verify` uses to take them back.
 *
 * A capture folder holds:
 * - `000001.ndjson`: the bodies of one listen run's accepted deliveries (answered 2xx) that are
 *   JSON on one line, as most senders' are, each byte for byte on a line of its own, in arrival
 *   order. Appending to one file costs a write per turn of the event loop where a file per
 *   delivery cost a creation each (bench/RESULTS.md, listen);
 * - `000002.json`: the body of an accepted delivery that cannot be a line of that file (it holds
 *   a line break, begins with a byte order mark, or has a blank at either end, which a line's
 *   reader drops), byte for byte in a file of its own.
 *   Only accepted bodies (answered 2xx, and JSON) end in `.json` or `.ndjson`, so the folder is
 *   direct input for validate, show, trace, summarise and replay, which read `*.json`, `*.ndjson`
 *   and `*.jsonl`;
 * - `000003.body`: the body of a delivery answered otherwise (400, 401, 422, a --fail-rate 503),
 *   or not JSON whatever the answer (`--respond 200`), kept for `verify` and for reading, out of
 *   the way of the commands that read events;
 * - `deliveries.meta`: one line of JSON per delivery, in the order they were saved, describing
 *   the request (method, path, headers in the order received), the answer given (and for a
 *   sender gone by then what the upstream of --forward answered, or what --respond or
 *   --fail-rate chose; why a relay failed), and where the body is (its file, and for a line of
 *   an `.ndjson` file its line and byte offset), its size and its SHA-256. Its name ends in
 *   `.meta`, not `.json`, for the same reason.
 *
 * Layout 2 lines (before the `.ndjson` file) name a body file each; layout 1 wrote the
 * description of each delivery to its own `000001.meta`. The reader takes both.
 */
import { hash } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fdatasync as fdatasyncCallback,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, mkdir, open, readdir, stat } from 'node:fs/promises';
import { maxHeaderSize } from 'node:http';
import { basename, dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { instantOf } from '../core/instant.js';
import { CallhookError, describeIoError, ExitCode } from '../errors.js';
import { optionSize } from '../input/element.js';
import { openablePath } from '../input/file-names.js';
import { folderEntries, walksInto } from '../input/read.js';
import { captureLogName } from '../input/types.js';
import {
  checkOutputPath,
  checkOwnFile,
  danglingLinkProblem,
  endsWithNewline,
  joinablePath,
  notAFile,
  type OwnFileRisks,
  openFolderWarning,
  openOutputSync,
  othersCanAddTo,
  parentsWritableByOthers,
  permissionsOf,
  realPathOf,
  refuseForeign,
  writableByOthers,
  writeAllSync,
} from '../output-file.js';
import { escapeJsonForTerminal } from '../render/escape.js';

/** The description of one captured delivery: a line of `deliveries.meta` (or a layout 1 `NNNNNN.meta`). */
interface CaptureMeta {
  /**
   * The layout's version: 3 for a line of the log naming a line of an `.ndjson` file (`line` and
   * `offset` say which), 2 for a line of the log naming a body file, 1 for a file of its own.
   */
  capture: 1 | 2 | 3;
  /** When the request's body had been read, ISO 8601. */
  receivedAt: string;
  method: string;
  /** The request target as sent (path and query). */
  path: string;
  /** Headers as received: names in their case and order, repeated ones repeated. */
  headers: [string, string][];
  /** The body's file name, beside this one. */
  body: string;
  /** Layout 3: the body's line in that file (1-based), and where it begins, in bytes. */
  line?: number | undefined;
  offset?: number | undefined;
  bytes: number;
  sha256: string;
  /** The status answered; with --forward, the upstream's; 499 none (the sender had gone). */
  status: number;
  /** With --forward, what the upstream answered a sender gone by then (status 499); absent in older captures. */
  upstreamStatus?: number | undefined;
  /** What --respond or --fail-rate chose to answer a sender gone by then (status 499; 0 a reset); absent in older captures. */
  meantStatus?: number | undefined;
  /** The status listen's own checks gave, when --forward replaced it with the upstream's. */
  checkedStatus?: number | undefined;
  /** With --forward, why the relay failed (status 502, or 499 for a sender gone); absent in older captures. */
  forwardError?: string | undefined;
}

const metaSuffix = '.meta';
const endings = ['json', 'ndjson', 'body', 'meta'] as const;
const numbered = /^(\d+)\.(json|ndjson|body|meta)$/;
/** The names listen gives a body's file. */
const bodyName = /^\d+\.(json|ndjson|body)$/;
/**
 * The highest number listen gives a capture: 15 digits, so that it, and the number after it,
 * read back exactly. Hint: past 2^53 a name reads as another number (9007199254740993 as ...992)
 * and `next++` stops moving; a name numbered higher is someone else's and not counted.
 */
const lastNumber = 999_999_999_999_999;

// Hint: O_EXCL never overwrites a delivery another listen saved.
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
// Hint: O_APPEND puts each line at the end even when another listen appends to the same log;
// read too, to see that a line cut short is still the last thing in it (see `cutLog`).
const logFlags = constants.O_RDWR | constants.O_APPEND;

const fdatasync = promisify(fdatasyncCallback);

const isTaken = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'EEXIST';

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
type CaptureRequest = Omit<CaptureMeta, 'capture' | 'body' | 'line' | 'offset' | 'bytes' | 'sha256'>;

/** A delivery waiting for the next commit, and the caller waiting for it. */
interface Waiting {
  body: Buffer;
  request: CaptureRequest;
  /** It was answered 2xx and read as JSON: events the other commands read (`.json`, `.ndjson`). */
  accepted: boolean;
  /** The body goes on a line of the run's `.ndjson` file, not in a file of its own. */
  inline: boolean;
  resolve: (saved: { body: string }) => void;
  reject: (error: unknown) => void;
}

/** Where a delivery's body was written: its file, and for a line of the `.ndjson` file, which. */
interface Placed {
  entry: Waiting;
  name: string;
  line?: number | undefined;
  offset?: number | undefined;
}

/** The run's `.ndjson` file: what of it is committed (lines and bytes described by the log). */
interface Segment {
  name: string;
  fd: number;
  size: number;
  lines: number;
  /** Its name is not yet known to be on the disk (`--durable` fsyncs the folder once). */
  fresh: boolean;
}

/** A commit's text for the log, and where each delivery's line ends in it (in bytes). */
interface LogText {
  text: Buffer;
  ends: number[];
}

/** How a capture waits before the answer is sent. */
interface CaptureOptions {
  /**
   * Wait for the disk (bodies flushed, the folder fsynced, the log written with O_DSYNC), so a 2xx
   * survives a power loss; otherwise the files are written, which a crash or kill of listen cannot undo.
   */
  durable?: boolean | undefined;
  /** Hears of a folder that is used, but not safe from other users (see `othersCanAddTo`, `writableByOthers`). */
  onWarning?: ((message: string) => void) | undefined;
}

/** Who could do what with a capture folder another user owns, for `refuseForeign`. */
const foreignFolder = 'read or replace the deliveries captured; capture into a folder of your own';

/** What the log of deliveries holds, and what another user could do with it, for `checkOwnFile`. */
const logRisks: OwnFileRisks = {
  what: 'the log',
  holds: 'the headers of every delivery captured (Authorization, signatures)',
  writers: 'change the record of the deliveries captured',
  instead: 'capture into a folder of your own',
};

const lineBreak = Buffer.from('\n');

/** A space or a tab: the blanks JSON allows on a line. */
const isBlank = (byte: number | undefined) => byte === 0x20 || byte === 0x09;

/**
 * Whether an accepted body that was read as JSON can be a line of an NDJSON file, as it came:
 * no line break inside it, no byte order mark (which only a file's first bytes may hold), and no
 * blank at either end, which a reader of lines (replay) leaves out of the line's value.
 */
function fitsOnALine(body: Buffer): boolean {
  return (
    body.length > 0 &&
    !isBlank(body[0]) &&
    !isBlank(body[body.length - 1]) &&
    body.indexOf(0x0a) < 0 &&
    body.indexOf(0x0d) < 0 &&
    !(body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
  );
}

/**
 * Saves deliveries into one folder; numbers continue after those already there. The deliveries
 * saved before the microtask that the first of them queued runs are committed together (a group
 * commit): their bodies written (the lines of the run's `.ndjson` file in one write), then their
 * lines appended to the log in one write, and only then is any of them answered. listen saves
 * the deliveries whose bodies ended in one turn of the event loop so (see `startListener`). With
 * `durable`, the deliveries that arrive while the disk is busy wait for the next commit, which
 * takes them all.
 */
export class CaptureWriter {
  private next: number;
  private waiting: Waiting[] = [];
  private scheduled = false;
  private committing: Promise<void> | undefined;
  /** The log ends part-way through a line it could not cut off: the next line starts on a line of its own. */
  private torn = false;
  /** The run's `.ndjson` file, created with the first body that goes there. */
  private segment: Segment | undefined;
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
  static async open(given: string, options: CaptureOptions = {}): Promise<CaptureWriter> {
    const durable = options.durable === true;
    let folder = given;
    try {
      // Hint: before anything is made where another user's link points; the log is checked again when opened.
      checkOutputPath(folder);
      const made = await makeFolders(folder, 0o700);
      folder = joinablePath(folder);
      refuseForeign(folder, made.uid, foreignFolder);
      if (othersCanAddTo(made)) {
        const replace = writableByOthers(made) ? ', and delete or replace the deliveries captured' : '';
        options.onWarning?.(
          `${folder}: other users can add files to it (mode ${permissionsOf(made).toString(8)}), which would be read as captured deliveries${replace}; chmod go-w it, or capture into a folder of your own`,
        );
      }
      for (const { path, mode } of parentsWritableByOthers(folder)) {
        options.onWarning?.(openFolderWarning(path, mode, logRisks.instead));
      }
      let highest = 0;
      for (const name of await readdir(folder)) {
        const match = numbered.exec(name);
        const number = match ? Number(match[1]) : 0;
        if (number <= lastNumber) highest = Math.max(highest, number);
      }
      const logPath = join(folder, captureLogName);
      // Hint: a folder unpacked from someone else's archive may hold `deliveries.meta -> ~/.bashrc`;
      // the sender's headers and path appended there would be theirs to choose. O_NOFOLLOW on both
      // opens below: a link planted after this look fails them (ELOOP).
      checkOutputPath(logPath);
      if (lstatSync(logPath, { throwIfNoEntry: false })?.isSymbolicLink()) {
        throw new CallhookError(
          `${logPath}: is a symlink; listen appends only to a log of its own in the folder: remove the link, or capture into another folder`,
          ExitCode.usage,
        );
      }
      const flags = (durable ? logFlags | constants.O_DSYNC : logFlags) | constants.O_NOFOLLOW;
      // Hint: created (never through a dangling symlink) by openOutputSync, checked, then opened as
      // a FileHandle without O_CREAT, which cannot create anything wherever the name now points.
      // Read and write, and O_NONBLOCK: neither open waits for a FIFO's other end.
      const created = openOutputSync(
        logPath,
        constants.O_RDWR | constants.O_APPEND | constants.O_NONBLOCK | constants.O_NOFOLLOW,
      );
      let torn: boolean;
      let checked: { dev: number; ino: number };
      try {
        const stats = fstatSync(created);
        const special = notAFile(stats, 'the log is read back by verify');
        if (special) throw new CallhookError(`${logPath}: ${special}`, ExitCode.usage);
        checkOwnFile(logPath, stats, logRisks, (message) => options.onWarning?.(message));
        torn = !endsWithNewline(created, stats.size);
        checked = stats;
      } finally {
        closeSync(created);
      }
      const log = await open(logPath, flags | constants.O_NONBLOCK);
      // Hint: the file checked above, not one put in its place since (a FIFO, another user's
      // file): what is appended to it is what verify trusts.
      const opened = await log.stat().catch(async (error: unknown) => {
        await log.close();
        throw error;
      });
      if (opened.dev !== checked.dev || opened.ino !== checked.ino) {
        await log.close();
        throw new CallhookError(
          `${logPath}: was replaced while listen opened it; start again, and capture into a folder of your own`,
          ExitCode.usage,
        );
      }
      const writer = new CaptureWriter(folder, highest + 1, durable, log);
      writer.torn = torn;
      return writer;
    } catch (error) {
      throw describeIoError(error, folder);
    }
  }

  /**
   * Saves one delivery and resolves once its body and its line of the log are written (the
   * operating system has them), or with `durable`, once they and the body's name are on the disk.
   * `json`: listen read the body as JSON (one answered 2xx then goes on a line of the `.ndjson`
   * file when it fits on one, or in a `.json` file; any other body in a `.body` file). Resolves with where the body is: a file name, or `name:line`.
   */
  save(body: Buffer, request: CaptureRequest, json: boolean): Promise<{ body: string }> {
    const accepted = json && request.status >= 200 && request.status < 300;
    const inline = accepted && fitsOnALine(body);
    return new Promise((resolve, reject) => {
      this.waiting.push({ body, request, accepted, inline, resolve, reject });
      this.schedule();
    });
  }

  /** Closes the log and the `.ndjson` file, once every delivery saved has been committed. */
  async close(): Promise<void> {
    while (this.committing || this.waiting.length > 0) {
      await (this.committing ?? new Promise((resolve) => setImmediate(resolve)));
    }
    if (this.segment) closeQuietly(this.segment.fd);
    this.segment = undefined;
    await this.log.close();
  }

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    // Hint: a microtask runs after those already queued, so the deliveries that their callers
    // save in one run of the queue (listen resumes a turn's deliveries together) are one commit.
    // A setImmediate waited a turn more, its answers mixed with the next turn's reads.
    queueMicrotask(() => {
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
  private describe({ entry, name, line, offset }: Placed): string {
    const { receivedAt, method, path, headers, status, upstreamStatus, meantStatus, checkedStatus, forwardError } =
      entry.request;
    // Hint: written out field by field (in the order the log has always had), not spread.
    const meta: CaptureMeta = {
      capture: line === undefined ? 2 : 3,
      receivedAt,
      method,
      path,
      headers,
      status,
      upstreamStatus,
      meantStatus,
      checkedStatus,
      forwardError,
      body: name,
      line,
      offset,
      bytes: entry.body.length,
      sha256: hash('sha256', entry.body, 'hex'),
    };
    // Hint: a sender's header values and path are untrusted, and the log gets read with `cat`.
    return `${escapeJsonForTerminal(JSON.stringify(meta))}\n`;
  }

  /** Claims the next free number with this ending: its file created, and no other ending taken. */
  private claim(ending: (typeof endings)[number]): { name: string; fd: number } {
    // Hint: the loop ends: each turn passes a number whose file exists, and numbers stop at lastNumber.
    for (;;) {
      if (this.next > lastNumber) {
        throw new CallhookError(
          `${this.folder}: no capture number left (the highest is ${lastNumber}); capture into another folder`,
          ExitCode.usage,
        );
      }
      const stem = String(this.next++).padStart(6, '0');
      const name = `${stem}.${ending}`;
      let fd: number;
      try {
        fd = openSync(this.inFolder + name, createFlags, 0o600);
      } catch (error) {
        // Another listen saving into the same folder took this number: take the next.
        if (isTaken(error)) continue;
        throw error;
      }
      // Hint: a number names one file; another listen may have taken it with another ending.
      if (endings.some((other) => other !== ending && existsSync(`${this.inFolder}${stem}.${other}`))) {
        closeSync(fd);
        rmQuietly(this.inFolder + name);
        continue;
      }
      return { name, fd };
    }
  }

  /** Creates a body's file of its own under the next free number and writes it; the caller closes it. */
  private writeBody(entry: Waiting): { name: string; fd: number } {
    const { name, fd } = this.claim(entry.accepted ? 'json' : 'body');
    try {
      writeAllSync(fd, entry.body);
    } catch (error) {
      closeSync(fd);
      rmQuietly(this.inFolder + name);
      throw error;
    }
    return { name, fd };
  }

  /**
   * Writes the bodies of a commit, in arrival order: each inline one as the next line of the run's
   * `.ndjson` file (all of them in one write), each other one in a file of its own, left open for
   * `--durable` to flush. A delivery whose body could not be written is rejected here.
   */
  private writeBodies(batch: Waiting[]): { placed: Placed[]; fds: number[] } {
    const placed: Placed[] = [];
    const fds: number[] = [];
    let segment: Segment | undefined;
    let segmentError: unknown;
    const lines: Buffer[] = [];
    let size = 0;
    let line = 0;
    for (const entry of batch) {
      if (entry.inline) {
        // Hint: the file is claimed at its first line, so numbers still follow arrival.
        if (!segment && segmentError === undefined) {
          try {
            segment = this.openSegment();
            size = segment.size;
            line = segment.lines;
          } catch (error) {
            segmentError = error;
          }
        }
        if (!segment) {
          entry.reject(describeIoError(segmentError, this.folder));
          continue;
        }
        placed.push({ entry, name: segment.name, line: ++line, offset: size });
        lines.push(entry.body, lineBreak);
        size += entry.body.length + 1;
        continue;
      }
      try {
        const { name, fd } = this.writeBody(entry);
        placed.push({ entry, name });
        fds.push(fd);
      } catch (error) {
        entry.reject(describeIoError(error, this.folder));
      }
    }
    if (segment && lines.length > 0) {
      try {
        writeAllSync(segment.fd, Buffer.concat(lines, size - segment.size), segment.size);
      } catch (error) {
        this.cutSegment(segment);
        const lost = placed.filter((p) => p.line !== undefined);
        for (const p of lost) p.entry.reject(describeIoError(error, this.folder));
        return { placed: placed.filter((p) => p.line === undefined), fds };
      }
    }
    return { placed, fds };
  }

  /** The run's `.ndjson` file, created under the next free number the first time. */
  private openSegment(): Segment {
    if (this.segment) return this.segment;
    const { name, fd } = this.claim('ndjson');
    this.segment = { name, fd, size: 0, lines: 0, fresh: true };
    return this.segment;
  }

  /**
   * Takes back what a failed commit wrote to the `.ndjson` file past its committed end; if even
   * that fails, the file is left as it is and the next line starts a new one.
   */
  private cutSegment(segment: Segment): void {
    try {
      ftruncateSync(segment.fd, segment.size);
    } catch {
      closeQuietly(segment.fd);
      this.segment = undefined;
    }
  }

  /**
   * A commit's lines for the log, and where each ends in that text; a line cut short by an
   * earlier failure is ended first.
   */
  private logText(placed: Placed[]): LogText {
    let text = this.torn ? '\n' : '';
    let at = text.length;
    const ends: number[] = [];
    for (const p of placed) {
      const line = this.describe(p);
      text += line;
      at += Buffer.byteLength(line);
      ends.push(at);
    }
    return { text: Buffer.from(text), ends };
  }

  /**
   * Hint: small writes handed to the page cache take microseconds each, far less than the
   * thread-pool round trips that asynchronous calls cost, so without --durable the commit is
   * synchronous: the bodies, then one write to the log.
   */
  private commitNow(batch: Waiting[]): void {
    const { placed, fds } = this.writeBodies(batch);
    for (const fd of fds) closeQuietly(fd);
    if (placed.length === 0) return;
    const log = this.logText(placed);
    let written = 0;
    let error: unknown;
    try {
      while (written < log.text.length) written += writeSync(this.log.fd, log.text, written, log.text.length - written);
    } catch (failure) {
      error = failure;
    }
    this.settle(placed, log, written, error);
  }

  /**
   * The bodies are written as without --durable (in order, so numbers and lines follow arrival),
   * then flushed to the disk, with an fsync of the folder when a file was created (its name); only
   * then do the lines go to the log, itself written with O_DSYNC: a line on the disk names a body
   * that is there too.
   */
  private async commitDurably(batch: Waiting[]): Promise<void> {
    const { placed, fds } = this.writeBodies(batch);
    if (placed.length === 0) return;
    const segment = placed.some((p) => p.line !== undefined) ? this.segment : undefined;
    try {
      const flushes = fds.map((fd) => fdatasync(fd));
      if (segment) flushes.push(fdatasync(segment.fd));
      if (fds.length > 0 || segment?.fresh) flushes.push(syncFolder(this.folder));
      await Promise.all(flushes);
      if (segment) segment.fresh = false;
    } catch (error) {
      this.failed(placed, error);
      return;
    } finally {
      for (const fd of fds) closeQuietly(fd);
    }
    const log = this.logText(placed);
    let written = 0;
    let error: unknown;
    try {
      while (written < log.text.length) {
        written += (await this.log.write(log.text, written, log.text.length - written)).bytesWritten;
      }
    } catch (failure) {
      error = failure;
    }
    this.settle(placed, log, written, error);
  }

  /**
   * After the log took `written` bytes of a commit's text: the deliveries whose lines it holds
   * whole are saved, and the rest taken back (a write can stop part-way, as on a full disk, and
   * fail only on the next call). A line cut short is cut back off the log.
   */
  private settle(placed: Placed[], { text, ends }: LogText, written: number, error: unknown): void {
    if (written > 0) {
      const partial = text.subarray(text.lastIndexOf(0x0a, written - 1) + 1, written);
      this.torn = partial.length > 0 && !this.cutLog(partial);
    }
    const cut = ends.findIndex((end) => end > written);
    const whole = cut < 0 ? placed.length : cut;
    this.succeeded(placed.slice(0, whole));
    if (whole < placed.length) this.failed(placed.slice(whole), error);
  }

  /**
   * Takes the start of a line the log took only part of back off its end, so that the log ends
   * on its last whole line (the delivery that line began was answered 500, and verify would
   * report it as one not checked); says whether it did. Hint: only while the log still ends with those bytes; another listen saving
   * into the folder may have appended since, and a cut would take its lines. One appending
   * between the look and the cut is not seen (nothing short of a lock would see it); the line
   * cut short is then left, and the next line starts on a line of its own.
   */
  private cutLog(partial: Buffer): boolean {
    try {
      const { size } = fstatSync(this.log.fd);
      if (size < partial.length) return false;
      const end = Buffer.alloc(partial.length);
      if (readSync(this.log.fd, end, 0, end.length, size - end.length) < end.length || !end.equals(partial)) {
        return false;
      }
      ftruncateSync(this.log.fd, size - partial.length);
      return true;
    } catch {
      return false;
    }
  }

  private succeeded(placed: readonly Placed[]): void {
    this.saved += placed.length;
    const segment = this.segment;
    for (const { entry, name, line, offset } of placed) {
      if (line === undefined) {
        entry.resolve({ body: name });
        continue;
      }
      if (segment && segment.name === name && offset !== undefined) {
        segment.lines = line;
        segment.size = offset + entry.body.length + 1;
      }
      entry.resolve({ body: `${name}:${line}` });
    }
  }

  /**
   * These deliveries' lines could not be written to the log: their bodies are taken back (their
   * files removed, the `.ndjson` file cut to its committed end), so no delivery is half saved.
   */
  private failed(placed: readonly Placed[], error: unknown): void {
    for (const { entry, name, line } of placed) {
      if (line === undefined) rmQuietly(join(this.folder, name));
      entry.reject(describeIoError(error, this.folder));
    }
    if (this.segment && placed.some((p) => p.line !== undefined)) this.cutSegment(this.segment);
  }
}

/**
 * `mkdir -p`, the folders it makes given `mode`. Hint: node's recursive mkdir never settles where
 * a missing parent cannot be made (`/proc/nope/x` loops for ever), so the missing folders are
 * found first and made one by one, the first failure reported.
 */
async function makeFolders(folder: string, mode: number): Promise<Stats> {
  const dangling = danglingLinkProblem(folder);
  if (dangling) throw new CallhookError(`${folder}: ${dangling}`, ExitCode.usage);
  const missing: string[] = [];
  // Hint: the path as given, not resolved: the system reads `link/..` through the link, where
  // resolve() takes `..` as text and would make the folders elsewhere than the capture's.
  for (let path = folder; ; path = dirname(path)) {
    try {
      await stat(path);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path) throw error;
      missing.unshift(path);
    }
  }
  for (const path of missing) {
    try {
      await mkdir(path, { mode });
    } catch (error) {
      // Another process made it meanwhile: a folder is fine, and a file fails below or at the next.
      if (!isTaken(error)) throw error;
    }
  }
  const made = await stat(folder);
  if (!made.isDirectory()) throw new CallhookError(`${folder}: not a directory`, ExitCode.usage);
  return made;
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
  /** The file that holds the body (a line of it, for layout 3). */
  bodyPath: string;
  /** Where the body is, for messages: `bodyPath`, or `bodyPath:line`. */
  where: string;
  /** What describes it, for messages: `metaPath`, or `metaPath:line` for a line of a log. */
  describedBy: string;
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
    (meta.capture !== 3 || (isCount(meta.line) && isCount(meta.offset) && isCount(meta.bytes)))
  );
}

function captured(metaPath: string, meta: CaptureMeta, logLine?: number): CapturedDelivery {
  const bodyPath = join(dirname(metaPath), meta.body);
  const where = meta.capture === 3 ? `${bodyPath}:${meta.line}` : bodyPath;
  return { metaPath, meta, bodyPath, where, describedBy: logLine === undefined ? metaPath : `${metaPath}:${logLine}` };
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
 * The lines of `chunks` (split at LF), each decoded as UTF-8; one of more than `limit` bytes is
 * `undefined`, its bytes never held. Hint: readline held every line whole, however long.
 */
async function* boundedLines(chunks: AsyncIterable<Buffer>, limit: number): AsyncGenerator<string | undefined> {
  let parts: Buffer[] = [];
  let length = 0;
  const line = () => (length > limit ? undefined : Buffer.concat(parts).toString());
  for await (const chunk of chunks) {
    for (let start = 0; ; ) {
      const end = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, end < 0 ? chunk.length : end);
      length += piece.length;
      // Hint: a line past the limit is only counted on to its end.
      if (length > limit) parts = [];
      else parts.push(piece);
      if (end < 0) break;
      yield line();
      parts = [];
      length = 0;
      start = end + 1;
    }
  }
  if (length > 0) yield line();
}

/**
 * The deliveries a folder's log describes, in order, read a line at a time (a long listen's log
 * is never held whole). A line that is not JSON was cut short (listen stopped mid-write, or a
 * write failed) and is skipped, as a journal's reader does, and named to `onUnreadable` with why;
 * so is a line longer than listen writes any, unread. `only`:
 * just those whose body is in this file.
 */
async function* readLog(
  path: string,
  only: string | undefined,
  onUnreadable: ((where: string, why: string) => void) | undefined,
): AsyncGenerator<CapturedDelivery> {
  let handle: FileHandle;
  let lines: AsyncIterable<string | undefined>;
  try {
    handle = (await openRegular(path, "a capture's log")).handle;
    lines = boundedLines(handle.createReadStream(), maxDescriptionBytes);
  } catch (error) {
    throw describeIoError(error, path);
  }
  let number = 0;
  // Hint: the stream closes the file at its end only; a bad line, or a reader that stops early,
  // leaves it to this `finally` (else garbage collection closes it, with a warning on stderr).
  try {
    for await (const line of lines) {
      number++;
      if (line === undefined) {
        onUnreadable?.(`${path}:${number}`, `line of ${tooLong} skipped unread (listen writes none so long)`);
        continue;
      }
      if (line.trim() === '') continue;
      let meta: unknown;
      try {
        meta = JSON.parse(line);
      } catch {
        onUnreadable?.(`${path}:${number}`, 'unreadable line skipped (cut short?)');
        meta = gluedDescription(line);
        if (meta === undefined) continue;
      }
      if (!isCaptureMeta(meta)) throw notCaptureMeta(`${path}:${number}`);
      if (only === undefined || meta.body === only) yield captured(path, meta, number);
    }
  } catch (error) {
    if (error instanceof CallhookError) throw error;
    throw describeIoError(error, path);
  } finally {
    await handle.close().catch(() => {});
  }
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

/** A layout 1 description, `NNNNNN.meta`. */
async function readMetaFile(path: string): Promise<CapturedDelivery> {
  let meta: unknown;
  try {
    meta = JSON.parse(await readDescription(path));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new CallhookError(`${path}: not a capture description (not JSON)`, ExitCode.usage);
    }
    throw error;
  }
  if (!isCaptureMeta(meta)) throw notCaptureMeta(path);
  return captured(path, meta);
}

/**
 * Where the deliveries a path names are described, found before any is read: a layout 1 `.meta`
 * file, or a log (all its lines, or those of one body file; for a body file of its own, the last
 * saved under its name, which must be there).
 */
type Described = { meta: string } | { log: string; body?: string; line?: number; last?: boolean; named?: string };

/** One file named on the command line: a log, a layout 1 `.meta`, or a captured body (found in its folder's log). */
async function describeFile(path: string): Promise<Described> {
  const name = basename(path);
  if (name === captureLogName) return { log: path };
  if (name.endsWith(metaSuffix)) return { meta: path };
  const match = numbered.exec(name);
  if (match) {
    const folder = dirname(path);
    const names = await readdir(folder).catch(() => [] as string[]);
    if (names.includes(`${match[1]}${metaSuffix}`)) return { meta: join(folder, `${match[1]}${metaSuffix}`) };
    // An `.ndjson` file holds many deliveries; a body file, one.
    if (names.includes(captureLogName)) {
      return { log: join(folder, captureLogName), body: name, last: match[2] !== 'ndjson', named: path };
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

/** What one path names: a folder's layout 1 `.meta` files (by name), then its log; or a file's. */
async function describePath(path: string): Promise<Described[]> {
  // Hint: a name copied from listen's or verify's output; a file that is really so named comes first.
  const named = lineName.exec(path);
  if (named?.[1] !== undefined && !existsSync(path)) {
    const file = await describeFile(named[1]);
    if ('log' in file) return [{ ...file, line: Number(named[2]), named: path }];
  }
  const described = await describeFolder(path);
  if (described === undefined) return [await describeFile(path)];
  if (described.length === 0) {
    throw new CallhookError(`${path}: no captured deliveries (${captureLogName}) in this folder`, ExitCode.usage);
  }
  return described;
}

/**
 * What a folder describes: its layout 1 `.meta` files (by name), then its log, then those of each
 * folder below it that the reading commands walk into (see `walksInto`), in name order; undefined
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
    .filter(({ entry, name }) => !entry.isDirectory() && name.endsWith(metaSuffix))
    .map(({ name }) => name);
  const described: Described[] = names
    .filter((name) => name !== captureLogName)
    .map((name) => ({ meta: join(path, name) }));
  if (names.includes(captureLogName)) described.push({ log: join(path, captureLogName) });
  const folders = entries.filter(({ entry, name }) => entry.isDirectory() && walksInto(name)).map(({ name }) => name);
  // Hint: a loop, not push(...): a folder may hold more descriptions than a call takes arguments.
  for (const folder of folders)
    for (const source of (await describeFolder(join(path, folder))) ?? []) described.push(source);
  return described;
}

/**
 * The captured deliveries the paths name, one at a time: a folder's (its layout 1 `*.meta` files,
 * then its `deliveries.meta` in the order saved), or a file's (a log, a `.meta`, or a captured
 * body). Every path is found (and a typo fails) before any delivery is read. A log line cut
 * short, or longer than listen writes any, is skipped, its `file:line` and why given to `onUnreadable`.
 */
export async function* capturedDeliveries(
  paths: readonly string[],
  onUnreadable?: (where: string, why: string) => void,
): AsyncGenerator<CapturedDelivery> {
  const described: Described[] = [];
  // Hint: a loop, not push(...): a folder may hold more descriptions than a call takes arguments.
  for (const path of paths) for (const source of await describePath(joinablePath(path))) described.push(source);
  for (const source of described) {
    if ('meta' in source) {
      yield await readMetaFile(source.meta);
      continue;
    }
    // A body file named on its own must be described: nothing checked is not a pass.
    let found = 0;
    let last: CapturedDelivery | undefined;
    for await (const delivery of readLog(source.log, source.body, onUnreadable)) {
      if (source.line !== undefined && delivery.meta.line !== source.line) continue;
      found++;
      if (source.last) last = delivery;
      else yield delivery;
    }
    if (last) yield last;
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
/** How many `.ndjson` files `CapturedBodies` keeps open: the listens that shared a folder at once. */
const openFiles = 8;

/** An `.ndjson` file being read: its size as last seen, and the bytes last read from it. */
interface OpenBodies {
  handle: FileHandle;
  size: number;
  /** The file's bytes from `windowAt`: the lines after a body come with it. */
  window: Buffer;
  windowAt: number;
}

/**
 * The line breaks of an `.ndjson` file counted so far: how many come before byte `at`, and before
 * each multiple of `readAhead` up to it (`marks`), from where a count goes on for a byte behind `at`.
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

/**
 * Opens a captured file to read, and its size. A FIFO or a device is refused, as a capture folder
 * sent by someone else may hold one: a FIFO waits for a writer for ever, and /dev/zero never ends.
 * Hint: O_NONBLOCK, so that opening a FIFO does not itself wait; it changes nothing for a file.
 */
async function openRegular(path: string, what = 'a captured body'): Promise<{ handle: FileHandle; size: number }> {
  const handle = await open(openablePath(path), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new CallhookError(`${path}: not a regular file (a pipe or a device); ${what} is a file`, ExitCode.usage);
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
      file = { handle, size, window: Buffer.alloc(0), windowAt: 0 };
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
      if (error instanceof CallhookError) throw error;
      throw describeIoError(error, bodyPath);
    }
  }

  /**
   * The bytes of `file` from `start` to `end`, read from the disk unless the window holds them.
   * Hint: a log describes an `.ndjson` file's lines in order, so one read brings the next bodies too.
   */
  async #span(file: OpenBodies, start: number, end: number, where: string): Promise<Buffer> {
    const from = start - file.windowAt;
    if (from < 0 || end - file.windowAt > file.window.length) {
      const window = Buffer.alloc(Math.min(Math.max(end - start, readAhead), file.size - start));
      const { bytesRead } = await file.handle.read(window, 0, window.length, start);
      file.window = window.subarray(0, bytesRead);
      file.windowAt = start;
      if (bytesRead < end - start) {
        throw new CallhookError(`${where}: the file ends before the body it should hold (cut short?)`, ExitCode.usage);
      }
    }
    return file.window.subarray(start - file.windowAt, end - file.windowAt);
  }

  /**
   * Goes on with the count of `path` past a body just checked, `bytes` long from `at`, which holds
   * no line break: the next body's count reads only the line break after it. Its marks are the
   * count where it stands.
   */
  #countedPast(path: string, at: number, bytes: number): void {
    const count = this.#counted.get(path);
    if (count?.at !== at) return;
    while (count.marks.length * readAhead <= at + bytes) count.marks.push(count.breaks);
    count.at = at + bytes;
  }

  /**
   * How many LFs the `.ndjson` file at `path` holds before byte `at`: counted on from where the
   * last count stopped, or for a byte behind it from the mark before it. Hint: in the log's order
   * a count reads only the line break after the body before; out of it, at most `readAhead` bytes.
   */
  async #breaksBefore(path: string, file: OpenBodies, at: number, where: string): Promise<number> {
    let count = this.#counted.get(path);
    if (!count) {
      count = { at: 0, breaks: 0, marks: [0] };
      this.#counted.set(path, count);
    }
    let { at: from, breaks } = count;
    if (at < from) {
      const mark = Math.floor(at / readAhead);
      from = mark * readAhead;
      breaks = count.marks[mark] ?? 0;
    }
    while (from < at) {
      const to = Math.min(at, from + readAhead);
      const bytes = await this.#span(file, from, to, where);
      // A count only ever goes on from where one stopped, so the next mark is never passed unseen.
      const mark = count.marks.length * readAhead;
      if (mark > from && mark <= to) count.marks.push(breaks + lineBreaksIn(bytes.subarray(0, mark - from)));
      breaks += lineBreaksIn(bytes);
      from = to;
    }
    count.at = at;
    count.breaks = breaks;
    return breaks;
  }
}

/** What `CaptureCoverage.add` makes of a delivery: a body to check, one named again, or a body another line describes too. */
export type Coverage = { kind: 'new' } | { kind: 'again' } | { kind: 'twice'; first: string };

/**
 * The bodies a capture's descriptions name, and the bytes of a folder's event files that none
 * describes. Hint: validate, summarise, show and replay read every `*.json`, `*.ndjson` and
 * `*.jsonl` below a folder, not its log: a line appended to an `.ndjson` file, a file copied in,
 * or a body a crash left unanswered (written, its line of the log not) would be read as captured
 * while verify checked only what the log names.
 */
export class CaptureCoverage {
  /** Each description met (`metaPath:line`). */
  readonly #descriptions = new Set<string>();
  /**
   * The body files named, by absolute path: what describes the whole file (a body of its own), or
   * each line described (offset to length, and what describes it).
   */
  readonly #files = new Map<string, DescribedFile>();
  /** Paths made absolute, each once: a delivery's log and body file are those of the one before, most often. */
  readonly #absolutes = new Map<string, string>();

  #absolute(path: string): string {
    let absolute = this.#absolutes.get(path);
    if (absolute === undefined) {
      // Hint: through symlinks too (`verify cap caplink`); a body that is gone by its name.
      absolute = realPathOf(path);
      this.#absolutes.set(path, absolute);
    }
    return absolute;
  }

  /** Records a delivery: `new` to check, `again` (a description named twice: skip it), or `twice` (another line described its body). */
  add(delivery: CapturedDelivery): Coverage {
    // Hint: by absolute path, as a folder may be named `cap` and `/tmp/cap` at once.
    const description = this.#absolute(delivery.metaPath) + delivery.describedBy.slice(delivery.metaPath.length);
    if (this.#descriptions.has(description)) return { kind: 'again' };
    this.#descriptions.add(description);
    const bodyPath = this.#absolute(delivery.bodyPath);
    let file = this.#files.get(bodyPath);
    if (!file) {
      file = { whole: undefined, lines: new Map() };
      this.#files.set(bodyPath, file);
    }
    const { meta, describedBy } = delivery;
    if (meta.capture !== 3) {
      if (file.whole !== undefined) return { kind: 'twice', first: file.whole };
      file.whole = describedBy;
      return { kind: 'new' };
    }
    const offset = meta.offset ?? 0;
    const first = file.lines.get(offset);
    if (first !== undefined) return { kind: 'twice', first: first.by };
    file.lines.set(offset, { bytes: meta.bytes, by: describedBy });
    return { kind: 'new' };
  }

  /**
   * The files the reading commands take from a folder (`sources`, by name), and runs of lines of
   * its `.ndjson` files, that no description recorded names: each as where (`file`, or
   * `file:line` / `file:first-last`, with the lines it holds).
   */
  async *undescribed(sources: readonly { name: string }[]): AsyncGenerator<Undescribed> {
    for (const { name } of sources) {
      const file = this.#files.get(realPathOf(name));
      if (file?.whole !== undefined) continue;
      if (!file || file.lines.size === 0) yield { where: name, lines: undefined };
      else yield* undescribedLines(name, file.lines);
    }
  }
}

/** What describes a body file: all of it, or each of its lines (by offset). */
interface DescribedFile {
  whole: string | undefined;
  lines: Map<number, { bytes: number; by: string }>;
}

/** Bytes of a capture folder's event files that no description names: a file whole, or a run of an `.ndjson` file's lines (`lines` of them). */
export interface Undescribed {
  where: string;
  lines: number | undefined;
}

/** The runs of lines of the `.ndjson` file `name` that are not exactly a described body (`lines`: by offset). */
async function* undescribedLines(
  name: string,
  lines: ReadonlyMap<number, { bytes: number }>,
): AsyncGenerator<Undescribed> {
  const { handle } = await openRegular(name);
  let number = 0;
  let start = 0;
  let run: [number, number] | undefined;
  const found: Undescribed[] = [];
  /** The line from `start` to `end`, numbered `number`: ended by its LF, or (`cut`) by the end of the file. */
  const endRun = () => {
    if (run) {
      const where = `${name}:${run[0] === run[1] ? run[0] : `${run[0]}-${run[1]}`}`;
      found.push({ where, lines: run[1] - run[0] + 1 });
    }
    run = undefined;
  };
  const line = (end: number, cut = false) => {
    number++;
    // Hint: listen writes each body with its LF; a last line without one is no body described.
    if (!cut && lines.get(start)?.bytes === end - start) endRun();
    else if (run) run[1] = number;
    else run = [number, number];
  };
  try {
    let at = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
      for (let lf = chunk.indexOf(0x0a); lf >= 0; lf = chunk.indexOf(0x0a, lf + 1)) {
        line(at + lf);
        start = at + lf + 1;
      }
      at += chunk.length;
      yield* found.splice(0);
    }
    if (start < at) line(at, true);
    endRun();
    yield* found.splice(0);
  } catch (error) {
    throw describeIoError(error, name);
  } finally {
    await handle.close().catch(() => {});
  }
}
