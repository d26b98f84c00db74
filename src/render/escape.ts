/**
 * One policy for untrusted text (payload text and file names), in a module of its own with no
 * imports but one that has none, so that JSON output and fatal errors can use it without loading
 * chalk or ICU.
 */
import { withSourceNumbers } from '../input/source-number.js';

/**
 * callhook's own notes where a table has a value missing or empty, the one list of them (with
 * `moreNote`, words.ts). Hint: payload text may read exactly as one, so summarise shows such a
 * text apart (`readsAsOwnNote`), and Markdown writes every note in italics (`markdownNote`).
 */
export const ownNotes = {
  none: '(none)',
  empty: '(empty)',
  noNote: '(no note)',
  emptyTranscript: '(empty transcript)',
  blankTranscript: '(blank transcript)',
} as const;

/**
 * The characters callhook never sends raw, to a terminal or into machine output (one policy for
 * every command and format), but C0 controls, which each use adds: DEL and C1 controls (8-bit CSI
 * is U+009B), so no escape sequence can start; the line and paragraph separators U+2028/U+2029;
 * every default-ignorable code point, which a terminal draws as nothing: the bidi controls and
 * marks (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), zero-width and invisible format
 * characters (U+00AD, U+200B–U+200D, U+2060–U+2064, U+FEFF, Hangul fillers, variation selectors)
 * and the tag characters U+E0000–U+E007F, which spell text an AI reads and a person does not;
 * and every other format control (General_Category Cf), which changes how its neighbours are
 * drawn: the interlinear annotation controls U+FFF9–U+FFFB, the prepended concatenation marks
 * (U+0600–U+0605, U+06DD, U+070F, U+0890/1, U+08E2, U+110BD, U+110CD) that span the digits after
 * them, and the Egyptian hieroglyph format controls U+13430–U+1343F. Lone surrogates too (a JSON
 * `\ud83d` escape): written out they become U+FFFD, a column wide that the width rule counts as 0.
 * And two symbols that fonts draw as nothing, though not default-ignorable, which pass for a
 * blank name or pad one (`Voicemail` and `Voicemail\u2800` read alike): the Braille pattern
 * blank U+2800 and the musical null notehead U+1D159. A regular expression character class's
 * contents (flag `u`), which `--mask` reads as separators of a phone's digits too (timeline.ts).
 */
export const invisible = String.raw`\u007f-\u009f\u2028\u2029\u2800\u{1d159}\ud800-\udfff\p{Cf}\p{Default_Ignorable_Code_Point}`;
// Hint: the subdivision flags that are emoji (England, Scotland, Wales) are matched whole, so
// that their tags, which draw the flag and hide nothing, are kept.
const emojiFlag = String.raw`\u{1f3f4}\u{e0067}\u{e0062}(?:\u{e0065}\u{e006e}\u{e0067}|\u{e0073}\u{e0063}\u{e0074}|\u{e0077}\u{e006c}\u{e0073})\u{e007f}`;
// Hint: a GitHub Actions runner reads a log line that starts (after blanks) with `::` and a
// command's name (`::add-mask::`, `::stop-commands::`; names are letters and `-`) as a workflow
// command, and `##[` anywhere in a line as one of the old form. A wrap may start a line anywhere
// in payload text, so the colon before `:` and a letter, and the `#` before `#[`, are escaped
// wherever they are: no escaped text holds `::x` or `##[`, while `[::1]`, `fe80::1` and `a:: b`
// read as written.
const workflowCommand = String.raw`:(?=:[A-Za-z])|#(?=#\[)`;
// Hint: payload text may hold, as written, what a terminal is shown for a character escaped
// (`\x07`, `\e`, `\u202e`, summarise's `Voicemail\x20`), so a backslash that begins one of those
// escapes is shown escaped itself (`\x5cx07`): every such escape shown is ours. `\u00XX` is never
// ours (`\xXX` is), so the C0 escapes of JSON text quoted in a problem's message (`unexpected "\u0001"`) read as written.
const ownEscapeStart = String.raw`\\(?=[bentrx]|u\{|u(?!00)[0-9a-fA-F]{4})`;
// Hint: as on a terminal (`ownEscapeStart`), so in the machine formats that write a character
// `\uXXXX` (CSV, GitHub, JUnit; not JSON, whose backslashes are doubled): a backslash that begins
// such an escape in the text is written `\u005c`, so that every `\uXXXX` shown stands for a
// character (a file named with U+202E and one named `a\u202eb` read the same, and a GitHub
// annotation of the first was attached to the second). `\u00XX` is left as written, as on a
// terminal: a message quotes payload text as JSON, its C0 controls as such escapes.
const ownMachineEscapeStart = String.raw`\\(?=u(?!00)[0-9a-fA-F]{4})`;
// Every untrusted character, with the flags to keep; and without newline, for multi-line transcripts.
const untrustedCharacters = new RegExp(
  `${emojiFlag}|${workflowCommand}|${ownMachineEscapeStart}|[\\u0000-\\u001f${invisible}]`,
  'gu',
);
// The same for a terminal, where a backslash may begin one of our escapes.
const terminalUnsafe = new RegExp(
  `${emojiFlag}|${workflowCommand}|${ownEscapeStart}|[\\u0000-\\u001f${invisible}]`,
  'gu',
);
// The same but a workflow command's marks, for a property of a command the runner has already read as one.
const propertyUnsafe = new RegExp(`${emojiFlag}|${ownMachineEscapeStart}|[\\u0000-\\u001f${invisible}]`, 'gu');
const transcriptUnsafe = new RegExp(
  `${emojiFlag}|${workflowCommand}|${ownEscapeStart}|[\\u0000-\\u0009\\u000b-\\u001f${invisible}]`,
  'gu',
);
// The same but C0: JSON.stringify escapes those inside strings, and outside them only the layout's
// newlines occur. Hint: outside strings a colon is next to a quote or a blank and `#` never occurs,
// so every `::` and `##[` of JSON text is inside a string, where `\u003a` and `\u0023` mean the same.
const jsonUnsafe = new RegExp(`${emojiFlag}|${workflowCommand}|[${invisible}]`, 'gu');
const names: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\u001b': '\\e' };

