/** The closed sets of delivery, apart from the code that uses them so the CLI can list them cheaply. */

import { isSecretHeader } from './credentials.js';

/** One character of an HTTP header name (RFC 9110's tchar). */
const tokenCharacter = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
/** A quote, kept from a shell or CI line where a header name was typed (see `headerLineParts`). */
export const hasQuote = /["'`]/;
/**
 * Whether a credential's value (of the header `name`) holds a quote kept from a shell or CI line:
 * one that begins it or a word of it (`'Bearer x'`, `Bearer "x"`), or one that ends it and is not
 * closing one opened before it (`abc'`). A cookie's quoted value (`sid="abc"`) is no such quote.
 */
function keptQuote(name: string, value: string): boolean {
  if (!isSecretHeader(name)) return false;
  if (/(?:^|\s)["'`]/.test(value)) return true;
  const last = value.at(-1) ?? '';
  return hasQuote.test(last) && !value.slice(0, -1).includes(last);
}
/** The characters of an HTTP header name (RFC 9110's token). */
export const headerNameCharacters = new RegExp(`^${tokenCharacter}+$`);
// Hint: the value is one run, its blanks at the ends taken off by `withoutBlanks`: blanks matched
// on either side of a lazy value (`[ \t]*(.*?)[ \t]*$`) were tried at every split when the line
// did not end there (a CR after them): cubic, 27 s for 4,000 blanks (hT61).
const headerLinePattern = new RegExp(`^(${tokenCharacter}+)([ \\t]*):([^\\r\\n\\u2028\\u2029]*)$`);

/** `text` without the spaces and tabs at its ends: HTTP's optional whitespace, not String#trim's. */
function withoutBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(start, end);
}

/**
 * A `Name: value` line as HTTP reads one (RFC 9112, 5.1), its value's blanks at the ends left out;
 * for a line of no such shape, what it was expected to be, said as the option errors say it (a
 * blank between the name and its colon is refused: a server answers such a head 400). The one
 * reading of a header line typed (replay's and verify's `--header`, `typed`) or in a file (`verify --headers`).
 */
export function headerLineParts(line: string, typed = false): { name: string; value: string } | { expected: string } {
  // Hint: RFC 9110 admits `'` in a name, and a head may have one; typed, a quote in the name (or
  // before the colon) is a shell or CI quote kept (`-H "'Authorization: …'"`), which would send a
  // credential under a name no one reads as one (`'authorization`), printed by the dry run. A
  // value may end in one (an ETag, a file name).
  if (typed && hasQuote.test(line.slice(0, line.indexOf(':') + 1 || line.length))) return { expected: '"Name: value"' };
  const match = headerLinePattern.exec(line);
  // Hint: `-H "Authorization: Bearer $(cat token.txt)"` keeps the CR of a file saved with CRLF
  // line ends, and the value may not be quoted (a credential's is not): the message says it.
  if (!match && line.endsWith('\r') && headerLinePattern.test(line.slice(0, -1))) {
    return {
      expected:
        '"Name: value" on one line, but its value ends with a carriage return (CR): read from a file saved with CRLF line ends?',
    };
  }
  if (!match) return { expected: '"Name: value"' };
  const [, name = '', blanks = ''] = match;
  const value = withoutBlanks(match[3] ?? '');
  if (blanks !== '') {
    return { expected: '"Name: value", with no blank before the colon (a server answers such a head 400)' };
  }
  // Hint: typed, a credential's value in quotes is a quote kept too, which the dry run's *** hides:
  // the receiver would answer 401 with nothing to show why.
  if (typed && keptQuote(name, value)) return { expected: '"Name: value"' };
  return { name, value };
}

/**
 * What is wrong with a header line that is not `Name: value`, said without its text, for an
 * error that must not quote it; undefined when its shape is right or `headerLineParts` says why
 * (a blank before the colon, a CR at the end), or what is refused is its name or value.
 */
export function headerLineFault(line: string): string | undefined {
  // Hint: first, as a typed line in quotes may have the shape (RFC 9110 admits `'` in a name).
  const colon = line.indexOf(':');
  if (/^\s*["'`]/.test(line) || (colon >= 0 && hasQuote.test(line.slice(0, colon)))) {
    return 'it is in quotes, kept from a shell or CI line?';
  }
  if (headerLinePattern.test(line) || headerLinePattern.test(line.replace(/\r$/, ''))) {
    const name = line.slice(0, colon).trim();
    const value = line
      .slice(colon + 1)
      .replace(/\r$/, '')
      .trim();
    return keptQuote(name, value) ? 'its value is in quotes, kept from a shell or CI line?' : undefined;
  }
  if (/[\r\n\u2028\u2029]/.test(line)) return 'it holds a line break, and a header is one line';
  if (!line.includes(':')) return line.includes('=') ? 'it has "=" where the colon goes' : 'it has no colon';
  return 'its name has a character no header name has (a blank, a quote, "=")';
}

/**
 * The headers of the request's framing, each with why replay will not send one given by hand
 * (lower-case names): `-H` refuses them, and `--signature-header` with `signatureHeaderRefused`.
 */
export const framingHeaders: ReadonlyMap<string, string> = new Map([
  // Hint: taken, it was never sent, and nothing said so (red team hT76).
  ['content-length', "replay sets it to each body's length"],
  ['transfer-encoding', 'replay sends each body whole, with its Content-Length'],
  // Hint: node:http refuses a Trailer header on a body that is not chunked (ERR_HTTP_TRAILER_INVALID).
  ['trailer', 'replay sends each body whole, with its Content-Length and no trailer'],
]);

/**
 * The final statuses whose answer ends with its head, and so has no Content-Length or
 * Content-Type: 204 No Content and 304 Not Modified (RFC 9110 §8.6, §15.3.5, §15.4.5; RFC 9112
 * §6.3). Hint: node:http drops a body written to one, but not the headers that describe it, and a
 * client that trusted a Content-Length waited for the body on a kept-alive connection.
 */
export const headOnlyStatuses: ReadonlySet<number> = new Set([204, 304]);

/**
 * The final statuses whose answer has no content: those, and 205 Reset Content (RFC 9110
 * §15.3.6), which is framed as any other answer, and so says `Content-Length: 0`. Hint: node:http
 * sends a body written to a 205, and frames one given no length chunked.
 */
export const bodilessStatuses: ReadonlySet<number> = new Set([...headOnlyStatuses, 205]);

/** The headers `--sign standard` sets on every request (lower-case), as the Standard Webhooks spec names them. */
export const standardWebhookHeaders: readonly string[] = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];

/**
 * The request headers that change the exchange itself (lower-case), which node:http reads and
 * replay's fast path leaves to it: the framing's, and those that ask for a continue, another
 * protocol or the connection's fate.
 */
export const exchangeHeaders: readonly string[] = [...framingHeaders.keys(), 'expect', 'connection', 'upgrade', 'te'];

/**
 * The headers no signature can go in (lower-case): those of the exchange, those replay sets on
 * every request, one that says how the body is to be read, and the Standard Webhooks scheme's own.
 * Hint: a digest put in Content-Length was dropped (the request went out unsigned), in Host or
 * Expect it broke the exchange, in Transfer-Encoding beside a Content-Length it made a head shaped
 * for request smuggling, in User-Agent it was overwritten, and in Content-Encoding a receiver's
 * body parser refuses the body (415).
 */
const signatureHeaderRefused: readonly string[] = [
  ...exchangeHeaders,
  'host',
  'content-type',
  'content-encoding',
  'user-agent',
  ...standardWebhookHeaders,
];

/**
 * What a signature header must be when `name` is one no signature can go in (`signatureHeaderRefused`),
 * else undefined: the one refusal of `--signature-header` and the library's `header` option.
 */
export function signatureHeaderRefusal(name: string): string | undefined {
  if (!signatureHeaderRefused.includes(name.toLowerCase())) return undefined;
  return `a header the request does not set itself (not ${signatureHeaderRefused.map(headerSpelling).join(', ')})`;
}

/** A lower-case header name as people write it (`Content-Length`, `TE`); Standard Webhooks' stay lower-case, as its spec writes them. */
export function headerSpelling(name: string): string {
  if (name.startsWith('webhook-')) return name;
  return name.length <= 2 ? name.toUpperCase() : name.replace(/(^|-)[a-z]/g, (start) => start.toUpperCase());
}

/** The characters node:http sends in a header value (its validateHeaderValue): anything else fails at send time. */
export const headerValueCharacters = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * One `webhook-signature` entry as the verifier reads it, `<version>,<base64>` (regex source):
 * `v1` is HMAC-SHA256, and any other version (the spec's `v1a`, say) is read and passed over.
 * The OpenAPI document's header pattern is built from it, so the two cannot drift.
 */
export const signatureEntrySource = '[A-Za-z0-9]+,[A-Za-z0-9+/]+={0,2}';

/** The environment variable the secrets are read from unless `--secret-env` names another. */
export const defaultSecretEnv = 'CALLHOOK_SECRET';
/** The default `--tolerance`, in seconds, as the Standard Webhooks spec and its libraries use. */
export const defaultToleranceSeconds = 300;
/** The header `--sign hmac` uses unless told otherwise (`--signature-header`'s default). */
export const defaultHmacHeader = 'X-Signature';

/** The signing schemes `--sign` accepts. */
export const signSchemes = ['standard', 'hmac'] as const;
/** A signing scheme. */
export type SignScheme = (typeof signSchemes)[number];

/** The HTTP methods replay may deliver with. */
export const replayMethods = ['POST', 'PUT'] as const;
/** One of `replayMethods`. */
export type ReplayMethod = (typeof replayMethods)[number];

/**
 * The most events replay holds in one batch: the largest `--batch-size`, and the largest input
 * batch sent as it is without one. Hint: a batch is held whole until it is sent, so a larger one
 * would break the promise of flat memory (`--batch-size 10000000` took 1.48 GB on a 125 MB NDJSON).
 */
export const largestBatch = 10_000;
