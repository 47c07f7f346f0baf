/**
 * Test support shared by the ACD's own tests (not exported from the package): a virtual clock
 * ACD with one recorded event log.
 */
import { Acd, type AcdOptions, type Assignment } from './acd.js';
import type { AgentStateKey } from './agent-state-machine.js';
import type { AcdEvent } from './events.js';
import { VirtualClock } from './virtual-clock.js';

/** 2026-12-01 (a Tuesday) 10:00 Asia/Shanghai. */
export const T0 = 1_796_090_400_000;

export interface Harness {
  readonly clock: VirtualClock;
  readonly acd: Acd;
  readonly events: AcdEvent[];
  readonly assignments: Assignment[];
  /** Events recorded since `mark`. */
  since(mark: number): AcdEvent[];
}

export function harness(options: Omit<AcdOptions, 'scheduler'> = {}, start = T0): Harness {
  const clock = new VirtualClock(start);
  const acd = new Acd({ scheduler: clock, ...options });
  const events: AcdEvent[] = [];
  const assignments: Assignment[] = [];
  acd.events$.subscribe((e) => events.push(e));
  acd.assignments$.subscribe((a) => assignments.push(a));
  return { clock, acd, events, assignments, since: (mark) => events.slice(mark) };
}

/** Runs `fn` and returns the error it throws (fails if it does not throw). */
export function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected an error to be thrown');
}

/**
 * The legal transitions, written out by hand from the rules (independently of the table's
 * construction). Every pair not listed must be illegal.
 */
const LEGAL = `
logged-out        login          not-ready/idle
ready/idle        set-not-ready  not-ready/idle
ready/idle        disconnect     ready/idle
ready/idle        reconnect      ready/idle
ready/idle        logout         logged-out
ready/idle        force-logout   logged-out
ready/idle        grace-expired  not-ready/idle
ready/idle        offer          ready/offered
not-ready/idle    set-ready      ready/idle
not-ready/idle    set-not-ready  not-ready/idle
not-ready/idle    disconnect     not-ready/idle
not-ready/idle    reconnect      not-ready/idle
not-ready/idle    logout         logged-out
not-ready/idle    force-logout   logged-out
not-ready/idle    grace-expired  not-ready/idle
ready/offered     set-not-ready  not-ready/offered
ready/offered     disconnect     ready/offered
ready/offered     reconnect      ready/offered
ready/offered     force-logout   logged-out
ready/offered     grace-expired  not-ready/idle
ready/offered     answer         ready/connected
ready/offered     no-answer      ready/idle
ready/offered     reject         ready/idle
ready/offered     retract        ready/idle
ready/offered     hangup         ready/idle
not-ready/offered set-ready      ready/offered
not-ready/offered set-not-ready  not-ready/offered
not-ready/offered disconnect     not-ready/offered
not-ready/offered reconnect      not-ready/offered
not-ready/offered force-logout   logged-out
not-ready/offered grace-expired  not-ready/idle
not-ready/offered answer         not-ready/connected
not-ready/offered no-answer      not-ready/idle
not-ready/offered reject         not-ready/idle
not-ready/offered retract        not-ready/idle
not-ready/offered hangup         not-ready/idle
ready/connected   set-not-ready  not-ready/connected
ready/connected   disconnect     ready/connected
ready/connected   reconnect      ready/connected
ready/connected   force-logout   not-ready/connected
ready/connected   grace-expired  not-ready/connected
ready/connected   hold           ready/held
ready/connected   hangup         ready/wrap-up
ready/connected   transfer       ready/wrap-up
not-ready/connected set-ready    ready/connected
not-ready/connected set-not-ready not-ready/connected
not-ready/connected disconnect   not-ready/connected
not-ready/connected reconnect    not-ready/connected
not-ready/connected force-logout not-ready/connected
not-ready/connected grace-expired not-ready/connected
not-ready/connected hold         not-ready/held
not-ready/connected hangup       not-ready/wrap-up
not-ready/connected transfer     not-ready/wrap-up
ready/held        set-not-ready  not-ready/held
ready/held        disconnect     ready/held
ready/held        reconnect      ready/held
ready/held        force-logout   not-ready/held
ready/held        grace-expired  not-ready/held
ready/held        retrieve       ready/connected
ready/held        hangup         ready/wrap-up
ready/held        transfer       ready/wrap-up
not-ready/held    set-ready      ready/held
not-ready/held    set-not-ready  not-ready/held
not-ready/held    disconnect     not-ready/held
not-ready/held    reconnect      not-ready/held
not-ready/held    force-logout   not-ready/held
not-ready/held    grace-expired  not-ready/held
not-ready/held    retrieve       not-ready/connected
not-ready/held    hangup         not-ready/wrap-up
not-ready/held    transfer       not-ready/wrap-up
ready/wrap-up     set-not-ready  not-ready/wrap-up
ready/wrap-up     disconnect     ready/wrap-up
ready/wrap-up     reconnect      ready/wrap-up
ready/wrap-up     force-logout   logged-out
ready/wrap-up     grace-expired  not-ready/wrap-up
ready/wrap-up     wrap-up-done   ready/idle
ready/wrap-up     wrap-up-timeout ready/idle
not-ready/wrap-up set-ready      ready/wrap-up
not-ready/wrap-up set-not-ready  not-ready/wrap-up
not-ready/wrap-up disconnect     not-ready/wrap-up
not-ready/wrap-up reconnect      not-ready/wrap-up
not-ready/wrap-up force-logout   logged-out
not-ready/wrap-up grace-expired  not-ready/wrap-up
not-ready/wrap-up wrap-up-done   not-ready/idle
not-ready/wrap-up wrap-up-timeout not-ready/idle
`;

/** `expected[state][event]`: the hand-written table above. */
export const EXPECTED = new Map<string, AgentStateKey>();
for (const line of LEGAL.trim().split('\n')) {
  const [from, event, to] = line.trim().split(/\s+/);
  EXPECTED.set(`${from} ${event}`, to as AgentStateKey);
}
