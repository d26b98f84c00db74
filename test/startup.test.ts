// What `callhook --version` and `callhook --help` initialise: the entry and what it imports
// statically, nothing else. Each command's options, their parsers and lists of choices, and the
// error funnel are initialised only when a command runs or shows its help (the start-up time is
// measured by bench/startup.bench.mjs; this pins the shape that keeps it low). The CLI is one
// bundle (config/build.mjs) in which a module runs when it is first imported: a module and all it
// imports statically, transitively, run together; what it imports by `import()` runs only then.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { version } from '../src/version.js';
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

// Loaded before the CLI: prints last on stderr the Node modules it loaded.
const builtinSpy = `data:text/javascript,${encodeURIComponent(`
  process.on('exit', () => {
    const loaded = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    process.stderr.write('loaded: ' + loaded.join(' ') + '\\n');
  });
`)}`;

// Loaded before the CLI: prints last on stderr what V8 did with the code cache. Hint: a cache V8
// turns down (made by another build, or under other flags) costs the run the compile it was made
// to save, and says nothing: bin/callhook.cjs notes what V8 did.
const cacheSpy = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => process.stderr.write('code cache: ' + globalThis[Symbol.for('callhook.codeCache')] + '\\n'))",
)}`;

/** How the bundle's modules import each other, as the build bundles them (esbuild's metafile). */
const imports = build({
  absWorkingDir: repoRoot,
  entryPoints: ['src/entry.ts'],
  bundle: true,
  write: false,
  metafile: true,
  platform: 'node',
  format: 'cjs',
  mainFields: ['module', 'main'],
  logLevel: 'silent',
  inject: ['config/entry-url.mjs'],
  define: { CALLHOOK_VERSION: '"0"', CALLHOOK_LICENSE: '"0"', 'import.meta.url': 'entryUrl' },
}).then(({ metafile }) => metafile.inputs);

/** The source files that run when `from` is first imported: it and its static imports, transitively. */
async function initialised(from: string): Promise<string[]> {
  const inputs = await imports;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { path, kind, external } of inputs[file]?.imports ?? []) {
      // Hint: a CommonJS package's require() calls (commander's) count as static: they run as it loads.
      if ((kind === 'import-statement' || kind === 'require-call') && !external) visit(path);
    }
  };
  expect(inputs[from], from).toBeDefined();
  visit(from);
  return [...seen];
}

describe('start-up', () => {
  it('initialises commander and the command list, not the options, choices or the error funnel', async () => {
    expect(await initialised('src/entry.ts')).toEqual(['src/entry.ts']);
    const sources = await initialised('src/cli.ts');
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

  it.each([['--version'], ['validate', 'fixtures/valid'], ['summarise', 'fixtures/valid']])(
    '%s starts with the code cache the build made, which V8 takes',
    async (...args) => {
      const run = await runCli(args, { env: { NODE_OPTIONS: `--import=${cacheSpy}` } });
      expect(run.stderr.trim().split('\n').at(-1)).toBe('code cache: taken');
    },
  );

  it.each(['validate', 'show', 'summarise', 'trace', 'fix'])(
    "%s does not load node:child_process, which only a terminal's pager needs",
    async (command) => {
      // Hint: loading it (and the dgram and perf modules it brings) costs every start (bench/RESULTS.md).
      const args = command === 'trace' ? ['trace', 'x', 'fixtures/valid'] : [command, 'fixtures/valid'];
      const run = await runCli(args, { env: { NODE_OPTIONS: `--import=${builtinSpy}` } });
      const loaded = run.stderr.trim().split('\n').at(-1) ?? '';
      expect(loaded).toMatch(/^loaded: .*\bfs\b/);
      expect(loaded.split(' ')).not.toContain('child_process');
    },
  );

  it("starts summarise's worker from a module that initialises reading and counting, not the CLI", async () => {
    // Hint: the worker reads nothing until its modules are initialised; the main thread reads meanwhile.
    const sources = await initialised('src/commands/summarise-worker.ts');
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

  it("verify initialises the reader of captures, not listen's writer, and listen the writer, not the reader", async () => {
    // Hint: each checks what the other makes: one module for both had each command load both halves.
    const verify = await initialised('src/commands/verify.ts');
    expect(verify).toContain('src/input/captures.ts');
    expect(verify).not.toContain('src/server/capture.ts');
    const listen = await initialised('src/commands/listen.ts');
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

describe('the code cache', () => {
  const copies = mkdtempSync(join(tmpdir(), 'callhook-code-cache-'));
  afterAll(() => rmSync(copies, { recursive: true, force: true }));
  const cache = readFileSync(join(repoRoot, 'dist', 'cli.cache'));

  /** A copy of bin/ and the bundle, written after the bundle and given `cache` as its dist/cli.cache: the bin's path. */
  function copyWith(name: string, cacheBytes: Buffer): string {
    const copy = join(copies, name);
    cpSync(join(repoRoot, 'bin'), join(copy, 'bin'), { recursive: true });
    mkdirSync(join(copy, 'dist'));
    cpSync(join(repoRoot, 'dist', 'cli.cjs'), join(copy, 'dist', 'cli.cjs'));
    writeFileSync(join(copy, 'dist', 'cli.cache'), cacheBytes);
    return join(copy, 'bin', 'callhook.cjs');
  }

  /** Runs `bin` with `args` from the repository, the cache spy loaded. */
  const run = (bin: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--import=${cacheSpy}`, ...env },
    });

  it.each([1_000, 100_000])(
    'is turned down when bytes at %i were damaged, its length kept, and the run goes on as without it',
    (at) => {
      // Node crashed on every run, even --version: "unreachable code" (exit 133) or SIGSEGV (hR135).
      const damaged = Buffer.from(cache);
      damaged.fill(0, at, at + 64);
      const bin = copyWith(`damaged-${at}`, damaged);
      const versionRun = run(bin, ['--version']);
      expect([versionRun.status, versionRun.stdout, versionRun.stderr]).toEqual([
        0,
        `${version}\n`,
        'code cache: rejected\n',
      ]);
      const validate = run(bin, ['validate', 'fixtures/valid/doc-call-complete-repaired.json']);
      expect([validate.status, validate.stderr]).toEqual([0, 'code cache: rejected\n']);
      expect(run(copyWith(`whole-${at}`, cache), ['--version']).stderr).toBe('code cache: taken\n');
    },
  );

  it("of another build's bundle of the same length is not taken, and this bundle runs as it is", () => {
    // V8 checks a cache against the source's length alone: another build's cache ran its code as
    // this version's ("VALID" for "valid"), or crashed every run with a SyntaxError (hR136).
    const bin = copyWith('other-build', cache);
    const bundlePath = join(bin, '..', '..', 'dist', 'cli.cjs');
    const ours = readFileSync(bundlePath, 'latin1');
    const at = ours.indexOf(' valid, ');
    expect(at).toBeGreaterThan(0);
    writeFileSync(bundlePath, `${ours.slice(0, at)} VALID, ${ours.slice(at + 8)}`, 'latin1');
    const made = run(bin, ['validate', 'fixtures/valid'], { CALLHOOK_WRITE_CODE_CACHE: '1', NODE_OPTIONS: '' });
    expect(made.status).toBe(0);
    writeFileSync(bundlePath, ours, 'latin1');
    // The cache newer than the bundle, as a copy of another build's dist/ over this one leaves it.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(bin, '..', '..', 'dist', 'cli.cache'), later, later);
    const args = ['validate', 'fixtures/invalid', '--format', 'json'];
    const theirs = run(bin, args);
    const expected = run(join(repoRoot, 'bin', 'callhook.cjs'), args);
    expect([theirs.status, theirs.stdout, theirs.stderr]).toEqual([
      expected.status,
      expected.stdout,
      'code cache: none\n',
    ]);
    expect(theirs.stdout).not.toContain('VALID');
  });

  it('is taken whatever the times of the files, as npm leaves them (the cache written first)', () => {
    // An installed package never read its cache: npm writes the cache before the bundle, and the
    // bin took only a cache newer than the bundle (hR136).
    const bin = copyWith('older-cache', cache);
    utimesSync(join(bin, '..', '..', 'dist', 'cli.cache'), new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect(run(bin, ['--version']).stderr).toBe('code cache: taken\n');
  });

  it('is not needed: the bundle run by Node directly runs as the bin does', () => {
    // `node dist/cli.cjs …` failed: "internal error: __callhookEntry is not defined" (hR135).
    const args = ['validate', 'fixtures/valid/doc-call-complete-repaired.json', '--format', 'json'];
    const direct = run(join(repoRoot, 'dist', 'cli.cjs'), args);
    const viaBin = run(join(repoRoot, 'bin', 'callhook.cjs'), args);
    expect([direct.status, direct.stdout, direct.stderr]).toEqual([0, viaBin.stdout, 'code cache: undefined\n']);
  });

  it('holds no path of the machine that built it', () => {
    // The bundle's path, and the stacks of a cache hit with it, were the build's own (hR135).
    expect(cache.includes(repoRoot)).toBe(false);
    expect(cache.includes('callhook/dist/cli.cjs')).toBe(true);
  });

  it('that the build cannot write is one line, exit 2, never a stack', () => {
    // CALLHOOK_WRITE_CODE_CACHE set by hand printed Node's stack where dist/ cannot be written (hR135).
    const bin = copyWith('unwritable', cache);
    rmSync(join(bin, '..', '..', 'dist', 'cli.cache'));
    mkdirSync(join(bin, '..', '..', 'dist', 'cli.cache'));
    const written = run(bin, ['--version'], { CALLHOOK_WRITE_CODE_CACHE: '1', NODE_OPTIONS: '' });
    expect([written.status, written.stdout, written.stderr]).toEqual([
      2,
      `${version}\n`,
      'callhook: cannot write dist/cli.cache: illegal operation on a directory\n',
    ]);
  });
});
