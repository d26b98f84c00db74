import { describe, expect, it } from 'vitest';
import { ownStopSignals } from '../../test/helpers/own-signals.js';
import { onStopSignals, type StopSignal } from './signals.js';

ownStopSignals();

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
