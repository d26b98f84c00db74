import { execFileSync } from 'node:child_process';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { DeliveryStats, type ProgressSnapshot } from '../http/stats.js';
import {
  progressFraction,
  renderCurl,
  renderDryRunJson,
  renderDryRunRequest,
  renderProgressBar,
  renderProgressLine,
  renderReplaySummary,
  renderUnjournalled,
  requestRateText,
  shellQuote,
} from './replay.js';

const plain = new Chalk({ level: 0 });
const snapshot: ProgressSnapshot = {
  elapsedMs: 10_000,
  done: 500,
  read: 504,
  inputEnded: false,
  delivered: 498,
  errors: 2,
  requests: 520,
  retrying: 0,
  failedAttempts: 0,
  fractionRead: 0.25,
};

describe('progress', () => {
  it('estimates the fraction done from the bytes read, and the total once the input ended', () => {
    expect(progressFraction(snapshot)).toBeCloseTo(0.248, 3);
    expect(progressFraction({ ...snapshot, inputEnded: true })).toBeCloseTo(500 / 504, 5);
    expect(progressFraction({ ...snapshot, fractionRead: undefined })).toBeUndefined();
  });

  it('makes the batch count agree with the bar: an estimated total while the input is being read', () => {
    // The measured case: 22 of the 24 batches read so far are done, a quarter of the bytes read.
    const early: ProgressSnapshot = { ...snapshot, done: 22, read: 24, delivered: 22, errors: 0, fractionRead: 0.25 };
    const fraction = progressFraction(early)!;
    for (const line of [renderProgressBar(early, 80, plain), renderProgressLine(early)]) {
      const [, done, total] = /(\d+)\/~?(\d+)\+? batches/.exec(line)!;
      expect(Number(done) / Number(total)).toBeCloseTo(fraction, 1);
      expect(line).toContain('22/~96 batches');
    }
    expect(renderProgressLine({ ...early, inputEnded: true })).toContain('22/24 batches');
    expect(renderProgressLine({ ...early, fractionRead: undefined })).toContain('22/24+ batches');
  });

  it('shows batches being retried beside the errors', () => {
    const retrying: ProgressSnapshot = { ...snapshot, errors: 0, retrying: 3, failedAttempts: 5 };
    expect(renderProgressLine(retrying)).toContain('0 errors  3 retrying');
    expect(renderProgressBar(retrying, 120, plain)).toContain('0 errors  3 retrying');
    expect(renderProgressLine(snapshot)).not.toContain('retrying');
  });

  it("says how long the run still waits when the receiver's Retry-After paused it", () => {
    // A 429 asking for 10 minutes showed only "3 retrying  0 req/s": a run that looked stuck.
    const paused: ProgressSnapshot = { ...snapshot, errors: 0, retrying: 3, pausedMs: 598_000 };
    expect(renderProgressLine(paused)).toContain('3 retrying  paused 9m 58s (Retry-After)');
    expect(renderProgressBar(paused, 120, plain)).toContain('3 retrying  paused 9m 58s (Retry-After)');
    expect(renderProgressLine({ ...paused, pausedMs: 0 })).not.toContain('paused');
    // Minutes and seconds rounded apart read `9m60s`; tenths of a second apart, `60.0 s`. A
    // minute or more is written as show writes a duration (`1m 05s`, not `1m05s`: red team hR96).
    for (const [pausedMs, shown] of [
      [599_600, '10m 00s'],
      [59_960, '1m 00s'],
      [3_599_700, '1h 00m'],
      [59_940, '59.9 s'],
    ] as const) {
      expect(renderProgressLine({ ...paused, pausedMs })).toContain(`paused ${shown} (Retry-After)`);
    }
  });

  it('shows no ETA while a Retry-After pauses the run, only the pause', () => {
    // `paused 12m11s (Retry-After) … ETA 10.0 s`: the ETA went on as if nothing waited; a pause
    // added to it was counted twice as the pause went on (the pace slowed by it too).
    for (const [pausedMs, elapsedMs] of [
      [731_000, 10_000],
      [371_000, 370_000],
    ] as const) {
      const paused: ProgressSnapshot = { ...snapshot, retrying: 2, pausedMs, elapsedMs };
      expect(renderProgressLine(paused)).toContain('(Retry-After), 498 delivered');
      expect(renderProgressLine(paused)).not.toContain('ETA');
      expect(renderProgressBar(paused, 200, plain)).not.toContain('ETA');
    }
    expect(renderProgressLine({ ...snapshot, pausedMs: 0 })).toContain('ETA 30.3 s');
    // After a 12-minute pause, the pace is that of the time spent sending: it read 36 minutes.
    const after = { ...snapshot, elapsedMs: 730_000, pausedMs: 0, pausedSoFarMs: 720_000 };
    expect(renderProgressLine(after)).toContain('ETA 30.3 s');
  });

  it('gives an ETA no sooner than --rate lets the batches left start', () => {
    // With --rate 0.01 and 3 batches it said `ETA 10.0 s`, then `ETA 20.0 s`: the first went out
    // at once, and the pace of that was taken for the run's; each batch left is 100 s away (red team hR96).
    const slow: ProgressSnapshot = { ...snapshot, elapsedMs: 10_000, done: 1, read: 3, inputEnded: true, rate: 0.01 };
    expect(renderProgressLine(slow)).toContain('ETA 3m 20s');
    expect(renderProgressLine({ ...slow, elapsedMs: 110_000, done: 2 })).toContain('ETA 1m 40s');
    // A run slower than its --rate keeps the pace it has.
    expect(renderProgressLine({ ...snapshot, pausedMs: 0, rate: 1000 })).toContain('ETA 30.3 s');
  });

  it('leaves out the ETA rather than cutting a field in two when a pause leaves no room for the bar', () => {
    // At 80 columns a run paused by Retry-After showed "… paused 1.0 s (Retry-After)  ETA " and no time.
    const paused: ProgressSnapshot = { ...snapshot, errors: 0, retrying: 2, pausedMs: 1_000 };
    expect(renderProgressBar(paused, 80, plain)).toBe(
      '500/~2016 batches  52 req/s  0 errors  2 retrying  paused 1.0 s (Retry-After)',
    );
    expect(renderProgressBar(paused, 100, plain)).toMatch(/\(Retry-After\)$/);
    // Without the bar the line keeps its colours, as with it.
    expect(renderProgressBar(paused, 100, new Chalk({ level: 1 }))).toContain('\u001b[33m2 retrying');
  });

  it('shows a slow rate to a tenth, in the progress line as in the summary, not as 0 req/s', () => {
    // `--rate 0.2` read `1/~10 batches  0 req/s` on the line and `0.2 req/s` in the summary (hT59).
    expect(renderProgressLine({ ...snapshot, done: 1, requests: 1, elapsedMs: 5_000 })).toMatch(/ {2}0\.2 req\/s {2}/);
    expect([0, 0.04, 0.25, 9.94, 9.96, 52.4, 22_936.4].map(requestRateText)).toEqual([
      '0.0 req/s',
      '0.04 req/s',
      '0.3 req/s',
      '9.9 req/s',
      '10 req/s',
      '52 req/s',
      '22,936 req/s',
    ]);
  });

  it('fits the bar in the terminal width and shows counts, rate, errors and ETA', () => {
    for (const columns of [40, 80, 200]) {
      const bar = renderProgressBar(snapshot, columns, plain);
      expect(bar.length).toBeLessThan(columns);
    }
    expect(renderProgressBar(snapshot, 80, plain)).toMatch(
      /█+░+ 500\/~2016 batches {2}52 req\/s {2}2 errors {2}ETA 30\.3 s$/,
    );
    expect(renderProgressLine(snapshot)).toBe(
      'replay: 500/~2016 batches  52 req/s  2 errors, 498 delivered, 10.0 s  ETA 30.3 s',
    );
  });
});

