/**
 * The ticket rules: creation with a tracking number, workflow moves with permission and visibility
 * checks, deadlines and escalation, and a stream of changes for desktops and timers.
 *
 * Every method resolves only after its change is committed, so a tracking number handed to a
 * caller always refers to a stored ticket.
 * @module
 */
import { Subject, type Observable } from 'rxjs';
import type { Clock } from './clock.js';
import { localDate } from './clock.js';
import type { DepartmentRepository } from './departments.js';
import { AppError, AppErrorCode, invalid, notFound } from './errors.js';
import {
  nextTicketStatus,
  OPEN_TICKET_STATUSES,
  TICKET_PRIORITY,
  TICKET_SUBTYPES,
  type Ticket,
  type TicketAction,
  type TicketChannel,
  type TicketFilter,
  type NewHistoryEntry,
  type TicketHistoryEntry,
  type TicketPatch,
  type TicketRepository,
  type TicketType,
} from './tickets.js';
import { normalizeTrackingNumber, validateTrackingNumber } from './tracking-number.js';
import type { AuditLog, Role, User } from './users.js';

/** Who performs a ticket operation. */
export type Actor =
  | { readonly kind: 'user'; readonly user: Pick<User, 'id' | 'username' | 'role' | 'departmentId'> }
  /** The IVR (`name` e.g. `ivr`) or a timer (`system`): trusted, not visibility-limited. */
  | { readonly kind: 'system'; readonly name: string };

/** Deadline per ticket type, in milliseconds from acceptance (or escalation, or reopening). */
export type TicketDeadlines = Readonly<Record<TicketType, number>>;

/** Defaults: an emergency must be resolved within 30 minutes, a repair a day, and so on. */
export const DEFAULT_DEADLINES: TicketDeadlines = {
  emergency: 30 * 60_000,
  repair: 24 * 3_600_000,
  service_request: 3 * 24 * 3_600_000,
  complaint: 3 * 24 * 3_600_000,
  suggestion: 7 * 24 * 3_600_000,
};

/** A committed change, as published on {@link TicketService.changes$}. */
export interface TicketChange {
  readonly ticket: Ticket;
  readonly action: TicketAction;
  readonly actor: string;
}

/** What is needed to open a ticket. */
export interface OpenTicketInput {
  readonly type: TicketType;
  readonly subtype: string;
  readonly description: string;
  readonly channel: TicketChannel;
  readonly customerId?: number | null;
  readonly callerPhone?: string | null;
  readonly contactName?: string | null;
  readonly address?: string | null;
  /** When given, the ticket is assigned to this department right away. */
  readonly departmentCode?: string | null;
  /** Urgency, 1 (most urgent) … 5; default the type's ({@link TICKET_PRIORITY}). */
  readonly priority?: number;
}

/** Dependencies and settings of {@link TicketService}. */
export interface TicketServiceOptions {
  readonly tickets: TicketRepository;
  readonly departments: DepartmentRepository;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly deadlines?: Partial<TicketDeadlines>;
  /** The centre's time zone (tracking-number dates), default Asia/Shanghai. */
  readonly timeZone?: string;
}

/** Which roles may perform which actions (system actors may do everything). */
const PERMISSIONS: Readonly<Record<Role, readonly TicketAction[]>> = {
  agent: ['accept', 'assign', 'resolve', 'inform', 'close', 'reopen', 'escalate', 'note'],
  supervisor: ['accept', 'assign', 'start', 'resolve', 'inform', 'close', 'reopen', 'escalate', 'note'],
  department_staff: ['start', 'resolve', 'escalate', 'note', 'assign'],
  administrator: ['accept', 'assign', 'start', 'resolve', 'inform', 'close', 'reopen', 'escalate', 'note'],
};

/** Ticket operations with the workflow, permission and visibility rules. */
export class TicketService {
  private readonly changes = new Subject<TicketChange>();
  private readonly deadlines: TicketDeadlines;
  private readonly timeZone: string;

  /** Every committed change, after it is durable. */
  readonly changes$: Observable<TicketChange> = this.changes.asObservable();

  constructor(private readonly o: TicketServiceOptions) {
    this.deadlines = { ...DEFAULT_DEADLINES, ...o.deadlines };
    this.timeZone = o.timeZone ?? 'Asia/Shanghai';
  }

