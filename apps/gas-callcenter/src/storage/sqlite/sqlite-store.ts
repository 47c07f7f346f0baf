/**
 * Opens a data directory as a {@link Store}: creates the layout, opens the database (WAL, foreign
 * keys, busy timeout), runs the migrations (refusing a newer schema), sweeps interrupted and orphan
 * files, and wires every SQLite repository.
 *
 * Data directory layout:
 * ```text
 * <dataDir>/hotline.db (+ -wal, -shm)   the database
 * <dataDir>/recordings/YYYY-MM/…        call recordings
 * <dataDir>/voicemail/YYYY-MM/…         voice mail
 * <dataDir>/faxes/YYYY-MM/…             received and sent faxes
 * <dataDir>/orphans/…                   files found without a database row at start (quarantine)
 * ```
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@hotline/cti-core';
import { silentLogger } from '@hotline/cti-core';
import type { Clock } from '../../domain/clock.js';
import type { BackupReport, Store } from '../../domain/store.js';
import { backupDataDirectory, DATABASE_FILE } from '../backup.js';
import { openDatabase, type SqliteDatabase } from '../database.js';
import { DurableFileStore, FILE_KIND_DIRS, recoverFiles, type FileRecoveryReport } from '../file-store.js';
import { migrate, MIGRATIONS, type Migration, type MigrationReport } from '../migrations.js';
import { SqliteBillingStore } from './billing-store.js';
import { SqliteCustomerRepository } from './customer-repository.js';
import { SqliteDepartmentRepository } from './department-repository.js';
import { SqliteInteractionRepository } from './interaction-repository.js';
import { SqliteFaxRepository, SqliteVoicemailRepository } from './media-repositories.js';
import { SqliteInfoRepository, SqliteReportRepository, SqliteSurveyRepository } from './misc-repositories.js';
import { SqliteTicketRepository } from './ticket-repository.js';
import { SqliteAuditLog, SqliteUserRepository } from './user-repository.js';

/** Options of {@link openSqliteStore}. */
export interface OpenSqliteStoreOptions {
  /** The data directory (created if missing). */
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Default `full`: every acknowledged record survives a power cut. */
  readonly synchronous?: 'full' | 'normal';
  /** What to do with files that have no row at start (default `quarantine` into `orphans/`). */
  readonly orphanPolicy?: 'quarantine' | 'delete';
  /** Migrations to run (tests of upgrades pass a prefix); default all of this program's. */
  readonly migrations?: readonly Migration[];
}

/** The SQLite {@link Store}, with what happened at start. */
export interface SqliteStore extends Store {
  /** The underlying database (for tools and benchmarks; the app uses the repositories). */
  readonly db: SqliteDatabase;
  readonly files: DurableFileStore;
  readonly dataDir: string;
  readonly startup: { readonly migration: MigrationReport; readonly files: FileRecoveryReport };
}

/** Opens (creating and migrating if needed) the store in a data directory. */
export async function openSqliteStore(options: OpenSqliteStoreOptions): Promise<SqliteStore> {
  const dataDir = resolve(options.dataDir);
  const logger = options.logger ?? silentLogger;
  await mkdir(dataDir, { recursive: true });
  for (const folder of Object.values(FILE_KIND_DIRS)) await mkdir(join(dataDir, folder), { recursive: true });
  const db = await openDatabase(join(dataDir, DATABASE_FILE), {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: options.synchronous,
  });
  try {
    const migration = await migrate(db, {
      migrations: options.migrations ?? MIGRATIONS,
      now: () => options.clock.now(),
    });
    if (migration.applied.length > 0) logger.info('database migrated', { from: migration.from, to: migration.to });
    const files = new DurableFileStore(dataDir, options.clock);
    // The sweep needs the stored_files table (migration 3); a partial schema (upgrade tests) skips it.
    const recovery: FileRecoveryReport =
      migration.to >= 3
        ? await recoverFiles(db, files, { clock: options.clock, logger, orphanPolicy: options.orphanPolicy })
        : { tempDeleted: 0, orphans: [], missing: [], restored: 0 };
    const clock = options.clock;
    const store: SqliteStore = {
      db,
      files,
      dataDir,
      startup: { migration, files: recovery },
      customers: new SqliteCustomerRepository(db, clock),
      billing: new SqliteBillingStore(db),
      departments: new SqliteDepartmentRepository(db, clock),
      users: new SqliteUserRepository(db),
      audit: new SqliteAuditLog(db),
      tickets: new SqliteTicketRepository(db),
      interactions: new SqliteInteractionRepository(db, files, clock),
      voicemails: new SqliteVoicemailRepository(db, files, clock),
      faxes: new SqliteFaxRepository(db, files, clock),
      surveys: new SqliteSurveyRepository(db),
      info: new SqliteInfoRepository(db),
      reports: new SqliteReportRepository(db),
      transaction: (fn) => db.transaction(fn),
      backup: (target: string): Promise<BackupReport> => backupDataDirectory(db, files, target, clock.now()),
      close: () => db.close(),
    };
    return store;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
