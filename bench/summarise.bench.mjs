// summarise on two 100,000-event exports, the clean one and one like a real export (2% of events
// redelivered 500 events later, spread through it), against what a user would reach for
// instead, each measured in the same rounds: jq's group_by, DuckDB's read_json with the needed
// columns declared, the naive JSON.parse(readFileSync(f)) + loop, and the plain read +
// JSON.parse + count; and against itself on one thread. Two floors, for information: two
// one-thread processes on the export's halves at once (what two cores give with no cost of a
// split), and a scan that follows only the structure (what any JavaScript reader spends before
// it decodes anything). Then a ~2 GiB export, for peak RSS.
// The exports are made by bench/make-export.mjs when missing and kept in bench/out for the next
// run; DuckDB is installed into bench/.peers when missing (see lib.mjs). CALLHOOK_BENCH_EVENTS,
// CALLHOOK_BENCH_BIG_EVENTS and CALLHOOK_BENCH_ROUNDS shrink a run (for trying the bench only).
// CALLHOOK_BENCH_BEFORE=<git rev> adds a row for callhook as it was at that revision (see
// lib.mjs `earlierCallhook`), to show a change kept the speed.
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bigExport,
  cli,
  earlierCallhook,
  ensureExport,
  ensurePeers,
  firstRun,
  mb,
  measure,
  median,
  memoryBudgetMiB,
  pairedRatio,
  pairedRounds,
  readOn,
  root,
  roundRatios,
  rounds,
  targetTable,
} from './lib.mjs';

const jq = '/usr/bin/jq';
const haveJq = existsSync(jq);
const missingPeers = ensurePeers();
const haveDuckDb = !missingPeers.includes('@duckdb/node-api');
const events = Number(process.env.CALLHOOK_BENCH_EVENTS ?? 100_000);
const before = earlierCallhook();

// The naive receiver: the whole file in memory, one JSON.parse, one loop.
const naive = `
const events = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
const counts = {};
for (const e of events) if (e.eventType === 'CallComplete') counts[e.data.status] = (counts[e.data.status] ?? 0) + 1;
process.stdout.write(JSON.stringify(counts));
`;

/**
 * `measure` with stdout captured through a temporary file (lib's measure does not pipe it).
 * @param {string} command
 * @param {readonly string[]} args
 * @param {NodeJS.ProcessEnv} [env] variables added to the environment
 * @returns {Promise<import('./lib.mjs').Measurement & { stdout: string }>}
 */
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

// Hint: jq's program groups by `.data.status`, which only CallComplete events have (jq stops on a
// bare event's null key), and 100,000 of them make the ~100 MB export the targets speak of.
const clean = await ensureExport(events, 'array', 'CallComplete');
const redelivered = await ensureExport(events, 'array', 'CallComplete', { redeliver: 2 });

/**
 * `file` (a pretty-printed array) cut at its middle event into two files laid out the same way,
 * made once and kept beside it.
 * @param {string} file
 * @returns {[string, string]}
 */
function halvesOf(file) {
  /** @type {[string, string]} */
  const paths = [file.replace(/\.json$/, '-half1.json'), file.replace(/\.json$/, '-half2.json')];
  if (paths.every((path) => existsSync(path) && statSync(path).size > 0)) return paths;
  const all = JSON.parse(readFileSync(file, 'utf8'));
  const middle = all.length >> 1;
  // Hint: each written whole under another name first, so a run stopped midway leaves no half cut short.
  paths.forEach((path, i) => {
    writeFileSync(`${path}.partial`, JSON.stringify(i === 0 ? all.slice(0, middle) : all.slice(middle), null, 2));
    renameSync(`${path}.partial`, path);
  });
  return paths;
}

