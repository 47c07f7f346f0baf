/**
 * A small promise wrapper over one `sqlite3` connection.
 *
 * Contract:
 * - One connection, one writer. Every top-level operation (a single statement, or a whole
 *   {@link SqliteDatabase.transaction}) takes the connection in turn, so a statement issued from
 *   elsewhere while a transaction is open waits for it instead of slipping into it.
 * - Code running inside `transaction(fn)` (found through `AsyncLocalStorage`) uses the open
 *   transaction: its statements run directly, and a nested `transaction()` becomes a SAVEPOINT that
 *   rolls back on its own when its function throws. Nested savepoints started in parallel within one
 *   transaction run one after the other.
 * - A transaction starts with `BEGIN IMMEDIATE` (the write lock is taken at once, so it cannot fail
 *   half-way with SQLITE_BUSY on upgrade) and commits only when `fn` resolves; if `fn` rejects it
 *   rolls back and the rejection propagates.
 * - SQLite errors reject with an {@link AppError} `ERR_STORAGE` (`details.sqliteCode`), or
 *   `ERR_DUPLICATE` for a UNIQUE/PRIMARY KEY violation.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import sqlite3 from 'sqlite3';
import { AppError, AppErrorCode } from '../domain/errors.js';

/** A value SQLite binds as a parameter. */
export type SqlValue = string | number | bigint | null | Buffer | Uint8Array;
/** Positional (`?`) or named (`$name`) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;
/** What a write statement reports. */
export interface RunResult {
  /** Rowid of the last inserted row (meaningful after an INSERT). */
  readonly lastId: number;
  /** Rows changed by the statement. */
  readonly changes: number;
}

/** The query surface shared by the database and an open transaction. */
export interface SqlExecutor {
  /** Runs a write statement. */
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  /** The first row, or `undefined`. */
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** Every row. */
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Runs several `;`-separated statements without parameters (migrations, pragmas). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction (or, when already inside one, in a savepoint) and commits when it
   * resolves; rolls back and rethrows when it rejects.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** How long a statement waits for another process's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /**
   * `full` (default): every commit is on disk before it is acknowledged, even after a power cut.
   * `normal`: WAL commits survive a crash of the process but may be lost on power loss.
   */
  readonly synchronous?: 'full' | 'normal';
  /** Open read-only (used to verify backups). */
  readonly readOnly?: boolean;
}

interface TxContext {
  readonly db: SqliteDatabase;
  readonly depth: number;
  active: boolean;
  /** Serialises nested savepoints started in parallel inside this transaction. */
  chain: Promise<void>;
}

const txStorage = new AsyncLocalStorage<TxContext>();
const STATEMENT_CACHE_SIZE = 128;

function wrapError(err: unknown, sql: string): AppError {
  const e = err as { code?: string; errno?: number; message?: string };
  const message = e.message ?? String(err);
  if (e.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(message)) {
    return new AppError(AppErrorCode.Duplicate, message, { cause: err, details: { sqliteCode: e.code, sql } });
  }
  const retryable = e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED';
  return new AppError(AppErrorCode.Storage, message, { cause: err, retryable, details: { sqliteCode: e.code, sql } });
}

/**
 * One open SQLite database. Create with {@link openDatabase}; close with {@link SqliteDatabase.close}.
 */
export class SqliteDatabase implements SqlExecutor {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly statements = new Map<string, sqlite3.Statement>();

  /** @internal use {@link openDatabase}. */
  constructor(
    private readonly raw: sqlite3.Database,
    /** The file this database was opened from. */
    readonly filename: string,
  ) {}

  /** True while the caller runs inside one of this database's transactions. */
  get inTransaction(): boolean {
    const ctx = txStorage.getStore();
    return ctx !== undefined && ctx.db === this && ctx.active;
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return this.withConnection(() => this.rawRun(sql, params));
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return this.withConnection(
      () =>
        new Promise<T | undefined>((resolve, reject) => {
          const stmt = this.statement(sql);
          stmt.get(params, (err: Error | null, row?: T) => (err ? reject(wrapError(err, sql)) : resolve(row)));
          // `get` leaves the statement open after the first row, holding a read snapshot and making
          // the next parameterless `get` continue from there; reset it (queued after the get).
          stmt.reset();
        }),
    );
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return this.withConnection(
      () =>
        new Promise<T[]>((resolve, reject) => {
          this.statement(sql).all(params, (err: Error | null, rows: T[]) =>
            err ? reject(wrapError(err, sql)) : resolve(rows),
          );
        }),
    );
  }

  exec(sql: string): Promise<void> {
    return this.withConnection(() => this.rawExec(sql));
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    const ctx = txStorage.getStore();
    if (ctx !== undefined && ctx.db === this && ctx.active) return this.savepoint(ctx, fn);
    return this.exclusive(async () => {
      await this.rawExec('BEGIN IMMEDIATE');
      const inner: TxContext = { db: this, depth: 0, active: true, chain: Promise.resolve() };
      let result: T;
      try {
        result = await txStorage.run(inner, fn);
        // Wait for savepoints still queued by parallel branches before committing.
        await inner.chain;
      } catch (err) {
        inner.active = false;
        await this.rawExec('ROLLBACK').catch(() => undefined);
        throw err;
      }
      inner.active = false;
      try {
        await this.rawExec('COMMIT');
      } catch (err) {
        await this.rawExec('ROLLBACK').catch(() => undefined);
        throw err;
      }
      return result;
    });
  }

