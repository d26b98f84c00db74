import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Hint: placing a problem inside an element reads its text again with jsonc-parser's `visit`;
// counting those reads shows the work an element costs without timing anything.
const reads = vi.hoisted(() => ({ count: 0 }));
vi.mock('jsonc-parser', async (importOriginal) => {
  const original = await importOriginal<typeof import('jsonc-parser')>();
  return {
    ...original,
    visit: (...args: Parameters<typeof original.visit>) => {
      reads.count++;
      return original.visit(...args);
    },
  };
});
// Hint: the workers share modules between files (isolate: false), so read.js may already be
// loaded with the real jsonc-parser; loading it afresh here gives it the mock.
vi.resetModules();
const { readRecords } = await import('./read.js');

const dir = mkdtempSync(join(tmpdir(), 'callhook-text-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How many times the text of an element of `text` was read again, and the problems found. */
async function readsOf(name: string, text: string): Promise<{ reads: number; problems: number }> {
  const path = join(dir, name);
  writeFileSync(path, text);
  reads.count = 0;
  let problems = 0;
  for await (const records of readRecords([path])) {
    for (const record of records) if (record.kind === 'invalid') problems += record.problems.length;
  }
  return { reads: reads.count, problems };
}

describe('an element that is no event at all', () => {
  it('is told where it begins without reading its text again', async () => {
    for (const [name, text] of [
      ['objects.json', `[${Array(1_000).fill('{}').join(',')}]`],
      ['numbers.json', `[${Array(1_000).fill('1').join(',')}]`],
      ['lines.ndjson', `${Array(1_000).fill('{}').join('\n')}\n`],
    ] as const) {
      expect(await readsOf(name, text), name).toEqual({ reads: 0, problems: 1_000 });
    }
    // A problem inside an element is placed by reading it: the count sees those reads.
    const inside = JSON.stringify({ eventType: 'CallComplete', data: {} });
    expect((await readsOf('inside.ndjson', `${inside}\n${inside}\n`)).reads).toBe(2);
  });
});
