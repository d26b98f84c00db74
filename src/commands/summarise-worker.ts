/**
 * The worker thread of `summarise`, which counts the second half of a large file (see
 * input/halves.ts), and the consumer both threads count through. Hint: a module of its own, so
 * that the worker initialises only reading and counting: not commander, the options' parsers or
 * the renderers, which summarise.ts brings (test/startup.test.ts keeps it so). Its start delays
 * when the worker reads, and so how much of the file it can take.
 */
import { SummaryAccumulator, type SummaryOptions, type SummaryState } from '../core/summary.js';
import { type MergingConsumer, serveHalf } from '../input/halves.js';
import { redeliveriesNotTakenOut } from '../input/types.js';

/** The consumer that `readInHalves` feeds `summary` through, on either thread. */
export function summaryConsumerOf(summary: SummaryAccumulator): MergingConsumer<SummaryState> {
  return {
    add: (records) => {
      for (const record of records) summary.add(record);
    },
    state: () => summary.state(),
    merge: (state, redeliveries, cut) => {
      if (redeliveries.length === 0) {
        summary.merge(state, cut);
        return undefined;
      }
      const events = redeliveries.map((r) => r.event);
      return summary.mergeWithout(state, events, cut) ? undefined : redeliveriesNotTakenOut;
    },
  };
}

/** The script a worker is started from: the CLI's entry, which starts this module's side (src/entry.ts). */
export const summariseWorkerScript = new URL(import.meta.url);

// On the main thread this call does nothing.
serveHalf('summarise', (options) => summaryConsumerOf(new SummaryAccumulator(options as SummaryOptions)));
