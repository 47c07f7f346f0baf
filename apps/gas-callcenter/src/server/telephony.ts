/**
 * The telephony side of the call centre: connects callers the IVR hands to the ACD with agents'
 * phones (stations on the board), and keeps the ACD told of every answer, miss and hang-up so no
 * agent is ever left stuck busy and no caller is lost when an agent's line fails.
 *
 * @module
 */
import { Subscription, filter, firstValueFrom, type SchedulerLike } from 'rxjs';
import {
  ErrorCode,
  HotlineError,
  isHotlineError,
  maskPhone,
  type Board,
  type Channel,
  type Logger,
} from '@hotline/cti-core';
import type { Acd, Assignment, PriorityClass } from '@hotline/acd';
import type { AcdAdapter, AcdRequest, AcdResult } from '@hotline/ivr';

/** One agent seat: the agent's id and the station (phone) channel on the board. */
export interface Seat {
  readonly agentId: string;
  /** Channel id of the agent's phone. */
  readonly station: string;
  /** Extension number shown and dialled. */
  readonly extension: string;
}

/** Where a request with given skills goes. */
export interface QueueRoute {
  readonly queueId: string;
  readonly priority: PriorityClass;
}

/** A call connected to an agent. */
export interface ConnectedCall {
  readonly interactionId: string;
  readonly agentId: string;
  readonly queueId: string;
  readonly trunk: Channel;
  readonly station: Channel;
  readonly callerId?: string;
  readonly data: Readonly<Record<string, string | number | boolean>>;
  readonly connectedAt: number;
}

/** Options of {@link Telephony}. */
export interface TelephonyOptions {
  readonly board: Board;
  readonly acd: Acd;
  readonly seats: readonly Seat[];
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Maps the IVR's skills and priority to a queue. */
  readonly route: (skills: readonly string[], priority: number) => QueueRoute;
  /** Told when an agent's phone starts ringing with a call (screen pop). */
  readonly onOffer?: (offer: {
    readonly agentId: string;
    readonly interactionId: string;
    readonly request: AcdRequest;
  }) => void;
  /** Told when a call is connected to an agent, and when it ends. */
  readonly onConnected?: (call: ConnectedCall) => void;
  readonly onEnded?: (call: ConnectedCall, by: 'caller' | 'agent') => void;
}

interface Pending {
  readonly request: AcdRequest;
  readonly route: QueueRoute;
  readonly ringing: Map<string, Subscription>;
  resolve(result: AcdResult): void;
  settled: boolean;
}

/**
 * Implements the IVR's `AcdAdapter` over `@hotline/acd` and the board: offers ring the agent's
 * station, an answer bridges it with the caller, a miss or a failed station goes back to the ACD
 * (which redirects the caller to the head of the queue), and a hang-up on either side releases
 * the other and ends the interaction in the ACD.
 */
export class Telephony implements AcdAdapter {
  private readonly options: TelephonyOptions;
  private readonly seatsByAgent = new Map<string, Seat>();
  private readonly pending = new Map<string, Pending>();
  private readonly connected = new Map<string, ConnectedCall>();
  /** Blind transfers in progress: interaction → the queue the caller goes to. */
  private readonly transfers = new Map<string, string>();
  /** Consultative transfers being completed: interaction → where the caller went (the agent leg drops, the caller stays). */
  private readonly handovers = new Map<string, string>();
  /** How each connected call came in (to re-queue it after a line fault or a transfer). */
  private readonly origins = new Map<string, { readonly request: AcdRequest; readonly route: QueueRoute }>();
  private readonly subscription: Subscription;
  private disposed = false;

  constructor(options: TelephonyOptions) {
    this.options = options;
    for (const seat of options.seats) this.seatsByAgent.set(seat.agentId, seat);
    this.subscription = options.acd.assignments$.subscribe((a) => this.onAssignment(a));
  }

  /** Calls connected to agents now. */
  get calls(): readonly ConnectedCall[] {
    return [...this.connected.values()];
  }

