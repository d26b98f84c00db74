/**
 * Renders a summary report: `summaryModel` builds its sections once (report.ts), and pretty
 * tables for a terminal, Markdown and CSV (RFC 4180, the one table `--by` names) render that
 * model. JSON is the report itself (`summary-json.ts`), and every table of the model names where
 * in it its data is (`source`). Every function returns text (or pieces of it); none prints.
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
import { impossible } from '../errors.js';
import { stdinName } from '../input/types.js';
import { statusGroupOf } from '../schema/events.js';
import { ownNotes } from './escape.js';
import type { SummaryFormat } from './formats.js';
import {
  type Block,
  type Cell,
  type Column,
  type ReportModel,
  type Row,
  rowFor,
  type Section,
  type Span,
  type TableBlock,
  type Tone,
  tablesOf,
} from './report.js';
import { renderTableCsv } from './report-csv.js';
import { renderReportMarkdown } from './report-markdown.js';
import { type PrettyOptions, renderReportPretty } from './report-pretty.js';
import { renderSummaryJsonParts, rowsAPiece, undocumentedStatusFate } from './summary-json.js';
import { formatTime, grouped, moreNote, plural, textApart } from './words.js';

/** Payload text made safe in Markdown (the one Markdown escape, under the name this module's tests use). */
export { escapeMarkdown as markdownCell } from './escape.js';
export { csvField } from './report-csv.js';

/**
 * Renders a report in any format, in pieces that join into its text: JSON and CSV a bounded number
 * of rows a piece (see `renderSummaryJsonParts`, `renderSummaryCsvParts`), the others whole; `by`
 * picks the csv table (default: by status).
 */
