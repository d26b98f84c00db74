/**
 * Issue 12, item 12: one policy for untrusted text. A corpus of hostile strings, in payload text
 * and in a file's name, goes through every command and format (pretty in colour, markdown, json,
 * csv, github, junit, and one-line fatal errors); no raw control or invisible character reaches
 * stdout or stderr. The built binary is run, since only a process shows what really is written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CallhookError, formatFatal } from '../../src/errors.js';
import { escapeJsonForTerminal, escapeTerminal, escapeUnicode } from '../../src/render/escape.js';
import { runCli } from '../helpers/run-cli.js';

/** Every kind of character the policy names, and escape sequences built from them. */
const corpus = [
  '\u001b]0;pwned\u0007\u001b[2J', // OSC retitle, then clear the screen
  '\u009b31m', // 8-bit CSI
  'del\u007f nul\u0000 bs\b cr\r tab\t',
  'bidi \u202eevil\u202c \u2066iso\u2069 \u061carabic mark \u200eLRM \u200fRLM',
  'zero\u200bwidth \u200cnon-joiner a\u200db word\u2060joiner \u2061\u2062\u2063\u2064 bom\ufeffinside',
  'line\u2028separator paragraph\u2029separator',
];
const hostile = corpus.join(' | ');
// A command-line argument cannot hold NUL.
const hostileArg = hostile.replace('\u0000', '');

// What may appear: newline (and CRLF ending CSV records); SGR colour codes when colour is on.
const forbidden =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

function rawCharacters(text: string, { colour = false, crlf = false } = {}): string[] {
  let rest = text;
  if (colour) rest = rest.replace(/\u001b\[[0-9;]*m/g, '');
  if (crlf) rest = rest.replaceAll('\r\n', '\n');
  const found = new Set<string>();
  for (const char of rest) {
    if (forbidden.test(char)) found.add(`U+${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  }
  return [...found];
}

const correlationId = 'a1b2c3d4-0000-4000-8000-000000000001';
const campaignId = 'c1b2c3d4-0000-4000-8000-000000000002';
const events = [
  {
    id: 'e1b2c3d4-0000-4000-8000-000000000003',
    eventType: 'CallComplete',
    createdAt: '2022-09-01T00:10:00.000Z',
    data: {
      correlationId,
      sessionId: 'e1b2c3d4-0000-4000-8000-000000000004',
      callResultId: 'e1b2c3d4-0000-4000-8000-000000000005',
      name: hostile,
      phone: '61491573087',
      campaignId,
      status: 'Partial',
      additionalInformation: hostile,
      lastStepName: hostile,
      startedTime: '2022-09-01T00:09:00.000Z',
      flow: [{ questionName: hostile, response: hostile, transcript: hostile }],
      requests: [hostile],
    },
  },
  {
    time: '2022-09-01T00:05:00.000Z',
    phone: '61491573087',
    status: 'failed',
    note: hostile,
    campaignId,
    correlationId,
  },
  {
    time: '2022-09-01T00:11:00.000Z',
    from: '61491570006',
    to: '61491573087',
    message: hostile,
    campaignId,
    correlationId,
  },
  // Invalid: a phone number of escape codes (the error message quotes it) and an unknown type.
  { time: '2022-09-01T00:12:00.000Z', phone: hostile, status: 'failed', campaignId, correlationId },
  { eventType: hostile, data: {} },
];

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhook-hostile-'));
  // The file's own name is hostile too (no slash or NUL, which no file name can hold).
  file = join(dir, `${corpus.slice(0, 2).join('')}\u202e\u2028\u200b.json`);
  writeFileSync(file, JSON.stringify(events, null, 2));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const colour = { FORCE_COLOR: '1', NO_COLOR: undefined };

describe('no raw control or invisible character reaches stdout or stderr', () => {
  test.each([
    ['validate', ['validate', '%f'], {}],
    ['validate --format json', ['validate', '%f', '--format', 'json'], {}],
    ['validate --format github', ['validate', '%f', '--format', 'github'], {}],
    ['validate --format junit', ['validate', '%f', '--format', 'junit'], {}],
    ['show, pretty in colour', ['show', '%f', '--no-pager'], colour],
    ['show --format markdown', ['show', '%f', '--format', 'markdown'], {}],
    ['show --format json', ['show', '%f', '--format', 'json'], {}],
    ['trace, pretty in colour', ['trace', 'a1b2c3d4', '%f', '--no-pager'], colour],
    ['trace --format markdown', ['trace', 'a1b2c3d4', '%f', '--format', 'markdown'], {}],
    ['trace --format json', ['trace', 'a1b2c3d4', '%f', '--format', 'json'], {}],
    ['summarise, pretty in colour', ['summarise', '%f'], colour],
    ['summarise --format markdown', ['summarise', '%f', '--format', 'markdown'], {}],
    ['summarise --format json', ['summarise', '%f', '--format', 'json'], {}],
    ['summarise --format csv --by phone', ['summarise', '%f', '--format', 'csv', '--by', 'phone'], {}],
    ['fix (stderr)', ['fix', '%f'], {}],
    ['a fatal error naming a missing file', ['show', '%f.missing'], colour],
    ['a fatal error quoting a bad option value', ['show', '%f', '--limit', hostileArg], {}],
    ['a fatal error quoting a bad id', ['trace', hostileArg, '%f'], {}],
    ['an unknown option', ['show', `--${corpus[0]}`], {}],
  ] as const)('%s', async (_, args, env) => {
    const result = await runCli(
      args.map((arg) => arg.replace('%f', file)),
      { env },
    );
    const isColour = 'FORCE_COLOR' in env;
    const crlf = (args as readonly string[]).includes('csv');
    // fix prints the file's own JSON (its bytes kept on purpose, for `> repaired.json`): only stderr counts.
    if (args[0] !== 'fix') expect(rawCharacters(result.stdout, { colour: isColour, crlf })).toEqual([]);
    expect(rawCharacters(result.stderr, { colour: isColour })).toEqual([]);
    expect(result.stdout + result.stderr).not.toBe('');
  });
});

describe('the two escapes', () => {
  test('the terminal escape shows every character of the policy, visibly', () => {
    expect(escapeTerminal(hostile)).not.toMatch(forbidden);
    expect(escapeTerminal('a\u061cb\u200bc\u2028d\ufeffe')).toBe('a\\u061cb\\u200bc\\u2028d\\ufeffe');
    expect(escapeTerminal('\u001b[2J\u009b')).toBe('\\e[2J\\x9b');
  });

  test('a joiner inside an emoji sequence draws one emoji and stays; anywhere else it is escaped', () => {
    expect(escapeTerminal('👨\u200d👩\u200d👧')).toBe('👨\u200d👩\u200d👧');
    expect(escapeTerminal('a\u200db')).toBe('a\\u200db');
  });

  test('machine formats write the same set as \\u escapes, and JSON keeps its meaning', () => {
    expect(escapeUnicode(hostile)).not.toMatch(forbidden);
    const json = escapeJsonForTerminal(JSON.stringify({ text: hostile }, null, 2));
    expect(json).not.toMatch(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/);
    expect(JSON.parse(json)).toEqual({ text: hostile });
  });

  test('fatal errors are one escaped line', () => {
    const { message } = formatFatal(new CallhookError(`${corpus[0]}.json: no such file or directory`));
    expect(message).toBe('callhook: \\e]0;pwned\\x07\\e[2J.json: no such file or directory');
    const internal = formatFatal(new Error(`boom ${corpus[5]}\nsecond line`)).message;
    expect(internal).not.toMatch(forbidden);
  });
});
