import fc from 'fast-check';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import { describe, expect, it } from 'vitest';
import { clusterBoundary, graphemeSegments, wholeClusterStart, wholeClusters } from '../input/clusters.js';
import {
  displayWidth,
  graphemeWidth,
  isRgiEmoji,
  narrowText,
  prefixOfWidth,
  suffixOfWidth,
  wordBreaks,
} from './width.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const segmentsOf = (text: string) => [...segmenter.segment(text)].map(({ segment, index }) => ({ segment, index }));

// Code points that join a neighbour into one cluster although they are no combining mark: Prepend
// (Arabic number signs, Malayalam dot reph, Brahmi-derived scripts), spacing marks that are letters
// (Thai and Lao SARA AM), ZWNJ, the halfwidth katakana voiced marks; and CR LF, one cluster.
const joiningNonMarks = [
  '\u0600',
  '\u0605',
  '\u06dd',
  '\u070f',
  '\u0890',
  '\u08e2',
  '\u0d4e',
  '\u0e33',
  '\u0eb3',
  '\u200c',
  '\uff9e',
  '\uff9f',
  '\u{110bd}',
  '\u{110cd}',
  '\u{111c2}',
  '\u{113d1}',
  '\u{1193f}',
  '\u{11941}',
  '\u{11a84}',
  '\u{11d46}',
  '\u{11f02}',
];

// Characters of every kind a terminal width depends on: ASCII, Latin with and without combining
// marks, CJK, Hangul syllables and jamo, Thai, Devanagari conjuncts, emoji with modifiers,
// variation selectors and ZWJ, flags, tags, keycaps, controls, zero-width and bidi marks, symbols
// of text presentation (our own glyphs among them), spacing marks.
const corpus = [
  ...'aZ 9~é',
  '\u0301',
  '\u0308',
  ...'漢字かナ가힣',
  '\u1100',
  '\u1161',
  '\u11a8',
  ...'กนำ',
  '\u0e49',
  'क',
  '\u094d',
  'ष',
  '\u{1f600}',
  '\u{1f44d}',
  '\u{1f3fd}',
  '\u200d',
  '\u{1f469}',
  '\u2764',
  '\ufe0f',
  '\ufe0e',
  '\u{1f1e6}',
  '\u{1f1fa}',
  '\u{1f3f4}',
  '\u{e0067}',
  '\u{e007f}',
  '\r',
  '\n',
  '\t',
  '\u0000',
  '\u001b',
  '\u009b',
  '\u007f',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2060',
  '\ufeff',
  '\u00ad',
  ...'✔✖⚠·→│─…©®↔♥☎▶#',
  '\u20e3',
  '#\u20e3',
  '\u093e',
  ...joiningNonMarks,
  '\u001b[1;31m',
  '\u001b[39m',
  '\u001b]8;;https://example.com\u0007',
  '\u009b0m',
];
const text = fc.array(fc.constantFrom(...corpus), { maxLength: 12 }).map((parts) => parts.join(''));
// Longer than two windows of the segmenter (1024 code units each), cut anywhere.
const longText = fc
  .tuple(fc.array(fc.constantFrom(...corpus), { minLength: 1, maxLength: 12 }), fc.nat(600))
  .map(([parts, cut]) => {
    const unit = parts.join('');
    return unit.repeat(Math.ceil(2700 / unit.length)).slice(cut);
  });

