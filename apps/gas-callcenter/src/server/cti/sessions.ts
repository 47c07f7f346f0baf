/**
 * People at their desks: login against the user store (and taking the seat from a simulated
 * agent in the demo), the audit trail of the protocol, sessions opening, resuming and closing
 * (the ACD hears when a desktop goes and comes back; the seat is given back at logout), the
 * agent's own state (ready, not ready, logout), the password, and the snapshot a session starts
 * from.
 *
 * @module
 */
import type { SchedulerLike } from 'rxjs';
import {
  ProtocolErrorCode,
  type AgentRow,
  type Catalog,
  type QueueStats,
  type ScreenPop,
  type Snapshot,
  type UserInfo,
} from '@hotline/agent-protocol';
import type {
  AuditEntry,
  CommandHandlers,
  LoginOutcome,
  ProtocolServer,
  SessionEvent,
  SessionView,
} from '@hotline/agent-protocol/server';
import { isHotlineError, type Logger } from '@hotline/cti-core';
import type { Acd, AcdEvent } from '@hotline/acd';
import type { AuthService } from '../../domain/auth-service.js';
import { AppErrorCode } from '../../domain/errors.js';
import type { Store } from '../../domain/store.js';
import type { User } from '../../domain/users.js';
import { gasQueues } from '../call-center.js';
import type { SimulatedAgents } from '../demo/sim-agents.js';
import type { Seat } from '../telephony.js';
import { DISPOSITIONS, NOT_READY_REASONS } from './catalog.js';
import { command, fail, tryAcd, type Io } from './commands.js';
import type { CallRecord, Desks } from './desks.js';
import type { Directory } from './directory.js';
import { agentStatus, wireRole } from './mapping.js';

/** What {@link AgentSessions} needs. */
export interface AgentSessionsDeps {
  readonly acd: Acd;
  readonly auth: Pick<AuthService, 'login' | 'changePassword'>;
  readonly store: Pick<Store, 'audit'>;
  readonly server: Pick<ProtocolServer, 'push'>;
  readonly directory: Directory;
  readonly desks: Desks;
  /** Demo mode: the simulated agents, who get a seat back when its person logs out. */
  readonly agents: SimulatedAgents | undefined;
  /** The rest of a snapshot, from the other command families. */
  readonly snapshotParts: {
    readonly pops: (calls: readonly CallRecord[]) => Promise<ScreenPop[]>;
    readonly queueStats: (only?: ReadonlySet<string>) => Promise<QueueStats[]>;
    readonly agentRows: () => AgentRow[];
    readonly voicemailsWaiting: () => Promise<number>;
    readonly inboxCount: (session: SessionView) => Promise<number>;
  };
  readonly scheduler: SchedulerLike;
  readonly io: Io;
  readonly logger: Logger;
}

/** Logins, sessions, seats and the agent's own state. */
export class AgentSessions {
  /** Seats taken from a simulated agent (given back when the person leaves). */
  private readonly borrowed = new Set<string>();
  /** Seats to give back to their simulated agent once the ACD has logged the person out. */
  private readonly handBack = new Set<string>();

  constructor(private readonly deps: AgentSessionsDeps) {}

  /** The `agent.*` and `user.changePassword` commands. */
  handlers(): CommandHandlers {
    const { acd, directory, auth, io, logger } = this.deps;
    return {
      'agent.ready': command((_p, s) => {
        const seat = directory.seatFor(s);
        this.takeSeat(seat, true);
        return agentStatus(acd.agentSnapshot(seat.agentId));
      }),
      'agent.notReady': command((p, s) => {
        const seat = directory.seatFor(s);
        if (!NOT_READY_REASONS.some((r) => r.code === p.reason))
          fail(ProtocolErrorCode.Validation, `unknown reason ${p.reason}`, { field: 'reason' });
        if (acd.agentSnapshot(seat.agentId).state.presence === 'logged-out') this.takeSeat(seat, false);
        acd.setNotReady(seat.agentId, p.reason);
        return agentStatus(acd.agentSnapshot(seat.agentId));
      }),
      'agent.logout': command((_p, s) => {
        const seat = directory.seatFor(s);
        if (acd.agentSnapshot(seat.agentId).work.length > 0)
          fail(ProtocolErrorCode.IllegalState, 'finish the call in hand first');
        tryAcd(logger, () => acd.logout(seat.agentId));
        return agentStatus(acd.agentSnapshot(seat.agentId));
      }),
      'user.changePassword': command(async (p, s) => {
        await io(auth.changePassword(s.user.userId, p.oldPassword, p.newPassword));
        return {};
      }),
    };
  }

