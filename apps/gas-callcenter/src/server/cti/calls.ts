/**
 * The call commands of an agent's desk — answer, hang up, hold, retrieve, blind transfer,
 * consultation and conference (through {@link Consultations}), dial out and wrap up — and the
 * call centre's hooks that move a desk's calls: offered, connected, ended.
 *
 * Handsets: a console agent in the demo has no physical phone. `call.answer` lifts the seat's
 * handset on the agent's behalf, and `call.hangup` releases the station leg from the board side.
 * With a real board and no handsets, the agent lifts the real handset and `call.answer` answers
 * `ERR_ILLEGAL_STATE`.
 *
 * @module
 */
import { filter, firstValueFrom, type SchedulerLike } from 'rxjs';
import { ProtocolErrorCode, type CallEndCause, type CallInfo, type CallState } from '@hotline/agent-protocol';
import type { CommandHandlers, SessionView } from '@hotline/agent-protocol/server';
import { isHotlineError, maskPhone, type Board, type Channel, type Logger } from '@hotline/cti-core';
import type { Acd, Assignment } from '@hotline/acd';
import { AppErrorCode } from '../../domain/errors.js';
import type { Store } from '../../domain/store.js';
import { consultQueueId } from '../call-center.js';
import type { ConnectedCall, Seat, Telephony } from '../telephony.js';
import { untilRinging, type Handset, type HandsetOf } from '../telephony/handset.js';
import { holdCaller, stopHoldMusic } from '../telephony/hold.js';
import { DISPOSITIONS } from './catalog.js';
import { background, command, fail, tryAcd, type Io } from './commands.js';
import type { Consultations, ConsultTarget } from './consultation.js';
import type { CallRecord, Desks } from './desks.js';
import type { Directory } from './directory.js';
import { agentStatus, numericId, wirePhone } from './mapping.js';
import type { ScreenPops } from './screen-pop.js';

/** A transfer's target as the desktop names it. */
type TransferTarget = ConsultTarget | { readonly kind: 'number'; readonly number: string };

/** What {@link CallDesk} needs. */
export interface CallDeskDeps {
  readonly acd: Acd;
  readonly board: Board;
  readonly telephony: Telephony;
  readonly store: Pick<Store, 'interactions'>;
  readonly desks: Desks;
  readonly directory: Directory;
  readonly pops: ScreenPops;
  readonly consultations: Consultations;
  readonly handsets: HandsetOf;
  readonly holdMusic: string | undefined;
  /** Demo: make a number an agent dials answer (the simulated network knows no subscribers otherwise). */
  readonly farEnd: ((number: string) => void) | undefined;
  /** Ends supervisors' monitors of a call (hold and transfers take the caller off the agent). */
  readonly endMonitorsOf: (callId: string) => Promise<void>;
  readonly scheduler: SchedulerLike;
  readonly io: Io;
  readonly logger: Logger;
}

/** Agents' calls: the `call.*` commands and the call centre's offer, connect and end hooks. */
export class CallDesk {
  /** Agents put not-ready for an outbound call, made ready again after it. */
  private readonly outboundReady = new Set<string>();
  private outboundSeq = 0;

  constructor(private readonly deps: CallDeskDeps) {}

  /** The `call.*` commands. */
  handlers(): CommandHandlers {
    const { directory, desks, consultations } = this.deps;
    const own = (s: SessionView, callId: string): { seat: Seat; rec: CallRecord } => {
      const seat = directory.seatFor(s);
      return { seat, rec: desks.own(seat.agentId, callId) };
    };
    return {
      'call.answer': command((p, s) => {
        const { seat, rec } = own(s, p.callId);
        return this.answer(seat, rec);
      }),
      'call.hangup': command((p, s) => this.hangup(s, p.callId)),
      'call.hold': command((p, s) => this.hold(own(s, p.callId).rec)),
      'call.retrieve': command((p, s) => this.retrieve(own(s, p.callId).rec)),
      'call.transfer': command((p, s) => this.transfer(s, p)),
      'call.completeConsult': command((p, s) => {
        const { seat, rec } = own(s, p.callId);
        return consultations.complete(s, seat, rec);
      }),
      'call.cancelConsult': command((p, s) => consultations.cancel(own(s, p.callId).rec)),
      'call.conference': command((p, s) => {
        const { seat, rec } = own(s, p.callId);
        return consultations.conference(seat, rec);
      }),
      'call.dial': command((p, s) => this.dial(s, p.number, p.customerId)),
      'call.wrapUp': command((p, s) => this.wrapUp(s, p)),
    };
  }

