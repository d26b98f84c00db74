/**
 * `fix`'s repairs: which edits repair a file (from the problems the input layer reports), and
 * applying them to a byte stream. Pure: records in, a plan out; bytes in, bytes out.
 */
import { findNodeAtLocation, type Node, parseTree } from 'jsonc-parser';
import type { ElementInfo, InputRecord, Problem, Repair } from '../input/types.js';
import { checkEvent, isEventShaped, isObject } from '../schema/check.js';

/** One edit `fix` makes, with where it is and what it repairs, for the list on stderr. */
interface PlannedRepair {
  repair: Repair;
  line: number;
  column: number;
  /** What is repaired, e.g. `missing comma between object members`. */
  description: string;
  /**
   * For a missing colon: whether a problem no edit repairs comes after it in its element, which may
   * follow from it (the parser skips from a missing colon to the next `,` or `}`, in an object or
   * array value that is the value's own, and the `}` after it looks out of place).
   */
  beforeUnrepairable?: boolean;
}

/** What `fix` does to one file: its edits in offset order, and the errors no edit repairs. */
export interface RepairPlan {
  repairs: PlannedRepair[];
  unrepairable: Problem[];
}

/** Sorts repairs by offset and drops exact duplicates (two problems can ask for the same edit). */
function orderRepairs<T extends { repair: Repair }>(repairs: readonly T[]): T[] {
  const sorted = [...repairs].sort(
    (a, b) => a.repair.offset - b.repair.offset || a.repair.deleteBytes - b.repair.deleteBytes,
  );
  return sorted.filter((item, i) => {
    const before = sorted[i - 1]?.repair;
    const { repair } = item;
    return (
      !before ||
      repair.offset !== before.offset ||
      repair.deleteBytes !== before.deleteBytes ||
      repair.insert !== before.insert
    );
  });
}

/** Whether a string or a bracket is still open at the end of `text`. */
function isOpenAtEnd(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
  }
  return inString || depth > 0;
}

/**
 * The syntax errors the end of a file makes in an element it cuts in two: a string, a literal, a
 * character or a member cut short, or brackets left open. Hint: any other (a `{` where a property
 * name belongs) is damage, even on the last line, where a broken element may have run on over a
 * whole event that closes there.
 */
const cutShortCodes = new Set([
  'unexpected-eof',
  'unterminated-string',
  'invalid-symbol',
  'invalid-utf8',
  'missing-colon',
]);

/**
 * Whether `text`, an element, holds a whole event of its own below it: an object, not its own
 * `data`, that parses and carries an `eventType` or is a valid event. Hint: an event left open runs
 * on over the events after it where no layout ends it (on one line), and may end as if the end of
 * the file cut it there; an object that is only shaped like one (`{"name": …}` a producer added) is not one.
 */
function holdsAnEvent(text: string): boolean {
  const root = parseTree(text);
  const data = root && findNodeAtLocation(root, ['data']);
  const isEvent = (node: Node): boolean => {
    const keys = Object.fromEntries((node.children ?? []).map((member) => [String(member.children?.[0]?.value), true]));
    if (node === data || !isEventShaped(keys, false)) return false;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(node.offset, node.offset + node.length));
    } catch {
      return false;
    }
    return isObject(value) && (Object.hasOwn(value, 'eventType') || checkEvent(value).event !== undefined);
  };
  const below = (node: Node): boolean =>
    (node.children ?? []).some((child) => (child.type === 'object' && isEvent(child)) || below(child));
  return root !== undefined && below(root);
}

interface SyntaxElement {
  element: ElementInfo;
  /** Its syntax errors; empty for an element that is JSON. */
  errors: Problem[];
}

/**
 * Where the last of `errors`, an element's, that no edit repairs is (-1 for none). Hint: found once
 * an element, not once a missing colon in it: 66,667 of them in one element took `fix` 17 s (red team hT61).
 */
function lastUnrepairable(errors: readonly Problem[]): number {
  let last = -1;
  for (const problem of errors) if (!problem.repair && problem.offset > last) last = problem.offset;
  return last;
}

/**
 * Puts `problem` in `plan`: its edit, with the words that say what it repairs, or the problem
 * itself when no edit repairs it. `unrepairableUntil`: where the last problem no edit repairs is in
 * the element it is in (see `lastUnrepairable`), if any.
 */
