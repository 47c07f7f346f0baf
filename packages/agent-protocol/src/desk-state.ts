/**
 * The desktop's picture of the world, rebuilt from a snapshot and kept current by events: one pure
 * reducer that states what each event means, so every desktop (and test) applies them alike.
 */
import { scan, map, merge, type Observable } from 'rxjs';
import type { AgentClient } from './client/agent-client.js';
import type {
  AgentRow,
  AgentStatus,
  CallInfo,
  Catalog,
  QueueStats,
  ScreenPop,
  Snapshot,
  Ticket,
  Voicemail,
} from './domain.js';
import type { EventData, ProtocolEvent } from './events.js';

/** How many notices and changed tickets the state keeps (most recent). */
export const DESK_STATE_LIMITS = Object.freeze({ notices: 50, tickets: 200, voicemails: 200 });

/** The desktop state. Immutable: every change makes a new object (cheap to compare in React). */
export interface DeskState {
  /** The last event seq applied. */
  readonly seq: number;
  /** This user's agent state (agents and supervisors). */
  readonly agent: AgentStatus | undefined;
  /**
   * Calls by id. A call that ended after being connected stays (state `ended`) until the agent
   * leaves wrap-up, so its screen pop and disposition form stay up; an offer withdrawn before
   * answer (`answered-elsewhere`, `abandoned`, `no-answer`) is removed at once.
   */
  readonly calls: Readonly<Record<string, CallInfo>>;
  /** Screen pops by call id, for as long as their call is in `calls`. */
  readonly screenPops: Readonly<Record<string, ScreenPop>>;
  /** Queue figures by queue id. */
  readonly queues: Readonly<Record<string, QueueStats>>;
  /** Supervisors: wallboard rows by agent id. */
  readonly wallboardAgents: Readonly<Record<string, AgentRow>>;
  /** Tickets changed since the snapshot, by id (most recent {@link DESK_STATE_LIMITS}.tickets). */
  readonly tickets: Readonly<Record<string, Ticket>>;
  /** Voicemails added or changed since the snapshot, by id. */
  readonly voicemails: Readonly<Record<string, Voicemail>>;
  /** Voicemail call-backs waiting, when the server counts them. */
  readonly voicemailsWaiting: number | undefined;
  /** Notices, oldest first (most recent {@link DESK_STATE_LIMITS}.notices). */
  readonly notices: readonly EventData<'notice'>[];
  readonly catalog: Catalog | undefined;
  /** Set when the server ended the session. */
  readonly forcedLogout: EventData<'session.forcedLogout'> | undefined;
}

/** An empty state (before the first login). */
export const EMPTY_DESK_STATE: DeskState = Object.freeze({
  seq: 0,
  agent: undefined,
  calls: {},
  screenPops: {},
  queues: {},
  wallboardAgents: {},
  tickets: {},
  voicemails: {},
  voicemailsWaiting: undefined,
  notices: [],
  catalog: undefined,
  forcedLogout: undefined,
});

const WITHDRAWN = new Set<string>(['answered-elsewhere', 'abandoned', 'no-answer']);

function byKey<T>(items: readonly T[], key: (item: T) => string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const item of items) out[key(item)] = item;
  return out;
}

function capped<T>(record: Readonly<Record<string, T>>, id: string, value: T, limit: number): Record<string, T> {
  const next: Record<string, T> = { ...record };
  delete next[id];
  next[id] = value; // most recent last
  const keys = Object.keys(next);
  for (let i = 0; i < keys.length - limit; i++) delete next[keys[i] as string];
  return next;
}

function without<T>(record: Readonly<Record<string, T>>, id: string): Record<string, T> {
  if (!(id in record)) return record;
  const next = { ...record };
  delete next[id];
  return next;
}

/** The state a snapshot describes, current at `seq`. */
export function deskStateFromSnapshot(
  snapshot: Snapshot | undefined,
  seq: number,
  previous: DeskState = EMPTY_DESK_STATE,
): DeskState {
  if (!snapshot) return { ...previous, seq };
  const calls = byKey(snapshot.calls, (c) => c.callId);
  const offers = byKey(snapshot.offers ?? [], (p) => p.call.callId);
  // The snapshot's pops first (offers, and answered calls from servers that send them); else keep the pops the desktop already had for calls that still exist.
  const screenPops: Record<string, ScreenPop> = {};
  for (const id of Object.keys(calls)) {
    const pop = offers[id] ?? previous.screenPops[id];
    if (pop) screenPops[id] = pop;
  }
  return {
    ...EMPTY_DESK_STATE,
    seq,
    agent: snapshot.agent,
    calls,
    screenPops,
    queues: byKey(snapshot.wallboard?.queues ?? snapshot.queues, (q) => q.queueId),
    wallboardAgents: byKey(snapshot.wallboard?.agents ?? [], (a) => a.agentId),
    voicemailsWaiting: snapshot.voicemailsWaiting,
    notices: previous.notices,
    catalog: snapshot.catalog ?? previous.catalog,
  };
}

