/**
 * Turns what the splitter finds into input records, one way whichever path found an element:
 * the quick path (an element taken by its layout) and the byte-by-byte path both end in `event`.
 */

import {
  type CheckOptions,
  type CheckResult,
  checkEvent,
  hasEventType,
  isEnvelope,
  isObject,
  type SchemaIssue,
  withNumberAsWritten,
} from '../schema/check.js';
import type { EventKind, UndocumentedStatusCall, WebhookEvent } from '../schema/events.js';
import {
  type ElementLimits,
  indexesIn,
  keyOrderIn,
  locateIn,
  type ParsedElement,
  parseElement,
  parseQuickly,
} from './element.js';
import type { FingerprintSet } from './fingerprint-set.js';
import type { RecentFirsts } from './recent-firsts.js';
import type { LineBefore, SplitElement, SplitProblem } from './split.js';
import type { ElementInfo, InputRecord, Location, Omitted, Problem } from './types.js';

/**
 * The `duplicate-id` warning's message: the id, and where its first copy began when that is
 * known (a `Location`), or the streams it was earlier in (their positions are not kept), or
 * `'lost'` when it was looked for and not found again (`{ lost: why }` when that is known).
 */
export function duplicateIdMessage(
  id: string,
  first?: Location | { streams: string[] } | 'lost' | { lost: string },
): string {
  const head = `event id ${id} was seen before: a redelivery`;
  if (first === undefined) return head;
  if (first === 'lost') return `${head} (its first copy was not found again)`;
  if ('lost' in first) return `${head} (its first copy was not found again: ${first.lost})`;
  if ('streams' in first) {
    const where = first.streams.length === 1 ? first.streams[0] : `one of ${first.streams.join(', ')}`;
    return `${head} of an event earlier in ${where} (a stream: where is not kept)`;
  }
  return `${head} of the event at ${first.file}:${first.line}:${first.column}${first.pointer ? ` (${first.pointer})` : ''}`;
}

/**
 * The CallComplete an invalid element holds when its only errors are an undocumented `status`
 * (the schema's picklist rejects it), or undefined for any other invalid element. Such a call is
 * counted (as Other) and shown despite its errors, so it is an event of the run as a valid one
 * is: its id marks later copies as redeliveries.
 */
export function undocumentedStatusCall(
  kind: EventKind | undefined,
  value: unknown,
  problems: readonly Pick<Problem, 'severity' | 'code' | 'pointer'>[],
): UndocumentedStatusCall | undefined {
  if (kind !== 'CallComplete' || !isObject(value)) return undefined;
  let statusError = false;
  for (const problem of problems) {
    if (problem.severity !== 'error') continue;
    if (problem.code !== 'invalid-value' || !problem.pointer.endsWith('/status')) return undefined;
    statusError = true;
  }
  if (!statusError) return undefined;
  // Hint: enveloped as validate reads it (`eventType`, or `data` beside `createdAt`): a bare call
  // with a field of its own named `data` was read as the envelope of that field (hT68).
  const enveloped = isEnvelope(value);
  const data = enveloped ? value.data : value;
  if (!isObject(data) || typeof data.status !== 'string') return undefined;
  return {
    type: 'CallComplete',
    id: enveloped ? (value.id as string) : undefined,
    createdAt: enveloped ? (value.createdAt as string) : undefined,
    data: data as UndocumentedStatusCall['data'],
  };
}

/**
 * `call` as an event, for what counts or draws it (summarise's Other, show): each reads a
 * CallComplete's status as text, a documented one or not. Hint: the one place the type is widened.
 */
export function undocumentedAsEvent(call: UndocumentedStatusCall): WebhookEvent {
  return call as WebhookEvent;
}

/**
 * The id a record was the first to bring to the run's id set (a counted event that is not a
 * redelivery: a valid event, or an undocumented-status call), or undefined. Each id the set
 * takes is one such record, in the same order.
 */
export function firstSeenId(record: Extract<InputRecord, { kind: 'event' | 'invalid' }>): string | undefined {
  if (record.kind === 'event') return record.duplicate ? undefined : record.event.id;
  return record.call !== undefined && record.duplicate !== true ? record.call.id : undefined;
}

/** What `checkEvent` and reading the element (`parsed`) counted but did not keep (past `maxIssues`); undefined when they kept every issue, as they nearly always do. */
export function omittedOf(result: CheckResult, parsed: Omitted | undefined): Omitted | undefined {
  if (result.errors + result.warnings === result.issues.length) return parsed;
  let keptErrors = 0;
  for (const issue of result.issues) if (issue.severity === 'error') keptErrors++;
  return {
    errors: result.errors - keptErrors + (parsed?.errors ?? 0),
    warnings: result.warnings - (result.issues.length - keptErrors) + (parsed?.warnings ?? 0),
  };
}

/**
 * Keeps in `problems` (in source order) the first `limit` errors and the first `limit` warnings;
 * returns `omitted` with those left out added.
 */
