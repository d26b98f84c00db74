/**
 * Gives one `npm test` run a temporary folder of its own and removes it at the end. Every test,
 * and every callhook process a test starts, makes its scratch folders under `os.tmpdir()`, which
 * reads `TMPDIR`: set here before the workers start, they inherit it. Hint: without this, each
 * run left some 400 folders in /tmp (replay's journals, listen's captures, TLS keys).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const saved = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'callhook-tests-'));
  process.env.TMPDIR = dir;
  return () => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(dir, { recursive: true, force: true });
  };
}