  /** Stops hold music everywhere (server shutdown). */
  close(): void {
    for (const rec of this.deps.desks.all()) rec.hold?.abort.abort();
  }

  // -------------------------------------------------------------------------------------------
  // Hooks from the call centre

  /** A call is ringing at an agent's phone: the screen pop moment. */
  offered(offer: {
    readonly agentId: string;
    readonly interactionId: string;
    readonly callerId?: string;
    readonly data: Readonly<Record<string, string | number | boolean>>;
  }): void {
    const { acd, desks, pops, logger } = this.deps;
    let queueId: string | undefined;
    try {
      queueId = acd.interactionStatus(offer.interactionId).queueId;
    } catch {
      queueId = undefined;
    }
    const rec = desks.record({
      callId: offer.interactionId,
      agentId: offer.agentId,
      direction: 'inbound',
      state: 'offered',
      remoteNumber: wirePhone(offer.callerId) ?? '',
      queueId,
      customerId: undefined,
      offer: { callerId: offer.callerId, data: offer.data },
    });
    desks.put(rec);
    void pops
      .recordOffer(rec)
      .catch((e: unknown) => logger.warn('cti: recording the call failed', { call: rec.callId, error: String(e) }));
    pops.offer(rec);
  }

  /** The ACD took an offer back (answered elsewhere, abandoned, not answered). */
  retracted(a: Assignment & { readonly type: 'retract' }): void {
    const { desks } = this.deps;
    const rec = desks.get(a.agentId, a.interactionId);
    if (!rec || rec.state !== 'offered') return;
    const cause: CallEndCause =
      a.cause === 'answered-elsewhere' ? 'answered-elsewhere' : a.cause === 'abandoned' ? 'abandoned' : 'no-answer';
    desks.setState(rec, 'ended', cause);
    desks.remove(rec.agentId, rec.callId);
  }

  /** A caller and an agent are talking. */
  connected(call: ConnectedCall): void {
    const { desks, directory, store, io } = this.deps;
    const rec = desks.get(call.agentId, call.interactionId);
    if (rec) desks.setState(rec, 'connected');
    const user = directory.user(call.agentId);
    background(
      io,
      store.interactions.update(call.interactionId, {
        answeredAt: call.connectedAt,
        outcome: 'agent',
        ...(user ? { agentUserId: user.id } : {}),
      }),
    );
  }

  /** A call with an agent ended (or left the agent: transfer, line fault). */
  ended(call: ConnectedCall, by: 'caller' | 'agent'): void {
    const { desks, consultations, logger } = this.deps;
    void this.deps.endMonitorsOf(call.interactionId).catch(() => undefined);
    const rec = desks.get(call.agentId, call.interactionId);
    if (rec?.consult?.state === 'conference' && by === 'agent' && call.trunk.state.state === 'connected') {
      // The first agent left a conference: the caller stays with the consulted agent (the
      // telephony handed the call over; the ACD sees a transfer out of this agent's hands).
      const c = rec.consult;
      rec.consult = undefined;
      desks.setState(rec, 'ended', 'agent-hangup');
      void consultations
        .leftConference(c, call)
        .catch((e: unknown) =>
          logger.warn('cti: handing a conference over failed', { call: c.callId, error: String(e) }),
        );
      return;
    }
    // The caller left during the consultation: the consult leg goes too.
    if (rec?.consult && rec.consult.state !== 'completed') void consultations.drop(rec.consult, 'caller-hangup');
    if (rec) {
      rec.hold?.abort.abort();
      desks.setState(
        rec,
        'ended',
        rec.transferring ? 'transferred' : by === 'caller' ? 'caller-hangup' : 'agent-hangup',
      );
    }
    if (!rec?.transferring)
      background(
        this.deps.io,
        this.deps.store.interactions.update(consultations.cdrId(call.interactionId), { endedAt: desks.now() }),
      );
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  private handsetOf(seat: Seat): Handset {
    const phone = this.deps.handsets(seat.station);
    if (!phone)
      fail(ProtocolErrorCode.IllegalState, 'lift the handset of your phone to answer', { reason: 'no-remote-handset' });
    return phone;
  }

  private async answer(seat: Seat, rec: CallRecord): Promise<CallInfo> {
    const { desks } = this.deps;
    const callId = rec.callId;
    if (rec.state !== 'offered')
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is ${rec.state}, not offered`, { state: rec.state });
    const phone = this.handsetOf(seat);
    // The ring may start a moment after the offer: wait for it (at most 5 s).
    const ringing = await untilRinging(phone, this.deps.scheduler, () => rec.state !== 'offered');
    if (rec.state !== 'offered' || !ringing)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is no longer ringing`, { state: rec.state });
    phone.lift();
    await desks.waitFor(rec, (r) => r.state !== 'offered', 10_000);
    if ((rec.state as CallState) !== 'connected')
      fail(ProtocolErrorCode.IllegalState, `call ${callId} could not be answered (${rec.cause ?? rec.state})`, {
        state: rec.state,
      });
    return desks.info(rec);
  }

