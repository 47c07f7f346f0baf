import { describe, expect, it } from 'vitest';
import { TRANSITIONS, nextState, type ChannelStateName, type ChannelTrigger } from './channel-state.js';

const STATES: ChannelStateName[] = ['out-of-service', 'idle', 'offered', 'dialing', 'connected', 'releasing'];
const TRIGGERS: ChannelTrigger[] = [
  'offered',
  'answer',
  'dial',
  'answered',
  'failed',
  'hangup',
  'remote-hangup',
  'released',
  'fault',
  'recovered',
];

/** The machine as drawn in the docs, written out once more by hand: every allowed move. */
const EXPECTED: ReadonlyArray<[ChannelStateName, ChannelTrigger, ChannelStateName]> = [
  ['out-of-service', 'recovered', 'idle'],
  ['out-of-service', 'fault', 'out-of-service'],
  ['idle', 'offered', 'offered'],
  ['idle', 'dial', 'dialing'],
  ['idle', 'fault', 'out-of-service'],
  ['offered', 'answer', 'connected'],
  ['offered', 'hangup', 'releasing'],
  ['offered', 'remote-hangup', 'releasing'],
  ['offered', 'fault', 'out-of-service'],
  ['dialing', 'answered', 'connected'],
  ['dialing', 'failed', 'releasing'],
  ['dialing', 'hangup', 'releasing'],
  ['dialing', 'remote-hangup', 'releasing'],
  ['dialing', 'fault', 'out-of-service'],
  ['connected', 'hangup', 'releasing'],
  ['connected', 'remote-hangup', 'releasing'],
  ['connected', 'fault', 'out-of-service'],
  ['releasing', 'released', 'idle'],
  ['releasing', 'fault', 'out-of-service'],
];

describe('channel state machine', () => {
  for (const state of STATES) {
    for (const trigger of TRIGGERS) {
      const allowed = EXPECTED.find(([s, t]) => s === state && t === trigger);
      it(`${state} --${trigger}--> ${allowed ? allowed[2] : '(illegal)'}`, () => {
        expect(nextState(state, trigger)).toBe(allowed?.[2]);
      });
    }
  }

  it('has no transition that the drawing does not show', () => {
    const count = Object.values(TRANSITIONS).reduce((n, t) => n + Object.keys(t).length, 0);
    expect(count).toBe(EXPECTED.length);
  });

  it('every state but idle has a way out, and faults reach out-of-service from anywhere', () => {
    for (const s of STATES) {
      expect(Object.keys(TRANSITIONS[s]).length).toBeGreaterThan(0);
      expect(nextState(s, 'fault')).toBe('out-of-service');
    }
  });
});
