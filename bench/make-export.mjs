// Writes a large, realistic webhook export for benchmarks, streaming: memory stays flat however
// many events are asked for, and the file system's pace sets the generator's (back-pressure).
//
//   npm run build
//   node bench/make-export.mjs --events 100000 --format array --out bench/out/export-100k.json [--seed 1] [--only CallComplete] [--redeliver 2 [--redeliver-after 500]]
//
// Formats: `array` is one pretty-printed JSON array (2-space indent, as a human-saved export
// looks), `minified` the same array on one line (as a POST body), `ndjson` one event per line,
// `platform` the pretty array with every line at column 1 (as the platform's own examples are).
// `--redeliver P` makes it look like a real export, where the platform redelivers: P% of the
// events (picked at random, seeded) come again, byte for byte, `--redeliver-after` events later
// (500 by default). `--events` counts the copies too.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const formats = /** @type {const} */ (['array', 'minified', 'ndjson', 'platform']);
const eventTypes = ['CallComplete', 'CallAttempted', 'CallReceived', 'SMSSent', 'SMSReceived'];
const usage = `usage: node bench/make-export.mjs --events <n> --out <file> [--format ${formats.join('|')}] [--seed <n>] [--only <event type>] [--redeliver <percent> [--redeliver-after <n>]]`;
// Hint: fs streams buffer 16 KiB; handing them ~256 KiB strings keeps the per-write cost negligible
// while the pipeline's own buffer (a few chunks) still bounds memory to a few MiB.
const chunkChars = 256 * 1024;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`make-export: ${message}\n${usage}\n`);
  process.exit(2);
}

/**
 * @param {string | undefined} value
 * @param {string} name
 * @param {number} [fallback] the value when the option is missing; without it, it is required
 * @returns {number}
 */
function integerOption(value, name, fallback) {
  if (value === undefined) {
    if (fallback === undefined) fail(`--${name} is required`);
    return fallback;
  }
  const number = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(number) || number < 0)
    fail(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return number;
}

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

function parseOptions() {
  try {
    return parseArgs({
      options: {
        events: { type: 'string' },
        format: { type: 'string', default: 'array' },
        out: { type: 'string' },
        seed: { type: 'string' },
        only: { type: 'string' },
        redeliver: { type: 'string' },
        'redeliver-after': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return fail(messageOf(error));
  }
}
const args = parseOptions();
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const total = integerOption(args.events, 'events');
const seed = integerOption(args.seed, 'seed', 1);
const redeliverPercent = args.redeliver === undefined ? 0 : Number(args.redeliver);
if (!(redeliverPercent >= 0 && redeliverPercent <= 100)) {
  fail(`--redeliver must be a percentage from 0 to 100, got ${JSON.stringify(args.redeliver)}`);
}
const redeliverAfter = integerOption(args['redeliver-after'], 'redeliver-after', 500);
const format = args.format;
if (!isFormat(format)) fail(`--format must be one of ${formats.join(', ')}, got ${JSON.stringify(args.format)}`);
if (args.only !== undefined && !eventTypes.includes(args.only)) {
  fail(`--only must be one of ${eventTypes.join(', ')}, got ${JSON.stringify(args.only)}`);
}
const out = args.out;
if (!out) fail('--out is required');

/** @returns {Promise<typeof import('../dist/index.js')>} */
async function loadLibrary() {
  try {
    return await import('../dist/index.js');
  } catch (error) {
    return fail(`cannot load the built library (run \`npm run build\` first): ${messageOf(error)}`);
  }
}
const library = await loadLibrary();

/** @typedef {typeof formats[number]} Format */

/**
 * @param {string} value
 * @returns {value is Format}
 */
function isFormat(value) {
  return /** @type {readonly string[]} */ (formats).includes(value);
}

/**
 * The text of one event in the chosen format, without the separator that joins events.
 * @type {Record<Format, (event: unknown) => string>}
 */
const encoders = {
  array: (event) => `  ${JSON.stringify(event, null, 2).replaceAll('\n', '\n  ')}`,
  minified: (event) => JSON.stringify(event),
  ndjson: (event) => JSON.stringify(event),
  // The platform's own examples put every line at column 1, nested objects' too.
  platform: (event) => JSON.stringify(event, null, 2).replace(/\n +/g, '\n'),
};
const layouts = {
  array: { open: '[\n', separator: ',\n', close: '\n]\n', empty: '[]\n' },
  minified: { open: '[', separator: ',', close: ']\n', empty: '[]\n' },
  ndjson: { open: '', separator: '\n', close: '\n', empty: '' },
  platform: { open: '[\n', separator: ',\n', close: '\n]\n', empty: '[]\n' },
};

/**
 * A small seeded pseudo-random generator (mulberry32): numbers in [0, 1).
 * @param {number} state
 * @returns {() => number}
 */
function mulberry32(state) {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Yields the file's text in ~256 KiB chunks; lazy, so it runs only as fast as the disk takes it.
 * @param {Format} format
 * @param {number} count
 * @returns {Generator<string, void>}
 */
function* chunks(format, count) {
  const encode = encoders[format];
  const layout = layouts[format];
  if (count === 0) {
    yield layout.empty;
    return;
  }
  let buffer = layout.open;
  let written = 0;
  const random = mulberry32(seed);
  // Copies to write, each when `written` reaches its `due` (in the order they fall due).
  /** @type {{ due: number, text: string }[]} */
  const redeliveries = [];
  const put = (/** @type {string} */ text) => {
    buffer += (written === 0 ? '' : layout.separator) + text;
    written++;
  };
  // Hint: the call count is effectively unbounded; we stop after `count` events, which may cut
  // the last call's story short. That is fine for a benchmark input.
  for (const { type, event } of library.generateTypedCalls({ seed, calls: Number.MAX_SAFE_INTEGER })) {
    if (args.only && type !== args.only) continue;
    for (let next = redeliveries[0]; next && next.due <= written && written < count; next = redeliveries[0]) {
      redeliveries.shift();
      put(next.text);
    }
    if (written === count) break;
    const text = encode(event);
    put(text);
    if (random() * 100 < redeliverPercent) redeliveries.push({ due: written + redeliverAfter, text });
    if (written === count) break;
    if (buffer.length >= chunkChars) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + layout.close;
}

mkdirSync(dirname(out), { recursive: true });
const started = performance.now();
const output = createWriteStream(out);
try {
  await pipeline(Readable.from(chunks(format, total)), output);
  report();
} catch (error) {
  process.stderr.write(`make-export: cannot write ${out}: ${messageOf(error)}\n`);
  process.exitCode = 2;
}

function report() {
  const seconds = (performance.now() - started) / 1000;
  const bytes = output.bytesWritten;
  process.stderr.write(
    `make-export: wrote ${total} events, ${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB, ${Math.round(bytes / Math.max(total, 1))} B/event) ` +
      `to ${out} as ${format}${args.only ? ` (${args.only} only)` : ''}${redeliverPercent ? `, ${redeliverPercent}% redelivered ${redeliverAfter} events later` : ''}, seed ${seed}, in ${seconds.toFixed(1)} s\n`,
  );
}
