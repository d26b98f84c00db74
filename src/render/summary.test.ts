import { Chalk } from 'chalk';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { type SummaryDimension, type SummaryOptions, type SummaryReport, summarise } from '../core/summary.js';
import { summaryDimensions } from '../core/summary-names.js';
import type { InputRecord } from '../input/types.js';
import type { CallCompleteData, WebhookEvent } from '../schema/events.js';
import { markdownCode, markdownMarkupEscaped, toSafeJson } from './escape.js';
import { type Cell, cellText, cellValue, forPeople, isBar, type Row, type TableBlock, tablesOf } from './report.js';
import { renderTableCsv } from './report-csv.js';
import {
  bytesText,
  csvField,
  markdownCell,
  renderSummaryCsvParts,
  renderSummaryMarkdown,
  renderSummaryPretty,
  summaryModel,
} from './summary.js';
import { renderSummaryJsonParts, rowsAPiece } from './summary-json.js';
import { escapeTerminal } from './terminal.js';

/** The summary as JSON, its pieces joined, as summarise writes them. */
const renderSummaryJson = (report: SummaryReport) => [...renderSummaryJsonParts(report)].join('');
/** The CSV table `by` names, its pieces joined, as summarise writes them. */
const renderSummaryCsv = (report: SummaryReport, by: SummaryDimension) =>
  [...renderSummaryCsvParts(report, by)].join('');

const campaign = '5dd7681b-2188-49fc-8fc0-87b57056f436';
const plain = new Chalk({ level: 0 });
const hostile = 'Voicemail \u001b]0;pwned\u0007 \u001b[2J, "quoted" | piped\nnext line';

function rec(event: WebhookEvent): InputRecord {
  return {
    kind: 'event',
    element: { file: 'x', line: 1, column: 1, offset: 0, pointer: '', index: 0, batch: 0, text: '' },
    event,
    value: {},
    problems: [],
    duplicate: false,
  };
}

function call(data: Partial<CallCompleteData>): InputRecord {
  const flow = data.flow ?? [{ questionName: 'Q1', response: 'Other' }];
  return rec({
    type: 'CallComplete',
    data: {
      sessionId: campaign,
      callResultId: campaign,
      name: 'N',
      phone: '61491573087',
      campaignId: campaign,
      lastStepName: flow.at(-1)?.questionName ?? null,
      startedTime: '2022-09-01T00:29:12.000Z',
      flow,
      requests: [],
      status: 'Complete',
      ...data,
    },
  });
}

/** A failed CallAttempted with this note (none when undefined). */
function attempt(note: string | undefined): InputRecord {
  return rec({
    type: 'CallAttempted',
    data: { time: '2022-09-01T00:00:00.000Z', phone: '61491570001', status: 'failed', note, campaignId: campaign },
  });
}

function sample(options: SummaryOptions = {}): SummaryReport {
  const longQuestion = 'Would you like to hear about every one of our very many long-winded product offers today?';
  return summarise(
    [
      call({ status: 'Complete', additionalInformation: 'No further action', requests: ['humanSupportRequest'] }),
      call({
        status: 'Partial',
        additionalInformation: hostile,
        flow: [{ questionName: longQuestion, response: 'x' }],
      }),
      call({ status: 'Not Complete', flow: [], lastStepName: null, additionalInformation: 'Voicemail' }),
      rec({
        type: 'CallAttempted',
        data: {
          time: '2022-09-01T00:00:00.000Z',
          phone: '61491570001',
          status: 'failed',
          note: 'invalid phone',
          campaignId: campaign,
        },
      }),
      rec({
        type: 'SMS',
        data: {
          time: '2022-09-01T00:00:00.000Z',
          from: '61491570001',
          to: '61491570002',
          message: 'x',
          campaignId: campaign,
        },
      }),
    ],
    options,
  );
}

