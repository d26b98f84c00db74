/**
 * Every batch accounted for, against receivers that misbehave the way real ones do: each test
 * compares the receiver's own log with the journal. An event the receiver answered 2xx for is
 * journalled delivered exactly once; every other event is journalled failed or undelivered.
 */
import { mkdtempSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallhookError } from '../../src/errors.js';
import { planBatches, type ReplayEvent } from '../../src/http/batches.js';
import { type DeliveryOptions, deliverBatches } from '../../src/http/deliver.js';
import { type Journal, type JournalEntry, openJournal, readJournal } from '../../src/http/journal.js';
import { loneReplayEvent } from '../helpers/events.js';
import { closestOf, serverPerTest } from '../helpers/http-server.js';
import { type RawLogEntry, rawServerPerTest } from '../helpers/raw-server.js';

const rawServer = rawServerPerTest();
const server = serverPerTest();

/** `count` one-event batches `{"n":0}`, `{"n":1}`, …, from `in.json:<n+1>:1`. */
async function* events(count: number): AsyncGenerator<ReplayEvent[]> {
  for (let n = 0; n < count; n++) {
    const text = JSON.stringify({ n });
    yield [loneReplayEvent(n, text)];
  }
}

function memoryJournal(): Journal & { entries: JournalEntry[] } {
  const entries: JournalEntry[] = [];
  return { entries, append: (entry) => entries.push(entry), changed: () => undefined, close: () => true };
}

const fast = { baseMs: 5, capMs: 20 };

async function replay(url: string, count: number, extra: Partial<DeliveryOptions> = {}) {
  const journal = memoryJournal();
  const { stats } = await deliverBatches(planBatches(events(count)), {
    url,
    method: 'POST',
    concurrency: 2,
    timeoutMs: 1500,
    retries: 2,
    backoff: fast,
    journal,
    ...extra,
  });
  return { journal: journal.entries, report: stats.report(url, 'POST') };
}

/** The events of a request body the receiver logged. */
const numbersIn = (body: Buffer): number[] =>
  body.length ? (JSON.parse(body.toString()) as { n: number }[]).map((e) => e.n) : [];

/**
 * The bookkeeping promise: for every event, the journal says delivered exactly once when the
 * receiver answered 2xx for it (exactly once), and says failed or undelivered otherwise.
 */
function expectJournalMatchesReceiver(log: readonly RawLogEntry[], journal: readonly JournalEntry[], count: number) {
  for (let n = 0; n < count; n++) {
    const accepted = log.filter(
      (e) => e.status !== undefined && e.status >= 200 && e.status < 300 && numbersIn(e.request.body).includes(n),
    ).length;
    const lines = journal.filter((entry) => entry.source === `in.json:${n + 1}:1`);
    const delivered = lines.filter((entry) => entry.status === 'delivered').length;
    expect({ n, accepted: Math.min(accepted, 2), delivered }).toEqual({
      n,
      accepted: Math.min(accepted, 2),
      delivered: accepted > 0 ? 1 : 0,
    });
    expect(accepted, `event ${n} accepted more than once`).toBeLessThanOrEqual(1);
    if (accepted === 0) expect(lines.map((l) => l.status)).toEqual([expect.stringMatching(/failed|undelivered/)]);
  }
}

