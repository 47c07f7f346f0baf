/**
 * Bills, payments, arrears and price tables, behind a {@link BillingAdapter} so that a company's
 * own billing system can replace the local tables (M25).
 * @module
 */
import type { AccountCategory } from './customers.js';
import type { ChargeLine, PriceTier } from './tariff.js';

/** A gas bill for one period of one account. */
export interface Bill {
  readonly id: number;
  readonly accountNo: string;
  /** `YYYY-MM`. */
  readonly period: string;
  readonly previousReading: number;
  readonly currentReading: number;
  readonly usageM3: number;
  readonly amountFen: number;
  /** How the amount splits across price tiers. */
  readonly lines: readonly ChargeLine[];
  readonly issuedAt: number;
  readonly dueAt: number;
  readonly paidFen: number;
  /** Derived: `paid` when fully paid, `partial`, or `unpaid`. */
  readonly status: 'unpaid' | 'partial' | 'paid';
}

/** A payment received. */
export interface Payment {
  readonly id: number;
  readonly accountNo: string;
  readonly billId: number | null;
  readonly amountFen: number;
  readonly paidAt: number;
  readonly channel: PaymentChannel;
  readonly reference: string | null;
}

/** Where a payment was made. */
export type PaymentChannel = 'counter' | 'bank' | 'wechat' | 'alipay' | 'card';

/** What an account owes. */
export interface Arrears {
  readonly accountNo: string;
  /** Total unpaid (fen). */
  readonly totalFen: number;
  /** Unpaid bills, oldest first. */
  readonly bills: readonly Bill[];
  /** Due date of the oldest unpaid bill, if any. */
  readonly oldestDueAt: number | null;
}

/** A price table: the tiers of one category and tier year. */
export interface PriceTable {
  readonly category: AccountCategory;
  readonly year: number;
  readonly tiers: readonly PriceTier[];
}

/**
 * The billing system as the call centre sees it. The default implementation reads the local SQLite
 * tables; a company plugs in its own system by implementing this interface. Unknown accounts give
 * empty results (`undefined` for a price table that does not exist), never errors, so the IVR can
 * treat "no data" uniformly.
 */
export interface BillingAdapter {
  /** The account's latest bills, newest first (default 12). */
  bills(accountNo: string, options?: { readonly limit?: number }): Promise<Bill[]>;
  /** What the account owes now. */
  arrears(accountNo: string): Promise<Arrears>;
  /** The account's latest payments, newest first (default 12). */
  payments(accountNo: string, options?: { readonly limit?: number }): Promise<Payment[]>;
  /** The price table of a category and tier year. */
  priceTable(category: AccountCategory, year: number): Promise<PriceTable | undefined>;
}

/** Writes to the local billing tables (seeding, import, tests). */
export interface BillingStore extends BillingAdapter {
  /** Replaces the price table of a category and year (validated). */
  setPriceTable(table: PriceTable): Promise<void>;
  /** Issues a bill; `lines` and `amountFen` must come from `computeCharge`. */
  addBill(bill: Omit<Bill, 'id' | 'paidFen' | 'status'>): Promise<Bill>;
  /** Records a payment and applies it to its bill (if any). */
  addPayment(payment: Omit<Payment, 'id'>): Promise<Payment>;
  /** Usage already billed in the tier year before `period` (for pricing the next bill). */
  usageBefore(accountNo: string, tierYearPeriods: readonly string[]): Promise<number>;
}

/** `paid` / `partial` / `unpaid` from amounts. */
export function billStatus(amountFen: number, paidFen: number): Bill['status'] {
  if (paidFen >= amountFen) return 'paid';
  return paidFen > 0 ? 'partial' : 'unpaid';
}
