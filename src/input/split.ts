/**
 * Splits a byte stream of JSON into its elements without ever holding more than one element:
 * a lone object, each element of a top-level array (a delivery batch), or each value of an
 * NDJSON / JSON Lines file (which may itself be a batch). This is the structure machine (top
 * level, batch, element); the bytes are read by the scanner under it (scanner.ts), which keeps
 * strings, escapes, nesting and the line and column, so chunk boundaries may fall anywhere,
 * including inside a multi-byte UTF-8 character. It consults two collaborators: the layout
 * guide, for the quick path (layout-guide.ts), and the second thread's resume point
 * (resume-point.ts); where an element cut short ran on over the ones after it, recovery.ts finds
 * in its held bytes where the next one begins. Structural mistakes between elements (a missing or
 * trailing comma, an unclosed array) are reported here, with their repair; mistakes inside an
 * element are left to the element's parser.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import {
  beginsJsonValue,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isDelimiter,
  isSpace,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  RETURN,
  SPACE,
  TAB,
  UTF8_BOM,
} from './bytes.js';
import { clusterBoundary, wholeClusterStart } from './clusters.js';
import {
  blankCharacters,
  blankRepair,
  firstNonUtf8Byte,
  isBlankRun,
  loneNoBreakSpaceMessage,
  ndjsonHint,
  runOf,
  symbolMessage,
} from './element.js';
import { excerptAt } from './excerpt.js';
import { LayoutGuide } from './layout-guide.js';
import {
  type BraceLineTable,
  type Budget,
  braceLineTable,
  gluedEventAt,
  lineIndex,
  mayBeginJson,
  mostLines,
  nextElementLine,
  nextEventLine,
  opensElement,
} from './recovery.js';
import { isAtResumePoint, type ResumePoint, resumeStart } from './resume-point.js';
import { ByteScanner, type LineWatch, type Position as SplitPosition, watchEvery, watchNone } from './scanner.js';
import {
  binaryStart,
  headUndecided,
  isText,
  notTextMessage,
  notTextStart,
  type TextWindow,
  textSampleSize,
  unsettledTail,
  wholeEnd,
  windowAt,
  windowCountAt,
} from './sniff.js';
import type { SourceExcerpt } from './types.js';

export type { ResumePoint };

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
   * The element was ended before it closed: at the end of its line (`line`, NDJSON; the end of
   * the file ends the last line too, `truncated` then as well), where the next element of its
   * batch begins (`next`), or where an event written onto its line of NDJSON begins (`glued`,
   * see `gluedEventAt`). Undefined when it closed, or the file ended elsewhere.
   */
  cut?: 'line' | 'next' | 'glued' | undefined;
  /** For an element the file ended in: whether a string or only brackets were left open. */
  unclosed?: 'string' | 'bracket' | undefined;
  /**
   * It follows a key and its `:` outside any object (a stray `}` closed the object before it, or
   * the object's `{` was lost): a member's value, never an event of its own.
   */
  memberValue?: boolean | undefined;
  /**
   * For an element larger than the limit, whose bytes are not kept: its first characters (those of
   * `headBytes`), by which text that is no JSON value is told from a value too large.
   */
  head?: string | undefined;
}

/** How many bytes of an element larger than the limit are kept as its `head`: more than a message quotes. */
const headBytes = 256;

/** What stands before an element on its first line: `text`, all of it, or its last part when `cut`. */
export interface LineBefore {
  text: string;
  cut: boolean;
}

/** A structural problem between elements. */
export interface SplitProblem extends SplitPosition {
  code: string;
  message: string;
  pointer: string;
  /** The source around the position, for a code frame, when the bytes were still at hand. */
  excerpt?: SourceExcerpt | undefined;
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
  /**
   * An element, and what stands before it on its first line, for a frame of a problem there:
   * asked only while this call runs (a problem is rare, so it is not taken for every element).
   */
  element(element: SplitElement, lineBefore: () => LineBefore): void;
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
  /**
   * When present, whether a problem at `position` may still be listed (see `ReadOptions.mayListFrom`):
   * one that may not is reported without its `excerpt`, which is not gathered for it. Hint: a
   * stray byte is a problem; framing each of 1 MB of `]` took 8.5 s.
   */
  mayList?(position: SplitPosition): boolean;
  batchEnd?(end: SplitBatchEnd): void;
}

/**
 * The bytes a frame around a file offset needs, copied before their chunk went (see
 * `ElementSplitter.pushBytes`): the offset is at `index` in `bytes`. Hint: copied, not decoded,
 * for it is taken on most pushes and almost never used.
 */
interface KeptExcerpt {
  offset: number;
  bytes: Buffer;
  index: number;
  /** `bytes` begin inside a line, whose start is not kept. */
  cut: boolean;
  /** `bytes` end before the file's next bytes, which are not kept. */
  cutAfter: boolean;
}

/** The last bytes of a line before file offset `end`, copied before their chunk went. */
interface KeptLine {
  end: number;
  bytes: Buffer;
}

// The bytes a frame is drawn from before and after the place of a problem between elements:
// the neighbourhood a frame needs, two lines, not a 1 MiB chunk.
const frameBefore = 400;
const frameAfter = 200;

/**
 * The excerpt around `index` of `bytes`, decoded; `cut`: they begin inside a line, so a line
 * before the problem's that they begin in is shown opening with `…`; `cutAfter`: they end before
 * the file's next bytes, so the problem's line may go on. Hint: bytes cut from a file may begin or
 * end inside a character as a reader sees it (the second half of a flag, an emoji without its skin
 * tone, the first bytes of a character, decoded as `�`): only whole clusters are kept, and the
 * line ends in `…` where it may go on.
 */
function excerptIn(bytes: Buffer, index: number, cut: boolean, cutAfter: boolean): SourceExcerpt {
  const end = wholeEnd(bytes, index);
  const decoded = bytes.toString('utf8', 0, index);
  const text = decoded + bytes.toString('utf8', index, end);
  const from = cut ? Math.min(wholeClusterStart(text), decoded.length) : 0;
  const whole = text.slice(from);
  const before = decoded.length - from;
  const shown =
    cutAfter || end < bytes.length
      ? `${whole.slice(0, Math.max(before, clusterBoundary(whole, whole.length - 1)))}…`
      : whole;
  return excerptAt(shown, before, '', cut);
}

// The bytes kept of a line before an element on it: more than a frame shows of them.
const leadBytes = 800;

/** Limits that keep memory bounded whatever the input, and what the bytes are known to be. */
export interface SplitLimits {
  maxElementBytes: number;
  /**
   * The line ending of the file's first line, when known before reading (fix finds it first): a
   * line break put into a first line longer than a chunk takes it, its own being unread yet (LF when not given).
   */
  firstLineEnding?: string | undefined;
  /** The bytes are one JSON document (a request's body): a second value at the top level is an error, not NDJSON. */
  oneValue?: boolean | undefined;
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
 * What the first bytes of the next line decide (see `ElementSplitter.decideLineHead`): whether a
 * broken element ends before it.
 */
enum LineHead {
  None,
  /** A batch element's line ended: a line at its indentation opening `{` begins the next element. */
  Indent,
  /** The file's first value is open past its first line: a line opening as it did makes the file NDJSON. */
  FirstLine,
  /**
   * A batch element at column 1 whose first line was its `{` alone: a line opening with a key or
   * `}` is a pretty-printed object's; any other line is not, and is read as `Indent` is.
   */
  SecondLine,
  /**
   * A batch's first element shared the `[`'s line and is open past it: a line opening `{` may
   * begin the next element, and its indentation is then read as `Indent`'s.
   */
  Learn,
}

/** How a batch element that opened its own line at column 1 is watched for where it ends. */
enum Column1 {
  No,
  /** Its first line has not ended. */
  FirstLine,
  /** Its first line was its `{` alone: its second line's head decides. */
  SecondLine,
  /** Not a pretty-printed object: a line opening `{` (or `]`) at column 1 ends it. */
  EveryLine,
}

/**
 * The character at a line's head, read a byte at a time (see `ElementSplitter.decideLineHead`),
 * to tell a Unicode blank (`blankCharacters`), which decides nothing there, as a space does not.
 */
class HeadCharacter {
  private codePoint = 0;
  private left = 0;

  /**
   * Whether `byte` is one of a blank's bytes, or one before the last of a character outside ASCII:
   * a character that is no blank (or no UTF-8) is told at its last byte, ASCII at once.
   */
  blank(byte: number): boolean {
    if ((byte & 0xc0) === 0x80 && this.left > 0) {
      this.codePoint = (this.codePoint << 6) | (byte & 0x3f);
      return --this.left > 0 || (this.codePoint <= 0x10ffff && isBlankRun(String.fromCodePoint(this.codePoint)));
    }
    if (byte < 0xc2 || byte > 0xf4) {
      this.left = 0;
      return false;
    }
    this.left = byte >= 0xf0 ? 3 : byte >= 0xe0 ? 2 : 1;
    this.codePoint = byte & (0x3f >> this.left);
    return true;
  }
}

/**
 * The byte order marks of the encodings JSON is not read in, refused by `readFileStart`. Hint:
 * UTF-32's little-endian mark begins as UTF-16's does, so it comes first.
 */
const wideMarks: ReadonlyArray<readonly [Buffer, 'UTF-32' | 'UTF-16']> = [
  [Buffer.from([0xff, 0xfe, 0, 0]), 'UTF-32'],
  [Buffer.from([0, 0, 0xfe, 0xff]), 'UTF-32'],
  [Buffer.from([0xff, 0xfe]), 'UTF-16'],
  [Buffer.from([0xfe, 0xff]), 'UTF-16'],
];
/** The byte order marks `readFileStart` looks for: UTF-8's, skipped, and the others, refused. */
const byteOrderMarks = [UTF8_BOM, ...wideMarks.map(([mark]) => mark)];

/**
 * Characters that stand where an element or a top-level value is expected but begin none: Unicode
 * spaces and invisible format characters (no-break spaces as indentation pasted from a web page, a
 * BOM where two exports were joined, a zero-width space), and ASCII symbols that begin no value,
 * even a mistyped one. Hint: jsonc-parser skips them as it reads on; read as an element, such a
 * run made a false missing comma before the element after it and put every later pointer one off.
 */
const isStrayRun = runOf(`${blankCharacters}!#%&*;=?@^\`|~`);

/**
 * The text of `run`, bytes between elements, each byte 0xA0 that is no part of a UTF-8 character
 * read as U+00A0: a no-break space saved as Windows-1252 or Latin-1, as indentation, which stands
 * where a blank does (read as an element, it made an event of its own and put every later pointer
 * one off: red team hR124); undefined when another byte is not UTF-8. Hint: only 0xA0: every other
 * such byte mapped to a blank let fix delete a Latin-1 line or a Windows-1252 `“”` as blanks (hR126).
 */
function withLoneNoBreakSpaces(run: Buffer): string | undefined {
  if (isUtf8(run)) return run.toString('utf8');
  let text = '';
  let from = 0;
  for (let at = firstNonUtf8Byte(run); at !== -1; at = firstNonUtf8Byte(run.subarray(from))) {
    if (run[from + at] !== 0xa0) return undefined;
    text += `${run.toString('utf8', from, from + at)}\u00a0`;
    from += at + 1;
  }
  return text + run.toString('utf8', from);
}

/** A problem said once the element it stands before is known to be a value. */
interface HeldProblem {
  position: SplitPosition;
  code: 'missing-line-break' | 'second-value';
  message: string;
  repair: SplitProblem['repair'];
}

/** Whether a value that begins with `byte` is read as a scalar: no bracket, no string. */
const SLASH = 0x2f;
const STAR = 0x2a;

/** Where in a comment between elements or values the splitter is (see `commentByte`). */
enum Comment {
  None,
  /** `//`, up to the end of its line. */
  Line,
  /** Slash and star, up to the star and slash that close it. */
  Block,
  /** In a block comment, right after a `*`. */
  BlockStar,
}

function isScalarStart(byte: number): boolean {
  return byte !== OPEN_BRACE && byte !== OPEN_BRACKET && byte !== QUOTE;
}

/** Whether an element begins at a structural byte, and whether it opens its own line. */
enum Begins {
  No,
  Inline,
  OwnLine,
}

/** The streaming splitter: feed it chunks with `push`, then call `end`. */
export class ElementSplitter {
  private readonly sink: SplitSink;
  private readonly limits: SplitLimits;
  // The bytes: the position, and the text state of the element being read.
  private readonly scanner = new ByteScanner();
  // The quick path (see `tryElement`): where an element ends, guessed from the layout.
  private readonly guide: LayoutGuide;

  // File offset of the next chunk.
  private offset = 0;

