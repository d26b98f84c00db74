/**
 * A receiver on a raw `net` socket, for the faults node:http smooths over: interim 1xx responses,
 * a body that drips or never ends, a connection torn mid-response. It keeps its own log of what
 * it answered, to compare with replay's journal.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { afterEach } from 'vitest';

/** One request as the receiver read it. */
export interface RawRequest {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  /** 0-based arrival order. */
  index: number;
  /** 0-based arrival order on its connection: more than 0 on a kept-alive connection reused. */
  indexOnConnection: number;
}

/** The receiver's log line for one request: the final status it wrote (undefined if none). */
export interface RawLogEntry {
  request: RawRequest;
  status?: number | undefined;
}

/** What a handler may do with the connection. */
export interface RawReply {
  /** Writes raw bytes. */
  write(text: string): void;
  /** Writes a final status line and headers (logged as the answer); `body` and `end` are optional. */
  head(status: number, headers?: Record<string, string>): void;
  /** Writes a whole response: status, content-length and body. */
  send(status: number, body?: string, headers?: Record<string, string>): void;
  /** Resets the connection (RST). */
  reset(): void;
  socket: Socket;
}

/** Answers a request whose body has arrived. */
export type RawHandler = (request: RawRequest, reply: RawReply) => unknown;
/** Called when a request's head asks `Expect: 100-continue`, before its body is read. */
export type RawExpectHandler = (request: Omit<RawRequest, 'body'>, reply: RawReply) => unknown;

/** A running raw receiver. */
export interface RawServer {
  url: string;
  origin: string;
  requests: RawRequest[];
  log: RawLogEntry[];
  close(): Promise<void>;
}

/** Starts a raw receiver on 127.0.0.1, port 0. */
export async function startRawServer(handler: RawHandler, onExpect?: RawExpectHandler): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const log: RawLogEntry[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // Each reply is several small writes; without this, Nagle's algorithm and delayed ACKs add 40 ms to each.
    socket.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    let head: Omit<RawRequest, 'body'> | undefined;
    let length = 0;
    let expectAnswered = false;
    let entry: RawLogEntry | undefined;
    let carried = 0;
    const reply: RawReply = {
      socket,
      write: (text) => {
        if (!socket.destroyed) socket.write(text);
      },
      head: (status, headers = {}) => {
        if (entry) entry.status = status;
        const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
        reply.write(`HTTP/1.1 ${status} X\r\n${lines.join('')}\r\n`);
      },
      send: (status, body = '', headers = {}) => {
        reply.head(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
        reply.write(body);
      },
      reset: () => socket.resetAndDestroy(),
    };
    const pump = () => {
      for (;;) {
        if (!head) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
          buffered = buffered.subarray(end + 4);
          const [method = '', path = ''] = lines[0]!.split(' ');
          const headers: Record<string, string> = {};
          for (const line of lines.slice(1)) {
            const colon = line.indexOf(':');
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
          head = { method, path, headers, index: requests.length, indexOnConnection: carried++ };
          length = Number(headers['content-length'] ?? 0);
          expectAnswered = false;
        }
        if (head.headers.expect === '100-continue' && !expectAnswered && onExpect) {
          expectAnswered = true;
          entry = { request: { ...head, body: Buffer.alloc(0) }, status: undefined };
          onExpect(head, reply);
          if (entry.status !== undefined) {
            // A final answer before the body: the receiver never reads it.
            requests.push(entry.request);
            log.push(entry);
            head = undefined;
            return;
          }
        }
        if (buffered.length < length) return;
        const request: RawRequest = { ...head, body: buffered.subarray(0, length) };
        buffered = buffered.subarray(length);
        head = undefined;
        requests.push(request);
        entry = { request };
        log.push(entry);
        handler(request, reply);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/hook`,
    origin,
    requests,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** For a test file: `startRawServer`, with every server closed after each test. */
export function rawServerPerTest(): typeof startRawServer {
  const servers: RawServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (...args) => {
    const s = await startRawServer(...args);
    servers.push(s);
    return s;
  };
}
