/**
 * The CTI link of the gas call centre: the `@hotline/agent-protocol` server agent desktops (the
 * Ink console) connect to. It authenticates people against the user store, serves every command
 * of the protocol over the ACD, the telephony, the business domain and storage, and pushes agent
 * states, screen pops, call states, queue figures, wallboard rows, ticket changes and voicemails.
 *
 * Seats: a person who logs in as agent `a001` takes seat a001 (the ACD agent and the station on
 * the board) from the simulated agent working it in demo mode; logging out gives it back.
 *
 * Handsets: a console agent in the demo has no physical phone. `call.answer` lifts the seat's
 * handset on the agent's behalf (`phone` option: on the simulated board `sim.phone(station)`),
 * and `call.hangup` releases the station leg from the board side. With a real board and no
 * `phone` option, the agent lifts the real handset and `call.answer` answers `ERR_ILLEGAL_STATE`.
 *
 * @module
 */
import { Subject, Subscription, filter, firstValueFrom, interval, timer, type SchedulerLike } from 'rxjs';
import {
  ProtocolError,
  ProtocolErrorCode,
  type AgentRow,
  type CallEndCause,
  type CallInfo,
  type CallState,
  type Catalog,
  type IvrStep,
  type MonitorMode,
  type QueueStats,
  type ScreenPop,
  type Snapshot,
  type Ticket as WireTicket,
  type UserInfo,
} from '@hotline/agent-protocol';
import {
  ProtocolServer,
  listenWebSocket,
  type AuditEntry,
  type LoginOutcome,
  type ProtocolServerOptions,
  type SessionView,
  type WebSocketListener,
} from '@hotline/agent-protocol/server';
import { isHotlineError, maskPhone, type Channel, type Logger } from '@hotline/cti-core';
import type { AcdEvent, Assignment, QueueStatus } from '@hotline/acd';
import type { IvrEvent } from '@hotline/ivr';
import type { AuthService } from '../domain/auth-service.js';
import type { Department } from '../domain/departments.js';
import { AppErrorCode } from '../domain/errors.js';
import type { Store } from '../domain/store.js';
import { OPEN_TICKET_STATUSES, TICKET_SUBTYPES, type Ticket, type TicketStatus } from '../domain/tickets.js';
import type { Actor, TicketService } from '../domain/ticket-service.js';
import type { User } from '../domain/users.js';
import type { Voicemail } from '../domain/voicemail.js';
import { consultQueueId, gasQueues, type CallCenter } from './call-center.js';
import { DISPOSITIONS, NOT_READY_REASONS, ivrNodeLabel } from './cti/catalog.js';
import {
  DOMAIN_STATUS,
  TYPE_OF,
  agentStatus,
  customerSummary,
  domainVoicemailStatus,
  numericId,
  toProtocolError,
  wireCustomer,
  wireHistory,
  wireInteraction,
  wirePhone,
  wireRole,
  wireTicket,
  wireVoicemail,
} from './cti/mapping.js';
import type { SimulatedAgents } from './sim-agents.js';
import type { ConnectedCall, Seat } from './telephony.js';

/** The handset of a seat, as the server can work it on the agent's behalf (simulated board). */
export interface AgentPhone {
  /** True while the board rings it. */
  readonly ringing: boolean;
  /** Lifts the handset (answers a ringing phone). */
  lift(): void;
  /** Puts the handset down. */
  hangUp(): void;
}

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
  /** The handset of a station (the simulated board's `sim.phone(station)`). */
  readonly phone?: (station: string) => AgentPhone | undefined;
  /** Music on hold (a WAV file the board can play), looped to a held caller. */
  readonly holdMusic?: string;
  /** Demo: make a number an agent dials answer (the simulated network knows no subscribers otherwise). */
  readonly farEnd?: (number: string) => void;
  /** Wraps storage promises (tests in virtual time: `scheduler.track`). */
  readonly io?: <T>(promise: Promise<T>) => Promise<T>;
  /** How often queue figures are pushed, ms (default 5 000). */
  readonly queueStatsMs?: number;
  /** Protocol engine settings (heartbeat, resume window...). */
  readonly protocol?: Partial<
    Omit<ProtocolServerOptions, 'authenticator' | 'snapshot' | 'audit' | 'scheduler' | 'logger'>
  >;
}

/** One call as one agent's desktop sees it. */
interface CallRecord {
  readonly callId: string;
  readonly agentId: string;
  readonly direction: CallInfo['direction'];
  state: CallState;
  since: number;
  readonly remoteNumber: string;
  readonly queueId: string | undefined;
  customerId: string | undefined;
  cause: CallEndCause | undefined;
  pop: ScreenPop | undefined;
  /** Inbound: what the offer carried, to build the pop later (the agent was offline at the offer). */
  offer?: { readonly callerId: string | undefined; readonly data: Readonly<Record<string, string | number | boolean>> };
  transferring: boolean;
  hold: { readonly abort: AbortController; readonly done: Promise<void> } | undefined;
  /** Outbound calls: the trunk and station legs. */
  legs: { readonly trunk: Channel; readonly station: Channel } | undefined;
  /** A consultation this agent opened on the call (the caller is held meanwhile). */
  consult?: Consult;
}

/** A consult leg from the agent of a call to another agent or a queue. */
interface Consult {
  /** The consult interaction in the ACD (`consultCallId`). */
  readonly id: string;
  /** The call consulted about (the held caller). */
  readonly callId: string;
  readonly fromAgent: string;
  readonly target:
    { readonly kind: 'agent'; readonly agentId: string } | { readonly kind: 'queue'; readonly queueId: string };
  state: 'waiting' | 'ringing' | 'connected' | 'conference' | 'completed' | 'ended';
  /** The board conference of caller, agent and consulted agent (`call.conference`). */
  conference?: string;
  /** The consulted agent, once rung. */
  agentId?: string;
  station?: Channel;
  ringing?: Subscription;
  watch?: Subscription;
}

/** A supervisor listening to, whispering to or barging into an agent's call (`supervisor.monitor`). */
interface Monitor {
  readonly id: string;
  readonly supervisorId: string;
  readonly agentId: string;
  readonly callId: string;
  readonly mode: MonitorMode;
  readonly conference: string;
  /** The supervisor's station. */
  readonly station: Channel;
  /** The monitored call's legs (in the conference instead of bridged while monitored). */
  readonly trunk: Channel;
  readonly agentStation: Channel;
  watch?: Subscription;
  ended: boolean;
}

const RING_TIMEOUT_MS = 20_000;
const OPEN: readonly TicketStatus[] = OPEN_TICKET_STATUSES;

function fail(code: string, message: string, details?: Readonly<Record<string, unknown>>): never {
  throw new ProtocolError(code, message, details ? { details } : {});
}

/** The WebSocket CTI link between the call centre and agent desktops. */
export class CtiLink {
  /** The protocol engine (exposed for tests and the bench). */
  readonly server: ProtocolServer;

  private readonly o: CtiLinkOptions;
  private readonly io: <T>(promise: Promise<T>) => Promise<T>;
  private readonly subs = new Subscription();
  private readonly users = new Map<string, User>();
  private readonly scopes = new Map<string, ReadonlySet<string>>();
  private readonly online = new Map<string, number>();
  private readonly calls = new Map<string, CallRecord>();
  private readonly changed = new Subject<CallRecord>();
  private readonly ivrPaths = new Map<string, IvrStep[]>();
  private readonly enqueued = new Map<string, { readonly at: number; readonly priority: string }>();
  private readonly transferNotes = new Map<
    string,
    { readonly agentId: string; readonly name?: string; readonly note?: string }
  >();
  private readonly handBack = new Set<string>();
  /** Seats taken from a simulated agent (given back when the person leaves). */
  private readonly borrowed = new Set<string>();
  private readonly outboundReady = new Set<string>();
  private readonly queueNames = new Map(gasQueues().map((q) => [q.id, q.name ?? q.id]));
  private departments: Department[] = [];
  private displayNames = new Map<string, string>();
  private listener: WebSocketListener | undefined;
  private outboundSeq = 0;
  private consultSeq = 0;
  /** Consult interactions → their consultation (until the consulted agent wraps up). */
  private readonly consults = new Map<string, Consult>();
  private readonly monitors = new Map<string, Monitor>();
  private monitorSeq = 0;
  private closed = false;

  private constructor(options: CtiLinkOptions) {
    this.o = options;
    this.io = options.io ?? (<T>(p: Promise<T>) => p);
    this.server = new ProtocolServer({
      ...options.protocol,
      scheduler: options.scheduler,
      logger: options.logger,
      serverInfo: options.protocol?.serverInfo ?? { name: 'gas-callcenter', version: '0.1.0' },
      authenticator: { login: (r) => this.login(r.userId, r.password) },
      snapshot: (s) => this.snapshot(s),
      audit: (e) => this.audit(e),
    });
  }

  /** Builds the link: loads departments and user names, wires the ACD, IVR and tickets. */
  static async open(options: CtiLinkOptions): Promise<CtiLink> {
    const link = new CtiLink(options);
    await link.init();
    link.handlers();
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
      logger: this.o.logger,
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
    for (const rec of this.calls.values()) rec.hold?.abort.abort();
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
    const { acd } = this.o.center;
    let queueId: string | undefined;
    try {
      queueId = acd.interactionStatus(offer.interactionId).queueId;
    } catch {
      queueId = undefined;
    }
    const rec: CallRecord = {
      callId: offer.interactionId,
      agentId: offer.agentId,
      direction: 'inbound',
      state: 'offered',
      since: this.now(),
      remoteNumber: wirePhone(offer.callerId) ?? '',
      queueId,
      customerId: undefined,
      cause: undefined,
      pop: undefined,
      offer: { callerId: offer.callerId, data: offer.data },
      transferring: false,
      hold: undefined,
      legs: undefined,
    };
    this.calls.set(this.key(offer.agentId, offer.interactionId), rec);
    void this.recordOffer(rec, offer.data).catch((e: unknown) =>
      this.o.logger.warn('cti: recording the call failed', { call: rec.callId, error: String(e) }),
    );
    if (!this.online.has(offer.agentId)) return;
    void this.buildPop(rec, offer.callerId, offer.data)
      .then((pop) => {
        rec.pop = pop;
        if (rec.state === 'offered') this.server.push({ userId: rec.agentId }, 'call.offered', pop);
      })
      .catch((e: unknown) => this.o.logger.error('cti: screen pop failed', { call: rec.callId, error: String(e) }));
  }

  /** A caller and an agent are talking. */
  onConnected(call: ConnectedCall): void {
    const rec = this.calls.get(this.key(call.agentId, call.interactionId));
    if (rec) this.setState(rec, 'connected');
    const user = this.users.get(call.agentId);
    void this.io(
      this.o.store.interactions
        .update(call.interactionId, {
          answeredAt: call.connectedAt,
          outcome: 'agent',
          ...(user ? { agentUserId: user.id } : {}),
        })
        .then(() => undefined),
    ).catch(() => undefined);
  }

