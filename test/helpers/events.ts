/** Hand-built webhook events for unit tests, shaped as the platform's documentation shows them. */
import type { ReplayEvent } from '../../src/http/batches.js';
import type { SmsData, WebhookEvent } from '../../src/schema/events.js';

const campaignId = '5dd7681b-2188-49fc-8fc0-87b57056f436';
/** The correlationId of the documentation's scheduled call. */
export const correlationId = 'd07b9760-9c74-4c12-919b-3b88adbf5863';

/** A CallComplete event; `data` fields override the documentation's Partial example. */
export function callComplete(
  data: Partial<Extract<WebhookEvent, { type: 'CallComplete' }>['data']> = {},
  envelope: { id?: string; createdAt?: string } = {},
): WebhookEvent {
  return {
    type: 'CallComplete',
    id: envelope.id ?? 'd07b9760-9c74-4c12-919b-3b88adbf5863',
    createdAt: envelope.createdAt ?? '2022-08-31T21:46:58.621Z',
    data: {
      correlationId,
      sessionId: 'ef925557-2fd4-4bb0-abee-a13d6b542269',
      callResultId: '94c9dda8-6a72-40d6-ac7e-1de5e4cedc2d',
      name: 'John Doe',
      phone: '61491573087',
      campaignId,
      status: 'Partial',
      additionalInformation: 'Customer exited part way through',
      lastStepName: 'Question 2?',
      startedTime: '2022-08-31T21:46:51.000Z',
      flow: [
        { questionName: 'Question 1?', response: 'Other', transcript: 'Anything.' },
        { questionName: 'Question 2?', response: 'Other', transcript: 'I want to talk to a human.' },
      ],
      requests: ['humanSupportRequest'],
      ...data,
    },
  };
}

/** A CallAttempted event. */
export function callAttempted(
  data: Partial<Extract<WebhookEvent, { type: 'CallAttempted' }>['data']> = {},
): WebhookEvent {
  return {
    type: 'CallAttempted',
    data: {
      time: '2022-08-31T21:40:00.000Z',
      phone: '61491573087',
      status: 'failed',
      note: 'invalid phone',
      campaignId,
      correlationId,
      ...data,
    },
  };
}

/** A CallReceived event. */
export function callReceived(
  data: Partial<Extract<WebhookEvent, { type: 'CallReceived' }>['data']> = {},
): WebhookEvent {
  return {
    type: 'CallReceived',
    data: {
      time: '2022-08-31T21:46:50.000Z',
      phone: '61491573087',
      type: 'outbound-callback',
      campaignId,
      correlationId,
      ...data,
    },
  };
}

/** An SMS event of the given type. */
export function sms(type: 'SMSSent' | 'SMSReceived' | 'SMS' = 'SMSSent', data: Partial<SmsData> = {}): WebhookEvent {
  return {
    type,
    data: {
      time: '2022-08-31T21:47:30.000Z',
      from: '61491573087',
      to: '61491570006',
      message: 'Message text body',
      campaignId,
      correlationId,
      ...data,
    },
  } as WebhookEvent;
}

/** A lone event of `in.json` (not in an array), its `n`th batch, as the input layer hands it to replay. */
export function loneReplayEvent(n: number, text: string): ReplayEvent {
  return {
    file: 'in.json',
    source: 0,
    batch: n,
    location: `in.json:${n + 1}:1`,
    offset: n,
    text,
    inArray: false,
    value: null,
  };
}
