/**
 * A number as the file writes it, where a double cannot hold it. JSON.parse reads every number
 * into a double, which cannot hold `1e400` (Infinity, written `null`), `12345678901234567891`
 * (other digits) or `1e-400` (0): a payload's own fields may be such numbers, and show and trace
 * print the payload (`exactValue`, exact-value.ts), and `generate --set` refuses them. No imports
 * but Node's own: render/escape.ts, which every command's JSON goes through, puts such numbers back.
 */
import { randomUUID } from 'node:crypto';

/** A JSON number's value as its significant digits and the power of ten after them: `0.10` and `1e-1` give `1e-1`. */
export function decimalOf(text: string): string {
  const [, sign = '', whole = '', fraction = '', exponent = '0'] =
    /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text) ?? [];
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  // Hint: trailing zeros cut by a loop: `/0+$/` is quadratic on a run of zeros followed by another digit.
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  const significant = digits.slice(0, end);
  if (significant === '') return '0';
  // Hint: as a BigInt: a double lost `1e99999999999999999999` against `…98` (and 400 digits were Infinity), so two such numbers read alike.
  const power = BigInt(exponent) - BigInt(fraction.length) + BigInt(digits.length - significant.length);
  return `${sign}${significant}e${power}`;
}

/**
 * Whether a double holds the JSON number `text` as JSON.stringify writes it back: its shortest
 * form is the same decimal (`0.1`, `1.50`, `1e5`), and an integer written without a fraction or
 * an exponent comes back so. Hint: readers of integers (Python's json) read JSON.stringify's
 * `1e+23` as 99999999999999991611392, not the 10^23 a file wrote in full (hT46); and 2^60 comes
 * back as 1152921504606847000, other digits (hR50).
 */
export function doubleHolds(text: string): boolean {
  const number = Number(text);
  if (!Number.isFinite(number)) return false;
  const written = String(number);
  if (/^-?\d+$/.test(text) && written.includes('e')) return false;
  return decimalOf(text) === decimalOf(written);
}

/**
 * The mark a `SourceNumber` leaves in JSON.stringify's output, to be put back as its text. Hint:
 * random for each run, so that no payload's string can be taken for one; made when the first such
 * number is, so that a run with none pays nothing.
 */
let mark: { text: string; inJson: string; pattern: RegExp } | undefined;

function markOf(): string {
  if (!mark) {
    const text = `\u0000${randomUUID()}:`;
    const inJson = JSON.stringify(text).slice(1, -1);
    mark = { text, inJson, pattern: new RegExp(`"${inJson.replaceAll('\\', '\\\\')}([^"]*)"`, 'g') };
  }
  return mark.text;
}

/** A number whose value a double does not hold, with its text as the file writes it. */
export class SourceNumber {
  constructor(readonly text: string) {}

  /** Its value in one form, whatever the writing (`1e400` and `1E400`, `…891` and `…891.0`), to tell copies apart by. */
  get value(): string {
    return decimalOf(this.text);
  }

  toJSON(): string {
    return `${markOf()}${this.text}`;
  }
}

/** JSON.stringify's output of a value, each `SourceNumber` in it put back as the number's text. */
export function withSourceNumbers(json: string): string {
  // Hint: a function, not `'$1'`, as in `markdownMarkupEscaped`: V8 ends the process on a pattern's tens of millions of replacements.
  return mark && json.includes(mark.inJson) ? json.replace(mark.pattern, (_mark, text: string) => text) : json;
}
