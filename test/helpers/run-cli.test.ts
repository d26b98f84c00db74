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
  it('is false for a node process that took no signal, though node itself catches SIGINT and SIGTERM', async () => {
    const child = await readyNode('');
    try {
      expect(handlesStopSignals(child.pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('is true once a process has taken the stop signals, as onStopSignals takes them', async () => {
    const child = await readyNode("for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {})");
    try {
      expect(handlesStopSignals(child.pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
