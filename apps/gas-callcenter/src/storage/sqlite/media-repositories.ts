/**
 * SQLite implementations of the repositories whose records carry a durable file: voicemail and
 * faxes. Each `create` writes the file (temp name, fsync, rename) and then commits the
 * `stored_files` row and the record in one transaction (see `file-store.ts`).
 * @module
 */
import type { Clock } from '../../domain/clock.js';
import { notFound } from '../../domain/errors.js';
import type { Fax, FaxRepository } from '../../domain/faxes.js';
import type { NewVoicemail, Voicemail, VoicemailRepository, VoicemailStatus } from '../../domain/voicemail.js';
import type { SqliteDatabase } from '../database.js';
import { commitWithFile, type DurableFileStore } from '../file-store.js';

interface VoicemailRow {
  id: number;
  call_id: string | null;
  caller: string | null;
  callback_number: string | null;
  wants_reply: number;
  topic: string;
  file_id: number;
  rel_path: string;
  duration_ms: number;
  status: VoicemailStatus;
  ticket_id: number | null;
  handled_by: number | null;
  handled_at: number | null;
  outcome: string | null;
  created_at: number;
}

const VOICEMAIL_SELECT = `SELECT v.id, i.call_id, v.caller, v.callback_number, v.wants_reply, v.topic, v.file_id, f.rel_path, v.duration_ms, v.status,
  v.ticket_id, v.handled_by, v.handled_at, v.outcome, v.created_at
  FROM voicemails v JOIN stored_files f ON f.id = v.file_id LEFT JOIN interactions i ON i.id = v.interaction_id`;

function toVoicemail(r: VoicemailRow): Voicemail {
  return {
    id: r.id,
    callId: r.call_id,
    caller: r.caller,
    callbackNumber: r.callback_number,
    wantsReply: r.wants_reply !== 0,
    topic: r.topic,
    fileId: r.file_id,
    relPath: r.rel_path,
    durationMs: r.duration_ms,
    status: r.status,
    ticketId: r.ticket_id,
    handledBy: r.handled_by,
    handledAt: r.handled_at,
    outcome: r.outcome,
    createdAt: r.created_at,
  };
}

async function interactionId(db: SqliteDatabase, callId: string | null): Promise<number | null> {
  if (callId === null) return null;
  const r = await db.get<{ id: number }>('SELECT id FROM interactions WHERE call_id = ?', [callId]);
  if (!r) throw notFound('interaction', callId);
  return r.id;
}

/** Voicemails in SQLite, audio in `voicemail/`. */
export class SqliteVoicemailRepository implements VoicemailRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly files: DurableFileStore,
    private readonly clock: Clock,
  ) {}

  async create(
    meta: NewVoicemail,
    audio: Uint8Array | AsyncIterable<Uint8Array>,
    format = { ext: 'wav', mime: 'audio/wav' },
  ): Promise<Voicemail> {
    const written = await this.files.write('voicemail', audio, format);
    const now = this.clock.now();
    const id = await commitWithFile(
      this.db,
      this.files,
      written,
      async (fileId) => {
        const { lastId } = await this.db.run(
          'INSERT INTO voicemails (interaction_id, caller, callback_number, wants_reply, topic, file_id, duration_ms, ticket_id, created_at) VALUES (?,?,?,?,?,?,?,?,?)',
          [
            await interactionId(this.db, meta.callId),
            meta.caller,
            meta.callbackNumber,
            meta.wantsReply ? 1 : 0,
            meta.topic,
            fileId,
            meta.durationMs,
            meta.ticketId ?? null,
            now,
          ],
        );
        return lastId;
      },
      now,
    );
    return (await this.get(id))!;
  }

  async get(id: number): Promise<Voicemail | undefined> {
    const r = await this.db.get<VoicemailRow>(`${VOICEMAIL_SELECT} WHERE v.id = ?`, [id]);
    return r && toVoicemail(r);
  }

  async pendingCallbacks(limit = 50): Promise<Voicemail[]> {
    const rows = await this.db.all<VoicemailRow>(
      `${VOICEMAIL_SELECT} WHERE v.wants_reply = 1 AND v.status IN ('new','in_progress') ORDER BY v.created_at, v.id LIMIT ?`,
      [limit],
    );
    return rows.map(toVoicemail);
  }

  setStatus(
    id: number,
    status: VoicemailStatus,
    h: {
      readonly userId: number | null;
      readonly at: number;
      readonly outcome?: string | null;
      readonly ticketId?: number | null;
    },
  ): Promise<Voicemail> {
    return this.db.transaction(async () => {
      const { changes } = await this.db.run(
        'UPDATE voicemails SET status = ?, handled_by = ?, handled_at = ?, outcome = coalesce(?, outcome), ticket_id = coalesce(?, ticket_id) WHERE id = ?',
        [status, h.userId, h.at, h.outcome ?? null, h.ticketId ?? null, id],
      );
      if (changes === 0) throw notFound('voicemail', id);
      return (await this.get(id))!;
    });
  }
}

interface FaxRow {
  id: number;
  direction: Fax['direction'];
  remote_number: string | null;
  pages: number;
  file_id: number;
  rel_path: string;
  call_id: string | null;
  ticket_id: number | null;
  document_code: string | null;
  status: Fax['status'];
  created_at: number;
}

/** Faxes in SQLite, images in `faxes/`. */
export class SqliteFaxRepository implements FaxRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly files: DurableFileStore,
    private readonly clock: Clock,
  ) {}

  async create(
    meta: Omit<Fax, 'id' | 'fileId' | 'relPath' | 'createdAt'>,
    image: Uint8Array | AsyncIterable<Uint8Array>,
    format = { ext: 'tif', mime: 'image/tiff' },
  ): Promise<Fax> {
    const written = await this.files.write('fax', image, format);
    const now = this.clock.now();
    const id = await commitWithFile(
      this.db,
      this.files,
      written,
      async (fileId) => {
        const { lastId } = await this.db.run(
          'INSERT INTO faxes (direction, remote_number, pages, file_id, interaction_id, ticket_id, document_code, status, created_at) VALUES (?,?,?,?,?,?,?,?,?)',
          [
            meta.direction,
            meta.remoteNumber,
            meta.pages,
            fileId,
            await interactionId(this.db, meta.callId),
            meta.ticketId,
            meta.documentCode,
            meta.status,
            now,
          ],
        );
        return lastId;
      },
      now,
    );
    return (await this.get(id))!;
  }

  async get(id: number): Promise<Fax | undefined> {
    const r = await this.db.get<FaxRow>(
      `SELECT x.id, x.direction, x.remote_number, x.pages, x.file_id, f.rel_path, i.call_id, x.ticket_id, x.document_code, x.status, x.created_at
       FROM faxes x JOIN stored_files f ON f.id = x.file_id LEFT JOIN interactions i ON i.id = x.interaction_id WHERE x.id = ?`,
      [id],
    );
    return (
      r && {
        id: r.id,
        direction: r.direction,
        remoteNumber: r.remote_number,
        pages: r.pages,
        fileId: r.file_id,
        relPath: r.rel_path,
        callId: r.call_id,
        ticketId: r.ticket_id,
        documentCode: r.document_code,
        status: r.status,
        createdAt: r.created_at,
      }
    );
  }

  async setStatus(id: number, status: Fax['status']): Promise<void> {
    const { changes } = await this.db.run('UPDATE faxes SET status = ? WHERE id = ?', [status, id]);
    if (changes === 0) throw notFound('fax', id);
  }
}
