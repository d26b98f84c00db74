/**
 * `listen --forward URL`: relays an accepted delivery to another endpoint with its body bytes
 * and end-to-end headers unchanged, and hands back that endpoint's answer. https and --insecure
 * work as in replay (an undici Agent that checks certificates unless told not to).
 */
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'undici';

/** The upstream's answer, to be returned to the sender as it is. */
export interface ForwardAnswer {
  status: number;
  /** End-to-end headers, as [name, value] pairs. */
  headers: [string, string][];
  body: Buffer;
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

/** The end-to-end headers of a raw header list: hop-by-hop ones and those `Connection` names are left out. */
export function endToEndHeaders(raw: readonly string[], drop: readonly string[] = []): [string, string][] {
  const named = new Set(drop);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') {
      for (const token of raw[i + 1]!.split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!hopByHop.has(name) && !named.has(name)) out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}

/** A pooled client for one upstream. */
export class Forwarder {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly timeoutMs: number;

  constructor(options: { url: URL; insecure: boolean; timeoutMs: number }) {
    this.url = options.url;
    this.timeoutMs = options.timeoutMs;
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connect: { rejectUnauthorized: !options.insecure, timeout: options.timeoutMs },
    });
  }

  /** Sends the request's body and end-to-end headers to the upstream; rejects on a network error or timeout. */
  async relay(req: IncomingMessage, body: Buffer, signal?: AbortSignal): Promise<ForwardAnswer> {
    // Hint: Host names this listener, and Content-Length is set from the very same bytes; the
    // upstream gets its own Host, as a reverse proxy gives it.
    const headers = endToEndHeaders(req.rawHeaders, ['host', 'content-length']);
    const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
    const response = await request(new URL(this.url.search ? '' : query, this.url), {
      method: (req.method ?? 'POST') as 'POST',
      headers: headers.flat(),
      body,
      dispatcher: this.agent,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      signal,
    }).catch((error: NodeJS.ErrnoException) => {
      const code = error.code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
        throw new Error(`${error.message} (for a local development server, --insecure skips the check)`);
      }
      throw error;
    });
    const answer = Buffer.from(await response.body.arrayBuffer());
    const raw: string[] = [];
    for (const [name, value] of Object.entries(response.headers)) {
      for (const one of Array.isArray(value) ? value : [value ?? '']) raw.push(name, one);
    }
    return { status: response.statusCode, headers: endToEndHeaders(raw, ['content-length']), body: answer };
  }

  /** Closes the pool's connections. */
  close(): Promise<void> {
    return this.agent.close();
  }
}
