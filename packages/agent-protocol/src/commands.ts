/**
 * The command table: every client→server command with its parameter schema, result schema, the
 * roles allowed to issue it and whether it is audited. The server checks roles from this table
 * (an application may narrow or widen it); the client derives its typed methods from it.
 */
import { z } from 'zod';
import {
  AgentRow,
  AgentStatus,
  BillSummary,
  CallInfo,
  Customer,
  CustomerPatch,
  CustomerSummary,
  Id,
  Interaction,
  MonitorMode,
  PhoneNumber,
  QueueStats,
  ReasonCode,
  Role,
  Text,
  Ticket,
  TicketHistoryEntry,
  TicketKind,
  TicketPriority,
  TicketStatus,
  Timestamp,
  TrackingNo,
  TransferTarget,
  Voicemail,
  VoicemailStatus,
} from './domain.js';

/** The definition of one command. */
export interface CommandDefinition<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** Validates `params` (the server parses with it; unknown keys are stripped). */
  readonly params: P;
  /** Validates the `ok` result (the server checks its handler's result, the client re-parses). */
  readonly result: R;
  /** Roles allowed to issue the command. */
  readonly roles: readonly Role[];
  /** Privileged: every attempt goes to the audit callback. */
  readonly audit: boolean;
  /** One line for the reference. */
  readonly summary: string;
  /** The protocol version that introduced the command; the client refuses it on an older server. */
  readonly since: string;
}

function command<P extends z.ZodType, R extends z.ZodType>(
  summary: string,
  roles: readonly Role[],
  params: P,
  result: R,
  audit = false,
  since = '1.0',
): CommandDefinition<P, R> {
  return Object.freeze({ summary, roles: Object.freeze([...roles]), params, result, audit, since });
}

const CALL_HANDLERS: readonly Role[] = ['agent', 'supervisor'];
const EVERYONE: readonly Role[] = ['agent', 'supervisor', 'department', 'administrator'];
const READERS: readonly Role[] = ['agent', 'supervisor', 'administrator'];
const SUPERVISORS: readonly Role[] = ['supervisor', 'administrator'];
const DEPARTMENT: readonly Role[] = ['department', 'supervisor', 'administrator'];

const Empty = z.object({});
/** An empty successful result. */
const Done = z.object({});
const CallRef = z.object({ callId: Id });

/** Search criteria: at least one field; text fields match partially, `phone` by suffix ≥ 4 digits. */
export const CustomerQuery = z
  .object({
    name: Text(64).min(1).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9]{4,32}$/)
      .optional(),
    customerNo: Text(32).min(1).optional(),
    address: Text(200).min(2).optional(),
  })
  .refine((q) => Object.values(q).some((v) => v !== undefined), { message: 'give at least one search field' });

/** Fields of a new ticket. */
export const TicketDraft = z.object({
  kind: TicketKind,
  category: Text(32).optional(),
  subject: Text(120).min(1),
  description: Text(4000),
  priority: TicketPriority.optional(),
  customerId: Id.optional(),
  contactName: Text(64).optional(),
  contactPhone: PhoneNumber.optional(),
  address: Text(200).optional(),
  /** The call the ticket comes from (links the interaction). */
  callId: Id.optional(),
  /** The voicemail the ticket comes from. */
  voicemailId: Id.optional(),
});
/** See {@link TicketDraft}. */
export type TicketDraft = z.infer<typeof TicketDraft>;

const TicketRef = z.union([z.object({ ticketId: Id }), z.object({ trackingNo: TrackingNo })]);
const TicketWithHistory = z.object({ ticket: Ticket, history: z.array(TicketHistoryEntry).max(500) });
const TicketPage = z.object({ tickets: z.array(Ticket).max(200), nextCursor: Text(128).optional() });

