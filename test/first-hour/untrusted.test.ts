/**
 * Issue 12, item 12: one policy for untrusted text. A corpus of hostile strings, in payload text
 * and in a file's name, goes through every command and format (pretty in colour, markdown, json,
 * csv, github, junit, and one-line fatal errors); no raw control or invisible character reaches
 * stdout or stderr. The built binary is run, since only a process shows what really is written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
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
import { type CliResult, runCli } from '../helpers/run-cli.js';
import { readWorkflowCommand } from '../helpers/workflow-command.js';

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
  // The joiners and selector of the fixture's emoji draw it, and are kept raw by the policy.
  rest = rest.replaceAll(emojiShown, '');
  const found = new Set<string>();
  for (const char of rest) {
    if (forbidden.test(char)) found.add(`U+${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  }
  return [...found];
}

const correlationId = 'a1b2c3d4-0000-4000-8000-000000000001';
const campaignId = 'c1b2c3d4-0000-4000-8000-000000000002';
/** A CallComplete of the one call, every payload text of it `text`, under its own event id (no redelivery). */
function callComplete(index: number, text: string, overrides: Record<string, unknown> = {}) {
  const id = `e1b2c3d4-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return {
    id,
    eventType: 'CallComplete',
    createdAt: '2022-09-01T00:10:00.000Z',
    data: {
      correlationId,
      sessionId: id,
      callResultId: id,
      name: text,
      phone: '61491573087',
      campaignId,
      status: 'Partial',
      additionalInformation: text,
      lastStepName: text,
      startedTime: '2022-09-01T00:09:00.000Z',
      flow: [{ questionName: text, response: text, transcript: text }],
      requests: [text],
      ...overrides,
    },
  };
}
const attempted = (note: string, phone = '61491573087') => ({
  time: '2022-09-01T00:05:00.000Z',
  phone,
  status: 'failed',
  note,
  campaignId,
  correlationId,
});
const sms = (message: string) => ({
  time: '2022-09-01T00:11:00.000Z',
  from: '61491570006',
  to: '61491573087',
  message,
  campaignId,
  correlationId,
});

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
// Emoji drawn whole beside a bidi override, which is escaped.
const emojiShown = '❤\ufe0f 👨\u200d👩\u200d👧';
const emojiReason = `${emojiShown} \u202eevil`;
// Payload text that is Markdown, a mention, a workflow command or a look-alike, and how a reader
// of the rendered Markdown sees it in summarise's tables: as written, the joiner after `@` and
// `#` drawn as nothing, the command's colon, an end blank, what NFC would compose, an inner blank
// that is not one space and the `(` of a text that reads as callhook's own note escaped.
const lookAlikes: ReadonlyArray<readonly [string, string]> = [
  ['@x', '@\u200dx'],
  ['#1', '#\u200d1'],
  ['a|b', 'a|b'],
  ['a`b``c', 'a`b``c'],
  ['`lead', '`lead'],
  ['trail`', 'trail`'],
  ['::error::x', '\\x3a:error\\x3a:x'],
  ['Voicemail ', 'Voicemail\\x20'],
  ['Voicemail', 'Voicemail'],
  ['  ', '\\x20\\x20'],
  ['', '(empty)'],
  ['Cafe\u0301', 'Cafe\\u0301'],
  ['Caf\u00e9', 'Caf\u00e9'],
  // callhook's own notes, and blanks inside a text that a reader cannot tell from one space.
  ['(none)', '\\x28none)'],
  ['(empty)', '\\x28empty)'],
  ['a  b', 'a \\x20b'],
  ['a\u00a0b', 'a\\xa0b'],
];

// One fixture holds every hostile case, so that each command and format is run once on all of them.
const events = [
  callComplete(3, hostile),
  attempted(hostile),
  sms(hostile),
  // Invalid: a phone number of escape codes (the error message quotes it) and an unknown type.
  attempted('failed', hostile),
  { eventType: hostile, data: {} },
  callComplete(6, commanding),
  attempted(commanding),
  sms(commanding),
  // Invalid, so that validate quotes it and names the file at the start of a line.
  attempted('failed', commanding),
  callComplete(10, 'Jo', { additionalInformation: emojiReason }),
  attempted('busy', emojiReason),
  ...lookAlikes.map(([text], i) => callComplete(100 + i, text)),
  ...lookAlikes.map(([text]) => attempted(text)),
];

let dir: string;
let file: string;
// Files whose names GitHub reads only in its own escapes (`:` `,` `%`), and `##[`, which it has none for.
const githubNames = ['a::b.json', '::error::x.json', 'x,y.json', '100%.json', 'p##[q.json'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callhook-hostile-'));
  // The file's own name is hostile too (no slash or NUL, which no file name can hold): escape
  // sequences, invisible characters and workflow commands.
  file = join(dir, `${corpus.slice(0, 2).join('')}\u202e\u2028\u200b\u{e0041}\u00ad::warning::x ##[error]y.json`);
  writeFileSync(file, JSON.stringify(events, null, 2));
  for (const name of githubNames) writeFileSync(join(dir, name), JSON.stringify(attempted('failed', 'x')));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const colour = { FORCE_COLOR: '1', NO_COLOR: undefined };

// Hint: each run spawns the binary, the slow part of this file; every test that reads a command's
// output in a format shares its one run.
const runs = {
  validate: { args: ['validate', '%f'] },
  'validate --format json': { args: ['validate', '%f', '--format', 'json'] },
  'validate --format github': { args: ['validate', '%f', '%github', '--format', 'github'] },
  'validate --format junit': { args: ['validate', '%f', '--format', 'junit'] },
  'show, pretty in colour': { args: ['show', '%f', '--no-pager', '--width', '40'], env: colour },
  'show --format markdown': { args: ['show', '%f', '--format', 'markdown', '--width', '40'] },
  'show --format json': { args: ['show', '%f', '--format', 'json'] },
  'trace, pretty in colour': { args: ['trace', 'a1b2c3d4', '%f', '--no-pager'], env: colour },
  'trace --format markdown': { args: ['trace', 'a1b2c3d4', '%f', '--format', 'markdown'] },
  'trace --format json': { args: ['trace', 'a1b2c3d4', '%f', '--format', 'json'] },
  'summarise, pretty in colour': { args: ['summarise', '%f', '--width', '40'], env: colour },
  'summarise --format markdown': { args: ['summarise', '%f', '--format', 'markdown', '--top', '0'] },
  'summarise --format json': { args: ['summarise', '%f', '--format', 'json', '--top', '0'] },
  'summarise --format csv --by phone': { args: ['summarise', '%f', '--format', 'csv', '--by', 'phone'] },
  'fix (stderr)': { args: ['fix', '%f'] },
  'a fatal error naming a missing file': { args: ['show', '%f.missing'], env: colour },
  'a fatal error quoting a bad option value': { args: ['show', '%f', '--limit', hostileArg] },
  'a fatal error quoting a bad id': { args: ['trace', hostileArg, '%f'] },
  'an unknown option': { args: ['show', `--${corpus[0]}`] },
} satisfies Record<string, { args: string[]; env?: NodeJS.ProcessEnv }>;
type RunName = keyof typeof runs;
const started = new Map<RunName, Promise<CliResult>>();

/** The output of one run, spawned the first time a test asks for it. */
function output(name: RunName): Promise<CliResult> {
  let result = started.get(name);
  if (result === undefined) {
    const { args, env = {} } = runs[name] as { args: string[]; env?: NodeJS.ProcessEnv };
    const paths = (arg: string) =>
      arg === '%github' ? githubNames.map((name) => join(dir, name)) : [arg.replace('%f', file)];
    result = runCli(args.flatMap(paths), { env });
    started.set(name, result);
  }
  return result;
}

/** Whether a run prints colour. */
const inColour = (name: RunName) => 'FORCE_COLOR' in ((runs[name] as { env?: object }).env ?? {});
const withoutColour = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('no raw control or invisible character reaches stdout or stderr', () => {
  test.each(Object.keys(runs) as RunName[])('%s', async (name) => {
    const result = await output(name);
    const isColour = inColour(name);
    const crlf = runs[name].args.includes('csv');
    // fix prints the file's own JSON (its bytes kept on purpose, for `> repaired.json`): only stderr counts.
    if (runs[name].args[0] !== 'fix') expect(rawCharacters(result.stdout, { colour: isColour, crlf })).toEqual([]);
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
    // Symbols drawn as nothing, not default-ignorable: `Voicemail\u2800` read as `Voicemail` (helper-191).
    expect(escapeTerminal('Voicemail\u2800 a\u{1d159}b')).toBe('Voicemail\\u2800 a\\u{1d159}b');
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
    expect(csvField(emojiReason)).toBe(`${emojiShown} \\u202eevil`);
    const names = [
      'summarise --format json',
      'validate --format json',
      'validate --format github',
      'validate --format junit',
    ] as const;
    for (const name of names) {
      const { stdout } = await output(name);
      expect(stdout).toContain(`${emojiShown} \\u202eevil`);
      expect(stdout).not.toContain('\u202e');
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
  test.each([
    'validate',
    'validate --format json',
    'validate --format junit',
    'show, pretty in colour',
    'show --format markdown',
    'show --format json',
    'trace, pretty in colour',
    'trace --format markdown',
    'trace --format json',
    'summarise, pretty in colour',
    'summarise --format markdown',
    'summarise --format json',
  ] as const)('%s', async (name) => {
    const result = await output(name);
    expect(result.stdout).not.toBe('');
    // Hint: a colour code at a line's start would hide a command there from this pattern, not from a runner.
    for (const text of [result.stdout, result.stderr]) expect(withoutColour(text)).not.toMatch(workflowCommand);
    if (runs[name].args.includes('markdown')) {
      const text = result.stdout.replace(/\\(.)/g, '$1').replaceAll('&#x200d;', '\u200d');
      expect(text).not.toMatch(linking);
    }
  });

  test('validate --format github names each file as GitHub reads a property (`::` as %3A%3A, not as \\u003a:; `##[` as it is), and its messages hold no `::` either', async () => {
    const result = await output('validate --format github');
    const lines = result.stdout.trimEnd().split('\n');
    const named = new Map<string, string[]>();
    for (const line of lines) {
      expect(line).toMatch(/^::(error|warning|notice) file=/);
      expect(line.slice(2)).not.toMatch(/^[^:]*::.*::/);
      const path = readWorkflowCommand(line)?.properties.get('file') ?? '';
      named.set(path, [...(named.get(path) ?? []), line]);
    }
    // Each of these is named exactly, so GitHub attaches its annotations to it.
    for (const name of githubNames) expect(named.get(join(dir, name))?.length).toBeGreaterThan(0);
    // The hostile file: its invisible characters as \u escapes (the policy), its `::` and `##[` as they are.
    const hostileLines = lines.filter(
      (line) => !githubNames.some((name) => named.get(join(dir, name))?.includes(line)),
    );
    expect(hostileLines.length).toBeGreaterThan(0);
    for (const line of hostileLines) expect(line).toContain('%3A%3Awarning%3A%3Ax ##[error]y.json,line=');
    expect(result.stderr).not.toMatch(workflowCommand);
  });
});

describe('Markdown and JSON of hostile text, read back as their readers read them', () => {
  // Hint: what matters is what a reader of the rendered page sees, so the test renders it.
  const markdown = new MarkdownIt({ html: true });
  type Token = ReturnType<MarkdownIt['parse']>[number];
  /** An inline token's text as a reader sees it: escapes read, entities decoded, code spans' text. */
  const inlineText = (token: Token) =>
    (token.children ?? [])
      .map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : ''))
      .join('');
  /** Every table of the rendered Markdown, as rows of the text of their cells. */
  function tables(text: string): string[][][] {
    const found: string[][][] = [];
    let row: string[] = [];
    for (const token of markdown.parse(text, {})) {
      if (token.type === 'table_open') found.push([]);
      else if (token.type === 'tr_open') {
        row = [];
        found.at(-1)?.push(row);
      } else if (token.type === 'th_open' || token.type === 'td_open') row.push('');
      else if (token.type === 'inline' && token.level > 3) row[row.length - 1] += inlineText(token);
    }
    return found;
  }
  const shownInTables = lookAlikes.map(([, shown]) => shown);

  test('summarise: every table row has its columns, and each hostile text reads as written or escaped, no escape showing', async () => {
    const { stdout } = await output('summarise --format markdown');
    const found = tables(stdout);
    expect(found.length).toBeGreaterThan(5);
    for (const [head, ...rows] of found) {
      for (const row of rows) expect(row).toHaveLength(head!.length);
    }
    // Reasons, questions, requests and failure notes: a row per value, which reads as meant.
    for (const column of ['Reason', 'Question', 'Request', 'Failure note']) {
      const [head = [], ...body] = found.find(([names]) => names?.includes(column)) ?? [];
      const cells = body.map((row) => row[head.indexOf(column)]);
      expect({ column, cells }).toEqual({ column, cells: expect.arrayContaining(shownInTables) });
      for (const cell of cells) expect(cell).not.toMatch(/&#x200d;|\\[\\`*_[\]<>#|~&$@-]/);
    }
  });

  test.each(['show --format markdown', 'trace --format markdown'] as const)(
    '%s: an id in a code span reads as written, and markup, mentions and commands read as text',
    async (name) => {
      const { stdout } = await output(name);
      const inline = markdown.parse(stdout, {}).filter((token) => token.type === 'inline');
      const codes = inline.flatMap((token) => (token.children ?? []).filter((child) => child.type === 'code_inline'));
      expect(codes.length).toBeGreaterThan(0);
      for (const code of codes) expect(code.content).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
      // Show and trace do not tell look-alikes apart (summarise does): the markup and commands only.
      const outcomes = inline.flatMap((token) => {
        const text = inlineText(token);
        return text.startsWith('Outcome: ') ? [text.slice('Outcome: '.length)] : [];
      });
      expect(outcomes).toEqual(expect.arrayContaining(shownInTables.slice(0, 7)));
    },
  );

  // Every payload text summarise counts, and the events show prints, as the fixture holds them.
  const valid = events.filter((_, i) => ![3, 4, 8, 10].includes(i));
  const texts = (pick: (event: (typeof events)[number]) => unknown) => [
    ...new Set(valid.flatMap((e) => pick(e) ?? [])),
  ];
  const dataOf = (event: (typeof events)[number]) =>
    'data' in event ? (event.data as Partial<ReturnType<typeof callComplete>['data']>) : undefined;

  test('summarise --format json holds every value exactly, look-alikes and commands included', async () => {
    const report = JSON.parse((await output('summarise --format json')).stdout);
    const rows = (list: Array<Record<string, unknown>>, key: string) => list.map((row) => row[key]).sort();
    const cc = report.callComplete;
    expect(
      rows(
        Object.values(cc.byReason).flatMap((status) => (status as { rows: [] }).rows),
        'reason',
      ),
    ).toEqual(texts((e) => dataOf(e)?.additionalInformation).sort());
    expect(rows(cc.funnel.rows[0].steps, 'question')).toEqual(texts((e) => dataOf(e)?.flow?.[0]?.questionName).sort());
    expect(rows(cc.requests.rows, 'request')).toEqual(texts((e) => dataOf(e)?.requests).sort());
    expect(rows(report.callAttempted.byNote.rows, 'note')).toEqual(
      texts((e) => ('note' in e ? e.note : undefined)).sort(),
    );
  });

  test('show and trace --format json print the events exactly as the file holds them', async () => {
    expect(JSON.parse((await output('show --format json')).stdout)).toEqual(valid);
    const traced = JSON.parse((await output('trace --format json')).stdout).events.map(
      (entry: { event: unknown }) => entry.event,
    );
    expect(traced).toHaveLength(valid.length);
    expect(traced).toEqual(expect.arrayContaining(valid));
  });
});
