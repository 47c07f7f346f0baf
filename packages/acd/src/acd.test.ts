import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Acd } from './acd.js';
import type { Logger } from './logger.js';
import type { AgentConfig, QueueConfig } from './model.js';
import type { RoutingStrategy } from './strategies.js';
import { harness, T0, thrown } from './test-support.js';

const agents = (n: number, skills: Record<string, number> = { general: 1 }): AgentConfig[] =>
  Array.from({ length: n }, (_, i) => ({ id: `a${i + 1}`, skills }));

/** Logs agents in ready one after another, 1 s apart (a1 idle longest). */
function readyInOrder(h: ReturnType<typeof harness>, ids: readonly string[]): void {
  for (const id of ids) {
    h.acd.login(id, { ready: true });
    h.clock.advanceBy(1_000);
  }
}

/** Answers, then ends at once (no wrap-up configured), so the agent is free again. */
function handle(h: ReturnType<typeof harness>, ix: string, agentId: string, talkMs = 1_000): void {
  h.acd.answered(ix, agentId);
  h.clock.advanceBy(talkMs);
  h.acd.hangup(ix, 'agent');
}

describe('routing strategies', () => {
  it('longest idle (default): the agent available longest, who then goes to the back', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(3) });
    readyInOrder(h, ['a2', 'a3', 'a1']);
    const r1 = h.acd.enqueue({ queueId: 'q' });
    expect(r1).toMatchObject({ status: 'offered', agentIds: ['a2'] });
    handle(h, r1.interactionId, 'a2');
    const r2 = h.acd.enqueue({ queueId: 'q' });
    expect(r2).toMatchObject({ status: 'offered', agentIds: ['a3'] });
    handle(h, r2.interactionId, 'a3');
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({ agentIds: ['a1'] });
    const offered = h.events.find((e) => e.type === 'offered');
    expect(offered).toMatchObject({ strategy: 'longest-idle', reason: expect.stringContaining('longest idle') });
  });

  it('round robin with memory: the next agent after the last one, by registration order', () => {
    const h = harness({ queues: [{ id: 'q', strategy: 'round-robin' }], agents: agents(3) });
    readyInOrder(h, ['a3', 'a1', 'a2']);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = h.acd.enqueue({ queueId: 'q' });
      if (r.status !== 'offered') throw new Error('expected an offer');
      order.push(...r.agentIds);
      handle(h, r.interactionId, r.agentIds[0] as string);
    }
    expect(order).toEqual(['a1', 'a2', 'a3', 'a1', 'a2']);
  });

  it('fewest calls: the agent who answered the fewest since login', () => {
    const h = harness({ queues: [{ id: 'q', strategy: 'fewest-calls' }], agents: agents(3) });
    readyInOrder(h, ['a1', 'a2', 'a3']);
    // a1 takes two calls, a2 one, a3 none (forced by setting others not ready).
    h.acd.setNotReady('a2', 'x');
    h.acd.setNotReady('a3', 'x');
    for (let i = 0; i < 2; i++) handle(h, h.acd.enqueue({ queueId: 'q' }).interactionId, 'a1');
    h.acd.setReady('a2');
    h.acd.setNotReady('a1', 'x');
    handle(h, h.acd.enqueue({ queueId: 'q' }).interactionId, 'a2');
    h.acd.setReady('a1');
    h.acd.setReady('a3');
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({ agentIds: ['a3'] });
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({ agentIds: ['a2'] });
  });

  it('best skill: the highest level on the required skills', () => {
    const h = harness({
      queues: [{ id: 'q', strategy: 'best-skill', skills: [{ skill: 'repair' }] }],
      agents: [
        { id: 'a1', skills: { repair: 2 } },
        { id: 'a2', skills: { repair: 5 } },
        { id: 'a3', skills: { repair: 3, billing: 5 } },
      ],
    });
    readyInOrder(h, ['a1', 'a2', 'a3']);
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({ agentIds: ['a2'] });
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({ agentIds: ['a3'] });
    expect(h.events.filter((e) => e.type === 'offered').map((e) => (e as { reason: string }).reason)).toEqual([
      'best skill: level sum 5',
      'best skill: level sum 3',
    ]);
  });

  it('ring all: every candidate rings; the first to answer wins and the others are retracted', () => {
    const h = harness({ queues: [{ id: 'q', strategy: 'ring-all' }], agents: agents(3) });
    readyInOrder(h, ['a1', 'a2', 'a3']);
    const r = h.acd.enqueue({ queueId: 'q' });
    expect(r).toMatchObject({ status: 'offered', agentIds: ['a1', 'a2', 'a3'] });
    expect(h.assignments.filter((a) => a.type === 'offer' && a.ringAll)).toHaveLength(3);
    expect(thrown(() => h.acd.answered(r.interactionId)).code).toBe('ERR_INVALID_ARGUMENT');
    h.acd.answered(r.interactionId, 'a2');
    expect(h.acd.agentSnapshot('a2').key).toBe('ready/connected');
    expect(h.acd.agentSnapshot('a1').key).toBe('ready/idle');
    expect(h.acd.agentSnapshot('a3').key).toBe('ready/idle');
    expect(h.assignments.filter((a) => a.type === 'retract')).toEqual([
      { type: 'retract', interactionId: r.interactionId, agentId: 'a1', cause: 'answered-elsewhere' },
      { type: 'retract', interactionId: r.interactionId, agentId: 'a3', cause: 'answered-elsewhere' },
    ]);
    // A second answer by a retracted agent is reported, not applied.
    expect(thrown(() => h.acd.answered(r.interactionId, 'a1')).code).toBe('ERR_ILLEGAL_TRANSITION');
  });

  it('custom strategies: chosen by name, reason carried; a bad choice falls back to longest idle', () => {
    const logs: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (m) => logs.push(m) };
    const lastById: RoutingStrategy = (ctx) => {
      let best: string | undefined;
      for (const a of ctx.candidates) if (!best || a.id > best) best = a.id;
      return best ? { agentIds: [best], reason: `custom: highest id ${best}`, remember: { last: best } } : null;
    };
    const bogus: RoutingStrategy = () => ({ agentIds: ['nobody'], reason: 'bogus' });
    const h = harness({
      queues: [
        { id: 'q', strategy: 'last-by-id' },
        { id: 'b', strategy: 'bogus' },
      ],
      agents: agents(3),
      strategies: { 'last-by-id': lastById, bogus },
      logger,
    });
    readyInOrder(h, ['a1', 'a2', 'a3']);
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({ agentIds: ['a3'] });
    expect(h.events.find((e) => e.type === 'offered')).toMatchObject({
      strategy: 'last-by-id',
      reason: 'custom: highest id a3',
    });
    expect(h.acd.enqueue({ queueId: 'b' })).toMatchObject({ agentIds: ['a1'] });
    expect(logs).toContain('acd: strategy chose an agent that is not a candidate; using longest idle');
    expect(thrown(() => h.acd.addQueue({ id: 'c', strategy: 'missing' })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('previewRoute decides without side effects', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(2) });
    readyInOrder(h, ['a2', 'a1']);
    const before = h.events.length;
    expect(h.acd.previewRoute({ queueId: 'q' })).toMatchObject({ agentIds: ['a2'] });
    expect(h.acd.previewRoute({ queueId: 'q', skills: [{ skill: 'general', minLevel: 2 }] })).toBeNull();
    expect(h.events.length).toBe(before);
  });
});

