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

const byteUnits: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };
// Hint: an element becomes one string, and V8's strings hold at most 2^29 - 24 characters.
const maxByteSize = 511 * 2 ** 20;

/**
 * Parses a size in bytes: a number with an optional `k`, `M` or `G` (powers of 1024, `KiB`,
 * `MB` and the like read the same), from one byte to 511M; or tells commander why not.
 */
export function parseByteSize(value: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(value.trim());
  const bytes = match ? Math.floor(Number(match[1]) * byteUnits[(match[2] ?? '').toLowerCase()]!) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > maxByteSize) {
    throw new InvalidArgumentError('expected a size in bytes from 1 to 511M, such as 65536, 512k or 64M.');
  }
  return bytes;
}
