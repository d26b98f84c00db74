import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Stream } from 'node:stream';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { type GeneratedDelivery, type GeneratedEvent, generateEvents, type WireEvent } from './core/generate.js';
import { CallhookError } from './errors.js';
import { defaultHmacHeader } from './http/names.js';
import { createSigner, parseSecrets } from './http/signing.js';
import { verifyHexHmac, verifyStandardWebhook } from './http/verify.js';
import type { Omitted, Problem } from './input/types.js';
import {
  checkEvent as checkEventOf,
  listSources,
  type ReadItem,
  readEvents,
  readRecords,
  signHexHmac,
  signStandardWebhook,
  validateEvent,
} from './library.js';
import { codeFrame } from './render/code-frame.js';
import { checkEvent } from './schema/check.js';
import type { WebhookEvent } from './schema/events.js';
import { toJsonSchema } from './schema/json-schema.js';

const events = [...generateEvents({ count: 40, seed: 12 })].map((e) => e.event);

async function collect(items: AsyncIterable<ReadItem>): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Runs `work` and counts the characters it touches through the string methods a parser or a
 * scan uses: each `charCodeAt`, and the span each `indexOf`, `lastIndexOf`, `slice` and
 * `Buffer.byteLength` covers. A measure of work, not of time.
 */
async function charactersTouched<T>(work: () => Promise<T>): Promise<{ value: T; work: number }> {
  const proto = String.prototype;
  const { charCodeAt, indexOf, lastIndexOf, slice } = proto;
  const byteLength = Buffer.byteLength;
  let touched = 0;
  proto.charCodeAt = function (this: string, index?: number) {
    touched++;
    return charCodeAt.call(this, index ?? 0);
  };
  proto.indexOf = function (this: string, search: string, from = 0) {
    const at = indexOf.call(this, search, from);
    touched += (at === -1 ? this.length : at) - Math.max(0, from);
    return at;
  };
  proto.lastIndexOf = function (this: string, search: string, from = Number.POSITIVE_INFINITY) {
    const at = lastIndexOf.call(this, search, from);
    touched += Math.min(from, this.length) - Math.max(0, at);
    return at;
  };
  proto.slice = function (this: string, start?: number, end?: number) {
    const part = slice.call(this, start, end);
    touched += part.length;
    return part;
  };
  Buffer.byteLength = ((value: string | NodeJS.ArrayBufferView, encoding?: BufferEncoding) => {
    if (typeof value === 'string') touched += value.length;
    return byteLength(value, encoding);
  }) as typeof Buffer.byteLength;
  try {
    return { value: await work(), work: touched };
  } finally {
    Object.assign(proto, { charCodeAt, indexOf, lastIndexOf, slice });
    Buffer.byteLength = byteLength;
  }
}

describe('validateEvent', () => {
  it('gives the CLI check as { ok, type, event, issues }', () => {
    const [event] = events;
    const good = validateEvent(event);
    expect(good.ok).toBe(true);
    expect(good.event).toEqual(checkEvent(event).event);
    const bad = validateEvent({ ...(event as object), unexpected: 1 }, { strict: true });
    expect(bad).toMatchObject({ ok: false, event: undefined });
    expect(bad.issues).toEqual([
      {
        severity: 'error',
        code: 'unknown-field',
        message: 'field "unexpected" is not in the documented payload',
        pointer: '/unexpected',
      },
    ]);
    expect(validateEvent(42).issues[0]).toMatchObject({ code: 'not-an-object', pointer: '' });
    const sms = {
      time: '2022-09-01T00:00:00Z',
      from: '61491570006',
      to: '61491573087',
      message: 'hi',
      campaignId: '31e6080f-1566-47d5-b6ba-c53d7a0ad947',
    };
    expect(validateEvent(sms).type).toBe('SMS');
    expect(validateEvent(sms, { type: 'SMSReceived' }).type).toBe('SMSReceived');
  });
});

describe('validateEvent given a value a caller passes by mistake (red team hR83)', () => {
  // A raw request body was read as an object of keys "0", "1", "2", … (unknown-shape), and a Map
  // as an empty object: each is not-an-object, as the README's codes have it, saying what to do.
  const body = JSON.stringify(events[0]);
  const bytes = '(bytes): parse it first (JSON.parse), or read it with readEvents';
  it.each([
    [`a Buffer ${bytes}`, Buffer.from(body)],
    [`a Uint8Array ${bytes}`, new TextEncoder().encode(body)],
    [`an ArrayBuffer ${bytes}`, new TextEncoder().encode(body).buffer],
    [`a DataView ${bytes}`, new DataView(new ArrayBuffer(2))],
    ['a string: parse JSON text first (JSON.parse), or read it with readEvents', body],
    ['a Map: pass a plain object (Object.fromEntries)', new Map(Object.entries(events[0] as object))],
    ['a Set: pass a plain object', new Set([1])],
  ])('refuses as not-an-object: received %s', (got, value) => {
    const result = validateEvent(value);
    expect(result).toMatchObject({ ok: false, type: undefined, event: undefined });
    expect(result.issues).toEqual([
      { severity: 'error', code: 'not-an-object', message: `expected an event object, received ${got}`, pointer: '' },
    ]);
  });

  it('names the kind only of a value it refuses: an event is checked without walking its prototypes', () => {
    // Naming every value's kind first (its prototypes' constructors) cost ~350 ns an event (review hR85).
    const asked: PropertyKey[] = [];
    const prototype = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: (target, key) => {
          asked.push(key);
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      },
    );
    const event = Object.setPrototypeOf(structuredClone(events[0] as object), prototype);
    expect(validateEvent(event).ok).toBe(true);
    expect(asked).toEqual([]);
  });
});

describe("the result's event and the value it was read from", () => {
  it("share the payload's objects, as the README says: a copy of each event would cost about four times the check", async () => {
    const enveloped = events.find((e) => (e as { eventType?: string }).eventType !== undefined) as { data: object };
    const bare = events.find((e) => (e as { eventType?: string }).eventType === undefined) as object;
    const fromEnvelope = validateEvent(enveloped);
    const fromBare = validateEvent(bare);
    expect(fromEnvelope.event).not.toBe(enveloped);
    expect(fromEnvelope.event?.data).toBe(enveloped.data);
    expect(fromBare.event?.data).toBe(bare);
    const [item] = await collect(readEvents(JSON.stringify(enveloped)));
    expect(item?.kind === 'event' && item.event.data).toBe((item as { value: { data: object } }).value.data);
  });
});

describe('validateEvent types', () => {
  it('types event as set exactly when ok, as it is at run time, so `if (result.ok) result.event.type` compiles', () => {
    for (const value of [events[0], 42]) {
      const result = validateEvent(value);
      if (result.ok) {
        expectTypeOf(result.event).toEqualTypeOf<WebhookEvent>();
        expect(result.event.type).toBeTypeOf('string');
      } else {
        expectTypeOf(result.event).toEqualTypeOf<undefined>();
        expect(result.event).toBeUndefined();
      }
    }
  });
});

describe('omitted types', () => {
  it('types omitted read-only, as the shared frozen object it is when nothing was left out', async () => {
    // It was typed a mutable Omitted, so `result.omitted.errors += 1` compiled and threw at run time.
    const result = validateEvent(events[0]);
    expectTypeOf(result.omitted).toEqualTypeOf<Readonly<Omitted>>();
    expect(() => {
      (result.omitted as Omitted).errors += 1;
    }).toThrow(TypeError);
    const items = await collect(readEvents(JSON.stringify([events[0], 42])));
    expect(items.map((item) => item.kind)).toEqual(['event', 'invalid']);
    for (const item of items) {
      if (item.kind === 'problem') continue;
      expectTypeOf(item.omitted).toEqualTypeOf<Readonly<Omitted>>();
      expect(Object.isFrozen(item.omitted), item.kind).toBe(true);
    }
  });
});

describe('options a JavaScript caller may get wrong', () => {
  it('refuses an unknown type or draft with a TypeError naming the choices, not a crash or a silent default', async () => {
    const choices = 'type must be one of CallComplete, CallAttempted, CallReceived, SMSSent, SMSReceived (got "Nope")';
    const nope = { type: 'Nope' } as unknown as { type: 'CallComplete' };
    expect(() => validateEvent(events[0], nope)).toThrow(new TypeError(choices));
    await expect(collect(readEvents('[]', nope))).rejects.toThrow(new TypeError(choices));
    // A value of 100,000 characters is quoted by its first 40, as the CLI quotes an option's (review hF61).
    const huge = { type: 'a'.repeat(100_000) } as unknown as { type: 'CallComplete' };
    expect(() => validateEvent(events[0], huge)).toThrow(
      new TypeError(choices.replace('"Nope"', `"${'a'.repeat(40)}…"`)),
    );
    for (const [batchSize, got] of [
      [0, '0'],
      [-1, '-1'],
      [1.5, '1.5'],
      [Number.NaN, 'NaN'],
      ['x', '"x"'],
    ] as const) {
      await expect(collect(readEvents('[{}, {}]', { batchSize: batchSize as number }))).rejects.toThrow(
        new TypeError(`batchSize must be a whole number of at least 1 (got ${got})`),
      );
    }
    for (const [maxIssues, got] of [
      [0, '0'],
      [-1, '-1'],
      [2.5, '2.5'],
      [Number.NaN, 'NaN'],
      ['5', '"5"'],
      // String() of an object with no prototype threw "Cannot convert object to primitive value".
      [Object.create(null), 'object'],
    ] as const) {
      const refusal = new TypeError(`maxIssues must be a whole number of at least 1, or Infinity (got ${got})`);
      expect(() => validateEvent(events[0], { maxIssues: maxIssues as number })).toThrow(refusal);
      await expect(collect(readEvents('[]', { maxIssues: maxIssues as number }))).rejects.toThrow(refusal);
    }
    await expect(collect(readEvents('[]', { maxElementBytes: 512 * 2 ** 20 }))).rejects.toThrow(
      new TypeError('maxElementBytes must be a whole number from 1 to 535822336 (got 536870912)'),
    );
    // Said "Cannot read properties of undefined (reading 'pipe')", or read a Buffer in a list as
    // the path '{}' ("{}: no such file or directory"), or quoted Node's words about its "path" argument.
    const sources = 'source must be a list of paths, a byte stream, or JSON text as a string or a Uint8Array';
    for (const [source, got] of [
      [undefined, 'undefined'],
      [null, 'null'],
      [5, '5'],
      [{}, 'Object'],
      [new ArrayBuffer(2), 'ArrayBuffer'],
    ] as const) {
      await expect(collect(readEvents(source as unknown as string))).rejects.toThrow(
        new TypeError(`${sources} (got ${got})`),
      );
    }
    // Hint: named by its kind, never its content: a Buffer of 'export.json' read "(got export.json)",
    // a path that looked fine, as readRecords names what is not a path.
    for (const [path, got] of [
      [Buffer.from('export.json'), 'Buffer'],
      [new Uint8Array(2), 'Uint8Array'],
      [undefined, 'undefined'],
      [123, 'number'],
    ] as const) {
      await expect(collect(readEvents(['a.json', path] as unknown as string[]))).rejects.toThrow(
        new TypeError(`source[1] must be a string (got ${got})`),
      );
    }
    expect(() => toJsonSchema({ draft: '04' as '07' })).toThrow(
      new TypeError('draft must be one of 2020-12, 07 (got "04")'),
    );
  });
});

