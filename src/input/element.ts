/**
 * Turns one element's bytes into a value, or into every syntax problem it has. The fast path
 * is `JSON.parse`; only an element that fails it is parsed again, tolerantly, by jsonc-parser,
 * which reports every error with its offset instead of stopping at the first.
 */
import { isUtf8 } from 'node:buffer';
import { createScanner, visit } from 'jsonc-parser';
import { impossible } from '../errors.js';
import { javaScriptKeyOrder, type KeyOrder, pointerSegment, quotedExcerpt, segmentKey } from '../schema/check.js';
import { excerptAt } from './excerpt.js';
import { pathsAt, placesAt, textKeyOrder } from './locations.js';
import type { LineBefore, SplitElement } from './split.js';
import { largestElementBytes, maxDepth, type Omitted, type Problem } from './types.js';

// Hint: jsonc-parser declares ParseErrorCode as an ambient const enum, which isolated builds
// cannot read; these are its documented values.
const ParseErrorCode = {
  InvalidSymbol: 1,
  InvalidNumberFormat: 2,
  PropertyNameExpected: 3,
  ValueExpected: 4,
  ColonExpected: 5,
  CommaExpected: 6,
  CloseBraceExpected: 7,
  CloseBracketExpected: 8,
  EndOfFileExpected: 9,
  InvalidCommentToken: 10,
  UnexpectedEndOfComment: 11,
  UnexpectedEndOfString: 12,
  UnexpectedEndOfNumber: 13,
  InvalidUnicode: 14,
  InvalidEscapeCharacter: 15,
  InvalidCharacter: 16,
} as const;

/** The UTF-16 indexes of the newlines of `text`, in order. */
function newlineIndexes(text: string): Uint32Array {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  const indexes = new Uint32Array(count);
  for (let i = text.indexOf('\n'), n = 0; i !== -1; i = text.indexOf('\n', i + 1)) indexes[n++] = i;
  return indexes;
}

/** A JSON number, read where it begins (`numberAt`). */
const jsonNumber = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Maps positions inside one element's text to file positions. */
class ElementText {
  readonly text: string;
  private readonly element: SplitElement;
  readonly file: string;
  // What stands before the element on its first line, asked for once, by its first excerpt.
  private readonly lineBefore: (() => LineBefore) | undefined;
  private before: LineBefore | undefined;
  private newlines: Uint32Array | undefined;
  private readonly counted = { index: 0, bytes: 0 };

  constructor(text: string, element: SplitElement, file: string, lineBefore?: () => LineBefore) {
    this.text = text;
    this.element = element;
    this.file = file;
    this.lineBefore = lineBefore;
  }

  /** The file position of UTF-16 index `index` of the text. */
  locate(index: number): { offset: number; line: number; column: number } {
    const { element } = this;
    // Hint: an element may have an issue for each of its thousands of values; counting each one's
    // line and bytes from the start made placing them quadratic (a 900 KB event took 2 minutes).
    // The newlines are found once and searched; the bytes are counted on from the last index asked.
    const newlines = this.newlinesOf();
    const before = this.newlinesBefore(index);
    return {
      offset: element.offset + this.bytesBefore(index),
      line: element.line + before,
      column: before === 0 ? element.column + index : index - (newlines[before - 1] as number),
    };
  }

  /** The JSON number that begins at UTF-16 index `index` of the text, as it is written there; undefined where none does. */
  numberAt(index: number): string | undefined {
    jsonNumber.lastIndex = index;
    return jsonNumber.exec(this.text)?.[0];
  }

  private newlinesOf(): Uint32Array {
    this.newlines ??= newlineIndexes(this.text);
    return this.newlines;
  }

  /** How many newlines stand before UTF-16 index `index`: its line, from 0. */
  private newlinesBefore(index: number): number {
    const newlines = this.newlinesOf();
    let before = 0;
    for (let high = newlines.length; before < high; ) {
      const middle = (before + high) >>> 1;
      if ((newlines[middle] as number) < index) before = middle + 1;
      else high = middle;
    }
    return before;
  }

  /** The UTF-8 length of the text before UTF-16 index `index`. */
  private bytesBefore(index: number): number {
    if (!this.element.nonAscii) return index;
    const { text, counted } = this;
    // Hint: an index inside a surrogate pair is counted from the start, as its halves are 3 bytes each.
    if (index > 0 && (text.charCodeAt(index - 1) & 0xfc00) === 0xd800) return Buffer.byteLength(text.slice(0, index));
    counted.bytes +=
      index >= counted.index
        ? Buffer.byteLength(text.slice(counted.index, index))
        : -Buffer.byteLength(text.slice(index, counted.index));
    counted.index = index;
    return counted.bytes;
  }

  /** The source around UTF-16 index `index` of the text, the line's text before the element included. */
  private excerpt(index: number) {
    this.before ??= this.lineBefore?.() ?? { text: '', cut: false };
    // Hint: its line's bounds are looked up, not scanned for: a line of a million duplicate keys
    // was scanned to its end for each.
    const newlines = this.newlinesOf();
    const line = this.newlinesBefore(index);
    const bounds = {
      lineStart: line > 0 ? (newlines[line - 1] as number) + 1 : 0,
      lineEnd: newlines[line] ?? this.text.length,
      previousStart: line > 1 ? (newlines[line - 2] as number) + 1 : 0,
    };
    return excerptAt(this.text, index, this.before.text, this.before.cut, bounds);
  }

  /** A problem at UTF-16 index `index` of the text, with the source around it when `excerpt` is set. */
  problem(
    index: number,
    severity: Problem['severity'],
    code: string,
    message: string,
    pointer: string,
    options: { excerpt?: boolean; repair?: { at: number; deleteChars: number; insert: string } } = {},
  ): Problem {
    const position = this.locate(index);
    const repair = options.repair;
    return {
      file: this.file,
      ...position,
      pointer,
      severity,
      code,
      message,
      excerpt: options.excerpt ? this.excerpt(index) : undefined,
      repair: repair && {
        offset: this.element.offset + this.bytesBefore(repair.at),
        deleteBytes: Buffer.byteLength(this.text.slice(repair.at, repair.at + repair.deleteChars)),
        insert: repair.insert,
      },
    };
  }
}

function previousTokenEnd(text: string, index: number): number {
  let i = index;
  while (i > 0 && /\s/.test(text.charAt(i - 1))) i--;
  return i;
}

