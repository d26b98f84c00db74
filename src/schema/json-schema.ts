/**
 * The payload contract as JSON Schema (draft 2020-12 or 07) and as an OpenAPI 3.1 document,
 * converted from the same valibot schemas `validate` uses, so the two cannot drift. Where a
 * valibot check converts to something JSON Schema validators read differently, an override
 * writes the check's own expression; what JSON Schema cannot say is listed in `$comment`.
 */
import { type ConversionConfig, toJsonSchema as convert, type JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { type SchemaDraft, schemaDrafts } from '../core/generate-names.js';
import { isTimestamp } from '../core/instant.js';
import { signatureEntrySource } from '../http/names.js';
import { maxDepth } from '../input/types.js';
import { license, version } from '../version.js';
import { shapeKeys } from './check.js';
import { dataSchemas, EnvelopeSchema, type EventType, eventTypes, FlowStepSchema } from './events.js';
import { assertBoolean, assertChoice, assertString, deepFrozen, ownOptions } from './names.js';

/** How to build the JSON Schema. */
export interface JsonSchemaOptions {
  /** One event type (as `validate --type`), or all of them (default). */
  type?: EventType | undefined;
  /** `2020-12` (default) or `07`. */
  draft?: SchemaDraft | undefined;
  /** Mirror `validate --strict`: objects refuse fields the documentation does not name. */
  strict?: boolean | undefined;
}

/** A JSON Schema document, as plain JSON. */
export type JsonSchemaDocument = Record<string, unknown>;

/** The gap that is the whole schema's only: one type's schema (`--type`) reads a bare SMS as that type. */
const smsGap =
  "a bare SMSSent and SMSReceived have the same fields: only the envelope's eventType (or validate --type) tells them apart";

/**
 * What the schema cannot express, said in its `$comment` and by `callhook schema` on stderr.
 * None of these changes which events are accepted: they are warnings, or facts about a stream.
 */
export const jsonSchemaGaps = deepFrozen([
  'the consistency rules validate reports as warnings (status-flow, last-step, time-order, missing-note, missing-correlation, phone-format), which never make an event invalid',
  'a repeated event id (a redelivery) is a fact about a stream of events, not about one event',
  'duplicate keys and "__proto__" keys are facts about the JSON text; a schema sees the parsed value',
  'text that is not valid UTF-8 (a lone byte 0xE9) is an error (invalid-utf8), a fact about the bytes: decoded with replacement characters, the event may be one the schema accepts',
  smsGap,
  `the limits of what validate reads, facts about the text: nesting deeper than ${maxDepth} levels, and an element larger than --max-element-size, are errors`,
  'a timestamp whose offset takes it out of the years 0000 to 9999 (0000-01-01 before its offset east of UTC, 9999-12-31 past it west of UTC) is invalid',
] as const);

/** What the schema of `type` (of every type when undefined) cannot express: `jsonSchemaGaps`, less what one type's has not. */
export function schemaGaps(type?: EventType): readonly string[] {
  return type === undefined ? jsonSchemaGaps : jsonSchemaGaps.filter((gap) => gap !== smsGap);
}

// Hint: ajv-formats' "uuid" also accepts a "urn:uuid:" prefix, and "date-time" (RFC 3339) refuses
// what validate accepts (a space before the offset, +0530) and accepts what it refuses (a
// lowercase "t", 23:59:60); so each check is written as the expression validate itself applies.
const uuidPattern = '^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$';

// The shape of a timestamp after its date: `T` or a space, HH:MM:SS, 1-9 digits of fraction, then
// Z or an offset ±HH, ±HH:MM or ±HHMM (optionally after a space). Hint: digits are `[0-9]`, not
// `\d`, which Python's re and .NET read as any Unicode digit.
const timeOfDay =
  '[T ](?:[01][0-9]|2[0-3])(?::[0-5][0-9]){2}(?:\\.[0-9]{1,9})?(?:Z| ?[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)$';
/**
 * A timestamp whose date the calendar has: 31-day months to 31, others to 30, February to 28,
 * and to 29 in a leap year (a year divisible by 4, except centuries not divisible by 400).
 */
const calendarTimestampPattern = `^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)${timeOfDay}`;

type Action = { type: string; requirement?: unknown };

const timestampDescription =
  'ISO-8601 timestamp (a fraction of 1 to 9 digits if any); the platform sends UTC with a Z, e.g. 2022-09-01T00:30:48.567Z';

/** The JSON Schema of a valibot check that has no JSON Schema form of its own, when it is one callhook knows. */
function overrideCheck(action: Action): JsonSchema | undefined {
  // Hint: where validate reads timestamps with core/instant.ts (a `check` calling isTimestamp),
  // a valid timestamp is also a real calendar date.
  if (action.type === 'check' && action.requirement === isTimestamp) {
    return { type: 'string', description: timestampDescription, pattern: calendarTimestampPattern };
  }
  return undefined;
}

const conversion: ConversionConfig = {
  errorMode: 'throw',
  overrideAction({ valibotAction, jsonSchema }) {
    const action = valibotAction as Action;
    // Hint: without the converter's `format: "uuid"`, which a strict ajv with no format plugin
    // refuses as unknown; the pattern says all of it.
    if (action.type === 'uuid') {
      const { format: _, ...rest } = jsonSchema;
      return { ...rest, pattern: uuidPattern };
    }
    return overrideCheck(action);
  },
};

/**
 * Converts one valibot schema without its `$schema` key: the document says which draft once.
 * Hint: the converter hands over a picklist's own options as `enum` (`callStatuses` itself):
 * every document is a copy (`separate`), so a caller that changes one changes nothing else.
 */
function converted(schema: v.GenericSchema, draft: SchemaDraft): Record<string, unknown> {
  const { $schema: _, ...rest } = convert(schema, {
    ...conversion,
    target: draft === '07' ? 'draft-07' : 'draft-2020-12',
  }) as Record<string, unknown>;
  return rest;
}

/** Closes every object with properties (validate --strict reports any other field). */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = closed(value);
  if (out.type === 'object' && out.properties) out.additionalProperties = false;
  return out;
}

