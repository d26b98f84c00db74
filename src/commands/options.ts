/**
 * Every option's closed set and parser, in one place, for every command: cli.ts builds its
 * commander options from these, so a value is checked once, at the boundary, before any logic,
 * and every bad value is reported the same way (exit 2):
 *
 *     callhook: --limit: must be a whole number of at least 1 (got "0")
 *
 * Hint: plain code rather than valibot, because commander calls these while parsing argv and
 * `callhook --help` must not pay for loading the schema library. A parser throws a CallhookError,
 * which commander lets through to the one error funnel (src/errors.ts).
 */
import { type Command, Option } from 'commander';
import { generateEnvelopes, generateFormats, schemaDrafts } from '../core/generate-names.js';
import { reportedStatuses, statusGroupChoices, summaryDimensions } from '../core/summary-names.js';
import { CallhookError, ExitCode, quoted } from '../errors.js';
import { mentionsCredential, redactRefusedUrl } from '../http/credentials.js';
import {
  defaultHmacHeader,
  defaultSecretEnv,
  defaultToleranceSeconds,
  hasQuote,
  headerLineFault,
  headerNameCharacters,
  replayMethods,
  signatureHeaderRefusal,
  signSchemes,
} from '../http/names.js';
import { defaultMaxProblems, largestElementBytes, largestMaxProblems } from '../input/types.js';
import { narrowestWidth, summaryFormats, validationFormats, viewFormats } from '../render/formats.js';
import { attemptStatuses, digitsPattern, eventTypes } from '../schema/names.js';

/** The usage error of one option: `--name: must be <what> (got "<value>")`. */
export function optionError(name: string, must: string, got?: string): CallhookError {
  const value = got === undefined ? '' : ` (got ${quoted(got)})`;
  return new CallhookError(`${name}: must be ${must}${value}`, ExitCode.usage);
}

/**
 * The error refusing a header line typed (replay's `-H`, verify's `--header`): it quotes the line,
 * unless a credential's word appears anywhere in it (`mentionsCredential`); then it says what is
 * wrong without any of its text, for a terminal or a CI log to show.
 */
export function headerLineError(name: string, must: string, line: string): CallhookError {
  if (!mentionsCredential(line)) return optionError(name, must, line);
  const why = headerLineFault(line);
  return optionError(name, `${must} (got a line naming a credential, not shown${why === undefined ? '' : `: ${why}`})`);
}

const byteUnits: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/**
 * A parser of a size in bytes: a number with an optional `k`, `M` or `G` (powers of 1024, `KiB`,
 * `MB` and the like read the same), from one byte to 511M.
 */
export function byteSize(name: string): (value: string) => number {
  return (value) => {
    const match = /^([0-9]+(?:\.[0-9]+)?)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(value.trim());
    const bytes = match
      ? Math.floor(Number(match[1]) * (byteUnits[(match[2] ?? '').toLowerCase()] ?? Number.NaN))
      : Number.NaN;
    if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > largestElementBytes) {
      throw optionError(name, 'a size in bytes from 1 to 511M, such as 65536, 512k or 64M', value);
    }
    return bytes;
  };
}

/**
 * A parser of a file or folder to write: any name but `-`, which reads as stdout and would
 * otherwise make a file named `-` in the current folder (`instead` says what does what was meant);
 * '' and an option, which are what `--journal $J --resume` gives with J unset, naming no file or
 * the next option (a journal named `--resume`, and every batch sent again: red team hT74). A name
 * that begins with `-` is given as `./-name`.
 */
export function outputName(name: string, what: 'file' | 'folder', instead?: string): (value: string) => string {
  return (value) => {
    if (value === '') throw optionError(name, `a ${what} name`, value);
    if (value === '-') {
      const hint = instead === undefined ? '' : ` (${instead})`;
      throw new CallhookError(`${name}: must name a ${what}, not "-"${hint}`, ExitCode.usage);
    }
    // Hint: a short option's value is all that follows it: `-o=x.json` named a file `=x.json` (red team hT74).
    if (value.startsWith('=')) {
      throw new CallhookError(
        // Hint: the name whole, to be copied; cut, it named no file (review hR73).
        `${name}: must name a ${what}, not one whose name begins with "=": write ${name}=${value.slice(1)} (or ./${value})`,
        ExitCode.usage,
      );
    }
    if (value.startsWith('-')) {
      throw new CallhookError(
        `${name}: must name a ${what}, not an option (${quoted(value)}): give the ${what} after ${name}, and one whose name begins with - as ./${value}`,
        ExitCode.usage,
      );
    }
    return value;
  };
}

