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
import {
  escapeJsonForTerminal,
  escapeMarkdown,
  escapeTerminal,
  escapeUnicode,
  toSafeJson,
} from '../../src/render/escape.js';
import { csvField } from '../../src/render/report-csv.js';
import { runCli } from '../helpers/run-cli.js';

/** Every kind of character the policy names, and escape sequences built from them. */
const corpus = [
  '\u001b]0;pwned\u0007\u001b[2J', // OSC retitle, then clear the screen
  '\u009b31m', // 8-bit CSI
  'del\u007f nul\u0000 bs\b cr\r tab\t',
  'bidi \u202eevil\u202c \u2066iso\u2069 \u061carabic mark \u200eLRM \u200fRLM',
  'zero\u200bwidth \u200cnon-joiner a\u200db word\u2060joiner \u2061\u2062\u2063\u2064 bom\ufeffinside',
  'line\u2028separator paragraph\u2029separator',
  // Tag characters smuggle text an AI reads and a person does not ("AB" here, then a cancel tag).
  'tags\u{e0041}\u{e0042}\u{e007f} flag of no one \u{1f3f4}\u{e0069}\u{e0067}\u{e006e}\u{e007f}',
  // The other default-ignorable and invisible format characters.
  'soft\u00adhyphen \u034f\u115f\u1160\u17b4\u17b5\u180b\u180e\u180f\u3164\uffa0 \u2065\u206a\u206f',
  'annotation\ufff9base\ufffatext\ufffb \ufff0\ufff8 \u{1d173}\u{1d17a} \u{1bca0} \ufe00\u{e0100}\u{e01ef}',
  // A variation selector after nothing visible (a blank, another selector) draws nothing.
  'selectors \ufe0f\ufe0e',
  // Format controls that are not default-ignorable: prepended concatenation marks, hieroglyph controls.
  'marks \u0600\u0605\u06dd\u070f\u0890\u0891\u08e2 \u{110bd}\u{110cd} \u{13430}\u{1343f}',
];
const hostile = corpus.join(' | ');
// A command-line argument cannot hold NUL.
const hostileArg = hostile.replace('\u0000', '');

