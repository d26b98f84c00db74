import { describe, expect, it, vi } from 'vitest';

vi.mock('jsonc-parser', async (importOriginal) => {
  const original = await importOriginal<typeof import('jsonc-parser')>();
  return { ...original, parseTree: vi.fn(original.parseTree) };
});

describe('exactValue', () => {
  it('reads the text again only where a number a double does not hold is', async () => {
    // Any exponent or 16 digits had the whole element parsed again into a tree, and dropped: replay
    // --fresh of a 64 MB element with one `1.5e3` ran out of V8's heap, where it had sent it (review hR58).
    // Hint: loaded afresh, so that it reads the mocked parser: the suite's workers share modules,
    // and a file before this one in the same worker may have loaded it with the real one.
    vi.resetModules();
    const { parseTree } = await import('jsonc-parser');
    const { exactValue } = await import('./exact-value.js');
    const holds = '{"a":1.5e3,"b":[1234567890123456,2.5E-3,-1e2],"c":"1e400","d":0.1}';
    const value = JSON.parse(holds);
    expect(exactValue(value, holds)).toBe(value);
    expect(parseTree).not.toHaveBeenCalled();
    const big = `[${'[0],'.repeat(100_000)}1.5e3]`;
    const bigValue = JSON.parse(big);
    expect(exactValue(bigValue, big)).toBe(bigValue);
    expect(parseTree).not.toHaveBeenCalled();
    // One that does not hold, even in the same text: read again, that number kept as written.
    const not = '{"a":1.5e3,"b":1e400}';
    expect(JSON.stringify(exactValue(JSON.parse(not), not))).not.toBe(JSON.stringify(JSON.parse(not)));
    expect(parseTree).toHaveBeenCalledTimes(1);
  });
});
