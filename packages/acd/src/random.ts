/**
 * A seeded pseudo-random generator and the distributions the simulation harness draws from.
 * Deterministic: the same seed gives the same sequence on every platform.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** Mulberry32: a small, fast 32-bit PRNG with a full 2^32 period; good enough for simulation. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A distribution of durations (ms). */
export type Distribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  /** Lognormal given by its mean and coefficient of variation (sd/mean). */
  | { readonly kind: 'lognormal'; readonly meanMs: number; readonly cv: number };

/** Draws an exponential variate with mean `mean`. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Draws a standard normal variate (Box–Muller). */
export function standardNormal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Draws one duration from `d`. */
export function sample(random: Random, d: Distribution): number {
  switch (d.kind) {
    case 'fixed':
      return d.ms;
    case 'exponential':
      return exponential(random, d.meanMs);
    case 'lognormal': {
      const sigma2 = Math.log(1 + d.cv * d.cv);
      const mu = Math.log(d.meanMs) - sigma2 / 2;
      return Math.exp(mu + Math.sqrt(sigma2) * standardNormal(random));
    }
  }
}

/** Mean of a distribution, ms. */
export function meanOf(d: Distribution): number {
  return d.kind === 'fixed' ? d.ms : d.meanMs;
}
