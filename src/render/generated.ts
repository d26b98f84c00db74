/**
 * Writes generated events as the text of a file: one JSON array (an export), several arrays
 * (delivery batches), or NDJSON; optionally with the platform page's own mistakes (a missing or
 * trailing comma, a missing colon) in a fraction of the elements, each located at the
 * `line:column` where `callhook validate` reports it. Strings only: the caller writes them.
 */
import { type GenerateEventsOptions, generateEvents, mulberry32 } from '../core/generate.js';
import type { GenerateFormat } from '../core/generate-names.js';
import { impossible } from '../errors.js';
import { isEnvelope, pointerSegment } from '../schema/check.js';
import { escapeJsonForTerminal } from './escape.js';

/** The mistakes `--defects` makes, named by the code `validate` reports for each. */
const defectCodes = ['missing-comma', 'trailing-comma', 'missing-colon'] as const;
/** A defect code. */
type DefectCode = (typeof defectCodes)[number];

/** A mistake put into the output on purpose, where `validate` reports it. */
export interface Defect {
  code: DefectCode;
  /** 1-based line and column (UTF-16 code units) of the output. */
  line: number;
  column: number;
  /** JSON pointer of the member the mistake follows or sits in, from the file's top-level value. */
  pointer: string;
}

/** How to lay out the text. */
export interface GeneratedTextOptions {
  format: GenerateFormat;
  /** Events per array; without it `json` is one array of everything and `ndjson` one event per line. */
  batchSize?: number | undefined;
  /** The fraction of elements given one mistake (default 0). */
  defects?: number | undefined;
  /** Seed of the choice of defective elements and of their mistakes. */
  seed?: number | undefined;
  /**
   * Write what a terminal would hide or obey as `\uXXXX`, as every command's JSON is written
   * (`escapeJsonForTerminal`): generated text holds none of it, a `--set` value may (`escapedFor`).
   */
  escaped?: boolean | undefined;
}

/** Whether the output of `set` needs `escaped`: a path or value holds what the JSON writer escapes. */
export function escapedFor(set: GenerateEventsOptions['set']): boolean {
  const json = JSON.stringify(set ?? []);
  return escapeJsonForTerminal(json) !== json;
}

/**
 * Places in an element's text where a mistake can go, as offsets into that text. Hint: only next
 * to a plain value (a string, number, true, false or null), as the page's own mistakes are: after
 * a missing colon before an object, validate's recovery reads on differently and reports more.
 */
interface Marks {
  /** A comma between two members of an object, with the pointer of the member before it. */
  commas: Array<{ offset: number; pointer: string }>;
  /** The end of an object's last member, where a trailing comma would go. */
  ends: Array<{ offset: number; pointer: string }>;
  /** The colon after a member's key. */
  colons: Array<{ offset: number; pointer: string }>;
}

/**
 * `JSON.stringify(value, null, indent)` (or without `indent`, minified), with the places a
 * mistake can go. Slower than JSON.stringify, so only elements that get a mistake go through it.
 */
function stringifyWithMarks(value: unknown, indent: string, pointer: string, marks: Marks, escaped: boolean): string {
  const pretty = indent !== '';
  const json = (plain: unknown) => {
    const text = JSON.stringify(plain) ?? 'null';
    return escaped ? escapeJsonForTerminal(text) : text;
  };
  // `start` is where the node's text begins in the element's text, so marks are element offsets.
  const write = (node: unknown, depth: string, at: string, start: number): string => {
    if (typeof node !== 'object' || node === null) return json(node);
    const inner = pretty ? depth + indent : '';
    const open = pretty ? `\n${inner}` : '';
    const close = pretty ? `\n${depth}` : '';
    if (Array.isArray(node)) {
      if (node.length === 0) return '[]';
      let text = '[';
      node.forEach((item, index) => {
        text += index === 0 ? open : `,${open}`;
        text += write(item, inner, `${at}/${index}`, start + text.length);
      });
      return `${text}${close}]`;
    }
    const entries = Object.entries(node).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    let text = '{';
    let previous = '';
    let previousPlain = false;
    for (const [index, [key, item]] of entries.entries()) {
      if (index > 0) {
        if (previousPlain) marks.commas.push({ offset: start + text.length, pointer: previous });
        text += ',';
      }
      const member = `${at}/${pointerSegment(key)}`;
      const plain = typeof item !== 'object' || item === null;
      text += `${open}${json(key)}`;
      if (plain) marks.colons.push({ offset: start + text.length, pointer: member });
      text += pretty ? ': ' : ':';
      text += write(item, inner, member, start + text.length);
      previous = member;
      previousPlain = plain;
    }
    marks.ends.push({ offset: start + text.length, pointer: previous });
    return `${text}${close}}`;
  };
  return write(value, '', pointer, 0);
}

