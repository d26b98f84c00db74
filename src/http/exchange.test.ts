/**
 * The node:http path of createHttpClient (https, Expect, ...): when a 2xx counts as a delivery.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, selfSignedCertificate } from '../../test/helpers/tls.js';
import { createHttpClient, type ExchangeRequest } from './exchange.js';

// An honest https receiver on its own thread, so it answers while this one is busy: it reads the
// whole body, then says 200.
const honestReceiver = `
  const https = require('node:https');
  const { parentPort, workerData } = require('node:worker_threads');
  const server = https.createServer(workerData, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
  parentPort.on('message', () => server.close(() => process.exit(0)));
`;

describe.skipIf(!hasOpenssl())('a 2xx over https', () => {
  let worker: Worker;
  let url: URL;
  beforeAll(async () => {
    worker = new Worker(honestReceiver, { eval: true, workerData: selfSignedCertificate() });
    const port = await new Promise<number>((resolve) => worker.once('message', resolve));
    url = new URL(`https://127.0.0.1:${port}/hook`);
  });
  afterAll(async () => {
    worker.postMessage('close');
    await new Promise((resolve) => worker.once('exit', resolve));
  });

  it('from a receiver that read the whole body is a delivery, however busy replay was after sending it', async () => {
    // node:https reports a body written only in the next check phase of the event loop: when
    // replay was busy after writing (other requests paced by the same timer), the answer was read
    // first and the batch journalled failed, "answered before the whole body was sent".
    const client = createHttpClient({ connections: 1, insecure: true });
    const request: ExchangeRequest = {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(`[${'{"n":1},'.repeat(1000)}{"n":1}]`),
      timeoutMs: 5000,
    };
    try {
      // The first exchange opens the keep-alive connection the second is written on at once.
      expect((await client.send(request)).bodyWithheld).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const answer = await new Promise<Promise<unknown>>((resolve) => {
        setTimeout(() => {
          const sent = client.send(request);
          // Busy for 100 ms once the request is written, as replay is with many batches to send.
          process.nextTick(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100));
          resolve(sent);
        }, 1);
      });
      expect(await answer).toMatchObject({ status: 200, bodyWithheld: false });
    } finally {
      client.close();
    }
  });
});

describe('a whole body wanted (--forward)', () => {
  it('is cut at its limit, also when the read that crosses the limit ends the answer', async () => {
    // Errors after a complete answer were let go (bytes after a 204's body), and with them the
    // limit's own: an answer one read past it was relayed whole instead of refused. It is now cut
    // (a refusal turned an upstream's 2xx into a 502 for listen's sender, who sent it again).
    const { createServer } = await import('node:net');
    const server = createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createHttpClient({ connections: 1, insecure: false });
    const request: ExchangeRequest = {
      url: new URL(`http://127.0.0.1:${port}/`),
      method: 'POST',
      headers: {},
      body: Buffer.from('[]'),
      timeoutMs: 5000,
    };
    try {
      const cut = await client.send({ ...request, wholeBodyLimit: 10 });
      expect([cut.status, cut.wholeBody?.toString(), cut.wholeBodyCut]).toEqual([200, 'hello worl', true]);
      const whole = await client.send({ ...request, wholeBodyLimit: 11 });
      expect([whole.status, whole.wholeBody?.toString(), whole.wholeBodyCut]).toEqual([200, 'hello world', undefined]);
    } finally {
      client.close();
      server.close();
    }
  });
});

describe('a 101 Switching Protocols', () => {
  it('is an answer HTTP cannot go on from, not a receiver that closed before answering (red team hR122)', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((socket) => {
      socket.once('data', () =>
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createHttpClient({ connections: 1, insecure: false });
    try {
      const sent = client.send({
        url: new URL(`http://127.0.0.1:${port}/`),
        method: 'POST',
        headers: {},
        body: Buffer.from('[]'),
        timeoutMs: 5000,
        wholeBodyLimit: 100,
      });
      await expect(sent).rejects.toMatchObject({
        code: 'UPGRADE',
        message: 'the receiver answered 101 Switching Protocols, which a delivery cannot go on from',
      });
    } finally {
      client.close();
      server.close();
    }
  });
});

// A receiver on its own thread, so it answers while this one is stopped: it says when it has a
// request whole, then answers 200 50 ms later.
const slowReceiver = `
  const http = require('node:http');
  const { parentPort } = require('node:worker_threads');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      parentPort.postMessage('whole');
      setTimeout(() => res.end('ok'), 50);
    });
  });
  server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
  parentPort.on('message', () => server.close(() => process.exit(0)));
`;

describe('a process stopped past a deadline (Ctrl-Z then fg, a paused container)', () => {
  // Both paths: the fast one (plain http), and node:http's (an expectation).
  it.each([
    ['the fast path', {}],
    ['node:http', { expect: '100-continue' }],
  ])('reads, on %s, the answer that came in time before it counts the deadline', async (_, extra) => {
    // On SIGCONT the deadline's timer ran before the answer waiting in the socket was read: a
    // batch the receiver had answered 200 within 0.1 s was counted a timeout and sent again.
    const worker = new Worker(slowReceiver, { eval: true });
    const port = await new Promise<number>((resolve) => worker.once('message', resolve));
    const client = createHttpClient({ connections: 1 });
    try {
      const whole = new Promise((resolve) => worker.once('message', resolve));
      const sent = client.send({
        url: new URL(`http://127.0.0.1:${port}/hook`),
        method: 'POST',
        headers: { 'content-type': 'application/json', ...extra },
        body: Buffer.from('[{"n":1}]'),
        timeoutMs: 300,
      });
      await whole;
      // Stopped: nothing runs here for 700 ms; the answer comes 50 ms in, the deadline at 300.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
      expect((await sent).status).toBe(200);
    } finally {
      client.close();
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });
});
