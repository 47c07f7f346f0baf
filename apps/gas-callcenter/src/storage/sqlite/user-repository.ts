/**
 * SQLite implementations of {@link UserRepository} and {@link AuditLog}.
 * @module
 */
import { notFound } from '../../domain/errors.js';
import type { AuditEntry, AuditLog, NewUser, User, UserCredential, UserRepository } from '../../domain/users.js';
import type { SqliteDatabase, SqlValue } from '../database.js';

interface Row {
  id: number;
  username: string;
  display_name: string;
  role: User['role'];
  department_id: number | null;
  password_hash: string;
  failed_logins: number;
  locked_until: number | null;
  disabled: number;
  last_login_at: number | null;
  created_at: number;
}

function toCredential(r: Row): UserCredential {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    departmentId: r.department_id,
    disabled: r.disabled !== 0,
    lockedUntil: r.locked_until,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
    passwordHash: r.password_hash,
    failedLogins: r.failed_logins,
  };
}

function toUser(r: Row): User {
  const { passwordHash: _p, failedLogins: _f, ...user } = toCredential(r);
  return user;
}

/** Users in SQLite. */
export class SqliteUserRepository implements UserRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async create(u: NewUser, now: number): Promise<User> {
    const { lastId } = await this.db.run(
      'INSERT INTO users (username, display_name, role, department_id, password_hash, password_changed_at, created_at) VALUES (?,?,?,?,?,?,?)',
      [u.username, u.displayName, u.role, u.departmentId, u.passwordHash, now, now],
    );
    return (await this.get(lastId))!;
  }

  async get(id: number): Promise<User | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM users WHERE id = ?', [id]);
    return r && toUser(r);
  }

  async getByUsername(username: string): Promise<User | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM users WHERE username = ?', [username]);
    return r && toUser(r);
  }

  async getCredential(username: string): Promise<UserCredential | undefined> {
    const r = await this.db.get<Row>('SELECT * FROM users WHERE username = ?', [username]);
    return r && toCredential(r);
  }

  async list(): Promise<User[]> {
    return (await this.db.all<Row>('SELECT * FROM users ORDER BY username')).map(toUser);
  }

  async setLoginState(
    id: number,
    s: { readonly failedLogins: number; readonly lockedUntil: number | null; readonly lastLoginAt?: number },
  ): Promise<void> {
    const sql =
      s.lastLoginAt === undefined
        ? 'UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?'
        : 'UPDATE users SET failed_logins = ?, locked_until = ?, last_login_at = ? WHERE id = ?';
    const params: SqlValue[] =
      s.lastLoginAt === undefined
        ? [s.failedLogins, s.lockedUntil, id]
        : [s.failedLogins, s.lockedUntil, s.lastLoginAt, id];
    const { changes } = await this.db.run(sql, params);
    if (changes === 0) throw notFound('user', id);
  }

  async setPassword(id: number, passwordHash: string, now: number): Promise<void> {
    const { changes } = await this.db.run('UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?', [
      passwordHash,
      now,
      id,
    ]);
    if (changes === 0) throw notFound('user', id);
  }

  async setDisabled(id: number, disabled: boolean): Promise<void> {
    const { changes } = await this.db.run('UPDATE users SET disabled = ? WHERE id = ?', [disabled ? 1 : 0, id]);
    if (changes === 0) throw notFound('user', id);
  }
}

/** The audit log in SQLite. */
export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: SqliteDatabase) {}

  async append(e: AuditEntry): Promise<void> {
    await this.db.run('INSERT INTO audit_log (at, actor, action, target, outcome, details) VALUES (?,?,?,?,?,?)', [
      e.at,
      e.actor,
      e.action,
      e.target,
      e.outcome,
      e.details === undefined ? null : JSON.stringify(e.details),
    ]);
  }

  async list(
    o: { readonly since?: number; readonly actor?: string; readonly limit?: number } = {},
  ): Promise<(AuditEntry & { readonly id: number })[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (o.since !== undefined) {
      where.push('at >= ?');
      params.push(o.since);
    }
    if (o.actor !== undefined) {
      where.push('actor = ?');
      params.push(o.actor);
    }
    params.push(o.limit ?? 100);
    const rows = await this.db.all<{
      id: number;
      at: number;
      actor: string;
      action: string;
      target: string | null;
      outcome: AuditEntry['outcome'];
      details: string | null;
    }>(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      ...(r.details === null ? {} : { details: JSON.parse(r.details) as Record<string, unknown> }),
    }));
  }
}
