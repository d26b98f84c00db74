import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCalls } from '../core/generate.js';
import { Output } from './output.js';
import { eventRecords, parseViewOptions } from './show.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eventRecords (what show and trace list)', () => {
  it('marks a redelivered call of an undocumented status as redelivered, as summarise counts it once', async () => {
    const call = [...generateCalls({ seed: 2, calls: 6, envelope: 'all' })].find(
      (event) => 'eventType' in event && event.eventType === 'CallComplete',
    ) as Record<string, unknown>;
    const voicemail = { ...call, data: { ...(call.data as object), status: 'Voicemail' } };
    const file = join(dir, 'undocumented.ndjson');
    // The call, its copy, and a copy with a documented status: both copies are redeliveries.
    writeFileSync(file, [voicemail, voicemail, call].map((event) => JSON.stringify(event)).join('\n'));
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const output = new Output(sink as unknown as NodeJS.WriteStream, { pager: false });
    const marks: Array<[string, boolean]> = [];
    for await (const record of eventRecords([file], parseViewOptions({}), output)) {
      const status = record.event.type === 'CallComplete' ? record.event.data.status : '';
      marks.push([status, record.duplicate]);
    }
    expect(marks).toEqual([
      ['Voicemail', false],
      ['Voicemail', true],
      [(call.data as { status: string }).status, true],
    ]);
  });
});
