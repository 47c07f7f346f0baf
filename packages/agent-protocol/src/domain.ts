/**
 * Domain shapes shared by the call-centre server and the agent desktops. Every shape is a zod
 * schema (the runtime validator) plus the TypeScript type inferred from it.
 *
 * Conventions: times are epoch milliseconds (UTC); durations end in `Ms`; money is an integer
 * number of fen (分, 1/100 yuan) so no amount is ever a float; ids are opaque strings. Objects
 * ignore unknown keys on parse (they are stripped), which is what lets a newer minor version add
 * optional fields without breaking older peers.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Scalars

/** An opaque identifier (1–64 characters). */
export const Id = z.string().min(1).max(64);
/** Epoch milliseconds. */
export const Timestamp = z.number().int().nonnegative();
/** A duration in milliseconds. */
export const DurationMs = z.number().int().nonnegative();
/** An amount of money in fen (分); negative for credits. */
export const Fen = z.number().int();
/** A dialable number or caller id: digits with optional leading `+`, `*`, `#` or `-` separators. */
export const PhoneNumber = z.string().regex(/^\+?[0-9*#-]{1,32}$/, 'a phone number: digits, optional + * # -');
/**
 * A caller id as presented: a number, or empty when the network withheld it. Masking for display
 * is the desktop's choice; the wire carries the number.
 */
export const CallerId = z.union([PhoneNumber, z.literal('')]);
/** Free text of a bounded size (a note, a description). */
export const Text = (max: number) => z.string().max(max);

// ---------------------------------------------------------------------------------------------
// Users and roles

/**
 * The role of a session, fixed at login.
 * - `agent`: takes calls, works customers, tickets and voicemail call-backs.
 * - `supervisor`: everything an agent does, plus the wallboard, forced states and monitoring.
 * - `department`: department staff: their department's ticket inbox, results, escalation.
 * - `administrator`: users, configuration and every read; no call handling.
 */
export const Role = z.enum(['agent', 'supervisor', 'department', 'administrator']);
/** See {@link Role}. */
export type Role = z.infer<typeof Role>;

/** The authenticated user of a session. */
export const UserInfo = z.object({
  userId: Id,
  displayName: Text(64),
  role: Role,
  /** The user's department (department staff; optional for others). */
  departmentId: Id.optional(),
  /** The queues this user serves (agents, supervisors). */
  queueIds: z.array(Id).max(64).optional(),
});
/** See {@link UserInfo}. */
export type UserInfo = z.infer<typeof UserInfo>;

// ---------------------------------------------------------------------------------------------
// Agent state (mirrors @hotline/acd: presence chosen by the agent x activity driven by the system)

/** Presence: chosen by the agent (or forced by a supervisor). */
export const Presence = z.enum(['logged-out', 'ready', 'not-ready']);
/** See {@link Presence}. */
export type Presence = z.infer<typeof Presence>;
/** Activity: driven by the system. */
export const Activity = z.enum(['idle', 'offered', 'connected', 'held', 'wrap-up']);
/** See {@link Activity}. */
export type Activity = z.infer<typeof Activity>;
/** A not-ready reason code (`break`, `lunch`, `meeting`, `training`, ... — the server's catalogue). */
export const ReasonCode = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case code');

/** An agent's state at one moment. */
export const AgentStatus = z.object({
  agentId: Id,
  presence: Presence,
  activity: Activity,
  /** The not-ready reason code (only with presence `not-ready`). */
  reason: ReasonCode.optional(),
  /** When presence or activity last changed. */
  since: Timestamp,
});
/** See {@link AgentStatus}. */
export type AgentStatus = z.infer<typeof AgentStatus>;

/** A code with its display label (reason codes, dispositions): labels are zh-CN from the server. */
export const CodeLabel = z.object({ code: ReasonCode, label: Text(64), labelEn: Text(64).optional() });
/** See {@link CodeLabel}. */
export type CodeLabel = z.infer<typeof CodeLabel>;

// ---------------------------------------------------------------------------------------------
// Calls

/** The state of a call leg as an agent sees it. */
export const CallState = z.enum([
  /** Ringing at this agent (screen pop shown), not yet answered. */
  'offered',
  /** Outbound: dialling / ringing the far end. */
  'dialing',
  /** Talking. */
  'connected',
  /** On hold (the caller hears music). */
  'held',
  /** The agent is consulting a third party while the caller is held. */
  'consulting',
  /** Three or more parties talking. */
  'conference',
  /** Finished (see `cause`). */
  'ended',
]);
/** See {@link CallState}. */
export type CallState = z.infer<typeof CallState>;

/** Why a call ended or left this agent. */
export const CallEndCause = z.enum([
  'caller-hangup',
  'agent-hangup',
  'transferred',
  'answered-elsewhere',
  'abandoned',
  'no-answer',
  'busy',
  'failed',
  'forced',
]);
/** See {@link CallEndCause}. */
export type CallEndCause = z.infer<typeof CallEndCause>;

/** A call as the desktop tracks it. */
export const CallInfo = z.object({
  callId: Id,
  direction: z.enum(['inbound', 'outbound', 'internal']),
  state: CallState,
  /** The far party's number (inbound: caller id; outbound: the dialled number). */
  remoteNumber: CallerId,
  queueId: Id.optional(),
  customerId: Id.optional(),
  /** The consultation leg while consulting. */
  consultCallId: Id.optional(),
  /** When `state` was entered. */
  since: Timestamp,
  /** With state `ended`. */
  cause: CallEndCause.optional(),
  /** Whether the call is being recorded. */
  recording: z.boolean().optional(),
});
/** See {@link CallInfo}. */
export type CallInfo = z.infer<typeof CallInfo>;

/** One step of the caller's path through the IVR (secrets are never included). */
export const IvrStep = z.object({
  /** The menu or node id (`main`, `bill-query`...). */
  node: Text(64),
  /** Display label (zh-CN). */
  label: Text(64).optional(),
  /** The key pressed, when it is not a secret. */
  input: Text(32).optional(),
  at: Timestamp.optional(),
});
/** See {@link IvrStep}. */
export type IvrStep = z.infer<typeof IvrStep>;

/** Where a transfer goes. */
export const TransferTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent'), agentId: Id }),
  z.object({ kind: z.literal('queue'), queueId: Id }),
  z.object({ kind: z.literal('number'), number: PhoneNumber }),
]);
/** See {@link TransferTarget}. */
export type TransferTarget = z.infer<typeof TransferTarget>;