describe('redirect on no answer', () => {
  it('goes back to the head with its original age; N misses set the agent not ready', () => {
    const h = harness({ queues: [{ id: 'q', noAnswerTimeoutMs: 15_000 }], agents: agents(2), maxMisses: 1 });
    h.acd.login('a1', { ready: true });
    const first = h.acd.enqueue({ queueId: 'q' });
    expect(first).toMatchObject({ status: 'offered', agentIds: ['a1'] });
    h.clock.advanceBy(5_000);
    const second = h.acd.enqueue({ queueId: 'q' });
    expect(second).toMatchObject({ status: 'queued', position: 1 });
    h.clock.advanceBy(10_000);
    expect(h.events).toContainEqual(
      expect.objectContaining({
        type: 'no-answer',
        interactionId: first.interactionId,
        agentId: 'a1',
        cause: 'timeout',
        misses: 1,
      }),
    );
    expect(h.acd.agentSnapshot('a1').state).toEqual({ presence: 'not-ready', activity: 'idle', reason: 'no-answer' });
    expect(h.acd.position(first.interactionId)).toBe(1);
    expect(h.acd.position(second.interactionId)).toBe(2);
    // Not a new queue entry: offered once.
    expect(h.events.filter((e) => e.type === 'enqueued' && e.interactionId === first.interactionId)).toHaveLength(1);
    h.clock.advanceBy(3_000);
    h.acd.login('a2', { ready: true });
    h.acd.answered(first.interactionId, 'a2');
    expect(h.events.at(-2)).toMatchObject({ type: 'answered', interactionId: first.interactionId, waitMs: 18_000 });
  });

  it('reject and a failed agent line redirect at once; each counts as a miss', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(2), maxMisses: 2 });
    readyInOrder(h, ['a1', 'a2']);
    const r = h.acd.enqueue({ queueId: 'q' });
    h.acd.rejected(r.interactionId, 'a1');
    expect(h.acd.interactionStatus(r.interactionId)).toMatchObject({ status: 'offered', agentIds: ['a2'] });
    h.acd.offerFailed(r.interactionId, 'a2');
    // a1 is idle longest again: offered back to it; a second miss sets it not ready.
    expect(h.acd.interactionStatus(r.interactionId).agentIds).toEqual(['a1']);
    h.acd.rejected(r.interactionId, 'a1');
    expect(h.acd.agentSnapshot('a1').state).toMatchObject({ presence: 'not-ready', reason: 'no-answer' });
    expect(h.acd.agentSnapshot('a2').misses).toBe(1);
    expect(h.acd.interactionStatus(r.interactionId).agentIds).toEqual(['a2']);
    h.acd.answered(r.interactionId, 'a2');
    expect(h.acd.agentSnapshot('a2').misses).toBe(0);
  });
});

