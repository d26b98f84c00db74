/** Small wording helpers the renderers share. */

const integer = new Intl.NumberFormat('en-US');

/** `1 event`, `1,234 events`: a count with its noun, grouped digits, the plural when it is not 1. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${integer.format(count)} ${count === 1 ? one : many}`;
}
