/**
 * The event loop's turn for work that runs in promise jobs alone: calls that wait for the system
 * and writes that complete at once (a file, /dev/null) never leave the loop a turn, so no timer,
 * signal handler or abort ran until such work was done.
 */

/** When `letLoopRun` last gave the event loop a turn (`performance.now()`). */
let loopRan = performance.now();

/**
 * Gives the event loop a turn once 10 ms have passed without one. Hint: a folder's files are
 * checked, and its small ones read, with calls that wait for the system (see input/read.ts,
 * `readSmallFile`): no timer, signal or `stop` ran until the last file was done (review hR73:
 * replay's Ctrl-C waited 2 s, a library caller's timer ran once in 4.6 s); generate on one thread
 * into a file ran 13 s past a Ctrl-C (fixer hF66).
 */
export async function letLoopRun(): Promise<void> {
  if (performance.now() - loopRan < 10) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  loopRan = performance.now();
}
