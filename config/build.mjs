// Builds dist/: one bundle for the CLI with its code cache, and the library entry with its .d.ts files.
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

// The CLI is one CommonJS bundle, dependencies included, which bin/callhook.cjs compiles with the
// V8 code cache made below: an ES module has no code cache on Node 20, and compiling the modules
// was most of the start-up cost (bench/RESULTS.md, "Start-up"). Each module is initialised only
// when a command imports it. Hint: `import.meta.url` is bin/callhook.cjs's (config/entry-url.mjs):
// the workers of a command are started from it, to load the bundle with the cache as well.
await build({
  ...common,
  format: 'cjs',
  entryPoints: { cli: 'src/entry.ts' },
  outExtension: { '.js': '.cjs' },
  outdir: 'dist',
  // Hint: jsonc-parser's "main" is a UMD build whose inner require() calls a bundler cannot
  // follow; its "module" build is plain ESM.
  mainFields: ['module', 'main'],
  plugins: [lazyChildProcess],
  // Hint: every thread holds the whole bundle's text and its top level. Whitespace and syntax
  // minified (names kept, so stacks still name functions), it is 0.86 MB instead of 1.28: summarise
  // of the 2 GB export on two threads peaked at 201-209 MiB against a 200 MiB target, 195 now, as
  // the chunked ES modules before it (by hand, 2026-12-08).
  minifyWhitespace: true,
  minifySyntax: true,
  inject: ['config/entry-url.mjs'],
  define: { ...common.define, 'import.meta.url': 'entryUrl' },
});

// The code cache: V8's compiled code of the bundle as a run of `validate` left it (the reading,
// checking and printing every command shares), written by bin/callhook.cjs as that run exits. A
// Node whose V8 cannot use it (another version) compiles the bundle as if there were none.
execFileSync(process.execPath, [join(root, 'bin', 'callhook.cjs'), 'validate', 'fixtures/valid'], {
  cwd: root,
  env: { ...process.env, CALLHOOK_WRITE_CODE_CACHE: '1', NO_COLOR: '1' },
  stdio: ['ignore', 'ignore', 'inherit'],
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
