import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

// The library where code generation from strings is refused (edge runtimes, a CSP, this flag):
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
