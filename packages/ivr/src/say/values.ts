/**
 * Values the IVR can speak and their validation. Parsing is shared by every locale so a value
 * that is wrong is refused the same way whatever the language.
 *
 * @module
 */
import { IvrErrorCode, ivrError } from '../errors.js';

/** How a Mandarin integer is read when it stands alone (`二`) or counts something (`两`). */
export type NumberStyle = 'cardinal' | 'count';

/** A calendar date. */
export interface CalendarDate {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31, valid for the month. */
  readonly day: number;
}

/** A time of day. */
export interface TimeOfDay {
  /** 0–23. */
  readonly hour: number;
  /** 0–59. */
  readonly minute: number;
  /** 0–59; spoken only when given. */
  readonly second?: number;
}

/**
 * A value to speak. Decimal values may be given as strings (`"120.30"`) to keep exact digits;
 * numbers are read through their shortest round-trip form (`String(n)`).
 */
export type SayValue =
  /** An integer or a decimal: `10005` → 一万零五, `3.14` → 三点一四. */
  | { readonly type: 'number'; readonly value: number | string; readonly style?: NumberStyle }
  /** An amount of money in yuan (`120.3` or `"120.30"`) or in fen (`{ fen: 12030 }`). */
  | { readonly type: 'money'; readonly value: number | string }
  | { readonly type: 'money'; readonly fen: number }
  /**
   * Digits read one by one (account, phone and tracking numbers). `yao` (default true) reads 1
   * as 幺 in Mandarin. Spaces and `-` in the string, or `groups` (sizes), insert short pauses.
   */
  | { readonly type: 'digits'; readonly value: string; readonly yao?: boolean; readonly groups?: readonly number[] }
  /** A date (`"2025-03-08"`), optionally with its weekday. */
  | {
      readonly type: 'date';
      readonly value: string | CalendarDate;
      readonly weekday?: boolean;
      readonly withYear?: boolean;
    }
  /** A time of day (`"14:05"`, `"14:05:09"`), on the 24-hour (default) or 12-hour clock. */
  | { readonly type: 'time'; readonly value: string | TimeOfDay; readonly clock?: 12 | 24 }
  /** A percentage: `12.5` → 百分之十二点五. */
  | { readonly type: 'percent'; readonly value: number | string };

/** A decimal number split into its parts, exactly as written. */
export interface ParsedDecimal {
  readonly negative: boolean;
  /** The integer part (a safe integer). */
  readonly integer: number;
  /** The fraction digits, as written (`"30"` for `120.30`), may be empty. */
  readonly fraction: string;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function invalid(message: string, value: unknown): never {
  throw ivrError(IvrErrorCode.SayInvalid, message, {
    details: { value: typeof value === 'string' ? value : String(value) },
  });
}

/** Parses a number or decimal string; refuses non-finite values and integers beyond 2^53. */
export function parseDecimal(value: number | string, what = 'number'): ParsedDecimal {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(`say ${what}: ${String(value)} is not a finite number`, value);
    text = String(value);
    if (/e/i.test(text))
      invalid(`say ${what}: ${text} is too large or too small to read; pass it as a decimal string`, value);
  } else {
    text = value.trim().replace(/,/g, '');
  }
  const m = DECIMAL.exec(text);
  if (!m) invalid(`say ${what}: '${String(value)}' is not a decimal number`, value);
  const integer = Number(m[2]);
  if (!Number.isSafeInteger(integer))
    invalid(`say ${what}: ${m[2]} is beyond the largest number read (${Number.MAX_SAFE_INTEGER})`, value);
  const fraction = m[3] ?? '';
  const negative = m[1] === '-' && (integer !== 0 || /[1-9]/.test(fraction));
  return { negative, integer, fraction };
}

