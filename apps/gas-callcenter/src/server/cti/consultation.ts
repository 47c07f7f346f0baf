/**
 * Consultation, consultative transfer and the three-party conference: an agent holds the caller
 * and calls another agent (or a queue) on a consult leg — an ACD interaction of its own in the
 * target's personal or consult queue — then cancels (the caller comes back), completes (the
 * caller goes to the consulted agent) or joins all three in a board conference.
 *
 * @module
 */
import { filter, type Subscription } from 'rxjs';
import { ProtocolError, ProtocolErrorCode, type CallEndCause, type CallInfo } from '@hotline/agent-protocol';
import type { SessionView } from '@hotline/agent-protocol/server';
import type { Board, Channel, Logger } from '@hotline/cti-core';
import type { Acd, Assignment } from '@hotline/acd';
import type { Store } from '../../domain/store.js';
import { consultQueueId } from '../call-center.js';
import type { ConnectedCall, Seat, Telephony } from '../telephony.js';
import type { HandsetOf } from '../telephony/handset.js';
import { holdCaller, stopHoldMusic } from '../telephony/hold.js';
import { background, fail, tryAcd, type Io } from './commands.js';
import type { CallRecord, Desks } from './desks.js';
import type { Directory } from './directory.js';
import type { ScreenPops } from './screen-pop.js';

/** Where a consultation goes. */
export type ConsultTarget =
  { readonly kind: 'agent'; readonly agentId: string } | { readonly kind: 'queue'; readonly queueId: string };

/** A consult leg from the agent of a call to another agent or a queue. */
export interface Consult {
  /** The consult interaction in the ACD (`consultCallId`). */
  readonly id: string;
  /** The call consulted about (the held caller). */
  readonly callId: string;
  readonly fromAgent: string;
  readonly target: ConsultTarget;
  state: 'waiting' | 'ringing' | 'connected' | 'conference' | 'completed' | 'ended';
  /** The board conference of caller, agent and consulted agent (`call.conference`). */
  conference?: string;
  /** The consulted agent, once rung. */
  agentId?: string;
  station?: Channel;
  ringing?: Subscription;
  watch?: Subscription;
}

/** What {@link Consultations} needs. */
export interface ConsultationsDeps {
  readonly acd: Acd;
  readonly board: Board;
  readonly telephony: Telephony;
  readonly store: Pick<Store, 'interactions'>;
  readonly desks: Desks;
  readonly directory: Directory;
  readonly pops: ScreenPops;
  readonly handsets: HandsetOf;
  readonly holdMusic: string | undefined;
  /** Ends supervisors' monitors of a call (a consultation takes the caller off the agent). */
  readonly endMonitorsOf: (callId: string) => Promise<void>;
  readonly io: Io;
  readonly logger: Logger;
}

/** The consultations in progress, by consult interaction. */
export class Consultations {
  private readonly consults = new Map<string, Consult>();
  private consultSeq = 0;

  constructor(private readonly deps: ConsultationsDeps) {}

  /** The consultation whose consult interaction is `id`. */
  get(id: string): Consult | undefined {
    return this.consults.get(id);
  }

  /** The interaction whose call record (CDR) a call id belongs to: a consult leg's is the caller's. */
  cdrId(callId: string): string {
    return this.consults.get(callId)?.callId ?? callId;
  }

  /** The consulted agent wrapped up their consult leg: the consultation is forgotten. */
  wrappedUp(callId: string, agentId: string): void {
    if (this.consults.get(callId)?.agentId === agentId) this.consults.delete(callId);
  }

