/**
 * How many terminal columns text takes, and where to cut it: wide characters (CJK, emoji) count
 * 2, and a cluster a terminal draws as one character (a family emoji, a flag) is never cut. Kept
 * apart from the colours, so the library (its code frame) reaches these and not chalk.
 */
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';
import { graphemeSegments, windowedSegments } from '../input/clusters.js';

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

/** The number of terminal columns one grapheme cluster takes (0, 1 or 2; more with unpaired jamo or spacing marks), as string-width counts it. */
export function graphemeWidth(grapheme: string): number {
  let width = graphemeWidths.get(grapheme);
  if (width === undefined) {
    width = clusterWidth(grapheme);
    if (graphemeWidths.size < 10_000) graphemeWidths.set(grapheme, width);
  }
  return width;
}

// Characters a terminal draws: no controls, zero-width or bidi marks, combining marks, lone surrogates.
const visibleCharacter =
  /[^\p{Default_Ignorable_Code_Point}\p{Control}\p{Format}\p{Nonspacing_Mark}\p{Enclosing_Mark}\p{Surrogate}]/gu;
// Hint: every RGI emoji holds a character of emoji presentation or a U+FE0F (UTS #51: they are
// fully qualified), so text without either never builds a pattern below.
const mayBeEmoji = /\p{Emoji_Presentation}|\ufe0f/u;
const emojiModifier = /[\u{1f3fb}-\u{1f3ff}]/u;
// Hint: RGI_Emoji is the union of six sets (UTS #51, ED-27), built here apart because one pattern
// of all of them takes ~90 ms to build, the ZWJ sequences alone ~55, the modifier sequences ~13,
// the other four ~7 (2026-12-04). Only ZWJ sequences hold a U+200D and only modifier sequences
// (and a modifier alone, a basic emoji) a skin tone, so each cluster needs at most two of them.
let rgiZwjSequence: RegExp | undefined;
let rgiModifierSequence: RegExp | undefined;
let rgiOtherEmoji: RegExp | undefined;
/** Whether one grapheme cluster is an emoji of UTS #51's RGI set: `/^\p{RGI_Emoji}$/v`, as string-width tests it. */
export function isRgiEmoji(cluster: string): boolean {
  if (!mayBeEmoji.test(cluster)) return false;
  // biome-ignore-start lint/complexity/useRegexLiterals: tsc refuses the `v` flag, which these sets need, below target ES2024.
  if (cluster.includes('\u200d')) {
    rgiZwjSequence ??= new RegExp('^\\p{RGI_Emoji_ZWJ_Sequence}$', 'v');
    return rgiZwjSequence.test(cluster);
  }
  if (emojiModifier.test(cluster)) {
    rgiModifierSequence ??= new RegExp('^\\p{RGI_Emoji_Modifier_Sequence}$', 'v');
    if (rgiModifierSequence.test(cluster)) return true;
  }
  rgiOtherEmoji ??= new RegExp(
    '^[\\p{Basic_Emoji}\\p{Emoji_Keycap_Sequence}\\p{RGI_Emoji_Flag_Sequence}\\p{RGI_Emoji_Tag_Sequence}]$',
    'v',
  );
  // biome-ignore-end lint/complexity/useRegexLiterals: as above
  return rgiOtherEmoji.test(cluster);
}
const pictographic = /\p{Extended_Pictographic}/gu;
// Characters after the first of a cluster that take columns of their own: spacing marks and the
// halfwidth and fullwidth forms (the halfwidth katakana voiced marks).
const widthAfterFirst = /^[\p{Spacing_Mark}\uff00-\uffef]$/u;
const isLeadingJamo = (point = 0) => (point >= 0x1100 && point <= 0x115f) || (point >= 0xa960 && point <= 0xa97c);
const isVowelJamo = (point = 0) => (point >= 0x1160 && point <= 0x11a7) || (point >= 0xd7b0 && point <= 0xd7c6);
const isTrailingJamo = (point = 0) => (point >= 0x11a8 && point <= 0x11ff) || (point >= 0xd7cb && point <= 0xd7fb);

