/**
 * Simulated agents for the demo: every seat no person has logged into is worked by a simulated
 * agent who answers the ringing phone after a few seconds, talks for a realistic handle time,
 * hangs up and finishes wrap-up. They use the same phones (board stations) and the same ACD as
 * people do, so the demo exercises the real call path end to end.
 *
 * @module
 */
import { Subscription, filter, firstValueFrom, timer, type SchedulerLike } from 'rxjs';
import type { Board, Logger } from '@hotline/cti-core';
import type { Acd } from '@hotline/acd';
import { SimBoard, seededRandom, synthesizeSpeech } from '@hotline/board-sim';
import type { Seat } from '../telephony.js';

/** Options of {@link SimulatedAgents}. */
export interface SimulatedAgentsOptions {
  readonly sim: SimBoard;
  readonly board: Board;
  readonly acd: Acd;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly seed?: number;
  /** Mean talk time, ms (lognormal; default 150 s). */
  readonly meanTalkMs?: number;
  /** Mean after-call work, ms (default 20 s). */
  readonly meanWrapMs?: number;
}

/** Runs simulated agents on seats; a seat can be handed to a person at any time. */
export class SimulatedAgents {
  private readonly options: SimulatedAgentsOptions;
  private readonly rnd: () => number;
  private readonly running = new Map<string, Subscription>();
  /** Calls handled by simulated agents so far. */
  handled = 0;

  constructor(options: SimulatedAgentsOptions) {
    this.options = options;
    this.rnd = seededRandom(options.seed ?? 20261126);
  }

  /** Agents currently simulated. */
  get agents(): readonly string[] {
    return [...this.running.keys()];
  }

  /** Starts simulating the agent on this seat: logs in, ready, answers calls. */
  start(seat: Seat): void {
    if (this.running.has(seat.agentId)) return;
    const { acd, board, sim, logger } = this.options;
    acd.login(seat.agentId, { ready: true });
    const station = board.channel(seat.station);
    const sub = station.state$.pipe(filter((s) => s.state === 'dialing')).subscribe(() => {
      void this.takeCall(seat).catch((error: unknown) =>
        logger.warn('simulated agent call failed', { agent: seat.agentId, error: String(error) }),
      );
    });
    this.running.set(seat.agentId, sub);
    void sim;
  }

  /** Stops simulating an agent (a person takes the seat): no new calls are taken; a call in hand is finished. The ACD login is left to the person. */
  stop(agentId: string): void {
    this.running.get(agentId)?.unsubscribe();
    this.running.delete(agentId);
  }

  /** Stops every simulated agent and logs them out. */
  stopAll(): void {
    for (const id of [...this.running.keys()]) {
      this.stop(id);
      try {
        this.options.acd.logout(id);
      } catch {
        // Already logged out (e.g. forced by a supervisor).
      }
    }
  }

  private lognormal(mean: number): number {
    // Lognormal with a coefficient of variation of about 0.8, as call handle times are.
    const sigma = 0.7;
    const mu = Math.log(mean) - (sigma * sigma) / 2;
    const u1 = Math.max(1e-9, this.rnd());
    const u2 = this.rnd();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.exp(mu + sigma * z);
  }

  private wait(ms: number): Promise<void> {
    return firstValueFrom(timer(ms, this.options.scheduler)).then(() => undefined);
  }

  private async takeCall(seat: Seat): Promise<void> {
    const { sim, acd } = this.options;
    const phone = sim.phone(seat.station);
    await this.wait(1500 + this.rnd() * 4000);
    if (!this.running.has(seat.agentId) || !phone.ringing) return;
    const party = phone.liftHandset();
    await party.say(synthesizeSpeech({ durationMs: 1500, pitchHz: 220, seed: Math.floor(this.rnd() * 1e6) }));
    const talk = this.lognormal(this.options.meanTalkMs ?? 150_000);
    const ended = party.whenReleased().then(() => 'caller' as const);
    const done = this.wait(talk).then(() => 'agent' as const);
    const who = await Promise.race([ended, done]);
    if (who === 'agent') phone.hangUp();
    this.handled++;
    // After-call work, then ready for the next call. A simulated agent whose seat a person took
    // meanwhile still finishes the call it had in hand, wrap-up included, so the person starts
    // with a clean seat rather than someone else's after-call work.
    await this.wait(this.lognormal(this.options.meanWrapMs ?? 20_000));
    const snap = acd.agentSnapshot(seat.agentId);
    if (snap.work.some((w) => w.activity === 'wrap-up')) acd.wrapUpDone(seat.agentId);
  }
}
