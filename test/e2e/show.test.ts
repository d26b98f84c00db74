/** End-to-end tests of `callhook show`: the built binary on the shared fixtures and on hostile input. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateCalls } from '../../src/core/generate.js';
import { warningLine } from '../../src/render/terminal.js';
import { correlationId } from '../helpers/events.js';
import {
  binPath,
  type CliResult,
  overlong,
  repoRoot,
  runCli,
  runThenClose,
  spaced,
  unwrapped,
} from '../helpers/run-cli.js';
import { hasScript, inTerminal } from '../helpers/terminal.js';

const validDir = join(repoRoot, 'fixtures/valid');
const fixtures = readdirSync(validDir).filter((name) => /\.(json|jsonl|ndjson)$/.test(name));
// Every escape sequence a terminal acts on starts with one of these; only SGR colours are ours.
const rawControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const sgr = /\u001b\[[0-9;]*m/g;

function widest(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => stringWidth(line)));
}

/** A fixture's elements as JSON.parse reads them: one value, one array, several arrays, or one per line. */
function elementsOf(name: string): unknown[] {
  const text = readFileSync(join(validDir, name), 'utf8').replace(/^\uFEFF/, '');
  const values = /\.(ndjson|jsonl)$/.test(name)
    ? text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line))
    : // Hint: multi-batch.json holds several top-level arrays one after another.
      (JSON.parse(`[${text.replace(/\]\s*\[/g, '],[')}]`) as unknown[]);
  return values.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

/** Splits the output of several files at their `==> file <==` (pretty) or `## file` (markdown) headings. */
function splitByFile(text: string, heading: RegExp): Map<string, string> {
  const parts = new Map<string, string>();
  const matches = [...text.matchAll(heading)];
  matches.forEach((match, index) => {
    const end = matches[index + 1]?.index ?? text.length;
    parts.set(match[1] as string, `${text.slice(match.index, end).trimEnd()}\n`);
  });
  return parts;
}

