/**
 * Renders a code frame: the source lines around a problem, with a caret under it, escaped for a
 * terminal (the source is untrusted: `\e` for an escape code) and measured in the columns a
 * terminal draws (a CJK character or an emoji takes two).
 */
import type { SourceExcerpt } from '../input/types.js';
import { escapeTerminal, isolatesWhole, shownEscape } from './escape.js';
import { displayWidth, prefixOfWidth, suffixOfWidth } from './width.js';

/**
 * `source` escaped, its tabs made spaces, cut to a window of `shownWidth` columns around `caretAt`
 * (so that a minified file still gives a readable frame) and marked `…` where cut, and the caret's
 * column in what is shown.
 */
function clip(source: string, caretAt: number, shownWidth: number): [string, number] {
  const clean = source.replace(/\r$/, '').replaceAll('\t', ' ');
  const before = escapeTerminal(clean.slice(0, caretAt));
  const after = escapeTerminal(clean.slice(caretAt));
  const beforeWidth = displayWidth(before);
  const afterWidth = displayWidth(after);
  if (beforeWidth + afterWidth <= shownWidth) return [before + after, beforeWidth];
  // Half the window on each side of the caret; what one side does not need, the other has.
  const cutLeft = before.length - suffixOfWidth(before, Math.max(shownWidth / 2, shownWidth - afterWidth)).length;
  const left = before.slice(outsideEscapes(before, cutLeft, false));
  const right = after.slice(
    0,
    outsideEscapes(after, prefixOfWidth(after, shownWidth - displayWidth(left)).length, true),
  );
  const opened = left.length < before.length ? '…' : '';
  const closed = right.length < after.length ? '…' : '';
  // Hint: each side is isolated apart (escaped apart), so each is made whole apart too.
  return [`${opened}${isolatesWhole(left)}${isolatesWhole(right)}${closed}`, opened.length + displayWidth(left)];
}

const shownEscapes = new RegExp(shownEscape.source, 'g');

/**
 * `cut`, an offset of escaped text, moved off an escape shown for a character (`\x07`, `\u202e`)
 * it falls inside: to the escape's start (`toStart`) or its end. Hint: `\x…` reads as other text.
 */
function outsideEscapes(text: string, cut: number, toStart: boolean): number {
  for (const match of text.matchAll(shownEscapes)) {
    if (match.index >= cut) break;
    const end = match.index + match[0].length;
    if (cut < end) return toStart ? match.index : end;
  }
  return cut;
}

/**
 * Two lines of source around a problem at `line` and `column`, with a caret under it, each row at
 * most `width` columns (gutter included) unless that leaves under 10 for the source. The excerpt
 * may begin mid-line (a window of a chunk, or of a long line): the true `column` says whether
 * some of the line is missing on the left, and a `…` marks it.
 */
export function codeFrame(excerpt: SourceExcerpt, line: number, column: number, width = 80): string {
  const { text, index } = excerpt;
  const lineStart = index > 0 ? text.lastIndexOf('\n', index - 1) + 1 : 0;
  let lineEnd = text.indexOf('\n', index);
  if (lineEnd === -1) lineEnd = text.length;
  // Hint: what the excerpt does not hold of the line is not known to be blanks, so it is `…`.
  const prefix = column - 1 > index - lineStart ? '…' : '';
  const digits = String(line).length;
  // The gutter (`> 12 | `) and the two `…` of a cut line take their columns first.
  const shownWidth = Math.max(10, width - digits - 7);
  const rows: string[] = [];
  if (lineStart > 0 && line > 1) {
    const previousStart = lineStart > 1 ? text.lastIndexOf('\n', lineStart - 2) + 1 : 0;
    const [previous] = clip(text.slice(previousStart, lineStart - 1), 0, shownWidth);
    if (previous.trim()) rows.push(`  ${String(line - 1).padStart(digits)} | ${previous}`);
  }
  const [current, caret] = clip(prefix + text.slice(lineStart, lineEnd), prefix.length + index - lineStart, shownWidth);
  rows.push(`> ${String(line).padStart(digits)} | ${current}`);
  rows.push(`  ${' '.repeat(digits)} | ${' '.repeat(Math.max(0, caret))}^`);
  return rows.join('\n');
}
