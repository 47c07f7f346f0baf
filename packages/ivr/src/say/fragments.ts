/**
 * The recorded fragments values are spoken with, per locale: fragment id → the text recorded
 * in it. The prompt generator renders exactly these texts; the start-up check verifies that a
 * file exists for every id of every locale in use.
 *
 * Fragment ids live in the `say.` namespace of the prompt catalog. The id `say.pause` is a
 * short silence (between digit groups), rendered as silence rather than speech.
 *
 * @module
 */
import type { Locale } from '../locale.js';

/** Id of the short silence between digit groups. */
export const PAUSE_FRAGMENT = 'say.pause';

/** Length of {@link PAUSE_FRAGMENT} as generated, ms. */
export const PAUSE_MS = 250;

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

const zh: Record<string, string> = {
  ...Object.fromEntries(ZH_DIGITS.map((t, i) => [`say.${i}`, t])),
  'say.yao': '幺',
  'say.liang': '两',
  'say.10': '十',
  'say.100': '百',
  'say.1000': '千',
  'say.wan': '万',
  'say.yi': '亿',
  'say.neg': '负',
  'say.point': '点',
  'say.yuan': '元',
  'say.jiao': '角',
  'say.fen': '分',
  'say.zheng': '整',
  'say.year': '年',
  'say.month': '月',
  'say.day': '日',
  'say.hao': '号',
  'say.hour': '点',
  'say.minute': '分',
  'say.second': '秒',
  'say.percent': '百分之',
  'say.am': '上午',
  'say.pm': '下午',
  'say.wd.0': '星期日',
  'say.wd.1': '星期一',
  'say.wd.2': '星期二',
  'say.wd.3': '星期三',
  'say.wd.4': '星期四',
  'say.wd.5': '星期五',
  'say.wd.6': '星期六',
  [PAUSE_FRAGMENT]: '',
};

const EN_ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const EN_ORD_ONES = [
  '',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
  'fourteenth',
  'fifteenth',
  'sixteenth',
  'seventeenth',
  'eighteenth',
  'nineteenth',
  'twentieth',
];
const EN_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function enOrdinal(n: number): string {
  if (n <= 20) return EN_ORD_ONES[n]!;
  if (n === 30) return 'thirtieth';
  return `${EN_TENS[Math.floor(n / 10)]!}-${EN_ORD_ONES[n % 10]!}`;
}

const en: Record<string, string> = {
  ...Object.fromEntries(EN_ONES.map((t, i) => [`say.${i}`, t])),
  ...Object.fromEntries(EN_TENS.flatMap((t, i) => (i >= 2 ? [[`say.${i * 10}`, t]] : []))),
  'say.100': 'hundred',
  'say.1000': 'thousand',
  'say.million': 'million',
  'say.billion': 'billion',
  'say.trillion': 'trillion',
  'say.neg': 'minus',
  'say.point': 'point',
  'say.yuan': 'yuan',
  'say.fen': 'fen',
  'say.and': 'and',
  'say.percent': 'percent',
  'say.oclock': "o'clock",
  'say.oh': 'oh',
  'say.am': 'a m',
  'say.pm': 'p m',
  ...Object.fromEntries(EN_MONTHS.map((t, i) => [`say.month.${i + 1}`, t])),
  ...Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`say.ord.${i + 1}`, enOrdinal(i + 1)])),
  ...Object.fromEntries(EN_WEEKDAYS.map((t, i) => [`say.wd.${i}`, t])),
  [PAUSE_FRAGMENT]: '',
};

const TABLES: Readonly<Record<Locale, Readonly<Record<string, string>>>> = { 'zh-CN': zh, en };

/** The fragments of a locale: id → recorded text (empty for the pause). */
export function fragmentTexts(locale: Locale): Readonly<Record<string, string>> {
  return TABLES[locale];
}

/** Every fragment id of a locale, sorted. */
export function fragmentIds(locale: Locale): readonly string[] {
  return Object.keys(TABLES[locale]).sort();
}
