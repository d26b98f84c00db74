/**
 * Splits a byte stream of JSON into its elements without ever holding more than one element:
 * a lone object, each element of a top-level array (a delivery batch), or each value of an
 * NDJSON / JSON Lines file (which may itself be a batch). Strings, escapes and nesting depth
 * are tracked byte by byte, so chunk boundaries may fall anywhere, including inside a
 * multi-byte UTF-8 character. Structural mistakes between elements (a missing or trailing
 * comma, an unclosed array) are reported here, with their repair; mistakes inside an element
 * are left to the element's parser.
 */
import { isAscii } from 'node:buffer';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isSpace,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  RETURN,
  SPACE,
  TAB,
} from './bytes.js';
import { LayoutGuide } from './layout-guide.js';
import { notTextReason } from './sniff.js';

/** Where the splitter is in the file; `column` counts UTF-16 code units, as editors do. */
interface SplitPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * Where a second thread can start reading a file: at an element of its (first) top-level array,
 * after a comma (`batch`), or at a value at the top level, between values (`top`, as in NDJSON).
 */
export type ResumePoint = 'batch' | 'top';

/** One element cut out of the stream. */
export interface SplitElement extends SplitPosition {
  /** Ordinal of the top-level value (batch) the element belongs to. */
  batch: number;
  /** Ordinal among all elements of the file. */
  index: number;
  /** JSON pointer of the element inside its top-level value: `/3`, or `` for a lone value. */
  pointer: string;
  /** The element's bytes; empty when it was larger than the limit. */
  bytes: Buffer;
  /** The element was larger than `maxElementBytes` and was skipped unread. */
  oversize: boolean;
  /** Its size in bytes, even when oversize. */
  size: number;
  /** The deepest nesting inside it. */
  depth: number;
  /** How many `:` it holds outside strings: the number of object members, duplicates included. */
  members: number;
  /** It holds bytes outside ASCII (so its UTF-8 needs checking). */
  nonAscii: boolean;
  /** The file ended before the element did. */
  truncated: boolean;
  /**
   * The element was ended before it closed: at the end of its line (`line`, NDJSON), or where
   * the next element of its batch begins (`next`). Undefined when it closed, or the file ended.
   */
  cut?: 'line' | 'next' | undefined;
  /** For an element the file ended in: whether a string or only brackets were left open. */
  unclosed?: 'string' | 'bracket' | undefined;
}

/** A structural problem between elements. */
export interface SplitProblem extends SplitPosition {
  code: string;
  message: string;
  pointer: string;
  /** The source line(s) around the position, when the bytes were still at hand. */
  frame?: string | undefined;
  repair?: { offset: number; deleteBytes: number; insert: string } | undefined;
  /** The file cannot be read further (binary, UTF-16). */
  fatal?: boolean | undefined;
}

/** The end of a top-level value, at the position where it began, with how many elements it held. */
export interface SplitBatchEnd extends SplitPosition {
  batch: number;
  /** True when the value was a JSON array (a batch), false for a lone value. */
  isArray: boolean;
  elements: number;
}

/** What the splitter reports as it goes. */
export interface SplitSink {
  element(element: SplitElement): void;
  /**
   * When present, offered each `{` element that the splitter found by its layout alone, with its
   * `depth` and `members` not counted (0): in a pretty-printed batch, up to the next line holding
   * the element's indentation and `}`; at the top level (NDJSON), up to the end of its line. It
   * returns true to take it, false to have it read byte by byte and handed to `element` instead.
   * Hint: the guess is safe when it is taken only if its bytes parse as JSON. A text that parses
   * as one object from this `{` ends where the byte-by-byte reading would end it; one that does
   * not (a wrong guess, or a broken element) is read again as if it had never been offered.
   */
  tryElement?(element: SplitElement): boolean;
  problem(problem: SplitProblem): void;
  batchEnd?(end: SplitBatchEnd): void;
}

/** Limits that keep memory bounded whatever the input. */
interface SplitLimits {
  maxElementBytes: number;
}

enum Mode {
  /** At the top level, before a value (or between NDJSON values). */
  Top,
  /** Inside a top-level array, expecting an element. */
  BatchElement,
  /** Inside a top-level array, after an element: expecting `,` or `]`. */
  BatchComma,
  /** Inside an element. */
  Element,
  /** The file is unreadable (binary, UTF-16); everything else is ignored. */
  Dead,
}

