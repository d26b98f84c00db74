/** The validation report: what `callhook validate` found, per file and in total. Pure. */

import { ExitCode, exitCodeWithUnreadable } from '../errors.js';
import { firstGivenAt } from '../input/element.js';
import type { CutPosition, Redelivery } from '../input/halves.js';
import { duplicateIdMessage, firstSeenId } from '../input/records.js';
import {
  type InputRecord,
  isUnreadable,
  type Location,
  type Omitted,
  type Problem,
  redeliveriesNotTakenOut,
} from '../input/types.js';

/** One file's results. */
export interface FileReport {
  file: string;
  /** It is standard input, whatever its name (a file may be called `<stdin>`). */
  stdin?: true | undefined;
  /** Elements read (valid or not). */
  events: number;
  valid: number;
  invalid: number;
  errors: number;
  warnings: number;
  /** The problems kept (at most `maxProblems` over the whole run), in source order. */
  problems: Problem[];
  /** Problems counted but not kept because of `maxProblems`. */
  omitted: number;
}

/**
 * A warning of the paths given, not of any file's content (see `ValidationCollector.pathWarned`):
 * what it is about, `ReadOptions.onWarning`'s code (`named-twice`, `compressed`), and its message.
 */
export interface PathWarning {
  code: string;
  message: string;
}

/** The whole run's results; `--format json` prints all but `pathWarnings` (counted in its totals). */
export interface ValidationReport {
  ok: boolean;
  files: FileReport[];
  totals: { files: number; events: number; valid: number; invalid: number; errors: number; warnings: number };
  pathWarnings: PathWarning[];
}

/** Options that change what counts. */
export interface ValidationOptions {
  /**
   * Keep at most this many problems that fail the run in the report, and at most this many that
   * do not (warnings), each file's first by place (counting goes on); default unlimited.
   */
  maxProblems?: number | undefined;
  /** Warnings fail the run too. */
  warningsAsErrors?: boolean | undefined;
  /** List warnings (default true); false counts them without listing them, as `-q` prints. */
  listWarnings?: boolean | undefined;
}

/** Builds a `ValidationReport` from input records, one file at a time. */
export class ValidationCollector {
  private readonly files: FileReport[] = [];
  private current: FileReport | undefined;
  /** The problems kept so far that fail the run (`true`) and that do not (`false`). */
  private readonly kept = new Map<boolean, number>([
    [true, 0],
    [false, 0],
  ]);
  /** The warnings of the paths given rather than of a file's content (see `pathWarned`). */
  private readonly pathWarnings: PathWarning[] = [];
  private readonly options: ValidationOptions;

  constructor(options: ValidationOptions = {}) {
    this.options = options;
  }

  /** Whether a problem of `severity` fails the run: an error, or a warning under `warningsAsErrors`. */
  private fails(severity: Problem['severity']): boolean {
    return severity === 'error' || this.options.warningsAsErrors === true;
  }

  private addProblem(report: FileReport, problem: Problem): void {
    if (problem.severity === 'error') report.errors++;
    else report.warnings++;
    // Hint: a warning -q will not print must not take a place of --max-problems from an error.
    if (problem.severity === 'warning' && this.options.listWarnings === false) return;
    // Hint: a problem is found where the reading can tell it (a trailing comma at the end of the
    // file, after what follows it), so the list is kept in the order of places as it grows, and
    // once --max-problems is reached one placed before the file's last kept takes its place.
    // Hint: a file read no further (`fatal`) is always listed, and takes no place of the limit's:
    // nothing else in the report says that the rest of the file was not read.
    // Hint: what fails the run and what does not each have --max-problems places, so that no
    // number of warnings before it can leave an error out of the list (review hF67).
    const { problems } = report;
    if (!problem.fatal) {
      const fails = this.fails(problem.severity);
      const kept = this.kept.get(fails) ?? 0;
      if (this.options.maxProblems !== undefined && kept >= this.options.maxProblems) {
        report.omitted++;
        const last = problems.findLastIndex((other) => !other.fatal && this.fails(other.severity) === fails);
        if (last < 0 || !isBefore(problem, problems[last] as Problem)) return;
        problems.splice(last, 1);
      } else this.kept.set(fails, kept + 1);
    }
    problems.splice(problems.findLastIndex((kept) => !isBefore(problem, kept)) + 1, 0, problem);
  }

  /**
   * Adds to the report of the run's `index`th file (from 0) a problem found once it was done: a
   * file that could not be read again (see `nameFirstCopies`). Returns that report.
   */
  addLate(index: number, problem: Problem): FileReport | undefined {
    const report = this.files[index];
    if (report) this.addProblem(report, problem);
    return report;
  }

