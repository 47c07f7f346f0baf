/**
 * The CTI link of the gas call centre: the `@hotline/agent-protocol` server agent desktops (the
 * Ink console) connect to. This file only wires the protocol engine to the modules that do the
 * work, one per command family:
 *
 * | module            | commands and pushes                                                     |
 * | ----------------- | ----------------------------------------------------------------------- |
 * | `sessions.ts`     | login, audit, sessions, seats, `agent.*`, password, the snapshot        |
 * | `calls.ts`        | `call.*` (consultation and conference in `consultation.ts`), screen pops |
 * | `tickets.ts`      | `customer.*`, `billing.summary`, `ticket.*`, `department.*`             |
 * | `voicemail.ts`    | `voicemail.*`                                                           |
 * | `supervisor.ts`   | `supervisor.*` (wallboard, forced states, monitoring), queue figures    |
 *
 * and the shared pieces: `directory.ts` (people, seats, queues), `desks.ts` (each desk's calls),
 * `screen-pop.ts`, `mapping.ts` (domain ⇄ wire shapes), `catalog.ts`, `commands.ts`.
 *
 * Seats: a person who logs in as agent `a001` takes seat a001 (the ACD agent and the station on
 * the board) from the simulated agent working it in demo mode; logging out gives it back.
 *
 * @module
 */
import { Subscription, interval, type SchedulerLike } from 'rxjs';
import {
  ProtocolServer,
  listenWebSocket,
  type CommandHandlers,
  type ProtocolServerOptions,
  type WebSocketListener,
} from '@hotline/agent-protocol/server';
import type { Logger } from '@hotline/cti-core';
import type { AcdEvent } from '@hotline/acd';
import type { AuthService } from '../../domain/auth-service.js';
import type { Store } from '../../domain/store.js';
import type { TicketService } from '../../domain/ticket-service.js';
import type { Voicemail } from '../../domain/voicemail.js';
import type { CallCenter } from '../call-center.js';
import type { SimulatedAgents } from '../demo/sim-agents.js';
import type { ConnectedCall } from '../telephony.js';
import type { HandsetOf } from '../telephony/handset.js';
import { CallDesk } from './calls.js';
import type { Io } from './commands.js';
import { Consultations } from './consultation.js';
import { Desks } from './desks.js';
import { Directory } from './directory.js';
import { ScreenPops } from './screen-pop.js';
import { AgentSessions } from './sessions.js';
import { Supervision } from './supervisor.js';
import { TicketDesk } from './tickets.js';
import { VoicemailDesk } from './voicemail.js';

/** Options of {@link CtiLink}. */
export interface CtiLinkOptions {
  readonly store: Store;
  readonly auth: AuthService;
  readonly tickets: TicketService;
  readonly center: CallCenter;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Demo mode: the simulated agents, who get a seat back when its person logs out. */
  readonly agents?: SimulatedAgents;
  /** The handset of a station (the simulated board's: `demo/handsets.ts`). */
  readonly phone?: HandsetOf;
  /** Music on hold (a WAV file the board can play), looped to a held caller. */
  readonly holdMusic?: string;
  /** Demo: make a number an agent dials answer (the simulated network knows no subscribers otherwise). */
  readonly farEnd?: (number: string) => void;
  /** Wraps storage promises (tests in virtual time: `scheduler.track`). */
  readonly io?: Io;
  /** How often queue figures are pushed, ms (default 5 000). */
  readonly queueStatsMs?: number;
  /** Protocol engine settings (heartbeat, resume window...). */
  readonly protocol?: Partial<
    Omit<ProtocolServerOptions, 'authenticator' | 'snapshot' | 'audit' | 'scheduler' | 'logger'>
  >;
}

/** The WebSocket CTI link between the call centre and agent desktops. */
export class CtiLink {
  /** The protocol engine (exposed for tests and the bench). */
  readonly server: ProtocolServer;

  private readonly subs = new Subscription();
  private readonly directory: Directory;
  private readonly sessions: AgentSessions;
  private readonly pops: ScreenPops;
  private readonly calls: CallDesk;
  private readonly consultations: Consultations;
  private readonly supervision: Supervision;
  private readonly ticketDesk: TicketDesk;
  private readonly voicemail: VoicemailDesk;
  private readonly logger: Logger;
  private listener: WebSocketListener | undefined;
  private closed = false;

