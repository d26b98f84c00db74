import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confirmedKeys, openJournal, readConfirmedKeys } from './journal.js';

describe('journal', () => {
  it('confirms only delivered keys and survives a torn last line', () => {
    const text = [
      '{"key":"0-a","status":"delivered","attempts":1,"events":1,"source":"f:1:1","at":"x"}',
      '{"key":"1-b","status":"failed","attempts":6,"events":1,"source":"f:2:1","at":"x"}',
      '{"key":"2-c","status":"undelivered","attempts":0,"events":1,"source":"f:3:1","at":"x"}',
      '{"key":"3-d","status":"deli',
    ].join('\n');
    expect([...confirmedKeys(text)]).toEqual(['0-a']);
  });

  it('appends lines that can be read back, and a missing journal confirms nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callhook-journal-'));
    const path = join(dir, 'run.jsonl');
    expect(readConfirmedKeys(path).size).toBe(0);
    const journal = openJournal(path);
    journal.append({ key: 'k', status: 'delivered', attempts: 1, events: 2, source: 's', at: 'now' });
    journal.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    expect(readConfirmedKeys(path)).toEqual(new Set(['k']));
  });
});
