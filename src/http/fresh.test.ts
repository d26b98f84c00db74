import { describe, expect, it } from 'vitest';
import { CallhookError } from '../errors.js';
import { formatLike, freshenEvent, freshIds, newFreshRun, TimestampSpan } from './fresh.js';

const envelope = {
  id: '5f0c8a8e-6d64-4a4b-9a0e-8b3c1f1b2c3d',
  eventType: 'CallComplete',
  createdAt: '2023-05-01T10:00:30Z',
  data: { startedTime: '2023-05-01T10:00:00.250Z', name: 'x' },
};
const bare = { time: '2023-05-01T09:00:00Z', phone: '61491573087' };

/** The span of `events`' timestamps, the n-th event at `x:n:1`. */
function spanOf(...events: unknown[]): TimestampSpan {
  const span = new TimestampSpan();
  for (const [n, event] of events.entries()) span.add(event, `x:${n + 1}:1`);
  return span;
}

describe('--fresh', () => {
  it('finds the newest timestamp of an event', () => {
    expect(spanOf(envelope).newest?.ms).toBe(Date.parse('2023-05-01T10:00:30Z'));
    expect(spanOf(bare).newest?.ms).toBe(Date.parse('2023-05-01T09:00:00Z'));
    expect(spanOf({ nothing: 1 }).newest).toBeUndefined();
  });

  it("finds the oldest and newest timestamps of a run, each with its event's location", () => {
    const span = spanOf(envelope, bare, { nothing: 1 });
    expect(span.oldest).toEqual({ ms: Date.parse('2023-05-01T09:00:00Z'), location: 'x:2:1' });
    expect(span.newest).toEqual({ ms: Date.parse('2023-05-01T10:00:30Z'), location: 'x:1:1' });
  });

  it('refuses a run whose shift would move its oldest time before the year 0000 (red team hT42 #2)', () => {
    const now = Date.parse('2026-12-05T12:30:04.789Z');
    const future = spanOf({ time: '2022-09-01T10:00:00Z' }, { time: '9022-09-01T10:00:00Z' });
    expect(() => newFreshRun(future, now)).toThrow(
      new CallhookError(
        '--fresh: moving the newest time, 9022-09-01T10:00:00.000Z (x:2:1), to now would move 2022-09-01T10:00:00.000Z (x:1:1) before the year 0000; replay those events apart, or without --fresh',
      ),
    );
    // The year 0000 itself is kept: the oldest may land on its first second.
    const edge = spanOf({ time: '0000-01-01T00:00:00Z' }, { time: '2026-12-05T12:30:04Z' });
    expect(newFreshRun(edge, now).shiftMs).toBe(0);
    const past = spanOf({ time: '0000-01-01T00:00:00Z' }, { time: '2026-12-05T12:30:05Z' });
    expect(() => newFreshRun(past, now)).toThrow(/before the year 0000/);
  });

  it('shifts every timestamp by the same amount and gives envelopes a new id', () => {
    const shiftMs = 1000 * 60 * 60 * 24;
    const out = freshenEvent(envelope, { shiftMs, newId: () => 'new-id' }) as typeof envelope;
    expect(out.id).toBe('new-id');
    expect(out.createdAt).toBe('2023-05-02T10:00:30Z');
    expect(out.data.startedTime).toBe('2023-05-02T10:00:00.250Z');
    expect(out.data.name).toBe('x');
    expect(envelope.createdAt).toBe('2023-05-01T10:00:30Z');
    expect(freshenEvent(bare, { shiftMs, newId: freshIds() })).toEqual({
      time: '2023-05-02T09:00:00Z',
      phone: '61491573087',
    });
  });

  it('keeps the precision of the original text, and never an instant', () => {
    expect(formatLike('2023-05-01T10:00:00Z', 0)).toBe('1970-01-01T00:00:00Z');
    expect(formatLike('2023-05-01T10:00:00.5Z', 1)).toBe('1970-01-01T00:00:00.001Z');
    // A time written in whole seconds, moved to an instant that is not, keeps its milliseconds:
    // cut, it would move less than the others (red team hT17).
    expect(formatLike('2023-05-01T10:00:00Z', 789)).toBe('1970-01-01T00:00:00.789Z');
  });

  it('moves times with and without milliseconds by the same amount, so their order and equality hold', () => {
    const event = {
      id: envelope.id,
      eventType: 'CallComplete',
      createdAt: '2022-09-04T06:12:00Z',
      data: { startedTime: '2022-09-04T06:12:00.000Z' },
    };
    const first = { time: '2022-09-04T06:11:59.900Z' };
    const second = { time: '2022-09-04T06:12:00+00:00' };
    // The run's shift is whole seconds, so a time written without milliseconds stays so written.
    const { shiftMs } = newFreshRun(spanOf(event, first, second), Date.parse('2026-12-05T12:30:04.789Z'));
    expect(shiftMs % 1000).toBe(0);
    const moved = (value: object) => freshenEvent(value, { shiftMs, newId: freshIds() }) as Record<string, unknown>;
    const out = moved(event) as typeof event;
    expect(out.createdAt).toBe('2026-12-05T12:30:04Z');
    expect(Date.parse(out.data.startedTime)).toBe(Date.parse(out.createdAt));
    expect(Date.parse(moved(second).time as string) - Date.parse(moved(first).time as string)).toBe(100);
    // Even a shift with milliseconds (a journal written before) moves every time by all of it.
    const odd = (value: object) =>
      freshenEvent(value, { shiftMs: 1_234, newId: freshIds() }) as Record<string, unknown>;
    expect(Date.parse(odd(second).time as string) - Date.parse(second.time)).toBe(1_234);
    expect(Date.parse(odd(event).createdAt as string) - Date.parse(event.createdAt)).toBe(1_234);
  });

  it('gives every copy of a redelivered event the same new id, and other events other ids', () => {
    const ids = freshIds();
    const again = { ...envelope, data: { ...envelope.data } };
    const other = { ...envelope, id: '0b6f2a51-3c1d-4e2f-8a9b-7c6d5e4f3a2b' };
    const [first, copy, third] = [envelope, again, other].map(
      (event) => (freshenEvent(event, { shiftMs: 0, newId: ids }) as typeof envelope).id,
    );
    expect(first).toBe(copy);
    expect(first).not.toBe(third);
    expect(first).not.toBe(envelope.id);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Another run gives other new ids.
    expect((freshenEvent(envelope, { shiftMs: 0, newId: freshIds() }) as typeof envelope).id).not.toBe(first);
  });
});
