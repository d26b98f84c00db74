/** The bytes of JSON text that the input layer's scanners look for. */

export const SPACE = 0x20;
export const TAB = 0x09;
export const RETURN = 0x0d;
export const NEWLINE = 0x0a;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/**
 * UTF-8's byte order mark: skipped at a file's start, where columns begin after it. Hint: typed,
 * for its inferred type gives Buffer a type argument in the declarations, which older @types/node refuse.
 */
export const UTF8_BOM: Buffer = Buffer.from([0xef, 0xbb, 0xbf]);

/** True for JSON whitespace: space, tab, line feed, carriage return; false past the end (undefined). */
export function isSpace(byte: number | undefined): boolean {
  return byte === SPACE || byte === NEWLINE || byte === RETURN || byte === TAB;
}

/** Whether `byte` ends a scalar (a number or a literal): JSON whitespace, a bracket, a comma, a colon or a quote. */
export function isDelimiter(byte: number): boolean {
  return (
    isSpace(byte) ||
    byte === COMMA ||
    byte === COLON ||
    byte === QUOTE ||
    byte === OPEN_BRACE ||
    byte === CLOSE_BRACE ||
    byte === OPEN_BRACKET ||
    byte === CLOSE_BRACKET
  );
}

// Hint: a bracket, a string, a number or a literal's letter; a binary format's magic number
// (PNG, ZIP, gzip...) is none.
const jsonStart = new Set([
  0x7b, 0x5b, 0x22, 0x2d, 0x74, 0x66, 0x6e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
]);

/** Whether a JSON value may begin with `byte`. */
export function beginsJsonValue(byte: number | undefined): boolean {
  return byte !== undefined && jsonStart.has(byte);
}
