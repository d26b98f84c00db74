/**
 * Reads one large export on two threads: the main thread reads the first half of the file and a
 * worker the second, each into its own consumer, and the worker's counts are merged in at the
 * end. The worker starts at a guess, an element of the top-level array found by its
 * indentation, and its work is used only if the guess is proved right: the main thread, arriving
 * at that byte, is between two elements of that array, and no event id was seen by both threads
 * (a redelivery across the halves must be counted once, its first copy). Otherwise the main
 * thread reads on alone, as if no worker had run.
 */
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FingerprintSet } from './fingerprint-set.js';
import { type ReadOptions, readRecords } from './read.js';
import type { ResumePoint } from './split.js';
import type { InputRecord } from './types.js';

/** A consumer whose counts can be taken from one thread and merged into another's. */
export interface MergingConsumer<State> {
  add(records: InputRecord[]): void;
  state(): State;
  merge(state: State): void;
}

/** The options a worker reads with: only what can cross threads. */
type WorkerReadOptions = Pick<ReadOptions, 'type' | 'strict' | 'warnings' | 'maxElementBytes' | 'batchSize'>;

interface HalfData {
  callhookHalf: string;
  input: unknown;
  path: string;
  from: Midpoint;
  readOptions: WorkerReadOptions;
}

type HalfResult = { state: unknown; ids: Uint32Array } | { error: string };

// Hint: below this a second thread costs more than it saves. A worker spends ~0.1 s starting
// before it reads, and two threads slow each other here. Measured (medians of 9-11 interleaved
// runs, CallComplete exports): 17 MB took 0.41 s on two threads against 0.33 s on one, 35 MB
// 0.46 s against 0.41 s, 46 MB 0.61 s against 0.65 s, 58 MB 0.52 s against 0.60 s.
const minimumBytes = 48 * 2 ** 20;

/** `CALLHOOK_THREADS`, a comma-separated list: `1` one thread, `2` two even for a small file, `trace` say which. */
export function threadSettings(): { one: boolean; two: boolean; trace: boolean } {
  const words = (process.env.CALLHOOK_THREADS ?? '').split(',').map((word) => word.trim());
  return { one: words.includes('1'), two: words.includes('2'), trace: words.includes('trace') };
}

/** Where a second thread starts reading: a byte offset, and what the file holds there. */
export interface Midpoint {
  offset: number;
  point: ResumePoint;
}

/**
 * Where a second thread can start reading, found by the layout of the file's first lines: in a
 * pretty-printed array, the first line past (about) the middle that opens an element at the
 * indentation of the array's first element; in NDJSON, the first line past it that opens a
 * value as the first line does (with `{`, or with `[` for a batch a line).
 */
