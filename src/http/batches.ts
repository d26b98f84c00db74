/**
 * From input records to request bodies: keeps the events replay may send, groups them the way
 * the platform batches them, and gives every batch a stable key and webhook id. No I/O.
 */
import { createHash, hash as hashOnce } from 'node:crypto';
import { resolve } from 'node:path';
import { CallhookError, ExitCode, type UnreadableFile } from '../errors.js';
import { type InputRecord, type Omitted, type Problem, stdinName } from '../input/types.js';
import { largestBatch } from './names.js';

/** One event replay will send, with the input batch it came from. */
export interface ReplayEvent {
  /** The path as the user gave it. */
  file: string;
  /** 0-based ordinal of its source among the run's: two sources are two, even when named alike. */
  source: number;
  /** Ordinal of the top-level value in its file (elements of one JSON array share it). */
  batch: number;
  /** `file:line:column` of the element, for messages and the journal. */
  location: string;
  /** Byte offset of the element in its file, for progress through the input. */
  offset: number;
  /** The element's exact source text: sent as is unless `--fresh` rewrites it. */
  text: string;
  /** The element sits in an array (its pointer is `/n`), not alone at the top level. */
  inArray: boolean;
  /** The parsed element. */
  value: unknown;
}

/**
 * Where an input array ended (its `]`, or where it was left open): its events, all read, are one
 * whole input batch, sent without waiting for the value after it.
 */
export interface ArrayEnd {
  arrayEnd: true;
  /** The `source` of its events. */
  source: number;
  /** The `batch` of its events. */
  batch: number;
}

/** What replay reads, in input order: the events it may send, and where each input array ends. */
export type ReplayItem = ReplayEvent | ArrayEnd;

/** An element replay will not send, and why. */
export interface SkippedInput {
  location: string;
  message: string;
  /** The code of the problem the message gives, for the advice a person is given (see `advisedMessage`). */
  code?: string | undefined;
  /** Where the file stops being text, read no further: a failure of the run, not a skip. */
  unreadable?: UnreadableFile | undefined;
}

/** A request body ready to send, with what the journal and report need to name it. */
export interface OutboundBatch {
  /** 0-based position among the batches of this run. */
  ordinal: number;
  /**
   * Stable across reruns of the same input and options, however much of an earlier file a run
   * could read: what `--resume` matches on.
   */
  key: string;
  /**
   * The Standard Webhooks `webhook-id`: the same for every attempt, derived from the batch's file
   * (its absolute path; stdin is one), where the batch starts in it and its content (with a rewrite,
   * the body), so a rerun gives the same batch of the same file the same id whatever else it reads.
   */
  webhookId: string;
  /** The exact bytes sent (and signed). */
  body: Buffer;
  /** How many events the body holds. */
  events: number;
  /** `file:line:column` of its first event. */
  source: string;
  /** The file and the byte offset where its last event ends, for progress through the input. */
  last?: { file: string; offset: number } | undefined;
}

/** Options for `replayEventsFromRecords`. */
interface RecordFilterOptions {
  /** Skip events that failed validation (the default); false sends them anyway (`--no-validate`). */
  validate: boolean;
  /** Told about every element that will not be sent: an element that is a value, invalid or unparsable. */
  onSkip?: ((skipped: SkippedInput, record: InputRecord) => void) | undefined;
  /** Told about syntax errors between elements (a missing comma): the elements themselves may still be sent. */
  onProblem?: ((problem: SkippedInput, record: InputRecord) => void) | undefined;
  /** Told of the end of an input array that holds no element (`[]`): no request is made of it. */
  onEmptyArray?: ((record: InputRecord) => void) | undefined;
  /** Keep each event's parsed value (`--fresh` rewrites from it); otherwise only its text is kept. */
  keepValues?: boolean | undefined;
}

/**
 * Why an element is skipped, named where its first error is (as validate and show name it), else
 * where it begins; the errors a capped read counted but did not keep (`omitted`) are more too.
 */
