// summarise: a 100,000-event export against two baselines measured in the same run — the naive
// JSON.parse(readFileSync(f)) + loop (target ≤ 0.8× its wall time) and jq's group_by (target
// ≤ 0.25×) — with peak RSS ≤ 200 MiB; then a ~2 GiB export: counts add up, peak RSS ≤ 200 MiB.
// The exports are made by bench/make-export.mjs when missing (CALLHOOK_BENCH_BIG_EVENTS sizes the
// large one, as it does validate's).
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureExport, measure, median, pairedRatio, ratio } from './lib.mjs';

const runs = 11;
const budgetMiB = 200;
const jq = '/usr/bin/jq';
const haveJq = existsSync(jq);

// The naive receiver the issue names: the whole file in memory, one JSON.parse, one loop.
const naive = `
const events = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
const counts = {};
for (const e of events) if (e.eventType === 'CallComplete') counts[e.data.status] = (counts[e.data.status] ?? 0) + 1;
process.stdout.write(JSON.stringify(counts));
`;

/** `measure` with stdout captured through a temporary file (lib's measure does not pipe it). */
async function measureWithOutput(command, args, env = {}) {
  const path = join(tmpdir(), `summarise-bench-${process.pid}.out`);
  const fd = openSync(path, 'w');
  try {
    const result = await measure(command, args, { stdout: fd, env: { ...process.env, NO_COLOR: '1', ...env } });
    if (result.code !== 0)
      throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr}`);
    return { ...result, stdout: readFileSync(path, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

// Hint: the jq program groups by `.data.status`, which only CallComplete events have
// (jq stops on a bare event's null key), and its ~100 MB is a CallComplete export's size.
const file = await ensureExport(100_000, 'array', 'CallComplete');
const size = statSync(file).size;
// Hint: CALLHOOK_THREADS=trace makes summarise say on stderr whether it read on two threads.
const commands = {
  summarise: [process.execPath, [cli, 'summarise', file, '--format', 'json'], { CALLHOOK_THREADS: 'trace' }],
  oneThread: [process.execPath, [cli, 'summarise', file, '--format', 'json'], { CALLHOOK_THREADS: '1' }],
  naive: [process.execPath, ['-e', naive, file]],
  ...(haveJq ? { jq: [jq, ['group_by(.data.status)|map({(.[0].data.status):length})|add', file]] } : {}),
};
const results = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let i = 0; i < runs; i++) {
  // Interleaved, so that a burst of load elsewhere on the machine hits every command alike.
  for (const [name, [command, args, env]] of Object.entries(commands)) {
    results[name].push(await measureWithOutput(command, args, env));
  }
}
// Wall times are compared round by round (see pairedRatio); peak RSS is the largest seen.
const times = (name) => results[name].map((r) => r.ms);
const vs = (name, baseline) => pairedRatio(times(name), times(baseline));
const rss = (name) => Math.max(...results[name].map((r) => r.rssMiB));
const x = (value) => `${value.toFixed(2)}×`;

const report = JSON.parse(results.summarise[0].stdout);
const naiveCounts = JSON.parse(results.naive[0].stdout);
const ours = Object.fromEntries(
  Object.entries(report.callComplete.byStatus)
    .filter(([, share]) => share.count > 0)
    .map(([status, share]) => [status, share.count]),
);
// The naive loop neither drops redeliveries nor skips invalid events: compare only without them.
const comparable = report.duplicates === 0 && report.invalid === 0 && report.undocumentedStatuses === 0;
const same = JSON.stringify(Object.entries(ours).sort()) === JSON.stringify(Object.entries(naiveCounts).sort());
const meets = (ok) => (ok ? 'meets' : 'MISSES');

const rows = [
  `| naive \`JSON.parse(readFileSync(f))\` + loop (baseline) | 1.00× | 1.00× |`,
  ...(haveJq
    ? [`| \`jq 'group_by(.data.status) …'\` | ${x(vs('jq', 'naive'))} | ${ratio(rss('jq'), rss('naive'))} |`]
    : []),
  `| \`callhook summarise f --format json\` | ${x(vs('summarise', 'naive'))} | ${ratio(rss('summarise'), rss('naive'))} |`,
  `| the same with \`CALLHOOK_THREADS=1\` (one thread, for comparison) | ${x(vs('oneThread', 'naive'))} | ${ratio(rss('oneThread'), rss('naive'))} |`,
];
// Every round's ratio to jq, lowest first, so that a reader sees the spread behind the median.
const roundsVsJq = () =>
  times('summarise')
    .map((t, i) => (t / times('jq')[i]).toFixed(2))
    .sort()
    .join(', ');
const how = (run) => run.stderr.match(/read on (.*)/)?.[1] ?? 'unknown';
const targets = [
  `wall time ≤ 0.80× the naive loop's (${x(vs('summarise', 'naive'))}: ${meets(vs('summarise', 'naive') <= 0.8)})`,
  haveJq
    ? `≤ 0.25× jq's (${vs('summarise', 'jq').toFixed(3)}×: ${meets(vs('summarise', 'jq') <= 0.25)}; the ${runs} rounds gave ${roundsVsJq()})`
    : `jq's ratio skipped: ${jq} is not installed`,
  `peak RSS ≤ ${budgetMiB} MiB (${ratio(rss('summarise'), budgetMiB)} of it: ${meets(rss('summarise') <= budgetMiB)})`,
  `CallComplete counts by status equal the naive loop's: ${comparable ? (same ? 'yes' : 'NO') : 'not compared (the export has redeliveries or invalid events)'}`,
];

// Hint: the issue asks for a 2 GB export; mixed events average ~560 bytes, so 3.9M of them make
// ~2.0 GiB (validate's default 1.7M make 0.9 GiB).
const bigEvents = Number(process.env.CALLHOOK_BENCH_BIG_EVENTS ?? 3_900_000);
const big = await ensureExport(bigEvents, 'array');
const bigSize = statSync(big).size;
const bigRun = await measureWithOutput(process.execPath, [cli, 'summarise', big, '--format', 'json'], {
  CALLHOOK_THREADS: 'trace',
});
const bigReport = JSON.parse(bigRun.stdout);
// Every element read is counted, dropped as a redelivery, skipped as invalid, or filtered out.
const accounted = bigReport.events + bigReport.duplicates + bigReport.invalid + bigReport.filteredOut;

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(`## summarise

${(100_000).toLocaleString('en-US')} CallComplete events, ${mb(size)} pretty-printed JSON array (bench/make-export.mjs --only CallComplete); ${runs} rounds, each running every command once as a child process (Node.js start-up included); a wall-time figure is the median over the rounds of its ratio to the baseline's time in the same round; peak RSS the largest seen.

| command | wall time vs baseline | peak RSS vs baseline |
|---|---|---|
${rows.join('\n')}

Targets: ${targets.join('; ')}. \`callhook summarise\` read the export on ${how(results.summarise[0])}.

Large export: ${bigEvents.toLocaleString('en-US')} events of every type, ${mb(bigSize)} (${(bigSize / 2 ** 30).toFixed(2)} GiB): ${bigReport.elements.toLocaleString('en-US')} elements read (${meets(bigReport.elements === bigEvents)} the ${bigEvents.toLocaleString('en-US')} written), counted + redeliveries + invalid = elements read (${meets(accounted === bigReport.elements)}), peak RSS ${ratio(bigRun.rssMiB, budgetMiB)} of the ${budgetMiB} MiB budget (${meets(bigRun.rssMiB <= budgetMiB)}), wall time ${ratio(bigRun.ms, median(times('summarise')))} the 100k export's; read on ${how(bigRun)}.`);
