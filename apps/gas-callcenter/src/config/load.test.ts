import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppErrorCode } from '../domain/errors.js';
import { loadConfig, validateConfig, type ConfigProblem } from './load.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function problems(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code: AppErrorCode.Config });
    return (err as { details: { problems: ConfigProblem[] } }).details.problems;
  }
  throw new Error('expected a configuration error');
}

async function problemsOfFile(text: string, locale?: 'en' | 'zh-CN'): Promise<ConfigProblem[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-config-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.yaml'), text);
  const err = await loadConfig('config.yaml', { cwd: dir, locale }).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: AppErrorCode.Config });
  return (err as { details: { problems: ConfigProblem[] } }).details.problems;
}

describe('configuration', () => {
  it('has a default for everything', async () => {
    const { config, file, dataDir } = await loadConfig(undefined, { cwd: '/srv/hotline' });
    expect(file).toBeUndefined();
    expect(dataDir).toBe('/srv/hotline/data');
    expect(config).toMatchObject({
      locale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      board: { driver: 'sim', e1Spans: 1, stations: 20 },
      database: { synchronous: 'full', busyTimeoutMs: 5000 },
      tickets: { deadlineMinutes: { emergency: 30, repair: 1440 } },
      demo: { customers: 10000 },
    });
  });

  it('names the key path and the problem, in English', () => {
    expect(problems(() => validateConfig({ board: { e1Spans: 'two' } }, 'en'))).toEqual([
      { path: 'board.e1Spans', message: 'board.e1Spans: must be an integer 0..8 (got "two")' },
    ]);
    expect(problems(() => validateConfig({ board: { e1Spans: 9 } }, 'en'))[0]?.message).toBe(
      'board.e1Spans: must be an integer 0..8 (got 9)',
    );
    expect(problems(() => validateConfig({ board: { driver: 'nec' } }, 'en'))[0]?.message).toBe(
      'board.driver: must be one of "sim", "sanhui", "donjin", "dialogic" (got "nec")',
    );
    expect(problems(() => validateConfig({ demo: { virtualTime: 'yes' } }, 'en'))[0]?.message).toBe(
      'demo.virtualTime: must be true or false (got "yes")',
    );
    expect(problems(() => validateConfig({ timeZone: 'Mars/Olympus' }, 'en'))[0]?.message).toBe(
      'timeZone: must be an IANA time zone such as Asia/Shanghai (got "Mars/Olympus")',
    );
    expect(problems(() => validateConfig({ security: { scryptCost: 3000 } }, 'en'))[0]?.message).toBe(
      'security.scryptCost: must be a power of two 1024..1048576 (got 3000)',
    );
    expect(problems(() => validateConfig({ centre: { hotline: '96-777' } }, 'en'))[0]?.message).toBe(
      'centre.hotline: must be 3 to 12 digits (got "96-777")',
    );
    expect(problems(() => validateConfig({ server: { tls: { cert: 'a.pem' } } }, 'en'))[0]?.message).toBe(
      'server.tls.key: required, must be a non-empty string',
    );
    expect(problems(() => validateConfig({ board: 3 }, 'en'))[0]?.message).toBe(
      'board: must be a mapping (YAML object) (got 3)',
    );
  });

  it('names the key path and the problem, in Chinese by default', () => {
    expect(problems(() => validateConfig({ board: { e1Spans: 'two' } }))[0]?.message).toBe(
      'board.e1Spans：必须是 0 到 8 之间的整数（实际为 "two"）',
    );
  });

  it('reports every problem at once and suggests the key meant', () => {
    const list = problems(() =>
      validateConfig(
        { board: { e1Span: 2 }, tickets: { deadlineMinutes: { emergncy: 10, repair: 0 } }, colour: 'red' },
        'en',
      ),
    );
    expect(list).toHaveLength(4);
    expect(list.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'board.e1Span: unknown key; did you mean e1Spans?',
        'tickets.deadlineMinutes.emergncy: unknown key; did you mean emergency?',
        'tickets.deadlineMinutes.repair: must be an integer 1..525600 (got 0)',
        expect.stringMatching(/^colour: unknown key \(known here: locale, timeZone, centre, dataDir/),
      ]),
    );
  });

  it('reads YAML files, reports syntax errors with line numbers, and resolves dataDir next to the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-config-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'ok.yaml'), '\uFEFFlocale: en\ndataDir: store\nboard:\n  e1Spans: 2\n');
    const loaded = await loadConfig(join(dir, 'ok.yaml'));
    expect(loaded).toMatchObject({
      dataDir: join(dir, 'store'),
      config: { locale: 'en', board: { e1Spans: 2, stations: 20 } },
    });

    const syntax = await problemsOfFile('board:\n  e1Spans: [1, 2\n', 'en');
    expect(syntax[0]?.message).toMatch(/^YAML syntax error in .*config\.yaml at line \d+, column \d+/);
    // The file's own locale is used for its messages when the caller did not choose one.
    expect((await problemsOfFile('locale: en\nboard:\n  e1Spans: two\n'))[0]?.message).toBe(
      'board.e1Spans: must be an integer 0..8 (got "two")',
    );
    expect((await problemsOfFile('- a\n- b\n', 'en'))[0]?.message).toBe(
      '(root): must be a mapping (YAML object) (got ["a","b"])',
    );
    const missing = await loadConfig('/nonexistent/hotline.yaml', { locale: 'en' }).catch(
      (e: { details: { problems: ConfigProblem[] } }) => e.details.problems,
    );
    expect(missing).toEqual([
      { path: '(file)', message: 'Cannot read configuration file /nonexistent/hotline.yaml (ENOENT)' },
    ]);
  });
});
