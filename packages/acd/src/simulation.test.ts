import { describe, expect, it } from 'vitest';
import { erlangC } from './erlang.js';
import type { AcdEvent } from './events.js';
import { runSimulation } from './simulation.js';
import { computeStatistics } from './statistics.js';

const DAY = 86_400_000;

/** Hourly arrival profile of a utility hotline (calls/h, local time). */
const PROFILE = [5, 3, 2, 2, 2, 5, 20, 80, 220, 300, 320, 280, 200, 240, 300, 290, 250, 200, 120, 80, 50, 30, 15, 8];

describe('simulation harness', () => {
  it('runs a full day for 20 agents in well under a second', () => {
    // CPU time of this worker (vitest runs files in forked processes): wall time on a shared CI box
    // also counts other processes; the budget is about our work.
    const started = process.cpuUsage();
    const r = runSimulation({
      seed: 42,
      durationMs: DAY,
      agents: 20,
      queues: [{ id: 'main', wrapUpMs: 15_000, noAnswerTimeoutMs: 20_000 }],
      arrivals: [{ queueId: 'main', callsPerHour: PROFILE, priorityMix: { normal: 0.9, vip: 0.08, emergency: 0.02 } }],
      handling: { kind: 'lognormal', meanMs: 180_000, cv: 0.8 },
      answerDelay: { kind: 'exponential', meanMs: 3_000 },
      patience: { kind: 'exponential', meanMs: 120_000 },
      noAnswerProbability: 0.01,
    });
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(1_000);
    const q = r.report.queues['main'];
    expect(r.arrivals).toBeGreaterThan(3_000);
    expect(q?.offered).toBe(r.arrivals);
    // Every arrival ends one way or another by the end of the day, bar the few still in the system.
    expect((q?.answered ?? 0) + (q?.abandoned ?? 0)).toBeGreaterThan(r.arrivals - 40);
    expect(q?.abandoned).toBeGreaterThan(0);
    expect(r.events.some((e) => e.type === 'no-answer')).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const run = (): readonly AcdEvent[] =>
      runSimulation({
        seed: 7,
        durationMs: 2 * 3_600_000,
        agents: 5,
        handling: { kind: 'exponential', meanMs: 120_000 },
        patience: { kind: 'fixed', ms: 60_000 },
      }).events;
    expect(JSON.stringify(run())).toBe(JSON.stringify(run()));
  });

  it('rebuilds exactly the live figures from the stored event log', () => {
    const r = runSimulation({
      seed: 3,
      durationMs: 6 * 3_600_000,
      agents: 8,
      queues: [{ id: 'main', wrapUpMs: 10_000 }],
      arrivals: [{ queueId: 'main', callsPerHour: 150 }],
      handling: { kind: 'lognormal', meanMs: 150_000, cv: 1 },
      patience: { kind: 'exponential', meanMs: 90_000 },
    });
    const stored = JSON.parse(JSON.stringify(r.events)) as AcdEvent[];
    expect(computeStatistics(stored, { from: r.report.from, to: r.report.to })).toEqual(r.report);
  });

  it('matches Erlang C within 2 points of service level with abandonment off (300 calls/h, AHT 180 s, 20 agents)', () => {
    const r = runSimulation({
      seed: 1,
      durationMs: 10 * DAY,
      warmupMs: 3_600_000,
      agents: 20,
      arrivals: [{ queueId: 'main', callsPerHour: 300 }],
      handling: { kind: 'exponential', meanMs: 180_000 },
    });
    const q = r.report.queues['main'];
    const ec = erlangC(20, 300, 180_000, 20_000);
    expect(Math.abs((q?.serviceLevel ?? 0) - ec.serviceLevel)).toBeLessThan(0.02);
    expect(Math.abs((q?.asaMs ?? 0) / ec.asaMs - 1)).toBeLessThan(0.2);
    const agents = Object.values(r.report.agents);
    const occupancy = agents.reduce((s, a) => s + (a.occupancy ?? 0), 0) / agents.length;
    expect(Math.abs(occupancy - ec.occupancy)).toBeLessThan(0.02);
  }, 60_000);

  it('matches Erlang C within 2 points at the 80/20 anchor (327 calls/h, AHT 180 s), pooled over 4 seeds × 5 days', () => {
    const pooled = { answered: 0, answeredWithinThreshold: 0, answeredWaitMs: 0 };
    for (const seed of [1, 2, 3, 4]) {
      const q = runSimulation({
        seed,
        durationMs: 5 * DAY,
        warmupMs: 3_600_000,
        agents: 20,
        arrivals: [{ queueId: 'main', callsPerHour: 327 }],
        handling: { kind: 'exponential', meanMs: 180_000 },
      }).report.queues['main'];
      pooled.answered += q?.answered ?? 0;
      pooled.answeredWithinThreshold += q?.answeredWithinThreshold ?? 0;
      pooled.answeredWaitMs += q?.answeredWaitMs ?? 0;
    }
    const ec = erlangC(20, 327, 180_000, 20_000);
    expect(Math.abs(pooled.answeredWithinThreshold / pooled.answered - ec.serviceLevel)).toBeLessThan(0.02);
  }, 120_000);

  it('predicts waits with a calibrated mean and an honest band', () => {
    const r = runSimulation({
      seed: 11,
      durationMs: 2 * DAY,
      agents: 20,
      arrivals: [{ queueId: 'main', callsPerHour: 327 }],
      handling: { kind: 'exponential', meanMs: 180_000 },
    });
    const p = r.predictions;
    expect(p.length).toBeGreaterThan(1_000);
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const ratio = mean(p.map((x) => x.actualMs)) / mean(p.map((x) => x.predictedMs));
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
    const inside = p.filter((x) => x.actualMs >= x.lowMs && x.actualMs <= x.highMs).length / p.length;
    expect(inside).toBeGreaterThan(0.7);
    expect(inside).toBeLessThan(0.97);
  }, 30_000);
});
