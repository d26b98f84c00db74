/**
 * `listen --out DIR`: each delivery saved as its exact body bytes beside a description of the
 * request and the answer, handed to the operating system (written) before the answer is sent, or
 * with `--durable` on the disk itself. `verify` takes them back with src/input/captures.ts.
 *
 * A capture folder holds:
 * - `000001.ndjson`: the bodies of a listen run's accepted deliveries (answered 2xx) that are
 *   JSON on one line, as most senders' are, each byte for byte on a line of its own, in arrival
 *   order, until a body of the next kind: it ends the file, and the next such body starts
 *   another, numbered after it, so that the numbers keep arrival order for the commands that
 *   read the folder by number (a run's order: two listens saving into one folder at once write
 *   files of their own, whose numbers interleave; only the log keeps the order across both).
 *   Appending to one file costs a write per turn of the event loop where a file per delivery
 *   cost a creation each;
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
 *   `.meta`, not `.json`, for the same reason;
 * - `.saving-….part`: a body of its own being written, hidden until it is whole and takes its
 *   number (one a listen killed meanwhile leaves was never answered, so never delivered).
 *
 * Layout 2 lines (before the `.ndjson` file) name a body file each; layout 1 wrote the
 * description of each delivery to its own `000001.meta`. The reader takes both.
 */

import { hash, randomUUID } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fdatasync as fdatasyncCallback,
  fstatSync,
  fsync as fsyncCallback,
  ftruncateSync,
  linkSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
  unlinkSync,
} from 'node:fs';
import { type FileHandle, mkdir, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { CallhookError, describeIoError, ExitCode, ioReason } from '../errors.js';
import { type CaptureMeta, endings, lastNumber, numbered } from '../input/capture-names.js';
import { readsInFolder } from '../input/read.js';
import { captureLogName } from '../input/types.js';
import {
  checkOutputPath,
  checkOwnFile,
  danglingLinkProblem,
  endsWithNewline,
  joinablePath,
  notAFile,
  type OwnFileRisks,
  openOutputSync,
  othersCanAddTo,
  permissionsOf,
  refuseForeign,
  warnOfOpenFolders,
  writableByOthers,
} from '../output-file.js';
import { escapeJsonForTerminal } from '../render/escape.js';
import { writeAllSync, writeAsMuchSync } from '../write-all.js';

// Hint: O_EXCL never overwrites a delivery another listen saved. O_APPEND writes each line at
// the end, never past it: an `.ndjson` file cut short under listen (copied, then truncated, by a
// rotation) got the next line where it had ended, after NUL bytes every command refused.
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND;
// Hint: O_APPEND puts each line at the end even when another listen appends to the same log;
// read too, to see that a line cut short is still the last thing in it (see `cutLog`).
const logFlags = constants.O_RDWR | constants.O_APPEND;

const fdatasync = promisify(fdatasyncCallback);
const fsync = promisify(fsyncCallback);

/**
 * Refuses a capture folder where this run's own stdout or stderr would be read back with the
 * deliveries it captures (`listen --out cap >> cap/deliveries.meta`, `> cap/listen.ndjson`): verify
 * read listen's lines in its log (hundreds of "unreadable line" warnings, exit 0), summarise and
 * replay them as a capture (red team hR110). A file no reader takes (`> cap/listen.log`) is left
 * be (review hR111).
 */
function refuseOwnStreamsIn(folder: string): void {
  for (const [fd, stream] of [
    [1, 'stdout'],
    [2, 'stderr'],
  ] as const) {
    let info: Stats;
    try {
      info = fstatSync(fd);
    } catch {
      continue;
    }
    const where = info.isFile() ? readBackFrom(folder, fd, info) : undefined;
    if (where === undefined) continue;
    throw new CallhookError(
      `${folder}: holds this run's own ${stream} (${where}), where listen's lines would be read back with the deliveries it captures (by verify, summarise and replay); send ${stream} elsewhere`,
      ExitCode.usage,
    );
  }
}

/**
 * Where in `folder` a reading command would read the file `info` is (open as `fd`): by its name
 * (Linux names a stream's file in /proc), or as the log or a file of the folder by any name (a hard
 * link, review hR111; a symbolic link, hR112); undefined when nowhere.
 */
function readBackFrom(folder: string, fd: number, info: Stats): string | undefined {
  const readBack = (name: string) => name === captureLogName || readsInFolder(name);
  try {
    const inside = relative(realpathSync(folder), realpathSync(`/proc/self/fd/${fd}`));
    const within = !(inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside));
    if (within && readBack(basename(inside))) return join(folder, inside);
  } catch {
    // No /proc: by identity alone.
  }
  const isIt = (path: string) => {
    try {
      const other = statSync(path);
      return other.dev === info.dev && other.ino === info.ino;
    } catch {
      return false;
    }
  };
  const log = join(folder, captureLogName);
  if (isIt(log)) return log;
  // Hint: another name of it in the folder, which the readers follow: a hard link, which only a
  // file of more than one name has, or a symbolic link (review hR112).
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => readBack(entry.name) && (info.nlink > 1 || entry.isSymbolicLink()))
    .map((entry) => join(folder, entry.name))
    .find(isIt);
}

