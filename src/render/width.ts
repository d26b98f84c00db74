/**
 * How many terminal columns text takes, and where to cut it: wide characters (CJK, emoji) count
 * 2, and a cluster a terminal draws as one character (a family emoji, a flag) is never cut. Kept
 * apart from the colours, so the library (its code frame) reaches these and not chalk.
 */
import emojiRegex from 'emoji-regex';
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

/**
 * The number of terminal columns `text` takes: wide characters (CJK, emoji) count 2, escape codes
 * 0, as string-width counts them; a cluster longer than a window of `graphemeSegments` (a thousand
 * combining marks) counts once per window it spans.
 */
export function displayWidth(text: string): number {
  // Hint: most text is made of characters one column wide each (ASCII, accented Latin, Greek,
  // Cyrillic, our own · → │), where the width is the length; segmenting costs far more per call
  // on a multi-gigabyte export.
  if (narrowText.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemeSegments(stripAnsi(text))) width += graphemeWidth(segment);
  return width;
}

// Characters that are each exactly one column: no wide, combining or zero-width ones.
export const narrowText =
  /^[\u0020-\u007e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u257f]*$/;
const graphemeWidths = new Map<string, number>();

/** The number of terminal columns one grapheme cluster takes (0, 1 or 2), as string-width counts it. */
export function graphemeWidth(grapheme: string): number {
  let width = graphemeWidths.get(grapheme);
  if (width === undefined) {
    width = clusterWidth(grapheme);
    if (graphemeWidths.size < 10_000) graphemeWidths.set(grapheme, width);
  }
  return width;
}

// First code points that make a cluster zero columns wide: controls, zero-width characters and
// bidi marks, combining marks, lone surrogates, variation selectors.
const zeroWidthStarts = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x200b, 0x200f],
  [0xfeff, 0xfeff],
  [0x0300, 0x036f],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x20d0, 0x20ff],
  [0xfe20, 0xfe2f],
  [0xd800, 0xdfff],
  [0xfe00, 0xfe0f],
] as const;
const defaultIgnorable = /^\p{Default_Ignorable_Code_Point}$/u;

// Hint: string-width's rule for each cluster, without string-width: it makes an Intl.Segmenter
// when it loads, and the first Intl object of a process loads ICU data (see bench/RESULTS.md,
// "Figures behind code comments"), which text without joining characters never needs.
// width.test.ts holds the two equal.
function clusterWidth(cluster: string): number {
  const first = cluster.codePointAt(0) ?? 0;
  if (zeroWidthStarts.some(([low, high]) => first >= low && first <= high)) return 0;
  if (defaultIgnorable.test(cluster)) return 0;
  return emojiRegex().test(cluster) ? 2 : eastAsianWidth(first);
}

// Made on first use, for the same reason.
let graphemes: Intl.Segmenter | undefined;
// Characters segmented at a time: V8's segmenter slows down with the length of the string it
// iterates (quadratic: 96k CJK characters in one go take ~19 s), so long text is fed in windows.
const segmentWindow = 1024;
// Code points that join the one before into a cluster (combining marks, ZWJ, ZWNJ, variation
// selectors, emoji modifiers, tags, the halfwidth voiced marks, Thai and Lao SARA AM), the one after
// (Prepend: Arabic number signs, Malayalam dot reph, some Brahmi-derived scripts, CR before LF), or
// pair up (regional indicators, Hangul jamo, Kirat Rai vowel signs). Hint: width.test.ts checks
// each against the segmenter.
const joiningCharacters =
  /\p{M}|\u200c|\u200d|[\ufe00-\ufe0f\u0e33\u0eb3\uff9e\uff9f\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u{16d63}\u{16d67}-\u{16d6a}\u{1f1e6}-\u{1f1ff}\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]|[\r\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e\u{110bd}\u{110cd}\u{111c2}\u{111c3}\u{113d1}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{11d46}\u{11f02}]/u;

/**
 * The grapheme clusters of `text` with their offsets, in time linear in its length: each window
 * gives all its clusters but the last, which may continue past the window, and the next window
 * starts where that cluster does.
 */
export function* graphemeSegments(text: string): Generator<{ segment: string; index: number }> {
  if (!joiningCharacters.test(text)) {
    // Hint: without joining characters every code point is a cluster of its own; the segmenter
    // costs too much per cluster for a transcript of megabytes.
    let index = 0;
    for (const segment of text) {
      yield { segment, index };
      index += segment.length;
    }
    return;
  }
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + segmentWindow);
    // Hint: a window never ends between the halves of a surrogate pair: a lone half is a cluster of
    // its own, so the cluster before it (an emoji before its skin tone) would end there too.
    const lastUnit = text.charCodeAt(end - 1);
    if (end < text.length && lastUnit >= 0xd800 && lastUnit <= 0xdbff) end--;
    let last: { segment: string; index: number } | undefined;
    for (const { segment, index } of graphemes.segment(text.slice(start, end))) {
      if (last) yield last;
      last = { segment, index: start + index };
    }
    if (!last) return;
    if (end === text.length) {
      yield last;
      return;
    }
    // Hint: a window that is one cluster long (thousands of combining marks) still moves on.
    start = last.index > start ? last.index : end;
    if (start === end) yield last;
  }
}

/**
 * The longest start of `text` (no escape codes) at most `width` columns wide, cut between the
 * characters a terminal draws (a family emoji, a flag, a skin tone stay whole).
 */
export function prefixOfWidth(text: string, width: number): string {
  // Hint: only text of one-column characters may be cut by length: `a😀b` is as wide as it is long.
  if (narrowText.test(text)) return text.slice(0, width);
  let used = 0;
  for (const { segment, index } of graphemeSegments(text)) {
    used += graphemeWidth(segment);
    if (used > width) return text.slice(0, index);
  }
  return text;
}

/** The longest end of `text` (no escape codes) at most `width` columns wide, cut between the characters a terminal draws. */
export function suffixOfWidth(text: string, width: number): string {
  if (narrowText.test(text)) return text.slice(Math.max(0, text.length - width));
  const segments = [...graphemeSegments(text)];
  let used = 0;
  for (let at = segments.length - 1; at >= 0; at--) {
    const { segment, index } = segments[at] as { segment: string; index: number };
    used += graphemeWidth(segment);
    if (used > width) return text.slice(index + segment.length);
  }
  return text;
}
