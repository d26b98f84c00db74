import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { readWorkflowCommand } from '../../test/helpers/workflow-command.js';
import type { FileReport, ValidationReport } from '../core/validation.js';
import type { Problem } from '../input/types.js';
import { escapeUnicode } from './escape.js';
import { displayWidth, escapeTerminal } from './terminal.js';
import {
  fileResult,
  renderFilePretty,
  renderGithub,
  renderGithubPathWarning,
  renderJunit,
  renderProblemPretty,
  renderTotalsPretty,
  renderValidationJson,
} from './validation.js';

const plain = new Chalk({ level: 0 });

function problem(severity: Problem['severity'], message: string, pointer: string, line: number): Problem {
  return { file: 'batch.json', line, column: 3, offset: 0, pointer, severity, code: `code-${line}`, message };
}

const file: FileReport = {
  file: 'batch.json',
  events: 3,
  valid: 2,
  invalid: 1,
  errors: 1,
  warnings: 1,
  problems: [
    problem('error', 'status must be one of Complete, Partial \u001b[2J', '/0/data/status', 4),
    problem('warning', 'duplicate event id', '/2/id', 9),
  ],
  omitted: 0,
};
const report: ValidationReport = {
  ok: false,
  files: [file],
  totals: { files: 1, events: 3, valid: 2, invalid: 1, errors: 1, warnings: 1 },
  pathWarnings: [],
};

describe('fileResult', () => {
  it('is what every format lists: all problems in pretty, JSON and GitHub; what fails the run in JUnit and -q', () => {
    for (const warningsAsErrors of [false, true]) {
      const options = { warningsAsErrors };
      const result = fileResult(file, options);
      const pretty = renderFilePretty(file, plain, { ...options, width: 200 });
      const quiet = renderFilePretty(file, plain, { ...options, quiet: true, width: 200 });
      const json = JSON.parse(renderValidationJson(report)).files[0];
      const github = renderGithub(file);
      const junit = renderJunit(report, options);
      expect(json.problems).toHaveLength(result.problems.length);
      result.problems.forEach(({ problem: p, fails }, i) => {
        const where = `${p.file}:${p.line}:${p.column}`;
        expect(pretty).toContain(`${where}  ${p.severity}  ${escapeTerminal(p.message)}  (${p.pointer})`);
        expect(json.problems[i]).toMatchObject({
          severity: p.severity,
          code: p.code,
          line: p.line,
          pointer: p.pointer,
        });
        expect(github).toContain(`line=${p.line},col=${p.column}`);
        expect(github).toContain(`${escapeUnicode(p.message)} (${p.pointer})`);
        const line = `${where} ${p.severity} ${escapeUnicode(p.message)} (${p.pointer})`;
        expect(junit.includes(line), `${warningsAsErrors} ${p.severity}`).toBe(fails);
        expect(quiet.includes(where), `${warningsAsErrors} ${p.severity}`).toBe(fails);
      });
      expect(junit).toContain(`failures="1"`);
      expect(junit).toContain('message="1 error, 1 warning"');
    }
  });
});

