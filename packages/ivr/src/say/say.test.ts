import { describe, expect, it } from 'vitest';
import { isHotlineError } from '@hotline/cti-core';
import { fragmentIds, fragmentTexts, planSay, type SayValue } from './index.js';

const zhText = (v: SayValue): string =>
  planSay(v, 'zh-CN')
    .map((id) => fragmentTexts('zh-CN')[id] ?? `<${id}?>`)
    .join('')
    .replace(/^$/, '');
const enText = (v: SayValue): string =>
  planSay(v, 'en')
    .map((id) => fragmentTexts('en')[id] ?? `<${id}?>`)
    .filter((t) => t !== '')
    .join(' ');
const pause = (v: SayValue, locale: 'zh-CN' | 'en' = 'zh-CN'): string =>
  planSay(v, locale)
    .map((id) => (id === 'say.pause' ? '|' : fragmentTexts(locale)[id]))
    .join('');

describe('Mandarin integers', () => {
  it.each([
    [0, '零'],
    [1, '一'],
    [2, '二'],
    [10, '十'],
    [11, '十一'],
    [12, '十二'],
    [15, '十五'],
    [20, '二十'],
    [22, '二十二'],
    [100, '一百'],
    [101, '一百零一'],
    [110, '一百一十'],
    [115, '一百一十五'],
    [120, '一百二十'],
    [200, '两百'],
    [202, '两百零二'],
    [222, '两百二十二'],
    [1000, '一千'],
    [1001, '一千零一'],
    [1010, '一千零一十'],
    [1100, '一千一百'],
    [1200, '一千二百'],
    [2000, '两千'],
    [2002, '两千零二'],
    [2222, '两千二百二十二'],
    [10_000, '一万'],
    [10_005, '一万零五'],
    [10_050, '一万零五十'],
    [10_500, '一万零五百'],
    [15_000, '一万五千'],
    [20_000, '两万'],
    [22_000, '两万两千'],
    [100_000, '十万'],
    [120_000, '十二万'],
    [150_000, '十五万'],
    [220_000, '二十二万'],
    [1_005_000, '一百万五千'],
    [1_150_000, '一百一十五万'],
    [10_001_000, '一千万一千'],
    [100_000_000, '一亿'],
    [100_000_005, '一亿零五'],
    [100_010_000, '一亿零一万'],
    [110_000_000, '一亿一千万'],
    [200_000_000, '两亿'],
    [1_000_000_000, '十亿'],
    [1_200_000_000, '十二亿'],
    [1_000_000_000_000, '一万亿'],
    [1_234_500_000_000, '一万两千三百四十五亿'],
    [12_000, '一万两千'],
    [2_000_000_000_000, '两万亿'],
    [9_007_199_254_740_991, '九千零七万一千九百九十二亿五千四百七十四万零九百九十一'],
  ])('%d → %s', (n, text) => {
    expect(zhText({ type: 'number', value: n })).toBe(text);
  });

  it.each([
    [2, '两'],
    [12, '十二'],
    [20, '二十'],
    [102, '一百零二'],
  ])('count style %d → %s', (n, text) => {
    expect(zhText({ type: 'number', value: n, style: 'count' })).toBe(text);
  });

  it.each([
    ['-5', '负五'],
    [-10_005, '负一万零五'],
    ['3.14', '三点一四'],
    ['10.05', '十点零五'],
    ['0.5', '零点五'],
    ['1,000,005', '一百万零五'],
    ['-0', '零'],
  ])('signed and decimal %s → %s', (v, text) => {
    expect(zhText({ type: 'number', value: v })).toBe(text);
  });
});

describe('Mandarin money', () => {
  it.each([
    ['120.30', '一百二十元三角'],
    ['120.00', '一百二十元整'],
    ['120', '一百二十元整'],
    ['120.05', '一百二十元零五分'],
    ['120.35', '一百二十元三角五分'],
    ['10005', '一万零五元整'],
    ['0.35', '三角五分'],
    ['0.05', '五分'],
    ['0.30', '三角'],
    ['0', '零元'],
    ['2', '两元整'],
    ['2.22', '两元两角两分'],
    ['12', '十二元整'],
    ['200', '两百元整'],
    ['22', '二十二元整'],
    ['1000.05', '一千元零五分'],
    ['1005.5', '一千零五元五角'],
    ['-36.8', '负三十六元八角'],
    ['20000', '两万元整'],
  ])('%s yuan → %s', (v, text) => {
    expect(zhText({ type: 'money', value: v })).toBe(text);
  });

  it('takes fen, and rounds float yuan to the fen', () => {
    expect(zhText({ type: 'money', fen: 12030 })).toBe('一百二十元三角');
    expect(zhText({ type: 'money', value: 0.1 + 0.2 })).toBe('三角');
    expect(zhText({ type: 'money', value: 120.3 })).toBe('一百二十元三角');
  });
});

