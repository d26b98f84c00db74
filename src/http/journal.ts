/**
 * The delivery journal (`--journal`): a header line naming the run's input and `--batch-size`,
 * then one JSON line per batch at its final state, appended as the batch completes, so a crash or
 * a signal loses nothing and `--resume` knows what the receiver already confirmed.
 */

import { createHash, type Hash, randomBytes } from 'node:crypto';
import {
  type BigIntStats,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  futimesSync,
  linkSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CallhookError, describeIoError, ExitCode, ioReason } from '../errors.js';
import { metaSuffix, numbered } from '../input/capture-names.js';
import { fileNameOf, type OpenablePath } from '../input/file-names.js';
import { LineSplitter } from '../input/line-splitter.js';
import { cutShort, defaultMaxElementBytes, openAtOnce, readChunks, type Source } from '../input/read.js';
import { captureLogName } from '../input/types.js';
import {
  cannotLink,
  checkFoldersOf,
  checkOwnFile,
  endsWithNewline,
  fileId,
  type OwnFileRisks,
  openOutputSync,
  realPathOf,
} from '../output-file.js';
import { escapeJsonForTerminal } from '../render/escape.js';
import { grouped } from '../render/words.js';
import { writeAllSync } from '../write-all.js';
import { type FreshRun, isFreshRun } from './fresh.js';

/** How a batch ended. Only `delivered` is skipped by `--resume`. */
export type BatchStatus = 'delivered' | 'failed' | 'gone' | 'undelivered';

const statuses: ReadonlySet<string> = new Set<BatchStatus>(['delivered', 'failed', 'gone', 'undelivered']);

/** One journal line. */
export interface JournalEntry {
  key: string;
  status: BatchStatus;
  /** The last HTTP status, when there was a response. */
  code?: number | undefined;
  /** Requests made for this batch (0 if it was never sent). */
  attempts: number;
  /** Duration of the last attempt, in ms. */
  latencyMs?: number | undefined;
  events: number;
  source: string;
  /** Why it was not delivered. */
  reason?: string | undefined;
  /** When the batch completed (ISO-8601). */
  at: string;
}

/** The value of the header line's `journal` field, which tells a journal from any other file. */
export const journalKind = 'callhook replay' as const;

/**
 * The header's `version`: what this callhook writes and resumes. 3 since a batch's key names where
 * it starts in its file, not its place in the run (see `planBatches`); 4 since a `--batch-size`
 * batch holds events of one file; 5 since a webhook-id names the batch's file, not its place among
 * the inputs. A journal of 3, 2 (or 1, of stdin) is resumed by its own keys, its batches cut as its
 * run cut them, and one of 4 or before under the webhook-ids its run sent.
 */
export const journalVersion = 5 as const;

/** One file of a run's input, as its journal records it. */
export interface InputFile {
  /** As the input lists it (a folder's file under the folder's path). */
  name: string;
  size: number;
  /** The fingerprint of the input up to the end of this file (see `fingerprintInputs`), its first 32 hex digits. */
  through: string;
}

function isInputFile(value: unknown): value is InputFile {
  const file = value as Partial<InputFile> | null;
  return typeof file?.name === 'string' && Number.isSafeInteger(file.size) && typeof file.through === 'string';
}

/** The journal's first line: what `--resume` checks before it trusts the lines after it. */
export interface JournalHeader {
  journal: typeof journalKind;
  /**
   * 2 since the fingerprint covers all of the input (a version 1 journal is resumed only when it
   * had none to compare: stdin), 3 since keys name where a batch starts in its file, 4 since a
   * batch holds events of one file, 5 since a webhook-id names the batch's file.
   */
  version: 1 | 2 | 3 | 4 | typeof journalVersion;
  /** The paths as the run was given them. */
  inputs: string[];
  /** Of the input's content (see `fingerprintInputs`); null when it includes stdin. */
  fingerprint: string | null;
  /**
   * Each file read, for `--resume` to name the one that changed. Missing from a journal written
   * before it was recorded, and of stdin: then which changed is not known.
   */
  files?: InputFile[];
  /** `--batch-size`, or null for input batches as they are. */
  batchSize: number | null;
  /**
   * The options that choose which events are sent (`selectionOf`), '' for none. Missing from a
   * journal written before it was recorded: then unknown, and not compared.
   */
  selection?: string;
  /**
   * The options that shape how each batch is sent (`deliveryOf`), '' for none. Missing from a
   * journal written before it was recorded: then unknown, and not compared.
   */
  delivery?: string;
  /**
   * A `--fresh` run's key and shift, so that `--resume` sends the same bytes; null for a run
   * without `--fresh`. Missing from a journal written before it was recorded: then unknown.
   */
  fresh?: FreshRun | null;
  /** The receiver, with any password redacted. */
  url: string;
  startedAt: string;
}

/** What became of a journal during its run, when it is no longer the file at its path holding what the run wrote. */
export interface JournalChange {
  /** What happened, and what to do: one line. */
  message: string;
  /** The name it is whole under now, to resume it by (moved); undefined when there is none. */
  resumeWith?: string | undefined;
}

/**
 * Something that records finished batches. `append` throws a CallhookError when the line cannot
 * be written, or when the journal has changed (see `changed`), writing nothing.
 */
export interface Journal {
  append(entry: JournalEntry): void;
  /**
   * Whether the journal was moved, deleted, replaced or cut short since it was opened: then
   * `--resume` with its name would send delivered batches again, or be refused.
   */
  changed(): JournalChange | undefined;
  /**
   * Closes the file. One this run made and appended nothing to records nothing, and is removed:
   * left holding a header alone, it refused the next run (told, say, to pass --batch-size) as a
   * journal that exists. Says whether the journal is kept, at its path (not `changed`).
   */
  close(): boolean;
}

/** A journal's advice when what it recorded is lost. */
const startAgain = 'to send what was not delivered, replay with a new --journal (which sends every batch again)';

/**
 * What became of the journal open as `fd`, named `path`, whose file was `opened` (its device and
 * inode) holding `size` bytes as this run last wrote it (see `Journal.changed`). Hint: the
 * file a name leads to now, compared with the one open, as a moved file is found: another file
 * there (an editor's save), none, or the same one shorter (`: > journal`). Linux names where a moved
 * one went (/proc/self/fd); elsewhere it is said to be moved.
 */
