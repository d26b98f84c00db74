/**
 * The JSON paths at many positions of one text, in one pass: what jsonc-parser's `getLocation`
 * says of each position, which re-reads the text from its start for every one.
 */
import { visit } from 'jsonc-parser';
import { javaScriptKeyOrder, type KeyOrder } from '../schema/check.js';

/** A path into JSON text: its keys and array indexes, outermost first (jsonc-parser's `JSONPath`). */
export type JsonPath = (string | number)[];

/** Thrown to end a read once every position is answered, as `getLocation` ends its own. */
const answered = Symbol('answered');

/**
 * `getLocation(text, position).path` for each of `positions`, in one read of `text` that ends
 * at the last of them. Hint: it follows `getLocation`'s own visitor, which stops at the first
 * token a position comes before (or, for a key or a value, lies inside); here a position is
 * answered there, and the read goes on for the next. But an array's items are counted, not its
 * commas: where a comma is missing (`[1 2]`), `getLocation` gives the items after it the index
 * of the one before. A property test holds the two equal, with such commas put in
 * (locations.test.ts). `keyless: 'object'` gives a position in an object where no key has been
 * read yet (after its `{` or a comma) the object's path, where `getLocation` adds an empty key, as
 * it does for a key that is "" (a half-typed key is no member to point at; a "" key is one).
 */
export function pathsAt(text: string, positions: readonly number[], keyless: 'empty' | 'object' = 'empty'): JsonPath[] {
  const order = positions.map((_, index) => index).sort((a, b) => (positions[a] as number) - (positions[b] as number));
  const paths: JsonPath[] = new Array(positions.length);
  const segments: Array<string | number> = [];
  // For each segment of an array: an item was read since its last comma; of an object: a key.
  const itemRead: boolean[] = [];
  let next = 0;
  /** Answers, with the path as it stands, each position still waiting that `reached` says is reached. */
  const answer = (reached: (position: number) => boolean) => {
    const last = segments.length - 1;
    const keyRead = keyless === 'empty' || typeof segments[last] !== 'string' || itemRead[last];
    for (; next < order.length; next++) {
      const index = order[next] as number;
      if (!reached(positions[index] as number)) return;
      paths[index] = keyRead ? [...segments] : segments.slice(0, last);
    }
    throw answered;
  };
  const at = (offset: number) => (position: number) => position <= offset;
  /** A value begins at `offset`: what comes before it is answered, and an item after one with no comma between is counted. */
  const beginValue = (offset: number) => {
    answer((position) => position < offset);
    const last = segments.length - 1;
    const index = segments[last];
    if (typeof index !== 'number') return;
    if (itemRead[last]) segments[last] = index + 1;
    itemRead[last] = true;
  };
  const open = (segment: string | number) => {
    segments.push(segment);
    itemRead.push(false);
  };
  /** The object or array read ends at `offset`: just past its own closing bracket is the value it closed. */
  const close = (offset: number, bracket: string) => {
    answer(at(offset));
    segments.pop();
    itemRead.pop();
    // Hint: as getLocation says too, unless an item follows with no comma between (`}{`): there the
    // error's pointer is asked (see `diagnoseSyntax`), and it names the item before. Not when the
    // text ended it otherwise (`[{]`): nothing closed it there.
    if (text[offset] === bracket) answer(at(offset + 1));
  };
  try {
    visit(text, {
      onObjectBegin: (offset) => {
        beginValue(offset);
        answer(at(offset));
        open('');
      },
      onObjectProperty: (name, offset, length) => {
        answer((position) => position < offset);
        segments[segments.length - 1] = name;
        itemRead[segments.length - 1] = true;
        answer(at(offset + length));
      },
      onObjectEnd: (offset) => {
        close(offset, '}');
      },
      onArrayBegin: (offset) => {
        beginValue(offset);
        answer(at(offset));
        open(0);
      },
      onArrayEnd: (offset) => {
        close(offset, ']');
      },
      onLiteralValue: (_value, offset, length) => {
        beginValue(offset);
        answer(at(offset + length));
      },
      onSeparator: (separator, offset) => {
        answer(at(offset));
        if (separator !== ',') return;
        const last = segments.length - 1;
        const index = segments[last];
        segments[last] = typeof index === 'number' ? index + 1 : '';
        itemRead[last] = false;
      },
    });
    answer(() => true);
  } catch (error) {
    if (error !== answered) throw error;
  }
  return paths;
}

/** A JSON path as a pointer reads: an array index a number, an object key a string. */
export type PathSegments = ReadonlyArray<string | number>;

/** Where the value a path names begins, and where its key begins (its own start for a value with no key). */
export interface ValuePlace {
  offset: number;
  keyOffset: number;
}

/**
 * The paths asked for, as a tree of segments, each node with the place of its value once found.
 * Segments are kept as text: a JSON pointer's `7` names an array's eighth item or an object's key "7".
 */
interface PathNode {
  children: Map<string, PathNode>;
  place?: ValuePlace;
}

/** Forgets the places found under `node` and its own: a later copy of its key is the one kept. */
function forget(node: PathNode): void {
  if (node.place === undefined) return;
  node.place = undefined;
  for (const child of node.children.values()) forget(child);
}

/** An object or array being read: its node among the wanted, if any, and what it has read so far. */
interface Open {
  wanted: PathNode | undefined;
  object: boolean;
  /** An array's items so far. */
  index: number;
  /** The node of the key an object just read, and where that key begins. */
  next: PathNode | undefined;
  keyOffset: number;
}

