/**
 * `listen --forward URL`: relays an accepted delivery to another endpoint with its body bytes
 * and end-to-end headers unchanged, and hands back that endpoint's answer. https and --insecure
 * work as in replay (the same client, which checks certificates unless told not to).
 */
import type { IncomingMessage } from 'node:http';
import { failureOf } from '../http/attempt.js';
import { splitCredentials } from '../http/credentials.js';
import { createHttpClient, ExchangeError, type HttpClient } from '../http/exchange.js';

/**
 * The most of an upstream's body relayed back (a receiver's answer is small; this bounds a
 * runaway one). Hint: a longer body is cut, not turned into a 502: the upstream has taken the
 * delivery, and the sender would send it again.
 */
const upstreamBodyLimit = 16 * 1024 * 1024;

/** The upstream's answer, to be returned to the sender as it is. */
export interface ForwardAnswer {
  status: number;
  /** End-to-end headers, as [name, value] pairs. */
  headers: [string, string][];
  body: Buffer;
  /** What the sender is not told about the answer (its body cut at the limit), in a few words. */
  note?: string | undefined;
}

// RFC 9110 §7.6.1: these describe one connection, not the message, so a relay does not pass them on.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Node's flat raw header list (`rawHeaders`) as [name, value] pairs, names in the case received. */
export function headerPairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  let name: string | undefined;
  for (const item of raw) {
    if (name === undefined) name = item;
    else {
      out.push([name, item]);
      name = undefined;
    }
  }
  return out;
}

/** The end-to-end headers of a raw header list: hop-by-hop ones and those `Connection` names are left out. */
export function endToEndHeaders(raw: readonly string[], drop: readonly string[] = []): [string, string][] {
  const headers = headerPairs(raw);
  const named = new Set(drop);
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'connection') {
      for (const token of value.split(',')) named.add(token.trim().toLowerCase());
    }
  }
  return headers.filter(([name]) => !hopByHop.has(name.toLowerCase()) && !named.has(name.toLowerCase()));
}

/** Connections to the upstream at once. */
const forwardConnections = 16;

/**
 * Relays at once, sent or waiting for a connection, past which a delivery is refused (503) rather
 * than queued: a stalled upstream held 18,000 of them (15 KB each), and a stop waited for each
 * queued one's --forward-timeout in turn, for hours (hT60).
 */
export const maxRelaying = forwardConnections * 4;

/** Thrown by `Forwarder.relay` when `maxRelaying` relays are under way: the upstream is not keeping up. */
export class UpstreamBusy extends Error {
  constructor() {
    super(`${maxRelaying} deliveries are being relayed already (the upstream is slow or stalled)`);
  }
}

/** A pooled client for one upstream, over replay's own HTTP exchange. */
export class Forwarder {
  /** Relays under way, sent or waiting (see `maxRelaying`). */
  private relaying = 0;
  /** Relays sent, each on one of the `forwardConnections`. */
  private sending = 0;
  /**
   * The relays waiting for a connection, each to be started. Hint: kept here, not in node:http's
   * agent, which held a relay dropped there with its body until a connection freed (review hR57).
   */
  private readonly waiting: (() => void)[] = [];
  private readonly client: HttpClient;
  private readonly url: URL;
  /** `Basic …` from the URL's user info, sent as replay sends `--url`'s (a delivery's own Authorization wins). */
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxBody: number;

  /** `signal`: aborting it ends every relay in flight (a second Ctrl-C). */
  constructor(options: { url: URL; insecure: boolean; timeoutMs: number; maxBody?: number; signal?: AbortSignal }) {
    // Hint: node:http leaves a URL's user info out of the request, so it was dropped unseen.
    const { url, authorization } = splitCredentials(options.url.href);
    this.url = url;
    this.authorization = authorization;
    this.timeoutMs = options.timeoutMs;
    this.maxBody = options.maxBody ?? upstreamBodyLimit;
    this.client = createHttpClient({ connections: forwardConnections, insecure: options.insecure });
    // Hint: once for the pool, not once per relay (which piled up a listener per delivery).
    options.signal?.addEventListener('abort', () => this.client.abortAll(), { once: true });
  }

