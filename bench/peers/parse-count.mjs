// The plain baseline: read the whole file, JSON.parse it, count its events. No validation, no
// summary: what any tool must do at least, and what a user would write first.
import { readFileSync } from 'node:fs';

const events = JSON.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(`${Array.isArray(events) ? events.length : 1}\n`);
