/**
 * Call detail records (M21): every call on a trunk becomes an interaction row when it is
 * offered, with its path through the IVR (menu choices and nodes), the service the caller chose,
 * and how it ended. The CTI link adds the agent side (offer, answer, agent, disposition) to the
 * same row; tickets opened by the IVR are linked by the IVR services.
 *
 * @module
 */
import { Subscription, filter, type SchedulerLike } from 'rxjs';
import type { Board, Channel, Logger } from '@hotline/cti-core';
import type { IvrEvent, IvrRuntime } from '@hotline/ivr';
import type { InteractionOutcome, InteractionStep } from '../domain/interactions.js';
import type { Store } from '../domain/store.js';

/** The service a main-menu key stands for (reports count calls by it). */
export const MAIN_MENU_SERVICES: Readonly<Record<string, string>> = {
  '1': 'leak',
  '2': 'repair',
  '3': 'bill',
  '4': 'info',
  '5': 'status',
  '6': 'complaint',
  '7': 'password',
  '8': 'fax',
  '0': 'agent',
};

const OUTCOMES: Readonly<Record<string, InteractionOutcome>> = {
  completed: 'self_service',
  'caller-hangup': 'abandoned_ivr',
  'handed-off': 'agent',
  'max-failures': 'failed',
  failed: 'failed',
  'agent-unavailable': 'no_answer',
};

/** Options of {@link CallDetailRecorder}. */
export interface CallDetailRecorderOptions {
  readonly store: Store;
  readonly board: Board;
  readonly ivr: IvrRuntime;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Wraps storage promises (tests: `scheduler.track`). */
  readonly io?: <T>(promise: Promise<T>) => Promise<T>;
}

interface Pending {
  readonly started: Promise<unknown>;
  readonly steps: InteractionStep[];
  service?: string;
  /** The IVR took the call (its call-ended event will come). */
  inIvr: boolean;
  /** A self-service branch ran to its end (a hang-up after it is not an abandon). */
  selfServed: boolean;
  ivrOutcome?: InteractionOutcome;
  releasedAt?: number;
}

/** Records an interaction per trunk call from the board and the IVR analytics stream. */
export class CallDetailRecorder {
  private readonly o: CallDetailRecorderOptions;
  private readonly io: <T>(promise: Promise<T>) => Promise<T>;
  private readonly calls = new Map<string, Pending>();
  private readonly subscription = new Subscription();
  /** Writes in flight (for a clean shutdown). */
  private readonly writes = new Set<Promise<unknown>>();

  constructor(o: CallDetailRecorderOptions) {
    this.o = o;
    this.io = o.io ?? (<T>(p: Promise<T>) => p);
    this.subscription.add(
      o.board.incoming$
        .pipe(filter(({ channel }) => channel.info.kind !== 'station'))
        .subscribe(({ channel, call }) => this.offered(channel, call.id)),
    );
    this.subscription.add(o.ivr.events$.subscribe((e) => this.onIvr(e)));
  }

  /** Stops recording new calls and waits for pending writes. */
  async close(): Promise<void> {
    this.subscription.unsubscribe();
    await Promise.allSettled([...this.writes]);
  }

  private write(what: string, p: Promise<unknown>): void {
    const w = this.io(p).catch((error: unknown) =>
      this.o.logger.warn('call record write failed', { what, error: String(error) }),
    );
    this.writes.add(w);
    void w.finally(() => this.writes.delete(w));
  }

  private offered(channel: Channel, callId: string): void {
    const call = channel.call;
    if (!call) return;
    const started = this.io(
      this.o.store.interactions.start({
        callId,
        direction: 'inbound',
        media: 'voice',
        channel: channel.id,
        caller: call.callerId ?? null,
        called: call.calledNumber ?? null,
        startedAt: call.startedAt,
      }),
    ).catch((error: unknown) => this.o.logger.warn('call record start failed', { call: callId, error: String(error) }));
    this.calls.set(callId, { started, steps: [], inIvr: false, selfServed: false });
    // The trunk's release ends the record, whoever hung up and wherever the call was.
    const sub = channel.events$.pipe(filter((e) => e.type === 'released' || e.type === 'fault')).subscribe(() => {
      sub.unsubscribe();
      this.released(callId);
    });
    this.subscription.add(sub);
  }

  private onIvr(e: IvrEvent): void {
    const p = this.calls.get(e.callId);
    if (!p) return;
    if (e.type === 'call-started') {
      p.inIvr = true;
    } else if (e.type === 'input' && e.node === 'main-menu' && e.valid && p.service === undefined) {
      const service = MAIN_MENU_SERVICES[e.digits];
      if (service) {
        p.service = service;
        this.write(
          'service',
          p.started.then(() => this.o.store.interactions.update(e.callId, { service })),
        );
      }
    } else if (e.type === 'node-left') {
      if (e.kind === 'sub-flow' && e.result === 'ok') p.selfServed = true;
      p.steps.push({
        at: e.at,
        kind: 'ivr',
        detail: { node: e.node, kind: e.kind, result: e.result, ms: e.durationMs, failures: e.failures },
      });
    } else if (e.type === 'call-ended') {
      const handed = e.outcome.handedTo;
      if (handed?.kind === 'agent') p.steps.push({ at: e.at, kind: 'agent', detail: { agentId: handed.agentId } });
      // A caller handed to an agent is the agent's; one handed to the ACD who never reached an
      // agent abandoned in the queue (decided at release).
      p.ivrOutcome =
        e.outcome.status === 'handed-off'
          ? handed?.kind === 'agent'
            ? 'agent'
            : undefined
          : e.outcome.status === 'caller-hangup' && p.selfServed
            ? 'self_service'
            : OUTCOMES[e.outcome.status];
      p.inIvr = false;
      this.flushSteps(e.callId, p);
      if (p.releasedAt !== undefined) this.finish(e.callId, p);
    }
  }

  private released(callId: string): void {
    const p = this.calls.get(callId);
    if (!p) return;
    p.releasedAt = this.o.scheduler.now();
    // While the IVR still runs the call, its call-ended event (right behind) finishes the record.
    if (!p.inIvr) this.finish(callId, p);
  }

  private flushSteps(callId: string, p: Pending): void {
    const steps = p.steps.splice(0);
    if (steps.length > 0)
      this.write(
        'steps',
        p.started.then(() => this.o.store.interactions.appendSteps(callId, steps)),
      );
  }

  private finish(callId: string, p: Pending): void {
    this.calls.delete(callId);
    this.flushSteps(callId, p);
    const endedAt = p.releasedAt ?? this.o.scheduler.now();
    const decided = p.ivrOutcome;
    this.write(
      'end',
      p.started.then(async () => {
        const row = await this.o.store.interactions.get(callId);
        if (!row) return;
        const outcome: InteractionOutcome =
          row.outcome === 'agent'
            ? 'agent'
            : (decided ?? (p.service === undefined ? 'abandoned_ivr' : 'abandoned_queue'));
        await this.o.store.interactions.update(callId, { endedAt, outcome });
      }),
    );
  }
}
