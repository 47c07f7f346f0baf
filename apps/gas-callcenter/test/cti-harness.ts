/**
 * The CTI-link test world shared by the cti-*.test.ts files: a small seeded SQLite store, the
 * simulated board, the call centre, the CTI link with an in-memory transport, and helpers that
 * drive whole calls in virtual time (storage promises are tracked so timers wait for them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler, silentLogger } from '@hotline/cti-core';
import { readWav } from '@hotline/cti-core/media';
import { SimBoard, type SimParty } from '@hotline/board-sim';
import type { IvrEvent } from '@hotline/ivr';
import {
  AgentClient,
  createMemoryTransport,
  isProtocolError,
  type MemoryTransport,
  type ProtocolEvent,
} from '@hotline/agent-protocol';
import { AuthService } from '../src/domain/auth-service.js';
import { TicketService } from '../src/domain/ticket-service.js';
import { seedDemoData } from '../src/seed/seed.js';
import { openSqliteStore, type SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { TEST_SCRYPT } from '../src/storage/test-support.js';
import { CallCenter } from '../src/server/call-center.js';
import { simulatedHandsets } from '../src/server/demo/handsets.js';
import { CtiLink } from '../src/server/cti/cti-link.js';
import { createGasServices } from '../src/server/gas-services.js';

export const promptsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'prompts');

/** The audio of prompts played back to back, as a caller hears them. */
export function audioOf(ids: readonly string[]): Int16Array {
  const parts = ids.map((id) => readWav(readFileSync(join(promptsDir, 'zh-CN', `${id}.wav`))).samples);
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when `needle` occurs exactly in `haystack`. */
export function contains(haystack: Int16Array, needle: Int16Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The protocol error code a promise rejects with, or `ok`. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isProtocolError(e) ? e.code : String(e);
  }
}

/** RMS of some audio. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

/** One test's call centre with its CTI link. */
export interface CtiWorld {
  readonly scheduler: VirtualScheduler;
  readonly dir: string;
  readonly store: SqliteStore;
  readonly sim: SimBoard;
  readonly center: CallCenter;
  readonly link: CtiLink;
  readonly tickets: TicketService;
  readonly transport: MemoryTransport;
  readonly ivrEvents: IvrEvent[];
  readonly clients: AgentClient[];
  run<T>(p: Promise<T>, ms?: number): Promise<T>;
  wait(ms: number): Promise<void>;
  /** Advances virtual time until `check` holds (polled between steps). */
  until(check: () => boolean, ms?: number): Promise<void>;
  /** A desktop on the in-memory transport, with every event it received. */
  client(): { client: AgentClient; events: ProtocolEvent[] };
  /** Resolves when IVR node `node` is open (a menu or entry waiting for keys). */
  atNode(node: string): Promise<void>;
  /** A caller dials the hotline on the E1 and hears the start of the welcome. */
  caller(from: string): Promise<SimParty>;
}

/** Options of {@link useCtiWorld}. */
export interface CtiWorldOptions {
  /** Agent stations (default 4). */
  readonly stations?: number;
  /** Extra stations for supervisors' phones (default 0). */
  readonly supervisorStations?: number;
}

/** Builds a fresh world before each test of the enclosing `describe` and tears it down after. */
export function useCtiWorld(options: CtiWorldOptions = {}): { readonly current: CtiWorld } {
  const holder: { current: CtiWorld } = { current: undefined as unknown as CtiWorld };
  beforeEach(async () => {
    holder.current = await openCtiWorld(options);
  });
  afterEach(async () => {
    await closeCtiWorld(holder.current);
  });
  return holder;
}

/** Closes the desktops, the link, the centre and the store of a world, and deletes its data. */
export async function closeCtiWorld(w: CtiWorld): Promise<void> {
  for (const c of w.clients.splice(0)) await c.close().catch(() => undefined);
  await w.run(w.link.close());
  await w.run(w.center.close());
  await w.store.close();
  rmSync(w.dir, { recursive: true, force: true });
}

/** A fresh world: seeded store, simulated board, call centre and CTI link, in virtual time. */
export async function openCtiWorld(options: CtiWorldOptions = {}): Promise<CtiWorld> {
  const scheduler = new VirtualScheduler();
  const run = <T>(p: Promise<T>, ms = 600_000): Promise<T> => scheduler.run(p, ms);
  const dir = mkdtempSync(join(tmpdir(), 'hotline-cti-'));
  const io = <T>(p: Promise<T>): Promise<T> => scheduler.track(p);
  const store = await openSqliteStore({ dataDir: dir, clock: scheduler, synchronous: 'normal' });
  await seedDemoData(store, { customers: 30, seed: 7, clock: scheduler, scrypt: TEST_SCRYPT });
  const auth = new AuthService({
    users: store.users,
    customers: store.customers,
    departments: store.departments,
    audit: store.audit,
    clock: scheduler,
    lockout: { maxFailures: 3, lockoutMs: 900_000 },
    scrypt: TEST_SCRYPT,
  });
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
  const supervisorStations = options.supervisorStations ?? 0;
  const sim = new SimBoard({
    scheduler,
    analogTrunks: 0,
    e1Spans: 1,
    stations: (options.stations ?? 4) + supervisorStations,
  });
  const ivrEvents: IvrEvent[] = [];
  const center = await run(
    CallCenter.open({
      driver: sim.driver,
      scheduler,
      logger: silentLogger,
      services,
      promptsDir,
      ...(supervisorStations > 0 ? { supervisorStations } : {}),
      recordingsDir: join(dir, 'recordings'),
      onIvrEvent: (e) => ivrEvents.push(e),
      onOffer: (o) => cti?.onOffer(o),
      onConnected: (c) => cti?.onConnected(c),
      onEnded: (c, by) => cti?.onEnded(c, by),
    }),
  );
  const link = await run(
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
  const transport = createMemoryTransport(link.server);
  const clients: AgentClient[] = [];
  const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));
  const until = (check: () => boolean, ms = 120_000): Promise<void> =>
    run(
      new Promise<void>((resolve) => {
        const poll = (): void => (check() ? resolve() : void setImmediate(poll));
        poll();
      }),
      ms,
    );
  return {
    scheduler,
    dir,
    store,
    sim,
    center,
    link,
    tickets,
    transport,
    ivrEvents,
    clients,
    run,
    wait,
    until,
    client() {
      const c = new AgentClient({
        transport: transport.connect,
        scheduler,
        reconnect: { initialDelayMs: 500, maxDelayMs: 2_000 },
      });
      const events: ProtocolEvent[] = [];
      c.events$.subscribe((e) => events.push(e));
      clients.push(c);
      return { client: c, events };
    },
    atNode(node) {
      return new Promise<void>((resolve) => {
        const check = (): void => {
          let open = 0;
          for (const e of ivrEvents) {
            if (e.type === 'node-entered' && e.node === node) open++;
            else if (e.type === 'node-left' && e.node === node) open--;
          }
          if (open > 0) resolve();
          else setImmediate(check);
        };
        check();
      });
    },
    async caller(from) {
      const party = sim.call({ from, to: '96777', trunk: 'e1' });
      await run(party.whenConnected());
      await run(party.waitHeard(3000));
      return party;
    },
  };
}
