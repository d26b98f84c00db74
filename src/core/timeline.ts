/**
 * Pure logic of `show` and `trace`: which events a user's filters select, where a search text
 * matches, how `--mask` hides personal data, and the time order of one scheduled call's events.
 */

import { graphemeSegments } from '../input/clusters.js';
import { SourceNumber } from '../input/source-number.js';
import { invisible } from '../render/escape.js';
import { correlationIdOf, eventTime, isCallStatus, statusGroupOf, type WebhookEvent } from '../schema/events.js';
import { firstInstant, instantOf, instantOfOption, lastInstant } from './instant.js';
import type { StatusGroupChoice } from './summary-names.js';

/** What `show`'s filter options ask for; every field left undefined selects everything. */
export interface EventFilter {
  /** Status names, normalised by `normaliseStatus` (CallComplete's three and CallAttempted's two). */
  statuses?: readonly string[] | undefined;
  /** A CallComplete status group (`other`: a status the platform does not document). */
  group?: StatusGroupChoice | undefined;
  /** A campaignId or the start of one, lower case. */
  campaign?: string | undefined;
  /** Digits of a phone number: matches `phone`, `from` or `to` exactly. */
  phone?: string | undefined;
  /** An event id, sessionId or callResultId, or the start of one, lower case. */
  id?: string | undefined;
  /** A correlationId or the start of one, lower case. */
  correlation?: string | undefined;
  /** Earliest event time, in epoch milliseconds (inclusive). */
  since?: number | undefined;
  /** The end of the time range, in epoch milliseconds (exclusive: `--until 2022-10-01` ends with September). */
  until?: number | undefined;
  /** Text searched for in transcripts and messages, case-insensitively, as written or in NFC (`searchPattern`). */
  grep?: RegExp | undefined;
}

/** A status as filters compare it: lower case letters only, so `Not Complete`, `not-complete` and `notcomplete` agree. */
export function normaliseStatus(status: string): string {
  return status.toLowerCase().replace(/[^a-z]/g, '');
}

/**
 * A case-insensitive, literal search for `text`, for `--grep`: as written or in Unicode NFC
 * (`ferme` and U+0301 is also sought as `fermé`); `findMatches` searches a text's NFC form too.
 */
