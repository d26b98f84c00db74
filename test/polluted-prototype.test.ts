import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

// A host that has set an enumerable property on Object.prototype (an old polyfill, a polluted
// dependency): the library failed at import (esbuild's __export helper walks a namespace with
// for…in: "Getter must be a function: x"), then every call given no options refused `type "x"`.
// Hint: the check of an invalid event, toJsonSchema and generateEvents still fail there, inside
// valibot and @valibot/to-json-schema, whose for…in over a schema's entries meets the inherited
// key (README, Library); src/library.test.ts checks that every call's options are read only from
// the caller's own object.
const script = `
import { readFileSync } from 'node:fs';
Object.prototype.type = 'x';
const { checkEvent, readEvents, validateEvent } = await import('${pathToFileURL(join(repoRoot, 'dist/index.js')).href}');
const [event] = JSON.parse(readFileSync('fixtures/valid/every-status.json', 'utf8'));
const result = validateEvent(event);
const kinds = [];
for await (const item of readEvents(JSON.stringify([event, { a: 1 }]))) kinds.push(item.kind);
for await (const item of readEvents(['fixtures/valid/every-status.json'])) kinds.push(item.kind);
console.log(JSON.stringify({ ok: result.ok, type: result.type, checked: checkEvent(event).kind, kinds: [...new Set(kinds)] }));
`;

describe('a host whose Object.prototype has an enumerable property', () => {
  it('imports the library, and reads only the options a caller gave, not inherited ones', () => {
    // Hint: esbuild writes __export for a namespace import (`import * as`) of a bundled module.
    expect(readFileSync(join(repoRoot, 'dist/index.js'), 'utf8')).not.toContain('__export');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      ok: true,
      type: 'CallComplete',
      checked: 'CallComplete',
      kinds: ['event', 'invalid'],
    });
  });
});
