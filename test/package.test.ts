// The package as users get it: packed, installed by name into a new project, imported, and
// type-checked. Offline: npm ci caches tarballs but not the registry's metadata an install by
// range needs, so each dependency the package names is installed from this repository's
// node_modules (a dependency missing from package.json would make npm reach the registry, and fail).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

const require = createRequire(import.meta.url);
const project = mkdtempSync(join(tmpdir(), 'callhook-consumer-'));
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
let packed: string[] = [];

const consumer = `
import { readFileSync } from 'node:fs';
import {
  type CallCompleteEvent,
  correlationIdOf,
  eventInstant,
  eventTime,
  generateEvents,
  listSources,
  readEvents,
  type ReadItem,
  readRecords,
  schemas,
  signHexHmac,
  signStandardWebhook,
  toJsonSchema,
  validateEvent,
  verifyHexHmac,
  verifyStandardWebhook,
  type WebhookEvent,
} from 'callhook';
import * as v from 'valibot';

const body = JSON.stringify([...generateEvents({ count: 5, seed: 3 })].map((e) => e.event));
const secret = 'whsec_' + Buffer.from('0123456789abcdef0123').toString('base64');
const headers = signStandardWebhook(body, { secrets: [secret] });
// An option left undefined is as if not given, under exactOptionalPropertyTypes too.
const tolerance = process.env['TOLERANCE'] ? Number(process.env['TOLERANCE']) : undefined;
const verified = verifyStandardWebhook(body, headers, { secrets: [secret], toleranceSeconds: tolerance });
const results = (JSON.parse(body) as unknown[]).map((value) => validateEvent(value));
const completes: CallCompleteEvent[] = results.flatMap((r) => (r.event?.type === 'CallComplete' ? [r.event] : []));
const status: 'Complete' | 'Partial' | 'Not Complete' = completes[0]!.data.status;
let read = 0;
for await (const item of readEvents(body)) if (item.kind === 'event') read++;
// A fetch body, as a web app's lib (no dom.asynciterable) types it, and a stream of text: read as bytes are.
for await (const item of readEvents(new Response(body).body!)) if (item.kind === 'event') read++;
for await (const item of readEvents((async function* () { yield body; })())) if (item.kind === 'event') read++;
// A Buffer, as readFileSync and stream/consumers' buffer() give, is bytes to each reader and signer:
// @types/node 18.19.0's Buffer is no Uint8Array to TypeScript 5.7 and later (red team hR94).
const bytes: Buffer = readFileSync(process.argv[2]!);
let buffered = 0;
for await (const item of readEvents(bytes)) if (item.kind === 'event') buffered++;
for await (const item of readEvents((async function* () { yield bytes; })())) if (item.kind === 'event') buffered++;
const bufferSigned =
  verifyStandardWebhook(bytes, signStandardWebhook(bytes, { secrets: secret }), { secrets: secret }).ok &&
  verifyHexHmac(bytes, signHexHmac(bytes, { secrets: 'key' }), { secrets: 'key' }).ok;
// @ts-expect-error every array is read as paths: one of bytes is no source.
void readEvents([Buffer.from(body)]);
// No \`any\` reaches a user through the readers' iterators: a finished next() holds no value.
type IsAny<T> = 0 extends 1 & T ? true : false;
type Finished<G extends AsyncIterator<unknown, unknown, unknown>> = Extract<Awaited<ReturnType<G['next']>>, { done: true }>['value'];
const noAny: [IsAny<Finished<ReturnType<typeof readEvents>>>, IsAny<Parameters<ReturnType<typeof readEvents>['next']>[0]>, IsAny<Finished<ReturnType<typeof readRecords>>>] = [false, false, false];
const parsed = v.safeParse(schemas.CallAttempted, { time: 'x' });
// onWarning is told the file names in each warning too, as the README's onWarning(message, names):
// listSources' was typed as taking the message alone, so a listener of both did not compile.
const warned: string[][] = [];
const onWarning = (message: string, names: string[]) => void warned.push([message, ...names]);
const twice = [process.argv[2]!, process.argv[2]!];
const listed = await listSources(twice, onWarning);
for await (const records of readRecords(twice, { onWarning })) void records;
const fixture = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as unknown[];
const events: WebhookEvent[] = fixture.flatMap((value) => validateEvent(value).event ?? []);
// An invalid item's call has an undocumented status, any text: typed as the documented three, a
// switch over them compiled as exhaustive and met Voicemail at run time (red team hT68).
type Call = Extract<NonNullable<Extract<ReadItem, { kind: 'invalid' }>['call']>, { type: 'CallComplete' }>;
const undocumented: Call['data']['status'] = 'Voicemail';
// The library's helpers take such a call as they take an event (review hR63).
const calls: Call[] = [];
const callTimes: number[] = calls.map((call) => eventInstant(call) + eventTime(call).length);
const callIds: (string | undefined)[] = calls.map(correlationIdOf);
// The schemas' lists are frozen: typed as lists to push to, they compiled and threw (hT68).
type Pushable<T> = T extends unknown[] ? true : false;
const frozenLists: [
  Pushable<typeof schemas.CallAttempted.entries.status.options>,
  Pushable<typeof schemas.CallReceived.entries.type.options>,
  Pushable<typeof schemas.CallComplete.entries.status.options>,
] = [false, false, false];
console.log(JSON.stringify({
  ok: verified.ok, valid: results.every((r) => r.ok), status: typeof status, read, parsed: parsed.success,
  schema: toJsonSchema()['$schema'], fixture: events.length, noAny, listed: listed.length, warned: warned.length,
  buffered: buffered === 2 * events.length, bufferSigned,
}));
`;

