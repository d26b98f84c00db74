// Shared helpers for the benchmarks: timing child processes, peak RSS, medians, Markdown rows.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Hint: where NODE_EXTRA_CA_CERTS is set (this machine points it at the system's whole CA bundle),
// each Node start parses that file first: about 150 ms of CPU that a user's machine does not
// spend, and that hid callhook's own start-up (`node -e 0` took 125 ms, `--version` 1.27x that;
// without it, 55 ms and twice that). No process a bench measures inherits it; npm, which may
// need it to reach the registry, is given it back.
const caCertificates = process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_EXTRA_CA_CERTS;
const npmEnv = caCertificates === undefined ? process.env : { ...process.env, NODE_EXTRA_CA_CERTS: caCertificates };

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The built CLI. */
export const cli = join(root, 'bin', 'callhook.cjs');

/**
 * One run of a command: its exit code (null when a signal ended it), wall time, CPU time (user +
 * system, all its threads), peak RSS and stderr (less GNU time's last line).
 * @typedef {{ code: number | null, ms: number, cpuMs: number, rssMiB: number, stderr: string }} Measurement
 */

/**
 * Runs a command to completion and returns its wall time and CPU time in ms and its peak RSS in
 * MiB (measured by GNU time: %U + %S, and %M, which covers the whole process tree's largest member).
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ stdout?: 'ignore' | 'inherit' | number, env?: NodeJS.ProcessEnv }} [options] `stdout` a file descriptor to keep the output
 * @returns {Promise<Measurement>}
 */
export function measure(command, args, { stdout = 'ignore', env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const timeArgs = ['-f', '%M %U %S', command, ...args];
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', timeArgs, { stdio: ['ignore', stdout, 'pipe'], env, cwd: root });
    let stderr = '';
    // Always a pipe (stdio above); the guard tells the type checker so.
    if (!child.stderr) throw new Error('measure: no stderr pipe');
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const lines = stderr.trim().split('\n');
      const [kb, user, system] = (lines.at(-1) ?? '').split(' ').map(Number);
      const cpuMs = ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000;
      resolve({ code, ms, cpuMs, rssMiB: (kb ?? Number.NaN) / 1024, stderr: lines.slice(0, -1).join('\n') });
    });
  });
}

/**
 * The median of numbers (NaN for none).
 * @param {readonly number[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const at = (/** @type {number} */ i) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/**
 * Makes an export with bench/make-export.mjs (seed 1) unless it already exists. `only` keeps one
 * event type: CallComplete events average ~1.2 KB, so 100,000 of them make the ~100 MB export
 * the targets speak of (a realistic mix averages ~560 bytes an event).
 * @param {number} events
 * @param {string} format make-export's `--format`
 * @param {string} [only] make-export's `--only`, an event type
 * @param {{ redeliver?: number }} [options] make-export's `--redeliver`
 * @returns {Promise<string>} the export's path
 */
export async function ensureExport(events, format, only, { redeliver } = {}) {
  const name = `export-${events}-${format}${only ? `-${only}` : ''}${redeliver ? `-redelivered${redeliver}` : ''}.json`;
  const out = join(root, 'bench', 'out', name);
  if (existsSync(out) && statSync(out).size > 0) return out;
  const args = [join(root, 'bench', 'make-export.mjs'), '--events', String(events), '--format', format, '--out', out];
  if (only) args.push('--only', only);
  if (redeliver) args.push('--redeliver', String(redeliver));
  const { code } = await measure(process.execPath, args);
  if (code !== 0) throw new Error(`make-export failed for ${name}`);
  return out;
}

/**
 * The median over rounds of `ours[i] / baseline[i]`: each round ran both commands back to back, so
 * a slow phase of a shared machine (seen here to move one command's time by ±25% between minutes)
 * weighs on both sides of the same ratio instead of on one median only.
 * @param {readonly number[]} ours
 * @param {readonly number[]} baseline the same rounds' values of the other command
 * @returns {number}
 */
export function pairedRatio(ours, baseline) {
  return median(roundRatios(ours, baseline));
}

/**
 * Each round's `ours[i] / baseline[i]` (NaN where the baseline has no such round).
 * @param {readonly number[]} ours
 * @param {readonly number[]} baseline
 * @returns {number[]}
 */
export function roundRatios(ours, baseline) {
  return ours.map((value, i) => value / (baseline[i] ?? Number.NaN));
}

/**
 * `x.xx×` for a ratio.
 * @param {number} value
 * @param {number} baseline
 */
export function ratio(value, baseline) {
  return `${(value / baseline).toFixed(2)}×`;
}

