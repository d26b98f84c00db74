// Builds dist/: one ESM bundle for the CLI (each command a lazily imported chunk, so
// `callhook --version` loads only commander) and the library entry with its .d.ts files.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
rmSync(join(root, 'dist'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  // Worker threads are entry points of their own: `new Worker()` needs a file, not a chunk.
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', 'summary-worker': 'src/core/summary-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: false,
  logLevel: 'warning',
});

// Hint: declarations come from tsc itself so the published types match the source exactly.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'config/tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
