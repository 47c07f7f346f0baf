/**
 * The agent state machine: one explicit transition table combining presence (chosen by the agent
 * or a supervisor) with activity (driven by the ACD and the application).
 *
 * ```text
 *                    login                       set-ready
 *   ┌───────────┐ ─────────────► ┌────────────────┐ ─────────────► ┌────────────┐
 *   │ logged-out│                │ not-ready/idle │                │ ready/idle │
 *   └───────────┘ ◄───────────── └────────────────┘ ◄───────────── └────────────┘
 *         ▲        logout,             ▲   ▲         set-not-ready,     │ offer
 *         │        force-logout        │   │         grace-expired      ▼
 *         │                            │   │                     ┌─────────────┐  no-answer, reject,
 *         │   force-logout (offer      │   └──── grace-expired ─ │ P/offered   │  retract, hangup
 *         └── redirected, wrap-up ended)        (offer redirected)└─────────────┘ ──────► P/idle
 *                                                                    │ answer
 *                                                                    ▼
 *                     hold ┌─────────────┐  retrieve ┌──────────┐
 *                  ┌────── │ P/connected │ ◄──────── │ P/held   │
 *                  └─────► └─────────────┘ ────────► └──────────┘
 *                                 │ hangup, transfer       │ hangup, transfer
 *                                 ▼                        ▼
 *                           ┌─────────────┐  wrap-up-done, wrap-up-timeout
 *                           │ P/wrap-up   │ ──────────────────────────────► P/idle
 *                           └─────────────┘
 * ```
 *
 * `P` is the presence, `ready` or `not-ready`; activity keeps going when presence changes
 * (`set-ready`, `set-not-ready`, `grace-expired`), so a call in hand is never dropped by a presence
 * change or a desktop disconnect. Every state other than `*\/idle` and `logged-out` has an exit
 * that does not depend on the agent: a timer (no-answer, wrap-up), the caller's hangup, the desktop
 * disconnect grace, or a supervisor's `force-logout`. `disconnect` and `reconnect` keep the state
 * (they start and cancel the grace timer).
 *
 * Item events (`offer` … `wrap-up-timeout`) apply to one work item: the key is the agent's
 * presence with that item's activity (a new item is `idle`). Agent events (`login` …
 * `grace-expired`) use the agent's aggregate activity, the most engaged of its items
 * (connected > held > offered > wrap-up > idle). With one item at a time, the two coincide.
 *
 * A pair missing from {@link AGENT_TRANSITIONS} is illegal: the ACD reports it (an
 * `ERR_ILLEGAL_TRANSITION` error and a `transition-rejected` event) and never applies it.
 */

/** Presence of an agent. */
export type Presence = 'logged-out' | 'ready' | 'not-ready';

/** What an agent (or one of its work items) is doing. */
export type Activity = 'idle' | 'offered' | 'connected' | 'held' | 'wrap-up';

/** Every activity, in a stable order. */
export const ACTIVITIES: readonly Activity[] = Object.freeze(['idle', 'offered', 'connected', 'held', 'wrap-up']);

/** A node of the combined machine: `logged-out`, or presence/activity. */
export type AgentStateKey = 'logged-out' | `${'ready' | 'not-ready'}/${Activity}`;

/** Every state of the machine, in a stable order. */
export const AGENT_STATE_KEYS: readonly AgentStateKey[] = Object.freeze([
  'logged-out',
  ...(['ready', 'not-ready'] as const).flatMap((p) => ACTIVITIES.map((a) => `${p}/${a}` as AgentStateKey)),
]);

/** Inputs of the machine. */
export type AgentEventType =
  | 'login'
  | 'logout'
  | 'force-logout'
  | 'set-ready'
  | 'set-not-ready'
  | 'disconnect'
  | 'reconnect'
  | 'grace-expired'
  | 'offer'
  | 'answer'
  | 'no-answer'
  | 'reject'
  | 'retract'
  | 'hangup'
  | 'hold'
  | 'retrieve'
  | 'transfer'
  | 'wrap-up-done'
  | 'wrap-up-timeout';

/** Whether an event addresses the agent as a whole or one work item. */
export const AGENT_EVENT_SCOPE: Readonly<Record<AgentEventType, 'agent' | 'item'>> = Object.freeze({
  login: 'agent',
  logout: 'agent',
  'force-logout': 'agent',
  'set-ready': 'agent',
  'set-not-ready': 'agent',
  disconnect: 'agent',
  reconnect: 'agent',
  'grace-expired': 'agent',
  offer: 'item',
  answer: 'item',
  'no-answer': 'item',
  reject: 'item',
  retract: 'item',
  hangup: 'item',
  hold: 'item',
  retrieve: 'item',
  transfer: 'item',
  'wrap-up-done': 'item',
  'wrap-up-timeout': 'item',
});

