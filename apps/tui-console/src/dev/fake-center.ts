/**
 * A small scripted call centre that speaks `@hotline/agent-protocol`, for developing and testing
 * the console before (and besides) the real gas server. It runs the package's `ProtocolServer`
 * with in-memory data and simple rules: calls are offered when a script (or the demo timer) says
 * so, answered, held, transferred and wrapped up; tickets get tracking numbers; supervisors see a
 * wallboard; department staff see their inbox.
 *
 * Not a model of the ACD: just enough behaviour, with the same command and event shapes, to make
 * every screen of the console reachable.
 */
import {
  createMemoryTransport,
  ProtocolError,
  ProtocolErrorCode,
  type AgentRow,
  type AgentStatus,
  type Bill,
  type CallInfo,
  type Customer,
  type Interaction,
  type MemoryTransport,
  type QueueStats,
  type ScreenPop,
  type Snapshot,
  type Ticket,
  type TicketHistoryEntry,
  type TicketKind,
  type Voicemail,
} from '@hotline/agent-protocol';
import {
  listenWebSocket,
  ProtocolServer,
  type SessionView,
  type WebSocketListener,
} from '@hotline/agent-protocol/server';
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import {
  CATALOG,
  IVR_PATHS,
  USERS,
  seedBills,
  seedCustomers,
  seedInteractions,
  seedTickets,
  seedVoicemails,
  type FakeUser,
} from './seed-data.js';

/** Options of {@link FakeCallCenter}. */
export interface FakeCallCenterOptions {
  /** Time source (tests pass a virtual clock). */
  readonly scheduler?: SchedulerLike;
  /** Demo mode: offer calls to ready agents every few seconds, move queue figures and simulated agents. */
  readonly demo?: boolean;
  /** Wrap-up time, ms (default 30 s). */
  readonly wrapUpMs?: number;
  /** Ring time before an offer is withdrawn, ms (default 30 s). */
  readonly ringTimeoutMs?: number;
  /** Server heartbeat, ms (default 15 s). */
  readonly heartbeatMs?: number;
  /** Resume window, ms (default 120 s). */
  readonly resumeWindowMs?: number;
}

/** The scripted callers the fake centre can put through. */
export type CallerScript = 'known' | 'unknown' | 'leak' | 'shared' | 'billing';

interface AgentSeat {
  readonly user: FakeUser;
  status: AgentStatus;
  online: boolean;
  callId: string | undefined;
  callQueueId: string | undefined;
  answeredToday: number;
  monitored: boolean;
  wrapTimer: Subscription | undefined;
  ringTimer: Subscription | undefined;
  demoTimer: Subscription | undefined;
}

const HOUR = 3_600_000;

/** See the module comment. */
export class FakeCallCenter {
  readonly server: ProtocolServer;
  private readonly scheduler: SchedulerLike;
  private readonly demo: boolean;
  private readonly wrapUpMs: number;
  private readonly ringTimeoutMs: number;
  private readonly customers: Customer[];
  private readonly bills: Record<string, Bill[]>;
  private readonly tickets: Ticket[];
  private readonly history = new Map<string, TicketHistoryEntry[]>();
  private readonly interactions: Interaction[];
  private readonly voicemails: Voicemail[];
  private readonly seats = new Map<string, AgentSeat>();
  private readonly calls = new Map<string, { info: CallInfo; agentId: string; pop?: ScreenPop }>();
  private readonly queues: QueueStats[];
  private readonly failedLogins = new Map<string, number>();
  private readonly lockedUntil = new Map<string, number>();
  private readonly timers: Subscription[] = [];
  private nextCall = 1;
  private nextTicket = 100;
  private nextScript = 0;
  private listener: WebSocketListener | undefined;

  constructor(options: FakeCallCenterOptions = {}) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.demo = options.demo ?? false;
    this.wrapUpMs = options.wrapUpMs ?? CATALOG.wrapUpMs ?? 30_000;
    this.ringTimeoutMs = options.ringTimeoutMs ?? 30_000;
    const now = this.now();
    this.customers = seedCustomers(now);
    this.bills = seedBills();
    this.tickets = seedTickets(now);
    for (const t of this.tickets)
      this.history.set(t.ticketId, [
        { at: t.createdAt, by: t.createdBy, action: 'created', toStatus: 'accepted' },
        { at: t.createdAt, by: 'system', action: 'assigned', departmentId: t.departmentId, toStatus: 'assigned' },
      ]);
    this.interactions = seedInteractions(now);
    this.voicemails = seedVoicemails(now);
    for (const user of USERS) {
      if ((user.role !== 'agent' && user.role !== 'supervisor') || user.locked || user.disabled) continue;
      const simulated = user.userId !== '1001' && user.role === 'agent';
      this.seats.set(user.userId, {
        user,
        status: {
          agentId: user.userId,
          presence: simulated ? (user.userId === '1003' ? 'not-ready' : 'ready') : 'logged-out',
          activity: user.userId === '1002' ? 'connected' : 'idle',
          ...(user.userId === '1003' ? { reason: 'lunch' } : {}),
          since: now - (simulated ? 4 * 60_000 : 0),
        },
        online: simulated,
        callId: user.userId === '1002' ? 'call-sim-1' : undefined,
        callQueueId: user.userId === '1002' ? 'q-repair' : undefined,
        answeredToday: simulated ? 12 : 0,
        monitored: false,
        wrapTimer: undefined,
        ringTimer: undefined,
        demoTimer: undefined,
      });
    }
    this.queues = CATALOG.queues.map((q, i) => ({
      queueId: q.queueId,
      name: q.name,
      open: true,
      waiting: [0, 2, 1, 0][i] ?? 0,
      callbacksWaiting: i === 3 ? 1 : 0,
      longestWaitMs: [0, 45_000, 12_000, 0][i] ?? 0,
      staffed: [2, 3, 2, 2][i] ?? 0,
      busy: [0, 1, 0, 0][i] ?? 0,
      offeredToday: [6, 58, 41, 23][i] ?? 0,
      answeredToday: [6, 52, 38, 21][i] ?? 0,
      abandonedToday: [0, 4, 2, 1][i] ?? 0,
      serviceLevel: [1, 0.81, 0.87, 0.9][i] ?? null,
      serviceLevelThresholdMs: 20_000,
      abandonRate: [0, 0.069, 0.049, 0.043][i] ?? null,
      asaMs: [4_000, 14_000, 9_000, 8_000][i] ?? null,
      ahtMs: [210_000, 250_000, 180_000, 200_000][i] ?? null,
      expectedWaitMs: [0, 30_000, 15_000, 0][i] ?? null,
    }));