  /** Opens a ticket; resolves once it and its tracking number are committed. */
  async open(actor: Actor, input: OpenTicketInput): Promise<Ticket> {
    this.requirePermission(actor, 'accept');
    if (!TICKET_SUBTYPES[input.type]?.includes(input.subtype)) throw invalid('subtype', 'unknown');
    if (input.description.trim() === '') throw invalid('description', 'required');
    const now = this.o.clock.now();
    const who = actorName(actor);
    let departmentId: number | null = null;
    if (input.departmentCode) {
      const dep = await this.o.departments.getByCode(input.departmentCode);
      if (!dep) throw notFound('department', input.departmentCode);
      departmentId = dep.id;
    }
    const history: NewHistoryEntry[] = [
      { at: now, actor: who, action: 'accept', fromStatus: null, toStatus: 'accepted', departmentId: null, note: null },
    ];
    if (departmentId !== null)
      history.push({
        at: now,
        actor: who,
        action: 'assign',
        fromStatus: 'accepted',
        toStatus: 'assigned',
        departmentId,
        note: null,
      });
    const ticket = await this.o.tickets.create(
      {
        type: input.type,
        subtype: input.subtype,
        status: departmentId === null ? 'accepted' : 'assigned',
        priority: input.priority ?? TICKET_PRIORITY[input.type],
        customerId: input.customerId ?? null,
        callerPhone: input.callerPhone ?? null,
        contactName: input.contactName ?? null,
        address: input.address ?? null,
        description: input.description,
        channel: input.channel,
        departmentId,
        assigneeUserId: null,
        result: null,
        escalationLevel: 0,
        reopenCount: 0,
        deadlineAt: now + this.deadlines[input.type],
        createdBy: who,
        createdAt: now,
        updatedAt: now,
      },
      history,
      localDate(now, this.timeZone),
    );
    this.changes.next({ ticket, action: 'accept', actor: who });
    return ticket;
  }

  /** A ticket by tracking number, if the actor may see it; `ERR_INVALID_TRACKING_NUMBER` when malformed. */
  async getByTrackingNo(actor: Actor, trackingNo: string): Promise<Ticket | undefined> {
    const check = validateTrackingNumber(trackingNo);
    if (!check.valid)
      throw new AppError(AppErrorCode.InvalidTrackingNumber, `invalid tracking number (${check.problem})`, {
        details: { problem: check.problem },
      });
    const ticket = await this.o.tickets.getByTrackingNo(normalizeTrackingNumber(trackingNo));
    if (ticket && !(await this.canSee(actor, ticket))) throw forbidden(actor, 'view');
    return ticket;
  }

  /** A ticket's history, oldest first (visibility checked). */
  async history(actor: Actor, ticketId: number): Promise<TicketHistoryEntry[]> {
    const ticket = await this.load(ticketId);
    if (!(await this.canSee(actor, ticket))) throw forbidden(actor, 'view');
    return this.o.tickets.history(ticketId);
  }

  /** Tickets the actor may see matching `filter` (department staff: own department and below). */
  async list(actor: Actor, filter: TicketFilter = {}): Promise<Ticket[]> {
    const visible = await this.visibleDepartments(actor);
    if (visible === 'all') return this.o.tickets.list(filter);
    const departmentIds = filter.departmentIds ? filter.departmentIds.filter((id) => visible.includes(id)) : visible;
    if (departmentIds.length === 0) return [];
    return this.o.tickets.list({ ...filter, departmentIds });
  }

  /** Assigns (or reassigns) to a department, optionally to one of its users. */
  assign(
    actor: Actor,
    ticketId: number,
    departmentCode: string,
    assigneeUserId: number | null = null,
    note: string | null = null,
  ): Promise<Ticket> {
    return this.step(actor, ticketId, 'assign', note, async (t) => {
      const dep = await this.o.departments.getByCode(departmentCode);
      if (!dep) throw notFound('department', departmentCode);
      return { departmentId: dep.id, assigneeUserId, deadlineAt: t.deadlineAt };
    });
  }

  /** The department starts work. */
  start(actor: Actor, ticketId: number, note: string | null = null): Promise<Ticket> {
    return this.step(actor, ticketId, 'start', note, async (t) => ({
      assigneeUserId: actor.kind === 'user' ? actor.user.id : t.assigneeUserId,
    }));
  }

  /** Records the result (what the customer will hear) and stops the deadline. */
  resolve(actor: Actor, ticketId: number, result: string): Promise<Ticket> {
    if (result.trim() === '') return Promise.reject(invalid('result', 'required'));
    return this.step(actor, ticketId, 'resolve', result, async () => ({ result, deadlineAt: null }));
  }

  /** The customer was told the result (call-back, outbound voice or fax). */
  inform(actor: Actor, ticketId: number, note: string | null = null): Promise<Ticket> {
    return this.step(actor, ticketId, 'inform', note, async () => ({}));
  }

  /** Closes an informed ticket. */
  close(actor: Actor, ticketId: number, note: string | null = null): Promise<Ticket> {
    return this.step(actor, ticketId, 'close', note, async () => ({}));
  }

  /** Reopens a resolved, informed or closed ticket: back to its department with a fresh deadline. */
  reopen(actor: Actor, ticketId: number, reason: string): Promise<Ticket> {
    if (reason.trim() === '') return Promise.reject(invalid('reason', 'required'));
    return this.step(actor, ticketId, 'reopen', reason, async (t) => ({
      result: null,
      reopenCount: t.reopenCount + 1,
      deadlineAt: this.o.clock.now() + this.deadlines[t.type],
    }));
  }

