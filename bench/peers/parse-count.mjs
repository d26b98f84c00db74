// The plain baseline: read the whole file, JSON.parse it, count its events. No validation, no
// summary: what any tool must do at least, and what a user would write first.
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/peers/parse-count.mjs <export.json>\n');
  process.exit(2);
}
const events = JSON.parse(readFileSync(file, 'utf8'));
process.stdout.write(`${Array.isArray(events) ? events.length : 1}\n`);
