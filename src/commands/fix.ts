/** `callhook fix`: repair the JSON mistakes the platform's own examples make. */
import { createReadStream, createWriteStream } from 'node:fs';
import { constants, copyFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { applyRepairs, orderRepairs } from '../core/repair.js';
import { CallhookError, describeIoError, ExitCode } from '../errors.js';
import { readRecords } from '../input/read.js';
import type { Problem, Repair } from '../input/types.js';
import { colorsFor } from '../render/terminal.js';
import { renderProblemPretty } from '../render/validation.js';

/** The options `fix` takes. */
export interface FixOptions {
  write?: boolean;
  maxElementSize?: number;
}

/** Every syntax error of a file: those with a repair, and those without one. */
async function syntaxProblems(
  path: string,
  maxElementBytes?: number,
): Promise<{ repairs: Repair[]; unrepairable: Problem[] }> {
  const repairs: Repair[] = [];
  const unrepairable: Problem[] = [];
  for await (const records of readRecords([path], { maxElementBytes })) {
    for (const record of records) {
      // Schema errors are validate's business: only elements that are not JSON count here.
      const problems =
        record.kind === 'problem'
          ? [record.problem]
          : record.kind === 'invalid' && record.value === undefined
            ? record.problems
            : [];
      for (const problem of problems) {
        if (problem.severity !== 'error') continue;
        if (problem.repair) repairs.push(problem.repair);
        else unrepairable.push(problem);
      }
    }
  }
  return { repairs: orderRepairs(repairs), unrepairable };
}

async function freeBackupName(path: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${path}.bak` : `${path}.bak.${n}`;
    try {
      // COPYFILE_EXCL: an existing backup is never overwritten.
      await copyFile(path, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw describeIoError(error, candidate);
    }
  }
}

/** Runs `fix`: prints the repaired JSON, or with `--write` replaces the file after keeping a backup. */
export async function fix(path: string, options: FixOptions): Promise<void> {
  if (path === '-')
    throw new CallhookError('fix needs a file path, not stdin: it reads the file twice', ExitCode.usage);
  const c = colorsFor(process.stderr);
  const { repairs, unrepairable } = await syntaxProblems(path, options.maxElementSize);
  if (unrepairable.length > 0) {
    for (const problem of unrepairable) process.stderr.write(`${renderProblemPretty(problem, c)}\n`);
    throw new CallhookError(
      `${path}: ${unrepairable.length} problem${unrepairable.length === 1 ? '' : 's'} cannot be repaired automatically; nothing was written`,
      ExitCode.invalid,
    );
  }
  if (repairs.length === 0 && options.write) {
    process.stderr.write(`callhook: ${path}: nothing to repair\n`);
    return;
  }

  // The repaired text goes to a temporary file first and is checked again before anything is
  // replaced: a file is never left half-repaired.
  const temporary = options.write
    ? join(dirname(path), `.${basename(path)}.callhook-${process.pid}.tmp`)
    : join(tmpdir(), `callhook-fix-${process.pid}-${basename(path)}`);
  try {
    await pipeline(createReadStream(path), (source) => applyRepairs(source, repairs), createWriteStream(temporary));
    const after = await syntaxProblems(temporary, options.maxElementSize);
    const left = after.repairs.length + after.unrepairable.length;
    if (left > 0) {
      throw new CallhookError(
        `${path}: ${left} syntax problem${left === 1 ? '' : 's'} remain after repair; nothing was written (run callhook validate ${path})`,
        ExitCode.invalid,
      );
    }
    if (options.write) {
      const backup = await freeBackupName(path);
      await rename(temporary, path);
      process.stderr.write(
        `callhook: ${path}: repaired ${repairs.length} problem${repairs.length === 1 ? '' : 's'}; the original is kept as ${backup}\n`,
      );
    } else {
      await pipeline(createReadStream(temporary), process.stdout, { end: false });
      if (repairs.length > 0) {
        process.stderr.write(
          `callhook: ${path}: repaired ${repairs.length} problem${repairs.length === 1 ? '' : 's'} (--write saves them)\n`,
        );
      }
    }
  } finally {
    await rm(temporary, { force: true });
  }
}
