/**
 * Tickets (工单): repair and emergency reports, complaints, suggestions and service requests, each
 * with a tracking number, a workflow and a history.
 *
 * The workflow:
 *
 * ```text
 *             assign              start               resolve(result)          inform              close
 *  accepted ─────────► assigned ─────────► in_progress ───────────────► resolved ───────► informed ───────► closed
 *                       ▲  │ ▲ assign/escalate   │ escalate/assign         │                 │                 │
 *                       │  └─┘                   │                         │  reopen         │ reopen          │ reopen
 *                       └────────────────────────┴─────────────────────────┴─────────────────┴─────────────────┘
 * ```
 *
 * - `escalate` moves the ticket to the parent of its department (by hand, or automatically when its
 *   deadline passes) and puts it back to `assigned` there with a fresh deadline.
 * - `note` adds a history entry in any state without changing it.
 * - Any other move is refused with `ERR_ILLEGAL_TICKET_TRANSITION` ({@link nextTicketStatus}).
 * @module
 */
import { AppError, AppErrorCode } from './errors.js';

/** The kinds of ticket. */
export type TicketType = 'emergency' | 'repair' | 'complaint' | 'suggestion' | 'service_request';
/** Every ticket type, most urgent first. */
export const TICKET_TYPES: readonly TicketType[] = [
  'emergency',
  'repair',
  'service_request',
  'complaint',
  'suggestion',
];

/** Subtypes allowed for each type. */
export const TICKET_SUBTYPES: Readonly<Record<TicketType, readonly string[]>> = {
  emergency: ['gas_leak', 'fire', 'other'],
  repair: ['no_gas', 'meter_fault', 'low_pressure', 'appliance', 'other'],
  complaint: ['service', 'billing', 'construction', 'staff', 'other'],
  suggestion: ['general'],
  service_request: ['new_account', 'transfer', 'installation', 'relocation', 'other'],
};

/** Default priority of each type (1 = most urgent); queues and inboxes sort by it. */
export const TICKET_PRIORITY: Readonly<Record<TicketType, number>> = {
  emergency: 1,
  repair: 2,
  service_request: 3,
  complaint: 4,
  suggestion: 5,
};

/** Workflow states. */
export type TicketStatus = 'accepted' | 'assigned' | 'in_progress' | 'resolved' | 'informed' | 'closed';
/** Every status in workflow order. */
export const TICKET_STATUSES: readonly TicketStatus[] = [
  'accepted',
  'assigned',
  'in_progress',
  'resolved',
  'informed',
  'closed',
];
/** States in which a ticket is still being worked on (and its deadline runs). */
export const OPEN_TICKET_STATUSES: readonly TicketStatus[] = ['accepted', 'assigned', 'in_progress'];

/** Workflow actions. `accept` is the creation of the ticket. */
export type TicketAction =
  'accept' | 'assign' | 'start' | 'resolve' | 'inform' | 'close' | 'reopen' | 'escalate' | 'note' | 'overdue';

/** Where a ticket came from. */
export type TicketChannel = 'phone' | 'agent' | 'voicemail' | 'fax' | 'mobile' | 'web';

/** The allowed moves: `TRANSITIONS[from][action]` = to. Absent = illegal. */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, Partial<Record<TicketAction, TicketStatus>>>> = {
  accepted: { assign: 'assigned', escalate: 'assigned', note: 'accepted', overdue: 'accepted' },
  assigned: { assign: 'assigned', start: 'in_progress', escalate: 'assigned', note: 'assigned', overdue: 'assigned' },
  in_progress: {
    assign: 'assigned',
    resolve: 'resolved',
    escalate: 'assigned',
    note: 'in_progress',
    overdue: 'in_progress',
  },
  resolved: { inform: 'informed', reopen: 'assigned', note: 'resolved' },
  informed: { close: 'closed', reopen: 'assigned', note: 'informed' },
  closed: { reopen: 'assigned', note: 'closed' },
};

/**
 * The state `action` leads to from `from`; throws `ERR_ILLEGAL_TICKET_TRANSITION` (with `details`
 * `from`, `action`, `allowed`) when the move is not allowed.
 */