// ---------------------------------------------------------------------------------------------
// Customers and billing

/** Account status of a customer. */
export const AccountStatus = z.enum(['active', 'suspended', 'closed']);

/** A gas customer (用户) record. */
export const Customer = z.object({
  customerId: Id,
  /** The customer number (用户编号) printed on bills. */
  customerNo: Text(32),
  name: Text(64),
  phones: z.array(PhoneNumber).max(8),
  address: Text(200),
  district: Text(64),
  districtCode: Text(16),
  householdSize: z.number().int().min(0).max(99).optional(),
  floor: z.number().int().min(-10).max(200).optional(),
  accountStatus: AccountStatus,
  notes: Text(2000).optional(),
  /** Optimistic-concurrency version: pass it back in `customer.update`. */
  version: z.number().int().nonnegative(),
  updatedAt: Timestamp,
});
/** See {@link Customer}. */
export type Customer = z.infer<typeof Customer>;

/** The fields an agent may edit (all optional: a patch). */
export const CustomerPatch = Customer.pick({
  name: true,
  phones: true,
  address: true,
  district: true,
  districtCode: true,
  householdSize: true,
  floor: true,
  notes: true,
}).partial();
/** See {@link CustomerPatch}. */
export type CustomerPatch = z.infer<typeof CustomerPatch>;

/** A customer in a search result list. */
export const CustomerSummary = Customer.pick({
  customerId: true,
  customerNo: true,
  name: true,
  phones: true,
  address: true,
  district: true,
  accountStatus: true,
});
/** See {@link CustomerSummary}. */
export type CustomerSummary = z.infer<typeof CustomerSummary>;

