// listen: `autocannon -c 16` POSTing a valid batch to `callhook listen --out DIR --compact`
// (validating every body and saving each, its body (a line of the run's .ndjson file) and its
// line of deliveries.meta written, i.e. handed to the operating system, before the answer) against the same autocannon run on a
// bare node:http server that reads the body and answers 200, in the same run (target ≥ 0.8× its
// request rate). Rows for information: `--durable` (waiting for the disk before each answer), and
// listen checking without saving (what the capture costs). Each row also says how much of a core
// the server kept busy, and the CPU per request that 0.8× would allow a one-thread server. Peers,
// for information: the receivers a team writes by hand, Fastify and Express parsing the JSON body
// and answering it (bench/peers/receivers.mjs, installed into bench/.peers). Each server runs in
// its own process; every request goes to 127.0.0.1 only.
// CALLHOOK_BENCH_LISTEN_REQUESTS sets the count (a tiny one smoke-tests the script),
// CALLHOOK_BENCH_LISTEN_RUNS the rounds.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attemptEvent,
  autocannon,
  bareServerSource,
  cli,
  ensurePeers,
  median,
  pairedRatio,
  ratio,
  root,
  startServer,
  stopServer,
} from './lib.mjs';

const requests = Number(process.env.CALLHOOK_BENCH_LISTEN_REQUESTS ?? 20_000);
const concurrency = 16;
const runs = Number(process.env.CALLHOOK_BENCH_LISTEN_RUNS ?? 7);

// A small valid batch as the platform sends it: two bare CallAttempted events (~330 bytes).
const body = JSON.stringify([attemptEvent(1, 2), attemptEvent(2, 2)]);

/**
 * The CPU time (user + system) a process has used so far, in µs, from /proc; undefined where
 * there is no /proc (the bench then leaves the CPU column out).
 * @param {number | undefined} pid
 * @returns {number | undefined}
 */
function cpuMicros(pid) {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return undefined;
  // Hint: the command name (field 2) may hold spaces, so fields are counted after its `)`.
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15
  return (ticks * 1e6) / clockTicks;
}
// Hint: /proc counts in clock ticks, USER_HZ, which is 100 on every Linux that ships Node.
const clockTicks = 100;

/** @typedef {{ rate: number, cpuPerRequest: number | undefined }} Load */

/**
 * One autocannon run against `server`: its request rate, and the server's CPU µs per request. A
 * 10 ms sample tick, as in replay.bench.mjs: autocannon's run starts and ends on its tick, so the
 * default 1 s tick reads a 1.05 s run as 2.03 s and halves the baseline's rate.
 * @param {Awaited<ReturnType<typeof startServer>>} server
 * @returns {Promise<Load>}
 */
async function load(server) {
  const cpuBefore = cpuMicros(server.child.pid);
  const rate = await autocannon(server.url, { body, concurrency, requests, sampleMs: 10 });
  const cpuAfter = cpuMicros(server.child.pid);
  const cpuPerRequest =
    cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / requests;
  return { rate, cpuPerRequest };
}

// For information: a bare node:http server that keeps the body and answers a small JSON body
// with its headers, as listen's 200 is; the floor under any receiver that says what it accepted.
const answeringServerSource = `
const http = require('node:http');
const text = '{"ok":true,"events":2}\\n';
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.writeHead(200, ['content-type', 'application/json', 'content-length', String(text.length)]);
    res.end(text);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + server.address().port + '/\\n'));
`;

const missingPeers = ensurePeers();
/** The hand-written receivers that could be installed, by name. */
const receivers = ['fastify', 'express'].filter((name) => !missingPeers.includes(name));
const receiverScript = join(root, 'bench', 'peers', 'receivers.mjs');

const work = mkdtempSync(join(tmpdir(), 'callhook-listen-bench-'));
const bare = await startServer(['-e', bareServerSource]);
const answering = await startServer(['-e', answeringServerSource]);

/**
 * One measured run of listen: a fresh process and an empty capture folder each time.
 * @param {string[]} [extra] more options for listen
 */
async function listenRun(extra = []) {
  const out = join(work, 'captured');
  rmSync(out, { recursive: true, force: true });
  const capture = extra.includes('--no-out') ? [] : ['--out', out];
  const options = extra.filter((option) => option !== '--no-out');
  const server = await startServer([cli, 'listen', '--port', '0', ...capture, '--compact', ...options]);
  try {
    await load(server); // warm-up: the JIT, and the folder's first files
    const run = await load(server);
    if (capture.length === 0) return run;
    // Every delivery is described by a line of the log, and its body is a line of the .ndjson file.
    const lines = (/** @type {string} */ name) => readFileSync(join(out, name), 'utf8').split('\n').length - 1;
    const bodies = readdirSync(out).filter((name) => name.endsWith('.ndjson'));
    const saved = [lines('deliveries.meta'), bodies.length === 1 ? lines(bodies[0] ?? '') : 0];
    if (saved.some((count) => count !== 2 * requests)) {
      throw new Error(`listen saved ${saved.join(' and ')} of ${2 * requests} deliveries`);
    }
    return run;
  } finally {
    await stopServer(server.child);
  }
}

