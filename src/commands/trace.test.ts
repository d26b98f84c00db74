import { describe, expect, it } from 'vitest';
import { formatFatal } from '../errors.js';
import { trace } from './trace.js';

describe('trace refusing an id that is not the start of a UUID', () => {
  it('quotes it as every option error does, escaped once: \\e, not \\x5ce', async () => {
    const error = await trace('ab\u001b[2Jc', ['fixtures/valid'], {}).catch((caught: unknown) => caught);
    expect(formatFatal(error)).toEqual({
      // The words of --correlation and --campaign, in the one option-error style.
      message:
        'callhook: correlationId: must be a UUID or the start of one, dashes included (8-4-4-4-12 hex digits) (got "ab\\e[2Jc")',
      exitCode: 2,
    });
  });
});