/** One bill. */
export const Bill = z.object({
  /** Billing period `YYYY-MM`. */
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  usageM3: z.number().nonnegative(),
  amountFen: Fen,
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  paidFen: Fen,
  status: z.enum(['paid', 'partial', 'unpaid', 'overdue']),
});
/** See {@link Bill}. */
export type Bill = z.infer<typeof Bill>;

/** Bills and arrears of a customer (a billing adapter may stand behind it). */
export const BillSummary = z.object({
  customerId: Id,
  accountNo: Text(32),
  /** Total unpaid (arrears, 欠费), fen. */
  arrearsFen: Fen,
  /** Prepaid balance, fen (when the account has one). */
  balanceFen: Fen.optional(),
  /** Most recent first. */
  bills: z.array(Bill).max(36),
  lastPayment: z.object({ at: Timestamp, amountFen: Fen, channel: Text(32) }).optional(),
  /** Tiered price (阶梯气价) position this year. */
  tier: z
    .object({ tier: z.number().int().min(1).max(9), yearUsageM3: z.number().nonnegative(), priceFenPerM3: Fen })
    .optional(),
  /** When the figures were read (a remote billing system may lag). */
  asOf: Timestamp,
});
/** See {@link BillSummary}. */
export type BillSummary = z.infer<typeof BillSummary>;

// ---------------------------------------------------------------------------------------------
// Tickets

/** Ticket kinds. */
export const TicketKind = z.enum(['emergency', 'repair', 'complaint', 'suggestion', 'service']);
/** See {@link TicketKind}. */
export type TicketKind = z.infer<typeof TicketKind>;

/**
 * Ticket workflow: `accepted` → `assigned` (to a department) → `in-progress` → `resolved` (result
 * recorded) → `informed` (customer told) → `closed`; a reopen goes back to `accepted`.
 */
export const TicketStatus = z.enum(['accepted', 'assigned', 'in-progress', 'resolved', 'informed', 'closed']);
/** See {@link TicketStatus}. */
export type TicketStatus = z.infer<typeof TicketStatus>;

/** Ticket priority. */
export const TicketPriority = z.enum(['urgent', 'high', 'normal', 'low']);

/** A tracking number (受理流水号): digits with a check digit, validated by the server. */
export const TrackingNo = z.string().regex(/^[0-9]{6,20}$/, 'digits only');

/** A ticket (工单). */
export const Ticket = z.object({
  ticketId: Id,
  /** The number read to the caller. */
  trackingNo: TrackingNo,
  kind: TicketKind,
  status: TicketStatus,
  priority: TicketPriority,
  /** Sub-category (`gas-leak`, `no-gas`, `meter-fault`, `new-account`...). */
  category: Text(32).optional(),
  subject: Text(120),
  description: Text(4000),
  customerId: Id.optional(),
  contactName: Text(64).optional(),
  contactPhone: PhoneNumber.optional(),
  address: Text(200).optional(),
  departmentId: Id.optional(),
  departmentName: Text(64).optional(),
  /** The result recorded by the department (what the caller hears). */
  result: Text(2000).optional(),
  /** 0 = at the first department; +1 per escalation to a superior department. */
  escalationLevel: z.number().int().nonnegative(),
  /** When the current step must be done (escalation after it). */
  deadline: Timestamp.optional(),
  /** How the ticket came in. */
  source: z.enum(['agent', 'voicemail', 'ivr', 'fax', 'web', 'other']),
  callId: Id.optional(),
  createdAt: Timestamp,
  createdBy: Id,
  updatedAt: Timestamp,
  /** Optimistic-concurrency version: pass it back in `ticket.update`. */
  version: z.number().int().nonnegative(),
});
/** See {@link Ticket}. */
export type Ticket = z.infer<typeof Ticket>;

/** One line of a ticket's history: who did what, when. */
export const TicketHistoryEntry = z.object({
  at: Timestamp,
  /** User id, or `system` for automatic steps (deadline escalation). */
  by: Id,
  byName: Text(64).optional(),
  action: z.enum([
    'created',
    'updated',
    'assigned',
    'status',
    'note',
    'result',
    'escalated',
    'informed',
    'reopened',
    'closed',
  ]),
  fromStatus: TicketStatus.optional(),
  toStatus: TicketStatus.optional(),
  departmentId: Id.optional(),
  note: Text(2000).optional(),
});
/** See {@link TicketHistoryEntry}. */
export type TicketHistoryEntry = z.infer<typeof TicketHistoryEntry>;

