/** Renders a validation report: pretty text, JSON, GitHub annotations, JUnit XML. Strings only. */
import type { ChalkInstance } from 'chalk';
import type { FileReport, PathWarning, ValidationOptions, ValidationReport } from '../core/validation.js';
import { filePassed } from '../core/validation.js';
import { isUnreadable, type Problem } from '../input/types.js';
import { pointerExcerpt } from '../schema/check.js';
import { codeFrame } from './code-frame.js';
import { escapeUnicode, surrogatesShown, toSafeJson } from './escape.js';
import { narrowestWidth, type ValidationFormat } from './formats.js';
import { escapeTerminal, type TextSpan, wrapSpans } from './terminal.js';
import { grouped, plural } from './words.js';

export type { ValidationFormat };

/**
 * What a person running callhook can do about a problem, by its code: the check's messages name
 * no flag, since listen hands them to an HTTP sender in a 422 (JSON reports keep them so too).
 */
const advice: ReadonlyMap<string, string> = new Map([['unknown-shape', 'pass --type']]);

/** A problem's message as a person running callhook reads it: with the flag that settles it, if one does. */
export function advisedMessage(problem: { code?: string | undefined; message: string }): string {
  const flag = problem.code === undefined ? undefined : advice.get(problem.code);
  return flag === undefined ? problem.message : `${problem.message}; ${flag}`;
}

/** One problem as `file:line:col  severity  message  (pointer)`, wrapped to `width`, with its code frame below. */
export function renderProblemPretty(problem: Problem, c: ChalkInstance, width = 80): string {
  const spans: TextSpan[] = [
    // Hint: the place is one token however wide, never broken at a space or between CJK
    // characters in the file's name, so that it can be copied or clicked.
    { text: `${escapeTerminal(problem.file)}:${problem.line}:${problem.column}`, style: c.bold, keep: 'always' },
    { text: '  ' },
    problem.severity === 'error' ? { text: 'error', style: c.red } : { text: 'warning', style: c.yellow },
    { text: `  ${escapeTerminal(advisedMessage(problem))}` },
  ];
  if (problem.pointer) spans.push({ text: `  (${escapeTerminal(pointerExcerpt(problem.pointer))})`, style: c.dim });
  const head = wrapSpans(spans, { width, indent: '      ', firstIndent: '  ' }).join('\n');
  if (!problem.excerpt) return head;
  // Hint: the frame is indented 4 columns under its problem where that leaves it the narrowest width
  // it fits (`narrowestWidth`, for a line number of up to three digits), and less below 24 columns.
  const indent = ' '.repeat(Math.max(0, Math.min(4, width - narrowestWidth)));
  const frame = codeFrame(problem.excerpt, problem.line, problem.column, width - indent.length)
    .split('\n')
    .map((row) => `${indent}${row.startsWith('>') ? row : c.dim(row)}`)
    .join('\n');
  return `${head}\n${frame}`;
}

/** What `--max-problems` left out of a list, in words: every format says it the same way. */
function omittedText(omitted: number, what = 'problem'): string {
  return `${plural(omitted, `more ${what}`)} not shown (--max-problems)`;
}

/**
 * The line under a list (of problems, or of `fix`'s repairs) that `--max-problems` cut short,
 * wrapped to `width` under its `…`.
 */
export function renderOmitted(omitted: number, c: ChalkInstance, width: number, what = 'problem'): string {
  return wrapSpans([{ text: `… ${omittedText(omitted, what)}`, style: c.dim }], {
    width,
    firstIndent: '  ',
    indent: '    ',
  }).join('\n');
}

/**
 * A file's result as every format reports it, built once: its counts, whether it passed, and each
 * problem with whether it fails the run (an error; a warning under --warnings-as-errors).
 */
export interface FileResult {
  file: string;
  passed: boolean;
  events: number;
  valid: number;
  invalid: number;
  errors: number;
  warnings: number;
  problems: Array<{ problem: Problem; fails: boolean }>;
  /** Problems left out by --max-problems. */
  omitted: number;
}

/** The result of one file under `options`. */
export function fileResult(file: FileReport, options: ValidationOptions = {}): FileResult {
  return {
    file: file.file,
    passed: filePassed(file, options),
    events: file.events,
    valid: file.valid,
    invalid: file.invalid,
    errors: file.errors,
    warnings: file.warnings,
    problems: file.problems.map((problem) => ({
      problem,
      fails: problem.severity === 'error' || options.warningsAsErrors === true,
    })),
    omitted: file.omitted,
  };
}

/** A problem's place and message as one line of text: `file:line:column`, and the message with its pointer. */
function problemText(problem: Problem): { where: string; message: string } {
  return {
    where: `${problem.file}:${problem.line}:${problem.column}`,
    message: problem.pointer
      ? `${advisedMessage(problem)} (${pointerExcerpt(problem.pointer)})`
      : advisedMessage(problem),
  };
}

