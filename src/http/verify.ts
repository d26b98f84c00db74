/**
 * Signature verification, the receiving side of `src/http/signing.ts`: Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and the hex HMAC header replay's
 * `--sign hmac` sends. The digests are computed by the signer itself, so both sides cannot drift.
 *
 * When no signature matches, the failure says what it can, checked in this order:
 * - `reserialised-body`: the bytes received without their byte order mark or with one put on, or
 *   with their line endings changed (CRLF to LF or LF to CRLF), each of those also, for a body
 *   re-saved as UTF-16 (with its mark), for the UTF-8 bytes of its text, or, when the body is JSON, one of its other serialisations (compact
 *   `JSON.stringify`, 2-space pretty, pretty without indentation as the platform's published
 *   examples are, either of those two with CRLF line endings, or Python's default `json.dumps`
 *   with spaces after `,` and `:` and `\u` escapes), each also with a final line break as a file
 *   replay sends ends, differs from the bytes received and matches a signature under one of the
 *   secrets: at most 17 forms (18 for a body that is not UTF-8, below; 24 for one in UTF-16), each one HMAC per secret. The signature held for another serialisation of the
 *   same JSON: something on the way parsed and re-wrote the body (the smee-client failure). A
 *   body that is not UTF-8 is also tried read as UTF-8 text (U+FFFD for each bad byte), as
 *   standardwebhooks before 1.3.0 signs a Buffer: one more form.
 *   Tried only when asked (`reserialised`), as `callhook verify` asks, and for a body of at most
 *   `largestReserialised`; the forms with line breaks not when they would be many times the
 *   body's size (`prettyGrowth`).
 * - `no-matching-signature`: the header holds no signature this scheme could have produced: no
 *   `v1` entry whose base64 decodes to the 32 bytes of an HMAC-SHA256 (only `v1a`, say), or for
 *   hmac no 64-digit hex digest. The sender signs some other way.
 * - `wrong-secret`: well-formed HMAC-SHA256 signatures, none of which any secret produces over
 *   the body as received or (when tried) re-serialised. The usual cause is a wrong secret; a webhook-id,
 *   timestamp or body changed after signing looks the same, and the message says so (for hmac,
 *   which signs the body alone, only the body).
 */
import { isUtf8 } from 'node:buffer';
import { hash, timingSafeEqual } from 'node:crypto';
import { isUint8Array } from 'node:util/types';
import { CallhookError, ExitCode } from '../errors.js';
import { fileNameOf } from '../input/file-names.js';
import { assertBoolean, kindOf, ownOptions, shownValue } from '../schema/names.js';
import {
  defaultHmacHeader,
  defaultToleranceSeconds,
  hasQuote,
  headerNameCharacters,
  signatureEntrySource,
  signatureHeaderRefusal,
  standardWebhookHeaders,
} from './names.js';
import { type SignScheme, secretKey, signHmacHex, signStandardWebhook, splitSecrets } from './signing.js';

/** Why a signature did not verify. */
export type VerifyFailure =
  | 'missing-header'
  | 'malformed-header'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'no-matching-signature'
  | 'reserialised-body'
  | 'wrong-secret';

/** The secrets and clock a verification uses. */
export interface VerifyOptions {
  /**
   * The secret, or several (key rotation): `whsec_<base64>` for Standard Webhooks, plain text for
   * hmac. A string is read as replay reads `CALLHOOK_SECRET`: comma-separated, each trimmed.
   */
  secrets: readonly string[] | string;
  /** How far the timestamp may be from `now`, in either direction (default 300 seconds). */
  toleranceSeconds?: number | undefined;
  /** The current time in epoch milliseconds (default `Date.now()`). */
  now?: number | undefined;
  /** Skip the timestamp check (for old captures). */
  ignoreTimestamp?: boolean | undefined;
  /**
   * When no signature matches, also try the body as the same JSON written other ways, to tell
   * `reserialised-body` from `wrong-secret` (default false): up to 24 more HMACs per secret, over
   * forms that may be a few times the body's size. For diagnosis, as `callhook verify` does; not
   * on a receiver's requests, where a stranger's bogus post would cost that much.
   */
  reserialised?: boolean | undefined;
}

/**
 * A verification's outcome: the index of the secret that matched (and a `warning` when receivers
 * elsewhere would not agree), or why none did.
 */
export type VerifyResult =
  | { ok: true; secretIndex: number; warning?: string }
  | { ok: false; reason: VerifyFailure; message: string; skewSeconds?: number };

/** Request headers as node:http, fetch or a plain object hold them. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/**
 * Verification settings with the keys already decoded, for a server that checks many requests.
 * Hint: listen does not try a body re-serialised (`reserialised`): a stranger's post must cost
 * little more than its hashes; `verify` tries them offline.
 */
