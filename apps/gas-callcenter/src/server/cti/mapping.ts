/**
 * Conversions between the gas call centre's domain records (numeric ids, snake_case codes) and
 * the agent protocol's wire shapes (string ids, kebab-case codes, versions), and from domain and
 * ACD errors to typed protocol errors.
 *
 * @module
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  type AgentStatus,
  type Customer as WireCustomer,
  type CustomerSummary,
  type Interaction as WireInteraction,
  type Role as WireRole,
  type Ticket as WireTicket,
  type TicketHistoryEntry as WireHistoryEntry,
  type TicketKind,
  type TicketStatus as WireTicketStatus,
  type Voicemail as WireVoicemail,
  type VoicemailStatus as WireVoicemailStatus,
} from '@hotline/agent-protocol';
import { isHotlineError } from '@hotline/cti-core';
import type { AgentSnapshot } from '@hotline/acd';
import type { Customer } from '../../domain/customers.js';
import type { Interaction } from '../../domain/interactions.js';
import type {
  Ticket,
  TicketAction,
  TicketChannel,
  TicketHistoryEntry,
  TicketStatus,
  TicketType,
} from '../../domain/tickets.js';
import type { Role } from '../../domain/users.js';
import type { Voicemail, VoicemailStatus } from '../../domain/voicemail.js';

const PHONE = /^\+?[0-9*#-]{1,32}$/;
const REASON = /^[a-z0-9][a-z0-9_-]*$/;

/** A phone number as the wire accepts it, or undefined. */
export function wirePhone(phone: string | null | undefined): string | undefined {
  return phone && PHONE.test(phone) ? phone : undefined;
}

/** Parses a wire id of a numeric domain record; `ERR_NOT_FOUND` when it is not one. */
export function numericId(id: string, entity: string): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0 || String(n) !== id) {
    throw new ProtocolError(ProtocolErrorCode.NotFound, `no ${entity} ${id}`, { details: { entity, id } });
  }
  return n;
}

/** Domain role → protocol role. */
export function wireRole(role: Role): WireRole {
  return role === 'department_staff' ? 'department' : role;
}

/** An ACD agent snapshot → the protocol's agent status. */
export function agentStatus(s: AgentSnapshot): AgentStatus {
  if (s.state.presence === 'logged-out')
    return { agentId: s.id, presence: 'logged-out', activity: 'idle', since: s.since };
  const reason =
    s.state.presence === 'not-ready' && REASON.test(s.state.reason) ? s.state.reason.slice(0, 32) : undefined;
  return {
    agentId: s.id,
    presence: s.state.presence,
    activity: s.state.activity,
    ...(reason ? { reason } : {}),
    since: s.since,
  };
}

/** A domain customer → the protocol's customer (the version is the last update time). */
export function wireCustomer(c: Customer): WireCustomer {
  return {
    customerId: String(c.id),
    customerNo: c.customerNo,
    name: c.name,
    phones: c.phones
      .map((p) => p.phone)
      .filter((p) => PHONE.test(p))
      .slice(0, 8),
    address: c.address,
    district: c.district,
    districtCode: c.districtCode.slice(0, 16),
    ...(c.householdSize >= 0 && c.householdSize <= 99 ? { householdSize: c.householdSize } : {}),
    ...(c.floor !== null && c.floor >= -10 && c.floor <= 200 ? { floor: c.floor } : {}),
    accountStatus: c.status,
    ...(c.notes ? { notes: c.notes.slice(0, 2000) } : {}),
    version: c.updatedAt,
    updatedAt: c.updatedAt,
  };
}

/** A domain customer → a search result row. */
export function customerSummary(c: Customer): CustomerSummary {
  const w = wireCustomer(c);
  return {
    customerId: w.customerId,
    customerNo: w.customerNo,
    name: w.name,
    phones: w.phones,
    address: w.address,
    district: w.district,
    accountStatus: w.accountStatus,
  };
}

