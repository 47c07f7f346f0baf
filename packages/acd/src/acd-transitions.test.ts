import { describe, expect, it } from 'vitest';
import type { AgentEventType, AgentStateKey } from './agent-state-machine.js';
import { AGENT_STATE_KEYS } from './agent-state-machine.js';
import { EXPECTED, harness, type Harness } from './test-support.js';

/**
 * The transition table, driven through the real ACD: every agent in every state receives every
 * event the application or a timer can produce; legal ones must move it exactly as the table says,
 * illegal ones must be reported (error + `transition-rejected`) and not applied.
 */

const LONG = 600_000;
const GRACE = 30_000;

function setup(): Harness {
  return harness({
    queues: [
      { id: 'q1', noAnswerTimeoutMs: LONG, wrapUpMs: LONG },
      { id: 'q2', skills: [{ skill: 'nobody-has-this' }] },
    ],
    agents: [{ id: 'a1', skills: { general: 1 } }],
    disconnectGraceMs: GRACE,
    maxMisses: 10,
  });
}

/** Drives agent a1 into `state`; returns the interaction it holds, if any. */
function reach(h: Harness, state: AgentStateKey): string | undefined {
  const { acd } = h;
  if (state === 'logged-out') return undefined;
  if (state === 'not-ready/idle') {
    acd.login('a1');
    return undefined;
  }
  acd.login('a1', { ready: true });
  const [presence, activity] = state.split('/') as ['ready' | 'not-ready', string];
  let ix: string | undefined;
  if (activity !== 'idle') {
    ix = acd.enqueue({ queueId: 'q1' }).interactionId;
    if (activity !== 'offered') acd.answered(ix, 'a1');
    if (activity === 'held') acd.hold(ix);
    if (activity === 'wrap-up') acd.hangup(ix);
  }
  if (presence === 'not-ready') acd.setNotReady('a1', 'break');
  expect(acd.agentSnapshot('a1').key).toBe(state);
  return ix;
}

type Action = (h: Harness, ix: string | undefined) => void;

const AGENT_ACTIONS: Partial<Record<AgentEventType, Action>> = {
  login: (h) => h.acd.login('a1'),
  logout: (h) => h.acd.logout('a1'),
  'force-logout': (h) => h.acd.forceLogout('a1'),
  'set-ready': (h) => h.acd.setReady('a1'),
  'set-not-ready': (h) => h.acd.setNotReady('a1', 'lunch'),
  disconnect: (h) => h.acd.desktopDisconnected('a1'),
  reconnect: (h) => {
    if (h.acd.agentSnapshot('a1').key !== 'logged-out') h.acd.desktopDisconnected('a1');
    h.acd.desktopReconnected('a1');
  },
};

const ITEM_ACTIONS: Partial<Record<AgentEventType, Action>> = {
  answer: (h, ix) => h.acd.answered(ix as string, 'a1'),
  'no-answer': (h, ix) => h.acd.offerFailed(ix as string, 'a1'),
  reject: (h, ix) => h.acd.rejected(ix as string, 'a1'),
  hangup: (h, ix) => h.acd.hangup(ix as string),
  hold: (h, ix) => h.acd.hold(ix as string),
  retrieve: (h, ix) => h.acd.retrieve(ix as string),
  transfer: (h, ix) => h.acd.transfer(ix as string, { kind: 'queue', queueId: 'q2' }),
  'wrap-up-done': (h, ix) => h.acd.wrapUpDone('a1', ix),
};

function check(state: AgentStateKey, event: AgentEventType, action: Action): void {
  const h = setup();
  const ix = reach(h, state);
  const mark = h.events.length;
  const expected = EXPECTED.get(`${state} ${event}`);
  if (expected !== undefined) {
    action(h, ix);
    const moves = h.since(mark).filter((e) => e.type === 'agent-state' && e.agentId === 'a1');
    expect(h.since(mark).some((e) => e.type === 'transition-rejected')).toBe(false);
    if (expected !== state) {
      expect(moves[0]).toMatchObject({ from: state, to: expected });
    } else {
      expect(h.acd.agentSnapshot('a1').key).toBe(state);
    }
  } else {
    let error: { code?: string } | undefined;
    try {
      action(h, ix);
    } catch (err) {
      error = err as { code?: string };
    }
    expect(error?.code).toBe(state === 'logged-out' ? 'ERR_NOT_LOGGED_IN' : 'ERR_ILLEGAL_TRANSITION');
    expect(h.since(mark)).toContainEqual(
      expect.objectContaining({ type: 'transition-rejected', agentId: 'a1', state, event }),
    );
    expect(h.since(mark).filter((e) => e.type === 'agent-state')).toEqual([]);
    expect(h.acd.agentSnapshot('a1').key).toBe(state);
  }
}

describe('agent state machine through the ACD', () => {
  const agentCells = AGENT_STATE_KEYS.flatMap((s) =>
    Object.keys(AGENT_ACTIONS).map((e) => [s, e as AgentEventType] as const),
  );
  it.each(agentCells)('%s + %s', (state, event) => check(state, event, AGENT_ACTIONS[event] as Action));

  const withItem = AGENT_STATE_KEYS.filter((s) => s !== 'logged-out' && !s.endsWith('/idle'));
  const itemCells = withItem.flatMap((s) => Object.keys(ITEM_ACTIONS).map((e) => [s, e as AgentEventType] as const));
  it.each(itemCells)('%s + %s', (state, event) => check(state, event, ITEM_ACTIONS[event] as Action));

  it.each(AGENT_STATE_KEYS.filter((s) => s !== 'logged-out'))('%s + grace-expired (timer)', (state) => {
    check(state, 'grace-expired', (h) => {
      h.acd.desktopDisconnected('a1');
      h.clock.advanceBy(GRACE - 1);
      expect(h.acd.agentSnapshot('a1').key).toBe(state);
      h.clock.advanceBy(1);
    });
  });

  it.each(['ready/wrap-up', 'not-ready/wrap-up'] as const)('%s + wrap-up-timeout (timer)', (state) => {
    check(state, 'wrap-up-timeout', (h) => h.clock.advanceBy(LONG));
  });

  it.each(['ready/offered', 'not-ready/offered'] as const)('%s + no-answer (timer)', (state) => {
    check(state, 'no-answer', (h) => h.clock.advanceBy(LONG));
  });

  it('ready/idle + offer, and no offer to a not-ready agent', () => {
    check('ready/idle', 'offer', (h) => h.acd.enqueue({ queueId: 'q1' }));
    const h = setup();
    reach(h, 'not-ready/idle');
    const r = h.acd.enqueue({ queueId: 'q1' });
    expect(r.status).toBe('queued');
    expect(h.acd.agentSnapshot('a1').key).toBe('not-ready/idle');
  });
});