interface KeyedVerifyOptions extends Omit<VerifyOptions, 'secrets'> {
  keys: readonly Buffer[];
}

const SHA256_BYTES = 32;
const signatureEntry = new RegExp(`^${signatureEntrySource}$`);

/**
 * A header value as it came over HTTP, where node:http and fetch give each byte as one
 * character (latin1), as the text its sender wrote: read as UTF-8 when its bytes are UTF-8. So a
 * `webhook-id` such as `msg_é`, signed as UTF-8, is checked and shown as sent, not as `msg_Ã©`.
 * ASCII, and anything that is not UTF-8, is returned as it is.
 */
export function fromWire(value: string): string {
  if (!nonAscii.test(value) || beyondLatin1.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : value;
}
const nonAscii = /[\x80-\xff]/;
const beyondLatin1 = /[^\x00-\xff]/;

/**
 * A value as it came over HTTP (a character a byte) as text to show: its UTF-8 read as text, and
 * each byte that is not part of a UTF-8 character held as a file name's is (`fileNameOf`), which
 * is shown escaped (`\udcff`). Hint: not `fromWire`, which keeps a value that is not UTF-8 as it
 * came, to be checked as receivers check it: shown so, its UTF-8 characters were mojibake too.
 */
export function shownFromWire(value: string): string {
  return nonAscii.test(value) && !beyondLatin1.test(value) ? fileNameOf(Buffer.from(value, 'latin1')) : value;
}

/** Reads one header case-insensitively; repeated values are joined with `separator`. */
function headerValue(headers: HeaderSource, name: string, separator: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length === 0 ? undefined : values.join(separator);
}

/**
 * Each value given for header `name`, as the source keeps them: a `Headers` object (fetch) and
 * node's `req.headers` have already joined a repeated one into one value (`req.headersDistinct`
 * and a capture's headers have not).
 */
function headerValues(headers: HeaderSource, name: string): string[] {
  const lower = name.toLowerCase();
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    const value = (headers as Headers).get(lower);
    return value === null ? [] : [value];
  }
  const values: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== lower) continue;
    const value = (headers as Record<string, string | string[] | undefined>)[key];
    // Hint: a loop, not push(...): a caller's list may be longer than a call takes arguments.
    if (Array.isArray(value)) for (const item of value) values.push(item);
    else if (value !== undefined) values.push(value);
  }
  return values;
}

/**
 * A body's bytes: a string's UTF-8, a Uint8Array's own bytes (not copied); anything else is the
 * caller's TypeError. Hint: isUint8Array, not instanceof, here as wherever bytes are told apart:
 * a Uint8Array made in another realm (a vm context) is not an instance of this realm's.
 */
export function bytesOf(body: string | Uint8Array): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (!isUint8Array(body)) throw new TypeError(`body must be a string or a Uint8Array (got ${kindOf(body)})`);
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * The hex HMAC header's name a library caller gave (default `X-Signature`), as given: a caller
 * looks it up by that name in what `signHexHmac` returns. Verifying reads it in any case.
 */
export function hmacHeaderName(header: string | undefined): string {
  // Hint: as --signature-header refuses one (a quote in it is one kept from a shell or CI line).
  if (
    header !== undefined &&
    !(typeof header === 'string' && headerNameCharacters.test(header) && !hasQuote.test(header))
  ) {
    throw new TypeError(`header must be an HTTP header name (got ${shownValue(header)})`);
  }
  const refusal = header === undefined ? undefined : signatureHeaderRefusal(header);
  if (refusal !== undefined) throw new TypeError(`header must be ${refusal} (got ${shownValue(header)})`);
  return header ?? defaultHmacHeader;
}

/** Refuses headers a library caller gave that are no set of headers, instead of reading none. */
function assertHeaders(headers: HeaderSource): void {
  if (typeof headers !== 'object' || headers === null) {
    throw new TypeError(`headers must be a Headers or an object of header values (got ${kindOf(headers)})`);
  }
}

/** Compares two ASCII signatures in time independent of where they differ (their lengths are public). */
function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * JSON as Python's `json.dumps` writes it by default: a space after `,` and `:`, and every
 * character past ASCII as a `\u` escape (the form the spec's reference vector is in).
 */
function spacedAsciiJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedAsciiJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([key, member]) => `${spacedAsciiJson(key)}: ${spacedAsciiJson(member)}`);
    return `{${members.join(', ')}}`;
  }
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The largest body whose re-serialisations are tried (see `reserialisations`), in bytes. Hint:
 * each form is a copy of the body, and a JSON form needs its parsed value: for a body of tiny
 * arrays the run took some fifty times its size in heap. `verify` of a 64 MB body no signature
 * matched took 108 s and 5 GB, then ended out of memory with a native stack trace (red team
 * hR129); at 4 MiB it still did under a 192 MiB heap (review hR130). At this size a 128 MiB heap
 * holds every form of the worst body (the e2e test runs it), and a webhook's body is rarely larger.
 */
