/** `callhook validate`: check webhook files against the documented payloads. */
import { ValidationCollector, validationExitCode } from '../core/validation.js';
import { readRecords } from '../input/read.js';
import { colorsFor, terminalWidth } from '../render/terminal.js';
import {
  renderFilePretty,
  renderGithub,
  renderJunit,
  renderTotalsPretty,
  renderValidationJson,
  type ValidationFormat,
} from '../render/validation.js';
import type { EventType } from '../schema/events.js';

/** The options `validate` takes, as commander parsed them. */
export interface ValidateOptions {
  type?: EventType;
  strict?: boolean;
  batchSize?: number;
  format: ValidationFormat;
  quiet?: boolean;
  maxProblems: number;
  warningsAsErrors?: boolean;
}

/** Runs `validate` and sets the exit code: 0 valid, 1 invalid. */
export async function validate(paths: string[], options: ValidateOptions): Promise<void> {
  const c = colorsFor(process.stdout);
  const collector = new ValidationCollector({
    maxProblems: options.maxProblems,
    warningsAsErrors: options.warningsAsErrors,
    // -q lists what fails the run: errors, and warnings only when they fail it too.
    listWarnings: !(options.quiet && options.format === 'pretty' && !options.warningsAsErrors),
  });
  const records = readRecords(paths, { type: options.type, strict: options.strict, batchSize: options.batchSize });
  let listed = false;
  for await (const chunk of records) {
    for (const record of chunk) {
      const done = collector.add(record);
      if (!done) continue;
      // Files are printed as they finish, so a long run shows progress.
      if (options.format === 'pretty') {
        const text = renderFilePretty(done, c, { ...options, width: terminalWidth(process.stdout) });
        listed ||= text !== '';
        process.stdout.write(text);
      } else if (options.format === 'github') process.stdout.write(renderGithub(done));
    }
  }
  const report = collector.report();
  if (options.format === 'pretty') process.stdout.write(`${listed ? '\n' : ''}${renderTotalsPretty(report, c)}`);
  else if (options.format === 'json') process.stdout.write(renderValidationJson(report));
  else if (options.format === 'junit') process.stdout.write(renderJunit(report, options));
  else if (options.format === 'github') {
    process.stderr.write(`callhook: ${renderTotalsPretty(report, colorsFor(process.stderr)).trim()}\n`);
  }
  process.exitCode = validationExitCode(report);
}
