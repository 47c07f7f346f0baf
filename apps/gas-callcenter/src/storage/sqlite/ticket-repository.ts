/**
 * SQLite implementation of {@link TicketRepository}. A ticket, its tracking number and its first
 * history entries are one transaction; with `synchronous = FULL` the promise resolves only when the
 * commit is on disk.
 * @module
 */
import { AppError, AppErrorCode, notFound } from '../../domain/errors.js';
import { makeTrackingNumber } from '../../domain/tracking-number.js';
import {
  OPEN_TICKET_STATUSES,
  type NewHistoryEntry,
  type NewTicket,
  type Ticket,
  type TicketFilter,
  type TicketHistoryEntry,
  type TicketPatch,
  type TicketRepository,
} from '../../domain/tickets.js';
import type { SqliteDatabase, SqlValue } from '../database.js';

interface Row {
  id: number;
  tracking_no: string;
  type: Ticket['type'];
  subtype: string;
  status: Ticket['status'];
  priority: number;
  customer_id: number | null;
  caller_phone: string | null;
  contact_name: string | null;
  address: string | null;
  description: string;
  channel: Ticket['channel'];
  department_id: number | null;
  assignee_user_id: number | null;
  result: string | null;
  escalation_level: number;
  reopen_count: number;
  deadline_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  version: number;
}

interface HistoryRow {
  id: number;
  ticket_id: number;
  at: number;
  actor: string;
  action: TicketHistoryEntry['action'];
  from_status: TicketHistoryEntry['fromStatus'];
  to_status: TicketHistoryEntry['toStatus'];
  department_id: number | null;
  note: string | null;
}

