// validate on the 100,000-event export against what a user would write or reach for instead,
// measured in the same rounds: the plain read + JSON.parse + count (no validation: target ≤ 1.0×
// its wall time), the naive JSON.parse + callhook's checkEvent loop, and ajv compiled on the JSON
// Schema `callhook schema` exports (skipped, and said so, where that command is missing); and
// against itself on one thread. Then a ~2 GB export, for peak RSS (≤ 200 MiB).
// CALLHOOK_BENCH_EVENTS, CALLHOOK_BENCH_BIG_EVENTS and CALLHOOK_BENCH_ROUNDS shrink a run.
// CALLHOOK_BENCH_BEFORE=<git rev> adds a row for callhook as it was at that revision (see
// lib.mjs `earlierCallhook`), to show a change kept the speed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
  rounds,
  targetTable,
} from './lib.mjs';

const before = earlierCallhook();
const events = Number(process.env.CALLHOOK_BENCH_EVENTS ?? 100_000);
const missingPeers = ensurePeers();
const file = await ensureExport(events, 'array', 'CallComplete');
const size = statSync(file).size;

// The schema ajv compiles, as `callhook schema` prints it today (the command may be missing).
const exported = spawnSync(process.execPath, [cli, 'schema'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
let schemaPath;
let noAjv;
if (missingPeers.includes('ajv')) noAjv = 'ajv could not be installed';
else if (exported.status !== 0)
  noAjv = `\`callhook schema\` is not available in this build (${exported.stderr.trim().split('\n')[0]})`;
else {
  try {
    JSON.parse(exported.stdout);
    schemaPath = join(root, 'bench', 'out', 'callhook-schema.json');
    mkdirSync(join(root, 'bench', 'out'), { recursive: true });
    writeFileSync(schemaPath, exported.stdout);
  } catch (error) {
    noAjv = `\`callhook schema\` printed no JSON (${error instanceof Error ? error.message : String(error)})`;
  }
}

const env = (/** @type {string} */ threads) => ({ ...process.env, CALLHOOK_THREADS: threads });
// Each command: [label, command, args, its whole environment (none: this process's)].
/** @type {Record<string, import('./lib.mjs').BenchCommand>} */
const commands = {
  validate: ['`callhook validate f --quiet`', process.execPath, [cli, 'validate', file, '--quiet'], env('trace')],
  oneThread: [
    'the same with `CALLHOOK_THREADS=1` (one thread)',
    process.execPath,
    [cli, 'validate', file, '--quiet'],
    env('1'),
  ],
  ...(before
    ? {
        before: [
          `${before.label}: \`callhook validate f --quiet\``,
          process.execPath,
          [before.cli, 'validate', file, '--quiet'],
          env('trace'),
        ],
      }
    : {}),
  parse: [
    'plain read + `JSON.parse` + count, no validation (baseline; bench/peers/parse-count.mjs)',
    process.execPath,
    [join(root, 'bench', 'peers', 'parse-count.mjs'), file],
  ],
  naive: [
    "naive `JSON.parse(readFileSync(f))` + callhook's `checkEvent` loop (bench/naive-validate.mjs)",
    process.execPath,
    [join(root, 'bench', 'naive-validate.mjs'), file],
  ],
  ...(schemaPath
    ? {
        ajv: [
          'ajv compiled on `callhook schema`, `JSON.parse` + a loop (bench/peers/ajv-validate.mjs)',
          process.execPath,
          [join(root, 'bench', 'peers', 'ajv-validate.mjs'), schemaPath, file],
        ],
      }
    : {}),
};
const results = await pairedRounds(commands, ([, command, args, environment]) =>
  measure(command, args, environment ? { env: environment } : {}),
);
for (const name of ['validate', 'oneThread', ...(before ? ['before'] : [])]) {
  if (results(name).some((r) => r.code !== 0))
    throw new Error(`callhook validate (${name}) failed on the generated export`);
}
const times = (/** @type {string} */ name) => results(name).map((r) => r.ms);
const vs = (/** @type {string} */ name) => pairedRatio(times('validate'), times(name));
const rss = (/** @type {string} */ name) => Math.max(...results(name).map((r) => r.rssMiB));
const how = readOn(firstRun(results('validate')).stderr);
const rows = Object.entries(commands).map(
  ([name, [label]]) =>
    `| ${label} | ${(median(times(name)) / 1000).toFixed(2)} s | ${name === 'validate' ? '1.00×' : `${vs(name).toFixed(3)}×`} | ${rss(name).toFixed(0)} MiB |`,
);

// A folder of one-event files, as a capture or a per-delivery export is: the cost a file.
const folderFiles = Number(process.env.CALLHOOK_BENCH_FOLDER_FILES ?? 20_000);
const folder = join(root, 'bench', 'out', `folder-${folderFiles}`);
if (!existsSync(join(folder, `${String(folderFiles - 1).padStart(6, '0')}.json`))) {
  mkdirSync(folder, { recursive: true });
  const all = JSON.parse(readFileSync(file, 'utf8'));
  for (let i = 0; i < folderFiles; i++) {
    writeFileSync(join(folder, `${String(i).padStart(6, '0')}.json`), `${JSON.stringify(all[i % all.length])}\n`);
  }
}
/** @type {Record<string, import('./lib.mjs').BenchCommand>} */
const folderCommands = {
  validate: ['`callhook validate folder --quiet`', process.execPath, [cli, 'validate', folder, '--quiet']],
  parse: [
    'plain read + `JSON.parse` + count of each file (baseline; bench/peers/parse-count.mjs)',
    process.execPath,
    [join(root, 'bench', 'peers', 'parse-count.mjs'), folder],
  ],
  jq: [
    '`jq -c length` on every file (`find -exec jq … {} +`)',
    'find',
    [folder, '-name', '*.json', '-exec', 'jq', '-c', 'length', '{}', '+'],
  ],
};
const folderResults = await pairedRounds(
  folderCommands,
  ([, command, args]) => measure(command, args),
  Math.min(rounds, 5),
);
if (folderResults('validate').some((r) => r.code !== 0)) throw new Error('callhook validate failed on the folder');
const folderTimes = (/** @type {string} */ name) => folderResults(name).map((r) => r.ms);
const folderRows = Object.entries(folderCommands).map(
  ([name, [label]]) =>
    `| ${label} | ${(median(folderTimes(name)) / 1000).toFixed(2)} s | ${name === 'validate' ? '1.00×' : `${pairedRatio(folderTimes('validate'), folderTimes(name)).toFixed(2)}×`} |`,
);

const { events: bigEvents, file: big, size: bigSize } = await bigExport(1_800_000, 'CallComplete');
const bigRun = await measure(process.execPath, [cli, 'validate', big, '--quiet'], { env: env('trace') });
if (bigRun.code !== 0) throw new Error('callhook validate failed on the large export');
const bigHow = readOn(bigRun.stderr);

const targets = [
  {
    what: `validate, ${events.toLocaleString('en-US')}-event export: ÷ the plain read + \`JSON.parse\` + count`,
    value: vs('parse'),
    limit: 1,
    unit: '×',
  },
  {
    what: `peak RSS, ${events.toLocaleString('en-US')}-event export`,
    value: rss('validate'),
    limit: memoryBudgetMiB,
    unit: 'MiB',
  },
  {
    what: `peak RSS, ${(bigSize / 2 ** 30).toFixed(2)} GiB export`,
    value: bigRun.rssMiB,
    limit: memoryBudgetMiB,
    unit: 'MiB',
  },
];

console.log(`## validate

${events.toLocaleString('en-US')} events, ${mb(size)} pretty-printed JSON array of CallComplete events (bench/make-export.mjs --only CallComplete, seed 1); ${rounds} rounds, each running every command once as a child process (Node.js start-up included); a ratio is the median over the rounds of validate's time over the other command's in the same round; peak RSS is the largest seen.

| command | median wall time | validate's time ÷ this one's (median of paired rounds) | peak RSS |
|---|---|---|---|
${rows.join('\n')}

\`callhook validate\` read it on ${how}.${schemaPath ? '' : ` ajv: not available: ${noAjv}.`}

A folder of ${folderFiles.toLocaleString('en-US')} files of one compact event each (the export's first events, one a file); ${Math.min(rounds, 5)} paired rounds:

| command | median wall time | validate's time ÷ this one's |
|---|---|---|
${folderRows.join('\n')}

Large export: ${bigEvents.toLocaleString('en-US')} events, ${mb(bigSize)} (${(bigSize / 2 ** 30).toFixed(2)} GiB${bigSize > 2 ** 30 ? ", larger than V8's longest string, so none of the JSON.parse tools can read it" : ''}): \`callhook validate\` took ${(bigRun.ms / 1000).toFixed(1)} s (${(bigSize / 1e6 / (bigRun.ms / 1000)).toFixed(0)} MB/s), peak RSS ${bigRun.rssMiB.toFixed(0)} MiB; read on ${bigHow}.

### Targets

${targetTable(targets)}`);