function skippedFor(problems: readonly Problem[], omitted: Omitted | undefined, location: string): SkippedInput {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0] ?? problems[0];
  if (!first) return { location, message: 'invalid event' };
  const more = Math.max(0, errors.length - 1) + (omitted?.errors ?? 0);
  const message = more > 0 ? `${first.message} (and ${more} more)` : first.message;
  return { location: `${first.file}:${first.line}:${first.column}`, message, code: first.code };
}

/**
 * Keeps the elements replay may send from the input layer's records: valid events, and with
 * `validate: false` also schema-invalid ones (syntax errors have nothing to send).
 */
export async function* replayEventsFromRecords(
  records: AsyncIterable<readonly InputRecord[]>,
  options: RecordFilterOptions,
): AsyncGenerator<ReplayItem[]> {
  let source = -1;
  for await (const chunk of records) {
    const events: ReplayItem[] = [];
    for (const record of chunk) {
      if (record.kind === 'file-start') source++;
      if (record.kind === 'array-end') {
        events.push({ arrayEnd: true, source, batch: record.batch });
        if (record.elements === 0) options.onEmptyArray?.(record);
      }
      if (record.kind === 'problem') {
        // A problem between elements (a stray comma, a missing bracket) is not an event;
        // counting it as a skipped one made "7 invalid" where validate counts 6.
        const p = record.problem;
        if (p.severity === 'error')
          options.onProblem?.(
            {
              location: `${p.file}:${p.line}:${p.column}`,
              message: p.message,
              // Hint: the four fields alone: the report lists it as summarise does, not the whole Problem.
              unreadable: p.fatal ? { file: p.file, line: p.line, column: p.column, message: p.message } : undefined,
            },
            record,
          );
        continue;
      }
      if (record.kind !== 'event' && record.kind !== 'invalid') continue;
      const { element } = record;
      const location = `${element.file}:${element.line}:${element.column}`;
      const sendable = record.kind === 'event' || (!options.validate && record.value !== undefined);
      if (!sendable) {
        options.onSkip?.(skippedFor(record.problems, record.omitted, location), record);
        continue;
      }
      events.push({
        file: element.file,
        source,
        batch: element.batch,
        location,
        offset: element.offset,
        text: element.text,
        inArray: element.pointer !== '',
        value: options.keepValues ? record.value : undefined,
      });
    }
    if (events.length > 0) yield events;
  }
}

/** Rewrites an event, from its value and its source text, before it is sent (`--fresh`); returns its new JSON text. */
export type EventRewriter = (value: unknown, text: string) => string;

/** Options for `planBatches`. */
interface PlanOptions {
  /** Re-chunk into arrays of at most this many events; undefined sends input batches as they are. */
  batchSize?: number | undefined;
  rewrite?: EventRewriter | undefined;
  /**
   * Without `batchSize` or `rewrite`: the exact bytes of the input array that holds a batch's
   * events and nothing else (src/input/source-bytes.ts), sent instead of the events joined; undefined
   * when there are none.
   */
  exact?: ((file: string, events: readonly ReplayEvent[]) => Buffer | undefined) | undefined;
  /**
   * Without `batchSize`, an input batch is held whole until it is complete; past this many
   * events replay stops and asks for `--batch-size`, so one huge array cannot exhaust memory.
   */
  maxInputBatch?: number | undefined;
  /**
   * With `batchSize`, send a partial batch after this many ms without new input, instead of
   * holding it until the batch is full or the input ends (for stdin, which may go quiet for a long time).
   */
  lingerMs?: number | undefined;
  /**
   * Name each batch by its place among the run's batches, as journals before version 3 did: for
   * `--resume` of one, whose keys (and the webhook-ids its run sent) are named so.
   */
  placedInRun?: boolean | undefined;
  /**
   * Name each batch's webhook-id by its source's place among the run's inputs, as journals before
   * version 5 did: for `--resume` of one, whose batches go again under the webhook-ids its run sent.
   */
  idBySource?: boolean | undefined;
  /**
   * Fill `--batch-size` batches across files, as journals before version 4 did: for `--resume` of
   * one, whose batches are made again as its run made them, for its keys to match.
   */
  acrossFiles?: boolean | undefined;
  /**
   * For `--resume`: where each batch its journal records starts (`source_offset`, as its key
   * begins) and how many events it held (see `JournalContents.recorded`). A batch is cut there
   * again, whatever cut it then (a pause `lingerMs` waited out, an input array a pause split), so
   * the same events make the same key: one delivered is skipped, one failed goes again under its
   * webhook-id. The events past them are cut as a new run cuts them.
   */
  recorded?: ReadonlyMap<string, number> | undefined;
}

