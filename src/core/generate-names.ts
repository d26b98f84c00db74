/** The choices `generate` and `schema` offer in `--help`, kept apart from their modules so they load no valibot. */

/** The output formats of `callhook generate`. */
export const generateFormats = ['json', 'ndjson'] as const;
/** An output format of `callhook generate`. */
export type GenerateFormat = (typeof generateFormats)[number];

/**
 * How `generate` wraps events (`--envelope`, the library's `envelope`): `wire` as the platform
 * sends them (CallComplete enveloped, the other four bare), `all` every event in the
 * `{ id, eventType, createdAt, data }` envelope.
 */
export const generateEnvelopes = ['wire', 'all'] as const;
/** How `generate` wraps events. */
export type GenerateEnvelope = (typeof generateEnvelopes)[number];

/** The JSON Schema drafts `callhook schema --draft` can write: `2020-12` (the default) or `07`. */
export const schemaDrafts = ['2020-12', '07'] as const;
/** A JSON Schema draft. */
export type SchemaDraft = (typeof schemaDrafts)[number];

/**
 * The most campaigns `generate` spreads calls over: they are all made before the first event, and
 * 100,000 take about 130 MiB, so more would break the 200 MiB bound (10 million ran out of heap).
 */
export const maxCampaigns = 100_000;

/**
 * The largest seed `generate` and `listen --fail-rate` take (the least is 0): the generator's state
 * is 32 bits, so a seed past them would give the bytes of one within them (-1 those of 2^32 + 1).
 */
export const largestSeed = 2 ** 32 - 1;
