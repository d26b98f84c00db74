import { describe, expect, it } from 'vitest';
import { canDraw, escapeTerminal, useColor, warningLine, wrapSpans } from './terminal.js';

describe('useColor', () => {
  const tty = { isTTY: true };
  it('colours a terminal, not a pipe; --no-color and NO_COLOR win, then FORCE_COLOR', () => {
    expect(useColor(tty, [], { TERM: 'xterm' })).toBe(true);
    expect(useColor({ isTTY: false }, [], { TERM: 'xterm' })).toBe(false);
    expect(useColor(tty, ['--no-color'], { FORCE_COLOR: '1' })).toBe(false);
    expect(useColor(tty, [], { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, [], { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(tty, [], { FORCE_COLOR: '0' })).toBe(false);
  });

  it('does not colour a terminal that says it cannot (TERM=dumb), unless FORCE_COLOR asks', () => {
    // An Emacs shell buffer or a CI log (TERM=dumb) got raw `^[[31m` codes.
    expect(useColor(tty, [], { TERM: 'dumb' })).toBe(false);
    expect(useColor(tty, [], { TERM: 'dumb', FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(tty, [], { TERM: 'xterm-256color' })).toBe(true);
  });

  it('does not colour a terminal with no TERM, or an empty one, as TERM=dumb (git and chalk do not either)', () => {
    expect(useColor(tty, [], {})).toBe(false);
    expect(useColor(tty, [], { TERM: '' })).toBe(false);
    expect(useColor(tty, [], { FORCE_COLOR: '1' })).toBe(true);
  });
});

describe('canDraw', () => {
  it('takes a console of Windows, which sets no TERM, as one that draws; TERM=dumb still does not', () => {
    // Asked for a TERM there too, cmd, PowerShell and Windows Terminal never had colour (red team hT30).
    const tty = { isTTY: true };
    expect(canDraw(tty, {}, 'win32')).toBe(true);
    expect(canDraw(tty, { TERM: 'dumb' }, 'win32')).toBe(false);
    expect(canDraw({ isTTY: false }, {}, 'win32')).toBe(false);
    expect(canDraw(tty, {}, 'linux')).toBe(false);
    expect(canDraw(tty, {}, 'darwin')).toBe(false);
  });

  it('takes an empty TERM as none, outside Windows (replay draws no progress bar there)', () => {
    const tty = { isTTY: true };
    expect(canDraw(tty, { TERM: '' }, 'linux')).toBe(false);
    expect(canDraw(tty, { TERM: 'xterm' }, 'linux')).toBe(true);
  });
});

describe('warningLine', () => {
  it('keeps each file name it is given whole on one line, one inside another as part of it', () => {
    const folder = 'Survey Exports';
    const file = `${folder}/September 2022 Tokyo (final).json`;
    const line = warningLine(`${file} is named twice (also as ${folder}); read once`, 40, [file, folder, '']);
    expect(line).toBe(`callhook: warning:\n  ${file}\n  is named twice (also as\n  Survey Exports); read once\n`);
    // Without names it wraps at every space, as before.
    expect(warningLine('a b c d e f g h i j k l m n o p q r s t u v w', 20)).toBe(
      'callhook: warning: a\n  b c d e f g h i j\n  k l m n o p q r s\n  t u v w\n',
    );
  });
});

describe('wrapSpans of right-to-left text', () => {
  it('closes an isolate a line break cuts at the end of its line and opens it again on the next', () => {
    // A wrapped Hebrew reason left the isolate open past its line's end, so a terminal drew the
    // table's next column inside it; and its second line's letters were not isolated at all.
    const text = escapeTerminal('שלום עולם גדול מאוד מאוד');
    const lines = wrapSpans([{ text }, { text: ' 12' }], { width: 12 });
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const opens = line.split('\u2068').length - 1;
      const closes = line.split('\u2069').length - 1;
      expect({ line, opens, closes }).toEqual({ line, opens: closes, closes: opens });
      if (/[\u0590-\u05ff]/.test(line)) expect(line).toMatch(/\u2068[^\u2069]*[\u0590-\u05ff]/);
    }
    expect(lines.join(' ').replace(/[\u2068\u2069]/g, '')).toBe('שלום עולם גדול מאוד מאוד 12');
    expect(lines.at(-1)).toMatch(/\u2069 12$/);
  });
});

describe('a text too long to wrap whole', () => {
  it('is wrapped to its first million characters, and says how many more there are', () => {
    // One 30 MB transcript took `show` to 1.3 GB (an object a word, a string a line) and ran
    // `listen`, which draws each event, out of memory (red team hR131).
    const text = 'ab '.repeat(400_000);
    const lines = wrapSpans([{ text: 'x ' }, { text }], { width: 80 });
    const all = lines.join('\n');
    expect(all.replace(/\s+/g, ' ')).toMatch(/ … \(200,002 more characters, not shown\)$/);
    expect(all.match(/ab/g)?.length).toBe(333_333);
    // At most a million characters: the cut falls between characters, never inside a pair.
    const pairs = wrapSpans([{ text: '😀'.repeat(600_000) }], { width: 80 });
    expect(pairs.join('')).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(pairs.join('\n').replace(/\s+/g, ' ')).toMatch(/ … \(200,000 more characters, not shown\)$/);
    // Up to it, a text is wrapped whole.
    expect(wrapSpans([{ text: 'a '.repeat(500_000) }], { width: 80 }).join(' ')).toBe('a '.repeat(500_000).trim());
  });
});
