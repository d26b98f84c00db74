/**
 * Renders a summary report: `summaryModel` builds its sections once (report.ts), and pretty
 * tables for a terminal and Markdown render that model; JSON is the report itself and CSV
 * (RFC 4180) one of its tables. Every function returns a string; none prints.
 */
import {
  type GroupTable,
  type ReportedGroup,
  type ReportedStatus,
  reportedGroups,
  reportedStatuses,
  type Share,
  type SummaryDimension,
  type SummaryReport,
} from '../core/summary.js';
import { escapeUnicode } from './escape.js';
import type { SummaryFormat } from './formats.js';
import type { Block, Cell, Column, ReportModel, Section, Span, TableBlock, Tone } from './report.js';
import { renderReportMarkdown } from './report-markdown.js';
import { type PrettyOptions, renderReportPretty } from './report-pretty.js';
import { renderSummaryJson } from './summary-json.js';
import { plural } from './words.js';

/** Payload text made safe in Markdown (the one Markdown escape, under the name this module's tests use). */
export { escapeMarkdown as markdownCell } from './escape.js';

/** Renders a report in any format; `by` picks the csv table (default: by status). */
export function renderSummary(
  report: SummaryReport,
  format: SummaryFormat,
  options: PrettyOptions & { by?: SummaryDimension | undefined },
): string {
  switch (format) {
    case 'json':
      return renderSummaryJson(report);
    case 'csv':
      return renderSummaryCsv(report, options.by ?? 'status');
    case 'markdown':
      return renderSummaryMarkdown(report);
    default:
      return renderSummaryPretty(report, options);
  }
}

/** The report as tables for a terminal, readable at 80 columns and when piped. */
export function renderSummaryPretty(report: SummaryReport, options: PrettyOptions): string {
  return renderReportPretty(summaryModel(report), options);
}

/** The report as GitHub-flavoured Markdown, for pasting into an issue or a document. */
export function renderSummaryMarkdown(report: SummaryReport): string {
  return renderReportMarkdown(summaryModel(report));
}

// ---------------------------------------------------------------------------------------------
// The model: every section once

const integer = new Intl.NumberFormat('en-US');
/** Counts with thousands separators, the same whatever the user's locale. */
const n = (value: number) => integer.format(value);
const pct = (value: number) => value.toFixed(1);

const byLabels: Record<Exclude<SummaryDimension, 'status'>, string> = {
  campaign: 'Campaign',
  day: 'Day (UTC)',
  hour: 'Hour (UTC)',
  phone: 'Phone',
};

const kindLabels: Record<keyof SummaryReport['byType'], string> = {
  CallComplete: 'CallComplete',
  CallAttempted: 'CallAttempted',
  CallReceived: 'CallReceived',
  SMSSent: 'SMSSent',
  SMSReceived: 'SMSReceived',
  SMS: 'SMS (direction unknown)',
};

