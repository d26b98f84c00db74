/** The `callhook` command line: one subcommand per capability, each loaded only when it runs. */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, formatFatal } from './errors.js';
import { version } from './version.js';

const exitCodes = `Exit codes:
  0    success (warnings alone still pass)
  1    invalid input, or a delivery that failed
  2    usage or I/O error (bad option, missing file)
  130  interrupted (Ctrl-C)`;

/** Wraps a command's action so every failure goes through the one error funnel. */
function run<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void> | void>) {
  return async (...args: A) => {
    try {
      const action = await load();
      await action(...args);
    } catch (error) {
      const { message, exitCode } = formatFatal(error);
      process.stderr.write(`${message}\n`);
      process.exitCode = exitCode;
    }
  };
}

const program = new Command('callhook')
  .description('Validate, read, summarise and replay webhook payloads of the AI voice-calling platform.')
  .version(version, '-V, --version', 'print the version')
  .helpOption('-h, --help', 'show help')
  .showSuggestionAfterError()
  .configureHelp({ sortSubcommands: false })
  .addHelpText(
    'after',
    `
Examples:
  $ callhook validate fixtures/                 check every .json/.ndjson file under a folder
  $ callhook validate export.json --format github
  $ cat batch.json | callhook validate -

${exitCodes}`,
  )
  .exitOverride();

export { exitCodes, Option, program, run };

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error.
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else {
    const { message, exitCode } = formatFatal(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = exitCode;
  }
}
