/**
 * Worker threads that fail as real ones do where a process may not have more (a thread limit,
 * `ulimit -u` or a container's `--pids-limit`: `new Worker` throws EAGAIN) or cannot open its
 * code (`ulimit -n`: the worker reports an error, then exits), for a test file to put in place of
 * node:worker_threads' `Worker`:
 *
 * ```ts
 * const plan = vi.hoisted((): WorkerPlan => ({ made: [], start: () => {} }));
 * vi.mock('node:worker_threads', async (importOriginal) =>
 *   (await import('../../test/helpers/failing-workers.js')).withFakeWorker(plan, await importOriginal()));
 * useFakeWorkers(plan);
 * const { generate } = await import('./generate.js');
 * ```
 */
import { EventEmitter } from 'node:events';
import type * as WorkerThreads from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { afterAll, afterEach, vi } from 'vitest';

/** What each `new Worker` does: `start` is told each worker made (1 for the first) and may throw, as the constructor would. */
export interface WorkerPlan {
  made: FakeWorker[];
  start: (worker: FakeWorker, nth: number) => void;
}

/** A worker that does nothing of itself, as a real one still starting; `start` makes it do more. */
export interface FakeWorker extends EventEmitter {
  readonly workerData: unknown;
  terminated: boolean;
  /** Reports `error`, then exits with code 1, on a later turn, as a worker that failed does. */
  fail(error: Error): void;
  /** Posts `message` to the main thread, as the worker's code would. */
  send(message: unknown): void;
  terminate(): Promise<number>;
}

/** The error `new Worker` throws when the process may start no more threads. */
export function threadLimitError(): Error {
  return Object.assign(new Error('EAGAIN'), { code: 'ERR_WORKER_INIT_FAILED' });
}

/** A `Worker` class made to `plan`. */
export function fakeWorkerClass(plan: WorkerPlan): new (script: string | URL, options?: WorkerOptions) => FakeWorker {
  return class extends EventEmitter implements FakeWorker {
    readonly workerData: unknown;
    terminated = false;
    #exited = false;
    constructor(_script: string | URL, options?: WorkerOptions) {
      super();
      this.workerData = options?.workerData;
      plan.start(this, plan.made.length + 1);
      plan.made.push(this);
    }
    fail(error: Error): void {
      setImmediate(() => {
        this.emit('error', error);
        this.#exit();
      });
    }
    send(message: unknown): void {
      setImmediate(() => this.emit('message', message));
    }
    /** Hint: as node's does, it settles only after the worker has emitted 'exit' (code 1, stopped). */
    terminate(): Promise<number> {
      this.terminated = true;
      return new Promise((resolve) =>
        setImmediate(() => {
          this.#exit();
          resolve(1);
        }),
      );
    }
    #exit(): void {
      if (this.#exited) return;
      this.#exited = true;
      this.emit('exit', 1);
    }
  };
}

/** node:worker_threads with its `Worker` made to `plan`, for `vi.mock`'s factory. */
export function withFakeWorker(plan: WorkerPlan, original: typeof WorkerThreads): typeof WorkerThreads {
  const Worker = fakeWorkerClass(plan) as unknown as typeof WorkerThreads.Worker;
  return { ...original, Worker, default: { ...original, Worker } } as typeof WorkerThreads;
}

/**
 * For the calling test file, after its `vi.mock` of node:worker_threads: the modules it imports
 * from now on are loaded afresh, with the fake (the workers share modules between files, isolate:
 * false), and again without it after its tests; each test starts with workers that never start to
 * work (a real one takes ~0.1 s to start), and none made.
 */
export function useFakeWorkers(plan: WorkerPlan): void {
  vi.resetModules();
  afterEach(() => {
    plan.made = [];
    plan.start = () => {};
  });
  afterAll(() => {
    vi.doUnmock('node:worker_threads');
    vi.resetModules();
  });
}
