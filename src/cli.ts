/** The `callhook` command line: one subcommand per capability, each initialised only when it runs. */
import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import { isatty } from 'node:tty';
import { Command, CommanderError, Help, Option } from 'commander';
import { exitOnceWritten, sayBeforeExit, stdoutGone } from './commands/signals.js';
import { version } from './version.js';
import { writeWholeWhenFile } from './write-all.js';

/**
 * The exit codes of a command, as its help lists them; `one` says what exit 1 means there, and
 * `zero` what exit 0 does (a command that warns passes with warnings alone).
 */
const exitCodes = (one: string, zero = 'success (warnings alone still pass)') => `Exit codes:
  0    ${zero}
  1    ${one}
  2    usage or I/O error (bad option, missing file)
  ${interruptedCodes}`;

/** The line of a command's exit codes for the signals that stop it, as every help says it. */
const interruptedCodes = '130  interrupted by Ctrl-C; 143 by SIGTERM; 129 by SIGHUP';

/**
 * Help that fits 80 columns and reads plainly: choices and defaults unquoted, every alias of a
 * command listed (`summarise|summary|summarize`).
 */
class CallhookHelp extends Help {
  override subcommandTerm(cmd: Command): string {
    const args = cmd.registeredArguments.map((arg) =>
      arg.required ? `<${arg.name()}${arg.variadic ? '...' : ''}>` : `[${arg.name()}${arg.variadic ? '...' : ''}]`,
    );
    // Hint: no `[options]` (every command has some, listed in its own help), so that the list of
    // commands leaves room at 80 columns for their descriptions to wrap beside it.
    return [namesOf(cmd), ...args].join(' ');
  }

  // Hint: commander's own names the first alias alone (`callhook summarise|summary`).
  override commandUsage(cmd: Command): string {
    return [cmd.parent ? cmd.parent.name() : undefined, namesOf(cmd), cmd.usage()].filter(Boolean).join(' ');
  }

  override optionDescription(option: Option): string {
    const extra: string[] = [];
    if (option.argChoices) extra.push(`choices: ${option.argChoices.join(', ')}`);
    const shown =
      option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === 'boolean');
    if (option.defaultValue !== undefined && shown && !option.negate) {
      extra.push(`default: ${option.defaultValueDescription ?? String(option.defaultValue)}`);
    }
    return extra.length > 0 ? `${option.description} (${extra.join('; ')})` : option.description;
  }
}

/** A command's name and every alias, as help lists them: `summarise|summary|summarize`. */
const namesOf = (cmd: Command) => [cmd.name(), ...cmd.aliases()].join('|');

/** Wraps a command's action so every failure goes through the one error funnel. */
function run<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void> | void>) {
  return async (...args: A) => {
    try {
      const command = args.at(-1);
      if (command instanceof Command) await refuseReplacedNames(command);
      const action = await load();
      await action(...args);
    } catch (error) {
      await reportFatal(error);
    }
  };
}

/** Refuses a file name typed to be read that holds U+FFFD (see `replacementCharacterError`): its paths, `--body` and `--headers`. */
async function refuseReplacedNames(command: Command): Promise<void> {
  if (!process.argv.some((argument) => argument.includes('\ufffd'))) return;
  const names: unknown[] = [command.opts().body, command.opts().headers];
  command.registeredArguments.forEach((argument, i) => {
    if (argument.name() === 'paths') names.push(...[command.processedArgs[i]].flat());
  });
  const replaced = names.find((name) => typeof name === 'string' && name.includes('\ufffd'));
  if (typeof replaced !== 'string') return;
  const { replacementCharacterError } = await import('./errors.js');
  throw replacementCharacterError(replaced, 'read');
}

/**
 * Prints the one line the error funnel makes of `error` and sets the exit code; the funnel is
 * initialised only on the way out, so that start-up does not pay for it.
 */
async function reportFatal(error: unknown): Promise<void> {
  const { CallhookError, excerpt, formatFatal } = await import('./errors.js');
  // Every commander error is a usage error, said as callhook says every error.
  const { message, exitCode } = formatFatal(
    error instanceof CommanderError ? new CallhookError(usageMessage(error, excerpt)) : error,
  );
  process.stderr.write(`${message}\n`);
  process.exitCode = exitCode;
}

/** A commander command whose help, and its subcommands' help, is `CallhookHelp`. */
class CallhookCommand extends Command {
  override createCommand(name?: string): Command {
    return new CallhookCommand(name);
  }

  override createHelp(): Help {
    return Object.assign(new CallhookHelp(), this.configureHelp());
  }
}

/**
 * What the reading commands take as paths, as their help says it (see `listSources`). Hint: one
 * text, so that no command's help leaves out the rule for a folder's compressed files.
 */
const pathsHelp =
  'files, folders (their *.json, *.ndjson and *.jsonl, in any case; compressed files and archives are skipped with a warning) or - for stdin';

const program = new CallhookCommand('callhook')
  .description('Validate, read, summarise and replay webhook payloads of the AI voice-calling platform.')
  .version(version, '-V, --version', 'print the version')
  .helpOption('-h, --help', 'show help')
  .helpCommand('help [command]', "show a command's help")
  .showSuggestionAfterError()
  // Hint: commander stops wrapping descriptions when fewer than minWidthToWrap (default 40)
  // columns remain beside the longest command; at 80 columns `trace [options] <correlationId>
  // <paths...>` leaves 33, and the whole list would run to 120 columns.
  .configureHelp({ sortSubcommands: false, minWidthToWrap: 30, helpWidth: 80 })
  // Hint: commander's own errors (unknown command or option, missing argument) are not printed
  // by commander but thrown, and go through the one funnel below, in callhook's one style.
  .configureOutput({ outputError: () => {} })
  .addHelpText(
    'after',
    `
Examples:
  $ callhook validate fixtures/                 check every file under a folder
  $ callhook fix webhook.json --write           repair the examples' commas
  $ callhook show export.json --group failed    read failed calls' flows
  $ callhook trace d07b9760 export.json         one scheduled call's story
  $ callhook summary export.json --by campaign  how did each campaign go
  $ callhook replay fixtures/valid --url http://localhost:3000/hook

${exitCodes('invalid input, a failed delivery, or nothing matched (show, trace)')}`,
  )
  .exitOverride();

