import { describe, expect, it } from 'vitest';
import { AppErrorCode } from './errors.js';
import { computeCharge, effectiveTiers, tierYearOf, type PriceTier } from './tariff.js';

/** A three-tier residential table: 0–300 m³ at 2.50, 300–600 at 3.00, above at 3.75; +60/+90 m³ per extra person. */
const TIERS: readonly PriceTier[] = [
  { tier: 1, upperM3: 300, priceFen: 250, extraM3PerPerson: 60 },
  { tier: 2, upperM3: 600, priceFen: 300, extraM3PerPerson: 90 },
  { tier: 3, upperM3: null, priceFen: 375, extraM3PerPerson: 0 },
];

describe('tiered gas prices', () => {
  it.each([
    // usage, prior, household, amount (fen), lines [tier, m³]
    { usage: 0, prior: 0, people: 3, amount: 0, lines: [] },
    { usage: 20, prior: 0, people: 3, amount: 5000, lines: [[1, 20]] },
    { usage: 300, prior: 0, people: 4, amount: 75000, lines: [[1, 300]] },
    { usage: 1, prior: 300, people: 4, amount: 300, lines: [[2, 1]] },
    {
      usage: 50,
      prior: 280,
      people: 2,
      amount: 20 * 250 + 30 * 300,
      lines: [
        [1, 20],
        [2, 30],
      ],
    },
    {
      usage: 400,
      prior: 250,
      people: 4,
      amount: 50 * 250 + 300 * 300 + 50 * 375,
      lines: [
        [1, 50],
        [2, 300],
        [3, 50],
      ],
    },
    { usage: 100, prior: 700, people: 1, amount: 100 * 375, lines: [[3, 100]] },
    // Five people: tier 1 ends at 360, tier 2 at 690.
    { usage: 50, prior: 280, people: 5, amount: 50 * 250, lines: [[1, 50]] },
    {
      usage: 100,
      prior: 300,
      people: 5,
      amount: 60 * 250 + 40 * 300,
      lines: [
        [1, 60],
        [2, 40],
      ],
    },
    {
      usage: 100,
      prior: 650,
      people: 5,
      amount: 40 * 300 + 60 * 375,
      lines: [
        [2, 40],
        [3, 60],
      ],
    },
    // Seven people: tier 1 ends at 480, tier 2 at 870.
    {
      usage: 1000,
      prior: 0,
      people: 7,
      amount: 480 * 250 + 390 * 300 + 130 * 375,
      lines: [
        [1, 480],
        [2, 390],
        [3, 130],
      ],
    },
  ])('$usage m³ after $prior m³ for $people people costs $amount fen', ({ usage, prior, people, amount, lines }) => {
    const charge = computeCharge(TIERS, { usageM3: usage, priorM3: prior, householdSize: people });
    expect(charge.amountFen).toBe(amount);
    expect(charge.lines.map((l) => [l.tier, l.m3])).toEqual(lines);
    expect(charge.lines.reduce((s, l) => s + l.m3, 0)).toBe(usage);
  });

  it('split a year of monthly bills to the same total as one yearly bill', () => {
    const months = [60, 55, 48, 35, 25, 18, 15, 15, 20, 35, 50, 70];
    let prior = 0;
    let total = 0;
    for (const m of months) {
      total += computeCharge(TIERS, { usageM3: m, priorM3: prior, householdSize: 6 }).amountFen;
      prior += m;
    }
    expect(total).toBe(computeCharge(TIERS, { usageM3: prior, priorM3: 0, householdSize: 6 }).amountFen);
  });

  it('adjust bounds only above the base household size', () => {
    expect(effectiveTiers(TIERS, 4).map((t) => t.toM3)).toEqual([300, 600, null]);
    expect(effectiveTiers(TIERS, 1).map((t) => t.toM3)).toEqual([300, 600, null]);
    expect(effectiveTiers(TIERS, 6).map((t) => t.toM3)).toEqual([420, 780, null]);
    expect(effectiveTiers(TIERS, 6, { baseHouseholdSize: 5 }).map((t) => t.toM3)).toEqual([360, 690, null]);
  });

  it.each([
    { tiers: [], why: 'empty' },
    { tiers: [{ tier: 1, upperM3: 300, priceFen: 250, extraM3PerPerson: 0 }], why: 'last tier bounded' },
    {
      tiers: [
        { tier: 1, upperM3: null, priceFen: 250, extraM3PerPerson: 0 },
        { tier: 2, upperM3: null, priceFen: 300, extraM3PerPerson: 0 },
      ],
      why: 'unbounded middle',
    },
    {
      tiers: [
        { tier: 1, upperM3: 300, priceFen: 250, extraM3PerPerson: 0 },
        { tier: 2, upperM3: 200, priceFen: 300, extraM3PerPerson: 0 },
        { tier: 3, upperM3: null, priceFen: 1, extraM3PerPerson: 0 },
      ],
      why: 'decreasing',
    },
    { tiers: [{ tier: 2, upperM3: null, priceFen: 250, extraM3PerPerson: 0 }], why: 'numbering' },
    { tiers: [{ tier: 1, upperM3: null, priceFen: 2.5, extraM3PerPerson: 0 }], why: 'fractional fen' },
  ])('reject a malformed table ($why)', ({ tiers }) => {
    expect(() => computeCharge(tiers as PriceTier[], { usageM3: 1, priorM3: 0, householdSize: 1 })).toThrow(
      expect.objectContaining({ code: AppErrorCode.Invalid }),
    );
  });

  it('reject negative or fractional usage and bad household sizes', () => {
    expect(() => computeCharge(TIERS, { usageM3: -1, priorM3: 0, householdSize: 1 })).toThrow(
      expect.objectContaining({ code: AppErrorCode.Invalid }),
    );
    expect(() => computeCharge(TIERS, { usageM3: 1.5, priorM3: 0, householdSize: 1 })).toThrow(
      expect.objectContaining({ code: AppErrorCode.Invalid }),
    );
    expect(() => computeCharge(TIERS, { usageM3: 1, priorM3: 0, householdSize: 0 })).toThrow(
      expect.objectContaining({ code: AppErrorCode.Invalid }),
    );
  });

  it('place months in tier years', () => {
    expect(tierYearOf(2026, 1)).toBe(2026);
    expect(tierYearOf(2025, 11, 11)).toBe(2026);
    expect(tierYearOf(2026, 10, 11)).toBe(2026);
  });
});
