// generate: 1,000,000 events written (to a file, and through a pipe to a reader that keeps up)
// against `callhook validate` reading the same output. Targets: generate's wall time ≤ 1.00×
// validate's on the same file, and peak RSS ≤ 200 MiB. Both choose their threads as they do by
// default (CALLHOOK_THREADS unset); generate on one thread is measured beside them.
//
//   node bench/generate.bench.mjs                      (CALLHOOK_BENCH_GENERATE_EVENTS=20000 for a smoke run)
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, measure, median, pairedRatio, root } from './lib.mjs';

const events = Number(process.env.CALLHOOK_BENCH_GENERATE_EVENTS ?? 1_000_000);
const runs = Number(process.env.CALLHOOK_BENCH_GENERATE_RUNS ?? 3);
const outDir = join(root, 'bench', 'out');
const { CALLHOOK_THREADS: _, ...defaultEnv } = process.env;
const oneThreadEnv = { ...defaultEnv, CALLHOOK_THREADS: '1' };
mkdirSync(outDir, { recursive: true });

const rows = [];
for (const format of ['json', 'ndjson']) {
  const file = join(outDir, `generated-${events}.${format}`);
  const generated = [];
  const validated = [];
  const piped = [];
  const oneThread = [];
  const generateArgs = [cli, 'generate', '--count', String(events), '--seed', '1', '--format', format, '--out', file];
  for (let round = 0; round < runs; round++) {
    rmSync(file, { force: true });
    const single = await measure(process.execPath, generateArgs, { env: oneThreadEnv });
    if (single.code !== 0) throw new Error(`generate failed: ${single.stderr}`);
    oneThread.push(single);
    rmSync(file, { force: true });
    const written = await measure(process.execPath, generateArgs, { env: defaultEnv });
    if (written.code !== 0) throw new Error(`generate failed: ${written.stderr}`);
    generated.push(written);
    const read = await measure(process.execPath, [cli, 'validate', file, '--quiet'], { env: defaultEnv });
    if (read.code !== 0) throw new Error(`validate found errors in generated output: ${read.stderr}`);
    validated.push(read);
    // Through a pipe: stdout's back-pressure paces the generator; `wc -c` reads as fast as it can.
    piped.push(
      await measure(
        '/bin/sh',
        [
          '-c',
          `"${process.execPath}" "${cli}" generate --count ${events} --seed 1 --format ${format} | wc -c > /dev/null`,
        ],
        { env: defaultEnv },
      ),
    );
  }
  const size = statSync(file).size;
  const ratio = pairedRatio(
    generated.map((r) => r.ms),
    validated.map((r) => r.ms),
  );
  rows.push({
    format,
    size,
    generateMs: median(generated.map((r) => r.ms)),
    validateMs: median(validated.map((r) => r.ms)),
    pipeMs: median(piped.map((r) => r.ms)),
    oneThreadMs: median(oneThread.map((r) => r.ms)),
    oneThreadRatio: pairedRatio(
      oneThread.map((r) => r.ms),
      validated.map((r) => r.ms),
    ),
    ratio,
    generateRss: Math.max(...generated.map((r) => r.rssMiB), ...oneThread.map((r) => r.rssMiB)),
    pipeRss: Math.max(...piped.map((r) => r.rssMiB)),
    validateRss: Math.max(...validated.map((r) => r.rssMiB)),
  });
  rmSync(file, { force: true });
}

const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`## generate

${events.toLocaleString('en-US')} events (\`callhook generate --count ${events} --seed 1\`), medians of ${runs} rounds; each round generates to a file on one thread (\`CALLHOOK_THREADS=1\`), then as by default, validates that file, then generates through a pipe into \`wc -c\`. A ratio is the median of each round's generate ÷ validate.

| format | output | generate --out | validate (same file) | generate ÷ validate | generate --out, one thread (÷ validate) | generate \\| wc -c | peak RSS generate (file / pipe) | peak RSS validate |
|---|---|---|---|---|---|---|---|---|
${rows
  .map(
    (r) =>
      `| ${r.format} | ${(r.size / 1e6).toFixed(0)} MB | ${s(r.generateMs)} | ${s(r.validateMs)} | ${r.ratio.toFixed(2)}× | ${s(r.oneThreadMs)} (${r.oneThreadRatio.toFixed(2)}×) | ${s(r.pipeMs)} | ${r.generateRss.toFixed(0)} / ${r.pipeRss.toFixed(0)} MiB | ${r.validateRss.toFixed(0)} MiB |`,
  )
  .join('\n')}

Targets: generate ≤ 1.00× validate (${rows.every((r) => r.ratio <= 1) ? 'meets' : 'MISSES'}), peak RSS ≤ 200 MiB (${rows.every((r) => r.generateRss <= 200 && r.pipeRss <= 200) ? 'meets' : 'MISSES'}).`);