export async function findMidpoint(path: string, size: number): Promise<Midpoint | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.toString('utf8', 0, bytesRead);
    const array = /^(?:\uFEFF)?[ \t\r\n]*\[[ \t]*\r?\n([ \t]*)\{/.exec(text);
    const lines = array ? null : /^(?:\uFEFF)?[ \t\r\n]*([[{])[^\n]*\n(?:[^\n]*\n)*?\1/.exec(text);
    const needle = array ? `\n${array[1]}{` : lines ? `\n${lines[1]}` : undefined;
    if (needle === undefined) return undefined;
    // Hint: the worker starts reading ~0.1 s after this thread (its own start-up), in which this
    // thread reads ~8 MB, so the cut sits 4 MiB past the middle (less in a smaller file). Timed
    // inside the process on the 116 MB export, the two threads then ended within ~15 ms of each
    // other (median of 12 runs); with the cut 5% past the middle this thread ended ~50 ms later.
    const middle = Math.floor(size / 2) + Math.min(4 * 2 ** 20, Math.floor(size / 20));
    const window = Buffer.alloc(Math.min(2 ** 20, size - middle));
    const { bytesRead: read } = await handle.read(window, 0, window.length, middle);
    const at = window.subarray(0, read).indexOf(needle);
    if (at === -1) return undefined;
    return { offset: middle + at + needle.length - 1, point: array ? 'batch' : 'top' };
  } finally {
    await handle.close();
  }
}

/** What `readInHalves` did, for `CALLHOOK_THREADS=trace`. */
export interface HalvesOutcome {
  /** True when the file was read (on two threads or, after a wrong guess, on this one); false when it was left unread. */
  consumed: boolean;
  how: string;
}

/**
 * Reads `path` into `consumer` on two threads when that can pay, with the worker started from
 * `script` (a module that calls `serveHalf` for `task`). Leaves the file unread (`consumed`
 * false) when it is small, not a pretty-printed array, or the machine has one core.
 */
export async function readInHalves<State>(
  path: string,
  options: ReadOptions,
  consumer: MergingConsumer<State>,
  worker: { script: URL; task: string; input: unknown },
): Promise<HalvesOutcome> {
  const settings = threadSettings();
  if (settings.one) return { consumed: false, how: 'one thread (CALLHOOK_THREADS=1)' };
  if (availableParallelism() < 2) return { consumed: false, how: 'one thread (one core)' };
  if (path === '-') return { consumed: false, how: 'one thread (stdin)' };
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || (info.size < minimumBytes && !settings.two)) {
    return { consumed: false, how: 'one thread (not a regular file of 48 MiB or more)' };
  }
  const from = await findMidpoint(path, info.size);
  if (from === undefined) return { consumed: false, how: 'one thread (no element boundary found past the middle)' };
  const boundary = from.point === 'batch' ? 'two elements of the top-level array' : 'two top-level values';

  const data: HalfData = {
    callhookHalf: worker.task,
    input: worker.input,
    path,
    from,
    readOptions: {
      type: options.type,
      strict: options.strict,
      warnings: options.warnings,
      maxElementBytes: options.maxElementBytes,
      batchSize: options.batchSize,
    },
  };
  const thread = new Worker(worker.script, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 24 } });
  const result = new Promise<HalfResult>((resolve) => {
    thread.once('message', resolve);
    thread.once('error', (error) => resolve({ error: error.message }));
    thread.once('exit', (code) => resolve({ error: `exited with code ${code}` }));
  });

  let how = `two threads (the second from byte ${from.offset})`;
  const ids = new FingerprintSet();
  const stop = async (atBoundary: boolean): Promise<boolean> => {
    if (!atBoundary) {
      how = `one thread (byte ${from.offset} is not between ${boundary})`;
      return false;
    }
    const half = await result;
    if ('error' in half) {
      how = `one thread (the worker failed: ${half.error})`;
      return false;
    }
    if (ids.overlaps(half.ids)) {
      how = 'one thread (an event id was seen in both halves)';
      return false;
    }
    consumer.merge(half.state as State);
    return true;
  };
  try {
    for await (const records of readRecords([path], options, {
      ids,
      pause: { at: from.offset, point: from.point, stop },
    })) {
      consumer.add(records);
    }
  } finally {
    await thread.terminate();
  }
  return { consumed: true, how };
}

/**
 * The worker side of `readInHalves`: when this thread is a worker started for `task`, reads the
 * second half of the file into the consumer `start` makes and sends back its state and the event
 * ids it saw. The main thread counts the file itself, so the half's `file-start` is left out.
 */
export function serveHalf<State>(task: string, start: (input: unknown) => MergingConsumer<State>): void {
  if (isMainThread || !parentPort) return;
  const data = workerData as HalfData | undefined;
  if (data?.callhookHalf !== task) return;
  const port = parentPort;
  const run = async (): Promise<HalfResult> => {
    const consumer = start(data.input);
    const ids = new FingerprintSet();
    for await (const records of readRecords([data.path], data.readOptions, { from: data.from, ids })) {
      consumer.add(records[0]?.kind === 'file-start' ? records.slice(1) : records);
    }
    return { state: consumer.state(), ids: ids.snapshot() };
  };
  run().then(
    (result) => port.postMessage(result, 'ids' in result ? [result.ids.buffer as ArrayBuffer] : []),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
}
