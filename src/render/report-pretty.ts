/**
 * Renders a report model (`report.ts`) for a terminal: borderless tables that fit the width,
 * measured as displayed, with colours, and payload text escaped by the terminal policy.
 */
import type { ChalkInstance } from 'chalk';
import { graphemeSegments } from '../input/clusters.js';
import {
  type Block,
  type Cell,
  type Column,
  cellText,
  forPeople,
  isBar,
  type ReportModel,
  type Section,
  type Tone,
} from './report.js';
import {
  displayWidth,
  escapeTerminal,
  isolatesBalanced,
  pushAll,
  shownEscape,
  type TextSpan,
  withinLongestWrapped,
  wrapSpans,
} from './terminal.js';
import { graphemeWidth } from './width.js';
import { timeOrDuration } from './words.js';

/** What the pretty renderer needs to know about the terminal. */
export interface PrettyOptions {
  /** Colours (a level-0 chalk instance prints none). */
  colors: ChalkInstance;
  /** Columns available; 80 when piped. */
  width: number;
}

/** The report as tables for a terminal, readable at 80 columns and when piped; the title is left out. */
export function renderReportPretty(model: ReportModel, options: PrettyOptions): string {
  return `${forPeople(model)
    .sections.map((section) => renderSection(section, options))
    .join('\n\n')}\n`;
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
        const text = table(block.columns, block.rows, inner, colors, block.head !== false);
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
  span: { text: string; untrusted?: boolean | undefined; escaped?: boolean | undefined; tone?: Tone | undefined },
  colors: ChalkInstance,
) {
  const text = span.untrusted && !span.escaped ? escapeTerminal(span.text) : span.text;
  return { text, style: toneStyle(colors, span.tone) };
}

function styled(span: TextSpan): string {
  return span.style ? span.style(span.text) : span.text;
}

/** A cell as spans of text and their styles: payload text escaped, coloured by its tone; a bar `cells` wide at 100%. */
function cellSpans(cell: Cell, colors: ChalkInstance, cells: number): TextSpan[] {
  if (cell === null) return [{ text: '-', style: colors.dim }];
  if (typeof cell === 'string') return [{ text: cell }];
  if (Array.isArray(cell)) return cell.map((span) => spanOf(span, colors));
  if (isBar(cell)) return [{ text: bar(cell.bar, cells), style: toneStyle(colors, cell.tone) }];
  return [spanOf(cell, colors)];
}

