/**
 * Mandarin reading of values as fragment ids.
 *
 * Rules (as a Mandarin speaker reads them on the phone):
 * - Sections of four digits with 万 and 亿; 万亿 for 10^12 and up (一万二千亿).
 * - 零: one 零 for any run of zeros between non-zero digits (一千零五, 一万零五), including a
 *   zero section or a section below 1000 after a higher one (一亿零五, 一亿零一万); trailing
 *   zeros are silent (一百二十).
 * - 十 at the very start drops 一 (十五, 十万) but not inside (一百一十五, 一千零一十).
 * - 两 vs 二: 两 before 千 and before a big unit (两千, 两万, 两亿), before 百 when it leads the
 *   number (两百, but 一千二百); counts and money read a lone 2 as 两 (两元, 两角, 两点);
 *   otherwise 二 (十二, 二十, 一百零二, 二月).
 * - Money: 元/角/分, 整 for whole yuan, 零 before 分 when 角 is 0 (一百二十元零五分).
 * - Digit strings: one by one, 1 as 幺 (phone, account and tracking numbers), 0 as 零.
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
  type NumberStyle,
  type SayValue,
} from './values.js';
import { PAUSE_FRAGMENT } from './fragments.js';

const UNIT_OF_POSITION = ['', 'say.10', 'say.100', 'say.1000'] as const;

interface SectionContext {
  /** Nothing has been read before this section. */
  readonly first: boolean;
  /** A big unit (万, 亿) follows the section. */
  readonly bigUnitFollows: boolean;
  readonly style: NumberStyle;
}

/** Reads 1..9999. */
function section(n: number, ctx: SectionContext, out: string[]): void {
  let started = false;
  let zero = false;
  for (let pos = 3; pos >= 0; pos--) {
    const d = Math.floor(n / 10 ** pos) % 10;
    if (d === 0) {
      if (started) zero = true;
      continue;
    }
    if (zero) {
      out.push('say.0');
      zero = false;
    }
    const leading = ctx.first && !started;
    if (pos === 1 && d === 1 && leading) {
      out.push('say.10');
    } else {
      let word = `say.${d}`;
      if (d === 2) {
        if (pos === 3) word = 'say.liang';
        else if (pos === 2 && leading) word = 'say.liang';
        else if (pos === 0 && n === 2 && (ctx.bigUnitFollows || (ctx.style === 'count' && ctx.first)))
          word = 'say.liang';
      }
      out.push(word);
      const unit = UNIT_OF_POSITION[pos];
      if (unit) out.push(unit);
    }
    started = true;
  }
}

/** Reads 1..99,999,999 (below 亿). */
function below1e8(n: number, first: boolean, bigUnitFollows: boolean, style: NumberStyle, out: string[]): void {
  const hi = Math.floor(n / 10_000);
  const lo = n % 10_000;
  if (hi > 0) {
    section(hi, { first, bigUnitFollows: true, style }, out);
    out.push('say.wan');
  }
  if (lo > 0) {
    if (hi > 0 && lo < 1000) out.push('say.0');
    section(lo, { first: first && hi === 0, bigUnitFollows, style }, out);
  }
}

/** Fragments of a non-negative safe integer. */
export function zhInteger(n: number, style: NumberStyle = 'cardinal'): string[] {
  if (n === 0) return ['say.0'];
  const out: string[] = [];
  const hi = Math.floor(n / 100_000_000);
  const lo = n % 100_000_000;
  if (hi > 0) {
    below1e8(hi, true, true, style, out);
    out.push('say.yi');
  }
  if (lo > 0) {
    if (hi > 0 && lo < 10_000_000) out.push('say.0');
    below1e8(lo, hi === 0, false, style, out);
  }
  return out;
}

function digitsOneByOne(digits: string, yao: boolean): string[] {
  return [...digits].map((c) => (c === '1' && yao ? 'say.yao' : `say.${c}`));
}

function zhNumber(value: number | string, style: NumberStyle): string[] {
  const d = parseDecimal(value);
  const out = d.negative ? ['say.neg'] : [];
  out.push(...zhInteger(d.integer, d.fraction ? 'cardinal' : style));
  if (d.fraction) out.push('say.point', ...digitsOneByOne(d.fraction, false));
  return out;
}

function zhMoney(fen: number): string[] {
  const out: string[] = [];
  if (fen < 0) out.push('say.neg');
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const jiao = Math.floor(abs / 10) % 10;
  const f = abs % 10;
  if (yuan > 0) out.push(...zhInteger(yuan, 'count'), 'say.yuan');
  if (jiao === 0 && f === 0) {
    out.push(...(yuan > 0 ? ['say.zheng'] : ['say.0', 'say.yuan']));
    return out;
  }
  const small = (d: number): string => (d === 2 ? 'say.liang' : `say.${d}`);
  if (jiao > 0) out.push(small(jiao), 'say.jiao');
  if (f > 0) {
    if (jiao === 0 && yuan > 0) out.push('say.0');
    out.push(small(f), 'say.fen');
  }
  return out;
}

function zhTwoDigitPart(n: number, out: string[], unit: string): void {
  // Minutes and seconds: 零五分, 三十分.
  if (n === 0) out.push('say.0', unit);
  else if (n < 10) out.push('say.0', `say.${n}`, unit);
  else out.push(...zhInteger(n), unit);
}

/** Plans the Mandarin fragments of a value. */
export function sayZh(value: SayValue): string[] {
  switch (value.type) {
    case 'number':
      return zhNumber(value.value, value.style ?? 'cardinal');
    case 'money':
      return zhMoney(parseMoney(value));
    case 'percent': {
      const d = parseDecimal(value.value, 'percent');
      const out = d.negative ? ['say.neg'] : [];
      out.push('say.percent', ...zhInteger(d.integer));
      if (d.fraction) out.push('say.point', ...digitsOneByOne(d.fraction, false));
      return out;
    }
    case 'digits': {
      const groups = parseDigitGroups(value.value, value.groups);
      const yao = value.yao ?? true;
      return groups.flatMap((g, i) => [...(i > 0 ? [PAUSE_FRAGMENT] : []), ...digitsOneByOne(g, yao)]);
    }
    case 'date': {
      const date = parseDate(value.value);
      const out: string[] = [];
      if (value.withYear ?? true) out.push(...digitsOneByOne(String(date.year), false), 'say.year');
      out.push(...zhInteger(date.month), 'say.month', ...zhInteger(date.day), 'say.day');
      if (value.weekday) out.push(`say.wd.${weekdayOf(date)}`);
      return out;
    }
    case 'time': {
      const t = parseTime(value.value);
      const out: string[] = [];
      let hour = t.hour;
      if (value.clock === 12) {
        out.push(hour < 12 ? 'say.am' : 'say.pm');
        hour = hour % 12 === 0 ? 12 : hour % 12;
      }
      out.push(...zhInteger(hour, 'count'), 'say.hour');
      if (t.second === undefined || t.second === 0) {
        if (t.minute === 0) {
          out.push('say.zheng');
          return out;
        }
        zhTwoDigitPart(t.minute, out, 'say.minute');
        return out;
      }
      zhTwoDigitPart(t.minute, out, 'say.minute');
      zhTwoDigitPart(t.second, out, 'say.second');
      return out;
    }
  }
}
