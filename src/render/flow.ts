/**
 * Renders webhook events for people: a call result as a header and numbered conversation steps,
 * every other event as one line, in `pretty` (terminal) or `markdown` (ticket) form. Strings only.
 */
import type { ChalkInstance } from 'chalk';
import { instantOf } from '../core/instant.js';
import { findMatches, maskPhone } from '../core/timeline.js';
import { wholeClusters } from '../input/clusters.js';
import { type CallStatus, eventTime, isCallStatus, type WebhookEvent } from '../schema/events.js';
import {
  escapeMarkdown,
  escapeTerminalPieces,
  markdownCode,
  markdownMarkupEscaped,
  markdownNote,
  ownNotes,
  readableEscape,
  toSafeJson,
} from './escape.js';
import type { ViewFormat } from './formats.js';
import type { Span } from './report.js';
import { blankEnds, escapeTerminal, pushAll, type TextSpan, wrapSpans } from './terminal.js';
import { formatDuration, formatTime, plural, readsAsOwnNote, textApart, timeOrDuration } from './words.js';

/** A CallComplete event. */
export type CallCompleteEvent = Extract<WebhookEvent, { type: 'CallComplete' }>;

/** What every renderer needs to know about where its text goes. */
export interface FlowContext {
  /** Columns to wrap to. */
  width: number;
  /** Colours (a level-0 chalk when colour is off). */
  colors: ChalkInstance;
  /** `--grep`'s pattern, whose matches in transcripts and messages are highlighted. */
  grep?: RegExp | undefined;
  /**
   * How many characters of a campaign id a call shows (`shortIdLength`): a trace's, so that its
   * calls name their campaigns as its heading does; 8 when not given.
   */
  idLength?: number | undefined;
}

/** Facts about an event that are not in the event itself. */
interface EventNote {
  /** An event read earlier is the same (id and content): this one is a redelivery. */
  duplicate?: boolean | undefined;
  /** An event read earlier had the same id and other content (see core/copies). */
  conflict?: boolean | undefined;
  /** Which way an SMS of unknown direction went, as its numbers tell (see core/sms-direction). */
  smsDirection?: 'sent' | 'received' | undefined;
}

/** `text` as spans in `style`, each time and duration in it kept whole when wrapped (never `…00:02:07` / `UTC`). */
function keepingTimes(text: string, style?: (text: string) => string): TextSpan[] {
  const spans: TextSpan[] = [];
  let at = 0;
  for (const match of text.matchAll(timeOrDuration)) {
    if (match.index > at) spans.push({ text: text.slice(at, match.index), style });
    spans.push({ text: match[0], style, keep: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) spans.push({ text: text.slice(at), style });
  return spans;
}

/** The first `length` characters of an id (see `shortIdLength`), as people quote UUIDs. */
function shortId(id: string, length = shortIdMinimum): string {
  return escapeTerminal(id.slice(0, length));
}

/** How many characters of an id people quote: the 8 of a UUID's first group. */
const shortIdMinimum = 8;

/**
 * How many characters of ids are shown so that no two of `ids` read alike: `atLeast` (8, as people
 * quote a UUID), or one past the longest start two of them share, as git lengthens an abbreviated
 * hash. Compared ignoring case, as a UUID is (one campaign in any case).
 */
export function shortIdLength(ids: Iterable<string>, atLeast = shortIdMinimum): number {
  const sorted = [...new Set(Array.from(ids, (id) => id.toLowerCase()))].sort();
  let length = atLeast;
  // Hint: sorted, the ids that share the longest start with one are beside it.
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1] as string, sorted[i] as string];
    let shared = 0;
    while (shared < a.length && a[shared] === b[shared]) shared++;
    length = Math.max(length, shared + 1);
  }
  return length;
}

const badgeColors: Record<CallStatus, 'green' | 'yellow' | 'red' | 'magenta'> = {
  Complete: 'green',
  Partial: 'yellow',
  'Not Complete': 'red',
};

/** How a status the platform does not document is marked where no colour tells it. */
const undocumented = '(undocumented)';

/**
 * A call status as a badge span: reversed colour of its group on a colour terminal, `[Partial]`
 * otherwise. A status the platform does not document is magenta, and without colour says so in
 * words (`[Not Complete (undocumented)]`): one with a no-break space or a Cyrillic `о` reads as a
 * documented one. Its blanks are told apart as summarise tells them (`textApart`,
 * `[Complete\x20 (undocumented)]`), and the empty one is `(empty)`. Hint: the colour is the
 * span's style, not part of its text, so that the wrapper measures only what is seen.
 */
