/**
 * Where each redelivery's first copy began, found after reading rather than kept while reading.
 *
 * The run's id set keeps only a fingerprint of each event id (see fingerprint-set.ts): keeping
 * where every id was first seen, for the few that turn out to be redelivered, cost 6 bytes a
 * slot on each thread and broke the 200 MiB budget of a 2 GB export. So a `duplicate-id` warning
 * is made naming only its id (`Problem.eventId`), and once its file has been read,
 * `nameFirstCopies` reads the files again from the first, looking only for those ids, and stops
 * as soon as it has found them all. What it costs is a second reading of the part of the run up
 * to the last first copy looked for, and only when a warning is listed: none without
 * redeliveries, none under `-q`, at most `--max-problems` ids.
 *
 * Most redeliveries come a few events after their first copy, so a reading asked to
 * (`ReadOptions.firstCopies`) also keeps where the last `RecentFirsts.size` events first seen
 * began (~40 KiB, whatever the size of the run), and a warning whose first copy is among them is
 * named at once; only the others are looked for again.
 *
 * A stream (stdin, a pipe) cannot be read again: a first copy not found in the files is said to
 * be earlier in the stream(s) read, without a position.
 *
 * A run of many files, each with a redelivery of an event some files back, would have each file's
 * lookup read the run again from its first file: a time growing with the square of the files.
 * So a lookup given the run's `FirstCopyMemo` reads a file of up to `digestLimit` bytes to its
 * end, and keeps a digest of the ids it holds (4 bytes an event); a later lookup reads such a
 * file again only when the digest says it may hold an id looked for, and where a first copy was
 * found is kept, for any file, so that the same id is not looked for again while the file stands
 * as it was. Each file is then read about twice in all: once for its digest, once where a first
 * copy is. A digest is trusted for the rest of the run: a file that cannot hold the ids is passed
 * over unlooked-at, even if removed since (it held no first copy of them); one that may is looked
 * at, and said removed or read again.
 */
import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileId } from '../output-file.js';
import type { CheckOptions } from '../schema/check.js';
import { openablePath } from './file-names.js';
import { FingerprintSet } from './fingerprint-set.js';
import { defaultMaxElementBytes, readChunks, unreadableAt } from './read.js';
import { duplicateIdMessage, firstSeenId, RecordBuilder } from './records.js';
import { ElementSplitter, type SplitElement } from './split.js';
import type { Location, Problem } from './types.js';
import { stdinName } from './types.js';

/** How the files were read: what makes an element a valid event must be the same. */
export interface FirstCopyOptions extends CheckOptions {
  maxElementBytes?: number | undefined;
  /**
   * What each file was when it was read (see `fileId`), by its name. Hint: a file is read again
   * by its name, which may be another's since (an editor saves by renaming a new version over
   * the old): the lines of another file are not named as where a first copy was.
   */
  readAs?: ReadonlyMap<string, string | undefined> | undefined;
}

/**
 * Names in each `duplicate-id` warning of `problems` (a file's kept problems) where its event's
 * first copy began: its message and `firstCopy`. `files` are the names of the files read so far
 * in the run, in order, the one `problems` belong to last. Warnings already named are left alone.
 * Returns the `unreadable` problem of a file that could not be read again (an I/O error), as
 * reading it gives it; the first copies not found before it are lost: one found after it may
 * be a redelivery of one in the part not read. So are those not found before a file removed
 * since it was read, a folder now, or another file (see `FirstCopyOptions.readAs`), and their
 * messages say so.
 */
