import fc from 'fast-check';
import { getLocation, type Node, parseTree, printParseErrorCode, visit } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { type PathSegments, pathsAt, placesAt, textKeyOrder } from './locations.js';

/** Texts near JSON: valid values, and the same cut, spliced or with a token dropped or doubled. */
const texts = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2, depthSize: 'small' }).map((value) => JSON.stringify(value, null, 1) ?? 'null'),
    fc
      .tuple(
        fc.jsonValue({ maxDepth: 2, depthSize: 'small' }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', ',', ':', '{', '}', '[', ']', '"', ' 1 ', '//c\n'),
      )
      .map(([value, from, to, insert]) => {
        const text = JSON.stringify(value) ?? 'null';
        const a = from % (text.length + 1);
        const b = Math.min(text.length, a + (to % 4));
        return text.slice(0, a) + insert + text.slice(b);
      }),
    fc.stringMatching(/^[{}[\],:"a1 \n]{0,30}$/),
  )
  .map((text) => text.slice(0, 120));

/**
 * `getLocation`'s path at each position of `text`, with the commas its arrays miss put in first:
 * getLocation counts an array's commas, pathsAt its items, and the two differ only where a comma
 * is missing (`[1 2]`). Each goes where jsonc-parser says one is expected, before an item; a
 * position past it moves on with the text. Hint: the position where any comma is missing has no
 * one place in the text with the comma (`0[` is the end of `0` and the start of `[`), so it is
 * left out (undefined); the test below says what pathsAt gives there.
 */
function withCommasPutIn(text: string): (position: number) => Array<string | number> | undefined {
  const expected = new Set<number>();
  const values = new Set<number>();
  // Where any comma is missing (in an object too: `{}"b"`): see the hint above.
  const unplaced = new Set<number>();
  const arrays: boolean[] = [];
  visit(text, {
    onArrayBegin: (offset) => {
      values.add(offset);
      arrays.push(true);
    },
    onArrayEnd: () => arrays.pop(),
    onObjectBegin: (offset) => {
      values.add(offset);
      arrays.push(false);
    },
    onObjectEnd: () => arrays.pop(),
    onLiteralValue: (_value, offset) => values.add(offset),
    onError: (error, offset) => {
      if (printParseErrorCode(error) !== 'CommaExpected') return;
      if (arrays.at(-1) === true) expected.add(offset);
      else unplaced.add(offset);
    },
  });
  // Only before an item: after `[1 :` no item follows, and none is counted.
  const missing = [...expected].filter((offset) => values.has(offset));
  for (const offset of missing) unplaced.add(offset);
  let repaired = text;
  for (const at of [...missing].reverse()) repaired = `${repaired.slice(0, at)},${repaired.slice(at)}`;
  return (position) =>
    unplaced.has(position)
      ? undefined
      : [...getLocation(repaired, position + missing.filter((at) => at < position).length).path];
}

describe('pathsAt', () => {
  it("gives getLocation's path at every position of a text, valid or broken, in one read", () => {
    fc.assert(
      fc.property(texts, (text) => {
        const pathAt = withCommasPutIn(text);
        const positions = Array.from({ length: text.length + 2 }, (_, i) => i).filter((i) => pathAt(i) !== undefined);
        expect(pathsAt(text, positions)).toEqual(positions.map(pathAt));
        // In any order, with repeats.
        const shuffled = [...positions].reverse().concat(positions.slice(0, 3));
        expect(pathsAt(text, shuffled)).toEqual(shuffled.map(pathAt));
      }),
      { numRuns: 120 },
    );
  });

  it('counts the items of an array a comma is missing between', () => {
    const text = '{"a":[1 2, 3 4],"b":[{} [] "x"]}';
    const at = (token: string, from = 0) => pathsAt(text, [text.indexOf(token, from)])[0];
    expect([at('2'), at('3'), at('4'), at('{}'), at('[]'), at('"x"')]).toEqual([
      ['a', 1],
      ['a', 2],
      ['a', 3],
      ['b', 0],
      ['b', 1],
      ['b', 2],
    ]);
    // Where the comma is missing, what stands before the item is still of the item before; so is
    // what stands just past a bracket, even where the next begins (a missing comma's pointer).
    expect(pathsAt(text, [text.indexOf(' 2')])).toEqual([['a', 0]]);
    const closed = '[{}{},[]"x"]';
    expect(pathsAt(closed, [3, 8])).toEqual([[0], [2]]);
  });
});

/** A JSON text whose objects may repeat a key, as JSON.stringify never writes one, and the paths in it. */
type Written = { text: string; paths: PathSegments[] };
const written: fc.Arbitrary<Written> = fc.letrec<{ value: Written }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('1', 'null', '"x"', 'true', '-2.5e3', '"\\u0041"').map((text) => ({ text, paths: [[]] })),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => ({
      text: `[${items.map((item) => item.text).join(', ')}]`,
      paths: [[], ...items.flatMap((item, i) => item.paths.map((path) => [i, ...path]))],
    })),
    fc
      .array(fc.tuple(fc.constantFrom('a', 'b', '0', '10', '2', '', '__proto__', 'a/b', 'constructor'), tie('value')), {
        maxLength: 4,
      })
      .map((members) => ({
        text: `{ ${members.map(([key, item]) => `${JSON.stringify(key)}:${item.text}`).join(',\n')} }`,
        paths: [[], ...members.flatMap(([key, item]) => item.paths.map((path) => [key, ...path]))],
      })),
  ),
})).value;

