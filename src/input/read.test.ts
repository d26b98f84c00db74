import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecords } from './read.js';
import type { InputRecord } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function valuesOf(path: string, readSize: number): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const records of readRecords([path], { readSize, chunkSize: readSize })) {
    for (const record of records as InputRecord[]) {
      if (record.kind === 'event' || record.kind === 'invalid') values.push(record.value);
    }
  }
  return values;
}

describe('readRecords', () => {
  it('reads a file in reads of any size, reusing its buffers, into exactly the values JSON.parse sees', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 97 }),
        fc.constantFrom(0, 2),
        async (values, readSize, indent) => {
          const text = JSON.stringify(values, null, indent);
          const path = join(dir, `${run++}.json`);
          writeFileSync(path, text);
          expect(await valuesOf(path, readSize)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 100 },
    );
  });
});