export const largestReserialised = 1024 * 1024;

/**
 * The body with its line endings changed, and other serialisations of a JSON body, that a proxy,
 * an editor or git may have produced, or the sender signed (the forms listed at the top of this
 * file); each only when it differs from the bytes received. Hint: made one at a time, as each is
 * asked for, and dropped once signed: all at once, they took `verify --body` of a 100 MiB body to
 * 3 GB (red team hR114).
 */
function* reserialisations(body: Buffer, scheme: SignScheme): Generator<{ form: string; bytes: Buffer; why?: string }> {
  // The digests of the forms made of the bytes themselves, which may come out alike.
  const made = new Set<string>();
  // Hint: standardwebhooks before 1.3.0 reads a Buffer body as UTF-8 text and signs that text's
  // bytes (1.3.0 signs the bytes), so a body that is not UTF-8 was signed with U+FFFD in place of
  // its bad bytes; the secret is right.
  if (!isUtf8(body)) {
    yield {
      form: 'UTF-8 text, each byte that is not UTF-8 made U+FFFD',
      bytes: Buffer.from(body.toString('utf8'), 'utf8'),
      why: `the body is not UTF-8, and its sender signed it as text${scheme === 'standard' ? ', as standardwebhooks before 1.3.0 signs a Buffer' : ''}`,
    };
  }
  // Hint: the bytes themselves with a byte order mark taken off or put on, or their line endings
  // changed (a body saved by an editor such as Notepad, or checked out by git with autocrlf),
  // JSON or not; and text re-saved as UTF-16 (PowerShell 5.1's Out-File, Notepad's "Unicode"),
  // as its UTF-8 bytes (red team hR124: "the secret is wrong", though it was right).
  // Hint: the UTF-16 forms as well as, not in place of, those of the bytes: a body that merely
  // begins FF FE lost its line-ending forms (review hR126).
  const wide = utf16Text(body);
  const bom = '\xef\xbb\xbf';
  const bases: [string, string][] = [];
  for (const [same, latin1] of [
    ['the same bytes', body.toString('latin1')],
    ...(wide === undefined
      ? []
      : [['the same text in UTF-8 (the body was re-saved as UTF-16)', Buffer.from(wide, 'utf8').toString('latin1')]]),
  ] as const) {
    bases.push([same, latin1]);
    if (latin1.startsWith(bom)) bases.push([`${same} without their byte order mark`, latin1.slice(bom.length)]);
    else bases.push([`${same} with a byte order mark`, bom + latin1]);
  }
  for (const [base, text] of bases) {
    for (const [form, change] of [
      [base, (same: string) => same],
      [`${base} with LF line endings`, (crlf: string) => crlf.replace(/\r\n/g, '\n')],
      [`${base} with CRLF line endings`, (lf: string) => lf.replace(/\r?\n/g, '\r\n')],
    ] as const) {
      const bytes = Buffer.from(change(text), 'latin1');
      const digest = hash('sha256', bytes, 'base64');
      if (bytes.equals(body) || made.has(digest)) continue;
      made.add(digest);
      yield { form, bytes };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse((wide ?? body.toString('utf8')).replace(/^\uFEFF/, ''));
  } catch {
    return;
  }
  // Hint: indentation grows with depth, so a small body nested deep (a hostile sender's brackets)
  // is gigabytes pretty-printed: forms with line breaks are left untried past a few times its size.
  const indentable = prettyGrowth(value, 4 * body.length + 65_536) !== undefined;
  const pretty = () => JSON.stringify(value, null, 2);
  // Hint: no line break of JSON.stringify's output is inside a string, so its indentation is all
  // that follows one with spaces. Not `^` with the m flag: that matches after a U+2028 or U+2029
  // too, which JSON.stringify leaves raw inside strings.
  const unindented = () => pretty().replace(/\n +/g, '\n');
  const crlf = (text: string) => text.replace(/\n/g, '\r\n');
  const pretties = [
    ['2-space pretty JSON', pretty, '\n'],
    ['2-space pretty JSON with CRLF line endings', () => crlf(pretty()), '\r\n'],
    ["pretty JSON without indentation (the platform's published examples)", unindented, '\n'],
    ['pretty JSON without indentation, with CRLF line endings', () => crlf(unindented()), '\r\n'],
  ] as const;
  for (const [form, text, lineEnd] of [
    ['compact JSON', () => JSON.stringify(value), '\n'],
    ...(indentable ? pretties : []),
    ["JSON with spaces after , and : (Python's json.dumps)", () => spacedAsciiJson(value), '\n'],
  ] as const) {
    let written: string;
    try {
      written = text();
    } catch (error) {
      // Hint: a body nested deeper than the stack allows (a hostile sender's brackets) parses, but
      // cannot be written out again; no proxy re-wrote it either, so there is no such form to try.
      if (error instanceof RangeError) continue;
      throw error;
    }
    // Hint: a file ends with a line break, and replay sends one byte for byte; a proxy's re-write drops it.
    for (const [shape, text] of [
      [form, written],
      [`${form}, with a final line break`, written + lineEnd],
    ] as const) {
      const bytes = Buffer.from(text, 'utf8');
      if (!bytes.equals(body)) yield { form: shape, bytes };
    }
  }
}

/**
 * The text of `body` when it is UTF-16 with its byte order mark (little- or big-endian, an even
 * number of bytes), else undefined. Hint: no UTF-32 mark, which begins as UTF-16's little-endian one.
 */
export function utf16Text(body: Buffer): string | undefined {
  if (body.length % 2 !== 0 || body.length < 2) return undefined;
  if (body[0] === 0xff && body[1] === 0xfe && !(body[2] === 0 && body[3] === 0)) return body.toString('utf16le', 2);
  if (body[0] === 0xfe && body[1] === 0xff) return Buffer.from(body.subarray(2)).swap16().toString('utf16le');
  return undefined;
}

/**
 * How many characters 2-space pretty-printing adds to `value`'s compact JSON (line breaks,
 * indentation, a space after each `:`), or undefined once that passes `limit`. Hint: a loop, not
 * a recursion: the value may be nested deeper than the stack allows.
 */
function prettyGrowth(value: unknown, limit: number): number | undefined {
  let grown = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    const members = Array.isArray(item) ? item : Object.values(item);
    if (members.length === 0) continue;
    // Each member on a line of its own, one level in; the closing bracket on one at this level.
    grown += members.length * (1 + 2 * (depth + 1)) + 1 + 2 * depth + (Array.isArray(item) ? 0 : members.length);
    if (grown > limit) return undefined;
    for (const member of members) pending.push([member, depth + 1]);
  }
  return grown;
}

