/**
 * The one reader of the platform's timestamps. Every command places an event in time through
 * `instantOf`, and `validate` accepts exactly the texts it reads (`isTimestamp`), so whatever is
 * valid is at the same instant in `show`, `trace`, `summarise` and `replay --fresh`. Digits are
 * read directly, without `Date.parse` or a regular expression: a summary reads one per event.
 * `isoOf` is the one writer of an instant, for every command that prints or saves one.
 */

const [SPACE, PLUS, DASH, DOT, COLON, LETTER_T, LETTER_Z] = [0x20, 0x2b, 0x2d, 0x2e, 0x3a, 0x54, 0x5a];

/** The first instant a timestamp can hold: `YYYY` has four digits, so 0000-01-01T00:00:00.000Z. */
// Hint: not Date.UTC(0, 0, 1), which reads the years 0 to 99 as 1900 to 1999.
export const firstInstant = Date.parse('0000-01-01T00:00:00.000Z');
/** The last instant a timestamp can hold: 9999-12-31T23:59:59.999Z. */
export const lastInstant = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The digit at `index` of `text`, or NaN when it is not one of 0-9. */
function digitAt(text: string, index: number): number {
  const digit = text.charCodeAt(index) - 0x30;
  return digit >= 0 && digit <= 9 ? digit : Number.NaN;
}

function twoDigits(text: string, index: number): number {
  return digitAt(text, index) * 10 + digitAt(text, index + 1);
}

/** The number of days in `month` (1-12) of `year`, in the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * The instant of a date and time of day read from `text`'s first 19 characters
 * (`YYYY-MM-DDTHH:MM:SS`, a space allowed for the `T`), or NaN when they are not a real
 * calendar date and time: 2022-02-30 and 24:00:00 are not.
 */
function dateTimeAt(text: string): number {
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    (text.charCodeAt(10) !== LETTER_T && text.charCodeAt(10) !== SPACE) ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return Number.NaN;
  }
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  // NaN (a character that is not a digit) fails every comparison.
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59)) {
    return Number.NaN;
  }
  if (day > 28 && day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000;
}

/** The digit at `index` of `text` as 0-9, or a number above 9 for any other character. */
function unsignedDigitAt(text: string, index: number): number {
  return (text.charCodeAt(index) - 0x30) >>> 0;
}

/** Whether `text` has the length and the separators of `YYYY-MM-DDTHH:MM:SS.sssZ` (digits unchecked). */
function hasPlatformLayout(text: string): boolean {
  return (
    text.length === 24 &&
    text.charCodeAt(4) === DASH &&
    text.charCodeAt(7) === DASH &&
    text.charCodeAt(10) === LETTER_T &&
    text.charCodeAt(13) === COLON &&
    text.charCodeAt(16) === COLON &&
    text.charCodeAt(19) === DOT &&
    text.charCodeAt(23) === LETTER_Z
  );
}

/**
 * The instant (ms since the epoch) of `text` in its shape the platform sends,
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, a real calendar date; undefined for anything else.
 * Hint: validate asks this of two timestamps per event and summarise reads one, so each
 * character is read once, as digits known to be 0-9: checking the shape and then reading the
 * digits again (`dateTimeAt`, which allows NaN) took twice as long.
 */
