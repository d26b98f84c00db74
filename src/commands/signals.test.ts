import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onStopSignals, type StopSignal, stopSignals } from './signals.js';

// Hint: `process.emit` calls every listener of the signal, the test runner's own too (a worker's
// SIGTERM handler ended it): each test has the stop signals to itself, and the others back after.
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

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('onStopSignals', () => {
  it('takes one signal sent twice at once as one: GNU timeout sends it to the process, then to its group (red team hR110)', async () => {
    // replay took the copy for a second signal and aborted its requests in flight, which the
    // receiver had taken: journalled undelivered, --resume sent them again.
    const heard: StopSignal[] = [];
    onStopSignals((signal) => heard.push(signal));
    process.emit('SIGTERM');
    process.emit('SIGTERM');
    expect(heard).toEqual(['SIGTERM']);
    // Another signal at once is no copy; the same one in a later turn of the event loop is a second.
    process.emit('SIGINT');
    expect(heard).toEqual(['SIGTERM', 'SIGINT']);
    await nextTurn();
    process.emit('SIGTERM');
    expect(heard).toEqual(['SIGTERM', 'SIGINT', 'SIGTERM']);
  });
});
