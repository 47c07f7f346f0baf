/**
 * SQLite implementation of {@link InteractionRepository}.
 * @module
 */
import { commitWithFile, type DurableFileStore } from '../file-store.js';
import type { Clock } from '../../domain/clock.js';
import { notFound } from '../../domain/errors.js';
import type {
  Interaction,
  InteractionPatch,
  InteractionRepository,
  InteractionStep,
  NewInteraction,
} from '../../domain/interactions.js';
import type { SqliteDatabase, SqlValue } from '../database.js';

interface Row {
  id: number;
  call_id: string;
  direction: Interaction['direction'];
  media: Interaction['media'];
  channel: string | null;
  caller: string | null;
  called: string | null;
  customer_id: number | null;
  service: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  outcome: Interaction['outcome'];
  agent_user_id: number | null;
  disposition: string | null;
  recording_file_id: number | null;
}

function toInteraction(r: Row): Interaction {
  return {
    id: r.id,
    callId: r.call_id,
    direction: r.direction,
    media: r.media,
    channel: r.channel,
    caller: r.caller,
    called: r.called,
    customerId: r.customer_id,
    service: r.service,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    outcome: r.outcome,
    agentUserId: r.agent_user_id,
    disposition: r.disposition,
    recordingFileId: r.recording_file_id,
  };
}

const PATCH_COLUMNS: Readonly<Record<keyof InteractionPatch, string>> = {
  customerId: 'customer_id',
  service: 'service',
  answeredAt: 'answered_at',
  endedAt: 'ended_at',
  outcome: 'outcome',
  agentUserId: 'agent_user_id',
  disposition: 'disposition',
  recordingFileId: 'recording_file_id',
};

/** Interactions (CDR) in SQLite. */
export class SqliteInteractionRepository implements InteractionRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly files: DurableFileStore,
    private readonly clock: Clock,
  ) {}

  async attachRecording(
    callId: string,
    audio: Uint8Array,
    format = { ext: 'wav', mime: 'audio/wav' },
  ): Promise<Interaction> {
    await this.idOf(callId); // unknown calls fail before a file is written
    const written = await this.files.write('recording', audio, format);
    await commitWithFile(
      this.db,
      this.files,
      written,
      async (fileId) => {
        await this.db.run('UPDATE interactions SET recording_file_id = ? WHERE call_id = ?', [fileId, callId]);
      },
      this.clock.now(),
    );
    return (await this.get(callId))!;
  }

  async start(i: NewInteraction): Promise<Interaction> {
    const { lastId } = await this.db.run(
      'INSERT INTO interactions (call_id, direction, media, channel, caller, called, customer_id, service, started_at) VALUES (?,?,?,?,?,?,?,?,?)',
      [
        i.callId,
        i.direction,
        i.media,
        i.channel,
        i.caller,
        i.called,
        i.customerId ?? null,
        i.service ?? null,
        i.startedAt,
      ],
    );
    return toInteraction((await this.db.get<Row>('SELECT * FROM interactions WHERE id = ?', [lastId]))!);
  }

  update(callId: string, patch: InteractionPatch): Promise<Interaction> {
    return this.db.transaction(async () => {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof InteractionPatch, string][]) {
        if (patch[key] !== undefined) {
          sets.push(`${column} = ?`);
          params.push(patch[key]);
        }
      }
      if (sets.length > 0) {
        params.push(callId);
        const { changes } = await this.db.run(`UPDATE interactions SET ${sets.join(', ')} WHERE call_id = ?`, params);
        if (changes === 0) throw notFound('interaction', callId);
      }
      const current = await this.get(callId);
      if (!current) throw notFound('interaction', callId);
      return current;
    });
  }

  appendSteps(callId: string, steps: readonly InteractionStep[]): Promise<void> {
    return this.db.transaction(async () => {
      const id = await this.idOf(callId);
      await this.db.insertMany(
        'interaction_steps',
        ['interaction_id', 'at', 'kind', 'detail'],
        steps.map((s) => [id, s.at, s.kind, JSON.stringify(s.detail)]),
      );
    });
  }

  linkTicket(callId: string, ticketId: number): Promise<void> {
    return this.db.transaction(async () => {
      const id = await this.idOf(callId);
      await this.db.run('INSERT OR IGNORE INTO interaction_tickets (interaction_id, ticket_id) VALUES (?, ?)', [
        id,
        ticketId,
      ]);
    });
  }

  async get(callId: string): Promise<Interaction | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM interactions WHERE call_id = ?', [callId]);
    return r && toInteraction(r);
  }

  async steps(callId: string): Promise<InteractionStep[]> {
    const rows = await this.db.all<{ at: number; kind: InteractionStep['kind']; detail: string }>(
      'SELECT s.at, s.kind, s.detail FROM interaction_steps s JOIN interactions i ON i.id = s.interaction_id WHERE i.call_id = ? ORDER BY s.id',
      [callId],
    );
    return rows.map((r) => ({ at: r.at, kind: r.kind, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  async ticketIds(callId: string): Promise<number[]> {
    const rows = await this.db.all<{ ticket_id: number }>(
      'SELECT t.ticket_id FROM interaction_tickets t JOIN interactions i ON i.id = t.interaction_id WHERE i.call_id = ? ORDER BY t.ticket_id',
      [callId],
    );
    return rows.map((r) => r.ticket_id);
  }

  async listByCustomer(customerId: number, limit = 10): Promise<Interaction[]> {
    return (
      await this.db.all<Row>(
        'SELECT * FROM interactions WHERE customer_id = ? ORDER BY started_at DESC, id DESC LIMIT ?',
        [customerId, limit],
      )
    ).map(toInteraction);
  }

  private async idOf(callId: string): Promise<number> {
    const r = await this.db.get<{ id: number }>('SELECT id FROM interactions WHERE call_id = ?', [callId]);
    if (!r) throw notFound('interaction', callId);
    return r.id;
  }
}
