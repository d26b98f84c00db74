/** Strings for `callhook replay`: the progress line, the final summary, and dry-run requests. */
import { isUtf8 } from 'node:buffer';
import type { ChalkInstance } from 'chalk';
import { isSecretHeader, redactHeaders, redactUrl, secretHeaderVariable } from '../http/credentials.js';
import type { UnjournalledBatch } from '../http/deliver.js';
import type { ProgressSnapshot, ReplayReport } from '../http/stats.js';
import { excerpt } from '../schema/names.js';
import { invisible } from './escape.js';
import { escapeJsonForTerminal, escapeTerminal, pushAll, type TextSpan, wrapSpans } from './terminal.js';
import { formatDuration, grouped, plural } from './words.js';

/** A duration as `12.3 s`, then as every command writes one (`9m 58s`, `1h 05m`). Hint: rounded once, to what is shown, so no `60.0 s`. */
function seconds(ms: number): string {
  const tenths = Math.round(ms / 100);
  return tenths < 600 ? `${(tenths / 10).toFixed(1)} s` : formatDuration(ms);
}

/**
 * The batches of the whole input: exact once it is read, else estimated from the bytes read so
 * far (the batches read are that fraction of all), else undefined.
 */
function batchTotal(p: ProgressSnapshot): { total: number; exact: boolean } | undefined {
  if (p.inputEnded) return { total: p.read, exact: true };
  if (p.fractionRead === undefined || p.fractionRead <= 0 || p.read === 0) return undefined;
  return { total: Math.max(p.read, Math.round(p.read / p.fractionRead)), exact: false };
}

/**
 * How far the run is, 0..1, or undefined when the total is not known yet: the batches done out
 * of the total the count beside the bar shows, so the two agree.
 */
export function progressFraction(p: ProgressSnapshot): number | undefined {
  const estimate = batchTotal(p);
  if (!estimate) return undefined;
  return estimate.total === 0 ? 1 : Math.min(1, p.done / estimate.total);
}

/**
 * A request rate as the progress line and the summary both show it: to a tenth below 10 a second,
 * so a slow run (`--rate 0.2`) does not read `0 req/s` as stuck, to two figures below a twentieth
 * (`--rate 0.04`); whole, grouped, above.
 */
export function requestRateText(perSecond: number): string {
  if (perSecond > 0 && perSecond < 0.05) return `${Number(perSecond.toPrecision(2))} req/s`;
  const tenths = Math.round(perSecond * 10);
  return tenths < 100 ? `${(tenths / 10).toFixed(1)} req/s` : `${grouped(Math.round(perSecond))} req/s`;
}

function counts(
  p: ProgressSnapshot,
  red: (text: string) => string = (text) => text,
  yellow: (text: string) => string = (text) => text,
): string {
  // `22/24` once the input is read, `22/~96` while estimated, `22/24+` with no estimate (stdin).
  const estimate = batchTotal(p);
  const total = !estimate ? `${p.read}+` : estimate.exact ? String(estimate.total) : `~${estimate.total}`;
  const rate = requestRateText(p.elapsedMs > 0 ? (p.requests / p.elapsedMs) * 1000 : 0);
  const errors = plural(p.errors, 'error');
  const paused = (p.pausedMs ?? 0) >= 1000 ? `  paused ${seconds(p.pausedMs ?? 0)} (Retry-After)` : '';
  const retrying = p.retrying > 0 || paused ? `  ${yellow(`${p.retrying} retrying${paused}`)}` : '';
  return `${p.done}/${total} batches  ${rate}  ${p.errors > 0 ? red(errors) : errors}${retrying}`;
}

/**
 * How long the rest will take at the pace of the time spent sending (a Retry-After's pause left
 * out), and no sooner than `--rate` lets the batches left start (the first goes at once, whose pace
 * is no run's); none while a pause holds the run, whose end the receiver decides (it is shown instead).
 */