/** Where the peers the benches compare with are installed (gitignored; never callhook's dependencies). */
export const peersDir = join(root, 'bench', '.peers');
// Pinned, so that every run compares with the same peers.
const peerPackages = ['@duckdb/node-api@1.5.6-r.1', 'ajv@8.20.0', 'express@5.2.1', 'fastify@5.12.8'];

/**
 * Installs the peers into bench/.peers (its own package.json, `npm install --no-save`) unless
 * they are there. Returns the names of those that could not be installed (each bench then skips
 * their rows and says so).
 */
export function ensurePeers() {
  const missing = () =>
    peerPackages
      .map((spec) => spec.slice(0, spec.lastIndexOf('@')))
      .filter((name) => !existsSync(join(peersDir, 'node_modules', name, 'package.json')));
  if (missing().length === 0) return [];
  mkdirSync(peersDir, { recursive: true });
  const manifest = join(peersDir, 'package.json');
  if (!existsSync(manifest)) {
    const description =
      'Peers the benchmarks compare callhook with (bench/lib.mjs installs them); not dependencies of callhook';
    writeFileSync(manifest, `${JSON.stringify({ private: true, description }, null, 2)}\n`);
  }
  process.stderr.write(`bench: installing ${peerPackages.join(', ')} into bench/.peers\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Hint: errors only. Fastify's light-my-request (its inject(), which no bench calls) takes a
  // cookie that declares Node.js 22, and npm would warn of it on every install.
  spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', ...peerPackages], {
    cwd: peersDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: npmEnv,
  });
  return missing();
}

/**
 * callhook as it was at the git revision `CALLHOOK_BENCH_BEFORE` names (a hash, a tag, `main`...),
 * for a bench to measure beside today's in the same rounds: its sources are taken out with
 * `git archive` into bench/.peers/at-<rev> and built there (`npm ci`) once, then kept. Returns
 * the row's label and the path of its CLI, or undefined when the variable is not set.
 * @returns {{ label: string, cli: string } | undefined}
 */
export function earlierCallhook() {
  const rev = process.env.CALLHOOK_BENCH_BEFORE;
  if (!rev) return undefined;
  const resolved = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
    cwd: root,
    encoding: 'utf8',
  });
  if (resolved.status !== 0) throw new Error(`CALLHOOK_BENCH_BEFORE=${rev}: not a commit of this repository`);
  const commit = resolved.stdout.trim();
  const dir = join(peersDir, `at-${commit.slice(0, 12)}`);
  // Hint: bin/callhook.js and dist/cli.js before the CLI was one CommonJS bundle.
  const built = () => ['cjs', 'js'].map((ext) => join(dir, 'bin', `callhook.${ext}`)).find((bin) => existsSync(bin));
  if (!existsSync(join(dir, 'dist', 'cli.cjs')) && !existsSync(join(dir, 'dist', 'cli.js'))) {
    process.stderr.write(`bench: building callhook at ${rev} (${commit.slice(0, 12)}) into ${dir}\n`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const archive = join(dir, '.source.tar');
    /** @type {[command: string, args: string[], cwd: string][]} */
    const steps = [
      ['git', ['archive', '--format=tar', `--output=${archive}`, commit], root],
      ['tar', ['-xf', archive, '-C', dir], root],
      // Hint: `prepare` builds dist/ as part of npm ci.
      [process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], dir],
    ];
    for (const [command, args, cwd] of steps) {
      const step = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: npmEnv });
      if (step.status !== 0) throw new Error(`building callhook at ${rev}: ${command} ${args[0]} failed`);
    }
    rmSync(archive, { force: true });
  }
  return { label: `callhook at ${rev}`, cli: built() ?? join(dir, 'bin', 'callhook.cjs') };
}

/** Rounds of each paired comparison (CALLHOOK_BENCH_ROUNDS; at least 7 for a recorded run). */
export const rounds = Number(process.env.CALLHOOK_BENCH_ROUNDS ?? 9);

/**
 * A speed or memory target: `value` undefined means not measured, and `why` says why.
 * @typedef {{ what: string, value: number | undefined, limit: number, unit: string, why?: string }} Target
 */

/**
 * A Markdown table of targets: what, the measured value, the target, and whether it is met.
 * Each target is `{ what, value, limit, unit }` (`value` undefined: not measured, with `why`).
 * @param {readonly Target[]} targets
 * @returns {string}
 */
export function targetTable(targets) {
  /** @type {(value: number, unit: string) => string} */
  const format = (value, unit) => (unit === '×' ? `${value.toFixed(2)}×` : `${value.toFixed(0)} ${unit}`);
  const rows = targets.map(({ what, value, limit, unit, why }) =>
    value === undefined
      ? `| ${what} | not measured: ${why} | ≤ ${format(limit, unit)} | not available |`
      : `| ${what} | ${format(value, unit)} | ≤ ${format(limit, unit)} | ${value <= limit ? 'meets' : 'MISSES'} |`,
  );
  return ['| target | measured | limit | |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * A bench's command: its label in the table, the program, its arguments, and its environment or
 * the variables added to it (each bench says which).
 * @typedef {[label: string, command: string, args: string[], env?: NodeJS.ProcessEnv]} BenchCommand
 */

/**
 * Runs every command of `commands` once a round, `rounds` times, interleaved; returns the results
 * of each, by name (a name `commands` does not have throws).
 * @template C
 * @template R
 * @param {Record<string, C>} commands
 * @param {(command: C) => Promise<R>} run runs one command once
 * @param {number} [count]
 * @returns {Promise<(name: string) => R[]>}
 */
export async function pairedRounds(commands, run, count = rounds) {
  /** @type {Map<string, R[]>} */
  const results = new Map(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i < count; i++) {
    // Interleaved, so that a burst of load elsewhere on the machine hits every command alike.
    for (const [name, command] of Object.entries(commands)) results.get(name)?.push(await run(command));
  }
  return (name) => {
    const runs = results.get(name);
    if (!runs) throw new Error(`pairedRounds: no command named ${name}`);
    return runs;
  };
}

/**
 * The first of a command's runs (its stdout and stderr stand for them all).
 * @template R
 * @param {readonly R[]} runs
 * @returns {R}
 */
export function firstRun(runs) {
  const [run] = runs;
  if (run === undefined) throw new Error('no round ran (CALLHOOK_BENCH_ROUNDS=0?)');
  return run;
}

/** The peak-RSS budget of reading one export, in MiB, whatever its size (validate, summarise). */
export const memoryBudgetMiB = 200;

/** `n` MB (10^6 bytes), for the text under a table. */
export const mb = (/** @type {number} */ bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

/**
 * The large export (`CALLHOOK_BENCH_BIG_EVENTS`, default `events`), for peak RSS.
 * @param {number} events
 * @param {string} [only] an event type, as `ensureExport` takes it
 * @returns {Promise<{ events: number, file: string, size: number }>}
 */
export async function bigExport(events, only) {
  const count = Number(process.env.CALLHOOK_BENCH_BIG_EVENTS ?? events);
  const file = await ensureExport(count, 'array', only);
  return { events: count, file, size: statSync(file).size };
}

/** How a run says it read its input (`read on 2 threads`), from its stderr. */
export const readOn = (/** @type {string} */ stderr) => stderr.match(/read on (.*)/)?.[1] ?? 'unknown';

/** A server that reads each body and answers 200 at once, keep-alive on; its start-up line is callhook listen's. */
export const bareServerSource = `
const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end()); });
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + server.address().port + '/\\n'));
`;

/**
 * Starts a server process and resolves with its URL, read from the start-up line on stderr.
 * @param {readonly string[]} args node's arguments
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, url: string }>}
 */
export function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    child.stderr.on('data', (d) => {
      err += d;
      const match = /listening on (http:\/\/\S+)/.exec(err);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
  });
}

/**
 * Stops a server started by `startServer`, resolving once it has exited.
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
export function stopServer(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('close');
    child.on('close', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A valid bare CallAttempted event, the `n`th of a run; every `failEvery`th one failed. */
export const attemptEvent = (/** @type {number} */ n, /** @type {number} */ failEvery) => ({
  time: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
  phone: '61491573087',
  status: n % failEvery === 0 ? 'failed' : 'success',
  ...(n % failEvery === 0 ? { note: 'no answer' } : {}),
  campaignId: '3f8e2c1a-9b47-4d6e-8a15-c2b7e9f04d31',
});

/**
 * `autocannon -c concurrency -a requests` POSTing `body` to `url`: the rate of 2xx answers per
 * second. Every request must be answered 2xx. `sampleMs` sets autocannon's sample tick (`-L`).
 * @param {string} url
 * @param {{ body: string, concurrency: number, requests: number, sampleMs?: number }} options
 * @returns {Promise<number>}
 */
export async function autocannon(url, { body, concurrency, requests, sampleMs }) {
  const bin = join(root, 'node_modules', '.bin', 'autocannon');
  const args = ['-c', String(concurrency), '-a', String(requests), '-m', 'POST'];
  if (sampleMs !== undefined) args.unshift('-L', String(sampleMs));
  args.push('-H', 'content-type=application/json', '-b', body, '--json', url);
  /** @type {{ code: number | null, out: string }} */
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
