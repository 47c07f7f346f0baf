import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { timer } from 'rxjs';
import type { Channel } from '@hotline/cti-core';
import { readWav } from '@hotline/cti-core/media';
import { synthesizeSpeech } from '@hotline/board-sim';
import type { AcdAdapter, AcdRequest, AcdResult, TransferLines } from './adapters.js';
import type { CallContext } from './call-context.js';
import { defineFlow, type FlowDefinition } from './flow.js';
import { IvrHarness } from './test-kit.js';
import { accountNumber, pinEntry } from './validators.js';

const PROMPTS = {
  'm.main': 1500,
  'p.account': 800,
  'p.pin': 800,
  'p.long': 3000,
  'p.info': 600,
  'q.1': 500,
  'q.2': 500,
  'q.3': 500,
};

let h: IvrHarness;
afterEach(async () => {
  await h?.close();
});

/** Advances virtual time until `pred` holds. */
async function until(pred: () => boolean, maxMs = 120_000): Promise<void> {
  for (let t = 0; t < maxMs; t += 50) {
    if (pred()) return;
    await h.wait(50);
  }
  throw new Error('condition not reached');
}
const entered = (node: string) => () => h.eventsOf('node-entered').some((e) => e.node === node);

class FakeAcd implements AcdAdapter {
  readonly requests: AcdRequest[] = [];
  aborted = 0;
  constructor(
    private readonly harness: () => IvrHarness,
    private readonly behaviour: { readonly assignAfterMs?: number; readonly reject?: boolean },
  ) {}
  enqueue(request: AcdRequest, signal: AbortSignal): Promise<AcdResult> {
    this.requests.push(request);
    signal.addEventListener('abort', () => this.aborted++);
    if (this.behaviour.reject) return Promise.resolve({ status: 'closed', reason: 'out of hours' });
    return new Promise((resolve) => {
      const ms = this.behaviour.assignAfterMs;
      if (ms !== undefined)
        timer(ms, this.harness().scheduler).subscribe(() => resolve({ status: 'assigned', agentId: 'agent-7' }));
    });
  }
}

const single = (name: string, body: (ctx: CallContext) => Promise<unknown>): FlowDefinition =>
  defineFlow({ name, prompts: Object.keys(PROMPTS), run: async (ctx) => void (await body(ctx)) });

describe('collect: validation, retries, secrets', () => {
  it('retries a too-short account number, then accepts; a PIN is masked, never logged, recording paused', async () => {
    const got: Record<string, string> = {};
    const recording: string[] = [];
    const flow = single('login', async (ctx) => {
      got.account = await ctx.collect({ id: 'account', prompt: 'p.account', validator: accountNumber() });
      ctx.data.account = got.account;
      got.pin = await ctx.collect({ id: 'pin', prompt: 'p.pin', validator: pinEntry() });
      await ctx.play('p.info', { id: 'welcome' });
    });
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const call = await h.call(flow, {
      recording: {
        pause: () => void recording.push(`pause@${h.scheduler.now()}`),
        resume: () => void recording.push(`resume@${h.scheduler.now()}`),
      },
    });
    await until(entered('account'));
    await h.press(call.caller, '123#', 1500); // too short
    await h.press(call.caller, '2024000517#', 1000);
    await until(entered('pin'));
    await h.press(call.caller, '135790', 500);
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('completed');
    expect(got).toEqual({ account: '2024000517', pin: '135790' });
    expect(h.eventsOf('input').map((e) => `${e.node}:${e.digits}:${e.valid ? 'ok' : e.reason}`)).toEqual([
      'account:123:too-short',
      'account:2024000517:ok',
      'pin:******:ok',
    ]);
    expect(h.eventsOf('node-left').find((e) => e.node === 'pin')?.input).toBe('******');
    const all = JSON.stringify(h.events) + h.logger.lines.join('\n');
    expect(all).not.toContain('135790');
    expect(recording.map((r) => r.split('@')[0])).toEqual(['pause', 'resume']);
    expect(h.eventsOf('recording').map((e) => e.state)).toEqual(['paused', 'resumed']);
  });

  it('ends with the max-failures exit (goodbye without an ACD) after three bad entries', async () => {
    const flow = single('login', (ctx) =>
      ctx.collect({ id: 'account', prompt: 'p.account', validator: accountNumber(), firstDigitTimeoutMs: 4000 }),
    );
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const call = await h.call(flow);
    await until(entered('account'));
    await h.press(call.caller, '1#', 1500);
    await h.press(call.caller, '22#', 1500);
    const outcome = await h.finish(call); // third failure: a timeout
    expect(outcome.status).toBe('max-failures');
    expect(outcome.lastNode).toBe('account');
    expect(h.eventsOf('input').map((e) => e.reason)).toEqual(['too-short', 'too-short', 'timeout']);
    expect((await h.scheduler.run(call.caller.whenReleased())).by).toBe('board');
  });
});

