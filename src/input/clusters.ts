/**
 * Where text may be cut without cutting a character as a reader sees it: its grapheme clusters (a
 * family emoji, a flag, an emoji and its skin tone, a letter and its accents). Kept apart from the
 * widths a terminal draws them in (render/width.ts), and with no imports, so that reading input
 * (a problem's excerpt) reaches these and no renderer.
 */

// Made on first use: the first Intl object of a process loads ICU data, which text without joining
// characters never needs.
let graphemes: Intl.Segmenter | undefined;
// Characters segmented at a time: V8's segmenter slows down with the length of the string it
// iterates (quadratic: 96k CJK characters in one go take ~19 s), so long text is fed in windows.
const segmentWindow = 1024;
// Hint: how far before a window's end a segment may change with what follows: a dictionary splits
// a word the window cuts short (คอม|พิวเตอร์) and may choose the words before it differently too.
const segmentContext = 64;
// Code points that join the one before into a cluster (combining marks, ZWJ, ZWNJ, variation
// selectors, emoji modifiers, tags, the halfwidth voiced marks, Thai and Lao SARA AM), the one after
// (CR before LF, and Prepend, `prepended`: Arabic number signs, Malayalam dot reph, some
// Brahmi-derived scripts), or pair up (regional indicators, Hangul jamo, Kirat Rai vowel signs).
// Hint: width.test.ts checks each against the segmenter.
const prepended =
  /[\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e\u{110bd}\u{110cd}\u{111c2}\u{111c3}\u{113d1}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{11d46}\u{11f02}]/u;
const joiningCharacters = new RegExp(
  String.raw`\p{M}|\u200c|\u200d|[\ufe00-\ufe0f\u0e33\u0eb3\uff9e\uff9f\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u{16d63}\u{16d67}-\u{16d6a}\u{1f1e6}-\u{1f1ff}\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]|\r|${prepended.source}`,
  'u',
);

/** The grapheme clusters of `text` with their offsets, in time linear in its length. */
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
  yield* windowedSegments(graphemes, text);
}

/**
 * `ranges` of `text` ([start, end) offsets, in order and apart, as `findMatches` gives them) each
 * widened to whole grapheme clusters, ranges that come to touch joined into one: what `--grep`
 * highlights, so that no colour code falls inside a cluster (a family emoji, a flag, a letter and
 * its accent), which a terminal would then draw apart.
 */
export function wholeClusters(text: string, ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const joined: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    const range: [number, number] = [clusterBoundary(text, start), clusterBoundary(text, end, true)];
    const last = joined.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else joined.push(range);
  }
  return joined;
}

/**
 * `offset` of `text` moved to a boundary between grapheme clusters, where text may be cut and
 * keep every character a terminal draws whole (a flag, a family emoji, an emoji and its skin tone,
 * a letter and its accents): back to the start of the cluster it falls inside, or on to its end
 * (`forward`); an offset between two clusters stays. Only the clusters next to it are segmented,
 * so a cut costs as little in a line of megabytes; in a cluster longer than `segmentWindow` (a
 * thousand combining marks) it is moved to a code point, as `graphemeSegments` cuts such a one.
 */
export function clusterBoundary(text: string, offset: number, forward = false): number {
  if (offset <= 0) return 0;
  if (offset >= text.length) return text.length;
  const at = insidePair(text, offset) ? offset - 1 : offset;
  let start: number;
  // Hint: a flag is a pair of regional indicators counted from the start of their run, however
  // long (UAX #29, GB12): the run's length says where the pairs fall, with no segmenter.
  if (isRegionalIndicator(text, at) && isRegionalIndicator(text, at - 2)) {
    let before = 1;
    while (isRegionalIndicator(text, at - 2 * (before + 1))) before++;
    // Hint: the run's first flag may have a prepended character before it (GB9b).
    start = before % 2 === 0 ? at : before === 1 ? knownBoundaryBefore(text, at - 2) : at - 2;
  } else start = knownBoundaryBefore(text, at);
  if (start === offset) return offset;
  // Hint: a cluster's start depends on nothing after it, so only its end may need more text.
  for (let reach = segmentContext; ; reach *= 4) {
    let end = Math.min(text.length, offset + reach);
    if (insidePair(text, end)) end++;
    for (const { segment, index } of graphemeSegments(text.slice(start, end))) {
      const from = start + index;
      const to = from + segment.length;
      if (to <= offset) continue;
      if (from === offset || !forward) return from;
      if (to < end || end === text.length || reach >= segmentWindow) return to;
      break;
    }
  }
}

/**
 * Where the first cluster of `text` that is surely whole begins, `text` being cut from a longer
 * text at a place not known to be a cluster boundary (the bytes kept around a problem): its start
 * when that is printable ASCII, else after the first code point a cluster surely ends after
 * (`endsCluster`), so that text shown from there holds no part of a character (a skin tone without
 * its emoji, the second half of a flag, which would pair with the next one's first); in a cluster
 * longer than `segmentWindow`, a code point there.
 */