  private mode = Mode.Top;
  private started = false;
  private batch = -1;
  private index = 0;
  private inBatchIndex = 0;
  private batchOpen: SplitPosition | undefined;
  private afterComma: SplitPosition | undefined;
  // Resumed at a batch element (`resumeAt`): its offset, and the blanks before it on its line,
  // which this reading did not see.
  private resumedElement: { offset: number; indent: number } | undefined;
  // The file's first bytes, while they may be the start of a byte order mark (see `push`).
  private heldHead: Buffer | undefined;
  // A chunk's last lines, while they may be where binary data begins (see `pushBytes`), and
  // whether the file has ended, when nothing more is held.
  private heldTail: Buffer | undefined;
  private ending = false;
  // The next push is the character the file's end cuts, held once it had ended (see `endStep`).
  private endCut = false;
  // The file offset up to which bytes were judged text and let go (bytes read again are not judged
  // again); the window they end in, from its file offset, with their count (see `TextWindow`);
  // whether the chunk at hand is text from there; binary data found and not yet reached (the
  // bytes before it are read first).
  private judgedTo = 0;
  private window: TextWindow = { start: 0, count: 0 };
  private judgedText = true;
  private refusal: { offset: number; message: string } | undefined;
  // The file offset of its first byte of text: past a UTF-8 byte order mark, which no frame shows.
  private textStart = 0;
  // Every byte of text read so far is a blank: the file's first bytes are still to be judged (see `binaryIn`).
  private blankHead = true;
  // Where the last element (a missing comma's position) or top-level array ended, kept as numbers: no allocation.
  private lastEndOffset = 0;
  private lastEndLine = 1;
  private lastEndColumn = 1;
  private valuesAtTop = 0;
  /** Of those, lines of text that are no JSON value: the first value after them is the file's first. */
  private textsAtTop = 0;
  /** A comma was found between top-level values. */
  private sawTopComma = false;
  // The file offset of the last stray byte at the top level (a comma too many, a `}`): the
  // repair of a comma before it stops at it, which has its own.
  private topStray = -1;
  // The file's line ending, once a repair put one in (see `lineEnding`); whether the line break
  // before the line being read was CRLF, as its chunk showed it (undefined on the first line); the
  // last byte of the chunk before.
  private newline: string | undefined;
  private crlfBefore: boolean | undefined;
  private lastByte = 0;
  // Excerpts taken before their chunk went (see `pushBytes`), for problems found only at what
  // follows: around the last comma read or the last element's end (a trailing or missing
  // comma), and around the line break whose next line decides whether a batch was cut there.
  private behind: KeptExcerpt | undefined;
  private atBreak: KeptExcerpt | undefined;
  // And around a scalar that may be stray blanks, found so only once it ends, maybe at the end of
  // the file, which lets go of the chunk first (see `endStep`).
  private strayAt: KeptExcerpt | undefined;
  // The last bytes (at most `leadBytes`) of a line before file offset `end`, kept when their chunk
  // went (see `lineBefore`): of the line the chunk ended in, and before the element being read.
  private lineTail: KeptLine | undefined;
  private elementLead: KeptLine | undefined;
  // The file's last bytes before file offset `end` (`frameBefore` and one more), kept when their
  // chunk went: the frame of a problem near a chunk's start begins where it would in one chunk.
  private recent: KeptLine | undefined;
  private readonly lineBeforeElement = (): LineBefore => this.lineBefore();

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
  // A batch element that opened its own line at column 1 is watched (see `watchLineEnd`) from
  // its first line's end, or its second line's head, on every line, or not at all.
  private column1: Column1 = Column1.No;
  // That element's second line opened with a key: it is laid out as the platform prints a
  // pretty-printed object, and only the end of the file (or a `]` closing it) shows it was cut
  // (see `recoverColumn1Cut`).
  private column1Object = false;
  // While the bytes of a cut element are read again (see `recoverColumn1Cut`): those bytes, from
  // file offset `base`, with their `{` lines, so that another element cut short among them is
  // ended at once (`cutBefore`, the offset of the line it ends before) rather than after it, too,
  // has run on to the end of the file, and the rest read again once for each.
  private recovery: { base: number; held: Buffer; table: BraceLineTable } | undefined;
  private cutBefore = -1;
  // The batch element being read, watched by its indentation, passed a line that may begin the
  // next element (see `decideLineHead`): the file offset of the line break before it, -1 when
  // none. The element is ended there only once it shows it was cut (see `cutAtPending`); and
  // where its line began, for its bytes to be read again.
  private pendingCut = -1;
  // That line was found beside the first value's watch: the element ends only before a line at
  // its indentation that opens an event (see `nextEventLine`).
  private pendingEvent = false;
  // That line opened as the first value did, after a first line that held more: ended there, the
  // element was the first line of NDJSON, cut (see `decideLineHead`), and that line break is where.
  private pendingLine: SplitPosition | undefined;
  // The heads of the lines after it checked so far (see `pendingHeadsChecked`), and the file
  // offset of the last one's (the pending line's, at first).
  private pendingHeads = 0;
  private pendingHead = 0;
  private elementLineStart = 0;
  // Held bytes are being read again (see `recoverColumn1Cut`): an element among them closed by a
  // `]` is not recovered in turn, so that a crafted file cannot nest one recovery in another,
  // a stack frame deeper and the rest read again for each.
  private recovering = false;
  // The bytes `endStep` hands out to be read again.
  private replay: Buffer | undefined;
  // The file offset up to which `recovering` holds: where the held bytes end.
  private recoveringTo = 0;
  // With `deferRecovery` set (see `takeDeferred`): the held bytes of an element closed by a `]`
  // to be read again, then the rest of the chunk that `]` was in, which the caller pushes.
  private deferRecovery = false;
  private deferred: Buffer[] | undefined;
  // What every recovery of the file may still read, together (see `nextElementLine`), and the
  // file offset up to which held bytes have added to it: a few readings of each byte, so that
  // thousands of cut elements cannot take quadratic time, one recovery after another.
  private readonly recoveryBudget: Budget = { left: 2 ** 20 };
  private budgetTo = 0;
  private lineHead = LineHead.None;
  // The character being read at that line's head, to tell a Unicode blank.
  private readonly headCharacter = new HeadCharacter();
  // With `lineHead` FirstLine: what the same line's head decides for the batch element being read
  // once it did not make the file NDJSON (see `watchLineEnd`).
  private elementHead = LineHead.None;
  // The batch's first element began on the `[`'s line and is open past it: the indentation of the
  // elements after it is still to be learnt (see `LineHead.Learn`).
  private learning = false;
  // The line break before the line whose head is awaited.
  private lineBreak: SplitPosition = { offset: 0, line: 1, column: 1 };

  // The element being read: where, its bytes so far, and whether it is a scalar (a number, say).
  private scalar = false;
  private elementStart: SplitPosition = { offset: 0, line: 1, column: 1 };
  // The column the batch element being read began at when it is an object, else 0; and so of the
  // last one read (see `opensNextBatch`).
  private objectColumn = 0;
  private objectBefore = 0;
  private elementPointer = '';
  private parts: Buffer[] = [];
  private partsSize = 0;
  private oversize = false;
  /** The `head` of the element being read, once it is `oversize`. */
  private oversizeHead = '';

  // The chunk being read (for excerpts, and the element's bytes in it), from file offset
  // `chunkOffset`; the element's first byte in it, or -1 when it began in an earlier chunk.
  private chunk: Buffer = Buffer.alloc(0);
  private chunkOffset = 0;
  private elementFrom = -1;
  /**
   * The scalar being read began where an element or a top-level value was expected, with nothing
   * reported yet: it may be stray characters before it (see `isStrayRun`), and this puts
   * back what was expected before it began.
   */
  private mayBeStray: (() => void) | undefined;
  /** In a comment where an element or a value was expected (see `commentByte`), begun at `commentStart`. */
  private comment = Comment.None;
  private commentStart: SplitPosition | undefined;
  private commentPointer = '';
  /** The scalar being read is no JSON value, and runs to the end of its line. */
  private strayText = false;
  /** Inside a quoted part of that text, where a `{` or `[` opens nothing. */
  private strayQuoted = false;
  /** The top-level value before the next was such text (a log line's prefix): what follows on its line is no second value. */
  private afterStrayText = false;
  /**
   * A scalar began on the line a value ended on, or after a body's one value: a second value there
   * if it parses as one (see `beginTopValue`).
   */
  private heldSecondValue: HeldProblem | undefined;
  /** A scalar began right after a batch element: a comma is missing before it unless it is stray characters (see `afterBatchElementByte`). */
  private heldComma: SplitProblem | undefined;
  /** The element being read is a string (it began with `"`). */
  private stringValue = false;
  /**
   * The last thing read outside elements was a string element, blanks aside: a `:` after it is a
   * key's, outside its object (see `unexpected`). Hint: kept as it is read, not looked back for,
   * as any number of blanks may stand between (a look back over the last 400 bytes missed them).
   */
  private afterStringValue = false;
  /** The last thing read outside elements on this line was a key's `:` outside any object (see `unexpected`), blanks aside. */
  private afterKeyOutside = false;
  /** The element being read is the value of such a key (`SplitElement.memberValue`). */
  private memberValue = false;
  /** The file offset of the last CR read at the top level: one between two values on a line is a lone CR. */
  private returnAtTop = -1;
  /** The file offset of the last CR read between values or elements: a CRLF's ends a line where its CR is. */
  private returnBetween = -1;

  constructor(sink: SplitSink, limits: SplitLimits) {
    this.sink = sink;
    this.limits = limits;
    this.guide = new LayoutGuide(limits.maxElementBytes);
  }

  /**
   * Starts reading at byte `offset` of a file, at `point` (after values were read before it):
   * how a second thread reads the second half of a large export. Lines count from 1 again, and
   * pointers from `/0`; only `atResumePoint` on the thread that read the first half can tell
   * whether the guess of that state was right. `indent`, when `offset` opens its line (a batch
   * element found by its indentation): the blanks before it there, so that the element is watched
   * by its indentation as the first thread watches it, and a broken one ends where that one ends it.
   */
  resumeAt(offset: number, point: ResumePoint, indent?: number): void {
    const position = { offset, line: 1, column: 1 };
    const start = resumeStart(point);
    this.started = true;
    this.blankHead = false;
    this.offset = offset;
    this.judgedTo = offset;
    // Windows begin at fixed offsets of the file: this reading counts the one it starts in from here.
    this.window = { start: offset - (offset % textSampleSize), count: 0 };
    this.scanner.startLine(offset);
    this.valuesAtTop = 1;
    // Hint: the value before the point ended on an earlier line than the first this reading counts.
    this.lastEndLine = 0;
    this.batch = 0;
    this.lineDelimited = start.lineDelimited;
    if (start.where === 'batch-element') {
      this.mode = Mode.BatchElement;
      this.batchOpen = position;
      this.afterComma = position;
      this.inBatchIndex = 0;
      this.resumedElement = indent === undefined ? undefined : { offset, indent };
    }
  }

  /** True when the splitter is where `resumeAt` starts for `point` (see `isAtResumePoint`). */
  atResumePoint(point: ResumePoint): boolean {
    // Bytes held unread leave the splitter short of the point; the first thread then reads on.
    // Hint: so does a comment: the point may be an element's in it, no element (review hR67).
    if (this.heldTail || this.comment !== Comment.None) return false;
    const where = this.mode === Mode.Top ? 'top' : this.mode === Mode.BatchElement ? 'batch-element' : 'elsewhere';
    return isAtResumePoint(
      {
        where,
        values: this.valuesAtTop,
        batch: this.batch,
        afterComma: this.afterComma !== undefined,
        lineDelimited: this.lineDelimited,
        commaAtTop: this.sawTopComma,
      },
      point,
    );
  }

  /** The current position (of the next byte). */
  position(): SplitPosition {
    return this.scanner.at(this.offset);
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
    if (!this.started) {
      // Hint: a pipe may hand on the file's first bytes one or two at a time: a byte order mark
      // cut in two is held until it is whole, or is not one.
      const head = this.heldHead ? Buffer.concat([this.heldHead, chunk]) : chunk;
      this.heldHead = undefined;
      if (
        head.length < 4 &&
        byteOrderMarks.some((mark) => head.length < mark.length && mark.subarray(0, head.length).equals(head))
      ) {
        this.heldHead = Buffer.from(head);
        return;
      }
      this.pushBytes(head);
    } else this.pushBytes(chunk);
    if (this.deferRecovery) return;
    for (let parts = this.takeDeferred(); parts !== undefined; parts = this.takeDeferred()) {
      for (const part of parts) this.pushBytes(part);
    }
  }

  /**
   * Has the bytes a cut element held, when a `]` closed it, read again by the caller (as it pushes
   * the file, a slice at a time, handing on the elements of each) rather than inside `push`:
   * `takeDeferred` then gives them after a `push`, with the rest of the chunk pushed. Hint: read
   * again at once, the elements of a 60 MB held element were all handed on together.
   */
  deferRecoveries(): void {
    this.deferRecovery = true;
  }

  /** With `deferRecoveries`: the bytes to push before the next chunk, in order, or undefined. */
  takeDeferred(): Buffer[] | undefined {
    const parts = this.deferred;
    this.deferred = undefined;
    return parts;
  }