function keepFirst(problems: Problem[], limit: number, omitted: Omitted | undefined): Omitted | undefined {
  const seen = { error: 0, warning: 0 };
  let length = 0;
  for (const problem of problems) {
    if (seen[problem.severity]++ < limit) problems[length++] = problem;
  }
  if (length === problems.length) return omitted;
  problems.length = length;
  return {
    errors: (omitted?.errors ?? 0) + Math.max(0, seen.error - limit),
    warnings: (omitted?.warnings ?? 0) + Math.max(0, seen.warning - limit),
  };
}

/** Builds the records of one file. */
export class RecordBuilder {
  private readonly file: string;
  private readonly ids: FingerprintSet;
  private readonly check: CheckOptions;
  private readonly limits: ElementLimits;
  private readonly warnings: boolean;
  private readonly recent: RecentFirsts | undefined;
  private readonly mayListFrom: ((at: Location, severity: Problem['severity']) => boolean) | undefined;

  /**
   * `ids` are the event ids of the whole run, for redeliveries; `warnings` false looks for none;
   * `recent`, when given, names a redelivery's first copy when it was among the last first seen;
   * `mayListFrom` is `ReadOptions.mayListFrom`.
   */
  constructor(
    file: string,
    ids: FingerprintSet,
    check: CheckOptions,
    limits: Pick<ElementLimits, 'maxElementBytes' | 'words'>,
    warnings: boolean,
    recent?: RecentFirsts,
    mayListFrom?: (at: Location, severity: Problem['severity']) => boolean,
  ) {
    this.file = file;
    this.ids = ids;
    this.check = check;
    // Hint: an element's syntax errors and duplicate keys are kept as its schema issues are.
    this.limits = { maxElementBytes: limits.maxElementBytes, words: limits.words, maxIssues: check.maxIssues };
    this.warnings = warnings;
    this.recent = recent;
    this.mayListFrom = mayListFrom;
  }

  /** A problem the splitter found between elements. */
  problem(problem: SplitProblem, severity: Problem['severity'] = 'error'): Problem {
    return {
      file: this.file,
      offset: problem.offset,
      line: problem.line,
      column: problem.column,
      pointer: problem.pointer,
      severity,
      code: problem.code,
      message: problem.message,
      excerpt: problem.excerpt,
      repair: problem.repair,
      ...(problem.fatal ? { fatal: true } : {}),
    };
  }

  /**
   * The record of an element the quick path offers (see `SplitSink.tryElement`), or undefined to
   * have it read byte by byte. Hint: it is taken only as a valid event with nothing to say about
   * it: anything else comes back through `element`, which explains it. So when warnings are
   * looked for, a redelivery (which has a `duplicate-id` warning) comes back too: its id, seen
   * before, left the run's ids as they were.
   */
  quick(element: SplitElement): InputRecord | undefined {
    const parsed = parseQuickly(element, this.warnings);
    if (!parsed) return undefined;
    const result = checkEvent(parsed.value, this.check);
    if (!result.event || result.issues.length > 0) return undefined;
    const info = this.info(element, parsed.text);
    const duplicate = this.isRedelivery(result.event.id, info);
    if (duplicate && this.warnings) return undefined;
    return this.event(info, result.event, parsed.value, [], duplicate);
  }