export function searchPattern(text: string): RegExp {
  const forms = new Set([nfcForm(text)?.text ?? text, text]);
  return new RegExp([...forms].map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu');
}

// Where NFC may change a text: a run of a character and the marks after it (any mark, a Hangul
// vowel or final jamo, Kirat Rai's vowel sign E), with which it may compose or be reordered; and
// a character NFC replaces wherever it is (the ohm sign, CJK compatibility ideographs, Greek
// letters with an oxia, letters with a nukta NFC keeps apart). Nothing below U+0300.
const combining = String.raw`\p{M}\u1160-\u11ff\ud7b0-\ud7ff\u{16d67}\u{16d68}`;
const singleton = String.raw`\u0374\u037e\u0387\u0958-\u095f\u09dc\u09dd\u09df\u0a33\u0a36\u0a59-\u0a5b\u0a5e\u0b5c\u0b5d\u0f43\u0f4d\u0f52\u0f57\u0f5c\u0f69\u1f71-\u1ffd\u2000\u2001\u2126\u212a\u212b\u2329\u232a\u2adc\uf900-\ufad9\ufb1d-\ufb4e\u{1d15e}-\u{1d1c0}\u{2f800}-\u{2fa1d}`;
// Hint: a run's start is found by an expression of one mark, its end by the first character that
// is none (as `runOf` does), not by `[…]+`: V8 keeps a backtracking entry for each character a `u`
// class repeats over, and a run of 8 million marks overflowed its stack (`show --grep` exited 2).
const nfcRunStart = new RegExp(`.?[${combining}]|([${singleton}])`, 'gsu');
const notCombining = new RegExp(`[^${combining}]`, 'gu');

/**
 * The matches of the global expression `start` in `text`, in order, as [start, end) offsets, each
 * ending where `end` says, from the match and the offset after it: a run of any length found
 * without an expression repeating over it. Hint: lastIndex is set before each search, so that two
 * of these may run at once.
 */
function* runsFrom(
  text: string,
  start: RegExp,
  end: (match: RegExpExecArray, after: number) => number,
): Generator<[number, number]> {
  for (let at = 0; ; ) {
    start.lastIndex = at;
    const match = start.exec(text);
    if (match === null) return;
    at = end(match, start.lastIndex);
    yield [match.index, at];
  }
}

/** Where the first match of the global expression `pattern` in `text` at or after `from` begins, or the text's length. */
function firstIndexFrom(pattern: RegExp, text: string, from: number): number {
  pattern.lastIndex = from;
  return pattern.exec(text)?.index ?? text.length;
}

/**
 * The runs of `text` NFC may change, in order, as [start, end) offsets: a character with the marks
 * after it (or marks alone, at the start), and each singleton (see `combining`).
 */
export function nfcRuns(text: string): Generator<[number, number]> {
  return runsFrom(text, nfcRunStart, (start, after) =>
    start[1] === undefined ? firstIndexFrom(notCombining, text, after) : after,
  );
}

/**
 * The longest run NFC is asked to normalise, in code units: ICU sorts marks in time quadratic in
 * their number (100,000 took minutes), so a longer run is searched as written here (each run is
 * normalised alone), and shown as changed by summarise (`textApart`).
 */
export const longestNormalised = 64;
const beyondLatin = /[^\u0000-\u02ff]/;
const nfcPiece = 256;

/**
 * Whether NFC may change a run of `text` that `nfcForm` would normalise. Hint: ICU tells text in
 * NFC quickest, about 1 ns a character (a regular expression's class of every mark takes 10 to
 * 25 ns), but is asked only of pieces of 256 code units, each overlapping the next by 64: a run
 * of marks then costs it no more than a piece does (time quadratic in the run's length
 * otherwise), and each run short enough to normalise lies whole in one. ASCII and Latin text,
 * which NFC never changes, cost a scan that one-byte strings skip.
 */
function mayChangeInNfc(text: string): boolean {
  if (!beyondLatin.test(text)) return false;
  for (let at = 0; ; at += nfcPiece - longestNormalised) {
    const part = text.slice(at, at + nfcPiece);
    if (part.normalize('NFC') !== part) return true;
    if (at + nfcPiece >= text.length) return false;
  }
}

/** A run of text NFC changed: where it is in the text (`from`, `to`) and in its NFC form (`nfcFrom`, `nfcTo`). */
interface ChangedRun {
  from: number;
  to: number;
  nfcFrom: number;
  nfcTo: number;
}

/**
 * `text` in Unicode NFC, as `--grep` searches it too, with the runs NFC changed, in order; or
 * undefined when NFC leaves it as it is.
 */
function nfcForm(text: string): { text: string; changed: ChangedRun[] } | undefined {
  if (!mayChangeInNfc(text)) return undefined;
  const changed: ChangedRun[] = [];
  let normal = '';
  let at = 0;
  for (const [from, to] of nfcRuns(text)) {
    if (to - from > longestNormalised) continue;
    const run = text.slice(from, to);
    const nfc = run.normalize('NFC');
    if (nfc === run) continue;
    normal += text.slice(at, from);
    changed.push({ from, to, nfcFrom: normal.length, nfcTo: normal.length + nfc.length });
    normal += nfc;
    at = to;
  }
  return changed.length === 0 ? undefined : { text: normal + text.slice(at), changed };
}

/** Adds [start, end) to ranges found in order, joined to the last one where they touch or overlap. */
function addRange(ranges: Array<[number, number]>, start: number, end: number): void {
  const last = ranges.at(-1);
  if (last && last[1] >= start) last[1] = Math.max(last[1], end);
  else ranges.push([start, end]);
}

/**
 * The [start, end) offsets of the matches of `pattern` in `text`, matches that touch as one: a
 * run of them is highlighted once (12 million `a`s searched for `a` took 45 s and 4 GB, one
 * highlight each). `pattern` is a `searchPattern`, of text never empty: no match is empty. The
 * matches in the text as written and in its NFC form, the latter placed on the text's own
 * characters: one that begins or ends inside a run NFC changed takes all of it.
 */
export function findMatches(text: string, pattern: RegExp): Array<[number, number]> {
  const written: Array<[number, number]> = [];
  for (const match of text.matchAll(pattern)) addRange(written, match.index, match.index + match[0].length);
  const nfc = nfcForm(text);
  if (nfc === undefined) return written;
  // Hint: the offsets asked for never go back (a match's start, its end, the next one's start),
  // so the runs changed before them are passed once.
  let next = 0;
  let shift = 0;
  const inText = (offset: number, end: boolean) => {
    for (let run = nfc.changed[next]; run && run.nfcTo <= offset; run = nfc.changed[++next]) {
      shift += run.to - run.from - (run.nfcTo - run.nfcFrom);
    }
    const run = nfc.changed[next];
    if (run && run.nfcFrom < offset) return end ? run.to : run.from;
    return offset + shift;
  };
  const normal: Array<[number, number]> = [];
  for (const match of nfc.text.matchAll(pattern)) {
    addRange(normal, inText(match.index, false), inText(match.index + match[0].length, true));
  }
  const ranges: Array<[number, number]> = [];
  for (const [start, end] of [...written, ...normal].sort(([a], [b]) => a - b)) addRange(ranges, start, end);
  return ranges;
}

/** Whether `text`, as written or in NFC, holds a match of `pattern`. */
function holdsMatch(text: string, pattern: RegExp): boolean {
  // Hint: up to the first match, none gathered (a --grep text is never empty, so neither is a
  // match); the NFC form only made when the text as written holds none.
  return text.search(pattern) !== -1 || (nfcForm(text)?.text.search(pattern) ?? -1) !== -1;
}

/** The free text of an event that `--grep` searches: its transcripts, or its message. */
function searchableTexts(event: WebhookEvent): string[] {
  if (event.type === 'CallComplete') {
    return event.data.flow.flatMap((step) => (step.transcript === undefined ? [] : [step.transcript]));
  }
  if (event.type === 'SMSSent' || event.type === 'SMSReceived' || event.type === 'SMS') return [event.data.message];
  return [];
}

function phonesOf(event: WebhookEvent): string[] {
  switch (event.type) {
    case 'CallComplete':
    case 'CallAttempted':
    case 'CallReceived':
      return [event.data.phone];
    default:
      return [event.data.from, event.data.to];
  }
}

function statusOf(event: WebhookEvent): string | undefined {
  if (event.type === 'CallComplete' || event.type === 'CallAttempted') return event.data.status;
  return undefined;
}

function idsOf(event: WebhookEvent): string[] {
  const ids = event.id === undefined ? [] : [event.id];
  if (event.type === 'CallComplete') ids.push(event.data.sessionId, event.data.callResultId);
  return ids;
}

const startsWith = (value: string | undefined, prefix: string) => value?.toLowerCase().startsWith(prefix) === true;

/** Whether `event` passes every filter that is set. */
export function matchesFilter(event: WebhookEvent, filter: EventFilter): boolean {
  if (filter.statuses) {
    const status = statusOf(event);
    if (status === undefined) return false;
    // Hint: a call status the platform does not document, however like one it is spelled
    // (`complete`), is Other, as --group, the badge and summarise read it: only the option is any case.
    const key = event.type === 'CallComplete' && !isCallStatus(status) ? 'other' : normaliseStatus(status);
    if (!filter.statuses.some((wanted) => normaliseStatus(wanted) === key)) return false;
  }
  if (filter.group) {
    if (event.type !== 'CallComplete') return false;
    if ((statusGroupOf(event.data.status)?.toLowerCase() ?? 'other') !== filter.group) return false;
  }
  if (filter.campaign !== undefined && !startsWith(event.data.campaignId, filter.campaign)) return false;
  if (filter.correlation !== undefined && !startsWith(correlationIdOf(event), filter.correlation)) return false;
  if (filter.id !== undefined && !idsOf(event).some((id) => startsWith(id, filter.id as string))) return false;
  if (filter.phone !== undefined && !phonesOf(event).includes(filter.phone)) return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const time = instantOf(eventTime(event));
    if (filter.since !== undefined && !(time >= filter.since)) return false;
    // A half-open range, as summarise reads it too: --until 2022-10-01 ends with September.
    if (filter.until !== undefined && !(time < filter.until)) return false;
  }
  if (filter.grep) {
    const pattern = filter.grep;
    if (!searchableTexts(event).some((text) => holdsMatch(text, pattern))) return false;
  }
  return true;
}

