/** `callhook validate`: check webhook files against the documented payloads. */
import type { BigIntStats } from 'node:fs';
import {
  type FileReport,
  HalfValidationCollector,
  ValidationCollector,
  type ValidationHalf,
  type ValidationOptions,
  validationExitCode,
} from '../core/validation.js';
import { ExitCode } from '../errors.js';
import { type FirstCopyMemo, nameFirstCopies } from '../input/first-copies.js';
import {
  type MergingConsumer,
  readInHalves,
  serveHalf,
  threadSettings,
  threadSettingsWarning,
  timesLine,
} from '../input/halves.js';
import { type ReadOptions, readRecords } from '../input/read.js';
import { fileId } from '../output-file.js';
import { escapeTerminal } from '../render/escape.js';
import type { ValidationFormat } from '../render/validation.js';
import type { EventType } from '../schema/events.js';
import { warnOnStderr } from './output.js';
import { finishWithoutStdout } from './signals.js';

// Hint: this module is also the worker that validates the second half of a large file (see
// input/halves.ts); on the main thread this call does nothing.
serveHalf('validate', (input) => {
  const { file, options } = input as { file: string; options: ValidationOptions };
  const half = new HalfValidationCollector(file, options);
  return {
    add: (records) => {
      for (const record of records) half.add(record);
    },
    state: () => half.state(),
    merge: () => 'a worker merges nothing',
    mayListFrom: (at, severity) => half.mayListFrom(at, severity),
  };
});

/** The options `validate` takes, as commander parsed them. */
interface ValidateOptions {
  type?: EventType;
  strict?: boolean;
  batchSize?: number;
  format: ValidationFormat;
  quiet?: boolean;
  maxProblems: number;
  warningsAsErrors?: boolean;
  maxElementSize?: number;
  width?: number;
}