/** A parser of a whole number of at least `min` (at most `max`). */
export function wholeNumber(
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  unit?: 'seconds' | 'milliseconds',
): (value: string) => number {
  return (value) => {
    const trimmed = value.trim();
    const number = Number(trimmed);
    if (!/^[0-9]+$/.test(trimmed) || !Number.isSafeInteger(number) || number < min || number > max) {
      // A number past the largest exact one is told the limit, not just the least it may be.
      const tooLarge = /^[0-9]+$/.test(trimmed) && number >= min;
      const range =
        max === Number.MAX_SAFE_INTEGER && !tooLarge
          ? `${unit === undefined ? 'of' : `of ${unit},`} at least ${min}`
          : `${unit === undefined ? '' : `of ${unit} `}from ${min} to ${max}`;
      throw optionError(name, `a whole number ${range}`, value);
    }
    return number;
  };
}

/**
 * A parser of a number (a fraction allowed) above `min` (or from it, with `from`) and at most
 * `max`; `what` names it in the message, e.g. "a number of seconds".
 */
export function decimal(
  name: string,
  range: { min: number; max: number; from?: boolean; what?: string; to?: string },
): (value: string) => number {
  const what = range.what ?? 'a number';
  const to = range.to ?? `at most ${range.max}`;
  const must = range.from ? `${what} from ${range.min} to ${range.max}` : `${what} more than ${range.min} and ${to}`;
  return (value) => {
    const trimmed = value.trim();
    const number = Number(trimmed);
    const above = range.from ? number >= range.min : number > range.min;
    // Hint: one way to split the digits (`[0-9]+\.?[0-9]*` tried each, quadratic in a long value).
    if (!/^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(trimmed) || !above || number > range.max) {
      throw optionError(name, must, value);
    }
    return number;
  };
}

/** The longest time an option takes in seconds: a day (Node's timers hold at most ~24.8 days). */
const maxSeconds = 86_400;

/**
 * A parser of a duration typed in seconds (a fraction allowed), more than 0 and at most a day, as
 * whole milliseconds rounded up: the one way every timeout and wait is read. Hint: node:http takes
 * integers only, and reads 0 as no timeout at all, so a value under a millisecond is 1 ms; the
 * seconds are first rounded to nanoseconds, so that 0.007 is 7 ms and not 7.000000000000001 made 8.
 */
export function durationMs(name: string): (value: string) => number {
  const parse = decimal(name, {
    min: 0,
    max: maxSeconds,
    what: 'a number of seconds',
    to: `at most ${maxSeconds} (a day)`,
  });
  return (value) => Math.max(1, Math.ceil(Math.round(parse(value) * 1e9) / 1e6));
}

/**
 * A parser of an http or https URL, whose user info (sent as Basic auth) must decode; what it
 * refuses is quoted with its user info hidden (`redactRefusedUrl`).
 */
export function httpUrl(name: string): (value: string) => URL {
  return (value) => {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (url === undefined || !/^https?:$/.test(url.protocol))
      throw optionError(name, 'an http(s) URL', redactRefusedUrl(value));
    try {
      decodeURIComponent(url.username);
      decodeURIComponent(url.password);
    } catch {
      throw optionError(name, 'an http(s) URL whose user info is percent-encoded', redactRefusedUrl(value));
    }
    return url;
  };
}

/**
 * `--secret-env`, the name of an environment variable (letters, digits and `_`, not first a
 * digit), `CALLHOOK_SECRET` when not given: replay's, listen's and verify's alike. Hint: what was
 * given is never quoted, and `whsec_…` is refused: `--secret-env "$SECRET"` puts the secret itself
 * here, and an error must not print it to a terminal or a CI log.
 */
export function secretEnvName(value: string = defaultSecretEnv): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || value.startsWith('whsec_')) {
    throw optionError(
      '--secret-env',
      `the name of an environment variable, such as ${defaultSecretEnv}, not the secret itself`,
    );
  }
  return value;
}

/**
 * What is wrong with the signing options given together: `--secret-env` without `--sign` (the
 * deliveries went out unsigned without a word), `--signature-header` without `--sign hmac`, and
 * an option about the timestamp (`--tolerance`, verify's `--now` and `--ignore-timestamp`) where
 * no timestamp is checked: without `--sign`, with `--sign hmac` (which signs none), or beside
 * `--ignore-timestamp`.
 */
