/**
 * callhook's version and licence. The build writes them in from package.json (esbuild `define`),
 * so they are right in whichever bundled file imports them; tests get them the same way from
 * vitest's config.
 */
declare const CALLHOOK_VERSION: string;
declare const CALLHOOK_LICENSE: string;

/** callhook's version, from package.json. */
export const version: string = CALLHOOK_VERSION;

/** callhook's licence (an SPDX expression), from package.json. */
export const license: string = CALLHOOK_LICENSE;