describe('summary', () => {
  it('lists what was not delivered, with receiver text made safe for the terminal', () => {
    const stats = new DeliveryStats();
    stats.attempt('200', 2);
    stats.attempt('422', 3);
    stats.finish({ key: 'a', status: 'delivered', attempts: 1, events: 2, source: 'f:1:1', at: '' });
    stats.finish({
      key: 'b',
      status: 'failed',
      attempts: 1,
      events: 1,
      source: 'f:2:1',
      at: '',
      code: 422,
      reason: 'HTTP 422: \u001b[2Jbad',
    });
    stats.inputEnded = true;
    const text = renderReplaySummary(stats.report('http://127.0.0.1:1/hook', 'POST'), plain, 'run.jsonl');
    expect(text).toContain('batches   1 delivered, 1 failed, 0 undelivered, 0 retried');
    expect(text).toContain('status    200 ×1  422 ×1');
    expect(text).toContain('f:2:1  failed  HTTP 422: \\e[2Jbad');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('Rerun with --resume --journal run.jsonl');
    // A path a shell splits or expands is quoted, so the hint can be pasted back as it is.
    const spaced = renderReplaySummary(stats.report('http://127.0.0.1:1/hook', 'POST'), plain, "my run's.jsonl");
    expect(spaced).toContain(`Rerun with --resume --journal 'my run'\\''s.jsonl' to send`);
    // One the terminal must not get raw, or with a backslash (which its escaping writes \x5c),
    // is written in $'…', which bash reads back as the very name.
    for (const [name, word] of [
      ['a\\eb.jsonl', "$'a\\\\eb.jsonl'"],
      ['a\u001b[2Jb\tc.jsonl', "$'a\\x1b[2Jb\\x09c.jsonl'"],
      ["it's\u202e.jsonl", "$'it\\'s\\xe2\\x80\\xae.jsonl'"],
    ]) {
      const hint = renderReplaySummary(stats.report('http://127.0.0.1:1/hook', 'POST'), plain, name!);
      expect(hint).toContain(`Rerun with --resume --journal ${word} to send`);
      expect(hint).not.toContain('\u001b');
      expect(execFileSync('bash', ['-c', `printf %s ${word}`], { encoding: 'utf8' }), word).toBe(name);
    }
  });

  it('says that --resume sends again the batches delivered that the journal could not record', () => {
    // "to send only what was not delivered", and --resume sent the batch whose line a full disk cut (red team hF56).
    const stats = new DeliveryStats();
    stats.finish({ key: 'a', status: 'delivered', attempts: 1, events: 2, source: 'f:1:1', at: '' });
    stats.finish({
      key: 'b',
      status: 'undelivered',
      attempts: 1,
      events: 2,
      source: 'f:3:1',
      at: '',
      reason: 'aborted',
    });
    stats.stoppedBy = 'writing the journal failed: cannot write the journal run.jsonl: no space left on device';
    const report = stats.report('http://127.0.0.1:1/hook', 'POST');
    expect(renderReplaySummary(report, plain, 'run.jsonl', 200, false, 1)).toContain(
      '\nRerun with --resume --journal run.jsonl to send what was not delivered, and again the 1 batch delivered that the journal could not record (listed on stderr).\n',
    );
    expect(renderReplaySummary(report, plain, 'run.jsonl', 200, false, 0)).toContain(
      '\nRerun with --resume --journal run.jsonl to send only what was not delivered.\n',
    );
  });

  it('lists the batches a journal failure left unrecorded: those never sent as not sent, not in flight', () => {
    // A batch waiting for its --rate turn was listed "not confirmed (the receiver may have it)" and
    // counted in flight, while the summary counted it not sent and the receiver never saw it (red team hR88).
    const batch = (key: string, status: 'delivered' | 'undelivered', attempts: number, events = 1) => ({
      key,
      source: `f:${key}:1`,
      events,
      status,
      attempts,
    });
    expect(
      renderUnjournalled([
        batch('1', 'delivered', 1, 2),
        batch('3', 'undelivered', 2),
        batch('5', 'undelivered', 0),
        batch('7', 'undelivered', 0),
      ]),
    ).toBe(
      [
        'Not recorded in the journal (2 batches in flight, 2 batches not sent):',
        '  f:1:1  2 events  delivered  key 1',
        '  f:3:1  1 event  not confirmed (the receiver may have it)  key 3',
        '  f:5:1  1 event  not sent  key 5',
        '  f:7:1  1 event  not sent  key 7',
        '',
      ].join('\n'),
    );
    expect(renderUnjournalled([batch('1', 'delivered', 1)])).toBe(
      'Not recorded in the journal (1 batch in flight):\n  f:1:1  1 event  delivered  key 1\n',
    );
    // "(0 batches in flight, 3 not sent)" named a count of nothing (review hR92); counts are grouped.
    expect(
      renderUnjournalled(Array.from({ length: 1200 }, (_, i) => batch(String(i), 'undelivered', 0))).split('\n')[0],
    ).toBe('Not recorded in the journal (1,200 batches not sent):');
  });

  it('groups the digits of every count, as the other commands do', () => {
    // "events    1000 delivered" beside listen's "1,076 events" and generate's "1,000 events".
    const stats = new DeliveryStats();
    for (let i = 0; i < 1_200; i++) stats.attempt('200', 1);
    stats.finish({ key: 'a', status: 'delivered', attempts: 1, events: 12_345, source: 'f:1:1', at: '' });
    stats.inputEnded = true;
    const text = renderReplaySummary(stats.report('http://127.0.0.1:1/hook', 'POST'), plain);
    expect(text).toContain('  events    12,345 delivered, 0 failed, 0 undelivered\n');
    expect(text).toContain('  requests  1,200 (0 retries)');
    expect(text).toContain('  status    200 ×1,200\n');
  });

  it('shows no request rate from fewer than two requests started apart, rather than 0.0 req/s', () => {
    const stats = new DeliveryStats();
    stats.requestStarted(1_000);
    stats.attempt('200', 1);
    expect(renderReplaySummary(stats.report('http://127.0.0.1:1/hook', 'POST'), plain)).toContain(
      '  requests  1 (0 retries)\n',
    );
  });

  it('wraps the batch and event counts of a resumed run to the width, under their column', () => {
    // `--resume` printed "  batches   3 delivered, 0 failed, 0 undelivered, 7 already delivered (resumed), 0 retried": 89 columns.
    const stats = new DeliveryStats();
    for (let i = 0; i < 7; i++) stats.resumed(30_000);
    stats.attempt('200', 1);
    for (const key of ['a', 'b', 'c']) {
      stats.finish({ key, status: 'delivered', attempts: 1, events: 30_000, source: 'f:1:1', at: '' });
    }
    stats.events.invalid = 12;
    stats.inputEnded = true;
    const text = renderReplaySummary(stats.report('http://127.0.0.1:1/hook', 'POST'), plain, 'run.jsonl', 80);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text).toContain(
      '  batches   3 delivered, 0 failed, 0 undelivered, 7 already delivered (resumed),\n            0 retried\n',
    );
    expect(text.replace(/\n {12}/g, ' ')).toContain(
      '  events    90,000 delivered, 0 failed, 0 undelivered, 210,000 resumed, 12 invalid (skipped)\n',
    );
  });

  it('says how many batches and events a stopped run never sent, and when the rest of the input was not read', () => {
    // Stopped after 3 unanswered batches, the summary said 3 failed and nothing of the batches left.
    const stats = new DeliveryStats();
    for (const key of ['a', 'b', 'c']) {
      stats.finish({
        key,
        status: 'failed',
        attempts: 1,
        events: 2,
        source: 'a.json:1:1',
        at: '',
        reason: 'ECONNREFUSED',
      });
    }
    stats.stoppedBy = 'the receiver answered none of 3 batches in a row (last: ECONNREFUSED)';
    stats.notSent(5);
    stats.notSent(1);
    stats.inputEnded = true;
    const text = renderReplaySummary(stats.report('http://127.0.0.1:1/', 'POST'), plain, 'run.jsonl', 80);
    expect(text).toContain('  batches   0 delivered, 3 failed, 0 undelivered, 2 not sent, 0 retried\n');
    expect(text).toContain('  events    0 delivered, 6 failed, 0 undelivered, 6 not sent\n');
    expect(text).not.toContain('not read');
    // Stopped in stdin, or by a signal, the rest of the input is unknown: said so.
    stats.inputEnded = false;
    const unread = renderReplaySummary(stats.report('http://127.0.0.1:1/', 'POST'), plain, 'run.jsonl', 80);
    expect(unread).toContain('\nThe rest of the input was not read, so none of it was sent.\n');
  });

  it('wraps a long reason to the width under the batch it is about, as verify and validate wrap', () => {
    // A reason of 200 columns ran past an 80-column terminal in one line.
    const stats = new DeliveryStats();
    const reason = `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1, after a redirect to http://127.0.0.1:1/${'dead/'.repeat(6)} (gave up after 2 attempts)`;
    stats.finish({ key: 'b', status: 'failed', attempts: 2, events: 1, source: 'exports/a.json:19:3', at: '', reason });
    stats.inputEnded = true;
    stats.stoppedBy = `the receiver answered none of 3 batches in a row (last: ${reason})`;
    const text = renderReplaySummary(stats.report('http://127.0.0.1:1/hook', 'POST'), plain, undefined, 80);
    const listed = text.slice(text.indexOf('Not delivered:'), text.indexOf('\nPass --journal'));
    expect(listed).toContain('\nStopped: the receiver answered none of 3 batches in a row (last:');
    for (const line of listed.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(listed).toContain('  exports/a.json:19:3  failed  ECONNREFUSED: connect ECONNREFUSED');
    expect(listed.split('\n').slice(2)).toEqual(expect.arrayContaining([expect.stringMatching(/^ {4}\S/)]));
    expect(listed.replace(/\n +/g, ' ')).toContain(reason);
  });

  it('wraps every line to the width, its heading, latency and hints too, a URL and a journal name kept whole', () => {
    // At 40 columns `batches` and `events` wrapped, but `Replayed to POST http://… in 0.1 s`,
    // `latency   p50 … max …` and `Pass --journal FILE to be able to --resume …` ran past it.
    const stats = new DeliveryStats();
    for (let i = 0; i < 1_200; i++) {
      stats.requestStarted(1_000 + i * 7);
      stats.attempt(i % 3 ? '200' : '503', 1_234);
    }
    stats.finish({ key: 'a', status: 'failed', attempts: 3, events: 2, source: 'f:1:1', at: '', reason: 'HTTP 503' });
    const url = 'http://127.0.0.1:1/some/longer/path/for/webhooks';
    const journal = 'my long journal name.jsonl';
    for (const given of [undefined, journal]) {
      const text = renderReplaySummary(stats.report(url, 'POST'), plain, given, 40);
      for (const line of text.trimEnd().split('\n')) {
        expect(line.length <= 40 || !line.trim().includes(' '), line).toBe(true);
      }
      const joined = text.replace(/\n +/g, ' ').replace(/\n(?=\S)/g, ' ');
      expect(joined).toContain(`Replayed to POST ${url} in `);
      expect(joined).toMatch(/latency {3}p50 \d+ ms +p95 \d+ ms +p99 \d+ ms +max \d+ ms/);
      expect(joined).toMatch(/status {4}200 ×800 +503 ×400/);
      expect(joined).toContain('requests  1,200 (2 retries), 143 req/s');
      expect(joined).toContain(
        given
          ? `Rerun with --resume --journal '${journal}' to send only what was not delivered.`
          : 'Pass --journal FILE to be able to --resume a run like this one.',
      );
      // A journal name a shell reads as one word is not broken, so the command can be pasted back.
      if (given) expect(text).toContain(`'${journal}'`);
    }
  });
});

