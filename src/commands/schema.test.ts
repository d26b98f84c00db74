import { describe, expect, it } from 'vitest';
import { capture } from '../../test/helpers/capture.js';
import { CallhookError } from '../errors.js';
import { schema } from './schema.js';

describe('callhook schema', () => {
  it('refuses --openapi with --draft 07 rather than ignoring it: OpenAPI 3.1 schemas are draft 2020-12', () => {
    const refused = (() => {
      try {
        schema({ openapi: true, draft: '07' });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).message).toBe(
      '--openapi writes its schemas in draft 2020-12, as OpenAPI 3.1 requires; it cannot be combined with --draft 07',
    );
    expect((refused as CallhookError).exitCode).toBe(2);
  });

  it('wraps what the schema cannot express to 80 columns on stderr, each note saying it once', async () => {
    // `callhook schema > file` printed notes up to 178 columns wide on an 80-column terminal.
    const { stdout, stderr } = await capture(async () => schema({ draft: '2020-12' }));
    expect(JSON.parse(stdout).$comment).toMatch(/^Not expressed: the consistency rules/);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('callhook: the schema mirrors validate; it cannot express:');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines.filter((line) => line.startsWith('  - '))).toHaveLength(7);
    expect(lines.slice(1).every((line) => /^ {2}- \S|^ {4}\S/.test(line))).toBe(true);
    expect(stderr).not.toContain('not expressed');
  });

  it('wraps its first line to a narrow terminal too, as it wraps the notes under it', async () => {
    // At 20 and 40 columns the notes wrapped and the 57-column line above them did not (red team hR95).
    const { isTTY, columns } = process.stderr;
    try {
      process.stderr.isTTY = true;
      for (const width of [20, 40]) {
        process.stderr.columns = width;
        const { stderr } = await capture(async () => schema({ draft: '2020-12', strict: true }));
        // Hint: a line of one unbreakable token (`missing-correlation,` under its indent) may be wider.
        const wide = stderr.split('\n').filter((line) => line.length > width && /\s/.test(line.trim()));
        expect(wide, String(width)).toEqual([]);
        expect(stderr.split('\n  - ')[0]?.replace(/\s+/g, ' ')).toBe(
          'callhook: the schema mirrors validate --strict; it cannot express:',
        );
      }
    } finally {
      process.stderr.isTTY = isTTY;
      process.stderr.columns = columns;
    }
  });
});
