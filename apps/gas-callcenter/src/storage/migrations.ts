/**
 * Versioned schema migrations. The schema version lives in SQLite's `PRAGMA user_version`; each
 * applied migration is also recorded in `schema_migrations` (version, name, applied_at).
 *
 * Rules: migrations are append-only (a released migration is never edited), each runs in its own
 * transaction together with the version bump, and a database whose version is higher than the
 * newest migration this program knows is refused with `ERR_SCHEMA_TOO_NEW` before anything is
 * written to it.
 *
 * Conventions of the schema: times are INTEGER epoch milliseconds, money is INTEGER fen (0.01 元),
 * gas volumes are INTEGER cubic metres, free-form structured data is JSON TEXT.
 * @module
 */
import { AppError, AppErrorCode } from '../domain/errors.js';
import type { SqliteDatabase } from './database.js';

/** One schema step. */
export interface Migration {
  /** 1, 2, 3… without gaps. */
  readonly version: number;
  /** Short description, recorded in `schema_migrations`. */
  readonly name: string;
  /** SQL run inside the migration's transaction. */
  readonly sql: string;
}

/** The migrations of this program, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'departments, users, audit log, customers, accounts, meters, billing, information',
    sql: `
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);
CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  parent_id INTEGER REFERENCES departments(id),
  phone TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX departments_parent ON departments(parent_id);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agent','supervisor','department_staff','administrator')),
  department_id INTEGER REFERENCES departments(id),
  password_hash TEXT NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0,
  password_changed_at INTEGER NOT NULL,
  last_login_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  details TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  customer_no TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  district TEXT NOT NULL,
  district_code TEXT NOT NULL,
  household_size INTEGER NOT NULL DEFAULT 1 CHECK (household_size BETWEEN 1 AND 99),
  floor INTEGER,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','closed')),
  notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX customers_name ON customers(name);
CREATE INDEX customers_district ON customers(district_code);
CREATE TABLE customer_phones (
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  phone TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('mobile','landline')),
  PRIMARY KEY (customer_id, phone)
);
CREATE INDEX customer_phones_phone ON customer_phones(phone);
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  account_no TEXT NOT NULL UNIQUE,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  category TEXT NOT NULL DEFAULT 'residential' CHECK (category IN ('residential','commercial')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','closed')),
  query_password_hash TEXT,
  failed_password_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  opened_at INTEGER NOT NULL
);
CREATE INDEX accounts_customer ON accounts(customer_id);
CREATE TABLE meters (
  id INTEGER PRIMARY KEY,
  meter_no TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  model TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('diaphragm','ic_card','smart')),
  installed_at INTEGER NOT NULL,
  last_reading INTEGER NOT NULL DEFAULT 0,
  last_read_at INTEGER,
  status TEXT NOT NULL DEFAULT 'normal' CHECK (status IN ('normal','faulty','removed'))
);
CREATE INDEX meters_account ON meters(account_id);
CREATE TABLE price_tiers (
  category TEXT NOT NULL CHECK (category IN ('residential','commercial')),
  year INTEGER NOT NULL,
  tier INTEGER NOT NULL CHECK (tier >= 1),
  upper_m3 INTEGER CHECK (upper_m3 IS NULL OR upper_m3 > 0),
  price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
  extra_m3_per_person INTEGER NOT NULL DEFAULT 0 CHECK (extra_m3_per_person >= 0),
  PRIMARY KEY (category, year, tier)
);
CREATE TABLE bills (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  period TEXT NOT NULL,
  previous_reading INTEGER NOT NULL,
  current_reading INTEGER NOT NULL,
  usage_m3 INTEGER NOT NULL CHECK (usage_m3 >= 0),
  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
  breakdown TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  paid_fen INTEGER NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
  UNIQUE (account_id, period)
);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  bill_id INTEGER REFERENCES bills(id),
  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
  paid_at INTEGER NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('counter','bank','wechat','alipay','card')),
  reference TEXT
);
CREATE INDEX payments_account ON payments(account_id, paid_at);
CREATE TABLE info_articles (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL CHECK (category IN ('regulation','service','price','safety')),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'tickets with tracking numbers and history',
    sql: `
CREATE TABLE tracking_sequences (
  day TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  tracking_no TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('emergency','repair','complaint','suggestion','service_request')),
  subtype TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('accepted','assigned','in_progress','resolved','informed','closed')),
  priority INTEGER NOT NULL,
  customer_id INTEGER REFERENCES customers(id),
  caller_phone TEXT,
  contact_name TEXT,
  address TEXT,
  description TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('phone','agent','voicemail','fax','mobile','web')),
  department_id INTEGER REFERENCES departments(id),
  assignee_user_id INTEGER REFERENCES users(id),
  result TEXT,
  escalation_level INTEGER NOT NULL DEFAULT 0,
  reopen_count INTEGER NOT NULL DEFAULT 0,
  deadline_at INTEGER,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tickets_open_deadline ON tickets(deadline_at) WHERE status IN ('accepted','assigned','in_progress');
CREATE INDEX tickets_department ON tickets(department_id, status);
CREATE INDEX tickets_customer ON tickets(customer_id);
CREATE INDEX tickets_created ON tickets(created_at);
CREATE TABLE ticket_history (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  department_id INTEGER REFERENCES departments(id),
  note TEXT
);
CREATE INDEX ticket_history_ticket ON ticket_history(ticket_id, id);
`,
  },
  {
    version: 3,
    name: 'stored files, interactions (CDR), voicemail, faxes, survey answers',
    sql: `
CREATE TABLE stored_files (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('recording','voicemail','fax')),
  rel_path TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  mime TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  missing_since INTEGER
);
CREATE TABLE interactions (
  id INTEGER PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE,
  direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound','internal')),
  media TEXT NOT NULL DEFAULT 'voice',
  channel TEXT,
  caller TEXT,
  called TEXT,
  customer_id INTEGER REFERENCES customers(id),
  service TEXT,
  started_at INTEGER NOT NULL,
  answered_at INTEGER,
  ended_at INTEGER,
  outcome TEXT,
  agent_user_id INTEGER REFERENCES users(id),
  disposition TEXT,
  recording_file_id INTEGER REFERENCES stored_files(id)
);
CREATE INDEX interactions_started ON interactions(started_at);
CREATE INDEX interactions_customer ON interactions(customer_id, started_at);
CREATE TABLE interaction_steps (
  id INTEGER PRIMARY KEY,
  interaction_id INTEGER NOT NULL REFERENCES interactions(id),
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX interaction_steps_interaction ON interaction_steps(interaction_id, id);
CREATE TABLE interaction_tickets (
  interaction_id INTEGER NOT NULL REFERENCES interactions(id),
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  PRIMARY KEY (interaction_id, ticket_id)
);
CREATE TABLE voicemails (
  id INTEGER PRIMARY KEY,
  interaction_id INTEGER REFERENCES interactions(id),
  caller TEXT,
  callback_number TEXT,
  wants_reply INTEGER NOT NULL DEFAULT 1,
  topic TEXT NOT NULL,
  file_id INTEGER NOT NULL REFERENCES stored_files(id),
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','in_progress','called_back','closed')),
  ticket_id INTEGER REFERENCES tickets(id),
  handled_by INTEGER REFERENCES users(id),
  handled_at INTEGER,
  outcome TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX voicemails_status ON voicemails(status, created_at);
CREATE TABLE faxes (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),
  remote_number TEXT,
  pages INTEGER NOT NULL CHECK (pages >= 0),
  file_id INTEGER NOT NULL REFERENCES stored_files(id),
  interaction_id INTEGER REFERENCES interactions(id),
  ticket_id INTEGER REFERENCES tickets(id),
  document_code TEXT,
  status TEXT NOT NULL CHECK (status IN ('received','queued','sent','failed')),
  created_at INTEGER NOT NULL
);
CREATE TABLE survey_answers (
  id INTEGER PRIMARY KEY,
  campaign TEXT NOT NULL,
  interaction_id INTEGER REFERENCES interactions(id),
  customer_id INTEGER REFERENCES customers(id),
  ticket_id INTEGER REFERENCES tickets(id),
  question TEXT NOT NULL,
  answer TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX survey_answers_campaign ON survey_answers(campaign, at);
`,
  },
];

/** The newest schema version this program knows. */
export const KNOWN_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** What {@link migrate} did. */
export interface MigrationReport {
  /** Version found before migrating (0 = empty database). */
  readonly from: number;
  /** Version after migrating. */
  readonly to: number;
  /** Versions applied, in order. */
  readonly applied: readonly number[];
}