function statusBadge(status: string, colors: ChalkInstance): TextSpan {
  const safe = status === '' ? ownNotes.empty : textApart(status);
  if (colors.level === 0) {
    if (isCallStatus(status)) return { text: `[${safe}]` };
    // Hint: its `]` escaped, or `Complete] …` would end the badge and begin as a Complete call's line.
    return { text: `[${safe.replaceAll(']', readableEscape(']'))} ${undocumented}]` };
  }
  // Hint: a status named like an object's property (`constructor`) must not find one: narrowed first.
  const color = isCallStatus(status) ? badgeColors[status] : 'magenta';
  const background = ({ green: 'bgGreen', yellow: 'bgYellow', red: 'bgRed', magenta: 'bgMagenta' } as const)[color];
  // Hint: no-break spaces, so that the padding and `Not Complete` stay whole when a line wraps.
  return { text: `\u00a0${safe.replaceAll(' ', '\u00a0')}\u00a0`, style: colors[background].black.bold };
}

/** Untrusted text as escaped spans, matches of `grep` highlighted when colour is on. */
function highlightSpans(
  text: string,
  ctx: FlowContext,
  style?: (text: string) => string,
  keepNewlines = false,
): TextSpan[] {
  const matches = ctx.grep && ctx.colors.level > 0 ? wholeClusters(text, findMatches(text, ctx.grep)) : [];
  if (matches.length === 0) return [{ text: escapeTerminal(text, keepNewlines), style }];
  // Hint: the text is cut at the matches (found in the text itself) and each piece escaped as in
  // the whole text, so that a search for `e` cannot light up the `e` of an escaped `\e`, and the
  // highlight never straddles an escape: pieces alternate between text and a match.
  const pieces = escapeTerminalPieces(text, matches.flat(), keepNewlines);
  const spans: TextSpan[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (index % 2 === 1) spans.push({ text: piece, style: ctx.colors.black.bgYellow });
    else if (piece !== '') spans.push({ text: piece, style });
  }
  return spans;
}

// Hint: a Map: a request is payload text, and `constructor` must not find Object's.
const requestLabels = new Map([['humanSupportRequest', 'human support requested']]);

/** A request name as people say it: `humanSupportRequest` → `human support requested`; an unknown one through `escapeText`. */
function describeRequest(request: string, escapeText: (text: string) => string): string {
  return requestLabels.get(request) ?? `request: ${escapeText(request)}`;
}

/**
 * Where a Partial call stopped: the step number and question of `lastStepName` (no number when the
 * flow has no such step), or of the last step.
 */
function stoppedAt(event: CallCompleteEvent): Stopped | undefined {
  const { flow, lastStepName } = event.data;
  if (lastStepName !== null) {
    const index = flow.findLastIndex((step) => step.questionName === lastStepName);
    return { step: index >= 0 ? index + 1 : undefined, question: lastStepName };
  }
  const last = flow.at(-1);
  return last ? { step: flow.length, question: last.questionName } : undefined;
}

/** Where a Partial call stopped (see `stoppedAt`). */
interface Stopped {
  step: number | undefined;
  question: string;
}

const notInFlow = '(not a step of the flow)';

/** How an event is marked whose id an event read before it had, with other content (see core/copies). */
const conflictMark = 'conflicting copy';

function queuedAfter(event: CallCompleteEvent): string | undefined {
  if (event.createdAt === undefined) return undefined;
  const delay = instantOf(event.createdAt) - instantOf(event.data.startedTime);
  if (Number.isNaN(delay)) return undefined;
  // Hint: the word goes with the number shown: 400 ms before the start is `0s later`, not `0s BEFORE`.
  const shown = formatDuration(delay);
  return delay >= 0 || shown === '0s' ? `queued ${shown} later` : `queued ${shown} BEFORE the start`;
}

const join = (lines: string[]) => `${lines.join('\n')}\n`;

/**
 * A call result as every format shows it, built once: the payload's text raw (each renderer
 * escapes it by its own policy), the facts worked out (where it stopped, how late it was queued).
 */
