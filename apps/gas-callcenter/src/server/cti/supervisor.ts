/**
 * The supervisor's commands: the wallboard (queue figures and agent rows, pushed on every agent
 * change and every few seconds), forcing an agent's state, and monitoring an agent's call from
 * the supervisor's own phone (listen, whisper to the agent, barge in).
 *
 * @module
 */
import { filter, firstValueFrom, type SchedulerLike } from 'rxjs';
import { ProtocolErrorCode, type AgentRow, type MonitorMode, type QueueStats } from '@hotline/agent-protocol';
import type { CommandHandlers, ProtocolServer, SessionView } from '@hotline/agent-protocol/server';
import type { Board, Channel, Logger } from '@hotline/cti-core';
import type { Acd, QueueStatus } from '@hotline/acd';
import type { Store } from '../../domain/store.js';
import { gasQueues, type SupervisorPhone } from '../call-center.js';
import type { ConnectedCall, Seat, Telephony } from '../telephony.js';
import { untilRinging, type HandsetOf } from '../telephony/handset.js';
import { background, command, fail, type Io } from './commands.js';
import type { Desks } from './desks.js';
import type { Directory } from './directory.js';
import { agentStatus } from './mapping.js';

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
  watch?: { unsubscribe(): void };
  ended: boolean;
}

/** What {@link Supervision} needs. */
export interface SupervisionDeps {
  readonly acd: Acd;
  readonly board: Board;
  readonly telephony: Telephony;
  readonly seats: readonly Seat[];
  readonly supervisorPhones: readonly SupervisorPhone[];
  readonly store: Pick<Store, 'interactions'>;
  readonly server: Pick<ProtocolServer, 'push' | 'sessions'>;
  readonly directory: Directory;
  readonly desks: Desks;
  readonly handsets: HandsetOf;
  readonly scheduler: SchedulerLike;
  readonly io: Io;
  readonly logger: Logger;
}

/** Wallboard, forced states and call monitoring. */
export class Supervision {
  private readonly monitors = new Map<string, Monitor>();
  private monitorSeq = 0;

  constructor(private readonly deps: SupervisionDeps) {}

  /** The `supervisor.*` commands. */
  handlers(): CommandHandlers {
    const { acd, server, directory } = this.deps;
    return {
      'supervisor.snapshot': command(async () => {
        const queues = await this.queueStats();
        return { queues, agents: this.agentRows(), at: this.deps.scheduler.now() };
      }),
      'supervisor.forceState': command((p, s) => {
        if (!directory.seatOf(p.agentId)) fail(ProtocolErrorCode.NotFound, `no agent ${p.agentId}`);
        if (p.presence === 'ready') acd.setReady(p.agentId);
        else if (p.presence === 'not-ready') acd.setNotReady(p.agentId, p.reason ?? 'supervisor');
        else {
          acd.forceLogout(p.agentId);
          server.push({ userId: p.agentId }, 'notice', {
            noticeId: `force-${this.deps.scheduler.now()}`,
            level: 'warning',
            text: 'logged out by supervisor',
            from: s.user.userId,
          });
        }
        return agentStatus(acd.agentSnapshot(p.agentId));
      }),
      'supervisor.monitor': command((p, s) => this.monitor(s, p.agentId, p.mode)),
      'supervisor.stopMonitor': command(async (p) => {
        const m = this.monitors.get(p.monitorId);
        if (!m) fail(ProtocolErrorCode.NotFound, `no monitor ${p.monitorId}`, { monitorId: p.monitorId });
        await this.endMonitor(m);
        return {};
      }),
    };
  }

  /** An agent's state changed: the wallboards get the agent's row. */
  agentChanged(agentId: string): void {
    this.deps.server.push({ role: ['supervisor', 'administrator'] }, 'wallboard.agents', {
      agents: [this.agentRow(agentId)],
    });
  }

  /** Ends every monitor of a call (before hold, transfer or consultation, or when it ends). */
  async endMonitorsOf(callId: string): Promise<void> {
    for (const m of [...this.monitors.values()]) if (m.callId === callId) await this.endMonitor(m);
  }

  // -------------------------------------------------------------------------------------------
  // Queue figures and the wallboard