describe('renderProblemPretty', () => {
  it('tells a CLI user the flag that settles a type it cannot tell; a machine report keeps the message as the check gave it', () => {
    // The check's message names no flag (listen hands it to an HTTP sender in a 422), so the
    // remedy is said where a person running callhook reads it.
    const unknown = {
      ...problem('error', 'cannot tell the event type from keys "foo"', '/0', 2),
      code: 'unknown-shape',
    };
    const one = { ...file, problems: [unknown], warnings: 0 };
    expect(renderProblemPretty(unknown, plain, 200)).toContain(
      'cannot tell the event type from keys "foo"; pass --type',
    );
    expect(renderGithub(one)).toContain('; pass --type');
    expect(renderJunit({ ...report, files: [one] })).toContain('; pass --type');
    expect(JSON.parse(renderValidationJson({ ...report, files: [one] })).files[0].problems[0].message).toBe(
      'cannot tell the event type from keys "foo"',
    );
  });

  it.each([40, 80, 120])('draws a code frame of a long line within %i columns, indent included', (width) => {
    const line = `{"name": "${'日本'.repeat(40)}" "note": "${'x😀'.repeat(60)}\u{e0041}"}`;
    const at = line.indexOf('" "') + 1;
    const long = { ...problem('error', 'missing comma', '', 1), column: at + 1, excerpt: { text: line, index: at } };
    const rows = renderProblemPretty(long, plain, width).split('\n');
    expect(rows.some((row) => row.includes('^'))).toBe(true);
    for (const row of rows) expect(displayWidth(row)).toBeLessThanOrEqual(width);
  });

  it('draws the code frame within the narrowest width too, for a line number of up to three digits', () => {
    // At --width 20 and 21 the frame's rows were 22 and 23 columns: it was given the width less its
    // indent, and a frame keeps 10 columns of source whatever it is given.
    const text = `{\n  "call": 1,\n  "name": "Kate Mills" "x": 2\n}`;
    const at = text.indexOf('" "') + 1;
    for (const line of [3, 10, 999]) {
      const cut = { ...problem('error', 'missing comma', '', line), column: 23, excerpt: { text, index: at } };
      for (let width = 20; width <= 25; width++) {
        const rows = renderProblemPretty(cut, plain, width).split('\n');
        expect(
          rows.filter((row) => row.includes(' | ')),
          `${line} at ${width}`,
        ).toHaveLength(3);
        for (const row of rows) expect(displayWidth(row), `${line} at ${width}: ${row}`).toBeLessThanOrEqual(width);
      }
    }
  });
});

describe('renderTotalsPretty', () => {
  it('wraps the totals to the width, losing no word', () => {
    // At 40 columns the totals were one line of 68.
    const whole = renderTotalsPretty(report, plain);
    expect(whole.trimEnd().split('\n')).toHaveLength(1);
    const wrapped = renderTotalsPretty(report, plain, 40);
    for (const row of wrapped.trimEnd().split('\n')) expect(displayWidth(row)).toBeLessThanOrEqual(40);
    expect(wrapped.split(/\s+/)).toEqual(whole.split(/\s+/));
  });
});

describe('renderJunit', () => {
  it('writes only characters XML 1.0 allows, whatever a file name or message holds', () => {
    // Hint: XML 1.0's Char production; U+FFFE and U+FFFF are not characters a parser accepts.
    const notXmlChar = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
    const hostile = 'x\ufffe\uffff\u0000\u0001\u000b\ud800y';
    const one = {
      ...file,
      file: `a${hostile}.json`,
      problems: [{ ...problem('error', hostile, '/0', 1), file: `a${hostile}.json` }],
    };
    const junit = renderJunit({ ...report, files: [one] });
    expect(junit).not.toMatch(notXmlChar);
    expect(junit).toContain('x\\ufffe\\uffff\\u0000\\u0001\\u000b\\ud800y');
  });
});