/** Every way of choosing `size` keys. */
function combinations(keys: readonly string[], size: number): string[][] {
  if (size === 0) return [[]];
  if (keys.length < size) return [];
  const [first, ...rest] = keys as [string, ...string[]];
  return [...combinations(rest, size - 1).map((combo) => [first, ...combo]), ...combinations(rest, size)];
}

// Hint: `type: 'object'` beside each `required` changes nothing (the value is an object by then),
// and `properties` naming each required key accepts any value; both keep ajv's strict mode
// (`strict: true`), which wants every keyword next to the type it applies to, and every required
// key among the properties (strictRequired).
/** An object that has every one of `keys`. */
function having(keys: readonly string[], properties: Record<string, unknown> = {}): unknown {
  return {
    type: 'object',
    required: keys,
    properties: { ...Object.fromEntries(keys.map((key) => [key, {}])), ...properties },
  };
}

/** What `keyCounts` gives: how many of a type's telltale keys an object has, at least or at most (undefined: always true). */
interface KeyCounts {
  atLeast(type: EventType, count: number): unknown;
  atMost(type: EventType, count: number): unknown;
}

/** The telltale keys of `type` (see `shapeKeys`); SMSSent's stand for both SMS types, which have the same fields. */
function telltaleKeys(type: EventType): readonly string[] {
  const listed = type === 'SMSReceived' ? 'SMSSent' : type;
  return shapeKeys.find(([candidate]) => candidate === listed)?.[1] ?? [];
}

/**
 * Conditions on how many of a type's telltale keys an object has, each written once among
 * `definitions` and referred to by `ref`: every type's reading by shape asks the same counts of
 * the other types (written inline, they made the document over twice as long).
 */
function keyCounts(definitions: Record<string, unknown>, ref: (name: string) => unknown): KeyCounts {
  const atLeast = (type: EventType, count: number): unknown => {
    const keys = telltaleKeys(type);
    if (count <= 0) return undefined;
    if (count > keys.length) return { not: {} };
    const name = type === 'SMSSent' || type === 'SMSReceived' ? 'SMS' : type;
    const definition = `${name}KeysAtLeast${count}`;
    definitions[definition] ??= {
      description: `At least ${count} of the keys that tell a bare ${name} event by its shape`,
      ...(anyOf(combinations(keys, count).map((combo) => having(combo))) as object),
    };
    return ref(definition);
  };
  const atMost = (type: EventType, count: number): unknown =>
    count >= telltaleKeys(type).length ? undefined : { not: atLeast(type, count + 1) };
  return { atLeast, atMost };
}