  private async hangup(session: SessionView, callId: string): Promise<CallInfo> {
    const { directory, desks, consultations, acd, telephony } = this.deps;
    const seat = directory.seatFor(session);
    const rec = desks.own(seat.agentId, callId);
    if (rec.state === 'ended') return desks.info(rec);
    const consulted = consultations.get(callId);
    if (
      consulted &&
      consulted.agentId === seat.agentId &&
      (consulted.state === 'ringing' || consulted.state === 'connected' || consulted.state === 'conference')
    ) {
      // The consulted agent declines or ends the consultation: the caller goes back to the first agent.
      if (consulted.state === 'ringing') consultations.missed(consulted, seat.agentId);
      else await consultations.end(consulted, 'agent-hangup');
      return desks.info(rec);
    }
    if (rec.state === 'offered') {
      acd.rejected(callId, seat.agentId);
      return desks.info(rec);
    }
    if (rec.consult && rec.consult.state !== 'conference') {
      // Hanging up while consulting: a connected consultation completes (the caller goes to the
      // consulted party), one still ringing is cancelled and the call then ends as usual.
      if (rec.consult.state === 'connected') return consultations.complete(session, seat, rec);
      await consultations.cancel(rec);
    }
    rec.hold?.abort.abort();
    if (rec.legs) {
      await Promise.all([
        rec.legs.trunk.hangup().catch(() => undefined),
        rec.legs.station.hangup().catch(() => undefined),
      ]);
    } else {
      const call = telephony.connectedCall(callId);
      if (!call || call.agentId !== seat.agentId)
        fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected to this desk`);
      await call.station.hangup().catch(() => undefined);
    }
    this.deps.handsets(seat.station)?.hangUp();
    await desks.waitFor(rec, (r) => r.state === 'ended', 5_000);
    return desks.info(rec);
  }

  private async hold(rec: CallRecord): Promise<CallInfo> {
    const { desks, telephony, acd } = this.deps;
    const callId = rec.callId;
    if (rec.state === 'held') return desks.info(rec);
    if (rec.state !== 'connected' || rec.legs)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} cannot be held (${rec.state})`);
    const call = telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    await this.deps.endMonitorsOf(callId);
    rec.hold = await holdCaller(acd, call, this.deps.holdMusic, this.deps.logger);
    desks.setState(rec, 'held');
    return desks.info(rec);
  }

  private async retrieve(rec: CallRecord): Promise<CallInfo> {
    const { desks, telephony, acd } = this.deps;
    const callId = rec.callId;
    if (rec.state === 'connected') return desks.info(rec);
    if (rec.state !== 'held') fail(ProtocolErrorCode.IllegalState, `call ${callId} is not held (${rec.state})`);
    const call = telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    await stopHoldMusic(rec.hold);
    rec.hold = undefined;
    await call.trunk.bridge(call.station);
    acd.retrieve(callId);
    desks.setState(rec, 'connected');
    return desks.info(rec);
  }

