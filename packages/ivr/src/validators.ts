/**
 * Validators of keypad entries: account numbers, passwords/PINs, amounts, dates, phone numbers.
 * A validator states the digit counts it accepts (so `collect` stops as soon as an entry is
 * complete), whether the entry is secret, and parses the entry into a typed value or a reason
 * code (never containing the digits).
 *
 * @module
 */
import { IvrErrorCode, ivrError } from './errors.js';
import { daysInMonth, type CalendarDate } from './say/values.js';

/** The result of validating one entry. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** Stable reason code: `too-short`, `too-long`, `checksum`, `trivial`, `format`, `out-of-range`, `not-a-date`... */
      readonly reason: string;
    };

/** Checks and parses a keypad entry. */
export interface EntryValidator<T> {
  /** Name for analytics (`account`, `pin`, `amount`...). */
  readonly name: string;
  readonly minDigits: number;
  readonly maxDigits: number;
  /** Keys accepted inside the entry besides 0–9 (e.g. `*` as the decimal point of amounts). */
  readonly extraKeys?: string;
  /** The entry is a secret: masked in analytics and logs, call recording paused while keyed. */
  readonly secret?: boolean;
  validate(entry: string): ValidationResult<T>;
}

function checkRange(name: string, min: number, max: number): void {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min || max > 64) {
    throw ivrError(
      IvrErrorCode.InvalidArgument,
      `${name}: digit counts must be integers with 1 <= min <= max <= 64 (got ${min}..${max})`,
    );
  }
}

function lengthReason(entry: string, min: number, max: number): string | undefined {
  if (entry.length < min) return 'too-short';
  if (entry.length > max) return 'too-long';
  if (!/^\d*$/.test(entry)) return 'format';
  return undefined;
}

/** Luhn (mod 10) check digit test. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 1 && sum % 10 === 0;
}

/** Any string of digits of a given length range. */
export function digitsEntry(options: {
  readonly minDigits?: number;
  readonly maxDigits: number;
  readonly name?: string;
}): EntryValidator<string> {
  const min = options.minDigits ?? 1;
  checkRange('digitsEntry', min, options.maxDigits);
  return {
    name: options.name ?? 'digits',
    minDigits: min,
    maxDigits: options.maxDigits,
    validate: (entry) => {
      const reason = lengthReason(entry, min, options.maxDigits);
      return reason ? { ok: false, reason } : { ok: true, value: entry };
    },
  };
}

/** Options of {@link accountNumber}. */
export interface AccountNumberOptions {
  readonly minDigits?: number;
  readonly maxDigits?: number;
  /** `luhn`, or a custom check of the whole number. */
  readonly checksum?: 'luhn' | ((digits: string) => boolean);
}

/** A customer or account number (default 8–12 digits, no checksum). */
export function accountNumber(options: AccountNumberOptions = {}): EntryValidator<string> {
  const min = options.minDigits ?? 8;
  const max = options.maxDigits ?? Math.max(min, 12);
  checkRange('accountNumber', min, max);
  const check = options.checksum === 'luhn' ? luhnValid : options.checksum;
  return {
    name: 'account',
    minDigits: min,
    maxDigits: max,
    validate: (entry) => {
      const reason = lengthReason(entry, min, max);
      if (reason) return { ok: false, reason };
      if (check && !check(entry)) return { ok: false, reason: 'checksum' };
      return { ok: true, value: entry };
    },
  };
}

/** True for PINs anyone would guess: one repeated digit, or a run up or down (123456, 987654). */
export function isTrivialPin(pin: string): boolean {
  if (/^(\d)\1*$/.test(pin)) return true;
  let up = true;
  let down = true;
  for (let i = 1; i < pin.length; i++) {
    const step = (pin.charCodeAt(i) - pin.charCodeAt(i - 1) + 10) % 10;
    if (step !== 1) up = false;
    if (step !== 9) down = false;
  }
  return up || down;
}