  /** The seat of an agent. */
  seatOf(agentId: string): Seat | undefined {
    return this.seatsByAgent.get(agentId);
  }

  /** The call an agent is on, if any. */
  callOf(agentId: string): ConnectedCall | undefined {
    for (const c of this.connected.values()) if (c.agentId === agentId) return c;
    return undefined;
  }

  /** The connected call of an interaction, if any. */
  connectedCall(interactionId: string): ConnectedCall | undefined {
    return this.connected.get(interactionId);
  }

  /**
   * Blind transfer into a queue (the CTI link's `call.transfer`): the agent's leg is released,
   * the ACD puts the caller into `queueId` keeping its age and priority, and the next agent's
   * phone rings as for any offer. Resolves once the agent's leg is released.
   */
  async transferToQueue(interactionId: string, queueId: string): Promise<void> {
    const call = this.connected.get(interactionId);
    if (!call)
      throw new HotlineError(ErrorCode.IllegalState, `interaction ${interactionId} is not connected to an agent`);
    this.transfers.set(interactionId, queueId);
    await call.trunk.unbridge().catch(() => undefined);
    await call.station.hangup().catch(() => undefined);
  }

  /**
   * Completing a consultative transfer, step 1: the next release of the agent's leg of
   * `interactionId` hands the caller over instead of ending the call — the trunk stays up and the
   * ACD records a transfer out of this agent's hands (`{ kind: 'external', destination }`: the
   * consult interaction, already connected to the consulted agent, carries the call on).
   */
  handOver(interactionId: string, destination: string): void {
    if (!this.connected.has(interactionId))
      throw new HotlineError(ErrorCode.IllegalState, `interaction ${interactionId} is not connected to an agent`);
    this.handovers.set(interactionId, destination);
  }

  /** Takes back a {@link handOver} not yet used (a conference went back to two parties). */
  cancelHandOver(interactionId: string): void {
    this.handovers.delete(interactionId);
  }

  /**
   * Completing a consultative transfer, step 2: the caller of `from` (its trunk, now bridged with
   * `station`) continues as `call.interactionId` with `call.agentId` — the consult interaction the
   * ACD already has connected to that agent. From here it is watched like any connected call.
   */
  adopt(from: string, call: Omit<ConnectedCall, 'connectedAt' | 'data' | 'callerId'>): ConnectedCall {
    const origin = this.origins.get(from);
    if (!origin) throw new HotlineError(ErrorCode.IllegalState, `interaction ${from} is unknown`);
    const adopted: ConnectedCall = {
      ...call,
      ...(origin.request.callerId ? { callerId: origin.request.callerId } : {}),
      data: origin.request.data,
      connectedAt: this.options.scheduler.now(),
    };
    const p: Pending = {
      request: { ...origin.request, callId: call.interactionId, channel: call.trunk },
      route: { queueId: origin.route.queueId, priority: origin.route.priority },
      ringing: new Map(),
      resolve: () => undefined,
      settled: true,
    };
    this.origins.delete(from);
    this.connected.set(call.interactionId, adopted);
    void this.watch(p, adopted);
    return adopted;
  }

  enqueue(request: AcdRequest, signal: AbortSignal): Promise<AcdResult> {
    const { acd, logger } = this.options;
    const route = this.options.route(request.skills, request.priority);
    return new Promise<AcdResult>((resolve) => {
      const p: Pending = { request, route, ringing: new Map(), resolve, settled: false };
      this.pending.set(request.callId, p);
      const settle = (result: AcdResult): void => {
        if (p.settled) return;
        p.settled = true;
        this.pending.delete(request.callId);
        for (const s of p.ringing.values()) s.unsubscribe();
        p.ringing.clear();
        resolve(result);
      };
      p.resolve = settle;
      signal.addEventListener(
        'abort',
        () => {
          if (p.settled) return;
          if (this.live(request.callId)) acd.hangup(request.callId, 'caller');
          settle({ status: 'rejected', reason: 'abandoned' });
        },
        { once: true },
      );
      try {
        const r = acd.enqueue({
          interactionId: request.callId,
          queueId: route.queueId,
          priority: route.priority,
          customer: {
            ...(request.callerId ? { phone: request.callerId } : {}),
            ...(typeof request.data['customerNo'] === 'string' ? { ref: request.data['customerNo'] } : {}),
          },
        });
        logger.info('queued', {
          call: request.callId,
          queue: route.queueId,
          priority: route.priority,
          status: r.status,
        });
        if (r.status === 'diverted') settle({ status: 'closed', reason: `${r.reason}:${r.target.kind}` });
      } catch (error) {
        logger.error('enqueue failed', { call: request.callId, error: String(error) });
        settle({ status: 'rejected', reason: isHotlineError(error) ? error.code : 'error' });
      }
    });
  }

