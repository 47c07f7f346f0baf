/**
 * Conformance tests of an agent's desk: the snapshot, agent states, and the life cycle of a call
 * from the screen pop to the wrap-up, including the caller leaving and offers that time out.
 */
import { expect, it } from 'vitest';
import { ProtocolErrorCode } from '../errors.js';
import type { SuiteContext } from './suite.js';
import { rejection, type Desk } from './tools.js';

/** Logs the world's agent in and makes them ready. */
async function readyAgent(ctx: SuiteContext): Promise<Desk> {
  const desk = ctx.desk();
  await desk.login(ctx.world.users.agent);
  const status = await desk.run(desk.api.agent.ready());
  expect(status).toMatchObject({ agentId: ctx.world.users.agent.userId, presence: 'ready' });
  return desk;
}

/** Puts a call from `from` through to the ready agent; resolves its screen pop. */
async function offer(ctx: SuiteContext, desk: Desk, from: string) {
  const after = desk.mark();
  const caller = await ctx.world.offerCall(ctx.world.users.agent.userId, from);
  const pop = await desk.expectEvent('call.offered', (p) => p.callerId === from, { after, ms: 120_000 });
  return { caller, pop, callId: pop.call.callId };
}

export function deskTests(ctx: SuiteContext): void {
  it("the snapshot holds the agent's own status, the queues they serve and the catalogue; a supervisor's the wallboard", async () => {
    const { users } = ctx.world;
    const agent = ctx.desk();
    const session = await agent.login(users.agent);
    const snap = session.snapshot;
    expect(snap?.agent?.agentId).toBe(users.agent.userId);
    expect(snap?.calls).toEqual([]);
    expect(snap?.catalog?.notReadyReasons.length).toBeGreaterThan(0);
    expect(snap?.catalog?.dispositions.length).toBeGreaterThan(0);
    const served = new Set(session.user.queueIds ?? []);
    expect(
      snap?.queues.every((q) => served.has(q.queueId)),
      'an agent sees the queues they serve',
    ).toBe(true);
    expect(typeof snap?.voicemailsWaiting).toBe('number');

    const boss = ctx.desk();
    const bossSnap = (await boss.login(users.supervisor)).snapshot;
    expect(bossSnap?.wallboard?.agents.map((a) => a.agentId)).toContain(users.agent.userId);
    const catalogQueues = new Set(bossSnap?.catalog?.queues.map((q) => q.queueId));
    expect(bossSnap?.wallboard?.queues.every((q) => catalogQueues.has(q.queueId))).toBe(true);

    const staff = ctx.desk();
    const staffSnap = (await staff.login(users.department)).snapshot;
    expect(staffSnap?.agent).toBeUndefined();
    expect(typeof staffSnap?.inboxCount).toBe('number');
  });

  it('ready, not ready with a reason, logged out: each answered with the new status and stated by agent.state', async () => {
    const { users } = ctx.world;
    const desk = ctx.desk();
    const session = await desk.login(users.agent);
    const reason = session.snapshot?.catalog?.notReadyReasons[0]?.code ?? 'break';
    const boss = ctx.desk();
    await boss.login(users.supervisor);

    let mark = desk.mark();
    expect(await desk.run(desk.api.agent.ready())).toMatchObject({ presence: 'ready' });
    await desk.expectEvent('agent.state', (s) => s.presence === 'ready', { after: mark });
    await boss.expectEvent('wallboard.agents', (w) =>
      w.agents.some((a) => a.agentId === users.agent.userId && a.presence === 'ready'),
    );

    mark = desk.mark();
    expect(await desk.run(desk.api.agent.notReady({ reason }))).toMatchObject({ presence: 'not-ready', reason });
    await desk.expectEvent('agent.state', (s) => s.presence === 'not-ready' && s.reason === reason, { after: mark });
    const bad = await rejection(ctx.world, desk.api.agent.notReady({ reason: 'no-such-reason-code' }));
    expect(bad.code).toBe(ProtocolErrorCode.Validation);

    mark = desk.mark();
    expect(await desk.run(desk.api.agent.logout())).toMatchObject({ presence: 'logged-out' });
    await desk.expectEvent('agent.state', (s) => s.presence === 'logged-out', { after: mark });
    expect(await desk.run(desk.api.agent.ready())).toMatchObject({ presence: 'ready' });
  });

  it('a call: screen pop before answering → answer → hold → retrieve → hang up → wrap-up with a disposition', async () => {
    const { knownCaller } = ctx.world;
    const desk = await readyAgent(ctx);
    const { pop, callId } = await offer(ctx, desk, knownCaller.number);
    expect(pop.call).toMatchObject({ state: 'offered', direction: 'inbound', remoteNumber: knownCaller.number });
    expect(pop.customer?.customerId, 'the caller is identified by caller ID').toBe(knownCaller.customerId);
    expect(
      desk.events.some((e) => e.name === 'call.state' && e.data.callId === callId && e.data.state === 'connected'),
    ).toBe(false);
    const dispositions = desk.session?.snapshot?.catalog?.dispositions ?? [];

    let mark = desk.mark();
    expect(await desk.run(desk.api.call.answer({ callId }))).toMatchObject({ callId, state: 'connected' });
    await desk.expectEvent('call.state', (c) => c.callId === callId && c.state === 'connected', { after: mark });
    await desk.expectEvent('agent.state', (s) => s.activity === 'connected', { after: mark });

    expect(await desk.run(desk.api.call.hold({ callId }))).toMatchObject({ state: 'held' });
    expect(await desk.run(desk.api.call.retrieve({ callId }))).toMatchObject({ state: 'connected' });

    mark = desk.mark();
    expect(await desk.run(desk.api.call.hangup({ callId }))).toMatchObject({ state: 'ended', cause: 'agent-hangup' });
    await desk.expectEvent('call.state', (c) => c.callId === callId && c.state === 'ended', { after: mark });
    await desk.expectEvent('agent.state', (s) => s.activity === 'wrap-up', { after: mark });

    const unknown = await rejection(ctx.world, desk.api.call.wrapUp({ callId, disposition: 'no-such-disposition' }));
    expect(unknown.code).toBe(ProtocolErrorCode.Validation);
    const disposition = dispositions[0]?.code ?? 'resolved';
    expect(await desk.run(desk.api.call.wrapUp({ callId, disposition }))).toMatchObject({
      presence: 'ready',
      activity: 'idle',
    });
    const again = await rejection(ctx.world, desk.api.call.wrapUp({ callId, disposition }));
    expect(again.code, 'a call wrapped up is no longer at the desk').toBe(ProtocolErrorCode.NotFound);
    const other = await rejection(ctx.world, desk.api.call.answer({ callId: 'no-such-call' }));
    expect(other.code).toBe(ProtocolErrorCode.NotFound);
  });

  it('an unknown caller pops with customer null', async () => {
    const desk = await readyAgent(ctx);
    const { pop, callId } = await offer(ctx, desk, ctx.world.unknownCaller);
    expect(pop.customer).toBeNull();
    await desk.run(desk.api.call.answer({ callId }));
    await desk.run(desk.api.call.hangup({ callId }));
  });

  it('a caller who hangs up while it rings retracts the pop (ended, abandoned); the agent has nothing to wrap up', async () => {
    const desk = await readyAgent(ctx);
    const { caller, callId } = await offer(ctx, desk, ctx.world.knownCaller.number);
    const mark = desk.mark();
    await caller.hangup();
    const ended = await desk.expectEvent('call.state', (c) => c.callId === callId && c.state === 'ended', {
      after: mark,
    });
    expect(ended.cause).toBe('abandoned');
    await desk.expectEvent('agent.state', (s) => s.activity === 'idle', { after: mark });
    expect(desk.events.slice(mark).some((e) => e.name === 'agent.state' && e.data.activity === 'wrap-up')).toBe(false);
  });

  it('a caller who hangs up mid-call ends it (caller-hangup) and the agent wraps up', async () => {
    const desk = await readyAgent(ctx);
    const { caller, callId } = await offer(ctx, desk, ctx.world.knownCaller.number);
    await desk.run(desk.api.call.answer({ callId }));
    const mark = desk.mark();
    await caller.hangup();
    const ended = await desk.expectEvent('call.state', (c) => c.callId === callId && c.state === 'ended', {
      after: mark,
    });
    expect(ended.cause).toBe('caller-hangup');
    await desk.expectEvent('agent.state', (s) => s.activity === 'wrap-up', { after: mark });
    const disposition = desk.session?.snapshot?.catalog?.dispositions[0]?.code ?? 'resolved';
    expect(await desk.run(desk.api.call.wrapUp({ callId, disposition }))).toMatchObject({ activity: 'idle' });
  });

  it('an offer not answered within its ring timeout is withdrawn (ended, no-answer)', async () => {
    const desk = await readyAgent(ctx);
    const { pop, callId, caller } = await offer(ctx, desk, ctx.world.knownCaller.number);
    const ringMs = pop.ringTimeoutMs ?? 30_000;
    const ended = await desk.expectEvent('call.state', (c) => c.callId === callId && c.state === 'ended', {
      ms: ringMs + 30_000,
    });
    expect(ended.cause).toBe('no-answer');
    const late = await rejection(ctx.world, desk.api.call.answer({ callId }));
    expect([ProtocolErrorCode.NotFound, ProtocolErrorCode.IllegalState]).toContain(late.code);
    await caller.hangup();
  });

  it('a desktop that logs in mid-call finds the call in its snapshot', async () => {
    const { users } = ctx.world;
    const desk = await readyAgent(ctx);
    const { callId } = await offer(ctx, desk, ctx.world.knownCaller.number);
    await desk.run(desk.api.call.answer({ callId }));
    const second = ctx.desk();
    const session = await second.login(users.agent);
    expect(session.snapshot?.calls).toEqual([expect.objectContaining({ callId, state: 'connected' })]);
    expect(await second.run(second.api.call.hangup({ callId }))).toMatchObject({ state: 'ended' });
  });
}
