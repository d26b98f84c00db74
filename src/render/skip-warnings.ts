/** The warnings of what show, trace and replay skip, said up to a limit and counted past it. */
import { defaultMaxProblems } from '../input/types.js';
import { grouped } from './words.js';

/**
 * Says the first warnings of the elements and problems a run skips, as many as `validate` lists
 * by default, and counts the rest for one line at the end: a file of a million broken lines was
 * 122 MB on stderr, one line each.
 */
export class SkipWarnings {
  private said = 0;
  private unsaid = 0;

  /** Whether the next warning is to be said; one that is not is counted. */
  take(): boolean {
    if (this.said < defaultMaxProblems) {
      this.said++;
      return true;
    }
    this.unsaid++;
    return false;
  }

  /** The line that ends a run some of whose warnings were not said, or undefined. */
  end(): string | undefined {
    if (this.unsaid === 0) return undefined;
    const what = this.unsaid === 1 ? 'more skipped element or problem' : 'more skipped elements and problems';
    return `${grouped(this.unsaid)} ${what} not listed: callhook validate --max-problems N lists more`;
  }
}
