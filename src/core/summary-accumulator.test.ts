import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callAttempted } from '../../test/helpers/events.js';
import type { InputRecord } from '../input/types.js';
import { instantOf } from './instant.js';
import { summarise } from './summary.js';

// Times over a few days, in the platform's shape and with offsets, some not readable at all.
const time = fc.oneof(
  fc
    .date({ min: new Date('2022-08-30T00:00:00Z'), max: new Date('2022-09-02T23:59:59Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc
    .tuple(fc.integer({ min: 0, max: 95 }), fc.constantFrom('Z', '+10:00', ' -0330', '+14'))
    .map(([hours, zone]) => `${new Date(Date.UTC(2022, 7, 31, hours)).toISOString().slice(0, 19)}${zone}`),
  fc.constantFrom('0000-01-01T00:30:00+01:00', '9999-12-31T23:59:59.999Z', '2022-02-30T10:00:00.000Z', 'not a time'),
);

function record(at: string): InputRecord {
  const element = { file: 'x', line: 1, column: 1, offset: 0, pointer: '', index: 0, batch: 0, text: '' };
  return { kind: 'event', element, event: callAttempted({ time: at }), value: {}, problems: [], duplicate: false };
}

describe('SummaryAccumulator --by day and --by hour', () => {
  it('counts each event under the UTC day or hour its time reads as, its key made once', () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 30 }), (times) => {
        for (const by of ['day', 'hour'] as const) {
          const expected = new Map<string, number>();
          for (const at of times) {
            const ms = instantOf(at);
            const iso = Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
            const key = !iso ? '(unknown time)' : by === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00Z`;
            expected.set(key, (expected.get(key) ?? 0) + 1);
          }
          const groups = summarise(times.map(record), { by, top: 0 }).groups;
          expect(new Map(groups?.rows.map((row) => [row.key, row.events]))).toEqual(expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});
