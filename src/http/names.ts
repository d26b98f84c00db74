/** The closed sets of delivery, apart from the code that uses them so the CLI can list them cheaply. */

/** The characters of an HTTP header name (RFC 9110's token). */
export const headerNameCharacters = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The characters node:http sends in a header value (its validateHeaderValue): anything else fails at send time. */
export const headerValueCharacters = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * One `webhook-signature` entry as the verifier reads it, `<version>,<base64>` (regex source):
 * `v1` is HMAC-SHA256, and any other version (the spec's `v1a`, say) is read and passed over.
 * The OpenAPI document's header pattern is built from it, so the two cannot drift.
 */
export const signatureEntrySource = '[A-Za-z0-9]+,[A-Za-z0-9+/]+={0,2}';

/** The signing schemes `--sign` accepts. */
export const signSchemes = ['standard', 'hmac'] as const;
/** A signing scheme. */
export type SignScheme = (typeof signSchemes)[number];

/** The HTTP methods replay may deliver with. */
export const replayMethods = ['POST', 'PUT'] as const;
/** One of `replayMethods`. */
export type ReplayMethod = (typeof replayMethods)[number];
