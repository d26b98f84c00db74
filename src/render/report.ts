/**
 * The format-neutral model of a report: a document of sections, each a title and blocks (tables,
 * notes, groups). A report is built once as this model and every format renders it, so adding a
 * section is one edit and the formats cannot drift: `report-pretty.ts` and `report-markdown.ts`
 * for people, `report-csv.ts` for programs. Each table also says, by `key` and `source`, what it
 * is for programs: the machine names of its columns, the raw values of its cells, and where the
 * JSON report holds its data. Text is kept raw here: each renderer applies the escape policy of
 * its format to untrusted text.
 */

/** Who a section, column or row is for, when not for everyone: people (a terminal, a document) or programs (CSV). */
export type Audience = 'people' | 'programs';

/** How a span of text is emphasised: a status colour, or muted (dim on a terminal, italic in Markdown). */
export type Tone = 'good' | 'warn' | 'bad' | 'other' | 'muted';

/** A run of text: trusted (our own words and numbers) unless `untrusted`, which marks payload text. */
export interface Span {
  text: string;
  untrusted?: boolean | undefined;
  /** Payload text already shown by the terminal policy, with escapes of its own (summarise's `Voicemail\x20`): not escaped again. */
  escaped?: boolean | undefined;
  tone?: Tone | undefined;
  /** What programs read instead of `text`: a count as `1234`, not `1,234`; a percent as `12.5`, not `12.5%`. */
  value?: string | number | null | undefined;
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
  /** The machine name programs know it by (a CSV header); a column without one is for people only. */
  key?: string | undefined;
  /** Digits after the point when a text format for programs writes its numbers (`0.0`, not `0`). */
  decimals?: number | undefined;
  /** For this audience only; absent: for everyone. */
  only?: Audience | undefined;
  /** A narrower name for a terminal; its section's `legend` explains it. */
  short?: string | undefined;
  align?: 'left' | 'right' | undefined;
  /** Shrinks when the table is wider than the terminal, its text wrapped (never cut); one per table. */
  flex?: boolean | undefined;
  /** A terminal shows the value only where it changes from the row above; documents repeat it. */
  grouped?: boolean | undefined;
  /** A column of bars, which a terminal draws and documents leave out. */
  bars?: boolean | undefined;
}

/**
 * A row of cells. Hint: an array that may carry `only`, so that renderers read a row as the
 * `Cell[]` it is; `forPeople` and `forPrograms` drop the rows that are not for their audience.
 */
export type Row = Cell[] & { only?: Audience | undefined };

/** Rows under named columns. */
export interface TableBlock {
  kind: 'table';
  /** Its machine name: the table `--format csv` prints when `--by` names it. */
  key?: string | undefined;
  /** Where the JSON report holds what it shows: a JSON pointer (`/callComplete/byStatus`). */
  source?: string | undefined;
  columns: Column[];
  rows: Row[];
  /** Show the header row (default true; documents still need an empty one). */
  head?: boolean | undefined;
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
  /** For this audience only (a by-status table for CSV when there were no calls); absent: for everyone. */
  only?: Audience | undefined;
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

/** `cells` as a row for `audience` only. */
export function rowFor(audience: Audience, cells: Cell[]): Row {
  return Object.assign(cells, { only: audience });
}

/** What programs read from a cell: its `value` when it has one, else its text; `null` for no value. */
export function cellValue(cell: Cell | undefined): string | number | null {
  if (cell === undefined || cell === null) return null;
  if (typeof cell === 'object' && !Array.isArray(cell) && 'text' in cell && cell.value !== undefined) return cell.value;
  return cellText(cell);
}

const forAudience = (audience: Audience) => (part: { only?: Audience | undefined }) =>
  part.only === undefined || part.only === audience;

/** The model as people see it: without the sections, columns and rows that are for programs only. */
export function forPeople(model: ReportModel): ReportModel {
  const shown = forAudience('people');
  const blocks = (list: readonly Block[]): Block[] =>
    list.map((block) => {
      if (block.kind === 'group') return { ...block, blocks: blocks(block.blocks) };
      if (block.kind !== 'table') return block;
      const kept = block.columns.map(shown);
      // A short row stays short: its missing cells are blank, not "no value".
      const rows = block.rows.filter(shown);
      return {
        ...block,
        columns: block.columns.filter(shown),
        rows: kept.every(Boolean) ? rows : rows.map((row) => row.filter((_, i) => kept[i])),
      };
    });
  return {
    ...model,
    sections: model.sections.filter(shown).map((section) => ({ ...section, blocks: blocks(section.blocks) })),
  };
}

/** Whether a cell holds payload text: a span marked `untrusted`, or spans in a row of which one is. */
function holdsUntrusted(cell: Cell | undefined): boolean {
  if (typeof cell !== 'object' || cell === null) return false;
  return Array.isArray(cell) ? cell.some((span) => span.untrusted === true) : 'text' in cell && cell.untrusted === true;
}

/** A cell as programs read it: its raw value, and whether it holds payload text. */
export interface ProgramCell {
  value: string | number | null;
  untrusted: boolean;
}

/** A table as programs read it: its keyed columns, and the rows that are not for people only. */
export function forPrograms(table: TableBlock): { keys: string[]; rows: ProgramCell[][] } {
  const shown = forAudience('programs');
  const columns = table.columns.flatMap((column, i) =>
    column.key !== undefined && shown(column) ? [{ key: column.key, decimals: column.decimals, i }] : [],
  );
  return {
    keys: columns.map((column) => column.key),
    rows: table.rows.filter(shown).map((row) =>
      columns.map(({ decimals, i }) => {
        const value = cellValue(row[i]);
        return {
          value: typeof value === 'number' && decimals !== undefined ? value.toFixed(decimals) : value,
          untrusted: holdsUntrusted(row[i]),
        };
      }),
    ),
  };
}
