/**
 * SQLite implementations of the survey, information and report repositories.
 * @module
 */
import type { InfoArticle, InfoCategory, InfoRepository } from '../../domain/info.js';
import type { InteractionOutcome } from '../../domain/interactions.js';
import type { DailyFigures, ReportRepository } from '../../domain/reports.js';
import type { SurveyAnswer, SurveyRepository } from '../../domain/surveys.js';
import type { TicketStatus, TicketType } from '../../domain/tickets.js';
import type { SqliteDatabase, SqlValue } from '../database.js';

/** Survey answers in SQLite. */
export class SqliteSurveyRepository implements SurveyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  record(answers: readonly Omit<SurveyAnswer, 'id'>[]): Promise<SurveyAnswer[]> {
    return this.db.transaction(async () => {
      const out: SurveyAnswer[] = [];
      for (const a of answers) {
        const interaction =
          a.callId === null
            ? null
            : ((await this.db.get<{ id: number }>('SELECT id FROM interactions WHERE call_id = ?', [a.callId]))?.id ??
              null);
        const { lastId } = await this.db.run(
          'INSERT INTO survey_answers (campaign, interaction_id, customer_id, ticket_id, question, answer, at) VALUES (?,?,?,?,?,?,?)',
          [a.campaign, interaction, a.customerId, a.ticketId, a.question, a.answer, a.at],
        );
        out.push({ ...a, id: lastId });
      }
      return out;
    });
  }

  tally(
    campaign: string,
    range?: { readonly from: number; readonly before: number },
  ): Promise<{ question: string; answer: string; count: number }[]> {
    const params: SqlValue[] = [campaign];
    let where = 'campaign = ?';
    if (range) {
      where += ' AND at >= ? AND at < ?';
      params.push(range.from, range.before);
    }
    return this.db.all(
      `SELECT question, answer, count(*) AS count FROM survey_answers WHERE ${where} GROUP BY question, answer ORDER BY question, answer`,
      params,
    );
  }
}

interface InfoRow {
  id: number;
  code: string;
  category: InfoCategory;
  title: string;
  body: string;
  updated_at: number;
}

const toArticle = (r: InfoRow): InfoArticle => ({
  id: r.id,
  code: r.code,
  category: r.category,
  title: r.title,
  body: r.body,
  updatedAt: r.updated_at,
});

/** Information articles in SQLite. */
export class SqliteInfoRepository implements InfoRepository {
  constructor(private readonly db: SqliteDatabase) {}

  upsert(a: Omit<InfoArticle, 'id'>): Promise<InfoArticle> {
    return this.db.transaction(async () => {
      await this.db.run(
        'INSERT INTO info_articles (code, category, title, body, updated_at) VALUES (?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET category = excluded.category, title = excluded.title, body = excluded.body, updated_at = excluded.updated_at',
        [a.code, a.category, a.title, a.body, a.updatedAt],
      );
      return (await this.getByCode(a.code))!;
    });
  }

  async getByCode(code: string): Promise<InfoArticle | undefined> {
    const r = await this.db.get<InfoRow>('SELECT * FROM info_articles WHERE code = ?', [code]);
    return r && toArticle(r);
  }

  async list(category?: InfoCategory): Promise<InfoArticle[]> {
    const rows = category
      ? await this.db.all<InfoRow>('SELECT * FROM info_articles WHERE category = ? ORDER BY code', [category])
      : await this.db.all<InfoRow>('SELECT * FROM info_articles ORDER BY code');
    return rows.map(toArticle);
  }
}

/** Report queries in SQLite. */
export class SqliteReportRepository implements ReportRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async daily(range: { readonly from: number; readonly before: number }): Promise<DailyFigures> {
    const r = [range.from, range.before];
    const [byService, byOutcome, answered, created, byStatus, escalations, voicemails] = await Promise.all([
      this.db.all<{ service: string; count: number }>(
        "SELECT coalesce(service, 'unknown') AS service, count(*) AS count FROM interactions WHERE started_at >= ? AND started_at < ? GROUP BY 1 ORDER BY count DESC, service",
        r,
      ),
      this.db.all<{ outcome: InteractionOutcome | 'unknown'; count: number }>(
        "SELECT coalesce(outcome, 'unknown') AS outcome, count(*) AS count FROM interactions WHERE started_at >= ? AND started_at < ? GROUP BY 1 ORDER BY count DESC, outcome",
        r,
      ),
      this.db.get<{ n: number; mean: number | null }>(
        'SELECT count(*) AS n, avg(answered_at - started_at) AS mean FROM interactions WHERE started_at >= ? AND started_at < ? AND answered_at IS NOT NULL AND agent_user_id IS NOT NULL',
        r,
      ),
      this.db.all<{ type: TicketType; count: number }>(
        'SELECT type, count(*) AS count FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY type ORDER BY count DESC, type',
        r,
      ),
      this.db.all<{ status: TicketStatus; count: number }>(
        'SELECT status, count(*) AS count FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY status ORDER BY status',
        r,
      ),
      this.db.get<{ n: number }>(
        "SELECT count(*) AS n FROM ticket_history WHERE action = 'escalate' AND at >= ? AND at < ?",
        r,
      ),
      this.db.get<{ n: number }>('SELECT count(*) AS n FROM voicemails WHERE created_at >= ? AND created_at < ?', r),
    ]);
    return {
      from: range.from,
      before: range.before,
      callsByService: byService,
      callsByOutcome: byOutcome,
      callsTotal: byService.reduce((s, x) => s + x.count, 0),
      answered: answered?.n ?? 0,
      meanAnswerDelayMs: answered?.mean ?? null,
      ticketsCreatedByType: created,
      ticketsByStatus: byStatus,
      escalations: escalations?.n ?? 0,
      voicemails: voicemails?.n ?? 0,
    };
  }
}
