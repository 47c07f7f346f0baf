/**
 * What the server has told this console, as one immutable value, and the pure functions that
 * apply a session snapshot and each protocol event to it. Events state new values (not deltas),
 * so applying one twice — or after a resync snapshot that already contains it — is harmless.
 */
import type {
  AgentRow,
  AgentStatus,
  CallInfo,
  Catalog,
  EventData,
  ProtocolEvent,
  QueueStats,
  ScreenPop,
  SessionInfo,
  Ticket,
  TicketHistoryEntry,
  UserInfo,
  Voicemail,
} from '@hotline/agent-protocol';

/** A notice shown on the message line. */
export type Notice = EventData<'notice'>;

/** The server-driven state of the console. */
export interface ServerState {
  readonly user: UserInfo | undefined;
  readonly agent: AgentStatus | undefined;
  /** Calls in progress (never `ended`), oldest first. */
  readonly calls: readonly CallInfo[];
  /** Screen pops by call id: kept while the call lasts and through its wrap-up. */
  readonly pops: Readonly<Record<string, ScreenPop>>;
  /** The last call that ended at this station (the one wrap-up is for). */
  readonly lastEnded: CallInfo | undefined;
  readonly queues: readonly QueueStats[];
  /** Supervisors: the wallboard. */
  readonly wallboard:
    { readonly queues: readonly QueueStats[]; readonly agents: readonly AgentRow[]; readonly at: number } | undefined;
  readonly catalog: Catalog | undefined;
  readonly voicemailsWaiting: number;
  /** Voicemails the server announced since login (merged into fetched lists). */
  readonly voicemails: readonly Voicemail[];
  readonly inboxCount: number | undefined;
  readonly notices: readonly Notice[];
  /** Bumped on every `ticket.changed`, so open ticket lists know to reload. */
  readonly ticketRevision: number;
  readonly lastTicketChange: { readonly ticket: Ticket; readonly change: TicketHistoryEntry } | undefined;
}

/** The state before any login. */
export const EMPTY_SERVER_STATE: ServerState = Object.freeze({
  user: undefined,
  agent: undefined,
  calls: [],
  pops: {},
  lastEnded: undefined,
  queues: [],
  wallboard: undefined,
  catalog: undefined,
  voicemailsWaiting: 0,
  voicemails: [],
  inboxCount: undefined,
  notices: [],
  ticketRevision: 0,
  lastTicketChange: undefined,
});

/** Starts over from a session's snapshot (login, or a resume the server could not replay). */
export function applySession(state: ServerState, session: SessionInfo): ServerState {
  const user = session.user;
  if (!session.resync || !session.snapshot) return { ...state, user };
  const snap = session.snapshot;
  const pops: Record<string, ScreenPop> = {};
  for (const pop of snap.offers ?? []) pops[pop.call.callId] = pop;
  // Keep pops of calls still going (answered calls are not in `offers`), and of the wrap-up call.
  for (const call of snap.calls) {
    const kept = state.pops[call.callId];
    if (kept && !pops[call.callId]) pops[call.callId] = { ...kept, call };
  }
  const wrapping = snap.agent?.activity === 'wrap-up' ? state.lastEnded : undefined;
  if (wrapping && state.pops[wrapping.callId]) pops[wrapping.callId] = state.pops[wrapping.callId] as ScreenPop;
  return {
    ...state,
    user,
    agent: snap.agent,
    calls: snap.calls.filter((c) => c.state !== 'ended'),
    pops,
    lastEnded: wrapping,
    queues: snap.queues,
    wallboard: snap.wallboard,
    catalog: snap.catalog ?? state.catalog,
    voicemailsWaiting: snap.voicemailsWaiting ?? 0,
    inboxCount: snap.inboxCount,
  };
}