  private pushBytes(bytes: Buffer): void {
    const chunk = this.heldTail ? Buffer.concat([this.heldTail, bytes]) : bytes;
    this.heldTail = undefined;
    const endCut = this.endCut;
    this.endCut = false;
    if (this.recovering && this.offset >= this.recoveringTo) this.recovering = false;
    // Hint: past a BOM also when the first bytes were held (below) and come again.
    const first = !this.started ? this.readFileStart(chunk) : Math.max(0, this.textStart - this.offset);
    if (first === -1) return;
    // First bytes too few to judge are held until they are a sample or the file ends, as the
    // file read at once is judged (see `headUndecided`); text, the bulk of every file, never is.
    if (this.atHead && !this.ending && headUndecided(chunk.subarray(first))) {
      this.heldTail = Buffer.from(chunk);
      return;
    }
    const binary = this.binaryIn(chunk, first);
    if (binary === undefined) {
      // Hint: lines at the chunk's end too few to judge, that may be where binary data begins,
      // are held and judged with the bytes that follow them, so that it is found where it begins
      // however the file is cut into chunks.
      // Bytes read again (see `readAgain`) are followed by the rest of the chunk at hand, not by
      // the next: no line is held. Hint: but the caller pushes them a slice at a time (see
      // `deferRecoveries`, `endStep`), and a character a slice's end cuts is held for the next, as
      // `unsettledTail` holds it: judged cut, its bytes counted as not text, and after a byte that
      // is not UTF-8 a line of emoji read 8 bytes at a time was refused as binary.
      const held = endCut
        ? chunk.length
        : this.ending || this.recovering
          ? wholeEnd(chunk, first)
          : unsettledTail(chunk, first);
      this.letGo(chunk, first, held);
      if (held > first || first > 0) this.readBytes(held < chunk.length ? chunk.subarray(0, held) : chunk, first);
      if (held < chunk.length) {
        const tail = Buffer.from(chunk.subarray(held));
        // What the bytes before it handed back to be read again is read before it (see `deferRecoveries`).
        if (this.deferred !== undefined) this.deferred.push(tail);
        else this.heldTail = tail;
      }
    } else {
      const { at, message } = binary;
      // Hint: binary data past the file's first bytes ends it where it begins, and what came before
      // is read as in any other chunking; within them, the file is binary, and that is all it says.
      if (at === first || this.offset + at < textSampleSize) this.refuseAt(chunk, first, at, message);
      else {
        this.readBytes(chunk.subarray(0, at), first);
        // What the bytes before it handed back to be read again is read before it (see `deferRecoveries`).
        if (this.deferred !== undefined) this.deferred.push(Buffer.from(chunk.subarray(at)));
        else this.refuseAt(chunk.subarray(at), 0, 0, message);
      }
    }
  }

  /** Reads `chunk` from `first` (past a BOM in the file's first), known to be text. */
  private readBytes(chunk: Buffer, first: number): void {
    this.chunk = chunk;
    this.chunkOffset = this.offset;
    this.elementFrom = this.mode === Mode.Element ? 0 : -1;
    const base = this.offset;
    const length = chunk.length;
    const scanner = this.scanner;
    for (let i = first; i < length; i++) {
      if (this.mode === Mode.Element && !this.scalar && this.lineHead === LineHead.None) {
        // Hint: the inside of an element, the bulk of a file, is left to the scanner, which
        // stops only at a byte this machine must see.
        i = scanner.skipElement(chunk, i, base, this.lineWatch());
        if (i === length) break;
      }
      i = this.step(chunk, i, base);
      if (this.deferred !== undefined) {
        // Hint: a copy, not a view, as below.
        this.deferred.push(Buffer.from(chunk.subarray(i + 1)));
        return;
      }
    }
    // Hint: a copy, not a view: the caller may reuse the chunk's memory for its next read.
    if (this.mode === Mode.Element && this.elementFrom !== -1) {
      const rest = Buffer.from(chunk.subarray(this.elementFrom));
      // An element with a line pending is ended there rather than grow past the limit, when its
      // bytes would be let go and it could no longer be read again from that line.
      if (
        this.pendingCut !== -1 &&
        !this.oversize &&
        this.partsSize + rest.length > this.limits.maxElementBytes &&
        this.cutAtPending(Buffer.concat([...this.parts, rest]))
      ) {
        if (this.deferred !== undefined) return;
      } else this.keep(rest);
    }
    // Hint: a comma is found trailing (or missing) only at what follows it (a `]`, the end of the
    // file, the next element), and an array cut at a line's end only at the next line's head,
    // maybe in a later chunk: their excerpts are taken while their chunk is at hand, once a chunk
    // at most, and only when the chunk ends between them and what decides.
    const behind = this.mode === Mode.BatchComma ? this.lastEndOffset : (this.afterComma?.offset ?? -1);
    if (behind >= base) this.behind = this.keptExcerpt(behind);
    if (this.lineHead === LineHead.FirstLine && this.lineBreak.offset >= base) {
      this.atBreak = this.keptExcerpt(this.lineBreak.offset);
    }
    if (this.mayBeStray && this.mode === Mode.Element && this.elementStart.offset >= base) {
      this.strayAt = this.keptExcerpt(this.elementStart.offset);
    }
    const lineFeed = scanner.lineStart - 1 - base;
    if (lineFeed >= 0 && chunk[lineFeed] === NEWLINE) this.crlfBefore = this.afterReturn(lineFeed);
    if (this.mode === Mode.Element && this.elementStart.offset >= base) {
      this.elementLead = this.keptLine(this.elementLineStart, this.elementStart.offset);
    }
    this.lineTail = this.keptLine(scanner.lineStart, base + length);
    this.recent = { end: base + length, bytes: Buffer.from(this.bytesBefore(base + length, frameBefore + 1)) };
    this.lastByte = chunk[length - 1] ?? 0;
    this.offset = base + length;
  }

  /** Ends the file: reports what was left open. */
  end(): void {
    for (let rest = this.endStep(); rest !== undefined; rest = this.endStep()) this.push(rest);
  }

  /**
   * Ends the file, a step at a time: when a cut element held the bytes after it (see
   * `recoverColumn1Cut`), returns those to be read again, which the caller pushes as it pushes
   * the file (a slice at a time, handing on the elements of each) before it calls `endStep`
   * again; undefined once the file is ended, as `end` ends it. Hint: read again at once, the
   * elements of a 60 MB held element were all handed on together, hundreds of MB of records.
   */
  endStep(): Buffer | undefined {
    // Held once the file had ended (see `pushBytes`), a tail is the character its end cuts.
    this.endCut = this.ending;
    this.ending = true;
    if (this.heldTail) {
      // The lines held at the end of the last chunk are read as they are, as a step of their own.
      const tail = this.heldTail;
      this.heldTail = undefined;
      return tail;
    }
    if (this.heldHead) {
      // The file ended inside what could have been a byte order mark: its bytes are read as they are.
      const head = this.heldHead;
      this.heldHead = undefined;
      this.endCut = true;
      this.pushBytes(head);
    }
    this.endCut = false;
    if (this.mode === Mode.Dead) return undefined;
    if (this.comment !== Comment.None) this.endComment(this.comment !== Comment.Line);
    // The bytes handed out by the step before, if any, were read again.
    this.recovery = undefined;
    this.recovering = false;
    this.chunk = Buffer.alloc(0);
    this.lineHead = LineHead.None;
    // Each step ends one cut element and hands out the rest, which may end inside another.
    if (this.mode === Mode.Element && this.recoverColumn1Cut(false, true)) return this.replay;
    if (this.mode === Mode.Element && this.pendingCut !== -1 && !this.oversize) {
      if (this.cutAtPending(this.keptBytes(), true)) return this.replay;
    }
    // Hint: the end of the file ends the last line of NDJSON as a line break would: an element
    // left open on it is cut with its line (and truncated, for what fix drops), the one problem
    // of that line, with or without a last line break; the array open around it is no second.
    // An array left open between its elements is that line's one problem too (see `endLineValue`).
    const lineEnds = this.lineDelimited && this.onTopLine;
    const lineCut = lineEnds && this.mode === Mode.Element && !this.scalar;
    // Hint: a scalar the file ends in may be stray blanks (a form feed after the last line of
    // NDJSON), as one a line break or a `]` ends (see `strayBefore`); its bytes are all kept.
    if (this.mode === Mode.Element && !(this.mayBeStray && this.strayBefore(0))) {
      this.finishElement(this.offset, !this.scalar, lineCut ? 'line' : undefined);
    }
    if (lineEnds && this.batchOpen && !lineCut) this.endLineValue(this.position());
    // A comma after the last element of an array left open, or after the last value of the file.
    if (this.afterComma) {
      const before = this.batchOpen ? this.elementBefore() : '';
      this.problem(this.afterComma, 'trailing-comma', 'trailing comma at the end of the file', before, {
        offset: this.afterComma.offset,
        deleteBytes: 1,
        insert: '',
      });
    }
    if (this.batchOpen) {
      const open = this.batchOpen;
      // Hint: a file that ends with a line break ends with one once closed, in its own line ending
      // (hR124: `[{…}\r\n` was repaired to `[{…}\r\n]`, with no line break after it).
      const endsLine = this.offset > 0 && this.scanner.lineStart === this.offset;
      if (!lineCut)
        this.sink.problem({
          ...this.position(),
          code: 'unexpected-eof',
          message: `unexpected end of file: the array opened at line ${open.line}, column ${open.column} is not closed`,
          pointer: '',
          repair: { offset: this.offset, deleteBytes: 0, insert: endsLine ? `]${this.lineEnding()}` : ']' },
        });
      this.endBatch(this.position(), false);
    }
    if (this.valuesAtTop === 0) {
      this.sink.problem({
        ...this.position(),
        code: 'empty',
        message: `${this.whole} holds no JSON value`,
        pointer: '',
      });
    }
    return undefined;
  }

  /** What is read, as messages name it: a request's body (`oneValue`), else the file. */
  private get whole(): string {
    return this.limits.oneValue ? 'the body' : 'the file';
  }

  // ---- The file's first bytes ----

  /**
   * Reads the first chunk's first bytes: skips a UTF-8 byte order mark and refuses UTF-16 and UTF-32.
   * Returns the index to read on from, or -1 when the file cannot be read.
   */
  private readFileStart(chunk: Buffer): number {
    this.started = true;
    if (UTF8_BOM.equals(chunk.subarray(0, UTF8_BOM.length))) {
      // A UTF-8 BOM is invisible to editors: columns start after it.
      this.scanner.startLine(3);
      this.textStart = 3;
      return 3;
    }
    const wide = wideMarks.find(([mark]) => mark.equals(chunk.subarray(0, mark.length)))?.[1];
    if (wide) {
      this.fatal(
        { offset: 0, line: 1, column: 1 },
        wide === 'UTF-32' ? 'utf32' : 'utf16',
        `${this.whole} is ${wide}; JSON must be UTF-8 (${this.limits.oneValue ? 'send it encoded as UTF-8' : `convert it with: iconv -f ${wide} -t UTF-8`})`,
      );
      return -1;
    }
    return 0;
  }

  /**
   * The value being read is the file's first (a line of text before it is not one). Only it
   * decides that the file is NDJSON (README): a later value on one line, in a file of pretty
   * batches, is a value like any other, so that a stray `]` or a junk line does not make the rest
   * of the file a file of lines, every multi-line event after it broken.
   */
  private get atFirstValue(): boolean {
    return this.valuesAtTop - this.textsAtTop === 1;
  }

  /** The bytes at hand are the file's first to be judged as such (see `binaryIn`). */
  private get atHead(): boolean {
    return this.offset === 0 || this.blankHead;
  }

  /** Counts the bytes of `chunk` (read from `first`) up to `to`, judged text, into their windows: they are let go. */
  private letGo(chunk: Buffer, first: number, to: number): void {
    const from = Math.max(first, this.judgedTo - this.offset);
    if (to <= from) return;
    const window = { start: this.window.start - this.offset, count: this.window.count };
    const counted = this.judgedText ? windowAt(window, to) : windowCountAt(chunk, from, to, window);
    this.window = { start: counted.start + this.offset, count: counted.count };
    this.judgedTo = this.offset + to;
  }

  /** Where in `chunk` (read from `first`) bytes begin that show the file is not JSON text, and why; undefined when none do. */
  private binaryIn(chunk: Buffer, first: number): { at: number; message: string } | undefined {
    const found = this.refusal;
    if (found !== undefined) {
      // Binary data found before, reached now that the bytes before it were read (see `pushBytes`).
      const at = found.offset - this.offset;
      if (at >= first && at < chunk.length) return { at, message: found.message };
    }
    const binary = this.binaryFrom(chunk, first);
    if (binary !== undefined) this.refusal = { offset: this.offset + binary.at, message: binary.message };
    return binary;
  }

