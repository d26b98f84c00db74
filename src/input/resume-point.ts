/**
 * The second thread's resume point (see halves.ts): the states of the splitter's structure at
 * which a reader can start in the middle of a file, and the test that the thread reading up to
 * that byte is in the same state. The splitter consults this; it holds no reading of its own.
 */

/**
 * Where a second thread can start reading a file: at an element of its (first) top-level array,
 * after a comma (`batch`), or at a value at the top level, between values (`top`, as in NDJSON).
 */
export type ResumePoint = 'batch' | 'top';

/** What the structure machine says of where it is, as far as a resume point is concerned. */
export interface StructurePlace {
  /** At the top level, between values; or in a top-level array, expecting an element. */
  where: 'top' | 'batch-element' | 'elsewhere';
  /** Top-level values begun so far. */
  values: number;
  /** Ordinal of the top-level value being read (0 for the first). */
  batch: number;
  /** The last structural byte was a comma (between values, or between elements). */
  afterComma: boolean;
  /** The file reads as NDJSON: one top-level value a line. */
  lineDelimited: boolean;
  /** A comma was found between top-level values (then no point holds). */
  commaAtTop: boolean;
}

/** How the structure starts at a resume point: inside a top-level array after a comma, or at the top level of NDJSON. */
export function resumeStart(point: ResumePoint): { where: 'top' | 'batch-element'; lineDelimited: boolean } {
  // Hint: values at the top level one after another are lines of NDJSON; `isAtResumePoint` holds
  // the first thread to the same reading.
  return point === 'batch' ? { where: 'batch-element', lineDelimited: false } : { where: 'top', lineDelimited: true };
}

/**
 * True when `place` is where a reader started with `resumeStart(point)` would be: in the first
 * top-level array, after a comma, before an element (`batch`); at the top level of NDJSON after a
 * value, with no comma or array open (`top`).
 */
export function isAtResumePoint(place: StructurePlace, point: ResumePoint): boolean {
  if (place.commaAtTop || place.values === 0) return false;
  if (point === 'top') return place.where === 'top' && !place.afterComma && place.lineDelimited;
  return place.where === 'batch-element' && place.batch === 0 && place.values === 1 && place.afterComma;
}
