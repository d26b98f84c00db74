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
