import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { garbageBytes } from '../../test/helpers/garbage.js';
import { codeFrame } from '../render/code-frame.js';
import { blankRepair } from './element.js';
import {
  ElementSplitter,
  type ResumePoint,
  type SplitBatchEnd,
  type SplitElement,
  type SplitProblem,
} from './split.js';

interface Result {
  elements: SplitElement[];
  /** The problems, each with the code frame a renderer would draw. */
  problems: Array<SplitProblem & { frame?: string | undefined }>;
  batches: SplitBatchEnd[];
}

/**
 * Feeds `input` to a splitter in chunks of `chunkSize` bytes. With `quick`, the sink takes the
 * quick path's offers whose bytes parse as JSON, as the input layer does.
 */
function split(
  input: string | Buffer,
  chunkSize = 1 << 20,
  maxElementBytes = 1 << 20,
  quick = false,
  oneValue = false,
): Result {
  const result: Result = { elements: [], problems: [], batches: [] };
  const take = (e: SplitElement) => result.elements.push({ ...e, bytes: Buffer.from(e.bytes) });
  const splitter = new ElementSplitter(
    {
      element: take,
      tryElement: quick
        ? (e) => {
            try {
              JSON.parse(e.bytes.toString());
            } catch {
              return false;
            }
            quickTaken++;
            take({ ...e, depth: 0, members: 0 });
            return true;
          }
        : undefined,
      problem: (p) => result.problems.push({ ...p, frame: p.excerpt && codeFrame(p.excerpt, p.line, p.column) }),
      batchEnd: (b) => result.batches.push(b),
    },
    { maxElementBytes, oneValue },
  );
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  for (let i = 0; i < bytes.length; i += chunkSize) splitter.push(bytes.subarray(i, i + chunkSize));
  splitter.end();
  return result;
}

let quickTaken = 0;

/** A result's problems, each as `code line:column` and the text its repair puts in. */
const shown = (r: Result) =>
  r.problems.map((p) => `${p.code} ${p.line}:${p.column}${p.repair ? ` ${JSON.stringify(p.repair.insert)}` : ''}`);

/** Expects each text to split into its elements (their texts) and problems (`shown`) in chunks of any size, with the quick path or without. */
function splitsAtEverySize(cases: ReadonlyArray<[string, string[], string[]]>, oneValue = false): void {
  for (const [text, elements, problems] of cases) {
    for (const size of [1, 2, 3, 7, 1 << 20]) {
      for (const quick of [false, true]) {
        const r = split(text, size, 1 << 20, quick, oneValue);
        expect({ text, size, quick, elements: texts(r), problems: shown(r) }).toEqual({
          text,
          size,
          quick,
          elements,
          problems,
        });
      }
    }
  }
}

/** The problems of `chunks` pushed one after another, each as `code line:column @offset`. */
function problemPlaces(chunks: Buffer[]): string[] {
  const problems: string[] = [];
  const splitter = new ElementSplitter(
    { element: () => {}, problem: (p) => problems.push(`${p.code} ${p.line}:${p.column} @${p.offset}`) },
    { maxElementBytes: 1 << 20 },
  );
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return problems;
}

/**
 * A result as lines of text, without what the quick path does not count (depth and members), to
 * compare with and without it: a failure then shows a short diff.
 */
const uncounted = (r: Result): string[] => [
  ...r.elements.map((e) => {
    const { bytes, depth, members, ...rest } = e;
    return `element ${JSON.stringify(rest)} ${JSON.stringify(bytes.toString())}`;
  }),
  ...r.problems.map((p) => `problem ${JSON.stringify(p)}`),
  ...r.batches.map((b) => `batch ${JSON.stringify(b)}`),
];

const texts = (r: Result) => r.elements.map((e) => e.bytes.toString());