function allOf(parts: unknown[]): unknown {
  const kept = parts.filter((part) => part !== undefined);
  return kept.length === 0 ? {} : kept.length === 1 ? kept[0] : { allOf: kept };
}

/** Any of `parts` (at least one). Hint: one is written as itself: linters flag an anyOf of one schema. */
function anyOf(parts: unknown[]): unknown {
  return parts.length === 1 ? parts[0] : { anyOf: parts };
}

/**
 * The keys condition under which validate, given no type, reads a bare object as `type`: it
 * counts each type's telltale keys and takes the type with the most; in a tie, the one type of
 * those tied whose fields (`fieldsOf`) the object is valid as (see `checkEvent`).
 */
function shapeCondition(
  type: EventType,
  required: readonly string[],
  fieldsOf: (type: EventType) => unknown,
  { atLeast, atMost }: KeyCounts,
): unknown {
  const own = telltaleKeys(type);
  const others = shapeKeys.map(([other]) => other).filter((other) => telltaleKeys(other) !== own);
  const least = own.filter((key) => required.includes(key)).length;
  const cases: unknown[] = [];
  for (let score = Math.max(least, 1); score <= own.length; score++) {
    const exactly = [atLeast(type, score), atMost(type, score)];
    // Each other type has fewer of its keys, or as many and the object is no valid event of it.
    const beaten = others.map((other) => {
      const fewer = atMost(other, score - 1);
      const tied = allOf([atMost(other, score), { not: fieldsOf(other) }]);
      return fewer === undefined ? undefined : { anyOf: [fewer, tied] };
    });
    cases.push(allOf([...exactly, ...beaten]));
  }
  return anyOf(cases);
}

/** validate reads an object as an envelope when it has `eventType`, or an object `data` and `createdAt`. */
const notEnveloped = {
  not: { anyOf: [having(['eventType']), having(['data', 'createdAt'], { data: { type: 'object' } })] },
};

const definitionNames: Record<EventType, string> = {
  CallComplete: 'CallCompleteData',
  CallAttempted: 'CallAttemptedData',
  CallReceived: 'CallReceivedData',
  SMSSent: 'SmsData',
  SMSReceived: 'SmsData',
};

interface Definitions {
  definitions: Record<string, unknown>;
  /** The schemas of an enveloped event of each type. */
  envelopes: Record<string, unknown>;
  /** The schemas of a bare event read with no type given (by its keys), per type; SMS once. */
  bare: Record<string, unknown>;
  /** The schemas of a bare event read as each type (validate --type). */
  bareTyped: Record<string, unknown>;
}

