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
// (Prepend: Arabic number signs, Malayalam dot reph, some Brahmi-derived scripts, CR before LF), or
// pair up (regional indicators, Hangul jamo, Kirat Rai vowel signs). Hint: width.test.ts checks
// each against the segmenter.
const joiningCharacters =
  /\p{M}|\u200c|\u200d|[\ufe00-\ufe0f\u0e33\u0eb3\uff9e\uff9f\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u{16d63}\u{16d67}-\u{16d6a}\u{1f1e6}-\u{1f1ff}\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]|[\r\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e\u{110bd}\u{110cd}\u{111c2}\u{111c3}\u{113d1}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{11d46}\u{11f02}]/u;

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
  const widened: Array<[number, number]> = ranges.map(([start, end]) => [start, end]);
  // Hint: without joining characters every code point is a cluster, and a match never splits one.
  if (widened.length === 0 || !joiningCharacters.test(text)) return widened;
  const offsets = 2 * widened.length;
  // Hint: the ranges' offsets (start, end, start, ...) and the clusters both run forward through
  // the text, so one pass over each moves every offset that falls inside a cluster to its edge.
  let next = 0;
  for (const { segment, index } of graphemeSegments(text)) {
    const end = index + segment.length;
    for (; next < offsets; next++) {
      const range = widened[Math.floor(next / 2)] as [number, number];
      const side = next % 2;
      if ((range[side] as number) >= end) break;
      if ((range[side] as number) > index) range[side] = side === 0 ? index : end;
    }
    // Hint: the clusters past the last match are not walked (a segmenter step each, to the end
    // of what may be a long transcript).
    if (next === offsets) break;
  }
  const joined: Array<[number, number]> = [];
  for (const range of widened) {
    const last = joined.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else joined.push(range);
  }
  return joined;
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
