/**
 * The library's own entry points: validate one event, read events from paths, a stream or a
 * string, sign a delivery, and escape or frame what a problem quotes. Thin: each is the code the
 * CLI runs, given a shape that suits a program (results, not exit codes) and the checks of a call
 * a JavaScript caller may get wrong.
 */
import { randomUUID } from 'node:crypto';
import { isAnyArrayBuffer, isMap, isSet, isUint8Array } from 'node:util/types';
import { headerValueCharacters } from './http/names.js';
import { signHmacHex, signStandardWebhook as standardSignature } from './http/signing.js';
import { bytesOf, fromWire, hmacHeaderName, hmacKeys, standardKeys } from './http/verify.js';
import { libraryLimitWords } from './input/element.js';
import { listSources as listAll, type ReadOptions, readRecords as readAll, type Source } from './input/read.js';
import { omittedOf } from './input/records.js';
import {
  defaultMaxProblems,
  type InputRecord,
  type Location,
  largestElementBytes,
  type Omitted,
  type Problem,
  type SourceExcerpt,
} from './input/types.js';
import { codeFrame as drawCodeFrame } from './render/code-frame.js';
import { escapeTerminal as escapeForTerminal } from './render/escape.js';
import { narrowestWidth } from './render/formats.js';
import {
  type CheckOptions,
  type CheckResult,
  checkEvent as check,
  type KeyOrder,
  type SchemaIssue,
} from './schema/check.js';
import {
  CallAttemptedDataSchema,
  CallCompleteDataSchema,
  CallReceivedDataSchema,
  EnvelopeSchema,
  type EventKind,
  FlowStepSchema,
  SmsDataSchema,
  type UndocumentedStatusCall,
  type WebhookEvent,
} from './schema/events.js';
import {
  aKindOf,
  assertBoolean,
  assertChoice,
  assertFunction,
  assertString,
  assertWholeNumber,
  deepFrozen,
  type EventType,
  type EveryOption,
  eventTypes,
  kindOf,
  ownOptions,
  shownValue,
} from './schema/names.js';

/** The valibot schemas of the payloads: each type's fields (CallComplete's `data`), the envelope and a flow step. */
export const schemas = deepFrozen({
  CallComplete: CallCompleteDataSchema,
  CallAttempted: CallAttemptedDataSchema,
  CallReceived: CallReceivedDataSchema,
  SMSSent: SmsDataSchema,
  SMSReceived: SmsDataSchema,
  Envelope: EnvelopeSchema,
  FlowStep: FlowStepSchema,
} as const);

/** A validated CallComplete event. */
export type CallCompleteEvent = Extract<WebhookEvent, { type: 'CallComplete' }>;
/** A validated CallAttempted event. */
export type CallAttemptedEvent = Extract<WebhookEvent, { type: 'CallAttempted' }>;
/** A validated CallReceived event. */
export type CallReceivedEvent = Extract<WebhookEvent, { type: 'CallReceived' }>;
/** A validated SMS event: `SMSSent`, `SMSReceived`, or `SMS` when a bare event cannot say which. */
export type SmsEvent = Extract<WebhookEvent, { type: 'SMSSent' | 'SMSReceived' | 'SMS' }>;

/** How `validateEvent` reads a value. */
export interface ValidateEventOptions {
  /** Read the value as this type (as `validate --type`) instead of telling it from its keys. */
  type?: EventType | undefined;
  /** Refuse fields the documentation does not name (as `validate --strict`). */
  strict?: boolean | undefined;
  /**
   * Keep at most this many errors and this many warnings of a value, the first in its order
   * (default 1,000, as `validate --max-problems`; at least 1); the rest are counted in `omitted`, so a
   * payload of a million bad values costs no more memory. `Infinity` keeps every one.
   */
  maxIssues?: number | undefined;
}