function journalChange(fd: number, path: string, opened: string | undefined, size: number): JournalChange | undefined {
  let now: ReturnType<typeof statSync> | undefined;
  try {
    now = statSync(path);
  } catch {
    // Gone: said below.
  }
  if (now && (opened === undefined || fileId(now) === opened)) {
    if (now.size >= size) return undefined;
    const cut = now.size === 0 ? 'emptied' : `cut short (${now.size} of its ${size} bytes left)`;
    return {
      message: `the journal ${path} was ${cut} during the run, and what it recorded with it: stopped; ${startAgain}`,
    };
  }
  if (fstatSync(fd).nlink === 0) {
    return {
      message: now
        ? `the journal ${path} was replaced during the run (an editor's save?), and what this run recorded since went with the file it replaced: stopped; if the file now there is a copy of the journal, --resume --journal ${path} sends again the batches it lacks; else, ${startAgain}`
        : `the journal ${path} was deleted during the run, and what it recorded with it: stopped; ${startAgain}`,
    };
  }
  // Hint: without /proc (macOS), where it went is not known.
  const place = placeOf(fd);
  const moved = place && fileNameOf(place);
  const lock = "stopped, as a replay given that name would not see this run's lock";
  return moved
    ? {
        message: `the journal ${path} was moved to ${moved} during the run: ${lock}; rerun with --resume --journal ${moved}`,
        resumeWith: moved,
      }
    : {
        message: `the journal ${path} was moved during the run: ${lock}; rerun with --resume, naming it where it is now`,
      };
}

/**
 * What a journal holds, and what another user could do with it, for `checkOwnFile`: a line saying
 * a batch was delivered makes `--resume` skip it, so one written by another user loses its events.
 */
const journalRisks: OwnFileRisks = {
  what: 'the journal',
  holds: "the receiver's URL (with any ?token= in its query)",
  writers: 'add lines saying batches were delivered, which --resume would then skip, never sending them',
  instead: 'use a journal of your own',
};

/** Checks the folders on the way to a journal (`checkFoldersOf`) before anything is made in them. */
function checkJournalFolders(path: string, warn: (message: string) => void): void {
  try {
    checkFoldersOf(path, journalRisks, warn);
  } catch (error) {
    throw describeIoError(error, path);
  }
}

function writeError(error: unknown, path: string): CallhookError {
  return new CallhookError(`cannot write the journal ${path}: ${ioReason(error)}`, ExitCode.usage);
}

/**
 * Opens `path` for appending and, given a `header`, writes it first. Before anything is appended
 * the file is made to end with a newline, so a line torn by a crash or a full disk stays a line
 * of its own instead of swallowing the next. Hint: each line goes out with one `writeSync`, so it
 * is in the kernel before the next batch starts and survives the process being killed; an fsync
 * per line would cost more than the delivery itself and only matters if the machine loses power.
 * Lines hold untrusted text (file names, a receiver's answers) and get read with `tail -f`, so
 * they are written as every command writes JSON: with the characters a terminal acts on as `\u`.
 * A journal, or a folder holding it, that another user owns is refused before anything is made;
 * one others can read or write to, or a folder on its way they can write to, is told to `warn`.
 * One made here that nothing was appended to is removed when closed, or when opening fails; one
 * that was there is cut back to what it held when its header (or newline) cannot be written.
 */
export function openJournal(path: string, warn: (message: string) => void, header?: JournalHeader): Journal {
  checkJournalFolders(path, warn);
  // Hint: 'a+' (read, for the last byte, and append), created only at `path` itself, for the user alone.
  const { fd, created } = openOutputSync(path, constants.O_RDWR | constants.O_APPEND);
  let appended = false;
  /** Removes the file when made here with nothing appended, and still the file at `path`; says whether it did. */
  const removeUnused = (): boolean => {
    // Hint: never one that was there before the run (resumed, or made empty by the user), nor a
    // file put at its name since.
    if (!created || appended) return false;
    try {
      const made = fileId(fstatSync(fd));
      if (made === undefined || made !== fileId(lstatSync(path))) return false;
      unlinkSync(path);
      return true;
    } catch {
      // Gone already, or its folder closed to us: left as it is.
      return false;
    }
  };
  const close = (): boolean => {
    try {
      return !removeUnused();
    } finally {
      closeSync(fd);
    }
  };
  const stats = fstatSync(fd);
  try {
    checkOwnFile(path, stats, journalRisks, warn);
  } catch (error) {
    close();
    throw error;
  }
  try {
    if (!endsWithNewline(fd, stats.size)) writeAllSync(fd, Buffer.from('\n'));
    if (header) writeAllSync(fd, Buffer.from(`${escapeJsonForTerminal(JSON.stringify(header))}\n`));
  } catch (error) {
    // Hint: one that was there before (made empty by the user) is cut back to what it held: left
    // with half a header, it was refused as existing, and by --resume as not a journal.
    if (!created) {
      try {
        ftruncateSync(fd, stats.size);
      } catch {
        // Left as it is: the write error is what the run says.
      }
    }
    close();
    throw writeError(error, path);
  }
  // Hint: what the run has written, to tell the journal from another file put at its name, or one cut short.
  const opened = fileId(stats);
  let size = fstatSync(fd).size;
  const changed = () => journalChange(fd, path, opened, size);
  return {
    append(entry) {
      const change = changed();
      if (change) throw new CallhookError(change.message, ExitCode.usage);
      appended = true;
      const line = Buffer.from(`${escapeJsonForTerminal(JSON.stringify(entry))}\n`);
      try {
        writeAllSync(fd, line);
      } catch (error) {
        throw writeError(error, path);
      }
      size += line.length;
    },
    changed,
    close() {
      const change = changed();
      return close() && change === undefined;
    },
  };
}

/** What a journal's text says. */
interface JournalContents {
  header: JournalHeader | undefined;
  /** Keys of the batches confirmed delivered. */
  confirmed: Set<string>;
  /**
   * Where each batch recorded starts (`source_offset`, as its key begins: version 3 on) and how
   * many events it held, a delivered one's where two differ: `--resume` cuts its batches there
   * again (see `planBatches`), so the same events make the same keys however its run cut them.
   */
  recorded: Map<string, number>;
  /** 1-based numbers of the lines that could not be read (torn by a crash or a full disk). */
  unreadable: number[];
  /** The first line, when it is not a header callhook writes; undefined when it is one, or the file is empty. */
  notHeader?: NotHeader | undefined;
}

/** A journal's first line that is not a header callhook writes: another file, or a journal made or edited by hand. */
export interface NotHeader {
  /** 1-based. */
  line: number;
  /** It names itself a journal header (`"journal": "callhook replay"`), with fields callhook does not write. */
  edited: boolean;
  /** The `version` of a journal header written by another callhook, earlier or newer, which this one cannot resume. */
  otherVersion?: number | undefined;
  /** It is an entry this version writes: the journal was emptied or cut short during its run. */
  cut?: boolean | undefined;
}

/** Whether a line of a journal is an entry: a batch's key and one of the statuses. */
function isEntry(value: unknown): value is Pick<JournalEntry, 'key' | 'status'> {
  const entry = value as Partial<JournalEntry> | null;
  return typeof entry?.key === 'string' && typeof entry.status === 'string' && statuses.has(entry.status);
}

