/** `callhook generate`: realistic, seeded webhook traffic, optionally with the page's own mistakes. */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  defaultStartTime,
  type FieldOverride,
  generateEvents,
  misfitOverrides,
  overrunText,
  PastLastInstantError,
  parseFieldOverride,
  RunPastLastInstantError,
} from '../core/generate.js';
import { type GenerateEnvelope, type GenerateFormat, largestSeed, maxCampaigns } from '../core/generate-names.js';
import { instantOfOption, isoOf, lastInstant } from '../core/instant.js';
import { CallhookError, ExitCode, interruptedBy } from '../errors.js';
import { secondThreadBar, threadSettings, threadSettingsWarning } from '../input/halves.js';
import { letLoopRun } from '../loop.js';
import { warnOfOpenFolders } from '../output-file.js';
import {
  blockCount,
  type Defect,
  escapedFor,
  type GeneratedBlock,
  type GeneratedBlocksOptions,
  generateBlocks,
} from '../render/generated.js';
import { escapeTerminal, terminalWidth, wrapMessage } from '../render/terminal.js';
import { grouped, plural } from '../render/words.js';
import type { EventType } from '../schema/names.js';
import { fileSink, type Sink, streamSink } from './file-sink.js';
import { decimal, optional, optionError, outputName, parseAll, wholeNumber } from './options.js';
import { warnOnStderr } from './output.js';
import { onStopSignals, runIsOver } from './signals.js';

/** The options `generate` takes, as commander parsed them (numbers are checked here). */
interface GenerateCommandOptions {
  count: string;
  seed: string;
  campaigns?: string;
  type?: EventType[];
  batchSize?: string;
  format: GenerateFormat;
  envelope?: GenerateEnvelope;
  out?: string;
  set?: string[];
  redeliveries?: string;
  defects?: string;
  startTime?: string;
  force?: boolean;
}

/**
 * Events a block: ~250 KiB of text (an event is ~500 bytes pretty-printed), which keeps the cost
 * of each write and each message between threads negligible and memory a few MiB. Hint: the same
 * options must give the same blocks on any number of threads, so a `--set` value that makes every
 * event bigger makes the blocks shorter, not the text longer.
 */
function blockSizeFor(set: readonly FieldOverride[]): number {
  const extra = JSON.stringify(set.map(({ value }) => value)).length;
  return Math.max(1, Math.floor((512 * 600) / (600 + extra)));
}

// Hint: a worker takes ~0.1 s to start, so a run of fewer events than this is done sooner on one thread.
const minimumThreadedEvents = 50_000;

/**
 * The most campaigns two threads are given: each thread builds them all, and two threads with
 * --campaigns 30000 peaked at 238 MiB (10000: 166 MiB), past the 200 MiB bound.
 */
const maxThreadedCampaigns = 10_000;

/** How many threads write the output, and why, for `CALLHOOK_THREADS=trace`. */
export function threadsFor(count: number, defects: number, campaigns = 3): { threads: number; how: string } {
  const settings = threadSettings();
  if (settings.one) return { threads: 1, how: 'one thread (CALLHOOK_THREADS=1)' };
  // Hint: a defect's line:column depends on all the text before it, so one writer writes it all.
  if (defects > 0) return { threads: 1, how: 'one thread (--defects)' };
  const bar = secondThreadBar(settings.two);
  if (bar) return { threads: 1, how: bar };
  if (settings.two) return { threads: 2, how: 'two threads (CALLHOOK_THREADS=2)' };
  if (campaigns > maxThreadedCampaigns) {
    return {
      threads: 1,
      how: `one thread (--campaigns above ${grouped(maxThreadedCampaigns)}: each thread holds them all)`,
    };
  }
  if (count < minimumThreadedEvents)
    return { threads: 1, how: `one thread (fewer than ${minimumThreadedEvents} events)` };
  return { threads: 2, how: 'two threads' };
}

/** What a generating worker is given: its share of the blocks, and where the main thread has got to. */
interface WorkerTask {
  callhookGenerate: GeneratedBlocksOptions;
  /** One Int32: how many blocks the main thread has written. */
  written: SharedArrayBuffer;
}

// Hint: this module is also the worker that writes every other block of a large run (see
// `blocksFromWorkers`); on the main thread this call does nothing.
serveBlocks();

function serveBlocks(): void {
  if (isMainThread || !parentPort) return;
  const data = workerData as WorkerTask | undefined;
  if (data?.callhookGenerate === undefined) return;
  const port = parentPort;
  try {
    serveFrom(port, new Int32Array(data.written), data.callhookGenerate);
  } catch (error) {
    // Hint: an error crosses to the main thread as a plain Error; these are rebuilt there.
    if (error instanceof PastLastInstantError) {
      const { startTime, call, end } = error;
      port.postMessage({ pastLastInstant: { startTime, call, end } } satisfies FailureMessage);
    } else if (error instanceof CallhookError) {
      port.postMessage({ refused: { message: error.message, exitCode: error.exitCode } } satisfies FailureMessage);
    } else throw error;
  }
}

