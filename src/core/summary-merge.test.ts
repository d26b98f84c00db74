// SummaryAccumulator.mergeWithout: a second accumulator's counts, less the events it took as first
// seen that were redeliveries of the first's, must give the report of one accumulator reading
// everything, or refuse (false) where that cannot be proved.
import { describe, expect, it } from 'vitest';
import type { InputRecord } from '../input/types.js';
import { checkEvent } from '../schema/check.js';
import type { WebhookEvent } from '../schema/events.js';
import { generateCalls } from './generate.js';
import { SummaryAccumulator, type SummaryOptions } from './summary.js';

function record(event: WebhookEvent, duplicate: boolean): InputRecord {
  const element = { file: 'x.json', line: 1, column: 1, offset: 0, pointer: '', index: 0, batch: 0, text: '' };
  return { kind: 'event', element, event, value: undefined, problems: [], duplicate };
}

/** Reads `events` into a fresh accumulator, a repeated id counted as a redelivery; returns the ids seen. */
function read(summary: SummaryAccumulator, events: readonly WebhookEvent[], seen = new Set<string>()) {
  const firsts: WebhookEvent[] = [];
  for (const event of events) {
    const duplicate = event.id !== undefined && seen.has(event.id);
    if (event.id !== undefined) seen.add(event.id);
    if (!duplicate) firsts.push(event);
    summary.add(record(event, duplicate));
  }
  return { seen, firsts };
}

/** One pass over `events`, and two halves cut at `cut` merged with mergeWithout (or undefined when it refuses). */
function bothWays(events: readonly WebhookEvent[], cut: number, options: SummaryOptions = {}) {
  const one = new SummaryAccumulator(options);
  read(one, events);
  const first = new SummaryAccumulator(options);
  const { seen } = read(first, events.slice(0, cut));
  const second = new SummaryAccumulator(options);
  const { firsts } = read(second, events.slice(cut));
  const redeliveries = firsts.filter((event) => event.id !== undefined && seen.has(event.id));
  const merged = first.mergeWithout(second.state(), redeliveries);
  return { one: one.report(), two: merged ? first.report() : undefined, redeliveries: redeliveries.length };
}

const generated = [...generateCalls({ seed: 3, calls: 60, envelope: 'all' })].map(
  (value) => checkEvent(value).event as WebhookEvent,
);

describe('SummaryAccumulator.mergeWithout', () => {
  it('gives the one-pass report for redeliveries across any cut, with or without filters and --by', () => {
    // Every 7th event redelivered 11 places later, every 23rd twice.
    const events = [...generated];
    for (let i = events.length - 1; i >= 0; i--) {
      if (i % 7 === 3) events.splice(Math.min(i + 12, events.length), 0, generated[i]!);
      if (i % 23 === 5) events.splice(Math.min(i + 30, events.length), 0, generated[i]!, generated[i]!);
    }
    let merges = 0;
    for (const options of [
      {},
      { by: 'campaign' as const, top: 0 },
      { by: 'hour' as const, statuses: ['Partial' as const] },
    ]) {
      for (let cut = 1; cut < events.length; cut += 5) {
        const { one, two, redeliveries } = bothWays(events, cut, options);
        if (two === undefined) continue;
        if (redeliveries > 0) merges++;
        expect(two).toEqual(one);
      }
    }
    // Most cuts have redeliveries across them and are merged.
    expect(merges).toBeGreaterThan(30);
  });

  it('merges exactly when a copy taken out asked a question whose count ties another', () => {
    const template = generated.find((event) => event.type === 'CallComplete')!;
    const flowOf = (...names: string[]) => names.map((questionName) => ({ questionName, response: 'Yes' }));
    const call = (id: string, ...questions: string[]) =>
      ({
        ...template,
        id,
        data: { ...template.data, flow: flowOf(...questions), lastStepName: null },
      }) as WebhookEvent;
    // The first side saw a1 (asking P); the second side first sees a1 again (a redelivery, asking
    // Q), then b1 asking R then Q. One pass: P, Q and R each reached once. Hint: the funnel broke
    // such ties by the order questions were first seen, which the copy taken out had decided, so
    // this merge was refused; it is now of counts alone (red team hR98), which are taken out exactly.
    const tie = [call('a1', 'P'), call('a1', 'Q'), call('b1', 'R', 'Q')];
    const merged = bothWays(tie, 1, { top: 0 });
    expect(merged.redeliveries).toBe(1);
    expect(merged.two).toEqual(merged.one);
    expect(merged.one.callComplete.funnel.rows[0]?.steps.map((s) => s.question)).toEqual(['P', 'R', 'Q']);
    const noTie = bothWays([...tie, call('b2', 'R')], 1, { top: 0 });
    expect(noTie.two).toEqual(noTie.one);
  });

  it('refuses when the copy taken out was the earliest event of the second side and of all', () => {
    const early = { ...generated[0]!, createdAt: '2001-01-01T00:00:00.000Z' } as WebhookEvent;
    if (early.type === 'CallComplete') early.data = { ...early.data, startedTime: '2001-01-01T00:00:00.000Z' };
    else early.data = { ...early.data, time: '2001-01-01T00:00:00.000Z' } as typeof early.data;
    expect(bothWays([...generated.slice(0, 10), early, ...generated.slice(10)], 10).two).toBeUndefined();
  });
});