describe('renderJunit of a file that could not be read (exit 2)', () => {
  it('reports it as a JUnit <error>, not a failure of validation, and counts it among the errors', () => {
    // It was `<failure type="validation">` with errors="0": a CI reader took an I/O error for invalid input.
    const reason = 'cannot be read: the file was rewritten while it was read';
    const unreadable = (name: string): Problem => ({
      ...problem('error', reason, '', 7),
      file: name,
      code: 'unreadable',
      fatal: true,
    });
    const gone: FileReport = {
      ...file,
      file: 'gone.json',
      errors: 1,
      warnings: 0,
      problems: [unreadable('gone.json')],
    };
    const torn: FileReport = {
      ...file,
      file: 'torn.json',
      errors: 2,
      warnings: 0,
      problems: [{ ...problem('error', 'a bad status', '/0', 4), file: 'torn.json' }, unreadable('torn.json')],
    };
    const junit = renderJunit({ ...report, files: [gone, torn, file] });
    const suites = junit.split('<testsuite ').slice(1);
    expect(junit).toContain('<testsuites name="callhook validate" tests="3" failures="2" errors="2">');
    expect(suites[0]).toContain('tests="1" failures="0" errors="1"');
    expect(suites[0]).toContain(`<error message="${reason}" type="io">gone.json:7:3 error ${reason}</error>`);
    expect(suites[0]).not.toContain('<failure');
    // Read in part: what was read fails validation, and the rest is an error; <error> comes first (junit-10.xsd).
    expect(suites[1]).toContain('tests="1" failures="1" errors="1"');
    expect(suites[1]).toMatch(
      /<error message="[^"]*" type="io">torn\.json:7:3 error [^<]*<\/error>\n\s*<failure message="1 error, 0 warnings" type="validation">torn\.json:4:3 error a bad status \(\/0\)<\/failure>/,
    );
    expect(suites[2]).toContain('tests="1" failures="1" errors="0"');
  });
});

describe('problems cut by --max-problems', () => {
  it('are counted in the GitHub annotations and the JUnit failure, as the pretty report counts them', () => {
    // A CI run showed one annotation for a file of four errors, and said nothing of the other three.
    const cut = { ...file, omitted: 3 };
    const github = renderGithub(cut);
    expect(github.trimEnd().split('\n').at(-1)).toBe(
      '::notice file=batch.json,title=callhook::3 more problems not shown (--max-problems)',
    );
    expect(renderJunit({ ...report, files: [cut] })).toContain('3 more problems not shown (--max-problems)</failure>');
    expect(renderFilePretty(cut, plain, { width: 200 })).toContain('… 3 more problems not shown (--max-problems)');
    // Wrapped to the width as the lines above it are: 46 columns at --width 20 (red team hR95).
    const narrow = renderFilePretty(cut, plain, { width: 20 });
    // Hint: a line of one unbreakable token (`(/0/data/status)` under its indent) may be wider.
    const wide = narrow.split('\n').filter((line) => line.length > 20 && /\s/.test(line.trim()));
    expect(wide).toEqual([]);
    expect(narrow.slice(narrow.indexOf('…')).replace(/\s+/g, ' ').trim()).toBe(
      '… 3 more problems not shown (--max-problems)',
    );
  });
});