describe('menus: barge-in, 0 for an agent, max failures to an agent', () => {
  it('a key pressed during a long prompt stops it (barge-in)', async () => {
    const flow = single('m', (ctx) => ctx.menu({ id: 'menu', prompt: 'p.long', choices: ['1', '2'] }));
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const call = await h.call(flow);
    await until(entered('menu'));
    await h.wait(400);
    await h.press(call.caller, '2');
    await h.finish(call);
    const left = h.eventsOf('node-left').find((e) => e.node === 'menu')!;
    expect(left.input).toBe('2');
    expect(left.durationMs).toBeLessThan(1500); // the 3 s prompt was cut short
  });

  it('0 reaches an agent through the ACD with the data collected so far', async () => {
    const acd = new FakeAcd(() => h, { assignAfterMs: 4000 });
    const flow = single('m', async (ctx) => {
      ctx.data.account = '2024000517';
      await ctx.menu({ id: 'menu', prompt: 'm.main', choices: ['1', '2'] });
    });
    h = await new IvrHarness(PROMPTS).open({ acd, agent: { skills: ['billing'], priority: 2 } }, [flow]);
    const call = await h.call(flow);
    await until(entered('menu'));
    await h.press(call.caller, '0');
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('handed-off');
    expect(outcome.handedTo).toEqual({ kind: 'agent', agentId: 'agent-7' });
    expect(acd.requests[0]).toMatchObject({
      skills: ['billing'],
      priority: 2,
      callerId: '13800138000',
      data: { account: '2024000517' },
    });
    expect(h.nodesLeft()).toEqual(['menu:agent', 'agent:ok', 'agent-queue:handed-off']);
    expect(call.channel.state.state).toBe('connected'); // the IVR did not hang up a handed-off call
    await h.scheduler.run(call.channel.hangup());
  });

  it('max failures go to an agent; a closed queue apologises and says goodbye', async () => {
    const acd = new FakeAcd(() => h, { reject: true });
    const flow = single('m', (ctx) => ctx.menu({ id: 'menu', prompt: 'm.main', choices: ['1'], maxFailures: 2 }));
    h = await new IvrHarness(PROMPTS).open({ acd }, [flow]);
    const call = await h.call(flow);
    await until(entered('menu'));
    await h.press(call.caller, '5', 500);
    await h.press(call.caller, '6', 500);
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('max-failures');
    expect(acd.requests).toHaveLength(1);
    expect(h.nodesLeft()).toEqual(['menu:agent', 'agent:ok', 'agent-queue:failed', 'agent-unavailable:ok']);
  });
});

