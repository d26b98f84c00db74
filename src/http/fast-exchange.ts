/**
 * The fast path of the exchange (src/http/exchange.ts): plain-http requests without `Expect`,
 * sent over a keep-alive pool of `net` sockets with a small HTTP/1.1 response reader, because
 * node:http's ClientRequest, Agent and IncomingMessage machinery cost most of replay's time
 * against a receiver that answers at once. The guarantees are the same as the node:http path's:
 * interim 1xx responses are skipped, the status that counts is the final one on the connection
 * that carried the body, one deadline covers the whole exchange (and keeps running while a 2xx
 * body is drained), and at most `snippetBytes` of a non-2xx body are kept.
 *
 * Hint: anything this reader does not understand ends the connection instead of guessing; a
 * response it cannot frame (no content-length, not chunked) is read until the receiver closes.
 */
import http from 'node:http';
import net from 'node:net';
import { impossible } from '../errors.js';
import { COLON, NEWLINE, RETURN, SPACE, TAB } from '../input/bytes.js';
import {
  deadlineTimer,
  ExchangeError,
  type ExchangeRequest,
  type ExchangeResponse,
  snippetBytes,
  unsentError,
} from './exchange.js';
import { exchangeHeaders, headOnlyStatuses } from './names.js';

/**
 * The bytes of a response head that make it too large, counted as node:http counts them against
 * its default --max-http-header-size (see `countHeaderBytes`).
 */
const maxHeaderBytes = 16 * 1024;

/**
 * The longest response head kept. Hint: node:http keeps no head and has no such limit; one this
 * long that counts less than `maxHeaderBytes` is mostly line ends, colons and blanks, which no
 * receiver sends, and it is refused however it comes, so that it gets one verdict.
 */
const maxHeadBufferBytes = 4 * maxHeaderBytes;

/** Where `countHeaderBytes` is in a head, and what it has counted. */
interface HeaderCount {
  state: number;
  counted: number;
  /** The offset counted up to. */
  at: number;
}

// The parts of a response head, for `countHeaderBytes`.
const inVersion = 0;
const inCode = 1;
const inReason = 2;
const atLineEnd = 3;
const inName = 4;
const beforeValue = 5;
const inValue = 6;

/**
 * Counts on, through `head` up to `end`, the bytes node:http counts against its header size limit:
 * the reason phrase, each header's name, and its value but for the blanks before it (what llhttp
 * hands its parser), not the version, code, colons, leading blanks or line ends.
 */
function countHeaderBytes(head: Buffer, end: number, count: HeaderCount): number {
  let { state, counted } = count;
  for (let at = count.at; at < end; at++) {
    const byte = head[at];
    if (byte === RETURN) state = atLineEnd;
    else if (byte === NEWLINE) state = inName;
    else if (state === inVersion || state === inCode) {
      if (byte === SPACE) state = state === inVersion ? inCode : inReason;
    } else if (state === inName && byte === COLON) state = beforeValue;
    else if (state !== beforeValue || (byte !== SPACE && byte !== TAB)) {
      if (state === beforeValue) state = inValue;
      else if (state === atLineEnd) state = inName;
      counted++;
    }
  }
  Object.assign(count, { state, counted, at: end });
  return counted;
}

/** Headers whose later duplicates node:http drops (the first wins); set-cookie collects an array. */
const firstWins = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** Request headers the fast path leaves to node:http, which knows what they mean for the exchange. */
const slowHeaders: ReadonlySet<string> = new Set(exchangeHeaders);

/** Whether a request can take the fast path. */
export function fastPathFits(request: ExchangeRequest): boolean {
  // Hint: a target given as it is goes through node:http, which checks it; this path writes `url`'s.
  if (request.url.protocol !== 'http:' || request.wholeBodyLimit !== undefined || request.target !== undefined) {
    return false;
  }
  for (const name in request.headers) if (slowHeaders.has(name)) return false;
  return true;
}

/** What a status line begins with (llhttp also takes `RTSP/` and `ICE/`, which no webhook receiver answers). */
const statusLineStart = Buffer.from('HTTP/');

function protocolError(message: string): Error {
  return Object.assign(new Error(`Parse Error: ${message}`), { code: 'HPE_INVALID_RESPONSE' });
}

