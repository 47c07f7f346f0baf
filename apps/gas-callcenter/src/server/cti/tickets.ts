/**
 * Tickets and customers at the desk: customer search, card, edit and creation, the billing
 * summary, tickets (open, update, get, list), the department inbox (record a result, escalate),
 * and `ticket.changed` pushes to whoever may see the ticket.
 *
 * @module
 */
import type { SchedulerLike } from 'rxjs';
import { ProtocolErrorCode } from '@hotline/agent-protocol';
import type { CommandHandlers, ProtocolServer, SessionView } from '@hotline/agent-protocol/server';
import { isHotlineError } from '@hotline/cti-core';
import { AppErrorCode } from '../../domain/errors.js';
import type { Store } from '../../domain/store.js';
import { OPEN_TICKET_STATUSES, TICKET_SUBTYPES, type Ticket, type TicketStatus } from '../../domain/tickets.js';
import type { TicketChange, TicketService } from '../../domain/ticket-service.js';
import { command, fail, type Io } from './commands.js';
import type { Directory } from './directory.js';
import {
  DOMAIN_PRIORITY,
  DOMAIN_STATUS,
  TYPE_OF,
  customerSummary,
  numericId,
  wireCustomer,
  wireHistory,
  wireInteraction,
} from './mapping.js';

const OPEN: readonly TicketStatus[] = OPEN_TICKET_STATUSES;

/** What {@link TicketDesk} needs. */
export interface TicketDeskDeps {
  readonly store: Pick<Store, 'customers' | 'billing' | 'tickets' | 'interactions' | 'voicemails'>;
  readonly tickets: TicketService;
  readonly directory: Directory;
  readonly server: Pick<ProtocolServer, 'push'>;
  readonly scheduler: SchedulerLike;
  readonly io: Io;
}

/** Customers, billing, tickets and the department inbox. */
export class TicketDesk {
  constructor(private readonly deps: TicketDeskDeps) {}

  /** A ticket changed: pushed to every desktop whose person may see it. */
  changed(c: TicketChange): void {
    const { directory, server } = this.deps;
    const ticket = directory.ticketOut(c.ticket);
    const change = wireHistory({
      at: c.ticket.updatedAt,
      actor: c.actor,
      action: c.action,
      fromStatus: null,
      toStatus: c.ticket.status,
      departmentId: c.ticket.departmentId,
      note: null,
    });
    server.push((s) => directory.seesTicket(s, c.ticket), 'ticket.changed', { ticket, change });
  }

  /** Open tickets a department person's inbox holds (snapshot count). */
  async inboxCount(session: SessionView): Promise<number> {
    const { io, tickets, directory } = this.deps;
    return (await io(tickets.list(directory.actorOf(session), { statuses: OPEN, limit: 500 }))).length;
  }

  private now(): number {
    return this.deps.scheduler.now();
  }

  private async loadTicket(session: SessionView, ticketId: string, version?: number): Promise<Ticket> {
    const { store, io, tickets, directory } = this.deps;
    const id = numericId(ticketId, 'ticket');
    const t = await io(store.tickets.get(id));
    if (!t) fail(ProtocolErrorCode.NotFound, `no ticket ${ticketId}`, { ticketId });
    await io(tickets.history(directory.actorOf(session), id)); // visibility
    if (version !== undefined && t.version !== version)
      fail(ProtocolErrorCode.Conflict, `ticket ${t.trackingNo} changed meanwhile`, { currentVersion: t.version });
    return t;
  }

  /** The customer, billing, ticket and department commands. */
  handlers(): CommandHandlers {
    return { ...this.customerHandlers(), ...this.ticketHandlers() };
  }

