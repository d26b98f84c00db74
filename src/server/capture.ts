/**
 * `listen --out DIR`: each delivery saved as its exact body bytes beside a description of the
 * request and the answer, handed to the operating system (written and closed) before the answer is
 * sent, or with `--durable` on the disk itself; and the reader that `verify` uses to take them back.
 *
 * A capture folder holds, per delivery, numbered in arrival order:
 * - `000001.json`: the body, byte for byte, when the delivery was answered 2xx (accepted). Only
 *   these end in `.json`, so the folder is direct input for validate, show, trace, summarise and
 *   replay, which read `*.json`, `*.ndjson` and `*.jsonl`;
 * - `000001.body`: the body of a delivery answered otherwise (400, 401, 422, a --fail-rate 503),
 *   kept for `verify` and for reading, out of the way of the commands that read events;
 * - `000001.meta`: JSON describing the request (method, path, headers in the order received),
 *   the answer given, and the body's file name, size and SHA-256. Its name ends in `.meta`, not
 *   `.json`, for the same reason.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, unlinkSync, writeSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CallhookError, describeIoError, ExitCode } from '../errors.js';

/** The description of one captured delivery, saved as `NNNNNN.meta`. */
interface CaptureMeta {
  /** The layout's version: 1. */
  capture: 1;
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

const metaSuffix = '.meta';
const numbered = /^(\d+)\.(json|body|meta)$/;

/**
 * Makes a file's name durable: several deliveries finishing together share one fsync of the
 * folder (a group commit), started after the last of them created its files.
 */
class FolderSync {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly folder: string) {}

  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.once().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // Hint: a sync already under way may have started before this file was created, so one more follows it.
    const after = this.running;
    this.queued = after.then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  private async once(): Promise<void> {
    const handle = await open(this.folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

// Hint: O_EXCL never overwrites a delivery another listen saved; with --durable, O_DSYNC makes the
// write itself wait for the disk, one system call instead of a write followed by an fsync.
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
const durableFlags = createFlags | constants.O_DSYNC;

const isTaken = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'EEXIST';

async function writeAndClose(handle: FileHandle, data: Buffer | string): Promise<void> {
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/** Writes each buffer to its descriptor and closes them all; the first failure is thrown after. */
function writeAllAndClose(fds: readonly number[], data: readonly Buffer[]): void {
  let failure: unknown;
  try {
    fds.forEach((fd, i) => {
      const bytes = data[i]!;
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    });
  } catch (error) {
    failure = error;
  }
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

/** How a capture waits before the answer is sent. */
interface CaptureOptions {
  /**
   * Wait for the disk (O_DSYNC writes and an fsync of the folder), so a 2xx survives a power
   * loss; otherwise the files are written and closed, which a crash or kill of listen cannot undo.
   */
  durable?: boolean | undefined;
}

/** Saves deliveries into one folder; numbers continue after those already there. */
export class CaptureWriter {
  private next: number;
  private readonly folderSync: FolderSync;
  /** Deliveries saved. */
  saved = 0;

  private constructor(
    readonly folder: string,
    first: number,
    readonly durable: boolean,
  ) {
    this.next = first;
    this.folderSync = new FolderSync(folder);
  }

  /** Creates the folder (private to the user) if needed and finds the next free number. */
  static async open(folder: string, options: CaptureOptions = {}): Promise<CaptureWriter> {
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
      let highest = 0;
      for (const name of await readdir(folder)) {
        const match = numbered.exec(name);
        if (match) highest = Math.max(highest, Number(match[1]));
      }
      return new CaptureWriter(folder, highest + 1, options.durable === true);
    } catch (error) {
      throw describeIoError(error, folder);
    }
  }

  /**
   * Saves one delivery and resolves once both files are written and closed (the operating system
   * has them), or with `durable`, once the files and their names are on the disk.
   */
  async save(body: Buffer, request: CaptureRequest): Promise<{ body: string; meta: string }> {
    return this.durable ? this.saveDurably(body, request) : this.saveNow(body, request);
  }

  /** The next number's file names and the description that goes with them. */
  private claim(body: Buffer, request: CaptureRequest) {
    const stem = String(this.next++).padStart(6, '0');
    const accepted = request.status >= 200 && request.status < 300;
    const bodyName = `${stem}.${accepted ? 'json' : 'body'}`;
    const meta: CaptureMeta = {
      capture: 1,
      ...request,
      body: bodyName,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    };
    const metaName = `${stem}${metaSuffix}`;
    return {
      metaName,
      bodyName,
      metaText: `${JSON.stringify(meta, null, 2)}\n`,
      paths: [join(this.folder, metaName), join(this.folder, bodyName)] as const,
    };
  }

  /**
   * Hint: small files handed to the page cache take microseconds each, far less than the
   * thread-pool round trips (open, write, close, twice) that asynchronous calls cost per delivery,
   * so without --durable both files are written synchronously, one open, write and close each.
   */
  private saveNow(body: Buffer, request: CaptureRequest): { body: string; meta: string } {
    for (;;) {
      const { metaName, bodyName, metaText, paths } = this.claim(body, request);
      const fds: number[] = [];
      try {
        for (const path of paths) fds.push(openSync(path, createFlags, 0o600));
      } catch (error) {
        // Remove what this attempt created, so no half delivery is left behind.
        fds.forEach((fd, i) => {
          closeSync(fd);
          rmQuietly(paths[i]!);
        });
        // Another listen saving into the same folder took this number: take the next.
        if (isTaken(error)) continue;
        throw describeIoError(error, this.folder);
      }
      try {
        writeAllAndClose(fds, [Buffer.from(metaText), body]);
      } catch (error) {
        for (const path of paths) rmQuietly(path);
        throw describeIoError(error, this.folder);
      }
      this.saved++;
      return { body: bodyName, meta: metaName };
    }
  }

  private async saveDurably(body: Buffer, request: CaptureRequest): Promise<{ body: string; meta: string }> {
    for (;;) {
      const { metaName, bodyName, metaText, paths } = this.claim(body, request);
      const opened = await Promise.allSettled(paths.map((path) => open(path, durableFlags, 0o600)));
      const refused = opened.find((result) => result.status === 'rejected');
      if (refused) {
        // Remove what this attempt created, so no half delivery is left behind.
        await Promise.all(
          opened.map(async (result, i) => {
            if (result.status === 'rejected') return;
            await result.value.close();
            await rm(paths[i]!, { force: true });
          }),
        );
        // Another listen saving into the same folder took this number: take the next.
        if (isTaken(refused.reason)) continue;
        throw describeIoError(refused.reason, this.folder);
      }
      const [metaHandle, bodyHandle] = opened.map((result) => (result as PromiseFulfilledResult<FileHandle>).value);
      // Hint: the names exist once the files are open, so the folder's fsync runs beside the two
      // writes (each waiting for the disk on its own thread): one wait for the disk, not two.
      try {
        await Promise.all([
          writeAndClose(metaHandle!, metaText),
          writeAndClose(bodyHandle!, body),
          this.folderSync.sync(),
        ]);
      } catch (error) {
        await Promise.all(paths.map((path) => rm(path, { force: true }).catch(() => undefined)));
        throw describeIoError(error, this.folder);
      }
      this.saved++;
      return { body: bodyName, meta: metaName };
    }
  }
}

/** What listen knows of a delivery when it saves it. */
type CaptureRequest = Omit<CaptureMeta, 'capture' | 'body' | 'bytes' | 'sha256'>;

function rmQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or never created.
  }
}

/** A captured delivery read back: its description, where it came from, and its body's bytes. */
interface CapturedDelivery {
  /** The `.meta` file's path. */
  metaPath: string;
  meta: CaptureMeta;
  bodyPath: string;
  body: Buffer;
}

function isCaptureMeta(value: unknown): value is CaptureMeta {
  const meta = value as Partial<CaptureMeta> | null;
  return (
    typeof meta === 'object' &&
    meta !== null &&
    meta.capture === 1 &&
    typeof meta.body === 'string' &&
    basename(meta.body) === meta.body &&
    Array.isArray(meta.headers) &&
    meta.headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((x) => typeof x === 'string'))
  );
}

/** Reads one captured delivery, given its `.meta` file or its body file. */
export async function readCapturedDelivery(path: string): Promise<CapturedDelivery> {
  const match = numbered.exec(basename(path));
  const metaPath = match ? join(dirname(path), `${match[1]}${metaSuffix}`) : path;
  let meta: unknown;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new CallhookError(`${metaPath}: not a capture description (not JSON)`, ExitCode.usage);
    }
    throw describeIoError(error, metaPath);
  }
  if (!isCaptureMeta(meta)) {
    throw new CallhookError(`${metaPath}: not a capture description written by callhook listen`, ExitCode.usage);
  }
  const bodyPath = join(dirname(metaPath), meta.body);
  try {
    return { metaPath, meta, bodyPath, body: await readFile(bodyPath) };
  } catch (error) {
    throw describeIoError(error, bodyPath);
  }
}

/**
 * The captured deliveries the paths name: a folder's `*.meta` files in name order, or a file
 * (a `.meta` or a captured body). Every path is checked before any is verified.
 */
export async function listCapturedDeliveries(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    let entries: string[] | undefined;
    try {
      entries = (await readdir(path, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && entry.name.endsWith(metaSuffix))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR') throw describeIoError(error, path);
    }
    if (entries === undefined) found.push(path);
    else if (entries.length === 0) {
      throw new CallhookError(`${path}: no captured deliveries (*.meta) in this folder`, ExitCode.usage);
    } else found.push(...entries.map((name) => join(path, name)));
  }
  return found;
}