describe('csvField', () => {
  it('quotes only fields with a comma, a quote or a line break, doubling quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(33.3)).toBe('33.3');
    expect(csvField(null)).toBe('');
  });
  it('writes no record, nor line of a quoted field, that a GitHub Actions runner reads as a command', () => {
    expect(csvField('::error::x\n  ::add-mask::y ##[error]z', true)).toBe(
      '"\\u003a:error\\u003a:x\n  \\u003a:add-mask\\u003a:y \\u0023#[error]z"',
    );
  });
});

describe('renderSummaryCsv', () => {
  it('writes the by-status table by default, header first, every record ending in CRLF', () => {
    const text = renderSummaryCsv(sample(), 'status');
    expect(text).toBe(
      'status,group,count,percent\r\nComplete,Complete,1,33.4\r\nPartial,Complete,1,33.3\r\nNot Complete,Failed,1,33.3\r\nOther,Other,0,0.0\r\n',
    );
  });

  it('writes the --by table with the dimension as its first column', () => {
    const lines = renderSummaryCsv(sample({ by: 'campaign' }), 'campaign').split('\r\n');
    expect(lines[0]).toMatch(
      /^campaignId,events,callComplete,complete,partial,notComplete,other,completeGroupPercent,/,
    );
    // The bare SMS is from the attempt's number, a customer's: received, as the report counts it.
    expect(lines[1]).toBe(`${campaign},5,3,1,1,1,0,66.7,1,1,0,0,1,0`);
    expect(sample().byType).toMatchObject({ SMSReceived: 1, SMS: 0 });
    expect(lines).toHaveLength(3);
  });
});

describe('the --by table in pieces (--top 0 over many keys)', () => {
  // Keys as payloads write them: control and escape codes, right-to-left text, marks after a quote,
  // a workflow command, CSV's quotes, commas, line breaks and formula starts, and the text that
  // stands for the rows while the rest of the report is written.
  const hostileKeys = [
    hostile,
    'שלום "עולם"',
    '"\u0301\u0302 marks',
    '::error::x',
    '=1+1, "a"\r\nb',
    '\u0001rows',
    '"\\u0001rows"',
  ];
  const report = summarise(
    Array.from({ length: 2 * rowsAPiece + 37 }, (_, i) =>
      call({
        campaignId: hostileKeys[i] ?? `${hostileKeys[i % hostileKeys.length]}-${i}`,
        status: i % 3 ? 'Complete' : 'Partial',
      }),
    ),
    { by: 'campaign', top: 0 },
  );

  it('writes, piece by piece, exactly the JSON the whole report is', () => {
    const pieces = [...renderSummaryJsonParts(report)];
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(`${toSafeJson(report)}\n`);
    expect(JSON.parse(pieces.join('')).groups.rows).toHaveLength(2 * rowsAPiece + 37);
  });

  it('writes, piece by piece, exactly the CSV of the whole table, its header once', () => {
    const table = tablesOf(summaryModel(report).sections.flatMap((section) => section.blocks)).find(
      (block) => block.key === 'campaign',
    );
    const pieces = [...renderSummaryCsvParts(report, 'campaign')];
    expect(pieces.length).toBe(3);
    expect(pieces.join('')).toBe(renderTableCsv(table as TableBlock));
  });
});

describe('markdownCell', () => {
  it('escapes table pipes and markup, and shows control characters instead of sending them', () => {
    expect(markdownCell('a | b')).toBe('a \\| b');
    expect(markdownCell('*bold* _it_ [link](x) <b>')).toBe('\\*bold\\* \\_it\\_ \\[link\\](x) \\<b\\>');
    expect(markdownCell('bell\u0007 esc\u001b[2J\nline')).toBe('bell\\\\x07 esc\\\\e\\[2J\\\\nline');
  });
  it('escapes dollar signs, so that payload text is never typeset as math (GitHub, GitLab and pandoc read $...$)', () => {
    expect(markdownCell('$\\Huge{FAKE}$ and $$x$$')).toBe('\\$\\\\Huge{FAKE}\\$ and \\$\\$x\\$\\$');
  });
});

