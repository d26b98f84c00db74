/**
 * A seeded generator of realistic webhook traffic: each scheduled call becomes a plausible story
 * (attempts, maybe a callback, maybe SMS, then one CallComplete), in the platform's wire format.
 * Tests and benchmarks use it so that large inputs look like what a receiver really gets.
 */
import { isProxy } from 'node:util/types';
import { visit } from 'jsonc-parser';
import * as v from 'valibot';
import { CallhookError, impossible, quoted } from '../errors.js';
import { doubleHolds } from '../input/source-number.js';
import { maxDepth } from '../input/types.js';
import { envelopeMarksOf, quotedExcerpt, type SchemaNode, unwrapped } from '../schema/check.js';
import {
  type CallAttemptedData,
  type CallCompleteData,
  type CallReceivedData,
  type CallStatus,
  dataSchemas,
  EnvelopeSchema,
  type EventType,
  type FlowStep,
  type SmsData,
} from '../schema/events.js';
import {
  aKindOf,
  assertString,
  assertWholeNumber,
  deepFrozen,
  eventTypes,
  excerpt,
  ownOptions,
  shownValue,
} from '../schema/names.js';
import { type GenerateEnvelope as Envelope, generateEnvelopes, largestSeed, maxCampaigns } from './generate-names.js';
import { instantOfOption, isoOf, lastInstant } from './instant.js';

/** How to generate: the same options (seed included) always give the same events. */
export interface GenerateOptions {
  /** Seed of the pseudo-random generator. */
  seed: number;
  /** How many scheduled or incoming calls to generate; each ends in exactly one CallComplete. */
  calls: number;
  /** How many campaigns the calls are spread over (default 3: two outbound, one inbound). */
  campaigns?: number | undefined;
  /** ISO-8601 time of the first call, or a date alone (midnight UTC); default `2022-09-01T00:00:00.000Z`. */
  startTime?: string | undefined;
  /**
   * `wire` (default): CallComplete enveloped and the other four bare, as the platform sends them.
   * `all`: every event in the `{ id, eventType, createdAt, data }` envelope.
   */
  envelope?: Envelope | undefined;
}

/** An event in the `{ id, eventType, createdAt, data }` envelope. */
export interface EventEnvelope<T extends EventType = EventType, D = unknown> {
  id: string;
  eventType: T;
  createdAt: string;
  data: D;
}

/** An event as it travels on the wire: enveloped, or one of the four bare payloads. */
export type WireEvent =
  | EventEnvelope<'CallComplete', CallCompleteData>
  | EventEnvelope<'CallAttempted', CallAttemptedData>
  | EventEnvelope<'CallReceived', CallReceivedData>
  | EventEnvelope<'SMSSent' | 'SMSReceived', SmsData>
  | CallAttemptedData
  | CallReceivedData
  | SmsData;

/** A generated event with its type, which a bare SMS cannot tell by itself. */
export interface GeneratedEvent {
  type: EventType;
  event: WireEvent;
}

