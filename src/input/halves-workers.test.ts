import { statSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { threadLimitError, useFakeWorkers, type WorkerPlan } from '../../test/helpers/failing-workers.js';
import { useTwoThreads } from '../../test/helpers/two-threads.js';
import { generateCalls } from '../core/generate.js';
import type { InputRecord } from './types.js';

const plan = vi.hoisted((): WorkerPlan => ({ made: [], start: () => {} }));
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../test/helpers/failing-workers.js')).withFakeWorker(plan, await importOriginal()),
);
useFakeWorkers(plan);
const { readInHalves } = await import('./halves.js');
const { readRecords } = await import('./read.js');

const write = useTwoThreads('callhook-halves-workers-');

/** Reads `path` as validate and summarise do, the second half by a (fake) worker: what it read, and how. */
async function readWithWorker(path: string): Promise<{ records: InputRecord[]; how: string; consumed: boolean }> {
  const records: InputRecord[] = [];
  const outcome = await readInHalves(
    path,
    {},
    {
      add: (read) => records.push(...read),
      state: () => undefined,
      merge: () => 'this test merges nothing',
    },
    { script: new URL(import.meta.url), task: 'validate', input: undefined },
  );
  return { records, how: outcome.how, consumed: outcome.consumed };
}

async function readOnOneThread(path: string): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const read of readRecords([path])) records.push(...read);
  return records;
}

const exported = () => `${JSON.stringify([...generateCalls({ seed: 3, calls: 20 })], null, 2)}\n`;

describe('reading in halves, when the worker cannot run', () => {
  it('reads on one thread when the worker cannot start (a thread limit), as when it fails later', async () => {
    // Under `ulimit -u` or a container's --pids-limit `new Worker` threw EAGAIN: validate and
    // summarise said "internal error: EAGAIN", where a worker failing once started falls back.
    const path = write('start.json', exported());
    plan.start = () => {
      throw threadLimitError();
    };
    const read = await readWithWorker(path);
    expect(read).toEqual({
      records: await readOnOneThread(path),
      how: 'one thread (the worker failed: EAGAIN)',
      consumed: true,
    });
  });

  it('says the worker chose no cut ahead of this thread when this one read the whole file first, not that it failed', async () => {
    // The exit that this thread's own terminate() caused was taken for the worker's failure: the
    // trace said "the worker failed: exited with code 1" (review hR47 #2).
    const path = write('past.json', exported());
    plan.start = (worker) => {
      // A cut past the end of the file (the cut's cell, `cutCell`, is the second): this thread never reaches it.
      const { cells } = worker.workerData as { cells: SharedArrayBuffer };
      Atomics.store(new BigInt64Array(cells), 1, BigInt(statSync(path).size + 1));
    };
    const read = await readWithWorker(path);
    expect(read).toEqual({
      records: await readOnOneThread(path),
      how: 'one thread (the worker chose no cut ahead of this thread)',
      consumed: true,
    });
    expect(plan.made.map((worker) => worker.terminated)).toEqual([true]);
  });

  it('says the worker failed when it failed before it chose a cut (it could not load its code)', async () => {
    // Under `ulimit -n` the worker could not open its chunk of dist/, and the trace said "the worker
    // chose no cut ahead of this thread": this thread, never told of a cut, was never told of the failure.
    const path = write('load.json', exported());
    const cannotLoad = new Error("EMFILE: too many open files, open '/callhook/dist/cli.cjs'");
    plan.start = (worker) => worker.fail(cannotLoad);
    const read = await readWithWorker(path);
    expect(read).toEqual({
      records: await readOnOneThread(path),
      how: `one thread (the worker failed: ${cannotLoad.message})`,
      consumed: true,
    });
  });
});
