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
 */
import { stat } from 'node:fs/promises';
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
}

/**
 * Names in each `duplicate-id` warning of `problems` (a file's kept problems) where its event's
 * first copy began: its message and `firstCopy`. `files` are the names of the files read so far
 * in the run, in order, the one `problems` belong to last. Warnings already named are left alone.
 * Returns the `unreadable` problem of a file that could not be read again (an I/O error), as
 * reading it gives it; the first copies not found before it are lost: one found after it may
 * be a redelivery of one in the part not read. So are those not found before a file removed
 * since it was read, or a folder now, and their messages say so.
 */
export async function nameFirstCopies(
  problems: readonly Problem[],
  files: readonly string[],
  options: FirstCopyOptions = {},
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
  for (const file of files) {
    if (waiting.size === 0 || unreadable || gone) break;
    if (seen.has(file)) continue;
    seen.add(file);
    const now = await standing(file);
    if (now === 'stream') streams.push(file);
    // Hint: as after a file that cannot be read again, an id found after one gone may be a
    // redelivery of one in it, or the warned copy itself: the rest are not looked for.
    else if (now !== 'file') gone = now.gone;
    if (now !== 'file') continue;
    const { found, unread } = await findIn(file, new Set(waiting.keys()), options);
    unreadable = unread;
    for (const [id, first] of found) {
      for (const problem of waiting.get(id) ?? []) {
        problem.firstCopy = first;
        problem.message = duplicateIdMessage(id, first);
      }
      waiting.delete(id);
    }
  }
  for (const [id, list] of waiting) {
    for (const problem of list) {
      const lost = gone ? { lost: gone } : 'lost';
      problem.message = duplicateIdMessage(id, streams.length > 0 && !unreadable && !gone ? { streams } : lost);
    }
  }
  return unreadable;
}

/** How a file read stands now: a file to read again, a stream, or why it is not there to read. */
async function standing(file: string): Promise<'file' | 'stream' | { gone: string }> {
  // Hint: `<stdin>` is what `-` is called; a pipe or FIFO named by path is read as a stream too.
  if (file === stdinName) return 'stream';
  try {
    const info = await stat(openablePath(file));
    if (info.isDirectory()) return { gone: `${file} is a folder now` };
    return info.isFile() ? 'file' : 'stream';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { gone: `${file} was removed since it was read` };
    // Hint: one that cannot be looked at otherwise is read, which says why, as it would say it.
    return 'file';
  }
}

/**
 * Where in `file` the first counted event with each of `ids` began; reading stops when all are
 * found, or where the file cannot be read further (`unread` says where and why).
 */
async function findIn(
  file: string,
  ids: Set<string>,
  options: FirstCopyOptions,
): Promise<{ found: Map<string, Location>; unread?: Problem | undefined }> {
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
  const onElement = (element: SplitElement) => {
    if (element.oversize || !mayHold(element.bytes, ids)) return;
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
  try {
    read: for await (const chunk of readChunks(openablePath(file), 0, 256 * 1024)) {
      for (let from = 0; from < chunk.length; ) {
        const to = splitter.pushEnd(chunk, from, Math.min(chunk.length, from + slice));
        if (to > from) splitter.push(chunk.subarray(from, to));
        from = to;
        if (ids.size === 0 || fatal) break read;
      }
    }
  } catch (error) {
    // Hint: as the first reading of a file that fails part way (see `readFile` in read.ts); an
    // error without an I/O code is a bug.
    if ((error as NodeJS.ErrnoException | undefined)?.code === undefined) throw error;
    return { found, unread: unreadableAt(build, splitter, error) };
  }
  if (ids.size > 0 && !fatal) splitter.end();
  return { found };
}

const idKey = Buffer.from('"id"');

/**
 * Whether an element's bytes may hold one of `ids` as the value of an `"id"` member: a cheap
 * look, not a parse. Hint: an element with a `\u` escape anywhere (the key itself may be spelled
 * with one) may, whatever it holds.
 */
function mayHold(bytes: Buffer, ids: ReadonlySet<string>): boolean {
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
    let value = raw;
    if (escaped) {
      try {
        value = JSON.parse(`"${raw}"`) as string;
      } catch {
        continue;
      }
    }
    if (ids.has(value)) return true;
  }
  return bytes.includes('\\u');
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