export async function nameFirstCopies(
  problems: readonly Problem[],
  files: readonly string[],
  options: FirstCopyOptions = {},
  memo?: FirstCopyMemo,
): Promise<Problem | undefined> {
  const waiting = new Map<string, Problem[]>();
  for (const problem of problems) {
    if (problem.code !== 'duplicate-id' || problem.eventId === undefined || problem.firstCopy !== undefined) continue;
    if (problem.message !== duplicateIdMessage(problem.eventId)) continue;
    const list = waiting.get(problem.eventId);
    if (list) list.push(problem);
    else waiting.set(problem.eventId, [problem]);
  }
  if (waiting.size === 0) return undefined;
  const streams: string[] = [];
  const seen = new Set<string>();
  let unreadable: Problem | undefined;
  let gone: string | undefined;
  // Hint: made again only when asked after, not at each id found: a lookup may settle thousands.
  let hashes: number[] | undefined;
  /** Names `first` in the warnings of `id`, which is looked for no more. */
  const settle = (id: string, first: Location) => {
    for (const problem of waiting.get(id) ?? []) {
      problem.firstCopy = first;
      problem.message = duplicateIdMessage(id, first);
    }
    waiting.delete(id);
    hashes = undefined;
  };
  for (const file of files) {
    if (waiting.size === 0 || unreadable || gone) break;
    if (seen.has(file)) continue;
    seen.add(file);
    const known = memo?.get(file);
    // Hint: a file whose digest holds none of the ids is passed over, not even looked at again:
    // a lookup late in a run of 10,000 files would otherwise ask after each of them.
    const mayHold = () => {
      hashes ??= [...waiting.keys()].map(idHash);
      return !known?.ids || hashes.some((hash) => holds(known.ids as Uint32Array, hash));
    };
    if (!mayHold()) continue;
    const now = await standing(file);
    if (now === 'stream') streams.push(file);
    // Hint: as after a file that cannot be read again, an id found after one gone may be a
    // redelivery of one in it, or the warned copy itself: the rest are not looked for.
    else if ('gone' in now) gone = now.gone;
    if (now === 'stream' || 'gone' in now) continue;
    const stamp = `${now.size}:${now.mtimeMs}`;
    // Hint: a first copy an earlier lookup found here is not looked for again (an event redelivered
    // into each of 32 later files had the file of its first copy read 32 times), while the file
    // stands as it was then, and is the one read (see `FirstCopyOptions.readAs`).
    const asRead = options.readAs?.get(file);
    if (known?.stamp === stamp && (asRead === undefined || now.id === asRead)) {
      for (const [id, first] of known.found) if (waiting.has(id)) settle(id, first);
      if (waiting.size === 0) break;
      if (!mayHold()) continue;
    }
    const digest = memo && known?.stamp !== stamp && now.size <= digestLimit ? [] : undefined;
    const { found, unread, whole, replaced } = await findIn(file, new Set(waiting.keys()), options, digest);
    if (replaced) {
      gone = `${file} was replaced since it was read`;
      continue;
    }
    // Hint: a changed file read only in part keeps the digest it had, as a digest is trusted (above).
    if (digest && whole) memo?.set(file, { stamp, ids: Uint32Array.from(digest).sort(), found: new Map(found) });
    else if (known?.stamp === stamp) for (const [id, first] of found) known.found.set(id, first);
    else if (!known) memo?.set(file, { stamp, found: new Map(found) });
    unreadable = unread;
    for (const [id, first] of found) settle(id, first);
  }
  for (const [id, list] of waiting) {
    for (const problem of list) {
      const lost = gone ? { lost: gone } : 'lost';
      problem.message = duplicateIdMessage(id, streams.length > 0 && !unreadable && !gone ? { streams } : lost);
    }
  }
  return unreadable;
}

/** How a file read stands now: a file to read again (its size and time of change), a stream, or why it is not there to read. */
async function standing(
  file: string,
): Promise<{ size: number; mtimeMs: bigint | number; id?: string | undefined } | 'stream' | { gone: string }> {
  // Hint: `<stdin>` is what `-` is called; a pipe or FIFO named by path is read as a stream too.
  if (file === stdinName) return 'stream';
  try {
    // Hint: with big integers, as the reading's own `readAs` ids are made: an inode past 2^53 (NTFS,
    // NFS) read as a double would never match one, and the memo would never be used.
    const info = await stat(openablePath(file), { bigint: true });
    if (info.isDirectory()) return { gone: `${file} is a folder now` };
    return info.isFile() ? { size: Number(info.size), mtimeMs: info.mtimeNs, id: fileId(info) } : 'stream';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { gone: `${file} was removed since it was read` };
    // Hint: one that cannot be looked at otherwise is read, which says why, as it would say it.
    return { size: Number.POSITIVE_INFINITY, mtimeMs: 0 };
  }
}

/**
 * What one run's lookups learned of its files (see the module's comment): by file, as of its size
 * and time of change (`stamp`), a digest of the ids it may hold (a file within `digestLimit` read
 * to its end), and where the first copies found there began. Made once a run.
 */
export type FirstCopyMemo = Map<string, { stamp: string; ids?: Uint32Array; found: Map<string, Location> }>;

/**
 * The largest file a lookup reads to its end for a digest: a larger one is read only as far as
 * its last first copy, as before, and not kept (a 2 GB export would take 8 MB of digest).
 */
const digestLimit = 64 * 1024 * 1024;

