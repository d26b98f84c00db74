/**
 * Turns what the splitter finds into input records, one way whichever path found an element:
 * the quick path (an element taken by its layout) and the byte-by-byte path both end in `event`.
 */

import { type CheckOptions, checkEvent } from '../schema/check.js';
import type { WebhookEvent } from '../schema/events.js';
import { locateIn, parseElement, parseQuickly } from './element.js';
import type { FingerprintSet } from './fingerprint-set.js';
import type { SplitElement, SplitProblem } from './split.js';
import type { ElementInfo, InputRecord, Problem } from './types.js';

/** Builds the records of one file. */
export class RecordBuilder {
  private readonly file: string;
  private readonly ids: FingerprintSet;
  private readonly check: CheckOptions;
  private readonly limits: { maxElementBytes: number };
  private readonly warnings: boolean;

  /** `ids` are the event ids of the whole run, for redeliveries; `warnings` false looks for none. */
  constructor(
    file: string,
    ids: FingerprintSet,
    check: CheckOptions,
    limits: { maxElementBytes: number },
    warnings: boolean,
  ) {
    this.file = file;
    this.ids = ids;
    this.check = check;
    this.limits = limits;
    this.warnings = warnings;
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
    };
  }

  /**
   * The record of an element the quick path offers (see `SplitSink.tryElement`), or undefined to
   * have it read byte by byte. Hint: it is taken only as a valid event with nothing to say about
   * it: anything else comes back through `element`, which explains it. Its duplicate keys were
   * not counted, so it is offered only when no warnings are looked for.
   */
  quick(element: SplitElement): InputRecord | undefined {
    const parsed = parseQuickly(element);
    if (!parsed) return undefined;
    const result = checkEvent(parsed.value, this.check);
    if (!result.event || result.issues.length > 0) return undefined;
    if (result.event.id !== undefined && !this.ids.add(result.event.id)) return undefined;
    return this.event(this.info(element, parsed.text), result.event, parsed.value, [], false);
  }

  /** The record of an element read byte by byte: an event, or an invalid element with its problems. */
  element(element: SplitElement): InputRecord {
    const { file } = this;
    const parsed = parseElement(element, file, this.limits, this.warnings);
    const info = this.info(element, parsed.text?.text ?? '');
    if (!parsed.parsed) {
      return { kind: 'invalid', element: info, eventKind: undefined, value: undefined, problems: parsed.problems };
    }
    const result = checkEvent(parsed.value, this.check);
    const problems = parsed.problems;
    for (const issue of result.issues) {
      problems.push({
        file,
        ...(parsed.text ? locateIn(parsed.text, issue.pointer, issue.code === 'unknown-field') : info),
        pointer: element.pointer + issue.pointer,
        severity: issue.severity,
        code: issue.code,
        message: issue.message,
      });
    }
    // Source order; at one position the error before the warning.
    if (problems.length > 1) {
      problems.sort((a, b) => a.offset - b.offset || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    }
    if (!result.event) {
      return { kind: 'invalid', element: info, eventKind: result.kind, value: parsed.value, problems };
    }
    let duplicate = false;
    if (result.event.id !== undefined && !this.ids.add(result.event.id)) {
      duplicate = true;
      problems.push({
        file,
        ...(parsed.text ? locateIn(parsed.text, '/id') : info),
        pointer: `${element.pointer}/id`,
        severity: 'warning',
        code: 'duplicate-id',
        message: `event id ${result.event.id} was seen before: a redelivery`,
      });
    }
    return this.event(info, result.event, parsed.value, problems, duplicate);
  }

  /** The one place an event record is made. */
  private event(
    element: ElementInfo,
    event: WebhookEvent,
    value: unknown,
    problems: Problem[],
    duplicate: boolean,
  ): InputRecord {
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
