import { join } from 'node:path';
import { isHotlineError } from '@hotline/cti-core';
import { afterEach, describe, expect, it } from 'vitest';
import { AppErrorCode } from '../domain/errors.js';
import { openDatabase } from './database.js';
import { KNOWN_SCHEMA_VERSION, migrate, MIGRATIONS, schemaVersion } from './migrations.js';
import { openTestStore, type TestStore } from './test-support.js';
import { DATABASE_FILE } from './backup.js';

let t: TestStore | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe('migrations', () => {
  it('bring a fresh database to the newest version and record each step', async () => {
    t = await openTestStore();
    expect(t.store.startup.migration).toEqual({
      from: 0,
      to: KNOWN_SCHEMA_VERSION,
      applied: MIGRATIONS.map((m) => m.version),
    });
    expect(await schemaVersion(t.store.db)).toBe(KNOWN_SCHEMA_VERSION);
    const rows = await t.store.db.all<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // Opening again applies nothing.
    await t.reopen();
    expect(t.store.startup.migration.applied).toEqual([]);
  });

  it('upgrade an older database in place, keeping its data', async () => {
    t = await openTestStore({ migrations: MIGRATIONS.slice(0, 1) });
    expect(await schemaVersion(t.store.db)).toBe(1);
    await t.store.departments.create({ code: 'cs', name: '客服中心', parentId: null, phone: null });
    await t.store.db.run(
      "INSERT INTO customers (customer_no, name, address, district, district_code, household_size, created_at, updated_at) VALUES ('C1', '王芳', '中山路1号', '鼓楼区', '320106', 3, 0, 0)",
    );
    await t.reopen();
    expect(t.store.startup.migration).toMatchObject({ from: 1, to: KNOWN_SCHEMA_VERSION, applied: [2, 3] });
    expect((await t.store.customers.getByNumber('C1'))?.name).toBe('王芳');
    expect((await t.store.departments.getByCode('cs'))?.name).toBe('客服中心');
    const ticket = await t.store.tickets.create(
      {
        type: 'complaint',
        subtype: 'service',
        status: 'accepted',
        priority: 4,
        customerId: null,
        callerPhone: null,
        contactName: null,
        address: null,
        description: 'x',
        channel: 'phone',
        departmentId: null,
        assigneeUserId: null,
        result: null,
        escalationLevel: 0,
        reopenCount: 0,
        deadlineAt: null,
        createdBy: 'test',
        createdAt: 0,
        updatedAt: 0,
      },
      [],
      { year: 2026, month: 1, day: 1, iso: '2026-01-01' },
    );
    expect(ticket.trackingNo).toMatch(/^26010100001\d$/);
  });

  it('roll back a failing migration completely', async () => {
    t = await openTestStore({ migrations: MIGRATIONS.slice(0, 1) });
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      { version: 2, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    await expect(migrate(t.store.db, { migrations: broken })).rejects.toMatchObject({ code: AppErrorCode.Storage });
    expect(await schemaVersion(t.store.db)).toBe(1);
    expect(await t.store.db.get("SELECT name FROM sqlite_master WHERE name = 'half'")).toBeUndefined();
  });

  it('refuse a database whose schema is newer than the program, without touching it', async () => {
    t = await openTestStore();
    await t.store.db.exec(`PRAGMA user_version = ${KNOWN_SCHEMA_VERSION + 1}`);
    await t.store.close();
    const err = await t.reopen().catch((e: unknown) => e);
    expect(isHotlineError(err, AppErrorCode.SchemaTooNew)).toBe(true);
    expect(err).toMatchObject({ details: { found: KNOWN_SCHEMA_VERSION + 1, known: KNOWN_SCHEMA_VERSION } });
    const raw = await openDatabase(join(t.dir, DATABASE_FILE));
    expect(await schemaVersion(raw)).toBe(KNOWN_SCHEMA_VERSION + 1);
    await raw.exec(`PRAGMA user_version = ${KNOWN_SCHEMA_VERSION}`);
    await raw.close();
    t.store = await (await import('./sqlite/sqlite-store.js')).openSqliteStore({ dataDir: t.dir, clock: t.clock });
  });
});