/**
 * Each command's options and help text, by name: added only to the command that runs (or whose
 * help is shown), so that `callhook --version` and `callhook --help` build none of them and load
 * no option parser or list of choices.
 */
const details = new Map<string, (command: Command, parsers: typeof import('./commands/options.js')) => Command>();

/** The reading options show and trace share. */
function addViewOptions(command: Command, options: typeof import('./commands/options.js')['options']): Command {
  return command
    .option('--mask', 'hide phone numbers (last 3 digits kept) and names (initials), in every output')
    .addOption(options.viewFormat())
    .addOption(options.type('read every event as this type (e.g. SMSReceived)'))
    .addOption(options.orgNumber())
    .addOption(options.width())
    .option('--no-pager', 'never page the output through $PAGER')
    .addOption(options.noColor())
    .addOption(options.maxElementSize());
}

program
  .command('validate')
  .description('check webhook JSON files against the documented payloads')
  .argument('<paths...>', pathsHelp)
  .action(run(async () => (await import('./commands/validate.js')).validate));
details.set('validate', (command, { options }) =>
  command
    .addOption(options.type())
    .option('--strict', 'report fields the documentation does not name as errors')
    .addOption(options.batchSize('warn about batches with more events than this'))
    .addOption(options.validationFormat())
    .option('-q, --quiet', 'pretty: print only failing files, what failed them, and the totals')
    .addOption(options.maxProblems('problems that fail the run, and as many that do not'))
    .option('--warnings-as-errors', 'fail on warnings too')
    .addOption(options.width())
    .addOption(options.noColor())
    .addOption(options.maxElementSize())
    .addHelpText(
      'after',
      `
Examples:
  $ callhook validate fixtures/valid
  $ callhook validate export.ndjson --strict --batch-size 100
  $ callhook validate webhooks/ --format github    annotations in GitHub Actions
  $ curl -s https://example.test/hook.json | callhook validate -

${exitCodes('invalid input (errors; warnings too with --warnings-as-errors)')}`,
    ),
);

program
  .command('fix')
  .description('repair stray, missing and trailing commas, a missing colon, and an export cut off at its end')
  .argument('<paths...>', pathsHelp)
  .action(run(async () => (await import('./commands/fix.js')).fix));
details.set('fix', (command, { options, maxHeldStreamBytes }) =>
  command
    .option('-w, --write', 'rewrite each file in place, keeping the original as <file>.bak')
    .addOption(options.maxProblems('repairs or problems it cannot repair'))
    .addOption(options.width('wrap the problems it cannot repair'))
    .addOption(options.noColor())
    .addOption(options.maxElementSize())
    .addHelpText(
      'after',
      `
Prints the repaired JSON on stdout (each file after a ==> name <== line when
there are several); --write rewrites each file in place instead, keeping its
mode, owner and a symlink to it. Every repair is listed on stderr with its
line:column. A mistake fix cannot repair is reported with its position
(exit 1), and nothing is written for that file. With --write, a read-only
file, a file of more than one name (hard links), and anything but a regular
file (a pipe, a device), is refused (exit 2).
Stdin, a pipe or a device is held in memory, up to ${maxHeldStreamBytes / 2 ** 20} MiB; a larger
one is refused (exit 2): save it to a file and fix the file.

Examples:
  $ callhook fix fixtures/doc-examples/call-complete.json > repaired.json
  $ callhook fix webhook.json --write
  $ callhook fix exports/ --write

${exitCodes('a mistake fix cannot repair (nothing is written)', 'success')}`,
    ),
);

program
  .command('show')
  .alias('flow')
  .summary('show call flows, transcripts and events as people read them')
  .description(
    'Show each CallComplete as a readable call flow (status, steps, transcripts, requests, outcome) and every other event as one line. Payload text is escaped; output wraps to the terminal and is paged when longer than the screen.',
  )
  .argument('<paths...>', pathsHelp)
  .action(run(async () => (await import('./commands/show.js')).show));
details.set('show', (command, { options }) =>
  addViewOptions(
    command
      .addOption(options.showStatus())
      .addOption(options.group())
      .addOption(options.campaign())
      .addOption(options.phone())
      .addOption(options.id())
      .addOption(options.correlation())
      .addOption(options.since())
      .addOption(options.until())
      .option(
        '--grep <text>',
        'only events whose transcripts or messages contain this text (case-insensitive; é precomposed or as e and U+0301 alike); highlights it',
      )
      .addOption(options.limit()),
    options,
  ).addHelpText(
    'after',
    `
Examples:
  $ callhook show export.json --group failed
  $ callhook show calls/ --grep "human" --mask --format markdown
  $ callhook show export.json --format json --status Partial | jq '.[].id'
  $ callhook show big.json | head

Invalid events are reported on stderr as warnings naming file:line:column, and
skipped; a call result of a status the platform does not document is shown.

Exit codes:
  0    shown (skipped invalid events, or | head ending early, do not change it)
  1    no event matched the filters given (--status, --campaign, --grep, ...)
  2    usage or I/O error (bad option, missing file, a file that is not text,
       a $PAGER that failed)
  ${interruptedCodes}`,
  ),
);

