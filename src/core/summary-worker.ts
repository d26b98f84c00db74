/** The worker thread of `summarise`: checks elements and counts them while the main thread splits the input. */
import { serveRecordReducer } from '../input/offload.js';
import { SummaryAccumulator, type SummaryOptions, type SummaryReport } from './summary.js';

serveRecordReducer<SummaryReport, SummaryOptions>((options) => {
  const summary = new SummaryAccumulator(options);
  return { add: (record) => summary.add(record), result: () => summary.report() };
});
