/**
 * The ACD's data model: interactions, agents and queues as plain, serialisable configuration.
 *
 * The ACD is media-agnostic (architecture §6): it decides which agent gets which interaction and
 * the application connects the channels. Nothing here refers to a board, a channel or a call leg.
 */

/**
 * Kinds of work the ACD routes. `callback` is a queued callback (virtual hold, or a web "call me
 * back" request); `voicemail-callback` is a call-back task created from a voicemail. `chat` and
 * `email` are reserved for later issues and route like any other media.
 */
export type MediaType = 'voice' | 'callback' | 'voicemail-callback' | 'chat' | 'email';

/** Every media type, in a stable order. */
export const MEDIA_TYPES: readonly MediaType[] = Object.freeze([
  'voice',
  'callback',
  'voicemail-callback',
  'chat',
  'email',
]);

/**
 * Priority class of an interaction. Classes are strict: an `emergency` (a gas leak) is served before
 * any `vip`, which is served before any `normal`; within a class, the oldest first.
 */
export type PriorityClass = 'emergency' | 'vip' | 'normal';

/** Rank of each priority class: lower is served first. */
export const PRIORITY_RANK: Readonly<Record<PriorityClass, number>> = Object.freeze({
  emergency: 0,
  vip: 1,
  normal: 2,
});

/** A skill an interaction or queue requires, with the lowest acceptable level (default 1). */
export interface SkillRequirement {
  readonly skill: string;
  /** Lowest acceptable agent level for this skill, a positive integer; default 1. */
  readonly minLevel?: number;
}

/** Per-media limits on simultaneous work (offered, connected, held or in wrap-up). */
export type MediaCapacity = Partial<Readonly<Record<MediaType, number>>>;

/** Default per-media capacity: one voice-like item at a time; no chat or e-mail. */
export const DEFAULT_CAPACITY: Readonly<Record<MediaType, number>> = Object.freeze({
  voice: 1,
  callback: 1,
  'voicemail-callback': 1,
  chat: 0,
  email: 0,
});

/** An agent as configured (not its state). */
export interface AgentConfig {
  /** Stable id, unique in the ACD. */
  readonly id: string;
  /** Display name (never logged with personal data). */
  readonly name?: string;
  /** Skills with levels (positive integers; higher is better), e.g. `{ billing: 3, repair: 5 }`. */
  readonly skills: Readonly<Record<string, number>>;
  /** Teams the agent belongs to; queues may restrict themselves to teams. */
  readonly teams?: readonly string[];
  /** Per-media capacity; missing media fall back to {@link DEFAULT_CAPACITY}. */
  readonly capacity?: MediaCapacity;
  /** Cap on all simultaneous work items across media; default 1. */
  readonly maxConcurrent?: number;
}

/** Where an interaction goes when a queue is closed, full, or has kept it too long. */
export type OverflowTarget =
  /** Into another queue, keeping the interaction's original age and priority. */
  | { readonly kind: 'queue'; readonly queueId: string }
  /** Out of the ACD: the application takes the caller to voicemail. */
  | { readonly kind: 'voicemail' }
  /**
   * Offer the caller a callback. At entry (closed/full) the interaction does not enter the queue;
   * after max wait it stays in line and the application plays the offer.
   */
  | { readonly kind: 'callback-offer' };

/** Day of the week, local time. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** An opening range in local time, `HH:MM` to `HH:MM` (end exclusive; `24:00` allowed). */
export type TimeRange = readonly [start: string, end: string];

/**
 * Hours of operation in the Asia/Shanghai time zone (UTC+08:00 all year; China has no daylight
 * saving). `holidays` are closed all day; `specialDays` override the weekly plan for one date
 * (e.g. a weekend make-up working day, or a short day); an empty list closes that date.
 */
export interface HoursOfOperation {
  readonly weekly: Partial<Readonly<Record<Weekday, readonly TimeRange[]>>>;
  /** Local dates (`YYYY-MM-DD`) closed all day. */
  readonly holidays?: readonly string[];
  /** Local dates (`YYYY-MM-DD`) with their own opening ranges; they win over `holidays`. */
  readonly specialDays?: Readonly<Record<string, readonly TimeRange[]>>;
}

