/** End to end: a truncated NDJSON line costs its own event only, in every command; pipes read as streams. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

describe('a pipe named as a path', () => {
  it('reads /dev/stdin as a stream', async () => {
    const result = await runCli(['validate', '/dev/stdin', '--max-element-size', '1M'], { input: clean });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('6 events: 6 valid');
    expect(result.code).toBe(0);
  });
});
