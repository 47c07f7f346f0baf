import { describe, expect, it } from 'vitest';
import type { AcdEvent, AcdEventInput } from './events.js';
import { computeStatistics, StatisticsAccumulator } from './statistics.js';
import { T0 } from './test-support.js';

const s = (sec: number): number => T0 + sec * 1000;
let seq = 0;
const ev = (sec: number, e: AcdEventInput): AcdEvent => ({ ...e, seq: ++seq, at: s(sec) });
const st = (sec: number, from: string, to: string, cause: string, reason?: string): AcdEvent =>
  ev(sec, { type: 'agent-state', agentId: 'a1', from, to, cause, ...(reason ? { reason } : {}) } as AcdEventInput);
const base = { queueId: 'q', media: 'voice', priority: 'normal', cause: 'new', position: 1 } as const;

/** A hand-written log; the expected figures below are computed by hand in the comments. */
const LOG: AcdEvent[] = [
  ev(0, { type: 'queue-configured', queueId: 'q', serviceLevelThresholdMs: 20_000, shortAbandonMs: 5_000 }),
  st(0, 'logged-out', 'not-ready/idle', 'login', 'login'),
  st(60, 'not-ready/idle', 'ready/idle', 'set-ready'),
  ev(100, { type: 'enqueued', interactionId: 'i1', enqueuedAt: s(100), ...base }),
  ev(110, {
    type: 'offered',
    interactionId: 'i1',
    queueId: 'q',
    agentIds: ['a1'],
    strategy: 'longest-idle',
    reason: 'x',
  }),
  st(110, 'ready/idle', 'ready/offered', 'offer'),
  ev(115, { type: 'answered', interactionId: 'i1', queueId: 'q', agentId: 'a1', media: 'voice', waitMs: 15_000 }),
  st(115, 'ready/offered', 'ready/connected', 'answer'),
  ev(120, { type: 'enqueued', interactionId: 'i2', enqueuedAt: s(120), ...base }),
  ev(122, { type: 'abandoned', interactionId: 'i2', queueId: 'q', waitMs: 2_000, position: 1, short: true }),
  ev(130, { type: 'enqueued', interactionId: 'i3', enqueuedAt: s(130), ...base }),
  ev(190, { type: 'abandoned', interactionId: 'i3', queueId: 'q', waitMs: 60_000, position: 1, short: false }),
  ev(200, { type: 'enqueued', interactionId: 'i4', enqueuedAt: s(200), ...base }),
  ev(235, { type: 'ended', interactionId: 'i1', queueId: 'q', agentId: 'a1', by: 'caller' }),
  st(235, 'ready/connected', 'ready/wrap-up', 'hangup'),
  ev(265, {
    type: 'wrap-up-ended',
    interactionId: 'i1',
    queueId: 'q',
    agentId: 'a1',
    media: 'voice',
    talkMs: 120_000,
    holdMs: 0,
    wrapMs: 30_000,
    cause: 'timeout',
  }),
  st(265, 'ready/wrap-up', 'ready/idle', 'wrap-up-timeout'),
  ev(265, {
    type: 'offered',
    interactionId: 'i4',
    queueId: 'q',
    agentIds: ['a1'],
    strategy: 'longest-idle',
    reason: 'x',
  }),
  st(265, 'ready/idle', 'ready/offered', 'offer'),
  ev(270, { type: 'answered', interactionId: 'i4', queueId: 'q', agentId: 'a1', media: 'voice', waitMs: 70_000 }),
  st(270, 'ready/offered', 'ready/connected', 'answer'),
  ev(400, { type: 'ended', interactionId: 'i4', queueId: 'q', agentId: 'a1', by: 'agent' }),
  ev(400, {
    type: 'wrap-up-ended',
    interactionId: 'i4',
    queueId: 'q',
    agentId: 'a1',
    media: 'voice',
    talkMs: 100_000,
    holdMs: 30_000,
    wrapMs: 0,
    cause: 'timeout',
  }),
  st(400, 'ready/connected', 'ready/idle', 'wrap-up-timeout'),
  ev(500, { type: 'enqueued', interactionId: 'i5', enqueuedAt: s(500), ...base }),
  ev(560, {
    type: 'overflowed',
    interactionId: 'i5',
    queueId: 'q',
    waitMs: 60_000,
    reason: 'max-wait',
    target: { kind: 'voicemail' },
  }),
  ev(900, { type: 'enqueued', interactionId: 'i6', enqueuedAt: s(900), ...base }),
  ev(910, { type: 'abandoned', interactionId: 'i6', queueId: 'q', waitMs: 10_000, position: 1, short: false }),
  st(1000, 'ready/idle', 'not-ready/idle', 'set-not-ready', 'lunch'),
];

