import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  escapeJsonForTerminal,
  escapeMarkdown,
  escapeTerminal,
  escapeTerminalPieces,
  escapeUnicode,
  toSafeJson,
  toSafeJsonPieces,
} from './escape.js';

// What GitHub Actions' runner reads as a workflow command: a line that starts, after any blank
// (.NET's TrimStart: Unicode white space, NEL included), with `::` and a command's name (letters
// and `-`); or `##[` anywhere in a line.
const workflowCommand = /^[\s\u0085]*::[a-z]|##\[/im;
/** What no escaped text may hold, so that no wrap of it can start a command. */
const commandMark = /::[a-z]|##\[/i;

// Payload text that would be a command if printed as it is, alone or after a line break, and
// the same pieces glued in ways a wrap could cut anywhere (`:::`, `###[`).
const commands = [
  '::error::pwned',
  '::add-mask::x',
  'ok\n::error file=a.json,line=1::pwned',
  '  \u00a0\u3000::warning::indented',
  '::stop-commands::token',
  'see ##[error]old form mid-line',
  '##[group]x',
  ':::triple ###[error]x ####[',
  'fe80::1 and a::b',
];

describe('workflow commands for GitHub Actions', () => {
  test('no escape of payload text holds `::` before a letter, or `##[`, so no wrap of it can start a command', () => {
    for (const text of commands) {
      for (const escaped of [
        escapeTerminal(text),
        escapeTerminal(text, true),
        escapeMarkdown(text),
        escapeMarkdown(text, true),
        escapeUnicode(text),
        toSafeJson(text),
        toSafeJson({ [text]: [text] }),
      ]) {
        expect(escaped).not.toMatch(commandMark);
        expect(escaped).not.toMatch(workflowCommand);
      }
    }
  });

  test('the colon before a colon and the `#` before `#[` are shown as their escapes; one colon stays', () => {
    expect(escapeTerminal('::error::pwned')).toBe('\\x3a:error\\x3a:pwned');
    expect(escapeTerminal('a\n::add-mask::x', true)).toBe('a\n\\x3a:add-mask\\x3a:x');
    expect(escapeTerminal(':::a')).toBe(':\\x3a:a');
    expect(escapeTerminal('::Error::1')).toBe('\\x3a:Error::1');
    expect(escapeTerminal('##[error]x ###[')).toBe('\\x23#[error]x #\\x23#[');
    expect(escapeTerminal('at 12:30: ok # 1 #[x] ##x')).toBe('at 12:30: ok # 1 #[x] ##x');
    // What no command begins with reads as written: an IPv6 address, a URL holding one.
    for (const text of ['http://[::1]:8787/', 'fe80::1', '[::]', 'a:: b', '::1'])
      expect(escapeTerminal(text)).toBe(text);
    expect(escapeUnicode('::x ##[y')).toBe('\\u003a:x \\u0023#[y');
    expect(escapeMarkdown('::x')).toBe('\\\\x3a:x');
  });

  test('JSON output keeps its meaning: the escapes are \\u escapes inside strings', () => {
    const value = { '::key': ['::error::x', 'a##[error]b', '\\::'] };
    const json = toSafeJson(value);
    expect(json).toContain('"\\u003a:error\\u003a:x"');
    expect(JSON.parse(json)).toEqual(value);
    const compact = escapeJsonForTerminal(JSON.stringify(value));
    expect(compact).not.toMatch(commandMark);
    expect(JSON.parse(compact)).toEqual(value);
  });
});

