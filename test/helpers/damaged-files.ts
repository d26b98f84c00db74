/**
 * Seeded files of webhook events damaged in the ways validate reports: schema errors, warnings,
 * redeliveries, syntax errors found late but placed early, text that is no JSON; as batches,
 * NDJSON and lone values. For property tests that compare one reading of them with another.
 */
import type { ValidationReport } from '../../src/core/validation.js';
import { callComplete } from './events.js';

/** A generator of numbers in [0, 1) from `seed`, the same ones for the same seed. */
function numbers(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // Hint: xorshift32, enough to vary test inputs.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** One damaged file: its name's ending and its text. */
export interface DamagedFile {
  ending: 'json' | 'ndjson';
  text: string;
}

/** The file `seed` names: a few elements of every kind, in one of the layouts validate reads. */
export function damagedFile(seed: number): DamagedFile {
  const next = numbers(seed);
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)] as T;
  const { type: _, ...rest } = callComplete();
  const base = { ...rest, eventType: 'CallComplete' };
  // Hint: few ids, so that copies of one (redeliveries, of events and of undocumented-status calls) are common.
  const ids = ['4bedc375-528a-4af2-9eab-ac0887670901', '4bedc375-528a-4af2-9eab-ac0887670902'];
  const element = (pretty: boolean): string => {
    const event = structuredClone(base) as Record<string, unknown> & { data: Record<string, unknown> };
    event.id = pick(ids);
    const kind = pick([
      'valid',
      'redelivered',
      'empty',
      'status',
      'several',
      'warnings',
      'duplicate-key',
      'proto',
      'trailing-comma',
      'missing-comma',
      'unterminated',
      'text',
      'scalar',
      'undocumented',
      'bare',
    ] as const);
    if (kind === 'valid') event.id = `4bedc375-528a-4af2-9eab-${String(Math.floor(next() * 1e12)).padStart(12, '0')}`;
    if (kind === 'empty') return '{}';
    if (kind === 'scalar') return pick(['1', '"x"', 'null', '[]']);
    if (kind === 'text') return pick(['not json at all', '<html>', 'tru']);
    if (kind === 'status') event.data.status = 'Voicemail';
    if (kind === 'several')
      Object.assign(event, { createdAt: 'yesterday', data: { ...event.data, phone: '+61 x', name: 7 } });
    if (kind === 'warnings') Object.assign(event.data, { flow: [], lastStepName: 'nope', status: 'Complete' });
    if (kind === 'undocumented') Object.assign(event, { extra: 1, data: { ...event.data, more: { a: 1 } } });
    const text =
      kind === 'bare' ? JSON.stringify(event.data, null, pretty ? 2 : 0) : JSON.stringify(event, null, pretty ? 2 : 0);
    if (kind === 'duplicate-key') return text.replace('"name":', '"name": 1, "name":');
    if (kind === 'proto') return text.replace('"name":', '"__proto__": {}, "name":');
    if (kind === 'trailing-comma') return text.replace(/("additionalInformation":\s*"[^"]*")/, '$1,');
    if (kind === 'missing-comma') return text.replace(/("name":\s*"[^"]*"),/, '$1');
    if (kind === 'unterminated') return text.replace('"John Doe"', '"John Doe');
    return text;
  };
  const layout = pick(['batch', 'pretty', 'ndjson', 'batches', 'lone'] as const);
  const count = 1 + Math.floor(next() * 12);
  const elements = Array.from({ length: count }, () => element(layout === 'pretty'));
  // Hint: a doubled comma is found after the trailing comma before it, which is placed first.
  const comma = () => pick([',', ',', ',', ',,', '', ', ,']);
  const end = () => pick(['', '', ',']);
  if (layout === 'lone') return { ending: 'json', text: `${elements[0]}\n` };
  if (layout === 'ndjson') return { ending: 'ndjson', text: `${elements.join('\n')}${pick(['\n', '', ',\n'])}` };
  if (layout === 'batches') {
    const lines: string[] = [];
    for (let i = 0; i < count; i += 3) lines.push(`[${elements.slice(i, i + 3).join(comma())}${end()}]`);
    return { ending: 'ndjson', text: `${lines.join('\n')}\n` };
  }
  const line = layout === 'pretty' ? '\n' : '';
  const items = elements.map((text, i) => `${text}${i < count - 1 ? comma() : end()}`);
  return { ending: 'json', text: `[${line}${items.join(line)}${line}]${pick(['\n', '', ',', '\n]'])}` };
}

/**
 * `report` (an uncapped one) as it reads with `maxProblems` listed: each file's first errors by
 * place, in file order, until that many are listed, and so its first warnings, the rest counted
 * as omitted; a file read no further (`fatal`) is listed whatever is left out.
 */
export function restrictedTo(report: ValidationReport, maxProblems: number): ValidationReport {
  const left = { error: maxProblems, warning: maxProblems };
  const files = report.files.map((file) => {
    const problems = file.problems.filter(
      (problem) => problem.fatal === true || (left[problem.severity] > 0 && left[problem.severity]-- > 0),
    );
    return { ...file, problems, omitted: file.omitted + file.problems.length - problems.length };
  });
  return { ...report, files };
}
