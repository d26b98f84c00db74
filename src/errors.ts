import { constants } from 'node:os';
import { escapeTerminal } from './render/escape.js';
import { excerpt } from './schema/names.js';

// Hint: handed on for cli.ts, whose error funnel loads this module alone on the way out (a chunk more to load otherwise).
export { excerpt };

/** Exit codes, documented in `--help` and the README. */
export const ExitCode = {
  ok: 0,
  /** Invalid input (validation errors, unrepairable JSON) or a failed delivery. */
  invalid: 1,
  /** Usage errors and I/O errors (missing file, unreadable stdin, bad option). */
  usage: 2,
  /** Stopped by Ctrl-C; another signal gives its own code (see `interruptedBy`). */
  interrupted: 130,
} as const;

/**
 * The exit code of a run a signal stopped: 128 + the signal's number, as a shell reports a
 * process the signal killed (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
 */
export function interruptedBy(signal: NodeJS.Signals | undefined): number {
  const number = signal === undefined ? undefined : constants.signals[signal];
  return number === undefined ? ExitCode.interrupted : 128 + number;
}

/** The one error type callhook throws on purpose: a one-line message and the exit code it ends with. */
export class CallhookError extends Error {
  readonly exitCode: number;
  /** `cause`: the system error behind it, where there is one (its `code`, such as `ENOENT`, to switch on). */
  constructor(message: string, exitCode: number = ExitCode.usage, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CallhookError';
    this.exitCode = exitCode;
  }
}

/**
 * Text a user gave, quoted in a message: `"a<TAB>b"`, kept raw (but a `"` in it, written `\"`),
 * for `formatFatal` escapes the whole line once (`"a\tb"`); its `excerpt` when longer. Hint: quoted
 * as JSON (`"a\\tb"`), the escaping showed the backslash JSON wrote as one the user typed
 * (`"a\x5ctb"`); quoted whole, an option given 100,000 characters made an error of 100 kB (review hF61).
 */
export function quoted(text: string): string {
  return `"${excerpt(text).replaceAll('"', '\\"')}"`;
}

/** A file read no further where it is not text (binary, compressed, UTF-16), or could not be read further: where, and why. */
export interface UnreadableFile {
  file: string;
  line: number;
  column: number;
  message: string;
}

/**
 * The error naming a file that is not text, as every command that reads names it through
 * `formatFatal`: `callhook: f.json.gz:1:1: the file is not text: …`. Exit 2: input that cannot be read.
 */
export function unreadableFileError({ file, line, column, message }: UnreadableFile): CallhookError {
  return new CallhookError(`${file}:${line}:${column}: ${message}`, ExitCode.usage);
}

/**
 * The one decision on a run that met `unreadable` files, not text or not readable further (for
 * validate and fix, which judge a file not text, only the latter): it ends with exit 2 (or the
 * signal's code that stopped it), however it would have ended with `code` otherwise.
 */
export function exitCodeWithUnreadable(code: number, unreadable: number): number {
  return unreadable > 0 && code < ExitCode.usage ? ExitCode.usage : code;
}

const ioReasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files system-wide',
  ENOMEM: 'out of memory',
  ENOBUFS: 'out of network buffer space',
  // Hint: also a chain of more than 40 links that loops nowhere (the kernel's limit).
  ELOOP: 'too many symbolic links (a loop, or more than 40)',
  ENOSPC: 'no space left on device',
  EFBIG: "file too large: past ulimit -f or the file system's largest file",
  EROFS: 'a read-only file system',
  ECONNRESET: 'connection reset by the other end',
  EPIPE: 'broken pipe: the other end closed it',
  // Hint: a stdin that is the writing end of a pipe (`validate - 0>&1 | cat`) reads so too.
  ENOTCONN: 'not connected: a socket with no other end, or the writing end of a pipe',
};

/**
 * Why a file-system call failed, in words: for a code it knows, its own; for another, Node's
 * message without its code and call ("EIO: i/o error, write" reads "i/o error").
 */
export function ioReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = code === undefined ? undefined : ioReasons[code];
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/s, '');
}

/**
 * A path as a message names it: whole, but for one too long to be a name, by its first 40
 * characters and its length, so the line stays short (red team hR125: a path of 100,000
 * characters said back whole). Hint: past 4,096 bytes (PATH_MAX, not characters: 2,000 × 語 is
 * 6,000 bytes, review hR127) no system takes a path.
 */