/** Applies one event (events at or below `state.seq` are ignored: they are already in). */
export function applyDeskEvent(state: DeskState, event: ProtocolEvent): DeskState {
  if (event.seq <= state.seq) return state;
  const s: DeskState = { ...state, seq: event.seq };
  switch (event.name) {
    case 'agent.state': {
      const agent = event.data;
      if (agent.agentId !== state.agent?.agentId && state.agent !== undefined) return s;
      // Leaving wrap-up (or logging out) clears the calls that ended.
      if (agent.activity === 'idle' || agent.activity === 'offered' || agent.presence === 'logged-out') {
        const calls: Record<string, CallInfo> = {};
        const screenPops: Record<string, ScreenPop> = {};
        for (const [id, call] of Object.entries(s.calls)) {
          if (call.state === 'ended') continue;
          calls[id] = call;
          const pop = s.screenPops[id];
          if (pop) screenPops[id] = pop;
        }
        return { ...s, agent, calls, screenPops };
      }
      return { ...s, agent };
    }
    case 'call.offered':
      return {
        ...s,
        calls: { ...s.calls, [event.data.call.callId]: event.data.call },
        screenPops: { ...s.screenPops, [event.data.call.callId]: event.data },
      };
    case 'call.state': {
      const call = event.data;
      const before = s.calls[call.callId];
      if (
        call.state === 'ended' &&
        (before === undefined || before.state === 'offered' || WITHDRAWN.has(call.cause ?? ''))
      ) {
        return { ...s, calls: without(s.calls, call.callId), screenPops: without(s.screenPops, call.callId) };
      }
      const pop = s.screenPops[call.callId];
      return {
        ...s,
        calls: { ...s.calls, [call.callId]: call },
        screenPops: pop ? { ...s.screenPops, [call.callId]: { ...pop, call } } : s.screenPops,
      };
    }
    case 'queue.stats':
      return { ...s, queues: { ...s.queues, ...byKey(event.data.queues, (q) => q.queueId) } };
    case 'wallboard.agents':
      return { ...s, wallboardAgents: { ...s.wallboardAgents, ...byKey(event.data.agents, (a) => a.agentId) } };
    case 'ticket.changed':
      return {
        ...s,
        tickets: capped(s.tickets, event.data.ticket.ticketId, event.data.ticket, DESK_STATE_LIMITS.tickets),
      };
    case 'voicemail.added': {
      const known = event.data.voicemailId in s.voicemails;
      return {
        ...s,
        voicemails: capped(s.voicemails, event.data.voicemailId, event.data, DESK_STATE_LIMITS.voicemails),
        voicemailsWaiting:
          s.voicemailsWaiting === undefined || known || event.data.status !== 'new'
            ? s.voicemailsWaiting
            : s.voicemailsWaiting + 1,
      };
    }
    case 'notice':
      return { ...s, notices: [...s.notices, event.data].slice(-DESK_STATE_LIMITS.notices) };
    case 'session.forcedLogout':
      return { ...s, forcedLogout: event.data };
  }
}

/**
 * The desk state of a client as an Observable: starts from each login's or resync's snapshot and
 * applies every event. Subscribe before `login()` (the streams are hot).
 */
export function deskState$(client: Pick<AgentClient, 'events$' | 'session$'>): Observable<DeskState> {
  type Step =
    | {
        readonly kind: 'session';
        readonly resumed: boolean;
        readonly resync: boolean;
        readonly snapshot: Snapshot | undefined;
        readonly seq: number;
      }
    | { readonly kind: 'event'; readonly event: ProtocolEvent };
  return merge(
    client.session$.pipe(
      map((s): Step => ({ kind: 'session', resumed: s.resumed, resync: s.resync, snapshot: s.snapshot, seq: s.seq })),
    ),
    client.events$.pipe(map((event): Step => ({ kind: 'event', event }))),
  ).pipe(
    scan((state: DeskState, step: Step) => {
      if (step.kind === 'event') return applyDeskEvent(state, step.event);
      if (!step.resync) return state; // a replayed resume: the events follow
      // A new login starts afresh (it may be another user); a resync keeps what only the desktop knew.
      return deskStateFromSnapshot(step.snapshot, step.seq, step.resumed ? state : EMPTY_DESK_STATE);
    }, EMPTY_DESK_STATE),
  );
}
