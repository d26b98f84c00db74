import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type AnswerContext, answerOf, failureOf, maxRedirects, redirectTarget } from './attempt.js';
import { maxRetryAfterMs } from './retry.js';

const url = new URL('https://hooks.example/in');
const context: AnswerContext = { url, method: 'POST', hops: 0, followRedirects: false, latencyMs: 12.34, now: 0 };

function answer(status: number, headers: IncomingHttpHeaders = {}, more: Partial<AnswerContext> = {}, body = '') {
  return answerOf({ status, headers, body, bodyWithheld: false }, { ...context, ...more });
}

describe('answerOf', () => {
  it('accepts a 2xx that answered the body', () => {
    expect(answer(204)).toEqual({
      kind: 'response',
      status: 204,
      accepted: true,
      retryable: false,
      latencyMs: 12.34,
      detail: '',
    });
  });

  it('does not accept a 2xx given before the body was sent, nor retry it', () => {
    const withheld = answerOf({ status: 200, headers: {}, body: '', bodyWithheld: true }, context);
    expect(withheld).toMatchObject({
      accepted: false,
      retryable: false,
      detail: 'answered before the whole body was sent, so the events did not arrive',
    });
  });

  it('retries 408, 429 and 5xx, honouring Retry-After only on those', () => {
    expect(answer(503, { 'retry-after': '7' })).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(answer(429, { 'retry-after': '99999' })).toMatchObject({ retryAfterMs: maxRetryAfterMs });
    expect(answer(500)).toMatchObject({ retryable: true, retryAfterMs: undefined });
    expect(answer(400, { 'retry-after': '7' })).toMatchObject({ retryable: false, retryAfterMs: undefined });
  });

  it("reports a 4xx or 5xx body on one line, cut to 200 characters; a 1xx or 3xx's body is not shown", () => {
    expect(answer(422, {}, {}, '  bad\n\n  field ')).toMatchObject({ detail: 'bad field' });
    expect((answer(500, {}, {}, 'x'.repeat(300)) as { detail: string }).detail).toBe(`${'x'.repeat(200)}…`);
    expect(answer(199, {}, {}, 'ignored')).toMatchObject({ detail: '', retryable: false });
  });

  it('cuts an answer between whole characters, never between the halves of an emoji or from its skin tone', () => {
    // `a` and 150 × 😀 was cut to `…😀\ud83d…`: a lone surrogate, which the report, the journal
    // and `--format json` wrote as `"\ud83d…"`, an escape jq 1.6 refuses.
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const piece of ['😀', '👍🏽', '🇦🇺', '👨\u200d👩\u200d👧\u200d👦', 'e\u0301']) {
      const body = `a${piece.repeat(150)}`;
      const { detail } = answer(400, {}, {}, body) as { detail: string };
      expect(detail.endsWith('…')).toBe(true);
      const shown = detail.slice(0, -1);
      expect(body.startsWith(shown)).toBe(true);
      expect(shown.length).toBeLessThanOrEqual(200);
      expect(shown.length).toBeGreaterThan(200 - piece.length);
      for (const { segment } of segmenter.segment(shown.slice(1))) expect(segment, piece).toBe(piece);
    }
  });

  it('never follows 301, 302 or 303: they turn the POST into a GET without the body', () => {
    for (const status of [301, 302, 303]) {
      const result = answer(status, { location: '/moved' }, { followRedirects: true });
      expect(result).toMatchObject({ kind: 'response', retryable: false });
      expect((result as { detail: string }).detail).toContain(`a ${status} turns the POST into a GET`);
      expect((result as { detail: string }).detail).toContain('to https://hooks.example/moved');
    }
  });

  it('says of another 3xx (300, 305) only that it is no redirect replay follows, not that it turns the POST into a GET', () => {
    for (const status of [300, 305, 399]) {
      const result = answer(status, {}, { followRedirects: true });
      expect(result).toMatchObject({ kind: 'response', retryable: false });
      expect((result as { detail: string }).detail).toBe(
        `answered ${status}: misconfigured endpoint (only a 307 or 308 redirect keeps the POST and its body; give the final address as --url)`,
      );
    }
  });

  it('says of a 304 that it is no redirect but an answer to a conditional GET or HEAD', () => {
    // It was reported as a redirect other than 307 or 308 (red-team report hT48).
    const result = answer(304, { location: '/elsewhere' }, { followRedirects: true, method: 'PUT' });
    expect(result).toMatchObject({ kind: 'response', retryable: false });
    expect((result as { detail: string }).detail).toBe(
      'answered 304 Not Modified, which is no redirect but an answer to a conditional GET or HEAD, not to a PUT: misconfigured endpoint',
    );
  });

  it('follows 307 and 308 only when asked, within the redirect limit, to an http(s) target', () => {
    expect(answer(307, { location: '/next' })).toMatchObject({ detail: expect.stringMatching(/--follow-redirects/) });
    expect(answer(308, { location: '/next' }, { followRedirects: true })).toEqual({
      kind: 'follow',
      to: new URL('https://hooks.example/next'),
    });
    expect(answer(307, { location: 'ftp://x/' }, { followRedirects: true })).toMatchObject({
      detail: 'redirected without a usable Location: misconfigured endpoint',
    });
    expect(answer(307, { location: '/next' }, { followRedirects: true, hops: maxRedirects })).toMatchObject({
      detail: `more than ${maxRedirects} redirects: misconfigured endpoint`,
    });
  });

  it('shows a redirect target without its credentials', () => {
    const result = answer(302, { location: 'https://user:secret@other.example/x' });
    expect((result as { detail: string }).detail).not.toContain('secret');
  });
});

