import { afterEach, describe, expect, it } from 'vitest';
import { onStopSignals, type StopSignal, stopSignals } from './signals.js';

/** The listeners of each stop signal before a test, so that those it adds (which stay once a signal came) go after it. */
const before = new Map(stopSignals.map((signal) => [signal, process.listeners(signal)]));
afterEach(() => {
  for (const signal of stopSignals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
    }
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
