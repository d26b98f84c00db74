/**
 * valibot schemas for the five webhook event types, as the platform's payload reference documents them.
 *
 * Every object schema is loose: producers add fields, and a receiver should not break when they
 * do. `--strict` reports extra fields separately (see `findUnknownFields`), so that every one of
 * them is listed rather than valibot's first.
 */
import * as v from 'valibot';

import { describeBadTimestamp, instantOf, isTimestamp } from '../core/instant.js';
import {
  attemptStatuses,
  callStatuses,
  deepFrozen,
  digitsPattern,
  eventTypes,
  kindOf,
  phonePattern,
  receivedTypes,
  type StatusGroup,
  statusGroups,
} from './names.js';

export { type CallStatus, callStatuses, type EventType, eventTypes, isCallStatus, statusGroups } from './names.js';

/** Each documented status's group (see `statusGroups`). */
const groupOfStatus: ReadonlyMap<string, StatusGroup> = new Map(
  (Object.keys(statusGroups) as StatusGroup[]).flatMap((group) => statusGroups[group].map((status) => [status, group])),
);

/** The group a status belongs to, or undefined for a status the platform does not document. */
export function statusGroupOf(status: string): StatusGroup | undefined {
  return groupOfStatus.get(status);
}

const uuid = v.pipe(v.string(), v.uuid('expected a UUID'));
// Hint: the platform always sends UTC with a `Z`, but an offset is still a correct instant, so
// an offset is accepted. What is valid is what core/instant.ts reads, so that every command
// places a valid event at the same instant; a date the calendar lacks (2022-02-30) is refused.
const timestamp = v.pipe(
  v.string(),
  v.check(isTimestamp, (issue) => describeBadTimestamp(String(issue.input))),
);
// CallComplete's phone: international format without '+' (`phonePattern`), as PAYLOADS gives it.
const phone = v.pipe(
  v.string(),
  v.regex(
    phonePattern,
    'expected 5 to 15 digits in international format without "+", not starting with 0 (e.g. 61491573087)',
  ),
);
// The other types' numbers (`phone`, `from`, `to`): digits, all PAYLOADS says of them. One not in
// international format (a short code, a national number) is a warning, `phone-format` (see check.ts).
const digits = v.pipe(v.string(), v.regex(digitsPattern, 'expected digits, without "+" or spaces (e.g. 61491573087)'));

/** One step of a call's conversation flow. */
export const FlowStepSchema = deepFrozen(
  v.looseObject({
    questionName: v.string(),
    response: v.string(),
    transcript: v.optional(v.string()),
  }),
);

/** The `data` of a CallComplete event. */
export const CallCompleteDataSchema = deepFrozen(
  v.looseObject({
    // Present for outbound campaigns only (the id of the scheduled call list).
    correlationId: v.optional(uuid),
    sessionId: uuid,
    callResultId: uuid,
    name: v.string(),
    phone,
    campaignId: uuid,
    // Null when the flow is empty; the source's examples always send the key.
    lastStepName: v.nullable(v.string()),
    startedTime: timestamp,
    flow: v.array(FlowStepSchema),
    requests: v.array(v.string()),
    status: v.picklist(callStatuses),
    additionalInformation: v.optional(v.string()),
  }),
);

/** A CallAttempted event (documented bare: no envelope). */
export const CallAttemptedDataSchema = deepFrozen(
  v.looseObject({
    time: timestamp,
    phone: digits,
    status: v.picklist(attemptStatuses),
    // The reason of a failure; the consistency check warns when a failed attempt has none.
    note: v.optional(v.string()),
    campaignId: uuid,
    correlationId: v.optional(uuid),
  }),
);

/** A CallReceived event: an inbound call, or an outbound callback. */
export const CallReceivedDataSchema = deepFrozen(
  v.looseObject({
    time: timestamp,
    phone: digits,
    type: v.picklist(receivedTypes),
    campaignId: uuid,
    correlationId: v.optional(uuid),
  }),
);

/** An SMSSent or SMSReceived event: both have the same fields. */
export const SmsDataSchema = deepFrozen(
  v.looseObject({
    time: timestamp,
    from: digits,
    to: digits,
    message: v.string(),
    campaignId: uuid,
    correlationId: v.optional(uuid),
  }),
);

