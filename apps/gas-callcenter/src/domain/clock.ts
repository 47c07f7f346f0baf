/**
 * Time as the domain sees it: anything with `now()` in epoch milliseconds. An RxJS `SchedulerLike`
 * (the production `asyncScheduler`, or cti-core's `VirtualScheduler` in tests) is a clock.
 * @module
 */
import type { SchedulerLike } from 'rxjs';

/** A source of the current time (epoch ms). */
export type Clock = Pick<SchedulerLike, 'now'>;

/**
 * The calendar day (`YYYY-MM-DD`) and its parts of an instant in a time zone (default the
 * centre's, Asia/Shanghai). Used for tracking numbers, bill periods and daily reports.
 */
export function localDate(
  epochMs: number,
  timeZone = 'Asia/Shanghai',
): { readonly year: number; readonly month: number; readonly day: number; readonly iso: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  return { year, month, day, iso: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/**
 * The epoch-ms range `[start, end)` of a calendar day (`YYYY-MM-DD`) in a time zone. Works for
 * any zone without DST ambiguity at midnight (true of China); computed from the zone's offset.
 */
export function dayRange(isoDay: string, timeZone = 'Asia/Shanghai'): { readonly start: number; readonly end: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDay);
  if (!m) throw new RangeError(`not a YYYY-MM-DD day: ${isoDay}`);
  const utcMidnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const start = utcMidnight - offsetMs(utcMidnight, timeZone);
  const next = utcMidnight + 86_400_000;
  return { start, end: next - offsetMs(next, timeZone) };
}

function offsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - utcMs;
}
