/**
 * callhook as a library: the payload schemas, their inferred types, and the functions that
 * classify, validate and read webhook events.
 */

export {
  type EventEnvelope,
  type GeneratedEvent,
  type GenerateOptions,
  generateCalls,
  generateTypedCalls,
  type WireEvent,
} from './core/generate.js';
export { listSources, type ReadOptions, readRecords, type Source } from './input/read.js';
export type { ElementInfo, InputRecord, Location, Problem, Repair } from './input/types.js';
export {
  type CheckOptions,
  type CheckResult,
  checkEvent,
  detectTypeByShape,
  type SchemaIssue,
} from './schema/check.js';
export * from './schema/events.js';