  /** True while the ACD still tracks `interactionId` (false after shutdown). */
  private live(interactionId: string): boolean {
    return !this.disposed && this.options.acd.hasInteraction(interactionId);
  }

  /** Releases everything (server shutdown); calls still ending no longer report to the ACD. */
  dispose(): void {
    this.disposed = true;
    this.subscription.unsubscribe();
    for (const p of this.pending.values()) p.resolve({ status: 'rejected', reason: 'shutdown' });
  }

  private onAssignment(a: Assignment): void {
    const p = this.pending.get(a.interactionId);
    if (a.type === 'offer') {
      if (!p) return;
      this.ring(p, a.agentId);
    } else if (a.type === 'retract') {
      p?.ringing.get(a.agentId)?.unsubscribe();
      p?.ringing.delete(a.agentId);
    } else if (a.type === 'divert') {
      p?.resolve({ status: 'closed', reason: `${a.reason}:${a.target.kind}` });
    }
  }

  /** Rings the agent's phone; an answer connects the caller, anything else goes back to the ACD. */
  private ring(p: Pending, agentId: string): void {
    const { acd, board, logger } = this.options;
    const ix = p.request.callId;
    const seat = this.seatsByAgent.get(agentId);
    const station = seat ? board.channel(seat.station) : undefined;
    if (!seat || !station || station.state.state !== 'idle') {
      logger.warn('agent phone unavailable', { agent: agentId, state: station?.state.state });
      acd.offerFailed(ix, agentId);
      return;
    }
    this.options.onOffer?.({ agentId, interactionId: ix, request: p.request });
    const sub = station
      .dial$(seat.extension, {
        ...(p.request.callerId ? { callerId: p.request.callerId } : {}),
        noAnswerTimeoutMs: 120_000, // the ACD's own no-answer timer decides; this is a backstop
      })
      .subscribe({
        next: (e) => {
          if (e.kind !== 'done') return;
          p.ringing.delete(agentId);
          if (!e.result.connected) {
            logger.info('agent phone not answered', { agent: agentId, outcome: e.result.outcome });
            if (this.live(ix)) acd.offerFailed(ix, agentId);
            return;
          }
          void this.connect(p, agentId, station);
        },
        error: (error: unknown) => {
          p.ringing.delete(agentId);
          logger.warn('ringing agent failed', { agent: agentId, error: String(error) });
          if (this.live(ix)) acd.offerFailed(ix, agentId);
        },
      });
    p.ringing.set(agentId, sub);
  }

  private async connect(p: Pending, agentId: string, station: Channel): Promise<void> {
    const { acd, logger, scheduler } = this.options;
    const ix = p.request.callId;
    const trunk = p.request.channel;
    if (p.settled || trunk.state.state !== 'connected') {
      // The caller left (or another agent got there first) while this phone was being answered.
      await station.hangup().catch(() => undefined);
      return;
    }
    try {
      acd.answered(ix, agentId);
      await trunk.bridge(station);
    } catch (error) {
      logger.error('connecting caller and agent failed', { call: ix, agent: agentId, error: String(error) });
      await station.hangup().catch(() => undefined);
      if (this.live(ix)) acd.agentLegLost(ix, agentId);
      return;
    }
    const call: ConnectedCall = {
      interactionId: ix,
      agentId,
      queueId: p.route.queueId,
      trunk,
      station,
      ...(p.request.callerId ? { callerId: p.request.callerId } : {}),
      data: p.request.data,
      connectedAt: scheduler.now(),
    };
    this.connected.set(ix, call);
    logger.info('caller connected to agent', { call: ix, agent: agentId, caller: maskPhone(p.request.callerId) });
    this.options.onConnected?.(call);
    p.resolve({ status: 'assigned', agentId });
    await this.watch(p, call);
  }

