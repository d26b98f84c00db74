import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { damagedFile, restrictedTo } from '../../test/helpers/damaged-files.js';
import { callComplete } from '../../test/helpers/events.js';
import { type ReadOptions, readRecords } from '../input/read.js';
import type { InputRecord, Location } from '../input/types.js';
import {
  ValidationCollector,
  type ValidationOptions,
  type ValidationReport,
  validationExitCode,
} from './validation.js';

/** A CallComplete whose flow holds `steps` empty steps (two missing fields each), with a few other problems around them. */
function pathological(steps: number): string {
  const { id, createdAt, data } = callComplete();
  const bad = { name: 7, lastStepName: null, flow: Array(steps).fill({}), requests: [1, 'a', 2], status: 'Done' };
  const event = { id, eventType: 'CallComplete', createdAt, data: { ...data, ...bad, status2: 1, status3: 2 } };
  // A duplicate key (a warning) beside the schema errors, and an element that is only warnings after.
  const text = JSON.stringify(event, null, 1).replace('"status2": 1', '"name": 8, "status2": 1');
  return `[${text},\n${JSON.stringify({ ...event, data: { ...data, flow: [], lastStepName: null } })}]\n`;
}

/** Every record of `paths` (or of `text`, as stdin). */
async function recordsOf(options: ReadOptions, paths: string[], text?: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  const stdin = text === undefined ? undefined : Readable.from([Buffer.from(text)]);
  for await (const records of readRecords(paths, { ...options, stdin })) out.push(...records);
  return out;
}

/**
 * The report of `paths` (or of `text`, as stdin) read as validate reads them: each element keeps
 * at most `maxProblems` of each severity, and once the report has listed `maxProblems` the reader
 * is told (`mayListFrom`) and only counts the problems of the elements after them.
 */
async function readAsValidate(
  options: ReadOptions,
  paths: string[],
  collecting: ValidationOptions,
  text?: string,
): Promise<string> {
  const collector = new ValidationCollector(collecting);
  const stdin = text === undefined ? undefined : Readable.from([Buffer.from(text)]);
  const reading = {
    ...options,
    stdin,
    maxIssues: collecting.maxProblems,
    mayListFrom: collector.mayListFrom.bind(collector),
  };
  for await (const records of readRecords(paths, reading)) for (const record of records) collector.add(record);
  return JSON.stringify(collector.report());
}

function reportOf(records: InputRecord[], options: ValidationOptions): string {
  const collector = new ValidationCollector(options);
  for (const record of records) collector.add(record);
  return JSON.stringify(collector.report());
}

const fixtureFiles = ['fixtures/valid', 'fixtures/invalid', 'fixtures/doc-examples'].flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => /\.(json|ndjson|jsonl)$/.test(name))
    .map((name) => join(dir, name)),
);

describe('ValidationCollector with the problems each element keeps capped', () => {
  it('reports what reading every problem reports, keeping and placing only the first of an element with thousands', async () => {
    const text = pathological(1_500);
    for (const strict of [false, true]) {
      const every = await recordsOf({ strict }, ['-'], text);
      for (const maxProblems of [1, 4, 7]) {
        const capped = await recordsOf({ strict, maxIssues: maxProblems }, ['-'], text);
        const [first] = capped.filter((record) => record.kind === 'invalid');
        // Placed: at most the first maxProblems errors and warnings of the element (a duplicate key is a warning).
        expect(first?.kind === 'invalid' && first.problems.length).toBeLessThanOrEqual(2 * maxProblems + 1);
        expect(first?.kind === 'invalid' && first.omitted?.errors).toBeGreaterThan(2_990);
        for (const listWarnings of [true, false]) {
          const options = { maxProblems, listWarnings };
          expect(reportOf(capped, options)).toBe(reportOf(every, options));
        }
      }
    }
  });

  it('reports every fixture as reading every problem does', async () => {
    for (const strict of [false, true]) {
      const every = await recordsOf({ strict }, fixtureFiles);
      for (const maxProblems of [1, 3]) {
        const capped = await recordsOf({ strict, maxIssues: maxProblems }, fixtureFiles);
        for (const listWarnings of [true, false]) {
          const options = { maxProblems, listWarnings };
          expect(reportOf(capped, options)).toBe(reportOf(every, options));
          expect(await readAsValidate({ strict }, fixtureFiles, options)).toBe(reportOf(every, options));
        }
      }
    }
  });
});

