/** `callhook verify`: checks the signatures of captured deliveries, or of one body and its headers, offline. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { maxHeaderSize } from 'node:http';
import type { Command } from 'commander';
import { instantOf } from '../core/instant.js';
import { CallhookError, describeIoError, ExitCode } from '../errors.js';
import { defaultHmacHeader, defaultToleranceSeconds, headerLineParts } from '../http/names.js';
import { parseSecrets, type SignScheme } from '../http/signing.js';
import {
  type HeaderSource,
  shownFromWire,
  utf16Text,
  verifyHexHmacWithKeys,
  verifyStandardWebhookWithKeys,
} from '../http/verify.js';
import { NEWLINE, UTF8_BOM } from '../input/bytes.js';
import {
  BodyChanged,
  BodyUnreadable,
  CaptureCoverage,
  CapturedBodies,
  type CapturedDelivery,
  type Coverage,
  capturedDeliveries,
  type LogEnd,
} from '../input/captures.js';
import { optionSize } from '../input/element.js';
import { filesBelow, ownStream, refuseOutputAmong } from '../input/read.js';
import { namesStdin, processStdin } from '../input/stdin.js';
import { captureLogName, stdinName } from '../input/types.js';
import { realPathOf } from '../output-file.js';
import { colorsFor, escapeTerminal, terminalWidth } from '../render/terminal.js';
import { renderVerifyJson, renderVerifyLine, renderVerifyTotals, type VerifiedDelivery } from '../server/render.js';
import {
  byteSize,
  headerLineError,
  type lineFormats,
  optional,
  parseAll,
  secretEnvName,
  signatureHeaderName,
  signingProblems,
  wholeNumber,
} from './options.js';
import { warnOnStderr } from './output.js';
import { finishWithoutStdout } from './signals.js';
import { timeOption } from './time-range.js';

/** The options `verify` takes, as commander parsed them. */
interface RawVerifyOptions {
  sign: SignScheme;
  secretEnv?: string | undefined;
  signatureHeader?: string | undefined;
  tolerance?: string | undefined;
  ignoreTimestamp?: boolean;
  now?: string;
  body?: string;
  header?: string[];
  headers?: string;
  maxBody: string;
  format: (typeof lineFormats)[number];
  width?: number;
}

/**
 * The lines of a head's bytes with their numbers (from 1), each a character a byte, as node:http
 * gives a receiver a header, so a value is checked as the bytes sent (a Latin-1 webhook-id too):
 * those with text, up to the blank line (one `trim()` of its UTF-8 text empties) that ends them,
 * blank lines before them skipped; `ended` when that blank line has come whole. Hint: the one
 * rule of both the reader and where reading a file may stop, which once disagreed on a form feed.
 */
function headOf(read: Buffer): { lines: Array<[number, string]>; ended: boolean } {
  // Hint: a file saved as UTF-16 with its mark (PowerShell 5.1's `>`, Notepad's "Unicode") is
  // read as the UTF-8 of its text (red team hR124), a read cut after an odd byte to its whole units.
  const wide = utf16Text(read.length % 2 === 0 ? read : read.subarray(0, -1));
  const bytes = wide === undefined ? read : Buffer.from(wide, 'utf8');
  // Hint: an editor (Notepad) may begin the file with a byte order mark, which is no header's text.
  const all = bytes
    .subarray(UTF8_BOM.equals(bytes.subarray(0, UTF8_BOM.length)) ? UTF8_BOM.length : 0)
    .toString('latin1')
    .split(/\r?\n/);
  const lines: Array<[number, string]> = [];
  for (const [i, line] of all.entries()) {
    if (Buffer.from(line, 'latin1').toString('utf8').trim() !== '') lines.push([i + 1, line]);
    // A blank line is whole once a line follows it (the last piece may yet be continued).
    else if (lines.length > 0) return { lines, ended: i < all.length - 1 };
  }
  return { lines, ended: false };
}

/**
 * `Name: value` lines, up to the blank line that ends them (a raw HTTP head is fine: its request
 * or status line is skipped, and a body after it is not read; so is a byte order mark).
 */
