/**
 * The composition root of the gas call centre: storage, domain services, the board, the ACD, the
 * IVR, the CTI link for agent desktops, and in demo mode the generated traffic and simulated
 * agents. `gas-callcenter start|demo` (and `npm start`) call {@link runServer}.
 *
 * @module
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncScheduler, interval, type Subscription } from 'rxjs';
import { SimBoard } from '@hotline/board-sim';
import type { RunServer } from '../cli/main.js';
import { AuthService } from '../domain/auth-service.js';
import { dayRange, localDate } from '../domain/clock.js';
import { EscalationTimer } from '../domain/escalation-timer.js';
import { TicketService } from '../domain/ticket-service.js';
import { DEMO_QUERY_PASSWORD, DEMO_USER_PASSWORD, seedDemoData } from '../seed/seed.js';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { CallCenter } from './call-center.js';
import { CallDetailRecorder } from './cdr.js';
import { centreTotals } from './figures.js';
import { CtiLink } from './cti/cti-link.js';
import { simulatedHandsets } from './demo/handsets.js';
import { FaxDesk } from './fax-desk.js';
import { createGasServices } from './gas-services.js';
import { serverMessage } from './messages.js';
import { SimulatedAgents } from './demo/sim-agents.js';
import { TrafficGenerator, type DemoAccount } from './demo/traffic.js';

const PROMPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'prompts');

/** Runs the call centre until SIGINT/SIGTERM. */
export const runServer: RunServer = async (loaded, mode, { logger, locale }) => {
  const { config, dataDir } = loaded;
  const say = (key: Parameters<typeof serverMessage>[1], params?: Parameters<typeof serverMessage>[2]): void =>
    void process.stdout.write(`${serverMessage(locale, key, params)}\n`);
  if (config.board.driver !== 'sim') {
    say('unsupportedDriver', { driver: config.board.driver });
    process.exitCode = 2;
    return;
  }
  const scheduler = asyncScheduler;
  const store = await openSqliteStore({
    dataDir,
    clock: scheduler,
    logger: logger.child({ component: 'storage' }),
    busyTimeoutMs: config.database.busyTimeoutMs,
    synchronous: config.database.synchronous,
    orphanPolicy: config.database.orphanPolicy,
  });
  if (mode === 'demo' && (await store.customers.count()) === 0) {
    say('seeding', { customers: config.demo.customers });
    const r = await seedDemoData(store, {
      customers: config.demo.customers,
      seed: config.demo.seed,
      clock: scheduler,
      timeZone: config.timeZone,
      baseHouseholdSize: config.billing.baseHouseholdSize,
    });
    say('seeded', {
      customers: r.customers,
      accounts: r.accounts,
      bills: r.bills,
      users: r.users,
      password: DEMO_USER_PASSWORD,
    });
  }
  const auth = new AuthService({
    users: store.users,
    customers: store.customers,
    departments: store.departments,
    audit: store.audit,
    clock: scheduler,
    lockout: { maxFailures: config.security.maxFailedLogins, lockoutMs: config.security.lockoutMinutes * 60_000 },
    scrypt: { N: config.security.scryptCost, r: 8, p: 1 },
    minPasswordLength: config.security.minPasswordLength,
  });
  const minutes = config.tickets.deadlineMinutes;
  const tickets = new TicketService({
    tickets: store.tickets,
    departments: store.departments,
    audit: store.audit,
    clock: scheduler,
    timeZone: config.timeZone,
    deadlines: {
      emergency: minutes.emergency * 60_000,
      repair: minutes.repair * 60_000,
      service_request: minutes.service_request * 60_000,
      complaint: minutes.complaint * 60_000,
      suggestion: minutes.suggestion * 60_000,
    },
  });
  const escalation = new EscalationTimer({
    service: tickets,
    scheduler,
    maxIntervalMs: config.tickets.escalationCheckSeconds * 1000,
    logger,
  });
  escalation.start();
  // Fax (issue 8): documents on demand, the inbound fax line, results by fax — see fax-desk.ts.
  const fax = await FaxDesk.open({
    store,
    tickets,
    scheduler,
    logger: logger.child({ component: 'fax' }),
    dataDir,
    locale: config.locale,
    timeZone: config.timeZone,
    centre: config.centre,
    settings: config.fax,
  });
  // The CTI link is created once the call centre is open; the hooks below reach it late-bound.
  let cti: CtiLink | undefined;
  const services = createGasServices({
    store,
    auth,
    tickets,
    clock: scheduler,
    timeZone: config.timeZone,
    onVoicemail: (vm) => cti?.voicemailAdded(vm),
  });

  const sim = new SimBoard({
    scheduler,
    analogTrunks: config.board.analogLines,
    e1Spans: config.board.e1Spans,
    stations: config.board.stations + config.board.supervisorStations,
    logger: logger.child({ component: 'board' }),
    ...(fax.engine ? { faxEngine: fax.engine } : {}),
  });
  let ticketsToday = 0;
  const trackingNumbers: string[] = [];
  const ticketSub = tickets.changes$.subscribe((c) => {
    if (c.action !== 'accept') return;
    ticketsToday++;
    trackingNumbers.push(c.ticket.trackingNo);
    if (trackingNumbers.length > 200) trackingNumbers.shift();
  });
  /** Call recordings being stored (waited for at shutdown). */
  const storing = new Set<Promise<void>>();
  const center = await CallCenter.open({
    supervisorStations: config.board.supervisorStations,
    driver: sim.driver,
    scheduler,
    logger: logger.child({ component: 'telephony' }),
    services: fax.ivrServices(services),
    promptsDir: PROMPTS_DIR,
    recordingsDir: join(dataDir, 'recordings'),
    onOffer: (o) => cti?.onOffer(o),
    onConnected: (c) => cti?.onConnected(c),
    onEnded: (c, by) => cti?.onEnded(c, by),
    onRecording: (callId, recording) => {
      // The call's recording joins its record durably; the board's working copy is then removed.
      const stored = (async () => {
        try {
          await store.interactions.attachRecording(callId, readFileSync(recording.path));
          rmSync(recording.path, { force: true });
        } catch (error) {
          logger.warn('storing a call recording failed; the file stays in recordings/calls', {
            call: callId,
            error: String(error),
          });
        }
      })();
      storing.add(stored);
      void stored.finally(() => storing.delete(stored));
      return stored;
    },
    onIvrResult: async (r) => {
      if (r.type === 'voicemail') {
        const m = r.message;
        const vm = await store.voicemails.create(
          {
            // Linked to its call record when there is one; never refused for want of it.
            callId: (await store.interactions.get(m.callId)) ? m.callId : null,
            caller: m.callerId ?? null,
            callbackNumber: m.callbackNumber ?? null,
            wantsReply: m.replyWanted ?? true,
            topic: m.mailbox,
            durationMs: m.durationMs,
          },
          readFileSync(m.path),
          { ext: 'wav', mime: 'audio/wav' },
        );
        cti?.voicemailAdded(vm);
      }
    },
  });
  const cdr = new CallDetailRecorder({
    store,
    board: center.board,
    ivr: center.ivr,
    scheduler,
    logger: logger.child({ component: 'cdr' }),
  });
  fax.attach(center.board);
  let agents: SimulatedAgents | undefined;
  if (mode === 'demo') {
    agents = new SimulatedAgents({
      sim,
      board: center.board,
      acd: center.acd,
      scheduler,
      logger,
      seed: config.demo.seed,
    });
  }
  // The CTI link: agent desktops connect here. In the demo a console agent has no handset, so the
  // server lifts and replaces the simulated phone of the seat on the agent's behalf.
  cti = await CtiLink.open({
    store,
    auth,
    tickets,
    center,
    scheduler,
    logger: logger.child({ component: 'cti' }),
    ...(agents ? { agents } : {}),
    phone: simulatedHandsets(sim),
    holdMusic: join(PROMPTS_DIR, 'zh-CN', 'ivr.hold.wav'),
    ...(mode === 'demo'
      ? { farEnd: (number: string) => sim.subscriber(number, { type: 'answer', afterRings: 2 }) }
      : {}),
  });
  const tls = config.server.tls
    ? { cert: readFileSync(config.server.tls.cert), key: readFileSync(config.server.tls.key) }
    : undefined;
  await cti.listen({ host: config.server.host, port: config.server.port, ...(tls ? { tls } : {}) });
  const url = `${config.server.tls ? 'wss' : 'ws'}://${config.server.host}:${config.server.port}`;
  say('ready', {
    name: config.centre.name,
    hotline: config.centre.hotline,
    trunks: center.board.channels.filter((c) => c.info.kind !== 'station').length,
    seats: center.seats.length,
    url,
  });

  const subscriptions: Subscription[] = [ticketSub];
  let traffic: TrafficGenerator | undefined;
  if (agents) {
    for (const seat of center.seats.slice(0, config.demo.agents)) agents.start(seat);
    const accounts: DemoAccount[] = [];
    for (const c of await store.customers.search({ limit: 200 })) {
      const phone = c.phones[0]?.phone;
      for (const a of await store.customers.accountsOf(c.id)) {
        if (a.hasQueryPassword)
          accounts.push({ customerNo: a.accountNo, password: DEMO_QUERY_PASSWORD, ...(phone ? { phone } : {}) });
      }
    }
    traffic = new TrafficGenerator({
      sim,
      board: center.board,
      ivrEvents$: center.ivr.events$,
      scheduler,
      logger,
      callsPerHour: config.demo.callsPerHour,
      accounts,
      trackingNumbers: () => trackingNumbers,
      seed: config.demo.seed,
    });
    traffic.start();
    say('demoHint', { rate: config.demo.callsPerHour });
  }

  // The live one-line status.
  const status = (): string => {
    const { offered, answered, abandoned, serviceLevel } = centreTotals(
      center.acd.statistics({ from: localDayStart(scheduler.now(), config.timeZone) }),
    );
    let waiting = 0;
    let longest = 0;
    for (const q of ['emergency', 'repair', 'billing', 'complaint', 'general']) {
      waiting += center.acd.waiting(q).length;
      for (const w of center.acd.waiting(q)) longest = Math.max(longest, scheduler.now() - w.enqueuedAt);
    }
    let ready = 0;
    let talking = 0;
    let wrap = 0;
    let notReady = 0;
    for (const seat of center.seats) {
      const a = center.acd.agentSnapshot(seat.agentId);
      if (a.work.some((w) => w.activity === 'connected' || w.activity === 'held' || w.activity === 'offered'))
        talking++;
      else if (a.work.some((w) => w.activity === 'wrap-up')) wrap++;
      else if (a.key.startsWith('ready')) ready++;
      else if (a.key.startsWith('not-ready')) notReady++;
    }
    const sl = serviceLevel === null ? '—' : `${Math.round(serviceLevel * 100)}%`;
    const clock = new Date(scheduler.now()).toLocaleTimeString(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: config.timeZone,
      hour12: false,
    });
    return serverMessage(locale, 'status', {
      clock,
      calls: center.telephony.calls.length,
      ivr: center.ivr.activeCalls,
      waiting,
      longest: Math.round(longest / 1000),
      ready,
      talking,
      wrap,
      notReady,
      offered,
      answered,
      abandoned,
      sl,
      tickets: ticketsToday,
    });
  };
  const tty = process.stdout.isTTY === true;
  subscriptions.push(
    interval(tty ? 1000 : 10_000, scheduler).subscribe(() => {
      process.stdout.write(tty ? `\r\x1b[2K${status()}` : `${status()}\n`);
    }),
  );

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  if (tty) process.stdout.write('\n');
  say('stopping');
  traffic?.stop();
  await cti.close();
  agents?.stopAll();
  for (const s of subscriptions) s.unsubscribe();
  escalation.stop();
  await fax.close();
  // Calls still up are hung up so their recordings and call records are complete and stored.
  await Promise.allSettled(
    center.board.channels
      .filter((c) => c.state.state !== 'idle' && c.state.state !== 'out-of-service')
      .map((c) => c.hangup()),
  );
  await new Promise<void>((resolve) => setTimeout(resolve, 300)); // the board's release events
  await Promise.allSettled([...storing]);
  await center.close();
  await cdr.close();
  await store.close();
  say('stopped');
};

function localDayStart(now: number, timeZone: string): number {
  return dayRange(localDate(now, timeZone).iso, timeZone).start;
}
