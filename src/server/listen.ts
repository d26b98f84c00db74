/**
 * The receiver behind `callhook listen`: a node:http server that reads each delivery up to a
 * limit, checks its signature and its events (with the input layer `validate` uses), answers,
 * misbehaves on purpose when told, forwards, and captures; it reports every request to its
 * caller, which prints. Nothing here prints.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32 } from '../core/generate.js';
import { isoOf } from '../core/instant.js';
import { CallhookError, ExitCode } from '../errors.js';
import { redactUrl } from '../http/credentials.js';
import { bodilessStatuses, headOnlyStatuses } from '../http/names.js';
import {
  shownFromWire,
  type VerifyResult,
  verifyHexHmacWithKeys,
  verifyStandardWebhookWithKeys,
} from '../http/verify.js';
import { FingerprintSet } from '../input/fingerprint-set.js';
import type { Problem } from '../input/types.js';
import type { EventType } from '../schema/events.js';
import {
  type BodyEvents,
  type DeliveredEvent,
  problemJson,
  problemsKept,
  readBodyEventsFully,
  readBodyEventsQuickly,
} from './body-events.js';
import type { CaptureWriter } from './capture.js';
import { type ForwardAnswer, Forwarder, headerPairs, maxRelaying, UpstreamBusy } from './forward.js';
import { isRedelivery } from './render.js';

/** A fixed answer: a status code, or `reset` to reset the connection instead of answering. */
export type Answer = number | 'reset';

/** How the receiver behaves. */
export interface ListenSettings {
  host: string;
  port: number;
  /** Only this path is served (404 elsewhere); undefined serves any. */
  path: string | undefined;
  maxBodyBytes: number;
  /**
   * The bytes of bodies held at once, across requests (`bodyBudgetOf`); a body past it is
   * answered 503 with Retry-After.
   */
  bodyBudgetBytes: number;
  type: EventType | undefined;
  /** Answer 2xx to events that fail validation (they are still reported). */
  acceptInvalid: boolean;
  sign:
    | { scheme: 'standard'; keys: Buffer[]; toleranceSeconds: number }
    | { scheme: 'hmac'; keys: Buffer[]; header: string }
    | undefined;
  /** Answer every request so, whatever the checks found. */
  respond: Answer | undefined;
  /** The fraction of accepted deliveries answered `failCode` instead. */
  failRate: number;
  seed: number;
  failCode: Answer;
  /** Seconds, sent as Retry-After with the answers --respond and --fail-rate make. */
  retryAfter: number | undefined;
  delayMs: number;
  forward: { url: URL; insecure: boolean; timeoutMs: number } | undefined;
  /**
   * Whether what listen prints is not being read (its reader paused, a pager not scrolled): every
   * request is then answered 503 with Retry-After before any other check, as when too many
   * bodies are held, so that memory does not grow with the lines waiting (see `outputNotRead`).
   */
  outputWaiting?: (() => boolean) | undefined;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  capture: CaptureWriter | undefined;
}

/** One request as listen saw and answered it; the command prints it. */
export interface Delivery {
  /** When the answer was sent, epoch ms. */
  time: number;
  method: string;
  /** The request target as sent (untrusted: escape before printing). */
  path: string;
  /** The answer sent, or `reset`. */
  status: Answer;
  /** Listen's own verdict, when --respond, --fail-rate or --forward replaced it. */
  checkedStatus?: number | undefined;
  /**
   * What the upstream answered (--forward) a sender that had gone by then (`status` is 499: it got
   * nothing), or one answered 500 instead because its capture failed.
   */
  upstreamStatus?: number | undefined;
  /** What --respond or --fail-rate chose to answer a sender that had gone by then (`status` is 499: it got nothing). */
  meantStatus?: Answer | undefined;
  /** Why the answer is not 2xx, or what the sender was not told of a forwarded one, in a few words. */
  error?: string | undefined;
  bytes: number;
  /** The request's `webhook-id`, its first when given more than once. */
  webhookId: string | undefined;
  /** How many `webhook-id` headers the request had, when more than one. */
  webhookIdCount?: number | undefined;
  /** undefined when not checked (no --sign). */
  signature: VerifyResult | undefined;
  events: DeliveredEvent[];
  /** Elements that are not valid events. */
  invalid: number;
  /** The first problems found (syntax or schema errors). */
  problems: Problem[];
  /** The problems found past those: counted, not kept. */
  omittedProblems?: number | undefined;
  /** The webhook-id was seen earlier in this run. */
  repeatedWebhookId: boolean;
  /** Elements whose event id was seen earlier in this run (see `BodyEvents.repeated`). */
  repeatedEvents: number;
  /** The capture's body file name, with --out. */
  captured?: string | undefined;
  forwardError?: string | undefined;
}

/** Counts over the run, printed when listen stops. */
export interface ListenCounts {
  requests: number;
  byStatus: Record<string, number>;
  events: number;
  /** Requests marked a redelivery: a webhook-id or an event id of theirs was seen before (see `isRedelivery`). */
  redeliveries: number;
  /** Requests whose webhook-id was seen before. */
  repeatedWebhookIds: number;
  /** Elements whose event id was seen before. */
  repeatedEventIds: number;
  captured: number;
}

/** A running receiver. */
export interface Listener {
  /** `http://HOST:PORT/PATH`. */
  url: string;
  port: number;
  /** The address bound, as node reports it (`--host 127.1` or `localhost` binds `127.0.0.1`). */
  address: string;
  counts: ListenCounts;
  /** The bytes of bodies held now, across requests (at most their budget). */
  readonly heldBodyBytes: number;
  /** Stops accepting, lets the requests in flight finish (captures included), and resolves then. */
  stop(): Promise<void>;
  /** Ends every connection at once (a second Ctrl-C). */
  abort(): void;
}

/**
 * The budget of bytes of bodies held at once for a --max-body: room for this many of the largest.
 * Hint: each request may hold --max-body, so 200 slow senders of 5 MB each held 1 GB.
 */
export const bodyBudgetOf = (maxBodyBytes: number) => maxBodyBytes * 8;

const closedSignals = new WeakMap<Socket, AbortSignal>();

/**
 * A signal aborted once `socket` has closed (at once if it has), one for each connection, so that
 * the requests pipelined on it share one listener (one a request warned past ten).
 */
