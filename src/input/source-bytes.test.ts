import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/payloads.js';
import { arraySpan, SourceBytes, type SpanElement } from './source-bytes.js';

/** A file's text with its elements, laid out with the given whitespace before and after each comma. */
function layout(texts: string[], gaps: string[]): { file: string; elements: SpanElement[] } {
  let file = `x\n${gaps[0] ?? ''}[${gaps[1] ?? ''}`;
  const elements: SpanElement[] = [];
  for (const [i, text] of texts.entries()) {
    if (i > 0) file += `${gaps[(2 * i) % gaps.length] ?? ''},${gaps[(2 * i + 1) % gaps.length] ?? ''}`;
    elements.push({ offset: Buffer.byteLength(file), text });
    file += text;
  }
  file += `${gaps[2] ?? ''}]\n`;
  return { file, elements };
}

const span = (file: string, elements: SpanElement[], base = 0) => {
  const bytes = Buffer.from(file).subarray(base);
  const found = arraySpan(bytes, base, elements);
  return found && Buffer.from(file).subarray(found.start, found.end).toString();
};

describe('arraySpan', () => {
  it('finds the array that holds exactly the elements, whitespace and all', () => {
    const { file, elements } = layout(['{"a":1}', '{"b": "é"}', '[2]'], [' ', '\n  ', '\t', '\r\n']);
    expect(span(file, elements)).toBe(file.slice(file.indexOf('['), file.lastIndexOf(']') + 1));
    // From a window that starts part-way through the file, in the file's offsets.
    expect(span(file, elements, 2)).toBe(file.slice(file.indexOf('['), file.lastIndexOf(']') + 1));
  });

  it('refuses when the array holds more than the elements, or they are not where they say', () => {
    const { file, elements } = layout(['{"a":1}', '{"bad":true}', '{"c":3}'], [' ']);
    const [a, bad, c] = elements as [SpanElement, SpanElement, SpanElement];
    expect(span(file, [a, bad, c])).toBeDefined();
    expect(span(file, [a, c])).toBeUndefined(); // one skipped in the middle
    expect(span(file, [bad, c])).toBeUndefined(); // the first skipped
    expect(span(file, [a, bad])).toBeUndefined(); // the last skipped
    expect(span(file, [{ ...a, text: '{"a":2}' }, bad, c])).toBeUndefined(); // the file changed
    expect(span(file, [])).toBeUndefined();
    expect(span('{"a":1}', [{ offset: 0, text: '{"a":1}' }])).toBeUndefined(); // a lone object
    expect(span('[{"a":1},]', [{ offset: 1, text: '{"a":1}' }])).toBeUndefined(); // a trailing comma
    expect(
      span('[{"a":1} {"b":2}]', [
        { offset: 1, text: '{"a":1}' },
        { offset: 9, text: '{"b":2}' },
      ]),
    ).toBeUndefined();
  });

  it('property: the span is the array as laid out, and never one with an element missing', () => {
    const whitespace = fc.array(fc.constantFrom(' ', '\n', '\t', '\r\n'), { maxLength: 3 }).map((a) => a.join(''));
    const value = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v));
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 6 }),
        fc.array(whitespace, { minLength: 3, maxLength: 8 }),
        fc.nat(),
        (texts, gaps, drop) => {
          const { file, elements } = layout(texts, gaps);
          const array = file.slice(file.indexOf('['), file.lastIndexOf(']') + 1);
          expect(span(file, elements)).toBe(array);
          expect(JSON.parse(array)).toEqual(texts.map((t) => JSON.parse(t)));
          if (elements.length > 1) {
            expect(
              span(
                file,
                elements.filter((_, i) => i !== drop % elements.length),
              ),
            ).toBeUndefined();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('SourceBytes', () => {
  it('reads an array back from its file, and only from a regular file', () => {
    const dir = tempDir('exact');
    const { file, elements } = layout(['{"a":1}', '{"b":2}'], [' ', '\n']);
    const path = join(dir, 'in.json');
    writeFileSync(path, file);
    const source = new SourceBytes();
    expect(source.arrayOf(path, elements)?.toString()).toBe(file.slice(file.indexOf('['), -1));
    expect(source.arrayOf(join(dir, 'missing.json'), elements)).toBeUndefined();
    expect(source.arrayOf(dir, elements)).toBeUndefined();
    source.close();
  });

  it('reads an array alone in its file as the whole file: a captured body, its last newline and all', () => {
    // A body captured as `[...]\n` (curl --data-binary @file) was replayed as `[...]`.
    const dir = tempDir('exact');
    const source = new SourceBytes();
    const whole = (name: string, before: string, after: string) => {
      const path = join(dir, name);
      const text = '{"a":1}';
      writeFileSync(path, `${before}[${text}]${after}`);
      return source.arrayOf(path, [{ offset: Buffer.byteLength(`${before}[`), text }])?.toString();
    };
    expect(whole('lf.json', '', '\n')).toBe('[{"a":1}]\n');
    expect(whole('cr.json', '', '\r')).toBe('[{"a":1}]\r');
    expect(whole('around.json', '\r\n \t', ' \r\n\n')).toBe('\r\n \t[{"a":1}] \r\n\n');
    // A byte order mark is the file's, not the body's: many receivers' parsers refuse one.
    expect(whole('bom.json', '\ufeff', '\n')).toBe('[{"a":1}]\n');
    // Not alone: an array among others keeps to its brackets, as each is a body of its own.
    const path = join(dir, 'lines.jsonl');
    writeFileSync(path, '[{"a":1}]\n[{"b":2}]\n');
    expect(source.arrayOf(path, [{ offset: 1, text: '{"a":1}' }])?.toString()).toBe('[{"a":1}]');
    expect(source.arrayOf(path, [{ offset: 11, text: '{"b":2}' }])?.toString()).toBe('[{"b":2}]');
    // The one line of a file of lines is a body, its line break not: listen's capture of one
    // delivery (000001.ndjson) was replayed with the file's last newline.
    expect(whole('one.ndjson', '', '\n')).toBe('[{"a":1}]');
    expect(whole('one.JSONL', '', '\r\n')).toBe('[{"a":1}]');
    source.close();
  });
});
