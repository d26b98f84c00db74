// `callhook summarise` on a 100,000-event export against two baselines run in the same session:
// the naive `JSON.parse(readFileSync(f))` + loop, and jq's group_by. Each command runs in its own
// child process (wall time measured here, peak RSS by /usr/bin/time), interleaved, median of
// three rounds. Prints a Markdown section; bench/run.mjs collects it into bench/RESULTS.md.
//
//   node bench/summarise.bench.mjs            the 100k export (made with bench/make-export.mjs if missing)
//   node bench/summarise.bench.mjs --big      also a ~2 GB export: counts and peak RSS only
//   BENCH_SUMMARISE_INPUT=file.json           use that file instead of the 100k export
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const bin = join(root, 'bin', 'callhook.js');
const rounds = 3;
const rssBudgetMiB = 200;
const targets = { naive: 0.8, jq: 0.25 };
const jqPath = '/usr/bin/jq';
const timePath = '/usr/bin/time';
const big = process.argv.includes('--big');

function fail(message) {
  process.stderr.write(`summarise.bench: ${message}\n`);
  process.exit(1);
}

if (!existsSync(join(root, 'dist', 'cli.js'))) fail('dist/ is missing: run `npm run build` first');
mkdirSync(out, { recursive: true });

/** Makes an export with bench/make-export.mjs unless it is already there. */
function ensureExport(file, events) {
  if (existsSync(file)) return;
  const maker = join(root, 'bench', 'make-export.mjs');
  if (!existsSync(maker)) fail(`${file} is missing and bench/make-export.mjs is not there to make it`);
  process.stderr.write(`summarise.bench: making ${file} (${events} events)\n`);
  const made = spawnSync(process.execPath, [maker, '--events', String(events), '--format', 'array', '--out', file], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (made.status !== 0) fail(`bench/make-export.mjs failed (exit ${made.status})`);
}

// The naive receiver: whole file in memory, one JSON.parse, one loop.
const naiveScript = `
const events = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
const counts = {};
for (const e of events) {
  const status = (e.data ?? e).status;
  if (e.eventType === 'CallComplete' || e.data) counts[status] = (counts[status] ?? 0) + 1;
}
process.stdout.write(JSON.stringify(counts));
`;

const rssFile = join(tmpdir(), `summarise-bench-${process.pid}.rss`);
const haveTime = existsSync(timePath);

/** Runs a command once: wall time in ms, peak RSS in KiB (null without /usr/bin/time), stdout. */
function measure(command, args) {
  const [file, argv] = haveTime ? [timePath, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const started = performance.now();
  const result = spawnSync(file, argv, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    fail(`${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr.slice(0, 500)}`);
  const rss = haveTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) : null;
  return { ms, rss, stdout: result.stdout };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const mark = (value, limit) => (value <= limit ? 'yes' : '**no**');

const input = process.env.BENCH_SUMMARISE_INPUT ?? join(out, 'export-100k.json');
if (!process.env.BENCH_SUMMARISE_INPUT) ensureExport(input, 100_000);
const size = statSync(input).size;
const relative = input.startsWith(root) ? input.slice(root.length + 1) : input;

const commands = {
  summarise: [process.execPath, [bin, 'summarise', input, '--format', 'json']],
  naive: [process.execPath, ['-e', naiveScript, input]],
  ...(existsSync(jqPath)
    ? { jq: [jqPath, ['group_by(.data.status)|map({(.[0].data.status):length})|add', input]] }
    : {}),
};
const runs = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  // Interleaved, so that a burst of load elsewhere on the machine hits every command alike.
  for (const [name, [command, args]] of Object.entries(commands)) {
    process.stderr.write(`summarise.bench: round ${round + 1}/${rounds}: ${name}\n`);
    runs[name].push(measure(command, args));
  }
}

const wall = (name) => median(runs[name].map((r) => r.ms));
const rss = (name) => (haveTime ? Math.max(...runs[name].map((r) => r.rss)) : null);
const report = JSON.parse(runs.summarise[0].stdout);
const naiveCounts = JSON.parse(runs.naive[0].stdout);
const ours = Object.fromEntries(
  Object.entries(report.callComplete.byStatus)
    .filter(([, share]) => share.count > 0)
    .map(([status, share]) => [status, share.count]),
);
// The naive loop neither drops redeliveries nor skips invalid events: compare only when there are none.
const comparable = report.duplicates === 0 && report.invalid === 0 && report.undocumentedStatuses === 0;
const sameCounts = JSON.stringify(Object.entries(ours).sort()) === JSON.stringify(Object.entries(naiveCounts).sort());

const rows = [
  [
    'wall time: summarise ÷ naive JSON.parse + loop',
    ratio(wall('summarise'), wall('naive')),
    `≤ ${targets.naive.toFixed(2)}×`,
    mark(wall('summarise') / wall('naive'), targets.naive),
  ],
];
if (runs.jq) {
  rows.push([
    'wall time: summarise ÷ jq group_by',
    ratio(wall('summarise'), wall('jq')),
    `≤ ${targets.jq.toFixed(2)}×`,
    mark(wall('summarise') / wall('jq'), targets.jq),
  ]);
}
if (haveTime) {
  const budgetKiB = rssBudgetMiB * 1024;
  rows.push(['peak RSS: summarise ÷ naive', ratio(rss('summarise'), rss('naive')), '', '']);
  if (runs.jq) rows.push(['peak RSS: summarise ÷ jq', ratio(rss('summarise'), rss('jq')), '', '']);
  rows.push([
    `peak RSS: summarise ÷ ${rssBudgetMiB} MiB budget`,
    ratio(rss('summarise'), budgetKiB),
    '≤ 1.00×',
    mark(rss('summarise'), budgetKiB),
  ]);
}
rows.push([
  'CallComplete counts by status equal the naive loop’s',
  comparable ? (sameCounts ? 'equal' : 'DIFFERENT') : 'n/a (input has redeliveries or invalid events)',
  'equal',
  comparable ? mark(sameCounts ? 0 : 1, 0) : '',
]);

const notes = [];
if (!runs.jq) notes.push(`- jq is not at ${jqPath}: the jq ratio is skipped.`);
if (!haveTime) notes.push(`- ${timePath} is not there: peak RSS is not measured.`);

let bigSection = '';
if (big) {
  const bigInput = join(out, 'export-2g.json');
  const bigEvents = 2_000_000;
  ensureExport(bigInput, bigEvents);
  const run = measure(process.execPath, [bin, 'summarise', bigInput, '--format', 'json']);
  const bigReport = JSON.parse(run.stdout);
  const counted = bigReport.events + bigReport.duplicates + bigReport.invalid + bigReport.filteredOut;
  bigSection = `
Large export: ${(statSync(bigInput).size / 2 ** 30).toFixed(2)} GiB, ${bigEvents.toLocaleString('en-US')} elements written by bench/make-export.mjs.

| measure | value | target | met |
|---|--:|--:|---|
| elements read ÷ elements written | ${(bigReport.elements / bigEvents).toFixed(4)} | 1.0000 | ${mark(Math.abs(bigReport.elements - bigEvents), 0)} |
| (counted + redeliveries + invalid) ÷ elements read | ${(counted / bigReport.elements).toFixed(4)} | 1.0000 | ${mark(Math.abs(counted - bigReport.elements), 0)} |
| peak RSS ÷ ${rssBudgetMiB} MiB budget | ${haveTime ? ratio(run.rss, rssBudgetMiB * 1024) : 'n/a'} | ≤ 1.00× | ${haveTime ? mark(run.rss, rssBudgetMiB * 1024) : ''} |
| wall time ÷ 100k export's | ${ratio(run.ms, wall('summarise'))} | | |
`;
}

rmSync(rssFile, { force: true });
const section = `## summarise

Input: \`${relative}\`, ${report.elements.toLocaleString('en-US')} elements, ${(size / 2 ** 20).toFixed(1)} MiB.
Each command runs as a child process; wall time includes Node.js start-up; median of ${rounds} interleaved rounds; peak RSS is the largest of them.
Command: \`node bin/callhook.js summarise <input> --format json\`.

| measure | ratio | target | met |
|---|--:|--:|---|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}
${notes.length ? `\n${notes.join('\n')}\n` : ''}${bigSection}`;
writeFileSync(join(out, 'summarise.md'), section);
process.stdout.write(section);