  /**
   * Whether a problem of `severity` placed at or after `at` may still be listed, for
   * `ReadOptions.mayListFrom`. Not once --max-problems of its kind (failing the run or not) are
   * listed and `at` is not before the last listed of that kind in its file: from then on only a
   * problem placed before that one takes a place (see `addProblem`), and a file not begun lists
   * none but a fatal one; nor a warning that is not listed (-q). Hint: the reader asks before it
   * hands on the records read before `at`; adding them only fills the list and moves its last
   * place up, so a no holds.
   */
  mayListFrom(at: Location, severity: Problem['severity'] = 'error'): boolean {
    if (severity === 'warning' && this.options.listWarnings === false) return false;
    const { maxProblems } = this.options;
    const fails = this.fails(severity);
    if (maxProblems === undefined || (this.kept.get(fails) ?? 0) < maxProblems) return true;
    if (this.current?.file !== at.file) return false;
    const last = this.current.problems.findLast((kept) => !kept.fatal && this.fails(kept.severity) === fails);
    return last !== undefined && isBefore(at, last);
  }

  /**
   * Counts the problems an element found but did not keep (see `ReadOptions.maxIssues`): each
   * comes after the --max-problems its element kept of its severity, or where `mayListFrom` said
   * none is listed, so none would be listed.
   */
  private addOmitted(report: FileReport, omitted: Omitted): void {
    report.errors += omitted.errors;
    report.warnings += omitted.warnings;
    report.omitted += omitted.errors + (this.options.listWarnings === false ? 0 : omitted.warnings);
  }

  /** Takes one record; returns the file's report when the record ends a file. */
  add(record: InputRecord): FileReport | undefined {
    switch (record.kind) {
      case 'file-start':
        this.current = {
          file: record.file,
          ...(record.stdin ? { stdin: true } : {}),
          events: 0,
          valid: 0,
          invalid: 0,
          errors: 0,
          warnings: 0,
          problems: [],
          omitted: 0,
        };
        this.files.push(this.current);
        return undefined;
      case 'file-end': {
        const done = this.current;
        this.current = undefined;
        return done;
      }
      case 'problem':
        if (this.current) this.addProblem(this.current, record.problem);
        return undefined;
      case 'array-end':
        return undefined;
      default: {
        const report = this.current;
        if (!report) return undefined;
        report.events++;
        if (record.kind === 'event') report.valid++;
        else report.invalid++;
        for (const problem of record.problems) this.addProblem(report, problem);
        if (record.omitted) this.addOmitted(report, record.omitted);
        return undefined;
      }
    }
  }

  /**
   * Adds the second half of the file being read, which another collector read from `cut` on (see
   * input/halves.ts): its problems come after this one's, moved to the file's lines, columns and
   * element indices, with a `duplicate-id` warning added to each of `redeliveries` (events it
   * took as first seen whose ids this side had seen). Returns undefined once added; or, adding
   * nothing, why the half cannot be placed exactly (it read on past the top-level array it began in).
   */
  mergeHalf(half: ValidationHalf, redeliveries: readonly Redelivery[], cut: CutPosition): string | undefined {
    const report = this.current;
    if (!report) return 'no file was being read';
    if (cut.batchIndex !== undefined && half.leftFirstValue) {
      return 'the second half read on past the top-level array it began in';
    }
    // The redeliveries' warnings, already at their places in the file (not moved below).
    const inserts: { at: number; problem: Problem }[] = [];
    for (const { record, first, line, column } of redeliveries) {
      const warning = record.problems.at(-1);
      if (warning?.code !== 'duplicate-id') return redeliveriesNotTakenOut;
      const { index, problems } = firstSeen(half, first);
      const element = index < 0 ? '' : `/${index + (cut.batchIndex ?? 0)}`;
      inserts.push({
        at: problems,
        problem: {
          ...warning,
          line: line + warning.line - 1,
          column: warning.line === 1 ? column + warning.column - 1 : warning.column,
          pointer: element + warning.pointer.slice(record.element.pointer.length),
        },
      });
    }
    // The ids seen on both sides: the half's own redeliveries of them are of this side's copy.
    const across = new Map<string, Location | undefined>();
    for (const { record, event } of redeliveries) {
      if (event.id !== undefined) across.set(event.id, record.problems.at(-1)?.firstCopy);
    }
    const moved = (problem: Problem): Problem => movedBy(problem, cut, across);
    let errors = 0;
    let warnings = 0;
    const take = (problem: Problem) => {
      if (problem.severity === 'error') errors++;
      else warnings++;
      this.addProblem(report, problem);
    };
    // Hint: the half kept its first `maxProblems` problems of each kind, which are all this run can still
    // keep; those it only counted, and the warnings that would go among them, are counted here.
    let next = 0;
    const takeInsertsUpTo = (j: number) => {
      for (let insert = inserts[next]; insert !== undefined && insert.at <= j; insert = inserts[++next]) {
        take(insert.problem);
      }
    };
    half.report.problems.forEach((problem, j) => {
      takeInsertsUpTo(j);
      take(moved(problem));
    });
    takeInsertsUpTo(half.report.problems.length);
    const restErrors = half.report.errors - errors;
    const restWarnings = half.report.warnings + inserts.length - warnings;
    report.errors += restErrors;
    report.warnings += restWarnings;
    // Hint: a warning -q does not list is not one left out by --max-problems (see `addProblem`).
    report.omitted += restErrors + (this.options.listWarnings === false ? 0 : restWarnings);
    report.events += half.report.events;
    report.valid += half.report.valid;
    report.invalid += half.report.invalid;
    return undefined;
  }