  private customerHandlers(): CommandHandlers {
    const { store, io, directory } = this.deps;
    const phones = (list: readonly string[]) =>
      list.map((phone) => ({
        phone,
        kind: /^1\d{10}$/.test(phone) ? ('mobile' as const) : ('landline' as const),
      }));
    return {
      'customer.search': command(async (p) => {
        const q = p.query;
        const found = await io(
          store.customers.search({
            ...(q.name ? { name: q.name } : {}),
            ...(q.phone ? { phone: q.phone } : {}),
            ...(q.customerNo ? { number: q.customerNo } : {}),
            ...(q.address ? { address: q.address } : {}),
            limit: p.limit,
          }),
        );
        return { customers: found.slice(0, p.limit).map(customerSummary), total: found.length };
      }),
      'customer.get': command(async (p) => {
        const id = numericId(p.customerId, 'customer');
        const c = await io(store.customers.get(id));
        if (!c) fail(ProtocolErrorCode.NotFound, `no customer ${p.customerId}`);
        const [open, history] = await io(
          Promise.all([
            store.tickets.list({ customerId: id, statuses: OPEN, limit: 50 }),
            store.interactions.listByCustomer(id, 50),
          ]),
        );
        return {
          customer: wireCustomer(c),
          openTickets: open.map(directory.ticketOut),
          recentInteractions: history.map(wireInteraction),
        };
      }),
      'customer.update': command(async (p) => {
        const id = numericId(p.customerId, 'customer');
        const c = await io(store.customers.get(id));
        if (!c) fail(ProtocolErrorCode.NotFound, `no customer ${p.customerId}`);
        if (c.updatedAt !== p.version)
          fail(ProtocolErrorCode.Conflict, 'the customer changed meanwhile', { currentVersion: c.updatedAt });
        const x = p.patch;
        const updated = await io(
          store.customers.update(id, {
            ...(x.name !== undefined ? { name: x.name } : {}),
            ...(x.phones !== undefined ? { phones: phones(x.phones) } : {}),
            ...(x.address !== undefined ? { address: x.address } : {}),
            ...(x.district !== undefined ? { district: x.district } : {}),
            ...(x.districtCode !== undefined ? { districtCode: x.districtCode } : {}),
            ...(x.householdSize !== undefined ? { householdSize: x.householdSize } : {}),
            ...(x.floor !== undefined ? { floor: x.floor } : {}),
            ...(x.notes !== undefined ? { notes: x.notes } : {}),
          }),
        );
        return wireCustomer(updated);
      }),
      'customer.create': command(async (p) => {
        const x = p.customer;
        const base = String(this.now()).slice(-9);
        for (let i = 0; ; i++) {
          try {
            const c = await io(
              store.customers.create({
                customerNo: `9${base}${i}`,
                name: x.name,
                phones: phones(x.phones),
                address: x.address,
                district: x.district ?? '',
                districtCode: x.districtCode ?? '',
                householdSize: x.householdSize ?? 1,
                floor: x.floor ?? null,
                status: 'active',
                notes: x.notes ?? '',
              }),
            );
            return wireCustomer(c);
          } catch (error) {
            if (i >= 5 || !isHotlineError(error, AppErrorCode.Duplicate)) throw error;
          }
        }
      }),
      'billing.summary': command(async (p) => {
        const id = numericId(p.customerId, 'customer');
        const accounts = await io(store.customers.accountsOf(id));
        const account = accounts.find((a) => a.status === 'active') ?? accounts[0];
        if (!account) fail(ProtocolErrorCode.NotFound, `customer ${p.customerId} has no gas account`);
        const [arrears, bills, payments] = await io(
          Promise.all([
            store.billing.arrears(account.accountNo),
            store.billing.bills(account.accountNo, { limit: 12 }),
            store.billing.payments(account.accountNo, { limit: 1 }),
          ]),
        );
        const now = this.now();
        const day = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
        const last = payments[0];
        return {
          customerId: p.customerId,
          accountNo: account.accountNo,
          arrearsFen: arrears.totalFen,
          bills: bills.slice(0, 36).map((b) => ({
            period: b.period,
            usageM3: b.usageM3,
            amountFen: b.amountFen,
            dueDate: day(b.dueAt),
            paidFen: b.paidFen,
            status: b.status !== 'paid' && b.dueAt < now ? ('overdue' as const) : b.status,
          })),
          ...(last ? { lastPayment: { at: last.paidAt, amountFen: last.amountFen, channel: last.channel } } : {}),
          asOf: now,
        };
      }),
    };
  }

