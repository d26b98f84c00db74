import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  blankEnds,
  displayWidth,
  escapeJsonForTerminal,
  prefixOfWidth,
  suffixOfWidth,
  type TextSpan,
  type WrapOptions,
  wrapSpans,
} from './terminal.js';

const plain = (line: string) => line.replace(/\u001b\[[0-9;]*m/g, '');
/** One piece of unstyled text, wrapped. */
const wrapText = (text: string, options: WrapOptions) => wrapSpans([{ text }], options);

describe('wrapSpans on plain text', () => {
  test('breaks at spaces and indents the following lines', () => {
    expect(
      wrapText('the quick brown fox jumps over the lazy dog', { width: 16, indent: '  ', firstIndent: '' }),
    ).toEqual(['the quick brown', '  fox jumps over', '  the lazy dog']);
  });

  test('never breaks inside a kept span: a count stays with its noun', () => {
    const spans = [{ text: 'POST /hook  ' }, { text: '12 events', keep: true }, { text: ' (' }];
    spans.push(
      { text: '10 CallComplete', keep: true },
      { text: ', ' },
      { text: '2 SMSSent', keep: true },
      { text: ')' },
    );
    expect(wrapSpans(spans, { width: 20, indent: '  ', firstIndent: '' })).toEqual([
      'POST /hook',
      '  12 events',
      '  (10 CallComplete,',
      '  2 SMSSent)',
    ]);
    // Unless it is wider than a line: then the width wins, and it breaks as any text does.
    expect(wrapSpans(spans, { width: 12, indent: '  ', firstIndent: '' })).toEqual([
      'POST /hook',
      '  12 events',
      '  (10',
      '  CallComplete,',
      '  2 SMSSent)',
    ]);
  });

  test('counts wide characters as two columns and breaks CJK text between characters', () => {
    const lines = wrapText('我想和真人客服通话因为我的账单有问题', { width: 12 });
    expect(lines).toEqual(['我想和真人客', '服通话因为我', '的账单有问题']);
    for (const line of lines) expect(displayWidth(line)).toBe(12);
  });

  test('breaks Thai, Lao, Khmer and Burmese, written without spaces, between words', () => {
    // One Thai sentence with no space in it: 53 columns, so it must break to fit 20.
    const thai = 'ผมโทรมาจากบริษัทประกันภัยเพื่อยืนยันการนัดหมายของคุณในวันพรุ่งนี้ค่ะ';
    const lines = wrapText(thai, { width: 20 });
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(20);
    expect(lines.join('')).toBe(thai);
    // Each break falls between two of the words a Thai reader sees, never inside one.
    const words = [...new Intl.Segmenter('th', { granularity: 'word' }).segment(thai)].map((w) => w.index);
    let at = 0;
    for (const line of lines.slice(0, -1)) {
      at += line.length;
      expect(words).toContain(at);
    }
    for (const text of [
      'ຂ້ອຍຢາກລົມກັບພະນັກງານແທ້ໆກ່ຽວກັບໃບບິນຂອງຂ້ອຍ',
      'ខ្ញុំចង់និយាយជាមួយបុគ្គលិកពិតប្រាកដអំពីវិក្កយបត្ររបស់ខ្ញុំ',
      'ကျွန်ုပ်သည်ငွေတောင်းခံလွှာအကြောင်းဝန်ထမ်းနှင့်စကားပြောလိုပါသည်',
    ]) {
      const wrapped = wrapText(text, { width: 20 });
      expect(wrapped.length).toBeGreaterThan(1);
      for (const line of wrapped) expect(displayWidth(line)).toBeLessThanOrEqual(20);
      expect(wrapped.join('')).toBe(text);
    }
    // Other text in the same run stays as it would be anywhere: a URL is not broken at its slashes.
    const url = 'https://example.com/a/very/long/path';
    expect(wrapText(`ดูที่${url}ค่ะ`, { width: 20 })).toEqual(['ดูที่', url, 'ค่ะ']);
  });

  test('breaks Devanagari and Bengali only at spaces, never inside a word', () => {
    // A consonant and its vowel sign (वा: व + ा) are two columns, and every two-column cluster was
    // taken for CJK and broken after: "वापस" was cut into "वा" and "पस", a space just before it.
    for (const text of [
      'नमस्ते मैं आपसे बात करना चाहता हूँ कृपया मुझे वापस कॉल करें',
      'নমস্কার আমি আপনার সাথে কথা বলতে চাই দয়া করে আমাকে আবার কল করুন',
    ]) {
      for (let width = 10; width <= 50; width++) {
        const lines = wrapText(text, { width });
        expect(lines.join(' ')).toBe(text);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      }
    }
    expect(wrapText('कृपया मुझे वापस कॉल करें', { width: 11 })).toEqual(['कृपया मुझे', 'वापस कॉल करें']);
    // A word wider than the line (11 columns) stays whole, as a URL does.
    expect(wrapText('अंतर्राष्ट्रीयकरणों है', { width: 10 })).toEqual(['अंतर्राष्ट्रीयकरणों', 'है']);
  });

  test('still breaks between CJK characters and between emoji written without spaces', () => {
    expect(wrapText('我想和真人客服通话', { width: 10 })).toEqual(['我想和真人', '客服通话']);
    expect(wrapText('こんにちはカタカナ한국어입니다', { width: 10 })).toEqual([
      'こんにちは',
      'カタカナ한',
      '국어입니다',
    ]);
    expect(wrapText('ｗｉｄｅ、ｆｕｌｌ', { width: 10 })).toEqual(['ｗｉｄｅ、', 'ｆｕｌｌ']);
    expect(wrapText('👍👍👍👍👍👍👍👍👍❤️❤️🇦🇺🇦🇺🇦🇺🇦🇺🇦🇺', { width: 10 })).toEqual([
      '👍👍👍👍👍',
      '👍👍👍👍❤️',
      '❤️🇦🇺🇦🇺🇦🇺🇦🇺',
      '🇦🇺',
    ]);
  });

  test('never ends a line with opening punctuation', () => {
    expect(wrapText('谢谢你的(帮助', { width: 10 })).toEqual(['谢谢你的', '(帮助']);
    expect(wrapText('谢谢你的「帮助」', { width: 10 })).toEqual(['谢谢你的', '「帮助」']);
    expect(wrapText('ありがとう“本当に”', { width: 11 })).toEqual(['ありがとう', '“本当に”']);
    // Nor does an opening mark lose what it opens when a closing one follows at once.
    expect(wrapText('谢谢你的「」帮助', { width: 10 })).toEqual(['谢谢你的', '「」帮助']);
    const piece = fc.constantFrom(
      '谢',
      '你',
      'ア',
      'a',
      'b',
      '1',
      '(',
      '「',
      '“',
      '《',
      ')',
      '」',
      '”',
      '。',
      '\\e',
      '[',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 10, max: 30 }),
        (parts, width) => {
          const text = parts.join('');
          const lines = wrapText(text, { width });
          expect(lines.join('')).toBe(text);
          for (const line of lines.slice(0, -1)) expect(line).not.toMatch(/[(「“《]$/u);
        },
      ),
    );
  });

  test('never starts a line with closing punctuation', () => {
    expect(wrapText('谢谢你的帮助。真的！', { width: 12 })).toEqual(['谢谢你的帮', '助。真的！']);
    expect(wrapText('"ありがとう"', { width: 11 })).toEqual(['"ありがと', 'う"']);
  });

  test('breaks no Thai word from the punctuation next to it: no line ends in "(", an opening quote or "@"', () => {
    // A break was made wherever a Thai run began or ended, so "ไป(" ended a line and "ที่บ้าน)"
    // began the next, and "ติดต่อ@" was cut from "somchai".
    const text = 'เขาพูดว่า"สวัสดีครับ"แล้วก็ไป(ที่บ้าน)ติดต่อ@somchai';
    for (let width = 10; width <= 40; width++) {
      const lines = wrapText(text, { width });
      expect(lines.join('')).toBe(text);
      for (const line of lines) expect(line, `${width}: ${lines.join(' | ')}`).not.toMatch(/[(@]$|ว่า"$/);
    }
  });

  test('keeps an escaped control character whole after Thai or CJK: its backslash closes nothing', () => {
    // A break falls where each Thai word ends; the "\" of "\e[2J" stayed with the word before it,
    // and the rest of the escape went to the next line.
    expect(wrapText('ผมโทรมาจากบริษัทประกันภัย\\e[2Jเพื่อยืนยัน', { width: 24 })).toEqual([
      'ผมโทรมาจากบริษัทประกัน',
      'ภัย\\e[2Jเพื่อยืนยัน',
    ]);
    expect(wrapText('我打电话来自保险公司确\\x07的预约', { width: 23 })).toEqual([
      '我打电话来自保险公司确',
      '\\x07的预约',
    ]);
    // But Markdown's escaped closing mark ("\]") still never starts a line.
    const markdown = wrapText('ผมโทรมาจากบริษัทประกันภัย\\]ค่ะ', { width: 22 });
    expect(markdown.join('')).toBe('ผมโทรมาจากบริษัทประกันภัย\\]ค่ะ');
    for (const line of markdown) expect(line).not.toMatch(/^\\\]/);
  });

  test('may break after a tab, shown escaped, as after a space, never inside its escape', () => {
    // A transcript of tab-separated words was one word: a 250-column line at a width of 80.
    const text = 'word\\t'.repeat(40);
    const lines = wrapText(text, { width: 80, indent: '  ', firstIndent: '  ' });
    // 13 of the 78 columns after the indent: 13, 13, 13 and 1.
    expect(lines.length).toBe(4);
    expect(lines.join('').replaceAll('  ', '')).toBe(text);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/\\t$/);
    expect(wrapText('one\\t\\ttwos three', { width: 10 })).toEqual(['one\\t\\t', 'twos three']);
    // An escape that is not a tab's is not a place to break (`\x5ct` is a backslash and a t).
    expect(wrapText('one\\x5ctwo\\etwo', { width: 10 })).toEqual(['one\\x5ctwo\\etwo']);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('ab', 'xyz', '\\t', ' ', '漢字', '\\e'), { maxLength: 40 }),
        fc.integer({ min: 10, max: 30 }),
        (parts, width) => {
          const input = parts.join('');
          const wrapped = wrapText(input, { width });
          expect(wrapped.join('').replaceAll(' ', '')).toBe(input.replaceAll(' ', ''));
          for (const line of wrapped) {
            expect(line).not.toMatch(/^[te]|\\$/);
            if (displayWidth(line) > width) expect(line).not.toMatch(/ |\\t./);
          }
        },
      ),
    );
  });

  test('never starts a line with a "·" separator nor ends one with "→"', () => {
    // Without the binding this would be 'Jane Doe · 61491573087' and then '· campaign'.
    expect(wrapText('Jane Doe · 61491573087 · campaign', { width: 22 })).toEqual([
      'Jane Doe ·',
      '61491573087 · campaign',
    ]);
    expect(wrapText('done better? → Nothing', { width: 16 })).toEqual(['done better?', '→ Nothing']);
  });

  test('binds a separator to its word only where the two fit a line: else the line breaks at the blank between', () => {
    // `show --format markdown --width 20` printed `  **CallAttempted** ·`, 21 columns, though it
    // has a blank to break at (red team hR101 F7): only a single unbreakable token is wider.
    expect(wrapText('**CallAttempted** · 61438870142', { width: 20, indent: '  ' })).toEqual([
      '  **CallAttempted**',
      '  · 61438870142',
    ]);
    const url = 'https://example.com/a/very/long/path';
    expect(wrapText(`Anything → ${url}`, { width: 20 })).toEqual(['Anything →', url]);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.stringMatching(/^[a-z*]{1,22}$/), fc.constantFrom('·', '→')), { maxLength: 30 }),
        fc.integer({ min: 12, max: 40 }),
        (words, width) => {
          const lines = wrapText(words.join(' '), { width, indent: '  ', firstIndent: '' });
          for (const line of lines) if (displayWidth(line) > width) expect(line.trim()).not.toMatch(/ /);
        },
      ),
    );
  });

  test('keeps a token wider than the line whole, on a line of its own', () => {
    const url = 'https://example.com/a/very/long/path/that/cannot/break';
    expect(wrapText(`see ${url} now`, { width: 20 })).toEqual(['see', url, 'now']);
  });

  test('keeps newlines as hard breaks and empty lines as empty', () => {
    expect(wrapText('one\n\ntwo', { width: 20, indent: '> ' })).toEqual(['> one', '>', '> two']);
  });

  test('no line is wider than the width unless it holds one unbreakable token', () => {
    const word = fc.oneof(
      fc.stringMatching(/^[a-z]{1,12}$/),
      fc.constantFrom('漢字', '👍', '👨‍👩‍👧', 'é', 'ｗｉｄｅ', 'ascii-ish…'),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), fc.integer({ min: 14, max: 60 }), (words, width) => {
        const text = words.join(' ');
        const lines = wrapText(text, { width, indent: '    ', firstIndent: '' });
        for (const line of lines) {
          if (displayWidth(line) > width) expect(line.trim()).not.toMatch(/ /);
        }
        // Nothing is lost or reordered: only spaces change.
        expect(
          lines
            .map((l) => l.trim())
            .join('')
            .replaceAll(' ', ''),
        ).toBe(text.replaceAll(' ', ''));
      }),
    );
  });
});

