/** The names the CLI needs at start-up, kept apart from the schemas so `--help` loads no valibot. */
import { clusterBoundary } from '../input/clusters.js';

/**
 * `value` frozen, and every plain object and array it holds. Hint: what the library exports is the
 * very list or schema validation reads, so a JavaScript caller's `push` changed validation for the
 * whole process (the `.d.ts` says readonly, which binds TypeScript callers alone).
 */
export function deepFrozen<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  const prototype = Object.getPrototypeOf(value);
  // Hint: only data is frozen: a Map keeps its entries where freezing does not reach, and a frozen
  // RegExp runs V8's slow path (README, the library's frozen exports).
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFrozen(child);
  return value;
}

/** The five event types the platform sends. */
export const eventTypes = deepFrozen([
  'CallComplete',
  'CallAttempted',
  'CallReceived',
  'SMSSent',
  'SMSReceived',
] as const);
/** One of the five event types. */
export type EventType = (typeof eventTypes)[number];

/** CallComplete statuses, in the order reports list them. */
export const callStatuses = deepFrozen(['Complete', 'Partial', 'Not Complete'] as const);

/** A CallAttempted's statuses, in the order reports list them. */
export const attemptStatuses = deepFrozen(['success', 'failed'] as const);

/** What a CallReceived's `type` says: an inbound call, or an outbound callback. */
export const receivedTypes = deepFrozen(['inbound', 'outbound-callback'] as const);

/** Status groups: Complete and Partial form the Complete group; Not Complete is Failed. */
export const statusGroups = deepFrozen({ Complete: ['Complete', 'Partial'], Failed: ['Not Complete'] } as const);
/** A status group name. */
export type StatusGroup = keyof typeof statusGroups;
/** A CallComplete status. */
export type CallStatus = (typeof callStatuses)[number];

/**
 * A phone in international format without '+', as PAYLOADS gives CallComplete's: a country code
 * never starts with 0 (a leading 0 is a national or dialling prefix), and E.164 allows at most 15
 * digits. The other types' numbers are digits, warned of when not so (`phone-format`).
 */
export const phonePattern = /^[1-9][0-9]{4,14}$/;

/**
 * A number of the other types (`phone`, `from`, `to`) as PAYLOADS gives it: digits. The options
 * that take a number (--phone, --org-number) hold it so too.
 */
export const digitsPattern = /^[0-9]+$/;

/** Whether `status` is one of the documented CallComplete statuses. */
export function isCallStatus(status: string): status is CallStatus {
  return callStatuses.some((documented) => documented === status);
}

/**
 * Refuses an option outside its list of choices with a TypeError naming them: a library caller in
 * JavaScript gets no compile-time check, and a wrong choice would otherwise crash deep inside or be
 * silently taken as the default.
 */
export function assertChoice(what: string, value: string | undefined, choices: readonly string[]): void {
  if (value !== undefined && !choices.includes(value)) {
    throw new TypeError(`${what} must be one of ${choices.join(', ')} (got ${shownValue(value)})`);
  }
}

/** Refuses a number option that is not a whole number from `min` to `max`, with a TypeError naming it, as assertChoice does. */
export function assertWholeNumber(
  what: string,
  value: number | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new TypeError(`${what} must be a whole number ${range} (got ${shownValue(value)})`);
  }
}

/**
 * A caller's options, checked: options that are not an object (null, a string, a list: a secret
 * given where its options go) are refused with a TypeError, as assertChoice refuses one option,
 * instead of failing inside on reading one; so is an option `call` does not take (see
 * `assertOptionsTaken`). Gives each option `call` takes as the caller's object gives it (its own,
 * or from a class or prototype of its own: a getter too), but never from Object.prototype: undefined
 * there. Hint: an option left out was looked up on Object.prototype, so a host that had set
 * `Object.prototype.type` (an old polyfill, a polluted dependency) made every call given no
 * options refuse `type "x"` (hT62); and only the caller's own, a class's getter was dropped (hR59).
 * Each option is an own key of the result, undefined or not, so a spread of it inherits none.
 */
export function ownOptions<T extends object, const K extends ReadonlyArray<keyof T & string>>(
  options: T,
  call: string,
  takes: K & EveryOption<T, K>,
): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`options must be an object (got ${kindOf(options)})`);
  }
  assertOptionsTaken(options, call, takes);
  return Object.fromEntries(
    takes.map((option) => [option, holderOf(options, option) === Object.prototype ? undefined : options[option]]),
  ) as T;
}

/** The object on `object`'s prototype chain that holds `key` itself, or undefined. */
function holderOf(object: object, key: string): object | undefined {
  for (let at: object | null = object; at !== null; at = Object.getPrototypeOf(at)) {
    if (Object.hasOwn(at, key)) return at;
  }
  return undefined;
}

