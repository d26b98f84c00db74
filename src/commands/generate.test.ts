import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  existsSync,
  lchownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { capture } from '../../test/helpers/capture.js';
import { literally } from '../../test/helpers/run-cli.js';
import { generateEvents } from '../core/generate.js';
import { CallhookError } from '../errors.js';
import { terminalWidth, warningLine } from '../render/terminal.js';
import type { EventType } from '../schema/names.js';
import { generate, threadsFor } from './generate.js';

const dir = mkdtempSync(join(tmpdir(), 'callhook-generate-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (out: string, force?: boolean) => ({ count: '3', seed: '1', format: 'json' as const, out, force });

describe('generate --out', () => {
  it('never replaces an existing file unless --force says so', async () => {
    const out = join(dir, 'export.json');
    writeFileSync(out, 'a real export\n');
    // Hint: set, not given to writeFileSync, which the umask cuts (077 made it 0600 before the run).
    chmodSync(out, 0o640);
    const refused = await capture(() => generate(options(out))).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).exitCode).toBe(2);
    expect((refused as CallhookError).message).toBe(`${out}: already exists; --force replaces it`);
    expect(readFileSync(out, 'utf8')).toBe('a real export\n');

    await capture(() => generate(options(out, true)));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveLength(3);
    expect(statSync(out).mode & 0o777).toBe(0o640);
  });

  it('names the file it cannot create, and why, not only its folder', async () => {
    // `--out /proc/x` said "/proc: no such file or directory", of a folder that exists; then
    // "cannot create a file in /proc (no such file or directory)": what fails there is the
    // temporary file made beside --out to write it to, and /proc is there.
    const temporary = (out: string) =>
      `${out}: cannot create the temporary file it is written to before it takes its name, in /proc (no such file or directory)`;
    // The folder is named one way, its absolute path, whether the file exists or not and however
    // it was named: a new file's was named as given (`in ../../proc`), an existing one's as
    // absolute (`in /proc`), as replay --report names it (red team hF56).
    const missing = join(dir, 'no-such-folder', 'x.json');
    const cases: [string, boolean, string][] = [
      ['/proc/x.json', false, temporary('/proc/x.json')],
      ['/proc/version', true, temporary('/proc/version')],
      [relative('.', '/proc/x.json'), false, temporary(relative('.', '/proc/x.json'))],
      [relative('.', '/proc/version'), true, temporary(relative('.', '/proc/version'))],
      [missing, false, `${missing}: cannot create a file in ${dirname(missing)} (no such file or directory)`],
      [
        relative('.', missing),
        false,
        `${relative('.', missing)}: cannot create a file in ${dirname(missing)} (no such file or directory)`,
      ],
    ];
    for (const [out, force, message] of cases) {
      const refused = await capture(() => generate(options(out, force))).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(CallhookError);
      expect((refused as CallhookError).exitCode).toBe(2);
      expect((refused as CallhookError).message).toBe(message);
    }
  });

  it('keeps a file that appears while generating, unless --force', async () => {
    const sub = mkdtempSync(join(dir, 'race-'));
    const out = join(sub, 'export.json');
    // Hint: a run long enough to be caught writing (a few MB, on one thread: under the threaded size).
    const run = capture(() => generate({ ...options(out), count: '5000' })).catch((error: unknown) => error);
    // It has begun writing once its temporary file is there; then another program takes the name.
    while (!readdirSync(sub).some((name) => name.startsWith('.callhook-generate-'))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    writeFileSync(out, 'mine\n');
    const refused = await run;
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).exitCode).toBe(2);
    expect((refused as CallhookError).message).toBe(
      `${out}: appeared while generating, and is kept; --force replaces it`,
    );
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
    expect(readdirSync(sub)).toEqual(['export.json']);
  });

  it('keeps its own outcome when its temporary file cannot be removed, and names the file in a warning', async () => {
    // In a folder that takes names but gives none up (chattr +a), the file was in place, yet the run
    // ended "internal error: EPERM: operation not permitted, rmdir '…/.callhook-generate-…'", exit 2;
    // and with --force that hid why the file was not replaced (the rename refused).
    const sub = mkdtempSync(join(dir, 'append-only-'));
    const old = join(sub, 'old.json');
    writeFileSync(old, 'kept\n');
    const refuse = (call: string, path: unknown) =>
      Object.assign(new Error(`EPERM: operation not permitted, ${call} '${String(path)}'`), { code: 'EPERM' });
    const mockAppendOnly = () => {
      const { unlink, rename } = fsPromises;
      vi.spyOn(fsPromises, 'unlink').mockImplementation(async (path) => {
        if (String(path).includes('.callhook-generate-')) throw refuse('unlink', path);
        return unlink(path);
      });
      vi.spyOn(fsPromises, 'rename').mockImplementation(async (from, to) => {
        if (to === old) throw refuse('rename', from);
        return rename(from, to);
      });
      syncBuiltinESMExports();
    };
    const left = () => readdirSync(sub).filter((name) => name.startsWith('.callhook-generate-'));
    // Hint: as wrapped, not unwrapped: a path (TMPDIR) broken after a CJK character lost no space.
    const warning = (file: string | undefined) =>
      warningLine(
        `the temporary file ${join(sub, file ?? '')} is left behind (could not remove it: operation not permitted)`,
        terminalWidth(process.stderr),
      );
    try {
      const made = join(sub, 'new.json');
      const printed = await capture(async () => {
        mockAppendOnly();
        await generate(options(made));
      });
      syncBuiltinESMExports();
      expect(JSON.parse(readFileSync(made, 'utf8'))).toHaveLength(3);
      expect(left()).toHaveLength(1);
      expect(printed.stderr).toMatch(new RegExp(`^${literally(warning(left()[0]))}`));

      const before = left();
      const errors: string[] = [];
      const failed = await capture(async () => {
        mockAppendOnly();
        vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => errors.push(String(chunk)) > 0);
        await generate(options(old, true));
      }).catch((error: unknown) => error);
      syncBuiltinESMExports();
      expect(failed).toBeInstanceOf(CallhookError);
      expect((failed as CallhookError).message).toBe(`${old}: operation not permitted`);
      expect(readFileSync(old, 'utf8')).toBe('kept\n');
      const added = left().filter((name) => !before.includes(name));
      expect(errors.join('')).toBe(warning(added[0]));
    } finally {
      vi.restoreAllMocks();
      syncBuiltinESMExports();
    }
  });

  it('refuses a symlink whose target does not exist, creating nothing; writes through one to a file with --force', async () => {
    const link = join(dir, 'dangling.json');
    symlinkSync('created.json', link);
    const refused = await capture(() => generate(options(link))).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).exitCode).toBe(2);
    expect((refused as CallhookError).message).toBe(
      `${link}: is a symlink to created.json, which does not exist: callhook creates nothing where a link points (name the target itself, or remove the link)`,
    );
    expect(existsSync(join(dir, 'created.json'))).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    // A link to a file of the user's is theirs to point at: replaced through it with --force, the link kept.
    const real = mkdtempSync(join(dir, 'real-'));
    writeFileSync(join(real, 'through.json'), 'old\n');
    symlinkSync(join(real, 'through.json'), join(dir, 'to-file.json'));
    await capture(() => generate(options(join(dir, 'to-file.json'), true)));
    expect(JSON.parse(readFileSync(join(real, 'through.json'), 'utf8'))).toHaveLength(3);
    expect(lstatSync(join(dir, 'to-file.json')).isSymbolicLink()).toBe(true);
  });

  // Hint: only root can give a symlink to another user (nobody, 65534), as one does who plants it in a shared folder.
  it.skipIf(process.getuid?.() !== 0)(
    "refuses another user's symlink, even with --force: the file it points to is kept",
    async () => {
      // `ln -s ~/victim.txt shared/export.json` by another user, then `generate --out
      // shared/export.json --force`, replaced victim.txt: only a dangling link was refused.
      const victim = join(mkdtempSync(join(dir, 'real-')), 'victim.txt');
      writeFileSync(victim, 'precious\n');
      for (const target of [victim, '/dev/null']) {
        const link = join(mkdtempSync(join(dir, 'shared-')), 'export.json');
        symlinkSync(target, link);
        lchownSync(link, 65534, 65534);
        const refused = await capture(() => generate(options(link, true))).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(CallhookError);
        expect((refused as CallhookError).exitCode).toBe(2);
        expect((refused as CallhookError).message).toBe(
          `${link}: belongs to another user (uid 65534), who could point this symlink at any file of yours, for callhook to write to; name a file of your own`,
        );
      }
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(readdirSync(dirname(victim))).toEqual(['victim.txt']);
    },
  );

  it('writes into a FIFO (or a symlink to one, as /dev/stdout is) instead of replacing it with a file', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const link = join(dir, 'stdout-link');
    symlinkSync(fifo, link);
    for (const out of [fifo, link]) {
      const read = text(createReadStream(fifo));
      const printed = await capture(() => generate(options(out)));
      expect(JSON.parse(await read)).toHaveLength(3);
      expect(printed.stderr).toContain('generated 3 events');
    }
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

describe('generate --campaigns', () => {
  it('is refused above 100000 with the one option message, exit 2', async () => {
    const refused = await generate({ count: '1', seed: '1', format: 'json', campaigns: '10000000' }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).message).toBe(
      '--campaigns: must be a whole number from 1 to 100000 (got "10000000")',
    );
  });
});