describe('a file read no further (not text past some point)', () => {
  it('is listed whatever --max-problems left out before it, so the report says the rest was not read', async () => {
    // 700 invalid lines, then bytes that are not text: with --max-problems 1 the report listed the
    // first line's error and "700 more", and nothing said the file's end was never read.
    const text = `${'{"x":1}\n'.repeat(700)}${'\0'.repeat(200)}`;
    const records = await recordsOf({}, ['-'], text);
    for (const maxProblems of [1, 5, 700]) {
      const report = JSON.parse(reportOf(records, { maxProblems }));
      const [file] = report.files;
      expect(file.problems.filter((p: { fatal?: boolean }) => p.fatal)).toHaveLength(1);
      expect(file.problems.at(-1)).toMatchObject({ fatal: true, line: 701, column: 1 });
      expect(file.problems.length + file.omitted).toBe(file.errors);
    }
  });
});

describe('ValidationCollector on a file of thousands of elements that are no events', () => {
  it('lists the first --max-problems of them and counts the rest, the totals those of the uncapped report', async () => {
    const files: Array<[string, string]> = [
      ['objects', `[${Array(3_000).fill('{}').join(',')}]`],
      ['lines', `[${Array(3_000).fill('{}').join(',\n')}]`],
      ['numbers', `[${Array(3_000).fill('1').join(',')}]`],
      ['ndjson', `${Array(3_000).fill('{}').join('\n')}\n`],
    ];
    for (const [name, text] of files) {
      for (const type of [undefined, 'CallComplete'] as const) {
        // As `validate --max-problems 5` reads, and with no cap at all.
        const capped = new ValidationCollector({ maxProblems: 5 });
        for (const record of await recordsOf({ type, maxIssues: 5 }, ['-'], text)) capped.add(record);
        const every = new ValidationCollector();
        for (const record of await recordsOf({ type }, ['-'], text)) every.add(record);
        const [cut, all] = [capped.report(), every.report()];
        expect(cut.totals, name).toEqual(all.totals);
        expect(cut.files[0]?.problems, name).toEqual(all.files[0]?.problems.slice(0, 5));
        expect(cut.files[0]?.omitted, name).toBe(all.totals.errors + all.totals.warnings - 5);
        expect(all.files[0]?.problems, name).toHaveLength(all.totals.errors + all.totals.warnings);
        expect(all.totals.invalid, name).toBe(3_000);
        // Read as validate reads: the elements after the first five problems are only counted.
        expect(await readAsValidate({ type }, ['-'], { maxProblems: 5 }, text), name).toBe(
          JSON.stringify(capped.report()),
        );
      }
    }
  });
});

describe('ValidationCollector on a file of thousands of stray bytes between elements', () => {
  it('lists the first --max-problems with their frames, and only counts the rest, not framing them', async () => {
    // Each stray byte's problem was framed (the bytes around it gathered and decoded), listed or
    // not: 1 MB of `]` took validate 8.5 s, and a 5 MB body held listen 39 s (red team hT61).
    const count = 10_000;
    const files: Array<[string, string]> = [
      ['brackets', ']'.repeat(count)],
      ['braces', '}'.repeat(count)],
      ['commas', ','.repeat(count)],
      ['commas in an array', `[{}${','.repeat(count)}]`],
      ['quotes', '""'.repeat(count / 2)],
    ];
    for (const [name, text] of files) {
      const every = await recordsOf({}, ['-'], text);
      const collector = new ValidationCollector({ maxProblems: 5 });
      const reading = {
        stdin: Readable.from([Buffer.from(text)]),
        maxIssues: 5,
        mayListFrom: collector.mayListFrom.bind(collector),
      };
      let framed = 0;
      for await (const records of readRecords(['-'], reading)) {
        for (const record of records) {
          if (record.kind === 'problem' && record.problem.excerpt) framed++;
          collector.add(record);
        }
      }
      const report = collector.report();
      expect(JSON.stringify(report), name).toBe(reportOf(every, { maxProblems: 5 }));
      expect(report.totals.errors, name).toBeGreaterThanOrEqual(count / 2);
      // Hint: those read before the first are handed on (a slice of about a thousand bytes) are framed, the reader not yet told.
      expect(framed, name).toBeLessThan(count / 4);
    }
  });
});

