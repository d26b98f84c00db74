/** The choices `generate` and `schema` offer in `--help`, kept apart from their modules so they load no valibot. */

/** The output formats of `callhook generate`. */
export const generateFormats = ['json', 'ndjson'] as const;
/** An output format of `callhook generate`. */
export type GenerateFormat = (typeof generateFormats)[number];

/** The JSON Schema drafts `callhook schema --draft` can write: `2020-12` (the default) or `07`. */
export const schemaDrafts = ['2020-12', '07'] as const;
/** A JSON Schema draft. */
export type SchemaDraft = (typeof schemaDrafts)[number];
