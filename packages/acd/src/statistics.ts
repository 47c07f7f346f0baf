/**
 * Statistics from the event log. The live ACD feeds every event it emits into a
 * {@link StatisticsAccumulator}; {@link computeStatistics} runs the very same accumulator over a
 * stored log, so real-time and historical figures cannot disagree. Definitions (docs/acd.md):
 *
 * - offered: queue segments that entered the queue (new, overflow-in, transfer-in, re-queue after a
 *   lost agent leg), counted in the interval of entry. A no-answer redirect is not a new entry.
 * - answered / abandoned / overflowed: counted in the interval of the outcome.
 * - short abandons: abandons with a wait under the queue's threshold τ; counted apart.
 * - service level: `answeredWithinT / (answered + abandoned − shortAbandoned + overflowed)`.
 * - abandon rate: `(abandoned − shortAbandoned) / (answered + abandoned − shortAbandoned + overflowed)`.
 * - ASA: `Σ wait of answered / answered`.
 * - AHT: `(Σ talk + Σ hold + Σ wrap-up) / handled`, in the interval in which wrap-up ended.
 * - occupancy: `handling time / (handling time + available time)` from agent state time.
 * - longest wait: the longest wait that ended (answered, abandoned, overflowed) in the interval.
 */
import type { AgentStateKey } from './agent-state-machine.js';
import { splitStateKey } from './agent-state-machine.js';
import type { AcdEvent } from './events.js';
import { SHANGHAI_OFFSET_MS } from './hours.js';

/** Additive per-queue counters. */
export interface QueueCounters {
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  shortAbandoned: number;
  overflowed: number;
  diverted: number;
  withdrawn: number;
  transferredOut: number;
  callbacksRequested: number;
  handled: number;
  talkMs: number;
  holdMs: number;
  wrapMs: number;
  answeredWaitMs: number;
  longestWaitMs: number;
}

/** Per-queue figures: counters plus derived ratios (`null` when the denominator is 0). */
export interface QueueFigures extends Readonly<QueueCounters> {
  readonly asaMs: number | null;
  readonly serviceLevel: number | null;
  readonly abandonRate: number | null;
  readonly ahtMs: number | null;
}

/** Additive per-agent counters. */
export interface AgentCounters {
  offers: number;
  answered: number;
  missed: number;
  handled: number;
  transfers: number;
  talkMs: number;
  holdMs: number;
  wrapMs: number;
  loggedInMs: number;
  availableMs: number;
  handlingMs: number;
  notReadyMs: number;
  notReadyByReason: Record<string, number>;
}

/** Per-agent figures: counters plus AHT and occupancy (`null` when undefined). */
export interface AgentFigures extends Readonly<AgentCounters> {
  readonly ahtMs: number | null;
  readonly occupancy: number | null;
}

/** Figures of one interval. */
export interface IntervalReport {
  /** Interval start, epoch ms (aligned to Asia/Shanghai local midnight). */
  readonly start: number;
  readonly queues: Readonly<Record<string, QueueFigures>>;
  readonly agents: Readonly<Record<string, AgentFigures>>;
}

/** A statistics report over a window. */
export interface StatisticsReport {
  readonly from: number;
  readonly to: number;
  readonly intervalMs: number;
  /** Totals over the window, per queue. */
  readonly queues: Readonly<Record<string, QueueFigures>>;
  /** Totals over the window, per agent. */
  readonly agents: Readonly<Record<string, AgentFigures>>;
  /** Per interval, ascending; intervals without activity are omitted. */
  readonly intervals: readonly IntervalReport[];
}

/** Options of the statistics computation. */
export interface StatisticsOptions {
  /** Interval length, ms; must divide a day. Default 15 minutes. */
  readonly intervalMs?: number;
  /** Service-level threshold for queues the log does not configure, ms; default 20 000. */
  readonly defaultServiceLevelThresholdMs?: number;
  /** Short-abandon threshold for queues the log does not configure, ms; default 5 000. */
  readonly defaultShortAbandonMs?: number;
}

/** The window of a report. */
export interface ReportWindow {
  /** Default: the first interval with data. */
  readonly from?: number;
  /** Default: the time of the last event. Inclusive: events at `to` count. Open agent states are counted up to `to`. */
  readonly to?: number;
}