export function signingProblems(raw: {
  sign?: string | undefined;
  secretEnv?: string;
  signatureHeader?: string;
  tolerance?: string | undefined;
  now?: string | undefined;
  ignoreTimestamp?: boolean | undefined;
}): string[] {
  const problems: string[] = [];
  const timestampOptions = [
    ['--tolerance', raw.tolerance !== undefined],
    ['--now', raw.now !== undefined],
    ['--ignore-timestamp', raw.ignoreTimestamp === true],
  ] as const;
  for (const [name, given] of timestampOptions) {
    if (!given) continue;
    if (raw.sign === undefined) problems.push(`${name}: needs --sign, or no timestamp is checked`);
    else if (raw.sign === 'hmac') problems.push(`${name}: needs --sign standard: hmac signs no timestamp`);
    else if (name !== '--ignore-timestamp' && raw.ignoreTimestamp) {
      problems.push(`${name}: cannot be combined with --ignore-timestamp, which checks no timestamp`);
    }
  }
  if (raw.secretEnv !== undefined && raw.sign === undefined) {
    problems.push('--secret-env: needs --sign, or nothing is signed with the secret it names');
  }
  if (raw.signatureHeader !== undefined && raw.sign !== 'hmac') {
    problems.push('--signature-header: needs --sign hmac (the standard scheme has headers of its own)');
  }
  return problems;
}

/** The parser of `--signature-header`: an HTTP header name the request does not set itself. */
export function signatureHeaderName(value: string): string {
  const name = '--signature-header';
  // Hint: typed, a quote in it is a shell or CI quote kept (see `headerLineParts`).
  if (!headerNameCharacters.test(value) || hasQuote.test(value)) throw optionError(name, 'an HTTP header name', value);
  const refusal = signatureHeaderRefusal(value);
  if (refusal !== undefined) throw optionError(name, refusal, value);
  return value;
}

/**
 * Parses every option of a command at once: `parsers` maps each setting to a thunk that parses
 * it. Every usage error is collected (with `problems`, those found beforehand) and thrown as
 * one line, `--a: must be ...; --b: must be ...`, so a run with three bad options says all three.
 */
export function parseAll<P extends Record<string, () => unknown>>(
  parsers: P,
  problems: string[] = [],
): { [K in keyof P]: ReturnType<P[K]> } {
  const parsed: Record<string, unknown> = {};
  for (const [key, parse] of Object.entries(parsers)) {
    try {
      parsed[key] = parse();
    } catch (error) {
      if (!(error instanceof CallhookError)) throw error;
      problems.push(error.message);
    }
  }
  // Hint: one line, as every error is (formatFatal escapes a line break in a message).
  if (problems.length > 0) throw new CallhookError(problems.join('; '), ExitCode.usage);
  return parsed as { [K in keyof P]: ReturnType<P[K]> };
}

/** Parses `value` with `parse` unless it is undefined (an option not given, without a default). */
export function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

/** Lower-case letters and digits only: `Not Complete`, `not-complete` and `NOTCOMPLETE` compare equal. */
function loose(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A parser of one of `choices`, in any case (and spacing): returns the choice as it is spelled in the set. */
export function oneOf<T extends string>(name: string, choices: readonly T[]): (value: string) => T {
  const byLoose = new Map(choices.map((choice) => [loose(choice), choice]));
  return (value) => {
    const found = byLoose.get(loose(value));
    if (found === undefined) throw optionError(name, `one of ${choices.join(', ')}`, value);
    return found;
  };
}

/**
 * A parser of a repeatable, comma-separated list of `choices`, any case; values collect across
 * repeats, each once. A value naming no choice (`""`, `","`) is refused: as a filter it would
 * mean everything to one reader and nothing to another.
 */
export function listOf<T extends string>(name: string, choices: readonly T[]): (value: string, previous?: T[]) => T[] {
  const one = oneOf(name, choices);
  return collecting((value, previous) => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0) throw optionError(name, `one of ${choices.join(', ')}`, value);
    return [...new Set([...(previous ?? []), ...items.map(one)])];
  });
}

/**
 * A parser of a phone number: digits, as validate reads the numbers of every type but
 * CallComplete (a short code, a national number: review hR64), `+`, spaces, dots, dashes and
 * brackets ignored; anything else could match no valid event, so it is refused as a typo rather
 * than reported as not found.
 */
function phoneNumber(name: string): (value: string) => string {
  return (value) => {
    const digits = value.replace(/[\s()+.-]/g, '');
    if (!digitsPattern.test(digits)) throw optionError(name, 'digits, e.g. 61491573087', value);
    return digits;
  };
}

// Hint: every id the schema accepts has this shape, so a dash out of place (an id pasted without
// its dashes) would match no event: it is refused as a typo rather than reported as not found.
const uuidShape = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
const startsLikeUuid = (id: string) =>
  id.length > 0 &&
  id.length <= uuidShape.length &&
  [...id].every((char, i) => (uuidShape[i] === '-' ? char === '-' : /[0-9a-f]/.test(char)));