describe('overflow and limits', () => {
  const base: QueueConfig = { id: 'q', maxWaitMs: 60_000, maxWaitTarget: { kind: 'queue', queueId: 'backup' } };

  it('max wait moves the caller to the overflow queue with its original age', () => {
    const h = harness({
      queues: [base, { id: 'backup', skills: [{ skill: 'backup' }] }],
      agents: [{ id: 'b1', skills: { backup: 1 } }],
    });
    h.acd.login('b1', { ready: true });
    h.acd.answered(h.acd.enqueue({ queueId: 'backup' }).interactionId, 'b1'); // b1 busy
    h.clock.advanceBy(1_000);
    const r = h.acd.enqueue({ queueId: 'q', interactionId: 'c1' });
    h.clock.advanceBy(30_000);
    h.acd.enqueue({ queueId: 'backup', interactionId: 'younger' });
    h.clock.advanceBy(30_000);
    expect(h.events).toContainEqual(
      expect.objectContaining({
        type: 'overflowed',
        interactionId: 'c1',
        queueId: 'q',
        waitMs: 60_000,
        reason: 'max-wait',
      }),
    );
    expect(h.events).toContainEqual(
      expect.objectContaining({
        type: 'enqueued',
        interactionId: 'c1',
        queueId: 'backup',
        cause: 'overflow',
        enqueuedAt: T0 + 1_000,
      }),
    );
    expect(h.acd.waiting('backup').map((w) => w.interactionId)).toEqual(['c1', 'younger']);
    expect(r.status).toBe('queued');
  });

  it('max wait to voicemail diverts; callback-offer keeps the caller in line', () => {
    const h = harness({
      queues: [
        { id: 'vm', maxWaitMs: 10_000 },
        { id: 'cb', maxWaitMs: 10_000, maxWaitTarget: { kind: 'callback-offer' } },
      ],
    });
    h.acd.enqueue({ queueId: 'vm', interactionId: 'v' });
    h.acd.enqueue({ queueId: 'cb', interactionId: 'c' });
    h.clock.advanceBy(10_000);
    expect(h.assignments).toContainEqual({
      type: 'divert',
      interactionId: 'v',
      queueId: 'vm',
      target: { kind: 'voicemail' },
      reason: 'max-wait',
    });
    expect(thrown(() => h.acd.position('v')).code).toBe('ERR_UNKNOWN_INTERACTION');
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'callback-offer-due', interactionId: 'c', waitMs: 10_000 }),
    );
    expect(h.acd.position('c')).toBe(1);
  });

  it('max wait reached while ringing overflows when the offer fails', () => {
    const h = harness({
      queues: [{ ...base, maxWaitTarget: { kind: 'voicemail' }, noAnswerTimeoutMs: 20_000 }],
      agents: agents(1),
    });
    h.clock.advanceBy(50_000);
    h.acd.enqueue({ queueId: 'q', interactionId: 'c1' });
    h.clock.advanceBy(50_000);
    h.acd.login('a1', { ready: true });
    expect(h.acd.interactionStatus('c1').status).toBe('offered');
    h.clock.advanceBy(20_000);
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'overflowed', interactionId: 'c1', waitMs: 70_000 }),
    );
  });

  it('max length diverts new callers; emergencies bypass it', () => {
    const h = harness({ queues: [{ id: 'q', maxLength: 2 }] });
    expect(h.acd.enqueue({ queueId: 'q' }).status).toBe('queued');
    expect(h.acd.enqueue({ queueId: 'q' }).status).toBe('queued');
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({
      status: 'diverted',
      reason: 'max-length',
      target: { kind: 'voicemail' },
    });
    expect(h.acd.enqueue({ queueId: 'q', priority: 'emergency' })).toMatchObject({ status: 'queued', position: 1 });
    const figures = h.acd.statistics().queues['q'];
    expect(figures).toMatchObject({ offered: 3, diverted: 1 });
  });
});