function upsert<T>(list: readonly T[], item: T, same: (a: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const copy = [...list];
  copy[i] = item;
  return copy;
}

function mergeBy<T>(list: readonly T[], items: readonly T[], key: (a: T) => string): T[] {
  const out = [...list];
  for (const item of items) {
    const i = out.findIndex((x) => key(x) === key(item));
    if (i < 0) out.push(item);
    else out[i] = item;
  }
  return out;
}

/** Applies one event. */
export function applyEvent(state: ServerState, event: ProtocolEvent): ServerState {
  switch (event.name) {
    case 'agent.state':
      return { ...state, agent: event.data };
    case 'call.offered': {
      const pop = event.data;
      return {
        ...state,
        calls: upsert(state.calls, pop.call, (c) => c.callId === pop.call.callId),
        pops: { ...state.pops, [pop.call.callId]: pop },
      };
    }
    case 'call.state': {
      const call = event.data;
      if (call.state !== 'ended') {
        const pop = state.pops[call.callId];
        return {
          ...state,
          calls: upsert(state.calls, call, (c) => c.callId === call.callId),
          pops: pop ? { ...state.pops, [call.callId]: { ...pop, call } } : state.pops,
        };
      }
      const calls = state.calls.filter((c) => c.callId !== call.callId);
      // A call withdrawn before it was answered leaves nothing to wrap up: drop its pop.
      const withdrawn = call.cause === 'answered-elsewhere' || call.cause === 'abandoned' || call.cause === 'no-answer';
      const pops = { ...state.pops };
      for (const id of Object.keys(pops)) {
        if (id !== call.callId && !calls.some((c) => c.callId === id)) delete pops[id];
      }
      if (withdrawn) delete pops[call.callId];
      else if (pops[call.callId]) pops[call.callId] = { ...(pops[call.callId] as ScreenPop), call };
      return { ...state, calls, pops, lastEnded: withdrawn ? state.lastEnded : call };
    }
    case 'queue.stats':
      return {
        ...state,
        queues: mergeBy(state.queues, event.data.queues, (q) => q.queueId),
        wallboard: state.wallboard
          ? {
              ...state.wallboard,
              queues: mergeBy(state.wallboard.queues, event.data.queues, (q) => q.queueId),
              at: event.at,
            }
          : state.wallboard,
      };
    case 'wallboard.agents':
      return {
        ...state,
        wallboard: state.wallboard
          ? {
              ...state.wallboard,
              agents: mergeBy(state.wallboard.agents, event.data.agents, (a) => a.agentId),
              at: event.at,
            }
          : { queues: state.queues, agents: event.data.agents, at: event.at },
      };
    case 'ticket.changed':
      return { ...state, ticketRevision: state.ticketRevision + 1, lastTicketChange: event.data };
    case 'voicemail.added': {
      const vm = event.data;
      const known = state.voicemails.find((v) => v.voicemailId === vm.voicemailId);
      const open = (v: Voicemail | undefined): boolean =>
        v !== undefined && (v.status === 'new' || v.status === 'in-progress');
      const delta = (open(vm) ? 1 : 0) - (known ? (open(known) ? 1 : 0) : 0);
      return {
        ...state,
        voicemails: upsert(state.voicemails, vm, (v) => v.voicemailId === vm.voicemailId),
        // A voicemail we never saw may be one the snapshot already counted as closed; only count new arrivals.
        voicemailsWaiting: Math.max(0, state.voicemailsWaiting + (known ? delta : vm.status === 'new' ? 1 : 0)),
      };
    }
    case 'notice':
      return { ...state, notices: [...state.notices.slice(-4), event.data] };
    case 'session.forcedLogout':
      return state;
  }
}

/** The call the agent is working now: a ringing offer first, else the active call. */
export function currentCall(state: ServerState): CallInfo | undefined {
  return state.calls.find((c) => c.state === 'offered') ?? state.calls[state.calls.length - 1];
}

/** Aggregate figures of the queues on the status bar. */
export function queueSummary(queues: readonly QueueStats[]): {
  waiting: number;
  longestWaitMs: number;
  serviceLevel: number | null;
} {
  let waiting = 0;
  let longest = 0;
  let answered = 0;
  let weighted = 0;
  for (const q of queues) {
    waiting += q.waiting + q.callbacksWaiting;
    longest = Math.max(longest, q.longestWaitMs);
    if (q.serviceLevel !== null) {
      // Weight each queue's SL by its answered calls: the share of all answered calls within target.
      const n = Math.max(q.answeredToday, 1);
      answered += n;
      weighted += q.serviceLevel * n;
    }
  }
  return { waiting, longestWaitMs: longest, serviceLevel: answered > 0 ? weighted / answered : null };
}
