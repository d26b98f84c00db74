// DuckDB (@duckdb/node-api, installed by the bench into bench/.peers) counting an export's
// CallComplete events by status, as an expert would ask it: read_json with the format and the
// needed columns declared (so nothing else is typed or kept), then one GROUP BY. Prints the
// counts as a JSON object, as the naive loop does.
import { createRequire } from 'node:module';

const peers = createRequire(new URL('../.peers/package.json', import.meta.url));
const { DuckDBInstance } = await import(peers.resolve('@duckdb/node-api'));

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/peers/duckdb-summarise.mjs <export.json>\n');
  process.exit(2);
}
const quoted = `'${file.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(`
  SELECT data.status AS status, count(*)::INTEGER AS n
  FROM read_json(${quoted}, format = 'array', columns = {eventType: 'VARCHAR', data: 'STRUCT(status VARCHAR)'})
  WHERE eventType = 'CallComplete'
  GROUP BY ALL`);
/** @type {Record<string, number>} */
const counts = {};
for (const [status, n] of reader.getRows()) counts[status] = n;
process.stdout.write(JSON.stringify(counts));
