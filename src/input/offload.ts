/**
 * `readRecords` on two threads: this thread reads and splits the files, a worker parses and
 * checks each element and folds every record into a result (a summary, say), which it sends
 * back once at the end. Splitting and checking each take about one core on a large export, so
 * the pair takes about half the time of doing both on one thread.
 *
 * Records never cross the thread boundary (cloning them would cost what parsing does): only
 * element bytes go over, transferred in one buffer per chunk, and the result comes back.
 * At most `maxInFlight` chunks wait for the worker, so memory stays bounded when it is slower.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { ElementChecker, type RawRecord, type ReadOptions, splitSources } from './read.js';
import type { SplitElement } from './split.js';
import type { InputRecord } from './types.js';

/** What a worker folds records into. */
export interface RecordReducer<R> {
  add(record: InputRecord): void;
  result(): R;
}

type ReadSettings = Pick<ReadOptions, 'type' | 'strict' | 'maxElementBytes'>;

interface WorkerInput<D> {
  read: ReadSettings;
  data: D;
}

/** An element without its bytes, which travel in the chunk's one transferred buffer. */
type ShippedElement = Omit<SplitElement, 'bytes'> & { at: number; length: number };
type Shipped =
  | Exclude<RawRecord, { kind: 'raw-element' }>
  | { kind: 'raw-element'; file: string; element: ShippedElement };

type ToWorker = { type: 'chunk'; records: Shipped[]; buffer: ArrayBuffer } | { type: 'end' };
type FromWorker<R> = { type: 'ack' } | { type: 'result'; value: R };

const maxInFlight = 4;

/**
 * Reads `paths` like `readRecords`, but has the worker at `worker` (a module that calls
 * `serveRecordReducer`) check the elements and reduce every record; resolves to its result.
 */
export async function reduceRecordsInWorker<R, D>(
  paths: readonly string[],
  options: ReadOptions,
  worker: URL,
  data: D,
): Promise<R> {
  const read: ReadSettings = { type: options.type, strict: options.strict, maxElementBytes: options.maxElementBytes };
  const thread = new Worker(worker, {
    workerData: { read, data } satisfies WorkerInput<D>,
    // Hint: a small young generation collects the short-lived parse garbage sooner; measured on
    // the 100k export it keeps the two threads' peak RSS ~40 MiB lower for the same CPU time.
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  let settle: { resolve: (value: R) => void; reject: (error: unknown) => void } | undefined;
  const result = new Promise<R>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Hint: a failure may come before anyone awaits `result`; this keeps it from being unhandled.
  result.catch(() => {});
  const fail = (error: unknown) => {
    failure ??= error;
    settle?.reject(error);
    wake?.();
  };
  thread.on('message', (message: FromWorker<R>) => {
    if (message.type === 'ack') {
      inFlight--;
      wake?.();
    } else settle?.resolve(message.value);
  });
  thread.on('error', fail);
  thread.on('exit', (code) => fail(new Error(`the parsing worker stopped (exit ${code}) before it finished`)));

  try {
    for await (const chunk of splitSources(paths, options)) {
      send(thread, chunk);
      inFlight++;
      while (inFlight >= maxInFlight && failure === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (failure !== undefined) throw failure;
    }
    thread.postMessage({ type: 'end' } satisfies ToWorker);
    return await result;
  } finally {
    await thread.terminate();
  }
}

function send(thread: Worker, chunk: RawRecord[]): void {
  let size = 0;
  for (const record of chunk) if (record.kind === 'raw-element') size += record.element.bytes.length;
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  let at = 0;
  const records = chunk.map((record): Shipped => {
    if (record.kind !== 'raw-element') return record;
    const { bytes: own, ...element } = record.element;
    bytes.set(own, at);
    const shipped = {
      kind: 'raw-element' as const,
      file: record.file,
      element: { ...element, at, length: own.length },
    };
    at += own.length;
    return shipped;
  });
  thread.postMessage({ type: 'chunk', records, buffer } satisfies ToWorker, [buffer]);
}

/** The worker's side: checks the elements it is sent and folds every record into `create(data)`. */
export function serveRecordReducer<R, D>(create: (data: D) => RecordReducer<R>): void {
  const port = parentPort;
  if (!port) throw new Error('serveRecordReducer runs in a worker thread');
  const input = workerData as WorkerInput<D>;
  const checker = new ElementChecker(input.read);
  const reducer = create(input.data);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'end') {
      port.postMessage({ type: 'result', value: reducer.result() } satisfies FromWorker<R>);
      return;
    }
    const bytes = Buffer.from(message.buffer);
    for (const record of message.records) {
      if (record.kind !== 'raw-element') {
        reducer.add(record);
        continue;
      }
      const { at, length, ...element } = record.element;
      reducer.add(
        checker.record({
          kind: 'raw-element',
          file: record.file,
          element: { ...element, bytes: bytes.subarray(at, at + length) },
        }),
      );
    }
    port.postMessage({ type: 'ack' } satisfies FromWorker<R>);
  });
}