program
  .command('trace')
  .summary('tell the story of one scheduled call across event types, in time order')
  .description(
    'Collect every event with this correlationId (or its start): attempts with failure notes, callbacks, SMS both ways and the final CallComplete with its flow, in time order.',
  )
  .argument('<correlationId>', 'the correlationId, or its first characters')
  .argument('<paths...>', pathsHelp)
  .action(run(async () => (await import('./commands/trace.js')).trace));
details.set('trace', (command, { options }) =>
  addViewOptions(command, options).addHelpText(
    'after',
    `
Examples:
  $ callhook trace d07b9760 export.json
  $ callhook trace d07b9760-9c74-4c12-919b-3b88adbf5863 exports/ --format json

Exit codes:
  0    the call's events were found
  1    no event has this correlationId (as show's filters that match nothing)
  2    usage or I/O error (bad option, missing file, a file that is not text,
       a prefix of several calls, a $PAGER that failed)
  ${interruptedCodes}`,
  ),
);

program
  .command('summarise')
  .aliases(['summary', 'summarize'])
  .summary('how did it go: outcomes, reasons, campaigns, drop-off, attempts and contacts')
  .description(
    'Summarise an export in one pass: events by type, outcomes by status and group, reasons, campaigns, the drop-off funnel of each campaign, requests, attempts and contacts; optionally a table by campaign, day, hour or phone.',
  )
  .argument('[paths...]', `${pathsHelp} (the default when piped)`)
  .action(run(async () => (await import('./commands/summarise.js')).summarise));
details.set('summarise', (command, { options }) =>
  command
    .addOption(options.summaryFormat())
    .addOption(options.by())
    .addOption(options.top())
    .addOption(options.since())
    .addOption(options.until())
    .addOption(options.summaryStatus())
    .addOption(options.orgNumber())
    .addOption(options.type())
    .option(
      '--strict',
      'fail (exit 1) when anything is invalid: an element, a problem between elements, an undocumented status (an event with an unknown field is invalid, so not counted)',
    )
    .option(
      '--mask',
      "hide phone numbers (last 3 digits kept): a --by phone table's, and those in reasons, notes, questions and requests",
    )
    .addOption(options.width())
    .addOption(options.noColor())
    .addOption(options.maxElementSize())
    .addHelpText(
      'after',
      `
Events are read once, as a stream. A repeated event id (a redelivery) is
counted once; invalid elements are counted and skipped (see \`callhook
validate\`); a status the platform does not document is counted as Other.
Percentages of a whole add up to exactly 100.0. A bare SMS was sent when it
went to a number some call had as its phone (a customer's) or came from an
--org-number, and received the other way round. A file that is not text (gzip,
binary, UTF-16) is read up to where that begins, and the report still printed:
exit 2.

Examples:
  $ callhook summarise export.json
  $ callhook summarise webhooks/ --by day --since 2022-09-01 --until 2022-10-01
  $ callhook summary export.json --status Partial --top 20
  $ callhook summarise export.json --format json | jq .callComplete.byGroup
  $ callhook summarise export.json --by campaign --format csv --top 0 > out.csv
  $ callhook summarize export.json --by phone --org-number 61491570006

${exitCodes('no event, only errors (empty input); with --strict, anything invalid')}`,
    ),
);

// --- generate and schema (issue 14) ---------------------------------------------------------------
program
  .command('generate')
  .summary('write realistic, seeded webhook traffic (optionally with the published mistakes)')
  .description(
    'Generate realistic webhook events: outbound campaigns whose calls share a correlationId (attempts with failure notes, callbacks, SMS both ways, then one CallComplete; one record in ten has no correlationId, as in the documented examples), inbound calls, every status with plausible reasons, human-support requests and multi-step transcripts. Phone numbers are fictitious. The same seed gives byte-identical output with the same callhook version.',
  )
  .action(run(async () => (await import('./commands/generate.js')).generate));
details.set('generate', (command, { options, outputName, repeated, largestSeed, maxCampaigns }) =>
  command
    .option('--count <n>', 'how many events, redeliveries included', '100')
    .option(
      '--seed <n>',
      `seed of the generator, 0 to ${largestSeed}: the same seed gives the same bytes (with the same version)`,
      '1',
    )
    .option(
      '--campaigns <k>',
      `spread the calls over k campaigns (default 3: two outbound, one inbound; at most ${maxCampaigns})`,
    )
    .addOption(options.types())
    .option('--batch-size <n>', 'JSON arrays of at most n events (json: one after another; ndjson: one per line)')
    .addOption(options.generateFormat())
    .addOption(options.generateEnvelope())
    .addOption(
      new Option('-o, --out <file>', 'write to this file (created only once complete) instead of stdout').argParser(
        outputName('--out', 'file', 'without --out, generate writes to stdout'),
      ),
    )
    .option('--force', 'with --out: replace the file when it exists (kept, exit 2, without it)')
    .option(
      '--set <path=value>',
      'set a field in every event whose type has it, e.g. data.status=Partial (JSON or text; repeatable)',
      repeated(String),
    )
    .option(
      '--redeliveries <p>',
      'deliver this fraction of events a second time, a few events later (e.g. 0.02); with --batch-size, in a later batch',
    )
    .option('--defects <p>', 'put a missing/trailing comma or a missing colon into this fraction of elements')
    .option(
      '--start-time <time>',
      'time of the first call: 2022-09-01, or an ISO time (UTC unless it says; default 2022-09-01T00:00:00Z)',
    )
    .addHelpText(
      'after',
      `
Each defect is listed on stderr as file:line:column, where \`callhook validate\`
reports it. --out is written only once complete (in a new file beside it);
an existing file is replaced only with --force, and a replay journal never;
a FIFO or character device (/dev/null) is written into; a block device (a disk)
is refused.

Examples:
  $ callhook generate --count 1000 --seed 7 --out export.json
  $ callhook generate --count 200 --format ndjson --type CallComplete \\
      --set data.campaignId=5dd7681b-2188-49fc-8fc0-87b57056f436
  $ callhook generate --count 500 --batch-size 50 --redeliveries 0.02 \\
      --defects 0.01 > batches.json
  $ callhook generate --count 100000 | callhook summarise

Exit codes:
  0    written, or the reader of stdout (| head) or of a FIFO --out stopped
       reading
  2    usage or I/O error (--out exists and no --force, --out is a journal
       or a block device)
  ${interruptedCodes}: --out is left
       as it was (a FIFO or device keeps what was written)`,
    ),
);

