// A floor, not a peer: the least a reader written in JavaScript does with an export, streaming it
// in 1 MiB reads and following only its structure (nesting, and where strings end, found by
// Buffer.indexOf, which skips a string's text in native code) to count the elements of its
// top-level array. No value is decoded, nothing validated or summarised. Prints that count.
import { closeSync, openSync, readSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/peers/structure-scan.mjs <export.json>\n');
  process.exit(2);
}
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const fd = openSync(file, 'r');
const buffer = Buffer.allocUnsafe(2 ** 20);
let depth = 0;
let elements = 0;
let inString = false;
// A backslash ended the previous read inside a string: the first byte of this one is escaped.
let escaped = false;
for (let length = readSync(fd, buffer); length > 0; length = readSync(fd, buffer)) {
  const bytes = length === buffer.length ? buffer : buffer.subarray(0, length);
  let at = 0;
  while (at < length) {
    if (inString) {
      if (escaped) {
        escaped = false;
        at++;
        continue;
      }
      const quote = bytes.indexOf(QUOTE, at);
      const end = quote === -1 ? length : quote;
      // The backslashes just before the quote (or the end of the read): an odd run escapes it.
      let run = 0;
      while (end - run - 1 >= at && bytes[end - run - 1] === BACKSLASH) run++;
      if (quote === -1) {
        escaped = run % 2 === 1;
        at = length;
      } else if (run % 2 === 1) at = quote + 1;
      else {
        inString = false;
        at = quote + 1;
      }
      continue;
    }
    const byte = bytes[at++];
    if (byte === QUOTE) inString = true;
    else if (byte === 0x7b || byte === 0x5b) depth++;
    else if ((byte === 0x7d || byte === 0x5d) && --depth === 1) elements++;
  }
}
closeSync(fd);
process.stdout.write(`${elements}\n`);
