/**
 * One HTTP exchange as replay needs it, over node:http's keep-alive agents: interim 1xx responses
 * skipped, `Expect: 100-continue` honoured, one deadline over the whole exchange, and at most a
 * small, bounded part of a response body read.
 *
 * Hint: undici 7 (replay's client before) destroys the connection when a server sends an interim
 * `100 Continue` ("bad response", lib/dispatcher/client-h1.js) and refuses an `Expect` header
 * (UND_ERR_NOT_SUPPORTED), although RFC 9110 §15.2 says a client must accept 1xx responses it did
 * not ask for. A receiver that does so may already have accepted the batch, so every retry was a
 * duplicate. node:http parses interim responses ('continue', 'information') and lets the body
 * wait for `100 Continue`. It costs request rate against a receiver that answers at once (a
 * bare `http.request` is slower than undici; this file adds nothing to it). So the common
 * request (plain http, no `Expect`, only the first bytes of a body wanted) takes the fast path in fast-exchange.ts, which keeps these same guarantees over
 * pooled `net` sockets; https, `Expect` and whole bodies stay here.
 */
import http from 'node:http';
import https from 'node:https';
import { createFastClient, fastPathFits } from './fast-exchange.js';

/** The first bytes of an error response kept for the report. */
export const snippetBytes = 1024;

/** How long a request with `Expect: 100-continue` waits for the 100 before sending its body anyway (as curl does). */
const continueWaitMs = 1000;

/** One request to send. Header names are lower-case. */
export interface ExchangeRequest {
  url: URL;
  /**
   * The request target (path and query) sent as it is, instead of `url`'s: listen --forward
   * relays a sender's query byte for byte, which URL would re-encode.
   */
  target?: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The whole exchange, from connecting to the last byte read, must end within this. */
  timeoutMs: number;
  /**
   * Read the whole response body, whatever the status, up to this many bytes: a longer one is
   * cut there (`wholeBodyCut`), and its connection not used again (listen's --forward relays it).
   * Without it, only the first `snippetBytes` of a non-2xx body are read.
   */
  wholeBodyLimit?: number;
  /**
   * Once this aborts, a request that has no connection yet (all of the pool's are busy, one with
   * a 2xx body still draining, say) is never sent: it fails with an `UNSENT` ExchangeError. One
   * that has its connection goes on.
   */
  stop?: AbortSignal;
  /** Told when the request gets its connection and so begins: the wait for one is no part of it. */
  onStart?: () => void;
}

/** What a request got back. */
export interface ExchangeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The first bytes of a non-2xx body (at most `snippetBytes`), for the report. */
  body: string;
  /** The whole body, read to its end or to `wholeBodyLimit`: only with that limit. */
  wholeBody?: Buffer;
  /** The body went on past `wholeBodyLimit`, and `wholeBody` is cut there. */
  wholeBodyCut?: boolean;
  /** The response headers as received, names and values alternating. */
  rawHeaders: string[];
  /**
   * True when the receiver answered before the whole body had been sent (a final status after
   * `Expect: 100-continue` but before the body, or while the body was still being written).
   */
  bodyWithheld: boolean;
  /** How long the request waited for a free connection of the pool before it went: not the receiver's time. */
  waitedMs: number;
}

/**
 * The timer of an exchange's deadline, `act` run once it has passed (whole milliseconds: timers
 * with equal durations share one list in Node). Hint: `act` waits for the sockets' reads of this
 * turn of the event loop: a process stopped past the deadline (Ctrl-Z then fg, a paused
 * container) runs its timers before it reads, and counted late an answer that came in time and
 * was waiting to be read (a batch answered 200 within 0.1 s, sent again as timed out; hT54).
 */
export function deadlineTimer(ms: number, act: () => void): NodeJS.Timeout {
  return setTimeout(() => setImmediate(act), Math.max(1, Math.ceil(ms)));
}

/**
 * The error an exchange fails with when its deadline passes, the run aborts it, or its `stop`
 * came before a connection did (`UNSENT`: nothing of it was sent); `code` says which.
 */
