import { describe, expect, it } from 'vitest';
import type { InputRecord } from '../input/types.js';
import { SkipWarnings } from './skip-warnings.js';

describe('SkipWarnings', () => {
  it('says the first 1,000, then counts input arrays of no element apart from skipped elements (review hR121)', () => {
    // The count line called 1,000 more `[]` "skipped elements and problems" that validate lists.
    const said = new SkipWarnings();
    const empty = (line: number): InputRecord => ({
      kind: 'array-end',
      file: 'f.ndjson',
      batch: line - 1,
      line,
      column: 1,
      elements: 0,
    });
    const problem: InputRecord = {
      kind: 'problem',
      problem: {
        file: 'f.ndjson',
        offset: 0,
        line: 1,
        column: 1,
        pointer: '',
        severity: 'error',
        code: 'unexpected-token',
        message: 'unexpected ","',
      },
    };
    const told = Array.from({ length: 1003 }, (_, i) => said.warningFor(empty(i + 1)));
    expect(told.filter((warning) => warning !== undefined)).toHaveLength(1000);
    expect(told[0]).toEqual({
      message: 'f.ndjson:1:1: an input array with no element holds no event: no request is made of it',
      names: ['f.ndjson:1:1'],
    });
    expect(said.end()).toBe('3 more input arrays with no element not listed');
    expect(said.warningFor(problem)).toBeUndefined();
    expect(said.warningFor(problem)).toBeUndefined();
    expect(said.end()).toBe(
      '3 more input arrays with no element not listed; 2 more skipped elements and problems not listed: callhook validate --max-problems N lists more',
    );
    // An array holding elements is said nothing of.
    expect(new SkipWarnings().warningFor({ ...empty(1), elements: 2 } as InputRecord)).toBeUndefined();
  });
});