  /** Watches a connected call until one side releases, and tells the ACD what happened. */
  private async watch(p: Pending, call: ConnectedCall): Promise<void> {
    const { acd, logger } = this.options;
    const { interactionId: ix, agentId, trunk, station } = call;
    this.origins.set(ix, { request: p.request, route: p.route });
    // Whoever hangs up first, the other leg is released and the ACD is told. If the agent's
    // line fails instead, the caller is not lost: the ACD puts them back at the head of the
    // queue with their original age, and the next agent's phone rings.
    const ended = (ch: Channel): Promise<'released' | 'fault'> =>
      firstValueFrom(ch.events$.pipe(filter((e) => e.type === 'released' || e.type === 'fault')), {
        defaultValue: undefined,
      }).then((e) => (e?.type === 'fault' ? 'fault' : 'released'));
    const first = await Promise.race([
      ended(trunk).then((how) => ({ by: 'caller' as const, how })),
      ended(station).then((how) => ({ by: 'agent' as const, how })),
    ]);
    this.connected.delete(ix);
    const transferTo = this.transfers.get(ix);
    this.transfers.delete(ix);
    const handedTo = this.handovers.get(ix);
    this.handovers.delete(ix);
    if (first.by === 'agent' && handedTo !== undefined && this.live(ix)) {
      logger.info('call handed over after a consultation', { call: ix, agent: agentId, to: handedTo });
      this.options.onEnded?.(call, 'agent');
      acd.transfer(ix, { kind: 'external', destination: handedTo });
      return; // the origin stays for adopt()
    }
    this.origins.delete(ix);
    // The caller stays on the line and waits for the next agent (line fault, blind transfer).
    const waitAgain = (): void => {
      const again: Pending = {
        request: p.request,
        route: p.route,
        ringing: new Map(),
        resolve: () => undefined,
        settled: false,
      };
      again.resolve = () => {
        again.settled = true;
        this.pending.delete(ix);
        for (const s of again.ringing.values()) s.unsubscribe();
      };
      this.pending.set(ix, again);
      void ended(trunk).then(() => {
        if (again.settled) return;
        again.resolve({ status: 'rejected', reason: 'abandoned' });
        if (this.live(ix)) acd.hangup(ix, 'caller');
      });
    };
    if (first.by === 'agent' && transferTo !== undefined && trunk.state.state === 'connected' && this.live(ix)) {
      logger.info('call transferred to a queue', { call: ix, agent: agentId, queue: transferTo });
      await trunk.unbridge().catch(() => undefined);
      waitAgain();
      this.options.onEnded?.(call, 'agent');
      acd.transfer(ix, { kind: 'queue', queueId: transferTo });
      return;
    }
    if (first.by === 'agent' && first.how === 'fault' && trunk.state.state === 'connected' && this.live(ix)) {
      logger.warn('agent line failed mid-call; caller goes back to the head of the queue', {
        call: ix,
        agent: agentId,
      });
      await trunk.unbridge().catch(() => undefined);
      waitAgain();
      this.options.onEnded?.(call, 'agent');
      acd.agentLegLost(ix, agentId);
      return;
    }
    await Promise.all([trunk.hangup().catch(() => undefined), station.hangup().catch(() => undefined)]);
    if (this.live(ix)) acd.hangup(ix, first.by);
    logger.info('call ended', { call: ix, agent: agentId, by: first.by });
    this.options.onEnded?.(call, first.by);
  }
}
