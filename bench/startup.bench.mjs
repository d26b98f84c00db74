// Start-up against `node -e 0`: `callhook --version` (the target is ≤ 1.3×), and a real command on
// a small file, `callhook validate`, as a pre-commit hook or a CI step runs it once per file.
import { cli, measure, median, ratio } from './lib.mjs';

const runs = 25;
const small = 'fixtures/valid/doc-call-complete-repaired.json';
const node = [];
const version = [];
const validate = [];
// Interleaved, so a busy moment on the machine hits all alike.
for (let i = 0; i < runs; i++) {
  node.push((await measure(process.execPath, ['-e', '0'])).ms);
  version.push((await measure(process.execPath, [cli, '--version'])).ms);
  validate.push((await measure(process.execPath, [cli, 'validate', small])).ms);
}
const base = median(node);
const ours = median(version);
const validating = median(validate);
const verdict = ours / base <= 1.3 ? 'meets' : 'MISSES';
// Hint: the heading is the key bench/run.mjs replaces this section by in bench/RESULTS.md; a new
// one would leave the old section there beside it.
console.log(`## Start-up (\`callhook --version\`)

Median of ${runs} interleaved runs each (under /usr/bin/time).

| command | median | vs \`node -e 0\` |
|---|---|---|
| \`node -e 0\` (baseline) | ${base.toFixed(1)} ms | 1.00× |
| \`callhook --version\` | ${ours.toFixed(1)} ms | ${ratio(ours, base)} |
| \`callhook validate ${small}\` | ${validating.toFixed(1)} ms | ${ratio(validating, base)} |

Target for \`--version\` ≤ 1.30×: ${verdict}. \`validate\` has no target: it loads the schemas,
the reader and the renderers of one command, and its ratio shows what a run costs beyond Node's own start.`);