  private constructor(options: CtiLinkOptions) {
    const { store, center, scheduler, logger } = options;
    const { acd, board, telephony } = center;
    const io: Io = options.io ?? (<T>(p: Promise<T>) => p);
    const handsets: HandsetOf = options.phone ?? (() => undefined);
    const holdMusic = options.holdMusic;
    this.logger = logger;
    this.server = new ProtocolServer({
      ...options.protocol,
      scheduler,
      logger,
      serverInfo: options.protocol?.serverInfo ?? { name: 'gas-callcenter', version: '0.1.0' },
      authenticator: { login: (r) => this.sessions.login(r.userId, r.password) },
      snapshot: (s) => this.sessions.snapshot(s),
      audit: (e) => this.sessions.audit(e),
    });
    const server = this.server;
    const directory = new Directory({ store, acd, board, telephony, io });
    const desks = new Desks({ scheduler, server, isOnline: (id) => directory.isOnline(id) });
    const pops = new ScreenPops({ store, telephony, server, directory, desks, io, logger });
    const supervision = new Supervision({
      acd,
      board,
      telephony,
      seats: center.seats,
      supervisorPhones: center.supervisorPhones,
      store,
      server,
      directory,
      desks,
      handsets,
      scheduler,
      io,
      logger,
    });
    const endMonitorsOf = (callId: string): Promise<void> => supervision.endMonitorsOf(callId);
    const consultations = new Consultations({
      acd,
      board,
      telephony,
      store,
      desks,
      directory,
      pops,
      handsets,
      holdMusic,
      endMonitorsOf,
      io,
      logger,
    });
    const calls = new CallDesk({
      acd,
      board,
      telephony,
      store,
      desks,
      directory,
      pops,
      consultations,
      handsets,
      holdMusic,
      farEnd: options.farEnd,
      endMonitorsOf,
      scheduler,
      io,
      logger,
    });
    const ticketDesk = new TicketDesk({ store, tickets: options.tickets, directory, server, scheduler, io });
    const voicemail = new VoicemailDesk({
      store,
      directory,
      server,
      dial: (s, number) => calls.dial(s, number),
      scheduler,
      io,
    });
    this.sessions = new AgentSessions({
      acd,
      auth: options.auth,
      store,
      server,
      directory,
      desks,
      agents: options.agents,
      snapshotParts: {
        pops: (list) => pops.popsOf(list),
        queueStats: (only) => supervision.queueStats(only),
        agentRows: () => supervision.agentRows(),
        voicemailsWaiting: () => voicemail.waiting(),
        inboxCount: (s) => ticketDesk.inboxCount(s),
      },
      scheduler,
      io,
      logger,
    });
    this.directory = directory;
    this.pops = pops;
    this.calls = calls;
    this.consultations = consultations;
    this.supervision = supervision;
    this.ticketDesk = ticketDesk;
    this.voicemail = voicemail;
  }

  /** Builds the link: loads departments and user names, wires the ACD, IVR and tickets. */
  static async open(options: CtiLinkOptions): Promise<CtiLink> {
    const link = new CtiLink(options);
    await link.directory.refresh();
    link.subscribe(options);
    const handlers: CommandHandlers = {
      ...link.sessions.handlers(),
      ...link.calls.handlers(),
      ...link.ticketDesk.handlers(),
      ...link.voicemail.handlers(),
      ...link.supervision.handlers(),
    };
    link.server.handleAll(handlers);
    return link;
  }

  /** Serves the protocol over WebSocket. */
  async listen(options: {
    readonly host: string;
    readonly port: number;
    readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  }): Promise<WebSocketListener> {
    this.listener = await listenWebSocket(this.server, {
      host: options.host,
      port: options.port,
      logger: this.logger,
      ...(options.tls ? { tls: options.tls } : {}),
    });
    return this.listener;
  }

  /** Says bye to every desktop, stops listening and releases subscriptions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subs.unsubscribe();
    await this.server.close(2_000);
    await this.listener?.close();
    this.calls.close();
  }

  // -------------------------------------------------------------------------------------------
  // Hooks from the call centre (run.ts passes them to CallCenter.open)

  /** A call is ringing at an agent's phone: the screen pop moment. */
  onOffer(offer: {
    readonly agentId: string;
    readonly interactionId: string;
    readonly callerId?: string;
    readonly data: Readonly<Record<string, string | number | boolean>>;
  }): void {
    this.calls.offered(offer);
  }

  /** A caller and an agent are talking. */
  onConnected(call: ConnectedCall): void {
    this.calls.connected(call);
  }

  /** A call with an agent ended (or left the agent: transfer, line fault). */
  onEnded(call: ConnectedCall, by: 'caller' | 'agent'): void {
    this.calls.ended(call, by);
  }

  /** A voicemail was stored: call-back handlers hear of it. */
  voicemailAdded(vm: Voicemail): void {
    if (!this.closed) this.voicemail.announce(vm);
  }

  // -------------------------------------------------------------------------------------------
  // The call centre's streams → the modules

  private subscribe(options: CtiLinkOptions): void {
    const { center, scheduler } = options;
    this.subs.add(center.acd.events$.subscribe((e) => this.onAcdEvent(e)));
    this.subs.add(
      center.acd.assignments$.subscribe((a) => {
        const consult = this.consultations.get(a.interactionId);
        if (consult) this.consultations.onAssignment(consult, a);
        else if (a.type === 'retract') this.calls.retracted(a);
      }),
    );
    this.subs.add(center.ivr.events$.subscribe((e) => this.pops.onIvrEvent(e)));
    this.subs.add(
      options.tickets.changes$.subscribe((c) => {
        if (!this.closed) this.ticketDesk.changed(c);
      }),
    );
    this.subs.add(
      interval(options.queueStatsMs ?? 5_000, scheduler).subscribe(() => {
        if (!this.closed) this.supervision.pushQueueStats();
      }),
    );
    this.subs.add(
      this.server.sessionEvents$.subscribe((e) => {
        try {
          this.sessions.onSessionEvent(e);
        } catch (error) {
          this.logger.error('cti: session event failed', { type: e.type, error: String(error) });
        }
      }),
    );
  }

  private onAcdEvent(e: AcdEvent): void {
    if (this.closed) return;
    if (e.type === 'agent-state' || e.type === 'agent-desktop') {
      this.sessions.onAgentEvent(e);
      this.supervision.agentChanged(e.agentId);
    } else {
      this.pops.onAcdEvent(e);
    }
  }
}
