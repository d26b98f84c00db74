/** Standard input as a source: small, so that a command reading only bytes from it (verify) loads no parser. */
import { fstatSync } from 'node:fs';
import { CallhookError } from '../errors.js';

/** The process's stdin as an input, refused where it holds none: a terminal, or a folder (`< exports/`). */
export function processStdin(): NodeJS.ReadStream {
  if (process.stdin.isTTY) {
    throw new CallhookError('no input: stdin is a terminal; name files or folders, or pipe JSON in');
  }
  // Hint: Node reads a stdin that is a folder as empty, which would be judged an empty input (exit 1).
  if (fstatSync(0).isDirectory()) {
    throw new CallhookError('no input: stdin is a folder; name it as a path to read its files, or pipe JSON in');
  }
  return process.stdin;
}
