/**
 * Where a reading command's results go: stdout, or `$PAGER` when stdout is a terminal and the
 * output is longer than the screen (as git does). Knows when the reader has gone away (`| head`,
 * `q` in less) so that the command can stop reading its input quietly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Writable } from 'node:stream';
import { CallhookError, ExitCode, interruptedBy, quoted } from '../errors.js';
import { canDraw, displayWidth, terminalWidth, warningLine } from '../render/terminal.js';

/** How the output may be shown. */
interface OutputOptions {
  /** False for `--no-pager`. */
  pager: boolean;
  env?: NodeJS.ProcessEnv | undefined;
  /** `--width`, which warnings wrap to as the output does (else the width of where they go). */
  width?: number | undefined;
}

/** A writable terminal-or-pipe, as process.stdout is. */
type Stdout = Writable & { isTTY?: boolean | undefined; rows?: number | undefined; columns?: number | undefined };

// Hint: output that is still shorter than a screen after this long is a slow stream (a tail -f
// into stdin, say); it is printed as it comes rather than held back for a pager.
const pagerDecisionMs = 1000;

/**
 * A program name with no shell syntax in it (`less`, `/usr/bin/less`), not `FOO=1` or `$(x)`.
 * Hint: letters and digits of any script are no shell syntax (`/home/josé/bin/mypager`).
 */
const plainProgram = /^[\p{L}\p{M}\p{N}_./+-]+$/u;

/** The signals that end a run and its pager with it; Ctrl-C reaches the pager itself (see `onSigint`). */
const stopsPager = ['SIGTERM', 'SIGHUP'] as const;

/** Says a warning on stderr, as `warningLine` words it (`names` kept whole), wrapped to `width` (`--width`), else to stderr's. */
export function warnOnStderr(
  message: string,
  width = terminalWidth(process.stderr),
  names: readonly string[] = [],
): void {
  process.stderr.write(warningLine(message, width, names));
}

/**
 * The pager command line to run for `stdout`, or undefined when it is not a terminal, paging is
 * off, or the pager is not installed. Hint: none by default on a terminal that cannot draw (TERM
 * dumb or unset, `canDraw`), where less says it is "not fully functional" and waits for RETURN; a
 * PAGER set is run.
 */
export function pagerCommand(
  stdout: { isTTY?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (stdout.isTTY !== true || (env.PAGER === undefined && !canDraw(stdout, env))) return undefined;
  const command = (env.PAGER ?? 'less -R').trim();
  if (command === '' || command === 'cat') return undefined;
  const program = command.split(/\s+/)[0] as string;
  // A command line with shell syntax in its program name is trusted to the shell as it is.
  if (!plainProgram.test(program)) return command;
  // Hint: a name with a / in it is a path (`./mypager`, relative to the current folder), as sh
  // and git take it; only a bare name is looked for on PATH.
  const found = program.includes('/')
    ? isExecutable(program)
    : (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, program)));
  return found ? command : undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The output stream of `show` and `trace`. */
export class Output {
  /** True once nobody reads any more: stop producing output. */
  closed = false;
  /** A write error other than EPIPE (the reader going away is not an error). */
  error: NodeJS.ErrnoException | undefined;
  /** The pager failed (see `pagerFailure`): what was written into it may not have been shown. */
  pagerFailed: CallhookError | undefined;
  private readonly stdout: Stdout;
  private readonly command: string | undefined;
  /** Whether diagnostics may go into a paged terminal: stderr is a terminal too, not redirected. */
  private readonly sharesTerminal: boolean;
  private readonly env: NodeJS.ProcessEnv;
  /** `--width`, if given (see `OutputOptions`). */
  readonly width: number | undefined;
  private pending: string[] | undefined;
  private pendingLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private pager: ChildProcess | undefined;
  private pagerExit: Promise<void> | undefined;
  /** Set once a signal stops the run: the pager's ending is then ours, no failure of its own. */
  private stopped = false;
  private readonly onSigint = () => {
    // Hint: Ctrl-C reaches less as well; less stays open, so stop reading and wait for it to quit,
    // then end as interrupted (130): what the user reads there is cut short.
    this.closed = true;
    this.stopped = true;
    const code = interruptedBy('SIGINT');
    process.exitCode = code;
    void this.pagerExit?.then(() => process.exit(code));
  };
  private readonly onStop = (signal: NodeJS.Signals) => {
    // Hint: SIGTERM or SIGHUP ends the pager too, as a shell ends a job, then the run (143, 129):
    // left running, the pager kept the terminal after callhook had gone. The run ends once the
    // pager has (at most a second later), not when its input next comes: this handler took the
    // signal's own ending away, and input that has stalled (a pipe left open) may never come.
    this.closed = true;
    this.stopped = true;
    const code = interruptedBy(signal);
    process.exitCode = code;
    this.pager?.kill(signal);
    const end = () => process.exit(code);
    void this.pagerExit?.then(end);
    setTimeout(end, 1000).unref();
  };