  /**
   * Escalates to the parent of the ticket's department with a fresh deadline; `ERR_CANNOT_ESCALATE`
   * when the ticket has no department or its department has no parent.
   */
  escalate(actor: Actor, ticketId: number, reason: string): Promise<Ticket> {
    return this.step(actor, ticketId, 'escalate', reason, async (t) => {
      const parentId = await this.parentOf(t);
      if (parentId === null)
        throw new AppError(
          AppErrorCode.CannotEscalate,
          `ticket ${t.trackingNo} has no superior department to escalate to`,
          { details: { trackingNo: t.trackingNo } },
        );
      return {
        departmentId: parentId,
        assigneeUserId: null,
        escalationLevel: t.escalationLevel + 1,
        deadlineAt: this.o.clock.now() + this.deadlines[t.type],
      };
    });
  }

  /** Adds a note to the history without changing the state. */
  note(actor: Actor, ticketId: number, note: string): Promise<Ticket> {
    if (note.trim() === '') return Promise.reject(invalid('note', 'required'));
    return this.step(actor, ticketId, 'note', note, async () => ({}));
  }

  /**
   * Escalates every open ticket whose deadline has passed (the escalation timer calls this). A
   * ticket already at the top of the hierarchy gets an `overdue` history entry and its deadline is
   * cleared, so it is reported once rather than on every tick. Returns the tickets changed.
   */
  async escalateOverdue(limit = 100): Promise<Ticket[]> {
    const now = this.o.clock.now();
    const system: Actor = { kind: 'system', name: 'system' };
    const changed: Ticket[] = [];
    for (const t of await this.o.tickets.overdue(now, limit)) {
      try {
        const parentId = await this.parentOf(t);
        if (parentId !== null) changed.push(await this.escalate(system, t.id, 'deadline passed'));
        else
          changed.push(
            await this.step(system, t.id, 'overdue', 'deadline passed at the top of the hierarchy', async () => ({
              deadlineAt: null,
            })),
          );
      } catch (err) {
        // Someone changed the ticket meanwhile; the next tick sees its new state.
        if (!(err instanceof AppError && err.code === AppErrorCode.Conflict)) throw err;
      }
    }
    return changed;
  }

  /** The earliest running deadline (for the escalation timer). */
  nextDeadline(): Promise<number | undefined> {
    return this.o.tickets.nextDeadline();
  }

  /** Completes the change stream (at shutdown). */
  dispose(): void {
    this.changes.complete();
  }

  private async step(
    actor: Actor,
    ticketId: number,
    action: TicketAction,
    note: string | null,
    patchFor: (t: Ticket) => Promise<TicketPatch>,
  ): Promise<Ticket> {
    this.requirePermission(actor, action);
    const t = await this.load(ticketId);
    if (!(await this.canSee(actor, t))) throw forbidden(actor, action);
    const to = nextTicketStatus(t.status, action);
    const patch = { ...(await patchFor(t)), status: to };
    const now = this.o.clock.now();
    const who = actorName(actor);
    const updated = await this.o.tickets.update(
      t.id,
      t.version,
      patch,
      {
        at: now,
        actor: who,
        action,
        fromStatus: t.status,
        toStatus: to,
        departmentId: patch.departmentId ?? t.departmentId,
        note,
      },
      now,
    );
    if (action === 'escalate' && actor.kind === 'user') {
      await this.o.audit.append({
        at: now,
        actor: who,
        action: 'ticket.escalate',
        target: t.trackingNo,
        outcome: 'ok',
      });
    }
    this.changes.next({ ticket: updated, action, actor: who });
    return updated;
  }

  private async load(ticketId: number): Promise<Ticket> {
    const t = await this.o.tickets.get(ticketId);
    if (!t) throw notFound('ticket', ticketId);
    return t;
  }

  private async parentOf(t: Ticket): Promise<number | null> {
    if (t.departmentId === null) return null;
    return (await this.o.departments.get(t.departmentId))?.parentId ?? null;
  }

  private requirePermission(actor: Actor, action: TicketAction): void {
    if (actor.kind === 'system') return;
    if (!PERMISSIONS[actor.user.role].includes(action)) throw forbidden(actor, action);
  }

  private async visibleDepartments(actor: Actor): Promise<'all' | number[]> {
    if (actor.kind === 'system' || actor.user.role !== 'department_staff') return 'all';
    if (actor.user.departmentId === null) return [];
    return this.o.departments.subtreeIds(actor.user.departmentId);
  }

  private async canSee(actor: Actor, t: Ticket): Promise<boolean> {
    const visible = await this.visibleDepartments(actor);
    return visible === 'all' || (t.departmentId !== null && visible.includes(t.departmentId));
  }
}

function actorName(actor: Actor): string {
  return actor.kind === 'user' ? actor.user.username : actor.name;
}

function forbidden(actor: Actor, action: string): AppError {
  return new AppError(AppErrorCode.Forbidden, `${actorName(actor)} may not ${action} this ticket`, {
    details: { action },
  });
}

/** True for tickets still being worked on. */
export function isOpenTicket(t: Pick<Ticket, 'status'>): boolean {
  return OPEN_TICKET_STATUSES.includes(t.status);
}
