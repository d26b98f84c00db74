import { describe, expect, it } from 'vitest';
import { CallhookError } from '../errors.js';
import { schema } from './schema.js';

describe('callhook schema', () => {
  it('refuses --openapi with --draft 07 rather than ignoring it: OpenAPI 3.1 schemas are draft 2020-12', () => {
    const refused = (() => {
      try {
        schema({ openapi: true, draft: '07' });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(CallhookError);
    expect((refused as CallhookError).message).toBe(
      '--openapi writes its schemas in draft 2020-12, as OpenAPI 3.1 requires; it cannot be combined with --draft 07',
    );
    expect((refused as CallhookError).exitCode).toBe(2);
  });
});