export interface CallView {
  status: string;
  name: string;
  phone: string;
  campaignId: string;
  /** When the call started, as `formatTime` writes it. */
  started: string;
  /** `queued 8s later`, when the event says when it was created. */
  queued?: string | undefined;
  correlationId?: string | undefined;
  /** The event's id: a document quotes it; a terminal, short of room, leaves it out. */
  eventId?: string | undefined;
  redelivered: boolean;
  /** An event read earlier had the same id and other content. */
  conflict: boolean;
  steps: ReadonlyArray<{ question: string; response: string; transcript?: string | undefined }>;
  /** Request names as the payload has them (see `describeRequest`). */
  requests: readonly string[];
  stopped?: Stopped | undefined;
  outcome?: string | undefined;
}

/** The view of a call result: what both formats show. */
export function callView(event: CallCompleteEvent, note: EventNote = {}): CallView {
  const { data } = event;
  return {
    status: data.status,
    name: data.name,
    phone: data.phone,
    campaignId: data.campaignId,
    started: formatTime(data.startedTime),
    queued: queuedAfter(event),
    correlationId: data.correlationId || undefined,
    eventId: event.id || undefined,
    redelivered: note.duplicate === true,
    conflict: note.conflict === true,
    steps: data.flow.map((step) => ({
      question: step.questionName,
      response: step.response,
      transcript: step.transcript,
    })),
    requests: data.requests,
    stopped: data.status === 'Partial' ? stoppedAt(event) : undefined,
    outcome: data.additionalInformation,
  };
}

// Payload text of blanks alone (Unicode Zs), which a terminal or a browser shows as nothing.
const blankOnly = /^\p{Zs}+$/u;

/**
 * Payload text escaped for a terminal, and one that would show as nothing, empty or blanks alone,
 * told apart as summarise tells it (`(empty)`, `\x20\x20`): a name of three spaces read
 * `[Partial]     · 6149…`, and `Outcome:` was followed by nothing.
 */
function visible(text: string): string {
  if (text === '') return ownNotes.empty;
  return blankOnly.test(text) || readsAsOwnNote(text) ? textApart(text) : escapeTerminal(text);
}

/** `visible` for Markdown: the empty text's note in italics, as a status's is. */
function visibleMarkdown(text: string): string {
  if (text === '') return markdownNote(ownNotes.empty);
  return blankOnly.test(text) || readsAsOwnNote(text) ? markdownMarkupEscaped(textApart(text)) : escapeMarkdown(text);
}

/**
 * What a transcript that shows nothing says instead: the field is optional, so one given empty, or
 * of blanks only (which wrapping would print as nothing), is told apart from a step with none.
 */
function blankTranscript(transcript: string): string | undefined {
  if (transcript === '') return ownNotes.emptyTranscript;
  return /^\s+$/.test(transcript) ? ownNotes.blankTranscript : undefined;
}

/** A call result for a terminal: header, numbered steps with quoted transcripts, requests and outcome. */
function renderCallPretty(view: CallView, ctx: FlowContext): string {
  const { colors: c, width } = ctx;
  const lines: string[] = [];
  const header: TextSpan[] = [
    statusBadge(view.status, c),
    { text: ' ' },
    { text: visible(view.name), style: c.bold },
    { text: ` · ${escapeTerminal(view.phone)} · campaign ${shortId(view.campaignId, ctx.idLength)}` },
  ];
  if (view.redelivered) header.push({ text: ' · redelivered', style: c.yellow });
  if (view.conflict) header.push({ text: ` · ${conflictMark}`, style: c.yellow });
  pushAll(lines, wrapSpans(header, { width, indent: '  ' }));

  const meta = [`started ${view.started}`];
  if (view.queued) meta.push(view.queued);
  if (view.correlationId) meta.push(`correlation ${shortId(view.correlationId)}`);
  pushAll(lines, wrapSpans(keepingTimes(meta.join(' · '), c.dim), { width, indent: '    ', firstIndent: '  ' }));

  const numberWidth = String(view.steps.length).length;
  const stepIndent = ' '.repeat(numberWidth + 4);
  view.steps.forEach((step, index) => {
    const number = `${String(index + 1).padStart(numberWidth)}.`;
    pushAll(
      lines,
      wrapSpans(
        [
          { text: visible(step.question), style: c.bold },
          { text: ' → ', style: c.dim },
          { text: visible(step.response), style: c.cyan },
        ],
        { width, firstIndent: `  ${number} `, indent: stepIndent },
      ),
    );
    if (step.transcript !== undefined) {
      const blank = blankTranscript(step.transcript);
      pushAll(
        lines,
        wrapSpans(
          blank !== undefined
            ? [{ text: blank, style: c.dim }]
            : readsAsOwnNote(step.transcript)
              ? [{ text: textApart(step.transcript) }]
              : highlightSpans(step.transcript, ctx, undefined, true),
          { width, indent: `${stepIndent}${c.dim('│')} ` },
        ),
      );
    }
  });
  if (view.steps.length === 0) lines.push(c.dim('  (no conversation)'));

  const line = (spans: TextSpan[]) => pushAll(lines, wrapSpans(spans, { width, indent: '    ', firstIndent: '  ' }));
  for (const request of view.requests) {
    line([{ text: `! ${describeRequest(request, visible)}`, style: c.magenta.bold }]);
  }
  if (view.stopped) {
    const { step, question } = view.stopped;
    const text =
      step === undefined
        ? `Stopped at: ${visible(question)} ${notInFlow}`
        : `Stopped at step ${step}: ${visible(question)}`;
    line([{ text, style: c.yellow }]);
  }
  if (view.outcome !== undefined) {
    line([{ text: 'Outcome: ', style: c.bold }, { text: visible(view.outcome) }]);
  }
  return join(lines);
}