/** Line and column (1-based, UTF-16) of string index `index`, computed the slow, obvious way. */
function positionOf(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** Whether a splitter fed `bytes` up to `at` is at `point`, where a second thread could start. */
function atPoint(bytes: Buffer, at: number, point: ResumePoint): boolean {
  const splitter = new ElementSplitter({ element: () => {}, problem: () => {} }, { maxElementBytes: 1 << 20 });
  splitter.push(bytes.subarray(0, at));
  return splitter.atResumePoint(point);
}

/** What a second thread resumed at `from` (at `point`) cuts out: each element's offset and text, and the problems. */
function resumed(
  bytes: Buffer,
  from: number,
  point: ResumePoint,
  indent = 0,
): { elements: [number, string][]; problems: SplitProblem[] } {
  const out = { elements: [] as [number, string][], problems: [] as SplitProblem[] };
  const splitter = new ElementSplitter(
    { element: (e) => out.elements.push([e.offset, e.bytes.toString()]), problem: (p) => out.problems.push(p) },
    { maxElementBytes: 1 << 20 },
  );
  splitter.resumeAt(from, point, indent);
  splitter.push(bytes.subarray(from));
  splitter.end();
  return out;
}

describe('ElementSplitter', () => {
  it('splits a batch into its elements with pointers and positions', () => {
    const r = split('[\n  {"a": 1},\n  {"b": [1, 2]}\n]\n');
    expect(texts(r)).toEqual(['{"a": 1}', '{"b": [1, 2]}']);
    expect(r.elements.map((e) => [e.pointer, e.line, e.column, e.batch])).toEqual([
      ['/0', 2, 3, 0],
      ['/1', 3, 3, 0],
    ]);
    expect(r.problems).toEqual([]);
    expect(r.batches).toMatchObject([{ isArray: true, elements: 2, line: 1, column: 1 }]);
  });

  it('reads a lone object as one element with an empty pointer', () => {
    const r = split('{"id": "x"}');
    expect(texts(r)).toEqual(['{"id": "x"}']);
    expect(r.elements[0]!.pointer).toBe('');
    expect(r.batches).toMatchObject([{ isArray: false, elements: 1 }]);
  });

  it('reads NDJSON, including lines that are batches', () => {
    const r = split('{"a":1}\n[{"b":2},{"c":3}]\n{"d":4}\n');
    expect(texts(r)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    expect(r.elements.map((e) => [e.batch, e.pointer, e.line])).toEqual([
      [0, '', 1],
      [1, '/0', 2],
      [1, '/1', 2],
      [2, '', 3],
    ]);
  });

  it('reads valid JSON whose lines open at column 1 as its first did, after a first line that held more, as JSON', () => {
    // A nested value may open a line at column 1 where a value may follow (after `:`, `,` or `[`):
    // such a line is no NDJSON value unless the first value, read on, shows it was cut there.
    const valid = [
      '{"id":"x","data":\n{"a":1}}\n',
      '{"id":"x","data":\n{"a":1},\n"b":\n{"c":[\n{"d":2}]}}\n',
      '[{"a":1},\n{"b":2,"flow":\n[1,2]},\n{"c":3}]\n',
      '[{"a":1},\n{"b":2,"flow":\n[\n{"s":1},\n{"s":2}\n]}]\n',
    ];
    for (const text of valid) {
      const whole = JSON.parse(text);
      const expected = Array.isArray(whole) ? whole : [whole];
      for (const chunkSize of [1, 2, 7, 1 << 20]) {
        for (const quick of [false, true]) {
          const r = split(text, chunkSize, 1 << 20, quick);
          expect(r.problems, `${JSON.stringify(text)} in chunks of ${chunkSize}`).toEqual([]);
          expect(texts(r).map((t) => JSON.parse(t))).toEqual(expected);
        }
      }
    }
    // NDJSON whose first line was cut where a value may follow still reads each later line as a value.
    for (const cut of [
      '{"a":1,"b":\n{"c":2}\n{"d":3}\n',
      '[{"a":1},\n[{"c":2}]\n[{"d":3}]\n',
      '[{"a":1,"b":\n[{"c":2}]\n[{"d":3}]\n',
      // The second line cut too, where a value may follow.
      '{"a":1,"b":\n{"x":\n{"c":2}\n{"d":3}\n',
      '{"a":1,"b":\n{"x":[1,\n{"c":2}\n{"d":3}\n',
    ]) {
      for (const chunkSize of [1, 3, 1 << 20]) {
        const r = split(cut, chunkSize);
        const where = `${JSON.stringify(cut)} in chunks of ${chunkSize}`;
        expect(texts(r).slice(-2), where).toEqual(['{"c":2}', '{"d":3}']);
        expect(
          r.elements.slice(-2).map((e) => e.line),
          where,
        ).toEqual([cut.split('\n').length - 2, cut.split('\n').length - 1]);
      }
    }
  });

  it('keeps damage to a pretty value inside it, not reading the value as NDJSON, after a line pending', () => {
    // A trailing comma, a missing comma: the lines after a nested value's line are no NDJSON
    // values, so the element is broken JSON where the damage is, as fix repairs it.
    const late = ['[{"id":1,"data":', '[1,', '2]},'];
    for (let id = 2; id < 40; id++) late.push(`{"id":${id}},`);
    late.push('{"id":40,"data":', '[3]', '"x":1},', '{"id":41}', ']');
    // (The damage itself is the element's to report, when it is parsed: the splitter has none.)
    for (const text of [
      '{"type":"call","data":\n{"call_id":"c1",\n"duration":12,\n"status":"done",\n}}\n',
      '{"id":1,"data":\n{"a":1},\n"x":1\n"y":2}\n',
      '{"id":1,"data":\n{"a":1,}}\n',
      `${late.join('\n')}\n`,
    ]) {
      for (const chunkSize of [1, 5, 1 << 20]) {
        const r = split(text, chunkSize);
        const where = `${JSON.stringify(text.slice(0, 40))} in chunks of ${chunkSize}`;
        expect(r.problems, where).toEqual([]);
        expect(r.elements.length, where).toBe(text.startsWith('[') ? 41 : 1);
        const [damaged, whole] = text.startsWith('[')
          ? [r.elements[39], '{"id":40,"data":\n[3]\n"x":1}']
          : [r.elements[0], text.trimEnd()];
        expect(damaged?.bytes.toString(), where).toBe(whole);
      }
    }
  });

  it('reads every whole line of NDJSON whose first lines were cut anywhere', () => {
    const object = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), {
      minKeys: 1,
      maxKeys: 4,
    });
    fc.assert(
      fc.property(
        fc.array(object, { minLength: 4, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.constantFrom('', '  ', 'text'), { minLength: 8, maxLength: 8 }),
        (values, cuts, chunkSize, kinds) => {
          // After the first whole line (or right after two cut lines or more), a line may be
          // indented, or a line of text.
          const lines = values.map((value, i) => {
            const kind = i > cuts.length || (i === cuts.length && i > 1) ? kinds[i] : '';
            return kind === 'text' ? 'not json at all' : `${kind}${JSON.stringify(value)}`;
          });
          // The first lines lose their ends, each at a place of its own.
          cuts.forEach((at, i) => {
            const line = lines[i] ?? '';
            lines[i] = line.slice(0, 1 + (at % (line.length - 1)));
          });
          const r = split(`${lines.join('\n')}\n`, chunkSize);
          const whole = r.elements.filter((e) => e.line > cuts.length);
          expect(whole.map((e) => [e.line, e.bytes.toString()])).toEqual(
            lines.slice(cuts.length).map((line, i) => [cuts.length + 1 + i, line.trim()]),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads every whole line after more cut first lines than are checked, once the file ends', () => {
    const text = `${'{"k":[1,\n'.repeat(9)}${[1, 2, 3, 4, 5].map((i) => `{"i":${i}}`).join('\n')}\n`;
    for (const chunkSize of [1, 7, 1 << 20]) {
      expect(texts(split(text, chunkSize)).slice(-5), `in chunks of ${chunkSize}`).toEqual(
        [1, 2, 3, 4, 5].map((i) => `{"i":${i}}`),
      );
    }
  });

  it('loses no line of an element a column-1 batch recovers, with a first line pending', () => {
    // The first element shares the `[`'s line, and a nested array opens a line at column 1: the
    // element cut short ends before the next event's line, and holds the lines before it.
    const text =
      '[{"eventType":"CallComplete","id":"a"},\n{\n"eventType":"CallComplete",\n"id":"b",\n"flow":\n' +
      '[{"eventType":"CallComplete","id":"x"},\n{\n"eventType":"CallComplete",\n"id":"c"\n},\n';
    for (const chunkSize of [1, 7, 1 << 20]) {
      const read = texts(split(text, chunkSize));
      for (const line of text.split('\n').filter((line) => line.length > 1)) {
        expect(
          read.some((element) => element.includes(line.replace(/^\[/, '').replace(/,$/, ''))),
          `${line} in chunks of ${chunkSize}`,
        ).toBe(true);
      }
    }
  });

  it('decides a first line cut where a value may follow at the next line, not at the end of the input', () => {
    // A stream (a pipe, a tail -f) hands on each value as its line is read: the line after the
    // one pending decides, so at most one line waits.
    for (const [first, second, next] of [
      ['{"a":1,"b":', '{"c":2}', '{"d":3}'],
      ['[{"a":1,"b":', '[{"c":2}]', '[{"d":3}]'],
    ]) {
      const seen: string[] = [];
      const splitter = new ElementSplitter(
        {
          element: (e) => seen.push(Buffer.from(e.bytes).toString()),
          problem: () => {},
          batchEnd: () => {},
        },
        { maxElementBytes: 1 << 20 },
      );
      splitter.push(Buffer.from(`${first}\n${second}\n`));
      expect(seen).toEqual([]);
      splitter.push(Buffer.from(next?.slice(0, 1) ?? ''));
      expect(seen.slice(-1), first).toEqual([second?.replace(/^\[|\]$/g, '')]);
      splitter.push(Buffer.from(`${next?.slice(1)}\n`));
      splitter.end();
      expect(seen.slice(-1), first).toEqual([next?.replace(/^\[|\]$/g, '')]);
    }
  });

  it('is not fooled by brackets, commas and escaped quotes inside strings', () => {
    const input = '[{"a": "}]\\",[{"}, {"b": "\\\\"}, "x\\"]"]';
    const r = split(input, 1);
    expect(texts(r)).toEqual(['{"a": "}]\\",[{"}', '{"b": "\\\\"}', '"x\\"]"']);
    expect(r.problems).toEqual([]);
  });

  it('counts object members outside strings (for duplicate-key detection)', () => {
    const r = split('[{"a": 1, "b": {"c": "x:y"}}]');
    expect(r.elements[0]!.members).toBe(3);
    expect(r.elements[0]!.depth).toBe(2);
  });

  it('keeps multi-byte characters whole across chunk boundaries and counts UTF-16 columns', () => {
    const input = '[{"n": "日本😀"}, {"m": 1}]';
    for (const size of [1, 2, 3, 5]) {
      const r = split(input, size);
      expect(texts(r)).toEqual(['{"n": "日本😀"}', '{"m": 1}']);
      // "日本" is 2 UTF-16 units, "😀" is 2: the second element starts at column 19.
      expect(r.elements[1]!.column).toBe(input.indexOf('{"m"') + 1);
      expect(r.elements[0]!.nonAscii).toBe(true);
    }
  });

  it('counts a character cut short (by the end of the file, or mid-line) as the one U+FFFD an editor shows', () => {
    for (const char of ['é', '€', '😀']) {
      const whole = Buffer.from(char);
      for (let kept = 1; kept < whole.length; kept++) {
        const cut = whole.subarray(0, kept);
        // The end of the file inside it: the array left open is reported just past it.
        const last = Buffer.concat([Buffer.from('{"a":"ab'), cut]);
        const atEnd = Buffer.concat([Buffer.from('[{"id":1},\n'), last]);
        // In the middle of a line: the next element begins where an editor shows it. Hint: after
        // a line of text, or the file would be refused as binary by its first bytes.
        const text = Buffer.from(`[{"id":"${'x'.repeat(40)}"},\n"`);
        const inLine = Buffer.concat([text, cut, Buffer.from('", {"b":1}]')]);
        for (const size of [1, 2, 1 << 20]) {
          const what = `${kept} of the ${whole.length} bytes of ${char} in chunks of ${size}`;
          const eof = split(atEnd, size).problems.find((p) => p.code === 'unexpected-eof');
          expect(eof && [eof.line, eof.column], what).toEqual([2, last.toString().length + 1]);
          const next = split(inLine, size).elements[2];
          expect(next && [next.line, next.column], what).toEqual([
            2,
            inLine.toString().split('\n')[1]!.indexOf('{') + 1,
          ]);
        }
      }
    }
  });

  it('counts lines in CRLF files and columns from the last line feed', () => {
    const r = split('[\r\n  {"a": 1},\r\n  {"b": 2}\r\n]\r\n');
    expect(r.elements.map((e) => [e.line, e.column])).toEqual([
      [2, 3],
      [3, 3],
    ]);
  });

  it('skips a UTF-8 BOM and starts columns after it', () => {
    // Hint: in chunks of 1 and 2 bytes too, as a pipe may hand stdin on: the BOM split across them.
    for (const size of [1 << 20, 1, 2]) {
      const r = split(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]), size);
      expect(texts(r), `chunks of ${size}`).toEqual(['{"a":1}']);
      expect(r.elements[0], `chunks of ${size}`).toMatchObject({ line: 1, column: 1, offset: 3 });
      expect(r.problems, `chunks of ${size}`).toEqual([]);
    }
    // Nor is it in the frame of a problem on line 1, whose caret would then stand off the column.
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    for (const size of [1 << 20, 1, 2, 4]) {
      const frames = split(Buffer.concat([bom, Buffer.from(',{"a":1},,[{"b":2} {"c":3}]')]), size).problems.map((p) => [
        p.code,
        p.column,
        p.excerpt?.text.includes('\uFEFF'),
        p.excerpt?.text[p.excerpt.index],
      ]);
      expect(frames, `chunks of ${size}`).toEqual([
        ['unexpected-character', 1, false, ','],
        ['unexpected-comma', 10, false, ','],
        ['top-level-comma', 9, false, ','],
        ['missing-comma', 19, false, ' '],
      ]);
    }
    // A file that is only the start of a BOM is read as the bytes it is.
    expect(split(Buffer.from([0xef, 0xbb]), 1).problems.map((p) => p.code)).toEqual(
      split(Buffer.from([0xef, 0xbb])).problems.map((p) => p.code),
    );
  });

  it('reports a missing comma between elements where the comma belongs, with its repair', () => {
    const r = split('[\n  {"a": 1}\n  {"b": 2}\n]');
    expect(texts(r)).toEqual(['{"a": 1}', '{"b": 2}']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({
      code: 'missing-comma',
      line: 2,
      column: 11,
      pointer: '/0',
      repair: { offset: 12, deleteBytes: 0, insert: ',' },
    });
    expect(r.problems[0]!.frame).toContain('> 2 |   {"a": 1}');
  });

  it('reads other bytes that are not UTF-8 between elements as an element, as text in another encoding may be one', () => {
    // Mapped to blanks like a lone 0xA0, a Latin-1 line and a Windows-1252 "“”" were no elements,
    // and fix made them spaces, deleted with exit 0 (review hR126); an element is refused whole instead.
    // Hint: padded, so that the file is not taken for binary (an eighth of its bytes not UTF-8).
    const pad = `{"pad":"${'x'.repeat(60)}"}`;
    const latin1 = Buffer.from(`${pad}\n\xc9\xc9\n\x93\x94\n{"b":2}\n`, 'latin1');
    const inBatch = Buffer.from('[{"a":1}, \x93\x94, {"b":2}]', 'latin1');
    for (const size of [1, 2, 3, 7, 1 << 20]) {
      expect(split(latin1, size).elements.map((e) => e.bytes.toString('latin1'))).toEqual([
        pad,
        '\xc9\xc9',
        '\x93\x94',
        '{"b":2}',
      ]);
      expect(split(inBatch, size).elements.map((e) => e.pointer)).toEqual(['/0', '/1', '/2']);
    }
    // A run named by its first character, where the caret points: a zero-width space before a lone 0xA0.
    const mixed = split(Buffer.concat([Buffer.from('[{"a":1}, \u200b'), Buffer.from([0xa0]), Buffer.from('{"b":2}]')]));
    expect(mixed.problems.map((p) => [p.code, p.column, p.message.slice(0, 45)])).toEqual([
      ['invalid-symbol', 11, 'unexpected invisible character (U+200B): betw'],
    ]);
  });

  it('closes an array the end of the file left open after its last line break, with one after the "]" in its line ending', () => {
    // hR124: `[{…}\r\n` was repaired to `[{…}\r\n]`, a file that ended with a line break no longer did.
    const cases: Array<[string, string]> = [
      ['[{"a":1}\n', ']\n'],
      ['[{"a":1}\r\n', ']\r\n'],
      ['[\r\n  {"a":1},\r\n  {"b":2}\r\n', ']\r\n'],
      ['[{"a":1}', ']'],
      ['[{"a":1}  ', ']'],
    ];
    for (const [text, insert] of cases) {
      for (const size of [1, 2, 3, 7, 1 << 20]) {
        const eof = split(text, size).problems.find((problem) => problem.code === 'unexpected-eof');
        expect({ text, size, repair: eof?.repair }).toEqual({
          text,
          size,
          repair: { offset: Buffer.byteLength(text), deleteBytes: 0, insert },
        });
      }
    }
  });

  it('reads a "[" opening its line left of the object before it as the next batch, the first one’s "]" lost', () => {
    // Two exports joined, the first without its last line: the second is read as a batch of its
    // own, not nested in the first as one invalid element, and the `]` goes where it was lost.
    const lost = 'expected "]" to close the array opened at line 1, column 1; the "[" after it opens the next batch';
    const pretty = ['{"a": 1}', '{"b": 2}', '{"c": 3}'];
    const cases: Array<[string, string[], string, { offset: number; deleteBytes: number }]> = [
      [
        '[\n  {"a": 1},\n  {"b": 2}\n[\n  {"c": 3}\n]\n',
        pretty,
        'unexpected-token 3:11 "]"',
        { offset: 24, deleteBytes: 0 },
      ],
      // As the platform prints batches, every line at column 1.
      [
        '[\n{\n"a": 1\n},\n{\n"b": 2\n}\n[\n{\n"c": 3\n}\n]\n',
        ['{\n"a": 1\n}', '{\n"b": 2\n}', '{\n"c": 3\n}'],
        'unexpected-token 7:2 "]"',
        { offset: 24, deleteBytes: 0 },
      ],
    ];
    splitsAtEverySize(cases.map(([text, elements, problem]) => [text, elements, [problem]]));
    for (const [text, , , at] of cases) {
      const r = split(text);
      expect(r.elements.map((e) => `${e.batch} ${e.pointer}`)).toEqual(['0 /0', '0 /1', '1 /0']);
      expect(r.problems[0]).toMatchObject({ message: lost, pointer: '', repair: { ...at, insert: ']' } });
      expect(r.batches.map((b) => [b.batch, b.elements])).toEqual([
        [0, 2],
        [1, 1],
      ]);
    }
    // An array at the elements' own indentation is one of them, a comma missing before it, as before.
    splitsAtEverySize([['[\n  {"a": 1}\n  [1]\n]\n', ['{"a": 1}', '[1]'], ['missing-comma 2:11 ","']]]);
    // After a comma, an array at column 1 or left of the object before it is an element of the
    // batch: valid JSON (the platform's layout puts every line at column 1) is read as it is
    // (review hR85); a batch left open after it is cut short at its end, as any other.
    splitsAtEverySize([
      ['[\n  {"a": 1},\n[1]\n]\n', ['{"a": 1}', '[1]'], []],
      ['[\n{\n"a": 1\n},\n[\n{\n"b": 2\n}\n]\n]\n', ['{\n"a": 1\n}', '[\n{\n"b": 2\n}\n]'], []],
    ]);
    const open = split('[\n  {"a": 1},\n  {"b": 2},\n[\n  {"c": 3}\n]\n');
    expect(open.elements.map((e) => `${e.batch} ${e.pointer}`)).toEqual(['0 /0', '0 /1', '0 /2']);
    expect(open.problems.map((p) => p.code)).toEqual(['unexpected-eof']);
  });
  it('reads a run of stray characters longer than a regular expression can repeat over as one invalid-symbol', () => {
    // Hint: V8 keeps a backtracking entry for each character a `u` class repeats over, and threw
    // "Maximum call stack size exceeded" past about 4 million two-byte ones (red team hT43).
    const r = split(`[\n\u3000${'@'.repeat(4_500_000)}{"a": 1}\n]\n`, 1 << 20, 1 << 23);
    const problems = r.problems.map((p) => `${p.code} ${p.line}:${p.column}`);
    expect({ texts: texts(r), problems }).toEqual({ texts: ['{"a": 1}'], problems: ['invalid-symbol 2:1'] });
    // And a run of blanks, repaired to spaces.
    const blanks = '\u3000'.repeat(9_000_000);
    expect(blankRepair(0, blanks)?.insert === ' '.repeat(blanks.length)).toBe(true);
  });

  it('reads a stray character before an element as one invalid-symbol, not as an element of its own', () => {
    // NBSP indentation pasted from a web page, a BOM where two exports were joined, a zero-width
    // space or an `@` was an element, with a false missing comma before the one after it, and
    // every later pointer one off. Whitespace-like ones are replaced with spaces by the repair.
    const cases: [string, string[]][] = [
      ['\u00a0\u00a0', ['invalid-symbol 2:1 /0 "  "', 'invalid-symbol 3:1 /1 "  "', 'invalid-symbol 4:1 /2 "  "']],
      ['\ufeff', ['invalid-symbol 2:1 /0 " "', 'invalid-symbol 3:1 /1 " "', 'invalid-symbol 4:1 /2 " "']],
      ['\u200b ', ['invalid-symbol 2:1 /0 " "', 'invalid-symbol 3:1 /1 " "', 'invalid-symbol 4:1 /2 " "']],
      ['@', ['invalid-symbol 2:1 /0', 'invalid-symbol 3:1 /1', 'invalid-symbol 4:1 /2']],
    ];
    for (const [stray, expected] of cases) {
      const text = `[\n${stray}{"a": 1},\n${stray}{"b": 2},\n${stray}{"c": 3}\n]\n`;
      for (const size of [1, 2, 3, 7, 1 << 20]) {
        for (const quick of [false, true]) {
          const r = split(text, size, 1 << 20, quick);
          const problems = r.problems.map(
            (p) =>
              `${p.code} ${p.line}:${p.column} ${p.pointer}${p.repair ? ` ${JSON.stringify(p.repair.insert)}` : ''}`,
          );
          expect({ stray, size, quick, texts: texts(r), problems }).toEqual({
            stray,
            size,
            quick,
            texts: ['{"a": 1}', '{"b": 2}', '{"c": 3}'],
            problems: expected,
          });
        }
      }
    }
    // A word is still an element (a value mistyped), and so is a symbol that no value follows at
    // once, blanks or not: a comma or `]` after blanks stands where it did (helper-202 found
    // `["a", @ , "b"]` read as an empty slot, "two commas in a row", and "b" at /1).
    expect(texts(split('[NaN, @, 1]'))).toEqual(['NaN', '@', '1']);
    for (const [text, elements] of [
      ['["a", @ , "b"]', ['"a"', '@', '"b"']],
      ['["a", @ ]', ['"a"', '@']],
      ['[@ ,1]', ['@', '1']],
      ['[ @ ]', ['@']],
      ['[\n  {"a":1},\n  @\n  ,{"b":2}\n]', ['{"a":1}', '@', '{"b":2}']],
      ['[@ {"a":1}]', ['@', '{"a":1}']],
    ] as const) {
      for (const size of [1, 2, 3, 1 << 20]) {
        for (const quick of [false, true]) {
          const r = split(text, size, 1 << 20, quick);
          expect({ text, size, quick, elements: texts(r), codes: r.problems.map((p) => p.code) }).toEqual({
            text,
            size,
            quick,
            elements,
            codes: text === '[@ {"a":1}]' ? ['missing-comma'] : [],
          });
        }
      }
    }
  });

  it('reads a comment between elements or values as one comment problem, not as elements a word', () => {
    // Hint: `// second event` between two elements of a batch was three invalid elements, with a
    // false missing comma before each (red team hT72).
    const cases: [string, string[], string[]][] = [
      ['[\n  {"a": 1},\n  // second event\n  {"b": 2}\n]\n', ['{"a": 1}', '{"b": 2}'], ['comment 3:3']],
      ['[\n  {"a": 1}, /* x */ {"b": 2}\n]\n', ['{"a": 1}', '{"b": 2}'], ['comment 2:13']],
      ['[\n  {"a": 1} // after\n  , {"b": 2}\n]\n', ['{"a": 1}', '{"b": 2}'], ['comment 2:12']],
      ['[ // events\n  {"a": 1},\n  {"b": 2}\n]\n', ['{"a": 1}', '{"b": 2}'], ['comment 1:3']],
      ['[\n  {"a": 1},\n  /* one\n  two **/\n  {"b": 2}\n]\n', ['{"a": 1}', '{"b": 2}'], ['comment 3:3']],
      ['[\n  {"a": 1},\n  /**/{"b": 2}\n]\n', ['{"a": 1}', '{"b": 2}'], ['comment 3:3']],
      ['{"a": 1} // note\n{"b": 2}\n', ['{"a": 1}', '{"b": 2}'], ['comment 1:10']],
      ['// header\n{"a": 1}\n{"b": 2}\n', ['{"a": 1}', '{"b": 2}'], ['comment 1:1']],
      ['{"a": 1}\n/* ends with the file', ['{"a": 1}'], ['comment 2:1 unclosed']],
    ];
    for (const [text, elements, expected] of cases) {
      for (const size of [1, 2, 3, 7, 1 << 20]) {
        for (const quick of [false, true]) {
          const r = split(text, size, 1 << 20, quick);
          const problems = r.problems.map(
            (p) => `${p.code} ${p.line}:${p.column}${p.message.includes('end of the file') ? ' unclosed' : ''}`,
          );
          expect({ text, size, quick, texts: texts(r), problems }).toEqual({
            text,
            size,
            quick,
            texts: elements,
            problems: expected,
          });
        }
      }
    }
  });

  it('reads a stray blank after an element as one invalid-symbol, as before one, not as an element of its own', () => {
    // One before the `,` or `]` (or the end of the file) was an element, after a false missing
    // comma: two events, and fix refused the file.
    for (const blank of ['\v', '\f', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u200b', '\u3000\u00a0']) {
      const spaces = JSON.stringify(' '.repeat(blank.length));
      const cases: [string, string[], string[]][] = [
        [`[{"a":1}${blank}]\n`, ['{"a":1}'], [`invalid-symbol 1:9 ${spaces}`]],
        [`[{"a":1}${blank},{"b":2}]\n`, ['{"a":1}', '{"b":2}'], [`invalid-symbol 1:9 ${spaces}`]],
        [`[\n  {"a":1}\n${blank}]\n`, ['{"a":1}'], [`invalid-symbol 3:1 ${spaces}`]],
        [`[\n  {"a":1}${blank}\n]\n`, ['{"a":1}'], [`invalid-symbol 2:10 ${spaces}`]],
        // Still a comma missing between two elements, at the first one's end, where it goes.
        [
          `[{"a":1}${blank}{"b":2}]\n`,
          ['{"a":1}', '{"b":2}'],
          [`invalid-symbol 1:9 ${spaces}`, 'missing-comma 1:9 ","'],
        ],
        [`["a string"${blank}]\n`, ['"a string"'], [`invalid-symbol 1:12 ${spaces}`]],
        // And at the end of the file: of a batch left open, and of NDJSON with no last line break.
        [`[{"a":1}${blank}`, ['{"a":1}'], [`invalid-symbol 1:9 ${spaces}`, `unexpected-eof 1:${9 + blank.length} "]"`]],
        [`{"a":1}\n{"b":2}\n${blank}`, ['{"a":1}', '{"b":2}'], [`invalid-symbol 3:1 ${spaces}`]],
      ];
      splitsAtEverySize(cases);
    }
    // A value there is still one, after a comma missing: reported before it, as it was.
    for (const [text, elements] of [
      ['[{"a":1} 2]', ['{"a":1}', '2']],
      ['[{"a":1}\u00a0x]', ['{"a":1}', '\u00a0x']],
      ['[{"a":1}é]', ['{"a":1}', 'é']],
    ] as const) {
      const r = split(text);
      expect({ text, elements: texts(r), problems: shown(r) }).toEqual({
        text,
        elements,
        problems: ['missing-comma 1:9 ","'],
      });
    }
  });

  it("reads stray blanks or a comment after a body's one value as such, no second value (red team hF60)", () => {
    // listen answered 400 with a false `second-value` for a batch followed by a no-break space, a
    // form feed or a comment: the problem was said before the scalar was known to be stray.
    const cases: [string, string[], string[]][] = [
      ['{"a":1}\u00a0', ['{"a":1}'], ['invalid-symbol 1:8 " "']],
      ['[{"a":1}] \u00a0\n', ['{"a":1}'], ['invalid-symbol 1:11 " "']],
      ['[{"a":1}]\f\n', ['{"a":1}'], ['invalid-symbol 1:10 " "']],
      ['{"a":1}\n\u3000\u00a0\n', ['{"a":1}'], ['invalid-symbol 2:1 "  "']],
      ['{"a":1} // x', ['{"a":1}'], ['comment 1:9']],
      ['[{"a":1}]\n/* x */\n', ['{"a":1}'], ['comment 2:1']],
      // A value after it is still a second one, a scalar too; text that is none is its own element.
      ['{"a":1} {"b":2}', ['{"a":1}', '{"b":2}'], ['second-value 1:9']],
      ['{"a":1} 2', ['{"a":1}', '2'], ['second-value 1:9']],
      ['{"a":1}\u00a0{"b":2}', ['{"a":1}', '{"b":2}'], ['invalid-symbol 1:8 " "', 'second-value 1:9']],
      ['{"a":1} // x\n[2]', ['{"a":1}', '2'], ['comment 1:9', 'second-value 2:1']],
      ['{"a":1} nope', ['{"a":1}', 'nope'], []],
    ];
    splitsAtEverySize(cases, true);
  });

  it('reports a trailing comma before ] and a comma before the first element', () => {
    const r = split('[, {"a": 1},\n]');
    expect(r.problems.map((p) => [p.code, p.line, p.column])).toEqual([
      ['unexpected-comma', 1, 2],
      ['trailing-comma', 1, 12],
    ]);
    expect(r.problems[1]!.repair).toEqual({ offset: 11, deleteBytes: 1, insert: '' });
  });

  it('frames a trailing comma at the end of the file, or before a ] in the next chunk, as its neighbours', () => {
    const trailing = (text: string, chunkSize?: number) => split(text, chunkSize).problems;
    for (const [text, line, column] of [
      ['[\n  {"a": 1},\n  {"b": 2},\n', 3, 11],
      ['[\n  {"a": 1},\n  {"b": 2},', 3, 11],
      ['[\n  {"a": 1},\n  {"b": 2},\n]\n', 3, 11],
      ['{"a": 1}\n{"b": 2},\n', 2, 9],
      ['[{"a": 1}],', 1, 11],
    ] as const) {
      const comma = text.lastIndexOf(',');
      // In one chunk, and in two cut just past the comma (what follows it is in the second).
      for (const chunkSize of [undefined, comma + 1]) {
        const problem = trailing(text, chunkSize).find((p) => p.code === 'trailing-comma');
        expect(problem, `${JSON.stringify(text)} in chunks of ${chunkSize}`).toMatchObject({
          line,
          column,
          repair: { offset: comma, deleteBytes: 1, insert: '' },
        });
        const source = text.split('\n')[line - 1];
        expect(problem?.frame ?? '(no frame)').toContain(`> ${line} | ${source}`);
        expect(problem?.frame).toContain(`| ${' '.repeat(column - 1)}^`);
      }
    }
  });

  it('frames a missing comma whose element ended in an earlier chunk than the next one begins', () => {
    const text = '[\n  {"a": 1}\n  {"b": 2}\n]';
    const next = text.indexOf('{"b"');
    // Cut anywhere from just past the first element to just before the second.
    for (let chunkSize = text.indexOf('}') + 1; chunkSize <= next; chunkSize++) {
      const problem = split(text, chunkSize).problems.find((p) => p.code === 'missing-comma');
      expect(problem, `in chunks of ${chunkSize}`).toMatchObject({ line: 2, column: 11 });
      expect(problem?.frame ?? '(no frame)', `in chunks of ${chunkSize}`).toContain('> 2 |   {"a": 1}');
      expect(problem?.frame).toContain(`| ${' '.repeat(10)}^`);
    }
  });

  it('frames an array cut at the end of its line when the line break ended the chunk before', () => {
    // The next line opens as the first did: the file is NDJSON, and the first array is not closed.
    const text = '[{"a": 1},\n[{"b": 2}]\n';
    for (const chunkSize of [undefined, text.indexOf('\n') + 1]) {
      const problem = split(text, chunkSize).problems.find((p) => p.code === 'unexpected-eol');
      expect(problem, `in chunks of ${chunkSize}`).toMatchObject({ line: 1, column: 11 });
      expect(problem?.frame ?? '(no frame)', `in chunks of ${chunkSize}`).toContain('> 1 | [{"a": 1},');
    }
  });

  it("frames the byte after an element ended at a chunk's end from that byte, not from the excerpt kept before it", () => {
    // The element's end, kept as a missing comma's place, is the next chunk's first byte: a
    // problem found there must show that byte under the caret.
    for (const [text, code] of [
      ['[{"a":1}:{"b":2}]', 'unexpected-character'],
      ['[{"a":1},   ]', 'trailing-comma'],
      ['[{"a":1},,]', 'trailing-comma'],
    ] as const) {
      for (let chunkSize = 1; chunkSize <= text.length; chunkSize++) {
        const problem = split(text, chunkSize).problems.find((p) => p.code === code);
        const [shown = '', caret = ''] = (problem?.frame ?? '').split('\n').slice(-2);
        expect(shown[caret.indexOf('^')], `${text} in chunks of ${chunkSize}:\n${problem?.frame}`).toBe(text[8]);
      }
    }
  });

  it('frames a problem between elements from whole characters only, where the bytes kept around it are cut', () => {
    // The bytes kept around a missing comma began inside a flag (🇺🇦 for 🇦🇺) or before a skin
    // tone alone, and ended inside an emoji, shown as `�` that the file does not hold.
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const pieces = ['🇦🇺', '👍🏽', '👨\u200d👩\u200d👧\u200d👦', 'e\u0301', '😀'];
    for (const piece of pieces) {
      for (const [before, after] of [
        [100, 100],
        [101, 37],
        [150, 53],
      ] as const) {
        const text = `[{"note":"x${piece.repeat(before)}"} {"note":"${piece.repeat(after)}"}]`;
        // Hint: in chunks this size the bytes after the problem are in its chunk; where they run to
        // the chunk's end, what the next chunk adds is not known yet.
        for (const chunkSize of [1 << 20, 1024]) {
          const problem = split(text, chunkSize).problems.find((p) => p.code === 'missing-comma');
          for (const row of (problem?.frame ?? '').split('\n').slice(0, -1)) {
            const shown = row.replace(/^[> ] *\d+ \| /, '').replaceAll('…', '');
            for (const { segment } of segmenter.segment(shown)) {
              expect(segment.length === 1 || pieces.includes(segment), `${chunkSize}: ${row}`).toBe(true);
              expect(segment).not.toBe('\ufffd');
            }
          }
        }
      }
    }
  });

  it('reports an array left open at the end of the file', () => {
    const r = split('[\n  {"a": 1},\n  {"b": 2}\n');
    expect(texts(r)).toEqual(['{"a": 1}', '{"b": 2}']);
    expect(r.problems.map((p) => p.code)).toEqual(['unexpected-eof']);
    expect(r.problems[0]!.message).toContain('line 1, column 1');
  });

  it('marks an element cut off by the end of the file as truncated', () => {
    const r = split('[{"a": {"b": 1}');
    expect(r.elements).toHaveLength(1);
    expect(r.elements[0]!.truncated).toBe(true);
  });

  it('ends an unterminated string at its line so the next lines stay in step', () => {
    const r = split('[\n{"a": "oops,\n"b": 1},\n{"c": 2}\n]', 3);
    expect(texts(r)).toEqual(['{"a": "oops,\n"b": 1}', '{"c": 2}']);
    expect(r.problems).toEqual([]);
  });

  it('reports each comma between top-level values, with a repair that makes them a value a line', () => {
    const commas = (text: string) =>
      split(text).problems.map((p) => [p.code, p.line, p.column, p.repair?.deleteBytes, p.repair?.insert]);
    const r = split('{"a":1},\n{"b":2},\n{"c":3}');
    expect(texts(r)).toHaveLength(3);
    // On a line of its own already, a value needs the comma gone; on the same line, a line break instead.
    expect(commas('{"a":1},\n{"b":2},\n{"c":3}')).toEqual([
      ['top-level-comma', 1, 8, 1, ''],
      ['top-level-comma', 2, 8, 1, ''],
    ]);
    // The blanks after the comma go with it, so that the value opens its line; the line break is
    // the file's: that of the comma's line, or else of the line before it.
    expect(commas('{"a":1}, {"b":2},{"c":3}')).toEqual([
      ['top-level-comma', 1, 8, 2, '\n'],
      ['top-level-comma', 1, 17, 1, '\n'],
    ]);
    expect(commas('{"a":1},\t {"b":2}\r\n{"c":3}')).toEqual([['top-level-comma', 1, 8, 3, '\r\n']]);
    expect(commas('{"a":1}\r\n{"b":2}, {"c":3}')).toEqual([['top-level-comma', 2, 8, 2, '\r\n']]);
    // Not past a stray comma, which has its own repair.
    expect(commas('{"a":1}, , {"b":2}\r\n')).toEqual([
      ['unexpected-comma', 1, 10, 1, ''],
      ['top-level-comma', 1, 8, 1, '\r\n'],
    ]);
    // A comma that opens the next value's line: that value is on a later line than the one before
    // it already, and a line break would only add a blank line (an LF in a CRLF file).
    expect(commas('{"a":1}\n,{"b":2}\r\n, {"c":3}')).toEqual([
      ['top-level-comma', 2, 1, 1, ''],
      ['top-level-comma', 3, 1, 2, ''],
    ]);
    // A batch ends at its `]`, not with its last element.
    expect(commas('[\n{"a":1}\n], [{"b":2}]')).toEqual([['top-level-comma', 3, 2, 2, '\n']]);
  });

  it('reports a value that begins on the line an NDJSON value ended on, and keeps both, with a line break to repair it', () => {
    const breaks = (text: string, size = 1 << 20, quick = false) =>
      split(text, size, 1 << 20, quick).problems.map((p) => [
        p.code,
        p.line,
        p.column,
        p.repair?.offset,
        p.repair?.insert,
      ]);
    for (const newline of ['\n', '\r\n']) {
      // Hint: a first line, so that its line ending is known before a chunk of one byte shows the next.
      const text = `{}${newline}{"a":1}{"b":2}${newline}[3] [4]${newline}5 6${newline}`;
      const second = (line: number) => text.indexOf(['{"b', '[4', '6'][line - 2]!);
      for (const size of [1, 3, 1 << 20]) {
        const what = `${JSON.stringify(newline)} in chunks of ${size}`;
        expect(texts(split(text, size)), what).toEqual(['{}', '{"a":1}', '{"b":2}', '3', '4', '5', '6']);
        for (const quick of [false, true]) {
          expect(breaks(text, size, quick), `${what}${quick ? ', quick' : ''}`).toEqual([
            ['missing-line-break', 2, 8, second(2), newline],
            ['missing-line-break', 3, 5, second(3), newline],
            ['missing-line-break', 4, 3, second(4), newline],
          ]);
        }
      }
    }
    expect(split('{}{}').problems[0]?.message).toBe(
      'a second value on the line: put a line break before it (NDJSON: one value a line)',
    );
    // A comma between has its own problem; a log line's prefix is one invalid element, and the
    // value after it on its line is no second value.
    expect(breaks('{"a":1}, {"b":2}\n')).toEqual([['top-level-comma', 1, 8, 7, '\n']]);
    expect(breaks('{"a":1}\nINFO got {"b":2}\n')).toEqual([]);
    // So is one that begins with a value a colon ends (a time, `true:`): no JSON has a colon at the
    // top level, and `12:00:01 {…}` was read as the element 12 and a second, `00:01 ` (hR105).
    splitsAtEverySize([
      ['{"a":1}\n12:00:01 {"b":2}\n', ['{"a":1}', '12:00:01 ', '{"b":2}'], []],
      ['12:00:01.250 {"b":2}\n7:05 {"c":3}\n', ['12:00:01.250 ', '{"b":2}', '7:05 ', '{"c":3}'], []],
      ['true: {"b":2}\n', ['true: ', '{"b":2}'], []],
    ]);
    // Stray text after a value is no second value: its element says what it is (invalid-symbol),
    // once; a line break before it would not make it one (red team hT13).
    for (const stray of ['x', '@', '#1', ' abc def']) expect(breaks(`{"a":1}${stray}\n{"b":2}\n`), stray).toEqual([]);
    // So is one that begins as a value may (`n`, `-`, a digit) but is none: only a scalar that
    // parses is a second value, wherever the file ends and however it is read.
    for (const [size, quick] of [
      [1, false],
      [1 << 20, false],
      [1 << 20, true],
    ] as const) {
      for (const stray of [' nope', '-- done', ' nul', ' 1x', ' -', ' tru e', ' fals"e"']) {
        for (const after of ['\n{"b":2}\n', '']) {
          expect(breaks(`{"a":1}${stray}${after}`, size, quick), `${stray} ${after.length} ${size}`).toEqual([]);
        }
      }
      // One too large to keep is still a value begun on the line (review hR16).
      const large = split(`{"a":1} ${'1'.repeat(2000)}\n`, size, 1024, quick).problems.map((p) => p.code);
      expect(large, `large ${size}`).toContain('missing-line-break');
      for (const value of ['null', '-1', 'true', '2.5e3']) {
        for (const after of ['\n', '']) {
          expect(breaks(`{"a":1} ${value}${after}`, size, quick), `${value} ${size}`).toEqual([
            ['missing-line-break', 1, 9, 8, '\n'],
          ]);
        }
      }
    }
    // A lone CR is no NDJSON line ending (as a line reader such as jq splits): it is made CRLF.
    const crText = '{"a":1}\r{"b":2} \r [3]\r\n';
    for (const [size, quick] of [
      [1 << 20, false],
      [1, true],
    ] as const) {
      expect(breaks(crText, size, quick)).toEqual([
        ['missing-line-break', 1, 9, 8, '\n'],
        ['missing-line-break', 1, 19, 17, '\n'],
      ]);
    }
    const cr = split(crText).problems;
    expect(cr[0]?.message).toBe('a second value on the line, after a lone CR: NDJSON lines end with LF or CRLF');
    // A second thread starts at a line of NDJSON: the value before it ended on an earlier line.
    const ndjson = Buffer.from('{"a":1}\n{"b":2}\n{"c":3}{"d":4}\n');
    expect(resumed(ndjson, 8, 'top').problems.map((p) => [p.code, p.line, p.column])).toEqual([
      ['missing-line-break', 2, 8],
    ]);
  });

  it('puts in the line ending of the line before a comma whose line runs past the chunk at hand', () => {
    // A line longer than a chunk (an event with a long transcript): its own line break is in a
    // later chunk, and the one before it in an earlier chunk, maybe apart from its CR.
    const long = `{"b":"${'x'.repeat(100)}"}`;
    for (const newline of ['\r\n', '\n']) {
      const text = `{"a":1}${newline}${long}, {"c":3}${newline}{"d":4}${newline}`;
      for (const size of [1, 2, 7, 16, 64, 1 << 20]) {
        const inserted = split(text, size).problems.map((p) => p.repair?.insert);
        expect(inserted, `${JSON.stringify(newline)} in chunks of ${size}`).toEqual([newline]);
      }
    }
  });

  it('reports each comma too many between top-level values, with its repair, as in an array', () => {
    const commas = (text: string) =>
      split(text).problems.map((p) => [p.code, p.column, p.message, p.repair?.offset, p.repair?.deleteBytes]);
    const twice = (column: number) => ['unexpected-comma', column, 'two commas in a row', column - 1, 1];
    const trailing = (column: number) => [
      'trailing-comma',
      column,
      'trailing comma at the end of the file',
      column - 1,
      1,
    ];
    expect(commas('{"a":1},,')).toEqual([twice(9), trailing(8)]);
    expect(commas('{"a":1},,\n')).toEqual([twice(9), trailing(8)]);
    expect(commas('[{"a":1}],,,')).toEqual([twice(11), twice(12), trailing(10)]);
    const between = commas('{"a":1},,{"b":2}');
    expect(between[0]).toEqual(twice(9));
    expect(between.slice(1).map(([code, column]) => [code, column])).toEqual([['top-level-comma', 8]]);
  });

  it('reads a line of text that is no JSON as one element, not one a word', () => {
    // Plain text or an HTML error page saved as .json was "18 events" for 18 words, each with
    // its own problem, and a line cut at its start gave one element a piece.
    const r = split('Hello there, this is not JSON.\n<html><body>502</body></html>\r\n-4951-a7a2"}\n{"a":1}\n');
    expect(texts(r)).toEqual([
      'Hello there, this is not JSON.',
      '<html><body>502</body></html>\r',
      '-4951-a7a2"}',
      '{"a":1}',
    ]);
    // Values that are JSON stay values, one each, wherever they are; so does an event after text.
    expect(texts(split('1 2 true\n[3, 4]\n'))).toEqual(['1', '2', 'true', '3', '4']);
    expect(texts(split('2022-09-01 12:00 {"a":1}\nnote: [5]\n'))).toEqual([
      '2022-09-01 12:00 ',
      '{"a":1}',
      'note: ',
      '5',
    ]);
    // A line of text is no value that opened and closed on its line: a heading pasted above a
    // pretty-printed batch (as the platform's page has one) does not make the file NDJSON, and
    // above NDJSON whose first line is cut, the value after it is the first, as without it.
    const batch = '[\n{"a": 1,\n"b": [\n2\n]\n},\n  {\n    "c": 3\n  }\n]\n';
    const cutFirst = '{"a": 1,\n{"b": 2}\n{"c": 3}\n';
    expect(texts(split(`Examples\n${cutFirst}`)).slice(1)).toEqual(texts(split(cutFirst)));
    for (const heading of [
      'Response Payload\n',
      '| CallAttempted |\nResponse Payload\n',
      'Examples\n',
      'Example:\r\n',
    ]) {
      for (const [size, quick] of [
        [1, false],
        [1 << 20, false],
        [1 << 20, true],
      ] as const) {
        const pasted = split(heading + batch, size, 1 << 20, quick);
        expect(texts(pasted).slice(heading.split('\n').length - 1)).toEqual(texts(split(batch)));
        // The text is an element of its own, which the reader reports; the batch has no problem.
        expect(pasted.problems).toEqual([]);
      }
    }
    // A word ended by the bracket itself, and brackets inside a quoted part, are no event's end.
    expect(texts(split('payload={"a":1}\n+{"b":2}\nWARN retry "[attempt 2] {x}" {"c":3}\n'))).toEqual([
      'payload=',
      '{"a":1}',
      '+',
      '{"b":2}',
      'WARN retry "[attempt 2] {x}" ',
      '{"c":3}',
    ]);
  });

  it('reads scalars as elements so the schema can refuse them', () => {
    const r = split('[1, true, "x", null, NaN]');
    expect(texts(r)).toEqual(['1', 'true', '"x"', 'null', 'NaN']);
  });

  it('refuses UTF-16 and binary files with one fatal problem', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{}]', 'utf16le')]);
    expect(split(utf16).problems).toMatchObject([{ code: 'utf16', fatal: true }]);
    const binary = Buffer.from([0x5b, 0x7b, 0x00, 0x01, 0x7d, 0x5d]);
    expect(split(binary).problems).toMatchObject([{ code: 'binary', fatal: true, offset: 2 }]);
  });

  it("names UTF-16 text appended to a UTF-8 file by its byte order mark, as PowerShell 5.1's >> appends it", () => {
    // Red team hR124: "(a binary file?)", where a file of it refused at its start is named UTF-16.
    const head = '{"a": 1}\n';
    for (const mark of [
      [0xff, 0xfe],
      [0xfe, 0xff],
    ]) {
      const text = Buffer.from('{"b": 2}\r\n', 'utf16le');
      const appended = Buffer.concat([
        Buffer.from(head),
        Buffer.from(mark),
        mark[0] === 0xff ? text : Buffer.from(text).swap16(),
      ]);
      const fatal = split(appended).problems.find((problem) => problem.fatal);
      expect(fatal).toMatchObject({
        offset: head.length,
        message: `the file is not text: byte 0x${mark[0]?.toString(16).toUpperCase()} at byte offset ${head.length} is neither JSON nor UTF-8 (UTF-16 text from here, its byte order mark; JSON must be UTF-8: convert that part with iconv -f UTF-16 -t UTF-8)`,
      });
    }
    // UTF-16 whose first character's low byte is 0 (U+4E00, 00 4E) is still UTF-16 (review hR127).
    const han = Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from('一{}\n', 'utf16le')]);
    expect(split(han).problems.find((problem) => problem.fatal)?.message).toContain('(UTF-16 text from here');
    // UTF-32's little-endian mark begins as UTF-16's does (review hR126: named UTF-16, whose iconv made garbage).
    const utf32 = Buffer.alloc(16);
    for (const [i, code] of [0xfeff, 0x7b, 0x7d, 0x0a].entries()) utf32.writeUInt32LE(code, i * 4);
    expect(split(Buffer.concat([Buffer.from(head), utf32])).problems.find((problem) => problem.fatal)).toMatchObject({
      offset: head.length,
      message: `the file is not text: byte 0xFF at byte offset ${head.length} is neither JSON nor UTF-8 (UTF-32 text from here, its byte order mark; JSON must be UTF-8: convert that part with iconv -f UTF-32 -t UTF-8)`,
    });
  });

  it('refuses binary bytes that come after a first chunk of text, at the byte they begin (not only by the first chunk)', () => {
    // A pipe whose first write was a line break, then garbage with no NUL byte: every element it
    // seemed to hold was listed, 37,386 problems, until the writer stopped.
    const garbage = garbageBytes(7);
    for (const head of ['\n', '{"a": 1}\n']) {
      const problems: SplitProblem[] = [];
      const splitter = new ElementSplitter(
        { element: () => {}, problem: (p) => problems.push(p), batchEnd: () => {} },
        { maxElementBytes: 1 << 20 },
      );
      splitter.push(Buffer.from(head));
      splitter.push(garbage);
      splitter.end();
      expect(problems, JSON.stringify(head)).toMatchObject([
        { code: 'binary', fatal: true, offset: head.length, line: 2, column: 1 },
      ]);
      expect(problems[0]?.message).toBe(
        `the file is not text: byte 0xFF at byte offset ${head.length} is neither JSON nor UTF-8 (a binary file?)`,
      );
    }
  });

  it('says how to read a gzip file, which an export often is', () => {
    const problems = split(gzipSync(Buffer.from('[{"a": 1}]'))).problems;
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      [
        'binary',
        'the file is not text: byte 0x1F at byte offset 0 is neither JSON nor UTF-8 (gzip? read it through gunzip -c)',
      ],
    ]);
  });

  it('places binary data that begins the file where it begins, after a BOM or blank lines read alone', () => {
    // A first chunk holding only a BOM or blanks (a pipe's first write) left the first bytes after
    // it to be judged as later ones are, by their share of bytes that are not text: too few to
    // tell, so the NUL of `1F 8B 00` was found first, two bytes past where the data begins.
    for (const data of [Buffer.from([0x1f, 0x8b, 0x00, 0x41]), gzipSync(Buffer.from('[{"a": 1}]'))]) {
      for (const prefix of ['\ufeff', '\n', '\ufeff\r\n', ' \t']) {
        const bytes = Buffer.concat([Buffer.from(prefix), data]);
        const lines = prefix.split('\n');
        const place = {
          offset: Buffer.byteLength(prefix),
          line: lines.length,
          column: lines.length > 1 ? 1 : prefix.replace('\ufeff', '').length + 1,
        };
        for (const size of [1, 2, 3, 4, 5, 1 << 20]) {
          const problems = split(bytes, size).problems;
          expect(
            problems.map((p) => [p.code, p.offset, p.line, p.column]),
            `${JSON.stringify(prefix)} in chunks of ${size}`,
          ).toEqual([['binary', place.offset, place.line, place.column]]);
          expect(problems[0]?.message).toContain(`byte 0x1F at byte offset ${place.offset}`);
        }
      }
    }
  });

  it('reads every element before binary data that begins past the first bytes, whatever the chunks', () => {
    // Binary data found in the middle of a chunk dropped the elements before it in that chunk, so
    // validate counted 151 of 300 events where summarise, reading other chunks, counted 300.
    const garbage = garbageBytes(11);
    const lines = Array.from({ length: 300 }, (_, i) => `{"n": ${i}, "pad": "${'x'.repeat(20)}"}\n`).join('');
    // Hint: bytes that are not UTF-8 are judged a window at a time, held across chunks smaller
    // than one; a NUL byte in a chunk of any size.
    const cases: Array<[Buffer, number[]]> = [
      [garbage, [1 << 20, 8192, 4096, 1000, 7]],
      [Buffer.from([0x41, 0, 0x42]), [1 << 20, 4096, 1000, 7]],
    ];
    for (const [corrupt, sizes, bom] of cases.flatMap(
      ([bytes, sizes]) =>
        [
          [bytes, sizes, ''],
          // A BOM before them is no element, however the chunks fall.
          [bytes, sizes, '\ufeff'],
        ] as const,
    )) {
      const text = Buffer.concat([Buffer.from(bom + lines), corrupt]);
      for (const chunkSize of sizes) {
        const r = split(text, chunkSize);
        expect({ chunkSize, bom, elements: r.elements.length }).toEqual({ chunkSize, bom, elements: 300 });
        expect(r.problems, `${chunkSize} ${JSON.stringify(bom)}`).toMatchObject([
          { code: 'binary', fatal: true, line: 301 },
        ]);
      }
    }
  });

  it('places binary data after lines of Latin-1 text where it begins, whatever the chunks', () => {
    // A window judged binary named its first byte that is not UTF-8, which could be an ë on a line
    // of text before the garbage: where, depended on where the chunk began (288 elements of 333 in
    // chunks of 4 KiB, 333 in chunks of 5,000), and one thread and two counted differently.
    const line = Buffer.concat([
      Buffer.from('{"name": "Zo'),
      Buffer.from([0xeb]),
      Buffer.from('", "pad": "xxxxxxxxxxxx"}\n'),
    ]);
    // High bytes only; or any byte but NUL, line breaks among them.
    const high = Buffer.alloc(8192);
    for (let i = 0; i < high.length; i++) high[i] = 0x80 + ((i * 37) % 128);
    const any = garbageBytes(5, 1, 255);
    for (const [garbage, chunkSize] of [high, any].flatMap((g) =>
      [1 << 20, 8192, 5000, 4096].map((n) => [g, n] as const),
    )) {
      garbage[0] = 0xff;
      const text = Buffer.concat([...Array(333).fill(line), garbage]);
      const r = split(text, chunkSize);
      expect({ chunkSize, elements: r.elements.length }).toEqual({ chunkSize, elements: 333 });
      expect(
        r.problems.filter((p) => p.code === 'binary'),
        `${chunkSize}`,
      ).toMatchObject([{ code: 'binary', fatal: true, line: 334, column: 1, offset: 333 * line.length }]);
    }
  });

  it('hands on a line of Latin-1 text at the end of a chunk at once, not when more bytes come', () => {
    // Held as where binary data might begin, `tail -f | callhook show -` showed nothing after a
    // line with an é written as the byte E9 until 8 KiB more came or the pipe closed.
    const seen: string[] = [];
    const splitter = new ElementSplitter(
      { element: (e) => seen.push(e.bytes.toString('latin1')), problem: () => {} },
      { maxElementBytes: 1 << 20 },
    );
    const text = `${'{"n": 1}\n'.repeat(500)}`;
    for (const line of [Buffer.from(text), Buffer.from('{"m": "caf\xe9"}\n', 'latin1'), Buffer.from('{"n": 2}\n')]) {
      splitter.push(line);
    }
    expect(seen.slice(-2)).toEqual(['{"m": "caf\xe9"}', '{"n": 2}']);
  });

  it('reads text and binary data past the first 4 KiB as read at once, in reads of any size', () => {
    // Hint: the first 4 KiB are judged at once however few came (see `headUndecided`), so the
    // text and garbage drawn here come after 4,400 bytes of NDJSON.
    const head = (crlf: boolean) =>
      '{"n": 1, "pad": "xxxxxxxxxxxxxxxxxxxxxxxx"}\n'.repeat(100).replaceAll('\n', crlf ? '\r\n' : '\n');
    // Hint: U+E000 stands for a Latin-1 byte (0xE9), which no string can hold as it is in the file.
    const latin1 = '\uE000';
    const word = fc.constantFrom(
      'a',
      'é',
      '日本',
      '😀',
      latin1,
      latin1.repeat(2),
      latin1.repeat(5),
      'x'.repeat(900),
      '日'.repeat(300),
    );
    const line = fc.oneof(
      word.map((w) => `{"k":"${w}"}`),
      word.map((w) => `{"a":1 "b":"${w}"}`),
      word.map((w) => `{"t":"${w}",,"b":2}`),
      word.map((w) => `{"t":"${w}"`),
    );
    const garbage = fc.oneof(
      fc.constant(Buffer.alloc(0)),
      fc
        .tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom(0x80, 1), fc.integer({ min: 1, max: 9000 }))
        .map(([seed, low, size]) => garbageBytes(seed, low, low === 1 ? 255 : 128, size)),
      fc.integer({ min: 1, max: 9000 }).map((size) => gzipSync(Buffer.from('x'.repeat(size)))),
      fc.constant(Buffer.from([0x41, 0, 0x42])),
    );
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.array(line, { minLength: 1, maxLength: 12 }),
        garbage,
        fc.integer({ min: 1, max: 7 }),
        (bom, crlf, lines, tail, size) => {
          // Hint: one line ending a file (see read.test.ts): no lone line feed in a CRLF file's garbage.
          const data = crlf ? Buffer.from(tail.map((byte) => (byte === 0x0a ? 0x20 : byte))) : tail;
          const text = `${bom ? '\ufeff' : ''}${head(crlf)}${lines.join(crlf ? '\r\n' : '\n')}\n`;
          const parts = text
            .split(latin1)
            .flatMap((part, i) => [...(i === 0 ? [] : [Buffer.of(0xe9)]), Buffer.from(part)]);
          const bytes = Buffer.concat([...parts, data]);
          expect(uncounted(split(bytes, size))).toEqual(uncounted(split(bytes)));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('places binary data where it begins when a chunk ends just after, or in pieces smaller than a window', () => {
    // Binary data that began in a chunk's last few hundred bytes was too little of its window to
    // judge, and the next chunk's walk back to where it began stopped at that chunk's start: the
    // lines between were read as elements (17 invalid events, and a different count on two threads).
    const line = '{"n": 1, "pad": "xxxxxxxxxxxxxxxxxxxxxxxx"}\n';
    const head = line.repeat(2000);
    const start = Buffer.byteLength(head);
    const text = Buffer.concat([Buffer.from(head), garbageBytes(3, 1, 255), garbageBytes(4, 1, 255)]);
    const sizes = [1 << 20, 7, 1000, 4096, ...[1, 100, 600, 1000, 3000, 4095].map((before) => start + before)];
    const found = sizes.map((chunkSize) => {
      const r = split(text, chunkSize);
      return {
        chunkSize,
        elements: r.elements.length,
        problems: r.problems.map((p) => `${p.code} ${p.line}:${p.column} @${p.offset}`),
      };
    });
    expect(found).toEqual(
      sizes.map((chunkSize) => ({ chunkSize, elements: 2000, problems: [`binary 2001:1 @${start}`] })),
    );
  });

  it("places binary data where it begins when it begins at a read's last byte, or a character is cut there", () => {
    // The last line of a read held one byte that is not text (too few to hold it as where binary
    // data may begin), or a character cut in two (not judged at all): read as text, it left the
    // next read to place the binary data at its own first byte, one to four bytes late.
    const head = Buffer.from(`${'{"n": 1, "pad": "xxxxxxxxxxxxxxxxxxxxxxxx"}\n'.repeat(200)}{"t": "日本`);
    const found: string[] = [];
    const expected: string[] = [];
    for (const cut of [[], [0xe6], [0xe6, 0x97]]) {
      const text = Buffer.concat([head, Buffer.from(cut), garbageBytes(3, 1, 255)]);
      const whole = problemPlaces([text]);
      expect(whole).toEqual([`binary 201:10 @${head.length}`]);
      for (const end of [-1, 0, 1, 2, 3].map((after) => head.length + after)) {
        found.push(`${cut.length} ${end}: ${problemPlaces([text.subarray(0, end), text.subarray(end)])}`);
        expected.push(`${cut.length} ${end}: ${whole}`);
      }
    }
    expect(found).toEqual(expected);
  });

  it('places binary data after a character a read cut in two where it begins, not at the continuation byte', () => {
    // Hint: a read never begins inside a character (one its end cuts is held), so a continuation
    // byte that begins one is not text; here "é" (c3 a9) is cut, then a line break and garbage.
    const head = Buffer.from(`${'{"n": 1, "pad": "xxxxxxxxxxxxxxxxxxxxxxxx"}\n'.repeat(200)}"é"\n`);
    const garbage = garbageBytes(3);
    const text = Buffer.concat([head, garbage]);
    const cut = head.length - 2;
    expect(problemPlaces([text])).toEqual([`binary 202:1 @${head.length}`]);
    expect(problemPlaces([text.subarray(0, cut), text.subarray(cut)])).toEqual([`binary 202:1 @${head.length}`]);
  });

  it('judges bytes that are not text by windows at fixed offsets of the file, not of the read', () => {
    // Latin-1 lines, 608 bytes that are not UTF-8 in the 4 KiB from offset 6144: 304 in each of
    // the file's windows at 4 KiB and 8 KiB, too few, but more than an eighth of the window that
    // a read beginning at 6144 counted from its own first byte, which refused the file there.
    const text = `${'{"n": 1, "pad": "'}${'x'.repeat(44)}"}\n`.repeat(96);
    const latin1 = Buffer.from(`{"t": "${'\xe9'.repeat(19)}", "pad": "${'x'.repeat(88)}"}\n`, 'latin1');
    expect([text.length, latin1.length]).toEqual([6144, 128]);
    const file = Buffer.concat([Buffer.from(text), ...Array(32).fill(latin1), Buffer.from(text.repeat(2))]);
    for (const cut of [[], [6144], [4096, 6144], [100, 4096, 6144, 10240]]) {
      const chunks = [0, ...cut].map((from, i) => file.subarray(from, [...cut, file.length][i]));
      expect({ cut, problems: problemPlaces(chunks) }).toEqual({ cut, problems: [] });
    }
  });

  it('finds binary data that comes a few bytes at a time as in a file read at once', () => {
    // Reads smaller than a window each judged alone as a window, none had enough bytes that are
    // not text to be binary: the garbage at the end, 990 bytes, was read as 7 elements.
    const lines = Buffer.from(`${'{"n": 1, "pad": "xxxxxxxxxxxxxxxxxxxxxxxx"}\n'.repeat(100)}{"a":1 "b":"a"}\n`);
    const file = Buffer.concat([lines, garbageBytes(881, 1, 255, 990)]);
    const whole = problemPlaces([file]);
    expect(whole.at(-1)).toBe('binary 108:1 @4986');
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const chunks = Array.from({ length: Math.ceil(file.length / size) }, (_, i) =>
        file.subarray(i * size, (i + 1) * size),
      );
      expect({ size, problems: problemPlaces(chunks) }).toEqual({ size, problems: whole });
    }
  });

  it('judges a line that a read begins inside by all its bytes, the text before the read too', () => {
    // The line's part in the next read, three Latin-1 bytes and its line break, was judged alone,
    // as more than an eighth not text: the walk back from the binary data on the next line went
    // over it, and placed the data at its first é (201:48 @8847) rather than where it begins.
    const head = Buffer.from(`${'{"n": 1, "pad": "xxxxxxxxxxxxxxxxxxxxxxxx"}\n'.repeat(200)}{"t": "${'x'.repeat(40)}`);
    const text = Buffer.concat([head, Buffer.from([0xe9, 0xe9, 0xe9, 0x0a]), garbageBytes(3)]);
    const start = head.length + 4;
    expect(problemPlaces([text])).toEqual([`binary 202:1 @${start}`]);
    for (const end of [head.length - 10, head.length, head.length + 1, head.length + 3]) {
      expect({ end, problems: problemPlaces([text.subarray(0, end), text.subarray(end)]) }).toEqual({
        end,
        problems: [`binary 202:1 @${start}`],
      });
    }
  });

  it('still reads a later chunk of text with a few bytes that are not UTF-8, in chunks of any size', () => {
    const line = Buffer.concat([Buffer.from('{"name": "Zo'), Buffer.from([0xeb]), Buffer.from('"}\n')]);
    const text = Buffer.concat(Array(600).fill(line));
    for (const chunkSize of [1, 7, 4096, 1 << 20]) {
      const r = split(text, chunkSize);
      expect({ chunkSize, elements: r.elements.length, problems: r.problems }).toEqual({
        chunkSize,
        elements: 600,
        problems: [],
      });
    }
  });

  it('places a NUL byte at its own line and column, after line breaks and characters of several bytes in its chunk', () => {
    const text = '[1,\n "é😀",\n "ab\0"]';
    const at = positionOf(text, text.indexOf('\0'));
    for (const chunkSize of [1, 5, 1 << 20]) {
      expect(split(text, chunkSize).problems, `chunks of ${chunkSize}`).toMatchObject([
        { code: 'binary', offset: Buffer.from(text).indexOf(0), ...at },
      ]);
    }
  });

  it('names UTF-32 as UTF-32, with the conversion that reads it (UTF-16 would give garbage)', () => {
    const utf32le = Buffer.from([0xff, 0xfe, 0, 0, 0x5b, 0, 0, 0, 0x5d, 0, 0, 0]);
    const utf32be = Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x5b, 0, 0, 0, 0x5d]);
    for (const text of [utf32le, utf32be]) {
      expect(split(text).problems).toMatchObject([
        {
          code: 'utf32',
          fatal: true,
          message: 'the file is UTF-32; JSON must be UTF-8 (convert it with: iconv -f UTF-32 -t UTF-8)',
        },
      ]);
    }
  });

  it('reports an empty file', () => {
    expect(split('  \n').problems.map((p) => p.code)).toEqual(['empty']);
  });

  it('skips an element larger than the limit without keeping its bytes', () => {
    const big = `[{"a": "${'x'.repeat(5000)}"}, {"b": 1}]`; // the first element is 5,009 bytes
    const r = split(big, 100, 1000);
    expect(r.elements[0]).toMatchObject({ oversize: true, bytes: Buffer.alloc(0) });
    expect(r.elements[0]!.size).toBe(5009);
    expect(texts(r)[1]).toBe('{"b": 1}');
  });

  it('streams any JSON array, in chunks of any size, into exactly the values JSON.parse sees', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(0, 2),
        (values, chunkSize, indent) => {
          const text = JSON.stringify(values, null, indent);
          const r = split(text, chunkSize);
          expect(r.problems).toEqual([]);
          expect(r.elements.map((e) => JSON.parse(e.bytes.toString()))).toEqual(JSON.parse(text));
          // Each element's line and column match the slow computation on the whole text.
          for (const element of r.elements) {
            const prefix = Buffer.from(text).subarray(0, element.offset).toString();
            expect({ line: element.line, column: element.column }).toEqual(positionOf(text, prefix.length));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads valid JSON with line breaks after any bracket, colon or comma, every line at column 1, as JSON.parse does', () => {
    // Written out by hand: a line break, or none, after each `{`, `[`, `:` and `,`, as the draws say.
    const written = (value: unknown, breaks: boolean[]): string => {
      let next = 0;
      const cut = () => (breaks.length > 0 && breaks[next++ % breaks.length] ? '\n' : '');
      const write = (v: unknown): string => {
        if (Array.isArray(v)) return `[${cut()}${v.map(write).join(`,${cut()}`)}]`;
        if (v !== null && typeof v === 'object') {
          const members = Object.entries(v).map(([key, inner]) => `${JSON.stringify(key)}:${cut()}${write(inner)}`);
          return `{${cut()}${members.join(`,${cut()}`)}}`;
        }
        return JSON.stringify(v);
      };
      return write(value);
    };
    const object = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), {
      minKeys: 1,
      maxKeys: 4,
    });
    fc.assert(
      fc.property(
        fc.oneof(object, fc.array(object, { minLength: 1, maxLength: 4 })),
        fc.array(fc.boolean()),
        fc.integer({ min: 1, max: 64 }),
        (value, breaks, chunkSize) => {
          const text = written(value, breaks);
          const r = split(text, chunkSize);
          expect(r.problems, text).toEqual([]);
          const whole = JSON.parse(text);
          expect(texts(r).map((t) => JSON.parse(t))).toEqual(Array.isArray(whole) ? whole : [whole]);
        },
      ),
      { numRuns: 400 },
    );
    // A batch holding arrays after its first object, a line break after every bracket, colon and
    // comma, every line at column 1 (as the platform's layout has its lines): an array at column 1
    // after an object and its comma is an element, not a batch after a lost `]` (review hR85).
    const element = fc.oneof(object, fc.array(object, { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(
        fc.tuple(object, fc.array(element, { minLength: 1, maxLength: 3 })),
        fc.integer({ min: 1, max: 64 }),
        ([first, rest], chunkSize) => {
          const text = written([first, ...rest], [true]);
          const r = split(text, chunkSize);
          expect(r.problems, text).toEqual([]);
          expect(texts(r).map((t) => JSON.parse(t))).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('marks an element cut or truncated only when its bytes cannot parse (parseElement skips JSON.parse for it)', () => {
    // Damage of every kind the splitter ends an element for: bytes cut out anywhere, a line break
    // put in, the end of the file taken off; in every layout, in chunks of any size.
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('pretty', 'compact', 'ndjson'),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', '\n'),
        fc.integer({ min: 1, max: 64 }),
        (values, layout, at, length, put, chunkSize) => {
          const text =
            layout === 'ndjson'
              ? values.map((value) => JSON.stringify(value)).join('\n')
              : JSON.stringify(values, null, layout === 'pretty' ? 2 : 0);
          const from = at % (text.length + 1);
          const damaged = text.slice(0, from) + put + text.slice(Math.min(text.length, from + (length % 40)));
          for (const element of split(damaged, chunkSize).elements) {
            if (element.cut === undefined && !element.truncated) continue;
            expect(() => JSON.parse(element.bytes.toString()), element.bytes.toString()).toThrow();
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('places a missing comma after any pretty-printed element where the slow computation does', () => {
    const value = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 64 }), (values, size) => {
        const valid = JSON.stringify(values, null, 2);
        // The comma after the first element goes; the problem sits where that element ends.
        const first = split(valid).elements[0]!;
        const end = first.offset + first.bytes.length;
        const bytes = Buffer.from(valid);
        const text = Buffer.concat([bytes.subarray(0, end), bytes.subarray(end + 1)]);
        const [problem] = split(text, size).problems;
        const prefix = text.subarray(0, end).toString();
        expect(problem).toMatchObject({
          code: 'missing-comma',
          offset: end,
          ...positionOf(text.toString(), prefix.length),
        });
      }),
      { numRuns: 150 },
    );
  });

  it('resumes inside an array at any element after the first, and knows a boundary when it reaches one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { minLength: 2, maxLength: 8 }),
        fc.nat(),
        (values, pick) => {
          const bytes = Buffer.from(JSON.stringify(values, null, 2));
          const all = split(bytes).elements;
          const k = 1 + (pick % (all.length - 1));
          const from = all[k]!.offset;
          // The first thread, stopped at `from`, is at a boundary; one byte further it is not.
          expect(atPoint(bytes, from, 'batch')).toBe(true);
          expect(atPoint(bytes, from + 1, 'batch')).toBe(false);
          // The second thread, resumed at `from`, cuts out the same elements at the same offsets.
          const rest = resumed(bytes, from, 'batch');
          expect(rest.problems).toEqual([]);
          expect(rest.elements).toEqual(all.slice(k).map((e) => [e.offset, e.bytes.toString()]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('resumed at a broken element that opens its own line, ends it where the first thread does', () => {
    // The first thread is at a boundary after any comma, so the element a second thread starts
    // with may be the broken one: it must end where one reading ends it, not run on to the end.
    const compact = '[\n{"a":1},\n{"b":[2,\n{"c":3},\n{"d":4}\n]\n';
    const indented = '[\n  {\n    "a": 1\n  },\n  {\n    "b": [\n  {\n    "c": 3\n  }\n]\n';
    for (const [text, marker, indent] of [
      [compact, '{"b"', 0],
      [indented, '{\n    "b"', 2],
    ] as const) {
      const bytes = Buffer.from(text);
      const from = text.indexOf(marker);
      expect(atPoint(bytes, from, 'batch')).toBe(true);
      const all = split(bytes).elements.filter((e) => e.offset >= from);
      expect(all.map((e) => e.cut)).toContain('next');
      const rest = resumed(bytes, from, 'batch', indent);
      expect(rest.elements).toEqual(all.map((e) => [e.offset, e.bytes.toString()]));
    }
  });

  describe('a cut element laid out as the platform prints batches, every line at column 1', () => {
    const whole = [
      '{',
      '"eventType": "CallComplete",',
      '"data": {',
      '"flow": [',
      '{',
      '"q": 1',
      '},',
      '{',
      '"q": "{"',
      '}',
      ']',
      '}',
      '}',
    ];
    const bare = ['{', '"status": "failed",', '"note": "x"', '}'];
    // The second element lost its last six lines: it ends inside its second flow step.
    const text = `[\n${[whole.join('\n'), whole.slice(0, 8).join('\n'), whole.join('\n'), bare.join('\n')].join(',\n')}\n]\n`;

    it('ends where the next event begins, and the rest is read at its own offsets and lines', () => {
      for (const size of [1, 7, 1 << 20]) {
        for (const quick of [false, true]) {
          const r = split(text, size, 1 << 20, quick);
          expect(r.problems).toEqual([]);
          expect(r.elements.map((e) => [e.pointer, e.cut])).toEqual([
            ['/0', undefined],
            ['/1', 'next'],
            ['/2', undefined],
            ['/3', undefined],
          ]);
          for (const e of r.elements) {
            expect({ line: e.line, column: e.column }).toEqual(positionOf(text, e.offset));
            expect(e.bytes.toString()).toBe(text.slice(e.offset, e.offset + e.size));
          }
          expect(texts(r)[1]).toBe(`${whole.slice(0, 8).join('\n')},`);
          expect(
            texts(r)
              .slice(2)
              .map((t) => JSON.parse(t)),
          ).toEqual([JSON.parse(whole.join('\n')), JSON.parse(bare.join('\n'))]);
          expect(r.batches).toMatchObject([{ isArray: true, elements: 4 }]);
        }
      }
    });

    it('ends one that lost only its last line, which the batch’s `]` closed, and reads on after that `]`', () => {
      const lastLine = `[\n${[whole.join('\n'), whole.slice(0, -1).join('\n'), bare.join('\n')].join(',\n')}\n]\n[\n${bare.join('\n')}\n]\n`;
      for (const size of [1, 3, 64, 1 << 20]) {
        for (const quick of [false, true]) {
          const r = split(lastLine, size, 1 << 20, quick);
          expect(r.problems).toEqual([]);
          expect(r.elements.map((e) => [e.batch, e.pointer, e.cut])).toEqual([
            [0, '/0', undefined],
            [0, '/1', 'next'],
            [0, '/2', undefined],
            [1, '/0', undefined],
          ]);
          for (const e of r.elements)
            expect({ line: e.line, column: e.column }).toEqual(positionOf(lastLine, e.offset));
          expect(r.batches).toMatchObject([{ elements: 3 }, { elements: 1 }]);
        }
      }
    });

    it('ends it the same when the bytes read again end in Latin-1 text (é as the one byte E9)', () => {
      // The lines of Latin-1 text the bytes read again ended in were held as if the next chunk
      // followed them, then read after the rest of the chunk at hand: the second batch began 15
      // bytes late, in chunks of 1 or 3 bytes.
      const batch = `[\n${[whole.join('\n'), whole.slice(0, -1).join('\n'), bare.join('\n')].join(',\n')}\n]\n`;
      const ascii = Buffer.from(batch + batch);
      const latin1 = Buffer.from((batch + batch).replaceAll('"x"', '"\u00e9"'), 'latin1');
      const shape = (r: Result) => [
        ...r.elements.map((e) => `${e.batch} ${e.pointer} ${e.cut} @${e.offset}+${e.size} ${e.line}:${e.column}`),
        ...r.problems.map((p) => `${p.code} @${p.offset}`),
      ];
      for (const size of [1, 3, 7, 64, 1 << 20]) {
        expect({ size, read: shape(split(latin1, size)) }).toEqual({ size, read: shape(split(ascii, size)) });
      }
    });

    it('ends each of several cut elements where reading from the element after the first cut would end it', () => {
      // The first cut element is ended once the file has ended inside it; the others, read again
      // with its bytes at hand, at once (see `cutEarly`). A second thread resumed past the first
      // finds the next one only at the end of the file: both must end it at the same line.
      const element = fc.record({
        flow: fc.array(fc.record({ q: fc.nat(9) }), { maxLength: 3 }),
        bare: fc.boolean(),
      });
      fc.assert(
        fc.property(
          fc.array(element, { minLength: 3, maxLength: 8 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
          fc.uniqueArray(fc.nat(7), { minLength: 2, maxLength: 4 }),
          fc.constantFrom(1, 9, 1 << 20),
          (shapes, wheres, victims, size) => {
            const parts = shapes.map(({ flow, bare: isBare }) => {
              const value = isBare
                ? { status: 'failed', note: 'x', flow }
                : { eventType: 'CallComplete', data: { flow } };
              return JSON.stringify(value, null, 2).replace(/\n +/g, '\n');
            });
            const damaged = parts.map((part, i) => {
              if (!victims.includes(i)) return part;
              const lines = part.split('\n');
              return lines.slice(0, 1 + Math.floor((wheres[i] ?? 0) * (lines.length - 2))).join('\n');
            });
            const cutText = `[\n${damaged.join(',\n')}\n]\n`;
            const bytes = Buffer.from(cutText);
            const all = split(cutText, size).elements;
            const firstCut = Math.min(...victims.filter((i) => i < parts.length));
            const after = all.find((e) => e.pointer === `/${firstCut + 1}`);
            if (after === undefined) return;
            const rest = resumed(bytes, after.offset, 'batch');
            expect(rest.elements).toEqual(
              all.filter((e) => e.offset >= after.offset).map((e) => [e.offset, e.bytes.toString()]),
            );
          },
        ),
        { numRuns: 60 },
      );
    });

    it('ends it with CRLF line ends too, leaving the `\\r` out', () => {
      const r = split(text.replaceAll('\n', '\r\n'), 5);
      expect(r.problems).toEqual([]);
      expect(r.elements.map((e) => e.cut)).toEqual([undefined, 'next', undefined, undefined]);
      expect(texts(r)[1]).toBe(`${whole.slice(0, 8).join('\r\n')},`);
    });

    it('is read the same by a second thread resumed at the cut element', () => {
      const bytes = Buffer.from(text);
      const from = text.indexOf(whole.slice(0, 8).join('\n'), 3);
      expect(atPoint(bytes, from, 'batch')).toBe(true);
      const all = split(bytes).elements.filter((e) => e.offset >= from);
      expect(resumed(bytes, from, 'batch').elements).toEqual(all.map((e) => [e.offset, e.bytes.toString()]));
    });

    it('gives up, reading each nested line once at most a few times, when the lines after a cut one open objects in objects', () => {
      // Each `{` line is read from its `{` to where its object ends: nested 20,000 deep and never
      // closed, every line read to the end of the file would be 20,000 readings of 200 kB.
      const nested = `[\n${whole.slice(0, 3).join('\n')}\n${'{\n"a": 1,\n"b":\n'.repeat(20_000)}`;
      const r = split(nested, 1 << 16);
      expect(r.elements).toHaveLength(1);
      expect(r.elements[0]).toMatchObject({ truncated: true, size: Buffer.byteLength(nested) - 2 });
    });

    it('reads a crafted file of thousands of cut elements, each closed by a `]` of its own, without running out of stack', () => {
      // Each element lost its closing `}`: the first is closed by the last `]`, the one after it
      // by the `]` before, and so on. Recovering each inside the recovery of the one before went
      // one stack frame deeper per element (a RangeError, "internal error", at 2,000).
      const cut = (i: number) => `{\n"eventType": "SMSSent",\n"id": "${i}",\n"data": {\n"message": "hi"\n}`;
      const count = 2000;
      const crafted = `[\n${Array.from({ length: count }, (_, i) => cut(i)).join(',\n')}\n${']\n'.repeat(count)}`;
      const r = split(crafted, 1 << 16);
      // Each element ends before the next, or at the end of the file.
      expect(r.elements.length).toBeGreaterThan(1);
      expect(r.elements.at(-1)!.offset + r.elements.at(-1)!.size).toBeLessThanOrEqual(Buffer.byteLength(crafted));
      expect({ ...r.elements[0], text: r.elements[0]!.bytes.toString() }).toMatchObject({
        offset: 2,
        cut: 'next',
        text: `${cut(0)},`,
      });
    });

    it('ends more cut elements than the recovery budget allows where a second thread resumed before them does', () => {
      // Hint: each thread's splitter has its own budget. A second thread can start only in the
      // first array, between elements, where one reading has not yet recovered anything (a cut
      // element recovers at the end of the file or at a `]` that ends that array): both budgets
      // are untouched there, and the same bytes spend them alike. Among cut elements no thread starts.
      const cut = (i: number) => `{\n"eventType": "SMSSent",\n"id": "${i}",\n"data": {\n"message": "hi"\n}`;
      const elements = Array.from({ length: 420 }, (_, i) => (i < 20 ? `${cut(i)}\n}` : cut(i)));
      for (const tail of ['\n', '\n]\n']) {
        const text = `[\n${elements.join(',\n')}${tail}`;
        const bytes = Buffer.from(text);
        const all = split(text, 1 << 16).elements;
        // The budget ran out: the last elements were not ended.
        expect(all.length).toBeLessThan(elements.length / 2);
        for (const k of [19, 20, 21, 200]) {
          const from = text.indexOf(`${elements[k]},`);
          expect(atPoint(bytes, from, 'batch')).toBe(k <= 20);
          if (k > 20) continue;
          const one = all.filter((e) => e.offset >= from).map((e) => [e.offset, e.bytes.toString()]);
          expect(resumed(bytes, from, 'batch').elements).toEqual(one);
        }
      }
    });

    it('cannot look back once the cut element has grown past the limit: its bytes were let go', () => {
      const r = split(text, 16, 150);
      expect(r.elements.map((e) => e.oversize)).toEqual([false, true]);
      expect(r.problems.map((p) => p.code)).toEqual(['unexpected-eof']);
    });
  });

  it('takes the elements of a pretty-printed batch by their closing lines, in any indentation', () => {
    for (const indent of [2, 4, '\t']) {
      const values = [{ a: [1, { b: '}' }] }, { c: '\n  }' }, { d: null }];
      const text = JSON.stringify(values, null, indent).replaceAll('\n', '\r\n');
      quickTaken = 0;
      const r = split(text, 1 << 20, 1 << 20, true);
      expect(quickTaken).toBe(3);
      expect(uncounted(r)).toEqual(uncounted(split(text)));
      // A missing comma after an element taken quickly is placed where the slow reading places it.
      const missing = text.replace('},', '}');
      const m = split(missing, 1 << 20, 1 << 20, true);
      expect(m.problems).toMatchObject([{ code: 'missing-comma' }]);
      expect(uncounted(m)).toEqual(uncounted(split(missing)));
    }
  });

  it("reads a wrong guess byte by byte: an inner object that closes at the elements' indentation", () => {
    const text = '[\n  {"a": {\n  },\n  "b": 1\n  },\n  {"c": 2\n  }\n]';
    quickTaken = 0;
    const r = split(text, 1 << 20, 1 << 20, true);
    expect(texts(r)).toEqual(['{"a": {\n  },\n  "b": 1\n  }', '{"c": 2\n  }']);
    expect(quickTaken).toBe(1);
    expect(uncounted(r)).toEqual(uncounted(split(text)));
  });

  describe('a valid element with a line that would begin the next element, were the element cut', () => {
    // Each parses as JSON: no element is cut, and the quick path and the byte-by-byte reading agree.
    const whole = (text: string) => {
      for (const size of [1, 7, 290, 1 << 20]) {
        const r = split(text, size);
        expect(r.problems).toEqual([]);
        expect(r.elements.map((e) => e.cut)).toEqual(r.elements.map(() => undefined));
        expect(r.elements.map((e) => JSON.parse(e.bytes.toString()))).toEqual(JSON.parse(text));
        expect(uncounted(split(text, size, 1 << 20, true))).toEqual(uncounted(r));
      }
    };

    it('a `]` left of the element, closing an inner array (fast-check seed 643344919)', () => {
      const value = [
        [true, '𐀀 𐀀𐀀𐀀𐀀', null, '𐀀𐀀𐀀𐀀𐀀𐀀', true],
        null,
        true,
        {},
        { '          ': [null, null, true, null, true, 5.049119012881993e-101, true], '  ': false, '': null },
        {
          '    ': '',
          '         ': {
            𐀀𐀀𐀀𐀀𐀀: { '𐀀𐀀 𐀀𐀀𐀀𐀀𐀀𐀀': true, 𐀀𐀀: '𐀀', 𐀀𐀀𐀀: '𐀀𐀀𐀀𐀀𐀀𐀀', '𐀀𐀀𐀀𐀀𐀀#': true },
            '𐀀𐀀𐀀#𐀀𐀀': [null, '𐀀𐀀', '𐀀𐀀𐀀𐀀𐀀𐀀𐀀𐀀', true, '𐀀', true],
            𐀀𐀀𐀀𐀀𐀀𐀀𐀀𐀀: -1.0000491778801332e45,
            '𐀀𐀀𐀀 𐀀': [-3.251218247577971e-154],
          },
          '     \\ ': '',
          '       ': ' 𐀀𐀀𐀀𐀀𐀀𐀀𐀀𐀀𐀀',
        },
        [false, null, -1.0008415204028272e-299, null, null, null, null, 1.0002436619093442e26, null, null],
      ];
      const pretty = JSON.stringify(value, null, 2);
      // A `\r\n` before the inner array's `]`, leaving ` ],` at column 2, left of element /4's `{`.
      const at = pretty.indexOf(' ],\n    "  "');
      const text = `${pretty.slice(0, at)}\r\n${pretty.slice(at)}`;
      expect(text).toContain('\n   \r\n ],');
      whole(text);
    });

    it('a `{` at the element’s indentation, opening an inner object', () => {
      whole('[\n  {\n    "a": [\n  {\n    "b": 1\n  }\n    ]\n  },\n  {\n    "c": 2\n  }\n]\n');
      whole('[\n{"a": [\n{"b": 1},\n{"c": [2,\n]}\n]},\n{"d": 3}\n]\n'.replace(',\n]}', '\n]}'));
    });

    it('an array element closed left of its `[`', () => {
      whole('[\n  [\n    1,\n    {\n      "a": 2\n    }\n],\n  [\n  {"b": 3}\n  ]\n]\n');
    });
  });

  it('still ends a cut element at the line that begins the next, once it is seen not to parse', () => {
    // The cut element's bytes up to that line may begin valid JSON (it ends after `[`): it reads
    // on, and is ended there when it closes without parsing (by the batch's `]`, then one too
    // many), when it would grow past the limit, or when the file ends inside it; the rest is read
    // again at its own offsets and lines.
    const head = '[\n  {\n    "a": [\n';
    const closed = `${head}  {\n    "c": 3\n  }\n]\n]\n{"e": 5}\n`;
    const open = `${head}  {\n    "c": 3\n  },\n  {\n    "d": 4\n  }\n]\n`;
    for (const [text, limit] of [
      [closed, 1 << 20],
      [open, 1 << 20],
      [open, 30],
    ] as const) {
      for (const size of [1, 5, 1 << 20]) {
        const r = split(text, size, limit);
        expect(r.elements.slice(0, 2).map((e) => [e.pointer, e.line, e.cut, e.bytes.toString()])).toEqual([
          ['/0', 2, 'next', '{\n    "a": ['],
          ['/1', 4, undefined, '{\n    "c": 3\n  }'],
        ]);
        expect(uncounted(split(text, size, limit, true))).toEqual(uncounted(r));
      }
    }
    expect(texts(split(closed)).at(-1)).toBe('{"e": 5}');
    expect(split(closed).problems.map((p) => [p.code, p.line])).toEqual([['unexpected-character', 8]]);
    expect(texts(split(open, 5, 30)).at(-1)).toBe('{\n    "d": 4\n  }');
  });

  it('takes each line of NDJSON as a value, and gives what the byte-by-byte reading gives', () => {
    const text = '{"a": "é}"}\r\n{"b": [1, {"c": 2}]}  \n[{"d": 1}]\n{"e": 1} {"f": 2}\n{"g": "𝄞"}';
    quickTaken = 0;
    const r = split(text, 1 << 20, 1 << 20, true);
    // The last line has no line break, and the fourth holds two values: the line's first value and
    // the last line are read byte by byte, the fourth line's second value (the rest of it) quickly.
    expect(quickTaken).toBe(3);
    expect(texts(r)).toEqual(['{"a": "é}"}', '{"b": [1, {"c": 2}]}', '{"d": 1}', '{"e": 1}', '{"f": 2}', '{"g": "𝄞"}']);
    expect(uncounted(r)).toEqual(uncounted(split(text)));
  });

  it('gives the same elements, positions and problems with the quick path as without, on any broken batch or NDJSON', () => {
    const value = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });
    const values = fc.array(fc.oneof(fc.dictionary(fc.string(), value, { maxKeys: 4 }), value), { maxLength: 8 });
    // A pretty-printed batch (any indentation, LF or CRLF), or NDJSON (one value a line).
    const layout = fc.oneof(
      fc
        .tuple(values, fc.constantFrom(2, 4, '\t'), fc.constantFrom('\n', '\r\n'))
        .map(([vs, indent, newline]) => JSON.stringify(vs, null, indent).replaceAll('\n', newline)),
      fc
        .tuple(values, fc.constantFrom('\n', '\r\n', ' \n'))
        .map(([vs, newline]) => vs.map((v) => JSON.stringify(v)).join(newline)),
    );
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 2 }),
      insert: fc.constantFrom(
        '',
        '{',
        '}',
        '[',
        ',',
        '"',
        '\n',
        '\r\n',
        '\n  }',
        ' ',
        '\\',
        'é',
        '\u00a0',
        '\ufeff',
        '@',
      ),
    });
    fc.assert(
      fc.property(layout, fc.array(edit, { maxLength: 3 }), fc.integer({ min: 1, max: 300 }), (start, edits, size) => {
        let text = start;
        for (const { at, remove, insert } of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + remove);
        }
        expect(uncounted(split(text, size, 1 << 20, true))).toEqual(uncounted(split(text, size)));
      }),
      { numRuns: 800 },
    );
  });

  it('ends pushes where no element is cut in two, for the quick path to take', () => {
    const events = Array.from({ length: 60 }, (_, i) => ({
      id: i,
      flow: [{ q: 'a' }, { q: 'b' }],
      note: 'x'.repeat(i * 7),
    }));
    for (const text of [JSON.stringify(events, null, 2), events.map((e) => JSON.stringify(e)).join('\n')]) {
      const bytes = Buffer.from(text);
      quickTaken = 0;
      const elements: string[] = [];
      const splitter = new ElementSplitter(
        {
          element: (e) => elements.push(e.bytes.toString()),
          tryElement: (e) => {
            quickTaken++;
            elements.push(e.bytes.toString());
            return true;
          },
          problem: () => {},
        },
        { maxElementBytes: 1 << 20 },
      );
      for (let from = 0; from < bytes.length; ) {
        const to = splitter.pushEnd(bytes, from, Math.min(bytes.length, from + 700));
        expect(to).toBeGreaterThan(from);
        splitter.push(bytes.subarray(from, to));
        from = to;
      }
      splitter.end();
      expect(elements).toEqual(texts(split(text)));
      // One element each is read byte by byte: in the batch, the one cut by the first push, which
      // ends anywhere since no element has shown the indentation yet; in the NDJSON, the last
      // line, which has no line break.
      expect(quickTaken).toBe(events.length - 1);
    }
  });

  it('leaves the quick path after a run of misses, so one-line elements cost no search each', () => {
    const text = `[\n${Array.from({ length: 40 }, (_, i) => `  {"i": ${i}}`).join(',\n')}\n]`;
    quickTaken = 0;
    const r = split(text, 1 << 20, 1 << 20, true);
    expect(quickTaken).toBe(0);
    expect(uncounted(r)).toEqual(uncounted(split(text)));
  });

  it('resumes NDJSON at any line after the first, and knows a line between values when it reaches one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { minLength: 2, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom('\n', '\r\n'),
        (values, pick, newline) => {
          const bytes = Buffer.from(values.map((v) => JSON.stringify(v)).join(newline));
          const all = split(bytes);
          const k = 1 + (pick % (values.length - 1));
          // The line's own start, found as the line after line k - 1 (a value may repeat an earlier one).
          let from = 0;
          for (let line = 0; line < k; line++) from = bytes.indexOf('\n', from) + 1;
          expect(atPoint(bytes, from, 'top')).toBe(true);
          // Inside the first value, it is not between values (a scalar's end cannot be known yet).
          expect(atPoint(bytes, 1, 'top')).toBe(false);
          const after = all.elements.filter((e) => e.offset >= from);
          expect(resumed(bytes, from, 'top').elements).toEqual(after.map((e) => [e.offset, e.bytes.toString()]));
        },
      ),
      { numRuns: 150 },
    );
    // A comma between top-level values before the cut: the reading there is not the one a fresh start gives.
    const comma = Buffer.from('{"a": 1},\n');
    expect(atPoint(comma, comma.length, 'top')).toBe(false);
  });

  it('streams NDJSON of any values into the values of each line', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 32 }),
        (values, chunkSize) => {
          const lines = values.map((v) => JSON.stringify(v));
          const r = split(`${lines.join('\n')}\n`, chunkSize);
          // A top-level array line is a batch: its elements come out one by one.
          const expected = lines.map((line) => JSON.parse(line)).flatMap((v) => (Array.isArray(v) ? v : [v]));
          expect(r.elements.map((e) => JSON.parse(e.bytes.toString()))).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