const durationUnits: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
/**
 * Reads a `--since`/`--until` value, for every command that takes one: an ISO-8601 date or
 * time, or a duration before `now` such as `90m`, `2h` or `7d`. A date alone is midnight UTC and
 * a time without an offset is UTC too, so that output does not depend on the machine's time
 * zone. Returns undefined when the text is neither.
 */
export function parseTimeBound(text: string, now: number): number | undefined {
  const relative = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  const ms = relative
    ? now - Number(relative[1]) * (durationUnits[relative[2] as string] as number)
    : instantOfOption(text);
  // Hint: outside years 0000 to 9999 (UTC) a time names no timestamp: it would be written
  // -271764-03-24T… or +010000-…, and further back than a Date reaches it is NaN. A duration, or
  // a time whose offset crosses the edge, is refused as a date outside them is.
  return ms >= firstInstant && ms <= lastInstant ? ms : undefined;
}

/** A phone number with all but its last 3 digits hidden. */
export function maskPhone(phone: string): string {
  return phone.length <= 3 ? phone : '*'.repeat(phone.length - 3) + phone.slice(-3);
}

// Characters drawn as nothing, which no initial holds: controls and what the policy shows escaped as invisible.
const hidden = new RegExp(`[\\u0000-\\u001f${invisible}]`, 'gu');
const letterOrDigit = /^[\p{L}\p{N}]/u;