/** What `validateEvent` found: `event` is set exactly when `ok`, so `if (result.ok)` narrows it. */
export type ValidateEventResult = ValidEventResult | InvalidEventResult;

interface EventResultBase {
  /** The type the value was read as, if it could be told. */
  type: EventKind | undefined;
  /** Errors and warnings, each with a JSON pointer into the value, a code and a message, as the CLI reports them. */
  issues: SchemaIssue[];
  /** The errors and warnings found past `maxIssues`: counted, not in `issues`. Read-only: when nothing was left out, one shared frozen object. */
  omitted: Readonly<Omitted>;
}

/** A value with no error (warnings may remain in `issues`). */
export interface ValidEventResult extends EventResultBase {
  ok: true;
  /** The event, in one shape for enveloped and bare events. */
  event: WebhookEvent;
}

/** A value with at least one error. */
export interface InvalidEventResult extends EventResultBase {
  ok: false;
  event: undefined;
}

/**
 * Validates one parsed JSON value as a webhook event, as `callhook validate` does: the same
 * checks, codes and messages, pointers relative to the value. Text or bytes not yet parsed, a
 * `Map` or a `Set` is `not-an-object`, its message saying what to do.
 */
export function validateEvent(value: unknown, options: ValidateEventOptions = {}): ValidateEventResult {
  options = ownOptions(options, 'validateEvent', ['type', 'strict', 'maxIssues']);
  assertChoice('type', options.type, eventTypes);
  assertBoolean('strict', options.strict);
  const maxIssues = maxIssuesOf(options);
  const mistaken = mistakenValue(value);
  if (mistaken !== undefined) {
    const message = `expected an event object, received ${mistaken}`;
    const issues: SchemaIssue[] = [{ severity: 'error', code: 'not-an-object', message, pointer: '' }];
    return { ok: false, type: undefined, event: undefined, issues, omitted: noneOmitted };
  }
  const result = check(value, { type: options.type, strict: options.strict, maxIssues });
  const omitted = omittedOf(result, undefined) ?? noneOmitted;
  if (result.event === undefined)
    return { ok: false, type: result.kind, event: undefined, issues: result.issues, omitted };
  return { ok: true, type: result.kind, event: result.event, issues: result.issues, omitted };
}

/**
 * What a value passed by mistake is, and what to do, for one a caller's JSON.parse never gives
 * (text or bytes not yet parsed, a Map, a Set); undefined for any other. Hint: read as objects,
 * bytes had keys "0", "1", "2", … and a Map none, so each was `unknown-shape` (red team hR83).
 */
function mistakenValue(value: unknown): string | undefined {
  if (typeof value === 'string') return 'a string: parse JSON text first (JSON.parse), or read it with readEvents';
  // Hint: what JSON.parse gives goes at once; the kind (a walk of the prototypes) is named only
  // of a value refused, which cost ~350 ns an event when named first (review hR85).
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (Object.getPrototypeOf(value) === Object.prototype) return undefined;
  let what: string;
  if (ArrayBuffer.isView(value) || isAnyArrayBuffer(value)) {
    what = ' (bytes): parse it first (JSON.parse), or read it with readEvents';
  } else if (isMap(value)) what = ': pass a plain object (Object.fromEntries)';
  else if (isSet(value)) what = ': pass a plain object';
  else return undefined;
  return `${aKindOf(value)}${what}`;
}

/** `maxIssues`, checked, or its default. */
function maxIssuesOf(options: { maxIssues?: number | undefined }): number {
  const { maxIssues } = options;
  if (maxIssues === undefined) return defaultMaxProblems;
  // Hint: at least one error is kept, as the CLI keeps it: whether a call's only error is its
  // undocumented status (a call counted, its redeliveries told) is read from the errors kept.
  if (maxIssues !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(maxIssues) && maxIssues >= 1)) {
    throw new TypeError(`maxIssues must be a whole number of at least 1, or Infinity (got ${shownValue(maxIssues)})`);
  }
  return maxIssues;
}

