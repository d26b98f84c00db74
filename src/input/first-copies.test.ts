import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { fileHandlePrototype } from '../../test/helpers/failing-calls.js';
import { failReadsOf } from '../../test/helpers/failing-reads.js';
import { latin1Path } from '../../test/helpers/payloads.js';
import { generateCalls } from '../core/generate.js';
import { fileId } from '../output-file.js';
import { type FirstCopyMemo, nameFirstCopies } from './first-copies.js';
import { readRecords } from './read.js';
import { RecentFirsts } from './recent-firsts.js';
import type { Problem } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-first-copies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `duplicate-id` warnings of reading `paths`, their first copies named (after `meanwhile`, when given). */
async function named(paths: string[], meanwhile?: () => void): Promise<string[]> {
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
  meanwhile?.();
  await nameFirstCopies(problems, files);
  return problems.map((p) => p.message.replace(/^event id (\S+) was seen before: a redelivery/, '$1'));
}

/** The problems of the events read from `file`, their first copies not named yet. */
async function eventProblems(file: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  for await (const records of readRecords([file])) {
    for (const record of records) if (record.kind === 'event') problems.push(...record.problems);
  }
  return problems;
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
    const problems = await eventProblems(file);
    writeFileSync(file, `${line(b)}\n`);
    await nameFirstCopies(problems, [file]);
    expect(problems.map((p) => [p.message, p.firstCopy])).toEqual([
      [`event id ${a!.id} was seen before: a redelivery (its first copy was not found again)`, undefined],
    ]);
  });

  it('a file replaced since it was read (a new version renamed over it) is not searched: none of its lines is named', async () => {
    // It named renamed-over.ndjson:1:1, a line of the new version: in the file read, b's.
    const file = join(dir, 'renamed-over.ndjson');
    writeFileSync(file, `${line(b)}\n${line(a)}\n${line(a)}\n`);
    const readAs = new Map<string, string | undefined>();
    const problems: Problem[] = [];
    for await (const records of readRecords([file], {}, { onOpen: (name, info) => readAs.set(name, fileId(info)) })) {
      for (const record of records) if (record.kind === 'event') problems.push(...record.problems);
    }
    expect(readAs.get(file)).toBeDefined();
    writeFileSync(`${file}.new`, `${line(a)}\n${line(b)}\n`);
    renameSync(`${file}.new`, file);
    expect(await nameFirstCopies(problems, [file], { readAs })).toBeUndefined();
    expect(problems.map((p) => [p.message, p.firstCopy])).toEqual([
      [
        `event id ${a!.id} was seen before: a redelivery (its first copy was not found again: ${file} was replaced since it was read)`,
        undefined,
      ],
    ]);
  });

  it('names a first copy the memo kept only while its file stands as it was: not once replaced or removed', async () => {
    // A first copy found by one lookup was named by the next from the memo, the file it was in
    // renamed over or removed since: a line of another file, or of none (hR50 on 7d6a62a).
    const [first, second, third] = ['first', 'second', 'third'].map((name) => join(dir, `kept-${name}.ndjson`));
    const files = [first!, second!, third!];
    for (const [change, why] of [
      [() => renameSync(`${first}.new`, first!), 'was replaced since it was read'],
      [() => rmSync(first!), 'was removed since it was read'],
    ] as const) {
      writeFileSync(first!, `${line(b)}\n${line(a)}\n`);
      writeFileSync(second!, `${line(a)}\n`);
      writeFileSync(third!, `${line(a)}\n`);
      writeFileSync(`${first}.new`, `${line(a)}\n${line(b)}\n`);
      // Hint: the same size and time of change as the file it is renamed over, so that only what the
      // file is tells them apart (on a file system with coarse times, writing them in one tick did).
      const when = new Date(Date.now() - 60_000);
      for (const file of [first!, `${first}.new`]) utimesSync(file, when, when);
      const readAs = new Map<string, string | undefined>();
      const warnings = new Map<string, Problem[]>();
      for await (const records of readRecords(files, {}, { onOpen: (name, info) => readAs.set(name, fileId(info)) })) {
        for (const record of records) {
          if (record.kind !== 'event') continue;
          const found = record.problems.filter((p) => p.code === 'duplicate-id');
          warnings.set(record.element.file, [...(warnings.get(record.element.file) ?? []), ...found]);
        }
      }
      const memo: FirstCopyMemo = new Map();
      const inSecond = warnings.get(second!) ?? [];
      await nameFirstCopies(inSecond, files.slice(0, 2), { readAs }, memo);
      expect(inSecond.map((p) => p.message)).toEqual([
        `event id ${a!.id} was seen before: a redelivery of the event at ${first}:2:1`,
      ]);
      change();
      const inThird = warnings.get(third!) ?? [];
      await nameFirstCopies(inThird, files, { readAs }, memo);
      expect(inThird.map((p) => [p.message, p.firstCopy])).toEqual([
        [
          `event id ${a!.id} was seen before: a redelivery (its first copy was not found again: ${first} ${why})`,
          undefined,
        ],
      ]);
      rmSync(`${first}.new`, { force: true });
    }
  });

  it('a file removed since it was read: a first copy found before it is named; after it, each says why it is not', async () => {
    // The first copy of a was in the file removed; it named the warned copy itself as its first
    // (`a redelivery of the event at two.ndjson:2:1`, said at two.ndjson:2).
    const [zero, one, two] = ['zero.ndjson', 'one.ndjson', 'two.ndjson'].map((name) => join(dir, `removed-${name}`));
    writeFileSync(zero!, `${line(b)}\n`);
    writeFileSync(one!, `${line(a)}\n`);
    writeFileSync(two!, `${line(b)}\n${line(a)}\n`);
    expect(await named([zero!, one!, two!], () => rmSync(one!))).toEqual([
      `${b!.id} of the event at ${zero}:1:1`,
      `${a!.id} (its first copy was not found again: ${one} was removed since it was read)`,
    ]);
  });

  it('reads again a file whose name is not UTF-8 by its bytes, as it was read first', async () => {
    // Read by its name as text, it was "removed since it was read": a name no file has (U+FFFD).
    const folder = join(dir, 'latin1');
    mkdirSync(folder);
    writeFileSync(latin1Path(folder, 'caf\xe9.ndjson'), `${line(b)}\n${line(a)}\n`);
    writeFileSync(join(folder, 'later.ndjson'), `${line(a)}\n`);
    expect(await named([folder])).toEqual([`${a!.id} of the event at ${folder}/caf\udce9.ndjson:2:1`]);
  });

  it('a file that is a folder now is said to be, not called a stream', async () => {
    // It said `of an event earlier in <file> (a stream: where is not kept)`.
    const file = join(dir, 'folder-now.ndjson');
    writeFileSync(file, `${line(a)}\n${line(a)}\n`);
    const replace = () => {
      rmSync(file);
      mkdirSync(file);
    };
    expect(await named([file], replace)).toEqual([
      `${a!.id} (its first copy was not found again: ${file} is a folder now)`,
    ]);
  });

  it('a file that cannot be looked at again (a symbolic link that loops now) is unreadable, as one failing part way', async () => {
    // It was passed over, as if removed, and nothing said why its first copies were not named.
    const file = join(dir, 'loops-now.ndjson');
    writeFileSync(file, `${line(a)}\n${line(a)}\n`);
    const problems = await eventProblems(file);
    rmSync(file);
    symlinkSync(file, file);
    const unread = await nameFirstCopies(problems, [file]);
    expect(problems.map((p) => p.message)).toEqual([
      `event id ${a!.id} was seen before: a redelivery (its first copy was not found again)`,
    ]);
    expect(unread).toMatchObject({
      file,
      line: 1,
      column: 1,
      code: 'unreadable',
      message: 'cannot be read: too many symbolic links (a loop, or more than 40)',
    });
  });

  it.skipIf(process.platform !== 'linux')(
    'a file that fails part way when read again: what was found is named, the rest lost, and its `unreadable` problem returned',
    async () => {
      // It threw `x.ndjson: i/o error`, which ended validate's run with every result lost.
      const file = join(dir, 'fails-when-read-again.ndjson');
      const lines = [line(a), line(b), line(a), line(b)];
      writeFileSync(file, lines.join('\n'));
      const problems = await eventProblems(file);
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

/**
 * Writes each of `texts` as a file of a new folder, reads the folder as validate does, then has
 * each file's redeliveries named as validate names them, with one memo for the run: how many bytes
 * those lookups read, against the run's size, and the file each file's first copies were found in.
 */
async function lookUpEachFile(name: string, texts: string[]) {
  const folder = join(dir, name);
  mkdirSync(folder);
  const files = texts.map((text, k) => {
    const file = join(folder, `${String(k).padStart(2, '0')}.ndjson`);
    writeFileSync(file, text);
    return file;
  });
  const byFile = new Map<string, Problem[]>();
  for await (const records of readRecords([folder])) {
    for (const record of records) {
      if (record.kind !== 'event') continue;
      const warnings = record.problems.filter((p) => p.code === 'duplicate-id');
      byFile.set(record.element.file, [...(byFile.get(record.element.file) ?? []), ...warnings]);
    }
  }
  let read = 0;
  const foundIn: Array<Array<string | undefined>> = [];
  const spied = vi.spyOn(await fileHandlePrototype(), 'read');
  try {
    const memo: FirstCopyMemo = new Map();
    for (const [k, file] of files.entries()) {
      const problems = byFile.get(file) ?? [];
      await nameFirstCopies(problems, files.slice(0, k + 1), {}, memo);
      for (const call of spied.mock.results)
        if (call.type === 'return') read += ((await call.value) as { bytesRead: number }).bytesRead;
      spied.mockClear();
      foundIn.push(problems.map((p) => p.firstCopy?.file));
    }
  } finally {
    vi.restoreAllMocks();
  }
  const size = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  return { files, read, size, foundIn };
}

const ndjson = (events: unknown[]) => events.map((event) => JSON.stringify(event)).join('\n');

describe('nameFirstCopies over a run of many files', () => {
  it('reads each file again about once in all, not once for every later file with a redelivery', async () => {
    // Each file's lookup read the run again from its first file: 200 files, each with a
    // redelivery of the file before's last event, took 9 s, 400 over 25 s (red team hT19).
    const events = [...generateCalls({ seed: 5, calls: 600, envelope: 'all' })].slice(0, 40 * 30);
    expect(events).toHaveLength(40 * 30);
    const texts = Array.from({ length: 30 }, (_, k) =>
      ndjson([...events.slice(k * 40, (k + 1) * 40), ...(k === 0 ? [] : [events[k * 40 - 1]])]),
    );
    const { files, read, size, foundIn } = await lookUpEachFile('many', texts);
    expect(foundIn).toEqual(files.map((_, k) => (k === 0 ? [] : [files[k - 1]])));
    // Once to learn which ids each file holds, once more where a first copy is: twice the run, not 15 times.
    expect(read).toBeLessThan(2.5 * size);
  });

  it('reads the file of a first copy redelivered into each later file once more in all, not once for each', async () => {
    // The digest says the first file may hold the id, and it does: each later file's lookup read
    // it again as far as the id, so 32 later files read a first file of 44 MB 32 times (hT47 #2).
    const events = [...generateCalls({ seed: 7, calls: 300, envelope: 'all' })].slice(0, 400);
    const texts = Array.from({ length: 20 }, (_, k) => ndjson(k === 0 ? events : [events.at(-1)]));
    const { files, read, size, foundIn } = await lookUpEachFile('one-id', texts);
    expect(foundIn).toEqual(files.map((_, k) => (k === 0 ? [] : [files[0]])));
    // Once for the first file's digest (where the id is found too), and nothing more of it.
    expect(read).toBeLessThan(1.5 * size);
  });
});

describe("nameFirstCopies with the run's memo", () => {
  const [a, b, c] = [...generateCalls({ seed: 13, calls: 3, envelope: 'all' })] as Array<Record<string, unknown>>;
  const line = (value: unknown) => JSON.stringify(value);

  it("trusts a file's digest: one removed since, that cannot hold the id, is passed over; one that may is said removed", async () => {
    const files = ['0', '1', '2', '3', '4'].map((name) => join(dir, `memo-${name}.ndjson`));
    const [zero, one, two, three, four] = files as [string, string, string, string, string];
    const texts = [[c], [a, b], [a], [b], [c]];
    for (const [k, file] of files.entries()) writeFileSync(file, `${texts[k]!.map(line).join('\n')}\n`);
    const warnings = new Map<string, Problem[]>();
    for await (const records of readRecords(files)) {
      for (const record of records) {
        if (record.kind !== 'event') continue;
        const found = record.problems.filter((p) => p.code === 'duplicate-id');
        warnings.set(record.element.file, [...(warnings.get(record.element.file) ?? []), ...found]);
      }
    }
    const memo: FirstCopyMemo = new Map();
    const at = (file: string) => warnings.get(file) ?? [];
    await nameFirstCopies(at(two), [zero, one, two], {}, memo);
    expect(at(two).map((p) => p.message)).toEqual([
      `event id ${a!.id} was seen before: a redelivery of the event at ${one}:1:1`,
    ]);
    rmSync(zero);
    // zero's digest holds c alone: b is looked for past it, not lost with it.
    await nameFirstCopies(at(three), [zero, one, two, three], {}, memo);
    expect(at(three).map((p) => p.message)).toEqual([
      `event id ${b!.id} was seen before: a redelivery of the event at ${one}:2:1`,
    ]);
    await nameFirstCopies(at(four), files, {}, memo);
    expect(at(four).map((p) => p.message)).toEqual([
      `event id ${c!.id} was seen before: a redelivery (its first copy was not found again: ${zero} was removed since it was read)`,
    ]);
  });
});

describe('RecentFirsts', () => {
  it('keeps where the last 1,024 events first seen began, the newest of an id first', () => {
    const recent = new RecentFirsts();
    const at = (line: number) => ({ file: 'f.json', line, column: 3, offset: line * 10, pointer: `/${line}` });
    for (let i = 1; i <= 3; i++) recent.add(`id-${i}`, at(i));
    // A ring not yet full (its slots are made as it fills) finds what it has, and nothing else.
    expect(recent.find('id-1')).toEqual(at(1));
    expect(recent.find('id-3')).toEqual(at(3));
    expect(recent.find('id-4')).toBeUndefined();
    for (let i = 4; i <= 1030; i++) recent.add(`id-${i}`, at(i));
    expect(recent.find('id-6')).toBeUndefined();
    expect(recent.find('id-7')).toEqual(at(7));
    expect(recent.find('id-1030')).toEqual(at(1030));
  });
});
