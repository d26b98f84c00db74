import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

// The library where code generation from strings is refused (this flag, a CSP):
// the compiled acceptor cannot be built, and validation must take the plain valibot path.
const script = `
import { checkEvent, validateEvent } from './dist/index.js';
const event = {
  id: '9225471f-c6ad-4fa7-9afe-6833aa235ecc', eventType: 'CallComplete', createdAt: '2022-09-01T00:01:18.303Z',
  data: { sessionId: 'ae9bcb7b-c94b-49d3-9598-a09394eee357', callResultId: '1227bea0-5f4e-4c52-87eb-13e5d6a9487a',
    name: 'Ruby Anderson', phone: '61491577426', campaignId: '31e6080f-1566-47d5-b6ba-c53d7a0ad947',
    lastStepName: null, startedTime: '2022-09-01T00:00:02.000Z', flow: [], requests: [], status: 'Not Complete' } };
let refused = false;
try { new Function('return 1'); } catch (error) { refused = error instanceof EvalError; }
const good = checkEvent(event);
const bad = validateEvent({ ...event, data: { ...event.data, status: 'Done' } });
console.log(JSON.stringify({ refused, good: good.event?.type, bad: bad.issues.map((i) => i.code) }));
`;

describe('under node --disallow-code-generation-from-strings', () => {
  it('validates with the plain path instead of throwing EvalError', () => {
    const result = spawnSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ refused: true, good: 'CallComplete', bad: ['invalid-value'] });
  });
});

describe('under node --no-experimental-global-webcrypto', () => {
  it('the library reads redeliveries, and show prints a number no double holds, without the global crypto', () => {
    // Seeded from globalThis.crypto, the library threw at import: "Cannot read properties of
    // undefined (reading 'getRandomValues')" (red team hT35); show's exact numbers took their mark from it too.
    const withoutCrypto = `
import { readFileSync } from 'node:fs';
import { readEvents } from '${pathToFileURL(join(repoRoot, 'dist/index.js')).href}';
const [event] = JSON.parse(readFileSync('fixtures/valid/every-status.json', 'utf8'));
const copies = [];
for await (const item of readEvents(JSON.stringify([event, event]))) copies.push(item.kind === 'event' && item.duplicate);
console.log(JSON.stringify({ crypto: typeof globalThis.crypto, copies }));
`;
    const flag = '--no-experimental-global-webcrypto';
    // Hint: from a file: with -e, node makes each built-in module a global, \`crypto\` among them.
    const script = join(mkdtempSync(join(tmpdir(), 'callhook-no-crypto-')), 'script.mjs');
    writeFileSync(script, withoutCrypto);
    const library = spawnSync(process.execPath, [flag, script], { cwd: repoRoot, encoding: 'utf8' });
    expect(library.stderr).toBe('');
    expect(JSON.parse(library.stdout)).toEqual({ crypto: 'undefined', copies: [false, true] });
    const [event] = JSON.parse(readFileSync(join(repoRoot, 'fixtures/valid/every-status.json'), 'utf8'));
    const show = spawnSync(process.execPath, [flag, 'bin/callhook.cjs', 'show', '-', '--format', 'json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      input: JSON.stringify([{ ...event, extra: 1 }]).replace('"extra":1', '"extra":12345678901234567891'),
    });
    expect(show.stderr).toBe('');
    expect(show.stdout).toContain('"extra": 12345678901234567891');
  });
});
