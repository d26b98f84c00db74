/**
 * Renders one table of a report model (`report.ts`) as CSV (RFC 4180), for programs: machine
 * column names for the header, raw values in the cells, payload text with untrusted characters
 * as `\uXXXX`, and never read by a spreadsheet as a formula.
 */
import { escapeUnicode } from './escape.js';
import { forPrograms, type TableBlock } from './report.js';

// Hint: what Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP, CSV
// injection, CWE-1236); a tab is escaped as \u0009 before this is asked.
const formulaStart = /^[=+\-@\t\r]/;

/**
 * Quotes a CSV field when it holds a comma, a quote, or a line break (RFC 4180, section 2). Payload
 * text (`untrusted`) that starts as a formula does is written after a `'` and quoted, so that a
 * spreadsheet shows it as text.
 */
export function csvField(value: string | number | null, untrusted = false): string {
  if (value === null) return '';
  // A number needs neither quotes nor escapes (most fields of a --by table are).
  if (typeof value === 'number') return String(value);
  // Untrusted characters as \uXXXX, as in every machine format; but a line break, which
  // RFC 4180 allows inside a quoted field, stays what it is.
  const text = String(value)
    .split(/(\r\n|\n|\r)/)
    .map((part, i) => (i % 2 ? part : escapeUnicode(part)))
    .join('');
  if (untrusted && formulaStart.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The table as CSV: its keyed columns, header row first, every record (the last included) ending in CRLF. */
export function renderTableCsv(table: TableBlock): string {
  const { keys, rows } = forPrograms(table);
  const records = [
    keys.map((key) => csvField(key)),
    ...rows.map((row) => row.map((cell) => csvField(cell.value, cell.untrusted))),
  ];
  return records.map((record) => `${record.join(',')}\r\n`).join('');
}
