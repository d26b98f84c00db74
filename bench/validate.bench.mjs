// validate: a 100,000-event export against the naive JSON.parse(readFileSync) + loop baseline
// (target ≤ 1.0× its wall time, peak RSS ≤ 200 MiB), and a 2 GB export (peak RSS ≤ 200 MiB).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureExport, measure, median, ratio, root } from './lib.mjs';

const runs = 3;
const file = await ensureExport(100_000, 'array', 'CallComplete');
const size = statSync(file).size;
const naive = [];
const ours = [];
for (let i = 0; i < runs; i++) {
  naive.push(await measure(process.execPath, [join(root, 'bench', 'naive-validate.mjs'), file]));
  ours.push(await measure(process.execPath, [cli, 'validate', file, '--quiet']));
}
if (ours.some((r) => r.code !== 0)) throw new Error('callhook validate failed on the generated export');
const baseMs = median(naive.map((r) => r.ms));
const oursMs = median(ours.map((r) => r.ms));
const baseRss = Math.max(...naive.map((r) => r.rssMiB));
const oursRss = Math.max(...ours.map((r) => r.rssMiB));

const bigEvents = Number(process.env.CALLHOOK_BENCH_BIG_EVENTS ?? 1_800_000);
const big = await ensureExport(bigEvents, 'array', 'CallComplete');
const bigSize = statSync(big).size;
const bigRun = await measure(process.execPath, [cli, 'validate', big, '--quiet']);
if (bigRun.code !== 0) throw new Error('callhook validate failed on the large export');

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(`## validate

${(100_000).toLocaleString('en-US')} events, ${mb(size)} pretty-printed JSON array of CallComplete events (bench/make-export.mjs --only CallComplete, seed 1); medians of ${runs} interleaved runs, peak RSS the largest seen.

| command | wall time | vs baseline | peak RSS | vs baseline |
|---|---|---|---|---|
| naive \`JSON.parse(readFileSync(f))\` + \`checkEvent\` loop (baseline) | ${(baseMs / 1000).toFixed(2)} s | 1.00× | ${baseRss.toFixed(0)} MiB | 1.00× |
| \`callhook validate f --quiet\` | ${(oursMs / 1000).toFixed(2)} s | ${ratio(oursMs, baseMs)} | ${oursRss.toFixed(0)} MiB | ${ratio(oursRss, baseRss)} |

Targets: wall time ≤ 1.00× (${oursMs <= baseMs ? 'meets' : 'MISSES'}), peak RSS ≤ 200 MiB (${oursRss <= 200 ? 'meets' : 'MISSES'}).

Large export: ${bigEvents.toLocaleString('en-US')} events, ${mb(bigSize)} (${(bigSize / 2 ** 30).toFixed(2)} GiB, larger than V8's longest string): \`callhook validate\` took ${(bigRun.ms / 1000).toFixed(1)} s (${(bigSize / 1e6 / (bigRun.ms / 1000)).toFixed(0)} MB/s) with a peak RSS of ${bigRun.rssMiB.toFixed(0)} MiB = ${ratio(bigRun.rssMiB, 200)} of the 200 MiB budget (${bigRun.rssMiB <= 200 ? 'meets' : 'MISSES'}). The naive baseline cannot read it at all (the file is longer than the longest string V8 allows).`);
