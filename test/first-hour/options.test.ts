/**
 * Issue 12, items 2, 4, 5 and 14: options defined once, one message style for every bad value and
 * every commander error (exit 2), `--no-color` everywhere, help that fits 80 columns, and a README
 * whose options all exist.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { listOf, oneOf, showStatuses, wholeNumber } from '../../src/commands/options.js';
import { statusGroupChoices } from '../../src/core/summary-names.js';
import { CallhookError } from '../../src/errors.js';
import { type CliResult, repoRoot, runCli } from '../helpers/run-cli.js';

const commands = ['validate', 'fix', 'show', 'trace', 'summarise', 'generate', 'schema', 'listen', 'verify', 'replay'];

// Hint: the help tests (and the `--help` of the command-line tests, and trace's exit codes) read
// the same help texts: one run of each serves them all.
let started: Promise<CliResult[]> | undefined;
/** `callhook --help`, then each command's `--help` in the order of `commands`. */
const helpTexts = () =>
  (started ??= Promise.all([[], ...commands.map((c) => [c])].map((args) => runCli([...args, '--help']))));

describe('parsers: one message style', () => {
  test('a whole number', () => {
    expect(wholeNumber('--limit', 1)('7')).toBe(7);
    expect(() => wholeNumber('--limit', 1)('0')).toThrow(
      new CallhookError('--limit: must be a whole number of at least 1 (got "0")'),
    );
    expect(() => wholeNumber('--top', 0)('1e3')).toThrow('--top: must be a whole number of at least 0 (got "1e3")');
  });

  test('a closed set, in any case, as --group and --status take it', () => {
    expect(oneOf('--group', statusGroupChoices)('Failed')).toBe('failed');
    expect(listOf('--status', showStatuses)('not complete,PARTIAL', ['Other'])).toEqual([
      'Other',
      'Not Complete',
      'Partial',
    ]);
    expect(() => oneOf('--group', statusGroupChoices)('done')).toThrow(
      '--group: must be one of complete, failed, other (got "done")',
    );
  });
});

