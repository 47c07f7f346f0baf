/**
 * The prompt catalog: prompts by id and locale, stored as `<root>/<locale>/<id>.wav`.
 *
 * At start-up the runtime {@link PromptCatalog.verify | verifies} every prompt its flows and
 * menus refer to, in every locale it speaks: a missing file or one that is not a readable 8 kHz
 * mono WAV is reported before the first call, all problems in one error.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isHotlineError, type Logger, silentLogger } from '@hotline/cti-core';
import { readWav, SAMPLE_RATE } from '@hotline/cti-core/media';
import { IvrErrorCode, ivrError } from './errors.js';
import { DEFAULT_LOCALE, LOCALES, isLocale, type Locale } from './locale.js';

const PROMPT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Options of {@link PromptCatalog}. */
export interface PromptCatalogOptions {
  /** Folder holding one sub-folder per locale (`zh-CN/`, `en/`). */
  readonly root: string;
  /** Locales the catalog serves (default both, zh-CN first). */
  readonly locales?: readonly Locale[];
  readonly logger?: Logger;
}

/** One problem found by {@link PromptCatalog.verify}. */
export interface PromptProblem {
  readonly id: string;
  readonly locale: Locale;
  readonly path: string;
  readonly code: 'ERR_PROMPT_MISSING' | 'ERR_PROMPT_UNREADABLE';
  readonly message: string;
}

/** What {@link PromptCatalog.verify} checked. */
export interface PromptCheckReport {
  /** Prompt files checked (id × locale). */
  readonly checked: number;
  /** Total audio of the checked prompts, ms. */
  readonly totalMs: number;
}

/** True when `id` is a well-formed prompt id (letters, digits, `.`, `_`, `-`; no path separators). */
export function isPromptId(id: string): boolean {
  return PROMPT_ID.test(id) && !id.includes('..');
}

/**
 * Prompts by id and locale, rooted in a folder. Resolving is a pure path computation; checking
 * files is {@link verify}'s job, done once at start-up (and for a new menu version before it is
 * swapped in), so no call meets a missing prompt.
 */
export class PromptCatalog {
  /** Absolute root folder. */
  readonly root: string;
  /** Locales served. */
  readonly locales: readonly Locale[];
  private readonly logger: Logger;
  private readonly durations = new Map<string, number>();

  constructor(options: PromptCatalogOptions) {
    this.root = resolve(options.root);
    this.locales = options.locales ?? LOCALES;
    for (const l of this.locales) {
      if (!isLocale(l)) throw ivrError(IvrErrorCode.InvalidArgument, `PromptCatalog: unknown locale '${String(l)}'`);
    }
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * The file of a prompt in a locale.
   * @throws HotlineError `ERR_IVR_INVALID_ARGUMENT` for a malformed id or an unserved locale.
   */
  path(id: string, locale: Locale = DEFAULT_LOCALE): string {
    if (!isPromptId(id)) {
      throw ivrError(IvrErrorCode.InvalidArgument, `prompt id '${id}' is malformed (letters, digits, '.', '_', '-')`, {
        details: { id },
      });
    }
    if (!this.locales.includes(locale)) {
      throw ivrError(IvrErrorCode.InvalidArgument, `prompt catalog does not serve locale '${locale}'`, {
        details: { id, locale },
      });
    }
    return join(this.root, locale, `${id}.wav`);
  }

  /** Duration of a verified prompt, ms (undefined if it was not verified). */
  durationMs(id: string, locale: Locale = DEFAULT_LOCALE): number | undefined {
    return this.durations.get(`${locale}/${id}`);
  }

  /**
   * Checks that every prompt exists in every locale and is a readable 8 kHz mono WAV.
   *
   * @throws HotlineError `ERR_PROMPT_MISSING` (some files absent) or `ERR_PROMPT_UNREADABLE`
   *   (some files malformed), whose message lists every problem and whose `details.problems`
   *   holds them as {@link PromptProblem}s.
   */
  async verify(ids: Iterable<string>, locales: readonly Locale[] = this.locales): Promise<PromptCheckReport> {
    const unique = [...new Set(ids)].sort();
    const problems: PromptProblem[] = [];
    let totalMs = 0;
    let checked = 0;
    await Promise.all(
      locales.flatMap((locale) =>
        unique.map(async (id) => {
          let path: string;
          try {
            path = this.path(id, locale);
          } catch (error) {
            problems.push({ id, locale, path: '', code: 'ERR_PROMPT_MISSING', message: (error as Error).message });
            return;
          }
          let data: Uint8Array;
          try {
            data = await readFile(path);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            problems.push({
              id,
              locale,
              path,
              code: code === 'ENOENT' ? 'ERR_PROMPT_MISSING' : 'ERR_PROMPT_UNREADABLE',
              message: code === 'ENOENT' ? `${path}: no such file` : `${path}: ${String(error)}`,
            });
            return;
          }
          try {
            const wav = readWav(data, path);
            if (wav.sampleRate !== SAMPLE_RATE || wav.channels !== 1) throw new Error(`${path}: not 8 kHz mono`);
            const ms = (wav.samples.length * 1000) / SAMPLE_RATE;
            this.durations.set(`${locale}/${id}`, ms);
            totalMs += ms;
            checked++;
          } catch (error) {
            problems.push({
              id,
              locale,
              path,
              code: 'ERR_PROMPT_UNREADABLE',
              message: isHotlineError(error) ? error.message : String(error),
            });
          }
        }),
      ),
    );
    if (problems.length > 0) {
      problems.sort((a, b) => (a.locale + a.id).localeCompare(b.locale + b.id));
      const missing = problems.filter((p) => p.code === 'ERR_PROMPT_MISSING').length;
      const code = missing > 0 ? IvrErrorCode.PromptMissing : IvrErrorCode.PromptUnreadable;
      const lines = problems.slice(0, 20).map((p) => `  - ${p.locale} ${p.id}: ${p.message}`);
      if (problems.length > 20) lines.push(`  ... and ${problems.length - 20} more`);
      const message =
        `${problems.length} prompt problem(s) in catalog ${this.root} ` +
        `(${missing} missing, ${problems.length - missing} unreadable):\n${lines.join('\n')}`;
      this.logger.error('prompt check failed', { root: this.root, missing, unreadable: problems.length - missing });
      throw ivrError(code, message, { details: { problems } });
    }
    this.logger.info('prompts verified', { root: this.root, checked, locales: [...locales] });
    return { checked, totalMs };
  }
}