// What may appear: newline (and CRLF ending CSV records); SGR colour codes when colour is on.
const forbidden =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028-\u202e\ufff9-\ufffb\p{Default_Ignorable_Code_Point}\p{Cf}]/u;

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
  file = join(dir, `${corpus.slice(0, 2).join('')}\u202e\u2028\u200b\u{e0041}\u00ad.json`);
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

  test('every format control is shown, default-ignorable or not: number signs, an ayah mark, hieroglyph controls', () => {
    const controls = [
      ['\u0600', '\\u0600'],
      ['\u0605', '\\u0605'],
      ['\u06dd', '\\u06dd'],
      ['\u070f', '\\u070f'],
      ['\u0890', '\\u0890'],
      ['\u0891', '\\u0891'],
      ['\u08e2', '\\u08e2'],
      ['\u{110bd}', '\\u{110bd}'],
      ['\u{110cd}', '\\u{110cd}'],
      ['\u{13430}', '\\u{13430}'],
      ['\u{13439}', '\\u{13439}'],
      ['\u{1343f}', '\\u{1343f}'],
    ];
    for (const [control, shown] of controls) {
      expect(escapeTerminal(`12${control}34`)).toBe(`12${shown}34`);
      expect(escapeTerminal(`12${control}34`, true)).toBe(`12${shown}34`);
      expect(escapeUnicode(control!)).toMatch(/^(\\u[0-9a-f]{4})+$/);
      expect(JSON.parse(toSafeJson(control))).toBe(control);
      expect(toSafeJson(control)).not.toMatch(forbidden);
    }
  });

  test('a lone surrogate (a JSON `\\ud83d` escape) is shown as its escape, not printed as a 0-column U+FFFD', () => {
    // Hint: stdout writes a lone half as U+FFFD, one column wide, which the width rule counts 0:
    // a transcript of them ran past the terminal's width, and which half it was was lost.
    expect(escapeTerminal('a\ud83db\ude00c \ud83d\ude00')).toBe('a\\ud83db\\ude00c \ud83d\ude00');
    expect(escapeTerminal('\ude00\ud83d\n', true)).toBe('\\ude00\\ud83d\n');
    expect(escapeUnicode('x\udbff')).toBe('x\\udbff');
    expect(JSON.parse(toSafeJson('x\udbff'))).toBe('x\udbff');
  });

  test('a joiner inside an emoji sequence draws one emoji and stays; anywhere else it is escaped', () => {
    expect(escapeTerminal('👨\u200d👩\u200d👧')).toBe('👨\u200d👩\u200d👧');
    expect(escapeTerminal('a\u200db')).toBe('a\\u200db');
  });

  test('a character outside the BMP is one readable escape per code point; a tag sequence is no flag', () => {
    expect(escapeTerminal('hi\u{e0041}\u{e0042}\u{e007f}')).toBe('hi\\u{e0041}\\u{e0042}\\u{e007f}');
    expect(escapeTerminal('a\u{1d173}b\u{e01ef}')).toBe('a\\u{1d173}b\\u{e01ef}');
    expect(escapeTerminal('soft\u00adhyphen \u3164 \ufffb')).toBe('soft\\xadhyphen \\u3164 \\ufffb');
    // Hint: only the three subdivision flags that are emoji are drawn; any other tags after a
    // black flag show the flag alone and hide the text they spell.
    const flagOfNoOne = '\u{1f3f4}\u{e0069}\u{e0067}\u{e006e}\u{e006f}\u{e0072}\u{e0065}\u{e007f}';
    expect(escapeTerminal(flagOfNoOne)).toBe(
      '\u{1f3f4}\\u{e0069}\\u{e0067}\\u{e006e}\\u{e006f}\\u{e0072}\\u{e0065}\\u{e007f}',
    );
    expect(escapeTerminal('\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}')).toBe(
      '\u{1f3f4}\\u{e0067}\\u{e0062}\\u{e0065}\\u{e006e}\\u{e0067}',
    );
    expect(escapeMarkdown('x\u{e0041}')).toBe('x\\\\u{e0041}');
    expect(escapeUnicode('hi\u{e0041}\u00ad')).toBe('hi\\udb40\\udc41\\u00ad');
    const json = toSafeJson({ text: 'hi\u{e0041}\u{e0042}' });
    expect(json).toBe('{\n  "text": "hi\\udb40\\udc41\\udb40\\udc42"\n}');
    expect(JSON.parse(json)).toEqual({ text: 'hi\u{e0041}\u{e0042}' });
  });

  test('emoji stay drawable on a terminal and in Markdown: joiners, presentation selectors, subdivision flags', () => {
    const england = '\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}';
    const wales = '\u{1f3f4}\u{e0067}\u{e0062}\u{e0077}\u{e006c}\u{e0073}\u{e007f}';
    const emoji = `❤\ufe0f ☺\ufe0e 1\ufe0f\u20e3 🏳\ufe0f\u200d🌈 👨\u200d👩\u200d👧 ${england}${wales}`;
    expect(escapeTerminal(emoji)).toBe(emoji);
    expect(escapeTerminal(emoji, true)).toBe(emoji);
    expect(escapeMarkdown(emoji)).toBe(emoji);
    // A selector that follows no visible character, or a second one, draws nothing: it is escaped.
    expect(escapeTerminal('\ufe0f ❤\ufe0f\ufe0f \ufe0e a\ufe00')).toBe('\\ufe0f ❤\ufe0f\\ufe0f \\ufe0e a\\ufe00');
    // So does one after a letter that has no such variants: "J\ufe0fane" printed as "Jane".
    expect(escapeTerminal('J\ufe0fa\ufe0ene')).toBe('J\\ufe0fa\\ufe0ene');
    // Every other selector is shown: kept after any ideograph or mathematical symbol, each carried
    // a hidden byte ("漢\u{e0149}字\u{e0147}", "a=\ufe01b"); a registered name's 葛󠄀 shows its selector.
    expect(escapeTerminal('漢\u{e0149}字 a=\ufe01b ≩\ufe00 \u1820\u180b')).toBe(
      '漢\\u{e0149}字 a=\\ufe01b ≩\\ufe00 \u1820\\u180b',
    );
    // A digit, # or * takes VS16 only as a keycap's (1️⃣): "1\ufe0f2" hid a bit a digit.
    expect(escapeTerminal('1\ufe0f2 #\ufe0f\u20e3')).toBe('1\\ufe0f2 #\ufe0f\u20e3');
    // Machine formats keep them by the same rule: a CSV cell or a JSON string shows ❤️, not ❤\ufe0f.
    expect(escapeUnicode(emoji)).toBe(emoji);
    expect(toSafeJson(emoji)).toBe(JSON.stringify(emoji));
    expect(escapeUnicode('\ufe0f ❤\ufe0f\ufe0f J\ufe0fa a\u200db')).toBe('\\ufe0f ❤\ufe0f\\ufe0f J\\ufe0fa a\\u200db');
    expect(toSafeJson('\ufe0f ❤\ufe0f\ufe0f a\u200db')).toBe('"\\ufe0f ❤\ufe0f\\ufe0f a\\u200db"');
  });

  test('csv and json of summarise, and every format of validate, show emoji whole and still escape a bidi override', async () => {
    const shown = '❤\ufe0f 👨\u200d👩\u200d👧';
    expect(csvField(`${shown} \u202eevil`)).toBe(`${shown} \\u202eevil`);
    const dir = mkdtempSync(join(tmpdir(), 'callhook-emoji-'));
    try {
      const path = join(dir, 'emoji.json');
      const reason = `${shown} \u202eevil`;
      const [complete, attempted] = [events[0]!, events[1]!];
      writeFileSync(
        path,
        JSON.stringify([
          { ...complete, data: { ...complete.data, name: 'Jo', additionalInformation: reason } },
          { ...attempted, note: 'busy', phone: reason },
        ]),
      );
      const runs = await Promise.all([
        runCli(['summarise', path, '--format', 'json']),
        ...['json', 'github', 'junit'].map((format) => runCli(['validate', path, '--format', format])),
      ]);
      for (const { stdout } of runs) {
        expect(stdout).toContain(`${shown} \\u202eevil`);
        expect(stdout).not.toContain('\u202e');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

describe('payload text cannot command a GitHub Actions runner, nor ping anyone from Markdown', () => {
  // What the runner reads as a workflow command: a line that starts, after any blank (.NET's
  // TrimStart, NEL included), with `::` and a command's name; or `##[` anywhere in a line (the old form).
  const workflowCommand = /^[\s\u0085]*::[a-z]|##\[/im;
  // What GitHub links or pings in a comment's text, once Markdown's backslashes are read.
  const linking = /(?<![\p{L}\p{N}])@[a-z0-9]|#\d|\bgh-\d|:\/\/|(?<![\p{L}\p{N}])www\.[a-z0-9]/iu;
  const commanding = [
    '::add-mask::x hello there, how are you today, said the caller to the voice agent at length',
    `ok\n::error::pwned ${'x'.repeat(70)}::warning::wrapped ##[error]old form`,
    'ask @octocat about #123 and GH-42, see https://evil.example/x or www.evil.example',
  ].join('\n  ::stop-commands::tok ');
  const [complete, attempted, sms] = [events[0]!, events[1]!, events[2]!];
  const data = { ...complete.data, name: commanding, additionalInformation: commanding, lastStepName: commanding };
  const withCommands = [
    {
      ...complete,
      data: { ...data, flow: [{ questionName: commanding, response: commanding, transcript: commanding }] },
    },
    { ...attempted, note: commanding },
    { ...sms, message: commanding },
    // Invalid, so that validate quotes it and names the file at the start of a line.
    { ...attempted, phone: commanding },
  ];
  let commandsDir: string;
  let named: string;

  beforeAll(() => {
    commandsDir = mkdtempSync(join(tmpdir(), 'callhook-commands-'));
    named = join(commandsDir, '::warning::x ##[error]y.json');
    writeFileSync(named, JSON.stringify(withCommands, null, 2));
  });

  afterAll(() => rmSync(commandsDir, { recursive: true, force: true }));

  test.each([
    ['validate', ['validate', '%f']],
    ['validate --format json', ['validate', '%f', '--format', 'json']],
    ['validate --format junit', ['validate', '%f', '--format', 'junit']],
    ['show', ['show', '%f', '--no-pager', '--width', '40']],
    ['show --format markdown', ['show', '%f', '--format', 'markdown', '--width', '40']],
    ['show --format json', ['show', '%f', '--format', 'json']],
    ['trace', ['trace', 'a1b2c3d4', '%f', '--no-pager']],
    ['trace --format markdown', ['trace', 'a1b2c3d4', '%f', '--format', 'markdown']],
    ['trace --format json', ['trace', 'a1b2c3d4', '%f', '--format', 'json']],
    ['summarise', ['summarise', '%f', '--width', '40']],
    ['summarise --format markdown', ['summarise', '%f', '--format', 'markdown']],
    ['summarise --format json', ['summarise', '%f', '--format', 'json']],
  ] as const)('%s', async (_, args) => {
    const result = await runCli(args.map((arg) => arg.replace('%f', named)));
    expect(result.stdout).not.toBe('');
    for (const output of [result.stdout, result.stderr]) expect(output).not.toMatch(workflowCommand);
    if ((args as readonly string[]).includes('markdown')) {
      const text = result.stdout.replace(/\\(.)/g, '$1').replaceAll('&#x200d;', '\u200d');
      expect(text).not.toMatch(linking);
    }
  });

  test('validate --format github names the file in its own escapes (`::` as %3A%3A, not as \\u003a:; `##[` as it is), and its messages hold no `::` either', async () => {
    const result = await runCli(['validate', named, '--format', 'github']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(/^::(error|warning|notice) file=/);
      expect(line).toContain('/%3A%3Awarning%3A%3Ax ##[error]y.json,line=');
      expect(line.slice(2)).not.toMatch(/^[^:]*::.*::/);
    }
    expect(result.stderr).not.toMatch(workflowCommand);
  });
});
