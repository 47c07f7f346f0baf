/**
 * The calls each agent's desktop sees: one record per (agent, call) with its wire state, pushed
 * to the agent's desktops as `call.state` on every change. A consult leg is a call of its own at
 * the consulted agent's desk.
 *
 * @module
 */
import { Subject, filter, firstValueFrom, timer, type SchedulerLike } from 'rxjs';
import {
  ProtocolErrorCode,
  type CallEndCause,
  type CallInfo,
  type CallState,
  type ScreenPop,
} from '@hotline/agent-protocol';
import type { ProtocolServer } from '@hotline/agent-protocol/server';
import type { Channel } from '@hotline/cti-core';
import type { HoldHandle } from '../telephony/hold.js';
import { fail } from './commands.js';
import type { Consult } from './consultation.js';

/** What an inbound offer carried, to build the screen pop later (the agent may be offline then). */
export interface OfferData {
  readonly callerId: string | undefined;
  readonly data: Readonly<Record<string, string | number | boolean>>;
}

/** One call as one agent's desktop sees it. */
export interface CallRecord {
  readonly callId: string;
  readonly agentId: string;
  readonly direction: CallInfo['direction'];
  state: CallState;
  since: number;
  readonly remoteNumber: string;
  readonly queueId: string | undefined;
  customerId: string | undefined;
  cause: CallEndCause | undefined;
  pop: ScreenPop | undefined;
  offer?: OfferData;
  /** Set when the agent transferred the call away (its end is a transfer, not a hang-up). */
  transferring: boolean;
  /** Music on hold playing to the caller. */
  hold: HoldHandle | undefined;
  /** Outbound calls: the trunk and station legs. */
  legs: { readonly trunk: Channel; readonly station: Channel } | undefined;
  /** A consultation this agent opened on the call (the caller is held meanwhile). */
  consult?: Consult;
}

/** What {@link Desks} needs. */
export interface DesksDeps {
  readonly scheduler: SchedulerLike;
  readonly server: Pick<ProtocolServer, 'push'>;
  /** Whether an agent has a desktop open (pushes go only then). */
  readonly isOnline: (agentId: string) => boolean;
}

/** Every desk's calls. */
export class Desks {
  private readonly calls = new Map<string, CallRecord>();
  private readonly changed = new Subject<CallRecord>();

  constructor(private readonly deps: DesksDeps) {}

  private key(agentId: string, callId: string): string {
    return `${agentId}\u0000${callId}`;
  }

  now(): number {
    return this.deps.scheduler.now();
  }

  get(agentId: string, callId: string): CallRecord | undefined {
    return this.calls.get(this.key(agentId, callId));
  }

  put(rec: CallRecord): void {
    this.calls.set(this.key(rec.agentId, rec.callId), rec);
  }

  remove(agentId: string, callId: string): void {
    this.calls.delete(this.key(agentId, callId));
  }

  /** The calls at one agent's desk. */
  of(agentId: string): CallRecord[] {
    return [...this.calls.values()].filter((r) => r.agentId === agentId);
  }

  all(): IterableIterator<CallRecord> {
    return this.calls.values();
  }

  /** A call at the agent's desk, or a typed `NOT_FOUND`. */
  own(agentId: string, callId: string): CallRecord {
    const rec = this.get(agentId, callId);
    if (!rec) fail(ProtocolErrorCode.NotFound, `no call ${callId} at this desk`, { callId });
    return rec;
  }

  /** A new record at an agent's desk (not yet stored: {@link put}). */
  record(
    fields: Pick<CallRecord, 'callId' | 'agentId' | 'direction' | 'state' | 'remoteNumber' | 'queueId' | 'customerId'> &
      Partial<Pick<CallRecord, 'offer' | 'legs'>>,
  ): CallRecord {
    return {
      ...fields,
      since: this.now(),
      cause: undefined,
      pop: undefined,
      transferring: false,
      hold: undefined,
      legs: fields.legs,
    };
  }

  /** The wire view of a call. */
  info(rec: CallRecord): CallInfo {
    return {
      callId: rec.callId,
      direction: rec.direction,
      state: rec.state,
      remoteNumber: rec.remoteNumber,
      ...(rec.queueId ? { queueId: rec.queueId } : {}),
      ...(rec.customerId ? { customerId: rec.customerId } : {}),
      since: rec.since,
      ...(rec.cause ? { cause: rec.cause } : {}),
      ...(rec.consult && (rec.state === 'consulting' || rec.state === 'conference')
        ? { consultCallId: rec.consult.id }
        : {}),
      recording: false,
    };
  }

  /** Moves a call to a new state and tells the agent's desktops (an ended call stays ended). */
  setState(rec: CallRecord, state: CallState, cause?: CallEndCause): void {
    if (rec.state === 'ended') return;
    rec.state = state;
    rec.since = this.now();
    if (cause) rec.cause = cause;
    if (this.deps.isOnline(rec.agentId)) this.deps.server.push({ userId: rec.agentId }, 'call.state', this.info(rec));
    this.changed.next(rec);
  }

  /** Tells the agent's desktops of a call's state as it is. */
  announce(rec: CallRecord): void {
    this.deps.server.push({ userId: rec.agentId }, 'call.state', this.info(rec));
  }

  /** Waits until `rec` satisfies `done`, at most `ms` (virtual-time safe). */
  async waitFor(rec: CallRecord, done: (r: CallRecord) => boolean, ms: number): Promise<void> {
    if (done(rec)) return;
    await Promise.race([
      firstValueFrom(this.changed.pipe(filter((r) => r === rec && done(r))), { defaultValue: undefined }),
      firstValueFrom(timer(ms, this.deps.scheduler)),
    ]);
  }
}
