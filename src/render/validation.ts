/** Renders a validation report: pretty text, JSON, GitHub annotations, JUnit XML. Strings only. */
import type { ChalkInstance } from 'chalk';
import type { FileReport, ValidationOptions, ValidationReport } from '../core/validation.js';
import { filePassed } from '../core/validation.js';
import type { Problem } from '../input/types.js';
import { codeFrame } from './code-frame.js';
import { escapeUnicode, toSafeJson } from './escape.js';
import type { ValidationFormat } from './formats.js';
import { escapeTerminal, type TextSpan, wrapSpans } from './terminal.js';
import { plural } from './words.js';

export type { ValidationFormat };

/** One problem as `file:line:col  severity  message  (pointer)`, wrapped to `width`, with its code frame below. */
export function renderProblemPretty(problem: Problem, c: ChalkInstance, width = 80): string {
  const spans: TextSpan[] = [
    { text: `${escapeTerminal(problem.file)}:${problem.line}:${problem.column}`, style: c.bold },
    { text: '  ' },
    problem.severity === 'error' ? { text: 'error', style: c.red } : { text: 'warning', style: c.yellow },
    { text: `  ${escapeTerminal(problem.message)}` },
  ];
  if (problem.pointer) spans.push({ text: `  (${escapeTerminal(problem.pointer)})`, style: c.dim });
  const head = wrapSpans(spans, { width, indent: '      ', firstIndent: '  ' }).join('\n');
  if (!problem.excerpt) return head;
  const frame = escapeTerminal(codeFrame(problem.excerpt, problem.line, problem.column), true)
    .split('\n')
    .map((row) => `    ${row.startsWith('>') ? row : c.dim(row)}`)
    .join('\n');
  return `${head}\n${frame}`;
}

/** A file's header line and, unless quiet hides them, its problems. */
export function renderFilePretty(
  file: FileReport,
  c: ChalkInstance,
  options: ValidationOptions & { quiet?: boolean | undefined; width?: number | undefined } = {},
): string {
  const passed = filePassed(file, options);
  if (options.quiet && passed) return '';
  const listWarnings = !options.quiet || options.warningsAsErrors;
  // Hint: colours are span styles, not text, so that the wrapper measures only what is seen.
  const spans: TextSpan[] = [
    passed ? { text: '✔', style: c.green } : { text: '✖', style: c.red },
    {
      text: ` ${escapeTerminal(file.file)}  ${plural(file.events, 'event')}, ${file.valid.toLocaleString('en-US')} valid`,
    },
  ];
  if (file.invalid > 0)
    spans.push({ text: ', ' }, { text: `${file.invalid.toLocaleString('en-US')} invalid`, style: c.red });
  if (file.warnings > 0 && listWarnings)
    spans.push({ text: ', ' }, { text: plural(file.warnings, 'warning'), style: c.yellow });
  const lines = [wrapSpans(spans, { width: options.width ?? 80, indent: '    ', firstIndent: '' }).join('\n')];
  for (const problem of file.problems) {
    if (!listWarnings && problem.severity === 'warning') continue;
    lines.push(renderProblemPretty(problem, c, options.width));
  }
  if (file.omitted > 0) lines.push(c.dim(`  … ${plural(file.omitted, 'more problem')} not shown (--max-problems)`));
  return `${lines.join('\n')}\n`;
}

/** The closing totals line (the command puts a blank line before it when files were listed). */
export function renderTotalsPretty(report: ValidationReport, c: ChalkInstance): string {
  const t = report.totals;
  const summary = `${plural(t.files, 'file')}, ${plural(t.events, 'event')}: ${t.valid.toLocaleString('en-US')} valid, ${t.invalid.toLocaleString('en-US')} invalid; ${plural(t.errors, 'error')}, ${plural(t.warnings, 'warning')}`;
  return `${report.ok ? c.green.bold('✔ valid') : c.red.bold('✖ invalid')}  ${summary}\n`;
}

/** The report as stable JSON (documented in the README). */
export function renderValidationJson(report: ValidationReport): string {
  const files = report.files.map((file) => ({
    file: file.file,
    events: file.events,
    valid: file.valid,
    invalid: file.invalid,
    errors: file.errors,
    warnings: file.warnings,
    problems: file.problems.map((p) => ({
      severity: p.severity,
      code: p.code,
      message: p.message,
      pointer: p.pointer,
      line: p.line,
      column: p.column,
    })),
    omittedProblems: file.omitted,
  }));
  return `${toSafeJson({ ok: report.ok, files, totals: report.totals })}\n`;
}

function githubData(text: string): string {
  // Hint: GitHub's own escapes first (%, CR, LF), then every other untrusted character as \uXXXX.
  return escapeUnicode(text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A'));
}

function githubProperty(text: string): string {
  return githubData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** GitHub Actions workflow commands: one `::error` or `::warning` annotation per problem. */
export function renderGithub(file: FileReport): string {
  return file.problems
    .map((p) => {
      const pointer = p.pointer ? ` (${p.pointer})` : '';
      return `::${p.severity} file=${githubProperty(p.file)},line=${p.line},col=${p.column},title=${githubProperty(`callhook ${p.code}`)}::${githubData(p.message + pointer)}`;
    })
    .map((line) => `${line}\n`)
    .join('');
}

function xml(text: string): string {
  // Untrusted characters become \uXXXX first (XML 1.0 cannot hold most C0 controls at all).
  return escapeUnicode(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** JUnit XML: a test suite per file, a test case per file with its errors as one failure. */
export function renderJunit(report: ValidationReport, options: ValidationOptions = {}): string {
  const suites = report.files.map((file) => {
    const passed = filePassed(file, options);
    const listed = file.problems
      .filter((p) => p.severity === 'error' || options.warningsAsErrors)
      .map((p) => `${p.file}:${p.line}:${p.column} ${p.severity} ${p.message}${p.pointer ? ` (${p.pointer})` : ''}`)
      .map(xml)
      .join('\n');
    const failure = passed
      ? ''
      : `\n      <failure message="${xml(`${plural(file.errors, 'error')}, ${plural(file.warnings, 'warning')}`)}" type="validation">${listed}</failure>`;
    return `  <testsuite name="${xml(file.file)}" tests="1" failures="${passed ? 0 : 1}" errors="0">
    <testcase classname="callhook.validate" name="${xml(file.file)}">${failure}
    </testcase>
  </testsuite>`;
  });
  const failures = report.files.filter((f) => !filePassed(f, options)).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="callhook validate" tests="${report.files.length}" failures="${failures}">
${suites.join('\n')}
</testsuites>
`;
}
