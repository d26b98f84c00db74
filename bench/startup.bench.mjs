// `callhook --version` start-up against `node -e 0`: the target is ≤ 1.3×.
import { cli, measure, median, ratio } from './lib.mjs';

const runs = 25;
const node = [];
const callhook = [];
// Interleaved, so a busy moment on the machine hits both alike.
for (let i = 0; i < runs; i++) {
  node.push((await measure(process.execPath, ['-e', '0'])).ms);
  callhook.push((await measure(process.execPath, [cli, '--version'])).ms);
}
const base = median(node);
const ours = median(callhook);
const verdict = ours / base <= 1.3 ? 'meets' : 'MISSES';
console.log(`## Start-up (\`callhook --version\`)

Median of ${runs} interleaved runs each (under /usr/bin/time).

| command | median | vs \`node -e 0\` |
|---|---|---|
| \`node -e 0\` (baseline) | ${base.toFixed(1)} ms | 1.00× |
| \`callhook --version\` | ${ours.toFixed(1)} ms | ${ratio(ours, base)} |

Target ≤ 1.30×: ${verdict}.`);
