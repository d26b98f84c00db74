import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../core/generate.js';
import { verifyStandardWebhook } from '../http/verify.js';
import { validateEvent } from '../library.js';
import { version } from '../version.js';
import { type EventType, eventTypes } from './events.js';
import { toJsonSchema, toOpenApi } from './json-schema.js';

// Hint: no format plugin (ajv-formats): the documents carry no `format`, their patterns say it all.
const ajv = new Ajv2020({ allErrors: false });
const ajv07 = new Ajv({ allErrors: false });

type Mode = { type?: EventType; strict: boolean };
const modes: Mode[] = [false, true].flatMap((strict) => [{ strict }, ...eventTypes.map((type) => ({ type, strict }))]);
const compiled = modes.map((mode) => ({
  mode,
  check: ajv.compile(toJsonSchema(mode)),
  check07: ajv07.compile(toJsonSchema({ ...mode, draft: '07' })),
}));

/** Every object in `value`, by its JSON pointer. */
function objectsOf(value: unknown, pointer = '', found = new Map<object, string>()): Map<object, string> {
  if (typeof value !== 'object' || value === null) return found;
  found.set(value, pointer);
  for (const [key, child] of Object.entries(value)) objectsOf(child, `${pointer}/${key}`, found);
  return found;
}

/** Every place (JSON pointer) an object of `value` that is reached by more than one path is also reached at. */
function sharedWithin(
  value: unknown,
  pointer = '',
  first = new Map<object, string>(),
  shared: string[] = [],
): string[] {
  if (typeof value !== 'object' || value === null) return shared;
  if (first.has(value)) {
    shared.push(`${pointer} is ${first.get(value)}`);
    return shared;
  }
  first.set(value, pointer);
  for (const [key, child] of Object.entries(value)) sharedWithin(child, `${pointer}/${key}`, first, shared);
  return shared;
}

/**
 * Changes every object of one document `make` returns, and expects the next to be as before and
 * share none of them; nor may one document hold an object at two places, which a tool that
 * rewrites one place (dereferencing it) would rewrite at the other (helper-202: 17 such).
 */
function expectFreshDocuments(make: () => object): void {
  expect(sharedWithin(make())).toEqual([]);
  const pristine = JSON.stringify(make());
  const held = objectsOf(make());
  for (const object of held.keys()) {
    if (Array.isArray(object)) object.push('changed');
    else for (const key of Object.keys(object)) Reflect.set(object, key, 'changed');
  }
  const next = make();
  const shared = [...objectsOf(next)].filter(([object]) => held.has(object)).map(([, pointer]) => pointer);
  expect(shared).toEqual([]);
  expect(JSON.stringify(next) === pristine, 'a document changed by a change to an earlier one').toBe(true);
}

/** Every mode where ajv on the schema and validate disagree about `value`. */
function disagreements(value: unknown): string[] {
  const out: string[] = [];
  for (const { mode, check, check07 } of compiled) {
    const expected = validateEvent(value, mode).ok;
    const label = `${mode.type ?? 'any type'}${mode.strict ? ' --strict' : ''}`;
    if (check(value) !== expected) out.push(`2020-12 ${label}: validate says ${expected}`);
    if (check07(value) !== expected) out.push(`07 ${label}: validate says ${expected}`);
  }
  return out;
}

const samples = [
  ...generateEvents({ count: 150, seed: 21 }),
  ...generateEvents({ count: 150, seed: 22, envelope: 'all' }),
].map(({ event }) => JSON.parse(JSON.stringify(event)) as Record<string, unknown>);

/** The paths of every value inside `value`, the root excluded. */
function pathsOf(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...path, key], ...pathsOf(item, [...path, key])]);
}

