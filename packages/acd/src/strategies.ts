/**
 * Routing strategies: typed functions that choose among the agents able to take an interaction
 * now and say why. The ACD logs every reason and puts it on the `offered` event.
 *
 * The ACD hands a strategy only *candidates*: logged-in, ready, online agents with free capacity for
 * the media, every required skill at the required level, and the queue's team. Candidates come
 * lazily, longest idle first, from per-skill indexes, so `longest-idle` decides in O(1) and the
 * others in O(candidates), never O(all agents).
 */
import type { MediaType, PriorityClass, QueueConfig, SkillRequirement } from './model.js';

/** What a strategy may know about a candidate agent. */
export interface CandidateAgent {
  readonly id: string;
  /** Registration order, stable; round robin walks it. */
  readonly ordinal: number;
  readonly skills: ReadonlyMap<string, number>;
  readonly teams: ReadonlySet<string>;
  /** Epoch ms since which the agent has been available (end of last work or becoming ready). */
  readonly idleSince: number;
  /** Interactions answered since login. */
  readonly answeredCount: number;
  /** Work items in hand (any media). */
  readonly load: number;
}

/** What a strategy may know about the interaction being routed. */
export interface RoutingInteraction {
  readonly id: string;
  readonly media: MediaType;
  readonly priority: PriorityClass;
  /** Queue and interaction requirements combined. */
  readonly skills: readonly Required<SkillRequirement>[];
  /** Original age, epoch ms. */
  readonly enqueuedAt: number;
}

/** Everything a strategy decides from. */
export interface RoutingContext {
  readonly interaction: RoutingInteraction;
  readonly queue: QueueConfig;
  /** Eligible available agents, longest idle first. Iterate lazily; stop early when you can. */
  readonly candidates: Iterable<CandidateAgent>;
  /** Now, epoch ms, from the injected scheduler. */
  readonly now: number;
  /** Ordinal of the agent last given work from this queue (round robin's memory), if any. */
  readonly lastAssignedOrdinal: number | undefined;
  /** Per-queue memory a custom strategy keeps across decisions (see {@link RoutingChoice.remember}). */
  readonly memory: ReadonlyMap<string, unknown>;
}

/** A strategy's decision. */
export interface RoutingChoice {
  /** One agent, or several to ring at once (ring-all). Must be candidates. */
  readonly agentIds: readonly string[];
  /** Why, in words a supervisor understands; logged and put on the `offered` event. */
  readonly reason: string;
  /** Entries to store in the queue's strategy memory when the choice is carried out. */
  readonly remember?: Readonly<Record<string, unknown>>;
}

/**
 * A routing strategy: returns a choice, or `null` to leave the interaction waiting (e.g. no
 * candidate suits it). Must be pure apart from reading the context: the ACD also calls it for
 * previews that are not carried out.
 */
export type RoutingStrategy = (context: RoutingContext) => RoutingChoice | null;

/** Longest idle (the default): the first candidate, i.e. available for the longest time. */
export const longestIdle: RoutingStrategy = (ctx) => {
  for (const a of ctx.candidates) {
    return { agentIds: [a.id], reason: `longest idle: available for ${Math.max(0, ctx.now - a.idleSince)} ms` };
  }
  return null;
};

/**
 * Round robin with memory: the first candidate after the agent last given work from this queue,
 * in registration order, wrapping around.
 */
export const roundRobin: RoutingStrategy = (ctx) => {
  const last = ctx.lastAssignedOrdinal ?? -1;
  let best: CandidateAgent | undefined;
  let bestAfter: CandidateAgent | undefined;
  for (const a of ctx.candidates) {
    if (a.ordinal > last) {
      if (!bestAfter || a.ordinal < bestAfter.ordinal) bestAfter = a;
    } else if (!best || a.ordinal < best.ordinal) best = a;
  }
  const chosen = bestAfter ?? best;
  if (!chosen) return null;
  return {
    agentIds: [chosen.id],
    reason: bestAfter
      ? `round robin: next after ordinal ${last} is ${chosen.ordinal}`
      : `round robin: wrapped around to ordinal ${chosen.ordinal}`,
  };
};

/** Fewest calls: fewest interactions answered since login; ties go to the longest idle. */
export const fewestCalls: RoutingStrategy = (ctx) => {
  let best: CandidateAgent | undefined;
  for (const a of ctx.candidates) if (!best || a.answeredCount < best.answeredCount) best = a;
  if (!best) return null;
  return { agentIds: [best.id], reason: `fewest calls: ${best.answeredCount} answered since login` };
};

/**
 * Best skill: the highest sum of levels over the required skills (with no required skill, over all
 * the agent's skills); ties go to the longest idle.
 */
export const bestSkill: RoutingStrategy = (ctx) => {
  const reqs = ctx.interaction.skills;
  let best: CandidateAgent | undefined;
  let bestScore = -Infinity;
  for (const a of ctx.candidates) {
    let score = 0;
    if (reqs.length === 0) for (const l of a.skills.values()) score += l;
    else for (const r of reqs) score += a.skills.get(r.skill) ?? 0;
    if (score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  if (!best) return null;
  return { agentIds: [best.id], reason: `best skill: level sum ${bestScore}` };
};

/** Ring all: every candidate at once (up to the queue's `ringAllLimit`, default 10); first to answer wins. */
export const ringAll: RoutingStrategy = (ctx) => {
  const limit = ctx.queue.ringAllLimit ?? 10;
  const ids: string[] = [];
  for (const a of ctx.candidates) {
    if (ids.length >= limit) break;
    ids.push(a.id);
  }
  if (ids.length === 0) return null;
  return { agentIds: ids, reason: `ring all: ${ids.length} agent(s)` };
};

/** The built-in strategies by name. */
export const BUILT_IN_STRATEGIES: Readonly<Record<string, RoutingStrategy>> = Object.freeze({
  'longest-idle': longestIdle,
  'round-robin': roundRobin,
  'fewest-calls': fewestCalls,
  'best-skill': bestSkill,
  'ring-all': ringAll,
});
