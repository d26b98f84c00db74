// DuckDB (@duckdb/node-api, installed by the bench into bench/.peers) computing what `callhook
// summarise` reports of an export's CallComplete events, as an expert would ask it: read_json with
// the format and the needed columns declared, redeliveries dropped by id into a temporary table,
// then one GROUP BY per table of the report (statuses, reasons by status, campaigns by status,
// requests once per call, each campaign's funnel: the questions its calls reached, and where
// Partial calls stopped) and the time range. It validates nothing. Prints the results as JSON
// for the bench to hold against callhook's report.
import { createRequire } from 'node:module';

const peers = createRequire(new URL('../.peers/package.json', import.meta.url));
const { DuckDBInstance } = await import(peers.resolve('@duckdb/node-api'));

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/peers/duckdb-report.mjs <export.json>\n');
  process.exit(2);
}
const quoted = `'${file.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const data =
  'STRUCT(status VARCHAR, startedTime VARCHAR, campaignId VARCHAR, additionalInformation VARCHAR, lastStepName VARCHAR, flow STRUCT(questionName VARCHAR)[], requests VARCHAR[])';
await connection.run(`
  CREATE TEMP TABLE calls AS
  SELECT DISTINCT ON (id) id, data.*
  FROM read_json(${quoted}, format = 'array', columns = {id: 'VARCHAR', eventType: 'VARCHAR', data: '${data}'})
  WHERE eventType = 'CallComplete'`);

/**
 * The rows of a query.
 * @param {string} sql
 * @returns {Promise<unknown[][]>}
 */
const rows = async (sql) => (await connection.runAndReadAll(sql)).getRows();

const steps = `list_transform(flow, (step) -> step.questionName)`;
const [[total, first, last] = []] = await rows(
  'SELECT count(*)::INTEGER, min(startedTime), max(startedTime) FROM calls',
);
const byStatus = await rows('SELECT status, count(*)::INTEGER FROM calls GROUP BY ALL');
const byReason = await rows('SELECT status, additionalInformation, count(*)::INTEGER FROM calls GROUP BY ALL');
const byCampaign = await rows('SELECT campaignId, status, count(*)::INTEGER FROM calls GROUP BY ALL');
const requests = await rows(
  'SELECT request, count(*)::INTEGER FROM (SELECT unnest(list_distinct(requests)) AS request FROM calls) GROUP BY ALL',
);
const reached = await rows(`
  SELECT campaignId, question, count(*)::INTEGER FROM (
    SELECT campaignId, unnest(list_distinct(list_concat(${steps}, CASE WHEN lastStepName IS NULL THEN [] ELSE [lastStepName] END))) AS question
    FROM calls)
  GROUP BY ALL`);
const stops = await rows(`
  SELECT campaignId, coalesce(lastStepName, ${steps}[-1]) AS stop, count(*)::INTEGER FROM calls
  WHERE status = 'Partial' AND stop IS NOT NULL GROUP BY ALL`);

/** @type {Record<string, Record<string, Record<string, number>>>} */
const nested = {};
/** @param {unknown[][]} table @param {string} name */
const nest = (table, name) => {
  /** @type {Record<string, Record<string, number>>} */
  const out = {};
  for (const [outer, inner, n] of table) {
    const key = String(outer);
    out[key] ??= {};
    (out[key] ?? {})[String(inner)] = Number(n);
  }
  nested[name] = out;
};
nest(byReason, 'byReason');
nest(byCampaign, 'byCampaign');
nest(reached, 'reached');
nest(stops, 'partialStops');
process.stdout.write(
  JSON.stringify({
    total,
    first,
    last,
    byStatus: Object.fromEntries(byStatus.map(([status, n]) => [status, n])),
    requests: Object.fromEntries(requests.map(([request, n]) => [request, n])),
    ...nested,
  }),
);
