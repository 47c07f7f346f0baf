/**
 * SQLite implementation of {@link CustomerRepository}.
 * @module
 */
import { notFound } from '../../domain/errors.js';
import type {
  Account,
  AccountCredential,
  Customer,
  CustomerPatch,
  CustomerPhone,
  CustomerQuery,
  CustomerRepository,
  Meter,
  MeterStatus,
  NewAccount,
  NewCustomer,
} from '../../domain/customers.js';
import type { Clock } from '../../domain/clock.js';
import type { SqliteDatabase, SqlValue } from '../database.js';

interface CustomerRow {
  id: number;
  customer_no: string;
  name: string;
  address: string;
  district: string;
  district_code: string;
  household_size: number;
  floor: number | null;
  status: Customer['status'];
  notes: string;
  created_at: number;
  updated_at: number;
}

interface AccountRow {
  id: number;
  account_no: string;
  customer_id: number;
  category: Account['category'];
  status: Account['status'];
  query_password_hash: string | null;
  failed_password_attempts: number;
  locked_until: number | null;
  opened_at: number;
}

interface MeterRow {
  id: number;
  meter_no: string;
  account_id: number;
  model: string;
  kind: Meter['kind'];
  installed_at: number;
  last_reading: number;
  last_read_at: number | null;
  status: MeterStatus;
}

const CUSTOMER_COLUMNS =
  'c.id, c.customer_no, c.name, c.address, c.district, c.district_code, c.household_size, c.floor, c.status, c.notes, c.created_at, c.updated_at';

function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    accountNo: r.account_no,
    customerId: r.customer_id,
    category: r.category,
    status: r.status,
    openedAt: r.opened_at,
    hasQueryPassword: r.query_password_hash !== null,
  };
}