  /**
   * Sends the request's body and end-to-end headers to the upstream; rejects on a network error
   * or timeout, with `UpstreamBusy` past `maxRelaying`, and, once `senderGone` aborts, with an
   * `ABORTED` ExchangeError if it was still waiting for a connection (it is then not sent, and
   * holds nothing more).
   */
  async relay(req: IncomingMessage, body: Buffer, senderGone?: AbortSignal): Promise<ForwardAnswer> {
    if (this.relaying >= maxRelaying) throw new UpstreamBusy();
    this.relaying++;
    try {
      await this.connectionFree(senderGone);
      try {
        return await this.send(req, body);
      } finally {
        this.sending--;
        this.waiting.shift()?.();
      }
    } finally {
      this.relaying--;
    }
  }

  /** Resolves once a connection is free for a relay, taken; rejects if `senderGone` aborts first. */
  private connectionFree(senderGone: AbortSignal | undefined): Promise<void> {
    if (this.sending < forwardConnections) {
      this.sending++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        senderGone?.removeEventListener('abort', leave);
        this.sending++;
        resolve();
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(start), 1);
        reject(new ExchangeError('ABORTED', 'not sent: abandoned before a connection was free'));
      };
      this.waiting.push(start);
      if (senderGone?.aborted) leave();
      else senderGone?.addEventListener('abort', leave, { once: true });
    });
  }

  private async send(req: IncomingMessage, body: Buffer): Promise<ForwardAnswer> {
    // Hint: Host names this listener, and Content-Length is set from the very same bytes; the
    // upstream gets its own Host, as a reverse proxy gives it. Expect is left out: listen already
    // answered it and holds the whole body. A repeated header is joined with ", ", which HTTP
    // defines as the same message (RFC 9110 §5.3).
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of endToEndHeaders(req.rawHeaders, ['host', 'content-length', 'expect'])) {
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    if (this.authorization && headers.authorization === undefined) headers.authorization = this.authorization;
    // Hint: the sender's query goes after the URL's own, as the bytes it sent: URL would re-encode
    // it (' " < > as %27 %22 %3C %3E) and drop what follows a #.
    const sent = req.url ?? '';
    const query = sent.includes('?') ? sent.slice(sent.indexOf('?') + 1) : '';
    const own = `${this.url.pathname}${this.url.search}`;
    const response = await this.client
      .send({
        url: this.url,
        target: query === '' ? own : `${own}${this.url.search === '' ? '?' : '&'}${query}`,
        method: req.method ?? 'POST',
        headers,
        body,
        timeoutMs: this.timeoutMs,
        wholeBodyLimit: this.maxBody,
      })
      .catch((error: unknown) => {
        // Hint: said as replay says it (a certificate, a handshake refused, no TLS at that address):
        // a pattern of its own here gave OpenSSL's raw text, and --insecure for a client certificate.
        const failure = failureOf(error, this.timeoutMs);
        if (failure.kind !== 'error') throw error;
        // Hint: replay's words for it ("not retried") are wrong here: the 502 has the sender send it again.
        if (failure.answered) {
          throw new Error(
            `${failure.outcome}: ${(error as Error).message} (the upstream's answer, which HTTP cannot read: it may have taken the delivery, which its sender will send again)`,
          );
        }
        // With its code, as replay says it (`INVALID_PURPOSE: …`), and what helps with this machine's limits.
        const { outcome, detail, local } = failure;
        const said = detail.includes(outcome) ? detail : `${outcome}: ${detail}`;
        throw new Error(local === undefined ? said : `${said} (${local})`);
      });
    // Hint: a status line may carry 000 to 099 (llhttp reads them, as the client does), which
    // node:http cannot write back (it threw, and the sender got a 500): a bad answer, as one cut off is.
    if (response.status < 100) {
      const status = String(response.status).padStart(3, '0');
      throw new Error(`the upstream answered status ${status}, below 100, which node:http cannot relay`);
    }
    return {
      status: response.status,
      headers: endToEndHeaders(response.rawHeaders, ['content-length']),
      body: response.wholeBody ?? Buffer.alloc(0),
      note: response.wholeBodyCut ? `the upstream's body was cut at ${this.maxBody} bytes` : undefined,
    };
  }

  /** Closes the pool's connections. */
  async close(): Promise<void> {
    this.client.close();
  }
}
