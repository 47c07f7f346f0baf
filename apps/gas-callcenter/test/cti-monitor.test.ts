import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler, silentLogger } from '@hotline/cti-core';
import { SimBoard, synthesizeSpeech, type SimParty } from '@hotline/board-sim';
import type { IvrEvent } from '@hotline/ivr';
import { AgentClient, createMemoryTransport, isProtocolError, type MemoryTransport, type ProtocolEvent } from '@hotline/agent-protocol';
import { AuthService } from '../src/domain/auth-service.js';
import { TicketService } from '../src/domain/ticket-service.js';
import { seedDemoData, DEMO_USER_PASSWORD } from '../src/seed/seed.js';
import { openSqliteStore, type SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { TEST_SCRYPT } from '../src/storage/test-support.js';
import { CallCenter } from '../src/server/call-center.js';
import { simulatedHandsets } from '../src/server/figures.js';
import { CtiLink } from '../src/server/cti-link.js';
import { createGasServices } from '../src/server/gas-services.js';

const promptsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'prompts');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isProtocolError(e) ? e.code : String(e);
  }
}

describe('supervisor monitoring over the CTI link', () => {
  let scheduler: VirtualScheduler;
  let dir: string;
  let store: SqliteStore;
  let sim: SimBoard;
  let center: CallCenter;
  let link: CtiLink;
  let tickets: TicketService;
  let transport: MemoryTransport;
  let ivrEvents: IvrEvent[];
  const clients: AgentClient[] = [];
  const run = <T>(p: Promise<T>, ms = 600_000): Promise<T> => scheduler.run(p, ms);
  const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));
  /** Advances virtual time until `check` holds (polled between steps). */
  const until = (check: () => boolean, ms = 120_000): Promise<void> =>
    run(
      new Promise<void>((resolve) => {
        const poll = (): void => (check() ? resolve() : void setImmediate(poll));
        poll();
      }),
      ms,
    );

  beforeEach(async () => {
    scheduler = new VirtualScheduler();
    dir = mkdtempSync(join(tmpdir(), 'hotline-cti-'));
    const io = <T>(p: Promise<T>): Promise<T> => scheduler.track(p);
    store = await openSqliteStore({ dataDir: dir, clock: scheduler, synchronous: 'normal' });
    await seedDemoData(store, { customers: 30, seed: 7, clock: scheduler, scrypt: TEST_SCRYPT });
    const auth = new AuthService({ users: store.users, customers: store.customers, departments: store.departments, audit: store.audit, clock: scheduler, lockout: { maxFailures: 3, lockoutMs: 900_000 }, scrypt: TEST_SCRYPT });
    tickets = new TicketService({ tickets: store.tickets, departments: store.departments, audit: store.audit, clock: scheduler });
    let cti: CtiLink | undefined;
    const services = createGasServices({ store, auth, tickets, clock: scheduler, timeZone: 'Asia/Shanghai', io, onVoicemail: (vm) => cti?.voicemailAdded(vm) });
    sim = new SimBoard({ scheduler, analogTrunks: 0, e1Spans: 1, stations: 4 });
    // Three agent seats (a001…a003); the fourth station is supervisor s001's phone.
    ivrEvents = [];
    center = await run(
      CallCenter.open({
        driver: sim.driver,
        scheduler,
        logger: silentLogger,
        services,
        promptsDir,
        supervisorStations: 1,
        recordingsDir: join(dir, 'recordings'),
        onIvrEvent: (e) => ivrEvents.push(e),
        onOffer: (o) => cti?.onOffer(o),
        onConnected: (c) => cti?.onConnected(c),
        onEnded: (c, by) => cti?.onEnded(c, by),
      }),
    );
    link = await run(
      CtiLink.open({
        store,
        auth,
        tickets,
        center,
        scheduler,
        logger: silentLogger,
        io,
        phone: simulatedHandsets(sim),
        holdMusic: join(promptsDir, 'zh-CN', 'ivr.hold.wav'),
      }),
    );
    cti = link;
    transport = createMemoryTransport(link.server);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    await run(link.close());
    await run(center.close());
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function client(): { client: AgentClient; events: ProtocolEvent[] } {
    const c = new AgentClient({ transport: transport.connect, scheduler, reconnect: { initialDelayMs: 500, maxDelayMs: 2_000 } });
    const events: ProtocolEvent[] = [];
    c.events$.subscribe((e) => events.push(e));
    clients.push(c);
    return { client: c, events };
  }

  async function caller(from: string): Promise<SimParty> {
    const party = sim.call({ from, to: '96777', trunk: 'e1' });
    await run(party.whenConnected());
    await run(party.waitHeard(3000));
    return party;
  }


  function rms(samples: Int16Array): number {
    let sum = 0;
    for (const v of samples) sum += v * v;
    return samples.length ? Math.sqrt(sum / samples.length) : 0;
  }

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
    expect((await run(t.s.api.supervisor.snapshot())).agents.find((r) => r.agentId === 'a001')).toMatchObject({ monitored: true });
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
    await until(() => center.board.channel(supStation).state.state === 'idle' && center.acd.agentSnapshot('a001').work[0]?.activity === 'wrap-up');
    expect(await codeOf(run(t.s.api.supervisor.stopMonitor({ monitorId: barge.monitorId })))).toBe('ERR_NOT_FOUND');
  });

  it('refuses to monitor an agent who is not on a call, an unknown agent, or without a supervisor phone', async () => {
    const s = client();
    await run(s.client.login({ userId: 's001', password: DEMO_USER_PASSWORD }));
    expect(await codeOf(run(s.client.api.supervisor.monitor({ agentId: 'a002', mode: 'listen' })))).toBe('ERR_ILLEGAL_STATE');
    expect(await codeOf(run(s.client.api.supervisor.monitor({ agentId: 'a099', mode: 'listen' })))).toBe('ERR_NOT_FOUND');
    const other = client();
    await run(other.client.login({ userId: 's002', password: DEMO_USER_PASSWORD }));
    expect(await codeOf(run(other.client.api.supervisor.monitor({ agentId: 'a001', mode: 'listen' })))).toBe('ERR_NOT_IMPLEMENTED');
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