describe('curl', () => {
  it('quotes every byte for a POSIX shell', () => {
    expect(shellQuote(`it's "x" $HOME`)).toBe(`'it'\\''s "x" $HOME'`);
    const command = renderCurl({
      method: 'POST',
      url: 'http://127.0.0.1:1/hook',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(`[{"name":"O'Brien"}]`),
      ordinal: 1,
      events: 1,
      source: 'f:1:1',
    });
    expect(command).toBe(
      `printf '[{"name":"O'\\''Brien"}]' | curl -sS -X POST 'http://127.0.0.1:1/hook' -H 'content-type: application/json' --data-binary @-\n`,
    );
  });

  it('tells curl not to check the certificate either under --insecure, so the command sends what replay would', () => {
    // It left -k out: the commands failed on the certificate replay --insecure took, curl exit 60 (red team hT67).
    const request = {
      method: 'POST',
      url: 'https://127.0.0.1:1/hook',
      headers: {},
      body: Buffer.from('[]'),
      ordinal: 1,
      events: 1,
      source: 'f:1:1',
    };
    expect(renderCurl({ ...request, insecure: true })).toContain(`| curl -sS -k -X POST 'https://127.0.0.1:1/hook'`);
    expect(renderCurl(request)).toContain(`| curl -sS -X POST 'https://127.0.0.1:1/hook'`);
  });

  it('prints no character a terminal must not get raw, and its printf writes back every byte of the body', () => {
    // A message holding U+009B (8-bit CSI) or U+202E reached the terminal raw in the command.
    const hostile = "hi \u009b2J \u202e evil \u001b[31m %s %% \\n \\ ' \t\n😀 Zoë";
    const bodies = [
      Buffer.from(JSON.stringify([{ message: hostile }])),
      Buffer.concat([Buffer.from('[{"a":"'), Buffer.of(0xe9, 0xff, 0x00), Buffer.from('"}]')]),
      Buffer.from('-n [1]'),
      Buffer.from(JSON.stringify([{ message: 'x'.repeat(200_000) }])),
    ];
    for (const body of bodies) {
      const command = renderCurl({
        method: 'POST',
        url: 'http://127.0.0.1:1/h',
        headers: {},
        body,
        ordinal: 1,
        events: 1,
        source: 'f:1:1',
      });
      expect(command).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/);
      const printf = command.slice(0, command.indexOf(' | curl '));
      // Hint: given to sh as a script, as a user runs the commands: a 200 KB `sh -c` argument is E2BIG.
      expect(execFileSync('sh', [], { input: printf, maxBuffer: 2 ** 24 })).toEqual(body);
    }
    expect(
      renderCurl({
        method: 'POST',
        url: 'http://127.0.0.1:1/h',
        headers: {},
        body: bodies[0]!,
        ordinal: 1,
        events: 1,
        source: 'f:1:1',
      }),
    ).toContain('Zoë');
  });
});

