/** The validation report: what `callhook validate` found, per file and in total. Pure. */
import type { InputRecord, Problem } from '../input/types.js';

/** One file's results. */
export interface FileReport {
  file: string;
  /** Elements read (valid or not). */
  events: number;
  valid: number;
  invalid: number;
  errors: number;
  warnings: number;
  /** The problems kept (at most `maxProblems` over the whole run), in source order. */
  problems: Problem[];
  /** Problems counted but not kept because of `maxProblems`. */
  omitted: number;
}

/** The whole run's results; the shape `--format json` prints. */
export interface ValidationReport {
  ok: boolean;
  files: FileReport[];
  totals: { files: number; events: number; valid: number; invalid: number; errors: number; warnings: number };
}

/** Options that change what counts. */
export interface ValidationOptions {
  /** Keep at most this many problems in the report (counting goes on); default unlimited. */
  maxProblems?: number | undefined;
  /** Warnings fail the run too. */
  warningsAsErrors?: boolean | undefined;
  /** List warnings (default true); false counts them without listing them, as `-q` prints. */
  listWarnings?: boolean | undefined;
}

/** Builds a `ValidationReport` from input records, one file at a time. */
export class ValidationCollector {
  private readonly files: FileReport[] = [];
  private current: FileReport | undefined;
  private kept = 0;
  private readonly options: ValidationOptions;

  constructor(options: ValidationOptions = {}) {
    this.options = options;
  }

  private addProblem(report: FileReport, problem: Problem): void {
    if (problem.severity === 'error') report.errors++;
    else report.warnings++;
    // Hint: a warning -q will not print must not take a place of --max-problems from an error.
    if (problem.severity === 'warning' && this.options.listWarnings === false) return;
    if (this.options.maxProblems !== undefined && this.kept >= this.options.maxProblems) {
      report.omitted++;
      return;
    }
    this.kept++;
    report.problems.push(problem);
  }

  /** Takes one record; returns the file's report when the record ends a file. */
  add(record: InputRecord): FileReport | undefined {
    switch (record.kind) {
      case 'file-start':
        this.current = {
          file: record.file,
          events: 0,
          valid: 0,
          invalid: 0,
          errors: 0,
          warnings: 0,
          problems: [],
          omitted: 0,
        };
        this.files.push(this.current);
        return undefined;
      case 'file-end': {
        const done = this.current;
        this.current = undefined;
        return done;
      }
      case 'problem':
        if (this.current) this.addProblem(this.current, record.problem);
        return undefined;
      default: {
        const report = this.current;
        if (!report) return undefined;
        report.events++;
        if (record.kind === 'event') report.valid++;
        else report.invalid++;
        for (const problem of record.problems) this.addProblem(report, problem);
        return undefined;
      }
    }
  }

  /** The report so far. */
  report(): ValidationReport {
    const totals = { files: this.files.length, events: 0, valid: 0, invalid: 0, errors: 0, warnings: 0 };
    for (const file of this.files) {
      totals.events += file.events;
      totals.valid += file.valid;
      totals.invalid += file.invalid;
      totals.errors += file.errors;
      totals.warnings += file.warnings;
    }
    const ok = totals.errors === 0 && !(this.options.warningsAsErrors && totals.warnings > 0);
    return { ok, files: this.files, totals };
  }
}

/** A file passes when it has no errors (and, under `warningsAsErrors`, no warnings). */
export function filePassed(file: FileReport, options: ValidationOptions = {}): boolean {
  return file.errors === 0 && !(options.warningsAsErrors && file.warnings > 0);
}

/** The exit code of a validation run: 0 when it passed, 1 when it did not. */
export function validationExitCode(report: ValidationReport): number {
  return report.ok ? 0 : 1;
}
