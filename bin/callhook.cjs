#!/usr/bin/env node
// Runs dist/cli.cjs, the CLI as one bundle, compiled with the V8 code cache the build made of it
// (dist/cli.cache): without it, a third of the CPU time of a short run went to compiling the
// modules, which Node 20 cannot cache for ES modules. CommonJS, as the bundle is: an ES module
// here cost every run the start of Node's ES module loader (bench/RESULTS.md, "Start-up").
// A command's worker threads start here too, to load the bundle the same way.
// Hint: dist/ is built by `npm install` (prepare) or `npm run build`; in a clone not yet built,
// say so in one line (exit 2, a usage error) rather than Node's stack. Any other error here is the
// bundle that could not be read (under `ulimit -n`): the error funnel is in the bundle, so it is
// said here.
'use strict';
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join, relative } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');
const { isMainThread } = require('node:worker_threads');

const dist = join(__dirname, '..', 'dist');
const bundle = join(dist, 'cli.cjs');
const cache = join(dist, 'cli.cache');
// Hint: the build's run of `validate` writes the cache as it exits (config/build.mjs).
const writeCache = process.env.CALLHOOK_WRITE_CODE_CACHE === '1' && isMainThread;

/** The bundle's text, once read. */
let source;
try {
  source = readFileSync(bundle, 'utf8');
  const cached = writeCache ? undefined : cachedData();
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __callhookEntry) {${source}\n})`,
    { filename: bundle, cachedData: cached },
  );
  // Hint: for test/startup.test.ts: a cache V8 turns down costs the compile it was made to save,
  // and says nothing else.
  globalThis[Symbol.for('callhook.codeCache')] = !cached ? 'none' : script.cachedDataRejected ? 'rejected' : 'taken';
  if (writeCache) process.once('exit', () => writeFileSync(cache, script.createCachedData()));
  const module = { exports: {} };
  script.runInThisContext()(
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    dist,
    pathToFileURL(__filename).href,
  );
} catch (error) {
  // Hint: in a worker, the command that started it reads the error as a thread that failed.
  if (!isMainThread) throw error;
  const firstLine = String(error?.message ?? error).split('\n')[0];
  const reason = require('node:util').getSystemErrorMap().get(error?.errno)?.[1] ?? firstLine;
  // Hint: a read that fails once the file is open (EISDIR, EIO) names no path.
  const path = typeof error?.path === 'string' ? error.path : source === undefined ? bundle : undefined;
  const file = path === undefined ? '' : relative(join(__dirname, '..'), path);
  const message =
    error?.code === 'ENOENT' && path === bundle
      ? `${file} is missing; run npm install (which builds dist/) first`
      : file
        ? `cannot load ${file}: ${reason}`
        : firstLine;
  // Hint: control characters escaped; errors.ts, which escapes every other line, is in the bundle.
  const escaped = message.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  process.stderr.write(`callhook: ${escaped}\n`);
  process.exitCode = 2;
}

/**
 * The code cache, when it was written after the bundle (a bundle changed since is compiled
 * afresh: V8 checks only that the source has the length the cache was made of).
 */
function cachedData() {
  try {
    return statSync(cache).mtimeMs >= statSync(bundle).mtimeMs ? readFileSync(cache) : undefined;
  } catch {
    return undefined; // none: compiled as it loads
  }
}