/**
 * Whether a first line is an entry as callhook writes one, every version: its attempts and time
 * too. Hint: told apart so from an export's first event that happens to have a `key` and a
 * `status` such as `failed` (review hR64), which was refused as a journal, never replaced.
 */
function isWrittenEntry(value: unknown): boolean {
  const entry = value as Partial<JournalEntry> | null;
  return isEntry(value) && typeof entry?.attempts === 'number' && typeof entry.at === 'string';
}

/** A header as callhook writes it: a journal edited or made by hand may hold anything. */
function isHeader(value: unknown): value is JournalHeader {
  const header = value as Partial<Record<keyof JournalHeader, unknown>> | null;
  return (
    typeof header === 'object' &&
    header !== null &&
    header.journal === journalKind &&
    // Hint: a version 1 journal of stdin has no fingerprint, the one thing version 2 changed.
    (header.version === journalVersion ||
      header.version === 4 ||
      header.version === 3 ||
      header.version === 2 ||
      (header.version === 1 && header.fingerprint === null)) &&
    Array.isArray(header.inputs) &&
    header.inputs.every((input) => typeof input === 'string') &&
    (header.fingerprint === null || typeof header.fingerprint === 'string') &&
    (header.batchSize === null || Number.isSafeInteger(header.batchSize)) &&
    (header.selection === undefined || typeof header.selection === 'string') &&
    (header.delivery === undefined || typeof header.delivery === 'string') &&
    (header.fresh === undefined || header.fresh === null || isFreshRun(header.fresh)) &&
    (header.files === undefined || (Array.isArray(header.files) && header.files.every(isInputFile))) &&
    typeof header.url === 'string'
  );
}

/** How much of a journal `journalLines` reads at a time. */
const journalReadBytes = 64 * 1024;

/**
 * The longest journal line read as text. Hint: callhook writes lines of a few hundred bytes, and
 * a header naming its inputs; a longer line (a file that is not a journal, or a crash's garbage)
 * is unreadable, not a string past V8's limit of 512 MiB, which failed --resume outright.
 */
const journalLineBytes = 64 * 1024 * 1024;

/**
 * The lines of the file open at `fd`, from its start to its end, as `text.split('\n')` gives
 * them (a last line without a newline too, and '' after a last newline), read `chunkBytes` at a
 * time (see `LineSplitter`); a line of more than `lineBytes` bytes is undefined. Hint: read
 * whole, a journal of millions of batches made a string longer than V8 allows, and --resume
 * failed; now only a line is held at once.
 */
export function* journalLines(
  fd: number,
  chunkBytes = journalReadBytes,
  lineBytes = journalLineBytes,
): Generator<string | undefined> {
  const chunk = Buffer.alloc(chunkBytes);
  const lines = new LineSplitter(lineBytes);
  for (let position = 0; ; ) {
    const read = readSync(fd, chunk, 0, chunkBytes, position);
    if (read === 0) break;
    position += read;
    yield* lines.push(chunk.subarray(0, read));
  }
  yield lines.end();
}

/** Where a batch starts, as its key begins since version 3 (`source_offset-hash`, see `planBatches`). */
const placed = /^([0-9]+_[0-9]+)-/;

/** Whether a journal line holds nothing (a line too long to read, undefined, holds something). */
function isBlank(line: string | undefined): boolean {
  return line?.trim() === '';
}

/**
 * Reads a journal's lines (`journalLines`). A line that is not a header or an entry is listed and
 * skipped, never fatal. Hint: `& object`, so that a string (an iterable of characters) is refused.
 */
export function parseJournal(lines: Iterable<string | undefined> & object): JournalContents {
  const contents: JournalContents = { header: undefined, confirmed: new Set(), recorded: new Map(), unreadable: [] };
  let first = true;
  let number = 0;
  for (const line of lines) {
    number++;
    if (isBlank(line)) continue;
    // Hint: the first line is the header callhook writes; anything else there is said as such,
    // not as a line torn by a crash (a journal's lines after it are the ones a crash tears).
    const atFirst = first;
    first = false;
    let value: unknown;
    try {
      if (line === undefined) throw new Error('too long to read');
      value = JSON.parse(line);
    } catch {
      if (atFirst) contents.notHeader = { line: number, edited: false };
      else contents.unreadable.push(number);
      continue;
    }
    // Hint: the header is the first line's alone; one further down is no line callhook writes.
    if (isHeader(value)) {
      if (atFirst) contents.header = value;
      else contents.unreadable.push(number);
      continue;
    }
    if (atFirst) {
      const named = value as { journal?: unknown; version?: unknown; fingerprint?: unknown } | null;
      const edited = named?.journal === journalKind;
      // A version callhook has written (1, with the fingerprint it no longer compares) or may
      // write (past this one's): said as such; any other header is an edit.
      const older = named?.version === 1 && typeof named.fingerprint === 'string';
      const newer = Number.isInteger(named?.version) && (named?.version as number) > journalVersion;
      // Hint: the first versions wrote no header, only entries: version 0 (review hT69). Their
      // keys began with the batch's ordinal alone; one naming where it starts in its file is this
      // version's, whose journal lost its first lines (emptied during its run: red team hF69).
      const first = !edited && isWrittenEntry(value);
      const cut = first && placed.test((value as JournalEntry).key);
      const version = first && !cut ? 0 : edited && (older || newer) ? named.version : undefined;
      contents.notHeader = {
        line: number,
        edited,
        ...(version === undefined ? {} : { otherVersion: version as number }),
        ...(cut ? { cut } : {}),
      };
      if (edited) continue;
    }
    if (!isEntry(value)) {
      if (!atFirst) contents.unreadable.push(number);
      continue;
    }
    // A later failure of the same key does not undo an earlier confirmation: the receiver has it.
    const delivered = value.status === 'delivered';
    if (delivered) contents.confirmed.add(value.key);
    const place = placed.exec(value.key)?.[1];
    const { events } = value as Partial<JournalEntry>;
    if (place !== undefined && Number.isSafeInteger(events) && (events as number) > 0) {
      if (delivered || !contents.recorded.has(place)) contents.recorded.set(place, events as number);
    }
  }
  return contents;
}

/**
 * Reads the journal at `path` for `--resume`; a missing file is an error (there is nothing to
 * resume), and so is one another user owns, or in a folder another user owns (`checkOwnFile`,
 * `checkFoldersOf`, which tell `warn` of one others can read or write to, or reach).
 */