/**
 * What a result that left nothing out says it left out: one shared, frozen. Hint: typed read-only,
 * as every result's `omitted` is, so a caller's `omitted.errors += 1` fails to compile rather
 * than throwing at run time.
 */
const noneOmitted: Readonly<Omitted> = Object.freeze({ errors: 0, warnings: 0 });

/**
 * Where `readEvents` reads from: file or folder paths (an array: every array is read as paths), a
 * stream of bytes or of text (a Node or web stream, a `fetch` body, an async iterable of chunks),
 * or the text itself or its bytes. Hint: a web `ReadableStream` is named apart, since a
 * TypeScript `lib` without `dom.asynciterable` (Next.js's default) does not type it as async
 * iterable, which it is in Node; and by the reader it is read through, not as the global
 * `ReadableStream`, which @types/node 18.19.0 does not declare when the `lib` has no DOM. Hint:
 * bytes are a `Uint8Array | Buffer` here as in every signer and verifier: an older @types/node's
 * (18.19.0's) Buffer is no Uint8Array to TypeScript 5.7 and later, whose Uint8Array is generic.
 */
export type EventSource =
  | readonly string[]
  | NodeJS.ReadableStream
  | {
      getReader(): {
        read(): Promise<{ done: boolean; value?: Uint8Array | Buffer | string | undefined }>;
        cancel(): Promise<void>;
        releaseLock(): void;
      };
    }
  | AsyncIterable<Uint8Array | Buffer | string>
  | string
  | Uint8Array
  | Buffer;

/** How `readEvents` reads. */
export interface ReadEventsOptions extends ValidateEventOptions {
  /** Report a batch (a JSON array) holding more events than this. */
  batchSize?: number | undefined;
  /** Report and skip an element larger than this many bytes (default 64 MiB, at most 511 MiB; `--max-element-size`). */
  maxElementBytes?: number | undefined;
}

/** One thing `readEvents` read: a valid event, an element that is not one, or a problem between elements. */
export type ReadItem =
  | {
      kind: 'event';
      event: WebhookEvent;
      /** The element as parsed. */
      value: unknown;
      /** Where the element starts. */
      position: Location;
      /** Its warnings. */
      problems: Problem[];
      /** True when an earlier event had the same envelope id: a redelivery. */
      duplicate: boolean;
      /** Its warnings past `maxIssues`: counted, not in `problems`. */
      omitted: Readonly<Omitted>;
    }
  | {
      kind: 'invalid';
      type: EventKind | undefined;
      /** The element as parsed; undefined when it is not JSON. */
      value: unknown;
      position: Location;
      /** Its errors and warnings, each at file:line:column. */
      problems: Problem[];
      /** Its errors and warnings past `maxIssues`: counted, not in `problems`. */
      omitted: Readonly<Omitted>;
      /**
       * A CallComplete whose only errors are an undocumented `status`: the call as read, which the
       * CLI counts (summarise's Other) and shows; it takes its id as a valid event does, so a
       * later copy, valid or not, is a redelivery. Undefined for any other invalid element.
       */
      call?: UndocumentedStatusCall | undefined;
      /** With `call`: true when an earlier event (or such a call) had the same envelope id: a redelivery. */
      duplicate?: boolean | undefined;
    }
  | { kind: 'problem'; problem: Problem };

const notSource = (source: unknown) =>
  new TypeError(
    `source must be a list of paths, a byte stream, or JSON text as a string or a Uint8Array (got ${shownValue(source)})`,
  );

function positionOf(element: Location): Location {
  return {
    file: element.file,
    line: element.line,
    column: element.column,
    offset: element.offset,
    pointer: element.pointer,
  };
}