/**
 * What a worker posts when its run would pass the last instant (see `PastLastInstantError`), or
 * when the events cannot be made as asked (a `--set` part that is no index of an array the user set).
 */
type FailureMessage =
  | { pastLastInstant: { startTime: string; call: number; end: number } }
  | { refused: { message: string; exitCode: number } };

/** Posts the worker's blocks to the main thread, keeping at most two rounds ahead of what it has written. */
function serveFrom(port: NonNullable<typeof parentPort>, written: Int32Array, task: GeneratedBlocksOptions): void {
  const stride = task.stride ?? 1;
  for (const block of generateBlocks(task)) {
    // Each block's bytes have an ArrayBuffer of their own, which moves to the main thread uncopied.
    port.postMessage(block, [block.bytes.buffer as ArrayBuffer]);
    // Back-pressure: wait while the main thread is more than two rounds of blocks behind this one.
    const next = block.index + stride;
    for (let done = Atomics.load(written, 0); next - done >= 2 * stride; done = Atomics.load(written, 0)) {
      Atomics.wait(written, 0, done, 1000);
    }
  }
}

/**
 * The blocks of the output in order, written by `threads` workers that each write every
 * `threads`-th block (see `generateBlocks`): the same bytes as one thread writes. When a worker
 * cannot start or fails, this thread writes the blocks left, and `fellBack` is told how the run
 * was written instead (for `CALLHOOK_THREADS=trace`).
 */
async function* blocksFromWorkers(
  task: GeneratedBlocksOptions,
  threads: number,
  fellBack: (how: string) => void,
): AsyncGenerator<GeneratedBlock> {
  const written = new SharedArrayBuffer(4);
  const progress = new Int32Array(written);
  const ready = new Map<number, GeneratedBlock>();
  // Why the events cannot be made as asked (the run fails), or why a thread failed (this one writes on).
  let refusal: Error | undefined;
  let failure: Error | undefined;
  let wake = () => {};
  const start = (part: number) => {
    const data: WorkerTask = { callhookGenerate: { ...task, stride: threads, part }, written };
    const worker = new Worker(new URL(import.meta.url), {
      workerData: data,
      // Hint: a small young generation keeps each thread's memory near its live data (the old
      // generation is left unbounded: --campaigns can make the live data large).
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    worker.on('message', (message: GeneratedBlock | FailureMessage) => {
      if ('pastLastInstant' in message) {
        const { startTime, call, end } = message.pastLastInstant;
        refusal ??= new PastLastInstantError(startTime, call, end);
      } else if ('refused' in message) {
        refusal ??= new CallhookError(message.refused.message, message.refused.exitCode);
      } else ready.set(message.index, message);
      wake();
    });
    worker.on('error', (error) => {
      failure ??= error;
      wake();
    });
    worker.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`a generating thread stopped with exit code ${code}`);
      wake();
    });
    return worker;
  };
  const workers: Worker[] = [];
  let next = 0;
  try {
    for (let part = 0; part < threads; part++) workers.push(start(part));
    for (const blocks = blockCount(task.events.count, task.blockSize); next < blocks; next++) {
      let block = ready.get(next);
      while (block === undefined) {
        if (refusal) throw refusal;
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        block = ready.get(next);
      }
      ready.delete(next);
      yield block;
      Atomics.store(progress, 0, next + 1);
      Atomics.notify(progress, 0);
    }
    return;
  } catch (error) {
    if (error === refusal) throw error;
    // Hint: a thread that cannot start (a thread limit: `ulimit -u`, a container's --pids-limit,
    // where `new Worker` throws EAGAIN) or load its code (`ulimit -n`) leaves this one the blocks not yet written.
    const why = error instanceof Error ? error.message : String(error);
    fellBack(`${next > 0 ? 'two threads, then one' : 'one thread'} (a generating thread failed: ${why})`);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  for (const block of generateBlocks(task)) if (block.index >= next) yield block;
}

function overrides(texts: readonly string[] | undefined): FieldOverride[] {
  return (texts ?? []).map((text) => {
    try {
      return parseFieldOverride(text);
    } catch (error) {
      throw new CallhookError(`--set: ${(error as Error).message}`);
    }
  });
}