export function readJournal(path: string, warn: (message: string) => void): JournalContents {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    checkOwnFile(path, fstatSync(fd), journalRisks, warn);
    checkJournalFolders(path, warn);
    return parseJournal(journalLines(fd));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CallhookError(
        `--resume: the journal ${path} does not exist, so nothing can be skipped (run without --resume to start one)`,
        ExitCode.usage,
      );
    }
    // Hint: an I/O error is named as every other refusal of the journal is (mode 200: writable,
    // so not refused before); the checks' own refusals say it already.
    const failure = describeIoError(error, path);
    if (!(failure instanceof CallhookError) || failure === error) throw failure;
    throw new CallhookError(`--journal: ${failure.message}`, failure.exitCode);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What this run would write in its header, compared with a journal's before `--resume` trusts it. */
export type RunIdentity = Pick<JournalHeader, 'inputs' | 'fingerprint' | 'files' | 'batchSize'> & {
  selection: string;
  delivery: string;
  /** The run has `--fresh`. */
  fresh: boolean;
};

const batchSizeText = (size: number | null) => (size === null ? 'no --batch-size' : `--batch-size ${size}`);

/**
 * The options that choose which events a run sends, as its journal records them: another choice
 * puts other events in each batch, so a resumed run would send delivered events again.
 */
export function selectionOf(options: {
  type: string | undefined;
  validate: boolean;
  maxElementBytes: number | undefined;
}): string {
  const words: string[] = [];
  if (options.type !== undefined) words.push(`--type ${options.type}`);
  if (!options.validate) words.push('--no-validate');
  const size = options.maxElementBytes ?? defaultMaxElementBytes;
  if (size !== defaultMaxElementBytes) words.push(`--max-element-size ${size}`);
  return words.join(' ');
}

/**
 * The options that shape how each batch is sent, as its journal records them: the rest of a run
 * resumed without the `--sign` (or `-H Authorization`) of its start goes out unsigned, and a
 * receiver refuses every batch. Hint: header names only; a value may be a secret.
 */
export function deliveryOf(options: {
  sign: string | undefined;
  signatureHeader: string;
  method: string;
  headers: Record<string, string>;
}): string {
  const words: string[] = [];
  if (options.sign !== undefined) words.push(`--sign ${options.sign}`);
  if (options.sign === 'hmac') words.push(`--signature-header ${options.signatureHeader}`);
  if (options.method !== 'POST') words.push(`--method ${options.method}`);
  for (const name of Object.keys(options.headers).sort()) words.push(`-H ${name}`);
  return words.join(' ');
}

/** How a refusal for a changed input ends when the input can be put back. */
const resumeOrAgain = 'rerun with --resume, or replay with a new --journal (which sends every batch again)';

/**
 * The first file of the input that differs from the one a journal's run read (`then`), and what
 * to do about it; undefined when it cannot be told (a journal that lists no files). Hint: the
 * fingerprints run through the files in order, so only the first difference is known: a file
 * after it compares unlike whether or not it changed.
 */
function firstChange(
  then: readonly InputFile[] | undefined,
  now: readonly InputFile[] | undefined,
): string | undefined {
  if (!then || !now) return undefined;
  for (let at = 0; at < Math.max(then.length, now.length); at++) {
    const was = then[at];
    const is = now[at];
    if (was?.through === is?.through) continue;
    if (was && is?.name === was.name) {
      if (is.size > was.size) {
        return `${was.name} has grown from ${was.size} to ${is.size} bytes: put it back as it was (its first ${was.size} bytes, if lines were only added) and rerun with --resume, then replay the rest alone with a new --journal`;
      }
      const sizes = is.size === was.size ? ', its size kept' : ` (${was.size} bytes then, ${is.size} now)`;
      return `${was.name} has changed${sizes}: put it back as it was and ${resumeOrAgain}`;
    }
    if (is && !then.some((file) => file.name === is.name)) {
      return `${is.name} was added: move it out of the input and rerun with --resume, then replay it alone with a new --journal`;
    }
    if (was && !now.some((file) => file.name === was.name)) {
      return `${was.name} is gone: put it back as it was (${was.size} bytes) and ${resumeOrAgain}`;
    }
    return undefined;
  }
  return undefined;
}

/**
 * Throws a usage error saying what differs when the journal at `path` was not written for this
 * run's input and `--batch-size`: its confirmations would name other batches, and resuming from
 * it would silently send everything again; or saying it is empty. `notHeader`: the journal's
 * first line, when it is no header (`parseJournal`), named in the error.
 */
export function checkResume(
  path: string,
  header: JournalHeader | undefined,
  run: RunIdentity,
  notHeader?: NotHeader,
): void {
  const problems: string[] = [];
  if (!header && notHeader?.otherVersion !== undefined) {
    const version = notHeader.otherVersion;
    const finish =
      'finish the run with the callhook that wrote it, or start a new journal (which sends every batch again)';
    problems.push(
      version === 0
        ? `it was written by an early callhook replay, before journals had a header, which this one cannot resume: ${finish}`
        : version < journalVersion
          ? `it was written by an earlier callhook replay (journal version ${version}), whose fingerprint of the input this one cannot compare: ${finish}`
          : `it was written by a newer callhook replay (journal version ${version}); resume it with that one`,
    );
  } else if (!header && notHeader) {
    const first = `its first line (${path}:${notHeader.line})`;
    problems.push(
      notHeader.cut
        ? `${first} is a batch's, not the header: it was emptied or cut short during its run, and what it recorded before with it; ${startAgain}`
        : notHeader.edited
          ? `${first} is a callhook replay journal header with fields callhook does not write (edited by hand?)`
          : `${first} is not a callhook replay journal header, so the file was not written by callhook replay (or by this version of it)`,
    );
  } else if (!header) {
    // Hint: no line at all, as a run killed between making its journal and writing its header
    // leaves it: nothing to distrust, and nothing to resume (a new run takes an empty journal).
    throw new CallhookError(
      `--resume: the journal ${path} is empty: nothing is recorded in it (its run delivered nothing, was stopped before it wrote its first line, or it was emptied since); run without --resume to send every batch`,
      ExitCode.usage,
    );
  } else {
    const sameInputs = header.inputs.join('\0') === run.inputs.join('\0');
    const comparable = header.fingerprint !== null && run.fingerprint !== null;
    if (!sameInputs && !(comparable && header.fingerprint === run.fingerprint)) {
      problems.push(otherInput(header.inputs, run.inputs));
    } else if (comparable && header.fingerprint !== run.fingerprint) {
      const said = `the input (${namesOf(run.inputs)}) has changed since it was written`;
      problems.push(`${said}: ${firstChange(header.files, run.files) ?? `put it back as it was and ${resumeOrAgain}`}`);
    }
    if (header.batchSize !== run.batchSize) {
      problems.push(
        `it was written with ${batchSizeText(header.batchSize)}, and this run has ${batchSizeText(run.batchSize)}`,
      );
    }
    if (header.selection !== undefined && header.selection !== run.selection) {
      const none = 'none of --type, --no-validate, --max-element-size';
      problems.push(`it was written with ${header.selection || none}, and this run has ${run.selection || none}`);
    }
    if (header.delivery !== undefined && header.delivery !== run.delivery) {
      const none = 'none of --sign, --method, -H';
      problems.push(`it was sent with ${header.delivery || none}, and this run sends with ${run.delivery || none}`);
    }
    // Hint: the rest of a --fresh run sent without it would carry the events' own ids, and the other way round.
    if (header.fresh !== undefined && (header.fresh !== null) !== run.fresh) {
      problems.push(
        header.fresh
          ? 'it was written with --fresh, and this run has no --fresh'
          : 'it was written without --fresh, and this run has --fresh',
      );
    }
  }
  if (problems.length > 0) {
    throw new CallhookError(`--resume: cannot trust the journal ${path}: ${problems.join('; ')}`, ExitCode.usage);
  }
}