/**
 * Reads webhook events from paths (files and folders, as the CLI does: a single path goes in an
 * array), a byte stream, or JSON or NDJSON text as a string or its bytes: an async iterable of
 * each event with its position and problems, in bounded memory however large the input (save
 * 16 to 32 bytes for each distinct event id, to tell redeliveries). What the CLI warns of the
 * paths (a folder's compressed file, a file named twice) comes first, a warning problem each.
 */
export async function* readEvents(
  source: EventSource,
  options: ReadEventsOptions = {},
): AsyncGenerator<ReadItem, void, undefined> {
  options = ownReadOptions(options, 'readEvents', ['type', 'strict', 'batchSize', 'maxElementBytes', 'maxIssues']);
  const maxIssues = maxIssuesOf(options);
  let paths: readonly string[];
  let stdin: ReadOptions['stdin'];
  // Positions name the file; text and streams have none, so they are named as such, not <stdin>.
  let name: string | undefined;
  if (typeof source === 'string' || isUint8Array(source)) {
    // Hint: a string is text, never a path looked up: a receiver's untrusted body may read `/etc/passwd`.
    paths = ['-'];
    name = typeof source === 'string' ? '<string>' : '<bytes>';
    stdin = callersChunks([bytesOf(source)]);
  } else if (Array.isArray(source)) {
    for (const [index, path] of (source as unknown[]).entries()) assertString(`source[${index}]`, path);
    paths = source as readonly string[];
  } else if (typeof source === 'object' && source !== null) {
    const stream = typeof (source as NodeJS.ReadableStream).pipe === 'function';
    if (!stream && !isWebStream(source) && !(Symbol.asyncIterator in source || Symbol.iterator in source))
      throw notSource(source);
    paths = ['-'];
    name = '<stream>';
    stdin = stream ? (source as NodeJS.ReadableStream) : callersChunks(source as AsyncIterable<unknown>);
  } else throw notSource(source);
  // Hint: told while the paths are listed, before the first file's records: a folder's compressed
  // file went unread without an item, where the CLI warns of it and counts it (red team hR94).
  const warnings: Problem[] = [];
  const records = readAll(
    paths,
    {
      type: options.type,
      strict: options.strict,
      batchSize: options.batchSize,
      maxElementBytes: options.maxElementBytes,
      maxIssues,
      // Hint: where the last 1,024 events first seen began, a ring of fixed size: memory stays flat.
      firstCopies: true,
      stdin,
      stdinIsCallers: true,
      stdinName: name,
      printed: false,
      onWarning: (message, [file = ''], code) =>
        warnings.push({ file, line: 1, column: 1, offset: 0, pointer: '', severity: 'warning', code, message }),
    },
    {},
    libraryLimitWords,
  );
  for await (const chunk of records) {
    for (const problem of warnings.splice(0)) yield { kind: 'problem', problem };
    for (const record of chunk) {
      if (record.kind === 'event') {
        yield {
          kind: 'event',
          event: record.event,
          value: record.value,
          position: positionOf(record.element),
          problems: record.problems,
          duplicate: record.duplicate,
          omitted: record.omitted ?? noneOmitted,
        };
      } else if (record.kind === 'invalid') {
        yield {
          kind: 'invalid',
          type: record.eventKind,
          value: record.value,
          position: positionOf(record.element),
          problems: record.problems,
          omitted: record.omitted ?? noneOmitted,
          ...(record.call ? { call: record.call, duplicate: record.duplicate === true } : {}),
        };
      } else if (record.kind === 'problem') yield { kind: 'problem', problem: record.problem };
    }
  }
}

/** Whether a source is a web `ReadableStream` (a `fetch` body), which has a reader of its own. */
function isWebStream(source: object): source is ReadableStream<unknown> {
  return typeof (source as Partial<ReadableStream>).getReader === 'function';
}

