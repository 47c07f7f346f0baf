/**
 * The event table: every server→client event with its data schema. Events carry a per-session
 * sequence number (see `frames.ts`); every event is a state update the desktop can apply again
 * without harm (it states the new value, not a delta), so a resync snapshot followed by events
 * that overlap it converges.
 */
import { z } from 'zod';
import {
  AgentRow,
  AgentStatus,
  CallInfo,
  Id,
  QueueStats,
  ScreenPop,
  Text,
  Ticket,
  TicketHistoryEntry,
  Timestamp,
  Voicemail,
} from './domain.js';

/** Every event of protocol 1.0, by name. */
export const EVENTS = {
  /** This agent's state changed (including changes forced by a supervisor). */
  'agent.state': AgentStatus,
  /** A call is offered to this agent: the screen pop, sent before the agent answers. */
  'call.offered': ScreenPop,
  /** One of this agent's calls changed state (answered, held, consulting, ended, retracted...). */
  'call.state': CallInfo,
  /** Live figures of queues this user serves (or all, for supervisors). */
  'queue.stats': z.object({ queues: z.array(QueueStats).max(256) }),
  /** Supervisors: wallboard rows of agents whose state changed. */
  'wallboard.agents': z.object({ agents: z.array(AgentRow).max(2048) }),
  /** A ticket this user can see changed (created, updated, assigned, escalated, result recorded). */
  'ticket.changed': z.object({ ticket: Ticket, change: TicketHistoryEntry }),
  /** A voicemail call-back task arrived (or changed). */
  'voicemail.added': Voicemail,
  /** A notice for the user (supervisor broadcast, system message). */
  notice: z.object({
    noticeId: Id,
    level: z.enum(['info', 'warning', 'critical']),
    text: Text(2000),
    from: Text(64).optional(),
    expiresAt: Timestamp.optional(),
  }),
  /**
   * The server ended this session (supervisor, administrator, another login of the same user,
   * shutdown). The server closes the connection after it; the token no longer resumes.
   */
  'session.forcedLogout': z.object({
    reason: z.enum(['supervisor', 'administrator', 'replaced', 'shutdown', 'password-changed', 'disabled']),
    by: Id.optional(),
    message: Text(500).optional(),
  }),
} as const satisfies Record<string, z.ZodType>;

/** The name of an event (`'call.offered'`...). */
export type EventName = keyof typeof EVENTS;
/** The data of an event. */
export type EventData<N extends EventName> = z.output<(typeof EVENTS)[N]>;

/** All event names, in table order. */
export const EVENT_NAMES: readonly EventName[] = Object.freeze(Object.keys(EVENTS) as EventName[]);

/** True when `name` is an event of this protocol version. */
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(EVENTS, name);
}

/**
 * A received event as the client's `events$` emits it: a discriminated union on `name`, so
 * `if (e.name === 'call.offered') e.data.customer` narrows.
 */
export type ProtocolEvent = {
  [N in EventName]: {
    readonly name: N;
    /** Per-session sequence number: 1, 2, 3... without gaps. */
    readonly seq: number;
    /** When the server emitted it, epoch ms. */
    readonly at: number;
    readonly data: EventData<N>;
  };
}[EventName];