const DAY = 86_400_000;

function queueCounters(): QueueCounters {
  return {
    offered: 0,
    answered: 0,
    answeredWithinThreshold: 0,
    abandoned: 0,
    shortAbandoned: 0,
    overflowed: 0,
    diverted: 0,
    withdrawn: 0,
    transferredOut: 0,
    callbacksRequested: 0,
    handled: 0,
    talkMs: 0,
    holdMs: 0,
    wrapMs: 0,
    answeredWaitMs: 0,
    longestWaitMs: 0,
  };
}

function agentCounters(): AgentCounters {
  return {
    offers: 0,
    answered: 0,
    missed: 0,
    handled: 0,
    transfers: 0,
    talkMs: 0,
    holdMs: 0,
    wrapMs: 0,
    loggedInMs: 0,
    availableMs: 0,
    handlingMs: 0,
    notReadyMs: 0,
    notReadyByReason: {},
  };
}

function addQueue(into: QueueCounters, from: Readonly<QueueCounters>): void {
  for (const k of Object.keys(into) as (keyof QueueCounters)[]) {
    into[k] = k === 'longestWaitMs' ? Math.max(into[k], from[k]) : into[k] + from[k];
  }
}

function addAgent(into: AgentCounters, from: Readonly<AgentCounters>): void {
  for (const k of Object.keys(into) as (keyof AgentCounters)[]) {
    if (k === 'notReadyByReason') {
      for (const [r, ms] of Object.entries(from.notReadyByReason)) {
        into.notReadyByReason[r] = (into.notReadyByReason[r] ?? 0) + ms;
      }
    } else into[k] += from[k];
  }
}

function ratio(num: number, den: number): number | null {
  return den > 0 ? num / den : null;
}

/** Derives queue figures from counters (the formulas of the module comment). */
export function queueFigures(c: Readonly<QueueCounters>): QueueFigures {
  const slDen = c.answered + c.abandoned - c.shortAbandoned + c.overflowed;
  return {
    ...c,
    asaMs: ratio(c.answeredWaitMs, c.answered),
    serviceLevel: ratio(c.answeredWithinThreshold, slDen),
    abandonRate: ratio(c.abandoned - c.shortAbandoned, slDen),
    ahtMs: ratio(c.talkMs + c.holdMs + c.wrapMs, c.handled),
  };
}

/** Derives agent figures from counters. */
export function agentFigures(c: Readonly<AgentCounters>): AgentFigures {
  return {
    ...c,
    notReadyByReason: { ...c.notReadyByReason },
    ahtMs: ratio(c.talkMs + c.holdMs + c.wrapMs, c.handled),
    occupancy: ratio(c.handlingMs, c.handlingMs + c.availableMs),
  };
}

interface Bucket {
  readonly queues: Map<string, QueueCounters>;
  readonly agents: Map<string, AgentCounters>;
}

interface OpenState {
  key: AgentStateKey;
  reason: string | undefined;
  since: number;
}

/**
 * Consumes ACD events one by one (in `seq` order) and reports figures for any window. Used live by
 * the ACD and offline by {@link computeStatistics}; both give identical results for the same log.
 */
export class StatisticsAccumulator {
  private readonly intervalMs: number;
  private readonly defaultT: number;
  private readonly defaultShort: number;
  private readonly thresholds = new Map<string, { readonly t: number; readonly short: number }>();
  private readonly buckets = new Map<number, Bucket>();
  private readonly open = new Map<string, OpenState>();
  private lastAt: number | undefined;

  constructor(options: StatisticsOptions = {}) {
    const intervalMs = options.intervalMs ?? 900_000;
    if (!(intervalMs > 0) || DAY % intervalMs !== 0) {
      throw new RangeError(`intervalMs must be a positive divisor of a day, got ${intervalMs}`);
    }
    this.intervalMs = intervalMs;
    this.defaultT = options.defaultServiceLevelThresholdMs ?? 20_000;
    this.defaultShort = options.defaultShortAbandonMs ?? 5_000;
  }

  /** Start of the interval containing `at` (aligned to local midnight, UTC+08:00). */
  intervalStart(at: number): number {
    const i = this.intervalMs;
    return Math.floor((at + SHANGHAI_OFFSET_MS) / i) * i - SHANGHAI_OFFSET_MS;
  }