describe('options a JavaScript caller may get wrong, found by a red team (stop 41)', () => {
  it('refuses a yes/no option that is not a boolean: ignoreTimestamp "false" turned replay protection off', async () => {
    const library = await import('./index.js');
    const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    const old = library.signStandardWebhook('[]', { secrets, timestamp: 1 });
    for (const [value, got] of [
      ['false', '"false"'],
      [0, '0'],
      [null, 'null'],
    ] as const) {
      const bad = value as unknown as boolean;
      expect(() => library.verifyStandardWebhook('[]', old, { secrets: [secrets], ignoreTimestamp: bad })).toThrow(
        new TypeError(`ignoreTimestamp must be true or false (got ${got})`),
      );
      expect(() => library.validateEvent(events[0], { strict: bad })).toThrow(
        new TypeError(`strict must be true or false (got ${got})`),
      );
      await expect(collect(library.readEvents('[]', { strict: bad }))).rejects.toThrow(
        new TypeError(`strict must be true or false (got ${got})`),
      );
      expect(() => library.toJsonSchema({ strict: bad })).toThrow(
        new TypeError(`strict must be true or false (got ${got})`),
      );
      expect(() => library.checkEvent(events[0], { strict: bad })).toThrow(
        new TypeError(`strict must be true or false (got ${got})`),
      );
    }
  });

  it('refuses readRecords options that hung it or read nonsense, and a string where a list of paths goes', async () => {
    const library = await import('./index.js');
    const drain = async (...args: Parameters<typeof library.readRecords>) => {
      for await (const _ of library.readRecords(...args)) {
        // read through
      }
    };
    // chunkSize 0 looped for ever on the event loop; readSize 0 said a valid file was empty.
    for (const [name, value, got] of [
      ['chunkSize', 0, '0'],
      ['chunkSize', -1, '-1'],
      ['readSize', 0, '0'],
      ['readSize', Number.NaN, 'NaN'],
      ['readSize', 0.5, '0.5'],
    ] as const) {
      await expect(drain(['fixtures/valid/bare-types.json'], { [name]: value })).rejects.toThrow(
        new TypeError(`${name} must be a whole number from 1 to 1073741824 (got ${got})`),
      );
    }
    // 2^31 aborted Node itself (`args[3]->IsInt32()`, exit 134), which no caller can catch.
    for (const name of ['readSize', 'chunkSize']) {
      await expect(drain(['fixtures/valid/bare-types.json'], { [name]: 2 ** 31 })).rejects.toThrow(
        new TypeError(`${name} must be a whole number from 1 to 1073741824 (got 2147483648)`),
      );
    }
    // A string was read a character at a time, '/' walking the whole file system.
    await expect(drain('fixtures/valid/bare-types.json' as unknown as string[])).rejects.toThrow(
      new TypeError('paths must be a list of paths (got string)'),
    );
    await expect(drain(['fixtures/valid/bare-types.json'], null as never)).rejects.toThrow(
      new TypeError('options must be an object (got null)'),
    );
  });

  it('refuses checkEvent options as validateEvent does, not with a TypeError from inside', async () => {
    const library = await import('./index.js');
    expect(() => library.checkEvent(events[0], { type: 'toString' as 'CallComplete' })).toThrow(
      new TypeError(
        'type must be one of CallComplete, CallAttempted, CallReceived, SMSSent, SMSReceived (got "toString")',
      ),
    );
    expect(() => library.checkEvent(events[0], null as never)).toThrow(
      new TypeError('options must be an object (got null)'),
    );
    expect(() => library.checkEvent(events[0], { maxIssues: 0 })).toThrow(
      new TypeError('maxIssues must be a whole number of at least 1, or Infinity (got 0)'),
    );
  });

  it('refuses a set that would nest an event past 256 levels, which overflowed the stack, and walks a shared value once', () => {
    const nested = (depth: number) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    const refusal = new TypeError('set.0: the event would nest deeper than 256 levels, which validate refuses');
    const run = (path: string[], value: unknown) => () => [
      ...generateEvents({ count: 1, types: ['CallComplete'], set: [{ path, value }] }),
    ];
    expect(run(['data', 'x'], nested(3000))).toThrow(refusal);
    // The path counts too: a 256-deep value at data.x was written, and validate refused the event
    // ("nesting 258 levels deep"); 3,000 path parts overflowed the stack when the event was copied.
    expect(run(['data', 'x'], nested(255))).toThrow(refusal);
    expect(run(['data', ...Array.from({ length: 3000 }, () => 'a')], 1)).toThrow(refusal);
    // Only a value that holds itself is said to (red team hT3 L1: a deep one was too).
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(run(['data', 'x'], cyclic)).toThrow(
      new TypeError(
        'set.0: the event would nest deeper than 256 levels, which validate refuses (a value that holds itself nests without end)',
      ),
    );
    const holder: Record<string, unknown> = { deep: nested(10) };
    holder.self = [[holder]];
    expect(run(['data', 'x'], holder)).toThrow('(a value that holds itself nests without end)');
    const [fits] = run(['data', 'x'], nested(254))();
    expect(checkEvent(fits?.event).errors).toBe(0);
    // 2^30 paths to one leaf, walked once per node: walked once per path (3.3 s at 2^25, doubling
    // with each level) this would outlast the test's 30 s timeout.
    let shared: unknown = [1];
    for (let i = 0; i < 30; i++) shared = [shared, shared];
    expect(run(['data', 'x'], shared)).not.toThrow();
  });
});

describe('calls a JavaScript caller may get wrong', () => {
  // Each said "Cannot read properties of null (reading 'type')" or the like, or did as asked with
  // the wrong kind of value: a TypeError naming what is wrong is the README's word for a wrong call.
  const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;

  it('refuses options that are not an object (null, a string, a list) with a TypeError, never quoting them', async () => {
    const library = await import('./index.js');
    const signed = library.signStandardWebhook('[]', { secrets });
    for (const [options, got] of [
      [null, 'null'],
      [secrets, 'string'],
      [5, 'number'],
      [['strict'], 'Array'],
    ] as const) {
      const refused = new TypeError(`options must be an object (got ${got})`);
      const bad = options as never;
      expect(() => library.validateEvent(events[0], bad), got).toThrow(refused);
      await expect(collect(library.readEvents('[]', bad)), got).rejects.toThrow(refused);
      expect(() => library.toJsonSchema(bad), got).toThrow(refused);
      expect(() => library.toOpenApi(bad), got).toThrow(refused);
      expect(() => library.signStandardWebhook('[]', bad), got).toThrow(refused);
      expect(() => library.signHexHmac('[]', bad), got).toThrow(refused);
      expect(() => library.verifyStandardWebhook('[]', signed, bad), got).toThrow(refused);
      expect(() => library.verifyHexHmac('[]', {}, bad), got).toThrow(refused);
    }
    // Options that may be left out still may; those a call needs (the secrets) may not.
    expect(library.validateEvent(events[0], undefined).ok).toBe(true);
    expect(library.toOpenApi(undefined).openapi).toBeDefined();
    const none = undefined as unknown as { secrets: string };
    const refused = new TypeError('options must be an object (got undefined)');
    expect(() => library.signStandardWebhook('[]', none)).toThrow(refused);
    expect(() => library.verifyHexHmac('[]', {}, none)).toThrow(refused);
  });

  it('refuses an OpenAPI version that is not a string, which made a document no tool reads', async () => {
    const { toOpenApi } = await import('./index.js');
    for (const [version, got] of [
      [5, 'number'],
      [{}, 'Object'],
      [null, 'null'],
    ] as const) {
      expect(() => toOpenApi({ version: version as unknown as string }), got).toThrow(
        new TypeError(`version must be a string (got ${got})`),
      );
    }
    expect((toOpenApi({ version: '2.1.0' }).info as { version: string }).version).toBe('2.1.0');
  });

  it('refuses to escape what is not text, which came back as itself, unescaped, to be printed', async () => {
    const { escapeTerminal } = await import('./index.js');
    for (const [text, got] of [
      [5, 'number'],
      [undefined, 'undefined'],
      [Buffer.from('\u001b[2J'), 'Buffer'],
    ] as const) {
      expect(() => escapeTerminal(text as unknown as string), got).toThrow(
        new TypeError(`text must be a string (got ${got})`),
      );
    }
    expect(escapeTerminal('\u001b[2J')).toBe('\\e[2J');
  });

  it('refuses a keepNewlines that is not a boolean, as every yes/no option: "false" kept newlines raw', async () => {
    const { escapeTerminal } = await import('./index.js');
    for (const [flag, got] of [
      ['false', '"false"'],
      ['no', '"no"'],
      [{}, 'Object'],
      [0, '0'],
      [null, 'null'],
    ] as const) {
      expect(() => escapeTerminal('a\nb', flag as unknown as boolean), got).toThrow(
        new TypeError(`keepNewlines must be true or false (got ${got})`),
      );
    }
    expect(escapeTerminal('a\nb', true)).toBe('a\nb');
    expect(escapeTerminal('a\nb', false)).toBe('a\\nb');
    expect(escapeTerminal('a\nb')).toBe('a\\nb');
  });

  it("refuses a code frame's width that is not a whole number of columns, which dropped the line's text", async () => {
    const { codeFrame } = await import('./index.js');
    const [item] = await collect(readEvents('{"a": 1,, "b": 2}'));
    const problem = item?.kind === 'invalid' ? item.problems[0] : undefined;
    if (problem?.excerpt === undefined) throw new Error('a syntax problem has its source');
    for (const [width, got] of [
      [Number.NaN, 'NaN'],
      [0, '0'],
      [-5, '-5'],
      [40.5, '40.5'],
      ['60', '"60"'],
    ] as const) {
      expect(() => codeFrame(problem.excerpt!, problem.line, problem.column, width as number), got).toThrow(
        new TypeError(`width must be a whole number of at least 20 (got ${got})`),
      );
    }
    expect(codeFrame(problem.excerpt, problem.line, problem.column, 40)).toContain('{"a": 1,, "b": 2}');
    // As the README writes it for any problem: one with no excerpt (a schema problem) has no frame,
    // where `codeFrame(undefined, …)` threw "Cannot destructure"; a line of NaN drew `> NaN |`.
    expect(codeFrame(undefined, 1, 1)).toBe('');
    expect(() => codeFrame(problem.excerpt, Number.NaN, problem.column)).toThrow(
      new TypeError('line must be a whole number of at least 1 (got NaN)'),
    );
  });

  it('names a value of the wrong kind by its kind: not [object Object], nor an array as the number it holds', async () => {
    // `(got [object Object])`, and a width of [40] said `at least 20 (got 40)`, as if 40 were too few (red team hF57).
    const { codeFrame } = await import('./index.js');
    const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    for (const [call, message] of [
      [() => codeFrame(undefined, { line: 3 } as never, 1), 'line must be a whole number of at least 1 (got Object)'],
      [() => codeFrame(undefined, 1, 1, [40] as never), 'width must be a whole number of at least 20 (got Array)'],
      [
        () => codeFrame(undefined, 1, 1, (() => 40) as never),
        'width must be a whole number of at least 20 (got function)',
      ],
      [
        () => validateEvent({}, { maxIssues: {} as never }),
        'maxIssues must be a whole number of at least 1, or Infinity (got Object)',
      ],
      [() => signStandardWebhook('[]', { secrets, id: {} as never }), /^id must be a header value .* \(got Object\)$/],
      [() => signStandardWebhook('[]', { secrets, id: 5 as never }), /^id must be a header value .* \(got 5\)$/],
      [
        () => validateEvent({}, { maxIssues: 5n as never }),
        'maxIssues must be a whole number of at least 1, or Infinity (got 5n)',
      ],
      // A choice was quoted as JSON: a function was "undefined", and a bigint threw from inside JSON.stringify.
      [() => validateEvent({}, { type: (() => 'SMS') as never }), /^type must be one of .* \(got function\)$/],
      [() => validateEvent({}, { type: 5n as never }), /^type must be one of .* \(got 5n\)$/],
      [() => validateEvent({}, { type: ['SMSSent'] as never }), /^type must be one of .* \(got Array\)$/],
    ] as const) {
      expect(call).toThrow(message);
    }
  });
});

