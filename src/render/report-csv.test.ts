import { describe, expect, it } from 'vitest';
import type { TableBlock } from './report.js';
import { renderTableCsv } from './report-csv.js';

describe('renderTableCsv', () => {
  it('writes payload text a spreadsheet would run as a formula as text: quoted, after a single quote (CWE-1236)', () => {
    const formulas = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\r=1+1'];
    const table: TableBlock = {
      kind: 'table',
      columns: [
        { head: 'Reason', key: 'reason' },
        { head: 'Calls', key: 'calls' },
        { head: 'Note', key: 'note' },
      ],
      rows: [
        ...formulas.map((text) => [{ text, untrusted: true }, { text: '-1', value: -1 }, '-']),
        // Spans in a row: what the cell starts with is what a spreadsheet reads.
        [[{ text: '=1+1', untrusted: true }, { text: ' (x)' }], { text: '2', value: 2 }, '=ours'],
      ],
    };
    expect(renderTableCsv(table).split('\r\n')).toEqual([
      'reason,calls,note',
      `"'=HYPERLINK(""http://x"",""y"")",-1,-`,
      `"'+1+1",-1,-`,
      `"'-2+3",-1,-`,
      `"'@SUM(A1)",-1,-`,
      // A tab is written as \u0009 (the escape policy), so it no longer starts the cell.
      '\\u0009x,-1,-',
      `"'\r=1+1",-1,-`,
      `"'=1+1 (x)",2,=ours`,
      '',
    ]);
  });

  it('leaves payload text that starts otherwise as it was', () => {
    const table: TableBlock = {
      kind: 'table',
      columns: [{ head: 'Reason', key: 'reason' }],
      rows: [
        [{ text: 'No answer', untrusted: true }],
        [{ text: 'a = b', untrusted: true }],
        [{ text: "'=x", untrusted: true }],
      ],
    };
    expect(renderTableCsv(table)).toBe("reason\r\nNo answer\r\na = b\r\n'=x\r\n");
  });
});

describe('payload text in CSV, read back', () => {
  it('is the value itself, but what the README says CSV changes: `::` before a letter as \\u003a:, a formula after a quote', () => {
    const values = ['::error::x', '@x', 'Voicemail ', ' Voicemail', 'Cafe\u0301', 'Caf\u00e9', 'a "b", c'];
    const table: TableBlock = {
      kind: 'table',
      columns: [{ head: 'Key', key: 'key' }],
      rows: values.map((text) => [{ text: 'shown otherwise', value: text, untrusted: true }]),
    };
    // RFC 4180, for fields of one line: quoted or not, `""` inside quotes is one quote.
    const read = (record: string) => (record.startsWith('"') ? record.slice(1, -1).replaceAll('""', '"') : record);
    const records = renderTableCsv(table).split('\r\n').slice(1, -1).map(read);
    expect(records).toEqual([
      '\\u003a:error\\u003a:x',
      "'@x",
      'Voicemail ',
      ' Voicemail',
      'Cafe\u0301',
      'Caf\u00e9',
      'a "b", c',
    ]);
  });
});
