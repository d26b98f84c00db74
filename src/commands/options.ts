/** Option parsers shared by the commands: every option value is checked here, before any logic. */
import { InvalidArgumentError } from 'commander';
import * as v from 'valibot';

const positiveInteger = v.pipe(v.string(), v.regex(/^[0-9]+$/), v.transform(Number), v.integer(), v.minValue(1));

/** Parses a whole number ≥ 1, or tells commander why not (a usage error, exit 2). */
export function parsePositiveInteger(value: string): number {
  const result = v.safeParse(positiveInteger, value.trim());
  if (!result.success) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return result.output;
}
