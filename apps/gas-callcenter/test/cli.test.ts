/**
 * The command line end to end, in-process: a fresh data directory, seeded, users managed, customers
 * imported, a report and a backup written, errors shown in the chosen language.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualScheduler } from '@hotline/cti-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../src/cli/main.js';
import { en } from '../src/i18n/en.js';
import { zhCN } from '../src/i18n/zh-cn.js';

let dir: string;
const clock = new VirtualScheduler(Date.UTC(2026, 2, 10, 2, 0, 0));

function io(secrets: string[] = []): CliIo & { out: string; err: string } {
  const r = {
    out: '',
    err: '',
    stdout: (s: string) => void (r.out += s),
    stderr: (s: string) => void (r.err += s),
    readSecret: async () => secrets.shift() ?? '',
    env: { USER: 'tester' },
    cwd: dir,
    clock,
  };
  return r;
}

async function run(args: string[], secrets: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const x = io(secrets);
  const code = await main(args, x);
  return { code, out: x.out, err: x.err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-cli-'));
  writeFileSync(join(dir, 'hotline.yaml'), 'dataDir: data\nsecurity:\n  scryptCost: 1024\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gas-callcenter CLI', () => {
  it('catalogs have the same keys in every language', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('migrates, seeds, lists and adds users', async () => {
    const cfg = ['--config', 'hotline.yaml'];
    expect(await run([...cfg, 'migrate'])).toMatchObject({ code: 0, out: expect.stringContaining('升级到 3') });
    expect(await run([...cfg, 'migrate', '--lang', 'en'])).toMatchObject({
      code: 0,
      out: 'The database schema is up to date (version 3).\n',
    });
    const seeded = await run([...cfg, 'seed', '--customers', '200', '--seed', '7']);
    expect(seeded).toMatchObject({ code: 0, out: expect.stringMatching(/客户 200 户，账单 2400 张/) });
    const list = await run([...cfg, 'user', 'list', '--lang', 'en']);
    expect(list.out).toContain('a020\t坐席20号\tagent\t客服中心\tactive');
    expect(
      await run(
        [...cfg, 'user', 'add', 'w01', '--role', 'department_staff', '--department', 'network', '--lang', 'en'],
        ['pass-word-1', 'pass-word-1'],
      ),
    ).toMatchObject({
      code: 0,
      out: 'User w01 (department staff) added.\n',
    });
    expect(
      await run([...cfg, 'user', 'add', 'w02', '--role', 'agent', '--lang', 'en'], ['short', 'short']),
    ).toMatchObject({ code: 1, err: 'password: too short\n' });
    expect(await run([...cfg, 'user', 'add', 'w03', '--role', 'agent'], ['abcdefgh', 'abcdefgX'])).toMatchObject({
      code: 1,
      err: '两次输入的密码不一致，未作修改。\n',
    });
    expect(await run([...cfg, 'user', 'add', 'w04', '--role', 'boss', '--lang', 'en'])).toMatchObject({ code: 2 });
    expect(await run([...cfg, 'user', 'passwd', 'nobody', '--lang', 'en'], ['abcdefgh1', 'abcdefgh1'])).toMatchObject({
      code: 1,
      err: 'No user "nobody".\n',
    });
    // Seeding twice is refused.
    expect(await run([...cfg, 'seed', '--customers', '1', '--lang', 'en'])).toMatchObject({
      code: 1,
      err: 'database: the directory or database is not empty\n',
    });
  });

  it('imports customers, reporting bad rows by line', async () => {
    writeFileSync(
      join(dir, 'c.csv'),
      '\uFEFFcustomer_no,name,phone,address,district,district_code\r\n20000001,钱进,13700001111,南京市鼓楼区湖南路1号,鼓楼区,320106\r\n20000002,孙悦,abc,南京市鼓楼区湖南路2号,鼓楼区,320106\r\n',
    );
    const r = await run(['--config', 'hotline.yaml', 'import', 'customers', 'c.csv', '--lang', 'en']);
    expect(r).toMatchObject({ code: 1, out: '2 rows read, 1 imported, 1 with problems.\n' });
    expect(r.err).toBe('Line 3 not imported: phones: not a valid mobile or landline number (**c)\n');
  });

  it('writes the daily report and a backup', async () => {
    const report = await run([
      '--config',
      'hotline.yaml',
      'report',
      'daily',
      '--date',
      '2026-03-09',
      '--format',
      'html',
      '--out',
      'r.html',
    ]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('<h1>示例燃气集团客户服务中心 日报 2026-03-09</h1>');
    const backup = await run(['--config', 'hotline.yaml', 'backup', 'bk', '--lang', 'en']);
    expect(backup).toMatchObject({ code: 0, out: expect.stringMatching(/^Backup written to .*bk \(schema version 3/) });
    expect(existsSync(join(dir, 'bk', 'hotline.db'))).toBe(true);
    expect(await run(['--config', 'hotline.yaml', 'backup', 'bk', '--lang', 'en'])).toMatchObject({
      code: 1,
      err: 'backup directory: the directory or database is not empty\n',
    });
  });

  it('explains bad configuration and bad arguments', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'board:\n  e1Spans: two\n');
    expect(await run(['--config', 'bad.yaml', 'migrate', '--lang', 'en'])).toEqual({
      code: 1,
      out: '',
      err: 'The configuration has 1 problem(s):\n  board.e1Spans: must be an integer 0..8 (got "two")\n',
    });
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['frobnicate', '--lang', 'en'])).err).toContain('Unknown command "frobnicate"');
  });
});
