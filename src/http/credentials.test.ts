import { describe, expect, it } from 'vitest';
import {
  isSecretHeader,
  mentionsCredential,
  redactHeaders,
  redactRefusedUrl,
  redactUrl,
  secretHeaderVariable,
  splitCredentials,
} from './credentials.js';

describe('credentials', () => {
  it('sends user info as Basic auth, decoding percent-escapes as curl does', () => {
    const { url, authorization } = splitCredentials('http://alice:p%40ss%3Aword@example.test:8080/hook?x=1');
    expect(url.href).toBe('http://example.test:8080/hook?x=1');
    expect(authorization).toBe(`Basic ${Buffer.from('alice:p@ss:word').toString('base64')}`);
    expect(splitCredentials('https://example.test/').authorization).toBeUndefined();
  });

  it('redacts the password of every printed URL, and leaves other URLs alone', () => {
    expect(redactUrl('http://alice:secret@example.test/hook')).toBe('http://alice:***@example.test/hook');
    // A user info of one part is a token: all of it is hidden (red team hT36 #5).
    expect(redactUrl('http://T0KEN@example.test/')).toBe('http://***@example.test/');
    expect(redactUrl('http://T0KEN@127.0.0.1:99999/')).toBe('http://***@127.0.0.1:99999/');
    expect(redactUrl('//T0KEN@127.0.0.1:9/')).toBe('//***@127.0.0.1:9/');
    expect(redactUrl('http://example.test/hook')).toBe('http://example.test/hook');
  });

  it('redacts user info in text that is no URL with a host, whatever else is wrong with it', () => {
    // Hint: `admin:PW@host` parses, as a URL of scheme `admin:` and no host, and was printed whole (red team hT36 #1).
    for (const [text, shown] of [
      ['admin:PASSW0RD@127.0.0.1:9/hook', 'admin:***@127.0.0.1:9/hook'],
      ['//admin:PASSW0RD@127.0.0.1:9/', '//admin:***@127.0.0.1:9/'],
      [' http://admin:PASSW0RD@127.0.0.1:99999/', ' http://admin:***@127.0.0.1:99999/'],
      ['x:admin:PASSW0RD@127.0.0.1', 'x:***@127.0.0.1'],
      // A slash, `?` or `#` typed raw in a password is what makes the text no URL: it is hidden too.
      ['http://admin:pa/ss@127.0.0.1:9/', 'http://admin:***@127.0.0.1:9/'],
      ['admin:pa?s#s@127.0.0.1:9/?q=1', 'admin:***@127.0.0.1:9/?q=1'],
      // Everything from the first `:` to the last `@` is hidden, a slash then `?` or `#` in a
      // password too (review hR35 #1): over-redacting an error's quote is harmless, a leak is not.
      ['http://admin:pa/ss?x@127.0.0.1:9/', 'http://admin:***@127.0.0.1:9/'],
      ['http://admin:pa/s#s@127.0.0.1:9/', 'http://admin:***@127.0.0.1:9/'],
      ['admin:pa/ss?x@127.0.0.1:9/', 'admin:***@127.0.0.1:9/'],
      ['http://exa mple/?a=b:c@d', 'http://exa mple/?a=b:***@d'],
      // One slash after a scheme that needs two is no scheme: `/se` of the password showed (review hR37).
      ['admin:/se:cret@127.0.0.1/', 'admin:***@127.0.0.1/'],
      ['mailto:', 'mailto:'],
    ] as const) {
      expect(redactUrl(text), text).toBe(shown);
    }
    // Text refused for its scheme may parse with a host, its user info read as one: the same rule.
    expect(redactRefusedUrl('ftp://admin:21/pa?ss@127.0.0.1/')).toBe('ftp://admin:***@127.0.0.1/');
    expect(redactRefusedUrl('ws://T0/KEN?x@127.0.0.1/')).toBe('ws://***@127.0.0.1/');
  });

  it('takes a line naming a credential scheme, with no header name, for one that may hold a credential', () => {
    // `-H 'Bearer T0KEN'`, the header's name left out, was refused quoting the token (review hR37).
    expect(mentionsCredential('Bearer T0KEN')).toBe(true);
    expect(mentionsCredential('basic dXNlcjpwdw==')).toBe(true);
    expect(mentionsCredential('X-Env: test')).toBe(false);
    // And with a colon, it is read as a header of that name, which is then a credential's (review hR38).
    expect(isSecretHeader('Bearer')).toBe(true);
  });

  it('knows which headers are secrets, and the variable the curl format reads each from', () => {
    expect(['Authorization', 'cookie', 'X-Api-Key', 'api-key', 'Proxy-Authorization'].every(isSecretHeader)).toBe(true);
    expect(['content-type', 'x-signature', 'webhook-id', 'x-api-keys'].some(isSecretHeader)).toBe(false);
    // The rule: the name's last word (after its last `-` or `_`) names a credential (red team hT36 #3).
    const tokens = ['X-Auth-Token', 'Private-Token', 'X-Access-Token', 'X-Vault-Token', 'token', 'X-Hook-Secret'];
    const keys = ['X-Functions-Key', 'Ocp-Apim-Subscription-Key', 'x_apikey', 'X-Password', 'X-Auth', 'X-Cookie'];
    for (const name of [...tokens, ...keys]) expect(isSecretHeader(name), name).toBe(true);
    for (const name of ['x-token-id', 'X-Auth-Email', 'x-keys', 'Tokens', 'x-signature-timestamp']) {
      expect(isSecretHeader(name), name).toBe(false);
    }
    expect(redactHeaders({ authorization: 'Bearer t', 'x-env': 'test' })).toEqual({
      authorization: '***',
      'x-env': 'test',
    });
    expect(secretHeaderVariable('X-Api-Key')).toBe('CALLHOOK_HEADER_X_API_KEY');
  });
});
