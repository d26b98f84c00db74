// ajv (installed by the bench into bench/.peers) validating an export against the JSON Schema
// that `callhook schema` exports, compiled once (its UUIDs and timestamps are patterns, so no
// format plugin is needed): read the whole file, JSON.parse it, validate each event.
//   node bench/peers/ajv-validate.mjs <schema.json> <export.json>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const peers = createRequire(new URL('../.peers/package.json', import.meta.url));
const [schemaFile, file] = process.argv.slice(2);
if (!schemaFile || !file) {
  process.stderr.write('usage: node bench/peers/ajv-validate.mjs <schema.json> <export.json>\n');
  process.exit(2);
}
const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
// The draft the schema says it is written in picks ajv's class.
const draft = String(schema.$schema ?? '');
const entry = draft.includes('2020-12') ? 'ajv/dist/2020' : draft.includes('2019-09') ? 'ajv/dist/2019' : 'ajv';
const { default: Ajv } = await import(peers.resolve(entry));
const ajv = new Ajv({ strict: false, allErrors: false });
const validate = ajv.compile(schema);

const events = JSON.parse(readFileSync(file, 'utf8'));
let valid = 0;
// A schema of a batch (an array of events) checks the whole file at once; one of an event, each.
if (schema.type === 'array') valid = validate(events) ? events.length : 0;
else for (const event of events) if (validate(event)) valid++;
process.stdout.write(`${valid}\n`);
