/**
 * Small shared helpers of the composition: the centre's totals over all queues, and the agents'
 * handsets on the simulated board as the CTI link drives them.
 *
 * @module
 */
import type { StatisticsReport } from '@hotline/acd';
import type { SimBoard } from '@hotline/board-sim';
import { isConsultQueue } from './call-center.js';

/** Totals over every queue of a statistics report, with the service level of all of them. */
export interface CentreTotals {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly shortAbandoned: number;
  readonly answeredWithinThreshold: number;
  /** Answered within the threshold over offered less short abandons; null when nothing counts. */
  readonly serviceLevel: number | null;
}

/** Adds up a statistics report's queues (the same definitions as the ACD's per-queue figures). */
export function centreTotals(report: StatisticsReport): CentreTotals {
  let offered = 0;
  let answered = 0;
  let abandoned = 0;
  let shortAbandoned = 0;
  let answeredWithinThreshold = 0;
  for (const [id, q] of Object.entries(report.queues)) {
    if (isConsultQueue(id)) continue; // consult legs between agents are not hotline calls
    offered += q.offered;
    answered += q.answered;
    abandoned += q.abandoned;
    shortAbandoned += q.shortAbandoned;
    answeredWithinThreshold += q.answeredWithinThreshold;
  }
  const counted = offered - shortAbandoned;
  return {
    offered,
    answered,
    abandoned,
    shortAbandoned,
    answeredWithinThreshold,
    serviceLevel: counted > 0 ? answeredWithinThreshold / counted : null,
  };
}

/** An agent's handset as the CTI link lifts and hangs it up for a console agent. */
export interface Handset {
  readonly ringing: boolean;
  lift(): void;
  hangUp(): void;
}

/** The handsets of the simulated board's stations (a console agent in the demo has no phone). */
export function simulatedHandsets(sim: SimBoard): (station: string) => Handset {
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