/** `2 errors, 1 warning`: what failed, as the totals and JUnit's failure message say it. */
function problemCounts(counts: { errors: number; warnings: number }): string {
  return `${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}`;
}

/** A file's header line and, unless quiet hides them, its problems. */
export function renderFilePretty(
  file: FileReport,
  c: ChalkInstance,
  options: ValidationOptions & { quiet?: boolean | undefined; width?: number | undefined } = {},
): string {
  const result = fileResult(file, options);
  if (options.quiet && result.passed) return '';
  // -q lists only what fails the run.
  const listed = options.quiet ? result.problems.filter((entry) => entry.fails) : result.problems;
  const countWarnings = !options.quiet || options.warningsAsErrors;
  // Hint: colours are span styles, not text, so that the wrapper measures only what is seen.
  const spans: TextSpan[] = [
    result.passed ? { text: '✔', style: c.green } : { text: '✖', style: c.red },
    { text: ' ' },
    { text: escapeTerminal(result.file), keep: 'always' },
    { text: `  ${plural(result.events, 'event')}, ${grouped(result.valid)} valid` },
  ];
  if (result.invalid > 0) spans.push({ text: ', ' }, { text: `${grouped(result.invalid)} invalid`, style: c.red });
  if (result.warnings > 0 && countWarnings)
    spans.push({ text: ', ' }, { text: plural(result.warnings, 'warning'), style: c.yellow });
  const lines = [wrapSpans(spans, { width: options.width ?? 80, indent: '    ', firstIndent: '' }).join('\n')];
  for (const { problem } of listed) lines.push(renderProblemPretty(problem, c, options.width));
  if (result.omitted > 0) lines.push(renderOmitted(result.omitted, c, options.width ?? 80));
  return `${lines.join('\n')}\n`;
}

/**
 * The closing totals, wrapped to `width` after `lead` (`callhook: ` on stderr); the command puts
 * a blank line before them when files were listed.
 */
export function renderTotalsPretty(
  report: ValidationReport,
  c: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
  lead = '',
): string {
  const t = report.totals;
  const summary = `${plural(t.files, 'file')}, ${plural(t.events, 'event')}: ${grouped(t.valid)} valid, ${grouped(t.invalid)} invalid; ${problemCounts(t)}`;
  const verdict = report.ok ? { text: '✔ valid', style: c.green.bold } : { text: '✖ invalid', style: c.red.bold };
  return `${wrapSpans([{ text: lead }, verdict, { text: `  ${summary}` }], { width, indent: '    ', firstIndent: '' }).join('\n')}\n`;
}

/** The report as stable JSON (documented in the README). */
export function renderValidationJson(report: ValidationReport): string {
  const files = report.files.map((file) => {
    const result = fileResult(file);
    return {
      file: result.file,
      events: result.events,
      valid: result.valid,
      invalid: result.invalid,
      errors: result.errors,
      warnings: result.warnings,
      problems: result.problems.map(({ problem: p }) => ({
        severity: p.severity,
        code: p.code,
        message: surrogatesShown(p.message),
        pointer: surrogatesShown(p.pointer),
        line: p.line,
        column: p.column,
        ...(p.firstCopy
          ? {
              firstCopy: {
                file: p.firstCopy.file,
                line: p.firstCopy.line,
                column: p.firstCopy.column,
                pointer: surrogatesShown(p.firstCopy.pointer),
              },
            }
          : {}),
      })),
      omittedProblems: result.omitted,
    };
  });
  return `${toSafeJson({ ok: report.ok, files, totals: report.totals })}\n`;
}

/** GitHub's own escapes of a workflow command's `%` and, in a property's value, of `:` and `,`. */
function githubEscapes(text: string, property = false): string {
  // Hint: not %0D and %0A for CR and LF, which GitHub reads back as line breaks: a key or a file
  // name could break an annotation over lines. The one policy writes them \u000d and \u000a.
  const data = text.replaceAll('%', '%25');
  return property ? data.replaceAll(':', '%3A').replaceAll(',', '%2C') : data;
}

function githubData(text: string): string {
  // Hint: GitHub's own escapes first, then every other untrusted character as \uXXXX.
  return escapeUnicode(githubEscapes(text));
}

function githubProperty(text: string): string {
  // Hint: a property's colons are %3A before the policy sees them, and its `##[` is kept (see
  // escapeUnicode), so that a file named `::x` or `##[x` is named exactly (%3A%3Ax, ##[x): GitHub
  // attaches the annotation to it.
  return escapeUnicode(githubEscapes(text, true), true);
}

/**
 * The `file=` property naming `file`, none for stdin: its annotations are the run's, not those of
 * a file called `<stdin>`. Hint: the runner splits a property in two at `=` dropping empty
 * entries, so `file==x.json` named `x.json`: a relative name that begins with `=` is written
 * `./=x.json`, the same file.
 */
function githubFile(file: string, stdin: boolean | undefined): string {
  if (stdin) return '';
  return `file=${githubProperty(file.startsWith('=') ? `./${file}` : file)},`;
}

