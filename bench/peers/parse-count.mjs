// The plain baseline: read the whole file, JSON.parse it, count its events. No validation, no
// summary: what any tool must do at least, and what a user would write first. Given a folder, the
// same for each of its files, one after another.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [path] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: node bench/peers/parse-count.mjs <export.json | folder>\n');
  process.exit(2);
}
const count = (/** @type {string} */ file) => {
  const events = JSON.parse(readFileSync(file, 'utf8'));
  return Array.isArray(events) ? events.length : 1;
};
const files = statSync(path).isDirectory()
  ? readdirSync(path)
      .sort()
      .map((name) => join(path, name))
  : [path];
process.stdout.write(`${files.reduce((sum, file) => sum + count(file), 0)}\n`);