program
  .command('schema')
  .summary('print the payload contract as JSON Schema, or as an OpenAPI 3.1 webhooks document')
  .description(
    'Print JSON Schema (draft 2020-12 by default) for one event type or all of them, built from the same valibot schemas validate uses; or, with --openapi, an OpenAPI 3.1 document whose webhooks describe each delivery.',
  )
  .action(run(async () => (await import('./commands/schema.js')).schema));
details.set('schema', (command, { options }) =>
  command
    .addOption(options.type('only this event type'))
    .addOption(options.draft())
    .option('--strict', 'mirror validate --strict: fields the documentation does not name are refused')
    .option('--openapi', 'print an OpenAPI 3.1 document: a webhook for a batch of any types, and one per type')
    .addHelpText(
      'after',
      `
The schema accepts an event exactly when validate (with the same --type and
--strict) finds no error in it; without --strict, undocumented fields are
accepted. What JSON Schema cannot express is in its $comment, and on stderr.

Examples:
  $ callhook schema > webhook-event.schema.json
  $ callhook schema --type CallComplete --draft 07
  $ callhook schema --openapi > webhooks.openapi.json

Exit codes:
  0    printed
  2    usage or I/O error (bad option, output that cannot be written)`,
    ),
);

program
  .command('listen')
  .summary('receive deliveries locally: check, show and capture them byte for byte')
  .description(
    'A local receiver for webhook deliveries: reads each request up to --max-body, checks its signature (--sign) and its events (as validate does), answers 2xx, 400, 401, 404, 405, 408, 413, 415, 417, 422, 431 or 501 (503 while the bodies held at once fill 8 × --max-body, while its own output is not being read, or with --forward past 64 relays under way; 502 when the upstream of --forward fails; 500 when a delivery cannot be saved or handled), shows one line per delivery and its events, and with --out saves each body byte for byte, written out before the answer (on the disk itself with --durable).',
  )
  .action(run(async () => (await import('./commands/listen.js')).listen));
details.set('listen', (command, { options, outputName, maxDelayMs }) =>
  command
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8787')
    .option('--host <address>', 'address to bind (anything but loopback is warned about)', '127.0.0.1')
    .option('--path <path>', 'serve only this path (default: any)')
    .addOption(options.lineFormat('pretty lines, or NDJSON on stdout'))
    .addOption(
      options.maxBody(
        'largest body accepted (413 past it), e.g. 5mb, 512kb; 8 times it for all bodies held at once (503 past that)',
      ),
    )
    .addOption(options.type())
    .option('--accept-invalid', 'answer 2xx to JSON that fails validation (it is still reported)')
    .addOption(options.sign('verify each signature (401 when it fails)'))
    .addOption(options.secretEnv())
    .addOption(options.signatureHeader())
    .addOption(options.tolerance('with --sign standard: how far webhook-timestamp may be from now, either way'))
    .addOption(
      new Option(
        '--out <dir>',
        'save each delivery: accepted JSON as a line of NNNNNN.ndjson (or a NNNNNN.json), any other body as a NNNNNN.body, each with a line of deliveries.meta',
      ).argParser(outputName('--out', 'folder')),
    )
    .option(
      '--durable',
      'with --out: wait for the disk before each answer (survives a power loss; slower; not on Windows)',
    )
    .option('--compact', 'one line per delivery, without its events')
    .option(
      '--mask',
      'hide phone numbers (in the events, paths, ids and problems shown, and its own lines) and shorten names',
    )
    .addOption(options.width('wrap events and warnings'))
    .addOption(options.noColor())
    .option(
      '--respond <code>',
      'answer every request whose body is read with this status, or reset the connection (reset)',
    )
    .option('--fail-rate <p>', 'answer this fraction of accepted deliveries with --fail-code', '0')
    .option('--seed <n>', 'seed of --fail-rate, so a run can be repeated (default: 1)')
    .option('--fail-code <code>', 'status for --fail-rate, or reset (default: 503)')
    .option('--retry-after <seconds>', 'send Retry-After with the answers of --respond and --fail-rate')
    .option('--delay <ms>', `wait this long before each answer to a body read (at most ${maxDelayMs})`, '0')
    .option('--forward <url>', 'relay accepted deliveries there, bytes unchanged, and return its answer')
    .option('--insecure', 'with --forward: do not verify HTTPS certificates (local development only)')
    .option('--forward-timeout <seconds>', 'per forwarded request: to connect, and for headers and body (default: 30)')
    .option('--header-timeout <seconds>', 'time a sender has to send the request headers', '10')
    .option('--request-timeout <seconds>', 'time a sender has to send the whole request', '30')
    .addHelpText(
      'after',
      `
The first line on stderr is "listening on http://HOST:PORT/PATH". With
--format json, stdout carries NDJSON instead: one line when ready, one per
delivery, one when stopped.
Secrets are read from the environment, as replay reads them:
  $ export CALLHOOK_SECRET=whsec_...
  $ callhook listen --sign standard --out captured/
  $ callhook replay fixtures/valid --url http://127.0.0.1:8787/ --sign standard
  $ callhook verify captured/ && callhook summarise captured/

Examples:
  $ callhook listen --port 0 --format json
  $ callhook listen --fail-rate 0.3 --seed 7 --retry-after 1  # test retries
  $ callhook listen --respond reset               # reset every connection
  $ callhook listen --forward https://staging.example.test/hook --out captured/

With --out, a delivery's body and its line of deliveries.meta are written
before its answer, so a crash or kill of listen never loses one it answered
2xx; a power loss can lose the last seconds' files, which the operating system
has not yet put on disk. --durable also waits for the disk (the bodies flushed,
the folder and the log synced) before each answer, so a 2xx survives a power
loss too, at the cost of a trip to the disk (shared by the deliveries that
arrive meanwhile).

Ctrl-C, SIGTERM or SIGHUP stops accepting, finishes the requests in flight,
flushes the capture and prints the counts (exit 0); a second one aborts those
in flight. A reader of stdout that goes away (| head) stops it the same way,
at the next line listen writes there; one that stopped taking its lines is
waited for a second at most after a stop.

Exit codes:
  0    stopped by Ctrl-C, SIGTERM, SIGHUP or stdout closed
  2    usage or I/O error (bad option, port in use, no secret)
  130  stopped by Ctrl-C with lines stdout's reader never took; 143 by
       SIGTERM; 129 by SIGHUP`,
    ),
);