  /** Where in `chunk` (read from `first`) bytes begin, among those not judged yet, that show the file is not JSON text. */
  private binaryFrom(chunk: Buffer, first: number): { at: number; message: string } | undefined {
    // Hint: the file's first bytes are judged by what they begin with too, every later window by
    // its share of bytes that are not text: a pipe's first write may be a line break alone.
    // Hint: so are those after a chunk of blanks alone (a BOM or a line break a pipe wrote first):
    // judged as later ones, by their share of bytes that are not text, a few are too few to tell,
    // and gzip's `1F 8B 00` was placed at its NUL.
    const head = this.atHead;
    // Hint: bytes read again (a cut element's, see `readAgain`) were judged as they first came.
    const from = Math.max(first, this.judgedTo - this.offset);
    if (from >= chunk.length) return undefined;
    this.judgedText = isText(chunk, from);
    const sample = chunk.subarray(first, first + textSampleSize);
    if (this.blankHead && sample.some((byte) => !isSpace(byte))) this.blankHead = false;
    let at = head ? notTextStart(sample) : -1;
    const window = { start: this.window.start - this.offset, count: this.window.count };
    if (at !== -1) at += first;
    else if (this.judgedText) at = -1;
    else if (head) at = binaryStart(chunk, first + textSampleSize, windowAt(window, first + textSampleSize));
    // Hint: a line the chunk begins inside is judged with its text before the chunk (what was not
    // text, `unsettledTail` held, and is in the chunk).
    else at = binaryStart(chunk, from, window, Math.max(0, this.offset + from - this.scanner.lineStart));
    // A NUL byte can appear in no JSON text, even inside a string: the file is binary or UTF-16.
    // Hint: binary data that begins before it (a PNG's 0x89) is reported where it begins.
    const nul = chunk.indexOf(0, from);
    if (nul !== -1 && (at === -1 || nul <= at)) {
      const offset = this.offset + nul;
      return {
        at: nul,
        message: `${this.whole} is not JSON text: NUL byte at byte offset ${offset} (binary, or UTF-16 without a BOM?)`,
      };
    }
    if (at === -1) return undefined;
    return {
      at,
      message: notTextMessage(chunk[at] ?? 0, this.offset + at, chunk.subarray(at + 1, at + 4), this.limits.oneValue),
    };
  }

  /** Reports the file unreadable at `chunk[at]` (the chunk read from `first`), placed at its own line and column. */
  private refuseAt(chunk: Buffer, first: number, at: number, message: string): void {
    // Hint: the bytes before it in its chunk are counted only for its position: nothing else is
    // read. Decoded, a byte that is not UTF-8 is one character, as an editor shows it.
    let lineFrom = first;
    for (let i = chunk.indexOf(NEWLINE, first); i !== -1 && i < at; i = chunk.indexOf(NEWLINE, i + 1)) {
      this.scanner.lineBreak(this.offset + i);
      lineFrom = i + 1;
    }
    const column = this.scanner.columnAt(this.offset + lineFrom) + chunk.toString('utf8', lineFrom, at).length;
    this.offset += at;
    this.fatal({ offset: this.offset, line: this.scanner.line, column }, 'binary', message);
  }

  private fatal(position: SplitPosition, code: string, message: string): void {
    this.mode = Mode.Dead;
    this.sink.problem({ ...position, pointer: '', code, message, fatal: true });
  }

  // ---- One byte the scanner stopped at, or any byte outside an element ----

  /** The line breaks the scanner must stop at inside the element being read. */
  private lineWatch(): LineWatch {
    if (
      this.onTopLine ||
      this.watchFirstValue ||
      this.learning ||
      this.column1 !== Column1.No ||
      this.cutBefore !== -1
    ) {
      return watchEvery;
    }
    return this.indentWatch > 0 ? this.indentWatch : watchNone;
  }

  /** Reads `chunk[i]`; returns the index of the last byte read (past `i` when the quick path took an element). */
  private step(chunk: Buffer, i: number, base: number): number {
    // biome-ignore lint/style/noNonNullAssertion: push, the one caller, passes i < chunk.length, for every byte the scanner leaves
    const byte = chunk[i]!;
    const scanner = this.scanner;
    // Hint: a comment is read as the blanks it could be replaced with, its line breaks kept.
    if (this.comment !== Comment.None) {
      if (byte !== NEWLINE) return this.commentByte(byte, i, base);
      if (this.comment === Comment.Line) this.endComment();
      else this.comment = Comment.Block;
    }
    // Hint: a Unicode blank decides nothing there either: jsonc-parser reads on past it, and fix
    // makes it a space. A no-break space before an element's first key made it no pretty-printed
    // object, its flow steps' `{` lines read as elements (red team hR98).
    if (
      this.lineHead !== LineHead.None &&
      byte !== SPACE &&
      byte !== TAB &&
      byte !== RETURN &&
      !this.headCharacter.blank(byte)
    ) {
      this.decideLineHead(byte, base + i);
    }
    if (byte === SPACE && !scanner.inString && !this.scalar) return i;
    if (byte === NEWLINE) {
      // Hint: a key outside any object gives its value only on its own line: a line of NDJSON
      // after a key's is read on its own (review hR134), on either thread.
      this.afterKeyOutside = false;
      if (this.scalar && this.mode === Mode.Element) {
        // A scalar ends on its own line, before the line break is counted; a word alone on its
        // line that is no JSON value (`Examples`) is text, as a line of words is.
        if (!this.strayText && this.batchOpen === undefined && !this.oversize) {
          this.strayText = !parsesAsJson(this.heldScalar(i));
        }
        this.endElementAt(i, i);
      }
      if (this.mode !== Mode.Top) this.watchLineEnd(base + i);
      scanner.lineBreak(base + i);
    } else if (byte >= 0x80) scanner.nonAsciiByte(byte, base + i);

    if (this.mode === Mode.Element) {
      if (!this.scalar) {
        if (scanner.elementByte(byte)) this.endElementAt(i + 1, i + 1);
        return i;
      }
      if ((byte === SLASH || byte === STAR) && this.opensComment(base + i)) {
        this.comment = byte === SLASH ? Comment.Line : Comment.Block;
        return i;
      }
      if (!isDelimiter(byte)) return i;
      // Hint: a word at the top level that is no JSON value (plain text or HTML saved as .json,
      // a line cut at its start) takes the rest of its line, up to a `{` or `[` outside quotes
      // that may open an event (a log line's prefix): one invalid element, not one a word. So
      // does a value a colon ends (`12:00:01 {…}`, a time): no JSON has a colon at the top level.
      const opener = byte === OPEN_BRACE || byte === OPEN_BRACKET;
      if (this.strayText) {
        if (byte === QUOTE) this.strayQuoted = !this.strayQuoted;
        if (this.strayQuoted || !opener) return i;
      } else if (
        !opener &&
        this.batchOpen === undefined &&
        !this.oversize &&
        (byte === COLON || !parsesAsJson(this.heldScalar(i)))
      ) {
        this.strayText = true;
        this.strayQuoted = byte === QUOTE;
        return i;
      }
      // This byte ends the scalar, and belongs to what follows it.
      this.endElementAt(i, i);
    }
    if (isSpace(byte)) {
      if (byte === RETURN) {
        this.returnBetween = base + i;
        if (this.mode === Mode.Top) this.returnAtTop = base + i;
      }
      return i;
    }
    return this.structural(chunk, i, base, byte);
  }

  /** The bytes of the scalar being read, up to chunk index `to`. */
  private heldScalar(to: number): Buffer {
    const part = this.chunk.subarray(this.elementFrom, to);
    return this.parts.length === 0 ? part : Buffer.concat([...this.parts, part]);
  }

  /** Ends the element that closed: its bytes in the chunk end before `to`, and it ends at chunk index `end`. */
  private endElementAt(to: number, end: number): void {
    if (this.mayBeStray && this.strayBefore(to)) return;
    this.scalar = false;
    this.afterStrayText = this.strayText;
    this.strayText = false;
    this.strayQuoted = false;
    const part = this.chunk.subarray(this.elementFrom, to);
    this.elementFrom = -1;
    // Hint: a first value with a line pending that closes is JSON, its damage its own: a cut
    // first line of NDJSON is left open by the whole lines after it (see `decideLineHead`).
    if (this.pendingCut !== -1 && this.pendingLine === undefined && !this.oversize) {
      const held = this.parts.length === 0 ? part : Buffer.concat([...this.parts, part]);
      if ((held.length > this.limits.maxElementBytes || !parsesAsJson(held)) && this.cutAtPending(held)) return;
    }
    this.keep(part);
    // Hint: a `{` element closed by `]` was cut, and its brackets were balanced by the batch's `]`.
    if (
      this.column1Object &&
      !this.recovering &&
      this.chunk[to - 1] === CLOSE_BRACKET &&
      this.recoverColumn1Cut(true)
    ) {
      return;
    }
    this.finishElement(this.chunkOffset + end, false);
  }

  /** A line break at file offset `at` inside a top-level value: where a broken element may end. */
  private watchLineEnd(at: number): void {
    if (this.cutBefore === at + 1 && this.mode === Mode.Element) {
      this.cutBefore = -1;
      this.cutElement(at, 'next');
      this.mode = Mode.BatchElement;
      this.afterComma = undefined;
      return;
    }
    // Hint: a line still waiting for its head to decide was blank, which decides nothing: an
    // element cut before it is cut where the line before ended, not at the blank line.
    if (this.lineHead !== LineHead.None) return;
    if (this.onTopLine) {
      // The end of a top-level value's first line: in NDJSON the value ends here, closed or not.
      this.onTopLine = false;
      this.lineBreak = this.scanner.at(at);
      if (this.lineDelimited) {
        this.endLineValue(this.lineBreak);
        this.scanner.inString = false;
        this.scanner.escaped = false;
      } else {
        // Hint: a pretty-printed value's second line never opens as the value does, but a
        // nested one later may, unless its first line held more than `{` or `[` alone.
        this.lineHead = LineHead.FirstLine;
        this.watchFirstValue = this.firstLineHeldMore(at);
        this.learning = this.firstElementOpen();
        this.elementHead = this.learning ? LineHead.Learn : LineHead.None;
      }
    } else {
      // Hint: both watches at once, when the first value's first line held more than its `[` and
      // an element of it is read (`[{…},` then one element a line): the next line's head may make
      // the file NDJSON, or else begin the next element. Only the first watched, the elements
      // after one cut short were lost to it.
      const element = this.elementLineHead(at);
      if (this.watchFirstValue || element !== LineHead.None) this.lineBreak = this.scanner.at(at);
      this.lineHead = this.watchFirstValue ? LineHead.FirstLine : element;
      this.elementHead = this.watchFirstValue ? element : LineHead.None;
    }
  }

  /** What the head of the line after file offset `at` decides for the batch element being read, if anything. */
  private elementLineHead(at: number): LineHead {
    if (this.mode !== Mode.Element) return LineHead.None;
    if (this.learning) return LineHead.Learn;
    if (this.column1 !== Column1.No) {
      // Hint: as the platform publishes them, every line at column 1, an element's first line
      // is its `{` alone and the next opens with a key, and a later line opening `{` may be a
      // nested object. An element whose first line held more (one compact element a line), or
      // whose second line opens otherwise, is not laid out so: a line opening `{` at column 1
      // begins the next element.
      if (this.column1 === Column1.FirstLine) {
        this.column1 = this.heldMore(this.elementStart.offset, at) ? Column1.EveryLine : Column1.SecondLine;
      }
      return this.column1 === Column1.EveryLine ? LineHead.Indent : LineHead.SecondLine;
    }
    return this.indentWatch > 0 ? LineHead.Indent : LineHead.None;
  }