/** The view of an event other than a call result: one entry of a list. */
export interface EventLineView {
  /** When, as `formatTime` writes it. */
  time: string;
  /** The type as shown: an SMS of unknown direction says the direction its numbers tell (`SMS sent`). */
  type: string;
  /** Who: the phone, or `from → to` (payload text marked untrusted). */
  who: Span[];
  /** What: the attempt's status and note, or which way a call came. */
  what: Span[];
  /** An SMS's text, quoted (and searched by --grep). */
  message?: string | undefined;
  /** An event read earlier is the same: this one is a redelivery. */
  redelivered: boolean;
  /** An event read earlier had the same id and other content. */
  conflict: boolean;
}

/** The view of a non-call event: what both formats show. */
export function eventLineView(event: Exclude<WebhookEvent, CallCompleteEvent>, note: EventNote = {}): EventLineView {
  const view = {
    time: formatTime(event.data.time),
    type: typeLabel(event, note),
    redelivered: note.duplicate === true,
    conflict: note.conflict === true,
  };
  switch (event.type) {
    case 'CallAttempted': {
      const { status, note: why } = event.data;
      const what: Span[] = [{ text: status, tone: status === 'failed' ? 'bad' : 'good' }];
      if (why !== undefined) what.push({ text: ': ' }, { text: why, untrusted: true });
      return { ...view, who: [{ text: event.data.phone, untrusted: true }], what };
    }
    case 'CallReceived':
      return {
        ...view,
        who: [{ text: event.data.phone, untrusted: true }],
        what: [{ text: event.data.type === 'inbound' ? 'inbound call' : 'outbound callback' }],
      };
    default:
      return {
        ...view,
        who: [{ text: event.data.from, untrusted: true }, { text: ' → ' }, { text: event.data.to, untrusted: true }],
        what: [],
        message: event.data.message,
      };
  }
}

const typeColumn = 'CallAttempted'.length;

/** An event's type as shown; an SMS of unknown direction says the direction its numbers tell (`SMS sent`). */
function typeLabel(event: Exclude<WebhookEvent, CallCompleteEvent>, note: EventNote): string {
  if (event.type !== 'SMS' || note.smsDirection === undefined) return event.type;
  return `SMS ${note.smsDirection}`;
}

/** Spans of a view as plain text for a format, untrusted text through `escapeText`. */
function textOf(spans: readonly Span[], escapeText: (text: string) => string): string {
  return spans.map((span) => (span.untrusted ? escapeText(span.text) : span.text)).join('');
}