describe('Mandarin dates, times, digits, percentages', () => {
  it.each<[SayValue, string]>([
    [{ type: 'date', value: '2025-03-08' }, '二零二五年三月八日'],
    [{ type: 'date', value: '2000-12-21', weekday: true }, '二零零零年十二月二十一日星期四'],
    [{ type: 'date', value: '2026-01-01', weekday: true }, '二零二六年一月一日星期四'],
    [{ type: 'date', value: '2024-02-29', withYear: false }, '二月二十九日'],
    [{ type: 'date', value: { year: 2025, month: 10, day: 10 } }, '二零二五年十月十日'],
    [{ type: 'time', value: '14:05' }, '十四点零五分'],
    [{ type: 'time', value: '14:00' }, '十四点整'],
    [{ type: 'time', value: '02:00' }, '两点整'],
    [{ type: 'time', value: '14:30' }, '十四点三十分'],
    [{ type: 'time', value: '14:00:09' }, '十四点零分零九秒'],
    [{ type: 'time', value: '14:05', clock: 12 }, '下午两点零五分'],
    [{ type: 'time', value: '00:10', clock: 12 }, '上午十二点十分'],
    [{ type: 'time', value: '12:00', clock: 12 }, '下午十二点整'],
    [{ type: 'digits', value: '96777' }, '九六七七七'],
    [{ type: 'digits', value: '13800138000' }, '幺三八零零幺三八零零零'],
    [{ type: 'digits', value: '1210', yao: false }, '一二一零'],
    [{ type: 'percent', value: 12.5 }, '百分之十二点五'],
    [{ type: 'percent', value: 100 }, '百分之一百'],
    [{ type: 'percent', value: '-3' }, '负百分之三'],
    [{ type: 'percent', value: 0 }, '百分之零'],
  ])('%j → %s', (v, text) => {
    expect(zhText(v)).toBe(text);
  });

  it('puts short pauses between digit groups', () => {
    expect(pause({ type: 'digits', value: '138-0013-8000' })).toBe('幺三八|零零幺三|八零零零');
    expect(pause({ type: 'digits', value: '13800138000', groups: [3, 4] })).toBe('幺三八|零零幺三|八零零零');
    expect(pause({ type: 'digits', value: '2025 0001' }, 'en')).toBe('twozerotwofive|zerozerozeroone');
  });
});

describe('English', () => {
  it.each<[SayValue, string]>([
    [{ type: 'number', value: 0 }, 'zero'],
    [{ type: 'number', value: 15 }, 'fifteen'],
    [{ type: 'number', value: 120 }, 'one hundred twenty'],
    [{ type: 'number', value: 10_005 }, 'ten thousand five'],
    [{ type: 'number', value: 1_000_000_001 }, 'one billion one'],
    [{ type: 'number', value: '-3.05' }, 'minus three point zero five'],
    [{ type: 'money', value: '120.30' }, 'one hundred twenty yuan and thirty fen'],
    [{ type: 'money', value: '0.05' }, 'five fen'],
    [{ type: 'money', value: 0 }, 'zero yuan'],
    [{ type: 'money', value: 2 }, 'two yuan'],
    [{ type: 'date', value: '2025-03-08', weekday: true }, 'Saturday March eighth twenty twenty five'],
    [{ type: 'date', value: '2005-11-21' }, 'November twenty-first two thousand five'],
    [{ type: 'date', value: '1905-01-30' }, 'January thirtieth nineteen oh five'],
    [{ type: 'date', value: '1900-01-02' }, 'January second nineteen hundred'],
    [{ type: 'time', value: '14:05' }, 'two oh five p m'],
    [{ type: 'time', value: '00:00' }, "twelve o'clock a m"],
    [{ type: 'time', value: '09:45', clock: 24 }, 'nine forty five'],
    [{ type: 'time', value: '18:00', clock: 24 }, 'eighteen hundred'],
    [{ type: 'digits', value: '911' }, 'nine one one'],
    [{ type: 'percent', value: 12.5 }, 'twelve point five percent'],
  ])('%j → %s', (v, text) => {
    expect(enText(v)).toBe(text);
  });
});

describe('fragment set', () => {
  it('every fragment any plan uses exists in its locale', () => {
    const samples: SayValue[] = [];
    for (let n = 0; n < 3000; n += 7) samples.push({ type: 'number', value: n * 37_123 });
    for (let f = 0; f < 5000; f += 13) samples.push({ type: 'money', fen: f * 101 });
    for (let m = 1; m <= 12; m++)
      samples.push({ type: 'date', value: { year: 2025, month: m, day: m + 15 }, weekday: true });
    for (let h = 0; h < 24; h++)
      samples.push(
        { type: 'time', value: { hour: h, minute: h * 2, second: h } },
        { type: 'time', value: { hour: h, minute: 0 }, clock: 12 },
      );
    samples.push({ type: 'digits', value: '0123456789 0' }, { type: 'percent', value: '-12.75' });
    for (const locale of ['zh-CN', 'en'] as const) {
      const ids = new Set(fragmentIds(locale));
      for (const s of samples) for (const id of planSay(s, locale)) expect(ids.has(id), `${locale} ${id}`).toBe(true);
    }
  });
});

describe('invalid values', () => {
  it.each<[SayValue, RegExp]>([
    [{ type: 'number', value: Number.NaN }, /not a finite number/],
    [{ type: 'number', value: 1e21 }, /too large/],
    [{ type: 'number', value: '12a' }, /not a decimal number/],
    [{ type: 'number', value: '99999999999999999' }, /beyond the largest/],
    [{ type: 'money', value: '1.234' }, /more than two decimals/],
    [{ type: 'money', fen: 1.5 }, /safe integer/],
    [{ type: 'date', value: '2025-02-29' }, /has no day 29/],
    [{ type: 'date', value: '2025-13-01' }, /month 13/],
    [{ type: 'date', value: '25-1-1' }, /YYYY-MM-DD/],
    [{ type: 'time', value: '24:00' }, /hour 24/],
    [{ type: 'time', value: '12:60' }, /minute 60/],
    [{ type: 'digits', value: '12x4' }, /'x' in '12x4' is not a digit/],
    [{ type: 'digits', value: ' ' }, /nothing to read/],
  ])('%j is refused with ERR_IVR_SAY_INVALID', (v, message) => {
    let error: unknown;
    try {
      planSay(v);
    } catch (e) {
      error = e;
    }
    expect(isHotlineError(error, 'ERR_IVR_SAY_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
