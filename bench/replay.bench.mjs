// replay: 20,000 single-event batches at concurrency 16 to a local server that answers 200 at
// once, against `autocannon -c 16 -a 20000` on the same server in the same run (target ≥ 0.6×
// its request rate). The server runs in its own process so it does not share an event loop
// with either client; every request goes to 127.0.0.1 and nowhere else.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  attemptEvent,
  autocannon,
  bareServerSource,
  cli,
  ensureExport,
  measure,
  median,
  pairedRatio,
  ratio,
  root,
  startServer,
  stopServer,
} from './lib.mjs';

const requests = 20_000;
const concurrency = 16;
const runs = 3;

// Simple valid bare CallAttempted events, one per NDJSON line: each line is its own batch.
const event = (/** @type {number} */ n) => attemptEvent(n, 5);
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
const input = join(root, 'bench', 'out', `replay-${requests}.ndjson`);
writeFileSync(input, `${Array.from({ length: requests }, (_, n) => JSON.stringify(event(n))).join('\n')}\n`);
const body = JSON.stringify([event(1)]);

// Hint: autocannon ends a run only on its sample tick (`-L`, 1000 ms by default), and its
// start and finish are those ticks: a 1.05 s run reads as 2.03 s, halving the baseline's rate.
// A 10 ms tick makes its duration true to within 1%.
const load = (/** @type {string} */ url) => autocannon(url, { body, concurrency, requests, sampleMs: 10 });

/**
 * One run of `callhook replay` against the server at `url`.
 * @param {string} url
 * @returns {Promise<{ rate: number, wallRate: number, rssMiB: number }>}
 */
async function replay(url) {
  const reportPath = join(root, 'bench', 'out', 'replay-report.json');
  const args = [cli, 'replay', input, '--url', url, '--concurrency', String(concurrency), '--report', reportPath];
  const run = await measure(process.execPath, args);
  if (run.code !== 0) throw new Error(`callhook replay exited ${run.code}: ${run.stderr}`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  if (report.batches.delivered !== requests) throw new Error(`replay delivered ${report.batches.delivered}`);
  return {
    // From the command's start of delivery to its end: reading, validating, batching and sending.
    rate: report.requests / (report.durationMs / 1000),
    // The whole process, Node's start-up and module loading included.
    wallRate: requests / (run.ms / 1000),
    rssMiB: run.rssMiB,
  };
}

// The large export the validate bench also reads (bench/make-export.mjs, made once and shared).
const bigEvents = Number(process.env.CALLHOOK_BENCH_BIG_EVENTS ?? 1_800_000);
const big = await ensureExport(bigEvents, 'array', 'CallComplete');

const { child, url } = await startServer(['-e', bareServerSource]);
const baseline = [];
const ours = [];
let bigRun;
try {
  // Interleaved, after one warm-up of each, so both see the same machine state.
  await load(url);
  await replay(url);
  for (let i = 0; i < runs; i++) {
    baseline.push(await load(url));
    ours.push(await replay(url));
  }
  // Memory on a large export: one JSON array re-chunked into batches of 100.
  const args = [cli, 'replay', big, '--url', url, '--concurrency', String(concurrency), '--batch-size', '100'];
  bigRun = await measure(process.execPath, args);
  if (bigRun.code !== 0) throw new Error(`callhook replay of the large export exited ${bigRun.code}`);
} finally {
  await stopServer(child);
}

const base = median(baseline);
const rate = median(ours.map((r) => r.rate));
const paired = pairedRatio(
  ours.map((r) => r.rate),
  baseline,
);
const wallRate = median(ours.map((r) => r.wallRate));
const rss = Math.max(...ours.map((r) => r.rssMiB));
const f = (/** @type {number} */ n) => Math.round(n).toLocaleString('en-US');
console.log(`## replay

${f(requests)} single-event batches (NDJSON, one bare CallAttempted per line) at concurrency ${concurrency} to a local \`node:http\` server in its own process that answers 200 at once; medians of ${runs} interleaved runs after one warm-up each.

| client | requests/s | vs baseline |
|---|---|---|
| \`autocannon -c ${concurrency} -a ${requests} -m POST\` (baseline) | ${f(base)} | 1.00× |
| \`callhook replay\`, delivery (reading, validating, batching, sending) | ${f(rate)} | ${ratio(rate, base)} |
| \`callhook replay\`, whole process incl. Node start-up | ${f(wallRate)} | ${ratio(wallRate, base)} |

Median of the per-round ratios (delivery): ${paired.toFixed(2)}×. Target: ≥ 0.60× the baseline's request rate (${rate / base >= 0.6 ? 'meets' : 'MISSES'}). Peak RSS of \`callhook replay\` here: ${rss.toFixed(0)} MiB.

Large export: ${bigEvents.toLocaleString('en-US')} CallComplete events, ${(statSync(big).size / 1e6).toFixed(0)} MB pretty-printed JSON array, \`--batch-size 100\` (${f(bigEvents / 100)} requests): ${(bigRun.ms / 1000).toFixed(1)} s with a peak RSS of ${bigRun.rssMiB.toFixed(0)} MiB = ${ratio(bigRun.rssMiB, 200)} of the 200 MiB budget (${bigRun.rssMiB <= 200 ? 'meets' : 'MISSES'}).`);