/** Converts a money value in yuan (number or string, at most 2 decimals) or fen to signed fen. */
export function parseMoney(value: SayValue & { type: 'money' }): number {
  if ('fen' in value) {
    if (!Number.isSafeInteger(value.fen))
      invalid(`say money: fen must be a safe integer (got ${String(value.fen)})`, value.fen);
    return value.fen;
  }
  if (typeof value.value === 'number') {
    if (!Number.isFinite(value.value)) invalid(`say money: ${String(value.value)} is not a finite amount`, value.value);
    // Amounts in yuan as floats are rounded to the fen (0.1 + 0.2 is 0.30 yuan).
    const fen = Math.round(value.value * 100);
    if (!Number.isSafeInteger(fen)) invalid(`say money: ${String(value.value)} is too large`, value.value);
    return Object.is(fen, -0) ? 0 : fen;
  }
  const d = parseDecimal(value.value, 'money');
  if (d.fraction.length > 2)
    invalid(`say money: '${value.value}' has more than two decimals (fen is the smallest unit)`, value.value);
  const fen = d.integer * 100 + Number(d.fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) invalid(`say money: '${value.value}' is too large`, value.value);
  return d.negative ? -fen : fen;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Parses and checks a date (`YYYY-MM-DD` or an object). */
export function parseDate(value: string | CalendarDate): CalendarDate {
  let date: CalendarDate;
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value.trim());
    if (!m) invalid(`say date: '${value}' is not a YYYY-MM-DD date`, value);
    date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  } else {
    date = value;
  }
  const { year, month, day } = date;
  if (!Number.isInteger(year) || year < 1 || year > 9999)
    invalid(`say date: year ${String(year)} is out of range 1..9999`, year);
  if (!Number.isInteger(month) || month < 1 || month > 12)
    invalid(`say date: month ${String(month)} is out of range 1..12`, month);
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    invalid(`say date: ${year}-${month} has no day ${String(day)}`, day);
  }
  return { year, month, day };
}

/** Day of the week of a date, 0 = Sunday (Sakamoto's method; no `Date`, no time zone). */
export function weekdayOf(date: CalendarDate): number {
  const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  const y = date.month < 3 ? date.year - 1 : date.year;
  return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + t[date.month - 1]! + date.day) % 7;
}

/** Parses and checks a time of day (`HH:MM`, `HH:MM:SS` or an object). */
export function parseTime(value: string | TimeOfDay): TimeOfDay {
  let time: TimeOfDay;
  if (typeof value === 'string') {
    const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
    if (!m) invalid(`say time: '${value}' is not an HH:MM or HH:MM:SS time`, value);
    time = { hour: Number(m[1]), minute: Number(m[2]), ...(m[3] === undefined ? {} : { second: Number(m[3]) }) };
  } else {
    time = value;
  }
  if (!Number.isInteger(time.hour) || time.hour < 0 || time.hour > 23)
    invalid(`say time: hour ${String(time.hour)} is out of range 0..23`, time.hour);
  if (!Number.isInteger(time.minute) || time.minute < 0 || time.minute > 59) {
    invalid(`say time: minute ${String(time.minute)} is out of range 0..59`, time.minute);
  }
  if (time.second !== undefined && (!Number.isInteger(time.second) || time.second < 0 || time.second > 59)) {
    invalid(`say time: second ${String(time.second)} is out of range 0..59`, time.second);
  }
  return time;
}

/** Splits a digit string into groups: by spaces/dashes in it, or by explicit group sizes. */
export function parseDigitGroups(value: string, groups?: readonly number[]): string[] {
  const parts = value
    .trim()
    .split(/[\s-]+/)
    .filter((p) => p.length > 0);
  for (const p of parts) {
    const bad = /[^0-9]/.exec(p);
    if (bad) invalid(`say digits: '${bad[0]}' in '${value}' is not a digit`, value);
  }
  if (parts.length === 0) invalid('say digits: nothing to read', value);
  if (!groups || groups.length === 0) return parts;
  const all = parts.join('');
  const out: string[] = [];
  let pos = 0;
  for (const size of groups) {
    if (!Number.isInteger(size) || size <= 0)
      invalid(`say digits: group size ${String(size)} must be a positive integer`, size);
    if (pos >= all.length) break;
    out.push(all.slice(pos, pos + size));
    pos += size;
  }
  if (pos < all.length) out.push(all.slice(pos));
  return out;
}