/** A whole number `name` must be, from `min` (to `max`), worded as `assertWholeNumber` words it. */
const wholeNumber = (name: string, min: number, max = Number.POSITIVE_INFINITY) =>
  v.pipe(
    v.number(),
    v.check(
      (value) => Number.isInteger(value) && value >= min && value <= max,
      `${name} must be a whole number ${max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`}`,
    ),
  );
const campaignsOption = v.optional(wholeNumber('campaigns', 1, maxCampaigns));
// Hint: `parseOptions` says what was given instead: valibot's `received` is no use here (below).
const notTypes = `types must be a list of ${eventTypes.join(', ')}`;
// Hint: an empty list was read as none given, every type, where the caller asked for fewer.
const typesOption = v.optional(
  v.pipe(
    v.array(v.picklist(eventTypes, notTypes), notTypes),
    v.minLength(1, `types must name at least one of ${eventTypes.join(', ')}`),
  ),
);
const envelopeOption = v.optional(
  v.picklist(generateEnvelopes, `envelope must be one of ${generateEnvelopes.join(', ')}`),
);
const startTimeOption = v.optional(
  v.pipe(
    v.string(),
    v.check(
      (text) => !Number.isNaN(instantOfOption(text)),
      'startTime must be an ISO-8601 date or time, within the years 0000 to 9999',
    ),
  ),
);

/**
 * Reads a library caller's options: the first problem is a TypeError naming the option, as the
 * library's other option checks are (`assertChoice`), not valibot's ValiError, whose own words
 * ("Invalid key: Expected "count" but received undefined") name no option.
 */
function parseOptions<S extends v.ObjectSchema<v.ObjectEntries, undefined>>(
  schema: S,
  options: unknown,
  call: string,
): v.InferOutput<S> {
  // Hint: valibot's object drops a key it does not know, without a word (`defects`, the CLI's);
  // options that are not an object are refused in the words of every other call. Only the
  // caller's own are read (see `ownOptions`); one not given is left out, for valibot to say it is required.
  const own = ownOptions(options as Record<string, unknown>, call, Object.keys(schema.entries));
  const given = Object.fromEntries(Object.entries(own).filter(([, value]) => value !== undefined));
  const result = v.safeParse(schema, given, { abortEarly: true });
  if (result.success) return result.output;
  const [issue] = result.issues;
  const path = v.getDotPath(issue) ?? 'options';
  // Hint: the checks here word their own messages, which start with the option's name; a value of
  // the wrong kind or outside a list of choices is said after them.
  if (issue.message.startsWith(`${path.split('.')[0]} `)) {
    throw new TypeError(`${issue.message} (got ${receivedOf(issue)})`);
  }
  // A check of a value inside a list says what is wrong; the path says which (`set.0.value`).
  if (issue.type === 'check') throw new TypeError(`${path}: ${issue.message}`);
  if (issue.type === 'object' && issue.input === undefined && path !== 'options') {
    throw new TypeError(`${path} is required`);
  }
  throw new TypeError(`${path}: expected ${issue.expected}, received ${receivedOf(issue)}`);
}

/**
 * What a caller gave where an issue was found, as the library's other option checks say it
 * (`shownValue`). Hint: valibot's `received` calls a null-prototype object `null`, a list's hole
 * (`[, 'SMSSent']`) `undefined`, and a BigInt `5n` `5`.
 */
function receivedOf(issue: v.BaseIssue<unknown>): string {
  const item = issue.path?.at(-1);
  if (item?.type === 'array' && !Object.hasOwn(item.input, item.key)) return 'an empty item';
  if (Array.isArray(issue.input) && issue.input.length === 0) return 'an empty list';
  return shownValue(issue.input);
}

const GenerateOptionsSchema = v.object({
  seed: v.number(),
  calls: wholeNumber('calls', 0),
  campaigns: campaignsOption,
  startTime: startTimeOption,
  envelope: envelopeOption,
});

/** When the first call starts unless `startTime` says otherwise. */
export const defaultStartTime = '2022-09-01T00:00:00.000Z';

/**
 * A run an event of which, about to be written, would pass `lastInstant`: written, it would read
 * `+010000-…`, which is no ISO-8601 timestamp the platform sends and which validate refuses.
 */
export class PastLastInstantError extends CallhookError {
  constructor(
    readonly startTime: string,
    /** The 1-based call that would end too late, and when its events of the types written would. */
    readonly call: number,
    readonly end: number,
  ) {
    super(
      `startTime ${startTime}: call ${call} would end at ${isoOf(end)}, past ${isoOf(lastInstant)}, the last time a timestamp can hold`,
    );
    this.name = 'PastLastInstantError';
  }
}

/** How far a run would go past `lastInstant`: the 1-based call that would end too late and when, or the fewest days the run spans. */
export type Overrun = { call: number; end: number } | { days: number };

/**
 * An overrun in words: `call 12 would end at +010000-01-01T…`, `they span at least 9 days`, its
 * numbers written by `number` (the CLI's `grouped`, as it writes every count; digits alone by default).
 */
export function overrunText(overrun: Overrun, number: (count: number) => string = String): string {
  if ('call' in overrun) return `call ${number(overrun.call)} would end at ${isoOf(overrun.end)}`;
  return `they span at least ${number(overrun.days)} day${overrun.days === 1 ? '' : 's'}`;
}

/** A `generateEvents` run refused before its first event, for its times would pass `lastInstant`. */
export class RunPastLastInstantError extends RangeError {
  constructor(
    readonly startTime: string,
    readonly overrun: Overrun,
    count: number,
  ) {
    super(
      `startTime: a count of ${count} from ${startTime} would run past ${isoOf(lastInstant)}, the last time a timestamp can hold: ${overrunText(overrun)}; start earlier or generate fewer`,
    );
    this.name = 'RunPastLastInstantError';
  }
}

// Hint: the generator makes about a million events a second without writing them.
const largestTrialRun = 1_000_000;

/**
 * Refuses, before the first event, a run whose times would pass year 9999 (see
 * `PastLastInstantError`): a consumer that streams events out was left half a file. A run that
 * may reach that far is generated once first, unseen, to find out, when that is quick (`trial`);
 * a larger one is refused at once if even its shortest span is too long, and otherwise stops
 * where it passes (a PastLastInstantError).
 * Hint: calls start 2 to 41 s apart and each call's events end within a day of its start. A call
 * makes 1 to 8 events and at most every other event is a redelivery; with `types` the rarest type
 * (SMSReceived) comes about once in 17 calls, so count events take count / 18 to count (or
 * 100 × count) calls.
 */
function refuseOverrun(
  run: { count: number; startTime?: string | undefined; types?: readonly EventType[] | undefined },
  trial: () => Iterable<unknown>,
): void {
  const startTime = run.startTime ?? defaultStartTime;
  const start = instantOfOption(startTime);
  const calls = run.count * (run.types !== undefined ? 100 : 1);
  if (start + calls * 41_000 + 86_400_000 <= lastInstant) return;
  if (run.count <= largestTrialRun) {
    try {
      for (const _ of trial()) {
        // Only whether the run reaches its end in time matters here.
      }
    } catch (error) {
      if (!(error instanceof PastLastInstantError)) throw error;
      throw new RunPastLastInstantError(startTime, { call: error.call, end: error.end }, run.count);
    }
    return;
  }
  const least = Math.max(0, Math.ceil(run.count / 18) - 1) * 2000;
  if (start + least > lastInstant) {
    throw new RunPastLastInstantError(startTime, { days: Math.floor(least / 86_400_000) }, run.count);
  }
}

// --- a small seeded PRNG ----------------------------------------------------------------------

/** mulberry32: 32 bits of state, fast, and good enough to make test data look random. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hexDigits = '0123456789abcdef';
const hexByte = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
// Hint: every index is masked to 0-255, so a template reads the table without a check (as uuid does).
const hex32 = (n: number) =>
  `${hexByte[n >>> 24]}${hexByte[(n >>> 16) & 255]}${hexByte[(n >>> 8) & 255]}${hexByte[n & 255]}`;

class Random {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] ?? impossible('pick from a list that is not empty');
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    // Hint: indexed loops, as destructuring for-of loops cost a tenth of the generator's time.
    let total = 0;
    for (const choice of choices) total += choice[1];
    let roll = this.next() * total;
    let chosen: readonly [T, number] | undefined;
    for (const choice of choices) {
      chosen = choice;
      roll -= choice[1];
      if (roll < 0) break;
    }
    // Rounding may leave roll at 0 after the last choice: that one is chosen then.
    return (chosen ?? impossible('weighted choices are not empty'))[0];
  }

  /** A version-4 UUID, as the platform's ids are. */
  uuid(): string {
    // Hint: four 32-bit draws written through a table of byte pairs: a generated export holds
    // about two UUIDs an event, and toString(16) with padStart was a tenth of generate's time.
    const a = (this.next() * 2 ** 32) >>> 0;
    const b = (this.next() * 2 ** 32) >>> 0;
    const c = (this.next() * 2 ** 32) >>> 0;
    const d = (this.next() * 2 ** 32) >>> 0;
    // The version nibble is 4 and the variant's top bits are 10, so the UUID reads as v4.
    const variant = hexDigits[((c >>> 28) & 0x3) | 0x8];
    return `${hex32(a)}-${hexByte[b >>> 24]}${hexByte[(b >>> 16) & 255]}-4${hexDigits[(b >>> 8) & 15]}${hexByte[b & 255]}-${variant}${hexDigits[(c >>> 24) & 15]}${hexByte[(c >>> 16) & 255]}-${hexByte[(c >>> 8) & 255]}${hexByte[c & 255]}${hex32(d)}`;
  }
}

// --- campaign scripts ---------------------------------------------------------------------------

interface Answer {
  response: string;
  transcripts: readonly string[];
  weight: number;
  /** The reason (`additionalInformation`) a Complete call with this answer ends with, if it calls for one (see `converse`). */
  outcome?: string;
}

interface Question {
  name: string;
  answers: readonly Answer[];
  /** The response this question must get for the campaign's confirmation SMS to be sent (`confirms`). */
  confirmsOn?: string;
}

interface CampaignScript {
  organisation: string;
  direction: 'outbound' | 'inbound';
  /** Why the organisation calls, as an SMS says it. */
  topic: string;
  questions: readonly [Question, ...Question[]];
  /** The SMS sent after a Complete call whose answers ask for it (`confirms`), if the campaign sends one. */
  confirmation?: string;
}

const yes = (transcripts: readonly string[], weight = 1, outcome?: string): Answer => ({
  response: 'Yes',
  transcripts,
  weight,
  outcome,
});
const no = (transcripts: readonly string[], weight = 1, outcome?: string): Answer => ({
  response: 'No',
  transcripts,
  weight,
  outcome,
});

const scripts: readonly CampaignScript[] = [
  {
    organisation: 'Harbour Dental',
    direction: 'outbound',
    topic: 'your upcoming appointment',
    questions: [
      {
        name: 'Am I speaking with the patient?',
        answers: [
          yes(['Yes, speaking.', "Yeah, that's me.", "Yes it is. Who's calling?", 'Speaking.', 'Yep.'], 6),
          {
            response: 'Other',
            transcripts: [
              "Sorry, who is this? Oh, the dentist. Yes, it's me.",
              'Hang on, let me turn the radio down. Yes.',
            ],
            weight: 1,
          },
        ],
      },
      {
        name: 'Can you still make your appointment on Friday at 10:30am?',
        confirmsOn: 'Yes',
        answers: [
          yes(
            ["Yes, I'll be there.", "Yep, that's still fine.", 'Yes. Do I need to bring anything?'],
            5,
            'Appointment confirmed',
          ),
          no(
            ['No, something came up at work, sorry.', "Actually no, I'm going to be away that week."],
            1,
            'Appointment cancelled',
          ),
          {
            response: 'Reschedule',
            transcripts: [
              'Could we move it to the following week? Mornings are better for me.',
              'Can I change it to later in the afternoon? I finish work at three.',
            ],
            weight: 2,
            outcome: 'Reschedule requested',
          },
        ],
      },
      {
        name: 'Would you like an SMS confirmation?',
        confirmsOn: 'Yes',
        answers: [yes(['Yes please.', 'Sure, text me.', 'Yeah, that would help.'], 3), no(['No, I will remember.'])],
      },
    ],
    confirmation: 'your appointment is confirmed for Friday at 10:30am',
  },
  {
    organisation: 'Brightside Energy',
    direction: 'outbound',
    topic: 'your recent solar installation',
    questions: [
      {
        name: 'On a scale of 1 to 5, how satisfied are you with your recent installation?',
        answers: [
          {
            response: '5',
            transcripts: ['Five. Really happy with it.', 'Oh, a five, easily.', 'Five out of five.'],
            weight: 4,
          },
          { response: '4', transcripts: ['Four, I think.', "I'd say a four.", 'Four. Mostly good.'], weight: 3 },
          { response: '3', transcripts: ['Three, I guess.', 'Um, three? It was okay.'], weight: 2 },
          {
            response: '2',
            transcripts: ['Two, to be honest.', "Two. It wasn't great."],
            weight: 1,
            outcome: 'Complaint logged',
          },
          {
            response: '1',
            transcripts: ['One. It was a disaster from start to finish.'],
            weight: 1,
            outcome: 'Complaint logged',
          },
        ],
      },
      {
        name: 'Did the installer arrive on time?',
        answers: [
          yes(['Yes, right on time.', 'Yes, a bit early actually.', 'Yep.'], 4),
          no(['No, he was about two hours late and nobody called to let me know.', 'No, they came the next day.']),
        ],
      },
      {
        name: 'Was the installer polite and professional?',
        answers: [
          yes(['Yes, very.', 'Yes, he explained everything as he went.', 'Absolutely.'], 5),
          no(["Not really, he left a mess on the roof and didn't say goodbye."]),
        ],
      },
      {
        name: 'Were you given clear instructions on using your new system?',
        answers: [
          yes(['Yes, he showed me the app on my phone.', 'Yes, there was a booklet as well.'], 3),
          no(["No, I still don't know how to read the inverter display."]),
          { response: 'Unsure', transcripts: ['Sort of. My partner was there for that part.'], weight: 1 },
        ],
      },
      {
        name: 'What could we have done better?',
        answers: [
          {
            response: 'Nothing',
            transcripts: ['Nothing really, it all went smoothly.', 'Honestly nothing.'],
            weight: 3,
          },
          {
            response: 'Communication',
            transcripts: [
              'Just let me know earlier when the installer is running late. I took the whole day off work for it.',
              'The quote said three weeks and it took two months, and I had to chase you every time.',
            ],
            weight: 2,
          },
          {
            response: 'Price',
            transcripts: ['It was more expensive than the neighbours paid for theirs, so maybe look at the pricing.'],
            weight: 1,
          },
          {
            response: 'Other',
            transcripts: [
              'The panels are great but the app keeps logging me out. Can someone look at that?',
              "I'm not sure, I'd have to think about it.",
            ],
            weight: 1,
          },
        ],
      },
      {
        name: 'May we contact you about your feedback?',
        answers: [
          yes(['Yes, that is fine.', 'Sure.', 'Yes, but after five please.'], 2, 'Follow-up call requested'),
          no(['No thanks.', 'No.']),
        ],
      },
    ],
  },
  {
    organisation: 'Coastal Water',
    direction: 'inbound',
    topic: 'your enquiry',
    questions: [
      {
        name: 'How can we help you today?',
        answers: [
          {
            response: 'Billing enquiry',
            transcripts: ["Hi, I've been charged twice for my last bill and I'd like one of the payments refunded."],
            weight: 1,
            outcome: 'Refund requested',
          },
          {
            response: 'Billing enquiry',
            transcripts: ["My bill is nearly double what it usually is and I don't know why."],
            weight: 2,
            outcome: 'Ticket raised',
          },
          {
            response: 'Fault report',
            transcripts: [
              "There's water coming up through the footpath outside number twelve and it's been going since this morning.",
              'We have no water pressure at all since about six o’clock.',
            ],
            weight: 2,
            outcome: 'Ticket raised',
          },
          {
            response: 'Moving house',
            transcripts: ["We're moving out on the thirtieth and need to close the account."],
            weight: 1,
          },
        ],
      },
      {
        name: 'What is your account number?',
        answers: [
          {
            response: 'Provided',
            transcripts: ["It's 4 4 7 1 9 2 0 3.", 'Hang on, it is on the bill… 3 0 0 2 8 8 1 5.', '5 5 1 9, 0 0 7 2.'],
            weight: 5,
          },
          { response: 'Not provided', transcripts: ["I don't have it with me, sorry."], weight: 1 },
        ],
      },
      {
        name: 'Is there anything else we can help with?',
        answers: [
          no(["No, that's all, thanks.", 'No, thank you.'], 4),
          yes(['Yes, can I update my email address too?']),
        ],
      },
    ],
    confirmation: 'we have logged your request and will be in touch within 2 business days',
  },
  {
    organisation: 'Coastal Water',
    direction: 'outbound',
    topic: 'your account',
    questions: [
      {
        name: 'Can you confirm your date of birth for security?',
        answers: [
          {
            response: 'Provided',
            transcripts: ["It's the fourteenth of March, 1986.", 'Third of July, eighty-one.', 'Uh, 22 11 1975.'],
            weight: 5,
          },
          { response: 'Refused', transcripts: ["I'm not giving that out over the phone."], weight: 1 },
        ],
      },
      {
        name: 'Your account has an overdue balance. Are you able to pay it in full this week?',
        answers: [
          yes(
            ['Yes, I can pay it on Friday when I get paid.', 'Yes, sorry, I forgot about it.'],
            3,
            'Payment promised',
          ),
          no(['Not this week, no. Things are a bit tight at the moment.'], 2),
          {
            response: 'Partial payment',
            transcripts: ['I can pay half now and the rest next fortnight.'],
            weight: 1,
            outcome: 'Payment promised',
          },
        ],
      },
      {
        name: 'Would you like us to set up a payment plan?',
        answers: [
          yes(['Yes, that would help.', 'Yes please, fortnightly if possible.'], 2, 'Payment plan requested'),
          no(['No, I will pay it.']),
        ],
      },
      {
        name: 'Would you like the payment link sent by SMS?',
        confirmsOn: 'Yes',
        answers: [yes(['Yes, send it to this number.', 'Yep.'], 3), no(["No, I'll pay online."])],
      },
    ],
    confirmation: 'here is your secure payment link: https://pay.example.com/c/8XK2Q',
  },
  {
    organisation: 'Northside Fitness',
    direction: 'outbound',
    topic: 'our member offers',
    questions: [
      {
        name: 'Would you like to receive our monthly member offers by SMS?',
        answers: [yes(['Yes, go on then.', 'Sure.'], 2), no(['No thanks, I get enough texts.', 'No.'], 3)],
      },
    ],
  },
];

const firstNames = [
  'Jane',
  'John',
  'Olivia',
  'Jack',
  'Charlotte',
  'Noah',
  'Amelia',
  'William',
  'Isla',
  'Oliver',
  'Mia',
  'Lucas',
  'Priya',
  'Wei',
  'Aroha',
  'Mohammed',
  'Siobhán',
  'José',
  'Zoë',
  'Thanh',
  'Fatima',
  'Liam',
  'Grace',
  'Ethan',
  'Chloe',
  'Daniel',
  'Ruby',
  'Sam',
  'Aisha',
  'Mateo',
] as const;
const lastNames = [
  'Smith',
  'Nguyen',
  'Williams',
  'Brown',
  'Wilson',
  'Taylor',
  'Johnson',
  'White',
  'Martin',
  'Anderson',
  'Thompson',
  'Walker',
  'Harris',
  'Lee',
  'Ryan',
  'Robinson',
  'Kelly',
  'King',
  'Chen',
  'Patel',
  'Singh',
  'O’Brien',
  'Müller',
  'Ngata',
  'Kowalski',
  'García',
  'Papadopoulos',
  'Tran',
  'Hussein',
  'Fitzgerald',
] as const;
const fillers = ['Um, ', 'Oh, ', 'Uh, ', 'Right. ', 'Sorry, what was that? Oh. '] as const;
const humanRequests = [
  'Can I speak to a real person please?',
  "I don't want to talk to a machine. Put me through to someone.",
  'Is there a human I can talk to about this?',
] as const;
const droppedTranscripts = [
  'Sorry, you are breaking up—',
  'Hang on, I am just going into a—',
  "Sorry, I've got to go.",
];
const smsReplies = [
  'Ok thanks',
  'Who is this?',
  'Call me after 5pm please',
  'Busy at work, call back tomorrow',
  "I'll call you back shortly",
  'STOP',
] as const;

// --- stories --------------------------------------------------------------------------------------

interface Campaign {
  id: string;
  /** The campaign's own number: the caller ID of its calls and the other end of its SMS. */
  line: string;
  script: CampaignScript;
  maxAttempts: number;
}

interface Customer {
  name: string;
  firstName: string;
  phone: string;
}

/** An event before its wire form: when it happened, decides the order within a story. */
interface StoryEvent {
  at: number;
  type: EventType;
  payload: CallAttemptedData | CallReceivedData | SmsData | CallCompleteData;
  /** CallComplete's createdAt; for the others, when the platform queued them. */
  createdAt: number;
}

const seconds = 1000;
const minutes = 60 * seconds;
// Hint: the weights are the proportions a typical deployment reports; the test holds them to ±4 %.
const statusWeights: ReadonlyArray<readonly [CallStatus, number]> = [
  ['Complete', 55],
  ['Partial', 20],
  ['Not Complete', 25],
];

/** A call's final status; a one-question script has no room for Partial, so that call completes. */
function drawStatus(random: Random, script: CampaignScript): CallStatus {
  const status = random.weighted(statusWeights);
  return status === 'Partial' && script.questions.length < 2 ? 'Complete' : status;
}

/**
 * The fictitious Australian mobile numbers the regulator (ACMA) sets aside for examples and drama,
 * in international form: the platform's page uses two of them (61491573087, 61491570006). No
 * generated event names a number anyone could own: customers have these, and so do the first six
 * campaigns; the others call from the regulator's fictitious landlines (`campaignLineOf`).
 */
export const fictionalPhones = deepFrozen([
  '61491570006',
  '61491570156',
  '61491570157',
  '61491570158',
  '61491570159',
  '61491570110',
  '61491570313',
  '61491570737',
  '61491571266',
  '61491571491',
  '61491571804',
  '61491572549',
  '61491572665',
  '61491572983',
  '61491573770',
  '61491573087',
  '61491574118',
  '61491574632',
  '61491575254',
  '61491575789',
  '61491576398',
  '61491576801',
  '61491577426',
  '61491577644',
  '61491578957',
  '61491578148',
  '61491578888',
  '61491579212',
  '61491579760',
  '61491579455',
] as const);
// Hint: campaigns call from the first numbers and customers answer on the others, so an SMS
// never goes from a number to itself.
const campaignLines = fictionalPhones.slice(0, 6);
const customerPhones = fictionalPhones.slice(6);
/**
 * The regulator's fictitious landlines, in international form without their last four digits:
 * (02), (03), (07) and (08) 5550 0000 to 9999 and 7010 0000 to 9999, 80,000 numbers in all.
 */
const landlineBlocks = ['25550', '27010', '35550', '37010', '75550', '77010', '85550', '87010'] as const;
const landlinesPerBlock = 10_000;
const lineCount = campaignLines.length + landlineBlocks.length * landlinesPerBlock;

/**
 * The number campaign `index` calls and texts from: the first six campaigns' are mobiles of the
 * platform page's range, the others' fictitious landlines, each campaign's its own. Hint: there
 * are 80,006 of them and up to 100,000 campaigns (`maxCampaigns`): a campaign past them shares
 * the line of one a multiple of `scripts.length` before it, which runs its script, so that a
 * number never names two businesses.
 */
export function campaignLineOf(index: number): string {
  const own = index < lineCount ? index : index % (lineCount - (lineCount % scripts.length));
  if (own < campaignLines.length) return campaignLines[own] ?? impossible('a campaign line');
  const landline = own - campaignLines.length;
  const block = landlineBlocks[Math.floor(landline / landlinesPerBlock)] ?? impossible('a landline block');
  return `61${block}${String(landline % landlinesPerBlock).padStart(4, '0')}`;
}

function makeCampaigns(random: Random, count: number): Campaign[] {
  const campaigns: Campaign[] = [];
  for (let i = 0; i < count; i++) {
    const script = scripts[i % scripts.length] ?? impossible('there are scripts');
    campaigns.push({
      id: random.uuid(),
      line: campaignLineOf(i),
      script,
      maxAttempts: script.direction === 'outbound' ? random.int(2, 4) : 1,
    });
  }
  return campaigns;
}

function makeCustomer(random: Random): Customer {
  const firstName = random.pick(firstNames);
  return { name: `${firstName} ${random.pick(lastNames)}`, firstName, phone: random.pick(customerPhones) };
}

// Hint: the weighted choices of each question's answers, made once rather than at every answer.
const answerChoices = new Map(
  scripts.flatMap(({ questions }) => questions).map((q) => [q, q.answers.map((a) => [a, a.weight] as const)]),
);

/** A question's answer: the step of the flow, and the reason it calls for (`Answer.outcome`). */
function answer(random: Random, question: Question): { step: FlowStep; outcome: string | undefined } {
  const chosen = random.weighted(
    answerChoices.get(question) ?? impossible('every script question has its answer choices'),
  );
  let transcript = random.pick(chosen.transcripts);
  if (random.chance(0.12)) transcript = random.pick(fillers) + transcript;
  return { step: { questionName: question.name, response: chosen.response, transcript }, outcome: chosen.outcome };
}

/**
 * Why nobody got as far as the first question. Hint: a voicemail service answers only a call
 * the platform placed; an inbound caller rang the platform, and then hung up or said nothing.
 */
const unansweredReasons = {
  outbound: [
    ['Voicemail', 5],
    ['Customer hung up', 3],
    ['Silence on the line', 1],
  ],
  inbound: [
    ['Customer hung up', 3],
    ['Silence on the line', 1],
  ],
} as const;
const partialEndings = [
  ['exited', 6],
  ['dropped', 2],
  ['human', 2],
] as const;

/** The conversation of a call that was answered: its flow, reason, requests and length. */
function converse(
  random: Random,
  script: CampaignScript,
  status: CallStatus,
): Pick<CallCompleteData, 'flow' | 'lastStepName' | 'requests' | 'additionalInformation'> & { duration: number } {
  const { questions } = script;
  const requests: string[] = [];
  let flow: FlowStep[];
  let additionalInformation: string | undefined;

  if (status === 'Not Complete') {
    // Hint: "Not Complete" means the first question was not answered: either nobody got that far,
    // or it was asked and met with silence (a step with no transcript, so no status-flow warning).
    if (random.chance(0.3)) {
      flow = [{ questionName: questions[0].name, response: 'No response' }];
      additionalInformation = 'Customer did not answer the first question';
    } else {
      flow = [];
      additionalInformation = random.weighted(unansweredReasons[script.direction]);
    }
  } else if (status === 'Partial') {
    const answered = random.int(1, questions.length - 1);
    flow = questions.slice(0, answered).map((question) => answer(random, question).step);
    const ending = random.weighted(partialEndings);
    // Hint: a request for a person, or words the dropped line cut off, come as the answer to the
    // next question, so no answer is classified; the questions before it keep theirs (Partial: at
    // least the first question was answered; the request once replaced a call's only answer).
    // `answered` leaves at least one question unasked.
    const next = questions[answered] ?? impossible('a partial call leaves a question unanswered');
    if (ending === 'human') {
      flow.push({ questionName: next.name, response: 'Other', transcript: random.pick(humanRequests) });
      requests.push('humanSupportRequest');
      additionalInformation = 'Transferred to a human agent';
    } else if (ending === 'dropped') {
      flow.push({ questionName: next.name, response: 'Other', transcript: random.pick(droppedTranscripts) });
      additionalInformation = 'Call dropped';
    } else additionalInformation = 'Customer exited part way through';
  } else {
    const answers = questions.map((question) => answer(random, question));
    flow = answers.map(({ step }) => step);
    // Hint: the reason follows from the answers, the first that calls for one deciding (a
    // complaint before a follow-up call); drawn apart from them, it contradicted the call.
    const outcome = answers.find((given) => given.outcome !== undefined)?.outcome ?? 'No further action';
    additionalInformation = random.chance(0.1) ? undefined : outcome;
    if (random.chance(0.05)) {
      requests.push('humanSupportRequest');
      additionalInformation = 'Human follow-up requested';
    }
  }

  let duration = random.int(4, 9) * seconds; // the greeting
  for (const step of flow) duration += random.int(6, 10) * seconds + (step.transcript?.length ?? 0) * 60;
  return { flow, lastStepName: flow.at(-1)?.questionName ?? null, requests, additionalInformation, duration };
}

function callComplete(
  random: Random,
  campaign: Campaign,
  customer: Customer,
  correlationId: string | undefined,
  startedAt: number,
  conversation: ReturnType<typeof converse>,
  status: CallStatus,
): StoryEvent {
  // Hint: fields are added one by one rather than spread in: a conditional spread makes V8 copy
  // the object into a slower shape, and JSON.stringify then walks every event the slow way.
  const data = {} as CallCompleteData;
  if (correlationId) data.correlationId = correlationId;
  data.sessionId = random.uuid();
  data.callResultId = random.uuid();
  data.name = customer.name;
  data.phone = customer.phone;
  data.campaignId = campaign.id;
  data.lastStepName = conversation.lastStepName;
  data.startedTime = isoOf(startedAt);
  data.flow = conversation.flow;
  data.requests = conversation.requests;
  data.status = status;
  if (conversation.additionalInformation) data.additionalInformation = conversation.additionalInformation;
  // Hint: analytics are queued a little after the call ends, so createdAt is always after startedTime.
  const createdAt = startedAt + conversation.duration + random.int(2, 90) * seconds + random.int(0, 999);
  return { at: createdAt, type: 'CallComplete', payload: data, createdAt };
}

function sms(
  random: Random,
  type: 'SMSSent' | 'SMSReceived',
  at: number,
  campaign: Campaign,
  customer: Customer,
  message: string,
  correlationId: string | undefined,
): StoryEvent {
  const [from, to] = type === 'SMSSent' ? [campaign.line, customer.phone] : [customer.phone, campaign.line];
  const payload: SmsData = {
    time: isoOf(at),
    from,
    to,
    message,
    campaignId: campaign.id,
  };
  if (correlationId) payload.correlationId = correlationId;
  return { at, type, payload, createdAt: at + random.int(50, 1500) };
}

function attempt(
  random: Random,
  at: number,
  campaign: Campaign,
  customer: Customer,
  correlationId: string | undefined,
  note: string | undefined,
): StoryEvent {
  const payload = {
    time: isoOf(at),
    phone: customer.phone,
    status: note ? 'failed' : 'success',
  } as CallAttemptedData;
  if (note) payload.note = note;
  payload.campaignId = campaign.id;
  if (correlationId) payload.correlationId = correlationId;
  return { at, type: 'CallAttempted', payload, createdAt: at + random.int(50, 1500) };
}

function received(
  random: Random,
  at: number,
  campaign: Campaign,
  customer: Customer,
  correlationId: string | undefined,
): StoryEvent {
  const payload: CallReceivedData = {
    time: isoOf(at),
    phone: customer.phone,
    type: correlationId ? 'outbound-callback' : 'inbound',
    campaignId: campaign.id,
  };
  if (correlationId) payload.correlationId = correlationId;
  return { at, type: 'CallReceived', payload, createdAt: at + random.int(50, 1500) };
}

const failureNotes: ReadonlyArray<readonly [string, number]> = [
  ['no answer', 6],
  ['busy', 2],
  ['call rejected', 1],
  ['network error', 1],
];
const failureReasons: Readonly<Record<string, string>> = {
  'no answer': 'No answer',
  busy: 'Line busy',
  'call rejected': 'Call rejected',
  'network error': 'Network error',
};

const failuresBeforeSuccess = [
  [0, 6],
  [1, 3],
  [2, 2],
] as const;

/**
 * Whether a call earns its campaign's confirmation SMS: the campaign sends one, the call is
 * Complete, and each question it depends on got the response it needs (`confirmsOn`).
 */
function confirms(script: CampaignScript, status: CallStatus, flow: readonly FlowStep[]): boolean {
  if (status !== 'Complete' || script.confirmation === undefined) return false;
  return script.questions.every(
    (question) =>
      question.confirmsOn === undefined ||
      flow.some((step) => step.questionName === question.name && step.response === question.confirmsOn),
  );
}

/** The share of outbound records whose events carry no correlationId. */
const unlistedShare = 0.1;

/** The conversation of a record concluded without a call being answered, for `reason`. */
const noCall = (reason: string): ReturnType<typeof converse> => ({
  flow: [],
  lastStepName: null,
  requests: [],
  additionalInformation: reason,
  duration: 0,
});

/** One outbound record: attempts until a conclusive outcome (or an opt-out), then its CallComplete. */
function outboundStory(random: Random, campaign: Campaign, customer: Customer, start: number): StoryEvent[] {
  const events: StoryEvent[] = [];
  // Hint: about one record in ten carries no correlationId, as the page's CallAttempted success
  // example and its SMSReceived example have none: in none of its events, so that trace, which
  // follows one, tells every story that has one whole.
  const correlationId = random.chance(unlistedShare) ? undefined : random.uuid();
  const { script } = campaign;
  const status = drawStatus(random, script);
  let at = start;

  // Hint: re-attempting an unreachable number is pointless, so the platform concludes at once.
  if (status === 'Not Complete' && random.chance(0.06)) {
    events.push(attempt(random, at, campaign, customer, correlationId, 'invalid phone'));
    events.push(callComplete(random, campaign, customer, correlationId, at, noCall('Invalid phone number'), status));
    return events;
  }

  const conclusive = status !== 'Not Complete';
  // A conclusive call may need a few failed tries first; a failed record uses every attempt.
  const failures = conclusive
    ? Math.min(campaign.maxAttempts - 1, random.weighted(failuresBeforeSuccess))
    : campaign.maxAttempts - 1;
  let lastNote: string | undefined;
  for (let i = 0; i < failures; i++) {
    lastNote = random.weighted(failureNotes);
    if (random.chance(0.25)) {
      // Answered by a voicemail service: placed successfully, but not conclusive.
      events.push(attempt(random, at, campaign, customer, correlationId, undefined));
      lastNote = undefined;
    } else events.push(attempt(random, at, campaign, customer, correlationId, lastNote));
    if (i === 0 && random.chance(0.3)) {
      const message = `Hi ${customer.firstName}, this is ${script.organisation}. We tried to call you about ${script.topic}. We'll try again soon, or call us back on 0${campaign.line.slice(2)}.`;
      const sentAt = at + random.int(20, 90) * seconds;
      events.push(sms(random, 'SMSSent', sentAt, campaign, customer, message, correlationId));
      if (random.chance(0.5)) {
        const replyAt = sentAt + random.int(1, 40) * minutes;
        const reply = random.pick(smsReplies);
        events.push(sms(random, 'SMSReceived', replyAt, campaign, customer, reply, correlationId));
        // Hint: a customer who replies STOP has opted out: nobody calls or texts them again, and
        // the record concludes then (attempts and "Reply STOP to opt out." went on: red team hF65).
        if (reply === 'STOP') {
          const optedOut = noCall('Opted out by SMS');
          events.push(callComplete(random, campaign, customer, correlationId, replyAt, optedOut, 'Not Complete'));
          return events;
        }
      }
    }
    // Hint: from the story's latest event, not the attempt: a reply to the SMS then comes before
    // the next call (a callback too, below), never after the call that concluded the record.
    at = (events.at(-1)?.at ?? at) + random.int(15, 120) * minutes + random.int(0, 59_999);
  }

  let startedAt: number;
  // Hint: a callback is an outbound-callback only with its correlationId (validate warns of one without).
  if (correlationId && conclusive && failures > 0 && random.chance(0.3)) {
    // The customer rings back before the next attempt.
    at -= random.int(5, 14) * minutes;
    events.push(received(random, at, campaign, customer, correlationId));
    startedAt = at + random.int(1, 3) * seconds;
  } else {
    const lastFails = !conclusive && random.chance(0.5);
    lastNote = lastFails ? random.weighted(failureNotes) : undefined;
    events.push(attempt(random, at, campaign, customer, correlationId, lastNote));
    startedAt = at + random.int(5, 25) * seconds;
  }

  const conversation = converse(random, script, status);
  if (lastNote && !conclusive) {
    conversation.flow = [];
    conversation.lastStepName = null;
    conversation.additionalInformation = failureReasons[lastNote];
    conversation.duration = 0;
    startedAt = at;
  }
  const complete = callComplete(random, campaign, customer, correlationId, startedAt, conversation, status);
  events.push(complete);
  if (confirms(script, status, conversation.flow) && random.chance(0.4)) {
    const message = `Thanks ${customer.firstName}, ${script.confirmation}. Reply STOP to opt out.`;
    events.push(sms(random, 'SMSSent', startedAt + conversation.duration, campaign, customer, message, correlationId));
  }
  return events;
}

