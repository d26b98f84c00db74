// Start-up against `node -e 0`: `callhook --version` (the target is ≤ 1.3×), and a real command on
// a small file, `callhook validate`, as a pre-commit hook or a CI step runs it once per file.
import { cli, measure, median, ratio } from './lib.mjs';

const runs = 25;
const small = 'fixtures/valid/doc-call-complete-repaired.json';
/** @typedef {import('./lib.mjs').Measurement} Measurement */
/** @type {Measurement[]} */ const node = [];
/** @type {Measurement[]} */ const version = [];
/** @type {Measurement[]} */ const validate = [];
/** @type {Measurement[]} */ const empty = [];
/** @type {Measurement[]} */ const commander = [];
// Interleaved, so a busy moment on the machine hits all alike.
for (let i = 0; i < runs; i++) {
  node.push(await measure(process.execPath, ['-e', '0']));
  version.push(await measure(process.execPath, [cli, '--version']));
  validate.push(await measure(process.execPath, [cli, 'validate', small]));
  empty.push(await measure(process.execPath, ['bench/peers/empty.mjs']));
  commander.push(await measure(process.execPath, ['bench/peers/commander-version.mjs', '--version']));
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
${row('a floor: an empty ES module (bench/peers/empty.mjs; for information)', empty)}
${row('a floor: commander alone printing a version (bench/peers/commander-version.mjs; for information)', commander)}

Target for \`--version\` ≤ 1.30× (wall time): ${verdict}. \`validate\` has no target: it loads the schemas,
the reader and the renderers of one command, and its ratio shows what a run costs beyond Node's own start.
The floors show what the target leaves room for: an ES module entry alone, and commander alone
with no command declared, both of which \`callhook --version\` includes.`);