  private bucket(at: number): Bucket {
    const start = this.intervalStart(at);
    let b = this.buckets.get(start);
    if (!b) {
      b = { queues: new Map(), agents: new Map() };
      this.buckets.set(start, b);
    }
    return b;
  }

  private q(at: number, queueId: string): QueueCounters {
    const b = this.bucket(at);
    let c = b.queues.get(queueId);
    if (!c) {
      c = queueCounters();
      b.queues.set(queueId, c);
    }
    return c;
  }

  private a(at: number, agentId: string, buckets: Map<number, Bucket> = this.buckets): AgentCounters {
    const start = this.intervalStart(at);
    let b = buckets.get(start);
    if (!b) {
      b = { queues: new Map(), agents: new Map() };
      buckets.set(start, b);
    }
    let c = b.agents.get(agentId);
    if (!c) {
      c = agentCounters();
      b.agents.set(agentId, c);
    }
    return c;
  }

  private threshold(queueId: string): { readonly t: number; readonly short: number } {
    return this.thresholds.get(queueId) ?? { t: this.defaultT, short: this.defaultShort };
  }

  /** Adds the time of one agent state span `[from, to)` to the interval buckets it covers. */
  private addSpan(agentId: string, state: OpenState, to: number, buckets: Map<number, Bucket>): void {
    if (state.key === 'logged-out') return;
    const { presence, activity } = splitStateKey(state.key);
    let t = state.since;
    while (t < to) {
      const end = Math.min(to, this.intervalStart(t) + this.intervalMs);
      const d = end - t;
      const c = this.a(t, agentId, buckets);
      c.loggedInMs += d;
      if (activity === 'connected' || activity === 'held' || activity === 'wrap-up') c.handlingMs += d;
      else if (activity === 'offered' || presence === 'ready') c.availableMs += d;
      else {
        c.notReadyMs += d;
        const r = state.reason ?? 'unspecified';
        c.notReadyByReason[r] = (c.notReadyByReason[r] ?? 0) + d;
      }
      t = end;
    }
  }

  /** Applies one event. Events must come in `seq` order (time never goes backwards). */
  apply(e: AcdEvent): void {
    this.lastAt = e.at;
    switch (e.type) {
      case 'queue-configured':
        this.thresholds.set(e.queueId, { t: e.serviceLevelThresholdMs, short: e.shortAbandonMs });
        break;
      case 'agent-state': {
        const prev = this.open.get(e.agentId);
        if (prev) this.addSpan(e.agentId, prev, e.at, this.buckets);
        this.open.set(e.agentId, { key: e.to, reason: e.reason, since: e.at });
        break;
      }
      case 'enqueued':
        this.q(e.at, e.queueId).offered++;
        break;
      case 'offered':
        for (const id of e.agentIds) this.a(e.at, id).offers++;
        break;
      case 'answered': {
        const c = this.q(e.at, e.queueId);
        c.answered++;
        c.answeredWaitMs += e.waitMs;
        if (e.waitMs <= this.threshold(e.queueId).t) c.answeredWithinThreshold++;
        c.longestWaitMs = Math.max(c.longestWaitMs, e.waitMs);
        this.a(e.at, e.agentId).answered++;
        break;
      }
      case 'no-answer':
        // A supervisor's force or a desktop disconnect is not the agent letting a call ring out.
        if (e.cause !== 'forced' && e.cause !== 'disconnected') this.a(e.at, e.agentId).missed++;
        break;
      case 'abandoned': {
        const c = this.q(e.at, e.queueId);
        c.abandoned++;
        if (e.waitMs < this.threshold(e.queueId).short) c.shortAbandoned++;
        c.longestWaitMs = Math.max(c.longestWaitMs, e.waitMs);
        break;
      }
      case 'overflowed': {
        const c = this.q(e.at, e.queueId);
        c.overflowed++;
        c.longestWaitMs = Math.max(c.longestWaitMs, e.waitMs);
        break;
      }
      case 'diverted':
        this.q(e.at, e.queueId).diverted++;
        break;
      case 'withdrawn':
        this.q(e.at, e.queueId).withdrawn++;
        break;
      case 'callback-requested':
        this.q(e.at, e.queueId).callbacksRequested++;
        break;
      case 'transferred':
        this.q(e.at, e.queueId).transferredOut++;
        this.a(e.at, e.agentId).transfers++;
        break;
      case 'wrap-up-ended': {
        const c = this.q(e.at, e.queueId);
        c.handled++;
        c.talkMs += e.talkMs;
        c.holdMs += e.holdMs;
        c.wrapMs += e.wrapMs;
        const a = this.a(e.at, e.agentId);
        a.handled++;
        a.talkMs += e.talkMs;
        a.holdMs += e.holdMs;
        a.wrapMs += e.wrapMs;
        break;
      }
      default:
        break;
    }
  }