/**
 * A word's initial: its first grapheme cluster holding a letter or digit (`(Bob)` → `B`), drawn
 * characters only (a bidi override or a zero-width space before it is not it); in a word with
 * none, its first cluster that is drawn (an emoji, `-`); in one of invisible characters alone, none.
 */
function initialOf(word: string): string | undefined {
  let drawn: string | undefined;
  for (const { segment } of graphemeSegments(word)) {
    const seen = segment.replace(hidden, '');
    if (letterOrDigit.test(seen)) return seen;
    if (seen !== '') drawn ??= segment;
  }
  return drawn;
}

/**
 * A name shortened to its initials: `Jane Doe` → `J. D.`, each upper-cased when that leaves it one
 * cluster (`ǰ` → `J̌`), else as written (`ß`, which would be `SS`).
 */
export function initialsOf(name: string): string {
  const initials: string[] = [];
  for (const word of name.split(/\s+/)) {
    const initial = initialOf(word);
    if (initial === undefined) continue;
    const upper = initial.toUpperCase();
    const [, second] = graphemeSegments(upper);
    initials.push(`${second === undefined ? upper : initial}.`);
  }
  return initials.join(' ');
}

// Hint: 9 digits or more, so that a spoken phone number ("0491 573 087") is hidden but a date
// ("2022-09-01") or an amount is not; digits of any script (๐๔๙, ٠٤٩, ０４９), up to 5 separators
// between two digits (` - `). A separator: any blank (a no-break or thin space, a tab), a control
// and every character the escaping policy calls invisible (`invisible`: zero-width characters,
// direction marks, U+2063 INVISIBLE SEPARATOR, tag characters, variation selectors), so that
// nothing drawn as nothing joins digits the policy shows; a dash (the minus sign and the Japanese
// long vowel mark ー too), `.`, a middle dot or a bullet (`·`, `・`, `•`), `/`, `_`, `+` and
// `%20`-style escapes (a form-encoded link), brackets, and their full-width forms; and the keycap
// mark U+20E3, so that keycap digits (0️⃣, a digit, U+FE0F and U+20E3) are digits; and a JSON
// escape (`\u0009`, `\t`), as a message quotes a control, whose own digits would split the number
// into runs too short to mask; not `,`, which would join a list of numbers or an amount.
const separator = String.raw`(?:[\s\u0000-\u001f${invisible}\u20e3\p{Pd}\u2212\u30fc\uff70./\u00b7\u2022\u2027\u2219\u30fb\uff65_()+\uff0e\uff0f\uff3f\uff08\uff09]|%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\[bfnrt])`;
// One more digit of a number, after up to 5 separators.
const phoneStep = String.raw`(?:${separator}{0,5}\p{Nd})`;
// Hint: a number's first 9 digits are found by an expression, the rest a thousand steps at a
// time, not by `{8,}`: V8 keeps a backtracking entry for each repetition of a group, and a run of
// 4 million digits overflowed its stack (`show --mask` exited 2). Each step is taken as `{8,}`
// took it, and the number ends where no step is left.
const phoneStart = new RegExp(String.raw`[+\uff0b]?\p{Nd}${phoneStep}{8}`, 'gu');
const phoneSteps = new RegExp(`${phoneStep}{1,1000}`, 'uy');