  /**
   * Adds a warning of the paths given, not of any file's content (a folder's compressed file not
   * read, a file named twice): counted in the totals' warnings, and so, under `warningsAsErrors`,
   * failing the run as every warning does; kept for the formats that list what fails the run.
   * Hint: said and not counted, a folder whose gzipped exports were skipped passed
   * --warnings-as-errors (review hF61); counted and not kept, JUnit and GitHub showed no reason
   * for the failed run (red team hR101).
   */
  pathWarned(warning: PathWarning): void {
    this.pathWarnings.push(warning);
  }

  /** The report so far. */
  report(): ValidationReport {
    const totals = {
      files: this.files.length,
      events: 0,
      valid: 0,
      invalid: 0,
      errors: 0,
      warnings: this.pathWarnings.length,
    };
    for (const file of this.files) {
      totals.events += file.events;
      totals.valid += file.valid;
      totals.invalid += file.invalid;
      totals.errors += file.errors;
      totals.warnings += file.warnings;
    }
    const ok = totals.errors === 0 && !(this.options.warningsAsErrors && totals.warnings > 0);
    return { ok, files: this.files, totals, pathWarnings: this.pathWarnings };
  }
}

/**
 * What the reader of a file's second half found, for `ValidationCollector.mergeHalf`: its
 * report (positions counted from where it began), and for the events whose ids it saw first
 * (numbered 0, 1, ... in order) their indices in their top-level arrays and how many problems had
 * been counted up to the end of each, as runs (see `HalfValidationCollector`).
 */
export interface ValidationHalf {
  report: FileReport;
  /** Run `r` begins at the event numbered `starts[r]`; see `firstSeen`. */
  firsts: { starts: Uint32Array; gaps: Int32Array; problems: Uint32Array };
  /** It read elements of a top-level value after the one it began in. */
  leftFirstValue: boolean;
}

/** The index in its top-level array (-1 for a lone value) and the problems counted up to its end, of the event numbered `first`. */
/** The gap of a lone value (no array), which no element's gap can be: an Int32's least. */
const loneValue = -(2 ** 31);

function firstSeen(half: ValidationHalf, first: number): { index: number; problems: number } {
  const { starts, gaps, problems } = half.firsts;
  // The last run that begins at or before `first`.
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? Number.POSITIVE_INFINITY) <= first) low = middle;
    else high = middle - 1;
  }
  const gap = gaps[low] ?? loneValue;
  return { index: gap === loneValue ? -1 : first + gap, problems: problems[low] ?? 0 };
}

/**
 * Collects the second half of one file (see input/halves.ts) into a `ValidationHalf`. What
 * it keeps of each event it saw first changes only at an event after a problem or an element that
 * is not such an event (invalid and not a counted call, a redelivery, with no id), so it keeps runs: a few bytes for most
 * exports instead of 8 an event (the half of a 2 GB export holds about a million).
 */
export class HalfValidationCollector {
  private readonly collector: ValidationCollector;
  private readonly report: FileReport;
  private runs = { starts: new Uint32Array(64), gaps: new Int32Array(64), problems: new Uint32Array(64) };
  private length = 0;
  private count = 0;
  private leftFirstValue = false;

  constructor(file: string, options: ValidationOptions = {}) {
    this.collector = new ValidationCollector(options);
    this.collector.add({ kind: 'file-start', file });
    const [report] = this.collector.report().files;
    if (report === undefined) throw new Error('a collector that was told of a file reports it');
    this.report = report;
  }

  /** See `ValidationCollector.mayListFrom`: the half lists its first --max-problems as a file would. */
  mayListFrom(at: Location, severity: Problem['severity'] = 'error'): boolean {
    return this.collector.mayListFrom(at, severity);
  }