export function canonicalInstant(text: string): number | undefined {
  if (!hasPlatformLayout(text)) return undefined;
  const y0 = unsignedDigitAt(text, 0);
  const y1 = unsignedDigitAt(text, 1);
  const y2 = unsignedDigitAt(text, 2);
  const y3 = unsignedDigitAt(text, 3);
  const m0 = unsignedDigitAt(text, 5);
  const m1 = unsignedDigitAt(text, 6);
  const d0 = unsignedDigitAt(text, 8);
  const d1 = unsignedDigitAt(text, 9);
  const h0 = unsignedDigitAt(text, 11);
  const h1 = unsignedDigitAt(text, 12);
  const i0 = unsignedDigitAt(text, 14);
  const i1 = unsignedDigitAt(text, 15);
  const s0 = unsignedDigitAt(text, 17);
  const s1 = unsignedDigitAt(text, 18);
  const f0 = unsignedDigitAt(text, 20);
  const f1 = unsignedDigitAt(text, 21);
  const f2 = unsignedDigitAt(text, 22);
  if (
    y0 > 9 ||
    y1 > 9 ||
    y2 > 9 ||
    y3 > 9 ||
    m0 > 1 ||
    m1 > 9 ||
    d0 > 3 ||
    d1 > 9 ||
    h0 > 2 ||
    h1 > 9 ||
    i0 > 5 ||
    i1 > 9 ||
    s0 > 5 ||
    s1 > 9 ||
    f0 > 9 ||
    f1 > 9 ||
    f2 > 9
  ) {
    return undefined;
  }
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  const hour = h0 * 10 + h1;
  if (month < 1 || month > 12 || day < 1 || hour > 23) return undefined;
  if (day > 28 && day > daysInMonth(year, month)) return undefined;
  const minute = i0 * 10 + i1;
  const second = s0 * 10 + s1;
  const ms = f0 * 100 + f1 * 10 + f2;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

/**
 * The instant (ms since the epoch) of an ISO-8601 timestamp as the payload reference allows it,
 * or NaN: `YYYY-MM-DD`, `T` or a space, `HH:MM:SS`, an optional fraction of 1 to 9 digits
 * (milliseconds are kept, finer digits dropped, as `Date.parse` does), then `Z` or an offset
 * `±HH`, `±HH:MM` or `±HHMM`, optionally after a space. The date must exist in the calendar,
 * the time of day be 00:00:00-23:59:59, and the instant fall within the years 0000 to 9999.
 * Hint: an offset can take a time written in 0000 or 9999 out of them
 * (`-000001-12-31T23:00:00.000Z`), where every writer of times (a six-digit signed year) and
 * summarise's day and hour keys would read it wrong.
 */
export function instantOf(text: string): number {
  const canonical = canonicalInstant(text);
  if (canonical !== undefined) return canonical;
  const ms = instantAnyYear(text);
  return ms >= firstInstant && ms <= lastInstant ? ms : Number.NaN;
}

/** `instantOf`, but for its range: an offset may take the instant out of the years 0000 to 9999. */
function instantAnyYear(text: string): number {
  if (text.length < 20) return Number.NaN;
  let ms = dateTimeAt(text);
  let at = 19;
  if (text.charCodeAt(at) === DOT) {
    const start = ++at;
    let fraction = 0;
    while (at < text.length && at - start < 9 && !Number.isNaN(digitAt(text, at))) {
      if (at - start < 3) fraction = fraction * 10 + digitAt(text, at);
      at++;
    }
    const digits = at - start;
    if (digits === 0) return Number.NaN;
    ms += digits >= 3 ? fraction : fraction * (digits === 1 ? 100 : 10);
  }
  if (text.charCodeAt(at) === LETTER_Z) return at + 1 === text.length ? ms : Number.NaN;
  if (text.charCodeAt(at) === SPACE) at++;
  const sign = text.charCodeAt(at);
  if (sign !== PLUS && sign !== DASH) return Number.NaN;
  const hours = twoDigits(text, at + 1);
  at += 3;
  let minutes = 0;
  if (at < text.length) {
    if (text.charCodeAt(at) === COLON) at++;
    minutes = twoDigits(text, at);
    at += 2;
  }
  if (at !== text.length || !(hours <= 23 && minutes <= 59)) return Number.NaN;
  const offset = (hours * 60 + minutes) * 60_000;
  return sign === PLUS ? ms - offset : ms + offset;
}

// A date alone, or a date and a time whose seconds or offset are left out.
const shortInstant = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z| ?[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * The instant of a time a user typed as an option (`--since`, `--until`, `--start-time`, the
 * library's `startTime`), or NaN: every timestamp `instantOf` reads, and also a date alone
 * (midnight UTC) or a time without seconds or offset (`2022-09-01T10:00`, UTC), so that what an
 * option means does not depend on the machine's time zone.
 */
export function instantOfOption(text: string): number {
  const trimmed = text.trim();
  let ms = instantOf(trimmed);
  const match = Number.isNaN(ms) ? shortInstant.exec(trimmed) : null;
  if (match) {
    const [, date, time = '00:00:00', offset = 'Z'] = match;
    // Read by the one reader of event times, which wants the seconds: `10:00` is `10:00:00`.
    ms = instantOf(`${date}T${time.length === 5 ? `${time}:00` : time}${offset.toUpperCase()}`);
  }
  return ms;
}

/** Whether `text` is a timestamp `instantOf` reads: what `validate` accepts. */
export function isTimestamp(text: string): boolean {
  return canonicalInstant(text) !== undefined || !Number.isNaN(instantOf(text));
}

/** A timestamp's shape, its parts in range or not, `T` and `Z` in either case: for saying which part is wrong. */
const timestampShape =
  /^(\d{4})-(\d{2})-(\d{2})([Tt ])(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:([Zz])| ?[+-](\d{2})(?::?(\d{2}))?)$/;

/**
 * Why `text` is not a timestamp, for validate's message: a date the calendar does not have, or
 * not the shape at all.
 */
export function describeBadTimestamp(text: string): string {
  if (!Number.isNaN(instantAnyYear(text))) {
    return 'expected an instant within the years 0000 to 9999 (its offset takes this one outside them)';
  }
  const parts = timestampShape.exec(text);
  if (parts) {
    const part = (at: number) => Number(parts[at] ?? 0);
    const [year, month, day] = [part(1), part(2), part(3)];
    if (!(month >= 1 && month <= 12)) return 'expected a month from 01 to 12';
    if (day < 1) return 'expected a day of the month from 01';
    if (day > daysInMonth(year, month)) {
      return `expected a real calendar date (${parts[1]}-${parts[2]} has ${daysInMonth(year, month)} days)`;
    }
    if (part(5) > 23 || part(6) > 59 || part(7) > 59) {
      return 'expected a time of day from 00:00:00 to 23:59:59 (no leap second)';
    }
    if (part(9) > 23 || part(10) > 59) return 'expected an offset from -23:59 to +23:59';
    if (parts[4] === 't' || parts[8] === 'z') return 'expected T and Z as capitals';
  }
  return 'expected an ISO-8601 timestamp (YYYY-MM-DDTHH:MM:SS, a fraction of 1 to 9 digits if any, then Z or an offset such as +10:00)';
}

const paddedTwo = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
let isoDay = Number.NaN;
let isoDayText = '';

/**
 * The one writer of instants: `ms` as `YYYY-MM-DDTHH:MM:SS.sssZ`, exactly `new Date(ms).toISOString()`.
 * Hint: the instants written in a run fall on few days (generate's events, listen's deliveries),
 * so a day's date is formatted once and the time of day from its digits; toISOString took an
 * eighth of generate's time, and 1.2 µs of each delivery listen saves.
 */
export function isoOf(ms: number): string {
  // A fraction of a millisecond (dropped) and NaN (a RangeError) are left to Date.
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  if (day !== isoDay) {
    const text = new Date(day * 86_400_000).toISOString();
    // Years before 0000 or after 9999 are written with six digits and a sign: left to Date too.
    if (text.length !== 24) return new Date(ms).toISOString();
    isoDay = day;
    isoDayText = text.slice(0, 11);
  }
  const inDay = ms - day * 86_400_000;
  const seconds = Math.floor(inDay / 1000);
  const millis = inDay - seconds * 1000;
  return `${isoDayText}${paddedTwo[Math.floor(seconds / 3600)]}:${paddedTwo[Math.floor(seconds / 60) % 60]}:${paddedTwo[seconds % 60]}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** An instant as `YYYY-MM-DDTHH:MM:SS.sssZ`: `text` itself when it is already that. */
export function utcIsoOf(text: string, ms: number): string | undefined {
  // The platform sends exactly this form; only other forms need the (slower) round trip.
  if (Number.isNaN(ms)) return undefined;
  return text.length === 24 && text.charCodeAt(10) === LETTER_T && text.charCodeAt(23) === LETTER_Z ? text : isoOf(ms);
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const weekday = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const clock = '(?<h>\\d\\d):(?<mi>\\d\\d):(?<s>\\d\\d)';
const month = `(?<m>${months.join('|')})`;
/** RFC 9110's three HTTP-date forms (5.6.7): IMF-fixdate, RFC 850's (a two-digit year), asctime's; each is UTC. */
const httpDates = [
  new RegExp(`^${weekday}, (?<d>\\d\\d) ${month} (?<y>\\d{4}) ${clock} GMT$`),
  new RegExp(`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?<d>\\d\\d)-${month}-(?<yy>\\d\\d) ${clock} GMT$`),
  new RegExp(`^${weekday} ${month} (?<d>[ \\d]\\d) ${clock} (?<y>\\d{4})$`),
];

/**
 * The instant an HTTP-date names (RFC 9110, 5.6.7), ms since the epoch, or NaN for any other
 * text. Hint: not `Date.parse`, which reads the asctime form, zone-less, in the machine's zone,
 * and takes text that is no date (`x 5`) for one. RFC 850's two-digit year is the year of this
 * century, or of the last when that would be more than 50 years after `now`, as the RFC says.
 */
export function httpDateInstant(text: string, now: number): number {
  const fields = httpDates.map((pattern) => pattern.exec(text)?.groups).find((groups) => groups !== undefined);
  if (!fields) return Number.NaN;
  const [date, hours, minutes, seconds] = [fields.d, fields.h, fields.mi, fields.s].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const monthIndex = months.indexOf(fields.m as string);
  let year = fields.y === undefined ? 2000 + Number(fields.yy) : Number(fields.y);
  const at = () => Date.UTC(year, monthIndex, date, hours, minutes, seconds);
  if (fields.yy !== undefined && at() - now > 50 * 365.25 * 86_400_000) year -= 100;
  const ok = date >= 1 && date <= daysInMonth(year, monthIndex + 1) && hours < 24 && minutes < 60 && seconds <= 60;
  // Hint: Date.UTC reads the years 0 to 99 as 1900 to 1999; no HTTP date is that old.
  return ok && year >= 1900 ? at() : Number.NaN;
}
