import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { generateTypedCalls } from '../core/generate.js';
import { acceptorOf } from './acceptor.js';
import { dataSchemas, EnvelopeSchema, type EventType } from './events.js';

// Realistic events of every type, enveloped, as the seeds the mutations start from.
const samples = [...generateTypedCalls({ seed: 7, calls: 40, envelope: 'all' })].map(({ type, event }) => ({
  type,
  event: event as { data: Record<string, unknown> },
}));

type Json = unknown;

const uuid = '5dd7681b-2188-49fc-8fc0-87b57056f436';

/** Replaces (or, with `undefined`, deletes) the value at `path` in a deep copy of `value`. */
function mutate(value: Json, path: readonly (string | number)[], replacement: Json): Json {
  const copy = structuredClone(value) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path.at(-1);
  if (last === undefined) return replacement;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** Every path to a value inside `value`, the root's `[]` included. */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...at, key]));
  }
  return out;
}

describe('acceptorOf', () => {
  it('accepts every generated event, so the fast path is the one valid events take', () => {
    expect(samples.length).toBeGreaterThan(40);
    for (const { type, event } of samples) {
      expect(acceptorOf(EnvelopeSchema)(event)).toBe(true);
      expect(acceptorOf(dataSchemas[type])(event.data)).toBe(true);
    }
  });

  it('says yes exactly when valibot does, for any one field of a real event changed or removed', () => {
    const replacement = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      // Near misses of the formats (a UUID, a timestamp, a phone number, a status a character
      // off) and the plainest values of each JSON type.
      fc.constantFrom('5dd7681b-2188-49fc-8fc0-00000000000g', '2022-09-01T25:00:00Z', '+61491573087', 'Complete '),
      fc.constantFrom(null, 0, '', [], {}, false),
      // UUIDs in upper case, a hyphen out of place, a character short or over, and characters
      // outside ASCII that look like (or fold to) hex digits.
      fc.constantFrom(
        '5DD7681B-2188-49FC-8FC0-87B57056F436',
        '5dd7681b2-188-49fc-8fc0-87b57056f436',
        '5dd7681b_2188-49fc-8fc0-87b57056f436',
        '5dd7681b-2188-49fc-8fc0-87b57056f43',
        '5dd7681b-2188-49fc-8fc0-87b57056f4366',
        '５dd7681b-2188-49fc-8fc0-87b57056f436',
        '5dd7681b-2188-49fc-8fc0-87b57056f43\u212a',
      ),
      // A UUID with any one character replaced by a hyphen, a hex digit or a near one.
      fc
        .tuple(fc.nat(35), fc.constantFrom('-', 'a', 'F', '0', 'g', 'G', '_', '\uff10'))
        .map(([at, char]) => `${uuid.slice(0, at)}${char}${uuid.slice(at + 1)}`),
    );
    fc.assert(
      fc.property(fc.nat(samples.length - 1), fc.nat(), replacement, (which, where, value) => {
        const { type, event } = samples[which]!;
        const all = paths(event.data);
        const changed = mutate(event.data, all[where % all.length]!, value);
        const schema = dataSchemas[type as EventType];
        expect(acceptorOf(schema)(changed)).toBe(v.is(schema, changed));
        const envelopePaths = paths(event).filter((path) => path.length <= 1);
        const changedEnvelope = mutate(event, envelopePaths[where % envelopePaths.length]!, value);
        expect(acceptorOf(EnvelopeSchema)(changedEnvelope)).toBe(v.is(EnvelopeSchema, changedEnvelope));
      }),
      { numRuns: 2000 },
    );
  });

  it('never says yes for a schema with parts it does not compile', () => {
    const transformed = v.object({ n: v.pipe(v.string(), v.transform(Number)) });
    const defaulted = v.looseObject({ n: v.optional(v.string(), 'x') });
    expect(acceptorOf(transformed)({ n: '1' })).toBe(false);
    expect(acceptorOf(defaulted)({})).toBe(false);
    expect(v.is(defaulted, {})).toBe(true);
  });
});
