/**
 * What `listen --out` writes and `verify` reads back agree on: the description of a captured
 * delivery and the names of a capture folder's files. The folder's layout is described in
 * src/server/capture.ts (the writer); src/input/captures.ts reads it.
 */

/** The description of one captured delivery: a line of `deliveries.meta` (or a layout 1 `NNNNNN.meta`). */
export interface CaptureMeta {
  /**
   * The layout's version: 3 for a line of the log naming a line of an `.ndjson` file (`line` and
   * `offset` say which), 2 for a line of the log naming a body file, 1 for a file of its own.
   */
  capture: 1 | 2 | 3;
  /** When the request's body had been read, ISO 8601. */
  receivedAt: string;
  method: string;
  /** The request target as sent (path and query). */
  path: string;
  /** Headers as received: names in their case and order, repeated ones repeated. */
  headers: [string, string][];
  /** The body's file name, beside this one. */
  body: string;
  /** Layout 3: the body's line in that file (1-based), and where it begins, in bytes. */
  line?: number | undefined;
  offset?: number | undefined;
  bytes: number;
  sha256: string;
  /** The status answered; with --forward, the upstream's; 499 none (the sender had gone). */
  status: number;
  /** With --forward, what the upstream answered a sender gone by then (status 499); absent in older captures. */
  upstreamStatus?: number | undefined;
  /** What --respond or --fail-rate chose to answer a sender gone by then (status 499; 0 a reset); absent in older captures. */
  meantStatus?: number | undefined;
  /** The status listen's own checks gave, when --forward replaced it with the upstream's. */
  checkedStatus?: number | undefined;
  /** With --forward, why the relay failed (status 502, or 499 for a sender gone); absent in older captures. */
  forwardError?: string | undefined;
  /** With --sign standard, the --tolerance (seconds) listen checked the timestamp with; absent in older captures. */
  tolerance?: number | undefined;
}

/** How a capture description's file name ends: the log's, and a layout 1 `NNNNNN.meta`'s. */
export const metaSuffix = '.meta';
/** The endings of the files listen numbers (`NNNNNN.json`, ...), one number to a file. */
export const endings = ['json', 'ndjson', 'body', 'meta'] as const;
/**
 * The highest number listen gives a capture: 15 digits, so that it, and the number after it,
 * read back exactly. Hint: past 2^53 a name reads as another number (9007199254740993 as ...992)
 * and `next++` stops moving; a name numbered higher is someone else's and not counted.
 */
export const lastNumber = 999_999_999_999_999;
/** A file listen numbered: its number and its ending. */
export const numbered = /^(\d+)\.(json|ndjson|body|meta)$/;
/** The names listen gives a body's file. */
export const bodyName = /^\d+\.(json|ndjson|body)$/;