program
  .command('verify')
  .description('check webhook signatures offline and say exactly why one fails')
  .argument(
    '[paths...]',
    "captured deliveries: folders of callhook listen --out, or their files (deliveries.meta, .ndjson, .json, .body, and an earlier version's NNNNNN.meta)",
  )
  .action(run(async () => (await import('./commands/verify.js')).verify));
details.set('verify', (command, { options, repeated }) =>
  command
    .addOption(options.sign('signature scheme').default('standard'))
    .addOption(options.secretEnv())
    .addOption(options.signatureHeader())
    .addOption(
      options.tolerance('with --sign standard: how far webhook-timestamp may be from the time of receipt', true),
    )
    .option('--ignore-timestamp', 'with --sign standard: do not check webhook-timestamp')
    .option(
      '--now <time>',
      'with --sign standard: check the timestamp against this time, an ISO time (UTC unless it says) or a duration before now, 2h or 7d (default: when captured, else now)',
    )
    .option('--body <file>', 'verify one delivery: its exact body bytes (- for stdin)')
    .option('--header <header>', 'with --body: a header "Name: value" (repeatable)', repeated(String))
    .option('--headers <file>', 'with --body: a file of "Name: value" lines (a raw HTTP head is fine)')
    .addOption(options.maxBody("the largest body read, a capture's or --body's, as listen takes it (e.g. 5mb, 512kb)"))
    .addOption(options.lineFormat())
    .addOption(options.width())
    .addOption(options.noColor())
    .addHelpText(
      'after',
      `
When a signature fails, verify says which check failed: a missing or malformed
header; a timestamp too old or too new, and by how much; a body re-serialised
on the way (its compact, pretty or Python form would match: a proxy re-wrote
it); or no secret matching any signature (a wrong secret, or what the scheme
signs changed after signing: an id, timestamp or body; for hmac the body).

Examples:
  $ CALLHOOK_SECRET=whsec_... callhook verify captured/
  $ callhook verify --body body.json --header "webhook-id: msg_1" \\
      --header "webhook-timestamp: 1614265330" \\
      --header "webhook-signature: v1,..." --ignore-timestamp

Exit codes:
  0    every signature holds
  1    a signature does not hold
  2    usage or I/O error (bad option, missing file, no secret, a captured
       body that cannot be read, failed as body-unreadable: the others are
       still checked)
  ${interruptedCodes}`,
    ),
);

program
  .command('replay')
  .description('deliver events to a live URL as the platform would: batched, signed, retried')
  .argument('<paths...>', pathsHelp)
  .action(run(async () => (await import('./commands/replay.js')).replayCommand));