function bytes(value: number): string {
  if (value < 1000) return `${value} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let scaled = value;
  let unit = -1;
  do {
    scaled /= 1000;
    unit++;
  } while (scaled >= 1000 && unit < units.length - 1);
  return `${scaled.toFixed(1)} ${units[unit]}`;
}

/** The statuses worth a row: the documented three always, `Other` only when something is in it. */
function shownStatuses(byStatus: Record<ReportedStatus, Share | number>): ReportedStatus[] {
  const other = byStatus.Other;
  return reportedStatuses.filter((s) => s !== 'Other' || (typeof other === 'number' ? other : other.count) > 0);
}

function shownGroups(byGroup: Record<ReportedGroup, Share>): ReportedGroup[] {
  return reportedGroups.filter((g) => g !== 'Other' || byGroup.Other.count > 0);
}

const statusTones: Record<ReportedStatus | ReportedGroup, Tone> = {
  Complete: 'good',
  Partial: 'warn',
  'Not Complete': 'bad',
  Failed: 'bad',
  Other: 'other',
};

/** A status or group name in its colour. */
const status = (name: ReportedStatus | ReportedGroup): Span => ({ text: name, tone: statusTones[name] });
/** Our own aside in a cell: `(none)`, `(3 more reasons)`. */
const muted = (text: string): Span => ({ text, tone: 'muted' });
/** Payload text. */
const untrusted = (text: string): Span => ({ text, untrusted: true });
const right = (head: string, short?: string): Column => ({ head, short, align: 'right' });
const table = (columns: Column[], rows: Cell[][], options: Partial<TableBlock> = {}): TableBlock => ({
  kind: 'table',
  columns,
  rows,
  ...options,
});
/** A status as a column name; `Not Complete` is shortened on a terminal. */
const statusColumn = (s: ReportedStatus): Column => right(s, s === 'Not Complete' ? 'Not compl.' : undefined);

/** The summary as sections: what every format but JSON and CSV shows. */
export function summaryModel(report: SummaryReport): ReportModel {
  const sections: Section[] = [overview(report)];
  if (report.callComplete.total > 0) {
    sections.push(outcomes(report), reasons(report), campaigns(report), funnel(report), requests(report));
  }
  const contacts = attemptsAndContacts(report);
  if (contacts) sections.push(contacts);
  if (report.groups) sections.push(groupSection(report.groups, report));
  return { title: 'Summary', sections };
}

function overview(report: SummaryReport): Section {
  const rows: Cell[][] = [
    ['Events', `${n(report.events)} from ${plural(report.files, 'file')} (${bytes(report.bytes)})`],
  ];
  if (report.timeRange) rows.push(['Time range', `${report.timeRange.first} → ${report.timeRange.last}`]);
  // What was dropped and why.
  if (report.duplicates > 0) {
    rows.push(['Redeliveries', `${n(report.duplicates)} dropped (a repeated event id is counted once)`]);
  }
  if (report.invalid > 0) {
    rows.push(['Invalid', `${plural(report.invalid, 'element')} skipped; run \`callhook validate\` for details`]);
  }
  if (report.undocumentedStatuses > 0) {
    rows.push([
      'Other status',
      `${plural(report.undocumentedStatuses, 'call')} with an undocumented status, counted as Other`,
    ]);
  }
  if (report.inputErrors > 0) {
    rows.push([
      'Input errors',
      `${plural(report.inputErrors, 'problem')} between elements; run \`callhook validate\` for details`,
    ]);
  }
  if (report.filteredOut > 0) {
    rows.push(['Filtered out', `${plural(report.filteredOut, 'event')} (--since, --until, --status)`]);
  }
  const types = Object.entries(report.byType)
    .filter(([kind, count]) => kind !== 'SMS' || count > 0)
    .map(([kind, count]) => [kindLabels[kind as keyof typeof kindLabels], n(count)]);
  return {
    title: 'Overview',
    blocks: [
      table([{ head: '' }, { head: '', flex: true }], rows, { head: false, wrap: true }),
      table([{ head: 'Event type' }, right('Events')], types),
    ],
  };
}

function outcomes(report: SummaryReport): Section {
  const cc = report.callComplete;
  const rows = <K extends ReportedStatus | ReportedGroup>(keys: K[], shares: Record<K, Share>): Cell[][] =>
    keys.map((key) => [
      status(key),
      n(shares[key].count),
      pct(shares[key].percent),
      { bar: shares[key].percent, tone: statusTones[key] },
    ]);
  const columns = (first: string): Column[] => [{ head: first }, right('Calls'), right('%'), { head: '', bars: true }];
  return {
    title: 'Outcomes',
    detail: `(${plural(cc.total, 'CallComplete event')})`,
    blocks: [
      table(columns('Status'), rows(shownStatuses(cc.byStatus), cc.byStatus)),
      table(columns('Group'), rows(shownGroups(cc.byGroup), cc.byGroup)),
      { kind: 'note', text: 'Complete group = Complete + Partial; Failed = Not Complete' },
    ],
  };
}

function reasons(report: SummaryReport): Section {
  const cc = report.callComplete;
  const rows: Cell[][] = [];
  for (const s of shownStatuses(cc.byStatus)) {
    const { rows: reasonRows, rest } = cc.byReason[s];
    for (const row of reasonRows) {
      rows.push([
        status(s),
        row.reason === null ? muted('(none)') : untrusted(row.reason),
        n(row.count),
        pct(row.percent),
      ]);
    }
    if (rest) rows.push([status(s), muted(`(${plural(rest.keys, 'more reason')})`), n(rest.count), pct(rest.percent)]);
  }
  return {
    title: 'Reasons',
    legend: '(additionalInformation, % of the status)',
    blocks: [
      table(
        [{ head: 'Status', grouped: true }, { head: 'Reason', flex: true }, right('Calls'), right('% of status', '%')],
        rows,
      ),
    ],
  };
}