describe('replay against misbehaving receivers', () => {
  it('(2) skips interim 100 Continue and 103 Early Hints before the 200: each batch once, delivered', async () => {
    const s = await rawServer((_req, reply) => {
      reply.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n\r\n');
      reply.send(200, 'ok');
    });
    const { journal, report } = await replay(s.url, 6);
    expect(s.requests).toHaveLength(6);
    expect(report.batches).toMatchObject({ delivered: 6, failed: 0, undelivered: 0, retried: 0 });
    expectJournalMatchesReceiver(s.log, journal, 6);
  });

  it('(2) honours -H "Expect: 100-continue": the body waits for the 100; a 417 sends it once more, without the expectation', async () => {
    // A 417 says only that the expectation is not supported on the way (RFC 9110 §10.1.1: the
    // client SHOULD repeat the request without it); the batch failed (red-team report hT48).
    const s = await rawServer(
      (_req, reply) => reply.send(200),
      (head, reply) => {
        if (head.index === 0) reply.send(417, 'no expectations');
        else reply.write('HTTP/1.1 100 Continue\r\n\r\n');
      },
    );
    const { journal, report } = await replay(s.url, 3, { headers: { expect: '100-continue' }, concurrency: 1 });
    expect(report.batches).toMatchObject({ delivered: 3, failed: 0, retried: 0 });
    expect([report.requests, report.statusCodes]).toEqual([4, { 200: 3, 417: 1 }]);
    expect(journal.map((entry) => entry.attempts)).toEqual([1, 1, 1]);
    // The 417 before the body; the same batch again, without the expectation, with it.
    expect(s.log.slice(0, 2).map((e) => [e.status, e.request.headers.expect, numbersIn(e.request.body)])).toEqual([
      [417, '100-continue', []],
      [200, undefined, [0]],
    ]);
    expectJournalMatchesReceiver(s.log, journal, 3);
  });

  it('(2) keeps the request a 417 answered, sent again without the expectation, to --rate', async () => {
    // It went out at once, a request --rate did not count (red-team report hF54).
    const arrived: number[] = [];
    const s = await rawServer(
      (req, reply) => {
        if (req.headers.expect === undefined) arrived.push(Date.now());
        reply.send(200);
      },
      (head, reply) => {
        arrived.push(Date.now());
        if (head.index === 0) reply.send(417, 'no expectations');
        else reply.write('HTTP/1.1 100 Continue\r\n\r\n');
      },
    );
    const { report } = await replay(s.url, 2, { headers: { expect: '100-continue' }, concurrency: 1, rate: 10 });
    expect(report.batches).toMatchObject({ delivered: 2 });
    expect(arrived).toHaveLength(3);
    // 100 ms apart at the sender; a request slow on its way under load arrives closer to the next.
    expect(closestOf(arrived)).toBeGreaterThanOrEqual(40);
  });

  it('(2) sends a request a 417 answered once more without the expectation, once: a second 417 fails the batch', async () => {
    const s = await rawServer(
      (_req, reply) => reply.send(417, 'still no'),
      (_head, reply) => reply.send(417, 'no expectations'),
    );
    const { journal, report } = await replay(s.url, 1, { headers: { expect: '100-continue' } });
    expect(s.log.map((e) => [e.status, e.request.headers.expect])).toEqual([
      [417, '100-continue'],
      [417, undefined],
    ]);
    expect(journal.map((entry) => [entry.status, entry.attempts, entry.reason])).toEqual([
      ['failed', 1, 'HTTP 417: still no'],
    ]);
    expect(report.statusCodes).toEqual({ 417: 2 });
  });

  it('(2) with Expect: 100-continue, a receiver that never sends 100 still gets the body', async () => {
    const s = await rawServer((_req, reply) => reply.send(204));
    const { journal, report } = await replay(s.url, 1, { headers: { expect: '100-continue' } });
    expect(report.batches.delivered).toBe(1);
    expect(numbersIn(s.requests[0]!.body)).toEqual([0]);
    expectJournalMatchesReceiver(s.log, journal, 1);
  });

  it('(3) a 200 whose body drips or never ends is delivered once, and the run does not hang', async () => {
    const timers: NodeJS.Timeout[] = [];
    const s = await rawServer((req, reply) => {
      reply.head(200, { 'content-length': '1000000' });
      // Odd requests drip a byte every 0.3 s; even ones send nothing more, ever.
      if (req.index % 2 === 1) timers.push(setInterval(() => reply.write('x'), 300));
    });
    try {
      const { journal, report } = await replay(s.url, 4, { timeoutMs: 1000 });
      expect(report.batches).toMatchObject({ delivered: 4, failed: 0, undelivered: 0, retried: 0 });
      expect(s.requests).toHaveLength(4);
      expectJournalMatchesReceiver(s.log, journal, 4);
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  }, 10_000);

  it('(3) a 500 whose body never ends times out within --timeout, keeping its status and first bytes', async () => {
    const s = await rawServer((_req, reply) => {
      reply.head(500, { 'content-length': '1000000' });
      reply.write('database down');
    });
    const { journal, report } = await replay(s.url, 1, { timeoutMs: 600, retries: 1 });
    expect(report.batches.failed).toBe(1);
    expect(report.undelivered[0]?.reason).toMatch(/^HTTP 500: database down \(gave up after 2 attempts\)/);
    expectJournalMatchesReceiver(s.log, journal, 1);
  }, 10_000);

  it('a 200 torn mid-body counts as delivered (the receiver said yes); a reset before any answer fails', async () => {
    const s = await rawServer((req, reply) => {
      const n = numbersIn(req.body)[0]!;
      if (n % 2 === 0) {
        reply.head(200, { 'content-length': '100' });
        reply.write('partial');
        setTimeout(() => reply.reset(), 20);
      } else reply.reset();
    });
    const { journal, report } = await replay(s.url, 4);
    expect(report.batches).toMatchObject({ delivered: 2, failed: 2 });
    expectJournalMatchesReceiver(s.log, journal, 4);
  });

  it('a 2xx that comes while the body is still being sent is no delivery: the receiver had not read the events', async () => {
    // It was journalled delivered: the 2xx settled the exchange at once, while most of an 8 MB
    // batch still waited in replay's socket for a receiver that had stopped reading (or reset).
    const text = JSON.stringify({ n: 0, pad: 'x'.repeat(8 * 1024 * 1024) });
    async function* big(): AsyncGenerator<ReplayEvent[]> {
      yield [loneReplayEvent(0, text)];
    }
    for (const after of ['stops reading', 'resets']) {
      const sockets = new Set<Socket>();
      const receiver = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
        let read = 0;
        socket.on('data', (chunk) => {
          if (read === 0 && /^expect: 100-continue/im.test(chunk.toString('latin1'))) {
            socket.write('HTTP/1.1 100 Continue\r\n\r\n');
          }
          read += chunk.length;
          if (read < 64 * 1024 || socket.listenerCount('data') === 0) return;
          socket.removeAllListeners('data');
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
          // Hint: paused before the reset too: a socket left flowing with no listener reads on, and
          // on a loaded machine took the whole body before the reset, so it had been sent whole.
          socket.pause();
          if (after === 'resets') setTimeout(() => socket.resetAndDestroy(), 20);
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const { port } = receiver.address() as AddressInfo;
      for (const headers of [{}, { expect: '100-continue' }] as Record<string, string>[]) {
        const journal = memoryJournal();
        await deliverBatches(planBatches(big()), {
          url: `http://127.0.0.1:${port}/hook`,
          method: 'POST',
          concurrency: 1,
          timeoutMs: 1500,
          retries: 2,
          backoff: fast,
          journal,
          headers,
        });
        const what = `${after} ${JSON.stringify(headers)}`;
        expect(
          journal.entries.map((e) => [e.status, e.attempts]),
          what,
        ).toEqual([['failed', 1]]);
        expect(journal.entries[0]!.reason, what).toMatch(
          /^HTTP 200: answered before the whole body was sent, so the events did not arrive/,
        );
      }
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('a request read whole, then reset or closed, on a kept-alive connection goes out once with --retries 0, and is counted', async () => {
    // It was sent again, silently, on a new connection: the receiver got batches twice, with
    // --retries 0, and the report and journal counted one request each (review hR49).
    for (const how of ['resets', 'closes']) {
      for (const headers of [{}, { connection: 'keep-alive' }] as Record<string, string>[]) {
        const s = await rawServer((req, reply) => {
          if (req.indexOnConnection === 0) reply.send(200);
          else setTimeout(() => (how === 'resets' ? reply.reset() : reply.socket.destroy()), 50);
        });
        const { journal, report } = await replay(s.url, 3, { headers, concurrency: 1, retries: 0 });
        const what = `${how} ${JSON.stringify(headers)}`;
        const received = s.requests.flatMap((r) => numbersIn(r.body));
        expect(new Set(received).size, what).toBe(received.length);
        expect(report.requests, what).toBe(received.length);
        expect(
          journal.reduce((sum, entry) => sum + entry.attempts, 0),
          what,
        ).toBe(received.length);
        expect(report.retries, what).toBe(0);
        expectJournalMatchesReceiver(s.log, journal, 3);
      }
    }
  });

  it('an answer HTTP cannot read (bare LF, a bad content-length) fails its batch once, not retried, and the run goes on', async () => {
    // The receiver read each batch and answered, unreadably: every retry delivered the events
    // again, and after three batches the run stopped, saying the receiver had answered none.
    // A line that is no HTTP (a Redis or SMTP port's `-ERR`), the connection kept open, held
    // each attempt to --timeout on the fast path, which waited for a head's blank line.
    for (const answer of [
      'HTTP/1.1 200 OK\ncontent-length: 0\n\n',
      'HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n',
      '-ERR unknown command\r\n',
    ]) {
      for (const headers of [{}, { connection: 'close' }] as Record<string, string>[]) {
        const s = await rawServer((_req, reply) => reply.write(answer));
        const { journal, report } = await replay(s.url, 4, { headers });
        expect(s.requests, answer).toHaveLength(4);
        expect(report.stoppedBy, answer).toBeNull();
        expect(journal.map((entry) => [entry.status, entry.attempts])).toEqual(Array(4).fill(['failed', 1]));
        expect(journal[0]!.reason).toMatch(/^HPE_\w+: Parse Error: /);
      }
    }
  });

  it('https:// to a plain-http receiver fails each batch once, saying to use http://, not an OpenSSL dump', async () => {
    // It retried each batch (the handshake fails the same way every time) with the reason
    // "EPROTO: write EPROTO 80EC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…".
    const s = await server();
    const { journal } = await replay(s.url.replace(/^http:/, 'https:'), 2);
    expect(journal.map((entry) => [entry.status, entry.attempts])).toEqual([
      ['failed', 1],
      ['failed', 1],
    ]);
    expect(journal[0]!.reason).toBe(
      'EPROTO: the receiver does not speak TLS at this address (is it http://, not https://?)',
    );
  });

  it('(1) never follows 301, 302 or 303, even with --follow-redirects: the body would be dropped', async () => {
    const target = await server();
    for (const status of [301, 302, 303]) {
      const s = await rawServer((_req, reply) => reply.send(status, '', { location: `${target.origin}/new` }));
      const { journal, report } = await replay(s.url, 2, { followRedirects: true });
      expect(report.batches, String(status)).toMatchObject({ delivered: 0, failed: 2 });
      expect(report.undelivered[0]?.reason).toMatch(
        new RegExp(`HTTP ${status}: redirected to http://127\\.0\\.0\\.1:\\d+/new: misconfigured endpoint`),
      );
      expect(target.requests).toHaveLength(0);
      expectJournalMatchesReceiver(s.log, journal, 2);
    }
  });

  it('(1) follows 307 and 308 with the same method and bytes; delivered means the 2xx of the final hop', async () => {
    const target = await rawServer((req, reply) => reply.send(numbersIn(req.body)[0] === 1 ? 500 : 200));
    for (const status of [307, 308]) {
      target.log.length = 0;
      const s = await rawServer((_req, reply) => reply.send(status, '', { location: `${target.origin}/new` }));
      const { journal, report } = await replay(s.url, 3, { followRedirects: true, retries: 0 });
      expect(report.batches, String(status)).toMatchObject({ delivered: 2, failed: 1 });
      expect(target.log.every((e) => e.request.method === 'POST' && e.request.path === '/new')).toBe(true);
      expectJournalMatchesReceiver(target.log, journal, 3);
    }
  });

  it('(4) a journal write error stops the run at once, aborting and listing the batches in flight', async () => {
    // The first two answer at once; the rest are held until the run has ended (or, should the run
    // wait for them, 20 s: then they are answered before it ends, which the test counts).
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
      setTimeout(resolve, 20_000).unref();
    });
    let heldAnswered = 0;
    const s = await server(async (req, res) => {
      if (req.index >= 2) {
        await released;
        heldAnswered++;
      }
      res.end();
    });
    let written = 0;
    const journal: Journal = {
      append() {
        if (++written === 2) throw new CallhookError('cannot write the journal j: no space left on device');
      },
      changed: () => undefined,
      close: () => true,
    };
    const result = await deliverBatches(planBatches(events(20)), {
      url: s.url,
      method: 'POST',
      concurrency: 4,
      timeoutMs: 25_000,
      retries: 0,
      journal,
    });
    // At once: the run ended with the batches in flight still unanswered.
    expect(heldAnswered).toBe(0);
    release();
    expect((result.journalError as Error).message).toMatch(/no space left/);
    expect(result.stats.stoppedBy).toMatch(/writing the journal failed/);
    const listed = result.unjournalled!.map((u) => `${u.source} ${u.status}`);
    // The batch whose line failed, then every one in flight (sent, unanswered), aborted.
    expect(listed[0]).toMatch(/^in\.json:[12]:1 delivered$/);
    const unanswered = s.requests.slice(2).map((r) => `in.json:${numbersIn(r.body)[0]! + 1}:1 undelivered`);
    expect(listed.slice(1)).toEqual(expect.arrayContaining(unanswered));
    expect(listed.slice(1).every((line) => line.endsWith(' undelivered'))).toBe(true);
    expect(result.stats.batches.delivered).toBe(2);
    expect(result.stats.read).toBe(listed.length + 1);
  });

  it('after --resume, every event was accepted exactly once overall, whatever the first run met', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'callhook-faults-')), 'run.jsonl');
    const timers: NodeJS.Timeout[] = [];
    let healthy = false;
    // One receiver, one log: the first run meets every fault in turn, the second a healthy receiver.
    const s = await rawServer((req, reply) => {
      const n = numbersIn(req.body)[0]!;
      if (healthy) return reply.send(200);
      if (n % 6 === 0) return reply.send(503, 'busy');
      if (n % 6 === 1) return reply.reset();
      if (n % 6 === 2) {
        reply.head(200, { 'content-length': '100' });
        return timers.push(setInterval(() => reply.write('x'), 200));
      }
      if (n % 6 === 3) return reply.send(302, '', { location: '/elsewhere' });
      if (n % 6 === 4) {
        reply.write('HTTP/1.1 100 Continue\r\n\r\n');
        return reply.send(201);
      }
      reply.head(200, { 'content-length': '10' });
      reply.write('torn');
      reply.reset();
    });
    const count = 18;
    try {
      let journal = openJournal(path, () => {});
      await deliverBatches(planBatches(events(count)), {
        url: s.url,
        method: 'POST',
        concurrency: 3,
        timeoutMs: 800,
        retries: 1,
        backoff: fast,
        followRedirects: true,
        journal,
      });
      journal.close();
      // The journal says exactly what the receiver's log says.
      const first = readJournal(path, () => {});
      const accepted = new Set(
        s.log
          .filter((e) => e.status !== undefined && e.status < 300)
          .flatMap((e) => numbersIn(e.request.body).map((n) => `in.json:${n + 1}:1`)),
      );
      expect(first.confirmed.size).toBe(accepted.size);
      healthy = true;
      journal = openJournal(path, () => {});
      const second = await deliverBatches(planBatches(events(count)), {
        url: s.url,
        method: 'POST',
        concurrency: 3,
        timeoutMs: 800,
        retries: 1,
        backoff: fast,
        journal,
        confirmed: first.confirmed,
      });
      journal.close();
      expect(second.stats.batches).toMatchObject({ delivered: count - accepted.size, resumed: accepted.size });
      for (let n = 0; n < count; n++) {
        const times = s.log.filter(
          (e) => e.status !== undefined && e.status >= 200 && e.status < 300 && numbersIn(e.request.body).includes(n),
        ).length;
        expect(times, `event ${n}`).toBe(1);
      }
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  });
});
