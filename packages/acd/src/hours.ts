import type { HoursOfOperation, TimeRange, Weekday } from './model.js';

/** Asia/Shanghai offset from UTC, ms. China has observed no daylight saving since 1991. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

/** Local (UTC+08:00) calendar facts for an epoch-ms instant. */
export interface LocalTime {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly weekday: Weekday;
  /** Minutes since local midnight, 0–1439. */
  readonly minuteOfDay: number;
}

/** Converts epoch ms to Asia/Shanghai local calendar time (fixed +08:00). */
export function shanghaiLocalTime(epochMs: number): LocalTime {
  const d = new Date(epochMs + SHANGHAI_OFFSET_MS);
  const date = d.toISOString().slice(0, 10);
  return {
    date,
    weekday: WEEKDAYS[d.getUTCDay()] as Weekday,
    minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
  };
}

/** Epoch ms of local midnight (Asia/Shanghai) that starts the day containing `epochMs`. */
export function shanghaiStartOfDay(epochMs: number): number {
  const day = 86_400_000;
  return Math.floor((epochMs + SHANGHAI_OFFSET_MS) / day) * day - SHANGHAI_OFFSET_MS;
}

function parseMinutes(text: string, where: string): number {
  const m = TIME_RE.exec(text);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || h > 24 || min > 59 || (h === 24 && min !== 0)) {
    throw new RangeError(`${where}: "${text}" is not a time HH:MM between 00:00 and 24:00`);
  }
  return h * 60 + min;
}

function checkRanges(ranges: readonly TimeRange[], where: string): void {
  for (const r of ranges) {
    const start = parseMinutes(r[0], where);
    const end = parseMinutes(r[1], where);
    if (end <= start) throw new RangeError(`${where}: range ${r[0]}–${r[1]} ends before it starts`);
  }
}

/**
 * Validates hours of operation; throws a `RangeError` naming the first bad field. Dates must be
 * `YYYY-MM-DD`, times `HH:MM` with `end > start`.
 */
export function validateHours(hours: HoursOfOperation): void {
  for (const [day, ranges] of Object.entries(hours.weekly)) {
    if (!WEEKDAYS.includes(day as Weekday)) throw new RangeError(`hours.weekly: unknown weekday "${day}"`);
    checkRanges(ranges ?? [], `hours.weekly.${day}`);
  }
  for (const d of hours.holidays ?? []) {
    if (!DATE_RE.test(d)) throw new RangeError(`hours.holidays: "${d}" is not a date YYYY-MM-DD`);
  }
  for (const [d, ranges] of Object.entries(hours.specialDays ?? {})) {
    if (!DATE_RE.test(d)) throw new RangeError(`hours.specialDays: "${d}" is not a date YYYY-MM-DD`);
    checkRanges(ranges, `hours.specialDays.${d}`);
  }
}

/**
 * True when `epochMs` falls inside the hours of operation, evaluated in Asia/Shanghai local time.
 * Precedence: a special day's ranges, then a holiday (closed), then the weekly plan. Missing hours
 * mean always open.
 */
export function isOpenAt(hours: HoursOfOperation | undefined, epochMs: number): boolean {
  if (!hours) return true;
  const local = shanghaiLocalTime(epochMs);
  const special = hours.specialDays?.[local.date];
  const ranges = special ?? (hours.holidays?.includes(local.date) ? [] : (hours.weekly[local.weekday] ?? []));
  for (const r of ranges) {
    const start = parseMinutes(r[0], 'hours');
    const end = parseMinutes(r[1], 'hours');
    if (local.minuteOfDay >= start && local.minuteOfDay < end) return true;
  }
  return false;
}
