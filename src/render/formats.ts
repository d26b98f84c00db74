/** The output formats each command offers, for commander's `.choices()` (no heavy imports here), and the narrowest they draw. */

/**
 * The fewest columns output is drawn in (`--width`, `codeFrame`'s `width`). Hint: a code frame's
 * gutter (`> 1 | `) and its two `…` take 8 columns or more beside at least 10 of source: asked for
 * fewer than 18, its rows overran.
 */
export const narrowestWidth = 20;

/** The formats `validate --format` takes. */
export const validationFormats = ['pretty', 'json', 'github', 'junit'] as const;
/** One of `validationFormats`. */
export type ValidationFormat = (typeof validationFormats)[number];

/** The formats `summarise --format` takes. */
export const summaryFormats = ['pretty', 'json', 'csv', 'markdown'] as const;
/** One of `summaryFormats`. */
export type SummaryFormat = (typeof summaryFormats)[number];

/** The formats `show --format` and `trace --format` take. */
export const viewFormats = ['pretty', 'json', 'markdown'] as const;
/** One of `viewFormats`. */
export type ViewFormat = (typeof viewFormats)[number];
