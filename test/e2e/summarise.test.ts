import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, overlong, runCli } from '../helpers/run-cli.js';

const campaigns = ['5dd7681b-2188-49fc-8fc0-87b57056f436', '0b0b0b0b-2188-49fc-8fc0-87b57056f436'];
const statuses = ['Complete', 'Partial', 'Not Complete'];

function callComplete(i: number, id = randomUUID(), status = statuses[i % 3]!) {
  const steps = status === 'Complete' ? 3 : status === 'Partial' ? 1 + (i % 2) : 0;
  const flow = Array.from({ length: steps }, (_, q) => ({
    questionName: `Question ${q + 1}?`,
    response: 'Other',
    transcript: 'An answer long enough to make the export a few megabytes without too many events.',
  }));
  return {
    id,
    eventType: 'CallComplete',
    createdAt: '2022-09-01T00:30:48.567Z',
    data: {
      sessionId: randomUUID(),
      callResultId: randomUUID(),
      name: 'Jane Doe',
      phone: `614915${String(i % 10000).padStart(5, '0')}`,
      campaignId: campaigns[i % 2],
      lastStepName: flow.at(-1)?.questionName ?? null,
      startedTime: `2022-08-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:46:51.000Z`,
      flow,
      requests: i % 7 === 0 ? ['humanSupportRequest'] : [],
      status,
      additionalInformation: ['Voicemail', 'No further action', 'Customer exited part way through'][i % 3],
    },
  };
}

/** A multi-chunk export with redeliveries, invalid elements and an undocumented status. */
function export_(events: number): string {
  const items: unknown[] = [];
  for (let i = 0; i < events; i++) items.push(callComplete(i));
  items.push(items[5], items[6]); // redeliveries
  items.push({ hello: 'world' }, callComplete(1, randomUUID(), 'Busy'));
  items.push({
    time: '2022-08-31T21:46:58.621Z',
    phone: '61491573087',
    status: 'failed',
    note: 'invalid phone',
    campaignId: campaigns[0],
  });
  items.push({
    time: '2022-08-31T21:46:58.621Z',
    from: '61491573087',
    to: '61491570006',
    message: 'hi',
    campaignId: campaigns[1],
  });
  return JSON.stringify(items, null, 2);
}

/**
 * Runs `summarise` once for every test that asks for the same arguments on the same input.
 * Hint: a run's result is read, never changed, by the tests that share it.
 */
const shared = new Map<string, Promise<CliResult>>();
function sharedRun(args: readonly string[], input?: string): Promise<CliResult> {
  const key = JSON.stringify([args, input]);
  let run = shared.get(key);
  if (run === undefined) {
    run = runCli(args, input === undefined ? {} : { input });
    shared.set(key, run);
  }
  return run;
}

/** One valid call, as the tests that read one call from stdin give it (its ids do not matter). */
const oneCall = JSON.stringify([callComplete(0)]);

