/**
 * Which way an SMS went, told from the export itself. A bare SMS event has the same fields either
 * way, but a number that is some call's `phone` (CallComplete, CallAttempted, CallReceived) is a
 * customer's: an SMS to it was sent, one from it received. `--org-number` names the
 * organisation's own numbers outright. Memory grows with the distinct numbers, never the events.
 */

/** The direction of an SMS, or undefined when the numbers do not tell. */
type SmsDirection = 'sent' | 'received' | undefined;

/** A number as compared: digits only, so `+61 491 573 087` and `61491573087` are one number. */
export function numberKey(phone: string): string {
  // Hint: a valid event's numbers are digits already (the schema's pattern), and summarise keys
  // one or two per event: the expression, which makes a new string, only for the others.
  for (let i = 0; i < phone.length; i++) {
    const char = phone.charCodeAt(i);
    if (char < 0x30 || char > 0x39) return phone.replace(/\D/g, '');
  }
  return phone;
}

/** The numbers known so far: customers' (from calls) and the organisation's (from `--org-number`). */
export class NumberBook {
  readonly customers: Set<string>;
  readonly organisation: ReadonlySet<string>;

  /** `customers`: the set to note customers' numbers in (digits), when the caller keeps it. */
  constructor(orgNumbers: readonly string[] = [], customers = new Set<string>()) {
    this.organisation = new Set(orgNumbers.map(numberKey));
    this.customers = customers;
  }

  /** Notes a call's `phone`: a customer's number. */
  addCustomer(phone: string): void {
    const key = numberKey(phone);
    if (!this.organisation.has(key)) this.customers.add(key);
  }

  /**
   * Which way an SMS from `from` to `to` went: the organisation's numbers decide first, then the
   * customers'; a message between two customers (or two unknown numbers) stays unknown.
   */
  direction(from: string, to: string): SmsDirection {
    const f = numberKey(from);
    const t = numberKey(to);
    const fromOrg = this.organisation.has(f);
    const toOrg = this.organisation.has(t);
    if (fromOrg !== toOrg) return fromOrg ? 'sent' : 'received';
    const toCustomer = this.customers.has(t);
    const fromCustomer = this.customers.has(f);
    if (toCustomer !== fromCustomer) return toCustomer ? 'sent' : 'received';
    return undefined;
  }
}
