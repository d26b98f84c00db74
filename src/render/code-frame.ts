/** Renders a code frame: the source lines around a problem, with a caret under it. Strings only. */
import type { SourceExcerpt } from '../input/types.js';

// Hint: a long line is cut to a window of this many characters around the caret, so that a
// minified file still gives a readable frame.
const shownWidth = 76;

/** `source` with its tabs made spaces, cut to the window around `caretAt`, and the caret's place in what is shown. */
function clip(source: string, caretAt: number): [string, number] {
  const clean = source.replace(/\r$/, '').replaceAll('\t', ' ');
  if (clean.length <= shownWidth) return [clean, caretAt];
  const from = Math.max(0, Math.min(caretAt - shownWidth / 2, clean.length - shownWidth));
  const shown = `${from > 0 ? '…' : ''}${clean.slice(from, from + shownWidth)}${from + shownWidth < clean.length ? '…' : ''}`;
  return [shown, caretAt - from + (from > 0 ? 1 : 0)];
}

/**
 * Two lines of source around a problem at `line` and `column`, with a caret under it. The
 * excerpt may begin mid-line (an element's text, or a window of a chunk): the true `column` says
 * how much of the line is missing on the left.
 */
export function codeFrame(excerpt: SourceExcerpt, line: number, column: number): string {
  const { text, index } = excerpt;
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let lineEnd = text.indexOf('\n', index);
  if (lineEnd === -1) lineEnd = text.length;
  const missing = column - 1 - (index - lineStart);
  // Hint: what is missing on the left of an element is indentation, so short gaps are padded.
  const prefix = missing <= 0 ? '' : missing <= 40 ? ' '.repeat(missing) : '…';
  const width = String(line).length;
  const rows: string[] = [];
  if (lineStart > 0 && line > 1) {
    const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
    const [previous] = clip(text.slice(previousStart, lineStart - 1), 0);
    if (previous.trim()) rows.push(`  ${String(line - 1).padStart(width)} | ${previous}`);
  }
  const [current, caret] = clip(prefix + text.slice(lineStart, lineEnd), prefix.length + index - lineStart);
  rows.push(`> ${String(line).padStart(width)} | ${current}`);
  rows.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, caret))}^`);
  return rows.join('\n');
}