/** A non-call event as one entry: time, type, then its detail; long messages wrap under the detail. */
function renderEventLinePretty(view: EventLineView, ctx: FlowContext): string {
  const c = ctx.colors;
  const prefix = `${view.time}  ${view.type.padEnd(typeColumn)}  `;
  const tones = { good: c.green, bad: c.red } as const;
  const detail: TextSpan[] = [
    { text: `${textOf(view.who, escapeTerminal)}  ` },
    ...view.what.map((span) => ({
      text: span.untrusted ? visible(span.text) : span.text,
      style: span.tone === 'good' || span.tone === 'bad' ? tones[span.tone] : undefined,
    })),
  ];
  if (view.message !== undefined) {
    // Hint: pushAll, not push(...): --grep may light up more matches in a message than a call takes arguments.
    detail.push({ text: '"', style: c.dim });
    pushAll(
      detail,
      blankOnly.test(view.message) ? [{ text: textApart(view.message) }] : highlightSpans(view.message, ctx),
    );
    detail.push({ text: '"', style: c.dim });
  }
  // Hint: in brackets, not after a `·`: a closing mark is glued to the word before it, and a long
  // one (a link) then broke the mark in two.
  if (view.redelivered) detail.push({ text: '  ' }, { text: '(redelivered)', style: c.yellow, keep: true });
  if (view.conflict) detail.push({ text: '  ' }, { text: `(${conflictMark})`, style: c.yellow, keep: true });
  // Hint: continuation lines align under the detail when that leaves room for text, else indent a little.
  const hanging = prefix.length <= ctx.width / 2 ? ' '.repeat(prefix.length) : '    ';
  return join(
    wrapSpans([...keepingTimes(prefix, c.dim), ...detail], {
      width: ctx.width,
      indent: hanging,
      firstIndent: '',
    }),
  );
}

/** Any event for a terminal: a call result as a block, the others as one entry. */
export function renderEventPretty(event: WebhookEvent, ctx: FlowContext, note: EventNote = {}): string {
  return renderEvent(event, ctx, 'pretty', note);
}

/** A call status in Markdown, one the platform does not document marked so in words (see `statusBadge`). */
function markdownStatus(status: string): string {
  if (isCallStatus(status)) return status;
  const shown = status === '' ? markdownNote(ownNotes.empty) : markdownMarkupEscaped(textApart(status));
  return `${shown} ${undocumented}`;
}

/** A space separator (Unicode Zs): what a question loses at its ends in Markdown. */
const spaceSeparator = /\p{Zs}/u;

/** Markdown's lines are laid out as Markdown reads them (see `WrapOptions.markdown`). */
const markdown = true;

/** A call result as Markdown for a ticket: a heading, a field list, numbered steps with quoted transcripts. */
function renderCallMarkdown(view: CallView, ctx: FlowContext): string {
  const { width } = ctx;
  const wrap = (text: string, indent: string, firstIndent = indent) =>
    wrapSpans(keepingTimes(text), { width, indent, firstIndent, markdown });
  const md = (text: string) => escapeMarkdown(text);
  const lines: string[] = [];
  // Hint: not wrapped: a Markdown heading is one line, and a second would be a paragraph.
  lines.push(`### ${markdownStatus(view.status)}: ${visibleMarkdown(view.name)} (${md(view.phone)})`, '');
  // Hint: an id's code span is never broken inside, however long: Markdown finds blocks before
  // code spans, so a wrapped line of it that began `# y` or `- y` was a heading or a list item.
  // A UUID has no blank to break at anyway, so it wraps as it always did.
  const code = (id: string): TextSpan => ({ text: markdownCode(id), keep: 'always' });
  const fields: Array<[string, TextSpan[]]> = [
    ['Campaign', [code(view.campaignId)]],
    ['Started', keepingTimes(view.started + (view.queued ? ` (${view.queued})` : ''))],
  ];
  if (view.correlationId) fields.push(['Correlation', [code(view.correlationId)]]);
  if (view.eventId) {
    const mark = view.redelivered ? ' (redelivered)' : view.conflict ? ` (${conflictMark})` : '';
    fields.push(['Event', [code(view.eventId), ...keepingTimes(mark)]]);
  }
  if (view.requests.length > 0) {
    fields.push(['Requests', keepingTimes(view.requests.map((r) => describeRequest(r, md)).join(', '))]);
  }
  if (view.stopped) {
    const { step, question } = view.stopped;
    fields.push([
      'Stopped at',
      keepingTimes(
        step === undefined ? `${visibleMarkdown(question)} ${notInFlow}` : `step ${step}, ${visibleMarkdown(question)}`,
      ),
    ]);
  }
  if (view.outcome !== undefined) fields.push(['Outcome', keepingTimes(visibleMarkdown(view.outcome))]);
  for (const [label, value] of fields) {
    pushAll(
      lines,
      wrapSpans([{ text: `- **${label}:** ` }, ...value], { width, indent: '  ', firstIndent: '', markdown }),
    );
  }
  lines.push('');
  if (view.steps.length === 0) lines.push('_No conversation._');
  view.steps.forEach((step, index) => {
    const number = `${index + 1}. `;
    const indent = ' '.repeat(number.length);
    // Hint: `**` next to a blank is not emphasis in Markdown but two asterisks shown; blanks left out.
    // Hint: by blankEnds' loop: `/\p{Zs}+$/` is quadratic on a run of spaces before another character.
    const text = md(step.question);
    const { start, end } = blankEnds(text, (unit) => spaceSeparator.test(unit));
    const question = text.slice(start, end);
    // Hint: a question that is nothing, or blanks alone, is said so, not bold.
    const asked = question === '' ? `${visibleMarkdown(step.question)} ` : `**${question}** `;
    pushAll(lines, wrap(`${asked}→ ${visibleMarkdown(step.response)}`, indent, number));
    if (step.transcript !== undefined) {
      const blank = blankTranscript(step.transcript);
      const said =
        blank !== undefined
          ? markdownNote(blank)
          : readsAsOwnNote(step.transcript)
            ? markdownMarkupEscaped(textApart(step.transcript))
            : escapeMarkdown(step.transcript, true);
      pushAll(lines, wrap(said, `${indent}> `));
    }
  });
  return join(lines);
}

