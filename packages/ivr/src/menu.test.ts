import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom } from 'rxjs';
import { isHotlineError } from '@hotline/cti-core';
import { loadMenuSource, type MenuAction, type MenuIssue } from './menu-compiler.js';
import { MenuRegistry } from './menu-registry.js';
import { IvrHarness } from './test-kit.js';

const actions: Record<string, MenuAction> = {
  lookupBill: async (ctx) => (ctx.vars.account === '2024000517' ? { vars: { amountFen: 12030 } } : 'not-found'),
  changePassword: async () => 'ok',
};

const GOOD = `
name: gas-main
start: main
nodes:
  main:
    type: menu
    prompt: m.main
    options: { "1": account, "2": prices, "9": "@hangup" }
  account:
    type: collect
    prompt: p.account
    validator: { type: account, minDigits: 8, maxDigits: 12 }
    store: account
    next: bill
  bill:
    type: action
    action: lookupBill
    on: { ok: say-bill, not-found: main }
  say-bill:
    type: say
    prompt: p.bill-is
    value: { type: money, var: amountFen, unit: fen }
    next: main
  prices:
    type: menu
    prompt: m.prices
    options: { "1": price-info }
  price-info:
    type: play
    prompt: p.info
    next: prices
`;

function issuesOf(source: string, file = 'menus/main.yaml'): MenuIssue[] {
  try {
    loadMenuSource(source, file, { actions });
  } catch (error) {
    expect(isHotlineError(error, 'ERR_IVR_MENU_INVALID')).toBe(true);
    return (error as { details: { issues: MenuIssue[] } }).details.issues;
  }
  throw new Error('expected the menu to be refused');
}

describe('menu validation: precise errors', () => {
  it('accepts a good menu and lists its prompts', () => {
    const m = loadMenuSource(GOOD, 'main.yaml', { actions });
    expect(m.prompts).toEqual(['m.main', 'm.prices', 'p.account', 'p.bill-is', 'p.info']);
    expect(m.warnings).toEqual([]);
    expect(m.flow.name).toBe('gas-main');
  });

  it.each<[string, string, string, number | undefined, RegExp]>([
    [
      'a YAML syntax error',
      GOOD.replace('options: { "1": price-info }', 'options: { "1": price-info'),
      '',
      28,
      /Flow map|flow collection|Missing|expected/i,
    ],
    [
      'a misspelt key',
      GOOD.replace('    prompt: m.prices', '    promt: m.prices'),
      'nodes.prices.promt',
      26,
      /unknown field 'promt'/,
    ],
    [
      'an unknown node type',
      GOOD.replace('type: play', 'type: playback'),
      'nodes.price-info.type',
      29,
      /Invalid|expected/,
    ],
    [
      'a target that is not a node',
      GOOD.replace('"2": prices', '"2": prics'),
      'nodes.main.options.2',
      8,
      /'prics', which is not a node \(did you mean 'prices'\?\)/,
    ],
    [
      'an unregistered action',
      GOOD.replace('action: lookupBill', 'action: lookupBil'),
      'nodes.bill.action',
      17,
      /no code action named 'lookupBil'.*did you mean 'lookupBill'/,
    ],
    [
      'a missing start node',
      GOOD.replace('start: main', 'start: mian'),
      'start',
      3,
      /'mian' is not a node \(did you mean 'main'\?\)/,
    ],
    ['a bad menu key', GOOD.replace('"9": "@hangup"', '"x": "@hangup"'), 'nodes.main.options.x', undefined, /menu key/],
    [
      'a PIN read back',
      GOOD.replace(
        'validator: { type: account, minDigits: 8, maxDigits: 12 }',
        'validator: { type: pin }\n    confirm: true',
      ),
      'nodes.account.confirm',
      13,
      /never read back/,
    ],
    [
      'a say with neither var nor value',
      GOOD.replace('value: { type: money, var: amountFen, unit: fen }', 'value: { type: money }'),
      'nodes.say-bill.value',
      22,
      /exactly one/,
    ],
  ])('reports %s with file, line and path', (_what, source, path, line, message) => {
    const issues = issuesOf(source);
    const hit = issues.find((i) => message.test(i.message));
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.file).toBe('menus/main.yaml');
    if (path) expect(hit!.path.startsWith(path) || path.startsWith(hit!.path)).toBe(true);
    if (line !== undefined) expect(hit!.line).toBe(line);
  });

  it('reports every problem at once, and JSON syntax errors', () => {
    const issues = issuesOf(GOOD.replace('"2": prices', '"2": prics').replace('action: lookupBill', 'action: nope'));
    expect(issues.map((i) => i.path)).toEqual(['nodes.main.options.2', 'nodes.bill.action']);
    const json = issuesOf('{"name": "x", "start": "a", nodes: {}}', 'menu.json');
    expect(json[0]!.message).toMatch(/not valid JSON/);
    const unreachable = loadMenuSource(GOOD + '  orphan:\n    type: hangup\n', 'main.yaml', { actions });
    expect(unreachable.warnings).toEqual(["main.yaml: node 'orphan' cannot be reached from 'main'"]);
  });
});

const PROMPTS = { 'm.main': 1000, 'm.prices': 1000, 'p.account': 600, 'p.bill-is': 400, 'p.info': 400, 'p.v2': 400 };