function campaigns(report: SummaryReport): Section {
  const cc = report.callComplete;
  const statuses = shownStatuses(cc.byStatus);
  const rows: Cell[][] = cc.byCampaign.rows.map((row) => [
    untrusted(row.campaignId),
    n(row.calls),
    ...statuses.map((s) => `${pct(row.byStatus[s].percent)}%`),
    n(row.humanSupportRequests),
  ]);
  const rest = cc.byCampaign.rest;
  if (rest) rows.push([muted(`(${plural(rest.keys, 'more campaign')})`), n(rest.calls)]);
  return {
    title: 'Campaigns',
    legend: '(by calls; status % of the campaign; human = human-support requests)',
    blocks: [
      table(
        [
          { head: 'Campaign', flex: true },
          right('Calls'),
          ...statuses.map(statusColumn),
          right('Human-support requests', 'Human'),
        ],
        rows,
      ),
    ],
  };
}

function funnel(report: SummaryReport): Section {
  const { funnel } = report.callComplete;
  const blocks: Block[] = funnel.rows.map((campaign) => {
    const rows: Cell[][] = campaign.steps.map((step) => [
      untrusted(step.question),
      n(step.reached),
      pct(step.percent),
      n(step.partialStops),
    ]);
    if (campaign.moreSteps > 0) rows.push([muted(`(${plural(campaign.moreSteps, 'more question')})`)]);
    return {
      kind: 'group',
      title: untrusted(campaign.campaignId),
      detail: `${plural(campaign.calls, 'call')}, ${n(campaign.partial)} Partial`,
      blocks: [
        campaign.steps.length === 0
          ? { kind: 'empty', text: 'no call reached a question' }
          : table(
              [
                { head: 'Question', flex: true },
                right('Reached'),
                right('% of calls', '%'),
                right('Partial calls stopped here', 'Partial stopped'),
              ],
              rows,
            ),
      ],
    };
  });
  if (funnel.rest) blocks.push({ kind: 'more', text: plural(funnel.rest.keys, 'more campaign') });
  return { title: 'Drop-off funnel', legend: '(calls that reached each question)', blocks };
}

function requests(report: SummaryReport): Section {
  const { requests } = report.callComplete;
  const rows: Cell[][] = requests.rows.map((row) => [untrusted(row.request), n(row.calls)]);
  if (requests.rest) rows.push([muted(`(${plural(requests.rest.keys, 'more request type')})`), n(requests.rest.calls)]);
  return {
    title: 'Requests',
    legend: '(calls that made each request)',
    blocks: [
      rows.length > 0
        ? table([{ head: 'Request', flex: true }, right('Calls')], rows)
        : { kind: 'empty', text: 'none' },
    ],
  };
}

function attemptsAndContacts(report: SummaryReport): Section | undefined {
  const { callAttempted: attempted, callReceived: received, sms } = report;
  if (attempted.total + received.total + sms.total === 0) return undefined;
  const share = (label: string | Span, s: Share): Span[] => [
    typeof label === 'string' ? { text: label } : label,
    { text: ` ${n(s.count)} (${pct(s.percent)}%)` },
  ];
  const list = (parts: Span[][]): Span[] => parts.flatMap((part, i) => (i === 0 ? part : [{ text: ', ' }, ...part]));
  const rows: Cell[][] = [];
  if (attempted.total > 0) {
    rows.push([
      'CallAttempted',
      n(attempted.total),
      list([
        share({ text: 'success', tone: 'good' }, attempted.success),
        share({ text: 'failed', tone: 'bad' }, attempted.failed),
      ]),
    ]);
  }
  if (received.total > 0) {
    rows.push([
      'CallReceived',
      n(received.total),
      list([share('inbound', received.inbound), share('outbound callback', received.outboundCallback)]),
    ]);
  }
  if (sms.total > 0) {
    // Only the directions seen; then how many a bare SMS's numbers told.
    const parts = [
      [share('sent', sms.sent), sms.sent.count],
      [share('received', sms.received), sms.received.count],
      [share('direction unknown', sms.unknownDirection), sms.unknownDirection.count],
    ] as const;
    rows.push([
      'SMS',
      n(sms.total),
      list([
        ...parts.filter(([, count]) => count > 0).map(([spans]) => spans),
        ...(sms.inferred > 0 ? [[{ text: `${n(sms.inferred)} inferred from the numbers` }]] : []),
      ]),
    ]);
  }
  const blocks: Block[] = [
    table([{ head: 'Event' }, right('Events'), { head: 'Split', flex: true }], rows, { wrap: true }),
  ];
  if (attempted.byNote.rows.length > 0) {
    const notes: Cell[][] = attempted.byNote.rows.map((row) => [
      row.note === null ? muted('(no note)') : untrusted(row.note),
      n(row.count),
      pct(row.percent),
    ]);
    const rest = attempted.byNote.rest;
    if (rest) notes.push([muted(`(${plural(rest.keys, 'more note')})`), n(rest.count), pct(rest.percent)]);
    blocks.push(table([{ head: 'Failure note', flex: true }, right('Attempts'), right('%')], notes));
  }
  return { title: 'Attempts and contacts', blocks };
}