describe('Markdown pasted into GitHub', () => {
  // Hint: what GitHub links or pings in the text of a comment, backslash-escaped or not.
  const linking = /(?<![\p{L}\p{N}])@[a-z0-9]|#\d|\bgh-\d|:\/\/|(?<![\p{L}\p{N}])www\.[a-z0-9]/iu;
  const asGithubReadsIt = (markdown: string) => markdown.replace(/\\(.)/g, '$1').replaceAll('&#x200d;', '\u200d');

  test('mentions, issue references and URLs are inert: a joiner after @, #, GH-, :// and www.', () => {
    const text = '@octocat @org/team #123 GH-42 gh-7 mail jo@example.com https://evil.example/x WWW.evil.example';
    const escaped = escapeMarkdown(text);
    expect(asGithubReadsIt(escaped)).not.toMatch(linking);
    expect(escaped).toBe(
      '@&#x200d;octocat @&#x200d;org/team \\#&#x200d;123 GH-&#x200d;42 gh-&#x200d;7 mail jo@&#x200d;example.com https:&#x200d;//evil.example/x WWW.&#x200d;evil.example',
    );
    // The joiner is written as an entity: the Markdown itself, read on a terminal, holds no invisible character.
    expect(escaped).not.toMatch(/\p{Default_Ignorable_Code_Point}/u);
  });

  test('what links nothing is left as it was', () => {
    expect(escapeMarkdown('C# and F#, a @ b, 1 # 2, thigh-1, awww.x')).toBe(
      'C\\# and F\\#, a @ b, 1 \\# 2, thigh-1, awww.x',
    );
  });

  test('HTML, links, comments, code and table pipes stay text, in a cell of one line', () => {
    const text = '<img src=x onerror=alert(1)> [x](javascript:alert(1)) <!-- a|b `c` ``d`` \\| e\\\nf\r\u2028g';
    const escaped = escapeMarkdown(text);
    expect(escaped).not.toMatch(/[\n\r\u2028\u2029]/);
    // Every pipe is escaped: an odd run of backslashes before it, so a table's cell cannot end early.
    for (const match of escaped.matchAll(/(\\*)\|/g)) expect(match[1]!.length % 2).toBe(1);
    for (const mark of ['<', '[', ']', '`']) {
      for (const match of escaped.matchAll(new RegExp(`(\\\\*)\\${mark}`, 'g'))) expect(match[1]!.length % 2).toBe(1);
    }
  });
});

describe('escapes that read one way only', () => {
  // Payload text that holds, as written, what callhook shows for a character it escapes.
  const lookAlikes = [
    ['\u0007', '\\x07'],
    ['\u009b', '\\x9b'],
    ['\u001b', '\\e'],
    ['\r', '\\r'],
    ['\t', '\\t'],
    ['\b', '\\b'],
    ['\u202e', '\\u202e'],
    ['\u{e0041}', '\\u{e0041}'],
    ['::x', '\\x3a:x'],
    ['##[x', '\\x23#[x'],
    ['\\\u0007', '\\\\x07'],
  ];

  test('a text that holds an escape as written is shown apart from the character it stands for', () => {
    for (const [char, written] of lookAlikes) {
      for (const keepNewlines of [false, true]) {
        const a = escapeTerminal(`a${char}b`, keepNewlines);
        const b = escapeTerminal(`a${written}b`, keepNewlines);
        expect(a).not.toBe(b);
        expect(escapeMarkdown(`a${char}b`, keepNewlines)).not.toBe(escapeMarkdown(`a${written}b`, keepNewlines));
      }
    }
    expect(escapeTerminal('a\nb')).not.toBe(escapeTerminal('a\\nb'));
  });

  test('only a backslash before what an escape begins with is shown escaped, as \\x5c', () => {
    expect(escapeTerminal('\\x07 \\e[2J \\u202e')).toBe('\\x5cx07 \\x5ce[2J \\x5cu202e');
    expect(escapeTerminal('said \\n', true)).toBe('said \\x5cn');
    expect(escapeTerminal('\\u{e0041} \\uFEFF')).toBe('\\x5cu{e0041} \\x5cuFEFF');
    // Never one of ours: a backslash before another letter, and \u00XX (JSON quoted in a message).
    const others = [
      'C:\\Data\\2022',
      'a \\ b',
      '\\\\',
      'ends with \\',
      '\\(x\\)',
      'got "\\u001b"',
      '\\user',
      '\\u00e9',
    ];
    for (const text of others) expect(escapeTerminal(text)).toBe(text);
  });
});

