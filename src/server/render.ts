/**
 * What `callhook listen` shows, as strings: the start-up line, one line per delivery (or one
 * NDJSON object), the events drawn by show's renderer, and the counts at the end. Paths, ids and
 * messages come from the sender and are escaped; no header value is ever shown, so no secret is.
 */
import type { ChalkInstance } from 'chalk';
import { isoOf } from '../core/instant.js';
import { reportedKinds } from '../core/summary-report.js';
import { maskPayload, maskPhonesInText } from '../core/timeline.js';
import type { VerifyResult } from '../http/verify.js';
import { type FlowContext, renderEventPretty } from '../render/flow.js';
import {
  displayWidth,
  escapeJsonForTerminal,
  escapeTerminal,
  type TextSpan,
  warningLine,
  wrapSpans,
} from '../render/terminal.js';
import { advisedMessage } from '../render/validation.js';
import { grouped, plural } from '../render/words.js';
import { pointerExcerpt } from '../schema/check.js';
import { problemJson, problemsKept } from './body-events.js';
import type { Delivery, ListenCounts } from './listen.js';

/**
 * The events of a delivery by type, in the order summaries list types (`reportedKinds`), not as
 * they arrived: two deliveries of one mix read alike.
 */
function eventsByType(delivery: Delivery): Record<string, number> {
  const seen = new Map<string, number>();
  for (const { event } of delivery.events) seen.set(event.type, (seen.get(event.type) ?? 0) + 1);
  const counts: Record<string, number> = {};
  for (const kind of reportedKinds) {
    const count = seen.get(kind);
    if (count !== undefined) counts[kind] = count;
  }
  return counts;
}

// Hint: a loaded listen draws thousands of lines a second, nearly all in the same second, so the
// last second drawn is kept rather than a Date built and formatted per line.
let clockSecond = Number.NaN;
let clockText = '';

/** The time of day of `time`, in UTC, said: `HH:MM:SSZ` (the date is in the JSON line's `time`). */
function clock(time: number): string {
  const second = Math.floor(time / 1000);
  if (second !== clockSecond) {
    clockSecond = second;
    clockText = `${isoOf(second * 1000).slice(11, 19)}Z`;
  }
  return clockText;
}

/** The answer's colour: green 2xx, yellow 4xx (and 3xx), red 5xx and a reset. */
function statusStyle(status: Delivery['status'], c: ChalkInstance): TextSpan['style'] {
  if (status === 'reset') return c.red;
  return status < 300 ? c.green : status < 500 ? c.yellow : c.red;
}

/**
 * `2 CallComplete`, `1,117 SMSSent`: the events by type, each with its count (grouped as every count), most frequent first (a
 * sort that keeps equals in `eventsByType`'s order).
 */
