/**
 * The channel state machine.
 *
 * ```text
 *                     fault (from any state)
 *          ┌──────────────────────────────────────────────┐
 *          ▼                                              │
 *   ┌──────────────┐  recovered   ┌──────┐  offered   ┌─────────┐
 *   │out-of-service│─────────────►│ idle │───────────►│ offered │
 *   └──────────────┘              └──────┘            └─────────┘
 *                                  │   ▲                 │    │ answer
 *                             dial │   │ released        │    ▼
 *                                  ▼   │            ┌───────────┐
 *                            ┌─────────┐ answered   │ connected │
 *                            │ dialing │───────────►│           │
 *                            └─────────┘            └───────────┘
 *                                  │ failed / hangup /     │ hangup / remote-hangup
 *                                  │ remote-hangup         ▼
 *                                  └──────────────►┌───────────┐
 *                        offered ─ hangup / ──────►│ releasing │──released──► idle
 *                                  remote-hangup   └───────────┘
 * ```
 *
 * Every transition is in {@link TRANSITIONS}. A trigger not allowed in the current state is an
 * illegal transition: cti-core reports it (a channel event and a board event carrying an
 * `ERR_ILLEGAL_TRANSITION` error) and leaves the state unchanged.
 * @module
 */

/** Names of the channel states. */
export type ChannelStateName = 'out-of-service' | 'idle' | 'offered' | 'dialing' | 'connected' | 'releasing';

/** What moves the machine. */
export type ChannelTrigger =
  | 'offered'
  | 'answer'
  | 'dial'
  | 'answered'
  | 'failed'
  | 'hangup'
  | 'remote-hangup'
  | 'released'
  | 'fault'
  | 'recovered';

/** The allowed transitions: `TRANSITIONS[state][trigger]` is the next state. */
export const TRANSITIONS: Readonly<
  Record<ChannelStateName, Readonly<Partial<Record<ChannelTrigger, ChannelStateName>>>>
> = Object.freeze({
  'out-of-service': { recovered: 'idle', fault: 'out-of-service' },
  idle: { offered: 'offered', dial: 'dialing', fault: 'out-of-service' },
  offered: { answer: 'connected', hangup: 'releasing', 'remote-hangup': 'releasing', fault: 'out-of-service' },
  dialing: {
    answered: 'connected',
    failed: 'releasing',
    hangup: 'releasing',
    'remote-hangup': 'releasing',
    fault: 'out-of-service',
  },
  connected: { hangup: 'releasing', 'remote-hangup': 'releasing', fault: 'out-of-service' },
  releasing: { released: 'idle', fault: 'out-of-service' },
});

/** The next state for `trigger` in `state`, or undefined when the transition is illegal. */
export function nextState(state: ChannelStateName, trigger: ChannelTrigger): ChannelStateName | undefined {
  return TRANSITIONS[state][trigger];
}