describe('the machine formats (CSV, GitHub, JUnit)', () => {
  test('tell the escape of a character from text spelling it: a backslash that begins `\\uXXXX` is `\\u005c`', () => {
    // A file named with U+202E and one named with the six characters `\u202e` read the same, and
    // a GitHub annotation of the first was attached to the second.
    expect(escapeUnicode('a\u202eb')).toBe('a\\u202eb');
    expect(escapeUnicode('a\\u202eb')).toBe('a\\u005cu202eb');
    expect(escapeUnicode('a\\u202eb', true)).toBe('a\\u005cu202eb');
    // A backslash that begins no such escape reads as written (a Windows path, a regex), and so
    // does a C0 control's JSON escape, as a message quotes a key: `"k\u001by"` means that key.
    expect(escapeUnicode('C:\\exports\\n.json \\u12 \\x07')).toBe('C:\\exports\\n.json \\u12 \\x07');
    expect(escapeUnicode('"k\\u001by"')).toBe('"k\\u001by"');
  });
});

describe('a combining mark right after a quote', () => {
  // `validate` said `unexpected "⃣"`: a value that begins with a combining mark, quoted, drew the
  // mark on the quote before it, callhook's own, and read as `unexpected ⃣"`.
  test('is shown escaped, every mark of its run, in every format', () => {
    expect(escapeTerminal('unexpected "\u20e3"')).toBe('unexpected "\\u20e3"');
    expect(escapeTerminal('unexpected "\u0301\u0301\u0301"')).toBe('unexpected "\\u0301\\u0301\\u0301"');
    expect(escapeTerminal("'\u0301x' is an option", true)).toBe("'\\u0301x' is an option");
    expect(escapeUnicode('unexpected "\u20e3"')).toBe('unexpected "\\u20e3"');
    const json = JSON.stringify({ message: 'unexpected "\u20e3"' });
    expect(escapeJsonForTerminal(json)).toBe('{"message":"unexpected \\"\\u20e3\\""}');
    expect(JSON.parse(escapeJsonForTerminal(json))).toEqual(JSON.parse(json));
  });

  test('is shown escaped at the start of the text, which callhook prints after a quote of its own', () => {
    // show printed an SMS message that began with marks right after its `"`, raw: they drew on
    // the quote (review hR99).
    expect(escapeTerminal('\u0301\u0301hello')).toBe('\\u0301\\u0301hello');
    expect(escapeTerminal('\u20e3 a keycap alone', true)).toBe('\\u20e3 a keycap alone');
    expect(escapeUnicode('\u0301x')).toBe('\\u0301x');
  });

  test('is kept where it draws on a letter, a digit or an emoji of the text', () => {
    for (const text of ['"Cafe\u0301"', 'e\u0301', '"1\ufe0f\u20e3"', '"क\u093e"', '"\u2764\ufe0f"']) {
      expect(escapeTerminal(text), text).toBe(text);
    }
  });
});