  /**
   * The record of an element read byte by byte: an event, or an invalid element with its
   * problems, framed with `lineBefore` (see `SplitSink.element`) when they are on its first line.
   */
  element(element: SplitElement, lineBefore?: () => LineBefore): InputRecord {
    const { file } = this;
    const parsed = parseElement(element, file, this.limits, this.warnings, lineBefore);
    const info = this.info(element, parsed.text?.text ?? '');
    // The value of a key outside any object is its object's (see `SplitElement.memberValue`), but
    // an enveloped event, which no `data` is: a log line's prefix (`"event": {…}`, review hR134).
    if (element.memberValue && !(parsed.parsed && hasEventType(parsed.value))) {
      const problem: Problem = {
        file,
        offset: element.offset,
        line: element.line,
        column: element.column,
        pointer: element.pointer,
        severity: 'error',
        code: 'unexpected-token',
        message: 'the value of a key outside any object (a "}" closed its object early, or its "{" was lost): no event',
      };
      return {
        kind: 'invalid',
        element: info,
        eventKind: undefined,
        value: undefined,
        problems: [problem, ...parsed.problems],
        omitted: parsed.omitted,
      };
    }
    if (!parsed.parsed) {
      return {
        kind: 'invalid',
        element: info,
        eventKind: undefined,
        value: undefined,
        problems: parsed.problems,
        omitted: parsed.omitted,
      };
    }
    const result = checkEvent(parsed.value, this.check);
    const problems = parsed.problems;
    let omitted = omittedOf(result, parsed.omitted);
    // Hint: a call is told by every one of its errors, so not when some were only counted.
    const call =
      result.event || omitted?.errors ? undefined : undocumentedStatusCall(result.kind, parsed.value, result.issues);
    const event = result.event ?? call;
    const duplicate = this.isRedelivery(event?.id, info);
    const warned = duplicate && this.warnings;
    const listed = (severity: Problem['severity']) => this.mayListFrom?.(info, severity) !== false;
    const warns = result.warnings > 0 || warned;
    if ((result.errors > 0 || warns) && !(result.errors > 0 && listed('error')) && !(warns && listed('warning'))) {
      // Hint: the run lists no more problems of the element's kinds placed here or after (see
      // `ReadOptions.mayListFrom`), and every one of an element is placed in it: they are counted,
      // not built and placed.
      omitted = {
        errors: result.errors + (parsed.omitted?.errors ?? 0),
        warnings: result.warnings + (parsed.omitted?.warnings ?? 0) + (warned ? 1 : 0),
      };
    } else {
      // Hint: only the issues kept are placed, all in one read of the element; most elements
      // have no issue, and for them nothing is allocated here.
      const issues = this.firstInText(result, parsed, element);
      const { text } = parsed;
      const indexes =
        text && issues.length > 0
          ? indexesIn(
              text,
              issues.map((issue) => ({ pointer: issue.pointer, atKey: issue.code === 'unknown-field' })),
            )
          : undefined;
      for (let i = 0; i < issues.length; i++) {
        const issue = issues[i] as (typeof issues)[number];
        // Hint: a number is quoted as the text writes it, read at the place the issue is put.
        const index = indexes?.[i];
        const placed = text && index !== undefined;
        problems.push({
          file,
          ...(placed ? text.locate(index) : info),
          pointer: element.pointer + issue.pointer,
          severity: issue.severity,
          code: issue.code,
          message: withNumberAsWritten(issue, placed ? text.numberAt(index) : undefined),
        });
      }
      // Source order; at one position the error before the warning.
      if (problems.length > 1) {
        problems.sort(
          (a, b) => a.offset - b.offset || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
        );
      }
      // Hint: reading the element (duplicate and `__proto__` keys) and checking it (consistency)
      // each kept their first `maxIssues` warnings; together they are kept to the one limit too.
      const limit = this.check.maxIssues ?? Number.POSITIVE_INFINITY;
      if (problems.length > limit) omitted = keepFirst(problems, limit, omitted);
      if (warned && event?.id !== undefined) {
        problems.push(this.duplicateIdWarning(event.id, info, parsed.text, element.pointer));
      }
    }
    if (!result.event) {
      const invalid = {
        kind: 'invalid',
        element: info,
        eventKind: result.kind,
        value: parsed.value,
        problems,
        omitted,
      } as const;
      return call ? { ...invalid, call, duplicate } : invalid;
    }
    const record = this.event(info, result.event, parsed.value, problems, duplicate);
    // Hint: only a valid event with more warnings than are kept has any; no other record is copied for it.
    return omitted ? { ...record, omitted } : record;
  }

  /**
   * The issues `result` kept of the value `parsed`, as the first its text shows. Hint: `checkEvent`
   * keeps the first in JavaScript's order of the value's keys; only when it left some out, and the
   * text orders the keys otherwise (see `keyOrderIn`), is the value checked again in the text's.
   */
  private firstInText(result: CheckResult, parsed: ParsedElement, element: SplitElement): SchemaIssue[] {
    if (result.issues.length === result.errors + result.warnings || !parsed.text) return result.issues;
    const keyOrder = keyOrderIn(parsed.text, parsed.value, element.members);
    return keyOrder ? checkEvent(parsed.value, { ...this.check, keyOrder }).issues : result.issues;
  }

  /**
   * Whether the counted event with `id` that begins at `info` is a redelivery: its id was seen
   * before in the run (the one rule, for a valid event and an undocumented-status call alike).
   * If not, notes where it began among the last first seen.
   */
  private isRedelivery(id: string | undefined, info: ElementInfo): boolean {
    if (id === undefined) return false;
    if (!this.ids.add(id)) return true;
    this.recent?.add(id, info);
    return false;
  }

  /**
   * The `duplicate-id` warning of a redelivery of `id` that begins at `info`. Hint: placing it
   * parses the element's text a second time (`locateIn`), so it is made only when warnings are
   * looked for.
   */
  private duplicateIdWarning(
    id: string,
    info: ElementInfo,
    text: Parameters<typeof locateIn>[0] | undefined,
    pointer: string,
  ): Problem {
    const first = this.recent?.find(id);
    return {
      file: this.file,
      ...(text ? locateIn(text, '/id') : info),
      pointer: `${pointer}/id`,
      severity: 'warning',
      code: 'duplicate-id',
      message: duplicateIdMessage(id, first),
      eventId: id,
      firstCopy: first,
    };
  }

  /** The one place an event record is made. */
  private event(
    element: ElementInfo,
    event: WebhookEvent,
    value: unknown,
    problems: Problem[],
    duplicate: boolean,
  ): Extract<InputRecord, { kind: 'event' }> {
    return { kind: 'event', element, event, value, problems, duplicate };
  }

  private info(element: SplitElement, text: string): ElementInfo {
    return {
      file: this.file,
      offset: element.offset,
      line: element.line,
      column: element.column,
      pointer: element.pointer,
      index: element.index,
      batch: element.batch,
      text,
    };
  }
}
