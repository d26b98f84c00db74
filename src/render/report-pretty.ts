/**
 * Renders a report model (`report.ts`) for a terminal: borderless tables that fit the width,
 * measured as displayed, with colours, and payload text escaped by the terminal policy.
 */
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import {
  type Block,
  type Cell,
  type Column,
  cellText,
  isBar,
  type ReportModel,
  type Section,
  type Tone,
} from './report.js';
import { displayWidth, escapeTerminal, pushAll, type TextSpan, wrapSpans } from './terminal.js';

/** What the pretty renderer needs to know about the terminal. */
export interface PrettyOptions {
  /** Colours (a level-0 chalk instance prints none). */
  colors: ChalkInstance;
  /** Columns available; 80 when piped. */
  width: number;
}

/** The report as tables for a terminal, readable at 80 columns and when piped; the title is left out. */
export function renderReportPretty(model: ReportModel, options: PrettyOptions): string {
  return `${model.sections.map((section) => renderSection(section, options)).join('\n\n')}\n`;
}

const indent = '  ';
const gap = 2;
const minFlex = 12;

function renderSection(section: Section, options: PrettyOptions): string {
  const { colors, width } = options;
  const detail = [section.detail, section.legend].filter((text) => text !== undefined).join(' ');
  const heading = wrapSpans(
    [{ text: section.title, style: colors.bold }, ...(detail ? [{ text: ` ${detail}`, style: colors.dim }] : [])],
    { width, indent, firstIndent: '' },
  );
  const lines = [heading.join('\n')];
  renderBlocks(section.blocks, 0, lines, options);
  return lines.join('\n');
}

function renderBlocks(blocks: readonly Block[], depth: number, lines: string[], options: PrettyOptions): void {
  const { colors, width } = options;
  const at = indent.repeat(depth + 1);
  blocks.forEach((block, i) => {
    switch (block.kind) {
      case 'table': {
        // Two tables in a row get a blank line between them.
        if (blocks[i - 1]?.kind === 'table') lines.push('');
        const inner = width - indent.length * depth;
        const text = table(block.columns, block.rows, inner, colors, { head: block.head, wrap: block.wrap });
        lines.push(depth === 0 ? text : prefixLines(text, indent.repeat(depth)));
        break;
      }
      case 'note':
        lines.push(
          wrapSpans([{ text: block.text, style: colors.dim }], {
            width,
            indent: `${at}${indent}`,
            firstIndent: at,
          }).join('\n'),
        );
        break;
      case 'more':
      case 'empty':
        lines.push(colors.dim(`${at}(${block.text})`));
        break;
      case 'group':
        pushAll(
          lines,
          wrapSpans([spanOf(block.title, colors), { text: `: ${block.detail}`, style: colors.dim }], {
            width,
            indent: `${at}${indent}`,
            firstIndent: at,
          }),
        );
        renderBlocks(block.blocks, depth + 1, lines, options);
        break;
    }
  });
}

function prefixLines(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function toneStyle(colors: ChalkInstance, tone: Tone | undefined): ((text: string) => string) | undefined {
  switch (tone) {
    case 'good':
      return colors.green;
    case 'warn':
      return colors.yellow;
    case 'bad':
      return colors.red;
    case 'other':
      return colors.magenta;
    case 'muted':
      return colors.dim;
    default:
      return undefined;
  }
}

function spanOf(
  span: { text: string; untrusted?: boolean | undefined; tone?: Tone | undefined },
  colors: ChalkInstance,
) {
  return { text: span.untrusted ? escapeTerminal(span.text) : span.text, style: toneStyle(colors, span.tone) };
}

function styled(span: TextSpan): string {
  return span.style ? span.style(span.text) : span.text;
}

/** A cell as printed: payload text escaped, coloured by its tone; a bar `cells` wide at 100%. */
function renderCell(cell: Cell, colors: ChalkInstance, cells: number): string {
  if (cell === null) return colors.dim('-');
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell)) return cell.map((span) => styled(spanOf(span, colors))).join('');
  if (isBar(cell)) return styled({ text: bar(cell.bar, cells), style: toneStyle(colors, cell.tone) });
  return styled(spanOf(cell, colors));
}

const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `percent` of `cells` cells, in eighths of a cell. */
function bar(percent: number, cells: number): string {
  const units = Math.round((percent / 100) * cells * 8);
  return '█'.repeat(Math.floor(units / 8)) + eighths[units % 8];
}

// A bar gets what is left of the line beside a status name, a count and a percent: 10 to 40 cells.
function barCells(width: number): number {
  const fixed = indent.length + 12 + 7 + 6 + 3 * gap;
  return Math.max(10, Math.min(40, width - fixed - 1));
}

const noBorders = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/**
 * A borderless table that fits `width`: cells are measured as displayed, and the flex column
 * gives up what the others need. A `grouped` column shows a value only where it changes.
 */
function table(
  columns: Column[],
  cells: Cell[][],
  width: number,
  colors: ChalkInstance,
  { head, wrap = false }: { head?: boolean | undefined; wrap?: boolean | undefined },
): string {
  const showHead = head !== false;
  const barWidth = barCells(width);
  const rows = cells.map((row, r) =>
    row.map((cell, i) => {
      if (columns[i]?.grouped && r > 0 && cellText(cells[r - 1]?.[i]) === cellText(cell)) return '';
      return renderCell(cell, colors, barWidth);
    }),
  );
  const heads = columns.map((column) => column.short ?? column.head);
  // Hint: a loop, not Math.max(...rows): a --top 0 table of a million phones must not blow the stack.
  const widths = columns.map((_, i) => {
    let widest = showHead ? displayWidth(heads[i] ?? '') : 0;
    for (const row of rows) widest = Math.max(widest, displayWidth(row[i] ?? ''));
    return widest;
  });
  const total = indent.length + widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  const flex = columns.findIndex((column) => column.flex);
  let shrunk = total;
  if (total > width && flex >= 0) {
    const before = widths[flex]!;
    widths[flex] = Math.max(minFlex, before - (total - width));
    shrunk -= before - widths[flex]!;
  }
  // Too many columns for a narrow terminal: each row becomes a wrapped record instead.
  if (shrunk > width) return records(heads, rows, width, colors, showHead);
  const t = new Table({
    chars: noBorders,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
    head: showHead ? heads.map((text) => colors.bold(text)) : [],
    colAligns: columns.map((column) => column.align ?? 'left'),
    colWidths: widths,
    wordWrap: wrap,
    wrapOnWordBoundary: true,
  });
  for (const row of rows) t.push(row);
  return t
    .toString()
    .split('\n')
    .map((line) => `${indent}${line}`.trimEnd())
    .join('\n');
}

/** Rows as `first  Head value · Head value`, wrapped to `width`: a table too wide for the terminal. */
function records(heads: string[], rows: string[][], width: number, colors: ChalkInstance, named: boolean): string {
  const lines: string[] = [];
  for (const row of rows) {
    const spans: TextSpan[] = [{ text: row[0] ?? '' }];
    row.slice(1).forEach((cell, i) => {
      const head = named ? heads[i + 1] : undefined;
      spans.push({ text: i === 0 ? '  ' : ' · ' });
      if (head) spans.push({ text: `${head} `, style: colors.dim });
      spans.push({ text: cell });
    });
    pushAll(lines, wrapSpans(spans, { width, indent: `${indent}  `, firstIndent: indent }));
  }
  return lines.join('\n');
}