/** A parser of a UUID or its first characters (hex digits, dashes where a UUID has them), lower-cased. */
export function idPrefix(name: string): (value: string) => string {
  return (value) => {
    const id = value.trim().toLowerCase();
    if (!startsLikeUuid(id))
      throw optionError(name, 'a UUID or the start of one, dashes included (8-4-4-4-12 hex digits)', value);
    return id;
  };
}

/**
 * Refuses, on the command line of `command`, an option that takes one value given twice: commander
 * keeps the last value and drops the first without a word (`show --phone A --phone B` showed B's
 * events alone, `summarise --by day --by phone` one table). An option that collects its values
 * (its parser made by `repeated` or `listOf`) may repeat. Hint: the values are not quoted, since
 * one may be a secret or a URL with a password in it.
 */
export function refuseRepeats(command: Command): void {
  for (const option of command.options) {
    if (!(option.required || option.optional) || (option.parseArg && collectors.has(option.parseArg))) continue;
    let given = false;
    command.on(`option:${option.name()}`, () => {
      if (given) throw new CallhookError(`${option.long ?? option.flags}: must be given once (it takes one value)`);
      given = true;
    });
  }
}

/** A parser that collects a repeatable option, each value parsed by `parse`. */
export function repeated<T>(parse: (value: string) => T): (value: string, previous?: T[]) => T[] {
  return collecting((value, previous) => [...(previous ?? []), parse(value)]);
}

/** The parsers that collect an option's values across repeats (`repeated`, `listOf`): see `refuseRepeats`. */
const collectors = new WeakSet<object>();

function collecting<P extends object>(parser: P): P {
  collectors.add(parser);
  return parser;
}

export { largestSeed, maxCampaigns } from '../core/generate-names.js';
export { largestBatch } from '../http/names.js';

/** `replay --rate`'s range, in requests per second. */
export const rateRange = { min: 0.001, max: 100_000 } as const;
/** The most requests `replay --concurrency` keeps in flight at once. */
export const maxConcurrency = 1024;
/** The longest `listen --delay` before an answer, in milliseconds (ten minutes). */
export const maxDelayMs = 600_000;

/** `listen --format` and `verify --format`: lines for people, or JSON for scripts. */
export const lineFormats = ['pretty', 'json'] as const;
/** `replay --format`: a summary for people, the report as JSON, or (dry run only) curl commands. */
export const replayFormats = ['pretty', 'json', 'curl'] as const;

/** The statuses `show --status` takes: call results (an undocumented one is `Other`) and attempts. */
export const showStatuses = [...reportedStatuses, ...attemptStatuses] as const;

/** An option with a closed set: help lists the choices; any case is accepted. */
function choiceOption<T extends string>(flags: string, description: string, name: string, choices: readonly T[]) {
  return new Option(flags, description).choices(choices).argParser(oneOf(name, choices));
}

/**
 * The most of a stream (stdin, a pipe, a device) that fix holds in memory to read it more than
 * once: past it, fix refuses the stream and asks for a file, which it reads from disk instead.
 */
export const maxHeldStreamBytes = 512 * 2 ** 20;

