/**
 * Figures for reports (M20), computed by the storage layer from the interaction and ticket tables.
 * @module
 */
import type { InteractionOutcome } from './interactions.js';
import type { TicketStatus, TicketType } from './tickets.js';

/** Counts for one period `[from, before)`. */
export interface DailyFigures {
  readonly from: number;
  readonly before: number;
  /** Calls by service chosen (`null` service = `unknown`). */
  readonly callsByService: readonly { readonly service: string; readonly count: number }[];
  readonly callsByOutcome: readonly { readonly outcome: InteractionOutcome | 'unknown'; readonly count: number }[];
  readonly callsTotal: number;
  /** Calls answered by an agent; mean wait from start to answer (ms) for them. */
  readonly answered: number;
  readonly meanAnswerDelayMs: number | null;
  /** Tickets accepted in the period, by type. */
  readonly ticketsCreatedByType: readonly { readonly type: TicketType; readonly count: number }[];
  /** Tickets accepted in the period, by their current status. */
  readonly ticketsByStatus: readonly { readonly status: TicketStatus; readonly count: number }[];
  /** Tickets escalated in the period (history entries). */
  readonly escalations: number;
  readonly voicemails: number;
}

/** Report queries. */
export interface ReportRepository {
  daily(range: { readonly from: number; readonly before: number }): Promise<DailyFigures>;
}