describe('hours of operation (Asia/Shanghai)', () => {
  const hours = {
    weekly: {
      mon: [['08:00', '18:00']],
      tue: [['08:00', '18:00']],
      wed: [['08:00', '18:00']],
      thu: [['08:00', '18:00']],
      fri: [['08:00', '18:00']],
    },
    holidays: ['2026-12-03'],
    specialDays: { '2026-12-05': [['09:00', '12:00']] },
  } as const;

  it('diverts outside hours to the closed target; emergencies are always accepted', () => {
    const h = harness({
      queues: [{ id: 'day', hours, closedTarget: { kind: 'queue', queueId: 'night' } }, { id: 'night' }],
    });
    expect(h.acd.isOpen('day')).toBe(true); // Tue 10:00
    h.clock.advanceBy(9 * 3_600_000); // Tue 19:00
    expect(h.acd.isOpen('day')).toBe(false);
    const r = h.acd.enqueue({ queueId: 'day' });
    expect(r).toMatchObject({ status: 'queued', queueId: 'night' });
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'diverted', queueId: 'day', reason: 'closed' }));
    expect(h.acd.enqueue({ queueId: 'day', priority: 'emergency' })).toMatchObject({
      status: 'queued',
      queueId: 'day',
    });
    // Thu 2026-12-03 is a holiday; Sat 2026-12-05 a make-up morning.
    expect(h.acd.isOpen('day', T0 + 2 * 86_400_000)).toBe(false);
    expect(h.acd.isOpen('day', T0 + 4 * 86_400_000)).toBe(true);
    expect(h.acd.isOpen('day', T0 + 4 * 86_400_000 + 2 * 3_600_000)).toBe(false);
  });
});

describe('queued callbacks (virtual hold)', () => {
  it('keep their place, count in position, and are offered when they reach the head', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(1) });
    h.acd.login('a1', { ready: true });
    const busy = h.acd.enqueue({ queueId: 'q' });
    h.acd.answered(busy.interactionId, 'a1');
    for (const id of ['c1', 'c2', 'c3']) {
      h.acd.enqueue({ queueId: 'q', interactionId: id });
      h.clock.advanceBy(1_000);
    }
    h.acd.requestCallback('c2');
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'callback-requested', interactionId: 'c2', position: 2 }),
    );
    expect(h.acd.waiting('q').map((w) => [w.interactionId, w.media, w.position])).toEqual([
      ['c1', 'voice', 1],
      ['c2', 'callback', 2],
      ['c3', 'voice', 3],
    ]);
    // A web callback request entered now waits behind all of them and sees them in its position.
    expect(h.acd.enqueue({ queueId: 'q', media: 'callback', interactionId: 'web' })).toMatchObject({
      status: 'queued',
      position: 4,
    });
    const served: string[] = [];
    h.acd.hangup(busy.interactionId);
    for (let i = 0; i < 4; i++) {
      const offer = h.assignments.filter((a) => a.type === 'offer').at(-1);
      if (offer?.type !== 'offer') throw new Error('no offer');
      served.push(`${offer.interactionId}:${offer.media}`);
      handle(h, offer.interactionId, 'a1');
    }
    expect(served).toEqual(['c1:voice', 'c2:callback', 'c3:voice', 'web:callback']);
    expect(h.acd.statistics().queues['q']).toMatchObject({ callbacksRequested: 1, abandoned: 0 });
    expect(thrown(() => h.acd.requestCallback('web')).code).toBe('ERR_UNKNOWN_INTERACTION');
  });
});

describe('priorities and the next-work selector', () => {
  it('serves emergency, then VIP, then normal; oldest first within a class', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(1) });
    for (const [id, priority] of [
      ['n1', 'normal'],
      ['v1', 'vip'],
      ['n2', 'normal'],
      ['e1', 'emergency'],
      ['v2', 'vip'],
    ] as const) {
      h.acd.enqueue({ queueId: 'q', interactionId: id, priority });
      h.clock.advanceBy(1_000);
    }
    h.acd.login('a1', { ready: true });
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const offer = h.assignments.filter((a) => a.type === 'offer').at(-1) as { interactionId: string };
      order.push(offer.interactionId);
      handle(h, offer.interactionId, 'a1');
    }
    expect(order).toEqual(['e1', 'v1', 'v2', 'n1', 'n2']);
  });

  it("picks across all of an agent's queues by class, then age, then arrival — deterministically", () => {
    const h = harness({
      queues: [
        { id: 'billing', skills: [{ skill: 'billing' }] },
        { id: 'repair', skills: [{ skill: 'repair' }] },
      ],
      agents: [{ id: 'a1', skills: { billing: 1, repair: 1 } }],
    });
    h.acd.enqueue({ queueId: 'billing', interactionId: 'b-old' });
    h.acd.enqueue({ queueId: 'repair', interactionId: 'r-same-time' });
    h.clock.advanceBy(1_000);
    h.acd.enqueue({ queueId: 'repair', interactionId: 'r-vip', priority: 'vip' });
    h.acd.enqueue({ queueId: 'billing', interactionId: 'b-young' });
    expect(h.acd.nextWorkFor('a1')).toBe('r-vip');
    h.acd.login('a1', { ready: true });
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const offer = h.assignments.filter((a) => a.type === 'offer').at(-1) as { interactionId: string };
      order.push(offer.interactionId);
      handle(h, offer.interactionId, 'a1');
    }
    expect(order).toEqual(['r-vip', 'b-old', 'r-same-time', 'b-young']);
  });

  it('a transfer into another queue keeps the original age', () => {
    const h = harness({
      queues: [{ id: 'front' }, { id: 'expert', skills: [{ skill: 'gas' }] }],
      agents: [
        { id: 'a1', skills: {} },
        { id: 'x1', skills: { gas: 1 } },
      ],
    });
    h.acd.login('a1', { ready: true });
    const r = h.acd.enqueue({ queueId: 'front', interactionId: 'old' });
    h.acd.answered(r.interactionId, 'a1');
    h.clock.advanceBy(60_000);
    h.acd.enqueue({ queueId: 'expert', interactionId: 'young' });
    h.acd.transfer('old', { kind: 'queue', queueId: 'expert' });
    expect(h.acd.waiting('expert').map((w) => w.interactionId)).toEqual(['old', 'young']);
  });
});