/** The options, built once here and added by cli.ts to each command that takes them. */
export const options = {
  type: (description = 'treat every event as this type') =>
    choiceOption('--type <type>', description, '--type', eventTypes),
  viewFormat: () => choiceOption('--format <format>', 'output format', '--format', viewFormats).default('pretty'),
  summaryFormat: () => choiceOption('--format <format>', 'output format', '--format', summaryFormats).default('pretty'),
  validationFormat: () =>
    choiceOption('--format <format>', 'output format', '--format', validationFormats).default('pretty'),
  lineFormat: (description = 'output format') =>
    choiceOption('--format <format>', description, '--format', lineFormats).default('pretty'),
  replayFormat: () =>
    choiceOption(
      '--format <format>',
      'pretty summary, JSON report, or curl commands (with --dry-run)',
      '--format',
      replayFormats,
    ).default('pretty'),
  generateFormat: () => choiceOption('--format <format>', 'output format', '--format', generateFormats).default('json'),
  generateEnvelope: () =>
    choiceOption(
      '--envelope <form>',
      'wire: CallComplete in the { id, eventType, createdAt, data } envelope, the other four bare, as the platform sends them; all: every event in it',
      '--envelope',
      generateEnvelopes,
    ).default('wire'),
  types: () =>
    new Option('--type <type>', 'only events of this type (repeatable)')
      .choices(eventTypes)
      .argParser(repeated(oneOf('--type', eventTypes))),
  by: () =>
    choiceOption(
      '--by <dimension>',
      'add a table grouped by this (status: the outcomes table, there already once a call result was read; csv: print that table alone)',
      '--by',
      summaryDimensions,
    ),
  draft: () => choiceOption('--draft <draft>', 'JSON Schema draft', '--draft', schemaDrafts).default('2020-12'),
  method: () => choiceOption('--method <method>', 'HTTP method', '--method', replayMethods).default('POST'),
  noColor: () => new Option('--no-color', 'no colours, even on a terminal'),
  sign: (description: string) => choiceOption('--sign <scheme>', description, '--sign', signSchemes),
  // Hint: no commander defaults (help names them): a value left out is told from one given, which
  // without the scheme that uses it is refused (signingProblems).
  secretEnv: () =>
    new Option(
      '--secret-env <name>',
      `environment variable holding the secret(s), comma-separated (default: ${defaultSecretEnv})`,
    ),
  signatureHeader: () =>
    new Option('--signature-header <name>', `header for --sign hmac (default: ${defaultHmacHeader})`),
  // Hint: verify takes a capture's from its description (the one listen checked it with).
  tolerance: (description: string, recorded = false) =>
    new Option(
      '--tolerance <seconds>',
      `${description} (default: ${recorded ? `as listen checked it, else ${defaultToleranceSeconds}` : defaultToleranceSeconds})`,
    ),
  // Hint: one default for both: verify reads a --body up to what listen would have taken.
  maxBody: (description: string) => new Option('--max-body <size>', description).default('5mb'),
  // Times are read in the action (src/commands/time-range.ts): the reader lives with the
  // schemas, which --help must not load.
  since: () =>
    new Option(
      '--since <time>',
      'only events at or after this time, to the millisecond (a finer fraction is cut): 2022-09-01, an ISO time (UTC unless it says), or a duration before now, 2h or 7d',
    ),
  until: () => new Option('--until <time>', 'only events before this time, to the millisecond'),
  limit: () => new Option('--limit <n>', 'stop after n events').argParser(wholeNumber('--limit', 1)),
  width: (what = 'wrap') =>
    new Option(
      '--width <columns>',
      `${what} to this many columns, at least ${narrowestWidth} (default: the terminal width, 80 when piped)`,
    ).argParser(wholeNumber('--width', narrowestWidth)),
  top: () =>
    new Option('--top <n>', 'rows kept in ranked lists (reasons, campaigns, questions...); 0 keeps all')
      .argParser(wholeNumber('--top', 0))
      .default(10),
  batchSize: (description: string) =>
    new Option('--batch-size <n>', description).argParser(wholeNumber('--batch-size', 1)),
  maxProblems: (what = 'problems') =>
    new Option('--max-problems <n>', `list at most this many ${what} (all are still counted)`)
      .argParser(wholeNumber('--max-problems', 1, largestMaxProblems))
      .default(defaultMaxProblems),
  orgNumber: () =>
    new Option(
      '--org-number <digits>',
      "one of the organisation's own numbers, so SMS to it were received and from it sent (repeatable)",
    ).argParser(repeated(phoneNumber('--org-number'))),
  showStatus: () =>
    new Option('--status <status>', 'only these statuses (repeatable, or comma-separated)')
      .choices(showStatuses)
      .argParser(listOf('--status', showStatuses)),
  summaryStatus: () =>
    new Option('--status <status>', 'only CallComplete events with this status (repeatable, or comma-separated)')
      .choices(reportedStatuses)
      .argParser(listOf('--status', reportedStatuses)),
  group: () => choiceOption('--group <group>', 'only call results of this status group', '--group', statusGroupChoices),
  phone: () =>
    new Option('--phone <digits>', 'only events with this phone number (phone, from or to)').argParser(
      phoneNumber('--phone'),
    ),
  campaign: () =>
    new Option('--campaign <id>', 'only this campaignId (or its start)').argParser(idPrefix('--campaign')),
  id: () =>
    new Option('--id <id>', 'only this event id, sessionId or callResultId (or its start)').argParser(idPrefix('--id')),
  correlation: () =>
    new Option('--correlation <id>', 'only this correlationId (or its start)').argParser(idPrefix('--correlation')),
  maxElementSize: () =>
    new Option(
      '--max-element-size <size>',
      'skip (and report) an element larger than this: bytes, or with k or M, at most 511M (default: 64M)',
    ).argParser(byteSize('--max-element-size')),
};