describe('ValidationCollector telling the reader where it lists no more problems (mayListFrom)', () => {
  it('says no once the limit is reached, from the last problem listed of the file on, and for a file not begun', () => {
    const at = (line: number, file = 'a.json'): Location => ({ file, line, column: 3, offset: 0, pointer: '' });
    const problem = (line: number): InputRecord => ({
      kind: 'problem',
      problem: { ...at(line), severity: 'error', code: 'x', message: 'x' },
    });
    const collector = new ValidationCollector({ maxProblems: 2 });
    collector.add({ kind: 'file-start', file: 'a.json' });
    collector.add(problem(5));
    expect(collector.mayListFrom(at(9))).toBe(true);
    collector.add(problem(7));
    expect([6, 7, 8].map((line) => collector.mayListFrom(at(line)))).toEqual([true, false, false]);
    expect(collector.mayListFrom(at(1, 'b.json'))).toBe(false);
    // A problem found late but placed early takes the last place: the places listed move up.
    collector.add(problem(3));
    expect([4, 5, 6].map((line) => collector.mayListFrom(at(line)))).toEqual([true, false, false]);
    expect(new ValidationCollector().mayListFrom(at(1))).toBe(true);
  });

  it('gives what fails the run and what does not --max-problems places each, so warnings never crowd out an error', () => {
    const at = (line: number): Location => ({ file: 'a.json', line, column: 3, offset: 0, pointer: '' });
    const problem = (line: number, severity: 'error' | 'warning'): InputRecord => ({
      kind: 'problem',
      problem: { ...at(line), severity, code: severity, message: 'x' },
    });
    const listed = (options: ValidationOptions) => {
      const collector = new ValidationCollector({ maxProblems: 2, ...options });
      collector.add({ kind: 'file-start', file: 'a.json' });
      for (const line of [1, 2, 3]) collector.add(problem(line, 'warning'));
      const may = (['error', 'warning'] as const).map((severity) => collector.mayListFrom(at(9), severity));
      collector.add(problem(9, 'error'));
      const [file] = collector.report().files;
      return { may, problems: file?.problems.map((p) => `${p.severity} ${p.line}`), omitted: file?.omitted };
    };
    expect(listed({})).toEqual({ may: [true, false], problems: ['warning 1', 'warning 2', 'error 9'], omitted: 1 });
    // Under --warnings-as-errors every problem fails the run: they share the places.
    expect(listed({ warningsAsErrors: true })).toEqual({
      may: [false, false],
      problems: ['warning 1', 'warning 2'],
      omitted: 2,
    });
    // Warnings not listed (-q) take no place, and are none left out.
    expect(listed({ listWarnings: false })).toEqual({ may: [true, false], problems: ['error 9'], omitted: 0 });
  });

  it('reports what reading every problem reports, with problems found after others placed later and redeliveries', async () => {
    const { type: _, ...rest } = callComplete();
    const event = JSON.stringify({ ...rest, eventType: 'CallComplete' });
    const voicemail = JSON.stringify({
      ...rest,
      eventType: 'CallComplete',
      data: { ...rest.data, status: 'Voicemail' },
    });
    const files: Array<[string, string]> = [
      // Each trailing comma is found after the doubled comma that follows it, but placed before it.
      ['late.ndjson', `${'{},,\n[{"a":1},{"b":2}],,\n'.repeat(60)}{"c":3},,`],
      ['late.json', `[${Array(120).fill('{"a":1},,').join('\n')}{"b":2}],,`],
      // Redeliveries (warnings) among errors: of a valid event, and of a call of an undocumented status.
      ['redelivered.json', `[\n${Array(60).fill(`${event},\n{},\n${voicemail}`).join(',\n')}\n]\n`],
    ];
    for (const [name, text] of files) {
      for (const type of [undefined, 'CallComplete'] as const) {
        // Hint: records handed on a few elements at a time, so that the reader hears of the list often.
        const reading: ReadOptions = { type, firstCopies: true, chunkSize: 64 };
        const every = await recordsOf(reading, ['-'], text);
        const all = JSON.parse(reportOf(every, {})).totals;
        const total = all.errors + all.warnings;
        for (const maxProblems of [1, 2, 3, 7, 11, 12, 40, Math.floor(total / 2), total - 1, total]) {
          for (const listWarnings of [true, false]) {
            const options = { maxProblems, listWarnings };
            const read = await readAsValidate(reading, ['-'], options, text);
            expect(read, `${name} ${type} ${maxProblems} ${listWarnings}`).toBe(reportOf(every, options));
          }
        }
      }
    }
  });
});

