/**
 * The ACD event log: one stream of facts from which real-time and historical statistics are both
 * computed. The application persists it as it comes (every event is plain JSON) and can rebuild
 * historical figures from it with `computeStatistics`.
 *
 * Every event has a strictly increasing `seq` and the scheduler time `at` (epoch ms).
 */
import type { AgentEventType, AgentStateKey } from './agent-state-machine.js';
import type { MediaType, OverflowTarget, PriorityClass, TransferTarget } from './model.js';

interface Base {
  /** Strictly increasing sequence number, from 1. */
  readonly seq: number;
  /** Epoch ms, from the injected scheduler. */
  readonly at: number;
}

/** A queue was added or reconfigured; carries the thresholds the statistics need. */
export interface QueueConfiguredEvent extends Base {
  readonly type: 'queue-configured';
  readonly queueId: string;
  readonly serviceLevelThresholdMs: number;
  readonly shortAbandonMs: number;
}

/** An agent changed state (presence, aggregate activity or not-ready reason). */
export interface AgentStateEvent extends Base {
  readonly type: 'agent-state';
  readonly agentId: string;
  readonly from: AgentStateKey;
  readonly to: AgentStateKey;
  /** The machine input that caused it. */
  readonly cause: AgentEventType;
  /** Not-ready reason code when `to` is not-ready. */
  readonly reason?: string;
  readonly interactionId?: string;
}

/** The agent's desktop went offline or came back. */
export interface AgentDesktopEvent extends Base {
  readonly type: 'agent-desktop';
  readonly agentId: string;
  readonly online: boolean;
}

/** An illegal transition was requested; it was not applied. */
export interface TransitionRejectedEvent extends Base {
  readonly type: 'transition-rejected';
  readonly agentId: string;
  readonly state: AgentStateKey;
  readonly event: AgentEventType;
  readonly interactionId?: string;
}

/** Why an interaction entered a queue: a new arrival, or a re-entry that keeps its age. */
export type EnqueueCause = 'new' | 'overflow' | 'transfer' | 'requeue';

/** An interaction entered a queue (one queue segment starts; counted as offered). */
export interface EnqueuedEvent extends Base {
  readonly type: 'enqueued';
  readonly interactionId: string;
  readonly queueId: string;
  readonly media: MediaType;
  readonly priority: PriorityClass;
  readonly cause: EnqueueCause;
  /** Original age, epoch ms (kept across re-entries). */
  readonly enqueuedAt: number;
  /** 1-based position on entry. */
  readonly position: number;
}

/** An interaction was offered to one agent, or to several (ring-all). */
export interface OfferedEvent extends Base {
  readonly type: 'offered';
  readonly interactionId: string;
  readonly queueId: string;
  readonly agentIds: readonly string[];
  readonly strategy: string;
  readonly reason: string;
}

/** An agent answered; the queue segment's wait ends. */
export interface AnsweredEvent extends Base {
  readonly type: 'answered';
  readonly interactionId: string;
  readonly queueId: string;
  readonly agentId: string;
  readonly media: MediaType;
  /** Time in this queue, ms, including ringing of failed offers. */
  readonly waitMs: number;
}

/** Why an offer to an agent failed. */
export type NoAnswerCause = 'timeout' | 'rejected' | 'failed' | 'disconnected' | 'forced';

/** An offer to an agent failed; the interaction went back to the head of its queue. */
export interface NoAnswerEvent extends Base {
  readonly type: 'no-answer';
  readonly interactionId: string;
  readonly queueId: string;
  readonly agentId: string;
  readonly cause: NoAnswerCause;
  /** The agent's consecutive misses, including this one. */
  readonly misses: number;
}

/** A ring-all offer was withdrawn from an agent because another agent answered. */
export interface RetractedEvent extends Base {
  readonly type: 'retracted';
  readonly interactionId: string;
  readonly agentId: string;
}

/** The caller hung up while waiting or while being offered. */
export interface AbandonedEvent extends Base {
  readonly type: 'abandoned';
  readonly interactionId: string;
  readonly queueId: string;
  readonly waitMs: number;
  /** 1-based position when the caller hung up (0 when it was being offered). */
  readonly position: number;
  /** `waitMs` was under the queue's short-abandon threshold. */
  readonly short: boolean;
}

