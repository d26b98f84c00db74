import { describe, expect, it } from 'vitest';
import { formatFatal, impossible } from './errors.js';

describe('impossible', () => {
  it('throws an internal error naming the broken invariant, never a usage error', () => {
    let caught: unknown;
    try {
      impossible('the stop was reached just above');
    } catch (error) {
      caught = error;
    }
    expect(formatFatal(caught)).toEqual({
      // CALLHOOK_DEBUG may add a stack after the line.
      message: expect.stringMatching(/^callhook: internal error: invariant broken: the stop was reached just above \(/),
      exitCode: 2,
    });
  });
});