function eta(p: ProgressSnapshot): string {
  const fraction = progressFraction(p);
  if (fraction === undefined || fraction <= 0 || fraction >= 1 || (p.pausedMs ?? 0) > 0) return '';
  const sending = p.elapsedMs - (p.pausedSoFarMs ?? 0);
  const left = (batchTotal(p)?.total ?? p.done) - p.done;
  const paced = p.rate === undefined ? 0 : (left * 1000) / p.rate;
  return `  ETA ${seconds(Math.max(paced, (sending * (1 - fraction)) / fraction))}`;
}

/** The live progress bar for a terminal `columns` wide (no newline; the caller redraws it). */
export function renderProgressBar(p: ProgressSnapshot, columns: number, c: ChalkInstance): string {
  const plain = counts(p);
  // Hint: the ETA goes before the line is cut, which left "ETA " without its time.
  const left = plain.length + eta(p).length < columns ? eta(p) : '';
  const text = `${plain}${left}`;
  const fraction = progressFraction(p);
  const room = columns - text.length - 4;
  if (text.length >= columns) return text.slice(0, Math.max(0, columns - 1));
  if (fraction === undefined || room < 10) return `${counts(p, c.red, c.yellow)}${left}`;
  const width = Math.min(40, room);
  const filled = Math.round(width * Math.min(1, fraction));
  const bar = `${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))}`;
  return `${bar} ${counts(p, c.red, c.yellow)}${left}`;
}

/** One plain progress line, for when stderr is not a terminal. */
export function renderProgressLine(p: ProgressSnapshot): string {
  return `replay: ${counts(p)}, ${p.delivered} delivered, ${seconds(p.elapsedMs)}${eta(p)}`;
}

const listed = 20;

/**
 * The summary printed at the end of a run; a batch not delivered and why wrap to `width` columns.
 * `journal`: the journal to resume the run with; null when there is none, though the run had one
 * (deleted during it: stderr says what to do instead). `readFailed`: reading the input stopped the run, which `--resume` cannot get past. `unrecorded`:
 * the batches delivered whose line the journal could not take (see `renderUnjournalled`), which
 * `--resume` sends again.
 */
