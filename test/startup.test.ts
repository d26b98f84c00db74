// What `callhook --version` and `callhook --help` load: the entry and what it imports statically,
// nothing else. Each command's options, their parsers and lists of choices, and the error funnel
// are imported only when a command runs or shows its help (the start-up time is measured by
// bench/startup.bench.mjs; this pins the shape that keeps it low).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/run-cli.js';

// Loaded before the CLI: counts each Intl object made, and prints the count last on stderr.
const intlSpy = `data:text/javascript,${encodeURIComponent(`
  let made = 0;
  for (const name of ['Segmenter', 'NumberFormat', 'DateTimeFormat', 'Collator', 'PluralRules', 'ListFormat']) {
    Intl[name] = new Proxy(Intl[name], { construct: (target, args) => (made++, Reflect.construct(target, args)) });
  }
  process.on('exit', () => process.stderr.write('Intl objects: ' + made + '\\n'));
`)}`;

// Loaded before the CLI: prints last on stderr whether its stdin was made non-blocking.
const stdinSpy = `data:text/javascript,${encodeURIComponent(`
  import { readFileSync } from 'node:fs';
  process.on('exit', () => {
    const flags = /flags:\\s+(\\d+)/.exec(readFileSync('/proc/self/fdinfo/0', 'utf8'))[1];
    process.stderr.write('stdin non-blocking: ' + ((parseInt(flags, 8) & 0o4000) !== 0) + '\\n');
  });
`)}`;

/** The source files bundled into `entry` and the chunks it imports statically, transitively, and the Node modules they import. */
function staticImports(entry: string): { sources: string[]; builtins: string[] } {
  const sources = new Set<string>();
  const builtins = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, source] of text.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)) sources.add(source ?? '');
    for (const [, builtin] of text.matchAll(/^import\s[^;]*?from "node:([^"]+)";/gms)) builtins.add(builtin ?? '');
    for (const [, chunk] of text.matchAll(/^(?:import|export)\s[^;]*?from "(\.[^"]+)";/gms)) {
      visit(join(dirname(file), chunk ?? ''));
    }
  };
  visit(entry);
  return { sources: [...sources], builtins: [...builtins] };
}
const staticSources = (entry: string) => staticImports(entry).sources;

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

  it.each(['validate', 'show', 'summarise', 'trace', 'fix'])(
    "%s does not load node:child_process, which only a terminal's pager needs",
    (command) => {
      // Hint: loading it (and the dgram and perf modules it brings) costs every start (bench/RESULTS.md).
      const chunks = join(repoRoot, 'dist', 'chunks');
      const entry = readdirSync(chunks).find((name) => new RegExp(`^${command}-\\w+\\.js$`).test(name));
      expect(entry, `a chunk of its own for ${command}`).toBeDefined();
      const { sources, builtins } = staticImports(join(chunks, entry ?? ''));
      expect(sources).toContain('src/commands/output.ts');
      expect(builtins).not.toContain('child_process');
    },
  );

  it("starts summarise's worker from a module that loads reading and counting, not the CLI", () => {
    // Hint: the worker reads nothing until its modules are loaded; the main thread reads meanwhile.
    const chunks = join(repoRoot, 'dist', 'chunks');
    const entry = readdirSync(chunks).find((name) => /^summarise-worker-\w+\.js$/.test(name));
    expect(entry, 'a chunk of its own for the worker').toBeDefined();
    const sources = staticSources(join(chunks, entry ?? ''));
    expect(sources).toContain('src/core/summary-accumulator.ts');
    expect(sources).toContain('src/input/halves.ts');
    expect(sources.filter((source) => source.startsWith('src/commands/'))).toEqual([
      'src/commands/summarise-worker.ts',
    ]);
    // errors.ts escapes file names with render/escape.ts; no renderer, no terminal, no commander.
    expect(sources.filter((source) => source.startsWith('src/render/'))).toEqual(['src/render/escape.ts']);
    const packages = sources.filter((source) => source.startsWith('node_modules/'));
    expect(packages.filter((source) => !/^node_modules\/(valibot|jsonc-parser)\//.test(source))).toEqual([]);
  });

  it("verify loads the reader of captures, not listen's writer, and listen the writer, not the reader", () => {
    // Hint: each checks what the other makes: one module for both had each command load both halves.
    const chunks = join(repoRoot, 'dist', 'chunks');
    const sourcesOf = (command: string) => {
      const entry = readdirSync(chunks).find((name) => new RegExp(`^${command}-\\w+\\.js$`).test(name));
      expect(entry, `a chunk of its own for ${command}`).toBeDefined();
      return staticSources(join(chunks, entry ?? ''));
    };
    const verify = sourcesOf('verify');
    expect(verify).toContain('src/input/captures.ts');
    expect(verify).not.toContain('src/server/capture.ts');
    const listen = sourcesOf('listen');
    expect(listen).toContain('src/server/capture.ts');
    expect(listen).not.toContain('src/input/captures.ts');
  });

  // Hint: a pipe's file status flags are shared by every process reading it; one made non-blocking
  // while a command runs fails another reader of the same pipe with EAGAIN (cat f | callhook fix -
  // | cmp - <(callhook generate ...)). Importing node:process as an ES module (chalk does) reads
  // process.stdin, which does that.
  it.runIf(process.platform === 'linux')(
    'a command that does not read stdin leaves a piped stdin as it found it',
    async () => {
      const env = { NODE_OPTIONS: `--import=${stdinSpy}`, FORCE_COLOR: '1', NO_COLOR: undefined };
      const file = 'fixtures/valid/doc-call-complete-repaired.json';
      const runs = await Promise.all(
        [
          ['validate', file],
          ['show', file],
          ['summarise', file],
          ['generate', '--count', '1'],
        ].map((args) => runCli(args, { env })),
      );
      for (const result of runs) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr.trim().split('\n').at(-1)).toBe('stdin non-blocking: false');
      }
      // The spy sees it when stdin is read (fix -).
      const read = await runCli(['fix', '-'], { env, input: '[]' });
      expect(read.stderr.trim().split('\n').at(-1)).toBe('stdin non-blocking: true');
    },
  );

  // Hint: the first Intl object of a process loads ICU data (~20-30 ms of a ~250 ms run); a run
  // over ASCII text, glyphs (✔ ✖ ⚠ · → │) and colours needs none.
  it.each(['validate', 'summarise', 'show', 'show --mask'])(
    '%s of an ASCII file, piped or in colour, makes no Intl object',
    async (command) => {
      const args = [...command.split(' '), 'fixtures/valid/doc-call-complete-repaired.json'];
      const colours = [{ NO_COLOR: '1' }, { NO_COLOR: undefined, FORCE_COLOR: '1' }];
      const env = { COLUMNS: '80', NODE_OPTIONS: `--import=${intlSpy}` };
      for (const result of await Promise.all(colours.map((colour) => runCli(args, { env: { ...env, ...colour } })))) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr.trim().split('\n').at(-1)).toBe('Intl objects: 0');
      }
    },
  );
});