function describeChar(char: string): string {
  return `U+${(char.codePointAt(0) ?? impossible('describeChar is given a character')).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** How an element that did not parse was ended, for the message of an unexpected end. */
type Ended = Pick<SplitElement, 'truncated' | 'cut'>;

/** How jsonc-parser reads an element for its syntax errors: as JSON, no comments, no trailing commas. */
const syntaxOptions = { disallowComments: true, allowTrailingComma: false };

/** Problems kept up to a limit, the first found, and how many more were found. */
interface Kept {
  problems: Problem[];
  more: number;
}

/**
 * Every syntax error of an element that `JSON.parse` refused, in source order, without
 * cascades: the first `limit`, and how many more there are.
 */
function diagnoseSyntax(source: ElementText, ended: Ended = { truncated: false }, limit = Infinity): Kept {
  // Hint: one more than the limit is kept: the one after an error that puts the rest out of step
  // is where the note on the rest stands (see `withoutKnockOns`).
  const problems: Problem[] = [];
  let found = 0;
  let outOfStepAt = -1;
  const containers: OpenBracket[] = [];
  const firsts = new FirstErrors(source.text);
  // Where each kept problem's pointer is read: the token before its error. Hint: a missing or
  // trailing comma belongs to the member before it, so that is where the pointer goes.
  const pointedAt: number[] = [];
  const pointed: Problem[] = [];
  const early = ended.truncated || ended.cut !== undefined;
  let endSaid = false;
  visit(
    source.text,
    {
      onObjectBegin: (offset) => {
        containers.push({ kind: 'object', offset });
      },
      onObjectEnd: () => {
        containers.pop();
      },
      onArrayBegin: (offset) => {
        containers.push({ kind: 'array', offset });
      },
      onArrayEnd: () => {
        containers.pop();
      },
      onError: (error, offset, length) => {
        // Hint: an element the splitter ended before it closed (the file or its line ended, or the
        // next element began) is not closed, even right after another error: a cut often leaves
        // one (`{,`), and only this one says the rest of the element is missing. Said once, and
        // not after an error that may have put the rest out of step (the end may only follow from it).
        const cutEnd = early && !endSaid && offset >= source.text.length && outOfStepAt === -1;
        const open = containers.at(-1);
        const inArray = open?.kind === 'array';
        if (!firsts.isFirst(offset, length, readsOnInStep(source.text, error, offset, length)) && !cutEnd) return;
        const site = new ErrorSite(source, offset, length, open);
        // Hint: a bracket of the other kind is no comma, value or key missing before it, whatever
        // error jsonc-parser gives there: it closes what it cannot, and only a person knows which
        // bracket is wrong, so nothing repairs it. Its pointer names what it does not close.
        const mismatched = open !== undefined && site.token === (inArray ? '}' : ']');
        const problem = mismatched ? mismatchedCloser(site, open) : describeSyntaxError(site, error, ended);
        if (offset >= source.text.length || problem.code === 'unexpected-eof') endSaid = true;
        // Hint: jsonc-parser reads on past a run of blanks it does not take (see `blankRepair`) in
        // step, as past a space: only a symbol with no repair may put the rest out of step.
        if (outOfStepAt === -1 && outOfStep.has(problem.code) && problem.repair === undefined) outOfStepAt = found;
        if (found <= limit) {
          problems.push(problem);
          if (site.pointed) {
            pointed.push(problem);
            pointedAt.push(site.pointedAt ?? pointedPosition(source.text, site.before));
          }
        }
        found++;
      },
    },
    syntaxOptions,
  );
  // Hint: the pointers of the kept problems are found in one read that ends at the last of them;
  // asked of each alone (`getLocation`), 20,000 missing commas in a 60 KB event took 98 s, and
  // asked of every error, an element of one was read twice more. A half-typed key is no member:
  // the object's pointer is given.
  pathsAt(source.text, pointedAt, 'object').forEach((path, i) => {
    const problem = pointed[i] ?? impossible('a path is asked for each problem that needs one');
    problem.pointer = pathToPointer(path);
  });
  if (found === 0) {
    // JSON.parse refused what jsonc-parser accepts (it is laxer about a few escapes): still an error.
    problems.push(source.problem(0, 'error', 'syntax', 'invalid JSON', '', { excerpt: true }));
    found = 1;
  }
  return withoutKnockOns(problems, found, outOfStepAt, limit);
}

/**
 * Where the pointer of an error after the token that ends at `before` is read: that token, the
 * member before the error. Hint: after a value it is read at the value's end, not its last
 * character, which for a value of one character is its first, where the value before it ends
 * (`"x"2`) or just past a closing bracket (`[]2`): that is read as the value before. Read inside
 * a closing `}` or `]`, it would name the last member of what the bracket closes. After `{`, `[`,
 * `,` or `:` it is read at that token: past `[` it would name the array's first item.
 */
function pointedPosition(text: string, before: number): number {
  const last = text[before - 1];
  const at = last === undefined || '{[,:'.includes(last) ? before - 1 : before;
  return Math.max(0, Math.min(at, text.length));
}

// Errors after which the rest of an element may be read out of step: a stray quote turns every
// string after it inside out, and each then reads as an error of its own.
const outOfStep = new Set(['unexpected-token', 'invalid-symbol', 'unterminated-string', 'syntax']);

/**
 * The problems up to the first that may put the rest out of step (the `at`th of the `found`,
 * of which `problems` holds the first), and then, instead of the errors found after it (13 for
 * one stray quote in a CallAttempted event), one saying how many there were, where the first
 * was: the first `limit` of them, and how many more. Hint: the errors before it, and those of an
 * element with none (missing, stray or trailing commas, a missing colon, comments), each stand
 * on their own, and `fix` repairs each one.
 */
function withoutKnockOns(problems: Problem[], found: number, at: number, limit: number): Kept {
  const next = problems[at + 1];
  if (at === -1 || at === found - 1) return { problems: problems.slice(0, limit), more: Math.max(0, found - limit) };
  const total = at + 2;
  if (next === undefined) return { problems: problems.slice(0, limit), more: total - limit };
  const rest = found - at - 1;
  // Hint: worded here, not with render/words.ts: the reading threads load no renderer (startup.test.ts).
  const message = `${rest} more syntax error${rest === 1 ? '' : 's'} from here on, not listed: they may only follow from the one before`;
  // Hint: the note stands where the first of them is, but points where the one before is: past
  // that one the text is read out of step, and the path there (a string read as a key, `, `) names
  // no place in the file.
  const { pointer } = problems[at] ?? impossible('the problems up to the next are kept');
  const note = { ...next, pointer, code: 'after-syntax-error', message, repair: undefined };
  const listed = [...problems.slice(0, at + 1), note];
  return { problems: listed.slice(0, limit), more: Math.max(0, total - limit) };
}

/**
 * Tells the user's mistakes among jsonc-parser's errors. Hint: it recovers and goes on, so one
 * mistake can raise a second error at the same place or at the very next token; only the first
 * is the user's. A run of stray commas is one error each, so that deleting every one repairs
 * it; a run that ends at a closing bracket is one trailing comma, reported at the bracket.
 */
class FirstErrors {
  private readonly text: string;
  private lastErrorEnd = -1;
  private lastErrorOffset = -1;

  constructor(text: string) {
    this.text = text;
  }

  /**
   * Whether the error at `offset`, `length` characters long, is one to report (it is remembered
   * either way). `inStep`: the parser reads on past it as if it were not there (see
   * `readsOnInStep`), so the next error is no knock-on of it, though only blanks stand between.
   */
  isFirst(offset: number, length: number, inStep = false): boolean {
    const { text } = this;
    const token0 = text[offset];
    const afterComma = text[previousTokenEnd(text, offset) - 1] === ',';
    const afterCommas = /^[\s,]*(.?)/.exec(text.slice(offset, offset + 256))?.[1];
    const commaBeforeCloser = length === 1 && token0 === ',' && (afterCommas === '}' || afterCommas === ']');
    const closerAfterCommas = (token0 === '}' || token0 === ']') && afterComma;
    const strayComma = length === 1 && token0 === ',' && afterComma;
    const cascade =
      offset === this.lastErrorOffset ||
      (!strayComma &&
        !closerAfterCommas &&
        this.lastErrorEnd >= 0 &&
        text.slice(this.lastErrorEnd, offset).trim() === '');
    this.lastErrorOffset = offset;
    // Hint: a knock-on is not reported, so what follows it may be one too, of the same mistake.
    this.lastErrorEnd = inStep && !cascade ? -1 : offset + length;
    return !commaBeforeCloser && !cascade;
  }
}

/**
 * Whether jsonc-parser reads on past its error `error` at `offset`, `length` characters long, as
 * if the mistake were not there, so that an error right after it stands on its own (red team
 * hR98): a comma missing before an array's item or an object's key (`[1 2 3]`, `"x"\n"b" "y"`),
 * which it reads as if the comma were there; a run of blanks it does not take (see
 * `blankRepair`) and a comment, which it skips as it skips a space; a raw control character,
 * found inside a string it reads to its end. Hint: a comma missing before a value that is no key
 * (`{"a": 1 2}`) comes with a second error at the same place, which `FirstErrors` drops; a
 * comment the text ends in (one not closed) took in the rest of the element.
 */
function readsOnInStep(text: string, error: number, offset: number, length: number): boolean {
  switch (error) {
    case ParseErrorCode.CommaExpected:
      return beginsValue(text, offset);
    case ParseErrorCode.InvalidSymbol:
      return isBlankRun(text.slice(offset, offset + length));
    case ParseErrorCode.InvalidCommentToken:
      return offset + length < text.length;
    case ParseErrorCode.InvalidCharacter:
      return true;
    default:
      return false;
  }
}

/**
 * jsonc-parser's SyntaxKind of each token a JSON value begins with: `{`, `[`, `null`, `true`,
 * `false`, a string, a number. Hint: an ambient const enum too (see ParseErrorCode).
 */
const valueStartTokens: ReadonlySet<number> = new Set([1, 3, 7, 8, 9, 10, 11]);

/**
 * Whether a JSON value begins at `text[offset]`, its first token as the parser reads it: a `-`
 * only before a digit, a literal only whole (`nullx` is none). Hint: six characters hold the
 * longest literal and the one after it, which may run on into a word.
 */
function beginsValue(text: string, offset: number): boolean {
  return valueStartTokens.has(createScanner(text.slice(offset, offset + 6)).scan());
}

/** An object or array open where an error is found, and where it opened. */
interface OpenBracket {
  kind: 'object' | 'array';
  offset: number;
}

/** Where jsonc-parser found an error: the token and the end of the one before. */
class ErrorSite {
  readonly source: ElementText;
  readonly offset: number;
  readonly token: string;
  /** Where the token before ends: where a missing comma or colon goes. */
  readonly before: number;
  /** What the enclosing container holds, for messages. */
  readonly members: string;
  /** The object or array it is in, and where that opened. */
  readonly open: OpenBracket | undefined;
  /** An error here was made, whose pointer `diagnoseSyntax` finds after. */
  pointed = false;
  /** Where that pointer is read, when not at the token before (see `pointedPosition`). */
  pointedAt: number | undefined;

  constructor(source: ElementText, offset: number, length: number, open: OpenBracket | undefined) {
    const { text } = source;
    this.source = source;
    this.offset = offset;
    this.token = text.slice(offset, offset + length);
    this.before = previousTokenEnd(text, offset);
    this.members = open?.kind === 'array' ? 'array elements' : 'object members';
    this.open = open;
  }

  /** The token is past the end of the text. */
  get atEnd(): boolean {
    return this.offset >= this.source.text.length;
  }

  /** An error at UTF-16 index `index`, with its repair when one is known; its pointer is found after (see `diagnoseSyntax`). */
  error(index: number, code: string, message: string, repair?: { at: number; deleteChars: number; insert: string }) {
    this.pointed = true;
    return this.source.problem(index, 'error', code, message, '', { excerpt: true, repair });
  }
}

/**
 * A number written with a leading zero (`0491573087`, `-01.5`), which jsonc-parser reads as a `0`
 * and a number right after it, a comma missing between them: said to be one, with no repair.
 * Hint: repaired as a missing comma, `[0123]` became two numbers (red team hT76).
 */
function leadingZero(site: ErrorSite): Problem | undefined {
  const { offset, token, before, source } = site;
  if (before !== offset || !/^[0-9]/.test(token) || source.text[before - 1] !== '0') return undefined;
  const start = source.text[before - 2] === '-' ? before - 2 : before - 1;
  const written = source.text.slice(start, offset + token.length);
  return site.error(
    start,
    'syntax',
    `a number cannot begin with 0: put a phone number or an id in quotes (${quotedExcerpt(written)}), or leave out the 0`,
  );
}

/** The problem jsonc-parser's error `error` at `site` is. */
function describeSyntaxError(site: ErrorSite, error: number, ended: Ended): Problem {
  const { offset, token, before } = site;
  // Hint: a number the end of the file cuts after its point, its e or its sign (`-12.5e+`) is no
  // mistake in it: the rest is missing, as when it cuts a string or a literal.
  if (
    error === ParseErrorCode.UnexpectedEndOfNumber &&
    ended.truncated &&
    offset + token.length >= site.source.text.length
  ) {
    return unexpectedEnd(site.source, ended);
  }
  switch (error) {
    case ParseErrorCode.CommaExpected: {
      const zero = leadingZero(site);
      if (zero !== undefined) return zero;
      return site.error(before, 'missing-comma', `missing comma between ${site.members}`, {
        at: before,
        deleteChars: 0,
        insert: ',',
      });
    }
    case ParseErrorCode.PropertyNameExpected:
    case ParseErrorCode.ValueExpected:
      return site.atEnd ? unexpectedEnd(site.source, ended) : misplacedToken(site, error);
    case ParseErrorCode.CloseBraceExpected:
    case ParseErrorCode.CloseBracketExpected: {
      if (site.atEnd) return unexpectedEnd(site.source, ended);
      const closer = error === ParseErrorCode.CloseBraceExpected ? '}' : ']';
      return site.error(offset, 'unexpected-token', `expected "${closer}", found ${quotedExcerpt(token)}`);
    }
    case ParseErrorCode.UnexpectedEndOfString: {
      // Hint: an element of one line holds no line break, so a string its line cut runs to its end;
      // said with the NDJSON hint, as a line cut outside a string is (see `unexpectedEnd`).
      const line = ended.cut === 'line';
      const glued = ended.cut === 'glued' ? `; ${gluedWords}` : '';
      // Hint: after `{` or `,` in an object the string is a key, which no member has yet: the
      // pointer names the object it would be in.
      const { open } = site;
      if (open?.kind === 'object' && '{,'.includes(site.source.text[before - 1] ?? '')) {
        site.pointedAt = open.offset;
        const cut = line ? `the line ends inside the key ${ndjsonHint}` : `the key is cut off${glued}`;
        return site.error(offset, 'unterminated-string', `unterminated property name: ${cut}`);
      }
      return site.error(
        offset,
        'unterminated-string',
        `unterminated string${line ? `: the line ends inside it ${ndjsonHint}` : glued && `: cut off${glued}`}`,
      );
    }
    case ParseErrorCode.InvalidCharacter: {
      // Hint: an index in UTF-16 units, as `offset` is: a code point count is one short per emoji before it.
      const at = token.search(/[\u0000-\u001f]/);
      const index = at === -1 ? offset : offset + at;
      const char = site.source.text[index] ?? '';
      const written = `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
      const message = `raw control character ${describeChar(char)} in a string; write it as ${written}`;
      return site.error(index, 'control-character', message);
    }
    case ParseErrorCode.InvalidEscapeCharacter:
    case ParseErrorCode.InvalidUnicode: {
      // Hint: jsonc-parser places it at the string's start; a long transcript hid where.
      const at = badEscapeIn(token);
      const message =
        error === ParseErrorCode.InvalidUnicode
          ? `invalid \\u escape ${/^\\u[^"\\]{0,4}/.exec(token.slice(at))?.[0]} in a string: \\u takes 4 hex digits`
          : `invalid escape \\${String.fromCodePoint(token.codePointAt(at + 1) ?? 0x5c)} in a string (write \\\\ for a backslash)`;
      return site.error(offset + at, 'syntax', message);
    }
    case ParseErrorCode.InvalidSymbol:
      // Hint: from the token on: jsonc-parser's ends at a `-` alone before `Infinity`.
      return site.error(
        offset,
        'invalid-symbol',
        symbolMessage(site.source.text.slice(offset, offset + Math.max(token.length, wordReach))),
        blankRepair(offset, token),
      );
    case ParseErrorCode.InvalidCommentToken:
      return site.error(offset, 'comment', 'comments are not allowed in JSON');
    case ParseErrorCode.ColonExpected:
      // Hint: cut right after a key, the element lacks its value and all after: no colon would do.
      if (site.atEnd) return unexpectedEnd(site.source, ended);
      return site.error(before, 'missing-colon', 'missing colon after the property name', {
        at: before,
        deleteChars: 0,
        insert: ':',
      });
    case ParseErrorCode.EndOfFileExpected:
      // Hint: an element that is a number with a leading zero (`[{…}, 0123]`) ends at its 0 too (review hR67).
      return (
        leadingZero(site) ??
        site.error(offset, 'unexpected-token', `unexpected ${quotedExcerpt(token)} after the end of the value`)
      );
    default:
      return site.error(offset, 'syntax', `${describeParseError(error)} at ${quotedExcerpt(token)}`);
  }
}

/** A closing bracket at `site` of the other kind than the object or array `open` that it would close. */
function mismatchedCloser(site: ErrorSite, open: OpenBracket): Problem {
  const { line, column } = site.source.locate(open.offset);
  const closer = open.kind === 'array' ? ']' : '}';
  const message = `expected "${closer}" to close the ${open.kind} opened at line ${line}, column ${column}, found ${JSON.stringify(site.token)}`;
  site.pointedAt = open.offset;
  return site.error(site.offset, 'unexpected-token', message);
}

/** What a message about a line of NDJSON that does not hold one whole value ends with. */
export const ndjsonHint = '(NDJSON: one value a line)';

/**
 * Where a value cut short by an event written onto its line ends (`cut: 'glued'`, see
 * `gluedEventAt`): the event is read from there, as if a line break stood before it.
 */
const gluedWords = `an event written onto its line after it is read as the next value ${ndjsonHint}`;

/**
 * The element's text ended before it closed; `ended` says why. Hint: its line first: the end of
 * the file ends the last line of NDJSON (`truncated` too), which is said as a line break's is.
 */
function unexpectedEnd(source: ElementText, ended: Ended): Problem {
  const message =
    ended.cut === 'line'
      ? `unexpected end of the line: the value is not closed ${ndjsonHint}`
      : ended.truncated
        ? 'unexpected end of file: the element is not closed'
        : ended.cut === 'next'
          ? 'the element is not closed before the next one begins'
          : ended.cut === 'glued'
            ? `the value is not closed; ${gluedWords}`
            : 'unexpected end of the element';
  return source.problem(source.text.length, 'error', 'unexpected-eof', message, '', { excerpt: true });
}

/** A token where a value or a property name was expected: a stray or trailing comma, or something else. */
function misplacedToken(site: ErrorSite, error: number): Problem {
  const { offset, token, before } = site;
  const text = site.source.text;
  if (token === ',') {
    // A doubled comma, or one before the first member: deleting it is the repair.
    const what = text[before - 1] === ',' ? 'two commas in a row' : `comma before the first of the ${site.members}`;
    return site.error(offset, 'unexpected-comma', what, { at: offset, deleteChars: 1, insert: '' });
  }
  if (text[before - 1] === ',' && (token === '}' || token === ']')) {
    let first = before - 1;
    while (text[previousTokenEnd(text, first) - 1] === ',') first = previousTokenEnd(text, first) - 1;
    // Hint: the run is one trailing comma, of the member before its first comma; read past a second,
    // the pointer would name an item one past the last, or no member at all.
    site.pointedAt = pointedPosition(text, previousTokenEnd(text, first));
    return site.error(first, 'trailing-comma', `trailing comma before "${token}"`, {
      at: first,
      deleteChars: before - first,
      insert: '',
    });
  }
  const expected = error === ParseErrorCode.ValueExpected ? 'a value' : 'a property name in double quotes';
  return site.error(offset, 'unexpected-token', `expected ${expected}, found ${quotedExcerpt(token)}`);
}

/**
 * The characters read as blanks where JSON takes none (a regular expression's class): Unicode's
 * White_Space but JSON's tab and line breaks (spaces, line and paragraph separators, a vertical
 * tab, a form feed, U+0085 next line), and the invisible characters: format characters and
 * Unicode's Default_Ignorable_Code_Point (a Hangul filler, a variation selector). No-break spaces
 * as indentation pasted from a web page, a BOM where two exports were joined, a zero-width space.
 * Both the message of one and its repair (`symbolMessage`, `blankRepair`) read this list, so a
 * character named a space is made one. Hint: a class of properties, not `\s`, which has no U+0085.
 */
export const blankCharacters = String.raw`\p{Zs}\p{Zl}\p{Zp}\v\f\u0085\p{Cf}\p{Default_Ignorable_Code_Point}`;

/**
 * Whether a text is a run of the `characters` (a `u` regular expression's class), one or more.
 * Hint: it looks for one character that is none of them, not `^[…]+$`: V8 keeps a backtracking
 * entry for each character a `u` class repeats over, and a run of 4 million overflowed its stack.
 */
export function runOf(characters: string): (text: string) => boolean {
  const other = new RegExp(`[^${characters}]`, 'u');
  return (text) => text !== '' && !other.test(text);
}
/** Whether a text is a run of `blankCharacters`, one or more. */
export const isBlankRun = runOf(blankCharacters);
const startsBlank = new RegExp(`^[${blankCharacters}]`, 'u');

/**
 * The repair of a run of `blankCharacters` `token` at UTF-16 index `at`, outside any string:
 * a space for each UTF-16 unit, so that every column after it stays as it was counted; none for
 * anything else.
 */
export function blankRepair(
  at: number,
  token: string,
): { at: number; deleteChars: number; insert: string } | undefined {
  return isBlankRun(token) ? { at, deleteChars: token.length, insert: ' '.repeat(token.length) } : undefined;
}

// A character as a reader sees one, roughly: a flag (two regional indicators), or a code point
// with its marks and skin tone, joined (ZWJ) to the next such; no Intl.Segmenter, whose ICU data
// a reader would load for one message.
const firstCharacter = /^(?:\p{RI}{2}|.[\p{M}\p{Emoji_Modifier}]*(?:\u200d.[\p{M}\p{Emoji_Modifier}]*)*)/su;

// Hint: how much of a token its word is looked for in: more than a message quotes (`quotedExcerpt`).
// Not all of it: V8 keeps a backtracking entry for each character a `u` class repeats over, and a
// word of 5 million combining marks (a line of 10 MB) overflowed its stack.
const wordReach = 64;

/** The message of an `invalid-symbol` error for a lone byte 0xA0 between tokens (see `withLoneNoBreakSpaces` in split.ts). */
export const loneNoBreakSpaceMessage =
  'unexpected byte 0xa0, which is not UTF-8 (a no-break space saved as Windows-1252 or Latin-1?): between tokens JSON takes only spaces, tabs and line breaks';

/**
 * The message of an `invalid-symbol` error: what is wrong with the word that begins `token` (or
 * the text from it on), no JSON value.
 */
export function symbolMessage(token: string): string {
  const head = token.slice(0, wordReach);
  // Hint: a sign is read with the word after it: `-Infinity` is one, `+6149…` a phone number.
  const signed = /^[+-]?(?:NaN|Infinity)(?![\w$'\p{M}])/u.exec(head)?.[0];
  if (signed !== undefined) return `${signed} is not a JSON value; use null or a number`;
  if (/^\+[\d.]/.test(head)) return 'unexpected "+": a number cannot begin with +; put a phone number in quotes';
  const word = /^[A-Za-z_$'][\w$'\p{M}]*/u.exec(head)?.[0] ?? firstCharacter.exec(head)?.[0] ?? head.slice(0, 1);
  if (word === 'undefined') return `${word} is not a JSON value; use null or a number`;
  // Hint: JSON pasted from a web page or a word processor brings its typography with it: curly
  // quotes, and spaces that look like spaces (quoted as they are, a reader sees `unexpected " "`).
  if (/^['\u2018\u2019]/.test(word)) return 'strings and property names need double quotes';
  if (/^[\u201c\u201d]/.test(word)) return 'strings and property names need straight double quotes ("), not curly ones';
  // Hint: and characters that show as nothing (a zero-width space, a byte order mark where two
  // exports were joined), named by their code, as quoted they read `unexpected ""`.
  if (startsBlank.test(word)) {
    const code = `U+${(word.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
    const name =
      word === '\u00a0'
        ? 'no-break space'
        : word === '\ufeff'
          ? 'byte order mark'
          : /^\p{White_Space}/u.test(word)
            ? 'Unicode space'
            : 'invisible character';
    return `unexpected ${name} (${code}): between tokens JSON takes only spaces, tabs and line breaks`;
  }
  return `unexpected ${quotedExcerpt(word)}`;
}

/** Where in a string token (its quote first) its first escape JSON has not begins: a backslash not before `"\\/bfnrt` or `u` and 4 hex digits; else 0. */
function badEscapeIn(token: string): number {
  for (let i = token.indexOf('\\'); i !== -1; i = token.indexOf('\\', i)) {
    const next = token[i + 1] ?? '';
    if ('"\\/bfnrt'.includes(next) && next !== '') i += 2;
    else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(token.slice(i + 2, i + 6))) i += 6;
    else return i;
  }
  return 0;
}

function describeParseError(code: number): string {
  switch (code) {
    case ParseErrorCode.InvalidNumberFormat:
    case ParseErrorCode.UnexpectedEndOfNumber:
      return 'invalid number';
    case ParseErrorCode.UnexpectedEndOfComment:
      return 'unterminated comment';
    default:
      return 'invalid JSON';
  }
}

/** The outcome of reading one element. */
export interface ParsedElement {
  text: ElementText | undefined;
  value: unknown;
  /** False when the element is not JSON (its problems say why). */
  parsed: boolean;
  problems: Problem[];
  /** Problems found past `ElementLimits.maxIssues`, counted but not in `problems`. */
  omitted?: Omitted | undefined;
}

/** The limits an element is read within. */
export interface ElementLimits {
  maxElementBytes: number;
  /** How its problems name the limit's option (default the CLI's flag). */
  words?: LimitWords | undefined;
  /** Keep at most this many errors and this many warnings of an element (default all): see `CheckOptions.maxIssues`. */
  maxIssues?: number | undefined;
}

// Hint: this runs on every valid element, so it allocates nothing: no key arrays, no paths.
// The path of a `__proto__` key is worked out only in the rare case that one exists.
function keyCount(value: unknown, found: { proto: boolean }): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += keyCount(value[i], found);
    return count;
  }
  for (const key in value) {
    count++;
    if (key === '__proto__') found.proto = true;
    count += keyCount((value as Record<string, unknown>)[key], found);
  }
  return count;
}

/** Whether `key` is an array index, which JavaScript lists before an object's other keys. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9][0-9]{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/** Whether an object in `value` has a key that is an array index. Hint: JavaScript lists such a key first, so only an object's first key is looked at. */
function hasArrayIndexKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasArrayIndexKey);
  let first = true;
  for (const key in value) {
    if (first && isArrayIndex(key)) return true;
    first = false;
    if (hasArrayIndexKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/**
 * The order of the keys of an element's value (of `members` members, see `SplitElement.members`)
 * in its text where JavaScript's differs: where an object has a key that is an array index, or a
 * key given twice (the value holds fewer keys than the text); undefined where neither is, as for
 * nearly every element. Hint: it costs a walk of the value, and where it differs a read of the
 * text, so it is asked only where the order decides something: which problems are kept past a limit.
 */
export function keyOrderIn(text: ElementText, value: unknown, members: number): KeyOrder | undefined {
  const differs = keyCount(value, { proto: false }) < members || hasArrayIndexKey(value);
  return differs ? textKeyOrder(text.text, value) : undefined;
}

/** The pointers of the `__proto__` keys of `value`, its keys in order `keys`: the first `limit`, and how many more. */
function protoKeyPaths(
  value: unknown,
  path: string,
  into: { paths: string[]; more: number },
  limit: number,
  keys: KeyOrder,
): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      protoKeyPaths(item, `${path}/${i}`, into, limit, keys);
    });
    return;
  }
  for (const key of keys.keysOf(value)) {
    const at = `${path}/${pointerSegment(key)}`;
    if (key === '__proto__') {
      if (into.paths.length < limit) into.paths.push(at);
      else into.more++;
    }
    protoKeyPaths((value as Record<string, unknown>)[key], at, into, limit, keys);
  }
}

/** A key given more than once in one object: where its first and last copies are, how many times, and its pointer. */
interface RepeatedKey {
  property: string;
  first: number;
  last: number;
  times: number;
  pointer: string;
}

/**
 * The warnings of the keys given more than once in an object, one a key and object: at its last
 * copy, the one JSON.parse keeps and where a problem of its value is placed (see `placesAt`),
 * saying how many times it was given and where the first copy is (`firstCopy`, and its line and
 * column in the message). The first `limit` by place, and how many more.
 */
function findDuplicateKeys(source: ElementText, pointer: string, limit: number): Kept {
  // For each object open, each key's copies, and the keys of it given again.
  const open: Array<{ keys: Map<string, RepeatedKey>; repeated: RepeatedKey[] }> = [];
  // Hint: a key's warning is known only once its object ends, and objects end inner first, so
  // the warnings are held, sorted by place and cut to the limit only once twice it is held.
  let held: RepeatedKey[] = [];
  let more = 0;
  const byPlace = (a: RepeatedKey, b: RepeatedKey) => a.last - b.last;
  const cut = () => {
    held.sort(byPlace);
    more += Math.max(0, held.length - limit);
    held = held.slice(0, limit);
  };
  visit(source.text, {
    onObjectBegin: () => {
      open.push({ keys: new Map(), repeated: [] });
    },
    onObjectEnd: () => {
      const object = open.pop();
      if (!object) return;
      for (const key of object.repeated) {
        held.push(key);
        if (held.length > 2 * limit) cut();
      }
    },
    onObjectProperty: (property, offset, _length, _line, _column, pathSupplier) => {
      const object = open.at(-1);
      if (!object) return;
      const key = object.keys.get(property);
      if (key === undefined) {
        object.keys.set(property, { property, first: offset, last: offset, times: 1, pointer: '' });
        return;
      }
      key.last = offset;
      if (++key.times === 2) {
        key.pointer = pointer + pathToPointer([...pathSupplier(), property]);
        object.repeated.push(key);
      }
    },
  });
  cut();
  const problems = held.map(({ property, first, last, times, pointer: at }): Problem => {
    const firstCopy = { file: source.file, ...source.locate(first), pointer: at };
    const given = times === 2 ? 'twice' : `${times} times`;
    const message = `${quotedExcerpt(property)} given ${given}: parsers keep only the last${firstGivenAt(firstCopy)}`;
    return { ...source.problem(last, 'warning', 'duplicate-key', message, at, { excerpt: true }), firstCopy };
  });
  return { problems, more };
}

/** The end of a `duplicate-key` warning's message: where the key's first copy is (moved with it: see `movedBy` in core/validation.ts). */
export function firstGivenAt(first: { line: number; column: number }): string {
  return `; first given at line ${first.line}, column ${first.column}`;
}

/**
 * How a reader's problems name the options that set its limits, each with its value: the CLI's
 * flags, or the library's options, which are what a library caller can pass.
 */
export interface LimitWords {
  maxElementBytes: (bytes: number) => string;
  /** The element size limit as a noun: `the 1M limit`. */
  elementLimit: (bytes: number) => string;
  /** The largest element size limit there is, as a noun: `the largest limit, 512M`. */
  largestLimit: (bytes: number) => string;
  batchSize: (events: number) => string;
}

/** The CLI's flags, each value as the flag takes it (see `LimitWords`). */
export const cliLimitWords: LimitWords = {
  maxElementBytes: (bytes) => `--max-element-size ${optionSize(bytes)}`,
  elementLimit: (bytes) => `the ${optionSize(bytes)} limit`,
  largestLimit: (bytes) => `the largest limit, ${optionSize(bytes)}`,
  batchSize: (events) => `--batch-size ${events}`,
};

/** The library's options, each value as the option takes it (see `LimitWords`). */
export const libraryLimitWords: LimitWords = {
  maxElementBytes: (bytes) => `maxElementBytes ${bytes}`,
  elementLimit: (bytes) => `the limit of maxElementBytes ${bytes}`,
  largestLimit: (bytes) => `the largest maxElementBytes, ${bytes}`,
  batchSize: (events) => `batchSize ${events}`,
};

/** A size as `--max-element-size` takes it: `64M`, `512k`, or bytes. */
export function optionSize(bytes: number): string {
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}M`;
  if (bytes % 2 ** 10 === 0) return `${bytes / 2 ** 10}k`;
  return String(bytes);
}

// Hint: an element that never closed is a broken one, not a large one: raising the limit would
// not help, so the message says what is open instead of naming the option. Nor would it help one
// that begins no JSON value (a line of text): that is said as of a smaller one, `unexpected "…"`.
function oversizeProblem(element: SplitElement, limits: ElementLimits): { code: string; message: string } {
  const limit = limits.maxElementBytes;
  const words = limits.words ?? cliLimitWords;
  const past = words.elementLimit(limit);
  if (element.head !== undefined && !beginsValue(element.head, 0)) {
    const what = `an element of ${element.size} bytes that is no JSON value, past ${past}`;
    return { code: 'invalid-symbol', message: `${symbolMessage(element.head)}: ${what} (raising it would not help)` };
  }
  if (element.truncated || element.cut) {
    const what = element.unclosed ?? 'string or bracket';
    const where = element.truncated
      ? 'to the end of the file'
      : element.cut === 'line'
        ? 'to the end of its line'
        : 'to where the next element begins';
    const message = `an unclosed ${what}: the element runs ${element.size} bytes ${where}, past ${past}, without closing`;
    return { code: 'element-too-large', message };
  }
  const suggested = limitFor(element.size);
  const raise =
    suggested === undefined
      ? `and than ${words.largestLimit(largestElementBytes)}: no reading can take it`
      : `raise the limit, e.g. ${words.maxElementBytes(suggested)}`;
  const message = `element of ${element.size} bytes is larger than ${words.maxElementBytes(limit)} (${raise})`;
  return { code: 'element-too-large', message };
}

/**
 * The `--max-element-size` an element of `size` bytes is read within, as suggested: the power of
 * two of MiB above it, but at most `largestElementBytes` (which the option takes); undefined for
 * one larger than that (512M was suggested, which the option refuses).
 */
export function limitFor(size: number): number | undefined {
  if (size > largestElementBytes) return undefined;
  return Math.min(largestElementBytes, Math.max(1, 2 ** Math.ceil(Math.log2(size / 2 ** 20))) * 2 ** 20);
}

function positionOf(element: SplitElement, file: string) {
  return { file, offset: element.offset, line: element.line, column: element.column, pointer: element.pointer };
}

/** The index of the first byte of `bytes` that does not belong to a well-formed UTF-8 character, or -1. */
export function firstNonUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Hint: the ranges of RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
    const [length, low, high] =
      lead >= 0xc2 && lead <= 0xdf
        ? [2, 0x80, 0xbf]
        : lead === 0xe0
          ? [3, 0xa0, 0xbf]
          : lead === 0xed
            ? [3, 0x80, 0x9f]
            : lead >= 0xe1 && lead <= 0xef
              ? [3, 0x80, 0xbf]
              : lead === 0xf0
                ? [4, 0x90, 0xbf]
                : lead === 0xf4
                  ? [4, 0x80, 0x8f]
                  : lead >= 0xf1 && lead <= 0xf3
                    ? [4, 0x80, 0xbf]
                    : [0, 0, 0];
    if (length === 0) return i;
    const second = bytes[i + 1];
    if (second === undefined || second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/** An element that is not UTF-8, placed at its first bad byte (line, UTF-16 column and offset), so it can be found. */
function notUtf8(element: SplitElement, file: string, limit: number, lineBefore?: () => LineBefore): ParsedElement {
  const refusal = refused(element, file, 'invalid-utf8', 'the element is not valid UTF-8');
  const at = firstNonUtf8Byte(element.bytes);
  const problem = refusal.problems[0];
  if (at < 0 || problem === undefined) return refusal;
  // Hint: the bytes before the bad one are UTF-8, so they are placed as any element text is.
  const before = element.bytes.toString('utf8', 0, at);
  const { offset, line, column } = new ElementText(before, element, file).locate(before.length);
  problem.offset = offset;
  problem.line = line;
  problem.column = column;
  problem.message = `the element is not valid UTF-8: byte 0x${(element.bytes[at] as number).toString(16)} here`;
  // Hint: an element the end of the file cut inside a character (an export cut off there) is
  // read as if cut just before it, its text and syntax errors those of the bytes before, exactly
  // as in the file, so that fix can drop it as cut off, or refuse it for damage earlier in it.
  // Not one its line ends in: a line break came after, so no end of file cut it.
  if (element.truncated && endsMidCharacter(element.bytes)) {
    const text = new ElementText(before, element, file, lineBefore);
    const syntax = diagnoseSyntax(text, element, limit);
    for (const found of syntax.problems) found.pointer = element.pointer + found.pointer;
    return { ...refusal, text, problems: [...syntax.problems, problem], omitted: omitted(syntax.more, 0) };
  }
  return refusal;
}

/** Whether `bytes`, not UTF-8, would be with more bytes after them: only their last character is cut in two. */
function endsMidCharacter(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function refused(element: SplitElement, file: string, code: string, message: string): ParsedElement {
  return {
    text: undefined,
    value: undefined,
    parsed: false,
    problems: [{ ...positionOf(element, file), severity: 'error', code, message }],
  };
}

/**
 * The value of an element offered by the splitter's quick path (`SplitSink.tryElement`) with its
 * text, or undefined when the byte-by-byte reading could say something of it: not UTF-8, not
 * JSON, nested deeper than `maxDepth`, and with `whole` (when warnings are looked for), a key
 * given twice or a `__proto__` key. Hint: nothing is diagnosed here, and no recursive parser may
 * see the text, since its depth was not counted: an element refused here is read again byte by
 * byte and comes back through `parseElement`.
 */
export function parseQuickly(element: SplitElement, whole: boolean): { text: string; value: unknown } | undefined {
  const { bytes, nonAscii } = element;
  if (nonAscii && !isUtf8(bytes)) return undefined;
  const text = bytes.toString(nonAscii ? 'utf8' : 'latin1');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (whole) return isWholeValue(text, value) ? { text, value } : undefined;
  // Hint: JSON.parse reads any depth. A value nests no deeper than its text has `{` and `[`
  // (in strings too), and counting them costs half what a walk of the value does.
  return opensMoreThan(text, maxDepth) && deeperThan(value, maxDepth) ? undefined : { text, value };
}

/** Whether `text` holds more than `limit` of `{` and `[` together: a value nests no deeper than that. */
export function opensMoreThan(text: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++count > limit) return true;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++count > limit) return true;
  return false;
}

/** Whether a parsed value nests deeper than `limit` levels (the value itself is level 1). */
export function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  // Hint: an array's items by index: `for...in` makes a string of each index.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (deeperThan(value[i], limit - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (deeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  }
  return false;
}

/**
 * Whether `value`, which JSON.parse made of `text`, is all that `text` says: nested no deeper
 * than `maxDepth`, with no `__proto__` key and no key given twice (JSON.parse keeps the last copy
 * alone). Hint: every `:` of a JSON text is a member's or is in a key or a string, so the text
 * holds as many as the value has members and `:` characters in its keys and strings exactly when
 * no member was dropped; more when one was. A string may write its `:` as `\u003a`, which the
 * text then does not hold and which could hide a dropped member: a text with `\u003` is refused.
 */
function isWholeValue(text: string, value: unknown): boolean {
  if (text.includes('\\u003')) return false;
  const tally = membersAndColons(value, maxDepth);
  return tally !== -1 && tally === colonsIn(text);
}

/** How many `:` characters `text` holds. */
function colonsIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) count++;
  return count;
}

/**
 * The members of the objects in `value` and the `:` characters of their keys and of its strings,
 * or -1 when it nests deeper than `levels` or has a `__proto__` key. Hint: this runs on every
 * element validate reads quickly, so a string is searched once, and again only if it holds a `:`.
 */
function membersAndColons(value: unknown, levels: number): number {
  if (typeof value === 'string') return value.indexOf(':') === -1 ? 0 : colonsIn(value);
  if (typeof value !== 'object' || value === null) return 0;
  if (levels <= 0) return -1;
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = membersAndColons(value[i], levels - 1);
      if (inner === -1) return -1;
      count += inner;
    }
    return count;
  }
  for (const key in value) {
    if (key === '__proto__') return -1;
    const inner = membersAndColons((value as Record<string, unknown>)[key], levels - 1);
    if (inner === -1) return -1;
    count += 1 + inner;
    if (key.indexOf(':') !== -1) count += colonsIn(key);
  }
  return count;
}

/**
 * Reads one element: oversize, too deep, not UTF-8, not JSON, or a value with its warnings
 * (duplicate and `__proto__` keys; none are looked for when `warnings` is false). `lineBefore`
 * gives what stands before it on its first line, for the frame of a problem there.
 */
export function parseElement(
  element: SplitElement,
  file: string,
  limits: ElementLimits,
  warnings = true,
  lineBefore?: () => LineBefore,
): ParsedElement {
  const limit = limits.maxIssues ?? Number.POSITIVE_INFINITY;
  if (element.oversize) {
    const { code, message } = oversizeProblem(element, limits);
    return refused(element, file, code, message);
  }
  if (element.depth > maxDepth) {
    return refused(element, file, 'too-deep', `nesting ${element.depth} levels deep exceeds the limit of ${maxDepth}`);
  }
  if (element.nonAscii && !isUtf8(element.bytes)) return notUtf8(element, file, limit, lineBefore);
  // Hint: an ASCII element decodes as latin1, a plain copy, instead of through the UTF-8 decoder.
  const text = new ElementText(element.bytes.toString(element.nonAscii ? 'utf8' : 'latin1'), element, file, lineBefore);
  // Hint: JSON.parse never gives undefined. An element ended before it closed cannot parse, and
  // JSON.parse's throw costs more than a parse (a file of broken lines took 40 µs a line): it is
  // diagnosed at once.
  let value: unknown;
  if (element.cut === undefined && !element.truncated) {
    try {
      value = JSON.parse(text.text);
    } catch {
      value = undefined;
    }
  }
  if (value === undefined) {
    const { problems, more } = diagnoseSyntax(text, element, limit);
    for (const problem of problems) problem.pointer = element.pointer + problem.pointer;
    return { text, value: undefined, parsed: false, problems, omitted: omitted(more, 0) };
  }
  const problems: Problem[] = [];
  if (!warnings) return { text, value, parsed: true, problems };
  // Hint: the splitter counted every `:` outside strings; when the parsed value holds fewer
  // keys, some were duplicates that JSON.parse silently dropped. Only then is the text re-read.
  const found = { proto: false };
  const keys = element.members > 0 ? keyCount(value, found) : 0;
  // Hint: this runs for every element validate reads; a clean one allocates nothing more here.
  let more = 0;
  if (keys < element.members) {
    const duplicates = findDuplicateKeys(text, element.pointer, limit);
    for (const problem of duplicates.problems) problems.push(problem);
    more += duplicates.more;
  }
  if (found.proto) more += protoKeyProblems(text, element, file, value, limit, problems);
  // Hint: the two kinds are warnings both, kept to one limit: the first in the text of either.
  if (problems.length > limit) {
    problems.sort((a, b) => a.offset - b.offset);
    more += problems.length - limit;
    problems.length = limit;
  }
  return more > 0
    ? { text, value, parsed: true, problems, omitted: omitted(0, more) }
    : { text, value, parsed: true, problems };
}

/** Adds the warnings of the `__proto__` keys of `value` to `problems`, the first `limit`; returns how many more there are. */
function protoKeyProblems(
  text: ElementText,
  element: SplitElement,
  file: string,
  value: unknown,
  limit: number,
  problems: Problem[],
): number {
  const protoKeys = { paths: [] as string[], more: 0 };
  const keys = keyOrderIn(text, value, element.members) ?? javaScriptKeyOrder;
  protoKeyPaths(value, '', protoKeys, limit, keys);
  const places = locateAll(
    text,
    protoKeys.paths.map((pointer) => ({ pointer, atKey: true })),
  );
  for (const [i, path] of protoKeys.paths.entries()) {
    problems.push({
      ...positionOf(element, file),
      ...places[i],
      pointer: element.pointer + path,
      severity: 'warning',
      code: 'proto-key',
      message: 'a "__proto__" key: harmless here, but naive JavaScript receivers can be prototype-polluted by it',
    });
  }
  return protoKeys.more;
}

/** `Omitted` for counts of errors and warnings left out, undefined when there are none. */
function omitted(errors: number, warnings: number): Omitted | undefined {
  return errors + warnings > 0 ? { errors, warnings } : undefined;
}

function pathToPointer(path: ReadonlyArray<string | number>): string {
  return path.map((segment) => `/${pointerSegment(segment)}`).join('');
}

function pointerPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map(segmentKey)
    .map((segment) => (/^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment));
}

/** A place in an element to find: a JSON pointer, and with `atKey`, its key rather than its value. */
export interface Wanted {
  pointer: string;
  atKey?: boolean | undefined;
}

/**
 * The file positions of JSON pointers inside an element, all found in one read of it: the
 * value each names (or its key, with `atKey`, for a field that should not be there), or, for a
 * key that is missing, the object that should hold it.
 */
function locateAll(
  text: ElementText,
  wanted: readonly Wanted[],
): Array<{ offset: number; line: number; column: number }> {
  return indexesIn(text, wanted).map((index) => text.locate(index));
}

/** The UTF-16 indexes in an element's text of what `locateAll` places, all found in one read of it. */
export function indexesIn(text: ElementText, wanted: readonly Wanted[]): number[] {
  // Hint: most elements have nothing to place, and reading one for nothing was a cost of each;
  // nor has one whose only problem is itself (`{}`, `1`: no event at all), told where it begins.
  if (wanted.every(({ pointer }) => pointer === '')) return wanted.map(() => 0);
  const places = placesAt(
    text.text,
    wanted.map(({ pointer }) => pointerPath(pointer)),
  );
  return places.map((place, i) => (wanted[i]?.atKey ? place.keyOffset : place.offset));
}

/** The file position of one JSON pointer inside an element (see `locateAll`, for several). */
export function locateIn(text: ElementText, pointer: string): { offset: number; line: number; column: number } {
  return locateAll(text, [{ pointer, atKey: false }])[0] ?? impossible('locateAll places each pointer');
}
