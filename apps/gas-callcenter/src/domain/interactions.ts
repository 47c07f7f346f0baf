/**
 * Interactions (call detail records): every call with its path through the IVR, queues, agents,
 * transfers, recording and tickets, and its outcome (M21).
 * @module
 */

/** Direction of a call. */
export type InteractionDirection = 'inbound' | 'outbound' | 'internal';

/** How a call ended, from the centre's point of view. */
export type InteractionOutcome =
  | 'self_service'
  | 'agent'
  | 'voicemail'
  | 'abandoned_ivr'
  | 'abandoned_queue'
  | 'transferred_out'
  | 'no_answer'
  | 'busy'
  | 'failed';

/** Every outcome, for reports. */
export const INTERACTION_OUTCOMES: readonly InteractionOutcome[] = [
  'self_service',
  'agent',
  'voicemail',
  'abandoned_ivr',
  'abandoned_queue',
  'transferred_out',
  'no_answer',
  'busy',
  'failed',
];

/** Kinds of step on a call's path. */
export type InteractionStepKind =
  | 'ivr'
  | 'queue'
  | 'offer'
  | 'agent'
  | 'hold'
  | 'transfer'
  | 'conference'
  | 'recording'
  | 'ticket'
  | 'voicemail'
  | 'fax'
  | 'survey'
  | 'note'
  | 'hangup';

/** One step of a call's path. `detail` is free-form JSON (menu node, queue name, agent id…). */
export interface InteractionStep {
  readonly at: number;
  readonly kind: InteractionStepKind;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A call. */
export interface Interaction {
  readonly id: number;
  /** The call's id in the CTI layer, unique. */
  readonly callId: string;
  readonly direction: InteractionDirection;
  readonly media: 'voice' | 'fax' | 'callback';
  /** Board channel, e.g. `e1-0/5`. */
  readonly channel: string | null;
  readonly caller: string | null;
  readonly called: string | null;
  readonly customerId: number | null;
  /** The service the caller chose (e.g. `leak`, `bill`, `complaint`); report "calls by type". */
  readonly service: string | null;
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  readonly outcome: InteractionOutcome | null;
  readonly agentUserId: number | null;
  readonly disposition: string | null;
  readonly recordingFileId: number | null;
}

/** Fields set when a call starts. */
export type NewInteraction = Pick<
  Interaction,
  'callId' | 'direction' | 'media' | 'channel' | 'caller' | 'called' | 'startedAt'
> &
  Partial<Pick<Interaction, 'customerId' | 'service'>>;

/** Fields updated while a call runs or when it ends. */
export type InteractionPatch = Partial<
  Pick<
    Interaction,
    'customerId' | 'service' | 'answeredAt' | 'endedAt' | 'outcome' | 'agentUserId' | 'disposition' | 'recordingFileId'
  >
>;

/** Storage of interactions. */
export interface InteractionRepository {
  /** `ERR_DUPLICATE` when `callId` exists. */
  start(interaction: NewInteraction): Promise<Interaction>;
  update(callId: string, patch: InteractionPatch): Promise<Interaction>;
  /** Appends steps (batched in one transaction). */
  appendSteps(callId: string, steps: readonly InteractionStep[]): Promise<void>;
  linkTicket(callId: string, ticketId: number): Promise<void>;
  /**
   * Stores the call's recording durably (file written, flushed and renamed, then the row linked
   * in one transaction) and sets `recordingFileId`. `ERR_NOT_FOUND` when the call is unknown.
   */
  attachRecording(
    callId: string,
    audio: Uint8Array,
    format?: { readonly ext: string; readonly mime: string },
  ): Promise<Interaction>;
  get(callId: string): Promise<Interaction | undefined>;
  steps(callId: string): Promise<InteractionStep[]>;
  ticketIds(callId: string): Promise<number[]>;
  /** A customer's latest calls, newest first (screen pop history). */
  listByCustomer(customerId: number, limit?: number): Promise<Interaction[]>;
}
