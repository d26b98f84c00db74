import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callAttempted, callComplete } from '../../test/helpers/events.js';
import { freshenEvent, freshIds, TimestampSpan } from '../http/fresh.js';
import type { InputRecord } from '../input/types.js';
import { formatTime } from '../render/words.js';
import { checkEvent } from '../schema/check.js';
import {
  canonicalInstant,
  daysInMonth,
  describeBadTimestamp,
  instantOf,
  instantOfOption,
  isoOf,
  isTimestamp,
} from './instant.js';
import { summarise } from './summary.js';
import { matchesFilter, orderTimeline, parseTimeBound } from './timeline.js';

const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));

/** A date the calendar has, as `YYYY-MM-DD`. */
const realDate = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
  .map(([year, month, day]) => {
    const d = Math.min(day, daysInMonth(year, month));
    return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  });

describe('canonicalInstant', () => {
  it('gives the instant Date.parse gives for any real date in the platform shape, leap days and year 0000 included', () => {
    fc.assert(
      fc.property(
        realDate,
        two(0, 23),
        two(0, 59),
        two(0, 59),
        fc.integer({ min: 0, max: 999 }),
        (date, hour, minute, second, ms) => {
          const text = `${date}T${hour}:${minute}:${second}.${String(ms).padStart(3, '0')}Z`;
          expect(canonicalInstant(text)).toBe(Date.parse(text));
          // The same text with a space for the T takes instantOf's general path: the same instant.
          expect(instantOf(text.replace('T', ' '))).toBe(canonicalInstant(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a 29 February of a common year and a 31st of a 30-day month, as the general reader does', () => {
    // Hint: the property above draws real dates only, and instantOf's own tests of leap days are
    // without milliseconds, so they take the other reader: a fast path that took 2023-02-29 in
    // the platform's shape passed validate unseen (red team hT52, mutant S16).
    const dates: [string, boolean][] = [
      ['2023-02-28', true],
      ['2023-02-29', false],
      ['2024-02-29', true],
      ['2024-02-30', false],
      ['2100-02-29', false],
      ['1900-02-29', false],
      ['2000-02-29', true],
      ['0000-02-29', true],
      ['2023-04-30', true],
      ['2023-04-31', false],
      ['2023-06-31', false],
      ['2023-09-31', false],
      ['2023-11-31', false],
      ['2023-12-31', true],
      ['2023-01-32', false],
    ];
    for (const [date, real] of dates) {
      const text = `${date}T06:10:46.410Z`;
      expect(isTimestamp(text), text).toBe(real);
      expect(canonicalInstant(text), text).toBe(real ? Date.parse(text) : undefined);
    }
  });

  it('agrees with the general reader on every boundary of the calendar and the clock', () => {
    // The fast path reads its own digits; the same text with a space for the T takes the general one.
    for (const year of ['0000', '1900', '2000', '2023', '2024', '2100', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (const day of ['00', '01', '28', '29', '30', '31', '32', '39']) {
          for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '23:60:00.000', '23:59:60.000']) {
            const text = `${year}-${String(month).padStart(2, '0')}-${day}T${time}Z`;
            expect(canonicalInstant(text) ?? Number.NaN, text).toBe(instantOf(text.replace('T', ' ')));
          }
        }
      }
    }
  });

  it('leaves anything else to instantOf', () => {
    for (const text of [
      '2022-13-01T00:00:00.000Z',
      '2022-09-00T00:00:00.000Z',
      '2022-09-01T24:00:00.000Z',
      '2022-09-01T00:60:00.000Z',
      '2022-09-01T00:00:60.000Z',
      '2022-09-01T00:00:00.0a0Z',
      '2022-09-01T00:00:00Z',
      '2022-09-01 00:00:00.000Z',
      '2022-09-01T00:00:00.000+00',
    ]) {
      expect(canonicalInstant(text)).toBeUndefined();
    }
  });
});

describe('isoOf', () => {
  it('writes every instant as Date#toISOString does, across days, years and the ends of the range', () => {
    // Hint: runs of instants within a day and across days, as a day's text is kept between calls.
    const instant = fc.oneof(
      fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), // 0000-01-01 to 9999-12-31
      fc.integer({ min: -8.64e15, max: 8.64e15 }), // Date's whole range: six-digit years
      fc.double({ min: -1e13, max: 1e13, noNaN: true }), // fractions of a millisecond
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3 * 86_400_000 }),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
        for (const ms of instants) expect(isoOf(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 500 },
    );
    for (const ms of [0, -1, 86_399_999, 86_400_000, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_800_000]) {
      expect(isoOf(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoOf(Number.NaN)).toThrow(RangeError);
  });
});

describe('isTimestamp', () => {
  it('in the platform shape, accepts exactly what the ISO expression accepts on a real date', () => {
    const iso = /^\d{4}-(?:0[1-9]|1[0-2])-(?:[12]\d|0[1-9]|3[01])T(?:0\d|1\d|2[0-3])(?::[0-5]\d){2}\.\d{3}Z$/;
    fc.assert(
      fc.property(realDate, fc.nat(23), fc.constantFrom(...'0123456789:;/ -T.Z'), (date, at, char) => {
        const valid = `${date}T12:34:56.789Z`;
        const text = valid.slice(0, at) + char + valid.slice(at + 1);
        // A space for the T is valid too, but not the platform's own shape.
        const withT = text[10] === ' ' ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
        const real = iso.test(withT) && new Date(Date.parse(withT)).toISOString() === withT;
        expect(isTimestamp(text), text).toBe(real);
        expect(canonicalInstant(text), text).toBe(real && withT === text ? Date.parse(text) : undefined);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('instantOf', () => {
  it('reads every form the payload reference allows: offsets of hours alone, a space, a long fraction', () => {
    const utc = Date.parse('2022-08-31T23:30:00Z');
    expect(instantOf('2022-09-01T09:30:00+10:00')).toBe(utc);
    expect(instantOf('2022-09-01T09:30:00 +10:00')).toBe(utc);
    expect(instantOf('2022-09-01T09:30:00+10')).toBe(utc);
    expect(instantOf('2022-09-01 09:30:00 +1000')).toBe(utc);
    expect(instantOf('2022-08-31T20:30:00-03')).toBe(utc);
    expect(instantOf('2022-08-31T23:30:00Z')).toBe(utc);
    expect(instantOf('2022-08-31T23:30:00.5Z')).toBe(utc + 500);
    expect(instantOf('2022-08-31T23:30:00.05Z')).toBe(utc + 50);
    expect(instantOf('2022-09-01T09:30:00.123456789Z')).toBe(Date.parse('2022-09-01T09:30:00.123Z'));
  });

  it('refuses dates the calendar lacks, and every other shape', () => {
    for (const text of [
      '2022-02-30T10:00:00.000Z',
      '2022-02-29T10:00:00Z',
      '2100-02-29T10:00:00Z',
      '2022-04-31T10:00:00+10',
      '2022-09-01T24:00:00Z',
      '2022-09-01T09:30:00',
      '2022-09-01T09:30:00.Z',
      '2022-09-01T09:30:00.1234567890Z',
      '2022-09-01T09:30:00+24',
      '2022-09-01T09:30:00+10:',
      '2022-09-01T09:30:00+10:60',
      '2022-09-01t09:30:00z',
      '2022-09-01T09:30Z',
      'not a time',
    ]) {
      expect(instantOf(text), text).toBeNaN();
    }
    expect(instantOf('2024-02-29T10:00:00Z')).toBe(Date.parse('2024-02-29T10:00:00Z'));
    expect(instantOf('2000-02-29T10:00:00Z')).toBe(Date.parse('2000-02-29T10:00:00Z'));
  });

  it('says a fraction takes 1 to 9 digits when it refuses a longer one', () => {
    // The message showed `[.fff]` alone, and the README "an optional fraction" (red team hT42 #4).
    for (const text of ['2022-09-01T10:00:00.1234567891Z', '2022-09-01T10:00:00.123456789012+10:00']) {
      expect(instantOf(text), text).toBeNaN();
      expect(describeBadTimestamp(text), text).toBe(
        'expected an ISO-8601 timestamp (YYYY-MM-DDTHH:MM:SS, a fraction of 1 to 9 digits if any, then Z or an offset such as +10:00)',
      );
    }
  });

  it('says which part of a time in the right shape is out of range, or that T and Z are capitals', () => {
    // Each was told to be `YYYY-MM-DDTHH:MM:SS … then Z or an offset such as +10:00`, a shape it
    // has (red team hT63).
    for (const [text, why] of [
      ['2026-12-31T23:59:60Z', 'expected a time of day from 00:00:00 to 23:59:59 (no leap second)'],
      ['2026-12-31T24:00:00Z', 'expected a time of day from 00:00:00 to 23:59:59 (no leap second)'],
      ['2026-12-31 12:60:00.5+01', 'expected a time of day from 00:00:00 to 23:59:59 (no leap second)'],
      ['2026-13-01T12:00:00Z', 'expected a month from 01 to 12'],
      ['2026-00-01T12:00:00Z', 'expected a month from 01 to 12'],
      ['2026-12-00T12:00:00Z', 'expected a day of the month from 01'],
      ['2026-12-31T12:00:00+24:00', 'expected an offset from -23:59 to +23:59'],
      ['2026-12-31T12:00:00 +05:60', 'expected an offset from -23:59 to +23:59'],
      ['2026-12-31T12:00:00z', 'expected T and Z as capitals'],
      ['2026-12-31t12:00:00Z', 'expected T and Z as capitals'],
    ]) {
      expect(isTimestamp(text as string), text).toBe(false);
      expect(describeBadTimestamp(text as string), text).toBe(why);
    }
  });

  it('refuses a time whose offset takes it out of the years 0000 to 9999, saying so', () => {
    // validate took them, and summarise's day and hour keys, cut from a six-digit signed year,
    // read `+010000-01` and sorted year 10000 first.
    for (const text of ['0000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '0000-01-01T00:59:59.999+01']) {
      expect(instantOf(text), text).toBeNaN();
      expect(isTimestamp(text), text).toBe(false);
      expect(describeBadTimestamp(text), text).toBe(
        'expected an instant within the years 0000 to 9999 (its offset takes this one outside them)',
      );
    }
    for (const text of ['0000-01-01T01:00:00+01:00', '9999-12-31T22:59:59-01:00', '0000-01-01T00:00:00Z']) {
      expect(instantOf(text), text).not.toBeNaN();
    }
  });
});

// Timestamps in many forms, valid or not: offsets, spaces, fractions, impossible dates.
const anyTimestamp = fc
  .tuple(
    fc.integer({ min: 2020, max: 2024 }),
    two(1, 12),
    two(1, 31),
    fc.constantFrom('T', ' '),
    two(0, 23),
    two(0, 59),
    two(0, 59),
    fc.constantFrom('', '.5', '.123', '.123456789'),
    fc.constantFrom('Z', '+10', '+10:00', ' +0930', '-03', '-00:30', ' -11'),
  )
  .map(([y, mo, d, sep, h, mi, s, f, z]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${f}${z}`);

describe('one reading of time', () => {
  it('validate accepts exactly what every command places, and they all place it at the same instant', () => {
    fc.assert(
      fc.property(anyTimestamp, (time) => {
        const accepted = checkEvent({ ...callAttempted({ time }).data }).event !== undefined;
        const ms = instantOf(time);
        expect(accepted).toBe(isTimestamp(time));
        expect(checkEvent(callComplete({ startedTime: time }).data).event !== undefined).toBe(accepted);
        if (!accepted) return;
        const event = callAttempted({ time });
        // show and trace: --since/--until select it at its instant, and it sorts there.
        expect(matchesFilter(event, { since: ms, until: ms + 1 })).toBe(true);
        expect(matchesFilter(event, { since: ms + 1 })).toBe(false);
        const before = callAttempted({ time: new Date(ms - 1).toISOString() });
        const after = callAttempted({ time: new Date(ms + 1).toISOString() });
        const order = orderTimeline([after, event, before].map((e, sequence) => ({ event: e, sequence })));
        expect(order.map((entry) => entry.event)).toEqual([before, event, after]);
        expect(formatTime(time)).toBe(`${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
        // summarise: counted inside the same bounds, keyed by its UTC day.
        const record: InputRecord = {
          kind: 'event',
          element: { file: 'x', line: 1, column: 1, offset: 0, pointer: '', index: 0, batch: 0, text: '' },
          event,
          value: {},
          problems: [],
          duplicate: false,
        };
        const report = summarise([record], { since: ms, until: ms + 1, by: 'day' });
        expect(report.events).toBe(1);
        expect(report.groups?.rows.map((row) => row.key)).toEqual([new Date(ms).toISOString().slice(0, 10)]);
        // replay --fresh: the same instant, moved.
        const span = new TimestampSpan();
        span.add(event.data, 'x:1:1');
        expect(span.newest?.ms).toBe(ms);
        const moved = freshenEvent(event.data, { shiftMs: 1000, newId: freshIds() }) as { time: string };
        expect(instantOf(moved.time)).toBe(ms + 1000);
      }),
      { numRuns: 300 },
    );
  });

  it('an offset validate accepts is not dropped by show --since, and an impossible date is invalid', () => {
    const event = callAttempted({ time: '2022-09-01T09:30:00+10' });
    expect(checkEvent(event.data).event).toBeDefined();
    expect(matchesFilter(event, { since: Date.parse('2022-08-31T23:00:00Z') })).toBe(true);
    const impossible = checkEvent(callAttempted({ time: '2022-02-30T10:00:00.000Z' }).data);
    expect(impossible.event).toBeUndefined();
    expect(impossible.issues).toEqual([
      expect.objectContaining({
        code: 'invalid-format',
        pointer: '/time',
        message: expect.stringContaining('2022-02 has 28 days'),
      }),
    ]);
  });

  it('--since and --until are read by the same reader: an impossible date is refused', () => {
    expect(parseTimeBound('2022-02-30', 0)).toBeUndefined();
    expect(parseTimeBound('2022-09-01T10:00+10', 0)).toBe(Date.parse('2022-09-01T00:00:00Z'));
  });
});

describe('instantOfOption', () => {
  it('reads what validate accepts, a date alone (midnight UTC) and a time without seconds or offset (UTC)', () => {
    expect(instantOfOption('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(instantOfOption('2026-01-01T10:30')).toBe(Date.UTC(2026, 0, 1, 10, 30));
    expect(instantOfOption('2026-01-01 10:30:15.5+10:00')).toBe(Date.UTC(2026, 0, 1, 0, 30, 15, 500));
    // A blank before the offset, as a timestamp may have, without seconds too (red team hT17).
    expect(instantOfOption('2026-01-01 10:30 +10:00')).toBe(Date.UTC(2026, 0, 1, 0, 30));
    expect(instantOfOption('2026-01-01T10:30 -0130')).toBe(Date.UTC(2026, 0, 1, 12, 0));
    expect(instantOfOption('2026-01-01T10:30 Z')).toBeNaN();
    expect(instantOfOption('2022-09-01T09:30:00 +0930')).toBe(instantOf('2022-09-01T09:30:00 +0930'));
    for (const bad of ['2026-02-30', '2026-1-1', 'yesterday', '', '2026-01-01T25:00', '+010000-01-01T00:00:00.000Z']) {
      expect(instantOfOption(bad), bad).toBeNaN();
    }
  });

  it('refuses a time whose offset takes it outside the years 0000 to 9999, which no timestamp holds', () => {
    // `generate --start-time 0000-01-01T00:30:00+01:00` wrote -000001-12-31T23:30:00.000Z, which validate refuses.
    expect(instantOfOption('0000-01-01T00:30:00+01:00')).toBeNaN();
    expect(instantOfOption('9999-12-31T23:59:59-01:00')).toBeNaN();
    expect(instantOfOption('0000-01-01T01:00:00+01:00')).toBe(Date.parse('0000-01-01T00:00:00Z'));
    expect(instantOfOption('9999-12-31T23:59:59.999Z')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
  });

  it('is what --since reads, so the two never differ', () => {
    fc.assert(
      fc.property(fc.oneof(anyTimestamp, realDate), (text) => {
        const ms = instantOfOption(text);
        expect(parseTimeBound(text, 0)).toBe(Number.isNaN(ms) ? undefined : ms);
      }),
      { numRuns: 100 },
    );
  });
});
