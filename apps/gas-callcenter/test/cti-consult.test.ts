import { beforeEach, describe, expect, it } from 'vitest';
import { SimBoard, synthesizeSpeech, type SimParty } from '@hotline/board-sim';
import { AgentClient, type ProtocolEvent } from '@hotline/agent-protocol';
import { DEMO_USER_PASSWORD } from '../src/seed/seed.js';
import { type SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { CallCenter } from '../src/server/call-center.js';
import { codeOf, rms, useCtiWorld } from './cti-harness.js';

describe('consultative transfer over the CTI link', () => {
  const world = useCtiWorld();
  let store!: SqliteStore;
  let sim!: SimBoard;
  let center!: CallCenter;
  beforeEach(() => {
    ({ store, sim, center } = world.current);
  });
  const run = <T>(p: Promise<T>, ms?: number): Promise<T> => world.current.run(p, ms);
  const wait = (ms: number): Promise<void> => world.current.wait(ms);
  const until = (check: () => boolean, ms?: number): Promise<void> => world.current.until(check, ms);
  const client = (): { client: AgentClient; events: ProtocolEvent[] } => world.current.client();
  const caller = (from: string): Promise<SimParty> => world.current.caller(from);

  /** a001 and a002 log in ready; a caller reaches a001 (a002 goes not ready meanwhile), who answers. */
  async function callAtA001(from: string) {
    const one = client();
    const two = client();
    await run(one.client.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    await run(two.client.login({ userId: 'a002', password: DEMO_USER_PASSWORD }));
    await run(one.client.api.agent.ready());
    const party = await caller(from);
    await run(party.press('0'));
    await until(() => one.events.some((e) => e.name === 'call.offered'));
    const offered = one.events.find((e) => e.name === 'call.offered');
    if (offered?.name !== 'call.offered') throw new Error('no offer');
    const callId = offered.data.call.callId;
    await run(one.client.api.call.answer({ callId }));
    await run(two.client.api.agent.ready());
    return { a: one.client, aEvents: one.events, b: two.client, bEvents: two.events, party, callId, from };
  }

  async function consultA002(t: Awaited<ReturnType<typeof callAtA001>>) {
    const started = await run(
      t.a.api.call.transfer({
        callId: t.callId,
        mode: 'consult',
        target: { kind: 'agent', agentId: 'a002' },
        note: '请协助核对账单',
      }),
    );
    expect(started.call).toMatchObject({ state: 'consulting', consultCallId: started.consultCallId });
    await until(() => t.bEvents.some((e) => e.name === 'call.offered'));
    const offered = t.bEvents.find((e) => e.name === 'call.offered');
    if (offered?.name !== 'call.offered') throw new Error('no consult offer');
    expect(offered.data.call.callId).toBe(started.consultCallId);
    expect(offered.data.transferredBy).toMatchObject({ agentId: 'a001', note: '请协助核对账单' });
    expect(offered.data.callerId).toBe(t.from); // the caller's screen pop follows the call
    const answered = await run(t.b.api.call.answer({ callId: started.consultCallId! }));
    expect(answered.state).toBe('connected');
    return started.consultCallId!;
  }

  it('consult an agent, then complete: the caller talks to the consulted agent, the ACD sees the transfer', async () => {
    const t = await callAtA001('13800000091');
    const consultId = await consultA002(t);
    const stationA = center.seats[0]!.station;
    const stationB = center.seats[1]!.station;
    // During the consultation the two agents hear each other.
    const aHeard = sim.phone(stationA).party.heard().length;
    void sim.phone(stationB).party.say(synthesizeSpeech({ durationMs: 800, pitchHz: 180, seed: 5 }));
    await wait(1_500);
    expect(rms(sim.phone(stationA).party.heard().subarray(aHeard))).toBeGreaterThan(300);
    expect(center.acd.agentSnapshot('a001').work[0]).toMatchObject({ interactionId: t.callId, activity: 'held' });
    expect(center.acd.agentSnapshot('a002').work[0]).toMatchObject({ interactionId: consultId, activity: 'connected' });

    const done = await run(t.a.api.call.completeConsult({ callId: t.callId }));
    expect(done).toMatchObject({ state: 'ended', cause: 'transferred' });
    expect(center.acd.agentSnapshot('a001').work[0]).toMatchObject({ interactionId: t.callId, activity: 'wrap-up' });
    expect(center.acd.agentSnapshot('a002').work[0]).toMatchObject({ interactionId: consultId, activity: 'connected' });
    expect(t.party.connected).toBe(true);
    await wait(1_000);
    const quiet = t.party.heard().length;
    await wait(1_000);
    expect(rms(t.party.heard().subarray(quiet))).toBeLessThan(100); // no more hold music
    const before = t.party.heard().length;
    void sim.phone(stationB).party.say(synthesizeSpeech({ durationMs: 800, pitchHz: 180, seed: 6 }));
    await wait(1_500);
    expect(rms(t.party.heard().subarray(before))).toBeGreaterThan(300); // the caller hears the consulted agent

    // The caller hangs up: the consulted agent wraps up the call, which is recorded on the caller's CDR.
    t.party.hangup();
    await until(() =>
      t.bEvents.some((e) => e.name === 'call.state' && e.data.callId === consultId && e.data.state === 'ended'),
    );
    await until(() => center.acd.agentSnapshot('a002').work[0]?.activity === 'wrap-up');
    expect(await run(t.b.api.call.wrapUp({ callId: consultId, disposition: 'info-given' }))).toMatchObject({
      activity: 'idle',
    });
    expect(await run(t.a.api.call.wrapUp({ callId: t.callId, disposition: 'info-given' }))).toMatchObject({
      activity: 'idle',
    });
    await wait(100);
    const cdr = await store.interactions.get(t.callId);
    expect(cdr?.endedAt).not.toBeNull();
    const stats = center.acd.statistics();
    expect(stats.queues['general']).toMatchObject({ offered: 1, answered: 1 });
  });

  it('consult an agent, then cancel: the consult leg drops and the caller is back with the first agent', async () => {
    const t = await callAtA001('13800000092');
    const consultId = await consultA002(t);
    const back = await run(t.a.api.call.cancelConsult({ callId: t.callId }));
    expect(back.state).toBe('connected');
    expect(back.consultCallId).toBeUndefined();
    await until(() =>
      t.bEvents.some((e) => e.name === 'call.state' && e.data.callId === consultId && e.data.state === 'ended'),
    );
    expect(center.acd.agentSnapshot('a002')).toMatchObject({ work: [] });
    expect(center.acd.agentSnapshot('a001').work[0]).toMatchObject({ interactionId: t.callId, activity: 'connected' });
    // The caller and the first agent talk again.
    const before = t.party.heard().length;
    void sim.phone(center.seats[0]!.station).party.say(synthesizeSpeech({ durationMs: 800, pitchHz: 200, seed: 8 }));
    await wait(1_500);
    expect(rms(t.party.heard().subarray(before))).toBeGreaterThan(300);
    expect(await codeOf(run(t.a.api.call.completeConsult({ callId: t.callId })))).toBe('ERR_ILLEGAL_STATE');
    expect((await run(t.a.api.call.hangup({ callId: t.callId }))).state).toBe('ended');
  });

  /** `speaker` says something; returns the RMS each listener heard meanwhile. */
  async function heardFrom(speaker: SimParty, listeners: readonly SimParty[], seed: number): Promise<number[]> {
    const marks = listeners.map((l) => l.heard().length);
    void speaker.say(synthesizeSpeech({ durationMs: 800, pitchHz: 170 + seed, seed }));
    await wait(1_500);
    return listeners.map((l, i) => rms(l.heard().subarray(marks[i])));
  }

  it('conference: caller, first agent and consulted agent all hear each other; the first agent leaves and the caller stays with the consulted agent', async () => {
    const t = await callAtA001('13800000097');
    const consultId = await consultA002(t);
    const a = sim.phone(center.seats[0]!.station).party;
    const b = sim.phone(center.seats[1]!.station).party;
    const conf = await run(t.a.api.call.conference({ callId: t.callId }));
    expect(conf).toMatchObject({ state: 'conference', consultCallId: consultId });
    await until(() =>
      t.bEvents.some((e) => e.name === 'call.state' && e.data.callId === consultId && e.data.state === 'conference'),
    );
    expect(center.acd.agentSnapshot('a001').work[0]).toMatchObject({ interactionId: t.callId, activity: 'connected' });
    expect(center.acd.agentSnapshot('a002').work[0]).toMatchObject({ interactionId: consultId, activity: 'connected' });
    await wait(1_000); // hold music has stopped
    for (const level of await heardFrom(t.party, [a, b], 11)) expect(level).toBeGreaterThan(300);
    for (const level of await heardFrom(a, [t.party, b], 12)) expect(level).toBeGreaterThan(300);
    for (const level of await heardFrom(b, [t.party, a], 13)) expect(level).toBeGreaterThan(300);

    // The first agent hangs up: the caller and the consulted agent talk on; the ACD sees a transfer.
    expect((await run(t.a.api.call.hangup({ callId: t.callId }))).state).toBe('ended');
    await until(() => center.acd.agentSnapshot('a001').work[0]?.activity === 'wrap-up');
    expect(center.acd.agentSnapshot('a002').work[0]).toMatchObject({ interactionId: consultId, activity: 'connected' });
    expect(t.party.connected).toBe(true);
    await wait(500);
    expect((await heardFrom(b, [t.party], 14))[0]).toBeGreaterThan(300);
    expect((await heardFrom(t.party, [b], 15))[0]).toBeGreaterThan(300);
    expect(await run(t.a.api.call.wrapUp({ callId: t.callId, disposition: 'info-given' }))).toMatchObject({
      activity: 'idle',
    });

    // The caller hangs up: the consulted agent wraps up.
    t.party.hangup();
    await until(() => center.acd.agentSnapshot('a002').work[0]?.activity === 'wrap-up');
    expect(await run(t.b.api.call.wrapUp({ callId: consultId, disposition: 'info-given' }))).toMatchObject({
      activity: 'idle',
    });
  });

  it('conference: the consulted agent leaving gives the caller back to the first agent; the caller leaving releases everyone', async () => {
    const t = await callAtA001('13800000098');
    expect(await codeOf(run(t.a.api.call.conference({ callId: t.callId })))).toBe('ERR_ILLEGAL_STATE');
    const consultId = await consultA002(t);
    await run(t.a.api.call.conference({ callId: t.callId }));
    const a = sim.phone(center.seats[0]!.station).party;
    expect((await run(t.b.api.call.hangup({ callId: consultId }))).state).toBe('ended');
    await until(
      () =>
        t.aEvents.some(
          (e) => e.name === 'call.state' && e.data.callId === t.callId && e.data.state === 'connected' && e.seq > 0,
        ) && center.acd.agentSnapshot('a002').work.length === 0,
    );
    expect(center.acd.agentSnapshot('a001').work[0]).toMatchObject({ interactionId: t.callId, activity: 'connected' });
    await wait(500);
    expect((await heardFrom(a, [t.party], 16))[0]).toBeGreaterThan(300);
    expect((await heardFrom(t.party, [a], 17))[0]).toBeGreaterThan(300);

    // A second consultation, conferenced, and then the caller hangs up: everyone is released.
    const second = await run(
      t.a.api.call.transfer({ callId: t.callId, mode: 'consult', target: { kind: 'agent', agentId: 'a002' } }),
    );
    await until(() => t.bEvents.some((e) => e.name === 'call.offered' && e.data.call.callId === second.consultCallId));
    await run(t.b.api.call.answer({ callId: second.consultCallId! }));
    expect((await run(t.a.api.call.conference({ callId: t.callId }))).state).toBe('conference');
    t.party.hangup();
    await until(() =>
      t.bEvents.some(
        (e) => e.name === 'call.state' && e.data.callId === second.consultCallId && e.data.state === 'ended',
      ),
    );
    await until(() =>
      t.aEvents.some((e) => e.name === 'call.state' && e.data.callId === t.callId && e.data.state === 'ended'),
    );
    await until(
      () =>
        center.acd.agentSnapshot('a002').work.length === 0 &&
        center.acd.agentSnapshot('a001').work[0]?.activity === 'wrap-up',
    );
    await until(
      () =>
        center.board.channel(center.seats[0]!.station).state.state === 'idle' &&
        center.board.channel(center.seats[1]!.station).state.state === 'idle',
    );
  });

  it('refuses a consultation to an absent or busy agent, and the call stays as it was', async () => {
    const t = await callAtA001('13800000093');
    expect(
      await codeOf(
        run(t.a.api.call.transfer({ callId: t.callId, mode: 'consult', target: { kind: 'agent', agentId: 'a003' } })),
      ),
    ).toBe('ERR_UNAVAILABLE');
    await run(t.b.api.agent.notReady({ reason: 'break' }));
    expect(
      await codeOf(
        run(t.a.api.call.transfer({ callId: t.callId, mode: 'consult', target: { kind: 'agent', agentId: 'a002' } })),
      ),
    ).toBe('ERR_UNAVAILABLE');
    expect(
      await codeOf(
        run(t.a.api.call.transfer({ callId: t.callId, mode: 'consult', target: { kind: 'agent', agentId: 'a099' } })),
      ),
    ).toBe('ERR_NOT_FOUND');
    expect(center.acd.agentSnapshot('a001').work[0]).toMatchObject({ activity: 'connected' });
    expect(t.party.connected).toBe(true);
    expect((await run(t.a.api.call.hangup({ callId: t.callId }))).state).toBe('ended');
  });

  it('blind transfer to a named agent: the caller rings that agent, who answers and talks to them; an unavailable agent is refused', async () => {
    const t = await callAtA001('13800000096');
    expect(
      await codeOf(
        run(t.a.api.call.transfer({ callId: t.callId, mode: 'blind', target: { kind: 'agent', agentId: 'a003' } })),
      ),
    ).toBe('ERR_UNAVAILABLE');
    expect(
      await codeOf(
        run(t.a.api.call.transfer({ callId: t.callId, mode: 'blind', target: { kind: 'number', number: '12345678' } })),
      ),
    ).toBe('ERR_NOT_IMPLEMENTED');
    const moved = await run(
      t.a.api.call.transfer({
        callId: t.callId,
        mode: 'blind',
        target: { kind: 'agent', agentId: 'a002' },
        note: '用户要求复查',
      }),
    );
    expect(moved.call.state).toBe('ended');
    await until(() => t.bEvents.some((e) => e.name === 'call.offered'));
    const offered = t.bEvents.find((e) => e.name === 'call.offered');
    if (offered?.name !== 'call.offered') throw new Error('no offer at a002');
    expect(offered.data.callerId).toBe(t.from);
    expect(offered.data.transferredBy).toMatchObject({ agentId: 'a001', note: '用户要求复查' });
    expect((await run(t.b.api.call.answer({ callId: offered.data.call.callId }))).state).toBe('connected');
    const before = t.party.heard().length;
    void sim.phone(center.seats[1]!.station).party.say(synthesizeSpeech({ durationMs: 800, pitchHz: 190, seed: 9 }));
    await wait(1_500);
    expect(rms(t.party.heard().subarray(before))).toBeGreaterThan(300); // the caller hears a002
    t.party.hangup();
  });

  it('the caller hanging up during the consultation ends the consult leg too', async () => {
    const t = await callAtA001('13800000094');
    const consultId = await consultA002(t);
    t.party.hangup();
    await until(() =>
      t.bEvents.some((e) => e.name === 'call.state' && e.data.callId === consultId && e.data.state === 'ended'),
    );
    await until(() =>
      t.aEvents.some((e) => e.name === 'call.state' && e.data.callId === t.callId && e.data.state === 'ended'),
    );
    await until(() => center.acd.agentSnapshot('a002').work.length === 0);
    expect(center.acd.agentSnapshot('a001').work[0]).toMatchObject({ activity: 'wrap-up' });
  });

  it('a consulted agent who hangs up gives the caller back; a consultation to a queue rings a member', async () => {
    const t = await callAtA001('13800000095');
    const consultId = await consultA002(t);
    expect((await run(t.b.api.call.hangup({ callId: consultId }))).state).toBe('ended');
    await until(
      () =>
        t.aEvents.some(
          (e) => e.name === 'call.state' && e.data.callId === t.callId && e.data.state === 'connected' && e.seq > 0,
        ) && center.acd.agentSnapshot('a001').work[0]?.activity === 'connected',
    );
    await until(() => center.acd.agentSnapshot('a002').work.length === 0);
    // a002 takes billing calls.
    const started = await run(
      t.a.api.call.transfer({ callId: t.callId, mode: 'consult', target: { kind: 'queue', queueId: 'billing' } }),
    );
    await until(() => t.bEvents.some((e) => e.name === 'call.offered' && e.data.call.callId === started.consultCallId));
    await run(t.b.api.call.answer({ callId: started.consultCallId! }));
    expect((await run(t.a.api.call.completeConsult({ callId: t.callId }))).cause).toBe('transferred');
    expect(center.acd.agentSnapshot('a002').work[0]).toMatchObject({
      interactionId: started.consultCallId,
      activity: 'connected',
    });
    expect(center.acd.statistics().queues['billing']?.offered ?? 0).toBe(0);
    expect((await run(t.b.api.call.hangup({ callId: started.consultCallId! }))).state).toBe('ended');
    await run(t.party.whenReleased());
  });
});