/**
 * The application withdrew a waiting or ringing interaction (e.g. a callback no longer needed):
 * not an abandon, and not in the service level.
 */
export interface WithdrawnEvent extends Base {
  readonly type: 'withdrawn';
  readonly interactionId: string;
  readonly queueId: string;
  readonly waitMs: number;
  readonly reason: string;
}

/** An interaction left a queue it had entered because it waited too long. */
export interface OverflowedEvent extends Base {
  readonly type: 'overflowed';
  readonly interactionId: string;
  readonly queueId: string;
  readonly waitMs: number;
  readonly reason: 'max-wait';
  readonly target: OverflowTarget;
}

/** An interaction was turned away at entry (closed or full); it never entered the queue. */
export interface DivertedEvent extends Base {
  readonly type: 'diverted';
  readonly interactionId: string;
  readonly queueId: string;
  readonly reason: 'closed' | 'max-length';
  readonly target: OverflowTarget;
}

/** Max wait was reached with a callback-offer target: the application should offer a callback. */
export interface CallbackOfferDueEvent extends Base {
  readonly type: 'callback-offer-due';
  readonly interactionId: string;
  readonly queueId: string;
  readonly waitMs: number;
}

/** A waiting voice caller chose a callback: it keeps its place in line (not an abandon). */
export interface CallbackRequestedEvent extends Base {
  readonly type: 'callback-requested';
  readonly interactionId: string;
  readonly queueId: string;
  readonly position: number;
}

/** A connected interaction was put on hold or taken off hold. */
export interface HoldEvent extends Base {
  readonly type: 'held' | 'retrieved';
  readonly interactionId: string;
  readonly agentId: string;
}

/** A caller has been on hold longer than the queue's `maxHoldMs` (repeated while still held). */
export interface HoldExceededEvent extends Base {
  readonly type: 'hold-exceeded';
  readonly interactionId: string;
  readonly agentId: string;
  readonly heldMs: number;
}

/** A connected interaction was transferred by its agent. */
export interface TransferredEvent extends Base {
  readonly type: 'transferred';
  readonly interactionId: string;
  readonly queueId: string;
  readonly agentId: string;
  readonly target: TransferTarget;
}

/** The agent's leg failed after answer; the caller is re-queued at the head with its age. */
export interface AgentLegLostEvent extends Base {
  readonly type: 'agent-leg-lost';
  readonly interactionId: string;
  readonly queueId: string;
  readonly agentId: string;
}

/** A connected interaction ended (either party hung up). */
export interface EndedEvent extends Base {
  readonly type: 'ended';
  readonly interactionId: string;
  readonly queueId: string;
  readonly agentId: string;
  readonly by: 'caller' | 'agent';
}

/** An agent finished wrap-up for an interaction: the handle-time facts of that agent segment. */
export interface WrapUpEndedEvent extends Base {
  readonly type: 'wrap-up-ended';
  readonly interactionId: string;
  readonly queueId: string;
  readonly agentId: string;
  readonly media: MediaType;
  readonly talkMs: number;
  readonly holdMs: number;
  readonly wrapMs: number;
  readonly cause: 'done' | 'timeout' | 'forced';
}

/** One entry of the ACD event log. */
export type AcdEvent =
  | QueueConfiguredEvent
  | AgentStateEvent
  | AgentDesktopEvent
  | TransitionRejectedEvent
  | EnqueuedEvent
  | OfferedEvent
  | AnsweredEvent
  | NoAnswerEvent
  | RetractedEvent
  | AbandonedEvent
  | WithdrawnEvent
  | OverflowedEvent
  | DivertedEvent
  | CallbackOfferDueEvent
  | CallbackRequestedEvent
  | HoldEvent
  | HoldExceededEvent
  | TransferredEvent
  | AgentLegLostEvent
  | EndedEvent
  | WrapUpEndedEvent;

/** The `type` strings of {@link AcdEvent}. */
export type AcdEventType = AcdEvent['type'];

/** Distributes `Omit` over a union (keeps the discriminant). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the ACD stamps `seq` and `at`. */
export type AcdEventInput = DistributiveOmit<AcdEvent, 'seq' | 'at'>;