details.set('replay', (command, { options, outputName, maxConcurrency, repeated, largestBatch, rateRange }) =>
  command
    .option('--url <url>', 'the receiver to deliver to (http or https)')
    .option(
      '--batch-size <n>',
      `re-chunk events into arrays of at most n, up to ${largestBatch}, each of one file (default: input batches as they are)`,
    )
    .addOption(options.type())
    .option('--no-validate', 'send events that fail validation too (unparsable ones never are)')
    .option('--concurrency <n>', `requests in flight at once (1 to ${maxConcurrency})`, '4')
    .option(
      '--rate <r>',
      `at most r requests per second, retries and redirects included (${rateRange.min} to ${rateRange.max})`,
    )
    .option('--timeout <seconds>', 'per attempt, the whole exchange: connect, send, response and its body', '30')
    .option('--retries <n>', 'further attempts on network errors, timeouts, 408, 429 and 5xx', '5')
    .option('--follow-redirects', 'follow 307/308 (301/302/303 would drop the body: always reported)')
    .addOption(options.sign('sign each request'))
    .addOption(options.secretEnv())
    .addOption(options.signatureHeader())
    .option('-H, --header <header>', 'extra header "Name: value" (repeatable, each name once)', repeated(String))
    .addOption(options.method())
    .option('--insecure', 'do not verify HTTPS certificates (local development only)')
    .option('--fresh', 'new event ids, timestamps shifted so the newest is now')
    .option('--dry-run', 'print the requests instead of sending them')
    .addOption(
      new Option('--journal <file>', 'append one line per finished batch to this file').argParser(
        outputName('--journal', 'file', '--resume reads it back'),
      ),
    )
    .option(
      '--resume',
      'skip batches the --journal already confirms (same input, --batch-size, --type, --no-validate, --max-element-size, --fresh, --sign, --signature-header, --method and -H names)',
    )
    // Hint: no default in commander, so that one given is told from one not (refused where it does nothing).
    .option(
      '--linger <seconds>',
      'reading a stream (stdin, a named pipe, <(...)), send a partial --batch-size batch after this long without input (default: 1)',
    )
    .addOption(
      new Option('--report <file>', 'write the final report as JSON').argParser(
        outputName('--report', 'file', '--format json prints the report on stdout'),
      ),
    )
    .addOption(options.replayFormat())
    .addOption(options.noColor())
    .addOption(options.maxElementSize())
    .addOption(new Option('--backoff-base <ms>').hideHelp())
    .addOption(new Option('--backoff-cap <ms>').hideHelp())
    .addOption(new Option('--progress-interval <ms>').hideHelp())
    .addHelpText(
      'after',
      `
The secret is read from the environment, never from the command line:
  $ export CALLHOOK_SECRET=whsec_...
  $ callhook replay fixtures/valid --url https://example.test/hook \\
      --sign standard

Examples:
  $ callhook replay export.ndjson --url http://localhost:3000/hook \\
      --batch-size 50 --journal run.jsonl
  $ callhook replay export.ndjson --url http://localhost:3000/hook \\
      --batch-size 50 --journal run.jsonl --resume
  $ callhook replay fixtures/valid --url http://localhost:3000/hook \\
      --dry-run --format curl

Ctrl-C, SIGTERM or SIGHUP stops starting batches and lets those in
flight finish; a second signal aborts them.

Exit codes:
  0    every batch delivered
  1    a batch undelivered after its retries, 410 Gone, or nothing valid
  2    usage or I/O error (a journal that cannot be written or trusted,
       moved, deleted or emptied during the run, or whose lock another
       replay holds; too many open files on this machine)
  ${interruptedCodes}`,
    ),
);

// Hint: when the reader of a pipe goes away (`callhook show big.json | head`), the output is
// no longer wanted: end quietly instead of crashing, successfully unless a failure was already
// found (`callhook verify captured/ | head` must not pass a bad signature under pipefail); listen,
// a server, stops as on Ctrl-C instead (`stdoutGone`).
// Hint: decided at once, before a command's own wait for stdout to drain (generate, replay
// --dry-run), which the same error rejects: a handler that first waited for a chunk to load let
// that rejection be reported as an internal error, exit 2. `process.exit()` keeps an exit code
// already set, as verify's.
// Any other write error (a full disk under `> report.json`) is an I/O error: one line, exit 2,
// never a stack trace, and never exit 1, which would say the input was invalid.
writeWholeWhenFile(process.stdout);
writeWholeWhenFile(process.stderr);
// Hint: the stdio that were a terminal at the start; one that is none now had its terminal go
// (its window closed, an ssh session dropped: SIGHUP), where isatty fails as a write does (EIO).
// A terminal still there that refuses a write (a background job under `stty tostop`) is a failure.
const terminals = [0, 1, 2].filter((fd) => isatty(fd));
/** The exit code of SIGHUP (errors.js's `interruptedBy`, which is no part of every start). */
const hungUp = 128 + constants.signals.SIGHUP;
const terminalGone = (fd: number) => terminals.includes(fd) && !isatty(fd);
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // Hint: EIO from a terminal gone is its reader gone, as EPIPE is a pipe's: no failure of the
  // run's, whose SIGHUP says how it ended (hR54).
  if (error.code === 'EPIPE' || (error.code === 'EIO' && terminalGone(1))) {
    if (stdoutGone.stop) stdoutGone.stop();
    // Hint: a run its terminal hung up on ends as SIGHUP ends it, 129, whether the signal came
    // first or not at all (a disowned job): generate, whose signal handler had not yet run when
    // its write failed, ended with the code set so far, 0, where show was ended by SIGHUP (hF66).
    else if (error.code === 'EIO') process.exit(hungUp);
    else process.exit();
    return;
  }
  // Hint: said once: every write after the first fails too, and each would say it again before
  // the exit (a full disk under show wrote two lines once the handler waited on a second chunk).
  if (stdoutGone.failing) return;
  stdoutGone.failing = true;
  sayBeforeExit(
    import('./errors.js').then(({ describeIoError, formatFatal }) => {
      const { message, exitCode } = formatFatal(describeIoError(error, '<stdout>'));
      process.stderr.write(`${message}\n`);
      stdoutGone.failed = exitCode;
      // Hint: a run that finishes without stdout does so here too, and ends with this exit code (see
      // the exit hook below): a server answers the requests in flight, which exiting here reset (a
      // full disk under `listen > log`, red team hT70), and replay writes its --report (hF66).
      if (stdoutGone.stop) stdoutGone.stop();
      else process.exit(exitCode);
    }),
  );
});

// Hint: stderr's reader going away (`callhook show x 2>&1 | head`) is no failure either: the
// diagnostics are no longer wanted, and the results go on (the same pipe on stdout ends the run
// quietly). Another write error on stderr (a full disk under `2> log`) cannot be reported, but the
// exit code still says it: 2, an I/O error. Nor is its terminal gone (see `terminalGone`).
let stderrFailed = false;
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
  const gone =
    error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || (error.code === 'EIO' && terminalGone(2));
  if (!gone) stderrFailed = true;
});
// Hint: Node 20 restores on exit the settings of each stdio that was a terminal when it began, and
// aborts with a native stack (an assertion in ResetStdio, nodejs/node#51519) when that terminal has
// gone; it skips a closed one.
process.on('exit', () => {
  for (const fd of terminals) if (terminalGone(fd)) closeSync(fd);
});
// Hint: stdout's failure wins over the code a run that finished without it set, as it does in
// `exitOnceWritten`: a full disk under `replay > log` is exit 2 whatever was delivered.
process.on('exit', (code) => {
  if (stdoutGone.failed !== undefined) process.exitCode = stdoutGone.failed;
  else if (stderrFailed && code < 2) process.exitCode = 2;
});

