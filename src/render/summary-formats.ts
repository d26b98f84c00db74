/**
 * The output formats of `summarise`, apart from render/summary.ts so that the CLI can list
 * them in `--help` without loading cli-table3 at start-up.
 */
export const summaryFormats = ['pretty', 'json', 'csv', 'markdown'] as const;
/** One of the output formats of `summarise`. */
export type SummaryFormat = (typeof summaryFormats)[number];