/** One incoming call: no attempts and no correlationId, just the call and its result. */
function inboundStory(random: Random, campaign: Campaign, customer: Customer, start: number): StoryEvent[] {
  const status = drawStatus(random, campaign.script);
  const events = [received(random, start, campaign, customer, undefined)];
  const startedAt = start + random.int(1, 3) * seconds;
  const conversation = converse(random, campaign.script, status);
  events.push(callComplete(random, campaign, customer, undefined, startedAt, conversation, status));
  if (confirms(campaign.script, status, conversation.flow) && random.chance(0.3)) {
    const message = `Thanks for calling ${campaign.script.organisation}, ${customer.firstName}: ${campaign.script.confirmation}.`;
    events.push(sms(random, 'SMSSent', startedAt + conversation.duration, campaign, customer, message, undefined));
  }
  return events;
}

/** Whether events of `type` come in the envelope: CallComplete always, the other four with `envelope: 'all'`. */
const isEnveloped = (type: EventType, envelopeAll: boolean) => envelopeAll || type === 'CallComplete';

/** An event as it is sent, its envelope's id (if it has one) drawn from `ids`. */
function toWire(ids: Random, event: StoryEvent, envelopeAll: boolean): WireEvent {
  // Hint: only CallComplete's payload is CallCompleteData, and it is always enveloped.
  if (!isEnveloped(event.type, envelopeAll)) return event.payload as CallAttemptedData | CallReceivedData | SmsData;
  return {
    id: ids.uuid(),
    eventType: event.type,
    createdAt: isoOf(event.createdAt),
    data: event.payload,
  } as WireEvent;
}

