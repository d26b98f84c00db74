/** The warnings of what show, trace and replay skip, said up to a limit and counted past it. */
import { defaultMaxProblems, type InputRecord } from '../input/types.js';
import { pointerExcerpt } from '../schema/check.js';
import { advisedMessage } from './validation.js';
import { grouped } from './words.js';

/**
 * Says the first warnings of the elements and problems a run skips, as many as `validate` lists
 * by default, and counts the rest for one line at the end: a file of a million broken lines was
 * 122 MB on stderr, one line each.
 */
export class SkipWarnings {
  private said = 0;
  private unsaid = 0;
  /** The input arrays of no element not said: nothing skipped, and nothing validate lists. */
  private emptiesUnsaid = 0;

  /** Whether the next warning, of `record`, is to be said; one that is not is counted. */
  private take(record: InputRecord): boolean {
    if (this.said < defaultMaxProblems) {
      this.said++;
      return true;
    }
    if (record.kind === 'array-end') this.emptiesUnsaid++;
    else this.unsaid++;
    return false;
  }

  /** The warning of `record` (see `renderSkipWarning`) when it is one and is to be said; one not said is counted. */
  warningFor(record: InputRecord): SkipWarning | undefined {
    const warning = renderSkipWarning(record);
    return warning !== undefined && this.take(record) ? warning : undefined;
  }

  /** The line that ends a run some of whose warnings were not said, or undefined. */
  end(): string | undefined {
    const empties =
      this.emptiesUnsaid === 0
        ? undefined
        : `${grouped(this.emptiesUnsaid)} more input ${this.emptiesUnsaid === 1 ? 'array' : 'arrays'} with no element not listed`;
    if (this.unsaid === 0) return empties;
    const what = this.unsaid === 1 ? 'more skipped element or problem' : 'more skipped elements and problems';
    const skipped = `${grouped(this.unsaid)} ${what} not listed: callhook validate --max-problems N lists more`;
    return empties === undefined ? skipped : `${empties}; ${skipped}`;
  }
}

/** A skip warning: its message, and the text in it a terminal keeps whole (for `warningLine`). */
export interface SkipWarning {
  message: string;
  /** The `file:line:column` it names: a file's name may hold spaces, and is never broken. */
  names: string[];
}

/**
 * The warning for an input record that is not a valid event (it is skipped), naming
 * file:line:column and the JSON pointer as validate does, or that ends an input array of no
 * element (no request is made of it); undefined for records that need no warning.
 * A file that is not text is no warning but an error (see `eventRecords` in show).
 */
export function renderSkipWarning(record: InputRecord): SkipWarning | undefined {
  let problem:
    | { file: string; line: number; column: number; pointer: string; code?: string; message: string }
    | undefined;
  let more = 0;
  let what = 'event';
  if (record.kind === 'problem') {
    if (record.problem.severity !== 'error') return undefined;
    problem = record.problem;
  } else if (record.kind === 'array-end') {
    if (record.elements > 0) return undefined;
    // Hint: `[]`, `[,]` or a `[` never closed alike: no element, so no event to send (replay asks for these).
    const where = `${record.file}:${record.line}:${record.column}`;
    return {
      message: `${where}: an input array with no element holds no event: no request is made of it`,
      names: [where],
    };
  } else if (record.kind === 'invalid') {
    const errors = record.problems.filter((p) => p.severity === 'error');
    problem = errors[0] ?? { ...record.element, message: 'not a valid event' };
    // Errors a capped read counted but did not keep (`ReadOptions.maxIssues`) are more too.
    more = Math.max(0, errors.length - 1) + (record.omitted?.errors ?? 0);
    if (record.eventKind) what = record.eventKind;
  } else return undefined;
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const tail = more > 0 ? ` (and ${more} more; see callhook validate)` : '';
  const skipped = record.kind === 'invalid' ? `skipped an invalid ${what}: ` : '';
  const pointer = problem.pointer ? ` (${pointerExcerpt(problem.pointer)})` : '';
  return { message: `${where}: ${skipped}${advisedMessage(problem)}${pointer}${tail}`, names: [where] };
}
