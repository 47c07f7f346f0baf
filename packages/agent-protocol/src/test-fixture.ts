/**
 * A tiny call-centre application for the package's own tests and bench: users, a lockout rule,
 * a few handlers and a snapshot. Not exported from the package.
 * @internal
 */
import type { SchedulerLike } from 'rxjs';
import type { AgentStatus, Snapshot, Ticket, UserInfo } from './domain.js';
import { ProtocolError, ProtocolErrorCode } from './errors.js';
import {
  ProtocolServer,
  type AuditEntry,
  type LoginOutcome,
  type ProtocolServerOptions,
} from './server/protocol-server.js';

/** Test users: id → [password, user]. */
export const USERS: Record<string, [string, UserInfo]> = {
  '1001': ['agent-pass-1001', { userId: '1001', displayName: '王芳', role: 'agent', queueIds: ['general'] }],
  '1002': ['agent-pass-1002', { userId: '1002', displayName: '李强', role: 'agent', queueIds: ['general'] }],
  '2001': ['super-pass-2001', { userId: '2001', displayName: '张伟', role: 'supervisor', queueIds: ['general'] }],
  '3001': ['dept-pass-3001', { userId: '3001', displayName: '刘洋', role: 'department', departmentId: 'repair' }],
  '9001': ['admin-pass-9001', { userId: '9001', displayName: '管理员', role: 'administrator' }],
};

/** A fixture app around a {@link ProtocolServer}. */
export interface Fixture {
  readonly server: ProtocolServer;
  readonly audit: AuditEntry[];
  /** How many times each command's handler ran. */
  readonly calls: Map<string, number>;
  /** Resolvers of `ticket.create` calls held by `holdTickets`. */
  holdTickets: boolean;
  readonly held: (() => void)[];
}

/** Builds the fixture app. Lockout after 3 failures. */
export function createFixture(scheduler: SchedulerLike, options: Partial<ProtocolServerOptions> = {}): Fixture {
  const failures = new Map<string, number>();
  const audit: AuditEntry[] = [];
  const calls = new Map<string, number>();
  const count = (name: string): void => void calls.set(name, (calls.get(name) ?? 0) + 1);
  const agents = new Map<string, AgentStatus>();
  let ticketNo = 0;
  const fixture: Fixture = {
    audit,
    calls,
    holdTickets: false,
    held: [],
    server: new ProtocolServer({
      scheduler,
      authenticator: {
        login({ userId, password }): LoginOutcome {
          const tries = failures.get(userId) ?? 0;
          if (tries >= 3) return { ok: false, reason: 'locked-out', retryAfterMs: 900_000 };
          const entry = USERS[userId];
          if (!entry || entry[0] !== password) {
            failures.set(userId, tries + 1);
            return tries + 1 >= 3
              ? { ok: false, reason: 'locked-out', retryAfterMs: 900_000 }
              : { ok: false, reason: 'bad-credentials', remainingAttempts: 3 - tries - 1 };
          }
          failures.delete(userId);
          return { ok: true, user: entry[1] };
        },
      },
      snapshot: (session): Snapshot => ({
        agent: agents.get(session.user.userId) ?? {
          agentId: session.user.userId,
          presence: 'logged-out',
          activity: 'idle',
          since: scheduler.now(),
        },
        calls: [],
        queues: [],
        catalog: {
          notReadyReasons: [{ code: 'lunch', label: '午餐' }],
          dispositions: [{ code: 'resolved', label: '已解决' }],
          queues: [{ queueId: 'general', name: '综合' }],
        },
      }),
      audit: (entry) => audit.push(entry),
      heartbeatMs: 10_000,
      resumeWindowMs: 60_000,
      ...options,
    }),
  };
  const setState = (agentId: string, presence: AgentStatus['presence'], reason?: string): AgentStatus => {
    const status: AgentStatus = {
      agentId,
      presence,
      activity: 'idle',
      since: scheduler.now(),
      ...(reason ? { reason } : {}),
    };
    agents.set(agentId, status);
    fixture.server.push({ userId: agentId }, 'agent.state', status);
    return status;
  };
  fixture.server.handleAll({
    'agent.ready': (_p, ctx) => {
      count('agent.ready');
      return setState(ctx.session.user.userId, 'ready');
    },
    'agent.notReady': (p, ctx) => {
      count('agent.notReady');
      return setState(ctx.session.user.userId, 'not-ready', p.reason);
    },
    'call.answer': (p) => {
      count('call.answer');
      throw new ProtocolError(ProtocolErrorCode.NotFound, `no call ${p.callId}`, { details: { callId: p.callId } });
    },
    'customer.search': (p) => {
      count('customer.search');
      return {
        customers: [
          {
            customerId: 'c1',
            customerNo: '100001',
            name: p.query.name ?? '陈静',
            phones: ['13800138000'],
            address: '人民路1号',
            district: '城东',
            accountStatus: 'active',
          },
        ],
        total: 1,
      };
    },
    'ticket.create': async (p, ctx) => {
      count('ticket.create');
      if (fixture.holdTickets) await new Promise<void>((resolve) => fixture.held.push(resolve));
      ticketNo++;
      const now = scheduler.now();
      const ticket: Ticket = {
        ticketId: `t${ticketNo}`,
        trackingNo: `2026112600${ticketNo}`,
        kind: p.kind,
        status: 'accepted',
        priority: p.priority ?? 'normal',
        subject: p.subject,
        description: p.description,
        escalationLevel: 0,
        source: 'agent',
        createdAt: now,
        createdBy: ctx.session.user.userId,
        updatedAt: now,
        version: 1,
      };
      return ticket;
    },
    'supervisor.forceState': (p) => setState(p.agentId, p.presence, p.reason),
    'user.changePassword': () => ({}),
  });
  return fixture;
}

/** A valid `notice` event payload. */
export function notice(n: number): { noticeId: string; level: 'info'; text: string } {
  return { noticeId: `n${n}`, level: 'info', text: `notice ${n}` };
}