const byTime = (a: StoryEvent, b: StoryEvent) => a.at - b.at;

/**
 * Generates the events of `calls` calls, each with its type: a bare SMSSent and SMSReceived look
 * alike, so consumers that filter or count by type read it here.
 */
export function generateTypedCalls(options: GenerateOptions): Generator<GeneratedEvent, void, undefined> {
  return typedCalls(options, 'generateTypedCalls');
}

/**
 * The latest time an event holds as written: an envelope's `createdAt`, at or after every time in
 * it; a bare event's own `time` (it has no `createdAt`).
 */
const writtenTime = (event: StoryEvent, envelopeAll: boolean) =>
  isEnveloped(event.type, envelopeAll) ? event.createdAt : event.at;

/**
 * `generateTypedCalls`, its options' errors naming `call`, the function the caller called, and
 * thrown when it is called (see `generateEvents`); only the events of `types` when given.
 */
function typedCalls(
  options: GenerateOptions,
  call: string,
  types?: ReadonlySet<EventType>,
): Generator<GeneratedEvent, void, undefined> {
  const checked = parseOptions(GenerateOptionsSchema, options, call);
  assertWholeNumber('seed', checked.seed, 0, largestSeed);
  return stories(checked, types);
}

/** The events of a `typedCalls` run, its options checked. */
function* stories(
  checked: v.InferOutput<typeof GenerateOptionsSchema>,
  types: ReadonlySet<EventType> | undefined,
): Generator<GeneratedEvent, void, undefined> {
  const random = new Random(checked.seed);
  // Hint: envelope ids draw from their own sequence, so `envelope: 'all'` tells the same calls.
  const ids = new Random(checked.seed ^ 0x85ebca6b);
  const campaigns = makeCampaigns(random, checked.campaigns ?? 3);
  const envelopeAll = checked.envelope === 'all';
  const startTime = checked.startTime ?? defaultStartTime;
  let start = instantOfOption(startTime);

  for (let call = 0; call < checked.calls; call++) {
    const campaign = random.pick(campaigns);
    const customer = makeCustomer(random);
    const story =
      campaign.script.direction === 'outbound'
        ? outboundStory(random, campaign, customer, start)
        : inboundStory(random, campaign, customer, start);
    // Hint: a stable sort keeps an SMS sent at the same millisecond as the call result after it.
    story.sort(byTime);
    for (const event of story) {
      // Hint: an event left out still draws its envelope's id, so a type's events are the same with
      // and without `types`.
      const wire = toWire(ids, event, envelopeAll);
      if (types && !types.has(event.type)) continue;
      // Hint: only a time written is refused, when it is: a consumer that stops before an event
      // (`count`), or leaves out its type, writes a run that ends in time (a call's result a day
      // after its attempt was refused with `count: 1`).
      if (writtenTime(event, envelopeAll) > lastInstant) {
        let end = 0;
        for (const later of story) {
          if (!types || types.has(later.type)) end = Math.max(end, writtenTime(later, envelopeAll));
        }
        throw new PastLastInstantError(startTime, call + 1, end);
      }
      yield { type: event.type, event: wire };
    }
    start += random.int(2, 40) * seconds + random.int(0, 999);
  }
}