describe('wrapSpans', () => {
  test('styles each line separately so that colour never runs into the indent', () => {
    const c = new Chalk({ level: 1 });
    const lines = wrapSpans([{ text: 'plain ' }, { text: 'red words that wrap', style: c.red }], {
      width: 12,
      indent: '  ',
      firstIndent: '',
    });
    expect(lines.map(plain)).toEqual(['plain red', '  words that', '  wrap']);
    for (const line of lines.slice(1)) expect(line.startsWith('  \u001b[31m')).toBe(true);
    for (const line of lines) expect(line.endsWith('\u001b[39m')).toBe(true);
  });
});

describe('escapeJsonForTerminal', () => {
  test('escapes C1 controls and bidi overrides but keeps the value the same', () => {
    const value = { text: 'a\u009b31mb\u202ec\u2028d\u007f', ok: 'plain ü 漢' };
    const json = escapeJsonForTerminal(JSON.stringify(value));
    expect(json).not.toMatch(/[\u007f-\u009f\u202e\u2028]/);
    expect(json).toContain('\\u009b');
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('cutting text to a width', () => {
  test('never cuts a character in two, nor keeps more than the width, however wide its characters', () => {
    // Text as wide as it is long was cut by length: `😀😀😀` to 3 columns kept a lone surrogate,
    // and `日é` (é as e and a combining accent) to 2 columns kept 3.
    expect(prefixOfWidth('😀😀😀', 3)).toBe('😀');
    expect(suffixOfWidth('😀😀😀', 3)).toBe('😀');
    expect(prefixOfWidth('日e\u0301', 2)).toBe('日');
    expect(suffixOfWidth('e\u0301日', 2)).toBe('日');
    const char = fc.constantFrom('a', '😀', '日', 'e\u0301', '👍🏽', '🇦🇺', 'é');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 30 }), fc.nat(40), (chars, width) => {
        const text = chars.join('');
        for (const cut of [prefixOfWidth(text, width), suffixOfWidth(text, width)]) {
          expect(displayWidth(cut)).toBeLessThanOrEqual(width);
          expect(cut).not.toMatch(/\p{Cs}/u);
          expect(text.startsWith(cut) || text.endsWith(cut)).toBe(true);
        }
      }),
    );
  });
});