/**
 * The chunks of a caller's stream or iterable, read one at a time as they are asked for (a web
 * stream through its own reader), so that a read left part way (a `break`, `return()`, an error in
 * the caller's loop) ends there: a web stream is cancelled, which closes a `fetch` body's
 * connection, and an iterable's `return()` is called. Hint: not through Readable.from, which read
 * ahead and, destroyed, waited for that read, which a quiet connection never answers (the process
 * never exited); and which refused a null chunk in Node's words before the one check of chunks
 * (input/read.ts) saw it. A failure with a falsy reason (`Promise.reject(undefined)`, `throw null`)
 * says so. The cancel is not awaited: a caller's stream may take its time, and leaving need not wait.
 */
async function* callersChunks(
  source: ReadableStream<unknown> | AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<unknown> {
  const reader = isWebStream(source) ? source.getReader() : undefined;
  try {
    if (reader === undefined) yield* source as AsyncIterable<unknown> | Iterable<unknown>;
    else for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
  } catch (error) {
    throw error || new Error(`rejected with ${shownValue(error)}`);
  } finally {
    reader?.cancel().catch(() => {});
    reader?.releaseLock();
  }
}

/** How to sign a delivery with Standard Webhooks. */
export interface SignStandardWebhookOptions {
  /**
   * `whsec_<base64>` secrets; several (key rotation) give several signatures. A string is read as
   * replay reads `CALLHOOK_SECRET`: comma-separated, each trimmed.
   */
  secrets: readonly string[] | string;
  /** The delivery id (default: a random UUID); keep it the same on every attempt of one delivery. */
  id?: string | undefined;
  /** When it is signed, in Unix seconds (default: now). */
  timestamp?: number | undefined;
}

/** The Standard Webhooks headers of a delivery. */
export interface StandardWebhookHeaders extends Record<string, string> {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** 9999-12-31T23:59:59Z in Unix seconds: the last time a `webhook-timestamp` is signed for. */
const lastTimestamp = 253_402_300_799;

/**
 * Signs a body as Standard Webhooks says (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`),
 * exactly as `callhook replay --sign standard` does; `verifyStandardWebhook` checks it.
 */
export function signStandardWebhook(
  body: string | Uint8Array | Buffer,
  options: SignStandardWebhookOptions,
): StandardWebhookHeaders {
  options = ownOptions(options, 'signStandardWebhook', ['secrets', 'id', 'timestamp']);
  const id = options.id ?? randomUUID();
  // Hint: checked as node:http checks a header value (a tab inside is one; a control character or
  // one past U+00FF is not; it lets C1 controls through, which no id needs), untrimmed (HTTP trims
  // one) and as a receiver reads it back (`fromWire`), or it would be verified as another.
  if (
    typeof id !== 'string' ||
    id === '' ||
    id !== id.trim() ||
    !headerValueCharacters.test(id) ||
    /[\x80-\x9f]/.test(id) ||
    fromWire(id) !== id
  ) {
    throw new TypeError(
      `id must be a header value read as itself: not empty, no blanks around it, no control characters, nothing past U+00FF, no Latin-1 that is UTF-8 (got ${shownValue(id)})`,
    );
  }
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  // Hint: NaN, a fraction or a time past year 9999 would sign a header that no verifier accepts;
  // Date.now() (milliseconds) is the likely mistake, and is said so.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > lastTimestamp) {
    const millis = Number.isSafeInteger(timestamp) && timestamp >= 1e12 && timestamp / 1000 <= lastTimestamp;
    throw new TypeError(
      `timestamp must be whole seconds since 1970, up to the year 9999 (got ${shownValue(timestamp)}${millis ? ': milliseconds? Date.now() / 1000, rounded down' : ''})`,
    );
  }
  const keys = standardKeys(options.secrets);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardSignature(id, timestamp, bytesOf(body), keys),
  };
}

/** How to sign a delivery with a hex HMAC-SHA256 header. */
export interface SignHexHmacOptions {
  /**
   * The secrets, used as their UTF-8 bytes; several give comma-separated digests. A string is read
   * as replay reads `CALLHOOK_SECRET`: comma-separated, each trimmed.
   */
  secrets: readonly string[] | string;
  /** The header name (default `X-Signature`, as replay's `--signature-header`). */
  header?: string | undefined;
}

