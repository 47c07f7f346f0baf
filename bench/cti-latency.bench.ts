/**
 * B-CTI — event latency from the telephony to a connected desktop (issue 5: "event latency from
 * channel event to a connected desktop, p50/p99 with 50 desktops connected"), in real time.
 *
 * One process runs the gas call centre as `run.ts` wires it — SimBoard (1 E1 span, 50 stations,
 * no audio kept), CallCenter (IVR, ACD, telephony), a SQLite store, the CtiLink served over `ws`
 * on 127.0.0.1 — and 50 `AgentClient`s logged in as agents a001…a050 over ws, all ready.
 *
 *  A. Real callers dial the hotline, wait for the main menu and press 0 (welcome prompt, DTMF
 *     through the soft DSP, the "transferring you" prompt, the queue): from the agent's station
 *     channel entering `dialing` to the agent's `AgentClient.events$` delivering `call.offered`
 *     (the screen pop: customer lookup, tickets, history in SQLite, then the push). Up to ~25
 *     calls are in the IVR at once, so this is the figure under call load.
 *  B. The same path with the IVR left out: `Telephony.enqueue` (the IVR's ACD adapter) is called
 *     directly, one offer at a time, the caller "abandons" once the pop has arrived.
 *  C. `agent.state`: from the ACD `agent-state` event to the agent's desktop. The link sends an
 *     agent's state to that agent's sessions only, so "fanned out to 50 desktops" is measured as
 *     all 50 agents changing presence in one tick (a shift break, a supervisor forcing everyone
 *     not-ready), each desktop receiving its own; single changes are measured too.
 *  D. Same-run baseline: a bare `ProtocolServer` over `listenWebSocket` with 50 more
 *     `AgentClient`s, pushing the same payloads (a real pop, a real agent status) with the
 *     same shapes (one to one client; 50 to 50 in one tick), with the call centre idle.
 *
 * Everything shares one event loop, so every figure includes the other desktops' and the
 * board's work, as on a single-machine deployment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncScheduler, type Subscription } from 'rxjs';
import { silentLogger, type Channel } from '@hotline/cti-core';
import { SimBoard, type SimParty } from '@hotline/board-sim';
import type { IvrEvent } from '@hotline/ivr';
import { AgentClient, type EventData, type ProtocolEvent, type UserInfo } from '@hotline/agent-protocol';
import { ProtocolServer, listenWebSocket } from '@hotline/agent-protocol/server';
import { AuthService } from '../apps/gas-callcenter/src/domain/auth-service.js';
import { TicketService } from '../apps/gas-callcenter/src/domain/ticket-service.js';
import { DEMO_USER_PASSWORD, seedDemoData } from '../apps/gas-callcenter/src/seed/seed.js';
import { openSqliteStore, type SqliteStore } from '../apps/gas-callcenter/src/storage/sqlite/sqlite-store.js';
import { simulatedHandsets } from '../apps/gas-callcenter/src/server/demo/handsets.js';
import { CallCenter } from '../apps/gas-callcenter/src/server/call-center.js';
import { CtiLink } from '../apps/gas-callcenter/src/server/cti/cti-link.js';
import { createGasServices } from '../apps/gas-callcenter/src/server/gas-services.js';
import { Skill } from '../apps/gas-callcenter/src/flows/main-flow.js';

const here = dirname(fileURLToPath(import.meta.url));
const PROMPTS = join(here, '..', 'apps', 'gas-callcenter', 'prompts');
const AGENTS = 50;
const CUSTOMERS = 200;
/** Phase A: real callers, one started every CALL_GAP_MS, at most MAX_IN_FLIGHT at once (30 trunks). */
const CALLS = Number(process.env['HOTLINE_BENCH_CTI_CALLS'] ?? 48);
const CALL_GAP_MS = 400;
const MAX_IN_FLIGHT = 26;
/** Phase B: direct offers. */
const DIRECT = 200;
/** Phase C: single state changes, then bursts of all 50. */
const SINGLE = 200;
const BURSTS = 30;
/** Phase D: baseline rounds. */
const BASE_ROUNDS = 200;
const BASE_BURSTS = 30;
const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 } as const;

const hr = (): bigint => process.hrtime.bigint();
const msSince = (t0: bigint, t1: bigint = hr()): number => Number(t1 - t0) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bounded wait: rejects after `ms` so no loop of the bench can hang. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Polls `check` on setImmediate until true (bounded by `within`). */
function until(check: () => boolean, ms: number, what: string): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const poll = (): void => (check() ? resolve() : void setImmediate(poll));
      poll();
    }),
    ms,
    what,
  );
}

interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
  return { n: s.length, p50: at(50), p99: at(99), max: s[s.length - 1] ?? NaN };
}

const f = (n: number): string => `${n.toFixed(3)} ms`.padStart(11);
const line = (label: string, s: Stats): string =>
  `  ${label.padEnd(58)} N=${String(s.n).padStart(5)}  p50 ${f(s.p50)}  p99 ${f(s.p99)}  max ${f(s.max)}`;
const ratio = (a: Stats, b: Stats): string => `p50 ${(a.p50 / b.p50).toFixed(1)}×, p99 ${(a.p99 / b.p99).toFixed(1)}×`;

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const wall0 = hr();
  const scheduler = asyncScheduler;
  const dir = mkdtempSync(join(tmpdir(), 'bench-cti-'));
  const io = <T>(p: Promise<T>): Promise<T> => p;
  let store: SqliteStore | undefined;
  let center: CallCenter | undefined;
  let link: CtiLink | undefined;
  const clients: AgentClient[] = [];
  const subs: Subscription[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // ---------------------------------------------------------------- the call centre
    store = await openSqliteStore({ dataDir: dir, clock: scheduler, synchronous: 'normal' });
    await seedDemoData(store, { customers: CUSTOMERS, seed: 7, clock: scheduler, scrypt: CHEAP_SCRYPT });
    const auth = new AuthService({
      users: store.users,
      customers: store.customers,
      departments: store.departments,
      audit: store.audit,
      clock: scheduler,
      scrypt: CHEAP_SCRYPT,
    });
    for (let i = 21; i <= AGENTS; i++) {
      const username = `a${String(i).padStart(3, '0')}`;
      if (!(await store.users.getByUsername(username))) {
        await auth.addUser('bench', { username, displayName: `坐席${i}`, role: 'agent', password: DEMO_USER_PASSWORD });
      }
    }
    const tickets = new TicketService({
      tickets: store.tickets,
      departments: store.departments,
      audit: store.audit,
      clock: scheduler,
    });
    let cti: CtiLink | undefined;
    const services = createGasServices({
      store,
      auth,
      tickets,
      clock: scheduler,
      timeZone: 'Asia/Shanghai',
      io,
      onVoicemail: (vm) => cti?.voicemailAdded(vm),
    });
    const sim = new SimBoard({ scheduler, analogTrunks: 0, e1Spans: 1, stations: AGENTS, keepAudio: false });

    // Channel-level moments, keyed by interaction.
    const tOffer = new Map<string, bigint>();
    const tDial = new Map<string, bigint>();
    const offerAgent = new Map<string, string>();
    /** The interaction each agent's station is being dialled for (set by onOffer, just before dial$). */
    const ringingFor = new Map<string, string>();
    const mainMenu = new Set<string>();
    center = await CallCenter.open({
      driver: sim.driver,
      scheduler,
      logger: silentLogger,
      services,
      promptsDir: PROMPTS,
      recordingsDir: join(dir, 'recordings'),
      recordCalls: false,
      onIvrEvent: (e: IvrEvent) => {
        if (e.type === 'node-entered' && e.node === 'main-menu') mainMenu.add(e.callId);
      },
      onOffer: (o) => {
        tOffer.set(o.interactionId, hr());
        offerAgent.set(o.interactionId, o.agentId);
        ringingFor.set(o.agentId, o.interactionId);
        cti?.onOffer(o);
      },
      onConnected: (c) => cti?.onConnected(c),
      onEnded: (c, by) => cti?.onEnded(c, by),
    });
    const cc = center;
    for (const seat of cc.seats) {
      let last = 'idle';
      subs.push(
        cc.board.channel(seat.station).state$.subscribe((s) => {
          if (s.state === 'dialing' && last !== 'dialing') {
            const ix = ringingFor.get(seat.agentId);
            if (ix !== undefined && !tDial.has(ix)) tDial.set(ix, hr());
          }
          last = s.state;
        }),
      );
    }
    // ACD agent-state events, subscribed before the link so the timestamp precedes its push.
    const tState = new Map<string, bigint>();
    subs.push(
      cc.acd.events$.subscribe((e) => {
        if (e.type === 'agent-state') tState.set(e.agentId, hr());
      }),
    );
    // Board call id of each caller number (unique among callers in flight).
    const callIdOf = new Map<string, string>();
    subs.push(
      cc.board.incoming$.subscribe(({ channel, call }) => {
        if (channel.info.kind !== 'station' && call.callerId) callIdOf.set(call.callerId, call.id);
      }),
    );

    link = await CtiLink.open({
      store,
      auth,
      tickets,
      center: cc,
      scheduler,
      logger: silentLogger,
      io,
      phone: simulatedHandsets(sim),
      holdMusic: join(PROMPTS, 'zh-CN', 'ivr.hold.wav'),
    });
    cti = link;
    const listener = await link.listen({ host: '127.0.0.1', port: 0 });

    // ---------------------------------------------------------------- 50 desktops
    const popAt = new Map<string, { at: bigint; agentId: string }>();
    let lastPop: EventData<'call.offered'> | undefined;
    let lastStatus: EventData<'agent.state'> | undefined;
    /** Phase C: the presence each agent's desktop is waiting for, and the samples. */
    const awaited = new Map<string, string>();
    let stateSamples: number[] = [];
    let strays = 0;
    const agentIds = cc.seats.map((s) => s.agentId);
    for (const agentId of agentIds) {
      const client = new AgentClient({ url: listener.url });
      subs.push(
        client.events$.subscribe((e: ProtocolEvent) => {
          if (e.name === 'call.offered') {
            const at = hr();
            popAt.set(e.data.call.callId, { at, agentId });
            lastPop = e.data;
          } else if (e.name === 'agent.state') {
            const want = awaited.get(agentId);
            if (want !== undefined && e.data.presence === want) {
              const t0 = tState.get(agentId);
              if (t0 !== undefined) stateSamples.push(msSince(t0));
              awaited.delete(agentId);
              lastStatus = e.data;
            }
          }
        }),
      );
      clients.push(client);
      await within(client.login({ userId: agentId, password: DEMO_USER_PASSWORD }), 10_000, `login ${agentId}`);
      await within(client.api.agent.ready(), 10_000, `ready ${agentId}`);
    }
    const setupMs = msSince(wall0);

    const phones: string[] = [];
    for (const c of await store.customers.search({ limit: CUSTOMERS })) {
      const p = c.phones[0]?.phone;
      if (p && !phones.includes(p)) phones.push(p);
    }
    const phoneFor = (i: number): string => phones[i % phones.length] ?? `1380000${String(1000 + i)}`;

    // ---------------------------------------------------------------- A. real callers through the IVR
    const aFromDial: number[] = [];
    const aFromOffer: number[] = [];
    let aFailed = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const wrong = { agent: 0 };
    const caller = async (i: number): Promise<void> => {
      const from = phoneFor(i);
      callIdOf.delete(from);
      let party: SimParty | undefined;
      try {
        party = sim.call({ from, to: '96777', trunk: 'e1' });
        await within(party.whenConnected(), 10_000, 'caller connected');
        await until(() => callIdOf.has(from), 5_000, 'incoming call id');
        const callId = callIdOf.get(from)!;
        await until(() => mainMenu.has(callId), 20_000, 'main menu');
        await sleep(300); // into the menu prompt, then barge in
        await within(party.press('0'), 5_000, 'press 0');
        await until(() => popAt.has(callId), 25_000, 'call.offered');
        const pop = popAt.get(callId)!;
        const dial = tDial.get(callId);
        const offer = tOffer.get(callId);
        if (offerAgent.get(callId) !== pop.agentId) wrong.agent++;
        if (dial !== undefined) aFromDial.push(msSince(dial, pop.at));
        if (offer !== undefined) aFromOffer.push(msSince(offer, pop.at));
      } catch (error) {
        aFailed++;
        if (aFailed <= 3) console.log(`  (caller ${i}: ${String(error)})`);
      } finally {
        party?.hangup();
        if (party) await within(party.whenReleased(), 5_000, 'caller released').catch(() => undefined);
      }
    };
    const tA = hr();
    const running: Promise<void>[] = [];
    for (let i = 0; i < CALLS; i++) {
      await until(() => inFlight < MAX_IN_FLIGHT, 30_000, 'a free trunk');
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      running.push(caller(i).finally(() => inFlight--));
      await sleep(CALL_GAP_MS);
    }
    await within(Promise.all(running), 40_000, 'phase A callers');
    const aMs = msSince(tA);
    await until(() => cc.telephony.calls.length === 0 && cc.callsInFlow === 0, 10_000, 'calls drained');

    // ---------------------------------------------------------------- B. direct offers (no IVR)
    const bFromDial: number[] = [];
    const bFromOffer: number[] = [];
    let bFailed = 0;
    const anyTrunk: Channel = cc.board.channels.find((c) => c.info.kind !== 'station')!;
    await sleep(200);
    for (let i = 0; i < DIRECT; i++) {
      const callId = `bench-direct-${i}`;
      const abort = new AbortController();
      const result = cc.telephony.enqueue(
        { callId, channel: anyTrunk, skills: [Skill.General], priority: 0, callerId: phoneFor(i + 7), data: {} },
        abort.signal,
      );
      try {
        await until(() => popAt.has(callId), 5_000, 'direct call.offered');
        const pop = popAt.get(callId)!;
        if (offerAgent.get(callId) !== pop.agentId) wrong.agent++;
        const dial = tDial.get(callId);
        const offer = tOffer.get(callId);
        if (dial !== undefined) bFromDial.push(msSince(dial, pop.at));
        if (offer !== undefined) bFromOffer.push(msSince(offer, pop.at));
      } catch {
        bFailed++;
      } finally {
        abort.abort();
        await within(result, 2_000, 'enqueue settled').catch(() => undefined);
      }
      await sleep(5); // the station releases; the next offer goes to another agent anyway
    }
    await until(
      () => cc.seats.every((s) => cc.board.channel(s.station).state.state === 'idle'),
      5_000,
      'stations idle',
    ).catch(() => undefined);

    // ---------------------------------------------------------------- C. agent.state
    const acd = cc.acd;
    const flip = (agentId: string, to: 'ready' | 'not-ready'): void => {
      awaited.set(agentId, to);
      if (to === 'ready') acd.setReady(agentId);
      else acd.setNotReady(agentId, 'break');
    };
    stateSamples = [];
    for (let i = 0; i < SINGLE; i++) {
      const agentId = agentIds[i % AGENTS]!;
      const to = Math.floor(i / AGENTS) % 2 === 0 ? 'not-ready' : 'ready';
      flip(agentId, to);
      await until(() => awaited.size === 0, 5_000, 'single agent.state').catch(() => {
        strays += awaited.size;
        awaited.clear();
      });
    }
    const single = stateSamples;
    // Everyone ends the single phase in the same presence (SINGLE is a multiple of 2×AGENTS: ready).
    for (const id of agentIds) if (!acd.agentSnapshot(id).key.startsWith('ready')) flip(id, 'ready');
    await until(() => awaited.size === 0, 5_000, 'all ready').catch(() => awaited.clear());
    stateSamples = [];
    for (let r = 0; r < BURSTS; r++) {
      const to = r % 2 === 0 ? 'not-ready' : 'ready';
      for (const id of agentIds) flip(id, to);
      await until(() => awaited.size === 0, 10_000, 'burst agent.state').catch(() => {
        strays += awaited.size;
        awaited.clear();
      });
    }
    const burst = stateSamples;

    // ---------------------------------------------------------------- D. baseline: bare ProtocolServer, 50 AgentClients
    const users = new Map<string, UserInfo>();
    for (let i = 0; i < AGENTS; i++) users.set(`u${i}`, { userId: `u${i}`, displayName: `坐席${i}`, role: 'agent' });
    const base = new ProtocolServer({
      authenticator: {
        login: ({ userId }) =>
          users.has(userId) ? { ok: true, user: users.get(userId)! } : { ok: false, reason: 'bad-credentials' },
      },
      replayBufferSize: 100,
    });
    const baseListener = await listenWebSocket(base, { host: '127.0.0.1', port: 0 });
    cleanups.push(async () => {
      await base.close(0);
      await baseListener.close();
    });
    let baseT0 = hr();
    let baseSamples: number[] = [];
    let baseGot = 0;
    for (let i = 0; i < AGENTS; i++) {
      const client = new AgentClient({ url: baseListener.url });
      subs.push(
        client.events$.subscribe((e) => {
          if (e.name !== 'call.offered' && e.name !== 'agent.state') return;
          baseSamples.push(msSince(baseT0));
          baseGot++;
        }),
      );
      clients.push(client);
      await within(client.login({ userId: `u${i}`, password: 'bench' }), 10_000, 'baseline login');
    }
    if (!lastPop || !lastStatus) throw new Error('no pop or agent status was captured');
    const pop = lastPop;
    const status = lastStatus;
    const baseRound = async (push: () => void, expect: number): Promise<void> => {
      baseGot = 0;
      baseT0 = hr();
      push();
      await until(() => baseGot >= expect, 5_000, 'baseline round');
    };
    const basePop: number[] = [];
    const baseState: number[] = [];
    const baseBurst: number[] = [];
    for (let r = 0; r < 20; r++)
      await baseRound(() => void base.push({ userId: `u${r % AGENTS}` }, 'call.offered', pop), 1); // warm-up
    baseSamples = [];
    for (let r = 0; r < BASE_ROUNDS; r++)
      await baseRound(() => void base.push({ userId: `u${r % AGENTS}` }, 'call.offered', pop), 1);
    basePop.push(...baseSamples);
    baseSamples = [];
    for (let r = 0; r < BASE_ROUNDS; r++)
      await baseRound(() => void base.push({ userId: `u${r % AGENTS}` }, 'agent.state', status), 1);
    baseState.push(...baseSamples);
    baseSamples = [];
    for (let r = 0; r < BASE_BURSTS; r++) {
      await baseRound(() => {
        for (let i = 0; i < AGENTS; i++) base.push({ userId: `u${i}` }, 'agent.state', status);
      }, AGENTS);
    }
    baseBurst.push(...baseSamples);

    // ---------------------------------------------------------------- figures
    const sA = stats(aFromDial);
    const sAo = stats(aFromOffer);
    const sB = stats(bFromDial);
    const sBo = stats(bFromOffer);
    const sS = stats(single);
    const sU = stats(burst);
    const bP = stats(basePop);
    const bS = stats(baseState);
    const bU = stats(baseBurst);
    console.log(
      `gas call centre in real time: 1 E1 (30 trunks), ${AGENTS} stations, ${AGENTS} AgentClients logged in and ready over ws on 127.0.0.1, SQLite store with ${CUSTOMERS} customers (set-up ${(setupMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      `A. callers through the IVR pressing 0: ${CALLS} calls, one every ${CALL_GAP_MS} ms, up to ${maxInFlight} at once, ${(aMs / 1000).toFixed(1)} s; ${aFailed} failed`,
    );
    console.log(line('station channel → dialing  ⇒  call.offered at the desktop', sA));
    console.log(line('CallCenter onOffer        ⇒  call.offered at the desktop', sAo));
    console.log(`B. direct offers (Telephony.enqueue, no IVR, one at a time): ${DIRECT} offers; ${bFailed} failed`);
    console.log(line('station channel → dialing  ⇒  call.offered at the desktop', sB));
    console.log(line('CallCenter onOffer        ⇒  call.offered at the desktop', sBo));
    console.log(
      `C. agent.state, ACD agent-state event ⇒ that agent's desktop${strays ? ` (${strays} not delivered)` : ''}:`,
    );
    console.log(line(`one agent at a time (${SINGLE} changes)`, sS));
    console.log(line(`all ${AGENTS} agents in one tick (${BURSTS} bursts)`, sU));
    console.log(
      `D. baseline, same run, call centre idle: ProtocolServer.push → AgentClient.events$ (${AGENTS} clients, same payloads):`,
    );
    console.log(line(`call.offered to one client (${JSON.stringify(pop).length} chars)`, bP));
    console.log(line(`agent.state to one client`, bS));
    console.log(line(`agent.state to each of ${AGENTS} clients in one tick`, bU));
    console.log(`ratios CTI / baseline:`);
    console.log(`  screen pop under IVR load (A, from dialing) / push: ${ratio(sA, bP)}`);
    console.log(`  screen pop, direct (B, from dialing) / push:        ${ratio(sB, bP)}`);
    console.log(`  agent.state single / push:                          ${ratio(sS, bS)}`);
    console.log(`  agent.state all ${AGENTS} / ${AGENTS} pushes:                     ${ratio(sU, bU)}`);
    if (wrong.agent) console.log(`  !! ${wrong.agent} pops reached a desktop other than the offered agent's`);
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const s of subs) s.unsubscribe();
    for (const c of cleanups) await c().catch(() => undefined);
    await link?.close().catch(() => undefined);
    await center?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    console.log(`  (wall time ${(msSince(wall0) / 1000).toFixed(1)} s)`);
  }
}
