/**
 * Storage benchmark (B8 in research/perf-and-deps.md):
 * 1. durable ticket creation (tracking number + ticket + history, one transaction, synchronous=FULL,
 *    WAL) through the repository layer and TicketService, against raw `sqlite3` statements writing
 *    the same rows in the same transaction shape, in the same run: rate, p50/p99, ratio;
 * 2. seeding throughput (customers and rows per second) of the demo generator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sqlite3 from 'sqlite3';
import { asyncScheduler } from 'rxjs';
import { TicketService } from '../apps/gas-callcenter/src/domain/ticket-service.js';
import { localDate } from '../apps/gas-callcenter/src/domain/clock.js';
import { makeTrackingNumber } from '../apps/gas-callcenter/src/domain/tracking-number.js';
import { seedDemoData } from '../apps/gas-callcenter/src/seed/seed.js';
import { openSqliteStore } from '../apps/gas-callcenter/src/storage/sqlite/sqlite-store.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 2000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function summary(name: string, latencies: number[], wallMs: number): { rate: number; p50: number; p99: number } {
  const s = [...latencies].sort((a, b) => a - b);
  const r = { rate: (latencies.length / wallMs) * 1000, p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
  console.log(
    `${name.padEnd(34)} ${r.rate.toFixed(0).padStart(7)} tickets/s   p50 ${r.p50.toFixed(3)} ms   p99 ${r.p99.toFixed(3)} ms`,
  );
  return r;
}

async function repositoryRun(dir: string): Promise<{ rate: number; p50: number; p99: number }> {
  const store = await openSqliteStore({ dataDir: dir, clock: asyncScheduler, synchronous: 'full' });
  const svc = new TicketService({
    tickets: store.tickets,
    departments: store.departments,
    audit: store.audit,
    clock: asyncScheduler,
  });
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < TICKETS; i++) {
    const s = performance.now();
    await svc.open(
      { kind: 'system', name: 'ivr' },
      {
        type: 'repair',
        subtype: 'no_gas',
        description: '家里没有气了，请派人检查',
        channel: 'phone',
        callerPhone: '13800138000',
      },
    );
    lat.push(performance.now() - s);
  }
  const r = summary('repository layer (TicketService)', lat, performance.now() - t0);
  svc.dispose();
  await store.close();
  return r;
}

function call(
  db: sqlite3.Database,
  method: 'run' | 'get' | 'exec',
  sql: string,
  params: unknown[] = [],
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (method === 'exec') db.exec(sql, (err) => (err ? reject(err) : resolve(undefined)));
    else
      (db[method] as (sql: string, params: unknown[], cb: (err: Error | null, row?: unknown) => void) => void).call(
        db,
        sql,
        params,
        (err, row) => (err ? reject(err) : resolve(row)),
      );
  });
}

async function rawRun(dir: string): Promise<{ rate: number; p50: number; p99: number }> {
  // Same schema (created by the store's migrations), then closed and reopened raw.
  const store = await openSqliteStore({ dataDir: dir, clock: asyncScheduler });
  await store.close();
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d: sqlite3.Database = new sqlite3.Database(join(dir, 'hotline.db'), (err) =>
      err ? reject(err) : resolve(d),
    );
  });
  await call(db, 'exec', 'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL');
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < TICKETS; i++) {
    const s = performance.now();
    const now = Date.now();
    const day = localDate(now);
    await call(db, 'exec', 'BEGIN IMMEDIATE');
    const seq = (await call(
      db,
      'get',
      'INSERT INTO tracking_sequences (day, last) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last',
      [day.iso],
    )) as { last: number };
    const tn = makeTrackingNumber(day, seq.last);
    const id = await new Promise<number>((resolve, reject) =>
      db.run(
        `INSERT INTO tickets (tracking_no, type, subtype, status, priority, description, channel, caller_phone, escalation_level, reopen_count, deadline_at, created_by, created_at, updated_at)
         VALUES (?, 'repair', 'no_gas', 'accepted', 2, ?, 'phone', ?, 0, 0, ?, 'ivr', ?, ?)`,
        [tn, '家里没有气了，请派人检查', '13800138000', now + 86_400_000, now, now],
        function (err) {
          if (err) reject(err);
          else resolve(this.lastID);
        },
      ),
    );
    await call(
      db,
      'run',
      "INSERT INTO ticket_history (ticket_id, at, actor, action, from_status, to_status) VALUES (?, ?, 'ivr', 'accept', NULL, 'accepted')",
      [id, now],
    );
    await call(db, 'exec', 'COMMIT');
    lat.push(performance.now() - s);
  }
  const r = summary('raw sqlite3, same rows and shape', lat, performance.now() - t0);
  await new Promise<void>((resolve) => db.close(() => resolve()));
  return r;
}

/** Runs the storage benchmarks and prints their figures. */
export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hotline-bench-storage-'));
  try {
    console.log(
      `durable ticket creation, ${TICKETS} tickets each, WAL + synchronous=FULL, one at a time (each acknowledged after commit)`,
    );
    const raw = await rawRun(join(root, 'raw'));
    const repo = await repositoryRun(join(root, 'repo'));
    console.log(
      `ratio repository/raw: rate ${(repo.rate / raw.rate).toFixed(2)}×, p99 ${(repo.p99 / raw.p99).toFixed(2)}×`,
    );

    console.log(`\nseeding ${CUSTOMERS} customers (accounts, meters, 12 months of bills and payments)`);
    const store = await openSqliteStore({ dataDir: join(root, 'seed'), clock: asyncScheduler, synchronous: 'full' });
    const t0 = performance.now();
    const r = await seedDemoData(store, {
      customers: CUSTOMERS,
      seed: 20260101,
      clock: asyncScheduler,
      scrypt: { N: 1024, r: 8, p: 1 },
    });
    const s = (performance.now() - t0) / 1000;
    const rows = r.customers * 2 + r.accounts * 2 + r.bills + r.payments;
    console.log(
      `seeded in ${s.toFixed(2)} s: ${(r.customers / s).toFixed(0)} customers/s, about ${(rows / s).toFixed(0)} rows/s (${rows} rows)`,
    );
    await store.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
