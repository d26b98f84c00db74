/** Terminal facts every renderer shares: whether to colour, and how to make untrusted text safe. */
import { Chalk, type ChalkInstance } from 'chalk';
import { diagnosticText } from '../errors.js';
import { clusterBoundary, graphemeSegments } from '../input/clusters.js';
import { isolate } from './escape.js';
import { breaksAround, displayWidth, graphemeWidth, narrowText, wordBreaks } from './width.js';

/**
 * Whether `stream` is a terminal that can draw: colours, a line redrawn in place, a pager's
 * screen. Hint: TERM=dumb says it cannot (an Emacs shell buffer, a CI log), and an unset or empty
 * TERM names no terminal to draw on (`env -i`, a service's console); less and git take both so.
 */
export function canDraw(
  stream: { isTTY?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (stream.isTTY !== true || env.TERM === 'dumb') return false;
  // Hint: Windows' consoles (cmd, PowerShell, Windows Terminal) set no TERM, and all draw.
  return platform === 'win32' || (env.TERM !== undefined && env.TERM !== '');
}

/**
 * Whether output to `stream` should be coloured: `--no-color` and NO_COLOR win, then FORCE_COLOR,
 * then a terminal that can draw (`canDraw`: not TERM=dumb, nor one with no TERM).
 */
export function useColor(
  stream: { isTTY?: boolean | undefined },
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (argv.includes('--no-color') || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return canDraw(stream, env);
}

/** The width to wrap to on `stream`: the terminal's columns, or 80 when piped or unknown. */
export function terminalWidth(stream: { isTTY?: boolean | undefined; columns?: number | undefined }): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

/** A chalk instance that colours only when `useColor` says so for that stream. */
export function colorsFor(stream: { isTTY?: boolean | undefined }): ChalkInstance {
  return new Chalk({ level: useColor(stream) ? 2 : 0 });
}

export { escapeJsonForTerminal, escapeTerminal, escapeUnicode, shownEscape, toSafeJson } from './escape.js';
export { displayWidth, prefixOfWidth, suffixOfWidth } from './width.js';

const closingPunctuation = /^(?!\\)[\p{Pe}\p{Pf}\p{Po}]$/u;
const openingPunctuation = /^[\p{Ps}\p{Pi}]$/u;
// Hint: a backslash (Po) closes something only as Markdown's escape of a closing mark (`\]`); it
// begins every escape callhook writes for a terminal (`\e[2J`, `\x07`), which stays whole.
const closes = (segment: string, next = '') =>
  segment === '\\' ? closingPunctuation.test(next) : closingPunctuation.test(segment);

/** A run of already escaped text and the style (a chalk function) it is printed in. */
export interface TextSpan {
  text: string;
  style?: ((text: string) => string) | undefined;
  /**
   * Never broken inside, as a count and its noun (`1 CallComplete`): wrapped as one word, unless
   * it is wider than a line; with `always`, not even then (a Markdown code span, see `markdownCode`).
   */
  keep?: boolean | 'always' | undefined;
}

/** How `wrapSpans` lays out its lines. */
export interface WrapOptions {
  /** The total width of a line, indent included. */
  width: number;
  /** Printed before every line but the first (may hold colour codes). */
  indent?: string | undefined;
  /** Printed before the first line; defaults to `indent`. */
  firstIndent?: string | undefined;
  /**
   * Lays out Markdown: lines break at blanks only, never inside a word of CJK or Thai, since a
   * renderer reads a line break inside a paragraph as a space (or `<br>`), where such text has
   * none; and a line after a line break does not keep its indentation, which from four blanks
   * would begin a code block.
   */
  markdown?: boolean | undefined;
}

interface Piece {
  start: number;
  end: number;
  width: number;
}

// Hint: a tab is shown escaped (`\t`, and a backslash before a `t` in the text as `\x5c`, so every
// `\t` is one): a line may break after it as after a space, never inside it. Words are found with
// indexOf, not a regular expression: V8 keeps a backtracking entry for each repetition of a group
// of alternatives, and a word of 8 million characters (an escaped transcript) overflowed its stack.
const escapedTab = '\\t';

// Splits one paragraph (no newline) into breakable pieces: words between spaces and after tabs, and
// inside a word every CJK character or emoji on its own (`breaksAround`), since CJK text has no
// spaces and may break between any two characters, and every word of Thai, Lao, Khmer or Burmese,
// which have no spaces either; a separator bound to its word where the two fit in `room` (see `bindSeparators`).
function piecesOf(text: string, offset: number, room: number, markdown = false): Piece[] {
  const pieces: Piece[] = [];
  // A word ends at a space, or after a tab; `space` and `tab` are the next of each at or after the
  // word's start. Hint: each is looked for again only once passed, so the text is read once: looked
  // for from every word, a space absent from 800,000 words took 21 s (review hR45).
  let space = text.indexOf(' ');
  let tab = text.indexOf(escapedTab);
  for (let from = 0, to = 0; from < text.length; from = to) {
    if (text.charCodeAt(from) === 0x20) {
      to = from + 1;
      continue;
    }
    if (space !== -1 && space < from) space = text.indexOf(' ', from);
    if (tab !== -1 && tab < from) tab = text.indexOf(escapedTab, from);
    to = space === -1 ? text.length : space;
    if (tab !== -1 && tab < to) to = tab + escapedTab.length;
    const word = text.slice(from, to);
    const start = offset + from;
    if (narrowText.test(word)) {
      pieces.push({ start, end: start + word.length, width: word.length });
      continue;
    }
    if (markdown) {
      pieces.push({ start, end: start + word.length, width: displayWidth(word) });
      continue;
    }
    let run: Piece | undefined;
    const first = pieces.length;
    const breaks = wordBreaks(word);
    for (const { segment, index } of graphemeSegments(word)) {
      const width = graphemeWidth(segment);
      const at = start + index;
      if (run && breaks?.has(index)) {
        pieces.push(run);
        run = undefined;
      }
      const previous = run ?? pieces.at(-1);
      if (closes(segment, word[index + 1]) && previous && previous.start >= start) {
        // Hint: closing punctuation (。, ！, a closing quote) never starts a line; it stays with what it closes.
        previous.end = at + segment.length;
        previous.width += width;
      } else if (width >= 2 && breaksAround(segment)) {
        if (run) pieces.push(run);
        run = undefined;
        pieces.push({ start: at, end: at + segment.length, width });
      } else if (run) {
        run.end = at + segment.length;
        run.width += width;
      } else run = { start: at, end: at + segment.length, width };
    }
    if (run) pieces.push(run);
    bindOpening(pieces, text, offset, first);
  }
  return bindSeparators(pieces, text, offset, room);
}

// Hint: opening punctuation ((, 「, an opening quote) never ends a line: the opening marks that end
// a piece of a word go to the start of the next piece of that word (from `first` on). The pieces
// kept are gathered at the end, from `kept` on, and moved down once: a piece left empty was taken
// out with splice, which shifted all after it, and "(中" 250,000 times held show 30 s (red team hT61).
function bindOpening(pieces: Piece[], text: string, offset: number, first: number): void {
  let kept = pieces.length - 1;
  for (let i = pieces.length - 2; i >= first; i--) {
    const piece = pieces[i] as Piece;
    const next = pieces[kept] as Piece;
    let cut = piece.end;
    while (cut > piece.start && openingPunctuation.test(text[cut - 1 - offset] as string)) cut--;
    if (cut !== piece.end && piece.end === next.start) {
      const moved = displayWidth(text.slice(cut - offset, piece.end - offset));
      next.start = cut;
      next.width += moved;
      piece.end = cut;
      piece.width -= moved;
    }
    if (piece.start !== piece.end) pieces[--kept] = piece;
  }
  if (kept > first) {
    pieces.copyWithin(first, kept);
    pieces.length -= kept - first;
  }
}

// Hint: a separator stays with the word it belongs to: no line starts with "·" (it binds to the
// word before) and none ends with "→" (it binds to the word after, "→ answer"), as long as the two
// fit in `room` columns: wider, the line breaks at the blank between them, for only a single
// unbreakable token is wider than a line (`**CallAttempted** ·` was 21 columns at 20: review hR101).
function bindSeparators(pieces: Piece[], text: string, offset: number, room: number): Piece[] {
  const bound: Piece[] = [];
  // Whether the last piece bound is a "→" that takes the word after it.
  let arrow = false;
  for (const piece of pieces) {
    // Both separators are one code unit long: only such pieces need looking at.
    const word = piece.end - piece.start === 1 ? (text[piece.start - offset] as string) : '';
    const last = bound.at(-1);
    const width = last ? last.width + (piece.start - last.end) + piece.width : 0;
    if (last && (arrow || word === '·') && width <= room) {
      last.width = width;
      last.end = piece.end;
      arrow = false;
    } else {
      bound.push(piece);
      arrow = word === '→';
    }
  }
  return bound;
}

/** A [start, end) range of text kept whole; `always`: even wider than a line. */
type KeptRange = readonly [start: number, end: number, always: boolean];

// Joins the pieces with a blank between them inside one of the `kept` ranges, as long as what
// they make fits in `room` columns: wider than a line, the width wins, but for a range kept `always`.
// Hint: pieces and ranges both run forward through the text, so `cursor.next` (the first range
// not ending before the piece) only moves on: each range is passed once, in every paragraph together.
function joinKept(pieces: Piece[], kept: readonly KeptRange[], room: number, cursor: { next: number }): Piece[] {
  if (kept.length === 0) return pieces;
  const joined: Piece[] = [];
  for (const piece of pieces) {
    const last = joined.at(-1);
    const width = last ? last.width + piece.start - last.end + piece.width : 0;
    while (cursor.next < kept.length && (kept[cursor.next] as KeptRange)[1] <= piece.start) cursor.next++;
    const next = kept[cursor.next];
    const range = last && next && next[0] <= last.end ? next : undefined;
    if (last && range && (range[2] || width <= room)) {
      last.width = width;
      last.end = piece.end;
    } else joined.push(piece);
  }
  return joined;
}

/** Greedy line breaking of `text` (newlines are hard breaks); returns each line's [start, end) offsets. */
function breakLines(
  text: string,
  firstWidth: number,
  restWidth: number,
  kept: readonly KeptRange[],
  markdown = false,
): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let offset = 0;
  const cursor = { next: 0 };
  const narrowest = Math.min(firstWidth, restWidth);
  // Hint: each line of a text of several (a transcript's address, a list) keeps its indentation,
  // as written, but in Markdown: its first line starts where it does, blanks and all, and counts
  // them. A text of one line starts at its first word, as it always did (a span may begin with
  // the blanks that part it from the one before).
  const indented = !markdown && text.includes('\n');
  for (const paragraph of text.split('\n')) {
    let lineStart = indented ? offset : -1;
    let lineEnd = offset;
    let used = 0;
    for (const piece of joinKept(piecesOf(paragraph, offset, narrowest, markdown), kept, narrowest, cursor)) {
      const room = lines.length === 0 ? firstWidth : restWidth;
      // Hint: spaces inside a line are kept as they are (columns stay aligned), so they count in full.
      const gap = lineStart < 0 ? 0 : piece.start - lineEnd;
      if (lineStart >= 0 && used + gap + piece.width > room) {
        // An indentation that leaves its first word no room is dropped, as a wrap's blanks are.
        if (lineEnd > lineStart) lines.push([lineStart, lineEnd]);
        lineStart = -1;
      }
      if (lineStart < 0) {
        // Hint: a piece wider than the whole line (a URL, an escaped escape sequence) stays
        // unbroken on a line of its own; breaking it would make it impossible to copy.
        lineStart = piece.start;
        used = piece.width;
      } else used += gap + piece.width;
      lineEnd = piece.end;
    }
    lines.push(lineStart < 0 ? [offset, offset] : [lineStart, lineEnd]);
    offset += paragraph.length + 1;
  }
  return lines;
}

/**
 * The most characters of one text that are wrapped and drawn (a transcript, a note, a cell):
 * 12,500 lines of 80 columns. Hint: breaking takes an object a word and a string a line, some
 * fifty times the text's size together: one 30 MB transcript took `show` to 1.3 GB, and ran
 * `listen` (which draws each event) out of memory (red team hR131). No one reads more in a terminal.
 */
const longestWrapped = 1_000_000;

/**
 * `spans` cut to `longestWrapped` characters, at a character's boundary, and a note of how many
 * more there are, when they hold more; else `spans` as they are. Every text wrapped (`wrapSpans`)
 * or laid in a table's cell is cut so.
 */
export function withinLongestWrapped(spans: readonly TextSpan[]): readonly TextSpan[] {
  let length = 0;
  for (const span of spans) length += span.text.length;
  if (length <= longestWrapped) return spans;
  const kept: TextSpan[] = [];
  let left = longestWrapped;
  for (const span of spans) {
    if (left <= 0) break;
    if (span.text.length <= left) kept.push(span);
    else kept.push({ ...span, text: span.text.slice(0, clusterBoundary(span.text, left)) });
    left -= span.text.length;
  }
  const shown = kept.reduce((count, span) => count + span.text.length, 0);
  const more = (length - shown).toLocaleString('en-US');
  kept.push({ text: ` … (${more} more characters, not shown)` });
  return kept;
}

/**
 * Wraps styled spans of escaped text to `width` columns, counting wide characters right, and
 * styles each line's part of every span separately so that no colour runs into an indent.
 */
export function wrapSpans(given: readonly TextSpan[], options: WrapOptions): string[] {
  const spans = withinLongestWrapped(given);
  const indent = options.indent ?? '';
  const firstIndent = options.firstIndent ?? indent;
  const text = spans.map((span) => span.text).join('');
  // Hint: at least 10 columns of text, so that a deep indent on a narrow terminal still shows words.
  const firstWidth = Math.max(10, options.width - displayWidth(firstIndent));
  const restWidth = Math.max(10, options.width - displayWidth(indent));
  const bounds: Array<{ start: number; end: number; style: TextSpan['style'] }> = [];
  const kept: KeptRange[] = [];
  let at = 0;
  for (const span of spans) {
    bounds.push({ start: at, end: at + span.text.length, style: span.style });
    if (span.keep) kept.push([at, at + span.text.length, span.keep === 'always']);
    at += span.text.length;
  }
  // Hint: lines and spans both run forward through the text, so each line starts from the first
  // span not yet behind it and stops at the first one past it: every span is walked once, not once
  // a line (a --grep of a long transcript makes hundreds of thousands of both).
  let first = 0;
  // Hint: an isolate (render/escape.ts, `isolate`) a break cuts is closed at its line's end and
  // opened again on the next, so that neither the next column nor the next line's letters go
  // unisolated. Payload text's own are escaped: every one here is callhook's.
  const isolated = text.includes(isolate.open);
  let open = 0;
  return breakLines(text, firstWidth, restWidth, kept, options.markdown).map(([start, end], index) => {
    let line = (index === 0 ? firstIndent : indent) + isolate.open.repeat(open);
    if (isolated) open = openIsolates(text, start, end, open);
    while (first < bounds.length && (bounds[first] as (typeof bounds)[number]).end <= start) first++;
    for (let i = first; i < bounds.length; i++) {
      const bound = bounds[i] as (typeof bounds)[number];
      if (bound.start >= end) break;
      const from = Math.max(start, bound.start);
      const to = Math.min(end, bound.end);
      if (from >= to) continue;
      const part = text.slice(from, to);
      line += bound.style ? bound.style(part) : part;
    }
    return line.trimEnd() + isolate.close.repeat(open);
  });
}

/**
 * Consecutive `lines` of one text (a cell wrapped in its column), each isolate a line break cut
 * closed at its line's end and opened again at the next one's start, as `wrapSpans` does.
 */
export function isolatesBalanced(lines: readonly string[]): readonly string[] {
  if (!lines.some((line) => line.includes(isolate.open))) return lines;
  let open = 0;
  return lines.map((line) => {
    const before = open;
    open = openIsolates(line, 0, line.length, open);
    return isolate.open.repeat(before) + line + isolate.close.repeat(open);
  });
}

/** The isolates open at `end` of `text`, `open` of them open at `start`. */
function openIsolates(text: string, start: number, end: number, open: number): number {
  let depth = open;
  isolateMark.lastIndex = start;
  for (let found = isolateMark.exec(text); found !== null && found.index < end; found = isolateMark.exec(text)) {
    if (found[0] === isolate.open) depth++;
    else if (depth > 0) depth--;
  }
  return depth;
}
const isolateMark = /[\u2068\u2069]/g;

/**
 * A warning as every command says it: `callhook: warning: …`, the whole message (the file names
 * and payload text in it) masked under `--mask` and escaped, as `formatFatal` says an error
 * (`diagnosticText`), and wrapped to `width`, the lines after the first indented, each of `names`
 * in it (file names) kept whole on one line. Ends with a newline.
 */
export function warningLine(message: string, width: number, names: readonly string[] = []): string {
  return wrapMessage(
    `callhook: warning: ${diagnosticText(message)}`,
    width,
    names.map((name) => diagnosticText(name)),
  );
}

/**
 * A message for stderr, already escaped, wrapped to `width` with its later lines indented two
 * columns, every place a text of `whole` is found in it never broken (a file name that holds
 * spaces or CJK, which could not be copied cut in two); ends in a newline.
 */
export function wrapMessage(text: string, width: number, whole: readonly string[] = []): string {
  const ranges: Array<[number, number]> = [];
  for (const part of whole) {
    if (part === '') continue;
    for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) ranges.push([at, at + part.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const spans: TextSpan[] = [];
  let end = 0;
  for (const [start, stop] of ranges) {
    const last = spans.at(-1);
    // Hint: a name inside another (`exports` in `exports/a.json`) is kept as part of it.
    if (last && start < end) {
      if (stop > end) last.text += text.slice(end, stop);
      end = Math.max(end, stop);
      continue;
    }
    if (start > end) spans.push({ text: text.slice(end, start) });
    spans.push({ text: text.slice(start, stop), keep: 'always' });
    end = stop;
  }
  spans.push({ text: text.slice(end) });
  return `${wrapSpans(spans, { width, firstIndent: '', indent: '  ' }).join('\n')}\n`;
}

/**
 * Appends `items` to `target` one by one. Hint: `target.push(...items)` passes every item as an
 * argument, and a 12 MB transcript wraps into more lines than the call stack holds.
 */
export function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/**
 * Where `text` is left once the blanks at its ends are cut off: from `start` to `end`. `isBlank`
 * sees each code unit at most once (and one of them twice). Hint: a loop, not
 * `/^(\s*)(.*?)(\s*)$/`: on a run of blanks before a last letter, the lazy middle tries the rest
 * of the run at each of its characters, quadratic (200,000 blanks took about half a minute).
 */
export function blankEnds(text: string, isBlank: (unit: string) => boolean): { start: number; end: number } {
  let start = 0;
  while (start < text.length && isBlank(text.charAt(start))) start++;
  let end = text.length;
  while (end > start && isBlank(text.charAt(end - 1))) end--;
  return { start, end };
}