/**
 * Nothing more when `K` names every option of `T`; else a type the list is not, naming the options
 * it leaves out (`{ missing: "oneValue" }`), so that a list drifting from its type does not compile
 * (an option the type gains would be refused at run time).
 */
export type EveryOption<T, K extends ReadonlyArray<keyof T>> = [Exclude<keyof T, K[number]>] extends [never]
  ? unknown
  : { missing: Exclude<keyof T, K[number]> };

/**
 * Refuses, with a TypeError naming it, an option `call` does not take: it was ignored without a
 * word (`toOpenApi({ type })` described every type; a misspelt `stirct` left the check off).
 * Hint: one set to undefined is one left out, as a spread of optional settings gives.
 */
function assertOptionsTaken(options: object, call: string, takes: readonly string[]): void {
  for (const [option, value] of Object.entries(options)) {
    if (value !== undefined && !takes.includes(option)) {
      throw new TypeError(`${call} takes no option ${option} (it takes ${takes.join(', ')})`);
    }
  }
}

/**
 * Refuses a yes/no option that is not a boolean, with a TypeError naming it, as assertChoice does:
 * `ignoreTimestamp: "false"` read as true would turn a check off that the caller meant on.
 */
export function assertBoolean(what: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${what} must be true or false (got ${shownValue(value)})`);
  }
}

/** Refuses a callback that is not a function with a TypeError naming it, as assertChoice does. */
export function assertFunction(what: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${what} must be a function (got ${kindOf(value)})`);
  }
}

/** Refuses a value that is not a string with a TypeError naming it, as assertChoice does. */
export function assertString(what: string, value: unknown): void {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string (got ${kindOf(value)})`);
}

/** How many UTF-16 units of text a message quotes (see `excerpt`). */
export const quotedLength = 40;

/**
 * Text quoted in a message, a payload's or a user's, cut to its first `length` (40) UTF-16 units
 * and `…` when longer: a message is one line, however long the text it quotes (a line of megabytes
 * that is no JSON, an option given 100,000 characters). Cut between whole characters as a reader
 * sees them (`clusterBoundary`: a flag, an emoji and its skin tone, a letter and its accents), or,
 * when the first is longer than that, between its code points.
 */
export function excerpt(text: string, length = quotedLength): string {
  if (text.length <= length) return text;
  const cut = clusterBoundary(text, length) || (/[\ud800-\udbff]/.test(text.charAt(length - 1)) ? length - 1 : length);
  return `${text.slice(0, cut)}…`;
}

/**
 * A value a caller gave, as an option's TypeError quotes it: a string in quotes (its `excerpt`), another primitive
 * as itself (NaN reads NaN, a bigint `5n`), an object or a function by its kind (`kindOf`). Hint:
 * String() made `{}` "[object Object]", `[40]` "40" (a width of at least 20 "got 40"), a function
 * its source; JSON.stringify made a function "undefined", and threw at a bigint.
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(excerpt(value));
  if (typeof value === 'bigint') return `${value}n`;
  return typeof value === 'object' || typeof value === 'function' ? kindOf(value) : String(value);
}

/**
 * One value of its kind as a message names it (`kindOf`): a built-in with its article (`a Map`,
 * `an Int8Array`), an object of a caller's own class as what it is (`an instance of class A`).
 * Hint: a built-in is an instance of the global of its name; "holds a A" read as a typo.
 */
export function aKindOf(value: object): string {
  const kind = kindOf(value);
  // Hint: read, not its descriptor's value: Node's `Buffer` is a getter of globalThis.
  const global: unknown = Object.hasOwn(globalThis, kind) ? (globalThis as Record<string, unknown>)[kind] : undefined;
  if (kind !== 'object' && !(typeof global === 'function' && value instanceof global)) {
    return `an instance of class ${kind}`;
  }
  // Hint: not U: a Uint8Array, a URL.
  return `${/^[AEIOaeio]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/**
 * What kind of value a caller gave, never the value: `undefined`, `number`, `null`, `Buffer`,
 * `Object`, `object` for one of no prototype. Hint: named by the constructor its prototype chain
 * holds, read as data, never by a property of the value itself: a payload's own `constructor` key
 * (`{"constructor": {"name": "Array"}}`) named the wrong kind, and a getter there would have run.
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  for (let prototype = Object.getPrototypeOf(value); prototype !== null; prototype = Object.getPrototypeOf(prototype)) {
    const made: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
    if (typeof made !== 'function') continue;
    const name: unknown = Object.getOwnPropertyDescriptor(made, 'name')?.value;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'object';
}
