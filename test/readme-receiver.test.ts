// The README's receiver, extracted from the README and run as a user would, against deliveries
// signed the way the platform (and `callhook replay --sign standard`) signs them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEvents } from '../src/core/generate.js';
import { signStandardWebhook } from '../src/library.js';
import { toOpenApi } from '../src/schema/json-schema.js';
import { repoRoot } from './helpers/run-cli.js';

const secret = `whsec_${Buffer.from('the receiver test secret').toString('base64')}`;
// Hint: inside the repository, `import 'callhook'` resolves to this package (a self-reference
// through its "exports"), so the snippet runs unchanged against the built dist/.
const dir = mkdtempSync(join(repoRoot, '.readme-receiver-'));
let child: ChildProcess;
let output = '';
let base = '';

function receiverSnippet(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const match = /<!-- receiver -->\n```js\n([\s\S]*?)\n```/.exec(readme);
  if (!match) throw new Error('README has no <!-- receiver --> js block');
  return match[1]!;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const snippet = receiverSnippet();
  // A few lines (24 since its refusals became JSON Problems, as listen's are, it checks its secret,
  // and it reads a lone event as listen does).
  expect(snippet.split('\n').length).toBeLessThanOrEqual(24);
  writeFileSync(join(dir, 'receiver.mjs'), snippet);
  // Hint: the snippet listens on PORT and does not say where, so a port is found free first; another
  // process may take it before the receiver does, which then fails to listen: it is started again
  // on another. Only the receiver's own answer to an unsigned body says it is the one listening.
  for (let start = 0; start < 5; start++) {
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    const receiver = spawn(process.execPath, [join(dir, 'receiver.mjs')], {
      cwd: dir,
      env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = receiver;
    receiver.stdout!.on('data', (d) => {
      output += d;
    });
    receiver.stderr!.on('data', (d) => {
      output += d;
    });
    // Bounded wait for the server to listen: 50 tries, 100 ms apart, while it runs.
    for (let attempt = 0; attempt < 50 && receiver.exitCode === null; attempt++) {
      const answer = await fetch(base, { method: 'POST', body: '[]' })
        .then(async (response) => ({ status: response.status, body: await response.text() }))
        .catch(() => undefined);
      if (answer?.status === 401 && answer.body.includes('"bad-signature"') && receiver.exitCode === null) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    receiver.kill();
  }
  throw new Error(`the receiver did not start: ${output}`);
}, 20_000);

afterAll(() => {
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The receiver's output from `from` on, once it holds `text`. Hint: it prints what it handled
 * before it answers, but its pipe may be read after the answer is: waited for, not slept on.
 */
function printed(from: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => {
      child.stdout!.off('data', check);
      reject(new Error(`the receiver printed no ${JSON.stringify(text)}: ${JSON.stringify(output.slice(from))}`));
    }, 10_000);
    const check = () => {
      if (!output.slice(from).includes(text)) return;
      clearTimeout(giveUp);
      child.stdout!.off('data', check);
      resolve(output.slice(from));
    };
    child.stdout!.on('data', check);
    check();
  });
}

const post = (body: string, headers: Record<string, string>) =>
  fetch(base, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe("the README's receiver", () => {
  it('refuses to start without WEBHOOK_SECRET, saying so, instead of failing on the first delivery', async () => {
    // It listened, then threw inside the handler on the first delivery: an unhandled rejection.
    const { WEBHOOK_SECRET: _unset, ...env } = process.env;
    const started = spawnSync(process.execPath, [join(dir, 'receiver.mjs')], {
      cwd: dir,
      env: { ...env, PORT: '0' },
      encoding: 'utf8',
      timeout: 5000,
    });
    expect(started.status).not.toBe(0);
    expect(started.error).toBeUndefined();
    expect(started.stderr).toMatch(/set WEBHOOK_SECRET/);
  });

  it('accepts a signed delivery of valid events (204) and handles each', async () => {
    const events = [...generateEvents({ count: 6, seed: 30 })].map((e) => e.event);
    const body = JSON.stringify(events);
    const handled = output.length;
    const response = await post(body, signStandardWebhook(body, { secrets: secret }));
    expect(response.status).toBe(204);
    expect(await printed(handled, 'CallComplete')).toContain('CallComplete');
    // A lone event, not in an array, is a batch of one, as `callhook listen` accepts it.
    const after = output.length;
    const lone = JSON.stringify([...generateEvents({ count: 1, seed: 30, types: ['SMSSent'] })][0]?.event);
    expect((await post(lone, signStandardWebhook(lone, { secrets: secret }))).status).toBe(204);
    expect(await printed(after, '\n')).toBe('SMS (bare)\n');
  });

  it('accepts a key-rotation delivery whose two signatures share one header, and refuses them on two header lines, as standardwebhooks 1.3 does', async () => {
    // Standard Webhooks separates a delivery's signatures by spaces in one header. On two header
    // lines node:http joins them as `v1,<a>, v1,<b>`: callhook read past the join's comma, where
    // standardwebhooks 1.3.0 and svix 2 refuse it (red team hT80), so a receiver tested here passed
    // what production refused.
    const other = `whsec_${Buffer.from('the previous key of the rotation').toString('base64')}`;
    const body = JSON.stringify([...generateEvents({ count: 1, seed: 32, types: ['SMSSent'] })].map((e) => e.event));
    for (const secrets of [
      [secret, other],
      [other, secret],
    ]) {
      const signed = signStandardWebhook(body, { secrets });
      const { port } = new URL(base);
      const send = (signatures: string[]) => {
        const head = [
          'POST / HTTP/1.1',
          `host: 127.0.0.1:${port}`,
          'content-type: application/json',
          `content-length: ${Buffer.byteLength(body)}`,
          'connection: close',
          `webhook-id: ${signed['webhook-id']}`,
          `webhook-timestamp: ${signed['webhook-timestamp']}`,
          // Hint: written by hand: fetch would join header lines before sending.
          ...signatures.map((entry) => `webhook-signature: ${entry}`),
        ];
        return new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1');
          let text = '';
          socket.on('data', (d: Buffer) => {
            text += d.toString();
          });
          socket.on('error', reject);
          socket.on('close', () => resolve(text));
          socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
        });
      };
      const one = await send([signed['webhook-signature']]);
      expect(one.split('\r\n')[0], one).toBe('HTTP/1.1 204 No Content');
      const two = await send(signed['webhook-signature'].split(' '));
      expect(two.split('\r\n')[0], two).toBe('HTTP/1.1 401 Unauthorized');
      expect(two).toContain('malformed-header');
      // A first line whose last entry is no signature: joined by node's request.headers, the two
      // read as one header with an entry skipped, and the signature after it held: 204 in one
      // order, 401 in the other (red team hR129). The receiver reads the lines apart.
      for (const lines of [
        ['junk', signed['webhook-signature']],
        [signed['webhook-signature'], 'junk'],
      ]) {
        const answer = await send(lines);
        expect(answer.split('\r\n')[0], answer).toBe('HTTP/1.1 401 Unauthorized');
        expect(answer).toContain('malformed-header');
      }
    }
  });

  it('refuses a wrong signature (401), a body that is not JSON (400), and invalid events (422), each with the Problem the OpenAPI document describes', async () => {
    // It answered a 422 as {invalid: [{index, issues}]}, and the others in plain text: neither
    // what the OpenAPI document describes nor what `callhook listen` answers.
    const { components } = toOpenApi() as { components: { schemas: Record<string, object> } };
    const isProblem = new Ajv2020({ strict: false }).compile({
      ...components.schemas.Problem,
      unevaluatedProperties: false,
    });
    const problemOf = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/json');
      const problem = (await response.json()) as {
        error: string;
        reason?: string;
        problems?: Array<{ pointer: string; code: string }>;
      };
      expect(isProblem(problem), JSON.stringify(isProblem.errors)).toBe(true);
      return problem;
    };
    const body = JSON.stringify([...generateEvents({ count: 2, seed: 31 })].map((e) => e.event));
    const wrong = signStandardWebhook(body, { secrets: `whsec_${Buffer.from('another secret!!').toString('base64')}` });
    expect(await problemOf(await post(body, wrong), 401)).toMatchObject({
      error: 'bad-signature',
      reason: 'wrong-secret',
    });

    const notJson = '[{"id": 1,]';
    expect(await problemOf(await post(notJson, signStandardWebhook(notJson, { secrets: secret })), 400)).toMatchObject({
      error: 'not-json',
    });

    // Valid JSON that is not an array is a lone event, as `callhook listen` reads it: not `not-json`.
    const lone = '{"a":1}';
    expect(await problemOf(await post(lone, signStandardWebhook(lone, { secrets: secret })), 422)).toMatchObject({
      error: 'invalid-events',
      problems: [expect.objectContaining({ pointer: '', code: 'unknown-shape' })],
    });

    const events = JSON.parse(body) as Array<Record<string, unknown>>;
    const second = events[1]!;
    const damaged = second.data
      ? { ...second, data: { ...(second.data as object), campaignId: 'nope' } }
      : { ...second, campaignId: 'nope' };
    const broken = JSON.stringify([events[0], damaged]);
    const invalid = await problemOf(await post(broken, signStandardWebhook(broken, { secrets: secret })), 422);
    expect(invalid.error).toBe('invalid-events');
    // Each pointer is into the whole body: the event's index first.
    expect(invalid.problems).toContainEqual(
      expect.objectContaining({
        pointer: second.data ? '/1/data/campaignId' : '/1/campaignId',
        code: 'invalid-format',
      }),
    );
  });
});
