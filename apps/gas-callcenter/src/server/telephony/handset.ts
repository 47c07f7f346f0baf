/**
 * An agent's or supervisor's handset as the server works it on the person's behalf: a console
 * user in the demo has no physical phone, so answering, dialling and monitoring lift the seat's
 * simulated handset (see `../demo/handsets.ts`). With a real board there is no such handset and
 * the person lifts the real one.
 *
 * @module
 */
import { firstValueFrom, timer, type SchedulerLike } from 'rxjs';

/** The handset of a station, as the server can work it on the person's behalf. */
export interface Handset {
  /** True while the board rings it. */
  readonly ringing: boolean;
  /** Lifts the handset (answers a ringing phone). */
  lift(): void;
  /** Puts the handset down. */
  hangUp(): void;
}

/** Finds the handset of a station, if the server can work it. */
export type HandsetOf = (station: string) => Handset | undefined;

/**
 * Waits for a handset to ring (the ring may start a moment after the dial), at most 5 s, checked
 * every 100 ms in scheduler time, or until `stop()` says the wait is pointless. True if it rings.
 */
export async function untilRinging(
  handset: Handset,
  scheduler: SchedulerLike,
  stop: () => boolean = () => false,
): Promise<boolean> {
  for (let i = 0; i < 50 && !handset.ringing && !stop(); i++) await firstValueFrom(timer(100, scheduler));
  return handset.ringing;
}
