/**
 * A GitHub Actions workflow command read back as the runner reads it (actions/runner,
 * `ActionCommand.TryParseV2`), so that tests check what GitHub makes of callhook's annotations.
 */

/** A workflow command as the runner reads it: its name, its properties unescaped, its data unescaped. */
export interface WorkflowCommand {
  command: string;
  properties: Map<string, string>;
  data: string;
}

// Hint: the runner's own order: %25 last, so that `%253A` reads `%3A`, not `:`.
const dataCodes: ReadonlyArray<readonly [string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
];
const propertyCodes: ReadonlyArray<readonly [string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
];
const unescapeCodes = (text: string, codes: ReadonlyArray<readonly [string, string]>) =>
  codes.reduce((out, [code, char]) => out.replaceAll(code, char), text);

/**
 * Reads `::name key=value,…::data`: after `::` the command's information runs to the next `::`;
 * properties split at `,`, then each in two at `=`, empty entries dropped (.NET's `Split('=', 2,
 * RemoveEmptyEntries)`: `file==x.json` is `file` and `x.json`). Undefined for a line that is no such command.
 */
export function readWorkflowCommand(line: string): WorkflowCommand | undefined {
  const text = line.trimStart();
  const end = text.indexOf('::', 2);
  if (!text.startsWith('::') || end < 0) return undefined;
  const info = text.slice(2, end);
  const space = info.indexOf(' ');
  const properties = new Map<string, string>();
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')) {
      const [key = '', value = ''] = pair.replace(/^=+/, '').split(/=+(.*)/s);
      if (key !== '' && value !== '') properties.set(key, unescapeCodes(value, propertyCodes));
    }
  }
  return {
    command: space < 0 ? info : info.slice(0, space),
    properties,
    data: unescapeCodes(text.slice(end + 2), dataCodes),
  };
}