  /**
   * Inserts many rows with multi-row `INSERT` statements (a few hundred rows per statement), which
   * is an order of magnitude faster through `sqlite3` than one statement per row. Wrap the call in
   * a transaction for atomicity and speed.
   */
  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const perStatement = Math.max(1, Math.min(500, Math.floor(30_000 / columns.length)));
    const tuple = `(${columns.map(() => '?').join(',')})`;
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      const sql = `INSERT INTO ${table} (${columns.join(',')}) VALUES ${chunk.map(() => tuple).join(',')}`;
      const params: SqlValue[] = [];
      for (const row of chunk) {
        if (row.length !== columns.length)
          throw new AppError(
            AppErrorCode.Storage,
            `insertMany(${table}): row has ${row.length} values for ${columns.length} columns`,
          );
        params.push(...row);
      }
      // Chunks of varying size would each get their own cached statement; bypass the cache.
      await this.withConnection(() => this.rawRun(sql, params, false));
    }
  }

  /** Closes the connection after every queued operation has finished. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      for (const stmt of this.statements.values()) await new Promise<void>((resolve) => stmt.finalize(() => resolve()));
      this.statements.clear();
      this.closed = true;
      await new Promise<void>((resolve, reject) =>
        this.raw.close((err) => (err ? reject(wrapError(err, 'close')) : resolve())),
      );
    });
  }

  /** Runs `fn` holding the connection: no other top-level operation interleaves with it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new AppError(AppErrorCode.Closed, `database ${this.filename} is closed`));
    const run = this.queue.then(() => {
      if (this.closed) throw new AppError(AppErrorCode.Closed, `database ${this.filename} is closed`);
      // Operations queued before the transaction must not see its context.
      return txStorage.exit(fn);
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Inside an active transaction of this database: run directly; otherwise take a turn. */
  private withConnection<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn();
    return this.exclusive(fn);
  }

  private savepoint<T>(parent: TxContext, fn: () => Promise<T>): Promise<T> {
    const name = `sp_${parent.depth + 1}`;
    const run = parent.chain.then(async () => {
      await this.rawExec(`SAVEPOINT ${name}`);
      const inner: TxContext = { db: this, depth: parent.depth + 1, active: true, chain: Promise.resolve() };
      try {
        const result = await txStorage.run(inner, fn);
        await inner.chain;
        inner.active = false;
        await this.rawExec(`RELEASE ${name}`);
        return result;
      } catch (err) {
        inner.active = false;
        await this.rawExec(`ROLLBACK TO ${name}; RELEASE ${name}`).catch(() => undefined);
        throw err;
      }
    });
    parent.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private statement(sql: string): sqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      // Refresh LRU position.
      this.statements.delete(sql);
      this.statements.set(sql, stmt);
      return stmt;
    }
    stmt = this.raw.prepare(sql);
    // Preparation errors surface through the first run/get/all callback; swallow the event.
    stmt.on('error', () => undefined);
    this.statements.set(sql, stmt);
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      const oldest = this.statements.keys().next().value as string;
      this.statements.get(oldest)?.finalize();
      this.statements.delete(oldest);
    }
    return stmt;
  }

  private rawRun(sql: string, params: SqlParams, cache = true): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
      const callback = function (this: sqlite3.RunResult, err: Error | null): void {
        if (err) reject(wrapError(err, sql));
        else resolve({ lastId: this.lastID, changes: this.changes });
      };
      if (cache) this.statement(sql).run(params, callback);
      else this.raw.run(sql, params, callback);
    });
  }

  private rawExec(sql: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.raw.exec(sql, (err) => (err ? reject(wrapError(err, sql)) : resolve()));
    });
  }
}

/**
 * Opens (creating if needed) a database file with the project's settings: WAL journal, foreign keys
 * on, `synchronous` as chosen, a busy timeout. Rejects with `ERR_STORAGE` when the file cannot be
 * opened or is not a database.
 */
export async function openDatabase(filename: string, options: OpenDatabaseOptions = {}): Promise<SqliteDatabase> {
  const mode = options.readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
  const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(filename, mode, (err) =>
      err ? reject(wrapError(err, `open ${filename}`)) : resolve(db),
    );
  });
  raw.configure('busyTimeout', options.busyTimeoutMs ?? 5000);
  const db = new SqliteDatabase(raw, filename);
  try {
    if (!options.readOnly) await db.exec('PRAGMA journal_mode = WAL');
    await db.exec(
      `PRAGMA foreign_keys = ON; PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`,
    );
    // Reading the schema fails here (not later) when the file is not a database.
    await db.get('SELECT count(*) AS n FROM sqlite_master');
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}
