/**
 * Reads one large export on two threads: the main thread reads the first half of the file and a
 * worker the second, each into its own consumer, and the worker's counts are merged in at the
 * end. The worker starts at a guess, an element of the top-level array found by its
 * indentation or a line of NDJSON past the middle of what the main thread has left to read when
 * the worker is ready (see `chooseCut`), and its work is used only if the guess is proved right: the
 * main thread, arriving at that byte, is between two elements. Otherwise the main thread reads on alone,
 * as if no worker had run.
 *
 * A redelivery across the halves (an event id seen on both sides) must count once, its first
 * copy, as on one thread. The worker tells, for each id it saw first, where that event was; the
 * main thread reads again the few whose ids it had seen too (second copies, so redeliveries) and
 * the consumer takes them out of the worker's counts (see `MergingConsumer.merge`).
 *
 * Every reading of the file opens it by its name, and a name may be given to another file while
 * the file is read (an editor saves by renaming a new version over the old). So each notes what
 * it opened (see `openedAs`), and the halves are merged only when all opened one file, as it was
 * when the main thread opened it: otherwise the main thread reads on alone the file it has open.
 */
import { type BigIntStats, readFileSync } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { excerpt, impossible } from '../errors.js';
import { fileId } from '../output-file.js';
import type { WebhookEvent } from '../schema/events.js';
import { FingerprintSet, fingerprintSeed, useFingerprintSeed } from './fingerprint-set.js';
import { type ReadOptions, readRecords } from './read.js';
import { RecentFirsts } from './recent-firsts.js';
import { firstSeenId, undocumentedAsEvent } from './records.js';
import { type Budget, mayOpenEvent } from './recovery.js';
import type { ResumePoint } from './split.js';
import type { ElementInfo, InputRecord } from './types.js';

/**
 * A record of a counted event, as `readRecords` yields it: a valid event, or an invalid element
 * holding a call of an undocumented status (see `undocumentedStatusCall`).
 */
export type CountedRecord = Extract<InputRecord, { kind: 'event' | 'invalid' }>;

/**
 * An event the second half's reader counted as first seen that was a redelivery (see
 * `MergingConsumer.merge`): its record read again and the event it counts as, its place among
 * the events that reader saw first (0 for the first), and the line and column in the file where
 * it begins.
 */
export interface Redelivery {
  record: CountedRecord;
  event: WebhookEvent;
  first: number;
  line: number;
  column: number;
}

/**
 * Where the second half began, as the main thread (which read up to it) knows it: its line and
 * column, and in a top-level array the index there of the element it began with (undefined in
 * NDJSON, where positions inside each value count from that value).
 */
export interface CutPosition {
  offset: number;
  line: number;
  column: number;
  batchIndex: number | undefined;
  /** Where the top-level array the cut is in opened (its `[`), when the cut is in one. */
  opened?: { line: number; column: number } | undefined;
}

/** A consumer whose counts can be taken from one thread and merged into another's. */
export interface MergingConsumer<State> {
  add(records: InputRecord[]): void;
  state(): State;
  /**
   * Merges the state of a consumer that read the records from `cut` on (its positions count
   * from there: line 1, column 1, the array's element 0). `redeliveries` are the events, in file
   * order, that consumer counted as first seen but whose ids this one had seen: as one consumer
   * reading both would, they are redeliveries (`duplicate`, with the `duplicate-id` warning when
   * warnings are looked for), read again with positions counted from their own first byte.
   * Returns undefined once merged; or, merging nothing, why the merged counts could not be made
   * exactly those of one consumer (`redeliveriesNotTakenOut` of input/types.ts, or what the other
   * consumer read).
   */
  merge(state: State, redeliveries: readonly Redelivery[], cut: CutPosition): string | undefined;
  /** Whether it may still list a problem of a severity placed at or after `at`: the reading of its records asks (see `ReadOptions.mayListFrom`). */
  mayListFrom?: ReadOptions['mayListFrom'];
  /** Told what the file is when the main thread's reading opens it (see `ReadRange.onOpen` in read.ts). */
  opened?: ((name: string, info: BigIntStats) => void) | undefined;
}

/** The options a worker reads with: only what can cross threads. */
export type WorkerReadOptions = Pick<
  ReadOptions,
  'type' | 'strict' | 'warnings' | 'maxIssues' | 'maxElementBytes' | 'batchSize' | 'firstCopies'