describe('blankEnds', () => {
  test('finds where the blanks at each end stop, reading each character at most once (but one)', () => {
    const cases = [
      ['', 0, 0],
      ['   ', 3, 3],
      ['  a b  ', 2, 5],
      [`Voicemail${' '.repeat(200_000)}.`, 0, 200_010],
      [`${' \t'.repeat(100_000)}x${'\t '.repeat(100_000)}`, 200_000, 200_001],
    ] as const;
    for (const [text, start, end] of cases) {
      let reads = 0;
      const ends = blankEnds(text, (unit) => {
        reads++;
        return unit === ' ' || unit === '\t';
      });
      expect(ends).toEqual({ start, end });
      expect(reads).toBeLessThanOrEqual(text.length + 1);
    }
  });
});

describe('wrapSpans on many spans', () => {
  test('a long text of many short spans (a --grep of a transcript) wraps as one span does, each span styled', () => {
    // Hint: each line looked at every span, lines × spans: 400,000 spans of 15,000 lines took
    // about a minute; show --grep of a 4.8 MB transcript took ten. Here 420,000 spans, 980,000
    // characters: under the million a text is wrapped up to (`longestWrapped`).
    const mark = (text: string) => `<${text}>`;
    const spans = Array.from({ length: 140_000 }, (): TextSpan[] => [
      { text: 'hell' },
      { text: 'o', style: mark },
      { text: ' w' },
    ])
      .flat()
      .concat({ text: 'end' });
    const text = spans.map((span) => span.text).join('');
    const lines = wrapSpans(spans, { width: 80, indent: '  ' });
    expect(lines.map((line) => line.replaceAll(/<(o)>/g, '$1'))).toEqual(wrapText(text, { width: 80, indent: '  ' }));
    expect(lines.join('').split('<o>').length - 1).toBe(140_000);
  });
});