/** A cell as printed (see `cellSpans`), cut as a wrapped text is (see `withinLongestWrapped`). */
function renderCell(cell: Cell, colors: ChalkInstance, cells: number): string {
  return withinLongestWrapped(cellSpans(cell, colors, cells))
    .map(styled)
    .join('');
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

/**
 * A borderless table that fits `width`: cells are measured as displayed, and the flex column
 * gives up what the others need, its text wrapped. A `grouped` column shows a value only where it
 * changes, in a table; a record (a row of a table too wide) is read on its own and shows it.
 */
function table(columns: Column[], cells: Cell[][], width: number, colors: ChalkInstance, showHead: boolean): string {
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
  const aligns = columns.map((column) => column.align ?? 'left');
  const cellsWidth = indent.length + widths.reduce((a, b) => a + b, 0);
  // Hint: a table a few columns too wide closes its gaps beside a number (a right-aligned column)
  // to one space rather than cut its flex column: a campaign's id (a UUID) in the campaigns table
  // at 80 columns was cut, `c4a53914-…`. Two texts side by side keep two, or they would read as
  // one (`Not Complete No answer`).
  const closed = aligns.map((align, i) => (i === 0 ? 0 : align === 'left' && aligns[i - 1] === 'left' ? gap : 1));
  const open = aligns.map((_, i) => (i === 0 ? 0 : gap));
  const sum = (gaps: number[]) => gaps.reduce((a, b) => a + b, 0);
  const gaps = cellsWidth + sum(open) > width && cellsWidth + sum(closed) <= width ? closed : open;
  const total = cellsWidth + sum(gaps);
  const flex = columns.findIndex((column) => column.flex);
  const before = widths[flex];
  let shrunk = total;
  if (total > width && before !== undefined) {
    const after = Math.max(minFlex, before - (total - width));
    widths[flex] = after;
    shrunk -= before - after;
  }
  // Too many columns for a narrow terminal: each row becomes a wrapped record instead.
  // Hint: a record is read on its own, so a grouped column's value is in each (rendered again, rarely).
  if (shrunk > width) {
    const whole = cells.map((row) => row.map((cell) => cellSpans(cell, colors, barWidth)));
    return records(heads, whole, width, colors, showHead);
  }
  const lines: string[] = [];
  const separators = gaps.map((size) => ' '.repeat(size));
  if (showHead) {
    layRow(
      heads.map((text) => colors.bold(text)),
      widths,
      aligns,
      separators,
      lines,
    );
  }
  for (const row of rows) layRow(row, widths, aligns, separators, lines);
  return lines.join('\n');
}

/**
 * Appends the lines of one table row: each cell wider than its column wrapped to it, never cut
 * (two texts alike in their first columns must not read the same), and padded to it by its
 * alignment; a cell that fits stays on the row's first line. The work is one pass over the row's
 * cells, so a table takes time linear in its rows.
 */
function layRow(
  cells: readonly string[],
  widths: readonly number[],
  aligns: readonly ('left' | 'right')[],
  separators: readonly string[],
  lines: string[],
): void {
  const cellLines = widths.map((columnWidth, i) => {
    const text = cells[i] ?? '';
    if (displayWidth(text) <= columnWidth && !text.includes('\n')) return [text];
    const wrapped: string[] = [];
    for (const paragraph of text.split('\n')) pushAll(wrapped, wrapWords(paragraph, columnWidth));
    return reopenStyles(isolatesBalanced(wrapped));
  });
  let height = 1;
  for (const wrapped of cellLines) height = Math.max(height, wrapped.length);
  for (let at = 0; at < height; at++) {
    let line = indent;
    widths.forEach((columnWidth, i) => {
      // Hint: a column is at least one cell wide, even an empty one (as the table library before drew it).
      const room = Math.max(1, columnWidth);
      const text = cellLines[i]?.[at] ?? '';
      const padding = ' '.repeat(Math.max(0, room - displayWidth(text)));
      line += (separators[i] ?? '') + (aligns[i] === 'right' ? padding + text : text + padding);
    });
    lines.push(line.trimEnd());
  }
}

/**
 * Breaks `text` into lines of at most `width` columns at whitespace; a word wider than that
 * starts a line and is broken between its units (see `unitsOf`), so that all of it is printed.
 * Hint: summarise shows every blank in payload text but a lone space escaped, so a break stands
 * for one space and two texts that differ in their blanks still read apart.
 */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  // Hint: the blanks in a time or a duration are not breaks (`2022-08-31 21:46:51` / `UTC`):
  // NUL stands for them, a character no cell holds raw (payload text shows it escaped). One wider
  // than the column breaks at them, not inside it (`2022-09-01 00:00` / `:00 UTC`, hR103).
  const parts = text
    .replace(timeOrDuration, (whole) => (displayWidth(whole) > width ? whole : whole.replaceAll(' ', '\0')))
    .split(/(\s+)/)
    .map((part) => part.replaceAll('\0', ' '));
  let line = '';
  let used = 0;
  let space = '';
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i] ?? '';
    const wordWidth = displayWidth(word);
    const next = used + wordWidth + (used > 0 ? space.length : 0);
    if (next > width) {
      if (used !== 0) lines.push(line);
      line = word;
      used = wordWidth;
      if (wordWidth > width) {
        [line, used] = ['', 0];
        for (const unit of unitsOf(word)) {
          if (used > 0 && used + unit.width > width) {
            lines.push(line);
            [line, used] = ['', 0];
          }
          line += unit.text;
          used += unit.width;
        }
      }
    } else {
      line += space + word;
      used = next;
    }
    space = parts[i + 1] ?? '';
  }
  if (used) lines.push(line);
  return lines;
}

