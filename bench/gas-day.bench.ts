/**
 * A busy day at the gas hotline, simulated end to end in virtual time: one E1 of 30 trunks, 20
 * agent seats worked by simulated agents, callers with the realistic mix (leaks, repairs, bills,
 * complaints by voice mail…) keying real DTMF tones, the IVR, the ACD and the SQLite store.
 * Figures: wall time, simulated calls per second of wall time, speed against real time (the
 * physical limit a live day runs at), and the day's service figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualScheduler, silentLogger } from '@hotline/cti-core';
import { SimBoard } from '@hotline/board-sim';
import { AuthService } from '../apps/gas-callcenter/src/domain/auth-service.js';
import { TicketService } from '../apps/gas-callcenter/src/domain/ticket-service.js';
import { DEMO_QUERY_PASSWORD, seedDemoData } from '../apps/gas-callcenter/src/seed/seed.js';
import { openSqliteStore } from '../apps/gas-callcenter/src/storage/sqlite/sqlite-store.js';
import { CallCenter } from '../apps/gas-callcenter/src/server/call-center.js';
import { CallDetailRecorder } from '../apps/gas-callcenter/src/server/cdr.js';
import { centreTotals } from '../apps/gas-callcenter/src/server/figures.js';
import { createGasServices } from '../apps/gas-callcenter/src/server/gas-services.js';
import { SimulatedAgents } from '../apps/gas-callcenter/src/server/demo/sim-agents.js';
import { TrafficGenerator, type DemoAccount } from '../apps/gas-callcenter/src/server/demo/traffic.js';

const here = dirname(fileURLToPath(import.meta.url));
const HOURS = Number(process.env['HOTLINE_BENCH_DAY_HOURS'] ?? 5);
const CALLS_PER_HOUR = 600;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-day-'));
  const scheduler = new VirtualScheduler(Date.UTC(2026, 10, 26, 0, 0, 0)); // 08:00 in Shanghai
  const io = <T>(p: Promise<T>): Promise<T> => scheduler.track(p);
  const cheap = { N: 1024, r: 8, p: 1 };
  const store = await openSqliteStore({ dataDir: dir, clock: scheduler, synchronous: 'normal' });
  await seedDemoData(store, { customers: 300, seed: 5, clock: scheduler, scrypt: cheap });
  const auth = new AuthService({
    users: store.users,
    customers: store.customers,
    departments: store.departments,
    audit: store.audit,
    clock: scheduler,
    scrypt: cheap,
  });
  const tickets = new TicketService({
    tickets: store.tickets,
    departments: store.departments,
    audit: store.audit,
    clock: scheduler,
  });
  const services = createGasServices({ store, auth, tickets, clock: scheduler, timeZone: 'Asia/Shanghai', io });
  const sim = new SimBoard({ scheduler, analogTrunks: 0, e1Spans: 1, stations: 20, keepAudio: false });
  const center = await scheduler.run(
    CallCenter.open({
      driver: sim.driver,
      scheduler,
      logger: process.env['HOTLINE_BENCH_DEBUG']
        ? {
            debug() {},
            info() {},
            warn: (m: string, f?: object) => console.log('WARN', m, JSON.stringify(f)),
            error: (m: string, f?: object) => console.log('ERROR', m, JSON.stringify(f)),
          }
        : silentLogger,
      services,
      promptsDir: join(here, '..', 'apps', 'gas-callcenter', 'prompts'),
      recordingsDir: join(dir, 'recordings'),
      recordCalls: false,
    }),
  );
  const cdr = new CallDetailRecorder({
    store,
    board: center.board,
    ivr: center.ivr,
    scheduler,
    logger: silentLogger,
    io,
  });
  const agents = new SimulatedAgents({
    sim,
    board: center.board,
    acd: center.acd,
    scheduler,
    logger: silentLogger,
    meanTalkMs: 90_000,
    meanWrapMs: 15_000,
  });
  for (const seat of center.seats) agents.start(seat);
  const accounts: DemoAccount[] = [];
  for (const c of await store.customers.search({ limit: 100 })) {
    for (const a of await store.customers.accountsOf(c.id))
      accounts.push({ customerNo: a.accountNo, password: DEMO_QUERY_PASSWORD });
  }
  const tracking: string[] = [];
  tickets.changes$.subscribe((c) => c.action === 'accept' && tracking.push(c.ticket.trackingNo));
  const traffic = new TrafficGenerator({
    sim,
    board: center.board,
    ivrEvents$: center.ivr.events$,
    scheduler,
    logger: silentLogger,
    callsPerHour: CALLS_PER_HOUR,
    accounts,
    trackingNumbers: () => tracking,
    seed: 11,
  });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  traffic.start();
  const dayMs = HOURS * 3_600_000;
  await scheduler.advanceBy(dayMs);
  traffic.stop();
  await scheduler.advanceBy(15 * 60_000); // the last callers finish
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const totals = centreTotals(center.acd.statistics());
  agents.stopAll();
  await scheduler.run(center.close());
  await cdr.close();
  const cdrCount = (await store.db.get<{ n: number }>('SELECT count(*) AS n FROM interactions'))?.n ?? 0;
  const byOutcome = await store.db.all<{ outcome: string | null; n: number }>(
    'SELECT outcome, count(*) AS n FROM interactions GROUP BY outcome ORDER BY n DESC',
  );
  const byService = await store.db.all<{ service: string | null; outcome: string | null; n: number }>(
    'SELECT service, outcome, count(*) AS n FROM interactions GROUP BY service, outcome ORDER BY service, n DESC',
  );
  const ticketCount = (await store.db.get<{ n: number }>('SELECT count(*) AS n FROM tickets'))?.n ?? 0;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const calls = traffic.counters.started;
  console.log(
    `simulated ${HOURS} h at ${CALLS_PER_HOUR} calls/h: ${calls} calls (${traffic.counters.blocked} found every trunk busy), 20 simulated agents, 30 E1 trunks`,
  );
  console.log(
    `wall ${(wallMs / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s → ${(calls / (wallMs / 1000)).toFixed(1)} calls per wall second, ${(dayMs / wallMs).toFixed(1)}× faster than real time (a live day runs at 1×)`,
  );
  console.log(
    `ACD: offered ${totals.offered}, answered ${totals.answered}, abandoned ${totals.abandoned} (short ${totals.shortAbandoned}), service level ${totals.serviceLevel === null ? '—' : (totals.serviceLevel * 100).toFixed(1)}% within 20 s`,
  );
  console.log(`by service: ${byService.map((r) => `${r.service ?? '-'}/${r.outcome ?? 'open'} ${r.n}`).join(', ')}`);
  console.log(
    `store: ${cdrCount} call records (${byOutcome.map((r) => `${r.outcome ?? 'open'} ${r.n}`).join(', ')}), ${ticketCount} tickets`,
  );
}