// ---------------------------------------------------------------------------------------------
// Interactions, voicemail

/** One contact with a customer (CDR summary). */
export const Interaction = z.object({
  interactionId: Id,
  media: z.enum(['voice', 'voicemail', 'callback', 'fax', 'other']),
  direction: z.enum(['inbound', 'outbound']),
  startedAt: Timestamp,
  endedAt: Timestamp.optional(),
  remoteNumber: CallerId,
  customerId: Id.optional(),
  agentId: Id.optional(),
  agentName: Text(64).optional(),
  queueId: Id.optional(),
  ivrPath: z.array(IvrStep).max(32).optional(),
  /** How it ended (`answered`, `abandoned`, `self-service`, `voicemail`...). */
  outcome: Text(32),
  disposition: ReasonCode.optional(),
  ticketIds: z.array(Id).max(32).optional(),
  recorded: z.boolean().optional(),
});
/** See {@link Interaction}. */
export type Interaction = z.infer<typeof Interaction>;

/** Voicemail call-back task status. */
export const VoicemailStatus = z.enum(['new', 'in-progress', 'called-back', 'unreachable', 'closed']);
/** See {@link VoicemailStatus}. */
export type VoicemailStatus = z.infer<typeof VoicemailStatus>;

/** A voicemail and its call-back task. */
export const Voicemail = z.object({
  voicemailId: Id,
  receivedAt: Timestamp,
  callerId: CallerId,
  /** The number the caller asked to be called back on. */
  callbackNumber: PhoneNumber.optional(),
  wantsReply: z.boolean(),
  customerId: Id.optional(),
  /** The topic chosen in the IVR (`complaint`, `suggestion`...). */
  topic: Text(32).optional(),
  durationMs: DurationMs,
  status: VoicemailStatus,
  /** Whether an agent has played it. */
  played: z.boolean(),
  attempts: z.number().int().nonnegative(),
  assignedTo: Id.optional(),
  ticketId: Id.optional(),
  note: Text(2000).optional(),
});
/** See {@link Voicemail}. */
export type Voicemail = z.infer<typeof Voicemail>;

// ---------------------------------------------------------------------------------------------
// Real-time statistics (definitions: @hotline/acd statistics, one computation for live and history)

/** A queue's live figures and today's totals. */
export const QueueStats = z.object({
  queueId: Id,
  name: Text(64),
  open: z.boolean(),
  waiting: z.number().int().nonnegative(),
  callbacksWaiting: z.number().int().nonnegative(),
  longestWaitMs: DurationMs,
  /** Ready, online agents serving the queue. */
  staffed: z.number().int().nonnegative(),
  /** Agents on a call of this queue. */
  busy: z.number().int().nonnegative(),
  offeredToday: z.number().int().nonnegative(),
  answeredToday: z.number().int().nonnegative(),
  abandonedToday: z.number().int().nonnegative(),
  /** Share answered within the threshold, 0..1 (`null` before the first call). */
  serviceLevel: z.number().min(0).max(1).nullable(),
  /** The service-level threshold, ms (e.g. 20 000). */
  serviceLevelThresholdMs: DurationMs,
  abandonRate: z.number().min(0).max(1).nullable(),
  asaMs: DurationMs.nullable(),
  ahtMs: DurationMs.nullable(),
  /** Expected wait of a new arrival, ms (`null` when unknown, e.g. nobody staffed). */
  expectedWaitMs: DurationMs.nullable(),
});
/** See {@link QueueStats}. */
export type QueueStats = z.infer<typeof QueueStats>;

