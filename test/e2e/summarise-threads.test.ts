// summarise reads one large pretty-printed export on two threads. Whatever the file, the report
// must be the one a single thread gives; these tests run both and compare, and read
// CALLHOOK_THREADS=trace to know which way the file was read. The exports here are ~20 MB, below
// the 48 MiB from which two threads pay, so CALLHOOK_THREADS=2 asks for them anyway.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCalls } from '../../src/core/generate.js';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
let events: unknown[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhook-threads-'));
  // ~20 MB: enough to read in two halves (forced with CALLHOOK_THREADS=2; see the top).
  events = [...generateCalls({ seed: 11, calls: 9000, envelope: 'all' })];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  // Many 256 KiB reads on each side of the cut.
  expect(text.length).toBeGreaterThan(8 * 2 ** 20);
  return path;
}

/** Summarises `path` on two threads (if it can) and on one, and returns both runs. */
async function both(path: string, args: string[] = []) {
  const two = await runCli(['summarise', path, '--format', 'json', ...args], { env: { CALLHOOK_THREADS: '2,trace' } });
  const one = await runCli(['summarise', path, '--format', 'json', ...args], { env: { CALLHOOK_THREADS: '1' } });
  return { two, one };
}

describe('summarise on two threads', () => {
  it('reads a large export in two halves and reports exactly what one thread does', async () => {
    const path = write('export.json', JSON.stringify(events, null, 2));
    for (const by of [[], ['--by', 'campaign'], ['--by', 'hour', '--top', '0']]) {
      const { two, one } = await both(path, by);
      expect(two.stderr).toMatch(/^callhook: read on two threads \(the second from byte \d+\)\n$/);
      expect(two.code).toBe(0);
      expect(two.stdout).toBe(one.stdout);
    }
    // Left to itself, it keeps a file this small on one thread, where one is faster.
    const alone = await runCli(['summarise', path, '--format', 'json'], { env: { CALLHOOK_THREADS: 'trace' } });
    expect(alone.stderr).toBe('callhook: read on one thread (not a regular file of 48 MiB or more)\n');
    const report = JSON.parse((await both(path)).two.stdout);
    expect(report.files).toBe(1);
    expect(report.elements).toBe(events.length);
  });

  it('counts invalid events and problems between elements in the second half the same way', async () => {
    // A missing comma, and then an event without its id, both well past the middle.
    const text = JSON.stringify(events, null, 2);
    const between = '\n  },\n  {';
    const at = text.indexOf(between, Math.floor(text.length * 0.8));
    let broken = `${text.slice(0, at)}\n  }\n  {${text.slice(at + between.length)}`;
    const id = broken.indexOf('\n    "id": ', Math.floor(broken.length * 0.9));
    broken = broken.slice(0, id) + broken.slice(broken.indexOf('\n', id + 1));
    const path = write('broken.json', broken);
    const { two, one } = await both(path);
    expect(two.stderr).toContain('read on two threads');
    expect(two.stdout).toBe(one.stdout);
    const report = JSON.parse(two.stdout);
    expect(report.inputErrors).toBe(1);
    expect(report.invalid).toBe(1);
  });

  it('reads on alone when an event id is in both halves, so the redelivery counts once', async () => {
    const redelivered = [...events, events[0]];
    const path = write('redelivered.json', JSON.stringify(redelivered, null, 2));
    const { two, one } = await both(path);
    expect(two.stderr).toContain('read on one thread (an event id was seen in both halves)');
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(two.stdout).duplicates).toBe(1);
  });

  it('reads on alone when the guessed start is not between two elements', async () => {
    // Elements indented by three spaces after the first, flow steps by two: every line past the
    // middle that looks like an element's start at the first element's indentation is a step.
    const text = JSON.stringify(events, null, 2)
      .replaceAll('\n  {', '\n   {')
      .replace('\n   {', '\n  {')
      .replaceAll('\n        {', '\n  {');
    const path = write('misleading.json', text);
    const { two, one } = await both(path);
    expect(two.stderr).toMatch(/read on one thread \(byte \d+ is not between two elements of the top-level array\)/);
    expect(two.stdout).toBe(one.stdout);
  });

  it('leaves a minified export, with no line to start at, to one thread', async () => {
    const path = write('minified.json', JSON.stringify([...events, ...events]));
    const { two, one } = await both(path);
    expect(two.stderr).toContain('read on one thread (no element boundary found past the middle)');
    expect(two.stdout).toBe(one.stdout);
  });

  it('reads NDJSON in two halves too, from a line past the middle, and reports what one thread does', async () => {
    const ndjson = (list: unknown[]) => `${list.map((event) => JSON.stringify(event)).join('\n')}\n`;
    const path = write('export.ndjson', ndjson(events));
    for (const by of [[], ['--by', 'day']]) {
      const { two, one } = await both(path, by);
      expect(two.stderr).toMatch(/^callhook: read on two threads \(the second from byte \d+\)\n$/);
      expect(two.stdout).toBe(one.stdout);
    }
    // A broken line and an invalid event in the second half, a redelivery across the halves, and a
    // comma between two values before the middle: the last two leave the file to one thread.
    const lines = ndjson(events).split('\n');
    const late = Math.floor(lines.length * 0.8);
    lines[late] = lines[late]!.replace('":', '" ');
    lines[late + 1] = lines[late + 1]!.replace('"id":', '"ID":');
    const broken = write('broken.ndjson', lines.join('\n'));
    const brokenRuns = await both(broken);
    expect(brokenRuns.two.stderr).toContain('read on two threads');
    expect(brokenRuns.two.stdout).toBe(brokenRuns.one.stdout);
    expect(JSON.parse(brokenRuns.two.stdout)).toMatchObject({ invalid: 2 });
    const redelivered = await both(write('redelivered.ndjson', ndjson([...events, events[0]])));
    expect(redelivered.two.stderr).toContain('read on one thread (an event id was seen in both halves)');
    expect(redelivered.two.stdout).toBe(redelivered.one.stdout);
    const comma = ndjson(events).replace('}\n', '},\n');
    const commaRuns = await both(write('comma.ndjson', comma));
    expect(commaRuns.two.stderr).toMatch(/read on one thread \(byte \d+ is not between two top-level values\)/);
    expect(commaRuns.two.stdout).toBe(commaRuns.one.stdout);
  });
});