/**
 * For each path, the place of the deepest value along it that the text holds, as a JSON pointer
 * names it: a segment names an object's member by its key (the last copy of a key given more
 * than once, the one JSON.parse keeps), and an array's item by its index, written as a number or
 * as its digits (`0`, `7`, not `07`). It is what jsonc-parser's `findNodeAtLocation` finds on
 * `parseTree`'s tree for the longest prefix found, save that `findNodeAtLocation` takes a number
 * for an item and a string for a key, and so missed a key made of digits, and finds the first
 * copy of a key. One read of a valid JSON text, without the tree, which for an element of two
 * million keys took a gigabyte. The text's start when none is found.
 */
export function placesAt(text: string, paths: readonly PathSegments[]): ValuePlace[] {
  const root: PathNode = { children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      const key = String(segment);
      let child = node.children.get(key);
      if (!child) {
        child = { children: new Map() };
        node.children.set(key, child);
      }
      node = child;
    }
  }
  const open: Open[] = [];
  /** Finds the value beginning at `offset`, and returns its node among the wanted. */
  const begin = (offset: number): PathNode | undefined => {
    const parent = open.at(-1);
    let wanted: PathNode | undefined;
    let keyOffset = offset;
    if (!parent) wanted = root;
    else if (parent.object) {
      wanted = parent.next;
      keyOffset = parent.keyOffset;
      parent.next = undefined;
    } else if (parent.wanted) wanted = parent.wanted.children.get(String(parent.index++));
    if (wanted && !wanted.place) wanted.place = { offset, keyOffset };
    return wanted;
  };
  const push = (wanted: PathNode | undefined, object: boolean) => {
    open.push({ wanted, object, index: 0, next: undefined, keyOffset: 0 });
  };
  visit(text, {
    onObjectBegin: (offset) => push(begin(offset), true),
    onArrayBegin: (offset) => push(begin(offset), false),
    onObjectEnd: () => {
      open.pop();
    },
    onArrayEnd: () => {
      open.pop();
    },
    onLiteralValue: (_value, offset) => {
      begin(offset);
    },
    onObjectProperty: (name, offset) => {
      const object = open.at(-1);
      if (!object?.wanted) return;
      const wanted = object.wanted.children.get(name);
      // Hint: a key given again replaces what its copy before held, as JSON.parse keeps the last.
      if (wanted) forget(wanted);
      object.next = wanted;
      object.keyOffset = offset;
    },
  });
  return paths.map((path) => {
    let node: PathNode | undefined = root;
    let place = root.place ?? { offset: 0, keyOffset: 0 };
    for (const segment of path) {
      node = node.children.get(String(segment));
      if (!node?.place) break;
      place = node.place;
    }
    return place;
  });
}

/** An object or array of a value being read from its text: the value's own, when it kept it, and what it has read so far. */
interface Read {
  value: unknown;
  /** An object's keys so far, each where its last copy stands. */
  keys: Set<string> | undefined;
  /** An array's items so far, or the key an object just read. */
  index: number;
  key: string | undefined;
}

/**
 * The order of the keys of each object of `value` (the value `JSON.parse` makes of `text`) as
 * its text gives them, each key where its last copy stands, the copy `JSON.parse` keeps (and
 * `placesAt` names). Hint: JavaScript's order differs only where an object has a key that is an
 * array index or a key given twice (see `KeyOrder`), so it is worth its read of the text only
 * there. An object the value did not keep (under a key given before again) is read and dropped;
 * the copy the value kept is read last.
 */
export function textKeyOrder(text: string, value: unknown): KeyOrder {
  const orders = new WeakMap<object, { keys: readonly string[]; index: Map<string, number> }>();
  const open: Read[] = [];
  /** The value the text holds at the value beginning now, when the parsed value kept it. */
  const kept = (): unknown => {
    const parent = open.at(-1);
    if (!parent) return value;
    const container = parent.value as Record<string, unknown> | unknown[] | undefined;
    if (container === undefined) return undefined;
    if (Array.isArray(container)) return container[parent.index++];
    const key = parent.key;
    return key !== undefined && Object.hasOwn(container, key) ? container[key] : undefined;
  };
  const begin = (object: boolean) => {
    const value = kept();
    const own = typeof value === 'object' && value !== null && Array.isArray(value) !== object ? value : undefined;
    open.push({ value: own, keys: object ? new Set() : undefined, index: 0, key: undefined });
  };
  visit(text, {
    onObjectBegin: () => begin(true),
    onArrayBegin: () => begin(false),
    onObjectEnd: () => {
      const object = open.pop();
      if (!object?.value || !object.keys) return;
      const keys = [...object.keys.keys()];
      orders.set(object.value, { keys, index: new Map(keys.map((key, i) => [key, i])) });
    },
    onArrayEnd: () => {
      open.pop();
    },
    onLiteralValue: () => {
      kept();
    },
    onObjectProperty: (name) => {
      const object = open.at(-1);
      if (!object?.keys) return;
      // Hint: a key given again moves to where its new copy stands (a Set keeps the order of adding).
      object.keys.delete(name);
      object.keys.add(name);
      object.key = name;
    },
  });
  return {
    keysOf: (object) => orders.get(object)?.keys ?? javaScriptKeyOrder.keysOf(object),
    indexOf: (object, key) => {
      const order = orders.get(object);
      return order ? (order.index.get(key) ?? -1) : javaScriptKeyOrder.indexOf(object, key);
    },
  };
}