function toMeter(r: MeterRow): Meter {
  return {
    id: r.id,
    meterNo: r.meter_no,
    accountId: r.account_id,
    model: r.model,
    kind: r.kind,
    installedAt: r.installed_at,
    lastReading: r.last_reading,
    lastReadAt: r.last_read_at,
    status: r.status,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Customers, accounts and meters in SQLite. */
export class SqliteCustomerRepository implements CustomerRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  async create(customer: NewCustomer): Promise<Customer> {
    const [id] = await this.createMany([customer]);
    return (await this.get(id!))!;
  }

  createMany(customers: readonly NewCustomer[]): Promise<number[]> {
    return this.db.transaction(async () => {
      const now = this.clock.now();
      await this.db.insertMany(
        'customers',
        [
          'customer_no',
          'name',
          'address',
          'district',
          'district_code',
          'household_size',
          'floor',
          'status',
          'notes',
          'created_at',
          'updated_at',
        ],
        customers.map((c) => [
          c.customerNo,
          c.name,
          c.address,
          c.district,
          c.districtCode,
          c.householdSize,
          c.floor,
          c.status,
          c.notes,
          now,
          now,
        ]),
      );
      const idByNumber = new Map<string, number>();
      for (let i = 0; i < customers.length; i += 500) {
        const chunk = customers.slice(i, i + 500).map((c) => c.customerNo);
        const rows = await this.db.all<{ id: number; customer_no: string }>(
          `SELECT id, customer_no FROM customers WHERE customer_no IN (${chunk.map(() => '?').join(',')})`,
          chunk,
        );
        for (const r of rows) idByNumber.set(r.customer_no, r.id);
      }
      const ids = customers.map((c) => idByNumber.get(c.customerNo)!);
      const phones: SqlValue[][] = [];
      customers.forEach((c, i) => {
        for (const p of dedupePhones(c.phones)) phones.push([ids[i]!, p.phone, p.kind]);
      });
      await this.db.insertMany('customer_phones', ['customer_id', 'phone', 'kind'], phones);
      return ids;
    });
  }

  update(id: number, patch: CustomerPatch): Promise<Customer> {
    return this.db.transaction(async () => {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      const columns: Record<string, keyof CustomerPatch> = {
        name: 'name',
        address: 'address',
        district: 'district',
        district_code: 'districtCode',
        household_size: 'householdSize',
        floor: 'floor',
        status: 'status',
        notes: 'notes',
      };
      for (const [column, key] of Object.entries(columns)) {
        if (patch[key] !== undefined) {
          sets.push(`${column} = ?`);
          params.push(patch[key] as SqlValue);
        }
      }
      sets.push('updated_at = ?');
      params.push(this.clock.now(), id);
      const { changes } = await this.db.run(`UPDATE customers SET ${sets.join(', ')} WHERE id = ?`, params);
      if (changes === 0) throw notFound('customer', id);
      if (patch.phones !== undefined) {
        await this.db.run('DELETE FROM customer_phones WHERE customer_id = ?', [id]);
        await this.db.insertMany(
          'customer_phones',
          ['customer_id', 'phone', 'kind'],
          dedupePhones(patch.phones).map((p) => [id, p.phone, p.kind]),
        );
      }
      return (await this.get(id))!;
    });
  }

  async get(id: number): Promise<Customer | undefined> {
    return (await this.load(`SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.id = ?`, [id]))[0];
  }

  async getByNumber(customerNo: string): Promise<Customer | undefined> {
    return (await this.load(`SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.customer_no = ?`, [customerNo]))[0];
  }

  findByPhone(phone: string): Promise<Customer[]> {
    return this.load(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers c JOIN customer_phones p ON p.customer_id = c.id WHERE p.phone = ? ORDER BY c.id`,
      [phone],
    );
  }

  search(q: CustomerQuery): Promise<Customer[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.name) {
      where.push("c.name LIKE ? ESCAPE '\\'");
      params.push(`%${escapeLike(q.name)}%`);
    }
    if (q.address) {
      where.push("c.address LIKE ? ESCAPE '\\'");
      params.push(`%${escapeLike(q.address)}%`);
    }
    if (q.phone) {
      where.push('c.id IN (SELECT customer_id FROM customer_phones WHERE phone = ?)');
      params.push(q.phone);
    }
    if (q.number) {
      where.push('(c.customer_no = ? OR c.id IN (SELECT customer_id FROM accounts WHERE account_no = ?))');
      params.push(q.number, q.number);
    }
    if (q.districtCode) {
      where.push('c.district_code = ?');
      params.push(q.districtCode);
    }
    const limit = Math.min(Math.max(q.limit ?? 20, 1), 200);
    params.push(limit);
    return this.load(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers c ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.id LIMIT ?`,
      params,
    );
  }

  async existingNumbers(customerNos: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < customerNos.length; i += 500) {
      const chunk = customerNos.slice(i, i + 500);
      const rows = await this.db.all<{ customer_no: string }>(
        `SELECT customer_no FROM customers WHERE customer_no IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const r of rows) found.add(r.customer_no);
    }
    return found;
  }

  async count(): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT count(*) AS n FROM customers'))?.n ?? 0;
  }

  async openAccount(a: NewAccount): Promise<Account> {
    const { lastId } = await this.db.run(
      'INSERT INTO accounts (account_no, customer_id, category, status, query_password_hash, opened_at) VALUES (?,?,?,?,?,?)',
      [a.accountNo, a.customerId, a.category, a.status, a.queryPasswordHash, a.openedAt],
    );
    const row = await this.db.get<AccountRow>('SELECT * FROM accounts WHERE id = ?', [lastId]);
    return toAccount(row!);
  }

  async getAccount(accountNo: string): Promise<Account | undefined> {
    const row = await this.db.get<AccountRow>('SELECT * FROM accounts WHERE account_no = ?', [accountNo]);
    return row && toAccount(row);
  }

  async accountsOf(customerId: number): Promise<Account[]> {
    return (
      await this.db.all<AccountRow>('SELECT * FROM accounts WHERE customer_id = ? ORDER BY id', [customerId])
    ).map(toAccount);
  }

  async getAccountCredential(accountNo: string): Promise<AccountCredential | undefined> {
    const row = await this.db.get<AccountRow>('SELECT * FROM accounts WHERE account_no = ?', [accountNo]);
    return (
      row && {
        accountId: row.id,
        hash: row.query_password_hash,
        failedAttempts: row.failed_password_attempts,
        lockedUntil: row.locked_until,
      }
    );
  }

  async setAccountCredential(accountId: number, s: Omit<AccountCredential, 'accountId'>): Promise<void> {
    const { changes } = await this.db.run(
      'UPDATE accounts SET query_password_hash = ?, failed_password_attempts = ?, locked_until = ? WHERE id = ?',
      [s.hash, s.failedAttempts, s.lockedUntil, accountId],
    );
    if (changes === 0) throw notFound('account', accountId);
  }

  async addMeter(m: Omit<Meter, 'id'>): Promise<Meter> {
    const { lastId } = await this.db.run(
      'INSERT INTO meters (meter_no, account_id, model, kind, installed_at, last_reading, last_read_at, status) VALUES (?,?,?,?,?,?,?,?)',
      [m.meterNo, m.accountId, m.model, m.kind, m.installedAt, m.lastReading, m.lastReadAt, m.status],
    );
    return { ...m, id: lastId };
  }

  async metersOf(accountId: number): Promise<Meter[]> {
    return (await this.db.all<MeterRow>('SELECT * FROM meters WHERE account_id = ? ORDER BY id', [accountId])).map(
      toMeter,
    );
  }

  async setMeterStatus(meterId: number, status: MeterStatus): Promise<void> {
    const { changes } = await this.db.run('UPDATE meters SET status = ? WHERE id = ?', [status, meterId]);
    if (changes === 0) throw notFound('meter', meterId);
  }

  private async load(sql: string, params: SqlValue[]): Promise<Customer[]> {
    const rows = await this.db.all<CustomerRow>(sql, params);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const phoneRows = await this.db.all<{ customer_id: number; phone: string; kind: CustomerPhone['kind'] }>(
      `SELECT customer_id, phone, kind FROM customer_phones WHERE customer_id IN (${ids.map(() => '?').join(',')}) ORDER BY rowid`,
      ids,
    );
    const phones = new Map<number, CustomerPhone[]>();
    for (const p of phoneRows) {
      const list = phones.get(p.customer_id) ?? [];
      list.push({ phone: p.phone, kind: p.kind });
      phones.set(p.customer_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      customerNo: r.customer_no,
      name: r.name,
      phones: phones.get(r.id) ?? [],
      address: r.address,
      district: r.district,
      districtCode: r.district_code,
      householdSize: r.household_size,
      floor: r.floor,
      status: r.status,
      notes: r.notes,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }
}

function dedupePhones(phones: readonly CustomerPhone[]): CustomerPhone[] {
  const seen = new Set<string>();
  return phones.filter((p) => !seen.has(p.phone) && seen.add(p.phone));
}