/** Every event, in a stable order. */
export const AGENT_EVENT_TYPES: readonly AgentEventType[] = Object.freeze(
  Object.keys(AGENT_EVENT_SCOPE) as AgentEventType[],
);

type Row = Readonly<Partial<Record<AgentEventType, AgentStateKey>>>;

function presenceRows(p: 'ready' | 'not-ready'): Readonly<Record<`${typeof p}/${Activity}`, Row>> {
  const presenceMoves = (a: Activity): Row => ({
    ...(p === 'not-ready' ? { 'set-ready': `ready/${a}` as AgentStateKey } : {}),
    'set-not-ready': `not-ready/${a}` as AgentStateKey,
    disconnect: `${p}/${a}` as AgentStateKey,
    reconnect: `${p}/${a}` as AgentStateKey,
  });
  return {
    [`${p}/idle`]: {
      ...presenceMoves('idle'),
      logout: 'logged-out',
      'force-logout': 'logged-out',
      'grace-expired': 'not-ready/idle',
      ...(p === 'ready' ? { offer: 'ready/offered' as AgentStateKey } : {}),
    },
    [`${p}/offered`]: {
      ...presenceMoves('offered'),
      'force-logout': 'logged-out',
      'grace-expired': 'not-ready/idle',
      answer: `${p}/connected`,
      'no-answer': `${p}/idle`,
      reject: `${p}/idle`,
      retract: `${p}/idle`,
      hangup: `${p}/idle`,
    },
    [`${p}/connected`]: {
      ...presenceMoves('connected'),
      'force-logout': 'not-ready/connected',
      'grace-expired': 'not-ready/connected',
      hold: `${p}/held`,
      hangup: `${p}/wrap-up`,
      transfer: `${p}/wrap-up`,
    },
    [`${p}/held`]: {
      ...presenceMoves('held'),
      'force-logout': 'not-ready/held',
      'grace-expired': 'not-ready/held',
      retrieve: `${p}/connected`,
      hangup: `${p}/wrap-up`,
      transfer: `${p}/wrap-up`,
    },
    [`${p}/wrap-up`]: {
      ...presenceMoves('wrap-up'),
      'force-logout': 'logged-out',
      'grace-expired': 'not-ready/wrap-up',
      'wrap-up-done': `${p}/idle`,
      'wrap-up-timeout': `${p}/idle`,
    },
  } as Readonly<Record<`${typeof p}/${Activity}`, Row>>;
}

/**
 * The transition table: `AGENT_TRANSITIONS[state][event]` is the next state, or `undefined` when
 * the event is illegal in that state. See the module comment for the drawing.
 */
export const AGENT_TRANSITIONS: Readonly<Record<AgentStateKey, Row>> = Object.freeze({
  'logged-out': { login: 'not-ready/idle' },
  ...presenceRows('ready'),
  ...presenceRows('not-ready'),
});

/** The next state for `event` in `state`, or `undefined` if the transition is illegal. */
export function nextAgentState(state: AgentStateKey, event: AgentEventType): AgentStateKey | undefined {
  return AGENT_TRANSITIONS[state][event];
}

/** Splits a state key into presence and activity (`logged-out` has activity `idle`). */
export function splitStateKey(key: AgentStateKey): { readonly presence: Presence; readonly activity: Activity } {
  if (key === 'logged-out') return { presence: 'logged-out', activity: 'idle' };
  const slash = key.indexOf('/');
  return { presence: key.slice(0, slash) as Presence, activity: key.slice(slash + 1) as Activity };
}

/** Builds a state key from presence and activity. */
export function stateKey(presence: Presence, activity: Activity): AgentStateKey {
  return presence === 'logged-out' ? 'logged-out' : (`${presence}/${activity}` as AgentStateKey);
}

const ENGAGEMENT: Readonly<Record<Activity, number>> = { idle: 0, 'wrap-up': 1, offered: 2, held: 3, connected: 4 };

/** The most engaged of several item activities (connected > held > offered > wrap-up > idle). */
export function aggregateActivity(activities: Iterable<Activity>): Activity {
  let best: Activity = 'idle';
  for (const a of activities) if (ENGAGEMENT[a] > ENGAGEMENT[best]) best = a;
  return best;
}
