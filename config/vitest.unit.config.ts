import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:unit`, the quick inner loop: the tests that start no callhook process, so need no
// build (the src/ tests, and the test/ files that call the library or a local 127.0.0.1 server).
// test/first-hour/width.test.ts spawns nothing either but renders multi-megabyte transcripts, the
// slowest file of the lot, so only `npm test` runs it. Everything else is vitest.config.ts's.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['src/**/*.test.ts', 'test/proto-keys.test.ts', 'test/replay/*.test.ts'],
  },
});
