/** The records the input layer produces: every command reads webhook events through these. */
import type { EventKind, UndocumentedStatusCall, WebhookEvent } from '../schema/events.js';

/** Nesting deeper than this is refused, before parsing as by `generate --set`: no payload nests more than a few levels. */
export const maxDepth = 256;

// Hint: an element becomes one string, and V8's strings hold at most 2^29 - 24 characters.
/** The largest element size a reader can be told to accept (`--max-element-size`, `maxElementBytes`). */
export const largestElementBytes = 511 * 2 ** 20;

/** The code of the problem that ends a source where it could not be read further: an I/O error, not invalid input. */
export const unreadableCode = 'unreadable';

/** Whether a problem ends a source that could not be read further (exit 2, where one not text is judged: exit 1). */
export function isUnreadable(problem: { code: string }): boolean {
  return problem.code === unreadableCode;
}

/** The name standard input goes by in positions and messages. */
export const stdinName = '<stdin>';

/**
 * Why a consumer's merge of a file's two halves refused, when the redeliveries across them are
 * the reason (see `MergingConsumer.merge` in halves.ts). Hint: here, not in halves.ts, so that
 * validate's collector, which listen and fix load, does not bring the reading on two threads.
 */
export const redeliveriesNotTakenOut = 'the redeliveries across the halves could not be taken out exactly';

/** A position in a source file. `line` and `column` are 1-based; columns count UTF-16 code units. */
export interface Location {
  /** The path as the user gave it (`<stdin>` for `-`). */
  file: string;
  line: number;
  column: number;
  /** Byte offset from the start of the file. */
  offset: number;
  /** JSON pointer into the file's top-level value, e.g. `/3120/data/status`; `` for the root. */
  pointer: string;
}

/** Source text around a position: `index` is the position's UTF-16 index in `text`, which may begin mid-line. */
export interface SourceExcerpt {
  text: string;
  index: number;
}

/** A text edit that repairs a syntax problem, in byte offsets of the original file. */
export interface Repair {
  offset: number;
  /** Bytes to delete at `offset` (0 for an insertion). */
  deleteBytes: number;
  insert: string;
}

/** One thing wrong with the input: a syntax error, a schema error, or a consistency warning. */
export interface Problem extends Location {
  severity: 'error' | 'warning';
  /** Stable kebab-case code: `missing-comma`, `trailing-comma`, `missing-field`, `duplicate-id`, ... */
  code: string;
  message: string;
  /** For syntax errors: the source around the position, from which a code frame is drawn (render/code-frame.ts). */
  excerpt?: SourceExcerpt | undefined;
  /** How `callhook fix` would repair it, when it can. */
  repair?: Repair | undefined;
  /** For a `duplicate-id` warning: the redelivered event's id. */
  eventId?: string | undefined;
  /** For a `duplicate-id` warning, once found (see input/first-copies.ts): where the first copy began. */
  firstCopy?: Location | undefined;
  /** True when the file was read no further: it is not text there (binary, compressed, UTF-16). */
  fatal?: true | undefined;
}

/** Where an element sits: in which file, which top-level value (batch), and its position. */
export interface ElementInfo extends Location {
  /** 0-based ordinal of the element among all elements of the file. */
  index: number;
  /**
   * 0-based ordinal of the top-level value the element belongs to. Elements of one JSON array
   * share it (the array is a delivery batch); a lone top-level object is a batch of its own.
   */
  batch: number;
  /** The element's source text, exactly as in the file (cut inside a character by the end of the file: up to that character). */
  text: string;
}

/** How many problems a run lists when not told (`--max-problems`), and how many of each severity the library keeps of an element (`maxIssues`). */
export const defaultMaxProblems = 1000;

/**
 * The most problems `--max-problems` may list of each kind. Hint: each listed problem is held
 * until its file's report is printed, about a kilobyte, and a report is one string: 100 million
 * asked for ran V8 out of memory on 2 million problems, or past its longest string on 5 million
 * (red team hR131). A listing longer than this is read by no one; all are still counted.
 */
export const largestMaxProblems = 100_000;

/** How many errors and warnings were found but not kept. */
export interface Omitted {
  errors: number;
  warnings: number;
}

/** A record of the input stream. */
export type InputRecord =
  /** A valid event; `problems` holds its warnings, if any. */
  | {
      kind: 'event';
      element: ElementInfo;
      event: WebhookEvent;
      value: unknown;
      problems: Problem[];
      /** Problems of the event counted but not in `problems`: past `ReadOptions.maxIssues`, or not built where `ReadOptions.mayListFrom` lists none. */
      omitted?: Omitted | undefined;
      /** True when an earlier event (in any file of this run) had the same envelope `id`: a redelivery. */
      duplicate: boolean;
    }
  /** An element that is not a valid event: a syntax or schema error. `value` is undefined on syntax errors. */
  | {
      kind: 'invalid';
      element: ElementInfo;
      eventKind: EventKind | undefined;
      value: unknown;
      problems: Problem[];
      /** Problems of the element counted but not in `problems`: past `ReadOptions.maxIssues`, or not built where `ReadOptions.mayListFrom` lists none. */
      omitted?: Omitted | undefined;
      /**
       * A CallComplete whose only errors are an undocumented `status`: the call as read, which is
       * counted (summarise's Other) and shown despite them; undefined for any other invalid element.
       */
      call?: UndocumentedStatusCall | undefined;
      /** With `call`: an earlier counted event had the same envelope `id`, as for a valid event: a redelivery. */
      duplicate?: boolean | undefined;
    }
  /** A problem outside any element, e.g. a missing comma between two elements or an unclosed array. */
  | { kind: 'problem'; problem: Problem }
  /** A file begins; `stdin` when it is standard input (`-`, `/dev/stdin`), whatever its name. */
  | { kind: 'file-start'; file: string; stdin?: true | undefined }
  /**
   * A top-level array ends (its `]`, or where it was left open), asked for by `ReadOptions.arrayEnds`;
   * `line` and `column` are where it began (its `[`), and `elements` counts its elements, valid or not.
   */
  | { kind: 'array-end'; file: string; batch: number; line: number; column: number; elements: number }
  /** A file ends; `elements` counts its elements, valid or not. */
  | { kind: 'file-end'; file: string; elements: number; bytes: number };

/**
 * The endings of the files a folder's walk reads (`*.json`, `*.ndjson`, `*.jsonl`), matched in
 * any case (`A.JSON` is read).
 */
export const eventFileEndings = ['json', 'ndjson', 'jsonl'] as const;

/**
 * Names of files of JSON lines: where no line at all is no events (JSON text must hold a value),
 * and where a line's break ends the body it holds.
 */
export const lineDelimitedNames = /\.(ndjson|jsonl)$/i;

/**
 * What names the mark `fix --write` leaves beside a file while it rewrites it in place, until it
 * is whole again: `x.json.fix-in-progress`. Every reading of the file refuses it while it is there.
 */
export const rewriteMark = '.fix-in-progress';

/** The log of a folder `listen --out` writes, one line per delivery (its name marks a capture folder). */
export const captureLogName = 'deliveries.meta';
