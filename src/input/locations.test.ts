import fc from 'fast-check';
import { getLocation, type Node, parseTree } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { type PathSegments, pathsAt, placesAt } from './locations.js';

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

describe('pathsAt', () => {
  it("gives getLocation's path at every position of a text, valid or broken, in one read", () => {
    fc.assert(
      fc.property(texts, (text) => {
        const positions = Array.from({ length: text.length + 2 }, (_, i) => i);
        const expected = positions.map((position) => [...getLocation(text, position).path]);
        expect(pathsAt(text, positions)).toEqual(expected);
        // In any order, with repeats.
        const shuffled = [...positions].reverse().concat(positions.slice(0, 3));
        expect(pathsAt(text, shuffled)).toEqual(shuffled.map((position) => expected[position]));
      }),
      { numRuns: 120 },
    );
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
      .array(fc.tuple(fc.constantFrom('a', 'b', '0', '', '__proto__', 'a/b', 'constructor'), tie('value')), {
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
 * it (`findNodeAtLocation` itself takes a number for an item and a string for a key, and so missed a
 * key made of digits that a pointer names).
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
      const member = node.children?.find((property) => property.children?.[0]?.value === text);
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