function typeCounts(delivery: Delivery): string[] {
  const events = delivery.events;
  // Hint: a delivery is nearly always of one type; it needs no counting or sorting.
  const first = events[0]?.event.type;
  if (events.every(({ event }) => event.type === first)) return [`${grouped(events.length)} ${first}`];
  return Object.entries(eventsByType(delivery))
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${grouped(n)} ${t}`);
}

/** Where a delivery's wrapped lines continue: under what follows the time. */
const deliveryIndent = ' '.repeat(10);

/**
 * One line for a delivery: time, answer, method and path, events by type, webhook-id, signature,
 * marks and where it was captured; wrapped to `width` (under what follows the time) when longer.
 */
export function renderDeliveryLine(delivery: Delivery, c: ChalkInstance, width = Number.POSITIVE_INFINITY): string {
  const spans: TextSpan[] = [
    { text: clock(delivery.time), style: c.dim },
    { text: '  ' },
    { text: String(delivery.status), style: statusStyle(delivery.status, c) },
  ];
  const add = (text: string, style?: TextSpan['style'], keep = false) =>
    spans.push({ text: '  ' }, { text, style, keep });
  const { upstreamStatus, meantStatus, checkedStatus } = delivery;
  if (upstreamStatus !== undefined || meantStatus !== undefined || checkedStatus !== undefined) {
    let others = upstreamStatus === undefined ? '' : `upstream: ${upstreamStatus}`;
    if (meantStatus !== undefined) others += `${others && ', '}meant: ${meantStatus}`;
    if (checkedStatus !== undefined) others += `${others && ', '}checks: ${checkedStatus}`;
    add(`(${others})`, c.dim);
  }
  // A head node:http could not read has no request line.
  if (delivery.method !== '' || delivery.path !== '') {
    add(`${escapeTerminal(delivery.method)} ${escapeTerminal(delivery.path)}`);
  }
  // Hint: each count stays with its noun (`1 CallComplete`) when the line wraps.
  const count = delivery.events.length;
  // Hint: a body refused on its signature is not read for events; the failure is named below.
  const unread = delivery.signature?.ok === false;
  if (!unread && (count > 0 || delivery.bytes > 0 || delivery.status !== 405)) {
    add(plural(count, 'event'), undefined, true);
  }
  if (count > 0) {
    typeCounts(delivery).forEach((text, index) => {
      spans.push({ text: index === 0 ? ' (' : ', ' }, { text, keep: true });
    });
    spans.push({ text: ')' });
  }
  if (delivery.invalid > 0) add(`${delivery.invalid} invalid`, c.yellow, true);
  if (delivery.webhookId !== undefined) {
    const count = delivery.webhookIdCount;
    add(`id ${escapeTerminal(delivery.webhookId)}${count === undefined ? '' : ` (webhook-id given ${count} times)`}`);
  }
  if (delivery.signature) {
    if (delivery.signature.ok)
      add(delivery.signature.warning ? 'signature ok (warning below)' : 'signature ok', c.green);
    else add(`signature ${delivery.signature.reason}`, c.red);
  }
  if (isRedelivery(delivery)) add('↻ redelivery', c.cyan);
  // A signature's failure is already named above.
  if (delivery.error !== undefined && !delivery.error.startsWith('signature'))
    add(escapeTerminal(delivery.error), c.dim);
  if (delivery.captured) add(`→ ${delivery.captured}`, c.dim);
  return lineOf(spans, width, deliveryIndent);
}

/**
 * Spans as one line after `firstIndent`, or wrapped to `width` under `indent` when longer; the
 * first `whole` spans (verify's name) are never broken, since a name cut in two cannot be copied:
 * wider than the line, they are a line of their own. Hint: such a line nearly always fits; it is
 * measured once and wrapped only when not.
 */
function lineOf(spans: readonly TextSpan[], width: number, indent: string, whole = 0, firstIndent = ''): string {
  let plain = '';
  for (const span of spans) plain += span.text;
  if (width === Number.POSITIVE_INFINITY || displayWidth(plain) + firstIndent.length <= width) {
    return `${firstIndent}${styled(spans)}\n`;
  }
  const head = spans.slice(0, whole);
  // Hint: a head no wider than the line is never broken: the greedy wrap fills the first line from it.
  if (displayWidth(head.map((span) => span.text).join('')) <= width) {
    return `${wrapSpans(spans, { width, indent, firstIndent }).join('\n')}\n`;
  }
  return `${firstIndent}${styled(head)}\n${wrapSpans(spans.slice(whole), { width, indent }).join('\n')}\n`;
}

/** Spans joined, each in its style. */
function styled(spans: readonly TextSpan[]): string {
  let line = '';
  for (const span of spans) line += span.style ? span.style(span.text) : span.text;
  return line;
}

/**
 * The problems of a refused delivery (a few at most), or the warning on a signature that holds,
 * each indented under its line and wrapped to `width`, its later lines two columns deeper.
 */
export function renderDeliveryProblems(delivery: Delivery, c: ChalkInstance, width = Number.POSITIVE_INFINITY): string {
  const limit = 3;
  const signature = delivery.signature;
  const said = signature?.ok === false ? signature.message : signature?.warning && `warning: ${signature.warning}`;
  if (delivery.problems.length === 0 && said === undefined) return '';
  let text = '';
  const problemLine = (spans: TextSpan[]) => {
    text += lineOf(spans, width, problemIndent, 0, '  ');
  };
  if (said !== undefined) problemLine([{ text: escapeTerminal(said), style: signature?.ok ? c.yellow : c.red }]);
  for (const problem of delivery.problems.slice(0, limit)) {
    const at = problem.pointer ? `${pointerExcerpt(problem.pointer)} ` : '';
    problemLine([
      { text: `${problem.line}:${problem.column}`, style: c.dim },
      { text: ` ${escapeTerminal(at + advisedMessage(problem))}` },
    ]);
  }
  const more = delivery.problems.length - limit + (delivery.omittedProblems ?? 0);
  if (more > 0) text += `${c.dim(`  … and ${more} more`)}\n`;
  return text;
}
/**
 * Deliveries drawn by `draw`, one after another, and what `draw` failed on (a renderer's bug): a
 * warning for each, naming the delivery and why, in place of its lines. Hint: a delivery is
 * answered and captured before it is drawn, so drawing one can cost its lines, never the server:
 * an error thrown from the drawing, outside any request, would end listen.
 */
export function drawDeliveries(
  deliveries: readonly Delivery[],
  draw: (delivery: Delivery) => string,
): { text: string; failures: string[] } {
  let text = '';
  const failures: string[] = [];
  for (const delivery of deliveries) {
    try {
      text += draw(delivery);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const captured = delivery.captured ? ` and captured as ${delivery.captured}` : '';
      failures.push(
        `${clock(delivery.time)} ${delivery.method} ${delivery.path}: could not show this delivery (internal error: ${why}); it was answered ${delivery.status}${captured}`,
      );
    }
  }
  return { text, failures };
}

/** Under a problem's text, past its own indent. */
const problemIndent = ' '.repeat(4);

/** The delivery's events drawn as `show` draws them, indented by nothing. */
export function renderDeliveryEvents(delivery: Delivery, ctx: FlowContext): string {
  return delivery.events.map(({ event, duplicate }) => renderEventPretty(event, ctx, { duplicate })).join('');
}

/**
 * A delivery as `--mask` shows it, in either format: its events masked as `show --mask` masks
 * them, and a number in its path (`/hook/61491573087?to=…`), its `webhook-id`, its capture's
 * name, or quoted by a problem, a signature's failure or an error masked as show masks its warnings.
 */
export function maskedDelivery(delivery: Delivery): Delivery {
  const { signature, webhookId, error, captured } = delivery;
  const masked = (text: string | undefined) => (text === undefined ? undefined : maskPhonesInText(text));
  return {
    ...delivery,
    // Hint: a method is the sender's text too (`curl -X X61400318857`), shown beside the path.
    method: maskPhonesInText(delivery.method),
    path: maskPhonesInText(delivery.path),
    webhookId: masked(webhookId),
    error: masked(error),
    captured: masked(captured),
    signature: signature?.ok === false ? { ...signature, message: maskPhonesInText(signature.message) } : signature,
    events: delivery.events.map((delivered) => ({ ...delivered, event: maskPayload(delivered.event) })),
    problems: delivery.problems.map((problem) => ({
      ...problem,
      pointer: maskPhonesInText(problem.pointer),
      message: maskPhonesInText(problem.message),
    })),
  };
}

/** Whether a delivery is marked `↻ redelivery`: its webhook-id, or an event id of it, was seen before. */
export function isRedelivery(delivery: Delivery): boolean {
  return delivery.repeatedWebhookId || delivery.repeatedEvents > 0;
}

/** A delivery as one NDJSON line; untrusted strings are JSON-escaped, which keeps them on one line. */
export function renderDeliveryJson(delivery: Delivery): string {
  const signature = delivery.signature
    ? delivery.signature.ok
      ? { ok: true, secret: delivery.signature.secretIndex + 1, warning: delivery.signature.warning }
      : { ok: false, reason: delivery.signature.reason, message: delivery.signature.message }
    : undefined;
  return `${escapeJsonForTerminal(
    JSON.stringify({
      kind: 'delivery',
      time: isoOf(delivery.time),
      status: delivery.status,
      upstreamStatus: delivery.upstreamStatus,
      meantStatus: delivery.meantStatus,
      checkedStatus: delivery.checkedStatus,
      method: delivery.method,
      path: delivery.path,
      bytes: delivery.bytes,
      webhookId: delivery.webhookId,
      webhookIdCount: delivery.webhookIdCount,
      signature,
      events: delivery.events.length,
      types: eventsByType(delivery),
      eventIds: delivery.events.map(({ event }) => event.id ?? null),
      invalid: delivery.invalid,
      redelivery: isRedelivery(delivery),
      repeatedWebhookId: delivery.repeatedWebhookId,
      repeatedEvents: delivery.repeatedEvents,
      error: delivery.error,
      problems: delivery.problems.slice(0, problemsKept).map(problemJson),
      captured: delivery.captured,
    }),
  )}\n`;
}

/** The warning that `host` (not a loopback address) lets other machines deliver, wrapped to `width`. */
export function renderExposedWarning(host: string, width: number): string {
  return warningLine(
    `listening on ${host}, reachable from other machines; deliveries are not authenticated unless --sign is given`,
    width,
  );
}

/** `listen --format json`'s first line: where it listens, and where it captures. */
export function renderListeningJson(listening: { url: string; port: number; out: string | undefined }): string {
  return `${escapeJsonForTerminal(JSON.stringify({ kind: 'listening', ...listening }))}\n`;
}

/** The counts printed when listen stops, wrapped to `width`. */
export function renderCounts(counts: ListenCounts, width = Number.POSITIVE_INFINITY): string {
  const statuses = Object.entries(counts.byStatus)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([status, n]) => `${grouped(n)} × ${status}`);
  const parts = [plural(counts.events, 'event')];
  if (counts.repeatedWebhookIds > 0) parts.push(plural(counts.repeatedWebhookIds, 'repeated webhook-id'));
  if (counts.repeatedEventIds > 0) parts.push(plural(counts.repeatedEventIds, 'repeated event id'));
  if (counts.captured > 0) parts.push(`${grouped(counts.captured)} captured`);
  // Each count is kept with what it counts when the line wraps.
  const listed = (items: string[]): TextSpan[] =>
    items.flatMap((text, i) => (i === 0 ? [{ text, keep: true }] : [{ text: ', ' }, { text, keep: true }]));
  // Hint: the answers right after the requests they count, not after "captured", which counts
  // fewer (a 413's body, say, is not kept).
  const spans: TextSpan[] = [{ text: 'stopped: ' }, { text: plural(counts.requests, 'request'), keep: true }];
  if (statuses.length > 0) spans.push({ text: ' (' }, ...listed(statuses), { text: ')' });
  spans.push({ text: ', ' }, ...listed(parts));
  return `${wrapSpans(spans, { width, indent: '  ', firstIndent: '' }).join('\n')}\n`;
}

/** One verified delivery: where it came from and what the check said. */
export interface VerifiedDelivery {
  name: string;
  webhookId: string | undefined;
  /**
   * The signature's verdict, or `body-changed`: the captured body is not the one listen saved; or
   * `body-unreadable`: the captured body cannot be read (an I/O error, or no regular file), so
   * its signature is not checked; or `not-captured`: bytes of a capture folder's event files that
   * no description names, or a description of a body another describes already.
   */
  result:
    | VerifyResult
    | {
        ok: false;
        reason: 'body-changed' | 'body-unreadable' | 'not-captured';
        message: string;
        skewSeconds?: undefined;
      };
  /** For a run of an `.ndjson` file's lines no description names (`file.ndjson:4-6`): how many, each a body not captured. */
  lines?: number | undefined;
}

/**
 * `verify`'s line for one delivery: ok with the secret that matched, or FAIL with exactly why;
 * wrapped to `width` (under the name) when longer.
 */
export function renderVerifyLine(
  verified: VerifiedDelivery,
  c: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
): string {
  const result = verified.result;
  const spans: TextSpan[] = [
    result.ok ? { text: 'ok  ', style: c.green } : { text: 'FAIL', style: c.red },
    { text: '  ' },
    { text: escapeTerminal(verified.name) },
  ];
  if (verified.webhookId !== undefined) spans.push({ text: '  ' }, { text: escapeTerminal(verified.webhookId) });
  if (!result.ok) {
    spans.push({ text: '  ' }, { text: `${result.reason}: ${escapeTerminal(result.message)}` });
    return lineOf(spans, width, verifyIndent, 3);
  }
  const secret = { text: `secret #${result.secretIndex + 1}`, style: c.dim };
  // A warning (receivers elsewhere would not agree) goes on a line of its own under the name.
  const warned =
    result.warning === undefined
      ? ''
      : lineOf([{ text: `warning: ${result.warning}`, style: c.yellow }], width, verifyIndent, 0, verifyIndent);
  const line = lineOf([...spans, { text: '  ' }, secret], width, verifyIndent, 3);
  // Hint: "secret #1" is one verdict; wrapped between its words, its number stood alone under the name.
  if (line.indexOf('\n') === line.length - 1) return line + warned;
  return `${lineOf(spans, width, verifyIndent, 3)}${verifyIndent}${styled([secret])}\n${warned}`;
}
/** Under the name, after `FAIL  `. */
const verifyIndent = ' '.repeat(6);

