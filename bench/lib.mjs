// Shared helpers for the benchmarks: timing child processes, peak RSS, medians, Markdown rows.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The built CLI. */
export const cli = join(root, 'bin', 'callhook.js');

/**
 * Runs a command to completion and returns its wall time in ms and its peak RSS in MiB
 * (measured by GNU time's %M, which covers the whole process tree's largest member).
 */
export function measure(command, args, { stdout = 'ignore', env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const timeArgs = ['-f', '%M', command, ...args];
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', timeArgs, { stdio: ['ignore', stdout, 'pipe'], env, cwd: root });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const lines = stderr.trim().split('\n');
      const kb = Number(lines.at(-1));
      resolve({ code, ms, rssMiB: kb / 1024, stderr: lines.slice(0, -1).join('\n') });
    });
  });
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Makes an export with bench/make-export.mjs (seed 1) unless it already exists. `only` keeps one
 * event type: CallComplete events average ~1.2 KB, so 100,000 of them make the ~100 MB export
 * the targets speak of (a realistic mix averages ~560 bytes an event).
 */
export async function ensureExport(events, format, only) {
  const name = `export-${events}-${format}${only ? `-${only}` : ''}.json`;
  const out = join(root, 'bench', 'out', name);
  if (existsSync(out) && statSync(out).size > 0) return out;
  const args = [join(root, 'bench', 'make-export.mjs'), '--events', String(events), '--format', format, '--out', out];
  if (only) args.push('--only', only);
  const { code } = await measure(process.execPath, args);
  if (code !== 0) throw new Error(`make-export failed for ${name}`);
  return out;
}

/**
 * The median over rounds of `ours[i] / baseline[i]`: each round ran both commands back to back, so
 * a slow phase of a shared machine (seen here to move one command's time by ±25% between minutes)
 * weighs on both sides of the same ratio instead of on one median only.
 */
export function pairedRatio(ours, baseline) {
  return median(ours.map((value, i) => value / baseline[i]));
}

/** `x.xx×` for a ratio. */
export function ratio(value, baseline) {
  return `${(value / baseline).toFixed(2)}×`;
}