describe('agent line and desktop failures', () => {
  it('a desktop disconnect keeps the call in hand; after the grace the agent is not ready', () => {
    const h = harness({ queues: [{ id: 'q', wrapUpMs: 5_000 }], agents: agents(2), disconnectGraceMs: 30_000 });
    readyInOrder(h, ['a1', 'a2']);
    const r = h.acd.enqueue({ queueId: 'q' });
    h.acd.answered(r.interactionId, 'a1');
    h.acd.desktopDisconnected('a1');
    h.clock.advanceBy(29_999);
    expect(h.acd.agentSnapshot('a1')).toMatchObject({ key: 'ready/connected', desktop: 'offline' });
    h.clock.advanceBy(1);
    expect(h.acd.agentSnapshot('a1').state).toEqual({
      presence: 'not-ready',
      activity: 'connected',
      reason: 'disconnected',
    });
    expect(h.acd.interactionStatus(r.interactionId)).toMatchObject({ status: 'connected', agentIds: ['a1'] });
    h.acd.hangup(r.interactionId);
    h.clock.advanceBy(5_000);
    expect(h.acd.agentSnapshot('a1').key).toBe('not-ready/idle');
  });

  it('no new work while offline; reconnecting in time restores the agent; a ringing offer is redirected at grace', () => {
    const h = harness({
      queues: [{ id: 'q', noAnswerTimeoutMs: 120_000 }],
      agents: agents(2),
      disconnectGraceMs: 30_000,
    });
    readyInOrder(h, ['a1', 'a2']);
    h.acd.desktopDisconnected('a1');
    expect(h.acd.enqueue({ queueId: 'q' })).toMatchObject({ agentIds: ['a2'] });
    h.acd.desktopReconnected('a1');
    h.clock.advanceBy(60_000);
    expect(h.acd.agentSnapshot('a1').key).toBe('ready/idle');
    const r = h.acd.enqueue({ queueId: 'q' });
    expect(r).toMatchObject({ agentIds: ['a1'] });
    h.acd.desktopDisconnected('a1');
    h.clock.advanceBy(30_000);
    expect(h.events).toContainEqual(
      expect.objectContaining({
        type: 'no-answer',
        interactionId: r.interactionId,
        agentId: 'a1',
        cause: 'disconnected',
      }),
    );
    expect(h.acd.agentSnapshot('a1').state).toMatchObject({ presence: 'not-ready', reason: 'disconnected' });
    expect(h.acd.position(r.interactionId)).toBe(1);
  });

  it('a lost agent leg re-queues the caller at the head with its age', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(2) });
    h.acd.login('a1', { ready: true });
    const r = h.acd.enqueue({ queueId: 'q', interactionId: 'c1' });
    h.acd.answered('c1', 'a1');
    h.clock.advanceBy(5_000);
    h.acd.enqueue({ queueId: 'q', interactionId: 'c2' });
    h.acd.agentLegLost('c1');
    expect(h.acd.waiting('q').map((w) => w.interactionId)).toEqual(['c1', 'c2']);
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'enqueued', interactionId: 'c1', cause: 'requeue', enqueuedAt: T0 }),
    );
    expect(h.acd.agentSnapshot('a1').state).toMatchObject({ presence: 'not-ready', reason: 'line-failure' });
    h.acd.login('a2', { ready: true });
    expect(h.acd.interactionStatus(r.interactionId).agentIds).toEqual(['a2']);
  });

  it('force logout with a call in hand waits for the call to end, never dropping it', () => {
    const h = harness({ queues: [{ id: 'q', wrapUpMs: 10_000 }], agents: agents(1) });
    h.acd.login('a1', { ready: true });
    const r = h.acd.enqueue({ queueId: 'q' });
    h.acd.answered(r.interactionId, 'a1');
    h.acd.forceLogout('a1');
    expect(h.acd.agentSnapshot('a1').state).toEqual({
      presence: 'not-ready',
      activity: 'connected',
      reason: 'logout-pending',
    });
    expect(thrown(() => h.acd.setReady('a1')).code).toBe('ERR_ILLEGAL_STATE');
    h.acd.hangup(r.interactionId);
    h.acd.wrapUpDone('a1');
    expect(h.acd.agentSnapshot('a1').key).toBe('logged-out');
  });
});