/** One exchange on the fast path, from assignment of a connection to its end. */
interface Exchange {
  request: ExchangeRequest;
  /** The request's bytes, head and body. */
  bytes: Buffer;
  resolve(response: ExchangeResponse): void;
  reject(error: Error): void;
  settled: boolean;
  /** The request's bytes have all been handed to the operating system. */
  sent: boolean;
  /** When it began to wait for a connection (`performance.now()`), when none was free; how long it waited. */
  queuedAt?: number | undefined;
  /** While it waits for a connection: takes it out of the queue when its `stop` aborts. */
  leave?: (() => void) | undefined;
  waitedMs: number;
  response?: ExchangeResponse | undefined;
  chunks: Buffer[];
  size: number;
  deadline?: NodeJS.Timeout | undefined;
}

type Framing =
  | { kind: 'none' }
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; state: 'size' | 'data' | 'crlf' | 'trailer'; remaining: number; line: string }
  | { kind: 'close' };

/** A keep-alive connection to one origin, carrying one exchange at a time. */
class Connection {
  readonly socket: net.Socket;
  exchange: Exchange | undefined;
  private head: Buffer | undefined;
  private framing: Framing | undefined;
  private reusable = true;
  /** How long it may wait idle for another request, by its last response (see `Head.idleMs`). */
  idleMs: number | undefined;
  /** Until when (performance.now()) it may carry another request, once idle. */
  reuseUntil = Number.POSITIVE_INFINITY;
  /** Set when a response ended inside `onData`, which then hands the connection back. */
  private finished = false;
  /** What is counted of a long head being read (see `overflows`). */
  private headCount: HeaderCount | undefined;
  closed = false;

