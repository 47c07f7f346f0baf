/**
 * Speech of values by concatenating recorded fragments.
 *
 * @module
 */
import type { Locale } from '../locale.js';
import { sayEn } from './en.js';
import { sayZh } from './zh.js';
import type { SayValue } from './values.js';

/**
 * Plans how a value is spoken: the list of fragment ids (`say.*` prompts of the catalog) to play
 * back to back. Pure and synchronous; the catalog resolves the ids to files.
 *
 * @throws HotlineError `ERR_IVR_SAY_INVALID` when the value cannot be spoken (not a number,
 *   beyond 2^53, an impossible date, more than two decimals of money...).
 * @example
 * planSay({ type: 'money', value: '120.30' }) // ['say.1','say.100','say.2','say.10','say.yuan','say.3','say.jiao'] (一百二十元三角)
 */
export function planSay(value: SayValue, locale: Locale = 'zh-CN'): readonly string[] {
  return locale === 'en' ? sayEn(value) : sayZh(value);
}

export { fragmentIds, fragmentTexts, PAUSE_FRAGMENT, PAUSE_MS } from './fragments.js';
export { zhInteger } from './zh.js';
export { enInteger } from './en.js';
export {
  daysInMonth,
  parseDate,
  parseDecimal,
  parseMoney,
  parseTime,
  weekdayOf,
  type CalendarDate,
  type NumberStyle,
  type ParsedDecimal,
  type SayValue,
  type TimeOfDay,
} from './values.js';
