/**
 * The screen pop: when a call rings at an agent's phone, the desktop gets who is calling (the
 * customer found by account number or caller id, or the candidates), the IVR path the caller
 * took, open tickets, recent interactions, the queue, the wait and who transferred the call.
 * Also starts the call's record (CDR row) at the offer.
 *
 * @module
 */
import type { IvrStep, ScreenPop, Ticket as WireTicket } from '@hotline/agent-protocol';
import type { ProtocolServer } from '@hotline/agent-protocol/server';
import type { Logger } from '@hotline/cti-core';
import type { AcdEvent } from '@hotline/acd';
import type { IvrEvent } from '@hotline/ivr';
import type { Store } from '../../domain/store.js';
import { OPEN_TICKET_STATUSES } from '../../domain/tickets.js';
import type { Telephony } from '../telephony.js';
import { ivrNodeLabel } from './catalog.js';
import { background, type Io } from './commands.js';
import type { CallRecord, Desks, OfferData } from './desks.js';
import type { Directory } from './directory.js';
import { customerSummary, wireCustomer, wireInteraction } from './mapping.js';

const RING_TIMEOUT_MS = 20_000;

/** Who handed a call over, shown in the pop of the agent it goes to. */
export interface TransferNote {
  readonly agentId: string;
  readonly name?: string;
  readonly note?: string;
}

/** What {@link ScreenPops} needs. */
export interface ScreenPopsDeps {
  readonly store: Pick<Store, 'customers' | 'tickets' | 'interactions'>;
  readonly telephony: Pick<Telephony, 'connectedCall'>;
  readonly server: Pick<ProtocolServer, 'push'>;
  readonly directory: Directory;
  readonly desks: Desks;
  readonly io: Io;
  readonly logger: Logger;
}

/** Builds and pushes screen pops; remembers what a pop needs from the IVR and the ACD. */
export class ScreenPops {
  private readonly ivrPaths = new Map<string, IvrStep[]>();
  private readonly enqueued = new Map<string, { readonly at: number; readonly priority: string }>();
  private readonly transferNotes = new Map<string, TransferNote>();

  constructor(private readonly deps: ScreenPopsDeps) {}

  /** The ACD queued or let go of an interaction. */
  onAcdEvent(e: AcdEvent): void {
    switch (e.type) {
      case 'enqueued':
        this.enqueued.set(e.interactionId, { at: e.enqueuedAt, priority: e.priority });
        break;
      case 'ended':
      case 'abandoned':
      case 'diverted':
        this.enqueued.delete(e.interactionId);
        this.ivrPaths.delete(e.interactionId);
        break;
      default:
        break;
    }
  }

  /** The IVR left a node: one step of the caller's path. */
  onIvrEvent(e: IvrEvent): void {
    if (e.type !== 'node-left' || e.node === 'play' || e.node.startsWith('flow:')) return;
    const input = e.input && !/\*/.test(e.input) ? e.input.slice(0, 32) : undefined;
    const path = this.ivrPaths.get(e.callId) ?? [];
    if (path.length >= 32) return;
    const label = ivrNodeLabel(e.node);
    path.push({ node: e.node.slice(0, 64), ...(label ? { label } : {}), ...(input ? { input } : {}), at: e.at });
    this.ivrPaths.set(e.callId, path);
  }

  /** The queue priority a call waited with. */
  priorityOf(callId: string): string | undefined {
    return this.enqueued.get(callId)?.priority;
  }

  noteTransfer(callId: string, note: TransferNote): void {
    this.transferNotes.set(callId, note);
  }

  forgetTransfer(callId: string): void {
    this.transferNotes.delete(callId);
  }

  /** Pushes `call.offered` to the agent, if online, once the pop is built. */
  offer(rec: CallRecord): void {
    if (!this.deps.directory.isOnline(rec.agentId)) return;
    void this.build(rec, rec.offer)
      .then((pop) => {
        rec.pop = pop;
        if (rec.state === 'offered') this.deps.server.push({ userId: rec.agentId }, 'call.offered', pop);
      })
      .catch((e: unknown) => this.deps.logger.error('cti: screen pop failed', { call: rec.callId, error: String(e) }));
  }

