import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/commands/validate.js';
import { defaultMaxProblems } from '../../src/input/types.js';
import { capture } from '../helpers/capture.js';
import { binPath, type CliResult, runCli } from '../helpers/run-cli.js';
import { readWorkflowCommand } from '../helpers/workflow-command.js';

interface JsonReport {
  ok: boolean;
  files: Array<{
    file: string;
    events: number;
    valid: number;
    invalid: number;
    problems: Array<{
      severity: string;
      code: string;
      message: string;
      pointer: string;
      line: number;
      column: number;
      firstCopy?: { file: string; line: number; column: number; pointer: string };
    }>;
    errors: number;
    omittedProblems: number;
  }>;
  totals: Record<string, number>;
}

async function validateJson(args: string[]): Promise<{ report: JsonReport; code: number | null; stderr: string }> {
  const result = await runCli(['validate', '--format', 'json', ...args]);
  return { report: JSON.parse(result.stdout) as JsonReport, code: result.code, stderr: result.stderr };
}

/** `severity code line:column pointer` for one problem: compact and exact. */
const compact = (p: JsonReport['files'][number]['problems'][number]) =>
  `${p.severity} ${p.code} ${p.line}:${p.column} ${p.pointer}`;

async function problemsOf(file: string, ...args: string[]): Promise<string[]> {
  const { report } = await validateJson([file, ...args]);
  return report.files.flatMap((f) => f.problems.map(compact));
}

/**
 * The stretch of a pretty report about `file`: from its header line (`✖ file` or `✔ file`) to the
 * next header or the totals, which begin the same way. Hint: a file's problems and code frames
 * are indented under its header, so none of their lines begins so.
 */
function sectionOf(stdout: string, file: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => /^[✖✔] /.test(line) && line.slice(2).startsWith(file));
  expect(start, `${file} has a header in the report`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, i) => i > start && /^[✖✔] /.test(line));
  return `${lines.slice(start, end < 0 ? undefined : end).join('\n')}\n`;
}

/**
 * Files that tests write for the JSON report of each, all validated in one `validate --format
 * json` run (one Node start, not one a test), made when a test first asks; each test registers
 * its files as the file is loaded (`sharedFiles`), before any test runs. Hint: no two files hold
 * the same `id`, and none holds an event of a shape validate knows with one (keys.json's is known,
 * but has no `id`), so no file gains another's `duplicate-id` (the exact lists asserted would show
 * one); all together they hold far fewer problems than
 * --max-problems keeps; and no test of them asserts the run's exit code (those that do run their
 * own), so each file's entry is what a run of that file alone reports.
 */
const sharedTexts = new Map<string, string>();
let sharedRun: Promise<{ dir: string; report: JsonReport }> | undefined;

/** Registers `files` (name, text) for the shared run; a name is taken once. */
function sharedFiles(files: Iterable<readonly [string, string, ...unknown[]]>): void {
  for (const [name, text] of files) {
    if (sharedTexts.has(name)) throw new Error(`${name} is in the shared run twice`);
    sharedTexts.set(name, text);
  }
}

/** The path of shared file `name` and its entry in the shared run's report. */
async function sharedEntry(name: string): Promise<{ file: string; entry: JsonReport['files'][number] }> {
  sharedRun ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-'));
    for (const [file, text] of sharedTexts) writeFileSync(join(dir, file), text);
    return { dir, report: (await validateJson([...sharedTexts.keys()].map((file) => join(dir, file)))).report };
  })();
  const { dir, report } = await sharedRun;
  const file = join(dir, name);
  const entry = report.files.find((f) => f.file === file);
  expect(entry, name).toBeDefined();
  return { file, entry: entry! };
}

/** Registers `files` for the shared run; then the problems of file `name`, as `problemsOf` gives them. */
function filesRun(files: ReadonlyArray<readonly [string, string, ...unknown[]]>): (name: string) => Promise<string[]> {
  sharedFiles(files);
  return async (name) => (await sharedEntry(name)).entry.problems.map(compact);
}

/** What one file of a shared run got: its own entry of the report, and the run's exit code and stderr. */
interface SharedResult {
  entry: JsonReport['files'][number] | undefined;
  files: string[];
  code: number | null;
  stderr: string;
}

/**
 * `callhook validate --format json path`, run in this process (`validate`, the command's own
 * function, with its output captured, as test/proto-keys.test.ts runs it): the report, the exit
 * code it sets and what it says on stderr, with no Node start. Hint: the exit code is put back, or
 * vitest would end with it.
 */
async function validateInProcess(path: string): Promise<SharedResult> {
  const before = process.exitCode;
  try {
    process.exitCode = undefined;
    const printed = await capture(() => validate([path], { format: 'json', maxProblems: defaultMaxProblems }));
    const report = JSON.parse(printed.stdout) as JsonReport;
    return {
      entry: report.files.find((f) => f.file === path),
      files: report.files.map((f) => f.file),
      code: Number(process.exitCode ?? 0),
      stderr: printed.stderr,
    };
  } finally {
    process.exitCode = before;
  }
}

/**
 * One `validate --format json` run for many fixtures instead of one each (a Node start apiece was
 * most of this file's time), computed when a test first asks for a file of its group. Hint: the
 * files of a run share its event ids, so a file repeating another's id would gain a `duplicate-id`
 * warning; a group holds no two files in which the same id is written. And a group holds only
 * files that fail or only files that pass, so the run's exit code is each file's own. Hint: only
 * the first group of failing files and the first of passing ones run the built CLI, which proves
 * the wiring (argv, the JSON on stdout, the exit code, stderr); a file of any other group (most
 * fixtures repeat the documentation's one event id, so they fall into groups of one) is validated
 * alone by the same command in this process (`validateInProcess`), its report, exit code and
 * stderr asserted the same.
 */
function sharedRuns(files: ReadonlyArray<{ path: string; fails: boolean }>): (path: string) => Promise<SharedResult> {
  const groups: Array<{ paths: string[]; ids: Set<string>; fails: boolean; run?: Promise<CliResult> }> = [];
  const groupOf = new Map<string, (typeof groups)[number]>();
  for (const { path, fails } of files) {
    const ids = [...readFileSync(path, 'latin1').matchAll(/"id"\s*:\s*"([^"]*)"/g)].map((m) => m[1] ?? '');
    let group = groups.find((g) => g.fails === fails && !ids.some((id) => g.ids.has(id)));
    if (!group) {
      group = { paths: [], ids: new Set(), fails };
      groups.push(group);
    }
    group.paths.push(path);
    for (const id of ids) group.ids.add(id);
    groupOf.set(path, group);
  }
  return async (path) => {
    const group = groupOf.get(path);
    if (!group) throw new Error(`${path} is in no shared run`);
    if (groups.find((g) => g.fails === group.fails) !== group) return validateInProcess(path);
    group.run ??= runCli(['validate', '--format', 'json', ...group.paths]);
    const result = await group.run;
    const report = JSON.parse(result.stdout) as JsonReport;
    return {
      entry: report.files.find((f) => f.file === path),
      files: report.files.map((f) => f.file),
      code: result.code,
      stderr: result.stderr,
    };
  };
}

