/**
 * Worker threads that fail as real ones do where a process may not have more (a thread limit,
 * `ulimit -u` or a container's `--pids-limit`: `new Worker` throws EAGAIN) or cannot open its
 * code (`ulimit -n`: the worker reports an error, then exits), for a test file to put in place of
 * node:worker_threads' `Worker` with `vi.mock`.
 */
import { EventEmitter } from 'node:events';
import type { WorkerOptions } from 'node:worker_threads';

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
    terminate(): Promise<number> {
      this.terminated = true;
      setImmediate(() => this.#exit());
      return Promise.resolve(1);
    }
    #exit(): void {
      if (this.#exited) return;
      this.#exited = true;
      this.emit('exit', 1);
    }
  };
}