/** Why a file system makes no hard link (FAT says EPERM): see `writeBody`. */
const noHardLinks = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

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
  /** The body goes on a line of an `.ndjson` file, not in a file of its own. */
  inline: boolean;
  resolve: (saved: { body: string }) => void;
  reject: (error: unknown) => void;
}

/** Where a delivery's body was written: its file, and for a line of an `.ndjson` file, which. */
interface Placed {
  entry: Waiting;
  name: string;
  /** Which file the body is in (for a line, its `.ndjson` file). */
  file: FileId;
  /** The `.ndjson` file that holds it on a line. */
  segment?: Segment | undefined;
  line?: number | undefined;
  offset?: number | undefined;
}

/** Which file a name named when opened: its device and inode. */
interface FileId {
  dev: number;
  ino: number;
}

/**
 * Whether `path` still names `file`, and with `size`, that many bytes long. Hint: listen holds the
 * log and its `.ndjson` file open for the run, so one deleted or moved away (a clean-up, a
 * rotation) took every delivery written after into a file no command reads, each answered 2xx
 * (red team hF68). One stat a file a commit.
 */
function stillNamed(path: string, file: FileId, size?: number): boolean {
  try {
    const now = statSync(path, { throwIfNoEntry: false });
    return now !== undefined && now.ino === file.ino && now.dev === file.dev && (size ?? now.size) === now.size;
  } catch {
    return false;
  }
}

/** Whether the file open as `fd` still has a name anywhere (it was not deleted). */
function hasName(fd: number): boolean {
  try {
    return fstatSync(fd).nlink > 0;
  } catch {
    return false;
  }
}

/** The error of deliveries not saved because the file they went to lost its name, or was cut short, as they were written. */
function lostName(path: string): CallhookError {
  return new CallhookError(`${path}: deleted, moved or cut short while listen wrote to it`, ExitCode.usage);
}

/** One of the run's `.ndjson` files: what of it is committed (lines and bytes described by the log). */
interface Segment extends FileId {
  name: string;
  fd: number;
  size: number;
  lines: number;
  /** Its name is not yet known to be on the disk (`--durable` fsyncs the folder once). */
  fresh: boolean;
}

