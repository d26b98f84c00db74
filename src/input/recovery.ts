/**
 * Recovery after damage in a batch: where, in the held bytes of an element cut short (it lost its
 * closing lines and ran on over the elements after it), the next element begins, read from the
 * bytes alone. The splitter (split.ts: `recoverColumn1Cut`, `cutAtPending`, `cutEarly`) ends the
 * element there and reads the bytes again; second halves (halves.ts) look for a start with
 * `mayOpenEvent`. And in a line of NDJSON cut short, where the next line was written onto it
 * (`gluedEventAt`). Every reading is bounded by a `Budget` the file's recoveries share.
 */
import { hasEventType, isEventShaped, isObject } from '../schema/check.js';
import {
  BACKSLASH,
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
} from './bytes.js';

/**
 * Where, in `held[from, to)` (the bytes of an element cut short, from its `{` on), the next
 * element begins (an index in `held`); -1 when no later line is seen to begin one. Hint: a raw
 * line break cannot be inside a JSON string, so every line of valid JSON begins outside any
 * string, and a line's `{` can be read from there, string-aware. The next element is the first
 * later `{` alone on its line (at column 1) that opens an event and closes, followed by `,` or
 * `]`; or, before that one, such a line that opens an event cut short too (its own keys say so,
 * and it does not close before that one). A nested object at column 1 (a flow step, say) is not
 * taken for the next element, for it is not an event: it has no `eventType` and none of the
 * keys by which a bare event's type is told (see `detectTypeByShape`). With `closedByBracket`
 * (the bytes end with the `]` that closed the `{`, which no valid text nor any prefix of one can
 * do), a `]` opening the last line when no event follows is the batch's, and ends the element
 * too. `table` holds the `{` lines of `held` (see `braceLineTable`).
 */
export function nextElementLine(
  held: Buffer,
  from: number,
  to: number,
  closedByBracket: boolean,
  table: BraceLineTable,
  budget: Budget,
): number {
  // Hint: a line's keys are read from its `{`, so lines nested in each other would be read again
  // and again, and every later line looked at again for each cut element: a budget of bytes read
  // and lines looked at, shared by the file's recoveries, keeps a crafted file from taking
  // quadratic time (no end is found then, as before this recovery), and a line inside an object
  // that closed is not read at all, for the next element is not inside one.
  const first = lineIndex(table, from, true);
  const next = nextWholeEvent(held, to, table, first, budget);
  if (next === undefined) return -1;
  const limit = next === -1 ? to : next;
  let skipTo = 0;
  for (let index = first; index < table.opens.length; index++) {
    const open = table.opens[index] ?? limit;
    if (open >= limit) break;
    budget.left -= lineCost;
    if (budget.left < 0) return -1;
    if (open < skipTo) continue;
    const end = table.ends[index] ?? 0;
    if (end > 0 && end <= limit) {
      skipTo = end;
      continue;
    }
    const head = objectHead(held, open, limit, budget);
    if (head === undefined) return -1;
    if (isEventShaped(head.keys, false)) return open;
  }
  if (next !== -1 || !closedByBracket) return next;
  const close = to - 1;
  return held[close - 1] === NEWLINE ? close : -1;
}

/**
 * The index in `held` of the first line from `held[from]` on (a line's start) that opens, at
 * column `indent` + 1, an element (see `opensElement`); -1 when none is seen, or `budget` runs
 * out. Hint: only such a line begins the next element where nested objects may open lines at the
 * elements' indentation: a flow step laid out so is not one, and an element that missed a comma
 * among its steps stays one invalid element, which fix can repair, rather than its steps becoming
 * elements and its `]}},` closing the batch. One not seen to close within the bytes held cannot
 * be told, and is not taken, so that no chunk size decides.
 */
export function nextEventLine(held: Buffer, from: number, indent: number, budget: Budget): number {
  for (let start = from; start > 0 && start < held.length; ) {
    budget.left -= lineCost;
    if (budget.left < 0) return -1;
    let brace = start;
    while (held[brace] === SPACE || held[brace] === TAB) brace++;
    if (brace - start === indent && held[brace] === OPEN_BRACE) {
      const opens = opensElement(held, brace, budget);
      if (opens === undefined) return -1;
      if (opens) return start;
    }
    const lf = held.indexOf(NEWLINE, brace);
    start = lf < 0 ? -1 : lf + 1;
  }
  return -1;
}