/**
 * What the first bytes of the next line decide (see `ElementSplitter.atLineHead`): whether a
 * broken element ends before it.
 */
enum LineHead {
  None,
  /** A batch element's line ended: a line at its indentation opening `{` begins the next element. */
  Indent,
  /** The file's first value is open past its first line: a line opening as it did makes the file NDJSON. */
  FirstLine,
}

// 1 for the bytes a string's scan passes over: ASCII but for `"`, `\` and a newline.
const plainInString = new Uint8Array(256);
for (let byte = 0; byte < 0x80; byte++) plainInString[byte] = 1;
plainInString[QUOTE] = 0;
plainInString[BACKSLASH] = 0;
plainInString[NEWLINE] = 0;

function isDelimiter(byte: number): boolean {
  return (
    isSpace(byte) ||
    byte === COMMA ||
    byte === COLON ||
    byte === QUOTE ||
    byte === OPEN_BRACE ||
    byte === CLOSE_BRACE ||
    byte === OPEN_BRACKET ||
    byte === CLOSE_BRACKET
  );
}

/**
 * Two lines of source around `index` in `text`, with a caret under the problem, for messages.
 * `text` may begin mid-line (an element's text, or a window of a chunk): the true `column` says
 * how much of the line is missing on the left. Long lines are cut to a window around the caret,
 * so a minified file still gives a readable frame.
 */
