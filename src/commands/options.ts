/**
 * Option parsers shared by the commands: every option value is checked here, before any logic.
 * Hint: plain code rather than valibot, because commander calls these while parsing argv and
 * `callhook --help` must not pay for loading the schema library.
 */
import { InvalidArgumentError } from 'commander';

/** Parses a whole number ≥ 1, or tells commander why not (a usage error, exit 2). */
export function parsePositiveInteger(value: string): number {
  const trimmed = value.trim();
  const number = Number(trimmed);
  if (!/^[0-9]+$/.test(trimmed) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a whole number of 1 or more.');
  }
  return number;
}
