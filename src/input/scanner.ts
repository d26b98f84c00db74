/**
 * The byte scanner under the splitter (see split.ts): where the reading is in the file (line,
 * and column in UTF-16 code units, as editors count) and, inside an element, the state of its
 * text: in a string or not, after a `\` or not, how deep, how many members. It knows nothing of
 * elements, batches or recovery; the splitter decides those at the bytes where the scanner stops.
 */
import { isAscii } from 'node:buffer';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  RETURN,
  SPACE,
  TAB,
  UTF8_BOM,
} from './bytes.js';

/** A place in the file; `column` counts UTF-16 code units, as editors do. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/**
 * Which line breaks inside an element the scanner stops at, for the splitter to decide whether
 * the element ends there: `watchEvery` one, `watchNone`, or (n > 0) a line break followed by a
 * line not indented deeper than n bytes, or by one of blanks alone.
 */
export type LineWatch = number;
/** Stop at every line break (see `LineWatch`). */
export const watchEvery = -1;
/** Stop at no line break (see `LineWatch`). */
export const watchNone = 0;

// 1 for the bytes a string's scan passes over: ASCII but for `"`, `\` and a newline.
const plainInString = new Uint8Array(256);
for (let byte = 0; byte < 0x80; byte++) plainInString[byte] = 1;
plainInString[QUOTE] = 0;
plainInString[BACKSLASH] = 0;
plainInString[NEWLINE] = 0;

/** Reads bytes: the position, and the text state of the element being read. */
export class ByteScanner {
  /** The line being read (from 1), and the file offset where it began. */
  line = 1;
  lineStart = 0;
  // UTF-16 correction for the current line: bytes that do not start a UTF-16 unit, and 4-byte
  // sequences that make two.
  private lineContinuations = 0;
  private lineAstral = 0;
  // The character being read, as WHATWG's UTF-8 decoder (and so an editor) reads it: the
  // continuation bytes it still needs, the file offset where the next must stand and the range
  // it must be in, and whether it is a 4-byte one, which makes a second unit at its last byte.
  private needed = 0;
  private neededAt = -1;
  private lower = 0x80;
  private upper = 0xbf;
  private astral = false;
  // In a text passed over (see `passOver`): the continuation bytes its last character still needs.
  private characterLeft = 0;

  /** The element's text state: nesting now and deepest, `:` outside strings, string and escape. */
  depth = 0;
  maxDepth = 0;
  members = 0;
  inString = false;
  escaped = false;
  /** The element holds bytes outside ASCII (so its UTF-8 needs checking). */
  nonAscii = false;

  /** The position of `offset`, which must be on the current line at or after its start. */
  at(offset: number): Position {
    return { offset, line: this.line, column: this.columnAt(offset) };
  }

  /** The column of `offset`, which must be on the current line at or after its start. */
  columnAt(offset: number): number {
    return Math.max(1, offset - this.lineStart - this.lineContinuations + this.lineAstral + 1);
  }

  /** Starts the lines at `offset` (after a byte order mark, or where a second thread starts). */
  startLine(offset: number): void {
    this.lineStart = offset;
    this.lineContinuations = 0;
    this.lineAstral = 0;
  }

  /** Counts the line break at file offset `offset`. */
  lineBreak(offset: number): void {
    this.line++;
    this.startLine(offset + 1);
  }

  /** Counts `lines` line breaks passed over unread, the last one just before `lineStart`. */
  skipLines(lines: number, lineStart: number): void {
    this.line += lines;
    this.startLine(lineStart);
  }

  /**
   * Counts the lines and columns of `bytes`, at file offset `offset` on, passed over rather than
   * scanned: a text read again only to say where reading stopped (see `placedBytesOf` in
   * commands/fix.ts). Hint: as the splitter does, a UTF-8 byte order mark is no column. Counted by
   * this loop, a 13 MB export on one line took 23 ms a pass; by StringDecoder's length, 104 ms.
   */
  passOver(bytes: Buffer, offset: number): void {
    let from = 0;
    if (offset === 0) {
      const head = Math.min(bytes.length, UTF8_BOM.length);
      if (bytes.subarray(0, head).equals(UTF8_BOM.subarray(0, head))) from = head;
      this.startLine(from);
    }
    for (let at = bytes.indexOf(NEWLINE, from); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) {
      this.line++;
      from = at + 1;
      this.startLine(offset + from);
      this.characterLeft = 0;
    }
    if (isAscii(bytes.subarray(from))) {
      if (from < bytes.length) this.characterLeft = 0;
      return;
    }
    for (let i = from; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (byte < 0x80) this.characterLeft = 0;
      else {
        this.multiByteUnit(byte, offset + i);
        // Hint: as the decoder reads it: a lead out of range (0xC0, 0xF5) or one whose next byte is
        // out of its range (0xE0 0x80) is a whole U+FFFD, no character left open (review hR126).
        this.characterLeft = this.needed;
      }
    }
  }

  /**
   * Where a text passed over (see `passOver`) stops, at `offset`: inside a character cut short,
   * at that character, as the splitter places a file that stops there.
   */
  passedAt(offset: number): Position {
    const place = this.at(offset);
    return this.characterLeft > 0 ? { ...place, column: place.column - 1 } : place;
  }

  /** Counts a byte of a multi-byte UTF-8 character, at file offset `offset`. */
  nonAsciiByte(byte: number, offset: number): void {
    this.multiByteUnit(byte, offset);
    this.nonAscii = true;
  }

