/**
 * Issue 12, item 1 and 10: every show/trace/summarise scenario rendered in colour (as FORCE_COLOR=1
 * gives) at 40, 80 and 120 columns; no line, escape codes stripped, is wider than the terminal,
 * except one holding a single unbreakable token, or a Markdown heading (the README's documented
 * exceptions).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, test } from 'vitest';
import { summarise } from '../../src/core/summary.js';
import { readRecords } from '../../src/input/read.js';
import type { InputRecord } from '../../src/input/types.js';
import { renderEventMarkdown, renderEventPretty, renderTraceHeader } from '../../src/render/flow.js';
import { renderSummaryPretty } from '../../src/render/summary.js';
import { displayWidth, escapeTerminal, prefixOfWidth, wrapSpans } from '../../src/render/terminal.js';
import { correlationIdOf, type WebhookEvent } from '../../src/schema/events.js';
import { callComplete } from '../helpers/events.js';

const colors = new Chalk({ level: 3 });
const sgr = /\u001b\[[0-9;]*m/g;
const fixtures = join(import.meta.dirname, '../../fixtures/valid');

async function recordsOf(file: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const chunk of readRecords([file])) for (const record of chunk) out.push(record);
  return out;
}

/** Lines wider than `width` that are more than one unbreakable token. */
function overflowing(text: string, width: number): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(sgr, ''))
    .filter((line) => displayWidth(line) > width && /\S\s+\S/.test(line.trim()));
}

const scenarios = readdirSync(fixtures).filter((name) => /\.(json|ndjson|jsonl)$/.test(name));

describe.each([40, 80, 120])('at %i columns, in colour', (width) => {
  test.each(scenarios)('%s: show, trace and summarise fit', async (name) => {
    const records = await recordsOf(join(fixtures, name));
    const events = records.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
    const ctx = { width, colors };
    for (const event of events) {
      expect(overflowing(renderEventPretty(event, ctx), width)).toEqual([]);
      expect(overflowing(renderEventPretty(event, ctx, { duplicate: true }), width)).toEqual([]);
      // A Markdown heading is one line, whatever its width: a second would be a paragraph. And a
      // word of CJK or Thai wider than the line is not broken: a renderer would put a blank there.
      const markdown = overflowing(renderEventMarkdown(event, ctx), width);
      const oneWord = (line: string) => !/\S\s+\S/.test(line.replace(/^\s*(?:[->]\s+)?/, ''));
      expect(markdown.filter((line) => !line.startsWith('### ') && !oneWord(line))).toEqual([]);
    }
    const ids = new Set(events.map(correlationIdOf).filter((id) => id !== undefined));
    for (const id of ids) {
      const entries = events.filter((e) => correlationIdOf(e) === id).map((event) => ({ event }));
      expect(overflowing(renderTraceHeader(id as string, entries, ctx), width)).toEqual([]);
    }
    for (const by of [undefined, 'campaign', 'phone', 'day'] as const) {
      const report = summarise(records, { by });
      expect(overflowing(renderSummaryPretty(report, { colors, width }), width)).toEqual([]);
    }
  });

  test('a coloured badge takes no more room than a plain one', () => {
    // `[Partial]` and ` Partial ` are both 9 columns: colour must not change where lines break.
    const event = callComplete({ name: 'Beatrice Kowalski', phone: '61491602274' }) as WebhookEvent;
    const plain = renderEventPretty(event, { width, colors: new Chalk({ level: 0 }) }).split('\n');
    const coloured = renderEventPretty(event, { width, colors }).split('\n');
    expect(coloured.map((line) => displayWidth(line.replace(sgr, '')))).toEqual(plain.map(displayWidth));
  });
});

describe('scale', () => {
  test('a 12.5 MB transcript renders without overflowing the call stack, its first million characters', () => {
    // Drawn whole, it took some fifty times its size to break into lines (red team hR131).
    const transcript = 'hello '.repeat(2_200_000);
    const event = callComplete({ flow: [{ questionName: 'Q?', response: 'Other', transcript }] });
    const text = renderEventPretty(event, { width: 80, colors });
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(text.length).toBeLessThan(1_300_000);
    const plain = text.replace(sgr, '').replace(/[\s│]+/g, ' ');
    const more = / … \(([\d,]+) more characters, not shown\)/.exec(plain)?.[1] ?? '0';
    expect(Number(more.replaceAll(',', ''))).toBeGreaterThanOrEqual(transcript.length - 1_000_000);
  });

  test('a 2 MB CJK transcript wraps in lines of at most the width, every character kept', () => {
    // 700k wide characters: the wrap is linear (the segmenter is fed in windows or skipped), so
    // this takes well under a second; when it was quadratic, 200k characters took 92 s.
    const text = '我想和真人客服通话因为我的账单有问题。'.repeat(37_000);
    const lines = wrapSpans([{ text }], { width: 80 });
    expect(lines.join('')).toBe(text);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });
});

describe('escaped text is measured as it is printed', () => {
  const england = '\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}';

  test('an invisible character takes the columns of its escape', () => {
    const invisibles = [
      '\u00ad',
      '\u034f',
      '\u115f',
      '\u3164',
      '\uffa0',
      '\ufff9',
      '\ufe0f',
      '\u{e0041}',
      '\u{1d173}',
      '\u2800',
      '\u{1d159}',
    ];
    for (const char of invisibles) {
      const shown = escapeTerminal(` ${char}`);
      expect(displayWidth(shown)).toBe(shown.length);
    }
  });

  test('an emoji kept raw is two columns, and neither cut nor wrapped apart', () => {
    for (const emoji of [england, '❤\ufe0f', '1\ufe0f\u20e3', '👨\u200d👩\u200d👧']) {
      expect(escapeTerminal(emoji)).toBe(emoji);
      expect(displayWidth(emoji)).toBe(2);
      expect(prefixOfWidth(`ab${emoji}`, 3)).toBe('ab');
    }
    const text = escapeTerminal(`go${england}\u{e0041}${england}team `.repeat(8));
    const lines = wrapSpans([{ text }], { width: 20 });
    expect(lines.join(' ').split(' ')).toEqual(text.trimEnd().split(' '));
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(20);
  });
});