describe('right-to-left text', () => {
  // Hebrew or Arabic payload text drew callhook's own numbers after it reversed, as part of its
  // run, on a terminal that lays out bidi text (VTE, Konsole): a funnel row `מה שלומך?  9  75.0  2`
  // showed as `2  75.0  9  ?ךמולש המ` (red team hR115). Each run of it is isolated (FSI … PDI).
  const fsi = '\u2068';
  const pdi = '\u2069';
  test('isolates each run of right-to-left letters, and what lies between two of them, but nothing after', () => {
    expect(escapeTerminal('מה שלומך?')).toBe(`${fsi}מה שלומך${pdi}?`);
    expect(escapeTerminal('الرقم 5 هنا 7')).toBe(`${fsi}الرقم 5 هنا${pdi} 7`);
    expect(escapeTerminal('Hello שלום, עולם world 3')).toBe(`Hello ${fsi}שלום, עולם${pdi} world 3`);
    expect(escapeTerminal('𐤀𐤁 x')).toBe(`${fsi}𐤀𐤁${pdi} x`);
    expect(escapeTerminal('plain text 1 2 3')).toBe('plain text 1 2 3');
    expect(escapeTerminal('café ünïcode 東京')).toBe('café ünïcode 東京');
  });

  test('never spans a line break, and still escapes the isolates and marks payload text holds', () => {
    expect(escapeTerminal('שלום\nעולם', true)).toBe(`${fsi}שלום${pdi}\n${fsi}עולם${pdi}`);
    expect(escapeTerminal('שלום\nעולם')).toBe(`${fsi}שלום${pdi}\\n${fsi}עולם${pdi}`);
    expect(escapeTerminal(`a${fsi}b${pdi}\u200fc`)).toBe('a\\u2068b\\u2069\\u200fc');
    expect(escapeTerminal('שלום\u202eעולם')).toBe(`${fsi}שלום${pdi}\\u202e${fsi}עולם${pdi}`);
  });

  test('isolates across the pieces a --grep match cuts, as the whole text', () => {
    const text = 'שלום עולם 12';
    const pieces = escapeTerminalPieces(text, [5, 9]);
    expect(pieces.join('')).toBe(escapeTerminal(text));
    expect(pieces).toEqual([`${fsi}שלום `, `עולם${pdi}`, ' 12']);
  });

  test('the pieces of any cut hold the whole text as escaped, isolates and all', () => {
    const unit = fc.constantFrom(...'ab 1.,', 'ש', 'ל', '٣', '\u05b0', '😀');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 20 }), fc.array(fc.nat(20), { maxLength: 6 }), (units, cuts) => {
        const text = units.join('');
        // As --grep cuts: between clusters (a match is widened to whole ones), never before a mark.
        const bounds = [...new Intl.Segmenter().segment(text)].map((segment) => segment.index);
        const sorted = [...new Set(cuts.map((cut) => bounds[cut % (bounds.length || 1)] ?? 0))].sort((a, b) => a - b);
        expect(escapeTerminalPieces(text, sorted).join('')).toBe(escapeTerminal(text));
      }),
      { numRuns: 2000 },
    );
  });

  test('in Markdown too, where a link, mention or reference before it is still stopped', () => {
    expect(escapeMarkdown('מה שלומך? 9')).toBe(`${fsi}מה שלומך${pdi}? 9`);
    // The isolate after `www.` hid the letter the joiner looks for: markdown-it linked it (hR117).
    expect(escapeMarkdown('see www.שלום.com')).toBe(`see www.&#x200d;${fsi}שלום${pdi}.com`);
    expect(escapeMarkdown('@שלום #٣ gh-٣')).toBe(`@&#x200d;${fsi}שלום \\#&#x200d;٣${pdi} gh-&#x200d;${fsi}٣${pdi}`);
  });

  test('keeps the marks after the last right-to-left letter inside its isolate, whatever their block', () => {
    // `שלוֹ\u0307` closed the isolate between the letter and its dot above (hR117).
    expect(escapeTerminal('שלוֹ\u0307 abc')).toBe(`${fsi}שלוֹ\u0307${pdi} abc`);
  });
});

describe('toSafeJsonPieces: the one JSON writer, in pieces', () => {
  // Text the escapes change, as keys and as values: commands, controls, marks after a quote,
  // right-to-left letters, a keycap after an escape ending in a digit, a zero-width joiner.
  const hostile = [
    ...commands,
    '\u001b[2J\u0007',
    '"\u0301 mark',
    'שלום',
    '\u0001\ufe0f\u20e3',
    '👨\u200d👩 a\u200db',
    '\u2028\u2029\u202e',
  ];
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(...hostile),
      fc.jsonValue({ stringUnit: 'binary', maxDepth: 1 }),
      fc.array(tie('node'), { maxLength: 6 }),
      fc.dictionary(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(...hostile)), tie('node'), {
        maxKeys: 6,
      }),
    ),
  })).node;

  test('joins into what toSafeJson writes, whatever the value and the size of a piece', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 8 }), (json, entries) => {
        expect([...toSafeJsonPieces(json, entries)].join('')).toBe(toSafeJson(json));
      }),
      { numRuns: 400 },
    );
  });

  test('writes a list of many rows in pieces of a bounded size', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ key: `${hostile[i % hostile.length]}${i}`, n: i }));
    const pieces = [...toSafeJsonPieces({ head: 1, rows, tail: { rest: null } }, 100)];
    expect(pieces.join('')).toBe(toSafeJson({ head: 1, rows, tail: { rest: null } }));
    const longest = Math.max(...pieces.map((piece) => piece.length));
    // 100 rows of three entries is about 33 rows, at most twice that: far from 10,000.
    expect(longest).toBeLessThan(80 * toSafeJson(rows[9_999]).length);
    expect(pieces.length).toBeGreaterThan(100);
  });
});