describe('statistics through the ACD', () => {
  it('credits talk and hold to the agent who had them when a call is transferred', () => {
    const h = harness({
      queues: [
        { id: 'q1', wrapUpMs: 20_000 },
        { id: 'q2', skills: [{ skill: 'gas' }] },
      ],
      agents: [
        { id: 'a1', skills: {} },
        { id: 'a2', skills: { gas: 1 } },
      ],
    });
    h.acd.login('a1', { ready: true });
    h.clock.advanceBy(4_000);
    h.acd.enqueue({ queueId: 'q1', interactionId: 'c' });
    h.clock.advanceBy(6_000);
    h.acd.answered('c', 'a1');
    h.clock.advanceBy(60_000);
    h.acd.hold('c');
    h.clock.advanceBy(30_000);
    h.acd.transfer('c', { kind: 'queue', queueId: 'q2' });
    h.clock.advanceBy(10_000);
    h.acd.login('a2', { ready: true });
    h.acd.answered('c', 'a2');
    h.clock.advanceBy(120_000);
    h.acd.hangup('c');
    const s = h.acd.statistics();
    expect(s.agents['a1']).toMatchObject({
      answered: 1,
      handled: 1,
      transfers: 1,
      talkMs: 60_000,
      holdMs: 30_000,
      wrapMs: 20_000,
    });
    expect(s.agents['a2']).toMatchObject({ answered: 1, handled: 1, talkMs: 120_000, holdMs: 0, wrapMs: 0 });
    expect(s.queues['q1']).toMatchObject({ offered: 1, answered: 1, transferredOut: 1, asaMs: 6_000, ahtMs: 110_000 });
    expect(s.queues['q2']).toMatchObject({ offered: 1, answered: 1, asaMs: 10_000, ahtMs: 120_000 });
  });
});

describe('expected wait and announcements', () => {
  it('is immediate with a free agent, unknown without staff, and grows with position', () => {
    const h = harness({ queues: [{ id: 'q', expectedHandleMs: 120_000 }], agents: agents(2) });
    expect(h.acd.expectedWait({ queueId: 'q' })).toEqual({ status: 'unknown', reason: 'no-agents' });
    readyInOrder(h, ['a1', 'a2']);
    expect(h.acd.expectedWait({ queueId: 'q' })).toEqual({ status: 'immediate' });
    h.acd.enqueue({ queueId: 'q' });
    h.acd.enqueue({ queueId: 'q' });
    const r1 = h.acd.enqueue({ queueId: 'q' });
    const r2 = h.acd.enqueue({ queueId: 'q' });
    if (r1.status !== 'queued' || r2.status !== 'queued') throw new Error('expected queued');
    expect(r1.expectedWait).toMatchObject({
      status: 'estimate',
      ms: 60_000,
      position: 1,
      staffed: 2,
      ahtMs: 120_000,
      samples: 0,
    });
    expect(r2.expectedWait).toMatchObject({ ms: 120_000, position: 2 });
    const w = r2.expectedWait as { lowMs: number; highMs: number; ms: number };
    expect(w.lowMs).toBeLessThan(w.ms);
    expect(w.highMs).toBeGreaterThan(w.ms);
    expect(h.acd.expectedWait({ queueId: 'q', priority: 'emergency' })).toMatchObject({ position: 1 });
  });

  it('announces position and expected wait at the interval until the caller is offered', () => {
    const h = harness({
      queues: [{ id: 'q', announcements: { intervalMs: 30_000, firstAfterMs: 10_000 } }],
      agents: agents(1),
    });
    const announced: [string, number, number][] = [];
    h.acd.announcements$.subscribe((a) => announced.push([a.interactionId, a.position, a.at - T0]));
    h.acd.login('a1', { ready: true });
    h.acd.enqueue({ queueId: 'q', interactionId: 'busy' });
    h.acd.answered('busy', 'a1');
    h.acd.enqueue({ queueId: 'q', interactionId: 'w1' });
    h.acd.enqueue({ queueId: 'q', interactionId: 'w2' });
    h.clock.advanceBy(45_000);
    h.acd.hangup('busy');
    h.clock.advanceBy(30_000);
    expect(announced).toEqual([
      ['w1', 1, 10_000],
      ['w2', 2, 10_000],
      ['w1', 1, 40_000],
      ['w2', 2, 40_000],
      ['w2', 1, 70_000],
    ]);
  });
});