/**
 * Generates the events of `calls` calls in the platform's wire format, one call's story after
 * another (each in time order); lazy, so any number of events takes constant memory.
 */
export function generateCalls(options: GenerateOptions): Generator<WireEvent, void, undefined> {
  const calls = typedCalls(options, 'generateCalls');
  return (function* () {
    for (const { event } of calls) yield event;
  })();
}

// --- events for `callhook generate` and the library ------------------------------------------------

/** One `--set path=value` override: `path` is dot-separated, e.g. `data.status` or `data.flow.0.response`. */
export interface FieldOverride {
  path: readonly string[];
  value: unknown;
}

/** How `generateEvents` generates: the same options always give the same events. */
export interface GenerateEventsOptions {
  /** How many events to yield, redeliveries included. */
  count: number;
  /** Seed of the pseudo-random generator (default 1). */
  seed?: number | undefined;
  /** How many campaigns the calls are spread over (default 3: two outbound, one inbound). */
  campaigns?: number | undefined;
  /** Only these event types, at least one (default: all five). */
  types?: readonly EventType[] | undefined;
  /** The fraction of events delivered a second time, unchanged, a few events later (default 0). */
  redeliveries?: number | undefined;
  /**
   * Events per delivery batch, when they are written in batches: a redelivered copy then comes
   * in a later batch than its original, as the platform redelivers in another POST.
   */
  batchSize?: number | undefined;
  /** Fields to set: `data.x` names a bare event's own field too, and one of the documented payload goes only where it belongs (README). */
  set?: readonly FieldOverride[] | undefined;
  /** ISO-8601 time of the first call, or a date alone (midnight UTC); default `2022-09-01T00:00:00.000Z`. */
  startTime?: string | undefined;
  /** `wire` (default): CallComplete enveloped, the others bare; `all`: every event enveloped. */
  envelope?: Envelope | undefined;
}

