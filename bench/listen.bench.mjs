// listen: `autocannon -c 16` POSTing a valid batch to `callhook listen --out DIR --compact`
// (validating every body and saving each, both files written and closed, i.e. handed to the
// operating system, before the answer) against the same autocannon run on a bare node:http server
// that reads the body and answers 200, in the same run (target ≥ 0.8× its request rate). A second
// row measures `--durable` (O_DSYNC writes and a folder fsync before each answer), for information.
// Each server runs in its own process; every request goes to 127.0.0.1 only.
// CALLHOOK_BENCH_LISTEN_REQUESTS sets the count (a tiny one smoke-tests the script).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attemptEvent,
  autocannon,
  bareServerSource,
  cli,
  median,
  pairedRatio,
  ratio,
  startServer,
  stopServer,
} from './lib.mjs';

const requests = Number(process.env.CALLHOOK_BENCH_LISTEN_REQUESTS ?? 20_000);
const concurrency = 16;
const runs = Number(process.env.CALLHOOK_BENCH_LISTEN_RUNS ?? 3);

// A small valid batch as the platform sends it: two bare CallAttempted events (~330 bytes).
const body = JSON.stringify([attemptEvent(1, 2), attemptEvent(2, 2)]);
const load = (url) => autocannon(url, { body, concurrency, requests });

const work = mkdtempSync(join(tmpdir(), 'callhook-listen-bench-'));
const bare = await startServer(['-e', bareServerSource]);

/** One measured run of listen: a fresh process and an empty capture folder each time. */
async function listenRun(extra = []) {
  const out = join(work, 'captured');
  rmSync(out, { recursive: true, force: true });
  const server = await startServer([cli, 'listen', '--port', '0', '--out', out, '--compact', ...extra]);
  try {
    await load(server.url); // warm-up: the JIT, and the folder's first files
    const rate = await load(server.url);
    const saved = readdirSync(out).filter((name) => name.endsWith('.json')).length;
    if (saved !== 2 * requests) throw new Error(`listen saved ${saved} of ${2 * requests} deliveries`);
    return rate;
  } finally {
    await stopServer(server.child);
  }
}

const baseline = [];
const ours = [];
const durable = [];
try {
  await load(bare.url); // warm-up
  for (let i = 0; i < runs; i++) {
    baseline.push(await load(bare.url));
    ours.push(await listenRun());
    durable.push(await listenRun(['--durable']));
  }
} finally {
  await stopServer(bare.child);
  rmSync(work, { recursive: true, force: true });
}

const paired = pairedRatio(ours, baseline);
const f = (n) => Math.round(n).toLocaleString('en-US');
console.log(`## listen

\`autocannon -c ${concurrency} -a ${f(requests)} -m POST\` with a ${body.length}-byte batch of two CallAttempted events, each server in its own process; medians of ${runs} interleaved runs after one warm-up each. listen validates every body and saves it (\`--out\`: both files written and closed, so the operating system has them) before answering 200; the \`--durable\` row (for information, no target) also waits for the disk (files written with O_DSYNC and the folder fsynced) before each answer.

| server | requests/s | vs baseline |
|---|---|---|
| bare \`node:http\` answering 200 (baseline) | ${f(median(baseline))} | 1.00× |
| \`callhook listen --out DIR --compact\` | ${f(median(ours))} | ${ratio(median(ours), median(baseline))} |
| \`callhook listen --out DIR --compact --durable\` | ${f(median(durable))} | ${ratio(median(durable), median(baseline))} |

Median of the per-round ratios (without --durable): ${paired.toFixed(2)}×. Target: ≥ 0.80× the baseline's request rate (${paired >= 0.8 ? 'meets' : 'MISSES'}).`);
