import { createContext, useContext } from 'react';
import type { CodeLabel } from '@hotline/agent-protocol';
import { en } from './en.js';
import { zhCN, type Catalog, type MessageKey } from './zh-cn.js';

/** Languages the console speaks. */
export type Lang = 'zh-CN' | 'en';

/** Parameters of a message. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** A translator bound to one catalog. */
export interface Translator {
  readonly lang: Lang;
  /** The message for `key` with `{param}` filled in. */
  t(key: MessageKey, params?: MessageParams): string;
  /** The label of a server code in this language (server catalogues carry zh-CN and optional en). */
  label(code: CodeLabel | undefined, fallback: string): string;
}

const CATALOGS: Readonly<Record<Lang, Catalog>> = { 'zh-CN': zhCN, en };

/** Parses a `--lang` value (`zh`, `zh-CN`, `en`, `en-US`...); unknown values give zh-CN. */
export function parseLang(value: string | undefined): Lang {
  return value !== undefined && /^en\b/i.test(value) ? 'en' : 'zh-CN';
}

/** Builds a translator. */
export function createTranslator(lang: Lang): Translator {
  const catalog = CATALOGS[lang];
  return {
    lang,
    t(key, params) {
      const text = catalog[key] ?? key;
      if (!params) return text;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
    },
    label(code, fallback) {
      if (!code) return fallback;
      return lang === 'en' ? (code.labelEn ?? code.label) : code.label;
    },
  };
}

/** The translator of the running console. */
export const I18nContext = createContext<Translator>(createTranslator('zh-CN'));

/** The translator in a component. */
export function useT(): Translator {
  return useContext(I18nContext);
}

export type { MessageKey } from './zh-cn.js';
