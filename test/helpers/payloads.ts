/** Webhook payloads as they travel (plain JSON), and the scratch space the delivery tests share. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The campaignId of the delivery tests' events. */
export const campaignId = '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31';

/** A valid bare CallAttempted event numbered `n`: its minute tells them apart. */
export function attempt(n: number): Record<string, unknown> {
  const time = new Date(Date.UTC(2024, 0, 1, 0, n)).toISOString();
  return { time, phone: '61491573087', status: 'success', campaignId };
}

/** The number `attempt` gave an event, read back from its time. */
export const numberOf = (event: unknown): number => new Date((event as { time: string }).time).getUTCMinutes();

/** A new private folder under the system's temporary folder, named `callhook-<name>-...`. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `callhook-${name}-`));
}

/**
 * The bytes of the path to `name`, a Latin-1 name (not UTF-8, as an old export or zip writes it),
 * in `folder`. Hint: only the name is Latin-1; the folder's is kept as UTF-8, as it was made
 * (encoded whole as Latin-1, a TMPDIR such as `/tmp/é` named another folder, which did not exist).
 */
export function latin1Path(folder: string | Buffer, name: string): Buffer {
  return Buffer.concat([Buffer.from(folder), Buffer.from(`/${name}`, 'latin1')]);
}

/**
 * Makes `name` in `folder` a Unix socket, with nothing listening on it. Hint: bound by a process in
 * that folder, by the name alone: a socket's path holds at most 107 bytes, and under a long TMPDIR
 * a whole path was cut short, the socket made under another name. That process leaves without
 * closing it, which would remove it.
 */
export function makeSocket(folder: string, name: string): void {
  const bind = `require('node:net').createServer().listen(${JSON.stringify(name)}, () => process.exit())`;
  execFileSync(process.execPath, ['-e', bind], { cwd: folder });
}

/** A Standard Webhooks secret (`whsec_` and base64) whose key is `key`, 32 bytes of text. */
export const standardSecret = (key: string): string => `whsec_${Buffer.from(key).toString('base64')}`;