export function renderSummary(
  report: SummaryReport,
  format: SummaryFormat,
  options: PrettyOptions & { by?: SummaryDimension | undefined },
): Iterable<string> {
  switch (format) {
    case 'json':
      return renderSummaryJsonParts(report);
    case 'csv':
      return renderSummaryCsvParts(report, options.by ?? 'status');
    case 'markdown':
      return [renderSummaryMarkdown(report)];
    default:
      return [renderSummaryPretty(report, options)];
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

/**
 * One CSV table, header row first: by status (the default), or the `--by` table, in pieces that
 * join into it: the `--by` table `rowsAPiece` rows at a time, each piece's rows made into the
 * model's table on their own, so that a table of a million rows (`--top 0 --by phone`) is never a
 * million rows of cells at once. Rows that `--top` left out are not written; the caller says so on
 * stderr. Hint: a CSV record is its row's alone, and the row the rows `--top` left out make is for
 * people, not in CSV.
 */
export function* renderSummaryCsvParts(report: SummaryReport, by: SummaryDimension): Generator<string> {
  const groups = report.groups;
  if (groups === null || groups.by !== by || groups.rows.length <= rowsAPiece) {
    const tables = tablesOf(summaryModel(report).sections.flatMap((section) => section.blocks));
    const chosen =
      tables.find((block) => block.key === by) ??
      tables.find((block) => block.key === 'status') ??
      impossible('the summary model has a by-status table');
    yield renderTableCsv(chosen);
    return;
  }
  for (let from = 0; from < groups.rows.length; from += rowsAPiece) {
    const rows = groups.rows.slice(from, from + rowsAPiece);
    const [table] = tablesOf(groupSection({ ...groups, rows, rest: null }, report).blocks);
    const text = renderTableCsv(table ?? impossible('the --by section is a table'));
    // The header once, first.
    yield from === 0 ? text : text.slice(text.indexOf('\r\n') + 2);
  }
}

// ---------------------------------------------------------------------------------------------
// The model: every section once

/** Counts with thousands separators, the same whatever the user's locale. */
const n = grouped;
const pct = (value: number) => value.toFixed(1);
/** A count: `1,234` for people, `1234` for programs. */
const count = (value: number): Span => ({ text: n(value), value });
/** A percent: `12.5` (or `12.5%` with `suffix`) for people, `12.5` for programs. */
const percent = (value: number, suffix = ''): Span => ({ text: `${pct(value)}${suffix}`, value });

const byLabels: Record<Exclude<SummaryDimension, 'status'>, string> = {
  campaign: 'Campaign',
  day: 'Day (UTC)',
  hour: 'Hour (UTC)',
  phone: 'Phone',
};
/** The machine name of the `--by` table's first column. */
const byKeys: Record<Exclude<SummaryDimension, 'status'>, string> = {
  campaign: 'campaignId',
  day: 'day',
  hour: 'hour',
  phone: 'phone',
};

const kindLabels: Record<keyof SummaryReport['byType'], string> = {
  CallComplete: 'CallComplete',
  CallAttempted: 'CallAttempted',
  CallReceived: 'CallReceived',
  SMSSent: 'SMSSent',
  SMSReceived: 'SMSReceived',
  SMS: 'SMS (direction unknown)',
};

/**
 * A size in bytes for people: `1023 B`, `1.1 KiB`, `1.0 MiB` (binary units, one decimal), as every
 * size option reads them (`--max-body 5mb` is 5 MiB).
 */
export function bytesText(value: number): string {
  if (value < 1024) return `${value} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = -1;
  // Hint: the unit is chosen after rounding: 1,048,525 bytes is 1.0 MiB, not 1024.0 KiB.
  do {
    scaled /= 1024;
    unit++;
  } while (Math.round(scaled * 10) >= 10_240 && unit < units.length - 1);
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
/** Our own aside in a cell (`ownNotes`, `moreNote`): `(none)`, `(3 more reasons)`; programs read no value. */
const muted = (text: string): Span => ({ text, tone: 'muted', value: null });
/**
 * Payload text as people read it in a row: the empty text is named, since a blank cell would
 * read as a missing one; the rest as `textApart` shows it. Programs read the value itself.
 */
function untrusted(text: string): Span {
  if (text === '') return muted(ownNotes.empty);
  const shown = textApart(text);
  return shown === text ? { text, untrusted: true } : { text: shown, value: text, untrusted: true, escaped: true };
}
const right = (head: string, short?: string, key?: string): Column => ({ head, short, key, align: 'right' });
/** A table, with where the JSON report holds its data. */
const table = (source: string, columns: Column[], rows: Row[], options: Partial<TableBlock> = {}): TableBlock => ({
  kind: 'table',
  source,
  columns,
  rows,
  ...options,
});
/** A status as a column name; `Not Complete` is shortened on a terminal. */
const statusColumn = (s: ReportedStatus): Column => right(s, s === 'Not Complete' ? 'Not compl.' : undefined);
/** A status as a machine name (`notComplete`). */
const statusKeys: Record<ReportedStatus, string> = {
  Complete: 'complete',
  Partial: 'partial',
  'Not Complete': 'notComplete',
  Other: 'other',
};

/**
 * The summary as sections: what every format shows. The tables keyed `status` and by the `--by`
 * dimension are what `--format csv` prints.
 */
export function summaryModel(report: SummaryReport): ReportModel {
  const sections: Section[] = [overview(report)];
  if (report.callComplete.total > 0) {
    sections.push(outcomes(report), reasons(report), campaigns(report), funnel(report), requests(report));
  } else {
    // The by-status table, all zeros, is still what programs asked for.
    sections.push({ ...outcomes(report), only: 'programs' });
  }
  const contacts = attemptsAndContacts(report);
  if (contacts) sections.push(contacts);
  if (report.groups) sections.push(groupSection(report.groups, report));
  return { title: 'Summary', sections };
}

/** What was read, as validate names it: stdin as `<stdin>`, the rest counted as files. */
function sourcesOf({ files, stdin }: SummaryReport): Span[] {
  if (!stdin) return [{ text: plural(files, 'file') }];
  // Hint: escaped as the file names it stands among are (Markdown would take `<stdin>` for a tag).
  const name: Span = { text: stdinName, untrusted: true };
  return files > 1 ? [name, { text: ` and ${plural(files - 1, 'file')}` }] : [name];
}

function overview(report: SummaryReport): Section {
  const events: Span[] = [
    { text: `${n(report.events)} from ` },
    ...sourcesOf(report),
    { text: ` (${bytesText(report.bytes)})` },
  ];
  const rows: Cell[][] = [['Events', events]];
  if (report.timeRange) {
    rows.push(['Time range', `${formatTime(report.timeRange.first)} → ${formatTime(report.timeRange.last)}`]);
  }
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
      `${plural(report.undocumentedStatuses, 'call')} with an undocumented status, ${undocumentedStatusFate(report)}`,
    ]);
  }
  if (report.inputErrors > 0) {
    rows.push([
      'Input errors',
      `${plural(report.inputErrors, 'problem')} outside any event; run \`callhook validate\` for details`,
    ]);
  }
  if (report.unreadableFiles.length > 0) {
    rows.push([
      'Not read',
      `${plural(report.unreadableFiles.length, 'file')} read up to where it is not text (binary, compressed or UTF-16) or could not be read further; stderr says where and why`,
    ]);
  }
  if (report.filteredOut > 0) {
    const { since, until, statuses } = report.filters;
    const given = [
      since === null ? '' : `--since ${since}`,
      until === null ? '' : `--until ${until}`,
      statuses === null ? '' : `--status ${statuses.join(',')}`,
    ].filter(Boolean);
    rows.push(['Filtered out', `${plural(report.filteredOut, 'event')} (${given.join(', ')})`]);
  }
  const types = Object.entries(report.byType)
    .filter(([kind, count]) => kind !== 'SMS' || count > 0)
    .map(([kind, events]) => [kindLabels[kind as keyof typeof kindLabels], count(events)]);
  return {
    title: 'Overview',
    blocks: [
      table('', [{ head: '' }, { head: '', flex: true }], rows, { head: false }),
      table('/byType', [{ head: 'Event type' }, right('Events')], types),
    ],
  };
}

