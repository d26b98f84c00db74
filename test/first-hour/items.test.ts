/**
 * Issue 12, items 3, 7, 8, 9, 11 and 13: the rough edges a newcomer meets in the first hour, each
 * as the user would expect it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterAll, describe, expect, test } from 'vitest';
import { maskPhonesInText } from '../../src/core/timeline.js';
import { renderRedelivery } from '../../src/render/flow.js';
import { callComplete } from '../helpers/events.js';
import { runCli, unwrapped } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-first-hour-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('item 3: validate -q shows what failed the run', () => {
  test('--warnings-as-errors -q lists the warnings that failed it', async () => {
    const result = await runCli([
      'validate',
      'fixtures/invalid/inconsistent-status-flow.json',
      '--warnings-as-errors',
      '-q',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/:\d+:\d+ {2}warning {2}status/);
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('status "Complete" but the flow is empty');
  });

  test('--max-problems 3 -q lists 3 problems', async () => {
    // The first file's one problem is a warning, which -q does not list: it takes no place.
    const result = await runCli([
      'validate',
      'fixtures/invalid/inconsistent-status-flow.json',
      'fixtures/invalid/several-errors.json',
      '--max-problems',
      '3',
      '-q',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout.match(/:\d+:\d+ {2}error {2}/g)).toHaveLength(3);
  });
});

describe('item 7: a call of an undocumented status, counted as Other by summarise, is shown', () => {
  test('show lists it, and --status Other and --group other select it', async () => {
    const all = await runCli(['show', 'fixtures/invalid/bad-status.json']);
    expect(all.stdout).toContain('[Done (undocumented)] Liam Foster');
    expect(all.stderr).not.toContain('Liam');
    for (const filter of [
      ['--status', 'Other'],
      ['--group', 'other'],
    ]) {
      const only = await runCli(['show', 'fixtures/invalid/bad-status.json', ...filter]);
      expect(only.code).toBe(0);
      expect(only.stdout).toContain('[Done (undocumented)] Liam Foster');
      expect(only.stdout).not.toContain('Kate Mills');
    }
  });
});

describe('item 8: trace shows a redelivered result as one line', () => {
  test('in colour, at 80 columns', () => {
    const event = callComplete({ status: 'Not Complete' }) as Parameters<typeof renderRedelivery>[0];
    const text = renderRedelivery(event, { width: 80, colors: new Chalk({ level: 3 }) });
    expect(text.trimEnd().split('\n')).toHaveLength(1);
  });

  test('as the built binary prints it on a colour terminal', async () => {
    const result = await runCli(
      ['trace', 'f4c2a9e1', 'fixtures/invalid/redelivery-duplicate-id.json', '--width', '80'],
      {
        env: { FORCE_COLOR: '1', NO_COLOR: undefined },
      },
    );
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toContain('redelivered: call result 5b0e8d3f again (same event id)');
    expect(lines.at(-2)).toBe('');
  });
});

describe('item 9: --mask covers warnings and errors, and leaves URLs usable', () => {
  test('a phone number that fails validation is masked in the warning', async () => {
    const input = JSON.stringify({
      time: '2022-09-01T00:05:02.114Z',
      // Hint: a `+` fails validation; digits alone are valid in an attempt (a warning show does not print).
      phone: '+6149157308712345678',
      status: 'failed',
      campaignId: '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31',
      correlationId: '67765b6d-dc5e-4e7e-af59-63744b5116b8',
    });
    const masked = await runCli(['show', '-', '--mask'], { input });
    expect(masked.stderr).toContain('warning');
    expect(masked.stderr).not.toContain('6149157308712345678');
    expect(masked.stderr).toContain('678');
    const plain = await runCli(['show', '-'], { input });
    expect(plain.stderr).toContain('6149157308712345678');
  });

  test('digits in a URL’s host and path stay, so the link opens; query values are masked', () => {
    expect(maskPhonesInText('see https://example.test/calls/123456789012?to=61491573087#x and call 0491 573 087')).toBe(
      'see https://example.test/calls/123456789012?to=********087#x and call **** *** 087',
    );
  });
});

describe('item 11: trace stops reading at a second call the prefix matches', () => {
  test('nothing after the second call is read', async () => {
    const attempt = (correlationId: string) => ({
      time: '2022-09-01T00:05:02.114Z',
      phone: '61491573087',
      status: 'failed',
      note: 'busy',
      campaignId: '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31',
      correlationId,
    });
    const lines = [
      JSON.stringify(attempt('0aaaaaaa-0000-4000-8000-000000000001')),
      JSON.stringify(attempt('0bbbbbbb-0000-4000-8000-000000000002')),
      // Never reached: reading it would print a warning about it.
      '{"time": broken',
    ];
    const file = write('two-calls.ndjson', `${lines.join('\n')}\n`);
    const result = await runCli(['trace', '0', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^callhook: 0 is the start of several correlationIds/);
    expect(result.stderr).not.toContain('warning');
  });
});

describe('item 13: smaller things', () => {
  test('--since later than --until is refused, in show as in summarise', async () => {
    for (const command of ['show', 'summarise']) {
      const result = await runCli([command, 'fixtures/valid', '--since', '2022-10-01', '--until', '2022-09-01']);
      expect(result.code, command).toBe(2);
      expect(result.stderr, command).toContain('--since: must be before --until');
    }
  });

  test('show says when a --campaign prefix matched several campaigns', async () => {
    const attempt = (campaignId: string) => ({
      time: '2022-09-01T00:05:02.114Z',
      phone: '61491573087',
      status: 'success',
      campaignId,
      correlationId: '67765b6d-dc5e-4e7e-af59-63744b5116b8',
    });
    const file = write(
      'campaigns.json',
      JSON.stringify([
        attempt('d1111111-0000-4000-8000-000000000001'),
        attempt('d2222222-0000-4000-8000-000000000002'),
      ]),
    );
    const result = await runCli(['show', file, '--campaign', 'd']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.includes('CallAttempted'))).toHaveLength(2);
    expect(unwrapped(result.stderr)).toBe(
      'callhook: warning: --campaign d matched 2 campaignIds (d1111111-0000-4000-8000-000000000001, ' +
        'd2222222-0000-4000-8000-000000000002); give more of it to pick one\n',
    );
    const one = await runCli(['show', file, '--campaign', 'd1']);
    expect(one.stderr).toBe('');
  });

  test("validate's pretty problem lines wrap to the width (80 when piped)", async () => {
    const result = await runCli(['validate', 'fixtures/doc-examples', 'fixtures/invalid']);
    const problemLines = result.stdout.split('\n').filter((line) => !/^ {4}[ >]/.test(line) && !/^ {4}\d/.test(line));
    for (const line of problemLines) {
      if (line.length > 80) expect(line.trim(), line).not.toMatch(/\s/);
    }
  });
});