// Hint: string-width's rule for each cluster, without string-width: it makes an Intl.Segmenter
// when it loads, and the first Intl object of a process loads ICU data (see bench/RESULTS.md,
// "Figures behind code comments"), which text without joining characters never needs.
// width.test.ts holds the two equal. An emoji is 2 columns, also one missing its U+FE0F that still
// joins pictographs or makes a keycap; a symbol that is text unless U+FE0F follows (✔ ⚠ © ↔) is
// as wide as its East Asian Width says, as terminals draw it.
function clusterWidth(cluster: string): number {
  const points = Array.from(cluster.match(visibleCharacter) ?? [], (character) => character.codePointAt(0) ?? 0);
  const [first] = points;
  if (first === undefined) return 0;
  // Hint: pictographs joined are 2 columns whether or not the sequence is RGI; asked first, a family
  // emoji never builds the pattern of the ZWJ sequences.
  if (cluster.includes('\u200d') && cluster.length <= 50 && (cluster.match(pictographic)?.length ?? 0) >= 2) return 2;
  if (isRgiEmoji(cluster) || /^[\d#*]\u20e3$/.test(cluster)) return 2;
  if (!isLeadingJamo(first) && !isVowelJamo(first) && !isTrailingJamo(first)) {
    let width = eastAsianWidth(first);
    for (const point of points.slice(1)) {
      if (widthAfterFirst.test(String.fromCodePoint(point))) width += eastAsianWidth(point);
    }
    return width;
  }
  // Hint: a leading and a vowel jamo (and a trailing one) make one syllable block; others add up.
  let width = 0;
  for (let at = 0; at < points.length; at++) {
    const point = points[at] ?? 0;
    if (isLeadingJamo(point) && isVowelJamo(points[at + 1])) {
      width += 2;
      at += isTrailingJamo(points[at + 2]) ? 2 : 1;
    } else width += eastAsianWidth(point);
  }
  return width;
}

/**
 * Whether a line may break before and after `cluster` with no space there: a character East Asian
 * Width calls wide (Han, kana, Hangul, fullwidth forms, CJK punctuation) or an emoji, as UAX #14
 * breaks its ideographs. Hint: not every cluster two columns wide: a consonant and its spacing
 * vowel sign (Devanagari वा, Bengali কা) are, and are part of a word written between spaces.
 */
export function breaksAround(cluster: string): boolean {
  return eastAsianWidth(cluster.codePointAt(0) ?? 0) === 2 || (graphemeWidth(cluster) >= 2 && isEmoji(cluster));
}

const isEmoji = (cluster: string) =>
  isRgiEmoji(cluster) || /^[\d#*]\u20e3$/.test(cluster) || /^\p{Extended_Pictographic}/u.test(cluster);

let words: Intl.Segmenter | undefined;
// The scripts written without spaces between words, which only a dictionary can break (CJK
// breaks between any two characters, so it needs none): where a run of them starts, and where it
// ends. Hint: one character each, not `[…]+`: V8 keeps a backtracking entry for each character a
// `u` class repeats over, and a run of 8 million overflowed its stack.
const spacelessScripts = String.raw`\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}`;
const spacelessStart = new RegExp(`[${spacelessScripts}]`, 'gu');
const spacelessEnd = new RegExp(`[^${spacelessScripts}]`, 'gu');

// Hint: a run of those scripts breaks from a word of other letters or digits next to it (a URL),
// never from punctuation or a symbol: "(", a quote, "@" stay with the word they are written to.
const wordBefore = /[\p{L}\p{M}\p{N}]$/u;
const wordAfter = /^[\p{L}\p{M}\p{N}]/u;

/**
 * Where a line may break inside `text` that has no spaces: the offsets at which a word of Thai,
 * Lao, Khmer or Burmese begins or ends, or none for text with none of them (which then loads no ICU
 * data). Other text in the same run (a URL, a number) is not broken.
 */
export function wordBreaks(text: string): Set<number> | undefined {
  let starts: Set<number> | undefined;
  spacelessStart.lastIndex = 0;
  for (let first = spacelessStart.exec(text); first !== null; first = spacelessStart.exec(text)) {
    words ??= new Intl.Segmenter(undefined, { granularity: 'word' });
    starts ??= new Set();
    const from = first.index;
    spacelessEnd.lastIndex = from;
    const end = spacelessEnd.exec(text)?.index ?? text.length;
    for (const { index } of windowedSegments(words, text.slice(from, end))) {
      if (index > 0 || wordBefore.test(text.slice(Math.max(0, from - 2), from))) starts.add(from + index);
    }
    if (wordAfter.test(text.slice(end, end + 2))) starts.add(end);
    spacelessStart.lastIndex = end;
  }
  return starts;
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