// Hint: one run per format over the whole folder, split at the file headings, gives a snapshot per
// fixture for the cost of three runs instead of sixty.
describe.concurrent('show: a file snapshot per valid fixture and format', () => {
  const withEvents = fixtures.filter((name) => elementsOf(name).length > 0);

  for (const format of ['pretty', 'markdown'] as const) {
    test(`${format}: every fixture with events, no colour`, async ({ expect }) => {
      const result = await runCli(['show', 'fixtures/valid/', '--format', format]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(rawControl);
      expect(overlong(result.stdout, 80)).toEqual([]);
      const parts = splitByFile(result.stdout, format === 'pretty' ? /^==> (.+) <==$/gm : /^## (.+)$/gm);
      expect([...parts.keys()]).toEqual(withEvents.map((name) => `fixtures/valid/${name}`));
      for (const name of withEvents) {
        await expect(parts.get(`fixtures/valid/${name}`)).toMatchFileSnapshot(
          `__snapshots__/show/${name}.${format}.txt`,
        );
      }
    });
  }

  test('json: every event exactly as parsed, in file order', async ({ expect }) => {
    const result = await runCli(['show', 'fixtures/valid/', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(rawControl);
    const shown = JSON.parse(result.stdout) as unknown[];
    expect(shown).toEqual(fixtures.flatMap(elementsOf));
    let at = 0;
    for (const name of withEvents) {
      const count = elementsOf(name).length;
      const part = `${JSON.stringify(shown.slice(at, at + count), null, 2)}\n`;
      at += count;
      await expect(part).toMatchFileSnapshot(`__snapshots__/show/${name}.json.txt`);
    }
  });
});

describe.concurrent('show: wrapping', () => {
  for (const width of [40, 80, 120]) {
    test(`--width ${width}: no line is wider, CJK and emoji counted as two columns`, async ({ expect }) => {
      const files = [
        'fixtures/valid/unicode-names-and-transcripts.json',
        'fixtures/valid/outbound-with-reattempts.json',
        'fixtures/valid/every-status.json',
      ];
      const result = await runCli(['show', ...files, '--width', String(width)]);
      expect(result.code).toBe(0);
      // Hint: a file's `==> path <==` heading keeps its arrows on one line, as the README says.
      expect(
        overlong(
          result.stdout,
          width,
          files.map((file) => `==> ${file} <==`),
        ),
      ).toEqual([]);
      // Every file is told apart by its heading, even one wider than the line.
      expect(result.stdout.split('\n').filter((line) => line.startsWith('==> '))).toEqual(
        files.map((file) => `==> ${file} <==`),
      );
      // The text really fills the width, rather than being short by accident.
      const full = result.stdout
        .split('\n')
        .filter((line) => stringWidth(line) > width - 6 && stringWidth(line) <= width);
      expect(full.length).toBeGreaterThan(0);
      await expect(result.stdout).toMatchFileSnapshot(`__snapshots__/show/width-${width}.txt`);
    });
  }

  test('piped output wraps to 80 columns', async ({ expect }) => {
    const result = await runCli(['show', 'fixtures/valid/every-status.json'], { env: { COLUMNS: '200' } });
    expect(overlong(result.stdout, 80)).toEqual([]);
    expect(widest(result.stdout)).toBeGreaterThan(70);
  });
});

const ids = {
  id: '0b8f8a52-5b5f-4c1e-9a8e-2d7a1c3e9f10',
  correlationId: '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  sessionId: '6d5e9bcd-3477-45a7-bca5-b67fae83c974',
  callResultId: '9ea5abe8-08da-4a40-a6d0-f7f56bb3d8c2',
  campaignId: '5dd7681b-2188-49fc-8fc0-87b57056f436',
};
const hostile = [
  {
    id: ids.id,
    eventType: 'CallComplete',
    createdAt: '2022-09-01T00:30:48.567Z',
    data: {
      correlationId: ids.correlationId,
      sessionId: ids.sessionId,
      callResultId: ids.callResultId,
      name: 'Mallory \u001b]0;pwned\u0007\u001b[2J\u001b[H',
      phone: '61491573087',
      campaignId: ids.campaignId,
      lastStepName: 'Q1\r',
      startedTime: '2022-09-01T00:29:12.000Z',
      flow: [
        {
          questionName: 'Q1\r',
          response: 'Other\b\b\b\b\bYes',
          transcript:
            'see \u001b]8;;https://evil.example/\u001b\\click me\u001b]8;;\u001b\\ and \u009b31mred\u009b0m, back\rover, \u202egnp.exe, bell\u0007 漢字テキスト👍',
        },
      ],
      requests: ['humanSupportRequest', '\u001b[5mblink'],
      status: 'Partial',
      additionalInformation: 'nul\u0000 del\u007f',
    },
  },
  {
    time: '2022-09-01T00:31:00.000Z',
    from: '61491573087',
    to: '61491570006',
    message: 'hi \u001b[31mred\u001b[0m\nnew line \u001b]52;c;Y2xpcGJvYXJk\u0007',
    campaignId: ids.campaignId,
    correlationId: ids.correlationId,
  },
];

describe.concurrent('show: hostile payload text never reaches the terminal raw', () => {
  const input = JSON.stringify(hostile, null, 2);

  test('pretty, without colour: everything is visibly escaped', async ({ expect }) => {
    const result = await runCli(['show', '-'], { input });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(rawControl);
    expect(result.stdout).toContain('Mallory \\e]0;pwned\\x07\\e[2J\\e[H');
    expect(result.stdout).toContain('\\x9b31mred');
    expect(result.stdout).toContain('\\u202egnp.exe');
    await expect(result.stdout).toMatchFileSnapshot('__snapshots__/show/hostile.pretty.txt');
  });

  test('a message holding an escape as written reads apart from the character it stands for', async ({ expect }) => {
    const sms = (message: string) => ({
      time: '2022-09-01T00:51:20.814Z',
      from: '61291574000',
      to: '61491573087',
      message,
      campaignId: '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31',
    });
    const input = JSON.stringify([sms('a\u009b31m b\u202e c\n'), sms('a\\x9b31m b\\u202e c\\n')]);
    const result = await runCli(['show', '-', '--type', 'SMSSent', '--width', '200'], { input });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('a\\x9b31m b\\u202e c\\n');
    expect(result.stdout).toContain('a\\x5cx9b31m b\\x5cu202e c\\x5cn');
  });

  test('pretty, with colour: the only escape sequences are our colours', async ({ expect }) => {
    const result = await runCli(['show', '-', '--grep', 'e'], {
      input,
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(result.stdout).toMatch(sgr);
    expect(result.stdout.replace(sgr, '')).not.toMatch(rawControl);
  });

  test('markdown and json are escaped too, and the JSON still means the same', async ({ expect }) => {
    const markdown = await runCli(['show', '-', '--format', 'markdown'], { input });
    expect(markdown.stdout).not.toMatch(rawControl);
    await expect(markdown.stdout).toMatchFileSnapshot('__snapshots__/show/hostile.markdown.txt');
    const json = await runCli(['show', '-', '--format', 'json'], { input });
    expect(json.stdout).not.toMatch(rawControl);
    expect(json.stdout).not.toMatch(/[\u202e]/);
    expect(JSON.parse(json.stdout)).toEqual(hostile);
  });
});

describe('show in a terminal', () => {
  test.runIf(process.platform === 'linux' && hasScript)(
    'pages output longer than the terminal through $PAGER, the built binary loading the pager when it starts it',
    async ({ expect }) => {
      // Hint: the build gives node:child_process a stand-in that loads it on first use
      // (config/build.mjs); one that required itself overflowed the stack as the pager started.
      const run = await inTerminal('show fixtures/valid', 'head -3');
      expect(run.out).not.toContain('internal error');
      expect(run.out.replace(/\r/g, '').trimEnd().split('\n')).toEqual([
        '==> fixtures/valid/bare-types.json <==',
        expect.stringContaining('CallAttempted'),
        expect.stringContaining('CallReceived'),
      ]);
      expect(run.code).toBe(0);
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'says a file named twice inside the paged text, in order, not on stderr under the pager',
    async ({ expect }) => {
      // The warnings of reading (a file named twice) went to stderr while the rest was paged: a
      // pager on the alternate screen hid it, or it tore through the pager's page.
      const run = await inTerminal('show fixtures/valid fixtures/valid/bare-types.json', "sed 's/^/paged: /'");
      const lines = run.out.replace(/\r/g, '').split('\n');
      expect(lines.slice(0, 2)).toEqual([
        'paged: callhook: warning: fixtures/valid/bare-types.json is named twice (also as',
        'paged:   fixtures/valid); read once',
      ]);
      expect(lines.every((line) => line === '' || line.startsWith('paged: '))).toBe(true);
      expect(run.code).toBe(0);
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'prints the output itself, with no pager, where TERM is unset and no PAGER is set, as on TERM=dumb',
    async ({ expect }) => {
      // less started with no TERM said "WARNING: terminal is not fully functional" and waited for RETURN.
      const run = await inTerminal('show fixtures/valid', undefined, { env: { TERM: undefined }, timeoutMs: 10_000 });
      expect(run.out).not.toContain('not fully functional');
      expect(run.out).toContain('==> fixtures/valid/bare-types.json <==');
      expect(run.code).toBe(0);
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'fails with one line and exit 2 when the pager fails (not found by sh, or exits non-zero): the output was not shown',
    async ({ expect }) => {
      // The output went into a pager that never ran (sh: not found) or failed, and the run passed, exit 0.
      for (const [pager, code] of [
        ['/nonexistent/$X', 127],
        ['false', 1],
      ] as const) {
        const run = await inTerminal('show fixtures/valid', pager, { env: { TERM: 'xterm' } });
        const last = run.out.replace(/\r/g, '').trimEnd().split('\n').at(-1);
        expect({ pager, last, code: run.code }).toEqual({
          pager,
          last: `callhook: the pager "${pager}" ended with exit code ${code}, so the output may not have been shown: fix PAGER, or pass --no-pager`,
          code: 2,
        });
      }
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'runs a PAGER named by a relative path (./mypager), as sh and git do',
    async ({ expect }) => {
      // It was looked for on PATH, not found, and the output printed unpaged without a word.
      const folder = mkdtempSync(join(tmpdir(), 'callhook-pager-'));
      try {
        writeFileSync(join(folder, 'mypager'), "#!/bin/sh\nexec sed 's/^/paged: /'\n", { mode: 0o755 });
        const run = await inTerminal('show "$VALID"', './mypager', { cwd: folder, env: { VALID: validDir } });
        const lines = run.out.replace(/\r/g, '').trimEnd().split('\n');
        expect(lines[0]).toBe(`paged: ==> ${validDir}/bare-types.json <==`);
        expect(lines.every((line) => line === '' || line.startsWith('paged: '))).toBe(true);
        expect(run.code).toBe(0);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );
});

/** Where a test's terminal writes the pids of callhook and of its pager (named in the terminal's environment). */
function pidFiles(dir: string, name: string): { CALLHOOK_PID: string; PAGER_PID: string } {
  return { CALLHOOK_PID: join(dir, `${name}.callhook`), PAGER_PID: join(dir, `${name}.pager`) };
}

/** The pid a process of the terminal wrote to `path`, once it has. */
async function pidIn(path: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const text = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
    if (text !== '') return Number(text);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no pid in ${path}`);
}

describe('show in a terminal, stopped by a signal', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callhook-signal-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    test.runIf(process.platform === 'linux' && hasScript)(
      `${signal} while paging ends the pager too, then exits ${code}`,
      async ({ expect }) => {
        // Only Ctrl-C was handled while paging: on SIGTERM callhook exited at once and less, re-parented,
        // kept the terminal while the shell went on.
        const pids = pidFiles(dir, signal);
        const pager = `sh -c 'echo $$ > "$PAGER_PID"; exec sleep 30'`;
        // Hint: asked in the terminal's shell as callhook ends: once `script` ends, the terminal's
        // hangup ends any pager left behind.
        const check = 'kill -0 $(cat "$PAGER_PID") 2>/dev/null && echo PAGER=left || echo PAGER=ended';
        const args = `show fixtures/valid & echo $! > "$CALLHOOK_PID"; wait $!; echo EXIT=$?; ${check}`;
        const stop = new AbortController();
        try {
          const ran = inTerminal(args, pager, { env: pids, signal: stop.signal });
          await pidIn(pids.PAGER_PID);
          process.kill(await pidIn(pids.CALLHOOK_PID), signal);
          const run = await ran;
          expect(run.out).toContain(`EXIT=${code}`);
          expect(run.out).toContain('PAGER=ended');
        } finally {
          stop.abort();
        }
      },
    );
  }

  test.runIf(process.platform === 'linux' && hasScript)(
    'Ctrl-C while paging stops the output and, once the pager is quit, exits 130: what was paged is cut short',
    async ({ expect }) => {
      // The pager was read to its end, cut short, and the run exited 0 (red team hT14).
      const pids = pidFiles(dir, 'int');
      // Hint: a pager that takes Ctrl-C as less does (it stays), read until its input ends, and
      // then read by the user a while: the signal comes while it runs, whenever the input ended.
      const pager = `sh -c 'trap "" INT; echo $$ > "$PAGER_PID"; cat > /dev/null; sleep 1'`;
      const stop = new AbortController();
      try {
        const args = 'show fixtures/valid & echo $! > "$CALLHOOK_PID"; wait $!; echo EXIT=$?';
        const ran = inTerminal(args, pager, { env: pids, signal: stop.signal });
        await pidIn(pids.PAGER_PID);
        process.kill(await pidIn(pids.CALLHOOK_PID), 'SIGINT');
        expect((await ran).out).toContain('EXIT=130');
      } finally {
        stop.abort();
      }
    },
  );

  test.runIf(process.platform === 'linux' && hasScript)(
    'SIGTERM while paging input that has stalled (a pipe still open) ends the run too, at once',
    async ({ expect }) => {
      // The handler that ends the pager took SIGTERM's default away: waiting on its input, the run
      // went on until the input ended, and a second SIGTERM did nothing (helper-203).
      const fifo = join(dir, 'stalled.fifo');
      execFileSync('mkfifo', [fifo]);
      const pids = pidFiles(dir, 'stalled');
      const pager = `sh -c 'echo $$ > "$PAGER_PID"; exec sleep 30'`;
      const stop = new AbortController();
      const args = 'show - < "$FIFO" & echo $! > "$CALLHOOK_PID"; wait $!; echo EXIT=$?';
      const ran = inTerminal(args, pager, { env: { ...pids, FIFO: fifo }, signal: stop.signal });
      // Hint: held open, unended, until the test is over: the input stalls after one file's events.
      // Opened for reading too, so that the open cannot wait for ever on a run that never opened it.
      const writer = await open(fifo, 'r+');
      try {
        await writer.write(readFileSync('fixtures/valid/outbound-with-reattempts.json'));
        await pidIn(pids.PAGER_PID);
        process.kill(await pidIn(pids.CALLHOOK_PID), 'SIGTERM');
        // Hint: without an end, the terminal is killed at inTerminal's bound, before any EXIT line.
        const run = await ran;
        expect(run.out).toContain('EXIT=143');
      } finally {
        stop.abort();
        await writer.close();
      }
    },
  );
});

describe('show in a terminal, stderr elsewhere', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callhook-stderr-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.runIf(process.platform === 'linux' && hasScript)(
    'a redirected stderr gets the warnings and the not-text error, paged or not',
    async ({ expect }) => {
      // On a terminal where a pager could run, both went to stdout: `2>file` was left empty.
      const attempt = {
        time: '2022-09-01T00:00:00Z',
        status: 'success',
        campaignId: 'c9b2e4a7-5d18-4f3c-9e6b-1a7d3c8f2b05',
      };
      writeFileSync(
        join(dir, 'a.json'),
        JSON.stringify([
          { ...attempt, phone: '61491573087' },
          { ...attempt, phone: 'x' },
        ]),
      );
      writeFileSync(join(dir, 'b.json'), Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
      const err = join(dir, 'err.txt');
      // Shorter than the screen (no pager started), then longer (paged).
      for (const more of ['', ' "$DIR/a.json"'.repeat(12)]) {
        const args = `show "$DIR/a.json" "$DIR/b.json"${more} 2>"$DIR/err.txt"`;
        const run = await inTerminal(args, "sed 's/^/paged: /'", { env: { DIR: dir } });
        expect(run.out).toContain('CallAttempted');
        expect(run.out).not.toContain('callhook:');
        const said = unwrapped(readFileSync(err, 'utf8'));
        expect(said).toMatch(/^callhook: warning: .*a\.json:1:\d+: skipped an invalid CallAttempted/m);
        expect(said).toMatch(/^callhook: .*b\.json:1:1: the file is not text/m);
        expect(run.code).toBe(2);
      }
    },
  );
});

describe.concurrent('show: options', () => {
  test('--mask hides phone numbers but their last 3 digits, and shortens names to initials', async ({ expect }) => {
    const result = await runCli([
      'show',
      'fixtures/valid/every-status.json',
      'fixtures/valid/bare-types.json',
      '--mask',
      '--width',
      '120',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/\d{9}/);
    expect(result.stdout).toContain('********761');
    expect(result.stdout).toContain('[Complete] P. R. ·');
    expect(result.stdout).not.toContain('Priya');
    // A phone number written in a message is masked as well.
    expect(result.stdout).toContain('Call us back on ** **** *000.');
    await expect(result.stdout).toMatchFileSnapshot('__snapshots__/show/mask.pretty.txt');

    const json = await runCli(['show', 'fixtures/valid/bare-types.json', '--mask', '--format', 'json']);
    const events = JSON.parse(json.stdout) as Array<Record<string, string>>;
    expect(events.map((event) => event.phone ?? `${event.from} ${event.to}`)).toEqual([
      '********142',
      '********142',
      '********000 ********142',
      '********142 ********000',
    ]);
  });

  test('--mask hides a number in a key, at any depth, in show and trace --format json, keeping keys that mask alike', async ({
    expect,
  }) => {
    // `"61491573087": {` and `"extra61400318857": 1` were printed whole (red team hT36).
    const event = JSON.parse(readFileSync(join(validDir, 'single-event-object.json'), 'utf8')) as {
      data: Record<string, unknown> & { correlationId: string };
    };
    event.data.contacts = { '61491573087': { name: 'Lucy Tran' }, '61400318087': { name: 'Ben Ng' } };
    event.data.extra61400318857 = 1;
    const input = JSON.stringify([event]);
    const [show, trace] = await Promise.all([
      runCli(['show', '-', '--mask', '--format', 'json'], { input }),
      runCli(['trace', event.data.correlationId.slice(0, 8), '-', '--mask', '--format', 'json'], { input }),
    ]);
    const shown = (JSON.parse(show.stdout) as (typeof event)[])[0];
    const traced = (JSON.parse(trace.stdout) as { events: { event: typeof event }[] }).events[0]?.event;
    for (const [result, masked] of [
      [show, shown],
      [trace, traced],
    ] as const) {
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/\d{9}/);
      expect(masked?.data.contacts).toEqual({ '********087': { name: 'L. T.' }, '********087 (2)': { name: 'B. N.' } });
      expect(masked?.data).toHaveProperty(['extra********857'], 1);
    }
  });

  test('--mask hides the numbers of every error, warning and file name, in show and trace, in every format', async ({
    expect,
  }) => {
    // Hint: commander's errors, a file's heading, trace's source and the not-text error showed
    // a number whole (red team hT5 M2, M3); a number split by an invisible character must be
    // masked before it is escaped, or `\u2063` shows the digits on either side of it.
    const dir = mkdtempSync(join(tmpdir(), 'callhook-show-mask-'));
    const leak = /0491|491573|491999|\d{4}\\u2063/;
    try {
      const attempt = {
        time: '2022-09-01T00:00:00Z',
        phone: '61491573087',
        status: 'success',
        campaignId: '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31',
        correlationId,
      };
      writeFileSync(join(dir, 'customer-61491573087.json'), JSON.stringify([attempt]));
      writeFileSync(join(dir, 'other-0491573087.json'), JSON.stringify([attempt, { bad: 1 }]));
      writeFileSync(join(dir, 'zz-0491999888.json'), '\u0000\u0001binary');
      const runs = await Promise.all([
        runCli(['show', dir, '--mask', '--width', '200']),
        runCli(['show', dir, '--mask', '--format', 'markdown']),
        runCli(['trace', correlationId.slice(0, 8), dir, '--mask', '--format', 'json']),
        runCli(['trace', correlationId.slice(0, 8), dir, '--mask']),
        runCli(['show', dir, '--mask', '--phone', '61491573087x']),
        runCli(['show', dir, '--mask', '--org-number', '0491573087']),
        runCli(['show', dir, '--mask', '--correlation', '61491573087']),
        runCli(['show', dir, '--mask', '--correlation', '0491\u2063573087']),
        runCli(['trace', '61491573087', dir, '--mask', '--org-number', '0491573087']),
        runCli(['show', join(dir, 'missing-0491573087.json'), '--mask']),
      ]);
      const leaks = runs.flatMap((run, i) =>
        [run.stdout, run.stderr]
          .flatMap((text) => text.split('\n').filter((line) => leak.test(line)))
          .map((line) => `${i}: ${line}`),
      );
      expect(leaks).toEqual([]);
      for (const [i, run] of runs.entries()) expect(`${run.stdout}${run.stderr}`, `run ${i}`).toContain('087');
      const [pretty, markdown, json] = runs as CliResult[] as [CliResult, CliResult, CliResult];
      expect(pretty.stdout).toContain('==> ');
      expect(pretty.stdout).toContain('other-*******087.json <==');
      expect(pretty.stderr).toContain('zz-*******888.json:1:1: the file is not JSON text');
      expect(markdown.stdout).toMatch(/^## .*customer-(\\\*){8}087\.json$/m);
      expect(json.stdout).toContain('other-*******087.json:1:2"');
      for (const run of runs.slice(4)) expect(run.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--status, --group and --limit select call results', async ({ expect }) => {
    const partial = await runCli(['show', 'fixtures/valid/', '--status', 'Partial', '--format', 'json']);
    const statuses = (JSON.parse(partial.stdout) as Array<{ data: { status: string } }>).map((e) => e.data.status);
    expect(statuses.length).toBeGreaterThan(2);
    expect(new Set(statuses)).toEqual(new Set(['Partial']));

    const failed = await runCli(['show', 'fixtures/valid/every-status.json', '--group', 'failed', '--limit', '2']);
    expect(failed.stdout.match(/\[Not Complete\]/g)).toHaveLength(2);
    expect(failed.stdout).not.toMatch(/\[(Complete|Partial)\]/);
  });

  test('--grep finds text in transcripts and messages and highlights it in colour', async ({ expect }) => {
    const plain = await runCli(['show', 'fixtures/valid/', '--grep', 'HARBOUR dental']);
    expect(plain.stdout).toContain('Harbour Dental');
    expect(plain.stdout).not.toContain('[Complete]');
    const coloured = await runCli(['show', 'fixtures/valid/every-status.json', '--grep', 'technician'], {
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(coloured.stdout).toContain('\u001b[43mtechnician\u001b[49m');
    expect(coloured.stdout).toContain('Priya Raman');
    expect(coloured.stdout).not.toContain('Tom Gallagher');
  });

  test('--grep finds canonically equivalent text, its accent precomposed or apart, and highlights it as written', async ({
    expect,
  }) => {
    // `--grep fermé` found the call whose transcript is precomposed, not the one with `e` and U+0301.
    const call = (n: number, transcript: string) => ({
      id: `59e55d61-ece9-4321-ad73-339eec0bf90${n}`,
      eventType: 'CallComplete',
      createdAt: '2022-09-02T04:30:55.781Z',
      data: {
        correlationId: `a929ee3e-a547-4647-ba5d-939e8fe8b40${n}`,
        sessionId: 'ddd738d9-f70f-4a7f-adfa-12fe6e0a2962',
        callResultId: 'fc570e28-138f-4aa8-82ee-24b1c977eab9',
        campaignId: 'c9b2e4a7-5d18-4f3c-9e6b-1a7d3c8f2b05',
        startedTime: '2022-09-02T04:30:03.781Z',
        name: 'Ann Lee',
        phone: '61491602274',
        lastStepName: 'Q',
        flow: [{ questionName: 'Q', response: '1', transcript }],
        requests: [],
        status: 'Partial',
        additionalInformation: 'Voicemail',
      },
    });
    const input = JSON.stringify([call(1, 'Caf\u00e9 ferm\u00e9.'), call(2, 'Cafe\u0301 ferme\u0301.')]);
    for (const pattern of ['ferm\u00e9', 'ferme\u0301']) {
      const found = await runCli(['show', '-', '--grep', pattern], {
        input,
        env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
      });
      expect(found.code, pattern).toBe(0);
      expect(found.stdout.match(/Partial/g), pattern).toHaveLength(2);
      // Each text is printed as it is written, the highlight on its own characters.
      expect(found.stdout).toContain('Caf\u00e9 \u001b[30m\u001b[43mferm\u00e9\u001b[49m');
      expect(found.stdout).toContain('Cafe\u0301 \u001b[30m\u001b[43mferme\u0301\u001b[49m');
    }
  });

  test('--phone, --campaign, --correlation, --id, --since and --until', async ({ expect }) => {
    const run = async (...args: string[]) =>
      (await runCli(['show', 'fixtures/valid/every-status.json', 'fixtures/valid/inbound-campaign.json', ...args]))
        .stdout;
    const phone = await run('--phone', '+61 412 338 761');
    expect(phone.match(/^ {2}\[/gm)).toHaveLength(1);
    expect(phone).toMatch(/^ {2}\[Complete\] Priya Raman/m);
    expect((await run('--campaign', 'a61d0f5e')).match(/CallReceived/g)).toHaveLength(2);
    expect(await run('--correlation', 'b7722fa6')).toContain('Priya Raman');
    expect(await run('--id', '69206608')).toContain('Priya Raman');
    const window = await run('--since', '2022-09-02T01:10:00Z', '--until', '2022-09-02T01:15:00Z');
    expect(window.match(/^ {2}\[/gm)).toHaveLength(2);
  });

  test('--phone finds a short code or a national number, which validate takes in an SMS or an attempt', async ({
    expect,
  }) => {
    // Refused as "5 to 15 digits in international format", though such events are valid (review hR64).
    const sms = (to: string) => ({
      time: '2022-09-01T00:00:00Z',
      from: '61491573087',
      to,
      message: 'hi',
      campaignId: '5dd7681b-2188-49fc-8fc0-87b57056f436',
    });
    const input = JSON.stringify([sms('1234'), sms('0412345678'), sms('61491570006')]);
    for (const [phone, shown] of [
      ['1234', '→ 1234 '],
      ['04 1234 5678', '→ 0412345678 '],
    ]) {
      const found = await runCli(['show', '-', '--phone', phone as string, '--no-pager'], { input });
      expect(found.code, phone).toBe(0);
      expect(found.stdout, phone).toContain(shown);
      expect(found.stdout.match(/SMS/g), phone).toHaveLength(1);
    }
  });

  // Hint: colour only when asked or on a terminal, NO_COLOR and --no-color winning over
  // FORCE_COLOR, is asserted in test/first-hour/options.test.ts ("every command accepts
  // --no-color"), whose runs of `show` forced, piped, and with --no-color or NO_COLOR, were the
  // same as this test's on another file.

  test('invalid elements are warnings naming file:line:column and are skipped; valid ones are still shown', async ({
    expect,
  }) => {
    const result = await runCli(['show', 'fixtures/invalid/']);
    const stderr = unwrapped(result.stderr);
    // Exit 2 for the two files that are not text (binary.bin.json, utf16.json), named as errors.
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('[Complete]');
    expect(stderr).toContain(
      'callhook: warning: fixtures/invalid/missing-required-field.json:6:13: skipped an invalid CallComplete: missing required field "sessionId"',
    );
    expect(stderr).toContain('fixtures/invalid/several-errors.json:59:51:');
    expect(stderr).toMatch(/fixtures\/invalid\/utf16\.json:1:1: the file is UTF-16/);
    for (const line of stderr.trimEnd().split('\n'))
      expect(line).toMatch(/^callhook: (warning: )?fixtures\/invalid\/[\w.-]+:\d+:\d+: /);
    const errors = stderr.split('\n').filter((line) => /^callhook: fixtures/.test(line));
    expect(errors.map((line) => line.split(':')[1])).toEqual([
      ' fixtures/invalid/binary.bin.json',
      ' fixtures/invalid/utf16.json',
    ]);
    // Said "skipped an invalid event: nesting … exceeds the limit of 256; skipped": skipped twice.
    expect(stderr).toContain(
      'deep-nesting.json:2:3: skipped an invalid event: nesting 10002 levels deep exceeds the limit of 256 (/0)\n',
    );
    expect(stderr).not.toMatch(/skipped an invalid .*; skipped/);
  });

  test('an element of no known type is skipped with the flag that settles it, in show, trace and replay', async ({
    expect,
  }) => {
    // The check's message names no flag (listen sends it to an HTTP sender); each command that has
    // --type says it, as validate does.
    const dir = mkdtempSync(join(tmpdir(), 'callhook-show-type-'));
    try {
      const file = join(dir, 'unknown.ndjson');
      writeFileSync(file, '{"foo": 1, "bar": 2}\n');
      // replay's JSON report keeps the check's message, as validate's does; its stderr line advises.
      const [show, trace, replay] = await Promise.all([
        runCli(['show', file]),
        runCli(['trace', 'abc', file]),
        runCli(['replay', file, '--url', 'http://127.0.0.1:9/', '--format', 'json']),
      ]);
      for (const run of [show, trace, replay])
        expect(unwrapped(run.stderr)).toContain('cannot tell the event type from keys "foo", "bar"; pass --type');
      expect(JSON.parse(replay.stdout).invalid).toEqual([
        {
          location: `${file}:1:1`,
          message: 'cannot tell the event type from keys "foo", "bar"',
          code: 'unknown-shape',
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('says the first 1,000 skipped elements and problems, then counts the rest in one line, in show, trace and replay', async ({
    expect,
  }) => {
    // A file of a million broken lines was 122 MB of warnings on stderr from show (helper-155).
    const dir = mkdtempSync(join(tmpdir(), 'callhook-show-many-'));
    try {
      const file = join(dir, 'broken.ndjson');
      const [event] = [...generateCalls({ calls: 1, seed: 2 })];
      const broken = Array.from({ length: 1_003 }, (_, i) => `{"id": "${i}", "eventType": "CallC`);
      writeFileSync(file, `${[...broken, JSON.stringify(event)].join('\n')}\n`);
      const [show, trace, replay] = await Promise.all([
        runCli(['show', file, '--format', 'json']),
        runCli(['trace', 'c0ffee', file]),
        runCli(['replay', file, '--url', 'http://127.0.0.1:9/', '--dry-run', '--format', 'json']),
      ]);
      for (const [name, run] of [
        ['show', show],
        ['trace', trace],
        ['replay', replay],
      ] as const) {
        // Hint: each warning as wrapped, its blanks left out where a path is looked for in it: a
        // path (TMPDIR) broken after a CJK character lost no space, and unwrapping adds one.
        const warnings = run.stderr.split(/^(?=callhook: )/m);
        const skips = warnings.filter((warning) => spaced(warning).includes(': skipped an invalid'));
        expect(skips.length, name).toBe(1_000);
        expect(skips.at(-1)?.replace(/\s/g, ''), name).toContain(`${file}:1000:`.replace(/\s/g, ''));
        expect(warnings, name).toContain(
          warningLine(
            '3 more skipped elements and problems not listed: callhook validate --max-problems N lists more',
            80,
          ),
        );
      }
      expect(show.code).toBe(0);
      expect(JSON.parse(show.stdout)).toHaveLength(1);
      // Said too when reading stops early: here at --limit's first event, after 1,003 skipped and 3 more after it.
      writeFileSync(file, `${[...broken, JSON.stringify(event), ...broken.slice(0, 3)].join('\n')}\n`);
      const limited = await runCli(['show', file, '--format', 'json', '--limit', '1']);
      expect(unwrapped(limited.stderr)).toContain('callhook: warning: 3 more skipped elements and problems not listed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors exit 2 and name the option; a missing file exits 2', async ({ expect }) => {
    const bad = [
      [['--status', 'Done'], '--status'],
      [['--since', 'last week'], '--since'],
      [['--width', '5'], '--width'],
      // An empty search (`--grep "$TERM"` with TERM unset) showed every event (hT51 #4).
      [['--grep', ''], '--grep: must be some text to look for'],
    ] as const;
    for (const [args, option] of bad) {
      const result = await runCli(['show', 'fixtures/valid/empty-array.json', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(option);
      expect(result.stdout).toBe('');
    }
    const missing = await runCli(['show', 'no/such/file.json', '--format', 'json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('callhook: no/such/file.json: no such file or directory\n');
    expect(missing.stdout).toBe('');
  });

  test('refuses a --grep text past 1,000 characters in one short line, before reading, whatever the input holds', async ({
    expect,
  }) => {
    // Red team hR125: 13,200 characters made a pattern V8 could not compile ("Stack overflow"),
    // an internal error with the whole text in it, and only once an event with text was searched.
    const file = 'fixtures/valid/human-support-request.json';
    for (const text of ['hello world '.repeat(1100), 'ж'.repeat(8000), 'a'.repeat(1001)]) {
      const result = await runCli(['show', file, '--no-pager', '--grep', text]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^callhook: --grep: must be at most 1,000 characters \(got .{1,60}\)\n$/u);
    }
    // Counted as characters, not UTF-16 units: 1,000 emoji (2,000 units) are taken (review hR127).
    const emoji = await runCli(['show', file, '--no-pager', '--grep', '😀'.repeat(1000)]);
    expect(emoji.code).toBe(1);
    // 1,000 are taken, and searched (no event holds them: exit 1, as grep).
    const longest = await runCli(['show', file, '--no-pager', '--grep', 'ж'.repeat(1000)]);
    expect({ code: longest.code, stderr: longest.stderr }).toEqual({
      code: 1,
      stderr: 'callhook: no event matched --grep (of 2 events read)\n',
    });
  });

  test('marks a copy only of an event shown, and an event with the id of one read before but other content as conflicting', async ({
    expect,
  }) => {
    // A copy whose first copy a filter left out was marked redelivered: there was none on screen.
    // And a same-id event with another status was marked redelivered, as though it repeated one.
    // Then one whose first copy a filter left out was shown unmarked, where summarise counts the
    // event by that first copy (hR113): it is a conflicting copy, since the filters kept it alone.
    const story = JSON.parse(readFileSync(join(validDir, 'outbound-with-reattempts.json'), 'utf8')) as unknown[];
    const call = story[6] as { data: Record<string, unknown> };
    const voicemail = { ...call, data: { ...call.data, status: 'Not Complete', additionalInformation: 'Voicemail' } };
    const input = [voicemail, call, call].map((e) => JSON.stringify(e)).join('\n');
    const filtered = await runCli(['show', '-', '--status', 'Complete'], { input });
    expect(filtered.stdout.match(/^ {2}\[Complete\][^\n]*$/gm)).toEqual([
      '  [Complete] Jane Doe · 61491573087 · campaign 3f8e2c1a · conflicting copy',
      '  [Complete] Jane Doe · 61491573087 · campaign 3f8e2c1a · redelivered',
    ]);
    // The same by time: the first copy is before --since.
    const later = { ...call, data: { ...call.data, startedTime: '2030-01-01T00:00:00Z' } };
    const timed = [call, later].map((e) => JSON.stringify(e)).join('\n');
    const since = await runCli(['show', '-', '--since', '2029-01-01'], { input: timed });
    expect(since.stdout.match(/^ {2}\[[^\n]*$/gm)).toEqual([
      '  [Complete] Jane Doe · 61491573087 · campaign 3f8e2c1a · conflicting copy',
    ]);
    const all = await runCli(['show', '-'], { input });
    expect(all.stdout.match(/^ {2}\[[^\n]*$/gm)).toEqual([
      '  [Not Complete] Jane Doe · 61491573087 · campaign 3f8e2c1a',
      '  [Complete] Jane Doe · 61491573087 · campaign 3f8e2c1a · conflicting copy',
      '  [Complete] Jane Doe · 61491573087 · campaign 3f8e2c1a · redelivered',
    ]);
  });

  test('a number a double cannot hold is written as the file writes it, masked by its own digits, and tells copies apart', async ({
    expect,
  }) => {
    // JSON.parse made 1e400 null and 12345678901234567891 ...567000, and two copies differing
    // only there one redelivery (red team hT18).
    const story = JSON.parse(readFileSync(join(validDir, 'outbound-with-reattempts.json'), 'utf8')) as unknown[];
    const call = JSON.stringify(story[6]).slice(0, -1);
    const input = [
      `${call},"externalId":12345678901234567891,"orderNo":9007199254740993,"score":1e400}`,
      `${call},"externalId":12345678901234567892,"orderNo":9007199254740993,"score":1e400}`,
    ].join('\n');
    const json = await runCli(['show', '-', '--format', 'json'], { input });
    expect(json.stdout.match(/"(externalId|orderNo|score)": [^,\n]*/g)).toEqual([
      '"externalId": 12345678901234567891',
      '"orderNo": 9007199254740993',
      '"score": 1e400',
      '"externalId": 12345678901234567892',
      '"orderNo": 9007199254740993',
      '"score": 1e400',
    ]);
    const masked = await runCli(['show', '-', '--format', 'json', '--mask'], { input });
    expect(masked.stdout.match(/"(externalId|orderNo)": [^,\n]*/g)?.slice(0, 2)).toEqual([
      '"externalId": "*****************891"',
      '"orderNo": "*************993"',
    ]);
    const pretty = await runCli(['show', '-'], { input });
    expect(pretty.stdout).toMatch(/^ {2}\[Complete\] .* · conflicting copy$/m);
    const trace = await runCli(['trace', '67765b6d', '-', '--format', 'json'], { input });
    const events = (
      JSON.parse(trace.stdout.replace(/: (\d[\d.e]*)/g, ': "$1"')) as { events: { event: object; conflict: boolean }[] }
    ).events;
    expect(events.map((entry) => [entry.event, entry.conflict]).slice(-2)).toMatchObject([
      [{ externalId: '12345678901234567891', score: '1e400' }, false],
      [{ externalId: '12345678901234567892', score: '1e400' }, true],
    ]);
  });

  test('a prefix that matched several ids names them in full, by their field', async ({ expect }) => {
    // It listed each as its first 8 characters, `(3f8e2c1a, 3f8e2c1a)`, and said "correlations".
    const attempt = (campaignId: string, correlationId: string) => ({
      time: '2022-09-01T00:00:00Z',
      phone: '61491573087',
      status: 'success',
      campaignId,
      correlationId,
    });
    const c = '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d3';
    const k = '67765b6d-dc5e-4e7e-af59-63744b5116b';
    const input = JSON.stringify([attempt(`${c}1`, `${k}8`), attempt(`${c}2`, `${k}9`)]);
    const result = await runCli(['show', '-', '--campaign', '3f8e2c1a-9b47', '--correlation', '67765b6d'], { input });
    expect(unwrapped(result.stderr)).toBe(
      `callhook: warning: --campaign 3f8e2c1a-9b47 matched 2 campaignIds (${c}1, ${c}2); give more of it to pick one\n` +
        `callhook: warning: --correlation 67765b6d matched 2 correlationIds (${k}8, ${k}9); give more of it to pick one\n`,
    );
  });

  test('a CRLF in a transcript is a line break, not an escaped \\r at each line end', async ({ expect }) => {
    const story = JSON.parse(readFileSync(join(validDir, 'outbound-with-reattempts.json'), 'utf8')) as unknown[];
    const call = story[6] as { data: { flow: Array<Record<string, string>> } };
    const flow = [{ ...call.data.flow[0], transcript: 'hello\r\nworld and\r\nmore, a lone \r stays' }];
    const input = JSON.stringify({ ...call, data: { ...call.data, flow } });
    const [pretty, markdown] = await Promise.all([
      runCli(['show', '-'], { input }),
      runCli(['show', '-', '--format', 'markdown'], { input }),
    ]);
    expect(pretty.stdout).toContain('     │ hello\n     │ world and\n     │ more, a lone \\r stays\n');
    expect(markdown.stdout).toContain('   > hello\n   > world and\n   > more, a lone \\\\r stays\n');
  });

  test('flow is an alias of show; an empty selection is an empty JSON array', async ({ expect }) => {
    const result = await runCli(['flow', 'fixtures/valid/empty-array.json', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  test('filters that match nothing exit 1, as trace does for an id of no call; no filter on no events is 0', async ({
    expect,
  }) => {
    const [pretty, json, empty] = await Promise.all([
      runCli(['show', 'fixtures/valid/every-status.json', '--campaign', 'ffff', '--since', '2000-01-01']),
      runCli(['show', 'fixtures/valid/every-status.json', '--grep', 'no such words', '--format', 'json']),
      runCli(['show', 'fixtures/valid/empty-array.json']),
    ]);
    expect(pretty.code).toBe(1);
    expect(pretty.stdout).toBe('');
    expect(pretty.stderr).toBe('callhook: no event matched --campaign, --since (of 7 events read)\n');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr).toBe('callhook: no event matched --grep (of 7 events read)\n');
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});

describe('show: streaming', () => {
  let dir: string;
  let big: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callhook-show-'));
    big = join(dir, 'big.json');
    const parts: string[] = [];
    // Hint: 2,000 calls (about 6,000 events, 2.5 MB) outlast a pipe's buffer many times over, as
    // the 20,000 once here did: the reader is gone long before the output ends.
    for (const event of generateCalls({ seed: 3, calls: 2_000 })) parts.push(JSON.stringify(event));
    writeFileSync(big, `[\n${parts.join(',\n')}\n]\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('| head: ends quietly with exit 0, no EPIPE error, in pretty and json', async () => {
    for (const format of ['pretty', 'json']) {
      const result = await runThenClose(['show', big, '--format', format], 10);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.head.length).toBeGreaterThan(0);
    }
  });

  test('the first call is shown while the input is still arriving', async () => {
    const first = hostile[0];
    const child = spawn(process.execPath, [binPath, 'show', '-'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const shown = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('Mallory')) resolve();
      });
    });
    child.stdin.write(`[${JSON.stringify(first)},\n`);
    // The array is still open: the call must appear before the input ends.
    await shown;
    expect(child.exitCode).toBeNull();
    child.stdin.end(`${JSON.stringify(first)}]`);
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out.match(/Mallory/g)).toHaveLength(2);
  });
});