describe('arguments a JavaScript caller may get wrong, found by a red team (helper hS2)', () => {
  // Each failed inside with words naming no argument ("Cannot read properties of undefined
  // (reading 'indexOf')", "text.indexOf is not a function", "paths is not iterable"), or threw a
  // plain Error, or read a string of paths a character at a time.
  it("refuses a codeFrame excerpt that is not a problem's excerpt, naming it", async () => {
    const { codeFrame } = await import('./index.js');
    for (const [excerpt, got] of [
      ['abc', 'string'],
      [null, 'null'],
      [{ text: 'abc' }, 'Object'],
      [{ text: 'abc', index: 4 }, 'Object'],
      [{ text: 5, index: 0 }, 'Object'],
    ] as const) {
      expect(() => codeFrame(excerpt as never, 1, 1), got).toThrow(
        new TypeError(`excerpt must be a problem's excerpt, { text, index } (got ${got})`),
      );
    }
    expect(codeFrame({ text: 'abc', index: 3 }, 1, 4)).toContain('abc');
  });

  it('refuses parseFieldOverride text that is not a string with a TypeError, and text not path=value with a CallhookError', async () => {
    const { parseFieldOverride } = await import('./index.js');
    expect(() => parseFieldOverride(5 as unknown as string)).toThrow(
      new TypeError('text must be a string (got number)'),
    );
    for (const text of ['a', '=5', 'a..b=1', 'data.x=1e400']) {
      expect(() => parseFieldOverride(text), text).toThrow(CallhookError);
    }
    expect(() => parseFieldOverride('a')).toThrow('expected path=value, e.g. data.status=Partial; got "a"');
    expect(parseFieldOverride('data.status=Partial')).toEqual({ path: ['data', 'status'], value: 'Partial' });
  });

  it('refuses listSources paths that are not a list of strings, and an onWarning that is not a function', async () => {
    const { listSources } = await import('./index.js');
    await expect(listSources('fixtures/valid' as unknown as string[])).rejects.toThrow(
      new TypeError('paths must be a list of paths (got string)'),
    );
    await expect(listSources([Buffer.from('x')] as unknown as string[])).rejects.toThrow(
      new TypeError('paths[0] must be a string (got Buffer)'),
    );
    const twice = ['fixtures/valid/bare-types.json', 'fixtures/valid/bare-types.json'];
    await expect(listSources(twice, 5 as never)).rejects.toThrow(
      new TypeError('onWarning must be a function (got number)'),
    );
    const warnings: string[] = [];
    expect(await listSources(twice, (message) => warnings.push(message))).toHaveLength(1);
    expect(warnings).toEqual(['fixtures/valid/bare-types.json is named twice; read once']);
  });
});

describe('options a call does not take', () => {
  // Each was ignored without a word: toOpenApi({ type }) described every type, and
  // generateEvents({ defects, format }) (the CLI's --defects, --format)
  // gave clean events, one at a time; a misspelt `stirct` left the check off.
  it('refuses an option a call does not take with a TypeError naming it and what the call takes', async () => {
    const library = await import('./index.js');
    const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    const signed = library.signStandardWebhook('[]', { secrets });
    const refusals: Array<[() => unknown, string]> = [
      [
        () => library.toOpenApi({ type: 'CallComplete' } as never),
        'toOpenApi takes no option type (it takes strict, version)',
      ],
      [
        () => library.toJsonSchema({ openapi: true } as never),
        'toJsonSchema takes no option openapi (it takes type, draft, strict)',
      ],
      [
        () => library.validateEvent(events[0], { stirct: true } as never),
        'validateEvent takes no option stirct (it takes type, strict, maxIssues)',
      ],
      [
        () => library.checkEvent(events[0], { batchSize: 2 } as never),
        'checkEvent takes no option batchSize (it takes type, strict, warnings, maxIssues, keyOrder)',
      ],
      [
        () => library.signStandardWebhook('[]', { secrets, header: 'x' } as never),
        'signStandardWebhook takes no option header (it takes secrets, id, timestamp)',
      ],
      [
        () => library.signHexHmac('[]', { secrets, id: 'x' } as never),
        'signHexHmac takes no option id (it takes secrets, header)',
      ],
      [
        () => library.verifyStandardWebhook('[]', signed, { secrets, tolerance: 5 } as never),
        'verifyStandardWebhook takes no option tolerance (it takes secrets, toleranceSeconds, now, ignoreTimestamp, reserialised)',
      ],
      [
        () => library.verifyHexHmac('[]', {}, { secrets, now: 5 } as never),
        'verifyHexHmac takes no option now (it takes secrets, header, reserialised)',
      ],
    ];
    for (const option of ['defects', 'force', 'format']) {
      refusals.push([
        () => [...library.generateEvents({ count: 2, [option]: 1 } as never)],
        `generateEvents takes no option ${option} (it takes count, seed, campaigns, types, redeliveries, batchSize, set, startTime, envelope)`,
      ]);
    }
    refusals.push([
      () => [...library.generateCalls({ seed: 1, calls: 1, types: ['SMSSent'] } as never)],
      'generateCalls takes no option types (it takes seed, calls, campaigns, startTime, envelope)',
    ]);
    for (const [call, message] of refusals) expect(call, message).toThrow(new TypeError(message));
    await expect(collect(library.readEvents('[]', { stdin: process.stdin } as never))).rejects.toThrow(
      new TypeError('readEvents takes no option stdin (it takes type, strict, batchSize, maxElementBytes, maxIssues)'),
    );
    // An option left undefined is one left out, as a spread of optional settings gives.
    expect(library.toOpenApi({ strict: undefined, type: undefined } as never).openapi).toBe('3.1.0');
  });
});

describe("options a caller's object inherits", () => {
  it('reads none from Object.prototype: a host that set a property there changes no call', async () => {
    // Each was read through the prototype chain: a host that had set Object.prototype.type made
    // every call given no options refuse `type "x"` (red team hT62).
    const library = await import('./index.js');
    const wrong: Record<string, unknown> = { type: 'x', strict: 'x', maxIssues: 'x', draft: 'x', version: 5 };
    Object.assign(wrong, { warnings: 'x', keyOrder: 'x', batchSize: 0, id: '', timestamp: -1 });
    Object.assign(wrong, { header: 'x y', now: 'x', reserialised: 'x', secrets: 'x' });
    // Hint: not enumerable, so that for…in loops (valibot's) do not meet them; taken away after.
    // Not `stop` or the like: objects the library makes inside inherit from Object.prototype too.
    for (const [key, value] of Object.entries(wrong)) {
      Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
    }
    try {
      expect(library.validateEvent(events[0], {}).ok).toBe(true);
      expect(library.validateEvent(events[0]).ok).toBe(true);
      expect(library.checkEvent(events[0], {}).event).toBeDefined();
      const read = await collect(library.readEvents(JSON.stringify(events.slice(0, 2)), {}));
      expect(read.map((item) => item.kind)).toEqual(['event', 'event']);
      let records = 0;
      for await (const chunk of library.readRecords(['fixtures/valid/every-status.json'], {})) {
        records += chunk.filter((record) => record.kind === 'event').length;
      }
      expect(records).toBeGreaterThan(0);
      const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
      const signed = library.signStandardWebhook('[]', { secrets });
      expect(library.verifyStandardWebhook('[]', signed, { secrets })).toEqual({ ok: true, secretIndex: 0 });
      const hmac = library.signHexHmac('[]', { secrets: 'k' });
      expect(Object.keys(hmac)).toEqual(['X-Signature']);
      expect(library.verifyHexHmac('[]', hmac, { secrets: 'k' })).toMatchObject({ ok: true });
    } finally {
      for (const key of Object.keys(wrong)) delete (Object.prototype as Record<string, unknown>)[key];
    }
  });

  it('reads an option a class or a prototype of the caller gives, a getter too', async () => {
    // Only the object's own were read at first: a class's `get strict()` was dropped, and the
    // strict check asked for switched off without a word (review hR59).
    const library = await import('./index.js');
    const extra = { ...events[0], surplus: 1 } as Record<string, unknown>;
    class Strict {
      get strict() {
        return true;
      }
    }
    expect(library.validateEvent(extra, new Strict()).ok).toBe(false);
    expect(library.validateEvent(extra, Object.create({ strict: true })).ok).toBe(false);
    const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    const signed = library.signStandardWebhook('[]', Object.create({ secrets, id: 'm', timestamp: 1_700_000_000 }));
    expect(signed['webhook-id']).toBe('m');
    expect([...library.generateEvents(Object.create({ count: 2 }))]).toHaveLength(2);
  });
});