function fail(reason: VerifyFailure, message: string, skewSeconds?: number): VerifyResult {
  return skewSeconds === undefined ? { ok: false, reason, message } : { ok: false, reason, message, skewSeconds };
}

function noSecrets(): never {
  throw new CallhookError('secrets: give at least one secret', ExitCode.usage);
}

/**
 * The secrets a library caller gave: a string is read as the CLI reads its environment variable
 * (`splitSecrets`: a comma-separated list, each trimmed), so the `CALLHOOK_SECRET` replay signed
 * with verifies as it is; a list gives each secret apart, trimmed the same way. An unset
 * environment variable comes as `undefined`, named here rather than failing inside.
 */
function secretList(secrets: readonly string[] | string): readonly string[] {
  // Hint: the library's callers pass what they like. An error names only the kind of what was
  // given: a Buffer or a number may be the secret itself.
  if (typeof secrets === 'string') {
    const list = splitSecrets(secrets);
    if (list.length === 0) throw new CallhookError('secret #1 is empty', ExitCode.usage);
    return list;
  }
  if (!Array.isArray(secrets)) {
    throw new TypeError(`secrets must be a secret or a list of secrets (got ${kindOf(secrets)})`);
  }
  if (secrets.length === 0) noSecrets();
  return secrets.map((secret: unknown, i) => {
    if (typeof secret !== 'string') throw new TypeError(`secret #${i + 1} is not a string (got ${kindOf(secret)})`);
    if (secret.trim() === '') throw new CallhookError(`secret #${i + 1} is empty`, ExitCode.usage);
    // Hint: a comma separates secrets only in one string; in a list it would be hashed as part of one.
    if (secret.includes(',')) {
      throw new CallhookError(
        `secret #${i + 1} holds a comma: give each secret apart, or all of them in one string`,
        ExitCode.usage,
      );
    }
    return secret.trim();
  });
}

/** Decodes Standard Webhooks secrets with replay's own decoder; a bad one is a usage error naming its position. */
export function standardKeys(secrets: readonly string[] | string): Buffer[] {
  return secretList(secrets).map((secret, i) => secretKey(secret, 'standard', `secret #${i + 1}`));
}

