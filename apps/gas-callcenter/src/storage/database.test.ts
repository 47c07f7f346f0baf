import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHotlineError } from '@hotline/cti-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppErrorCode } from '../domain/errors.js';
import { openDatabase, type SqliteDatabase } from './database.js';

let dir: string;
let db: SqliteDatabase;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-db-'));
  db = await openDatabase(join(dir, 'test.db'));
  await db.exec(
    'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE); CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL REFERENCES t(id))',
  );
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('uses WAL, foreign keys, synchronous FULL and a busy timeout', async () => {
    expect((await db.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode).toBe('wal');
    expect((await db.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))?.foreign_keys).toBe(1);
    expect((await db.get<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous).toBe(2);
    expect((await db.get<{ timeout: number }>('PRAGMA busy_timeout'))?.timeout).toBe(5000);
  });

  it('enforces foreign keys', async () => {
    await expect(db.run('INSERT INTO child (t_id) VALUES (42)')).rejects.toMatchObject({
      code: AppErrorCode.Storage,
      details: { sqliteCode: 'SQLITE_CONSTRAINT' },
    });
  });

  it('maps unique violations to ERR_DUPLICATE', async () => {
    await db.run('INSERT INTO t (v) VALUES (?)', ['a']);
    const err = await db.run('INSERT INTO t (v) VALUES (?)', ['a']).catch((e: unknown) => e);
    expect(isHotlineError(err, AppErrorCode.Duplicate)).toBe(true);
  });

  it('refuses a file that is not a database', async () => {
    const { writeFileSync } = await import('node:fs');
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'this is not a database, just text that is long enough to be read as a header....');
    await expect(openDatabase(bad)).rejects.toMatchObject({ code: AppErrorCode.Storage });
  });
});

describe('transactions', () => {
  it('commit when the function resolves and roll back when it rejects', async () => {
    await db.transaction(async () => {
      await db.run("INSERT INTO t (v) VALUES ('kept')");
    });
    await expect(
      db.transaction(async () => {
        await db.run("INSERT INTO t (v) VALUES ('lost')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.all<{ v: string }>('SELECT v FROM t')).map((r) => r.v)).toEqual(['kept']);
  });

  it('keep statements issued elsewhere out of an open transaction', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db
      .transaction(async () => {
        await db.run("INSERT INTO t (v) VALUES ('in-tx')");
        await gate;
        throw new Error('rollback');
      })
      .catch(() => undefined);
    // Issued while the transaction is open, from outside it: must wait, then commit on its own.
    const outside = db.run("INSERT INTO t (v) VALUES ('outside')");
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all([tx, outside]);
    expect((await db.all<{ v: string }>('SELECT v FROM t')).map((r) => r.v)).toEqual(['outside']);
  });

  it('turn nested transactions into savepoints that roll back alone', async () => {
    await db.transaction(async () => {
      await db.run("INSERT INTO t (v) VALUES ('outer')");
      await db
        .transaction(async () => {
          await db.run("INSERT INTO t (v) VALUES ('inner')");
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      await db.transaction(async () => {
        await db.run("INSERT INTO t (v) VALUES ('inner-ok')");
      });
    });
    expect((await db.all<{ v: string }>('SELECT v FROM t ORDER BY id')).map((r) => r.v)).toEqual(['outer', 'inner-ok']);
  });

  it('serialise parallel savepoints inside one transaction', async () => {
    await db.transaction(async () => {
      await Promise.all(
        ['a', 'b', 'c', 'd'].map((v) =>
          db
            .transaction(async () => {
              await db.run('INSERT INTO t (v) VALUES (?)', [v]);
              await new Promise((r) => setTimeout(r, 5));
              if (v === 'b') throw new Error('b fails');
            })
            .catch(() => undefined),
        ),
      );
    });
    expect((await db.all<{ v: string }>('SELECT v FROM t ORDER BY v')).map((r) => r.v)).toEqual(['a', 'c', 'd']);
  });

  it('serialise concurrent top-level transactions', async () => {
    await db.run("INSERT INTO t (id, v) VALUES (1, '0')");
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async () => {
          const row = await db.get<{ v: string }>('SELECT v FROM t WHERE id = 1');
          await new Promise((r) => setImmediate(r));
          await db.run('UPDATE t SET v = ? WHERE id = 1', [String(Number(row!.v) + 1)]);
        }),
      ),
    );
    expect((await db.get<{ v: string }>('SELECT v FROM t WHERE id = 1'))?.v).toBe('20');
  });

  it('insertMany inserts in chunks and rejects a malformed row', async () => {
    const rows = Array.from({ length: 1234 }, (_, i) => [i + 1, `v${i}`]);
    await db.transaction(() => db.insertMany('t', ['id', 'v'], rows));
    expect((await db.get<{ n: number }>('SELECT count(*) AS n FROM t'))?.n).toBe(1234);
    await expect(db.insertMany('t', ['id', 'v'], [[1]])).rejects.toMatchObject({ code: AppErrorCode.Storage });
  });

  it('reject operations after close', async () => {
    await db.close();
    await expect(db.get('SELECT 1')).rejects.toMatchObject({ code: AppErrorCode.Closed });
    db = await openDatabase(join(dir, 'test.db'));
  });
});