const KIND_OF: Readonly<Record<TicketType, TicketKind>> = {
  emergency: 'emergency',
  repair: 'repair',
  complaint: 'complaint',
  suggestion: 'suggestion',
  service_request: 'service',
};
/** Protocol ticket kind → domain ticket type. */
export const TYPE_OF: Readonly<Record<TicketKind, TicketType>> = {
  emergency: 'emergency',
  repair: 'repair',
  complaint: 'complaint',
  suggestion: 'suggestion',
  service: 'service_request',
};
/** Domain ticket status → protocol status. */
export const WIRE_STATUS: Readonly<Record<TicketStatus, WireTicketStatus>> = {
  accepted: 'accepted',
  assigned: 'assigned',
  in_progress: 'in-progress',
  resolved: 'resolved',
  informed: 'informed',
  closed: 'closed',
};
/** Protocol ticket status → domain status. */
export const DOMAIN_STATUS: Readonly<Record<WireTicketStatus, TicketStatus>> = {
  accepted: 'accepted',
  assigned: 'assigned',
  'in-progress': 'in_progress',
  resolved: 'resolved',
  informed: 'informed',
  closed: 'closed',
};
const SOURCE_OF: Readonly<Record<TicketChannel, WireTicket['source']>> = {
  phone: 'ivr',
  agent: 'agent',
  voicemail: 'voicemail',
  fax: 'fax',
  mobile: 'web',
  web: 'web',
};
const PRIORITY_OF = (p: number): WireTicket['priority'] =>
  p <= 1 ? 'urgent' : p === 2 ? 'high' : p >= 5 ? 'low' : 'normal';
/** Protocol ticket priority → the domain's urgency (1 most urgent … 5). */
export const DOMAIN_PRIORITY: Readonly<Record<WireTicket['priority'], number>> = {
  urgent: 1,
  high: 2,
  normal: 3,
  low: 5,
};

/** A domain ticket → the protocol's ticket. The subject is the description's first line. */
export function wireTicket(t: Ticket, departmentName?: (id: number) => string | undefined): WireTicket {
  const subject = (t.description.split('\n')[0] ?? '').slice(0, 120) || t.subtype;
  const contactPhone = wirePhone(t.callerPhone);
  const dep = t.departmentId === null ? undefined : departmentName?.(t.departmentId);
  return {
    ticketId: String(t.id),
    trackingNo: t.trackingNo,
    kind: KIND_OF[t.type],
    status: WIRE_STATUS[t.status],
    priority: PRIORITY_OF(t.priority),
    category: t.subtype.slice(0, 32),
    subject,
    description: t.description.slice(0, 4000),
    ...(t.customerId !== null ? { customerId: String(t.customerId) } : {}),
    ...(t.contactName ? { contactName: t.contactName.slice(0, 64) } : {}),
    ...(contactPhone ? { contactPhone } : {}),
    ...(t.address ? { address: t.address.slice(0, 200) } : {}),
    ...(t.departmentId !== null ? { departmentId: String(t.departmentId) } : {}),
    ...(dep ? { departmentName: dep.slice(0, 64) } : {}),
    ...(t.result ? { result: t.result.slice(0, 2000) } : {}),
    escalationLevel: t.escalationLevel,
    ...(t.deadlineAt !== null ? { deadline: t.deadlineAt } : {}),
    source: SOURCE_OF[t.channel],
    createdAt: t.createdAt,
    createdBy: t.createdBy.slice(0, 64) || 'system',
    updatedAt: t.updatedAt,
    version: t.version,
  };
}

const ACTION_OF: Readonly<Record<TicketAction, WireHistoryEntry['action']>> = {
  accept: 'created',
  assign: 'assigned',
  start: 'status',
  resolve: 'result',
  inform: 'informed',
  close: 'closed',
  reopen: 'reopened',
  escalate: 'escalated',
  note: 'note',
  overdue: 'note',
};

/** A domain history entry → the protocol's. */
export function wireHistory(
  h: Pick<TicketHistoryEntry, 'at' | 'actor' | 'action' | 'fromStatus' | 'toStatus' | 'departmentId' | 'note'>,
): WireHistoryEntry {
  return {
    at: h.at,
    by: h.actor.slice(0, 64) || 'system',
    action: ACTION_OF[h.action],
    ...(h.fromStatus ? { fromStatus: WIRE_STATUS[h.fromStatus] } : {}),
    toStatus: WIRE_STATUS[h.toStatus],
    ...(h.departmentId !== null ? { departmentId: String(h.departmentId) } : {}),
    ...(h.note ? { note: h.note.slice(0, 2000) } : {}),
  };
}

const VM_STATUS: Readonly<Record<VoicemailStatus, WireVoicemailStatus>> = {
  new: 'new',
  in_progress: 'in-progress',
  called_back: 'called-back',
  closed: 'closed',
};

/**
 * A domain voicemail → the protocol's. The domain has no `unreachable` status: an unreachable
 * call-back is stored `in_progress` with outcome `unreachable` and shown as such.
 */