describe('callhook summarise', () => {
  it('counts a multi-chunk export from stdin once each, redeliveries and invalid elements apart', async () => {
    const input = export_(6000); // ~6 MB: several of the input layer's 1 MiB chunks
    expect(input.length).toBeGreaterThan(5 * 2 ** 20);
    const one = await runCli(['summarise', '-', '--format', 'json', '--by', 'campaign'], { input });
    expect(one.code).toBe(0);
    const report = JSON.parse(one.stdout);
    expect(report.elements).toBe(6006);
    expect(report.events).toBe(6003);
    expect(report.duplicates).toBe(2);
    expect(report.invalid).toBe(1);
    expect(report.undocumentedStatuses).toBe(1);
    // 2000/6001 = 333.28 tenths, 1/6001 = 0.17: the spare tenth goes to the first largest remainder.
    expect(report.callComplete.byStatus).toEqual({
      Complete: { count: 2000, percent: 33.4 },
      Partial: { count: 2000, percent: 33.3 },
      'Not Complete': { count: 2000, percent: 33.3 },
      Other: { count: 1, percent: 0 },
    });
    expect(one.stderr).toContain('skipped 1 invalid element; run `callhook validate`');
  });

  it('reports zeros for an empty batch, in every format, exit 0', async () => {
    for (const format of ['pretty', 'json', 'csv', 'markdown']) {
      const result = await runCli(['summarise', '-', '--format', format], { input: '[]' });
      expect(result.code, format).toBe(0);
      expect(result.stderr, format).toBe('');
      if (format === 'json') {
        const report = JSON.parse(result.stdout);
        expect(report.events).toBe(0);
        expect(report.callComplete.byGroup.Complete).toEqual({ count: 0, percent: 0 });
      }
      if (format === 'csv') expect(result.stdout).toContain('Complete,Complete,0,0.0\r\n');
    }
  });

  it('reads piped input without "-", under each alias', async () => {
    // Hint: `summarise --format json` of one call is the run the <stdin> test below reads too.
    for (const name of ['summarise', 'summarize', 'summary']) {
      const result = await sharedRun([name, '--format', 'json'], oneCall);
      expect(result.code, name).toBe(0);
      expect(JSON.parse(result.stdout).callComplete.byStatus.Complete.count, name).toBe(1);
    }
  });

  it('fails input that holds no event, only errors, with exit 1 and one line saying where, as validate does', async () => {
    // An empty stdin (a producer that wrote nothing) was a report of zeros, exit 0.
    const empty = '<stdin>:1:1: the file holds no JSON value (no event to summarise)';
    // Hint: validate's exit code on the empty input is the same for every iteration: one run says it.
    const validated = (await runCli(['validate', '-'], { input: '' })).code;
    for (const args of [['summarise'], ['summarise', '-'], ['summarise', '-', '--format', 'json']]) {
      const result = await sharedRun(args, '');
      expect(result.stderr.split('\n'), args.join(' ')).toContain(`callhook: ${empty}`);
      expect(result.code, args.join(' ')).toBe(validated);
    }
    // Its report counts the empty input as a problem outside any event: it said "between elements".
    expect((await sharedRun(['summarise'], '')).stdout).toMatch(
      /^ {2}Input errors {2}1 problem outside any event; run `callhook validate` for details$/m,
    );
    const invalid = await runCli(['summarise', '-'], { input: JSON.stringify([{ hello: 'world' }, { hi: 1 }]) });
    expect(invalid.stderr).toMatch(
      /^callhook: <stdin>:1:2: .* \(no event to summarise; 1 more error: see callhook validate\)\n$/,
    );
    expect(invalid.code).toBe(1);
  });

  it('masks a phone number the "no event to summarise" line quotes under --mask, as show masks its warning', async () => {
    // The line quoted the first error whole: `received "+61491573087"`, however --mask was given.
    const masked = await runCli(['summarise', 'fixtures/invalid/phone-with-plus.json', '--mask']);
    expect(masked.stderr).toContain('(no event to summarise)');
    expect(masked.stderr).toContain('received "+********087"');
    expect(masked.stderr).not.toContain('61491573087');
    expect(masked.code).toBe(1);
  });

  it('names stdin as <stdin>, as validate does, rather than counting it a file', async () => {
    const input = oneCall;
    const piped = await runCli(['summarise'], { input });
    expect(piped.stdout).toMatch(/Events +1 from <stdin> \(/);
    const both = await runCli(['summarise', '-', 'fixtures/valid/bare-types.json'], { input });
    expect(both.stdout).toMatch(/ from <stdin> and 1 file \(/);
    const json = JSON.parse((await sharedRun(['summarise', '--format', 'json'], input)).stdout);
    expect([json.files, json.stdin]).toEqual([1, true]);
  });

  it('skips invalid elements with exit 0, and fails with exit 1 under --strict', async () => {
    const input = JSON.stringify([callComplete(0), { hello: 'world' }]);
    const lax = await runCli(['summarise', '-'], { input });
    expect(lax.code).toBe(0);
    expect(lax.stdout).toMatch(/Invalid +1 element skipped; run `callhook validate` for details/);
    expect(lax.stderr).toBe('');
    // Every format says on stderr why --strict failed the run; pretty and Markdown said nothing.
    // Hint: matrix thinned: every format's stderr under --strict is `summaryDiagnostics`
    // (src/commands/summarise.ts), one call for all four after the report is written, whose one
    // branch on the format (pretty and Markdown without --strict) is not taken under --strict;
    // its unit test "under --strict, says in every format what failed the run"
    // (src/commands/summarise.test.ts) covers all four. Kept here: one format that branch names
    // (pretty) and one it does not (json).
    for (const format of ['pretty', 'json']) {
      const strict = await runCli(['summarise', '-', '--strict', '--format', format], { input });
      expect(strict.code, format).toBe(1);
      expect(strict.stderr, format).toBe('callhook: skipped 1 invalid element; run `callhook validate` for details\n');
    }
    const other = await runCli(['summarise', 'fixtures/invalid/bad-status.json', '--strict']);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('callhook: 1 call with an undocumented status, counted as Other\n');
  });

  it('counts a bare call of an undocumented status that carries a field named data as Other, as summarise and show read it alike', async () => {
    // Read as an envelope by its `data` alone, where validate needs `data` beside `createdAt`:
    // "internal error: Cannot read properties of undefined (reading 'length')", exit 2, for the
    // whole folder; with `data: {status: 5}` the call was left out (red team hT68).
    const { data } = callComplete(0, randomUUID(), 'Voicemail');
    for (const extra of [{ status: 'EXTRA' }, { status: 5 }]) {
      const input = JSON.stringify({ ...data, data: extra });
      const summary = await runCli(['summarise', '-', '--format', 'json'], { input });
      expect([summary.code, summary.stderr], JSON.stringify(extra)).toEqual([
        0,
        'callhook: 1 call with an undocumented status, counted as Other\n',
      ]);
      expect(JSON.parse(summary.stdout).callComplete.byGroup.Other.count).toBe(1);
      const shown = await runCli(['show', '-', '--no-pager', '--no-color'], { input });
      expect([shown.code, shown.stderr]).toEqual([0, '']);
      expect(shown.stdout).toContain('Voicemail');
    }
  });

  it('filters by time and status', async () => {
    const input = JSON.stringify([callComplete(0), callComplete(1), callComplete(2), callComplete(3)]);
    const result = await runCli(
      [
        'summarise',
        '-',
        '--format',
        'json',
        '--since',
        '2022-08-02',
        '--until',
        '2022-08-04T00:00',
        '--status',
        'partial,Not Complete',
      ],
      { input },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    // Events 1 and 2 fall on Aug 2 and 3; event 1 is Partial, event 2 Not Complete.
    expect(report.events).toBe(2);
    expect(report.filteredOut).toBe(2);
    // The report says what it was filtered by, so a saved one still tells what it covers.
    expect(report.filters).toEqual({
      since: '2022-08-02T00:00:00.000Z',
      until: '2022-08-04T00:00:00.000Z',
      statuses: ['Partial', 'Not Complete'],
    });
    expect(report.callComplete.byStatus.Partial.count).toBe(1);
    expect(report.callComplete.byStatus['Not Complete'].count).toBe(1);

    // The terminal names only the filters given, with their values.
    const pretty = await runCli(['summarise', '-', '--status', 'Partial', '--width', '200'], { input });
    expect(pretty.stdout).toMatch(/^ {2}Filtered out +3 events \(--status Partial\)$/m);
  });

  it('compares --since and --until to the millisecond, a finer fraction cut, as its help and echo say', async () => {
    // Hint: an event at .0005 was kept by --since .0006 and dropped by --until .0006, the echo
    // saying .000, while nothing said times are compared to the millisecond (red team hT44 #5).
    const event = callComplete(0);
    const input = JSON.stringify([{ ...event, data: { ...event.data, startedTime: '2022-09-02T01:00:00.0005Z' } }]);
    const at = '2022-09-02T01:00:00.0006Z';
    const [since, until] = await Promise.all([
      runCli(['summarise', '-', '--format', 'json', '--since', at], { input }),
      runCli(['summarise', '-', '--format', 'json', '--until', at], { input }),
    ]);
    expect([JSON.parse(since.stdout).events, JSON.parse(until.stdout).events]).toEqual([1, 0]);
    expect(JSON.parse(since.stdout).filters.since).toBe('2022-09-02T01:00:00.000Z');
    // Hint: that its help says so is asserted on the help texts test/first-hour/options.test.ts
    // runs once for all its help tests ("summarise's help says --since and --until are compared
    // to the millisecond").
  });

  it.each([
    [['--top', 'ten'], /^callhook: --top: must be a whole number of at least 0 \(got "ten"\)\n$/],
    [['--since', 'yesterday'], /^callhook: --since: must be an ISO-8601 date or time .*\(got "yesterday"\)\n$/],
    [
      ['--since', '2022-09-02', '--until', '2022-09-01'],
      /^callhook: --since: must be before --until \(got "2022-09-02" and "2022-09-01"\)\n$/,
    ],
    [
      ['--status', 'Busy'],
      /^callhook: --status: must be one of Complete, Partial, Not Complete, Other \(got "Busy"\)\n$/,
    ],
    [['--format', 'xml'], /^callhook: --format: must be one of pretty, json, csv, markdown \(got "xml"\)\n$/],
    [['--by', 'week'], /^callhook: --by: must be one of status, campaign, day, hour, phone \(got "week"\)\n$/],
  ])('rejects %j as a usage error (exit 2)', async (args, message) => {
    const result = await runCli(['summarise', '-', ...args], { input: '[]' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 on a missing file, naming it', async () => {
    const result = await runCli(['summarise', 'no-such-file.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-file.json: no such file or directory');
  });
});

describe('callhook summarise on the fixtures', () => {
  it('prints a readable report of fixtures/valid that fits 80 columns when piped', async () => {
    const result = await sharedRun(['summarise', 'fixtures/valid']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const line of result.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(result.stdout).toMatch(/^ {2}Events +68 from 20 files/m);
    expect(result.stdout).toMatch(/^ {2}Redeliveries +8 dropped/m);
    await expect(result.stdout).toMatchFileSnapshot('__snapshots__/summarise-valid.txt');
  });

  it('prints the same counts in every format', async () => {
    const [json, csv, markdown] = await Promise.all([
      runCli(['summarise', 'fixtures/valid', '--format', 'json']),
      runCli(['summarise', 'fixtures/valid', '--format', 'csv']),
      runCli(['summarise', 'fixtures/valid', '--format', 'markdown', '--by', 'day']),
    ]);
    for (const result of [json, csv, markdown]) {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    }
    const report = JSON.parse(json.stdout);
    expect(report.events).toBe(68);
    // A bare SMS is counted under the direction its numbers tell (1 typed + 5 told sent, 1 + 8
    // received), as the sms section counts it; 3 stay unknown.
    expect(report.byType).toEqual({
      CallComplete: 23,
      CallAttempted: 16,
      CallReceived: 11,
      SMSSent: 6,
      SMSReceived: 9,
      SMS: 3,
    });
    expect([report.sms.sent.count, report.sms.received.count, report.sms.unknownDirection.count]).toEqual([6, 9, 3]);
    const { byStatus, byGroup } = report.callComplete;
    expect(byGroup.Complete.count).toBe(byStatus.Complete.count + byStatus.Partial.count);
    expect(byGroup.Failed.count).toBe(byStatus['Not Complete'].count);
    const csvRows = csv.stdout.trimEnd().split('\r\n');
    expect(csvRows[0]).toBe('status,group,count,percent');
    expect(csvRows.slice(1)).toEqual(
      (['Complete', 'Partial', 'Not Complete', 'Other'] as const).map(
        (s) =>
          `${s},${s === 'Not Complete' ? 'Failed' : s === 'Other' ? 'Other' : 'Complete'},${byStatus[s].count},${byStatus[s].percent.toFixed(1)}`,
      ),
    );
    expect(markdown.stdout).toContain(
      `| Complete | ${byStatus.Complete.count} | ${byStatus.Complete.percent.toFixed(1)} |`,
    );
    await expect(json.stdout).toMatchFileSnapshot('__snapshots__/summarise-valid.json');
    await expect(csv.stdout).toMatchFileSnapshot('__snapshots__/summarise-valid-by-status.csv');
    await expect(markdown.stdout).toMatchFileSnapshot('__snapshots__/summarise-valid-by-day.md');
  });

  it('writes one CSV table per --by dimension, header first', async () => {
    for (const by of ['campaign', 'day', 'hour', 'phone']) {
      const result = await runCli(['summarise', 'fixtures/valid', '--format', 'csv', '--by', by, '--top', '0']);
      expect(result.code, by).toBe(0);
      const rows = result.stdout.trimEnd().split('\r\n');
      expect(rows[0], by).toMatch(new RegExp(`^${by === 'campaign' ? 'campaignId' : by},events,callComplete,`));
      // Every counted event is in exactly one row.
      expect(
        rows.slice(1).reduce((sum, row) => sum + Number(row.split(',')[1]), 0),
        by,
      ).toBe(68);
      if (by === 'campaign')
        await expect(result.stdout).toMatchFileSnapshot('__snapshots__/summarise-valid-by-campaign.csv');
    }
  });

  it('counts the published examples it can read, and says what it skipped', async () => {
    const result = await runCli(['summarise', 'fixtures/doc-examples']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}Invalid +4 elements skipped; run `callhook validate` for details/m);
    await expect(result.stdout).toMatchFileSnapshot('__snapshots__/summarise-doc-examples.txt');
    expect((await runCli(['summarise', 'fixtures/doc-examples', '--strict'])).code).toBe(1);
  });

  it('puts an undocumented status in an Other row', async () => {
    const result = await runCli(['summarise', 'fixtures/invalid/bad-status.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}Other +1 +50\.0 /m);
    expect(result.stdout).toMatch(/^ {2}Other status +1 call with an undocumented status, counted as Other/m);
  });

  it('does not say a call of an undocumented status was counted as Other when a filter left it out', async () => {
    // Hint: --strict still fails on it (it is read, whatever the filters), so it is still named.
    const [pretty, json] = await Promise.all(
      ['pretty', 'json'].map((format) =>
        runCli(['summarise', 'fixtures/invalid/bad-status.json', '--status', 'complete', '--format', format]),
      ),
    );
    expect(pretty?.stdout).toMatch(/^ {2}Other status +1 call with an undocumented status, all filtered out$/m);
    expect(json?.stderr).toBe('callhook: 1 call with an undocumented status, all filtered out\n');
  });

  it('colours only when asked, and never lets payload text drive the terminal', async () => {
    const hostile = callComplete(0);
    hostile.data.additionalInformation = 'Voicemail\u001b]0;owned\u0007\u001b[2J';
    const input = JSON.stringify([hostile]);
    const coloured = await runCli(['summarise', '-'], { input, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain('\u001b[32mComplete');
    // The only escape sequences left are chalk's colours: SGR, ending in m.
    expect(coloured.stdout.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(coloured.stdout).toContain('Voicemail\\e]0;owned\\x07\\e[2J');
    const plain = await runCli(['summarise', '-', '--no-color'], {
      input,
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(plain.stdout).not.toContain('\u001b');
  });
});

describe('--width', () => {
  // Piped output was always 80 columns wide, with no way to say otherwise (show, trace and listen had --width).
  const unrepairable = join(mkdtempSync(join(tmpdir(), 'callhook-width-')), 'broken.json');
  writeFileSync(
    unrepairable,
    '[{"eventType": "CallAttempted", "id": "x", "note": "a long text to make the line wide enough to wrap", "v": @@}]\n',
  );
  it.each([
    ['summarise', 'fixtures/valid'],
    ['validate', 'fixtures/doc-examples'],
    ['fix', unrepairable],
  ])('%s wraps its terminal output to --width, as show does', async (command, path) => {
    const lines = (text: string) => text.split('\n').filter((line) => !line.startsWith('callhook: '));
    const at = async (width?: number) => {
      // Hint: `summarise fixtures/valid` without --width is the run the fixtures' report test reads too.
      const result = await sharedRun([command, path, ...(width ? ['--width', String(width)] : [])]);
      expect(result.stderr).not.toMatch(/unknown option/);
      return lines(command === 'fix' ? result.stderr : result.stdout);
    };
    const wide = await at();
    const narrow = await at(48);
    expect(wide.some((line) => line.length > 48)).toBe(true);
    expect(narrow.join('').length).toBeGreaterThan(wide.join('').length * 0.5);
    expect(narrow).not.toEqual(wide);
    // Hint: a line may be wider only when it is one unbreakable token (README, Width), or a file's
    // name, never broken even where it holds a space (a TMPDIR's).
    expect(overlong(narrow.join('\n'), 48, [path])).toEqual([]);
  });
});

describe('look-alike reasons', () => {
  it('are rows apart that read apart, in pretty and Markdown: blanks at the ends escaped, a non-NFC text shown decomposed', async () => {
    const reasons = ['Voicemail', 'Voicemail ', 'Caf\u00e9', 'Cafe\u0301'];
    const file = join(mkdtempSync(join(tmpdir(), 'callhook-lookalike-')), 'lookalike.json');
    writeFileSync(
      file,
      JSON.stringify(
        reasons.map((reason, i) => {
          const event = callComplete(3 * i + 1);
          return { ...event, data: { ...event.data, additionalInformation: reason } };
        }),
      ),
    );
    const pretty = await runCli(['summarise', file]);
    const markdown = await runCli(['summarise', file, '--format', 'markdown']);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/^ {2}(?:Partial)? +Voicemail +1 +25\.0$/m);
    expect(pretty.stdout).toMatch(/^ {2}(?:Partial)? +Voicemail\\x20 +1 +25\.0$/m);
    expect(pretty.stdout).toMatch(/^ {2}(?:Partial)? +Café +1 +25\.0$/m);
    expect(pretty.stdout).toMatch(/^ {2}(?:Partial)? +Cafe\\u0301 +1 +25\.0$/m);
    for (const row of ['| Partial | Voicemail\\\\x20 | 1 | 25.0 |', '| Partial | Cafe\\\\u0301 | 1 | 25.0 |']) {
      expect(markdown.stdout).toContain(row);
    }
  });
});

describe('summarise of a reason of 9 MB', () => {
  it('prints its table within a 256 MiB heap, the reason cut to a million characters and the rest counted', async () => {
    // A 9 MB note made V8 run out of memory laying out the reasons table (the cell split into a
    // string a word): a fatal error and a native stack trace, exit 134 (red team hR131).
    const dir = mkdtempSync(join(tmpdir(), 'callhook-long-reason-'));
    const path = join(dir, 'note.json');
    const event = {
      time: '2022-09-01T00:05:02.114Z',
      phone: '61491573087',
      status: 'failed',
      note: 'ab '.repeat(3_000_000),
      campaignId: '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31',
      correlationId: '67765b6d-dc5e-4e7e-af59-63744b5116b8',
    };
    writeFileSync(path, JSON.stringify([event]));
    const run = await runCli(['summarise', path], { env: { NODE_OPTIONS: '--max-old-space-size=256' } });
    expect(run.stderr.slice(0, 300)).toBe('');
    expect(run.code).toBe(0);
    // Hint: a test, not a match: a failure must not print 9 MB.
    expect(/ … \(8,000,00\d more characters, not shown\)/.test(run.stdout.replace(/\s+/g, ' '))).toBe(true);
    expect(run.stdout.length).toBeLessThan(1_100_000);
  });
});
