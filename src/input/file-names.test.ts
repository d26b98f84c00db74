import { describe, expect, it } from 'vitest';
import { fileNameOf, openablePath } from './file-names.js';

describe('fileNameOf and openablePath', () => {
  it('keep a UTF-8 name as it is, text both ways', () => {
    expect(fileNameOf(Buffer.from('café 📞.json'))).toBe('café 📞.json');
    expect(openablePath('café 📞.json')).toBe('café 📞.json');
  });

  it('hold each byte that is not UTF-8 as U+DC00 + the byte, and open by the very bytes', () => {
    const cases = [
      Buffer.from('caf\xe9.json', 'latin1'),
      Buffer.from([0xc3]), // a character cut at the end
      Buffer.from([0xc3, 0x41, 0xe2, 0x82]), // cut before an ASCII byte, and at the end
      Buffer.from([0xed, 0xa0, 0x80, 0x2e]), // a surrogate written as UTF-8
      Buffer.from([0xc0, 0xaf, 0xf0, 0x9f, 0x93, 0x9e]), // an overlong '/', then a valid emoji
    ];
    expect(fileNameOf(cases[0] as Buffer)).toBe('caf\udce9.json');
    expect(fileNameOf(cases[4] as Buffer)).toBe('\udcc0\udcaf📞');
    for (const bytes of cases) {
      const name = fileNameOf(bytes);
      expect(name).not.toContain('\ufffd');
      expect(openablePath(name)).toEqual(bytes);
    }
  });
});
