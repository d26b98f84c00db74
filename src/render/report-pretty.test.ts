import { Chalk } from 'chalk';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Cell, Column, ReportModel } from './report.js';

// Hint: the layout's unit of work is measuring a cell; counting those calls shows how the work
// grows with the rows without timing anything.
const measured = vi.hoisted(() => ({ cells: 0 }));
vi.mock('./terminal.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./terminal.js')>();
  return {
    ...original,
    displayWidth: (text: string) => {
      measured.cells++;
      return original.displayWidth(text);
    },
  };
});
// Hint: the workers share modules between files (isolate: false), so report-pretty.js may already
// be loaded with the real terminal.js; loading it afresh here gives it the mock.
vi.resetModules();
// Hint: the workers share modules between files (isolate: false): the mock, and what was loaded
// with it, go with this file, so the next file loads the real ones.
afterAll(() => {
  vi.doUnmock('./terminal.js');
  vi.resetModules();
});
const { renderReportPretty } = await import('./report-pretty.js');
const { escapeTerminal } = await import('./terminal.js');

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 2 });

const columns: Column[] = [
  { head: 'Phone', flex: true },
  { head: 'Events', align: 'right' },
  { head: 'CallComplete', short: 'Calls', align: 'right' },
  { head: 'Complete group', short: 'Compl. grp', align: 'right' },
];

/** A report of one section holding one table. */
const oneTable = (title: string, tableColumns: Column[], rows: Cell[][]): ReportModel => ({
  title: 'Summary',
  sections: [{ title, blocks: [{ kind: 'table', columns: tableColumns, rows }] }],
});

const phoneOf = (i: number) => `614${String(i).padStart(8, '0')}`;

/** A `--by phone --top 0` table of `count` distinct numbers, as summarise builds it. */
function byPhone(count: number): ReportModel {
  const rows: Cell[][] = [];
  for (let i = 0; i < count; i++) {
    rows.push([
      { text: phoneOf(i), untrusted: true },
      String((i % 7) + 1),
      String(i % 3),
      i % 5 ? `${i % 100}%` : null,
    ]);
  }
  return { title: 'Summary', sections: [{ title: 'By phone', blocks: [{ kind: 'table', columns, rows }] }] };
}

describe('pretty tables at scale', () => {
  it('renders a table of 200,000 rows with every row present and no internal error', () => {
    const rows = 200_000;
    const lines = renderReportPretty(byPhone(rows), { colors: plain, width: 80 }).trimEnd().split('\n');
    // The section title, the header, then one line per row in order.
    expect(lines.length).toBe(rows + 2);
    expect(lines[1]).toBe('  Phone        Events  Calls  Compl. grp');
    expect(lines[2]).toBe(`  ${phoneOf(0)}       1      0           -`);
    expect(lines.at(-1)).toBe(`  ${phoneOf(rows - 1)}       3      1         99%`);
    for (let i = 0; i < rows; i++) {
      if (!lines[i + 2]?.startsWith(`  ${phoneOf(i)} `)) throw new Error(`row ${i} missing: ${lines[i + 2]}`);
    }
  });

  it('measures each cell a bounded number of times: the work grows linearly with the rows', () => {
    const work = (rows: number) => {
      measured.cells = 0;
      renderReportPretty(byPhone(rows), { colors: colour, width: 40 });
      return measured.cells;
    };
    const base = work(0);
    const n = work(1_000) - base;
    const twice = work(2_000) - base;
    expect(twice).toBe(2 * n);
    // At least one measurement per row (the mock is in place), at most a few per cell (4 columns).
    expect(n).toBeGreaterThanOrEqual(1_000);
    expect(n).toBeLessThanOrEqual(1_000 * 4 * 3);
  });

  it('lays out N and 2N rows alike: the 2N table is the N table with N more lines', () => {
    const small = renderReportPretty(byPhone(500), { colors: colour, width: 40 }).split('\n');
    const large = renderReportPretty(byPhone(1_000), { colors: colour, width: 40 }).split('\n');
    expect(large.slice(0, small.length - 1)).toEqual(small.slice(0, -1));
    expect(large.length).toBe(small.length + 500);
  });
});

