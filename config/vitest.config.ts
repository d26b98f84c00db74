import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const { version, license } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export default defineConfig({
  define: { CALLHOOK_VERSION: JSON.stringify(version), CALLHOOK_LICENSE: JSON.stringify(license) },
  test: {
    // Hint: a path, not a URL's: `.pathname` keeps %20 for a space, and found no test in a clone
    // at `/home/John Smith/callhook` (hT53).
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['config/test-temp.ts', 'config/test-env.ts'],
    // Hint: vitest runs one worker on a 2-core machine (cores - 1); most files here wait on the
    // processes and sockets they start, so the cores idle under two workers (the whole suite on a
    // 2-core machine: 131 s wall and 1.64 cores busy with two, 106 s and 1.90 with three, 102 s
    // with four). Three keeps both cores busy without piling more load on the tests that time a
    // process's answer.
    maxWorkers: 3,
    // Hint: each worker loads vitest and the modules once for all its files, not once per file
    // (the whole suite, on a 2-core machine: 147 s isolated, 120 s shared). No test leans on a
    // fresh module: a file that mocks a module loads again what uses it, and unmocks it after.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
