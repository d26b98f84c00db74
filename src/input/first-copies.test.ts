import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { failReadsOf } from '../../test/helpers/failing-reads.js';
import { generateCalls } from '../core/generate.js';
import { nameFirstCopies } from './first-copies.js';
import { readRecords } from './read.js';
import { RecentFirsts } from './recent-firsts.js';
import type { Problem } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-first-copies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `duplicate-id` warnings of reading `paths`, their first copies named. */
async function named(paths: string[]): Promise<string[]> {
  const problems: Problem[] = [];
  const files: string[] = [];
  for await (const records of readRecords(paths)) {
    for (const record of records) {
      if (record.kind === 'file-start') files.push(record.file);
      if (record.kind === 'event' || record.kind === 'invalid') {
        problems.push(...record.problems.filter((p) => p.code === 'duplicate-id'));
      }
    }
  }
  await nameFirstCopies(problems, files);
  return problems.map((p) => p.message.replace(/^event id (\S+) was seen before: a redelivery/, '$1'));
}

describe('nameFirstCopies', () => {
  const [a, b] = [...generateCalls({ seed: 11, calls: 2, envelope: 'all' })] as Array<Record<string, unknown>>;
  const line = (value: unknown) => JSON.stringify(value);

  it('names the first valid event with the id, an invalid one before it passed over', async () => {
    const { createdAt: _, ...broken } = a!;
    const file = join(dir, 'invalid-first.ndjson');
    writeFileSync(file, [line(broken), line(b), line(a), line(a)].join('\n'));
    expect(await named([file])).toEqual([`${a!.id} of the event at ${file}:3:1`]);
  });

  it('names a call of an undocumented status (counted despite its error), as its copies are redeliveries', async () => {
    const call = [...generateCalls({ seed: 11, calls: 6, envelope: 'all' })].find(
      (event) => 'eventType' in event && event.eventType === 'CallComplete',
    ) as Record<string, unknown>;
    const voicemail = { ...call, data: { ...(call.data as object), status: 'Voicemail' } };
    const file = join(dir, 'undocumented-first.ndjson');
    // A plain invalid copy (no createdAt) is passed over; the valid copy after the call is its redelivery.
    const { createdAt: _, ...broken } = call;
    writeFileSync(file, [line(broken), line(a), line(voicemail), line(voicemail), line(call)].join('\n'));
    expect(await named([file])).toEqual([
      `${call.id} of the event at ${file}:3:1`,
      `${call.id} of the event at ${file}:3:1`,
    ]);
  });

  it('finds an id whose key or value is spelled with escapes, in an earlier file', async () => {
    const id = String(b!.id);
    const escaped = line(b).replace(
      `"id":"${id}"`,
      `"\\u0069d":"\\u${id.charCodeAt(0).toString(16).padStart(4, '0')}${id.slice(1)}"`,
    );
    expect(JSON.parse(escaped)).toEqual(b);
    const one = join(dir, 'escaped.ndjson');
    const two = join(dir, 'plain.json');
    writeFileSync(one, `${line(a)}\n${escaped}\n`);
    writeFileSync(two, JSON.stringify([b, a], null, 2));
    expect(await named([one, two])).toEqual([
      `${b!.id} of the event at ${one}:2:1`,
      `${a!.id} of the event at ${one}:1:1`,
    ]);
  });

  it('says when a first copy is not found again (the file changed since)', async () => {
    const file = join(dir, 'changed.ndjson');
    writeFileSync(file, `${line(a)}\n${line(a)}\n`);
    const problems: Problem[] = [];
    for await (const records of readRecords([file])) {
      for (const record of records) if (record.kind === 'event') problems.push(...record.problems);
    }
    writeFileSync(file, `${line(b)}\n`);
    await nameFirstCopies(problems, [file]);
    expect(problems.map((p) => [p.message, p.firstCopy])).toEqual([
      [`event id ${a!.id} was seen before: a redelivery (its first copy was not found again)`, undefined],
    ]);
  });

  it.skipIf(process.platform !== 'linux')(
    'a file that fails part way when read again: what was found is named, the rest lost, and its `unreadable` problem returned',
    async () => {
      // It threw `x.ndjson: i/o error`, which ended validate's run with every result lost.
      const file = join(dir, 'fails-when-read-again.ndjson');
      const lines = [line(a), line(b), line(a), line(b)];
      writeFileSync(file, lines.join('\n'));
      const problems: Problem[] = [];
      for await (const records of readRecords([file])) {
        for (const record of records) if (record.kind === 'event') problems.push(...record.problems);
      }
      // Read whole once (above); read again, it fails 10 bytes into line 2.
      const at = lines[0]!.length + 1 + 10;
      await failReadsOf(file, at);
      let unread: Problem | undefined;
      try {
        unread = await nameFirstCopies(problems, [file]);
      } finally {
        vi.restoreAllMocks();
      }
      expect(problems.map((p) => p.message)).toEqual([
        `event id ${a!.id} was seen before: a redelivery of the event at ${file}:1:1`,
        `event id ${b!.id} was seen before: a redelivery (its first copy was not found again)`,
      ]);
      expect(unread).toMatchObject({
        file,
        line: 2,
        column: 11,
        offset: at,
        severity: 'error',
        code: 'unreadable',
        message: 'cannot be read: i/o error',
        fatal: true,
      });
    },
  );
});

describe('RecentFirsts', () => {
  it('keeps where the last 1,024 events first seen began, the newest of an id first', () => {
    const recent = new RecentFirsts();
    const at = (line: number) => ({ file: 'f.json', line, column: 3, offset: line * 10, pointer: `/${line}` });
    for (let i = 1; i <= 1030; i++) recent.add(`id-${i}`, at(i));
    expect(recent.find('id-6')).toBeUndefined();
    expect(recent.find('id-7')).toEqual(at(7));
    expect(recent.find('id-1030')).toEqual(at(1030));
  });
});