  constructor(
    private readonly pool: Pool,
    host: string,
    port: number,
  ) {
    // Hint: read into the pool's one buffer, not through the stream: no buffer allocated, nor
    // 'data' event and read-ahead tick, per response. Each read is handled before the next one
    // (of any connection) lands in it, so what outlives a read is copied (a head or an error body
    // cut across reads).
    const buffer = pool.readBuffer;
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer,
        callback: (bytes: number) => {
          this.onData(buffer.subarray(0, bytes));
          // Reading goes on (false would pause the socket).
          return true;
        },
      },
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.onClose());
  }

  start(exchange: Exchange): void {
    this.exchange = exchange;
    if (exchange.leave) exchange.request.stop?.removeEventListener('abort', exchange.leave);
    exchange.request.onStart?.();
    if (exchange.queuedAt !== undefined) exchange.waitedMs = performance.now() - exchange.queuedAt;
    this.head = undefined;
    this.headCount = undefined;
    this.framing = undefined;
    exchange.deadline = deadlineTimer(exchange.request.timeoutMs, () => {
      // Hint: the exchange may have ended while the timer waited for the reads (see deadlineTimer).
      if (this.exchange !== exchange) return;
      this.destroy(new ExchangeError('TIMEOUT', `no complete response within ${exchange.request.timeoutMs / 1000} s`));
    });
    this.socket.write(exchange.bytes, (error) => {
      if (!error) exchange.sent = true;
    });
  }

  /** Ends the exchange on this connection with an error, and the connection with it. */
  destroy(error: Error): void {
    this.fail(error);
    this.socket.destroy();
  }

  private fail(error: Error): void {
    const exchange = this.exchange;
    this.reusable = false;
    if (!exchange) return;
    this.exchange = undefined;
    clearTimeout(exchange.deadline);
    if (this.pool.aborted && !(error instanceof ExchangeError)) error = new ExchangeError('ABORTED', 'aborted');
    // Headers already arrived: the status stands, with as much of the body as came.
    if (exchange.response) settleWith(exchange, withSnippet(exchange));
    else settleWith(exchange, error);
  }

  private onClose(): void {
    this.closed = true;
    const exchange = this.exchange;
    if (exchange?.response && this.framing?.kind === 'close') this.finishBody(exchange);
    else this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    this.pool.forget(this);
  }

  private onData(chunk: Buffer): void {
    if (!this.exchange) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      this.socket.destroy();
      return;
    }
    let data: Buffer | undefined = chunk;
    while (data?.length) {
      // Reading may end the exchange (a whole response, a snippet enough, a protocol error).
      const exchange = this.exchange;
      if (!exchange) break;
      data = this.framing ? this.onBody(exchange, this.framing, data) : this.onHead(exchange, data);
    }
    if (!this.finished) return;
    this.finished = false;
    // More than the response framed: nothing after it on this connection can be trusted.
    if (data?.length || !this.reusable || this.closed) this.socket.destroy();
    else this.pool.release(this);
  }

  /** Reads a response head; returns what follows it, or undefined when more bytes are needed. */
  private onHead(exchange: Exchange, chunk: Buffer): Buffer | undefined {
    const joined = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    // Hint: line breaks before a status line are skipped, as llhttp skips them (RFC 9112 §2.2).
    let start = 0;
    while (joined[start] === RETURN || joined[start] === NEWLINE) start++;
    const buffered = joined.subarray(start);
    // Hint: bytes that cannot begin a status line are refused at once, as llhttp refuses them
    // ("Expected HTTP/"), rather than waited on for a head's end: a receiver that is no HTTP
    // server (a Redis or SMTP port) and keeps the connection open held each attempt to --timeout.
    const begun = Math.min(buffered.length, statusLineStart.length);
    if (buffered.compare(statusLineStart, 0, begun, 0, begun) !== 0) {
      this.destroy(protocolError('expected HTTP/ at the start of the response'));
      return undefined;
    }
    const end = buffered.indexOf('\r\n\r\n');
    // Hint: node:http refuses a head whose lines end in a bare LF; so does this reader, at once,
    // rather than wait for a CRLF that will not come.
    const lf = buffered.indexOf('\n\n');
    if (lf >= 0 && (end < 0 || lf < end)) {
      this.destroy(protocolError('a line of the response head ends in a bare LF'));
      return undefined;
    }
    // Hint: as large a head refused however it came, whole in one read or a few bytes at a time,
    // and refused as soon as node:http would refuse it.
    if (this.overflows(buffered, end < 0 ? buffered.length : end)) {
      this.destroy(protocolError('response head too large'));
      return undefined;
    }
    if (end < 0) {
      // Hint: a chunk the socket read is copied out of, as its memory may be given to the next read.
      this.head = this.head ? buffered : Buffer.from(buffered);
      return undefined;
    }
    this.head = undefined;
    this.headCount = undefined;
    const rest = buffered.subarray(end + 4);
    const text = buffered.toString('latin1', 0, end);
    // Hint: a receiver sends the same head again and again (node:http's changes only in its Date,
    // once a second): read once per pool, frozen, and shared by the responses that bring it.
    const head = this.pool.lastHead?.text === text ? this.pool.lastHead : readHead(text);
    if (typeof head === 'string') {
      this.destroy(protocolError(head));
      return undefined;
    }
    this.pool.lastHead = head;
    const { status, headers, rawHeaders } = head;
    if (status === 101) {
      this.destroy(protocolError('unexpected 101 Switching Protocols'));
      return undefined;
    }
    // Interim responses (100 Continue, 102, 103 Early Hints) are skipped; a final one follows.
    if (status >= 100 && status < 200) return rest;
    const connection = String(headers.connection ?? '').toLowerCase();
    if (head.http10 ? !/\bkeep-alive\b/.test(connection) : /\bclose\b/.test(connection)) {
      this.reusable = false;
    }
    if (head.idleMs === 0) this.reusable = false;
    this.idleMs = head.idleMs;
    const encoding = headers['transfer-encoding'];
    const length = headers['content-length'];
    if (headOnlyStatuses.has(status)) this.framing = { kind: 'none' };
    else if (encoding !== undefined) {
      this.framing = /(^|,)\s*chunked\s*$/i.test(encoding)
        ? { kind: 'chunked', state: 'size', remaining: 0, line: '' }
        : { kind: 'close' };
      // Both framings at once is how requests get smuggled: this connection carries no other.
      if (length !== undefined || this.framing.kind === 'close') this.reusable = false;
    } else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) {
        this.destroy(protocolError('invalid content-length'));
        return undefined;
      }
      this.framing = { kind: 'length', remaining: Number(length) };
    } else this.framing = { kind: 'close' };
    if (this.framing.kind === 'close') this.reusable = false;

    // Hint: an answer that comes while the request is still being written was not given to the
    // events (they had not all left), and the connection is mid-request: it carries no other.
    const bodyWithheld = !exchange.sent;
    if (bodyWithheld) this.reusable = false;
    exchange.response = { status, headers, rawHeaders, body: '', bodyWithheld, waitedMs: exchange.waitedMs };
    // A 2xx is the receiver's yes: the exchange is settled now, and the rest of the body is
    // drained unread (within the deadline) so the connection can carry the next request. A body
    // framed only by the close leaves it able to carry none: it is let go of at once, or a
    // receiver that keeps it open held the pool's place until the deadline.
    if (status >= 200 && status < 300) {
      settleWith(exchange, exchange.response);
      if (this.framing.kind === 'close') {
        this.destroy(new Error('a 2xx body framed by the close, not read'));
        return undefined;
      }
    }
    if (this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.remaining === 0)) {
      this.finishBody(exchange);
    }
    return rest;
  }

  /** Whether the head in `buffered`, `end` bytes of it read so far, is larger than node:http reads. */
  private overflows(buffered: Buffer, end: number): boolean {
    // Hint: no more is counted than there are bytes: a shorter head (every common one) is not counted.
    if (end < maxHeaderBytes) return false;
    if (end > maxHeadBufferBytes) return true;
    this.headCount ??= { state: inVersion, counted: 0, at: 0 };
    return countHeaderBytes(buffered, end, this.headCount) >= maxHeaderBytes;
  }

  /** Reads body bytes by the response's framing; returns what follows the body. */
  private onBody(exchange: Exchange, framing: Framing, data: Buffer): Buffer | undefined {
    if (framing.kind === 'close') {
      this.bodyBytes(exchange, data);
      return undefined;
    }
    if (framing.kind === 'length') {
      const take = Math.min(framing.remaining, data.length);
      framing.remaining -= take;
      this.bodyBytes(exchange, data.subarray(0, take));
      // The snippet was enough: the connection is gone, and with it the rest of this body.
      if (!this.exchange) return undefined;
      if (framing.remaining === 0) this.finishBody(exchange);
      return data.subarray(take);
    }
    if (framing.kind === 'chunked') {
      let at = 0;
      while (at < data.length && this.exchange) {
        if (framing.state === 'data') {
          const take = Math.min(framing.remaining, data.length - at);
          this.bodyBytes(exchange, data.subarray(at, at + take));
          at += take;
          framing.remaining -= take;
          if (framing.remaining === 0) framing.state = 'crlf';
          continue;
        }
        // A line: a chunk size, the CRLF after a chunk's data, or a trailer line.
        const newline = data.indexOf(10, at);
        framing.line += data.toString('latin1', at, newline < 0 ? data.length : newline + 1);
        at = newline < 0 ? data.length : newline + 1;
        if (framing.line.length > maxHeaderBytes) {
          this.destroy(protocolError('chunk line too long'));
          return undefined;
        }
        if (newline < 0) break;
        const line = framing.line.replace(/\r?\n$/, '');
        framing.line = '';
        if (framing.state === 'crlf') {
          if (line !== '') {
            this.destroy(protocolError('invalid chunk'));
            return undefined;
          }
          framing.state = 'size';
        } else if (framing.state === 'size') {
          const size = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line);
          if (!size) {
            this.destroy(protocolError('invalid chunk size'));
            return undefined;
          }
          framing.remaining = Number.parseInt(size[1] ?? impossible('the size group is not optional'), 16);
          framing.state = framing.remaining === 0 ? 'trailer' : 'data';
        } else if (line === '') {
          this.finishBody(exchange);
          return data.subarray(at);
        }
      }
      return undefined;
    }
    // No body: what follows was not asked for.
    return data;
  }

  /** Takes body bytes of `exchange`, the one this connection carries. */
  private bodyBytes(exchange: Exchange, bytes: Buffer): void {
    if (exchange.settled || bytes.length === 0) return;
    exchange.chunks.push(Buffer.from(bytes));
    exchange.size += bytes.length;
    // Enough for the report: the rest is not read, and the connection is not reused.
    if (exchange.size >= snippetBytes) {
      settleWith(exchange, withSnippet(exchange));
      this.destroy(new Error('snippet read'));
    }
  }

  /** The response of `exchange`, the one this connection carries, is complete: the exchange ends (`onData` then hands the connection back). */
  private finishBody(exchange: Exchange): void {
    this.exchange = undefined;
    this.framing = undefined;
    this.finished = true;
    clearTimeout(exchange.deadline);
    settleWith(exchange, withSnippet(exchange));
  }
}