/** Runs `validate` and sets the exit code: 0 valid, 1 invalid. */
export async function validate(paths: string[], options: ValidateOptions): Promise<void> {
  finishWithoutStdout();
  // Hint: the renderers (chalk, the width tables) are loaded only here, not by the worker thread,
  // which loads this module too (see `serveHalf` above) and prints nothing.
  const [
    { colorsFor, terminalWidth },
    {
      renderFilePretty,
      renderGithub,
      renderGithubPathWarning,
      renderJunit,
      renderProblemPretty,
      renderTotalsPretty,
      renderValidationJson,
    },
  ] = await Promise.all([import('../render/terminal.js'), import('../render/validation.js')]);
  const c = colorsFor(process.stdout);
  const width = options.width ?? terminalWidth(process.stdout);
  const threads = threadSettingsWarning();
  if (threads) warnOnStderr(threads, options.width);
  // Hint: the worker that reads a second half collects as this thread does, or its places of
  // --max-problems go to warnings -q does not list.
  const collecting: ValidationOptions = {
    maxProblems: options.maxProblems,
    warningsAsErrors: options.warningsAsErrors,
    // -q and junit list what fails the run: errors, and warnings only when they fail it too. Hint:
    // a warning not listed takes no place of --max-problems, and is not one left out by it.
    listWarnings:
      options.warningsAsErrors === true ||
      !(options.format === 'junit' || (options.quiet && options.format === 'pretty')),
  };
  const collector = new ValidationCollector(collecting);
  const readOptions: ReadOptions = {
    type: options.type,
    strict: options.strict,
    // Hint: an element keeps no more of its problems than the run lists (see `ValidationCollector`).
    maxIssues: options.maxProblems,
    batchSize: options.batchSize,
    maxElementBytes: options.maxElementSize,
    firstCopies: true,
  };
  let listed = false;
  // Files are printed as they finish, so a long run shows progress: each once its redeliveries'
  // first copies are found (see input/first-copies.ts), which needs the reading paused.
  const names: string[] = [];
  // What each file was when it was read: a first copy is not named in another by its name since.
  const readAs = new Map<string, string | undefined>();
  const opened = (name: string, info: BigIntStats) => readAs.set(name, fileId(info));
  const memo: FirstCopyMemo = new Map();
  const finished: { done: FileReport; files: number }[] = [];
  const finish = async () => {
    for (const { done, files } of finished.splice(0)) {
      const unread = done.problems.some((problem) => problem.code === 'duplicate-id')
        ? await nameFirstCopies(done.problems, names.slice(0, files), { ...readOptions, readAs }, memo)
        : undefined;
      // Hint: a file that could not be read again has the problem a reading of it gives, in its
      // report; one printed before has it printed with this one (both formats name its file).
      const late = unread && collector.addLate(names.indexOf(unread.file), unread);
      print(done);
      if (late && late !== done && options.format === 'pretty') {
        process.stdout.write(`${renderProblemPretty(unread, c, width)}\n`);
      } else if (late && late !== done) print({ ...late, problems: [unread], omitted: 0 });
    }
  };
  const print = (done: FileReport) => {
    // Hint: a failure is said in the exit code as soon as it is printed: a reader of stdout that
    // goes away (`| head`) ends the run with the code set so far (see cli.ts), and one that saw
    // an error must not pass under pipefail.
    if ((done.errors > 0 || (options.warningsAsErrors && done.warnings > 0)) && !process.exitCode) {
      process.exitCode = ExitCode.invalid;
    }
    if (options.format === 'pretty') {
      const text = renderFilePretty(done, c, { ...options, width });
      listed ||= text !== '';
      process.stdout.write(text);
    } else if (options.format === 'github') process.stdout.write(renderGithub(done, options));
  };
  const consumer: MergingConsumer<ValidationHalf> = {
    add: (records) => {
      for (const record of records) {
        if (record.kind === 'file-start') names.push(record.file);
        const done = collector.add(record);
        if (done) finished.push({ done, files: names.length });
      }
    },
    state: () => {
      throw new Error('the main thread sends no state');
    },
    merge: (half, redeliveries, cut) => collector.mergeHalf(half, redeliveries, cut),
    // Hint: elements past what the run lists have their problems counted, not built and placed.
    mayListFrom: (at, severity) => collector.mayListFrom(at, severity),
    opened,
  };
  // One large file is read on two threads when that pays. Hint: not with --batch-size, whose
  // count of the top-level array's elements would be cut in two.
  const [only] = paths;
  const halves =
    paths.length !== 1 || only === undefined
      ? { consumed: false, how: 'one thread (several paths)' }
      : options.batchSize !== undefined
        ? { consumed: false, how: 'one thread (--batch-size counts each batch whole)' }
        : await readInHalves(only, readOptions, consumer, {
            script: new URL(import.meta.url),
            task: 'validate',
            input: { file: only, options: collecting },
          });
  if (threadSettings().trace) process.stderr.write(`callhook: read on ${escapeTerminal(halves.how)}\n`);
  const times = timesLine(halves);
  if (times !== undefined) process.stderr.write(times);
  await finish();
  if (!halves.consumed) {
    const reading = {
      ...readOptions,
      mayListFrom: consumer.mayListFrom,
      onWarning: (message: string, names: readonly string[], code: string) => {
        collector.pathWarned({ code, message });
        warnOnStderr(message, options.width, names);
        if (options.format === 'github') process.stdout.write(renderGithubPathWarning({ code, message }, options));
      },
    };
    for await (const records of readRecords(paths, reading, { onOpen: opened })) {
      consumer.add(records);
      await finish();
    }
  }
  const report = collector.report();
  if (options.format === 'pretty') process.stdout.write(`${listed ? '\n' : ''}${renderTotalsPretty(report, c, width)}`);
  else if (options.format === 'json') process.stdout.write(renderValidationJson(report));
  else if (options.format === 'junit') process.stdout.write(renderJunit(report, options));
  else if (options.format === 'github') {
    process.stderr.write(
      renderTotalsPretty(
        report,
        colorsFor(process.stderr),
        options.width ?? terminalWidth(process.stderr),
        'callhook: ',
      ),
    );
  }
  process.exitCode = validationExitCode(report);
}