describe('validate: the published examples', () => {
  it('points at each defect of the platform page exactly', async () => {
    const { report, code } = await validateJson(['fixtures/doc-examples']);
    expect(code).toBe(1);
    const found = report.files.map((f) => [
      f.file,
      f.events,
      f.invalid,
      f.problems.map((p) => `${p.code} ${p.line}:${p.column} ${p.pointer}`),
    ]);
    expect(found).toEqual([
      ['fixtures/doc-examples/call-attempted.json', 2, 1, ['trailing-comma 14:53 /1/campaignId']],
      ['fixtures/doc-examples/call-complete.json', 3, 1, ['missing-comma 59:20 /1/data/flow/1/response']],
      ['fixtures/doc-examples/call-received.json', 2, 1, ['trailing-comma 6:53 /0/campaignId']],
      ['fixtures/doc-examples/sms-received.json', 1, 1, ['trailing-comma 7:53 /0/campaignId']],
      ['fixtures/doc-examples/sms-sent.json', 2, 0, []],
    ]);
  });

  it("prints the README's --format json example as it stands, field for field", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('#### `--format json`'));
    const example = /^```json\n([\s\S]*?)^```$/m.exec(section)?.[1];
    const { report } = await validateJson(['fixtures/doc-examples/call-complete.json']);
    expect(report).toEqual(JSON.parse(example ?? 'null'));
  });

  it('prints a readable report with code frames', async () => {
    const result = await runCli(['validate', 'fixtures/doc-examples']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    await expect(result.stdout).toMatchFileSnapshot('__snapshots__/validate-doc-examples.txt');
  });
});

