// What `callhook --version` and `callhook --help` load: the entry and what it imports statically,
// nothing else. Each command's options, their parsers and lists of choices, and the error funnel
// are imported only when a command runs or shows its help (the start-up time is measured by
// bench/startup.bench.mjs; this pins the shape that keeps it low).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

/** The source files bundled into `entry` and the chunks it imports statically, transitively. */
function staticSources(entry: string): string[] {
  const sources = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, source] of text.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)) sources.add(source ?? '');
    for (const [, chunk] of text.matchAll(/^(?:import|export)\s[^;]*?from "(\.[^"]+)";/gms)) {
      visit(join(dirname(file), chunk ?? ''));
    }
  };
  visit(entry);
  return [...sources];
}

describe('start-up', () => {
  it('loads commander and the command list, not the options, choices or the error funnel', () => {
    const sources = staticSources(join(repoRoot, 'dist', 'cli.js'));
    expect(sources).toContain('src/cli.ts');
    expect(sources).toContain('node_modules/commander/lib/command.js');
    for (const lazy of [
      'src/commands/options.ts',
      'src/schema/names.ts',
      'src/core/summary-names.ts',
      'src/errors.ts',
    ]) {
      expect(sources, lazy).not.toContain(lazy);
    }
  });
});