function take(plan: RepairPlan, problem: Problem, unrepairableUntil = -1): void {
  if (problem.repair) {
    // Hint: the parser's skip from a missing colon ends inside its element: no other's problem follows from it.
    const beforeUnrepairable = problem.code === 'missing-colon' && unrepairableUntil > problem.offset;
    plan.repairs.push({
      repair: problem.repair,
      line: problem.line,
      column: problem.column,
      description: `repaired: ${repairedWhat(problem, problem.repair)}`,
      beforeUnrepairable,
    });
  } else plan.unrepairable.push(problem);
}

/**
 * Plans the repair of one file from the records `readRecords` gives for it. Problems with a
 * repair (commas, a colon, an array left open) are repaired where they are. An export cut off
 * at its end (an interrupted download) loses its last element, which is cut in two: that element
 * is dropped, with the comma before it, so that the rest is kept and validates. Schema errors are
 * `validate`'s business and are not looked at.
 */
export class RepairPlanner {
  // Hint: only the last two elements are kept whole (the end of the file may cut the last, and
  // the comma before it goes with it); of the others, only their errors, each made its planned
  // edit as it comes (a Problem holds its code frame: a file of 200,000 repairs took 650 MB), so
  // a 2 GB export is planned in bounded memory, and one of many repairs in a few hundred bytes each.
  readonly #earlier: RepairPlan = { repairs: [], unrepairable: [] };
  #previous: SyntaxElement | undefined;
  #last: SyntaxElement | undefined;
  /** The last element's last line break (see `#lastLineBreak`). */
  #lineBreakOf: { element: ElementInfo; at: number } | undefined;
  #elements = 0;
  readonly #between: RepairPlan = { repairs: [], unrepairable: [] };
  /** A repair between elements closes the array the end of the file left open. */
  #closedAtEnd = false;
  /**
   * An array left open at the end of a line of NDJSON, between its elements, with the `]` that
   * closes it: taken only if no record follows, the last line's. Hint: in the middle, the line
   * may go on on the next (an editor's wrap), where a `]` would part its elements from the rest.
   */
  #lineLeftOpen: Problem | undefined;
  #bytes = 0;
  readonly #lineEnding: string;
  /**
   * The first array of objects among a batch's elements, as validate reports it. Hint: repaired around, its
   * events stay nested, read as one invalid element: a `]` lost before a batch on the line the last
   * element ended on, or at the elements' indentation, reads as a comma missing before an array,
   * and fix put the comma in, exit 0 (red team hR84).
   */
  #nested: Problem | undefined;

  /**
   * `lineEnding`: the file's (its first line's, `\n` or `\r\n`), for the line an array left open
   * is closed on when the elements around the cut hold no line break to tell it (compact, one a line).
   */
  constructor(lineEnding = '\n') {
    this.#lineEnding = lineEnding;
  }

  /** Takes one record of the file. */
  add(record: InputRecord): void {
    switch (record.kind) {
      case 'problem':
        if (record.problem.severity !== 'error') return;
        this.#notLastLine();
        if (record.problem.code === 'unexpected-eol' && record.problem.repair) {
          this.#lineLeftOpen = record.problem;
          return;
        }
        take(this.#between, record.problem);
        this.#closedAtEnd ||= record.problem.code === 'unexpected-eof' && Boolean(record.problem.repair?.insert);
        return;
      case 'event':
        this.#addElement({ element: record.element, errors: [] });
        return;
      case 'invalid': {
        // A value that parsed has only schema errors: validate's business, not fix's.
        const errors =
          record.value === undefined ? record.problems.filter((problem) => problem.severity === 'error') : [];
        if (this.#nested === undefined && Array.isArray(record.value) && record.value.some(isObject)) {
          const nested = record.problems.find((problem) => problem.code === 'not-an-object');
          this.#nested = nested && {
            ...nested,
            message: `${nested.message}: its events are not read as events; if a "]" was lost before it, put it back by hand, then run fix again`,
          };
        }
        this.#addElement({ element: record.element, errors });
        return;
      }
      case 'file-end':
        this.#bytes = record.bytes;
        return;
    }
  }