describe('app services', () => {
  it('a service that is down gets the spoken fallback and the flow goes on', async () => {
    const flow = single('bill', async (ctx) => {
      const r = await ctx.service('bill', () => Promise.reject(new Error('ECONNREFUSED')), { retries: 1 });
      ctx.vars.ok = r.ok;
      await ctx.play('p.info', { id: 'after' });
    });
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const call = await h.call(flow);
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('completed');
    expect(h.eventsOf('service').map((e) => e.status)).toEqual(['error', 'error']);
    expect(h.nodesLeft()).toEqual(['service:bill:failed', 'after:ok']);
  });

  it('a slow service gets please-wait, times out and is aborted', async () => {
    let aborted = false;
    const flow = single('bill', async (ctx) => {
      const r = await ctx.service(
        'bill',
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          ),
        { timeoutMs: 2500 },
      );
      expect(r).toEqual({ ok: false, reason: 'timeout' });
    });
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const call = await h.call(flow);
    await h.finish(call);
    const ev = h.eventsOf('service')[0]!;
    expect(ev.status).toBe('timeout');
    expect(ev.durationMs).toBe(2500);
    expect(aborted).toBe(true);
  });

  it('a fast service returns its value', async () => {
    const flow = single('bill', async (ctx) => {
      const r = await ctx.service('bill', async () => ({ fen: 12030 }));
      if (r.ok) await ctx.say({ type: 'money', fen: r.value.fen }, { id: 'amount' });
    });
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const outcome = await h.finish(await h.call(flow));
    expect(outcome.status).toBe('completed');
    expect(h.nodesLeft()).toEqual(['service:bill:ok', 'amount:ok']);
  });
});

describe('hangup at any moment ends the flow cleanly', () => {
  const cases: [string, (ctx: CallContext, extra: { acd: FakeAcd; released: Channel[] }) => Promise<unknown>][] = [
    ['play', (ctx) => ctx.play('p.long', { id: 'n' })],
    ['say', (ctx) => ctx.say({ type: 'digits', value: '13800138000' }, { id: 'n' })],
    ['menu', (ctx) => ctx.menu({ id: 'n', prompt: 'm.main', choices: ['1'] })],
    ['collect', (ctx) => ctx.collect({ id: 'n', prompt: 'p.account', validator: accountNumber() })],
    ['secret collect', (ctx) => ctx.collect({ id: 'n', prompt: 'p.pin', validator: pinEntry() })],
    ['record', (ctx) => ctx.record({ id: 'n', maxDurationMs: 30_000 })],
    ['queue', (ctx) => ctx.queue({ id: 'n', skills: ['general'] })],
    [
      'service',
      (ctx) =>
        ctx.service(
          'slow',
          (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('x')))),
          { id: 'n', timeoutMs: 60_000 },
        ),
    ],
    ['voicemail', (ctx) => ctx.voicemail({ id: 'n' })],
    ['survey', (ctx) => ctx.survey('n', [{ id: 'q1', prompt: 'q.1', kind: 'scale' }] as const)],
    ['transfer', (ctx) => ctx.transfer('95599', { id: 'n' })],
    ['fax', (ctx) => ctx.fax({ id: 'n', documents: ['/tmp/doc.tif'], prompt: 'p.long' })],
    [
      'sub-flow',
      (ctx) =>
        ctx.sub(
          single('inner', (c) => c.menu({ id: 'n', prompt: 'm.main', choices: ['1'] })),
          undefined,
        ),
    ],
  ];
  it.each(cases)('in a %s node', async (_kind, body) => {
    const acd = new FakeAcd(() => h, {});
    const released: Channel[] = [];
    const flow = single('f', async (ctx) => {
      await body(ctx, { acd, released });
      await ctx.play('p.info', { id: 'never' });
    });
    h = new IvrHarness(PROMPTS);
    h.sim.subscriber('95599', { type: 'no-answer' });
    const lines: TransferLines = {
      acquire: () => h.board.channels.find((c) => c.state.state === 'idle'),
      release: (c) => void released.push(c),
    };
    await h.open({ acd, transferLines: lines }, [flow]);
    const call = await h.call(flow);
    await until(entered('n'));
    await h.wait(1200);
    call.caller.hangup();
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('caller-hangup');
    expect(outcome.path).not.toContain('never');
    expect(outcome.lastNode.startsWith('n')).toBe(true);
    expect(h.eventsOf('node-left').find((e) => e.node === 'n')?.result).toBe('hangup');
    expect(h.runtime.activeCalls).toBe(0);
    expect(h.eventsOf('call-ended')).toHaveLength(1);
    if (_kind === 'queue') expect(acd.aborted).toBe(1);
    if (_kind === 'transfer') {
      expect(released).toHaveLength(1);
      await h.wait(1000);
      expect(released[0]!.state.state).toBe('idle');
    }
    if (_kind === 'voicemail') {
      const vm = h.results.find((r) => r.type === 'voicemail');
      expect(vm?.type === 'voicemail' && vm.message.complete).toBe(false);
    }
    if (_kind === 'survey') {
      const s = h.results.find((r) => r.type === 'survey');
      expect(s?.type === 'survey' && s.result.completed).toBe(false);
    }
    expect(h.board.channels.every((c) => c.state.state === 'idle')).toBe(true);
  });
});