describe('surface, validation and logging', () => {
  it('throws typed errors with precise codes', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(1) });
    expect(thrown(() => h.acd.login('nobody'))).toMatchObject({
      code: 'ERR_UNKNOWN_AGENT',
      message: 'unknown agent "nobody"',
    });
    expect(thrown(() => h.acd.enqueue({ queueId: 'nope' })).code).toBe('ERR_UNKNOWN_QUEUE');
    expect(thrown(() => h.acd.hangup('ghost')).code).toBe('ERR_UNKNOWN_INTERACTION');
    expect(thrown(() => h.acd.setReady('a1')).code).toBe('ERR_NOT_LOGGED_IN');
    expect(thrown(() => h.acd.enqueue({ queueId: 'q', skills: [{ skill: 'x', minLevel: 0 }] })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(thrown(() => h.acd.enqueue({ queueId: 'q', enqueuedAt: T0 + 1 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => h.acd.enqueue({ queueId: 'q', media: 'fax' as never })).code).toBe('ERR_INVALID_ARGUMENT');
    h.acd.enqueue({ queueId: 'q', interactionId: 'dup' });
    expect(thrown(() => h.acd.enqueue({ queueId: 'q', interactionId: 'dup' })).code).toBe('ERR_DUPLICATE');
    expect(thrown(() => h.acd.addAgent({ id: 'a2', skills: { x: 1.5 } })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => h.acd.addQueue({ id: 'h', hours: { weekly: { mon: [['09:00', '08:00']] } } })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(thrown(() => h.acd.setNotReady('a1', '')).code).toBe('ERR_NOT_LOGGED_IN');
    h.acd.login('a1');
    expect(thrown(() => h.acd.setNotReady('a1', '')).code).toBe('ERR_INVALID_ARGUMENT');
    const err = thrown(() => h.acd.logout('nobody')) as unknown as Record<symbol, unknown>;
    expect(err[Symbol.for('hotline.error')]).toBe(true);
    h.acd.dispose();
    expect(thrown(() => h.acd.login('a1')).code).toBe('ERR_DISPOSED');
  });

  it('masks phone numbers in logs', () => {
    const lines: string[] = [];
    const record = (m: string, f?: Readonly<Record<string, unknown>>): void =>
      void lines.push(`${m} ${JSON.stringify(f ?? {})}`);
    const h = harness({ queues: [{ id: 'q' }], logger: { debug: record, info: record, warn: record, error: record } });
    h.acd.enqueue({ queueId: 'q', customer: { phone: '13800138000', ref: 'acct-1' } });
    expect(lines.join('\n')).toContain('138******00');
    expect(lines.join('\n')).not.toContain('13800138000');
  });

  it('publishes agent state, all agents and queue status as streams', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(2) });
    const states: string[] = [];
    h.acd.agentState$('a1').subscribe((s) => states.push(s.key));
    const sizes: number[] = [];
    h.acd.agents$.subscribe((m) => sizes.push([...m.values()].filter((s) => s.key !== 'logged-out').length));
    const waiting: number[] = [];
    h.acd.queueStats$.subscribe((m) => waiting.push(m.get('q')?.waiting ?? -1));
    h.acd.login('a1', { ready: true });
    h.acd.enqueue({ queueId: 'q' });
    h.acd.enqueue({ queueId: 'q' });
    // One emission per command: login + ready coalesce into ready/idle.
    expect(states).toEqual(['logged-out', 'ready/idle', 'ready/offered']);
    expect(sizes.at(-1)).toBe(1);
    expect(waiting.at(0)).toBe(0);
    expect(waiting.at(-1)).toBe(1);
  });

  it("delivers a command's emissions after its state change, and accepts re-entrant commands", () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(1) });
    h.acd.assignments$.subscribe((a) => {
      if (a.type === 'offer') h.acd.answered(a.interactionId, a.agentId);
    });
    h.acd.login('a1', { ready: true });
    h.acd.enqueue({ queueId: 'q', interactionId: 'c' });
    expect(h.acd.agentSnapshot('a1').key).toBe('ready/connected');
    const types = h.events.filter((e) => 'interactionId' in e && e.interactionId === 'c').map((e) => e.type);
    expect(types).toEqual(['enqueued', 'offered', 'agent-state', 'answered', 'agent-state']);
    expect(h.events.map((e) => e.seq)).toEqual(h.events.map((_, i) => i + 1));
  });

  it('runs on rxjs VirtualTimeScheduler too', () => {
    const scheduler = new VirtualTimeScheduler();
    const acd = new Acd({
      scheduler,
      queues: [{ id: 'q', noAnswerTimeoutMs: 5_000 }],
      agents: agents(1),
      maxMisses: 1,
    });
    acd.login('a1', { ready: true });
    acd.enqueue({ queueId: 'q' });
    scheduler.flush();
    expect(acd.agentSnapshot('a1').state).toMatchObject({ presence: 'not-ready', reason: 'no-answer' });
  });
});

