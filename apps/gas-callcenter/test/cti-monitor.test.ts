import { beforeEach, describe, expect, it } from 'vitest';
import { SimBoard, synthesizeSpeech, type SimParty } from '@hotline/board-sim';
import { AgentClient, type ProtocolEvent } from '@hotline/agent-protocol';
import { DEMO_USER_PASSWORD } from '../src/seed/seed.js';
import { CallCenter } from '../src/server/call-center.js';
import { codeOf, rms, useCtiWorld } from './cti-harness.js';

describe('supervisor monitoring over the CTI link', () => {
  const world = useCtiWorld({ stations: 3, supervisorStations: 1 });
  let sim!: SimBoard;
  let center!: CallCenter;
  beforeEach(() => {
    ({ sim, center } = world.current);
  });
  const run = <T>(p: Promise<T>, ms?: number): Promise<T> => world.current.run(p, ms);
  const wait = (ms: number): Promise<void> => world.current.wait(ms);
  const until = (check: () => boolean, ms?: number): Promise<void> => world.current.until(check, ms);
  const client = (): { client: AgentClient; events: ProtocolEvent[] } => world.current.client();
  const caller = (from: string): Promise<SimParty> => world.current.caller(from);

  /** `speaker` says something; returns the RMS each listener heard meanwhile. */
  async function heardFrom(speaker: SimParty, listeners: readonly SimParty[], seed: number): Promise<number[]> {
    const marks = listeners.map((l) => l.heard().length);
    void speaker.say(synthesizeSpeech({ durationMs: 800, pitchHz: 170 + seed, seed }));
    await wait(1_500);
    return listeners.map((l, i) => rms(l.heard().subarray(marks[i])));
  }

  /** a001 answers a caller; s001 logs in. */
  async function callAndSupervisor(from: string) {
    const a = client();
    const s = client();
    await run(a.client.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    await run(s.client.login({ userId: 's001', password: DEMO_USER_PASSWORD }));
    await run(a.client.api.agent.ready());
    const party = await caller(from);
    await run(party.press('0'));
    await until(() => a.events.some((e) => e.name === 'call.offered'));
    const offered = a.events.find((e) => e.name === 'call.offered');
    if (offered?.name !== 'call.offered') throw new Error('no offer');
    const callId = offered.data.call.callId;
    await run(a.client.api.call.answer({ callId }));
    await wait(500);
    return { a: a.client, s: s.client, party, callId, agent: sim.phone(center.seats[0]!.station).party };
  }

  it('gives the spare station to supervisor s001', () => {
    expect(center.seats.map((s) => s.agentId)).toEqual(['a001', 'a002', 'a003']);
    expect(center.supervisorPhones).toHaveLength(1);
    expect(center.supervisorPhones[0]).toMatchObject({ supervisorId: 's001' });
  });

  it('listen: the supervisor hears both sides and neither hears the supervisor; whisper: only the agent hears the supervisor; barge: both do', async () => {
    const t = await callAndSupervisor('13800000081');
    const supStation = center.supervisorPhones[0]!.station;
    const listen = await run(t.s.api.supervisor.monitor({ agentId: 'a001', mode: 'listen' }));
    expect(listen).toMatchObject({ callId: t.callId, mode: 'listen' });
    expect((await run(t.s.api.supervisor.snapshot())).agents.find((r) => r.agentId === 'a001')).toMatchObject({
      monitored: true,
    });
    const sup = sim.phone(supStation).party;
    const [supHearsCaller, agentHearsCaller] = await heardFrom(t.party, [sup, t.agent], 1);
    expect(supHearsCaller).toBeGreaterThan(300);
    expect(agentHearsCaller).toBeGreaterThan(300);
    const [supHearsAgent, callerHearsAgent] = await heardFrom(t.agent, [sup, t.party], 2);
    expect(supHearsAgent).toBeGreaterThan(300);
    expect(callerHearsAgent).toBeGreaterThan(300);
    for (const level of await heardFrom(sup, [t.party, t.agent], 3)) expect(level).toBeLessThan(100);
    expect(await codeOf(run(t.s.api.supervisor.monitor({ agentId: 'a001', mode: 'barge' })))).toBe('ERR_ILLEGAL_STATE'); // one at a time
    expect(await run(t.s.api.supervisor.stopMonitor({ monitorId: listen.monitorId }))).toEqual({});
    expect(sim.phone(supStation).offHook).toBe(false);
    expect(await codeOf(run(t.s.api.supervisor.stopMonitor({ monitorId: listen.monitorId })))).toBe('ERR_NOT_FOUND');
    // Caller and agent are bridged again.
    expect((await heardFrom(t.party, [t.agent], 4))[0]).toBeGreaterThan(300);
    expect((await heardFrom(t.agent, [t.party], 5))[0]).toBeGreaterThan(300);

    const whisper = await run(t.s.api.supervisor.monitor({ agentId: 'a001', mode: 'whisper' }));
    const coach = sim.phone(supStation).party;
    const [agentHearsCoach, callerHearsCoach] = await heardFrom(coach, [t.agent, t.party], 6);
    expect(agentHearsCoach).toBeGreaterThan(300);
    expect(callerHearsCoach).toBeLessThan(100);
    for (const level of await heardFrom(t.party, [coach, t.agent], 7)) expect(level).toBeGreaterThan(300);
    await run(t.s.api.supervisor.stopMonitor({ monitorId: whisper.monitorId }));

    const barge = await run(t.s.api.supervisor.monitor({ agentId: 'a001', mode: 'barge' }));
    expect(barge.mode).toBe('barge');
    const boss = sim.phone(supStation).party;
    for (const level of await heardFrom(boss, [t.agent, t.party], 8)) expect(level).toBeGreaterThan(300);
    // The caller hanging up ends the call and the monitor: the supervisor's phone is released.
    t.party.hangup();
    await until(
      () =>
        center.board.channel(supStation).state.state === 'idle' &&
        center.acd.agentSnapshot('a001').work[0]?.activity === 'wrap-up',
    );
    expect(await codeOf(run(t.s.api.supervisor.stopMonitor({ monitorId: barge.monitorId })))).toBe('ERR_NOT_FOUND');
  });

  it('refuses to monitor an agent who is not on a call, an unknown agent, or without a supervisor phone', async () => {
    const s = client();
    await run(s.client.login({ userId: 's001', password: DEMO_USER_PASSWORD }));
    expect(await codeOf(run(s.client.api.supervisor.monitor({ agentId: 'a002', mode: 'listen' })))).toBe(
      'ERR_ILLEGAL_STATE',
    );
    expect(await codeOf(run(s.client.api.supervisor.monitor({ agentId: 'a099', mode: 'listen' })))).toBe(
      'ERR_NOT_FOUND',
    );
    const other = client();
    await run(other.client.login({ userId: 's002', password: DEMO_USER_PASSWORD }));
    expect(await codeOf(run(other.client.api.supervisor.monitor({ agentId: 'a001', mode: 'listen' })))).toBe(
      'ERR_NOT_IMPLEMENTED',
    );
  });

  it('a monitored call can be held: the monitor ends first and the supervisor phone is released', async () => {
    const t = await callAndSupervisor('13800000082');
    await run(t.s.api.supervisor.monitor({ agentId: 'a001', mode: 'listen' }));
    expect((await run(t.a.api.call.hold({ callId: t.callId }))).state).toBe('held');
    expect(center.board.channel(center.supervisorPhones[0]!.station).state.state).toBe('idle');
    expect((await run(t.a.api.call.retrieve({ callId: t.callId }))).state).toBe('connected');
    expect((await heardFrom(t.agent, [t.party], 9))[0]).toBeGreaterThan(300);
    expect((await run(t.a.api.call.hangup({ callId: t.callId }))).state).toBe('ended');
  });
});