describe('redirectTarget', () => {
  it('resolves a relative Location and refuses what is not http(s)', () => {
    expect(redirectTarget(['../up', '/ignored'], url)?.href).toBe('https://hooks.example/up');
    expect(redirectTarget('mailto:a@b.example', url)).toBeUndefined();
    expect(redirectTarget(undefined, url)).toBeUndefined();
    expect(redirectTarget('http://[bad', url)).toBeUndefined();
  });

  it('goes to the bytes a Location holds outside ASCII, each escaped, as curl does', () => {
    // A header's bytes come as latin1 characters: `/café` in UTF-8 went to /caf%C3%83%C2%A9, each
    // byte taken for a character and encoded again (red team hR104).
    expect(redirectTarget('/caf\u00c3\u00a9', url)?.pathname).toBe('/caf%C3%A9');
    expect(redirectTarget('/caf\u00e9?q=\u00e9', url)?.href).toBe('https://hooks.example/caf%E9?q=%E9');
  });
});

describe('failureOf', () => {
  const error = (code: string | undefined, message = 'boom') => Object.assign(new Error(message), { code });

  it('retries a timeout, saying how long it waited', () => {
    expect(failureOf(error('TIMEOUT'), 2500)).toEqual({
      kind: 'error',
      outcome: 'timeout',
      retryable: true,
      detail: 'no complete response within 2.5 s',
    });
  });

  it('retries network errors, by their code', () => {
    expect(failureOf(error('ECONNRESET'), 1000)).toMatchObject({ outcome: 'ECONNRESET', retryable: true });
    expect(failureOf(error('ECONNREFUSED'), 1000)).toMatchObject({ retryable: true });
  });

  it("says a network error in words, naming where, never Node's text that names the code again", () => {
    // "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1", "ENOTFOUND: getaddrinfo ENOTFOUND x.invalid",
    // "ECONNRESET: socket hang up" (red team hF59).
    const at = (code: string, message: string, where: object) =>
      failureOf(Object.assign(error(code, message), where), 1000);
    expect(at('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', { address: '127.0.0.1', port: 1 })).toEqual({
      kind: 'error',
      outcome: 'ECONNREFUSED',
      retryable: true,
      detail: 'nothing is listening at 127.0.0.1:1',
    });
    expect(at('ECONNREFUSED', 'connect ECONNREFUSED ::1:8080', { address: '::1', port: 8080 }).detail).toBe(
      'nothing is listening at [::1]:8080',
    );
    expect(at('ENOTFOUND', 'getaddrinfo ENOTFOUND x.invalid', { hostname: 'x.invalid' }).detail).toBe(
      'no such host: x.invalid',
    );
    expect(at('ECONNRESET', 'socket hang up', {}).detail).toBe('the receiver closed the connection before answering');
    for (const code of [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'ECONNRESET',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'EPIPE',
    ]) {
      const failure = at(code, `connect ${code} 10.0.0.7:8080`, {
        address: '10.0.0.7',
        port: 8080,
        hostname: 'a.test',
      });
      expect(failure, code).toMatchObject({ outcome: code, retryable: true });
      expect(failure.detail, code).not.toContain(code);
    }
    // Cut part way through an answer (listen --forward reads it whole), a reset is not "before answering".
    expect(at('ECONNRESET', 'aborted', { partway: true }).detail).toBe(
      'the receiver closed the connection part way through its answer',
    );
  });

  it('does not retry what no attempt can fix: a refused header value, a bad certificate', () => {
    expect(failureOf(error('ERR_INVALID_CHAR'), 1000)).toMatchObject({ retryable: false, detail: 'boom' });
    expect(failureOf(error('ERR_HTTP_INVALID_HEADER_VALUE'), 1000)).toMatchObject({ retryable: false });
    expect(failureOf(error('DEPTH_ZERO_SELF_SIGNED_CERT'), 1000)).toMatchObject({
      retryable: false,
      detail:
        'boom (for a local development server, --insecure skips the check; NODE_EXTRA_CA_CERTS=ca.pem trusts a private CA)',
    });
  });

  it('does not retry any certificate that fails the check, and says how to trust it', () => {
    // Six codes were known: INVALID_PURPOSE, CERT_NOT_YET_VALID and a SHA-1 signature (UNSPECIFIED)
    // were tried six times, with no hint (red team hT67).
    for (const code of ['INVALID_PURPOSE', 'CERT_NOT_YET_VALID', 'UNSPECIFIED', 'CERT_REVOKED', 'HOSTNAME_MISMATCH']) {
      expect(failureOf(error(code), 1000), code).toMatchObject({
        retryable: false,
        detail: 'boom (for a local development server, --insecure skips the check)',
      });
    }
    // A private CA's certificate, which NODE_EXTRA_CA_CERTS can trust; trusting one cannot mend
    // an expired certificate or another name (review hR63).
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'SELF_SIGNED_CERT_IN_CHAIN',
    ]) {
      expect(failureOf(error(code), 1000).detail, code).toBe(
        'boom (for a local development server, --insecure skips the check; NODE_EXTRA_CA_CERTS=ca.pem trusts a private CA)',
      );
    }
  });

  it("says a receiver that refuses the handshake (a client certificate it wants) does, in OpenSSL's reason alone, not retried", () => {
    // "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 805CA610CC7F0000:error:0A00045C:SSL
    // routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/…:1601:SSL alert
    // number 116\n", tried six times (red team hT67).
    const openssl = (reason: string, number: number) =>
      `805CA610CC7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:${reason}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number ${number}\n`;
    expect(
      failureOf(
        error('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', openssl('tlsv13 alert certificate required', 116)),
        1000,
      ),
    ).toEqual({
      kind: 'error',
      outcome: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      retryable: false,
      detail:
        'the receiver wants a client certificate, which callhook does not send (tlsv13 alert certificate required)',
    });
    expect(failureOf(error('EPROTO', `write EPROTO ${openssl('sslv3 alert handshake failure', 40)}`), 1000)).toEqual({
      kind: 'error',
      outcome: 'EPROTO',
      retryable: false,
      detail:
        'the receiver refused the TLS handshake (sslv3 alert handshake failure): it may want a client certificate, which callhook does not send, or share no TLS version or cipher with it',
    });
    // An alert that may pass is retried as any network error is (review hR63).
    expect(failureOf(error('EPROTO', `write EPROTO ${openssl('tlsv1 alert internal error', 80)}`), 1000)).toMatchObject(
      {
        retryable: true,
      },
    );
  });

  it("says this machine's own limits (open files, memory, buffers) as its own, not retried, never Node's raw text", () => {
    // A connect that hit `ulimit -n` read "connect EMFILE 127.0.0.1:8080 - Local (undefined:undefined)",
    // was counted as the receiver not answering, and three of them stopped the run blaming it.
    const raw = (code: string) => error(code, `connect ${code} 127.0.0.1:8080 - Local (undefined:undefined)`);
    expect(failureOf(raw('EMFILE'), 1000)).toEqual({
      kind: 'error',
      outcome: 'EMFILE',
      retryable: false,
      detail: 'too many open files on this machine (EMFILE)',
      local: 'lower --concurrency or raise ulimit -n',
    });
    for (const code of ['ENFILE', 'ENOMEM', 'ENOBUFS']) {
      const failure = failureOf(raw(code), 1000);
      expect(failure, code).toMatchObject({ outcome: code, retryable: false, local: expect.any(String) });
      expect(failure.detail, code).toMatch(new RegExp(`on this machine \\(${code}\\)$`));
    }
    // Any other error on connect keeps its text, without Node's empty local address.
    expect(failureOf(raw('EADDRNOTAVAIL'), 1000)).toMatchObject({ detail: 'connect EADDRNOTAVAIL 127.0.0.1:8080' });
  });

  it('names an error without a code by its name', () => {
    const typeError = new TypeError('bad');
    expect(failureOf(typeError, 1000)).toMatchObject({ outcome: 'TypeError', retryable: true });
  });
});
