/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) so synthetic data is
 * the same on every machine and every run for the same seed.
 * @module
 */

/** A deterministic random source. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One element chosen by weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** A string of `n` random decimal digits. */
  digits(n: number): string;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a generator from a 32-bit seed. */
export function createRandom(seed: number): Random {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();
  const cache = new WeakMap<readonly (readonly [unknown, number])[], { total: number; cumulative: number[] }>();
  const r: Random = {
    next: () => next32() / 4294967296,
    int: (lo, hi) => lo + Math.floor(r.next() * (hi - lo + 1)),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(r.next() * items.length)]!;
    },
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      let c = cache.get(items);
      if (!c) {
        let total = 0;
        const cumulative = items.map(([, w]) => (total += w));
        c = { total, cumulative };
        cache.set(items, c);
      }
      const x = r.next() * c.total;
      let lo = 0;
      let hi = c.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c.cumulative[mid]! > x) hi = mid;
        else lo = mid + 1;
      }
      return items[lo]![0];
    },
    chance: (p) => r.next() < p,
    digits: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += String(Math.floor(r.next() * 10));
      return s;
    },
  };
  return r;
}