// Each command: [label, command, args, env]. CALLHOOK_THREADS=trace makes summarise say how it
// read, and `times` when each thread began, reached the cut and ended (and their CPU times).
// `halves`: the same export cut into two files, for the row that reads them in two processes at once.
/** @type {(file: string, halves?: [string, string]) => Record<string, import('./lib.mjs').BenchCommand>} */
const commandsFor = (file, halves) => ({
  summarise: [
    '`callhook summarise f --format json`',
    process.execPath,
    [cli, 'summarise', file, '--format', 'json'],
    { CALLHOOK_THREADS: 'trace,times' },
  ],
  oneThread: [
    'the same with `CALLHOOK_THREADS=1` (one thread)',
    process.execPath,
    [cli, 'summarise', file, '--format', 'json'],
    { CALLHOOK_THREADS: '1' },
  ],
  // Hint: two whole processes share nothing (no worker to start, no ids to reconcile), so their
  // time shows what this machine's two cores give the reading itself, with nothing spent on a split.
  ...(halves
    ? {
        twoProcesses: [
          'two `CALLHOOK_THREADS=1` processes at once, each on one half of the export cut into two files (for information: no worker to start, nothing to merge)',
          '/bin/sh',
          [
            '-c',
            '"$0" "$1" summarise "$2" --format json & first=$!; "$0" "$1" summarise "$3" --format json || exit 1; wait "$first"',
            process.execPath,
            cli,
            ...halves,
          ],
          { CALLHOOK_THREADS: '1' },
        ],
      }
    : {}),
  ...(before
    ? {
        before: [
          `${before.label}: \`callhook summarise f --format json\``,
          process.execPath,
          [before.cli, 'summarise', file, '--format', 'json'],
          { CALLHOOK_THREADS: 'trace' },
        ],
      }
    : {}),
  ...(haveJq
    ? {
        jq: [
          "`jq 'group_by(.data.status) …'` (map to a count per status)",
          jq,
          ['group_by(.data.status)|map({(.[0].data.status):length})|add', file],
        ],
      }
    : {}),
  ...(haveDuckDb
    ? {
        duckdb: [
          "DuckDB `read_json(f, format='array', columns={eventType, data: STRUCT(status)})` + `GROUP BY` (bench/peers/duckdb-summarise.mjs)",
          process.execPath,
          [join(root, 'bench', 'peers', 'duckdb-summarise.mjs'), file],
        ],
        duckdbReport: [
          "DuckDB computing summarise's CallComplete report: redeliveries dropped by id, then statuses, reasons, campaigns, requests, funnels, time range (bench/peers/duckdb-report.mjs; for information)",
          process.execPath,
          [join(root, 'bench', 'peers', 'duckdb-report.mjs'), file],
        ],
      }
    : {}),
  naive: ['naive `JSON.parse(readFileSync(f))` + loop counting statuses', process.execPath, ['-e', naive, file]],
  parse: [
    'plain read + `JSON.parse` + count, no validation (bench/peers/parse-count.mjs)',
    process.execPath,
    [join(root, 'bench', 'peers', 'parse-count.mjs'), file],
  ],
  scan: [
    'a floor: streaming read following only the structure to count elements, nothing decoded or validated (bench/peers/structure-scan.mjs; for information)',
    process.execPath,
    [join(root, 'bench', 'peers', 'structure-scan.mjs'), file],
  ],
});

/** @typedef {Awaited<ReturnType<typeof runFile>>} FileRun */

/**
 * @param {string} file
 * @param {string[]} [only] the names of the commands to run, when not all of them
 * @param {[string, string]} [halves] the export cut into two files (adds the two-process row)
 */
