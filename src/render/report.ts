/**
 * The format-neutral model of a report: a document of sections, each a title and blocks (tables,
 * notes, groups). A report is built once as this model; `report-pretty.ts` and
 * `report-markdown.ts` render it, so adding a section is one edit and the formats cannot drift.
 * Text is kept raw here: each renderer applies the escape policy of its format to untrusted text.
 */

/** How a span of text is emphasised: a status colour, or muted (dim on a terminal, italic in Markdown). */
export type Tone = 'good' | 'warn' | 'bad' | 'other' | 'muted';

/** A run of text: trusted (our own words and numbers) unless `untrusted`, which marks payload text. */
export interface Span {
  text: string;
  untrusted?: boolean | undefined;
  tone?: Tone | undefined;
}

/** A horizontal bar of `percent` (a terminal draws it; documents leave the column out). */
export interface Bar {
  bar: number;
  tone?: Tone | undefined;
}

/**
 * One table cell: trusted text, a span, spans in a row, a bar, or `null` for "no value" (a dim
 * `-` on a terminal, empty in a document). A row shorter than the table leaves its last cells blank.
 */
export type Cell = string | Span | Span[] | Bar | null;

/** A column: its name, and how it is laid out. */
export interface Column {
  /** The full name, as documents show it. */
  head: string;
  /** A narrower name for a terminal; its section's `legend` explains it. */
  short?: string | undefined;
  align?: 'left' | 'right' | undefined;
  /** Shrinks when the table is wider than the terminal (truncated with …, or wrapped); one per table. */
  flex?: boolean | undefined;
  /** A terminal shows the value only where it changes from the row above; documents repeat it. */
  grouped?: boolean | undefined;
  /** A column of bars, which a terminal draws and documents leave out. */
  bars?: boolean | undefined;
}

/** Rows under named columns. */
export interface TableBlock {
  kind: 'table';
  columns: Column[];
  rows: Cell[][];
  /** Show the header row (default true; documents still need an empty one). */
  head?: boolean | undefined;
  /** Wrap the flex column's text at word boundaries instead of truncating it (for sentences). */
  wrap?: boolean | undefined;
}

/**
 * A line of text: `note` explains what is above it; `more` says what was left out (`3 more
 * campaigns`); `empty` says a part has nothing in it (`none`).
 */
export interface TextBlock {
  kind: 'note' | 'more' | 'empty';
  text: string;
}

/** A titled part of a section (the funnel of one campaign): a title, a one-line detail, and blocks. */
export interface GroupBlock {
  kind: 'group';
  title: Span;
  detail: string;
  blocks: Block[];
}

/** What a section holds. */
export type Block = TableBlock | TextBlock | GroupBlock;

/** A titled part of a report. */
export interface Section {
  title: string;
  /** Said beside the title in every format (`(23 CallComplete events)`). */
  detail?: string | undefined;
  /** Beside the title on a terminal only: what the short column names and terse cells mean. */
  legend?: string | undefined;
  blocks: Block[];
}

/** A whole report: a title (which documents show and a terminal, where the command was just typed, leaves out) and sections. */
export interface ReportModel {
  title: string;
  sections: Section[];
}

/** The text of a span or cell as the model holds it (unescaped, uncoloured); bars and no-value cells are empty. */
export function cellText(cell: Cell | undefined): string {
  if (cell === undefined || cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell)) return cell.map((span) => span.text).join('');
  return 'bar' in cell ? '' : cell.text;
}

/** Whether a cell is a bar. */
export function isBar(cell: Cell | undefined): cell is Bar {
  return typeof cell === 'object' && cell !== null && !Array.isArray(cell) && 'bar' in cell;
}

/** Every table of a section, its groups' tables included, in order. */
export function tablesOf(blocks: readonly Block[]): TableBlock[] {
  const out: TableBlock[] = [];
  for (const block of blocks) {
    if (block.kind === 'table') out.push(block);
    else if (block.kind === 'group') for (const table of tablesOf(block.blocks)) out.push(table);
  }
  return out;
}