/** Reads the schema version of a database (`PRAGMA user_version`). */
export async function schemaVersion(db: SqliteDatabase): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

/**
 * Brings the database up to the newest of `migrations` (default: this program's). Refuses, without
 * writing anything, a database whose version is newer than the newest migration given.
 */
export async function migrate(
  db: SqliteDatabase,
  options: { readonly migrations?: readonly Migration[]; readonly now?: () => number } = {},
): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? (() => Date.now());
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new AppError(AppErrorCode.Storage, `migration list is not 1..n: position ${i} has version ${m.version}`);
  });
  const known = migrations.length;
  const from = await schemaVersion(db);
  if (from > known) {
    throw new AppError(
      AppErrorCode.SchemaTooNew,
      `database ${db.filename} has schema version ${from}, this program knows up to ${known}`,
      {
        details: { found: from, known, file: db.filename },
      },
    );
  }
  const applied: number[] = [];
  for (const m of migrations.slice(from)) {
    await db.transaction(async () => {
      // Re-check inside the write lock: another process may have migrated meanwhile.
      const current = await schemaVersion(db);
      if (current >= m.version) return;
      await db.exec(m.sql);
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        now(),
      ]);
      await db.exec(`PRAGMA user_version = ${m.version}`);
      applied.push(m.version);
    });
  }
  return { from, to: Math.max(from, known), applied };
}
