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
}

/** The outcome of checking one value. `event` is set when there is no error. */
export interface CheckResult {
  kind: EventKind | undefined;
  event: WebhookEvent | undefined;
  issues: SchemaIssue[];
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

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Keys that only one type has: a bare event is classified by the most of them it carries. */
export const shapeKeys: ReadonlyArray<readonly [EventType, readonly string[]]> = [
  ['CallComplete', ['sessionId', 'callResultId', 'flow', 'lastStepName', 'startedTime', 'requests', 'name']],
  ['CallAttempted', ['status', 'note']],
  ['CallReceived', ['type']],
  ['SMSSent', ['from', 'to', 'message']],
];

/** The event type a bare object's keys suggest, or undefined when no type's keys are there or it is no object. */
export function detectTypeByShape(value: unknown): EventType | undefined {
  if (!isObject(value)) return undefined;
  let best: EventType | undefined;
  let bestScore = 0;
  let tie = false;
  for (const [type, keys] of shapeKeys) {
    let score = 0;
    for (const key of keys) if (Object.hasOwn(value, key)) score++;
    if (score > bestScore) {
      best = type;
      bestScore = score;
      tie = false;
    } else if (score === bestScore && score > 0) tie = true;
  }
  return tie ? undefined : best;
}

/** Whether an object's keys make it an event: an `eventType` (a string, when `typed`), or a bare event's keys. */
export function isEventShaped(object: Record<string, unknown>, typed: boolean): boolean {
  if (Object.hasOwn(object, 'eventType') && (!typed || typeof object.eventType === 'string')) return true;
  return detectTypeByShape(object) !== undefined;
}

function describeKeys(value: Json): string {
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 8).map((k) => JSON.stringify(k));
  return `keys ${shown.join(', ')}${keys.length > 8 ? `, … (${keys.length} in all)` : ''}`;
}

