/**
 * Credentials replay may carry but must never print: user info in `--url` (sent as HTTP Basic
 * auth, as curl does) and header values that are secrets (`isSecretHeader`).
 * Pure.
 */

/** What replays in place of a secret wherever it would be printed. */
const redacted = '***';

/**
 * The last words of a header name that make it a credential's (`isSecretHeader`): the README's
 * Credentials list says them.
 */
const secretHeaderWords: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'auth',
  'token',
  'secret',
  'password',
  'key',
  'apikey',
  // Hint: a credential's scheme, as a name only by mistake (`-H 'Bearer: T0KEN'`, its name left out).
  'bearer',
  'basic',
]);

/**
 * Whether a header's value is a credential that is never printed, nor carried to another origin:
 * its name's last word (after its last `-` or `_`, in any case) is in `secretHeaderWords`, as in
 * `Authorization`, `Cookie`, `X-Api-Key`, `X-Auth-Token` and `Private-Token`.
 */
export function isSecretHeader(name: string): boolean {
  return secretHeaderWords.has(name.toLowerCase().split(/[-_]/).at(-1) ?? '');
}

/**
 * Whether a line may hold a credential: a word of `secretHeaderWords` appears anywhere in it, in
 * any case. Hint: a header line refused for its shape cannot be read as name and value
 * (`"Authorization: …"`, `Authorization=…`, a second line), so it is judged whole, and an error
 * refusing one then quotes none of it.
 */
export function mentionsCredential(line: string): boolean {
  const lower = line.toLowerCase();
  return [...secretHeaderWords].some((word) => lower.includes(word));
}

/** Whether `url` carries user info, which replay sends as Basic auth (`splitCredentials`). */
export function hasCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

/**
 * `url` with any password replaced by `***` (`http://user:***@host/`), and a user info of one
 * part, a token, whole (`http://***@host/`), for printing, reports and the journal.
 */
export function redactUrl(url: string): string {
  // Hint: `admin:pw@host` parses, as a URL of scheme `admin:` with no host: its user info is text.
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || parsed.host === '') return redactRefusedUrl(url);
  if (!hasCredentials(parsed)) return url;
  if (parsed.password === '') parsed.username = redacted;
  else parsed.password = redacted;
  return parsed.href;
}

/**
 * Text refused as a URL (or no URL with a host), with what may be its password (or its token)
 * replaced by `***`: the user info is all that lies between a scheme and its slashes and the
 * LAST `@` of the text; from its first `:` on it is hidden, and whole when it has none. A scheme
 * is one only where WHATWG URL reads a host after it: before two slashes, or a special one, which
 * needs none (`http:user@host`, `http:\\user@host`); in `admin:pw@host` and `admin:/pw@host`,
 * `admin` is the user.
 * Hint: a `/`, `?` or `#` typed raw in a password is what makes such text no URL, or one of
 * another host (`ftp://admin:21/pw?x@host` has host `admin`), so none of them ends the user
 * info: hiding part of a query (`http://exa mple/?a=b:***@d`) in an error's quote is harmless,
 * a password shown is not.
 */
export function redactRefusedUrl(text: string): string {
  const [prefix = ''] =
    /^[\x00-\x20]*(?:[a-z][a-z0-9+.-]*:(?=[/\\]{2})|(?:https?|wss?|ftp|file):)?[/\\]*/i.exec(text) ?? [];
  const at = text.lastIndexOf('@');
  if (at < prefix.length) return text;
  const userInfo = text.slice(prefix.length, at);
  const colon = userInfo.indexOf(':');
  const shown = colon < 0 ? redacted : `${userInfo.slice(0, colon)}:${redacted}`;
  return `${prefix}${shown}${text.slice(at)}`;
}

/** Headers with every secret value replaced by `***`. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  // Hint: made by fromEntries, which defines each: assigned, a header named `__proto__` was lost.
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, isSecretHeader(name) ? redacted : value]),
  );
}

/** A URL split into the address requests go to and the Basic credentials its user info carries. */
interface TargetUrl {
  /** The URL without user info. */
  url: URL;
  /** `Basic <base64>` when the URL carried user info, as curl sends it. */
  authorization?: string | undefined;
}

/** Takes the user info out of `text`: percent-escapes are decoded before encoding, as curl does. */
export function splitCredentials(text: string): TargetUrl {
  const url = new URL(text);
  if (!hasCredentials(url)) return { url };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/**
 * The name of the environment variable the curl format reads a secret header from, e.g.
 * `CALLHOOK_HEADER_X_API_KEY` for `X-Api-Key`.
 */
export function secretHeaderVariable(name: string): string {
  return `CALLHOOK_HEADER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