  /**
   * The first byte of the line after one that left an element open, at file offset `at`,
   * decides whether the element ends before this line; a blank line decides nothing.
   */
  private decideLineHead(byte: number, at: number): void {
    if (byte === NEWLINE) return;
    let head = this.lineHead;
    this.lineHead = LineHead.None;
    const column = at - this.scanner.lineStart;
    // The element is watched beside the first value (`[{…},` then one element a line): whether
    // its nested objects open lines where elements do is not known, so it is cut only before a
    // line that opens an event (see `cutAtPending`).
    let shapeChecked = false;
    if (head === LineHead.FirstLine) {
      const pending = this.pendingLine !== undefined;
      if (pending) {
        // The lines after the one pending decide it: the first whose head the element's bytes
        // cannot go on with. When it opens as a member's line of a pretty value goes on (a key,
        // a closing bracket, a comma), after a line that is not one whole value, the damage is
        // the value's own (a trailing or missing comma), and it is read as JSON. Otherwise those
        // were lines of NDJSON (the pending one, or one after it, cut too), and the first value
        // its first line, cut: it ends there, and the lines from the pending one are read again,
        // as NDJSON, each waiting for the next to begin. Hint: `pendingHeadsChecked` lines at
        // most, each check reading the element from its start; after them the line stays
        // pending, decided as an element's is (see `cutAtPending`).
        const held = this.oversize ? undefined : this.bytesTo(at);
        const start = this.elementStart.offset;
        if (held === undefined || !mayBeginJson(held, byte)) {
          const lines =
            held !== undefined &&
            (!goesOnMember(byte) ||
              parsesAsJson(held.subarray(this.pendingHead - start, this.lineBreak.offset - start)));
          if (held !== undefined && lines && this.spendOn(held)) {
            this.readAgain(held, this.pendingCut - start + 1, false, false, undefined, this.pendingLine);
            return;
          }
          this.endPendingLine();
        } else if (++this.pendingHeads >= pendingHeadsChecked) this.watchFirstValue = false;
        else this.pendingHead = at;
      } else if (column === 0 && byte === this.topOpener) {
        // Hint: valid JSON may open a nested value there too (`"data":` then `{` at column 1).
        // When the element's bytes up to that line, then this byte, may begin valid JSON, the
        // line is pending, and the lines after it decide (above); before they do, the file ending
        // or the value growing past the size limit decide it was cut there (see `cutAtPending`),
        // and the value closing that it was not.
        if (this.mayOpenNested(byte)) {
          // Hint: a line already pending (one the elements' watch found) stays the one the
          // element is ended before if it shows it was cut.
          if (this.pendingCut === -1) {
            this.pendingCut = this.lineBreak.offset;
            this.pendingLine = this.lineBreak;
            this.pendingEvent = false;
            this.pendingHeads = 0;
            this.pendingHead = at;
          } else this.watchFirstValue = false;
          return;
        }
        this.lineDelimited = true;
        this.endLineValue(this.lineBreak);
        return;
      }
      // Hint: not once the watch has ended (above).
      if (!pending && this.topOpener === OPEN_BRACE && byte !== QUOTE && byte !== CLOSE_BRACE) {
        // Not the next member of a pretty-printed object: watch on, as if the first line held more.
        this.watchFirstValue = true;
      }
      // Not NDJSON: what the line's head decides for the element being read, as below. Hint: not
      // for one past the size limit, whose bytes are gone, so that where it is cut could not be
      // checked (see `cutAtPending`): it runs on, as it did before this watch.
      head = this.oversize ? LineHead.None : this.elementHead;
      this.elementHead = LineHead.None;
      shapeChecked = true;
    }
    if (this.mode !== Mode.Element || head === LineHead.None) return;
    if (head === LineHead.Learn) {
      // A line opening with a key or `}` is a pretty-printed object's: nothing to learn. One
      // opening `{` is where the next element would begin: its indentation is the elements',
      // watched from here on. Any other line (the rest of a cut line) decides nothing.
      if (byte === QUOTE || byte === CLOSE_BRACE) this.learning = false;
      if (byte !== OPEN_BRACE || column > 32) return;
      this.learning = false;
      this.indentWatch = column;
      if (column === 0) this.column1 = Column1.EveryLine;
      head = LineHead.Indent;
    }
    if (head === LineHead.SecondLine) {
      if (byte === QUOTE || byte === CLOSE_BRACE) {
        this.column1 = Column1.No;
        this.column1Object = true;
        this.cutEarly();
        return;
      }
      this.column1 = Column1.EveryLine;
    }
    const indent = this.indentWatch;
    if ((column === indent && byte === OPEN_BRACE) || (column < Math.max(indent, 1) && byte === CLOSE_BRACKET)) {
      // Hint: valid JSON may have such a line too (irregular indentation). When the element's
      // bytes up to it (its line break too), then this byte, may begin valid JSON, the line is only
      // a candidate, and the element is ended there once it is seen not to parse (see
      // `cutAtPending`); when they cannot, the element is broken, and ends here at once, as it does
      // while held bytes are read again or once they were let go.
      if (this.pendingCut !== -1) return;
      // Hint: held bytes read again are all at hand: such a line is taken only if it opens an
      // element (a flow step at the elements' column does not).
      if (shapeChecked && this.recovering) {
        const index = at - this.chunkOffset;
        if (index < 0 || opensElement(this.chunk, index, this.recoveryBudget) !== true) return;
      }
      if (
        !this.recovering &&
        !this.oversize &&
        (shapeChecked || mayBeginJson(this.bytesTo(this.lineBreak.offset + 1), byte))
      ) {
        this.pendingCut = this.lineBreak.offset;
        this.pendingEvent = shapeChecked;
        return;
      }
      this.cutElement(this.lineBreak.offset, 'next');
      if (byte === OPEN_BRACE) {
        this.mode = Mode.BatchElement;
        this.afterComma = undefined;
      }
    }
  }

  // ---- Between elements ----

  /** Reads a structural byte (outside any element): it may begin an element. Returns the index of the last byte read. */
  private structural(chunk: Buffer, i: number, base: number, byte: number): number {
    const position = this.scanner.at(base + i);
    const begins =
      this.mode === Mode.Top
        ? this.atTop(byte, position)
        : this.mode === Mode.BatchElement
          ? this.beforeBatchElement(byte, position)
          : this.afterBatchElementByte(byte, position);
    this.afterKeyOutside = byte === COLON && this.afterStringValue;
    this.afterStringValue = false;
    if (begins === Begins.No) return i;
    return this.startElement(chunk, i, base, byte, position, begins === Begins.OwnLine);
  }

  private atTop(byte: number, position: SplitPosition): Begins {
    if (byte === COMMA && this.valuesAtTop > 0) {
      // Hint: the first comma after a value is the one reported (trailing, or separating values);
      // each one after it is one too many, as in an array.
      if (this.afterComma) {
        this.extraComma(position, '');
        this.topStray = position.offset;
      } else this.afterComma = position;
      return Begins.No;
    }
    if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === COMMA || byte === COLON) {
      this.unexpected(byte, position, '');
      this.topStray = position.offset;
      return Begins.No;
    }
    const restore = isScalarStart(byte) ? this.topExpected() : undefined;
    const reported = this.beginTopValue(byte, position);
    this.mayBeStray = reported ? undefined : restore;
    return this.mode === Mode.BatchElement ? Begins.No : Begins.Inline;
  }

  /** Drops the scalar being read, found to be no element (stray characters, a comment), and `restore`s what was expected before it. */
  private unbegin(restore: () => void): void {
    this.scalar = false;
    this.strayText = false;
    this.strayQuoted = false;
    this.elementFrom = -1;
    this.parts = [];
    this.partsSize = 0;
    restore();
  }

  /**
   * Whether the `/` or `*` at file offset `at` makes the scalar being read, a `/` just before it
   * where an element or a value was expected, a comment (a line or a block one): if so, the scalar is no
   * element, and what was expected before it is again once the comment ends (see `commentByte`).
   * Hint: in a batch, `// second event` was three invalid elements, each after a missing comma.
   */
  private opensComment(at: number): boolean {
    const restore = this.mayBeStray;
    if (restore === undefined || this.oversize || this.elementStart.offset !== at - 1) return false;
    if (this.heldScalar(at - this.chunkOffset)[0] !== SLASH) return false;
    this.mayBeStray = undefined;
    this.commentStart = this.elementStart;
    this.commentPointer = this.elementPointer;
    this.unbegin(restore);
    return true;
  }

  /** Reads a byte of a comment other than a line break, at chunk index `i` (the chunk begins at file offset `base`); returns `i`. */
  private commentByte(byte: number, i: number, base: number): number {
    if (byte >= 0x80) this.scanner.nonAsciiByte(byte, base + i);
    if (this.comment === Comment.Line) return i;
    if (byte === SLASH && this.comment === Comment.BlockStar) this.endComment();
    else this.comment = byte === STAR ? Comment.BlockStar : Comment.Block;
    return i;
  }

  /** The comment being read ends (`unclosed`: with the file): reported once, where it began. */
  private endComment(unclosed = false): void {
    const start = this.commentStart;
    this.comment = Comment.None;
    this.commentStart = undefined;
    if (start === undefined) return;
    const message = unclosed
      ? 'a comment not closed before the end of the file: comments are not allowed in JSON'
      : 'comments are not allowed in JSON';
    this.problem(start, 'comment', message, this.commentPointer);
  }

  /** Puts back what the top level expects now, once a value begun after it is found to be stray characters. */
  private topExpected(): () => void {
    const { valuesAtTop, batch, topStart, topOpener, onTopLine, afterComma, afterStrayText } = this;
    return () => {
      this.mode = Mode.Top;
      this.valuesAtTop = valuesAtTop;
      this.batch = batch;
      this.topStart = topStart;
      this.topOpener = topOpener;
      this.onTopLine = onTopLine;
      this.afterComma = afterComma;
      this.afterStrayText = afterStrayText;
      this.heldSecondValue = undefined;
    };
  }

  /** In a top-level array, where an element is expected. */
  private beforeBatchElement(byte: number, position: SplitPosition): Begins {
    if (byte === CLOSE_BRACKET) {
      if (this.afterComma) {
        this.problem(this.afterComma, 'trailing-comma', 'trailing comma before "]"', this.elementBefore(), {
          offset: this.afterComma.offset,
          deleteBytes: 1,
          insert: '',
        });
      }
      this.endBatch(position, true);
      return Begins.No;
    }
    if (byte === COMMA) {
      this.extraComma(position, this.afterComma ? this.elementBefore() : `/${this.inBatchIndex}`);
      return Begins.No;
    }
    if (byte === COLON || byte === CLOSE_BRACE) {
      this.unexpected(byte, position, `/${this.inBatchIndex}`);
      return Begins.No;
    }
    // Hint: an element where reading resumed opened its line, after a comma on an earlier one.
    const ownLine =
      (this.afterComma ?? this.batchOpen ?? position).line < position.line ||
      position.offset === this.resumedElement?.offset;
    const afterComma = this.afterComma;
    this.afterComma = undefined;
    this.beginElement(position, `/${this.inBatchIndex}`);
    if (isScalarStart(byte)) {
      this.mayBeStray = () => {
        this.mode = Mode.BatchElement;
        this.afterComma = afterComma;
      };
    }
    return ownLine ? Begins.OwnLine : Begins.Inline;
  }

  /**
   * Whether the scalar that ends before chunk index `to` (see `mayBeStray`) is stray characters
   * before an element, not one: if so it is reported, and an element is expected again as before
   * it. Whitespace-like ones always are, wherever they stand; symbols only when a value opens
   * right after them (`@{`), else they stand where a value does, and are read as one (`[@, 1]`).
   */
  private strayBefore(to: number): boolean {
    const restore = this.mayBeStray;
    this.mayBeStray = undefined;
    if (restore === undefined || this.oversize) return false;
    const held = this.heldScalar(to);
    // Hint: JSON's own blanks the stray run took in at its end at the top level, a CRLF's CR, a tab
    // (`{…}\u00a0\t\r\n`), end it, and are no part of it (hR55, hR56).
    let end = held.length;
    while (end > 0 && (held[end - 1] === RETURN || held[end - 1] === TAB || held[end - 1] === SPACE)) end--;
    const lastReturn = held.lastIndexOf(RETURN);
    const run = held.subarray(0, end);
    const text = withLoneNoBreakSpaces(run);
    // Hint: a run with another byte that is not UTF-8 is text in another encoding (a Latin-1 line,
    // Windows-1252's curly quotes), which may be an element: read as one, as before.
    if (text === undefined) return false;
    const blank = blankRepair(0, text);
    // Hint: the byte that ended the scalar is in this chunk. A symbol is stray only when a value
    // opens right after it (`@{`): after a blank, what comes next may be a `,` or `]`, and the
    // symbol stands where a value does (`["a", @ , "b"]`), as before.
    const next = this.chunk[to];
    const opens = next === OPEN_BRACE || next === OPEN_BRACKET || next === QUOTE;
    if (!blank && !(opens && isStrayRun(text))) return false;
    const start = this.elementStart;
    // Hint: the bytes the run took, not its text's UTF-8 (a lone 0xA0 is one byte, U+00A0 two).
    const repair = blank && { offset: start.offset, deleteBytes: end, insert: blank.insert };
    // Hint: named by its first character, where the caret points: a lone 0xA0 as the byte it is.
    const message = run[0] === 0xa0 ? loneNoBreakSpaceMessage : symbolMessage(text);
    this.problem(start, 'invalid-symbol', message, this.elementPointer, repair);
    this.unbegin(restore);
    // Hint: and it is read as one at the top level is, so that a value after it on the same line
    // is said to follow a lone CR (review hR56).
    if (lastReturn >= end && this.mode === Mode.Top) this.returnAtTop = start.offset + lastReturn;
    return true;
  }

  /**
   * Whether the `[` at `position`, right after the batch's last element (no comma between) that
   * ended on line `lineBefore`, opens the next batch, this one's `]` lost (two exports joined, the
   * first cut before its last line): it opens its own line after an object, at column 1 or left of
   * that object. Hint: only with no comma before it, where no valid JSON has a `[`: after a comma
   * an array at column 1 is an element of the batch (the platform's layout puts every line there),
   * and reading it as the next batch changed valid JSON (review hR85). An array at the elements'
   * own indentation is one of them, a comma missing before it; nested, every event of the batch it
   * opens was one invalid element (red team hR84).
   */
  private opensNextBatch(position: SplitPosition, lineBefore: number): boolean {
    const column = this.objectBefore;
    return column > 0 && lineBefore < position.line && (position.column === 1 || position.column < column);
  }

  /** Ends the batch whose `]` was lost at `at`, before the next one opens, with the repair that puts it there. */
  private batchLost(at: SplitPosition): void {
    const open = this.batchOpen ?? at;
    const message = `expected "]" to close the array opened at line ${open.line}, column ${open.column}; the "[" after it opens the next batch`;
    this.problem(at, 'unexpected-token', message, '', { offset: at.offset, deleteBytes: 0, insert: ']' });
    this.endBatch(at, false);
  }

