/** Small wording helpers the renderers share. */
import { ownNotes } from './escape.js';

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
