// The naive baseline for validate and summarise: read the whole file, JSON.parse it, loop over
// the events checking each with the same schemas. What a user would write by hand.
import { readFileSync } from 'node:fs';
import { checkEvent } from '../dist/index.js';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/naive-validate.mjs <export.json>\n');
  process.exit(2);
}
const events = JSON.parse(readFileSync(file, 'utf8'));
let valid = 0;
for (const event of events) if (checkEvent(event).event) valid++;
process.stdout.write(`${valid}\n`);
