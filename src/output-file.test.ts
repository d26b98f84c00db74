import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallhookError } from './errors.js';
import { danglingLinkProblem, openOutputSync } from './output-file.js';

const folder = () => mkdtempSync(join(tmpdir(), 'callhook-output-file-'));
const append = constants.O_WRONLY | constants.O_APPEND;

describe('openOutputSync', () => {
  it('creates a missing file, and appends to an existing one or to a symlink to one', () => {
    const dir = folder();
    const path = join(dir, 'new.jsonl');
    let fd = openOutputSync(path, append);
    writeSync(fd, 'a\n');
    closeSync(fd);
    fd = openOutputSync(path, append);
    writeSync(fd, 'b\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('a\nb\n');
    // A link the user made to a file of theirs is written through.
    const link = join(dir, 'link.jsonl');
    symlinkSync('new.jsonl', link);
    fd = openOutputSync(link, append);
    writeSync(fd, 'c\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('a\nb\nc\n');
    expect(danglingLinkProblem(link)).toBeUndefined();
    expect(danglingLinkProblem(path)).toBeUndefined();
    expect(danglingLinkProblem(join(dir, 'missing'))).toBeUndefined();
  });

  it('never creates the target of a dangling symlink: a usage error naming the link and its target', () => {
    const dir = folder();
    const link = join(dir, 'planted.jsonl');
    const target = join(dir, 'victim');
    symlinkSync(target, link);
    for (const flags of [append, constants.O_WRONLY | constants.O_TRUNC]) {
      const refused = (() => {
        try {
          return openOutputSync(link, flags);
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(CallhookError);
      expect((refused as CallhookError).exitCode).toBe(2);
      expect((refused as CallhookError).message).toBe(
        `${link}: is a symlink to ${target}, which does not exist: callhook creates nothing where a link points (name the target itself, or remove the link)`,
      );
    }
    expect(existsSync(target)).toBe(false);
    expect(danglingLinkProblem(link)).toMatch(/^is a symlink to /);
  });

  it('truncates an existing file when asked, as a report is rewritten', () => {
    const path = join(folder(), 'report.json');
    writeFileSync(path, 'an older, longer report\n');
    const fd = openOutputSync(path, constants.O_WRONLY | constants.O_TRUNC);
    writeSync(fd, '{}\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
  });

  it('creates a file for the user alone whatever the umask, and keeps the mode of one that exists', () => {
    const dir = folder();
    const umask = process.umask(0);
    try {
      closeSync(openOutputSync(join(dir, 'new.jsonl'), append));
    } finally {
      process.umask(umask);
    }
    expect(statSync(join(dir, 'new.jsonl')).mode & 0o777).toBe(0o600);
    // Hint: a file the user made is theirs to share; it is never made more readable than it was.
    const theirs = join(dir, 'theirs.json');
    writeFileSync(theirs, '');
    chmodSync(theirs, 0o640);
    closeSync(openOutputSync(theirs, constants.O_WRONLY | constants.O_TRUNC));
    expect(statSync(theirs).mode & 0o777).toBe(0o640);
  });
});