/**
 * Commander's message in callhook's words: `unknown option '--x' (did you mean --y?); see callhook
 * show --help`, what it quotes of the arguments cut by `excerpt` (errors.ts's, loaded only on the
 * way out). Hint: an option typed with 100,000 characters was quoted whole (review hF61).
 */
function usageMessage(error: CommanderError, excerpt: (text: string) => string): string {
  const text = error.message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    // Hint: a run of blanks holding a line break is one space; matched as runs, as `\s*\n\s*` was
    // tried from each blank of a long run without one (an option typed with 100,000 spaces: 8 s).
    .replace(/\s+/g, (blanks) => (blanks.includes('\n') ? ' ' : blanks))
    .replace(/\.$/, '')
    // Hint: `validate < export.json` is how summarise is run; the other commands read stdin as `-`.
    .replace(/^missing required argument 'paths'$/, '$& (files or folders, or - to read stdin)')
    // Hint: said as every other bad option value is (`--limit: must be …`), by its long name.
    .replace(/^option '(?:-\w, )?(--[\w-]+) (<[^>]+>)' argument missing$/, '$1: needs a value ($2)')
    // Hint: asked for as other tools take it (`node -v`, `docker version`); `version` was offered verify.
    .replace(
      /^(unknown command 'version'|unknown option '-v')( \(did you mean [^)]*\))?$/,
      '$1 (did you mean --version?)',
    )
    // Hint: last, once the words above have been matched whole.
    .replace(/'([^']*)'/g, (_, typed: string) => `'${excerpt(typed)}'`);
  const args = process.argv.slice(2);
  const chosen = named(args[commandAt]);
  const command = chosen ? args[commandAt] : undefined;
  // Hint: callhook itself takes only --help and --version, so an option of the command put before
  // it (as git's global options go) is misplaced, not unknown: the command's help lists it.
  const misplaced =
    chosen && error.code === 'commander.unknownOption'
      ? optionsBefore(args.slice(0, commandAt), chosen)?.find((option) => option.own)?.text
      : undefined;
  if (misplaced) {
    const shown = excerpt(misplaced);
    return `'${shown}' is an option of ${command}: put it after the command (callhook ${command} ${shown} …)`;
  }
  return `${text}; see callhook ${command ? `${command} ` : ''}--help`;
}

/** The command a word names, by its name or an alias (`summary`). */
function named(word: string | undefined): Command | undefined {
  return program.commands.find((c) => c.name() === word || c.aliases().includes(word ?? ''));
}

/**
 * Where in the arguments the word is that names the command they run (or `help` shows); -1 when
 * none does. `withOptions` adds a command's options, to the commands asked about alone.
 * Hint: callhook itself takes only --help and --version, so options put before the command (an
 * error, which usageMessage explains) are read as its own, taking their values as it would: the
 * command is the first word naming one that they leave standing as a word of its own, all its own
 * options first (`--width 80 validate`, `--format validate summary`, `-o show generate`), then
 * with some it has not (`--mask validate`); else the first word, as commander reads it.
 */
function commandIndex(args: readonly string[], withOptions: (command: Command) => Command): number {
  for (const strict of [true, false]) {
    const at = args.findIndex((arg, i) => {
      const command = named(arg);
      const before = command && optionsBefore(args.slice(0, i), withOptions(command));
      // Hint: an option left without its value takes this word for it (`--format validate summary`).
      if (before === undefined || before.some((option) => option.bare)) return false;
      return !strict || before.every((option) => option.own);
    });
    if (at >= 0) return at;
  }
  const words = args.flatMap((arg, i) => (arg.startsWith('-') ? [] : [i]));
  const first = words[0] ?? -1;
  return args[first] === 'help' ? (words[1] ?? -1) : first;
}

/**
 * The arguments before a command read as options, each with its value as the command takes it
 * (`--width 80`, `--width=80`, `--strict`), whether it is one of the command's (`own`), and whether
 * it is the last and takes a value there is no word left for (`bare`: `--width` in `--width
 * validate`); or undefined when a word among them is no option's value (so the command's name is
 * not the next).
 */
function optionsBefore(
  args: readonly string[],
  command: Command,
): { text: string; own: boolean; bare: boolean }[] | undefined {
  const options: { text: string; own: boolean; bare: boolean }[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('-')) return undefined;
    const flag = arg.split('=')[0];
    const option = command.options.find((o) => o.long === flag || o.short === flag);
    const valued = option !== undefined && (option.required || option.optional) && !arg.includes('=');
    // Hint: the word after is its value, the command's name too (`--format validate summary`).
    const bare = valued && i + 1 === args.length;
    options.push({ text: valued && !bare ? `${arg} ${args[++i]}` : arg, own: option !== undefined, bare });
  }
  return options;
}

/** Whether `arg` is an option of `command` that must take the word after it as its value. */
function takesNextWord(arg: string | undefined, command: Command | undefined): boolean {
  if (arg === undefined || command === undefined || !arg.startsWith('-') || arg.includes('=')) return false;
  return command.options.some((option) => (option.long === arg || option.short === arg) && option.required);
}

/**
 * Where the options of `args` end: at the first `--` that no option of `command` (named at `at`)
 * takes as its value, as commander reads them (`show --grep -- --version` reads `--version` as an
 * option still, `show --grep --grep -- --version` as a file); -1 when none does.
 */
