/**
 * English reading of values as fragment ids: US style integers without "and" (one hundred
 * twenty), money as yuan and fen, dates as "Saturday, March eighth, twenty twenty-five", times
 * on the 12-hour clock by default ("two oh five p m").
 *
 * @module
 */
import {
  parseDate,
  parseDecimal,
  parseDigitGroups,
  parseMoney,
  parseTime,
  weekdayOf,
  type SayValue,
} from './values.js';
import { PAUSE_FRAGMENT } from './fragments.js';

const SCALES = ['', 'say.1000', 'say.million', 'say.billion', 'say.trillion'] as const;

function below100(n: number, out: string[]): void {
  if (n < 20) out.push(`say.${n}`);
  else {
    out.push(`say.${Math.floor(n / 10) * 10}`);
    if (n % 10) out.push(`say.${n % 10}`);
  }
}

function below1000(n: number, out: string[]): void {
  const h = Math.floor(n / 100);
  const r = n % 100;
  if (h > 0) out.push(`say.${h}`, 'say.100');
  if (r > 0) below100(r, out);
}

/** Fragments of a non-negative safe integer in English. */
export function enInteger(n: number): string[] {
  if (n === 0) return ['say.0'];
  const groups: number[] = [];
  let rest = n;
  while (rest > 0) {
    groups.push(rest % 1000);
    rest = Math.floor(rest / 1000);
  }
  const out: string[] = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    if (g === 0) continue;
    below1000(g, out);
    const scale = SCALES[i];
    if (scale) out.push(scale);
  }
  return out;
}

function digitWords(digits: string): string[] {
  return [...digits].map((c) => `say.${c}`);
}

function enYear(year: number): string[] {
  // 2000–2009 and round thousands: "two thousand five"; otherwise pairs: "nineteen oh five".
  if (year < 1000 || year % 1000 < 10 || year % 100 === 0) {
    if (year % 100 === 0 && year % 1000 !== 0 && year >= 1000) return [...enInteger(year / 100), 'say.100'];
    return enInteger(year);
  }
  const hi = Math.floor(year / 100);
  const lo = year % 100;
  const out = enInteger(hi);
  if (lo < 10) out.push('say.oh', `say.${lo}`);
  else below100(lo, out);
  return out;
}

/** Plans the English fragments of a value. */
export function sayEn(value: SayValue): string[] {
  switch (value.type) {
    case 'number': {
      const d = parseDecimal(value.value);
      const out = d.negative ? ['say.neg'] : [];
      out.push(...enInteger(d.integer));
      if (d.fraction) out.push('say.point', ...digitWords(d.fraction));
      return out;
    }
    case 'percent': {
      const d = parseDecimal(value.value, 'percent');
      const out = d.negative ? ['say.neg'] : [];
      out.push(...enInteger(d.integer));
      if (d.fraction) out.push('say.point', ...digitWords(d.fraction));
      out.push('say.percent');
      return out;
    }
    case 'money': {
      const fen = parseMoney(value);
      const out = fen < 0 ? ['say.neg'] : [];
      const abs = Math.abs(fen);
      const yuan = Math.floor(abs / 100);
      const cents = abs % 100;
      if (yuan > 0 || cents === 0) out.push(...enInteger(yuan), 'say.yuan');
      if (cents > 0) {
        if (yuan > 0) out.push('say.and');
        out.push(...enInteger(cents), 'say.fen');
      }
      return out;
    }
    case 'digits': {
      const groups = parseDigitGroups(value.value, value.groups);
      return groups.flatMap((g, i) => [...(i > 0 ? [PAUSE_FRAGMENT] : []), ...digitWords(g)]);
    }
    case 'date': {
      const date = parseDate(value.value);
      const out: string[] = [];
      if (value.weekday) out.push(`say.wd.${weekdayOf(date)}`);
      out.push(`say.month.${date.month}`, `say.ord.${date.day}`);
      if (value.withYear ?? true) out.push(...enYear(date.year));
      return out;
    }
    case 'time': {
      const t = parseTime(value.value);
      const out: string[] = [];
      const twelve = value.clock !== 24;
      const hour = twelve ? (t.hour % 12 === 0 ? 12 : t.hour % 12) : t.hour;
      out.push(...enInteger(hour));
      if (t.minute === 0 && (t.second ?? 0) === 0) {
        if (twelve) out.push('say.oclock');
        else out.push('say.100');
      } else if (t.minute < 10) {
        out.push('say.oh', `say.${t.minute}`);
      } else {
        below100(t.minute, out);
      }
      if (t.second !== undefined && t.second > 0) out.push('say.and', ...enInteger(t.second));
      if (twelve) out.push(t.hour < 12 ? 'say.am' : 'say.pm');
      return out;
    }
  }
}
