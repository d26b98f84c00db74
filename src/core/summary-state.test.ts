// The summary's counts are declared once (summaryTally): merging and taking out follow from that
// declaration. These tests walk the declaration, so a counter added to it is checked here too: it
// must be counted by some record below, merged (doubled by merging a state with itself) and taken
// out (the copy taken out gives the state back), and merging two halves must equal one pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { undocumentedStatusCall } from '../input/records.js';
import { type ElementInfo, type InputRecord, stdinName } from '../input/types.js';
import { checkEvent } from '../schema/check.js';
import { generateCalls, type WireEvent } from './generate.js';
import { SummaryAccumulator } from './summary-accumulator.js';
import type { SummaryOptions } from './summary-report.js';
import { addSummaryState, type SummaryState, summaryTally, takeOutSummaryState } from './summary-state.js';
import { emptyOf, type Tally } from './tally.js';

const element: ElementInfo = {
  file: 'x.json',
  line: 1,
  column: 1,
  offset: 0,
  pointer: '',
  index: 0,
  batch: 0,
  text: '',
};

/** Records of every kind the accumulator counts: events (some redelivered), invalid ones, problems, a file. */
function recordsOf(values: readonly unknown[]): InputRecord[] {
  const seen = new Set<unknown>();
  const records: InputRecord[] = [{ kind: 'file-start', file: 'x.json' }];
  for (const value of values) {
    const checked = checkEvent(value);
    if (checked.event) {
      const id = checked.event.id;
      const duplicate = id !== undefined && seen.has(id);
      seen.add(id);
      records.push({ kind: 'event', element, event: checked.event, value, problems: [], duplicate });
    } else {
      // As the input layer reads it: a call of an undocumented status is counted, once per id.
      const problems = checked.issues.map((issue) => ({ ...element, ...issue }));
      const call = undocumentedStatusCall(checked.kind, value, problems);
      const duplicate = call?.id !== undefined && seen.has(call.id);
      if (call) seen.add(call.id);
      records.push({ kind: 'invalid', element, eventKind: checked.kind, value, problems, call, duplicate });
    }
  }
  records.push({ kind: 'problem', problem: { ...element, severity: 'error', code: 'missing-comma', message: 'x' } });
  // The file is not text from here on: read no further.
  const binary = { ...element, offset: 99, severity: 'error', code: 'binary', message: 'y', fatal: true } as const;
  records.push({ kind: 'problem', problem: binary });
  records.push({ kind: 'file-end', file: 'x.json', elements: values.length, bytes: 100 });
  // Then stdin, which holds nothing.
  records.push({ kind: 'file-start', file: stdinName }, { kind: 'file-end', file: stdinName, elements: 0, bytes: 0 });
  return records;
}

// Bare SMS in the wire envelope (direction told from the numbers), typed ones when all are enveloped.
const generated: WireEvent[] = [
  ...generateCalls({ seed: 5, calls: 40, envelope: 'wire' }),
  ...generateCalls({ seed: 7, calls: 30, envelope: 'all' }),
];
const firstCall = generated.find((value) => 'eventType' in value && value.eventType === 'CallComplete') as {
  data: object;
};
const values: unknown[] = [
  ...generated,
  firstCall, // a redelivery
  { ...firstCall, id: '00000000-0000-4000-8000-000000000000', data: { ...firstCall.data, status: 'Voicemail' } },
  { eventType: 'CallComplete' }, // invalid
];
function stateOf(records: readonly InputRecord[], options: SummaryOptions): SummaryState {
  const summary = new SummaryAccumulator(options);
  for (const record of records) summary.add(record);
  return summary.state();
}

/** Each leaf of the declaration by path: the sum of its counts (sets: their size; bounds: the instant). */
function leaves(tally: Tally, value: unknown, path = '', out = new Map<string, number>()): Map<string, number> {
  const at = (key: string, n: number) => out.set(key, (out.get(key) ?? 0) + n);
  switch (tally.kind) {
    case 'count':
      at(path, value as number);
      break;
    case 'counts':
      for (const key of tally.keys) at(`${path}.${key}`, (value as Record<string, number>)[key]!);
      break;
    case 'keyed':
      // The inner leaves are listed even when the map is empty, so every declared counter shows.
      leaves(tally.of, emptyOf(tally.of), `${path}[]`, out);
      for (const inner of (value as Map<unknown, unknown>).values()) leaves(tally.of, inner, `${path}[]`, out);
      break;
    case 'set':
      at(path, (value as Set<string>).size);
      break;
    case 'earliest':
    case 'latest':
      at(path, (value as { ms: number }).ms);
      break;
    case 'shape':
      for (const name of Object.keys(tally.fields))
        leaves(tally.fields[name], (value as never)[name], `${path}.${name}`, out);
      break;
  }
  return out;
}

describe('the summary state', () => {
  const records = recordsOf(values);
  // --by campaign fills the groups; the filter, filteredOut.
  const options: SummaryOptions = { by: 'campaign', since: Date.parse('2022-09-01T00:00:01.000Z') };

  it('has every declared counter counted by some record', () => {
    const counted = leaves(summaryTally, stateOf(records, options));
    expect([...counted].filter(([, n]) => n === 0).map(([path]) => path)).toEqual([]);
  });

  it('is doubled by merging it with itself, and given back by taking the copy out', () => {
    const state = stateOf(records, options);
    const twice = structuredClone(state);
    addSummaryState(twice, structuredClone(state));
    const sets = new Set(['.customers', '.unreadableFiles', '.first', '.last']);
    for (const [path, n] of leaves(summaryTally, twice)) {
      expect([path, n]).toEqual([
        path,
        sets.has(path) ? leaves(summaryTally, state).get(path) : 2 * leaves(summaryTally, state).get(path)!,
      ]);
    }
    takeOutSummaryState(twice, structuredClone(state));
    expect(twice).toEqual(state);
  });

  it('of two halves merged is the state of one pass, whatever the cut and options', () => {
    fc.assert(
      fc.property(
        fc.nat(records.length),
        fc.constantFrom<SummaryOptions>({}, { by: 'phone' }, { by: 'hour', top: 1 }, { orgNumbers: ['61491570110'] }),
        (cut, opts) => {
          const whole = stateOf(records, opts);
          // Through structured clone, as the state crosses threads.
          const merged = structuredClone(stateOf(records.slice(0, cut), opts));
          addSummaryState(merged, structuredClone(stateOf(records.slice(cut), opts)));
          expect(merged).toEqual(whole);
          // toEqual ignores Map order, which the tie-breaks depend on: compare the keys' order too.
          expect([...merged.campaigns].map(([id, c]) => [id, [...c.questions.keys()]])).toEqual(
            [...whole.campaigns].map(([id, c]) => [id, [...c.questions.keys()]]),
          );
          expect([...merged.groups.keys()]).toEqual([...whole.groups.keys()]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