/**
 * Signs a body with the hex HMAC-SHA256 of its bytes, as `callhook replay --sign hmac` does:
 * returns the one header to send, named as `header` names it; `verifyHexHmac` checks it.
 */
export function signHexHmac(body: string | Uint8Array | Buffer, options: SignHexHmacOptions): Record<string, string> {
  const bytes = bytesOf(body);
  options = ownOptions(options, 'signHexHmac', ['secrets', 'header']);
  return { [hmacHeaderName(options.header)]: signHmacHex(bytes, hmacKeys(options.secrets)) };
}

/**
 * Payload text (a message, a pointer, a name) made safe to print to a terminal, as the CLI prints it.
 * Hint: checked here, not in the renderers, which call it for every cell: a JavaScript caller's
 * number or undefined came back as itself, unescaped, to be printed.
 */
export function escapeTerminal(text: string, keepNewlines = false): string {
  assertString('text', text);
  assertBoolean('keepNewlines', keepNewlines);
  return escapeForTerminal(text, keepNewlines);
}

/**
 * Checks one parsed value as an event, the lower-level piece `validateEvent` is built on, its
 * options checked first as validateEvent's are. Hint: checked here, not in `checkEvent` itself,
 * which the readers call for every event.
 */
export function checkEvent(value: unknown, options: CheckOptions = {}): CheckResult {
  options = ownOptions(options, 'checkEvent', ['type', 'strict', 'warnings', 'maxIssues', 'keyOrder']);
  assertChoice('type', options.type, eventTypes);
  assertBoolean('strict', options.strict);
  assertBoolean('warnings', options.warnings);
  if (options.maxIssues !== undefined) maxIssuesOf(options);
  assertKeyOrder(options.keyOrder);
  return check(value, options);
}

/** Refuses a `keyOrder` that is not a `KeyOrder`: `{}` failed inside, "keys.indexOf is not a function". */
function assertKeyOrder(keyOrder: KeyOrder | undefined): void {
  if (keyOrder === undefined) return;
  const { keysOf, indexOf } = Object(keyOrder) as Partial<KeyOrder>;
  if (keyOrder === null || typeof keysOf !== 'function' || typeof indexOf !== 'function') {
    throw new TypeError(`keyOrder must be { keysOf, indexOf }, two functions (got ${kindOf(keyOrder)})`);
  }
}

/**
 * Reads records from files and folders, the lower-level piece `readEvents` is built on, its paths
 * and options checked first: a string (one path) was read a character at a time, `/` walking the
 * whole file system, and a `chunkSize` of 0 looped for ever.
 */