/**
 * Whether the `{` at `held[brace]` opens an element: an object that closes within `held`, is an
 * event by its keys, and is followed by `,` or `]` (a nested `data` object has an event's keys,
 * `name` and `sessionId`, but its `}` is followed by its event's); undefined when `budget` ran out.
 */
export function opensElement(held: Buffer, brace: number, budget: Budget): boolean | undefined {
  const head = objectHead(held, brace, held.length, budget);
  if (head === undefined) return undefined;
  if (!head.brace || !isEventShaped(head.keys, false)) return false;
  let after = head.end;
  while (after < held.length && isSpace(held[after] ?? 0)) after++;
  return held[after] === COMMA || held[after] === CLOSE_BRACKET;
}

/** Bytes that `objectHead` may still read (a `{` line looked at counts as `lineCost` bytes). */
export interface Budget {
  left: number;
}

const lineCost = 16;

/**
 * The first `{` line of `held` before `to`, from `table.opens[first]` on, that opens an event
 * and closes before `to`, followed by `,` or `]`; -1 when none, undefined when the budget ran out.
 */
function nextWholeEvent(
  held: Buffer,
  to: number,
  table: BraceLineTable,
  first: number,
  budget: Budget,
): number | undefined {
  let skipTo = 0;
  for (let index = first; index < table.opens.length; index++) {
    const open = table.opens[index] ?? to;
    if (open >= to) break;
    budget.left -= lineCost;
    if (budget.left < 0) return undefined;
    const end = table.ends[index] ?? 0;
    if (open < skipTo || end <= 0 || end > to) continue;
    skipTo = end;
    let after = end;
    while (after < to && isSpace(held[after] ?? 0)) after++;
    if (after >= to || (held[after] !== COMMA && held[after] !== CLOSE_BRACKET)) continue;
    const head = objectHead(held, open, end, budget);
    if (head === undefined) return undefined;
    if (isEventShaped(head.keys, false) && isEvent(held.subarray(open, end))) return open;
  }
  return -1;
}

/**
 * The `{` lines of held bytes: each `{` alone on its line (but for blanks) at column 1, past the
 * first byte, in order (`opens`), and where its object ends (`ends`): just past the `}` that
 * closes it, minus that when a `]` does, 0 when nothing does.
 */
export interface BraceLineTable {
  opens: number[];
  ends: number[];
}

/** How many `{` lines `braceLineTable` reads in `length` bytes before it gives up (a bound on its memory). */
export function mostLines(length: number): number {
  return Math.floor(length / 16) + 4096;
}

/**
 * The `{` lines of `held` (see `BraceLineTable`), found in one reading, string-aware (a raw line
 * break ends a string); undefined when there are more than `mostLines` of them. Hint: an object
 * ends where as many brackets have closed as opened since its `{`, so one stack of the open
 * brackets, those of other lines counted in runs, tells every line's end at once.
 */
export function braceLineTable(held: Buffer): BraceLineTable | undefined {
  const opens: number[] = [];
  const ends: number[] = [];
  const most = mostLines(held.length);
  // The open brackets: a `{` line's index in `opens`, or -n for a run of n other brackets.
  const stack: number[] = [];
  let inString = false;
  let escaped = false;
  for (let at = 1; at < held.length; at++) {
    // biome-ignore lint/style/noNonNullAssertion: at < held.length
    const byte = held[at]!;
    if (inString) {
      if (byte === NEWLINE) inString = false;
      else if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
      escaped = false;
    } else if (byte === OPEN_BRACE && held[at - 1] === NEWLINE && aloneOnLine(held, at)) {
      if (opens.length === most) return undefined;
      stack.push(opens.length);
      opens.push(at);
      ends.push(0);
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      const top = stack.length - 1;
      if (top >= 0 && (stack[top] ?? 0) < 0) stack[top] = (stack[top] ?? 0) - 1;
      else stack.push(-1);
    } else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && stack.length > 0) {
      const top = stack.length - 1;
      const entry = stack[top] ?? -1;
      if (entry < -1) stack[top] = entry + 1;
      else {
        stack.pop();
        if (entry >= 0) ends[entry] = byte === CLOSE_BRACE ? at + 1 : -(at + 1);
      }
    }
  }
  return { opens, ends };
}

/**
 * The index in `table.opens` of the `{` line at `at`, -1 when there is none; with `after`, of the
 * first one past `at` (`opens.length` when there is none).
 */
