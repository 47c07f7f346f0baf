import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isHotlineError } from '@hotline/cti-core';
import { readWav, writeWav } from '@hotline/cti-core/media';
import { LOCALES } from './locale.js';
import { PromptCatalog, type PromptProblem } from './prompt-catalog.js';
import { generatePromptSet } from './prompt-generator.js';
import { fragmentIds } from './say/fragments.js';
import { STANDARD_PROMPT_IDS } from './standard-prompts.js';
import { IvrRuntime } from './runtime.js';
import { defineFlow } from './flow.js';
import { writeFixtureCatalog } from './test-kit.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

async function problemsOf(p: Promise<unknown>): Promise<{ code: string; message: string; problems: PromptProblem[] }> {
  try {
    await p;
  } catch (error) {
    if (!isHotlineError(error)) throw error;
    return {
      code: error.code,
      message: error.message,
      problems: (error.details as { problems: PromptProblem[] }).problems,
    };
  }
  throw new Error('expected a prompt error');
}

describe('PromptCatalog', () => {
  it('resolves ids per locale and refuses path tricks', () => {
    const c = new PromptCatalog({ root: '/srv/prompts' });
    expect(c.path('menu.main')).toBe('/srv/prompts/zh-CN/menu.main.wav');
    expect(c.path('menu.main', 'en')).toBe('/srv/prompts/en/menu.main.wav');
    expect(() => c.path('../etc/passwd')).toThrow(/malformed/);
    expect(() => c.path('a/b')).toThrow(/malformed/);
  });

  it('verifies prompts and reports every missing or unreadable one, per locale', async () => {
    root = writeFixtureCatalog({ 'menu.main': 300 });
    const c = new PromptCatalog({ root });
    const ok = await c.verify(['menu.main', 'ivr.goodbye']);
    expect(ok.checked).toBe(4);
    expect(c.durationMs('menu.main', 'en')).toBe(300);
    writeFileSync(join(root, 'en', 'menu.main.wav'), writeWav(new Int16Array(800), { sampleRate: 16000 }));
    writeFileSync(join(root, 'zh-CN', 'broken.wav'), 'RIFF....not a wav');
    mkdirSync(join(root, 'en'), { recursive: true });
    const r = await problemsOf(c.verify(['menu.main', 'broken', 'menu.absent']));
    expect(r.code).toBe('ERR_PROMPT_MISSING');
    expect(r.problems.map((p) => `${p.locale} ${p.id} ${p.code}`)).toEqual([
      'en broken ERR_PROMPT_MISSING',
      'en menu.absent ERR_PROMPT_MISSING',
      'en menu.main ERR_PROMPT_UNREADABLE',
      'zh-CN broken ERR_PROMPT_UNREADABLE',
      'zh-CN menu.absent ERR_PROMPT_MISSING',
    ]);
    expect(r.message).toMatch(/5 prompt problem\(s\).*\(3 missing, 2 unreadable\)/);
    expect(r.message).toMatch(/en menu\.main: .*16000|8 kHz|sample rate/);
  });

  it('the runtime refuses to start when a flow prompt is missing, before any call', async () => {
    root = writeFixtureCatalog();
    const runtime = new IvrRuntime({ catalog: new PromptCatalog({ root }) });
    const flow = defineFlow({ name: 'main', prompts: ['menu.main'], run: async () => undefined });
    const r = await problemsOf(runtime.start([flow]));
    expect(r.code).toBe('ERR_PROMPT_MISSING');
    expect(r.problems.map((p) => `${p.locale} ${p.id}`)).toEqual(['zh-CN menu.main', 'en menu.main']);
  });
});

describe('the committed prompt set', () => {
  const committed = fileURLToPath(new URL('../prompts', import.meta.url));
  it('holds every standard prompt and fragment in both locales as readable 8 kHz WAV', async () => {
    const c = new PromptCatalog({ root: committed });
    for (const locale of LOCALES) {
      const r = await c.verify([...STANDARD_PROMPT_IDS, ...fragmentIds(locale)], [locale]);
      expect(r.checked).toBe(new Set([...STANDARD_PROMPT_IDS, ...fragmentIds(locale)]).size);
    }
    const manifest = JSON.parse(readFileSync(join(committed, 'manifest.json'), 'utf8')) as {
      prompts: { id: string; locale: string; text: string }[];
    };
    expect(manifest.prompts.find((p) => p.locale === 'zh-CN' && p.id === 'say.yao')?.text).toBe('幺');
  });
});

describe('generatePromptSet', () => {
  it('renders every text through the renderer, synthesises beep and pause, and writes a manifest', async () => {
    root = writeFixtureCatalog({}, []);
    const rendered: string[] = [];
    const entries = await generatePromptSet({
      outDir: root,
      locales: ['en'],
      extra: { 'menu.main': { en: 'For bills press one', 'zh-CN': '查询账单请按一' } },
      toolVersions: { fake: '1' },
      renderer: async (text, locale, out) => {
        rendered.push(`${locale}:${text}`);
        writeFileSync(out, writeWav(new Int16Array(400 + text.length)));
      },
    });
    expect(rendered).toContain('en:For bills press one');
    expect(rendered).not.toContain('en:'); // beep and pause are not spoken
    expect(entries.find((e) => e.id === 'say.pause')?.durationMs).toBe(250);
    expect(readWav(readFileSync(join(root, 'en', 'ivr.beep.wav'))).samples.length).toBe(2400);
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
      tools: unknown;
      prompts: unknown[];
    };
    expect(manifest.tools).toEqual({ fake: '1' });
    expect(manifest.prompts).toHaveLength(entries.length);
  });
});