describe('a report capped by --max-problems, over generated damaged files', () => {
  it('is the uncapped report restricted to the cap: each file its first problems by place, in file order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-capped-'));
    try {
      for (let seed = 1; seed <= 40; seed++) {
        const paths = Array.from({ length: 1 + (seed % 3) }, (_, i) => {
          const { ending, text } = damagedFile(seed * 10 + i);
          const path = join(dir, `${seed}-${i}.${ending}`);
          writeFileSync(path, text);
          return path;
        });
        // Hint: records handed on a few elements at a time, so that the reader hears of the list often.
        const reading: ReadOptions = {
          type: seed % 4 === 0 ? 'CallComplete' : undefined,
          strict: seed % 3 === 0,
          firstCopies: true,
          chunkSize: 64,
        };
        const every = await recordsOf(reading, paths);
        for (const listWarnings of [true, false]) {
          const uncapped = JSON.parse(reportOf(every, { listWarnings })) as ValidationReport;
          const total = uncapped.files.reduce((sum, file) => sum + file.problems.length, 0);
          for (const maxProblems of new Set([
            1,
            2,
            3,
            Math.ceil(total / 2),
            Math.max(1, total - 1),
            Math.max(1, total),
          ])) {
            const options = { maxProblems, listWarnings };
            expect(await readAsValidate(reading, paths, options), `seed ${seed} ${maxProblems} ${listWarnings}`).toBe(
              JSON.stringify(restrictedTo(uncapped, maxProblems)),
            );
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validationExitCode', () => {
  it('is 2 when a file could not be read (an I/O error), 1 when one is not text (judged invalid), 0 when all pass', () => {
    const codeOf = (code: string | undefined) => {
      const collector = new ValidationCollector({ maxProblems: 0 });
      collector.add({ kind: 'file-start', file: 'a.json' });
      if (code) {
        const at = { file: 'a.json', line: 4, column: 2, offset: 40, pointer: '' };
        collector.add({ kind: 'problem', problem: { ...at, severity: 'error', code, message: 'x', fatal: true } });
      }
      collector.add({ kind: 'file-end', file: 'a.json', elements: 0, bytes: 40 });
      collector.add({ kind: 'file-start', file: 'b.json' });
      collector.add({ kind: 'file-end', file: 'b.json', elements: 0, bytes: 0 });
      return validationExitCode(collector.report());
    };
    expect([codeOf('unreadable'), codeOf('binary'), codeOf(undefined)]).toEqual([2, 1, 0]);
  });
});
