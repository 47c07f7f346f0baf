/**
 * Demo only: the handsets of the simulated board's stations, which the CTI link lifts and hangs
 * up for a console agent or supervisor (a person at the console in the demo has no phone).
 *
 * @module
 */
import type { SimBoard } from '@hotline/board-sim';
import type { HandsetOf } from '../telephony/handset.js';

/** The handsets of the simulated board's stations. */
export function simulatedHandsets(sim: SimBoard): HandsetOf {
  return (station) => {
    const phone = sim.phone(station);
    return {
      get ringing() {
        return phone.ringing;
      },
      lift: () => void phone.liftHandset(),
      hangUp: () => phone.hangUp(),
    };
  };
}
