import { afterEach, describe, expect, it } from 'vitest';
import { computeCharge } from '../domain/tariff.js';
import { openTestStore, TEST_SCRYPT, type TestStore } from '../storage/test-support.js';
import { DEMO_RESIDENTIAL_TIERS, seedDemoData } from './seed.js';

const stores: TestStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.dispose();
});

async function seeded(seed: number): Promise<TestStore> {
  const t = await openTestStore();
  stores.push(t);
  await seedDemoData(t.store, { customers: 300, seed, clock: t.clock, scrypt: TEST_SCRYPT });
  return t;
}

describe('demo seed', () => {
  it('is deterministic for a seed and differs between seeds', async () => {
    const [a, b, c] = [await seeded(42), await seeded(42), await seeded(43)];
    const dump = (t: TestStore) =>
      t.store.db.all(
        'SELECT c.customer_no, c.name, c.address, c.household_size, b.period, b.usage_m3, b.amount_fen, b.paid_fen FROM customers c JOIN accounts a ON a.customer_id = c.id JOIN bills b ON b.account_id = a.id ORDER BY b.id',
      );
    expect(await dump(a)).toEqual(await dump(b));
    expect(await dump(a)).not.toEqual(await dump(c));
  });

  it('prices every residential bill by the tiers, cumulatively over the year', async () => {
    const t = await seeded(7);
    const accounts = await t.store.db.all<{ account_no: string; household_size: number }>(
      "SELECT a.account_no, c.household_size FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE a.category = 'residential' LIMIT 40",
    );
    for (const acc of accounts) {
      const bills = (await t.store.billing.bills(acc.account_no, { limit: 12 })).reverse();
      expect(bills).toHaveLength(12);
      let prior = 0;
      let year = bills[0]!.period.slice(0, 4);
      for (const bill of bills) {
        if (bill.period.slice(0, 4) !== year) {
          year = bill.period.slice(0, 4);
          prior = 0;
        }
        expect(bill.amountFen).toBe(
          computeCharge(DEMO_RESIDENTIAL_TIERS, {
            usageM3: bill.usageM3,
            priorM3: prior,
            householdSize: acc.household_size,
          }).amountFen,
        );
        expect(bill.currentReading - bill.previousReading).toBe(bill.usageM3);
        prior += bill.usageM3;
      }
    }
  });

  it('produces realistic people, arrears and logins', async () => {
    const t = await seeded(1);
    const c = (await t.store.customers.search({ limit: 5 }))[0]!;
    expect(c.name).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
    expect(c.address).toMatch(/^南京市.+区.+号.+栋\d单元\d+室$/);
    expect(c.phones[0]?.phone).toMatch(/^1[358]\d{9}$/);
    const arrears = await t.store.db.get<{ n: number }>(
      'SELECT count(DISTINCT account_id) AS n FROM bills WHERE paid_fen < amount_fen',
    );
    expect(arrears!.n).toBeGreaterThan(5);
    expect(arrears!.n).toBeLessThan(60);
    expect((await t.store.users.list()).map((u) => u.username)).toEqual(
      expect.arrayContaining(['a001', 'a020', 's001', 'admin', 'network01']),
    );
  });
});
