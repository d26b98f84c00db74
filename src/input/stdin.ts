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

/** The file stdin was sent from (`< export.json`), by its status; undefined when it is no regular file. */
export function stdinFile(): Stats | undefined {
  try {
    const stats = fstatSync(0);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}