  /** The protocol's authenticator: checks the password; an agent or supervisor takes their seat. */
  async login(userId: string, password: string): Promise<LoginOutcome> {
    const { directory } = this.deps;
    try {
      const user = await this.deps.io(this.deps.auth.login(userId, password));
      await directory.remember(user);
      const info = this.userInfo(user);
      // The person takes the seat now, so the session's snapshot already shows it.
      const seat = directory.callHandler(info) ? directory.seatOf(user.username) : undefined;
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
          ...(typeof until === 'number' ? { retryAfterMs: Math.max(0, until - this.deps.scheduler.now()) } : {}),
        };
      }
      if (isHotlineError(error, AppErrorCode.Disabled)) return { ok: false, reason: 'disabled' };
      throw error;
    }
  }

  private userInfo(user: User): UserInfo {
    const { directory } = this.deps;
    const role = wireRole(user.role);
    const seat = directory.seatOf(user.username);
    const queueIds =
      role === 'supervisor' || role === 'administrator'
        ? [...directory.queueNames.keys()]
        : seat
          ? directory.queuesOf(seat.agentId)
          : undefined;
    return {
      userId: user.username,
      displayName: user.displayName.slice(0, 64),
      role,
      ...(user.departmentId !== null ? { departmentId: String(user.departmentId) } : {}),
      ...(queueIds && role !== 'department' ? { queueIds } : {}),
    };
  }

  /** Writes a protocol audit entry to the store's audit log. */
  audit(e: AuditEntry): void {
    const outcome = e.ok === false ? (e.action === 'denied' ? 'denied' : 'failed') : 'ok';
    void this.deps
      .io(
        this.deps.store.audit.append({
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
      )
      .catch((error: unknown) => this.deps.logger.error('cti: audit write failed', { error: String(error) }));
  }

  /** A session opened, resumed, lost its desktop or closed. */
  onSessionEvent(e: SessionEvent): void {
    const { acd, directory, logger } = this.deps;
    const userId = e.session.user.userId;
    const seat = directory.callHandler(e.session.user) ? directory.seatOf(userId) : undefined;
    switch (e.type) {
      case 'opened':
        directory.opened(userId);
        if (seat) tryAcd(logger, () => acd.desktopReconnected(seat.agentId));
        break;
      case 'resumed':
        if (seat) tryAcd(logger, () => acd.desktopReconnected(seat.agentId));
        break;
      case 'disconnected':
        if (seat) tryAcd(logger, () => acd.desktopDisconnected(seat.agentId));
        break;
      case 'closed':
        directory.closed(userId);
        if (e.reason === 'replaced' || e.reason === 'shutdown' || !seat) break;
        this.giveBack(seat);
        break;
      default:
        break;
    }
  }

  /**
   * An agent's state changed: a seat waiting to go back to its simulated agent goes back now,
   * and the agent's desktops get the new state.
   */
  onAgentEvent(e: AcdEvent & { readonly type: 'agent-state' | 'agent-desktop' }): void {
    const { acd, directory, agents, server } = this.deps;
    if (e.type === 'agent-state' && e.to === 'logged-out' && this.handBack.has(e.agentId)) {
      this.handBack.delete(e.agentId);
      const seat = directory.seatOf(e.agentId);
      if (seat && agents && !directory.isOnline(e.agentId)) agents.start(seat);
    }
    if (directory.isOnline(e.agentId))
      server.push({ userId: e.agentId }, 'agent.state', agentStatus(acd.agentSnapshot(e.agentId)));
  }

  /** A person takes a seat: the simulated agent stops and the person is logged in (not ready). */
  private takeSeat(seat: Seat, ready: boolean): void {
    const { acd, agents, logger } = this.deps;
    this.handBack.delete(seat.agentId);
    if (agents?.agents.includes(seat.agentId)) {
      agents.stop(seat.agentId);
      this.borrowed.add(seat.agentId);
    }
    const snap = acd.agentSnapshot(seat.agentId);
    if (snap.state.presence === 'logged-out') acd.login(seat.agentId, { ready });
    else {
      if (snap.desktop === 'offline') tryAcd(logger, () => acd.desktopReconnected(seat.agentId));
      if (ready) acd.setReady(seat.agentId);
      else if (snap.state.presence === 'ready') tryAcd(logger, () => acd.setNotReady(seat.agentId, 'login'));
    }
  }

  /** The person leaves the seat: logged out of the ACD (after the call in hand), and in demo mode the simulated agent returns. */
  private giveBack(seat: Seat): void {
    const { acd, agents, logger } = this.deps;
    const snap = acd.agentSnapshot(seat.agentId);
    if (snap.state.presence !== 'logged-out') {
      if (snap.work.length === 0) tryAcd(logger, () => acd.logout(seat.agentId));
      else tryAcd(logger, () => acd.forceLogout(seat.agentId));
    }
    if (!agents || !this.borrowed.delete(seat.agentId)) return;
    if (acd.agentSnapshot(seat.agentId).state.presence === 'logged-out') agents.start(seat);
    else this.handBack.add(seat.agentId);
  }

  private catalog(): Catalog {
    const { directory } = this.deps;
    return {
      notReadyReasons: [...NOT_READY_REASONS],
      dispositions: [...DISPOSITIONS],
      queues: [...directory.queueNames].map(([queueId, name]) => ({ queueId, name })),
      departments: directory.departments.map((d) => ({
        departmentId: String(d.id),
        name: d.name.slice(0, 64),
        ...(d.parentId !== null ? { parentId: String(d.parentId) } : {}),
      })),
      wrapUpMs: gasQueues()[0]?.wrapUpMs ?? 30_000,
    };
  }

  /** The state a session starts from: agent state, calls and pops, queues, wallboard, counts, catalog. */
  async snapshot(session: SessionView): Promise<Snapshot> {
    const { acd, directory, desks, snapshotParts: parts } = this.deps;
    const user = session.user;
    const seat = directory.callHandler(user) ? directory.seatOf(user.userId) : undefined;
    const mine = seat ? desks.of(seat.agentId) : [];
    const wrapping = seat
      ? new Set(acd.agentSnapshot(seat.agentId).work.map((w) => w.interactionId))
      : new Set<string>();
    const calls = mine.filter((r) => r.state !== 'ended' || wrapping.has(r.callId));
    const queues =
      user.role === 'department'
        ? []
        : await parts.queueStats(user.role === 'agent' ? new Set(user.queueIds ?? []) : undefined);
    const supervisor = user.role === 'supervisor' || user.role === 'administrator';
    const voicemailsWaiting = directory.callHandler(user) ? await parts.voicemailsWaiting() : undefined;
    const inboxCount = user.role === 'department' ? await parts.inboxCount(session) : undefined;
    return {
      ...(seat ? { agent: agentStatus(acd.agentSnapshot(seat.agentId)) } : {}),
      calls: calls.slice(0, 16).map((r) => desks.info(r)),
      offers: await parts.pops(calls.slice(0, 16)),
      queues,
      ...(supervisor ? { wallboard: { queues, agents: parts.agentRows(), at: this.deps.scheduler.now() } } : {}),
      ...(voicemailsWaiting !== undefined ? { voicemailsWaiting } : {}),
      ...(inboxCount !== undefined ? { inboxCount } : {}),
      catalog: this.catalog(),
    };
  }
}
