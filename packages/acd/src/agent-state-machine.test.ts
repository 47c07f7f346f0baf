import { describe, expect, it } from 'vitest';
import { EXPECTED } from './test-support.js';
import {
  AGENT_EVENT_TYPES,
  AGENT_STATE_KEYS,
  AGENT_TRANSITIONS,
  aggregateActivity,
  nextAgentState,
  type AgentEventType,
  type AgentStateKey,
} from './agent-state-machine.js';

describe('agent state machine table', () => {
  const cells = AGENT_STATE_KEYS.flatMap((s) => AGENT_EVENT_TYPES.map((e) => [s, e] as const));

  it('has 11 states and 19 events (209 cells)', () => {
    expect(AGENT_STATE_KEYS).toHaveLength(11);
    expect(AGENT_EVENT_TYPES).toHaveLength(19);
    expect(cells).toHaveLength(209);
  });

  it.each(cells)('%s + %s', (state: AgentStateKey, event: AgentEventType) => {
    expect(nextAgentState(state, event)).toBe(EXPECTED.get(`${state} ${event}`));
  });

  it('lists exactly the hand-written legal transitions', () => {
    let legal = 0;
    for (const s of AGENT_STATE_KEYS) legal += Object.keys(AGENT_TRANSITIONS[s]).length;
    expect(legal).toBe(EXPECTED.size);
  });

  it('gives every state except idle and logged-out an exit that does not need the agent', () => {
    const agentIndependent: AgentEventType[] = [
      'no-answer',
      'hangup',
      'grace-expired',
      'force-logout',
      'wrap-up-timeout',
      'retract',
    ];
    for (const s of AGENT_STATE_KEYS) {
      if (s === 'logged-out' || s.endsWith('/idle')) continue;
      const exits = agentIndependent.filter((e) => {
        const to = nextAgentState(s, e);
        return to !== undefined && to !== s;
      });
      expect(exits.length, s).toBeGreaterThan(0);
    }
  });

  it('aggregates item activities by engagement', () => {
    expect(aggregateActivity([])).toBe('idle');
    expect(aggregateActivity(['wrap-up', 'offered'])).toBe('offered');
    expect(aggregateActivity(['held', 'connected', 'wrap-up'])).toBe('connected');
  });
});