  /** Takes one record of the half (its `file-start` left out). */
  add(record: InputRecord): void {
    this.collector.add(record);
    if (record.kind !== 'event' && record.kind !== 'invalid') return;
    if (record.element.batch > 0) this.leftFirstValue = true;
    if (firstSeenId(record) === undefined) return;
    const first = this.count++;
    // In an array, the element's index less its number among the events first seen: the
    // elements before it that were not such events; negative in NDJSON of batches, whose indices
    // start again on each line. `loneValue` for a lone value.
    const gap = record.element.pointer === '' ? loneValue : Number(record.element.pointer.slice(1)) - first;
    const problems = this.report.errors + this.report.warnings;
    const last = this.length - 1;
    if (last >= 0 && this.runs.gaps[last] === gap && this.runs.problems[last] === problems) return;
    if (this.length === this.runs.starts.length) this.grow();
    this.runs.starts[this.length] = first;
    this.runs.gaps[this.length] = gap;
    this.runs.problems[this.length] = problems;
    this.length++;
  }

  /** What it found, as plain data another thread can take. */
  state(): ValidationHalf {
    const n = this.length;
    const { starts, gaps, problems } = this.runs;
    return {
      report: this.report,
      firsts: { starts: starts.slice(0, n), gaps: gaps.slice(0, n), problems: problems.slice(0, n) },
      leftFirstValue: this.leftFirstValue,
    };
  }

  private grow(): void {
    const size = this.runs.starts.length * 2;
    const grown = { starts: new Uint32Array(size), gaps: new Int32Array(size), problems: new Uint32Array(size) };
    grown.starts.set(this.runs.starts);
    grown.gaps.set(this.runs.gaps);
    grown.problems.set(this.runs.problems);
    this.runs = grown;
  }
}

/**
 * Where the messages of element.ts and split.ts say a bracket was opened: moved with the problem.
 * Hint: anchored at their start, so that payload text a message quotes (a key) is never changed.
 */
const openedAt =
  /^((?:expected "[\]}]" to close|unexpected end of (?:file|the line):) the (array|object)) opened at line (\d+), column (\d+)/;

/**
 * A problem of a file's second half, read from `cut` on, at its place in the whole file: lines
 * count on from the cut's, columns of its first line from the cut's column, and inside the
 * top-level array the element indices from the cut's. A redelivery's first copy moves with it,
 * unless its id is one of `across` (seen before the cut too): then it is that one, where known.
 */
function movedBy(problem: Problem, cut: CutPosition, across: ReadonlyMap<string, Location | undefined>): Problem {
  const { batchIndex } = cut;
  const moved = <T extends Location>(at: T): T => ({
    ...at,
    line: at.line + cut.line - 1,
    column: at.line === 1 ? at.column + cut.column - 1 : at.column,
    pointer:
      batchIndex === undefined
        ? at.pointer
        : at.pointer.replace(/^\/(\d+)/, (_, index: string) => `/${Number(index) + batchIndex}`),
  });
  const id = problem.eventId;
  const opened = openedAt.exec(problem.message);
  if (opened) {
    // Hint: the top-level array the half began in opened, for its reader, where it began reading.
    const resumedIn = opened[2] === 'array' && opened[3] === '1' && opened[4] === '1' && cut.opened;
    const at = resumedIn || moved({ line: Number(opened[3]), column: Number(opened[4]), pointer: '' } as Location);
    problem = {
      ...problem,
      message: problem.message.replace(openedAt, `$1 opened at line ${at.line}, column ${at.column}`),
    };
  }
  const first = id !== undefined && across.has(id) ? across.get(id) : problem.firstCopy && moved(problem.firstCopy);
  if (id !== undefined) return { ...moved(problem), firstCopy: first, message: duplicateIdMessage(id, first) };
  if (!problem.firstCopy || !first) return moved(problem);
  // A duplicate key's first copy, in its element: the message ends with its place.
  const said = firstGivenAt(problem.firstCopy);
  const message = problem.message.endsWith(said)
    ? problem.message.slice(0, -said.length) + firstGivenAt(first)
    : problem.message;
  return { ...moved(problem), firstCopy: first, message };
}

/** Whether problem `a` is placed before `b` in their file. */
function isBefore(a: Location, b: Location): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column);
}

/** A file passes when it has no errors (and, under `warningsAsErrors`, no warnings). */
export function filePassed(file: FileReport, options: ValidationOptions = {}): boolean {
  return file.errors === 0 && !(options.warningsAsErrors && file.warnings > 0);
}

/** The exit code of a validation run: 0 when it passed, 1 when it did not, 2 when a file could not be read. */
export function validationExitCode(report: ValidationReport): number {
  // Hint: a file not text is judged (exit 1); one that could not be read is an I/O error (exit 2).
  const unreadable = report.files.filter((file) => file.problems.some(isUnreadable)).length;
  return exitCodeWithUnreadable(report.ok ? ExitCode.ok : ExitCode.invalid, unreadable);
}