  private ticketHandlers(): CommandHandlers {
    const { store, io, tickets, directory } = this.deps;
    const out = directory.ticketOut;
    return {
      'ticket.create': command(async (p, s) => {
        const type = TYPE_OF[p.kind];
        const subtypeGuess = (p.category ?? '').replace(/-/g, '_');
        const subtypes = TICKET_SUBTYPES[type];
        const subtype = subtypes.includes(subtypeGuess)
          ? subtypeGuess
          : subtypes.includes('other')
            ? 'other'
            : (subtypes[0] ?? 'other');
        const description = p.description.trim() ? `${p.subject}\n${p.description}` : p.subject;
        const customerId = p.customerId ? numericId(p.customerId, 'customer') : null;
        const t = await io(
          tickets.open(directory.actorOf(s), {
            type,
            subtype,
            description,
            channel: p.voicemailId ? 'voicemail' : 'agent',
            customerId,
            callerPhone: p.contactPhone ?? null,
            contactName: p.contactName ?? null,
            address: p.address ?? null,
            departmentCode: type === 'emergency' || type === 'repair' ? 'repair' : null,
            ...(p.priority ? { priority: DOMAIN_PRIORITY[p.priority] } : {}),
          }),
        );
        if (p.callId) void io(store.interactions.linkTicket(p.callId, t.id)).catch(() => undefined);
        if (p.voicemailId) {
          const vm = numericId(p.voicemailId, 'voicemail');
          const user = directory.user(s.user.userId);
          void io(
            store.voicemails.setStatus(vm, 'in_progress', { userId: user?.id ?? null, at: this.now(), ticketId: t.id }),
          ).catch(() => undefined);
        }
        return out(t);
      }),
      'ticket.update': command(async (p, s) => {
        const t = await this.loadTicket(s, p.ticketId, p.version);
        const actor = directory.actorOf(s);
        if (
          p.priority !== undefined ||
          p.subject !== undefined ||
          p.description !== undefined ||
          p.contactPhone !== undefined ||
          p.address !== undefined
        ) {
          fail(ProtocolErrorCode.Validation, 'only the status and notes of a ticket can be changed here', {
            field: 'fields',
          });
        }
        let updated = t;
        if (p.status !== undefined && DOMAIN_STATUS[p.status] !== t.status) {
          const to = DOMAIN_STATUS[p.status];
          const note = p.note ?? null;
          if (to === 'in_progress') updated = await io(tickets.start(actor, t.id, note));
          else if (to === 'resolved') updated = await io(tickets.resolve(actor, t.id, p.note ?? t.result ?? ''));
          else if (to === 'informed') updated = await io(tickets.inform(actor, t.id, note));
          else if (to === 'closed') updated = await io(tickets.close(actor, t.id, note));
          else if (to === 'assigned' || to === 'accepted')
            updated = await io(tickets.reopen(actor, t.id, p.note ?? 'reopened'));
        } else if (p.note) {
          updated = await io(tickets.note(actor, t.id, p.note));
        }
        return out(updated);
      }),
      'ticket.get': command(async (p, s) => {
        const actor = directory.actorOf(s);
        const t =
          'trackingNo' in p
            ? await io(tickets.getByTrackingNo(actor, p.trackingNo))
            : await this.loadTicket(s, p.ticketId);
        if (!t) fail(ProtocolErrorCode.NotFound, 'no such ticket');
        const history = await io(tickets.history(actor, t.id));
        return { ticket: out(t), history: history.slice(-500).map(wireHistory) };
      }),
      'ticket.list': command(async (p, s) => {
        const offset = p.cursor && /^\d{1,9}$/.test(p.cursor) ? Number(p.cursor) : 0;
        const list = await io(
          tickets.list(directory.actorOf(s), {
            ...(p.customerId ? { customerId: numericId(p.customerId, 'customer') } : {}),
            ...(p.status ? { statuses: p.status.map((x) => DOMAIN_STATUS[x]) } : {}),
            ...(p.kind ? { types: p.kind.map((k) => TYPE_OF[k]) } : {}),
            limit: p.limit,
            offset,
          }),
        );
        return {
          tickets: list.map(out),
          ...(list.length === p.limit ? { nextCursor: String(offset + p.limit) } : {}),
        };
      }),

      'department.inbox': command(async (p, s) => {
        const statuses: TicketStatus[] = p.includeResolved ? [...OPEN, 'resolved'] : [...OPEN];
        const list = await io(tickets.list(directory.actorOf(s), { statuses, limit: Math.min(500, p.limit * 2) }));
        const sorted = [...list]
          .sort((a, b) => (a.deadlineAt ?? Infinity) - (b.deadlineAt ?? Infinity))
          .slice(0, p.limit);
        return { tickets: sorted.map(out) };
      }),
      'department.recordResult': command(async (p, s) => {
        let t = await this.loadTicket(s, p.ticketId, p.version);
        const actor = directory.actorOf(s);
        if (!p.resolve) return out(await io(tickets.note(actor, t.id, p.result)));
        if (t.status === 'accepted')
          fail(ProtocolErrorCode.IllegalState, `ticket ${t.trackingNo} is not assigned to a department yet`);
        if (t.status === 'assigned') t = await io(tickets.start(actor, t.id));
        return out(await io(tickets.resolve(actor, t.id, p.result)));
      }),
      'department.escalate': command(async (p, s) => {
        const t = await this.loadTicket(s, p.ticketId, p.version);
        return out(await io(tickets.escalate(directory.actorOf(s), t.id, p.reason)));
      }),
    };
  }
}