function toTicket(r: Row): Ticket {
  return {
    id: r.id,
    trackingNo: r.tracking_no,
    type: r.type,
    subtype: r.subtype,
    status: r.status,
    priority: r.priority,
    customerId: r.customer_id,
    callerPhone: r.caller_phone,
    contactName: r.contact_name,
    address: r.address,
    description: r.description,
    channel: r.channel,
    departmentId: r.department_id,
    assigneeUserId: r.assignee_user_id,
    result: r.result,
    escalationLevel: r.escalation_level,
    reopenCount: r.reopen_count,
    deadlineAt: r.deadline_at,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

const PATCH_COLUMNS: Readonly<Record<keyof TicketPatch, string>> = {
  status: 'status',
  departmentId: 'department_id',
  assigneeUserId: 'assignee_user_id',
  result: 'result',
  escalationLevel: 'escalation_level',
  reopenCount: 'reopen_count',
  deadlineAt: 'deadline_at',
  description: 'description',
  customerId: 'customer_id',
};

const OPEN_LIST = OPEN_TICKET_STATUSES.map((s) => `'${s}'`).join(',');

/** Tickets and their history in SQLite. */
export class SqliteTicketRepository implements TicketRepository {
  constructor(private readonly db: SqliteDatabase) {}

  create(
    t: NewTicket,
    history: readonly NewHistoryEntry[],
    day: { readonly year: number; readonly month: number; readonly day: number; readonly iso: string },
  ): Promise<Ticket> {
    return this.db.transaction(async () => {
      const seq = await this.db.get<{ last: number }>(
        'INSERT INTO tracking_sequences (day, last) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last',
        [day.iso],
      );
      let trackingNo: string;
      try {
        trackingNo = makeTrackingNumber(day, seq!.last);
      } catch (err) {
        throw new AppError(AppErrorCode.Storage, `daily tracking numbers exhausted for ${day.iso}`, { cause: err });
      }
      const { lastId } = await this.db.run(
        `INSERT INTO tickets (tracking_no, type, subtype, status, priority, customer_id, caller_phone, contact_name, address, description, channel,
           department_id, assignee_user_id, result, escalation_level, reopen_count, deadline_at, created_by, created_at, updated_at)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        [
          trackingNo,
          t.type,
          t.subtype,
          t.status,
          t.priority,
          t.customerId,
          t.callerPhone,
          t.contactName,
          t.address,
          t.description,
          t.channel,
          t.departmentId,
          t.assigneeUserId,
          t.result,
          t.escalationLevel,
          t.reopenCount,
          t.deadlineAt,
          t.createdBy,
          t.createdAt,
          t.updatedAt,
        ],
      );
      for (const h of history) await this.insertHistory(lastId, h);
      return { ...t, id: lastId, trackingNo, version: 1 };
    });
  }

  async get(id: number): Promise<Ticket | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM tickets WHERE id = ?', [id]);
    return r && toTicket(r);
  }

  async getByTrackingNo(trackingNo: string): Promise<Ticket | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM tickets WHERE tracking_no = ?', [trackingNo]);
    return r && toTicket(r);
  }

  update(
    id: number,
    expectedVersion: number,
    patch: TicketPatch,
    entry: NewHistoryEntry,
    now: number,
  ): Promise<Ticket> {
    return this.db.transaction(async () => {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof TicketPatch, string][]) {
        if (patch[key] !== undefined) {
          sets.push(`${column} = ?`);
          params.push(patch[key]);
        }
      }
      sets.push('updated_at = ?', 'version = version + 1');
      params.push(now, id, expectedVersion);
      const { changes } = await this.db.run(
        `UPDATE tickets SET ${sets.join(', ')} WHERE id = ? AND version = ?`,
        params,
      );
      if (changes === 0) {
        const current = await this.get(id);
        if (!current) throw notFound('ticket', id);
        throw new AppError(
          AppErrorCode.Conflict,
          `ticket ${current.trackingNo} changed meanwhile (version ${current.version}, expected ${expectedVersion})`,
          {
            retryable: true,
            details: { id, expected: expectedVersion, found: current.version },
          },
        );
      }
      await this.insertHistory(id, entry);
      return (await this.get(id))!;
    });
  }

  async history(ticketId: number): Promise<TicketHistoryEntry[]> {
    const rows = await this.db.all<HistoryRow>('SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY id', [
      ticketId,
    ]);
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      departmentId: r.department_id,
      note: r.note,
    }));
  }

  async list(f: TicketFilter): Promise<Ticket[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const inList = (column: string, values: readonly SqlValue[]): void => {
      where.push(values.length === 0 ? '0' : `${column} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    };
    if (f.departmentIds) inList('department_id', f.departmentIds);
    if (f.statuses) inList('status', f.statuses);
    if (f.types) inList('type', f.types);
    if (f.customerId !== undefined) {
      where.push('customer_id = ?');
      params.push(f.customerId);
    }
    if (f.createdFrom !== undefined) {
      where.push('created_at >= ?');
      params.push(f.createdFrom);
    }
    if (f.createdBefore !== undefined) {
      where.push('created_at < ?');
      params.push(f.createdBefore);
    }
    params.push(Math.min(Math.max(f.limit ?? 50, 1), 500), Math.max(f.offset ?? 0, 0));
    const rows = await this.db.all<Row>(
      `SELECT * FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY priority, created_at, id LIMIT ? OFFSET ?`,
      params,
    );
    return rows.map(toTicket);
  }

  async overdue(now: number, limit: number): Promise<Ticket[]> {
    const rows = await this.db.all<Row>(
      `SELECT * FROM tickets WHERE status IN (${OPEN_LIST}) AND deadline_at IS NOT NULL AND deadline_at <= ? ORDER BY deadline_at, id LIMIT ?`,
      [now, limit],
    );
    return rows.map(toTicket);
  }

  async nextDeadline(): Promise<number | undefined> {
    const r = await this.db.get<{ at: number | null }>(
      `SELECT min(deadline_at) AS at FROM tickets WHERE status IN (${OPEN_LIST}) AND deadline_at IS NOT NULL`,
    );
    return r?.at ?? undefined;
  }

  private async insertHistory(ticketId: number, h: NewHistoryEntry): Promise<void> {
    await this.db.run(
      'INSERT INTO ticket_history (ticket_id, at, actor, action, from_status, to_status, department_id, note) VALUES (?,?,?,?,?,?,?,?)',
      [ticketId, h.at, h.actor, h.action, h.fromStatus, h.toStatus, h.departmentId, h.note],
    );
  }
}
