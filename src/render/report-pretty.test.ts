import { Chalk } from 'chalk';
import { describe, expect, it, vi } from 'vitest';
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
const { renderReportPretty } = await import('./report-pretty.js');

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 2 });

const columns: Column[] = [
  { head: 'Phone', flex: true },
  { head: 'Events', align: 'right' },
  { head: 'CallComplete', short: 'Calls', align: 'right' },
  { head: 'Complete group', short: 'Compl. grp', align: 'right' },
];

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

describe('a cell cut to its column', () => {
  it('keeps whole characters as they are drawn (an emoji sequence, a flag) and fills the room left', () => {
    const texts = ['a'.repeat(100), '👨‍👩‍👧'.repeat(40), '🇦🇺'.repeat(40), '👍🏽'.repeat(40)];
    const model: ReportModel = {
      title: 'Summary',
      sections: [
        {
          title: 'Reasons',
          blocks: [
            {
              kind: 'table',
              columns: [
                { head: 'Reason', flex: true },
                { head: 'Calls', align: 'right' },
              ],
              rows: texts.map((text) => [{ text, untrusted: true }, '1']),
            },
          ],
        },
      ],
    };
    const lines = renderReportPretty(model, { colors: plain, width: 40 }).split('\n').slice(2, 6);
    const kept = lines.map((line) => line.trim().split('…')[0] as string);
    const room = (kept[0] as string).length;
    expect(kept.slice(1)).toEqual(texts.slice(1).map((text) => text.slice(0, text.length / 40).repeat(room / 2)));
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

  it('cuts the flex column as before when one-space gaps would not fit either', () => {
    const [, , row] = renderReportPretty(model(id), { colors: plain, width: 60 }).split('\n');
    expect(row).toContain('…');
    expect(row).toContain('Not Complete  No answer');
  });
});