/** The phone-number-like runs of `text` (9 digits or more, see `separator`), in order, as [start, end) offsets. */
export function phoneRuns(text: string): Generator<[number, number]> {
  return runsFrom(text, phoneStart, (_, after) => {
    let end = after;
    for (phoneSteps.lastIndex = end; phoneSteps.test(text); ) end = phoneSteps.lastIndex;
    return end;
  });
}

// What stays whole in text, though it holds digits: a link's scheme, host and path, so that it
// still opens (its query and fragment are masked: `?to=********087`), a UUID, and a real date,
// with its time, written as ISO 8601 or as day/month/year or month/day/year (`05/12/2026 10:30`).
// Hint: only what no phone number reads as: a month or a day out of range (`04/91/60/22/74`), or
// more digits, slashes, dots or dashes around it (`0412-10-22-74`), and the run is masked.
// A date as it may follow another in a range (`2026-12-05 - 2026-12-07`). Hint: up to 4 blanks
// each side of the dash, not `\s*`: V8 keeps a backtracking entry for each character a `u` class
// repeats over in two-byte text, and 8 million blanks after a date overflowed its stack. It reads
// the same: a range's end matters only where at most 5 separators stand before a digit (`alone`),
// and blanks and the dash are separators.
const rangeEnd = String.raw`\s{0,4}[-\u2013\u2014/]\s{0,4}(?:\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})`;
// Hint: a date is kept only when no digit is glued to it, across any separator (`0412-10-22 74`
// is a phone written like one), but the next date of a range.
const alone = {
  before: String.raw`(?<!\p{Nd}${separator}{0,5})`,
  after: String.raw`(?!(?!${rangeEnd})${separator}{0,5}\p{Nd})`,
};
// The characters of a link's scheme, host and path.
const linkCharacters = String.raw`A-Za-z0-9\-._~:/@!$&*+=%`;
// Hint: a link is found by its first character after `://` (the group), and ends at the first
// character that is none of them (`linkEnd`, with the same flags: `K`, the Kelvin sign, is one),
// not by `[…]+`; a time's fraction is 1000 digits at most, not `\d+`: V8 keeps a backtracking
// entry for each character a `u` class repeats over in two-byte text, and 8 million overflowed
// its stack (`show --mask` exited 2). A longer fraction is no time's, and its digits are masked.
// A date is looked for only where its digits begin (the first lookahead): the lookbehind, asked
// at every character, took 6 s on 9 million blanks.
const keptStart = new RegExp(
  [
    // A link's scheme, host and path, in the characters a path has: text glued after it (a
    // table's `|`, a CSV's `,`, Chinese) is not part of it.
    String.raw`(\bhttps?:\/\/[${linkCharacters}])`,
    String.raw`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`,
    String.raw`(?=\d{4}-)${alone.before}\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,1000})?)?(?:Z| ?[+-]\d{2}(?::?\d{2})?)?)?${alone.after}`,
    String.raw`(?=\d{1,2}\/)${alone.before}(?:0?[1-9]|[12]\d|3[01])\/(?:0?[1-9]|[12]\d|3[01])\/\d{4}(?: (?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?${alone.after}`,
  ].join('|'),
  'giu',
);
const linkEnd = new RegExp(`[^${linkCharacters}]`, 'giu');