  /** Queue totals only over `[from, to]` (cheap: no agent time); what `queueStats$` shows as today. */
  queueTotals(from: number, to: number): Record<string, QueueFigures> {
    const fromStart = this.intervalStart(from);
    const totals = new Map<string, QueueCounters>();
    for (const [start, b] of this.buckets) {
      if (start < fromStart || start > to) continue;
      for (const [id, c] of b.queues) {
        let t = totals.get(id);
        if (!t) totals.set(id, (t = queueCounters()));
        addQueue(t, c);
      }
    }
    const out: Record<string, QueueFigures> = {};
    for (const id of [...totals.keys()].sort()) out[id] = queueFigures(totals.get(id) as QueueCounters);
    return out;
  }

  /** Figures for a window; open agent states are counted up to `window.to` without being closed. */
  report(window: ReportWindow = {}): StatisticsReport {
    const to = window.to ?? this.lastAt ?? 0;
    const starts = [...this.buckets.keys()];
    const from = window.from ?? (starts.length ? Math.min(...starts) : to);
    // Clone the agent counters of the buckets in range so that open spans can be added.
    const view = new Map<number, Bucket>();
    const fromStart = this.intervalStart(from);
    for (const [start, b] of this.buckets) {
      if (start < fromStart || start > to) continue;
      const agents = new Map<string, AgentCounters>();
      for (const [id, c] of b.agents) {
        const copy = agentCounters();
        addAgent(copy, c);
        agents.set(id, copy);
      }
      view.set(start, { queues: b.queues, agents });
    }
    for (const [agentId, state] of this.open) {
      if (state.since < to) this.addSpan(agentId, state, to, view);
    }
    const queueTotals = new Map<string, QueueCounters>();
    const agentTotals = new Map<string, AgentCounters>();
    const intervals: IntervalReport[] = [];
    for (const start of [...view.keys()].sort((x, y) => x - y)) {
      if (start < fromStart || start > to) continue;
      const b = view.get(start) as Bucket;
      const queues: Record<string, QueueFigures> = {};
      const agents: Record<string, AgentFigures> = {};
      for (const id of [...b.queues.keys()].sort()) {
        const c = b.queues.get(id) as QueueCounters;
        queues[id] = queueFigures(c);
        let t = queueTotals.get(id);
        if (!t) queueTotals.set(id, (t = queueCounters()));
        addQueue(t, c);
      }
      for (const id of [...b.agents.keys()].sort()) {
        const c = b.agents.get(id) as AgentCounters;
        agents[id] = agentFigures(c);
        let t = agentTotals.get(id);
        if (!t) agentTotals.set(id, (t = agentCounters()));
        addAgent(t, c);
      }
      intervals.push({ start, queues, agents });
    }
    const queues: Record<string, QueueFigures> = {};
    for (const id of [...queueTotals.keys()].sort()) queues[id] = queueFigures(queueTotals.get(id) as QueueCounters);
    const agents: Record<string, AgentFigures> = {};
    for (const id of [...agentTotals.keys()].sort()) agents[id] = agentFigures(agentTotals.get(id) as AgentCounters);
    return { from, to, intervalMs: this.intervalMs, queues, agents, intervals };
  }
}

/**
 * Rebuilds historical figures from a stored event log (as persisted from `events$`). Gives exactly
 * what the live ACD reported for the same window.
 */
export function computeStatistics(
  events: Iterable<AcdEvent>,
  options: StatisticsOptions & ReportWindow = {},
): StatisticsReport {
  const acc = new StatisticsAccumulator(options);
  for (const e of events) acc.apply(e);
  return acc.report({ from: options.from, to: options.to });
}
