/** The output formats each command offers, for commander's `.choices()` (no heavy imports here). */

/** The formats `validate --format` takes. */
export const validationFormats = ['pretty', 'json', 'github', 'junit'] as const;
/** One of `validationFormats`. */
export type ValidationFormat = (typeof validationFormats)[number];