/** A response head read: its status line and headers, and the text they were read from. */
interface Head {
  text: string;
  status: number;
  http10: boolean;
  /** Frozen, as `rawHeaders` is: responses share them. */
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  /**
   * How long the connection may wait idle for its next request, by the receiver's `Keep-Alive:
   * timeout=N`, less a second (as node:http's agent takes it): a receiver closes an idle
   * connection when N ends, and a request sent on it then meets a reset. Undefined without one.
   */
  idleMs: number | undefined;
}

/** Reads a response head (its text up to the blank line); a string says what is wrong with it. */
function readHead(text: string): Head | string {
  const lines = text.split('\r\n');
  // Hint: any three digits, as llhttp reads them: 099 is a final answer (99) on either path.
  const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines.shift() ?? '');
  if (!statusLine) return 'invalid status line';
  // Header names are the receiver's text: no prototype for a `constructor` header to find.
  const headers: http.IncomingHttpHeaders = Object.create(null);
  const rawHeaders: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return 'invalid header';
    // Hint: only spaces and tabs are taken off, as HTTP and llhttp do (trim() took \v, \f and
    // U+00A0 too); what is left is refused where llhttp refuses it, so that one answer gets one
    // verdict on either path.
    // Hint: by a loop, since `/[ \t]+$/` is quadratic on a run of blanks before another character.
    let from = colon + 1;
    let to = line.length;
    while (from < to && (line.charCodeAt(from) === 32 || line.charCodeAt(from) === 9)) from++;
    while (to > from && (line.charCodeAt(to - 1) === 32 || line.charCodeAt(to - 1) === 9)) to--;
    const value = line.slice(from, to);
    if (/[\0-\x08\n-\x1f\x7f]/.test(value)) return 'invalid header value';
    const key = name.toLowerCase();
    const seen = headers[key];
    if (key === 'content-length' && seen !== undefined) return 'duplicate content-length';
    rawHeaders.push(name, value);
    if (key === 'set-cookie') headers[key] = [...((seen as string[] | undefined) ?? []), value];
    else if (seen === undefined) headers[key] = value;
    else if (!firstWins.has(key)) headers[key] = `${seen}, ${value}`;
  }
  if (headers['content-length'] !== undefined && headers['transfer-encoding'] !== undefined) {
    return 'content-length with transfer-encoding';
  }
  Object.freeze(headers['set-cookie']);
  Object.freeze(headers);
  Object.freeze(rawHeaders);
  const timeout = /(?:^|,)\s*timeout=(\d+)/i.exec(String(headers['keep-alive'] ?? ''))?.[1];
  const idleMs = timeout === undefined ? undefined : Math.max(0, Number(timeout) * 1000 - 1000);
  return { text, status: Number(statusLine[2]), http10: statusLine[1] === '0', headers, rawHeaders, idleMs };
}

