/**
 * Renders a summary report as text: pretty tables for a terminal, JSON, CSV (RFC 4180) and
 * Markdown. Every function returns a string; none prints.
 */
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
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
import { renderSummaryJson } from './summary-json.js';
import { displayWidth, escapeTerminal, pushAll, type TextSpan, wrapSpans } from './terminal.js';
import { plural } from './words.js';

/** What the pretty renderer needs to know about the terminal. */
interface PrettyOptions {
  /** Colours (a level-0 chalk instance prints none). */
  colors: ChalkInstance;
  /** Columns available; 80 when piped. */
  width: number;
}

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

// ---------------------------------------------------------------------------------------------
// Shared wording and number formats

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

interface Notice {
  label: string;
  text: string;
}

/** The overview's lines about what was dropped and why, shared by pretty and markdown. */
function notices(report: SummaryReport): Notice[] {
  const out: Notice[] = [];
  if (report.duplicates > 0) {
    out.push({
      label: 'Redeliveries',
      text: `${n(report.duplicates)} dropped (a repeated event id is counted once)`,
    });
  }
  if (report.invalid > 0) {
    out.push({
      label: 'Invalid',
      text: `${plural(report.invalid, 'element')} skipped; run \`callhook validate\` for details`,
    });
  }
  if (report.undocumentedStatuses > 0) {
    out.push({
      label: 'Other status',
      text: `${plural(report.undocumentedStatuses, 'call')} with an undocumented status, counted as Other`,
    });
  }
  if (report.inputErrors > 0) {
    out.push({
      label: 'Input errors',
      text: `${plural(report.inputErrors, 'problem')} between elements; run \`callhook validate\` for details`,
    });
  }
  if (report.filteredOut > 0) {
    out.push({ label: 'Filtered out', text: `${plural(report.filteredOut, 'event')} (--since, --until, --status)` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pretty

type Align = 'left' | 'right';

interface Column {
  head: string;
  align?: Align;
  /** Shrinks when the table is wider than the terminal (truncated with …, or wrapped); one per table. */
  flex?: boolean;
}

interface TableOptions {
  /** Print the header row (default true). */
  head?: boolean;
  /** Wrap the flex column's text at word boundaries instead of truncating it (for sentences). */
  wrap?: boolean;
}

const noBorders = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

const indent = '  ';
const gap = 2;
const minFlex = 12;

/**
 * A borderless table that fits `width`: cells are measured as displayed, and the flex column
 * gives up what the others need. Cells must already be escaped (and may be coloured).
 */
function table(
  columns: Column[],
  rows: string[][],
  width: number,
  colors: ChalkInstance,
  { head: showHead = true, wrap = false }: TableOptions = {},
): string {
  // Hint: a loop, not Math.max(...rows): a --top 0 table of a million phones must not blow the stack.
  const widths = columns.map((column, i) => {
    let widest = showHead ? displayWidth(column.head) : 0;
    for (const row of rows) widest = Math.max(widest, displayWidth(row[i] ?? ''));
    return widest;
  });
  const total = indent.length + widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  const flex = columns.findIndex((column) => column.flex);
  let shrunk = total;
  if (total > width && flex >= 0) {
    const before = widths[flex]!;
    widths[flex] = Math.max(minFlex, before - (total - width));
    shrunk -= before - widths[flex]!;
  }
  // Too many columns for a narrow terminal: each row becomes a wrapped record instead.
  if (shrunk > width) return records(columns, rows, width, colors, showHead);
  const t = new Table({
    chars: noBorders,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
    head: showHead ? columns.map((column) => colors.bold(column.head)) : [],
    colAligns: columns.map((column) => column.align ?? 'left'),
    colWidths: widths,
    wordWrap: wrap,
    wrapOnWordBoundary: true,
  });
  for (const row of rows) t.push(row);
  return t
    .toString()
    .split('\n')
    .map((line) => `${indent}${line}`.trimEnd())
    .join('\n');
}

/** A dim explanatory line under a table, wrapped to `width`. */
function note(text: string, width: number, colors: ChalkInstance): string {
  return wrapSpans([{ text, style: colors.dim }], { width, indent: `${indent}  `, firstIndent: indent }).join('\n');
}

/** Rows as `first  Head value · Head value`, wrapped to `width`: a table too wide for the terminal. */
function records(columns: Column[], rows: string[][], width: number, colors: ChalkInstance, named: boolean): string {
  const lines: string[] = [];
  for (const row of rows) {
    const spans: TextSpan[] = [{ text: row[0] ?? '' }];
    row.slice(1).forEach((cell, i) => {
      const head = named ? columns[i + 1]?.head : undefined;
      spans.push({ text: i === 0 ? '  ' : ' · ' });
      if (head) spans.push({ text: `${head} `, style: colors.dim });
      spans.push({ text: cell });
    });
    pushAll(lines, wrapSpans(spans, { width, indent: `${indent}  `, firstIndent: indent }));
  }
  return lines.join('\n');
}

const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `percent` of `cells` cells, in eighths of a cell. */
function bar(percent: number, cells: number): string {
  const units = Math.round((percent / 100) * cells * 8);
  return '█'.repeat(Math.floor(units / 8)) + eighths[units % 8];
}

function statusColor(colors: ChalkInstance, status: ReportedStatus | ReportedGroup): (text: string) => string {
  switch (status) {
    case 'Complete':
      return colors.green;
    case 'Partial':
      return colors.yellow;
    case 'Not Complete':
    case 'Failed':
      return colors.red;
    default:
      return colors.magenta;
  }
}

/** The report as tables for a terminal, readable at 80 columns and when piped. */
export function renderSummaryPretty(report: SummaryReport, { colors, width }: PrettyOptions): string {
  const heading = (text: string, detail = '') =>
    wrapSpans([{ text, style: colors.bold }, ...(detail ? [{ text: ` ${detail}`, style: colors.dim }] : [])], {
      width,
      indent: '  ',
      firstIndent: '',
    }).join('\n');
  const safe = (text: string) => escapeTerminal(text);
  const more = (text: string) => colors.dim(text);
  const sections: string[] = [];
  const { callComplete: cc } = report;

  // Overview
  const overview: string[][] = [
    ['Events', `${n(report.events)} from ${plural(report.files, 'file')} (${bytes(report.bytes)})`],
  ];
  if (report.timeRange) overview.push(['Time range', `${report.timeRange.first} → ${report.timeRange.last}`]);
  for (const notice of notices(report)) overview.push([notice.label, notice.text]);
  sections.push(
    [
      heading('Overview'),
      table([{ head: '' }, { head: '', flex: true }], overview, width, colors, { head: false, wrap: true }),
      '',
      table(
        [{ head: 'Event type' }, { head: 'Events', align: 'right' }],
        Object.entries(report.byType)
          .filter(([kind, count]) => kind !== 'SMS' || count > 0)
          .map(([kind, count]) => [kindLabels[kind as keyof typeof kindLabels], n(count)]),
        width,
        colors,
      ),
    ].join('\n'),
  );

  // Outcomes
  if (cc.total > 0) {
    const fixed = indent.length + 12 + 7 + 6 + 3 * gap;
    const cells = Math.max(10, Math.min(40, width - fixed - 1));
    const outcomeRows = <K extends ReportedStatus | ReportedGroup>(keys: K[], shares: Record<K, Share>) =>
      keys.map((key) => {
        const color = statusColor(colors, key);
        return [color(key), n(shares[key].count), pct(shares[key].percent), color(bar(shares[key].percent, cells))];
      });
    const columns = (first: string): Column[] => [
      { head: first },
      { head: 'Calls', align: 'right' },
      { head: '%', align: 'right' },
      { head: '' },
    ];
    sections.push(
      [
        heading('Outcomes', `(${plural(cc.total, 'CallComplete event')})`),
        table(columns('Status'), outcomeRows(shownStatuses(cc.byStatus), cc.byStatus), width, colors),
        '',
        table(columns('Group'), outcomeRows(shownGroups(cc.byGroup), cc.byGroup), width, colors),
        note('Complete group = Complete + Partial; Failed = Not Complete', width, colors),
      ].join('\n'),
    );

    // Reasons
    const reasonRows: string[][] = [];
    for (const status of shownStatuses(cc.byStatus)) {
      const reasons = cc.byReason[status];
      reasons.rows.forEach((row, i) => {
        reasonRows.push([
          i === 0 ? statusColor(colors, status)(status) : '',
          row.reason === null ? more('(none)') : safe(row.reason),
          n(row.count),
          pct(row.percent),
        ]);
      });
      if (reasons.rest) {
        reasonRows.push([
          '',
          more(`(${plural(reasons.rest.keys, 'more reason')})`),
          n(reasons.rest.count),
          pct(reasons.rest.percent),
        ]);
      }
    }
    sections.push(
      [
        heading('Reasons', '(additionalInformation, % of the status)'),
        table(
          [
            { head: 'Status' },
            { head: 'Reason', flex: true },
            { head: 'Calls', align: 'right' },
            { head: '%', align: 'right' },
          ],
          reasonRows,
          width,
          colors,
        ),
      ].join('\n'),
    );

    // Campaigns
    const withOther = cc.byStatus.Other.count > 0;
    const campaignRows = cc.byCampaign.rows.map((row) => [
      safe(row.campaignId),
      n(row.calls),
      ...shownStatuses(cc.byStatus).map((s) => `${pct(row.byStatus[s].percent)}%`),
      n(row.humanSupportRequests),
    ]);
    if (cc.byCampaign.rest) {
      campaignRows.push([more(`(${plural(cc.byCampaign.rest.keys, 'more campaign')})`), n(cc.byCampaign.rest.calls)]);
    }
    sections.push(
      [
        heading('Campaigns', '(by calls; status % of the campaign; human = human-support requests)'),
        table(
          [
            { head: 'Campaign', flex: true },
            { head: 'Calls', align: 'right' },
            { head: 'Complete', align: 'right' },
            { head: 'Partial', align: 'right' },
            { head: 'Not compl.', align: 'right' },
            ...(withOther ? [{ head: 'Other', align: 'right' as const }] : []),
            { head: 'Human', align: 'right' },
          ],
          campaignRows,
          width,
          colors,
        ),
      ].join('\n'),
    );

    // Drop-off funnel
    const funnel: string[] = [heading('Drop-off funnel', '(calls that reached each question)')];
    for (const campaign of cc.funnel.rows) {
      funnel.push(
        wrapSpans(
          [
            { text: safe(campaign.campaignId) },
            { text: `: ${plural(campaign.calls, 'call')}, ${n(campaign.partial)} Partial`, style: colors.dim },
          ],
          { width, indent: `${indent}${indent}`, firstIndent: indent },
        ).join('\n'),
      );
      if (campaign.steps.length === 0) {
        funnel.push(more(`${indent}${indent}(no call reached a question)`));
        continue;
      }
      const rows = campaign.steps.map((step) => [
        safe(step.question),
        n(step.reached),
        pct(step.percent),
        n(step.partialStops),
      ]);
      if (campaign.moreSteps > 0) rows.push([more(`(${plural(campaign.moreSteps, 'more question')})`)]);
      funnel.push(
        table(
          [
            { head: 'Question', flex: true },
            { head: 'Reached', align: 'right' },
            { head: '%', align: 'right' },
            { head: 'Partial stopped', align: 'right' },
          ],
          rows,
          width - indent.length,
          colors,
        )
          .split('\n')
          .map((line) => indent + line)
          .join('\n'),
      );
    }
    if (cc.funnel.rest) funnel.push(more(`${indent}(${plural(cc.funnel.rest.keys, 'more campaign')})`));
    sections.push(funnel.join('\n'));

    // Requests
    const requestRows = cc.requests.rows.map((row) => [safe(row.request), n(row.calls)]);
    if (cc.requests.rest)
      requestRows.push([more(`(${plural(cc.requests.rest.keys, 'more request type')})`), n(cc.requests.rest.calls)]);
    sections.push(
      [
        heading('Requests', '(calls that made each request)'),
        requestRows.length
          ? table(
              [
                { head: 'Request', flex: true },
                { head: 'Calls', align: 'right' },
              ],
              requestRows,
              width,
              colors,
            )
          : more(`${indent}(none)`),
      ].join('\n'),
    );
  }

  // Attempts and contacts
  const { callAttempted: attempted, callReceived: received, sms } = report;
  if (attempted.total + received.total + sms.total > 0) {
    const share = (label: string, s: Share) => `${label} ${n(s.count)} (${pct(s.percent)}%)`;
    const lines = [heading('Attempts and contacts')];
    const contactRows: string[][] = [];
    if (attempted.total > 0) {
      contactRows.push([
        'CallAttempted',
        n(attempted.total),
        `${share(colors.green('success'), attempted.success)}, ${share(colors.red('failed'), attempted.failed)}`,
      ]);
    }
    if (received.total > 0) {
      contactRows.push([
        'CallReceived',
        n(received.total),
        `${share('inbound', received.inbound)}, ${share('outbound callback', received.outboundCallback)}`,
      ]);
    }
    if (sms.total > 0) {
      // Only the directions seen; then how many a bare SMS's numbers told.
      const parts = [
        [share('sent', sms.sent), sms.sent.count],
        [share('received', sms.received), sms.received.count],
        [share('direction unknown', sms.unknownDirection), sms.unknownDirection.count],
      ] as const;
      contactRows.push([
        'SMS',
        n(sms.total),
        [
          ...parts.filter(([, count]) => count > 0).map(([text]) => text),
          ...(sms.inferred > 0 ? [`${n(sms.inferred)} inferred from the numbers`] : []),
        ].join(', '),
      ]);
    }
    lines.push(
      table(
        [{ head: 'Event' }, { head: 'Events', align: 'right' }, { head: 'Split', flex: true }],
        contactRows,
        width,
        colors,
        { wrap: true },
      ),
    );
    if (attempted.byNote.rows.length > 0) {
      const noteRows = attempted.byNote.rows.map((row) => [
        row.note === null ? more('(no note)') : safe(row.note),
        n(row.count),
        pct(row.percent),
      ]);
      const rest = attempted.byNote.rest;
      if (rest) noteRows.push([more(`(${plural(rest.keys, 'more note')})`), n(rest.count), pct(rest.percent)]);
      lines.push(
        '',
        table(
          [
            { head: 'Failure note', flex: true },
            { head: 'Attempts', align: 'right' },
            { head: '%', align: 'right' },
          ],
          noteRows,
          width,
          colors,
        ),
      );
    }
    sections.push(lines.join('\n'));
  }

  if (report.groups) sections.push(prettyGroups(report.groups, report, { colors, width }));
  return `${sections.join('\n\n')}\n`;
}

function prettyGroups(groups: GroupTable, report: SummaryReport, { colors, width }: PrettyOptions): string {
  const statuses = shownStatuses(report.callComplete.byStatus);
  const rows = groups.rows.map((row) => [
    escapeTerminal(row.key),
    n(row.events),
    n(row.byType.CallComplete),
    ...statuses.map((s) => n(row.byStatus[s])),
    row.completeGroupPercent === null ? colors.dim('-') : `${pct(row.completeGroupPercent)}%`,
  ]);
  if (groups.rest) {
    rows.push([colors.dim(`(${n(groups.rest.keys)} more)`), n(groups.rest.events)]);
  }
  const order = groups.by === 'day' || groups.by === 'hour' ? 'in time order' : 'by events';
  return [
    wrapSpans(
      [
        { text: `By ${groups.by}`, style: colors.bold },
        { text: ` (${order}; Calls = CallComplete; Compl. grp = Complete + Partial)`, style: colors.dim },
      ],
      { width, indent: '  ', firstIndent: '' },
    ).join('\n'),
    table(
      [
        { head: byLabels[groups.by], flex: true },
        { head: 'Events', align: 'right' },
        { head: 'Calls', align: 'right' },
        { head: 'Complete', align: 'right' },
        { head: 'Partial', align: 'right' },
        { head: 'Not compl.', align: 'right' },
        ...(statuses.includes('Other') ? [{ head: 'Other', align: 'right' as const }] : []),
        { head: 'Compl. grp', align: 'right' },
      ],
      rows,
      width,
      colors,
    ),
  ].join('\n');
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

// ---------------------------------------------------------------------------------------------
// Markdown

/** Makes payload text safe inside a Markdown table cell: no control characters, no markup. */
export function markdownCell(text: string): string {
  return escapeTerminal(text).replace(/[\\`*_[\]<>|]/g, '\\$&');
}

function mdTable(head: string[], aligns: Align[], rows: string[][]): string {
  const rule = aligns.map((a) => (a === 'right' ? '--:' : '---'));
  return [head, rule, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** The report as GitHub-flavoured Markdown, for pasting into an issue or a document. */
export function renderSummaryMarkdown(report: SummaryReport): string {
  const cc = report.callComplete;
  const out: string[] = ['# Summary', ''];
  const overview = [
    ['Events', n(report.events)],
    ['Files', `${n(report.files)} (${bytes(report.bytes)})`],
  ];
  if (report.timeRange) overview.push(['Time range', `${report.timeRange.first} → ${report.timeRange.last}`]);
  for (const notice of notices(report)) overview.push([notice.label, notice.text]);
  out.push('## Overview', '', mdTable(['', ''], ['left', 'left'], overview), '');
  out.push(
    mdTable(
      ['Event type', 'Events'],
      ['left', 'right'],
      Object.entries(report.byType)
        .filter(([kind, count]) => kind !== 'SMS' || count > 0)
        .map(([kind, count]) => [kindLabels[kind as keyof typeof kindLabels], n(count)]),
    ),
    '',
  );

  if (cc.total > 0) {
    const statuses = shownStatuses(cc.byStatus);
    out.push(`## Outcomes (${plural(cc.total, 'CallComplete event')})`, '');
    out.push(
      mdTable(
        ['Status', 'Calls', '%'],
        ['left', 'right', 'right'],
        statuses.map((s) => [s, n(cc.byStatus[s].count), pct(cc.byStatus[s].percent)]),
      ),
      '',
      mdTable(
        ['Group', 'Calls', '%'],
        ['left', 'right', 'right'],
        shownGroups(cc.byGroup).map((g) => [g, n(cc.byGroup[g].count), pct(cc.byGroup[g].percent)]),
      ),
      '',
    );

    const reasonRows: string[][] = [];
    for (const status of statuses) {
      for (const row of cc.byReason[status].rows) {
        reasonRows.push([
          status,
          row.reason === null ? '*(none)*' : markdownCell(row.reason),
          n(row.count),
          pct(row.percent),
        ]);
      }
      const rest = cc.byReason[status].rest;
      if (rest) reasonRows.push([status, `*(${plural(rest.keys, 'more reason')})*`, n(rest.count), pct(rest.percent)]);
    }
    out.push(
      '## Reasons',
      '',
      mdTable(['Status', 'Reason', 'Calls', '% of status'], ['left', 'left', 'right', 'right'], reasonRows),
      '',
    );

    const campaignRows = cc.byCampaign.rows.map((row) => [
      markdownCell(row.campaignId),
      n(row.calls),
      ...statuses.map((s) => pct(row.byStatus[s].percent)),
      n(row.humanSupportRequests),
    ]);
    if (cc.byCampaign.rest) {
      campaignRows.push([
        `*(${plural(cc.byCampaign.rest.keys, 'more campaign')})*`,
        n(cc.byCampaign.rest.calls),
        ...statuses.map(() => ''),
        '',
      ]);
    }
    out.push(
      '## Campaigns',
      '',
      mdTable(
        ['Campaign', 'Calls', ...statuses.map((s) => `${s} %`), 'Human-support requests'],
        ['left', 'right', ...statuses.map(() => 'right' as const), 'right'],
        campaignRows,
      ),
      '',
    );

    out.push('## Drop-off funnel', '');
    for (const campaign of cc.funnel.rows) {
      out.push(
        `### ${markdownCell(campaign.campaignId)}`,
        '',
        `${plural(campaign.calls, 'call')}, ${n(campaign.partial)} Partial.`,
        '',
      );
      if (campaign.steps.length === 0) {
        out.push('No call reached a question.', '');
        continue;
      }
      const rows = campaign.steps.map((s) => [
        markdownCell(s.question),
        n(s.reached),
        pct(s.percent),
        n(s.partialStops),
      ]);
      if (campaign.moreSteps > 0) rows.push([`*(${plural(campaign.moreSteps, 'more question')})*`, '', '', '']);
      out.push(
        mdTable(
          ['Question', 'Reached', '% of calls', 'Partial calls stopped here'],
          ['left', 'right', 'right', 'right'],
          rows,
        ),
        '',
      );
    }
    if (cc.funnel.rest) out.push(`*(${plural(cc.funnel.rest.keys, 'more campaign')})*`, '');

    out.push('## Requests', '');
    if (cc.requests.rows.length === 0) out.push('None.', '');
    else {
      const rows = cc.requests.rows.map((r) => [markdownCell(r.request), n(r.calls)]);
      if (cc.requests.rest)
        rows.push([`*(${plural(cc.requests.rest.keys, 'more request type')})*`, n(cc.requests.rest.calls)]);
      out.push(mdTable(['Request', 'Calls'], ['left', 'right'], rows), '');
    }
  }

  const { callAttempted: attempted, callReceived: received, sms } = report;
  if (attempted.total + received.total + sms.total > 0) {
    const row = (label: string, s: Share) => [label, n(s.count), pct(s.percent)];
    const rows: string[][] = [];
    if (attempted.total > 0)
      rows.push(row('CallAttempted success', attempted.success), row('CallAttempted failed', attempted.failed));
    if (received.total > 0)
      rows.push(
        row('CallReceived inbound', received.inbound),
        row('CallReceived outbound callback', received.outboundCallback),
      );
    if (sms.total > 0) {
      rows.push(row('SMS sent', sms.sent), row('SMS received', sms.received));
      if (sms.unknownDirection.count > 0) rows.push(row('SMS direction unknown', sms.unknownDirection));
      if (sms.inferred > 0) rows.push(['SMS direction inferred', n(sms.inferred), '']);
    }
    out.push(
      '## Attempts and contacts',
      '',
      mdTable(['', 'Events', '% of its type'], ['left', 'right', 'right'], rows),
      '',
    );
    if (attempted.byNote.rows.length > 0) {
      const notes = attempted.byNote.rows.map((r) => [
        r.note === null ? '*(no note)*' : markdownCell(r.note),
        n(r.count),
        pct(r.percent),
      ]);
      const rest = attempted.byNote.rest;
      if (rest) notes.push([`*(${plural(rest.keys, 'more note')})*`, n(rest.count), pct(rest.percent)]);
      out.push(mdTable(['Failure note', 'Attempts', '%'], ['left', 'right', 'right'], notes), '');
    }
  }

  if (report.groups) {
    const groups = report.groups;
    const statuses = shownStatuses(cc.byStatus);
    const rows = groups.rows.map((row) => [
      markdownCell(row.key),
      n(row.events),
      n(row.byType.CallComplete),
      ...statuses.map((s) => n(row.byStatus[s])),
      row.completeGroupPercent === null ? '' : pct(row.completeGroupPercent),
    ]);
    if (groups.rest)
      rows.push([`*(${n(groups.rest.keys)} more)*`, n(groups.rest.events), '', ...statuses.map(() => ''), '']);
    out.push(
      `## By ${groups.by}`,
      '',
      mdTable(
        [byLabels[groups.by], 'Events', 'CallComplete', ...statuses, 'Complete group %'],
        ['left', 'right', 'right', ...statuses.map(() => 'right' as const), 'right'],
        rows,
      ),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