export function parseHeaderLines(bytes: Buffer, where: string): [string, string][] {
  const headers: [string, string][] = [];
  for (const [at, [number, line]] of headOf(bytes).lines.entries()) {
    if (at === 0 && /^(HTTP\/|[A-Z]+ \S+ HTTP\/)/.test(line)) continue;
    const parts = headerLineParts(line);
    if ('expected' in parts) throw new CallhookError(`${where}:${number}: expected ${parts.expected}`, ExitCode.usage);
    headers.push([parts.name, parts.value]);
  }
  return headers;
}

/** One `--header "Name: value"` (the `index`-th given, from 0). */
export function parseHeaderOption(value: string, index: number): [string, string] {
  const parts = headerLineParts(value, true);
  if ('expected' in parts) throw headerLineError(`--header #${index + 1}`, parts.expected, value);
  return [parts.name, parts.value];
}

/**
 * Headers as a receiver on node:http has them, from values given each a character a byte (as a
 * capture and a head file hold them), with the webhook-id to show, read as listen shows it
 * (`shownFromWire`).
 */
function asHeaderSource(pairs: readonly (readonly [string, string])[]): {
  headers: Record<string, string[]>;
  webhookId: string | undefined;
} {
  const headers: Record<string, string[]> = Object.create(null);
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    headers[key] = [...(headers[key] ?? []), value];
  }
  const id = headers['webhook-id']?.[0];
  return { headers, webhookId: id === undefined ? undefined : shownFromWire(id) };
}

/** Why bytes of a folder's event files that no description names fail. */
const notCaptured = `no line of ${captureLogName} describes it, yet validate, summarise, show and replay read it as captured (a body a crash left unanswered, or one added since)`;

/** The name a file given to verify goes by: `<stdin>` for `-`. */
const nameOf = (path: string) => (path === '-' ? stdinName : path);

/**
 * The bytes of `path` (`-`: stdin), refused as `tooLarge` as soon as they pass `limit` bytes: a
 * device or a pipe that never ends (/dev/zero) is not read into memory whole. With `enough`, the
 * read ends once the first `limit` bytes satisfy it (a head read whole, whatever follows it).
 */
async function readAtMost(
  path: string,
  limit: number,
  tooLarge: string,
  enough?: (read: Buffer) => boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const info = path === '-' ? undefined : await stat(path).catch(() => undefined);
  const own = info && ownStream(info);
  if (own) throw new CallhookError(`${nameOf(path)}: cannot be read: ${own}`, ExitCode.usage);
  // Whether the chunk before held a line feed: in UTF-16 its line's end is whole only with the byte after.
  let lineFeedBefore = false;
  try {
    for await (const chunk of (path === '-' ? processStdin() : createReadStream(path)) as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      // Hint: asked only when a line ended (or the byte after its line feed came, review hR126: a
      // UTF-16 head trickling in waited for the end of stdin): one trickling in a byte at a time
      // was joined again for each.
      const lineFeed = chunk.includes(NEWLINE);
      const asked = lineFeed || lineFeedBefore;
      lineFeedBefore = lineFeed;
      const read = enough && asked ? Buffer.concat(chunks, size).subarray(0, limit) : undefined;
      if (read && enough?.(read)) return read;
      if (size > limit) throw new CallhookError(`${nameOf(path)}: ${tooLarge}`);
    }
  } catch (error) {
    throw error instanceof CallhookError ? error : describeIoError(error, nameOf(path));
  }
  return Buffer.concat(chunks, size);
}

/**
 * The files the reading commands take from the folders among `paths`, each with its size now (a
 * folder named twice, `verify cap cap/`, is gone through once).
 */
