/**
 * Tracking numbers (受理流水号): what a caller is given for a ticket and keys in later to hear its
 * status.
 *
 * Format: 12 digits `YYMMDD` + `NNNNN` + `C`:
 * - `YYMMDD` the day the ticket was accepted, in the centre's time zone;
 * - `NNNNN` the ticket's sequence number within that day (00001–99999);
 * - `C` a check digit by the Damm algorithm.
 *
 * Digits only, so the IVR can read it out digit by digit and a caller can key it on a phone.
 * Damm was chosen over ISO 7064 MOD 11-10 and Luhn because it detects every single-digit error
 * and every adjacent transposition (MOD 11-10 and Luhn each miss some transpositions, e.g. Luhn
 * misses 09↔90), with a check digit that is always a decimal digit.
 * @module
 */

/** Damm's totally anti-symmetric quasigroup of order 10. */
const DAMM: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/** Length of a tracking number. */
export const TRACKING_NUMBER_LENGTH = 12;
/** Highest daily sequence number. */
export const MAX_DAILY_SEQUENCE = 99_999;

function dammInterim(digits: string): number {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![ch.charCodeAt(0) - 48]!;
  return interim;
}

/** The Damm check digit of a string of decimal digits. */
export function dammCheckDigit(digits: string): number {
  if (!/^\d*$/.test(digits)) throw new RangeError('dammCheckDigit: digits only');
  return dammInterim(digits);
}

/**
 * Builds the tracking number of the `sequence`-th ticket (1-based) of a day.
 * @param day the local calendar day, e.g. `{ year: 2026, month: 1, day: 5 }`
 */
export function makeTrackingNumber(
  day: { readonly year: number; readonly month: number; readonly day: number },
  sequence: number,
): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_DAILY_SEQUENCE)
    throw new RangeError(`tracking sequence out of range: ${sequence}`);
  const body = `${String(day.year % 100).padStart(2, '0')}${String(day.month).padStart(2, '0')}${String(day.day).padStart(2, '0')}${String(sequence).padStart(5, '0')}`;
  return body + String(dammInterim(body));
}

/** Why a string is not a valid tracking number. */
export type TrackingNumberProblem = 'length' | 'digits' | 'check-digit' | 'date';

/** Result of {@link validateTrackingNumber}. */
export type TrackingNumberValidation =
  | {
      readonly valid: true;
      readonly date: { readonly year: number; readonly month: number; readonly day: number };
      readonly sequence: number;
    }
  | { readonly valid: false; readonly problem: TrackingNumberProblem };

/**
 * Checks a keyed or typed tracking number: 12 digits, a correct check digit, a real calendar date
 * and a sequence ≥ 1. Spaces and dashes (as people write it) are ignored.
 */
export function validateTrackingNumber(input: string): TrackingNumberValidation {
  const s = input.replace(/[\s-]/g, '');
  if (!/^\d*$/.test(s)) return { valid: false, problem: 'digits' };
  if (s.length !== TRACKING_NUMBER_LENGTH) return { valid: false, problem: 'length' };
  if (dammInterim(s) !== 0) return { valid: false, problem: 'check-digit' };
  const year = 2000 + Number(s.slice(0, 2));
  const month = Number(s.slice(2, 4));
  const day = Number(s.slice(4, 6));
  const sequence = Number(s.slice(6, 11));
  const d = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || sequence < 1)
    return { valid: false, problem: 'date' };
  return { valid: true, date: { year, month, day }, sequence };
}

/** Normalises a tracking number as people write it (drops spaces and dashes). */
export function normalizeTrackingNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}