/** A GitHub annotation of `code`; what fails the run is an error to the runner (a warning under --warnings-as-errors). */
function githubAnnotation(severity: Problem['severity'], fails: boolean, where: string, code: string, message: string) {
  return `::${fails ? 'error' : severity} ${where}title=${githubProperty(`callhook ${code}`)}::${githubData(message)}`;
}

/** GitHub Actions workflow commands: one `::error` or `::warning` annotation per problem, and a `::notice` counting those left out. */
export function renderGithub(file: FileReport, options: ValidationOptions = {}): string {
  const lines = fileResult(file, options).problems.map(({ problem: p, fails }) => {
    const where = `${githubFile(p.file, file.stdin)}line=${p.line},col=${p.column},`;
    return githubAnnotation(p.severity, fails, where, p.code, problemText(p).message);
  });
  if (file.omitted > 0) {
    lines.push(`::notice ${githubFile(file.file, file.stdin)}title=callhook::${githubData(omittedText(file.omitted))}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * A warning of the paths given as a GitHub annotation of the run (no `file=`: it is of no file's
 * content, and a compressed file was not read): an error when it fails the run, as a file's is.
 */
export function renderGithubPathWarning({ code, message }: PathWarning, options: ValidationOptions = {}): string {
  return `${githubAnnotation('warning', options.warningsAsErrors === true, '', code, message)}\n`;
}

function xml(text: string): string {
  // Untrusted characters become \uXXXX first (XML 1.0 cannot hold most C0 controls at all), and
  // so do U+FFFE and U+FFFF, the two BMP code points outside XML 1.0's Char production.
  return escapeUnicode(text)
    .replace(/[\ufffe\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16)}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** A problem as one line of a JUnit listing: `file:line:column severity message`. */
function junitLine(problem: Problem): string {
  const { where, message } = problemText(problem);
  return xml(`${where} ${problem.severity} ${message}`);
}

/** A JUnit test suite of one test case named `name`, holding `content` (its `<error>` and `<failure>`). */
function junitSuite(name: string, content: string, failed: boolean, erred: boolean) {
  const suite = `  <testsuite name="${xml(name)}" tests="1" failures="${failed ? 1 : 0}" errors="${erred ? 1 : 0}">
    <testcase classname="callhook.validate" name="${xml(name)}">${content}
    </testcase>
  </testsuite>`;
  return { suite, failed, erred };
}

/** A JUnit `<failure>` of what fails the run, `counts` in its message, `listed` its lines. */
function junitFailure(counts: { errors: number; warnings: number }, listed: string): string {
  return `\n      <failure message="${xml(problemCounts(counts))}" type="validation">${listed}</failure>`;
}

/**
 * The JUnit test suite of the warnings of the paths given, only when they fail the run: JUnit has
 * no warnings, and a file's that fail nothing are not listed either. Hint: a suite of its own, as
 * no file's content is at fault (a compressed file was not read at all).
 */
function junitPathSuite(warnings: readonly PathWarning[], options: ValidationOptions) {
  if (!options.warningsAsErrors || warnings.length === 0) return [];
  const listed = warnings.map(({ message }) => xml(`warning ${message}`)).join('\n');
  return [junitSuite('the paths given', junitFailure({ errors: 0, warnings: warnings.length }, listed), true, false)];
}

/**
 * JUnit XML: a test suite per file, a test case per file with what fails the run as one failure,
 * and the file's I/O error (exit 2), if it could not be read, as an `<error>`; the warnings of the
 * paths given, when they fail the run, as the failure of a suite of their own, first.
 */
export function renderJunit(report: ValidationReport, options: ValidationOptions = {}): string {
  const files = report.files.map((file) => {
    // Hint: JUnit's `<error>` is a test that could not run, its `<failure>` one that ran and failed:
    // a file not read to its end is the first, and what was read of it may be the second too.
    const unreadable = file.problems.filter(isUnreadable);
    const read = fileResult({ ...file, errors: file.errors - unreadable.length }, options);
    const listed = read.problems
      .filter((entry) => entry.fails && !isUnreadable(entry.problem))
      .map(({ problem }) => junitLine(problem))
      .concat(read.omitted > 0 ? [`… ${omittedText(read.omitted)}`] : [])
      .join('\n');
    const errors = unreadable.map(
      (problem) => `\n      <error message="${xml(problem.message)}" type="io">${junitLine(problem)}</error>`,
    );
    const failure = read.passed ? '' : junitFailure(read, listed);
    return junitSuite(file.file, `${errors.join('')}${failure}`, !read.passed, errors.length > 0);
  });
  const cases = [...junitPathSuite(report.pathWarnings, options), ...files];
  const failures = cases.filter((entry) => entry.failed).length;
  const errors = cases.filter((entry) => entry.erred).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="callhook validate" tests="${cases.length}" failures="${failures}" errors="${errors}">
${cases.map((entry) => entry.suite).join('\n')}
</testsuites>
`;
}
