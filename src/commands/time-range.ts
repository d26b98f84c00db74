/** `--since` and `--until` as every reading command takes them, and verify's `--now`: read once, in the one message style. */
import { parseTimeBound } from '../core/timeline.js';
import { CallhookError, ExitCode, quoted } from '../errors.js';
import { optionError } from './options.js';

/** The checked time range: epoch milliseconds, `since` inclusive, `until` exclusive. */
interface TimeRange {
  since: number | undefined;
  until: number | undefined;
}

/** A time option's text (`--since`, `--until`, verify's `--now`) as epoch milliseconds, a duration counting back from `now`; undefined when not given. */
export function timeOption(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const time = parseTimeBound(text, now);
  if (time === undefined) {
    throw optionError(
      name,
      'an ISO-8601 date or time (2022-09-01, 2022-09-01T10:00:00Z) or a duration such as 2h or 7d, within the years 0000 to 9999',
      text,
    );
  }
  return time;
}

/** Reads `--since` and `--until`; a range that selects nothing (`--since` not before `--until`) is refused. */
export function timeRangeOf(
  raw: { since?: string | undefined; until?: string | undefined },
  now = Date.now(),
): TimeRange {
  const since = timeOption('--since', raw.since, now);
  const until = timeOption('--until', raw.until, now);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new CallhookError(
      `--since: must be before --until (got ${quoted(raw.since ?? '')} and ${quoted(raw.until ?? '')})`,
      ExitCode.usage,
    );
  }
  return { since, until };
}
