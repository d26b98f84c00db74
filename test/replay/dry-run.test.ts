/** `--dry-run` in process: it must wait for a slow reader instead of buffering the whole input. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/commands/replay.js';
import { parseReplayOptions } from '../../src/commands/replay-options.js';
import { type OutboundBatch, planBatches, type ReplayEvent } from '../../src/http/batches.js';
import { loneReplayEvent } from '../helpers/events.js';
import { replayDefaults } from '../helpers/replay-options.js';

async function* events(count: number): AsyncGenerator<ReplayEvent[]> {
  for (let n = 0; n < count; n++) {
    const text = JSON.stringify({ n, pad: 'x'.repeat(1000) });
    yield [loneReplayEvent(n, text)];
  }
}

describe('dryRun', () => {
  it('(10) waits for its output to drain, so a slow reader holds the input back', async () => {
    let produced = 0;
    async function* counted(): AsyncGenerator<OutboundBatch> {
      for await (const batch of planBatches(events(500))) {
        produced++;
        yield batch;
      }
    }
    const written: Buffer[] = [];
    let release: (() => void) | undefined;
    // A reader that takes one chunk and then stalls until released.
    const slow = new Writable({
      highWaterMark: 4096,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk);
        if (release === undefined) release = callback;
        else callback();
      },
    });
    const settings = parseReplayOptions({ ...replayDefaults, format: 'json', dryRun: true });
    const run = dryRun(counted(), settings, '0.0.0', undefined, undefined, slow);
    await new Promise((r) => setTimeout(r, 100));
    // One request line is over 1 KB: the writable's 4 KiB buffer holds only a few before it says "wait".
    expect(produced).toBeLessThanOrEqual(8);
    release!();
    expect(await run).toBe(0);
    expect(produced).toBe(500);
    expect(Buffer.concat(written).toString().trim().split('\n')).toHaveLength(500);
  });
});