/** Hex HMAC secrets are their UTF-8 bytes, as replay signs with them. */
export function hmacKeys(secrets: readonly string[] | string): Buffer[] {
  return secretList(secrets).map((secret, i) => secretKey(secret, 'hmac', `secret #${i + 1}`));
}

/**
 * Each scheme's signature as its messages name it, and what it signs: a wrong-secret message names
 * only what could have changed after signing (the hex HMAC covers the body alone).
 */
const schemeWords: Record<SignScheme, { signature: string; signs: string }> = {
  standard: { signature: 'v1 signature', signs: 'the id, timestamp or body' },
  hmac: { signature: 'hex digest', signs: 'the body' },
};

/** Finds the first key whose signature over `bytes` equals one of `given`, or -1. */
function matchingKey(
  keys: readonly Buffer[],
  given: readonly string[],
  sign: (bytes: Buffer, key: Buffer) => string,
  bytes: Buffer,
): number {
  for (const [k, key] of keys.entries()) {
    const expected = sign(bytes, key);
    // Hint: every signature is compared, not just until the first hit, so timing says nothing of which.
    let hit = false;
    for (const signature of given) hit = sameSignature(expected, signature) || hit;
    if (hit) return k;
  }
  return -1;
}

/**
 * Matches the body's bytes against the given signatures under each key; when none matches, says
 * what is left: a re-serialised body, no usable signature, or a wrong secret.
 */
function checkSignatures(
  body: Buffer,
  keys: readonly Buffer[],
  given: readonly string[],
  usable: number,
  sign: (bytes: Buffer, key: Buffer) => string,
  scheme: SignScheme,
  reserialised: boolean,
): VerifyResult {
  const { signature: what, signs } = schemeWords[scheme];
  const k = matchingKey(keys, given, sign, body);
  if (k >= 0) return { ok: true, secretIndex: k };
  // Hint: no form is made when no signature given could be one of this scheme: none would match.
  const tried = reserialised && usable > 0 && body.length <= largestReserialised;
  for (const { form, bytes, why } of tried ? reserialisations(body, scheme) : []) {
    const k = matchingKey(keys, given, sign, bytes);
    if (k >= 0) {
      return fail(
        'reserialised-body',
        `the signature matches this body re-serialised as ${form} (secret #${k + 1}), not the bytes received: ${why ?? 'something on the way re-wrote the body'}`,
      );
    }
  }
  if (usable === 0) {
    return fail('no-matching-signature', `no ${what} in the header could be an HMAC-SHA256 this scheme produces`);
  }
  const signatures = usable === 1 ? `the ${what}` : `any of the ${usable} ${what}s`;
  // Hint: listen answers a stranger with this message, so it does not count the secrets; one
  // wording for every caller.
  const secrets = `none of the secrets produces ${signatures}`;
  const tell = !reserialised
    ? '; `callhook verify` says whether the body was re-serialised on the way'
    : tried
      ? ''
      : `; re-serialised forms are tried only for a body up to ${largestReserialised / 2 ** 20} MiB, and this one is larger`;
  return fail('wrong-secret', `${secrets}: the secret is wrong (or ${signs} changed after signing${tell})`);
}

/**
 * A failure that names the header entry skipped, `skipped` saying which and why: it may be the
 * signature the sender meant, so it is said when nothing else verified (a re-serialised body did).
 */
function namingSkipped(result: VerifyResult, skipped: string | undefined): VerifyResult {
  if (skipped === undefined || result.ok || result.reason === 'reserialised-body') return result;
  return { ...result, message: `${result.message} (${skipped} was skipped)` };
}