function connectionClosed(socket: Socket): AbortSignal {
  let signal = closedSignals.get(socket);
  if (signal === undefined) {
    const closed = new AbortController();
    // Hint: each relay of the connection waiting for one to the upstream listens to it, up to all of them.
    setMaxListeners(maxRelaying, closed.signal);
    if (socket.destroyed) closed.abort();
    else socket.once('close', () => closed.abort());
    signal = closed.signal;
    closedSignals.set(socket, signal);
  }
  return signal;
}

/**
 * Of each connection, the bytes it had read when its latest request ended (its body read or
 * drained): the packet that brought them ended there. Hint: where a head node:http refuses begins
 * is known only from this (see `refusedHeadStart`); one number a request, noted where its end is
 * heard anyway (hR85).
 */
const endedAt = new WeakMap<Socket, number>();
const noteEnd = (req: IncomingMessage) => endedAt.set(req.socket, req.socket.bytesRead);

/** The error of a request refused while listen's output is not read (`ListenSettings.outputWaiting`). */
export const outputNotRead = 'output not read';

/** The bytes of bodies held at once, across requests, and how many may be. */
interface BodyBudget {
  held: number;
  readonly limit: number;
}

/**
 * What one request holds of a `BodyBudget`: the bytes its body has sent. Hint: not its declared
 * length, which senders that declare the largest bodies and send nothing would hold for ever.
 */
class BodyHold {
  bytes = 0;
  constructor(private readonly budget: BodyBudget) {}

  /** Whether `total` bytes in all would fit now (nothing is held for them). */
  fits(total: number): boolean {
    return this.budget.held + total - this.bytes <= this.budget.limit;
  }

  /** Holds `total` bytes in all, when they fit; false when not. */
  growTo(total: number): boolean {
    if (!this.fits(total)) return false;
    this.budget.held += total - this.bytes;
    this.bytes = total;
    return true;
  }

  /** Gives back all it holds (again is harmless). */
  release(): void {
    this.budget.held -= this.bytes;
    this.bytes = 0;
  }
}