  private async transfer(
    session: SessionView,
    p: { callId: string; mode: 'blind' | 'consult'; target: TransferTarget; note?: string | undefined },
  ) {
    const { directory, desks, pops, telephony } = this.deps;
    const seat = directory.seatFor(session);
    const rec = desks.own(seat.agentId, p.callId);
    const target = p.target;
    if (target.kind === 'number') {
      fail(
        ProtocolErrorCode.NotImplemented,
        p.mode === 'consult'
          ? 'consulting an outside number is not available yet; consult an agent or a queue'
          : 'blind transfer to an outside number is not available yet; transfer to an agent or a queue',
        { reason: 'number-target-unsupported' },
      );
    }
    if (p.mode === 'consult')
      return this.deps.consultations.start(session, seat, rec, { callId: p.callId, target, note: p.note });
    // A named agent is reached through their personal queue, so the ACD offers, rings and counts it.
    if (target.kind === 'agent') directory.requireAvailableAgent(seat, target.agentId);
    else directory.requireQueue(target.queueId);
    const queueId = target.kind === 'agent' ? consultQueueId(target) : target.queueId;
    if (rec.state !== 'connected' && rec.state !== 'held')
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is ${rec.state}`);
    if (rec.legs) fail(ProtocolErrorCode.IllegalState, 'an outbound call cannot be transferred');
    await this.deps.endMonitorsOf(p.callId);
    await stopHoldMusic(rec.hold);
    pops.noteTransfer(p.callId, {
      agentId: seat.agentId,
      ...(session.user.displayName ? { name: session.user.displayName } : {}),
      ...(p.note ? { note: p.note } : {}),
    });
    rec.transferring = true;
    background(
      this.deps.io,
      this.deps.store.interactions.appendSteps(p.callId, [
        { at: desks.now(), kind: 'transfer', detail: { from: seat.agentId, queue: queueId } },
      ]),
    );
    await telephony.transferToQueue(p.callId, queueId);
    await desks.waitFor(rec, (r) => r.state === 'ended', 5_000);
    return { call: desks.info(rec) };
  }

  /** Dials a number for the agent on a free trunk (also `voicemail.callBack`). */
  async dial(session: SessionView, number: string, customerId?: string): Promise<CallInfo> {
    const { directory, desks, acd, board, store, io, logger } = this.deps;
    const seat = directory.seatFor(session);
    const station = board.channel(seat.station);
    const snap = acd.agentSnapshot(seat.agentId);
    if (snap.state.presence === 'logged-out') fail(ProtocolErrorCode.IllegalState, 'log in to the ACD first');
    if (snap.work.length > 0 || station.state.state !== 'idle')
      fail(ProtocolErrorCode.IllegalState, 'finish the call in hand first');
    const trunk = [...board.channelsOf('digital-trunk'), ...board.channelsOf('analog-trunk')].find(
      (c) => c.state.state === 'idle',
    );
    if (!trunk) fail(ProtocolErrorCode.Unavailable, 'no free line to dial out on', { reason: 'no-trunk' });
    const phone = this.deps.handsets(seat.station);
    if (!phone) fail(ProtocolErrorCode.IllegalState, 'dial on your phone', { reason: 'no-remote-handset' });
    // No inbound offers while the agent is on an outbound call.
    if (snap.state.presence === 'ready') {
      acd.setNotReady(seat.agentId, 'outbound');
      this.outboundReady.add(seat.agentId);
    }
    this.deps.farEnd?.(number);
    const rec = desks.record({
      callId: `out-${desks.now().toString(36)}-${++this.outboundSeq}`,
      agentId: seat.agentId,
      direction: 'outbound',
      state: 'dialing',
      remoteNumber: number,
      queueId: undefined,
      customerId,
      legs: { trunk, station },
    });
    desks.put(rec);
    background(
      io,
      store.interactions.start({
        callId: rec.callId,
        direction: 'outbound',
        media: 'voice',
        channel: trunk.id,
        caller: seat.extension,
        called: number,
        startedAt: rec.since,
        ...(customerId ? { customerId: Number(customerId) || null } : {}),
      }),
    );
    void this.runOutbound(rec, seat, phone, trunk, station, number).catch((e: unknown) => {
      logger.warn('cti: outbound call failed', { agent: seat.agentId, number: maskPhone(number), error: String(e) });
      desks.setState(rec, 'ended', 'failed');
      void trunk.hangup().catch(() => undefined);
      void station.hangup().catch(() => undefined);
      this.afterOutbound(seat.agentId);
    });
    desks.announce(rec);
    return desks.info(rec);
  }

  private async runOutbound(
    rec: CallRecord,
    seat: Seat,
    phone: Handset,
    trunk: Channel,
    station: Channel,
    number: string,
  ): Promise<void> {
    const { desks } = this.deps;
    // The agent's phone rings first and is lifted on the agent's behalf; then the number is dialled.
    const ring = station.dial(seat.extension, { noAnswerTimeoutMs: 30_000 });
    await untilRinging(phone, this.deps.scheduler);
    phone.lift();
    const own = await ring;
    if (!own.connected) throw new Error(`station not answered (${own.outcome})`);
    const far = await trunk.dial(number, { noAnswerTimeoutMs: 45_000 });
    if (!far.connected) {
      await station.hangup().catch(() => undefined);
      desks.setState(
        rec,
        'ended',
        far.outcome === 'busy' ? 'busy' : far.outcome === 'no-answer' ? 'no-answer' : 'failed',
      );
      this.afterOutbound(seat.agentId);
      return;
    }
    await trunk.bridge(station);
    desks.setState(rec, 'connected');
    background(
      this.deps.io,
      this.deps.store.interactions.update(rec.callId, { answeredAt: desks.now(), outcome: 'agent' }),
    );
    const released = (ch: Channel): Promise<void> =>
      firstValueFrom(ch.events$.pipe(filter((e) => e.type === 'released' || e.type === 'fault')), {
        defaultValue: undefined,
      }).then(() => undefined);
    const by = await Promise.race([
      released(trunk).then(() => 'far' as const),
      released(station).then(() => 'agent' as const),
    ]);
    await Promise.all([trunk.hangup().catch(() => undefined), station.hangup().catch(() => undefined)]);
    desks.setState(rec, 'ended', by === 'far' ? 'caller-hangup' : 'agent-hangup');
    background(this.deps.io, this.deps.store.interactions.update(rec.callId, { endedAt: desks.now() }));
    this.afterOutbound(seat.agentId);
  }

  private afterOutbound(agentId: string): void {
    const { acd, logger } = this.deps;
    if (!this.outboundReady.delete(agentId)) return;
    const snap = acd.agentSnapshot(agentId);
    if (snap.state.presence === 'not-ready' && snap.state.reason === 'outbound')
      tryAcd(logger, () => acd.setReady(agentId));
  }

  private async wrapUp(
    session: SessionView,
    p: { callId: string; disposition: string; note?: string | undefined; ticketIds?: string[] | undefined },
  ) {
    const { directory, desks, acd, consultations, store, io } = this.deps;
    const seat = directory.seatFor(session);
    if (!DISPOSITIONS.some((d) => d.code === p.disposition))
      fail(ProtocolErrorCode.Validation, `unknown disposition ${p.disposition}`, { field: 'disposition' });
    const rec = desks.get(seat.agentId, p.callId);
    const snap = acd.agentSnapshot(seat.agentId);
    const item = snap.work.find((w) => w.interactionId === p.callId);
    if (!rec && !item) fail(ProtocolErrorCode.NotFound, `no call ${p.callId} at this desk`, { callId: p.callId });
    if (item && item.activity !== 'wrap-up')
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is still ${item.activity}`);
    const { interactions } = store;
    await io(
      (async () => {
        try {
          const cdr = consultations.cdrId(p.callId);
          await interactions.update(cdr, { disposition: p.disposition });
          if (p.note)
            await interactions.appendSteps(cdr, [
              { at: desks.now(), kind: 'note', detail: { by: seat.agentId, note: p.note } },
            ]);
          for (const t of p.ticketIds ?? []) await interactions.linkTicket(cdr, numericId(t, 'ticket'));
        } catch (error) {
          if (!isHotlineError(error, AppErrorCode.NotFound)) throw error;
        }
      })(),
    );
    if (item) acd.wrapUpDone(seat.agentId, p.callId);
    desks.remove(seat.agentId, p.callId);
    this.deps.pops.forgetTransfer(p.callId);
    consultations.wrappedUp(p.callId, seat.agentId);
    return agentStatus(acd.agentSnapshot(seat.agentId));
  }
}