/** The inputs a run was given, as a refusal names them: the first three, and a count of the rest (10,000 made a line of 140 KB: red team hR110). */
function namesOf(inputs: readonly string[]): string {
  if (inputs.length === 0) return '(none)';
  const shown = inputs.slice(0, 3).join(' ');
  return inputs.length > 3 ? `${shown} and ${grouped(inputs.length - 3)} more` : shown;
}

/**
 * The refusal of a journal written for other inputs than the run's; where a list is longer than
 * `namesOf` shows, with the first place they differ, which both sides' first names may not show
 * (review hR111).
 */
function otherInput(then: readonly string[], now: readonly string[]): string {
  const said = `it is for the input ${namesOf(then)}, and this run reads ${namesOf(now)}`;
  // Hint: the same names in another order, which the first place they differ reads as other files (review hR112).
  const sorted = (names: readonly string[]) => [...names].sort().join('\0');
  if (then.length === now.length && sorted(then) === sorted(now)) return `${said}: the same inputs in another order`;
  if (then.length <= 3 && now.length <= 3) return said;
  const differs = then.findIndex((name, i) => name !== now[i]);
  const at = differs === -1 ? then.length : differs;
  return `${said}; they differ first at input ${grouped(at + 1)}: ${then[at] ?? 'none'} there, ${now[at] ?? 'none'} here`;
}

/** How often a run touches its lock, and how long a lock whose id cannot be checked may stay untouched. */
const heartbeatMs = 10_000;
const silentMs = 60_000;

/** This process's pid namespace (`pid:[4026531836]`), in which alone a lock's id can be checked; '' where there is none to read. */
function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/** Where the lock of the journal at `path` is: beside the real journal (`run.jsonl.lock`). */
export function journalLockOf(path: string): string {
  return `${realPathOf(path)}.lock`;
}

/**
 * Takes the journal's lock, `<file>.lock` beside the file the path names (through a symlink),
 * holding this process's id, host, a nonce and pid namespace, and returns its release (also run
 * when the process exits). A second run on the same journal is refused while the first runs:
 * reading it before the first has confirmed everything, it would send those batches again. A
 * lock whose process has gone (killed with SIGKILL, a crash) is taken over. The id of a lock from
 * another host cannot be checked, and is refused naming it. Nor can one from another pid
 * namespace of this host (another container): the run holding it touches it every 10 s, and it
 * is refused until silent for 60 s; a run whose lock another has taken over so is told `onLost`
 * (naming the new holder), as is one whose lock was deleted and made by another run since
 * (`deleted`); a lock deleted and not made since is made again, with a warning. A folder that
 * takes no new file (read-only, though the journal in it is writable) is told to `warn`, and the
 * run goes on unlocked, as is a folder on the way that others can write to; one another user owns is refused (`checkFoldersOf`). Hint: a lock file
 * made exclusively, as git's index.lock is; node has no flock.
 */
export function lockJournal(
  path: string,
  warn: (message: string) => void,
  onLost: (holder: string, deleted: boolean) => void = () => {},
): () => void {
  // Hint: the lock is the first file a run makes beside its journal.
  checkJournalFolders(path, warn);
  const lock = journalLockOf(path);
  // Hint: a nonce too, so that a lock made anew by a run with the same id is told apart.
  const mine = `${[process.pid, hostName(), randomBytes(6).toString('hex'), pidNamespace()].join(' ').trimEnd()}\n`;
  for (let attempt = 1; ; attempt++) {
    try {
      makeWhole(lock, mine);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Hint: the journal is usable though no lock can be made beside it: a read-only folder, or
      // a journal name that leaves no room for `.lock` (ENAMETOOLONG).
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENAMETOOLONG') {
        warn(
          `cannot lock the journal ${path} (${ioReason(error)}): do not start another replay on it until this one ends`,
        );
        return () => {};
      }
      if (code !== 'EEXIST') {
        throw new CallhookError(`--journal: cannot lock ${path} (${lock}): ${ioReason(error)}`, ExitCode.usage);
      }
      const holder = lockHolder(lock, true);
      if (holder.gone && attempt <= 3) {
        // A lock that went as it was read is made again, not taken over: there is no text to check.
        if (holder.text === undefined) continue;
        const stuck = takeOver(lock, holder.text, mine);
        // Hint: a folder that takes names but gives none up (chattr +a): refusing the journal as
        // in use, naming a run long ended, would refuse it for good.
        if (stuck !== undefined) {
          warn(
            `cannot lock the journal ${path}: its lock ${lock} was left by ${goneHolderOf(holder.text)}; ${stuck}: do not start another replay on it until this one ends`,
          );
          return () => {};
        }
        continue;
      }
      throw new CallhookError(
        `--journal: ${path} is in use by another replay (${holder.who}${lock}): two runs on one journal would send the same batches twice; wait for it to end, or delete ${lock} if no replay is using it`,
        ExitCode.usage,
      );
    }
  }
  removeStaleDrafts(lock);
  let held = true;
  // Hint: held open, to be found where it went: a folder renamed during the run took the journal
  // and its lock along, and the lock was left there, naming the run long ended (red team hR97).
  // Not the one the heartbeat makes again: then both are this run's, and both are removed.
  const descriptor = openAtOnce(lock);
  const heartbeat = setInterval(() => {
    let text = lockText(lock);
    if (text === undefined) {
      // Hint: removed by hand (or unreadable): made again, or a second run on the journal would
      // be let in; one made meanwhile by another run is that run's, said below.
      try {
        makeWhole(lock, mine);
        warn(
          `the journal's lock ${lock} was deleted during the run: made again, so that another replay on ${path} is still refused`,
        );
        return;
      } catch {
        text = lockText(lock);
        if (text === undefined) return;
      }
    }
    if (text === mine) {
      try {
        utimesSync(lock, new Date(), new Date());
      } catch {
        // Gone meanwhile: made again at the next beat.
      }
      return;
    }
    // Taken over (this run was judged silent: paused, say, past `silentMs`), or deleted and made
    // by another. Hint: a run of this host and pid namespace sees this one running, and never takes
    // over its lock; nor does any write a lock with no id.
    clearInterval(heartbeat);
    const holder = holderOf(text);
    onLost(holder?.name ?? 'a lock with no id', holder === undefined || holder.where === 'here');
  }, heartbeatMs);
  heartbeat.unref();
  const release = () => {
    if (!held) return;
    held = false;
    clearInterval(heartbeat);
    process.off('exit', release);
    const places: OpenablePath[] = [lock];
    if (descriptor !== undefined) {
      const now = placeOf(descriptor);
      if (now !== undefined && !now.equals(Buffer.from(lock))) places.push(now);
      closeSync(descriptor);
    }
    for (const place of places) {
      // Only a lock that is still this run's: another may have taken over one it judged stale.
      // Gone already, or unreadable: nothing of this run's to remove.
      if (lockText(place) !== mine) continue;
      try {
        // Hint: unlink, not rm: in a folder that gives no name up, rm says "not a directory".
        unlinkSync(place);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        const name = typeof place === 'string' ? place : fileNameOf(place);
        warn(
          `cannot remove the journal's lock ${name} (${ioReason(error)}): it is left, naming this run (pid ${process.pid})`,
        );
      }
    }
  };
  process.on('exit', release);
  refuseSecondNames(path, release);
  return release;
}

