/**
 * Hold with music: the caller is taken off the agent's leg (the ACD counts hold time) and hears
 * the hold music, looped, until the call is retrieved, transferred or ends.
 *
 * @module
 */
import type { Acd } from '@hotline/acd';
import type { Logger } from '@hotline/cti-core';
import type { ConnectedCall } from '../telephony.js';

/** Music on hold playing to a caller. */
export interface HoldHandle {
  readonly abort: AbortController;
  /** Settles once the music has stopped. */
  readonly done: Promise<void>;
}

/** Takes the caller off the agent's leg (ACD hold) and loops the hold music to them. */
export async function holdCaller(
  acd: Pick<Acd, 'hold' | 'retrieve'>,
  call: ConnectedCall,
  music: string | undefined,
  logger: Logger,
): Promise<HoldHandle> {
  acd.hold(call.interactionId);
  try {
    await call.trunk.unbridge();
  } catch (error) {
    try {
      acd.retrieve(call.interactionId);
    } catch (e) {
      logger.debug('cti: ACD refused', { error: String(e) });
    }
    throw error;
  }
  const abort = new AbortController();
  const done = (async () => {
    while (music && !abort.signal.aborted && call.trunk.state.state === 'connected') {
      try {
        await call.trunk.play(music, { signal: abort.signal });
      } catch {
        break;
      }
    }
  })();
  return { abort, done };
}

/** Stops hold music and waits until it has stopped. */
export async function stopHoldMusic(hold: HoldHandle | undefined): Promise<void> {
  hold?.abort.abort();
  await hold?.done;
}
