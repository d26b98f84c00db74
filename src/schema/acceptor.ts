/**
 * A fast yes for valid payloads: compiles a valibot schema into a function that says true only
 * when valibot would accept the value, without building valibot's output copy or its issues.
 * Whenever it is not sure (a schema type or action it does not know, a value it rejects) it says
 * false, and the caller asks valibot itself, which explains every problem. So the valibot
 * schemas stay the one definition of a valid payload; this only skips work on the common case.
 */
import type * as v from 'valibot';

/** True only when the schema the acceptor was compiled from accepts the value. */
type Acceptor = (value: unknown) => boolean;

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
const regexActions = new Set(['regex', 'uuid']);

// valibot's UUID expression, which `isUuid` matches exactly; another expression is run as it is.
const uuidSource = String.raw`^[\da-f]{8}(?:-[\da-f]{4}){3}-[\da-f]{12}$`;

function isUuidRegex(regex: RegExp): boolean {
  return regex.source === uuidSource && regex.flags.replace('u', '') === 'i';
}

// 1 for the characters of a hexadecimal digit; indexed by any UTF-16 code unit.
const hexDigit = new Uint8Array(65536);
for (const char of '0123456789abcdefABCDEF') hexDigit[char.charCodeAt(0)] = 1;

/**
 * `/^[\da-f]{8}(?:-[\da-f]{4}){3}-[\da-f]{12}$/iu.test(text)`, without the expression: a UUID is
 * six of a payload's fields, and this is several times faster. (No character outside ASCII folds to a-f.)
 */
function isUuid(text: string): boolean {
  if (text.length !== 36) return false;
  if (text.charCodeAt(8) !== 0x2d || text.charCodeAt(13) !== 0x2d) return false;
  if (text.charCodeAt(18) !== 0x2d || text.charCodeAt(23) !== 0x2d) return false;
  let digits = 1;
  for (let i = 0; i < 8; i++) digits &= hexDigit[text.charCodeAt(i)] ?? 0;
  for (let i = 9; i < 13; i++) digits &= hexDigit[text.charCodeAt(i)] ?? 0;
  for (let i = 14; i < 18; i++) digits &= hexDigit[text.charCodeAt(i)] ?? 0;
  for (let i = 19; i < 23; i++) digits &= hexDigit[text.charCodeAt(i)] ?? 0;
  for (let i = 24; i < 36; i++) digits &= hexDigit[text.charCodeAt(i)] ?? 0;
  return digits === 1;
}

/** Writes the source of an acceptor: statements that `return false` when the value at `at` is refused. */
class AcceptorSource {
  /** Values the source refers to as `k[i]`: picklists' options and regular expressions. */
  readonly constants: unknown[] = [];
  private names = 0;

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  private fresh(): string {
    return `v${this.names++}`;
  }

  /** The statements checking `at` against `node`, or undefined for a part of a schema it does not know. */
  check(node: Node, at: string): string | undefined {
    const base = this.checkBase(node, at);
    if (base === undefined || !node.pipe) return base;
    let out = base;
    for (const action of node.pipe.slice(1)) {
      if (action.kind === 'metadata') continue;
      const requirement = action.requirement;
      // A `check` is a predicate on the value: the acceptor calls it as valibot would.
      if (action.kind === 'validation' && action.type === 'check' && typeof requirement === 'function') {
        out += `if (!${this.constant(requirement)}(${at})) return false;`;
        continue;
      }
      if (action.kind !== 'validation' || !regexActions.has(action.type) || !(requirement instanceof RegExp)) {
        return undefined;
      }
      // A global or sticky expression remembers where it stopped; leave those to valibot.
      if (requirement.global || requirement.sticky) return undefined;
      const test = isUuidRegex(requirement) ? `isUuid(${at})` : `${this.constant(requirement)}.test(${at})`;
      out += `if (!${test}) return false;`;
    }
    return out;
  }

  private checkBase(node: Node, at: string): string | undefined {
    if (node.fallback !== undefined || node.default !== undefined) return undefined;
    switch (node.type) {
      case 'string':
        return `if (typeof ${at} !== 'string') return false;`;
      case 'picklist':
        return node.options && `if (!${this.constant(node.options)}.includes(${at})) return false;`;
      case 'optional':
      case 'nullable': {
        const inner = node.wrapped && this.check(node.wrapped, at);
        return inner && `if (${at} !== ${node.type === 'optional' ? 'undefined' : 'null'}) {${inner}}`;
      }
      case 'array': {
        const [index, item] = [this.fresh(), this.fresh()];
        const inner = node.item && this.check(node.item, item);
        if (inner === undefined) return undefined;
        return `if (!Array.isArray(${at})) return false;
for (let ${index} = 0; ${index} < ${at}.length; ${index}++) { const ${item} = ${at}[${index}]; ${inner} }`;
      }
      case 'loose_object': {
        if (!node.entries) return undefined;
        // Hint: a missing key reads as undefined, which only an optional entry accepts, as in valibot.
        let out = `if (typeof ${at} !== 'object' || ${at} === null) return false;`;
        for (const [key, entry] of Object.entries(node.entries)) {
          const field = this.fresh();
          const inner = this.check(entry, field);
          if (inner === undefined) return undefined;
          out += `\nconst ${field} = ${at}[${JSON.stringify(key)}]; ${inner}`;
        }
        return out;
      }
      default:
        return undefined;
    }
  }
}

/**
 * Compiles `schema` into the source of one function, built with `new Function`. Hint: closures
 * nested per field read each field with a key from an array, a lookup V8 cannot specialise;
 * written out, `value["sessionId"]` is a plain property load, and checking takes about half the time.
 */
function compile(schema: Node): Acceptor | undefined {
  const source = new AcceptorSource();
  const body = source.check(schema, 'value');
  if (body === undefined) return undefined;
  let make: (...args: unknown[]) => Acceptor;
  try {
    make = new Function('isUuid', 'k', `return function accept(value) {\n${body}\nreturn true;\n};`) as typeof make;
  } catch (error) {
    // Hint: where code generation from strings is refused (node --disallow-code-generation-from-strings,
    // a Content-Security-Policy without 'unsafe-eval'), `new Function` throws an
    // EvalError; valibot alone then checks every value: slower, and exactly as right.
    if (error instanceof EvalError) return undefined;
    throw error;
  }
  return make(isUuid, source.constants);
}

const compiled = new WeakMap<object, Acceptor>();

/**
 * The acceptor of `schema`, compiled once; one that never says yes (so valibot decides) when the
 * schema has parts it does not know or code generation is refused.
 */
export function acceptorOf(schema: v.GenericSchema): Acceptor {
  let accept = compiled.get(schema);
  if (!accept) {
    accept = compile(schema as Node) ?? (() => false);
    compiled.set(schema, accept);
  }
  return accept;
}