export function wireVoicemail(v: Voicemail): WireVoicemail {
  const callbackNumber = wirePhone(v.callbackNumber);
  const status: WireVoicemailStatus =
    v.status === 'in_progress' && v.outcome === 'unreachable' ? 'unreachable' : VM_STATUS[v.status];
  return {
    voicemailId: String(v.id),
    receivedAt: v.createdAt,
    callerId: wirePhone(v.caller) ?? '',
    ...(callbackNumber ? { callbackNumber } : {}),
    wantsReply: v.wantsReply,
    topic: v.topic.slice(0, 32),
    durationMs: Math.max(0, Math.round(v.durationMs)),
    status,
    played: false,
    attempts: v.handledAt === null ? 0 : 1,
    ...(v.ticketId !== null ? { ticketId: String(v.ticketId) } : {}),
    ...(v.outcome && v.outcome !== 'unreachable' ? { note: v.outcome.slice(0, 2000) } : {}),
  };
}

/** Protocol voicemail status → the domain's status and outcome. */
export function domainVoicemailStatus(s: WireVoicemailStatus): {
  readonly status: VoicemailStatus;
  readonly outcome?: string;
} {
  switch (s) {
    case 'new':
      return { status: 'new' };
    case 'in-progress':
      return { status: 'in_progress' };
    case 'unreachable':
      return { status: 'in_progress', outcome: 'unreachable' };
    case 'called-back':
      return { status: 'called_back' };
    case 'closed':
      return { status: 'closed' };
  }
}

/** A domain interaction (CDR) → the protocol's, for screen pops and customer history. */
export function wireInteraction(i: Interaction): WireInteraction {
  return {
    interactionId: i.callId.slice(0, 64),
    media: i.media,
    direction: i.direction === 'outbound' ? 'outbound' : 'inbound',
    startedAt: i.startedAt,
    ...(i.endedAt !== null ? { endedAt: i.endedAt } : {}),
    remoteNumber: wirePhone(i.direction === 'outbound' ? i.called : i.caller) ?? '',
    ...(i.customerId !== null ? { customerId: String(i.customerId) } : {}),
    outcome: (i.outcome ?? (i.endedAt === null ? 'in-progress' : 'unknown')).slice(0, 32),
    ...(i.disposition && REASON.test(i.disposition) ? { disposition: i.disposition.slice(0, 32) } : {}),
  };
}

/**
 * Turns a domain, ACD or unexpected error into a typed protocol error the desktop can act on.
 * Messages stay English (the console shows its own text per code).
 */
export function toProtocolError(error: unknown): unknown {
  if (error instanceof ProtocolError || !isHotlineError(error)) return error;
  const details = error.details;
  const safe = (keys: readonly string[]): Record<string, unknown> =>
    Object.fromEntries(keys.filter((k) => k in details).map((k) => [k, details[k]]));
  switch (error.code) {
    case 'ERR_NOT_FOUND':
    case 'ERR_UNKNOWN_AGENT':
    case 'ERR_UNKNOWN_QUEUE':
    case 'ERR_UNKNOWN_INTERACTION':
      return new ProtocolError(ProtocolErrorCode.NotFound, error.message, {
        details: safe(['entity', 'key', 'agentId', 'queueId', 'interactionId']),
      });
    case 'ERR_CONFLICT':
      return new ProtocolError(ProtocolErrorCode.Conflict, error.message, { details: safe(['currentVersion']) });
    case 'ERR_FORBIDDEN':
      return new ProtocolError(ProtocolErrorCode.Forbidden, error.message, { details: safe(['action']) });
    case 'ERR_INVALID':
    case 'ERR_INVALID_ARGUMENT':
    case 'ERR_INVALID_TRACKING_NUMBER':
    case 'ERR_DUPLICATE':
      return new ProtocolError(ProtocolErrorCode.Validation, error.message, {
        details: safe(['field', 'reason', 'problem', 'entity']),
      });
    case 'ERR_ILLEGAL_TICKET_TRANSITION':
    case 'ERR_CANNOT_ESCALATE':
    case 'ERR_ILLEGAL_STATE':
    case 'ERR_ILLEGAL_TRANSITION':
    case 'ERR_NOT_LOGGED_IN':
      return new ProtocolError(ProtocolErrorCode.IllegalState, error.message, {
        details: safe(['from', 'action', 'allowed', 'agentId', 'interactionId']),
      });
    case 'ERR_AUTH_FAILED':
      return new ProtocolError(ProtocolErrorCode.BadCredentials, 'wrong password', { details: safe(['attemptsLeft']) });
    case 'ERR_LOCKED':
      return new ProtocolError(ProtocolErrorCode.LockedOut, 'account locked after repeated failures');
    case 'ERR_STORAGE':
    case 'ERR_STORAGE_CLOSED':
    case 'ERR_DISPOSED':
      return new ProtocolError(ProtocolErrorCode.Unavailable, 'the server cannot serve this now, try again', {
        cause: error,
      });
    default:
      return error;
  }
}