export function codeFrame(text: string, index: number, line: number, column: number): string {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let lineEnd = text.indexOf('\n', index);
  if (lineEnd === -1) lineEnd = text.length;
  const missing = column - 1 - (index - lineStart);
  // Hint: what is missing on the left of an element is indentation, so short gaps are padded.
  const prefix = missing <= 0 ? '' : missing <= 40 ? ' '.repeat(missing) : '…';
  const width = String(line).length;
  const clip = (source: string, caretAt: number): [string, number] => {
    const clean = source.replace(/\r$/, '').replaceAll('\t', ' ');
    if (clean.length <= 76) return [clean, caretAt];
    const from = Math.max(0, Math.min(caretAt - 38, clean.length - 76));
    const shown = `${from > 0 ? '…' : ''}${clean.slice(from, from + 76)}${from + 76 < clean.length ? '…' : ''}`;
    return [shown, caretAt - from + (from > 0 ? 1 : 0)];
  };
  const rows: string[] = [];
  if (lineStart > 0 && line > 1) {
    const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
    const [previous] = clip(text.slice(previousStart, lineStart - 1), 0);
    if (previous.trim()) rows.push(`  ${String(line - 1).padStart(width)} | ${previous}`);
  }
  const [current, caret] = clip(prefix + text.slice(lineStart, lineEnd), prefix.length + index - lineStart);
  rows.push(`> ${String(line).padStart(width)} | ${current}`);
  rows.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, caret))}^`);
  return rows.join('\n');
}

/** The streaming splitter: feed it chunks with `push`, then call `end`. */
export class ElementSplitter {
  private readonly sink: SplitSink;
  private readonly limits: SplitLimits;

  // Position of the next byte to read.
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  // UTF-16 correction for the current line: bytes that do not start a UTF-16 unit, and
  // 4-byte sequences that make two.
  private lineContinuations = 0;
  private lineAstral = 0;

  private mode = Mode.Top;
  private started = false;
  private batch = -1;
  private index = 0;
  private inBatchIndex = 0;
  private batchOpen: SplitPosition | undefined;
  private afterComma: SplitPosition | undefined;
  // Where the last element ended (a missing comma's position), kept as numbers: no allocation.
  private lastEndOffset = 0;
  private lastEndLine = 1;
  private lastEndColumn = 1;
  private valuesAtTop = 0;
  private reportedTopComma = false;

  // Recovery: damage stays inside the element that holds it.
  // The file is line-delimited (NDJSON): a top-level value has begun and ended on one line.
  private lineDelimited = false;
  // The current top-level value began on the line being read, and ends with it if the file is
  // line-delimited; where it began, and its first byte.
  private onTopLine = false;
  private topStart: SplitPosition = { offset: 0, line: 1, column: 1 };
  private topOpener = 0;
  // The file's first value did not close on its first line, which held more than its opener: a
  // line that opens as it did (at column 1) ends it, and makes the file NDJSON.
  private watchFirstValue = false;
  // The indentation of the batch element being read, when it opened its own line (else -1), and
  // what the next line's first byte will decide.
  private indentWatch = -1;
  private lineHead = LineHead.None;
  // The line break before the line whose head is awaited.
  private lineBreak: SplitPosition = { offset: 0, line: 1, column: 1 };

  // The element being read.
  private depth = 0;
  private maxDepth = 0;
  private members = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private nonAscii = false;
  private elementStart: SplitPosition = { offset: 0, line: 1, column: 1 };
  private elementPointer = '';
  private parts: Buffer[] = [];
  private partsSize = 0;
  private oversize = false;

  // The quick path (see `tryElement`): where an element ends, guessed from the layout.
  private readonly guide: LayoutGuide;

  // The chunk being read, for code frames.
  private chunk: Buffer = Buffer.alloc(0);
  private chunkOffset = 0;

  constructor(sink: SplitSink, limits: SplitLimits) {
    this.sink = sink;
    this.limits = limits;
    this.guide = new LayoutGuide(limits.maxElementBytes);
  }

  /**
   * Starts reading at byte `offset` of a file, at `point` (after values were read before it):
   * how a second thread reads the second half of a large export. Lines count from 1 again, and
   * pointers from `/0`; only `atResumePoint` on the thread that read the first half can tell
   * whether the guess of that state was right.
   */
  resumeAt(offset: number, point: ResumePoint): void {
    const position = { offset, line: 1, column: 1 };
    this.started = true;
    this.offset = offset;
    this.lineStart = offset;
    this.valuesAtTop = 1;
    this.batch = 0;
    // Hint: values at the top level one after another are lines of NDJSON; `atResumePoint` holds
    // the first thread to the same reading.
    if (point === 'top') this.lineDelimited = true;
    if (point === 'batch') {
      this.mode = Mode.BatchElement;
      this.batchOpen = position;
      this.afterComma = position;
      this.inBatchIndex = 0;
    }
  }

  /**
   * True when the splitter is where `resumeAt` starts for `point`: in the first top-level array,
   * after a comma, before an element (`batch`); at the top level after a value, with no comma
   * or array open (`top`).
   */
  atResumePoint(point: ResumePoint): boolean {
    if (this.reportedTopComma || this.valuesAtTop === 0) return false;
    if (point === 'top') return this.mode === Mode.Top && this.afterComma === undefined && this.lineDelimited;
    return (
      this.mode === Mode.BatchElement &&
      this.batch === 0 &&
      this.valuesAtTop === 1 &&
      this.batchOpen !== undefined &&
      this.afterComma !== undefined
    );
  }

  /** The current position (of the next byte). */
  position(): SplitPosition {
    return this.at(this.offset);
  }

  /** The position of `offset`, which must be on the current line at or after its start. */
  private at(offset: number): SplitPosition {
    return {
      offset,
      line: this.line,
      column: Math.max(1, offset - this.lineStart - this.lineContinuations + this.lineAstral + 1),
    };
  }

  private frameFor(position: SplitPosition): string | undefined {
    const index = position.offset - this.chunkOffset;
    if (index < 0 || index > this.chunk.length) return undefined;
    // Decode only the neighbourhood: a frame needs two lines, not a 1 MiB chunk.
    let from = Math.max(0, index - 400);
    while (from > 0 && from < index && (this.chunk[from]! & 0xc0) === 0x80) from++;
    const before = this.chunk.toString('utf8', from, index);
    const after = this.chunk.toString('utf8', index, Math.min(this.chunk.length, index + 200));
    return codeFrame(before + after, before.length, position.line, position.column);
  }

  private problem(
    position: SplitPosition,
    code: string,
    message: string,
    pointer: string,
    repair?: SplitProblem['repair'],
  ): void {
    this.sink.problem({ ...position, code, message, pointer, frame: this.frameFor(position), repair });
  }

  private beginElement(position: SplitPosition, pointer: string): void {
    this.mode = Mode.Element;
    this.elementStart = position;
    this.elementPointer = pointer;
    this.depth = 0;
    this.maxDepth = 0;
    this.members = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = false;
    this.nonAscii = false;
    this.parts = [];
    this.partsSize = 0;
    this.oversize = false;
  }

  private keep(bytes: Buffer): void {
    if (this.oversize) {
      this.partsSize += bytes.length;
      return;
    }
    this.parts.push(bytes);
    this.partsSize += bytes.length;
    if (this.partsSize > this.limits.maxElementBytes) {
      // Hint: past the limit only the count is kept, so one runaway element (an unclosed
      // bracket in a 2 GB file) cannot take the memory with it.
      this.oversize = true;
      this.parts = [];
    }
  }

  private finishElement(endOffset: number, truncated: boolean, cut?: 'line' | 'next'): void {
    const bytes = this.oversize
      ? Buffer.alloc(0)
      : this.parts.length === 1
        ? this.parts[0]!
        : Buffer.concat(this.parts, this.partsSize);
    // Hint: the parts are let go before the element is handed on, so that a large one is not held twice.
    this.parts = [];
    const inBatch = this.batchOpen !== undefined;
    const start = this.elementStart;
    this.sink.element({
      offset: start.offset,
      line: start.line,
      column: start.column,
      batch: this.batch,
      index: this.index++,
      pointer: this.elementPointer,
      bytes,
      oversize: this.oversize,
      size: this.partsSize,
      depth: this.maxDepth,
      members: this.members,
      nonAscii: this.nonAscii,
      truncated,
      cut,
      unclosed: truncated ? (this.inString ? 'string' : 'bracket') : undefined,
    });
    if (inBatch) this.afterBatchElement(endOffset);
    else {
      if (start.line === this.line && cut === undefined) this.lineDelimited = true;
      this.onTopLine = false;
      this.watchFirstValue = false;
      this.parts = [];
      this.lastEnd(endOffset);
      this.mode = Mode.Top;
      this.sink.batchEnd?.({ ...start, batch: this.batch, isArray: false, elements: 1 });
    }
  }

  private lastEnd(endOffset: number): void {
    this.lastEndOffset = endOffset;
    this.lastEndLine = this.line;
    this.lastEndColumn = this.at(endOffset).column;
  }

  private afterBatchElement(endOffset: number): void {
    this.parts = [];
    this.lastEnd(endOffset);
    this.inBatchIndex++;
    this.mode = Mode.BatchComma;
  }

  /** Whether the top-level value's first line, which ends at `lineBreak`, held more than its opener. */
  private firstLineHeldMore(lineBreak: number, chunk: Buffer, base: number): boolean {
    if (this.batchOpen)
      return this.mode !== Mode.BatchElement || this.inBatchIndex > 0 || this.afterComma !== undefined;
    const bytes = lineBreak - this.topStart.offset;
    if (bytes !== 2) return bytes > 2;
    // `{` and one byte: a `\r`, or more.
    const at = this.topStart.offset + 1;
    let second: number | undefined;
    if (at >= base) second = chunk[at - base];
    else {
      let index = 1;
      for (const part of this.parts) {
        if (index < part.length) {
          second = part[index];
          break;
        }
        index -= part.length;
      }
    }
    return second !== RETURN && second !== SPACE && second !== TAB;
  }

  /** Keeps the element's bytes up to `size` of those already kept. */
  private trimTo(size: number): void {
    if (!this.oversize) {
      const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsSize);
      this.parts = [all.subarray(0, size)];
    }
    this.partsSize = size;
  }

  /**
   * Ends the element being read, before it closed, at the line break at file offset `end` (in
   * `chunk`, which starts at file offset `base` and holds the element from `elementFrom`, or
   * before it): a line of NDJSON (`line`), or an element of a batch whose next element begins
   * on the next line (`next`). A `\r` before the line break is left out.
   */
  private cutElement(end: number, chunk: Buffer, elementFrom: number, base: number, cut: 'line' | 'next'): void {
    if (end >= base) this.keep(chunk.subarray(elementFrom, end - base));
    else this.trimTo(end - this.elementStart.offset);
    let last = end;
    const lastPart = this.parts.at(-1);
    if (!this.oversize && lastPart !== undefined && lastPart[lastPart.length - 1] === RETURN) {
      last--;
      this.trimTo(this.partsSize - 1);
    }
    this.finishElement(last, false, cut);
  }

  /**
   * Ends the top-level value at the line break at `lineBreak`, as NDJSON does with a line: an
   * element left open is cut there, and so is a batch, with a problem saying so.
   */
  private endLineValue(lineBreak: SplitPosition, chunk: Buffer, elementFrom: number, base: number): void {
    this.onTopLine = false;
    this.watchFirstValue = false;
    if (this.mode === Mode.Element) this.cutElement(lineBreak.offset, chunk, elementFrom, base, 'line');
    const open = this.batchOpen;
    if (open) {
      this.problem(
        lineBreak,
        'unexpected-eol',
        `unexpected end of the line: the array opened at line ${open.line}, column ${open.column} is not closed (NDJSON: one value a line)`,
        '',
      );
      this.endBatch(lineBreak, false);
    }
  }

  /**
   * The quick path for the `{` at `chunk[i]`, which begins an element of a batch: when it opens
   * its line after indentation alone, the element's end is looked for as the next line with that
   * indentation and `}`, and the bytes up to it are offered to `tryElement`. Returns the index in
   * the chunk just past the element when it was taken; -1 leaves the byte to the byte-by-byte path.
   */
  private tryQuick(chunk: Buffer, i: number, base: number): number {
    const indent = base + i - this.lineStart;
    if (!this.guide.opensBlock(chunk, i, indent)) return -1;
    const end = this.guide.blockEnd(chunk, i, indent);
    if (end === -1 || !this.offer(chunk.subarray(i, end))) return this.guide.miss();
    this.line += this.guide.blockLines;
    this.lineStart = base + end - indent - 1;
    this.lineContinuations = 0;
    this.lineAstral = 0;
    this.afterBatchElement(base + end);
    return end;
  }

  /**
   * The quick path for the `{` at `chunk[i]`, which begins a value at the top level, as each line
   * of NDJSON does: the value is looked for as the rest of its line, less the spaces that end it.
   * Returns the index in the chunk just past the value when it was taken (the line break is left
   * to the byte-by-byte path); -1 leaves the byte to the byte-by-byte path.
   */
  private tryQuickLine(chunk: Buffer, i: number, base: number): number {
    const end = this.guide.lineEnd(chunk, i);
    if (end === -1 || !this.offer(chunk.subarray(i, end))) return this.guide.miss();
    // Hint: the columns of this line are not brought up to date with the value's characters: all
    // that is left of the line is spaces, and no position among them is ever reported.
    this.parts = [];
    this.lastEnd(base + end);
    this.mode = Mode.Top;
    this.lineDelimited = true;
    this.onTopLine = false;
    this.sink.batchEnd?.({ ...this.elementStart, batch: this.batch, isArray: false, elements: 1 });
    return end;
  }

  /** Offers `bytes`, the element begun at `elementStart`, to `tryElement`; true when it was taken. */
  private offer(bytes: Buffer): boolean {
    const start = this.elementStart;
    const element: SplitElement = {
      offset: start.offset,
      line: start.line,
      column: start.column,
      batch: this.batch,
      index: this.index,
      pointer: this.elementPointer,
      bytes,
      oversize: false,
      size: bytes.length,
      depth: 0,
      members: 0,
      nonAscii: !isAscii(bytes),
      truncated: false,
    };
    if (!this.sink.tryElement?.(element)) return false;
    this.guide.hit();
    this.index++;
    return true;
  }

  private beginTopValue(byte: number, position: SplitPosition): void {
    if (this.valuesAtTop > 0 && this.afterComma && !this.reportedTopComma) {
      this.reportedTopComma = true;
      this.problem(
        this.afterComma,
        'top-level-comma',
        'values at the top level are separated by a comma: wrap them in [ ] for a batch, or put one per line (NDJSON)',
        '',
      );
    }
    this.afterComma = undefined;
    this.valuesAtTop++;
    this.batch++;
    this.topStart = position;
    this.topOpener = byte;
    this.onTopLine = this.lineDelimited || this.valuesAtTop === 1;
    if (byte === OPEN_BRACKET) {
      this.mode = Mode.BatchElement;
      this.batchOpen = position;
      this.inBatchIndex = 0;
    } else {
      this.beginElement(position, '');
    }
  }

  private unexpected(byte: number, position: SplitPosition, pointer: string): void {
    this.problem(position, 'unexpected-character', `unexpected ${JSON.stringify(String.fromCharCode(byte))}`, pointer, {
      offset: position.offset,
      deleteBytes: 1,
      insert: '',
    });
  }

  /**
   * Where to end a push of `chunk[from, to)`, `to` short of the chunk's end, so that the quick
   * path finds no element cut in two: at the line break before the last line in it that opens an
   * element (a batch), or after its last line break (NDJSON); `to` when it holds neither.
   */
  pushEnd(chunk: Buffer, from: number, to: number): number {
    if (!this.sink.tryElement) return to;
    return this.guide.pushEnd(chunk, from, to, this.batchOpen ? 'batch' : this.mode === Mode.Top ? 'top' : 'element');
  }

  /** Reads one more chunk of the file; the chunk's memory may be reused once this returns. */
  push(chunk: Buffer): void {
    if (this.mode === Mode.Dead || chunk.length === 0) return;
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        // A UTF-8 BOM is invisible to editors: columns start after it.
        i = 3;
        this.lineStart = 3;
      } else if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        this.mode = Mode.Dead;
        this.sink.problem({
          offset: 0,
          line: 1,
          column: 1,
          pointer: '',
          code: 'utf16',
          message: 'the file is UTF-16; JSON must be UTF-8 (convert it with: iconv -f UTF-16 -t UTF-8)',
          fatal: true,
        });
        return;
      }
    }
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      // A NUL byte can appear in no JSON text, even inside a string: the file is binary or UTF-16.
      this.offset += nul;
      this.mode = Mode.Dead;
      this.sink.problem({
        ...this.at(this.offset),
        pointer: '',
        code: 'binary',
        message: `the file is not JSON text: NUL byte at byte offset ${this.offset} (binary, or UTF-16 without a BOM?)`,
        fatal: true,
      });
      return;
    }
    if (this.offset === 0) {
      const reason = notTextReason(chunk.subarray(i, i + 4096), i);
      if (reason !== undefined) {
        this.mode = Mode.Dead;
        this.sink.problem({ offset: 0, line: 1, column: 1, pointer: '', code: 'binary', message: reason, fatal: true });
        return;
      }
    }
    this.chunk = chunk;
    this.chunkOffset = this.offset;
    const base = this.offset;
    const length = chunk.length;
    let elementFrom = this.mode === Mode.Element ? 0 : -1;

    // Hint: the element state is copied into locals for the hot loop and written back after.
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let members = this.members;
    let maxDepth = this.maxDepth;

    scan: for (; i < length; i++) {
      let byte = chunk[i]!;
      if (this.mode === Mode.Element && !this.scalar && this.lineHead === LineHead.None) {
        // Hint: the fast path for the bulk of a file, the inside of an element. It takes the
        // ASCII bytes that only move the nesting, string and line state, and leaves the byte in
        // hand to the general path below for anything else (non-ASCII, the element's end).
        for (;;) {
          if (inString) {
            if (escaped) {
              if (byte === NEWLINE || byte >= 0x80) break;
              escaped = false;
            } else {
              while (plainInString[byte] === 1) {
                if (++i === length) break scan;
                byte = chunk[i]!;
              }
              if (byte === BACKSLASH) escaped = true;
              else if (byte === QUOTE && depth > 0) inString = false;
              else break;
            }
          } else if (byte === SPACE) {
            while (chunk[i + 1] === SPACE) i++;
          } else if (byte === QUOTE) inString = true;
          else if (byte === COLON) members++;
          else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            if (++depth > maxDepth) maxDepth = depth;
          } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
            if (depth <= 1) break;
            depth--;
          } else if (byte === NEWLINE) {
            // Hint: the line break is left to the general path when it may end a broken element:
            // a value's first line, or a batch element's line followed by one that is not
            // indented deeper than the element (undefined past the chunk's end).
            if (this.onTopLine || this.watchFirstValue) break;
            const indent = this.indentWatch;
            if (indent > 0) {
              const head = chunk[i + 1 + indent];
              if (head !== SPACE && head !== TAB) break;
            }
            this.line++;
            this.lineStart = base + i + 1;
            this.lineContinuations = 0;
            this.lineAstral = 0;
          } else if (byte >= 0x80) break;
          if (++i === length) break scan;
          byte = chunk[i]!;
        }
      }
      // (A string is always read by the fast path above, which stops only at a byte the state
      // machine below must see.)
      if (this.lineHead !== LineHead.None && byte !== SPACE && byte !== TAB && byte !== RETURN) {
        // The first byte of the line after one that left an element open decides whether the
        // element ends before this line; a blank line decides nothing.
        const head = this.lineHead;
        this.lineHead = LineHead.None;
        const column = base + i - this.lineStart;
        this.members = members;
        this.maxDepth = maxDepth;
        this.depth = depth;
        if (byte === NEWLINE) {
          // nothing to decide
        } else if (head === LineHead.FirstLine) {
          if (column === 0 && byte === this.topOpener) {
            this.lineDelimited = true;
            this.endLineValue(this.lineBreak, chunk, elementFrom, base);
            elementFrom = -1;
          } else if (this.topOpener === OPEN_BRACE && byte !== QUOTE && byte !== CLOSE_BRACE) {
            // Not the next member of a pretty-printed object: watch on, as if the first line held more.
            this.watchFirstValue = true;
          }
        } else if (this.mode === Mode.Element) {
          const indent = this.indentWatch;
          if ((column === indent && byte === OPEN_BRACE) || (column < indent && byte === CLOSE_BRACKET)) {
            this.cutElement(this.lineBreak.offset, chunk, elementFrom, base, 'next');
            elementFrom = -1;
            if (byte === OPEN_BRACE) {
              this.mode = Mode.BatchElement;
              this.afterComma = undefined;
            }
          }
        }
      }
      if (byte === SPACE && !inString && !this.scalar) continue;
      if (byte === NEWLINE && this.scalar && this.mode === Mode.Element) {
        // A scalar ends on its own line, before the line break is counted.
        this.scalar = false;
        this.keep(chunk.subarray(elementFrom, i));
        this.finishElement(base + i, false);
        elementFrom = -1;
      }
      if (byte === NEWLINE && this.mode !== Mode.Top) {
        if (this.onTopLine) {
          // The end of a top-level value's first line: in NDJSON the value ends here, closed or not.
          this.onTopLine = false;
          this.lineBreak = this.at(base + i);
          if (this.lineDelimited) {
            this.members = members;
            this.maxDepth = maxDepth;
            this.depth = depth;
            this.endLineValue(this.lineBreak, chunk, elementFrom, base);
            elementFrom = -1;
            inString = false;
            escaped = false;
          } else {
            // Hint: a pretty-printed value's second line never opens as the value does, but a
            // nested one later may, unless its first line held more than `{` or `[` alone.
            this.lineHead = LineHead.FirstLine;
            this.watchFirstValue = this.firstLineHeldMore(base + i, chunk, base);
          }
        } else if (this.watchFirstValue) {
          this.lineBreak = this.at(base + i);
          this.lineHead = LineHead.FirstLine;
        } else if (this.indentWatch > 0 && this.mode === Mode.Element) {
          this.lineBreak = this.at(base + i);
          this.lineHead = LineHead.Indent;
        }
      }
      if (byte === NEWLINE) {
        this.line++;
        this.lineStart = base + i + 1;
        this.lineContinuations = 0;
        this.lineAstral = 0;
      } else if (byte >= 0x80) {
        if ((byte & 0xc0) === 0x80) this.lineContinuations++;
        else if (byte >= 0xf0) this.lineAstral++;
        if (this.mode === Mode.Element) this.nonAscii = true;
      }

      if (this.mode === Mode.Element) {
        if (inString) {
          if (escaped && byte !== NEWLINE) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE || byte === NEWLINE) {
            // Hint: a raw newline cannot be inside a JSON string, so an unterminated string ends
            // at its line (even after a `\`), as the element parser also decides; the rest of the
            // file stays in step.
            inString = false;
            escaped = false;
            if (depth === 0) {
              this.depth = depth;
              this.keep(chunk.subarray(elementFrom, i + 1));
              this.finishElement(base + i + 1, false);
              elementFrom = -1;
            }
          }
          continue;
        }
        if (this.scalar) {
          if (!isDelimiter(byte)) continue;
          this.scalar = false;
          this.keep(chunk.subarray(elementFrom, i));
          this.finishElement(base + i, false);
          elementFrom = -1;
          // fall through: this byte belongs to what follows the scalar
        } else {
          if (byte === QUOTE) inString = true;
          else if (byte === COLON) members++;
          else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            depth++;
            if (depth > maxDepth) maxDepth = depth;
          } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
            depth--;
            if (depth <= 0) {
              depth = 0;
              this.members = members;
              this.maxDepth = maxDepth;
              this.keep(chunk.subarray(elementFrom, i + 1));
              this.finishElement(base + i + 1, false);
              elementFrom = -1;
            }
          }
          continue;
        }
      }

      if (isSpace(byte)) continue;
      const position = this.at(base + i);
      // Whether the element beginning here (if one does) opens its line.
      let ownLine = false;
      if (this.mode === Mode.Top) {
        if (byte === COMMA && this.valuesAtTop > 0) {
          this.afterComma = position;
          continue;
        }
        if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === COMMA || byte === COLON) {
          this.unexpected(byte, position, '');
          continue;
        }
        this.beginTopValue(byte, position);
        if ((this.mode as Mode) === Mode.BatchElement) continue;
      } else if (this.mode === Mode.BatchElement) {
        if (byte === CLOSE_BRACKET) {
          if (this.afterComma) {
            this.problem(this.afterComma, 'trailing-comma', 'trailing comma before "]"', '', {
              offset: this.afterComma.offset,
              deleteBytes: 1,
              insert: '',
            });
          }
          this.endBatch(position, true);
          continue;
        }
        if (byte === COMMA || byte === COLON || byte === CLOSE_BRACE) {
          if (byte === COMMA) {
            const what = this.afterComma ? 'two commas in a row' : 'comma before the first element';
            this.problem(position, 'unexpected-comma', what, `/${this.inBatchIndex}`, {
              offset: position.offset,
              deleteBytes: 1,
              insert: '',
            });
          } else this.unexpected(byte, position, `/${this.inBatchIndex}`);
          continue;
        }
        ownLine = (this.afterComma ?? this.batchOpen ?? position).line < position.line;
        this.afterComma = undefined;
        this.beginElement(position, `/${this.inBatchIndex}`);
      } else if (this.mode === Mode.BatchComma) {
        if (byte === COMMA) {
          this.afterComma = position;
          this.mode = Mode.BatchElement;
          continue;
        }
        if (byte === CLOSE_BRACKET) {
          this.endBatch(position, true);
          continue;
        }
        if (byte === CLOSE_BRACE || byte === COLON) {
          this.unexpected(byte, position, `/${this.inBatchIndex}`);
          continue;
        }
        const end = { offset: this.lastEndOffset, line: this.lastEndLine, column: this.lastEndColumn };
        this.problem(end, 'missing-comma', 'missing comma between array elements', `/${this.inBatchIndex}`, {
          offset: end.offset,
          deleteBytes: 0,
          insert: ',',
        });
        ownLine = this.lastEndLine < position.line;
        this.beginElement(position, `/${this.inBatchIndex}`);
      }

      // A new element starts at this byte. Hint: a batch element that opens its line is watched
      // by its indentation, so that a broken one ends where the next begins.
      this.indentWatch =
        ownLine && !this.onTopLine && (byte === OPEN_BRACE || byte === OPEN_BRACKET) && position.column <= 33
          ? position.column - 1
          : -1;
      if (byte === OPEN_BRACE && this.guide.active && this.sink.tryElement) {
        const end = this.batchOpen ? this.tryQuick(chunk, i, base) : this.tryQuickLine(chunk, i, base);
        if (end !== -1) {
          i = end - 1;
          continue;
        }
      }
      elementFrom = i;
      depth = 0;
      maxDepth = 0;
      members = 0;
      inString = false;
      escaped = false;
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth = 1;
        maxDepth = 1;
      } else this.scalar = true;
    }

    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.members = members;
    this.maxDepth = maxDepth;
    // Hint: a copy, not a view: the caller may reuse the chunk's memory for its next read.
    if (this.mode === Mode.Element && elementFrom !== -1) this.keep(Buffer.from(chunk.subarray(elementFrom)));
    this.offset = base + length;
  }

  private endBatch(position: SplitPosition, closed: boolean): void {
    const open = this.batchOpen ?? position;
    if (closed && open.line === position.line) this.lineDelimited = true;
    this.onTopLine = false;
    this.watchFirstValue = false;
    this.sink.batchEnd?.({ ...open, batch: this.batch, isArray: true, elements: this.inBatchIndex });
    this.batchOpen = undefined;
    this.afterComma = undefined;
    this.mode = Mode.Top;
  }

  /** Ends the file: reports what was left open. */
  end(): void {
    if (this.mode === Mode.Dead) return;
    this.chunk = Buffer.alloc(0);
    this.lineHead = LineHead.None;
    if (this.mode === Mode.Element) {
      this.finishElement(this.offset, !this.scalar);
    }
    if (this.batchOpen) {
      const open = this.batchOpen;
      if (this.afterComma) {
        this.problem(this.afterComma, 'trailing-comma', 'trailing comma at the end of the file', '', {
          offset: this.afterComma.offset,
          deleteBytes: 1,
          insert: '',
        });
      }
      this.sink.problem({
        ...this.position(),
        code: 'unexpected-eof',
        message: `unexpected end of file: the array opened at line ${open.line}, column ${open.column} is not closed`,
        pointer: '',
        repair: { offset: this.offset, deleteBytes: 0, insert: ']' },
      });
      this.endBatch(this.position(), false);
    }
    if (this.valuesAtTop === 0) {
      this.sink.problem({
        ...this.position(),
        code: 'empty',
        message: 'the file holds no JSON value',
        pointer: '',
      });
    }
  }
}