/** A non-call event as one Markdown list item. */
function renderEventLineMarkdown(view: EventLineView, ctx: FlowContext): string {
  const md = (text: string) => escapeMarkdown(text);
  let detail = `${textOf(view.who, md)} · ${textOf(view.what, visibleMarkdown)}`;
  if (view.message !== undefined) {
    detail += `“${blankOnly.test(view.message) ? markdownMarkupEscaped(textApart(view.message)) : md(view.message)}”`;
  }
  if (view.redelivered) detail += ' · _redelivered_';
  if (view.conflict) detail += ` · _${conflictMark}_`;
  const text = `- ${view.time} · **${view.type}** · ${detail}`;
  return join(wrapSpans(keepingTimes(text), { width: ctx.width, indent: '  ', firstIndent: '', markdown }));
}

/** Any event as Markdown. */
export function renderEventMarkdown(event: WebhookEvent, ctx: FlowContext, note: EventNote = {}): string {
  return renderEvent(event, ctx, 'markdown', note);
}

/** One element of a JSON array, indented by two spaces, safe for a terminal. */
export function renderJsonElement(value: unknown, first: boolean): string {
  const text = toSafeJson(value).replaceAll('\n', '\n  ');
  return `${first ? '' : ',\n'}  ${text}`;
}

/** Any JSON value, pretty-printed and safe for a terminal. */
export function renderJson(value: unknown): string {
  return `${toSafeJson(value)}\n`;
}

/** The heading of a trace as every format shows it, built once: payload text raw (each renderer escapes it). */
export interface TraceHeaderView {
  correlationId: string;
  /** How many events the trace holds, each once, but conflicting copies. */
  events: number;
  /** How many events had the id of one read before them, with other content (each shown in full). */
  conflicts: number;
  /** How many copies of them came again (the same event id and content). */
  redeliveries: number;
  /** When the first event happened, as `formatTime` writes it. */
  from?: string | undefined;
  /** When the last event happened, unless at the first one's instant. */
  to?: string | undefined;
  /** The campaigns of the events, each once (in any case), as first written, in order. */
  campaignIds: readonly string[];
  /** The customer's phones (of calls, attempts and callbacks), each once, in order. */
  phones: readonly string[];
}

/** An event of a trace as its heading counts it: a redelivery, or a conflicting copy (see core/copies), apart. */
type TraceHeaderEntry = { event: WebhookEvent } & Pick<EventNote, 'duplicate' | 'conflict'>;

/**
 * The view of a trace's heading: the correlationId, how many events over what span, the call's
 * campaign and phone; with `mask`, each phone masked once told apart, as `--mask` shows them.
 */