/**
 * A module that re-exports, with its type left to inference, each value the package exports, what
 * each function returns and each member of each type it exports, as a consumer's code does: a
 * declaration build of it (`declaration: true`) must name every type it reaches from 'callhook'.
 */
function surfaceProbe(entry: string): string {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  });
  const checker = program.getTypeChecker();
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!);
  const lines: string[] = [];
  for (const symbol of exported) {
    const { name } = symbol;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (target.flags & ts.SymbolFlags.Function) {
      lines.push(
        `export const ${name}Returns = () => ${name}(...(undefined as unknown as Parameters<typeof ${name}>));`,
      );
    } else if (target.flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Class)) {
      lines.push(`export const ${name}Value = ${name};`);
    }
    if (!(target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) continue;
    // Hint: a generic type needs its arguments, and a primitive's members are the language's.
    const declaration = target.declarations?.[0] as ts.InterfaceDeclaration | ts.TypeAliasDeclaration | undefined;
    if (declaration?.typeParameters) continue;
    const type = checker.getDeclaredTypeOfSymbol(target);
    const members = type.isUnion() ? type.types : [type];
    if (members.some((member) => !(member.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)))) continue;
    for (const property of checker.getPropertiesOfType(type)) {
      lines.push(`export const ${name}_${lines.length} = (x: ${name}) => x[${JSON.stringify(property.name)}];`);
    }
  }
  const names = exported.map((symbol) => symbol.name);
  return `import { ${names.join(', ')} } from 'callhook';\n${lines.join('\n')}\n`;
}

/** What tsc says of `files` in the consumer project, checked as a strict consumer's, with `options`. */
function typeCheck(config: string, files: string[], options: object): string {
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    // Hint: checking every .d.ts (@types/node, valibot) takes a minute; the consumer's use of
    // callhook's types is what is checked, and attw (npm run check:package) checks the types resolve.
    skipLibCheck: true,
    typeRoots: [join(repoRoot, 'node_modules', '@types')],
    types: ['node'],
    ...options,
  };
  writeFileSync(join(project, config), JSON.stringify({ compilerOptions, files }));
  // tsc reports on stdout, which a failed execFileSync's message leaves out.
  const tsc = require.resolve('typescript/bin/tsc');
  const checked = spawnSync(process.execPath, [tsc, '-p', config], { cwd: project, encoding: 'utf8' });
  return checked.stdout + checked.stderr;
}