  /** A record follows an array left open at a line's end: that line was not the last. */
  #notLastLine(): void {
    if (this.#lineLeftOpen) take(this.#between, { ...this.#lineLeftOpen, repair: undefined });
    this.#lineLeftOpen = undefined;
  }

  #addElement(next: SyntaxElement): void {
    this.#notLastLine();
    const errors = this.#previous?.errors ?? [];
    const until = lastUnrepairable(errors);
    for (const problem of errors) take(this.#earlier, problem, until);
    this.#previous = this.#last;
    this.#last = next;
    this.#elements++;
  }

  /** The plan, once every record of the file was added. */
  plan(): RepairPlan {
    const plan: RepairPlan = { repairs: [...this.#earlier.repairs], unrepairable: [...this.#earlier.unrepairable] };
    const cut = this.#cutOff();
    const previous = this.#previous?.errors ?? [];
    const previousUntil = lastUnrepairable(previous);
    for (const problem of previous) take(plan, problem, previousUntil);
    if (!cut) {
      const damage = this.#cutButDamaged();
      const last = this.#last?.errors ?? [];
      const lastUntil = lastUnrepairable(last);
      for (const problem of last) {
        const said =
          damage && damage.cut === problem ? { ...problem, message: `${problem.message}${damage.why}` } : problem;
        take(plan, said, lastUntil);
      }
    }
    if (this.#lineLeftOpen) take(plan, this.#lineLeftOpen);
    // Hint: loops, not push(...): a file may need more repairs between elements than a call takes arguments.
    for (const repair of this.#between.repairs) plan.repairs.push(repair);
    for (const problem of this.#between.unrepairable) plan.unrepairable.push(problem);
    const { repairs: planned, unrepairable } = plan;
    // Hint: only where fix would repair the file: its output must read as events; the array is else validate's to report.
    if (this.#nested && (planned.length > 0 || cut)) unrepairable.push(this.#nested);
    if (!cut) return { repairs: orderRepairs(planned), unrepairable };
    // Hint: the commas before the dropped element go with it; only what closes the file stays.
    const { offset } = cut.repair;
    const kept = planned.filter(({ repair }) => repair.offset < offset || repair.offset >= this.#bytes);
    return { repairs: orderRepairs([...kept, cut]), unrepairable };
  }

  /** Whether `problem` is where the end of the file cut the last element short: on its last line. */
  #cutShort(problem: Problem): boolean {
    const element = this.#last?.element;
    if (!element || !cutShortCodes.has(problem.code)) return false;
    return problem.offset - element.offset > this.#lastLineBreak(element);
  }

  /** Where the last line break of `element` is, in bytes from its start (-1 for none); found once an element. */
  #lastLineBreak(element: ElementInfo): number {
    if (this.#lineBreakOf?.element !== element) {
      this.#lineBreakOf = { element, at: Buffer.from(element.text).lastIndexOf(0x0a) };
    }
    return this.#lineBreakOf.at;
  }

  /** Whether the end of the file is inside the last element: it runs to the last byte, with a string or a bracket open. */
  #endsInLast(): boolean {
    const last = this.#last;
    if (!last || last.element.text === '') return false;
    const { element } = last;
    // Hint: an element cut inside a character has the text of the bytes before it: 1 to 3 of it were kept.
    const short = this.#bytes - element.offset - Buffer.byteLength(element.text);
    const cutInCharacter = last.errors.some((problem) => problem.code === 'invalid-utf8');
    const runsToEnd = short === 0 || (cutInCharacter && short >= 1 && short <= 3);
    return runsToEnd && isOpenAtEnd(element.text) && !holdsAnEvent(element.text);
  }

  /**
   * When the end of the file cut the last element short but it is damaged elsewhere too (so not
   * dropped, see `#cutOff`): the cut's problem, and the words that say so.
   */
  #cutButDamaged(): { cut: Problem; why: string } | undefined {
    const errors = this.#last?.errors ?? [];
    const cut = errors.find((problem) => this.#cutShort(problem));
    const damage = errors.find((problem) => !this.#cutShort(problem));
    if (!cut || !damage || !this.#endsInLast()) return undefined;
    const why = `; the file ends in the middle of this element, which is not dropped: it is damaged elsewhere too (at ${damage.line}:${damage.column}); repair that by hand, then run fix again`;
    return { cut, why };
  }

  /** The edit that drops the last element when the end of the file cut it in two. */
  #cutOff(): PlannedRepair | undefined {
    const last = this.#last;
    if (!last || last.errors.length === 0) return undefined;
    const { element } = last;
    // Hint: only the last line may be wrong (a key, a literal or a string cut short there): an
    // error on an earlier line is damage inside the element, which dropping it would hide.
    if (!last.errors.every((problem) => this.#cutShort(problem)) || !this.#endsInLast()) return undefined;
    // A lone value cut off, or a batch's when it is the file's only element, leaves nothing to
    // keep; that is no repair. Hint: `[` and one event cut off became `[]`, exit 0, and `fix |
    // validate -` passed with every event gone (red team hR105).
    if (this.#elements === 1) return undefined;
    // From the end of the element before it in the same batch, so that the comma between goes too.
    // Hint: the first element of its batch is dropped from its own first byte, so the line break
    // before it stays; in a batch per line (NDJSON of arrays) another would leave that line's batch open.
    const previous = this.#previous?.element;
    const before = previous && previous.batch === element.batch && previous.text !== '' ? previous : undefined;
    const from = before ? before.offset + Buffer.byteLength(before.text) : element.offset;
    // An array left open is closed on a line of its own, as an export ends, in the file's line
    // endings; but only where its elements stood on lines of their own.
    const around = `${before?.text ?? ''}${element.text}`;
    const newline = around.includes('\r\n') ? '\r\n' : around.includes('\n') ? '\n' : this.#lineEnding;
    const ownLines = before !== undefined && element.line > before.line + lineBreaksIn(before.text);
    const closing = ownLines && this.#closedAtEnd;
    // Hint: the end of the file ends a batch on the last line of NDJSON as its line does, the
    // element's problem the only one (see ElementSplitter's `endStep`): no repair between
    // elements closes that array, so the drop closes it, on its line.
    const closesLine = element.pointer !== '' && !this.#closedAtEnd;
    return {
      repair: { offset: from, deleteBytes: this.#bytes - from, insert: closesLine ? ']' : closing ? newline : '' },
      line: element.line,
      column: element.column,
      description: `dropped the element${element.pointer ? ` ${element.pointer}` : ''} that starts here: the file ends in the middle of it${closesLine ? ', and closed the array it was in' : ''}`,
    };
  }
}

/**
 * What was repaired: the mistake as validate names it, or the edit made for a comma between
 * top-level values or a value a line, whose messages tell how to repair them by hand.
 */
function repairedWhat(problem: Problem, repair: Repair): string {
  if (problem.code === 'missing-line-break') return 'a line break was put before a second value on its line';
  if (problem.code === 'invalid-symbol') {
    const spaces = repair.insert.length;
    return `${problem.message}; made ${spaces === 1 ? 'a space' : `${spaces} spaces`}`;
  }
  if (problem.code === 'unexpected-eol') {
    return `${problem.message}; closed after its last element${repair.deleteBytes > 0 ? ', in place of the trailing comma' : ''}`;
  }
  if (problem.code !== 'top-level-comma') return problem.message;
  return `the comma between two top-level values was ${repair.insert ? 'replaced by a line break' : 'removed'}`;
}

function lineBreaksIn(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Copies `chunks` with `repairs` (sorted by offset) applied: insertions and deletions at byte offsets. */
export async function* applyRepairs(chunks: AsyncIterable<Buffer>, repairs: readonly Repair[]): AsyncGenerator<Buffer> {
  let next = 0;
  let offset = 0;
  let skip = 0;
  for await (const chunk of chunks) {
    let from = 0;
    const end = offset + chunk.length;
    while (true) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - from);
        from += n;
        skip -= n;
        if (skip > 0) break;
      }
      const repair = repairs[next];
      if (!repair || repair.offset >= end) break;
      const at = Math.max(from, repair.offset - offset);
      if (at > from) yield chunk.subarray(from, at);
      if (repair.insert) yield Buffer.from(repair.insert);
      from = at;
      skip = repair.deleteBytes;
      next++;
    }
    if (from < chunk.length) yield chunk.subarray(from);
    offset = end;
  }
  // Insertions at the very end of the file (a missing closing bracket).
  for (const repair of repairs.slice(next)) if (repair.insert) yield Buffer.from(repair.insert);
}