describe('readEvents', () => {
  const text = `${JSON.stringify(events.slice(0, 20), null, 2)}\n${JSON.stringify(events.slice(20), null, 2).replace(/,\n(\s+)"phone"/, '\n$1"phone"')}\n`;

  it('reads a string, a stream and an async iterable the same way, with positions and problems', async () => {
    const fromString = await collect(readEvents(text));
    const fromStream = await collect(readEvents(Readable.from([Buffer.from(text)])));
    async function* bytes() {
      for (let i = 0; i < text.length; i += 1000) yield Buffer.from(text.slice(i, i + 1000));
    }
    const fromIterable = await collect(readEvents(bytes()));
    expect(JSON.stringify(fromStream).replaceAll('<stream>', '<string>')).toBe(JSON.stringify(fromString));
    const files = (item: ReadItem) =>
      item.kind === 'problem' ? [item.problem.file] : [item.position.file, ...item.problems.map((p) => p.file)];
    expect(new Set(fromString.flatMap(files))).toEqual(new Set(['<string>']));
    expect(new Set(fromStream.flatMap(files))).toEqual(new Set(['<stream>']));
    expect(fromIterable).toEqual(fromStream);
    expect(fromString.filter((item) => item.kind === 'event')).toHaveLength(39);
    const invalid = fromString.filter((item) => item.kind === 'invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({ position: { pointer: expect.stringMatching(/^\/\d+$/) } });
    expect(invalid[0]!.kind === 'invalid' && invalid[0]!.problems[0]!.code).toBe('missing-comma');
    const second = fromString.find((item) => item.kind === 'event' && item.position.line > 3);
    expect(second?.kind === 'event' && second.position.column).toBe(3);
  });

  it('reads the Uint8Array chunks of a web ReadableStream or TextEncoder as bytes, as it reads Buffers', async () => {
    const fromStream = await collect(readEvents(Readable.from([Buffer.from(text)])));
    const encoded = new TextEncoder().encode(text);
    async function* slices() {
      for (let i = 0; i < encoded.length; i += 999) yield encoded.subarray(i, i + 999);
    }
    expect(await collect(readEvents(slices()))).toEqual(fromStream);
    const web = new Response(text).body as unknown as AsyncIterable<Uint8Array>;
    expect(await collect(readEvents(web))).toEqual(fromStream);
  });

  it('reads the bytes themselves, a Uint8Array or a Buffer, as it reads the text', async () => {
    const fromString = JSON.stringify(await collect(readEvents(text)));
    for (const bytes of [new TextEncoder().encode(text), Buffer.from(text)]) {
      const items = await collect(readEvents(bytes));
      expect(JSON.stringify(items).replaceAll('<bytes>', '<string>')).toBe(fromString);
      expect(items[0]).toMatchObject({ position: { file: '<bytes>' } });
    }
  });

  it("gives a syntax problem's source, from which codeFrame draws validate's frame", async () => {
    const items = await collect(readEvents('[{"a": 1 "b": 2}]'));
    const problem = items.flatMap((item) => (item.kind === 'invalid' ? item.problems : []))[0];
    expect(problem?.code).toBe('missing-comma');
    expect(problem?.excerpt).toBeDefined();
    if (!problem?.excerpt) return;
    const frame = codeFrame(problem.excerpt, problem.line, problem.column).split('\n');
    // The excerpt holds what lies left of the element on its line too: the line is shown as it is.
    expect(frame[0]).toBe('> 1 | [{"a": 1 "b": 2}');
    expect(frame[1]?.indexOf('^')).toBe('> 1 | '.length + problem.column - 1);
  });

  it('gives a call of an undocumented status, which the CLI counts and shows, and tells its redeliveries', async () => {
    const call = events.find((e) => (e as { eventType?: string }).eventType === 'CallComplete') as {
      id: string;
      data: object;
    };
    const odd = { ...call, data: { ...call.data, status: 'Voicemail' } };
    // The first copy fails validation (its status), yet takes the id: the valid copy after it is a redelivery.
    const items = await collect(readEvents(JSON.stringify([odd, call, odd])));
    expect(items.map((item) => item.kind)).toEqual(['invalid', 'event', 'invalid']);
    expect(items[0]).toMatchObject({ call: { type: 'CallComplete', id: call.id, data: { status: 'Voicemail' } } });
    expect(items.map((item) => item.kind !== 'problem' && item.duplicate)).toEqual([false, true, true]);
  });

  it("names a redelivery's first copy in its warning, as the CLI does, when it was among the last 1,024 first seen", async () => {
    const event = events.find((e) => (e as { id?: string }).id !== undefined) as { id: string };
    const line = JSON.stringify(event);
    const items = await collect(readEvents(`${line}\n{}\n${line}\n`));
    const redelivery = items[2]?.kind === 'event' ? items[2] : undefined;
    expect(redelivery?.duplicate).toBe(true);
    expect(redelivery?.problems.find((problem) => problem.code === 'duplicate-id')?.message).toBe(
      `event id ${event.id} was seen before: a redelivery of the event at <string>:1:1`,
    );
  });

  it('takes maxElementBytes, the limit an element-too-large problem tells to raise', async () => {
    const [event] = events;
    const items = await collect(readEvents(JSON.stringify([event, event]), { maxElementBytes: 100 }));
    expect(items.map((item) => (item.kind === 'invalid' ? item.problems[0]?.code : item.kind))).toEqual([
      'element-too-large',
      'element-too-large',
    ]);
    const bigger = await collect(readEvents(JSON.stringify([event]), { maxElementBytes: 2 ** 20 }));
    expect(bigger.map((item) => item.kind)).toEqual(['event']);
  });

  it("names the library's options in the problems of its limits, not the CLI's flags a caller cannot pass", async () => {
    const large = `[{"id":"${'x'.repeat(300)}"}]`;
    const tooLarge = await collect(readEvents(large, { maxElementBytes: 100 }));
    expect(tooLarge[0]?.kind === 'invalid' && tooLarge[0].problems[0]?.message).toBe(
      'element of 309 bytes is larger than maxElementBytes 100 (raise the limit, e.g. maxElementBytes 1048576)',
    );
    // An element that never closes is no larger one: it names the limit, in the library's words.
    const unclosed = await collect(readEvents(`[{"id":"${'x'.repeat(300)}`, { maxElementBytes: 100 }));
    expect(unclosed[0]?.kind === 'invalid' && unclosed[0].problems[0]?.message).toMatch(
      /^an unclosed string: the element runs \d+ bytes to the end of the file, past the limit of maxElementBytes 100, without closing$/,
    );
    const batch = await collect(readEvents('[{"a":1},{"b":2},{"c":3}]', { batchSize: 2 }));
    const batchProblem = batch.find((item) => item.kind === 'problem');
    expect(batchProblem?.kind === 'problem' && batchProblem.problem.message).toBe(
      'batch of 3 events is larger than batchSize 2',
    );
    const messages: string[] = [];
    for await (const records of readRecords(['-'], {
      stdin: Readable.from([large]),
      maxElementBytes: 100,
      batchSize: 1,
    })) {
      for (const record of records) {
        if (record.kind === 'invalid') messages.push(...record.problems.map((problem) => problem.message));
        if (record.kind === 'problem') messages.push(record.problem.message);
      }
    }
    expect(messages.join('\n')).toContain('larger than maxElementBytes 100');
    expect(messages.join('\n')).not.toContain('--');
  });

  it('places the issues of an element with work that grows with the element, not with the element times its issues', async () => {
    // Each issue's line, column and byte offset were counted from the element's first character:
    // a 900 KB event of 300,000 empty flow steps took `callhook validate` 2 minutes. Hint: the
    // work is counted, not timed (speed is for bench/): the UTF-8 bytes measured to place them.
    const call = events.find((e) => (e as { eventType?: string }).eventType === 'CallComplete') as { data: object };
    const first = {
      questionName: 'Am I speaking with the patient?',
      response: 'Yes',
      transcript: `é${'x'.repeat(400_000)}`,
    };
    const text = JSON.stringify({ ...call, data: { ...call.data, flow: [first, ...Array(2_000).fill({})] } }, null, 2);
    const byteLength = vi.spyOn(Buffer, 'byteLength');
    let problems: Problem[] = [];
    let measured = 0;
    try {
      const [item] = await collect(readEvents(text, { maxIssues: Number.POSITIVE_INFINITY }));
      problems = item?.kind === 'invalid' ? item.problems : [];
      for (const [value] of byteLength.mock.calls) measured += typeof value === 'string' ? value.length : 0;
    } finally {
      byteLength.mockRestore();
    }
    // Two missing fields of each empty step, each told at its `{}`: every position checked
    // against one pass over the text.
    const expected: { offset: number; line: number; column: number }[] = [];
    let line = 1;
    let lineStart = 0;
    let offset = 0;
    for (let i = 0, at = text.indexOf('{}'); at !== -1; at = text.indexOf('{}', at + 1)) {
      for (; i < at; i++) {
        const code = text.charCodeAt(i);
        offset +=
          code < 0x80 ? 1 : code < 0x800 ? 2 : (code & 0xfc00) === 0xd800 ? 4 : (code & 0xfc00) === 0xdc00 ? 0 : 3;
        if (code === 10) {
          line++;
          lineStart = i + 1;
        }
      }
      const place = { offset, line, column: at - lineStart + 1 };
      expected.push(place, place);
    }
    expect(problems).toHaveLength(4_000);
    expect(problems.map(({ offset, line, column }) => ({ offset, line, column }))).toEqual(expected);
    expect(problems.at(-1)?.pointer).toBe('/data/flow/2000/response');
    // Placing them measured each character a few times at most; counting each from the start
    // measured about 4,000 times the element.
    expect(measured).toBeLessThan(3 * text.length);
  });

  it('tells the syntax errors and duplicate keys of an element with work that grows with the element, not with it times its problems', async () => {
    // Each syntax error's pointer re-read the element from its start (jsonc-parser's getLocation),
    // each repair's byte offset measured the text before it, and each excerpt scanned its whole
    // line: 20,000 missing commas in a 60 KB event took `validate` 98 s, and 2,000,000 duplicate
    // keys on one 12 MB line did not end in 10 minutes (a body `listen` reads on its event loop).
    // Hint: the work is counted, not timed: the characters the string methods touch, for an
    // element and for one twice as long with twice the problems.
    const cases = [
      [
        'missing-comma',
        (n: number) =>
          `{"data":{"flow":[${Array(n + 1)
            .fill('{}')
            .join(' ')}]}}`,
      ],
      // n keys each given twice: one warning a key.
      ['duplicate-key', (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1,"k${i}":1`).join(',')}}`],
    ] as const;
    for (const [code, textOf] of cases) {
      const work: number[] = [];
      for (const n of [500, 1_000]) {
        const measured = await charactersTouched(() => collect(readEvents(textOf(n))));
        const problems = measured.value.flatMap((item) => (item.kind === 'problem' ? [item.problem] : item.problems));
        expect(problems.filter((problem) => problem.code === code)).toHaveLength(n);
        work.push(measured.work);
      }
      // Twice the text and problems: about twice the work; once the element per problem is four times.
      expect((work[1] as number) / (work[0] as number)).toBeLessThan(2.5);
    }
  });

  it('tells the one syntax error of an element near its start parsing the element once, not three times', async () => {
    // The usual broken element has one mistake: finding every error's pointer parsed the whole
    // element twice more (once for the errors' offsets, once for their paths), and validate took
    // a fifth longer on an export of such elements than before. Asked of the kept errors alone,
    // the path read stops at the last of them. Hint: the rest of the work is the splitter's and
    // the line index's look through the text, about twice; each parse adds once more.
    const text = `{"a":1 "b":2, "pad":"${'x'.repeat(100_000)}"}`;
    const measured = await charactersTouched(() => collect(readEvents(text)));
    const [item] = measured.value;
    expect(item?.kind === 'invalid' && item.problems.map((p) => [p.code, p.pointer, p.column])).toEqual([
      ['missing-comma', '/a', 7],
    ]);
    expect(measured.work).toBeLessThan(3.5 * text.length);
  });

  it('points a syntax error after a member whose key is "" at that member, as at any other (RFC 6901: a trailing /)', async () => {
    // The pointer of an object no key of which was read yet drops its empty last segment: a key
    // that is "" was dropped as well (red team hT16).
    const pointers = async (text: string) =>
      (await collect(readEvents(text)))
        .flatMap((item) => (item.kind === 'invalid' ? item.problems : []))
        .map((p) => [p.code, p.pointer]);
    expect(await pointers('{"":1 "y":2}\n{"q":1 "y":2}\n')).toEqual([
      ['missing-comma', '/'],
      ['missing-comma', '/q'],
    ]);
    expect(await pointers('{"x":{"":1,}}\n{"x":{"a":1,}}\n{"" 1}\n{"x":{,"a":1}}\n')).toEqual([
      ['trailing-comma', '/x/'],
      ['trailing-comma', '/x/a'],
      ['missing-colon', '/'],
      ['unexpected-comma', '/x'],
    ]);
  });

  it('keeps the first maxIssues errors and warnings of an element (1,000 unless told), and counts the rest', async () => {
    // An element of a million problems was held whole: 2,000,000 duplicate keys took 815 MB.
    // n keys each given twice: one warning a key.
    const keys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1,"k${i}":1`).join(',')}}`;
    const commas = (n: number) =>
      `{"data":{"flow":[${Array(n + 1)
        .fill('{}')
        .join(' ')}]}}`;
    const only = async (text: string, options?: Parameters<typeof readEvents>[1]) => {
      const items = await collect(readEvents(text, options));
      expect(items).toHaveLength(1);
      const [item] = items;
      if (item?.kind !== 'invalid') throw new Error(`not an invalid element: ${item?.kind}`);
      return item;
    };
    const capped = await only(keys(40), { maxIssues: 5 });
    const all = await only(keys(40), { maxIssues: Number.POSITIVE_INFINITY });
    const duplicates = (problems: Problem[]) => problems.filter((problem) => problem.code === 'duplicate-key');
    expect(duplicates(all.problems)).toHaveLength(40);
    expect(duplicates(capped.problems)).toEqual(duplicates(all.problems).slice(0, 5));
    expect(capped.omitted).toEqual({ errors: 0, warnings: 35 });
    expect(all.omitted).toEqual({ errors: 0, warnings: 0 });
    const syntax = await only(commas(40), { maxIssues: 5 });
    expect(syntax.problems).toEqual((await only(commas(40))).problems.slice(0, 5));
    expect(syntax.omitted).toEqual({ errors: 35, warnings: 0 });
    const byDefault = await only(keys(1_500));
    expect(duplicates(byDefault.problems)).toHaveLength(1_000);
    expect(byDefault.omitted).toEqual({ errors: 0, warnings: 500 });
    // One key given 1,500 times is one warning.
    const once = await only(`{"a":1${',"a":1'.repeat(1_499)}}`, { maxIssues: 5 });
    expect(duplicates(once.problems).map((problem) => problem.message)).toEqual([
      '"a" given 1500 times: parsers keep only the last; first given at line 1, column 2',
    ]);
    expect(once.omitted).toEqual({ errors: 0, warnings: 0 });
    // validateEvent keeps as many, of its schema issues.
    const call = events.find((e) => (e as { eventType?: string }).eventType === 'CallComplete') as { data: object };
    const flow = Array(30).fill({});
    const checked = validateEvent({ ...call, data: { ...call.data, flow } }, { maxIssues: 4 });
    expect(checked.issues.filter((issue) => issue.severity === 'error')).toHaveLength(4);
    expect(checked.omitted).toEqual({ errors: 56, warnings: 0 });
    expect(validateEvent(call).omitted).toEqual({ errors: 0, warnings: 0 });
  });

  it('reads paths as the CLI does, and refuses a missing one', async () => {
    const items = await collect(readEvents(['fixtures/valid/outbound-with-reattempts.json']));
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((item) => item.kind === 'event')).toBe(true);
    await expect(collect(readEvents(['no/such/file.json']))).rejects.toThrow(/no such file/);
    // Its cause is the system error, for a caller to switch on its code (hR109).
    await expect(collect(readEvents(['no/such/file.json']))).rejects.toMatchObject({ cause: { code: 'ENOENT' } });
  });

  it("tells of a folder's compressed files and of a file named twice, as the CLI warns of them, one problem each (red team hR94)", async () => {
    // A folder's .gz and .zst were passed over without an item: a caller could not tell that two
    // of its four files were never read, where the CLI warns of each and counts it.
    const folder = mkdtempSync(join(tmpdir(), 'callhook-library-'));
    const story = 'fixtures/valid/outbound-with-reattempts.json';
    for (const name of ['a.json', 'b.json.gz', 'c.JSON', 'd.ndjson.zst']) copyFileSync(story, join(folder, name));
    writeFileSync(join(folder, '.e.json.gz'), '');
    const a = join(folder, 'a.json');
    const paths = [folder, a];
    const told: [string, string][] = [];
    await listSources(paths, (message, names) => told.push([message, names[0] ?? '']));
    const items = await collect(readEvents(paths));
    const warnings = items.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));
    expect(
      warnings.map(({ file, line, column, severity, code, message }) => ({
        file,
        line,
        column,
        severity,
        code,
        message,
      })),
    ).toEqual([
      {
        file: join(folder, 'b.json.gz'),
        line: 1,
        column: 1,
        severity: 'warning',
        code: 'compressed',
        message: `${join(folder, 'b.json.gz')}: compressed, so skipped: read it through gunzip -c, as stdin (gunzip -c FILE | callhook … -)`,
      },
      {
        file: join(folder, 'd.ndjson.zst'),
        line: 1,
        column: 1,
        severity: 'warning',
        code: 'compressed',
        message: `${join(folder, 'd.ndjson.zst')}: compressed, so skipped: read it through zstd -dc, as stdin (zstd -dc FILE | callhook … -)`,
      },
      {
        file: a,
        line: 1,
        column: 1,
        severity: 'warning',
        code: 'named-twice',
        message: `${a} is named twice (also as ${folder}); read once`,
      },
    ]);
    // The same warnings the CLI prints and counts, each once, said before the files' items.
    expect(warnings.map((problem) => [problem.message, problem.file])).toEqual(told);
    expect(items.slice(0, 3).every((item) => item.kind === 'problem')).toBe(true);
    expect(new Set(items.flatMap((item) => (item.kind === 'event' ? [item.position.file] : [])))).toEqual(
      new Set([a, join(folder, 'c.JSON')]),
    );
  });

  it('reads a string as text, whatever file it may name: untrusted text neither throws nor tells what exists', async () => {
    // A receiver hands request bodies over as strings: `.` or `/etc/passwd` threw a TypeError
    // (the file system was asked whether it named something), and `no/such/file` did not.
    const codes = async (text: string) =>
      (await collect(readEvents(text))).map((item) => [
        item.kind,
        item.kind === 'problem' ? item.problem.code : item.problems.map((p) => p.code),
      ]);
    for (const [named, unnamed] of [
      ['fixtures/valid/outbound-with-reattempts.json', 'fixtures/valid/no-such-file-at-all.json'],
      ['fixtures/valid', 'fixtures/nosuchdir'],
      ['.', '~'],
      ['/', '/no/such/path'],
    ] as const) {
      const read = await codes(named);
      expect(read).toEqual(await codes(unnamed));
      expect(read[0]?.[0]).toBe('invalid');
    }
    expect((await collect(readEvents('{"a": 1}')))[0]?.kind).toBe('invalid');
  });
});

