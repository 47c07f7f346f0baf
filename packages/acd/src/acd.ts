/**
 * The ACD engine: queues, agents, skills-based routing, redirect on no answer, overflow, hours,
 * queued callbacks, expected wait, and the event log statistics are computed from.
 *
 * Media-agnostic (architecture §6): the ACD says which agent gets which interaction
 * (`assignments$`) and the application reports back what happened (answered, no answer, hangup,
 * transfer, wrap-up done). Time comes only from the injected `SchedulerLike`.
 */
import { BehaviorSubject, defer, Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import {
  AGENT_EVENT_SCOPE,
  aggregateActivity,
  nextAgentState,
  splitStateKey,
  stateKey,
  type Activity,
  type AgentEventType,
  type AgentStateKey,
  type Presence,
} from './agent-state-machine.js';
import { AcdError, AcdErrorCode } from './errors.js';
import type { AcdEvent, AcdEventInput, EnqueueCause, NoAnswerCause } from './events.js';
import { gammaQuantile } from './erlang.js';
import { isOpenAt, shanghaiStartOfDay, validateHours } from './hours.js';
import { IndexedHeap, type HeapItem } from './indexed-heap.js';
import { maskPhone, silentLogger, type Logger } from './logger.js';
import {
  DEFAULT_CAPACITY,
  MEDIA_TYPES,
  PRIORITY_RANK,
  type AgentConfig,
  type CustomerRef,
  type EnqueueRequest,
  type MediaType,
  type OverflowTarget,
  type PriorityClass,
  type QueueConfig,
  type SkillRequirement,
  type TransferTarget,
} from './model.js';
import {
  StatisticsAccumulator,
  type QueueFigures,
  type StatisticsOptions,
  type StatisticsReport,
  type ReportWindow,
} from './statistics.js';
import {
  BUILT_IN_STRATEGIES,
  longestIdle,
  type CandidateAgent,
  type RoutingChoice,
  type RoutingContext,
  type RoutingInteraction,
  type RoutingStrategy,
} from './strategies.js';

/** Options of {@link Acd}. */
export interface AcdOptions {
  /** The only source of time and timers (virtual in tests, `asyncScheduler` in production). */
  readonly scheduler: SchedulerLike;
  /** Where the ACD logs; default silent. Phone numbers are masked. */
  readonly logger?: Logger;
  readonly queues?: readonly QueueConfig[];
  readonly agents?: readonly AgentConfig[];
  /** Custom strategies by name, usable in `QueueConfig.strategy` next to the built-in ones. */
  readonly strategies?: Readonly<Record<string, RoutingStrategy>>;
  /** Consecutive missed offers after which a ready agent is set not ready (reason `no-answer`); default 2. */
  readonly maxMisses?: number;
  /** How long an agent whose desktop disconnected stays ready before going not ready, ms; default 30 000. */
  readonly disconnectGraceMs?: number;
  /** Options of the built-in statistics (interval length, default thresholds). */
  readonly statistics?: StatisticsOptions;
}

/** Agent state as a readonly discriminated union on `presence`. */
export type AgentState =
  | { readonly presence: 'logged-out' }
  | { readonly presence: 'ready'; readonly activity: Activity }
  | { readonly presence: 'not-ready'; readonly activity: Activity; readonly reason: string };

/** One piece of work in an agent's hands. */
export interface WorkItemSnapshot {
  readonly interactionId: string;
  readonly queueId: string;
  readonly media: MediaType;
  readonly activity: Exclude<Activity, 'idle'>;
  /** When the item entered its current activity, epoch ms. */
  readonly since: number;
}

/** An agent's state at one moment (immutable). */
export interface AgentSnapshot {
  readonly id: string;
  readonly key: AgentStateKey;
  readonly state: AgentState;
  /** When `key` last changed, epoch ms. */
  readonly since: number;
  readonly desktop: 'online' | 'offline';
  readonly work: readonly WorkItemSnapshot[];
  /** Consecutive missed offers. */
  readonly misses: number;
  /** Answered since login. */
  readonly answeredCount: number;
  readonly skills: Readonly<Record<string, number>>;
  readonly teams: readonly string[];
}

/** Expected wait for a position in a queue, with an 80% band. */
export type ExpectedWait =
  /** An agent can take it now. */
  | { readonly status: 'immediate' }
  | {
      readonly status: 'estimate';
      /** Mean expected wait, ms. */
      readonly ms: number;
      /** 10th and 90th percentiles, ms. */
      readonly lowMs: number;
      readonly highMs: number;
      readonly position: number;
      /** Ready, online agents serving the queue. */
      readonly staffed: number;
      /** Handle time the estimate assumes, ms. */
      readonly ahtMs: number;
      /** Recent handle times behind `ahtMs` (0: the queue's prior). */
      readonly samples: number;
    }
  /** No ready agent serves the queue. */
  | { readonly status: 'unknown'; readonly reason: 'no-agents' };

/** Outcome of {@link Acd.enqueue}. */
export type EnqueueResult =
  | {
      readonly status: 'offered';
      readonly interactionId: string;
      readonly queueId: string;
      readonly agentIds: readonly string[];
    }
  | {
      readonly status: 'queued';
      readonly interactionId: string;
      readonly queueId: string;
      readonly position: number;
      readonly expectedWait: ExpectedWait;
    }
  /** Turned away at entry; the application carries out `target` (voicemail or callback offer). */
  | {
      readonly status: 'diverted';
      readonly interactionId: string;
      readonly queueId: string;
      readonly reason: 'closed' | 'max-length';
      readonly target: Exclude<OverflowTarget, { kind: 'queue' }>;
    };

/** What the application must do: connect, stop ringing, or divert. */
export type Assignment =
  | {
      readonly type: 'offer';
      readonly interactionId: string;
      readonly agentId: string;
      readonly queueId: string;
      readonly media: MediaType;
      readonly priority: PriorityClass;
      readonly customer?: CustomerRef;
      /** Other agents rung for the same interaction (ring-all). */
      readonly ringAll: boolean;
      readonly reason: string;
    }
  | {
      readonly type: 'retract';
      readonly interactionId: string;
      readonly agentId: string;
      readonly cause: 'answered-elsewhere' | 'abandoned' | 'withdrawn' | NoAnswerCause;
    }
  /** A caller has been on hold longer than the queue allows: take it back or alert a supervisor. */
  | {
      readonly type: 'hold-exceeded';
      readonly interactionId: string;
      readonly agentId: string;
      readonly heldMs: number;
    }
  | {
      readonly type: 'divert';
      readonly interactionId: string;
      readonly queueId: string;
      readonly target: Exclude<OverflowTarget, { kind: 'queue' }>;
      readonly reason: 'closed' | 'max-length' | 'max-wait';
    };

/** A position / expected-wait announcement due for a waiting caller. */
export interface Announcement {
  readonly interactionId: string;
  readonly queueId: string;
  readonly position: number;
  readonly expectedWait: ExpectedWait;
  readonly at: number;
}

/** Live status of one queue, with today's figures (since local midnight). */
export interface QueueStatus {
  readonly queueId: string;
  readonly open: boolean;
  readonly waiting: number;
  readonly callbacksWaiting: number;
  /** Longest current wait among waiting interactions, ms. */
  readonly longestWaitingMs: number;
  /** Ready, online agents serving the queue. */
  readonly staffed: number;
  /** Expected wait of a new normal-priority voice arrival. */
  readonly expectedWait: ExpectedWait;
  readonly today: QueueFigures | undefined;
}

/** A waiting interaction as a queue listing shows it. */
export interface WaitingSnapshot {
  readonly interactionId: string;
  readonly media: MediaType;
  readonly priority: PriorityClass;
  readonly enqueuedAt: number;
  readonly position: number;
}

/** Where an interaction is: waiting in line, ringing, with an agent, or finished. */
export type InteractionStatus = 'waiting' | 'offered' | 'connected' | 'ended';

// ---------------------------------------------------------------------------------------------
// Internal records

interface AgentRec extends CandidateAgent {
  readonly id: string;
  readonly ordinal: number;
  config: AgentConfig;
  skills: Map<string, number>;
  teams: Set<string>;
  capacity: Record<MediaType, number>;
  maxConcurrent: number;
  idleSince: number;
  answeredCount: number;
  load: number;
  loadByMedia: Record<MediaType, number>;
  presence: Presence;
  reason: string | undefined;
  key: AgentStateKey;
  /** The not-ready reason last published in an `agent-state` event. */
  publishedReason: string | undefined;
  since: number;
  online: boolean;
  graceTimer: Subscription | undefined;
  pendingLogout: boolean;
  misses: number;
  readonly items: Map<string, WorkItem>;
  readonly availableFor: Set<MediaType>;
  /** The waiting lines this agent can serve (kept in step as lines appear). */
  buckets: Bucket[];
  memberOf: QueueRec[];
  staffed: boolean;
  snapshot: AgentSnapshot | undefined;
  subject: BehaviorSubject<AgentSnapshot> | undefined;
}

interface WorkItem {
  readonly ix: InteractionRec;
  readonly agent: AgentRec;
  readonly queueId: string;
  readonly media: MediaType;
  activity: Exclude<Activity, 'idle'>;
  since: number;
  talkMs: number;
  holdMs: number;
  talkStartedAt: number;
  holdStartedAt: number;
  wrapStartedAt: number;
  wrapTimer: Subscription | undefined;
  holdTimer: Subscription | undefined;
}

interface InteractionRec extends HeapItem, RoutingInteraction {
  readonly id: string;
  readonly seq: number;
  media: MediaType;
  readonly priority: PriorityClass;
  readonly rank: number;
  readonly extraSkills: readonly Required<SkillRequirement>[];
  skills: Required<SkillRequirement>[];
  readonly customer: CustomerRef | undefined;
  readonly enqueuedAt: number;
  queue: QueueRec;
  segmentStartedAt: number;
  status: InteractionStatus;
  bucket: Bucket | undefined;
  offers: WorkItem[];
  item: WorkItem | undefined;
  /** The agent part in wrap-up after the interaction ended; keeps the id known until wrap-up ends. */
  lingering: WorkItem | undefined;
  offerTimer: Subscription | undefined;
  maxWaitTimer: Subscription | undefined;
  announceTimer: Subscription | undefined;
  maxWaitReached: boolean;
  overflowHops: number;
}

interface QueueRec {
  readonly id: string;
  config: QueueConfig;
  skills: Required<SkillRequirement>[];
  strategy: RoutingStrategy;
  strategyName: string;
  readonly buckets: Bucket[];
  readonly bucketByKey: Map<string, Bucket>;
  readonly memory: Map<string, unknown>;
  lastAssignedOrdinal: number | undefined;
  waiting: number;
  staffed: number;
  readonly handleSamples: number[];
  handleSampleNext: number;
}

interface Bucket {
  readonly key: string;
  readonly queue: QueueRec;
  readonly media: MediaType;
  readonly skills: readonly Required<SkillRequirement>[];
  readonly heap: IndexedHeap<InteractionRec>;
}

type Outgoing =
  | { readonly kind: 'event'; readonly value: AcdEvent }
  | { readonly kind: 'assignment'; readonly value: Assignment }
  | { readonly kind: 'announcement'; readonly value: Announcement };

const HANDLE_SAMPLES = 50;
const MAX_OVERFLOW_HOPS = 8;
const Z80 = 1.2816;

/** Presence a table target prescribes. */
function presenceOf(to: AgentStateKey): Presence {
  return splitStateKey(to).presence;
}

function tableMismatch(event: AgentEventType): Error {
  return new Error(`acd: internal error: transition table target for "${event}" does not match the handler`);
}

/** Activity a table target prescribes for a work item that stays with the agent. */
function itemActivityOf(to: AgentStateKey): Exclude<Activity, 'idle'> {
  const { activity } = splitStateKey(to);
  if (activity === 'idle') throw new Error(`acd: internal error: table target ${to} removes the item`);
  return activity;
}

/** Checks that a table target removes the work item (activity idle). */
function expectIdle(to: AgentStateKey, event: AgentEventType): void {
  if (splitStateKey(to).activity !== 'idle') throw tableMismatch(event);
}

function before(a: InteractionRec, b: InteractionRec): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt < b.enqueuedAt;
  return a.seq < b.seq;
}