/** Periodic position / expected-wait announcements for callers waiting in a queue. */
export interface AnnouncementConfig {
  /** Interval between announcements for one caller, ms (> 0). */
  readonly intervalMs: number;
  /** Delay before the first announcement, ms; default `intervalMs`. */
  readonly firstAfterMs?: number;
}

/** Name of a built-in routing strategy (see `strategies.ts`). */
export type BuiltInStrategyName = 'longest-idle' | 'round-robin' | 'fewest-calls' | 'best-skill' | 'ring-all';

/** A queue as configured. */
export interface QueueConfig {
  readonly id: string;
  readonly name?: string;
  /** Skills every interaction of this queue requires (the interaction may add more). */
  readonly skills?: readonly SkillRequirement[];
  /** Only agents of these teams serve the queue; default: any team. */
  readonly teams?: readonly string[];
  /** A built-in strategy name or the name of a custom strategy given to the ACD; default `longest-idle`. */
  readonly strategy?: string;
  /** Upper bound on agents rung at once by `ring-all`; default 10. */
  readonly ringAllLimit?: number;
  /** Opening hours; absent means always open. Emergencies bypass hours. */
  readonly hours?: HoursOfOperation;
  /** Where new interactions go while closed; default voicemail. */
  readonly closedTarget?: OverflowTarget;
  /** Longest time an interaction may wait in this queue before overflowing, ms. */
  readonly maxWaitMs?: number;
  /** Where it goes after `maxWaitMs`; default voicemail. */
  readonly maxWaitTarget?: OverflowTarget;
  /** Most interactions waiting at once; further entries overflow (emergencies bypass). */
  readonly maxLength?: number;
  /** Where entries beyond `maxLength` go; default voicemail. */
  readonly maxLengthTarget?: OverflowTarget;
  /** Wrap-up (after-call work) time granted after each interaction, ms; default 0. */
  readonly wrapUpMs?: number;
  /**
   * How long a caller may stay on hold before the ACD raises `hold-exceeded` (an event and an
   * assignment, repeated at this interval while still held) so the application can take the caller
   * back or alert a supervisor; default: never. A held caller is never forgotten.
   */
  readonly maxHoldMs?: number;
  /** How long an offer may ring before it is redirected, ms; default 20 000. */
  readonly noAnswerTimeoutMs?: number;
  /** Service-level threshold T, ms; default 20 000. */
  readonly serviceLevelThresholdMs?: number;
  /** Abandons with a wait under this are "short abandons", ms; default 5 000. */
  readonly shortAbandonMs?: number;
  /** Prior handle time for expected-wait estimates until history exists, ms; default 180 000. */
  readonly expectedHandleMs?: number;
  /** Position and expected-wait announcements. */
  readonly announcements?: AnnouncementConfig;
}

/** The customer behind an interaction. Phone numbers are masked in logs. */
export interface CustomerRef {
  /** The application's customer or account reference. */
  readonly ref?: string;
  /** The number to show or call back. */
  readonly phone?: string;
}

/** What the application hands to {@link Acd.enqueue}. */
export interface EnqueueRequest {
  /** Application id of the interaction; generated when absent. Must be unique among live ones. */
  readonly interactionId?: string;
  readonly queueId: string;
  /** Default `voice`. */
  readonly media?: MediaType;
  /** Default `normal`. */
  readonly priority?: PriorityClass;
  /** Skills required in addition to the queue's. */
  readonly skills?: readonly SkillRequirement[];
  readonly customer?: CustomerRef;
  /**
   * Original age (epoch ms) when the work started earlier, e.g. a voicemail-callback that keeps
   * the time the caller first waited. Default: now. Must not be in the future.
   */
  readonly enqueuedAt?: number;
}

/** Where a connected interaction is transferred to. */
export type TransferTarget =
  /** Into a queue, keeping the interaction's age and priority. */
  | { readonly kind: 'queue'; readonly queueId: string }
  /** Out of the ACD (an external number, a department): the interaction ends here. */
  | { readonly kind: 'external'; readonly destination?: string };