/** A generated event as `generateEvents` yields it: `redelivery` marks a repeated delivery. */
export interface GeneratedDelivery extends GeneratedEvent {
  redelivery: boolean;
}

const probability = (name: string) =>
  v.optional(
    v.pipe(
      v.number(),
      v.minValue(0, `${name} must be a fraction from 0 to 1`),
      v.maxValue(1, `${name} must be a fraction from 0 to 1`),
    ),
  );

const GenerateEventsSchema = v.object({
  count: wholeNumber('count', 0),
  seed: v.optional(v.number()),
  campaigns: campaignsOption,
  types: typesOption,
  redeliveries: probability('redeliveries'),
  batchSize: v.optional(v.number()),
  set: v.optional(
    v.array(
      v.pipe(
        v.object({ path: v.pipe(v.array(v.string()), v.minLength(1)), value: v.unknown() }),
        v.check(
          ({ path, value }) => tooDeep(path, value) === undefined,
          (issue) => tooDeep(issue.input.path, issue.input.value) ?? '',
        ),
        v.check(
          ({ value }) => notJsonIn(value) === undefined,
          (issue) => `the value holds ${notJsonIn(issue.input.value)}, which JSON cannot hold`,
        ),
      ),
    ),
  ),
  startTime: startTimeOption,
  envelope: envelopeOption,
});

/**
 * Splits `path=value`, as `generate --set` reads it: the value is JSON when it parses as JSON, a
 * string otherwise; text that is not such a field and value is a CallhookError saying why.
 */
export function parseFieldOverride(text: string): FieldOverride {
  assertString('text', text);
  const equals = text.indexOf('=');
  if (equals <= 0) throw new CallhookError(`expected path=value, e.g. data.status=Partial; got ${quoted(text)}`);
  const path = text.slice(0, equals).split('.');
  if (path.some((segment) => segment === '')) {
    throw new CallhookError(`the path ${quoted(text.slice(0, equals))} has an empty segment`);
  }
  const raw = text.slice(equals + 1);
  let value: unknown = raw;
  let json = true;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself, so `data.name=Jane` needs no quotes.
    json = false;
  }
  // Hint: the path counts too, so a text value is checked as well (300 parts were an internal error).
  const deep = tooDeep(path, value);
  if (deep !== undefined) throw new CallhookError(`${dotted(path)}: ${deep}`);
  if (!json) return { path, value };
  // Hint: a number is read as the nearest double, which JSON.stringify writes in its shortest
  // digits: 1e400 as null, 123456789012345678901234567890 as 1.2345678901234568e+29; and of a
  // key given twice JSON.parse keeps the last.
  const keys: Array<Set<string>> = [];
  visit(raw, {
    onObjectBegin: () => {
      keys.push(new Set());
    },
    onObjectEnd: () => {
      keys.pop();
    },
    onObjectProperty(property: string) {
      const seen = keys.at(-1) ?? impossible('a key is in an object');
      if (seen.has(property)) {
        throw new CallhookError(
          `the value ${quoted(raw)} gives the key ${quotedExcerpt(property)} twice, and only the last would be written; give each key once`,
        );
      }
      seen.add(property);
    },
    onLiteralValue(literal: unknown, offset: number, length: number) {
      if (typeof literal !== 'number') return;
      const typed = raw.slice(offset, offset + length);
      if (!Number.isFinite(literal))
        throw new CallhookError(
          `the value ${quoted(raw)} holds a number beyond ±1.8e308, which would be written as null`,
        );
      if (!doubleHolds(typed)) {
        throw new CallhookError(
          `the value ${quoted(raw)} holds a number that would be written as ${JSON.stringify(literal)}; quote it to keep its digits as a string`,
        );
      }
    },
  });
  return { path, value };
}

/** An object met in `nestingOf`'s walk, and the one it was met in. */
interface Step {
  node: object;
  depth: number;
  parent: Step | undefined;
}

/**
 * How deep `value` nests arrays and objects (a scalar 0, `[]` 1), or `limit + 1` once past
 * `limit`, or Infinity when the objects it went through to get there hold one of them twice: a
 * value that holds itself. Walked without recursion, each object again only when met deeper than
 * before, so a part shared many times is walked once, not once a path to it.
 */
function nestingOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  const seen = new Map<object, number>();
  const steps: Step[] = [{ node: value, depth: 1, parent: undefined }];
  let deepest = 0;
  for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
    const { node, depth } = step;
    if (depth > limit) return holdsOneTwice(step) ? Number.POSITIVE_INFINITY : limit + 1;
    if ((seen.get(node) ?? 0) >= depth) continue;
    seen.set(node, depth);
    deepest = Math.max(deepest, depth);
    // Hint: a typed array's items are numbers; its values are not walked one by one.
    if (ArrayBuffer.isView(node)) continue;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) steps.push({ node: child, depth: depth + 1, parent: step });
    }
  }
  return deepest;
}

/** Whether the objects from the value down to `step` hold one of them twice. */
function holdsOneTwice(step: Step): boolean {
  const met = new Set<object>();
  for (let at: Step | undefined = step; at !== undefined; at = at.parent) {
    if (met.has(at.node)) return true;
    met.add(at.node);
  }
  return false;
}

/**
 * Why a `--set` value at `path` takes an event past the nesting validate reads (`maxDepth`), or
 * undefined when it does not: the event and each part of the path it sets (`pathIn`) before the
 * last are one level each (`data.x` puts `x`'s value two deep in an enveloped event, one in a
 * bare one); bare unless `enveloped`, so that by default only a value no event could hold is
 * refused (the types it reaches are known only when it is placed). Hint: also what keeps
 * `structuredClone`, which copies the value into each event, from overflowing the stack (a value
 * or a path some 3,000 deep did).
 */
function tooDeep(path: readonly string[], value: unknown, enveloped = false): string | undefined {
  const nesting = nestingOf(value, maxDepth);
  if (pathIn(path, enveloped).length + nesting <= maxDepth) return undefined;
  const endless = nesting === Number.POSITIVE_INFINITY ? ' (a value that holds itself nests without end)' : '';
  return `the event would nest deeper than ${maxDepth} levels, which validate refuses${endless}`;
}

/**
 * The first part of `value` that JSON cannot hold, said as a message names it (`NaN`, `a Map`), or
 * undefined when it holds none. Hint: events are written as JSON, which wrote NaN as null and a
 * Map as `{}`, and a Symbol or a function failed to be copied into an event ("could not be
 * cloned"); the CLI's values are parsed JSON, so only a library caller's can.
 */
function notJsonIn(value: unknown): string | undefined {
  const seen = new Set<object>();
  const parts: unknown[] = [value];
  for (let at = 0; at < parts.length; at++) {
    const part = parts[at];
    if (part === null || typeof part === 'string' || typeof part === 'boolean') continue;
    if (typeof part === 'number') {
      if (Number.isFinite(part)) continue;
      return String(part);
    }
    if (typeof part !== 'object') return notJsonKinds[typeof part] ?? typeof part;
    // Hint: a Proxy reads as what it wraps, and cannot be copied into an event.
    if (isProxy(part)) return 'a Proxy';
    if (seen.has(part)) continue;
    seen.add(part);
    const prototype = Object.getPrototypeOf(part);
    if (Array.isArray(part)) {
      for (let index = 0; index < part.length; index++) {
        // Hint: a hole is written as null.
        if (!Object.hasOwn(part, index)) return 'an empty item';
        parts.push(part[index]);
      }
    } else if (prototype === Object.prototype || prototype === null) {
      for (const child of Object.values(part)) parts.push(child);
    } else return aKindOf(part);
  }
  return undefined;
}

const notJsonKinds: Partial<Record<string, string>> = {
  undefined: 'undefined',
  symbol: 'a Symbol',
  function: 'a function',
  bigint: 'a BigInt',
};

type Container = Record<string, unknown> | unknown[];

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/**
 * A path as a message names it: dotted, and by its first 40 characters when longer. Hint: a path
 * typed with 100 KB was said back whole, twice (red team hR125).
 */
const dotted = (path: readonly string[]) => excerpt(path.join('.'));

/** A part of a path that names an item of an array: a whole number in its plain form, below a billion. */
const isIndex = (part: string) => /^(0|[1-9]\d{0,8})$/.test(part);

/** Why `path`'s `at`th part (counted from 0), which steps into an array, is refused: it is no index. */
const notAnIndex = (path: readonly string[], at: number) =>
  `${dotted(path)}: ${quoted(path[at] ?? '')} is not an index of the array ${dotted(path.slice(0, at))}`;

/**
 * Sets one field as an own property (a key named `__proto__` is data, not the prototype), creating
 * missing objects. An array is stepped into only at an item it has: where it has none, the event
 * is left as it was (an item made of the one field set would not validate); a part that is no
 * index (`length`, `-1`) is refused with `refuseAt(its place in path)`.
 */
