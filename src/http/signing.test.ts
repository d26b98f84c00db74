import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { CallhookError } from '../errors.js';
import { createSigner, parseSecrets, signHmacHex } from './signing.js';
import { verifyHexHmacWithKeys } from './verify.js';

const secret = `whsec_${Buffer.from('a test key of 24 bytes!!').toString('base64')}`;
const other = `whsec_${Buffer.from('the rotated key').toString('base64')}`;

describe('Standard Webhooks signing', () => {
  it('produces headers the reference library verifies, for every key of a rotation', () => {
    const keys = parseSecrets(`${secret}, ${other}`, 'standard', 'CALLHOOK_SECRET');
    const body = Buffer.from('[{"time":"2024-01-01T00:00:00Z","note":"héllo"}]');
    const headers = createSigner('standard', keys)('msg_abc', body, new Date());
    expect(headers['webhook-id']).toBe('msg_abc');
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const s of [secret, other]) expect(new Webhook(s).verify(body, headers)).toEqual(JSON.parse(body.toString()));
  });

  it('takes the timestamp from the clock it is given', () => {
    const keys = parseSecrets(secret, 'standard', 'CALLHOOK_SECRET');
    const headers = createSigner('standard', keys)('msg_1', Buffer.from('[]'), new Date(1_700_000_000_900));
    expect(headers['webhook-timestamp']).toBe('1700000000');
  });

  it('rejects a secret that is not base64 without quoting it', () => {
    expect(() => parseSecrets('whsec_not*base64', 'standard', 'MY_SECRET')).toThrow(
      /secret #1 in the variable --secret-env names/,
    );
    try {
      parseSecrets('whsec_not*base64', 'standard', 'MY_SECRET');
    } catch (error) {
      expect(String(error)).not.toContain('not*base64');
    }
  });

  it('refuses every secret the standardwebhooks package refuses, takes its key where both take one, and differs only where it is stricter', () => {
    // Hint: every string of up to 6 characters of a few base64 letters, padding and one that is
    // neither: the package refuses under 4 characters (`whsec_ab=`, `whsec_abc`), 3 or more `=`
    // and letters past the alphabet. Where it accepts, the key must be its key. It also decodes
    // whole groups of 4 and passes over what is left (`AAAAA`, `AAAA*`, `AAAA=`): callhook refuses
    // such a secret rather than sign with a key that is not all of it (review hR17).
    const letters = ['A', 'b', '/', '=', '*'];
    let strings = [''];
    for (let length = 1; length <= 6; length++) {
      strings = strings.flatMap((s) => (s.length === length - 1 ? [s, ...letters.map((c) => s + c)] : [s]));
    }
    for (const base64 of strings.filter((s) => s !== '')) {
      const secret = `whsec_${base64}`;
      let official: Uint8Array | undefined;
      try {
        official = (new Webhook(secret) as unknown as { key: Uint8Array }).key;
      } catch {
        official = undefined;
      }
      let ours: Buffer | undefined;
      try {
        ours = parseSecrets(secret, 'standard', 'CALLHOOK_SECRET')[0];
      } catch (error) {
        expect(String(error), secret).toMatch(
          /^CallhookError: secret #1 in CALLHOOK_SECRET is not a Standard Webhooks secret/,
        );
        ours = undefined;
      }
      if (ours !== undefined) expect(official && Buffer.from(official).equals(ours), secret).toBe(true);
      const leftOver = base64.length % 4 === 1 || (base64.includes('=') && base64.length % 4 !== 0);
      if (official !== undefined && ours === undefined) expect(leftOver, secret).toBe(true);
    }
    // `x=` is base64 of no byte at all, not an empty secret.
    expect(() => parseSecrets('whsec_x=', 'standard', 'CALLHOOK_SECRET')).toThrow(
      /^secret #1 in CALLHOOK_SECRET is not a Standard Webhooks secret/,
    );
  });

  it('numbers a secret as the verdicts number the one that matched: among the secrets, an empty item left out', () => {
    // Errors numbered the secrets by their place as typed (#3 of `a,,c`) while `verify` said the
    // same secret matched as #2: one key, two numbers (review hR17).
    expect(() => parseSecrets('whsec_abcd,,whsec_x=', 'standard', 'CALLHOOK_SECRET')).toThrow(
      /^secret #2 in CALLHOOK_SECRET /,
    );
    expect(() => parseSecrets(' ,whsec_!!!!', 'standard', 'CALLHOOK_SECRET')).toThrow(/^secret #1 in CALLHOOK_SECRET /);
    const keys = parseSecrets('wrong,,right', 'hmac', 'CALLHOOK_SECRET');
    const body = Buffer.from('[]');
    const header = { 'x-signature': signHmacHex(body, [Buffer.from('right')]) };
    expect(verifyHexHmacWithKeys(body, header, { keys })).toEqual({ ok: true, secretIndex: 1 });
  });

  it('says secrets are separated by commas when one holds a blank', () => {
    expect(() => parseSecrets('whsec_MfKQ9r8G whsec_KYqrTwjU', 'standard', 'CALLHOOK_SECRET')).toThrow(
      /^secret #1 in CALLHOOK_SECRET is not a Standard Webhooks secret .*separated by commas/,
    );
    // One secret a line (`$(cat secrets)`) is a list too, not a wrapped secret (review hR99).
    expect(() => parseSecrets('whsec_MfKQ9r8G\nwhsec_KYqrTwjU', 'standard', 'CALLHOOK_SECRET')).toThrow(
      /^secret #1 in CALLHOOK_SECRET is not a Standard Webhooks secret .*separated by commas$/,
    );
  });

  it('says a secret holds a line break, not that secrets are separated by commas, when a tool wrapped it', () => {
    // `whsec_$(openssl rand -base64 64)` is wrapped at 64 characters: the hint spoke of a list of
    // secrets (red team hR93).
    const wrapped = `whsec_${'A'.repeat(64)}\n${'B'.repeat(24)}`;
    for (const secret of [wrapped, wrapped.replace('\n', '\r\n')]) {
      expect(() => parseSecrets(secret, 'standard', 'CALLHOOK_SECRET')).toThrow(
        new CallhookError(
          'secret #1 in CALLHOOK_SECRET is not a Standard Webhooks secret (expected whsec_<base64>); it holds a line break, as a tool that wraps base64 writes it: write it on one line',
          2,
        ),
      );
    }
  });

  it('asks for the environment variable when there is no secret', () => {
    expect(() => parseSecrets(undefined, 'hmac', 'CALLHOOK_SECRET')).toThrow(/CALLHOOK_SECRET/);
    expect(() => parseSecrets(' , ', 'hmac', 'CALLHOOK_SECRET')).toThrow(/CALLHOOK_SECRET/);
  });
});

describe('hex HMAC signing', () => {
  it('puts one hex digest per key in the named header', () => {
    const keys = parseSecrets('one,two', 'hmac', 'S');
    const body = Buffer.from('[1]');
    const expected = ['one', 'two'].map((k) => createHmac('sha256', k).update(body).digest('hex')).join(',');
    expect(signHmacHex(body, keys)).toBe(expected);
    expect(createSigner('hmac', keys, 'X-Hub-Signature')('id', body, new Date())).toEqual({
      'x-hub-signature': expected,
    });
  });
});
