/** `callhook generate`: realistic, seeded webhook traffic, optionally with the page's own mistakes. */
import { once } from 'node:events';
import { chmod, mkdtemp, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type FieldOverride, generateEvents, generateTypedCalls, parseFieldOverride } from '../core/generate.js';
import type { GenerateFormat } from '../core/generate-names.js';
import { CallhookError, describeIoError, ExitCode } from '../errors.js';
import { GeneratedTextWriter } from '../render/generated.js';
import { escapeTerminal } from '../render/terminal.js';
import { plural } from '../render/words.js';
import type { EventType } from '../schema/names.js';
import { decimal, optional, optionError, parseAll, wholeNumber } from './options.js';

/** The options `generate` takes, as commander parsed them (numbers are checked here). */
interface GenerateCommandOptions {
  count: string;
  seed: string;
  campaigns?: string;
  type?: EventType[];
  batchSize?: string;
  format: GenerateFormat;
  out?: string;
  set?: string[];
  redeliveries?: string;
  defects?: string;
  startTime?: string;
}

// ~256 KiB strings keep the per-write cost negligible while memory stays a few MiB.
const chunkChars = 256 * 1024;

/** A parser of `--seed`: any whole number, folded into the generator's 32 bits. */
function seedOf(text: string): number {
  const number = Number(text.trim());
  if (!/^-?[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(number)) {
    throw optionError('--seed', 'a whole number', text);
  }
  // Hint: the generator keeps 32 bits of state; folding the high bits in keeps big seeds distinct.
  return (number % 2 ** 32) ^ Math.floor(number / 2 ** 32);
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

/** Where the text goes: stdout, or a private temporary file renamed over `--out` at the end. */
interface Sink {
  write(text: string): Promise<void>;
  /** Makes the output final: the temporary file takes the name `--out` gave. */
  commit(): Promise<void>;
  /** Removes what was written; nothing is left behind. */
  discard(): Promise<void>;
}

function stdoutSink(): Sink {
  return {
    async write(text) {
      // Respect the pipe's pace: a slow reader holds the generator back instead of filling memory.
      if (!process.stdout.write(text)) await once(process.stdout, 'drain');
    },
    async commit() {},
    async discard() {},
  };
}

/**
 * A file written the way editors save: into a new private directory beside the target
 * (`mkdtemp`, then the file created exclusively, mode 0600), renamed over the target only when
 * complete. So a reader never sees half a file, an interrupted run leaves the old file as it was,
 * and a symlink is written through to its target.
 */
async function fileSink(out: string): Promise<Sink> {
  let target = out;
  let mode = 0o666 & ~process.umask();
  try {
    target = await realpath(out);
    mode = (await stat(target)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw describeIoError(error, out);
  }
  let directory: string;
  try {
    directory = await mkdtemp(join(dirname(target), '.callhook-generate-'));
  } catch (error) {
    throw describeIoError(error, dirname(out));
  }
  const temporary = join(directory, basename(target));
  const handle = await open(temporary, 'wx', 0o600);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  return {
    async write(text) {
      try {
        await handle.write(text);
      } catch (error) {
        throw describeIoError(error, out);
      }
    },
    async commit() {
      await close();
      await chmod(temporary, mode);
      try {
        await rename(temporary, target);
      } catch (error) {
        throw describeIoError(error, out);
      }
      await rm(directory, { recursive: true, force: true });
    },
    async discard() {
      await close().catch(() => {});
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Runs `generate`: events to stdout or `--out`, defects and a summary to stderr. */
export async function generate(options: GenerateCommandOptions): Promise<void> {
  const fraction = (name: string) => decimal(name, { min: 0, max: 1, from: true, what: 'a fraction' });
  const { count, seed, campaigns, batchSize, redeliveries, defectRate, set } = parseAll({
    count: () => wholeNumber('--count', 0)(options.count),
    seed: () => seedOf(options.seed),
    campaigns: () => optional(options.campaigns, wholeNumber('--campaigns', 1)),
    batchSize: () => optional(options.batchSize, wholeNumber('--batch-size', 1)),
    redeliveries: () => optional(options.redeliveries, fraction('--redeliveries')) ?? 0,
    defectRate: () => optional(options.defects, fraction('--defects')) ?? 0,
    set: () => overrides(options.set),
    // The generator reads the time with the one timestamp reader; asking for no calls checks it now.
    startTime: () => {
      try {
        for (const _ of generateTypedCalls({ seed: 1, calls: 0, startTime: options.startTime })) break;
      } catch {
        throw optionError('--start-time', 'an ISO-8601 time', options.startTime);
      }
    },
  });

  const events = generateEvents({
    count,
    seed,
    campaigns,
    types: options.type,
    redeliveries,
    set,
    startTime: options.startTime,
  });
  const writer = new GeneratedTextWriter({ format: options.format, batchSize, defects: defectRate, seed });
  const name = options.out === undefined ? '<stdout>' : escapeTerminal(options.out);
  const sink = options.out === undefined ? stdoutSink() : await fileSink(options.out);

  let stopped: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    stopped = signal;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let reported = 0;
  let redelivered = 0;
  const reportDefects = () => {
    let text = '';
    for (const defect of writer.defects.slice(reported)) {
      text += `${name}:${defect.line}:${defect.column}  defect  ${defect.code}  (${defect.pointer})\n`;
    }
    reported = writer.defects.length;
    if (text) process.stderr.write(text);
  };

  try {
    let buffer = '';
    for (const { event, redelivery } of events) {
      if (redelivery) redelivered++;
      buffer += writer.push(event);
      if (buffer.length >= chunkChars) {
        reportDefects();
        await sink.write(buffer);
        buffer = '';
        if (stopped) break;
      }
    }
    if (stopped) {
      await sink.discard();
      process.stderr.write(
        `callhook: generate interrupted${options.out === undefined ? '' : `; ${name} was left as it was`}\n`,
      );
      process.exitCode = ExitCode.interrupted;
      return;
    }
    reportDefects();
    await sink.write(buffer + writer.end());
    await sink.commit();
  } catch (error) {
    await sink.discard();
    throw error;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  const extras = [
    redeliveries > 0 ? `${redelivered} redelivered` : '',
    defectRate > 0 ? `${writer.defects.length} with a defect` : '',
  ].filter(Boolean);
  process.stderr.write(
    `callhook: generated ${plural(count, 'event')}${extras.length ? ` (${extras.join(', ')})` : ''} with seed ${options.seed.trim()} to ${name}\n`,
  );
}