/** @type {Load[]} */
const baseline = [];
/** @type {Load[]} */
const ours = [];
/** @type {Load[]} */
const durable = [];
/** @type {Load[]} */
const floor = [];
/** @type {Load[]} */
const unsaved = [];
/** @type {Record<string, Load[]>} */
const byReceiver = Object.fromEntries(receivers.map((name) => [name, []]));

/** One measured run of a hand-written receiver, in a fresh process as listen's are. */
async function receiverRun(/** @type {string} */ name) {
  const server = await startServer([receiverScript, name]);
  try {
    await load(server); // warm-up
    return await load(server);
  } finally {
    await stopServer(server.child);
  }
}
try {
  await load(bare); // warm-up
  await load(answering);
  for (let i = 0; i < runs; i++) {
    baseline.push(await load(bare));
    floor.push(await load(answering));
    ours.push(await listenRun());
    durable.push(await listenRun(['--durable']));
    unsaved.push(await listenRun(['--no-out']));
    for (const name of receivers) byReceiver[name]?.push(await receiverRun(name));
  }
} finally {
  await stopServer(bare.child);
  await stopServer(answering.child);
  rmSync(work, { recursive: true, force: true });
}

const rates = (/** @type {Load[]} */ runs) => runs.map((run) => run.rate);
const paired = pairedRatio(rates(ours), rates(baseline));
const f = (/** @type {number} */ n) => Math.round(n).toLocaleString('en-US');
const cpu = (/** @type {Load[]} */ runs) => {
  const values = runs.map((run) => run.cpuPerRequest);
  return values.every((value) => value !== undefined) ? `${median(values).toFixed(0)} µs` : 'n/a';
};
// How much of a core the server kept busy: its CPU per request times its rate.
const cores = (/** @type {Load[]} */ runs) => {
  const values = runs.map((run) =>
    run.cpuPerRequest === undefined ? undefined : (run.cpuPerRequest * run.rate) / 1e6,
  );
  return values.every((value) => value !== undefined) ? median(values).toFixed(2) : 'n/a';
};
const row = (/** @type {string} */ what, /** @type {Load[]} */ runs) =>
  `| ${what} | ${f(median(rates(runs)))} | ${ratio(median(rates(runs)), median(rates(baseline)))} | ${cpu(runs)} | ${cores(runs)} |`;
/** @type {Record<string, string>} */
const receiverLabels = {
  fastify: 'Fastify 5 parsing the JSON body and answering it, nothing else',
  express: 'Express 5 with `express.json()`, parsing the body and answering it, nothing else',
};
const missingReceivers = ['fastify', 'express'].filter((name) => !receivers.includes(name));
// A server that answers on one thread cannot serve more requests a second than one core allows:
// 0.80× the baseline's rate needs its CPU per request within one core ÷ (0.80 × that rate).
const budget = 1e6 / (0.8 * median(rates(baseline)));
console.log(`## listen

\`autocannon -L 10 -c ${concurrency} -a ${f(requests)} -m POST\` with a ${body.length}-byte batch of two CallAttempted events, each server in its own process; medians of ${runs} interleaved runs after one warm-up each. listen validates every body and saves it (\`--out\`: the body, a line of the run's \`.ndjson\` file, and the delivery's description written, so the operating system has them) before answering 200; the \`--durable\` row (for information, no target) also waits for the disk before each answer. CPU is the server process's user + system time per request (from /proc).

| server | requests/s | vs baseline | CPU per request | cores busy |
|---|---|---|---|---|
${row('bare `node:http` answering 200 (baseline)', baseline)}
${row('bare `node:http` keeping the body, answering a JSON body as listen does (for information)', floor)}
${row('`callhook listen --compact`, checking without saving (for information)', unsaved)}
${row('`callhook listen --out DIR --compact`', ours)}
${row('`callhook listen --out DIR --compact --durable`', durable)}
${receivers.map((name) => row(`${receiverLabels[name]} (a peer, for information)`, byReceiver[name] ?? [])).join('\n')}

${missingReceivers.length > 0 ? `(${missingReceivers.join(' and ')} could not be installed into bench/.peers: no row.)\n\n` : ''}Median of the per-round ratios (without --durable): ${paired.toFixed(2)}×. Target: ≥ 0.80× the baseline's request rate (${paired >= 0.8 ? 'meets' : 'MISSES'}).

"Cores busy" is the server process's CPU per request times its rate. A server that answers on one thread reaches 0.80× the baseline only if its CPU per request stays within one core ÷ (0.80 × the baseline's rate): ${budget.toFixed(0)} µs in this run, against ${cpu(baseline)} for the baseline itself and ${cpu(ours)} for listen saving each delivery.`);