function preview(value: unknown): string {
  if (typeof value === 'string') {
    const text = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return jsonTypeOf(value);
}

function issueFromValibot(issue: v.BaseIssue<unknown>, prefix: string): SchemaIssue {
  const path = issue.path ?? [];
  const pointer = prefix + path.map((item) => `/${pointerSegment(item.key as string | number)}`).join('');
  const last = path.at(-1);
  const field = last === undefined ? 'event' : JSON.stringify(String(last.key));
  if (
    issue.kind === 'schema' &&
    issue.input === undefined &&
    last &&
    !Object.hasOwn(last.input as Json, last.key as string)
  ) {
    return { severity: 'error', code: 'missing-field', message: `missing required field ${field}`, pointer };
  }
  if (issue.type === 'picklist') {
    return {
      severity: 'error',
      code: 'invalid-value',
      message: `${field} must be ${issue.expected}; received ${preview(issue.input)}`,
      pointer,
    };
  }
  if (issue.kind === 'schema') {
    return {
      severity: 'error',
      code: 'invalid-type',
      message:
        `${field}: expected ${issue.expected}, received ${jsonTypeOf(issue.input)} ${preview(issue.input)}`.replace(
          / (\w+) \1$/,
          ' $1',
        ),
      pointer,
    };
  }
  return {
    severity: 'error',
    code: 'invalid-format',
    message: `${field}: ${issue.message}; received ${preview(issue.input)}`,
    pointer,
  };
}

function validate(schema: v.GenericSchema, value: unknown, prefix: string, issues: SchemaIssue[]): boolean {
  // Most events are valid; the acceptor says so without valibot's output copy (see acceptor.ts).
  if (acceptorOf(schema)(value)) return true;
  const result = v.safeParse(schema, value);
  if (result.success) return true;
  for (const issue of result.issues) issues.push(issueFromValibot(issue, prefix));
  return false;
}

type SchemaNode = v.GenericSchema & {
  entries?: Record<string, SchemaNode>;
  wrapped?: SchemaNode;
  item?: SchemaNode;
};

function unknownField(key: string, pointer: string): SchemaIssue {
  return {
    severity: 'error',
    code: 'unknown-field',
    message: `field ${JSON.stringify(key)} is not in the documented payload`,
    pointer,
  };
}

/** Reports every key of `value`, at any depth, that `schema`'s object entries do not name. */
export function findUnknownFields(schema: SchemaNode, value: unknown, pointer: string, out: SchemaIssue[]): void {
  let node = schema;
  while (node.wrapped) node = node.wrapped;
  if (node.entries && isObject(value)) {
    for (const key of Object.keys(value)) {
      // Hint: Object.hasOwn, not a lookup: `entries["__proto__"]` would find Object.prototype.
      const child = Object.hasOwn(node.entries, key) ? node.entries[key] : undefined;
      const at = `${pointer}/${pointerSegment(key)}`;
      if (child) findUnknownFields(child, value[key], at, out);
      else out.push(unknownField(key, at));
    }
  } else if (node.item && Array.isArray(value)) {
    value.forEach((item, index) => {
      findUnknownFields(node.item as SchemaNode, item, `${pointer}/${index}`, out);
    });
  }
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
    }
    if (last && data.lastStepName !== last.questionName) {
      warn(
        issues,
        'last-step',
        `lastStepName ${JSON.stringify(data.lastStepName)} is not the last step's questionName ${JSON.stringify(last.questionName)}`,
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
    if (event.data.status === 'failed' && !event.data.note) {
      warn(issues, 'missing-note', 'a failed attempt should carry a note with the reason', prefix || '');
    }
  } else if (event.type === 'CallReceived') {
    if (event.data.type === 'outbound-callback' && !event.data.correlationId) {
      warn(issues, 'missing-correlation', 'an outbound callback should carry its correlationId', prefix || '');
    }
  }
}

/** Whether a parsed object is an enveloped event: it has an eventType, or a data object beside createdAt. */
export function isEnvelope(value: Json): boolean {
  return (
    Object.hasOwn(value, 'eventType') ||
    (Object.hasOwn(value, 'data') && isObject(value.data) && Object.hasOwn(value, 'createdAt'))
  );
}

/** Classifies and validates one parsed value. */
export function checkEvent(value: unknown, options: CheckOptions = {}): CheckResult {
  const issues: SchemaIssue[] = [];
  if (!isObject(value)) {
    issues.push({
      severity: 'error',
      code: 'not-an-object',
      message: `expected an event object, received ${jsonTypeOf(value)}`,
      pointer: '',
    });
    return { kind: undefined, event: undefined, issues };
  }

  const enveloped = isEnvelope(value);
  let type: EventType | undefined = options.type;
  let payload: unknown = value;
  let prefix = '';
  let ok = true;

  if (enveloped) {
    const declared = value.eventType;
    if (declared !== undefined && !eventTypes.includes(declared as EventType)) {
      issues.push({
        severity: 'error',
        code: 'unknown-event-type',
        message: `unknown eventType ${preview(declared)}; expected one of ${eventTypes.join(', ')} (saw ${describeKeys(value)})`,
        pointer: '/eventType',
      });
      return { kind: undefined, event: undefined, issues };
    }
    if (type && declared !== undefined && declared !== type) {
      issues.push({
        severity: 'error',
        code: 'type-mismatch',
        message: `eventType is "${String(declared)}" but every event is read as ${type}`,
        pointer: '/eventType',
      });
      return { kind: undefined, event: undefined, issues };
    }
    ok = validate(EnvelopeSchema, value, '', issues);
    type ??= declared as EventType | undefined;
    payload = value.data;
    prefix = '/data';
    if (!isObject(payload)) {
      // Hint: valibot's object schemas take an array too, so an array `data` passed the envelope.
      if (ok) {
        issues.push({
          severity: 'error',
          code: 'invalid-type',
          message: `"data": expected Object, received ${jsonTypeOf(payload)}`,
          pointer: '/data',
        });
      }
      return { kind: type, event: undefined, issues };
    }
  }

  type ??= detectTypeByShape(payload);
  if (!type) {
    issues.push({
      severity: 'error',
      code: 'unknown-shape',
      message: `cannot tell the event type from ${describeKeys(payload as Json)}`,
      pointer: prefix,
    });
    return { kind: undefined, event: undefined, issues };
  }

  const schema = dataSchemas[type];
  ok = validate(schema, payload, prefix, issues) && ok;
  if (options.strict) {
    if (enveloped) {
      for (const key of Object.keys(value)) {
        // Hint: Object.hasOwn, not `in`: `constructor` and `toString` are in every object.
        if (!Object.hasOwn(EnvelopeSchema.entries, key)) issues.push(unknownField(key, `/${pointerSegment(key)}`));
      }
    }
    findUnknownFields(schema as SchemaNode, payload, prefix, issues);
  }

  // A bare SMS cannot say which way it went; --type can.
  const kind: EventKind = !enveloped && !options.type && type === 'SMSSent' ? 'SMS' : type;
  if (!ok || issues.some((issue) => issue.severity === 'error')) return { kind, event: undefined, issues };

  const event = {
    type: kind,
    id: enveloped ? (value.id as string) : undefined,
    createdAt: enveloped ? (value.createdAt as string) : undefined,
    data: payload,
  } as WebhookEvent;
  if (options.warnings !== false) checkConsistency(event, prefix, issues);
  return { kind, event, issues };
}
