/**
 * A fast yes for valid payloads: compiles a valibot schema into a function that says true only
 * when valibot would accept the value, without building valibot's output copy or its issues.
 * Whenever it is not sure (a schema type or action it does not know, a value it rejects) it says
 * false, and the caller asks valibot itself, which explains every problem. So the valibot
 * schemas stay the one definition of a valid payload; this only skips work on the common case.
 */
import type * as v from 'valibot';

/** True only when the schema the acceptor was compiled from accepts the value. */
export type Acceptor = (value: unknown) => boolean;

type Node = v.GenericSchema & {
  entries?: Record<string, Node>;
  wrapped?: Node;
  item?: Node;
  options?: readonly unknown[];
  pipe?: ReadonlyArray<{ kind: string; type: string; requirement?: unknown }>;
  default?: unknown;
  fallback?: unknown;
};

// Validation actions that are exactly `requirement.test(value)` on a string.
const regexActions = new Set(['regex', 'uuid', 'iso_timestamp', 'iso_date', 'iso_date_time', 'iso_time', 'email']);

// valibot's UUID expression, which `isUuid` matches exactly; another expression is run as it is.
const uuidSource = String.raw`^[\da-f]{8}(?:-[\da-f]{4}){3}-[\da-f]{12}$`;

function isUuidRegex(regex: RegExp): boolean {
  return regex.source === uuidSource && regex.flags.replace('u', '') === 'i';
}

const hexDigit = new Uint8Array(128);
for (const char of '0123456789abcdefABCDEF') hexDigit[char.charCodeAt(0)] = 1;

/**
 * `/^[\da-f]{8}(?:-[\da-f]{4}){3}-[\da-f]{12}$/iu.test(text)`, without the expression: a UUID is
 * six of a payload's fields, and this is ~2.5x faster. (No character outside ASCII folds to a-f.)
 */
function isUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) return false;
    } else if (code >= 128 || hexDigit[code] === 0) return false;
  }
  return true;
}

function compileBase(node: Node): Acceptor | undefined {
  if (node.fallback !== undefined || node.default !== undefined) return undefined;
  switch (node.type) {
    case 'string':
      return (value) => typeof value === 'string';
    case 'picklist': {
      const options = node.options;
      return options ? (value) => options.includes(value) : undefined;
    }
    case 'optional': {
      const inner = node.wrapped && compile(node.wrapped);
      return inner && ((value) => value === undefined || inner(value));
    }
    case 'nullable': {
      const inner = node.wrapped && compile(node.wrapped);
      return inner && ((value) => value === null || inner(value));
    }
    case 'array': {
      const item = node.item && compile(node.item);
      if (!item) return undefined;
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (let i = 0; i < value.length; i++) if (!item(value[i])) return false;
        return true;
      };
    }
    case 'loose_object': {
      if (!node.entries) return undefined;
      const keys: string[] = [];
      const accepts: Acceptor[] = [];
      for (const [key, entry] of Object.entries(node.entries)) {
        const accept = compile(entry);
        if (!accept) return undefined;
        keys.push(key);
        accepts.push(accept);
      }
      // Hint: a missing key reads as undefined, which only an optional entry accepts, as in valibot.
      return (value) => {
        if (typeof value !== 'object' || value === null) return false;
        const object = value as Record<string, unknown>;
        for (let i = 0; i < keys.length; i++) if (!accepts[i]!(object[keys[i]!])) return false;
        return true;
      };
    }
    default:
      return undefined;
  }
}

function compile(node: Node): Acceptor | undefined {
  const base = compileBase(node);
  if (!base || !node.pipe) return base;
  const tests: Array<(text: string) => boolean> = [];
  for (const action of node.pipe.slice(1)) {
    if (action.kind === 'metadata') continue;
    const requirement = action.requirement;
    if (action.kind !== 'validation' || !regexActions.has(action.type) || !(requirement instanceof RegExp)) {
      return undefined;
    }
    // A global or sticky expression remembers where it stopped; leave those to valibot.
    if (requirement.global || requirement.sticky) return undefined;
    tests.push(isUuidRegex(requirement) ? isUuid : (text) => requirement.test(text));
  }
  return (value) => {
    if (!base(value)) return false;
    for (const test of tests) if (!test(value as string)) return false;
    return true;
  };
}

const compiled = new WeakMap<object, Acceptor>();

/** The acceptor of `schema`, compiled once; one that never says yes when the schema has parts it does not know. */
export function acceptorOf(schema: v.GenericSchema): Acceptor {
  let accept = compiled.get(schema);
  if (!accept) {
    accept = compile(schema as Node) ?? (() => false);
    compiled.set(schema, accept);
  }
  return accept;
}