  /** Today's figures of the hotline queues (`only`: those of an agent). */
  async queueStats(only?: ReadonlySet<string>): Promise<QueueStats[]> {
    const { acd, seats, directory } = this.deps;
    const status = await firstValueFrom(acd.queueStats$);
    const busy = new Map<string, number>();
    for (const seat of seats) {
      for (const w of acd.agentSnapshot(seat.agentId).work) {
        if (w.activity === 'connected' || w.activity === 'held' || w.activity === 'offered')
          busy.set(w.queueId, (busy.get(w.queueId) ?? 0) + 1);
      }
    }
    const out: QueueStats[] = [];
    for (const [queueId, name] of directory.queueNames) {
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

  /** Pushes queue figures to every desktop that shows them (agents: their own queues). */
  pushQueueStats(): void {
    const { server, logger } = this.deps;
    const sessions = server.sessions.filter((s) => s.user.role !== 'department');
    if (sessions.length === 0) return;
    void this.queueStats()
      .then((all) => {
        for (const s of sessions) {
          const only = s.user.role === 'agent' ? new Set(s.user.queueIds ?? []) : undefined;
          server.push({ sessionId: s.sessionId }, 'queue.stats', {
            queues: only ? all.filter((q) => only.has(q.queueId)) : all,
          });
        }
      })
      .catch((e: unknown) => logger.warn('cti: queue figures failed', { error: String(e) }));
  }

  private agentRow(agentId: string): AgentRow {
    const { acd, directory } = this.deps;
    const snap = acd.agentSnapshot(agentId);
    const st = agentStatus(snap);
    const call = snap.work.find((w) => w.activity !== 'wrap-up') ?? snap.work[0];
    return {
      agentId,
      name: directory.displayName(agentId).slice(0, 64),
      presence: st.presence,
      activity: st.activity,
      ...(st.reason ? { reason: st.reason } : {}),
      since: st.since,
      online: snap.desktop === 'online',
      queueIds: directory.queuesOf(agentId),
      ...(call ? { callId: call.interactionId.slice(0, 64), callQueueId: call.queueId } : {}),
      answeredToday: snap.answeredCount,
      ahtMs: null,
      monitored: [...this.monitors.values()].some((m) => m.agentId === agentId),
    };
  }

  /** Every seat's wallboard row. */
  agentRows(): AgentRow[] {
    return this.deps.seats.map((s) => this.agentRow(s.agentId));
  }

  // -------------------------------------------------------------------------------------------
  // Monitoring (listen, whisper, barge) from the supervisor's station

  private async monitor(
    session: SessionView,
    agentId: string,
    mode: MonitorMode,
  ): Promise<{ monitorId: string; callId: string; mode: MonitorMode }> {
    const { board, telephony, desks, scheduler } = this.deps;
    const own = this.deps.supervisorPhones.find((p) => p.supervisorId === session.user.userId);
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
      const rec = c ? desks.get(agentId, c.interactionId) : undefined;
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
    const handset = this.deps.handsets(own.station);
    if (handset) {
      await untilRinging(handset, scheduler);
      handset.lift();
    }
    const answered = await dialing;
    if (!answered.connected)
      fail(ProtocolErrorCode.Unavailable, 'the supervisor phone was not answered', { reason: 'supervisor-no-answer' });
    if (talking() !== call) {
      await station.hangup().catch(() => undefined);
      handset?.hangUp();
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
      this.deps.logger.warn('cti: starting a monitor failed', { call: m.callId, error: String(error) });
      fail(ProtocolErrorCode.Unavailable, 'the monitor could not be set up', { reason: 'monitor-failed' });
    }
    // The supervisor putting the phone down ends the monitor.
    m.watch = station.events$
      .pipe(filter((e) => e.type === 'released' || e.type === 'fault'))
      .subscribe(() => void this.endMonitor(m).catch(() => undefined));
    background(
      this.deps.io,
      this.deps.store.interactions.appendSteps(m.callId, [
        { at: scheduler.now(), kind: 'note', detail: { supervisor: m.supervisorId, monitor: mode } },
      ]),
    );
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
    this.deps.handsets(m.station.id)?.hangUp();
    await Promise.all([
      m.trunk.leaveConference(m.conference).catch(() => undefined),
      m.agentStation.leaveConference(m.conference).catch(() => undefined),
    ]);
    const call = this.deps.telephony.connectedCall(m.callId);
    if (
      call &&
      call.trunk === m.trunk &&
      call.station === m.agentStation &&
      m.trunk.state.state === 'connected' &&
      m.agentStation.state.state === 'connected'
    ) {
      await m.trunk.bridge(m.agentStation).catch((e: unknown) =>
        this.deps.logger.warn('cti: bridging a call again after a monitor failed', {
          call: m.callId,
          error: String(e),
        }),
      );
    }
  }
}