>;

interface HalfData {
  callhookHalf: string;
  input: unknown;
  path: string;
  /** The `CutCells`' memory. */
  cells: SharedArrayBuffer;
  readOptions: WorkerReadOptions;
  /** The main thread's fingerprint seed: the halves' id sets are compared fingerprint by fingerprint. */
  fingerprintSeed: number;
}

/**
 * What the main thread and a worker share to agree on the cut: at `progressCell`, about how far the
 * main thread has read (where the last element it handed on began); at `cutCell`, where the worker
 * chose to start when it was ready to read (0 until then).
 */
type CutCells = BigInt64Array;
const progressCell = 0;
const cutCell = 1;

const onePlaceEach = 'positionsOf gives one place for each offset';

/**
 * What a file opened is, for telling that two openings of one name opened one file, as it was:
 * its device and inode (see `fileId`) and its size.
 */
function openedAs(info: BigIntStats): string {
  return `${fileId(info)}:${info.size}`;
}

/** Opens the file `path` names to read, adding what it is (see `openedAs`) to `files`. */
async function openNoted(path: string, files: Set<string>): Promise<FileHandle> {
  const handle = await open(path, 'r');
  try {
    files.add(openedAs(await handle.stat({ bigint: true })));
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The cut a worker reads from: the first element boundary past the middle of what the main
 * thread has left to read when the worker is ready, so that both have as much to read from then
 * on. Hint: a cut fixed before the worker starts must guess how long it takes to start, which
 * varies with the machine's load; the thread that ends first then waits for the other. Were the
 * main thread past the cut before it is told (it is half of what is left ahead), it reads on
 * alone, as if no worker had run.
 */
async function chooseCut(path: string, cells: CutCells, files: Set<string>): Promise<Midpoint> {
  const { size } = await stat(path);
  const read = Number(Atomics.load(cells, progressCell));
  // Hint: before the main thread has handed anything on (it waits, under CALLHOOK_THREADS=2), the
  // cut is the one a function on that thread would read from: the same file reads the same way.
  // The main thread also gets a little more (up to 1 MiB): it reads on while the worker opens the
  // file and warms up on its first records. Timed with CALLHOOK_THREADS=times, the worker ended a
  // few tens of milliseconds after the main thread reached the cut without it.
  const left = size - read;
  const middle = read + Math.floor(left / 2) + Math.min(2 ** 20, Math.floor(left / 50));
  const from = await findMidpoint(path, size, read > 0 ? middle : undefined, files);
  if (!from) throw new Error('no element boundary found past the middle of what is left to read');
  Atomics.store(cells, cutCell, BigInt(from.offset));
  return from;
}

/**
 * What the second half's reader sends back: its consumer's state, its event ids (a
 * `FingerprintSet` snapshot), how far past the start of the half each event whose id it saw
 * first began, in the order it saw them, and what file it read.
 */
export type HalfResult =
  | {
      state: unknown;
      ids: Uint32Array;
      order: Uint32Array;
      offsets: Uint32Array | Float64Array;
      /** What each opening of the file by this reader found (see `openedAs`). */
      files: string[];
      times?: HalfTimes | undefined;
    }
  | { error: string };

/** When the second half's reader began, had its first records and ended, in `now()` milliseconds. */
export interface HalfTimes {
  began: number;
  firstRecords: number;
  ended: number;
  /** The CPU time the reader's thread used before it read, and in all, in milliseconds. */
  cpuBefore: number;
  cpu: number;
}

/** A clock that threads share: milliseconds since the epoch, to a fraction. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The CPU time this thread alone has used, in milliseconds (Linux only, to 10 ms; 0 elsewhere).
 * Hint: `process.cpuUsage` counts every thread of the process, the other half's too.
 */
function threadCpu(): number {
  try {
    // The fields after the command name, which is in parentheses and may itself hold ') '.
    const text = readFileSync('/proc/thread-self/stat', 'latin1');
    const end = text.lastIndexOf(') ');
    if (end === -1) return 0;
    const fields = text.slice(end + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Who reads the second half: a worker started from `script` for `task`, or (in tests) a function on this thread. */
export type SecondReader =
  | { script: URL; task: string; input: unknown }
  | { read: (from: Midpoint, options: WorkerReadOptions) => Promise<HalfResult> };

// Hint: below this a second thread costs more than it saves. A worker spends ~0.1 s starting
// before it reads, and two threads slow each other here. Measured (medians of 9-11 interleaved
// runs, CallComplete exports): 17 MB took 0.41 s on two threads against 0.33 s on one, 35 MB
// 0.46 s against 0.41 s, 46 MB 0.61 s against 0.65 s, 58 MB 0.52 s against 0.60 s.
const minimumBytes = 48 * 2 ** 20;

/** The words `CALLHOOK_THREADS` takes, by the setting each turns on (see `threadSettings`). */
const threadWordsTaken = { one: '1', two: '2', trace: 'trace', times: 'times' } as const;

/** The words of `CALLHOOK_THREADS`. */
const threadWords = () => (process.env.CALLHOOK_THREADS ?? '').split(',').map((word) => word.trim());

/**
 * `CALLHOOK_THREADS`, a comma-separated list: `1` one thread, `2` two even for a small file,
 * `trace` say which, `times` say when each thread began, read, waited and ended (to stderr).
 */
export function threadSettings(): Record<keyof typeof threadWordsTaken, boolean> {
  const words = threadWords();
  return {
    one: words.includes(threadWordsTaken.one),
    two: words.includes(threadWordsTaken.two),
    trace: words.includes(threadWordsTaken.trace),
    times: words.includes(threadWordsTaken.times),
  };
}

/**
 * The warning for the words of `CALLHOOK_THREADS` that `threadSettings` does not take (`3`, a
 * typo), which change nothing, or for `1` and `2` both given, where `1` is followed; undefined
 * when there are none.
 */
export function threadSettingsWarning(): string | undefined {
  const known: readonly string[] = Object.values(threadWordsTaken);
  const odd = threadWords().filter((word) => word !== '' && !known.includes(word));
  const { one, two } = threadSettings();
  // Hint: each by its first 40 characters, and the first 3 of many: 100 KB of it, or 5,000 odd
  // words, were said whole on every run (red team hR125).
  const shown = odd.slice(0, 3).map((word) => `'${excerpt(word)}'`);
  const named =
    odd.length > 3 ? `${shown.join(', ')} and ${(odd.length - 3).toLocaleString('en-US')} more` : shown.join(', ');
  const said = [
    odd.length > 0 && `${named} ${odd.length === 1 ? 'is' : 'are'} none of ${known.join(', ')}, and ignored`,
    one &&
      two &&
      `'${threadWordsTaken.one}' and '${threadWordsTaken.two}' both given: '${threadWordsTaken.one}' is followed (one thread)`,
  ].filter((part) => part !== false);
  return said.length > 0 ? `CALLHOOK_THREADS: ${said.join('; ')}` : undefined;
}

/**
 * Why no second thread may start, or undefined: an address space limited with `ulimit -v`, where
 * V8 aborts the whole process (a native stack, exit 133) when a worker cannot reserve its code
 * space, whatever `CALLHOOK_THREADS` asks; or one core, unless `two` (CALLHOOK_THREADS=2).
 * `generate` asks this too.
 */
export function secondThreadBar(two: boolean): string | undefined {
  if (addressSpaceLimited()) return 'one thread (its address space is limited: ulimit -v)';
  if (availableParallelism() < 2 && !two) return 'one thread (one core)';
  return undefined;
}

/** Whether this process's address space has a limit (Linux: /proc/self/limits; elsewhere none is known). */
function addressSpaceLimited(): boolean {
  try {
    const soft = /^Max address space\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))?.[1];
    return soft !== undefined && soft !== 'unlimited';
  } catch {
    return false;
  }
}

/** Where a second thread starts reading: a byte offset, and what the file holds there. */
export interface Midpoint {
  offset: number;
  point: ResumePoint;
  /** Where the top-level array opened, for `batch`: the second half's reader never sees its `[`. */
  opened?: { line: number; column: number } | undefined;
  /** The blanks before the element at `offset` on its line (`batch`), for `ElementSplitter.resumeAt`. */
  indent?: number | undefined;
}

/**
 * Where a second thread can start reading, found by the layout of the file's first lines: in a
 * pretty-printed array, the first line past (about) the middle, or past byte `middle` when given,
 * that opens an element at the indentation of the array's first element, and when that is column
 * 1 (the platform's layout, where every line is, flow steps too) is not an object that closes
 * without being an event; in NDJSON, the first line past it that opens a value as the first line
 * does (with `{`, or with `[` for a batch a line). What it opened is added to `files`.
 */
export async function findMidpoint(
  path: string,
  size: number,
  middle?: number,
  files = new Set<string>(),
): Promise<Midpoint | undefined> {
  const handle = await openNoted(path, files);
  try {
    // Hint: NDJSON's second line is looked for here: 4 KiB held none of a batch a line of 20
    // events or more (generate --batch-size), and one thread read it all (red team hT83).
    const head = Buffer.alloc(Math.min(2 ** 20, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.toString('utf8', 0, bytesRead);
    const array = /^(?:\uFEFF)?[ \t\r\n]*\[[ \t]*\r?\n([ \t]*)\{/.exec(text);
    const first = array ? null : /^(?:\uFEFF)?[ \t\r\n]*([[{])/.exec(text);
    // NDJSON: a later line opens a value as the first does.
    const lines = first && text.includes(`\n${first[1]}`, first[0].length) ? first : null;
    const needle = array ? `\n${array[1]}{` : lines ? `\n${lines[1]}` : undefined;
    if (needle === undefined) return undefined;
    // Hint: a second thread starts reading some time after this one (its own start-up), so
    // without a `middle` the cut sits past the middle: 4 MiB (less in a smaller file). A worker
    // chooses its own, from where this thread is when it is ready (see `chooseCut`).
    const from = middle ?? Math.floor(size / 2) + Math.min(4 * 2 ** 20, Math.floor(size / 20));
    if (from >= size) return undefined;
    const window = Buffer.alloc(Math.min(2 ** 20, size - from));
    const { bytesRead: read } = await handle.read(window, 0, window.length, from);
    const bytes = window.subarray(0, read);
    // Hint: the objects looked at are read once each but for those nested in each other, which a
    // crafted file could make many: a budget of bytes bounds the search (then one thread reads).
    // An indented element is not looked into: nested objects are indented more, and an element
    // whose keys name no type (read with --type) is still one.
    const budget: Budget = { left: 4 * bytes.length };
    const column1 = array?.[1] === '';
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
      const open = at + needle.length - 1;
      const element = column1 ? mayOpenEvent(bytes, open, budget) : true;
      if (element === undefined) return undefined;
      if (element) {
        return array
          ? { offset: from + open, point: 'batch', indent: array[1]?.length, opened: arrayOpened(array[0]) }
          : { offset: from + open, point: 'top' };
      }
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The line and column of the `[` that `head` (the file's start, up to its first element) opens with, a BOM not counted. */
function arrayOpened(head: string): { line: number; column: number } {
  const text = head.replace(/^\uFEFF/, '');
  const before = text.slice(0, text.indexOf('['));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** What `readInHalves` did, for `CALLHOOK_THREADS=trace`. */
export interface HalvesOutcome {
  /** True when the file was read (on two threads or, after a wrong guess, on this one); false when it was left unread. */
  consumed: boolean;
  how: string;
  /** With `CALLHOOK_THREADS=times`: when each step happened, in `now()` milliseconds. */
  times?: Record<string, number> | undefined;
}

/**
 * The line `CALLHOOK_THREADS=times` asks for on stderr, of a reading on two threads: when each step
 * happened, in milliseconds since the process began, then each thread's CPU time; undefined when
 * not asked for, or the file was not read on two threads. Hint: one for both commands that read
 * in halves; validate said nothing of times (red team hR118).
 */
export function timesLine({ times }: HalvesOutcome): string | undefined {
  if (!threadSettings().times || times === undefined) return undefined;
  const steps = Object.entries(times).sort((x, y) => x[1] - y[1]);
  const at = steps.filter(([step]) => !step.endsWith(' ms'));
  const line = at.map(([step, when]) => `${step} ${(when - performance.timeOrigin).toFixed(0)}`).join(', ');
  const cpu = steps.filter(([step]) => step.endsWith(' ms')).map(([step, ms]) => `${step} ${ms}`);
  return `callhook: times (ms since start): ${line}; ${cpu.join(', ')}\n`;
}

/**
 * Reads `path` into `consumer` on two threads when that can pay, the second half read by
 * `second` (a worker started from a module that calls `serveHalf` for its task). Leaves the file
 * unread (`consumed` false) when it is small, not a pretty-printed array or NDJSON, or the
 * machine has one core.
 */
export async function readInHalves<State>(
  path: string,
  options: ReadOptions,
  consumer: MergingConsumer<State>,
  second: SecondReader,
): Promise<HalvesOutcome> {
  const settings = threadSettings();
  if (settings.one) return { consumed: false, how: 'one thread (CALLHOOK_THREADS=1)' };
  const bar = secondThreadBar(settings.two);
  if (bar) return { consumed: false, how: bar };
  if (path === '-') return { consumed: false, how: 'one thread (stdin)' };
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || (info.size < minimumBytes && !settings.two)) {
    return { consumed: false, how: 'one thread (not a regular file of 48 MiB or more)' };
  }
  // Hint: a function on this thread reads from here; a worker chooses its own cut (`chooseCut`)
  // in a file of the same layout, so `point` holds for both.
  // What each reading of the file opened (see `openedAs`): one file, or the halves are not merged.
  const files = new Set<string>();
  const guess = await findMidpoint(path, info.size, undefined, files);
  if (guess === undefined) return { consumed: false, how: 'one thread (no element boundary found past the middle)' };
  let from: Midpoint = guess;
  const boundary = from.point === 'batch' ? 'two elements of the top-level array' : 'two top-level values';
  const times: Record<string, number> | undefined = settings.times
    ? { 'main began': now(), 'main cpu before ms': threadCpu() }
    : undefined;

  const readOptions: WorkerReadOptions = {
    type: options.type,
    strict: options.strict,
    warnings: options.warnings,
    maxIssues: options.maxIssues,
    maxElementBytes: options.maxElementBytes,
    batchSize: options.batchSize,
    firstCopies: options.firstCopies,
  };
  let thread: Worker | undefined;
  let cells: CutCells | undefined;
  let result: Promise<HalfResult>;
  if ('read' in second) {
    result = second.read(from, readOptions).catch((error: unknown) => ({ error: String(error) }));
  } else {
    const shared = new SharedArrayBuffer(16);
    const data: HalfData = {
      callhookHalf: second.task,
      input: second.input,
      path,
      cells: shared,
      readOptions,
      fingerprintSeed: fingerprintSeed(),
    };
    // Hint: a young generation of 10 MiB. At 6 MiB the worker used ~45% more CPU than this
    // thread for the same half (its GC): summarise of the 3.9M-event 2 GB export took 16-20 s at a
    // peak RSS of 194-199 MiB (5 runs); at 10 MiB, alternating with those, 10.3-13.9 s at
    // 177-186 MiB, the two threads' CPU even; at 32 MiB 203-207 MiB. validate of the 1.8M-event
    // export: 174-181 MiB (178 at 6 MiB); the 100k exports: no change (2026-12-04). The main
    // thread's own cannot be set once node runs.
    try {
      const worker = new Worker(second.script, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 10 } });
      thread = worker;
      cells = new BigInt64Array(shared);
      if (times) times['worker started'] = now();
      result = new Promise<HalfResult>((resolve) => {
        worker.once('message', (half: HalfResult) => {
          if (times) times['result received'] = now();
          resolve(half);
        });
        worker.once('error', (error) => resolve({ error: error.message }));
        worker.once('exit', (code) => resolve({ error: `exited with code ${code}` }));
      });
    } catch (error) {
      // Hint: where a process may start no more threads (`ulimit -u`, a container's --pids-limit),
      // `new Worker` throws EAGAIN. This thread then stops at the guessed cut, as for a function
      // reading the second half, and reads on alone, as when a worker fails.
      result = Promise.resolve({ error: error instanceof Error ? error.message : String(error) });
    }
  }

  // Whether the second half's reader has ended, and how it failed if it did. Hint: a worker that
  // failed before it chose a cut (one that could not load its code: `ulimit -n`) leaves this
  // thread no cut to stop at (`stop`), where it would be told.
  let ended = false;
  let failed: string | undefined;
  void result.then((half) => {
    ended = true;
    if ('error' in half) failed = half.error;
  });
  // Hint: asked for two threads (CALLHOOK_THREADS=2), as tests do with files so small that this
  // thread would read them whole before the worker is ready, this thread waits for its cut.
  if (cells && settings.two) {
    while (!ended && Atomics.load(cells, cutCell) === 0n) await delay(1);
  }
  // What happened at the cut, once this thread has stopped there (see `stop`).
  let how: string | undefined;
  const ids = new FingerprintSet();
  // Hint: the redeliveries across the halves are read again as this thread would have read them,
  // so their first copies are looked for among the last events this thread saw first.
  const recent = options.firstCopies && options.warnings !== false ? new RecentFirsts() : undefined;
  const stop = async (atBoundary: boolean): Promise<boolean> => {
    // Hint: a worker chose its own cut's offset; the array it is in opened where the guess found.
    if (cells) from = { offset: Number(Atomics.load(cells, cutCell)), point: from.point, opened: from.opened };
    how = `two threads (the second from byte ${from.offset})`;
    if (times) {
      times['main at the cut'] = now();
      times['main cpu ms'] = threadCpu();
    }
    if (!atBoundary) {
      how = `one thread (byte ${from.offset} is not between ${boundary})`;
      return false;
    }
    const half = await result;
    if ('error' in half) {
      how = `one thread (the worker failed: ${half.error})`;
      return false;
    }
    if (times) {
      times.joined = now();
      if (half.times) {
        times['worker began'] = half.times.began;
        times['worker first records'] = half.times.firstRecords;
        times['worker ended'] = half.times.ended;
        times['worker cpu before ms'] = half.times.cpuBefore;
        times['worker cpu ms'] = half.times.cpu;
      }
    }
    const shared = ids.shared({ table: half.ids, order: half.order });
    const worthReading = secondCopiesWorthReading(info.size - from.offset);
    if (shared.length > worthReading) {
      how = `one thread (${shared.length} event ids were seen in both halves, more than the ${worthReading} worth reading again)`;
      return false;
    }
    let redeliveries: Redelivery[] = [];
    let cut: CutPosition;
    try {
      const records = await readSecondCopies(
        path,
        shared.map(
          (first) => from.offset + (half.offsets[first] ?? impossible('the half counted each id it saw first')),
        ),
        from.point,
        options,
        recent,
        files,
      );
      const [place = impossible(onePlaceEach)] = await positionsOf(
        path,
        last ?? { offset: 0, line: 1, column: 1 },
        [from.offset],
        files,
      );
      const lastPointer = last?.pointer ?? '';
      const inArray = from.point === 'batch' && /^\/\d+$/.test(lastPointer);
      cut = {
        offset: from.offset,
        line: place.line,
        column: place.column,
        batchIndex: from.point !== 'batch' ? undefined : inArray ? Number(lastPointer.slice(1)) + 1 : 0,
        opened: from.opened,
      };
      const places = await positionsOf(
        path,
        cut,
        records.map(({ record }) => record.element.offset),
        files,
      );
      redeliveries = records.map(({ record, event }, i) => ({
        record,
        event,
        first: shared[i] ?? impossible('one second copy is read for each shared id'),
        ...(places[i] ?? impossible(onePlaceEach)),
      }));
      if (times) times['second copies read'] = now();
    } catch (error) {
      how = `one thread (${error instanceof Error ? error.message : String(error)})`;
      return false;
    }
    // Hint: checked once every reading has opened the file; this thread reads on alone the file it has open.
    for (const file of half.files) files.add(file);
    if (files.size > 1) {
      how = 'one thread (the file changed while it was read)';
      return false;
    }
    const refused = consumer.merge(half.state as State, redeliveries, cut);
    if (refused !== undefined) {
      how = `one thread (${refused})`;
      return false;
    }
    if (times) times.merged = now();
    if (shared.length > 0) {
      how = `two threads (the second from byte ${from.offset}, ${shared.length} redelivered event(s) across the halves taken out)`;
    }
    return true;
  };
  // The last element this thread read: where the second half began is counted from it.
  let last: ElementInfo | undefined;
  const reading: ReadOptions = { ...options, mayListFrom: consumer.mayListFrom };
  try {
    for await (const records of readRecords([path], reading, {
      ids,
      recent,
      onOpen: (name, opened) => {
        files.add(openedAs(opened));
        consumer.opened?.(name, opened);
      },
      pause: {
        // Hint: until a worker has chosen its cut, there is none to pause at.
        get at() {
          return cells ? Number(Atomics.load(cells, cutCell)) || Number.POSITIVE_INFINITY : from.offset;
        },
        point: from.point,
        stop,
      },
    })) {
      for (let i = records.length - 1; i >= 0; i--) {
        const record = records[i];
        if (record?.kind === 'event' || record?.kind === 'invalid') {
          last = record.element;
          break;
        }
      }
      if (cells && last) Atomics.store(cells, progressCell, BigInt(last.offset));
      consumer.add(records);
    }
    // Hint: said before the worker is stopped below: the exit its terminate() causes is no failure.
    how ??=
      failed === undefined
        ? 'one thread (the worker chose no cut ahead of this thread)'
        : `one thread (the worker failed: ${failed})`;
  } finally {
    await thread?.terminate();
  }
  if (times) {
    times['main read'] = now();
    // Every thread of the process: the two that read, and V8's own (compiler, garbage collector).
    const { user, system } = process.cpuUsage();
    times['all threads cpu ms'] = Math.round((user + system) / 1000);
  }
  return { consumed: true, how, times };
}

/**
 * The line and column of each byte offset of `targets` (ascending, none before `start`), counted
 * from `start`, whose position is known: the bytes between are read again, a chunk at a time.
 * What it opened is added to `files`.
 */
async function positionsOf(
  path: string,
  start: { offset: number; line: number; column: number },
  targets: readonly number[],
  files: Set<string>,
): Promise<{ line: number; column: number }[]> {
  const handle = await openNoted(path, files);
  try {
    const chunk = Buffer.allocUnsafe(2 ** 20);
    const places: { line: number; column: number }[] = [];
    let line = start.line;
    // Where the line holding `position` began; -1 while it is `start`'s line.
    let lineStart = -1;
    let position = start.offset;
    for (const target of targets) {
      while (position < target) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, target - position), position);
        if (bytesRead === 0) throw new Error(`the file is shorter than ${target} bytes`);
        const bytes = chunk.subarray(0, bytesRead);
        for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) {
          line++;
          lineStart = position + at + 1;
        }
        position += bytesRead;
      }
      // Columns count UTF-16 code units, as the splitter does.
      const from = lineStart === -1 ? start.offset : lineStart;
      const text = Buffer.alloc(target - from);
      await handle.read(text, 0, text.length, from);
      const units = text.toString('utf8').length;
      places.push({ line, column: lineStart === -1 ? start.column + units : units + 1 });
    }
    return places;
  } finally {
    await handle.close();
  }
}

/** An id set that has seen every id: each event read through it is a redelivery. */
class EverySeen extends FingerprintSet {
  override add(): boolean {
    return false;
  }
}

/**
 * The events at `offsets` (each the first byte of a counted event the second half's reader saw
 * first), read again as the main thread would have read them had it read on: as redeliveries.
 * What each reading opened is added to `files`.
 */
async function readSecondCopies(
  path: string,
  offsets: readonly number[],
  point: ResumePoint,
  options: ReadOptions,
  recent: RecentFirsts | undefined,
  files: Set<string>,
): Promise<{ record: CountedRecord; event: WebhookEvent }[]> {
  const seen = new EverySeen();
  // Hint: small reads, handed on a few KiB at a time, so that little past each event is parsed
  // (it is read as a redelivery: the slow way); the few events are read at once.
  // Each one's warning is built and placed whatever the consumer lists: it moves it into the file.
  const small: ReadOptions = { ...options, readSize: 16 * 1024, chunkSize: 4 * 1024, mayListFrom: undefined };
  const onOpen = (_: string, opened: BigIntStats) => files.add(openedAs(opened));
  const readOne = async (offset: number): Promise<{ record: CountedRecord; event: WebhookEvent }> => {
    let record: InputRecord | undefined;
    for await (const records of readRecords([path], small, { from: { offset, point }, ids: seen, recent, onOpen })) {
      record = records.find((r) => r.kind === 'event' || r.kind === 'invalid' || r.kind === 'problem');
      if (record) break;
    }
    if ((record?.kind === 'event' || record?.kind === 'invalid') && record.element.offset === offset) {
      const event = record.kind === 'event' ? record.event : record.call && undocumentedAsEvent(record.call);
      if (event !== undefined && record.duplicate === true) return { record, event };
    }
    throw new Error(`no redelivered event found again at byte ${offset}`);
  };
  // Hint: a few at a time, not all at once: each reading holds a file open and its buffers.
  const copies: { record: CountedRecord; event: WebhookEvent }[] = [];
  let next = 0;
  const readOn = async () => {
    for (let i = next++; i < offsets.length; i = next++) {
      copies[i] = await readOne(offsets[i] ?? impossible('i is below the count of offsets'));
    }
  };
  await Promise.all(Array.from({ length: secondCopiesAtOnce }, readOn));
  return copies;
}

/** How many second copies `readSecondCopies` reads at a time. */
const secondCopiesAtOnce = 4;

/**
 * How many events whose ids were seen in both halves are worth reading again, each on its own,
 * rather than this thread reading the second half itself: one per 512 KiB of the second half,
 * and at least 256. Hint: reading one again (a file opened, 16 KiB read and parsed as a
 * redelivery) took about 0.7 ms, as long as reading some 28 KiB of the file in a row; at one per
 * 512 KiB they cost at most about 5% of reading the half. An export joined to itself (every id in
 * both halves), read again by id, took 8 times as long as one thread and 17 times the memory
 * (2 × AMD EPYC, 2026-12-06, hR84).
 */
function secondCopiesWorthReading(halfBytes: number): number {
  return Math.max(256, Math.floor(halfBytes / 2 ** 19));
}

/**
 * Reads the file from `from` to its end into `consumer`, as the second half's reader (a worker,
 * see `serveHalf`) does. The main thread counts the file itself, so the half's `file-start` is
 * left out. `files`: what the reader's openings of the file before found (see `openedAs`).
 */
export async function readHalf<State>(
  path: string,
  from: Midpoint,
  options: ReadOptions,
  consumer: MergingConsumer<State>,
  files = new Set<string>(),
): Promise<HalfResult> {
  const began = now();
  const cpuBefore = threadCpu();
  let firstRecords = 0;
  const ids = new FingerprintSet({ ordered: true });
  // How far past `from` each event whose id this half saw first began, in the order seen (the
  // set's order). Hint: 4 bytes an event (8 for a half of 4 GiB or more, as the file opened
  // is): ~8 MiB for the half of a 2 GB export, which a 200 MiB budget must hold twice over with
  // two threads. None is made before the file is opened, and so before its first record.
  let wide = false;
  const make = (length: number) => (wide ? new Float64Array(length) : new Uint32Array(length));
  let offsets = make(0);
  let firsts = 0;
  const onOpen = (_: string, opened: BigIntStats) => {
    files.add(openedAs(opened));
    wide = Number(opened.size) - from.offset >= 2 ** 32;
  };
  for await (const records of readRecords(
    [path],
    { ...options, mayListFrom: consumer.mayListFrom },
    { from, ids, onOpen },
  )) {
    if (firstRecords === 0) firstRecords = now();
    for (const record of records) {
      if ((record.kind !== 'event' && record.kind !== 'invalid') || firstSeenId(record) === undefined) continue;
      if (firsts === offsets.length) {
        const grown = make(Math.max(4096, offsets.length * 2));
        grown.set(offsets);
        offsets = grown;
      }
      offsets[firsts++] = record.element.offset - from.offset;
    }
    consumer.add(records[0]?.kind === 'file-start' ? records.slice(1) : records);
  }
  // Hint: each id added to the set is one event first seen, in the same order; were that ever
  // not so, the offsets would name the wrong events, so the half is given up instead.
  if (firsts !== ids.count) throw new Error(`${ids.count} ids first seen but ${firsts} events counted as such`);
  const { table, order } = ids.snapshot();
  const state = consumer.state();
  return {
    state,
    ids: table,
    order: order ?? impossible('the ids of a half are an ordered set'),
    offsets,
    files: [...files],
    times: { began, firstRecords, ended: now(), cpuBefore, cpu: threadCpu() },
  };
}

/**
 * The worker side of `readInHalves`: when this thread is a worker started for `task`, reads the
 * second half of the file into the consumer `start` makes (see `readHalf`) and sends back what it
 * found.
 */
export function serveHalf<State>(task: string, start: (input: unknown) => MergingConsumer<State>): void {
  if (isMainThread || !parentPort) return;
  const data = workerData as HalfData | undefined;
  if (data?.callhookHalf !== task) return;
  useFingerprintSeed(data.fingerprintSeed);
  const port = parentPort;
  const cells = new BigInt64Array(data.cells);
  const files = new Set<string>();
  chooseCut(data.path, cells, files)
    .then((from) => readHalf(data.path, from, data.readOptions, start(data.input), files))
    .then(
      (result) =>
        port.postMessage(
          result,
          'ids' in result ? ([result.ids.buffer, result.order.buffer, result.offsets.buffer] as ArrayBuffer[]) : [],
        ),
      (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
    );
}