  /** In a top-level array, after an element, where `,` or `]` is expected. */
  private afterBatchElementByte(byte: number, position: SplitPosition): Begins {
    if (byte === COMMA) {
      this.afterComma = position;
      this.mode = Mode.BatchElement;
      return Begins.No;
    }
    if (byte === CLOSE_BRACKET) {
      this.endBatch(position, true);
      return Begins.No;
    }
    if (byte === CLOSE_BRACE || byte === COLON) {
      this.unexpected(byte, position, `/${this.inBatchIndex}`);
      return Begins.No;
    }
    const end = { offset: this.lastEndOffset, line: this.lastEndLine, column: this.lastEndColumn };
    if (byte === OPEN_BRACKET && this.opensNextBatch(position, end.line)) {
      this.batchLost(end);
      return this.atTop(byte, position);
    }
    // Hint: the element before, where the comma goes, as inside an element (see `diagnoseSyntax`).
    const missing = this.problemAt(
      end,
      'missing-comma',
      'missing comma between array elements',
      `/${this.inBatchIndex - 1}`,
      {
        offset: end.offset,
        deleteBytes: 0,
        insert: ',',
      },
    );
    const ownLine = this.lastEndLine < position.line;
    this.beginElement(position, `/${this.inBatchIndex}`);
    if (isScalarStart(byte)) {
      // Hint: a scalar here may be stray blanks before the `,` or `]` (a no-break space, a form
      // feed), or symbols before a `{`, no element of its own, as before an element (see
      // `strayBefore`): the comma is missing only once it is seen to be one (see
      // `finishElement`), its frame taken now.
      this.heldComma = missing;
      // Hint: and a string before the blanks stays the string a `:` after them would follow, a
      // key outside any object, not a value to be comma'd apart from the next (review hR55).
      const afterString = this.afterStringValue;
      this.mayBeStray = () => {
        this.mode = Mode.BatchComma;
        this.heldComma = undefined;
        this.afterStringValue = afterString;
      };
    } else this.sink.problem(missing);
    return ownLine ? Begins.OwnLine : Begins.Inline;
  }

  /**
   * An element begins at `chunk[i]`: offered to the quick path when it can take it, else read
   * by the scanner from here. Returns the index of the last byte read.
   */
  private startElement(
    chunk: Buffer,
    i: number,
    base: number,
    byte: number,
    position: SplitPosition,
    ownLine: boolean,
  ): number {
    // Hint: a batch element that opens its line is watched by its indentation, so that a broken
    // one ends where the next begins.
    const opener = byte === OPEN_BRACE || byte === OPEN_BRACKET;
    const resumed = this.resumedElement?.offset === position.offset ? this.resumedElement : undefined;
    const column = resumed ? resumed.indent + 1 : position.column;
    this.indentWatch = ownLine && !this.onTopLine && opener && column <= 33 ? column - 1 : -1;
    this.objectColumn = byte === OPEN_BRACE ? column : 0;
    this.learning = false;
    this.elementLineStart = this.scanner.lineStart;
    this.column1 =
      this.indentWatch === 0 && byte === OPEN_BRACE && this.batchOpen !== undefined ? Column1.FirstLine : Column1.No;
    if (byte === OPEN_BRACE && this.guide.active && this.sink.tryElement) {
      const end = this.batchOpen ? this.tryQuick(chunk, i, base) : this.tryQuickLine(chunk, i, base);
      if (end !== -1) return end - 1;
    }
    this.elementFrom = i;
    this.scanner.beginElement(byte);
    this.scalar = !opener && byte !== QUOTE;
    this.stringValue = byte === QUOTE;
    return i;
  }

  /**
   * A top-level value begins at `position`; returns whether a problem was reported at it, or held
   * for it (a second value, a comma or a line break wanting), which makes it a value, no stray
   * characters (see `mayBeStray`). A scalar that would be a body's second value is held as one
   * that may yet be stray: false.
   */
  private beginTopValue(byte: number, position: SplitPosition): boolean {
    let reported = true;
    // Hint: a line of text at the top level is counted among the values (it has its own problem):
    // the JSON value after it is the first.
    if (this.limits.oneValue && this.valuesAtTop > this.textsAtTop) {
      const message = 'a second JSON value: a body is one JSON value, an event or an array of events';
      // Hint: a scalar may yet be stray blanks or a comment (`[…]\u00a0`, `{…} // x`), no value
      // (see `strayBefore`, `opensComment`): a 400 said a body of one batch held two (red team hF60).
      if (isScalarStart(byte)) {
        this.heldSecondValue = { position, code: 'second-value', message, repair: undefined };
        reported = false;
      } else this.problem(position, 'second-value', message, '');
    } else if (this.valuesAtTop > 0 && this.afterComma) {
      this.sawTopComma = true;
      // Hint: the repair leaves a value a line, which every reader takes: a value already on a
      // later line than the one before it ended needs only the comma gone (wherever the comma is),
      // one on the same line a line break for it, in the file's line ending. The blanks after the
      // comma go with it when the value follows on its line, so that the value opens its line.
      const comma = this.afterComma;
      const blanks = comma.line === position.line && this.topStray < comma.offset;
      this.problem(
        comma,
        'top-level-comma',
        'values at the top level are separated by a comma: wrap them in [ ] for a batch, or put one per line (NDJSON)',
        '',
        {
          offset: comma.offset,
          deleteBytes: blanks ? position.offset - comma.offset : 1,
          insert: this.lastEndLine < position.line ? '' : this.lineEnding(),
        },
      );
    } else if (
      this.lineDelimited &&
      this.lastEndLine === position.line &&
      !this.afterStrayText &&
      // Hint: stray text after a value (`{…}x`, `{…}@`) is no second value: its element says what
      // it is; a line break before it would not make it one.
      beginsJsonValue(byte)
    ) {
      // Hint: a CR between them is not followed by a LF (the line would have ended): a lone CR, an
      // old Mac line ending, which editors show as a line break but line readers of NDJSON do not.
      const loneReturn = this.returnAtTop >= this.lastEndOffset;
      const held: HeldProblem = {
        position,
        code: 'missing-line-break',
        message: loneReturn
          ? 'a second value on the line, after a lone CR: NDJSON lines end with LF or CRLF'
          : `a second value on the line: put a line break before it ${ndjsonHint}`,
        repair: loneReturn
          ? { offset: this.returnAtTop + 1, deleteBytes: 0, insert: '\n' }
          : { offset: position.offset, deleteBytes: 0, insert: this.lineEnding() },
      };
      // Hint: a scalar may yet be stray text (`{…} nope`, `{…}-- done`), which its element says;
      // whether it is a value is known once it ends (see `finishElement`).
      if (isScalarStart(byte)) this.heldSecondValue = held;
      else this.problem(position, 'missing-line-break', held.message, '', held.repair);
    } else reported = false;
    this.afterStrayText = false;
    this.afterComma = undefined;
    this.valuesAtTop++;
    this.batch++;
    this.topStart = position;
    this.topOpener = byte;
    this.onTopLine = this.lineDelimited || this.atFirstValue;
    if (byte === OPEN_BRACKET) {
      this.mode = Mode.BatchElement;
      this.batchOpen = position;
      this.inBatchIndex = 0;
      this.objectBefore = 0;
    } else {
      this.beginElement(position, '');
    }
    return reported;
  }

  /**
   * The file's line ending, CRLF or LF, for a line break a repair puts in: that of the line being
   * read when the chunk at hand shows it, or else of the line before it (as the chunk that held
   * its line break showed it); on a first line longer than a chunk, `firstLineEnding`. Hint: looked
   * for once a file, so a long line of commas costs one search.
   */
  private lineEnding(): string {
    if (this.newline === undefined) {
      const { chunk } = this;
      const lineStart = this.scanner.lineStart - this.chunkOffset;
      const end = chunk.indexOf(NEWLINE, Math.max(0, lineStart));
      const crlf =
        end !== -1
          ? this.afterReturn(end)
          : lineStart > 0 && chunk[lineStart - 1] === NEWLINE
            ? this.afterReturn(lineStart - 1)
            : (this.crlfBefore ?? this.limits.firstLineEnding === '\r\n');
      this.newline = crlf ? '\r\n' : '\n';
    }
    return this.newline;
  }

  /** Whether the line feed at index `at` of the chunk at hand ends a CRLF (its CR maybe the last byte of the chunk before). */
  private afterReturn(at: number): boolean {
    return (at > 0 ? this.chunk[at - 1] : this.lastByte) === RETURN;
  }

  private beginElement(position: SplitPosition, pointer: string): void {
    this.mode = Mode.Element;
    this.memberValue = this.afterKeyOutside;
    this.afterKeyOutside = false;
    this.mayBeStray = undefined;
    this.elementStart = position;
    this.elementPointer = pointer;
    this.scalar = false;
    this.parts = [];
    this.partsSize = 0;
    this.oversize = false;
  }

  private endBatch(position: SplitPosition, closed: boolean): void {
    const open = this.batchOpen ?? position;
    // Where the top-level value ended (see `beginTopValue`): at its `]`, or the end of its line.
    this.lastEndOffset = position.offset;
    this.lastEndLine = position.line;
    this.lastEndColumn = position.column;
    if (closed && open.line === position.line && this.atFirstValue) this.lineDelimited = true;
    this.onTopLine = false;
    this.watchFirstValue = false;
    this.batchEnd(open, true, this.inBatchIndex);
    this.batchOpen = undefined;
    this.afterComma = undefined;
    this.mode = Mode.Top;
  }

  /** The pointer of the top-level array's element before a comma after it, as inside an element (see `diagnoseSyntax`). */
  private elementBefore(): string {
    return this.inBatchIndex > 0 ? `/${this.inBatchIndex - 1}` : '';
  }

  /** A comma where a value is expected: after another comma, or before an array's first element. */
  private extraComma(position: SplitPosition, pointer: string): void {
    const what = this.afterComma ? 'two commas in a row' : 'comma before the first element';
    this.problem(position, 'unexpected-comma', what, pointer, { offset: position.offset, deleteBytes: 1, insert: '' });
  }

  /**
   * A byte outside any element that cannot be there, repaired by deleting it: a stray `}`, `]`,
   * comma, or a `:` after one of them. Not a `:` after a string: that is a key's, outside its
   * object (whose `{` was lost, or which a stray `}` closed early), and deleting it would leave
   * the key and its value as loose values of their own.
   */
  private unexpected(byte: number, position: SplitPosition, pointer: string): void {
    const key = byte === COLON && this.afterStringValue;
    this.problem(
      position,
      'unexpected-character',
      key
        ? 'unexpected ":": a key outside any object (was its "{" lost?)'
        : `unexpected ${JSON.stringify(String.fromCharCode(byte))}`,
      pointer,
      key ? undefined : { offset: position.offset, deleteBytes: 1, insert: '' },
    );
  }

  private problem(
    position: SplitPosition,
    code: string,
    message: string,
    pointer: string,
    repair?: SplitProblem['repair'],
  ): void {
    this.sink.problem(this.problemAt(position, code, message, pointer, repair));
  }

  /** The problem `problem` reports, framed by the bytes at hand (when it may be listed), to be reported later. */
  private problemAt(
    position: SplitPosition,
    code: string,
    message: string,
    pointer: string,
    repair?: SplitProblem['repair'],
  ): SplitProblem {
    const excerpt = this.sink.mayList?.(position) === false ? undefined : this.excerptFor(position.offset);
    // Hint: its fields named, not `...position`: the spread took 4 µs a problem (a stray byte each).
    const { offset, line, column } = position;
    return { offset, line, column, code, message, pointer, excerpt, repair };
  }

  /** The source around file offset `offset` (see `around`). */
  private excerptFor(offset: number): SourceExcerpt | undefined {
    const at = this.around(offset);
    return at && excerptIn(at.bytes, at.index, at.cut, at.cutAfter);
  }

  private keptLine(lineStart: number, end: number): KeptLine {
    return { end, bytes: Buffer.from(this.lineBytes(lineStart, end)) };
  }

  /**
   * The bytes of the line begun at file offset `lineStart`, before file offset `end` (at most
   * `leadBytes` of them), from the chunk at hand and those kept before it: all of them, or fewer
   * when the rest went with an earlier chunk.
   */
  private lineBytes(lineStart: number, end: number): Buffer {
    const { chunk, chunkOffset, lineTail } = this;
    const from = Math.max(lineStart, end - leadBytes);
    // Hint: the end of the file (see `endStep`) lets go of the chunk, but not of its offset.
    if (end < chunkOffset || end > chunkOffset + chunk.length || chunk.length === 0) {
      return this.elementLead?.end === end ? this.elementLead.bytes : Buffer.alloc(0);
    }
    const here = chunk.subarray(Math.max(from, chunkOffset) - chunkOffset, end - chunkOffset);
    if (from >= chunkOffset || lineTail?.end !== chunkOffset) return here;
    return Buffer.concat([lineTail.bytes.subarray(Math.max(0, lineTail.bytes.length - (chunkOffset - from))), here]);
  }

