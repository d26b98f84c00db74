// `npm run bench`: runs every bench/*.bench.mjs in turn (one at a time, so they do not compete
// for the two cores) and writes their sections into bench/RESULTS.md under a header naming the
// machine. Each bench prints a Markdown section on stdout in which every figure is a ratio
// against a baseline measured in the same run; each section records its own date and command.
// `npm run bench -- NAME...` runs only the benches whose file names contain a NAME, and replaces
// just their sections in bench/RESULTS.md, keeping the others (and their dates) as they were.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const command = `npm run bench${only.length ? ` -- ${only.join(' ')}` : ''}`;
// Hint: a run of some benches keeps the other sections, which may come from another machine, so
// each section names the machine it ran on.
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node.js ${process.version}, ${process.platform}`;
/** Puts the run's date, command and machine under a section's heading. */
const stamp = (/** @type {string} */ section) =>
  section.replace(/^(## .*)$/m, `$1\n\n_${new Date().toISOString()}, \`${command}\`, ${machine}_`);
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
    sections.push(stamp(`## ${file}\n\nFAILED (exit ${result.status})\n`));
  } else sections.push(stamp(result.stdout.trim()));
}

const header = `# Benchmark results

- Each section names the date, the command and the machine of the run it comes from.
- Every figure is a ratio against a baseline measured in the same run (lower is better unless noted).
- No measured process inherits NODE_EXTRA_CA_CERTS: where it is set, each Node start parses that
  file first (about 150 ms here), which would hide start-up costs (bench/lib.mjs).
`;

/**
 * Splits a report into its `## ` sections, keyed by heading.
 * @param {string} text
 * @returns {Map<string, string>}
 */
function sectionsOf(text) {
  // Hint: a split at a lookahead drops an empty first part, so keep the parts that are sections.
  const parts = text.split(/^(?=## )/m).filter((part) => part.startsWith('## '));
  // split gives at least one part, so the `?? ''` never applies.
  return new Map(parts.map((part) => [part.split('\n', 1)[0] ?? '', part.trim()]));
}

const resultsPath = join(here, 'RESULTS.md');
// Sections no benchmark writes (the figures behind code comments) are kept as they are.
const merged = existsSync(resultsPath) ? sectionsOf(readFileSync(resultsPath, 'utf8')) : new Map();
for (const [heading, section] of sectionsOf(sections.join('\n\n'))) merged.set(heading, section);
const report = `${header}\n${[...merged.values()].join('\n\n')}\n`;
writeFileSync(resultsPath, report);
process.stdout.write(`${sections.join('\n\n')}\n`);
process.exitCode = failed ? 1 : 0;
