/**
 * Who the CTI link knows: the people logged in (their user records and, for department staff,
 * the departments they see), how many desktops each has open, display names, departments and
 * queues, and which seat (ACD agent and station) a person works.
 *
 * @module
 */
import { ProtocolErrorCode, type UserInfo } from '@hotline/agent-protocol';
import type { SessionView } from '@hotline/agent-protocol/server';
import type { Acd } from '@hotline/acd';
import type { Board } from '@hotline/cti-core';
import type { Department } from '../../domain/departments.js';
import type { Store } from '../../domain/store.js';
import type { Ticket } from '../../domain/tickets.js';
import type { Actor } from '../../domain/ticket-service.js';
import type { User } from '../../domain/users.js';
import { gasQueues } from '../call-center.js';
import type { Seat, Telephony } from '../telephony.js';
import { fail, type Io } from './commands.js';
import { wireTicket } from './mapping.js';
import type { Ticket as WireTicket } from '@hotline/agent-protocol';

/** What {@link Directory} reads. */
export interface DirectoryDeps {
  readonly store: Pick<Store, 'departments' | 'users'>;
  readonly acd: Pick<Acd, 'agentSnapshot'>;
  readonly board: Pick<Board, 'channel'>;
  readonly telephony: Pick<Telephony, 'seatOf'>;
  readonly io: Io;
}

/** People, seats, departments and queues as the CTI link sees them. */
export class Directory {
  /** Queue ids → names (the hotline's queues, not the consult queues). */
  readonly queueNames: ReadonlyMap<string, string> = new Map(gasQueues().map((q) => [q.id, q.name ?? q.id]));
  private readonly users = new Map<string, User>();
  private readonly scopes = new Map<string, ReadonlySet<string>>();
  private readonly online = new Map<string, number>();
  private departmentList: Department[] = [];
  private displayNames = new Map<string, string>();

  constructor(private readonly deps: DirectoryDeps) {}

  /** Loads departments and users' display names. */
  async refresh(): Promise<void> {
    const { store, io } = this.deps;
    const [departments, users] = await io(Promise.all([store.departments.list(), store.users.list()]));
    this.departmentList = departments;
    this.displayNames = new Map(users.map((u) => [u.username, u.displayName]));
  }

  get departments(): readonly Department[] {
    return this.departmentList;
  }

  departmentName(id: number): string | undefined {
    return this.departmentList.find((d) => d.id === id)?.name;
  }

  displayName(username: string): string {
    return this.displayNames.get(username) ?? username;
  }

  /** A ticket as the desktop sees it (department names filled in). */
  readonly ticketOut = (t: Ticket): WireTicket => wireTicket(t, (id) => this.departmentName(id));

  /** A person logged in: remembered with the departments they see (department staff). */
  async remember(user: User): Promise<void> {
    this.users.set(user.username, user);
    if (user.role === 'department_staff' && user.departmentId !== null) {
      const ids = await this.deps.io(this.deps.store.departments.subtreeIds(user.departmentId));
      this.scopes.set(user.username, new Set(ids.map(String)));
    }
  }

  /** The user record of a person logged in. */
  user(username: string): User | undefined {
    return this.users.get(username);
  }

  /** The ticket workflow's actor for a session's person. */
  actorOf(session: SessionView): Actor {
    const user = this.users.get(session.user.userId);
    if (!user) fail(ProtocolErrorCode.NotAuthenticated, 'log in again');
    return {
      kind: 'user',
      user: { id: user.id, username: user.username, role: user.role, departmentId: user.departmentId },
    };
  }

  /** Whether a session's person may see a ticket (pushes of `ticket.changed`). */
  seesTicket(session: SessionView, t: Ticket): boolean {
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

  /** A desktop session of the person opened. */
  opened(userId: string): void {
    this.online.set(userId, (this.online.get(userId) ?? 0) + 1);
  }

  /** A desktop session of the person closed. */
  closed(userId: string): void {
    const n = (this.online.get(userId) ?? 1) - 1;
    if (n <= 0) this.online.delete(userId);
    else this.online.set(userId, n);
  }

  /** Whether the person has a desktop session open. */
  isOnline(userId: string): boolean {
    return this.online.has(userId);
  }

  /** The seat a person (or agent id) works, if any. */
  seatOf(userId: string): Seat | undefined {
    return this.deps.telephony.seatOf(userId);
  }

  /** The seat of a session's person, or a typed refusal. */
  seatFor(session: SessionView): Seat {
    const seat = this.seatOf(session.user.userId);
    if (!seat)
      fail(ProtocolErrorCode.IllegalState, `user ${session.user.userId} has no seat in this call centre`, {
        reason: 'no-seat',
      });
    return seat;
  }

  /** Agents and supervisors take calls; others only work tickets. */
  callHandler(user: UserInfo): boolean {
    return user.role === 'agent' || user.role === 'supervisor';
  }

  /** The hotline queues an agent has skills for. */
  queuesOf(agentId: string): string[] {
    try {
      const skills = this.deps.acd.agentSnapshot(agentId).skills;
      return [...this.queueNames.keys()].filter((q) => (skills[q] ?? 0) > 0);
    } catch {
      return [];
    }
  }

  /** Refuses a transfer or consultation to an agent who does not exist, is oneself, or cannot take a call now. */
  requireAvailableAgent(seat: Seat, agentId: string): void {
    const { acd, board } = this.deps;
    const other = this.seatOf(agentId);
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

  /** Refuses an unknown hotline queue. */
  requireQueue(queueId: string): void {
    if (!this.queueNames.has(queueId)) fail(ProtocolErrorCode.NotFound, `no queue ${queueId}`, { queueId });
  }
}