// Values near the edges of each check: almost-UUIDs, almost-timestamps, almost-phones, other types.
const tricky = fc.constantFrom<unknown>(
  null,
  0,
  1.5,
  true,
  '',
  [],
  {},
  'Complete',
  'Not Complete',
  'complete',
  'success',
  'outbound-callback',
  'SMSReceived',
  'urn:uuid:31e6080f-1566-47d5-b6ba-c53d7a0ad947',
  '31E6080F-1566-47D5-B6BA-C53D7A0AD947',
  '31e6080f1566-47d5-b6ba-c53d7a0ad947',
  '31e6080f-1566-47d5-b6ba-c53d7a0ad94',
  '2022-02-30T00:00:00Z',
  '2022-09-01 00:00:00+0530',
  '2022-09-01T00:00:00+05',
  '2022-09-01t00:00:00Z',
  '2022-09-01T00:00Z',
  '2022-09-01T24:00:00Z',
  '2022-09-01T00:00:00.1234567891Z',
  '2022-09-01',
  '+61491573087',
  '6149157308',
  '1234',
  '1234567890123456',
  '٦١٤٩١٥٧٣٠٨٧',
  '61491573087\n',
);
const anyJson = fc.oneof(tricky, fc.jsonValue({ maxDepth: 2 }));
// Keys that move validate's reading of an object: envelope keys and each type's telltale keys.
const keys = fc.constantFrom(
  'eventType',
  'data',
  'createdAt',
  'id',
  'type',
  'status',
  'note',
  'from',
  'to',
  'message',
  'sessionId',
  'flow',
  'name',
  '__proto__',
  'constructor',
  'extra',
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: anyJson }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({ kind: fc.constant('add' as const), key: keys, value: anyJson }),
  fc.record({
    kind: fc.constant('edit' as const),
    at: fc.nat(40),
    char: fc.constantFrom('', 'x', '0', '-', ' ', 'Z', 'é'),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(event: Record<string, unknown>, pathIndex: number, change: Mutation): unknown {
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  const paths = pathsOf(copy);
  const path = change.kind === 'add' ? [] : paths[pathIndex % paths.length]!;
  // The container of the target: for `add`, any object in the event (or the event itself).
  const objects = [[], ...paths].filter((p) => {
    const node = p.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], copy);
    return typeof node === 'object' && node !== null && !Array.isArray(node);
  });
  const target = change.kind === 'add' ? objects[pathIndex % objects.length]! : path.slice(0, -1);
  const parent = target.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], copy) as Record<string, unknown>;
  const key = change.kind === 'add' ? change.key : path.at(-1)!;
  const define = (value: unknown) =>
    Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  if (change.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (change.kind === 'edit') {
    const old = parent[key];
    if (typeof old !== 'string') return copy;
    const at = change.at % (old.length + 1);
    define(old.slice(0, at) + change.char + old.slice(at + (change.char === '' ? 1 : 0)));
  } else define(JSON.parse(JSON.stringify(change.value ?? null)));
  return copy;
}