describe('readEvents of a body held in memory, inside a service', () => {
  it('lets the event loop run while it reads, so one large body does not hold up every other request (red team hR109)', async () => {
    // 100,000 elements that are no events: a quarter of a second of reading here, of which a
    // service's timers, sockets and other requests got no turn; 10 MB of them held one for 9 s.
    const text = `[${new Array(100_000).fill('1').join(',')}]`;
    let turns = 0;
    let waiting = true;
    const turn = () => {
      turns++;
      if (waiting) setImmediate(turn);
    };
    setImmediate(turn);
    let problems = 0;
    for await (const item of readEvents(text)) if (item.kind === 'problem' || item.problems.length > 0) problems++;
    waiting = false;
    expect(problems).toBe(100_000);
    expect(turns).toBeGreaterThan(0);
  });
});

describe('a source that fails while being read', () => {
  /** The items, with the problems' code, message and place only. */
  const brief = (items: ReadItem[]) =>
    items.map((item) =>
      item.kind === 'problem'
        ? { problem: item.problem.code, message: item.problem.message, offset: item.problem.offset }
        : { [item.kind]: item.value },
    );

  it('gives the events read before a dropped connection, then one unreadable problem, not a TypeError', async () => {
    // fetch's body threw undici's `TypeError: terminated` out of the loop: the type kept for a bad call.
    const { createServer } = await import('node:http');
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': '1000' });
      response.write('{"a":1}\n{"b":2}\n{"c":');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      const items = await collect(readEvents(response.body as unknown as AsyncIterable<Uint8Array>));
      expect(brief(items)).toEqual([
        { invalid: { a: 1 } },
        { invalid: { b: 2 } },
        { problem: 'unreadable', message: 'cannot be read: terminated', offset: 21 },
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("cancels a web stream left part way, so that a fetch body's connection closes and the process can exit", async () => {
    // The stream stayed locked and the connection open: Readable.from, asked to stop, waited on a
    // read of the body that never came, so nothing cancelled it and the process never exited.
    const { createServer } = await import('node:http');
    let closed = () => {};
    const gone = new Promise<string>((resolve) => {
      closed = () => resolve('closed');
    });
    const server = createServer((_request, response) => {
      response.writeHead(200);
      response.write('{"a":1}\n');
      response.on('close', () => closed());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const body = (await fetch(`http://127.0.0.1:${port}/`)).body as ReadableStream<Uint8Array>;
      for await (const item of readEvents(body)) {
        expect(item).toMatchObject({ kind: 'invalid', value: { a: 1 } });
        break;
      }
      const open = new Promise<string>((resolve) => setTimeout(resolve, 2000, 'open').unref());
      expect(await Promise.race([gone, open])).toBe('closed');
      expect(body.locked).toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    // However the read is left: break, return(), throw(), an error in the loop's body.
    const leaves: ((items: AsyncGenerator<ReadItem>) => Promise<unknown>)[] = [
      async (items) => {
        for await (const _ of items) break;
      },
      async (items) => [await items.next(), await items.return(undefined)],
      async (items) => [await items.next(), await items.throw(new Error('left')).catch(() => {})],
      async (items) => {
        for await (const _ of items) throw new Error('left');
      },
    ];
    for (const [index, leave] of leaves.entries()) {
      const cancel = vi.fn();
      const stream = new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode('{"a":1}\n')),
        cancel,
      });
      await leave(readEvents(stream)).catch(() => {});
      expect(cancel, `leave ${index}`).toHaveBeenCalledOnce();
      expect(stream.locked, `leave ${index}`).toBe(false);
    }
  });

  it('reads a destroyed stream or a throwing iterable as a source that failed, whatever the error', async () => {
    // Threw `Error: aborted` and `Error: boom`: only an error with an errno code was the source's.
    const destroyed = new Readable({
      read() {
        this.push('{"a":1}\n');
        this.destroy(new Error('aborted'));
      },
    });
    expect(brief(await collect(readEvents(destroyed)))).toEqual([
      { invalid: { a: 1 } },
      { problem: 'unreadable', message: 'cannot be read: aborted', offset: 8 },
    ]);
    async function* throwing() {
      yield Buffer.from('[{"a":1}');
      throw new Error('boom');
    }
    expect(brief(await collect(readEvents(throwing())))).toEqual([
      { invalid: { a: 1 } },
      { problem: 'unreadable', message: 'cannot be read: boom', offset: 8 },
    ]);
  });

  it('says what a source that fails with no error (undefined, null, 0, "") failed with, not "Premature close"', async () => {
    // Nothing closed early: Node's Readable.from reads a falsy reason as no error at all.
    for (const [reason, shown] of [
      [undefined, 'undefined'],
      [null, 'null'],
      [0, '0'],
      ['', '""'],
    ] as const) {
      const rejecting: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(reason) }),
      };
      expect(brief(await collect(readEvents(rejecting))), shown).toEqual([
        { problem: 'unreadable', message: `cannot be read: rejected with ${shown}`, offset: 0 },
      ]);
    }
    async function* throwing() {
      yield Buffer.from('[{"a":1}');
      throw undefined;
    }
    expect(brief(await collect(readEvents(throwing())))).toEqual([
      { invalid: { a: 1 } },
      { problem: 'unreadable', message: 'cannot be read: rejected with undefined', offset: 8 },
    ]);
  });

  it("refuses a source whose chunks are not strings or bytes with a TypeError, not the source's problem", async () => {
    // Each was read as bytes, and gave an `unreadable` problem quoting Node on Buffer.from.
    const refused = (got: string) =>
      new TypeError(`source chunks must be strings or bytes (a Uint8Array or Buffer; got ${got})`);
    await expect(collect(readEvents(new Uint16Array([0x7b, 0x7d]) as unknown as Uint8Array))).rejects.toThrow(
      refused('number'),
    );
    await expect(collect(readEvents(Readable.from([{ a: 1 }])))).rejects.toThrow(refused('Object'));
    async function* numbers() {
      yield Buffer.from('{"a":1}\n');
      yield 5;
    }
    const items: ReadItem[] = [];
    const error = await (async () => {
      for await (const item of readEvents(numbers() as AsyncIterable<Uint8Array>)) items.push(item);
    })().catch((e: unknown) => e);
    expect(error).toEqual(refused('number'));
    // Hint: an async iterable's chunks are known only as they come: what came before the bad one is read.
    expect(brief(items)).toEqual([{ invalid: { a: 1 } }]);
    // A null chunk was an `unreadable` problem in Node's words: "May not write null values to stream".
    const nulls = ['{"a":1}\n', null];
    async function* withNull() {
      yield* nulls;
    }
    for (const source of [nulls.values(), withNull()]) {
      const read: ReadItem[] = [];
      const thrown = await (async () => {
        for await (const item of readEvents(source as AsyncIterable<Uint8Array>)) read.push(item);
      })().catch((e: unknown) => e);
      expect(thrown).toEqual(refused('null'));
      expect(brief(read)).toEqual([{ invalid: { a: 1 } }]);
    }
  });

  it('reads a character whose two UTF-16 halves come in two string chunks as that character', async () => {
    // Each chunk was made bytes on its own: each half became U+FFFD in a valid event, no problem said.
    const event = structuredClone(events.find((e) => 'eventType' in e && e.eventType === 'CallComplete')) as {
      data: { name: string };
    };
    event.data.name = 'Zoë 😀 and 𝄞';
    const text = JSON.stringify(event);
    for (const cut of [text.indexOf('😀') + 1, text.indexOf('𝄞') + 1]) {
      const parts = [text.slice(0, cut), text.slice(cut)];
      for (const source of [
        Readable.from(parts),
        (async function* () {
          yield* parts;
        })(),
      ]) {
        const [item, ...rest] = await collect(readEvents(source));
        expect(rest).toEqual([]);
        expect(item).toMatchObject({ kind: 'event', problems: [], event: { data: { name: 'Zoë 😀 and 𝄞' } } });
      }
    }
    // A half left alone at the end, or before bytes, is what it was: not a character (U+FFFD).
    const alone = await collect(readEvents(Readable.from(['"\uD83D', Buffer.from('"')])));
    expect(alone).toMatchObject([{ kind: 'invalid', value: '\uFFFD' }]);
  });

  it('refuses a stream that cannot be iterated (an old-style Stream, an object with only pipe) with a TypeError', async () => {
    // Each gave the problem "cannot be read: chunks is not async iterable", naming a variable of ours.
    const legacy = Object.assign(new Stream(), { readable: true });
    for (const source of [legacy, { pipe() {} }]) {
      await expect(collect(readEvents(source as unknown as NodeJS.ReadableStream))).rejects.toThrow(
        new TypeError('source must be a readable stream or an async iterable of strings or bytes'),
      );
    }
  });
});

