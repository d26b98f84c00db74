// The receivers a team writes by hand instead of running `callhook listen`, installed by the
// bench into bench/.peers: Fastify (its own JSON body parser) and Express (express.json()), each
// parsing a delivery's JSON body and answering 200 with a small JSON body, as listen does, and
// nothing else (no validation, no capture, no output). Prints listen's start-up line, which the
// bench waits for. Usage: node bench/peers/receivers.mjs fastify|express
import { createRequire } from 'node:module';

const peers = createRequire(new URL('../.peers/package.json', import.meta.url));
const which = process.argv[2];
const ready = (/** @type {number} */ port) => process.stderr.write(`listening on http://127.0.0.1:${port}/\n`);
/** @param {unknown} body */
const answer = (body) => ({ ok: true, events: Array.isArray(body) ? body.length : 1 });

if (which === 'fastify') {
  const fastify = peers('fastify')({ bodyLimit: 5_000_000, keepAliveTimeout: 60_000 });
  fastify.post('/*', async (/** @type {{ body: unknown }} */ request) => answer(request.body));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  ready(fastify.server.address().port);
} else if (which === 'express') {
  const express = peers('express');
  const app = express();
  app.post('*splat', express.json({ limit: '5mb' }), (/** @type {any} */ req, /** @type {any} */ res) =>
    res.json(answer(req.body)),
  );
  const server = app.listen(0, '127.0.0.1', () => ready(server.address().port));
  server.keepAliveTimeout = 60_000;
} else {
  process.stderr.write('usage: node bench/peers/receivers.mjs fastify|express\n');
  process.exit(2);
}
