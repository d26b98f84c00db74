/** Keeps the fixtures honest: valid/ stays clean, and each invalid/ file still shows its problem. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

const script = join(repoRoot, 'fixtures', 'check-fixtures.mjs');
const listed = (folder: string) => readdirSync(join(repoRoot, 'fixtures', folder)).filter((f) => !f.endsWith('.md'));

/** Runs fixtures/check-fixtures.mjs (it reads the built library: `npm test` builds first). */
function check(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The report's lines per file: `{ 'invalid/x.json': ['12:3 (byte 40) error ...'] }`. */
function reportOf(folder: string): Record<string, string[]> {
  const report: Record<string, string[]> = {};
  let file = '';
  for (const line of check('--report', folder).stdout.split('\n')) {
    if (!line) continue;
    if (line.startsWith('  ')) report[file]?.push(line.trim());
    else {
      file = line;
      report[file] = [];
    }
  }
  return report;
}

describe('fixtures', () => {
  it('valid/: every event passes checkEvent, strict, with no warning', () => {
    const { code, stdout } = check();
    expect(stdout).not.toContain('FAIL');
    expect(stdout.match(/^ok /gm)).toHaveLength(listed('valid').length);
    expect(code).toBe(0);
  });

  const invalid = reportOf('invalid');
  it.each(listed('invalid'))('invalid/%s: shows a problem', (file) => {
    expect(invalid[`invalid/${file}`]).not.toEqual(['(no problem)']);
    expect(invalid[`invalid/${file}`]?.length).toBeGreaterThan(0);
  });

  it('invalid/proto-key.json: strict mode reports the __proto__ key', () => {
    expect(invalid['invalid/proto-key.json']?.join('\n')).toContain('unknown-field');
  });

  it('doc-examples/: the four published defects, at the positions the README gives', () => {
    const doc = reportOf('doc-examples');
    expect(doc['doc-examples/call-complete.json']?.[0]).toMatch(
      /^60:1 .*CommaExpected .*insert-comma-at=59:20 \(byte 1450\)/,
    );
    expect(doc['doc-examples/call-attempted.json']?.[0]).toMatch(/^15:1 .*extra-comma-at=14:53 \(byte 357\)/);
    expect(doc['doc-examples/call-received.json']?.[0]).toMatch(/^7:1 .*extra-comma-at=6:53 \(byte 135\)/);
    expect(doc['doc-examples/sms-received.json']?.[0]).toMatch(/^8:1 .*extra-comma-at=7:53 \(byte 168\)/);
    expect(doc['doc-examples/sms-sent.json']).toEqual(['(no problem)']);
  });
});