    this.server = new ProtocolServer({
      authenticator: { login: (req) => this.authenticate(req.userId, req.password) },
      snapshot: (session) => this.snapshot(session),
      scheduler: this.scheduler,
      serverInfo: { name: 'hotline-fake-center', version: '0.1.0' },
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(options.resumeWindowMs === undefined ? {} : { resumeWindowMs: options.resumeWindowMs }),
    });
    this.registerHandlers();
    this.timers.push(
      this.server.sessionEvents$.subscribe((e) => {
        const seat = this.seats.get(e.session.user.userId);
        if (!seat) return;
        const online = e.type !== 'closed' && e.type !== 'disconnected';
        if (seat.online !== online) {
          seat.online = online;
          this.pushWallboard(seat);
        }
      }),
    );
    if (this.demo) this.startDemo();
  }

  /** An in-memory transport to this centre (tests). */
  memoryTransport(): MemoryTransport {
    return createMemoryTransport(this.server);
  }

  /** Serves the centre over WebSocket on loopback. */
  async listen(port = 0): Promise<WebSocketListener> {
    this.listener = await listenWebSocket(this.server, { port });
    return this.listener;
  }

  /** Stops everything. */
  async close(): Promise<void> {
    for (const t of this.timers) t.unsubscribe();
    for (const seat of this.seats.values()) {
      seat.wrapTimer?.unsubscribe();
      seat.ringTimer?.unsubscribe();
      seat.demoTimer?.unsubscribe();
    }
    await this.server.close(0);
    await this.listener?.close();
  }

  /** The current state of an agent (tests). */
  agentStatus(agentId: string): AgentStatus | undefined {
    return this.seats.get(agentId)?.status;
  }

  /** Tickets as stored (tests). */
  allTickets(): readonly Ticket[] {
    return this.tickets;
  }

  /**
   * Offers a call from a scripted caller to an agent: pushes the screen pop and the agent's new
   * state. Returns the call id.
   */
  offerCall(agentId: string, script: CallerScript = 'known'): string {
    const seat = this.seats.get(agentId);
    if (!seat) throw new Error(`no agent ${agentId}`);
    if (seat.callId) throw new Error(`agent ${agentId} is on a call already`);
    const now = this.now();
    const callId = `call-${this.nextCall++}`;
    const setup: Record<
      CallerScript,
      {
        number: string;
        customerId?: string;
        queueId: string;
        path: keyof typeof IVR_PATHS;
        priority: ScreenPop['priority'];
      }
    > = {
      known: { number: '13812345678', customerId: 'c-1', queueId: 'q-repair', path: 'repair', priority: 'normal' },
      unknown: { number: '13588889999', queueId: 'q-billing', path: 'billing', priority: 'normal' },
      leak: { number: '13911112222', customerId: 'c-2', queueId: 'q-emergency', path: 'leak', priority: 'emergency' },
      shared: { number: '13700001111', queueId: 'q-repair', path: 'repair', priority: 'normal' },
      billing: { number: '0512-65223344', customerId: 'c-5', queueId: 'q-billing', path: 'billing', priority: 'vip' },
    };
    const s = setup[script];
    const customer = s.customerId ? (this.customers.find((c) => c.customerId === s.customerId) ?? null) : null;
    const info: CallInfo = {
      callId,
      direction: 'inbound',
      state: 'offered',
      remoteNumber: s.number,
      queueId: s.queueId,
      ...(customer ? { customerId: customer.customerId } : {}),
      since: now,
      recording: true,
    };
    const candidates =
      script === 'shared'
        ? this.customers.filter((c) => c.phones.includes(s.number)).map((c) => this.summary(c))
        : undefined;
    const pop: ScreenPop = {
      call: info,
      callerId: s.number,
      customer,
      ...(candidates ? { candidates } : {}),
      ivrPath: [...(IVR_PATHS[s.path] ?? [])],
      openTickets: customer
        ? this.tickets.filter(
            (t) => t.customerId === customer.customerId && !['resolved', 'informed', 'closed'].includes(t.status),
          )
        : [],
      recentInteractions: customer
        ? this.interactions.filter((i) => i.customerId === customer.customerId).slice(0, 5)
        : [],
      queueId: s.queueId,
      queueName: CATALOG.queues.find((q) => q.queueId === s.queueId)?.name ?? s.queueId,
      priority: s.priority,
      waitedMs: script === 'leak' ? 3_000 : 35_000,
      ringTimeoutMs: this.ringTimeoutMs,
    };
    this.calls.set(callId, { info, agentId, pop });
    seat.callId = callId;
    seat.callQueueId = s.queueId;
    this.server.push({ userId: agentId }, 'call.offered', pop);
    this.setActivity(seat, 'offered');
    seat.ringTimer?.unsubscribe();
    seat.ringTimer = this.scheduler.schedule(() => {
      const call = this.calls.get(callId);
      if (!call || call.info.state !== 'offered') return;
      this.endCall(callId, 'no-answer', false);
      seat.status = { agentId, presence: 'not-ready', activity: 'idle', reason: 'no-answer', since: this.now() };
      this.pushAgent(seat);
    }, this.ringTimeoutMs);
    return callId;
  }

  /** The caller hangs up (tests and demo). */
  callerHangup(callId: string): void {
    const call = this.calls.get(callId);
    if (!call) return;
    const seat = this.seats.get(call.agentId);
    const wasOffered = call.info.state === 'offered';
    this.endCall(callId, wasOffered ? 'abandoned' : 'caller-hangup', !wasOffered);
    if (seat && wasOffered) this.setActivity(seat, 'idle');
  }

  /** Ends a user's session from the server side (tests). */
  forceLogout(userId: string): void {
    this.server.forceLogout({ userId }, 'supervisor', { by: '2001' });
  }

  // ---------------------------------------------------------------------------------------------

  private now(): number {
    return this.scheduler.now();
  }

  private authenticate(userId: string, password: string) {
    const user = USERS.find((u) => u.userId === userId);
    const until = this.lockedUntil.get(userId) ?? 0;
    if (user?.locked) return { ok: false as const, reason: 'locked-out' as const, retryAfterMs: 15 * 60_000 };
    if (until > this.now())
      return { ok: false as const, reason: 'locked-out' as const, retryAfterMs: until - this.now() };
    if (!user || user.password !== password) {
      const fails = (this.failedLogins.get(userId) ?? 0) + 1;
      this.failedLogins.set(userId, fails);
      if (fails >= 5) {
        this.lockedUntil.set(userId, this.now() + 15 * 60_000);
        this.failedLogins.delete(userId);
        return { ok: false as const, reason: 'locked-out' as const, retryAfterMs: 15 * 60_000 };
      }
      return { ok: false as const, reason: 'bad-credentials' as const, remainingAttempts: 5 - fails };
    }
    if (user.disabled) return { ok: false as const, reason: 'disabled' as const };
    this.failedLogins.delete(userId);
    return {
      ok: true as const,
      user: {
        userId: user.userId,
        displayName: user.displayName,
        role: user.role,
        ...(user.departmentId ? { departmentId: user.departmentId } : {}),
        ...(user.queueIds ? { queueIds: [...user.queueIds] } : {}),
      },
    };
  }

  private snapshot(session: SessionView): Snapshot {
    const user = session.user;
    const seat = this.seats.get(user.userId);
    const mine = [...this.calls.values()].filter((c) => c.agentId === user.userId && c.info.state !== 'ended');
    const queues =
      user.role === 'supervisor' ? this.queues : this.queues.filter((q) => user.queueIds?.includes(q.queueId));
    return {
      ...(seat ? { agent: seat.status } : {}),
      calls: mine.map((c) => c.info),
      offers: mine
        .filter((c) => c.pop && c.info.state === 'offered')
        .map((c) => ({ ...(c.pop as ScreenPop), call: c.info })),
      queues: user.role === 'department' ? [] : queues,
      ...(user.role === 'supervisor'
        ? { wallboard: { queues: this.queues, agents: this.agentRows(), at: this.now() } }
        : {}),
      voicemailsWaiting: this.voicemails.filter((v) => v.status === 'new' || v.status === 'in-progress').length,
      ...(user.role === 'department' ? { inboxCount: this.inbox(user.departmentId).length } : {}),
      catalog: CATALOG,
    };
  }

  private agentRows(): AgentRow[] {
    return [...this.seats.values()].filter((s) => s.user.role === 'agent').map((s) => this.agentRow(s));
  }

  private agentRow(seat: AgentSeat): AgentRow {
    return {
      agentId: seat.user.userId,
      name: seat.user.displayName,
      presence: seat.status.presence,
      activity: seat.status.activity,
      ...(seat.status.reason ? { reason: seat.status.reason } : {}),
      since: seat.status.since,
      online: seat.online,
      queueIds: [...(seat.user.queueIds ?? [])],
      ...(seat.callId ? { callId: seat.callId } : {}),
      ...(seat.callQueueId ? { callQueueId: seat.callQueueId } : {}),
      answeredToday: seat.answeredToday,
      ahtMs: seat.answeredToday > 0 ? 230_000 : null,
      monitored: seat.monitored,
    };
  }

  private summary(c: Customer) {
    return {
      customerId: c.customerId,
      customerNo: c.customerNo,
      name: c.name,
      phones: c.phones,
      address: c.address,
      district: c.district,
      accountStatus: c.accountStatus,
    };
  }

  private inbox(departmentId: string | undefined): Ticket[] {
    return this.tickets
      .filter((t) => t.departmentId === departmentId && !['resolved', 'informed', 'closed'].includes(t.status))
      .sort((a, b) => (a.deadline ?? Infinity) - (b.deadline ?? Infinity));
  }

  private pushAgent(seat: AgentSeat): void {
    this.server.push({ userId: seat.user.userId }, 'agent.state', seat.status);
    this.pushWallboard(seat);
    if (this.demo && seat.user.userId === '1001') this.scheduleDemoCall(seat);
  }

  private pushWallboard(seat: AgentSeat): void {
    if (seat.user.role !== 'agent') return;
    this.server.push({ role: 'supervisor' }, 'wallboard.agents', { agents: [this.agentRow(seat)] });
  }

  private setActivity(seat: AgentSeat, activity: AgentStatus['activity']): void {
    const { reason, ...rest } = seat.status;
    seat.status = {
      ...rest,
      ...(rest.presence === 'not-ready' && reason ? { reason } : {}),
      activity,
      since: this.now(),
    };
    this.pushAgent(seat);
  }

  private updateCall(callId: string, patch: Partial<CallInfo>): CallInfo {
    const call = this.calls.get(callId);
    if (!call) throw new ProtocolError(ProtocolErrorCode.NotFound, `no call ${callId}`);
    const { consultCallId: _drop, ...base } = call.info;
    call.info = { ...(patch.state && patch.state !== 'consulting' ? base : call.info), ...patch, since: this.now() };
    this.server.push({ userId: call.agentId }, 'call.state', call.info);
    return call.info;
  }

  private endCall(callId: string, cause: NonNullable<CallInfo['cause']>, wrapUp: boolean): CallInfo {
    const call = this.calls.get(callId);
    if (!call) throw new ProtocolError(ProtocolErrorCode.NotFound, `no call ${callId}`);
    const info = this.updateCall(callId, { state: 'ended', cause });
    const seat = this.seats.get(call.agentId);
    if (seat) {
      seat.ringTimer?.unsubscribe();
      seat.callId = undefined;
      seat.callQueueId = undefined;
      if (wrapUp) {
        this.setActivity(seat, 'wrap-up');
        seat.wrapTimer?.unsubscribe();
        seat.wrapTimer = this.scheduler.schedule(() => {
          seat.wrapTimer = undefined;
          if (seat.status.activity === 'wrap-up') this.setActivity(seat, 'idle');
        }, this.wrapUpMs);
      }
    }
    return info;
  }

  private ownCall(agentId: string, callId: string) {
    const call = this.calls.get(callId);
    if (!call || call.agentId !== agentId || call.info.state === 'ended')
      throw new ProtocolError(ProtocolErrorCode.NotFound, `no call ${callId} at this station`);
    return call;
  }

  private seatOf(userId: string): AgentSeat {
    const seat = this.seats.get(userId);
    if (!seat) throw new ProtocolError(ProtocolErrorCode.IllegalState, 'no agent seat for this user');
    return seat;
  }

  private trackingNo(): string {
    const d = new Date(this.now() + 8 * HOUR);
    const body = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}${String(this.nextTicket++).padStart(4, '0')}`;
    // Luhn check digit, so a digit misheard on the phone is caught.
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      let n = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) {
        n *= 2;
        if (n > 9) n -= 9;
      }
      sum += n;
    }
    return body + String((10 - (sum % 10)) % 10);
  }

  private addHistory(ticket: Ticket, entry: Omit<TicketHistoryEntry, 'at'>): TicketHistoryEntry {
    const full: TicketHistoryEntry = { at: this.now(), ...entry };
    const list = this.history.get(ticket.ticketId) ?? [];
    list.push(full);
    this.history.set(ticket.ticketId, list);
    const departmentUsers = USERS.filter((u) => u.role === 'department' && u.departmentId === ticket.departmentId).map(
      (u) => u.userId,
    );
    this.server.push((s) => s.user.role !== 'department' || departmentUsers.includes(s.user.userId), 'ticket.changed', {
      ticket,
      change: full,
    });
    return full;
  }

  private findTicket(ticketId: string): Ticket {
    const t = this.tickets.find((x) => x.ticketId === ticketId);
    if (!t) throw new ProtocolError(ProtocolErrorCode.NotFound, `no ticket ${ticketId}`);
    return t;
  }

  private replaceTicket(next: Ticket): Ticket {
    const i = this.tickets.findIndex((t) => t.ticketId === next.ticketId);
    this.tickets[i] = next;
    return next;
  }

  private checkVersion(actual: number, given: number): void {
    if (actual !== given)
      throw new ProtocolError(ProtocolErrorCode.Conflict, 'the record changed since it was read', {
        details: { currentVersion: actual },
      });
  }

  private registerHandlers(): void {
    const s = this.server;
    s.handle('agent.ready', (_p, ctx) => {
      const seat = this.seatOf(ctx.session.user.userId);
      seat.status = { agentId: seat.user.userId, presence: 'ready', activity: seat.status.activity, since: this.now() };
      this.pushAgent(seat);
      return seat.status;
    });
    s.handle('agent.notReady', (p, ctx) => {
      const seat = this.seatOf(ctx.session.user.userId);
      if (!CATALOG.notReadyReasons.some((r) => r.code === p.reason))
        throw new ProtocolError(ProtocolErrorCode.Validation, `unknown reason ${p.reason}`, {
          details: { field: 'reason' },
        });
      seat.status = {
        agentId: seat.user.userId,
        presence: 'not-ready',
        activity: seat.status.activity,
        reason: p.reason,
        since: this.now(),
      };
      this.pushAgent(seat);
      return seat.status;
    });
    s.handle('agent.logout', (_p, ctx) => {
      const seat = this.seatOf(ctx.session.user.userId);
      seat.status = {
        agentId: seat.user.userId,
        presence: 'logged-out',
        activity: seat.status.activity,
        since: this.now(),
      };
      this.pushAgent(seat);
      return seat.status;
    });
    s.handle('call.answer', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (call.info.state !== 'offered')
        throw new ProtocolError(ProtocolErrorCode.IllegalState, 'the call is not ringing');
      const seat = this.seatOf(ctx.session.user.userId);
      seat.ringTimer?.unsubscribe();
      seat.answeredToday++;
      const info = this.updateCall(p.callId, { state: 'connected' });
      this.setActivity(seat, 'connected');
      return info;
    });
    s.handle('call.hangup', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (call.info.state === 'offered')
        throw new ProtocolError(ProtocolErrorCode.IllegalState, 'answer the call first');
      return this.endCall(p.callId, 'agent-hangup', true);
    });
    s.handle('call.hold', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (call.info.state !== 'connected' && call.info.state !== 'conference')
        throw new ProtocolError(ProtocolErrorCode.IllegalState, 'not talking');
      this.setActivity(this.seatOf(ctx.session.user.userId), 'held');
      return this.updateCall(p.callId, { state: 'held' });
    });
    s.handle('call.retrieve', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (call.info.state !== 'held') throw new ProtocolError(ProtocolErrorCode.IllegalState, 'not on hold');
      this.setActivity(this.seatOf(ctx.session.user.userId), 'connected');
      return this.updateCall(p.callId, { state: 'connected' });
    });
    s.handle('call.transfer', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (p.target.kind === 'agent' && !this.seats.has(p.target.agentId))
        throw new ProtocolError(ProtocolErrorCode.NotFound, `no agent ${p.target.agentId}`);
      if (
        p.target.kind === 'queue' &&
        !CATALOG.queues.some((q) => p.target.kind === 'queue' && q.queueId === p.target.queueId)
      )
        throw new ProtocolError(ProtocolErrorCode.NotFound, 'no such queue');
      if (call.info.state === 'offered')
        throw new ProtocolError(ProtocolErrorCode.IllegalState, 'answer the call first');
      if (p.mode === 'blind') return { call: this.endCall(p.callId, 'transferred', true) };
      const consultCallId = `${p.callId}-c`;
      return { call: this.updateCall(p.callId, { state: 'consulting', consultCallId }), consultCallId };
    });
    s.handle('call.completeConsult', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (call.info.state !== 'consulting') throw new ProtocolError(ProtocolErrorCode.IllegalState, 'not consulting');
      return this.endCall(p.callId, 'transferred', true);
    });
    s.handle('call.cancelConsult', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (call.info.state !== 'consulting') throw new ProtocolError(ProtocolErrorCode.IllegalState, 'not consulting');
      return this.updateCall(p.callId, { state: 'connected' });
    });
    s.handle('call.conference', (p, ctx) => {
      const call = this.ownCall(ctx.session.user.userId, p.callId);
      if (call.info.state !== 'consulting') throw new ProtocolError(ProtocolErrorCode.IllegalState, 'not consulting');
      return this.updateCall(p.callId, { state: 'conference' });
    });
    s.handle('call.dial', (p, ctx) => this.dial(ctx.session.user.userId, p.number, p.customerId));
    s.handle('call.wrapUp', (p, ctx) => {
      const seat = this.seatOf(ctx.session.user.userId);
      if (seat.status.activity !== 'wrap-up') throw new ProtocolError(ProtocolErrorCode.IllegalState, 'not in wrap-up');
      if (!CATALOG.dispositions.some((d) => d.code === p.disposition))
        throw new ProtocolError(ProtocolErrorCode.Validation, 'unknown disposition', {
          details: { field: 'disposition' },
        });
      seat.wrapTimer?.unsubscribe();
      seat.wrapTimer = undefined;
      const call = this.calls.get(p.callId);
      this.interactions.unshift({
        interactionId: `i-${p.callId}`,
        media: 'voice',
        direction: call?.info.direction === 'outbound' ? 'outbound' : 'inbound',
        startedAt: call?.info.since ?? this.now(),
        endedAt: this.now(),
        remoteNumber: call?.info.remoteNumber ?? '',
        ...(call?.info.customerId ? { customerId: call.info.customerId } : {}),
        agentId: seat.user.userId,
        agentName: seat.user.displayName,
        outcome: 'answered',
        disposition: p.disposition,
        ...(p.ticketIds ? { ticketIds: p.ticketIds } : {}),
      });
      this.setActivity(seat, 'idle');
      return seat.status;
    });

    s.handle('customer.search', (p) => {
      const q = p.query;
      const found = this.customers.filter(
        (c) =>
          (!q.name || c.name.includes(q.name)) &&
          (!q.phone || c.phones.some((ph) => ph.replace(/-/g, '').endsWith(q.phone as string))) &&
          (!q.customerNo || c.customerNo.includes(q.customerNo)) &&
          (!q.address || c.address.includes(q.address)),
      );
      return { customers: found.slice(0, p.limit).map((c) => this.summary(c)), total: found.length };
    });
    s.handle('customer.get', (p) => {
      const customer = this.customers.find((c) => c.customerId === p.customerId);
      if (!customer) throw new ProtocolError(ProtocolErrorCode.NotFound, 'no such customer');
      return {
        customer,
        openTickets: this.tickets.filter(
          (t) => t.customerId === customer.customerId && !['resolved', 'informed', 'closed'].includes(t.status),
        ),
        recentInteractions: this.interactions.filter((i) => i.customerId === customer.customerId).slice(0, 10),
      };
    });
    s.handle('customer.update', (p) => {
      const i = this.customers.findIndex((c) => c.customerId === p.customerId);
      const current = this.customers[i];
      if (!current) throw new ProtocolError(ProtocolErrorCode.NotFound, 'no such customer');
      this.checkVersion(current.version, p.version);
      const next: Customer = { ...current, ...p.patch, version: current.version + 1, updatedAt: this.now() };
      this.customers[i] = next;
      return next;
    });
    s.handle('customer.create', (p) => {
      const n = this.customers.length + 1;
      const created: Customer = {
        customerId: `c-${n}`,
        customerNo: `01009${String(n).padStart(5, '0')}`,
        district: '',
        districtCode: '',
        accountStatus: 'active',
        ...p.customer,
        version: 1,
        updatedAt: this.now(),
      };
      this.customers.push(created);
      return created;
    });
    s.handle('billing.summary', (p) => {
      if (!this.customers.some((c) => c.customerId === p.customerId))
        throw new ProtocolError(ProtocolErrorCode.NotFound, 'no such customer');
      const bills = this.bills[p.customerId] ?? [];
      const arrearsFen = bills.reduce((sum, b) => sum + (b.amountFen - b.paidFen), 0);
      const year = bills.reduce((sum, b) => sum + b.usageM3, 0);
      return {
        customerId: p.customerId,
        accountNo: this.customers.find((c) => c.customerId === p.customerId)?.customerNo ?? '',
        arrearsFen,
        bills,
        ...(bills.length > 0
          ? { lastPayment: { at: this.now() - 30 * 24 * HOUR, amountFen: 16_530, channel: '微信' } }
          : {}),
        tier: { tier: year > 400 ? 2 : 1, yearUsageM3: year, priceFenPerM3: year > 400 ? 360 : 300 },
        asOf: this.now(),
      };
    });

    s.handle('ticket.create', (p, ctx) => {
      const departmentId = (
        {
          emergency: 'd-pipe',
          repair: 'd-pipe',
          complaint: 'd-service',
          suggestion: 'd-service',
          service: 'd-billing',
        } as Record<TicketKind, string>
      )[p.kind];
      const hours = (
        { emergency: 2, repair: 24, complaint: 72, suggestion: 168, service: 72 } as Record<TicketKind, number>
      )[p.kind];
      if ((p.kind === 'emergency' || p.kind === 'repair') && !p.address)
        throw new ProtocolError(ProtocolErrorCode.Validation, 'an address is required for field work', {
          details: { field: 'address' },
        });
      const now = this.now();
      const ticket: Ticket = {
        ticketId: `t-${this.nextTicket}`,
        trackingNo: this.trackingNo(),
        kind: p.kind,
        status: 'assigned',
        priority: p.priority ?? (p.kind === 'emergency' ? 'urgent' : 'normal'),
        ...(p.category ? { category: p.category } : {}),
        subject: p.subject,
        description: p.description,
        ...(p.customerId ? { customerId: p.customerId } : {}),
        ...(p.contactName ? { contactName: p.contactName } : {}),
        ...(p.contactPhone ? { contactPhone: p.contactPhone } : {}),
        ...(p.address ? { address: p.address } : {}),
        departmentId,
        departmentName: CATALOG.departments?.find((d) => d.departmentId === departmentId)?.name ?? departmentId,
        escalationLevel: 0,
        deadline: now + hours * HOUR,
        source: p.voicemailId ? 'voicemail' : 'agent',
        ...(p.callId ? { callId: p.callId } : {}),
        createdAt: now,
        createdBy: ctx.session.user.userId,
        updatedAt: now,
        version: 1,
      };
      this.tickets.unshift(ticket);
      this.addHistory(ticket, {
        by: ctx.session.user.userId,
        byName: ctx.session.user.displayName,
        action: 'created',
        toStatus: 'accepted',
      });
      this.addHistory(ticket, { by: 'system', action: 'assigned', departmentId, toStatus: 'assigned' });
      return ticket;
    });
    s.handle('ticket.update', (p, ctx) => {
      const current = this.findTicket(p.ticketId);
      this.checkVersion(current.version, p.version);
      const { ticketId: _id, version: _v, note, ...fields } = p;
      const next = this.replaceTicket({ ...current, ...fields, version: current.version + 1, updatedAt: this.now() });
      this.addHistory(next, {
        by: ctx.session.user.userId,
        byName: ctx.session.user.displayName,
        action: p.status && p.status !== current.status ? 'status' : note ? 'note' : 'updated',
        ...(p.status && p.status !== current.status ? { fromStatus: current.status, toStatus: p.status } : {}),
        ...(note ? { note } : {}),
      });
      return next;
    });
    s.handle('ticket.get', (p) => {
      const ticket =
        'ticketId' in p ? this.findTicket(p.ticketId) : this.tickets.find((t) => t.trackingNo === p.trackingNo);
      if (!ticket) throw new ProtocolError(ProtocolErrorCode.NotFound, 'no such ticket');
      return { ticket, history: this.history.get(ticket.ticketId) ?? [] };
    });
    s.handle('ticket.list', (p) => {
      const list = this.tickets
        .filter(
          (t) =>
            (!p.customerId || t.customerId === p.customerId) &&
            (!p.status || p.status.includes(t.status)) &&
            (!p.kind || p.kind.includes(t.kind)),
        )
        .sort((a, b) => b.createdAt - a.createdAt);
      return { tickets: list.slice(0, p.limit) };
    });

    s.handle('voicemail.list', (p) => ({
      voicemails: this.voicemails
        .filter((v) => !p.status || p.status.includes(v.status))
        .sort((a, b) => a.receivedAt - b.receivedAt)
        .slice(0, p.limit),
    }));
    s.handle('voicemail.mark', (p) => {
      const i = this.voicemails.findIndex((v) => v.voicemailId === p.voicemailId);
      const vm = this.voicemails[i];
      if (!vm) throw new ProtocolError(ProtocolErrorCode.NotFound, 'no such voicemail');
      const next: Voicemail = {
        ...vm,
        ...(p.status ? { status: p.status } : {}),
        ...(p.played !== undefined ? { played: p.played } : {}),
        ...(p.note ? { note: p.note } : {}),
      };
      this.voicemails[i] = next;
      this.server.push('all', 'voicemail.added', next);
      return next;
    });
    s.handle('voicemail.callBack', (p, ctx) => {
      const i = this.voicemails.findIndex((v) => v.voicemailId === p.voicemailId);
      const vm = this.voicemails[i];
      if (!vm) throw new ProtocolError(ProtocolErrorCode.NotFound, 'no such voicemail');
      const number = vm.callbackNumber ?? vm.callerId;
      if (!number)
        throw new ProtocolError(ProtocolErrorCode.Validation, 'no number to call back', {
          details: { field: 'callbackNumber' },
        });
      const call = this.dial(ctx.session.user.userId, number, vm.customerId);
      const next: Voicemail = {
        ...vm,
        status: 'in-progress',
        attempts: vm.attempts + 1,
        assignedTo: ctx.session.user.userId,
      };
      this.voicemails[i] = next;
      this.server.push('all', 'voicemail.added', next);
      return { voicemail: next, call };
    });

    s.handle('supervisor.snapshot', () => ({ queues: this.queues, agents: this.agentRows(), at: this.now() }));
    s.handle('supervisor.forceState', (p) => {
      const seat = this.seats.get(p.agentId);
      if (!seat) throw new ProtocolError(ProtocolErrorCode.NotFound, `no agent ${p.agentId}`);
      seat.status = {
        agentId: p.agentId,
        presence: p.presence,
        activity: seat.status.activity,
        ...(p.presence === 'not-ready' ? { reason: p.reason ?? 'break' } : {}),
        since: this.now(),
      };
      this.pushAgent(seat);
      return seat.status;
    });
    s.handle('supervisor.monitor', (p) => {
      const seat = this.seats.get(p.agentId);
      if (!seat) throw new ProtocolError(ProtocolErrorCode.NotFound, `no agent ${p.agentId}`);
      if (!seat.callId) throw new ProtocolError(ProtocolErrorCode.IllegalState, 'the agent is not on a call');
      seat.monitored = true;
      this.pushWallboard(seat);
      return { monitorId: `mon-${seat.user.userId}`, callId: seat.callId, mode: p.mode };
    });
    s.handle('supervisor.stopMonitor', (p) => {
      const seat = this.seats.get(p.monitorId.replace(/^mon-/, ''));
      if (seat) {
        seat.monitored = false;
        this.pushWallboard(seat);
      }
      return {};
    });

    s.handle('department.inbox', (p, ctx) => {
      const list = p.includeResolved
        ? this.tickets.filter((t) => t.departmentId === ctx.session.user.departmentId)
        : this.inbox(ctx.session.user.departmentId);
      return { tickets: list.slice(0, p.limit) };
    });
    s.handle('department.recordResult', (p, ctx) => {
      const current = this.findTicket(p.ticketId);
      this.checkVersion(current.version, p.version);
      const next = this.replaceTicket({
        ...current,
        result: p.result,
        status: p.resolve ? 'resolved' : current.status === 'assigned' ? 'in-progress' : current.status,
        version: current.version + 1,
        updatedAt: this.now(),
      });
      this.addHistory(next, {
        by: ctx.session.user.userId,
        byName: ctx.session.user.displayName,
        action: 'result',
        note: p.result,
        fromStatus: current.status,
        toStatus: next.status,
      });
      return next;
    });
    s.handle('department.escalate', (p, ctx) => {
      const current = this.findTicket(p.ticketId);
      this.checkVersion(current.version, p.version);
      const parent = CATALOG.departments?.find((d) => d.departmentId === current.departmentId)?.parentId;
      if (!parent)
        throw new ProtocolError(ProtocolErrorCode.IllegalState, 'this department has no superior department');
      const next = this.replaceTicket({
        ...current,
        departmentId: parent,
        departmentName: CATALOG.departments?.find((d) => d.departmentId === parent)?.name ?? parent,
        escalationLevel: current.escalationLevel + 1,
        version: current.version + 1,
        updatedAt: this.now(),
      });
      this.addHistory(next, {
        by: ctx.session.user.userId,
        byName: ctx.session.user.displayName,
        action: 'escalated',
        departmentId: parent,
        note: p.reason,
      });
      return next;
    });
    s.handle('user.changePassword', (p, ctx) => {
      const user = USERS.find((u) => u.userId === ctx.session.user.userId);
      if (!user || user.password !== p.oldPassword)
        throw new ProtocolError(ProtocolErrorCode.BadCredentials, 'the old password is wrong');
      return {};
    });
  }

  private dial(agentId: string, number: string, customerId: string | undefined): CallInfo {
    const seat = this.seatOf(agentId);
    if (seat.callId) throw new ProtocolError(ProtocolErrorCode.IllegalState, 'already on a call');
    const callId = `call-${this.nextCall++}`;
    const info: CallInfo = {
      callId,
      direction: 'outbound',
      state: 'dialing',
      remoteNumber: number,
      ...(customerId ? { customerId } : {}),
      since: this.now(),
      recording: true,
    };
    this.calls.set(callId, { info, agentId });
    seat.callId = callId;
    this.server.push({ userId: agentId }, 'call.state', info);
    this.setActivity(seat, 'connected');
    this.timers.push(
      this.scheduler.schedule(() => {
        const call = this.calls.get(callId);
        if (call?.info.state === 'dialing') this.updateCall(callId, { state: 'connected' });
      }, 2_000),
    );
    return info;
  }

  // ---------------------------------------------------------------------------------------------
  // Demo traffic

  private scheduleDemoCall(seat: AgentSeat): void {
    seat.demoTimer?.unsubscribe();
    seat.demoTimer = undefined;
    if (seat.status.presence !== 'ready' || seat.status.activity !== 'idle' || !seat.online) return;
    seat.demoTimer = this.scheduler.schedule(() => {
      seat.demoTimer = undefined;
      if (seat.status.presence !== 'ready' || seat.status.activity !== 'idle') return;
      const scripts: CallerScript[] = ['known', 'unknown', 'leak', 'shared', 'billing'];
      this.offerCall(seat.user.userId, scripts[this.nextScript++ % scripts.length] ?? 'known');
    }, 6_000);
  }

  private startDemo(): void {
    let tick = 0;
    const scheduler = this.scheduler;
    const step = (): void => {
      tick++;
      for (const [i, q] of this.queues.entries()) {
        const wave = Math.round(2 + 2 * Math.sin((tick + i * 3) / 4));
        const waiting = q.queueId === 'q-emergency' ? (tick % 7 === 0 ? 1 : 0) : wave;
        this.queues[i] = {
          ...q,
          waiting,
          longestWaitMs: waiting === 0 ? 0 : 8_000 + ((tick * 7_000 + i * 11_000) % 70_000),
          offeredToday: q.offeredToday + (tick % 3 === i % 3 ? 1 : 0),
          answeredToday: q.answeredToday + (tick % 3 === i % 3 ? 1 : 0),
        };
      }
      for (const session of this.server.sessions) {
        const user = session.user;
        const queues =
          user.role === 'supervisor' ? this.queues : this.queues.filter((q) => user.queueIds?.includes(q.queueId));
        if (queues.length > 0) this.server.push({ sessionId: session.sessionId }, 'queue.stats', { queues });
      }
      if (tick % 5 === 0) {
        const sim = this.seats.get(tick % 10 === 0 ? '1004' : '1002');
        if (sim) {
          const onCall = sim.status.activity === 'connected';
          sim.callId = onCall ? undefined : `call-sim-${tick}`;
          sim.callQueueId = onCall ? undefined : 'q-repair';
          if (!onCall) sim.answeredToday++;
          sim.status = { ...sim.status, activity: onCall ? 'idle' : 'connected', since: this.now() };
          this.pushWallboard(sim);
        }
      }
    };
    this.timers.push(
      scheduler.schedule(function (this: { schedule(state?: unknown, delay?: number): unknown }) {
        step();
        this.schedule(undefined, 2_000);
      }, 2_000),
    );
  }
}
