/**
 * Erlang C (M/M/N, no abandonment): the analytic reference the simulation is checked against, and
 * a staffing helper for the application. Formulas (callcenter-anchors §b):
 *
 * - offered load `A = λ · AHT` (Erlangs), needs `N > A`;
 * - `P_w = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A))`;
 * - `SL(T) = 1 − P_w · e^{−(N−A)·T/AHT}`; `ASA = P_w · AHT / (N−A)`; occupancy `A/N`.
 */

/** Erlang C results for one staffing level. */
export interface ErlangCResult {
  /** Offered load in Erlangs. */
  readonly load: number;
  /** Probability that an arrival waits. */
  readonly probabilityOfWait: number;
  /** Fraction answered within the threshold. */
  readonly serviceLevel: number;
  /** Average speed of answer, ms. */
  readonly asaMs: number;
  readonly occupancy: number;
}

/**
 * Erlang C for `agents` servers, `callsPerHour` Poisson arrivals and exponential handle time
 * `ahtMs`, threshold `thresholdMs`. Throws `RangeError` when the system is unstable (`N ≤ A`) or an
 * input is not positive. Computed with the stable Erlang B recursion.
 */
export function erlangC(agents: number, callsPerHour: number, ahtMs: number, thresholdMs: number): ErlangCResult {
  if (!Number.isInteger(agents) || agents < 1) throw new RangeError(`agents must be a positive integer, got ${agents}`);
  if (!(callsPerHour > 0) || !(ahtMs > 0) || !(thresholdMs >= 0)) {
    throw new RangeError('callsPerHour and ahtMs must be positive and thresholdMs non-negative');
  }
  const load = (callsPerHour / 3_600_000) * ahtMs;
  if (load >= agents) throw new RangeError(`unstable: load ${load.toFixed(2)} E needs more than ${agents} agents`);
  // Erlang B by recursion, then C from B.
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (load * b) / (k + load * b);
  const pw = (agents * b) / (agents - load * (1 - b));
  const serviceLevel = 1 - pw * Math.exp((-(agents - load) * thresholdMs) / ahtMs);
  return {
    load,
    probabilityOfWait: pw,
    serviceLevel,
    asaMs: (pw * ahtMs) / (agents - load),
    occupancy: load / agents,
  };
}

/** Smallest agent count reaching `targetServiceLevel` (0–1) at threshold `thresholdMs`. */
export function agentsForServiceLevel(
  callsPerHour: number,
  ahtMs: number,
  thresholdMs: number,
  targetServiceLevel: number,
): number {
  const load = (callsPerHour / 3_600_000) * ahtMs;
  for (let n = Math.max(1, Math.floor(load) + 1); n < load + 10_000; n++) {
    if (erlangC(n, callsPerHour, ahtMs, thresholdMs).serviceLevel >= targetServiceLevel) return n;
  }
  throw new RangeError('no staffing level reaches the target');
}

/**
 * Quantile of a Gamma(shape, scale) distribution by the Wilson–Hilferty approximation
 * (accurate to a few percent for shape ≥ 1), for standard-normal quantile `z`.
 */
export function gammaQuantile(shape: number, scale: number, z: number): number {
  const c = 1 / (9 * shape);
  const base = 1 - c + z * Math.sqrt(c);
  return Math.max(0, shape * scale * base * base * base);
}