function settleWith(exchange: Exchange, outcome: ExchangeResponse | Error): void {
  if (exchange.settled) return;
  exchange.settled = true;
  if (outcome instanceof Error) exchange.reject(outcome);
  else exchange.resolve(outcome);
}

function withSnippet(exchange: Exchange): ExchangeResponse {
  const response = exchange.response ?? impossible('a response head is read before its body');
  return exchange.chunks.length
    ? { ...response, body: Buffer.concat(exchange.chunks).toString('utf8', 0, snippetBytes) }
    : response;
}

/** The connections to one origin, at most `max` of them, and the exchanges waiting for one. */
class Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Exchange[] = [];
  aborted = false;
  private shut = false;
  /** The last response head read on the pool's connections (see `Connection.onHead`). */
  lastHead: Head | undefined;
  /** What every connection of the pool reads into (see `Connection`). */
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly max: number,
  ) {}

  send(exchange: Exchange): void {
    const { stop } = exchange.request;
    if (stop?.aborted) {
      settleWith(exchange, unsentError());
      return;
    }
    let idle = this.idle.pop();
    // One the receiver has begun to close (its 'close' not yet emitted) cannot carry a request;
    // nor one idle past the receiver's keep-alive timeout, which it may be closing just then.
    while (idle && (!idle.socket.writable || performance.now() >= idle.reuseUntil)) {
      if (idle.socket.writable) idle.destroy(new Error('idle past the keep-alive timeout'));
      idle = this.idle.pop();
    }
    if (idle) {
      idle.socket.ref();
      idle.start(exchange);
    } else if (this.all.size < this.max) this.open().start(exchange);
    else {
      exchange.queuedAt = performance.now();
      this.waiting.push(exchange);
      exchange.leave = () => {
        // Hint: one aborted meanwhile (`abortAll`) has left the queue already.
        const at = this.waiting.indexOf(exchange);
        if (at >= 0) this.waiting.splice(at, 1);
        settleWith(exchange, unsentError());
      };
      stop?.addEventListener('abort', exchange.leave, { once: true });
    }
  }

  private open(): Connection {
    const connection = new Connection(this, this.host, this.port);
    this.all.add(connection);
    return connection;
  }

  release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) connection.start(next);
    else {
      // An idle connection does not keep the process alive (as node:http's agent does).
      connection.socket.unref();
      const { idleMs } = connection;
      connection.reuseUntil = idleMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + idleMs;
      this.idle.push(connection);
    }
  }

  forget(connection: Connection): void {
    this.all.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    const next = this.shut ? undefined : this.waiting.shift();
    if (next) this.open().start(next);
  }

  abortAll(): void {
    this.aborted = true;
    for (const exchange of this.waiting.splice(0)) settleWith(exchange, new ExchangeError('ABORTED', 'aborted'));
    for (const connection of this.all) connection.destroy(new ExchangeError('ABORTED', 'aborted'));
  }

  close(): void {
    this.shut = true;
    for (const connection of this.all) connection.socket.destroy();
  }
}