  /** Starts the call's record (CDR row) at the first offer. */
  async recordOffer(rec: CallRecord): Promise<void> {
    const { store, io, telephony } = this.deps;
    const existing = await io(store.interactions.get(rec.callId));
    if (existing) return;
    const data = rec.offer?.data ?? {};
    const channel = telephony.connectedCall(rec.callId)?.trunk.id ?? null;
    const reason = typeof data['reason'] === 'string' ? data['reason'] : rec.queueId;
    await io(
      store.interactions.start({
        callId: rec.callId,
        direction: 'inbound',
        media: 'voice',
        channel,
        caller: rec.remoteNumber || null,
        called: null,
        startedAt: this.enqueued.get(rec.callId)?.at ?? rec.since,
        ...(reason ? { service: reason } : {}),
      }),
    );
  }

  /**
   * Screen pops of the desk's calls for a snapshot: ringing, and also answered, held or in wrap-up,
   * so a desktop that (re)connects mid-call — or a person taking over a seat from a simulated
   * agent — still sees who is on the line. A pop missed while the desktop was away is built now.
   */
  async popsOf(calls: readonly CallRecord[]): Promise<ScreenPop[]> {
    const pops: ScreenPop[] = [];
    for (const r of calls) {
      if (!r.pop && r.offer) {
        r.pop = await this.build(r, r.offer).catch((e: unknown) => {
          this.deps.logger.error('cti: screen pop failed', { call: r.callId, error: String(e) });
          return undefined;
        });
      }
      if (r.pop) pops.push({ ...r.pop, call: this.deps.desks.info(r) });
    }
    return pops;
  }

  private async findCustomer(offer: OfferData | undefined) {
    const { customers } = this.deps.store;
    const data = offer?.data ?? {};
    const no = typeof data['customerNo'] === 'string' ? data['customerNo'] : undefined;
    if (no) {
      const account = await customers.getAccount(no);
      const c = account ? await customers.get(account.customerId) : await customers.getByNumber(no);
      if (c) return { customer: c, candidates: [] };
    }
    if (offer?.callerId) {
      const found = await customers.findByPhone(offer.callerId);
      if (found.length === 1) return { customer: found[0], candidates: [] };
      return { customer: undefined, candidates: found.slice(0, 20) };
    }
    return { customer: undefined, candidates: [] };
  }

  private async build(rec: CallRecord, offer: OfferData | undefined): Promise<ScreenPop> {
    const { store, io, directory, desks } = this.deps;
    const data = offer?.data ?? {};
    const { customer, candidates } = await io(this.findCustomer(offer));
    let openTickets: WireTicket[] = [];
    let recent: ScreenPop['recentInteractions'] = [];
    if (customer) {
      rec.customerId = String(customer.id);
      const [tickets, history] = await io(
        Promise.all([
          store.tickets.list({ customerId: customer.id, statuses: [...OPEN_TICKET_STATUSES, 'resolved'], limit: 50 }),
          store.interactions.listByCustomer(customer.id, 21),
        ]),
      );
      openTickets = tickets.map(directory.ticketOut);
      recent = history
        .filter((i) => i.callId !== rec.callId)
        .slice(0, 20)
        .map(wireInteraction);
      background(io, store.interactions.update(rec.callId, { customerId: customer.id }));
    }
    const path: IvrStep[] = [...(this.ivrPaths.get(rec.callId) ?? [])];
    const tracking = data['trackingNumber'];
    if (typeof tracking === 'string' && !openTickets.some((t) => t.trackingNo === tracking)) {
      const t = await io(store.tickets.getByTrackingNo(tracking));
      if (t) openTickets.unshift(directory.ticketOut(t));
    }
    const queued = this.enqueued.get(rec.callId);
    const transferred = this.transferNotes.get(rec.callId);
    const priority: ScreenPop['priority'] =
      queued?.priority === 'emergency' || data['reason'] === 'gas-leak'
        ? 'emergency'
        : queued?.priority === 'vip'
          ? 'vip'
          : 'normal';
    return {
      call: desks.info(rec),
      callerId: rec.remoteNumber,
      customer: customer ? wireCustomer(customer) : null,
      ...(candidates.length > 1 ? { candidates: candidates.map(customerSummary) } : {}),
      ivrPath: path,
      openTickets: openTickets.slice(0, 50),
      recentInteractions: recent,
      ...(rec.queueId
        ? { queueId: rec.queueId, queueName: (directory.queueNames.get(rec.queueId) ?? rec.queueId).slice(0, 64) }
        : {}),
      priority,
      waitedMs: queued ? Math.max(0, desks.now() - queued.at) : 0,
      ...(transferred ? { transferredBy: transferred } : {}),
      ringTimeoutMs: RING_TIMEOUT_MS,
    };
  }
}
