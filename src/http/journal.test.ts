import { constants } from 'node:buffer';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs, {
  appendFileSync,
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  lchownSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../../test/helpers/run-cli.js';
import { CallhookError } from '../errors.js';
import { listSources } from '../input/read.js';
import {
  checkResume,
  deliveryOf,
  fingerprintInputs,
  type JournalEntry,
  type JournalHeader,
  journalKind,
  journalLines,
  journalVersion,
  lockJournal,
  openJournal,
  parseJournal,
  readJournal,
  refuseExistingJournal,
  refuseReplacingRecord,
  selectionOf,
} from './journal.js';

const entry = (key: string, status: JournalEntry['status'] = 'delivered'): JournalEntry => ({
  key,
  status,
  attempts: 1,
  events: 1,
  source: 'f:1:1',
  at: 'now',
});

const header = (extra: Partial<JournalHeader> = {}): JournalHeader => ({
  journal: journalKind,
  version: 2,
  inputs: ['in.ndjson'],
  fingerprint: 'sha256:aa',
  batchSize: 5,
  url: 'http://127.0.0.1/hook',
  startedAt: 'now',
  ...extra,
});

/** Makes the journal `path` as a run that recorded a batch leaves it (one that records nothing is removed). */
const recorded = (path: string, warn: (message: string) => void = () => {}) => {
  const journal = openJournal(path, warn, header());
  journal.append(entry('k'));
  journal.close();
};

/** A journal's text, read as `readJournal` reads a file's lines. */
const parseText = (text: string) => parseJournal(text.split('\n'));

const tempPath = (name: string) => join(mkdtempSync(join(tmpdir(), 'callhook-journal-')), name);

describe('journal', () => {
  it('confirms only delivered keys, and lists the lines it cannot read instead of failing', () => {
    const text = [
      JSON.stringify(header()),
      '{"key":"0-a","status":"delivered","attempts":1,"events":1,"source":"f:1:1","at":"x"}',
      '{"key":"1-b","status":"failed","attempts":6,"events":1,"source":"f:2:1","at":"x"}',
      '{"key":"2-c","status":"undelivered","attempts":0,"events":1,"source":"f:3:1","at":"x"}',
      '{"key":"3-d","status":"deli',
      '["not", "an entry"]',
      '{"key":"4-e","status":"delivered","attempts":1,"events":1,"source":"f:4:1","at":"x"}',
    ].join('\n');
    const contents = parseText(text);
    expect(contents.header?.batchSize).toBe(5);
    expect([...contents.confirmed]).toEqual(['0-a', '4-e']);
    expect(contents.unreadable).toEqual([5, 6]);
  });

  it('keeps a key confirmed that a later line of it failed: the receiver has that batch', () => {
    // Hint: no run journals a confirmed key again, but journals joined or edited by hand may; a
    // failure after the confirmation once could have undone it unseen (red team hR123), and the
    // batch would be sent again.
    const line = (key: string, status: JournalEntry['status']) => JSON.stringify(entry(key, status));
    const contents = parseText(
      [JSON.stringify(header()), line('0-a', 'delivered'), line('0-a', 'failed'), line('1-b', 'undelivered')].join(
        '\n',
      ),
    );
    expect([...contents.confirmed]).toEqual(['0-a']);
  });

  it('records where each batch starts and how many events it held, for --resume to cut its batches there again', () => {
    // Resumed with its batches cut anew, a run whose pauses --linger had cut matched none of its
    // keys and sent every delivered event again (red team hR88).
    const line = (key: string, status: JournalEntry['status'], events: unknown) =>
      JSON.stringify({ ...entry(key, status), events });
    const contents = parseText(
      [
        JSON.stringify(header()),
        line('0_0-a', 'delivered', 3),
        line('0_90-b', 'failed', 5),
        line('0_400-c', 'undelivered', 1),
        // A later run of other events (a stream's) at a place: the delivered batch is kept.
        line('0_0-x', 'failed', 2),
        line('0_90-y', 'delivered', 4),
        // Neither a place (a journal before version 3) nor a count is recorded.
        line('7-z', 'delivered', 2),
        line('1_5-w', 'delivered', 0),
        line('1_6-v', 'delivered', '2'),
      ].join('\n'),
    );
    expect(contents.recorded).toEqual(
      new Map([
        ['0_0', 3],
        ['0_90', 4],
        ['0_400', 1],
      ]),
    );
  });

  it('reads a journal a chunk at a time, a line or a character split across chunks read as one, as its whole text was', () => {
    // Hint: read whole, a journal of millions of batches (over 512 MiB) made a string longer than
    // V8 allows, and --resume failed. Every chunk size puts a split at every point of some line.
    const lines = [
      JSON.stringify(header({ inputs: ['exporté 📞.ndjson'] })),
      JSON.stringify(entry('0-ä')),
      '',
      '{"key":"1-b","status":"deli',
      JSON.stringify({ ...entry('2-c', 'failed'), reason: 'HTTP 500: ✗' }),
      JSON.stringify(entry('3-d')),
    ];
    for (const text of [lines.join('\n'), `${lines.join('\n')}\n`, `${lines.join('\n')}\n{"key":"4-e","sta`, '']) {
      const path = tempPath('run.jsonl');
      writeFileSync(path, text);
      const whole = parseJournal(text.split('\n'));
      for (let chunkBytes = 1; chunkBytes <= Buffer.byteLength(text) + 1; chunkBytes++) {
        const fd = openSync(path, 'r');
        try {
          expect([...journalLines(fd, chunkBytes)], `chunks of ${chunkBytes}`).toEqual(text.split('\n'));
        } finally {
          closeSync(fd);
        }
        const again = openSync(path, 'r');
        try {
          expect(parseJournal(journalLines(again, chunkBytes)), `chunks of ${chunkBytes}`).toEqual(whole);
        } finally {
          closeSync(again);
        }
      }
      expect(readJournal(path, () => {})).toEqual(whole);
    }
  });

  it('(3b) a line longer than a journal line can be is unreadable, not a string too long for V8', () => {
    // Hint: a file of one line of 512 MiB or more, no newline in it, failed --resume with
    // "Cannot create a string longer than 0x1fffffe8 characters" (exit 2), read as one string.
    const path = tempPath('run.jsonl');
    writeFileSync(path, `{"a":1}\n${'x'.repeat(40)}\n{"b":2}\n${'y'.repeat(39)}`);
    for (let chunkBytes = 1; chunkBytes <= 100; chunkBytes++) {
      const fd = openSync(path, 'r');
      try {
        expect([...journalLines(fd, chunkBytes, 39)], `chunks of ${chunkBytes}`).toEqual([
          '{"a":1}',
          undefined,
          '{"b":2}',
          'y'.repeat(39),
        ]);
      } finally {
        closeSync(fd);
      }
    }
    const huge = tempPath('huge.jsonl');
    writeFileSync(huge, `${JSON.stringify(entry('0-a'))}\n`);
    // A sparse file: one line of NUL bytes, longer than any string V8 makes.
    truncateSync(huge, constants.MAX_STRING_LENGTH + 1_000);
    appendFileSync(huge, `\n${JSON.stringify(entry('1-b'))}\n`);
    const contents = readJournal(huge, () => {});
    expect(contents.confirmed).toEqual(new Set(['0-a', '1-b']));
    expect(contents.unreadable).toEqual([2]);
    const first = tempPath('first.jsonl');
    writeFileSync(first, '');
    truncateSync(first, constants.MAX_STRING_LENGTH + 1_000);
    expect(readJournal(first, () => {}).notHeader).toEqual({ line: 1, edited: false });
  });

  it('(4) after a torn last line, the next entry starts a line of its own, so its confirmation is kept', () => {
    const path = tempPath('run.jsonl');
    writeFileSync(path, `${JSON.stringify(entry('0-a'))}\n{"key":"1-b","status":"deliv`);
    const journal = openJournal(path, () => {});
    journal.append(entry('2-c'));
    journal.close();
    expect(parseText(readFileSync(path, 'utf8')).confirmed).toEqual(new Set(['0-a', '2-c']));
    expect(parseText(readFileSync(path, 'utf8')).unreadable).toEqual([2]);
  });

  it('writes its header first, and appends lines that can be read back', () => {
    const path = tempPath('run.jsonl');
    const journal = openJournal(path, () => {}, header());
    journal.append(entry('k'));
    journal.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    const contents = readJournal(path, () => {});
    expect(contents.header).toEqual(header());
    expect(contents.confirmed).toEqual(new Set(['k']));
  });

  it('removes at close one it made that records nothing; keeps one that was there before, or that holds an entry', () => {
    // A run stopped before its first batch (an input batch over 10,000 events) left a journal of its
    // header alone: "pass --batch-size" was then refused as "the journal already exists", and
    // --resume refused the new --batch-size (review hR46).
    const made = tempPath('run.jsonl');
    expect(openJournal(made, () => {}, header()).close()).toBe(false);
    expect(existsSync(made)).toBe(false);
    // One that was there, even empty (made by the user: `touch`, `mktemp`), is theirs.
    const there = tempPath('run.jsonl');
    writeFileSync(there, '');
    expect(openJournal(there, () => {}, header()).close()).toBe(true);
    expect(readJournal(there, () => {}).header).toEqual(header());
    // Resumed: opened with no header, nothing appended this time.
    expect(openJournal(there, () => {}).close()).toBe(true);
    expect(readJournal(there, () => {}).header).toEqual(header());
    const used = tempPath('run.jsonl');
    const journal = openJournal(used, () => {}, header());
    journal.append(entry('k', 'undelivered'));
    expect(journal.close()).toBe(true);
    expect(readFileSync(used, 'utf8').split('\n')).toHaveLength(3);
    // Replaced by another file meanwhile (the name reused): that file is not removed.
    const replaced = tempPath('run.jsonl');
    const opened = openJournal(replaced, () => {}, header());
    rmSync(replaced);
    writeFileSync(replaced, 'theirs\n');
    opened.close();
    expect(readFileSync(replaced, 'utf8')).toBe('theirs\n');
  });

  it('appends nothing more to a journal moved, deleted, replaced or emptied during the run, saying what became of it and what to do', () => {
    // The run went on appending to the file it had open, and its advice (--resume --journal with the
    // name given) then sent delivered batches again, or was refused (red team hF69).
    const again = 'to send what was not delivered, replay with a new --journal (which sends every batch again)';
    const changes: Array<[string, (path: string) => void, (path: string) => string]> = [
      [
        'moved',
        (path) => renameSync(path, `${path}.moved`),
        (path) =>
          `the journal ${path} was moved to ${realpathSync(`${path}.moved`)} during the run: stopped, as a replay given that name would not see this run's lock; rerun with --resume --journal ${realpathSync(`${path}.moved`)}`,
      ],
      [
        'deleted',
        (path) => rmSync(path),
        (path) => `the journal ${path} was deleted during the run, and what it recorded with it: stopped; ${again}`,
      ],
      [
        'replaced',
        (path) => {
          copyFileSync(path, `${path}.copy`);
          renameSync(`${path}.copy`, path);
        },
        (path) =>
          `the journal ${path} was replaced during the run (an editor's save?), and what this run recorded since went with the file it replaced: stopped; if the file now there is a copy of the journal, --resume --journal ${path} sends again the batches it lacks; else, ${again}`,
      ],
      [
        'emptied',
        (path) => truncateSync(path, 0),
        (path) => `the journal ${path} was emptied during the run, and what it recorded with it: stopped; ${again}`,
      ],
    ];
    for (const [what, change, message] of changes) {
      const path = tempPath('run.jsonl');
      const journal = openJournal(path, () => {}, header());
      journal.append(entry('0_0-a'));
      expect(journal.changed(), what).toBeUndefined();
      const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      change(path);
      const after = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      expect(() => journal.append(entry('0_9-b')), what).toThrow(new CallhookError(message(path)));
      expect(journal.changed()?.message, what).toBe(message(path));
      if (what === 'moved') {
        expect(journal.changed()?.resumeWith).toBe(realpathSync(`${path}.moved`));
        expect(readFileSync(`${path}.moved`, 'utf8')).toBe(before);
      } else {
        expect(journal.changed()?.resumeWith, what).toBeUndefined();
        // Nothing more written where the journal was: an emptied one stays empty.
        expect(existsSync(path) ? readFileSync(path, 'utf8') : undefined, what).toBe(after);
      }
      // Not kept: its advice is the change's.
      expect(journal.close(), what).toBe(false);
    }
  });

  it("writes untrusted text (a receiver's answer, a file name) as \\u escapes, so `tail -f` on it is safe", () => {
    const path = tempPath('run.jsonl');
    // U+009B is the 8-bit CSI a terminal may act on; U+202E reverses what follows.
    const hostile = 'bad \u009b2J \u202eeno \u2028 \u200b';
    const journal = openJournal(path, () => {}, header({ inputs: [`in${hostile}.ndjson`] }));
    journal.append({ ...entry('k', 'failed'), reason: `HTTP 500: ${hostile}`, source: `in${hostile}.ndjson:1:1` });
    journal.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2028\u200b]/);
    expect(text).toContain('\\u009b2J \\u202eeno');
    const [first, second] = text.split('\n').map((line) => (line ? JSON.parse(line) : undefined));
    expect(first.inputs).toEqual([`in${hostile}.ndjson`]);
    expect(second.reason).toBe(`HTTP 500: ${hostile}`);
  });

  it('(4) a full disk is a one-line usage error, at the header or at any later line', () => {
    expect(() => openJournal('/dev/full', () => {}, header())).toThrow(
      new CallhookError('cannot write the journal /dev/full: no space left on device'),
    );
    const journal = openJournal('/dev/full', () => {});
    expect(() => journal.append(entry('k'))).toThrow(/no space left on device/);
    journal.close();
  });

  it('a dangling symlink as the journal is refused, its target never created; a symlink to a journal is appended to', () => {
    const path = tempPath('planted.jsonl');
    const target = `${path}.victim`;
    symlinkSync(target, path);
    expect(() => openJournal(path, () => {}, header())).toThrow(
      /planted\.jsonl: is a symlink to .*planted\.jsonl\.victim, which does not exist/,
    );
    expect(existsSync(target)).toBe(false);
    writeFileSync(target, `${JSON.stringify(header())}\n`);
    const journal = openJournal(path, () => {});
    journal.append(entry('k'));
    journal.close();
    expect(readJournal(target, () => {}).confirmed).toEqual(new Set(['k']));
  });

  // Hint: only root can give a file to another user (nobody, 65534), as one does who plants a file in /tmp.
  it.skipIf(process.getuid?.() !== 0)(
    'a journal another user owns is refused, even empty: they could read the URL and add lines --resume would trust',
    () => {
      const path = tempPath('planted.jsonl');
      writeFileSync(path, '', { mode: 0o600 });
      chownSync(path, 65534, 65534);
      const refused = `${path}: belongs to another user (uid 65534), who could read it, and add lines saying batches were delivered, which --resume would then skip, never sending them; use a journal of your own`;
      expect(() => openJournal(path, () => {}, header())).toThrow(new CallhookError(refused));
      expect(readFileSync(path, 'utf8')).toBe('');
      expect(() => readJournal(path, () => {})).toThrow(new CallhookError(refused));
    },
  );

  // Hint: only root can give a symlink to another user (nobody, 65534), as one does who plants it in a shared folder.
  it.skipIf(process.getuid?.() !== 0)(
    "a journal through another user's symlink is refused, new, locked or resumed: nothing written or made where it points",
    () => {
      // A link planted as the journal had its target, a file of the user's, appended to (and a lock made beside it).
      const victim = tempPath('victim.jsonl');
      writeFileSync(victim, `${JSON.stringify(header())}\n`, { mode: 0o600 });
      const path = tempPath('planted.jsonl');
      symlinkSync(victim, path);
      lchownSync(path, 65534, 65534);
      const refused = `${path}: belongs to another user (uid 65534), who could point this symlink at any file of yours, for callhook to write to; name a file of your own`;
      expect(() => lockJournal(path, () => {})).toThrow(new CallhookError(refused));
      expect(() => openJournal(path, () => {}, header())).toThrow(new CallhookError(refused));
      expect(() => readJournal(path, () => {})).toThrow(new CallhookError(refused));
      expect(readFileSync(victim, 'utf8')).toBe(`${JSON.stringify(header())}\n`);
      expect(readdirSync(dirname(victim))).toEqual(['victim.jsonl']);
    },
  );

  it('warns of a journal other users can read: it holds the URL, and says a query only as one it may have', () => {
    const path = tempPath('run.jsonl');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    openJournal(path, (message) => warnings.push(message), header()).close();
    expect(warnings).toEqual([
      `${path}: other users can read it (mode 644), and it holds the receiver's URL (with any ?token= in its query); chmod 600 it`,
    ]);
    warnings.length = 0;
    readJournal(path, (message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
  });

  // Hint: only root can give a folder to another user (nobody, 65534).
  it.skipIf(process.getuid?.() !== 0)(
    'a journal in a folder another user owns is refused, new or resumed: they could delete or replace it',
    () => {
      const folder = dirname(tempPath('x'));
      chmodSync(folder, 0o755);
      chownSync(folder, 65534, 65534);
      const path = join(folder, 'run.jsonl');
      const refused = `${folder}: belongs to another user (uid 65534), who could delete or replace the journal in it; keep the journal in a folder of your own`;
      expect(() => openJournal(path, () => {}, header())).toThrow(new CallhookError(refused));
      // Refused before anything is made there: no journal, and no lock.
      expect(() => lockJournal(path, () => {})).toThrow(new CallhookError(refused));
      expect(readdirSync(folder)).toEqual([]);
      writeFileSync(path, `${JSON.stringify(header())}\n`, { mode: 0o600 });
      expect(() => readJournal(path, () => {})).toThrow(new CallhookError(refused));
      // Reached through a symlink in a folder of the user's own, the same.
      const link = tempPath('link.jsonl');
      symlinkSync(path, link);
      expect(() => readJournal(link, () => {})).toThrow(new CallhookError(refused));
    },
  );

  it('warns of a folder on the way to the journal that others can write to without the sticky bit, as listen does', () => {
    // `replay --journal /tmp/open/run.jsonl` with /tmp/open 0777 was taken without a word: another
    // user could move the journal aside and put one of theirs there, for --resume to read.
    const open = dirname(tempPath('x'));
    chmodSync(open, 0o777);
    const warning = `${open}: other users can write to it (mode 777), so they could move what is in it away and put their own in its place; chmod +t or go-w it, or keep the journal in a folder of your own`;
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    const path = join(open, 'run.jsonl');
    recorded(path, warn);
    expect(warnings).toEqual([warning]);
    warnings.length = 0;
    readJournal(path, warn);
    expect(warnings).toEqual([warning]);
    // A folder above it counts too, and one reached through a symlink.
    mkdirSync(join(open, 'deep'), { mode: 0o700 });
    warnings.length = 0;
    recorded(join(open, 'deep', 'run.jsonl'), warn);
    expect(warnings).toEqual([warning]);
    const link = tempPath('link.jsonl');
    symlinkSync(join(open, 'deep', 'run.jsonl'), link);
    warnings.length = 0;
    readJournal(link, warn);
    expect(warnings).toEqual([warning]);
    // The sticky bit (as on /tmp) lets only an entry's owner move it.
    chmodSync(open, 0o1777);
    warnings.length = 0;
    readJournal(path, warn);
    expect(warnings).toEqual([]);
  });

  it('(7) --resume refuses a missing journal, another input, a changed input, another --batch-size or another selection of events', () => {
    const path = tempPath('run.jsonl');
    expect(() => readJournal(path, () => {})).toThrow(/--resume: the journal .*run\.jsonl does not exist/);
    // One that cannot be read (here a folder; a journal of mode 200 for a user not root) is named as --journal.
    const folder = dirname(path);
    expect(() => readJournal(folder, () => {})).toThrow(new CallhookError(`--journal: ${folder}: is a directory`));
    const run = {
      inputs: ['in.ndjson'],
      fingerprint: 'sha256:aa',
      batchSize: 5,
      selection: '',
      fresh: false,
      delivery: '',
    };
    expect(() => checkResume(path, header(), run)).not.toThrow();
    // The same content under another name is the same input.
    expect(() => checkResume(path, header(), { ...run, inputs: ['./in.ndjson'] })).not.toThrow();
    expect(() => checkResume(path, header(), { ...run, inputs: ['b.ndjson'], fingerprint: 'sha256:bb' })).toThrow(
      /cannot trust the journal .*: it is for the input in\.ndjson, and this run reads b\.ndjson$/,
    );
    // Many names are named by their first three and a count, not every one: 10,000 made a line
    // of 140 KB (red team hR110).
    const many = (prefix: string) => Array.from({ length: 5000 }, (_, i) => `${prefix}${i}.ndjson`);
    expect(() =>
      checkResume(
        path,
        { ...header(), inputs: many('old/') },
        { ...run, inputs: many('new/'), fingerprint: 'sha256:bb' },
      ),
    ).toThrow(
      new CallhookError(
        `--resume: cannot trust the journal ${path}: it is for the input old/0.ndjson old/1.ndjson old/2.ndjson and 4,997 more, and this run reads new/0.ndjson new/1.ndjson new/2.ndjson and 4,997 more; they differ first at input 1: old/0.ndjson there, new/0.ndjson here`,
      ),
    );
    // Lists that differ past the names shown say where (review hR111: both sides read the same).
    const twenty = many('in/').slice(0, 20);
    expect(() =>
      checkResume(
        path,
        { ...header(), inputs: twenty },
        { ...run, inputs: [...twenty.slice(0, 19), 'in/other.ndjson'], fingerprint: 'sha256:bb' },
      ),
    ).toThrow(/and 17 more; they differ first at input 20: in\/19\.ndjson there, in\/other\.ndjson here$/);
    expect(() =>
      checkResume(
        path,
        { ...header(), inputs: twenty },
        { ...run, inputs: [...twenty, 'in/x.ndjson'], fingerprint: 'sha256:bb' },
      ),
    ).toThrow(/and 18 more; they differ first at input 21: none there, in\/x\.ndjson here$/);
    // The same names in another order are said to be so, not to differ at the first (review hR112).
    expect(() =>
      checkResume(
        path,
        { ...header(), inputs: ['a.json', 'b.json'] },
        { ...run, inputs: ['b.json', 'a.json'], fingerprint: 'sha256:bb' },
      ),
    ).toThrow(
      /it is for the input a\.json b\.json, and this run reads b\.json a\.json: the same inputs in another order$/,
    );
    // Which file changed is not known to a journal that does not list them: the way forward is said.
    expect(() => checkResume(path, header(), { ...run, fingerprint: 'sha256:bb' })).toThrow(
      new CallhookError(
        `--resume: cannot trust the journal ${path}: the input (in.ndjson) has changed since it was written: put it back as it was and rerun with --resume, or replay with a new --journal (which sends every batch again)`,
      ),
    );
    // One that lists them names the first that differs, and what to do about it (red team hF69).
    const listed = (...files: Array<[string, number, string]>) =>
      files.map(([name, size, through]) => ({ name, size, through }));
    const then = listed(['d/a.ndjson', 100, 'a1'], ['d/b.ndjson', 50, 'b1']);
    const changes: Array<[ReturnType<typeof listed>, string]> = [
      [
        listed(['d/a.ndjson', 100, 'a1'], ['d/a2.ndjson', 10, 'x'], ['d/b.ndjson', 50, 'b2']),
        'd/a2.ndjson was added: move it out of the input and rerun with --resume, then replay it alone with a new --journal',
      ],
      [
        listed(['d/b.ndjson', 50, 'b2']),
        'd/a.ndjson is gone: put it back as it was (100 bytes) and rerun with --resume, or replay with a new --journal (which sends every batch again)',
      ],
      [
        listed(['d/a.ndjson', 100, 'a1'], ['d/b.ndjson', 80, 'b2']),
        'd/b.ndjson has grown from 50 to 80 bytes: put it back as it was (its first 50 bytes, if lines were only added) and rerun with --resume, then replay the rest alone with a new --journal',
      ],
      [
        listed(['d/a.ndjson', 100, 'a2'], ['d/b.ndjson', 50, 'b2']),
        'd/a.ndjson has changed, its size kept: put it back as it was and rerun with --resume, or replay with a new --journal (which sends every batch again)',
      ],
      [
        listed(['d/a.ndjson', 90, 'a2'], ['d/b.ndjson', 50, 'b2']),
        'd/a.ndjson has changed (100 bytes then, 90 now): put it back as it was and rerun with --resume, or replay with a new --journal (which sends every batch again)',
      ],
    ];
    for (const [now, said] of changes) {
      expect(() =>
        checkResume(path, header({ inputs: ['d'], files: then }), {
          ...run,
          inputs: ['d'],
          fingerprint: 'sha256:bb',
          files: now,
        }),
      ).toThrow(
        new CallhookError(
          `--resume: cannot trust the journal ${path}: the input (d) has changed since it was written: ${said}`,
        ),
      );
    }
    expect(() => checkResume(path, header(), { ...run, batchSize: null })).toThrow(
      /it was written with --batch-size 5, and this run has no --batch-size$/,
    );
    // A journal written before the selection was recorded says nothing of it: not compared.
    expect(() => checkResume(path, header(), { ...run, selection: '' })).not.toThrow();
    expect(() => checkResume(path, header(), { ...run, selection: '--no-validate' })).not.toThrow();
    expect(() => checkResume(path, header({ selection: '--no-validate' }), { ...run, selection: '' })).toThrow(
      /it was written with --no-validate, and this run has none of --type, --no-validate, --max-element-size$/,
    );
    expect(() => checkResume(path, header({ selection: '' }), { ...run, selection: '--type SMSSent' })).toThrow(
      /it was written with none of --type, --no-validate, --max-element-size, and this run has --type SMSSent$/,
    );
    // The default size, given or not, selects the same events.
    const sized = (maxElementBytes: number | undefined) =>
      selectionOf({ type: undefined, validate: true, maxElementBytes });
    expect(sized(64 * 2 ** 20)).toBe(sized(undefined));
    expect(sized(1000)).toBe('--max-element-size 1000');
    // A --fresh run continues only as one: else the rest would carry the events' own ids among new ones.
    const freshRun = { key: 'k'.repeat(43), shiftMs: 60_000 };
    expect(() => checkResume(path, header({ fresh: freshRun }), { ...run, fresh: true })).not.toThrow();
    expect(() => checkResume(path, header({ fresh: null }), run)).not.toThrow();
    expect(() => checkResume(path, header({ fresh: freshRun }), run)).toThrow(
      /it was written with --fresh, and this run has no --fresh$/,
    );
    expect(() => checkResume(path, header({ fresh: null }), { ...run, fresh: true })).toThrow(
      /it was written without --fresh, and this run has --fresh$/,
    );
    // A journal written before --fresh was recorded says nothing of it: not compared.
    expect(() => checkResume(path, header(), { ...run, fresh: true })).not.toThrow();
    // How each batch was sent: a run resumed without --sign sent the rest unsigned, all refused
    // with 401 (helper-199). Header names only: a value may be a secret.
    const sent = (sign: 'standard' | 'hmac' | undefined, extra: Partial<Parameters<typeof deliveryOf>[0]> = {}) =>
      deliveryOf({ sign, signatureHeader: 'x-signature', method: 'POST', headers: {}, ...extra });
    expect(sent(undefined)).toBe('');
    expect(sent('standard')).toBe('--sign standard');
    expect(
      sent('hmac', {
        signatureHeader: 'x-sig',
        method: 'PUT',
        headers: { authorization: 'Bearer s3cret', 'x-a': '1' },
      }),
    ).toBe('--sign hmac --signature-header x-sig --method PUT -H authorization -H x-a');
    const signed = { ...run, delivery: '--sign standard' };
    expect(() => checkResume(path, header({ delivery: '--sign standard' }), signed)).not.toThrow();
    expect(() => checkResume(path, header({ delivery: '--sign standard' }), { ...run, delivery: '' })).toThrow(
      /it was sent with --sign standard, and this run sends with none of --sign, --method, -H$/,
    );
    expect(() => checkResume(path, header({ delivery: '' }), signed)).toThrow(
      /it was sent with none of --sign, --method, -H, and this run sends with --sign standard$/,
    );
    // A journal written before it was recorded says nothing of it: not compared.
    expect(() => checkResume(path, header(), signed)).not.toThrow();
    expect(parseText(JSON.stringify(header({ fresh: freshRun }))).header?.fresh).toEqual(freshRun);
    expect(() => checkResume(path, undefined, run)).toThrow(
      `--resume: the journal ${path} is empty: nothing is recorded in it (its run delivered nothing, was stopped before it wrote its first line, or it was emptied since); run without --resume to send every batch`,
    );
    // A header whose fields are not what callhook writes (a journal edited or made by hand) is no header.
    for (const bad of [
      { inputs: 'in.ndjson' },
      { url: 7 },
      { batchSize: '5' },
      { selection: null },
      { delivery: 5 },
      { fingerprint: 1 },
      { fresh: { key: 'short', shiftMs: 1 } },
      { fresh: { key: 'k'.repeat(43), shiftMs: 0.5 } },
      // A shift past every instant callhook writes (to year 255532): edited, not written.
      { fresh: { key: 'k'.repeat(43), shiftMs: 8_000_000_000_000_000 } },
      { fresh: true },
    ]) {
      const contents = parseText(JSON.stringify({ ...header(), ...bad }));
      expect(contents.header).toBeUndefined();
      // Not a line cut short by a crash: the first line, which is not a header callhook writes.
      expect(contents.unreadable).toEqual([]);
      expect(contents.notHeader).toEqual({ line: 1, edited: true });
      expect(() => checkResume(path, contents.header, run, contents.notHeader)).toThrow(
        new RegExp(
          `cannot trust the journal ${path}: its first line \\(${path}:1\\) is a callhook replay journal header with fields callhook does not write \\(edited by hand\\?\\)$`,
        ),
      );
    }
    // A file whose first line is no header at all: another file given as the journal.
    for (const [text, line] of [
      ['not json at all\n{"key":"0-a","status":"delivered"}', 1],
      ['\n\n{"a": 1}\n', 3],
      // A header further down does not make it one (it was taken from any line).
      [`not a header\n${JSON.stringify(header())}\n${JSON.stringify(entry('0-a'))}\n`, 1],
    ] as const) {
      const contents = parseText(text);
      expect(contents.header).toBeUndefined();
      expect(contents.unreadable).toEqual(text.startsWith('not a header') ? [2] : []);
      expect(contents.notHeader).toEqual({ line, edited: false });
      expect(() => checkResume(path, contents.header, run, contents.notHeader)).toThrow(
        `--resume: cannot trust the journal ${path}: its first line (${path}:${line}) is not a callhook replay journal header, so the file was not written by callhook replay (or by this version of it)`,
      );
    }
    expect(parseText(JSON.stringify(header())).notHeader).toBeUndefined();
    // A journal of the first versions, before journals had a header: its first line is an entry
    // (review hT69: "not written by callhook replay", and --report replaced it).
    const first = parseText(`${JSON.stringify(entry('0-a'))}\n`);
    expect(first.notHeader).toEqual({ line: 1, edited: false, otherVersion: 0 });
    expect(() => checkResume(path, first.header, run, first.notHeader)).toThrow(
      `--resume: cannot trust the journal ${path}: it was written by an early callhook replay, before journals had a header, which this one cannot resume: finish the run with the callhook that wrote it, or start a new journal (which sends every batch again)`,
    );
    // One emptied during its run, which wrote on (`: > journal` as a line went out): its first line
    // is an entry, with a key of this version, which no early callhook wrote (red team hF69).
    const emptied = parseText(`${JSON.stringify(entry('0_120-a'))}\n`);
    expect(() => checkResume(path, emptied.header, run, emptied.notHeader)).toThrow(
      `--resume: cannot trust the journal ${path}: its first line (${path}:1) is a batch's, not the header: it was emptied or cut short during its run, and what it recorded before with it; to send what was not delivered, replay with a new --journal (which sends every batch again)`,
    );
    // A journal of the version before (its fingerprint took a part of the input, and no longer
    // compares): said so, not that the input changed.
    const older = parseText(`${JSON.stringify({ ...header(), version: 1, fingerprint: 'sha256:ab' })}\n`);
    expect(older.header).toBeUndefined();
    expect(() => checkResume(path, older.header, run, older.notHeader)).toThrow(
      `--resume: cannot trust the journal ${path}: it was written by an earlier callhook replay (journal version 1), whose fingerprint of the input this one cannot compare: finish the run with the callhook that wrote it, or start a new journal (which sends every batch again)`,
    );
    // One of stdin had no fingerprint to compare: it resumes as before.
    const stdinRun = { ...run, inputs: ['-'], fingerprint: null };
    const olderStdin = parseText(`${JSON.stringify({ ...header(), version: 1, inputs: ['-'], fingerprint: null })}\n`);
    expect(olderStdin.header).toBeDefined();
    expect(() => checkResume(path, olderStdin.header, stdinRun, olderStdin.notHeader)).not.toThrow();
    // A newer version is said to be one; a version none ever was, an edit.
    const newer = parseText(`${JSON.stringify({ ...header(), version: journalVersion + 1 })}\n`);
    expect(() => checkResume(path, newer.header, run, newer.notHeader)).toThrow(
      `--resume: cannot trust the journal ${path}: it was written by a newer callhook replay (journal version ${journalVersion + 1}); resume it with that one`,
    );
    // Version 2, whose keys name batches by their place in the run, and this one are both resumed.
    for (const version of [2, journalVersion]) {
      const known = parseText(`${JSON.stringify({ ...header(), version })}\n`);
      expect(known.header?.version, String(version)).toBe(version);
    }
    // A version 1 header of stdin that is no header callhook wrote (`uri` for `url`) is an edit,
    // not an earlier callhook's journal whose fingerprint cannot be compared: it has none.
    const { url: _url, ...withoutUrl } = header();
    const brokenStdin = parseText(`${JSON.stringify({ ...withoutUrl, uri: 'x', version: 1, fingerprint: null })}\n`);
    expect(brokenStdin.notHeader).toEqual({ line: 1, edited: true });
    for (const version of [0, -1, 1.5, '2']) {
      const odd = parseText(`${JSON.stringify({ ...header(), version })}\n`);
      expect(odd.notHeader, String(version)).toEqual({ line: 1, edited: true });
    }
    // Stdin has no fingerprint: the paths are all that can be compared.
    expect(() =>
      checkResume(path, header({ inputs: ['-'], fingerprint: null }), { ...run, inputs: ['-'] }),
    ).not.toThrow();
  });

  it('refuses to start a journal in a file that holds one', () => {
    const path = tempPath('run.jsonl');
    expect(() => refuseExistingJournal(path)).not.toThrow();
    appendFileSync(path, `${JSON.stringify(header())}\n`);
    expect(() => refuseExistingJournal(path)).toThrow(/already exists: pass --resume/);
    expect(existsSync(path)).toBe(true);
  });

  it('takes a journal holding only blank lines as empty, as --resume does: new, not one that exists', () => {
    // `echo > run.jsonl` leaves a line break: refused as existing without --resume, and as empty
    // with it, each refusal pointing at the other (red team hR88).
    for (const text of ['\n', '\n\n', ' \t\r\n  \n']) {
      const path = tempPath('run.jsonl');
      writeFileSync(path, text);
      expect(() => refuseExistingJournal(path), JSON.stringify(text)).not.toThrow();
      expect(readJournal(path, () => {}).header, JSON.stringify(text)).toBeUndefined();
    }
    const path = tempPath('run.jsonl');
    writeFileSync(path, `\n\n${JSON.stringify(header())}\n`);
    expect(() => refuseExistingJournal(path)).toThrow(/already exists: pass --resume/);
    writeFileSync(path, '\n x\n');
    expect(() => refuseExistingJournal(path)).toThrow(/already exists: pass --resume/);
  });

  it('is used unlocked, with a warning, when the lock cannot be named (the journal name leaves no room for .lock)', () => {
    // `--journal <252-byte name>` failed with exit 2, "cannot lock …: name too long", though the
    // README says a journal whose folder takes no lock is used unlocked, with a warning.
    const path = tempPath(`${'x'.repeat(246)}.jsonl`);
    const warnings: string[] = [];
    const release = lockJournal(path, (text) => warnings.push(text));
    expect(warnings).toEqual([
      `cannot lock the journal ${path} (name too long): do not start another replay on it until this one ends`,
    ]);
    release();
    expect(readdirSync(dirname(path))).toEqual([]);
  });

  it('is locked by one run at a time; a lock whose process has gone is taken over', () => {
    const path = tempPath('run.jsonl');
    const warnings: string[] = [];
    const warn = (text: string) => warnings.push(text);
    const release = lockJournal(path, warn);
    // Its id, its host, a nonce that tells it apart from a lock made anew by the same id, and
    // (on Linux) its pid namespace, in which alone its id can be checked.
    const [pid, host, nonce, namespace] = readFileSync(`${path}.lock`, 'utf8').split(' ');
    expect([pid, host]).toEqual([String(process.pid), hostname()]);
    expect(nonce).toMatch(/^[0-9a-f]{12}$/);
    expect(namespace).toBe(`${readlinkSync('/proc/self/ns/pid')}\n`);
    release();
    // Nothing left beside the journal: no lock, no draft of one.
    expect(readdirSync(dirname(path))).toEqual([]);
    // Held by another process that runs (here, this one's parent): refused, naming it.
    writeFileSync(`${path}.lock`, `${process.ppid} ${hostname()}\n`);
    expect(() => lockJournal(path, warn)).toThrow(
      new RegExp(
        `^--journal: .*run\\.jsonl is in use by another replay \\(pid ${process.ppid}, .*run\\.jsonl\\.lock\\)`,
      ),
    );
    // Left by a process that has gone (killed with SIGKILL): taken over.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${path}.lock`, `${gone} ${hostname()}\n`);
    lockJournal(path, warn)();
    // Without an id (cut short, or by hand): held for a while, as it may be another run's; then taken over.
    writeFileSync(`${path}.lock`, '');
    expect(() => lockJournal(path, warn)).toThrow(/is in use by another replay \(.*run\.jsonl\.lock\)/);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, minuteAgo, minuteAgo);
    lockJournal(path, warn)();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('is locked where the journal is, when its path goes back up (`..`) from a symlink to a folder elsewhere', () => {
    // `link/../run.jsonl` is opened in the folder above the link's target, but its lock was made
    // above the link (`..` taken as text): two runs through two spellings took a lock each, and
    // re-sent batches the receiver had accepted (helper-194).
    const top = dirname(tempPath('run.jsonl'));
    const [here, there] = [join(top, 'here'), join(top, 'there')];
    mkdirSync(join(there, 'inner'), { recursive: true });
    mkdirSync(here);
    symlinkSync(join(there, 'inner'), join(here, 'link'));
    // Hint: spelt out, not joined: join() would take the `..` as text too.
    const upward = `${here}/link/../run.jsonl`;
    const release = lockJournal(upward, () => {});
    expect(readdirSync(there).sort()).toEqual(['inner', 'run.jsonl.lock']);
    release();
    // Held by a run through the other spelling (here, this process's parent): refused, before
    // the journal exists and after.
    writeFileSync(join(there, 'run.jsonl.lock'), `${process.ppid} ${hostname()}\n`);
    expect(() => lockJournal(upward, () => {})).toThrow(/is in use by another replay/);
    writeFileSync(join(there, 'run.jsonl'), '');
    expect(() => lockJournal(upward, () => {})).toThrow(/is in use by another replay/);
    expect(readdirSync(here)).toEqual(['link']);
  });

  it('refuses a journal with a second name (a hard link), whose run would not see the lock of a run on the other', () => {
    // The lock is named after the journal's path: two runs through two names of one file took a
    // lock each, and sent every batch twice (helper-156).
    const path = tempPath('run.jsonl');
    recorded(path);
    const other = join(dirname(path), 'other.jsonl');
    linkSync(path, other);
    for (const name of [path, other]) {
      expect(() => lockJournal(name, () => {})).toThrow(
        new CallhookError(
          `--journal: ${name} is one of 2 names of one file (hard links), and a replay through another name would not see this run's lock; give a journal with one name (copy it to a new file, or remove the other name)`,
        ),
      );
    }
    // Nothing left beside the journal: no lock, no draft of one.
    expect(readdirSync(dirname(path)).sort()).toEqual(['other.jsonl', 'run.jsonl']);
    rmSync(other);
    lockJournal(path, () => {})();
  });

  it('makes its lock for the user alone whatever the umask, as the journal', () => {
    // Under umask 000 the lock was made 0666: another user could write their id into it, and the
    // run would judge its lock taken over and stop.
    const path = tempPath('run.jsonl');
    const umask = process.umask(0);
    let release: () => void = () => {};
    try {
      release = lockJournal(path, () => {});
      expect(statSync(`${path}.lock`).mode & 0o777).toBe(0o600);
    } finally {
      release();
      process.umask(umask);
    }
  });

  it('takes over a stale lock past the turn a run killed mid-takeover left, and leaves nothing behind', () => {
    const path = tempPath('run.jsonl');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${path}.lock`, `${gone} ${hostname()}\n`);
    writeFileSync(`${path}.lock.takeover`, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock.takeover`, minuteAgo, minuteAgo);
    lockJournal(path, () => {})();
    expect(readdirSync(dirname(path))).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'takes over past an old turn that is a named pipe, and refuses a lock that is one, never waiting on either to be written',
    () => {
      // The turn was read before its age was judged: a FIFO planted there held replay for ever, and
      // no signal could end it (review hR39). On the old code this test never ends.
      const path = tempPath('run.jsonl');
      const gone = spawnSync(process.execPath, ['-e', '0']).pid;
      writeFileSync(`${path}.lock`, `${gone} ${hostname()}\n`);
      execFileSync('mkfifo', [`${path}.lock.takeover`]);
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(`${path}.lock.takeover`, hourAgo, hourAgo);
      lockJournal(path, () => {})();
      expect(readdirSync(dirname(path))).toEqual([]);
      // A lock that is a FIFO holds no run's id: refused after its tries, not waited on.
      execFileSync('mkfifo', [`${path}.lock`]);
      expect(() => lockJournal(path, () => {})).toThrow(/is in use by another replay/);
    },
  );

  it('judges a turn it cannot read by its age alone: an old one is removed, or the run goes on unlocked', () => {
    // A turn that could not be read was never removed, however old: a stale lock beside it was
    // refused as "in use" by its long-gone run (review hR38). A folder in its place cannot be
    // removed either: the run says so and goes on unlocked, as for any lock it cannot take.
    const path = tempPath('run.jsonl');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${path}.lock`, `${gone} ${hostname()}\n`);
    mkdirSync(`${path}.lock.takeover`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${path}.lock.takeover`, hourAgo, hourAgo);
    utimesSync(`${path}.lock`, hourAgo, hourAgo);
    const warnings: string[] = [];
    lockJournal(path, (message) => warnings.push(message))();
    expect(warnings).toEqual([
      expect.stringMatching(/^cannot lock the journal .*run\.jsonl: .*takeover\) cannot be removed/),
    ]);
  });

  it('removes the drafts of the lock that runs killed before linking them left, and only those', () => {
    // A run killed between writing `<lock>.<pid>.<hex>` and linking it left the draft for good.
    const path = tempPath('run.jsonl');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    let drafts = 0;
    const draft = (pid: number, text: string, age = 0) => {
      const name = `${path}.lock.${pid}.${(++drafts).toString(16).padStart(12, '0')}`;
      writeFileSync(name, text);
      const then = new Date(Date.now() - age);
      utimesSync(name, then, then);
      return name;
    };
    const dead = draft(gone, `${gone} ${hostname()} 0123456789ab ${readlinkSync('/proc/self/ns/pid')}\n`);
    const empty = draft(gone, '', 60_000);
    // Judged as a lock is: a run that still runs may be drafting it now, one in another pid
    // namespace is silent too briefly, another host's cannot be checked, an empty one is fresh.
    const kept = [
      draft(process.ppid, `${process.ppid} ${hostname()}\n`),
      draft(gone, `${gone} ${hostname()} 0123456789ab pid:[1]\n`),
      draft(gone, `${gone} some-other-host\n`, 3_600_000),
      draft(gone + 1, ''),
      // Only what a run writes there: not a file of the user's that merely has such a name, nor
      // one naming another process than its name does.
      draft(gone, 'my notes on the run\n', 3_600_000),
      draft(gone, `${gone + 1} ${hostname()} 0123456789ab ${readlinkSync('/proc/self/ns/pid')}\n`, 3_600_000),
    ];
    // One that cannot be removed (another user's, in a sticky folder; here a folder) is left, and
    // the run goes on: it was an internal error, with the lock left behind.
    const stuck = `${path}.lock.${gone}.${'f'.repeat(12)}`;
    mkdirSync(stuck);
    writeFileSync(join(stuck, 'x'), '');
    kept.push(stuck);
    lockJournal(path, () => {})();
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(empty)).toBe(false);
    expect(
      readdirSync(dirname(path))
        .map((name) => join(dirname(path), name))
        .sort(),
    ).toEqual(kept.sort());
  });

  it("goes on, leaving it, past a draft it cannot remove (another user's, or an immutable file)", (context) => {
    // rmSync threw after the lock was taken: an internal error, and the lock left behind. Hint:
    // root may remove any file, but not one marked immutable (chattr +i, where the file system has it).
    const path = tempPath('run.jsonl');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const draft = `${path}.lock.${gone}.${'e'.repeat(12)}`;
    writeFileSync(draft, `${gone} ${hostname()} 0123456789ab ${readlinkSync('/proc/self/ns/pid')}\n`);
    if (spawnSync('chattr', ['+i', draft]).status !== 0) return context.skip();
    try {
      const release = lockJournal(path, () => {});
      expect(existsSync(`${path}.lock`)).toBe(true);
      release();
      expect(existsSync(draft)).toBe(true);
    } finally {
      spawnSync('chattr', ['-i', draft]);
    }
  });

  it('takes the lock in a folder that takes names but gives none up (chattr +a), leaving its draft', (context) => {
    // The draft's removal failed once the lock was linked into place, and that failure replaced
    // the lock taken: "--journal: cannot lock … (….lock): not a directory", exit 2.
    const path = tempPath('run.jsonl');
    if (spawnSync('chattr', ['+a', dirname(path)]).status !== 0) return context.skip();
    const warnings: string[] = [];
    try {
      const release = lockJournal(path, (message) => warnings.push(message));
      expect(readFileSync(`${path}.lock`, 'utf8')).toContain(`${process.pid} `);
      expect(warnings).toEqual([]);
      // The lock cannot be removed either: said, not swallowed (the next run refused the journal
      // as in use by this one, long ended).
      release();
      expect(warnings).toEqual([
        `cannot remove the journal's lock ${path}.lock (operation not permitted): it is left, naming this run (pid ${process.pid})`,
      ]);
      // Left for a later run to remove once this one is gone (removeStaleDrafts), where it can.
      expect(readdirSync(dirname(path)).filter((name) => name.startsWith('run.jsonl.lock.'))).toHaveLength(1);
      // The next run, which cannot take it over, says so and goes on unlocked. Hint: a lock naming
      // this very process is one a run before left (see below).
      warnings.length = 0;
      lockJournal(path, (message) => warnings.push(message))();
      expect(warnings).toEqual([
        `cannot lock the journal ${path}: its lock ${path}.lock was left by replay pid ${process.pid}, which has ended; it cannot be removed (operation not permitted): do not start another replay on it until this one ends`,
      ]);
    } finally {
      spawnSync('chattr', ['-a', dirname(path)]);
    }
  });

  it("takes over a lock naming this process's own id: a run before a restart (a container's pid 1)", () => {
    // It was refused as "in use by another replay (pid 1)" on every run after a container was killed.
    const path = tempPath('run.jsonl');
    writeFileSync(`${path}.lock`, `${process.pid} ${hostname()}\n`);
    const release = lockJournal(path, () => {});
    release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses a lock from another pid namespace of this host (a container) while it is kept fresh, then takes it over', () => {
    // Two containers sharing the host's name (--network host) and a journal each took the other's
    // live lock over, since its id was not running in its own namespace (or was its own pid 1).
    const path = tempPath('run.jsonl');
    for (const pid of [spawnSync(process.execPath, ['-e', '0']).pid, process.pid]) {
      writeFileSync(`${path}.lock`, `${pid} ${hostname()} 0123456789ab pid:[1]\n`);
      expect(() => lockJournal(path, () => {})).toThrow(
        new RegExp(`in use by another replay \\(pid ${pid} in another pid namespace, heard from 0 s ago, `),
      );
    }
    // Silent for longer than a run lets pass between two signs of life: gone.
    const longAgo = new Date(Date.now() - 61_000);
    utimesSync(`${path}.lock`, longAgo, longAgo);
    lockJournal(path, () => {})();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("counts a lock stamped ahead of this machine's clock (the clock went back since) as silent from now, not until the clock catches up", () => {
    // A run killed in a container, then the clock stepped back a day (an NTP correction, a
    // snapshot restored): its lock was refused as "heard from 0 s ago" for the whole day, and one
    // with no id, held for 5 s, too (red team hT63).
    const path = tempPath('run.jsonl');
    const ahead = new Date(Date.now() + 86_400_000);
    for (const text of [`${process.pid} ${hostname()} 0123456789ab pid:[1]\n`, 'no id\n']) {
      writeFileSync(`${path}.lock`, text);
      utimesSync(`${path}.lock`, ahead, ahead);
      const before = Date.now();
      expect(() => lockJournal(path, () => {})).toThrow(/stamped ahead of this machine's clock, counted from now/);
      // Stamped now, so that it ages from now: the next run after the silence takes it over.
      const stamped = statSync(`${path}.lock`).mtimeMs;
      expect(stamped).toBeGreaterThanOrEqual(before - 1000);
      expect(stamped).toBeLessThanOrEqual(Date.now() + 1000);
      const longAgo = new Date(Date.now() - 61_000);
      utimesSync(`${path}.lock`, longAgo, longAgo);
      lockJournal(path, () => {})();
      expect(existsSync(`${path}.lock`)).toBe(false);
    }
  });

  it('stamps only a lock file of its own so, never one a symlink names, nor in a check that takes no lock', () => {
    // The stamp followed a symlink named `X.lock` to another user's file, and `generate --out X`
    // (a check that only asks whether X is a live journal) stamped any `X.lock` ahead too (review hR62).
    const path = tempPath('run.jsonl');
    const ahead = new Date(Date.now() + 86_400_000);
    const victim = tempPath('victim');
    writeFileSync(victim, 'x');
    utimesSync(victim, ahead, ahead);
    symlinkSync(victim, `${path}.lock`);
    expect(() => lockJournal(path, () => {})).toThrow(/in use by another replay/);
    expect(statSync(victim).mtimeMs).toBeCloseTo(ahead.getTime(), -1);
    rmSync(`${path}.lock`);
    writeFileSync(`${path}.lock`, 'no id\n');
    utimesSync(`${path}.lock`, ahead, ahead);
    expect(() => refuseReplacingRecord(path)).toThrow(/the journal of a replay running now/);
    expect(statSync(`${path}.lock`).mtimeMs).toBeCloseTo(ahead.getTime(), -1);
  });

  it('keeps its lock fresh while it runs, so that runs that cannot check its id know it lives', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const path = tempPath('run.jsonl');
      const release = lockJournal(path, () => {});
      const longAgo = new Date(Date.now() - 120_000);
      utimesSync(`${path}.lock`, longAgo, longAgo);
      vi.advanceTimersByTime(10_000);
      expect(Date.now() - statSync(`${path}.lock`).mtimeMs).toBeLessThan(5_000);
      release();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells a run whose lock another took over (paused past the silence), once, and leaves that lock alone', () => {
    // A container paused for over a minute lost its lock to another run, and went on sending with it.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const path = tempPath('run.jsonl');
      const lost: Array<[string, boolean]> = [];
      const release = lockJournal(
        path,
        () => {},
        (holder, deleted) => lost.push([holder, deleted]),
      );
      const theirs = `${process.ppid} ${hostname()} 0123456789ab pid:[1]\n`;
      writeFileSync(`${path}.lock`, theirs);
      const longAgo = new Date(Date.now() - 120_000);
      utimesSync(`${path}.lock`, longAgo, longAgo);
      vi.advanceTimersByTime(30_000);
      expect(lost).toEqual([[`pid ${process.ppid} in another pid namespace`, false]]);
      // Theirs, untouched by this run's heartbeat and release.
      expect(Date.now() - statSync(`${path}.lock`).mtimeMs).toBeGreaterThan(100_000);
      release();
      expect(readFileSync(`${path}.lock`, 'utf8')).toBe(theirs);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes its lock again when it is deleted during the run, saying so; one another run made meanwhile is said as such, not as a takeover', () => {
    // A deleted lock was passed over in silence, a second run then took the journal, and the first
    // said that run "took over" and stopped as on a SIGTERM nobody sent (red team hF69).
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const path = tempPath('run.jsonl');
      const warnings: string[] = [];
      const lost: Array<[string, boolean]> = [];
      const release = lockJournal(
        path,
        (message) => warnings.push(message),
        (holder, deleted) => lost.push([holder, deleted]),
      );
      const mine = readFileSync(`${path}.lock`, 'utf8');
      rmSync(`${path}.lock`);
      vi.advanceTimersByTime(10_000);
      expect(readFileSync(`${path}.lock`, 'utf8')).toBe(mine);
      expect(warnings).toEqual([
        `the journal's lock ${realpathSync(dirname(path))}/run.jsonl.lock was deleted during the run: made again, so that another replay on ${path} is still refused`,
      ]);
      // Deleted, and another run of this host made its own before this one looked: it cannot
      // have taken over a lock whose run (this one) it can see running.
      rmSync(`${path}.lock`);
      writeFileSync(`${path}.lock`, `${process.ppid} ${hostname()} 0123456789ab\n`);
      vi.advanceTimersByTime(10_000);
      expect(lost).toEqual([[`pid ${process.ppid}`, true]]);
      release();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a lock from another host, whose process it cannot check, naming the host', () => {
    const path = tempPath('run.jsonl');
    writeFileSync(`${path}.lock`, `${process.ppid} some-other-host\n`);
    expect(() => lockJournal(path, () => {})).toThrow(/in use by another replay \(pid \d+ on some-other-host, /);
    // Hint: however long untouched, as the other host's clock (which stamps it) may differ from
    // this one's, and an older callhook there never touches its lock.
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${path}.lock`, longAgo, longAgo);
    expect(() => lockJournal(path, () => {})).toThrow(/in use by another replay \(pid \d+ on some-other-host, /);
  });

  it('refuses to let any output replace a journal, however long its header, or one a live run has locked through a link', () => {
    const path = tempPath('long.jsonl');
    const inputs = Array.from({ length: 5000 }, (_, n) => `exports/day-${n}.ndjson`);
    writeFileSync(path, `${JSON.stringify({ journal: journalKind, version: 1, inputs })}\n`);
    expect(() => refuseReplacingRecord(path)).toThrow(
      /long\.jsonl: is a replay journal, the record of what its run delivered/,
    );
    // Nor one of the first versions, which had no header (review hT69).
    writeFileSync(path, `${JSON.stringify({ key: '0-f1', status: 'delivered', code: 200, attempts: 1, at: 'x' })}\n`);
    expect(() => refuseReplacingRecord(path)).toThrow(/long\.jsonl: is a replay journal/);
    // An export whose first event has a `key` and a `status` callhook writes is none (review hR64).
    writeFileSync(
      path,
      `${JSON.stringify({ time: 'x', phone: '1', key: 'retry-1', status: 'failed', campaignId: 'c' })}\n`,
    );
    expect(() => refuseReplacingRecord(path)).not.toThrow();
    // One long line of something else is no journal; nor is a file a header names only further down.
    writeFileSync(path, `[${'{"n":1},'.repeat(20_000)}{"n":1}]\n${JSON.stringify({ journal: journalKind })}\n`);
    expect(() => refuseReplacingRecord(path)).not.toThrow();
    const real = tempPath('held.jsonl');
    const link = join(dirname(real), 'held-link.jsonl');
    writeFileSync(real, '');
    symlinkSync(real, link);
    writeFileSync(`${real}.lock`, `${process.ppid} ${hostname()}\n`);
    expect(() => refuseReplacingRecord(link)).toThrow(
      new RegExp(`held-link\\.jsonl: is the journal of a replay running now \\(pid ${process.ppid}, `),
    );
  });

  it("refuses to let any output replace a journal's lock, or a file of a listen capture folder (red team hR119)", () => {
    // generate --out j.jsonl.lock --force stopped the replay holding it, blaming another replay;
    // replay --report cap/deliveries.meta had listen append its log to the report, unsaid.
    const journal = tempPath('held.jsonl');
    writeFileSync(`${journal}.lock`, `${process.ppid} ${hostname()}\n`);
    // Another tool's lock, its text alike, with no file of its name beside it, is none (review hR121).
    expect(() => refuseReplacingRecord(`${journal}.lock`)).not.toThrow();
    writeFileSync(journal, '');
    expect(() => refuseReplacingRecord(`${journal}.lock`)).toThrow(
      /held\.jsonl\.lock: is the lock of the replay journal .*held\.jsonl, .*never replaced, even with --force; name another file$/,
    );
    // Nor is it named otherwise: through a symlink, or a `..` (review hR121).
    const link = join(dirname(journal), 'link.json');
    symlinkSync(`${journal}.lock`, link);
    expect(() => refuseReplacingRecord(link)).toThrow(/link\.json: is the lock of the replay journal/);
    // A file whose name ends in .lock and holds no lock is none.
    const other = tempPath('build.lock');
    writeFileSync(other, 'yarn\n');
    expect(() => refuseReplacingRecord(other)).not.toThrow();
    const capture = dirname(tempPath('x'));
    const log = join(capture, 'deliveries.meta');
    const body = join(capture, '000001.ndjson');
    // None there yet: nothing to replace.
    expect(() => refuseReplacingRecord(log)).not.toThrow();
    writeFileSync(body, '[]\n');
    expect(() => refuseReplacingRecord(body)).not.toThrow();
    writeFileSync(log, '');
    // Never "or delete that one first": what the run or verify needs would be lost.
    expect(() => refuseReplacingRecord(log)).toThrow(
      /deliveries\.meta: is a listen capture's log.*; name another file$/,
    );
    expect(() => refuseReplacingRecord(body)).toThrow(/000001\.ndjson: is a file of a listen capture/);
    const away = dirname(tempPath('x'));
    symlinkSync(log, join(away, 'log.json'));
    expect(() => refuseReplacingRecord(join(away, 'log.json'))).toThrow(/log\.json: is a listen capture's log/);
    symlinkSync(capture, join(away, 'into'));
    // Hint: not path.join, which would take `into/..` away before the file system follows `into`.
    expect(() => refuseReplacingRecord(`${away}/into/../${basename(capture)}/000001.ndjson`)).toThrow(
      /000001\.ndjson: is a file of a listen capture/,
    );
    expect(() => refuseReplacingRecord(join(capture, 'report.json'))).not.toThrow();
  });

  it('locks the file a symlink names, not the link: two runs through two names are one journal', () => {
    // A run on real.jsonl and one on a link to it each took a lock of its own, and sent every batch twice.
    const path = tempPath('real.jsonl');
    writeFileSync(path, '');
    const link = join(dirname(path), 'link.jsonl');
    symlinkSync(path, link);
    writeFileSync(`${path}.lock`, `${process.ppid} ${hostname()}\n`);
    expect(() => lockJournal(link, () => {})).toThrow(/link\.jsonl is in use by another replay/);
  });

  it('leaves a lock that is no longer its own when released, and says when a folder takes no lock', () => {
    const path = tempPath('run.jsonl');
    const release = lockJournal(path, () => {});
    writeFileSync(`${path}.lock`, `${process.ppid} ${hostname()}\n`);
    release();
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.ppid} ${hostname()}\n`);
  });

  it('removes its lock where it went when the folder of the journal and lock is renamed during the run', () => {
    // Left in the folder's new place, naming a run that had ended, with no word of it: the run told
    // to resume from there, and a --resume from another container was refused as in use (red team hR97).
    const top = dirname(tempPath('run.jsonl'));
    const [before, after] = [join(top, 'before'), join(top, 'after')];
    mkdirSync(before);
    const warnings: string[] = [];
    const release = lockJournal(join(before, 'run.jsonl'), (message) => warnings.push(message));
    renameSync(before, after);
    release();
    expect(readdirSync(after)).toEqual([]);
    // One made again at the name given (its folder made again too) goes as well.
    mkdirSync(before);
    const again = lockJournal(join(before, 'run.jsonl'), (message) => warnings.push(message));
    renameSync(before, after);
    mkdirSync(before);
    writeFileSync(join(before, 'run.jsonl.lock'), readFileSync(join(after, 'run.jsonl.lock')));
    again();
    expect([readdirSync(before), readdirSync(after)]).toEqual([[], []]);
    expect(warnings).toEqual([]);
  });

  it('lets one of several runs at a time take over the same stale lock', async () => {
    // Eight at once over a stale lock: two or three of them held it in 3 of 6 rounds. Each says
    // when it held it: a run the loaded machine starts after the first has let go may hold it
    // then (counting it as a second holder failed 3 of 5 runs under load), never at the same time.
    // Hint: bundled inside the repository, so that its packages resolve from node_modules.
    const dir = mkdtempSync(join(repoRoot, '.lock-test-'));
    const bundle = join(dir, 'journal.mjs');
    buildSync({
      entryPoints: [fileURLToPath(new URL('./journal.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'error',
      define: { CALLHOOK_VERSION: '"test"' },
      packages: 'external',
    });
    try {
      await twoRounds();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    async function twoRounds() {
      for (let round = 0; round < 2; round++) {
        const path = join(dir, `run${round}.jsonl`);
        const gone = spawnSync(process.execPath, ['-e', '0']).pid;
        writeFileSync(`${path}.lock`, `${gone} ${hostname()}\n`);
        // Each waits, busy, for the same moment, so that they reach the lock together.
        const startAt = Date.now() + 1000;
        const script = `import { lockJournal } from ${JSON.stringify(pathToFileURL(bundle).href)};
        while (Date.now() < ${startAt}) {}
        try {
          const release = lockJournal(${JSON.stringify(path)}, () => {});
          const from = Date.now();
          setTimeout(() => { console.log('held', from, Date.now()); release(); }, 500);
        } catch { console.log('refused'); }`;
        const outcomes = await Promise.all(
          Array.from(
            { length: 8 },
            () =>
              new Promise<string>((resolve) => {
                const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
                let out = '';
                child.stdout.on('data', (d: Buffer) => {
                  out += d;
                });
                child.stderr.on('data', (d: Buffer) => {
                  out += d;
                });
                child.on('close', () => resolve(out.trim()));
              }),
          ),
        );
        const said = outcomes.join(', ');
        expect(
          outcomes.every((outcome) => /^(held \d+ \d+|refused)$/.test(outcome)),
          said,
        ).toBe(true);
        const held = outcomes
          .filter((outcome) => outcome.startsWith('held'))
          .map((outcome) => outcome.split(' ').slice(1).map(Number) as [number, number])
          .sort((a, b) => a[0] - b[0]);
        expect(held.length, said).toBeGreaterThan(0);
        for (const [index, [from]] of held.entries()) {
          if (index > 0) expect(from, `two held it at once: ${said}`).toBeGreaterThanOrEqual(held[index - 1]?.[1] ?? 0);
        }
      }
    }
  }, 30_000);

  it('fingerprints the content of the input, not its name', async () => {
    const a = tempPath('a.ndjson');
    const b = tempPath('b.ndjson');
    writeFileSync(a, '{"n":1}\n');
    writeFileSync(b, '{"n":1}\n');
    const first = (await fingerprintInputs(await listSources([a])))?.fingerprint;
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    // As version 2 took it, so that a journal of it still resumes: each file's size and bytes.
    expect(first).toBe(`sha256:${createHash('sha256').update('8\n{"n":1}\n\n').digest('hex')}`);
    expect((await fingerprintInputs(await listSources([b])))?.fingerprint).toBe(first);
    writeFileSync(b, '{"n":2}\n');
    expect((await fingerprintInputs(await listSources([b])))?.fingerprint).not.toBe(first);
    expect(await fingerprintInputs(await listSources([a, '-']))).toBeNull();
  });

  it('fingerprints a file opened part way through a line being written to the end of that line, as a file of that size', async () => {
    // The journal said the file was 13 bytes, inside a line the run read on to the end of and sent
    // whole: hashed past it, --resume's advice to put back its first 13 bytes was refused again
    // (review hR100); hashed to it, the advice followed was taken, and the line's first part sent
    // again as a new batch (review hR102). It now holds the file to the line's end.
    const path = tempPath('growing.ndjson');
    writeFileSync(path, '{"n":1}\n{"n":');
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const whole = tempPath('whole.ndjson');
    writeFileSync(whole, '{"n":1}\n{"n":2}\n');
    const expected = (await fingerprintInputs(await listSources([whole])))?.files[0];
    const { fstatSync } = fs;
    let grown = false;
    vi.spyOn(fs, 'fstatSync').mockImplementation(((...args: Parameters<typeof fstatSync>) => {
      const info = fstatSync(...args);
      if (!grown && Number(info.size) === 13) {
        grown = true;
        appendFileSync(path, '2}\n{"n":3}\n');
      }
      return info;
    }) as typeof fstatSync);
    syncBuiltinESMExports();
    try {
      const taken = (await fingerprintInputs(await listSources([path])))?.files[0];
      expect(grown).toBe(true);
      expect(taken?.size).toBe(16);
      expect(taken?.through).toBe(expected?.through);
    } finally {
      vi.restoreAllMocks();
      syncBuiltinESMExports();
    }
  });

  it('lists each file with its size and the fingerprint of the input through it, so a --resume refused can name the file that changed', async () => {
    const a = tempPath('a.ndjson');
    writeFileSync(a, '{"n":1}\n');
    const b = join(dirname(a), 'b.ndjson');
    writeFileSync(b, '{"n":22}\n');
    const taken = await fingerprintInputs(await listSources([dirname(a)]));
    expect(taken?.files.map(({ name, size }) => [name, size])).toEqual([
      [a, 8],
      [b, 9],
    ]);
    expect(taken?.files[0]?.through).toBe((await fingerprintInputs(await listSources([a])))?.fingerprint.slice(7, 39));
    expect(taken?.files[1]?.through).toBe(taken?.fingerprint.slice(7, 39));
  });

  it('tells an input changed anywhere, the size kept: one byte in the middle of a large file', async () => {
    // Only the size and the first and last 64 KiB were taken, so a status changed mid-export
    // (`Complete` to `COMPLETE`) was not seen, and --resume sent delivered events again under
    // new keys (the invalid event shifted every later batch).
    const path = tempPath('large.ndjson');
    const line = `${JSON.stringify({ pad: 'x'.repeat(1000) })}\n`;
    const text = line.repeat(400);
    writeFileSync(path, text);
    const before = (await fingerprintInputs(await listSources([path])))?.fingerprint;
    const middle = Math.floor(text.length / 2);
    const at = text.indexOf('x', middle);
    writeFileSync(path, `${text.slice(0, at)}y${text.slice(at + 1)}`);
    expect((await fingerprintInputs(await listSources([path])))?.fingerprint).not.toBe(before);
  });
});