async function runFile(file, only, halves) {
  const all = commandsFor(file, halves);
  const commands = only ? Object.fromEntries(Object.entries(all).filter(([name]) => only.includes(name))) : all;
  const results = await pairedRounds(commands, ([, command, args, env]) => measureWithOutput(command, args, env));
  const times = (/** @type {string} */ name) => results(name).map((r) => r.ms);
  const vs = (/** @type {string} */ name) => pairedRatio(times('summarise'), times(name));
  const rss = (/** @type {string} */ name) => Math.max(...results(name).map((r) => r.rssMiB));
  // Hint: CPU time counts every thread of the process: a second reading thread, and V8's own
  // (the optimizing compiler and the garbage collector, once per thread that runs JavaScript).
  const cpu = (/** @type {string} */ name) => median(results(name).map((r) => r.cpuMs));
  const rows = Object.entries(commands).map(
    ([name, [label]]) =>
      `| ${label} | ${(median(times(name)) / 1000).toFixed(2)} s | ${(cpu(name) / 1000).toFixed(2)} s | ${name === 'summarise' ? '1.00×' : `${vs(name).toFixed(3)}×`} | ${rss(name).toFixed(0)} MiB |`,
  );
  // Every round's ratio to jq, lowest first, so that a reader sees the spread behind the median.
  const spread = (/** @type {string} */ name) =>
    roundRatios(times('summarise'), times(name))
      .map((r) => r.toFixed(2))
      .sort()
      .join(', ');
  const report = JSON.parse(firstRun(results('summarise')).stdout);
  const how = readOn(firstRun(results('summarise')).stderr);
  // Each round's times, so that a reader sees which thread waited for the other and how long.
  const when = results('summarise')
    .map((r) => r.stderr.match(/times \(ms since start\): (.*)/)?.[1])
    .filter((line) => line !== undefined && line !== '');
  return { results, vs, rss, rows, spread, report, how, when, has: (/** @type {string} */ name) => name in commands };
}

const cleanRun = await runFile(clean);
const realRun = await runFile(redelivered, undefined, halvesOf(redelivered));
// The same redelivered export in the platform's own layout, where a line opening an object at
// column 1 may be a flow step: the second thread must still find where an event begins.
const platform = await ensureExport(events, 'platform', 'CallComplete', { redeliver: 2 });
const platformRun = await runFile(platform, ['summarise', 'oneThread']);
const platformSame =
  firstRun(platformRun.results('summarise')).stdout === firstRun(platformRun.results('oneThread')).stdout;

// On the clean export every tool's counts by status must agree with callhook's.
const ours = Object.fromEntries(
  Object.entries(cleanRun.report.callComplete.byStatus)
    .filter(([, share]) => share.count > 0)
    .map(([status, share]) => [status, share.count]),
);
const sameCounts = (/** @type {string} */ name) =>
  !cleanRun.has(name) ||
  JSON.stringify(Object.entries(ours).sort()) ===
    JSON.stringify(Object.entries(JSON.parse(firstRun(cleanRun.results(name)).stdout)).sort());
const agree = ['naive', 'duckdb'].every(sameCounts) && cleanRun.report.duplicates === 0;

/**
 * Whether DuckDB's report (bench/peers/duckdb-report.mjs) holds every figure callhook's report
 * shows of the CallComplete events: the total, the time range, the counts by status, every
 * reason, campaign, request and funnel step listed.
 * @param {FileRun} run
 */
function sameReport(run) {
  if (!run.has('duckdbReport')) return true;
  const theirs = JSON.parse(firstRun(run.results('duckdbReport')).stdout);
  const calls = run.report.callComplete;
  /** @type {[unknown, unknown][]} */
  const pairs = [
    [calls.total, theirs.total],
    [run.report.timeRange.first, theirs.first],
    [run.report.timeRange.last, theirs.last],
  ];
  for (const [status, share] of Object.entries(calls.byStatus)) {
    if (share.count > 0) pairs.push([share.count, theirs.byStatus[status]]);
  }
  for (const [status, { rows }] of Object.entries(calls.byReason)) {
    for (const row of rows) pairs.push([row.count, theirs.byReason[status]?.[String(row.reason)]]);
  }
  for (const row of calls.byCampaign.rows) {
    for (const [status, share] of Object.entries(row.byStatus)) {
      if (share.count > 0) pairs.push([share.count, theirs.byCampaign[row.campaignId]?.[status]]);
    }
  }
  for (const row of calls.requests.rows) pairs.push([row.calls, theirs.requests[row.request]]);
  for (const row of calls.funnel.rows) {
    for (const step of row.steps) {
      pairs.push([step.reached, theirs.reached[row.campaignId]?.[step.question]]);
      if (step.partialStops > 0) pairs.push([step.partialStops, theirs.partialStops[row.campaignId]?.[step.question]]);
    }
  }
  return pairs.every(([a, b]) => a === b);
}