/**
 * Turns events into text, an element at a time, keeping count of lines so every defect can be
 * located. `push` returns the text of one element with what precedes it; `end` what closes the file.
 */
export class GeneratedTextWriter {
  /** Every defect made so far, in output order. */
  readonly defects: Defect[] = [];
  private readonly random: () => number;
  private readonly rate: number;
  private readonly pretty: boolean;
  private inBatch = 0;
  private elements = 0;
  /** Lines written so far, less one: the 0-based line the next text starts on. */
  private line = 0;
  /** UTF-16 units written since the last line break. */
  private column = 0;

  constructor(private readonly options: GeneratedTextOptions) {
    this.rate = options.defects ?? 0;
    this.random = mulberry32((options.seed ?? 1) ^ 0x1b873593);
    this.pretty = options.format === 'json';
  }

  /** The text of the next element, with the separators and brackets before it. */
  push(event: unknown): string {
    const { prefix, elementPointer } = this.next();
    this.advance(prefix);
    let text: string;
    if (this.rate > 0 && this.random() < this.rate) text = this.withDefect(event, elementPointer);
    else {
      // Hint: as an array's element, JSON.stringify indents it already: no second pass to re-indent.
      text = this.pretty ? JSON.stringify([event], null, 2).slice(4, -2) : JSON.stringify(event);
      if (this.options.escaped) text = escapeJsonForTerminal(text);
    }
    this.advance(text);
    return prefix + text;
  }

  /**
   * Counts an element whose text another writer writes (another thread's block), so the
   * separators after it come out the same. Only without defects: placing and locating one needs
   * every element before it.
   */
  skip(): void {
    if (this.rate > 0) throw new Error('a writer that makes defects writes every element itself');
    this.next();
  }

  /** The separators and brackets before the next element, and that element's JSON pointer. */
  private next(): { prefix: string; elementPointer: string } {
    const { batchSize } = this.options;
    let prefix: string;
    let elementPointer: string;
    if (this.options.format === 'ndjson' && batchSize === undefined) {
      prefix = this.elements === 0 ? '' : '\n';
      elementPointer = '';
    } else {
      const full = batchSize !== undefined && this.inBatch === batchSize;
      if (this.elements === 0 || full) {
        const close = this.elements === 0 ? '' : this.pretty ? '\n]\n' : ']\n';
        prefix = `${close}${this.pretty ? '[\n' : '['}`;
        this.inBatch = 0;
      } else prefix = this.pretty ? ',\n' : ',';
      elementPointer = `/${this.inBatch}`;
      if (this.pretty) prefix += '  ';
      this.inBatch++;
    }
    this.elements++;
    return { prefix, elementPointer };
  }

  /** What ends the file. */
  end(): string {
    if (this.elements === 0) return this.options.format === 'json' ? '[]\n' : '';
    if (this.options.format === 'ndjson' && this.options.batchSize === undefined) return '\n';
    return this.pretty ? '\n]\n' : ']\n';
  }

  /** Moves the position past `text`. */
  private advance(text: string): void {
    // Positions are needed only to report defects.
    if (this.rate === 0) return;
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      this.column += text.length;
      return;
    }
    let breaks = 0;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) breaks++;
    this.line += breaks;
    this.column = text.length - last - 1;
  }

  /** The element's text with one mistake, recorded where `validate` reports it. */
  private withDefect(event: unknown, pointer: string): string {
    const marks: Marks = { commas: [], ends: [], colons: [] };
    const clean = stringifyWithMarks(event, this.pretty ? '  ' : '', pointer, marks, this.options.escaped === true);
    const text = this.pretty ? clean.replaceAll('\n', '\n  ') : clean;
    // Hint: re-indenting adds two characters after every line break before an offset.
    const shift = (offset: number) => {
      if (!this.pretty) return offset;
      let breaks = 0;
      for (let at = clean.indexOf('\n'); at !== -1 && at < offset; at = clean.indexOf('\n', at + 1)) breaks++;
      return offset + 2 * breaks;
    };
    const choices = defectCodes.filter((code) => this.placesFor(code, marks).length > 0);
    if (choices.length === 0) return text;
    const code = choices[Math.floor(this.random() * choices.length)] ?? impossible('choices is not empty');
    const places = this.placesFor(code, marks);
    const place = places[Math.floor(this.random() * places.length)] ?? impossible('a code is chosen for its places');
    const offset = shift(place.offset);
    let damaged: string;
    if (code === 'trailing-comma') damaged = `${text.slice(0, offset)},${text.slice(offset)}`;
    else damaged = text.slice(0, offset) + text.slice(offset + 1); // the comma or the colon goes
    // Hint: validate points at the comma itself for a trailing comma, and at the gap where the
    // comma or colon belongs for a missing one: the same offset in each case.
    const reported = offset;
    const before = damaged.lastIndexOf('\n', reported - 1);
    let lines = 0;
    for (let at = damaged.indexOf('\n'); at !== -1 && at < reported; at = damaged.indexOf('\n', at + 1)) lines++;
    const column = before === -1 ? this.column + reported : reported - before - 1;
    this.defects.push({ code, line: this.line + lines + 1, column: column + 1, pointer: place.pointer });
    return damaged;
  }

  private placesFor(code: DefectCode, marks: Marks): Marks['commas'] {
    return code === 'missing-comma' ? marks.commas : code === 'trailing-comma' ? marks.ends : marks.colons;
  }
}

