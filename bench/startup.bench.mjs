// Start-up against `node -e 0`: `callhook --version` (the target is ≤ 1.3×), and a real command on
// a small file, `callhook validate`, as a pre-commit hook or a CI step runs it once per file.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, measure, median, ratio, root } from './lib.mjs';

const runs = 25;
const small = 'fixtures/valid/doc-call-complete-repaired.json';
/** @typedef {import('./lib.mjs').Measurement} Measurement */
/** @type {Measurement[]} */ const node = [];
/** @type {Measurement[]} */ const version = [];
/** @type {Measurement[]} */ const validate = [];
/** @type {Measurement[]} */ const empty = [];
/** @type {Measurement[]} */ const commander = [];
/** @type {Measurement[]} */ const uncached = [];
// The same bin and bundle without the code cache the build makes (dist/cli.cache), to show what it saves.
const bare = join(root, 'bench', 'out', 'no-code-cache');
for (const file of ['bin/callhook.cjs', 'dist/cli.cjs']) {
  mkdirSync(join(bare, file, '..'), { recursive: true });
  copyFileSync(join(root, file), join(bare, file));
}
// Interleaved, so a busy moment on the machine hits all alike.
for (let i = 0; i < runs; i++) {
  node.push(await measure(process.execPath, ['-e', '0']));
  version.push(await measure(process.execPath, [cli, '--version']));
  validate.push(await measure(process.execPath, [cli, 'validate', small]));
  uncached.push(await measure(process.execPath, [join(bare, 'bin', 'callhook.cjs'), 'validate', small]));
  empty.push(await measure(process.execPath, ['bench/peers/empty.cjs']));
  commander.push(await measure(process.execPath, ['bench/peers/commander-version.cjs', '--version']));
}
/** @param {Measurement[]} runs */
const wall = (runs) => median(runs.map((run) => run.ms));
/** @param {Measurement[]} runs */
const cpu = (runs) => median(runs.map((run) => run.cpuMs));
const base = wall(node);
const ours = wall(version);
/** A row: the command, its median wall time and CPU time, each as a ratio to `node -e 0`'s. */
const row = (/** @type {string} */ label, /** @type {Measurement[]} */ runs) =>
  `| ${label} | ${wall(runs).toFixed(1)} ms | ${ratio(wall(runs), base)} | ${cpu(runs).toFixed(0)} ms | ${ratio(cpu(runs), cpu(node))} |`;
const verdict = ours / base <= 1.3 ? 'meets' : 'MISSES';
// Hint: the heading is the key bench/run.mjs replaces this section by in bench/RESULTS.md; a new
// one would leave the old section there beside it.
console.log(`## Start-up (\`callhook --version\`)

Median of ${runs} interleaved runs each (under /usr/bin/time).

| command | median wall time | vs \`node -e 0\` | median CPU time | vs \`node -e 0\` |
|---|---|---|---|---|
${row('`node -e 0` (baseline)', node)}
${row('`callhook --version`', version)}
${row(`\`callhook validate ${small}\``, validate)}
${row(`the same \`validate\` without the code cache (for information)`, uncached)}
${row('a floor: an empty CommonJS file (bench/peers/empty.cjs; for information)', empty)}
${row('a floor: commander alone printing a version (bench/peers/commander-version.cjs; for information)', commander)}

Target for \`--version\` ≤ 1.30× (wall time): ${verdict}. \`validate\` has no target: it initialises the
schemas, the reader and the renderers of one command, and its ratio shows what a run costs beyond
Node's own start. The CLI is one bundle, compiled from the code cache the build makes of it: the row
without the cache runs a copy of bin/ and the bundle alone. The floors show what the target leaves
room for: a CommonJS entry alone, and commander alone with no command declared, both of which
\`callhook --version\` includes; it also reads the whole bundle and its cache.`);