  constructor(stdout: Stdout, options: OutputOptions) {
    this.stdout = stdout;
    this.env = options.env ?? process.env;
    this.width = options.width;
    this.command = options.pager ? pagerCommand(stdout, this.env) : undefined;
    if (this.command) this.pending = [];
    // Hint: `2>file` or `2>/dev/null` is honoured: only a stderr on a terminal, the one the user
    // reads stdout on, is said into the paged text, in order, where a pager would otherwise hide it.
    this.sharesTerminal = process.stderr.isTTY === true;
    stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') this.error = error;
      this.closed = true;
    });
  }

  /** Whether warnings should go into this output (a terminal that may be or is paged, stderr a terminal too) rather than to stderr. */
  get takesWarnings(): boolean {
    return this.sharesTerminal && (this.pending !== undefined || this.pager !== undefined);
  }

  /** Writes text, waiting when the reader is slower than we are. */
  async write(text: string): Promise<void> {
    if (this.closed || text === '') return;
    if (this.pending) {
      this.pending.push(text);
      // Hint: a terminal that reports 0 rows (script, docker -t) has an unknown height, not none.
      const screen = this.stdout.rows || 24;
      this.pendingLines += screenRows(text, this.stdout.columns || 80, screen - this.pendingLines);
      this.timer ??= setTimeout(() => this.flushPending(), pagerDecisionMs);
      if (this.pendingLines >= screen) this.startPager();
      return;
    }
    const target = this.pager?.stdin ?? this.stdout;
    if (!target.write(text)) await drained(target, () => this.closed);
  }

  /** Says a diagnostic (lines, each ending in a newline) where the user sees it in order: into a paged terminal, else on stderr. */
  async diagnose(text: string): Promise<void> {
    if (this.takesWarnings) await this.write(text);
    else process.stderr.write(text);
  }

  /** Says a warning (see `warningLine`, `names` kept whole) as `diagnose` does, wrapped to the width of where it goes. */
  async warn(message: string, names: readonly string[] = []): Promise<void> {
    const where = this.takesWarnings ? this.stdout : process.stderr;
    await this.diagnose(warningLine(message, this.width ?? terminalWidth(where), names));
  }

  /** Flushes what is held back and waits for the pager to quit. */
  async end(): Promise<void> {
    if (this.pending) this.flushPending();
    if (this.pager) {
      this.pager.stdin?.end();
      await this.pagerExit;
      process.off('SIGINT', this.onSigint);
      for (const signal of stopsPager) process.off(signal, this.onStop);
    }
  }

  private flushPending(): void {
    clearTimeout(this.timer);
    const text = this.pending?.join('') ?? '';
    this.pending = undefined;
    if (text !== '' && !this.closed) this.stdout.write(text);
  }

  private startPager(): void {
    clearTimeout(this.timer);
    const text = this.pending?.join('') ?? '';
    this.pending = undefined;
    // Like git, LESS=FRX unless the user set LESS: R passes colours, X keeps the text on screen after quitting.
    const env = { ...this.env, LESS: this.env.LESS ?? 'FRX', LV: this.env.LV ?? '-c' };
    // Hint: the build makes node:child_process load only here (config/build.mjs, `lazyChildProcess`).
    // A plain program is exec'd, so that the process a signal is passed to is the pager, not its shell.
    const command = this.command as string;
    // Windows' cmd.exe has no exec: there the line is run as it is.
    const exec = plainProgram.test(command.split(/\s+/)[0] as string) && process.platform !== 'win32';
    const line = exec ? `exec ${command}` : command;
    // Hint: before the pager is started, not after: a SIGTERM or SIGHUP in between (the pager
    // already running, this process not yet listening) ended this process by the signal's own
    // action and left the pager holding the terminal (the test of it failed so under load).
    process.on('SIGINT', this.onSigint);
    for (const signal of stopsPager) process.on(signal, this.onStop);
    const pager = spawn(line, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env });
    this.pager = pager;
    this.pagerExit = new Promise((resolve) => {
      const ended = (how: string | undefined) => {
        this.closed = true;
        if (how !== undefined && !this.stopped) this.pagerFailed ??= pagerFailure(command, how);
        resolve();
      };
      // Hint: quitting early (`q` in less) ends a pager with 0, and the run quietly; any other
      // ending (sh's 127 for a pager not found, `false`) may have shown nothing of the output.
      pager.on('close', (code, signal) =>
        ended(signal !== null ? `was ended by ${signal}` : code !== 0 ? `ended with exit code ${code}` : undefined),
      );
      pager.on('error', (error) => ended(`could not be started (${error.message})`));
    });
    pager.stdin?.on('error', () => {
      // EPIPE: the user quit the pager before the end.
      this.closed = true;
    });
    pager.stdin?.write(text);
  }
}

/** The error of a pager (`command`) that failed, `how`: the run fails with it, exit 2, for its output may not have been shown. */
function pagerFailure(command: string, how: string): CallhookError {
  return new CallhookError(
    `the pager ${quoted(command)} ${how}, so the output may not have been shown: fix PAGER, or pass --no-pager`,
    ExitCode.usage,
  );
}

/**
 * The rows of a terminal `columns` wide that `text` fills, counted up to `enough` (the rest of the
 * screen: past it the pager starts, and a large event is not measured whole): a line wider than
 * the screen takes several (a URL kept whole, a long token), a wide character two columns. Hint:
 * a line cut between two writes is counted in each, a row more at most: the pager starts a
 * little early.
 */
function screenRows(text: string, columns: number, enough: number): number {
  let rows = 0;
  for (let from = 0; from < text.length && rows < enough; ) {
    const end = text.indexOf('\n', from);
    // Hint: of a long line only twice as many UTF-16 units as the rest of the screen has columns
    // are measured: unless most of them draw nothing (colour codes), they fill it already.
    const line = text.slice(from, Math.min(end === -1 ? text.length : end, from + (enough - rows) * columns * 2));
    rows += Math.max(end === -1 ? 0 : 1, Math.ceil(displayWidth(line) / columns));
    from = end === -1 ? text.length : end + 1;
  }
  return rows;
}

/** Settles once `stream` drains, closes or fails (at once when `isClosed` says it has), so no wait outlives the stream. */
export function drained(stream: Writable, isClosed: () => boolean): Promise<void> {
  if (isClosed()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