/** What `maskPhonesInText` keeps whole in `text` (links, UUIDs and real dates), in order, as [start, end) offsets. */
export function keptRuns(text: string): Generator<[number, number]> {
  return runsFrom(text, keptStart, (start, after) =>
    start[1] === undefined ? after : firstIndexFrom(linkEnd, text, after),
  );
}

/**
 * Free text with every phone-number-like run of 9 or more digits masked to its last 3 digits;
 * a link's scheme, host and path (so it still opens), UUIDs and real dates stay whole.
 */
export function maskPhonesInText(text: string): string {
  let out = '';
  let at = 0;
  for (const [from, to] of keptRuns(text)) {
    out += maskDigitRuns(text.slice(at, from)) + text.slice(from, to);
    at = to;
  }
  return out + maskDigitRuns(text.slice(at));
}

// A run's units: an escape such as `%20` or `\u0009` (kept whole, its digits are no phone's), or one code
// point (a digit outside the BMP, 𝟎 or an Adlam digit, is one, not two halves).
const runUnits = /%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|[\s\S]/gu;

function maskDigitRuns(text: string): string {
  let masked = '';
  let at = 0;
  for (const [from, to] of phoneRuns(text)) {
    masked += text.slice(at, from) + maskedRun(text.slice(from, to));
    at = to;
  }
  return masked + text.slice(at);
}

const digit = /^\p{Nd}$/u;

// A run with all but its last 3 digits masked. Hint: its units are masked in place and joined, not
// prepended one by one, which took twice as long on a run of millions.
function maskedRun(run: string): string {
  const units = run.match(runUnits) ?? [];
  for (let i = units.length - 1, keep = 3; i >= 0; i--) {
    if (!digit.test(units[i] as string)) continue;
    if (keep > 0) keep--;
    else units[i] = '*';
  }
  return units.join('');
}

// Hint: a Map and Sets, not objects: a payload key such as `valueOf` or `constructor` must find nothing.
// A phone and a name are hidden under any key of that name, at any depth (privacy first).
const hiders = new Map<string, (value: string) => string>([
  ['phone', maskPhone],
  ['from', maskPhone],
  ['to', maskPhone],
  ['name', initialsOf],
]);
/**
 * A copy of an event (or of a raw parsed payload, enveloped or bare) with personal data hidden
 * for screen sharing and bug reports: phone numbers keep their last 3 digits, names become
 * initials, and phone numbers in any other text (transcripts, messages, outcomes, failure notes,
 * responses, questions, requests, custom fields) are masked too. A number of 9 digits or more
 * (a custom field's phone written as a number) becomes the string a text would: `"********087"`.
 * Hint: no key keeps its text whole by its name. The ids and times the platform documents are
 * UUIDs and dates, and its enums hold no digits, all of which maskPhonesInText keeps whole; a
 * value of another shape under such a name (an undocumented `status` of digits, a custom `time`)
 * is text like any other: kept whole by name, a phone number in it was shown.
 */
