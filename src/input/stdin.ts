/** Standard input as a source: small, so that a command reading only bytes from it (verify) loads no parser. */
import { fstatSync, type Stats } from 'node:fs';
import { CallhookError } from '../errors.js';

const stdinNames = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** Whether a path given names stdin: `-`, or one of its names (`/dev/stdin`), which can be read only once. */
export function namesStdin(path: string): boolean {
  return stdinNames.has(path);
}

/**
 * Whether this process's stdin is its fd 0: not in a Worker, whose process.stdin is a stream from
 * its parent (given `stdin: true`), while fd 0 is the process's (hT62, hR58). Node gives the main
 * thread's stdin its `fd`; it makes the stream, which reading `-` does anyway.
 */
export function readsFdZero(): boolean {
  return (process.stdin as { fd?: number }).fd === 0;
}

/** The process's stdin as an input, refused where it holds none: a terminal, or a folder (`< exports/`). */
export function processStdin(): NodeJS.ReadStream {
  if (!readsFdZero()) return process.stdin;
  if (process.stdin.isTTY) {
    throw new CallhookError('no input: stdin is a terminal; name files or folders, or pipe JSON in');
  }
  // Hint: Node reads a stdin that is a folder as empty, which would be judged an empty input (exit 1).
  if (fstatSync(0).isDirectory()) {
    throw new CallhookError('no input: stdin is a folder; name it as a path to read its files, or pipe JSON in');
  }
  return process.stdin;
}

/** The stdin streams `chunksOfStdin` began to read. */
const taken = new WeakSet<NodeJS.ReadStream>();

/**
 * The chunks of this process's stdin (see `processStdin`), which can be read once: read again (the
 * library's `readEvents(['-'])` called twice), it fails, saying so, as a source that cannot be read.
 * Hint: read again, it was empty ("holds no JSON value"); and read through its own iterator, each
 * read left its listeners on the stream (a read ended destroys it, not cleans up), so the 11th
 * printed a MaxListenersExceededWarning (red team hR94). Taken by a read not yet given any of it,
 * it is read already too: two reads at once split its chunks between them. A read left part way
 * still lets go of stdin.
 */
export async function* chunksOfStdin(stdin: NodeJS.ReadStream): AsyncGenerator<unknown> {
  if (taken.has(stdin) || stdin.readableDidRead || stdin.readableEnded || stdin.destroyed) {
    throw Object.assign(new Error('stdin was read already, and can be read only once'), { code: 'ERR_STDIN_READ' });
  }
  taken.add(stdin);
  let ended = false;
  try {
    yield* stdin.iterator({ destroyOnReturn: false });
    ended = true;
  } finally {
    if (!ended) stdin.destroy();
  }
}

/** The file stdin was sent from (`< export.json`), by its status; undefined when it is no regular file. */
export function stdinFile(): Stats | undefined {
  try {
    const stats = fstatSync(0);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}