/**
 * The old way: the tree, and the longest prefix of the path it finds, read as a JSON pointer reads
 * it, a key given more than once naming its last copy (`findNodeAtLocation` itself takes a number
 * for an item and a string for a key, and so missed a key made of digits that a pointer names).
 */
function placeByTree(text: string, path: PathSegments) {
  const tree = parseTree(text);
  if (!tree) return { offset: 0, keyOffset: 0 };
  let node: Node = tree;
  let keyOffset = tree.offset;
  for (const segment of path) {
    const text = String(segment);
    let next: Node | undefined;
    if (node.type === 'object') {
      // The last member of a key given more than once: the one JSON.parse keeps.
      const member = node.children?.findLast((property) => property.children?.[0]?.value === text);
      next = member?.children?.[1];
      if (member) keyOffset = member.offset;
    } else if (node.type === 'array' && /^(0|[1-9][0-9]*)$/.test(text)) {
      next = node.children?.[Number(text)];
      if (next) keyOffset = next.offset;
    }
    if (!next) break;
    node = next;
  }
  return { offset: node.offset, keyOffset };
}

describe('placesAt', () => {
  it('names the last copy of a key given three times, as JSON.parse keeps it, and nothing of the copies before', () => {
    const text = '{"a": {"b": 1, "c": 2}, "x": 0, "a": {"b": 3}, "a": {"c": 4}}';
    const [a, c, b] = placesAt(text, [['a'], ['a', 'c'], ['a', 'b']]);
    expect(a).toEqual({ offset: text.lastIndexOf('{"c"'), keyOffset: text.lastIndexOf('"a"') });
    expect(c).toEqual({ offset: text.indexOf('4'), keyOffset: text.lastIndexOf('"c"') });
    // The copy kept has no "b": its place is the deepest value the path finds, the last "a".
    expect(b).toEqual(a);
  });

  it('finds what a walk of the tree finds, for paths in the text, past it and beside it, in one read', () => {
    const segment = fc.constantFrom<string | number>('a', 'b', '0', 0, 1, 3, '', 'constructor', '__proto__', 'a/b');
    fc.assert(
      fc.property(written, fc.array(fc.array(segment, { maxLength: 4 }), { maxLength: 6 }), (value, extra) => {
        const { text } = value;
        expect(() => JSON.parse(text)).not.toThrow();
        const paths = [
          ...value.paths,
          ...value.paths.flatMap((path) => extra.map((more) => [...path, ...more])),
          ...extra,
        ];
        expect(placesAt(text, paths)).toEqual(paths.map((path) => placeByTree(text, path)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('textKeyOrder', () => {
  it('lists the keys of every object of the value in the order placesAt finds them in the text', () => {
    fc.assert(
      fc.property(written, ({ text }) => {
        const value: unknown = JSON.parse(text);
        const order = textKeyOrder(text, value);
        const check = (node: unknown, path: Array<string | number>) => {
          if (typeof node !== 'object' || node === null) return;
          if (Array.isArray(node)) {
            for (const [i, item] of node.entries()) check(item, [...path, i]);
            return;
          }
          const keys = Object.keys(node);
          const offsets = placesAt(
            text,
            keys.map((key) => [...path, key]),
          ).map((place) => place.keyOffset);
          const byText = keys.map((key, i) => ({ key, at: offsets[i] as number })).sort((a, b) => a.at - b.at);
          expect(order.keysOf(node)).toEqual(byText.map(({ key }) => key));
          for (const [i, { key }] of byText.entries()) expect(order.indexOf(node, key)).toBe(i);
          expect(order.indexOf(node, 'not a key')).toBe(-1);
          for (const key of keys) check((node as Record<string, unknown>)[key], [...path, key]);
        };
        check(value, []);
      }),
      { numRuns: 300 },
    );
  });
});