/** What to generate and how to lay it out, and which blocks of the output to write. */
export interface GeneratedBlocksOptions {
  events: GenerateEventsOptions & { count: number };
  text: GeneratedTextOptions;
  /** Elements in each block but perhaps the last. */
  blockSize: number;
  /** Write every `stride`-th block, starting with block `part` (default: every block). */
  stride?: number | undefined;
  part?: number | undefined;
}

/** A run of consecutive elements of the output, with what the command reports of them. */
export interface GeneratedBlock {
  /** 0 for the first block of the output. */
  index: number;
  /** The UTF-8 text of its elements, with the separators between them; the last block's ends the file. */
  bytes: Uint8Array;
  /** The defects made in it, at their positions in the whole output. */
  defects: Defect[];
  /** How many of its elements are redeliveries. */
  redeliveries: number;
  /** How many of those validate reads as bare events (`isEnvelope`): no id tells such a copy from a new event. */
  bareRedeliveries: number;
}

/** How many blocks of `blockSize` elements `count` elements make: at least one, which holds the file's ending. */
export const blockCount = (count: number, blockSize: number) => Math.max(1, Math.ceil(count / blockSize));

/**
 * UTF-8 text built in one buffer. Hint: encoding each element's string straight into the buffer
 * took less than half the time of joining the strings and encoding the result, which V8 must
 * first copy into one flat string.
 */
class Utf8Builder {
  private buffer = Buffer.allocUnsafeSlow(0);
  private length = 0;

  append(text: string): void {
    // A UTF-16 unit takes at most 3 bytes of UTF-8 (a surrogate pair 4 for its 2 units).
    const needed = this.length + 3 * text.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * this.buffer.length, 64 * 1024));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length);
  }

  /** The bytes so far, in a buffer of their own (so it can move to another thread); the builder starts empty. */
  take(): Uint8Array {
    const bytes = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafeSlow(this.buffer.length);
    this.length = 0;
    return bytes;
  }
}

/**
 * Generates events and writes the text of every `stride`-th block of the output. Every part
 * generates all the events, since each event's randomness follows from all the events before
 * it, but writes only its own blocks' text (most of the time): so `stride` threads share the
 * work, and the blocks are byte-identical whichever thread writes them.
 */
export function* generateBlocks(options: GeneratedBlocksOptions): Generator<GeneratedBlock, void, undefined> {
  const { blockSize } = options;
  const stride = options.stride ?? 1;
  const part = options.part ?? 0;
  const writer = new GeneratedTextWriter(options.text);
  const blocks = blockCount(options.events.count, blockSize);
  const text = new Utf8Builder();
  let index = 0;
  let inBlock = 0;
  let reported = 0;
  let redeliveries = 0;
  let bareRedeliveries = 0;
  for (const { event, redelivery } of generateEvents(options.events)) {
    const mine = index % stride === part;
    if (mine) {
      text.append(writer.push(event));
      if (redelivery) {
        redeliveries++;
        // Hint: by validate's own test of an envelope, so that the count is of copies it reads bare.
        if (!isEnvelope(event as Record<string, unknown>)) bareRedeliveries++;
      }
    } else writer.skip();
    // The last block is yielded after the loop, with the file's ending.
    if (++inBlock < blockSize || index === blocks - 1) continue;
    if (mine) {
      yield { index, bytes: text.take(), defects: writer.defects.slice(reported), redeliveries, bareRedeliveries };
      reported = writer.defects.length;
    }
    index++;
    inBlock = 0;
    redeliveries = 0;
    bareRedeliveries = 0;
  }
  if ((blocks - 1) % stride === part) {
    text.append(writer.end());
    yield {
      index: blocks - 1,
      bytes: text.take(),
      defects: writer.defects.slice(reported),
      redeliveries,
      bareRedeliveries,
    };
  }
}
