/**
 * The events of one delivery's body, as `validate` reads them: the input layer's records, kept to
 * what listen answers and shows (the events, each marked when its id was seen before, and the
 * errors of the rest). A small body that is one valid batch is read in one go, `JSON.parse` and
 * the checks `validate` runs; anything else takes the input layer's whole road, which explains it.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { deeperThan, opensMoreThan } from '../input/element.js';
import { FingerprintSet } from '../input/fingerprint-set.js';
import { readRecords } from '../input/read.js';
import type { Problem } from '../input/types.js';
import { maxDepth } from '../input/types.js';
import { surrogatesShown } from '../render/escape.js';
import { checkEvent } from '../schema/check.js';
import type { EventType, WebhookEvent } from '../schema/events.js';

/** An event of a delivery, and whether an earlier one (in this body or an earlier delivery) had its id. */
export interface DeliveredEvent {
  event: WebhookEvent;
  value: unknown;
  duplicate: boolean;
}

/** What a body holds, as listen needs it. */
export interface BodyEvents {
  events: DeliveredEvent[];
  /** Elements that are not valid events. */
  invalid: number;
  /**
   * Elements whose id was seen before (in this body or an earlier delivery): valid events (marked
   * in `events` too) and calls of an undocumented status, which are counted as events are.
   */
  repeated: number;
  /** The first errors found (syntax or schema), in the input layer's order: at most `problemsKept`. */
  problems: Problem[];
  /** The errors found past those: counted, not kept. */
  omittedProblems: number;
  /** The body is not JSON (a syntax error anywhere, or no value at all). */
  syntax: boolean;
}

/**
 * How many errors of a body are kept: those listen shows (its answer, its line). Hint: a 4.5 MB
 * body of 1,500,000 empty flow steps has 3,000,000; kept, they took listen past 3 GB.
 */
export const problemsKept = 5;

/** A body's problem as listen's answer and its JSON line give it: where, what (`code`) and why. */
export function problemJson(p: Problem): {
  line: number;
  column: number;
  pointer: string;
  code: string;
  message: string;
} {
  return {
    line: p.line,
    column: p.column,
    pointer: surrogatesShown(p.pointer),
    code: p.code,
    message: surrogatesShown(p.message),
  };
}

/** How to read a body: `type` as `validate --type`. */
export interface BodyOptions {
  type: EventType | undefined;
}

/**
 * A body as the input layer's stdin. Hint: the input layer only iterates its stdin with
 * `for await`, so one chunk from a generator does, without a Readable stream's machinery per
 * request (which showed in the profile of a loaded listen).
 */
function asStdin(body: Buffer): NodeJS.ReadableStream {
  async function* once(): AsyncGenerator<Buffer> {
    yield body;
  }
  return once() as unknown as NodeJS.ReadableStream;
}

/**
 * The run's event ids as one body's reading sees them: an id is repeated when the run or this
 * body had it before; those the body brings are held back, and added to the run's by `keep`.
 * Hint: a body refused as not JSON is no delivery of events (nor input to the commands that read
 * the capture), so the first accepted copy of its events is no redelivery.
 */
class HeldIds extends FingerprintSet {
  private readonly brought: string[] = [];

  constructor(private readonly run: FingerprintSet) {
    super();
  }

  override add(key: string): boolean {
    if (this.run.holds(key) || !super.add(key)) return false;
    this.brought.push(key);
    return true;
  }

  /** Adds the ids the body brought to the run's. */
  keep(): void {
    for (const key of this.brought) this.run.add(key);
  }
}

/**
 * Reads a body with the input layer, as `validate` reads a file (the whole road), but as one JSON
 * value; the ids of a body that is not JSON are not added to `ids`. Hint: a file may be NDJSON; a
 * body of two values on two lines was accepted, saved as one `.json` body, and replayed as two
 * requests of other bytes.
 */