describe('validate: one scenario per invalid fixture', () => {
  const expected: Record<string, string[]> = {
    'bad-status.json': ['error invalid-value 58:17 /1/data/status'],
    'bad-timestamp.json': ['error invalid-format 3:13 /0/time'],
    'bad-uuid.json': ['error invalid-format 6:19 /0/campaignId'],
    'binary.bin.json': ['error binary 1:1 '],
    'deep-nesting.json': ['error too-deep 2:3 /0'],
    'duplicate-keys.json': ['warning duplicate-key 11:7 /0/data/name'],
    'inconsistent-status-flow.json': ['warning status-flow 17:17 /0/data/status'],
    'last-step-mismatch.json': ['warning last-step 13:23 /0/data/lastStepName'],
    'missing-comma-between-elements.json': ['error missing-comma 9:4 /0'],
    'missing-comma-between-members.json': ['error missing-comma 10:27 /0/data/name'],
    'missing-required-field.json': ['error missing-field 6:13 /0/data/sessionId'],
    'nan-value.json': ['error invalid-symbol 4:14 /0/phone'],
    'not-an-object.json': ['error not-an-object 32:3 /1'],
    'phone-with-plus.json': ['error invalid-format 4:14 /0/phone'],
    'proto-key.json': ['warning proto-key 28:7 /0/data/__proto__'],
    'raw-control-character.json': ['error control-character 19:31 /0/data/flow/0/transcript'],
    'redelivery-duplicate-id.json': ['warning duplicate-id 63:11 /2/id'],
    'several-errors.json': [
      'error missing-comma 10:27 /0/data/name',
      'error trailing-comma 59:51 /1/data/additionalInformation',
      'error missing-comma 61:4 /1',
      'error trailing-comma 69:4 /2',
    ],
    'started-after-created.json': ['warning time-order 14:22 /0/data/startedTime'],
    'strict-extra-field.json': [],
    'trailing-comma-in-array.json': ['error trailing-comma 13:4 /1'],
    'trailing-comma-in-object.json': ['error trailing-comma 29:51 /0/data/additionalInformation'],
    'unexpected-eof.json': ['error unexpected-eof 42:1 /1', 'error unexpected-eof 42:1 '],
    'unknown-event-type.json': ['error unknown-event-type 4:18 /0/eventType'],
    'unrecognisable-shape.json': ['error unknown-shape 2:3 /0'],
    'unterminated-string.json': ['error unterminated-string 10:15 /0/data/name'],
    'utf16.json': ['error utf16 1:1 '],
    'wrong-type.json': ['error invalid-type 4:14 /0/phone'],
  };

  it('covers every fixture in fixtures/invalid', () => {
    const files = readdirSync('fixtures/invalid').filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it("fixtures/invalid/README.md names each file's code as validate reports it", () => {
    // It named codes no command gives (invalid-literal, unsupported-encoding, binary-input), and
    // deep-nesting.json as valid without --strict, where validate refuses it as too-deep.
    const readme = readFileSync('fixtures/invalid/README.md', 'utf8');
    const rows = [...readme.matchAll(/^\| `([\w.-]+)` \| (error|warning) `([\w-]+)`([^|]*)\|/gm)];
    expect(rows.length).toBeGreaterThan(20);
    const named = rows
      .filter(([, , , , rest]) => !rest?.includes('under `--strict` only'))
      .map(([, file, severity, code]) => [file, `${severity} ${code}`]);
    const reported = named.map(([file, problem]) => [
      file,
      expected[file ?? '']?.map((p) => p.split(' ').slice(0, 2).join(' ')).find((p) => p === problem),
    ]);
    expect(reported).toEqual(named);
  });

  const fails = (problems: string[]) => problems.some((p) => p.startsWith('error'));
  const shared = sharedRuns(
    Object.entries(expected).map(([file, problems]) => ({ path: `fixtures/invalid/${file}`, fails: fails(problems) })),
  );

  for (const [file, problems] of Object.entries(expected)) {
    it(`${file}`, async () => {
      const path = `fixtures/invalid/${file}`;
      const { entry, files, code, stderr } = await shared(path);
      expect(files).toContain(path);
      expect(entry?.problems.map(compact)).toEqual(problems);
      expect(entry?.errors).toBe(problems.filter((p) => p.startsWith('error')).length);
      expect(code).toBe(fails(problems) ? 1 : 0);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('reports undocumented fields under --strict only', async () => {
    expect(await problemsOf('fixtures/invalid/strict-extra-field.json', '--strict')).toEqual([
      'error unknown-field 30:7 /0/data/durationSeconds',
    ]);
    expect(await problemsOf('fixtures/invalid/proto-key.json', '--strict')).toEqual([
      'error unknown-field 28:7 /0/data/__proto__',
      'warning proto-key 28:7 /0/data/__proto__',
    ]);
  });
});

describe('validate: valid fixtures', () => {
  const files = readdirSync('fixtures/valid').filter((f) => /\.(json|ndjson|jsonl)$/.test(f));

  const shared = sharedRuns(files.map((file) => ({ path: `fixtures/valid/${file}`, fails: false })));

  for (const file of files) {
    it(`${file} is valid with no warnings`, async () => {
      const { entry, code } = await shared(`fixtures/valid/${file}`);
      expect(entry?.problems).toEqual([]);
      expect(entry?.invalid).toBe(0);
      expect(code).toBe(0);
    });
  }

  it('reads a whole folder recursively, with totals that add up', async () => {
    const { report, code } = await validateJson(['fixtures/valid']);
    expect(code).toBe(0);
    expect(report.totals.files).toBe(files.length);
    expect(report.totals.valid).toBe(report.files.reduce((n, f) => n + f.valid, 0));
    expect(report.totals.errors).toBe(0);
  });

  it('reads an element whole when a line inside it is indented as if the next one began there', async () => {
    // Valid JSON: a `]` left of its element's `{`, and a `{` at its indentation, end nothing.
    const events = JSON.parse(readFileSync('fixtures/valid/every-status.json', 'utf8')) as unknown[];
    const lines = JSON.stringify(events, null, 2).split('\n');
    const bracket = lines.findIndex((line) => /^ {6,}\],?$/.test(line));
    const brace = lines.findIndex((line) => /^ {6,}\{$/.test(line));
    expect([bracket, brace].every((at) => at > 0)).toBe(true);
    lines[bracket] = ` ${lines[bracket]!.trimStart()}`;
    lines[brace] = `  ${lines[brace]!.trimStart()}`;
    const dir = mkdtempSync(join(tmpdir(), 'callhook-'));
    try {
      const file = join(dir, 'dedented.json');
      writeFileSync(file, lines.join('\n'));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(events);
      const { report, code } = await validateJson([file]);
      expect(report.files[0]!.problems).toEqual([]);
      expect(report.files[0]).toMatchObject({ events: events.length, valid: events.length });
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads stdin for -', async () => {
    const input = readFileSync('fixtures/valid/every-status.json');
    const result = await runCli(['validate', '-', '--format', 'json'], { input });
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.files[0]).toMatchObject({ file: '<stdin>', invalid: 0 });
    expect(result.code).toBe(0);
  });
});

describe('validate: options and formats', () => {
  it('fails on warnings with --warnings-as-errors', async () => {
    const file = 'fixtures/invalid/inconsistent-status-flow.json';
    expect((await runCli(['validate', file])).code).toBe(0);
    expect((await runCli(['validate', file, '--warnings-as-errors'])).code).toBe(1);
  });

  it('warns about a batch larger than --batch-size, at its opening bracket', async () => {
    expect(await problemsOf('fixtures/valid/every-status.json', '--batch-size', '2')).toEqual([
      'warning batch-too-large 1:1 ',
    ]);
  });

  it('forces a type with --type', async () => {
    const problems = await problemsOf('fixtures/invalid/unrecognisable-shape.json', '--type', 'CallReceived');
    expect(problems).toEqual(['error missing-field 2:3 /0/type']);
  });

  it('keeps at most --max-problems problems but counts them all', async () => {
    const { report } = await validateJson(['fixtures/invalid/several-errors.json', '--max-problems', '2']);
    expect(report.files[0]!.problems).toHaveLength(2);
    expect(report.totals.errors).toBe(4);
  });

  it('prints GitHub annotations', async () => {
    const result = await runCli(['validate', 'fixtures/doc-examples/call-complete.json', '--format', 'github']);
    expect(result.stdout).toBe(
      '::error file=fixtures/doc-examples/call-complete.json,line=59,col=20,title=callhook missing-comma::missing comma between object members (/1/data/flow/1/response)\n',
    );
    expect(result.code).toBe(1);
  });

  it('prints JUnit XML with one failing suite per invalid file', async () => {
    const result = await runCli(['validate', 'fixtures/doc-examples', '--format', 'junit']);
    expect(result.stdout).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="callhook validate" tests="5" failures="4" errors="0">/,
    );
    expect(result.stdout.match(/<failure /g)).toHaveLength(4);
    expect(result.stdout).toContain(
      'fixtures/doc-examples/call-complete.json:59:20 error missing comma between object members',
    );
  });

  it('with --quiet prints only failing files and the totals', async () => {
    const result = await runCli(['validate', 'fixtures/doc-examples', '--quiet']);
    expect(result.stdout).not.toContain('sms-sent.json');
    expect(result.stdout).toContain('✖ fixtures/doc-examples/call-complete.json');
    expect(result.stdout).toContain('✖ invalid  5 files, 10 events: 6 valid, 4 invalid; 4 errors, 0 warnings');
  });

  it('skips an element larger than --max-element-size with an error naming the option, and goes on', async () => {
    // Hint: the default limit is 64 MiB; the option sets it lower here to keep the file small (1M,
    // an element of 1.5 MiB: the power of two of MiB above it, 2M, is the limit suggested; it was
    // 16M and 17 MiB, suggested 32M: the same reckoning, `limitFor`'s, unit-tested in src/input/read.test.ts).
    const dir = mkdtempSync(join(tmpdir(), 'callhook-'));
    const file = join(dir, 'huge.json');
    const ok = readFileSync('fixtures/valid/single-event-object.json', 'utf8');
    writeFileSync(file, `[{"transcript": "${'x'.repeat(1.5 * 2 ** 20)}"},\n${ok}]`);
    const { report, code } = await validateJson([file, '--max-element-size', '1M']);
    expect(code).toBe(1);
    expect(report.files[0]!.problems.map((p) => p.code)).toEqual(['element-too-large']);
    expect(report.files[0]!.problems[0]!.message).toContain('--max-element-size 2M');
    expect(report.files[0]!.valid).toBe(1);
  });

  it('says a line of text of a megabyte in one short line, and never to raise the limit for it', async () => {
    // The error quoted the whole word: 1,000,248 bytes from validate, as much on summarise's
    // stderr; a 200 MB line was told to use --max-element-size 256M (red team hT43).
    const line = `${'a'.repeat(1_000_000)}\n`;
    const quoted = `unexpected "${'a'.repeat(40)}…"`;
    const validated = await runCli(['validate', '-'], { input: line });
    expect({ code: validated.code, long: validated.stdout.length > 1000 }).toEqual({ code: 1, long: false });
    expect(validated.stdout).toContain(quoted);
    const summarised = await runCli(['summarise', '-'], { input: line });
    expect(summarised.stderr).toBe(`callhook: <stdin>:1:1: ${quoted} (no event to summarise)\n`);
    const oversize = await runCli(['validate', '-', '--max-element-size', '512k', '--format', 'json'], { input: line });
    const [problem] = (JSON.parse(oversize.stdout) as { files: Array<{ problems: unknown[] }> }).files[0]!.problems;
    expect(problem).toMatchObject({
      code: 'invalid-symbol',
      message: `${quoted}: an element of 1000000 bytes that is no JSON value, past the 512k limit (raising it would not help)`,
    });
  });

  // Hint: the files of the next three tests are validated together, as JSON in the shared run
  // (`sharedFiles`) and pretty in one run of their own (one Node start, not nine). Every one of
  // them fails, so the pretty run's exit code is each file's own; none holds an event id or
  // anywhere near --max-problems problems, so no file changes another's; and each file's JSON
  // entry, and its stretch of the pretty report (`sectionOf`), is what a run of it alone prints.
  const framed = {
    'open.json': '[\n  {"a": 1},\n  {"b": 2},\n',
    'lines.ndjson': '{"a": 1}\n{"b": 2},',
    'f.json': '[{"x":1},{"a":1 "b":2}]\n',
    'commas.json': '[{"a":1}],,',
    'bracket.ndjson': '{"a":1},]',
  } as const;
  sharedFiles(Object.entries(framed));
  let framedRuns: Promise<{ dir: string; pretty: CliResult }> | undefined;
  /** The JSON problems (as `problemsOf` gives them) and the pretty report of one of `framed`. */
  async function framedRun(
    name: keyof typeof framed,
  ): Promise<{ file: string; problems: string[]; pretty: string; code: number | null }> {
    framedRuns ??= (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'callhook-'));
      const files = Object.entries(framed).map(([file, text]) => {
        writeFileSync(join(dir, file), text);
        return join(dir, file);
      });
      return { dir, pretty: await runCli(['validate', ...files, '--no-color']) };
    })();
    const [{ dir, pretty }, { entry }] = await Promise.all([framedRuns, sharedEntry(name)]);
    const file = join(dir, name);
    return { file, problems: entry.problems.map(compact), pretty: sectionOf(pretty.stdout, file), code: pretty.code };
  }

  it('frames a trailing comma at the very end of a file, in an array left open and after NDJSON', async () => {
    // In the array, the comma's pointer names the element before it.
    for (const [name, line, source, pointer] of [
      ['open.json', 3, '  {"b": 2},', '/1'],
      ['lines.ndjson', 2, '{"b": 2},', ''],
    ] as const) {
      const text = framed[name];
      const column = source.length;
      const result = await framedRun(name);
      expect(result.problems).toContain(`error trailing-comma ${line}:${column} ${pointer}`);
      expect(result.code).toBe(1);
      // The frame: the line before, the comma's line, and a caret under the comma.
      const before = text.split('\n')[line - 2];
      expect(result.pretty).toContain(
        `      ${line - 1} | ${before}\n    > ${line} | ${source}\n        | ${' '.repeat(column - 1)}^\n`,
      );
    }
  });

  it('frames a problem on the first line of an element with the line as it is, not blanks before the element', async () => {
    const result = await framedRun('f.json');
    expect(result.code).toBe(1);
    // Nine blanks stood where `[{"x":1},` is.
    expect(result.pretty).toContain('    > 1 | [{"x":1},{"a":1 "b":2}');
    expect(result.pretty).toContain(`\n        | ${' '.repeat(15)}^\n`);
  });

  // Hint: a problem's place, then its `error` two columns on, or on the next line where the path
  // (a long TMPDIR) leaves no room for it.
  const placeOfError = /:1:\d+(?=(?: {2}|\n {6})error)/g;

  it('lists the problems of a file in the order of their places, whatever the order they are found in', async () => {
    // The trailing comma is known only at the end of the file, after what follows it is read.
    for (const [name, want] of [
      ['commas.json', ['unknown-shape 1:2', 'trailing-comma 1:10', 'unexpected-comma 1:11']],
      ['bracket.ndjson', ['unknown-shape 1:1', 'trailing-comma 1:8', 'unexpected-character 1:9']],
    ] as const) {
      const result = await framedRun(name);
      const places = result.problems.map((p) => p.split(' ').slice(1, 3).join(' '));
      expect(places, name).toEqual(want);
      const printed = result.pretty.match(placeOfError);
      expect(printed, name).toEqual(want.map((place) => `:${place.split(' ')[1]}`));
    }
  });

  it('with --max-problems, lists the first problems by their places, not the first found, and counts the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-'));
    // Each trailing comma is found after the doubled comma that follows it.
    const batch = join(dir, 'batch.json');
    writeFileSync(batch, '[{"a":1},{"b":2}],,');
    const lone = join(dir, 'lone.json');
    writeFileSync(lone, '{"a":1},,');
    const listed = (report: JsonReport) =>
      report.files.map((f) => [f.problems.map((p) => `${p.code} ${p.line}:${p.column}`), f.omittedProblems]);
    const one = await validateJson([batch, '--max-problems', '3']);
    expect(listed(one.report)).toEqual([[['unknown-shape 1:2', 'unknown-shape 1:10', 'trailing-comma 1:18'], 1]]);
    expect(one.report.totals.errors).toBe(4);
    // The limit is the run's: the second file has the places the first left.
    const two = await validateJson([batch, lone, '--max-problems', '6']);
    expect(listed(two.report)).toEqual([
      [['unknown-shape 1:2', 'unknown-shape 1:10', 'trailing-comma 1:18', 'unexpected-comma 1:19'], 0],
      [['unknown-shape 1:1', 'trailing-comma 1:8'], 1],
    ]);
    expect(two.report.totals.errors).toBe(7);
    const pretty = await runCli(['validate', batch, '--max-problems', '3', '--no-color']);
    expect(pretty.stdout.match(placeOfError)).toEqual([':1:2', ':1:10', ':1:18']);
    expect(pretty.stdout).toContain('1 more problem not shown (--max-problems)');
  });
});

