import { describe, expect, it } from 'vitest';
import { callStatuses, isCallStatus } from './names.js';

describe('isCallStatus', () => {
  it('says yes to the documented statuses only, spelled exactly', () => {
    for (const status of callStatuses) expect(isCallStatus(status), status).toBe(true);
    for (const status of ['complete', 'Complete ', 'NotComplete', 'Other', '', 'constructor', '__proto__']) {
      expect(isCallStatus(status), status).toBe(false);
    }
  });
});
