/**
 * Classifies one parsed JSON value as a webhook event and validates it: schema errors, unknown
 * fields under `strict`, and the consistency warnings PAYLOADS.md lists. Pure: no I/O.
 */
import * as v from 'valibot';
import { instantOf } from '../core/instant.js';
import { acceptorOf } from './acceptor.js';
import {
  dataSchemas,
  EnvelopeSchema,
  type EventKind,
  type EventType,
  eventTypes,
  statusGroupOf,
  type WebhookEvent,
} from './events.js';
import { excerpt, phonePattern, quotedLength } from './names.js';

/** One problem found in an event; `pointer` is a JSON pointer relative to the event's root. */
export interface SchemaIssue {
  severity: 'error' | 'warning';
  /** A stable kebab-case code, e.g. `missing-field`, `invalid-value`, `status-flow`. */
  code: string;
  message: string;
  pointer: string;
}

/** How to check events. */
export interface CheckOptions {
  /** Force the event type instead of detecting it. */
  type?: EventType | undefined;
  /** Report fields the documentation does not name as errors. */
  strict?: boolean | undefined;
  /** Look for warnings too (default true): a caller that counts none can skip the work. */
  warnings?: boolean | undefined;
  /**
   * Keep at most this many errors and this many warnings, the first in the value's order (default
   * all): the rest are only counted, so an event with a million bad values costs no more memory.
   * The library's `checkEvent` takes a whole number of at least 1, or Infinity.
   */
  maxIssues?: number | undefined;
  /**
   * The order of the value's keys in its text, where it is not JavaScript's (see `KeyOrder`): the
   * issues kept under `maxIssues` are then the first the text shows. JavaScript's by default.
   */
  keyOrder?: KeyOrder | undefined;
}

/**
 * The order of the keys of each object of a value. Hint: JavaScript lists keys made of digits (an
 * array index, `"2"`) first and a key given twice where its first copy stands; a text may differ.
 */
export interface KeyOrder {
  /** The keys of `object`, in order. */
  keysOf(object: object): readonly string[];
  /** The index of `key` among the keys of `object`, or -1 when it has none by that name. */
  indexOf(object: object, key: string): number;
}

/** JavaScript's order of an object's keys: the value's order when no text says otherwise. */
export const javaScriptKeyOrder: KeyOrder = {
  keysOf: (object) => Object.keys(object),
  indexOf: (object, key) => (Object.hasOwn(object, key) ? Object.keys(object).indexOf(key) : -1),
};

/** The outcome of checking one value. `event` is set when there is no error. */
export interface CheckResult {
  kind: EventKind | undefined;
  event: WebhookEvent | undefined;
  /** The issues kept (see `CheckOptions.maxIssues`), in the value's order. */
  issues: SchemaIssue[];
  /** Errors found, kept or not. */
  errors: number;
  /** Warnings found, kept or not. */
  warnings: number;
}

/**
 * Where a value sits in the checked value: its JSON pointer, and its place in the value's order
 * (an array item's index, an object member's index among the object's keys, at each level).
 */
interface Place {
  pointer: string;
  order: readonly number[];
  /** The key or index it is at in its parent, which names it in a message; none for the value checked. */
  key?: string | number;
}

const root: Place = { pointer: '', order: [] };

/**
 * The place of an envelope's `data`. Hint: its place in the key order is asked only for an issue;
 * most events have none, and listing every envelope's keys for it was a cost of every event.
 */
class DataPlace implements Place {
  readonly pointer = '/data';
  private readonly envelope: Json;
  private readonly keys: KeyOrder;
  constructor(envelope: Json, keys: KeyOrder) {
    this.envelope = envelope;
    this.keys = keys;
  }
  get order(): readonly number[] {
    return [this.keys.indexOf(this.envelope, 'data')];
  }
}

function child(place: Place, key: string | number, index: number): Place {
  return { pointer: `${place.pointer}/${pointerSegment(key)}`, order: [...place.order, index], key };
}

/** Whether place `a` comes before `b` in the value's order: an object before its members, members in key order. */
function isEarlier(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
  }
  return a.length < b.length;
}

/**
 * The issues of one check: every one counted, at most `limit` of each severity kept, the first
 * in the value's order, its keys in the order `keys` gives them. Hint: a missing field's issue
 * goes where its object is, so with the keys in its text's order the issues kept are the first
 * its text shows.
 */
