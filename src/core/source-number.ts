/**
 * A number as the file writes it, where a double cannot hold it, and the JSON writer that puts it
 * back. JSON.parse reads every number into a double, which cannot hold `1e400` (Infinity, written
 * `null`), `12345678901234567891` (other digits) or `1e-400` (0): a payload's own fields may be
 * such numbers, and show and trace print the payload (see `exactValue`, input/exact-value.ts).
 * No imports, as render/escape.ts has none else: every command's JSON goes through it.
 */

/**
 * The mark a `SourceNumber` leaves in JSON.stringify's output, to be put back as the number's
 * text. Hint: random for each run, so that no payload's string can be taken for one; made when the
 * first such number is, so that a run with none pays nothing.
 */
let mark: { text: string; inJson: string; pattern: RegExp } | undefined;

function markOf(): string {
  if (!mark) {
    const text = `\u0000${globalThis.crypto.randomUUID()}:`;
    const inJson = JSON.stringify(text).slice(1, -1);
    mark = { text, inJson, pattern: new RegExp(`"${inJson.replaceAll('\\', '\\\\')}([^"]*)"`, 'g') };
  }
  return mark.text;
}

/** A number whose value a double does not hold, with its text as the file writes it. */
export class SourceNumber {
  constructor(readonly text: string) {}

  toJSON(): string {
    return `${markOf()}${this.text}`;
  }
}

/** `value` as JSON.stringify writes it (`space` as its), a `SourceNumber` as its text. */
export function stringifyExact(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space);
  return mark && json.includes(mark.inJson) ? json.replace(mark.pattern, '$1') : json;
}