export async function readBodyEventsFully(
  body: Buffer,
  options: BodyOptions,
  ids: FingerprintSet,
): Promise<BodyEvents> {
  const found: BodyEvents = { events: [], invalid: 0, repeated: 0, problems: [], omittedProblems: 0, syntax: false };
  const keep = (problem: Problem) => {
    if (found.problems.length < problemsKept) found.problems.push(problem);
    else found.omittedProblems++;
  };
  const held = new HeldIds(ids);
  const records = readRecords(
    ['-'],
    // Hint: warnings are not needed to accept or refuse, and leaving them out lets the input
    // layer take its quick path; a repeated id still comes back marked as a duplicate.
    {
      stdin: asStdin(body),
      type: options.type,
      warnings: false,
      maxIssues: problemsKept,
      oneValue: true,
      // Hint: no element is larger than the body that holds it, which --max-body limited: the
      // input layer's default (64 MiB) refused a valid 70 MiB event, naming an option listen lacks.
      maxElementBytes: body.length,
      // Hint: past the problems kept, the rest are only counted: building and placing each of
      // 110,000 invalid elements' made a 4.7 MB body take 4 s, and the requests behind it wait.
      mayListFrom: () => found.problems.length < problemsKept,
    },
    { ids: held },
  );
  for await (const chunk of records) {
    for (const record of chunk) {
      if (record.kind === 'event') {
        found.events.push({ event: record.event, value: record.value, duplicate: record.duplicate });
        if (record.duplicate) found.repeated++;
      } else if (record.kind === 'invalid') {
        found.invalid++;
        if (record.duplicate) found.repeated++;
        if (record.value === undefined) found.syntax = true;
        for (const problem of record.problems) if (problem.severity === 'error') keep(problem);
        found.omittedProblems += record.omitted?.errors ?? 0;
      } else if (record.kind === 'problem' && record.problem.severity === 'error') {
        found.syntax = true;
        keep(record.problem);
      }
    }
  }
  if (body.length === 0) found.syntax = true;
  if (!found.syntax) held.keep();
  return found;
}

/** Bodies up to this size may be read in one go; larger ones stream through the input layer. */
const quickLimit = 1024 * 1024;

/**
 * The events of a body that is one batch (a JSON array, or a lone object) of valid events, read
 * in one go; undefined for any other body, which `readBodyEventsFully` must read (it finds the
 * problems, their positions and pointers). The answer is the one `readBodyEventsFully` gives,
 * `ids` included (body-events.test.ts holds them equal over every fixture and their mutations).
 */
export function readBodyEventsQuickly(body: Buffer, options: BodyOptions, ids: FingerprintSet): BodyEvents | undefined {
  if (body.length === 0 || body.length > quickLimit) return undefined;
  // Hint: an ASCII body decodes as latin1, a plain copy; a body that is not UTF-8 is left to the
  // input layer, which says where.
  let text: string;
  if (isAscii(body)) text = body.toString('latin1');
  else if (isUtf8(body)) text = body.toString('utf8');
  else return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const elements = Array.isArray(value) ? value : [value];
  if (elements.length === 0) return undefined;
  const events: DeliveredEvent[] = [];
  // Hint: the input layer refuses an element nested deeper than it reads; a body with no more
  // brackets than that holds none, and its elements need no walk (as the input's quick path).
  const mayNestTooDeep = opensMoreThan(text, maxDepth);
  for (const element of elements) {
    if (mayNestTooDeep && deeperThan(element, maxDepth)) return undefined;
    // Hint: only whether there is an issue matters here: none are kept (a body of a million bad values has as many).
    const result = checkEvent(element, { type: options.type, warnings: false, maxIssues: 0 });
    if (!result.event || result.errors + result.warnings > 0) return undefined;
    events.push({ event: result.event, value: element, duplicate: false });
  }
  // Hint: the ids are added only once every element is known valid, in order, as the input layer
  // adds them; a body left to it must find the set as it was.
  let repeated = 0;
  for (const delivered of events) {
    const id = delivered.event.id;
    if (id !== undefined && !ids.add(id)) {
      delivered.duplicate = true;
      repeated++;
    }
  }
  return { events, invalid: 0, repeated, problems: [], omittedProblems: 0, syntax: false };
}