/** `verifyStandardWebhook` with decoded keys, so a server decodes its secrets once. */
export function verifyStandardWebhookWithKeys(
  body: string | Uint8Array,
  headers: HeaderSource,
  options: KeyedVerifyOptions,
): VerifyResult {
  const id = headerValue(headers, 'webhook-id', ', ');
  const timestampText = headerValue(headers, 'webhook-timestamp', ', ');
  const signatureText = headerValue(headers, 'webhook-signature', ' ');
  const missing = (
    [
      ['webhook-id', id],
      ['webhook-timestamp', timestampText],
      ['webhook-signature', signatureText],
    ] as const
  )
    .filter(([, value]) => value === undefined || value.trim() === '')
    .map(([name]) => name);
  if (missing.length > 0) {
    // Hint: Svix's senders name the headers svix-*, which the svix package reads (before webhook-*);
    // taken here, listen would answer 200 where a receiver on the standardwebhooks package answers 401.
    const svix = missing
      .map((name) => name.replace('webhook-', 'svix-'))
      .filter((name) => headerValues(headers, name).length > 0);
    const found =
      svix.length === 0
        ? ''
        : ` (found ${svix.join(', ')}: Svix's names for these headers, which the svix package reads; callhook reads webhook-* only, as the standardwebhooks package does)`;
    return fail('missing-header', `missing header${missing.length === 1 ? '' : 's'} ${missing.join(', ')}${found}`);
  }
  // Hint: the standardwebhooks package (svix's too) reads one value of each; signatures go in one
  // header, separated by spaces.
  for (const name of standardWebhookHeaders) {
    const given = headerValues(headers, name).length;
    const spaced = name === 'webhook-signature' ? ', its signatures separated by spaces' : '';
    if (given > 1) return fail('malformed-header', `${name} is given ${given} times: a delivery has one${spaced}`);
  }

  // (Each is there: `missing` said so.)
  const timestampDigits = (timestampText ?? '').trim();
  // Hint: leading zeros are read past, as the standardwebhooks package reads them (and signs the
  // number, not the text); more than 15 digits beside them is past any time a Date holds.
  if (!/^0*\d{1,15}$/.test(timestampDigits)) {
    // Hint: node's req.headers and fetch's Headers join a header given twice with ", ".
    const joined =
      timestampDigits.includes(',') && timestampDigits.split(',').every((part) => /^\s*\d+\s*$/.test(part));
    return fail(
      'malformed-header',
      joined
        ? 'webhook-timestamp is given more than once (joined by a comma): a delivery has one'
        : 'webhook-timestamp is not whole seconds since 1970',
    );
  }
  const timestamp = Number(timestampDigits);
  const entries = (signatureText ?? '').split(' ').filter((entry) => entry !== '');
  const given: string[] = [];
  let usable = 0;
  let readable = 0;
  // Hint: an entry it cannot read is skipped, not fatal: the spec has consumers try each signature
  // until one matches (a sender may add a scheme this verifier does not know), as the
  // standardwebhooks package does. The first one is named if nothing else verifies.
  let skipped: string | undefined;
  for (const [i, entry] of entries.entries()) {
    // Hint: node's request.headers (and fetch's Headers) join two signature headers with ", ";
    // the standardwebhooks package then checks the entries after the first header's last, so the
    // verdict hangs on the headers' order. A delivery has one: refused, whichever verifies. (`v1,`
    // alone is an entry with no signature, skipped below.)
    if (entry.endsWith(',') && signatureEntry.test(entry.slice(0, -1))) {
      return fail(
        'malformed-header',
        `webhook-signature entry #${i + 1} ends in a comma, where signatures are separated by spaces: the header was sent so, or given twice and joined with ', ' as node's request.headers joins them (a delivery has one)`,
      );
    }
    if (!signatureEntry.test(entry)) {
      skipped ??= `entry #${i + 1}`;
      continue;
    }
    const comma = entry.indexOf(',');
    const version = entry.slice(0, comma);
    const signature = entry.slice(comma + 1);
    readable++;
    if (version !== 'v1') continue;
    given.push(signature);
    if (Buffer.from(signature, 'base64').length === SHA256_BYTES) usable++;
  }
  if (readable === 0)
    return fail('malformed-header', `webhook-signature ${skipped ?? 'entry #1'} is not <version>,<base64>`);

  if (!options.ignoreTimestamp) {
    const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const skew = now - timestamp;
    if (skew > tolerance) {
      return fail(
        'timestamp-too-old',
        `webhook-timestamp is ${skew} s old, more than the tolerance of ${tolerance} s`,
        skew,
      );
    }
    if (-skew > tolerance) {
      // Hint: only a header of milliseconds has that many digits (since 1973); a now given in
      // seconds, where it takes milliseconds, also puts a header of seconds far in the future, and
      // is said as signing says a timestamp in milliseconds: each is the header's time read so.
      const inMs = timestamp >= 1e11 && Math.abs(now - Math.floor(timestamp / 1000)) <= tolerance;
      const nowInSeconds = options.now !== undefined && Math.abs(options.now - timestamp) <= tolerance;
      const why = inMs
        ? ': it reads as milliseconds since 1970, where Standard Webhooks wants seconds'
        : nowInSeconds
          ? ': now in seconds? it takes Date.now(), not Date.now() / 1000'
          : '';
      return fail(
        'timestamp-too-new',
        `webhook-timestamp is ${-skew} s in the future, more than the tolerance of ${tolerance} s${why}`,
        skew,
      );
    }
  }

  // Hint: signStandardWebhook with one key gives exactly `v1,<base64>`; its base64 part is compared.
  // Hint: read as listen reads it (`fromWire`): node:http and fetch give a header a character a
  // byte, so a UTF-8 id such as `msg_é` reached a receiver as `msg_Ã©`, and failed as wrong-secret.
  const webhookId = fromWire(id ?? '');
  const bytes = bytesOf(body);
  // Hint: each key's signature of the body as received is made once, however many checks ask for
  // it (an unpadded signature is compared padded with the same), so a stranger's post costs one
  // hash a key, and a second only for an id that is not UTF-8 (below).
  const signed = new Map<Buffer, string>();
  /** The base64 part of each key's signature of a body under the id `over` (a reading of it). */
  const signedOver = (over: string | Buffer) => (data: Buffer, key: Buffer) =>
    signStandardWebhook(over, timestamp, data, [key]).slice('v1,'.length);
  const signById = signedOver(webhookId);
  const sign = (data: Buffer, key: Buffer) => {
    const made = data === bytes ? signed.get(key) : undefined;
    if (made !== undefined) return made;
    const signature = signById(data, key);
    if (data === bytes) signed.set(key, signature);
    return signature;
  };
  const reserialised = options.reserialised === true;
  const result = namingSkipped(
    checkSignatures(bytes, options.keys, given, usable, sign, 'standard', reserialised),
    skipped === undefined ? undefined : `${skipped} of webhook-signature, not <version>,<base64>,`,
  );
  // Hint: the id held as its UTF-8 text, which node:http gives a receiver a character a byte (a
  // UTF-8 id read as such by `fromWire`, or text past U+00FF a caller gave): the standardwebhooks
  // and svix packages there sign that text's UTF-8, and fail it. Go's net/http passes the bytes.
  if (result.ok && (webhookId !== id || beyondLatin1.test(webhookId)))
    return { ...result, warning: nodeReadsOtherwise };
  // Hint: an id whose bytes are not UTF-8 stays a character a byte (`fromWire`): it held over that
  // text's UTF-8, as node:http reads it, where Go's net/http checks the bytes as sent, and fails it.
  if (result.ok && nonAscii.test(webhookId)) return { ...result, warning: goReadsOtherwise };
  if (result.ok || result.reason !== 'wrong-secret') return result;
  // Hint: a UTF-8 id has a second reading, a character a byte, as node:http gives it and the
  // standardwebhooks package there signs it: a sender on node that passes on such an id signs that.
  // Hashed for again only for such an id.
  if (webhookId !== id) {
    const k = matchingKey(options.keys, given, signedOver(id ?? ''), bytes);
    if (k >= 0) return { ok: true, secretIndex: k, warning: goReadsOtherwise };
  }
  // Hint: node's req.headers and fetch's Headers join a webhook-id given twice with ", ", as the
  // timestamp's. A single id may hold one (the spec forbids only "."), and one signed so held
  // above: so it is said only of copies of one value, when the signature holds over that value.
  // Hashed for again only for such an id.
  const copies = webhookId.split(', ');
  const one = copies[0] ?? '';
  if (copies.length > 1 && one !== '' && copies.every((copy) => copy === one)) {
    const k = matchingKey(options.keys, given, signedOver(one), bytes);
    if (k >= 0) {
      return fail(
        'malformed-header',
        `webhook-id is given more than once (joined by a comma): the signature holds over the one value (secret #${k + 1}), but a delivery has one, and receivers check the joined text`,
      );
    }
  }
  // Hint: receivers compare the text as sent, so an unpadded signature never verifies; but when
  // padding is all it lacks, the secret is right and saying otherwise sends the user to rotate it.
  const padded = given.map((signature) => signature.padEnd(Math.ceil(signature.length / 4) * 4, '='));
  // Hint: each key's signature is made once (`sign`), so this compares, and hashes nothing again.
  const k = matchingKey(options.keys, padded, sign, bytes);
  if (k >= 0) {
    return fail(
      'malformed-header',
      `webhook-signature holds a v1 signature without its base64 padding (=): padded, it matches (secret #${k + 1}), but receivers compare it as sent`,
    );
  }
  // Hint: an id whose bytes are not UTF-8 stays a character a byte (`fromWire`), and is signed as
  // that text's UTF-8, as the standardwebhooks package behind node:http signs it; a sender that
  // signed the bytes as sent fails there too, but not for its secret. Hashed for again only for
  // such an id.
  const idBytes = Buffer.from(id ?? '', 'latin1');
  if (beyondLatin1.test(id ?? '') || isUtf8(idBytes)) return result;
  const byBytes = matchingKey(options.keys, given, signedOver(idBytes), bytes);
  if (byBytes < 0) return result;
  return fail(
    'malformed-header',
    `webhook-id is not UTF-8: the signature matches its bytes as sent (secret #${byBytes + 1}), but receivers read each byte as a character and check that text's UTF-8, as the standardwebhooks package does`,
  );
}

