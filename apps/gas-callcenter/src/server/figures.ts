/**
 * The centre's totals over all queues (server, benches, tests).
 *
 * @module
 */
import type { StatisticsReport } from '@hotline/acd';
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
