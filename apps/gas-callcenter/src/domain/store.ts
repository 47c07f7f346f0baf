/**
 * The storage seam of the application: one object holding every repository. The composition root
 * (server, CLI) opens a `Store` and builds the services on it; a PostgreSQL implementation would
 * provide the same interface.
 * @module
 */
import type { BillingStore } from './billing.js';
import type { CustomerRepository } from './customers.js';
import type { DepartmentRepository } from './departments.js';
import type { FaxRepository } from './faxes.js';
import type { InfoRepository } from './info.js';
import type { InteractionRepository } from './interactions.js';
import type { ReportRepository } from './reports.js';
import type { SurveyRepository } from './surveys.js';
import type { TicketRepository } from './tickets.js';
import type { AuditLog, UserRepository } from './users.js';
import type { VoicemailRepository } from './voicemail.js';

/** What a backup did. */
export interface BackupReport {
  /** Directory written. */
  readonly target: string;
  readonly schemaVersion: number;
  /** Bytes of the database copy. */
  readonly databaseBytes: number;
  /** Files copied (recordings, voicemail, faxes). */
  readonly files: number;
  readonly fileBytes: number;
  /** Stored files the database refers to that were missing and could not be copied. */
  readonly missingFiles: readonly string[];
}

/** Every repository, plus cross-repository transactions, backup and close. */
export interface Store {
  readonly customers: CustomerRepository;
  readonly billing: BillingStore;
  readonly departments: DepartmentRepository;
  readonly users: UserRepository;
  readonly audit: AuditLog;
  readonly tickets: TicketRepository;
  readonly interactions: InteractionRepository;
  readonly voicemails: VoicemailRepository;
  readonly faxes: FaxRepository;
  readonly surveys: SurveyRepository;
  readonly info: InfoRepository;
  readonly reports: ReportRepository;
  /**
   * Runs `fn` in one transaction: every repository call made inside it (in its async context)
   * commits or rolls back together. Nested calls become savepoints.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Writes a consistent online copy of the database and the stored files to `targetDir`. */
  backup(targetDir: string): Promise<BackupReport>;
  /** Closes the store after pending operations. */
  close(): Promise<void>;
}