/**
 * Where the file open as `fd` is now, as Linux names it (/proc/self/fd), as bytes; undefined where
 * that cannot be read (no /proc) or the file has no name left (deleted, taken over).
 */
function placeOf(fd: number): Buffer | undefined {
  try {
    if (fstatSync(fd).nlink === 0) return undefined;
    return readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' });
  } catch {
    return undefined;
  }
}

/**
 * Refuses, its lock let go of (`release`), a journal that has more than one name (a hard link):
 * the lock is named after the path, so a run through another name would take a lock of its own,
 * and both would send the batches the journal has not confirmed. Hint: checked once the lock is
 * held, so a name added after this run's check is seen by the run that uses it.
 */
function refuseSecondNames(path: string, release: () => void): void {
  let names: number;
  try {
    names = statSync(path).nlink;
  } catch {
    return; // Not made yet: a new journal has one name.
  }
  if (names <= 1) return;
  release();
  throw new CallhookError(
    `--journal: ${path} is one of ${names} names of one file (hard links), and a replay through another name would not see this run's lock; give a journal with one name (copy it to a new file, or remove the other name)`,
    ExitCode.usage,
  );
}

/**
 * Makes `path` holding `text`, failing with EEXIST when it exists: written aside and linked into
 * place, so that no run ever reads it empty (a file made with O_EXCL is, until written). Where the
 * file system has no hard links, made with O_EXCL.
 */
function makeWhole(path: string, text: string): void {
  const draft = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeNewSync(draft, text);
  try {
    linkSync(draft, path);
  } catch (error) {
    if (!cannotLink(error)) throw error;
    writeNewSync(path, text);
  } finally {
    removeLeaving(draft);
  }
}

/**
 * Makes `path` holding `text`, failing with EEXIST when it exists, for the user alone whatever the
 * umask, as the journal: another user's id written into a lock would make the run judge it taken
 * over, and stop. Hint: one made that its text could not be written to (a full disk) is removed,
 * not left empty: a draft left so stayed for good, one more each attempt, and a lock or turn would
 * stand in the next run's way.
 */
function writeNewSync(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeAllSync(fd, Buffer.from(text));
  } catch (error) {
    removeLeaving(path);
    throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes a file this run made for a moment. Hint: one that cannot be removed (a folder that takes
 * names but gives none up: chattr +a) is left, for `removeStaleDrafts` to remove once its run is
 * gone: what the run did (a lock taken, or refused) stands, not hidden behind this failure.
 */
function removeLeaving(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left, as said.
  }
}

/**
 * Removes the drafts of `lock` (see `makeWhole`) that runs killed before linking them left. Each
 * holds the lock's text, and is judged as a lock is (`lockHolder`): one whose run may still be
 * making it (it runs, or in another pid namespace is not yet silent, or is on another host) stays.
 * Only what a run writes there is removed: the text of a lock naming the pid its name does, or
 * nothing (killed before writing it); and one that cannot be removed is left, as it is not this run's.
 */
