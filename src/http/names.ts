/** The closed sets of delivery, apart from the code that uses them so the CLI can list them cheaply. */

/** The signing schemes `--sign` accepts. */
export const signSchemes = ['standard', 'hmac'] as const;
/** A signing scheme. */
export type SignScheme = (typeof signSchemes)[number];

/** The HTTP methods replay may deliver with. */
export const replayMethods = ['POST', 'PUT'] as const;
/** One of `replayMethods`. */
export type ReplayMethod = (typeof replayMethods)[number];
