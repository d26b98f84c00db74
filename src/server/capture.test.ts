import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { capturedDeliveries } from './capture.js';

it('reads a folder of more capture descriptions than a call takes arguments', async () => {
  // Hint: described.push(...descriptions) passed each as an argument: 130,000 overflowed the stack
  // (RangeError, printed as an internal error). They are empty, so the first is refused as not JSON.
  const folder = mkdtempSync(join(tmpdir(), 'callhook-captures-'));
  try {
    for (let i = 0; i < 130_000; i++) writeFileSync(join(folder, `${String(i).padStart(6, '0')}.meta`), '');
    const first = capturedDeliveries([folder]).next();
    await expect(first).rejects.toThrow(`${join(folder, '000000.meta')}: not a capture description (not JSON)`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}, 60_000);
