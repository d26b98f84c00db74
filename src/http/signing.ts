/**
 * Request signing: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`)
 * and a plain hex HMAC-SHA256 header. Pure apart from reading the clock the caller passes in.
 */
import { createHmac } from 'node:crypto';
import { CallhookError, ExitCode } from '../errors.js';

import { defaultHmacHeader, defaultSecretEnv, type SignScheme } from './names.js';

export type { SignScheme } from './names.js';

/** Turns request facts into the headers that sign it; called for each request: each attempt, each hop of a followed redirect, the re-send after a 417. */
export type Signer = (webhookId: string, body: Buffer, now: Date) => Record<string, string>;

/**
 * Decodes one Standard Webhooks secret, `whsec_<base64>` (the prefix optional); `name` says which
 * in an error. Hint: errors here must never quote the secret itself, only say which part is wrong.
 */
function decodeStandardSecret(secret: string, name: string): Buffer {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const parts = /^([A-Za-z0-9+/]*)(=*)$/.exec(base64);
  const letters = parts?.[1] ?? '';
  const padding = parts?.[2] ?? '';
  // Hint: base64 padded to a multiple of 4 or not at all, and of 4 characters or more. The
  // standardwebhooks package refuses `ab=` and `abc` ("incorrect padding"), which Buffer reads as
  // keys of one and two bytes, and `x=`, which Buffer reads as none; it takes `AAAAA` and `AAAA=`,
  // decoding the whole groups of 4 and passing over the rest, which this refuses: a key is all of
  // the secret or none.
  const valid =
    parts !== null &&
    base64.length >= 4 &&
    letters.length % 4 !== 1 &&
    (padding === '' || (padding.length <= 2 && base64.length % 4 === 0));
  if (!valid) {
    // Hint: `whsec_A whsec_B` is a list written as a shell word list would be; a line break is a
    // tool's wrapping (`openssl rand -base64 64` wraps at 64 characters), not a list.
    // Hint: no command in the hint: a terminal shows its `\n` escaped, and one copied so breaks the secret.
    const hint =
      /[\r\n]/.test(base64) && !/\swhsec_/.test(base64)
        ? '; it holds a line break, as a tool that wraps base64 writes it: write it on one line'
        : /\s/.test(base64)
          ? '; several secrets are separated by commas'
          : '';
    throw new CallhookError(
      `${name} is not a Standard Webhooks secret (expected whsec_<base64>)${hint}`,
      ExitCode.usage,
    );
  }
  return Buffer.from(base64, 'base64');
}

/**
 * The environment variable `--secret-env` named, as an error names it: by its name only when it
 * is the default. Hint: `--secret-env "$SECRET"` puts the secret where the name goes, and a secret
 * of capitals and digits (`DEADBEEF0123CAFE`) reads as a name as well as `My_Hmac_Secret_2024`.
 */
function shownVariable(envName: string): { short: string; long: string } {
  return envName === defaultSecretEnv
    ? { short: envName, long: `the environment variable ${envName}` }
    : { short: 'the variable --secret-env names', long: 'the environment variable --secret-env names' };
}

/**
 * The secrets one string holds, read as the environment variable `--secret-env` names is read
 * (and a library caller's string): comma-separated (key rotation), each trimmed of blanks (an env
 * file's CR or a space after a comma), empty ones left out. The one reading of a secret string;
 * its secrets are numbered among themselves (`a,,b` holds #1 and #2), in errors as in verdicts.
 */
export function splitSecrets(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * One secret's HMAC key: a Standard Webhooks secret is `whsec_<base64>` (the prefix optional, as
 * the reference library allows), an `hmac` one its UTF-8 bytes; `name` says which in an error.
 */
export function secretKey(secret: string, scheme: SignScheme, name: string): Buffer {
  return scheme === 'standard' ? decodeStandardSecret(secret, name) : Buffer.from(secret, 'utf8');
}

/**
 * The HMAC keys of the secrets in the environment variable `envName` (`raw` is its value);
 * `chosen` says how the scheme was chosen when there are none (`--sign hmac`, or a default).
 */
export function parseSecrets(
  raw: string | undefined,
  scheme: SignScheme,
  envName: string,
  chosen = `--sign ${scheme}`,
): Buffer[] {
  const variable = shownVariable(envName);
  const parts = splitSecrets(raw ?? '');
  if (parts.length === 0) {
    throw new CallhookError(`${chosen} needs a secret in ${variable.long} (never on the command line)`, ExitCode.usage);
  }
  return parts.map((secret, i) => secretKey(secret, scheme, `secret #${i + 1} in ${variable.short}`));
}

/** The Standard Webhooks signature header value: `v1,<base64>` for each key, space-separated. */
export function signStandardWebhook(
  webhookId: string | Buffer,
  timestamp: number,
  body: Buffer,
  keys: readonly Buffer[],
): string {
  return keys
    .map((key) => {
      const hmac = createHmac('sha256', key);
      // Hint: an id as text is its UTF-8; as bytes, those bytes (verify's diagnosis of an id that is not UTF-8).
      hmac.update(webhookId);
      hmac.update(`.${timestamp}.`);
      hmac.update(body);
      return `v1,${hmac.digest('base64')}`;
    })
    .join(' ');
}

/** The hex HMAC-SHA256 of the body for each key, comma-separated. */
export function signHmacHex(body: Buffer, keys: readonly Buffer[]): string {
  return keys.map((key) => createHmac('sha256', key).update(body).digest('hex')).join(',');
}

/** A `Signer` for the scheme: Standard Webhooks takes a fresh timestamp on every request. */
export function createSigner(scheme: SignScheme, keys: readonly Buffer[], signatureHeader = defaultHmacHeader): Signer {
  if (scheme === 'standard') {
    return (webhookId, body, now) => {
      const timestamp = Math.floor(now.getTime() / 1000);
      return {
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(webhookId, timestamp, body, keys),
      };
    };
  }
  return (_webhookId, body) => ({ [signatureHeader.toLowerCase()]: signHmacHex(body, keys) });
}