/** The request's first line and headers up to the content-length's value, checked as node:http checks them. */
function requestPrefix(request: ExchangeRequest): string {
  const { url, headers } = request;
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (headers.host === undefined) head += `Host: ${url.host}\r\n`;
  for (const name in headers) {
    if (name === 'content-length') continue;
    const value = headers[name];
    if (value === undefined) continue;
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}Connection: keep-alive\r\nContent-Length: `;
}

/** Plain-http exchanges over pooled keep-alive sockets, `connections` per origin. */
export function createFastClient(connections: number) {
  const pools = new Map<string, Pool>();
  let aborted = false;
  // The head without its content-length is the same for every request of a run unless signed.
  let lastHeaders: Record<string, string> | undefined;
  let lastUrl = '';
  let lastPrefix = '';

  return {
    send(request: ExchangeRequest): Promise<ExchangeResponse> {
      return new Promise((resolve, reject) => {
        if (aborted) {
          reject(new ExchangeError('ABORTED', 'aborted'));
          return;
        }
        const { url } = request;
        let prefix: string;
        if (request.headers === lastHeaders && url.href === lastUrl) prefix = lastPrefix;
        else {
          try {
            prefix = requestPrefix(request);
          } catch (error) {
            reject(error);
            return;
          }
          lastHeaders = request.headers;
          lastUrl = url.href;
          lastPrefix = prefix;
        }
        // One buffer, one write: the head and the body leave in the same segment.
        const head = `${prefix}${request.body.length}\r\n\r\n`;
        const bytes = Buffer.allocUnsafe(head.length + request.body.length);
        bytes.write(head, 0, 'latin1');
        request.body.copy(bytes, head.length);
        const key = `${url.hostname}:${url.port}`;
        let pool = pools.get(key);
        if (!pool) {
          // Hint: URL keeps the brackets of an IPv6 literal; net wants the bare address.
          pool = new Pool(url.hostname.replace(/^\[(.*)\]$/, '$1'), Number(url.port) || 80, connections);
          pools.set(key, pool);
        }
        pool.send({ request, bytes, resolve, reject, settled: false, sent: false, chunks: [], size: 0, waitedMs: 0 });
      });
    },
    abortAll(): void {
      aborted = true;
      for (const pool of pools.values()) pool.abortAll();
    },
    close(): void {
      for (const pool of pools.values()) pool.close();
    },
  };
}
