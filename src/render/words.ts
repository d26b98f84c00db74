/** Small wording helpers the renderers share. */

const integer = new Intl.NumberFormat('en-US');

/** `1 event`, `1,234 events`: a count with its noun, grouped digits, the plural when it is not 1. */
export function plural(count: number, one: string, many = `${one}s`): string {
  // Hint: a whole count below 1000 has no group to separate, and String() costs far less than
  // Intl per call (listen draws a count per delivery).
  const digits = Number.isInteger(count) && count >= 0 && count < 1000 ? String(count) : integer.format(count);
  return `${digits} ${count === 1 ? one : many}`;
}