  /** A call with an agent ended (or left the agent: transfer, line fault). */
  onEnded(call: ConnectedCall, by: 'caller' | 'agent'): void {
    for (const m of this.monitors.values())
      if (m.callId === call.interactionId) void this.endMonitor(m).catch(() => undefined);
    const rec = this.calls.get(this.key(call.agentId, call.interactionId));
    if (rec?.consult?.state === 'conference' && by === 'agent' && call.trunk.state.state === 'connected') {
      // The first agent left a conference: the caller stays with the consulted agent (the
      // telephony handed the call over; the ACD sees a transfer out of this agent's hands).
      const c = rec.consult;
      rec.consult = undefined;
      this.setState(rec, 'ended', 'agent-hangup');
      void this.leftConference(c, call).catch((e: unknown) =>
        this.o.logger.warn('cti: handing a conference over failed', { call: c.callId, error: String(e) }),
      );
      return;
    }
    if (rec?.consult && rec.consult.state !== 'completed') {
      // The caller left during the consultation: the consult leg goes too.
      void this.dropConsult(rec.consult, 'caller-hangup');
    }
    if (rec) {
      rec.hold?.abort.abort();
      this.setState(
        rec,
        'ended',
        rec.transferring ? 'transferred' : by === 'caller' ? 'caller-hangup' : 'agent-hangup',
      );
    }
    if (!rec?.transferring) {
      void this.io(
        this.o.store.interactions.update(this.cdrId(call.interactionId), { endedAt: this.now() }).then(() => undefined),
      ).catch(() => undefined);
    }
  }

  /** A voicemail was stored: call-back handlers hear of it. */
  voicemailAdded(vm: Voicemail): void {
    if (this.closed || !vm.wantsReply) return;
    this.server.push({ role: ['agent', 'supervisor'] }, 'voicemail.added', wireVoicemail(vm));
  }

  // -------------------------------------------------------------------------------------------
  // Set-up

  private async init(): Promise<void> {
    const { store, center, scheduler } = this.o;
    await this.refreshDirectory();
    this.subs.add(center.acd.events$.subscribe((e) => this.onAcdEvent(e)));
    this.subs.add(center.acd.assignments$.subscribe((a) => this.onAssignment(a)));
    this.subs.add(center.ivr.events$.subscribe((e) => this.onIvrEvent(e)));
    this.subs.add(
      this.o.tickets.changes$.subscribe((c) => {
        if (this.closed) return;
        const ticket = wireTicket(c.ticket, (id) => this.departmentName(id));
        const change = wireHistory({
          at: c.ticket.updatedAt,
          actor: c.actor,
          action: c.action,
          fromStatus: null,
          toStatus: c.ticket.status,
          departmentId: c.ticket.departmentId,
          note: null,
        });
        this.server.push((s) => this.seesTicket(s, c.ticket), 'ticket.changed', { ticket, change });
      }),
    );
    this.subs.add(interval(this.o.queueStatsMs ?? 5_000, scheduler).subscribe(() => this.pushQueueStats()));
    this.subs.add(
      this.server.sessionEvents$.subscribe((e) => {
        try {
          this.onSessionEvent(e);
        } catch (error) {
          this.o.logger.error('cti: session event failed', { type: e.type, error: String(error) });
        }
      }),
    );
    void store;
  }

  private async refreshDirectory(): Promise<void> {
    const [departments, users] = await this.io(
      Promise.all([this.o.store.departments.list(), this.o.store.users.list()]),
    );
    this.departments = departments;
    this.displayNames = new Map(users.map((u) => [u.username, u.displayName]));
  }

  private departmentName(id: number): string | undefined {
    return this.departments.find((d) => d.id === id)?.name;
  }

  // -------------------------------------------------------------------------------------------
  // Authentication, audit, sessions

  private async login(userId: string, password: string): Promise<LoginOutcome> {
    try {
      const user = await this.io(this.o.auth.login(userId, password));
      this.users.set(user.username, user);
      if (user.role === 'department_staff' && user.departmentId !== null) {
        const ids = await this.io(this.o.store.departments.subtreeIds(user.departmentId));
        this.scopes.set(user.username, new Set(ids.map(String)));
      }
      const info = this.userInfo(user);
      // The person takes the seat now, so the session's snapshot already shows it.
      const seat = this.callHandler(info) ? this.seatOf(user.username) : undefined;
      if (seat) this.takeSeat(seat, false);
      return { ok: true, user: info };
    } catch (error) {
      if (isHotlineError(error, AppErrorCode.AuthFailed)) {
        const left = error.details['attemptsLeft'];
        return {
          ok: false,
          reason: 'bad-credentials',
          ...(typeof left === 'number' ? { remainingAttempts: left } : {}),
        };
      }
      if (isHotlineError(error, AppErrorCode.Locked)) {
        const until = error.details['lockedUntil'];
        return {
          ok: false,
          reason: 'locked-out',
          ...(typeof until === 'number' ? { retryAfterMs: Math.max(0, until - this.now()) } : {}),
        };
      }
      if (isHotlineError(error, AppErrorCode.Disabled)) return { ok: false, reason: 'disabled' };
      throw error;
    }
  }

  private userInfo(user: User): UserInfo {
    const role = wireRole(user.role);
    const seat = this.seatOf(user.username);
    const queueIds =
      role === 'supervisor' || role === 'administrator'
        ? [...this.queueNames.keys()]
        : seat
          ? this.queuesOf(seat.agentId)
          : undefined;
    return {
      userId: user.username,
      displayName: user.displayName.slice(0, 64),
      role,
      ...(user.departmentId !== null ? { departmentId: String(user.departmentId) } : {}),
      ...(queueIds && role !== 'department' ? { queueIds } : {}),
    };
  }

  private audit(e: AuditEntry): void {
    const outcome = e.ok === false ? (e.action === 'denied' ? 'denied' : 'failed') : 'ok';
    void this.io(
      this.o.store.audit.append({
        at: e.at,
        actor: e.userId ?? 'anonymous',
        action: `cti.${e.action}${e.command ? `.${e.command}` : ''}`,
        target: e.sessionId ?? null,
        outcome,
        details: {
          remoteAddress: e.remoteAddress,
          ...(e.code ? { code: e.code } : {}),
          ...(e.requestId ? { requestId: e.requestId } : {}),
          ...(e.details ?? {}),
        },
      }),
    ).catch((error: unknown) => this.o.logger.error('cti: audit write failed', { error: String(error) }));
  }

  private onSessionEvent(e: { readonly type: string; readonly session: SessionView; readonly reason?: string }): void {
    const userId = e.session.user.userId;
    const seat = this.callHandler(e.session.user) ? this.seatOf(userId) : undefined;
    switch (e.type) {
      case 'opened':
        this.online.set(userId, (this.online.get(userId) ?? 0) + 1);
        if (seat) this.acdTry(() => this.o.center.acd.desktopReconnected(seat.agentId));
        break;
      case 'resumed':
        if (seat) this.acdTry(() => this.o.center.acd.desktopReconnected(seat.agentId));
        break;
      case 'disconnected':
        if (seat) this.acdTry(() => this.o.center.acd.desktopDisconnected(seat.agentId));
        break;
      case 'closed': {
        const n = (this.online.get(userId) ?? 1) - 1;
        if (n <= 0) this.online.delete(userId);
        else this.online.set(userId, n);
        if (e.reason === 'replaced' || e.reason === 'shutdown' || !seat) break;
        this.giveBack(seat);
        break;
      }
      default:
        break;
    }
  }

  /** A person takes a seat: the simulated agent stops and the person is logged in (not ready). */
  private takeSeat(seat: Seat, ready: boolean): void {
    const { acd } = this.o.center;
    this.handBack.delete(seat.agentId);
    if (this.o.agents?.agents.includes(seat.agentId)) {
      this.o.agents.stop(seat.agentId);
      this.borrowed.add(seat.agentId);
    }
    const snap = acd.agentSnapshot(seat.agentId);
    if (snap.state.presence === 'logged-out') acd.login(seat.agentId, { ready });
    else {
      if (snap.desktop === 'offline') this.acdTry(() => acd.desktopReconnected(seat.agentId));
      if (ready) acd.setReady(seat.agentId);
      else if (snap.state.presence === 'ready') this.acdTry(() => acd.setNotReady(seat.agentId, 'login'));
    }
  }

  /** The person leaves the seat: logged out of the ACD (after the call in hand), and in demo mode the simulated agent returns. */
  private giveBack(seat: Seat): void {
    const { acd } = this.o.center;
    const snap = acd.agentSnapshot(seat.agentId);
    if (snap.state.presence !== 'logged-out') {
      if (snap.work.length === 0) this.acdTry(() => acd.logout(seat.agentId));
      else this.acdTry(() => acd.forceLogout(seat.agentId));
    }
    if (!this.o.agents || !this.borrowed.delete(seat.agentId)) return;
    if (acd.agentSnapshot(seat.agentId).state.presence === 'logged-out') this.o.agents.start(seat);
    else this.handBack.add(seat.agentId);
  }