function setField(target: Container, path: readonly string[], value: unknown, refuseAt: (at: number) => Error): void {
  let node: Container = target;
  for (const [index, key] of path.entries()) {
    const last = index === path.length - 1;
    if (Array.isArray(node)) {
      if (!isIndex(key)) throw refuseAt(index);
      // Hint: nothing was created above an existing array, so leaving here changes nothing.
      if (Number(key) >= node.length) return;
    }
    const own = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    if (last || !isContainer(own)) {
      const next = last ? structuredClone(value) : {};
      Object.defineProperty(node, key, { value: next, enumerable: true, writable: true, configurable: true });
      if (last) return;
      node = next as Container;
    } else node = own;
  }
}

/** An override and the types it reaches: undefined for every event. */
interface PlacedOverride extends FieldOverride {
  types: ReadonlySet<EventType> | undefined;
  /**
   * Why those events will not validate: a value that no type it reaches takes at its path
   * (`data.status=Complete` on attempts alone, `data.requests.0=5`: `value`, the path from the
   * field on; `asText` when its JSON text would fit, as when a number was meant as text), or a path through a field that holds no object in any of them (`createdAt.x`:
   * `through`, `createdAt`, which becomes one). Undefined when they will.
   */
  misfit: { value: string; asText: boolean } | { through: string } | undefined;
}

/** The schema of `field` in a type's documented payload, or undefined when its payload has no such field. */
function fieldSchemaOf(type: EventType, field: string): v.GenericSchema | undefined {
  const entries: Readonly<Record<string, v.GenericSchema>> = dataSchemas[type].entries;
  // Hint: Object.hasOwn, not indexing alone: a key named `constructor` is in every object.
  return Object.hasOwn(entries, field) ? entries[field] : undefined;
}

/**
 * The schema of the envelope's `field` (`id`, `eventType`, `createdAt`, or `data` whole) in an
 * event of `type`, or undefined when the envelope has no such field: its `eventType` is the type's
 * own name, and its `data` the type's payload.
 */
function envelopeFieldSchemaOf(type: EventType, field: string): v.GenericSchema | undefined {
  if (field === 'data') return dataSchemas[type];
  if (field === 'eventType') return v.literal(type);
  const entries: Readonly<Record<string, v.GenericSchema>> = EnvelopeSchema.entries;
  return Object.hasOwn(entries, field) ? entries[field] : undefined;
}

/** Whether a field's schema is an array, under any `optional` or `nullable` around it. */
function isArraySchema(schema: v.GenericSchema | undefined): boolean {
  return schema !== undefined && unwrapped(schema).type === 'array';
}

/**
 * Whether `value` set at `path` (`path[0]` a field whose schema is `schema`) fits what is
 * documented there: true when it does, or when the path leaves the documented fields first (no
 * claim is made); false when it does not; `{ through }` when the path goes on below a field that
 * holds no object or array (`createdAt` of `createdAt.x`, which the value would turn into one).
 */
function fitAlong(
  schema: v.GenericSchema | undefined,
  path: readonly string[],
  value: unknown,
): boolean | { through: string } {
  let node: SchemaNode | undefined = schema;
  for (let at = 0; at < path.length - 1 && node; at++) {
    const { entries, item, type }: SchemaNode = unwrapped(node);
    const part = path[at + 1] ?? '';
    if (entries) node = Object.hasOwn(entries, part) ? entries[part] : undefined;
    else if (item) node = item;
    else if (scalarTypes.has(type)) return { through: path[at] ?? '' };
    else return true;
  }
  return node === undefined || v.is(node, value);
}

// The schemas that hold text, a number, a boolean or one of a list of them: nothing below.
const scalarTypes = new Set(['string', 'number', 'boolean', 'literal', 'picklist', 'enum', 'null']);

/** Those of `among` whose documented payload has `field`. */
const typesWithField = (field: string, among: readonly EventType[]) =>
  among.filter((type) => fieldSchemaOf(type, field) !== undefined);

/**
 * How a refused `set` item is named and refused: the library's TypeError names `set.0` and
 * `types`; `generate`'s usage error names `--set` and `--type`.
 */
interface SetWords {
  item: (index: number) => string;
  /** Why an item is too deep (`tooDeep`), as parsing it says: `--set` names no item, so its path. */
  tooDeep: (path: readonly string[], why: string) => string;
  /** Another item, beside its path: `set.0 (data.x)`, `--set data.x`. */
  named: (index: number, path: readonly string[]) => string;
  types: string;
  refusal: (message: string) => Error;
}

const libraryWords: SetWords = {
  item: (index) => `set.${index}`,
  tooDeep: (_, why) => why,
  named: (index, path) => `set.${index} (${dotted(path)})`,
  types: 'types',
  refusal: (message) => new TypeError(message),
};

const commandWords: SetWords = {
  item: () => '--set',
  tooDeep: (path, why) => `${dotted(path)}: ${why}`,
  named: (_, path) => `--set ${dotted(path)}`,
  types: '--type',
  refusal: (message) => new CallhookError(message),
};

/**
 * Where each override goes (`placeOverride`), or the refusal of the first that cannot go
 * anywhere or sets what one before it sets, before any event is drawn. Hint: so is a path through an array another override
 * set (`data.x=[[1]]`, then `data.x.0.y`), found by setting them all on an empty event: found
 * in the events, it was refused at the first that reached it, on whichever thread.
 */
function placeOverrides(
  set: readonly FieldOverride[],
  generated: readonly EventType[],
  envelopeAll: boolean,
  words: SetWords,
): PlacedOverride[] {
  const refusal = (index: number, detail: string) => words.refusal(`${words.item(index)}: ${detail}`);
  const placed = set.map((override, index) =>
    placeOverride(override, generated, envelopeAll, (detail) => refusal(index, detail), words.types),
  );
  const reaches = (types: ReadonlySet<EventType> | undefined, type: EventType) => types?.has(type) ?? true;
  for (const [index, { path, value, types }] of placed.entries()) {
    const enveloped = generated.some((type) => reaches(types, type) && isEnveloped(type, envelopeAll));
    const deep = tooDeep(path, value, enveloped);
    if (deep !== undefined) throw refusal(index, words.tooDeep(path, deep));
  }
  const sketch = {};
  for (const [index, { path, value }] of set.entries()) {
    setField(sketch, path, value, (at) => refusal(index, notAnIndex(path, at)));
  }
  // Hint: of two overrides of one field, or of a field and one inside it, an event both reach
  // keeps what the later set, unsaid: refused, as a single-value option given twice is.
  for (const [later, { path, types }] of placed.entries()) {
    for (const [earlier, other] of placed.slice(0, later).entries()) {
      const both = generated.filter((type) => {
        const enveloped = isEnveloped(type, envelopeAll);
        return (
          reaches(types, type) &&
          reaches(other.types, type) &&
          nests(pathIn(path, enveloped), pathIn(other.path, enveloped))
        );
      });
      if (both.length > 0) {
        // Hint: named as given (`status`), not where it goes (`data.status`).
        const given = (index: number) => set[index]?.path ?? impossible('an override for each placed one');
        throw refusal(
          later,
          `${dotted(given(later))}: sets again what ${words.named(earlier, given(earlier))} sets, in ${both.join(', ')}: the later would overwrite the earlier; set each field once`,
        );
      }
    }
  }
  return placed;
}

/** The path an override sets in an event: a bare event is its own data, so `data.status` is its `status`. */
function pathIn(path: readonly string[], enveloped: boolean): readonly string[] {
  return !enveloped && path[0] === 'data' && path.length > 1 ? path.slice(1) : path;
}

/** Whether of two paths one is the other or runs through it. */
function nests(a: readonly string[], b: readonly string[]): boolean {
  const shorter = Math.min(a.length, b.length);
  for (let at = 0; at < shorter; at++) if (a[at] !== b[at]) return false;
  return true;
}

/**
 * Where an override goes: a `data.` field of the documented payload only to the types whose
 * payload has it, and when the path names the field itself, only to those whose values take it
 * (`data.status=failed` to attempts, `Partial` to call results), if any do; any other path to
 * every event. Refused (`refuse`, the option of the types being `typesOption`) when none of the
 * types generated has the field.
 */
function placeOverride(
  override: FieldOverride,
  generated: readonly EventType[],
  envelopeAll: boolean,
  refuse: (detail: string) => Error,
  typesOption: string,
): PlacedOverride {
  const { path } = override;
  // Hint: a bare event has no envelope; its fields are the payload's, which `data.x` names.
  const top = path[0] ?? '';
  if ((path.length === 1 || top !== 'data') && envelopeFieldSchemaOf('CallComplete', top) !== undefined) {
    const enveloped = generated.filter((type) => isEnveloped(type, envelopeAll));
    if (enveloped.length === 0) {
      throw refuse(
        `${dotted(path)}: ${quoted(top)} is a field of the envelope, which only CallComplete has as the platform sends them and ${typesOption} leaves out (${generated.join(', ')})`,
      );
    }
    return fittingTypes(override, enveloped, path, (type) => envelopeFieldSchemaOf(type, top));
  }
  if (top !== 'data' && typesWithField(top, eventTypes).length > 0) {
    // Hint: a bare event is its own payload, so `time` names the field `data.time` names (both
    // given are refused as setting it twice): placed by its rule, on no envelope.
    return placeOverride({ ...override, path: ['data', ...path] }, generated, envelopeAll, refuse, typesOption);
  }
  const field = top === 'data' ? path[1] : undefined;
  // Hint: a key that tells a bare event's type (name, note, type, from, ...) set on a type
  // without it leaves two types equally likely, or makes the other likelier: it goes only on the
  // types that have it, as the platform sends them.
  if (field === undefined || typesWithField(field, eventTypes).length === 0) {
    return { ...override, types: undefined, misfit: undefined };
  }
  // Hint: refused here, before any event is drawn: whether one with the array came up in the
  // count asked for must not decide it.
  const item = path[2];
  if (
    item !== undefined &&
    !isIndex(item) &&
    typesWithField(field, eventTypes).some((type) => isArraySchema(fieldSchemaOf(type, field)))
  ) {
    throw refuse(notAnIndex(path, 2));
  }
  const having = typesWithField(field, generated);
  if (having.length === 0) {
    const owners = typesWithField(field, eventTypes);
    const named = owners.length === 1 ? owners.join('') : `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)}`;
    throw refuse(
      `${dotted(path)}: ${quoted(field)} is a field of ${named} only, which ${typesOption} leaves out (${generated.join(', ')})`,
    );
  }
  return fittingTypes(override, having, path.slice(1), (type) => fieldSchemaOf(type, field));
}