class IssueList {
  errors = 0;
  warnings = 0;
  readonly keys: KeyOrder;
  private readonly limit: number;
  private kept: { issue: SchemaIssue; order: readonly number[]; seq: number }[] = [];
  private keptErrors = 0;
  private keptWarnings = 0;

  constructor(limit = Number.POSITIVE_INFINITY, keys = javaScriptKeyOrder) {
    this.limit = limit;
    this.keys = keys;
  }

  add(issue: SchemaIssue, order: readonly number[]): void {
    if (issue.severity === 'error') {
      this.errors++;
      this.keptErrors++;
    } else {
      this.warnings++;
      this.keptWarnings++;
    }
    this.kept.push({ issue, order, seq: this.kept.length });
    // Hint: sorted and cut only once twice the limit is held, so each issue costs a few comparisons.
    if (this.keptErrors >= 2 * this.limit + 1 || this.keptWarnings >= 2 * this.limit + 1) this.cut();
  }

  /** The issues kept, in the value's order. */
  issues(): SchemaIssue[] {
    // Hint: most events have no issue, and sorting none made a copy per event (~5% of validating an export).
    if (this.kept.length > 1) this.cut();
    return this.kept.map((kept) => kept.issue);
  }

  private cut(): void {
    this.kept.sort((a, b) => (isEarlier(a.order, b.order) ? -1 : isEarlier(b.order, a.order) ? 1 : a.seq - b.seq));
    let errors = 0;
    let warnings = 0;
    this.kept = this.kept.filter(({ issue }) =>
      issue.severity === 'error' ? errors++ < this.limit : warnings++ < this.limit,
    );
    this.keptErrors = Math.min(errors, this.limit);
    this.keptWarnings = Math.min(warnings, this.limit);
    this.kept.forEach((kept, seq) => {
      kept.seq = seq;
    });
  }
}

type Json = Record<string, unknown>;

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON type name of a value, as messages print it. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The key a JSON pointer segment names (RFC 6901): `pointerSegment` undone. */
export function segmentKey(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  // Hint: nearly every key has neither character; looking costs less than replacing nothing
  // (a third of checking an event of a million empty flow steps).
  if (typeof key === 'number') return String(key);
  return key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;
}

/** Keys that only one type has: a bare event is classified by the most of them it carries. */
export const shapeKeys: ReadonlyArray<readonly [EventType, readonly string[]]> = [
  ['CallComplete', ['sessionId', 'callResultId', 'flow', 'lastStepName', 'startedTime', 'requests', 'name']],
  ['CallAttempted', ['status', 'note']],
  ['CallReceived', ['type']],
  ['SMSSent', ['from', 'to', 'message']],
];

/**
 * What a bare object's keys say it is, as `checkEvent` and `validateEvent` name a bare event:
 * `SMS` for an SMS (SMSSent and SMSReceived have the same keys, so its keys cannot say which way
 * it went), or undefined when no type's keys are there, two types have as many (a tie, which
 * `checkEvent` settles by the one of them the object is valid as), or it is no object. A kind, so
 * not always a `type` option's value: name `SMSSent` or `SMSReceived` for an SMS.
 */
export function detectTypeByShape(value: unknown): EventKind | undefined {
  const type = typeByShape(value);
  return type === 'SMSSent' ? 'SMS' : type;
}

/** The event type a bare object's keys suggest (see `detectTypeByShape`), an SMS as `SMSSent`, whose fields are an SMS's. */
function typeByShape(value: unknown): EventType | undefined {
  // Hint: asked of every bare event, so it allocates nothing; `likeliestTypes` lists a tie's.
  if (!isObject(value)) return undefined;
  let best: EventType | undefined;
  let bestScore = 0;
  let tie = false;
  for (const [type, keys] of shapeKeys) {
    const score = telltalesIn(value, keys);
    if (score > bestScore) {
      best = type;
      bestScore = score;
      tie = false;
    } else if (score === bestScore && score > 0) tie = true;
  }
  return tie ? undefined : best;
}

/** How many of `keys` (a type's telltale keys) an object has. */
function telltalesIn(value: Record<string, unknown>, keys: readonly string[]): number {
  let score = 0;
  for (const key of keys) if (Object.hasOwn(value, key)) score++;
  return score;
}

