/** replay's options for tests that run it in process. */
import type { RawReplayOptions } from '../../src/commands/replay-options.js';

/** replay's options as commander gives them when only a URL (on a port nothing listens on) is named. */
export const replayDefaults: RawReplayOptions = {
  url: 'http://127.0.0.1:9/hook',
  validate: true,
  concurrency: '4',
  timeout: '30',
  retries: '5',
  method: 'POST',
  format: 'pretty',
};