/** The definitions every document is built from; `$ref`s start with `refPrefix`. */
function buildDefinitions(
  draft: SchemaDraft,
  strict: boolean,
  refPrefix: string,
  types: readonly EventType[],
): Definitions {
  const ref = (name: string) => ({ $ref: `${refPrefix}${name}` });
  const strictly = (schema: unknown) => (strict ? closed(schema) : schema);
  const definitions: Record<string, unknown> = { FlowStep: strictly(converted(FlowStepSchema, draft)) };
  const required: Record<string, string[]> = {};
  for (const type of types) {
    const data = converted(dataSchemas[type], draft);
    required[type] = (data.required as string[] | undefined) ?? [];
    definitions[definitionNames[type]] = strictly(data);
  }
  // The converter writes the flow's items inline; point them at the one definition.
  const callComplete = definitions.CallCompleteData as { properties?: { flow?: { items?: unknown } } } | undefined;
  if (callComplete?.properties?.flow) callComplete.properties.flow.items = ref('FlowStep');

  const envelope = converted(EnvelopeSchema, draft) as { properties: Record<string, unknown> };
  const out: Definitions = { definitions, envelopes: {}, bare: {}, bareTyped: {} };
  for (const type of types) {
    const name = `${type}Envelope`;
    definitions[name] = strictly({
      ...envelope,
      description: `A ${type} event in its envelope`,
      properties: { ...envelope.properties, eventType: { const: type }, data: ref(definitionNames[type]) },
    });
    out.envelopes[type] = ref(name);
    out.bareTyped[type] = { allOf: [ref(definitionNames[type]), notEnveloped] };
  }
  // A bare event read with no type given: only the document of every type needs these.
  const byShape = types.length === eventTypes.length;
  const counts = keyCounts(definitions, ref);
  for (const type of byShape ? types.filter((candidate) => candidate !== 'SMSReceived') : []) {
    const name = `Bare${type === 'SMSSent' ? 'SMS' : type}`;
    const fieldsOf = (other: EventType) => ref(definitionNames[other]);
    const shape = shapeCondition(type, required[type] ?? [], fieldsOf, counts);
    const parts: unknown[] = [ref(definitionNames[type]), notEnveloped, shape];
    definitions[name] = {
      description: `A bare ${name.slice(4)} event (no envelope), as validate tells it by its keys`,
      allOf: parts,
    };
    out.bare[type] = ref(name);
  }
  return out;
}

const schemaUri = (draft: SchemaDraft) =>
  draft === '07' ? 'http://json-schema.org/draft-07/schema#' : 'https://json-schema.org/draft/2020-12/schema';

/**
 * The `$id` of one document: each type, `strict` and draft its own, so a tool can hold them all
 * at once (one that registers schemas refuses a second document with an `$id` it has). Hint: the
 * default draft's ids are those it had before draft 07 got its own.
 */
const schemaId = (type: EventType | undefined, strict: boolean, draft: SchemaDraft) =>
  `https://callhook.invalid/schema/${draft === '07' ? 'draft-07/' : ''}${type ?? 'webhook-event'}${strict ? '.strict' : ''}.json`;

/**
 * The JSON Schema of one webhook event (enveloped or bare) of `options.type`, or of any type.
 * It accepts exactly the events `validate` (or `validate --strict`) finds no error in.
 */
export function toJsonSchema(options: JsonSchemaOptions = {}): JsonSchemaDocument {
  options = ownOptions(options, 'toJsonSchema', ['type', 'draft', 'strict']);
  assertChoice('draft', options.draft, schemaDrafts);
  assertChoice('type', options.type, eventTypes);
  assertBoolean('strict', options.strict);
  const draft = options.draft ?? '2020-12';
  const defsKey = draft === '07' ? 'definitions' : '$defs';
  const types = options.type ? [options.type] : eventTypes;
  const built = buildDefinitions(draft, options.strict === true, `#/${defsKey}/`, types);
  const branches = options.type
    ? [built.envelopes[options.type], built.bareTyped[options.type]]
    : [...Object.values(built.envelopes), ...Object.values(built.bare)];
  const command = `callhook validate${options.type ? ` --type ${options.type}` : ''}${options.strict ? ' --strict' : ''}`;
  return separate({
    $schema: schemaUri(draft),
    $id: schemaId(options.type, options.strict === true, draft),
    title: options.type ? `${options.type} webhook event` : 'Webhook event',
    description: `One event as the platform POSTs it, enveloped ({ id, eventType, createdAt, data }) or bare; accepts exactly what \`${command}\` accepts.`,
    $comment: `Not expressed: ${schemaGaps(options.type).join('; ')}.`,
    anyOf: branches,
    [defsKey]: built.definitions,
  });
}

/**
 * `document` with no object at two places: a tool that rewrites one place in place
 * (dereferencing it) would rewrite the other too. Hint: a JSON copy, as the documents are JSON.
 */
function separate(document: JsonSchemaDocument): JsonSchemaDocument {
  return JSON.parse(JSON.stringify(document)) as JsonSchemaDocument;
}

/** How to build the OpenAPI document. */
export interface OpenApiOptions {
  /** Mirror `validate --strict` in the event schemas. */
  strict?: boolean | undefined;
  /** `info.version` (default: callhook's own, as `callhook schema --openapi` prints it). */
  version?: string | undefined;
}