/**
 * An override placed on those of `having` where its value fits what is documented at its path
 * (`path`, from the field on: `data.status=failed` on attempts, `Partial` on call results), if
 * it fits any; else on all of `having`, a misfit: its events will not validate.
 */
function fittingTypes(
  override: FieldOverride,
  having: readonly EventType[],
  path: readonly string[],
  schemaOf: (type: EventType) => v.GenericSchema | undefined,
): PlacedOverride {
  const fits = having.map((type) => fitAlong(schemaOf(type), path, override.value));
  const fitting = having.filter((_, at) => fits[at] === true);
  if (fitting.length > 0) return { ...override, types: new Set(fitting), misfit: undefined };
  const [first] = fits;
  const through =
    typeof first === 'object' && fits.every((fit) => typeof fit === 'object' && fit.through === first.through);
  if (through) return { ...override, types: new Set(having), misfit: first };
  // Hint: `--set data.flow.0.response=5` reads 5 as a number; the text "5" may have been meant.
  const { value } = override;
  const text = typeof value === 'string' || (typeof value === 'object' && value !== null) ? undefined : String(value);
  const asText = text !== undefined && having.some((type) => fitAlong(schemaOf(type), path, text) === true);
  return { ...override, types: new Set(having), misfit: { value: path.join('.'), asText } };
}

/**
 * What `generate` warns of before it writes: each `set` value that no type generated with the
 * field takes there, so that the events it goes on will not validate (set as asked: a receiver's
 * handling of a bad value may be what is tested). An override that cannot go anywhere is
 * refused here, in `--set`'s words, as `generateEvents` refuses it in the library's.
 */
export function misfitOverrides(
  set: readonly FieldOverride[],
  types: readonly EventType[] | undefined,
  envelope: Envelope = 'wire',
): string[] {
  const generated = types ?? eventTypes;
  const placed = placeOverrides(set, generated, envelope === 'all', commandWords);
  const misfits = set.flatMap((override, index) => {
    const { misfit, types, path: placedPath } = placed[index] ?? impossible('each override is placed');
    if (!misfit || !types) return [];
    const path = dotted(override.path);
    const what =
      'through' in misfit
        ? `${quoted(misfit.through)} holds no object`
        : `${typeof override.value === 'string' ? quotedExcerpt(override.value) : excerpt(JSON.stringify(override.value))} is no value of ${quoted(misfit.value)}`;
    const hint =
      'asText' in misfit && misfit.asText ? ` (to set the text, quote it: ${path}='"${override.value}"')` : '';
    // Hint: a path through an item reaches only the events that have it (`data.flow.50`).
    // Hint: as placed, `data.` before a payload field named without it (`flow.0.response`).
    const at = placedPath.findIndex((part, i) => i > 1 && isIndex(part));
    const whose =
      at < 0 ? 'whose events' : `whose events with item ${placedPath[at]} of ${quoted(placedPath[at - 1] ?? '')}`;
    return [`--set ${path}: ${what} in ${[...types].join(', ')}, ${whose} will not validate${hint}`];
  });
  const enveloping = envelopingOverrides(set, generated, envelope === 'all');
  return enveloping ? [...misfits, enveloping] : misfits;
}

/**
 * The warning for envelope fields set below `data.` (`data.eventType`, or `data.data` beside
 * `data.createdAt`) that, no payload documenting them, go on every event, and make a bare one
 * read as an envelope, which then lacks the envelope's other fields; undefined when none do.
 */
function envelopingOverrides(
  set: readonly FieldOverride[],
  generated: readonly EventType[],
  envelopeAll: boolean,
): string | undefined {
  const bare = generated.filter((type) => !isEnveloped(type, envelopeAll));
  if (bare.length === 0) return undefined;
  // Hint: a bare event is its own data: its fields as the `data.` overrides leave them, for the
  // one test of an envelope validate applies (`isEnvelope`).
  const asBare = {};
  for (const { path, value } of set) {
    if (path[0] === 'data' && path.length > 1) {
      setField(asBare, path.slice(1), value, () =>
        impossible('placeOverrides refuses a path through an array at no index'),
      );
    }
  }
  const marks = envelopeMarksOf(asBare);
  if (marks.length === 0) return undefined;
  const named = set
    .filter(({ path }) => path[0] === 'data' && path.length > 1 && marks.includes(path[1] ?? ''))
    .map(({ path }) => dotted(path));
  const fields = named.length === 1 ? "an envelope's field, which makes" : "an envelope's fields, which make";
  return `--set ${named.join(', ')}: ${fields} a bare event read as an envelope, in ${bare.join(', ')}, whose events will not validate`;
}

function applyOverrides(generated: GeneratedEvent, overrides: readonly PlacedOverride[]): void {
  const event = generated.event as unknown as Record<string, unknown>;
  const enveloped = Object.hasOwn(event, 'eventType');
  for (const { path, value, types } of overrides) {
    if (types && !types.has(generated.type)) continue;
    setField(event, pathIn(path, enveloped), value, () =>
      impossible('placeOverrides refuses a path through an array at no index'),
    );
  }
}

/**
 * Generates `count` events of realistic traffic: outbound stories under one correlationId,
 * inbound calls, SMS both ways, each call ending in one CallComplete; optionally only some
 * types, some events redelivered, and fields overridden. Lazy: any count takes constant memory.
 * Hint: a plain function that checks its options, then returns the generator: a generator
 * function runs nothing until the first `next()`, so a `try` around the call caught none of its
 * refusals (review hR101).
 */
export function generateEvents(options: GenerateEventsOptions): Generator<GeneratedDelivery, void, undefined> {
  const checked = parseOptions(GenerateEventsSchema, options, 'generateEvents');
  assertWholeNumber('seed', checked.seed, 0, largestSeed);
  // Hint: worded as readEvents words its batchSize.
  assertWholeNumber('batchSize', checked.batchSize, 1);
  const seed = checked.seed ?? 1;
  const types = checked.types && new Set<EventType>(checked.types);
  const overrides = placeOverrides(
    checked.set ?? [],
    [...(types ?? eventTypes)],
    checked.envelope === 'all',
    libraryWords,
  );
  refuseOverrun(checked, () => deliveries(checked, seed, types, overrides));
  return deliveries(checked, seed, types, overrides);
}

/** The events of a `generateEvents` run, its options checked. */
function* deliveries(
  checked: v.InferOutput<typeof GenerateEventsSchema>,
  seed: number,
  types: ReadonlySet<EventType> | undefined,
  overrides: readonly PlacedOverride[],
): Generator<GeneratedDelivery, void, undefined> {
  const { redeliveries = 0, batchSize } = checked;
  // Hint: redeliveries draw from their own generator, so asking for some changes no other event.
  const random = new Random(seed ^ 0x2545f491);
  const pending: Array<{ due: number; delivery: GeneratedDelivery }> = [];
  const calls = typedCalls(
    {
      seed,
      calls: Number.MAX_SAFE_INTEGER,
      campaigns: checked.campaigns,
      startTime: checked.startTime,
      envelope: checked.envelope,
    },
    'generateEvents',
    types,
  );
  let emitted = 0;
  while (emitted < checked.count) {
    const due = pending[0];
    if (due && due.due <= emitted) {
      pending.shift();
      emitted++;
      yield due.delivery;
      continue;
    }
    const next = calls.next();
    if (next.done) return;
    applyOverrides(next.value, overrides);
    const delivery: GeneratedDelivery = { type: next.value.type, event: next.value.event, redelivery: false };
    // Hint: the copy is taken before the caller sees the event, which it may change in place.
    const redeliver = redeliveries > 0 && random.chance(redeliveries);
    const copy: GeneratedDelivery | undefined = redeliver
      ? { type: delivery.type, event: structuredClone(delivery.event), redelivery: true }
      : undefined;
    emitted++;
    yield delivery;
    if (copy) {
      let at = emitted + random.int(1, 20);
      // Hint: the platform redelivers in another POST, never in the body that held the original:
      // a copy due in its original's batch goes as far into the next one.
      const nextBatch = batchSize === undefined ? 0 : Math.ceil(emitted / batchSize) * batchSize;
      if (at < nextBatch) at = nextBatch + (at - emitted - 1);
      const index = pending.findIndex((item) => item.due > at);
      pending.splice(index === -1 ? pending.length : index, 0, { due: at, delivery: copy });
    }
  }
}
