import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { capture } from '../../test/helpers/capture.js';
import { threadLimitError, type WorkerPlan } from '../../test/helpers/failing-workers.js';

// Hint: each test says what its workers do; by default they never start to write (a real one
// takes ~0.1 s to start).
const plan = vi.hoisted<WorkerPlan>(() => ({ made: [], start: () => {} }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:worker_threads')>();
  const { fakeWorkerClass } = await import('../../test/helpers/failing-workers.js');
  const Worker = fakeWorkerClass(plan);
  return { ...original, Worker, default: { ...original, Worker } };
});
// Hint: the workers share modules between files (isolate: false), so generate.js may already be
// loaded with the real Worker; loading it afresh here gives it the fake.
vi.resetModules();
// Hint: the mock, and what was loaded with it, go with this file, so the next file loads the real ones.
afterAll(() => {
  vi.doUnmock('node:worker_threads');
  vi.resetModules();
});
const { generate } = await import('./generate.js');

const dir = mkdtempSync(join(tmpdir(), 'callhook-generate-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  plan.made = [];
  plan.start = () => {};
});

/** Generates 2,000 events (4 blocks) to a file with CALLHOOK_THREADS set to `threads`: the file's text and stderr. */
async function generated(name: string, threads: string): Promise<{ text: string; stderr: string }> {
  vi.stubEnv('CALLHOOK_THREADS', threads);
  const out = join(dir, name);
  const { stderr } = await capture(() => generate({ count: '2000', seed: '4', format: 'json', out }));
  return { text: readFileSync(out, 'utf8'), stderr };
}

describe('generate, when a second thread cannot run', () => {
  it('writes on one thread, the same bytes, when the second thread cannot start (a thread limit)', async () => {
    // Under `ulimit -u` or a container's --pids-limit the second `new Worker` threw EAGAIN:
    // "internal error: EAGAIN", and the first worker, never stopped, held the process open for ever.
    const one = await generated('one.json', '1');
    plan.start = (_, nth) => {
      if (nth === 2) throw threadLimitError();
    };
    const two = await generated('start.json', '2,trace');
    expect(two.text).toBe(one.text);
    expect(plan.made.map((worker) => worker.terminated)).toEqual([true]);
  });
});