/** Every command of protocol 1.0, by name. */
export const COMMANDS = {
  // --- agent state ---------------------------------------------------------------------------
  'agent.ready': command('Become ready for calls.', CALL_HANDLERS, Empty, AgentStatus),
  'agent.notReady': command(
    'Become not ready, with a reason code from the catalogue.',
    CALL_HANDLERS,
    z.object({ reason: ReasonCode }),
    AgentStatus,
  ),
  'agent.logout': command(
    'Log out of the ACD (presence logged-out); the session stays open.',
    CALL_HANDLERS,
    Empty,
    AgentStatus,
  ),

  // --- call control --------------------------------------------------------------------------
  'call.answer': command('Answer the call offered to this agent.', CALL_HANDLERS, CallRef, CallInfo),
  'call.hangup': command("Hang up (release) this agent's call.", CALL_HANDLERS, CallRef, CallInfo),
  'call.hold': command('Put the call on hold.', CALL_HANDLERS, CallRef, CallInfo),
  'call.retrieve': command('Take the call off hold.', CALL_HANDLERS, CallRef, CallInfo),
  'call.transfer': command(
    'Transfer blind (the call leaves now) or consultative (a consult leg to the target; the caller is held). The screen pop data follows the call.',
    CALL_HANDLERS,
    z.object({ callId: Id, mode: z.enum(['blind', 'consult']), target: TransferTarget, note: Text(500).optional() }),
    z.object({ call: CallInfo, consultCallId: Id.optional() }),
  ),
  'call.completeConsult': command(
    'Complete a consultative transfer: the caller goes to the consulted party.',
    CALL_HANDLERS,
    CallRef,
    CallInfo,
  ),
  'call.cancelConsult': command(
    'Cancel a consultation: drop the consult leg and retrieve the caller.',
    CALL_HANDLERS,
    CallRef,
    CallInfo,
  ),
  'call.conference': command(
    'Join the caller and the consulted party into a conference.',
    CALL_HANDLERS,
    CallRef,
    CallInfo,
  ),
  'call.dial': command(
    "Dial out (a typed number, or a customer's phone).",
    CALL_HANDLERS,
    z.object({ number: PhoneNumber, customerId: Id.optional(), voicemailId: Id.optional() }),
    CallInfo,
  ),
  'call.wrapUp': command(
    'Finish after-call work with a disposition code; the agent leaves wrap-up.',
    CALL_HANDLERS,
    z.object({
      callId: Id,
      disposition: ReasonCode,
      note: Text(2000).optional(),
      ticketIds: z.array(Id).max(16).optional(),
    }),
    AgentStatus,
  ),

  // --- customers -----------------------------------------------------------------------------
  'customer.search': command(
    'Search customers by name, phone, customer number or address.',
    READERS,
    z.object({ query: CustomerQuery, limit: z.number().int().min(1).max(100).default(20) }),
    z.object({ customers: z.array(CustomerSummary).max(100), total: z.number().int().nonnegative() }),
  ),
  'customer.get': command(
    'Get a customer with open tickets and recent interactions.',
    READERS,
    z.object({ customerId: Id }),
    z.object({
      customer: Customer,
      openTickets: z.array(Ticket).max(50),
      recentInteractions: z.array(Interaction).max(50),
    }),
  ),
  'customer.update': command(
    'Update a customer record; fails with ERR_CONFLICT when `version` is stale.',
    ['agent', 'supervisor', 'administrator'],
    z.object({ customerId: Id, version: z.number().int().nonnegative(), patch: CustomerPatch }),
    Customer,
    true,
  ),
  'customer.create': command(
    'Create a customer record from a call.',
    ['agent', 'supervisor', 'administrator'],
    z.object({ customer: CustomerPatch.required({ name: true, phones: true, address: true }) }),
    Customer,
    true,
  ),
  'billing.summary': command('Bills and arrears of a customer.', READERS, z.object({ customerId: Id }), BillSummary),

  // --- tickets -------------------------------------------------------------------------------
  'ticket.create': command(
    'Create a ticket; the result carries the tracking number to read to the caller. Durable before the reply.',
    CALL_HANDLERS,
    TicketDraft,
    Ticket,
  ),
  'ticket.update': command(
    'Update a ticket (status, fields, note); fails with ERR_CONFLICT when `version` is stale.',
    ['agent', 'supervisor', 'department', 'administrator'],
    z.object({
      ticketId: Id,
      version: z.number().int().nonnegative(),
      status: TicketStatus.optional(),
      priority: TicketPriority.optional(),
      subject: Text(120).min(1).optional(),
      description: Text(4000).optional(),
      contactPhone: PhoneNumber.optional(),
      address: Text(200).optional(),
      note: Text(2000).optional(),
    }),
    Ticket,
    true,
  ),
  'ticket.get': command(
    'Get a ticket (by id or tracking number) with its history.',
    EVERYONE,
    TicketRef,
    TicketWithHistory,
  ),
  'ticket.list': command(
    'List tickets by customer, status or kind, newest first, paged.',
    READERS,
    z.object({
      customerId: Id.optional(),
      status: z.array(TicketStatus).max(6).optional(),
      kind: z.array(TicketKind).max(5).optional(),
      limit: z.number().int().min(1).max(200).default(50),
      cursor: Text(128).optional(),
    }),
    TicketPage,
  ),

  // --- voicemail call-backs ------------------------------------------------------------------
  'voicemail.list': command(
    'The voicemail call-back list, oldest first.',
    CALL_HANDLERS,
    z.object({
      status: z.array(VoicemailStatus).max(5).optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    z.object({ voicemails: z.array(Voicemail).max(200) }),
  ),
  'voicemail.mark': command(
    'Record the outcome of a call-back (or that the message was played).',
    CALL_HANDLERS,
    z.object({
      voicemailId: Id,
      status: VoicemailStatus.optional(),
      played: z.boolean().optional(),
      note: Text(2000).optional(),
    }),
    Voicemail,
  ),
  'voicemail.callBack': command(
    "Dial the voicemail's call-back number from this agent's station.",
    CALL_HANDLERS,
    z.object({ voicemailId: Id }),
    z.object({ voicemail: Voicemail, call: CallInfo }),
  ),

  // --- supervisor ----------------------------------------------------------------------------
  'supervisor.snapshot': command(
    'The whole wallboard now (queues and agents); live changes follow as events.',
    SUPERVISORS,
    Empty,
    z.object({ queues: z.array(QueueStats).max(256), agents: z.array(AgentRow).max(2048), at: Timestamp }),
  ),
  'supervisor.forceState': command(
    'Force an agent ready, not ready (with reason) or logged out.',
    SUPERVISORS,
    z.object({ agentId: Id, presence: z.enum(['ready', 'not-ready', 'logged-out']), reason: ReasonCode.optional() }),
    AgentStatus,
    true,
  ),
  'supervisor.monitor': command(
    "Listen to, whisper to (coach: only the agent hears) or barge into an agent's call from the supervisor's station.",
    ['supervisor'],
    z.object({ agentId: Id, mode: MonitorMode }),
    z.object({ monitorId: Id, callId: Id, mode: MonitorMode }),
    true,
  ),
  'supervisor.stopMonitor': command('Stop monitoring.', ['supervisor'], z.object({ monitorId: Id }), Done, true),

  // --- department staff ----------------------------------------------------------------------
  'department.inbox': command(
    "The department's open tickets, earliest deadline first.",
    DEPARTMENT,
    z.object({ includeResolved: z.boolean().default(false), limit: z.number().int().min(1).max(200).default(100) }),
    TicketPage,
  ),
  'department.recordResult': command(
    'Record the result of a ticket (what the caller hears); `resolve` moves it to resolved.',
    DEPARTMENT,
    z.object({
      ticketId: Id,
      version: z.number().int().nonnegative(),
      result: Text(2000).min(1),
      resolve: z.boolean().default(true),
    }),
    Ticket,
    true,
  ),
  'department.escalate': command(
    'Escalate a ticket to the superior department.',
    DEPARTMENT,
    z.object({ ticketId: Id, version: z.number().int().nonnegative(), reason: Text(500).min(1) }),
    Ticket,
    true,
  ),

  // --- own account ---------------------------------------------------------------------------
  'user.changePassword': command(
    "Change the session user's own password (the old one is checked; never logged).",
    EVERYONE,
    z.object({ oldPassword: z.string().min(1).max(128), newPassword: z.string().min(8).max(128) }),
    Done,
    true,
  ),
} as const satisfies Record<string, CommandDefinition>;

/** The name of a command (`'call.answer'`...). */
export type CommandName = keyof typeof COMMANDS;
/** What the caller passes (defaults may be omitted). */
export type CommandParams<N extends CommandName> = z.input<(typeof COMMANDS)[N]['params']>;
/** What the handler receives (defaults applied, unknown keys stripped). */
export type ParsedCommandParams<N extends CommandName> = z.output<(typeof COMMANDS)[N]['params']>;
/** What a successful command resolves to. */
export type CommandResult<N extends CommandName> = z.output<(typeof COMMANDS)[N]['result']>;

/** All command names, in table order. */
export const COMMAND_NAMES: readonly CommandName[] = Object.freeze(Object.keys(COMMANDS) as CommandName[]);

/** True when `name` is a command of this protocol version. */
export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/** The role table derived from {@link COMMANDS}: command → roles allowed. */
export type RoleTable = Readonly<Record<CommandName, readonly Role[]>>;

/** The default role table. */
export const DEFAULT_ROLE_TABLE: RoleTable = Object.freeze(
  Object.fromEntries(COMMAND_NAMES.map((n) => [n, COMMANDS[n].roles])) as Record<CommandName, readonly Role[]>,
);
