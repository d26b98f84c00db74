/** End to end: a truncated NDJSON line costs its own event only, in every command; pipes read as streams. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-recovery-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clean = readFileSync('fixtures/valid/one-event-per-line.ndjson', 'utf8');
const lines = clean.split('\n');
lines[1] = lines[1]!.slice(0, 40);
const cut = join(dir, 'cut.ndjson');
writeFileSync(cut, lines.join('\n'));

describe('one line of NDJSON cut to 40 bytes', () => {
  it('validate counts the five other events, and the cut line as invalid at its line', async () => {
    const result = await runCli(['validate', cut, '--format', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.totals).toMatchObject({ events: 6, valid: 5, invalid: 1 });
    expect(report.files[0].problems.map((p: { line: number }) => p.line)).toEqual([2]);
  });

  it('summarise counts them, show shows them, replay sends them', async () => {
    const [summary, shown, replayed] = await Promise.all([
      runCli(['summarise', cut, '--format', 'json']),
      runCli(['show', cut, '--format', 'json']),
      runCli(['replay', cut, '--url', 'http://127.0.0.1:9/', '--dry-run', '--format', 'json']),
    ]);
    expect(JSON.parse(summary.stdout)).toMatchObject({ events: 5, invalid: 1 });
    expect(summary.stderr).toContain('skipped 1 invalid element');
    expect(JSON.parse(shown.stdout)).toHaveLength(5);
    expect(shown.stderr).toContain(':2:');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout.trim().split('\n')).toHaveLength(5);
  });
});

describe('a line of NDJSON cut to 40 bytes, with the next line written onto it (a writer killed, then restarted)', () => {
  const glued = clean.split('\n');
  glued.splice(1, 2, glued[1]!.slice(0, 40) + glued[2]);
  const path = join(dir, 'glued.ndjson');
  writeFileSync(path, glued.join('\n'));

  it('costs only the cut event in every command: validate, summarise, show and replay read the one written onto it', async () => {
    const [validated, summary, shown, replayed] = await Promise.all([
      runCli(['validate', path, '--format', 'json']),
      runCli(['summarise', path, '--format', 'json']),
      runCli(['show', path, '--format', 'json']),
      runCli(['replay', path, '--url', 'http://127.0.0.1:9/', '--dry-run', '--format', 'json']),
    ]);
    expect(validated.code).toBe(1);
    const report = JSON.parse(validated.stdout);
    expect(report.totals).toMatchObject({ events: 6, valid: 5, invalid: 1 });
    expect(report.files[0].problems).toEqual([
      expect.objectContaining({
        line: 2,
        message: expect.stringContaining('an event written onto its line after it is read'),
      }),
    ]);
    expect(JSON.parse(summary.stdout)).toMatchObject({ events: 5, invalid: 1 });
    expect(JSON.parse(shown.stdout)).toHaveLength(5);
    expect(replayed.code).toBe(0);
    const sent = replayed.stdout.trim().split('\n');
    expect(sent).toHaveLength(5);
    // The event written onto line 2 is the clean file's line 3, sent from where it is.
    const request = JSON.parse(sent[1]!);
    expect(JSON.parse(request.body)).toEqual([JSON.parse(clean.split('\n')[2]!)]);
    expect(request.source).toBe(`${path}:2:41`);
  });
});

describe('a pipe named as a path', () => {
  it('reads /dev/stdin as a stream', async () => {
    const result = await runCli(['validate', '/dev/stdin', '--max-element-size', '1M'], { input: clean });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('6 events: 6 valid');
    expect(result.code).toBe(0);
  });
});

describe('a batch that lost its "]", another batch after it (two exports joined)', () => {
  // As `{ head -n -1 a.json; cat b.json; }` makes it: nested in the first batch, the second was
  // one invalid element, its 20 events never counted or sent, and fix nested it for good (red team hR84).
  const clean = join(dir, 'clean');
  const lost = join(dir, 'lost');
  let id = '';
  // The line of the first batch's last `}`, after which its `]` was lost.
  let lostAt = 0;
  // How many events of the second batch carry `id`.
  let ofId = 0;
  beforeAll(async () => {
    for (const folder of [clean, lost]) mkdirSync(folder, { recursive: true });
    const [a, b] = await Promise.all(
      ['1', '2'].map((seed) => runCli(['generate', '--count', '20', '--seed', seed, '--format', 'json'])),
    );
    const first = a!.stdout.trimEnd();
    lostAt = first.split('\n').length - 1;
    writeFileSync(join(clean, 'x.json'), `${first}\n${b!.stdout}`);
    writeFileSync(join(lost, 'x.json'), `${first.slice(0, first.lastIndexOf('\n]'))}\n${b!.stdout}`);
    id = [...b!.stdout.matchAll(/"correlationId": "([^"]+)"/g)].at(-1)![1]!;
    ofId = b!.stdout.split(`"correlationId": "${id}"`).length - 1;
  });

  it('is read whole by every command, as the file with its "]" is, the "]" the one problem', async () => {
    // Run in each folder, `X` naming its x.json.
    const run = (args: string[]) =>
      Promise.all(
        [clean, lost].map((cwd) =>
          runCli(
            args.map((arg) => (arg === 'X' ? 'x.json' : arg)),
            { cwd },
          ),
        ),
      );
    const [, validated] = await run(['validate', 'X', '--format', 'json']);
    const report = JSON.parse(validated!.stdout);
    expect(report.totals).toMatchObject({ events: 40, valid: 40, invalid: 0, errors: 1 });
    expect(report.files[0].problems.map((p: { code: string; line: number }) => `${p.code} ${p.line}`)).toEqual([
      `unexpected-token ${lostAt}`,
    ]);
    const [whole, damaged] = await run(['summarise', 'X', '--format', 'json']);
    const summary = JSON.parse(whole!.stdout);
    // Two bytes fewer: the `\n]` lost.
    expect(JSON.parse(damaged!.stdout)).toEqual({ ...summary, bytes: summary.bytes - 2, inputErrors: 1 });
    expect(damaged!.stderr).toContain('1 problem outside any event');
    const [shown, shownLost] = await run(['show', 'X', '--format', 'json']);
    expect(JSON.parse(shownLost!.stdout)).toHaveLength(40);
    expect(shownLost!.stdout).toBe(shown!.stdout);
    // The events of a call in the second batch, each a line earlier: the `]` line lost.
    const events = (result: { stdout: string }) =>
      JSON.parse(result.stdout).events.map((e: { event: unknown }) => e.event);
    const [traced, tracedLost] = await run(['trace', id, 'X', '--format', 'json']);
    expect(ofId).toBeGreaterThan(1);
    expect(events(tracedLost!)).toHaveLength(ofId);
    expect(events(tracedLost!)).toEqual(events(traced!));
    // Two requests of 20 events, as with the `]`.
    const bodies = (result: { stdout: string }) =>
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(JSON.parse(line).body));
    const [replayed, replayedLost] = await run([
      'replay',
      'X',
      '--url',
      'http://127.0.0.1:9/',
      '--dry-run',
      '--format',
      'json',
    ]);
    expect(bodies(replayedLost!).map((body) => body.length)).toEqual([20, 20]);
    expect(bodies(replayedLost!)).toEqual(bodies(replayed!));
  });

  it('fix closes the first batch where its "]" was lost, and what it prints validates', async () => {
    const fixed = await runCli(['fix', join(lost, 'x.json')]);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain(
      `x.json:${lostAt}:4: repaired: expected "]" to close the array opened at line 1, column 1`,
    );
    expect(fixed.stdout).toBe(readFileSync(join(clean, 'x.json'), 'utf8').replace('\n  }\n]\n[', '\n  }]\n['));
    const checked = await runCli(['validate', '-'], { input: fixed.stdout });
    expect(checked.stdout).toContain('40 events: 40 valid');
    expect(checked.code).toBe(0);
  });
});
