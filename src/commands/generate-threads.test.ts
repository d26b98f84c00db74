import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { capture } from '../../test/helpers/capture.js';
import { threadLimitError, useFakeWorkers, type WorkerPlan } from '../../test/helpers/failing-workers.js';

const plan = vi.hoisted((): WorkerPlan => ({ made: [], start: () => {} }));
vi.mock('node:worker_threads', async (importOriginal) =>
  (await import('../../test/helpers/failing-workers.js')).withFakeWorker(plan, await importOriginal()),
);
useFakeWorkers(plan);
const { generate } = await import('./generate.js');
const { generateBlocks } = await import('../render/generated.js');

const dir = mkdtempSync(join(tmpdir(), 'callhook-generate-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

/** Generates 2,000 events (4 blocks) to a file with CALLHOOK_THREADS set to `threads`: the file's text and stderr. */
async function generated(name: string, threads: string): Promise<{ text: string; stderr: string }> {
  vi.stubEnv('CALLHOOK_THREADS', threads);
  const out = join(dir, name);
  const { stderr } = await capture(() => generate({ count: '2000', seed: '4', format: 'json', out, force: true }));
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
    expect(two.stderr.split('\n')[0]).toBe('callhook: generated on one thread (a generating thread failed: EAGAIN)');
    expect(plan.made.map((worker) => worker.terminated)).toEqual([true]);
  });

  it('writes on one thread, the same bytes, when a worker cannot load its code, and says so only once it ran', async () => {
    // Under `ulimit -n` a worker could not open its chunk of dist/: the run failed, exit 2, after
    // the trace had said "generated on two threads".
    const one = await generated('one.json', '1');
    const cannotLoad = new Error("EMFILE: too many open files, open '/callhook/dist/cli.cjs'");
    plan.start = (worker) => worker.fail(cannotLoad);
    const two = await generated('load.json', '2,trace');
    expect(two.text).toBe(one.text);
    expect(two.stderr.split('\n')[0]).toBe(
      `callhook: generated on one thread (a generating thread failed: ${cannotLoad.message})`,
    );
    expect(plan.made.map((worker) => worker.terminated)).toEqual([true, true]);
  });

  it('writes on one thread the blocks a failed worker left, after those written', async () => {
    const one = await generated('one.json', '1');
    // The first worker writes its first block (the output's first), then fails.
    plan.start = (worker, nth) => {
      if (nth !== 1) return;
      const task = (worker.workerData as { callhookGenerate: Parameters<typeof generateBlocks>[0] }).callhookGenerate;
      const [block] = generateBlocks(task);
      worker.send(block);
      worker.fail(new Error('out of memory'));
    };
    const two = await generated('midway.json', '2,trace');
    expect(two.text).toBe(one.text);
    expect(two.stderr.split('\n')[0]).toBe(
      'callhook: generated on two threads, then one (a generating thread failed: out of memory)',
    );
  });
});