function invalid(message: string, details?: Record<string, unknown>): AcdError {
  return new AcdError(AcdErrorCode.InvalidArgument, message, details ? { details } : {});
}

function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${what} must be a non-empty string`);
  return value;
}

function checkDuration(value: number | undefined, what: string, allowZero = true): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(`${what} must be a ${allowZero ? 'non-negative' : 'positive'} finite number of ms, got ${value}`);
  }
}

function normaliseSkills(reqs: readonly SkillRequirement[] | undefined, what: string): Required<SkillRequirement>[] {
  if (reqs === undefined || reqs.length === 0) return [];
  if (reqs.length === 1) {
    const r = reqs[0] as SkillRequirement;
    checkId(r?.skill, `${what}.skill`);
    const level = r.minLevel ?? 1;
    if (!Number.isInteger(level) || level < 1)
      throw invalid(`${what}: minLevel of "${r.skill}" must be a positive integer, got ${level}`);
    return [{ skill: r.skill, minLevel: level }];
  }
  const out = new Map<string, number>();
  for (const r of reqs ?? []) {
    checkId(r?.skill, `${what}.skill`);
    const level = r.minLevel ?? 1;
    if (!Number.isInteger(level) || level < 1)
      throw invalid(`${what}: minLevel of "${r.skill}" must be a positive integer, got ${level}`);
    out.set(r.skill, Math.max(out.get(r.skill) ?? 0, level));
  }
  return [...out.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([skill, minLevel]) => ({ skill, minLevel }));
}

function mergeSkills(
  a: readonly Required<SkillRequirement>[],
  b: readonly Required<SkillRequirement>[],
): Required<SkillRequirement>[] {
  if (b.length === 0) return a as Required<SkillRequirement>[];
  if (a.length === 0) return b as Required<SkillRequirement>[];
  return normaliseSkills([...a, ...b], 'skills');
}

function checkTarget(t: OverflowTarget | undefined, what: string): void {
  if (t === undefined) return;
  if (t.kind === 'queue') checkId(t.queueId, `${what}.queueId`);
  else if (t.kind !== 'voicemail' && t.kind !== 'callback-offer')
    throw invalid(`${what}: unknown overflow target kind`);
}

/**
 * The ACD. Commands are synchronous methods that validate their input and throw {@link AcdError};
 * everything that happens is published on `events$` (the log), `assignments$` (what the
 * application must do), and the state streams. Emissions of one command are delivered after the
 * command has fully updated the state, in order; a subscriber may call commands re-entrantly.
 *
 * Invariant after every command: no waiting interaction has an available, eligible agent.
 */
export class Acd {
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly maxMisses: number;
  private readonly graceMs: number;
  private readonly strategies: Map<string, RoutingStrategy>;
  private readonly agents = new Map<string, AgentRec>();
  private readonly queues = new Map<string, QueueRec>();
  private readonly interactions = new Map<string, InteractionRec>();
  private readonly availAll = new Map<MediaType, Set<AgentRec>>();
  private readonly availBySkill = new Map<MediaType, Map<string, Set<AgentRec>>>();
  private readonly allBuckets: Bucket[] = [];
  private readonly stats: StatisticsAccumulator;
  private readonly pendingIx = new Set<InteractionRec>();
  private readonly pendingAgents = new Set<AgentRec>();
  private readonly outbox: Outgoing[] = [];
  private readonly changedAgents = new Set<AgentRec>();
  private depth = 0;
  private dispatching = false;
  private flushing = false;
  private disposed = false;
  private seq = 0;
  private ixSeq = 0;
  private agentOrdinal = 0;
  private agentsStale = true;
  private readonly eventsSubject = new Subject<AcdEvent>();
  private readonly assignmentsSubject = new Subject<Assignment>();
  private readonly announcementsSubject = new Subject<Announcement>();
  private readonly agentsSubject = new BehaviorSubject<ReadonlyMap<string, AgentSnapshot>>(new Map());
  private readonly queueStatsSubject = new BehaviorSubject<ReadonlyMap<string, QueueStatus>>(new Map());

  /**
   * The event log, hot: every event once, in `seq` order. Persist it to rebuild statistics. The
   * configuration events of the constructor are delivered with the first command's emissions.
   */
  readonly events$: Observable<AcdEvent> = this.eventsSubject.asObservable();
  /** What the application must do: offers, retractions, diversions. */
  readonly assignments$: Observable<Assignment> = this.assignmentsSubject.asObservable();
  /** Announcements due for waiting voice callers (position and expected wait). */
  readonly announcements$: Observable<Announcement> = this.announcementsSubject.asObservable();
  /** All agents' snapshots: current value on subscribe, then after every change. */
  readonly agents$: Observable<ReadonlyMap<string, AgentSnapshot>> = defer(() => {
    this.refreshAgentsSubject();
    return this.agentsSubject.asObservable();
  });
  /** Live status of every queue: current value on subscribe, then after every command. */
  readonly queueStats$: Observable<ReadonlyMap<string, QueueStatus>> = defer(() => {
    this.queueStatsSubject.next(this.computeQueueStatus());
    return this.queueStatsSubject.asObservable();
  });

  constructor(options: AcdOptions) {
    if (!options || typeof options.scheduler?.now !== 'function' || typeof options.scheduler.schedule !== 'function') {
      throw invalid('options.scheduler must be an RxJS SchedulerLike');
    }
    this.scheduler = options.scheduler;
    this.logger = options.logger ?? silentLogger;
    this.maxMisses = options.maxMisses ?? 2;
    if (!Number.isInteger(this.maxMisses) || this.maxMisses < 1) throw invalid('maxMisses must be a positive integer');
    this.graceMs = options.disconnectGraceMs ?? 30_000;
    checkDuration(this.graceMs, 'disconnectGraceMs');
    this.strategies = new Map(Object.entries(BUILT_IN_STRATEGIES));
    for (const [name, fn] of Object.entries(options.strategies ?? {})) {
      if (typeof fn !== 'function') throw invalid(`strategies.${name} must be a function`);
      this.strategies.set(name, fn);
    }
    this.stats = new StatisticsAccumulator(options.statistics);
    for (const m of MEDIA_TYPES) {
      this.availAll.set(m, new Set());
      this.availBySkill.set(m, new Map());
    }
    // Not flushed here: the configuration events go out with the first command's emissions, so a
    // subscriber attached right after construction records a complete log.
    for (const q of options.queues ?? []) this.addQueueNow(q);
    for (const a of options.agents ?? []) this.addAgentNow(a);
  }

  /** Now, epoch ms, from the injected scheduler. */
  now(): number {
    return this.scheduler.now();
  }

  // -------------------------------------------------------------------------------------------
  // Configuration

  /** Adds a queue, or replaces the configuration of an existing one (waiting work stays). */
  addQueue(config: QueueConfig): void {
    this.run(() => this.addQueueNow(config));
  }

  /** Adds an agent (logged out). Throws `ERR_DUPLICATE` if the id exists. */
  addAgent(config: AgentConfig): void {
    this.run(() => this.addAgentNow(config));
  }

  /** Removes a logged-out agent. Throws `ERR_ILLEGAL_STATE` if it is logged in. */
  removeAgent(agentId: string): void {
    this.run(() => {
      const a = this.agent(agentId);
      if (a.presence !== 'logged-out') {
        throw new AcdError(AcdErrorCode.IllegalState, `agent ${agentId} must be logged out to be removed`, {
          details: { agentId, state: a.key },
        });
      }
      for (const q of a.memberOf) if (a.staffed) q.staffed--;
      a.subject?.complete();
      this.agents.delete(agentId);
      this.agentsStale = true;
    });
  }

  private addQueueNow(config: QueueConfig): void {
    checkId(config?.id, 'queue.id');
    checkDuration(config.maxWaitMs, `queue ${config.id}: maxWaitMs`, false);
    checkDuration(config.wrapUpMs, `queue ${config.id}: wrapUpMs`);
    checkDuration(config.noAnswerTimeoutMs, `queue ${config.id}: noAnswerTimeoutMs`, false);
    checkDuration(config.maxHoldMs, `queue ${config.id}: maxHoldMs`, false);
    checkDuration(config.serviceLevelThresholdMs, `queue ${config.id}: serviceLevelThresholdMs`);
    checkDuration(config.shortAbandonMs, `queue ${config.id}: shortAbandonMs`);
    checkDuration(config.expectedHandleMs, `queue ${config.id}: expectedHandleMs`, false);
    if (config.maxLength !== undefined && (!Number.isInteger(config.maxLength) || config.maxLength < 0)) {
      throw invalid(`queue ${config.id}: maxLength must be a non-negative integer`);
    }
    if (config.ringAllLimit !== undefined && (!Number.isInteger(config.ringAllLimit) || config.ringAllLimit < 1)) {
      throw invalid(`queue ${config.id}: ringAllLimit must be a positive integer`);
    }
    if (config.announcements) {
      checkDuration(config.announcements.intervalMs, `queue ${config.id}: announcements.intervalMs`, false);
      checkDuration(config.announcements.firstAfterMs, `queue ${config.id}: announcements.firstAfterMs`);
    }
    checkTarget(config.closedTarget, `queue ${config.id}: closedTarget`);
    checkTarget(config.maxWaitTarget, `queue ${config.id}: maxWaitTarget`);
    checkTarget(config.maxLengthTarget, `queue ${config.id}: maxLengthTarget`);
    if (config.hours) {
      try {
        validateHours(config.hours);
      } catch (err) {
        throw invalid(`queue ${config.id}: ${(err as Error).message}`);
      }
    }
    const strategyName = config.strategy ?? 'longest-idle';
    const strategy = this.strategies.get(strategyName);
    if (!strategy) throw invalid(`queue ${config.id}: unknown strategy "${strategyName}"`, { strategy: strategyName });
    const skills = normaliseSkills(config.skills, `queue ${config.id}: skills`);
    const existing = this.queues.get(config.id);
    if (existing) {
      existing.config = config;
      existing.strategy = strategy;
      existing.strategyName = strategyName;
      if (JSON.stringify(existing.skills) !== JSON.stringify(skills)) {
        throw invalid(`queue ${config.id}: required skills cannot change on a live queue; add a new queue`);
      }
    } else {
      this.queues.set(config.id, {
        id: config.id,
        config,
        skills,
        strategy,
        strategyName,
        buckets: [],
        bucketByKey: new Map(),
        memory: new Map(),
        lastAssignedOrdinal: undefined,
        waiting: 0,
        staffed: 0,
        handleSamples: [],
        handleSampleNext: 0,
      });
      const q = this.queues.get(config.id) as QueueRec;
      for (const a of this.agents.values()) {
        if (this.servesQueue(a, q)) {
          a.memberOf.push(q);
          if (a.staffed) q.staffed++;
        }
      }
    }
    this.emit({
      type: 'queue-configured',
      queueId: config.id,
      serviceLevelThresholdMs: config.serviceLevelThresholdMs ?? 20_000,
      shortAbandonMs: config.shortAbandonMs ?? 5_000,
    });
  }

  private addAgentNow(config: AgentConfig): void {
    checkId(config?.id, 'agent.id');
    if (this.agents.has(config.id))
      throw new AcdError(AcdErrorCode.Duplicate, `agent ${config.id} already exists`, {
        details: { agentId: config.id },
      });
    if (typeof config.skills !== 'object' || config.skills === null)
      throw invalid(`agent ${config.id}: skills must be an object of levels`);
    const skills = new Map<string, number>();
    for (const [s, level] of Object.entries(config.skills)) {
      if (!Number.isInteger(level) || level < 1)
        throw invalid(`agent ${config.id}: level of skill "${s}" must be a positive integer, got ${level}`);
      skills.set(s, level);
    }
    const capacity = { ...DEFAULT_CAPACITY };
    for (const [m, c] of Object.entries(config.capacity ?? {})) {
      if (!MEDIA_TYPES.includes(m as MediaType)) throw invalid(`agent ${config.id}: unknown media "${m}" in capacity`);
      if (!Number.isInteger(c) || c < 0)
        throw invalid(`agent ${config.id}: capacity for ${m} must be a non-negative integer`);
      capacity[m as MediaType] = c;
    }
    const maxConcurrent = config.maxConcurrent ?? 1;
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
      throw invalid(`agent ${config.id}: maxConcurrent must be a positive integer`);
    const now = this.now();
    const rec: AgentRec = {
      id: config.id,
      ordinal: this.agentOrdinal++,
      config,
      skills,
      teams: new Set(config.teams ?? []),
      capacity,
      maxConcurrent,
      idleSince: now,
      answeredCount: 0,
      load: 0,
      loadByMedia: { voice: 0, callback: 0, 'voicemail-callback': 0, chat: 0, email: 0 },
      presence: 'logged-out',
      reason: undefined,
      key: 'logged-out',
      publishedReason: undefined,
      since: now,
      online: true,
      graceTimer: undefined,
      pendingLogout: false,
      misses: 0,
      items: new Map(),
      availableFor: new Set(),
      buckets: [],
      memberOf: [],
      staffed: false,
      snapshot: undefined,
      subject: undefined,
    };
    rec.memberOf = [...this.queues.values()].filter((q) => this.servesQueue(rec, q));
    rec.buckets = this.allBuckets.filter((b) => this.agentServesBucket(rec, b));
    this.agents.set(config.id, rec);
    this.agentsStale = true;
  }

  private servesQueue(a: AgentRec, q: QueueRec): boolean {
    const teams = q.config.teams;
    if (teams && teams.length > 0 && !teams.some((t) => a.teams.has(t))) return false;
    for (const r of q.skills) if ((a.skills.get(r.skill) ?? 0) < r.minLevel) return false;
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Agent commands

  /** Logs an agent in (to `not-ready/idle`, reason `login`; `ready: true` then sets it ready). */
  login(agentId: string, options: { readonly ready?: boolean } = {}): void {
    this.run(() => {
      const a = this.agent(agentId);
      a.presence = presenceOf(this.legal(a, 'login'));
      a.reason = 'login';
      a.online = true;
      a.misses = 0;
      a.answeredCount = 0;
      a.pendingLogout = false;
      this.refresh(a, 'login');
      if (options.ready) this.setReadyNow(a);
    });
  }

  /** Logs an idle agent out. Illegal with work in hand (use {@link forceLogout}). */
  logout(agentId: string): void {
    this.run(() => {
      const a = this.loggedIn(agentId, 'logout');
      if (presenceOf(this.legal(a, 'logout')) !== 'logged-out') throw tableMismatch('logout');
      this.logoutNow(a, 'logout');
    });
  }

  /**
   * Supervisor force: offers in flight go back to the head of their queues, wrap-ups end; with a
   * call connected or held the agent goes `not-ready` (reason `logout-pending`) and is logged out
   * as soon as that work ends. The call in hand is never dropped.
   */
  forceLogout(agentId: string): void {
    this.run(() => {
      const a = this.loggedIn(agentId, 'force-logout');
      // Presence first (from the table), so that the agent moves once and gets no new work.
      const presence = presenceOf(this.legal(a, 'force-logout'));
      const inCall = presence !== 'logged-out';
      a.presence = presence;
      if (inCall) {
        a.reason = 'logout-pending';
        a.pendingLogout = true;
      }
      for (const item of [...a.items.values()]) {
        if (item.activity === 'offered') this.dropOffer(item, 'forced', false, false);
        else if (item.activity === 'wrap-up') this.endWrapUp(item, 'forced', false);
      }
      if (inCall) this.refresh(a, 'force-logout');
      else this.logoutNow(a, 'force-logout');
    });
  }

  /** Sets an agent ready (from not-ready; work in hand continues). Resets its miss counter. */
  setReady(agentId: string): void {
    this.run(() => this.setReadyNow(this.loggedIn(agentId, 'set-ready')));
  }

  /** Sets an agent not ready with a reason code (also changes the reason while not ready). */
  setNotReady(agentId: string, reason: string): void {
    this.run(() => {
      const a = this.loggedIn(agentId, 'set-not-ready');
      checkId(reason, 'reason');
      const to = this.legal(a, 'set-not-ready');
      if (a.pendingLogout)
        throw new AcdError(AcdErrorCode.IllegalState, `agent ${agentId} is being logged out`, { details: { agentId } });
      a.presence = presenceOf(to);
      a.reason = reason;
      this.refresh(a, 'set-not-ready');
    });
  }

  /**
   * The agent's desktop disconnected. Nothing in hand is dropped; no new work is offered; after
   * the grace period the agent goes not ready (reason `disconnected`) and ringing offers are
   * redirected. Calling it again while offline keeps the first timer.
   */
  desktopDisconnected(agentId: string): void {
    this.run(() => {
      const a = this.loggedIn(agentId, 'disconnect');
      this.legal(a, 'disconnect');
      if (!a.online) return;
      a.online = false;
      this.emit({ type: 'agent-desktop', agentId, online: false });
      a.graceTimer = this.scheduler.schedule(() => this.run(() => this.onGraceExpired(a)), this.graceMs);
      this.updateAvailability(a);
      this.touch(a);
    });
  }

  /** The agent's desktop is back: the grace timer stops and the agent can be offered work again. */
  desktopReconnected(agentId: string): void {
    this.run(() => {
      const a = this.loggedIn(agentId, 'reconnect');
      this.legal(a, 'reconnect');
      if (a.online) return;
      a.online = true;
      a.graceTimer?.unsubscribe();
      a.graceTimer = undefined;
      this.emit({ type: 'agent-desktop', agentId, online: true });
      this.updateAvailability(a);
      this.touch(a);
    });
  }

  /** Ends an agent's wrap-up for one interaction (or its only one) before the timer does. */
  wrapUpDone(agentId: string, interactionId?: string): void {
    this.run(() => {
      const a = this.loggedIn(agentId, 'wrap-up-done');
      let item: WorkItem | undefined;
      if (interactionId !== undefined) item = a.items.get(interactionId);
      else {
        const wraps = [...a.items.values()].filter((i) => i.activity === 'wrap-up');
        if (wraps.length > 1) throw invalid(`agent ${agentId} has ${wraps.length} wrap-ups; name the interaction`);
        item = wraps[0] ?? [...a.items.values()][0];
      }
      expectIdle(this.legal(a, 'wrap-up-done', item), 'wrap-up-done');
      this.endWrapUp(item as WorkItem, 'done');
    });
  }

  private setReadyNow(a: AgentRec): void {
    const to = this.legal(a, 'set-ready');
    if (a.pendingLogout)
      throw new AcdError(AcdErrorCode.IllegalState, `agent ${a.id} is being logged out`, {
        details: { agentId: a.id },
      });
    a.presence = presenceOf(to);
    a.reason = undefined;
    a.misses = 0;
    this.refresh(a, 'set-ready');
  }

  private logoutNow(a: AgentRec, cause: AgentEventType): void {
    a.graceTimer?.unsubscribe();
    a.graceTimer = undefined;
    a.presence = 'logged-out';
    a.reason = undefined;
    a.pendingLogout = false;
    a.online = true;
    this.refresh(a, cause);
  }

  private onGraceExpired(a: AgentRec): void {
    a.graceTimer = undefined;
    if (a.presence === 'logged-out' || a.online) return;
    const to = this.legal(a, 'grace-expired');
    if (!a.pendingLogout) {
      a.presence = presenceOf(to);
      a.reason = 'disconnected';
    }
    for (const item of [...a.items.values()])
      if (item.activity === 'offered') this.dropOffer(item, 'disconnected', false, false);
    this.refresh(a, 'grace-expired');
  }

  // -------------------------------------------------------------------------------------------
  // Interaction commands

  /**
   * Puts an interaction in a queue, or turns it away (closed, full). Emergencies bypass hours and
   * length limits and go before every other class. Returns whether it was offered at once, queued
   * (with position and expected wait) or diverted.
   */
  enqueue(request: EnqueueRequest): EnqueueResult {
    return this.run(() => {
      const q = this.queue(request?.queueId);
      const media = request.media ?? 'voice';
      if (!MEDIA_TYPES.includes(media)) throw invalid(`unknown media "${String(media)}"`);
      const priority = request.priority ?? 'normal';
      if (!(priority in PRIORITY_RANK)) throw invalid(`unknown priority class "${String(priority)}"`);
      const extra = normaliseSkills(request.skills, 'skills');
      const now = this.now();
      const enqueuedAt = request.enqueuedAt ?? now;
      if (!Number.isFinite(enqueuedAt) || enqueuedAt > now)
        throw invalid(`enqueuedAt must be a time not after now (${now}), got ${enqueuedAt}`);
      const id = request.interactionId ?? `ix-${this.ixSeq + 1}`;
      checkId(id, 'interactionId');
      if (this.interactions.has(id))
        throw new AcdError(AcdErrorCode.Duplicate, `interaction ${id} is already in the ACD`, {
          details: { interactionId: id },
        });
      const ix: InteractionRec = {
        id,
        seq: ++this.ixSeq,
        media,
        priority,
        rank: PRIORITY_RANK[priority],
        extraSkills: extra,
        skills: mergeSkills(q.skills, extra),
        customer: request.customer,
        enqueuedAt,
        queue: q,
        segmentStartedAt: now,
        status: 'waiting',
        bucket: undefined,
        heapIndex: -1,
        offers: [],
        item: undefined,
        lingering: undefined,
        offerTimer: undefined,
        maxWaitTimer: undefined,
        announceTimer: undefined,
        maxWaitReached: false,
        overflowHops: 0,
      };
      this.logger.debug('acd: enqueue', {
        interactionId: id,
        queueId: q.id,
        media,
        priority,
        phone: maskPhone(request.customer?.phone),
      });
      return this.admit(ix, q, 'new');
    });
  }

  /** The agent answered (`agentId` required when several agents ring). Other offers are retracted. */
  answered(interactionId: string, agentId?: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      const item = this.offerOf(ix, agentId, 'answer');
      const to = this.legal(item.agent, 'answer', item);
      ix.offerTimer?.unsubscribe();
      ix.offerTimer = undefined;
      for (const other of ix.offers) {
        if (other === item) continue;
        expectIdle(this.legal(other.agent, 'retract', other), 'retract');
        this.removeItem(other);
        this.emit({ type: 'retracted', interactionId, agentId: other.agent.id });
        this.assign({ type: 'retract', interactionId, agentId: other.agent.id, cause: 'answered-elsewhere' });
        this.refresh(other.agent, 'retract', interactionId);
      }
      ix.offers = [];
      ix.maxWaitTimer?.unsubscribe();
      ix.maxWaitTimer = undefined;
      const now = this.now();
      ix.queue.waiting--;
      ix.status = 'connected';
      ix.item = item;
      item.activity = itemActivityOf(to);
      item.since = now;
      item.talkStartedAt = now;
      const a = item.agent;
      a.answeredCount++;
      a.misses = 0;
      this.emit({
        type: 'answered',
        interactionId,
        queueId: ix.queue.id,
        agentId: a.id,
        media: ix.media,
        waitMs: now - ix.segmentStartedAt,
      });
      this.refresh(a, 'answer', interactionId);
    });
  }

  /** The offered agent declined: back to the head of the queue; counts as a miss. */
  rejected(interactionId: string, agentId?: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      const item = this.offerOf(ix, agentId, 'reject');
      expectIdle(this.legal(item.agent, 'reject', item), 'reject');
      this.dropOffer(item, 'rejected', true);
    });
  }

  /** The application could not reach the agent (line busy, unregistered): same as a missed offer. */
  offerFailed(interactionId: string, agentId?: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      const item = this.offerOf(ix, agentId, 'no-answer');
      expectIdle(this.legal(item.agent, 'no-answer', item), 'no-answer');
      this.dropOffer(item, 'failed', true);
    });
  }

  /**
   * The interaction ended. Waiting or ringing: the caller abandoned. Connected or held: the call
   * ended and the agent goes to wrap-up.
   */
  hangup(interactionId: string, by: 'caller' | 'agent' = 'caller'): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      const now = this.now();
      if (ix.status === 'waiting' || ix.status === 'offered') {
        const position = ix.status === 'waiting' ? this.positionOf(ix) : 0;
        for (const item of ix.offers) {
          expectIdle(this.legal(item.agent, 'hangup', item), 'hangup');
        }
        for (const item of ix.offers) {
          this.removeItem(item);
          this.assign({ type: 'retract', interactionId, agentId: item.agent.id, cause: 'abandoned' });
          this.refresh(item.agent, 'hangup', interactionId);
        }
        ix.offers = [];
        this.leaveQueue(ix);
        const waitMs = now - ix.segmentStartedAt;
        const short = waitMs < (ix.queue.config.shortAbandonMs ?? 5_000);
        this.emit({ type: 'abandoned', interactionId, queueId: ix.queue.id, waitMs, position, short });
        this.finish(ix);
        return;
      }
      const item = this.connectedItem(ix, 'hangup');
      const to = this.legal(item.agent, 'hangup', item);
      this.closeTalk(item);
      this.emit({ type: 'ended', interactionId, queueId: item.queueId, agentId: item.agent.id, by });
      this.finish(ix, item);
      this.startWrapUp(item, 'hangup', to);
    });
  }

  /**
   * The application takes a waiting or ringing interaction back (a callback that is no longer
   * needed, a customer who called in again): it leaves the queue without counting as an abandon.
   */
  withdraw(interactionId: string, reason: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      checkId(reason, 'reason');
      if (ix.status !== 'waiting' && ix.status !== 'offered') {
        throw new AcdError(
          AcdErrorCode.IllegalState,
          `interaction ${interactionId} is ${ix.status}; only waiting or ringing work can be withdrawn`,
          {
            details: { interactionId, status: ix.status },
          },
        );
      }
      for (const item of ix.offers) expectIdle(this.legal(item.agent, 'retract', item), 'retract');
      for (const item of ix.offers) {
        this.removeItem(item);
        this.emit({ type: 'retracted', interactionId, agentId: item.agent.id });
        this.assign({ type: 'retract', interactionId, agentId: item.agent.id, cause: 'withdrawn' });
        this.refresh(item.agent, 'retract', interactionId);
      }
      ix.offers = [];
      this.leaveQueue(ix);
      this.emit({
        type: 'withdrawn',
        interactionId,
        queueId: ix.queue.id,
        waitMs: this.now() - ix.segmentStartedAt,
        reason,
      });
      this.finish(ix);
    });
  }

  /** A connected interaction was put on hold. */
  hold(interactionId: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      const item = this.connectedItem(ix, 'hold');
      const to = this.legal(item.agent, 'hold', item);
      const now = this.now();
      item.talkMs += now - item.talkStartedAt;
      item.holdStartedAt = now;
      item.activity = itemActivityOf(to);
      item.since = now;
      this.emit({ type: 'held', interactionId, agentId: item.agent.id });
      const maxHold = this.queues.get(item.queueId)?.config.maxHoldMs;
      if (maxHold !== undefined) this.scheduleHoldCheck(item, maxHold);
      this.refresh(item.agent, 'hold', interactionId);
    });
  }

  /** A held interaction was taken off hold. */
  retrieve(interactionId: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      const item = this.connectedItem(ix, 'retrieve');
      const to = this.legal(item.agent, 'retrieve', item);
      const now = this.now();
      item.holdMs += now - item.holdStartedAt;
      item.holdTimer?.unsubscribe();
      item.holdTimer = undefined;
      item.talkStartedAt = now;
      item.activity = itemActivityOf(to);
      item.since = now;
      this.emit({ type: 'retrieved', interactionId, agentId: item.agent.id });
      this.refresh(item.agent, 'retrieve', interactionId);
    });
  }

  /**
   * The agent transferred a connected or held interaction. The agent's part ends (its talk and hold
   * are its own) and it goes to wrap-up; into a queue, the interaction keeps its age and priority.
   */
  transfer(interactionId: string, target: TransferTarget): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      if (target?.kind === 'queue') this.queue(target.queueId);
      else if (target?.kind !== 'external')
        throw invalid('transfer target must be { kind: "queue", queueId } or { kind: "external" }');
      const item = this.connectedItem(ix, 'transfer');
      const to = this.legal(item.agent, 'transfer', item);
      this.closeTalk(item);
      this.emit({ type: 'transferred', interactionId, queueId: item.queueId, agentId: item.agent.id, target });
      ix.item = undefined;
      this.startWrapUp(item, 'transfer', to);
      if (target.kind === 'queue') this.admit(ix, this.queue(target.queueId), 'transfer');
      else this.finish(ix, item);
    });
  }

  /**
   * The agent's leg failed. Ringing: a missed offer (the caller goes back to the head). Connected or
   * held: the agent's part ends (wrap-up), the agent goes not ready (reason `line-failure`) and the
   * caller is re-queued in the same queue with its original age, so it is next in line for its class.
   */
  agentLegLost(interactionId: string, agentId?: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      if (ix.status === 'offered') {
        const item = this.offerOf(ix, agentId, 'no-answer');
        expectIdle(this.legal(item.agent, 'no-answer', item), 'no-answer');
        this.dropOffer(item, 'failed', true);
        return;
      }
      const item = this.connectedItem(ix, 'hangup');
      const to = this.legal(item.agent, 'hangup', item);
      this.closeTalk(item);
      this.emit({ type: 'agent-leg-lost', interactionId, queueId: item.queueId, agentId: item.agent.id });
      ix.item = undefined;
      this.startWrapUp(item, 'hangup', to);
      // The agent's line failed: offer it nothing more until someone has looked (reason line-failure).
      const agent = item.agent;
      if (agent.presence === 'ready' && !agent.pendingLogout) {
        agent.presence = presenceOf(this.legal(agent, 'set-not-ready'));
        agent.reason = 'line-failure';
        this.refresh(agent, 'set-not-ready', interactionId);
      }
      this.admit(ix, ix.queue, 'requeue');
    });
  }

  /**
   * A waiting voice caller chose a callback (virtual hold): the interaction becomes a `callback`
   * that keeps its place in line and is offered when it reaches the head and an agent is free. The
   * caller hanging up afterwards is not an abandon.
   */
  requestCallback(interactionId: string): void {
    this.run(() => {
      const ix = this.interaction(interactionId);
      if (ix.status !== 'waiting' || ix.media !== 'voice') {
        throw new AcdError(
          AcdErrorCode.IllegalState,
          `interaction ${interactionId} must be a waiting voice call to become a callback (it is ${ix.status} ${ix.media})`,
          {
            details: { interactionId, status: ix.status, media: ix.media },
          },
        );
      }
      const position = this.positionOf(ix);
      this.removeFromBucket(ix);
      ix.media = 'callback';
      ix.maxWaitTimer?.unsubscribe();
      ix.maxWaitTimer = undefined;
      ix.announceTimer?.unsubscribe();
      ix.announceTimer = undefined;
      this.addToBucket(ix);
      this.emit({ type: 'callback-requested', interactionId, queueId: ix.queue.id, position });
      this.pendingIx.add(ix);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  /** The agent's current snapshot. */
  agentSnapshot(agentId: string): AgentSnapshot {
    return this.snapshotOf(this.agent(agentId));
  }

  /** Current state of one agent, then every change; completes when the agent is removed. */
  agentState$(agentId: string): Observable<AgentSnapshot> {
    const a = this.agent(agentId);
    if (!a.subject) a.subject = new BehaviorSubject(this.snapshotOf(a));
    return a.subject.asObservable();
  }

  /** 1-based position of a waiting interaction in its queue (0 if not waiting). */
  position(interactionId: string): number {
    return this.positionOf(this.interaction(interactionId));
  }

  /** True while the ACD knows the interaction (queued, ringing, connected, or in its agent's wrap-up). */
  hasInteraction(interactionId: string): boolean {
    return this.interactions.has(interactionId);
  }

  /** Status of an interaction known to the ACD; throws `ERR_UNKNOWN_INTERACTION` otherwise. */
  interactionStatus(interactionId: string): {
    readonly status: InteractionStatus;
    readonly queueId: string;
    readonly media: MediaType;
    readonly agentIds: readonly string[];
  } {
    const ix = this.interaction(interactionId);
    const agentIds = ix.status === 'offered' ? ix.offers.map((o) => o.agent.id) : ix.item ? [ix.item.agent.id] : [];
    return { status: ix.status, queueId: ix.queue.id, media: ix.media, agentIds };
  }

  /** Waiting interactions of a queue in service order (callbacks included). */
  waiting(queueId: string): readonly WaitingSnapshot[] {
    const q = this.queue(queueId);
    const all: InteractionRec[] = [];
    for (const b of q.buckets) all.push(...b.heap.values());
    all.sort((x, y) => (before(x, y) ? -1 : 1));
    return all.map((ix, i) => ({
      interactionId: ix.id,
      media: ix.media,
      priority: ix.priority,
      enqueuedAt: ix.enqueuedAt,
      position: i + 1,
    }));
  }

  /**
   * Expected wait: for a waiting interaction (by id), or for a new arrival in a queue
   * (`{ queueId, priority? }`).
   */
  expectedWait(
    target: { readonly interactionId: string } | { readonly queueId: string; readonly priority?: PriorityClass },
  ): ExpectedWait {
    if ('interactionId' in target) {
      const ix = this.interaction(target.interactionId);
      if (ix.status !== 'waiting') return { status: 'immediate' };
      return this.estimate(ix.queue, this.positionOf(ix));
    }
    const q = this.queue(target.queueId);
    const rank = PRIORITY_RANK[target.priority ?? 'normal'];
    let ahead = 0;
    for (const b of q.buckets) for (const ix of b.heap.values()) if (ix.rank <= rank) ahead++;
    if (ahead === 0 && this.hasCandidate(q)) return { status: 'immediate' };
    return this.estimate(q, ahead + 1);
  }

  /** True when the queue accepts non-emergency interactions now. */
  isOpen(queueId: string, at: number = this.now()): boolean {
    return isOpenAt(this.queue(queueId).config.hours, at);
  }

  /**
   * Routing preview, no side effect: the agents the queue's strategy would pick now for an
   * interaction like this one, and why (`null`: it would wait).
   */
  previewRoute(request: Pick<EnqueueRequest, 'queueId' | 'media' | 'priority' | 'skills'>): RoutingChoice | null {
    const q = this.queue(request.queueId);
    const extra = normaliseSkills(request.skills, 'skills');
    const probe: RoutingInteraction = {
      id: '(preview)',
      media: request.media ?? 'voice',
      priority: request.priority ?? 'normal',
      skills: mergeSkills(q.skills, extra),
      enqueuedAt: this.now(),
    };
    return this.choose(probe, q)?.choice ?? null;
  }

  /**
   * Next-work preview, no side effect: the waiting interaction this agent would be offered on
   * becoming available (ignoring its current presence and load), or `undefined`.
   */
  nextWorkFor(agentId: string): string | undefined {
    return this.selectWork(this.agent(agentId), true)?.id;
  }

  /** Statistics from the event log so far (open agent states counted up to now). */
  statistics(window: ReportWindow = {}): StatisticsReport {
    return this.stats.report({ from: window.from, to: window.to ?? this.now() });
  }

  /** Stops every timer and completes every stream. Further commands throw `ERR_DISPOSED`. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const ix of this.interactions.values()) this.cancelTimers(ix);
    for (const a of this.agents.values()) {
      a.graceTimer?.unsubscribe();
      for (const item of a.items.values()) {
        item.wrapTimer?.unsubscribe();
        item.holdTimer?.unsubscribe();
      }
      a.subject?.complete();
    }
    this.eventsSubject.complete();
    this.assignmentsSubject.complete();
    this.announcementsSubject.complete();
    this.agentsSubject.complete();
    this.queueStatsSubject.complete();
  }

  // -------------------------------------------------------------------------------------------
  // Lookups and guards

  private agent(agentId: string): AgentRec {
    checkId(agentId, 'agentId');
    const a = this.agents.get(agentId);
    if (!a) throw new AcdError(AcdErrorCode.UnknownAgent, `unknown agent "${agentId}"`, { details: { agentId } });
    return a;
  }

  private loggedIn(agentId: string, event: AgentEventType): AgentRec {
    const a = this.agent(agentId);
    if (a.presence === 'logged-out') {
      this.emit({ type: 'transition-rejected', agentId, state: a.key, event });
      throw new AcdError(
        AcdErrorCode.NotLoggedIn,
        `agent ${agentId} is not logged in (${event} needs a logged-in agent)`,
        {
          details: { agentId, event },
        },
      );
    }
    return a;
  }

  private queue(queueId: string | undefined): QueueRec {
    checkId(queueId, 'queueId');
    const q = this.queues.get(queueId as string);
    if (!q) throw new AcdError(AcdErrorCode.UnknownQueue, `unknown queue "${queueId}"`, { details: { queueId } });
    return q;
  }

  private interaction(interactionId: string): InteractionRec {
    checkId(interactionId, 'interactionId');
    const ix = this.interactions.get(interactionId);
    if (!ix)
      throw new AcdError(
        AcdErrorCode.UnknownInteraction,
        `unknown interaction "${interactionId}" (never enqueued, or finished)`,
        { details: { interactionId } },
      );
    return ix;
  }

  private offerOf(ix: InteractionRec, agentId: string | undefined, event: AgentEventType): WorkItem {
    if (ix.status !== 'offered') {
      if (agentId !== undefined) {
        const a = this.agent(agentId);
        // Reported as an illegal transition of that agent (e.g. answering twice).
        this.legal(a, event, a.items.get(ix.id));
      }
      throw new AcdError(AcdErrorCode.IllegalState, `interaction ${ix.id} is ${ix.status}, not offered (${event})`, {
        details: { interactionId: ix.id, status: ix.status, event },
      });
    }
    if (agentId === undefined) {
      if (ix.offers.length !== 1)
        throw invalid(`interaction ${ix.id} rings ${ix.offers.length} agents; name the agent`);
      return ix.offers[0] as WorkItem;
    }
    const item = ix.offers.find((o) => o.agent.id === agentId);
    if (!item) {
      const a = this.agent(agentId);
      this.legal(a, event, a.items.get(ix.id));
      throw new AcdError(AcdErrorCode.IllegalState, `interaction ${ix.id} is not offered to agent ${agentId}`, {
        details: { interactionId: ix.id, agentId },
      });
    }
    return item;
  }

  private connectedItem(ix: InteractionRec, event: AgentEventType): WorkItem {
    if (ix.status !== 'connected' || !ix.item) {
      // An agent holds it in another activity: report the illegal transition of that agent.
      const held = ix.offers[0] ?? ix.lingering;
      if (held) this.legal(held.agent, event, held);
      throw new AcdError(AcdErrorCode.IllegalState, `interaction ${ix.id} is ${ix.status}, not connected (${event})`, {
        details: { interactionId: ix.id, status: ix.status, event },
      });
    }
    return ix.item;
  }

  /** Checks the transition table; reports and throws when illegal. */
  private legal(a: AgentRec, event: AgentEventType, item?: WorkItem): AgentStateKey {
    const from = AGENT_EVENT_SCOPE[event] === 'item' ? stateKey(a.presence, item?.activity ?? 'idle') : a.key;
    const to = nextAgentState(from, event);
    if (to === undefined) {
      const interactionId = item?.ix.id;
      this.emit({
        type: 'transition-rejected',
        agentId: a.id,
        state: from,
        event,
        ...(interactionId ? { interactionId } : {}),
      });
      this.logger.warn('acd: illegal transition rejected', { agentId: a.id, state: from, event, interactionId });
      throw new AcdError(AcdErrorCode.IllegalTransition, `agent ${a.id}: "${event}" is not allowed in state ${from}`, {
        details: { agentId: a.id, state: from, event, interactionId },
      });
    }
    return to;
  }

  // -------------------------------------------------------------------------------------------
  // State bookkeeping

  /** Recomputes the agent's key, emits `agent-state` on change, updates availability. */
  private refresh(a: AgentRec, cause: AgentEventType, interactionId?: string): void {
    if (a.pendingLogout && a.items.size === 0) {
      a.presence = 'logged-out';
      a.reason = undefined;
      a.pendingLogout = false;
      a.graceTimer?.unsubscribe();
      a.graceTimer = undefined;
      a.online = true;
      cause = 'logout';
    }
    let activity: Activity = 'idle';
    if (a.items.size === 1) activity = (a.items.values().next().value as WorkItem).activity;
    else if (a.items.size > 1) {
      const acts: Activity[] = [];
      for (const i of a.items.values()) acts.push(i.activity);
      activity = aggregateActivity(acts);
    }
    const key = stateKey(a.presence, activity);
    const prev = a.key;
    const reason = a.presence === 'not-ready' ? (a.reason ?? 'unspecified') : undefined;
    if (key !== prev || reason !== a.publishedReason) {
      a.key = key;
      a.publishedReason = reason;
      a.since = this.now();
      this.emit({
        type: 'agent-state',
        agentId: a.id,
        from: prev,
        to: key,
        cause,
        ...(reason !== undefined ? { reason } : {}),
        ...(interactionId ? { interactionId } : {}),
      });
    }
    const staffed = a.presence === 'ready' && a.online;
    if (staffed !== a.staffed) {
      a.staffed = staffed;
      for (const q of a.memberOf) q.staffed += staffed ? 1 : -1;
    }
    this.updateAvailability(a);
    this.touch(a);
  }

  private touch(a: AgentRec): void {
    a.snapshot = undefined;
    this.changedAgents.add(a);
    this.agentsStale = true;
  }

  private isAvailable(a: AgentRec, media: MediaType): boolean {
    return (
      a.presence === 'ready' &&
      a.online &&
      !a.pendingLogout &&
      a.load < a.maxConcurrent &&
      a.loadByMedia[media] < a.capacity[media]
    );
  }

  /**
   * Keeps the per-(media, skill) availability sets in step. Sets iterate in insertion order and an
   * agent is (re)inserted when it becomes available or takes work, so the first agent of a set is
   * always the one idle the longest.
   */
  private updateAvailability(a: AgentRec, moveToTail = false): void {
    let becameAvailable = false;
    for (const m of MEDIA_TYPES) {
      if (a.capacity[m] === 0) continue;
      const want = this.isAvailable(a, m);
      const has = a.availableFor.has(m);
      if (has && (!want || moveToTail)) {
        this.availAll.get(m)?.delete(a);
        const bySkill = this.availBySkill.get(m) as Map<string, Set<AgentRec>>;
        for (const s of a.skills.keys()) bySkill.get(s)?.delete(a);
        a.availableFor.delete(m);
      }
      if (want && (!has || moveToTail)) {
        (this.availAll.get(m) as Set<AgentRec>).add(a);
        const bySkill = this.availBySkill.get(m) as Map<string, Set<AgentRec>>;
        for (const s of a.skills.keys()) {
          let set = bySkill.get(s);
          if (!set) bySkill.set(s, (set = new Set()));
          set.add(a);
        }
        a.availableFor.add(m);
        if (!has) becameAvailable = true;
      }
    }
    if (becameAvailable) {
      if (!moveToTail) a.idleSince = this.now();
      this.pendingAgents.add(a);
    }
    if (moveToTail) a.idleSince = this.now();
  }

  private snapshotOf(a: AgentRec): AgentSnapshot {
    if (a.snapshot) return a.snapshot;
    const { presence, activity } = splitStateKey(a.key);
    const state: AgentState =
      presence === 'logged-out'
        ? { presence }
        : presence === 'ready'
          ? { presence, activity }
          : { presence, activity, reason: a.reason ?? 'unspecified' };
    a.snapshot = Object.freeze({
      id: a.id,
      key: a.key,
      state,
      since: a.since,
      desktop: a.online ? 'online' : 'offline',
      work: Object.freeze(
        [...a.items.values()].map((i) =>
          Object.freeze({
            interactionId: i.ix.id,
            queueId: i.queueId,
            media: i.media,
            activity: i.activity,
            since: i.since,
          }),
        ),
      ),
      misses: a.misses,
      answeredCount: a.answeredCount,
      skills: Object.freeze(Object.fromEntries(a.skills)),
      teams: Object.freeze([...a.teams]),
    } satisfies AgentSnapshot);
    return a.snapshot;
  }

  // -------------------------------------------------------------------------------------------
  // Queues

  private bucketFor(q: QueueRec, media: MediaType, skills: readonly Required<SkillRequirement>[]): Bucket {
    const key = `${media}|${skills.map((s) => `${s.skill}:${s.minLevel}`).join(',')}`;
    let b = q.bucketByKey.get(key);
    if (!b) {
      b = { key, queue: q, media, skills, heap: new IndexedHeap<InteractionRec>(before) };
      q.bucketByKey.set(key, b);
      q.buckets.push(b);
      this.allBuckets.push(b);
      for (const a of this.agents.values()) if (this.agentServesBucket(a, b)) a.buckets.push(b);
    }
    return b;
  }

  private addToBucket(ix: InteractionRec): void {
    const b = this.bucketFor(ix.queue, ix.media, ix.skills);
    ix.bucket = b;
    b.heap.push(ix);
  }

  private removeFromBucket(ix: InteractionRec): void {
    ix.bucket?.heap.remove(ix);
    ix.bucket = undefined;
  }

  /** Entry into a queue: hours and length checks, then a new queue segment. */
  private admit(ix: InteractionRec, q: QueueRec, cause: EnqueueCause): EnqueueResult {
    const emergency = ix.priority === 'emergency';
    let divert: { reason: 'closed' | 'max-length'; target: OverflowTarget } | undefined;
    if (!emergency && !isOpenAt(q.config.hours, this.now()))
      divert = { reason: 'closed', target: q.config.closedTarget ?? { kind: 'voicemail' } };
    else if (!emergency && q.config.maxLength !== undefined && q.waiting >= q.config.maxLength) {
      divert = { reason: 'max-length', target: q.config.maxLengthTarget ?? { kind: 'voicemail' } };
    }
    if (divert) {
      this.emit({
        type: 'diverted',
        interactionId: ix.id,
        queueId: q.id,
        reason: divert.reason,
        target: divert.target,
      });
      if (divert.target.kind === 'queue') {
        const next = this.queues.get(divert.target.queueId);
        if (next && next !== q && ix.overflowHops < MAX_OVERFLOW_HOPS) {
          ix.overflowHops++;
          return this.admit(ix, next, 'overflow');
        }
        this.logger.error('acd: overflow queue missing, the same, or too many hops; diverting to voicemail', {
          interactionId: ix.id,
          queueId: q.id,
          target: divert.target.queueId,
          hops: ix.overflowHops,
        });
      }
      const target: Exclude<OverflowTarget, { kind: 'queue' }> =
        divert.target.kind === 'queue' ? { kind: 'voicemail' } : divert.target;
      this.assign({ type: 'divert', interactionId: ix.id, queueId: q.id, target, reason: divert.reason });
      this.logger.info('acd: interaction diverted', {
        interactionId: ix.id,
        queueId: q.id,
        reason: divert.reason,
        target: target.kind,
      });
      this.interactions.delete(ix.id);
      ix.status = 'ended';
      return { status: 'diverted', interactionId: ix.id, queueId: q.id, reason: divert.reason, target };
    }
    const now = this.now();
    ix.queue = q;
    ix.skills = mergeSkills(q.skills, ix.extraSkills);
    ix.segmentStartedAt = now;
    ix.status = 'waiting';
    ix.maxWaitReached = false;
    this.interactions.set(ix.id, ix);
    this.addToBucket(ix);
    q.waiting++;
    this.emit({
      type: 'enqueued',
      interactionId: ix.id,
      queueId: q.id,
      media: ix.media,
      priority: ix.priority,
      cause,
      enqueuedAt: ix.enqueuedAt,
      position: this.positionOf(ix),
    });
    if (ix.media === 'voice') {
      const maxWait = q.config.maxWaitMs;
      if (maxWait !== undefined)
        ix.maxWaitTimer = this.scheduler.schedule(() => this.run(() => this.onMaxWait(ix)), maxWait);
      const ann = q.config.announcements;
      if (ann) this.scheduleAnnouncement(ix, ann.firstAfterMs ?? ann.intervalMs);
    }
    this.pendingIx.add(ix);
    this.dispatch();
    if ((ix.status as InteractionStatus) === 'offered')
      return { status: 'offered', interactionId: ix.id, queueId: q.id, agentIds: ix.offers.map((o) => o.agent.id) };
    const position = this.positionOf(ix);
    return {
      status: 'queued',
      interactionId: ix.id,
      queueId: q.id,
      position,
      expectedWait: this.estimate(q, position),
    };
  }

  /** Leaves the waiting line (any reason); stops the queue timers of the segment. */
  private leaveQueue(ix: InteractionRec): void {
    if (ix.bucket) {
      this.removeFromBucket(ix);
    }
    if (ix.status === 'waiting' || ix.status === 'offered') ix.queue.waiting--;
    this.cancelTimers(ix);
  }

  private cancelTimers(ix: InteractionRec): void {
    ix.offerTimer?.unsubscribe();
    ix.maxWaitTimer?.unsubscribe();
    ix.announceTimer?.unsubscribe();
    ix.offerTimer = ix.maxWaitTimer = ix.announceTimer = undefined;
  }

  /** The interaction is over for the ACD; with `lingering`, its id stays known until that wrap-up ends. */
  private finish(ix: InteractionRec, lingering?: WorkItem): void {
    this.cancelTimers(ix);
    ix.status = 'ended';
    ix.item = undefined;
    ix.lingering = lingering;
    if (!lingering) this.interactions.delete(ix.id);
    this.pendingIx.delete(ix);
  }

  private onMaxWait(ix: InteractionRec): void {
    ix.maxWaitTimer = undefined;
    if (ix.status === 'offered') {
      ix.maxWaitReached = true;
      return;
    }
    if (ix.status === 'waiting') this.overflow(ix);
  }

  private overflow(ix: InteractionRec): void {
    const q = ix.queue;
    const target = q.config.maxWaitTarget ?? { kind: 'voicemail' };
    const waitMs = this.now() - ix.segmentStartedAt;
    if (target.kind === 'callback-offer') {
      this.emit({ type: 'callback-offer-due', interactionId: ix.id, queueId: q.id, waitMs });
      this.assign({ type: 'divert', interactionId: ix.id, queueId: q.id, target, reason: 'max-wait' });
      return;
    }
    this.leaveQueue(ix);
    this.emit({ type: 'overflowed', interactionId: ix.id, queueId: q.id, waitMs, reason: 'max-wait', target });
    if (target.kind === 'queue' && ix.overflowHops < MAX_OVERFLOW_HOPS && this.queues.has(target.queueId)) {
      ix.overflowHops++;
      this.admit(ix, this.queue(target.queueId), 'overflow');
      return;
    }
    this.assign({
      type: 'divert',
      interactionId: ix.id,
      queueId: q.id,
      target: { kind: 'voicemail' },
      reason: 'max-wait',
    });
    this.finish(ix);
  }

  private scheduleAnnouncement(ix: InteractionRec, delay: number): void {
    ix.announceTimer = this.scheduler.schedule(
      () =>
        this.run(() => {
          ix.announceTimer = undefined;
          if (ix.status !== 'waiting' || ix.media !== 'voice') return;
          const position = this.positionOf(ix);
          this.outbox.push({
            kind: 'announcement',
            value: {
              interactionId: ix.id,
              queueId: ix.queue.id,
              position,
              expectedWait: this.estimate(ix.queue, position),
              at: this.now(),
            },
          });
          const ann = ix.queue.config.announcements;
          if (ann) this.scheduleAnnouncement(ix, ann.intervalMs);
        }),
      delay,
    );
  }

  private positionOf(ix: InteractionRec): number {
    if (ix.status !== 'waiting') return 0;
    let n = 1;
    for (const b of ix.queue.buckets) for (const other of b.heap.values()) if (other !== ix && before(other, ix)) n++;
    return n;
  }

  /**
   * Expected wait for `position` in `q`: with N ready agents and mean handle time h (recent
   * history, else the queue's prior), the k-th departure from N busy servers is Gamma(k, h/N):
   * mean k·h/N; the 80% band is its 10th–90th percentiles, widened by the uncertainty of h.
   */
  private estimate(q: QueueRec, position: number): ExpectedWait {
    if (q.staffed === 0) return { status: 'unknown', reason: 'no-agents' };
    if (position <= 0) return { status: 'immediate' };
    const n = q.handleSamples.length;
    const prior = q.config.expectedHandleMs ?? 180_000;
    let aht = prior;
    if (n > 0) {
      let sum = 0;
      for (const s of q.handleSamples) sum += s;
      // Shrink towards the prior while history is thin.
      aht = (sum + prior * Math.max(0, 5 - n)) / (n + Math.max(0, 5 - n));
    }
    const scale = aht / q.staffed;
    const rel = n > 0 ? Math.min(0.5, 1 / Math.sqrt(n)) : 0.5;
    return {
      status: 'estimate',
      ms: position * scale,
      lowMs: gammaQuantile(position, scale, -Z80) * Math.max(0, 1 - Z80 * rel),
      highMs: gammaQuantile(position, scale, Z80) * (1 + Z80 * rel),
      position,
      staffed: q.staffed,
      ahtMs: aht,
      samples: n,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Routing

  private *candidates(ix: RoutingInteraction, q: QueueRec): Generator<AgentRec> {
    const media = ix.media;
    let smallest: Set<AgentRec> | undefined;
    if (ix.skills.length === 0) smallest = this.availAll.get(media);
    else {
      const bySkill = this.availBySkill.get(media) as Map<string, Set<AgentRec>>;
      for (const r of ix.skills) {
        const s = bySkill.get(r.skill);
        if (!s || s.size === 0) return;
        if (!smallest || s.size < smallest.size) smallest = s;
      }
    }
    if (!smallest) return;
    const teams = q.config.teams;
    const reqs = ix.skills;
    outer: for (const a of smallest) {
      for (const r of reqs) if ((a.skills.get(r.skill) ?? 0) < r.minLevel) continue outer;
      if (teams && teams.length > 0 && !teams.some((t) => a.teams.has(t))) continue;
      yield a;
    }
  }

  private hasCandidate(q: QueueRec): boolean {
    const probe: RoutingInteraction = {
      id: '(probe)',
      media: 'voice',
      priority: 'normal',
      skills: q.skills,
      enqueuedAt: this.now(),
    };
    return !this.candidates(probe, q).next().done;
  }

  /** The longest-idle candidate, without the generator: the default strategy's O(1) fast path. */
  private firstCandidate(ix: RoutingInteraction, q: QueueRec): AgentRec | undefined {
    let smallest: Set<AgentRec> | undefined;
    const reqs = ix.skills;
    if (reqs.length === 0) smallest = this.availAll.get(ix.media);
    else {
      const bySkill = this.availBySkill.get(ix.media) as Map<string, Set<AgentRec>>;
      for (let i = 0; i < reqs.length; i++) {
        const set = bySkill.get((reqs[i] as Required<SkillRequirement>).skill);
        if (!set || set.size === 0) return undefined;
        if (!smallest || set.size < smallest.size) smallest = set;
      }
    }
    if (!smallest) return undefined;
    const teams = q.config.teams;
    outer: for (const a of smallest) {
      for (let i = 0; i < reqs.length; i++) {
        const r = reqs[i] as Required<SkillRequirement>;
        if ((a.skills.get(r.skill) ?? 0) < r.minLevel) continue outer;
      }
      if (teams && teams.length > 0 && !teams.some((t) => a.teams.has(t))) continue;
      return a;
    }
    return undefined;
  }

  private eligibleFor(a: AgentRec, ix: RoutingInteraction, q: QueueRec): boolean {
    if (!this.isAvailable(a, ix.media)) return false;
    for (const r of ix.skills) if ((a.skills.get(r.skill) ?? 0) < r.minLevel) return false;
    const teams = q.config.teams;
    return !(teams && teams.length > 0 && !teams.some((t) => a.teams.has(t)));
  }

  /** Runs the queue's strategy; validates its choice (falls back to longest idle if it is bad). */
  private choose(
    ix: RoutingInteraction,
    q: QueueRec,
  ): { choice: RoutingChoice; agents: AgentRec[]; strategy: string } | null {
    if (q.strategy === longestIdle) {
      // Same decision as the strategy function, without building its context.
      const a = this.firstCandidate(ix, q);
      if (!a) return null;
      const idle = Math.max(0, this.now() - a.idleSince);
      return {
        choice: { agentIds: [a.id], reason: `longest idle: available for ${idle} ms` },
        agents: [a],
        strategy: q.strategyName,
      };
    }
    const ctx: RoutingContext = {
      interaction: ix,
      queue: q.config,
      candidates: { [Symbol.iterator]: () => this.candidates(ix, q) },
      now: this.now(),
      lastAssignedOrdinal: q.lastAssignedOrdinal,
      memory: q.memory,
    };
    let strategy = q.strategyName;
    let choice: RoutingChoice | null;
    try {
      choice = q.strategy(ctx);
    } catch (err) {
      this.logger.error('acd: routing strategy threw; using longest idle', {
        queueId: q.id,
        strategy,
        error: String(err),
      });
      strategy = 'longest-idle';
      choice = longestIdle(ctx);
    }
    if (!choice) return null;
    const agents: AgentRec[] = [];
    for (const id of new Set(choice.agentIds)) {
      const a = this.agents.get(id);
      if (!a || !this.eligibleFor(a, ix, q)) {
        this.logger.error('acd: strategy chose an agent that is not a candidate; using longest idle', {
          queueId: q.id,
          strategy,
          agentId: id,
        });
        const fallback = longestIdle(ctx);
        if (!fallback) return null;
        return {
          choice: fallback,
          agents: fallback.agentIds.map((i) => this.agents.get(i) as AgentRec),
          strategy: 'longest-idle',
        };
      }
      agents.push(a);
    }
    if (agents.length === 0) return null;
    return { choice, agents, strategy };
  }

  /**
   * The single next-work selector: across every (queue, media, skills) line this agent serves,
   * the best head by (priority class, original age, arrival order). Deterministic and fair: the
   * oldest work of the highest class wins, whichever queue it is in.
   */
  private selectWork(a: AgentRec, ignoreLoad = false): InteractionRec | undefined {
    let best: InteractionRec | undefined;
    for (const b of a.buckets) {
      const head = b.heap.peek();
      if (!head) continue;
      if (!ignoreLoad && !this.isAvailable(a, b.media)) continue;
      if (!best || before(head, best)) best = head;
    }
    return best;
  }

  private agentServesBucket(a: AgentRec, b: Bucket): boolean {
    if (a.capacity[b.media] === 0) return false;
    for (const r of b.skills) if ((a.skills.get(r.skill) ?? 0) < r.minLevel) return false;
    const teams = b.queue.config.teams;
    return !(teams && teams.length > 0 && !teams.some((t) => a.teams.has(t)));
  }

  /** Matches waiting work and available agents until neither side can move. */
  private dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (;;) {
        const ix = this.pendingIx.values().next().value;
        if (ix) {
          this.pendingIx.delete(ix);
          if (ix.status === 'waiting') this.route(ix);
          continue;
        }
        const a = this.pendingAgents.values().next().value;
        if (!a) break;
        this.pendingAgents.delete(a);
        for (;;) {
          const work = this.selectWork(a);
          if (!work || !this.route(work)) break;
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  private route(ix: InteractionRec): boolean {
    const picked = this.choose(ix, ix.queue);
    if (!picked) return false;
    this.offer(ix, picked.agents, picked.choice, picked.strategy);
    return true;
  }

  private offer(ix: InteractionRec, agents: readonly AgentRec[], choice: RoutingChoice, strategy: string): void {
    const q = ix.queue;
    this.removeFromBucket(ix);
    ix.announceTimer?.unsubscribe();
    ix.announceTimer = undefined;
    ix.status = 'offered';
    const now = this.now();
    ix.offers = agents.map((a) => {
      const to = this.legal(a, 'offer');
      const item: WorkItem = {
        ix,
        agent: a,
        queueId: q.id,
        media: ix.media,
        activity: itemActivityOf(to),
        since: now,
        talkMs: 0,
        holdMs: 0,
        talkStartedAt: 0,
        holdStartedAt: 0,
        wrapStartedAt: 0,
        wrapTimer: undefined,
        holdTimer: undefined,
      };
      a.items.set(ix.id, item);
      a.load++;
      a.loadByMedia[ix.media]++;
      return item;
    });
    q.lastAssignedOrdinal = (agents[agents.length - 1] as AgentRec).ordinal;
    for (const [k, v] of Object.entries(choice.remember ?? {})) q.memory.set(k, v);
    ix.offerTimer = this.scheduler.schedule(
      () => this.run(() => this.onOfferTimeout(ix)),
      q.config.noAnswerTimeoutMs ?? 20_000,
    );
    const agentIds = agents.map((a) => a.id);
    this.emit({ type: 'offered', interactionId: ix.id, queueId: q.id, agentIds, strategy, reason: choice.reason });
    this.logger.debug('acd: offered', {
      interactionId: ix.id,
      queueId: q.id,
      agentIds,
      strategy,
      reason: choice.reason,
    });
    for (const item of ix.offers) {
      this.assign({
        type: 'offer',
        interactionId: ix.id,
        agentId: item.agent.id,
        queueId: q.id,
        media: ix.media,
        priority: ix.priority,
        ...(ix.customer ? { customer: ix.customer } : {}),
        ringAll: agents.length > 1,
        reason: choice.reason,
      });
      this.refresh(item.agent, 'offer', ix.id);
      // Still available for other media (concurrency): it just took work, so it goes to the tail.
      if (item.agent.availableFor.size > 0) this.updateAvailability(item.agent, true);
    }
  }

  private onOfferTimeout(ix: InteractionRec): void {
    ix.offerTimer = undefined;
    if (ix.status !== 'offered') return;
    for (const item of [...ix.offers]) {
      expectIdle(this.legal(item.agent, 'no-answer', item), 'no-answer');
      this.dropOffer(item, 'timeout', true);
    }
  }

  /**
   * Ends one offer that was not answered. When no offer is left the interaction goes back to the
   * head of its queue with its original age (or overflows if its max wait passed while ringing).
   */
  private dropOffer(item: WorkItem, cause: NoAnswerCause, countsAsMiss: boolean, refreshAgent = true): void {
    const ix = item.ix;
    const a = item.agent;
    this.removeItem(item);
    ix.offers = ix.offers.filter((o) => o !== item);
    if (countsAsMiss) a.misses++;
    this.emit({
      type: 'no-answer',
      interactionId: ix.id,
      queueId: ix.queue.id,
      agentId: a.id,
      cause,
      misses: a.misses,
    });
    this.assign({ type: 'retract', interactionId: ix.id, agentId: a.id, cause });
    this.logger.info('acd: offer not answered; back to the head of the queue', {
      interactionId: ix.id,
      agentId: a.id,
      cause,
      misses: a.misses,
    });
    if (refreshAgent) this.refresh(a, cause === 'rejected' ? 'reject' : 'no-answer', ix.id);
    if (countsAsMiss && a.misses >= this.maxMisses && a.presence === 'ready') {
      a.presence = 'not-ready';
      a.reason = 'no-answer';
      this.refresh(a, 'set-not-ready', ix.id);
    }
    if (ix.offers.length === 0) {
      ix.offerTimer?.unsubscribe();
      ix.offerTimer = undefined;
      ix.status = 'waiting';
      this.addToBucket(ix);
      if (ix.maxWaitReached) {
        ix.maxWaitReached = false;
        this.overflow(ix);
        if (ix.status !== 'waiting') return;
      }
      const ann = ix.queue.config.announcements;
      if (ann && ix.media === 'voice' && !ix.announceTimer) this.scheduleAnnouncement(ix, ann.intervalMs);
      this.pendingIx.add(ix);
    }
  }

  private removeItem(item: WorkItem): void {
    const a = item.agent;
    item.wrapTimer?.unsubscribe();
    item.wrapTimer = undefined;
    item.holdTimer?.unsubscribe();
    item.holdTimer = undefined;
    if (a.items.get(item.ix.id) === item) {
      a.items.delete(item.ix.id);
      a.load--;
      a.loadByMedia[item.media]--;
    }
  }

  private scheduleHoldCheck(item: WorkItem, maxHold: number): void {
    item.holdTimer = this.scheduler.schedule(
      () =>
        this.run(() => {
          item.holdTimer = undefined;
          if (item.activity !== 'held' || item.agent.items.get(item.ix.id) !== item) return;
          const heldMs = this.now() - item.holdStartedAt;
          this.emit({ type: 'hold-exceeded', interactionId: item.ix.id, agentId: item.agent.id, heldMs });
          this.assign({ type: 'hold-exceeded', interactionId: item.ix.id, agentId: item.agent.id, heldMs });
          this.logger.warn('acd: caller on hold too long', {
            interactionId: item.ix.id,
            agentId: item.agent.id,
            heldMs,
          });
          this.scheduleHoldCheck(item, maxHold);
        }),
      maxHold,
    );
  }

  private closeTalk(item: WorkItem): void {
    item.holdTimer?.unsubscribe();
    item.holdTimer = undefined;
    const now = this.now();
    if (item.activity === 'held') item.holdMs += now - item.holdStartedAt;
    else item.talkMs += now - item.talkStartedAt;
  }

  private startWrapUp(item: WorkItem, cause: AgentEventType, to: AgentStateKey): void {
    const now = this.now();
    item.activity = itemActivityOf(to);
    item.since = now;
    item.wrapStartedAt = now;
    this.refresh(item.agent, cause, item.ix.id);
    const wrap = this.queues.get(item.queueId)?.config.wrapUpMs ?? 0;
    if (wrap === 0) {
      this.endWrapUp(item, 'timeout');
      return;
    }
    item.wrapTimer = this.scheduler.schedule(
      () =>
        this.run(() => {
          item.wrapTimer = undefined;
          if (item.agent.items.get(item.ix.id) !== item || item.activity !== 'wrap-up') return;
          expectIdle(this.legal(item.agent, 'wrap-up-timeout', item), 'wrap-up-timeout');
          this.endWrapUp(item, 'timeout');
        }),
      wrap,
    );
  }

  private endWrapUp(item: WorkItem, cause: 'done' | 'timeout' | 'forced', refreshAgent = true): void {
    const a = item.agent;
    const wrapMs = this.now() - item.wrapStartedAt;
    this.removeItem(item);
    if (item.ix.lingering === item) {
      item.ix.lingering = undefined;
      if (item.ix.status === 'ended' && this.interactions.get(item.ix.id) === item.ix)
        this.interactions.delete(item.ix.id);
    }
    this.emit({
      type: 'wrap-up-ended',
      interactionId: item.ix.id,
      queueId: item.queueId,
      agentId: a.id,
      media: item.media,
      talkMs: item.talkMs,
      holdMs: item.holdMs,
      wrapMs,
      cause,
    });
    const q = this.queues.get(item.queueId);
    if (q) {
      const handle = item.talkMs + item.holdMs + wrapMs;
      if (q.handleSamples.length < HANDLE_SAMPLES) q.handleSamples.push(handle);
      else q.handleSamples[q.handleSampleNext] = handle;
      q.handleSampleNext = (q.handleSampleNext + 1) % HANDLE_SAMPLES;
    }
    if (refreshAgent) this.refresh(a, cause === 'done' ? 'wrap-up-done' : 'wrap-up-timeout', item.ix.id);
  }

  // -------------------------------------------------------------------------------------------
  // Emission

  private emit(input: AcdEventInput): void {
    // Inputs are fresh literals: stamping them in place avoids a copy per event.
    const event = input as AcdEventInput & { seq: number; at: number };
    event.seq = ++this.seq;
    event.at = this.now();
    this.stats.apply(event);
    this.outbox.push({ kind: 'event', value: event as AcdEvent });
  }

  private assign(value: Assignment): void {
    this.outbox.push({ kind: 'assignment', value });
  }

  /** Runs a command: state changes, then dispatch, then emissions (outermost call only). */
  private run<T>(fn: () => T): T {
    if (this.disposed) throw new AcdError(AcdErrorCode.Disposed, 'the ACD was disposed');
    this.depth++;
    try {
      const result = fn();
      this.dispatch();
      return result;
    } finally {
      this.depth--;
      if (this.depth === 0) this.flush();
    }
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.outbox.length > 0 || this.changedAgents.size > 0) {
        while (this.outbox.length > 0) {
          const out = this.outbox.shift() as Outgoing;
          if (out.kind === 'event') this.eventsSubject.next(out.value);
          else if (out.kind === 'assignment') this.assignmentsSubject.next(out.value);
          else this.announcementsSubject.next(out.value);
        }
        if (this.changedAgents.size > 0) {
          const changed = [...this.changedAgents];
          this.changedAgents.clear();
          for (const a of changed) a.subject?.next(this.snapshotOf(a));
          if (this.agentsSubject.observed) this.refreshAgentsSubject();
        }
        if (this.queueStatsSubject.observed) this.queueStatsSubject.next(this.computeQueueStatus());
      }
    } finally {
      this.flushing = false;
    }
  }

  private refreshAgentsSubject(): void {
    if (!this.agentsStale && this.agentsSubject.value.size === this.agents.size) return;
    const map = new Map<string, AgentSnapshot>();
    for (const a of this.agents.values()) map.set(a.id, this.snapshotOf(a));
    this.agentsStale = false;
    this.agentsSubject.next(map);
  }

  private computeQueueStatus(): ReadonlyMap<string, QueueStatus> {
    const now = this.now();
    const today = this.stats.queueTotals(shanghaiStartOfDay(now), now);
    const out = new Map<string, QueueStatus>();
    for (const q of this.queues.values()) {
      let callbacks = 0;
      let oldest = now;
      for (const b of q.buckets) {
        for (const ix of b.heap.values()) {
          if (ix.media !== 'voice') callbacks++;
          oldest = Math.min(oldest, ix.segmentStartedAt);
        }
      }
      let ahead = 0;
      for (const b of q.buckets) ahead += b.heap.size;
      out.set(q.id, {
        queueId: q.id,
        open: isOpenAt(q.config.hours, now),
        waiting: ahead,
        callbacksWaiting: callbacks,
        longestWaitingMs: now - oldest,
        staffed: q.staffed,
        expectedWait: ahead === 0 && this.hasCandidate(q) ? { status: 'immediate' } : this.estimate(q, ahead + 1),
        today: today[q.id],
      });
    }
    return out;
  }
}
