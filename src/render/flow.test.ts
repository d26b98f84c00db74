import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Chalk } from 'chalk';
import MarkdownIt from 'markdown-it';
import { describe, expect, test } from 'vitest';
import { callAttempted, callComplete, callReceived, correlationId, sms } from '../../test/helpers/events.js';
import { maskPayload, searchPattern } from '../core/timeline.js';
import { readRecords } from '../input/read.js';
import { escapeMarkdown } from './escape.js';
import {
  type CallView,
  callView,
  eventLineView,
  type FileHeadingView,
  type RedeliveryView,
  redeliveryView,
  renderEvent,
  renderEventMarkdown,
  renderEventPretty,
  renderFileHeading,
  renderJsonElement,
  renderRedelivery,
  renderTraceHeader,
  type TraceHeaderView,
  traceHeaderView,
} from './flow.js';
import { renderSkipWarning } from './skip-warnings.js';
import { displayWidth, warningLine } from './terminal.js';
import { formatDuration, formatTime } from './words.js';

const plain = { width: 80, colors: new Chalk({ level: 0 }) };
const coloured = { width: 80, colors: new Chalk({ level: 2 }) };
const sgr = /\u001b\[[0-9;]*m/g;

const hostile = callComplete({
  name: 'Eve \u001b]0;owned\u0007\u001b[2J',
  flow: [
    {
      questionName: 'Q1 \u009b31m',
      response: 'Other\b\b\b\bYes',
      transcript: 'click \u001b]8;;https://evil.example\u001b\\here\u001b]8;;\u001b\\ then\rover \u202eevil',
    },
  ],
  additionalInformation: 'x\u0000y',
});

describe('formatting', () => {
  test('times are UTC to the second; durations read naturally', () => {
    expect(formatTime('2022-09-01T10:29:12.999+10:00')).toBe('2022-09-01 00:29:12 UTC');
    expect(formatDuration(7_621)).toBe('8s');
    expect(formatDuration(96_000)).toBe('1m 36s');
    expect(formatDuration(3 * 3600e3 + 120e3)).toBe('3h 02m');
    expect(formatDuration(52 * 3600e3)).toBe('2d 4h');
    // Rounded once, at the unit shown last: minutes and hours were cut while seconds were rounded,
    // so 1h 59m 40s read `1h 59m` and 59m 59.5s `1h 00m` (red team hR96).
    expect(formatDuration(7_180_000)).toBe('2h 00m');
    expect(formatDuration(3_599_500)).toBe('1h 00m');
    expect(formatDuration(3 * 3600e3 + 89_000)).toBe('3h 01m');
    expect(formatDuration(86_399_000)).toBe('1d 0h');
    expect(formatDuration(2 * 86_400e3 + 5.6 * 3600e3)).toBe('2d 6h');
  });

  test('a call queued less than half a second before it started is queued 0s later, not 0s BEFORE', () => {
    // The word came from the sign, the number from the rounding (red team hT17).
    const queued = (createdAt: string) => {
      const event = callComplete({ startedTime: '2022-09-04T06:10:46.400Z' }, { createdAt });
      if (event.type !== 'CallComplete') throw new Error('a call result');
      return callView(event).queued;
    };
    expect(queued('2022-09-04T06:10:46.000Z')).toBe('queued 0s later');
    expect(queued('2022-09-04T06:10:45.800Z')).toBe('queued 1s BEFORE the start');
    expect(queued('2022-09-04T06:10:47.000Z')).toBe('queued 1s later');
  });
});

describe('renderEventPretty', () => {
  test('a Partial call: header, numbered steps with quoted transcripts, request, where it stopped, outcome', () => {
    expect(renderEventPretty(callComplete(), plain)).toBe(
      [
        '  [Partial] John Doe · 61491573087 · campaign 5dd7681b',
        '  started 2022-08-31 21:46:51 UTC · queued 8s later · correlation d07b9760',
        '  1. Question 1? → Other',
        '     │ Anything.',
        '  2. Question 2? → Other',
        '     │ I want to talk to a human.',
        '  ! human support requested',
        '  Stopped at step 2: Question 2?',
        '  Outcome: Customer exited part way through',
        '',
      ].join('\n'),
    );
  });

  test('a transcript that is empty or only blanks is said to be, unlike a step with none', () => {
    // A step with no transcript and one with `""` printed alike, and one of blanks printed nothing
    // under its bar (red team hR91): PAYLOADS.md has the field optional, so "none" and "said
    // nothing" are different answers.
    const event = callComplete({
      flow: [
        { questionName: 'Q1', response: 'Yes' },
        { questionName: 'Q2', response: 'No', transcript: '' },
        { questionName: 'Q3', response: 'No', transcript: ' \t\n ' },
      ],
      lastStepName: 'Q3',
    });
    expect(renderEventPretty(event, plain).split('\n').slice(2, 7)).toEqual([
      '  1. Q1 → Yes',
      '  2. Q2 → No',
      '     │ (empty transcript)',
      '  3. Q3 → No',
      '     │ (blank transcript)',
    ]);
    expect(renderEventMarkdown(event, plain).split('\n').slice(-6)).toEqual([
      '1. **Q1** → Yes',
      '2. **Q2** → No',
      '   > *(empty transcript)*',
      '3. **Q3** → No',
      '   > *(blank transcript)*',
      '',
    ]);
    expect(renderEventPretty(event, coloured)).toContain('\u001b[2m(empty transcript)');
  });

  test('payload text that is empty or blanks alone reads as such, as summarise shows it, not as nothing', () => {
    // A name of three spaces gave `[Partial]     · 6149…`, and `→`, `! request:`, `Outcome:`,
    // `failed:` and a message's quotes were followed by nothing (red team hR95).
    for (const [text, shown, markdown] of [
      ['', '(empty)', '*(empty)*'],
      ['   ', '\\x20\\x20\\x20', '\\\\x20\\\\x20\\\\x20'],
    ] as const) {
      const call = callComplete({
        name: text,
        flow: [{ questionName: 'Q1', response: text }],
        lastStepName: 'Q1',
        requests: [text],
        additionalInformation: text,
      });
      const pretty = renderEventPretty(call, plain).split('\n');
      expect(pretty[0], text).toBe(`  [Partial] ${shown} · 61491573087 · campaign 5dd7681b`);
      expect(pretty.slice(2), text).toEqual([
        `  1. Q1 → ${shown}`,
        `  ! request: ${shown}`,
        '  Stopped at step 1: Q1',
        `  Outcome: ${shown}`,
        '',
      ]);
      const md = renderEventMarkdown(call, plain);
      expect(md.split('\n')[0], text).toBe(`### Partial: ${markdown} (61491573087)`);
      expect(md, text).toContain(`- **Outcome:** ${markdown}\n`);
      expect(md, text).toContain(`1. **Q1** → ${markdown}\n`);
      expect(renderEventPretty(callAttempted({ note: text }), plain), text).toContain(`failed: ${shown}`);
      // A message is between quotes, which show an empty one; one of blanks is told apart inside them.
      const quoted = text === '' ? '""' : `"${shown}"`;
      expect(renderEventPretty(sms('SMSSent', { message: text }), plain), text).toContain(quoted);
    }
  });

  test("payload text that reads as one of callhook's own notes is told apart from the note", () => {
    // An empty name, outcome and transcript printed as a name `(empty)`, an outcome `(empty)` and a
    // transcript `(empty transcript)` written out (review hR99); summarise shows `\x28empty)`.
    const call = (text: string, transcript: string) =>
      renderEventPretty(
        callComplete({
          name: text,
          additionalInformation: text,
          flow: [{ questionName: 'Q1', response: 'Yes', transcript }],
          lastStepName: 'Q1',
        }),
        plain,
      );
    const empty = call('', '');
    const written = call('(empty)', '(empty transcript)');
    expect(empty).toContain('[Partial] (empty) ·');
    expect(empty).toContain('│ (empty transcript)');
    expect(written).toContain('[Partial] \\x28empty) ·');
    expect(written).toContain('│ \\x28empty transcript)');
    expect(written).toContain('Outcome: \\x28empty)');
  });

  test('a lastStepName the flow does not have is named as such, not given the number of another step', () => {
    // "Stopped at step 2: Never asked" read as if step 2 were that question.
    const event = callComplete({ lastStepName: 'Never asked?' });
    expect(renderEventPretty(event, plain)).toContain('  Stopped at: Never asked? (not a step of the flow)\n');
    expect(renderEventMarkdown(event, plain)).toContain('- **Stopped at:** Never asked? (not a step of the flow)\n');
  });

  test('a Not Complete call without a flow says so and has no stop line', () => {
    const text = renderEventPretty(
      callComplete({
        status: 'Not Complete',
        flow: [],
        lastStepName: null,
        requests: [],
        additionalInformation: 'Voicemail',
      }),
      plain,
    );
    expect(text).toContain('[Not Complete]');
    expect(text).toContain('(no conversation)');
    expect(text).toContain('Outcome: Voicemail');
    expect(text).not.toContain('Stopped');
  });

  test('without colour, an undocumented status that reads as a documented one is told apart in words', () => {
    // Only the magenta told `Not\u00a0Complete` (summarise's Other) from `Not Complete`: piped,
    // under NO_COLOR and in Markdown both read `[Not Complete]`.
    // Blanks that read as another status, or as none, are shown as summarise shows them
    // (`Complete\x20`, `(empty)`): `[ (undocumented)]` and `###  Complete (undocumented)` read as
    // no status and as Complete.
    for (const [status, shown, markdown] of [
      ['Not\u00a0Complete', 'Not\\xa0Complete', 'Not\\\\xa0Complete'],
      ['C\u043emplete', 'C\u043emplete', 'C\u043emplete'],
      ['Complete ', 'Complete\\x20', 'Complete\\\\x20'],
      [' Complete', '\\x20Complete', '\\\\x20Complete'],
      ['', '(empty)', '*(empty)*'],
    ] as const) {
      const event = callComplete({ status: status as never });
      expect(renderEventPretty(event, plain).split('\n')[0]).toContain(`[${shown} (undocumented)]`);
      expect(renderEventMarkdown(event, plain).split('\n')[0]).toBe(
        `### ${markdown} (undocumented): John Doe (61491573087)`,
      );
    }
    // A `]` in one ended the badge early: `[Complete] (undocumented) (undocumented)]` began as a
    // Complete call's line (red team hR91).
    expect(renderEventPretty(callComplete({ status: 'Complete] (undocumented)' as never }), plain).split('\n')[0]).toBe(
      '  [Complete\\x5d (undocumented) (undocumented)] John Doe · 61491573087 · campaign',
    );
    expect(renderEventPretty(callComplete({ status: 'Not Complete' }), plain)).toContain('[Not Complete] John');
    expect(renderEventMarkdown(callComplete({ status: 'Not Complete' }), plain)).toMatch(/^### Not Complete: John/);
  });

  test('badges are coloured by status group', () => {
    expect(renderEventPretty(callComplete({ status: 'Complete' }), coloured)).toContain('\u001b[42m');
    expect(renderEventPretty(callComplete({ status: 'Partial' }), coloured)).toContain('\u001b[43m');
    expect(renderEventPretty(callComplete({ status: 'Not Complete' }), coloured)).toContain('\u001b[41m');
  });

  test('other events are one line each', () => {
    expect(renderEventPretty(callAttempted(), plain)).toBe(
      '2022-08-31 21:40:00 UTC  CallAttempted  61491573087  failed: invalid phone\n',
    );
    expect(renderEventPretty(callReceived(), plain)).toBe(
      '2022-08-31 21:46:50 UTC  CallReceived   61491573087  outbound callback\n',
    );
    expect(renderEventPretty(sms('SMSReceived'), plain)).toBe(
      `2022-08-31 21:47:30 UTC  SMSReceived    61491573087 → 61491570006  "Message text\n${' '.repeat(40)}body"\n`,
    );
  });

  test('hostile payload text is shown escaped, with or without colour', () => {
    for (const ctx of [plain, coloured]) {
      const text = renderEventPretty(hostile, ctx).replace(sgr, '');
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      expect(text).toContain('Eve \\e]0;owned\\x07\\e[2J');
      expect(text).toContain('\\e]8;;https://evil.example\\e\\here');
      expect(text).toContain('Other\\b\\b\\b\\bYes');
      expect(text).toContain('Q1 \\x9b31m');
      expect(text).toContain('then\\rover \\u202eevil');
    }
  });

  test('no line is wider than the width at 40, 80 and 120 columns, CJK and emoji included', () => {
    const event = callComplete({
      flow: [
        {
          questionName: 'What is the reason for your call today, in a few words please?',
          response: 'Billing',
          transcript: `${'my bill is wrong and I would like it fixed '.repeat(5)}我想和真人客服通话因为我的账单有问题谢谢 👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍👍`,
        },
      ],
    });
    for (const width of [40, 80, 120]) {
      for (const colors of [plain.colors, coloured.colors]) {
        const lines = renderEventPretty(event, { width, colors }).trimEnd().split('\n');
        expect(lines.length).toBeGreaterThan(3);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      }
    }
  });

  test('--grep highlights matches in transcripts and messages when colour is on, never inside an escape', () => {
    const ctx = { ...coloured, grep: searchPattern('human') };
    expect(renderEventPretty(callComplete(), ctx)).toContain('\u001b[30m\u001b[43mhuman\u001b[49m\u001b[39m');
    expect(renderEventPretty(sms('SMSSent', { message: 'Text a HUMAN' }), ctx)).toContain('\u001b[43mHUMAN');
    const escaped = renderEventPretty(sms('SMSSent', { message: 'e\u001be' }), {
      ...coloured,
      grep: searchPattern('e'),
    });
    expect(escaped.replace(sgr, '')).toContain('e\\ee');
    expect(escaped.match(/\u001b\[43m/g)).toHaveLength(2);
    expect(renderEventPretty(callComplete(), { ...plain, grep: searchPattern('human') })).not.toMatch(sgr);
  });

  test('--grep escapes the text around a match as it escapes the whole text: no escape or mark forged at its edge', () => {
    // The text before the match was escaped alone, so its last backslash, which begins `\e` once
    // the match follows, was not: `literal \e[2J` read as the escape of a real ESC.
    for (const [message, grep] of [
      ['literal \\e[2J and real \u001b[2J', 'e[2J'],
      ['run ::error::x', ':error'],
      ['a ##[group]b', '#['],
    ] as const) {
      const event = sms('SMSSent', { message });
      const lit = renderEventPretty(event, { ...coloured, grep: searchPattern(grep) }).replace(sgr, '');
      expect(lit, message).toBe(renderEventPretty(event, coloured).replace(sgr, ''));
    }
  });

  test('--grep highlights whole grapheme clusters: no colour code inside a family emoji, a flag or a letter and its accent', () => {
    // Hint: the codes went between the code points of one cluster (`👨‍[43m👩[49m‍👧`, `🇦[43m🇺`),
    // which a terminal that joins clusters then draws apart, wider than measured.
    const highlight = '\u001b[30m\u001b[43m';
    const end = '\u001b[49m\u001b[39m';
    for (const [message, grep, lit] of [
      ['a 👨\u200d👩\u200d👧 b', '👩', '👨\u200d👩\u200d👧'],
      ['a 🇦🇺 b', '🇺', '🇦🇺'],
      ['a 🇦🇺 b', '🇦', '🇦🇺'],
      ['caf\u0065\u0301 ok', '\u0301', '\u0065\u0301'],
      ['caf\u0065\u0301 ok', 'fe', 'f\u0065\u0301'],
      ['👍🏽👍🏽 x', '🏽👍', '👍🏽👍🏽'],
    ] as const) {
      const event = sms('SMSSent', { message });
      const shown = renderEventPretty(event, { ...coloured, grep: searchPattern(grep) });
      expect(shown, `${message} / ${grep}`).toContain(`${highlight}${lit}${end}`);
      expect(shown.replace(sgr, '')).toBe(renderEventPretty(event, coloured).replace(sgr, ''));
    }
  });

  test('--grep highlights more matches in a message than a call takes arguments', () => {
    // `show --grep e` on a colour terminal, of an SMS of 75,000 `e`s apart: "internal error: Maximum
    // call stack size exceeded", exit 2 (its highlighted pieces were spread into one push).
    const shown = renderEventPretty(sms('SMSSent', { message: 'e '.repeat(75_000) }), {
      ...coloured,
      grep: searchPattern('e'),
    });
    expect(shown.match(/\u001b\[43m/g)).toHaveLength(75_000);
  });

  test('a redelivered call says so', () => {
    expect(renderEventPretty(callComplete(), plain, { duplicate: true })).toContain('· redelivered');
  });

  test('a redelivered attempt, callback or SMS says so too, in every format', () => {
    // Only a call result was marked: an attempt delivered twice read as two attempts.
    expect(renderEventPretty(callAttempted(), plain, { duplicate: true })).toBe(
      `2022-08-31 21:40:00 UTC  CallAttempted  61491573087  failed: invalid phone\n${' '.repeat(40)}(redelivered)\n`,
    );
    expect(renderEventPretty(callAttempted(), coloured, { duplicate: true })).toContain('\u001b[33m(redelivered)');
    expect(renderEventPretty(sms('SMSSent'), plain, { duplicate: true })).toMatch(/\(redelivered\)\n$/);
    // After a word as long as a link, the mark stays whole: after a `·` it was glued to the link and broke in two.
    const link = sms('SMSSent', { message: 'Reschedule at https://example.com/b/12345678' });
    const shown = renderEventPretty(link, plain, { duplicate: true }).trimEnd().split('\n');
    expect(shown.at(-1)).toMatch(/(^|\s)\(redelivered\)$/);
    expect(shown.filter((line) => line.includes('redelivered'))).toHaveLength(1);
    expect(renderEventMarkdown(callReceived(), plain, { duplicate: true })).toBe(
      '- 2022-08-31 21:46:50 UTC · **CallReceived** · 61491573087 · outbound callback ·\n  _redelivered_\n',
    );
  });
});

describe('renderEventMarkdown', () => {
  test('a call becomes a heading, a field list and numbered steps with quoted transcripts', () => {
    const text = renderEventMarkdown(callComplete(), plain);
    expect(text).toBe(
      [
        '### Partial: John Doe (61491573087)',
        '',
        '- **Campaign:** `5dd7681b-2188-49fc-8fc0-87b57056f436`',
        '- **Started:** 2022-08-31 21:46:51 UTC (queued 8s later)',
        '- **Correlation:** `d07b9760-9c74-4c12-919b-3b88adbf5863`',
        '- **Event:** `d07b9760-9c74-4c12-919b-3b88adbf5863`',
        '- **Requests:** human support requested',
        '- **Stopped at:** step 2, Question 2?',
        '- **Outcome:** Customer exited part way through',
        '',
        '1. **Question 1?** → Other',
        '   > Anything.',
        '2. **Question 2?** → Other',
        '   > I want to talk to a human.',
        '',
      ].join('\n'),
    );
  });

  test('markdown punctuation and terminal controls in payload text are escaped', () => {
    expect(escapeMarkdown('*bold* <img src=x> [a](b) \u001b[2J')).toBe(
      '\\*bold\\* \\<img src=x\\> \\[a\\](b) \\\\e\\[2J',
    );
    const text = renderEventMarkdown(hostile, plain);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(renderEventMarkdown(callAttempted(), plain)).toBe(
      '- 2022-08-31 21:40:00 UTC · **CallAttempted** · 61491573087 · failed: invalid\n  phone\n',
    );
  });
});

describe('an event line in Markdown at the narrowest width', () => {
  test('breaks at a blank rather than print a line wider than the width', () => {
    // `show --format markdown --width 20` printed `  **CallAttempted** ·`, 21 columns (red team hR101 F7).
    for (const event of [callAttempted(), callReceived(), sms('SMSSent'), sms('SMSReceived')]) {
      const lines = renderEventMarkdown(event, { ...plain, width: 20 })
        .trimEnd()
        .split('\n');
      for (const line of lines) {
        if (displayWidth(line) > 20) expect(line.trim(), JSON.stringify(line)).not.toMatch(/ /);
      }
    }
    expect(renderEventMarkdown(callAttempted(), { ...plain, width: 20 })).toContain('\n  **CallAttempted**\n  · ');
  });
});

describe('a question between blanks in Markdown', () => {
  test('loses the space separators at its ends, in time linear in its length', () => {
    // `/\p{Zs}+$/` took 5.6 s on 80,000 spaces between two letters, quadratic (review hR32).
    const spaced = (question: string) =>
      callComplete({ flow: [{ questionName: question, response: 'Yes', transcript: 'Hi.' }], lastStepName: question });
    expect(renderEventMarkdown(spaced('\u00a0 Q\u3000 '), plain)).toContain('1. **Q** → Yes');
    // Hint: 250,000: the old regex took about 45 s here, past the test's timeout.
    const long = renderEventMarkdown(spaced(`  x${' '.repeat(250_000)}x  `), plain);
    // Wrapped at the blanks between; its ends bare of theirs.
    expect(long).toContain('1. **x');
    expect(long).toContain('x** → Yes');
  });
});

describe('a call in every format', () => {
  // An undocumented status is shown (show and trace pass such calls through), so it is payload text too.
  const undocumented = callComplete({ status: 'Held \u001b[2J *x* #1' as never, correlationId: 'c\u202eid' });

  test('payload text in the heading and the field list is escaped in Markdown as on a terminal', () => {
    const markdown = renderEventMarkdown(undocumented, plain);
    expect(markdown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(markdown.split('\n')[0]).toBe(
      '### Held \\\\e\\[2J \\*x\\* \\#&#x200d;1 (undocumented): John Doe (61491573087)',
    );
    expect(renderEventPretty(undocumented, plain).split('\n')[0]).toBe(
      '  [Held \\e[2J *x* #1 (undocumented)] John Doe · 61491573087 · campaign 5dd7681b',
    );
  });
});

describe('a status named like a property of every object', () => {
  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    '%s is drawn as an undocumented status, in colour too',
    (status) => {
      const event = callComplete({ status: status as never });
      expect(renderEventPretty(event, coloured).split('\n')[0]).toContain(`\u00a0${status}\u00a0`);
      expect(renderEventPretty(event, plain).split('\n')[0]).toContain(`[${status} (undocumented)]`);
    },
  );
});

describe('one view, both formats', () => {
  const wide = { ...plain, width: 200 };

  test('every fact of a call view reaches both pretty and Markdown', () => {
    const event = callComplete({ requests: ['humanSupportRequest', 'callback'] });
    if (event.type !== 'CallComplete') throw new Error('a call result');
    const note = { duplicate: true };
    const view = callView(event, note);
    const pretty = renderEventPretty(event, wide, note);
    const markdown = renderEventMarkdown(event, wide, note);
    const id = (value: string | undefined) => ({ markdown: [value!], pretty: [value!.slice(0, 8)] });
    const both = (...texts: string[]) => ({ markdown: texts, pretty: texts });
    // Hint: a Record over every key, so that a new field of CallView does not compile until it is checked here.
    const facts: Record<keyof CallView, { markdown: string[]; pretty: string[] }> = {
      status: both(view.status),
      name: both(view.name),
      phone: both(view.phone),
      campaignId: id(view.campaignId),
      started: both(view.started),
      queued: both(view.queued!),
      correlationId: id(view.correlationId),
      // A terminal leaves the event id out (see CallView).
      eventId: { markdown: [view.eventId!], pretty: [] },
      redelivered: both('redelivered'),
      // One note cannot be both: a conflicting copy's mark is checked by the next test.
      conflict: both(),
      steps: both(...view.steps.flatMap((step) => [step.question, step.response, step.transcript!])),
      requests: both('human support requested', 'request: callback'),
      stopped: both(`${view.stopped!.step}`, view.stopped!.question),
      outcome: both(view.outcome!),
    };
    for (const [key, texts] of Object.entries(facts)) {
      for (const text of texts.pretty) expect(pretty, key).toContain(text);
      for (const text of texts.markdown) expect(markdown, key).toContain(text);
    }
  });

  test('a conflicting copy (the id of an event read before, other content) says so in both formats', () => {
    const note = { conflict: true };
    for (const event of [callComplete(), callAttempted()]) {
      const texts = [renderEventPretty(event, wide, note), renderEventMarkdown(event, wide, note)];
      for (const text of texts) expect(text).toContain('conflicting copy');
      for (const text of texts) expect(text).not.toContain('redelivered');
    }
  });

  test('a redelivery line says the same facts in both formats: the status and the event id', () => {
    const event = callComplete({ status: 'Not Complete' });
    if (event.type !== 'CallComplete') throw new Error('a call result');
    const view = redeliveryView(event);
    // Hint: a Record over every key, so that a new field of the view does not compile until it is checked here.
    const facts: Record<keyof RedeliveryView, string[]> = {
      status: [view.status],
      eventId: ['call result d07b9760 again'],
    };
    for (const format of ['pretty', 'markdown'] as const) {
      const text = renderRedelivery(event, wide, format);
      for (const [key, texts] of Object.entries(facts)) for (const fact of texts) expect(text, key).toContain(fact);
    }
    expect(renderRedelivery(event, wide, 'markdown')).toBe(
      '- **Not Complete** · _redelivered: call result d07b9760 again (same event id)_\n',
    );
  });

  test('every fact of a trace heading reaches both formats', () => {
    const entries = [
      callAttempted({ campaignId: '0a1b2c3d-2188-49fc-8fc0-87b57056f436', phone: '61400000001' }),
      callComplete(),
      sms('SMSSent'),
      sms('SMSSent'),
      sms('SMSReceived'),
    ].map((event, i) => ({ event: i < 2 ? event : { ...event, id: 'e1' }, duplicate: i === 3, conflict: i === 4 }));
    const view = traceHeaderView(correlationId, entries);
    const facts: Record<keyof TraceHeaderView, string[]> = {
      correlationId: [view.correlationId],
      events: ['3 events'],
      conflicts: ['3 events, 1 conflicting copy and 1 redelivery'],
      redeliveries: ['3 events, 1 conflicting copy and 1 redelivery'],
      from: [`from ${view.from!}`],
      to: [`to ${view.to!}`],
      campaignIds: ['campaign 0a1b2c3d, 5dd7681b'],
      phones: ['phone 61400000001, 61491573087'],
    };
    for (const format of ['pretty', 'markdown'] as const) {
      const text = renderTraceHeader(correlationId, entries, wide, format);
      for (const [key, texts] of Object.entries(facts)) for (const fact of texts) expect(text, key).toContain(fact);
    }
  });

  test('a trace heading of events within one shown second gives that second once, not "from X to X"', () => {
    // Compared as instants, 00.100 and 00.900 differed, and both printed as the same second (red team hT17).
    const entries = ['2022-09-01T00:00:00.100Z', '2022-09-01T00:00:00.900Z'].map((time) => ({
      event: callAttempted({ time }),
    }));
    expect(traceHeaderView(correlationId, entries)).toMatchObject({ from: '2022-09-01 00:00:00 UTC', to: undefined });
  });

  test('a trace heading names a campaign once, however its events write the UUID, as first written', () => {
    const events = [callAttempted({ campaignId: '5DD7681B-2188-49FC-8FC0-87B57056F436' }), callComplete()];
    const view = traceHeaderView(
      correlationId,
      events.map((event) => ({ event })),
    );
    // Hint: as written, as the call under it shows it, no longer lower-cased (red team hR95).
    expect(view.campaignIds).toEqual(['5DD7681B-2188-49FC-8FC0-87B57056F436']);
  });

  test('a trace heading names two campaigns that begin alike as far as tells them apart', () => {
    // `campaign 3f8e2c1a, 3f8e2c1a` named two campaigns alike (red team hR95).
    const entries = ['3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31', '3F8E2C1A-9B47-4D6E-8A15-c2b7e9f04d32'].map(
      (campaignId) => ({ event: callAttempted({ campaignId }) }),
    );
    for (const format of ['pretty', 'markdown'] as const) {
      expect(renderTraceHeader(correlationId, entries, wide, format)).toContain(
        'campaign 3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31, 3F8E2C1A-9B47-4D6E-8A15-c2b7e9f04d32',
      );
    }
    const near = ['5dd7681b-2188-49fc-8fc0-87b57056f436', '5dd7681b-21ff-49fc-8fc0-87b57056f436'];
    expect(
      renderTraceHeader(correlationId, [...near.map((campaignId) => ({ event: callAttempted({ campaignId }) }))], wide),
    ).toContain('campaign 5dd7681b-218, 5dd7681b-21f');
  });

  test('payload text in a Markdown trace heading is escaped as in the calls under it (a masked phone is not emphasis)', () => {
    const entries = [{ event: maskPayload(callComplete()) }];
    expect(renderTraceHeader(correlationId, entries, wide, 'markdown')).toContain('phone \\*\\*\\*\\*\\*\\*\\*\\*087');
    expect(renderEventMarkdown(entries[0]!.event, wide)).toContain('(\\*\\*\\*\\*\\*\\*\\*\\*087)');
    expect(renderTraceHeader(correlationId, entries, wide, 'pretty')).toContain('phone ********087');
  });

  test('a masked trace heading names each phone the call used, however alike they mask', () => {
    // It named one: the phones were deduplicated after masking, and 61491602274 and 61400000274 both read ********274.
    const entries = [
      callAttempted({ phone: '61491602274' }),
      callAttempted({ phone: '61400000274' }),
      callComplete(),
    ].map((event) => ({ event }));
    expect(traceHeaderView(correlationId, entries, true).phones).toEqual(['********274', '********274', '********087']);
    expect(traceHeaderView(correlationId, entries).phones).toEqual(['61491602274', '61400000274', '61491573087']);
    for (const format of ['pretty', 'markdown'] as const) {
      const text = renderTraceHeader(correlationId, entries, wide, format, true).replaceAll('\\', '');
      expect(text, format).toContain('phone ********274, ********274, ********087');
    }
  });

  test('a file heading names the file in both formats', () => {
    const facts: Record<keyof FileHeadingView, string> = { file: 'exports/monday.json' };
    expect(renderFileHeading(facts.file, wide, 'pretty')).toBe('==> exports/monday.json <==\n');
    expect(renderFileHeading(facts.file, wide, 'markdown')).toBe('## exports/monday.json\n\n');
  });

  test('a file heading keeps its arrows when the path is wider than the line, so files stay told apart', () => {
    // Hint: a path too long for the width was printed bare, and the arrows that mark it as a heading were lost.
    const file = `/tmp/exports/acme-customer-feedback-campaign/2022-09/outbound-followups/${'b'.repeat(30)}.json`;
    expect(renderFileHeading(file, plain, 'pretty')).toBe(`==> ${file} <==\n`);
    expect(renderFileHeading(file, { ...plain, width: 20 }, 'pretty')).toBe(`==> ${file} <==\n`);
  });

  test.each([
    ['CallAttempted', callAttempted()],
    ['CallReceived', callReceived()],
    ['SMS', sms()],
  ])('every part of a %s line reaches both pretty and Markdown', (_, event) => {
    if (event.type === 'CallComplete') throw new Error('a call is not a line');
    const view = eventLineView(event);
    const texts = [
      view.time,
      view.type,
      ...view.who.map((span) => span.text),
      ...view.what.map((span) => span.text),
      ...(view.message === undefined ? [] : [view.message]),
    ];
    for (const text of texts) {
      expect(renderEventPretty(event, wide)).toContain(text);
      expect(renderEventMarkdown(event, wide)).toContain(text);
    }
  });
});

describe('renderJsonElement', () => {
  test('elements join into a JSON array that parses back to the same values', () => {
    const values = [{ a: 1, text: 'x\u009by' }, [2, 3]];
    const text = `[\n${values.map((value, index) => renderJsonElement(value, index === 0)).join('')}\n]`;
    expect(text).not.toMatch(/\u009b/);
    expect(JSON.parse(text)).toEqual(values);
  });
});

describe('renderSkipWarning', () => {
  const at = { file: 'x\u001b[2J.ndjson', line: 2, column: 36, offset: 80, pointer: '/time' };
  test('names file:line:column and the JSON pointer, as validate does, escaped as a warning', () => {
    const message = renderSkipWarning({
      kind: 'invalid',
      element: { ...at, pointer: '', index: 1, batch: 1, text: '' },
      eventKind: undefined,
      value: undefined,
      problems: [{ ...at, severity: 'error', code: 'unterminated-string', message: 'unterminated string' }],
    });
    expect(warningLine(message?.message ?? '', 200)).toBe(
      'callhook: warning: x\\e[2J.ndjson:2:36: skipped an invalid event: unterminated string (/time)\n',
    );
    const root = renderSkipWarning({
      kind: 'problem',
      problem: { ...at, pointer: '', severity: 'error', code: 'unexpected-eof', message: 'unexpected end of file' },
    });
    expect(warningLine(root?.message ?? '', 200)).toBe(
      'callhook: warning: x\\e[2J.ndjson:2:36: unexpected end of file\n',
    );
  });
});

describe('Markdown of hostile payload text, read by a CommonMark parser', () => {
  // Hint: what matters is what a reader of the rendered page sees, so the test renders it.
  const markdown = new MarkdownIt({ html: true });
  const markup = [
    'first line',
    '- a bullet',
    '+ a plus bullet',
    '1. a numbered item',
    '7) another',
    '---',
    'a setext heading',
    '===',
    'a &lt;tag&gt; and &amp;',
    'a sum: 5 - 3 = 2 and then 10. Or 1) so',
  ].join('\n');
  const withText = (name: string, response: string, transcript: string) =>
    callComplete({ name, flow: [{ questionName: 'Q1', response, transcript }] });
  const hostileMarkup = withText('- Eve\n1. Mallory', '+ yes', markup);
  // The same call with words where the markup was: the page the renderer itself means.
  const benign = withText('Eve Mallory', 'yes', markup.replace(/[^\w\s]/g, 'x'));
  const tags = (html: string) => html.match(/<\/?[a-z0-9]+/g);

  test('a heading longer than the width stays one heading: a Markdown heading cannot span lines', () => {
    const name = 'Maria Fernanda de los Santos Rodriguez-Villanueva y Castellanos';
    const html = markdown.render(renderEventMarkdown(callComplete({ name }), plain));
    expect(html.split('\n')[0]).toBe(`<h3>Partial: ${name} (61491573087)</h3>`);
  });

  test('a question with blanks around it, or of blanks alone, is bold or plain, never shown with its asterisks', () => {
    const flow = [' Q1? ', '', '\u3000'].map((questionName) => ({ questionName, response: 'Other' }));
    const html = markdown.render(renderEventMarkdown(callComplete({ flow, lastStepName: '' }), plain));
    expect(html).toContain('<strong>Q1?</strong> → Other');
    expect(html).not.toContain('*');
  });

  test('an id in a code span reads as the payload wrote it: no escape shows, and a backtick does not end it', () => {
    // Hint: a backslash or an entity inside a code span is shown as written, so `a\_b` read `a\_b`
    // and `@x` read `@&#x200d;x`; and a backtick in the id ended the span early.
    const id = 'a_b*c`d@x #1 ::error::e';
    const shown = 'a_b*c`d@x #1 \\x3a:error\\x3a:e';
    const event = callComplete({ campaignId: id, correlationId: id }, { id });
    const html = markdown.render(renderEventMarkdown(event, plain));
    const codes = [...html.matchAll(/<code>(.*?)<\/code>/g)].map(([, text]) => text);
    expect(codes).toEqual([shown, shown, shown]);
    const heading = markdown.render(renderTraceHeader(id, [{ event }], plain, 'markdown'));
    expect([...heading.matchAll(/<code>(.*?)<\/code>/g)].map(([, text]) => text)).toEqual([shown]);
  });

  test('an id in a code span is never broken where its next line would begin a heading, a list or a quote', () => {
    // Hint: Markdown finds blocks before code spans, so a wrapped line of an id's code span that
    // began `# y` or `- y` was a heading or a list item, and the span's backticks were shown.
    for (const tail of [' # y', ' - y z', ' > y', ' 1. y', ' ```js', '    four blanks', ' === ---']) {
      const id = `${'x'.repeat(40)}${tail}`;
      for (const width of [80, 50, 24]) {
        const event = callComplete({ campaignId: id, correlationId: id }, { id });
        const html = markdown.render(renderEventMarkdown(event, { ...plain, width }));
        const codes = [...html.matchAll(/<code>(.*?)<\/code>/gs)].map(([, text]) => text);
        expect(codes, `${JSON.stringify(id)} at ${width}`).toEqual([id, id, id].map((t) => t.replace('>', '&gt;')));
        expect(tags(html)).toEqual(tags(markdown.render(renderEventMarkdown(callComplete(), { ...plain, width }))));
      }
    }
  });

  test('is never a list, a heading, a rule or an entity, wherever the lines are wrapped', () => {
    for (const width of [80, 24, 12]) {
      const html = markdown.render(renderEventMarkdown(hostileMarkup, { ...plain, width }));
      const meant = markdown.render(renderEventMarkdown(benign, { ...plain, width }));
      expect({ width, tags: tags(html) }).toEqual({ width, tags: tags(meant) });
      // Entities stay as the payload wrote them: `&lt;` is shown as `&lt;`, not as `<`.
      expect(html).toContain('&amp;lt;tag&amp;gt;');
    }
  });
});

describe('a time and its zone, a duration and its parts, at every width', () => {
  test('are never split across lines, in any format', () => {
    // `show --width 32` ended the meta line with `started 2022-09-05 00:02:07` and began the next with `UTC`.
    const call = callComplete({ startedTime: '2022-08-31T21:45:22.621Z' });
    const text = sms('SMSSent', { message: 'Your appointment is tomorrow at 9:15am, reply YES to confirm' });
    const entries = [{ event: call }, { event: text }];
    const split = /(\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|\b\d+[dhm])\n\P{L}*(\d{2}:\d{2}:\d{2}|UTC|\d+[hms]\b)/u;
    // Hint: 29 columns are the narrowest that hold a time, its zone and the ` ·` after it under the
    // meta line's indent of 4; narrower, the width wins.
    for (let width = 29; width <= 90; width++) {
      for (const colors of [plain.colors, coloured.colors]) {
        const ctx = { width, colors };
        const shown = [
          renderEventPretty(call, ctx),
          renderEventMarkdown(call, ctx),
          renderEventPretty(text, ctx),
          renderEventMarkdown(text, ctx),
          renderTraceHeader(correlationId, entries, ctx, 'pretty'),
          renderTraceHeader(correlationId, entries, ctx, 'markdown'),
        ].map((out) => out.replace(sgr, ''));
        expect(shown[0]).toContain('1m 36s');
        for (const out of shown) expect(out, `width ${width}`).not.toMatch(split);
      }
    }
  });
});

describe('Markdown lines break at blanks only', () => {
  test('so that a run of CJK or Thai, which a renderer would join with a space, stays whole', () => {
    // `show --format markdown` broke `お電話ありが⏎とう…` and Thai between two words, which
    // Markdown renders as a space or <br> where the payload had none (red team hR115).
    const japanese = 'お電話ありがとうございます。ご用件をお伺いします。少々お待ちください。';
    const thai = 'ขอบคุณครับผมจะโทรกลับไปหาคุณพรุ่งนี้ตอนเช้าครับ';
    const call = callComplete({
      name: '山田太郎山田太郎山田太郎',
      flow: [{ questionName: japanese, response: 'Other', transcript: `${japanese}${thai}` }],
    });
    const text = sms('SMSSent', { message: thai + japanese });
    for (let width = 30; width <= 90; width += 3) {
      const ctx = { width, colors: plain.colors };
      const shown = [
        renderEvent(call, ctx, 'markdown'),
        renderEvent(text, ctx, 'markdown'),
        renderTraceHeader(correlationId, [{ event: call }, { event: text }], ctx, 'markdown'),
      ].join('\n');
      for (const run of [japanese, thai, '山田太郎山田太郎山田太郎']) expect(shown, `width ${width}`).toContain(run);
    }
  });
});

describe('renderSkipWarning after a read that keeps one issue of each element', () => {
  test('names the same first error and counts the same rest as a read that keeps them all', async () => {
    // show, trace and summarise keep one issue of an element (an element of 300,000 bad flow
    // steps took seconds to list in full); what they print of it, and the calls they show, must not change.
    const call = JSON.parse(readFileSync('fixtures/valid/single-event-object.json', 'utf8'));
    const copy = (n: number, change: (data: Record<string, unknown>) => void) => {
      const event = structuredClone(call);
      event.id = `${n}${event.id.slice(1)}`;
      change(event.data);
      return event;
    };
    const text = JSON.stringify(
      [
        copy(1, (data) => Object.assign(data, { status: 'Escalated', phone: 5 })),
        copy(2, (data) => Object.assign(data, { status: 'Escalated' })),
        copy(3, (data) => Object.assign(data, { flow: Array(50).fill({}) })),
      ],
      null,
      2,
    );
    const read = async (maxIssues?: number) => {
      const lines: string[] = [];
      const calls: unknown[] = [];
      for await (const records of readRecords(['-'], { stdin: Readable.from([text]), maxIssues }))
        for (const record of records) {
          // As show's `eventRecords` does: a call whose one error is its status is shown, not skipped.
          if (record.kind === 'invalid' && record.call) calls.push(record.call.id);
          else {
            const line = renderSkipWarning(record)?.message;
            if (line) lines.push(line);
          }
        }
      return { lines, calls };
    };
    const whole = await read();
    expect(whole.lines).toHaveLength(2);
    expect(whole.lines[0]).toMatch(/\(and 1 more; see callhook validate\)$/);
    expect(whole.lines[1]).toMatch(/\(and 99 more; see callhook validate\)$/);
    expect(whole.calls).toEqual([`2${call.id.slice(1)}`]);
    expect(await read(1)).toEqual(whole);
  });
});