  /**
   * Counts what a byte of a multi-byte UTF-8 character, at file offset `offset`, does to the
   * column: a continuation of the character begun right before it is no unit; a lead is one; a 4-byte
   * character's second unit is counted at its last byte, so one the end of the file (or a byte
   * that is no continuation) cuts short is one unit, the U+FFFD an editor shows. A byte that is no
   * part of a character (a lone 0xA0, a Windows-1252 no-break space; 0xC0, 0xF5–0xFF; a
   * continuation out of its lead's range) is one U+FFFD, one unit, as WHATWG's decoder reads it.
   * Hint: it counted no column for a lone continuation byte, so every column after one on its
   * line was one short (red team hR124).
   */
  private multiByteUnit(byte: number, offset: number): void {
    if (this.needed > 0 && offset === this.neededAt && byte >= this.lower && byte <= this.upper) {
      this.lineContinuations++;
      this.lower = 0x80;
      this.upper = 0xbf;
      this.neededAt = offset + 1;
      if (--this.needed === 0 && this.astral) this.lineAstral++;
      return;
    }
    this.neededAt = offset + 1;
    this.lower = 0x80;
    this.upper = 0xbf;
    this.astral = false;
    if (byte >= 0xc2 && byte <= 0xdf) this.needed = 1;
    else if (byte >= 0xe0 && byte <= 0xef) {
      this.needed = 2;
      if (byte === 0xe0) this.lower = 0xa0;
      else if (byte === 0xed) this.upper = 0x9f;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      this.needed = 3;
      this.astral = true;
      if (byte === 0xf0) this.lower = 0x90;
      else if (byte === 0xf4) this.upper = 0x8f;
    } else this.needed = 0;
  }

  /** Starts an element's text at `byte`, its first. */
  beginElement(byte: number): void {
    this.depth = 0;
    this.maxDepth = 0;
    this.members = 0;
    this.inString = byte === QUOTE;
    this.escaped = false;
    this.nonAscii = false;
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      this.depth = 1;
      this.maxDepth = 1;
    }
  }

  /**
   * Reads one byte of an element's text (after its line break or UTF-8 byte is counted); true when the
   * element ends with it. Hint: a raw newline cannot be inside a JSON string, so an unterminated
   * string ends at its line (even after a `\`), as the element parser also decides.
   */
  elementByte(byte: number): boolean {
    if (this.inString) {
      if (this.escaped && byte !== NEWLINE) this.escaped = false;
      else if (byte === BACKSLASH) this.escaped = true;
      else if (byte === QUOTE || byte === NEWLINE) {
        this.inString = false;
        this.escaped = false;
        return this.depth === 0;
      }
      return false;
    }
    if (byte === QUOTE) this.inString = true;
    else if (byte === COLON) this.members++;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++this.depth > this.maxDepth) this.maxDepth = this.depth;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (--this.depth <= 0) {
        this.depth = 0;
        return true;
      }
    }
    return false;
  }

  /**
   * Reads an element's text from `chunk[i]` (the chunk begins at file offset `base`) up to the
   * first byte the splitter must see, and returns its index (the chunk's length when there is
   * none): a byte that may end the element (a closing bracket at depth 1, a string's end at
   * depth 0), a newline in a string, or a line break `watch` names. That byte is not read.
   */
  skipElement(chunk: Buffer, i: number, base: number, watch: LineWatch): number {
    const length = chunk.length;
    // Hint: the bulk of a file is read here, so the state is kept in locals and written back once,
    // and the tests run in the order of how often they match: string bytes first, non-ASCII last.
    let { depth, maxDepth, members, inString, escaped } = this;
    let multiByte = false;
    scan: for (; i < length; i++) {
      // biome-ignore lint/style/noNonNullAssertion: i < length; a check here would cost on every byte of the file
      let byte = chunk[i]!;
      if (inString) {
        if (escaped) {
          if (byte === NEWLINE) break;
          escaped = false;
          if (byte >= 0x80) {
            this.multiByteUnit(byte, base + i);
            multiByte = true;
          }
        } else {
          while (plainInString[byte] === 1) {
            if (++i === length) break scan;
            // biome-ignore lint/style/noNonNullAssertion: i < length (just checked), in the loop over a string's bytes
            byte = chunk[i]!;
          }
          if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE && depth > 0) inString = false;
          else if (byte < 0x80) break;
          else {
            this.multiByteUnit(byte, base + i);
            multiByte = true;
          }
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
        // Hint: a line break is left to the splitter when it may end a broken element; with an
        // indentation watched, when the next line is not indented deeper (or is past the chunk).
        if (watch === watchEvery) break;
        let head = i + 1;
        if (watch > 0) {
          let next = chunk[head];
          while (next === SPACE || next === TAB) next = chunk[++head];
          // Hint: nor before a line of blanks alone (or none), which decides nothing, as a blank
          // line: the splitter keeps this line's end as where an element cut before it ends.
          if (head - i - 1 <= watch || next === NEWLINE || next === RETURN || next === undefined) break;
        }
        this.line++;
        this.lineStart = base + i + 1;
        this.lineContinuations = 0;
        this.lineAstral = 0;
        // The next line's blanks, passed over.
        i = head - 1;
      } else if (byte >= 0x80) {
        this.multiByteUnit(byte, base + i);
        multiByte = true;
      }
    }
    this.depth = depth;
    this.maxDepth = maxDepth;
    this.members = members;
    this.inString = inString;
    this.escaped = escaped;
    if (multiByte) this.nonAscii = true;
    return i;
  }
}