export function traceHeaderView(
  correlationId: string,
  entries: ReadonlyArray<TraceHeaderEntry>,
  mask = false,
): TraceHeaderView {
  const redeliveries = entries.filter((entry) => entry.duplicate === true).length;
  const conflicts = entries.filter((entry) => entry.conflict === true).length;
  const times = entries.map((entry) => eventTime(entry.event));
  const from = times[0] === undefined ? undefined : formatTime(times[0]);
  const last = times.at(-1);
  // Hint: compared as shown (to the second, in UTC): `…00:00:00Z` and `…10:00:00+10:00` are one,
  // and so are `00.100` and `00.900`.
  const to = last === undefined ? undefined : formatTime(last);
  const phones = new Set<string>();
  for (const { event } of entries) {
    if (event.type === 'CallComplete' || event.type === 'CallAttempted' || event.type === 'CallReceived') {
      phones.add(event.data.phone);
    }
  }
  // Hint: a UUID is the same whatever its case, as summarise counts a campaign; a Map: ids are payload text.
  const campaigns = new Map<string, string>();
  for (const { event } of entries) {
    const id = event.data.campaignId;
    if (!campaigns.has(id.toLowerCase())) campaigns.set(id.toLowerCase(), id);
  }
  return {
    correlationId,
    events: entries.length - redeliveries - conflicts,
    conflicts,
    redeliveries,
    from,
    to: to === from ? undefined : to,
    campaignIds: [...campaigns.values()],
    // Hint: masked after they are told apart: two phones ending alike are still two.
    phones: [...phones].map((phone) => (mask ? maskPhone(phone) : phone)),
  };
}

/**
 * The facts line of a trace's heading, the same in every format: `3 events · from … to … · campaign
 * … · phone …`, each campaign as long as tells it apart (`shortIdLength`), no shorter than its calls show it.
 */
function traceFacts(view: TraceHeaderView, ctx: FlowContext, escapeText: (text: string) => string): string {
  const counts = [plural(view.events, 'event')];
  if (view.conflicts > 0) counts.push(plural(view.conflicts, 'conflicting copy', 'conflicting copies'));
  if (view.redeliveries > 0) counts.push(plural(view.redeliveries, 'redelivery', 'redeliveries'));
  const facts = [`${counts.slice(0, -1).join(', ')}${counts.length > 1 ? ' and ' : ''}${counts.at(-1)}`];
  if (view.from !== undefined)
    facts.push(view.to === undefined ? `at ${view.from}` : `from ${view.from} to ${view.to}`);
  if (view.campaignIds.length > 0) {
    const length = shortIdLength(view.campaignIds, ctx.idLength);
    facts.push(`campaign ${view.campaignIds.map((id) => escapeText(id.slice(0, length))).join(', ')}`);
  }
  if (view.phones.length > 0) facts.push(`phone ${view.phones.map((phone) => escapeText(phone)).join(', ')}`);
  return facts.join(' · ');
}

function renderTraceHeaderPretty(view: TraceHeaderView, ctx: FlowContext): string {
  const { colors: c, width } = ctx;
  return join([
    ...wrapSpans(
      [
        { text: 'Trace ', style: c.bold },
        { text: escapeTerminal(view.correlationId), style: c.bold },
      ],
      { width },
    ),
    ...wrapSpans(keepingTimes(traceFacts(view, ctx, escapeTerminal), c.dim), { width }),
  ]);
}

function renderTraceHeaderMarkdown(view: TraceHeaderView, ctx: FlowContext): string {
  return join([
    `## Trace ${markdownCode(view.correlationId)}`,
    '',
    ...wrapSpans(keepingTimes(traceFacts(view, ctx, (text) => escapeMarkdown(text))), {
      width: ctx.width,
      markdown,
    }),
  ]);
}

/** The heading that names a file when several are shown. */
export interface FileHeadingView {
  /** The file's path as given (untrusted text). */
  file: string;
}

/**
 * `==> path <==` as head and tail print it. Hint: one unbroken line even when wider than the
 * terminal (as a URL is): the arrows are what tells the files apart, and a path split from them
 * (or shown without them) no longer reads as a heading.
 */
function renderFileHeadingPretty(view: FileHeadingView, ctx: FlowContext): string {
  return `${ctx.colors.bold(`==> ${escapeTerminal(view.file)} <==`)}\n`;
}

function renderFileHeadingMarkdown(view: FileHeadingView): string {
  return `## ${escapeMarkdown(view.file)}\n\n`;
}

/** A redelivered call result in a trace, as every format shows it: one line, since its flow was just shown in full. */
export interface RedeliveryView {
  status: string;
  /** The event's id, which the first delivery had too. */
  eventId?: string | undefined;
}

/** The view of a redelivered call result. */
export function redeliveryView(event: CallCompleteEvent): RedeliveryView {
  return { status: event.data.status, eventId: event.id };
}

