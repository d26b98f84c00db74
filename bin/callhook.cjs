#!/usr/bin/env node
// Runs dist/cli.cjs, the CLI as one bundle, compiled with the V8 code cache the build made of it
// (dist/cli.cache): without it, a third of the CPU time of a short run went to compiling the
// modules, which Node 20 cannot cache for ES modules. CommonJS, as the bundle is: an ES module
// here cost every run the start of Node's ES module loader (bench/RESULTS.md, "Start-up").
// A command's worker threads start here too, to load the bundle the same way.
// Hint: dist/ is built by `npm install` (prepare) or `npm run build`; in a clone not yet built,
// say so in one line (exit 2, a usage error) rather than Node's stack. Any other error here is the
// bundle that could not be read (its permissions): the error funnel is in the bundle, so it is
// said here. CALLHOOK_WRITE_CODE_CACHE=1 is for the build alone (config/build.mjs).
'use strict';
const { hash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join, relative } = require('node:path');
const { setFlagsFromString } = require('node:v8');
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
  const bytes = readFileSync(bundle);
  source = bytes.toString('utf8');
  // Hint: the cache is this digest of the bundle it was made of, then V8's data (see `saveCache`).
  const digest = hash('sha256', bytes, 'buffer');
  const cached = writeCache ? undefined : cachedData(digest);
  const script = checksummed(
    () =>
      new Script(
        `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
        // Hint: the name the cache keeps, and stacks show on a cache hit: the build's own path was
        // there, in every copy of the package (hR135). The same name wherever callhook is installed.
        { filename: 'callhook/dist/cli.cjs', cachedData: cached },
      ),
  );
  // Hint: for test/startup.test.ts: a cache V8 turns down costs the compile it was made to save,
  // and says nothing else.
  globalThis[Symbol.for('callhook.codeCache')] = !cached ? 'none' : script.cachedDataRejected ? 'rejected' : 'taken';
  if (writeCache) process.once('exit', () => saveCache(script, digest));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dist);
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
 * What `make` returns, made with V8 writing and checking a checksum of each code cache. Hint: V8
 * checks a cache against the source's length alone, and by default took one whose bytes were
 * damaged: Node crashed with "unreachable code" or SIGSEGV on every run, even `--version` (red
 * team hR135). The flag is part of what V8 checks every cache against, Node's own modules' too,
 * which it would then compile afresh as they load (13 ms of a short `validate`): it is on only
 * while the bundle's cache is made or read.
 */
function checksummed(make) {
  setFlagsFromString('--verify-snapshot-checksum');
  try {
    return make();
  } finally {
    setFlagsFromString('--no-verify-snapshot-checksum');
  }
}

/**
 * Writes the code cache as a run exits, for the build: the SHA-256 `digest` of the bundle it is
 * made of, then V8's data. A cache that cannot be written is one line and exit 2, which fails the
 * build (`CALLHOOK_WRITE_CODE_CACHE` set by hand on a dist/ that cannot be written printed Node's
 * stack: hR135).
 */
function saveCache(script, digest) {
  try {
    writeFileSync(cache, Buffer.concat([digest, checksummed(() => script.createCachedData())]));
  } catch (error) {
    const reason = require('node:util').getSystemErrorMap().get(error?.errno)?.[1] ?? String(error?.message);
    process.stderr.write(`callhook: cannot write dist/cli.cache: ${reason}\n`);
    process.exitCode = 2;
  }
}

/**
 * V8's data from the code cache, when the cache was made of this very bundle (its `digest`).
 * Hint: V8 checks a cache only against the length of the source, so another build's cache of a
 * bundle of the same length was taken: its code ran as this version's, or a function it lacked
 * was compiled from this bundle at the other's offsets, a SyntaxError on every run (red team
 * hR136). An earlier check by the files' times failed the other way: npm writes a package's files
 * in turn, the cache before the bundle, so an installed cache was never read (hR136).
 */
function cachedData(digest) {
  try {
    const file = readFileSync(cache);
    return file.length > digest.length && digest.equals(file.subarray(0, digest.length))
      ? file.subarray(digest.length)
      : undefined;
  } catch {
    return undefined; // none: compiled as it loads
  }
}
