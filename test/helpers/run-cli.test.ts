import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { handlesStopSignals } from './run-cli.js';

/** A node process that says "ready" once `code` has run, and waits to be killed. */
async function readyNode(code: string) {
  const child = spawn(process.execPath, ['-e', `${code}; console.log('ready'); setTimeout(() => {}, 30_000)`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return child;
}

describe('handlesStopSignals', () => {
  // Hint: node itself catches SIGINT and SIGTERM from its first moment, so a bare process must read false.
  it.each([
    ['a node process that took no signal', '', false],
    [
      'a process that took the stop signals, as onStopSignals takes them',
      "for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {})",
      true,
    ],
  ])('is right for %s', async (_, code, expected) => {
    const child = await readyNode(code);
    try {
      expect(handlesStopSignals(child.pid)).toBe(expected);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