describe('wrapSpans on many ranges kept whole', () => {
  test('a long text of many durations keeps each whole, the ranges passed once', () => {
    // Hint: each piece looked for its kept range from the first: pieces × ranges. This one (100,000
    // durations kept whole, as show keeps those of an outcome) took about half a minute.
    const spans = Array.from({ length: 100_000 }, (): TextSpan[] => [
      { text: '1d 2h', keep: true },
      { text: ', ' },
    ]).flat();
    const lines = wrapSpans(spans, { width: 40, indent: '  ', firstIndent: '' });
    expect(lines.map((line) => line.trim()).join(' ')).toBe(
      spans
        .map((span) => span.text)
        .join('')
        .trim(),
    );
    expect(lines.filter((line) => !line.endsWith('2h,') && !line.endsWith('2h'))).toEqual([]);
  });
});

describe('wrapSpans on a word longer than a regular expression can repeat over', () => {
  // Hint: V8 keeps a backtracking entry for each repetition of a group of alternatives, or of a
  // `u` class over two-byte text, and throws "Maximum call stack size exceeded" past about 8
  // million: an escaped transcript of 1.15 million tag characters (red team hT43) ended listen.
  // A text is wrapped up to a million characters now (`longestWrapped`), and cut past it, so no
  // word reaches that; one of half a million, twice on a line, is still a line of its own, whole.
  const long = 490_000;
  test.each([
    ['letters', 'a'],
    ['escapes', '\\u{e0041}'],
    ['escapes of a backslash before a t', '\\x5ct'],
  ])('of %s is a line of its own, whole, and still breaks after a tab', (_, unit) => {
    const word = unit.repeat(Math.ceil(long / unit.length));
    // Hint: lengths, not the lines: a failure prints them.
    expect(wrapText(`ab ${word} cd`, { width: 80 }).map((line) => line.length)).toEqual([2, word.length, 2]);
    expect(wrapText(`${word}\\t${word}`, { width: 80 }).map((line) => line.length)).toEqual([
      word.length + 2,
      word.length,
    ]);
  });
});

