/**
 * callhook as a library for Node.js 20.18 or later (it uses `node:fs`, `node:crypto` and
 * `node:stream`, so it runs in no browser): validate one event, read events from files, streams
 * or strings, sign and verify deliveries, the payload schemas with their inferred types, the
 * contract as JSON Schema or OpenAPI, and a generator of realistic traffic. Works where code
 * generation from strings is refused (`node --disallow-code-generation-from-strings`, a CSP).
 */

export {
  type EventEnvelope,
  type FieldOverride,
  fictionalPhones,
  type GeneratedDelivery,
  type GeneratedEvent,
  type GenerateEventsOptions,
  type GenerateOptions,
  generateCalls,
  generateEvents,
  generateTypedCalls,
  type Overrun,
  PastLastInstantError,
  parseFieldOverride,
  RunPastLastInstantError,
  type WireEvent,
} from './core/generate.js';
export type { SchemaDraft } from './core/generate-names.js';
export { CallhookError } from './errors.js';
export { defaultHmacHeader, defaultToleranceSeconds } from './http/names.js';
export {
  type HeaderSource,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  verifyHexHmac,
  verifyStandardWebhook,
} from './http/verify.js';
export type { ReadOptions, Source } from './input/read.js';
export type { ElementInfo, InputRecord, Location, Omitted, Problem, Repair, SourceExcerpt } from './input/types.js';
export {
  type CallAttemptedEvent,
  type CallCompleteEvent,
  type CallReceivedEvent,
  checkEvent,
  codeFrame,
  type EventSource,
  escapeTerminal,
  type InvalidEventResult,
  listSources,
  type ReadEventsOptions,
  type ReadItem,
  readEvents,
  readRecords,
  type SignHexHmacOptions,
  type SignStandardWebhookOptions,
  type SmsEvent,
  type StandardWebhookHeaders,
  schemas,
  signHexHmac,
  signStandardWebhook,
  type ValidateEventOptions,
  type ValidateEventResult,
  type ValidEventResult,
  validateEvent,
} from './library.js';
export {
  type CheckOptions,
  type CheckResult,
  detectTypeByShape,
  type KeyOrder,
  type SchemaIssue,
} from './schema/check.js';
export * from './schema/events.js';
export {
  type JsonSchemaDocument,
  type JsonSchemaOptions,
  jsonSchemaGaps,
  type OpenApiOptions,
  toJsonSchema,
  toOpenApi,
} from './schema/json-schema.js';