export class ExchangeError extends Error {
  readonly code: ExchangeErrorCode;
  constructor(code: ExchangeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** What an `ExchangeError` is: `UPGRADE` an answer of 101, which HTTP cannot go on from. */
export type ExchangeErrorCode = 'TIMEOUT' | 'ABORTED' | 'UNSENT' | 'UPGRADE';

/** The error of a request whose `stop` came before a connection did. */
export function unsentError(): ExchangeError {
  return new ExchangeError('UNSENT', 'not sent: stopped while waiting for a connection');
}

/**
 * `error`, marked `partway` when the head of an answer (`response`) had come: the connection was
 * lost in the body, not before an answer (see attempt.ts, which words it).
 */
function partWay(error: Error, response: ExchangeResponse | undefined): Error {
  return response ? Object.assign(error, { partway: true }) : error;
}

/** Options for `createHttpClient`. */
interface HttpClientOptions {
  /** Connections per origin. */
  connections: number;
  /** Skip TLS certificate verification. */
  insecure?: boolean | undefined;
}

/** A pool of keep-alive connections that sends exchanges and can abort every one in flight. */
export interface HttpClient {
  send(request: ExchangeRequest): Promise<ExchangeResponse>;
  /** Fails every exchange in flight, and every later one, with an `ABORTED` ExchangeError. */
  abortAll(): void;
  /** Closes every connection. */
  close(): void;
}

/** Creates the client replay sends through. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agentOptions = { keepAlive: true, maxSockets: options.connections, keepAliveMsecs: 30_000 };
  const httpAgent = new http.Agent(agentOptions);
  let httpsAgent: https.Agent | undefined;
  const inFlight = new Set<http.ClientRequest>();
  let aborted = false;
  const fast = createFastClient(options.connections);

  const send = (request: ExchangeRequest): Promise<ExchangeResponse> =>
    fastPathFits(request) ? fast.send(request) : sendSlow(request);

  const sendSlow = (request: ExchangeRequest): Promise<ExchangeResponse> =>
    new Promise((resolve, reject) => {
      if (aborted) {
        reject(new ExchangeError('ABORTED', 'aborted'));
        return;
      }
      if (request.stop?.aborted) {
        reject(unsentError());
        return;
      }
      const { url } = request;
      const secure = url.protocol === 'https:';
      if (secure) httpsAgent ??= new https.Agent({ ...agentOptions, rejectUnauthorized: !options.insecure });
      const expectContinue = request.headers.expect?.toLowerCase() === '100-continue';
      const req = (secure ? https : http).request({
        protocol: url.protocol,
        // Hint: URL keeps the brackets of an IPv6 literal; node:http wants the bare address.
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port,
        path: request.target ?? `${url.pathname}${url.search}`,
        method: request.method,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
        agent: secure ? httpsAgent : httpAgent,
      });
      inFlight.add(req);
      let settled = false;
      let bodySent = false;
      /** The whole body has been handed to the operating system ('finish'). */
      let bodyFlushed = false;
      req.once('finish', () => {
        bodyFlushed = true;
      });
      let response: ExchangeResponse | undefined;
      let incoming: http.IncomingMessage | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      const settle = (outcome: ExchangeResponse | Error) => {
        if (settled) return;
        settled = true;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const withSnippet = (r: ExchangeResponse): ExchangeResponse =>
        chunks.length ? { ...r, body: Buffer.concat(chunks).toString('utf8', 0, snippetBytes) } : r;
      // One deadline for the whole exchange, from the moment a connection is assigned (waiting
      // for a free one in the pool is not the receiver's time). Hint: it keeps running after a
      // 2xx has settled the exchange, so a body that then stalls is cut off instead of holding a
      // connection forever.
      let deadline: NodeJS.Timeout | undefined;
      let closed = false;
      const asked = performance.now();
      let waitedMs = 0;
      // Hint: destroyed while the agent holds it in its queue, it is given the next free socket
      // and hands it straight back, writing nothing.
      const leave = () => {
        settle(unsentError());
        req.destroy();
      };
      request.stop?.addEventListener('abort', leave, { once: true });
      req.once('socket', () => {
        request.stop?.removeEventListener('abort', leave);
        request.onStart?.();
        waitedMs = performance.now() - asked;
        deadline = deadlineTimer(request.timeoutMs, () => {
          if (!closed)
            req.destroy(new ExchangeError('TIMEOUT', `no complete response within ${request.timeoutMs / 1000} s`));
        });
      });
      const sendBody = () => {
        if (bodySent || req.destroyed) return;
        bodySent = true;
        req.end(request.body);
      };

      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const answer = {
          status,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: '',
          bodyWithheld: !bodyFlushed,
          waitedMs,
        };
        response = answer;
        incoming = res;
        // Swallow the stream's own error: the request's 'error' below reports it once.
        res.on('error', () => {});
        const limit = request.wholeBodyLimit;
        if (limit !== undefined) {
          res.on('data', (chunk: Buffer) => {
            if (size + chunk.length > limit) {
              // Hint: settled here, not at the end: the read that crosses the limit may also end
              // the answer, whose body must still be cut.
              chunks.push(chunk.subarray(0, limit - size));
              settle({ ...answer, wholeBody: Buffer.concat(chunks), wholeBodyCut: true });
              req.destroy();
              return;
            }
            chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () => settle({ ...answer, wholeBody: Buffer.concat(chunks) }));
        } else if (status >= 200 && status < 300) {
          // A 2xx is the receiver's yes: the exchange is settled now, and the rest of the body is
          // drained unread (within the deadline) so the connection can carry the next request.
          const judge = () => {
            answer.bodyWithheld = !bodyFlushed;
            settle(answer);
            if (answer.bodyWithheld) req.destroy();
            else res.resume();
          };
          // Hint: node:https says a body has all been written only in the loop's next check phase
          // (an immediate it queued then), which comes after this answer when replay was busy
          // meanwhile; an immediate queued now runs after that one.
          if (bodySent && !bodyFlushed) setImmediate(judge);
          else judge();
        } else {
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            // Enough for the report: the rest is not read, and the connection is not reused.
            if (size >= snippetBytes) {
              settle(withSnippet(answer));
              req.destroy();
            }
          });
        }
        res.on('end', () => {
          settle(withSnippet(answer));
          // The body was not all sent: the connection is mid-request and cannot carry another.
          if (!bodyFlushed) req.destroy();
        });
      });
      // Interim responses: a 100 lets a waiting body go; other 1xx (102, 103) are skipped.
      req.on('continue', sendBody);
      // Hint: a 101 ends HTTP on the connection; node:http, with no 'upgrade' listener, dropped it
      // unsaid, and the exchange was reported as a receiver that closed before answering, though it
      // had read the request and answered (red team hR122).
      req.on('upgrade', (_answer, socket) => {
        socket.destroy();
        settle(
          new ExchangeError(
            'UPGRADE',
            'the receiver answered 101 Switching Protocols, which a delivery cannot go on from',
          ),
        );
      });
      req.on('error', (error) => {
        // Hint: bytes after a complete answer (a 204 or 304 with a body, more than its
        // Content-Length) fail node's parser, which then closes the connection, so it is not
        // used again; the answer was whole, and its 'end' settles the exchange with it, as the
        // fast path keeps such an answer.
        if (incoming?.complete) return;
        if (aborted && !(error instanceof ExchangeError)) error = new ExchangeError('ABORTED', 'aborted');
        // Headers already arrived: the status stands, with as much of the body as came (unless
        // the whole body was wanted).
        settle(response && request.wholeBodyLimit === undefined ? withSnippet(response) : partWay(error, response));
      });
      req.on('close', () => {
        closed = true;
        clearTimeout(deadline);
        request.stop?.removeEventListener('abort', leave);
        inFlight.delete(req);
        // 'close' follows every exchange; an Error (and its stack) only when one is needed.
        if (settled || incoming?.complete) return;
        if (response && request.wholeBodyLimit === undefined) settle(withSnippet(response));
        else settle(partWay(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), response));
      });

      if (expectContinue) {
        req.flushHeaders();
        setTimeout(sendBody, Math.min(continueWaitMs, request.timeoutMs)).unref();
      } else sendBody();
    });

  return {
    send,
    abortAll() {
      aborted = true;
      fast.abortAll();
      for (const req of inFlight) req.destroy(new ExchangeError('ABORTED', 'aborted'));
    },
    close() {
      fast.close();
      httpAgent.destroy();
      httpsAgent?.destroy();
    },
  };
}