/** A 32-bit hash of an id (FNV-1a): a digest holds these, so two ids that share one cost a reading, never a wrong answer. */
function idHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Whether the sorted digest `ids` holds `hash`. */
function holds(ids: Uint32Array, hash: number): boolean {
  let low = 0;
  let high = ids.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = ids[middle] as number;
    if (at === hash) return true;
    if (at < hash) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/**
 * Where in `file` the first counted event with each of `ids` began; reading stops when all are
 * found, or where the file cannot be read further (`unread` says where and why). Given `digest`,
 * it reads on to the end, putting there the hash of every id an element may hold; `whole` says it
 * got there, and the digest is whole (no element that may hold any id it cannot tell). Nothing is
 * read of a file that is not the one `options.readAs` says was read (`replaced`).
 */
async function findIn(
  file: string,
  ids: Set<string>,
  options: FirstCopyOptions,
  digest?: number[],
): Promise<{ found: Map<string, Location>; unread?: Problem | undefined; whole: boolean; replaced?: boolean }> {
  const found = new Map<string, Location>();
  const limits = { maxElementBytes: options.maxElementBytes ?? defaultMaxElementBytes };
  // Hint: only an element that may hold one of the ids is parsed and checked, as the first
  // reading did, so that the first copy is the first *counted* event with that id (a valid one,
  // or a call of an undocumented status).
  const build = new RecordBuilder(
    file,
    new FingerprintSet(),
    { type: options.type, strict: options.strict },
    limits,
    false,
  );
  let told = digest !== undefined;
  const onElement = (element: SplitElement) => {
    if (element.oversize) return;
    const values = idValuesOf(element.bytes);
    if (told && digest) {
      if (values === undefined) told = false;
      else for (const value of values) digest.push(idHash(value));
    }
    if (values !== undefined && !values.some((value) => ids.has(value))) return;
    const record = build.element(element);
    if (record.kind !== 'event' && record.kind !== 'invalid') return;
    const id = firstSeenId(record);
    if (id === undefined || !ids.has(id)) return;
    const { line, column, offset, pointer } = record.element;
    found.set(id, { file, line, column, offset, pointer });
    ids.delete(id);
  };
  let fatal = false;
  const splitter = new ElementSplitter(
    {
      element: onElement,
      problem: (problem) => {
        fatal ||= problem.fatal === true;
      },
    },
    limits,
  );
  const slice = 64 * 1024;
  const asRead = options.readAs?.get(file);
  let replaced = false;
  const opened = (info: BigIntStats) => {
    replaced = asRead !== undefined && fileId(info) !== asRead;
  };
  try {
    read: for await (const chunk of readChunks(openablePath(file), 0, 256 * 1024, undefined, opened)) {
      if (replaced) break;
      for (let from = 0; from < chunk.length; ) {
        const to = splitter.pushEnd(chunk, from, Math.min(chunk.length, from + slice));
        if (to > from) splitter.push(chunk.subarray(from, to));
        from = to;
        if ((ids.size === 0 && !told) || fatal) break read;
      }
    }
  } catch (error) {
    // Hint: as the first reading of a file that fails part way (see `readFile` in read.ts); an
    // error without an I/O code is a bug.
    if ((error as NodeJS.ErrnoException | undefined)?.code === undefined) throw error;
    return { found, unread: unreadableAt(build, splitter, error), whole: false };
  }
  if (replaced) return { found, whole: false, replaced };
  if ((ids.size > 0 || told) && !fatal) splitter.end();
  return { found, whole: told && !fatal };
}

const idKey = Buffer.from('"id"');

/**
 * The values of the `"id"` members an element's bytes hold, found by a cheap look, not a parse;
 * undefined when they may hold any. Hint: an element with a `\u` escape anywhere (the key itself
 * may be spelled with one) may hold any id.
 */
function idValuesOf(bytes: Buffer): string[] | undefined {
  if (bytes.includes('\\u')) return undefined;
  const values: string[] = [];
  for (let at = bytes.indexOf(idKey); at !== -1; at = bytes.indexOf(idKey, at + idKey.length)) {
    let i = at + idKey.length;
    while (isSpace(bytes[i])) i++;
    if (bytes[i] !== 0x3a) continue;
    i++;
    while (isSpace(bytes[i])) i++;
    if (bytes[i] !== 0x22) continue;
    const start = i + 1;
    let escaped = false;
    for (i = start; i < bytes.length && bytes[i] !== 0x22; i++) {
      if (bytes[i] === 0x5c) {
        escaped = true;
        i++;
      }
    }
    const raw = bytes.toString('utf8', start, i);
    if (!escaped) values.push(raw);
    else {
      try {
        values.push(JSON.parse(`"${raw}"`) as string);
      } catch {}
    }
  }
  return values;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