async function eventFilesOf(paths: readonly string[]): Promise<{ name: string; size: number }[]> {
  const folders = new Set<string>();
  const files: { name: string; size: number }[] = [];
  for (const path of paths) {
    if (folders.has(realPathOf(path)) || !(await stat(path).catch(() => undefined))?.isDirectory()) continue;
    folders.add(realPathOf(path));
    for (const { name, path: file } of await filesBelow(path)) {
      // Hint: by its path, not the name printed (a name that is not UTF-8 is no path: review
      // hR62). One gone meanwhile (a listen's own temporary file) has nothing to vouch for; one
      // that cannot be looked at is gone through whole.
      const size = await stat(file).then(
        (stats) => stats.size,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Number.MAX_SAFE_INTEGER),
      );
      if (size !== undefined) files.push({ name, size });
    }
  }
  return files;
}

/**
 * The `verify` action: exit 0 when every signature holds, 1 when any does not, 2 for usage errors;
 * `command`, commander's, says whether --sign was given or is the default.
 */
export async function verify(paths: string[], raw: RawVerifyOptions, command?: Command): Promise<void> {
  finishWithoutStdout();
  const { tolerance, now, secretEnv, signatureHeader, maxBody } = parseAll(
    {
      secretEnv: () => secretEnvName(raw.secretEnv),
      signatureHeader: () => signatureHeaderName(raw.signatureHeader ?? defaultHmacHeader),
      tolerance: () => optional(raw.tolerance, wholeNumber('--tolerance', 0, undefined, 'seconds')),
      maxBody: () => byteSize('--max-body')(raw.maxBody),
      now: () => timeOption('--now', raw.now, Date.now()),
    },
    signingProblems(raw),
  );
  if (raw.body !== undefined && paths.length > 0) {
    throw new CallhookError('give captured files or folders, or --body with its headers, not both');
  }
  if (raw.body === undefined && (raw.header !== undefined || raw.headers !== undefined)) {
    throw new CallhookError('--header, --headers: apply only with --body FILE');
  }
  if (raw.body !== undefined && raw.headers !== undefined && namesStdin(raw.body) && namesStdin(raw.headers)) {
    throw new CallhookError('--body, --headers: stdin is named twice, and can be read only once');
  }
  // Hint: a capture is a folder of files (a log and the bodies it names), which stdin cannot be.
  if (paths.includes('-')) {
    throw new CallhookError(
      '-: verify reads captures (folders of listen --out, or their files), not stdin; to check one body read from stdin, give --body - with its --header or --headers',
    );
  }
  if (raw.body === undefined && paths.length === 0) {
    throw new CallhookError('nothing to verify: name captured files or folders, or give --body FILE with --header');
  }
  // As `cat f >> f` refuses: what is checked would have the output added to it (a capture's body fails then).
  await refuseOutputAmong(
    raw.body === undefined ? paths : [],
    raw.body === undefined ? [] : [raw.body, ...(raw.headers === undefined ? [] : [raw.headers])],
  );
  // Hint: `--sign standard` named to one who never typed it reads as a flag they got wrong.
  const defaulted = command?.getOptionValueSource('sign') === 'default';
  const chosen = defaulted ? 'verify checks Standard Webhooks signatures by default (--sign standard) and' : undefined;
  const keys = parseSecrets(process.env[secretEnv], raw.sign, secretEnv, chosen);
  // Hint: a capture is checked with the tolerance listen checked it with, as its sender was answered.
  const check = (body: Buffer, headers: HeaderSource, at: number | undefined, recorded?: number) =>
    raw.sign === 'standard'
      ? verifyStandardWebhookWithKeys(body, headers, {
          keys,
          toleranceSeconds: tolerance ?? recorded ?? defaultToleranceSeconds,
          now: at,
          ignoreTimestamp: raw.ignoreTimestamp === true,
          reserialised: true,
        })
      : verifyHexHmacWithKeys(body, headers, { keys, header: signatureHeader, reserialised: true });

  const totals = { checked: 0, failed: 0, unreadable: 0, unreadableBodies: 0, undescribed: 0 };
  const c = colorsFor(process.stdout);
  const width = raw.width ?? terminalWidth(process.stdout);
  /**
   * One line of output: of a delivery `checked`, of bytes no description names (`undescribed`,
   * no delivery), or of a delivery whose body could not be read (`unchecked`).
   */
  const show = (result: VerifiedDelivery, kind: 'checked' | 'undescribed' | 'unchecked' = 'checked') => {
    if (kind === 'checked') totals.checked++;
    // Hint: set before the line is written, so a reader that goes away (| head) cannot turn a
    // failure into a pass; a body that could not be read is an I/O error, which no verdict outweighs.
    if (!result.result.ok) {
      if (kind === 'checked') totals.failed++;
      else if (kind === 'undescribed') totals.undescribed += result.lines ?? 1;
      else totals.unreadableBodies++;
      process.exitCode = totals.unreadableBodies > 0 ? ExitCode.usage : ExitCode.invalid;
    }
    process.stdout.write(raw.format === 'json' ? renderVerifyJson(result) : renderVerifyLine(result, c, width));
  };
  // Hint: every body, a capture's as --body, is read no further than listen would have read it (413 past it).
  const tooLarge = `a body of more than --max-body (${optionSize(maxBody)}), which listen would refuse (413); raise --max-body to check it`;
  if (raw.body !== undefined) {
    // Hint: a head is read up to node:http's limit (431 past it), as listen reads one.
    const head = `more than ${optionSize(maxHeaderSize)} of headers, which listen would refuse (431)`;
    const fromFile =
      raw.headers === undefined
        ? []
        : parseHeaderLines(
            await readAtMost(raw.headers, maxHeaderSize, head, (read) => headOf(read).ended),
            nameOf(raw.headers),
          );
    const typed = (raw.header ?? []).map(parseHeaderOption);
    const pairs = [
      ...fromFile,
      // Hint: a value typed is text, sent as its UTF-8, which node:http gives a character a byte.
      ...typed.map(([name, value]): [string, string] => [name, Buffer.from(value).toString('latin1')]),
    ];
    // Hint: a byte that is not UTF-8 on the command line (`$'webhook-id: m\xe9'`) reaches Node as
    // U+FFFD, so the value checked is not the one sent, and the verdict blamed the secret (red
    // team hR129): said, with the way to keep the bytes.
    for (const [name] of typed.filter(([, value]) => value.includes('\ufffd'))) {
      warnOnStderr(
        `--header ${escapeTerminal(name)}: its value holds U+FFFD, which stands for a byte that is not UTF-8 on the command line: that value is checked, not the bytes sent; give the head in a file (--headers FILE) to keep them`,
        raw.width,
      );
    }
    const body = await readAtMost(raw.body, maxBody, tooLarge);
    const { headers, webhookId } = asHeaderSource(pairs);
    show({ name: nameOf(raw.body), webhookId, result: check(body, headers, now) });
  } else {
    // Every path is found (and a typo fails) before anything is checked; deliveries are then
    // read one at a time, so a long capture is never held whole.
    const bodies = new CapturedBodies({ bytes: maxBody, reason: tooLarge });
    const covered = new CaptureCoverage(bodies);
    try {
      // What the reading commands take from a folder given is what verify vouches for: every
      // byte of its event files must be a body a description names. Hint: the files as they are
      // before the log is read, sizes and all: a listen still writing the folder saves a body
      // before its line of the log, so one saved since is left for the next run, as the reading
      // commands leave what is appended while they read (hT64: "11 not captured", exit 1); so is
      // one saved before whose line came after the log was read (see `CaptureCoverage.undescribed`).
      const folders = await eventFilesOf(paths);
      const unreadable = (where: string, why: string) => {
        totals.unreadable++;
        warnOnStderr(`${where}: ${why}: the delivery it described is not checked`, raw.width, [where]);
      };
      /** The deliveries named more than once (`verify cap cap/000001.json`), each checked once: the first, and how many. */
      const namedAgain = { first: undefined as string | undefined, count: 0 };
      const logRead = (log: string, end: LogEnd) => covered.logRead(log, end);
      /**
       * Checks `delivery`: with `add`, recorded as covered first (a delivery named twice, its folder
       * and its file, is checked once; a body another line of the log describes too is not read
       * again: 200 such lines read one 5 MB body 200 times), then its body read and its signature checked.
       */
      const checkDelivery = async (delivery: CapturedDelivery, add: boolean) => {
        // Hint: a capture holds the headers as they came over HTTP, a character per byte.
        const { headers, webhookId: id } = asHeaderSource(delivery.meta.headers);
        let body: Buffer;
        try {
          // Hint: in the try, as finding where a line begins may read the file.
          const coverage: Coverage = add ? await covered.add(delivery) : { kind: 'new' };
          if (coverage.kind === 'again') {
            namedAgain.first ??= delivery.where;
            namedAgain.count++;
            return;
          }
          if (coverage.kind === 'twice') {
            const message = `${escapeTerminal(delivery.describedBy)} describes a body that ${escapeTerminal(coverage.first)} describes already: a line of the log repeated, no delivery of its own`;
            show({ name: delivery.where, webhookId: id, result: { ok: false, reason: 'not-captured', message } });
            return;
          }
          body = await bodies.read(delivery);
        } catch (error) {
          // A body that cannot be read (an I/O error, or no regular file), or the file a repeated
          // line's is looked for in, is not checked, said on stderr too, and one changed since
          // listen saved it fails its delivery; the others are still checked either way.
          if (error instanceof BodyUnreadable) {
            covered.unread(delivery);
            const message = `${error.reason}: its signature cannot be checked`;
            show(
              { name: delivery.where, webhookId: id, result: { ok: false, reason: 'body-unreadable', message } },
              'unchecked',
            );
            // Hint: a warning, as an unreadable line of the log is: the run goes on. Its exit code, 2, is
            // set by `show` (`unreadableBodies`), not by the way it is said.
            warnOnStderr(`${error.message}: its delivery is not checked`, raw.width, [delivery.where]);
            return;
          }
          if (!(error instanceof BodyChanged)) throw error;
          const message = `${BodyChanged.reason}: its signature cannot be checked`;
          show({ name: delivery.where, webhookId: id, result: { ok: false, reason: 'body-changed', message } });
          return;
        }
        // Hint: a capture is checked against the moment it was received, so an old capture still
        // says whether its timestamp was fresh then (a line whose time cannot be read was refused);
        // --now overrides it.
        const at = now ?? instantOf(delivery.meta.receivedAt);
        show({ name: delivery.where, webhookId: id, result: check(body, headers, at, delivery.meta.tolerance) });
      };
      for await (const delivery of capturedDeliveries(paths, unreadable, logRead)) await checkDelivery(delivery, true);
      // Hint: one warning, whatever their number: `verify cap cap` names every delivery twice.
      const { first, count } = namedAgain;
      if (first !== undefined) {
        warnOnStderr(
          count === 1
            ? `${first} is named twice; checked once`
            : `${count} deliveries are named twice (${first}, …); each checked once`,
          raw.width,
          [first],
        );
      }
      for await (const { where, lines } of covered.undescribed(folders)) {
        const result = { ok: false, reason: 'not-captured', message: notCaptured } as const;
        show({ name: where, webhookId: undefined, result, lines }, 'undescribed');
      }
      // Hint: a body of the folder as it was when verify began that only a line the log gained
      // since describes is checked too, not left unsaid (see `CaptureCoverage.explainedSince`).
      for (const delivery of covered.explainedSince()) await checkDelivery(delivery, false);
    } finally {
      await bodies.close();
    }
    // Nothing checked is not a pass: a listen that received nothing, or a log whose every line was cut.
    if (totals.checked === 0 && totals.unreadableBodies === 0) {
      throw new CallhookError(`${paths.join(', ')}: no captured deliveries (${captureLogName} describes none)`);
    }
  }
  if (raw.format !== 'json') process.stdout.write(renderVerifyTotals(totals, c, width));
  // Hint: a body that could not be read is an I/O error, which no verdict of the others outweighs.
  if (totals.unreadableBodies > 0) process.exitCode = ExitCode.usage;
  else process.exitCode = totals.failed === 0 && totals.undescribed === 0 ? ExitCode.ok : ExitCode.invalid;
}