  /** What stands before the element being handed on, on its first line (see `SplitSink.element`). */
  private lineBefore(): LineBefore {
    const lineStart = this.elementLineStart;
    const start = this.elementStart.offset;
    const bytes = this.lineBytes(lineStart, start);
    let first = 0;
    while (first < bytes.length && ((bytes[first] ?? 0) & 0xc0) === 0x80) first++;
    const decoded = bytes.toString('utf8', first);
    const cut = bytes.length < start - lineStart;
    // Hint: cut, they may begin inside a character as a reader sees it (see `excerptIn`).
    const text = cut ? decoded.slice(wholeClusterStart(decoded)) : decoded;
    // Hint: where reading resumed (see `resumeAt`), the line began with blanks this reading did not see.
    const resumed = this.resumedElement;
    const blanks = !cut && resumed?.offset === lineStart ? ' '.repeat(resumed.indent) : '';
    return { text: blanks + text, cut };
  }

  private keptExcerpt(offset: number): KeptExcerpt | undefined {
    const at = this.around(offset);
    return at && { ...at, offset, bytes: Buffer.from(at.bytes) };
  }

  /**
   * The file's last `count` bytes (or fewer, from its text's start) before file offset `end`, in
   * the chunk at hand: from it, and from the bytes kept of those before it (see `recent`).
   */
  private bytesBefore(end: number, count: number): Buffer {
    const { chunk, chunkOffset, recent } = this;
    const from = Math.max(this.textStart, end - count);
    const here = chunk.subarray(Math.max(from, chunkOffset) - chunkOffset, end - chunkOffset);
    if (from >= chunkOffset || recent?.end !== chunkOffset) return here;
    return Buffer.concat([recent.bytes.subarray(Math.max(0, recent.bytes.length - (chunkOffset - from))), here]);
  }

  /**
   * The bytes around file offset `offset`, and its index in them: the excerpt kept for it when
   * its chunk went (see `pushBytes`), joined to the chunk at hand when that goes on where the
   * kept bytes end; else from the chunk at hand, when `offset` is in it. Hint: kept at the end
   * of its chunk, an element's end is the next chunk's first byte, which a problem there points at.
   */
  private around(offset: number): Omit<KeptExcerpt, 'offset'> | undefined {
    const kept = [this.behind, this.atBreak, this.strayAt].find((excerpt) => excerpt?.offset === offset);
    if (kept) {
      if (this.chunk.length === 0 || offset - kept.index + kept.bytes.length !== this.chunkOffset) return kept;
      const bytes = Buffer.concat([kept.bytes, this.chunk.subarray(0, frameAfter)]);
      return { ...kept, bytes, cutAfter: frameAfter < this.chunk.length };
    }
    const index = offset - this.chunkOffset;
    if (index < 0 || index > this.chunk.length || this.chunk.length === 0) return undefined;
    // Hint: the bytes before it are the file's, not the chunk's: a chunk that begins just before
    // it (as the second thread's first does, or any read's) showed less of the lines before, and
    // a line before begun in an earlier chunk as if it began there.
    const before = this.bytesBefore(offset, frameBefore + 1);
    let from = before.length > frameBefore ? 1 : 0;
    while (from < before.length && ((before[from] ?? 0) & 0xc0) === 0x80) from++;
    const cut = from > 0 && before[from - 1] !== NEWLINE;
    const after = this.chunk.subarray(index, Math.min(this.chunk.length, index + frameAfter));
    const cutAfter = index + frameAfter < this.chunk.length;
    return { bytes: Buffer.concat([before.subarray(from), after]), index: before.length - from, cut, cutAfter };
  }

  // ---- The element's bytes, and its end ----

  private keep(bytes: Buffer): void {
    // Hint: no empty part, so that the last part ends with the element's last byte (a `\r` that
    // `cutElement` leaves out), even when the line break it was cut at began the chunk.
    if (bytes.length === 0) return;
    if (this.oversize) {
      this.partsSize += bytes.length;
      return;
    }
    this.parts.push(bytes);
    this.partsSize += bytes.length;
    if (this.partsSize > this.limits.maxElementBytes) {
      // Hint: past the limit only the count is kept, so one runaway element (an unclosed
      // bracket in a 2 GB file) cannot take the memory with it, and its start (`head`).
      this.oversize = true;
      const start = Buffer.concat(this.parts.slice(0, headBytes)).subarray(0, headBytes);
      this.oversizeHead = new StringDecoder('utf8').write(start);
      this.parts = [];
    }
  }

  /** The element's bytes kept so far, as one buffer: the one part itself when there is one (the common case). */
  private keptBytes(): Buffer {
    const first = this.parts[0];
    return first !== undefined && this.parts.length === 1 ? first : Buffer.concat(this.parts, this.partsSize);
  }

  /** Keeps the element's bytes up to `size` of those already kept. */
  private trimTo(size: number): void {
    if (!this.oversize) {
      this.parts = [this.keptBytes().subarray(0, size)];
    }
    this.partsSize = size;
  }

  private finishElement(endOffset: number, truncated: boolean, cut?: 'line' | 'next'): void {
    const bytes = this.oversize ? Buffer.alloc(0) : this.keptBytes();
    const held = this.heldSecondValue;
    if (held) {
      this.heldSecondValue = undefined;
      // Hint: one too large to keep (no bytes) began as a value, and is one as far as can be told.
      if (this.oversize || parsesAsJson(bytes)) this.problem(held.position, held.code, held.message, '', held.repair);
    }
    if (this.heldComma) {
      this.sink.problem(this.heldComma);
      this.heldComma = undefined;
    }
    this.afterStringValue = this.stringValue;
    this.column1 = Column1.No;
    this.column1Object = false;
    this.cutBefore = -1;
    // Hint: a value with a line pending that closed was no cut first line of NDJSON: the first
    // value's watch ends with it (see `decideLineHead`).
    if (this.pendingLine !== undefined) this.watchFirstValue = false;
    this.pendingCut = -1;
    this.pendingLine = undefined;
    // Hint: the parts are let go before the element is handed on, so that a large one is not held twice.
    this.parts = [];
    const inBatch = this.batchOpen !== undefined;
    const start = this.elementStart;
    const scanner = this.scanner;
    // Hint: a line of NDJSON, or a value on one line that the file ended in (its last line, or
    // its only one, not yet known to be NDJSON), its line break with it; never a value of several
    // lines, whose nested object may close at its end.
    const oneLine = cut === 'line' || (truncated && cut === undefined && isOneLine(bytes));
    const glued = oneLine && !inBatch && !this.oversize && !this.limits.oneValue ? gluedEventAt(bytes) : undefined;
    if (glued) this.handOnGlued(bytes, glued);
    else
      this.sink.element(
        {
          offset: start.offset,
          line: start.line,
          column: start.column,
          batch: this.batch,
          index: this.index++,
          pointer: this.elementPointer,
          bytes,
          oversize: this.oversize,
          size: this.partsSize,
          depth: scanner.maxDepth,
          members: scanner.members,
          nonAscii: scanner.nonAscii,
          truncated,
          cut,
          unclosed: truncated ? (scanner.inString ? 'string' : 'bracket') : undefined,
          head: this.oversize ? this.oversizeHead : undefined,
          memberValue: this.memberValue || undefined,
        },
        this.lineBeforeElement,
      );
    if (inBatch) this.afterBatchElement(endOffset);
    else {
      // Hint: a line of text is no value that opened and closed on its line: a heading pasted above
      // a pretty-printed batch does not make the file NDJSON.
      if (this.afterStrayText) this.textsAtTop++;
      else if (start.line === scanner.line && cut === undefined && this.atFirstValue) this.lineDelimited = true;
      this.endTopValue(endOffset);
    }
  }

  /**
   * Hands on the line of NDJSON `bytes`, cut short with an event written onto it from
   * `bytes[glued]` to `bytes[end]` (see `gluedEventAt`), as two values, each an element of its own:
   * the cut one, ended where the event begins (`cut: 'glued'`), and the event, at its own column.
   * Nothing of the line is lost: it is read as if a line break stood before the event, but for
   * the problem of the cut value. Hint: the scanner read the line as one value; each part's depth
   * and members are counted again here, from its own bytes.
   */
  private handOnGlued(bytes: Buffer, { start: glued, end }: { start: number; end: number }): void {
    const start = this.elementStart;
    const cutBytes = bytes.subarray(0, glued);
    const eventBytes = bytes.subarray(glued, end);
    const place = new ByteScanner();
    place.startLine(start.offset);
    place.passOver(cutBytes, start.offset);
    const element = (offset: number, column: number, part: Buffer, cut: 'glued' | undefined): SplitElement => {
      const facts = textFacts(part, offset);
      return {
        offset,
        line: start.line,
        column,
        batch: this.batch,
        index: this.index++,
        pointer: this.elementPointer,
        bytes: part,
        oversize: false,
        size: part.length,
        depth: facts.maxDepth,
        members: facts.members,
        nonAscii: facts.nonAscii,
        truncated: false,
        cut,
        memberValue: (cut !== undefined && this.memberValue) || undefined,
      };
    };
    this.sink.element(element(start.offset, start.column, cutBytes, 'glued'), this.lineBeforeElement);
    this.batchEnd(start, false, 1);
    this.batch++;
    this.valuesAtTop++;
    const column = start.column + place.at(start.offset + glued).column - 1;
    this.sink.element(element(start.offset + glued, column, eventBytes, undefined), () => {
      // What stood before the cut value on its line, and the cut value (its end, when long).
      const before = this.lineBefore();
      const tail = cutBytes.subarray(Math.max(0, glued - frameBefore));
      let first = 0;
      while (first < tail.length && ((tail[first] ?? 0) & 0xc0) === 0x80) first++;
      const decoded = tail.toString('utf8', first);
      const cut = before.cut || glued > frameBefore;
      return { text: cut ? decoded.slice(wholeClusterStart(decoded)) : before.text + decoded, cut };
    });
  }

  /** A value at the top level (not an array) ended at `endOffset`. */
  private endTopValue(endOffset: number): void {
    this.onTopLine = false;
    this.watchFirstValue = false;
    this.parts = [];
    this.lastEnd(endOffset);
    this.mode = Mode.Top;
    this.batchEnd(this.elementStart, false, 1);
  }

  /**
   * Tells the sink that the top-level value begun at `start` ended. Hint: the position is copied
   * field by field: spread into the literal (`{ ...start }`), it made a kilobyte of garbage a
   * value on Node 20, a third of all a file of 300,000 lines of `{}` made.
   */
  private batchEnd(start: SplitPosition, isArray: boolean, elements: number): void {
    const { offset, line, column } = start;
    this.sink.batchEnd?.({ offset, line, column, batch: this.batch, isArray, elements });
  }

  private lastEnd(endOffset: number): void {
    this.lastEndOffset = endOffset;
    this.lastEndLine = this.scanner.line;
    this.lastEndColumn = this.scanner.columnAt(endOffset);
  }

  private afterBatchElement(endOffset: number): void {
    this.parts = [];
    this.lastEnd(endOffset);
    this.objectBefore = this.objectColumn;
    this.inBatchIndex++;
    this.mode = Mode.BatchComma;
  }

  // ---- Recovery: where a broken element ends ----

  /**
   * Whether a batch's first element, an object begun on its `[`'s line, is open at that line's
   * end: one compact element a line cut short (`[{…` then `{…},` a line), or a pretty-printed
   * object, which the next line that opens otherwise than `{` tells.
   */
  private firstElementOpen(): boolean {
    return (
      this.batchOpen !== undefined &&
      this.mode === Mode.Element &&
      !this.scalar &&
      this.byteAt(this.elementStart.offset, this.elementStart.offset) === OPEN_BRACE
    );
  }

  /** The first value's line pending is no cut first line of NDJSON: the file is read as JSON. */
  private endPendingLine(): void {
    this.pendingCut = -1;
    this.pendingLine = undefined;
    this.watchFirstValue = false;
  }

  /**
   * Whether a line opening with `byte`, the first value's opener, at column 1 may open a value
   * nested in the element being read, which is then read on (see `decideLineHead`): the element's
   * bytes up to it, its line break too, then `byte`, may begin valid JSON. Not between elements,
   * nor for one whose bytes were let go (past the size limit) or are being read again: those end
   * the first value at once, as NDJSON, as before this check.
   */
  private mayOpenNested(byte: number): boolean {
    return (
      this.mode === Mode.Element &&
      !this.oversize &&
      !this.recovering &&
      mayBeginJson(this.bytesTo(this.lineBreak.offset + 1), byte)
    );
  }

  /** Whether the top-level value's first line, which ends at file offset `lineBreak`, held more than its opener. */
  private firstLineHeldMore(lineBreak: number): boolean {
    if (this.batchOpen)
      return this.mode !== Mode.BatchElement || this.inBatchIndex > 0 || this.afterComma !== undefined;
    return this.heldMore(this.topStart.offset, lineBreak);
  }