/** Why a signature that holds over a webhook-id read a character a byte fails at a receiver on Go's net/http. */
const goReadsOtherwise =
  "webhook-id is not ASCII: this signature holds over each of its bytes read as a character, as a receiver on node:http reads it (the standardwebhooks and svix packages there pass it), not over its bytes as sent, which a receiver on Go's net/http checks, so it fails there";

/** Why a signature that holds fails at a receiver on node:http: its webhook-id is not ASCII. */
const nodeReadsOtherwise =
  'webhook-id is not ASCII: a receiver on node:http reads each of its bytes as a character, and checks that text (as the standardwebhooks and svix packages there do), so this signature fails there';

/**
 * Verifies a Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature;
 * several space-separated signatures; several secrets; constant-time comparison).
 */
export function verifyStandardWebhook(
  body: string | Uint8Array | Buffer,
  headers: HeaderSource,
  options: VerifyOptions,
): VerifyResult {
  options = ownOptions(options, 'verifyStandardWebhook', [
    'secrets',
    'toleranceSeconds',
    'now',
    'ignoreTimestamp',
    'reserialised',
  ]);
  assertBoolean('ignoreTimestamp', options.ignoreTimestamp);
  assertBoolean('reserialised', options.reserialised);
  const { toleranceSeconds, now } = options;
  // Hint: NaN compares false with everything, so a NaN tolerance or now (Number() of an unset
  // variable) would pass a delivery of any age.
  if (toleranceSeconds !== undefined && !(typeof toleranceSeconds === 'number' && toleranceSeconds >= 0)) {
    throw new TypeError(
      `toleranceSeconds must be a number of seconds, 0 or more (got ${shownValue(toleranceSeconds)})`,
    );
  }
  if (now !== undefined && !(typeof now === 'number' && Number.isFinite(now))) {
    throw new TypeError(`now must be a time in epoch milliseconds (got ${shownValue(now)})`);
  }
  const bytes = bytesOf(body);
  assertHeaders(headers);
  return verifyStandardWebhookWithKeys(bytes, headers, { ...options, keys: standardKeys(options.secrets) });
}