/** A request line: method and target (`POST /hook HTTP/1.1`). */
// The first line an HTTP/2 client sends on a connection (RFC 9113, 3.4): the method PRI is no HTTP/1.1 one.
const h2Preface = Buffer.from('PRI * HTTP/2.0\r\n');
// Hint: after any empty lines, which node:http skips before a request line, as RFC 9112 lets a server (hR87).
const requestLine = /^(?:\r?\n)*([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/\d/;
const allowedMethods = 'POST, PUT';
/** The scheme and authority of a request target in absolute form (`http://host:port`). */
const absoluteFormOrigin = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/;

/**
 * The path of a request target, without its query, as --path is matched against it. Hint: a
 * server must accept a target in absolute form (`POST http://host/hook`, RFC 9112 §3.2.2), whose
 * path is what follows its authority, or `/` when that is empty (§3.2.1). The path is taken as
 * sent, not normalised, as in origin form; the target itself is shown and captured as sent.
 */
function pathOf(target: string): string {
  const origin = absoluteFormOrigin.exec(target)?.[0];
  const local = origin === undefined ? target : target.slice(origin.length);
  const queryAt = local.indexOf('?');
  const path = queryAt < 0 ? local : local.slice(0, queryAt);
  return origin !== undefined && path === '' ? '/' : path;
}
/**
 * Whether a transfer coding is one listen reads: `chunked` alone. Hint: node:http refuses the body
 * of `identity` or `chunked;q=1` (not chunked to llhttp) once its head is handed over, so they are
 * refused with the other codings it does not read, before the body (RFC 9112 §6.1 has neither).
 */
const knownTransferCoding = (coding: string) => coding.trim().toLowerCase() === 'chunked';

interface Checked {
  status: number;
  /** The body was read, and is JSON. */
  json: boolean;
  error?: string | undefined;
  body: Record<string, unknown>;
  events: DeliveredEvent[];
  invalid: number;
  /** See `BodyEvents.repeated`. */
  repeated: number;
  problems: Problem[];
  omittedProblems: number;
}

/**
 * Reads the events of a body as `validate` reads a file, and decides the answer. Hint: a body
 * read in one go is decided at once, without a promise and a turn of the microtask queue.
 */
function checkEvents(body: Buffer, settings: ListenSettings, ids: FingerprintSet): Checked | Promise<Checked> {
  const options = { type: settings.type };
  const quick = readBodyEventsQuickly(body, options, ids);
  if (quick) return decide(quick, settings);
  return readBodyEventsFully(body, options, ids).then((found) => decide(found, settings));
}

/** The answer to a body's events. */
function decide(
  { events, problems, omittedProblems, invalid, repeated, syntax }: BodyEvents,
  settings: ListenSettings,
): Checked {
  const shown = problems.slice(0, problemsKept).map(problemJson);
  if (syntax) {
    return {
      status: 400,
      json: false,
      error: 'not JSON',
      body: { error: 'not-json', problems: shown },
      events,
      invalid,
      repeated,
      problems,
      omittedProblems,
    };
  }
  if (invalid > 0 && !settings.acceptInvalid) {
    return {
      status: 422,
      json: true,
      body: { error: 'invalid-events', invalid, problems: shown },
      events,
      invalid,
      repeated,
      problems,
      omittedProblems,
    };
  }
  return {
    status: 200,
    json: true,
    body: { ok: true, events: events.length },
    events,
    invalid,
    repeated,
    problems,
    omittedProblems,
  };
}

/**
 * Checks a delivery's signature. Hint: its timestamp is checked against `receivedAt`, the time
 * the capture records, not the clock when the check comes round (after the turn, and any slow
 * check ahead of it): so verify's verdict on the capture is the answer the sender got.
 */
function verify(
  body: Buffer,
  req: IncomingMessage,
  settings: ListenSettings,
  receivedAt: number,
): VerifyResult | undefined {
  const sign = settings.sign;
  if (!sign) return undefined;
  // Hint: headersDistinct keeps a repeated header as it came (req.headers joins it), so a
  // webhook-id given twice is told as such; it is built on first use, so only when signing. Its
  // values are a character a byte, as a receiver on node:http has them: the check reads them so.
  const headers = req.headersDistinct;
  // Hint: not tried re-serialised (see `reserialised`): a stranger's post must cost little more than its hashes.
  const { keys } = sign;
  return sign.scheme === 'standard'
    ? verifyStandardWebhookWithKeys(body, headers, { keys, toleranceSeconds: sign.toleranceSeconds, now: receivedAt })
    : verifyHexHmacWithKeys(body, headers, { keys, header: sign.header });
}

/**
 * The request's `webhook-id` (its first), read as its sender wrote it (see `shownFromWire`), and how
 * many it had when more than one. Hint: `req.headers` joins a repeated header with ", ", so only
 * a value holding a comma needs `headersDistinct` (built on first use) to tell one from two.
 */
function webhookIdsOf(req: IncomingMessage): Pick<Delivery, 'webhookId' | 'webhookIdCount'> {
  const value = req.headers['webhook-id'];
  if (value === undefined) return { webhookId: undefined };
  if (typeof value === 'string' && !value.includes(',')) return { webhookId: shownFromWire(value) };
  const given = req.headersDistinct['webhook-id'] ?? [];
  const first = given[0];
  return {
    webhookId: first === undefined ? undefined : shownFromWire(first),
    webhookIdCount: given.length > 1 ? given.length : undefined,
  };
}

const anyAddress = (host: string) => host === '0.0.0.0' || host === '::';
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Whether `host` is a loopback address (one no other machine reaches), in any form node binds or
 * reports: `[::1]`, `LOCALHOST`, `::ffff:127.0.0.1`. Hint: listen asks it of the address bound
 * (`Listener.address`), not of `--host` as typed, which may be a name or a short form (`127.1`).
 */
export const isLoopbackHost = (host: string) => isLoopback(plainAddress(host));

/**
 * An address as a URL or node writes it, compared plainly: no brackets, lower case, IPv4 not
 * mapped into IPv6 (which a URL writes in hex: `[::ffff:7f00:1]` is 127.0.0.1).
 */
const plainAddress = (host: string) =>
  host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1')
    .replace(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/, (_, high: string, low: string) => {
      const [h, l] = [Number.parseInt(high, 16), Number.parseInt(low, 16)];
      return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
    });

/**
 * Whether `url` names this server, given `--host` as `host` and bound to `address` (as node
 * reports it) and `port`: the same port over plain http, at that host name or address, or at a
 * name for it on this machine (`localhost` and `0.0.0.0` reach a loopback address; any loopback
 * address of its family reaches a server bound to all). Another name for the same address is not looked up.
 */
export function forwardsToItself(url: URL, host: string, address: string, port: number): boolean {
  if (url.protocol !== 'http:' || Number(url.port || 80) !== port) return false;
  const target = plainAddress(url.hostname);
  const bound = plainAddress(address);
  if (target === bound || target === plainAddress(host)) return true;
  // Hint: an IPv4 wildcard accepts no IPv6 connection ([::1], or [::], which reaches it), and
  // the IPv6 one (node binds it dual-stack) accepts both.
  if (bound === '0.0.0.0' && target.includes(':')) return false;
  if (anyAddress(bound)) return isLoopback(target) || anyAddress(target);
  return isLoopback(bound) && (target === 'localhost' || anyAddress(target));
}

/** How many Host headers a request's raw headers hold (names, then values). */
function hostHeaders(raw: readonly string[]): number {
  let count = 0;
  for (let at = 0; at < raw.length; at += 2) {
    // Hint: asked of every request: a name of another length is no Host, with no lower-casing.
    const name = raw[at] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

/**
 * What node:http itself answers to a request it gives up on (its default `clientError`
 * handling, which a `clientError` listener replaces): 431 headers too large, 413 chunk extensions
 * too large, 408 too slow, 400 anything else it cannot parse.
 */
function clientErrorStatus(code: string | undefined): number {
  return code === 'HPE_HEADER_OVERFLOW'
    ? 431
    : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
      ? 413
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
}

/** What a request node:http gave up on is told, a Problem as every refusal of listen's is. */
const clientErrors: Record<number, string> = {
  400: 'not-http',
  408: 'request-timeout',
  413: 'too-large',
  431: 'headers-too-large',
};

function clientErrorAnswer(code: string | undefined): string {
  const status = clientErrorStatus(code);
  const body = `${JSON.stringify({ error: clientErrors[status] })}\n`;
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Once a refused request's answer is out, closes its connection in stages (RFC 9112, section
 * 9.6) when node:http is closing it with that answer (`Connection: close`: the sender asked first
 * and was refused, or asked to close, or listen is stopping): node:http has half-closed it already
 * (a FIN, so a sender that waits sees the close at once); what a sender still sends of its body is
 * read and dropped, and the connection is closed fully when the body has ended or the sender has
 * closed, or by --request-timeout. Hint: node:http would close fully as soon as its FIN is out
 * (`destroySoon`), and a close with body bytes still arriving resets the connection, losing the
 * answer. A connection kept alive is left as it is: its body is drained, and it serves the next request.
 */
function closeAfterBody(req: IncomingMessage): void {
  const socket = req.socket;
  if (socket.writable || req.complete || socket.destroyed) return;
  socket.off('finish', socket.destroy);
  const close = () => socket.destroy();
  req.once('end', close);
  req.once('close', close);
}

/** Resets the connection (TCP RST) rather than closing it politely: what a crashed receiver does. */
function reset(socket: Socket | null): void {
  if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket?.destroy();
}

/**
 * The answer to a delivery listen failed to handle (its capture could not be written). Hint: why
 * is on listen's line; the sender, a stranger, is not told the local folder or error.
 */
const internalError = { error: 'internal', message: 'listen failed to handle the delivery; its output says why' };

/**
 * The headers that frame an answer of `status` whose body, when the status has one (see
 * `bodilessStatuses`), is `length` bytes, as node's flat list: none for a 204 or a 304, whose
 * answer ends with its head; `Content-Length: 0` for a 205; else the length.
 */
function framing(status: number, length: number): string[] {
  if (headOnlyStatuses.has(status)) return [];
  return ['content-length', String(bodilessStatuses.has(status) ? 0 : length)];
}

/** Answers `body` as JSON, or with no body at all for a status that has none (see `bodilessStatuses`). */
function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = bodilessStatuses.has(status) ? undefined : `${JSON.stringify(body)}\n`;
  // Hint: the headers as node's flat list, without an object spread per answer.
  const headers = framing(status, text === undefined ? 0 : Buffer.byteLength(text));
  if (text !== undefined) headers.push('content-type', 'application/json');
  for (const name in extra) headers.push(name, extra[name] as string);
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * Reads a request's body up to `limit` bytes, held in `hold`; past the limit (413) or past what
 * `hold` can take (503), resolves that status at once and gives back what was held, without
 * keeping what follows (the caller answers, and what follows is dropped as it comes).
 */
function readBody(req: IncomingMessage, limit: number, hold: BodyHold): Promise<Buffer | 413 | 503> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      const refused = size > limit ? 413 : hold.growTo(size) ? undefined : 503;
      if (refused !== undefined) {
        // The rest is dropped as it comes (the caller answers and reads on; see `refuse`).
        req.off('data', onData);
        chunks.length = 0;
        hold.release();
        resolve(refused);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      noteEnd(req);
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    });
    // Hint: node:http answers itself (see `giveUp`) when --request-timeout passes (408) or the
    // body's framing cannot be parsed (a bad chunk: 400), and destroys the socket with that error;
    // the request then ends as a sender that went away does.
    const gone = () => {
      const error = req.socket?.errored as (NodeJS.ErrnoException & { reason?: string }) | null | undefined;
      const code = error?.code;
      if (code === 'ERR_HTTP_REQUEST_TIMEOUT') reject(new RefusedByHttp(408, 'request timeout'));
      else if (refusedByHttp(code)) {
        const why = error?.reason ?? error?.message;
        reject(new RefusedByHttp(clientErrorStatus(code), `the body is not valid HTTP framing: ${why}`));
      } else reject(new ConnectionGone(req.socket));
    };
    req.once('error', gone);
    req.once('close', () => {
      if (!req.complete) gone();
    });
  });
}