describe('per-media concurrency', () => {
  it('offers chats beside a call up to the capacities; item events apply per item', () => {
    const h = harness({
      queues: [{ id: 'voice' }, { id: 'chat' }],
      agents: [{ id: 'a1', skills: {}, capacity: { chat: 2 }, maxConcurrent: 3 }],
    });
    h.acd.login('a1', { ready: true });
    h.acd.enqueue({ queueId: 'chat', media: 'chat', interactionId: 'c1' });
    h.acd.answered('c1', 'a1');
    expect(h.acd.enqueue({ queueId: 'chat', media: 'chat', interactionId: 'c2' })).toMatchObject({
      status: 'offered',
      agentIds: ['a1'],
    });
    expect(h.acd.agentSnapshot('a1').key).toBe('ready/connected'); // most engaged item
    expect(h.acd.enqueue({ queueId: 'voice', interactionId: 'v1' })).toMatchObject({ status: 'offered' });
    expect(h.acd.enqueue({ queueId: 'chat', media: 'chat', interactionId: 'c3' })).toMatchObject({ status: 'queued' });
    expect(thrown(() => h.acd.hold('c2')).code).toBe('ERR_ILLEGAL_TRANSITION'); // c2 is only ringing
    h.acd.hold('c1');
    expect(h.acd.agentSnapshot('a1').key).toBe('ready/held');
    expect(h.acd.agentSnapshot('a1').work.map((w) => [w.interactionId, w.activity])).toEqual([
      ['c1', 'held'],
      ['c2', 'offered'],
      ['v1', 'offered'],
    ]);
    h.acd.hangup('c1');
    // c1's wrap-up (0 ms) ends at once; the freed chat slot takes c3.
    expect(h.acd.interactionStatus('c3')).toMatchObject({ status: 'offered', agentIds: ['a1'] });
  });
});

describe('hold supervision', () => {
  it('raises hold-exceeded while a caller stays on hold past the queue limit', () => {
    const h = harness({ queues: [{ id: 'q', maxHoldMs: 60_000 }], agents: agents(1) });
    h.acd.login('a1', { ready: true });
    h.acd.enqueue({ queueId: 'q', interactionId: 'c' });
    h.acd.answered('c', 'a1');
    h.acd.hold('c');
    h.clock.advanceBy(59_999);
    expect(h.assignments.some((a) => a.type === 'hold-exceeded')).toBe(false);
    h.clock.advanceBy(60_001);
    expect(
      h.assignments.filter((a) => a.type === 'hold-exceeded').map((a) => (a as { heldMs: number }).heldMs),
    ).toEqual([60_000, 120_000]);
    h.acd.retrieve('c');
    h.clock.advanceBy(600_000);
    expect(h.events.filter((e) => e.type === 'hold-exceeded')).toHaveLength(2);
  });

  it('counts ring-outs as missed, but not offers withdrawn by a supervisor', () => {
    const h = harness({ queues: [{ id: 'q', noAnswerTimeoutMs: 10_000 }], agents: agents(1), maxMisses: 5 });
    h.acd.login('a1', { ready: true });
    h.acd.enqueue({ queueId: 'q' });
    h.clock.advanceBy(10_000); // missed, re-offered
    h.acd.forceLogout('a1'); // withdrawn
    expect(h.acd.statistics().agents['a1']).toMatchObject({ offers: 2, missed: 1 });
  });
});

describe('overflow chains', () => {
  it('stops loops of closed queues and missing targets at voicemail', () => {
    const closed = { weekly: {} };
    const h = harness({
      queues: [
        { id: 'a', hours: closed, closedTarget: { kind: 'queue', queueId: 'b' } },
        { id: 'b', hours: closed, closedTarget: { kind: 'queue', queueId: 'a' } },
        { id: 'c', hours: closed, closedTarget: { kind: 'queue', queueId: 'missing' } },
      ],
    });
    expect(h.acd.enqueue({ queueId: 'a' })).toMatchObject({ status: 'diverted', target: { kind: 'voicemail' } });
    expect(h.acd.enqueue({ queueId: 'c' })).toMatchObject({
      status: 'diverted',
      queueId: 'c',
      target: { kind: 'voicemail' },
    });
  });
});

describe('withdrawing work', () => {
  it('takes a queued callback or a ringing call back without counting an abandon', () => {
    const h = harness({ queues: [{ id: 'q' }], agents: agents(1) });
    h.acd.enqueue({ queueId: 'q', media: 'callback', interactionId: 'cb' });
    h.clock.advanceBy(30_000);
    h.acd.withdraw('cb', 'customer called again');
    h.acd.login('a1', { ready: true });
    h.acd.enqueue({ queueId: 'q', interactionId: 'v' });
    h.acd.withdraw('v', 'moved to another channel');
    expect(h.assignments.at(-1)).toEqual({ type: 'retract', interactionId: 'v', agentId: 'a1', cause: 'withdrawn' });
    expect(h.acd.agentSnapshot('a1').key).toBe('ready/idle');
    expect(h.acd.statistics().queues['q']).toMatchObject({
      offered: 2,
      withdrawn: 2,
      abandoned: 0,
      serviceLevel: null,
    });
    h.acd.enqueue({ queueId: 'q', interactionId: 'w' });
    h.acd.answered('w', 'a1');
    expect(thrown(() => h.acd.withdraw('w', 'x')).code).toBe('ERR_ILLEGAL_STATE');
  });
});