/** `verifyHexHmac` with decoded keys. */
export function verifyHexHmacWithKeys(
  body: string | Uint8Array,
  headers: HeaderSource,
  options: KeyedVerifyOptions & { header?: string | undefined },
): VerifyResult {
  const name = options.header ?? defaultHmacHeader;
  const text = headerValue(headers, name, ',');
  if (text === undefined || text.trim() === '') return fail('missing-header', `missing header ${name.toLowerCase()}`);
  const lower = name.toLowerCase();
  const given: string[] = [];
  let usable = 0;
  // Hint: an entry that is not a hex digest (a `sha1=` beside the `sha256=`) is skipped, as the
  // standard scheme skips one it cannot read; the first is named if nothing else verifies.
  let skipped: string | undefined;
  for (const [i, raw] of text.split(',').entries()) {
    const entry = raw.trim().replace(/^sha256=/i, '');
    if (entry === '') continue;
    if (!/^[0-9a-f]+$/i.test(entry)) {
      skipped ??= `entry #${i + 1}`;
      continue;
    }
    given.push(entry.toLowerCase());
    if (entry.length === SHA256_BYTES * 2) usable++;
  }
  if (given.length === 0) {
    return fail(
      'malformed-header',
      skipped === undefined ? `${lower} holds no hex digest` : `${lower} ${skipped} is not a hex digest`,
    );
  }
  const sign = (data: Buffer, key: Buffer) => signHmacHex(data, [key]);
  const reserialised = options.reserialised === true;
  return namingSkipped(
    checkSignatures(bytesOf(body), options.keys, given, usable, sign, 'hmac', reserialised),
    skipped === undefined ? undefined : `${skipped} of ${lower}, not a hex digest,`,
  );
}

/** The same for the hex HMAC-SHA256 scheme replay signs with (`--sign hmac`, header `X-Signature` unless told). */
export function verifyHexHmac(
  body: string | Uint8Array | Buffer,
  headers: HeaderSource,
  // Hint: no time options: the scheme signs no timestamp (its type once took them, and they were refused).
  options: Pick<VerifyOptions, 'secrets' | 'reserialised'> & { header?: string | undefined },
): VerifyResult {
  const bytes = bytesOf(body);
  assertHeaders(headers);
  options = ownOptions(options, 'verifyHexHmac', ['secrets', 'header', 'reserialised']);
  assertBoolean('reserialised', options.reserialised);
  const header = hmacHeaderName(options.header);
  return verifyHexHmacWithKeys(bytes, headers, { ...options, header, keys: hmacKeys(options.secrets) });
}