/** The types whose telltale keys (`shapeKeys`) a bare object carries most of, one or more of them; none when it has none or is no object. */
function likeliestTypes(value: unknown): EventType[] {
  if (!isObject(value)) return [];
  let best: EventType[] = [];
  let bestScore = 0;
  for (const [type, keys] of shapeKeys) {
    const score = telltalesIn(value, keys);
    if (score > bestScore) {
      best = [type];
      bestScore = score;
    } else if (score === bestScore && score > 0) best.push(type);
  }
  return best;
}

/**
 * The one type, of those a bare object's keys tie between (see `typeByShape`), that it is
 * a valid event of, undocumented fields allowed (`--strict` then names the one added); undefined
 * when none or several are. Hint: producers add fields, accepted by default, and one may be another type's telltale
 * key: a CallReceived with a `to` tied with SMS and was refused as a shape no type matches, a
 * 422 from listen that no sender retries (red team hT65). The JSON Schema says the same (see `shapeCondition`).
 */
function onlyValidOfTied(payload: Record<string, unknown>): EventType | undefined {
  let found: EventType | undefined;
  for (const type of likeliestTypes(payload)) {
    const trial = new IssueList(1);
    if (!validate(dataSchemas[type] as SchemaNode, payload, root, trial) || trial.errors > 0) continue;
    if (found !== undefined) return undefined;
    found = type;
  }
  return found;
}

/** Whether `value` is an object with an `eventType` of its own that is a string: an enveloped event, which no `data` is. */
export function hasEventType(value: unknown): boolean {
  return isObject(value) && Object.hasOwn(value, 'eventType') && typeof value.eventType === 'string';
}

/** Whether an object's keys make it an event: an `eventType` (a string, when `typed`), or a bare event's keys. */
export function isEventShaped(object: Record<string, unknown>, typed: boolean): boolean {
  if (Object.hasOwn(object, 'eventType') && (!typed || typeof object.eventType === 'string')) return true;
  // Hint: keys that tie two types are an event's too, told apart by its values (see `onlyValidOfTied`):
  // the reader took none for an event, and a cut element before it swallowed it (review hR63).
  return typeByShape(object) !== undefined || likeliestTypes(object).length > 0;
}

const shortEscapes: Record<string, string> = { '\\': '5c', n: '0a', r: '0d', t: '09', b: '08', f: '0c' };

/**
 * Payload text quoted in a message as JSON writes it, but a backslash and every control character
 * as `\u00XX`, and a lone surrogate left as it is. Hint: JSON's `\n`, `\r`, `\t`, `\b` and its
 * `\ud800` read as the terminal's own escapes of a character, so it showed their backslash
 * escaped, as one in the text (`"a\x5cnb"` for a key holding a line break); `\u00XX` is never one
 * of its own, and a lone surrogate is escaped by every output as it escapes one (`\ud800`).
 */
function jsonQuoted(text: string | null): string {
  return JSON.stringify(text).replace(
    /\\(?:([\\nrtbf])|u(d[89a-f][0-9a-f]{2}))/g,
    (_, short?: string, surrogate?: string) =>
      short ? `\\u00${shortEscapes[short]}` : String.fromCharCode(Number.parseInt(surrogate ?? '', 16)),
  );
}

function describeKeys(value: Json): string {
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 8).map(quotedExcerpt);
  return `keys ${shown.join(', ')}${keys.length > 8 ? `, … (${keys.length} in all)` : ''}`;
}

/**
 * Where the message of an issue quotes a number as JavaScript prints it, and that print. Hint:
 * JSON.parse keeps a number's value, not how it is written (`1e400` is Infinity, `-0` and `1.0`
 * print as 0 and 1, 30 digits are rounded), and a message quotes the value as the file writes it,
 * so it can be found there; the text is at hand only where the issue is placed (see
 * `withNumberAsWritten`). Kept aside, so an issue is still `{ severity, code, message, pointer }`.
 */
const quotedNumbers = new WeakMap<SchemaIssue, { at: number; shown: string }>();

/** `issue`, its message quoting `value` at its end, or at `at` when given, where `value` is a number. */
function quoting(issue: SchemaIssue, value: unknown, at?: number): SchemaIssue {
  if (typeof value === 'number') {
    const shown = String(value);
    quotedNumbers.set(issue, { at: at ?? issue.message.length - shown.length, shown });
  }
  return issue;
}