/** `verify --format json`: one line per delivery. */
export function renderVerifyJson(verified: VerifiedDelivery): string {
  const result = verified.result;
  const verdict = result.ok
    ? { ok: true, secret: result.secretIndex + 1, warning: result.warning }
    : { ok: false, reason: result.reason, message: result.message, skewSeconds: result.skewSeconds };
  const { name: file, webhookId, lines } = verified;
  return `${escapeJsonForTerminal(JSON.stringify({ file, webhookId, ...verdict, lines }))}\n`;
}

/** `verify`'s closing line, wrapped to `width` with its later lines indented, each count with its noun. */
export function renderVerifyTotals(
  {
    checked,
    failed,
    unreadable = 0,
    unreadableBodies = 0,
    undescribed = 0,
  }: { checked: number; failed: number; unreadable?: number; unreadableBodies?: number; undescribed?: number },
  c: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
): string {
  const style = failed === 0 ? c.green : c.red;
  const spans: TextSpan[] = [
    { text: `${grouped(checked - failed)} of ${plural(checked, 'signature')} valid`, style, keep: true },
  ];
  if (failed > 0) spans.push({ text: ', ', style }, { text: `${grouped(failed)} failed`, style, keep: true });
  if (undescribed > 0)
    spans.push(
      { text: '; ', style: c.red },
      { text: `${grouped(undescribed)} not captured`, style: c.red, keep: true },
    );
  /** The deliveries not checked, `count` of them, since their `one`s (`many`s) could not be read. */
  const unchecked = (count: number, one: string, many: string) => {
    if (count === 0) return;
    const why = ` not checked (${count === 1 ? `its ${one}` : `their ${many}`} unreadable)`;
    spans.push(
      { text: '; ', style: c.yellow },
      { text: plural(count, 'delivery', 'deliveries'), style: c.yellow, keep: true },
      { text: why, style: c.yellow },
    );
  };
  unchecked(unreadable, 'description', 'descriptions');
  unchecked(unreadableBodies, 'body', 'bodies');
  return `\n${lineOf(spans, width, '  ')}`;
}