describe('validate: --max-problems and warnings', () => {
  const bad = 'fixtures/invalid/bad-status.json';
  const [kept, failing] = JSON.parse(readFileSync(bad, 'utf8')) as unknown[];

  it('lists an error of a later file however many warnings came before it, with true counts, in every format', async () => {
    // JUnit spent the places on a redelivery's warning it never prints: b.json's failure listed
    // no error and said "2 more problems" of its one error and two warnings.
    const dir = mkdtempSync(join(tmpdir(), 'callhook-budget-'));
    try {
      const [a, b] = ['a.json', 'b.json'].map((name) => join(dir, name)) as [string, string];
      copyFileSync(bad, a);
      copyFileSync(bad, b);
      const junit = await runCli(['validate', '--max-problems', '2', '--format', 'junit', a, b]);
      const suiteOf = (file: string) => junit.stdout.split('<testsuite ').find((s) => s.startsWith(`name="${file}"`));
      expect(suiteOf(b)).toContain(`>${b}:58:17 error &quot;status&quot; must be`);
      expect(suiteOf(b)).not.toContain('not shown');
      expect(junit.code).toBe(1);
      const github = await runCli(['validate', '--max-problems', '2', '--format', 'github', a, b]);
      expect(github.stdout).toContain(`::error file=${b},line=58,col=17,`);
      const { report } = await validateJson(['--max-problems', '2', a, b]);
      expect(report.files[1]!.problems.map(compact)).toEqual([
        'warning duplicate-id 3:11 /0/id',
        'warning duplicate-id 33:11 /1/id',
        'error invalid-value 58:17 /1/data/status',
      ]);
      expect(report.files[1]!.omittedProblems).toBe(0);
      // One place of each: a.json's error takes the errors' and b.json's first warning the warnings'.
      const one = await validateJson(['--max-problems', '1', a, b]);
      expect(one.report.files[1]!.problems.map(compact)).toEqual(['warning duplicate-id 3:11 /0/id']);
      expect(one.report.files[1]!.omittedProblems).toBe(2);
      const cut = await runCli(['validate', '--max-problems', '1', '--format', 'junit', a, b]);
      expect(cut.stdout).toContain(
        '<failure message="1 error, 2 warnings" type="validation">… 1 more problem not shown (--max-problems)</failure>',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with the default limit, a CI reader sees the error after 1,001 redeliveries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-budget-'));
    try {
      const file = join(dir, 'redelivered.ndjson');
      const copies = Array(1_002).fill(JSON.stringify(kept));
      writeFileSync(file, `${[...copies, JSON.stringify(failing)].join('\n')}\n`);
      const github = await runCli(['validate', '--format', 'github', file]);
      expect(github.stdout.match(/^::error /gm)).toHaveLength(1);
      expect(github.stdout).toContain(`::error file=${file},line=1003,`);
      expect(github.stdout.match(/^::warning /gm)).toHaveLength(1_000);
      expect(github.stdout).toContain('::notice file=');
      expect(github.stdout).toContain('1 more problem not shown (--max-problems)');
      expect(github.code).toBe(1);
      const junit = await runCli(['validate', '--format', 'junit', file]);
      expect(junit.stdout).toContain(`>${file}:1003:`);
      expect(junit.stdout).toContain('message="1 error, 1,001 warnings"');
      expect(junit.stdout).not.toContain('not shown');
      const { report } = await validateJson([file]);
      expect(report.files[0]!.problems.filter((p) => p.severity === 'error')).toHaveLength(1);
      expect(report.files[0]!.omittedProblems).toBe(1);
      const pretty = await runCli(['validate', file, '--no-color', '--width', '200']);
      expect(pretty.stdout).toContain(`${file}:1003:`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validate: --width holds every line', () => {
  // Wider only as README allows: a line of one unbreakable token (a file's name, its place).
  const tooWide = (text: string, width: number) =>
    text.split('\n').filter((line) => line.length > width && /\s/.test(line.trim()));

  it('wraps the line that counts the problems --max-problems left out', async () => {
    // `  … 3 more problems not shown (--max-problems)` was 46 columns at --width 20 (red team hR95).
    const run = await runCli([
      'validate',
      'fixtures/invalid/several-errors.json',
      '--max-problems',
      '1',
      '--width',
      '20',
      '--no-color',
    ]);
    expect(tooWide(run.stdout, 20)).toEqual([]);
    expect(run.stdout.replace(/\s+/g, ' ')).toContain('… 3 more problems not shown (--max-problems)');
    expect(run.code).toBe(1);
  });

  it('wraps the totals --format github says on stderr', async () => {
    // An 88-column `callhook: ✖ invalid  1 file, …` at --width 20 (red team hR95).
    for (const width of ['20', '40']) {
      const run = await runCli([
        'validate',
        'fixtures/invalid/several-errors.json',
        '--format',
        'github',
        '--width',
        width,
      ]);
      expect(tooWide(run.stderr, Number(width)), width).toEqual([]);
      expect(run.stderr.replace(/\s+/g, ' ').trim()).toBe(
        'callhook: ✖ invalid 1 file, 3 events: 1 valid, 2 invalid; 4 errors, 0 warnings',
      );
      expect(run.code).toBe(1);
    }
  });
});

describe('validate: a lone surrogate quoted in a message', () => {
  it('is the visible text \\ud83d in every machine format: JSON that jq 1.6 and Python read, and the same message', async () => {
    // JSON wrote the message's U+D83D as the escape `\ud83d`, which jq 1.6 refuses (red team hF67).
    const dir = mkdtempSync(join(tmpdir(), 'callhook-lone-'));
    try {
      const file = join(dir, 'lone.json');
      const text = readFileSync('fixtures/valid/single-event-object.json', 'utf8');
      writeFileSync(file, text.replace(/"status": "[^"]*"/, '"status": "\\ud83d"'));
      // Given twice, its first copy's pointer too (review hR77): validated in the same run.
      const twice = join(dir, 'twice.json');
      writeFileSync(twice, text.replace('"eventType"', '"\\ud83dx": 1, "\\ud83dx": 2, "eventType"'));
      const { report } = await validateJson([file, twice]);
      expect(report.files.map((f) => f.file)).toEqual([file, twice]);
      const [problem] = report.files[0]!.problems;
      expect(problem?.message).toBe('"status" must be ("Complete" | "Partial" | "Not Complete"); received "\\ud83d"');
      expect(problem?.message).not.toMatch(/\p{Surrogate}/u);
      const github = await runCli(['validate', '--format', 'github', file]);
      expect(readWorkflowCommand(github.stdout.trimEnd())?.data).toBe(`${problem?.message} (/data/status)`);
      const junit = await runCli(['validate', '--format', 'junit', file]);
      expect(junit.stdout).toContain(problem?.message.replaceAll('"', '&quot;'));
      // A key holding one, in --strict's pointer: the pointer is shown so too (review hR76).
      const keyed = join(dir, 'keyed.json');
      writeFileSync(keyed, text.replace('"eventType"', '"\\ud83dk": 1, "eventType"'));
      const strict = await validateJson([keyed, '--strict']);
      const pointers = strict.report.files[0]!.problems.map((p) => p.pointer);
      expect(pointers).toContain('/\\ud83dk');
      expect(JSON.stringify(pointers)).not.toMatch(/\p{Surrogate}/u);
      // Hint: twice.json redelivers file's event (a duplicate-id warning), which is no duplicate-key.
      const duplicate = report.files[1]!.problems.find((p) => p.code === 'duplicate-key');
      expect(duplicate?.firstCopy?.pointer).toBe('/\\ud83dx');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validate --format github: stdin', () => {
  it('annotates the run, not a file, for stdin, and names a file called <stdin>', async () => {
    // Both were `file=<stdin>`: stdin's annotation went to a file it was not, or one not there.
    const dir = mkdtempSync(join(tmpdir(), 'callhook-stdin-named-'));
    try {
      writeFileSync(join(dir, '<stdin>'), '{}\n');
      const run = await runCli(['validate', '--format', 'github', '<stdin>', '-'], { cwd: dir, input: '[{"a": 1}]\n' });
      const read = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => readWorkflowCommand(line));
      expect(read.map((command) => [command?.command, command?.properties.get('file')])).toEqual([
        ['error', '<stdin>'],
        ['error', undefined],
      ]);
      expect(run.stdout).toContain('::error line=1,col=2,title=callhook unknown-shape::');
      expect(run.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validate: a file whose name has spaces or CJK in it', () => {
  it('keeps the name whole on one line: in the header, in file:line:column and in a warning that it was named twice', async () => {
    // Lines broke at the name's spaces and between its CJK characters, so `file:line:column` was
    // cut over two lines (`… September 2022` / `Tokyo.json:1:9  error`) and could not be copied.
    const dir = mkdtempSync(join(tmpdir(), 'callhook-spaced-name-'));
    try {
      const names = [
        'Quarterly Customer Survey Exports/Customer Survey Export (final version) September 2022 Tokyo.json',
        '顧客アンケートエクスポート最終版二千二十二年九月東京支店のデータファイル名前.json',
      ];
      const paths = names.map((name) => join(dir, name));
      for (const path of paths) {
        execFileSync('mkdir', ['-p', join(path, '..')]);
        writeFileSync(path, '[{"a": 1 "b": 2}]\n');
      }
      // Hint: one run for both names, each named twice: neither name holds the other, so the lines
      // that hold one are the lines about it; both files fail, so the exit code is each one's.
      const run = await runCli(['validate', ...paths.flatMap((path) => [path, path]), '--width', '80']);
      for (const path of paths) {
        expect(run.code).toBe(1);
        // The header names it, and so does the problem's place; a name wider than the line stands on a line of its own.
        const lines = run.stdout.split('\n');
        expect(
          lines.filter((line) => line.includes(path)).map((line) => line.trim().slice(path.length)),
          run.stdout,
        ).toEqual([expect.any(String), expect.stringMatching(/^:1:9/)]);
        expect(
          run.stderr.split('\n').some((line) => line.includes(path)),
          run.stderr,
        ).toBe(true);
        expect(run.stderr.replaceAll('\n  ', ' ')).toContain(`callhook: warning: ${path} is named twice; read once\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validate: where a redelivery’s first copy was', () => {
  const fixture = 'fixtures/invalid/redelivery-duplicate-id.json';
  const first = '5b0e8d3f-7a21-4c6e-9f48-b1d2c3e4f5a6';
  const other = '9c1f7e3a-2d5b-4a8e-b4f6-0e7d3a9c5b12';
  // The fixture's events begin at lines 2, 32 and 62, column 3; the third redelivers the first.
  const events = JSON.parse(readFileSync(fixture, 'utf8')) as Array<{ id: string }>;
  const named = (id: string, at: string) => `event id ${id} was seen before: a redelivery of the event at ${at}`;

  /** A second file: NDJSON with the fixture's second event (a redelivery across files), twice. */
  function second(): string {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-first-copy-'));
    const file = join(dir, 'later.ndjson');
    writeFileSync(file, `${JSON.stringify(events[1])}\n${JSON.stringify(events[1])}\n`);
    return file;
  }

  it('names file:line:column and the pointer in the json report, in another file too', async () => {
    const later = second();
    const { report } = await validateJson([fixture, later]);
    const found = report.files.flatMap((f) =>
      f.problems.filter((p) => p.code === 'duplicate-id').map((p) => [p.line, p.pointer, p.message, p.firstCopy]),
    );
    expect(found).toEqual([
      [63, '/2/id', named(first, `${fixture}:2:3 (/0)`), { file: fixture, line: 2, column: 3, pointer: '/0' }],
      [1, '/id', named(other, `${fixture}:32:3 (/1)`), { file: fixture, line: 32, column: 3, pointer: '/1' }],
      [2, '/id', named(other, `${fixture}:32:3 (/1)`), { file: fixture, line: 32, column: 3, pointer: '/1' }],
    ]);
  });

  it('says it in the pretty, github and junit formats too, and --max-problems keeps counting', async () => {
    const later = second();
    const pretty = await runCli(['validate', fixture, later, '--max-problems', '2']);
    // Wrapped at 80 columns: the place is one word, never cut.
    expect(pretty.stdout).toContain(`${fixture}:2:3`);
    expect(pretty.stdout.replace(/\s+/g, ' ')).toContain(named(first, `${fixture}:2:3 (/0)`));
    expect(pretty.stdout).toContain('1 more problem not shown (--max-problems)');
    expect(pretty.stdout).toContain('0 errors, 3 warnings');
    const github = await runCli(['validate', fixture, '--format', 'github']);
    // GitHub's data part keeps `:` as it is.
    expect(github.stdout).toContain(named(first, `${fixture}:2:3 (/0)`));
    const junit = await runCli(['validate', fixture, '--format', 'junit', '--warnings-as-errors']);
    expect(junit.stdout).toContain(named(first, `${fixture}:2:3 (/0)`));
  });

  it('from stdin, names a recent first copy, says an older one was earlier in the stream, or names it in a file', async () => {
    const text = readFileSync(fixture, 'utf8');
    const near = JSON.parse(
      (await runCli(['validate', '-', '--format', 'json'], { input: text })).stdout,
    ) as JsonReport;
    expect(near.files[0]!.problems.map((p) => p.message)).toEqual([named(first, '<stdin>:2:3 (/0)')]);
    // More than the last 1,024 events first seen between the copies: a stream is not read again.
    const between = Array.from({ length: 1030 }, (_, i) =>
      JSON.stringify({ ...events[1], id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
    );
    const far = [JSON.stringify(events[0]), ...between, JSON.stringify(events[0])].join('\n');
    const lost = JSON.parse((await runCli(['validate', '-', '--format', 'json'], { input: far })).stdout) as JsonReport;
    expect(lost.files[0]!.problems.map((p) => [p.line, p.message, p.firstCopy])).toEqual([
      [
        1032,
        `event id ${first} was seen before: a redelivery of an event earlier in <stdin> (a stream: where is not kept)`,
        undefined,
      ],
    ]);
    const after = JSON.parse(
      (await runCli(['validate', fixture, '-', '--format', 'json'], { input: JSON.stringify(events[0]) })).stdout,
    ) as JsonReport;
    expect(after.files[1]!.problems.map((p) => p.message)).toEqual([named(first, `${fixture}:2:3 (/0)`)]);
  });
});

type Redelivered = Array<{ id: string }>;

/**
 * Validates a file `first.<extension>` holding `text`, then a named pipe that redelivers the
 * first event of the fixture after more than the last 1,024 events first seen, so that `first` is
 * read again for its first copy. `meanwhile` changes `first` once it has been read whole. Hint:
 * the pipe opens for writing once validate opens it to read, after reading `first`.
 */
async function readAgainChanged(
  extension: string,
  text: (events: Redelivered) => string,
  meanwhile: (first: string, events: Redelivered) => void,
): Promise<{ result: CliResult; report: JsonReport; first: string; later: string; events: Redelivered }> {
  const events = JSON.parse(readFileSync('fixtures/invalid/redelivery-duplicate-id.json', 'utf8')) as Redelivered;
  const dir = mkdtempSync(join(tmpdir(), 'callhook-first-copy-'));
  try {
    const first = join(dir, `first.${extension}`);
    const later = join(dir, 'later.ndjson');
    writeFileSync(first, text(events));
    execFileSync('mkfifo', [later]);
    const between = Array.from({ length: 1030 }, (_, i) =>
      JSON.stringify({ ...events[1], id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
    );
    const run = runCli(['validate', first, later, '--format', 'json']);
    const writer = createWriteStream(later);
    await new Promise((resolve) => writer.once('open', resolve));
    meanwhile(first, events);
    writer.end(`${[...between, JSON.stringify(events[0])].join('\n')}\n`);
    const result = await run;
    return { result, report: JSON.parse(result.stdout) as JsonReport, first, later, events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('validate: a first copy looked for again in a file that cannot be read again', () => {
  it.skipIf(process.platform !== 'linux')(
    'the file gets the one `unreadable` problem a read gives, the other files their results, exit 2',
    async () => {
      // It ended the run at once: `callhook: first.json: i/o error`, exit 2, the other file's
      // report and the totals never printed.
      const { result, report, first, later, events } = await readAgainChanged(
        'json',
        (events) => JSON.stringify(events[0]),
        // A file every read of which fails (EIO) at its first byte.
        (first) => {
          rmSync(first);
          symlinkSync('/proc/self/mem', first);
        },
      );
      expect(
        report.files.map((f) => [f.file, f.events, f.valid, f.problems.map((p) => [compact(p), p.message])]),
      ).toEqual([
        [first, 1, 1, [['error unreadable 1:1 ', 'cannot be read: i/o error']]],
        [
          later,
          1031,
          1031,
          [
            [
              'warning duplicate-id 1031:7 /id',
              `event id ${events[0]!.id} was seen before: a redelivery (its first copy was not found again)`,
            ],
          ],
        ],
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(2);
    },
  );
});

describe('validate: a first copy looked for again in a file replaced since it was read', () => {
  it.skipIf(process.platform !== 'linux')(
    'a new version renamed over it is not searched: the warning says so and names no line, exit 0',
    async () => {
      // It named first.ndjson:1:1, the first line of the new version, which the run never read;
      // in the file read, the first copy was at line 2.
      const other = (events: Redelivered) => ({ ...events[1], id: '00000000-0000-4000-8000-ffffffffffff' });
      const { result, report, first, events } = await readAgainChanged(
        'ndjson',
        (events) => `${JSON.stringify(other(events))}\n${JSON.stringify(events[0])}\n`,
        // An editor saves it, its two lines swapped.
        (first, events) => {
          writeFileSync(`${first}.new`, `${JSON.stringify(events[0])}\n${JSON.stringify(other(events))}\n`);
          renameSync(`${first}.new`, first);
        },
      );
      const warning = report.files[1]!.problems[0]!;
      expect([compact(warning), warning.message, warning.firstCopy]).toEqual([
        'warning duplicate-id 1031:7 /id',
        `event id ${events[0]!.id} was seen before: a redelivery (its first copy was not found again: ${first} was replaced since it was read)`,
        undefined,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );
});

describe('validate: a key given more than once', () => {
  // "status" three times on line 2, the last a wrong type; "note" twice, across lines.
  const event =
    '[{"time":"2022-09-03T22:00:04.551Z","phone":"61438870142","note":"a",\n' +
    '  "status":"failed","status":"failed", "status": 5,\n  "note":"b"}]\n';
  // Hint: validated in the shared run (`sharedFiles`): it holds no id.
  sharedFiles([['keys.json', event]]);

  it('says once how many times, at its last copy, where the first copy is (in the message and as firstCopy), and places a value there too', async () => {
    const { file, entry } = await sharedEntry('keys.json');
    const found = entry.problems.map((p) => [compact(p), p.message, p.firstCopy]);
    const at = (line: number, column: number) => ({ file, line, column, pointer: '' });
    expect(found).toEqual([
      ['error missing-field 1:2 /0/campaignId', 'missing required field "campaignId"', undefined],
      // One warning for the three copies, where the problem of a repeated key goes: its last copy.
      [
        'warning duplicate-key 2:40 /0/status',
        '"status" given 3 times: parsers keep only the last; first given at line 2, column 3',
        { ...at(2, 3), pointer: '/0/status' },
      ],
      // The value JSON.parse keeps, and the error's, is the last copy's.
      ['error invalid-value 2:50 /0/status', expect.stringContaining('received 5'), undefined],
      [
        'warning duplicate-key 3:3 /0/note',
        '"note" given twice: parsers keep only the last; first given at line 1, column 59',
        { ...at(1, 59), pointer: '/0/note' },
      ],
    ]);
  });
});

describe('validate: a value cut short', () => {
  const files: Array<[string, string, string[]]> = [
    // An NDJSON first line left open ends at its line break; the lines after are read as lines.
    [
      'open-first-line.ndjson',
      '{"id": "x",\n{"id": "y"}\n{"id": "z"}\n',
      ['error unexpected-eof 1:12 ', 'error unknown-shape 2:1 ', 'error unknown-shape 3:1 '],
    ],
    // A blank line after it decides nothing: the value was cut at the end of its own line, not at the blank one.
    [
      'open-first-line-then-blank.ndjson',
      '{"id": "x",\n\n{"id": "y"}\n',
      ['error unexpected-eof 1:12 ', 'error unknown-shape 3:1 '],
    ],
    // So in a batch: an element cut before blank lines is cut where its own last line ends.
    [
      'cut-before-blank-in-batch.json',
      '[\n  {"a": 1,\n\n  {"b": 2}\n]\n',
      ['error unexpected-eof 2:11 /0', 'error unknown-shape 4:3 /1'],
    ],
    [
      'cut-before-blank-pretty.json',
      '[\n  {\n    "a": 1,\n\r\n\n  {\n    "b": 2\n  }\n]\n',
      ['error unexpected-eof 3:12 /0', 'error unknown-shape 6:3 /1'],
    ],
    // A line of blanks alone decides nothing either, however deep its blanks reach.
    [
      'cut-before-blanks-line-pretty.json',
      '[\n  {\n    "a": 1,\n      \n  {\n    "b": 2\n  }\n]\n',
      ['error unexpected-eof 3:12 /0', 'error unknown-shape 5:3 /1'],
    ],
    // Cut right after a key: the value is missing, not a colon before something that follows.
    [
      'cut-after-key.ndjson',
      '{"id": "x", "data"\n{"id": "y"}\n',
      ['error unexpected-eof 1:19 ', 'error unknown-shape 2:1 '],
    ],
    ['cut-after-key.json', '{"id": "x", "data"', ['error unexpected-eof 1:19 ']],
    [
      'cut-after-key-in-batch.json',
      '[{"id": "x", "data"',
      ['error unexpected-eof 1:20 /0', 'error unexpected-eof 1:20 '],
    ],
  ];
  const shared = filesRun(files);
  for (const [name, , expected] of files) {
    it(`reports ${name} as cut where it is cut`, async () => {
      expect(await shared(name)).toEqual(expected);
    });
  }
});

describe('validate: commas between the elements of a batch', () => {
  // Each names the element before it, where the comma stands: no element follows it.
  const files: Array<[string, string, string[]]> = [
    ['trailing.json', '[{"a":1},{"b":2},]', ['error trailing-comma 1:17 /1']],
    ['doubled.json', '[{"a":1},{"b":2},,]', ['error trailing-comma 1:17 /1', 'error unexpected-comma 1:18 /1']],
    ['between.json', '[{"a":1},,{"b":2}]', ['error unexpected-comma 1:10 /0']],
    ['left-open.json', '[{"a":1},{"b":2},', ['error trailing-comma 1:17 /1', 'error unexpected-eof 1:18 ']],
  ];
  const shared = filesRun(files);
  for (const [name, , expected] of files) {
    it(`points ${name} at the element before`, async () => {
      const problems = await shared(name);
      expect(problems.filter((p) => !p.includes('unknown-shape'))).toEqual(expected);
    });
  }
});

describe('validate: usage and I/O errors', () => {
  it('refuses binary data that follows a first write of text on a pipe never closed, at once, where it begins', async () => {
    // The reader judged only the first chunk: a line break, then garbage with no NUL byte, was
    // read to the end of the stream and listed as tens of thousands of problems.
    const child = spawn(process.execPath, [binPath, 'validate', '-', '--width', '200'], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stdin.on('error', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Hint: more line breaks than a pipe holds: once they drain, the reader has had its first chunk,
    // all text, and the garbage comes in a later one.
    const lines = 256 * 1024;
    if (!child.stdin.write('\n'.repeat(lines))) await new Promise((resolve) => child.stdin.once('drain', resolve));
    const garbage = Buffer.alloc(64 * 1024);
    let seed = 11;
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      garbage[i] = 1 + (seed % 255);
    }
    garbage[0] = 0xff;
    child.stdin.write(garbage);
    const code = await exited;
    clearTimeout(timer);
    child.stdin.destroy();
    const stdout = Buffer.concat(out).toString();
    expect(stdout).toContain(
      `<stdin>:${lines + 1}:1  error  the file is not text: byte 0xFF at byte offset ${lines} is`,
    );
    expect(stdout).toContain('1 file, 0 events: 0 valid, 0 invalid; 1 error, 0 warnings');
    expect(code).toBe(1);
  });

  it('reports a file it cannot read as a JUnit <error> (exit 2), a file it read and judged as a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-junit-io-'));
    try {
      writeFileSync(join(dir, 'torn.json'), '[{}]\n');
      writeFileSync(join(dir, 'torn.json.fix-in-progress'), 'torn.json.bak');
      copyFileSync('fixtures/invalid/bad-status.json', join(dir, 'bad.json'));
      const run = await runCli(['validate', '--format', 'junit', 'torn.json', 'bad.json'], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('<testsuites name="callhook validate" tests="2" failures="1" errors="1">');
      expect(run.stdout).toContain('<testsuite name="torn.json" tests="1" failures="0" errors="1">');
      expect(run.stdout).toMatch(
        /<error message="cannot be read: the file is marked as being rewritten [^"]*" type="io">/,
      );
      expect(run.stdout).toContain('<testsuite name="bad.json" tests="1" failures="1" errors="0">');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in words why a stdin that is the writing end of a pipe cannot be read (validate - 0>&1 | cat)', () => {
    // It said Node's "cannot be read: read ENOTCONN", where every other errno code is worded.
    // Hint: a pipe of the shell's: Node's own stdio 'pipe' is a socket pair, which reads as any socket.
    const run = spawnSync('/bin/sh', ['-c', '"$0" "$1" validate - 0>&1 | cat', process.execPath, binPath], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
    expect(run.stdout).toContain('<stdin>:1:1  error  cannot be read: not connected');
    expect(run.stdout).not.toContain('ENOTCONN');
  });

  it('names a missing path on one line, exit 2', async () => {
    const result = await runCli(['validate', 'fixtures/valid', 'no/such/file.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('callhook: no/such/file.json: no such file or directory\n');
    expect(result.stdout).toBe('');
  });

  it('refuses a bad option value with exit 2', async () => {
    for (const args of [
      ['--format', 'xml'],
      ['--batch-size', '0'],
      ['--type', 'Call'],
    ]) {
      const result = await runCli(['validate', 'fixtures/valid', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('lists every command in --help and prints the version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    // The command list leaves out `[options]` (each command's help lists them) to fit 80 columns.
    expect(help.stdout).toMatch(/^ {2}validate <paths\.\.\.> {2,}check webhook JSON files/m);
    expect(help.stdout).toMatch(/^ {2}fix <paths\.\.\.> {2,}repair stray, missing and trailing/m);
    expect(help.stdout).toContain('Exit codes:');
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('starts without loading node:child_process, which only executable subcommands need', () => {
    // process.moduleLoadList names every built-in module the process has loaded. Hint: read as the
    // process exits, as every run ends by process.exit.
    const script = `process.argv = [process.argv[0], 'callhook', '--version'];
      process.on('exit', () => {
        process.stdout.write(String(process.moduleLoadList.some((name) => name.endsWith(' child_process'))) + '\\n');
      });
      await import(${JSON.stringify(pathToFileURL(binPath).href)});`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(output.trim().split('\n')).toEqual([JSON.parse(readFileSync('package.json', 'utf8')).version, 'false']);
  });
});

describe('fix', () => {
  const examples = ['call-attempted', 'call-complete', 'call-received', 'sms-received', 'sms-sent'];

  // Hint: one run of fix over the five examples, not one each (a Node start apiece): given several
  // files, fix prints each repair under a `==> name <==` heading, a blank line before each but the
  // first (as `head` does), so each repair is its stretch of stdout, compared byte for byte. One
  // source alone prints no heading: fix.test.ts's `fix -` and BOM tests compare its whole stdout.
  let examplesRun: Promise<CliResult> | undefined;
  const paths = examples.map((name) => `fixtures/doc-examples/${name}.json`);
  const repairedOf = (name: string) => readFileSync(`fixtures/valid/doc-${name}-repaired.json`, 'utf8');
  const heading = (i: number) => `${i > 0 ? '\n' : ''}==> ${paths[i]} <==\n`;
  for (const [i, name] of examples.entries()) {
    it(`repairs the published ${name} example into the repaired fixture, byte for byte`, async () => {
      examplesRun ??= runCli(['fix', ...paths]);
      const result = await examplesRun;
      // Every file repaired or sound: the run's exit code is each file's own.
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(examples.map((each, j) => `${heading(j)}${repairedOf(each)}`).join(''));
      const from = result.stdout.indexOf(heading(i)) + heading(i).length;
      const to = i + 1 < examples.length ? result.stdout.indexOf(heading(i + 1), from) : result.stdout.length;
      expect(result.stdout.slice(from, to)).toBe(repairedOf(name));
    });
  }

  it('repairs several defects at once and the result validates', async () => {
    const fixed = await runCli(['fix', 'fixtures/invalid/several-errors.json']);
    const file = 'fixtures/invalid/several-errors.json';
    expect(fixed.stderr).toBe(
      [
        `callhook: ${file}:10:27: repaired: missing comma between object members`,
        `callhook: ${file}:59:51: repaired: trailing comma before "}"`,
        `callhook: ${file}:61:4: repaired: missing comma between array elements`,
        `callhook: ${file}:69:4: repaired: trailing comma before "]"`,
        `callhook: ${file}: repaired 4 problems (--write saves them)\n`,
      ].join('\n'),
    );
    const checked = await runCli(['validate', '-', '--format', 'json'], { input: fixed.stdout });
    expect(JSON.parse(checked.stdout).totals).toMatchObject({ errors: 0, invalid: 0, valid: 3 });
  });

  it('--write keeps the original as .bak and never overwrites an earlier backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-'));
    const file = join(dir, 'hook.json');
    const original = readFileSync('fixtures/doc-examples/call-received.json', 'utf8');
    writeFileSync(file, original);
    writeFileSync(`${file}.bak`, 'an older backup');
    const result = await runCli(['fix', file, '--write']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`the original is kept as ${file}.bak.1`);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('an older backup');
    expect(readFileSync(`${file}.bak.1`, 'utf8')).toBe(original);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync('fixtures/valid/doc-call-received-repaired.json', 'utf8'));
    expect(readdirSync(dir).sort()).toEqual(['hook.json', 'hook.json.bak', 'hook.json.bak.1']);
  });

  it('writes nothing when a defect cannot be repaired, and says where it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-'));
    const file = join(dir, 'broken.json');
    copyFileSync('fixtures/invalid/unterminated-string.json', file);
    const before = readFileSync(file);
    const result = await runCli(['fix', file, '--write']);
    expect(result.code).toBe(1);
    // Hint: the message goes on a line of its own when the path is long (80 columns when piped).
    expect(result.stderr.replace(/\s+/g, ' ')).toContain(`${file}:10:15 error unterminated string`);
    expect(result.stderr).toContain('cannot be repaired automatically; nothing was written');
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['broken.json']);
  });
});