function outcomes(report: SummaryReport): Section {
  const cc = report.callComplete;
  const shareCells = (share: Share, tone: Tone): Cell[] => [
    count(share.count),
    percent(share.percent),
    { bar: share.percent, tone },
  ];
  const shareColumns: Column[] = [
    right('Calls', undefined, 'count'),
    { ...right('%', undefined, 'percent'), decimals: 1 },
    { head: '', bars: true },
  ];
  // Programs get every status, Other included, and its group beside it.
  const shown = shownStatuses(cc.byStatus);
  const statusRows = reportedStatuses.map((s): Row => {
    const row = [status(s), statusGroupOf(s) ?? 'Other', ...shareCells(cc.byStatus[s], statusTones[s])];
    return shown.includes(s) ? row : rowFor('programs', row);
  });
  const groupRows = shownGroups(cc.byGroup).map((g) => [status(g), ...shareCells(cc.byGroup[g], statusTones[g])]);
  return {
    title: 'Outcomes',
    detail: `(${plural(cc.total, 'CallComplete event')})`,
    blocks: [
      table(
        '/callComplete/byStatus',
        [{ head: 'Status', key: 'status' }, { head: 'Group', key: 'group', only: 'programs' }, ...shareColumns],
        statusRows,
        { key: 'status' },
      ),
      table('/callComplete/byGroup', [{ head: 'Group' }, ...shareColumns], groupRows),
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
        row.reason === null ? muted(ownNotes.none) : untrusted(row.reason),
        count(row.count),
        percent(row.percent),
      ]);
    }
    if (rest) rows.push([status(s), muted(moreNote(rest.keys, 'reason')), count(rest.count), percent(rest.percent)]);
  }
  return {
    title: 'Reasons',
    legend: '(additionalInformation, % of the status)',
    blocks: [
      table(
        '/callComplete/byReason',
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
    count(row.calls),
    ...statuses.map((s) => percent(row.byStatus[s].percent, '%')),
    count(row.humanSupportRequests),
  ]);
  const rest = cc.byCampaign.rest;
  if (rest) rows.push([muted(moreNote(rest.keys, 'campaign')), count(rest.calls)]);
  return {
    title: 'Campaigns',
    legend: '(by calls; status % of the campaign; human = human-support requests)',
    blocks: [
      table(
        '/callComplete/byCampaign',
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
  const blocks: Block[] = funnel.rows.map((campaign, i) => {
    const rows: Cell[][] = campaign.steps.map((step) => [
      untrusted(step.question),
      count(step.reached),
      percent(step.percent),
      count(step.partialStops),
    ]);
    if (campaign.moreSteps > 0) rows.push([muted(moreNote(campaign.moreSteps, 'question'))]);
    return {
      kind: 'group',
      title: untrusted(campaign.campaignId),
      detail: `${plural(campaign.calls, 'call')}, ${n(campaign.partial)} Partial`,
      blocks: [
        campaign.steps.length === 0
          ? { kind: 'empty', text: 'no call reached a question' }
          : table(
              `/callComplete/funnel/rows/${i}`,
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
  const rows: Cell[][] = requests.rows.map((row) => [untrusted(row.request), count(row.calls)]);
  if (requests.rest) rows.push([muted(moreNote(requests.rest.keys, 'request type')), count(requests.rest.calls)]);
  return {
    title: 'Requests',
    legend: '(calls that made each request)',
    blocks: [
      rows.length > 0
        ? table('/callComplete/requests', [{ head: 'Request', flex: true }, right('Calls')], rows)
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
      count(attempted.total),
      list([
        share({ text: 'success', tone: 'good' }, attempted.success),
        share({ text: 'failed', tone: 'bad' }, attempted.failed),
      ]),
    ]);
  }
  if (received.total > 0) {
    rows.push([
      'CallReceived',
      count(received.total),
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
      count(sms.total),
      list([
        ...parts.filter(([, count]) => count > 0).map(([spans]) => spans),
        ...(sms.inferred > 0 ? [[{ text: `${n(sms.inferred)} inferred from the numbers` }]] : []),
      ]),
    ]);
  }
  const blocks: Block[] = [table('', [{ head: 'Event' }, right('Events'), { head: 'Split', flex: true }], rows)];
  if (attempted.byNote.rows.length > 0) {
    const notes: Cell[][] = attempted.byNote.rows.map((row) => [
      row.note === null ? muted(ownNotes.noNote) : untrusted(row.note),
      count(row.count),
      percent(row.percent),
    ]);
    const rest = attempted.byNote.rest;
    if (rest) notes.push([muted(moreNote(rest.keys, 'note')), count(rest.count), percent(rest.percent)]);
    blocks.push(
      table('/callAttempted/byNote', [{ head: 'Failure note', flex: true }, right('Attempts'), right('%')], notes),
    );
  }
  return { title: 'Attempts and contacts', blocks };
}

function groupSection(groups: GroupTable, report: SummaryReport): Section {
  const shown = shownStatuses(report.callComplete.byStatus);
  // Programs get every status, and the other event types, in columns of their own.
  const programsOnly = (column: Column): Column => ({ ...column, only: 'programs' });
  const rows: Row[] = groups.rows.map((row) => [
    untrusted(row.key),
    count(row.events),
    count(row.byType.CallComplete),
    ...reportedStatuses.map((s) => count(row.byStatus[s])),
    row.completeGroupPercent === null ? null : percent(row.completeGroupPercent, '%'),
    count(row.byType.CallAttempted),
    count(row.attemptsFailed),
    count(row.byType.CallReceived),
    count(row.byType.SMSSent),
    count(row.byType.SMSReceived),
    count(row.byType.SMS),
  ]);
  if (groups.rest) rows.push(rowFor('people', [muted(moreNote(groups.rest.keys)), count(groups.rest.events)]));
  const order = groups.by === 'day' || groups.by === 'hour' ? 'in time order' : 'by events';
  return {
    title: `By ${groups.by}`,
    legend: `(${order}; Calls = CallComplete; Compl. grp = Complete + Partial)`,
    blocks: [
      table(
        '/groups',
        [
          { head: byLabels[groups.by], key: byKeys[groups.by], flex: true },
          right('Events', undefined, 'events'),
          right('CallComplete', 'Calls', 'callComplete'),
          ...reportedStatuses.map((s) => {
            const column = { ...statusColumn(s), key: statusKeys[s] };
            return shown.includes(s) ? column : programsOnly(column);
          }),
          { ...right('Complete group', 'Compl. grp', 'completeGroupPercent'), decimals: 1 },
          ...(
            [
              ['CallAttempted', 'callAttempted'],
              ['CallAttempted failed', 'callAttemptedFailed'],
              ['CallReceived', 'callReceived'],
              ['SMSSent', 'smsSent'],
              ['SMSReceived', 'smsReceived'],
              ['SMS (direction unknown)', 'smsUnknownDirection'],
            ] as const
          ).map(([head, key]) => programsOnly(right(head, undefined, key))),
        ],
        rows,
        { key: groups.by },
      ),
    ],
  };
}
