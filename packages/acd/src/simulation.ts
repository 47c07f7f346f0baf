/**
 * A deterministic simulation harness: Poisson arrivals (constant or hourly profile, by thinning),
 * handling times from exponential or lognormal distributions, optional caller patience, answer
 * delays and missed offers, all driven through the real {@link Acd} in virtual time with a seeded
 * PRNG. A full day of traffic for 20 agents runs in well under a second.
 */
import { Acd } from './acd.js';
import type { AcdEvent } from './events.js';
import { shanghaiLocalTime } from './hours.js';
import type { Logger } from './logger.js';
import type { AgentConfig, MediaType, PriorityClass, QueueConfig } from './model.js';
import { exponential, sample, seededRandom, type Distribution } from './random.js';
import type { StatisticsReport } from './statistics.js';
import type { RoutingStrategy } from './strategies.js';
import { VirtualClock } from './virtual-clock.js';

/** One stream of arrivals into a queue. */
export interface ArrivalStream {
  readonly queueId: string;
  /** Calls per hour: a constant, or 24 hourly rates in Asia/Shanghai local time. */
  readonly callsPerHour: number | readonly number[];
  readonly media?: MediaType;
  /** Probabilities of each class (normalised); default all normal. */
  readonly priorityMix?: Partial<Readonly<Record<PriorityClass, number>>>;
}

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  readonly seed: number;
  /** Epoch ms of the start; default 2026-12-01 00:00 Asia/Shanghai. */
  readonly startAt?: number;
  readonly durationMs: number;
  /** Statistics ignore the first `warmupMs` (the system starts empty); default 0. */
  readonly warmupMs?: number;
  /** A number of identical agents (skill `general`: 1) or explicit configs; all log in ready. */
  readonly agents: number | readonly AgentConfig[];
  /** Default: one queue `main` with no required skill, no wrap-up. */
  readonly queues?: readonly QueueConfig[];
  /** Default: one stream of 200 calls/h into the first queue. */
  readonly arrivals?: readonly ArrivalStream[];
  readonly handling: Distribution;
  /** Time agents take to answer an offer; default 0. */
  readonly answerDelay?: Distribution;
  /** Caller patience (time until a waiting caller hangs up); absent: nobody abandons. */
  readonly patience?: Distribution;
  /** Probability an agent lets an offer ring out; default 0. */
  readonly noAnswerProbability?: number;
  readonly strategies?: Readonly<Record<string, RoutingStrategy>>;
  readonly logger?: Logger;
  /** Interval of the statistics; default 15 minutes. */
  readonly intervalMs?: number;
}

/** An expected-wait prediction made at entry, with the wait that followed. */
export interface WaitPrediction {
  readonly interactionId: string;
  readonly predictedMs: number;
  readonly lowMs: number;
  readonly highMs: number;
  readonly actualMs: number;
}

/** What a simulation run produced. */
export interface SimulationResult {
  readonly acd: Acd;
  readonly clock: VirtualClock;
  /** The full event log, in order. */
  readonly events: readonly AcdEvent[];
  /** Statistics over `[startAt + warmupMs, startAt + durationMs)`. */
  readonly report: StatisticsReport;
  readonly arrivals: number;
  /** Predictions for callers who queued and were then answered. */
  readonly predictions: readonly WaitPrediction[];
}

/** Default start: 2026-12-01 00:00 in Asia/Shanghai. */
export const DEFAULT_SIMULATION_START = 1_796_054_400_000; // 2026-11-30T16:00:00Z

