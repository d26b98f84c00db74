import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallhookError, describeIoError, formatFatal, impossible, ioReason, quoted } from './errors.js';

describe('impossible', () => {
  it('throws an internal error naming the broken invariant, never a usage error', () => {
    let caught: unknown;
    try {
      impossible('the stop was reached just above');
    } catch (error) {
      caught = error;
    }
    expect(formatFatal(caught)).toEqual({
      // CALLHOOK_DEBUG may add a stack after the line.
      message: expect.stringMatching(/^callhook: internal error: invariant broken: the stop was reached just above \(/),
      exitCode: 2,
    });
  });
});

describe('CALLHOOK_DEBUG', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  // `CALLHOOK_DEBUG=0` and `=false` turned the stack on: any value but an empty one did.
  it.each(['', '0', 'false', 'FALSE', 'no', 'No', 'off', 'OFF'])('%j leaves an internal error one line', (value) => {
    vi.stubEnv('CALLHOOK_DEBUG', value);
    expect(formatFatal(new Error('boom')).message).toBe(
      'callhook: internal error: boom (set CALLHOOK_DEBUG=1 for details)',
    );
  });

  it.each(['1', 'true', 'yes', 'on'])('%j adds the stack, and asks for it no more', (value) => {
    vi.stubEnv('CALLHOOK_DEBUG', value);
    expect(formatFatal(new Error('boom')).message).toMatch(/^callhook: internal error: boom\nError: boom\n {4}at /);
  });
});

describe('describeIoError', () => {
  it('names a looping symbolic link in words, as the reader does, not in node errno text', () => {
    const error = Object.assign(new Error("ELOOP: too many symbolic links encountered, stat '/tmp/a'"), {
      code: 'ELOOP',
    });
    const described = describeIoError(error, '/tmp/a');
    expect(described).toBeInstanceOf(CallhookError);
    // Hint: ELOOP is also more than 40 links followed, none looping: the words say both.
    expect((described as CallhookError).message).toBe('/tmp/a: too many symbolic links (a loop, or more than 40)');
  });

  it('names an empty path as one, not as nothing before the colon', () => {
    // `callhook validate "$DIR"` with DIR unset said `callhook: : no such file or directory`.
    const described = describeIoError(Object.assign(new Error('ENOENT: raw'), { code: 'ENOENT' }), '');
    expect((described as CallhookError).message).toBe(
      "'' (an empty path: an unset variable?): no such file or directory",
    );
  });

  it('names a path too long to be a name by its first 40 characters and its length, in one short line', () => {
    // Red team hR125: `validate $(100,000 × a)` said the whole path back, a line of 100 KB.
    const tooLong = (path: string) =>
      describeIoError(
        Object.assign(new Error(`ENAMETOOLONG: name too long, open '${path}'`), { code: 'ENAMETOOLONG' }),
        path,
      ) as CallhookError;
    const long = `${'a'.repeat(100_000)}.json`;
    expect(tooLong(long).message).toBe(`${'a'.repeat(40)}… (100,005 characters): name too long`);
    // Past 4,096 bytes, not characters: 2,000 × 語 is 6,000 bytes.
    expect(tooLong('語'.repeat(2000)).message).toBe(`${'語'.repeat(40)}… (2,000 characters): name too long`);
    // A name of ordinary length (one part of it past 255 bytes) is named whole.
    const part = `${'b'.repeat(300)}.json`;
    expect(tooLong(part).message).toBe(`${part}: name too long`);
  });

  it('keeps the system error as its cause, so a caller can tell ENOENT from EACCES without reading the words', () => {
    // A service calling readEvents(['missing.json']) had only the message to switch on (hR109).
    const error = Object.assign(new Error('EACCES: raw'), { code: 'EACCES' });
    const described = describeIoError(error, 'a.json') as CallhookError;
    expect(described.cause).toBe(error);
    expect((described.cause as NodeJS.ErrnoException).code).toBe('EACCES');
    expect(new CallhookError('no cause').cause).toBeUndefined();
  });

  it('says a full disk, a read-only file system and a file past its size limit in words', () => {
    for (const [code, words] of [
      ['ENOSPC', 'no space left on device'],
      ['EROFS', 'a read-only file system'],
      ['EFBIG', "file too large: past ulimit -f or the file system's largest file"],
    ] as const) {
      const described = describeIoError(Object.assign(new Error(`${code}: raw`), { code }), 'out.json');
      expect((described as CallhookError).message).toBe(`out.json: ${words}`);
    }
  });
});

describe('ioReason', () => {
  it('says a connection reset or a broken pipe in words, not as node\'s "read ECONNRESET"', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    expect(ioReason(reset)).toBe('connection reset by the other end');
    const broken = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' });
    expect(ioReason(broken)).toBe('broken pipe: the other end closed it');
    // `validate - 0>&1 | cat`: stdin is the writing end of a pipe (red team hF66).
    const unconnected = Object.assign(new Error('read ENOTCONN'), { code: 'ENOTCONN', syscall: 'read' });
    expect(ioReason(unconnected)).not.toContain('ENOTCONN');
  });

  it("keeps only the words of an error it has none for: not node's code, call or path", () => {
    const error = Object.assign(new Error("EIO: i/o error, write '/tmp/x'"), { code: 'EIO' });
    expect(ioReason(error)).toBe('i/o error');
    expect(ioReason(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }))).toBe('i/o error');
  });

  it('leaves out a path that holds a line break too (it would be shown twice, once after the words)', () => {
    const message = "ENAMETOOLONG: name too long, stat 'aaa\nx.json'";
    expect(ioReason(Object.assign(new Error(message), { code: 'ENAMETOOLONG' }))).toBe('name too long');
    const rename = "EXDEV: cross-device link not permitted, rename 'a\n' -> 'b'";
    expect(ioReason(Object.assign(new Error(rename), { code: 'EXDEV' }))).toBe('cross-device link not permitted');
  });
});

describe('quoted', () => {
  it('keeps what a user typed raw, for formatFatal to escape once; a quote in it reads \\"', () => {
    const line = formatFatal(new CallhookError(`--x: got ${quoted('a\tb\n\u001b[2J "c" \\t')}`)).message;
    expect(line).toBe('callhook: --x: got "a\\tb\\n\\e[2J \\"c\\" \\x5ct"');
  });
});
