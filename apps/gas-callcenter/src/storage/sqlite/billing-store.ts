/**
 * The local billing tables: the default {@link BillingAdapter}, and the writes seeding and import
 * need ({@link BillingStore}).
 * @module
 */
import {
  billStatus,
  type Arrears,
  type Bill,
  type BillingStore,
  type Payment,
  type PriceTable,
} from '../../domain/billing.js';
import type { AccountCategory } from '../../domain/customers.js';
import { notFound } from '../../domain/errors.js';
import type { ChargeLine, PriceTier } from '../../domain/tariff.js';
import { validateTiers } from '../../domain/tariff.js';
import type { SqliteDatabase } from '../database.js';

interface BillRow {
  id: number;
  account_no: string;
  period: string;
  previous_reading: number;
  current_reading: number;
  usage_m3: number;
  amount_fen: number;
  breakdown: string;
  issued_at: number;
  due_at: number;
  paid_fen: number;
}

interface PaymentRow {
  id: number;
  account_no: string;
  bill_id: number | null;
  amount_fen: number;
  paid_at: number;
  channel: Payment['channel'];
  reference: string | null;
}

const BILL_SELECT =
  'SELECT b.id, a.account_no, b.period, b.previous_reading, b.current_reading, b.usage_m3, b.amount_fen, b.breakdown, b.issued_at, b.due_at, b.paid_fen FROM bills b JOIN accounts a ON a.id = b.account_id';

function toBill(r: BillRow): Bill {
  return {
    id: r.id,
    accountNo: r.account_no,
    period: r.period,
    previousReading: r.previous_reading,
    currentReading: r.current_reading,
    usageM3: r.usage_m3,
    amountFen: r.amount_fen,
    lines: JSON.parse(r.breakdown) as ChargeLine[],
    issuedAt: r.issued_at,
    dueAt: r.due_at,
    paidFen: r.paid_fen,
    status: billStatus(r.amount_fen, r.paid_fen),
  };
}

function toPayment(r: PaymentRow): Payment {
  return {
    id: r.id,
    accountNo: r.account_no,
    billId: r.bill_id,
    amountFen: r.amount_fen,
    paidAt: r.paid_at,
    channel: r.channel,
    reference: r.reference,
  };
}

/** Bills, payments and price tables in SQLite. */
export class SqliteBillingStore implements BillingStore {
  constructor(private readonly db: SqliteDatabase) {}

  async bills(accountNo: string, options: { readonly limit?: number } = {}): Promise<Bill[]> {
    const rows = await this.db.all<BillRow>(`${BILL_SELECT} WHERE a.account_no = ? ORDER BY b.period DESC LIMIT ?`, [
      accountNo,
      options.limit ?? 12,
    ]);
    return rows.map(toBill);
  }

  async arrears(accountNo: string): Promise<Arrears> {
    const rows = await this.db.all<BillRow>(
      `${BILL_SELECT} WHERE a.account_no = ? AND b.paid_fen < b.amount_fen ORDER BY b.period`,
      [accountNo],
    );
    const bills = rows.map(toBill);
    return {
      accountNo,
      totalFen: bills.reduce((s, b) => s + b.amountFen - b.paidFen, 0),
      bills,
      oldestDueAt: bills[0]?.dueAt ?? null,
    };
  }

  async payments(accountNo: string, options: { readonly limit?: number } = {}): Promise<Payment[]> {
    const rows = await this.db.all<PaymentRow>(
      'SELECT p.id, a.account_no, p.bill_id, p.amount_fen, p.paid_at, p.channel, p.reference FROM payments p JOIN accounts a ON a.id = p.account_id WHERE a.account_no = ? ORDER BY p.paid_at DESC, p.id DESC LIMIT ?',
      [accountNo, options.limit ?? 12],
    );
    return rows.map(toPayment);
  }

  async priceTable(category: AccountCategory, year: number): Promise<PriceTable | undefined> {
    const rows = await this.db.all<{
      tier: number;
      upper_m3: number | null;
      price_fen: number;
      extra_m3_per_person: number;
    }>(
      'SELECT tier, upper_m3, price_fen, extra_m3_per_person FROM price_tiers WHERE category = ? AND year = ? ORDER BY tier',
      [category, year],
    );
    if (rows.length === 0) return undefined;
    const tiers: PriceTier[] = rows.map((r) => ({
      tier: r.tier,
      upperM3: r.upper_m3,
      priceFen: r.price_fen,
      extraM3PerPerson: r.extra_m3_per_person,
    }));
    return { category, year, tiers };
  }

  setPriceTable(table: PriceTable): Promise<void> {
    validateTiers(table.tiers);
    return this.db.transaction(async () => {
      await this.db.run('DELETE FROM price_tiers WHERE category = ? AND year = ?', [table.category, table.year]);
      await this.db.insertMany(
        'price_tiers',
        ['category', 'year', 'tier', 'upper_m3', 'price_fen', 'extra_m3_per_person'],
        table.tiers.map((t) => [table.category, table.year, t.tier, t.upperM3, t.priceFen, t.extraM3PerPerson]),
      );
    });
  }

  async addBill(bill: Omit<Bill, 'id' | 'paidFen' | 'status'>): Promise<Bill> {
    const account = await this.accountId(bill.accountNo);
    const { lastId } = await this.db.run(
      'INSERT INTO bills (account_id, period, previous_reading, current_reading, usage_m3, amount_fen, breakdown, issued_at, due_at) VALUES (?,?,?,?,?,?,?,?,?)',
      [
        account,
        bill.period,
        bill.previousReading,
        bill.currentReading,
        bill.usageM3,
        bill.amountFen,
        JSON.stringify(bill.lines),
        bill.issuedAt,
        bill.dueAt,
      ],
    );
    return { ...bill, id: lastId, paidFen: 0, status: billStatus(bill.amountFen, 0) };
  }

  addPayment(payment: Omit<Payment, 'id'>): Promise<Payment> {
    return this.db.transaction(async () => {
      const account = await this.accountId(payment.accountNo);
      const { lastId } = await this.db.run(
        'INSERT INTO payments (account_id, bill_id, amount_fen, paid_at, channel, reference) VALUES (?,?,?,?,?,?)',
        [account, payment.billId, payment.amountFen, payment.paidAt, payment.channel, payment.reference],
      );
      if (payment.billId !== null) {
        const { changes } = await this.db.run(
          'UPDATE bills SET paid_fen = paid_fen + ? WHERE id = ? AND account_id = ?',
          [payment.amountFen, payment.billId, account],
        );
        if (changes === 0) throw notFound('bill', payment.billId);
      }
      return { ...payment, id: lastId };
    });
  }

  async usageBefore(accountNo: string, periods: readonly string[]): Promise<number> {
    if (periods.length === 0) return 0;
    const row = await this.db.get<{ total: number | null }>(
      `SELECT sum(b.usage_m3) AS total FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_no = ? AND b.period IN (${periods.map(() => '?').join(',')})`,
      [accountNo, ...periods],
    );
    return row?.total ?? 0;
  }

  private async accountId(accountNo: string): Promise<number> {
    const row = await this.db.get<{ id: number }>('SELECT id FROM accounts WHERE account_no = ?', [accountNo]);
    if (!row) throw notFound('account', accountNo);
    return row.id;
  }
}