beforeAll(() => {
  const out = join(project, 'pack');
  const [info] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', out.replace(/pack$/, '')], repoRoot),
  ) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packed = info!.files.map((file) => file.path);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const { dependencies } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const local = Object.keys(dependencies).map((name) => join(repoRoot, 'node_modules', name));
  npm(
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(project, info!.filename), ...local],
    project,
  );
}, 60_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships the CLI, the built library and its types, the README, the licence it declares and nothing else', () => {
    expect(
      packed.filter(
        (path) =>
          !/^(dist\/.*\.(js|d\.ts)|dist\/cli\.(cjs|cache)|bin\/callhook\.cjs|README\.md|LICENSE|package\.json)$/.test(
            path,
          ),
      ),
    ).toEqual([]);
    expect(packed).toContain('dist/index.d.ts');
    expect(packed).toContain('dist/cli.cache');
    // package.json says MIT, whose terms are that its text goes with every copy.
    expect(packed).toContain('LICENSE');
    expect(packed.some((path) => /\.test\.|^src\/|^test\/|^bench\/|^fixtures\//.test(path))).toBe(false);
    expect(packed.filter((path) => path.startsWith('dist/commands/'))).toEqual([]);
  });

  it("installs by name offline, runs, and type-checks a consumer written against it, and the README's examples", () => {
    writeFileSync(join(project, 'consumer.mts'), consumer);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    writeFileSync(join(project, 'receiver.mjs'), /<!-- receiver -->\n```js\n([\s\S]*?)\n```/.exec(readme)![1]!);
    // A project `npm init -y` makes is CommonJS (npm 11 writes "type": "commonjs"), where the snippet's
    // imports and top-level await do not compile (TS1295, TS1309): README says to set "type": "module",
    // as this project does, so the snippet is checked as the .ts file a user would write (review hR85).
    expect(readme.slice(readme.indexOf('## Library'), readme.indexOf('<!-- library -->'))).toContain(
      '`"type": "module"`',
    );
    writeFileSync(join(project, 'library.ts'), /<!-- library -->\n```ts\n([\s\S]*?)\n```/.exec(readme)![1]!);
    const checked = typeCheck('tsconfig.json', ['consumer.mts', 'receiver.mjs', 'library.ts'], {
      // Next.js's default: a web ReadableStream is not typed async iterable.
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      // As strict a consumer as there is: an optional option must take undefined, and
      // `process.env.PORT` is to be written `process.env['PORT']` (red team hF57: the README's receiver was not).
      exactOptionalPropertyTypes: true,
      noPropertyAccessFromIndexSignature: true,
      noUncheckedIndexedAccess: true,
      // The README's receiver is JavaScript: checked as a TypeScript user who copies it would see it.
      allowJs: true,
      checkJs: true,
    });
    expect(checked).toBe('');
    const build = (entry: string) =>
      execFileSync(
        process.execPath,
        [require.resolve('esbuild/bin/esbuild'), entry, `--outdir=${project}`, '--out-extension:.js=.mjs'],
        { cwd: project, stdio: 'pipe' },
      );
    build('consumer.mts');
    const built = join(project, 'consumer.mjs');
    const output = execFileSync(process.execPath, [built, join(repoRoot, 'fixtures/valid/every-status.json')], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual({
      ok: true,
      valid: true,
      status: 'string',
      read: 15,
      parsed: false,
      schema: 'https://json-schema.org/draft/2020-12/schema',
      fixture: expect.any(Number),
      noAny: [false, false, false],
      listed: 1,
      warned: 2,
      buffered: true,
      bufferSigned: true,
    });
    expect(readdirSync(join(project, 'node_modules'))).toContain('callhook');

    // The README's first example: one event it parsed, then every element of an export, the
    // published CallComplete example with its missing comma.
    build('library.ts');
    const [first] = JSON.parse(readFileSync(join(repoRoot, 'fixtures/valid/every-status.json'), 'utf8')) as object[];
    // A key no payload documents, holding an escape sequence and a bidi override: printed escaped.
    writeFileSync(join(project, 'event.json'), JSON.stringify({ ...first, '\u001b[2J\u202eextra': 1 }));
    writeFileSync(
      join(project, 'export.json'),
      readFileSync(join(repoRoot, 'fixtures/doc-examples/call-complete.json')),
    );
    expect(execFileSync(process.execPath, ['library.mjs'], { cwd: project, encoding: 'utf8' })).toBe(
      '/\\e[2J\\u202eextra unknown-field field "\\u001b[2J\\u202eextra" is not in the documented payload\n' +
        // Where the problem is, not where its element begins (37): the README printed that (red team hT31).
        '59 missing comma between object members\n2 calls\n',
    );
  });

  it('runs its CLI where installed, from the code cache it ships', () => {
    // An installed package never read its cache: npm wrote the cache before the bundle, and the
    // bin took only a cache newer than the bundle (red team hR136).
    const spy = `data:text/javascript,${encodeURIComponent(
      "process.on('exit', () => process.stderr.write('code cache: ' + globalThis[Symbol.for('callhook.codeCache')] + '\\n'))",
    )}`;
    const run = spawnSync(join(project, 'node_modules', '.bin', 'callhook'), ['--version'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--import=${spy}` },
    });
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect([run.status, run.stdout, run.stderr]).toEqual([0, `${version}\n`, 'code cache: taken\n']);
  });

  it("names every value it exports in the README's table of exports", async () => {
    // The payload schemas by name, isCallStatus and defaultToleranceSeconds were in no row (review hR85).
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const rows = /\n\| export +\| what it is +\|\n\|[- |]+\|\n((?:\|.*\n)+)/.exec(readme)![1]!.split('\n');
    const named = new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(\w+)/g)].map((m) => m[1])));
    const installed = join(project, 'node_modules', 'callhook', 'dist', 'index.js');
    const exported = Object.keys(await import(pathToFileURL(installed).href));
    expect(exported.length).toBeGreaterThan(30);
    expect(exported.filter((name) => !named.has(name))).toEqual([]);
  });

  it('type-checks the consumer with the oldest @types/node the README names, 18.19.0, and no DOM lib', () => {
    // Its typings named the global ReadableStream, which @types/node 18.19.0 does not declare: under
    // skipLibCheck the name read as any, so EventSource took any value (red team hR83). Hint: the
    // devDependency types-node-18 is @types/node@18.19.0, installed offline with the rest.
    const roots = join(project, 'types-node-18');
    mkdirSync(roots, { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules', 'types-node-18'), join(roots, 'node'), 'dir');
    writeFileSync(join(project, 'consumer.mts'), consumer);
    // The README's receiver passes verifyStandardWebhook the Buffer stream/consumers' buffer() gives:
    // checked as the TypeScript a user would write of it, its JSDoc types made annotations (red team hR94).
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const receiver = /<!-- receiver -->\n```js\n([\s\S]*?)\n```/.exec(readme)![1]!;
    const typed = receiver.replace(/\/\*\* @type \{(\w+)\} \*\/ (\w+)/g, '$2: $1');
    expect(typed).not.toContain('@type');
    writeFileSync(join(project, 'receiver.mts'), typed);
    const files = ['consumer.mts', 'receiver.mts'];
    expect(typeCheck('tsconfig.node18.json', files, { typeRoots: [roots], lib: ['ES2023'] })).toBe('');
  });

  it('names every type its exports reach, so a consumer that emits declarations builds (TS2742; red team hF57)', () => {
    // CheckOptions.keyOrder was a KeyOrder and Source.path an OpenablePath, neither exported: a
    // consumer's inferred type holding one could not be written in its .d.ts.
    const probe = surfaceProbe(join(project, 'node_modules/callhook/dist/index.d.ts'));
    expect(probe).toContain('CheckOptions_');
    writeFileSync(join(project, 'surface.mts'), probe);
    expect(typeCheck('tsconfig.surface.json', ['surface.mts'], { declaration: true })).toBe('');
  });

  it('declares nothing an older @types/node cannot read: no Dirent<…> or Buffer<…> (red team hF57)', () => {
    // Neither takes an argument in @types/node 20.17.0 and older: `Type 'Dirent' is not generic`, in an
    // internal function's declaration the public entry pulls in, failed a consumer's build there.
    const declarations = packed.filter((path) => path.endsWith('.d.ts'));
    const generic = declarations.flatMap((path) => {
      const text = readFileSync(join(project, 'node_modules/callhook', path), 'utf8');
      return [...text.matchAll(/\b(?:Dirent|Buffer)<[^>]*>/g)].map((match) => `${path}: ${match[0]}`);
    });
    expect(declarations.length).toBeGreaterThan(10);
    expect(generic).toEqual([]);
  });

  it('says on hover it is for Node, as it is: it does not bundle for a platform without node: modules (red team hF57)', () => {
    // Its entry's doc said it worked on "edge runtimes"; verifyStandardWebhook needs node:crypto and node:buffer.
    const declarations = readFileSync(join(project, 'node_modules/callhook/dist/index.d.ts'), 'utf8');
    const doc = /^\/\*\*[\s\S]*?\*\//.exec(declarations)?.[0];
    expect(doc).toMatch(/Node\.js/);
    expect(doc).not.toMatch(/edge/i);
    writeFileSync(join(project, 'edge.mjs'), "export { verifyStandardWebhook } from 'callhook';\n");
    const bundled = spawnSync(
      process.execPath,
      [require.resolve('esbuild/bin/esbuild'), 'edge.mjs', '--bundle', '--platform=neutral', '--log-level=error'],
      { cwd: project, encoding: 'utf8' },
    );
    expect(bundled.status).not.toBe(0);
    expect(bundled.stderr).toContain('Could not resolve "node:crypto"');
  });

  it("can be bundled into an app with esbuild's defaults for Node, as ESM and as CommonJS", () => {
    // A dependency's UMD main (jsonc-parser's), left for the app's bundler, crashed the app at
    // start: "Dynamic require of ./impl/format is not supported" (red team hT35).
    writeFileSync(
      join(project, 'app.mjs'),
      [
        "import { readEvents, validateEvent } from 'callhook';",
        'let n = 0;',
        '(async () => {',
        '  for await (const item of readEvents(\'[{"a": 1} {"b": 2}]\')) n++;',
        '  console.log(validateEvent({}).ok, n);',
        '})();',
        '',
      ].join('\n'),
    );
    for (const format of ['esm', 'cjs']) {
      const out = `app-bundled.${format === 'esm' ? 'mjs' : 'cjs'}`;
      execFileSync(
        process.execPath,
        [
          require.resolve('esbuild/bin/esbuild'),
          'app.mjs',
          '--bundle',
          '--platform=node',
          `--format=${format}`,
          `--outfile=${out}`,
          '--log-level=error',
        ],
        { cwd: project, stdio: 'pipe' },
      );
      const run = spawnSync(process.execPath, [out], { cwd: project, encoding: 'utf8' });
      expect({ format, stderr: run.stderr, stdout: run.stdout }).toEqual({ format, stderr: '', stdout: 'false 3\n' });
    }
  });

  it('can be required from CommonJS, as its types already tell TypeScript (Node 20.19+ loads ESM by require)', () => {
    writeFileSync(
      join(project, 'consumer.cjs'),
      "const { validateEvent } = require('callhook');\nconsole.log(validateEvent({ eventType: 'Nope' }).issues[0].code);\n",
    );
    const output = execFileSync(process.execPath, ['consumer.cjs'], { cwd: project, encoding: 'utf8' });
    expect(output).toBe('unknown-event-type\n');
  });
});
