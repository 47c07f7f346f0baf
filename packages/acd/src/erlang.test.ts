import { describe, expect, it } from 'vitest';
import { agentsForServiceLevel, erlangC, gammaQuantile } from './erlang.js';

describe('Erlang C', () => {
  it('matches the worked example (120 calls/h, AHT 240 s, 20 s threshold)', () => {
    const rows = [10, 11, 12].map((n) => erlangC(n, 120, 240_000, 20_000));
    // The anchors' table rounds P(wait) to 0.41 / 0.25 / 0.14.
    expect(rows.map((r) => r.probabilityOfWait.toFixed(3))).toEqual(['0.409', '0.245', '0.140']);
    expect(rows.map((r) => Math.round(r.serviceLevel * 100))).toEqual([65, 81, 90]);
    expect(rows.map((r) => Math.round(r.asaMs / 1000))).toEqual([49, 20, 8]);
    expect(rows[1]?.occupancy).toBeCloseTo(8 / 11);
  });

  it('matches the 55-agent walk-through (360 calls / 30 min, AHT 4 min, 15 s)', () => {
    const r = erlangC(55, 720, 240_000, 15_000);
    expect(r.probabilityOfWait).toBeCloseTo(0.239, 3);
    expect(r.asaMs / 1000).toBeCloseTo(8.2, 1);
    expect(r.serviceLevel).toBeCloseTo(0.846, 3);
  });

  it('sizes staffing and refuses unstable systems', () => {
    expect(agentsForServiceLevel(120, 240_000, 20_000, 0.8)).toBe(11);
    expect(agentsForServiceLevel(240, 240_000, 20_000, 0.8)).toBe(20);
    expect(() => erlangC(8, 120, 240_000, 20_000)).toThrow(RangeError);
  });

  it('approximates Gamma quantiles (Wilson–Hilferty)', () => {
    // Gamma(1, 1) is Exp(1): the 90th percentile is ln 10 ≈ 2.303.
    expect(gammaQuantile(1, 1, 1.2816)).toBeCloseTo(2.303, 1);
    expect(gammaQuantile(10, 2, 0)).toBeCloseTo(20 * (1 - 1 / 90) ** 3, 6);
  });
});
