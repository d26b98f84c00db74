/**
 * callhook's version. The build writes it in from package.json (esbuild `define`), so it is
 * right in whichever bundled file imports it; tests get it the same way from vitest's config.
 */
declare const CALLHOOK_VERSION: string;

/** callhook's version, from package.json. */
export const version: string = CALLHOOK_VERSION;