  private acdTry(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.o.logger.debug('cti: ACD refused', { error: String(error) });
    }
  }

  // -------------------------------------------------------------------------------------------
  // ACD and IVR events → desktops

  private onAcdEvent(e: AcdEvent): void {
    if (this.closed) return;
    switch (e.type) {
      case 'agent-state':
      case 'agent-desktop': {
        if (e.type === 'agent-state' && e.to === 'logged-out' && this.handBack.has(e.agentId)) {
          this.handBack.delete(e.agentId);
          const seat = this.o.center.telephony.seatOf(e.agentId);
          if (seat && this.o.agents && !this.online.has(e.agentId)) this.o.agents.start(seat);
        }
        const snap = this.o.center.acd.agentSnapshot(e.agentId);
        if (this.online.has(e.agentId)) this.server.push({ userId: e.agentId }, 'agent.state', agentStatus(snap));
        this.server.push({ role: ['supervisor', 'administrator'] }, 'wallboard.agents', {
          agents: [this.agentRow(e.agentId)],
        });
        break;
      }
      case 'enqueued':
        this.enqueued.set(e.interactionId, { at: e.enqueuedAt, priority: e.priority });
        break;
      case 'ended':
      case 'abandoned':
      case 'diverted':
        this.enqueued.delete(e.interactionId);
        this.ivrPaths.delete(e.interactionId);
        break;
      default:
        break;
    }
  }

  private onAssignment(a: Assignment): void {
    const consult = this.consults.get(a.interactionId);
    if (consult) {
      this.onConsultAssignment(consult, a);
      return;
    }
    if (a.type !== 'retract') return;
    const rec = this.calls.get(this.key(a.agentId, a.interactionId));
    if (!rec || rec.state !== 'offered') return;
    const cause: CallEndCause =
      a.cause === 'answered-elsewhere' ? 'answered-elsewhere' : a.cause === 'abandoned' ? 'abandoned' : 'no-answer';
    this.setState(rec, 'ended', cause);
    this.calls.delete(this.key(rec.agentId, rec.callId));
  }

  private onIvrEvent(e: IvrEvent): void {
    if (e.type !== 'node-left' || e.node === 'play' || e.node.startsWith('flow:')) return;
    const input = e.input && !/\*/.test(e.input) ? e.input.slice(0, 32) : undefined;
    const path = this.ivrPaths.get(e.callId) ?? [];
    if (path.length >= 32) return;
    const label = ivrNodeLabel(e.node);
    path.push({ node: e.node.slice(0, 64), ...(label ? { label } : {}), ...(input ? { input } : {}), at: e.at });
    this.ivrPaths.set(e.callId, path);
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  private key(agentId: string, callId: string): string {
    return `${agentId}\u0000${callId}`;
  }

  private now(): number {
    return this.o.scheduler.now();
  }

  private info(rec: CallRecord): CallInfo {
    return {
      callId: rec.callId,
      direction: rec.direction,
      state: rec.state,
      remoteNumber: rec.remoteNumber,
      ...(rec.queueId ? { queueId: rec.queueId } : {}),
      ...(rec.customerId ? { customerId: rec.customerId } : {}),
      since: rec.since,
      ...(rec.cause ? { cause: rec.cause } : {}),
      ...(rec.consult && (rec.state === 'consulting' || rec.state === 'conference')
        ? { consultCallId: rec.consult.id }
        : {}),
      recording: false,
    };
  }

  private setState(rec: CallRecord, state: CallState, cause?: CallEndCause): void {
    if (rec.state === 'ended') return;
    rec.state = state;
    rec.since = this.now();
    if (cause) rec.cause = cause;
    if (this.online.has(rec.agentId)) this.server.push({ userId: rec.agentId }, 'call.state', this.info(rec));
    this.changed.next(rec);
  }

  /** Waits until `rec` satisfies `done`, at most `ms` (virtual-time safe). */
  private async waitFor(rec: CallRecord, done: (r: CallRecord) => boolean, ms: number): Promise<void> {
    if (done(rec)) return;
    await Promise.race([
      firstValueFrom(this.changed.pipe(filter((r) => r === rec && done(r))), { defaultValue: undefined }),
      firstValueFrom(timer(ms, this.o.scheduler)),
    ]);
  }

  private ownCall(agentId: string, callId: string): CallRecord {
    const rec = this.calls.get(this.key(agentId, callId));
    if (!rec) fail(ProtocolErrorCode.NotFound, `no call ${callId} at this desk`, { callId });
    return rec;
  }

  private seatFor(session: SessionView): Seat {
    const seat = this.seatOf(session.user.userId);
    if (!seat)
      fail(ProtocolErrorCode.IllegalState, `user ${session.user.userId} has no seat in this call centre`, {
        reason: 'no-seat',
      });
    return seat;
  }

  private seatOf(userId: string): Seat | undefined {
    return this.o.center.telephony.seatOf(userId);
  }

  private callHandler(user: UserInfo): boolean {
    return user.role === 'agent' || user.role === 'supervisor';
  }

  private queuesOf(agentId: string): string[] {
    try {
      const skills = this.o.center.acd.agentSnapshot(agentId).skills;
      return [...this.queueNames.keys()].filter((q) => (skills[q] ?? 0) > 0);
    } catch {
      return [];
    }
  }

  private async recordOffer(rec: CallRecord, data: Readonly<Record<string, string | number | boolean>>): Promise<void> {
    const { interactions } = this.o.store;
    const existing = await this.io(interactions.get(rec.callId));
    if (existing) return;
    const channel = this.o.center.telephony.connectedCall(rec.callId)?.trunk.id ?? null;
    const reason = typeof data['reason'] === 'string' ? data['reason'] : rec.queueId;
    await this.io(
      interactions.start({
        callId: rec.callId,
        direction: 'inbound',
        media: 'voice',
        channel,
        caller: rec.remoteNumber || null,
        called: null,
        startedAt: this.enqueued.get(rec.callId)?.at ?? rec.since,
        ...(reason ? { service: reason } : {}),
      }),
    );
  }

  private async findCustomer(callerId: string | undefined, data: Readonly<Record<string, string | number | boolean>>) {
    const { customers } = this.o.store;
    const no = typeof data['customerNo'] === 'string' ? data['customerNo'] : undefined;
    if (no) {
      const account = await customers.getAccount(no);
      const c = account ? await customers.get(account.customerId) : await customers.getByNumber(no);
      if (c) return { customer: c, candidates: [] };
    }
    if (callerId) {
      const found = await customers.findByPhone(callerId);
      if (found.length === 1) return { customer: found[0], candidates: [] };
      return { customer: undefined, candidates: found.slice(0, 20) };
    }
    return { customer: undefined, candidates: [] };
  }

  private async buildPop(
    rec: CallRecord,
    callerId: string | undefined,
    data: Readonly<Record<string, string | number | boolean>>,
  ): Promise<ScreenPop> {
    const { customer, candidates } = await this.io(this.findCustomer(callerId, data));
    let openTickets: WireTicket[] = [];
    let recent: ScreenPop['recentInteractions'] = [];
    if (customer) {
      rec.customerId = String(customer.id);
      const [tickets, history] = await this.io(
        Promise.all([
          this.o.store.tickets.list({ customerId: customer.id, statuses: [...OPEN, 'resolved'], limit: 50 }),
          this.o.store.interactions.listByCustomer(customer.id, 21),
        ]),
      );
      openTickets = tickets.map((t) => wireTicket(t, (id) => this.departmentName(id)));
      recent = history
        .filter((i) => i.callId !== rec.callId)
        .slice(0, 20)
        .map(wireInteraction);
      void this.io(
        this.o.store.interactions.update(rec.callId, { customerId: customer.id }).then(() => undefined),
      ).catch(() => undefined);
    }
    const path: IvrStep[] = [...(this.ivrPaths.get(rec.callId) ?? [])];
    const tracking = data['trackingNumber'];
    if (typeof tracking === 'string' && !openTickets.some((t) => t.trackingNo === tracking)) {
      const t = await this.io(this.o.store.tickets.getByTrackingNo(tracking));
      if (t) openTickets.unshift(wireTicket(t, (id) => this.departmentName(id)));
    }
    const queued = this.enqueued.get(rec.callId);
    const transferred = this.transferNotes.get(rec.callId);
    const priority: ScreenPop['priority'] =
      queued?.priority === 'emergency' || data['reason'] === 'gas-leak'
        ? 'emergency'
        : queued?.priority === 'vip'
          ? 'vip'
          : 'normal';
    return {
      call: this.info(rec),
      callerId: rec.remoteNumber,
      customer: customer ? wireCustomer(customer) : null,
      ...(candidates.length > 1 ? { candidates: candidates.map(customerSummary) } : {}),
      ivrPath: path,
      openTickets: openTickets.slice(0, 50),
      recentInteractions: recent,
      ...(rec.queueId
        ? { queueId: rec.queueId, queueName: (this.queueNames.get(rec.queueId) ?? rec.queueId).slice(0, 64) }
        : {}),
      priority,
      waitedMs: queued ? Math.max(0, this.now() - queued.at) : 0,
      ...(transferred ? { transferredBy: transferred } : {}),
      ringTimeoutMs: RING_TIMEOUT_MS,
    };
  }

  private phoneOf(seat: Seat): AgentPhone {
    const phone = this.o.phone?.(seat.station);
    if (!phone)
      fail(ProtocolErrorCode.IllegalState, 'lift the handset of your phone to answer', { reason: 'no-remote-handset' });
    return phone;
  }

  private async answer(session: SessionView, callId: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, callId);
    if (rec.state !== 'offered')
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is ${rec.state}, not offered`, { state: rec.state });
    const phone = this.phoneOf(seat);
    // The ring may start a moment after the offer: wait for it (at most 5 s).
    for (let i = 0; i < 50 && !phone.ringing && rec.state === 'offered'; i++)
      await firstValueFrom(timer(100, this.o.scheduler));
    if (rec.state !== 'offered' || !phone.ringing)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is no longer ringing`, { state: rec.state });
    phone.lift();
    await this.waitFor(rec, (r) => r.state !== 'offered', 10_000);
    if ((rec.state as CallState) !== 'connected')
      fail(ProtocolErrorCode.IllegalState, `call ${callId} could not be answered (${rec.cause ?? rec.state})`, {
        state: rec.state,
      });
    return this.info(rec);
  }

  private async hangup(session: SessionView, callId: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, callId);
    const { acd, telephony } = this.o.center;
    if (rec.state === 'ended') return this.info(rec);
    const consulted = this.consults.get(callId);
    if (
      consulted &&
      consulted.agentId === seat.agentId &&
      (consulted.state === 'ringing' || consulted.state === 'connected' || consulted.state === 'conference')
    ) {
      // The consulted agent declines or ends the consultation: the caller goes back to the first agent.
      if (consulted.state === 'ringing') this.consultMissed(consulted, seat.agentId);
      else await this.endConsult(consulted, 'agent-hangup');
      return this.info(rec);
    }
    if (rec.state === 'offered') {
      acd.rejected(callId, seat.agentId);
      return this.info(rec);
    }
    if (rec.consult && rec.consult.state !== 'conference') {
      // Hanging up while consulting: a connected consultation completes (the caller goes to the
      // consulted party), one still ringing is cancelled and the call then ends as usual.
      if (rec.consult.state === 'connected') return this.completeConsult(session, callId);
      await this.cancelConsult(session, callId);
    }
    rec.hold?.abort.abort();
    if (rec.legs) {
      await Promise.all([
        rec.legs.trunk.hangup().catch(() => undefined),
        rec.legs.station.hangup().catch(() => undefined),
      ]);
    } else {
      const call = telephony.connectedCall(callId);
      if (!call || call.agentId !== seat.agentId)
        fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected to this desk`);
      await call.station.hangup().catch(() => undefined);
    }
    this.o.phone?.(seat.station)?.hangUp();
    await this.waitFor(rec, (r) => r.state === 'ended', 5_000);
    return this.info(rec);
  }

  private async hold(session: SessionView, callId: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, callId);
    if (rec.state === 'held') return this.info(rec);
    if (rec.state !== 'connected' || rec.legs)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} cannot be held (${rec.state})`);
    const call = this.o.center.telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    await this.endMonitorsOf(callId);
    await this.holdCaller(rec, call);
    this.setState(rec, 'held');
    return this.info(rec);
  }

  /** Takes the caller off the agent's leg (ACD hold) and plays hold music to them. */
  private async holdCaller(rec: CallRecord, call: ConnectedCall): Promise<void> {
    const callId = rec.callId;
    this.o.center.acd.hold(callId);
    try {
      await call.trunk.unbridge();
    } catch (error) {
      this.acdTry(() => this.o.center.acd.retrieve(callId));
      throw error;
    }
    const abort = new AbortController();
    const music = this.o.holdMusic;
    const done = (async () => {
      while (music && !abort.signal.aborted && call.trunk.state.state === 'connected') {
        try {
          await call.trunk.play(music, { signal: abort.signal });
        } catch {
          break;
        }
      }
    })();
    rec.hold = { abort, done };
  }

  private async retrieve(session: SessionView, callId: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, callId);
    if (rec.state === 'connected') return this.info(rec);
    if (rec.state !== 'held') fail(ProtocolErrorCode.IllegalState, `call ${callId} is not held (${rec.state})`);
    const call = this.o.center.telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    rec.hold?.abort.abort();
    await rec.hold?.done;
    rec.hold = undefined;
    await call.trunk.bridge(call.station);
    this.o.center.acd.retrieve(callId);
    this.setState(rec, 'connected');
    return this.info(rec);
  }

  /** Refuses a transfer or consultation to an agent who does not exist, is oneself, or cannot take a call now. */
  private requireAvailableAgent(seat: Seat, agentId: string): void {
    const { acd, board, telephony } = this.o.center;
    const other = telephony.seatOf(agentId);
    if (!other) fail(ProtocolErrorCode.NotFound, `no agent ${agentId}`, { agentId });
    if (other.agentId === seat.agentId) fail(ProtocolErrorCode.Validation, 'choose another agent', { field: 'target' });
    const snap = acd.agentSnapshot(other.agentId);
    if (
      snap.state.presence !== 'ready' ||
      snap.work.length > 0 ||
      board.channel(other.station).state.state !== 'idle'
    ) {
      fail(
        ProtocolErrorCode.Unavailable,
        `agent ${agentId} is not available (${snap.state.presence}${snap.work.length > 0 ? ', busy' : ''})`,
        {
          reason:
            snap.state.presence === 'logged-out'
              ? 'agent-logged-out'
              : snap.state.presence !== 'ready'
                ? 'agent-not-ready'
                : 'agent-busy',
          agentId,
        },
      );
    }
  }

  private async transfer(
    session: SessionView,
    p: {
      callId: string;
      mode: 'blind' | 'consult';
      target:
        { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string } | { kind: 'number'; number: string };
      note?: string | undefined;
    },
  ) {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, p.callId);
    if (p.mode === 'consult') return this.startConsult(session, seat, rec, p);
    if (p.target.kind === 'number') {
      fail(
        ProtocolErrorCode.NotImplemented,
        'blind transfer to an outside number is not available yet; transfer to an agent or a queue',
        {
          reason: 'number-target-unsupported',
        },
      );
    }
    // A named agent is reached through their personal queue, so the ACD offers, rings and counts it.
    if (p.target.kind === 'agent') this.requireAvailableAgent(seat, p.target.agentId);
    else if (!this.queueNames.has(p.target.queueId))
      fail(ProtocolErrorCode.NotFound, `no queue ${p.target.queueId}`, { queueId: p.target.queueId });
    const queueId = p.target.kind === 'agent' ? consultQueueId(p.target) : p.target.queueId;
    if (rec.state !== 'connected' && rec.state !== 'held')
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is ${rec.state}`);
    if (rec.legs) fail(ProtocolErrorCode.IllegalState, 'an outbound call cannot be transferred');
    await this.endMonitorsOf(p.callId);
    rec.hold?.abort.abort();
    await rec.hold?.done;
    this.transferNotes.set(p.callId, {
      agentId: seat.agentId,
      ...(session.user.displayName ? { name: session.user.displayName } : {}),
      ...(p.note ? { note: p.note } : {}),
    });
    rec.transferring = true;
    void this.io(
      this.o.store.interactions.appendSteps(p.callId, [
        { at: this.now(), kind: 'transfer', detail: { from: seat.agentId, queue: queueId } },
      ]),
    ).catch(() => undefined);
    await this.o.center.telephony.transferToQueue(p.callId, queueId);
    await this.waitFor(rec, (r) => r.state === 'ended', 5_000);
    return { call: this.info(rec) };
  }

  // -------------------------------------------------------------------------------------------
  // Consultative transfer

  /** The interaction whose call record (CDR) a call id belongs to: a consult leg's is the caller's. */
  private cdrId(callId: string): string {
    return this.consults.get(callId)?.callId ?? callId;
  }

  private async startConsult(
    session: SessionView,
    seat: Seat,
    rec: CallRecord,
    p: {
      callId: string;
      target:
        { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string } | { kind: 'number'; number: string };
      note?: string | undefined;
    },
  ): Promise<{ call: CallInfo; consultCallId: string }> {
    const { acd, telephony } = this.o.center;
    const target = p.target;
    if (target.kind === 'number')
      fail(
        ProtocolErrorCode.NotImplemented,
        'consulting an outside number is not available yet; consult an agent or a queue',
        { reason: 'number-target-unsupported' },
      );
    if (rec.consult)
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is already in a consultation`, {
        consultCallId: rec.consult.id,
      });
    if (rec.state !== 'connected' && rec.state !== 'held')
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is ${rec.state}`);
    if (rec.legs) fail(ProtocolErrorCode.IllegalState, 'an outbound call cannot be transferred');
    const call = telephony.connectedCall(p.callId);
    if (!call || call.agentId !== seat.agentId)
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is not connected to this desk`);
    if (target.kind === 'agent') {
      this.requireAvailableAgent(seat, target.agentId);
    } else if (!this.queueNames.has(target.queueId)) {
      fail(ProtocolErrorCode.NotFound, `no queue ${target.queueId}`, { queueId: target.queueId });
    }
    await this.endMonitorsOf(p.callId);
    if (rec.state === 'connected') await this.holdCaller(rec, call);
    const consult: Consult = {
      id: `${p.callId}-c${++this.consultSeq}`,
      callId: p.callId,
      fromAgent: seat.agentId,
      target,
      state: 'waiting',
    };
    rec.consult = consult;
    this.consults.set(consult.id, consult);
    this.transferNotes.set(consult.id, {
      agentId: seat.agentId,
      ...(session.user.displayName ? { name: session.user.displayName } : {}),
      ...(p.note ? { note: p.note } : {}),
    });
    this.setState(rec, 'consulting');
    void this.io(
      this.o.store.interactions.appendSteps(p.callId, [
        {
          at: this.now(),
          kind: 'transfer',
          detail: { from: seat.agentId, mode: 'consult', ...target, consult: consult.id },
        },
      ]),
    ).catch(() => undefined);
    const priority = this.enqueued.get(p.callId)?.priority;
    try {
      const r = acd.enqueue({
        interactionId: consult.id,
        queueId: consultQueueId(target),
        priority: priority === 'emergency' || priority === 'vip' ? priority : 'normal',
        customer: { ...(call.callerId ? { phone: call.callerId } : {}) },
      });
      if (r.status === 'diverted')
        throw new ProtocolError(ProtocolErrorCode.Unavailable, 'nobody can take the consultation now', {
          details: { reason: 'consult-diverted' },
        });
    } catch (error) {
      await this.endConsult(consult, 'failed');
      throw error;
    }
    return { call: this.info(rec), consultCallId: consult.id };
  }

  /** The ACD offers (or takes back) the consult interaction: ring the consulted agent's phone. */
  private onConsultAssignment(c: Consult, a: Assignment): void {
    if (a.type === 'offer') {
      this.ringConsult(c, a.agentId);
      return;
    }
    if (a.type !== 'retract' || c.agentId !== a.agentId || c.state !== 'ringing') return;
    c.ringing?.unsubscribe();
    c.ringing = undefined;
    const rec = this.calls.get(this.key(a.agentId, c.id));
    if (rec) {
      this.setState(rec, 'ended', 'no-answer');
      this.calls.delete(this.key(a.agentId, c.id));
    }
    c.state = 'waiting';
    c.agentId = undefined;
    // A named agent who does not answer ends the consultation; a queue offers it to someone else.
    if (c.target.kind === 'agent') void this.endConsult(c, 'no-answer');
  }

  /** The consulted phone was not answered: a named agent ends the consultation, a queue tries someone else. */
  private consultMissed(c: Consult, agentId: string): void {
    if (c.state !== 'ringing' || c.agentId !== agentId) return;
    if (c.target.kind === 'agent') {
      void this.endConsult(c, 'no-answer');
      return;
    }
    this.onConsultAssignment(c, { type: 'retract', interactionId: c.id, agentId, cause: 'failed' });
    this.acdTry(() => this.o.center.acd.offerFailed(c.id, agentId));
  }

  private ringConsult(c: Consult, agentId: string): void {
    const { acd, board, telephony } = this.o.center;
    if (c.state === 'ended' || c.state === 'completed') return;
    const seat = telephony.seatOf(agentId);
    const station = seat ? board.channel(seat.station) : undefined;
    const from = this.calls.get(this.key(c.fromAgent, c.callId));
    if (!seat || !station || station.state.state !== 'idle' || !from) {
      this.acdTry(() => acd.offerFailed(c.id, agentId));
      if (c.target.kind === 'agent') void this.endConsult(c, 'busy');
      return;
    }
    c.state = 'ringing';
    c.agentId = agentId;
    c.station = station;
    const rec: CallRecord = {
      callId: c.id,
      agentId,
      direction: 'inbound',
      state: 'offered',
      since: this.now(),
      remoteNumber: from.remoteNumber,
      queueId: from.queueId,
      customerId: from.customerId,
      cause: undefined,
      pop: undefined,
      ...(from.offer ? { offer: from.offer } : {}),
      transferring: false,
      hold: undefined,
      legs: undefined,
    };
    this.calls.set(this.key(agentId, c.id), rec);
    if (this.online.has(agentId)) {
      void this.buildPop(rec, from.offer?.callerId, from.offer?.data ?? {})
        .then((pop) => {
          rec.pop = pop;
          if (rec.state === 'offered') this.server.push({ userId: agentId }, 'call.offered', pop);
        })
        .catch((e: unknown) => this.o.logger.error('cti: screen pop failed', { call: c.id, error: String(e) }));
    }
    const fromSeat = telephony.seatOf(c.fromAgent);
    c.ringing = station
      .dial$(seat.extension, { ...(fromSeat ? { callerId: fromSeat.extension } : {}), noAnswerTimeoutMs: 120_000 })
      .subscribe({
        next: (e) => {
          if (e.kind !== 'done') return;
          c.ringing = undefined;
          if (e.result.connected) void this.consultAnswered(c, agentId, station, rec);
          else this.consultMissed(c, agentId);
        },
        error: () => {
          c.ringing = undefined;
          this.consultMissed(c, agentId);
        },
      });
  }

  private async consultAnswered(c: Consult, agentId: string, station: Channel, rec: CallRecord): Promise<void> {
    const { acd, telephony } = this.o.center;
    const call = telephony.connectedCall(c.callId);
    if (c.state !== 'ringing' || c.agentId !== agentId || !call) {
      await station.hangup().catch(() => undefined);
      return;
    }
    try {
      acd.answered(c.id, agentId);
      await call.station.bridge(station);
    } catch (error) {
      this.o.logger.warn('cti: connecting the consultation failed', { call: c.callId, error: String(error) });
      await this.endConsult(c, 'failed');
      return;
    }
    c.state = 'connected';
    this.setState(rec, 'connected');
    const from = this.calls.get(this.key(c.fromAgent, c.callId));
    if (from) this.setState(from, 'consulting');
    // The consulted party hanging up ends the consultation: the caller comes back to the agent.
    c.watch = station.events$.pipe(filter((e) => e.type === 'released' || e.type === 'fault')).subscribe(() => {
      if (c.state === 'connected' || c.state === 'conference')
        void this.endConsult(c, 'agent-hangup').catch(() => undefined);
    });
  }

  /** Drops the consult leg (whatever its state) without touching the caller. */
  private async dropConsult(c: Consult, cause: CallEndCause): Promise<void> {
    const { acd } = this.o.center;
    const was = c.state;
    if (was === 'ended' || was === 'completed') return;
    c.state = 'ended';
    c.ringing?.unsubscribe();
    c.ringing = undefined;
    c.watch?.unsubscribe();
    c.watch = undefined;
    const from = this.calls.get(this.key(c.fromAgent, c.callId));
    if (from?.consult === c) from.consult = undefined;
    if (acd.hasInteraction(c.id)) {
      const status = acd.interactionStatus(c.id).status;
      if (status === 'waiting' || status === 'offered') this.acdTry(() => acd.withdraw(c.id, 'consult-ended'));
      else if (status === 'connected') {
        this.acdTry(() => acd.hangup(c.id, 'agent'));
        // The consultation was not the consulted agent's call: no after-call work for it.
        if (c.agentId) this.acdTry(() => acd.wrapUpDone(c.agentId as string, c.id));
      }
    }
    if (c.agentId) {
      const rec = this.calls.get(this.key(c.agentId, c.id));
      if (rec)
        this.setState(
          rec,
          'ended',
          was === 'connected' || was === 'conference' ? cause : cause === 'agent-hangup' ? 'abandoned' : cause,
        );
      this.calls.delete(this.key(c.agentId, c.id));
    }
    this.consults.delete(c.id);
    this.transferNotes.delete(c.id);
    if (was === 'connected') await c.station?.unbridge().catch(() => undefined);
    if (c.station && c.station.state.state !== 'idle') await c.station.hangup().catch(() => undefined);
    if (c.agentId && c.station) this.o.phone?.(c.station.id)?.hangUp();
  }

  /** Ends the consultation and gives the held caller back to the agent. */
  private async endConsult(c: Consult, cause: CallEndCause): Promise<void> {
    await this.dropConsult(c, cause);
    const rec = this.calls.get(this.key(c.fromAgent, c.callId));
    const call = this.o.center.telephony.connectedCall(c.callId);
    if (!rec || !call) return;
    if (rec.state === 'conference' && c.conference) {
      // The consulted agent left the conference: the caller and the first agent talk on.
      this.o.center.telephony.cancelHandOver(c.callId);
      await Promise.all([
        call.trunk.leaveConference(c.conference).catch(() => undefined),
        call.station.leaveConference(c.conference).catch(() => undefined),
      ]);
      try {
        await call.trunk.bridge(call.station);
        this.setState(rec, 'connected');
      } catch (error) {
        this.o.logger.warn('cti: bridging the caller back after a conference failed', {
          call: c.callId,
          error: String(error),
        });
      }
      return;
    }
    if (rec.state !== 'consulting') return;
    rec.hold?.abort.abort();
    await rec.hold?.done;
    rec.hold = undefined;
    try {
      await call.trunk.bridge(call.station);
      this.acdTry(() => this.o.center.acd.retrieve(c.callId));
      this.setState(rec, 'connected');
    } catch (error) {
      this.o.logger.warn('cti: retrieving the caller after a consultation failed', {
        call: c.callId,
        error: String(error),
      });
    }
  }

  private async cancelConsult(session: SessionView, callId: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, callId);
    if (!rec.consult)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is not in a consultation (${rec.state})`, {
        state: rec.state,
      });
    await this.endConsult(rec.consult, 'agent-hangup');
    return this.info(rec);
  }

  private async completeConsult(session: SessionView, callId: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, callId);
    const c = rec.consult;
    if (!c)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is not in a consultation (${rec.state})`, {
        state: rec.state,
      });
    if (c.state === 'conference') {
      // Completing from a conference: the first agent leaves, the caller stays with the consulted agent.
      const call = this.o.center.telephony.connectedCall(callId);
      if (call) await call.station.hangup().catch(() => undefined);
      this.o.phone?.(seat.station)?.hangUp();
      await this.waitFor(rec, (r) => r.state === 'ended', 5_000);
      return this.info(rec);
    }
    if (c.state !== 'connected' || !c.agentId || !c.station)
      fail(ProtocolErrorCode.IllegalState, 'the consulted party has not answered yet; cancel, or wait', {
        reason: 'consult-not-connected',
      });
    const { telephony } = this.o.center;
    const call = telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    const to = c.agentId;
    const station = c.station;
    c.state = 'completed';
    c.watch?.unsubscribe();
    c.watch = undefined;
    rec.hold?.abort.abort();
    await rec.hold?.done;
    rec.hold = undefined;
    this.transferNotes.set(callId, {
      agentId: seat.agentId,
      ...(session.user.displayName ? { name: session.user.displayName } : {}),
    });
    rec.transferring = true;
    const user = [...this.users.values()].find((u) => u.username === to);
    void this.io(
      (async () => {
        await this.o.store.interactions.appendSteps(callId, [
          { at: this.now(), kind: 'transfer', detail: { from: seat.agentId, to, consult: c.id } },
        ]);
        if (user) await this.o.store.interactions.update(callId, { agentUserId: user.id });
      })(),
    ).catch(() => undefined);
    // The first agent drops out (the ACD sees a transfer out of their hands); the caller is
    // bridged to the consulted agent, whose consult interaction carries the call from now on.
    await call.station.unbridge().catch(() => undefined);
    telephony.handOver(callId, consultQueueId({ kind: 'agent', agentId: to }));
    await call.station.hangup().catch(() => undefined);
    this.o.phone?.(seat.station)?.hangUp();
    await this.waitFor(rec, (r) => r.state === 'ended', 5_000);
    if (call.trunk.state.state !== 'connected') {
      await this.dropConsult({ ...c, state: 'connected' }, 'caller-hangup');
      return this.info(rec);
    }
    await call.trunk.bridge(station);
    telephony.adopt(callId, {
      interactionId: c.id,
      agentId: to,
      queueId: consultQueueId(c.target),
      trunk: call.trunk,
      station,
    });
    rec.consult = undefined;
    return this.info(rec);
  }

  // -------------------------------------------------------------------------------------------
  // Three-party conference (from a connected consultation)

  private async conference(session: SessionView, callId: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const rec = this.ownCall(seat.agentId, callId);
    const c = rec.consult;
    if (!c)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is not in a consultation (${rec.state})`, {
        state: rec.state,
      });
    if (c.state === 'conference') return this.info(rec);
    if (c.state !== 'connected' || !c.agentId || !c.station)
      fail(ProtocolErrorCode.IllegalState, 'the consulted party has not answered yet; cancel, or wait', {
        reason: 'consult-not-connected',
      });
    const { acd, telephony } = this.o.center;
    const call = telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    const to = c.agentId;
    const station = c.station;
    const name = `conf-${callId}`;
    c.state = 'conference';
    c.conference = name;
    rec.hold?.abort.abort();
    await rec.hold?.done;
    rec.hold = undefined;
    try {
      await call.station.unbridge();
      await call.trunk.unbridge();
      await call.trunk.joinConference(name);
      await call.station.joinConference(name);
      await station.joinConference(name);
    } catch (error) {
      this.o.logger.warn('cti: starting a conference failed', { call: callId, error: String(error) });
      for (const ch of [call.trunk, call.station, station]) await ch.leaveConference(name).catch(() => undefined);
      c.state = 'connected';
      c.conference = undefined;
      await this.endConsult(c, 'failed');
      fail(ProtocolErrorCode.Unavailable, 'the conference could not be set up; the caller is back with you', {
        reason: 'conference-failed',
      });
    }
    // If the first agent leaves, the caller is handed over to the consulted agent (see onEnded).
    telephony.handOver(callId, consultQueueId({ kind: 'agent', agentId: to }));
    this.acdTry(() => acd.retrieve(callId));
    this.setState(rec, 'conference');
    const consulted = this.calls.get(this.key(to, c.id));
    if (consulted) this.setState(consulted, 'conference');
    void this.io(
      this.o.store.interactions.appendSteps(callId, [
        { at: this.now(), kind: 'conference', detail: { from: seat.agentId, to, consult: c.id } },
      ]),
    ).catch(() => undefined);
    return this.info(rec);
  }

  /** The first agent left a conference: the caller and the consulted agent go on as the consult interaction. */
  private async leftConference(c: Consult, call: ConnectedCall): Promise<void> {
    const { telephony } = this.o.center;
    const station = c.station;
    const to = c.agentId;
    c.watch?.unsubscribe();
    c.watch = undefined;
    if (!station || !to) return;
    if (c.conference) {
      await Promise.all([
        call.trunk.leaveConference(c.conference).catch(() => undefined),
        station.leaveConference(c.conference).catch(() => undefined),
      ]);
    }
    c.state = 'completed';
    c.conference = undefined;
    const consulted = this.calls.get(this.key(to, c.id));
    if (call.trunk.state.state !== 'connected' || station.state.state !== 'connected') {
      await this.dropConsult(
        { ...c, state: 'connected' },
        call.trunk.state.state !== 'connected' ? 'caller-hangup' : 'agent-hangup',
      );
      if (call.trunk.state.state === 'connected') await call.trunk.hangup().catch(() => undefined);
      return;
    }
    await call.trunk.bridge(station);
    telephony.adopt(call.interactionId, {
      interactionId: c.id,
      agentId: to,
      queueId: consultQueueId(c.target),
      trunk: call.trunk,
      station,
    });
    if (consulted) this.setState(consulted, 'connected');
    const user = [...this.users.values()].find((u) => u.username === to);
    void this.io(
      (async () => {
        await this.o.store.interactions.appendSteps(call.interactionId, [
          { at: this.now(), kind: 'transfer', detail: { from: c.fromAgent, to, consult: c.id } },
        ]);
        if (user) await this.o.store.interactions.update(call.interactionId, { agentUserId: user.id });
      })(),
    ).catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------
  // Supervisor monitoring (listen, whisper, barge) from the supervisor's station

  private async monitor(
    session: SessionView,
    agentId: string,
    mode: MonitorMode,
  ): Promise<{ monitorId: string; callId: string; mode: MonitorMode }> {
    const { board, telephony } = this.o.center;
    const own = this.o.center.supervisorPhones.find((p) => p.supervisorId === session.user.userId);
    if (!own)
      fail(
        ProtocolErrorCode.NotImplemented,
        `user ${session.user.userId} has no supervisor phone in this call centre`,
        { reason: 'no-supervisor-station' },
      );
    if ([...this.monitors.values()].some((m) => m.supervisorId === own.supervisorId))
      fail(ProtocolErrorCode.IllegalState, 'stop the monitor in hand first', { reason: 'already-monitoring' });
    if (!telephony.seatOf(agentId)) fail(ProtocolErrorCode.NotFound, `no agent ${agentId}`, { agentId });
    const talking = (): ConnectedCall | undefined => {
      const c = telephony.callOf(agentId);
      const rec = c ? this.calls.get(this.key(agentId, c.interactionId)) : undefined;
      return c &&
        rec?.state === 'connected' &&
        c.trunk.state.state === 'connected' &&
        c.station.state.state === 'connected'
        ? c
        : undefined;
    };
    const call = talking();
    if (!call)
      fail(ProtocolErrorCode.IllegalState, `agent ${agentId} is not talking to a caller`, {
        reason: 'no-call',
        agentId,
      });
    if ([...this.monitors.values()].some((m) => m.callId === call.interactionId))
      fail(ProtocolErrorCode.IllegalState, `call ${call.interactionId} is already monitored`, {
        reason: 'already-monitored',
      });
    const station = board.channel(own.station);
    if (station.state.state !== 'idle')
      fail(ProtocolErrorCode.Unavailable, 'your phone is busy', { reason: 'supervisor-phone-busy' });
    // Ring the supervisor's phone (a console supervisor's handset is lifted on their behalf).
    const agentSeat = telephony.seatOf(agentId);
    const dialing = station.dial(own.extension, {
      ...(agentSeat ? { callerId: agentSeat.extension } : {}),
      noAnswerTimeoutMs: 30_000,
    });
    const handset = this.o.phone?.(own.station);
    if (handset) {
      for (let i = 0; i < 50 && !handset.ringing; i++) await firstValueFrom(timer(100, this.o.scheduler));
      handset.lift();
    }
    const answered = await dialing;
    if (!answered.connected)
      fail(ProtocolErrorCode.Unavailable, 'the supervisor phone was not answered', { reason: 'supervisor-no-answer' });
    const hangUpOwn = async (): Promise<void> => {
      await station.hangup().catch(() => undefined);
      handset?.hangUp();
    };
    if (talking() !== call) {
      await hangUpOwn();
      fail(ProtocolErrorCode.IllegalState, `agent ${agentId} is no longer talking to the caller`, {
        reason: 'no-call',
        agentId,
      });
    }
    const m: Monitor = {
      id: `m${++this.monitorSeq}-${call.interactionId}`,
      supervisorId: own.supervisorId,
      agentId,
      callId: call.interactionId,
      mode,
      conference: `mon-${call.interactionId}`,
      station,
      trunk: call.trunk,
      agentStation: call.station,
      ended: false,
    };
    this.monitors.set(m.id, m);
    try {
      await call.trunk.unbridge();
      await call.trunk.joinConference(m.conference);
      await call.station.joinConference(m.conference);
      await station.joinConference(
        m.conference,
        mode === 'listen'
          ? { mode: 'listen' }
          : mode === 'whisper'
            ? { mode: 'whisper', whisperTo: call.station.id }
            : { mode: 'speak-listen' },
      );
    } catch (error) {
      await this.endMonitor(m);
      this.o.logger.warn('cti: starting a monitor failed', { call: m.callId, error: String(error) });
      fail(ProtocolErrorCode.Unavailable, 'the monitor could not be set up', { reason: 'monitor-failed' });
    }
    // The supervisor putting the phone down ends the monitor.
    m.watch = station.events$
      .pipe(filter((e) => e.type === 'released' || e.type === 'fault'))
      .subscribe(() => void this.endMonitor(m).catch(() => undefined));
    void this.io(
      this.o.store.interactions.appendSteps(m.callId, [
        { at: this.now(), kind: 'note', detail: { supervisor: m.supervisorId, monitor: mode } },
      ]),
    ).catch(() => undefined);
    return { monitorId: m.id, callId: m.callId, mode };
  }

  /** Ends a monitor: the supervisor's phone is released; a call still up is bridged again. */
  private async endMonitor(m: Monitor): Promise<void> {
    if (m.ended) return;
    m.ended = true;
    this.monitors.delete(m.id);
    m.watch?.unsubscribe();
    m.watch = undefined;
    await m.station.leaveConference(m.conference).catch(() => undefined);
    if (m.station.state.state !== 'idle') await m.station.hangup().catch(() => undefined);
    this.o.phone?.(m.station.id)?.hangUp();
    await Promise.all([
      m.trunk.leaveConference(m.conference).catch(() => undefined),
      m.agentStation.leaveConference(m.conference).catch(() => undefined),
    ]);
    const call = this.o.center.telephony.connectedCall(m.callId);
    if (
      call &&
      call.trunk === m.trunk &&
      call.station === m.agentStation &&
      m.trunk.state.state === 'connected' &&
      m.agentStation.state.state === 'connected'
    ) {
      await m.trunk
        .bridge(m.agentStation)
        .catch((e: unknown) =>
          this.o.logger.warn('cti: bridging a call again after a monitor failed', { call: m.callId, error: String(e) }),
        );
    }
  }

  private async endMonitorsOf(callId: string): Promise<void> {
    for (const m of [...this.monitors.values()]) if (m.callId === callId) await this.endMonitor(m);
  }

  private async dial(session: SessionView, number: string, customerId?: string): Promise<CallInfo> {
    const seat = this.seatFor(session);
    const { acd, board } = this.o.center;
    const station = board.channel(seat.station);
    const snap = acd.agentSnapshot(seat.agentId);
    if (snap.state.presence === 'logged-out') fail(ProtocolErrorCode.IllegalState, 'log in to the ACD first');
    if (snap.work.length > 0 || station.state.state !== 'idle')
      fail(ProtocolErrorCode.IllegalState, 'finish the call in hand first');
    const trunk = [...board.channelsOf('digital-trunk'), ...board.channelsOf('analog-trunk')].find(
      (c) => c.state.state === 'idle',
    );
    if (!trunk) fail(ProtocolErrorCode.Unavailable, 'no free line to dial out on', { reason: 'no-trunk' });
    const phone = this.o.phone?.(seat.station);
    if (!phone) fail(ProtocolErrorCode.IllegalState, 'dial on your phone', { reason: 'no-remote-handset' });
    // No inbound offers while the agent is on an outbound call.
    if (snap.state.presence === 'ready') {
      acd.setNotReady(seat.agentId, 'outbound');
      this.outboundReady.add(seat.agentId);
    }
    this.o.farEnd?.(number);
    const rec: CallRecord = {
      callId: `out-${this.now().toString(36)}-${++this.outboundSeq}`,
      agentId: seat.agentId,
      direction: 'outbound',
      state: 'dialing',
      since: this.now(),
      remoteNumber: number,
      queueId: undefined,
      customerId,
      cause: undefined,
      pop: undefined,
      transferring: false,
      hold: undefined,
      legs: { trunk, station },
    };
    this.calls.set(this.key(seat.agentId, rec.callId), rec);
    void this.io(
      this.o.store.interactions
        .start({
          callId: rec.callId,
          direction: 'outbound',
          media: 'voice',
          channel: trunk.id,
          caller: seat.extension,
          called: number,
          startedAt: rec.since,
          ...(customerId ? { customerId: Number(customerId) || null } : {}),
        })
        .then(() => undefined),
    ).catch(() => undefined);
    void this.runOutbound(rec, seat, phone, trunk, station, number).catch((e: unknown) => {
      this.o.logger.warn('cti: outbound call failed', {
        agent: seat.agentId,
        number: maskPhone(number),
        error: String(e),
      });
      this.setState(rec, 'ended', 'failed');
      void trunk.hangup().catch(() => undefined);
      void station.hangup().catch(() => undefined);
      this.afterOutbound(seat.agentId);
    });
    this.server.push({ userId: seat.agentId }, 'call.state', this.info(rec));
    return this.info(rec);
  }

  private async runOutbound(
    rec: CallRecord,
    seat: Seat,
    phone: AgentPhone,
    trunk: Channel,
    station: Channel,
    number: string,
  ): Promise<void> {
    // The agent's phone rings first and is lifted on the agent's behalf; then the number is dialled.
    const ring = station.dial(seat.extension, { noAnswerTimeoutMs: 30_000 });
    for (let i = 0; i < 50 && !phone.ringing; i++) await firstValueFrom(timer(100, this.o.scheduler));
    phone.lift();
    const own = await ring;
    if (!own.connected) throw new Error(`station not answered (${own.outcome})`);
    const far = await trunk.dial(number, { noAnswerTimeoutMs: 45_000 });
    if (!far.connected) {
      await station.hangup().catch(() => undefined);
      this.setState(
        rec,
        'ended',
        far.outcome === 'busy' ? 'busy' : far.outcome === 'no-answer' ? 'no-answer' : 'failed',
      );
      this.afterOutbound(seat.agentId);
      return;
    }
    await trunk.bridge(station);
    this.setState(rec, 'connected');
    void this.io(
      this.o.store.interactions.update(rec.callId, { answeredAt: this.now(), outcome: 'agent' }).then(() => undefined),
    ).catch(() => undefined);
    const released = (ch: Channel): Promise<void> =>
      firstValueFrom(ch.events$.pipe(filter((e) => e.type === 'released' || e.type === 'fault')), {
        defaultValue: undefined,
      }).then(() => undefined);
    const by = await Promise.race([
      released(trunk).then(() => 'far' as const),
      released(station).then(() => 'agent' as const),
    ]);
    await Promise.all([trunk.hangup().catch(() => undefined), station.hangup().catch(() => undefined)]);
    this.setState(rec, 'ended', by === 'far' ? 'caller-hangup' : 'agent-hangup');
    void this.io(this.o.store.interactions.update(rec.callId, { endedAt: this.now() }).then(() => undefined)).catch(
      () => undefined,
    );
    this.afterOutbound(seat.agentId);
  }

  private afterOutbound(agentId: string): void {
    if (!this.outboundReady.delete(agentId)) return;
    const snap = this.o.center.acd.agentSnapshot(agentId);
    if (snap.state.presence === 'not-ready' && snap.state.reason === 'outbound')
      this.acdTry(() => this.o.center.acd.setReady(agentId));
  }

  private async wrapUp(
    session: SessionView,
    p: { callId: string; disposition: string; note?: string | undefined; ticketIds?: string[] | undefined },
  ) {
    const seat = this.seatFor(session);
    const { acd } = this.o.center;
    if (!DISPOSITIONS.some((d) => d.code === p.disposition))
      fail(ProtocolErrorCode.Validation, `unknown disposition ${p.disposition}`, { field: 'disposition' });
    const rec = this.calls.get(this.key(seat.agentId, p.callId));
    const snap = acd.agentSnapshot(seat.agentId);
    const item = snap.work.find((w) => w.interactionId === p.callId);
    if (!rec && !item) fail(ProtocolErrorCode.NotFound, `no call ${p.callId} at this desk`, { callId: p.callId });
    if (item && item.activity !== 'wrap-up')
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is still ${item.activity}`);
    const { interactions } = this.o.store;
    await this.io(
      (async () => {
        try {
          const cdr = this.cdrId(p.callId);
          await interactions.update(cdr, { disposition: p.disposition });
          if (p.note)
            await interactions.appendSteps(cdr, [
              { at: this.now(), kind: 'note', detail: { by: seat.agentId, note: p.note } },
            ]);
          for (const t of p.ticketIds ?? []) await interactions.linkTicket(cdr, numericId(t, 'ticket'));
        } catch (error) {
          if (!isHotlineError(error, AppErrorCode.NotFound)) throw error;
        }
      })(),
    );
    if (item) acd.wrapUpDone(seat.agentId, p.callId);
    this.calls.delete(this.key(seat.agentId, p.callId));
    this.transferNotes.delete(p.callId);
    if (this.consults.get(p.callId)?.agentId === seat.agentId) this.consults.delete(p.callId);
    return agentStatus(acd.agentSnapshot(seat.agentId));
  }

  // -------------------------------------------------------------------------------------------
  // Snapshot, queues, wallboard

  private catalog(): Catalog {
    return {
      notReadyReasons: [...NOT_READY_REASONS],
      dispositions: [...DISPOSITIONS],
      queues: [...this.queueNames].map(([queueId, name]) => ({ queueId, name })),
      departments: this.departments.map((d) => ({
        departmentId: String(d.id),
        name: d.name.slice(0, 64),
        ...(d.parentId !== null ? { parentId: String(d.parentId) } : {}),
      })),
      wrapUpMs: gasQueues()[0]?.wrapUpMs ?? 30_000,
    };
  }

  private async snapshot(session: SessionView): Promise<Snapshot> {
    const user = session.user;
    const seat = this.callHandler(user) ? this.seatOf(user.userId) : undefined;
    const { acd } = this.o.center;
    const mine = seat ? [...this.calls.values()].filter((r) => r.agentId === seat.agentId) : [];
    const wrapping = seat
      ? new Set(acd.agentSnapshot(seat.agentId).work.map((w) => w.interactionId))
      : new Set<string>();
    const calls = mine.filter((r) => r.state !== 'ended' || wrapping.has(r.callId));
    const queues =
      user.role === 'department'
        ? []
        : await this.queueStats(user.role === 'agent' ? new Set(user.queueIds ?? []) : undefined);
    const supervisor = user.role === 'supervisor' || user.role === 'administrator';
    let voicemailsWaiting: number | undefined;
    let inboxCount: number | undefined;
    if (this.callHandler(user))
      voicemailsWaiting = (await this.io(this.o.store.voicemails.pendingCallbacks(500))).length;
    if (user.role === 'department')
      inboxCount = (await this.io(this.o.tickets.list(this.actorOf(session), { statuses: OPEN, limit: 500 }))).length;
    return {
      ...(seat ? { agent: agentStatus(acd.agentSnapshot(seat.agentId)) } : {}),
      calls: calls.slice(0, 16).map((r) => this.info(r)),
      offers: await this.popsOf(calls.slice(0, 16)),
      queues,
      ...(supervisor ? { wallboard: { queues, agents: this.agentRows(), at: this.now() } } : {}),
      ...(voicemailsWaiting !== undefined ? { voicemailsWaiting } : {}),
      ...(inboxCount !== undefined ? { inboxCount } : {}),
      catalog: this.catalog(),
    };
  }

  /**
   * Screen pops of the desk's calls for a snapshot: ringing, and also answered, held or in wrap-up,
   * so a desktop that (re)connects mid-call — or a person taking over a seat from a simulated
   * agent — still sees who is on the line. A pop missed while the desktop was away is built now.
   */
  private async popsOf(calls: readonly CallRecord[]): Promise<ScreenPop[]> {
    const pops: ScreenPop[] = [];
    for (const r of calls) {
      if (!r.pop && r.offer) {
        r.pop = await this.buildPop(r, r.offer.callerId, r.offer.data).catch((e: unknown) => {
          this.o.logger.error('cti: screen pop failed', { call: r.callId, error: String(e) });
          return undefined;
        });
      }
      if (r.pop) pops.push({ ...r.pop, call: this.info(r) });
    }
    return pops;
  }

  private async queueStats(only?: ReadonlySet<string>): Promise<QueueStats[]> {
    const { acd, seats } = this.o.center;
    const status = await firstValueFrom(acd.queueStats$);
    const busy = new Map<string, number>();
    for (const seat of seats) {
      for (const w of acd.agentSnapshot(seat.agentId).work) {
        if (w.activity === 'connected' || w.activity === 'held' || w.activity === 'offered')
          busy.set(w.queueId, (busy.get(w.queueId) ?? 0) + 1);
      }
    }
    const out: QueueStats[] = [];
    for (const [queueId, name] of this.queueNames) {
      if (only && !only.has(queueId)) continue;
      const s: QueueStatus | undefined = status.get(queueId);
      if (!s) continue;
      const t = s.today;
      const ms = (v: number | null | undefined): number | null =>
        v === null || v === undefined ? null : Math.max(0, Math.round(v));
      const ratio = (v: number | null | undefined): number | null =>
        v === null || v === undefined ? null : Math.min(1, Math.max(0, v));
      out.push({
        queueId,
        name: name.slice(0, 64),
        open: s.open,
        waiting: s.waiting,
        callbacksWaiting: s.callbacksWaiting,
        longestWaitMs: Math.max(0, Math.round(s.longestWaitingMs)),
        staffed: s.staffed,
        busy: busy.get(queueId) ?? 0,
        offeredToday: t?.offered ?? 0,
        answeredToday: t?.answered ?? 0,
        abandonedToday: t?.abandoned ?? 0,
        serviceLevel: ratio(t?.serviceLevel),
        serviceLevelThresholdMs: gasQueues().find((q) => q.id === queueId)?.serviceLevelThresholdMs ?? 20_000,
        abandonRate: ratio(t?.abandonRate),
        asaMs: ms(t?.asaMs),
        ahtMs: ms(t?.ahtMs),
        expectedWaitMs:
          s.expectedWait.status === 'immediate'
            ? 0
            : s.expectedWait.status === 'estimate'
              ? Math.round(s.expectedWait.ms)
              : null,
      });
    }
    return out;
  }

  private pushQueueStats(): void {
    if (this.closed) return;
    const sessions = this.server.sessions.filter((s) => s.user.role !== 'department');
    if (sessions.length === 0) return;
    void this.queueStats()
      .then((all) => {
        for (const s of sessions) {
          const only = s.user.role === 'agent' ? new Set(s.user.queueIds ?? []) : undefined;
          this.server.push({ sessionId: s.sessionId }, 'queue.stats', {
            queues: only ? all.filter((q) => only.has(q.queueId)) : all,
          });
        }
      })
      .catch((e: unknown) => this.o.logger.warn('cti: queue figures failed', { error: String(e) }));
  }

  private agentRow(agentId: string): AgentRow {
    const { acd } = this.o.center;
    const snap = acd.agentSnapshot(agentId);
    const st = agentStatus(snap);
    const call = snap.work.find((w) => w.activity !== 'wrap-up') ?? snap.work[0];
    return {
      agentId,
      name: (this.displayNames.get(agentId) ?? agentId).slice(0, 64),
      presence: st.presence,
      activity: st.activity,
      ...(st.reason ? { reason: st.reason } : {}),
      since: st.since,
      online: snap.desktop === 'online',
      queueIds: this.queuesOf(agentId),
      ...(call ? { callId: call.interactionId.slice(0, 64), callQueueId: call.queueId } : {}),
      answeredToday: snap.answeredCount,
      ahtMs: null,
      monitored: [...this.monitors.values()].some((m) => m.agentId === agentId),
    };
  }

  private agentRows(): AgentRow[] {
    return this.o.center.seats.map((s) => this.agentRow(s.agentId));
  }

  // -------------------------------------------------------------------------------------------
  // Tickets and visibility

  private actorOf(session: SessionView): Actor {
    const user = this.users.get(session.user.userId);
    if (!user) fail(ProtocolErrorCode.NotAuthenticated, 'log in again');
    return {
      kind: 'user',
      user: { id: user.id, username: user.username, role: user.role, departmentId: user.departmentId },
    };
  }

  private seesTicket(session: SessionView, t: Ticket): boolean {
    switch (session.user.role) {
      case 'supervisor':
      case 'administrator':
        return true;
      case 'department':
        return t.departmentId !== null && (this.scopes.get(session.user.userId)?.has(String(t.departmentId)) ?? false);
      case 'agent':
        return t.createdBy === session.user.userId;
    }
  }

  private async loadTicket(session: SessionView, ticketId: string, version?: number): Promise<Ticket> {
    const id = numericId(ticketId, 'ticket');
    const t = await this.io(this.o.store.tickets.get(id));
    if (!t) fail(ProtocolErrorCode.NotFound, `no ticket ${ticketId}`, { ticketId });
    await this.io(this.o.tickets.history(this.actorOf(session), id)); // visibility
    if (version !== undefined && t.version !== version)
      fail(ProtocolErrorCode.Conflict, `ticket ${t.trackingNo} changed meanwhile`, { currentVersion: t.version });
    return t;
  }

  private ticketOut = (t: Ticket): WireTicket => wireTicket(t, (id) => this.departmentName(id));

  /** Registers every command handler. Called once by {@link CtiLink.open}. */
  private handlers(): void {
    const { acd } = this.o.center;
    const { store, tickets } = this.o;
    const io = this.io;
    const wrap =
      <P, R>(fn: (p: P, s: SessionView) => Promise<R> | R) =>
      async (p: P, ctx: { readonly session: SessionView }): Promise<R> => {
        try {
          return await fn(p, ctx.session);
        } catch (error) {
          throw toProtocolError(error);
        }
      };
    this.server.handleAll({
      'agent.ready': wrap((_p, s) => {
        const seat = this.seatFor(s);
        this.takeSeat(seat, true);
        return agentStatus(acd.agentSnapshot(seat.agentId));
      }),
      'agent.notReady': wrap((p, s) => {
        const seat = this.seatFor(s);
        if (!NOT_READY_REASONS.some((r) => r.code === p.reason))
          fail(ProtocolErrorCode.Validation, `unknown reason ${p.reason}`, { field: 'reason' });
        if (acd.agentSnapshot(seat.agentId).state.presence === 'logged-out') this.takeSeat(seat, false);
        acd.setNotReady(seat.agentId, p.reason);
        return agentStatus(acd.agentSnapshot(seat.agentId));
      }),
      'agent.logout': wrap((_p, s) => {
        const seat = this.seatFor(s);
        if (acd.agentSnapshot(seat.agentId).work.length > 0)
          fail(ProtocolErrorCode.IllegalState, 'finish the call in hand first');
        this.acdTry(() => acd.logout(seat.agentId));
        return agentStatus(acd.agentSnapshot(seat.agentId));
      }),
      'call.answer': wrap((p, s) => this.answer(s, p.callId)),
      'call.hangup': wrap((p, s) => this.hangup(s, p.callId)),
      'call.hold': wrap((p, s) => this.hold(s, p.callId)),
      'call.retrieve': wrap((p, s) => this.retrieve(s, p.callId)),
      'call.transfer': wrap((p, s) => this.transfer(s, p)),
      'call.completeConsult': wrap((p, s) => this.completeConsult(s, p.callId)),
      'call.cancelConsult': wrap((p, s) => this.cancelConsult(s, p.callId)),
      'call.conference': wrap((p, s) => this.conference(s, p.callId)),
      'call.dial': wrap((p, s) => this.dial(s, p.number, p.customerId)),
      'call.wrapUp': wrap((p, s) => this.wrapUp(s, p)),

      'customer.search': wrap(async (p) => {
        const q = p.query;
        const found = await io(
          store.customers.search({
            ...(q.name ? { name: q.name } : {}),
            ...(q.phone ? { phone: q.phone } : {}),
            ...(q.customerNo ? { number: q.customerNo } : {}),
            ...(q.address ? { address: q.address } : {}),
            limit: p.limit,
          }),
        );
        return { customers: found.slice(0, p.limit).map(customerSummary), total: found.length };
      }),
      'customer.get': wrap(async (p) => {
        const id = numericId(p.customerId, 'customer');
        const c = await io(store.customers.get(id));
        if (!c) fail(ProtocolErrorCode.NotFound, `no customer ${p.customerId}`);
        const [open, history] = await io(
          Promise.all([
            store.tickets.list({ customerId: id, statuses: OPEN, limit: 50 }),
            store.interactions.listByCustomer(id, 50),
          ]),
        );
        return {
          customer: wireCustomer(c),
          openTickets: open.map(this.ticketOut),
          recentInteractions: history.map(wireInteraction),
        };
      }),
      'customer.update': wrap(async (p) => {
        const id = numericId(p.customerId, 'customer');
        const c = await io(store.customers.get(id));
        if (!c) fail(ProtocolErrorCode.NotFound, `no customer ${p.customerId}`);
        if (c.updatedAt !== p.version)
          fail(ProtocolErrorCode.Conflict, 'the customer changed meanwhile', { currentVersion: c.updatedAt });
        const x = p.patch;
        const updated = await io(
          store.customers.update(id, {
            ...(x.name !== undefined ? { name: x.name } : {}),
            ...(x.phones !== undefined
              ? {
                  phones: x.phones.map((phone) => ({
                    phone,
                    kind: /^1\d{10}$/.test(phone) ? ('mobile' as const) : ('landline' as const),
                  })),
                }
              : {}),
            ...(x.address !== undefined ? { address: x.address } : {}),
            ...(x.district !== undefined ? { district: x.district } : {}),
            ...(x.districtCode !== undefined ? { districtCode: x.districtCode } : {}),
            ...(x.householdSize !== undefined ? { householdSize: x.householdSize } : {}),
            ...(x.floor !== undefined ? { floor: x.floor } : {}),
            ...(x.notes !== undefined ? { notes: x.notes } : {}),
          }),
        );
        return wireCustomer(updated);
      }),
      'customer.create': wrap(async (p) => {
        const x = p.customer;
        const base = String(this.now()).slice(-9);
        for (let i = 0; ; i++) {
          try {
            const c = await io(
              store.customers.create({
                customerNo: `9${base}${i}`,
                name: x.name,
                phones: x.phones.map((phone) => ({
                  phone,
                  kind: /^1\d{10}$/.test(phone) ? ('mobile' as const) : ('landline' as const),
                })),
                address: x.address,
                district: x.district ?? '',
                districtCode: x.districtCode ?? '',
                householdSize: x.householdSize ?? 1,
                floor: x.floor ?? null,
                status: 'active',
                notes: x.notes ?? '',
              }),
            );
            return wireCustomer(c);
          } catch (error) {
            if (i >= 5 || !isHotlineError(error, AppErrorCode.Duplicate)) throw error;
          }
        }
      }),
      'billing.summary': wrap(async (p) => {
        const id = numericId(p.customerId, 'customer');
        const accounts = await io(store.customers.accountsOf(id));
        const account = accounts.find((a) => a.status === 'active') ?? accounts[0];
        if (!account) fail(ProtocolErrorCode.NotFound, `customer ${p.customerId} has no gas account`);
        const [arrears, bills, payments] = await io(
          Promise.all([
            store.billing.arrears(account.accountNo),
            store.billing.bills(account.accountNo, { limit: 12 }),
            store.billing.payments(account.accountNo, { limit: 1 }),
          ]),
        );
        const now = this.now();
        const day = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
        const last = payments[0];
        return {
          customerId: p.customerId,
          accountNo: account.accountNo,
          arrearsFen: arrears.totalFen,
          bills: bills.slice(0, 36).map((b) => ({
            period: b.period,
            usageM3: b.usageM3,
            amountFen: b.amountFen,
            dueDate: day(b.dueAt),
            paidFen: b.paidFen,
            status: b.status !== 'paid' && b.dueAt < now ? ('overdue' as const) : b.status,
          })),
          ...(last ? { lastPayment: { at: last.paidAt, amountFen: last.amountFen, channel: last.channel } } : {}),
          asOf: now,
        };
      }),

      'ticket.create': wrap(async (p, s) => {
        const type = TYPE_OF[p.kind];
        const subtypeGuess = (p.category ?? '').replace(/-/g, '_');
        const subtypes = TICKET_SUBTYPES[type];
        const subtype = subtypes.includes(subtypeGuess)
          ? subtypeGuess
          : subtypes.includes('other')
            ? 'other'
            : (subtypes[0] ?? 'other');
        const description = p.description.trim() ? `${p.subject}\n${p.description}` : p.subject;
        const customerId = p.customerId ? numericId(p.customerId, 'customer') : null;
        const t = await io(
          tickets.open(this.actorOf(s), {
            type,
            subtype,
            description,
            channel: p.voicemailId ? 'voicemail' : 'agent',
            customerId,
            callerPhone: p.contactPhone ?? null,
            contactName: p.contactName ?? null,
            address: p.address ?? null,
            departmentCode: type === 'emergency' || type === 'repair' ? 'repair' : null,
          }),
        );
        if (p.callId) void io(store.interactions.linkTicket(p.callId, t.id)).catch(() => undefined);
        if (p.voicemailId) {
          const vm = numericId(p.voicemailId, 'voicemail');
          const user = this.users.get(s.user.userId);
          void io(
            store.voicemails.setStatus(vm, 'in_progress', { userId: user?.id ?? null, at: this.now(), ticketId: t.id }),
          ).catch(() => undefined);
        }
        return this.ticketOut(t);
      }),
      'ticket.update': wrap(async (p, s) => {
        const t = await this.loadTicket(s, p.ticketId, p.version);
        const actor = this.actorOf(s);
        if (
          p.priority !== undefined ||
          p.subject !== undefined ||
          p.description !== undefined ||
          p.contactPhone !== undefined ||
          p.address !== undefined
        ) {
          fail(ProtocolErrorCode.Validation, 'only the status and notes of a ticket can be changed here', {
            field: 'fields',
          });
        }
        let out = t;
        if (p.status !== undefined && DOMAIN_STATUS[p.status] !== t.status) {
          const to = DOMAIN_STATUS[p.status];
          const note = p.note ?? null;
          if (to === 'in_progress') out = await io(tickets.start(actor, t.id, note));
          else if (to === 'resolved') out = await io(tickets.resolve(actor, t.id, p.note ?? t.result ?? ''));
          else if (to === 'informed') out = await io(tickets.inform(actor, t.id, note));
          else if (to === 'closed') out = await io(tickets.close(actor, t.id, note));
          else if (to === 'assigned' || to === 'accepted')
            out = await io(tickets.reopen(actor, t.id, p.note ?? 'reopened'));
        } else if (p.note) {
          out = await io(tickets.note(actor, t.id, p.note));
        }
        return this.ticketOut(out);
      }),
      'ticket.get': wrap(async (p, s) => {
        const actor = this.actorOf(s);
        const t =
          'trackingNo' in p
            ? await io(tickets.getByTrackingNo(actor, p.trackingNo))
            : await this.loadTicket(s, p.ticketId);
        if (!t) fail(ProtocolErrorCode.NotFound, 'no such ticket');
        const history = await io(tickets.history(actor, t.id));
        return { ticket: this.ticketOut(t), history: history.slice(-500).map(wireHistory) };
      }),
      'ticket.list': wrap(async (p, s) => {
        const offset = p.cursor && /^\d{1,9}$/.test(p.cursor) ? Number(p.cursor) : 0;
        const list = await io(
          tickets.list(this.actorOf(s), {
            ...(p.customerId ? { customerId: numericId(p.customerId, 'customer') } : {}),
            ...(p.status ? { statuses: p.status.map((x) => DOMAIN_STATUS[x]) } : {}),
            ...(p.kind ? { types: p.kind.map((k) => TYPE_OF[k]) } : {}),
            limit: p.limit,
            offset,
          }),
        );
        return {
          tickets: list.map(this.ticketOut),
          ...(list.length === p.limit ? { nextCursor: String(offset + p.limit) } : {}),
        };
      }),

      'voicemail.list': wrap(async (p) => {
        const pending = await io(store.voicemails.pendingCallbacks(Math.max(p.limit, 200)));
        const wanted = p.status ? new Set(p.status) : undefined;
        return {
          voicemails: pending
            .map(wireVoicemail)
            .filter((v) => !wanted || wanted.has(v.status))
            .slice(0, p.limit),
        };
      }),
      'voicemail.mark': wrap(async (p, s) => {
        const id = numericId(p.voicemailId, 'voicemail');
        const vm = await io(store.voicemails.get(id));
        if (!vm) fail(ProtocolErrorCode.NotFound, `no voicemail ${p.voicemailId}`);
        if (!p.status) return wireVoicemail(vm);
        const { status, outcome } = domainVoicemailStatus(p.status);
        const user = this.users.get(s.user.userId);
        const updated = await io(
          store.voicemails.setStatus(id, status, {
            userId: user?.id ?? null,
            at: this.now(),
            outcome: outcome ?? p.note ?? null,
          }),
        );
        const out = wireVoicemail(updated);
        this.server.push({ role: ['agent', 'supervisor'] }, 'voicemail.added', out);
        return out;
      }),
      'voicemail.callBack': wrap(async (p, s) => {
        const id = numericId(p.voicemailId, 'voicemail');
        const vm = await io(store.voicemails.get(id));
        if (!vm) fail(ProtocolErrorCode.NotFound, `no voicemail ${p.voicemailId}`);
        const number = wirePhone(vm.callbackNumber) ?? wirePhone(vm.caller);
        if (!number)
          fail(ProtocolErrorCode.Validation, 'the voicemail has no number to call back', { field: 'callbackNumber' });
        const call = await this.dial(s, number);
        const user = this.users.get(s.user.userId);
        const updated = await io(
          store.voicemails.setStatus(id, 'in_progress', { userId: user?.id ?? null, at: this.now() }),
        );
        return { voicemail: wireVoicemail(updated), call };
      }),

      'supervisor.snapshot': wrap(async () => {
        const queues = await this.queueStats();
        return { queues, agents: this.agentRows(), at: this.now() };
      }),
      'supervisor.forceState': wrap((p, s) => {
        if (!this.o.center.telephony.seatOf(p.agentId)) fail(ProtocolErrorCode.NotFound, `no agent ${p.agentId}`);
        if (p.presence === 'ready') acd.setReady(p.agentId);
        else if (p.presence === 'not-ready') acd.setNotReady(p.agentId, p.reason ?? 'supervisor');
        else {
          acd.forceLogout(p.agentId);
          this.server.push({ userId: p.agentId }, 'notice', {
            noticeId: `force-${this.now()}`,
            level: 'warning',
            text: 'logged out by supervisor',
            from: s.user.userId,
          });
        }
        return agentStatus(acd.agentSnapshot(p.agentId));
      }),
      'supervisor.monitor': wrap((p, s) => this.monitor(s, p.agentId, p.mode)),
      'supervisor.stopMonitor': wrap(async (p) => {
        const m = this.monitors.get(p.monitorId);
        if (!m) fail(ProtocolErrorCode.NotFound, `no monitor ${p.monitorId}`, { monitorId: p.monitorId });
        await this.endMonitor(m);
        return {};
      }),

      'department.inbox': wrap(async (p, s) => {
        const statuses: TicketStatus[] = p.includeResolved ? [...OPEN, 'resolved'] : [...OPEN];
        const list = await io(tickets.list(this.actorOf(s), { statuses, limit: Math.min(500, p.limit * 2) }));
        const sorted = [...list]
          .sort((a, b) => (a.deadlineAt ?? Infinity) - (b.deadlineAt ?? Infinity))
          .slice(0, p.limit);
        return { tickets: sorted.map(this.ticketOut) };
      }),
      'department.recordResult': wrap(async (p, s) => {
        let t = await this.loadTicket(s, p.ticketId, p.version);
        const actor = this.actorOf(s);
        if (!p.resolve) return this.ticketOut(await io(tickets.note(actor, t.id, p.result)));
        if (t.status === 'accepted')
          fail(ProtocolErrorCode.IllegalState, `ticket ${t.trackingNo} is not assigned to a department yet`);
        if (t.status === 'assigned') t = await io(tickets.start(actor, t.id));
        return this.ticketOut(await io(tickets.resolve(actor, t.id, p.result)));
      }),
      'department.escalate': wrap(async (p, s) => {
        const t = await this.loadTicket(s, p.ticketId, p.version);
        return this.ticketOut(await io(tickets.escalate(this.actorOf(s), t.id, p.reason)));
      }),

      'user.changePassword': wrap(async (p, s) => {
        await io(this.o.auth.changePassword(s.user.userId, p.oldPassword, p.newPassword));
        return {};
      }),
    });
  }
}