describe('graphemeSegments', () => {
  it.each(joiningNonMarks)('keeps %j in the cluster the segmenter puts it in', (character) => {
    const around = `a${character}a`;
    expect([...graphemeSegments(around)]).toEqual(segmentsOf(around));
  });

  it('keeps CR LF one cluster', () => {
    expect([...graphemeSegments('a\r\nb')]).toEqual(segmentsOf('a\r\nb'));
  });

  it('keeps a run of Kirat Rai vowel signs together, as the segmenter does', () => {
    // Hint: Unicode 16 made them Grapheme_Cluster_Break=V, which joins V to V as Hangul jamo do,
    // though they are letters (Lm), no marks: `a${vowel}a` alone does not show it.
    const vowels = '\u{16d63}\u{16d67}\u{16d68}\u{16d69}\u{16d6a}';
    expect([...graphemeSegments(`a${vowels}a`)]).toEqual(segmentsOf(`a${vowels}a`));
    expect(displayWidth(vowels)).toBe(stringWidth(vowels));
  });

  it('cuts the same clusters as the segmenter, for any mix of characters', () => {
    fc.assert(
      fc.property(text, (sample) => {
        expect([...graphemeSegments(sample)]).toEqual(segmentsOf(sample));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a skin tone with its emoji where a window of the segmenter ends inside the tone', () => {
    // The 1024th code unit is the first half of 🏽: a lone half ends no cluster the way 🏽 does.
    const long = `${'x'.repeat(1021)}👍🏽`;
    expect([...graphemeSegments(long)].at(-1)).toEqual({ segment: '👍🏽', index: 1021 });
    expect(prefixOfWidth(long, 1022)).toBe('x'.repeat(1021));
    expect(prefixOfWidth(long, 1023)).toBe(long);
  });

  it('never cuts Thai SARA AM from its consonant, and counts the pair one column', () => {
    // `กำ` is one cluster one column wide, as displayWidth counts it.
    expect(graphemeWidth('กำ')).toBe(1);
    expect(prefixOfWidth('กำกำ', 2)).toBe('กำกำ');
    expect(prefixOfWidth('กำกำ', 1)).toBe('กำ');
    expect(suffixOfWidth('กำกำ', 1)).toBe('กำ');
  });
});

describe('wordBreaks', () => {
  it('breaks a run longer than a window of the segmenter where the whole run breaks, never inside a word', () => {
    // A word cut by a window's end was split by the dictionary (คอม|พิวเตอร์, มาจากบ|ริษัท), and
    // the next window began inside it.
    const words = new Intl.Segmenter(undefined, { granularity: 'word' });
    const sentences = ['ผมโทรมาจากบริษัทประกันภัย', 'คอมพิวเตอร์', 'ภาษาไทยเป็นภาษาที่สวยงาม', 'โรงพยาบาล', 'ขอบคุณมากครับ'];
    for (let shift = 0; shift < 12; shift++) {
      const run = 'ค่ะ'.repeat(shift) + Array.from({ length: 80 }, (_, at) => sentences[(at * 7) % 5]).join('');
      // Hint: not at the run's ends, where a line begins or ends anyway.
      const whole = new Set([...words.segment(run)].map(({ index }) => index).filter((index) => index > 0));
      expect([...(wordBreaks(run) ?? [])].sort((a, b) => a - b)).toEqual([...whole].sort((a, b) => a - b));
    }
  });
});

describe('displayWidth and graphemeWidth count as string-width does', () => {
  it('for any mix of characters and escape codes', () => {
    fc.assert(
      fc.property(text, (sample) => {
        expect(displayWidth(sample)).toBe(stringWidth(sample));
      }),
      { numRuns: 3000 },
    );
  });

  it('for text longer than a window of the segmenter', () => {
    fc.assert(
      fc.property(longText, (sample) => {
        const clusters = [...segmenter.segment(sample)];
        // A cluster longer than a window (a thousand combining marks) is cut, as width.ts says; so
        // is one that only forms once the escape codes are gone (Prepend signs around `\u009b0m`).
        const fitsWindows = (of: string) => [...segmenter.segment(of)].every(({ segment }) => segment.length < 1024);
        fc.pre(fitsWindows(sample) && fitsWindows(stripAnsi(sample)));
        expect(displayWidth(sample)).toBe(stringWidth(sample));
        const starts = (segments: Iterable<{ index: number }>) => Array.from(segments, ({ index }) => index).join();
        expect(starts(graphemeSegments(sample))).toBe(starts(clusters));
      }),
      { numRuns: 25 },
    );
  });

  it('but once per window for a cluster the escape codes hid, longer than a window', () => {
    // Hint: 900 Kawi repha signs (Prepend) join into one cluster of 1800 code units once the
    // `\u009b0m` between them is stripped; string-width counts it once, a window at a time counts 2.
    const sample = '\u{11f02}\u009b0m'.repeat(900);
    expect(stringWidth(sample)).toBe(1);
    expect(displayWidth(sample)).toBe(2);
  });

  it('for every cluster of the corpus and every code point of the BMP (every 7th CJK ideograph), the emoji blocks and the tags', () => {
    // Hint: an escape code is many clusters (`\u001b`, `[`, `1`, ...), each compared on its own.
    for (const { segment } of corpus.flatMap(segmentsOf)) {
      expect(graphemeWidth(segment), JSON.stringify(segment)).toBe(stringWidth(segment));
    }
    const ideographs = range(0x3400, 0x9fff).filter((codePoint) => codePoint % 7 === 0);
    const codePoints = [
      range(0, 0x33ff),
      ideographs,
      range(0xa000, 0xffff),
      range(0x1f000, 0x1faff),
      range(0xe0000, 0xe01ef),
    ];
    for (const codePoint of codePoints.flat()) {
      const character = String.fromCodePoint(codePoint);
      if (graphemeWidth(character) !== stringWidth(character)) {
        expect(graphemeWidth(character), codePoint.toString(16)).toBe(stringWidth(character));
      }
    }
  });
});

describe('isRgiEmoji', () => {
  it('is /^\\p{RGI_Emoji}$/v, for each kind of emoji sequence and what is nearly one', () => {
    // biome-ignore lint/complexity/useRegexLiterals: tsc refuses the `v` flag below target ES2024.
    const rgi = new RegExp('^\\p{RGI_Emoji}$', 'v');
    const text = (...points: number[]) => String.fromCodePoint(...points);
    const single = [...range(0x20, 0x33ff), ...range(0x1f000, 0x1faff)];
    const tones = range(0x1f3fb, 0x1f3ff);
    const people = [0x1f468, 0x1f469, 0x1f9d1, 0x1f466, 0x1f467, 0x1f3c3, 0x1f46e, 0x1f937, 0x1f9d8, 0x26f9];
    // What ZWJ sequences join: genders, jobs, hair, hearts, families, and a few that are no emoji.
    const joined = [
      [0x2640, 0xfe0f],
      [0x2642, 0xfe0f],
      [0x2695, 0xfe0f],
      [0x2764, 0xfe0f],
      [0x1f525],
      [0x1f308],
      [0x2620, 0xfe0f],
      [0x1f5e8, 0xfe0f],
      [0x41],
      ...range(0x1f9af, 0x1f9bd).map((point) => [point]),
      ...[0x1f33e, 0x1f373, 0x1f393, 0x1f3a4, 0x1f4bb, 0x1f527, 0x1f680, 0x1f692].map((point) => [point]),
      ...[0x1f466, 0x1f467, 0x1f468, 0x1f469, 0x1f48b].map((point) => [point]),
    ];
    const bases = [
      ...people.flatMap((person) => [[person], ...tones.map((tone) => [person, tone])]),
      [0x1f3f3, 0xfe0f],
      [0x1f3f4],
      [0x1f441, 0xfe0f],
      [0x2764, 0xfe0f],
      [0x1f415],
    ];
    const candidates = [
      ...single.flatMap((point) => [
        text(point),
        text(point, 0xfe0f),
        text(point, 0x20e3),
        text(point, 0xfe0f, 0x20e3),
      ]),
      ...range(0x2600, 0x27bf)
        .concat(range(0x1f300, 0x1faff))
        .flatMap((point) => tones.map((tone) => text(point, tone))),
      ...range(0x1f1e6, 0x1f1ff).flatMap((first) => range(0x1f1e6, 0x1f1ff).map((second) => text(first, second))),
      ...['gbeng', 'gbsct', 'gbwls', 'usca'].map((tag) =>
        text(0x1f3f4, ...[...tag].map((letter) => 0xe0000 + letter.charCodeAt(0)), 0xe007f),
      ),
      ...bases.flatMap((base) => joined.map((part) => text(...base, 0x200d, ...part))),
      text(0x1f468, 0x200d, 0x1f469, 0x200d, 0x1f467, 0x200d, 0x1f466),
      text(0x1f9d1, 0x1f3fd, 0x200d, 0x1f91d, 0x200d, 0x1f9d1, 0x1f3ff),
    ];
    const differing = candidates.filter((cluster) => isRgiEmoji(cluster) !== rgi.test(cluster));
    expect(
      differing.map((cluster) => [...cluster].map((point) => point.codePointAt(0)?.toString(16)).join(' ')),
    ).toEqual([]);
    // The candidates hold emoji of every set, ZWJ sequences among them, or the test would prove little.
    const found = candidates.filter((cluster) => rgi.test(cluster));
    expect(found.length).toBeGreaterThan(2500);
    expect(found.filter((cluster) => cluster.includes('\u200d')).length).toBeGreaterThan(300);
  });
});

describe('narrowText', () => {
  it('accepts only characters one column wide, so its fast path counts as the clusters do', () => {
    // © ® ↔ passed it as 1 column each, yet counted 2 beside a wide character: `©漢` was 4.
    for (const codePoint of range(0, 0xffff)) {
      const character = String.fromCodePoint(codePoint);
      if (narrowText.test(character) && graphemeWidth(character) !== 1) {
        expect(graphemeWidth(character), codePoint.toString(16)).toBe(1);
      }
    }
    expect(displayWidth('©漢')).toBe(3);
  });
});

describe('wholeClusters', () => {
  it('widens ranges to whole grapheme clusters, joining those that come to touch', () => {
    expect(
      wholeClusters('a 🇦🇺🇦🇺 b', [
        [4, 6],
        [6, 8],
      ]),
    ).toEqual([[2, 10]]);
    expect(wholeClusters('cafe\u0301s', [[4, 5]])).toEqual([[3, 5]]);
    expect(
      wholeClusters('plain text', [
        [1, 3],
        [5, 6],
      ]),
    ).toEqual([
      [1, 3],
      [5, 6],
    ]);
  });

  it('ends every range on a cluster boundary, covering what it was given and nothing between ranges', () => {
    const pieces = ['a', 'e\u0301', '👨\u200d👩\u200d👧', '🇦🇺', '👍🏽', '한', '\u1100\u1161', ' ', '\r\n'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (parts, raw) => {
          const text = parts.join('');
          // Code point offsets, sorted and apart, paired into ranges.
          const points = [
            ...new Set([...text].map((_, i) => [...text].slice(0, i).join('').length).concat(text.length)),
          ];
          const cuts = [...new Set(raw.map((n) => points[n % points.length] as number))].sort((a, b) => a - b);
          const ranges: Array<[number, number]> = [];
          for (let i = 0; i + 1 < cuts.length; i += 2) ranges.push([cuts[i] as number, cuts[i + 1] as number]);
          const bounds = new Set([...segmentsOf(text).map(({ index }) => index), text.length]);
          const widened = wholeClusters(text, ranges);
          for (const [start, end] of widened) {
            expect(bounds.has(start) && bounds.has(end)).toBe(true);
          }
          widened.slice(1).forEach(([start], i) => {
            expect(start).toBeGreaterThan((widened[i] as [number, number])[1]);
          });
          for (const [start, end] of ranges) {
            expect(widened.some(([from, to]) => from <= start && end <= to)).toBe(true);
          }
          // Nothing but the clusters a range touches: every widened range starts in the cluster of a given start.
          for (const [start] of widened) {
            expect(ranges.some(([from]) => from >= start && ![...bounds].some((b) => b > start && b <= from))).toBe(
              true,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('clusterBoundary', () => {
  it('moves an offset to the start or the end of the cluster the segmenter puts it in', () => {
    fc.assert(
      fc.property(fc.oneof(text, longText), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (sample, picks) => {
        const starts = segmentsOf(sample).map(({ index }) => index);
        for (const pick of picks) {
          const offset = pick % (sample.length + 1);
          const cluster = starts.findLastIndex((index) => index <= offset);
          const [start, next] = [starts[cluster] ?? 0, starts[cluster + 1] ?? sample.length];
          // A cluster longer than a window (a thousand marks) is cut at a code point, not asked here.
          if (next - start > 1024) continue;
          const expected = start === offset || offset === sample.length ? [offset, offset] : [start, next];
          expect([clusterBoundary(sample, offset), clusterBoundary(sample, offset, true)], `${offset}`).toEqual(
            expected,
          );
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('pairs a long run of flags from its start, and looks no further than a window for another cluster', () => {
    const flags = `x${'🇦🇺'.repeat(5000)}`;
    expect(clusterBoundary(flags, 1 + 4 * 2000 + 2)).toBe(1 + 4 * 2000);
    expect(clusterBoundary(flags, 1 + 4 * 2000 + 2, true)).toBe(1 + 4 * 2001);
    expect(clusterBoundary(flags, 1 + 4 * 2000 + 3)).toBe(1 + 4 * 2000);
    // A thousand marks on one letter: a cluster longer than a window is cut at a code point.
    const marks = `a${'\u0301'.repeat(5000)}`;
    expect(clusterBoundary(marks, 3000)).toBeGreaterThanOrEqual(3000 - 1024);
  });
});

describe('wholeClusterStart', () => {
  it('finds a cluster boundary of the whole text in text cut from it anywhere', () => {
    const pieces = ['a', '{', 'e\u0301', '👨\u200d👩\u200d👧', '🇦🇺', '👍🏽', '한', '\u1100\u1161', 'क\u094dष', '\r\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), fc.nat(), (parts, at) => {
        const whole = parts.join('');
        const points = [...whole];
        const cut = points.slice(0, at % (points.length + 1)).join('').length;
        const bounds = new Set([...segmentsOf(whole).map(({ index }) => index), whole.length]);
        expect(bounds.has(cut + wholeClusterStart(whole.slice(cut))), `${cut}`).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('wordBreaks on a run longer than a regular expression can repeat over', () => {
  it('finds where a run of 9 million Thai characters begins after a word', () => {
    // Hint: V8 keeps a backtracking entry for each character a `u` class repeats over, and threw
    // "Maximum call stack size exceeded" past about 8 million of them.
    const breaks = wordBreaks(`ab${'\u0e51'.repeat(9_000_000)}`);
    expect(breaks?.has(2)).toBe(true);
  });
});
