/**
 * What a code frame needs of the source around a problem (see render/code-frame.ts): the input
 * layer keeps only this, a few hundred characters, and rendering draws the frame from it.
 */
import type { SourceExcerpt } from './types.js';

// Characters kept on each side of the problem on its line: more than a frame's window shows.
const reach = 200;
// Characters kept of the line before: a frame shows at most 76 of them, then `…`.
const previousReach = 78;

/**
 * The excerpt of `text` around UTF-16 index `index`: the line before (its start) and the
 * problem's line (around the index). A frame drawn from it is the frame drawn from all of `text`.
 */
export function excerptAt(text: string, index: number): SourceExcerpt {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let lineEnd = text.indexOf('\n', index);
  if (lineEnd === -1) lineEnd = text.length;
  const from = Math.max(lineStart, index - reach);
  const current = text.slice(from, Math.min(lineEnd, index + reach));
  if (lineStart === 0) return { text: current, index: index - from };
  const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  // Hint: a longer line before is cut to one `…` past what is shown, so it still shows as cut.
  const previous =
    lineStart - 1 - previousStart > previousReach
      ? `${text.slice(previousStart, previousStart + previousReach - 1)}…`
      : text.slice(previousStart, lineStart - 1);
  return { text: `${previous}\n${current}`, index: previous.length + 1 + index - from };
}