const lingered = Symbol('lingered');

function digest(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 32);
}

/** `[`, the texts joined by commas, `]`, in one buffer of the exact `size`. */
function joined(texts: readonly string[], size: number): Buffer {
  const body = Buffer.allocUnsafe(size);
  let at = body.write('[', 0);
  for (const [i, text] of texts.entries()) {
    if (i > 0) at += body.write(',', at);
    at += body.write(text, at);
  }
  body.write(']', at);
  return body;
}

/**
 * Groups events into request bodies, in input order: arrays of at most `batchSize` events, or
 * each input batch as it is (its own bytes when `exact` has them; a lone object becomes a
 * one-element array, handed on as soon as it is read, an array as soon as its `ArrayEnd` is).
 * Pulls only as many events as the batch being built needs, so it keeps the input layer's back-pressure.
 */
export async function* planBatches(
  events: AsyncIterable<readonly ReplayItem[]>,
  options: PlanOptions = {},
): AsyncGenerator<OutboundBatch> {
  const limit = options.maxInputBatch ?? largestBatch;
  let ordinal = 0;
  let pending: ReplayEvent[] = [];
  /** How many events the journal's batch that `pending` makes again held; undefined for a batch of this run's own. */
  let recut: number | undefined;
  /** The last file named in a webhook-id, and its name there: worked out once a file, not once a batch. */
  let named: { file: string; tag: string } | undefined;
  const tagOf = (file: string): string => {
    if (named?.file !== file) {
      named = { file, tag: hashOnce('sha256', file === stdinName ? file : resolve(file), 'hex').slice(0, 16) };
    }
    return named.tag;
  };

  const build = (group: ReplayEvent[]): OutboundBatch => {
    const [first] = group;
    const end = group.at(-1);
    if (first === undefined || end === undefined) throw new Error('a batch holds at least one event');
    // Hint: the key hashes the original text, not the rewritten one, so `--fresh --resume`
    // still recognises batches that a previous run delivered; where the batch starts (its source,
    // and its first event's byte in it) keeps two identical batches apart. Not its place in the
    // run: a file that could not be read moved every later batch to another key, and a --resume
    // with the file back sent them again under new webhook-ids. The body is one buffer of the exact size, written text by text: joining
    // the texts into one string first costs several times more on large events (V8 flattens
    // the joined string, then encodes it again), and a buffer per event left pooled slabs for
    // the garbage collector, most of a large replay's memory.
    // Hint: a one-event batch is hashed in one call: a Hash object costs more than the hashing.
    const hash = group.length > 1 ? createHash('sha256') : undefined;
    const texts: string[] = [];
    let size = 2 + Math.max(0, group.length - 1);
    for (const event of group) {
      hash?.update(event.text);
      hash?.update('\n');
      const text = options.rewrite ? options.rewrite(event.value, event.text) : event.text;
      texts.push(text);
      size += Buffer.byteLength(text);
    }
    const asIs =
      options.batchSize === undefined && !options.rewrite && first.inArray
        ? options.exact?.(first.file, group)
        : undefined;
    const body = asIs ?? joined(texts, size);
    const contentHash = (hash ? hash.digest('hex') : hashOnce('sha256', `${first.text}\n`, 'hex')).slice(0, 32);
    const place = options.placedInRun ? String(ordinal) : `${first.source}_${first.offset}`;
    const key = `${place}-${contentHash}`;
    // Hint: the webhook-id names the file, by its absolute path, not its place among the inputs:
    // `replay a.json b.json` and `replay b.json` gave b's batches other ids, and a receiver dropping
    // duplicates by webhook-id took a rerun's batches twice (red team hR93). The key keeps the
    // place, so that a journal's keys still match.
    const at = options.placedInRun || options.idBySource ? place : `${tagOf(first.file)}_${first.offset}`;
    // Without a rewrite the body is a function of the original text, so the key's hash already
    // names its content and a second hash per batch would be wasted.
    const webhookId = options.rewrite ? `msg_${digest(at, '\n', body)}` : `msg_${at}_${contentHash}`;
    const last = { file: end.file, offset: end.offset + Buffer.byteLength(end.text) };
    const batch = { ordinal, key, webhookId, body, events: group.length, source: first.location, last };
    ordinal++;
    return batch;
  };

  /** The batch of the events pending. */
  const handOn = (): OutboundBatch => {
    const batch = build(pending);
    pending = [];
    recut = undefined;
    return batch;
  };
  /** The count of the journal's batch that starts at `event`, when one does and its count is one this run could hold. */
  const recordedAt = (event: ReplayEvent): number | undefined => {
    const events = options.recorded?.get(`${event.source}_${event.offset}`);
    return events !== undefined && events <= (options.batchSize ?? limit) ? events : undefined;
  };

  const iterator = events[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<readonly ReplayItem[]>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      next ??= iterator.next();
      let result: IteratorResult<readonly ReplayItem[]> | typeof lingered;
      // Hint: only a --batch-size batch lingers: without one, a batch is an input batch, sent
      // whole, a lone value at once and an array at its end (below).
      // Cut by a pause, `[ev1,` … `ev2]` went as two requests under two keys (red team hR88).
      // Hint: nor does a batch the journal records, held until whole: cut short by a pause, one
      // delivered would be sent again under another key.
      if (
        options.lingerMs !== undefined &&
        options.batchSize !== undefined &&
        recut === undefined &&
        pending.length > 0
      ) {
        // Hint: only one race per pending read: after a linger the batch is empty, so the next
        // wait for the same read is a plain await, and no reaction piles up on it.
        const quiet = new Promise<typeof lingered>((resolve) => {
          timer = setTimeout(() => resolve(lingered), options.lingerMs);
        });
        result = await Promise.race([next, quiet]);
        clearTimeout(timer);
        if (result === lingered) {
          yield handOn();
          continue;
        }
      } else result = await next;
      next = undefined;
      if (result.done) break;
      for (const event of result.value) {
        if ('arrayEnd' in event) {
          // Hint: at its `]`, not once the next value begins: a producer that writes an array per
          // webhook and then waits had each sent only when the next came, the last never (hF80).
          const head = pending[0];
          if (options.batchSize === undefined && head?.source === event.source && head.batch === event.batch) {
            yield handOn();
          }
          continue;
        }
        const recorded = recordedAt(event);
        if (recorded !== undefined && pending.length > 0) yield handOn();
        if (options.batchSize === undefined) {
          const head = pending[0];
          if (head && (head.source !== event.source || head.batch !== event.batch)) yield handOn();
          if (pending.length >= limit) {
            throw new CallhookError(
              `${pending[0]?.location}: this input batch has more than ${limit} events; pass --batch-size to split it`,
              ExitCode.usage,
            );
          }
        } else {
          // Hint: a batch holds events of one file. Filled across files, a file that could not be
          // read part way moved every later cut, so --resume sent delivered events again under
          // keys and webhook-ids no run had used (review hR75).
          const crossing = pending[0] !== undefined && pending[0].source !== event.source;
          if (crossing && !options.acrossFiles) yield handOn();
        }
        pending.push(event);
        recut = recorded ?? recut;
        const whole =
          recut !== undefined
            ? pending.length === recut
            : options.batchSize === undefined
              ? !event.inArray
              : pending.length === options.batchSize;
        if (whole) yield handOn();
      }
    }
  } finally {
    clearTimeout(timer);
    // Stopped early: close the input. Hint: not awaited while a read is pending (a quiet stdin),
    // which would hold the run until more input came.
    if (next === undefined) await iterator.return?.();
    else void iterator.return?.()?.catch(() => {});
  }
  if (pending.length > 0) yield handOn();
}