  /** Starts a consultation on a connected or held call: the caller is held, the target rung. */
  async start(
    session: SessionView,
    seat: Seat,
    rec: CallRecord,
    p: { callId: string; target: ConsultTarget; note?: string | undefined },
  ): Promise<{ call: CallInfo; consultCallId: string }> {
    const { acd, telephony, desks, directory, pops } = this.deps;
    const target = p.target;
    if (rec.consult)
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is already in a consultation`, {
        consultCallId: rec.consult.id,
      });
    if (rec.state !== 'connected' && rec.state !== 'held')
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is ${rec.state}`);
    if (rec.legs) fail(ProtocolErrorCode.IllegalState, 'an outbound call cannot be transferred');
    const call = telephony.connectedCall(p.callId);
    if (!call || call.agentId !== seat.agentId)
      fail(ProtocolErrorCode.IllegalState, `call ${p.callId} is not connected to this desk`);
    if (target.kind === 'agent') directory.requireAvailableAgent(seat, target.agentId);
    else directory.requireQueue(target.queueId);
    await this.deps.endMonitorsOf(p.callId);
    if (rec.state === 'connected') rec.hold = await holdCaller(acd, call, this.deps.holdMusic, this.deps.logger);
    const consult: Consult = {
      id: `${p.callId}-c${++this.consultSeq}`,
      callId: p.callId,
      fromAgent: seat.agentId,
      target,
      state: 'waiting',
    };
    rec.consult = consult;
    this.consults.set(consult.id, consult);
    pops.noteTransfer(consult.id, {
      agentId: seat.agentId,
      ...(session.user.displayName ? { name: session.user.displayName } : {}),
      ...(p.note ? { note: p.note } : {}),
    });
    desks.setState(rec, 'consulting');
    background(
      this.deps.io,
      this.deps.store.interactions.appendSteps(p.callId, [
        {
          at: desks.now(),
          kind: 'transfer',
          detail: { from: seat.agentId, mode: 'consult', ...target, consult: consult.id },
        },
      ]),
    );
    const priority = pops.priorityOf(p.callId);
    try {
      const r = acd.enqueue({
        interactionId: consult.id,
        queueId: consultQueueId(target),
        priority: priority === 'emergency' || priority === 'vip' ? priority : 'normal',
        customer: { ...(call.callerId ? { phone: call.callerId } : {}) },
      });
      if (r.status === 'diverted')
        throw new ProtocolError(ProtocolErrorCode.Unavailable, 'nobody can take the consultation now', {
          details: { reason: 'consult-diverted' },
        });
    } catch (error) {
      await this.end(consult, 'failed');
      throw error;
    }
    return { call: desks.info(rec), consultCallId: consult.id };
  }

  /** The ACD offers (or takes back) the consult interaction: ring the consulted agent's phone. */
  onAssignment(c: Consult, a: Assignment): void {
    if (a.type === 'offer') {
      this.ring(c, a.agentId);
      return;
    }
    if (a.type !== 'retract' || c.agentId !== a.agentId || c.state !== 'ringing') return;
    c.ringing?.unsubscribe();
    c.ringing = undefined;
    const { desks } = this.deps;
    const rec = desks.get(a.agentId, c.id);
    if (rec) {
      desks.setState(rec, 'ended', 'no-answer');
      desks.remove(a.agentId, c.id);
    }
    c.state = 'waiting';
    c.agentId = undefined;
    // A named agent who does not answer ends the consultation; a queue offers it to someone else.
    if (c.target.kind === 'agent') void this.end(c, 'no-answer');
  }

  /** The consulted phone was not answered: a named agent ends the consultation, a queue tries someone else. */
  missed(c: Consult, agentId: string): void {
    if (c.state !== 'ringing' || c.agentId !== agentId) return;
    if (c.target.kind === 'agent') {
      void this.end(c, 'no-answer');
      return;
    }
    this.onAssignment(c, { type: 'retract', interactionId: c.id, agentId, cause: 'failed' });
    tryAcd(this.deps.logger, () => this.deps.acd.offerFailed(c.id, agentId));
  }

  private ring(c: Consult, agentId: string): void {
    const { acd, board, telephony, desks } = this.deps;
    if (c.state === 'ended' || c.state === 'completed') return;
    const seat = telephony.seatOf(agentId);
    const station = seat ? board.channel(seat.station) : undefined;
    const from = desks.get(c.fromAgent, c.callId);
    if (!seat || !station || station.state.state !== 'idle' || !from) {
      tryAcd(this.deps.logger, () => acd.offerFailed(c.id, agentId));
      if (c.target.kind === 'agent') void this.end(c, 'busy');
      return;
    }
    c.state = 'ringing';
    c.agentId = agentId;
    c.station = station;
    const rec = desks.record({
      callId: c.id,
      agentId,
      direction: 'inbound',
      state: 'offered',
      remoteNumber: from.remoteNumber,
      queueId: from.queueId,
      customerId: from.customerId,
      ...(from.offer ? { offer: from.offer } : {}),
    });
    desks.put(rec);
    this.deps.pops.offer(rec);
    const fromSeat = telephony.seatOf(c.fromAgent);
    c.ringing = station
      .dial$(seat.extension, { ...(fromSeat ? { callerId: fromSeat.extension } : {}), noAnswerTimeoutMs: 120_000 })
      .subscribe({
        next: (e) => {
          if (e.kind !== 'done') return;
          c.ringing = undefined;
          if (e.result.connected) void this.answered(c, agentId, station, rec);
          else this.missed(c, agentId);
        },
        error: () => {
          c.ringing = undefined;
          this.missed(c, agentId);
        },
      });
  }

  private async answered(c: Consult, agentId: string, station: Channel, rec: CallRecord): Promise<void> {
    const { acd, telephony, desks } = this.deps;
    const call = telephony.connectedCall(c.callId);
    if (c.state !== 'ringing' || c.agentId !== agentId || !call) {
      await station.hangup().catch(() => undefined);
      return;
    }
    try {
      acd.answered(c.id, agentId);
      await call.station.bridge(station);
    } catch (error) {
      this.deps.logger.warn('cti: connecting the consultation failed', { call: c.callId, error: String(error) });
      await this.end(c, 'failed');
      return;
    }
    c.state = 'connected';
    desks.setState(rec, 'connected');
    const from = desks.get(c.fromAgent, c.callId);
    if (from) desks.setState(from, 'consulting');
    // The consulted party hanging up ends the consultation: the caller comes back to the agent.
    c.watch = station.events$.pipe(filter((e) => e.type === 'released' || e.type === 'fault')).subscribe(() => {
      if (c.state === 'connected' || c.state === 'conference') void this.end(c, 'agent-hangup').catch(() => undefined);
    });
  }

  /** Drops the consult leg (whatever its state) without touching the caller. */
  async drop(c: Consult, cause: CallEndCause): Promise<void> {
    const { acd, desks, logger } = this.deps;
    const was = c.state;
    if (was === 'ended' || was === 'completed') return;
    c.state = 'ended';
    c.ringing?.unsubscribe();
    c.ringing = undefined;
    c.watch?.unsubscribe();
    c.watch = undefined;
    const from = desks.get(c.fromAgent, c.callId);
    if (from?.consult === c) from.consult = undefined;
    if (acd.hasInteraction(c.id)) {
      const status = acd.interactionStatus(c.id).status;
      if (status === 'waiting' || status === 'offered') tryAcd(logger, () => acd.withdraw(c.id, 'consult-ended'));
      else if (status === 'connected') {
        tryAcd(logger, () => acd.hangup(c.id, 'agent'));
        // The consultation was not the consulted agent's call: no after-call work for it.
        const consulted = c.agentId;
        if (consulted) tryAcd(logger, () => acd.wrapUpDone(consulted, c.id));
      }
    }
    if (c.agentId) {
      const rec = desks.get(c.agentId, c.id);
      if (rec)
        desks.setState(
          rec,
          'ended',
          was === 'connected' || was === 'conference' ? cause : cause === 'agent-hangup' ? 'abandoned' : cause,
        );
      desks.remove(c.agentId, c.id);
    }
    this.consults.delete(c.id);
    this.deps.pops.forgetTransfer(c.id);
    if (was === 'connected') await c.station?.unbridge().catch(() => undefined);
    if (c.station && c.station.state.state !== 'idle') await c.station.hangup().catch(() => undefined);
    if (c.agentId && c.station) this.deps.handsets(c.station.id)?.hangUp();
  }

  /** Ends the consultation and gives the held caller back to the agent. */
  async end(c: Consult, cause: CallEndCause): Promise<void> {
    const { telephony, desks, logger } = this.deps;
    await this.drop(c, cause);
    const rec = desks.get(c.fromAgent, c.callId);
    const call = telephony.connectedCall(c.callId);
    if (!rec || !call) return;
    if (rec.state === 'conference' && c.conference) {
      // The consulted agent left the conference: the caller and the first agent talk on.
      telephony.cancelHandOver(c.callId);
      await Promise.all([
        call.trunk.leaveConference(c.conference).catch(() => undefined),
        call.station.leaveConference(c.conference).catch(() => undefined),
      ]);
      try {
        await call.trunk.bridge(call.station);
        desks.setState(rec, 'connected');
      } catch (error) {
        logger.warn('cti: bridging the caller back after a conference failed', {
          call: c.callId,
          error: String(error),
        });
      }
      return;
    }
    if (rec.state !== 'consulting') return;
    await stopHoldMusic(rec.hold);
    rec.hold = undefined;
    try {
      await call.trunk.bridge(call.station);
      tryAcd(logger, () => this.deps.acd.retrieve(c.callId));
      desks.setState(rec, 'connected');
    } catch (error) {
      logger.warn('cti: retrieving the caller after a consultation failed', {
        call: c.callId,
        error: String(error),
      });
    }
  }

  /** `call.cancelConsult`: the consult leg goes, the caller comes back. */
  async cancel(rec: CallRecord): Promise<CallInfo> {
    if (!rec.consult)
      fail(ProtocolErrorCode.IllegalState, `call ${rec.callId} is not in a consultation (${rec.state})`, {
        state: rec.state,
      });
    await this.end(rec.consult, 'agent-hangup');
    return this.deps.desks.info(rec);
  }

  /** `call.completeConsult`: the caller goes to the consulted agent, the first agent drops out. */
  async complete(session: SessionView, seat: Seat, rec: CallRecord): Promise<CallInfo> {
    const { telephony, desks, handsets } = this.deps;
    const callId = rec.callId;
    const c = rec.consult;
    if (!c)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is not in a consultation (${rec.state})`, {
        state: rec.state,
      });
    if (c.state === 'conference') {
      // Completing from a conference: the first agent leaves, the caller stays with the consulted agent.
      const call = telephony.connectedCall(callId);
      if (call) await call.station.hangup().catch(() => undefined);
      handsets(seat.station)?.hangUp();
      await desks.waitFor(rec, (r) => r.state === 'ended', 5_000);
      return desks.info(rec);
    }
    if (c.state !== 'connected' || !c.agentId || !c.station)
      fail(ProtocolErrorCode.IllegalState, 'the consulted party has not answered yet; cancel, or wait', {
        reason: 'consult-not-connected',
      });
    const call = telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    const to = c.agentId;
    const station = c.station;
    c.state = 'completed';
    c.watch?.unsubscribe();
    c.watch = undefined;
    await stopHoldMusic(rec.hold);
    rec.hold = undefined;
    this.deps.pops.noteTransfer(callId, {
      agentId: seat.agentId,
      ...(session.user.displayName ? { name: session.user.displayName } : {}),
    });
    rec.transferring = true;
    this.recordTransfer(callId, seat.agentId, to, c.id);
    // The first agent drops out (the ACD sees a transfer out of their hands); the caller is
    // bridged to the consulted agent, whose consult interaction carries the call from now on.
    await call.station.unbridge().catch(() => undefined);
    telephony.handOver(callId, consultQueueId({ kind: 'agent', agentId: to }));
    await call.station.hangup().catch(() => undefined);
    handsets(seat.station)?.hangUp();
    await desks.waitFor(rec, (r) => r.state === 'ended', 5_000);
    if (call.trunk.state.state !== 'connected') {
      await this.drop({ ...c, state: 'connected' }, 'caller-hangup');
      return desks.info(rec);
    }
    await call.trunk.bridge(station);
    telephony.adopt(callId, {
      interactionId: c.id,
      agentId: to,
      queueId: consultQueueId(c.target),
      trunk: call.trunk,
      station,
    });
    rec.consult = undefined;
    return desks.info(rec);
  }

  /** `call.conference`: caller, first agent and consulted agent in one board conference. */
  async conference(seat: Seat, rec: CallRecord): Promise<CallInfo> {
    const { acd, telephony, desks, logger } = this.deps;
    const callId = rec.callId;
    const c = rec.consult;
    if (!c)
      fail(ProtocolErrorCode.IllegalState, `call ${callId} is not in a consultation (${rec.state})`, {
        state: rec.state,
      });
    if (c.state === 'conference') return desks.info(rec);
    if (c.state !== 'connected' || !c.agentId || !c.station)
      fail(ProtocolErrorCode.IllegalState, 'the consulted party has not answered yet; cancel, or wait', {
        reason: 'consult-not-connected',
      });
    const call = telephony.connectedCall(callId);
    if (!call) fail(ProtocolErrorCode.IllegalState, `call ${callId} is not connected`);
    const to = c.agentId;
    const station = c.station;
    const name = `conf-${callId}`;
    c.state = 'conference';
    c.conference = name;
    await stopHoldMusic(rec.hold);
    rec.hold = undefined;
    try {
      await call.station.unbridge();
      await call.trunk.unbridge();
      await call.trunk.joinConference(name);
      await call.station.joinConference(name);
      await station.joinConference(name);
    } catch (error) {
      logger.warn('cti: starting a conference failed', { call: callId, error: String(error) });
      for (const ch of [call.trunk, call.station, station]) await ch.leaveConference(name).catch(() => undefined);
      c.state = 'connected';
      c.conference = undefined;
      await this.end(c, 'failed');
      fail(ProtocolErrorCode.Unavailable, 'the conference could not be set up; the caller is back with you', {
        reason: 'conference-failed',
      });
    }
    // If the first agent leaves, the caller is handed over to the consulted agent (see leftConference).
    telephony.handOver(callId, consultQueueId({ kind: 'agent', agentId: to }));
    tryAcd(logger, () => acd.retrieve(callId));
    desks.setState(rec, 'conference');
    const consulted = desks.get(to, c.id);
    if (consulted) desks.setState(consulted, 'conference');
    background(
      this.deps.io,
      this.deps.store.interactions.appendSteps(callId, [
        { at: desks.now(), kind: 'conference', detail: { from: seat.agentId, to, consult: c.id } },
      ]),
    );
    return desks.info(rec);
  }

  /** The first agent left a conference: the caller and the consulted agent go on as the consult interaction. */
  async leftConference(c: Consult, call: ConnectedCall): Promise<void> {
    const { telephony, desks } = this.deps;
    const station = c.station;
    const to = c.agentId;
    c.watch?.unsubscribe();
    c.watch = undefined;
    if (!station || !to) return;
    if (c.conference) {
      await Promise.all([
        call.trunk.leaveConference(c.conference).catch(() => undefined),
        station.leaveConference(c.conference).catch(() => undefined),
      ]);
    }
    c.state = 'completed';
    c.conference = undefined;
    const consulted = desks.get(to, c.id);
    if (call.trunk.state.state !== 'connected' || station.state.state !== 'connected') {
      await this.drop(
        { ...c, state: 'connected' },
        call.trunk.state.state !== 'connected' ? 'caller-hangup' : 'agent-hangup',
      );
      if (call.trunk.state.state === 'connected') await call.trunk.hangup().catch(() => undefined);
      return;
    }
    await call.trunk.bridge(station);
    telephony.adopt(call.interactionId, {
      interactionId: c.id,
      agentId: to,
      queueId: consultQueueId(c.target),
      trunk: call.trunk,
      station,
    });
    if (consulted) desks.setState(consulted, 'connected');
    this.recordTransfer(call.interactionId, c.fromAgent, to, c.id);
  }

  /** Records the hand-over in the caller's call record (steps, and the agent who has it now). */
  private recordTransfer(callId: string, from: string, to: string, consult: string): void {
    const { store, io, desks, directory } = this.deps;
    const user = directory.user(to);
    background(
      io,
      (async () => {
        await store.interactions.appendSteps(callId, [
          { at: desks.now(), kind: 'transfer', detail: { from, to, consult } },
        ]);
        if (user) await store.interactions.update(callId, { agentUserId: user.id });
      })(),
    );
  }
}