// Hint: the large export is a mix of every event type, ~560 bytes an event: 3.9M make ~2.0 GiB.
const { events: bigEvents, file: big, size: bigSize } = await bigExport(3_900_000);
const bigRun = await measureWithOutput(process.execPath, [cli, 'summarise', big, '--format', 'json'], {
  CALLHOOK_THREADS: 'trace',
});
const bigReport = JSON.parse(bigRun.stdout);
// Every element read is counted, dropped as a redelivery, skipped as invalid, or filtered out.
const accounted = bigReport.events + bigReport.duplicates + bigReport.invalid + bigReport.filteredOut;
const bigHow = readOn(bigRun.stderr);

const unavailable = (/** @type {string} */ why) => ({ value: undefined, why });
const targets = [
  {
    what: 'summarise, 2% redeliveries: ÷ its own one-thread time',
    value: realRun.vs('oneThread'),
    limit: 0.7,
    unit: '×',
  },
  haveJq
    ? { what: 'summarise, 2% redeliveries: ÷ jq', value: realRun.vs('jq'), limit: 0.25, unit: '×' }
    : {
        what: 'summarise, 2% redeliveries: ÷ jq',
        ...unavailable(`${jq} is not installed`),
        limit: 0.25,
        unit: '×',
      },
  haveDuckDb
    ? { what: 'summarise, 2% redeliveries: ÷ DuckDB', value: realRun.vs('duckdb'), limit: 0.6, unit: '×' }
    : {
        what: 'summarise, 2% redeliveries: ÷ DuckDB',
        ...unavailable('DuckDB could not be installed'),
        limit: 0.6,
        unit: '×',
      },
  {
    what: `peak RSS, ${events.toLocaleString('en-US')}-event exports (both)`,
    value: Math.max(cleanRun.rss('summarise'), realRun.rss('summarise')),
    limit: memoryBudgetMiB,
    unit: 'MiB',
  },
  {
    what: `peak RSS, ${(bigSize / 2 ** 30).toFixed(2)} GiB export`,
    value: bigRun.rssMiB,
    limit: memoryBudgetMiB,
    unit: 'MiB',
  },
  { what: 'summarise, clean export: ÷ the naive loop', value: cleanRun.vs('naive'), limit: 0.8, unit: '×' },
  ...(haveJq ? [{ what: 'summarise, clean export: ÷ jq', value: cleanRun.vs('jq'), limit: 0.25, unit: '×' }] : []),
];

/** Where summarise's wall time went in each round (`CALLHOOK_THREADS=times`), as a list. */
const timesOf = (/** @type {FileRun} */ run) =>
  run.when.length === 0
    ? ''
    : `\nWhere its wall time went, each round (\`CALLHOOK_THREADS=times\`: ms since the process began, then the CPU time of each reading thread and of all the process's threads; the difference is mostly V8's optimizing compiler, which compiles the same functions again for the worker, and its garbage collector):\n\n${run.when.map((line) => `- ${line}`).join('\n')}\n`;
