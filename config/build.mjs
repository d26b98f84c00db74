// Builds dist/: one ESM bundle for the CLI (each command a lazily imported chunk, so
// `callhook --version` loads only commander) and the library entry with its .d.ts files.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
rmSync(join(root, 'dist'), { recursive: true, force: true });

/** @type {{ version: string, license: string, dependencies: Record<string, string> }} */
const { version, license, dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // The version and licence are written in at build time, so they are right in whichever chunk imports them.
  define: { CALLHOOK_VERSION: JSON.stringify(version), CALLHOOK_LICENSE: JSON.stringify(license) },
};

// Hint: loading node:child_process is a cost of every start (bench/RESULTS.md, "Figures behind
// code comments"), and only two things import it: commander when it loads, only to spawn
// executable subcommands, which callhook has none of, and src/commands/output.ts, to start a
// terminal's pager. Each gets a spawn (all either uses) that loads it on first use instead.
/** @type {import('esbuild').Plugin} */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(builder) {
    // Hint: not the stand-in's own require, which would resolve to the stand-in again.
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.namespace === 'lazy' ? undefined : { path: 'child_process', namespace: 'lazy' },
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "exports.spawn = (...args) => require('node:child_process').spawn(...args);",
      loader: 'js',
    }));
  },
};

// Hint: `import process from 'node:process'` (chalk's supports-color) makes Node build the ES
// module's exports from every property of process, stdin's getter too: a piped stdin is then
// made non-blocking while the command runs, which a pipe's other readers share (they fail with
// EAGAIN). The global is the same object, and reading it touches nothing; as a CommonJS module it
// serves commander's require('process') too.
/** @type {import('esbuild').Plugin} */
const globalProcess = {
  name: 'global-process',
  setup(builder) {
    builder.onResolve({ filter: /^(node:)?process$/ }, () => ({ path: 'process', namespace: 'global' }));
    builder.onLoad({ filter: /.*/, namespace: 'global' }, () => ({
      contents: 'module.exports = process;',
      loader: 'js',
    }));
  },
};

// The CLI bundles its dependencies: one file to load instead of dozens from node_modules is
// most of the start-up cost. Each command is a chunk imported only when it runs.
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Hint: jsonc-parser's "main" is a UMD build whose inner require() calls a bundler cannot
  // follow; its "module" build is plain ESM.
  mainFields: ['module', 'main'],
  plugins: [lazyChildProcess, globalProcess],
  // Hint: commander is CommonJS; inside an ESM bundle its require() calls need a real require.
  banner: {
    js: "import { createRequire as __callhookRequire } from 'node:module'; const require = __callhookRequire(import.meta.url);",
  },
});

// The library leaves its dependencies to the user's node_modules, so valibot is shared; what else
// it reaches (jsonc-parser, the width tables for the columns of its code frame) is bundled in, as
// the CLI's is. Hint: jsonc-parser's UMD main, left to an app's bundler, crashed the app at start
// ("Dynamic require of ./impl/format"); bundled from its ESM build here, no app sees it.
await build({
  ...common,
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  mainFields: ['module', 'main'],
  external: Object.keys(dependencies),
});

// Declarations come from tsc itself so the published types match the source exactly.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'config/tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