describe('a caller who gives up while the call is answered', () => {
  it('is an outcome, not an error', async () => {
    const flow = single('f', (ctx) => ctx.play('p.info'));
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const offered = new Promise<Channel>((resolve) => h.board.incoming$.subscribe(({ channel }) => resolve(channel)));
    const caller = h.sim.call({ from: '13800138000' });
    const channel = await h.scheduler.run(offered, 30_000);
    caller.hangup();
    await h.wait(200);
    const outcome = await h.scheduler.run(h.runtime.run(channel, flow));
    expect(outcome).toMatchObject({ status: 'caller-hangup', lastNode: 'answer' });
  });
});

describe('voicemail, survey, transfer, fax', () => {
  it('voicemail with review: listen, re-record, keep, confirm caller ID, no reply wanted', async () => {
    const flow = single('vm', (ctx) => ctx.voicemail({ id: 'vm', mailbox: 'complaints' }));
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const call = await h.call(flow);
    await until(entered('vm.record'));
    await h.wait(800); // greeting + beep
    await h.scheduler.run(call.caller.say(synthesizeSpeech({ durationMs: 2000, seed: 1 })));
    await h.press(call.caller, '#');
    await until(entered('vm.review'));
    await h.press(call.caller, '1', 3000); // listen
    await until(() => h.eventsOf('node-entered').filter((e) => e.node === 'vm.review').length === 2);
    await h.press(call.caller, '2'); // record again
    await until(() => h.eventsOf('node-entered').filter((e) => e.node === 'vm.record').length === 2);
    await h.wait(800);
    await h.scheduler.run(call.caller.say(synthesizeSpeech({ durationMs: 1500, seed: 2 })));
    await h.press(call.caller, '#');
    await until(() => h.eventsOf('node-entered').filter((e) => e.node === 'vm.review').length === 3);
    await h.press(call.caller, '3'); // keep
    await until(entered('vm.callback'));
    await h.press(call.caller, '1'); // caller ID is right
    await until(entered('vm.reply'));
    await h.press(call.caller, '2'); // no reply wanted
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('completed');
    const vms = h.results.filter((r) => r.type === 'voicemail');
    expect(vms).toHaveLength(1);
    const m = vms[0]!.type === 'voicemail' ? vms[0]!.message : undefined;
    expect(m).toMatchObject({
      mailbox: 'complaints',
      callbackNumber: '13800138000',
      callbackConfirmed: true,
      replyWanted: false,
      complete: true,
    });
    expect(m!.durationMs).toBeGreaterThan(1200);
    expect(m!.durationMs).toBeLessThan(2600);
    expect(existsSync(m!.path)).toBe(true);
    expect(readWav(readFileSync(m!.path)).samples.length).toBeGreaterThan(8000);
  });

  for (const failing of [false, true]) {
    it(`voicemail persist hook: ${failing ? 'a failed store is apologised for and the message published instead' : 'stored before the caller hears it was saved, not published twice'}`, async () => {
      const order: string[] = [];
      const flow = single('vm', (ctx) =>
        ctx.voicemail({
          id: 'vm',
          review: false,
          askCallback: false,
          askReply: false,
          persist: async (m) => {
            order.push(`persist ${m.mailbox}`);
            if (failing) throw new Error('disk full');
          },
        }),
      );
      h = await new IvrHarness(PROMPTS).open({}, [flow]);
      const call = await h.call(flow);
      await until(entered('vm.record'));
      await h.wait(800);
      await h.scheduler.run(call.caller.say(synthesizeSpeech({ durationMs: 2000, seed: 3 })));
      await h.press(call.caller, '#');
      const outcome = await h.finish(call);
      const saved = h.eventsOf('node-entered').filter((e) => e.node === 'vm.saved');
      const apology = h.eventsOf('node-entered').filter((e) => e.node === 'vm.persist-failed');
      expect(order).toEqual(['persist general']);
      const published = h.results.filter((r) => r.type === 'voicemail');
      if (failing) {
        expect(saved).toHaveLength(0);
        expect(apology).toHaveLength(1);
        expect(published).toHaveLength(1);
        expect(outcome.status).toBe('failed');
      } else {
        expect(saved).toHaveLength(1);
        expect(published).toHaveLength(0);
        expect(outcome.status).toBe('completed');
      }
    });
  }

  it('survey: repeat, skip, scale and yes/no, as a typed record', async () => {
    let answers:
      | { overall: number | null | undefined; speed: number | null | undefined; resolved: boolean | null | undefined }
      | undefined;
    const flow = single('survey', async (ctx) => {
      const r = await ctx.survey('csat', [
        { id: 'overall', prompt: 'q.1', kind: 'scale' },
        { id: 'speed', prompt: 'q.2', kind: 'scale' },
        { id: 'resolved', prompt: 'q.3', kind: 'yes-no' },
      ] as const);
      answers = r.answers;
    });
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const call = await h.call(flow);
    await until(entered('csat.overall'));
    await h.press(call.caller, '*', 1500); // hear it again
    await h.press(call.caller, '9', 1500); // not on the scale
    await h.press(call.caller, '5');
    await until(entered('csat.speed'));
    await h.press(call.caller, '#'); // skip
    await until(entered('csat.resolved'));
    await h.press(call.caller, '1');
    await h.finish(call);
    expect(answers).toEqual({ overall: 5, speed: null, resolved: true });
    const s = h.results.find((r) => r.type === 'survey');
    expect(s?.type === 'survey' && s.result).toMatchObject({ answered: 2, completed: true });
  });

  it('transfer bridges the caller to the answered number and hands the call off', async () => {
    const flow = single('t', (ctx) => ctx.transfer('95599', { id: 'xfer' }));
    h = new IvrHarness(PROMPTS);
    h.sim.subscriber('95599', { type: 'answer', afterRings: 1 });
    await h.open(
      {
        transferLines: {
          acquire: () => h.board.channels.find((c) => c.state.state === 'idle'),
          release: () => undefined,
        },
      },
      [flow],
    );
    const call = await h.call(flow);
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('handed-off');
    expect(outcome.handedTo).toEqual({ kind: 'transfer', target: '***99' });
    expect(call.channel.bridgedTo).toBeDefined();
    await h.scheduler.run(call.channel.hangup());
  });

  it('transfer to a busy number says so and lets the flow continue', async () => {
    const released: Channel[] = [];
    const flow = single('t', async (ctx) => {
      const r = await ctx.transfer('95599', { id: 'xfer' });
      ctx.vars.r = r.status;
      await ctx.play('p.info', { id: 'after' });
    });
    h = new IvrHarness(PROMPTS);
    h.sim.subscriber('95599', { type: 'busy' });
    await h.open(
      {
        transferLines: {
          acquire: () => h.board.channels.find((c) => c.state.state === 'idle'),
          release: (c) => void released.push(c),
        },
      },
      [flow],
    );
    const call = await h.call(flow);
    const outcome = await h.finish(call);
    expect(outcome.status).toBe('completed');
    expect(h.nodesLeft()).toEqual(['xfer:failed', 'after:ok']);
    expect(released).toHaveLength(1);
  });

  it('fax on demand on a board without a fax engine reports unsupported and apologises', async () => {
    const flow = single('f', async (ctx) => {
      const r = await ctx.fax({ id: 'fax', documents: ['/tmp/prices.tif'] });
      ctx.vars.fax = r.status;
      expect(r.status).toBe('unsupported');
    });
    h = await new IvrHarness(PROMPTS).open({}, [flow]);
    const outcome = await h.finish(await h.call(flow));
    expect(outcome.status).toBe('completed');
    expect(h.nodesLeft()).toEqual(['fax:failed']);
  });
});