/** The schema of each type's payload (CallComplete's `data`, the others' bare object). */
export const dataSchemas = deepFrozen({
  CallComplete: CallCompleteDataSchema,
  CallAttempted: CallAttemptedDataSchema,
  CallReceived: CallReceivedDataSchema,
  SMSSent: SmsDataSchema,
  SMSReceived: SmsDataSchema,
} as const);

/** The envelope `{ id, eventType, createdAt, data }`; `data` is checked separately against its type. */
export const EnvelopeSchema = deepFrozen(
  v.looseObject({
    id: uuid,
    eventType: v.picklist(eventTypes),
    createdAt: timestamp,
    data: v.looseObject({}),
  }),
);

/** A flow step. */
export type FlowStep = v.InferOutput<typeof FlowStepSchema>;
/** CallComplete's `data`. */
export type CallCompleteData = v.InferOutput<typeof CallCompleteDataSchema>;
/** CallAttempted's fields. */
export type CallAttemptedData = v.InferOutput<typeof CallAttemptedDataSchema>;
/** CallReceived's fields. */
export type CallReceivedData = v.InferOutput<typeof CallReceivedDataSchema>;
/** SMSSent's and SMSReceived's fields. */
export type SmsData = v.InferOutput<typeof SmsDataSchema>;

interface EventBase {
  /** The envelope's event id; undefined for a bare event. */
  id?: string | undefined;
  /** The envelope's createdAt (when the event was queued); undefined for a bare event. */
  createdAt?: string | undefined;
}

/**
 * A validated event, enveloped or bare, in one shape. `SMS` is a bare SMS event whose direction
 * the payload cannot tell (SMSSent and SMSReceived share their fields) and `--type` did not name.
 */
export type WebhookEvent =
  | (EventBase & { type: 'CallComplete'; data: CallCompleteData })
  | (EventBase & { type: 'CallAttempted'; data: CallAttemptedData })
  | (EventBase & { type: 'CallReceived'; data: CallReceivedData })
  | (EventBase & { type: 'SMSSent' | 'SMSReceived' | 'SMS'; data: SmsData });

/**
 * A CallComplete whose only errors are an undocumented `status` (`Voicemail`, `Failed`): the call
 * as read, which summarise counts as Other and show shows; its status is any text.
 */
export type UndocumentedStatusCall = EventBase & {
  type: 'CallComplete';
  // Hint: mapped, not Omit, which drops every named key of a type with an index signature (a loose object's).
  data: { [Key in keyof CallCompleteData]: Key extends 'status' ? string : CallCompleteData[Key] };
};

/** What an event is classified as: one of the five types, or `SMS` when the direction is unknown. */
export type EventKind = WebhookEvent['type'];

/**
 * The time an event happened: `startedTime` for a call result, `time` for the others. Takes a call
 * of an undocumented status (an invalid item's `call`) as it takes an event, as do the others below.
 */
export function eventTime(event: WebhookEvent | UndocumentedStatusCall): string {
  assertEvent(event);
  const time: unknown = event.type === 'CallComplete' ? event.data.startedTime : event.data.time;
  // Hint: an event-like object of the caller's with no time was handed back as is, and failed
  // deep in the reader of `eventInstant` (reviews hR63, hR64).
  if (typeof time !== 'string') {
    throw new TypeError(`event must be an event as validateEvent gives it, its time a string (got ${kindOf(time)})`);
  }
  return time;
}

/**
 * The instant of `eventTime(event)`, in ms since the epoch, read as every command reads it: any
 * form a valid time may take (`2026-03-08T12:00:00 +05:45`, `…+05`), which `Date` may not read.
 */
export function eventInstant(event: WebhookEvent | UndocumentedStatusCall): number {
  return instantOf(eventTime(event));
}

/** The correlationId tying the event to one scheduled outbound call, if it has one. */
export function correlationIdOf(event: WebhookEvent | UndocumentedStatusCall): string | undefined {
  assertEvent(event);
  return event.data.correlationId;
}

/**
 * Refuses what is not an event with a TypeError naming it, as the library's other checks do. Hint:
 * both readers above are exported, and a JavaScript caller's `{}` read "Cannot read properties of
 * undefined (reading 'time')".
 */
function assertEvent(event: WebhookEvent | UndocumentedStatusCall): void {
  const data = typeof event === 'object' && event !== null ? (event as { data?: unknown }).data : undefined;
  if (typeof data !== 'object' || data === null) {
    throw new TypeError(`event must be an event as validateEvent gives it, { type, data } (got ${kindOf(event)})`);
  }
}
