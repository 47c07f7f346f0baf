/**
 * Reproducible generation of the prompt set: every `say.*` fragment and every standard prompt,
 * in every locale, rendered by a text-to-speech engine and converted to 8 kHz mono 16-bit WAV.
 *
 * The default renderer runs espeak-ng (`-v cmn` for Mandarin, `-v en` for English) and sox
 * (resample to 8 kHz, no dither so the output is bit-for-bit reproducible, trim leading and
 * trailing silence so fragments join tightly). The beep and the pause are synthesised directly.
 * A `manifest.json` records each file's text and SHA-256 and the tool versions.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateTone, readWav, writeWav } from '@hotline/cti-core/media';
import { IvrErrorCode, ivrError } from './errors.js';
import { LOCALES, type Locale } from './locale.js';
import { fragmentTexts, PAUSE_FRAGMENT, PAUSE_MS } from './say/fragments.js';
import { BEEP_PROMPT, standardPromptTexts } from './standard-prompts.js';

const run = promisify(execFile);

/** Renders one text to an 8 kHz mono 16-bit WAV file at `outPath`. */
export type PromptRenderer = (text: string, locale: Locale, outPath: string) => Promise<void>;

/** Options of {@link generatePromptSet}. */
export interface GeneratePromptsOptions {
  /** Output folder (`<outDir>/<locale>/<id>.wav` plus `manifest.json`). */
  readonly outDir: string;
  readonly locales?: readonly Locale[];
  /** Extra prompts to render: id → text per locale (e.g. an app's menus). */
  readonly extra?: Readonly<Record<string, Partial<Record<Locale, string>>>>;
  /** The TTS renderer (default: espeak-ng + sox, see {@link espeakRenderer}). */
  readonly renderer?: PromptRenderer;
  /** Recorded in the manifest (default: the espeak-ng and sox version lines). */
  readonly toolVersions?: Readonly<Record<string, string>>;
}

/** One generated file in the manifest. */
export interface GeneratedPrompt {
  readonly id: string;
  readonly locale: Locale;
  readonly text: string;
  readonly sha256: string;
  readonly durationMs: number;
}

/** Voices used by {@link espeakRenderer}. */
export const ESPEAK_VOICES: Readonly<Record<Locale, string>> = { 'zh-CN': 'cmn', en: 'en' };

/**
 * The espeak-ng + sox renderer. Requires `espeak-ng` and `sox` on the PATH (Debian:
 * `apt-get install espeak-ng sox`).
 */
export function espeakRenderer(
  options: { readonly espeak?: string; readonly sox?: string; readonly speed?: number } = {},
): PromptRenderer {
  const espeak = options.espeak ?? 'espeak-ng';
  const sox = options.sox ?? 'sox';
  return async (text, locale, outPath) => {
    const dir = await mkdtemp(join(tmpdir(), 'hotline-tts-'));
    try {
      const raw = join(dir, 'raw.wav');
      await run(espeak, ['-v', ESPEAK_VOICES[locale], '-s', String(options.speed ?? 150), '-w', raw, '--', text]);
      // -D: no dither (reproducible); trim silence at both ends; a little air at the end.
      await run(sox, [
        raw,
        '-D',
        '-r',
        '8000',
        '-c',
        '1',
        '-b',
        '16',
        '-e',
        'signed-integer',
        outPath,
        'silence',
        '1',
        '0.02',
        '0.5%',
        'reverse',
        'silence',
        '1',
        '0.02',
        '0.5%',
        'reverse',
        'pad',
        '0',
        '0.05',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

async function toolVersion(cmd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, [...args]);
    return (
      `${stdout}${stderr}`
        .split('\n')
        .find((l) => l.trim().length > 0)
        ?.trim() ?? 'unknown'
    );
  } catch (error) {
    throw ivrError(
      IvrErrorCode.NotConfigured,
      `${cmd} is not available (${String(error)}); install it (Debian: apt-get install espeak-ng sox)`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Renders the fragment set and the standard prompts (and `extra`) for every locale into
 * `outDir`, and writes `manifest.json`. Returns the manifest entries, sorted by locale and id.
 */
export async function generatePromptSet(options: GeneratePromptsOptions): Promise<readonly GeneratedPrompt[]> {
  const locales = options.locales ?? LOCALES;
  let renderer = options.renderer;
  let versions = options.toolVersions;
  if (!renderer) {
    versions ??= {
      'espeak-ng': await toolVersion('espeak-ng', ['--version']),
      sox: await toolVersion('sox', ['--version']),
    };
    renderer = espeakRenderer();
  }
  const entries: GeneratedPrompt[] = [];
  for (const locale of locales) {
    const dir = join(options.outDir, locale);
    await mkdir(dir, { recursive: true });
    const texts: Record<string, string> = { ...fragmentTexts(locale), ...standardPromptTexts(locale) };
    for (const [id, perLocale] of Object.entries(options.extra ?? {})) {
      const text = perLocale[locale];
      if (text !== undefined) texts[id] = text;
    }
    for (const id of Object.keys(texts).sort()) {
      const text = texts[id]!;
      const path = join(dir, `${id}.wav`);
      if (id === PAUSE_FRAGMENT) {
        await writeFile(path, writeWav(new Int16Array((PAUSE_MS * 8000) / 1000)));
      } else if (id === BEEP_PROMPT) {
        await writeFile(path, writeWav(generateTone([1000], 300, -10)));
      } else {
        await renderer(text, locale, path);
      }
      const data = await readFile(path);
      const wav = readWav(data, path);
      entries.push({
        id,
        locale,
        text,
        sha256: createHash('sha256').update(data).digest('hex'),
        durationMs: Math.round(wav.samples.length / 8),
      });
    }
  }
  await writeFile(
    join(options.outDir, 'manifest.json'),
    `${JSON.stringify({ generator: '@hotline/ivr generatePromptSet', tools: versions ?? {}, prompts: entries }, null, 2)}\n`,
  );
  return entries;
}