/** One agent's row on the supervisor wallboard. */
export const AgentRow = z.object({
  agentId: Id,
  name: Text(64),
  presence: Presence,
  activity: Activity,
  reason: ReasonCode.optional(),
  since: Timestamp,
  /** Whether the agent's desktop is connected. */
  online: z.boolean(),
  queueIds: z.array(Id).max(64),
  /** The call the agent is on, if any. */
  callId: Id.optional(),
  callQueueId: Id.optional(),
  answeredToday: z.number().int().nonnegative(),
  ahtMs: DurationMs.nullable(),
  /** Whether a supervisor is monitoring the agent's call. */
  monitored: z.boolean().optional(),
});
/** See {@link AgentRow}. */
export type AgentRow = z.infer<typeof AgentRow>;

/** The supervisor wallboard. */
export const Wallboard = z.object({
  queues: z.array(QueueStats).max(256),
  agents: z.array(AgentRow).max(2048),
  at: Timestamp,
});
/** See {@link Wallboard}. */
export type Wallboard = z.infer<typeof Wallboard>;

/** How a supervisor joins a call. */
export const MonitorMode = z.enum(['listen', 'whisper', 'barge']);
/** See {@link MonitorMode}. */
export type MonitorMode = z.infer<typeof MonitorMode>;

// ---------------------------------------------------------------------------------------------
// Screen pop and snapshot

/** What the desktop shows when a call is offered, before the agent answers. */
export const ScreenPop = z.object({
  call: CallInfo,
  callerId: CallerId,
  /** The identified customer, or `null` for an unknown caller (the desktop offers a search). */
  customer: Customer.nullable(),
  /** Other customers the caller id matches (shared phone), when more than one. */
  candidates: z.array(CustomerSummary).max(20).optional(),
  ivrPath: z.array(IvrStep).max(32),
  openTickets: z.array(Ticket).max(50),
  recentInteractions: z.array(Interaction).max(20),
  queueId: Id.optional(),
  queueName: Text(64).optional(),
  priority: z.enum(['emergency', 'vip', 'normal']),
  /** How long the caller waited in queue, ms. */
  waitedMs: DurationMs,
  /** For a transferred call: who transferred it and their note (the data follows the call). */
  transferredBy: z.object({ agentId: Id, name: Text(64).optional(), note: Text(500).optional() }).optional(),
  /** Ring timeout: the offer is withdrawn after this many ms without answer. */
  ringTimeoutMs: DurationMs.optional(),
});
/** See {@link ScreenPop}. */
export type ScreenPop = z.infer<typeof ScreenPop>;

/** Server catalogues the desktop needs to render choices. */
export const Catalog = z.object({
  notReadyReasons: z.array(CodeLabel).max(64),
  dispositions: z.array(CodeLabel).max(128),
  queues: z.array(z.object({ queueId: Id, name: Text(64) })).max(256),
  departments: z
    .array(z.object({ departmentId: Id, name: Text(64), parentId: Id.optional() }))
    .max(256)
    .optional(),
  /** Wrap-up time after a call, ms (the desktop shows a countdown). */
  wrapUpMs: DurationMs.optional(),
});
/** See {@link Catalog}. */
export type Catalog = z.infer<typeof Catalog>;

/**
 * The state a session starts from (after login, or after a resume that could not be served from
 * the replay buffer). Events with `seq` greater than the snapshot's apply on top of it.
 */
export const Snapshot = z.object({
  /** This agent's state (agents and supervisors). */
  agent: AgentStatus.optional(),
  /** Calls this user is on or is being offered. */
  calls: z.array(CallInfo).max(16),
  /**
   * Screen pops of this user's calls: the ones being offered, and (servers may send them) the
   * ones already answered, held or in wrap-up, so a desktop that connects mid-call shows the caller.
   */
  offers: z.array(ScreenPop).max(16).optional(),
  /** The queues this user serves. */
  queues: z.array(QueueStats).max(256),
  /** Supervisors: the whole wallboard. */
  wallboard: Wallboard.optional(),
  /** Voicemail call-back tasks waiting. */
  voicemailsWaiting: z.number().int().nonnegative().optional(),
  /** Department staff: tickets in the inbox. */
  inboxCount: z.number().int().nonnegative().optional(),
  catalog: Catalog.optional(),
});
/** See {@link Snapshot}. */
export type Snapshot = z.infer<typeof Snapshot>;