export function wholeClusterStart(text: string): number {
  // Hint: nothing joins a printable ASCII character to what stands before it but a prepended
  // character (GB9b), which is rare, and most of them are shown escaped (see render/escape.ts).
  if (/^[\u0020-\u007e]/.test(text)) return 0;
  const limit = Math.min(text.length, segmentWindow);
  let at = 0;
  let before = String.fromCodePoint(text.codePointAt(0) ?? 0);
  while (at < limit) {
    const next = at + before.length;
    if (next >= text.length) return text.length;
    const after = String.fromCodePoint(text.codePointAt(next) ?? 0);
    if (endsCluster(before, after)) return next;
    before = after;
    at = next;
  }
  return at;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;
// Whether `at` falls between the halves of a surrogate pair.
const insidePair = (text: string, at: number) =>
  isHighSurrogate(text.charCodeAt(at - 1)) && isLowSurrogate(text.charCodeAt(at));
// U+1F1E6–U+1F1FF, as UTF-16 at `at`.
const isRegionalIndicator = (text: string, at: number) =>
  at >= 0 && text.charCodeAt(at) === 0xd83c && text.charCodeAt(at + 1) >= 0xdde6 && text.charCodeAt(at + 1) <= 0xddff;
// What joins a character after it that joins nothing itself: a prepended one (GB9b), CR (before
// LF), ZWJ (before a pictograph, GB11) and a leading jamo (before a syllable, GB6).
const joinsAnyNext = new RegExp(String.raw`${prepended.source}|[\r\u200d\u1100-\u115f\ua960-\ua97f]`, 'u');
// The blocks of the scripts whose consonants join a virama and the marks after it (GB9c): Devanagari to Malayalam.
const conjunctScripts = /^[\u0900-\u0dff]/;
const regionalIndicator = /^[\u{1f1e6}-\u{1f1ff}]/u;

/**
 * Whether a cluster surely ends between the code points `before` and `after`, whatever stands
 * around them (UAX #29): as `graphemeSegments` reads text without joining characters, where
 * neither joins the other; before CR, and before a prepended character or the first of a run of
 * regional indicators, unless a prepended one stands before it; and where `before` joins what
 * precedes it but nothing after it, so that a run of letters and accents (`e\u0301`) or of emoji
 * and skin tones has one.
 */
function endsCluster(before: string, after: string): boolean {
  if (after === '\r') return true;
  if (prepended.test(after)) return !prepended.test(before);
  if (regionalIndicator.test(after)) return !prepended.test(before) && !regionalIndicator.test(before);
  if (joiningCharacters.test(after)) return false;
  return !joiningCharacters.test(before) || !(joinsAnyNext.test(before) || conjunctScripts.test(after));
}

/**
 * The nearest offset at or before `offset` (a code point's start) that is surely a cluster
 * boundary (`endsCluster`); else, `segmentWindow` code units back, a code point's start, where a
 * cluster that long is cut.
 */
function knownBoundaryBefore(text: string, offset: number): number {
  let at = offset;
  const limit = Math.max(0, at - segmentWindow);
  let after = String.fromCodePoint(text.codePointAt(at) ?? 0);
  while (at > limit) {
    const before = insidePair(text, at - 1) ? at - 2 : at - 1;
    const point = text.slice(before, at);
    if (endsCluster(point, after)) return at;
    after = point;
    at = before;
  }
  return at;
}

/**
 * The segments of `text` in windows, since V8 takes time quadratic in a string's length to segment
 * it whole (68,000 characters of Thai into words: 3 s). Each window gives the segments that end
 * at least `segmentContext` code units before its end, and the next window starts where the first
 * segment it held back does.
 */
export function* windowedSegments(
  segmenter: Intl.Segmenter,
  text: string,
): Generator<{ segment: string; index: number }> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + segmentWindow);
    // Hint: a window never ends between the halves of a surrogate pair: a lone half is a cluster of
    // its own, so the cluster before it (an emoji before its skin tone) would end there too.
    const lastUnit = text.charCodeAt(end - 1);
    if (end < text.length && lastUnit >= 0xd800 && lastUnit <= 0xdbff) end--;
    const settled = end === text.length ? end : end - segmentContext;
    let next = start;
    let held: { segment: string; index: number } | undefined;
    for (const { segment, index } of segmenter.segment(text.slice(start, end))) {
      held = { segment, index: start + index };
      if (held.index + segment.length > settled) break;
      yield held;
      next = held.index + segment.length;
      held = undefined;
    }
    if (!held) return;
    // Hint: a window that is one segment long (thousands of combining marks) still moves on.
    if (next === start) {
      yield held;
      next = held.index + held.segment.length;
    }
    start = next;
  }
}