/** The Standard Webhooks headers of a delivery. */
const signatureHeaders = [
  {
    name: 'webhook-id',
    in: 'header',
    required: false,
    description:
      'Standard Webhooks: the delivery id, the same on every attempt of one batch, so a receiver can drop a repeat. Present when signing is configured.',
    schema: { type: 'string', minLength: 1 },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: false,
    description:
      'Standard Webhooks: Unix seconds when this attempt was signed; refuse one far from now (replay attack).',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: false,
    description:
      'Standard Webhooks: space-separated `<version>,<base64>` signatures, `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` one per secret during key rotation; entries of other versions (`v1a`, asymmetric) may stand beside them and are passed over.',
    // Hint: any version, as the spec's own example header holds a `v1a` entry and the verifier reads one.
    schema: { type: 'string', pattern: `^${signatureEntrySource}( +${signatureEntrySource})*$` },
  },
];

/** The body of an answer that refuses: a Problem. */
const errorBody = {
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

// Hint: each body `callhook listen` answers is described (a test asks listen for every status it
// gives); 3xx, 410 and 429 are a receiver's to send, and listen sends them only when told to
// (--respond, --fail-code).
/** The answers a receiver gives a delivery. */
const receiverResponses = {
  '2XX': {
    description: 'Accepted: every event was taken (a repeated webhook-id may be acknowledged and dropped).',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } },
  },
  '204': { description: 'Accepted, with no body (a 204 has none): every event was taken.' },
  '205': { description: 'Accepted, with no body (a 205 has none, its Content-Length 0): every event was taken.' },
  '400': {
    description:
      'The body is not JSON, or is empty, or holds more than one JSON value (a body is one event or one array of events, not NDJSON); or the request is not HTTP (`not-http`: its head, or its chunked framing).',
    ...errorBody,
  },
  '401': {
    description: 'The signature is missing or wrong, or webhook-timestamp is too far from now.',
    ...errorBody,
  },
  '3XX': {
    description:
      'A redirect, which a sender does not follow with the delivery (after a 301, 302 or 303 a client drops its method and body): the delivery failed.',
    ...errorBody,
  },
  '304': {
    description:
      'Not Modified, with no body (a 304 has none): no redirect, but the answer to a conditional request for a resource, never to a delivery; the delivery failed.',
  },
  '410': { description: 'Gone: the receiver no longer wants deliveries; the sender stops.', ...errorBody },
  '413': { description: 'The body is larger than the receiver accepts; send smaller batches.', ...errorBody },
  '422': {
    description:
      'The body is JSON, but not valid events: an event fails validation, or a value is no event at all (`"x"`, `null`, `[1, 2]`); `problems` says where.',
    ...errorBody,
  },
  '429': { description: 'Too many requests: retry after the Retry-After header.', ...errorBody },
  '4XX': {
    description:
      'Refused for how it was sent, not retried but a 408: a path not served (404), a method not taken (405), a body too slow (408), compressed (415), an Expect other than 100-continue (417), headers too large (431).',
    ...errorBody,
  },
  '5XX': { description: 'The receiver failed; the sender retries with back-off.', ...errorBody },
};

/** What listen's own checks answered, when `--respond` or `--fail-rate` answered otherwise. */
const checkedStatus = {
  type: 'integer',
  minimum: 200,
  maximum: 599,
  description:
    'What `callhook listen` would have answered: the status its own checks gave, when `--respond` or `--fail-rate` chose the answer',
};

/**
 * An OpenAPI 3.1 document whose `webhooks` describe each delivery: a POST whose body is a JSON
 * array of events, or one event (any type, or one webhook per type), signed with the Standard
 * Webhooks headers, and the answers a receiver gives.
 */