describe('wrapSpans on many words and no space', () => {
  test('looks for each space and each tab once, not once a word (linear, not quadratic)', () => {
    // The next space was looked for from each word's start to the end of the text: a delivery of
    // "a\t" 800,000 times held listen for 21 s (review hR45). Counted, not timed: the characters
    // indexOf passes over, against the text's length.
    const text = 'a\\t'.repeat(3000);
    const indexOf = String.prototype.indexOf;
    let scanned = 0;
    String.prototype.indexOf = function (this: string, search: string, from = 0) {
      const found = indexOf.call(this, search, from);
      if (this === text) scanned += (found === -1 ? this.length : found) - from;
      return found;
    };
    try {
      expect(wrapText(text, { width: 80 }).join('')).toBe(text);
    } finally {
      String.prototype.indexOf = indexOf;
    }
    expect(scanned).toBeLessThan(4 * text.length);
  });
});

describe('wrapSpans on many opening marks before CJK characters', () => {
  test.each(['(中', '(😀', '“中', '（中'])(
    'binds each "%s" in one pass, not a pass for each mark (linear, not quadratic)',
    (unit) => {
      // Hint: each opening mark moved onto the character after it left an empty piece, taken out of
      // the word's pieces with splice, which shifted every piece after it: a transcript of "(中"
      // 250,000 times held show for over 30 s (red team hT61). Sized, not timed: 400,000 of them took
      // the old code about 90 s, far past the test's timeout; they take well under a second now.
      // Here 300,000: under the million characters a text is wrapped up to (`longestWrapped`).
      const text = unit.repeat(300_000);
      const lines = wrapText(text, { width: 80 });
      const perLine = Math.floor(80 / displayWidth(unit));
      // Hint: counts, not the lines: a failure prints them.
      expect(lines.slice(0, -1).filter((line) => line !== unit.repeat(perLine)).length).toBe(0);
      expect(lines.length).toBe(Math.ceil(300_000 / perLine));
      expect(lines.join('') === text).toBe(true);
    },
  );
});

describe('a line after a line break', () => {
  test('keeps its indentation, as a transcript was written: only the lines a wrap makes start at a word', () => {
    // `"Address:\n    12 Main St"` showed as `12 Main St`, its indentation gone (red team hR115).
    const lines = wrapSpans([{ text: 'Address:\n    12 Main St\n  a long line that wraps here' }], {
      width: 22,
      indent: '| ',
    });
    expect(lines).toEqual(['| Address:', '|     12 Main St', '|   a long line that', '| wraps here']);
    // The first line's too, or a list indented alike was drawn with its first item out (hR117).
    expect(wrapSpans([{ text: '  1. first\n  2. second' }], { width: 22, indent: '| ' })).toEqual([
      '|   1. first',
      '|   2. second',
    ]);
    // One that leaves its first word no room is dropped, as the blanks a wrap breaks at are.
    expect(wrapSpans([{ text: `a\n${' '.repeat(30)}word` }], { width: 20 })).toEqual(['a', 'word']);
  });
});