describe('generate --start-time', () => {
  it('takes a date alone, as --since and --until do: midnight UTC', async () => {
    const printed = await capture(() =>
      generate({ count: '1', seed: '1', format: 'ndjson', startTime: '2026-01-01', type: ['CallAttempted'] }),
    );
    expect(JSON.parse(printed.stdout).time).toBe('2026-01-01T00:00:00.000Z');
  });

  it('writes an event on the last day when none of those it writes passes year 9999 (red team hR89 L2)', async () => {
    const runs: Array<[string, EventType[] | undefined]> = [
      ['9999-12-31T23:00:00Z', undefined],
      ['9999-12-31T23:59:59.999Z', ['CallAttempted']],
    ];
    for (const [startTime, type] of runs) {
      const printed = await capture(() => generate({ count: '1', seed: '1', format: 'ndjson', startTime, type }));
      expect(JSON.parse(printed.stdout).time).toBe(new Date(startTime).toISOString());
    }
  });

  it('refuses, before writing anything, a run that would pass year 9999, saying how far it would go', async () => {
    const out = join(dir, 'late.json');
    const late = { count: '50', seed: '1', format: 'json' as const, startTime: '9999-12-31T23:59:00Z' };
    for (const run of [() => generate({ ...late, out }), () => generate(late)]) {
      let printed = '';
      const refused = await capture(run)
        .then((captured) => {
          printed = captured.stdout;
        })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(CallhookError);
      expect((refused as CallhookError).exitCode).toBe(2);
      expect((refused as CallhookError).message).toMatch(
        /^50 events from 9999-12-31T23:59:00Z would run past 9999-12-31T23:59:59\.999Z, the last time a timestamp can hold: call \d+ would end at \+010000-01-01T[0-9:.]+Z; start earlier \(--start-time\) or generate fewer \(--count\)$/,
      );
      expect(printed).toBe('');
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('generate --seed', () => {
  it('writes what the library writes for the same seed, and another seed gives other bytes', async () => {
    const cli = async (seed: string) => (await capture(() => generate({ count: '2', seed, format: 'ndjson' }))).stdout;
    const library = [...generateEvents({ count: 2, seed: 4294967295 })]
      .map(({ event }) => JSON.stringify(event))
      .join('\n');
    expect(await cli('4294967295')).toBe(`${library}\n`);
    expect(await cli('4294967295')).not.toBe(await cli('0'));
  });

  it("refuses a seed outside the generator's 32 bits, which gave the bytes of a seed inside them (red team hT3 L3)", async () => {
    // `--seed -1` and `--seed 4294967297` wrote the same file, folded to one 32-bit state.
    for (const seed of ['-1', '4294967296', '4294967297', '99999999999999999999']) {
      const refused = await generate({ count: '1', seed, format: 'json' }).catch((error: unknown) => error);
      expect(refused, seed).toBeInstanceOf(CallhookError);
      expect((refused as CallhookError).message).toBe(
        `--seed: must be a whole number from 0 to 4294967295 (got "${seed}")`,
      );
      expect((refused as CallhookError).exitCode).toBe(2);
    }
  });
});

describe('generate threads', () => {
  it('keeps to one thread when each thread would hold so many campaigns that two break the 200 MiB bound', () => {
    vi.stubEnv('CALLHOOK_THREADS', '');
    try {
      // Measured: two threads with --campaigns 30000 peaked at 238 MiB, with 10000 at 166 MiB.
      expect(threadsFor(60_000, 0, 100_000)).toEqual({
        threads: 1,
        how: 'one thread (--campaigns above 10,000: each thread holds them all)',
      });
      expect(threadsFor(60_000, 0, 10_000).how).not.toContain('--campaigns');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('generate --defects', () => {
  it('escapes the pointer of each defect it lists: a --set key is text like any other', async () => {
    const printed = await capture(() =>
      generate({ count: '20', seed: '1', format: 'ndjson', defects: '1', set: ['k\u001b]0;pwn\u0007=1'] }),
    );
    expect(printed.stderr).toContain('(/k\\e]0;pwn\\x07)');
    expect(printed.stderr).not.toContain('\u001b');
  });
});

describe('generate: the closing line', () => {
  it('groups the thousands of every count it gives, as of the events', async () => {
    const printed = await capture(() =>
      generate({ count: '4000', seed: '1', format: 'ndjson', redeliveries: '1', defects: '0.5' }),
    );
    // The line wraps to the width of stderr (80 when piped): its words are compared.
    expect(printed.stderr.replace(/\s+/g, ' ')).toMatch(
      /generated 4,000 events with seed 1 to <stdout>, among them \d,\d{3} redelivered copies and \d,\d{3} with a defect; \d,\d{3} copies are of bare events/,
    );
  });

  it('says what the run holds in words that parse: each count with its noun, the bare copies apart (red team hF65)', async () => {
    // "generated 300 events (65 redelivered, 45 of them bare, with no id to drop them by, 300 with
    // a defect)" was hard to parse: what was bare, what had no id, 300 of what.
    const printed = await capture(() =>
      generate({ count: '300', seed: '1', format: 'ndjson', redeliveries: '0.2', defects: '1' }),
    );
    // The line after the defects listed.
    const closing = printed.stderr.slice(printed.stderr.indexOf('callhook: generated'));
    expect(closing.replace(/\s+/g, ' ')).toMatch(
      /^callhook: generated 300 events with seed 1 to <stdout>, among them \d+ redelivered copies and 300 with a defect; \d+ copies are of bare events, which have no id, so summarise counts them as new $/,
    );
    // Seed 2's six events hold one copy, of a bare event: each said in the singular.
    const one = await capture(() => generate({ count: '6', seed: '2', format: 'ndjson', redeliveries: '0.5' }));
    expect(one.stderr.replace(/\s+/g, ' ')).toBe(
      'callhook: generated 6 events with seed 2 to <stdout>, among them 1 redelivered copy; 1 copy is of a bare event, which has no id, so summarise counts it as new ',
    );
  });

  it('names the seed as it was read: 007 and " 7" are seed 7, whose events they give (red team hT23 L4)', async () => {
    const seven = await capture(() => generate({ count: '3', seed: '7', format: 'ndjson' }));
    for (const seed of ['007', ' 7', ' 007 ']) {
      const printed = await capture(() => generate({ count: '3', seed, format: 'ndjson' }));
      expect(printed.stdout, seed).toBe(seven.stdout);
      expect(printed.stderr, seed).toBe('callhook: generated 3 events with seed 7 to <stdout>\n');
    }
  });
});