describe('renderSummaryMarkdown', () => {
  it('keeps hostile payload text inside its table cell', () => {
    const text = renderSummaryMarkdown(sample());
    const reasonLine = text.split('\n').find((line) => line.includes('Voicemail \\\\e'));
    expect(reasonLine).toBeDefined();
    // Four columns: five unescaped pipes.
    expect(reasonLine!.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('escapes Markdown the way show and trace do: strike-through and headings too', () => {
    const report = summarise([call({ additionalInformation: '~~struck~~ #1' })]);
    expect(renderSummaryMarkdown(report)).toContain('| Complete | \\~\\~struck\\~\\~ \\#&#x200d;1 | 1 | 100.0 |');
  });
});

describe('renderSummaryJson', () => {
  it('prints the report itself, so the documented shape is what comes out', () => {
    const report = sample();
    expect(JSON.parse(renderSummaryJson(report))).toEqual(report);
  });
});

describe('renderSummaryPretty', () => {
  it('escapes control characters and escape sequences from payload text', () => {
    const text = renderSummaryPretty(sample(), { colors: plain, width: 80 });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('Voicemail \\e]0;pwned\\x07');
  });

  it.each([80, 100, 160])('fits %i columns, coloured or not', (width) => {
    for (const level of [0, 2] as const) {
      const text = renderSummaryPretty(sample({ by: 'campaign' }), { colors: new Chalk({ level }), width });
      for (const line of text.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
    }
  });

  it('shows status percentages that add up to 100.0', () => {
    const text = renderSummaryPretty(sample(), { colors: plain, width: 80 });
    const rows = ['Complete', 'Partial', 'Not Complete'].map((status) => {
      const match = text.match(new RegExp(`^  ${status} +\\d+ +(\\d+\\.\\d)`, 'm'));
      return Number(match![1]);
    });
    expect(rows).toEqual([33.4, 33.3, 33.3]);
  });

  it('shows an Other row only when an undocumented status was seen', () => {
    expect(renderSummaryPretty(sample(), { colors: plain, width: 80 })).not.toMatch(/^ {2}Other /m);
    const report = sample();
    report.callComplete.byStatus.Other = { count: 1, percent: 25 };
    report.callComplete.byGroup.Other = { count: 1, percent: 25 };
    expect(renderSummaryPretty(report, { colors: plain, width: 80 })).toMatch(/^ {2}Other +1 +25\.0/m);
  });

  it('folds the rows --top leaves out of a --by table into one row', () => {
    const report = summarise(
      ['61491570001', '61491570002', '61491570003'].map((to) =>
        rec({
          type: 'SMSSent',
          data: { time: '2022-09-01T00:00:00.000Z', from: '61491570009', to, message: 'x', campaignId: campaign },
        }),
      ),
      { by: 'phone', top: 1 },
    );
    expect(renderSummaryPretty(report, { colors: plain, width: 80 })).toMatch(/^ {2}\(2 more\) +2$/m);
    expect(renderSummaryMarkdown(report)).toContain('| *(2 more)* | 2 |');
  });

  it('names a reason, question, request or note that is empty text, and shows one of blanks escaped, rather than leave its row blank', () => {
    const blank = [{ questionName: ' ', response: 'Other' }];
    const report = summarise([
      call({ status: 'Partial', additionalInformation: '', flow: blank, requests: ['\u3000'] }),
      attempt(''),
      attempt(undefined),
    ]);
    const text = renderSummaryPretty(report, { colors: plain, width: 80 });
    expect(text).toMatch(/^ {2}Partial +\(empty\) +1 +100\.0$/m);
    expect(text).toMatch(/^ {4}\\x20 +1 +100\.0 +1$/m);
    expect(text).toMatch(/^ {2}\\u3000 +1$/m);
    expect(text).toMatch(/^ {2}\(empty\) +1 +50\.0$/m);
    expect(text).toMatch(/^ {2}\(no note\) +1 +50\.0$/m);
    expect(renderSummaryMarkdown(report)).toContain('| *(empty)* | 1 | 50.0 |');
  });

  it('tells apart texts of blanks alone: only the empty text is (empty), one of blanks shows them escaped', () => {
    // Hint: '', ' ', '  ' and U+3000 differ only in blanks at their ends, so they read apart as
    // 'Voicemail' and 'Voicemail ' do; four rows of (empty) seemed to count one reason four times.
    const report = summarise(
      ['', ' ', '  ', '\u3000'].map((reason) => call({ status: 'Partial', additionalInformation: reason })),
    );
    const pretty = renderSummaryPretty(report, { colors: plain, width: 100 });
    const rows = pretty.split('\n').flatMap((line) => /^ {2}(?:Partial)? +(\S+) +1 +25\.0$/.exec(line)?.[1] ?? []);
    expect(rows.sort()).toEqual(['(empty)', '\\u3000', '\\x20', '\\x20\\x20']);
    const markdown = renderSummaryMarkdown(report);
    for (const cell of ['*(empty)*', '\\\\x20', '\\\\x20\\\\x20', '\\\\u3000']) {
      expect(markdown).toContain(`| Partial | ${cell} | 1 | 25.0 |`);
    }
  });

  it('shows a reason holding a long run of blanks before its last character, in time', () => {
    // Hint: the ends were cut with /^(\p{Zs}*)(.*?)(\p{Zs}*)$/, whose lazy middle tried the rest
    // of the run at each blank: this one took about 85 s to render (blankEnds' test counts the reads).
    const reason = `Voicemail${' '.repeat(100_000)}\t${'\u3000'.repeat(100_000)}.`;
    const markdown = renderSummaryMarkdown(summarise([call({ status: 'Partial', additionalInformation: reason })]));
    const shown = `Voicemail ${'\\\\x20'.repeat(99_999)}\\\\t${'\\\\u3000'.repeat(100_000)}\\.`;
    // Hint: not toContain, whose message on a miss diffs a megabyte.
    expect(markdown.includes(`| Partial | ${shown} | 1 | 100.0 |`)).toBe(true);
  });

  it('tells apart a text from one that holds, as written, the escape it is shown with', () => {
    // 'Voicemail ' is shown 'Voicemail\x20': a reason written 'Voicemail\x20' read the same.
    const pairs = [
      ['Voicemail ', 'Voicemail\\x20'],
      ['(none)', '\\x28none)'],
      ['Cafe\u0301', 'Cafe\\u0301'],
      ['a\u001b[2J', 'a\\e[2J'],
    ];
    for (const pair of pairs) {
      const report = summarise(pair.map((reason) => call({ status: 'Partial', additionalInformation: reason })));
      const pretty = renderSummaryPretty(report, { colors: plain, width: 100 });
      const markdown = renderSummaryMarkdown(report);
      const rows = (text: string, pattern: RegExp) => text.split('\n').flatMap((line) => pattern.exec(line)?.[1] ?? []);
      expect(new Set(rows(pretty, /^ {2}(?:Partial)? +(\S.*?) +1 +50\.0$/)).size, pair.join(' | ')).toBe(2);
      expect(new Set(rows(markdown, /^\| Partial \| (.*) \| 1 \| 50\.0 \|$/)).size, pair.join(' | ')).toBe(2);
    }
  });

  it('tells apart rows whose text differs only in blanks at its ends or in Unicode normalisation', () => {
    const nfc = 'Caf\u00e9';
    const nfd = 'Cafe\u0301';
    const report = summarise(
      ['Voicemail', 'Voicemail ', ' Voicemail', 'Voicemail\u00a0', nfc, nfd].map((reason) =>
        call({ status: 'Partial', additionalInformation: reason }),
      ),
    );
    const reasonsOf = (text: string, pattern: RegExp) =>
      text.split('\n').flatMap((line) => {
        const match = pattern.exec(line);
        return match ? [match[1]!] : [];
      });
    const pretty = reasonsOf(
      renderSummaryPretty(report, { colors: plain, width: 100 }),
      /^ {2}(?:Partial)? +(\S.*?) +1 +16\.\d$/,
    );
    const markdown = reasonsOf(renderSummaryMarkdown(report), /^\| Partial \| (.*) \| 1 \| 16\.\d \|$/);
    // Six rows, as the data has six values, and no two that read the same.
    for (const shown of [pretty, markdown]) {
      expect(shown).toHaveLength(6);
      expect(new Set(shown).size).toBe(6);
    }
    expect(pretty).toEqual(
      expect.arrayContaining(['Voicemail', 'Voicemail\\x20', '\\x20Voicemail', 'Voicemail\\xa0', nfc, 'Cafe\\u0301']),
    );
    // Programs read the values themselves: the keys of a --by table in CSV (campaign ids here, which
    // a valid event holds as UUIDs; the model takes any text), and every cell's value.
    const campaigns = ['c', 'c ', ' c', nfc.toLowerCase(), nfd.toLowerCase()];
    const byCampaign = summarise(
      campaigns.map((campaignId) => call({ campaignId })),
      { by: 'campaign' },
    );
    const csvKeys = renderSummaryCsv(byCampaign, 'campaign')
      .split('\r\n')
      .slice(1, -1)
      .map((record) => record.split(',')[0]);
    expect(csvKeys.sort()).toEqual(campaigns.sort());
    const reasons = tablesOf(summaryModel(report).sections.flatMap((s) => s.blocks)).find(
      (t) => t.source === '/callComplete/byReason',
    )!;
    expect(reasons.rows.map((row) => cellValue(row[1]))).toEqual(
      expect.arrayContaining(['Voicemail ', ' Voicemail', 'Voicemail\u00a0', nfd]),
    );
  });

  /** The reasons of the Partial rows as shown: in pretty text without colour, and in Markdown's cells. */
  function partialReasons(report: SummaryReport): { pretty: string[]; markdown: string[] } {
    // Hint: any percent: shares are rounded to add up to 100, so one of seven rows is 14.2.
    const percent = '\\d+\\.\\d';
    const pick = (text: string, pattern: RegExp) => text.split('\n').flatMap((line) => pattern.exec(line)?.[1] ?? []);
    return {
      pretty: pick(
        renderSummaryPretty(report, { colors: plain, width: 100 }),
        new RegExp(`^ {2}(?:Partial)? +(\\S.*?) +1 +${percent}$`),
      ),
      markdown: pick(renderSummaryMarkdown(report), new RegExp(`^\\| Partial \\| (.*) \\| 1 \\| ${percent} \\|$`)),
    };
  }

  it('shows a reason or a note that reads as one of its own notes apart from that note', () => {
    // Hint: `(none)` is what summarise writes for a call without additionalInformation; a call
    // whose reason was the text `(none)` read exactly the same without colour, as one reason.
    const reasons = ['(none)', undefined, '(empty)', '', '(no note)', '(3 more reasons)', '(2 more)'];
    const report = summarise(
      reasons.map((additionalInformation) => call({ status: 'Partial', additionalInformation })),
    );
    const { pretty, markdown } = partialReasons(report);
    for (const shown of [pretty, markdown]) {
      expect(shown).toHaveLength(reasons.length);
      expect(new Set(shown).size).toBe(reasons.length);
    }
    // Our own notes stay as they are; the payload's texts read apart from them.
    expect(pretty).toEqual(expect.arrayContaining(['(none)', '(empty)']));
    expect(markdown).toEqual(expect.arrayContaining(['*(none)*', '*(empty)*']));
    const notes = renderSummaryPretty(summarise([attempt('(no note)'), attempt(undefined)]), {
      colors: plain,
      width: 80,
    })
      .split('\n')
      .flatMap((line) => /^ {2}(\S.*?) +1 +50\.0$/.exec(line)?.[1] ?? []);
    expect(notes).toHaveLength(2);
    expect(new Set(notes).size).toBe(2);
  });

  it('tells apart texts that differ only in the blanks inside them: two spaces, a no-break space, a wide one', () => {
    const reasons = ['a b', 'a  b', 'a\u00a0b', 'a \u00a0b', 'a\u3000b', 'a\u2009b', 'a   b'];
    const report = summarise(
      reasons.map((additionalInformation) => call({ status: 'Partial', additionalInformation })),
    );
    const { pretty, markdown } = partialReasons(report);
    // Hint: as a reader sees them: a browser draws a run of blanks as one, and a no-break space as a space.
    const seen = (text: string) => text.replace(/\p{Zs}+/gu, ' ');
    for (const shown of [pretty, markdown]) {
      expect(shown).toHaveLength(reasons.length);
      expect(new Set(shown.map(seen)).size).toBe(reasons.length);
    }
    expect(pretty).toContain('a b');
  });

  it('an empty id in a code span reads as the empty text reads in a table, not as two backticks', () => {
    const { markdown } = partialReasons(summarise([call({ status: 'Partial', additionalInformation: '' })]));
    expect(markdownCode('')).toBe(markdown[0]);
  });

  it('prints long reasons, questions, notes, requests and campaign ids whole at 80 columns, wrapped, so that two read apart', () => {
    // Hint: each was cut with `…` to what fitted, and two that shared their first 60 columns read the same.
    const long = 'Customer asked for a callback next week regarding the outstanding invoice number';
    const question = 'How satisfied were you with your recent service appointment number';
    const note = 'The number dialled could not be reached because the carrier rejected the call with code';
    const url = `https://example.test/tickets/${'a'.repeat(80)}`;
    const ids = ['c9b2e4a7-5d18-4f3c-9e6b-1a7d3c8f2b00', 'c9b2e4a7-5d18-4f3c-9e6b-1a7d3c8f2b01'];
    const records = [1, 2].flatMap((i) => [
      call({
        status: 'Partial',
        campaignId: ids[i - 1],
        additionalInformation: `${long} ${i}`,
        flow: [{ questionName: `${question} ${i}`, response: 'Other' }],
        requests: [`humanSupportRequestWithAVeryLongCamelCaseNameThatKeepsGoingAndGoingAndGoing${i}`],
      }),
      call({ status: 'Partial', campaignId: ids[i - 1], additionalInformation: `${url}${i}` }),
      attempt(`${note} ${i}`),
    ]);
    const report = summarise(records, { by: 'campaign' });
    report.callComplete.byStatus.Other = { count: 1, percent: 10 };
    for (const colors of [plain, new Chalk({ level: 2 })]) {
      const text = renderSummaryPretty(report, { colors, width: 80 });
      const lines = text.split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
      expect(text).not.toContain('…');
      for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
      // What each row's text ends with is on a line of its own, under the row's first.
      for (const i of [1, 2]) {
        for (const end of ['invoice number', 'appointment number', 'with code']) {
          expect(lines.some((line) => line.trim().endsWith(`${end} ${i}`))).toBe(true);
        }
        // A token wider than its column is broken: its lines, joined (the counts beside them left out), are the whole of it.
        const joined = lines.map((line) => line.trim().replace(/(?:\s+[\d.,%-]+)+$/, '')).join('');
        expect(joined).toContain(`GoingAndGoingAndGoing${i}`);
        expect(joined).toContain(`${'a'.repeat(80)}${i}`);
        // Both the Campaigns table (it has an Other column) and the --by campaign table print the whole id.
        expect(joined.split(ids[i - 1] as string).length - 1).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('says so when there is nothing to summarise', () => {
    const text = renderSummaryPretty(summarise([]), { colors: plain, width: 80 });
    expect(text).toMatch(/Events +0 from 0 files/);
    expect(text).not.toContain('Outcomes');
  });
});

describe('summaryModel', () => {
  /** A report with something in every section: several campaigns, phones and reasons, cut by --top, an Other status. */
  function everySection(options: SummaryOptions = { by: 'phone', top: 1 }): SummaryReport {
    const phones = ['61491570001', '61491570002', '61491570003'];
    const records = [
      ...phones.flatMap((phone, i) => [
        call({ phone, campaignId: `campaign-${i}`, additionalInformation: `${hostile} ${i}`, requests: [`r${i}`] }),
        call({ phone, campaignId: `campaign-${i}`, status: 'Partial', additionalInformation: `partial ${i}` }),
        call({ phone, campaignId: `campaign-${i}`, status: 'Not Complete', flow: [], lastStepName: null }),
      ]),
      call({}),
      rec({
        type: 'CallAttempted',
        data: { time: '2022-09-01T00:00:00.000Z', phone: phones[0]!, status: 'failed', note: 'busy', campaignId: 'c' },
      }),
      rec({
        type: 'CallReceived',
        data: { time: '2022-09-01T00:00:00.000Z', phone: phones[1]!, type: 'inbound', campaignId: 'c' },
      }),
    ];
    const report = summarise(records, options);
    report.callComplete.byStatus.Other = { count: 1, percent: 10 };
    report.callComplete.byGroup.Other = { count: 1, percent: 10 };
    return report;
  }

  const cells = (rows: Cell[][]) => rows.flatMap((row) => row.filter((cell) => !isBar(cell) && cellText(cell) !== ''));
  const untrustedCell = (cell: Cell) =>
    typeof cell === 'object' && cell !== null && !Array.isArray(cell) && 'text' in cell && cell.untrusted === true;
  // A cell's text as each format shows it: payload text under the one policy, unless the model shows it already.
  const escapedCell = (cell: Cell) => untrustedCell(cell) && (cell as { escaped?: boolean }).escaped === true;

  it('puts every section, column, cell and line of the model into both pretty and Markdown', () => {
    const report = everySection();
    const model = forPeople(summaryModel(report));
    // Wide enough that no flex column is cut short.
    const pretty = renderSummaryPretty(report, { colors: plain, width: 1000 });
    const markdown = renderSummaryMarkdown(report);
    expect(model.sections.map((section) => section.title)).toEqual([
      'Overview',
      'Outcomes',
      'Reasons',
      'Campaigns',
      'Drop-off funnel',
      'Requests',
      'Attempts and contacts',
      'By phone',
    ]);
    for (const section of model.sections) {
      expect(pretty).toMatch(new RegExp(`^${section.title}`, 'm'));
      expect(markdown).toContain(`\n## ${section.title}${section.detail ? ` ${section.detail}` : ''}\n`);
      for (const table of tablesOf(section.blocks)) {
        for (const column of table.columns) {
          if (table.head === false || column.head === '') continue;
          expect(pretty, section.title).toContain(column.short ?? column.head);
          expect(markdown, section.title).toContain(`| ${column.head} |`);
        }
        for (const cell of cells(table.rows)) {
          const text = cellText(cell);
          const [terminal, md] = escapedCell(cell)
            ? [text, markdownMarkupEscaped(text)]
            : untrustedCell(cell)
              ? [escapeTerminal(text), markdownCell(text)]
              : [text, text];
          expect(pretty, section.title).toContain(terminal);
          expect(markdown, section.title).toContain(md);
        }
      }
      const lines = (blocks: typeof section.blocks): string[] =>
        blocks.flatMap((block) =>
          block.kind === 'group' ? [block.detail, ...lines(block.blocks)] : block.kind === 'table' ? [] : [block.text],
        );
      for (const text of lines(section.blocks)) {
        expect(pretty).toContain(text);
        expect(markdown.toLowerCase()).toContain(text.toLowerCase());
      }
    }
  });

  const allTables = (report: SummaryReport): TableBlock[] =>
    tablesOf(summaryModel(report).sections.flatMap((section) => section.blocks));
  const notForPeopleOnly = (part: { only?: 'people' | 'programs' | undefined }) => part.only !== 'people';

  it('puts every column and row of the table --by names into CSV, by machine name and raw value', () => {
    // With an Other status and without (then its row and column are for programs only); --top 1 folds rows for people.
    const reports = summaryDimensions.flatMap((by) => {
      const options: SummaryOptions = { by: by === 'status' ? 'phone' : by, top: 1 };
      return [everySection(options), sample(options)].map((report) => ({ by, report }));
    });
    for (const { by, report: withBy } of reports) {
      const keyed = allTables(withBy).filter((table) => table.key === by);
      expect(keyed, by).toHaveLength(1);
      const table = keyed[0] as TableBlock;
      const columns = table.columns.filter((column) => !column.bars && notForPeopleOnly(column));
      // A column without a machine name would be missing from CSV.
      for (const column of columns) expect(column.key, `${by}: ${column.head}`).toBeDefined();
      const rows = table.rows.filter(notForPeopleOnly);
      expect(rows.length, by).toBeGreaterThan(0);
      const records = renderSummaryCsv(withBy, by).split('\r\n');
      expect(records.pop()).toBe('');
      expect(records[0]?.split(','), by).toEqual(columns.map((column) => column.key));
      expect(records.slice(1), by).toEqual(
        rows.map((row: Row) =>
          columns
            .map((column) => {
              const value = cellValue(row[table.columns.indexOf(column)]);
              return csvField(typeof value === 'number' && column.decimals ? value.toFixed(column.decimals) : value);
            })
            .join(','),
        ),
      );
      // Raw values: no thousands separators, no % signs.
      expect(records.join('\n')).not.toMatch(/\d,\d{3}\b|%/);
    }
  });

  it('shows people counts grouped as en-US groups them, and programs the raw number', () => {
    const grouped = new Intl.NumberFormat('en-US');
    for (const value of [0, 999, 1000, 65_536, 1_234_567, 9_007_199_254_740_991]) {
      const report = sample();
      report.byType.CallAttempted = value;
      const [, types] = tablesOf(summaryModel(report).sections[0]?.blocks ?? []);
      const cell = types?.rows.find((row) => row[0] === 'CallAttempted')?.[1];
      expect(cellText(cell)).toBe(grouped.format(value));
      expect(cellValue(cell)).toBe(value);
    }
  });

  it('says for every table where the JSON report holds it, and every value it shows is there', () => {
    const report = everySection();
    const json = JSON.parse(renderSummaryJson(report)) as unknown;
    const tables = allTables(report);
    expect(tables.length).toBeGreaterThan(8);
    for (const table of tables) {
      expect(table.source, table.columns[0]?.head).toBeDefined();
      let at: unknown = json;
      for (const segment of (table.source ?? '').split('/').slice(1)) {
        at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[segment] : undefined;
      }
      expect(at, table.source).toBeDefined();
      const leaves = new Set<unknown>();
      const collect = (value: unknown): void => {
        if (typeof value === 'object' && value !== null) for (const inner of Object.values(value)) collect(inner);
        else leaves.add(value);
      };
      collect(at);
      let checked = 0;
      for (const row of table.rows) {
        for (const cell of row) {
          if (typeof cell !== 'object' || cell === null || Array.isArray(cell) || !('text' in cell)) continue;
          const value = cell.untrusted ? (cell.value ?? cell.text) : cell.value;
          if (value === undefined || value === null) continue;
          expect(leaves, `${table.source}: ${cell.text}`).toContain(value);
          checked++;
        }
      }
      if (table.source !== '') expect(checked, table.source).toBeGreaterThan(0);
    }
    // The overview's sentences carry no raw values; their numbers are the report's all the same.
    const { events, files } = json as SummaryReport;
    expect(cellText(tables[0]?.rows[0]?.[1])).toContain(`${events} from ${files}`);
  });
});

describe('bytesText', () => {
  it('chooses the unit after rounding: 1,048,525 bytes is 1.0 MiB, not 1024.0 KiB (helper-191)', () => {
    // In binary units, as every size option reads them (`--max-body 5mb` is 5 MiB): a summary's
    // `5.2 MB` was 5,200,000 bytes, under the 5mb a --max-body of it would allow (red team hR96).
    const cases: Array<[number, string]> = [
      [1023, '1023 B'],
      [1024, '1.0 KiB'],
      [1075, '1.0 KiB'],
      [1_048_524, '1023.9 KiB'],
      [1_048_525, '1.0 MiB'],
      [5 * 2 ** 20, '5.0 MiB'],
      [116_000_000, '110.6 MiB'],
      [2 ** 40 * 1023.96, '1024.0 TiB'],
    ];
    for (const [value, text] of cases) expect(bytesText(value), String(value)).toBe(text);
  });
});
