/** Terminal facts every renderer shares: whether to colour, and how to make untrusted text safe. */
import { Chalk, type ChalkInstance } from 'chalk';

/** Whether output to `stream` should be coloured: `--no-color` and NO_COLOR win, then FORCE_COLOR, then TTY. */
export function useColor(
  stream: { isTTY?: boolean | undefined },
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (argv.includes('--no-color') || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true;
}

/** A chalk instance that colours only when `useColor` says so for that stream. */
export function colorsFor(stream: { isTTY?: boolean | undefined }): ChalkInstance {
  return new Chalk({ level: useColor(stream) ? 2 : 0 });
}

// C0 controls but newline, DEL, C1 controls (8-bit CSI is U+009B), and the bidirectional
// overrides that can make text read differently from what it is.
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const unsafeWithNewline = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const names: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\u001b': '\\e' };

function visible(char: string): string {
  const named = names[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes payload text safe for a terminal: every control character, escape sequence introducer
 * and bidi override is shown escaped (`\e[2J`, `\x07`, `\u202e`), so nothing in a name,
 * transcript or message can move the cursor, retitle the window or hide text.
 * Newlines are kept when `keepNewlines` is set (for multi-line transcripts), escaped otherwise.
 */
export function escapeTerminal(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? unsafe : unsafeWithNewline, visible);
}
