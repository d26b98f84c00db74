import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:unit`, the quick inner loop: the tests that start no callhook process, so need no
// build (the src/ tests, and test/proto-keys.test.ts, which calls the library). Two kinds that
// spawn nothing are left to `npm test` because they are slow by nature: test/replay/*.test.ts,
// whose faults wait for replay's timeouts against raw 127.0.0.1 receivers (~7 s of the loop), and
// test/first-hour/width.test.ts, which renders multi-megabyte transcripts. Everything else is
// vitest.config.ts's.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['src/**/*.test.ts', 'test/proto-keys.test.ts'],
  },
});