export function renderReplaySummary(
  report: ReplayReport,
  c: ChalkInstance,
  journal?: string | null,
  width = Number.POSITIVE_INFINITY,
  readFailed = false,
  unrecorded = 0,
): string {
  const { batches: b, events: e } = report;
  const lines: string[] = [];
  // Hint: every line wraps to the width, its later lines indented; a labelled one under its column.
  const wrapped = (spans: TextSpan[], firstIndent = '', indent = '  ') =>
    pushAll(lines, wrapSpans(spans, { width, firstIndent, indent }));
  const counted = (label: string, spans: TextSpan[]) => wrapped(spans, label, ' '.repeat(label.length));
  wrapped([
    {
      text: `Replayed to ${report.method} ${escapeTerminal(report.url)} in ${seconds(report.durationMs)}`,
      style: c.bold,
    },
  ]);
  const n = (value: number, style: (s: string) => string): TextSpan => ({
    text: grouped(value),
    style: value > 0 ? style : undefined,
  });
  const outcomes = (o: { delivered: number; failed: number; undelivered: number; notSent: number }): TextSpan[] => [
    n(o.delivered, c.green),
    { text: ' delivered, ' },
    n(o.failed, c.red),
    { text: ' failed, ' },
    n(o.undelivered, c.yellow),
    { text: ' undelivered' },
    ...(o.notSent ? [{ text: ', ' }, n(o.notSent, c.yellow), { text: ' not sent' }] : []),
  ];
  counted('  batches   ', [
    ...outcomes(b),
    {
      text: `${b.resumed ? `, ${grouped(b.resumed)} already delivered (resumed)` : ''}, ${grouped(b.retried)} retried`,
    },
  ]);
  counted('  events    ', [
    ...outcomes(e),
    { text: e.resumed ? `, ${grouped(e.resumed)} resumed` : '' },
    ...(e.invalid ? [{ text: ', ' }, n(e.invalid, c.yellow), { text: ' invalid (skipped)' }] : []),
  ]);
  if (report.inputProblems) {
    const count = report.inputProblems;
    counted('  input     ', [
      { text: plural(count, 'syntax problem'), style: c.yellow },
      { text: ' between events (listed above)' },
    ]);
  }
  if (report.unreadableFiles.length) {
    const count = report.unreadableFiles.length;
    counted('  not read  ', [
      { text: plural(count, 'file'), style: c.red },
      {
        text: ` read up to where ${count === 1 ? 'it is' : 'they are'} not text (binary, compressed or UTF-16) or could not be read further, nothing sent from there on; stderr says where and why`,
      },
    ]);
  }
  counted('  requests  ', [
    {
      // Hint: no rate from fewer than two starts apart; 0.0 req/s would say the run stood still.
      text: `${grouped(report.requests)} (${grouped(report.retries)} retries)${report.requestRate > 0 ? `, ${requestRateText(report.requestRate)}` : ''}`,
    },
  ]);
  // Hint: a status and its count (`503 ×400`), a percentile and its time (`p95 12 ms`) stay on one line.
  const apart = (items: TextSpan[]): TextSpan[] =>
    items.flatMap((item, i) => [...(i > 0 ? [{ text: '  ' }] : []), { ...item, keep: true }]);
  const histogram = Object.entries(report.statusCodes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, count]) => ({
      text: `${code} ×${grouped(count)}`,
      style: /^2\d\d$/.test(code) ? c.green : /^[45]\d\d$/.test(code) ? c.red : c.yellow,
    }));
  if (histogram.length) counted('  status    ', apart(histogram));
  const l = report.latencyMs;
  if (l) {
    counted(
      '  latency   ',
      apart((['p50', 'p95', 'p99', 'max'] as const).map((name) => ({ text: `${name} ${l[name]} ms` }))),
    );
  }

  if (report.undelivered.length) {
    lines.push('', c.bold('Not delivered:'));
    for (const u of report.undelivered.slice(0, listed)) {
      const spans = [{ text: `${escapeTerminal(u.source)}  ` }, { text: u.status, style: c.red }];
      spans.push({ text: `  ${escapeTerminal(u.reason)}` });
      wrapped(spans, '  ', '    ');
    }
    const more = b.failed + b.undelivered - Math.min(listed, report.undelivered.length);
    if (more > 0) {
      wrapped(
        [{ text: `… and ${grouped(more)} more${journal ? ` (all are in ${escapeTerminal(journal)})` : ''}` }],
        '  ',
        '    ',
      );
    }
  }
  if (report.stoppedBy) {
    lines.push('');
    wrapped([{ text: `Stopped: ${escapeTerminal(report.stoppedBy)}`, style: c.red }]);
  }
  if (report.interrupted) lines.push('', c.yellow(report.signal ? `Interrupted (${report.signal}).` : 'Interrupted.'));
  if (!report.inputComplete) {
    wrapped([{ text: 'The rest of the input was not read, so none of it was sent.', style: c.yellow }]);
  }
  if (readFailed) {
    // Hint: --resume of the same input and options meets the same stop, and a journal is resumed
    // only with those: "rerun with --resume" led in a loop, to a refusal for a new --batch-size.
    wrapped(
      journal
        ? [
            {
              text: '--resume reads the same input with the same options, and stops here again unless what failed has passed; to mend the input or change an option, replay what is left with a new --journal (',
            },
            { text: escapeTerminal(journal), keep: 'always' },
            { text: ' lists what was delivered).' },
          ]
        : [{ text: 'To send the rest, mend the input and replay what is left.' }],
    );
  } else if (
    journal !== null &&
    (b.undelivered > 0 || b.failed > 0 || (!report.inputComplete && (journal || b.delivered > 0)))
  ) {
    // Hint: a run that delivered nothing is run again as it was: no journal of it is kept (see
    // `Journal.close`), and --resume would skip nothing. The journal's name is one word of a
    // command to paste back: never broken, even at a blank.
    wrapped(
      journal
        ? [
            { text: 'Rerun with --resume --journal ' },
            { text: shellWord(journal), keep: 'always' },
            {
              text:
                unrecorded > 0
                  ? ` to send what was not delivered, and again the ${plural(unrecorded, 'batch', 'batches')} delivered that the journal could not record (listed on stderr).`
                  : ' to send only what was not delivered.',
            },
          ]
        : [{ text: 'Pass --journal FILE to be able to --resume a run like this one.' }],
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A request `--dry-run` would send. */
export interface DryRunRequest {
  method: string;
  url: string;
  /** The headers of every request, credentials among them (`isSecretHeader`), never printed. */
  headers: Record<string, string>;
  /**
   * The headers `--sign` set on this one, printed as they are whatever their name: a signature is
   * a digest of the body, not a secret (an hmac one may go in `Authorization`).
   */
  signed?: Record<string, string> | undefined;
  body: Buffer;
  /** Which batch (1-based), how many events, and where the first came from. */
  ordinal: number;
  events: number;
  source: string;
  /** With --insecure: the receiver's certificate is not checked, so curl is told not to either (`-k`). */
  insecure?: boolean | undefined;
}

/** Quotes a word for a POSIX shell: single quotes keep every byte as it is. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A word a shell reads back as `text`, safe to print to a terminal: bare when nothing in it is
 * special to a shell, single-quoted when nothing in it is escaped for a terminal, else in `$'…'`
 * (bash, zsh, ksh), each character a terminal must not get raw as its UTF-8 bytes' `\xHH`.
 * Hint: not escaped again for the terminal: that would write `\x5c` for a backslash, which pasted
 * back names another file.
 */
function shellWord(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  if (!/\\/.test(text) && escapeTerminal(text) === text) return shellQuote(text);
  let word = "$'";
  for (const char of text) {
    if (char === '\\' || char === "'") word += `\\${char}`;
    else if (escapeTerminal(char) === char) word += char;
    else for (const byte of Buffer.from(char)) word += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${word}'`;
}

/** A dry-run request for people: request line (wrapped to `width`), headers, and a preview of the body. */
export function renderDryRunRequest(r: DryRunRequest, c: ChalkInstance, width: number, previewChars = 300): string {
  const body = r.body.toString();
  // Hint: cut between whole characters (an emoji, its skin tone), whose first half alone shows as \ud83d.
  const preview = body.length > previewChars ? `${excerpt(body, previewChars)} (${r.body.length} bytes)` : body;
  const request: TextSpan[] = [
    { text: `${r.method} ${escapeTerminal(redactUrl(r.url))}`, style: c.bold },
    { text: '  ' },
    { text: `batch ${r.ordinal}`, style: c.dim, keep: true },
    { text: ', ', style: c.dim },
    { text: plural(r.events, 'event'), style: c.dim, keep: true },
    { text: `, from ${escapeTerminal(r.source)}`, style: c.dim },
  ];
  const lines = [
    ...wrapSpans(request, { width, firstIndent: '', indent: '  ' }),
    ...Object.entries(shownHeaders(r)).map(([name, value]) => `${c.cyan(name)}: ${escapeTerminal(value)}`),
    '',
    escapeTerminal(preview, true),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A dry-run request as a curl command that sends exactly the same bytes: the body comes from
 * `printf`, whose format is the body with its `\\` and `%` doubled and, as octal escapes of their
 * bytes, every character a terminal must not get raw (render/escape.ts: controls but the line
 * break, bidi and invisible characters) and every byte that is not UTF-8; so the command is safe
 * to print, and reads as the body does. Secret header values are read from environment variables
 * (`secretReference`), never spelled out. Hint: printf is a shell builtin, so a body of any size
 * is no argument of a program (Linux takes 128 KiB at most), and it adds no newline.
 */
export function renderCurl(r: DryRunRequest): string {
  const headers = Object.entries({ ...r.headers, ...r.signed }).map(([name, value]) =>
    isSecretHeader(name) && r.signed?.[name] === undefined
      ? ` -H "${name}: ${secretReference(name)}"`
      : ` -H ${shellQuote(`${name}: ${value}`)}`,
  );
  const url = new URL(r.url);
  url.username = '';
  url.password = '';
  const command = `curl -sS${r.insecure ? ' -k' : ''} -X ${r.method} ${shellQuote(url.href)}${headers.join('')} --data-binary @-`;
  return `printf ${shellQuote(printfFormat(r.body))} | ${command}\n`;
}

/** Characters a printed command holds as octal escapes: the terminal policy's untrusted ones, but the line break; and printf's `\\` and `%`. */
const unsafeInCommand = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f${invisible}\\\\%]`, 'gu');
/** The same for a body that is not UTF-8, read a byte a character (latin1): every byte past ASCII too. */
const unsafeByte = /[\u0000-\u0009\u000b-\u001f\u007f-\u00ff\\%]/g;

/** `body` as a printf format that writes it back byte for byte (see `renderCurl`). */
function printfFormat(body: Buffer): string {
  // Hint: each character's escape made once: made again for each, a 31 MB body of U+0085 took 24 s.
  const made = new Map<string, string>();
  const escaped = (bytesOf: (char: string) => Uint8Array) => (char: string) => {
    let octal = made.get(char);
    if (octal === undefined) {
      octal =
        char === '\\' || char === '%'
          ? char + char
          : Array.from(bytesOf(char), (byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
      made.set(char, octal);
    }
    return octal;
  };
  // Hint: a body that is not UTF-8 (sent with --no-validate) keeps its bytes.
  const format = isUtf8(body)
    ? body.toString().replace(
        unsafeInCommand,
        escaped((char) => Buffer.from(char)),
      )
    : body.toString('latin1').replace(
        unsafeByte,
        escaped((char) => Buffer.of(char.charCodeAt(0))),
      );
  // Hint: a format that begins with `-` would be read as an option of printf.
  return format.startsWith('-') ? `\\055${format.slice(1)}` : format;
}

/**
 * The shell's reading of the variable a secret header's value is in: the command stops there,
 * sending nothing, when it is not set (`${VAR:?…}`), rather than send the header empty.
 */
function secretReference(name: string): string {
  const variable = secretHeaderVariable(name);
  return `\${${variable}:?export ${variable} first}`;
}

/** The environment variables the curl commands of these headers read, one per secret header. */
export function curlSecretVariables(headers: Record<string, string>): string[] {
  return Object.keys(headers)
    .filter(isSecretHeader)
    .map((name) => `${name} from $${secretHeaderVariable(name)}`);
}

/** A dry-run request's headers as printed: credentials as `***`, signatures as they are. */
function shownHeaders(r: DryRunRequest): Record<string, string> {
  return { ...redactHeaders(r.headers), ...r.signed };
}

/** A dry-run request as one JSON line, its URL and secret header values redacted. */
export function renderDryRunJson(r: DryRunRequest): string {
  const json = JSON.stringify({
    method: r.method,
    url: redactUrl(r.url),
    headers: shownHeaders(r),
    body: r.body.toString(),
    source: r.source,
  });
  return `${escapeJsonForTerminal(json)}\n`;
}

/** The lines a journal write error leaves on stderr: every batch whose outcome the journal does not hold. */
export function renderUnjournalled(batches: readonly UnjournalledBatch[]): string {
  // Hint: one never sent (waiting for its --rate turn) is counted not sent, as the summary counts it, not in flight.
  const unsent = batches.filter((b) => b.attempts === 0).length;
  const inFlight = batches.length - unsent;
  const counts = [
    ...(inFlight > 0 || unsent === 0 ? [`${plural(inFlight, 'batch', 'batches')} in flight`] : []),
    ...(unsent > 0 ? [`${plural(unsent, 'batch', 'batches')} not sent`] : []),
  ];
  const lines = [`Not recorded in the journal (${counts.join(', ')}):`];
  for (const b of batches) {
    const what =
      b.status === 'delivered'
        ? 'delivered'
        : b.attempts === 0
          ? 'not sent'
          : 'not confirmed (the receiver may have it)';
    lines.push(`  ${escapeTerminal(b.source)}  ${plural(b.events, 'event')}  ${what}  key ${b.key}`);
  }
  return `${lines.join('\n')}\n`;
}