describe('renderGithub, as the Actions runner reads it', () => {
  it('annotates a warning as an error when --warnings-as-errors makes it fail the run', () => {
    // The job went red with only ::warning annotations to show for it (red team hT37).
    const warned: FileReport = {
      file: 'w.json',
      events: 1,
      valid: 1,
      invalid: 0,
      errors: 0,
      warnings: 1,
      problems: [{ ...problem('warning', 'a redelivery', '/0', 1), file: 'w.json' }],
      omitted: 0,
    };
    expect(renderGithub(warned)).toMatch(/^::warning /);
    expect(renderGithub(warned, { warningsAsErrors: true })).toMatch(/^::error /);
  });

  it('names each file exactly in file= (GitHub attaches the annotation to it), and gives the message as data', () => {
    const names = [
      'a::b.json',
      '::error::x.json',
      'x,y.json',
      '100%.json',
      'p##[q.json',
      'a%3Ab%2C%25.json',
      'k=v.json',
    ];
    const message = 'bad ::error::x ##[warning]y 100%0A';
    for (const name of names) {
      const one: FileReport = {
        ...file,
        file: name,
        problems: [{ ...problem('error', message, '/0', 1), file: name }],
      };
      const lines = renderGithub(one).trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      const read = readWorkflowCommand(lines[0]!);
      expect(read?.command).toBe('error');
      expect(read?.properties.get('file')).toBe(name);
      expect(read?.properties.get('line')).toBe('1');
      // The message is data: GitHub's own escapes read back, and the one policy's \u escapes kept.
      expect(read?.data).toBe(`${escapeUnicode(message)} (/0)`);
    }
  });

  it('names a relative file that begins with = as ./=x.json: the runner drops the = a value begins with', () => {
    // `file==x.json` was read as file `x.json`, another file, or none (red team hF67).
    const names: Array<[string, string]> = [
      ['=x.json', './=x.json'],
      ['==x.json', './==x.json'],
      ['=dir/x=y.json', './=dir/x=y.json'],
      ['/tmp/=x.json', '/tmp/=x.json'],
    ];
    for (const [name, named] of names) {
      const one: FileReport = {
        ...file,
        file: name,
        problems: [{ ...problem('error', 'x', '/0', 1), file: name }],
        omitted: 1,
      };
      const lines = renderGithub(one).trimEnd().split('\n');
      expect(lines.map((line) => readWorkflowCommand(line)?.properties.get('file'))).toEqual([named, named]);
    }
  });

  it('writes a line break of a pointer or a file name as \\u000a, as an ESC is \\u001b: GitHub reads its own %0A as a line break', () => {
    const name = 'a\nb\r\u001b,c.json';
    const key = 'k\ne\r\u001by';
    const one: FileReport = {
      ...file,
      file: name,
      problems: [
        {
          ...problem('error', `field ${JSON.stringify(key)} is not in the documented payload`, `/${key}`, 1),
          file: name,
        },
      ],
    };
    const lines = renderGithub(one).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const read = readWorkflowCommand(lines[0]!);
    expect(read?.command).toBe('error');
    expect(read?.properties.get('file')).toBe('a\\u000ab\\u000d\\u001b,c.json');
    expect(read?.data).toBe('field "k\\ne\\r\\u001by" is not in the documented payload (/k\\u000ae\\u000d\\u001by)');
  });

  it('shows a pointer to a key of megabytes by its segments first 40 characters, and JSON keeps it whole', () => {
    // A 1 MB key made the pointer beside its message 1 MB in every format a person reads.
    const key = 'k'.repeat(1_000_000);
    const long: FileReport = { ...file, problems: [problem('error', 'a message', `/0/data/${key}/1`, 1)] };
    const shown = `(/0/data/${'k'.repeat(40)}…/1)`;
    expect(renderFilePretty(long, plain, { width: 200 })).toContain(shown);
    expect(renderGithub(long)).toContain(shown);
    expect(renderJunit({ ...report, files: [long] }, {})).toContain(shown);
    expect(renderFilePretty(long, plain, { width: 200 }).length).toBeLessThan(1000);
    const json = JSON.parse(renderValidationJson({ ...report, files: [long] })).files[0];
    expect(json.problems[0].pointer).toBe(`/0/data/${key}/1`);
  });
});

describe('the warnings of the paths given', () => {
  const warning = { code: 'named-twice', message: 'a<1>&100%\u001b[2J.json is named twice; read once' };
  const warned = { ...report, ok: false, pathWarnings: [warning] };

  it('are a failure of their own suite in JUnit when they fail the run, and not listed when they do not', () => {
    // Exit 1 with failures="0": the run failed on them and JUnit gave no reason (red team hR101 F2).
    const junit = renderJunit(warned, { warningsAsErrors: true });
    expect(junit).toContain('tests="2" failures="2" errors="0"');
    expect(junit).toContain(
      '<failure message="0 errors, 1 warning" type="validation">warning a&lt;1&gt;&amp;100%\\u001b[2J.json is named twice; read once</failure>',
    );
    expect(renderJunit(warned)).toBe(renderJunit(report));
  });

  it('are annotations of the run in GitHub, errors when they fail it', () => {
    const data = 'a<1>&100%25\\u001b[2J.json is named twice; read once';
    expect(renderGithubPathWarning(warning)).toBe(`::warning title=callhook named-twice::${data}\n`);
    expect(renderGithubPathWarning(warning, { warningsAsErrors: true })).toBe(
      `::error title=callhook named-twice::${data}\n`,
    );
  });
});
