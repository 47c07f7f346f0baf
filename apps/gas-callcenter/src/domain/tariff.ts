/**
 * Tiered gas prices (阶梯气价) for households.
 *
 * A household's usage is counted over a tier year (usually the calendar year). Each tier covers
 * the cumulative yearly volume up to its upper bound and has its own price; the last tier has no
 * upper bound. Households larger than the base size (4 people in most Chinese cities) get each
 * tier's upper bound raised by the tier's `extraM3PerPerson` for every person over the base.
 *
 * A bill's usage is priced across tiers by where it falls in the year: with `priorM3` already used
 * this tier year, the bill's `usageM3` covers the volume interval `[priorM3, priorM3 + usageM3)`,
 * and each tier charges the part of that interval inside it.
 *
 * Volumes are whole cubic metres and prices whole fen per m³, so amounts are exact integers (fen).
 * @module
 */
import { invalid } from './errors.js';

/** One tier of a price table. */
export interface PriceTier {
  /** 1, 2, 3… */
  readonly tier: number;
  /** Upper bound of cumulative yearly usage (m³) for a base-size household; `null` = no bound. */
  readonly upperM3: number | null;
  /** Price in fen per m³. */
  readonly priceFen: number;
  /** m³ added to the upper bound per person above the base household size. */
  readonly extraM3PerPerson: number;
}

/** A tier with its bounds adjusted for one household. */
export interface EffectiveTier {
  readonly tier: number;
  /** Lower bound of cumulative yearly usage (m³), inclusive. */
  readonly fromM3: number;
  /** Upper bound (m³), exclusive; `null` = no bound. */
  readonly toM3: number | null;
  readonly priceFen: number;
}

/** One tier's share of a charge. */
export interface ChargeLine {
  readonly tier: number;
  readonly m3: number;
  readonly priceFen: number;
  readonly amountFen: number;
}

/** A computed charge. */
export interface Charge {
  readonly usageM3: number;
  readonly amountFen: number;
  /** Only tiers with volume in them, lowest first. */
  readonly lines: readonly ChargeLine[];
}

/** Household-size rule; the default is the common "over 4 people" rule. */
export interface HouseholdRule {
  /** Household size up to which no adjustment applies (default 4). */
  readonly baseHouseholdSize: number;
}

const DEFAULT_RULE: HouseholdRule = { baseHouseholdSize: 4 };

function nonNegativeInt(field: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw invalid(field, `must be a whole number ≥ 0 (got ${v})`);
}

/**
 * Checks a price table: tiers numbered 1..n in order, every upper bound positive and strictly
 * increasing, only the last tier unbounded, prices whole fen ≥ 0. Throws `ERR_INVALID`.
 */
export function validateTiers(tiers: readonly PriceTier[]): void {
  if (tiers.length === 0) throw invalid('tiers', 'at least one tier is required');
  let previous = 0;
  tiers.forEach((t, i) => {
    if (t.tier !== i + 1) throw invalid(`tiers[${i}].tier`, `expected ${i + 1}, got ${t.tier}`);
    nonNegativeInt(`tiers[${i}].priceFen`, t.priceFen);
    nonNegativeInt(`tiers[${i}].extraM3PerPerson`, t.extraM3PerPerson);
    const last = i === tiers.length - 1;
    if (t.upperM3 === null) {
      if (!last) throw invalid(`tiers[${i}].upperM3`, 'only the last tier may be unbounded');
      return;
    }
    if (last) throw invalid(`tiers[${i}].upperM3`, 'the last tier must be unbounded');
    nonNegativeInt(`tiers[${i}].upperM3`, t.upperM3);
    if (t.upperM3 <= previous) throw invalid(`tiers[${i}].upperM3`, `must be above ${previous}`);
    previous = t.upperM3;
  });
}

/** The tier bounds that apply to a household of `householdSize` people. */
export function effectiveTiers(
  tiers: readonly PriceTier[],
  householdSize: number,
  rule: HouseholdRule = DEFAULT_RULE,
): EffectiveTier[] {
  validateTiers(tiers);
  if (!Number.isSafeInteger(householdSize) || householdSize < 1)
    throw invalid('householdSize', `must be a whole number ≥ 1 (got ${householdSize})`);
  const extraPeople = Math.max(0, householdSize - rule.baseHouseholdSize);
  const out: EffectiveTier[] = [];
  let from = 0;
  for (const t of tiers) {
    let to = t.upperM3 === null ? null : t.upperM3 + extraPeople * t.extraM3PerPerson;
    // A table whose lower tier grows faster than the next must not produce an inverted tier.
    if (to !== null && to < from) to = from;
    out.push({ tier: t.tier, fromM3: from, toM3: to, priceFen: t.priceFen });
    if (to !== null) from = to;
  }
  return out;
}

/**
 * Prices `usageM3` of gas used after `priorM3` already used in the same tier year, for a household
 * of `householdSize` people.
 */
export function computeCharge(
  tiers: readonly PriceTier[],
  input: { readonly usageM3: number; readonly priorM3: number; readonly householdSize: number },
  rule: HouseholdRule = DEFAULT_RULE,
): Charge {
  nonNegativeInt('usageM3', input.usageM3);
  nonNegativeInt('priorM3', input.priorM3);
  return chargeAcross(effectiveTiers(tiers, input.householdSize, rule), input);
}

/**
 * {@link computeCharge} on tiers already adjusted for the household (from {@link effectiveTiers});
 * for bulk billing, where the same household's tiers price many bills.
 */
export function chargeAcross(
  tiers: readonly EffectiveTier[],
  input: { readonly usageM3: number; readonly priorM3: number },
): Charge {
  const start = input.priorM3;
  const end = input.priorM3 + input.usageM3;
  const lines: ChargeLine[] = [];
  let amountFen = 0;
  for (const t of tiers) {
    const lo = Math.max(start, t.fromM3);
    const hi = t.toM3 === null ? end : Math.min(end, t.toM3);
    if (hi > lo) {
      lines.push({ tier: t.tier, m3: hi - lo, priceFen: t.priceFen, amountFen: (hi - lo) * t.priceFen });
      amountFen += (hi - lo) * t.priceFen;
    }
  }
  return { usageM3: input.usageM3, amountFen, lines };
}

/**
 * The tier year a month belongs to, for tier years starting in `startMonth` (1 = calendar year).
 * E.g. with `startMonth` 11, November 2025 … October 2026 is tier year 2026.
 */
export function tierYearOf(year: number, month: number, startMonth = 1): number {
  if (startMonth === 1) return year;
  return month >= startMonth ? year + 1 : year;
}