export function maskPayload<T>(value: T): T {
  if (typeof value === 'string') return maskPhonesInText(value) as T;
  if (typeof value === 'number' || value instanceof SourceNumber) {
    // Hint: any key may hold a phone as a number (`callerId`, `whatsapp`), so every number of 9
    // digits or more is masked, into a string (JSON has no number with asterisks), an epoch too;
    // one a double does not hold, as the file writes it.
    const text = value instanceof SourceNumber ? value.text : String(value);
    const masked = maskPhonesInText(text);
    return (masked === text ? value : masked) as T;
  }
  // A batch's events are events: each keeps its own fields.
  if (Array.isArray(value)) return value.map((item) => maskPayload(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const keys = maskedApart(entries.map(([key]) => key));
  // Hint: Object.fromEntries defines each key as data: assigning `copy.__proto__` would not.
  return Object.fromEntries(
    entries.map(([key, item], i) => {
      const hider = hiders.get(key);
      if (typeof item === 'string' && hider) return [keys[i], hider(item)];
      return [keys[i], maskPayload(item)];
    }),
  ) as T;
}

/**
 * Distinct texts masked (by default as text is: `contacts: { "********087": … }`), in order, still
 * distinct: an object's keys, or the rows of a table (`summarise --by phone --mask`).
 * Hint: two that mask alike would merge into one (an object's first value lost) or read as one:
 * the second is `"********087 (2)"`, a suffix no other text masks to, so none is taken from another.
 * A text with nothing to mask keeps its name: a reason written `Call back on **** *** 087` is
 * not the `(2)` of one whose number was masked so (red team hR103).
 */
export function maskedApart(keys: readonly string[], mask: (text: string) => string = maskPhonesInText): string[] {
  const masked = keys.map(mask);
  // Distinct texts unchanged cannot merge.
  if (masked.every((key, i) => key === keys[i])) return masked;
  const reserved = new Set(masked);
  const taken = new Set(masked.filter((key, i) => key === keys[i]));
  // Hint: the next suffix to try for each masked key, so that n keys masking alike cost n tries,
  // not n² (16,000 such keys in one delivery held listen --mask 25 s).
  const nextSuffix = new Map<string, number>();
  return masked.map((key, i) => {
    if (key === keys[i]) return key;
    let unique = key;
    let n = nextSuffix.get(key) ?? 2;
    while (taken.has(unique) || (unique !== key && reserved.has(unique))) unique = `${key} (${n++})`;
    nextSuffix.set(key, n);
    taken.add(unique);
    return unique;
  });
}

/** An event in a trace, with the order it was read in, for a stable sort. */
export interface TimelineEntry {
  event: WebhookEvent;
  /** The position in the input, so that events with the same time keep their input order. */
  sequence: number;
  /** A redelivery's: the `sequence` of the event it repeats, which it follows whatever came between them. */
  repeats?: number | undefined;
}

// The order PAYLOADS.md gives for one scheduled call, used when two events share a timestamp.
const stageOf: Record<WebhookEvent['type'], number> = {
  CallAttempted: 0,
  CallReceived: 1,
  SMSSent: 2,
  SMSReceived: 2,
  SMS: 2,
  CallComplete: 3,
};

/**
 * The events of one scheduled call in time order (a call result at its start time); events at
 * the same instant follow the call's natural order (attempt, callback, SMS, result), then input
 * order, a redelivery right after the event it repeats (the same time, as the same content).
 */
export function orderTimeline<T extends TimelineEntry>(entries: readonly T[]): T[] {
  return entries
    .map((entry) => ({ entry, time: instantOf(eventTime(entry.event)) }))
    .sort(
      (a, b) =>
        a.time - b.time ||
        stageOf[a.entry.event.type] - stageOf[b.entry.event.type] ||
        (a.entry.repeats ?? a.entry.sequence) - (b.entry.repeats ?? b.entry.sequence) ||
        a.entry.sequence - b.entry.sequence,
    )
    .map(({ entry }) => entry);
}

/** Whether an event belongs to the scheduled call whose correlationId is, or starts with, `prefix` (lower case). */
export function belongsToTrace(event: WebhookEvent, prefix: string): boolean {
  return startsWith(correlationIdOf(event), prefix);
}