export async function* readRecords(
  paths: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<InputRecord[], void, undefined> {
  assertPaths(paths);
  options = ownReadOptions(options, 'readRecords', readRecordsOptions);
  for (const name of ['warnings', 'oneValue', 'firstCopies', 'stdinIsCallers', 'arrayEnds'] as const)
    assertBoolean(name, options[name]);
  for (const name of ['stdinName', 'firstLineEnding'] as const) {
    if (options[name] !== undefined) assertString(name, options[name]);
  }
  assertKeyOrder(options.keyOrder);
  // Hint: each failed only when first used: a warning's call, the abort's listener.
  assertFunction('onWarning', options.onWarning);
  assertFunction('mayListFrom', options.mayListFrom);
  if (options.stop !== undefined && !(options.stop instanceof AbortSignal)) {
    throw new TypeError(`stop must be an AbortSignal (got ${kindOf(options.stop)})`);
  }
  // Hint: left out, every issue is kept (as `checkEvent`'s default), not `readEvents`' default.
  if (options.maxIssues !== undefined) maxIssuesOf(options);
  // Hint: a read's length must fit an int32 (2 GiB aborted Node with an assertion); a GiB is plenty.
  assertWholeNumber('readSize', options.readSize, 1, 2 ** 30);
  assertWholeNumber('chunkSize', options.chunkSize, 1, 2 ** 30);
  // Hint: the caller's stdout is its own, no output of the reading's (see `ReadingOptions.printed`).
  yield* readAll(paths, { ...options, printed: false }, {}, libraryLimitWords);
}

/**
 * The files and folders' files that paths name, as the reading commands list them (the
 * lower-level piece `readRecords` reads through), its arguments checked first as readRecords';
 * `onWarning(message, names, code)` is told of a file named again (`named-twice`), and of a
 * folder's compressed file (`compressed`, not read), with the file names the message holds.
 */
export async function listSources(paths: readonly string[], onWarning?: ReadOptions['onWarning']): Promise<Source[]> {
  assertPaths(paths);
  assertFunction('onWarning', onWarning);
  return listAll(paths, onWarning, { printed: false });
}

/** Refuses paths that are not a list of strings: a string (one path) was read a character at a time. */
function assertPaths(paths: readonly string[]): void {
  if (!Array.isArray(paths)) throw new TypeError(`paths must be a list of paths (got ${kindOf(paths)})`);
  for (const [index, path] of paths.entries()) assertString(`paths[${index}]`, path);
}

/** What `readRecords` takes: `checkEvent`'s options and the reader's own. */
const readRecordsOptions = [
  ...['type', 'strict', 'warnings', 'maxIssues', 'keyOrder', 'batchSize', 'maxElementBytes', 'readSize', 'chunkSize'],
  ...['onWarning', 'stdin', 'stdinIsCallers', 'stdinName', 'firstCopies', 'firstLineEnding', 'mayListFrom', 'stop'],
  ...['oneValue', 'arrayEnds'],
] as const;

/**
 * The caller's own options (see `ownOptions`), refusing with a TypeError naming it an option that
 * `readEvents` and `readRecords` share and a caller got wrong.
 */
function ownReadOptions<
  T extends Pick<ReadOptions, 'type' | 'strict' | 'batchSize' | 'maxElementBytes' | 'maxIssues'>,
  const K extends ReadonlyArray<keyof T & string>,
>(options: T, call: string, takes: K & EveryOption<T, K>): T {
  const own = ownOptions<T, K>(options, call, takes);
  assertChoice('type', own.type, eventTypes);
  assertBoolean('strict', own.strict);
  assertWholeNumber('batchSize', own.batchSize, 1);
  assertWholeNumber('maxElementBytes', own.maxElementBytes, 1, largestElementBytes);
  return own;
}

/**
 * A problem's code frame, as `callhook validate` draws it: `codeFrame(p.excerpt, p.line, p.column, width?)`;
 * empty for a problem with no excerpt (only syntax problems have one).
 * Hint: checked here, not in the renderer, which the CLI calls with what is left of a narrow
 * terminal; a width that is not a whole number (NaN) drew the frame without the line's text.
 */
export function codeFrame(excerpt: SourceExcerpt | undefined, line: number, column: number, width = 80): string {
  assertWholeNumber('width', width, narrowestWidth);
  assertWholeNumber('line', line, 1);
  assertWholeNumber('column', column, 1);
  // Hint: only a syntax problem has an excerpt; the README's `codeFrame(problem.excerpt, …)` is
  // typed for any problem, and gives none for one without.
  if (excerpt === undefined) return '';
  // Hint: Object() reads a string or null as an object without the fields, refused below.
  const { text, index = -1 } = Object(excerpt) as Partial<SourceExcerpt>;
  if (typeof text !== 'string' || !Number.isSafeInteger(index) || index < 0 || index > text.length) {
    throw new TypeError(`excerpt must be a problem's excerpt, { text, index } (got ${kindOf(excerpt)})`);
  }
  return drawCodeFrame(excerpt, line, column, width);
}
