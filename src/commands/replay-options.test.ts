import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayDefaults } from '../../test/helpers/replay-options.js';
import { CallhookError, ExitCode, quoted } from '../errors.js';
import { parseReplayOptions, type RawReplayOptions } from './replay-options.js';

const base: RawReplayOptions = { ...replayDefaults, header: [] };

describe('parseReplayOptions', () => {
  it('turns strings into settings with the documented defaults', () => {
    const s = parseReplayOptions({ ...base, header: ['Authorization: Bearer x:y', 'X-Env:test'], timeout: '0.5' });
    expect(s).toMatchObject({
      concurrency: 4,
      retries: 5,
      timeoutMs: 500,
      batchSize: undefined,
      headers: { authorization: 'Bearer x:y', 'x-env': 'test' },
      backoff: { baseMs: 500, capMs: 30_000 },
    });
  });

  it('refuses a header named twice, in any case, rather than sending the last alone', () => {
    // `-H 'X-Tenant: a' -H 'x-tenant: b'` sent `x-tenant: b` only, the first dropped without a word (hT51 #3).
    expect(() => parseReplayOptions({ ...base, header: ['X-Tenant: a', 'x-tenant: b'] })).toThrow(
      /^--header: x-tenant is given twice; give it once \(a list in one value, "a, b", if the receiver takes one\)$/,
    );
  });

  it('keeps a header named __proto__ as a header', () => {
    // Assigned on a plain object, it set the object's prototype and was dropped without a word (review hR53).
    const { headers } = parseReplayOptions({ ...base, header: ['__proto__: x', 'constructor: y'] });
    expect(Object.entries(headers)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
  });

  it('bounds the hidden waits at what a timer holds, 2,147,483,647 ms', () => {
    // Past it, Node warned in its own words (TimeoutOverflowWarning) and waited 1 ms (hT51 #6).
    for (const [option, key] of [
      ['--backoff-base', 'backoffBase'],
      ['--backoff-cap', 'backoffCap'],
      ['--progress-interval', 'progressInterval'],
    ] as const) {
      expect(() => parseReplayOptions({ ...base, [key]: '9999999999' }), option).toThrow(
        new RegExp(`^${option}: must be a whole number of milliseconds from \\d to 2147483647 \\(got "9999999999"\\)$`),
      );
    }
  });

  it('lists every problem, each naming its option', () => {
    expect(() =>
      parseReplayOptions({
        ...base,
        url: 'ftp://x',
        concurrency: '0',
        batchSize: 'ten',
        rate: '-1',
        header: ['no colon'],
        format: 'curl',
        resume: true,
      }),
    ).toThrow(
      /^--format: curl needs --dry-run; --resume: needs --journal [^;]*; --url: must be an http\(s\) URL \(got "ftp:\/\/x"\); --batch-size: must be a whole number from 1 to 10000 \(got "ten"\); --concurrency: must be a whole number from 1 to 1024 \(got "0"\); --rate: must be a number of requests per second from 0.001 to 100000 \(got "-1"\); --header: must be a header "Name: value" \(got "no colon"\)$/,
    );
  });

  it('refuses a --report or a new --journal with --dry-run, which writes neither', () => {
    // Both were ignored without a word: a CI step that read the report found none (helper-199).
    expect(() => parseReplayOptions({ ...base, dryRun: true, report: 'r.json' })).toThrow(
      new CallhookError('--report: a dry run sends nothing, and writes no report', ExitCode.usage),
    );
    expect(() => parseReplayOptions({ ...base, dryRun: true, journal: 'j.jsonl' })).toThrow(
      new CallhookError(
        '--journal: a dry run sends nothing, and writes no journal (with --resume it reads one, to show what a resume would send)',
        ExitCode.usage,
      ),
    );
    expect(parseReplayOptions({ ...base, dryRun: true, journal: 'j.jsonl', resume: true }).journal).toBe('j.jsonl');
  });

  it('refuses --insecure with an http:// --url, which has no certificate to check', () => {
    // It was taken without a word: one who passed it believed it did something (fixer hF62 #1).
    expect(() => parseReplayOptions({ ...base, insecure: true })).toThrow(
      new CallhookError(
        '--insecure: applies only with an https:// --url, or with --follow-redirects, which may lead to one',
        ExitCode.usage,
      ),
    );
    expect(parseReplayOptions({ ...base, url: 'https://127.0.0.1:9/', insecure: true }).insecure).toBe(true);
    expect(parseReplayOptions({ ...base, url: 'HTTPS://127.0.0.1:9/', insecure: true }).insecure).toBe(true);
    // A 307 or 308 followed may lead from http:// to https://, whose certificate is then checked.
    expect(parseReplayOptions({ ...base, insecure: true, followRedirects: true }).insecure).toBe(true);
  });

  it('bounds --batch-size at 10000 events, the largest input batch replay holds whole, naming the option and the limit', () => {
    // Hint: `--batch-size 10000000` held whole batches of 10 million events: 1.48 GB for a 125 MB NDJSON.
    expect(parseReplayOptions({ ...base, batchSize: '10000' }).batchSize).toBe(10_000);
    for (const batchSize of ['10001', '10000000', '99999999999999']) {
      const error = (() => {
        try {
          parseReplayOptions({ ...base, batchSize });
        } catch (caught) {
          return caught as { message: string; exitCode: number };
        }
      })();
      expect(error?.message).toBe(`--batch-size: must be a whole number from 1 to 10000 (got ${quoted(batchSize)})`);
      expect(error?.exitCode).toBe(2);
    }
  });

  it('refuses user info in --url that is not percent-encoded, without printing its password', () => {
    // Hint: it was taken, and the first request failed as an internal error (URI malformed).
    for (const url of [
      'http://%zz@127.0.0.1:9/hook',
      'http://user:pa%E0%A4ss@127.0.0.1:9/hook',
      'http://a%4:1@127.0.0.1:9/',
    ]) {
      const parse = () => parseReplayOptions({ ...base, url });
      expect(parse, url).toThrow(
        /^--url: must be an http\(s\) URL whose user info is percent-encoded \(got "http:\/\//,
      );
      expect(parse, url).not.toThrow(/pa%E0/);
    }
    expect(parseReplayOptions({ ...base, url: 'http://us%40er:p%3Aw@127.0.0.1:9/' }).url).toBe(
      'http://us%40er:p%3Aw@127.0.0.1:9/',
    );
  });

  it('echoes an --url it refuses with its password as ***, as every URL it prints', () => {
    for (const [url, shown] of [
      ['http://user:s3cret@127.0.0.1:99999/', 'http://user:***@127.0.0.1:99999/'],
      ['ftp://user:s3cret@127.0.0.1/', 'ftp://user:***@127.0.0.1/'],
      // Hint: from the first `:` to the last `@`, all is hidden, a query's `:` too (review hR35 #1).
      ['http://user:s3c@ret@exa mple/?a=b:c@d', 'http://user:***@d'],
      ['http://exa mple/?a=b:c@d', 'http://exa mple/?a=b:***@d'],
      ['http://admin:pa/ss?x@127.0.0.1:9/', 'http://admin:***@127.0.0.1:9/'],
      // Refused for its scheme, though it parses (host `admin`, port 21): the same rule.
      ['ftp://admin:21/ss?x@127.0.0.1/', 'ftp://admin:***@127.0.0.1/'],
      // As WHATWG URL reads it, any slashes (or none) may follow an http scheme.
      ['http:user:s3cret@127.0.0.1:99999/', 'http:user:***@127.0.0.1:99999/'],
      ['http:\\\\user:s3cret@127.0.0.1:99999/', 'http:\\\\user:***@127.0.0.1:99999/'],
    ] as const) {
      expect(() => parseReplayOptions({ ...base, url }), url).toThrow(
        `--url: must be an http(s) URL (got ${quoted(shown)})`,
      );
    }
  });

  it('requires --url', () => {
    expect(() => parseReplayOptions({ ...base, url: undefined })).toThrow(
      '--url: must be given: the receiver to deliver to',
    );
  });
});

describe('parseReplayOptions, checks before the first request', () => {
  it('(11) keeps --rate, --timeout and --linger within their documented ranges', () => {
    expect(parseReplayOptions({ ...base, rate: '0.001' }).rate).toBe(0.001);
    expect(parseReplayOptions({ ...base, rate: '100000' }).rate).toBe(100_000);
    expect(() => parseReplayOptions({ ...base, rate: '0.0000000001' })).toThrow(
      '--rate: must be a number of requests per second from 0.001 to 100000 (got "0.0000000001")',
    );
    expect(() => parseReplayOptions({ ...base, rate: '100001' })).toThrow(
      /--rate: must be a number of requests per second from/,
    );
    expect(() => parseReplayOptions({ ...base, timeout: '99999999999' })).toThrow(
      /--timeout: must be .* at most 86400/,
    );
    expect(parseReplayOptions(base).lingerMs).toBe(1000);
    expect(parseReplayOptions({ ...base, linger: '0.2' }).lingerMs).toBe(200);
    // A duration is read one way, in whole milliseconds rounded up, never 0 (red team hT42 #1).
    expect(parseReplayOptions({ ...base, timeout: '0.007', linger: '0.0001' })).toMatchObject({
      timeoutMs: 7,
      lingerMs: 1,
    });
    expect(() => parseReplayOptions({ ...base, linger: '0' })).toThrow(
      /--linger: must be a number of seconds more than 0/,
    );
  });

  it('(11) finds an unwritable --report or --journal at once', () => {
    // In the words generate --out uses, and its folder named absolute, as that names it (red team hF56).
    expect(() => parseReplayOptions({ ...base, report: '/no/such/folder/report.json' })).toThrow(
      '--report: /no/such/folder/report.json: cannot create a file in /no/such/folder (no such file or directory)',
    );
    const relativeReport = relative('.', '/no/such/folder/report.json');
    expect(() => parseReplayOptions({ ...base, report: relativeReport })).toThrow(
      `--report: ${relativeReport}: cannot create a file in /no/such/folder (no such file or directory)`,
    );
    expect(() => parseReplayOptions({ ...base, journal: '/tmp' })).toThrow('--journal: /tmp: is a directory');
    // A path too long to be a name by its first 40 characters and its length (review hR127: 100 KB said back).
    const long = 'a'.repeat(100_000);
    for (const option of ['report', 'journal'] as const) {
      const refused = (() => {
        try {
          parseReplayOptions({ ...base, [option]: long });
        } catch (error) {
          return (error as Error).message;
        }
        return '';
      })();
      expect(refused).toMatch(new RegExp(`^--${option}: ${'a'.repeat(40)}… \\(100,000 characters\\): `));
      expect(refused.length).toBeLessThan(200);
    }
    // A dry run writes no journal: one given without --resume is refused as such, not checked.
    expect(() => parseReplayOptions({ ...base, journal: '/tmp', dryRun: true })).toThrow(
      /^--journal: a dry run sends nothing, and writes no journal/,
    );
  });

  it('refuses a --journal that is a pipe or a device: its lines would be lost, and --resume could not read them back', () => {
    // `--journal <(cat old.jsonl) --resume` read the old lines, then wrote the run's outcomes
    // into a pipe nobody reads; a FIFO or /dev/null took them the same way, and the run said
    // nothing. (A FIFO with --resume waited forever for a writer.)
    const fifo = join(mkdtempSync(join(tmpdir(), 'callhook-options-')), 'journal.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const journal of [fifo, '/dev/null']) {
      for (const resume of [false, true]) {
        expect(() => parseReplayOptions({ ...base, journal, resume })).toThrow(
          `--journal: ${journal}: is not a regular file (a pipe or a device): the journal is read back by --resume, so it must be a file`,
        );
      }
    }
    // A dry run writes no journal, but with --resume it reads one: a FIFO there waited forever.
    expect(() => parseReplayOptions({ ...base, journal: fifo, resume: true, dryRun: true })).toThrow(
      `--journal: ${fifo}: is not a regular file`,
    );
    expect(() => parseReplayOptions({ ...base, journal: fifo, dryRun: true })).toThrow(
      /^--journal: a dry run sends nothing, and writes no journal/,
    );
    // A report is only written: a pipe is fine.
    expect(() => parseReplayOptions({ ...base, report: '/dev/null' })).not.toThrow();
  });

  it('accepts Expect: 100-continue and refuses any other expectation', () => {
    expect(parseReplayOptions({ ...base, header: ['Expect: 100-continue'] }).headers.expect).toBe('100-continue');
    expect(() => parseReplayOptions({ ...base, header: ['Expect: something-else'] })).toThrow(
      '--header: must be Expect: 100-continue, the only expectation replay supports (got "Expect: something-else")',
    );
  });

  it('reads -H as verify reads --header: a blank before the colon is refused, as HTTP refuses it', () => {
    // replay took "webhook-id : x" (its name trimmed), where verify --header refused it.
    expect(() => parseReplayOptions({ ...base, header: ['webhook-id : x'] })).toThrow(
      '--header: must be a header "Name: value", with no blank before the colon (a server answers such a head 400) (got "webhook-id : x")',
    );
    expect(parseReplayOptions({ ...base, header: ['X-A:  spaced  '] }).headers['x-a']).toBe('spaced');
    // A line break in it is no header line, whichever it is.
    for (const value of ['X-A: a\nb', 'X-A: a\rb', 'X-A: a\u2028b']) {
      expect(() => parseReplayOptions({ ...base, header: [value] }), JSON.stringify(value)).toThrow(
        `--header: must be a header "Name: value" (got ${quoted(value)})`,
      );
    }
  });

  it('reads a header line in time linear in its length, blanks then a CR included', () => {
    // `-H "X-Token: $(cat token.txt)"` with blanks and a CRLF file: the pattern tried every split
    // of the blanks, 27 s at 4,000 and cubic (red team hT61); 200,000 would take days so.
    const blanks = ' \t'.repeat(100_000);
    expect(() => parseReplayOptions({ ...base, header: [`X-Token:${blanks}abc\r`] })).toThrow(
      /--header: must be a header "Name: value" on one line, but its value ends with a carriage return \(CR\)/,
    );
    expect(() => parseReplayOptions({ ...base, header: [`Authorization:${blanks}\rx`] })).toThrow(
      '--header: must be a header "Name: value" (got a line naming a credential, not shown: it holds a line break, and a header is one line)',
    );
    expect(parseReplayOptions({ ...base, header: [`X-A:${blanks}b${blanks}`] }).headers['x-a']).toBe('b');
  });

  it('never quotes the value of a credential header it refuses, and says what is wrong without it', () => {
    // Hint: a token read from a file saved with CRLF line ends (`-H "Authorization: Bearer
    // $(cat token.txt)"`) was echoed whole, to the terminal and the CI log (red team hT36 #2).
    const crlf =
      ' on one line, but its value ends with a carriage return (CR): read from a file saved with CRLF line ends?';
    // Hint: no part of a line naming a credential is quoted, not even its name (review hR35 #2).
    const hidden = '(got a line naming a credential, not shown';
    expect(() => parseReplayOptions({ ...base, header: ['Authorization: Bearer eyJ.TOPSECRETJWT\r'] })).toThrow(
      `--header: must be a header "Name: value"${crlf} ${hidden})`,
    );
    expect(() => parseReplayOptions({ ...base, header: ['X-Env: test\r'] })).toThrow(
      `--header: must be a header "Name: value"${crlf} (got ${quoted('X-Env: test\r')})`,
    );
    for (const [header, shown, sign] of [
      ['authorization : Bearer TOPTOKEN', `${hidden})`, undefined],
      ['Cookie: sid=TOPTOKEN\u001b', `${hidden})`, undefined],
      ['X-Api-Key TOPTOKEN', `${hidden}: it has no colon)`, undefined],
      [
        'Proxy-Authorization: Basic TOPTOKEN\nX: 1',
        `${hidden}: it holds a line break, and a header is one line)`,
        undefined,
      ],
      ['Authorization: Bearer TOPTOKEN', `${hidden})`, 'hmac'],
    ] as const) {
      const parse = () => parseReplayOptions({ ...base, header: [header], sign, signatureHeader: 'Authorization' });
      expect(parse, header).toThrow(shown);
      expect(parse, header).not.toThrow(/TOPTOKEN/);
    }
  });

  it('quotes no part of a refused header line in which a credential word appears, however it is mistyped', () => {
    // Hint: a line refused for its shape was read for a name up to a blank or colon, and quoted
    // whole when that was no credential's: `"Authorization: …"`, `Authorization=…`, a second line
    // (review hR35 #2).
    const must = '--header: must be a header "Name: value" (got a line naming a credential, not shown: ';
    for (const [header, why] of [
      ['"Authorization: Bearer T0KEN"', 'it is in quotes, kept from a shell or CI line?'],
      ["'Authorization: Bearer T0KEN'", 'it is in quotes, kept from a shell or CI line?'],
      ['Authorization=Bearer T0KEN', 'it has "=" where the colon goes'],
      ['X-Env: 1\r\nAuthorization: Bearer T0KEN', 'it holds a line break, and a header is one line'],
      ['X-Env: 1\nx-api-key: T0KEN', 'it holds a line break, and a header is one line'],
      ['My Token: T0KEN', 'its name has a character no header name has (a blank, a quote, "=")'],
    ] as const) {
      expect(() => parseReplayOptions({ ...base, header: [header] }), header).toThrow(`${must}${why})`);
    }
    // A refusal for another fault than a quote does not blame one (review hR40).
    expect(() => parseReplayOptions({ ...base, header: ['X-Tokenized: "\u0001"'] })).toThrow(
      /\(got a line naming a credential, not shown\)$/,
    );
    // A line naming no credential is still quoted, so the typo shows.
    expect(() => parseReplayOptions({ ...base, header: ['X-Env=test'] })).toThrow(
      '--header: must be a header "Name: value" (got "X-Env=test")',
    );
  });

  it("refuses a header name with a quote in it: `'authorization` was sent, and printed, as no credential", () => {
    // Hint: RFC 9110's tchar admits `'`, but no header in use has one: it is a shell quote kept.
    expect(() => parseReplayOptions({ ...base, header: ["'X-Env: test'"] })).toThrow(
      `--header: must be a header "Name: value" (got ${quoted("'X-Env: test'")})`,
    );
    expect(() => parseReplayOptions({ ...base, header: ["X-Env': test"] })).toThrow(/^--header: must be a header/);
    // A credential's value in quotes is a quote kept, which the dry run's *** would hide (review hR39);
    // the refusal names it, quoting nothing, and the words fit the fault.
    const hidden = '--header: must be a header "Name: value" (got a line naming a credential, not shown: ';
    for (const [header, why] of [
      ["Authorization: 'Bearer x'", 'its value is in quotes, kept from a shell or CI line?'],
      // A quote kept around the token after its scheme, or at one end only (review hR40).
      ["Authorization: Bearer 'x'", 'its value is in quotes, kept from a shell or CI line?'],
      ["X-Api-Key: abc'", 'its value is in quotes, kept from a shell or CI line?'],
      ["Authorization: 'Bearer x", 'its value is in quotes, kept from a shell or CI line?'],
      ["X-Api-Key = 'x'", 'it has "=" where the colon goes'],
    ] as const) {
      expect(() => parseReplayOptions({ ...base, header: [header] }), header).toThrow(`${hidden}${why})`);
    }
    // A value may end in a quote: an ETag, a file name (review hR38).
    // A cookie's quoted value is no kept quote; nor is a quote in a value no credential holds.
    for (const value of [
      'If-None-Match: "abc"',
      'Content-Disposition: attachment; filename="a.json"',
      'X-Tag: `v`',
      'Cookie: sid="abc"',
    ]) {
      const name = value.slice(0, value.indexOf(':')).toLowerCase();
      expect(parseReplayOptions({ ...base, header: [value] }).headers[name], value).toBe(
        value.slice(value.indexOf(':') + 1).trim(),
      );
    }
  });

  it('refuses a header value no request can carry, before the first request', () => {
    // An escape character passed the option, then failed every batch at send time
    // (ERR_INVALID_CHAR), and after three the run stopped, saying the receiver answered none.
    for (const value of ['X-A: a\u001bb', 'X-A: a\u0000', 'X-A: \u0100', 'X-A: a\u007f']) {
      expect(() => parseReplayOptions({ ...base, header: [value] }), JSON.stringify(value)).toThrow(
        `--header: must be a header "Name: value" whose value has no control characters and nothing past U+00FF (got ${quoted(value)})`,
      );
    }
    expect(parseReplayOptions({ ...base, header: ['X-A: tab\there é'] }).headers['x-a']).toBe('tab\there é');
  });

  it('refuses a Transfer-Encoding header: the body goes with a Content-Length, and both at once is a malformed request', () => {
    // node:http chunk-encodes a body given Transfer-Encoding, under the Content-Length of the
    // unencoded bytes; a receiver answers 400 (node's own) or reads the chunk framing as the body.
    expect(() => parseReplayOptions({ ...base, header: ['transfer-encoding: chunked'] })).toThrow(
      '--header: must be a header other than Transfer-Encoding: replay sends each body whole, with its Content-Length (got "transfer-encoding: chunked")',
    );
  });

  it("refuses a Content-Length header, which replay sets to each body's length", () => {
    // Taken, it was never sent, and nothing said so (red team hT76).
    expect(() => parseReplayOptions({ ...base, header: ['Content-Length: 5'] })).toThrow(
      '--header: must be a header other than Content-Length: replay sets it to each body\'s length (got "Content-Length: 5")',
    );
  });

  it('refuses a Trailer header, which node:http refuses on every request of a body sent whole', () => {
    // Taken, it failed every attempt before a byte left (ERR_HTTP_TRAILER_INVALID), retried as
    // the receiver's failure, and the run exited 1 blaming a receiver that received nothing.
    expect(() => parseReplayOptions({ ...base, header: ['Trailer: X-Sum'] })).toThrow(
      '--header: must be a header other than Trailer: replay sends each body whole, with its Content-Length and no trailer (got "Trailer: X-Sum")',
    );
  });

  it('refuses a header --sign sets, which the signature would replace without a word', () => {
    // Sent as the user's -H said in the README, the signer's value went out instead (red team hT15 #5).
    for (const line of ['Webhook-Id: mine', 'webhook-timestamp: 5', 'WEBHOOK-SIGNATURE: v1,x']) {
      const name = line.slice(0, line.indexOf(':')).toLowerCase();
      expect(() => parseReplayOptions({ ...base, sign: 'standard', header: [line] }), line).toThrow(
        `--header: must be a header other than ${name}: --sign standard sets it on every request (got ${quoted(line)})`,
      );
    }
    expect(() => parseReplayOptions({ ...base, sign: 'hmac', header: ['x-signature: 00'] })).toThrow(
      '--header: must be a header other than X-Signature: --sign hmac sets it on every request (got "x-signature: 00")',
    );
    const hub = { ...base, sign: 'hmac', signatureHeader: 'X-Hub-Signature-256' } as const;
    expect(() => parseReplayOptions({ ...hub, header: ['X-HUB-SIGNATURE-256: sha256=00'] })).toThrow(
      /^--header: must be a header other than X-Hub-Signature-256: --sign hmac sets it/,
    );
    // A header the scheme does not set is the user's to send, as is any without --sign.
    expect(parseReplayOptions({ ...hub, header: ['X-Signature: 00', 'webhook-id: mine'] }).headers).toMatchObject({
      'x-signature': '00',
      'webhook-id': 'mine',
    });
    expect(parseReplayOptions({ ...base, header: ['webhook-id: mine'] }).headers['webhook-id']).toBe('mine');
  });

  it("refuses --signature-header Authorization with --url's user:password, which it would replace", () => {
    // The digest went out in place of the URL's Basic credentials, and the run said delivered (review hR17).
    const auth = { ...base, sign: 'hmac', signatureHeader: 'Authorization' } as const;
    expect(() => parseReplayOptions({ ...auth, url: 'http://u:p@127.0.0.1:9/' })).toThrow(
      "--signature-header: must be a header other than Authorization: --url's user:password is sent in it",
    );
    expect(() => parseReplayOptions({ ...auth, url: 'http://:p@127.0.0.1:9/' })).toThrow(/other than Authorization/);
    expect(parseReplayOptions({ ...auth, url: 'http://127.0.0.1:9/' }).signatureHeader).toBe('Authorization');
  });
});
