// `npm run bench`: runs every bench/*.bench.mjs in turn (one at a time, so they do not compete
// for the two cores) and writes their sections into bench/RESULTS.md under a header naming the
// machine, the date and the command. Each bench prints a Markdown section on stdout in which
// every figure is a ratio against a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const sections = [];
let failed = false;
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, file)], {
    cwd: join(here, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    failed = true;
    sections.push(`## ${file}\n\nFAILED (exit ${result.status})\n`);
  } else sections.push(result.stdout.trim());
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = `# Benchmark results

- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node.js ${process.version}, ${process.platform}
- Date: ${new Date().toISOString()}
- Command: \`npm run bench${only.length ? ` -- ${only.join(' ')}` : ''}\`
- Every figure is a ratio against a baseline measured in the same run (lower is better unless noted).
`;
const report = `${header}\n${sections.join('\n\n')}\n`;
if (only.length === 0) writeFileSync(join(here, 'RESULTS.md'), report);
process.stdout.write(report);
process.exitCode = failed ? 1 : 0;
