import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateCalls } from '../core/generate.js';
import { readRecords } from './read.js';
import { RecordBuilder } from './records.js';
import type { InputRecord } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-quick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An object nested `levels` deep, the outermost counted. */
function nested(levels: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i++) value = { x: value };
  return value;
}

type Layout = 'pretty' | 'ndjson';

/**
 * A generated export with, every few elements, something only a reading byte by byte finds,
 * written as `layout` lays it out. `mark` is how the kth changed element is changed.
 */
function exportText(layout: Layout): string {
  const events = [...generateCalls({ seed: 11, calls: 40, envelope: 'all' })] as Array<{
    eventType: string;
    data: Record<string, unknown>;
  }>;
  const texts: string[] = [];
  const changes = [
    // A key given twice: JSON.parse keeps the last copy alone, and the first holds a `:`.
    (text: string) => text.replace(/^\{/, '{"id": "dropped: 1", '),
    // A key given twice, in `data`, with a `:` written as `\u003a` in a string kept: the text
    // then holds as many `:` as the value has members and `:` in its strings.
    (text: string, event: (typeof events)[number]) =>
      event.eventType === 'CallComplete'
        ? text.replace('"name": "', '"name": "\\u003a').replace(/"data": ?\{/, '$&"name": "dropped", ')
        : text.replace(/^\{/, '{"createdAt": "2022-01-01T00:00:00.000Z", '),
    // A `__proto__` key, top-level and nested.
    (text: string) => text.replace(/^\{/, '{"__proto__": {"a": 1}, '),
    (text: string) => text.replace(/"data": ?\{/, '$&"__proto__": null, '),
    // `:` in strings, nothing given twice: the quick path takes it.
    (text: string) => text.replace(/"campaignId": ?"/, '$&a:b::'),
    // `\u003a` alone: refused by the quick path, valid all the same.
    (text: string) => text.replace(/"campaignId": ?"/, '$&\\u003a'),
    // A key given twice in an array's object.
    (text: string) => text.replace(/"data": ?\{/, '$&"extra": [{"k": 1, "k": 2}], '),
  ];
  let changed = 0;
  for (const [i, event] of events.entries()) {
    // Nested deeper than the limit, in a field of its own.
    if (i === 9) event.data.extra = nested(300);
    if (i === 17) event.data.status = 'Done';
    let text = layout === 'pretty' ? JSON.stringify(event, null, 2).replace(/\n/g, '\n  ') : JSON.stringify(event);
    if (i % 4 === 2)
      text = (changes[changed++ % changes.length] as (t: string, e: typeof event) => string)(text, event);
    texts.push(text);
    // A redelivery.
    if (i === 25) texts.push(texts[5] as string);
  }
  return layout === 'pretty' ? `[\n  ${texts.join(',\n  ')}\n]\n` : `${texts.join('\n')}\n`;
}

/** Every record of `path`, read as `options` say. */
async function recordsOf(path: string, warnings: boolean, byteByByte: boolean, readSize: number) {
  const out: InputRecord[] = [];
  for await (const records of readRecords([path], { warnings, readSize, chunkSize: readSize }, { byteByByte })) {
    out.push(...records);
  }
  return out;
}

describe('the quick path', () => {
  it('reads the records the byte-by-byte reading reads, warnings and all', async () => {
    const quick = vi.spyOn(RecordBuilder.prototype, 'quick');
    for (const layout of ['pretty', 'ndjson'] as const) {
      const path = join(dir, `export.${layout === 'pretty' ? 'json' : 'ndjson'}`);
      writeFileSync(path, exportText(layout));
      for (const warnings of [true, false]) {
        for (const readSize of [4096, 65536]) {
          quick.mockClear();
          const fast = await recordsOf(path, warnings, false, readSize);
          const taken = quick.mock.results.filter((r) => r.value !== undefined).length;
          const where = `${layout}, warnings ${warnings}, reads of ${readSize}`;
          // The quick path must take most elements, or this proves nothing.
          expect(taken, where).toBeGreaterThan(20);
          quick.mockClear();
          const slow = await recordsOf(path, warnings, true, readSize);
          expect(quick, where).not.toHaveBeenCalled();
          expect(fast, where).toEqual(slow);
          const codes = slow.flatMap((r) => ('problems' in r ? r.problems.map((p) => p.code) : []));
          expect(codes, where).toContain('too-deep');
          if (warnings) {
            expect(codes.filter((c) => c === 'duplicate-key').length, where).toBeGreaterThanOrEqual(3);
            expect(codes, where).toContain('proto-key');
            expect(codes, where).toContain('duplicate-id');
          }
        }
      }
    }
    quick.mockRestore();
  });

  it('takes an element 256 levels deep and refuses one of 257, as the byte-by-byte reading does, in every mode', async () => {
    // An off-by-one in either depth check (`membersAndColons`, `deeperThan`) passed every test,
    // and validate then passed a 257-level event, exit 0 (review hR130).
    const quick = vi.spyOn(RecordBuilder.prototype, 'quick');
    const events = [...generateCalls({ seed: 5, calls: 12, envelope: 'all' })];
    const bare = [...generateCalls({ seed: 5, calls: 12 })].find((event) => !('eventType' in event));
    expect(JSON.stringify(bare)).not.toMatch(/[[{].*[[{]/);
    // The event is level 1; `extra` at its top holds arrays `levels - 1` deep.
    const nestedTo = (levels: number, i: number) => ({
      ...events[i],
      extra: JSON.parse(`${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}`),
    });
    for (const layout of ['pretty', 'ndjson'] as const) {
      const last = events.length - 1;
      const list: unknown[] = events.map((event, i) =>
        i === last - 1 ? nestedTo(256, i) : i === last ? nestedTo(257, i) : event,
      );
      // A bare event has no bracket of its own: nested 257 deep, it opens 257 of them, no more,
      // which the count that spares the walk must still send to it.
      list.push({ ...bare, extra: JSON.parse(`${'['.repeat(256)}${']'.repeat(256)}`) });
      const text =
        layout === 'pretty'
          ? `${JSON.stringify(list, null, 2)}\n`
          : `${list.map((event) => JSON.stringify(event)).join('\n')}\n`;
      const path = join(dir, `deep.${layout === 'pretty' ? 'json' : 'ndjson'}`);
      writeFileSync(path, text);
      for (const warnings of [true, false]) {
        quick.mockClear();
        const fast = await recordsOf(path, warnings, false, 65536);
        const where = `${layout}, warnings ${warnings}`;
        expect(quick.mock.results.filter((r) => r.value !== undefined).length, where).toBeGreaterThan(8);
        expect(fast, where).toEqual(await recordsOf(path, warnings, true, 65536));
        const elements = fast.filter((r) => r.kind === 'event' || r.kind === 'invalid');
        expect(elements.map((r) => r.kind).slice(-3), where).toEqual(['event', 'invalid', 'invalid']);
        for (const element of elements.slice(-2)) {
          expect((element as Extract<InputRecord, { kind: 'invalid' }>).problems[0]?.code, where).toBe('too-deep');
        }
      }
    }
    quick.mockRestore();
  });
});