export function toOpenApi(options: OpenApiOptions = {}): JsonSchemaDocument {
  options = ownOptions(options, 'toOpenApi', ['strict', 'version']);
  assertBoolean('strict', options.strict);
  if (options.version !== undefined) assertString('version', options.version);
  const built = buildDefinitions('2020-12', options.strict === true, '#/components/schemas/', eventTypes);
  const schemas: Record<string, unknown> = { ...built.definitions };
  schemas.WebhookEvent = {
    description: 'Any webhook event, enveloped or bare, as validate reads it with no type given.',
    anyOf: [...Object.values(built.envelopes), ...Object.values(built.bare)],
  };
  for (const type of eventTypes) {
    schemas[`${type}Event`] = {
      description: `A ${type} event, enveloped or bare, as validate --type ${type} reads it.`,
      anyOf: [built.envelopes[type], built.bareTyped[type]],
    };
  }
  schemas.Accepted = {
    type: 'object',
    description: 'What `callhook listen` answers a delivery it took; a sender reads the status alone.',
    properties: {
      ok: { const: true },
      events: {
        type: 'integer',
        minimum: 0,
        description:
          'How many valid events the body held: those that fail validation, accepted all the same (`callhook listen --accept-invalid`, or an answer `--respond` or `--fail-rate` chose), are not counted',
      },
      checked: checkedStatus,
    },
  };
  schemas.Problem = {
    type: 'object',
    description:
      'What a receiver may answer with a 4xx or 5xx, as `callhook listen` does: `error` names what failed, and `problems` where, each as validateEvent reports an issue but with its pointer into the whole body.',
    required: ['error'],
    properties: {
      error: {
        type: 'string',
        description:
          'not-json, bad-signature, invalid-events, too-large, not-http, request-timeout, headers-too-large, misbehaving (an answer `callhook listen --respond` or `--fail-rate` chose), …',
      },
      message: { type: 'string' },
      reason: {
        type: 'string',
        description: 'Which signature check failed (a 401): wrong-secret, timestamp-too-old, …',
      },
      skewSeconds: { type: 'number', description: 'How far webhook-timestamp was from now (a 401 for the time)' },
      invalid: { type: 'integer', minimum: 1, description: 'How many events failed validation (a 422)' },
      problems: {
        type: 'array',
        description: 'The first problems found, in the order of the body',
        items: {
          type: 'object',
          properties: {
            pointer: { type: 'string', description: 'JSON pointer into the body: /0/data/status' },
            code: { type: 'string' },
            message: { type: 'string' },
            severity: { enum: ['error', 'warning'] },
            line: { type: 'integer', minimum: 1, description: 'Where in the body, from 1' },
            column: { type: 'integer', minimum: 1 },
          },
          required: ['pointer', 'code', 'message'],
        },
      },
      checked: checkedStatus,
    },
  };
  const delivery = (name: string, summary: string, items: string) => ({
    post: {
      operationId: `receive${name}`,
      summary,
      description:
        "A batch of at most the organisation's batchSize events, POSTed as one JSON array; a lone event is a batch of one, as `callhook listen` takes it. The same batch may arrive again (a retry or redelivery): deduplicate by webhook-id or event id. When signing is configured, the webhook-* headers sign it (Standard Webhooks); OpenAPI has no security scheme for a signature over the body, so none is declared.",
      parameters: signatureHeaders,
      // Hint: a signature over the body (the webhook-* headers, sent when signing is configured)
      // is no OpenAPI security scheme, so the operation declares none rather than leaving it unsaid.
      security: [],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            // Hint: listen, validate and replay all read a lone event as a batch of one (README).
            schema: {
              anyOf: [
                { type: 'array', items: { $ref: `#/components/schemas/${items}` } },
                { $ref: `#/components/schemas/${items}` },
              ],
            },
          },
        },
      },
      responses: receiverResponses,
    },
  });
  const webhooks: Record<string, unknown> = {
    events: delivery('Events', 'A delivery of events of any type', 'WebhookEvent'),
  };
  for (const type of eventTypes) webhooks[type] = delivery(type, `A delivery of ${type} events`, `${type}Event`);
  return separate({
    openapi: '3.1.0',
    info: {
      title: 'AI voice-calling platform webhooks',
      version: options.version ?? version,
      license: { name: license, identifier: license },
      description: `The payloads the platform POSTs to a receiver, as callhook validates them${options.strict ? ' with --strict' : ''}. Not expressed: ${jsonSchemaGaps.join('; ')}.`,
    },
    jsonSchemaDialect: schemaUri('2020-12'),
    webhooks,
    components: { schemas },
  });
}