/** The lines a commit appends to an `.ndjson` file, and the size the file will have then. */
interface SegmentWrite {
  segment: Segment;
  lines: Buffer[];
  size: number;
  line: number;
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
 * commit): their bodies written (the lines of each `.ndjson` file in one write), then their
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
  /**
   * The `.ndjson` file one-line bodies go on now, created with the first body that goes there.
   * Hint: it changes only with the deliveries a commit saves (see `succeeded`), so a failed one
   * leaves it as if that delivery never came.
   */
  private segment: Segment | undefined;
  /** The folder's path with a separator, which a file name completes (a join per file showed under load). */
  private readonly inFolder: string;
  private readonly logPath: string;
  /** The folder's file system makes no hard link (see `writeBody`): a body is written under its number at once. */
  private noHardLinks = false;

  private constructor(
    readonly folder: string,
    first: number,
    readonly durable: boolean,
    /** The log, open to append to; another is opened at its name when it loses it (see `relog`). */
    private log: FileHandle,
    /** Which file the log is. */
    private logFile: FileId,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {
    this.next = first;
    this.inFolder = join(folder, sep);
    this.logPath = this.inFolder + captureLogName;
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
      refuseOwnStreamsIn(folder);
      // Hint: every body is a new file, so a folder listen cannot create one in answered 500 to
      // every delivery; the log is no test of it, as one already there opens without creating.
      // Asked of the system (mode, ACLs, a read-only mount), not tried: nothing is left behind.
      try {
        accessSync(folder, constants.W_OK | constants.X_OK);
      } catch (error) {
        throw new CallhookError(
          `${folder}: listen cannot create files in it (${ioReason(error)}); capture into a folder you can write to`,
          ExitCode.usage,
        );
      }
      if (othersCanAddTo(made)) {
        const replace = writableByOthers(made) ? ', and delete or replace the deliveries captured' : '';
        options.onWarning?.(
          `${folder}: other users can add files to it (mode ${permissionsOf(made).toString(8)}), which would be read as captured deliveries${replace}; chmod go-w it, or capture into a folder of your own`,
        );
      }
      warnOfOpenFolders(folder, logRisks.instead, (message) => options.onWarning?.(message));
      let highest = 0;
      for (const name of await readdir(folder)) {
        const match = numbered.exec(name);
        const number = match ? Number(match[1]) : 0;
        if (number <= lastNumber) highest = Math.max(highest, number);
      }
      const { handle: log, file, torn } = await openLog(folder, durable, options.onWarning);
      if (durable) {
        // Hint: tried once now, so that a file system that cannot flush a folder (EINVAL: vboxsf,
        // some FUSE and CIFS mounts) is said at the start, not as a 500 to every delivery.
        await syncFolder(folder).catch(async (error: unknown) => {
          await log.close();
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EPERM') throw describeIoError(error, folder);
          throw new CallhookError(
            `${folder}: --durable cannot flush this folder to the disk (${ioReason(error)}); drop --durable, or capture on another file system`,
            ExitCode.usage,
          );
        });
      }
      const writer = new CaptureWriter(folder, highest + 1, durable, log, file, options.onWarning);
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

  /** Closes the log and the `.ndjson` files, once every delivery saved has been committed. */
  async close(): Promise<void> {
    while (this.committing || this.waiting.length > 0) {
      await (this.committing ?? new Promise((resolve) => setImmediate(resolve)));
    }
    if (this.segment) this.endSegment(this.segment);
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
      // Hint: a commit without --durable is synchronous, but for one whose log lost its name (see `relog`).
      const commit = this.durable ? this.commitDurably(batch) : this.commitNow(batch);
      if (commit === undefined) return;
      this.committing = commit.finally(() => {
        this.committing = undefined;
        if (this.waiting.length > 0) this.schedule();
      });
    });
  }

  /** The description of a delivery, as its line of the log. */
  private describe({ entry, name, line, offset }: Placed): string {
    const { request } = entry;
    // Hint: written out field by field (in the order the log has always had), not spread.
    const meta: CaptureMeta = {
      capture: line === undefined ? 2 : 3,
      receivedAt: request.receivedAt,
      method: request.method,
      path: request.path,
      headers: request.headers,
      status: request.status,
      upstreamStatus: request.upstreamStatus,
      meantStatus: request.meantStatus,
      checkedStatus: request.checkedStatus,
      forwardError: request.forwardError,
      tolerance: request.tolerance,
      body: name,
      line,
      offset,
      bytes: entry.body.length,
      sha256: hash('sha256', entry.body, 'hex'),
    };
    // Hint: a sender's header values and path are untrusted, and the log gets read with `cat`.
    return `${escapeJsonForTerminal(JSON.stringify(meta))}\n`;
  }

  /**
   * Claims the next free number with this ending: its file created, and no other ending taken:
   * an empty file opened to append to, or the one `make` makes, which fails with EEXIST for a
   * name taken, and returns a descriptor the caller keeps. Returns the name, and the descriptor.
   */
  private claim(ending: (typeof endings)[number], make?: (path: string) => number): { name: string; fd: number } {
    // Hint: the loop ends: each turn passes a number whose file exists, and numbers stop at lastNumber.
    for (;;) {
      if (this.next > lastNumber) {
        throw new CallhookError(
          `${this.folder}: no capture number left (the highest is ${lastNumber}); capture into another folder`,
          ExitCode.usage,
        );
      }
      const stem = String(this.next).padStart(6, '0');
      const name = `${stem}.${ending}`;
      let fd: number;
      try {
        fd = make ? make(this.inFolder + name) : openSync(this.inFolder + name, createFlags, 0o600);
      } catch (error) {
        // Hint: a file not made (too many open files, a full disk) takes no number; one another
        // listen saving into the same folder made has it: take the next.
        if (!isTaken(error)) throw error;
        this.next++;
        continue;
      }
      this.next++;
      // Hint: a number names one file; another listen may have taken it with another ending.
      if (endings.some((other) => other !== ending && existsSync(`${this.inFolder}${stem}.${other}`))) {
        if (make === undefined) closeSync(fd);
        rmQuietly(this.inFolder + name);
        continue;
      }
      return { name, fd };
    }
  }

  /**
   * Writes a body to a file of its own, then gives it the next free number: a hard link made to
   * it, which never replaces a file (EEXIST); the caller closes it. Hint: created under its name,
   * then written, a large pretty-printed body was there part written for a reader listing the
   * folder meanwhile, which read it as empty or half a document (red team hR97). The name it is
   * written under is hidden, and no reader's ending. On a file system with no hard links (FAT),
   * from its first refusal on, it is created under its number, then written, as before.
   */
  private writeBody(entry: Waiting): { name: string; fd: number; file: FileId } {
    const ending = entry.accepted ? 'json' : 'body';
    const linked = this.noHardLinks ? undefined : this.writeHidden(entry, ending);
    if (linked !== undefined) return linked;
    const { name, fd: own } = this.claim(ending);
    try {
      writeAllSync(own, entry.body);
      return { name, fd: own, file: fstatSync(own) };
    } catch (error) {
      closeSync(own);
      this.takeBack(name, true);
      throw error;
    }
  }

  /** `writeBody` by a hidden file linked to its number; undefined, having noted it, on a file system that makes no hard link. */
  private writeHidden(entry: Waiting, ending: 'json' | 'body'): { name: string; fd: number; file: FileId } | undefined {
    // Hint: a name no run before left behind (killed while writing), nor another listen's.
    const hidden = `${this.inFolder}.saving-${randomUUID()}.${ending}.part`;
    const fd = openSync(hidden, createFlags, 0o600);
    try {
      writeAllSync(fd, entry.body);
      const file = fstatSync(fd);
      const claimed = this.claim(ending, (path) => {
        linkSync(hidden, path);
        return fd;
      });
      return { ...claimed, file };
    } catch (error) {
      closeSync(fd);
      if (!noHardLinks.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    } finally {
      rmQuietly(hidden);
    }
    this.noHardLinks = true;
    return undefined;
  }

  /**
   * Removes the file `name` of a delivery not saved, and with `renumber` gives its number back
   * when it is the last this writer took: the next claim starts there again, and passes over one
   * another listen has taken since. Hint: only the last, so that a later delivery never takes a
   * number below one saved before it (the numbers keep the order deliveries were saved in). With
   * `file`, only while the name is still that file's: one in a folder moved away meanwhile (a
   * rotation) is not there, and its name may be another file's now (red team hR97).
   */
  private takeBack(name: string, renumber: boolean, file?: FileId): void {
    if (file === undefined || stillNamed(this.inFolder + name, file)) rmQuietly(this.inFolder + name);
    const number = Number.parseInt(name, 10);
    if (renumber && this.next === number + 1) this.next = number;
  }

  /**
   * Writes the bodies of a commit, in arrival order: each inline one as the next line of the
   * current `.ndjson` file (all of a file's lines in one write), each other one in a file of its
   * own, left open for `--durable` to flush. A delivery whose body could not be written is
   * rejected here. An `.ndjson` file that no longer has its name once written (deleted or moved
   * away), or does not end where those lines do (cut short), is ended, and the commit's bodies taken back and written `again`, the lines on a new one.
   * Returns the `.ndjson` files written to as well.
   */
  private writeBodies(batch: Waiting[], again = true): { placed: Placed[]; fds: number[]; segments: Segment[] } {
    const placed: Placed[] = [];
    const fds: number[] = [];
    const writes: SegmentWrite[] = [];
    /** The `.ndjson` file this commit's lines go on, if the commit is saved. */
    let open = this.segment;
    let current: SegmentWrite | undefined;
    let segmentError: unknown;
    for (const entry of batch) {
      if (entry.inline) {
        // Hint: the file is claimed at its first line, so numbers still follow arrival.
        if (!current && segmentError === undefined) {
          try {
            const segment = open ?? this.newSegment();
            open = segment;
            current = { segment, lines: [], size: segment.size, line: segment.lines };
            writes.push(current);
          } catch (error) {
            segmentError = error;
          }
        }
        if (!current) {
          entry.reject(describeIoError(segmentError, this.folder));
          continue;
        }
        placed.push({
          entry,
          name: current.segment.name,
          file: current.segment,
          segment: current.segment,
          line: ++current.line,
          offset: current.size,
        });
        current.lines.push(entry.body, lineBreak);
        current.size += entry.body.length + 1;
        continue;
      }
      try {
        const { name, fd, file } = this.writeBody(entry);
        placed.push({ entry, name, file });
        fds.push(fd);
        // Hint: a body of its own ends the `.ndjson` file, so the next one-line body starts
        // another, numbered after it: the commands that read the folder read it by number, and a
        // later line of a file numbered before it would come first (a redelivery ahead of the
        // delivery it repeats). It is ended once this body is saved (see `succeeded`).
        if (entry.accepted) {
          open = undefined;
          current = undefined;
        }
      } catch (error) {
        entry.reject(describeIoError(error, this.folder));
      }
    }
    const lost = new Set<Segment>();
    for (const { segment, lines, size } of writes) {
      try {
        writeAllSync(segment.fd, Buffer.concat(lines, size - segment.size));
      } catch (error) {
        this.takeBackLines(segment, true);
        lost.add(segment);
        for (const p of placed) if (p.segment === segment) p.entry.reject(describeIoError(error, this.folder));
      }
    }
    const kept = placed.filter((p) => p.segment === undefined || !lost.has(p.segment));
    const written = writes.filter((w) => !lost.has(w.segment));
    const segments = written.map((w) => w.segment);
    const unnamed = written.filter((w) => !stillNamed(this.inFolder + w.segment.name, w.segment, w.size));
    if (unnamed.length === 0) return { placed: kept, fds, segments };
    for (const fd of fds) closeQuietly(fd);
    for (const write of unnamed) this.abandon(write);
    const abandoned = unnamed.map((w) => w.segment);
    this.takeBackPlaced(kept.filter((p) => p.segment === undefined || !abandoned.includes(p.segment)));
    const entries = kept.map((p) => p.entry);
    if (again) return this.writeBodies(entries, false);
    for (const entry of entries) entry.reject(lostName(this.inFolder + (abandoned[0] as Segment).name));
    return { placed: [], fds: [], segments: [] };
  }

  /** A new `.ndjson` file, created under the next free number. */
  private newSegment(): Segment {
    const { name, fd } = this.claim('ndjson');
    try {
      const { dev, ino } = fstatSync(fd);
      return { name, fd, dev, ino, size: 0, lines: 0, fresh: true };
    } catch (error) {
      closeQuietly(fd);
      this.takeBack(name, true);
      throw error;
    }
  }

  /**
   * Ends an `.ndjson` file that lost its name, or was cut short, as a commit wrote to it, the
   * lines the commit appended cut back off (a file moved away keeps what was saved before it
   * moved; one cut short, what was left of it). Hint: never removed by its name, which may be
   * another file's now, nor its number given again.
   */
  private abandon({ segment, size }: SegmentWrite): void {
    try {
      const start = fstatSync(segment.fd).size - (size - segment.size);
      if (start >= 0) ftruncateSync(segment.fd, start);
    } catch {
      // Nothing reads it by that name any more.
    }
    this.endSegment(segment);
  }

  /** Ends an `.ndjson` file, once the commit that ended it has settled: no line goes on it after this. */
  private endSegment(segment: Segment): void {
    if (this.segment === segment) this.segment = undefined;
    closeQuietly(segment.fd);
  }

  /**
   * Takes back what a failed commit wrote to an `.ndjson` file past its committed end: a file
   * that holds no saved line is removed, its number given again with `renumber` (see
   * `takeBack`); another is cut, and if even that fails, left as it is and ended: the next line
   * starts a new one.
   */
  private takeBackLines(segment: Segment, renumber: boolean): void {
    if (segment.lines === 0) {
      closeQuietly(segment.fd);
      this.takeBack(segment.name, renumber, segment);
      return;
    }
    try {
      // Hint: never past its end, which would fill a file cut short under listen out with NULs.
      if (fstatSync(segment.fd).size < segment.size) throw new Error('cut short');
      ftruncateSync(segment.fd, segment.size);
    } catch {
      this.endSegment(segment);
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
  private commitNow(batch: Waiting[]): Promise<void> | undefined {
    const { placed, fds } = this.writeBodies(batch);
    // Hint: each body's file is held open until its line is settled: a body deleted meanwhile
    // keeps its inode, which a file made again under its name cannot take, and so is never taken
    // for it by `stillNamed` (tmpfs gave the freed inode to the next file at once, review of ci-BZ).
    const done = () => {
      for (const fd of fds) closeQuietly(fd);
    };
    if (placed.length === 0) {
      done();
      return;
    }
    const log = this.logText(placed);
    const { written, error } = writeAsMuchSync(this.log.fd, log.text);
    if (error === undefined && !stillNamed(this.logPath, this.logFile)) return this.relog(placed, log).finally(done);
    this.settle(placed, log, written, error);
    done();
  }

  /**
   * The bodies are written as without --durable (in order, so numbers and lines follow arrival),
   * then flushed to the disk, with an fsync of the folder when a file was created (its name); only
   * then do the lines go to the log, itself written with O_DSYNC: a line on the disk names a body
   * that is there too. Hint: the folder is opened before the bodies are written into it, and
   * flushed through that: by its name, a folder moved away meanwhile (a rotation) was not the one
   * flushed, or none was (ENOENT), which failed deliveries whose bodies it then left in the folder
   * moved away, described by no log (red team hR97).
   */
  private async commitDurably(batch: Waiting[]): Promise<void> {
    let folder: number;
    try {
      folder = openSync(this.folder, constants.O_RDONLY);
    } catch (error) {
      for (const entry of batch) entry.reject(describeIoError(error, this.folder));
      return;
    }
    const { placed, fds, segments } = this.writeBodies(batch);
    // Hint: the bodies' files held open until their lines are settled, as in `commitNow`.
    try {
      try {
        if (placed.length === 0) return;
        const flushes = fds.map((fd) => fdatasync(fd));
        for (const segment of segments) flushes.push(fdatasync(segment.fd));
        if (fds.length > 0 || segments.some((segment) => segment.fresh)) flushes.push(fsync(folder));
        await Promise.all(flushes);
        for (const segment of segments) segment.fresh = false;
      } catch (error) {
        this.failed(placed, error);
        return;
      } finally {
        closeQuietly(folder);
      }
      // Hint: the log may have lost its name while the bodies went to the disk, or before (a
      // rotation between commits); a look first keeps the lines out of the log moved away, where
      // another listen's line after them would stop them being cut back off (review hR102).
      if (!stillNamed(this.logPath, this.logFile)) return await this.relog(placed);
      const log = this.logText(placed);
      const { written, error } = await this.appendToLog(log.text);
      if (error === undefined && !stillNamed(this.logPath, this.logFile)) return await this.relog(placed, log);
      this.settle(placed, log, written, error);
    } finally {
      for (const fd of fds) closeQuietly(fd);
    }
  }

  /** Appends `text` to the log, and says how much of it was written, and why no more was. */
  private async appendToLog(text: Buffer): Promise<{ written: number; error: unknown }> {
    let written = 0;
    try {
      while (written < text.length) {
        const { bytesWritten } = await this.log.write(text, written, text.length - written);
        // Hint: as writeAllSync: a write that takes none of its bytes fails rather than loops.
        if (bytesWritten === 0) throw new Error('a write took none of its bytes');
        written += bytesWritten;
      }
    } catch (error) {
      return { written, error };
    }
    return { written, error: undefined };
  }

  /**
   * Puts each line of a commit's `log`, appended whole to a log that has lost its name (deleted,
   * moved away or replaced) since, or of a commit not yet appended (no `log`) to one that had lost
   * it already, in the log beside its body. A line whose body is no longer at
   * its name either went with the log (the folder moved: a rotation) and stays in it, or fails
   * with a log deleted (the folder too). The lines of bodies still in the folder at its name (the
   * log alone deleted or moved away, or the folder moved before they were written) are taken back
   * off it (a log moved away keeps what it described when it moved) and go to a new log opened at
   * its name; they fail when none can be opened (the folder gone), or when that one loses its name
   * too. Hint: every line went to the new log, in the folder now at the name, so a rotation while
   * a commit was under way left its bodies in the folder moved away, described by no log there,
   * and the new log naming bodies it does not hold (red team hR97).
   */
  private async relog(placed: Placed[], log?: LogText, again = true): Promise<void> {
    const here = placed.filter((p) => stillNamed(this.inFolder + p.name, p.file));
    const away = placed.filter((p) => !here.includes(p));
    const kept = away.length > 0 && hasName(this.log.fd);
    if (log !== undefined && here.length === 0 && kept) {
      this.settle(placed, log, log.text.length, undefined);
      return;
    }
    const cut = log === undefined || this.cutLog(log.text);
    if (!kept) this.failed(away, lostName(this.logPath));
    // Hint: a log that could not be cut (another listen appended since) still holds their lines;
    // those of bodies here are then described twice (verify reports the line of that log as one
    // naming a body it does not hold, or another line's). Only a rotation within a commit's write to the log, with
    // another listen's append in those microseconds, comes here; nothing short of a lock would not.
    else if (!cut) this.succeeded(away);
    else {
      const moved = this.logText(away);
      const { written, error } = await this.appendToLog(moved.text);
      this.settle(away, moved, written, error);
    }
    if (here.length === 0) return;
    let opened: OpenedLog;
    try {
      if (!again) throw lostName(this.logPath);
      opened = await openLog(this.folder, this.durable, this.onWarning);
      // Hint: --durable puts the new log's name on the disk before any line in it is answered.
      if (this.durable) await syncFolder(this.folder);
    } catch (error) {
      this.failed(here, error);
      return;
    }
    await this.log.close().catch(() => {});
    this.log = opened.handle;
    this.logFile = opened.file;
    this.torn = opened.torn;
    const text = this.logText(here);
    const { written, error } = await this.appendToLog(text.text);
    if (error === undefined && !stillNamed(this.logPath, this.logFile)) return this.relog(here, text, false);
    this.settle(here, text, written, error);
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
    // Hint: a line the log kept part of (it could not be cut back) may name its body whole: that
    // number is not given again, or the log would describe two bodies by one name.
    if (whole < placed.length)
      this.failed(placed.slice(whole), error, written > 0 && this.torn ? placed[whole] : undefined);
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

  /**
   * These deliveries are saved: each answered, and the `.ndjson` file current as they leave it
   * (a body in a file of its own ends it; a line goes on the one it names).
   */
  private succeeded(placed: readonly Placed[]): void {
    for (const { entry, name, segment, line, offset } of placed) {
      if (segment === undefined || line === undefined || offset === undefined) {
        if (entry.accepted && this.segment) this.endSegment(this.segment);
        entry.resolve({ body: name });
        continue;
      }
      if (this.segment !== segment) {
        if (this.segment) this.endSegment(this.segment);
        this.segment = segment;
      }
      segment.lines = line;
      segment.size = offset + entry.body.length + 1;
      entry.resolve({ body: `${name}:${line}` });
    }
  }

  /**
   * These deliveries' lines could not be written to the log: their bodies are taken back (their
   * files removed, the `.ndjson` files cut to their committed ends, or removed when this commit
   * made them), so no delivery is half saved; their numbers are given again, but that of `named`,
   * whose line the log holds part of. The `.ndjson` file current stays as `succeeded` left it.
   */
  private failed(placed: readonly Placed[], error: unknown, named?: Placed): void {
    this.takeBackPlaced(placed, named);
    for (const p of placed) p.entry.reject(describeIoError(error, this.folder));
  }

  /** Takes back the bodies of deliveries not saved (see `failed`), numbers given again but that of `named`. */
  private takeBackPlaced(placed: readonly Placed[], named?: Placed): void {
    // Hint: the last first (a file made by this commit at its first line), so that each is the
    // last number taken when it is given back.
    for (const p of placed.toReversed()) {
      if (p.segment === undefined) this.takeBack(p.name, p !== named, p.file);
      else if (p.line === p.segment.lines + 1) this.takeBackLines(p.segment, p !== named);
    }
  }
}

/** The log of deliveries, open to append to, which file it is, and whether it ends part-way through a line. */
interface OpenedLog {
  handle: FileHandle;
  file: FileId;
  torn: boolean;
}

/**
 * Opens the log of the capture folder `folder` to append to (with `durable`, each write on the
 * disk), creating it if needed; a symlink, a file that is no regular file, or another user's, is
 * refused, and one that others can change is told to `onWarning`.
 */
async function openLog(
  folder: string,
  durable: boolean,
  onWarning: ((message: string) => void) | undefined,
): Promise<OpenedLog> {
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
  const { fd: created } = openOutputSync(
    logPath,
    constants.O_RDWR | constants.O_APPEND | constants.O_NONBLOCK | constants.O_NOFOLLOW,
  );
  let torn: boolean;
  let checked: FileId;
  try {
    const stats = fstatSync(created);
    const special = notAFile(stats, 'the log is read back by verify');
    if (special) throw new CallhookError(`${logPath}: ${special}`, ExitCode.usage);
    checkOwnFile(logPath, stats, logRisks, (message) => onWarning?.(message));
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
  return { handle: log, file: opened, torn };
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

/** Flushes the folder's entries (a new file's name) to the disk (`--durable`, refused on Windows, which cannot). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