export function nextTicketStatus(from: TicketStatus, action: TicketAction): TicketStatus {
  const to = TICKET_TRANSITIONS[from][action];
  if (to === undefined) {
    throw new AppError(AppErrorCode.IllegalTicketTransition, `cannot ${action} a ticket that is ${from}`, {
      details: { from, action, allowed: Object.keys(TICKET_TRANSITIONS[from]) },
    });
  }
  return to;
}

/** A ticket. */
export interface Ticket {
  readonly id: number;
  /** 受理流水号, see `tracking-number.ts`. */
  readonly trackingNo: string;
  readonly type: TicketType;
  readonly subtype: string;
  readonly status: TicketStatus;
  readonly priority: number;
  readonly customerId: number | null;
  readonly callerPhone: string | null;
  readonly contactName: string | null;
  readonly address: string | null;
  readonly description: string;
  readonly channel: TicketChannel;
  readonly departmentId: number | null;
  readonly assigneeUserId: number | null;
  /** The result recorded by the department (what the customer hears). */
  readonly result: string | null;
  /** How many times it was escalated. */
  readonly escalationLevel: number;
  readonly reopenCount: number;
  /** When it is escalated automatically if still open (epoch ms); null = no deadline running. */
  readonly deadlineAt: number | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Incremented on every change (optimistic concurrency). */
  readonly version: number;
}

/** One entry of a ticket's history. */
export interface TicketHistoryEntry {
  readonly id: number;
  readonly ticketId: number;
  readonly at: number;
  /** User name, `system`, or `ivr`. */
  readonly actor: string;
  readonly action: TicketAction;
  readonly fromStatus: TicketStatus | null;
  readonly toStatus: TicketStatus;
  readonly departmentId: number | null;
  readonly note: string | null;
}

/** A history entry to write (id and ticket filled in by the repository). */
export type NewHistoryEntry = Omit<TicketHistoryEntry, 'id' | 'ticketId'>;

/** The fields of a new ticket (tracking number, id and version are assigned by the repository). */
export type NewTicket = Omit<Ticket, 'id' | 'trackingNo' | 'version'>;

/** Fields a workflow step may change. */
export type TicketPatch = Partial<
  Pick<
    Ticket,
    | 'status'
    | 'departmentId'
    | 'assigneeUserId'
    | 'result'
    | 'escalationLevel'
    | 'reopenCount'
    | 'deadlineAt'
    | 'description'
    | 'customerId'
  >
>;

/** Criteria for listing tickets; all given criteria must match. */
export interface TicketFilter {
  /** Only tickets of these departments. */
  readonly departmentIds?: readonly number[];
  readonly statuses?: readonly TicketStatus[];
  readonly types?: readonly TicketType[];
  readonly customerId?: number;
  /** Created at or after (epoch ms). */
  readonly createdFrom?: number;
  /** Created before (epoch ms). */
  readonly createdBefore?: number;
  /** Default 50, at most 500. */
  readonly limit?: number;
  readonly offset?: number;
}

/** Storage of tickets. Implementations make every write durable before resolving. */
export interface TicketRepository {
  /**
   * Allocates the next tracking number of `day` (the local day the ticket is accepted), inserts the
   * ticket and its first history entries, in one transaction.
   */
  create(
    ticket: NewTicket,
    history: readonly NewHistoryEntry[],
    day: { readonly year: number; readonly month: number; readonly day: number; readonly iso: string },
  ): Promise<Ticket>;
  get(id: number): Promise<Ticket | undefined>;
  getByTrackingNo(trackingNo: string): Promise<Ticket | undefined>;
  /**
   * Applies `patch` and appends `entry` atomically if the ticket is still at `expectedVersion`;
   * rejects with `ERR_CONFLICT` (retryable) otherwise.
   */
  update(id: number, expectedVersion: number, patch: TicketPatch, entry: NewHistoryEntry, now: number): Promise<Ticket>;
  history(ticketId: number): Promise<TicketHistoryEntry[]>;
  /** Most urgent first, then oldest first. */
  list(filter: TicketFilter): Promise<Ticket[]>;
  /** Open tickets whose deadline is at or before `now`, earliest first. */
  overdue(now: number, limit: number): Promise<Ticket[]>;
  /** The earliest deadline of any open ticket. */
  nextDeadline(): Promise<number | undefined>;
}
