/**
 * Message catalogs: everything a person reads (CLI output, validation errors, report labels) is
 * looked up here by key. zh-CN is the default, en is selectable.
 *
 * Messages are templates with `{name}` placeholders. The zh-CN catalog defines the keys; the
 * English one must have exactly the same keys (checked by the type system and a test).
 * @module
 */
import { en } from './en.js';
import { zhCN } from './zh-cn.js';

/** A language of the user interface. */
export type Locale = 'zh-CN' | 'en';
/** Every supported locale, the default first. */
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
/** The default locale. */
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** A message key. */
export type MessageKey = keyof typeof zhCN;
/** A catalog: a template for every key. */
export type Catalog = Readonly<Record<MessageKey, string>>;

const CATALOGS: Readonly<Record<Locale, Catalog>> = { 'zh-CN': zhCN, en };

/** Values substituted into a template. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** Looks up and fills a message. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** True when `value` names a supported locale. */
export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/**
 * Picks a locale from a user's setting such as `en`, `en_US.UTF-8` or `zh_CN`; falls back to zh-CN.
 */
export function resolveLocale(value: string | undefined | null): Locale {
  if (!value) return DEFAULT_LOCALE;
  if (isLocale(value)) return value;
  return /^en([_-]|$)/i.test(value) ? 'en' : DEFAULT_LOCALE;
}

/** A translator for one locale. Unknown placeholders are left as written. */
export function createTranslator(locale: Locale = DEFAULT_LOCALE): Translate {
  const catalog = CATALOGS[locale];
  return (key, params) => {
    const template = catalog[key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

/** True when `key` is a message key (for keys built at run time, e.g. `ticketType.${type}`). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

/** Translates a key built at run time, or returns `fallback` when no such key exists. */
export function translateDynamic(t: Translate, key: string, fallback: string, params?: MessageParams): string {
  return isMessageKey(key) ? t(key, params) : fallback;
}

/** Formats fen as yuan with two decimals (e.g. 12345 → `123.45`). */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
