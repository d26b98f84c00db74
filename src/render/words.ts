/** Small wording helpers the renderers share. */
import { instantOf, isoOf } from '../core/instant.js';
import { longestNormalised } from '../core/timeline.js';
import { graphemeSegments } from '../input/clusters.js';
import { ownNotes, readableEscape } from './escape.js';
import { blankEnds, escapeTerminal } from './terminal.js';

// Hint: made on first use: the first Intl object of a process loads ICU data (see bench/RESULTS.md,
// "Figures behind code comments"), and a count is formatted by hand (below) all but never.
let integer: Intl.NumberFormat | undefined;

/**
 * A count with thousands separators, `1,234`, the same whatever the user's locale. Hint: a whole
 * count is grouped by hand, as en-US groups it (words.test.ts holds the two equal): Intl, called
 * once per cell or per delivery, was most of the time a 200,000-row table took.
 */
export function grouped(count: number): string {
  if (!Number.isSafeInteger(count) || count < 0) {
    integer ??= new Intl.NumberFormat('en-US');
    return integer.format(count);
  }
  const digits = String(count);
  return count < 1000 ? digits : digits.replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A time as `formatTime` writes it, or a duration of two parts as `formatDuration` writes it: kept whole when text is wrapped. */
export const timeOrDuration = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC|\b\d+[dhm] \d+[hms]\b/g;

/**
 * An ISO timestamp as `2022-09-01 00:29:12 UTC` (UTC, whole seconds), as every command shows a
 * time to people (JSON, CSV and keys keep ISO), or the text escaped when it is not a date.
 */
export function formatTime(iso: string): string {
  const time = instantOf(iso);
  if (Number.isNaN(time)) return escapeTerminal(iso);
  return `${isoOf(time).slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A duration in milliseconds as `7s`, `1m 36s`, `3h 02m` or `2d 4h`, every command's way (replay
 * writes one under a minute to the tenth). Hint: rounded once, at the unit shown last: minutes and
 * hours cut from rounded seconds read 1h 59m 40s as `1h 59m`, and 59m 59.5s as `1h 00m`.
 */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const seconds = Math.round(abs / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(abs / 60_000);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
  const hours = Math.round(abs / 3_600_000);
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `1 event`, `1,234 events`: a count with its noun, grouped digits, the plural when it is not 1. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${grouped(count)} ${count === 1 ? one : many}`;
}

/** The note for rows left out: `(3 more reasons)`, or `(3 more)` without a noun; see `ownNotes` for the others. */
export function moreNote(count: number, noun?: string): string {
  return `(${noun === undefined ? `${grouped(count)} more` : plural(count, `more ${noun}`)})`;
}

const moreNoteText = /^\(\d[\d,]* more(?: [^()]*)?\)$/;

/** Whether `text` reads exactly as one of callhook's own notes (`ownNotes`, `moreNote`). */
export function readsAsOwnNote(text: string): boolean {
  return Object.values<string>(ownNotes).includes(text) || moreNoteText.test(text);
}

const spaceSeparator = /\p{Zs}/u;
// A blank `textApart` shows apart: one not a space, or one after another.
const blankApart = /[^\P{Zs} ]| {2}/u;
// Hint: NFC sorts a run of marks by insertion, in time quadratic in its length (240,000 marks
// after one letter: 23 s), so a cluster holding a longer run is never normalised: it is shown as
// NFC would change it, its marks escaped (the one limit, see `longestNormalised`).
const longMarkRun = new RegExp(`\\p{M}{${longestNormalised}}`, 'u');
// Hint: a piece of a cluster longer than graphemeSegments' window (a thousand marks) begins with a
// mark, which is no base to keep: raw, it would draw on the character before.
const mark = /^\p{M}/u;

/**
 * Payload text as the terminal policy shows it (`escapeTerminal`), told apart from every other
 * text it would read the same as; the empty text is left to the caller to name (`ownNotes.empty`).
 * Hint: two values that differ only in blanks, or in Unicode normalisation (NFC `é`, NFD `e` and
 * U+0301), read the same (summarise's rows, an undocumented status beside a documented one); so
 * blanks at the ends are shown escaped (`Voicemail\x20`, and a text of blanks alone `\x20`),
 * inside it every blank but a lone space (`a \x20b`, `a\xa0b`), and what NFC would compose in a
 * text not in NFC (`Cafe\u0301`). A text that reads as one of our own notes shows its `(` escaped
 * (`\x28none)`), or it would pass for the note.
 */
export function textApart(text: string): string {
  const { start, end } = blankEnds(text, (unit) => spaceSeparator.test(unit));
  // Hint: what is shown apart gets its escape here, and the payload text between under the one
  // policy (escapeTerminal), so that a text holding `\x20` as written never reads as a blank. The
  // text between is kept as where it starts (`from`) and sliced when it ends, not built a
  // character at a time: that string of a 30 MB reason took summarise 2.4 GB (red team hR114).
  let shown = '';
  let from = -1;
  let blankBefore = false;
  const apart = (char: string, at: number) => {
    if (from >= 0) shown += escapeTerminal(text.slice(from, at));
    shown += readableEscape(char);
    from = -1;
    blankBefore = false;
  };
  // Hint: a browser draws a run of blanks as one, and every blank looks like a space.
  const keep = (char: string, at: number) => {
    const blank = spaceSeparator.test(char);
    if (blank && (blankBefore || char !== ' ')) apart(char, at);
    else if (from < 0) from = at;
    blankBefore = blank;
  };
  const each = (part: string, offset: number, take: (char: string, at: number) => void) => {
    for (let at = 0; at < part.length; ) {
      const char = String.fromCodePoint(part.codePointAt(at) as number);
      take(char, offset + at);
      at += char.length;
    }
  };
  each(text.slice(0, start), 0, apart);
  const middle = text.slice(start, end);
  if (!longMarkRun.test(text) && text.normalize('NFC') === text) {
    // Hint: most text has no blank but lone spaces, and every character of it is kept.
    if (blankApart.test(middle)) each(middle, start, keep);
    else if (middle !== '') from = start;
  } else {
    for (const { segment, index } of graphemeSegments(middle)) {
      // A cluster NFC leaves alone stays; of one it changes, the base stays when NFC keeps it. One
      // with a run of marks too long to normalise is taken as changed.
      const stays = !longMarkRun.test(segment) && segment.normalize('NFC') === segment;
      let first = true;
      each(segment, start + index, (c, at) => {
        if (stays || (first && !mark.test(c) && c.normalize('NFC') === c)) keep(c, at);
        else apart(c, at);
        first = false;
      });
    }
  }
  each(text.slice(end), end, apart);
  if (from >= 0) shown += escapeTerminal(text.slice(from, end));
  return readsAsOwnNote(shown) ? readableEscape(shown.charAt(0)) + shown.slice(1) : shown;
}