describe('toJsonSchema agrees with validate', () => {
  it('on every generated event, in every mode and both drafts', () => {
    for (const event of samples) expect(disagreements(event)).toEqual([]);
  });

  it('on random single-field mutations of generated events (replace, delete, add, edit a character)', () => {
    let invalid = 0;
    fc.assert(
      fc.property(fc.nat(samples.length - 1), fc.nat(10_000), mutation, (index, pathIndex, change) => {
        const value = mutate(samples[index]!, pathIndex, change);
        if (!validateEvent(value).ok) invalid++;
        expect(disagreements(value)).toEqual([]);
      }),
      { numRuns: 400, seed: 14 },
    );
    // The mutations must reach both sides of the line, or the agreement says nothing.
    expect(invalid).toBeGreaterThan(70);
    expect(invalid).toBeLessThan(370);
  });

  it('on bare objects whose keys tie or mislead the reading by shape', () => {
    const attempted = samples.find((event) => event.status === 'failed')!;
    const received = samples.find((event) => event.type === 'inbound')!;
    const { note: _, ...noNote } = attempted;
    for (const value of [
      { ...noNote, type: 'inbound' },
      { ...attempted, from: '61491570006' },
      { ...received, note: 'x' },
      // Tied, and valid as one type alone: read as that one (red team hT65).
      { ...received, to: '61491570006' },
      { ...noNote, status: 'success', message: 'hi' },
      { ...received, status: 'ringing' },
      { ...attempted, data: {}, createdAt: '2022-09-01T00:00:00Z' },
      { ...attempted, data: [], createdAt: '2022-09-01T00:00:00Z' },
      { ...received, eventType: 'CallReceived' },
    ]) {
      expect(disagreements(value)).toEqual([]);
    }
  });

  it("compiles under ajv's full strict mode, strictRequired included, with no format plugin, in every mode, both drafts and the OpenAPI's", () => {
    // Each UUID carried `format: "uuid"` beside its pattern, so a plain strict ajv (no
    // ajv-formats) threw `unknown format "uuid"` (red team hR83).
    const strict2020 = new Ajv2020({ strict: true });
    const strict07 = new Ajv({ strict: true });
    for (const mode of modes) {
      expect(() => strict2020.compile(toJsonSchema(mode))).not.toThrow();
      expect(() => strict07.compile(toJsonSchema({ ...mode, draft: '07' }))).not.toThrow();
    }
    for (const strict of [false, true]) {
      const { components } = toOpenApi({ strict }) as { components: { schemas: Record<string, unknown> } };
      const document = { $id: `https://callhook.invalid/openapi${strict ? '.strict' : ''}.json`, components };
      // Hint: `components` is OpenAPI's holder, no JSON Schema keyword (strict mode refuses those
      // it does not know); each schema in it is compiled by its own reference.
      const plain = new Ajv2020({ strict: true }).addKeyword('components').addSchema(document);
      for (const name of Object.keys(components.schemas)) {
        const compile = () => plain.getSchema(`${document.$id}#/components/schemas/${name}`);
        expect(compile, name).not.toThrow();
        expect(compile(), name).toBeTypeOf('function');
      }
    }
  });

  it('writes its patterns with ASCII digits only, as every regex dialect reads them alike', () => {
    // `\d` is any Unicode digit in Python's re and .NET: python-jsonschema took a time of
    // Arabic-Indic digits that validate refuses (red team hT16).
    const patterns = [JSON.stringify(toJsonSchema()), JSON.stringify(toOpenApi())].join('').match(/"pattern":"[^"]*"/g);
    expect(patterns?.length).toBeGreaterThan(3);
    for (const pattern of patterns ?? []) expect(pattern).not.toMatch(/\\\\[dDwWsS]/);
  });

  it('hands each call a schema of its own: changing one changes no later one', () => {
    // The check that a bare event is not an envelope was one object in every schema.
    expectFreshDocuments(() => toJsonSchema());
    expectFreshDocuments(() => toJsonSchema({ type: 'SMSSent', draft: '07', strict: true }));
  });

  it('gives each document an $id of its own, the same on every run', () => {
    // The draft-07 and 2020-12 documents shared one $id, so a tool that registers both (as
    // @hyperjump/json-schema does) refused the second.
    const ids = modes.flatMap((mode) =>
      (['2020-12', '07'] as const).map((draft) => toJsonSchema({ ...mode, draft }).$id),
    );
    expect(new Set(ids).size).toBe(modes.length * 2);
    expect(modes.map((mode) => toJsonSchema({ ...mode, draft: '07' }).$id)).toEqual(
      modes.map((mode) => toJsonSchema({ ...mode, draft: '07' }).$id),
    );
    // The 2020-12 document's id, the default, is the one it always had.
    expect(toJsonSchema().$id).toBe('https://callhook.invalid/schema/webhook-event.json');
  });

  it('says what it cannot express', () => {
    expect(toJsonSchema().$comment).toMatch(/^Not expressed: .*warnings.*redelivery.*duplicate keys/);
    // validate refuses a time its offset takes out of 0000-9999; the schema's pattern does not say so.
    expect(toJsonSchema().$comment).toContain('a timestamp whose offset takes it out of the years 0000 to 9999');
    // validate refuses nesting past its limit, which the schema accepted silently (a red-team pass).
    expect(toJsonSchema().$comment).toContain('nesting deeper than 256 levels');
    expect(toJsonSchema().$comment).toContain('an element larger than --max-element-size');
    // validate refuses a note holding byte 0xE9 (invalid-utf8); decoded with replacement, the schema took it (red team hR83).
    expect(toJsonSchema().$comment).toContain('text that is not valid UTF-8 (a lone byte 0xE9) is an error');
    expect(toJsonSchema({ type: 'SMSSent' }).$comment).toContain('not valid UTF-8');
    // Telling a bare SMSSent from an SMSReceived is a gap of the schema of every type, not of one type's.
    expect(toJsonSchema().$comment).toContain('a bare SMSSent and SMSReceived have the same fields');
    for (const type of ['CallComplete', 'SMSSent'] as const) {
      expect(toJsonSchema({ type }).$comment).not.toContain('SMSReceived');
      expect(toJsonSchema({ type }).$comment).toContain('a repeated event id');
    }
  });
});