export function lineIndex(table: BraceLineTable, at: number, after = false): number {
  const opens = table.opens;
  let low = 0;
  let high = opens.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((opens[middle] ?? 0) <= at) low = middle + 1;
    else high = middle;
  }
  if (after) return low;
  return low > 0 && opens[low - 1] === at ? low - 1 : -1;
}

/** Whether the `{` at `held[open]` is alone on its line, but for blanks. */
function aloneOnLine(held: Buffer, open: number): boolean {
  for (let at = open + 1; at < held.length; at++) {
    const byte = held[at];
    if (byte === NEWLINE) return true;
    if (byte !== SPACE && byte !== TAB && byte !== RETURN) return false;
  }
  return false;
}

/**
 * Reads the object opened by the `{` at `held[open]`, string-aware, up to `held[limit]`: the
 * index just past the bracket that closes it (-1 when none does before `limit`), whether that
 * bracket is a `}`, and the keys of its own members; undefined when `budget` runs out. A raw
 * line break ends a string, as the scanner decides.
 */
function objectHead(
  held: Buffer,
  open: number,
  limit: number,
  budget: Budget,
): { end: number; brace: boolean; keys: Record<string, unknown> } | undefined {
  const keys: Record<string, unknown> = Object.create(null);
  let depth = 1;
  let inString = false;
  let escaped = false;
  let stringStart = -1;
  // A string of the object's own, just ended: a key if a `:` follows.
  let key: [number, number] | undefined;
  const stop = Math.min(limit, open + 1 + Math.max(0, budget.left));
  for (let at = open + 1; at < stop; at++) {
    // biome-ignore lint/style/noNonNullAssertion: at < stop <= held.length
    const byte = held[at]!;
    if (inString) {
      if (byte === NEWLINE) inString = false;
      else if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) {
        inString = false;
        if (depth === 1) key = [stringStart, at + 1];
      }
    } else if (byte === QUOTE) {
      inString = true;
      escaped = false;
      stringStart = at;
    } else if (byte === COLON && key) {
      try {
        keys[JSON.parse(held.toString('utf8', key[0], key[1])) as string] = true;
      } catch {
        // Not a key after all.
      }
      key = undefined;
    } else if (!isSpace(byte)) {
      key = undefined;
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && --depth === 0) {
        budget.left -= at - open;
        return { end: at + 1, brace: byte === CLOSE_BRACE, keys };
      }
    }
  }
  budget.left -= stop - open;
  return stop < limit ? undefined : { end: -1, brace: false, keys };
}

/**
 * Whether the object opened by the `{` at `held[open]` may be an element: true when its own keys
 * make it an event, or when it does not close within `held` (nothing can be told); false for one
 * that closes and is not an event (a flow step at column 1, say); undefined when `budget` ran out.
 */
export function mayOpenEvent(held: Buffer, open: number, budget: Budget): boolean | undefined {
  const head = objectHead(held, open, held.length, budget);
  if (head === undefined) return undefined;
  return head.end < 0 || (head.brace && isEventShaped(head.keys, false));
}

/**
 * Where an event begins inside `line`, the bytes of a line of NDJSON whose value did not close, and
 * runs to the line's end (its blanks and line break aside): a line cut short with the next one
 * written onto it, as a writer killed mid-line and then restarted leaves it. Returns where the
 * event begins and ends in `line`, or undefined when there is none. The cut value is a valid
 * beginning of JSON up to the event, which it cannot hold as it is written: so the event is at the
 * last `{` up to where the line stops being one (`jsonMisfit`), when that `{` is in a string, or is
 * itself where it stops, after a value or where a key is due; and only if the bytes from there are
 * one JSON object that is an event. Hint: a `{` where the cut value takes a value (after `:`, or
 * `[` or `,` in an array) is its own; so is one right after a key, where a colon may be missing (a
 * published mistake), unless it is an enveloped event (with its `eventType`), which no `data` is:
 * an envelope that lost only its last `}` ends with its `data`, which has a bare event's keys.
 * Reads the line at most twice and parses one candidate, whatever it holds: what one line yields
 * does not depend on the lines before it (nor on which thread reads it).
 */