function optionsEnd(args: readonly string[], at: number, command: Command | undefined): number {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') return i;
    // Hint: the word after such an option is its value, whatever it is.
    if (i > at && takesNextWord(args[i], command)) i++;
  }
  return -1;
}

/**
 * The arguments to parse. Hint: commander answers help asked for a command there is none of
 * (`help valdate`, `valdate --help`) with callhook's own help, so that word alone is parsed, and
 * refused as any unknown command is; `help help` is callhook's help. `help` takes a command's name
 * alone (help asked for again aside): commander drops an option or a word after it unsaid, and
 * would show callhook's own help for `help --width 80 validate`, and pass.
 */
function parsedArgs(args: readonly string[], at: number): readonly string[] {
  const afterHelp = args[0] === 'help' ? args.slice(1).filter((arg) => arg !== '--help' && arg !== '-h') : [];
  if (afterHelp.length > 1 || afterHelp[0]?.startsWith('-')) {
    throw new CommanderError(
      1,
      'callhook.helpArguments',
      `help takes a command's name alone (got '${afterHelp.join(' ')}')`,
    );
  }
  // Hint: commander takes callhook's own -V anywhere, an option's value too, and runs nothing
  // else: `validate x --type -V` and `-V validate x` printed the version and passed, x never read.
  const command = named(args[at]);
  const end = optionsEnd(args, at, command);
  const options = args.slice(0, end < 0 ? undefined : end);
  const index = options.findIndex(
    (arg, i) =>
      isVersionFlag(arg) || (command !== undefined && i > at && versionInCluster(arg, options[i - 1], command)),
  );
  const version = options[index];
  // Hint: `-Vh` alone is more than -V too (review hR71).
  if (version !== undefined && (args.length > 1 || (version !== '-V' && version !== '--version'))) {
    const flag = version === '--version' ? version : '-V';
    const where = command !== undefined && index > at ? 'not after the command' : 'with no command or other option';
    throw new CommanderError(
      1,
      'callhook.versionNotAlone',
      `${isVersionFlag(version) ? `'${version}'` : `'-V' (in '${version}')`} is callhook's own option: give it alone (callhook ${flag}), ${where}; a value that begins with - is given as --name=value`,
    );
  }
  const isHelp = (arg: string) => arg === '--help' || arg === '-h';
  const helpAsked = args[at - 1] === 'help' || args.some(isHelp);
  const asked = args[at];
  if (!helpAsked || asked === undefined) return args;
  if (asked === 'help') return ['--help'];
  if (!named(asked)) return [asked];
  // Hint: help asked for before the command's name (`--help validate`, `help -h validate`) is that
  // command's help; commander would answer callhook's own. After it, commander reads it as the
  // command does, an option's value too (`show --grep -h`).
  return args[0] === 'help' || args.slice(0, at).some(isHelp) ? [asked, '--help'] : args;
}

// Hint: `-Vh` too, which commander reads as -V and -h.
const isVersionFlag = (arg: string) => arg === '--version' || arg.startsWith('-V');

/**
 * Whether commander reads `arg`, a word after `command`'s name, as flags of it ending in
 * callhook's -V (`-qV`), which it then calls an unknown option. Hint: not the value of an option
 * before it (`--grep -qV`), nor when a letter before the V takes the rest as its value (`-oV`).
 */
function versionInCluster(arg: string, previous: string | undefined, command: Command): boolean {
  if (!/^-[A-Za-z]{2,}$/.test(arg)) return false;
  const takesValue = (option: Option | undefined) => option !== undefined && (option.required || option.optional);
  if (takesValue(command.options.find((o) => o.long === previous || o.short === previous))) return false;
  for (const letter of arg.slice(1)) {
    if (letter === 'V') return true;
    const option = command.options.find((o) => o.short === `-${letter}`);
    if (option === undefined || takesValue(option)) return false;
  }
  return false;
}

/** The index of the word naming the command in process.argv (after node and the script), -1 for none. */
let commandAt = -1;

/** Runs the command line of this process, and exits once its output is written. */
export async function main(): Promise<void> {
  try {
    const given = process.argv.slice(2);
    // Hint: options.js only once a command is named: `callhook --version` and `--help` load none.
    const parsers = given.some((arg) => named(arg)) ? await import('./commands/options.js') : undefined;
    const added = new Set<Command>();
    commandAt = commandIndex(given, (command) => {
      if (parsers && !added.has(command)) details.get(command.name())?.(command, parsers);
      added.add(command);
      return command;
    });
    // --mask covers every error and warning, commander's too, which come before an action runs.
    // Hint: the word anywhere, an option's value too (`--grep --mask`): privacy first.
    if (given.includes('--mask')) {
      const [{ maskDiagnostics }, { maskPhonesInText }] = await Promise.all([
        import('./errors.js'),
        import('./core/timeline.js'),
      ]);
      maskDiagnostics(maskPhonesInText);
    }
    const args = parsedArgs(given, commandAt);
    const chosen = args === given ? named(given[commandAt]) : undefined;
    if (chosen && parsers) parsers.refuseRepeats(chosen);
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) {
      // Help and version: commander ends them by throwing, with exit code 0.
      process.exitCode = error.exitCode;
    } else if (error instanceof CommanderError && error.code === 'commander.help') {
      // No command given: commander printed the help on stderr; nothing was run, a usage error.
      process.exitCode = (await import('./errors.js')).ExitCode.usage;
    } else {
      await reportFatal(error);
    }
  }
  // Hint: every run ends by process.exit once its output is written (see `exitOnceWritten`): left to
  // end as node runs out of work, a process closes its signal handles on the way out, and a signal
  // then killed it by the signal's own action, not with the code it set (a replay that delivered
  // everything, exit 143: review hR107; the third of three quick Ctrl-Cs; fix's list of repairs to a
  // slow pipe).
  await exitOnceWritten();
}
