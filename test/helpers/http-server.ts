/** Real `node:http` receivers on 127.0.0.1, port 0, that record every request and misbehave on request. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** 0-based arrival order. */
  index: number;
}

/** Answers one request; the default answers 200 at once. `res.socket?.destroy()` resets the connection. */
export type Handler = (request: ReceivedRequest, res: ServerResponse) => unknown;

/** A running test receiver. */
export interface TestServer {
  /** `http://127.0.0.1:<port>/hook`. */
  url: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 with an ephemeral port; with `tls`, an HTTPS one. */
export async function startServer(
  handler: Handler = (_req, res) => {
    res.end('ok');
  },
  options: { tls?: { key: string; cert: string } } = {},
): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        index: requests.length,
      };
      requests.push(request);
      Promise.resolve(handler(request, res)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  };
  const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: `${origin}/hook`,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The events a receiver got, in arrival order, each request body parsed as a JSON array. */
export function receivedEvents(server: TestServer): unknown[] {
  return server.requests.flatMap((r) => JSON.parse(r.body.toString()) as unknown[]);
}

/** The shortest time between two of `times` (ms, in order), as between requests' arrivals. */
export function closestOf(times: readonly number[]): number {
  return Math.min(...times.slice(1).map((time, i) => time - (times[i] ?? 0)));
}

/**
 * For a test file: a `startServer` whose servers are all closed after each test, so a failing
 * test cannot leave a port open for the next.
 */
export function serverPerTest(): (...args: Parameters<typeof startServer>) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (...args) => {
    const s = await startServer(...args);
    servers.push(s);
    return s;
  };
}