describe('signing and verifying', () => {
  const body = JSON.stringify(events.slice(0, 3));

  it('signs with Standard Webhooks so that verifyStandardWebhook accepts it, and names why a change fails', () => {
    const secret = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    const headers = signStandardWebhook(body, { secrets: secret, id: 'msg_1', timestamp: 1_700_000_000 });
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const options = { secrets: [secret], now: 1_700_000_010_000 };
    expect(verifyStandardWebhook(body, headers, options)).toEqual({ ok: true, secretIndex: 0 });
    expect(verifyStandardWebhook(`${body} `, headers, options)).toMatchObject({ ok: false });
    expect(verifyStandardWebhook(body, headers, { ...options, now: 1_700_001_000_000 })).toMatchObject({
      ok: false,
      reason: 'timestamp-too-old',
    });
  });

  it('takes one secret as a string when verifying, as when signing', () => {
    const secret = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    const headers = signStandardWebhook(body, { secrets: secret, id: 'msg_1', timestamp: 1_700_000_000 });
    expect(verifyStandardWebhook(body, headers, { secrets: secret, now: 1_700_000_010_000 })).toEqual({
      ok: true,
      secretIndex: 0,
    });
    expect(verifyHexHmac(body, signHexHmac(body, { secrets: 'one' }), { secrets: 'one' })).toEqual({
      ok: true,
      secretIndex: 0,
    });
  });

  it('names the hex HMAC header as the caller named it, or as defaultHmacHeader does, and verifies it in any case', () => {
    // It was lower-cased: `signed[defaultHmacHeader]` and `signed['X-Hub-Signature']` were undefined (red team hF57).
    const bytes = Buffer.from(body);
    const named = signHexHmac(bytes, { secrets: 'k', header: 'X-Hub-Signature' });
    expect(Object.keys(named)).toEqual(['X-Hub-Signature']);
    expect(Object.keys(signHexHmac(bytes, { secrets: 'k' }))).toEqual([defaultHmacHeader]);
    const signature = named['X-Hub-Signature'] as string;
    for (const headers of [named, { 'x-hub-signature': signature }, new Headers(named)]) {
      expect(verifyHexHmac(bytes, headers, { secrets: 'k', header: 'x-HUB-signature' })).toEqual({
        ok: true,
        secretIndex: 0,
      });
    }
  });

  it('reads a header given as a list longer than a call takes arguments', () => {
    // Hint: values.push(...list) passed each item as an argument: 200,000 threw a RangeError.
    const signature = signHexHmac(body, { secrets: 'one' })[defaultHmacHeader] as string;
    const headers = { 'x-signature': [...Array.from({ length: 200_000 }, () => ''), signature] };
    expect(verifyHexHmac(body, headers, { secrets: 'one' })).toEqual({ ok: true, secretIndex: 0 });
  });

  it('reads a secret string as the CLI reads its environment variable: split on commas, each trimmed', () => {
    // A receiver given the CALLHOOK_SECRET replay signed with said wrong-secret to every delivery
    // when the variable held a rotation list or ended in a CR from an env file (red team hT15 #1).
    const bytes = Buffer.from(body);
    const at = new Date(1_700_000_000_000);
    const standardPair = `whsec_${Buffer.from('the old key, 24 bytes....').toString('base64')}, whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\r`;
    for (const [scheme, env] of [
      ['hmac', 'topsecret\r'],
      ['hmac', ' oldsecret , newsecret\n'],
      ['standard', standardPair],
    ] as const) {
      // What replay sends, signed with the CLI's own reading of the variable.
      const sent = createSigner(scheme, parseSecrets(env, scheme, 'CALLHOOK_SECRET'))('msg_1', bytes, at);
      const checked =
        scheme === 'hmac'
          ? verifyHexHmac(body, sent, { secrets: env })
          : verifyStandardWebhook(body, sent, { secrets: env, now: at.getTime() });
      expect(checked, JSON.stringify(env)).toEqual({ ok: true, secretIndex: 0 });
      const signed =
        scheme === 'hmac'
          ? signHexHmac(body, { secrets: env })
          : signStandardWebhook(body, { secrets: env, id: 'msg_1', timestamp: at.getTime() / 1000 });
      // Hint: replay sends its header lower-cased; the library names it as it was given (any case is one header).
      const lowerCased = Object.fromEntries(Object.entries(signed).map(([name, value]) => [name.toLowerCase(), value]));
      expect(lowerCased, JSON.stringify(env)).toEqual(sent);
    }
    // Each secret of a list is one secret, trimmed as well; a comma in one is refused, not hashed.
    expect(verifyHexHmac(body, signHexHmac(body, { secrets: 'k' }), { secrets: [' k\r'] })).toEqual({
      ok: true,
      secretIndex: 0,
    });
    expect(() => signHexHmac(body, { secrets: ['old,new'] })).toThrow(/^secret #1 holds a comma/);
  });

  it('names a secret that is not there (an unset environment variable) or empty, as the library, not the CLI', () => {
    for (const secrets of [
      [undefined],
      [''],
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', null],
    ] as unknown as string[][]) {
      const index = secrets.length;
      const named = new RegExp(`^secret #${index} is (empty|not a string \\(got (undefined|null)\\))$`);
      expect(() => verifyStandardWebhook(body, {}, { secrets })).toThrow(named);
      expect(() => signStandardWebhook(body, { secrets })).toThrow(named);
      expect(() => verifyHexHmac(body, {}, { secrets })).toThrow(named);
      expect(() => signHexHmac(body, { secrets })).toThrow(named);
    }
    // Not a string is the caller's type error, as the other options' are; empty is a value's.
    const notString = new TypeError('secret #2 is not a string (got number)');
    const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 5] as unknown as string[];
    expect(() => verifyStandardWebhook(body, {}, { secrets })).toThrow(notString);
    expect(() => signHexHmac(body, { secrets })).toThrow(notString);
    expect(() => signHexHmac(body, { secrets: [''] })).toThrow(CallhookError);
  });

  it('refuses a timestamp that is not whole Unix seconds, which no verifier would accept, with a TypeError', () => {
    const secret = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    for (const timestamp of [Number.NaN, 1_700_000_000.5, -1, Number.POSITIVE_INFINITY, 1e15, 253_402_300_800]) {
      expect(() => signStandardWebhook(body, { secrets: secret, timestamp })).toThrow(
        new TypeError(`timestamp must be whole seconds since 1970, up to the year 9999 (got ${timestamp})`),
      );
    }
    // Date.now() (milliseconds) was signed as a time 55,000 years on, which every receiver refuses.
    expect(() => signStandardWebhook(body, { secrets: secret, timestamp: 1_733_350_000_000 })).toThrow(
      new TypeError(
        'timestamp must be whole seconds since 1970, up to the year 9999 (got 1733350000000: milliseconds? Date.now() / 1000, rounded down)',
      ),
    );
    expect(signStandardWebhook(body, { secrets: secret, timestamp: 253_402_300_799 })['webhook-timestamp']).toBe(
      '253402300799',
    );
    expect(() => signStandardWebhook(body, { secrets: secret, timestamp: '1700000000' as unknown as number })).toThrow(
      TypeError,
    );
    const zero = signStandardWebhook(body, { secrets: secret, timestamp: 0 });
    expect(verifyStandardWebhook(body, zero, { secrets: secret, now: 0 })).toEqual({ ok: true, secretIndex: 0 });
  });

  it('refuses secrets that are neither a secret nor a list of them with a TypeError naming the option', () => {
    // Said "Cannot read properties of undefined (reading 'length')" and "list.entries is not a function".
    // Never quoting it: a Buffer of the secret's bytes was shown as its text ("got top-secret"),
    // a Uint8Array as its bytes, in an error that is logged.
    for (const [secrets, got] of [
      [undefined, 'undefined'],
      [5, 'number'],
      [{ a: 'whsec_x' }, 'Object'],
      [Buffer.from('top-secret'), 'Buffer'],
      [new TextEncoder().encode('top-secret'), 'Uint8Array'],
    ] as const) {
      const options = { secrets } as unknown as { secrets: string };
      const refused = new TypeError(`secrets must be a secret or a list of secrets (got ${got})`);
      expect(() => signStandardWebhook(body, options), got).toThrow(refused);
      expect(() => verifyStandardWebhook(body, {}, options), got).toThrow(refused);
      expect(() => signHexHmac(body, options), got).toThrow(refused);
      expect(() => verifyHexHmac(body, {}, options), got).toThrow(refused);
    }
    const list = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', Buffer.from('top-secret')] as unknown as string[];
    expect(() => signHexHmac(body, { secrets: list })).toThrow(new TypeError('secret #2 is not a string (got Buffer)'));
  });

  it('refuses a body, headers or a header name of the wrong kind with a TypeError naming it', () => {
    // Said "Cannot read properties of null (reading 'buffer')", "The first argument must be of type
    // string ... Received undefined" (for a number), "(options.header ?? ...).toLowerCase is not a
    // function"; signHexHmac signed under the header '' or 'Bad Header\n', which no request can carry.
    const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    const signed = signStandardWebhook(body, { secrets });
    for (const [wrong, got] of [
      [5, 'number'],
      [null, 'null'],
      [undefined, 'undefined'],
      [{ a: 1 }, 'Object'],
      [new ArrayBuffer(2), 'ArrayBuffer'],
    ] as const) {
      const refused = new TypeError(`body must be a string or a Uint8Array (got ${got})`);
      const bad = wrong as unknown as string;
      expect(() => signStandardWebhook(bad, { secrets }), got).toThrow(refused);
      expect(() => signHexHmac(bad, { secrets }), got).toThrow(refused);
      expect(() => verifyStandardWebhook(bad, signed, { secrets }), got).toThrow(refused);
      expect(() => verifyHexHmac(bad, {}, { secrets }), got).toThrow(refused);
    }
    for (const [wrong, got] of [
      [null, 'null'],
      [undefined, 'undefined'],
      ['webhook-id: 1', 'string'],
    ] as const) {
      const refused = new TypeError(`headers must be a Headers or an object of header values (got ${got})`);
      const bad = wrong as unknown as Record<string, string>;
      expect(() => verifyStandardWebhook(body, bad, { secrets }), got).toThrow(refused);
      expect(() => verifyHexHmac(body, bad, { secrets }), got).toThrow(refused);
    }
    for (const [header, got] of [
      [5, '5'],
      ['', '""'],
      ['Bad Header\n', '"Bad Header\\n"'],
      // As --signature-header refuses it (review hR39): the README says the two refuse alike.
      ["'X-Signature'", '"\'X-Signature\'"'],
    ] as const) {
      const refused = new TypeError(`header must be an HTTP header name (got ${got})`);
      const bad = header as unknown as string;
      expect(() => signHexHmac(body, { secrets, header: bad }), got).toThrow(refused);
      expect(() => verifyHexHmac(body, {}, { secrets, header: bad }), got).toThrow(refused);
    }
    expect(signHexHmac(body, { secrets, header: 'X-Hub-Signature-256' })).toHaveProperty(['X-Hub-Signature-256']);
    // A header the request sets itself is refused as --signature-header refuses it: the digest
    // put in Content-Length is dropped, in Host or Expect it breaks the request (red team hT15).
    for (const header of ['Content-Length', 'host', 'Transfer-Encoding', 'Expect', 'webhook-signature']) {
      const refused = new TypeError(
        `header must be a header the request does not set itself (not Content-Length, Transfer-Encoding, Trailer, Expect, Connection, Upgrade, TE, Host, Content-Type, Content-Encoding, User-Agent, webhook-id, webhook-timestamp, webhook-signature) (got "${header}")`,
      );
      expect(() => signHexHmac(body, { secrets, header }), header).toThrow(refused);
      expect(() => verifyHexHmac(body, {}, { secrets, header }), header).toThrow(refused);
    }
  });

  it('refuses an id that cannot travel as a header value whole, which no verifier would then accept', () => {
    const secret = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    // node:http and fetch refuse a character past U+00FF in a header: 'evt-日本' was signed, then not sent.
    // 'msg_Ã©' travels as the bytes C3 A9, which a receiver reads as the UTF-8 'msg_é' it did not sign.
    for (const id of ['', ' msg_1', 'msg_1 ', 'msg\n1', 'msg\u00851', 'evt-日本', 'msg_Ã©']) {
      expect(() => signStandardWebhook(body, { secrets: secret, id }), JSON.stringify(id)).toThrow(
        new TypeError(
          `id must be a header value read as itself: not empty, no blanks around it, no control characters, nothing past U+00FF, no Latin-1 that is UTF-8 (got ${JSON.stringify(id)})`,
        ),
      );
    }
    // A tab inside is a header value as HTTP has it; 'msg_é' travels as the byte E9, read back as itself.
    for (const id of ['msg 1.2', 'msg\t1', 'msg_é']) {
      const headers = signStandardWebhook(body, { secrets: secret, id });
      expect(headers['webhook-id']).toBe(id);
      // Sent as Latin-1 bytes, a receiver on node:http reads each back as a character, and the
      // signature holds there; over an id past ASCII it holds with the warning that a receiver on
      // Go's net/http, which checks the byte E9 as sent, not the UTF-8 signed, fails it.
      const received = Object.fromEntries(
        Object.entries(headers).map(([k, value]) => [k, Buffer.from(value, 'latin1').toString('latin1')]),
      );
      const warned =
        id === 'msg_é' ? { warning: expect.stringMatching(/^webhook-id is not ASCII: .*Go's net\/http/) } : {};
      expect(verifyStandardWebhook(body, received, { secrets: secret })).toEqual({
        ok: true,
        secretIndex: 0,
        ...warned,
      });
    }
  });

  it('refuses a tolerance or a now that is not a number instead of accepting a delivery of any age', () => {
    const secret = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    // Signed in 1970: only ignoreTimestamp (or an infinite tolerance, asked for) lets it through.
    const headers = signStandardWebhook(body, { secrets: secret, timestamp: 1000 });
    for (const [option, value, message] of [
      ['toleranceSeconds', Number.NaN, 'toleranceSeconds must be a number of seconds, 0 or more (got NaN)'],
      ['toleranceSeconds', -1, 'toleranceSeconds must be a number of seconds, 0 or more (got -1)'],
      ['toleranceSeconds', '300', 'toleranceSeconds must be a number of seconds, 0 or more (got "300")'],
      ['now', Number.NaN, 'now must be a time in epoch milliseconds (got NaN)'],
      ['now', '2026-01-01', 'now must be a time in epoch milliseconds (got "2026-01-01")'],
    ] as const) {
      expect(() => verifyStandardWebhook(body, headers, { secrets: secret, [option]: value })).toThrow(
        new TypeError(message),
      );
    }
    expect(verifyStandardWebhook(body, headers, { secrets: secret })).toMatchObject({ reason: 'timestamp-too-old' });
    const forever = { secrets: secret, toleranceSeconds: Number.POSITIVE_INFINITY };
    expect(verifyStandardWebhook(body, headers, forever)).toEqual({ ok: true, secretIndex: 0 });
  });

  it('names a secret that is not whsec_<base64> by its place in the list, as it names an empty one', () => {
    const secrets = [`whsec_${Buffer.from('key one').toString('base64')}`, 'whsec_!!!!'];
    const named = /^secret #2 is not a Standard Webhooks secret \(expected whsec_<base64>\)$/;
    expect(() => signStandardWebhook(body, { secrets })).toThrow(named);
    expect(() => verifyStandardWebhook(body, {}, { secrets })).toThrow(named);
    // In one string, among the secrets it holds, as a verdict numbers them: an empty item is none.
    expect(() => signStandardWebhook(body, { secrets: 'whsec_abcd,,whsec_x=' })).toThrow(/^secret #2 is not a /);
  });

  it('asks for at least one secret in the words of the call made, signing or verifying', () => {
    expect(() => signStandardWebhook(body, { secrets: [] })).toThrow(/^secrets: give at least one secret$/);
    expect(() => signHexHmac(body, { secrets: [] })).toThrow(/^secrets: give at least one secret$/);
    expect(() => verifyHexHmac(body, {}, { secrets: [] })).toThrow(/^secrets: give at least one secret$/);
  });

  it('signs with a hex HMAC so that verifyHexHmac accepts it', () => {
    const headers = signHexHmac(body, { secrets: ['one', 'two'] });
    expect(Object.keys(headers)).toEqual(['X-Signature']);
    expect(verifyHexHmac(body, headers, { secrets: ['two'] })).toEqual({ ok: true, secretIndex: 0 });
    expect(verifyHexHmac(body, headers, { secrets: ['three'] })).toMatchObject({ ok: false, reason: 'wrong-secret' });
  });
});

describe('a Uint8Array from another realm (a vm context, an iframe)', () => {
  it('is the bytes it holds, to sign, verify and read, as one of this realm is', async () => {
    // Told apart with instanceof: signing threw "body must be a string or a Uint8Array (got
    // Uint8Array)", and readEvents iterated it a byte at a time ("… got number").
    const { runInNewContext } = await import('node:vm');
    const body = JSON.stringify(events.slice(0, 2));
    const foreign = (text: string) => runInNewContext(`new Uint8Array([${[...Buffer.from(text)]}])`) as Uint8Array;
    expect(foreign(body) instanceof Uint8Array).toBe(false);
    const secrets = `whsec_${Buffer.from('a secret of 24 bytes!!!!').toString('base64')}`;
    const standard = { secrets, id: 'msg_1', timestamp: 1_700_000_000 };
    const signed = signStandardWebhook(foreign(body), standard);
    expect(signed).toEqual(signStandardWebhook(body, standard));
    const now = 1_700_000_000_000;
    expect(verifyStandardWebhook(foreign(body), signed, { secrets, now })).toEqual({ ok: true, secretIndex: 0 });
    const hmac = signHexHmac(foreign(body), { secrets: 'k' });
    expect(hmac).toEqual(signHexHmac(body, { secrets: 'k' }));
    expect(verifyHexHmac(foreign(body), hmac, { secrets: 'k' })).toEqual({ ok: true, secretIndex: 0 });
    const own = await collect(readEvents(Buffer.from(body)));
    expect(own.map((item) => item.kind)).toEqual(['event', 'event']);
    expect(await collect(readEvents(foreign(body)))).toEqual(own);
    async function* chunks() {
      yield foreign(body.slice(0, 100));
      yield foreign(body.slice(100));
    }
    expect(JSON.stringify(await collect(readEvents(chunks())))).toBe(
      JSON.stringify(own).replaceAll('<bytes>', '<stream>'),
    );
  });
});

describe('hardening found by a red team (helper hT3)', () => {
  it('freezes the exported constants: a JavaScript caller changed what every later validation accepted', async () => {
    const library = await import('./index.js');
    const call = events.find((event) => (event as { eventType?: string }).eventType === 'CallComplete') as {
      data: object;
    };
    const hacked = { ...call, data: { ...call.data, status: 'Hacked' } };
    const writes: Array<[string, () => unknown]> = [
      ['callStatuses', () => (library.callStatuses as unknown as string[]).push('Hacked')],
      ['eventTypes', () => (library.eventTypes as unknown as string[]).push('Evil')],
      ['fictionalPhones', () => (library.fictionalPhones as unknown as string[]).push('61400000000')],
      ['jsonSchemaGaps', () => (library.jsonSchemaGaps as unknown as string[]).pop()],
      ['statusGroups', () => (library.statusGroups.Complete as unknown as string[]).push('Hacked')],
      ['statusGroups', () => Object.assign(library.statusGroups, { Other: ['Hacked'] })],
      ['dataSchemas', () => Object.assign(library.dataSchemas, { CallComplete: library.dataSchemas.SMSSent })],
      [
        'dataSchemas',
        () => Object.assign(library.dataSchemas.CallComplete.entries, { status: library.schemas.FlowStep }),
      ],
      [
        'dataSchemas',
        () => (library.dataSchemas.CallComplete.entries.status.options as unknown as string[]).push('Hacked'),
      ],
      ['schemas', () => Object.assign(library.schemas.Envelope.entries, { id: library.schemas.FlowStep })],
    ];
    for (const [name, write] of writes) expect(write, name).toThrow(TypeError);
    expect(library.validateEvent(hacked).ok).toBe(false);
    expect(library.validateEvent({ ...call, eventType: 'Evil' }).issues[0]?.code).toBe('unknown-event-type');
    expect(library.validateEvent(call).ok).toBe(true);
  });
});

describe('a code frame as narrow as a caller asks (red team hT3 L2)', () => {
  it("refuses a width under the CLI's 20, where rows came out wider than asked, and holds rows to one of 20", async () => {
    const { codeFrame } = await import('./index.js');
    const excerpt = { text: `{"a": "${'x'.repeat(200)}"}`, index: 50 };
    for (const width of [1, 10, 19]) {
      expect(() => codeFrame(excerpt, 1, 51, width), String(width)).toThrow(
        new TypeError(`width must be a whole number of at least 20 (got ${width})`),
      );
    }
    for (const width of [20, 21, 40]) {
      for (const row of codeFrame(excerpt, 1, 51, width).split('\n'))
        expect(row.length, row).toBeLessThanOrEqual(width);
    }
  });
});

describe("generateEvents' refusals, as a library caller reads them (red team hR89 L5)", () => {
  it('says what a caller gave plainly: a BigInt as 5n, an instance of a class as one', () => {
    expect(() => generateEvents({ count: 5n as never }).next()).toThrow(
      new TypeError('count: expected number, received 5n'),
    );
    const value = new (class A {})();
    expect(() => generateEvents({ count: 1, set: [{ path: ['x'], value }] }).next()).toThrow(
      new TypeError('set.0: the value holds an instance of class A, which JSON cannot hold'),
    );
  });

  it('exports the errors a run past year 9999 throws, for a caller to tell them by instanceof and read them by type', async () => {
    const { PastLastInstantError, RunPastLastInstantError, generateCalls } = await import('./index.js');
    const late = '9999-12-31T23:00:00Z';
    let refused: unknown;
    try {
      generateEvents({ count: 200, startTime: late }).next();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RunPastLastInstantError);
    expect(refused).toBeInstanceOf(RangeError);
    const run = refused as InstanceType<typeof RunPastLastInstantError>;
    expect(run.name).toBe('RunPastLastInstantError');
    expect(run.startTime).toBe(late);
    expect(run.overrun).toMatchObject({ call: expect.any(Number), end: expect.any(Number) });
    expect(() => [...generateCalls({ seed: 1, calls: 50, startTime: late })]).toThrow(PastLastInstantError);
  });
});

describe('generateEvents given a bad option (red team hR101 F9)', () => {
  it('throws when it is called, not at the first next(): a try around the call catches it', async () => {
    // A generator function runs none of its body until the first next(), so a `try` around
    // `generateEvents({ count: '3' })` caught nothing, and the TypeError came out of a later loop.
    const { RunPastLastInstantError, generateEvents: generate } = await import('./index.js');
    const takes = 'it takes count, seed, campaigns, types, redeliveries, batchSize, set, startTime, envelope';
    const refusals: Array<[unknown, Error | (abstract new (...args: never[]) => Error)]> = [
      [{ count: '3' }, new TypeError('count: expected number, received "3"')],
      [{ count: 0.5 }, new TypeError('count must be a whole number of at least 0 (got 0.5)')],
      [{ count: 2, defects: 1 }, new TypeError(`generateEvents takes no option defects (${takes})`)],
      [
        { count: 2, types: [] },
        new TypeError(
          'types must name at least one of CallComplete, CallAttempted, CallReceived, SMSSent, SMSReceived (got an empty list)',
        ),
      ],
      [{ count: 200, startTime: '9999-12-31T23:00:00Z' }, RunPastLastInstantError],
    ];
    for (const [options, refusal] of refusals) {
      expect(() => generate(options as never), JSON.stringify(options)).toThrow(refusal);
    }
    // What it returns is still a generator, lazy, as its type says.
    const run = generate({ count: 3, seed: 2 });
    expectTypeOf(run).toEqualTypeOf<Generator<GeneratedDelivery, void, undefined>>();
    expect(run[Symbol.iterator]()).toBe(run);
    expect(run.next().done).toBe(false);
    expect(run.return()).toEqual({ done: true, value: undefined });
    expect([...generate({ count: 3, seed: 2 })]).toEqual([...generateEvents({ count: 3, seed: 2 })]);
  });

  it('is so for the pieces under it too: generateCalls and generateTypedCalls throw when called', async () => {
    const { generateCalls, generateTypedCalls } = await import('./index.js');
    for (const [name, call] of [
      ['generateCalls', generateCalls],
      ['generateTypedCalls', generateTypedCalls],
    ] as const) {
      expect(() => call({ seed: 'x', calls: 1 } as never), name).toThrow(
        new TypeError('seed: expected number, received "x"'),
      );
      expect(() => call({ seed: 1, calls: 1, types: ['SMSSent'] } as never), name).toThrow(
        new TypeError(`${name} takes no option types (it takes seed, calls, campaigns, startTime, envelope)`),
      );
      expect(() => call({ seed: 1.5, calls: 1 }), name).toThrow(TypeError);
      const run = call({ seed: 2, calls: 2 });
      expect(run[Symbol.iterator](), name).toBe(run);
      expect([...run].length, name).toBeGreaterThan(2);
    }
    expectTypeOf(generateCalls).returns.toEqualTypeOf<Generator<WireEvent, void, undefined>>();
    expectTypeOf(generateTypedCalls).returns.toEqualTypeOf<Generator<GeneratedEvent, void, undefined>>();
  });
});

describe('exported helpers given what is not an event (red team hT3 L7)', () => {
  it('refuses a non-event in eventTime and correlationIdOf with a TypeError naming the argument', async () => {
    const { correlationIdOf, eventTime, validateEvent } = await import('./index.js');
    for (const [value, got] of [
      [{}, 'Object'],
      [undefined, 'undefined'],
      [null, 'null'],
      ['x', 'string'],
      [{ type: 'CallComplete', data: null }, 'Object'],
    ] as const) {
      const refusal = new TypeError(`event must be an event as validateEvent gives it, { type, data } (got ${got})`);
      expect(() => eventTime(value as never), got).toThrow(refusal);
      expect(() => correlationIdOf(value as never), got).toThrow(refusal);
    }
    const result = validateEvent(events[0]);
    if (!result.ok) throw new Error('a generated event is valid');
    expect(eventTime(result.event)).toMatch(/^\d{4}-/);
  });
});

describe('eventInstant', () => {
  it('reads an event time as every command does, in the forms Date cannot read too', async () => {
    // eventTime gives the text as sent; a valid `2026-03-08T12:00:00 +05:45` or `…+05` is NaN to
    // `new Date()`, and no reader was exported (red team hT63).
    const { eventInstant, eventTime, validateEvent } = await import('./index.js');
    const at = (time: string) => {
      const result = validateEvent({
        time,
        phone: '61491573087',
        status: 'success',
        campaignId: '5dd7681b-2188-49fc-8fc0-87b57056f436',
      });
      if (!result.ok) throw new Error(`${time} is a valid time`);
      return result.event;
    };
    for (const [time, iso] of [
      ['2026-03-08T12:00:00 +05:45', '2026-03-08T06:15:00.000Z'],
      ['2026-03-08T12:00:00+05', '2026-03-08T07:00:00.000Z'],
      ['2026-03-08 12:00:00.1234Z', '2026-03-08T12:00:00.123Z'],
    ] as const) {
      const event = at(time);
      expect(eventTime(event)).toBe(time);
      expect(new Date(eventInstant(event)).toISOString()).toBe(iso);
    }
    expect(() => eventInstant({} as never)).toThrow(TypeError);
    // An event-like object with no time, or one that is not text: "Cannot read properties of
    // undefined (reading 'length')", "text.charCodeAt is not a function" (review hR63).
    for (const [value, got] of [
      [{ type: 'CallAttempted', data: {} }, 'undefined'],
      [{ type: 'CallComplete', data: { startedTime: 5 } }, 'number'],
    ] as const) {
      const refusal = new TypeError(`event must be an event as validateEvent gives it, its time a string (got ${got})`);
      expect(() => eventInstant(value as never)).toThrow(refusal);
      expect(() => eventTime(value as never)).toThrow(refusal);
    }
  });
});

describe('options that crashed deep inside (red team hT3 M5)', () => {
  const drain = async (...args: Parameters<typeof readRecords>) => {
    for await (const _ of readRecords(...args)) {
      // read through
    }
  };
  const twice = ['fixtures/valid/bare-types.json', 'fixtures/valid/bare-types.json'];

  it('refuses a readRecords stop that is not an AbortSignal and an onWarning that is not a function, as listSources does', async () => {
    // "stop.addEventListener is not a function"; "onWarning is not a function", at the first warning.
    await expect(drain(twice, { stop: 5 as never })).rejects.toThrow(
      new TypeError('stop must be an AbortSignal (got number)'),
    );
    await expect(drain(twice, { stop: {} as never })).rejects.toThrow(
      new TypeError('stop must be an AbortSignal (got Object)'),
    );
    await expect(drain(twice, { onWarning: 5 as never })).rejects.toThrow(
      new TypeError('onWarning must be a function (got number)'),
    );
    await expect(drain(twice, { stop: new AbortController().signal, onWarning: () => {} })).resolves.toBeUndefined();
  });

  it('with arrayEnds, hands on where each top-level array ends, as soon as its "]" is read', async () => {
    // Replay sends a stream's input array at its end, not once the next value comes (hF80 #1).
    const stdin = new Stream.PassThrough();
    const reading = readRecords(['-'], { stdin, arrayEnds: true })[Symbol.asyncIterator]();
    const kinds: string[] = [];
    /** Reads on until `kinds` holds `count` records, or the read ends. */
    const readTo = async (count: number) => {
      while (kinds.length < count) {
        const next = await reading.next();
        if (next.done) return;
        kinds.push(...next.value.map((record) => record.kind));
      }
    };
    stdin.write('[{"a":1},{"a":2}');
    await readTo(3);
    stdin.write(']');
    await readTo(4);
    expect(kinds).toEqual(['file-start', 'invalid', 'invalid', 'array-end']);
    stdin.end('\n{"a":3}\n');
    await readTo(Number.POSITIVE_INFINITY);
    expect(kinds).toEqual(['file-start', 'invalid', 'invalid', 'array-end', 'invalid', 'file-end']);
  });

  it("refuses readRecords' other yes/no options and a stdinName that are not what they say, as its others", async () => {
    // `oneValue: 'false'` read two values as one body's; `stdinName: 5` named records `file: 5`
    // (red team hT68), where `strict: 'false'` is a TypeError.
    for (const name of ['oneValue', 'firstCopies', 'stdinIsCallers', 'arrayEnds'] as const) {
      await expect(drain(twice, { [name]: 'false' as never })).rejects.toThrow(
        new TypeError(`${name} must be true or false (got "false")`),
      );
    }
    await expect(drain(twice, { stdinName: 5 as never })).rejects.toThrow(
      new TypeError('stdinName must be a string (got number)'),
    );
    await expect(drain(twice, { firstLineEnding: 5 as never })).rejects.toThrow(
      new TypeError('firstLineEnding must be a string (got number)'),
    );
    await expect(drain(twice, { mayListFrom: 5 as never })).rejects.toThrow(
      new TypeError('mayListFrom must be a function (got number)'),
    );
    await expect(drain(twice, { oneValue: false, stdinName: 'x', firstLineEnding: '\n' })).resolves.toBeUndefined();
  });

  it('refuses a keyOrder that is not { keysOf, indexOf }, in checkEvent and readRecords', async () => {
    // "keys.indexOf is not a function".
    const refusal = (got: string) => new TypeError(`keyOrder must be { keysOf, indexOf }, two functions (got ${got})`);
    const value = { time: 'x', phone: 1, type: 'inbound', campaignId: 2 };
    for (const [keyOrder, got] of [
      [{}, 'Object'],
      [5, 'number'],
      [null, 'null'],
      [{ keysOf: () => [], indexOf: 1 }, 'Object'],
    ] as const) {
      expect(() => checkEventOf(value, { keyOrder: keyOrder as never, type: 'CallReceived' }), got).toThrow(
        refusal(got),
      );
      await expect(drain(twice, { keyOrder: keyOrder as never }), got).rejects.toThrow(refusal(got));
    }
    const keyOrder = { keysOf: (object: object) => Object.keys(object), indexOf: () => 0 };
    expect(checkEventOf(value, { keyOrder, type: 'CallReceived' }).errors).toBeGreaterThan(0);
  });

  it('refuses a set value JSON cannot hold with a TypeError naming set, not a DOMException or a null written', () => {
    // A Symbol or a function: "could not be cloned"; NaN was written as null, a Map as {}.
    const run = (value: unknown) => () => [...generateEvents({ count: 1, set: [{ path: ['data', 'x'], value }] })];
    for (const [value, what] of [
      [Symbol('s'), 'a Symbol'],
      [() => 1, 'a function'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [undefined, 'undefined'],
      [10n, 'a BigInt'],
      [new Map([[1, 2]]), 'a Map'],
      [new Set([1]), 'a Set'],
      [new Date(0), 'a Date'],
      [new Uint8Array(2), 'a Uint8Array'],
      [{ a: [1, { b: Number.NEGATIVE_INFINITY }] }, '-Infinity'],
      // biome-ignore lint/suspicious/noSparseArray: the hole is the case
      [[1, , 3], 'an empty item'],
      // Read as a plain object, and "could not be cloned" (a DOMException).
      [{ a: new Proxy({}, {}) }, 'a Proxy'],
    ] as const) {
      expect(run(value), what).toThrow(new TypeError(`set.0: the value holds ${what}, which JSON cannot hold`));
    }
    const plain = Object.assign(Object.create(null), { a: [1, 'two', null, true, { c: -0 }] });
    const [made] = run(plain)();
    expect(JSON.stringify(made?.event)).toContain('"x":{"a":[1,"two",null,true,{"c":0}]}');
  });

  it('refuses a set path through an array at no index with a TypeError naming set, not the CLI\'s "--set:" words', () => {
    const run = (set: Array<{ path: string[]; value: unknown }>) => () => [...generateEvents({ count: 3, set })];
    expect(run([{ path: ['data', 'flow', '-1'], value: 1 }])).toThrow(
      new TypeError('set.0: data.flow.-1: "-1" is not an index of the array data.flow'),
    );
    // An array another item set: refused before any event, not at the first event it reaches.
    expect(
      run([
        { path: ['data', 'source'], value: [[1]] },
        { path: ['data', 'source', '0', 'x'], value: 1 },
      ]),
    ).toThrow(new TypeError('set.1: data.source.0.x: "x" is not an index of the array data.source.0'));
  });
});