function removeStaleDrafts(lock: string): void {
  const folder = dirname(lock);
  const prefix = `${basename(lock)}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9]+\.[0-9a-f]{12}$/.test(name.slice(prefix.length))) continue;
    const draft = join(folder, name);
    const { gone, text } = lockHolder(draft);
    if (!gone || text === undefined) continue;
    if (text !== '' && String(holderOf(text)?.pid) !== name.slice(prefix.length).split('.')[0]) continue;
    try {
      rmSync(draft);
    } catch {
      // Another user's, in a sticky folder, or not a file: not this run's to remove.
    }
  }
}

/**
 * Removes a stale lock whose text was `seen`, unless another run has already replaced it, and
 * says why not when it cannot be (`it cannot be removed (…)`). Runs taking over take turns, each
 * holding `<lock>.takeover` (made with O_EXCL, holding its lock's text, `mine`) while it checks
 * the text and removes the lock: a lock then changes only by being made anew, which its text
 * (unique to each run) tells apart. Hint: moving the lock aside to check it left a moment with no
 * lock, in which a third run made its own while a second held one.
 */
function takeOver(lock: string, seen: string, mine: string): string | undefined {
  const turn = `${lock}.takeover`;
  for (let waited = 0; ; waited += 10) {
    try {
      writeNewSync(turn, mine);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || waited >= 2000) return undefined;
      // A turn held this long, or by a run that has gone, is a run killed in the middle of its
      // (millisecond) takeover, or one that could not remove it (a folder that gives no name up).
      // Hint: one gone as it was read was given up by its run: tried for again, not removed, since
      // a third run may have made its own meanwhile, which removing would let two take over at once.
      // One that cannot be read (another user's, or not a file) is judged by its age alone.
      const holder = lockHolder(turn);
      if (ageOf(turn, true).ms > 10_000 || (holder.text !== undefined && holder.gone)) {
        try {
          unlinkSync(turn);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
            return `it cannot be taken over, as the turn a run before took to do so (${turn}) cannot be removed (${ioReason(error)})`;
        }
      } else Atomics.wait(pause, 0, 0, 10);
    }
  }
  try {
    if (lockText(lock) !== seen) return undefined;
    unlinkSync(lock);
    return undefined;
  } catch (error) {
    // Removed already: the next attempt makes a lock, or finds the one another run made.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `it cannot be removed (${ioReason(error)})`;
  } finally {
    removeLeaving(turn);
  }
}

/** The most of a lock's (or turn's) text read: a run's id is a line of under 100 bytes. */
const lockTextBytes = 1024;

/**
 * The text of the lock (or turn) `path`, its first `lockTextBytes`; undefined when it is gone, or is no regular file. Hint:
 * opened without waiting and checked first: a FIFO planted in its place by anyone who can write
 * the folder held a read for ever, and no signal could end the run meanwhile.
 */
function lockText(path: OpenablePath): string | undefined {
  const fd = openAtOnce(path);
  if (fd === undefined) return undefined;
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    // Hint: a lock's text is under 100 bytes; one planted of a gigabyte was read whole, four times.
    const buffer = Buffer.alloc(lockTextBytes);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, lockTextBytes, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Something to wait on, for a pause without an event loop. */
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * How long ago a lock (or turn) of this host was last changed, in ms (0 when it has gone), and
 * whether it was stamped ahead of this machine's clock. Hint: its holder stamps it with this
 * clock, so one ahead of it means the clock went back since (an NTP step, a snapshot restored).
 * When `restamp` (a run about to take the lock) it is stamped now, to age from now: it was young
 * until the clock caught up (a day, for a step of a day), and one a killed run left refused all
 * that while. A holder that runs touches it as before. Only a regular file of this user's is
 * stamped, through the file itself, never a symlink's target (review hR62).
 */
function ageOf(path: string, restamp = false): { ms: number; ahead: boolean } {
  let ms: number;
  try {
    ms = Date.now() - statSync(path).mtimeMs;
  } catch {
    return { ms: 0, ahead: false };
  }
  if (ms >= -1000) return { ms: Math.max(0, ms), ahead: false };
  if (!restamp) return { ms: 0, ahead: false };
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    // Hint: where there is no user id (Windows), the file's own is not asked.
    const euid = process.geteuid?.();
    if (!stats.isFile() || (euid !== undefined && stats.uid !== euid)) return { ms: 0, ahead: false };
    const now = new Date();
    futimesSync(fd, now, now);
    return { ms: 0, ahead: true };
  } catch {
    // Gone, or a symlink: as young as can be, as it was.
    return { ms: 0, ahead: false };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** How a refusal says a lock was stamped ahead of the clock (see `ageOf`). */
const aheadNote = "stamped ahead of this machine's clock, counted from now, ";

/**
 * Who holds a lock (`pid 123, ` or `pid 123 on host, …`, for the message), its text, and whether
 * its process has gone: a process of this host and pid namespace that no longer runs, or this
 * very process's id (a run before a restart, where every run is pid 1). One from another pid
 * namespace has gone once silent for `silentMs`; one from another host never has. A lock with no
 * id (cut short, or written by hand) is held for 5 s, then has gone; one that went as it was
 * read, too, with no text.
 */
function lockHolder(lock: string, restamp = false): { gone: boolean; text: string | undefined; who: string } {
  const text = lockText(lock);
  if (text === undefined) return { gone: true, text: undefined, who: '' };
  const holder = holderOf(text);
  if (!holder) {
    const age = ageOf(lock, restamp);
    return {
      gone: age.ms >= 5000,
      text,
      who: age.ahead ? `a lock with no id ${aheadNote}taken over once untouched for 5 s; ` : '',
    };
  }
  const { pid, name } = holder;
  // Hint: another host's clock stamps its lock, and may differ from this one's: never taken over.
  if (holder.where === 'host') return { gone: false, text, who: `${name}, ` };
  if (holder.where === 'namespace') {
    const age = ageOf(lock, restamp);
    const heard = age.ahead ? aheadNote : `heard from ${Math.floor(age.ms / 1000)} s ago, `;
    return { gone: age.ms > silentMs, text, who: `${name}, ${heard}taken over once silent for ${silentMs / 1000} s; ` };
  }
  const who = `${name}, `;
  if (pid === process.pid) return { gone: true, text, who };
  try {
    process.kill(pid, 0);
    return { gone: false, text, who };
  } catch (error) {
    // EPERM: it runs, as another user.
    return { gone: (error as NodeJS.ErrnoException).code !== 'EPERM', text, who };
  }
}

/** How a warning names the holder of a lock `lockHolder` judged gone, from its text. */
function goneHolderOf(text: string): string {
  const holder = holderOf(text);
  if (!holder) return 'a replay that wrote no id into it, untouched for over 5 s';
  if (holder.where === 'namespace') return `replay ${holder.name}, silent for over ${silentMs / 1000} s`;
  return `replay ${holder.name}, which has ended`;
}

/**
 * This machine's name as a lock holds it: one word, `-` for none. Hint: a machine with no name (a
 * minimal sandbox, `unshare --uts`) wrote an empty field, and its lock read as one with no id,
 * which another run takes over once it is 5 s old, from a run still going.
 */
function hostName(): string {
  return hostname().replace(/\s/g, '') || '-';
}

/**
 * A lock's holder, from its text: its id, where it runs (this host and pid namespace, another
 * host, or another namespace of this host), and how messages name it; undefined for a lock with no id.
 */
function holderOf(text: string): { pid: number; where: 'here' | 'host' | 'namespace'; name: string } | undefined {
  const match = /^([0-9]+) (\S+)(?: [0-9a-f]+)?(?: (\S+))?\n$/.exec(text);
  const pid = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const host = match[2] ?? '';
  const namespace = match[3] ?? '';
  if (host !== hostName()) return { pid, where: 'host', name: `pid ${pid} on ${host}` };
  if (namespace !== '' && namespace !== pidNamespace()) {
    return { pid, where: 'namespace', name: `pid ${pid} in another pid namespace` };
  }
  return { pid, where: 'here', name: `pid ${pid}` };
}

/** How much of a file's start `isJournalFile` reads. */
const headerProbeBytes = 64 * 1024;

/**
 * Whether `path` is a replay journal: a regular file whose first line names itself one
 * (`"journal": "callhook replay"`), of any version, edited or not. Hint: only its start is read,
 * so an export of gigabytes in its place costs nothing; a header longer than that (thousands of
 * inputs named) is told by how callhook writes it, with `journal` first.
 */
function isJournalFile(path: string): boolean {
  let fd: number | undefined;
  try {
    // Hint: a named pipe is never opened here: opening one waits for, or steals from, its writer.
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const start = Buffer.alloc(headerProbeBytes);
    const read = readSync(fd, start, 0, start.length, 0);
    const text = start.toString('utf8', 0, read).trimStart();
    const end = text.indexOf('\n');
    if (end === -1 && read === start.length) return text.startsWith(`{"journal":${JSON.stringify(journalKind)}`);
    const first = JSON.parse(end === -1 ? text : text.slice(0, end)) as { journal?: unknown } | null;
    // Hint: the first versions wrote no header: an entry first is theirs (review hT69).
    return first?.journal === journalKind || isWrittenEntry(first);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Refuses to replace `path` (`generate --out`, `replay --report`, even with `--force`) when it is
 * a record another run keeps, or kept, of what it did: a replay journal, the record of what its
 * run delivered that `--resume` reads, or the journal of a replay that holds its lock now (which
 * may not have written it yet); a journal's lock; or a file of a `listen --out` capture folder,
 * which `verify` reads back (see `captureFileOf`). A one-line usage error naming it, and the
 * replay holding it. Hint: the lock is judged as `lockJournal` judges it. A lock or a capture log
 * replaced stopped the replay holding it, blaming "another replay", or had listen append its log
 * to the file that replaced it, unsaid, and verify fail every delivery before (red team hR119).
 */
export function refuseReplacingRecord(path: string): void {
  const lock = journalLockOf(path);
  const holder = lockHolder(lock);
  const live = holder.text !== undefined && !holder.gone;
  // Hint: the file the output would replace, as fileSink renames onto it: a symlink or a `..`
  // named otherwise led to a capture's log or a live lock (review hR121).
  const real = realPathOf(path);
  const locked = real.endsWith('.lock') ? real.slice(0, -'.lock'.length) : undefined;
  // Hint: only a journal no run holds is one a user may delete to write there; a lock or a
  // capture's file deleted loses what the run or verify needs.
  const ended = !live && isJournalFile(path);
  const record = live
    ? `the journal of a replay running now (${holder.who}${lock}), the record of what its run delivered, which --resume reads`
    : ended
      ? 'a replay journal, the record of what its run delivered, which --resume reads'
      : locked !== undefined && existsSync(locked) && holderOf(lockText(real) ?? '') !== undefined
        ? `the lock of the replay journal ${locked}, which keeps a second run from sending its batches again`
        : captureFileOf(real);
  if (record === undefined) return;
  throw new CallhookError(
    `${path}: is ${record}: never replaced, even with --force; name another file${ended ? ', or delete that one first' : ''}`,
    ExitCode.usage,
  );
}

/**
 * What the file `path` is of a `listen --out` capture folder, by its name: the log
 * (`deliveries.meta`), or a file listen numbered (`000001.ndjson`, `.json`, `.body`, `.meta`)
 * beside a log or a layout 1 description of its number; undefined for any other, or none there.
 */
function captureFileOf(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const name = basename(path);
  if (name === captureLogName) return "a listen capture's log, describing each delivery, which verify reads";
  const number = numbered.exec(name)?.[1];
  if (number === undefined) return undefined;
  const folder = dirname(path);
  const described = [captureLogName, `${number}${metaSuffix}`].some((beside) => existsSync(join(folder, beside)));
  return described
    ? 'a file of a listen capture (a body or a description beside its log), which verify reads'
    : undefined;
}

/**
 * Whether the regular file `path` holds a line that is not blank, as `parseJournal` reads it: one
 * of only blank lines (`echo > run.jsonl`) is empty to both. One that cannot be read may hold anything.
 */
function holdsLines(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    for (const line of journalLines(fd)) if (!isBlank(line)) return true;
    return false;
  } catch {
    return true;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Refuses to start a new journal in a file that already holds one (use `--resume` to continue
 * it). Hint: empty as `--resume` judges it (`checkResume`), blank lines and all: a file of a line
 * break was refused here as existing, and there as empty, each refusal pointing at the other.
 */
export function refuseExistingJournal(path: string): void {
  try {
    const stats = statSync(path);
    if (!stats.isFile() || stats.size === 0 || !holdsLines(path)) return;
  } catch {
    return;
  }
  throw new CallhookError(
    `the journal ${path} already exists: pass --resume to continue that run, or name a new file`,
    ExitCode.usage,
  );
}

/** How much of an input file `fingerprintInputs` reads at a time. */
const fingerprintReadBytes = 1024 * 1024;

/**
 * A fingerprint of the content of the input's `sources` (as `listSources` lists them): a SHA-256 of each file's size and all of its bytes; and
 * each file, with its size and the fingerprint so far (see `InputFile`). Null
 * when the input includes stdin, whose content cannot be known in advance. Hint: all of them, not
 * a sample: a status changed in the middle of an export, its size kept, was not seen, and the
 * event made invalid shifted every later batch to a new key, so --resume sent delivered events
 * again. It costs one more read of the input (bench/RESULTS.md, figures behind code comments).
 * `covered`: the sources, each to be read no further than the fingerprint covers (`Source.size`).
 */
export async function fingerprintInputs(
  sources: readonly Source[],
): Promise<{ fingerprint: string; files: InputFile[]; covered: Source[] } | null> {
  let hash = createHash('sha256');
  const files: InputFile[] = [];
  const covered: Source[] = [];
  // Hint: the sources the run listed, not listed again: a folder of 20,000 files was walked twice.
  for (const source of sources) {
    if (source.path === '-') return null;
    const before = hash.copy();
    let size = 0;
    let read = 0;
    try {
      // Hint: read as every command reads a file (see `readChunks`): as it was when opened, and
      // refused when cut short, rewritten or marked by fix --write meanwhile.
      const opened = (info: BigIntStats) => {
        size = Number(info.size);
        hash.update(`${info.size}\n`);
      };
      for await (const chunk of readChunks(source.path, 0, fingerprintReadBytes, undefined, opened, source.inFolder)) {
        hash.update(chunk);
        read += chunk.length;
      }
      // Hint: its size then fell part way through a line being written, which the reading went on
      // to the end of, as the run's does: the journal holds the file to that end, so that --resume's
      // advice to put it back to its first bytes names the end of a line the run sent whole. To its
      // size at the open, the line's first part was sent again, as events of a new batch (review
      // hR102); with the bytes read past it, the advice was refused again (review hR100). Hashed
      // again with the size it was read to, as a file of that size is (rare: a file being written).
      if (size > 0 && read > size) {
        hash = before;
        hash.update(`${read}\n`);
        await hashFirst(hash, source, read);
        size = read;
      }
      hash.update('\n');
    } catch (error) {
      throw describeIoError(error, source.name);
    }
    // Hint: a copy of the hash so far, not a hash of each file: no byte is hashed twice.
    files.push({ name: source.name, size, through: hash.copy().digest('hex').slice(0, 32) });
    covered.push({ ...source, size });
  }
  return { fingerprint: `sha256:${hash.digest('hex')}`, files, covered };
}

/** Hashes the first `bytes` bytes of `source` into `hash`, read as every command reads a file: one cut shorter since fails (ECHANGED). */
async function hashFirst(hash: Hash, source: Source, bytes: number): Promise<void> {
  let hashed = 0;
  for await (const chunk of readChunks(source.path, 0, fingerprintReadBytes, undefined, undefined, source.inFolder)) {
    const taken = Math.min(chunk.length, bytes - hashed);
    hash.update(chunk.subarray(0, taken));
    hashed += taken;
    if (hashed === bytes) return;
  }
  throw cutShort(bytes, hashed);
}
