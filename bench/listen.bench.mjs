// listen: `autocannon -c 16` POSTing a valid batch to `callhook listen --out DIR --compact`
// (validating every body and saving each, both files written and closed, i.e. handed to the
// operating system, before the answer) against the same autocannon run on a bare node:http server
// that reads the body and answers 200, in the same run (target ≥ 0.8× its request rate). A second
// row measures `--durable` (O_DSYNC writes and a folder fsync before each answer), for information.
// Each server runs in its own process; every request goes to 127.0.0.1 only.
// CALLHOOK_BENCH_LISTEN_REQUESTS sets the count (a tiny one smoke-tests the script).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, median, pairedRatio, ratio, root } from './lib.mjs';

const requests = Number(process.env.CALLHOOK_BENCH_LISTEN_REQUESTS ?? 20_000);
const concurrency = 16;
const runs = Number(process.env.CALLHOOK_BENCH_LISTEN_RUNS ?? 3);

const bareSource = `
const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end()); });
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + server.address().port + '/\\n'));
`;

/** Starts a server process and resolves with its URL, read from the start-up line on stderr. */
function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    child.stderr.on('data', (d) => {
      err += d;
      const match = /listening on (http:\/\/\S+)/.exec(err);
      if (match) resolve({ child, url: match[1] });
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('close');
    child.on('close', resolve);
    child.kill('SIGTERM');
  });
}

// A small valid batch as the platform sends it: two bare CallAttempted events (~330 bytes).
const campaignId = '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31';
const event = (n) => ({
  time: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
  phone: '61491573087',
  status: n % 2 ? 'failed' : 'success',
  ...(n % 2 ? { note: 'no answer' } : {}),
  campaignId,
});
const body = JSON.stringify([event(1), event(2)]);

async function autocannon(url) {
  const bin = join(root, 'node_modules', '.bin', 'autocannon');
  const args = ['-c', String(concurrency), '-a', String(requests), '-m', 'POST'];
  args.push('-H', 'content-type=application/json', '-b', body, '--json', url);
  const { code, out } = await new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  if (code !== 0) throw new Error(`autocannon exited ${code}`);
  const result = JSON.parse(out);
  if (result['2xx'] !== requests) {
    throw new Error(
      `autocannon: ${result['2xx']} of ${requests} answered 2xx (${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors)`,
    );
  }
  return result['2xx'] / ((Date.parse(result.finish) - Date.parse(result.start)) / 1000);
}

const work = mkdtempSync(join(tmpdir(), 'callhook-listen-bench-'));
const bare = await startServer(['-e', bareSource]);

/** One measured run of listen: a fresh process and an empty capture folder each time. */
async function listenRun(extra = []) {
  const out = join(work, 'captured');
  rmSync(out, { recursive: true, force: true });
  const server = await startServer([cli, 'listen', '--port', '0', '--out', out, '--compact', ...extra]);
  try {
    await autocannon(server.url); // warm-up: the JIT, and the folder's first files
    const rate = await autocannon(server.url);
    const saved = readdirSync(out).filter((name) => name.endsWith('.json')).length;
    if (saved !== 2 * requests) throw new Error(`listen saved ${saved} of ${2 * requests} deliveries`);
    return rate;
  } finally {
    await stop(server.child);
  }
}

const baseline = [];
const ours = [];
const durable = [];
try {
  await autocannon(bare.url); // warm-up
  for (let i = 0; i < runs; i++) {
    baseline.push(await autocannon(bare.url));
    ours.push(await listenRun());
    durable.push(await listenRun(['--durable']));
  }
} finally {
  await stop(bare.child);
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