describe('a cell wider than its column', () => {
  /** A one-table report of `texts` in a flex column, each beside a count. */
  const reasons = (texts: string[]): ReportModel =>
    oneTable(
      'Reasons',
      [
        { head: 'Reason', flex: true },
        { head: 'Calls', align: 'right' },
      ],
      texts.map((text, i) => [{ text, untrusted: true }, String(i + 1)]),
    );
  /** Each row's lines of the flex column: a row starts on the line that ends in its count. */
  const flexLines = (rendered: string, rows: number): string[][] => {
    const out: string[][] = [];
    for (const line of rendered.trimEnd().split('\n').slice(2).map(stripAnsi)) {
      const [, text = '', count] = /^ {2}(.*?)(?: +(\d+))?$/u.exec(line) ?? [];
      if (count) out.push([text]);
      else out.at(-1)?.push(text);
    }
    expect(out).toHaveLength(rows);
    return out;
  };

  it('wraps at blanks and breaks a token wider than the column between whole characters, printing every one', () => {
    // Hint: the column was cut with `…`, so two texts alike in their first 30 columns read the same.
    const texts = [
      `${'a'.repeat(99)}1`,
      `${'a'.repeat(99)}2`,
      '👨‍👩‍👧'.repeat(40),
      '🇦🇺'.repeat(40),
      '👍🏽'.repeat(40),
      'The number dialled could not be reached because the carrier rejected it',
      'https://example.test/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?id=7',
    ];
    for (const colors of [plain, colour]) {
      const rendered = renderReportPretty(reasons(texts), { colors, width: 40 });
      expect(rendered).not.toContain('…');
      for (const line of rendered.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(40);
      const rows = flexLines(rendered, texts.length);
      // A token is broken with nothing lost; a sentence wraps at its blanks.
      rows.slice(0, -2).forEach((lines, i) => {
        expect(lines.join('')).toBe(texts[i]);
      });
      expect(rows.at(-2)?.join(' ')).toBe(texts.at(-2));
      expect(rows.at(-1)?.join('')).toBe(texts.at(-1));
      // The room is filled: every line but a row's last is as wide as the column (or a wide character short of it).
      const room = Math.max(...rows.flat().map((line) => stringWidth(line)));
      for (const lines of rows.slice(0, 5)) {
        for (const line of lines.slice(0, -1)) expect(stringWidth(line)).toBeGreaterThanOrEqual(room - 1);
      }
    }
  });

  it('keeps a time (and a duration) whole on one line, as show does', () => {
    // summarise's Time range at --width 40 left `UTC` alone on a line (review hR99).
    const range = '2022-08-31 21:46:51 UTC → 2022-09-06 08:43:27 UTC, over 5d 10h';
    for (const width of [40, 44, 52]) {
      const [lines = []] = flexLines(renderReportPretty(reasons([range]), { colors: plain, width }), 1);
      expect(lines.join(' ')).toBe(range);
      for (const whole of ['2022-08-31 21:46:51 UTC', '2022-09-06 08:43:27 UTC', '5d 10h']) {
        expect(lines.some((line) => line.includes(whole))).toBe(true);
      }
    }
  });

  it('breaks a time wider than its column at its blanks, not inside it', () => {
    // At --width 30 the range's cell was 16 columns: `2022-09-01 00:00` / `:00 UTC →`, the first
    // line reading as a whole time (red team hR103 F4).
    const range = '2022-09-01 00:00:00 UTC → 2022-09-02 00:00:00 UTC';
    const [lines = []] = flexLines(renderReportPretty(reasons([range]), { colors: plain, width: 30 }), 1);
    // Broken at blanks alone: the lines joined by one are the range (`U` / `TC` read `U TC`).
    expect(lines.join(' ')).toBe(range);
    expect(lines).toContain('2022-09-01 00:00:00');
  });

  it('keeps the count on the row’s first line', () => {
    const [, , first, second, third] = renderReportPretty(reasons([`${'a'.repeat(50)} b`]), {
      colors: plain,
      width: 40,
    }).split('\n');
    expect(first).toMatch(/^ {2}a{31} +1$/);
    // The rest of a broken word goes on as a line, which the next word may join.
    expect(second).toBe(`  ${'a'.repeat(19)} b`);
    expect(third).toBe('');
  });

  it('never breaks an escape shown for a character (`\\x07`, `\\u202e`, `\\u{e0041}`) across two lines', () => {
    const shown = /^(?:\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\u\{[0-9a-f]+\}|\\e|[a-z0-9])*$/;
    for (let lead = 0; lead < 12; lead++) {
      const texts = ['\u0007', '\u202e', '\u{e0041}', '\u001b', '\\x07'].map(
        (unit) => 'a'.repeat(lead) + unit.repeat(20),
      );
      for (const width of [30, 37, 40]) {
        for (const colors of [plain, colour]) {
          const rows = flexLines(renderReportPretty(reasons(texts), { colors, width }), texts.length);
          rows.forEach((lines, i) => {
            expect(lines.join('')).toBe(escapeTerminal(texts[i] as string));
            for (const line of lines) expect(line, `${lead} ${width}`).toMatch(shown);
          });
        }
      }
    }
  });
});

describe('a table a few columns too wide', () => {
  /** A one-table report: an id column (flex), a status and a reason side by side, then two numbers. */
  const model = (id: string): ReportModel => ({
    title: 'Summary',
    sections: [
      {
        title: 'Campaigns',
        blocks: [
          {
            kind: 'table',
            columns: [
              { head: 'Campaign', flex: true },
              { head: 'Status' },
              { head: 'Reason' },
              { head: 'Calls', align: 'right' },
              { head: 'Complete', align: 'right' },
            ],
            rows: [[{ text: id, untrusted: true }, 'Not Complete', 'No answer', '38', '52.6%']],
          },
        ],
      },
    ],
  });
  const id = 'c4a53914-5e80-4718-bb84-c953e039592a';

  it('closes the gaps beside numbers to one space rather than cut an id; two texts keep two', () => {
    // At 80 columns piped, every campaign's UUID was cut to `c4a53914-5e80-4718-bb84-c953e039…`.
    const [, head, row] = renderReportPretty(model(id), { colors: plain, width: 78 }).split('\n');
    expect(head).toBe('  Campaign                              Status        Reason    Calls Complete');
    expect(row).toBe(`  ${id}  Not Complete  No answer    38    52.6%`);
  });

  it('wraps the flex column when one-space gaps would not fit either, the rest of the row on its first line', () => {
    const [, , row, ...more] = renderReportPretty(model(id), { colors: plain, width: 60 }).trimEnd().split('\n');
    expect(row).not.toContain('…');
    expect(row).toContain('Not Complete  No answer');
    for (const line of more) expect(line).toMatch(/^ {2}\S+$/);
    expect(`${row?.slice(2).split(' ')[0]}${more.map((line) => line.trim()).join('')}`).toBe(id);
  });
});

describe('a grouped column', () => {
  const columns: Column[] = [
    { head: 'Status', grouped: true },
    { head: 'Reason', flex: true },
    { head: 'Calls', align: 'right' },
  ];
  const rows: Cell[][] = [
    ['Complete', { text: 'No further action', untrusted: true }, '81'],
    ['Complete', { text: 'Ticket raised', untrusted: true }, '16'],
    ['Partial', { text: 'Customer exited part way through', untrusted: true }, '39'],
  ];
  const model: ReportModel = {
    title: 'Summary',
    sections: [{ title: 'Reasons', blocks: [{ kind: 'table', columns, rows }] }],
  };

  it('shows its value where it changes in a table, and in every record when rows become records', () => {
    const table = renderReportPretty(model, { colors: plain, width: 80 }).split('\n');
    expect(table.filter((line) => line.includes('Complete '))).toHaveLength(1);
    // Too narrow for the table, each row is a record read on its own: `Ticket raised` had no status.
    const records = renderReportPretty(model, { colors: plain, width: 20 }).replace(/\n {4}/g, ' ');
    expect(records).toContain('Complete  Reason Ticket raised');
    expect(records).toContain('Complete  Reason No further action');
    expect(records).toContain('Partial  Reason Customer exited part way through');
  });
});

describe('records (a table too wide for the terminal)', () => {
  const columns: Column[] = [
    { head: 'Status', grouped: true },
    { head: 'Reason', flex: true },
    { head: 'Calls', align: 'right' },
    { head: '%', align: 'right' },
  ];
  const rows: Cell[][] = [
    [{ text: 'Complete', tone: 'good' }, { text: 'No further action', untrusted: true }, '6', '66.7'],
    [
      { text: 'Not Complete', tone: 'bad' },
      [
        { text: '客户', untrusted: true },
        { text: ' 没有接听电话的原因', tone: 'muted' },
      ],
      '4',
      '50.0',
    ],
    [{ text: 'Partial', tone: 'warn' }, { text: 'Customer exited part way through', untrusted: true }, '4', null],
  ];
  const model: ReportModel = {
    title: 'Summary',
    sections: [{ title: 'Reasons', blocks: [{ kind: 'table', columns, rows }] }],
  };

  it('are laid out alike with colour and without: colour codes take no columns', () => {
    // Hint: records wrapped already coloured cells as text, so a colour terminal broke the first
    // line of each record about ten columns early (`Complete  Reason No further` / `action · …`).
    for (let width = 20; width <= 37; width++) {
      const plainText = renderReportPretty(model, { colors: plain, width });
      expect(plainText, `width ${width}`).toContain('Complete  Reason');
      expect(stripAnsi(renderReportPretty(model, { colors: colour, width })), `width ${width}`).toBe(plainText);
    }
    expect(renderReportPretty(model, { colors: plain, width: 40 }).split('\n')[1]).toBe(
      '  Complete  Reason No further action ·',
    );
  });

  it('leave out a cell with nothing to show, and the `·` before it', () => {
    // A 0% share's bar is empty: its record ended `Failed  Calls 0 · % 0.0 ·` (red team hR95).
    const shares: ReportModel = {
      title: 'Summary',
      sections: [
        {
          title: 'Outcomes',
          blocks: [
            {
              kind: 'table',
              columns: [
                { head: 'Group' },
                { head: 'Calls', align: 'right' },
                { head: '%', align: 'right' },
                { head: '', bars: true },
              ],
              rows: [
                [{ text: 'Failed', tone: 'bad' }, '0', '0.0', { bar: 0, tone: 'bad' }],
                [{ text: 'Complete', tone: 'good' }, '12', '100.0', { bar: 100, tone: 'good' }],
              ],
            },
          ],
        },
      ],
    };
    for (const width of [20, 21, 30]) {
      const text = renderReportPretty(shares, { colors: plain, width });
      // Hint: a `·` may end a line inside a record (it binds to the word before); never a record.
      expect(text.replace(/\s+/g, ' '), `width ${width}`).toContain(
        'Failed Calls 0 · % 0.0 Complete Calls 12 · % 100.0 ·',
      );
    }
  });
});

describe('a right-to-left cell wrapped in its column', () => {
  it('closes its isolate at each line end and opens it again on the next, so the numbers beside it stay out of it', () => {
    // The cell's first line left the isolate open over the row's numbers, which a bidi terminal
    // then drew reversed with it (review hR117): only wrapSpans balanced a cut isolate.
    const note = 'מה שלומך היום? אני רוצה לדבר עם נציג בבקשה';
    const model = oneTable(
      'Notes',
      [
        { head: 'Note', flex: true },
        { head: 'Attempts', align: 'right' },
        { head: '%', align: 'right' },
      ],
      [[{ text: note, untrusted: true }, '2', '66.7']],
    );
    const lines = renderReportPretty(model, { colors: plain, width: 30 }).trimEnd().split('\n').slice(2);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const opens = line.split('\u2068').length - 1;
      expect({ line, closes: line.split('\u2069').length - 1 }).toEqual({ line, closes: opens });
      // Nothing after the isolate's close but blanks and callhook's own numbers.
      expect(line.slice(line.lastIndexOf('\u2069') + 1)).toMatch(/^[\s\d.]*$/);
    }
    expect(lines[0]).toMatch(/\u2069 +2 +66\.7$/);
  });
});
