/**
 * The fast path behind createHttpClient (plain http, no Expect): what a raw receiver can do to
 * a response's framing, and what the fast path must then do with the connection.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawServerPerTest } from '../../test/helpers/raw-server.js';
import { createHttpClient, type ExchangeRequest, type HttpClient } from './exchange.js';

const rawServer = rawServerPerTest();
const clients: HttpClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function client(connections = 1): HttpClient {
  const made = createHttpClient({ connections });
  clients.push(made);
  return made;
}

const request = (url: string, extra: Partial<ExchangeRequest> = {}): ExchangeRequest => ({
  url: new URL(url),
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('[{"n":1}]'),
  timeoutMs: 2000,
  ...extra,
});

describe('the fast exchange path', () => {
  it('reuses one keep-alive connection, reads chunked bodies, and keeps the first bytes of an error', async () => {
    const sockets = new Set<Socket>();
    const s = await rawServer((req, reply) => {
      sockets.add(reply.socket);
      if (req.index === 1) {
        reply.head(500, { 'transfer-encoding': 'chunked' });
        reply.write('9\r\ndatabase \r\n4;ext=1\r\ndown\r\n0\r\nx-trailer: 1\r\n\r\n');
      } else reply.send(200, 'ok', { 'x-n': String(req.index) });
    });
    const c = client();
    const first = await c.send(request(s.url));
    const second = await c.send(request(s.url));
    const third = await c.send(request(s.url));
    expect([first.status, second.status, third.status]).toEqual([200, 500, 200]);
    expect(second.body).toBe('database down');
    expect(third.headers['x-n']).toBe('2');
    expect(sockets.size).toBe(1);
    expect(s.requests.map((r) => [r.method, r.path, r.headers['content-length'], r.body.toString()])).toEqual(
      Array(3).fill(['POST', '/hook', '9', '[{"n":1}]']),
    );
  });

  it('opens a new connection after `connection: close`, or a body framed only by the close', async () => {
    const sockets = new Set<Socket>();
    const s = await rawServer((req, reply) => {
      sockets.add(reply.socket);
      if (req.index === 0) reply.send(200, '', { connection: 'close' });
      else if (req.index === 1) {
        reply.head(503);
        reply.write('busy');
        reply.socket.end();
      } else reply.send(204);
    });
    const c = client();
    expect((await c.send(request(s.url))).status).toBe(200);
    const busy = await c.send(request(s.url));
    expect([busy.status, busy.body]).toEqual([503, 'busy']);
    expect((await c.send(request(s.url))).status).toBe(204);
    expect(sockets.size).toBe(3);
  });

  it("reuses an idle connection only within the receiver's Keep-Alive timeout, less a second, as node:http's agent does", async () => {
    // A receiver closes an idle connection when its timeout ends (node:http's after 5 s, saying
    // `Keep-Alive: timeout=5`); a request sent on it just then met a reset, and was retried after a
    // back-off as a failed attempt (helper-194). One of 1 s leaves no time to reuse it at all.
    const sockets = new Set<Socket>();
    const s = await rawServer((req, reply) => {
      sockets.add(reply.socket);
      reply.send(200, 'ok', { 'keep-alive': req.index < 2 ? 'timeout=1' : 'timeout=2' });
    });
    const c = client();
    for (let i = 0; i < 3; i++) expect((await c.send(request(s.url))).status).toBe(200);
    // Each of the first two answers said 1 s: neither connection carried another request.
    expect(sockets.size).toBe(3);
    expect((await c.send(request(s.url))).status).toBe(200);
    expect(sockets.size).toBe(3);
    // Idle past 2 s less a second: not reused.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await c.send(request(s.url))).status).toBe(200);
    expect(sockets.size).toBe(4);
  });

  it('lets go at once of a 2xx framed only by the close, which the receiver keeps open: the next request waits for nothing', async () => {
    // It was drained to the deadline, holding the pool's one connection, so each request after it
    // waited --timeout for a connection that could carry no other (found by a red-team helper).
    const s = await rawServer((req, reply) => {
      if (req.index === 0) {
        reply.head(200);
        reply.write('accepted, and more to come');
      } else reply.send(204);
    });
    const c = client(1);
    // Hint: the first request's deadline is far past the test's own 10 s: the old code waited it out.
    expect((await c.send(request(s.url, { timeoutMs: 120_000 }))).status).toBe(200);
    expect((await c.send(request(s.url))).status).toBe(204);
  }, 10_000);

  it('reads a head anew when it changes, however often the same one came before', async () => {
    // The same head twice, then another status, then another header value: on one connection.
    const s = await rawServer((req, reply) =>
      reply.send(req.index < 2 ? 200 : 202, '', { 'x-n': req.index < 3 ? 'same' : 'changed' }),
    );
    const c = client();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await c.send(request(s.url)));
    expect(answers.map((a) => [a.status, a.headers['x-n'], a.rawHeaders])).toEqual([
      [200, 'same', ['content-length', '0', 'x-n', 'same']],
      [200, 'same', ['content-length', '0', 'x-n', 'same']],
      [202, 'same', ['content-length', '0', 'x-n', 'same']],
      [202, 'changed', ['content-length', '0', 'x-n', 'changed']],
      [202, 'changed', ['content-length', '0', 'x-n', 'changed']],
    ]);
  });

  it('refuses a header node:http would refuse, sending nothing', async () => {
    const s = await rawServer((_req, reply) => reply.send(200));
    const c = client();
    await expect(c.send(request(s.url, { headers: { 'x-bad': 'a\r\nb: c' } }))).rejects.toMatchObject({
      code: 'ERR_INVALID_CHAR',
    });
    await expect(c.send(request(s.url, { headers: { 'bad name': 'x' } }))).rejects.toMatchObject({
      code: 'ERR_INVALID_HTTP_TOKEN',
    });
    expect(s.requests).toHaveLength(0);
  });

  it('fails on a response it cannot read, and on a reset before any answer', async () => {
    const s = await rawServer((req, reply) => {
      if (req.index === 0) reply.write('HTTP/1.1 200 OK\r\nbad header line\r\n\r\n');
      else if (req.index === 1) reply.write('SMTP ready\r\n\r\n');
      else reply.reset();
    });
    const c = client();
    await expect(c.send(request(s.url))).rejects.toMatchObject({ code: expect.stringMatching(/^HPE_/) });
    await expect(c.send(request(s.url))).rejects.toMatchObject({ code: expect.stringMatching(/^HPE_/) });
    await expect(c.send(request(s.url))).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('queues requests beyond its connections and aborts every one in flight or waiting', async () => {
    const s = await rawServer(() => {});
    const c = client(1);
    const sent = [c.send(request(s.url)), c.send(request(s.url))];
    // The first arrives (however busy the machine), and the second stays queued behind it.
    for (let waited = 0; s.requests.length === 0 && waited < 10_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s.requests).toHaveLength(1);
    c.abortAll();
    for (const outcome of sent) await expect(outcome).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(c.send(request(s.url))).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('a request waiting for a connection', () => {
  it('is given up, nothing sent, once its stop aborts; one that has its connection is told it began', async () => {
    // The one connection held by a 2xx whose body never ends: a batch queued behind it was sent
    // about 9 s after SIGTERM, counted in flight all the while (red team hR88). Both paths: the
    // fast one's pool, and node:http's agent (a `te` header takes that path).
    for (const headers of [{}, { te: 'trailers' }] as Record<string, string>[]) {
      const s = await rawServer((_req, reply) => {
        reply.head(200, { 'content-length': '100' });
        reply.write('hello');
      });
      const c = client(1);
      const stop = new AbortController();
      const started: string[] = [];
      const send = (name: string) =>
        c.send(
          request(s.url, {
            headers: { 'content-type': 'application/json', ...headers },
            stop: stop.signal,
            onStart: () => started.push(name),
          }),
        );
      expect((await send('first')).status).toBe(200);
      const queued = send('queued');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const asked = performance.now();
      stop.abort();
      await expect(queued).rejects.toMatchObject({ code: 'UNSENT' });
      expect(performance.now() - asked).toBeLessThan(1000);
      // Past the first's deadline (2 s), when its connection would have carried the queued one.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect({ started, requests: s.requests.length }, JSON.stringify(headers)).toEqual({
        started: ['first'],
        requests: 1,
      });
      // Once stopped, a request is not sent even where a connection is free.
      await expect(send('late')).rejects.toMatchObject({ code: 'UNSENT' });
      expect(started).toEqual(['first']);
    }
  });
});

describe('the fast path gives what node:http gives', () => {
  // Each answer is written raw, then the connection is closed: the same bytes reach both paths.
  const answers: Record<string, string> = {
    'plain 200': 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
    '100 Continue, then 201': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n',
    '103 Early Hints, then 204': 'HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
    'chunked 503 with a trailer':
      'HTTP/1.1 503 Busy\r\ntransfer-encoding: chunked\r\nretry-after: 7\r\n\r\n4\r\nbusy\r\n0\r\nx-t: 1\r\n\r\n',
    'a 500 framed by the close': 'HTTP/1.1 500 Oops\r\n\r\nsomething broke',
    'bare line feeds': 'HTTP/1.1 422 Unprocessable\ncontent-length: 3\n\nbad',
    'HTTP/1.0 without keep-alive': 'HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok',
    'a header named constructor': 'HTTP/1.1 400 Bad\r\nconstructor: x\r\ncontent-length: 1\r\n\r\n!',
    'an error body longer than the snippet': `HTTP/1.1 500 Big\r\ncontent-length: 3000\r\n\r\n${'x'.repeat(3000)}`,
    'a line that is no HTTP, then the close': '-ERR unknown command\r\n',
    'line breaks before the status line': '\r\n\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
    'a head that is no HTTP': 'SMTP ready\r\n\r\n',
    'a head larger than node:http takes, in one read': `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20_000)}\r\ncontent-length: 2\r\n\r\nok`,
    // node:http counts a head's reason phrase, header names and values (but for the blanks before
    // a value), and refuses one of 16 KiB: the fast path counted the whole head, and refused
    // these first two, which node:http reads (from the red-team report hT48).
    'at most 16,383 bytes of reason, names and values': `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(16_361)}\r\ncontent-length: 2\r\n\r\nok`,
    'at most 16,383 counted bytes, in many lines, blanks and a longer reason': [
      `HTTP/1.1 200 ${'R'.repeat(100)}\r\n${'x-h:  1  \r\n'.repeat(500)}`,
      `x-big:${' '.repeat(3000)}${'a'.repeat(16_383 - 100 - 500 * 6 - 5 - 15)}\r\ncontent-length: 2\r\n\r\nok`,
    ].join(''),
    'one byte more than node:http reads': `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(16_362)}\r\ncontent-length: 2\r\n\r\nok`,
    'one byte more than node:http reads, in its reason phrase': `HTTP/1.1 200 ${'R'.repeat(16_369)}\r\ncontent-length: 2\r\n\r\nok`,
    // llhttp reads any three digits as a status: 099 is a final answer, no interim one.
    'status 099': 'HTTP/1.1 099 Low\r\ncontent-length: 0\r\n\r\n',
    'status 000, then another answer': 'HTTP/1.1 000 Zero\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n',
    // node:http's parser refuses these, so the fast path must too: one answer, one verdict.
    'two content-lengths, the same': 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 2\r\n\r\nok',
    'two content-lengths, different': 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 0\r\n\r\nok',
    'content-length and chunked at once':
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    'a control byte in a header value': 'HTTP/1.1 200 OK\r\nx-val: a\x01b\r\ncontent-length: 2\r\n\r\nok',
    'a NUL in a header value': 'HTTP/1.1 200 OK\r\nx-val: a\x00b\r\ncontent-length: 2\r\n\r\nok',
    'DEL in a header value': 'HTTP/1.1 200 OK\r\nx-val: a\x7fb\r\ncontent-length: 2\r\n\r\nok',
    // Trimmed first (String.prototype.trim takes \v, \f and U+00A0), these passed the check.
    'a vertical tab at the end of a header value': 'HTTP/1.1 200 OK\r\nx-val: a\x0b\r\ncontent-length: 2\r\n\r\nok',
    'a form feed at the start of a header value': 'HTTP/1.1 200 OK\r\nx-val: \x0ca\r\ncontent-length: 2\r\n\r\nok',
    'a no-break space and blanks around a header value':
      'HTTP/1.1 200 OK\r\nx-val: \t a\xa0\t \r\ncontent-length: 2\r\n\r\nok',
    // ... and reads these.
    'a tab and bytes past ASCII in a header value':
      'HTTP/1.1 200 OK\r\nx-val: a\tb\xe9\xff\r\ncontent-length: 2\r\n\r\nok',
    'repeated headers, in any case, with spaces': [
      'HTTP/1.1 200 OK\r\nDate: Fri, 04 Dec 2026 12:49:11 GMT\r\nX-A: 1\r\nx-a:  2 \r\nX-Empty:\r\n',
      'Content-Type: text/plain\r\ncontent-type: text/html\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n',
      'Connection: keep-alive\r\nKeep-Alive: timeout=60\r\nContent-Length: 0\r\n\r\n',
    ].join(''),
  };

  /** `raw` cut into pieces of a few bytes through the head, then larger ones: the client reads each alone. */
  const inPieces = (raw: string): string[] => {
    const pieces: string[] = [];
    for (let at = 0; at < raw.length; at += at < 160 ? 5 : 700) pieces.push(raw.slice(at, at + (at < 160 ? 5 : 700)));
    return pieces;
  };

  async function rawAnswer(raw: string, cut = false): Promise<{ url: string; close: () => Promise<void> }> {
    const { createServer } = await import('node:net');
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      socket.once('data', async () => {
        if (!cut) return socket.end(raw, 'latin1');
        for (const piece of inPieces(raw)) {
          if (socket.destroyed) return;
          socket.write(piece, 'latin1');
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        socket.end();
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}/hook`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  const outcome = async (url: string, slow: boolean) => {
    // Hint: a Connection header sends the request by node:http (see fastPathFits).
    const headers: Record<string, string> = slow ? { connection: 'keep-alive' } : {};
    try {
      const r = await client().send(request(url, { headers: { 'content-type': 'application/json', ...headers } }));
      const { status, body, bodyWithheld, rawHeaders } = r;
      return { status, body, bodyWithheld, headers: { ...r.headers }, rawHeaders };
    } catch (error) {
      // Hint: an answer HTTP cannot read (HPE_, either path's own code) fails its batch at once;
      // any other error (a reset, a timeout) is retried: the two must not be told apart by path.
      const { code = '' } = error as NodeJS.ErrnoException;
      return { error: code.startsWith('HPE_') ? 'unreadable' : code };
    }
  };

  for (const [name, raw] of Object.entries(answers)) {
    it(name, async () => {
      const server = await rawAnswer(raw);
      try {
        const fast = await outcome(server.url, false);
        const slow = await outcome(server.url, true);
        expect(fast).toEqual(slow);
        // node:http refuses a head with bare line feeds, or one over 16 KiB; every other answer is read.
        const refused =
          !/^(plain|100|103|chunked|a 500|HTTP|a header named|an error|repeated|a tab|a no-break|line breaks|at most|status)/.test(
            name,
          );
        expect(fast).toHaveProperty(refused ? 'error' : 'status');
      } finally {
        await server.close();
      }
    });
  }

  // Hint: the fast path reads every connection into one buffer it reuses (`onread`); a head or a
  // body cut across reads must be kept as copies, or the next read writes over it.
  for (const [name, raw] of Object.entries(answers)) {
    it(`${name}, arriving a few bytes at a time`, async () => {
      const server = await rawAnswer(raw, true);
      try {
        expect(await outcome(server.url, false)).toEqual(await outcome(server.url, true));
      } finally {
        await server.close();
      }
    });
  }
});

describe('a kept-alive connection the receiver lets go of unanswered', () => {
  // Hint: a receiver may close an idle kept-alive connection just as the next request is written
  // on it, or read that request whole and then reset the connection (a handler past its timeout):
  // the client cannot tell which, so the request is never sent again on its own.
  const pathNames = { fast: {}, 'node:http': { connection: 'keep-alive' } } as Record<string, Record<string, string>>;
  for (const [path, headers] of Object.entries(pathNames)) {
    const on = (url: string, timeoutMs = 2000) =>
      request(url, { headers: { 'content-type': 'application/json', ...headers }, timeoutMs });

    for (const how of ['resets', 'closes']) {
      it(`${path}: a request the receiver read and ${how} on a reused connection fails, and is not sent again`, async () => {
        const s = await rawServer((req, reply) => {
          if (req.indexOnConnection === 0) reply.send(200);
          else if (how === 'resets') reply.reset();
          else reply.socket.destroy();
        });
        const c = client();
        const send = (n: number) => c.send({ ...on(s.url), body: Buffer.from(`[{"n":${n}}]`) });
        expect((await send(0)).status).toBe(200);
        await expect(send(1)).rejects.toMatchObject({ code: 'ECONNRESET' });
        expect(s.requests.map((r) => numbersIn(r.body))).toEqual([0, 1]);
      });
    }

    it(`${path}: never sends again what may have been answered, nor what a new connection carried`, async () => {
      const s = await rawServer((req, reply) => {
        const n = numbersIn(req.body);
        // A first request on a connection answered 200 ({"n":0}) or reset unanswered ({"n":1});
        // a later one reset after the first bytes of an answer ({"n":2}), or never answered ({"n":3}).
        if (n === 1) reply.reset();
        else if (req.indexOnConnection === 0 || n === 0) reply.send(200);
        else if (n === 2) {
          reply.write('HTTP/1.1 2');
          setTimeout(() => reply.reset(), 20);
        }
      });
      const c = client();
      const send = (n: number, timeoutMs?: number) =>
        c.send({ ...on(s.url, timeoutMs), body: Buffer.from(`[{"n":${n}}]`) });
      expect((await send(0)).status).toBe(200);
      await expect(send(2)).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|HPE_\w+)$/) });
      await expect(send(1)).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect((await send(0)).status).toBe(200);
      await expect(send(3, 300)).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect(s.requests.map((r) => numbersIn(r.body))).toEqual([0, 2, 1, 0, 3]);
    });
  }
});

/** The `n` of a one-event body `[{"n":…}]`. */
const numbersIn = (body: Buffer): number => (JSON.parse(body.toString()) as { n: number }[])[0]!.n;
