/**
 * What a code frame needs of the source around a problem (see render/code-frame.ts): the input
 * layer keeps only this, a few hundred characters, and rendering draws the frame from it.
 */
import { clusterBoundary } from './clusters.js';
import type { SourceExcerpt } from './types.js';

// Characters kept on each side of the problem on its line: more than a frame's window shows.
const reach = 200;
// Characters kept of the line before: a frame shows at most 76 of them, then `…`.
const previousReach = 78;

/** Where the line of an index starts and ends (its newline, or the text's end), and where the line before it starts. */
export interface LineBounds {
  lineStart: number;
  lineEnd: number;
  previousStart: number;
}

/** The `LineBounds` of UTF-16 index `index` of `text`, scanned for. */
function lineBounds(text: string, index: number): LineBounds {
  const lineStart = index > 0 ? text.lastIndexOf('\n', index - 1) + 1 : 0;
  const lineEnd = text.indexOf('\n', index);
  return {
    lineStart,
    lineEnd: lineEnd === -1 ? text.length : lineEnd,
    previousStart: lineStart > 1 ? text.lastIndexOf('\n', lineStart - 2) + 1 : 0,
  };
}

/**
 * The excerpt of `text` around UTF-16 index `index`: the line before (its start) and the
 * problem's line (around the index). `lead` is what stands before `text` on its first line (an
 * element's, after another on its line), all of it or, `leadCut`, its last part. A frame drawn
 * from it is the frame drawn from all of `lead` and `text`. A caller that knows the index's
 * line bounds gives them; else they are scanned for.
 */
export function excerptAt(
  text: string,
  index: number,
  lead = '',
  leadCut = false,
  { lineStart, lineEnd, previousStart }: LineBounds = lineBounds(text, index),
): SourceExcerpt {
  // Hint: every cut falls between grapheme clusters (`clusterBoundary`), or a frame shows what the
  // file does not hold: a flag paired with the next one's half, an emoji without its skin tone, the
  // lone half of a surrogate pair, an accent drawn on the `…`.
  const from = Math.max(lineStart, clusterBoundary(text, index - reach));
  // Hint: a line cut on the right ends in `…`, as a cut line before does: a frame wider than the
  // excerpt (a wide terminal) would draw the line as ending there. On the left the problem's
  // column tells the frame what is missing (see render/code-frame.ts).
  const to = index + reach < lineEnd ? Math.max(index, clusterBoundary(text, index + reach)) : lineEnd;
  const current = text.slice(from, to) + (to < lineEnd ? '…' : '');
  if (lineStart === 0) {
    const head = from === 0 ? lead.slice(clusterBoundary(lead, lead.length - (reach - index))) : '';
    return { text: head + current, index: head.length + index - from };
  }
  // Hint: a line before that is the first of `text` begins with the lead, or with `…` where the
  // lead's start is not known; a longer line before is cut to one `…` past what is shown, so it
  // still shows as cut.
  const head =
    previousStart === 0 && (lead || leadCut)
      ? `${leadCut ? '…' : ''}${lead.slice(0, clusterBoundary(lead, previousReach))}`
      : '';
  const end = Math.min(lineStart - 1, clusterBoundary(text, previousStart + previousReach));
  const line = head + text.slice(previousStart, end);
  const previous =
    line.length > previousReach || end < lineStart - 1
      ? `${line.slice(0, clusterBoundary(line, previousReach - 1))}…`
      : line;
  return { text: `${previous}\n${current}`, index: previous.length + 1 + index - from };
}
