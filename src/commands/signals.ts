/**
 * The CLI's signals: which stop a run, how a run's handlers stay once one came, and how a run
 * stops when its stdout's reader goes away. Process state, so the commands' alone: the library
 * never registers a handler (its errors and exit codes are in errors.ts).
 */

/** The signals that stop a run: Ctrl-C, SIGTERM, and SIGHUP (the terminal closed). */
export const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** One of `stopSignals`. */
export type StopSignal = (typeof stopSignals)[number];

/**
 * Calls `handler` on each stop signal; the function returned takes the handlers away, unless a
 * signal came: then they stay until the process exits, so that a second signal while the run
 * winds down (its summary written, its files discarded) cannot kill it with the work half done.
 * A signal that comes again in the same turn of the event loop is one sent twice at once, not a
 * second: GNU timeout sends it to the process, then to its process group, and replay took the
 * copy for a second signal and aborted the requests in flight (red team hR110).
 */
export function onStopSignals(handler: (signal: StopSignal) => void): () => void {
  let came = false;
  const thisTurn = new Set<StopSignal>();
  const handlers = stopSignals.map(
    (signal) =>
      [
        signal,
        () => {
          came = true;
          if (thisTurn.has(signal)) return;
          thisTurn.add(signal);
          setImmediate(() => thisTurn.delete(signal));
          handler(signal);
        },
      ] as const,
  );
  for (const [signal, listener] of handlers) process.on(signal, listener);
  return () => {
    if (!came) for (const [signal, listener] of handlers) process.off(signal, listener);
  };
}

/**
 * How a run stops when the reader of its stdout goes away (`| head`) or a write to it fails (a
 * full disk), if not by ending at once, as the CLI ends every other run: listen stops as on
 * Ctrl-C, so that the requests in flight are answered; the commands of `finishWithoutStdout` go
 * on. cli.ts reads it; those commands set it.
 */
export const stdoutGone: {
  stop?: () => void;
  /** The exit code a write to stdout that failed ends the run with, once said (cli.ts). */
  failed?: number;
  /** A write to stdout failed (not its reader gone), known as soon as it did, before `failed` is set (cli.ts). */
  failing?: boolean;
  /** Output is dropped from now on (see `finishWithoutStdout`): what is left of it need not be made. */
  dropped?: boolean;
} = {};

/**
 * Lets a run whose exit code is its verdict (validate, verify, fix), or that has files to write
 * (replay's --report and journal), finish when the reader of its stdout goes away or a write to it
 * fails, its output dropped from then on, so that `set -o pipefail; callhook validate . | head`
 * exits as the whole run would: ended at once, a failure in a file not yet read was never seen,
 * and the run passed; and `replay --report r.json | true` writes its report. A write that failed
 * still ends the run with its own exit code (cli.ts). Hint: a write waiting for 'drain' is let go.
 */
export function finishWithoutStdout(): void {
  stdoutGone.stop = () => {
    stdoutGone.dropped = true;
    const dropped = (_chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    };
    process.stdout.write = dropped as typeof process.stdout.write;
    process.stdout.emit('drain');
  };
}

/**
 * Ends the process, with `code` or the exit code set, once what it wrote to stdout and stderr is
 * out, or at once on a stop signal while it waits: the run is over, and a reader that stopped
 * taking its output (a paused consumer, a pager left open) would hold it for ever. Then, without
 * `code`, a result on stdout not yet written whole ends it as interrupted (130, 143, 129): a
 * report cut short is no pass. A run a signal stopped (`stoppedBy`: listen's) ends so too, by
 * that signal, once its reader of stdout has taken nothing for `stalledMs`. Hint: left to end as
 * node runs out of work, a process has its signal handlers taken away first, and a signal in that
 * moment kills it by the signal's own action, not with the code it set (listen's two Ctrl-Cs 1 ms
 * apart, 5 times of 5; a stopped replay's third SIGTERM, 10 runs of 40 under load).
 */