export function gluedEventAt(line: Buffer): { start: number; end: number } | undefined {
  let end = line.length;
  while (end > 0 && isSpace(line[end - 1])) end--;
  if (line[0] !== OPEN_BRACE || line[end - 1] !== CLOSE_BRACE) return undefined;
  const misfit = jsonMisfit(line.subarray(0, end));
  // A value that is only cut short is a valid beginning of JSON to its end: nothing was written onto it.
  if (misfit.at === -1) return undefined;
  const start = line.lastIndexOf(OPEN_BRACE, misfit.at);
  if (start <= 0) return undefined;
  const value = objectIn(line.subarray(start, end));
  if (value === undefined || !isEventShaped(value, true)) return undefined;
  if (start < misfit.at) return jsonMisfit(line.subarray(0, start)).inString ? { start, end } : undefined;
  const { expect } = misfit;
  if (expect === Expect.After || expect === Expect.Key || expect === Expect.KeyOrClose) return { start, end };
  // Right after a key: an enveloped event, which no `data` is.
  return expect === Expect.Colon && hasEventType(value) ? { start, end } : undefined;
}

/** The object `bytes` parse as, or undefined when they do not parse as one. */
function objectIn(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `bytes` parse as an object that is an event. */
function isEvent(bytes: Buffer): boolean {
  const value = objectIn(bytes);
  return value !== undefined && isEventShaped(value, true);
}

/** What a JSON text expects next, outside a string or a scalar (see `jsonMisfit`). */
enum Expect {
  Value,
  ValueOrClose,
  Key,
  KeyOrClose,
  Colon,
  After,
}

/** Whether `bytes`, then `next`, may be the beginning of a JSON text (see `jsonMisfit`). */
export function mayBeginJson(bytes: Buffer, next: number): boolean {
  return jsonMisfit(bytes, next).at === -1;
}

/**
 * Where `bytes` (then `next`, when given) stop being the beginning of a JSON text: the index of the
 * first byte that cannot go on with it (`bytes.length` for `next`), or -1 when none; and what it
 * expected there, or at the end (and whether in a string). Hint: lenient only where that
 * is safe: a scalar is any run of other bytes (a wrong one says may, and only costs reading on),
 * but a bracket, comma, colon, key or control byte in a string where JSON has none says cannot,
 * so a valid text is never said to be broken. Not jsonc-parser's `visit`, which recurses: this
 * runs before any depth limit, and a deeply nested element overflowed the stack (see element.ts).
 */
export function jsonMisfit(bytes: Buffer, next?: number): { at: number; expect: Expect; inString: boolean } {
  const open: number[] = [];
  let expect = Expect.Value;
  let inString = false;
  let key = false;
  let escaped = false;
  let inScalar = false;
  const last = next === undefined ? bytes.length - 1 : bytes.length;
  for (let at = 0; at <= last; at++) {
    const byte = at < bytes.length ? (bytes[at] ?? 0) : (next ?? 0);
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) {
        inString = false;
        expect = key ? Expect.Colon : Expect.After;
      } else if (byte < 0x20) return { at, expect, inString };
      continue;
    }
    if (inScalar) {
      if (!isDelimiter(byte)) continue;
      inScalar = false;
      expect = Expect.After;
    }
    if (isSpace(byte)) continue;
    const top = open.at(-1);
    if (expect === Expect.Value || expect === Expect.ValueOrClose) {
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        open.push(byte);
        expect = byte === OPEN_BRACE ? Expect.KeyOrClose : Expect.ValueOrClose;
      } else if (byte === QUOTE) {
        inString = true;
        key = false;
      } else if (byte === CLOSE_BRACKET && expect === Expect.ValueOrClose) {
        open.pop();
        expect = Expect.After;
      } else if (isDelimiter(byte)) return { at, expect, inString };
      else inScalar = true;
    } else if (expect === Expect.Key || expect === Expect.KeyOrClose) {
      if (byte === QUOTE) {
        inString = true;
        key = true;
      } else if (byte === CLOSE_BRACE && expect === Expect.KeyOrClose) {
        open.pop();
        expect = Expect.After;
      } else return { at, expect, inString };
    } else if (expect === Expect.Colon) {
      if (byte !== COLON) return { at, expect, inString };
      expect = Expect.Value;
    } else if (top === undefined) return { at, expect, inString };
    else if (byte === COMMA) expect = top === OPEN_BRACE ? Expect.Key : Expect.Value;
    else if ((byte === CLOSE_BRACE && top === OPEN_BRACE) || (byte === CLOSE_BRACKET && top === OPEN_BRACKET)) {
      open.pop();
    } else return { at, expect, inString };
  }
  return { at: -1, expect, inString };
}
