/**
 * For the tests that read one file on two threads in this process: a temporary folder to write
 * exports into, and CALLHOOK_THREADS=2 (two threads even for a small file) around each test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';

/** Sets up the folder and the variable for the calling test file; returns how to write a file there. */
export function useTwoThreads(prefix: string): (name: string, text: string) => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    vi.stubEnv('CALLHOOK_THREADS', '2');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  return (name, text) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
}

/**
 * `list` as a pretty-printed batch and as NDJSON with one of `blanks` in turn right after each
 * element (before its `,` or `]`, or its line break), the NDJSON ending in a form feed with no
 * line break after it. Hint: the second thread begins at a line's `{`, so such a blank is read by
 * the thread whose element it follows: on the line before the cut, and after the element it begins with.
 */
export function blanksAfterElements(list: unknown[], blanks: readonly string[]): { batch: string; ndjson: string } {
  let n = 0;
  const batch = JSON.stringify(list, null, 2)
    .split('\n')
    .map((line) => (line === '  },' || line === '  }' ? `  }${blanks[n++ % blanks.length]}${line.slice(3)}` : line))
    .join('\n');
  const lines = list.map((element, i) => `${JSON.stringify(element)}${blanks[i % blanks.length]}`);
  return { batch, ndjson: `${lines.join('\n')}\n\f` };
}