export async function exitOnceWritten(code?: number, stoppedBy?: StopSignal): Promise<never> {
  // Hint: no argument, not `undefined`, keeps the exit code set: process.exit(undefined) is exit 0.
  // Hint: a write to stdout that failed ends it with its own code, a signal meanwhile too (review
  // hR66): cli.ts's exit hook makes it so on every exit.
  const exit = (): never => (code === undefined ? process.exit() : process.exit(code));
  const cutShortBy = code === undefined ? endAsItStands : exit;
  onStopSignals(cutShortBy);
  for (const signal of stopSignals) process.off(signal, endAsItStands);
  // Hint: a stopped server's reader that stopped reading (`listen > fifo` left unread) held it
  // after "stopped: …" until a second signal, which then ended it 0, its NDJSON cut short (hF66).
  if (stoppedBy !== undefined) {
    // Hint: from the stop, so that a reader that takes nothing is given one second, as README says, not two.
    let before = untaken();
    const stall = setInterval(() => {
      const now = untaken();
      if (process.stdout.writableLength > 0 && now === before) cutShortBy(stoppedBy);
      before = now;
    }, stalledMs);
    stall.unref();
  }
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((out) => stream.write('', out))));
  // Hint: a write that failed (a full disk) is said before the run ends, and ends it (exit 2); the
  // error event comes before the write's callback is followed here.
  await Promise.all(sayingFirst);
  // Hint: a code chosen before the failure was known (listen's 0) does not hide it (review hR65).
  return exit();
}

/**
 * A stop signal once a run is over ends it at once, as it stands: with the exit code it set, or as
 * interrupted (130, 143, 129) when stdout still holds part of its result (a report cut short is no
 * pass).
 */
function endAsItStands(signal: NodeJS.Signals): void {
  if (Number(process.exitCode ?? 0) >= 128 || process.stdout.writableLength === 0) process.exit();
  // Hint: errors.js is loaded only now: it is no part of every start (`callhook --version`).
  void import('../errors.js').then(
    ({ interruptedBy }) => process.exit(interruptedBy(signal)),
    () => process.exit(),
  );
}

/**
 * Called as a run's own stop handlers are taken away, before they are: a stop signal from then
 * until `exitOnceWritten` takes over ends the run as it stands (see `endAsItStands`). Hint: with no
 * handler for a moment, node's own action killed a run that had delivered everything, exit 143
 * (red team hR104). One listener a signal, however often called (in-process, a test's runs).
 */
export function runIsOver(): void {
  for (const signal of stopSignals) {
    if (!process.listeners(signal).includes(endAsItStands)) process.on(signal, endAsItStands);
  }
}

/** How long a stopped run waits for a reader of stdout that takes none of it (see `exitOnceWritten`). */
const stalledMs = 1000;

/**
 * How much of what was written to stdout its reader has not yet taken. Hint: a pipe's libuv queue
 * too (`writeQueueSize`, Node's own, not documented), which shrinks as the reader takes part of a
 * write: `writableLength` changes only once a whole write is taken, and listen's lines held for
 * a slow reader go as one write of up to 16 MiB.
 */
function untaken(): number {
  const handle = (process.stdout as unknown as { _handle?: { writeQueueSize?: number } })._handle;
  return process.stdout.writableLength + (handle?.writeQueueSize ?? 0);
}

/** What is being said before the run may end: stdout's write error (see `sayBeforeExit`). */
const sayingFirst = new Set<Promise<unknown>>();

/**
 * Holds `exitOnceWritten` until `saying` settles: cli.ts says stdout's write error, and sets exit
 * 2, only once it has loaded how to; a run that ended meanwhile exited 0, its output cut short
 * and nothing said (`validate x.json > /dev/full`).
 */
export function sayBeforeExit(saying: Promise<unknown>): void {
  sayingFirst.add(saying);
}