describe('statistics from a hand-computed event log', () => {
  const report = computeStatistics(LOG, { to: s(1200) });

  it('queue totals: offered, answered, abandoned (short apart), overflowed, SL, ASA, AHT, longest wait', () => {
    const q = report.queues['q'];
    expect(q).toMatchObject({
      offered: 6, // i1..i6 entered
      answered: 2, // i1 (15 s), i4 (70 s)
      answeredWithinThreshold: 1, // only i1 within T = 20 s
      abandoned: 3, // i2, i3, i6
      shortAbandoned: 1, // i2 waited 2 s < τ = 5 s
      overflowed: 1, // i5
      handled: 2,
      longestWaitMs: 70_000,
    });
    expect(q?.serviceLevel).toBeCloseTo(1 / (2 + 3 - 1 + 1)); // 0.2
    expect(q?.abandonRate).toBeCloseTo((3 - 1) / 5); // 0.4
    expect(q?.asaMs).toBe((15_000 + 70_000) / 2); // 42.5 s
    expect(q?.ahtMs).toBe((120_000 + 0 + 30_000 + 100_000 + 30_000 + 0) / 2); // 140 s
  });

  it('per interval (15 min, by outcome time)', () => {
    expect(report.intervals.map((i) => i.start)).toEqual([s(0), s(900)]);
    const [first, second] = report.intervals;
    expect(first?.queues['q']).toMatchObject({
      offered: 5,
      answered: 2,
      abandoned: 2,
      shortAbandoned: 1,
      overflowed: 1,
    });
    expect(first?.queues['q']?.serviceLevel).toBeCloseTo(1 / 4);
    expect(second?.queues['q']).toMatchObject({
      offered: 1,
      answered: 0,
      abandoned: 1,
      serviceLevel: 0,
      asaMs: null,
      ahtMs: null,
    });
  });

  it('agent time, AHT and occupancy from state time', () => {
    const a = report.agents['a1'];
    expect(a).toMatchObject({
      offers: 2,
      answered: 2,
      handled: 2,
      talkMs: 220_000,
      holdMs: 30_000,
      wrapMs: 30_000,
      loggedInMs: 1_200_000,
      availableMs: (50 + 5 + 5 + 600) * 1000, // ready idle and ringing
      handlingMs: (120 + 30 + 130) * 1000, // connected and wrap-up
      notReadyMs: 260_000,
      notReadyByReason: { login: 60_000, lunch: 200_000 },
      ahtMs: 140_000,
    });
    expect(a?.occupancy).toBeCloseTo(280 / (280 + 660));
    // The open not-ready span is split across intervals up to the report's end.
    expect(report.intervals[0]?.agents['a1']).toMatchObject({
      availableMs: 560_000,
      handlingMs: 280_000,
      notReadyMs: 60_000,
    });
    expect(report.intervals[1]?.agents['a1']).toMatchObject({
      availableMs: 100_000,
      notReadyByReason: { lunch: 200_000 },
    });
  });

  it('windows select intervals; the live accumulator and a rebuild agree', () => {
    const second = computeStatistics(LOG, { from: s(900), to: s(1200) });
    expect(second.queues['q']).toMatchObject({ offered: 1, abandoned: 1 });
    const acc = new StatisticsAccumulator();
    for (const e of LOG) acc.apply(e);
    expect(acc.report({ to: s(1200) })).toEqual(
      computeStatistics(JSON.parse(JSON.stringify(LOG)) as AcdEvent[], { to: s(1200) }),
    );
  });

  it('uses the default thresholds for queues the log does not configure', () => {
    const r = computeStatistics(
      [ev(0, { type: 'answered', interactionId: 'x', queueId: 'other', agentId: 'a', media: 'voice', waitMs: 25_000 })],
      { defaultServiceLevelThresholdMs: 30_000 },
    );
    expect(r.queues['other']?.serviceLevel).toBe(1);
    expect(() => new StatisticsAccumulator({ intervalMs: 7 * 60_000 })).toThrow(RangeError);
  });
});

describe('queue totals for the live wallboard', () => {
  it('equal the report totals', () => {
    const acc = new StatisticsAccumulator();
    for (const e of LOG) acc.apply(e);
    expect(acc.queueTotals(s(0), s(1200))).toEqual(acc.report({ to: s(1200) }).queues);
  });
});
