/**
 * Locales of everything a caller hears. Mandarin (`zh-CN`) is the default; English (`en`) is
 * selectable per runtime and per call.
 *
 * @module
 */

/** A locale the IVR speaks. */
export type Locale = 'zh-CN' | 'en';

/** Every supported locale, the default first. */
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** The default locale. */
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** True when `value` names a supported locale. */
export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}
