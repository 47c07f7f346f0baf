import { afterEach, describe, expect, it } from 'vitest';
import { defineFlow } from './flow.js';
import { IvrHarness } from './test-kit.js';

const PROMPTS = {
  'm.main': 1500,
  'm.billing': 1500,
  'm.detail': 1500,
  'p.account': 800,
  'p.pin': 800,
  'p.long': 3000,
  'p.info': 600,
};

/** A three-level menu: main → billing → detail, `*` back, 9 goodbye. */
const detail = defineFlow({
  name: 'detail',
  async run(ctx) {
    for (;;) {
      const k = await ctx.menu({ id: 'detail', prompt: 'm.detail', choices: ['1'] });
      if (k === '1') await ctx.say({ type: 'money', value: '120.30' }, { id: 'say-amount' });
    }
  },
});
const billing = defineFlow({
  name: 'billing',
  async run(ctx) {
    for (;;) {
      const k = await ctx.menu({ id: 'billing', prompt: 'm.billing', choices: ['1', '2'] });
      if (k === '1') await ctx.play('p.info', { id: 'billing-info' });
      else await ctx.sub(detail, undefined);
    }
  },
});
const main = defineFlow({
  name: 'main',
  prompts: Object.keys(PROMPTS),
  async run(ctx) {
    for (;;) {
      const k = await ctx.menu({ id: 'main', prompt: 'm.main', choices: ['1', '9'] });
      if (k === '9') await ctx.hangup();
      await ctx.sub(billing, undefined);
    }
  },
});

let h: IvrHarness;
afterEach(async () => {
  await h?.close();
});

describe('whole calls on board-sim (virtual time, real DTMF)', () => {
  it('walks a three-level menu with an invalid key, a timeout, and * back twice', async () => {
    h = await new IvrHarness(PROMPTS).open({}, [main]);
    const call = await h.call(main);
    await h.wait(2000);
    await h.press(call.caller, '7'); // invalid at main
    await h.wait(9000); // timeout at main (prompt 1.5 s + 5 s)
    await h.press(call.caller, '1', 2000); // → billing
    await h.press(call.caller, '2', 2000); // → detail
    await h.press(call.caller, '1', 3000); // say amount, detail replays
    await h.press(call.caller, '*', 2000); // back to billing
    await h.press(call.caller, '*', 2000); // back to main
    await h.press(call.caller, '9'); // goodbye
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('completed');
    expect(outcome.lastNode).toBe('hangup');
    const inputs = h.eventsOf('input').map((e) => `${e.node}:${e.digits || '-'}:${e.valid ? 'ok' : e.reason}`);
    expect(inputs).toEqual([
      'main:7:not-a-choice',
      'main:-:timeout',
      'main:1:ok',
      'billing:2:ok',
      'detail:1:ok',
      'detail:*:ok',
      'billing:*:ok',
      'main:9:ok',
    ]);
    expect(h.nodesLeft()).toEqual([
      'main:ok',
      'billing:ok',
      'detail:ok',
      'say-amount:ok',
      'detail:back',
      'flow:detail:back',
      'billing:back',
      'flow:billing:back',
      'main:ok',
      'hangup:ended',
    ]);
    expect(h.eventsOf('node-left').find((e) => e.node === 'main')?.failures).toBe(2);
    expect((await h.scheduler.run(call.caller.whenReleased())).by).toBe('board');
    expect(h.runtime.activeCalls).toBe(0);
  });
});