/** `redelivered: call result 5b0e8d3f again (same event id)`, the same in every format: a copy, the same content too. */
function redeliveryText(view: RedeliveryView, escapeText: (text: string) => string): string {
  const id = view.eventId === undefined ? '' : ` ${escapeText(view.eventId.slice(0, 8))}`;
  return `redelivered: call result${id} again (same event id)`;
}

function renderRedeliveryPretty(view: RedeliveryView, ctx: FlowContext): string {
  return join(
    wrapSpans(
      [
        statusBadge(view.status, ctx.colors),
        { text: ' ' },
        { text: redeliveryText(view, escapeTerminal), style: ctx.colors.yellow },
      ],
      { width: ctx.width, indent: '    ', firstIndent: '  ' },
    ),
  );
}

function renderRedeliveryMarkdown(view: RedeliveryView, ctx: FlowContext): string {
  const md = (text: string) => escapeMarkdown(text);
  const text = `- **${markdownStatus(view.status)}** · _${redeliveryText(view, md)}_`;
  return join(wrapSpans([{ text }], { width: ctx.width, indent: '  ', firstIndent: '', markdown }));
}

/** The formats that show events to people (`json` writes the events themselves). */
export type FlowFormat = Exclude<ViewFormat, 'json'>;

/** How one format writes each view. */
interface FlowRenderer {
  call(view: CallView, ctx: FlowContext): string;
  eventLine(view: EventLineView, ctx: FlowContext): string;
  traceHeader(view: TraceHeaderView, ctx: FlowContext): string;
  fileHeading(view: FileHeadingView, ctx: FlowContext): string;
  redelivery(view: RedeliveryView, ctx: FlowContext): string;
}

// Hint: one record over every format, so that a new view or format does not compile until each format writes each view.
const renderers: Record<FlowFormat, FlowRenderer> = {
  pretty: {
    call: renderCallPretty,
    eventLine: renderEventLinePretty,
    traceHeader: renderTraceHeaderPretty,
    fileHeading: renderFileHeadingPretty,
    redelivery: renderRedeliveryPretty,
  },
  markdown: {
    call: renderCallMarkdown,
    eventLine: renderEventLineMarkdown,
    traceHeader: renderTraceHeaderMarkdown,
    fileHeading: renderFileHeadingMarkdown,
    redelivery: renderRedeliveryMarkdown,
  },
};

/** Any event in `format`: a call result as a block, the others as one entry. */
export function renderEvent(event: WebhookEvent, ctx: FlowContext, format: FlowFormat, note: EventNote = {}): string {
  return event.type === 'CallComplete'
    ? renderers[format].call(callView(event, note), ctx)
    : renderers[format].eventLine(eventLineView(event, note), ctx);
}

/**
 * The heading of a trace: the correlationId, how many events over what span, and the call's
 * campaign and phone (masked with `mask`: give the events unmasked, so that phones are told apart).
 */
export function renderTraceHeader(
  correlationId: string,
  entries: ReadonlyArray<TraceHeaderEntry>,
  ctx: FlowContext,
  format: FlowFormat = 'pretty',
  mask = false,
): string {
  return renderers[format].traceHeader(traceHeaderView(correlationId, entries, mask), ctx);
}

/** The line that names a file when several are shown: `==> path <==` as head and tail print it, or a Markdown heading. */
export function renderFileHeading(file: string, ctx: FlowContext, format: FlowFormat = 'pretty'): string {
  return renderers[format].fileHeading({ file }, ctx);
}

/**
 * The closing line of a trace read past invalid elements: the call's own events may be among them.
 * Hint: said in the trace too, not only in the warnings: a trace read alone (pasted, or stdout
 * only) would otherwise tell a story with a part cut off as if it were whole.
 */
export function renderSkippedNote(skipped: number, ctx: FlowContext, format: FlowFormat = 'pretty'): string {
  const note = `${plural(skipped, 'element')} of the input ${skipped === 1 ? 'was' : 'were'} skipped as invalid (see the warnings); this call's events may be among them.`;
  if (format === 'markdown') return `_${note}_\n`;
  const lines = wrapSpans([{ text: note, style: ctx.colors.yellow }], {
    width: ctx.width,
    firstIndent: '',
    indent: '',
  });
  return `${lines.join('\n')}\n`;
}

/** A redelivered call result in a trace: one line, since its flow was just shown in full. */
export function renderRedelivery(event: CallCompleteEvent, ctx: FlowContext, format: FlowFormat = 'pretty'): string {
  return renderers[format].redelivery(redeliveryView(event), ctx);
}