describe('the command line', () => {
  test.each([
    [['show', 'x.json', '--limit', '0'], 'callhook: --limit: must be a whole number of at least 1 (got "0")\n'],
    [
      ['validate', 'x.json', '--batch-size', 'x'],
      'callhook: --batch-size: must be a whole number of at least 1 (got "x")\n',
    ],
    [['frobnicate'], "callhook: unknown command 'frobnicate'; see callhook --help\n"],
    // The version asked for as other tools take it: `version` was told "did you mean verify?".
    [['version'], "callhook: unknown command 'version' (did you mean --version?); see callhook --help\n"],
    [['-v'], "callhook: unknown option '-v' (did you mean --version?); see callhook --help\n"],
    [['show', 'x.json', '--frob'], "callhook: unknown option '--frob'; see callhook show --help\n"],
    // An option the command takes, put before it as git's are: its help lists the option, so
    // pointing there alone would contradict the message.
    [
      ['--no-color', 'validate', 'x.json'],
      "callhook: '--no-color' is an option of validate: put it after the command (callhook validate --no-color …)\n",
    ],
    [
      ['--width=100', 'show', 'x.json'],
      "callhook: '--width=100' is an option of show: put it after the command (callhook show --width=100 …)\n",
    ],
    // The same with the value as a word of its own: the value was taken for the command, so the
    // option was called unknown and sent to a help that lists it.
    [
      ['--width', '80', 'validate', 'x.json'],
      "callhook: '--width 80' is an option of validate: put it after the command (callhook validate --width 80 …)\n",
    ],
    [
      ['-o', 'f', 'generate'],
      "callhook: '-o f' is an option of generate: put it after the command (callhook generate -o f …)\n",
    ],
    [
      ['--url', 'http://h', 'replay', 'a'],
      "callhook: '--url http://h' is an option of replay: put it after the command (callhook replay --url http://h …)\n",
    ],
    // A value that names a command is the value of the command after it.
    [
      ['--format', 'validate', 'summary', 'x.json'],
      "callhook: '--format validate' is an option of summary: put it after the command (callhook summary --format validate …)\n",
    ],
    [
      ['-o', 'show', 'generate'],
      "callhook: '-o show' is an option of generate: put it after the command (callhook generate -o show …)\n",
    ],
    // One that takes a value put there without it: its "value" is the command's name, so the
    // command was not taken as named, and the option was called unknown again.
    [
      ['--width', 'validate', 'x.json'],
      "callhook: '--width' is an option of validate: put it after the command (callhook validate --width …)\n",
    ],
    [
      ['--seed', 'generate'],
      "callhook: '--seed' is an option of generate: put it after the command (callhook generate --seed …)\n",
    ],
    [
      ['--type', 'summarise'],
      "callhook: '--type' is an option of summarise: put it after the command (callhook summarise --type …)\n",
    ],
    [
      ['--width', 'show', 'x.json', '--', 'x.json'],
      "callhook: '--width' is an option of show: put it after the command (callhook show --width …)\n",
    ],
    [['--mask', 'validate', 'x.json'], "callhook: unknown option '--mask'; see callhook validate --help\n"],
    [['show', 'x.json', '--format', 'xml'], 'callhook: --format: must be one of pretty, json, markdown (got "xml")\n'],
    // `validate < export.json`, as summarise reads a pipe, was told only of 'paths'.
    [
      ['validate'],
      "callhook: missing required argument 'paths' (files or folders, or - to read stdin); see callhook validate --help\n",
    ],
    [
      ['trace', 'abc'],
      "callhook: missing required argument 'paths' (files or folders, or - to read stdin); see callhook trace --help\n",
    ],
    [
      ['listen', '--port', '70000', '--fail-rate', '2'],
      'callhook: --port: must be a whole number from 0 to 65535 (got "70000"); --fail-rate: must be a fraction from 0 to 1 (got "2")\n',
    ],
    [
      ['verify', 'x', '--tolerance', 'soon'],
      'callhook: --tolerance: must be a whole number of seconds, at least 0 (got "soon")\n',
    ],
    [
      ['listen', '--delay', '1s'],
      'callhook: --delay: must be a whole number of milliseconds from 0 to 600000 (got "1s")\n',
    ],
    // 100 million listed ran V8 out of memory, or past its longest string (red team hR131).
    [
      ['validate', 'x.json', '--max-problems', '100001'],
      'callhook: --max-problems: must be a whole number from 1 to 100000 (got "100001")\n',
    ],
    [
      ['listen', '--retry-after', '1s', '--respond', '503'],
      'callhook: --retry-after: must be a whole number of seconds, at least 0 (got "1s")\n',
    ],
    [['schema', '--draft', '4'], 'callhook: --draft: must be one of 2020-12, 07 (got "4")\n'],
    [
      ['schema', 'extra'],
      "callhook: too many arguments for 'schema'. Expected 0 arguments but got 1; see callhook schema --help\n",
    ],
    [
      ['replay', 'x', '--url', 'http://x', '--method', 'GET'],
      'callhook: --method: must be one of POST, PUT (got "GET")\n',
    ],
    [
      ['show', 'x.json', '--since', '2022-09-02', '--until', '2022-09-01'],
      'callhook: --since: must be before --until (got "2022-09-02" and "2022-09-01")\n',
    ],
  ])('%j is refused in one line, exit 2', async (args, message) => {
    const result = await runCli(args);
    expect(result.stderr).toBe(message);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  test("listen's --tolerance is refused in seconds, as verify's is", async () => {
    const result = await runCli(['listen', '--tolerance', 'soon', '--sign', 'standard'], {
      env: { CALLHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    });
    expect([result.stderr, result.code]).toEqual([
      'callhook: --tolerance: must be a whole number of seconds, at least 0 (got "soon")\n',
      2,
    ]);
  });

  test('help asked for with no command, or for one there is none of: the help or the unknown command, no junk line', async () => {
    // `callhook` and `callhook help nosuch` ended the help with "callhook: (outputHelp); see
    // callhook --help"; `callhook valdate --help` printed callhook's help and passed.
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^Usage: callhook \[options\] \[command\]\n/);
    expect(bare.stderr).toMatch(/129 by SIGHUP\n$/);
    for (const args of [
      ['help', 'valdate'],
      ['valdate', '--help'],
      ['valdate', '-h', 'x.json'],
    ]) {
      const result = await runCli(args);
      expect(result.stderr, args.join(' ')).toBe(
        "callhook: unknown command 'valdate' (did you mean validate?); see callhook --help\n",
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
    }
    // Hint: `callhook --help` is the first of the help texts the help tests below read.
    const [mainHelp] = await helpTexts();
    for (const args of [['help', 'help'], ['help'], ['--help']]) {
      const result = args[0] === '--help' && mainHelp ? mainHelp : await runCli(args);
      expect(result.stdout, args.join(' ')).toMatch(/^Usage: callhook \[options\] \[command\]\n/);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });

  test("--version after a command, even as an option's value, is refused, not the version printed (exit 2)", async () => {
    // `validate broken.json --type -V` printed 0.1.0 and exited 0, the file never read (hT51 #2).
    const cases = [
      ['validate', 'fixtures/doc-examples/call-complete.json', '--type', '-V'],
      ['validate', 'fixtures/doc-examples/call-complete.json', '--max-problems', '5', '--version'],
      ['show', 'fixtures/valid/bare-types.json', '--grep', '--version'],
      // A `--` taken as --grep's value ends no options: commander read `--version` as one still,
      // and said "unknown option '--version' (did you mean --version?)" (red team hR125).
      ['show', 'fixtures/valid/bare-types.json', '--grep', '--', '--version'],
      // commander reads `-Vh` as -V and -h (review hR53).
      ['validate', 'fixtures/doc-examples/call-complete.json', '-Vh'],
    ];
    const results = await Promise.all(cases.map((args) => runCli(args)));
    for (const [i, args] of cases.entries()) {
      const option = args.at(-1);
      expect([results[i]?.stderr, results[i]?.code, results[i]?.stdout], args.join(' ')).toEqual([
        `callhook: '${option}' is callhook's own option: give it alone (callhook ${option === '--version' ? option : '-V'}), not after the command; a value that begins with - is given as --name=value; see callhook ${args[0]} --help\n`,
        2,
        '',
      ]);
    }
    // A `--` after an option's value ends the options, whatever that value is (review hR130): a
    // file named --version is read.
    const { copyFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const here = mkdtempSync(join(tmpdir(), 'callhook-version-file-'));
    try {
      copyFileSync(join(repoRoot, 'fixtures/valid/doc-call-attempted-repaired.json'), join(here, '--version'));
      const named = await runCli(['show', '--grep', '--grep', '--', '--version'], { cwd: here });
      expect([named.stderr, named.code]).toEqual(['callhook: no event matched --grep (of 2 events read)\n', 1]);
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
    // Alone, it is still the version; with no command named, no command is said to be before it.
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await runCli(['valdate', 'x.json', '-V'])).stderr).not.toContain('after the command');
  });

  test('--version before a command, or with anything else, is refused too, the command never run (exit 2)', async () => {
    // `callhook -V validate fixtures/doc-examples` printed 0.1.0 and exited 0, nothing read; `-qV`
    // after a command was "unknown option '-V'" (red team hF59).
    const alone =
      'give it alone (callhook -V), with no command or other option; a value that begins with - is given as --name=value';
    const cases: [string[], string][] = [
      [
        ['-V', 'validate', 'fixtures/doc-examples'],
        `callhook: '-V' is callhook's own option: ${alone}; see callhook validate --help\n`,
      ],
      [
        ['--version', 'validate', 'nonexist.json'],
        `callhook: '--version' is callhook's own option: ${alone.replace('-V', '--version')}; see callhook validate --help\n`,
      ],
      [['-V', '--no-color'], `callhook: '-V' is callhook's own option: ${alone}; see callhook --help\n`],
      // A cluster alone is more than -V too (review hR71).
      [['-Vh'], `callhook: '-Vh' is callhook's own option: ${alone}; see callhook --help\n`],
      [['valdate', 'x.json', '-V'], `callhook: '-V' is callhook's own option: ${alone}; see callhook --help\n`],
      [
        ['validate', 'a.json', '-qV'],
        "callhook: '-V' (in '-qV') is callhook's own option: give it alone (callhook -V), not after the command; a value that begins with - is given as --name=value; see callhook validate --help\n",
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [i, [args, stderr]] of cases.entries()) {
      expect([results[i]?.stderr, results[i]?.code, results[i]?.stdout], args.join(' ')).toEqual([stderr, 2, '']);
    }
    // A cluster that is an option's value, or whose V is another option's value, is no version.
    const value = await runCli(['show', 'fixtures/valid/bare-types.json', '--grep', '-qV']);
    expect(value.stderr).toBe('callhook: no event matched --grep (of 4 events read)\n');
    expect((await runCli(['validate', 'x.json', '-oV'])).stderr).not.toContain("callhook's own option");
  });

  test("help takes a command's name alone: an option or a second word after it is refused, exit 2", async () => {
    // `help --width 80 validate`, `help --format x.json` printed callhook's own help and passed,
    // as if it had been asked for; what followed `help` was dropped unsaid.
    const cases = [
      [['help', '--width', '80', 'validate'], '--width 80 validate', ''],
      [['help', '--format', 'x.json'], '--format x.json', ''],
      [['help', '--type', 'json'], '--type json', ''],
      [['help', 'validate', 'x.json'], 'validate x.json', 'validate '],
      // Said before any command runs, and masked as its errors are.
      [['help', '--mask', '+14155550123'], '--mask +********123', ''],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [i, [args, got, see]] of cases.entries()) {
      expect(results[i]?.stderr, args.join(' ')).toBe(
        `callhook: help takes a command's name alone (got '${got}'); see callhook ${see}--help\n`,
      );
      expect(results[i]?.code).toBe(2);
      expect(results[i]?.stdout).toBe('');
    }
    // A command's name alone, or help asked for again, is still help.
    const helps = await Promise.all(
      [
        ['help', 'validate'],
        ['help', 'validate', '--help'],
        ['help', '-h'],
        // The flag before the command's name asks for that command's help too (hT51): these
        // showed callhook's own help.
        ['--help', 'validate'],
        ['-h', 'summary'],
        ['help', '-h', 'validate'],
      ].map((args) => runCli(args)),
    );
    expect(helps.map((help) => [help.code, help.stdout.split('\n')[0]])).toEqual([
      [0, 'Usage: callhook validate [options] <paths...>'],
      [0, 'Usage: callhook validate [options] <paths...>'],
      [0, 'Usage: callhook [options] [command]'],
      [0, 'Usage: callhook validate [options] <paths...>'],
      [0, 'Usage: callhook summarise|summary|summarize [options] [paths...]'],
      [0, 'Usage: callhook validate [options] <paths...>'],
    ]);
  });

  test('a clone not yet built says so in one line, exit 2, not with a stack trace', async () => {
    const { cpSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const clone = mkdtempSync(join(tmpdir(), 'callhook-unbuilt-'));
    try {
      cpSync(join(repoRoot, 'bin'), join(clone, 'bin'), { recursive: true });
      cpSync(join(repoRoot, 'package.json'), join(clone, 'package.json'));
      const run = spawnSync(process.execPath, [join(clone, 'bin/callhook.cjs'), 'validate', 'x.json'], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('callhook: dist/cli.cjs is missing; run npm install (which builds dist/) first\n');
      expect(run.status).toBe(2);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  test('"-", an option or nothing as an output file is refused in one line, exit 2, and no file is made', async () => {
    // `replay … --report -` wrote the report into a file named `-` in the current folder.
    const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cwd = mkdtempSync(join(tmpdir(), 'callhook-dash-'));
    const valid = join(repoRoot, 'fixtures/valid');
    const replay = ['replay', valid, '--url', 'http://127.0.0.1:9/'];
    const anOption = (name: string, what: string, value: string) =>
      `${name}: must name a ${what}, not an option ("${value}"): give the ${what} after ${name}, and one whose name begins with - as ./${value}`;
    try {
      for (const [args, message] of [
        [
          ['replay', valid, '--url', 'http://127.0.0.1:9/', '--report', '-'],
          '--report: must name a file, not "-" (--format json prints the report on stdout)',
        ],
        [
          ['replay', valid, '--url', 'http://127.0.0.1:9/', '--journal', '-'],
          '--journal: must name a file, not "-" (--resume reads it back)',
        ],
        [
          ['generate', '--count', '1', '--out', '-'],
          '--out: must name a file, not "-" (without --out, generate writes to stdout)',
        ],
        [['listen', '--port', '0', '--out', '-'], '--out: must name a folder, not "-"'],
        // `replay … --journal $J --resume` with J unset made a journal named `--resume` and sent
        // every batch again, exit 0; `--journal ''` wrote no journal at all (red team hT74).
        [[...replay, '--journal', '--resume'], anOption('--journal', 'file', '--resume')],
        [[...replay, '--report', '--dry-run'], anOption('--report', 'file', '--dry-run')],
        [['generate', '--count', '1', '--out', '--force'], anOption('--out', 'file', '--force')],
        [['listen', '--port', '0', '--out', '--durable'], anOption('--out', 'folder', '--durable')],
        [[...replay, '--journal', ''], '--journal: must be a file name (got "")'],
        [[...replay, '--report', ''], '--report: must be a file name (got "")'],
        [['generate', '--count', '1', '--out', ''], '--out: must be a file name (got "")'],
        [['listen', '--port', '0', '--out', ''], '--out: must be a folder name (got "")'],
        // A short option's value is what follows it: `-o=x.json` named a file `=x.json` (red team hT74).
        [
          ['generate', '--count', '1', '-o=x.json'],
          '--out: must name a file, not one whose name begins with "=": write --out=x.json (or ./=x.json)',
        ],
      ] as const) {
        const result = await runCli(args, { cwd });
        expect(result.stderr, args.join(' ')).toBe(`callhook: ${message}\n`);
        expect(result.code).toBe(2);
        expect(readdirSync(cwd)).toEqual([]);
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('every command accepts --no-color; --group and --status take any case', async () => {
    // Hint: show's `show <file> --no-color` is the run `flag` below, whose exit code says it too.
    for (const command of ['validate', 'fix', 'summarise']) {
      const result = await runCli([command, 'fixtures/valid/single-event-object.json', '--no-color']);
      expect(result.code, command).toBe(0);
    }
    // Asked for and against colour at once, as the README says: no colour wins.
    const file = 'fixtures/valid/single-event-object.json';
    // Hint: these runs serve test/e2e/show.test.ts's "colour only when asked or on a terminal" too
    // (its piped run is here): colour when forced, none piped, none under --no-color or NO_COLOR.
    const [forced, both, flag, piped] = await Promise.all([
      runCli(['show', file], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } }),
      runCli(['show', file], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }),
      runCli(['show', file, '--no-color'], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } }),
      runCli(['show', file], { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } }),
    ]);
    expect(flag.code, 'show').toBe(0);
    expect(forced.stdout).toContain('\u001b[');
    expect(forced.stdout).toMatch(/\u001b\[[0-9;]*m/);
    expect(piped.stdout).not.toContain('\u001b[');
    expect(both.stdout).not.toContain('\u001b[');
    expect(flag.stdout).not.toContain('\u001b[');
    const failed = await runCli([
      'show',
      'fixtures/valid/every-status.json',
      '--group',
      'Failed',
      '--status',
      'not COMPLETE',
    ]);
    expect(failed.code).toBe(0);
    expect(failed.stdout).toContain('[Not Complete]');
    expect(failed.stdout).not.toContain('[Partial]');
  });
});

describe('help', () => {
  test('every command’s help fits 80 columns, lists examples, and quotes no default', async () => {
    const helps = await helpTexts();
    for (const help of helps) {
      expect(help.code).toBe(0);
      for (const line of help.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).not.toMatch(/default: "/);
      expect(help.stdout).not.toMatch(/choices: "/);
    }
    const [main, validate, fix] = helps.map((h) => h!.stdout);
    expect(main).toContain('summarise|summary|summarize');
    expect(main).toContain('show|flow');
    expect(validate).not.toContain('delivery');
    expect(fix).not.toContain('delivery');
    // A command's own help named only its first alias (`callhook summarise|summary`).
    expect(helps[5]!.stdout).toMatch(/^Usage: callhook summarise\|summary\|summarize \[options\] \[paths\.\.\.\]$/m);
    expect(helps[5]!.stdout).toContain('--top <n>');
    expect(helps[5]!.stdout).toContain('(default: 10)');
    // Each thing said once, in callhook's words, and true of its command (red team hT10 L7).
    for (const help of helps) expect(help.stdout).not.toContain('display help for command');
    expect(fix).toContain('0    success\n');
    expect(helps[5]!.stdout.trimEnd()).toMatch(/129 by SIGHUP$/);
    const show = helps[1 + commands.indexOf('show')]!.stdout;
    expect(show.match(/Not\s+Complete, Other/g)).toHaveLength(1);
  });

  test("trace's help, and callhook's own, list every exit code it gives, Ctrl-C, SIGTERM and SIGHUP included", async () => {
    // Moved from test/e2e/trace.test.ts, which ran these two helps again.
    const helps = await helpTexts();
    for (const help of [helps[1 + commands.indexOf('trace')], helps[0]]) {
      expect(help?.stdout).toContain('130  interrupted by Ctrl-C; 143 by SIGTERM; 129 by SIGHUP\n');
    }
  });

  test('listen’s help names every file --out writes', async () => {
    // It named `.json` and `.body` only, where most accepted deliveries go to lines of an `.ndjson` file.
    const { stdout } = (await helpTexts())[1 + commands.indexOf('listen')]!;
    const at = stdout.indexOf('--out <dir>');
    const out = stdout.slice(at, stdout.indexOf('\n  --', at + 1));
    for (const name of ['.ndjson', '.json', '.body', 'deliveries.meta']) expect(out).toContain(name);
  });

  test("replay's --resume names every option that must be the same, and listen's help every status it answers", async () => {
    // Each list left some out that README and the tool require or give (review hR85).
    const helps = await helpTexts();
    const replay = helps[1 + commands.indexOf('replay')]!.stdout;
    const at = replay.indexOf('  --resume');
    const resume = replay.slice(at, replay.indexOf('\n  --', at + 1)).replace(/\s+/g, ' ');
    for (const option of [
      'input',
      '--batch-size',
      '--type',
      '--no-validate',
      '--max-element-size',
      '--fresh',
      '--sign',
      '--signature-header',
      '--method',
      '-H',
    ]) {
      expect(resume).toMatch(new RegExp(`[ (]${option}[ ,)]`));
    }
    const listen = helps[1 + commands.indexOf('listen')]!.stdout;
    const description = listen.slice(0, listen.indexOf('\nOptions:')).replace(/\s+/g, ' ');
    for (const status of [400, 401, 404, 405, 408, 413, 415, 417, 422, 431, 500, 501, 502, 503]) {
      expect(description).toMatch(new RegExp(`\\b${status}\\b`));
    }
  });

  test("summarise's help says --since and --until are compared to the millisecond", async () => {
    // Moved from test/e2e/summarise.test.ts ("compares --since and --until to the millisecond"),
    // which ran this help again. Each option's help on one line, as before commander wrapped it
    // under the descriptions' column.
    const options = (await helpTexts())[1 + commands.indexOf('summarise')]!.stdout.replace(/\n {20,}/g, ' ');
    const said = (option: string) => new RegExp(`^ {2}${option} <time> +.*to the millisecond`, 'm');
    expect(options).toMatch(said('--since'));
    expect(options).toMatch(said('--until'));
  });

  test('verify’s help names every capture file it reads', async () => {
    // It named `.meta`, `.json` and `.body`, where most deliveries are lines of an `.ndjson` file.
    const { stdout } = (await helpTexts())[1 + commands.indexOf('verify')]!;
    const paths = stdout.slice(stdout.indexOf('  paths'), stdout.indexOf('\nOptions:'));
    for (const name of ['deliveries.meta', '.ndjson', '.json', '.body']) expect(paths).toContain(name);
  });

  test('every option the README names exists in some command’s help, or callhook’s own', async () => {
    const readme = readFileSync(`${repoRoot}/README.md`, 'utf8');
    const named = new Set(readme.match(/(?<![\w-])--[a-z][a-z-]+/g));
    const helps = (await helpTexts()).map((h) => h.stdout).join('\n');
    // Not callhook's: npm's --global, curl's --data-binary and --noproxy, node's flags that
    // refuse code generation and cap the heap, docker's --pids-limit, tsc's --init, and the
    // README's example of an unknown option.
    const notOurs = new Set([
      '--user',
      '--global',
      '--data-binary',
      '--noproxy',
      '--disallow-code-generation-from-strings',
      '--max-old-space-size',
      '--pids-limit',
      '--init',
      '--frob',
    ]);
    const missing = [...named].filter((option) => !notOurs.has(option) && !helps.includes(option));
    expect(missing).toEqual([]);
  });
});

describe('the README, for a newcomer', () => {
  const readme = readFileSync(`${repoRoot}/README.md`, 'utf8');

  test('says how to run callhook from a clone or its package file, and how long the tests take', () => {
    expect(readme).toContain('npm link');
    expect(readme).toContain('npx callhook');
    expect(readme).toContain('npm pack');
    // Not on the registry: an install by name there would fetch another package of that name (helper-199).
    expect(readme).toContain('not on the npm registry');
    expect(readme).not.toMatch(/npm install (-g |--global )?callhook\b/);
    expect(readme).toMatch(/npm test[^\n]*(seconds|minute)/);
  });

  test('quotes the peak memory of the last benchmark run as bench/RESULTS.md records it', () => {
    // README kept 179 and 195 MiB, and replay's 175-191 MiB, after the benchmarks measured 186, 186 and 172 (review hR85).
    // Hint: the export's size as the generator made it on the machine that ran the bench (1.94 or 1.95 GiB).
    const results = readFileSync(`${repoRoot}/bench/RESULTS.md`, 'utf8');
    const section = (name: string) =>
      results.slice(results.indexOf(`\n## ${name}\n`), results.indexOf('\n## ', results.indexOf(`\n## ${name}\n`) + 1));
    const largest = (name: string) => /\| peak RSS, [\d.]+ GiB export \| (\d+) MiB \|/.exec(section(name))?.[1];
    const replayed = /Large export: [^\n]*peak RSS of (\d+) MiB/.exec(section('replay'))?.[1];
    const said = readme.replace(/\s+/g, ' ');
    expect(said).toContain(
      `(${largest('validate')} MiB for validate and ${largest('summarise')} MiB for summarise in the last benchmark run;`,
    );
    expect(said).toContain(`replays in batches of 100 within ${replayed} MiB (\`bench/RESULTS.md\`)`);
  });

  test('cites no file a clone does not have', () => {
    expect(readme).not.toContain('shared/spec/PAYLOADS.md');
  });

  test('its sample outputs are what the commands print, as their end-to-end snapshots hold it', () => {
    // Each README block's lines must appear, in order, in the snapshot of the same run (a block
    // may leave lines out, as `...` does): a change of output fails its snapshot, then this.
    const blocks = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, , text = '']) => text);
    const samples: [string, string][] = [
      ['✖ fixtures/doc-examples/call-complete.json', 'validate-doc-examples.txt'],
      ['Outcomes (23 CallComplete events)', 'summarise-valid.txt'],
      ['$ callhook show fixtures/valid/human-support-request.json', 'show/human-support-request.json.pretty.txt'],
      ['$ callhook trace 67765b6d', 'trace/outbound-with-reattempts.pretty.txt'],
    ];
    for (const [opening, snapshot] of samples) {
      const block = blocks.find((text) => text.startsWith(opening));
      expect(block, opening).toBeDefined();
      const printed = readFileSync(`${repoRoot}/test/e2e/__snapshots__/${snapshot}`, 'utf8').split('\n');
      const shown = (block ?? '').split('\n').filter((line) => line !== '' && line !== '...' && !line.startsWith('$ '));
      expect(shown.length, snapshot).toBeGreaterThan(3);
      let at = 0;
      const missing = shown.filter((line) => {
        const found = printed.indexOf(line, at);
        if (found === -1) return true;
        at = found + 1;
        return false;
      });
      expect(missing, snapshot).toEqual([]);
    }
  });

  test('its quick start can be pasted whole: the validate line that fails on purpose says so', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Input'));
    const validateLine = quickStart.split('\n').find((line) => line.includes('validate fixtures/doc-examples'));
    expect(validateLine).toMatch(/exit(s)? 1|\|\| true/);
  });
});