/** The message of `issue`, the number it quotes (if any) as `written`, its text in the source, when that is known. */
export function withNumberAsWritten(issue: SchemaIssue, written: string | undefined): string {
  const quoted = quotedNumbers.get(issue);
  if (quoted === undefined || written === undefined) return issue.message;
  const { message } = issue;
  return `${message.slice(0, quoted.at)}${written}${message.slice(quoted.at + quoted.shown.length)}`;
}

/** Payload text quoted in a message (`jsonQuoted`), cut as `excerpt` cuts it: a message is one line. */
export function quotedExcerpt(text: string | null): string {
  return jsonQuoted(text === null ? null : excerpt(text));
}

/**
 * A JSON pointer as a person reads it beside a message: each segment cut as `quotedExcerpt` cuts
 * text, so that a key of megabytes does not make the line megabytes (the JSON output keeps it whole).
 */
export function pointerExcerpt(pointer: string): string {
  return pointer.length <= quotedLength
    ? pointer
    : pointer
        .split('/')
        .map((segment) => excerpt(segment))
        .join('/');
}

/** An array's item named in a message: `item 1 of "flow"`, from its pointer (`/data/flow/1`). */
function itemName(pointer: string, index: number): string {
  const parent = pointer.split('/').at(-2);
  return parent ? `item ${index} of ${quotedExcerpt(segmentKey(parent))}` : `item ${index}`;
}

