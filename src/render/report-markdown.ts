/**
 * Renders a report model (`report.ts`) as GitHub-flavoured Markdown, for pasting into an issue or
 * a document: full column names, every value repeated, payload text escaped for a table cell.
 */
import { escapeMarkdown, markdownMarkupEscaped, markdownNote } from './escape.js';
import { type Block, type Cell, forPeople, type ReportModel, type Span } from './report.js';

/** The report as Markdown: `#` title, `##` sections, `###` groups, tables with their header rows. */
export function renderReportMarkdown(model: ReportModel): string {
  const out: string[] = [`# ${model.title}`, ''];
  for (const section of forPeople(model).sections) {
    out.push(`## ${section.title}${section.detail ? ` ${section.detail}` : ''}`, '');
    renderBlocks(section.blocks, out);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function renderBlocks(blocks: readonly Block[], out: string[]): void {
  for (const block of blocks) {
    switch (block.kind) {
      case 'table': {
        // Bars are a terminal's picture of the numbers beside them.
        const shown = block.columns.flatMap((column, i) => (column.bars ? [] : [{ column, i }]));
        const head = shown.map(({ column }) => (block.head === false ? '' : column.head));
        const rule = shown.map(({ column }) => (column.align === 'right' ? '--:' : '---'));
        const rows = block.rows.map((row) => shown.map(({ i }) => renderCell(row[i])));
        out.push([head, rule, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n'), '');
        break;
      }
      case 'note':
        out.push(block.text, '');
        break;
      case 'more':
        out.push(markdownNote(`(${block.text})`), '');
        break;
      case 'empty':
        out.push(`${block.text.charAt(0).toUpperCase()}${block.text.slice(1)}.`, '');
        break;
      case 'group':
        out.push(`### ${renderSpan(block.title)}`, '', `${block.detail}.`, '');
        renderBlocks(block.blocks, out);
        break;
    }
  }
}

function renderSpan(span: Span): string {
  const text = !span.untrusted
    ? span.text
    : span.escaped
      ? markdownMarkupEscaped(span.text)
      : escapeMarkdown(span.text);
  return span.tone === 'muted' ? markdownNote(text) : text;
}

/** A cell as Markdown: no value and blank cells are empty; bars are left out by the table. */
function renderCell(cell: Cell | undefined): string {
  if (cell === undefined || cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell)) return cell.map(renderSpan).join('');
  return 'bar' in cell ? '' : renderSpan(cell);
}
