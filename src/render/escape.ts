/**
 * One policy for untrusted text (payload text and file names), in a module of its own with no
 * imports, so that JSON output and fatal errors can use it without loading chalk or ICU.
 */

/**
 * The characters callhook never sends raw, to a terminal or into machine output (one policy for
 * every command and format): C0 controls, DEL and C1 controls (8-bit CSI is U+009B), so no escape
 * sequence can start; the bidi controls and marks that make text read differently from what it is
 * (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069); zero-width and invisible format characters
 * (U+200B–U+200D, U+2060–U+2064, U+FEFF); and the line and paragraph separators U+2028/U+2029.
 */
const untrustedCharacters =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// The same but C0: JSON.stringify escapes those inside strings, and outside them only the layout's newlines occur.
const jsonUnsafe = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

// The same without newline, for multi-line transcripts.
const unsafe =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const names: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\u001b': '\\e' };

// Hint: a zero-width joiner between two pictographs (👨‍👩‍👧, 🏃‍♂️) draws one visible emoji and can
// hide nothing, so it is kept there; anywhere else it is escaped like every invisible character.
const emojiBefore = /\p{Extended_Pictographic}[\ufe0f\u{1f3fb}-\u{1f3ff}]?$/u;
const emojiAfter = /^\p{Extended_Pictographic}/u;

/** Whether the character at `offset` is a zero-width joiner inside an emoji sequence. */
function isEmojiJoiner(text: string, offset: number): boolean {
  return (
    text.charCodeAt(offset) === 0x200d &&
    emojiBefore.test(text.slice(Math.max(0, offset - 4), offset)) &&
    emojiAfter.test(text.slice(offset + 1, offset + 3))
  );
}

function visible(char: string, offset: number, text: string): string {
  if (char === '\u200d' && isEmojiJoiner(text, offset)) return char;
  const named = names[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes payload text (and file names) safe for a terminal: every character of
 * `untrustedCharacters` is shown escaped (`\e[2J`, `\x07`, `\u202e`, `\u200b`), so nothing in a
 * name, transcript, message or path can move the cursor, retitle the window or hide text.
 * Newlines are kept when `keepNewlines` is set (for multi-line transcripts), escaped otherwise.
 */
export function escapeTerminal(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? unsafe : untrustedCharacters, visible);
}

/**
 * Makes payload text (and file names) safe in Markdown, in a table cell, a list or a heading: the
 * terminal policy first, then a backslash before each character Markdown would read as markup
 * (emphasis, code, links, HTML, entities, headings, table pipes, strike-through), and before each
 * mark that opens a block at the start of a line (a list's `-`, `+` or `1.`, a rule or a heading's
 * underline). Hint: the renderers wrap escaped text, so any blank may become a line start: such a
 * mark is escaped wherever a blank is next to it, not only after a newline.
 */
export function escapeMarkdown(text: string, keepNewlines = false): string {
  return escapeTerminal(text, keepNewlines)
    .replace(/[\\`*_[\]<>#|~&]/g, '\\$&')
    .replace(/(?<=^|\s)[-+=]|[-+=](?=\s|$)|(?<=\d)[.)](?=\s|$)/g, '\\$&');
}

/**
 * The same policy for machine formats (JSON, GitHub annotations, JUnit XML): each untrusted
 * character as a `\uXXXX` escape, which in JSON strings means exactly the character it replaces.
 */
export function escapeUnicode(text: string): string {
  return text.replace(untrustedCharacters, unicodeEscape);
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Makes JSON text safe for a terminal without changing what it means: JSON.stringify already
 * escapes C0 controls, and this writes the rest of `untrustedCharacters` as `\uXXXX`, which only
 * occur inside strings. Every command's JSON output goes through it.
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(jsonUnsafe, unicodeEscape);
}

/** A value as JSON (pretty-printed, two spaces), safe for a terminal: the one JSON writer of every command. */
export function toSafeJson(value: unknown): string {
  return escapeJsonForTerminal(JSON.stringify(value, null, 2));
}