/** Options of {@link pinEntry}. */
export interface PinOptions {
  /** Exact length (default 6). */
  readonly length?: number;
  /** Refuse repeated digits and straight runs (default false: an existing PIN is what it is; use true when setting a new one). */
  readonly rejectTrivial?: boolean;
}

/** A password or PIN: secret (masked, recording paused), fixed length. */
export function pinEntry(options: PinOptions = {}): EntryValidator<string> {
  const length = options.length ?? 6;
  checkRange('pinEntry', length, length);
  return {
    name: 'pin',
    minDigits: length,
    maxDigits: length,
    secret: true,
    validate: (entry) => {
      const reason = lengthReason(entry, length, length);
      if (reason) return { ok: false, reason };
      if (options.rejectTrivial && isTrivialPin(entry)) return { ok: false, reason: 'trivial' };
      return { ok: true, value: entry };
    },
  };
}

/** Options of {@link amountEntry}. */
export interface AmountOptions {
  /** Smallest accepted amount in fen (default 1). */
  readonly minFen?: number;
  /** Largest accepted amount in fen (default 9,999,999 = 99,999.99 yuan). */
  readonly maxFen?: number;
}

/**
 * An amount of money in yuan keyed with `*` as the decimal point (`120*5` = 120.50 yuan), at
 * most two decimals. The value is in fen.
 */
export function amountEntry(options: AmountOptions = {}): EntryValidator<number> {
  const minFen = options.minFen ?? 1;
  const maxFen = options.maxFen ?? 9_999_999;
  if (!Number.isSafeInteger(minFen) || !Number.isSafeInteger(maxFen) || minFen < 0 || maxFen < minFen) {
    throw ivrError(IvrErrorCode.InvalidArgument, `amountEntry: need 0 <= minFen <= maxFen (got ${minFen}..${maxFen})`);
  }
  const maxDigits = String(Math.floor(maxFen / 100)).length + 3;
  return {
    name: 'amount',
    minDigits: 1,
    maxDigits,
    extraKeys: '*',
    validate: (entry) => {
      const m = /^(\d+)(?:\*(\d{0,2}))?$/.exec(entry);
      if (!m) return { ok: false, reason: 'format' };
      const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
      if (!Number.isSafeInteger(fen) || fen < minFen || fen > maxFen) return { ok: false, reason: 'out-of-range' };
      return { ok: true, value: fen };
    },
  };
}

function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Options of {@link dateEntry}. */
export interface DateEntryOptions {
  readonly min?: CalendarDate;
  readonly max?: CalendarDate;
}

/** A date keyed as YYYYMMDD (8 digits), checked against the calendar and an optional range. */
export function dateEntry(options: DateEntryOptions = {}): EntryValidator<CalendarDate> {
  return {
    name: 'date',
    minDigits: 8,
    maxDigits: 8,
    validate: (entry) => {
      const reason = lengthReason(entry, 8, 8);
      if (reason) return { ok: false, reason };
      const date = {
        year: Number(entry.slice(0, 4)),
        month: Number(entry.slice(4, 6)),
        day: Number(entry.slice(6, 8)),
      };
      if (
        date.year < 1 ||
        date.month < 1 ||
        date.month > 12 ||
        date.day < 1 ||
        date.day > daysInMonth(date.year, date.month)
      ) {
        return { ok: false, reason: 'not-a-date' };
      }
      if (
        (options.min && compareDates(date, options.min) < 0) ||
        (options.max && compareDates(date, options.max) > 0)
      ) {
        return { ok: false, reason: 'out-of-range' };
      }
      return { ok: true, value: date };
    },
  };
}

/** A Chinese phone number: an 11-digit mobile (1[3-9]…) or a 7–12 digit fixed line. */
export function phoneEntry(): EntryValidator<string> {
  return {
    name: 'phone',
    minDigits: 7,
    maxDigits: 12,
    validate: (entry) => {
      const reason = lengthReason(entry, 7, 12);
      if (reason) return { ok: false, reason };
      if (entry.startsWith('1') && !/^1[3-9]\d{9}$/.test(entry)) return { ok: false, reason: 'format' };
      return { ok: true, value: entry };
    },
  };
}