const table = (
  /** @type {FileRun} */ run,
) => `| command | median wall time | median CPU time (all threads) | summarise's time ÷ this one's (median of paired rounds) | peak RSS |
|---|---|---|---|---|
${run.rows.join('\n')}`;
console.log(`## summarise

${events.toLocaleString('en-US')} CallComplete events as a pretty-printed JSON array (bench/make-export.mjs --only CallComplete, seed 1), twice: clean (${mb(statSync(clean).size)}), and like a real export with 2% of the events redelivered 500 events later (\`--redeliver 2\`, ${mb(statSync(redelivered).size)}, ${realRun.report.duplicates.toLocaleString('en-US')} redeliveries). ${rounds} rounds per export, each running every command once as a child process (Node.js start-up included); a ratio is the median over the rounds of summarise's time over the other command's in the same round; peak RSS is the largest seen.

### With 2% redeliveries

${table(realRun)}

\`callhook summarise\` read it on ${realRun.how}.${haveJq ? ` Rounds ÷ jq, lowest first: ${realRun.spread('jq')}.` : ''}${haveDuckDb ? ` Rounds ÷ DuckDB: ${realRun.spread('duckdb')}.` : ''} Rounds ÷ one thread: ${realRun.spread('oneThread')}.
${
  realRun.has('twoProcesses')
    ? `\nOn this machine, two processes reading one half each at once took ${pairedRatio(
        realRun.results('twoProcesses').map((r) => r.ms),
        realRun.results('oneThread').map((r) => r.ms),
      ).toFixed(
        2,
      )}× the time of one thread reading it all (median of paired rounds). Such a split costs nothing of its own, no worker to start and no ids to reconcile, so it shows what two cores give this reading here; the two-thread target asks for 0.70×.\n`
    : ''
}${
  realRun.has('duckdb')
    ? `\nThe floor above counted ${firstRun(realRun.results('scan')).stdout.trim() === firstRun(realRun.results('parse')).stdout.trim() ? 'the same number of elements as `JSON.parse`' : 'NOT the number of elements `JSON.parse` counts'} in ${pairedRatio(
        realRun.results('scan').map((r) => r.ms),
        realRun.results('duckdb').map((r) => r.ms),
      ).toFixed(
        2,
      )}× DuckDB's time (median of paired rounds), Node.js start-up included; summarise's target is 0.60×, so whatever reads in JavaScript has the difference to decode, validate and summarise every event in.\n`
    : ''
}${timesOf(realRun)}${realRun.has('duckdbReport') ? `\nThe DuckDB query that computes the same CallComplete report as summarise (for information): summarise takes ${realRun.vs('duckdbReport').toFixed(2)}× its time; every figure of callhook's report that it computes agrees: ${sameReport(realRun) ? 'yes' : 'NO'}. It validates nothing.\n` : ''}

### Clean

${table(cleanRun)}

\`callhook summarise\` read it on ${cleanRun.how}. CallComplete counts by status equal those of the naive loop${haveDuckDb ? ' and DuckDB' : ''}: ${agree ? 'yes' : 'NO'}. (Neither jq's group_by nor DuckDB's query above drop redeliveries; callhook does.)

### The platform's layout

The export with 2% redeliveries again, with every line at column 1 as the platform's own examples are (\`--format platform\`, ${mb(statSync(platform).size)}), where a line opening an object may be a flow step: summarise took ${(median(platformRun.results('summarise').map((r) => r.ms)) / 1000).toFixed(2)} s against ${(median(platformRun.results('oneThread').map((r) => r.ms)) / 1000).toFixed(2)} s on one thread, ${platformRun.vs('oneThread').toFixed(2)}× (median of ${rounds} paired rounds; for information), peak RSS ${platformRun.rss('summarise').toFixed(0)} MiB; read on ${platformRun.how}; the same report as one thread: ${platformSame ? 'yes' : 'NO'}.

### Large export

${bigEvents.toLocaleString('en-US')} events of every type, ${mb(bigSize)} (${(bigSize / 2 ** 30).toFixed(2)} GiB): ${bigReport.elements.toLocaleString('en-US')} elements read (${bigReport.elements === bigEvents ? 'all' : 'NOT all'} of those written), counted + redeliveries + invalid + filtered = elements read (${accounted === bigReport.elements ? 'yes' : 'NO'}), ${(bigRun.ms / 1000).toFixed(1)} s, peak RSS ${bigRun.rssMiB.toFixed(0)} MiB; read on ${bigHow}.

### Targets

${targetTable(targets)}`);
