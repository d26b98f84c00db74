/** `callhook schema`: the payload contract as JSON Schema, or as an OpenAPI 3.1 webhooks document. */
import type { SchemaDraft } from '../core/generate-names.js';
import { CallhookError } from '../errors.js';
import { terminalWidth, wrapMessage, wrapSpans } from '../render/terminal.js';
import { schemaGaps, toJsonSchema, toOpenApi } from '../schema/json-schema.js';
import type { EventType } from '../schema/names.js';

/** The options `schema` takes, as commander parsed them. */
interface SchemaCommandOptions {
  type?: EventType;
  draft: SchemaDraft;
  strict?: boolean;
  openapi?: boolean;
}

/** Prints the JSON Schema (or OpenAPI document) on stdout, and what it cannot express on stderr. */
export function schema(options: SchemaCommandOptions): void {
  // Hint: the OpenAPI document describes every delivery, and a delivery's array may hold any type.
  if (options.openapi && options.type !== undefined) {
    throw new CallhookError('--openapi describes every event type; it cannot be combined with --type');
  }
  if (options.openapi && options.draft === '07') {
    throw new CallhookError(
      '--openapi writes its schemas in draft 2020-12, as OpenAPI 3.1 requires; it cannot be combined with --draft 07',
    );
  }
  const document = options.openapi
    ? toOpenApi({ strict: options.strict })
    : toJsonSchema({ type: options.type, draft: options.draft, strict: options.strict });
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  const width = terminalWidth(process.stderr);
  const gaps = schemaGaps(options.type).flatMap((gap) =>
    wrapSpans([{ text: gap }], { width, firstIndent: '  - ', indent: '    ' }),
  );
  const heading = `callhook: the schema mirrors validate${options.strict ? ' --strict' : ''}; it cannot express:`;
  process.stderr.write(`${wrapMessage(heading, width)}${gaps.map((line) => `${line}\n`).join('')}`);
}