/**
 * Whether node:http gave up on a request with this error, which listen answers and closes the
 * connection on (see `giveUp`): a head or a body's framing it cannot parse, or too slow (408).
 * Hint: the stream ending mid-request (HPE_INVALID_EOF_STATE) is a sender gone, not bad framing.
 */
const refusedByHttp = (code: string | undefined) =>
  code === 'ERR_HTTP_REQUEST_TIMEOUT' || (code?.startsWith('HPE_') === true && code !== 'HPE_INVALID_EOF_STATE');

/**
 * Who closed a connection before its answer: the sender when its side ended (a FIN) or failed (a
 * reset); otherwise listen itself (a second Ctrl-C, a reset of a request before on it, or a
 * request node:http gave up on, whose error the connection holds then).
 */
function closer(socket: Socket): string {
  const error = socket.errored as NodeJS.ErrnoException | null;
  return socket.readableEnded || (error && !refusedByHttp(error.code)) ? 'the sender' : 'listen';
}

/** Why a request got no answer: `who` (see `closer`) closed its connection first. */
const closedBeforeAnswer = (who: string) => `${who} closed the connection before the answer`;

/** The connection closed before the end of the body: nobody is left to answer. */
class ConnectionGone extends Error {
  constructor(socket: Socket) {
    super(`${closer(socket)} closed the connection before the end of the body`);
  }
}

/**
 * node:http gave up on the body and answered the request itself: 408 the sender did not send it
 * within --request-timeout, 400 (or 413) its framing could not be parsed.
 */
