/** Gives each test of a file the stop signals to itself, for tests that emit them in process. */
import { afterEach, beforeEach } from 'vitest';
import { type StopSignal, stopSignals } from '../../src/commands/signals.js';

/**
 * Takes every other listener of the stop signals off before each test and puts them back after.
 * Hint: `process.emit('SIGTERM')` calls every listener of the signal, and in a worker shared with
 * other files (isolate: false) one an in-process run left (`runIsOver`'s) ended the worker: a
 * clean-clone CI failed with "Worker exited unexpectedly", the file unreported.
 */
export function ownStopSignals(): void {
  const others = new Map<StopSignal, Array<(...args: unknown[]) => void>>();
  beforeEach(() => {
    for (const signal of stopSignals) {
      others.set(signal, process.listeners(signal) as Array<(...args: unknown[]) => void>);
      process.removeAllListeners(signal);
    }
  });
  afterEach(() => {
    for (const signal of stopSignals) {
      process.removeAllListeners(signal);
      for (const listener of others.get(signal) ?? []) process.on(signal, listener);
    }
  });
}