describe('the dry run as JSON', () => {
  it('writes untrusted characters of the body, the headers and the source as \\u escapes, meaning the same', () => {
    const hostile = 'X\u202e\u2028\u200b\u2066\u009b\u001b[2J';
    const body = Buffer.from(JSON.stringify([{ name: hostile }]));
    const line = renderDryRunJson({
      method: 'POST',
      url: 'http://x.test/',
      headers: { 'x-note': hostile },
      body,
      ordinal: 1,
      events: 1,
      source: `${hostile}.json:1:2`,
    });
    expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/);
    const parsed = JSON.parse(line) as { body: string; source: string; headers: Record<string, string> };
    expect(Buffer.from(parsed.body)).toEqual(body);
    expect(parsed.source).toBe(`${hostile}.json:1:2`);
    expect(parsed.headers['x-note']).toBe(hostile);
  });
});

describe('dry-run request', () => {
  it('wraps its request line and batch note to the width, losing nothing, and keeps a short one whole', () => {
    const request = {
      method: 'POST',
      url: 'http://127.0.0.1:8787/webhooks/callhook/receiver',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('[]'),
      ordinal: 12,
      events: 250,
      source: 'exports/2022-09/campaign-feedback.ndjson:1234:1',
    };
    const text = renderDryRunRequest(request, plain, 80);
    const head = text.slice(0, text.indexOf('\ncontent-type'));
    for (const line of head.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(head.replace(/\s+/g, ' ')).toBe(
      'POST http://127.0.0.1:8787/webhooks/callhook/receiver batch 12, 250 events, from exports/2022-09/campaign-feedback.ndjson:1234:1',
    );
    for (let narrow = 30; narrow <= 80; narrow++) {
      const first = renderDryRunRequest(request, plain, narrow).split('\ncontent-type')[0]!;
      // A count stays with its noun, and the batch with its number.
      expect(first, `width ${narrow}`).not.toMatch(/\d\n|batch\n/);
    }
    const short = renderDryRunRequest({ ...request, url: 'http://127.0.0.1:9/', source: 'a.json:1:1' }, plain, 80);
    expect(short.split('\n')[0]).toBe('POST http://127.0.0.1:9/  batch 12, 250 events, from a.json:1:1');
  });

  it('cuts a long body before an emoji rather than through it', () => {
    // An emoji is two UTF-16 code units: cut between them, its first half was shown as \ud83d.
    const request = {
      method: 'POST',
      url: 'http://127.0.0.1:9/',
      headers: {},
      body: Buffer.from(`[${'x'.repeat(298)}👍 and more]`),
      ordinal: 1,
      events: 1,
      source: 'a.json:1:1',
    };
    const text = renderDryRunRequest(request, plain, 80);
    expect(text).not.toContain('\\ud83d');
    expect(text).toContain(`[${'x'.repeat(298)}… (`);
    const whole = renderDryRunRequest(request, plain, 80, 301);
    expect(whole).toContain(`${'x'.repeat(298)}👍… (`);
    // Nor between an emoji and its skin tone, which it lost (`👍…`).
    const toned = renderDryRunRequest(
      { ...request, body: Buffer.from(`[${'x'.repeat(297)}👍🏽 and more]`) },
      plain,
      80,
    );
    expect(toned).toContain(`[${'x'.repeat(297)}… (`);
  });
});