// Hint: a zero-width joiner between two pictographs (👨‍👩‍👧, 🏃‍♂️) draws one visible emoji and can
// hide nothing, so it is kept there; anywhere else it is escaped like every invisible character.
const emojiBefore = /\p{Extended_Pictographic}[\ufe0f\u{1f3fb}-\u{1f3ff}]?$/u;
const emojiAfter = /^\p{Extended_Pictographic}/u;
// Hint: likewise the text and emoji presentation selectors (VS15, VS16) right after an emoji
// (❤️, ☺︎), or VS16 in a keycap (1️⃣), only choose how it is drawn. Every other variation selector
// is shown: kept after a letter, an ideograph or a symbol, each one draws nothing there, and a
// run of them carries hidden text a byte at a time (a registered name's rare 葛󠄀 shows its selector).
const emojiBase = /(?![0-9#*])\p{Emoji}$/u;
const keycapBase = /[0-9#*]$/;

/** Whether the invisible `char` at `offset` draws part of what precedes or follows it (an emoji, a variant), and so is kept raw. */
function drawsEmoji(char: string, offset: number, text: string): boolean {
  if (char.length > 2) return true; // a subdivision flag, matched whole
  if (char === '\u200d') {
    return (
      emojiBefore.test(text.slice(Math.max(0, offset - 4), offset)) &&
      emojiAfter.test(text.slice(offset + 1, offset + 3))
    );
  }
  if (char !== '\ufe0f' && char !== '\ufe0e') return false;
  const before = text.slice(Math.max(0, offset - 2), offset);
  return emojiBase.test(before) || (char === '\ufe0f' && keycapBase.test(before) && text[offset + 1] === '\u20e3');
}

/** A replacer for `String.replace` that keeps what draws an emoji and writes every other character with `escapeChar`. */
function unlessEmoji(escapeChar: (char: string) => string): (char: string, offset: number, text: string) => string {
  return (char, offset, text) => (drawsEmoji(char, offset, text) ? char : escapeChar(char));
}

const readable = unlessEmoji(readableEscape);
// Hint: in text whose newlines are kept, the CR of a CRLF is part of the line break (a
// transcript written on Windows), so it goes with it; a CR alone is still shown (`\r`).
const readableInLines = (char: string, offset: number, text: string) =>
  char === '\r' && text[offset + 1] === '\n' ? '' : readable(char, offset, text);
const machine = unlessEmoji(unicodeEscape);

// Hint: a value a message quotes (`unexpected "⃣"`) may begin with combining marks, which drawn
// raw sit on the quote before it, callhook's own: a run of them right after a quote is escaped,
// each mark, as a mark NFC would compose is (render/words.ts); so is one at the start of the text,
// which callhook prints after a quote, a blank or a colon of its own (show's `"` before an SMS
// message: review hR99). Looked for apart, in the text the
// policy escaped (a quote is never escaped, a mark only if invisible): in the policy's pattern it
// slowed the scan of all text that is not ASCII by about a fifth. A run longer than a message
// quotes (40) is escaped as far as 64: V8 keeps a backtracking entry for each character a `u`
// class repeats over.
const marksOnQuote = /(?<=^|["'])\p{M}{1,64}/gu;
const mayHaveMarksOnQuote = /^\p{M}|["']\p{M}/u;

/** `text` with each run of marks at its start or right after a quote (`marksOnQuote`) written mark by mark with `escapeChar`. */
function quotedMarksEscaped(text: string, escapeChar: (char: string) => string): string {
  if (!mayHaveMarksOnQuote.test(text)) return text;
  return text.replace(marksOnQuote, (run) => Array.from(run, escapeChar).join(''));
}

// Hint: a terminal that lays out bidi text (VTE, Konsole, mlterm) draws the digits and blanks
// after right-to-left letters as part of their run, reversed with them, so a payload's Hebrew or
// Arabic drew callhook's own columns after it in another order (`מה שלומך?  9  75.0  2` as
// `2  75.0  9  ?ךמולש המ`: red team hR115). Each run of such letters, from the first to the last
// with no other letter or line break between, is written inside a first-strong isolate (U+2068 …
// U+2069), which the text around it sees as one neutral character and which sets no paragraph's
// direction. Payload text's own isolates are escaped, so every one shown is callhook's; a terminal
// that does not lay out bidi draws them as nothing. The letters: the right-to-left blocks of the
// BMP (Hebrew to Arabic Extended-A, their presentation forms) and of the SMP (U+10800–U+10FFF,
// U+1E800–U+1EFFF).
const rightToLeft = String.raw`\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u{10800}-\u{10fff}\u{1e800}-\u{1efff}`;
// Hint: the marks after the last letter are its own, whatever their block (a dot above, U+0307).
const rightToLeftRun = new RegExp(`[${rightToLeft}](?:[^\\n\\p{L}]*[${rightToLeft}])*\\p{M}*`, 'gu');
const mayHoldRightToLeft = new RegExp(`[${rightToLeft}]`, 'u');
/** The isolate callhook writes a run of right-to-left payload text in, and its end. */
export const isolate = { open: '\u2068', close: '\u2069' } as const;

/** Escaped `text` with each run of right-to-left letters isolated (see `rightToLeftRun`). */
function isolatedRightToLeft(text: string): string {
  if (!mayHoldRightToLeft.test(text)) return text;
  return text.replace(rightToLeftRun, (run) => `${isolate.open}${run}${isolate.close}`);
}

/**
 * Escaped `pieces` isolated as their whole text is (`isolatedRightToLeft`): an isolate that opens
 * where a piece begins opens in it, one that closes where a piece ends closes in it.
 */
function isolatedAcross(pieces: string[]): string[] {
  const text = pieces.join('');
  if (!mayHoldRightToLeft.test(text)) return pieces;
  // Where an isolate opens and closes, in order: each piece takes those inside it, an opening at
  // its start and a closing at its end. Hint: walked once with the pieces, not once a piece: a
  // --grep of a long transcript cuts it into hundreds of thousands of them.
  const marks: Array<[at: number, mark: string]> = [];
  for (const run of text.matchAll(rightToLeftRun)) {
    marks.push([run.index, isolate.open], [run.index + run[0].length, isolate.close]);
  }
  let next = 0;
  let start = 0;
  return pieces.map((piece) => {
    const end = start + piece.length;
    let out = '';
    let at = start;
    for (; next < marks.length; next++) {
      const [where, mark] = marks[next] as [number, string];
      if (mark === isolate.open ? where >= end : where > end) break;
      out += text.slice(at, where) + mark;
      at = where;
    }
    out += text.slice(at, end);
    start = end;
    return out;
  });
}

/**
 * Escaped `text` cut out of a longer one (a code frame's window): an isolate whose opening the cut
 * left out is opened at its start, and one it left open is closed at its end.
 */
export function isolatesWhole(text: string): string {
  if (!text.includes(isolate.open) && !text.includes(isolate.close)) return text;
  let open = 0;
  let unopened = 0;
  for (const char of text) {
    if (char === isolate.open) open++;
    else if (char === isolate.close) {
      if (open > 0) open--;
      else unopened++;
    }
  }
  return isolate.open.repeat(unopened) + text + isolate.close.repeat(open);
}

const marks = String.raw`::[A-Za-z]|##\[|\\[bentrux]`;
const mayNeedEscape = new RegExp(`[^\\u0020-\\u007e]|${marks}`);
const mayNeedEscapeInLines = new RegExp(`[^\\n\\u0020-\\u007e]|${marks}`);

/** One escape `readableEscape` writes, which a wrap keeps whole: `\e`, `\x07`, `\u202e`, `\u{e0041}`. */
export const shownEscape = /\\(?:[bentr]|x[0-9a-f]{2}|u[0-9a-f]{4}|u\{[0-9a-f]+\})/;

/** One character as a terminal is shown it escaped: `\n`, `\e`, `\x07`, `\u200b`, `\u{e0041}`. */
export function readableEscape(char: string): string {
  const named = names[char];
  if (named) return named;
  const code = char.codePointAt(0) as number;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Makes payload text (and file names) safe for a terminal: every character of
 * `untrustedCharacters` is shown escaped (`\e[2J`, `\x07`, `\u202e`, `\u200b`, one
 * `\u{e0041}` per code point outside the BMP), so nothing in a
 * name, transcript, message or path can move the cursor, retitle the window or hide text; and
 * each colon before `:` and a letter, and the `#` before `#[` (`\x3a:`, `\x23#[`), so that nothing is a
 * GitHub Actions workflow command in a CI log; and each combining mark of a run at its start or
 * right after a quote (`marksOnQuote`). Newlines are kept when `keepNewlines` is set (for multi-line
 * transcripts), a CRLF's CR with them, escaped otherwise.
 */
export function escapeTerminal(text: string, keepNewlines = false): string {
  // Hint: printable ASCII without a workflow command's mark or an escape's backslash, most payload
  // text, needs no escape; telling so is a faster scan than the policy's.
  if (!(keepNewlines ? mayNeedEscapeInLines : mayNeedEscape).test(text)) return text;
  const escaped = keepNewlines
    ? text.replace(transcriptUnsafe, readableInLines)
    : text.replace(terminalUnsafe, readable);
  return isolatedRightToLeft(quotedMarksEscaped(escaped, readableEscape));
}

/**
 * `text` cut at the offsets `cuts` (in order), each piece escaped as `escapeTerminal` escapes it
 * within the whole text. Hint: whether a character is escaped may depend on what follows it (a
 * backslash before `e`, a colon before `:x`), which may be in the next piece: `--grep` highlights
 * a match apart from the text around it, and escaping each piece alone forged `\e` and `::x`.
 */
export function escapeTerminalPieces(text: string, cuts: readonly number[], keepNewlines = false): string[] {
  const pieces: string[] = [];
  let piece = '';
  let at = 0;
  let next = 0;
  const cutBefore = (offset: number) => {
    for (; next < cuts.length && (cuts[next] ?? 0) <= offset; next++) {
      const cut = Math.max(at, cuts[next] ?? 0);
      pieces.push(piece + text.slice(at, cut));
      piece = '';
      at = cut;
    }
  };
  text.replace(keepNewlines ? transcriptUnsafe : terminalUnsafe, (match: string, offset: number) => {
    cutBefore(offset);
    piece += text.slice(at, offset) + (keepNewlines ? readableInLines : readable)(match, offset, text);
    at = offset + match.length;
    return '';
  });
  cutBefore(text.length);
  pieces.push(piece + text.slice(at));
  return isolatedAcross(pieces.map((escaped) => quotedMarksEscaped(escaped, readableEscape)));
}

/**
 * Makes payload text (and file names) safe in Markdown, in a table cell, a list or a heading: the
 * terminal policy first, then a backslash before each character Markdown would read as markup
 * (emphasis, code, links, HTML, entities, headings, table pipes, strike-through, `$` math), and
 * before each mark that opens a block at the start of a line (a list's `-`, `+` or `1.`, a rule or
 * a heading's underline). Hint: the renderers wrap escaped text, so any blank may become a line start: such a
 * mark is escaped wherever a blank is next to it, not only after a newline. And what GitHub would
 * link or ping in a comment (`@name`, `#1`, `GH-1`, `https://`, `www.`) gets a zero-width joiner.
 */
export function escapeMarkdown(text: string, keepNewlines = false): string {
  return markdownMarkupEscaped(escapeTerminal(text, keepNewlines));
}

/** Text already shown by the terminal policy (`escapeTerminal`), with what Markdown or GitHub would read in it escaped, as `escapeMarkdown` does. */
export function markdownMarkupEscaped(safe: string): string {
  // Hint: replaced by functions, not `'\\$&'`: V8 gathers a pattern's replacements in one array,
  // and past about 34 million of them (a 40 MB transcript of `*`) ends the process itself, a fatal
  // "invalid size error" (exit 133) no code can catch; a function's are gathered otherwise.
  return (
    safe
      .replace(/[\\`*_[\]<>#|~&$]/g, backslashed)
      .replace(/(?<=^|\s)[-+=]|[-+=](?=\s|$)|(?<=\d)[.)](?=\s|$)/g, backslashed)
      // Hint: GitHub finds mentions, issue references and bare URLs in the text Markdown leaves, so a
      // backslash does not stop them; a zero-width joiner after `@`, `#`, `GH-`, the `:` of `://` and
      // `www.` does, and reads the same (GitHub's own bots put one after `@`). It is written as an
      // entity, so that the Markdown itself, shown on a terminal, still holds no invisible character;
      // a code span would stop them too, but shows every name and reason in a monospace box.
      .replace(
        // Hint: a letter or digit may be right-to-left, and come after the isolate callhook opens before it.
        /[@#](?=\u2068?[\p{L}\p{N}])|(?<![\p{L}\p{N}])gh-(?=\u2068?\p{N})|:(?=\/\/)|(?<![\p{L}\p{N}])www\.(?=\u2068?[\p{L}\p{N}])/giu,
        (mark) => `${mark}&#x200d;`,
      )
  );
}

const backslashed = (markup: string) => `\\${markup}`;

/** One of callhook's own notes (`ownNotes`) in Markdown: in italics, never read as payload text. */
export function markdownNote(note: string): string {
  return `*${note}*`;
}

/**
 * Payload text (an id) as a Markdown code span that reads exactly as `escapeTerminal` shows it.
 * Hint: inside a code span a backslash or an entity is shown as written, so `escapeMarkdown`'s
 * escapes would show; and nothing there is a mention, a link or markup, so none is needed. The
 * fence is one backtick longer than the longest run of them in the text, so none ends it early,
 * and a blank pads a text that begins or ends with a backtick or a blank (CommonMark strips one).
 * The empty text is no code span (two backticks are shown as they are) but the note for it.
 */
export function markdownCode(text: string): string {
  if (text === '') return markdownNote(ownNotes.empty);
  const safe = escapeTerminal(text);
  let longest = 0;
  for (const run of safe.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(safe) ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

/**
 * The same policy for the machine formats but JSON (CSV, GitHub annotations, JUnit XML; JSON is
 * `escapeJsonForTerminal`'s): each untrusted character as `\uXXXX` escapes of its UTF-16 code units
 * (a surrogate pair outside the BMP), and a backslash that begins such an escape (but `\u00XX`)
 * as `\u005c`, so that every one shown stands for a character; what draws an emoji is kept, as
 * on a terminal, so a cell shows ❤️ and not `❤\ufe0f`. With `commandProperty`, for a property of a GitHub
 * workflow command, the `#` of `##[` is kept. Hint: the runner reads a line that starts with `::`
 * and a command's name as that command (TryParseV2) before it looks for `##[` anywhere (TryParse),
 * so `##[` in its property is no command; and GitHub has no escape for `#`, so `\u0023` there would
 * name another file. A property holds no colon to escape: GitHub's own `%3A` comes first.
 */
export function escapeUnicode(text: string, commandProperty = false): string {
  return quotedMarksEscaped(
    text.replace(commandProperty ? propertyUnsafe : untrustedCharacters, machine),
    unicodeEscape,
  );
}

const loneSurrogate = /\p{Surrogate}/gu;

/**
 * callhook's own text (a problem's message and pointer) as JSON output carries it: each lone surrogate it
 * quotes as the visible `\ud83d` that every other format shows, so that all carry the same
 * message. Hint: JSON's own `\ud83d` escape would hold the code unit itself, which jq 1.6 refuses
 * and Python cannot print; payload data (`show`) is written exact, as that escape.
 */
export function surrogatesShown(text: string): string {
  return text.replace(loneSurrogate, unicodeEscape);
}

function unicodeEscape(char: string): string {
  const unit = `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return char.length === 1 ? unit : `${unit}\\u${char.charCodeAt(1).toString(16).padStart(4, '0')}`;
}

/**
 * Makes JSON text safe for a terminal without changing what it means: JSON.stringify already
 * escapes C0 controls, and this writes the rest of `untrustedCharacters` as `\uXXXX`, which only
 * occur inside strings. Every command's JSON output goes through it. Hint: the emoji rule reads
 * the JSON text, where a selector may follow a quote or an escape's last character rather than the
 * string's own; none is an emoji, and only a keycap's VS16 after an escape ending in a digit
 * (`\u0001` then VS16 and U+20E3) is kept here and not in the string: one selector, drawn as a keycap.
 */
export function escapeJsonForTerminal(json: string): string {
  return quotedMarksEscaped(json.replace(jsonUnsafe, machine), unicodeEscape);
}

/** A value as JSON (pretty-printed, two spaces), safe for a terminal: the one JSON writer of every command. */
export function toSafeJson(value: unknown): string {
  return escapeJsonForTerminal(withSourceNumbers(JSON.stringify(value, null, 2)));
}

/**
 * `toSafeJson(value)`, in pieces that join into it, none holding more than about twice `entries`
 * entries of arrays and objects: a report listing a million rows (`summarise --top 0`) is never
 * one string (450 MB, made three times over by the escapes). Hint: a value of no more entries,
 * all nested ones counted, is written by `toSafeJson` and indented to its depth; a larger one
 * member by member, as `JSON.stringify(value, null, 2)` lays them out. What the escapes change is
 * inside strings, and a piece never ends inside one, so the pieces escape as the whole does.
 */
export function* toSafeJsonPieces(value: unknown, entries = 1000): Generator<string> {
  if (entriesIn(value, entries) <= entries) yield toSafeJson(value);
  else yield* largeJsonPieces(value as object, '', entries);
}

/** The pieces of `value`, which holds more than `entries` entries, at `indent` (see `toSafeJsonPieces`). */
function* largeJsonPieces(value: object, indent: string, entries: number): Generator<string> {
  const inner = `${indent}  `;
  const array = Array.isArray(value);
  // Hint: as JSON.stringify: in an object, a member whose value it cannot write is left out; in an array, it is null.
  const members = array
    ? (value as unknown[]).map((item) => ['', writable(item) ? item : null] as const)
    : Object.entries(value as object).filter(([, item]) => writable(item));
  let held: string[] = [];
  let heldEntries = 0;
  yield array ? '[' : '{';
  for (const [i, [key, item]] of members.entries()) {
    const head = `${i === 0 ? '' : ','}\n${inner}${array ? '' : `${toSafeJson(key)}: `}`;
    const itemEntries = entriesIn(item, entries);
    if (itemEntries > entries) {
      if (held.length > 0) yield held.join('');
      held = [];
      heldEntries = 0;
      yield head;
      yield* largeJsonPieces(item as object, inner, entries);
      continue;
    }
    held.push(head, toSafeJson(item).replaceAll('\n', `\n${inner}`));
    heldEntries += 1 + itemEntries;
    if (heldEntries >= entries) {
      yield held.join('');
      held = [];
      heldEntries = 0;
    }
  }
  held.push(`\n${indent}${array ? ']' : '}'}`);
  yield held.join('');
}

/** Whether JSON.stringify writes `value` as a member of an object (not undefined, a function or a symbol). */
function writable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/**
 * How many entries `value`, an array or object, holds, those of the arrays and objects in it
 * counted too: 0 for any other value; counting stops past `most`.
 */
function entriesIn(value: unknown, most: number): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0 && count <= most) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object') continue;
    const items = Array.isArray(next) ? next : Object.values(next);
    count += items.length;
    for (const item of items) if (item !== null && typeof item === 'object') pending.push(item);
  }
  return count;
}
