/**
 * A payload's numbers as the file writes them: the value JSON.parse read, read again from the
 * element's text where a number in it may be one a double does not hold. Pure.
 */
import { type Node, parseTree } from 'jsonc-parser';
import { doubleHolds, SourceNumber } from './source-number.js';

// Hint: a double holds every decimal of at most 15 significant digits within its range, so only a
// number of 16 digits or more (a `.` among them) or with an exponent may lose its value; a number
// follows a `:`, `,` or `[`, blanks aside (a UUID's `8e2` does not). The search is of the whole
// text, strings too: each such number is asked whether a double holds it, and only one that it
// does not has the text read again (one in a string wrongly suspected is then read as it was).
const suspects = /[[:,]\s*(-?(?:\d[\d.]{15}|[\d.]+[eE])[\d.eE+-]*)/g;

/** Whether `text` may hold a number a double does not hold (see `suspects`). */
function mayNotHold(text: string): boolean {
  for (const [, number] of text.matchAll(suspects)) if (!doubleHolds(number as string)) return true;
  return false;
}

/**
 * `value`, as JSON.parse read it from `text` (an element's source), with every number whose
 * value a double does not hold made a `SourceNumber`: `value` itself when it has none.
 */
export function exactValue(value: unknown, text: string): unknown {
  // Hint: not read again for a number a double holds: the tree of a 64 MB element with one
  // `1.5e3` in it ran replay --fresh out of V8's heap (review hR58).
  if (!mayNotHold(text)) return value;
  const tree = parseTree(text);
  let changed = false;
  const read = (node: Node): unknown => {
    switch (node.type) {
      case 'object': {
        const object: Record<string, unknown> = {};
        for (const member of node.children ?? []) {
          const [key, item] = member.children as [Node, Node];
          // Hint: defined, not assigned, so that a `__proto__` key is data, as JSON.parse makes it.
          Object.defineProperty(object, key.value as string, {
            value: read(item),
            writable: true,
            enumerable: true,
            configurable: true,
          });
        }
        return object;
      }
      case 'array':
        return (node.children ?? []).map(read);
      case 'number': {
        const source = text.slice(node.offset, node.offset + node.length);
        if (doubleHolds(source)) return Number(source);
        changed = true;
        return new SourceNumber(source);
      }
      default:
        return node.value;
    }
  };
  const exact = tree === undefined ? value : read(tree);
  return changed ? exact : value;
}