describe('the gap of text that is not valid UTF-8', () => {
  it('says a body decoded with replacement characters may pass the schema, not that it does', () => {
    // A U+FFFD in a field with a pattern (an id, a time) fails the schema too (review hR85).
    const [event] = JSON.parse(readFileSync('fixtures/valid/every-status.json', 'utf8')) as { id: string }[];
    const { check } = compiled[0]!;
    expect(check(event)).toBe(true);
    expect(check({ ...event, id: `${event!.id.slice(0, -1)}\ufffd` })).toBe(false);
    expect(toJsonSchema().$comment).toContain(
      'decoded with replacement characters, the event may be one the schema accepts',
    );
  });
});

describe('toOpenApi', () => {
  const document = toOpenApi({ version: '0.1.0' });

  it('is versioned as callhook is unless told, as `callhook schema --openapi` prints it', () => {
    // The library said 1.0.0 while the CLI printed callhook's version.
    expect((toOpenApi() as { info: { version: string } }).info.version).toBe(version);
    expect((toOpenApi({ version: '2.3.4' }) as { info: { version: string } }).info.version).toBe('2.3.4');
  });

  it('hands each call a document of its own: changing one changes no later one', () => {
    // Every document held the same header list and answers: a tool that rewrote one in place
    // (dereferencing it, say) rewrote every later call's, and every webhook's of the same document.
    expectFreshDocuments(() => toOpenApi({ strict: true }));
    const webhooks = toOpenApi().webhooks as Record<string, { post: { parameters: unknown; responses: unknown } }>;
    expect(webhooks.events!.post.parameters).not.toBe(webhooks.CallComplete!.post.parameters);
    expect(webhooks.events!.post.responses).not.toBe(webhooks.CallComplete!.post.responses);
  });

  it("passes redocly's recommended rules that it can meet truthfully", () => {
    // `redocly lint` with its default config: a single-member anyOf (no-illogical-composition-
    // keywords), no security on a webhook (security-defined), no info.license (info-license).
    // Hint: no-empty-servers it cannot meet: a receiver's URL is each organisation's own.
    const compositions: string[] = [];
    for (const [node, pointer] of objectsOf(document)) {
      for (const key of ['anyOf', 'allOf', 'oneOf']) {
        const members = (node as Record<string, unknown>)[key];
        if (Array.isArray(members) && members.length < 2) compositions.push(`${pointer}/${key}`);
      }
    }
    expect(compositions).toEqual([]);
    const webhooks = document.webhooks as Record<string, Record<string, { security?: unknown }>>;
    for (const [name, operations] of Object.entries(webhooks)) {
      for (const operation of Object.values(operations)) expect(operation.security, name).toEqual([]);
    }
    const { license } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      license: string;
    };
    expect(document.info).toMatchObject({ license: { name: license, identifier: license } });
  });

  it('passes the OpenAPI 3.1 schema validator', async () => {
    const result = await new Validator().validate(document as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('describes a delivery per type and one of any type: an array body or one event, the signature headers, the answers', () => {
    const webhooks = document.webhooks as Record<string, { post: Record<string, unknown> }>;
    expect(Object.keys(webhooks)).toEqual(['events', ...eventTypes]);
    const post = webhooks.events!.post as {
      parameters: Array<{ name: string; in: string }>;
      requestBody: { content: Record<string, { schema: unknown }> };
      responses: Record<string, unknown>;
    };
    expect(post.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'header:webhook-id',
      'header:webhook-timestamp',
      'header:webhook-signature',
    ]);
    expect(post.requestBody.content['application/json']!.schema).toEqual({
      anyOf: [
        { type: 'array', items: { $ref: '#/components/schemas/WebhookEvent' } },
        { $ref: '#/components/schemas/WebhookEvent' },
      ],
    });
    expect(Object.keys(post.responses).sort()).toEqual([
      '204',
      '205',
      '2XX',
      '304',
      '3XX',
      '400',
      '401',
      '410',
      '413',
      '422',
      '429',
      '4XX',
      '5XX',
    ]);
  });

  it('names in its answers no method it does not describe', () => {
    // The 4XX text said "a method other than POST or PUT", but only POST deliveries are described
    // (the platform POSTs; that listen takes a PUT as well is its own leniency).
    const webhooks = document.webhooks as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const [name, operations] of Object.entries(webhooks)) {
      const described = Object.keys(operations).map((method) => method.toUpperCase());
      for (const { responses } of Object.values(operations)) {
        const named = JSON.stringify(responses).match(/\b(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g) ?? [];
        expect(
          named.filter((method) => !described.includes(method)),
          name,
        ).toEqual([]);
      }
    }
  });

  it("describes webhook-signature as the verifier reads it: the spec's example header, v1a entries and all", () => {
    // The pattern took only `v1,` entries, so the spec's own example (a v1 and a v1a signature)
    // failed it, though the verifier accepts it.
    const webhooks = document.webhooks as Record<string, { post: { parameters: Array<Record<string, unknown>> } }>;
    const parameter = webhooks.events!.post.parameters.find((p) => p.name === 'webhook-signature') as {
      schema: { pattern: string };
    };
    const pattern = new RegExp(parameter.schema.pattern, 'u');
    // From the spec's "Webhook headers" section.
    const specExample =
      'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==';
    expect(pattern.test(specExample)).toBe(true);
    // What the pattern accepts the verifier reads (never malformed-header), and what it refuses, with
    // no entry the verifier can read, the verifier calls malformed-header.
    const verdict = (signature: string) => {
      const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': signature };
      const result = verifyStandardWebhook('{}', headers, { secrets: ['whsec_c2VjcmV0'], ignoreTimestamp: true });
      return result.ok ? 'ok' : result.reason;
    };
    expect(verdict(specExample)).toBe('wrong-secret');
    const entry = fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9]{1,4}$/), fc.uint8Array({ minLength: 1, maxLength: 40 }))
      .map(([version, bytes]) => `${version},${Buffer.from(bytes).toString('base64')}`);
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), (entries) => {
        const signature = entries.join(' ');
        expect(pattern.test(signature)).toBe(true);
        expect(verdict(signature)).not.toBe('malformed-header');
      }),
      { numRuns: 100, seed: 16 },
    );
    for (const unreadable of ['g0hM9SsE', 'v1,', ',c2ln', 'v1,ab-c_d', 'v1,!!notbase64!!']) {
      expect(pattern.test(unreadable), unreadable).toBe(false);
      expect(verdict(unreadable), unreadable).toBe('malformed-header');
    }
  });

  it('accepts a delivery body exactly when validate accepts each of its events, a lone event as a batch of one', () => {
    const bodies = new Ajv2020({ strict: false });
    const webhooks = document.webhooks as Record<
      string,
      { post: { requestBody: { content: Record<string, { schema: object }> } } }
    >;
    const checkBody = bodies.compile({
      $id: 'https://callhook.invalid/openapi.json',
      ...webhooks.events!.post.requestBody.content['application/json']!.schema,
      components: document.components,
    });
    fc.assert(
      fc.property(
        fc.array(fc.nat(samples.length - 1), { maxLength: 5 }),
        fc.nat(10_000),
        mutation,
        (picks, pathIndex, change) => {
          const body: unknown[] = picks.map((index) => samples[index]);
          if (body.length > 0) body[0] = mutate(samples[picks[0]!]!, pathIndex, change);
          expect(checkBody(body)).toBe(body.every((event) => validateEvent(event).ok));
          if (body.length > 0) expect(checkBody(body[0])).toBe(validateEvent(body[0]).ok);
        },
      ),
      { numRuns: 100, seed: 15 },
    );
  });
});