function preview(value: unknown): string {
  if (typeof value === 'string') return quotedExcerpt(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return jsonTypeOf(value);
}

function issueFromValibot(issue: v.BaseIssue<unknown>, at: Place): SchemaIssue {
  const path = issue.path ?? [];
  const pointer = at.pointer + path.map((item) => `/${pointerSegment(item.key as string | number)}`).join('');
  const last = path.at(-1);
  // Hint: an array item is checked alone (see `validate`), so an issue of the item itself has no path.
  const key = last === undefined ? at.key : last.key;
  const field =
    key === undefined ? 'event' : typeof key === 'number' ? itemName(pointer, key) : quotedExcerpt(String(key));
  if (
    issue.kind === 'schema' &&
    issue.input === undefined &&
    last &&
    !Object.hasOwn(last.input as Json, last.key as string)
  ) {
    return { severity: 'error', code: 'missing-field', message: `missing required field ${field}`, pointer };
  }
  if (issue.type === 'picklist') {
    const message = `${field} must be ${issue.expected}; received ${preview(issue.input)}`;
    return quoting({ severity: 'error', code: 'invalid-value', message, pointer }, issue.input);
  }
  if (issue.kind === 'schema') {
    // Hint: valibot expects "Object" and "Array"; jsonTypeOf, on the other side, says "object" and "array".
    const expected =
      issue.expected === 'Object' || issue.expected === 'Array' ? issue.expected.toLowerCase() : issue.expected;
    const message =
      `${field}: expected ${expected}, received ${jsonTypeOf(issue.input)} ${preview(issue.input)}`.replace(
        / (\w+) \1$/,
        ' $1',
      );
    return quoting({ severity: 'error', code: 'invalid-type', message, pointer }, issue.input);
  }
  const message = `${field}: ${issue.message}; received ${preview(issue.input)}`;
  return quoting({ severity: 'error', code: 'invalid-format', message, pointer }, issue.input);
}

/** The place in the value's order of a valibot issue whose path starts at `value`: where its path ends, or the object a missing field is missing from. */
function orderOf(issue: v.BaseIssue<unknown>, at: Place, value: unknown, keys: KeyOrder): number[] {
  const order = [...at.order];
  let node = value;
  for (const item of issue.path ?? []) {
    const key = item.key as string | number;
    const index = Array.isArray(node) ? (key as number) : isObject(node) ? keys.indexOf(node, key as string) : -1;
    if (index < 0) break;
    order.push(index);
    node = (node as Json)[key];
  }
  return order;
}

/** A valibot schema as this module walks it: an object's entries, an array's item, what an optional wraps. */
export type SchemaNode = v.GenericSchema & {
  entries?: Record<string, SchemaNode>;
  wrapped?: SchemaNode;
  item?: SchemaNode;
  pipe?: unknown;
};

/** `schema` under any `optional`, `nullable` or `nullish` around it. */
export function unwrapped(schema: SchemaNode): SchemaNode {
  let node = schema;
  while (node.wrapped) node = node.wrapped;
  return node;
}

/** Whether a schema is a plain array of `item`s (no pipe of checks on the array itself). */
function isPlainArray(schema: SchemaNode): schema is SchemaNode & { item: SchemaNode } {
  return schema.type === 'array' && schema.item !== undefined && schema.pipe === undefined;
}

/**
 * Checks `value` against `schema`, adding its issues at `at`. Hint: `original` is the value the
 * issues are ordered in, whose objects `KeyOrder` knows: a copy of it with its arrays emptied is
 * checked in its stead (see below).
 */
function validate(schema: SchemaNode, value: unknown, at: Place, issues: IssueList, original = value): boolean {
  // Most events are valid; the acceptor says so without valibot's output copy (see acceptor.ts).
  if (acceptorOf(schema)(value)) return true;
  // Hint: the items of an array are checked one at a time, and an object's arrays apart from
  // its other members, so that valibot never holds the issues of thousands of items at once.
  if (isPlainArray(schema) && Array.isArray(value)) {
    let ok = true;
    for (let index = 0; index < value.length; index++) {
      ok = validate(schema.item, value[index], child(at, index, index), issues) && ok;
    }
    return ok;
  }
  // Hint: not an object with checks of its own (a pipe), which would see its arrays emptied.
  const entries = schema.pipe === undefined ? schema.entries : undefined;
  if (entries && isObject(value)) {
    const arrays = Object.keys(value).filter((key) => {
      const entry = Object.hasOwn(entries, key) ? entries[key] : undefined;
      const item = value[key];
      return entry !== undefined && isPlainArray(entry) && Array.isArray(item) && item.length > 0;
    });
    if (arrays.length > 0) {
      const rest: Json = { ...value };
      for (const key of arrays) rest[key] = [];
      let ok = validate(schema, rest, at, issues, value);
      for (const key of arrays) {
        const place = child(at, key, issues.keys.indexOf(value, key));
        ok = validate(entries[key] as SchemaNode, value[key], place, issues) && ok;
      }
      return ok;
    }
  }
  const result = v.safeParse(schema, value);
  if (result.success) return true;
  for (const issue of result.issues) issues.add(issueFromValibot(issue, at), orderOf(issue, at, original, issues.keys));
  return false;
}

function unknownField(key: string, pointer: string): SchemaIssue {
  return {
    severity: 'error',
    code: 'unknown-field',
    message: `field ${quotedExcerpt(key)} is not in the documented payload`,
    pointer,
  };
}

/** Reports every key of `value`, at any depth, that `schema`'s object entries do not name. */
function findUnknownFields(schema: SchemaNode, value: unknown, at: Place, out: IssueList): void {
  const node = unwrapped(schema);
  if (node.entries && isObject(value)) {
    out.keys.keysOf(value).forEach((key, index) => {
      // Hint: Object.hasOwn, not a lookup: `entries["__proto__"]` would find Object.prototype.
      const entry = Object.hasOwn(node.entries as object, key) ? node.entries?.[key] : undefined;
      const place = child(at, key, index);
      if (entry) findUnknownFields(entry, value[key], place, out);
      else out.add(unknownField(key, place.pointer), place.order);
    });
  } else if (node.item && Array.isArray(value)) {
    value.forEach((item, index) => {
      findUnknownFields(node.item as SchemaNode, item, child(at, index, index), out);
    });
  }
}

/** The place of `pointer` (relative to the root `value`) in the value's order. */
function placeOf(value: Json, pointer: string, keys: KeyOrder): Place {
  let place = root;
  let node: unknown = value;
  for (const segment of pointer.split('/').slice(1)) {
    const key = segmentKey(segment);
    const index = Array.isArray(node) ? Number(key) : isObject(node) ? keys.indexOf(node, key) : -1;
    if (index < 0 || !Number.isInteger(index)) return { pointer, order: place.order };
    place = child(place, key, index);
    node = (node as Json)[key];
  }
  return place;
}

function warn(issues: SchemaIssue[], code: string, message: string, pointer: string): void {
  issues.push({ severity: 'warning', code, message, pointer });
}

/** Whether timestamp `a` is after `b`. */
function isLater(a: string, b: string): boolean {
  return instantOf(a) > instantOf(b);
}

/** The consistency checks of PAYLOADS.md: warnings, because a valid payload can still break them. */
function checkConsistency(event: WebhookEvent, prefix: string, issues: SchemaIssue[]): void {
  if (event.type === 'CallComplete') {
    const { data } = event;
    const group = statusGroupOf(data.status);
    const last = data.flow.at(-1);
    if (group === 'Complete' && data.flow.length === 0) {
      warn(issues, 'status-flow', `status "${data.status}" but the flow is empty`, `${prefix}/status`);
    }
    if (data.status === 'Not Complete' && data.flow[0]?.transcript?.trim()) {
      warn(
        issues,
        'status-flow',
        'status "Not Complete" but the first question has a transcript (was it answered?)',
        `${prefix}/flow/0/transcript`,
      );
    } else if (data.status === 'Not Complete' && data.flow.length > 1) {
      // Hint: transcripts are optional; a flow that went on past its first question says as much without one.
      warn(
        issues,
        'status-flow',
        'status "Not Complete" but the flow went on to a second question (was the first answered?)',
        `${prefix}/flow/1`,
      );
    }
    if (last && data.lastStepName !== last.questionName) {
      warn(
        issues,
        'last-step',
        `lastStepName ${quotedExcerpt(data.lastStepName)} is not the last step's questionName ${quotedExcerpt(last.questionName)}`,
        `${prefix}/lastStepName`,
      );
    }
    if (!last && data.lastStepName !== null) {
      warn(issues, 'last-step', 'lastStepName should be null when the flow is empty', `${prefix}/lastStepName`);
    }
    if (event.createdAt && isLater(data.startedTime, event.createdAt)) {
      warn(
        issues,
        'time-order',
        `startedTime ${data.startedTime} is after createdAt ${event.createdAt}`,
        `${prefix}/startedTime`,
      );
    }
  } else if (event.type === 'CallAttempted') {
    if (event.data.status === 'failed' && !event.data.note?.trim()) {
      warn(issues, 'missing-note', 'a failed attempt should carry a note with the reason', prefix || '');
    }
    warnOfPhoneFormat(event.data.phone, `${prefix}/phone`, issues);
  } else if (event.type === 'CallReceived') {
    if (event.data.type === 'outbound-callback' && !event.data.correlationId) {
      warn(issues, 'missing-correlation', 'an outbound callback should carry its correlationId', prefix || '');
    }
    warnOfPhoneFormat(event.data.phone, `${prefix}/phone`, issues);
  } else {
    warnOfPhoneFormat(event.data.from, `${prefix}/from`, issues);
    warnOfPhoneFormat(event.data.to, `${prefix}/to`, issues);
  }
}

/**
 * Warns of a number (digits) not in the international format the platform sends numbers in
 * (`phonePattern`): PAYLOADS asks it of CallComplete's phone only, and says "digits" of the
 * others', which may be a short code or a national number; refused, listen answered 422 (hT65).
 */
function warnOfPhoneFormat(digits: string, pointer: string, issues: SchemaIssue[]): void {
  if (phonePattern.test(digits)) return;
  const message = `${quotedExcerpt(digits)} is not in international format without "+" (5 to 15 digits, not starting with 0), as the platform sends numbers: a short code, or a national number?`;
  warn(issues, 'phone-format', message, pointer);
}

/** Whether a parsed object is an enveloped event: it has an eventType, or a data object beside createdAt. */
export function isEnvelope(value: Json): boolean {
  return Object.hasOwn(value, 'eventType') || hasEnvelopeData(value);
}

/**
 * The fields that make a parsed object read as an enveloped event (`isEnvelope`): `eventType`,
 * and `data` and `createdAt` when both are there and `data` is an object; none for a bare event.
 * Hint: for saying which fields did it; `isEnvelope`, asked of every element, makes no array.
 */
export function envelopeMarksOf(value: Json): string[] {
  const marks = Object.hasOwn(value, 'eventType') ? ['eventType'] : [];
  if (hasEnvelopeData(value)) marks.push('data', 'createdAt');
  return marks;
}

function hasEnvelopeData(value: Json): boolean {
  return Object.hasOwn(value, 'data') && isObject(value.data) && Object.hasOwn(value, 'createdAt');
}

/** An error that ends a check: the value cannot be read as an event. */
function refusal(kind: EventKind | undefined, code: string, message: string, pointer: string): CheckResult {
  return { kind, event: undefined, issues: [{ severity: 'error', code, message, pointer }], errors: 1, warnings: 0 };
}

/** Classifies and validates one parsed value. */
export function checkEvent(value: unknown, options: CheckOptions = {}): CheckResult {
  if (!isObject(value)) {
    return refusal(undefined, 'not-an-object', `expected an event object, received ${jsonTypeOf(value)}`, '');
  }

  const issues = new IssueList(options.maxIssues, options.keyOrder);
  const enveloped = isEnvelope(value);
  let type: EventType | undefined = options.type;
  let payload: unknown = value;
  let at = root;
  let ok = true;

  if (enveloped) {
    const declared = value.eventType;
    if (declared !== undefined && !eventTypes.includes(declared as EventType)) {
      const head = 'unknown eventType ';
      const message = `${head}${preview(declared)}; expected one of ${eventTypes.join(', ')} (saw ${describeKeys(value)})`;
      const result = refusal(undefined, 'unknown-event-type', message, '/eventType');
      quoting(result.issues[0] as SchemaIssue, declared, head.length);
      return result;
    }
    if (type && declared !== undefined && declared !== type) {
      const message = `eventType is "${String(declared)}" but every event is read as ${type}`;
      return refusal(undefined, 'type-mismatch', message, '/eventType');
    }
    ok = validate(EnvelopeSchema, value, root, issues);
    type ??= declared as EventType | undefined;
    payload = value.data;
    at = new DataPlace(value, issues.keys);
    if (!isObject(payload)) {
      // Hint: valibot's object schemas take an array too, so an array `data` passed the envelope.
      if (ok) return refusal(type, 'invalid-type', `"data": expected object, received ${jsonTypeOf(payload)}`, '/data');
      return resultOf(type, undefined, issues);
    }
  }

  type ??= typeByShape(payload) ?? onlyValidOfTied(payload as Record<string, unknown>);
  if (!type && isRequestDump(payload as Record<string, unknown>)) {
    const keys = describeKeys(payload as Json);
    const message = `a captured HTTP request (${keys}), not an event: read its body, the events the platform sent`;
    return refusal(undefined, 'http-request', message, at.pointer);
  }
  if (!type) {
    return refusal(
      undefined,
      'unknown-shape',
      `cannot tell the event type from ${describeKeys(payload as Json)}`,
      at.pointer,
    );
  }

  const schema = dataSchemas[type];
  ok = validate(schema, payload, at, issues) && ok;
  if (options.strict) {
    if (enveloped) {
      issues.keys.keysOf(value).forEach((key, index) => {
        // Hint: Object.hasOwn, not `in`: `constructor` and `toString` are in every object.
        if (Object.hasOwn(EnvelopeSchema.entries, key)) return;
        const place = child(root, key, index);
        issues.add(unknownField(key, place.pointer), place.order);
      });
    }
    findUnknownFields(schema as SchemaNode, payload, at, issues);
  }

  // A bare SMS cannot say which way it went; --type can.
  const kind: EventKind = !enveloped && !options.type && type === 'SMSSent' ? 'SMS' : type;
  if (!ok || issues.errors > 0) return resultOf(kind, undefined, issues);

  const event = {
    type: kind,
    id: enveloped ? (value.id as string) : undefined,
    createdAt: enveloped ? (value.createdAt as string) : undefined,
    data: payload,
  } as WebhookEvent;
  if (options.warnings !== false) {
    const warnings: SchemaIssue[] = [];
    checkConsistency(event, at.pointer, warnings);
    for (const warning of warnings) issues.add(warning, placeOf(value, warning.pointer, issues.keys).order);
  }
  return resultOf(kind, event, issues);
}

/**
 * Whether an object is an HTTP request as a request bin or a proxy saves one: a body beside its
 * headers, method or request line. Hint: Object.hasOwn, as `constructor` is in every object.
 */
function isRequestDump(value: Record<string, unknown>): boolean {
  return (
    Object.hasOwn(value, 'body') &&
    (Object.hasOwn(value, 'headers') || Object.hasOwn(value, 'method') || Object.hasOwn(value, 'request'))
  );
}

function resultOf(kind: EventKind | undefined, event: WebhookEvent | undefined, issues: IssueList): CheckResult {
  return { kind, event, issues: issues.issues(), errors: issues.errors, warnings: issues.warnings };
}
