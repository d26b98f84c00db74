import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Hint: a full disk needs root and a small file system to make; as there, a new file is made (its
// name takes no data block) and then refuses every byte written to it.
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>();
  const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const writeSync = ((...args: Parameters<typeof original.writeSync>) => {
    if (disk.full) throw noSpace();
    return original.writeSync(...args);
  }) as typeof original.writeSync;
  const writeFileSync: typeof original.writeFileSync = (file, data, options) => {
    if (!disk.full) return original.writeFileSync(file, data, options);
    // Made as the real call makes it, then refused its bytes.
    const flag = typeof options === 'object' && options !== null ? options.flag : undefined;
    if (typeof file !== 'number') original.closeSync(original.openSync(file, flag ?? 'w', 0o600));
    throw noSpace();
  };
  return { ...original, writeSync, writeFileSync, default: { ...original, writeSync, writeFileSync } };
});
// Hint: the workers share modules between files (isolate: false), so journal.js may already be
// loaded with the real node:fs; loading it afresh here gives it the mock.
vi.resetModules();
afterAll(() => {
  vi.doUnmock('node:fs');
  vi.resetModules();
});
const { lockJournal } = await import('./journal.js');
const { CallhookError } = await import('../errors.js');

const tempPath = (name: string) => join(mkdtempSync(join(tmpdir(), 'callhook-journal-')), name);

describe('a journal lock on a full disk', () => {
  it('is refused in one line, and leaves no empty draft of the lock behind', () => {
    // Each attempt left an empty `run.jsonl.lock.<pid>.<hex>`: the draft was made, its write
    // failed, and the removal came only after it (red team hR90).
    const path = tempPath('run.jsonl');
    disk.full = true;
    let refused: unknown;
    try {
      lockJournal(path, () => {});
    } catch (error) {
      refused = error;
    } finally {
      disk.full = false;
    }
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as Error).message).toBe(`--journal: cannot lock ${path} (${path}.lock): no space left on device`);
    expect(readdirSync(dirname(path))).toEqual([]);
  });
});