/** Runs a simulation to the end of its duration and returns the log and figures. */
export function runSimulation(options: SimulationOptions): SimulationResult {
  if (!(options.durationMs > 0)) throw new RangeError('durationMs must be positive');
  const startAt = options.startAt ?? DEFAULT_SIMULATION_START;
  const end = startAt + options.durationMs;
  const random = seededRandom(options.seed);
  const clock = new VirtualClock(startAt);
  const queues = options.queues ?? [{ id: 'main' }];
  const agents: readonly AgentConfig[] =
    typeof options.agents === 'number'
      ? Array.from({ length: options.agents }, (_, i) => ({
          id: `agent-${String(i + 1).padStart(3, '0')}`,
          skills: { general: 1 },
        }))
      : options.agents;
  const acd = new Acd({
    scheduler: clock,
    queues,
    agents,
    ...(options.strategies ? { strategies: options.strategies } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    statistics: { intervalMs: options.intervalMs ?? 900_000 },
  });
  const events: AcdEvent[] = [];
  acd.events$.subscribe((e) => events.push(e));
  const pending = new Map<string, { predictedMs: number; lowMs: number; highMs: number }>();
  const predictions: WaitPrediction[] = [];
  acd.events$.subscribe((e) => {
    if (e.type === 'answered') {
      const p = pending.get(e.interactionId);
      if (p) {
        pending.delete(e.interactionId);
        predictions.push({ interactionId: e.interactionId, ...p, actualMs: e.waitMs });
      }
    } else if (e.type === 'abandoned' || e.type === 'overflowed') pending.delete(e.interactionId);
  });
  const noAnswer = options.noAnswerProbability ?? 0;
  acd.assignments$.subscribe((a) => {
    if (a.type !== 'offer') return;
    if (noAnswer > 0 && random() < noAnswer) return; // rings out; the ACD's timer redirects it
    const delay = options.answerDelay ? sample(random, options.answerDelay) : 0;
    clock.schedule(() => {
      const status = safeStatus(acd, a.interactionId);
      if (status?.status !== 'offered' || !status.agentIds.includes(a.agentId)) return;
      acd.answered(a.interactionId, a.agentId);
      clock.schedule(
        () => {
          if (safeStatus(acd, a.interactionId)?.status === 'connected') acd.hangup(a.interactionId, 'agent');
        },
        sample(random, options.handling),
      );
    }, delay);
  });
  for (const a of agents) acd.login(a.id, { ready: true });

  const streams = options.arrivals ?? [{ queueId: queues[0]?.id ?? 'main', callsPerHour: 200 }];
  let arrivals = 0;
  for (const stream of streams) {
    const rates = typeof stream.callsPerHour === 'number' ? [stream.callsPerHour] : stream.callsPerHour;
    const maxRate = Math.max(...rates);
    if (!(maxRate > 0)) continue;
    const rateAt = (t: number): number =>
      typeof stream.callsPerHour === 'number'
        ? stream.callsPerHour
        : (rates[Math.floor(shanghaiLocalTime(t).minuteOfDay / 60)] ?? 0);
    const mix = Object.entries(stream.priorityMix ?? { normal: 1 }) as [PriorityClass, number][];
    const total = mix.reduce((s, [, w]) => s + w, 0);
    const pickPriority = (): PriorityClass => {
      let u = random() * total;
      for (const [p, w] of mix) if ((u -= w) < 0) return p;
      return 'normal';
    };
    const next = (): void => {
      const at = clock.now() + exponential(random, 3_600_000 / maxRate);
      if (at >= end) return;
      clock.schedule(() => {
        next();
        if (random() * maxRate >= rateAt(clock.now())) return; // thinning
        arrivals++;
        const result = acd.enqueue({
          queueId: stream.queueId,
          media: stream.media ?? 'voice',
          priority: pickPriority(),
        });
        if (result.status === 'queued' && result.expectedWait.status === 'estimate') {
          const w = result.expectedWait;
          pending.set(result.interactionId, { predictedMs: w.ms, lowMs: w.lowMs, highMs: w.highMs });
        }
        if (options.patience && result.status !== 'diverted') {
          const id = result.interactionId;
          clock.schedule(
            () => {
              const s = safeStatus(acd, id)?.status;
              if (s === 'waiting' || s === 'offered') acd.hangup(id, 'caller');
            },
            sample(random, options.patience),
          );
        }
      }, at - clock.now());
    };
    next();
  }
  clock.advanceTo(end);
  const report = acd.statistics({ from: startAt + (options.warmupMs ?? 0), to: end });
  return { acd, clock, events, report, arrivals, predictions };
}

function safeStatus(acd: Acd, id: string): ReturnType<Acd['interactionStatus']> | undefined {
  return acd.hasInteraction(id) ? acd.interactionStatus(id) : undefined;
}