let h: IvrHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(pred: () => boolean, maxMs = 120_000): Promise<void> {
  for (let t = 0; t < maxMs; t += 50) {
    if (pred()) return;
    await h!.wait(50);
  }
  throw new Error('condition not reached');
}

describe('declarative menus on board-sim', () => {
  it('runs the compiled menu: account, code action, spoken amount, sub-menu and * back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ivr-menu-'));
    const file = join(dir, 'main.yaml');
    writeFileSync(file, GOOD);
    h = new IvrHarness(PROMPTS);
    const registry = new MenuRegistry({ file, actions, verifyPrompts: (ids) => h!.runtime.verifyPrompts(ids) });
    await h.open();
    await registry.load();
    const call = await h.call(registry.flow);
    const entered =
      (n: string, times = 1) =>
      () =>
        h!.eventsOf('node-entered').filter((e) => e.node === n).length >= times;
    await until(entered('main'));
    await h.press(call.caller, '1');
    await until(entered('account'));
    await h.press(call.caller, '2024000517#');
    await until(entered('main', 2));
    await h.press(call.caller, '2');
    await until(entered('prices'));
    await h.press(call.caller, '1');
    await until(entered('prices', 2));
    await h.press(call.caller, '*');
    await until(entered('main', 3));
    await h.press(call.caller, '9');
    const outcome = await h.finish(call);
    expect(outcome).toMatchObject({ status: 'completed', flow: 'gas-main', version: 1 });
    expect(outcome.path).toEqual([
      'main',
      'account',
      'bill',
      'say-bill',
      'main',
      'prices',
      'price-info',
      'prices',
      'main',
      'hangup',
    ]);
    expect(h.nodesLeft()).toContain('prices:back');
    expect(h.eventsOf('service')[0]).toMatchObject({ service: 'lookupBill', status: 'ok' });
  });

  it('hot reload: calls in progress keep their version, new calls get the new one, a broken file is rejected', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ivr-menu-'));
    const file = join(dir, 'main.yaml');
    writeFileSync(file, GOOD);
    h = new IvrHarness(PROMPTS);
    const registry = new MenuRegistry({ file, actions, verifyPrompts: (ids) => h!.runtime.verifyPrompts(ids) });
    const events: string[] = [];
    registry.reloads$.subscribe((e) => events.push(`${e.type}:${e.version}`));
    await h.open();
    await registry.load();
    const a = await h.call(registry.flow, { from: '13900000001' });
    // v2: key 2 now plays a notice instead of the price menu.
    writeFileSync(
      file,
      GOOD.replace('"2": prices', '"2": notice') + '  notice:\n    type: play\n    prompt: p.v2\n    next: "@hangup"\n',
    );
    expect((await registry.reload()).type).toBe('loaded');
    const b = await h.call(registry.flow, { from: '13900000002' });
    // a broken v3 (missing prompt) is rejected; v2 stays
    writeFileSync(file, GOOD.replace('prompt: p.info', 'prompt: p.missing'));
    const rejected = await registry.reload();
    expect(rejected).toMatchObject({ type: 'rejected', code: 'ERR_PROMPT_MISSING', version: 2 });
    expect(registry.version).toBe(2);
    await h.wait(1500);
    await h.press(a.caller, '2');
    await h.press(b.caller, '2');
    await h.wait(2000);
    await h.press(a.caller, '*'); // back to main (v1 only has a sub-menu)
    await h.wait(1500);
    await h.press(a.caller, '9');
    const oa = await h.finish(a);
    const ob = await h.finish(b);
    expect(oa).toMatchObject({ status: 'completed', version: 1 });
    expect(oa.path).toContain('prices');
    expect(ob).toMatchObject({ status: 'completed', version: 2 });
    expect(ob.path).toEqual(['main', 'notice', 'hangup']);
    expect(events).toEqual(['loaded:1', 'loaded:2', 'rejected:2']);
  });

  it('a file watcher reloads on change', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ivr-menu-'));
    const file = join(dir, 'main.yaml');
    writeFileSync(file, GOOD);
    const registry = new MenuRegistry({ file, actions });
    await registry.load();
    const stop = registry.watch();
    const next = firstValueFrom(registry.reloads$.pipe(filter((e) => e.type === 'loaded')));
    writeFileSync(file, GOOD.replace('"9": "@hangup"', '"8": "@hangup"'));
    expect(await next).toMatchObject({ type: 'loaded', version: 2 });
    expect(registry.compiled?.file.nodes.main).toMatchObject({ options: { '8': '@hangup' } });
    stop();
  });

  it('a menu that refers to a missing prompt fails at load, before any call', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ivr-menu-'));
    const file = join(dir, 'main.yaml');
    writeFileSync(file, GOOD.replace('prompt: m.prices', 'prompt: m.nowhere'));
    h = new IvrHarness(PROMPTS);
    await h.open();
    const registry = new MenuRegistry({ file, actions, verifyPrompts: (ids) => h!.runtime.verifyPrompts(ids) });
    await expect(registry.load()).rejects.toMatchObject({
      code: 'ERR_PROMPT_MISSING',
      message: expect.stringMatching(/zh-CN m\.nowhere: .*m\.nowhere\.wav: no such file/),
    });
  });
});