  /**
   * Whether the line from file offset `start`, the opener of the value being read (its first
   * kept byte), to the line break at `lineBreak` held more than the opener and blanks.
   */
  private heldMore(start: number, lineBreak: number): boolean {
    for (let at = start + 1; at < lineBreak; at++) {
      const byte = this.byteAt(at, start);
      if (byte !== RETURN && byte !== SPACE && byte !== TAB) return true;
    }
    return false;
  }

  /** The bytes of the element being read up to file offset `end` (in the chunk at hand, or in the kept bytes). */
  private bytesTo(end: number): Buffer {
    if (end < this.chunkOffset) return this.keptBytes().subarray(0, end - this.elementStart.offset);
    const part = this.chunk.subarray(this.elementFrom, end - this.chunkOffset);
    return this.parts.length === 0 ? part : Buffer.concat([...this.parts, part]);
  }

  /** The byte at file offset `at` of the value begun at `start`: in the chunk, or kept from an earlier one. */
  private byteAt(at: number, start: number): number | undefined {
    if (at >= this.chunkOffset) return this.chunk[at - this.chunkOffset];
    let index = at - start;
    for (const part of this.parts) {
      if (index < part.length) return part[index];
      index -= part.length;
    }
    return undefined;
  }

  /**
   * Ends the element being read, before it closed, at the line break at file offset `end`: a
   * line of NDJSON (`line`), or an element of a batch whose next element begins on the next
   * line (`next`). A `\r` before the line break is left out.
   */
  private cutElement(end: number, cut: 'line' | 'next'): void {
    if (end >= this.chunkOffset) this.keep(this.chunk.subarray(this.elementFrom, end - this.chunkOffset));
    else this.trimTo(end - this.elementStart.offset);
    this.elementFrom = -1;
    let last = end;
    const lastPart = this.parts.at(-1);
    if (!this.oversize && lastPart !== undefined && lastPart[lastPart.length - 1] === RETURN) {
      last--;
      this.trimTo(this.partsSize - 1);
    }
    this.finishElement(last, false, cut);
  }

  /**
   * On the broken path only: the element being read opened its line at column 1 with `{` alone
   * and went on as a pretty-printed object (every line at column 1, as the platform prints
   * batches), and the file ended inside it, or a `]` closed it. It lost its closing lines, so
   * it ran on over the elements after it. Their bytes are still held: when a later line begins
   * an element (see `nextElementLine`), the element is ended before that line (`cut: 'next'`, as an
   * indented one is) and the bytes from there are read again, at their real offsets, lines and
   * columns. Returns false, changing nothing, when no such line is held (or the element grew
   * past the size limit, and its bytes were let go).
   */
  private recoverColumn1Cut(closedByBracket = false, later = false): boolean {
    if (!this.column1Object || this.oversize) return false;
    const held = this.keptBytes();
    if (!this.spendOn(held)) return false;
    const table = braceLineTable(held);
    const open = table ? nextElementLine(held, 0, held.length, closedByBracket, table, this.recoveryBudget) : -1;
    if (table === undefined || open === -1) return false;
    return this.readAgain(held, open, closedByBracket, later, table);
  }

  /**
   * The element being read passed a line that may begin the next element (`pendingCut`), and
   * showed it was cut: it closed and its bytes `held` do not parse as JSON (or are past the size
   * limit), or the file ended inside it (`later`). It is ended before that line, and `held` is
   * read again from there, as `recoverColumn1Cut` does. Returns false, changing nothing, when the
   * recovery budget is spent. Hint: valid JSON closes and parses, so a valid element is never cut.
   */
  private cutAtPending(held: Buffer, later = false): boolean {
    if (!this.spendOn(held)) return false;
    let open = this.pendingCut - this.elementStart.offset + 1;
    if (this.pendingEvent) {
      open = nextEventLine(held, open, this.indentWatch, this.recoveryBudget);
      if (open < 0) return false;
    }
    return this.readAgain(held, open, !later, later, undefined, this.pendingLine);
  }

  /** Takes the reading of `held`, the bytes of the element being read, again from the budget; false when it is spent. */
  private spendOn(held: Buffer): boolean {
    const budget = this.recoveryBudget;
    const start = this.elementStart.offset;
    const heldEnd = start + held.length;
    if (heldEnd > this.budgetTo) {
      budget.left += 4 * (heldEnd - Math.max(this.budgetTo, start));
      this.budgetTo = heldEnd;
    }
    if (budget.left < held.length) return false;
    budget.left -= held.length;
    return true;
  }

  /**
   * Ends the element being read before the line at `held[open]` (`cut: 'next'`), and reads
   * `held`, its bytes, again from there (see `recoverColumn1Cut`); `table`, the `{` lines of
   * bytes held to the end of the file, for `cutEarly`.
   */
  private readAgain(
    held: Buffer,
    open: number,
    closedByBracket: boolean,
    later: boolean,
    table: BraceLineTable | undefined,
    asLines?: SplitPosition,
  ): boolean {
    const start = this.elementStart;
    const heldEnd = start.offset + held.length;
    const { chunk, chunkOffset, offset } = this;
    this.parts = [held];
    this.partsSize = held.length;
    this.chunk = Buffer.alloc(0);
    this.chunkOffset = heldEnd;
    this.rescan(held, open - 1);
    if (asLines !== undefined) {
      // The first value was the first line of NDJSON, cut: it ends with that line, as at once.
      this.lineDelimited = true;
      this.endLineValue(asLines);
      this.scanner.lineBreak(start.offset + open - 1);
    } else {
      this.cutElement(start.offset + open - 1, 'next');
      this.scanner.lineBreak(start.offset + open - 1);
      this.mode = Mode.BatchElement;
      this.afterComma = undefined;
    }
    this.offset = start.offset + open;
    // Hint: held up to the end of the file, the bytes tell where each element read again ends;
    // held up to a `]`, they may not (an element cut short runs on past it), and are not used.
    const outer = this.recovery;
    if (!closedByBracket && table) this.recovery = { base: start.offset, held, table };
    this.recovering = true;
    this.recoveringTo = heldEnd;
    if (later) {
      // At the end of the file: the caller pushes them (see `endStep`).
      this.replay = held.subarray(open);
      return true;
    }
    if (closedByBracket && this.deferRecovery) {
      // The caller pushes them, then the rest of the chunk (see `pushBytes`, `takeDeferred`).
      this.deferred = [held.subarray(open)];
      return true;
    }
    this.pushBytes(held.subarray(open));
    this.recovering = false;
    this.recovery = outer;
    // Back to the chunk being read, which goes on after the held bytes.
    this.elementFrom = (this.mode as Mode) === Mode.Element ? heldEnd - chunkOffset : -1;
    this.chunk = chunk;
    this.chunkOffset = chunkOffset;
    this.offset = offset;
    return true;
  }

  /**
   * While a cut element's bytes are read again (see `recovery`): the element just begun, a
   * column-1 object among those bytes, is looked up there; when it does not close, it is ended
   * where `recoverColumn1Cut` would end it once the file had ended inside it (or a `]` had
   * closed it), for the same bytes decide the same way.
   */
  private cutEarly(): void {
    const recovery = this.recovery;
    if (recovery === undefined) return;
    const { base, held, table } = recovery;
    const from = this.elementStart.offset - base;
    const index = from > 0 && from < held.length ? lineIndex(table, from) : -1;
    const end = index === -1 ? 1 : (table.ends[index] ?? 1);
    if (end > 0) return;
    const to = end < 0 ? -end : held.length;
    // As `braceLineTable` would give up on the bytes from this element's `{` alone.
    if (lineIndex(table, to, true) - index - 1 > mostLines(to - from)) return;
    const open = nextElementLine(held, from, to, end < 0, table, this.recoveryBudget);
    if (open !== -1) this.cutBefore = base + open;
  }

  /**
   * Reads the held bytes of the element begun at `elementStart`, up to `held[to]`, again: the
   * scanner's line and column, and the element's text state, become what they were there.
   */
  private rescan(held: Buffer, to: number): void {
    const scanner = this.scanner;
    const start = this.elementStart;
    scanner.line = start.line;
    scanner.startLine(this.elementLineStart);
    // biome-ignore lint/style/noNonNullAssertion: held holds the element's first byte
    scanner.beginElement(held[0]!);
    for (let at = 1; at < to; at++) {
      // biome-ignore lint/style/noNonNullAssertion: at < to < held.length
      const byte = held[at]!;
      if (byte === NEWLINE) scanner.lineBreak(start.offset + at);
      else if (byte >= 0x80) scanner.nonAsciiByte(byte, start.offset + at);
      scanner.elementByte(byte);
    }
  }

  /**
   * Ends the top-level value at the line break at `lineBreak`, as NDJSON does with a line: an
   * element left open is cut there, and so is a batch, with a problem saying so (the cut
   * element's own, when there is one).
   */
  private endLineValue(lineBreak: SplitPosition): void {
    this.onTopLine = false;
    this.watchFirstValue = false;
    const cut = this.mode === Mode.Element;
    if (cut) {
      this.cutElement(lineBreak.offset, 'line');
      // Hint: a first line's end is decided on the line after it, where the scanner is: the value
      // ended on its own line, so a value that opens the next is on a line of its own.
      this.lastEndOffset = lineBreak.offset;
      this.lastEndLine = lineBreak.line;
      this.lastEndColumn = lineBreak.column;
    }
    const open = this.batchOpen;
    if (open) {
      // Hint: an element the line cut says so already, at the same place ("the value is not
      // closed"): the array open around it is that one problem, not a second. Left open between
      // elements, it is closed where they end, a trailing comma made its `]`: fix takes that
      // repair on the last line only (see RepairPlanner), where nothing can go on with it.
      if (!cut) {
        const comma = this.afterComma;
        const end = this.mode === Mode.BatchComma ? this.lastEndOffset : open.offset + 1;
        // Hint: at its CR, where the line ends as one without a last line break ends (see `endStep`).
        const { offset, line, column } = lineBreak;
        const crlf = this.returnBetween === offset - 1;
        this.problem(
          crlf ? { offset: offset - 1, line, column: column - 1 } : lineBreak,
          'unexpected-eol',
          `unexpected end of the line: the array opened at line ${open.line}, column ${open.column} is not closed ${ndjsonHint}`,
          '',
          comma ? { offset: comma.offset, deleteBytes: 1, insert: ']' } : { offset: end, deleteBytes: 0, insert: ']' },
        );
      }
      this.endBatch(lineBreak, false);
    }
  }

  // ---- The quick path (see `SplitSink.tryElement` and layout-guide.ts) ----

  /**
   * The quick path for the `{` at `chunk[i]`, which begins an element of a batch: when it opens
   * its line after indentation alone, the element's end is looked for as the next line with that
   * indentation and `}`, and the bytes up to it are offered to `tryElement`. Returns the index in
   * the chunk just past the element when it was taken; -1 leaves the byte to the byte-by-byte path.
   */
  private tryQuick(chunk: Buffer, i: number, base: number): number {
    const indent = base + i - this.scanner.lineStart;
    if (!this.guide.opensBlock(chunk, i, indent)) return -1;
    const end = this.guide.blockEnd(chunk, i, indent);
    if (end === -1 || !this.offer(chunk.subarray(i, end))) return this.guide.miss();
    this.scanner.skipLines(this.guide.blockLines, base + end - indent - 1);
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
    if (this.atFirstValue) this.lineDelimited = true;
    this.endTopValue(base + end);
    return end;
  }

  /** Offers `bytes`, the element begun at `elementStart`, to `tryElement`; true when it was taken. */
  private offer(bytes: Buffer): boolean {
    // Hint: a member's value is never taken as an event; read byte by byte, its record says why.
    if (this.memberValue) return false;
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
}

/** Whether `bytes`, less the blanks and line break that end them, are on one line. */
function isOneLine(bytes: Buffer): boolean {
  let end = bytes.length;
  while (end > 0 && isSpace(bytes[end - 1])) end--;
  return bytes.subarray(0, end).indexOf(NEWLINE) === -1;
}

/** The text facts the splitter counts of an element (depth, members, bytes outside ASCII) of `bytes`, at file offset `offset`. */
function textFacts(bytes: Buffer, offset: number): ByteScanner {
  const scanner = new ByteScanner();
  if (bytes.length === 0) return scanner;
  // biome-ignore lint/style/noNonNullAssertion: bytes holds its first byte
  scanner.beginElement(bytes[0]!);
  for (let at = 1; at < bytes.length; at++) {
    // biome-ignore lint/style/noNonNullAssertion: at < bytes.length
    const byte = bytes[at]!;
    if (byte >= 0x80) scanner.nonAsciiByte(byte, offset + at);
    scanner.elementByte(byte);
  }
  return scanner;
}

/** Whether a line opening with `byte` goes on a pretty value's members: a key, a closing bracket, a comma or a colon. */
const goesOnMember = (byte: number) =>
  byte === QUOTE || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === COMMA || byte === COLON;

/**
 * How many line heads after a first-value line pending (see `decideLineHead`) are checked for
 * whether the value could go on: each cut line of NDJSON after the first takes one more.
 */
const pendingHeadsChecked = 8;

/** Whether `bytes` parse as JSON. */
function parsesAsJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
