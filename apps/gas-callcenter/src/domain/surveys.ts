/**
 * Answers to customer satisfaction surveys and follow-up visits (M18).
 * @module
 */

/** One answer. */
export interface SurveyAnswer {
  readonly id: number;
  /** Survey or campaign name, e.g. `after-call` or `2026-q1-repair-followup`. */
  readonly campaign: string;
  readonly callId: string | null;
  readonly customerId: number | null;
  readonly ticketId: number | null;
  readonly question: string;
  /** The key pressed or the answer text. */
  readonly answer: string;
  readonly at: number;
}

/** Storage of survey answers. */
export interface SurveyRepository {
  /** Records answers atomically; resolves once durable. */
  record(answers: readonly Omit<SurveyAnswer, 'id'>[]): Promise<SurveyAnswer[]>;
  /** Counts of each answer to each question of a campaign. */
  tally(
    campaign: string,
    range?: { readonly from: number; readonly before: number },
  ): Promise<{ readonly question: string; readonly answer: string; readonly count: number }[]>;
}