function groupSection(groups: GroupTable, report: SummaryReport): Section {
  const statuses = shownStatuses(report.callComplete.byStatus);
  const rows: Cell[][] = groups.rows.map((row) => [
    untrusted(row.key),
    n(row.events),
    n(row.byType.CallComplete),
    ...statuses.map((s) => n(row.byStatus[s])),
    row.completeGroupPercent === null ? null : `${pct(row.completeGroupPercent)}%`,
  ]);
  if (groups.rest) rows.push([muted(`(${n(groups.rest.keys)} more)`), n(groups.rest.events)]);
  const order = groups.by === 'day' || groups.by === 'hour' ? 'in time order' : 'by events';
  return {
    title: `By ${groups.by}`,
    legend: `(${order}; Calls = CallComplete; Compl. grp = Complete + Partial)`,
    blocks: [
      table(
        [
          { head: byLabels[groups.by], flex: true },
          right('Events'),
          right('CallComplete', 'Calls'),
          ...statuses.map(statusColumn),
          right('Complete group', 'Compl. grp'),
        ],
        rows,
      ),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/** Quotes a CSV field when it holds a comma, a quote, or a line break (RFC 4180, section 2). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  // Untrusted characters as \uXXXX, as in every machine format; but a line break, which
  // RFC 4180 allows inside a quoted field, stays what it is.
  const text = String(value)
    .split(/(\r\n|\n|\r)/)
    .map((part, i) => (i % 2 ? part : escapeUnicode(part)))
    .join('');
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(rows: (string | number | null)[][]): string {
  // RFC 4180 ends every record, the last included, with CRLF.
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * One CSV table, header row first: by status (the default), or the `--by` table. Rows that
 * `--top` left out are not written; the caller says so on stderr.
 */
export function renderSummaryCsv(report: SummaryReport, by: SummaryDimension): string {
  if (by === 'status' || !report.groups) {
    const { byStatus } = report.callComplete;
    return csv([
      ['status', 'group', 'count', 'percent'],
      ...reportedStatuses.map((status) => [
        status,
        status === 'Other' ? 'Other' : status === 'Not Complete' ? 'Failed' : 'Complete',
        byStatus[status].count,
        byStatus[status].percent.toFixed(1),
      ]),
    ]);
  }
  const keyHeader = { campaign: 'campaignId', day: 'day', hour: 'hour', phone: 'phone' }[report.groups.by];
  return csv([
    [
      keyHeader,
      'events',
      'callComplete',
      'complete',
      'partial',
      'notComplete',
      'other',
      'completeGroupPercent',
      'callAttempted',
      'callAttemptedFailed',
      'callReceived',
      'smsSent',
      'smsReceived',
      'smsUnknownDirection',
    ],
    ...report.groups.rows.map((row) => [
      row.key,
      row.events,
      row.byType.CallComplete,
      row.byStatus.Complete,
      row.byStatus.Partial,
      row.byStatus['Not Complete'],
      row.byStatus.Other,
      row.completeGroupPercent === null ? null : row.completeGroupPercent.toFixed(1),
      row.byType.CallAttempted,
      row.attemptsFailed,
      row.byType.CallReceived,
      row.byType.SMSSent,
      row.byType.SMSReceived,
      row.byType.SMS,
    ]),
  ]);
}