export function shownPath(path: string): string {
  return Buffer.byteLength(path) > 4096 ? `${excerpt(path)} (${path.length.toLocaleString('en-US')} characters)` : path;
}

/** Turns Node's file-system errors into one line naming the path; other errors pass through. */
export function describeIoError(error: unknown, path: string): CallhookError | unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const named = path === '' ? "'' (an empty path: an unset variable?)" : shownPath(path);
  if (code) return new CallhookError(`${named}: ${ioReason(error)}`, ExitCode.usage, { cause: error });
  return error;
}

/**
 * The error refusing a file name typed on the command line that holds U+FFFD, for a file to
 * `read` or to `write`. Hint: Node decodes its arguments as UTF-8, each byte that is not as
 * U+FFFD, so `caf<E9>.json` reaches callhook as `caf\ufffd.json`, which may be another file (one
 * whose name holds a real U+FFFD: read, or rewritten by fix --write, in place of the one typed; red
 * team hT75), or none. A folder's listing reads names as bytes (input/file-names.ts).
 */
export function replacementCharacterError(path: string, use: 'read' | 'write'): CallhookError {
  const why =
    'holds U+FFFD, which a name that is not UTF-8 becomes on the command line (Node decodes arguments as UTF-8)';
  const instead =
    use === 'read'
      ? 'so it may name another file than the one typed: name the folder it is in instead (its files are read by their bytes), or rename it'
      : 'callhook writes no file under a name it was not given; name it in UTF-8';
  return new CallhookError(`${path}: ${why}${use === 'read' ? ', ' : ': '}${instead}`, ExitCode.usage);
}

// Hint: set by the CLI before it parses an option, as commander's own errors quote them.
let diagnosticMask: ((text: string) => string) | undefined;

/**
 * Has every error (`formatFatal`) and warning (`warningLine`) line masked by `mask` from now on:
 * `--mask` covers stderr, whose lines quote input and name files. Hint: the one place they are
 * all made, so no line is left out; masked before escaped, since an escape (`\u2063`) would
 * leave the digits on either side of an invisible character apart and whole.
 */
export function maskDiagnostics(mask: (text: string) => string): void {
  diagnosticMask = mask;
}

/** Text of an error or a warning line as printed: masked under `--mask` (`maskDiagnostics`), then escaped. */
export function diagnosticText(text: string, keepNewlines = false): string {
  return escapeTerminal(diagnosticMask ? diagnosticMask(text) : text, keepNewlines);
}

/** Whether CALLHOOK_DEBUG asks for stacks: set to anything but empty, 0, false, no or off (in any case). */
function debugAsked(value = process.env.CALLHOOK_DEBUG): boolean {
  return value !== undefined && !/^(0|false|no|off)?$/i.test(value.trim());
}

/**
 * The funnel every failure goes through: returns the line to print on stderr and the exit code.
 * Unexpected errors are still one line; CALLHOOK_DEBUG=1 adds the stack for bug reports.
 */
export function formatFatal(error: unknown): { message: string; exitCode: number } {
  // Hint: messages name files and quote input, both untrusted: the one line is escaped whole, so a
  // file named with escape sequences cannot retitle or clear the terminal.
  if (error instanceof CallhookError) {
    return { message: `callhook: ${diagnosticText(error.message)}`, exitCode: error.exitCode };
  }
  const text = error instanceof Error ? error.message : String(error);
  const stack = debugAsked() && error instanceof Error ? `\n${diagnosticText(String(error.stack), true)}` : '';
  // Hint: the hint only where the details are not given (it was said above the stack it asks for).
  const hint = stack === '' ? ' (set CALLHOOK_DEBUG=1 for details)' : '';
  return {
    message: `callhook: internal error: ${diagnosticText(text.split('\n')[0] ?? '')}${hint}${stack}`,
    exitCode: ExitCode.usage,
  };
}

/**
 * What is said of a folder deleted while it is open (the shell's current one, removed from another
 * window), after "the current folder" or "this folder": one wording for every command.
 */
export const folderDeleted = 'no longer exists (it was deleted); cd to one that does';

/**
 * Throws for a state the code's own logic rules out (a bug, never bad input), so that a lookup
 * the types cannot prove reads `value ?? impossible('why it is there')`. formatFatal reports it
 * as an internal error.
 */
export function impossible(reason: string): never {
  throw new Error(`invariant broken: ${reason}`);
}