// An SGR escape sequence (colour, bold, ...), the only escape sequences cells hold.
const sgrCode = /\u001b\[(?:\d*;){0,5}\d*m/g;
// What a word is never broken inside: a colour code, and an escape shown for a character of payload text.
const unbreakable = new RegExp(`${sgrCode.source}|${shownEscape.source}`, 'g');

/**
 * The units a word may be broken between, with the columns each takes: colour codes (none),
 * escapes shown for a character (`\x07`, `\u202e`), and the grapheme clusters of the text
 * between them (a family emoji, a flag, a letter and its accents stay whole).
 */
function* unitsOf(word: string): Generator<{ text: string; width: number }> {
  let from = 0;
  for (const match of `${word}\u001b[m`.matchAll(unbreakable)) {
    for (const { segment } of graphemeSegments(word.slice(from, match.index))) {
      yield { text: segment, width: graphemeWidth(segment) };
    }
    if (match.index >= word.length) return;
    yield { text: match[0], width: match[0].startsWith('\u001b') ? 0 : match[0].length };
    from = match.index + match[0].length;
  }
}

/** The SGR styles in force at a point of a line: attributes (by the code that sets them) on or off, and the last colours set. */
interface StyleState {
  attributes: Map<number, boolean>;
  foreground?: string | undefined;
  background?: string | undefined;
}

// The attributes a line break closes and reopens: the code that sets each and the one that resets it.
const attributeCodes = new Map([
  [1, 22], // bold
  [3, 23], // italic
  [4, 24], // underline
  [7, 27], // inverse
  [9, 29], // strikethrough
]);
const attributeResets = new Map([...attributeCodes].map(([set, reset]) => [reset, set]));

function applyCode(state: StyleState, code: string): void {
  const params = code.slice(2, -1);
  const first = params === '' ? 0 : Number.parseInt(params.split(';')[0] ?? '', 10);
  if ((first >= 30 && first <= 39) || (first >= 90 && first <= 97)) state.foreground = code;
  else if ((first >= 40 && first <= 49) || (first >= 100 && first <= 107)) state.background = code;
  else if (first === 0) {
    state.attributes.clear();
    state.foreground = undefined;
    state.background = undefined;
  } else if (params === String(first)) {
    // Only a code of its own sets or resets an attribute (cli-table3's rule): `ESC[1;2m` is not read as bold.
    if (attributeCodes.has(first)) state.attributes.set(first, true);
    const set = attributeResets.get(first);
    if (set !== undefined) state.attributes.set(set, false);
  }
}

function stateOf(line: string): StyleState {
  const state: StyleState = { attributes: new Map() };
  for (const match of line.matchAll(sgrCode)) applyCode(state, match[0]);
  return state;
}

/** The codes that end the styles in force, so that none runs into the padding or the next column. */
function closing(state: StyleState): string {
  let codes = '';
  for (const [set, on] of state.attributes) if (on) codes += `\u001b[${attributeCodes.get(set)}m`;
  if (state.background && state.background !== '\u001b[49m') codes += '\u001b[49m';
  if (state.foreground && state.foreground !== '\u001b[39m') codes += '\u001b[39m';
  return codes;
}

/** The codes that restart the styles in force on the next line (colours first, then attributes, last set first). */
function opening(state: StyleState): string {
  let attributes = '';
  for (const [set, on] of state.attributes) if (on) attributes = `\u001b[${set}m${attributes}`;
  let codes = '';
  if (state.foreground && state.foreground !== '\u001b[39m') codes += state.foreground;
  if (state.background && state.background !== '\u001b[49m') codes += state.background;
  return codes + attributes;
}

/** Wrapped lines of one styled cell, each closing the styles it leaves open and reopening those it inherits. */
function reopenStyles(lines: readonly string[]): string[] {
  let carried: StyleState = { attributes: new Map() };
  return lines.map((text) => {
    const line = opening(carried) + text;
    carried = stateOf(line);
    return line + closing(carried);
  });
}

/**
 * Rows as `first  Head value · Head value`, wrapped to `width`: a table too wide for the terminal.
 * Hint: cells come as spans, not coloured text, so that `wrapSpans` measures no colour code.
 */
function records(heads: string[], rows: TextSpan[][][], width: number, colors: ChalkInstance, named: boolean): string {
  const lines: string[] = [];
  for (const row of rows) {
    const spans: TextSpan[] = [...(row[0] ?? [])];
    let shown = 0;
    row.slice(1).forEach((cell, i) => {
      // Hint: a cell with nothing to show (a 0% share's bar) is left out with its `·`: it ended its record.
      if (cell.every((span) => span.text === '')) return;
      const head = named ? heads[i + 1] : undefined;
      spans.push({ text: shown++ === 0 ? '  ' : ' · ' });
      if (head) spans.push({ text: `${head} `, style: colors.dim });
      pushAll(spans, cell);
    });
    pushAll(lines, wrapSpans(spans, { width, indent: `${indent}  `, firstIndent: indent }));
  }
  return lines.join('\n');
}