class RefusedByHttp extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the receiver; `onDelivery` hears of every request once it is answered. */
export async function startListener(
  settings: ListenSettings,
  onDelivery: (delivery: Delivery) => void,
): Promise<Listener> {
  const ids = new FingerprintSet();
  const webhookIds = new FingerprintSet();
  const random = mulberry32(settings.seed);
  const aborting = new AbortController();
  // Hint: each answer --delay holds back listens on this signal until it is sent (and stops
  // listening then), so many at once are no leak; node would warn past 10 on stderr.
  setMaxListeners(0, aborting.signal);
  const forwarder = settings.forward ? new Forwarder({ ...settings.forward, signal: aborting.signal }) : undefined;
  const counts: ListenCounts = {
    requests: 0,
    byStatus: {},
    events: 0,
    redeliveries: 0,
    repeatedWebhookIds: 0,
    repeatedEventIds: 0,
    captured: 0,
  };
  const inFlight = new Set<Promise<void>>();
  /** Each open connection, with the answers it awaits (none: idle, or its headers still coming). */
  const connections = new Map<Socket, Set<ServerResponse>>();
  /** stop() was called: every answer from now on closes its connection. */
  let closing = false;
  const continueAsked = new WeakSet<IncomingMessage>();
  /** Requests that asked for an expectation other than 100-continue (node:http answered them 417 unseen). */
  const expectationFailed = new WeakSet<IncomingMessage>();
  /**
   * Each connection's latest answer: the one that closes it when stopping, and to tell whether
   * node:http may still write one of its own.
   */
  const lastAnswers = new WeakMap<Socket, ServerResponse>();
  /**
   * Requests that arrived behind an answer that closes their connection (a refusal that closes
   * it, or any answer once listen is stopping): node:http drops the answers queued behind it, so
   * theirs would never be sent. Hint: RFC 9112 §9.6, a server that sends `close` processes no
   * further request; one is reported and saved as a connection listen closed, never as answered.
   */
  const unanswerable = new WeakSet<ServerResponse>();

  /**
   * Settles at the end of this turn of the event loop: in the check phase, after the turn's I/O
   * callbacks. Hint: the deliveries whose bodies ended in one turn are then checked, saved (one
   * commit) and answered together, stage by stage, rather than each between the reads of the
   * others: each stage's code stays in the processor's caches (under load, listen spent ~10% less
   * CPU per request so, when this was measured). They resume in arrival order; see `slowCheck`.
   */
  let turnEnd: Promise<void> | undefined;
  /**
   * The decision on the last body read the slow way (see `checkEvents`) while it is being made.
   * Hint: a delivery after it waits for it (and for one begun meanwhile by a delivery ahead of
   * it) before its own check, so deliveries are checked (their event ids taken), saved and shown
   * in arrival order. Without it, one read the quick way overtook it, and the first of two with
   * one event id was marked the redelivery.
   */
  let slowCheck: Promise<void> | undefined;
  const endOfTurn = (): Promise<void> =>
    (turnEnd ??= new Promise((resolve) =>
      setImmediate(() => {
        turnEnd = undefined;
        resolve();
      }),
    ));

  const report = (delivery: Delivery) => {
    counts.requests++;
    counts.byStatus[String(delivery.status)] = (counts.byStatus[String(delivery.status)] ?? 0) + 1;
    counts.events += delivery.events.length;
    if (isRedelivery(delivery)) counts.redeliveries++;
    if (delivery.repeatedWebhookId) counts.repeatedWebhookIds++;
    counts.repeatedEventIds += delivery.repeatedEvents;
    if (delivery.captured) counts.captured++;
    onDelivery(delivery);
  };

  const budget: BodyBudget = { held: 0, limit: settings.bodyBudgetBytes };

  const handle = async (req: IncomingMessage, res: ServerResponse, hold: BodyHold): Promise<void> => {
    const method = req.method ?? '';
    const target = req.url ?? '';
    const base: Delivery = {
      time: 0,
      method,
      path: target,
      status: 0,
      bytes: 0,
      ...webhookIdsOf(req),
      signature: undefined,
      events: [],
      invalid: 0,
      problems: [],
      repeatedWebhookId: false,
      repeatedEvents: 0,
    };
    const refuse = (status: number, error: string, extra: Record<string, string> = {}, close = false) => {
      req.resume();
      req.once('end', () => noteEnd(req));
      if (unanswerable.has(res)) {
        return report({
          ...base,
          time: Date.now(),
          status: 499,
          checkedStatus: status,
          error: closedBeforeAnswer('listen'),
        });
      }
      // Hint: node:http writes `Connection: close` itself then, and the requests behind see it (see `unanswerable`).
      if (close) res.shouldKeepAlive = false;
      sendJson(res, status, { error: error.replace(/ /g, '-') }, extra);
      // A refused body is read and dropped, however large (within --request-timeout), so the
      // sender gets the answer and the connection can serve the next request. Hint: closing with
      // the body still coming resets the connection, and a sender still sending loses the answer
      // (fetch does); a reset, unlike a 413, also reads as worth retrying. `close`: the sender
      // asked first (Expect: 100-continue) and was refused, so no body should follow and the
      // connection closes once the answer is out; but HTTP lets a sender send its body without
      // waiting, so such a close is staged (see `closeAfterBody`) and the body drained as well.
      res.once('finish', () => closeAfterBody(req));
      report({ ...base, time: Date.now(), status, error });
    };

    // Hint: a sender that asks first (Expect: 100-continue) is told to go on only once the request
    // passed every check made before its body; one refused before it never sends the body.
    const asked = continueAsked.has(req);
    // The platform and replay retry a 503 after Retry-After; a sender that asked first sends nothing.
    const busy = { 'retry-after': '1' };
    // Hint: before any other check, while node:http has read nothing behind the head. A
    // Transfer-Encoding whose last coding is not chunked (an empty one too) leaves the body's
    // length unknown (RFC 9112 §6.3), and node:http read it as none: what followed the head was
    // taken for the next request, and a delivery smuggled in the body was answered 200 and saved
    // (red team hR122). Refused, the connection closes, and a request read behind it is answered
    // nothing (see `unanswerable`). One of HTTP/1.0 is taken, its connection closed after (§6.1).
    // Hint: a request line of another version (`HTTP/2.0`, or none, which node:http reads as 0.9)
    // is not HTTP/1.x framing either: `POST / HTTP/2.0` with no Host was taken, 200 (hR122).
    if (req.httpVersion !== '1.1' && req.httpVersion !== '1.0') {
      return refuse(505, 'http version not supported', {}, true);
    }
    const transfer = req.headers['transfer-encoding'];
    if (transfer !== undefined && !knownTransferCoding(transfer.split(',').at(-1) ?? '')) {
      return refuse(501, 'unsupported transfer coding', {}, true);
    }
    if (transfer !== undefined && req.httpVersion === '1.0') res.shouldKeepAlive = false;
    // Hint: first, for any request: one refused otherwise meanwhile (a flood of 405s) would be
    // drawn, its line waiting too (review hR57), or hidden though listen's checks took it (hR61).
    if (settings.outputWaiting?.()) return refuse(503, outputNotRead, busy, asked);
    if (expectationFailed.has(req)) return refuse(417, 'expectation failed', {}, true);
    // Hint: RFC 9112 §3.2: an HTTP/1.1 request with no Host, or more than one, gets 400. node:http
    // answered the first itself, unseen and with no body (see `requireHostHeader`), and took the second.
    const hosts = hostHeaders(req.rawHeaders);
    if (hosts > 1) return refuse(400, 'repeated host', {}, asked);
    if (hosts === 0 && req.httpVersion === '1.1') return refuse(400, 'missing host', {}, asked);
    const path = pathOf(target);
    if (settings.path !== undefined && path !== settings.path) return refuse(404, 'not found', {}, asked);
    if (method !== 'POST' && method !== 'PUT') {
      return refuse(405, 'method not allowed', { allow: allowedMethods }, asked);
    }
    // Hint: node:http refuses a Content-Length that is not a number, so NaN is none (chunked, or no body).
    const declared = Number(req.headers['content-length']) || 0;
    if (declared > settings.maxBodyBytes) return refuse(413, 'too large', {}, asked);
    // Hint: a compressed body is neither JSON nor the bytes a signature covers; RFC 9110 §15.5.16.
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      return refuse(415, 'unsupported content encoding', { 'accept-encoding': 'identity' }, asked);
    }
    // Hint: node:http undoes the chunks of "gzip, chunked" and hands over the gzip bytes (another
    // coding last is refused above); RFC 9112 §6.1 and nginx answer a coding not understood 501.
    if (transfer?.split(',').some((coding) => !knownTransferCoding(coding))) {
      return refuse(501, 'unsupported transfer coding', {}, asked);
    }
    // A body declared too large for what is left is refused before it is sent (or read).
    if (!hold.fits(declared)) return refuse(503, 'too many bodies at once', busy, asked);
    if (asked) res.writeContinue();
    const body = await readBody(req, settings.maxBodyBytes, hold);
    if (body === 413) return refuse(413, 'too large');
    if (body === 503) return refuse(503, 'too many bodies at once', busy);
    base.bytes = body.length;
    const receivedAt = Date.now();
    await endOfTurn();
    while (slowCheck) await slowCheck;

    const signature = verify(body, req, settings, receivedAt);
    let checked: Checked;
    if (signature && !signature.ok) {
      const { reason, message, skewSeconds } = signature;
      checked = {
        status: 401,
        json: false,
        error: `signature: ${reason}`,
        body: { error: 'bad-signature', reason, message, ...(skewSeconds === undefined ? {} : { skewSeconds }) },
        events: [],
        invalid: 0,
        repeated: 0,
        problems: [],
        omittedProblems: 0,
      };
    } else {
      const decided = checkEvents(body, settings, ids);
      if (decided instanceof Promise) {
        const made = decided.then(
          () => {},
          () => {},
        );
        slowCheck = made;
        void made.then(() => {
          if (slowCheck === made) slowCheck = undefined;
        });
        checked = await decided;
      } else checked = decided;
    }

    const webhookId = base.webhookId;
    const repeatedId = webhookId !== undefined && webhookId !== '' && !webhookIds.add(webhookId);
    let status: Answer = checked.status;
    let extra: Record<string, string> = {};
    let answerBody: unknown = checked.body;
    let misbehaved = false;
    if (settings.respond !== undefined) {
      status = settings.respond;
      misbehaved = true;
    } else if (checked.status < 300 && settings.failRate > 0 && random() < settings.failRate) {
      status = settings.failCode;
      misbehaved = true;
    }
    if (misbehaved) {
      // Hint: with the body the OpenAPI document describes for its status (an Accepted below 300,
      // a Problem from there), `checked` saying what listen's own checks gave.
      answerBody =
        status !== 'reset' && status < 300
          ? { ok: true, events: checked.events.length, checked: checked.status }
          : { error: 'misbehaving', checked: checked.status };
      if (settings.retryAfter !== undefined) extra = { 'retry-after': String(settings.retryAfter) };
    }

    let forwarded: ForwardAnswer | undefined;
    let forwardError: string | undefined;
    // Hint: not one that will get no answer (see `unanswerable`): its sender sends it again, and
    // the upstream would have it twice.
    if (forwarder && !misbehaved && checked.status < 300 && !unanswerable.has(res)) {
      // Hint: a sender gone while its relay waits for a connection sends it again: not relayed.
      // Its connection's close says so: a response queued behind another (pipelined) hears none
      // of its own (review hR61); and one gone already is so before the relay is asked for.
      try {
        forwarded = await forwarder.relay(req, body, connectionClosed(req.socket));
        status = forwarded.status;
      } catch (error) {
        forwardError = (error as Error).message;
        if (error instanceof UpstreamBusy) {
          // As for too many bodies at once: the sender tries again after a second.
          status = 503;
          extra = busy;
          answerBody = { error: 'upstream-busy' };
        } else {
          status = 502;
          // Hint: why is on the line, as for the 500: the sender, a stranger, is not told the
          // upstream's internal address (`connect ECONNREFUSED 10.0.0.7:8080`, `ENOTFOUND`).
          answerBody = {
            error: 'upstream-failed',
            message: 'listen could not relay the delivery to its upstream; its output says why',
          };
        }
      }
    }

    // A --delay holds the answer back before the capture, so the description saved says what
    // became of it. A second Ctrl-C cuts it short: the connection is gone by then anyway.
    if (settings.delayMs > 0) await sleep(settings.delayMs, undefined, { signal: aborting.signal }).catch(() => {});
    // Hint: those held by --delay or --forward are saved and answered together again.
    if (settings.delayMs > 0 || forwarder) await endOfTurn();
    // Hint: a connection closed by now gets no answer, and is reported as one gone mid-body is,
    // naming who closed it (see `closer`).
    const socket = req.socket;
    const closedHere = unanswerable.has(res);
    const gone = closedHere || !socket.writable;
    const meantStatus = gone && misbehaved ? status : undefined;
    if (gone) status = 499;
    // The upstream has the delivery all the same: what it answered is kept, or why the relay
    // failed (the 502 that said so is not sent).
    let upstreamStatus = gone ? forwarded?.status : undefined;
    const forwardFailed = forwardError === undefined ? '' : `; forwarding failed: ${forwardError}`;

    let captured: string | undefined;
    // Why the delivery could not be saved (it is answered 500).
    let unsaved: string | undefined;
    // Hint: saved after the relay, not before: what the upstream answered is the answer the log
    // records, and decides whether the body is one of the folder's events (`.ndjson`) or not.
    if (settings.capture) {
      try {
        const saved = await settings.capture.save(
          body,
          {
            receivedAt: isoOf(receivedAt),
            method,
            path: target,
            headers: headerPairs(req.rawHeaders),
            status: status === 'reset' ? 0 : status,
            upstreamStatus,
            meantStatus: meantStatus === 'reset' ? 0 : meantStatus,
            checkedStatus: status === checked.status ? undefined : checked.status,
            forwardError,
            tolerance: settings.sign?.scheme === 'standard' ? settings.sign.toleranceSeconds : undefined,
          },
          checked.json,
        );
        captured = saved.body;
      } catch (error) {
        unsaved = (error as Error).message;
        // A capture that cannot be written must not be answered 2xx: the sender keeps the delivery,
        // and sends it again. Hint: the upstream has it already, and will have it again (a
        // redelivery its webhook-id marks), so the line says what it answered.
        if (!gone) {
          status = 500;
          upstreamStatus = forwarded?.status;
        }
      }
    }
    // Nobody is left to answer a sender gone.
    if (!gone) {
      if (unsaved !== undefined) sendJson(res, 500, internalError);
      else if (status === 'reset') reset(req.socket);
      else if (forwarded) {
        // Hint: a 204 must not carry a Content-Length, and a 304's would describe another body (RFC 9110 §8.6);
        // a 205 has none to relay.
        const headers = [...forwarded.headers.flat(), ...framing(forwarded.status, forwarded.body.length)];
        res.writeHead(forwarded.status, headers);
        res.end(bodilessStatuses.has(forwarded.status) ? undefined : forwarded.body);
      } else sendJson(res, status, answerBody, extra);
    }

    // Hint: the delivery is written out field by field, not spread from `base`: a spread and its
    // overrides cost more per request than the rest of this function in the profile under load.
    report({
      time: Date.now(),
      method,
      path: target,
      status,
      upstreamStatus,
      meantStatus,
      checkedStatus: status === checked.status ? undefined : checked.status,
      error: gone
        ? `${closedBeforeAnswer(closedHere ? 'listen' : closer(socket))}${unsaved === undefined ? '' : `; ${unsaved}`}${forwardFailed}`
        : unsaved !== undefined
          ? `${unsaved}${forwardFailed}`
          : (forwarded?.note ??
            (status !== 'reset' && status >= 200 && status < 300 ? undefined : (forwardError ?? checked.error))),
      bytes: body.length,
      webhookId,
      webhookIdCount: base.webhookIdCount,
      signature,
      events: checked.events,
      invalid: checked.invalid,
      problems: checked.problems,
      omittedProblems: checked.omittedProblems,
      repeatedWebhookId: repeatedId,
      repeatedEvents: checked.repeated,
      captured,
      forwardError,
    });
  };

  const server: Server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Hint: refused by listen's own checks instead, shown and counted (see `hostHeaders`).
      requireHostHeader: false,
      // Hint: node:http checks those deadlines only this often (30 s unless told), so a short
      // timeout needs a shorter interval to mean anything.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(settings.headersTimeoutMs / 4))),
    },
    (req, res) => {
      const handling = connections.get(req.socket);
      handling?.add(res);
      // A request pipelined behind an answer that closes the connection, or behind one such, gets none.
      const previous = lastAnswers.get(req.socket);
      // Hint: finished or not: a closing answer owed first is written at once, and node:http still
      // hands on the requests it had read behind it (hR48).
      if (previous && (unanswerable.has(previous) || !previous.shouldKeepAlive)) {
        unanswerable.add(res);
      }
      // Hint: node:http keeps a connection alive after close(), so a sender that keeps it busy
      // would keep listen from stopping; the answer says Connection: close instead.
      if (closing) res.shouldKeepAlive = false;
      lastAnswers.set(req.socket, res);
      // Hint: one promise settles the request either way (a .catch and a .finally made two more
      // per request, with their turns of the microtask queue).
      const hold = new BodyHold(budget);
      const done: Promise<void> = handle(req, res, hold).then(
        () => {
          hold.release();
          inFlight.delete(done);
          // Hint: a refused body is still being read and dropped after its answer; until it ends,
          // stop() holds the connection to --request-timeout, as for any request still coming.
          if (req.complete) handling?.delete(res);
          else req.once('close', () => handling?.delete(res));
        },
        (error: unknown) => {
          // Hint: what the body sent is what it holds (a whole body whose handling failed, or the
          // part read before a timeout or a close), so that is read before it is given back.
          const bytes = hold.bytes;
          hold.release();
          inFlight.delete(done);
          handling?.delete(res);
          // Hint: 499 is nginx's "client closed request": no answer was sent, nobody was there.
          const refused = error instanceof RefusedByHttp ? error.status : undefined;
          const gone = refused !== undefined || error instanceof ConnectionGone;
          // node:http's answer to a request behind one that closes the connection is never sent.
          const unsent = refused !== undefined && unanswerable.has(res);
          if (gone || res.headersSent) res.destroy();
          else sendJson(res, 500, internalError);
          report({
            time: Date.now(),
            method: req.method ?? '',
            path: req.url ?? '',
            status: unsent ? 499 : (refused ?? (gone ? 499 : 500)),
            checkedStatus: unsent ? refused : undefined,
            error: unsent ? closedBeforeAnswer('listen') : (error as Error).message,
            bytes,
            ...webhookIdsOf(req),
            signature: undefined,
            events: [],
            invalid: 0,
            problems: [],
            repeatedWebhookId: false,
            repeatedEvents: 0,
          });
        },
      );
      inFlight.add(done);
    },
  );
  server.on('connection', (socket: Socket) => {
    connections.set(socket, new Set());
    socket.once('close', () => connections.delete(socket));
  });
  // Hint: node:http answers a request it gives up on (408 past --request-timeout) whenever no
  // part of an answer is being written, and a refused body drained after its answer (see
  // `refuse`) has none in progress: node would add a 408 after the 404 or 413, two answers to one
  // request. That connection is closed instead (the sender has its answer), as is one whose
  // answer is still being written; every other one gets node's own answer, after the answers
  // owed to the requests pipelined ahead of the one it refuses (a bad head, or the body still
  // coming: the one request on the connection not received whole).
  const givenUp = new WeakSet<Socket>();
  const giveUp = (error: NodeJS.ErrnoException, socket: Socket) => {
    if (givenUp.has(socket)) return;
    // Hint: the bytes read when it failed, not when its answer can be sent: node reads on meanwhile (hR87).
    const readAt = socket.bytesRead;
    // Hint: node:http sends its answer at once, so a sender read it as the answer to a delivery
    // ahead of the refused request, still being checked, and that delivery's own answer was never sent.
    const owed = [...(connections.get(socket) ?? [])].filter((res) => !res.writableFinished && res.req.complete);
    if (owed.length > 0) {
      givenUp.add(socket);
      let left = owed.length;
      for (const res of owed) res.once('close', () => --left === 0 && refuseHead(error, socket, readAt));
      return;
    }
    refuseHead(error, socket, readAt);
  };
  const refuseHead = (error: NodeJS.ErrnoException, socket: Socket, readAt: number) => {
    const last = lastAnswers.get(socket);
    const answering = last?.headersSent === true && (!last.writableFinished || !last.req.complete);
    // Hint: a sender whose side ended mid-request (a FIN) has left, as the 499 on its line says.
    const left = error.code === 'HPE_INVALID_EOF_STATE';
    // Hint: behind an answer that closes the connection, a request gets none (RFC 9112 §9.6), as
    // one node:http hands on gets none (see `unanswerable`): node:http refused what followed a
    // request that asked to close ("Data after Connection: close"), and its 400 was a second
    // answer, to a valid delivery too (red team hR122). Shown as one listen closed the connection on.
    const closed = error.code === 'HPE_CLOSED_CONNECTION';
    if (!answering && !left && socket.writable) {
      if (!closed) socket.write(clientErrorAnswer(error.code));
      reportRefusedHead(error, socket, readAt, closed);
    }
    socket.destroy(error);
  };
  /**
   * Reports a request node:http refused before handing it over (a head it cannot parse, headers
   * too large or too slow), which would otherwise be answered but never shown or counted. Not a
   * connection that sent nothing, nor a request whose body was being read (it reports itself).
   * `readAt`: the bytes the connection had read when node:http refused it.
   */
  const reportRefusedHead = (
    error: NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number; reason?: string },
    socket: Socket,
    readAt: number,
    unanswered: boolean,
  ) => {
    const code = error.code;
    const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (!refusedByHttp(code)) return;
    if (readAt === 0) return;
    for (const res of connections.get(socket) ?? []) if (!res.req.complete) return;
    const packet = error.rawPacket;
    // A TLS record of a handshake begins 0x16 0x03: the sender was given https:// for listen's http://.
    const tls = readAt === packet?.length && packet[0] === 0x16 && packet[1] === 0x03;
    // Hint: an HTTP/2 client that assumes the server speaks it (h2c with prior knowledge) opens
    // the connection with its preface, on which node:http stops at once; its first line, `PRI *
    // HTTP/2.0`, is no HTTP/1.1 request's to name it by.
    const h2 = packet?.subarray(0, h2Preface.length).equals(h2Preface) === true;
    const headStart =
      packet === undefined || h2 ? undefined : refusedHeadStart(packet, error.bytesParsed, socket, readAt);
    const line =
      headStart === undefined
        ? null
        : requestLine.exec(packet?.subarray(headStart, headStart + 8192).toString('latin1') ?? '');
    report({
      time: Date.now(),
      method: line?.[1] ?? '',
      path: shownFromWire(line?.[2] ?? ''),
      status: unanswered ? 499 : clientErrorStatus(code),
      checkedStatus: unanswered ? clientErrorStatus(code) : undefined,
      error: unanswered
        ? closedBeforeAnswer('listen')
        : timeout
          ? 'request timeout, before the end of the headers'
          : tls
            ? 'a TLS handshake: the sender was given https://, but listen speaks plain http://'
            : h2
              ? 'an HTTP/2 connection preface: the sender speaks HTTP/2, but listen speaks HTTP/1.1'
              : `the request's head is not valid HTTP: ${error.reason ?? error.message}`,
      bytes: 0,
      webhookId: undefined,
      signature: undefined,
      events: [],
      invalid: 0,
      problems: [],
      repeatedWebhookId: false,
      repeatedEvents: 0,
    });
  };
  /**
   * Where in `packet`, the bytes node:http failed on at `bytesParsed`, the head it refused begins,
   * when that is known: at the packet's start when the packet begins where the connection's latest
   * request ended (or the connection, when none came before); after the last blank line before
   * the failure when the latest request has no body and ended in this packet. Hint: not otherwise,
   * so that it is never named by the request line of another, nor by text inside a body (a
   * Content-Length body has no blank line after it) or a header value (a packet may begin inside
   * the refused head) (hR82). Hint: node:http does not say where in its packet a request ended, so
   * a head begun behind the latest request in that packet (pipelined) and refused in the next is
   * named by that next packet's start, text of its own; a keep-alive client sends none such (hR85).
   */
  const refusedHeadStart = (
    packet: Buffer,
    bytesParsed: number | undefined,
    socket: Socket,
    readAt: number,
  ): number | undefined => {
    const latest = lastAnswers.get(socket)?.req;
    const packetAt = readAt - packet.length;
    if (latest === undefined) return packetAt === 0 ? 0 : undefined;
    // Hint: a request ended in this packet hears its end only once node:http has parsed the
    // packet, after the failure; until then `endedAt` is that of the request before it.
    const ended = latest.readableEnded ? endedAt.get(socket) : readAt;
    if (ended === packetAt) return 0;
    const { headers } = latest;
    const bodiless = headers['transfer-encoding'] === undefined && Number(headers['content-length'] ?? 0) === 0;
    if (!bodiless || ended !== readAt) return undefined;
    // Hint: a blank line that ends where parsing failed ends the head before, so the refused head
    // begins there; a negative offset would count from the end.
    const from = (bytesParsed ?? packet.length) - 4;
    const headEnd = from < 0 ? -1 : packet.lastIndexOf('\r\n\r\n', from);
    return headEnd < 0 ? undefined : headEnd + 4;
  };
  server.on('clientError', giveUp);
  // Hint: node:http hands a CONNECT over as a tunnel to open, and drops the connection when
  // nobody takes it: the sender got no answer, and listen showed and counted nothing. It is
  // answered as any request (405, or 404 off --path) on a response of its own, and the
  // connection closed once that answer is out: what the sender sends after the head would be
  // the tunnel's bytes, which node:http no longer reads as requests.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    // Hint: node:http took its own error listener off this socket: a sender's reset, with none,
    // was an uncaught error that ended listen.
    socket.on('error', () => socket.destroy());
    // Hint: a CONNECT sent behind a request still owed its answer waits until node has let go of
    // that answer's socket: a socket holds one answer at a time (assigning a second threw
    // ERR_HTTP_SOCKET_ASSIGNED, uncaught, ending listen). Node lets go once the answer is written.
    const answer = (waited = 0) => {
      if (socket.destroyed) return;
      const owed = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (owed) {
        if (waited >= 100) socket.destroy();
        else if (owed.writableFinished) setImmediate(() => answer(waited + 1));
        else owed.once('finish', () => setImmediate(() => answer(waited + 1)));
        return;
      }
      const res = new ServerResponse(req);
      res.assignSocket(socket);
      res.shouldKeepAlive = false;
      res.once('finish', () => socket.destroySoon());
      server.emit('request', req, res);
    };
    answer();
  });
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    continueAsked.add(req);
    server.emit('request', req, res);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    expectationFailed.add(req);
    server.emit('request', req, res);
  });
  // Slow senders cannot hold a connection open for ever: headers and the whole request are timed
  // (above), and an idle keep-alive connection is closed after this.
  server.keepAliveTimeout = 5_000;
  // Hint: node:http drops the headers past its count limit without a word, so a webhook-id sent
  // late went unseen and uncaptured; the 16 KiB limit on a head still bounds them.
  server.maxHeadersCount = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  if (settings.forward && forwardsToItself(settings.forward.url, settings.host, address, port)) {
    await new Promise((resolve) => server.close(resolve));
    throw new CallhookError(
      `--forward ${redactUrl(settings.forward.url.href)} is this listen itself: each delivery would be relayed back to it`,
      ExitCode.usage,
    );
  }
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${port}${settings.path ?? '/'}`,
    port,
    address,
    counts,
    get heldBodyBytes() {
      return budget.held;
    },
    stop() {
      stopping ??= (async () => {
        closing = true;
        // Hint: only each connection's latest answer closes it (one already written leaves it idle,
        // and closed as such; it keeps what it said, which `unanswerable` reads): node:http drops
        // the answers queued behind one that closes, however ready, so requests pipelined behind
        // it would never be answered.
        for (const socket of connections.keys()) {
          const latest = lastAnswers.get(socket);
          if (latest && !latest.headersSent) latest.shouldKeepAlive = false;
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Hint: a keep-alive connection that goes idle after its last answer is closed then too.
        // node:http stops enforcing --header-timeout and --request-timeout once closed, so they
        // are enforced here: a sender stalling its headers or dripping its body cannot hold
        // listen open for ever.
        const stoppedAt = Date.now();
        const idle = setInterval(() => {
          server.closeIdleConnections();
          const waited = Date.now() - stoppedAt;
          for (const [socket, answers] of connections) {
            const tooSlow =
              answers.size === 0
                ? waited > settings.headersTimeoutMs
                : waited > settings.requestTimeoutMs && [...answers].some((res) => !res.req.complete);
            // Answered and reported as node:http does it before stop() (408, a request timeout).
            if (tooSlow)
              giveUp(Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
          }
        }, 50);
        try {
          while (inFlight.size > 0) await Promise.all([...inFlight]);
          await closed;
        } finally {
          clearInterval(idle);
          await forwarder?.close();
        }
      })();
      return stopping;
    },
    abort() {
      aborting.abort();
      server.closeAllConnections();
    },
  };
}
