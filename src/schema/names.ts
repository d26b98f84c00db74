/** The names the CLI needs at start-up, kept apart from the schemas so `--help` loads no valibot. */

/** The five event types the platform sends. */
export const eventTypes = ['CallComplete', 'CallAttempted', 'CallReceived', 'SMSSent', 'SMSReceived'] as const;
/** One of the five event types. */
export type EventType = (typeof eventTypes)[number];

/** CallComplete statuses, in the order reports list them. */
export const callStatuses = ['Complete', 'Partial', 'Not Complete'] as const;
/** A CallComplete status. */
export type CallStatus = (typeof callStatuses)[number];

/** Whether `status` is one of the documented CallComplete statuses. */
export function isCallStatus(status: string): status is CallStatus {
  return callStatuses.some((documented) => documented === status);
}