/** Why a run cannot be written: its times would pass `lastInstant` (`how`: by how far). */
function pastTheEnd(events: GeneratedBlocksOptions['events'], how: string): CallhookError {
  const from = events.startTime ?? defaultStartTime;
  return new CallhookError(
    `${plural(events.count, 'event')} from ${from} would run past ${isoOf(lastInstant)}, the last time a timestamp can hold: ${how}; start earlier (--start-time) or generate fewer (--count)`,
    ExitCode.usage,
  );
}

/**
 * Refuses, before anything is written, a run whose times would pass year 9999, as `generateEvents`
 * refuses it when called, in the CLI's words.
 */
function checkRoom(events: GeneratedBlocksOptions['events']): void {
  try {
    generateEvents(events);
  } catch (error) {
    throw error instanceof RunPastLastInstantError ? pastTheEnd(events, overrunText(error.overrun, grouped)) : error;
  }
}

/** Runs `generate`: events to stdout or `--out`, defects and a summary to stderr. */
export async function generate(options: GenerateCommandOptions): Promise<void> {
  const fraction = (name: string) => decimal(name, { min: 0, max: 1, from: true, what: 'a fraction' });
  const { count, seed, campaigns, batchSize, redeliveries, defectRate, set } = parseAll(
    {
      count: () => wholeNumber('--count', 0)(options.count),
      seed: () => wholeNumber('--seed', 0, largestSeed)(options.seed),
      campaigns: () => optional(options.campaigns, wholeNumber('--campaigns', 1, maxCampaigns)),
      batchSize: () => optional(options.batchSize, wholeNumber('--batch-size', 1)),
      redeliveries: () => optional(options.redeliveries, fraction('--redeliveries')) ?? 0,
      defectRate: () => optional(options.defects, fraction('--defects')) ?? 0,
      set: () => overrides(options.set),
      out: () => optional(options.out, outputName('--out', 'file')),
      startTime: () => {
        if (options.startTime !== undefined && Number.isNaN(instantOfOption(options.startTime))) {
          throw optionError(
            '--start-time',
            'an ISO-8601 date or time (2022-09-01, 2022-09-01T10:00:00Z), within the years 0000 to 9999',
            options.startTime,
          );
        }
      },
    },
    // Hint: refused as listen refuses --durable without --out: taken, it had no file to replace, unsaid.
    options.force && options.out === undefined ? ['--force: applies only with --out'] : [],
  );

  const task: GeneratedBlocksOptions = {
    events: {
      count,
      seed,
      campaigns,
      types: options.type,
      redeliveries,
      batchSize,
      set,
      startTime: options.startTime,
      envelope: options.envelope,
    },
    text: { format: options.format, batchSize, defects: defectRate, seed, escaped: escapedFor(set) },
    blockSize: blockSizeFor(set),
  };
  // Hint: an override that cannot go anywhere is refused here in --set's words, before checkRoom
  // may run the generator, which refuses it in the library's.
  const misfits = misfitOverrides(set ?? [], options.type, options.envelope);
  checkRoom(task.events);
  for (const message of [...misfits, threadSettingsWarning() ?? []].flat()) warnOnStderr(message);
  // Hint: warned of as replay --report's are: others who can write to a folder on the way could
  // put a file of theirs in the output's place.
  if (options.out !== undefined) {
    try {
      warnOfOpenFolders(options.out, 'keep the output in a folder of your own', warnOnStderr);
    } catch {
      // A folder on the way that is missing or unreachable: fileSink says so.
    }
  }
  let { threads, how } = threadsFor(count, defectRate, campaigns);
  const name = options.out === undefined ? '<stdout>' : escapeTerminal(options.out);

  // Hint: taken before the temporary file is made, so a signal while it is being made still removes it;
  // and kept, as fix and replay keep theirs, until the file is committed or discarded: a second
  // signal (Ctrl-C twice) with no handler killed the run with the temporary file left behind.
  let stopped: NodeJS.Signals | undefined;
  const stop = new AbortController();
  const letGo = onStopSignals((signal) => {
    stopped ??= signal;
    stop.abort();
  });
  let sink: Sink;
  // Hint: the defects go at stderr's pace, as the events go at stdout's: written as they came, a
  // reader of stderr slower than generate (`2>&1 | less`) had them all held in memory (1 GB).
  const diagnostics = streamSink(stop.signal, 2);
  try {
    sink =
      options.out === undefined
        ? streamSink(stop.signal)
        : await fileSink(options.out, { force: options.force === true, purpose: 'generate', abort: stop.signal });
  } catch (error) {
    letGo();
    throw error;
  }
  let redelivered = 0;
  let bareRedelivered = 0;
  let defects = 0;
  /** The defects made and not yet said (see the loop below). */
  let unsaid: Defect[] = [];
  const sayDefects = async () => {
    let text = '';
    for (const defect of unsaid)
      text += `${name}:${defect.line}:${defect.column}  defect  ${defect.code}  (${escapeTerminal(defect.pointer)})\n`;
    unsaid = [];
    // Hint: a stderr that fails (a full disk, its terminal gone) loses the defects, not the run:
    // cli.ts makes its exit code say so. A signal while its reader is slow stops the run.
    await diagnostics.write(Buffer.from(text)).catch((error: unknown) => {
      if (error === stop.signal.reason) throw error;
    });
  };

  // Hint: said once the run has ended, however it ended, so that it says what ran (a second
  // thread may fail to start or to load its code). Stdout failing (a full disk) ends the process
  // at once (see cli.ts), before the run's `finally`: then it is said on the way out.
  const trace = () => {
    process.stderr.write(`callhook: generated on ${escapeTerminal(how)}\n`);
  };
  const tracing = threadSettings().trace;
  if (tracing) process.once('exit', trace);
  let committed = false;
  try {
    const fellBack = (instead: string) => {
      how = instead;
    };
    const blocks = stopped ? [] : threads === 1 ? generateBlocks(task) : blocksFromWorkers(task, threads, fellBack);
    for await (const block of blocks) {
      unsaid.push(...block.defects);
      defects += block.defects.length;
      redelivered += block.redeliveries;
      bareRedelivered += block.bareRedeliveries;
      // Hint: asked before each write too: a wait for a slow reader heeds only a signal that comes
      // while it waits, and a write that completes at once (a file, /dev/null) gives no signal a turn.
      await letLoopRun();
      if (stopped) break;
      // Hint: a block ends inside a line (the line break comes before the next event, or a batch
      // goes on), so its defects are said after its last whole line: said between blocks, they
      // cut a line of events in two where stdout and stderr are one file or pipe (`2>&1`).
      const lineEnd = unsaid.length > 0 ? block.bytes.lastIndexOf(0x0a) + 1 : 0;
      if (lineEnd > 0) {
        await sink.write(block.bytes.subarray(0, lineEnd));
        if (stopped || sink.ended) break;
        await sayDefects();
        if (stopped) break;
      }
      await sink.write(block.bytes.subarray(lineEnd));
      if (stopped || sink.ended) break;
    }
    if (!stopped) {
      await sink.commit();
      committed = true;
    }
  } catch (error) {
    // Hint: a signal gives up a named pipe's wait for its reader (`stop`): the run was interrupted,
    // not failed. Any other failure (a full disk, the reader gone) is said as such.
    if (error !== stop.signal.reason) {
      await sink.discard();
      throw error instanceof PastLastInstantError ? pastTheEnd(task.events, overrunText(error, grouped)) : error;
    }
  } finally {
    // Hint: a run a signal stopped keeps its own handlers (`letGo`), as it still winds down: taken
    // as one after a finished run, the next signal ended it 0, its temporary file left (hR108).
    if (stopped === undefined) runIsOver();
    letGo();
    if (tracing) {
      process.off('exit', trace);
      trace();
    }
  }
  if (!committed) {
    await sink.discard();
    process.stderr.write(`callhook: generate interrupted${sink.interrupted}\n`);
    process.exitCode = interruptedBy(stopped);
    // Hint: bytes a reader of stdout or stderr has not taken (the defects, `2>&1 | less`) hold the
    // process open until it reads them, and Node cannot drop them (destroying stdout keeps its
    // pipe): the run was stopped, so it ends now.
    if (process.stdout.writableLength > 0 || process.stderr.writableLength > 0) process.exit();
    return;
  }
  // Hint: its reader gone (a named pipe's: `head -c 1000 out.fifo`), the run ends quietly, as it
  // does when stdout's goes (cli.ts): saying what it generated to it would claim all of it was taken.
  if (sink.ended) return;
  const among = [
    redeliveries > 0 ? plural(redelivered, 'redelivered copy', 'redelivered copies') : '',
    defectRate > 0 ? `${grouped(defects)} with a defect` : '',
  ].filter(Boolean);
  // Hint: a bare event has no id, so validate and summarise count its copy as a new event: said
  // here, or the run's "4 redelivered" met summarise's "1 dropped" with no word why.
  const bare =
    bareRedelivered === 0
      ? ''
      : bareRedelivered === 1
        ? '; 1 copy is of a bare event, which has no id, so summarise counts it as new'
        : `; ${grouped(bareRedelivered)} copies are of bare events, which have no id, so summarise counts them as new`;
  process.stderr.write(
    wrapMessage(
      `callhook: generated ${plural(count, 'event')} with seed ${seed} to ${name}${among.length > 0 ? `, among them ${among.join(' and ')}` : ''}${bare}`,
      terminalWidth(process.stderr),
    ),
  );
}
