/** Runs a command in process with its stdout and stderr captured, as the CLI would print them. */
import { vi } from 'vitest';

/** What a command printed. */
export interface Captured {
  stdout: string;
  stderr: string;
}

/** Calls `command` with process.stdout and process.stderr captured; restores them afterwards. */
export async function capture(command: () => Promise<void>): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  // Hint: the write's callback is called, as a stream calls it once the bytes are handed on: a
  // command may wait for it (generate's output, said between whole lines of it).
  const into = (sink: string[]) => (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(into(out) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(into(err) as typeof process.stderr.write);
  try {
    await command();
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}
