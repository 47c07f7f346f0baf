/**
 * The China No.1 signalling engine for one E1 channel: digital line signalling (ABCD bits)
 * and MFC compelled register signalling with real MF tones in the 20 ms audio frames.
 *
 * The engine is a frame processor: once per 20 ms frame the owner calls
 * {@link ChinaNo1Line.process} with the far end's ABCD nibble and audio, and sends on
 * {@link ChinaNo1Line.txAbcd} and the audio the engine wrote. Timers run on the injected
 * RxJS scheduler. The same engine plays both roles on a both-way circuit: the end that seizes
 * is the forward (outgoing) side for that call, the other the backward (incoming) side.
 *
 * ```text
 *  line states (forward = outgoing, backward = incoming)
 *
 *  idle ──seize()──▶ seizing ──seize-ack──▶ out-register ──KB accept──▶ out-alerting ──answer──▶ out-answered
 *    │                  │ timeout/dual seizure   │ A4/A5/KB fail → clear-forward                      │ clear-back
 *    │                  ▼                        ▼                                                   ▼
 *    │            out-releasing ◀──────── release() from any outgoing state ◀──────────────── out-clear-back
 *    │                  │ backward idle (release guard)                                       (re-answer ↺)
 *    │                  ▼
 *    │                 idle
 *    │
 *    ├─far seize─▶ in-register ──KD──▶ in-offered ──accept(KB1)──▶ in-alerting ──answer()──▶ in-answered
 *    │                 │ reject / A4           │ reject(KB2..5)                                  │ release()
 *    │                 ▼                       ▼                                                 ▼
 *    │              in-failed ◀────────────────┘                                          in-clear-back
 *    │                 └──────────── clear-forward (any incoming state) → release guard → idle
 *    ├─block()─▶ blocking ──unblock()──▶ idle
 *    └─far 11──▶ blocked ──far 10──▶ idle
 * ```
 *
 * @packageDocumentation
 */

import { Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { ErrorCode, HotlineError } from '../errors.js';
import { maskPhone } from '../logger.js';
import type { DialOutcome } from '../spi.js';
import type { SignalingTrace } from '../types.js';
import { MfDetector, MfGenerator } from '../media/mf.js';
import {
  abOf,
  BACKWARD_AB,
  chinaNo1Config,
  digitOfSignal,
  formatAbcd,
  FORWARD_AB,
  GROUP_A_MEANINGS,
  KA_MEANINGS,
  KB_MEANINGS,
  KD_MEANINGS,
  SignalingErrorCode,
  signalOfDigit,
  SIGNAL_CALLER_RESTRICTED,
  SIGNAL_END_OF_CALLER,
  type ChinaNo1Config,
  type ChinaNo1ConfigInput,
  type KbOutcome,
} from './china-no1-config.js';

/** States of a China No.1 channel (see the module diagram). */
export type ChinaNo1State =
  | 'idle'
  | 'blocked'
  | 'blocking'
  | 'seizing'
  | 'out-register'
  | 'out-alerting'
  | 'out-answered'
  | 'out-clear-back'
  | 'out-releasing'
  | 'in-register'
  | 'in-offered'
  | 'in-alerting'
  | 'in-answered'
  | 'in-clear-back'
  | 'in-failed';

/** One line of the protocol trace of a China No.1 channel (`signaling$`). */
export interface ChinaNo1Signal extends SignalingTrace {
  readonly protocol: 'cas' | 'mfc';
  /** Short name: `seize`, `seize-ack`, `answer`, `I-5`, `A1`, `KA`, `KD`, `KB1`, … (`I-*` for a masked calling-number digit). */
  readonly code: string;
  /** The ABCD nibble, for line signals. */
  readonly abcd?: number;
  /** The MF signal number 1..15, for register signals (omitted for masked digits). */
  readonly signal?: number;
  /** A pulsed (non-compelled) backward signal. */
  readonly pulsed?: boolean;
}

/** What an outgoing call sends. */
export interface ChinaNo1OutgoingCall {
  /** Called number (digits 0-9). */
  readonly called: string;
  /** Calling number (digits 0-9), sent when the far end asks for it; omit for none. */
  readonly caller?: string;
  /** Send the calling number as restricted (I-12) instead of its digits. */
  readonly callerRestricted?: boolean;
  /** KA (default: the trunk group's). */
  readonly ka?: number;
  /** KD (default: the trunk group's). */
  readonly kd?: number;
}

/** An incoming call as the register signalling delivered it. */
export interface ChinaNo1IncomingCall {
  readonly called: string;
  /** Calling number; absent when not requested, not available or restricted. */
  readonly caller?: string;
  readonly callerPresentation: 'available' | 'restricted' | 'unavailable';
  readonly ka?: number;
  readonly kd?: number;
}

/** Events of a China No.1 channel (`events$`). */
export type ChinaNo1Event =
  | { readonly type: 'seized'; readonly at: number }
  | { readonly type: 'offered'; readonly at: number; readonly call: ChinaNo1IncomingCall }
  | { readonly type: 'seize-acknowledged'; readonly at: number }
  | { readonly type: 'accepted'; readonly at: number; readonly kb: number }
  | {
      readonly type: 'failed';
      readonly at: number;
      readonly outcome: Exclude<DialOutcome, 'answered' | 'answering-machine' | 'fax-tone'>;
      readonly error?: HotlineError;
    }
  | { readonly type: 'answered'; readonly at: number }
  | { readonly type: 'clear-back'; readonly at: number }
  | { readonly type: 're-answer'; readonly at: number }
  | { readonly type: 'clear-forward'; readonly at: number }
  | { readonly type: 'idle'; readonly at: number }
  | { readonly type: 'blocked'; readonly at: number; readonly by: 'local' | 'remote' }
  | { readonly type: 'unblocked'; readonly at: number; readonly by: 'local' | 'remote' }
  | { readonly type: 'protocol-error'; readonly at: number; readonly error: HotlineError };

/** Options of {@link ChinaNo1Line}. */
export interface ChinaNo1LineOptions {
  /** Channel id used in traces. */
  readonly channel: string;
  readonly scheduler: SchedulerLike;
  /** Trunk-group configuration (validated with `chinaNo1Config`); share one object across a group. */
  readonly config?: ChinaNo1Config | ChinaNo1ConfigInput;
}

type Mode = 'dnis' | 'ka' | 'ani' | 'kd' | 'kb' | 'none';

/** How a backward signal is given: a compelled response or a pulse. */
interface BackSend {
  signal: number;
  pulsed: boolean;
}

/**
 * One China No.1 channel. See the module documentation for the state machine.
 * Invalid commands throw `HotlineError`s; protocol problems and time-outs are reported as
 * `protocol-error` / `failed` events and end the call cleanly.
 */
export class ChinaNo1Line {
  /** The channel id. */
  readonly channel: string;
  /** The trunk group's configuration. */
  readonly config: ChinaNo1Config;
  /** Every line and register signal sent or received, with time, direction and meaning. */
  readonly signaling$: Observable<ChinaNo1Signal>;
  /** Call events. */
  readonly events$: Observable<ChinaNo1Event>;

  private readonly scheduler: SchedulerLike;
  private readonly signalSubject = new Subject<ChinaNo1Signal>();
  private readonly eventSubject = new Subject<ChinaNo1Event>();
  private readonly fwdGen: MfGenerator;
  private readonly backGen: MfGenerator;
  private readonly fwdDet: MfDetector;
  private readonly backDet: MfDetector;
  private readonly persistenceFrames: number;

  private stateName: ChinaNo1State = 'idle';
  private tx = 0;
  private rxAb = 0b10;
  private candidateAb = -1;
  private candidateFrames = 0;
  private timer: Subscription | undefined;
  private pulseTimer: Subscription | undefined;
  private rxSignal = 0;
  private pendingSeize: ChinaNo1OutgoingCall | undefined;
  private guardFrames = 0;

  // outgoing register
  private out: ChinaNo1OutgoingCall | undefined;
  private outIndex = 0;
  private outAniIndex = 0;
  private outMode: 'dnis' | 'ani' = 'dnis';
  private outGroup: 'A' | 'B' = 'A';
  private outLastDigit = -1;
  private backSeen = 0;
  private failure:
    { outcome: Exclude<DialOutcome, 'answered' | 'answering-machine' | 'fax-tone'>; error?: HotlineError } | undefined;

  // incoming register
  private called = '';
  private caller = '';
  private presentation: ChinaNo1IncomingCall['callerPresentation'] = 'unavailable';
  private ka: number | undefined;
  private kd: number | undefined;
  private mode: Mode = 'none';
  private aniDone = false;
  private categoryDone = false;
  private back: BackSend | undefined;
  private rejectWith: number | undefined;
  private kbSent = 0;
  private answerWanted = false;

  constructor(options: ChinaNo1LineOptions) {
    this.channel = options.channel;
    this.scheduler = options.scheduler;
    this.config = isFullConfig(options.config) ? options.config : chinaNo1Config(options.config);
    const level = { levelDbm0: this.config.mfLevelDbm0 };
    this.fwdGen = new MfGenerator('forward', level);
    this.backGen = new MfGenerator('backward', level);
    this.fwdDet = new MfDetector('forward');
    this.backDet = new MfDetector('backward');
    this.persistenceFrames = Math.max(1, Math.ceil(this.config.timers.casPersistenceMs / 20));
    this.signaling$ = this.signalSubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
    this.tx = this.nibble(FORWARD_AB.idle);
  }

  /** The current state. */
  get state(): ChinaNo1State {
    return this.stateName;
  }

  /** True when the circuit is idle (free for a new call in either direction). */
  get idle(): boolean {
    return this.stateName === 'idle';
  }

  /** The ABCD nibble this end sends now. */
  get txAbcd(): number {
    return this.tx;
  }

  /** The MF signal this end is sending (1..15), or 0. */
  get sendingMf(): number {
    return this.fwdGen.signal || this.backGen.signal;
  }

  /** The incoming call's register data so far (backward side). */
  get incoming(): ChinaNo1IncomingCall {
    return this.incomingCall();
  }

  // =========================================================================== commands

  /**
   * Seizes the circuit for an outgoing call. When the circuit is still releasing from the
   * previous call, the seizure waits for idle.
   * @throws HotlineError `ERR_INVALID_ARGUMENT` for a malformed number or category,
   *   `ERR_R2_BLOCKED` when the far end blocks the circuit, `ERR_ILLEGAL_STATE` when busy.
   */
  seize(call: ChinaNo1OutgoingCall): void {
    if (!/^[0-9]{1,30}$/.test(call.called))
      throw new HotlineError(ErrorCode.InvalidArgument, `China No.1: called number must be 1-30 digits 0-9`);
    if (call.caller !== undefined && !/^[0-9]{0,30}$/.test(call.caller)) {
      throw new HotlineError(ErrorCode.InvalidArgument, 'China No.1: calling number must be digits 0-9');
    }
    for (const [k, v] of [
      ['ka', call.ka],
      ['kd', call.kd],
    ] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 15)) {
        throw new HotlineError(
          ErrorCode.InvalidArgument,
          `China No.1: ${k} must be an integer 1..15 (got ${String(v)})`,
        );
      }
    }
    if (this.stateName === 'blocked')
      throw new HotlineError(SignalingErrorCode.Blocked, `channel ${this.channel} is blocked by the far end`, {
        retryable: true,
      });
    if (this.stateName === 'out-releasing' || this.stateName === 'in-failed' || this.stateName === 'in-clear-back') {
      // the previous call is still releasing: seize once the circuit is idle
      this.pendingSeize = call;
      return;
    }
    if (this.stateName !== 'idle')
      throw new HotlineError(
        ErrorCode.IllegalState,
        `channel ${this.channel}: cannot seize in state ${this.stateName}`,
      );
    this.startSeize(call);
  }

  /**
   * Incoming: answers the held KD with KB `kb` (default 1, subscriber idle). A KB the trunk
   * group maps to `accepted` leads to alerting; any other ends the call (the forward side clears).
   * @throws HotlineError `ERR_ILLEGAL_STATE` when no call is waiting for a decision.
   */
  accept(kb = 1): void {
    if (!Number.isInteger(kb) || kb < 1 || kb > 15)
      throw new HotlineError(ErrorCode.InvalidArgument, `KB must be an integer 1..15 (got ${String(kb)})`);
    if (this.stateName !== 'in-offered')
      throw new HotlineError(
        ErrorCode.IllegalState,
        `channel ${this.channel}: no incoming call waits for KB (state ${this.stateName})`,
      );
    this.sendKb(kb);
  }

  /**
   * Incoming: refuses the call. Before KB, sends the KB of `outcome` (busy → KB2, unallocated →
   * KB5, congestion → KB4); during the register phase the next backward signal becomes A4/A5.
   */
  reject(outcome: 'busy' | 'unallocated' | 'congestion' = 'busy'): void {
    const kb = outcome === 'busy' ? 2 : outcome === 'unallocated' ? 5 : 4;
    if (this.stateName === 'in-offered') this.sendKb(kb);
    else if (this.stateName === 'in-register') this.rejectWith = outcome === 'unallocated' ? 5 : 4;
    else
      throw new HotlineError(
        ErrorCode.IllegalState,
        `channel ${this.channel}: nothing to reject in state ${this.stateName}`,
      );
  }

  /**
   * Incoming: answers (ANSWER line signal). Before KB, accepts with KB1 first; the ANSWER goes
   * out `answerDelayMs` after the KB cycle ends.
   */
  answer(): void {
    switch (this.stateName) {
      case 'in-offered':
        this.answerWanted = true;
        this.sendKb(1);
        return;
      case 'in-alerting':
        if (this.answerWanted) return;
        this.answerWanted = true;
        if (this.kbSent !== 0 && !this.backGen.signal)
          this.arm(this.config.timers.answerDelayMs, () => this.sendAnswer());
        return;
      case 'in-answered':
        return;
      default:
        throw new HotlineError(
          ErrorCode.IllegalState,
          `channel ${this.channel}: cannot answer in state ${this.stateName}`,
        );
    }
  }

  /**
   * Releases the call from this end: clear-forward on an outgoing call, clear-back on an
   * answered incoming call (the forward side then clears), a rejecting KB before answer.
   * Idempotent; a no-op on an idle circuit.
   */
  release(): void {
    switch (this.stateName) {
      case 'seizing':
      case 'out-register':
      case 'out-alerting':
      case 'out-answered':
      case 'out-clear-back':
        this.clearForward();
        return;
      case 'in-register':
        this.rejectWith = 4;
        return;
      case 'in-offered':
        this.sendKb(4);
        return;
      case 'in-alerting':
      case 'in-answered':
        this.stopMf();
        this.setState('in-clear-back');
        this.setTx(BACKWARD_AB.clearBack, 'clear-back');
        this.arm(this.config.timers.clearForwardMs, () =>
          this.timeout('clear-forward', SignalingErrorCode.ReleaseTimeout),
        );
        return;
      default:
        this.pendingSeize = undefined;
        return;
    }
  }

  /** Blocks an idle circuit against incoming seizures (backward 11). */
  block(): void {
    if (this.stateName === 'blocking') return;
    if (this.stateName !== 'idle')
      throw new HotlineError(
        ErrorCode.IllegalState,
        `channel ${this.channel}: cannot block in state ${this.stateName}`,
      );
    this.setState('blocking');
    this.setTx(BACKWARD_AB.blocked, 'blocking');
    this.event({ type: 'blocked', at: this.now(), by: 'local' });
  }

  /** Lifts a local block. */
  unblock(): void {
    if (this.stateName !== 'blocking') return;
    this.setTx(BACKWARD_AB.idle, 'unblocking');
    this.toIdle();
    this.event({ type: 'unblocked', at: this.now(), by: 'local' });
  }

  /** Cancels timers and completes the streams. The engine must not be used afterwards. */
  dispose(): void {
    this.timer?.unsubscribe();
    this.pulseTimer?.unsubscribe();
    this.signalSubject.complete();
    this.eventSubject.complete();
  }

  // =========================================================================== the frame

  /**
   * Processes one frame from the far end: its ABCD nibble and its audio (omit the audio when
   * none is carried). Writes the MF signal this end sends into `txAudio` and returns true when
   * it did; otherwise leaves `txAudio` untouched (the owner sends its own audio).
   */
  process(rxAbcd: number, rxAudio: Int16Array | undefined, txAudio: Int16Array | undefined): boolean {
    // 1. line signalling, with the persistence check
    const ab = abOf(rxAbcd);
    if (ab !== this.rxAb) {
      if (ab === this.candidateAb) this.candidateFrames++;
      else {
        this.candidateAb = ab;
        this.candidateFrames = 1;
      }
      if (this.candidateFrames >= this.persistenceFrames) {
        const previous = this.rxAb;
        this.rxAb = ab;
        this.candidateAb = -1;
        this.onLine(ab, previous, rxAbcd & 0xf);
      }
    } else this.candidateAb = -1;
    if (this.stateName === 'out-releasing') this.checkReleased();

    // 2. register signalling
    if (rxAudio && this.listening()) {
      const det = this.outgoingSide() ? this.backDet : this.fwdDet;
      const signal = det.push(rxAudio);
      if (signal !== this.rxSignal) {
        const previous = this.rxSignal;
        this.rxSignal = signal;
        if (previous !== 0) this.onMfOff(previous);
        if (signal !== 0) this.onMfOn(signal);
      }
    }

    // 3. what we send
    if (!txAudio) return false;
    if (this.fwdGen.signal) return this.fwdGen.fill(txAudio);
    if (this.backGen.signal) return this.backGen.fill(txAudio);
    return false;
  }

  // =========================================================================== line signalling

  private onLine(ab: number, previous: number, raw: number): void {
    const s = this.stateName;
    const incoming = s.startsWith('in-');
    const name =
      incoming || s === 'idle' || s === 'blocking' || s === 'blocked' ? forwardName(ab, s) : backwardName(ab, s);
    this.trace('rx', 'cas', name, `${name} (ABCD ${formatAbcd(raw)})`, { abcd: raw });
    switch (s) {
      case 'idle':
        if (ab === FORWARD_AB.seize) this.incomingSeize();
        else if (ab === BACKWARD_AB.blocked) {
          this.setState('blocked');
          this.event({ type: 'blocked', at: this.now(), by: 'remote' });
        } else this.unexpected(`line signal ${formatAbcd(raw)} on an idle circuit`);
        return;
      case 'blocked':
        if (ab === BACKWARD_AB.idle) {
          this.toIdle();
          this.event({ type: 'unblocked', at: this.now(), by: 'remote' });
        } else if (ab === FORWARD_AB.seize) this.incomingSeize();
        return;
      case 'blocking':
        if (ab === FORWARD_AB.seize) this.unexpected('seizure of a locally blocked circuit');
        return;
      case 'seizing':
        if (ab === BACKWARD_AB.seizeAck) {
          this.event({ type: 'seize-acknowledged', at: this.now() });
          this.setState('out-register');
          this.outSendDigit(0);
        } else if (ab === 0b00) {
          const error = new HotlineError(SignalingErrorCode.DualSeizure, `channel ${this.channel}: dual seizure`, {
            retryable: true,
          });
          this.fail('congestion', error);
        } else if (ab === BACKWARD_AB.answer) this.unexpected('answer before seize-acknowledge');
        return;
      case 'out-register':
      case 'out-alerting':
        if (ab === BACKWARD_AB.answer) {
          this.stopMf();
          this.timer?.unsubscribe();
          this.setState('out-answered');
          this.event({ type: 'answered', at: this.now() });
        } else if (ab === BACKWARD_AB.idle) {
          this.fail('rejected', this.protocolError('the incoming side returned to idle during set-up'));
        }
        return;
      case 'out-answered':
        if (ab === BACKWARD_AB.clearBack) {
          this.setState('out-clear-back');
          this.event({ type: 'clear-back', at: this.now() });
        } else if (ab === BACKWARD_AB.idle) {
          this.unexpected('the incoming side returned to idle during the call');
          this.setState('out-clear-back');
          this.event({ type: 'clear-back', at: this.now() });
        }
        return;
      case 'out-clear-back':
        if (ab === BACKWARD_AB.answer) {
          this.setState('out-answered');
          this.event({ type: 're-answer', at: this.now() });
        }
        return;
      case 'out-releasing':
        return; // checkReleased() follows
      default:
        // incoming states: the forward side clears by returning to idle (10)
        if (ab === FORWARD_AB.clearForward) {
          this.stopMf();
          this.event({ type: 'clear-forward', at: this.now() });
          // release guard: back to idle
          this.setTx(BACKWARD_AB.idle, 'release-guard');
          this.toIdle();
        } else if (ab !== FORWARD_AB.seize)
          this.unexpected(`forward line signal ${formatAbcd(raw)} (was ${previous.toString(2).padStart(2, '0')})`);
        return;
    }
  }

  private incomingSeize(): void {
    this.resetRegister();
    this.setState('in-register');
    this.event({ type: 'seized', at: this.now() });
    this.setTx(BACKWARD_AB.seizeAck, 'seize-ack');
    this.mode = 'dnis';
    this.fwdDet.reset();
    this.rxSignal = 0;
    this.arm(this.config.timers.mfBackwardMs, () => this.inTimeout());
  }

  private startSeize(call: ChinaNo1OutgoingCall): void {
    this.resetRegister();
    this.out = call;
    this.backDet.reset();
    this.rxSignal = 0;
    this.setState('seizing');
    this.setTx(FORWARD_AB.seize, 'seize');
    this.arm(this.config.timers.seizeAckMs, () =>
      this.fail(
        'congestion',
        new HotlineError(SignalingErrorCode.SeizeAckTimeout, `channel ${this.channel}: no seize-acknowledge`, {
          retryable: true,
        }),
      ),
    );
  }

  private clearForward(): void {
    this.stopMf();
    this.timer?.unsubscribe();
    this.setState('out-releasing');
    this.guardFrames = 0;
    this.setTx(FORWARD_AB.clearForward, 'clear-forward');
    this.arm(this.config.timers.releaseMs, () => {
      this.event({
        type: 'protocol-error',
        at: this.now(),
        error: new HotlineError(
          SignalingErrorCode.ReleaseTimeout,
          `channel ${this.channel}: the far end did not return to idle`,
        ),
      });
      this.toIdle();
    });
  }

  private checkReleased(): void {
    // The backward side returns to 10 after clear-forward (release guard). A backward side that
    // never acknowledged the seizure is 10 already: wait two frames for a late seize-ack.
    this.guardFrames++;
    if (this.rxAb === BACKWARD_AB.idle && this.guardFrames >= 3) this.toIdle();
  }

  private toIdle(): void {
    this.timer?.unsubscribe();
    this.pulseTimer?.unsubscribe();
    this.stopMf();
    const was = this.stateName;
    this.stateName = 'idle';
    if (this.tx !== this.nibble(FORWARD_AB.idle)) this.setTx(FORWARD_AB.idle, 'idle');
    if (was !== 'idle' && was !== 'blocked' && was !== 'blocking') this.event({ type: 'idle', at: this.now() });
    const pending = this.pendingSeize;
    this.pendingSeize = undefined;
    if (pending && this.stateName === 'idle') this.startSeize(pending);
  }

  // =========================================================================== register: common

  private listening(): boolean {
    const s = this.stateName;
    return (
      s === 'out-register' ||
      s === 'in-register' ||
      s === 'in-offered' ||
      (s === 'in-alerting' && this.backGen.signal !== 0)
    );
  }

  private outgoingSide(): boolean {
    return this.stateName.startsWith('out-') || this.stateName === 'seizing';
  }

  private onMfOn(signal: number): void {
    if (this.outgoingSide()) this.outBackOn(signal);
    else this.inForwardOn(signal);
  }

  private onMfOff(signal: number): void {
    if (this.outgoingSide()) this.outBackOff(signal);
    else this.inForwardOff();
  }

  private stopMf(): void {
    this.fwdGen.stop();
    this.backGen.stop();
    this.pulseTimer?.unsubscribe();
  }

  private resetRegister(): void {
    this.out = undefined;
    this.outIndex = 0;
    this.outAniIndex = 0;
    this.outMode = 'dnis';
    this.outGroup = 'A';
    this.outLastDigit = -1;
    this.backSeen = 0;
    this.failure = undefined;
    this.called = '';
    this.caller = '';
    this.presentation = 'unavailable';
    this.ka = undefined;
    this.kd = undefined;
    this.mode = 'none';
    this.aniDone = false;
    this.categoryDone = false;
    this.back = undefined;
    this.rejectWith = undefined;
    this.kbSent = 0;
    this.answerWanted = false;
  }

  // =========================================================================== register: outgoing

  private outSendNext(signal: number | undefined, phase: Mode = 'dnis'): void {
    if (signal === undefined) {
      // nothing to send (the called number is exhausted): wait for a pulsed backward signal
      this.arm(this.config.timers.mfForwardMs, () => this.outTimeout());
      return;
    }
    this.fwdGen.start(signal);
    this.traceForward('tx', signal, phase);
    this.arm(this.config.timers.mfForwardMs, () => this.outTimeout());
  }

  private outTimeout(): void {
    this.fail(
      'congestion',
      new HotlineError(SignalingErrorCode.MfTimeout, `channel ${this.channel}: the incoming register did not respond`, {
        retryable: true,
      }),
    );
  }

  private outBackOn(signal: number): void {
    if (this.stateName !== 'out-register') return;
    this.backSeen = signal;
    this.traceBackward('rx', signal, this.fwdGen.signal === 0);
    // compelled: stop our signal as soon as the backward signal is recognised
    this.fwdGen.stop();
    this.arm(this.config.timers.mfForwardMs, () => this.outTimeout());
  }

  private outBackOff(signal: number): void {
    if (this.stateName !== 'out-register' || this.backSeen !== signal) return;
    this.backSeen = 0;
    const call = this.out!;
    if (this.outGroup === 'B') {
      const outcome: KbOutcome = this.config.kbOutcomes[signal] ?? 'rejected';
      if (outcome === 'accepted') {
        this.setState('out-alerting');
        this.event({ type: 'accepted', at: this.now(), kb: signal });
        this.arm(this.config.timers.answerMs, () =>
          this.fail(
            'no-answer',
            new HotlineError(SignalingErrorCode.AnswerTimeout, `channel ${this.channel}: no answer`),
          ),
        );
      } else {
        this.fail(outcome, outcome === 'rejected' ? this.protocolError(`KB${signal} is not a known KB`) : undefined);
      }
      return;
    }
    switch (signal) {
      case 1: {
        if (this.outMode === 'ani') {
          const caller = call.callerRestricted ? undefined : call.caller;
          if (call.callerRestricted) {
            this.outMode = 'dnis';
            this.outSendNext(SIGNAL_CALLER_RESTRICTED, 'ani');
          } else if (caller && this.outAniIndex < caller.length) {
            this.outSendNext(signalOfDigit(caller[this.outAniIndex++]!), 'ani');
          } else {
            this.outMode = 'dnis';
            this.outSendNext(SIGNAL_END_OF_CALLER, 'ani');
          }
          return;
        }
        this.outSendDigit(this.outIndex);
        return;
      }
      case 2:
        if (this.config.a2 === 'restart') {
          if (this.outMode === 'ani') {
            const first = call.callerRestricted ? undefined : call.caller?.[0];
            this.outAniIndex = first === undefined ? 0 : 1;
            if (first === undefined) this.outMode = 'dnis';
            this.outSendNext(first === undefined ? SIGNAL_END_OF_CALLER : signalOfDigit(first), 'ani');
          } else this.outSendDigit(0);
        } else this.outSendDigit(Math.max(0, this.outLastDigit - 1));
        return;
      case 3:
        this.outGroup = 'B';
        this.outSendNext(call.kd ?? this.config.kd, 'kd');
        return;
      case 4:
        this.fail('congestion');
        return;
      case 5:
        this.fail('unallocated');
        return;
      case 6:
        // China: A6 asks for KA and then the calling number; OpenR2/ITU-style peers ask for KA only
        this.outMode = this.config.sendCallerAfterKa ? 'ani' : 'dnis';
        this.outAniIndex = 0;
        this.outSendNext(call.ka ?? this.config.ka, 'ka');
        return;
      default:
        this.fail('rejected', this.protocolError(`A${signal} has no meaning in China No.1`));
    }
  }

  private outSendDigit(index: number): void {
    const called = this.out!.called;
    if (index >= called.length) {
      this.outIndex = called.length;
      this.outSendNext(undefined);
      return;
    }
    this.outLastDigit = index;
    this.outIndex = index + 1;
    this.outSendNext(signalOfDigit(called[index]!));
  }

  private fail(
    outcome: Exclude<DialOutcome, 'answered' | 'answering-machine' | 'fax-tone'>,
    error?: HotlineError,
  ): void {
    this.failure = { outcome, ...(error ? { error } : {}) };
    if (error) this.event({ type: 'protocol-error', at: this.now(), error });
    this.event({ type: 'failed', at: this.now(), outcome, ...(error ? { error } : {}) });
    this.clearForward();
  }

  // =========================================================================== register: incoming

  private inForwardOn(signal: number): void {
    const s = this.stateName;
    if (s !== 'in-register' && s !== 'in-offered' && s !== 'in-alerting') return;
    if (this.back?.pulsed) {
      // the forward side reacted to a pulse while it was still on
      this.backGen.stop();
      this.pulseTimer?.unsubscribe();
      this.back = undefined;
    }
    const mode = this.mode;
    let response: number | undefined;
    switch (mode) {
      case 'dnis': {
        const digit = digitOfSignal(signal);
        this.traceForward('rx', signal, mode);
        if (digit !== undefined) {
          this.called += digit;
          response = this.afterCalledDigit();
        } else if (signal === 15) {
          // ITU end of called number; China has none, but accept it
          response = this.calledComplete();
        } else {
          this.unexpected(`I-${signal} while receiving the called number`);
          response = 4;
        }
        break;
      }
      case 'ka':
        this.ka = signal;
        this.categoryDone = true;
        this.traceForward('rx', signal, mode);
        if (this.config.requestCallerNumber) {
          this.mode = 'ani';
          response = 1;
        } else {
          this.aniDone = true;
          response = this.afterCaller();
        }
        break;
      case 'ani': {
        const digit = digitOfSignal(signal);
        this.traceForward('rx', signal, mode);
        if (digit !== undefined) {
          this.caller += digit;
          this.presentation = 'available';
          if (this.caller.length >= this.config.callerDigitsMax) {
            this.aniDone = true;
            response = this.afterCaller();
          } else response = 1;
        } else if (signal === SIGNAL_END_OF_CALLER || signal === SIGNAL_CALLER_RESTRICTED) {
          if (signal === SIGNAL_CALLER_RESTRICTED) {
            this.presentation = 'restricted';
            this.caller = '';
          }
          this.aniDone = true;
          response = this.afterCaller();
        } else {
          this.unexpected(`I-${signal} while receiving the calling number`);
          response = 4;
        }
        break;
      }
      case 'kd':
        this.kd = signal;
        this.traceForward('rx', signal, mode);
        this.mode = 'kb';
        this.timer?.unsubscribe();
        this.setState('in-offered');
        this.offer();
        return;
      default:
        return;
    }
    if (this.rejectWith !== undefined && response !== undefined) {
      response = this.rejectWith;
      this.rejectWith = undefined;
    }
    if (response === undefined) return;
    if (response === 4 || response === 5) this.mode = 'none';
    this.back = { signal: response, pulsed: false };
    this.backGen.start(response);
    this.traceBackward('tx', response, false);
    this.arm(this.config.timers.mfBackwardMs, () => this.timeout('forward signal off', SignalingErrorCode.MfTimeout));
  }

  private inForwardOff(): void {
    const back = this.back;
    if (!back || back.pulsed) return;
    this.backGen.stop();
    this.back = undefined;
    if (this.mode === 'kb' || (this.stateName === 'in-alerting' && this.kbSent !== 0)) {
      this.afterKb();
      return;
    }
    if (back.signal === 4 || back.signal === 5) {
      this.toFailed();
      return;
    }
    // wait for the next forward signal; in the called number, silence may mean its end
    const waitingDigit =
      this.mode === 'dnis' && back.signal === 1 && this.called.length >= this.config.calledDigits.min;
    this.arm(waitingDigit ? this.config.timers.endOfNumberMs : this.config.timers.mfBackwardMs, () => this.inTimeout());
  }

  private afterCalledDigit(): number {
    const cfg = this.config;
    const complete = this.called.length >= cfg.calledDigits.max || (cfg.numberComplete?.(this.called) ?? false);
    if (
      !this.categoryDone &&
      cfg.requestCategory &&
      cfg.categoryAfterDigits > 0 &&
      this.called.length === cfg.categoryAfterDigits
    ) {
      this.calledFinished = complete;
      this.mode = 'ka';
      return 6;
    }
    return complete ? this.calledComplete() : 1;
  }

  private calledFinished = false;

  private calledComplete(): number {
    this.calledFinished = true;
    if (this.config.requestCategory && !this.categoryDone) {
      this.mode = 'ka';
      return 6;
    }
    this.mode = 'kd';
    return 3;
  }

  private afterCaller(): number {
    this.mode = 'dnis';
    if (this.calledFinished) {
      this.mode = 'kd';
      return 3;
    }
    return 1;
  }

  private inTimeout(): void {
    if (this.stateName !== 'in-register') return;
    if (this.mode === 'dnis' && this.called.length >= this.config.calledDigits.min) {
      // China No.1 has no end-of-number signal: silence ends the called number
      this.sendPulse(this.rejectWith ?? this.calledComplete());
      return;
    }
    this.timeout(
      this.mode === 'dnis' && this.called.length === 0 ? 'first digit' : 'next forward signal',
      SignalingErrorCode.MfTimeout,
    );
  }

  private sendPulse(signal: number): void {
    this.back = { signal, pulsed: true };
    this.backGen.start(signal);
    this.traceBackward('tx', signal, true);
    this.pulseTimer?.unsubscribe();
    this.pulseTimer = this.scheduler.schedule(() => {
      if (this.back?.pulsed !== true) return;
      this.backGen.stop();
      this.back = undefined;
      if (signal === 4 || signal === 5) this.toFailed();
      else this.arm(this.config.timers.mfBackwardMs, () => this.inTimeout());
    }, this.config.timers.pulseMs);
  }

  private offer(): void {
    const call = this.incomingCall();
    this.trace('rx', 'mfc', 'called', `called ${call.called}`);
    const callerText = call.caller
      ? this.config.traceCallerNumber
        ? call.caller
        : maskPhone(call.caller)
      : `(${call.callerPresentation})`;
    this.trace('rx', 'mfc', 'calling', `KA=${call.ka ?? '-'} calling ${callerText}`);
    this.event({ type: 'offered', at: this.now(), call });
    this.arm(this.config.timers.decisionMs, () => {
      if (this.stateName === 'in-offered') this.sendKb(4);
    });
  }

  private sendKb(kb: number): void {
    this.kbSent = kb;
    this.timer?.unsubscribe();
    const accepted = this.config.kbOutcomes[kb] === 'accepted';
    this.setState(accepted ? 'in-alerting' : 'in-offered');
    if (this.rxSignal !== 0) {
      // compelled: the forward side still holds KD
      this.back = { signal: kb, pulsed: false };
      this.backGen.start(kb);
      this.traceBackward('tx', kb, false);
      this.arm(this.config.timers.mfBackwardMs, () => this.timeout('KD off', SignalingErrorCode.MfTimeout));
    } else {
      this.sendPulse(kb);
      this.pulseTimer?.unsubscribe();
      this.pulseTimer = this.scheduler.schedule(() => {
        this.backGen.stop();
        this.back = undefined;
        this.afterKb();
      }, this.config.timers.pulseMs);
    }
    if (accepted) this.event({ type: 'accepted', at: this.now(), kb });
  }

  private afterKb(): void {
    this.mode = 'none';
    if (this.config.kbOutcomes[this.kbSent] === 'accepted') {
      this.setState('in-alerting');
      if (this.answerWanted) this.arm(this.config.timers.answerDelayMs, () => this.sendAnswer());
      else this.timer?.unsubscribe();
    } else this.toFailed();
  }

  private sendAnswer(): void {
    if (this.stateName !== 'in-alerting') return;
    this.setState('in-answered');
    this.setTx(BACKWARD_AB.answer, 'answer');
    this.event({ type: 'answered', at: this.now() });
  }

  private toFailed(): void {
    this.stopMf();
    this.mode = 'none';
    this.setState('in-failed');
    this.arm(this.config.timers.clearForwardMs, () => this.timeout('clear-forward', SignalingErrorCode.ReleaseTimeout));
  }

  private timeout(what: string, code: string): void {
    const error = new HotlineError(
      code,
      `channel ${this.channel}: time-out waiting for ${what} in state ${this.stateName}`,
      {
        retryable: true,
        details: { state: this.stateName, waitingFor: what },
      },
    );
    this.event({ type: 'protocol-error', at: this.now(), error });
    if (this.stateName === 'in-register' || this.stateName === 'in-offered') {
      // tell the forward side with a pulsed congestion signal, then wait for its clear-forward
      this.backGen.stop();
      this.back = undefined;
      this.mode = 'none';
      this.sendPulse(4);
      return;
    }
    if (this.stateName.startsWith('in-')) {
      // no clear-forward: give the circuit back
      this.setTx(BACKWARD_AB.idle, 'idle');
      this.toIdle();
    }
  }

  private incomingCall(): ChinaNo1IncomingCall {
    return {
      called: this.called,
      ...(this.caller ? { caller: this.caller } : {}),
      callerPresentation: this.presentation,
      ...(this.ka === undefined ? {} : { ka: this.ka }),
      ...(this.kd === undefined ? {} : { kd: this.kd }),
    };
  }

  // =========================================================================== plumbing

  private arm(ms: number, work: () => void): void {
    this.timer?.unsubscribe();
    this.timer = this.scheduler.schedule(work, ms);
  }

  private now(): number {
    return this.scheduler.now();
  }

  private nibble(ab: number): number {
    return (ab << 2) | this.config.cdBits;
  }

  private setTx(ab: number, name: string): void {
    this.tx = this.nibble(ab);
    this.trace('tx', 'cas', name, `${name} (ABCD ${formatAbcd(this.tx)})`, { abcd: this.tx });
  }

  private setState(state: ChinaNo1State): void {
    this.stateName = state;
  }

  private event(e: ChinaNo1Event): void {
    this.eventSubject.next(e);
  }

  private protocolError(message: string): HotlineError {
    return new HotlineError(SignalingErrorCode.UnexpectedSignal, `channel ${this.channel}: ${message}`, {
      details: { state: this.stateName },
    });
  }

  private unexpected(message: string): void {
    this.event({ type: 'protocol-error', at: this.now(), error: this.protocolError(message) });
  }

  private trace(
    direction: 'rx' | 'tx',
    protocol: 'cas' | 'mfc',
    code: string,
    message: string,
    extra: { abcd?: number; signal?: number; pulsed?: boolean } = {},
  ): void {
    if (!this.signalSubject.observed) return;
    this.signalSubject.next({ at: this.now(), channel: this.channel, direction, protocol, code, message, ...extra });
  }

  private traceForward(direction: 'rx' | 'tx', signal: number, phase: Mode): void {
    if (!this.signalSubject.observed) return;
    if (phase === 'ka') {
      this.trace(direction, 'mfc', 'KA', `KA=${signal} (${KA_MEANINGS[signal] ?? 'spare'})`, { signal });
    } else if (phase === 'kd' || phase === 'kb') {
      this.trace(direction, 'mfc', 'KD', `KD=${signal} (${KD_MEANINGS[signal] ?? 'spare'})`, { signal });
    } else if (phase === 'ani') {
      const digit = digitOfSignal(signal);
      if (digit !== undefined && !this.config.traceCallerNumber)
        this.trace(direction, 'mfc', 'I-*', 'I-* calling-number digit');
      else if (digit !== undefined)
        this.trace(direction, 'mfc', `I-${signal}`, `I-${signal} calling-number digit ${digit}`, { signal });
      else
        this.trace(
          direction,
          'mfc',
          `I-${signal}`,
          `I-${signal} ${signal === 15 ? 'end of calling number' : signal === 12 ? 'calling number restricted' : 'unexpected'}`,
          { signal },
        );
    } else {
      const digit = digitOfSignal(signal);
      this.trace(
        direction,
        'mfc',
        `I-${signal}`,
        digit === undefined ? `I-${signal}` : `I-${signal} called-number digit ${digit}`,
        { signal },
      );
    }
  }

  private traceBackward(direction: 'rx' | 'tx', signal: number, pulsed: boolean): void {
    if (!this.signalSubject.observed) return;
    const groupB = direction === 'tx' ? this.mode === 'kb' || this.kbSent !== 0 : this.outGroup === 'B';
    if (groupB)
      this.trace(direction, 'mfc', `KB${signal}`, `KB=${signal} (${KB_MEANINGS[signal] ?? 'spare'})`, {
        signal,
        pulsed,
      });
    else
      this.trace(
        direction,
        'mfc',
        `A${signal}`,
        `A${signal} ${GROUP_A_MEANINGS[signal] ?? 'spare'}${pulsed ? ' (pulsed)' : ''}`,
        { signal, pulsed },
      );
  }
}

function forwardName(ab: number, state: ChinaNo1State): string {
  if (ab === 0b00) return 'seize';
  if (ab === 0b10) return state === 'idle' || state === 'blocking' || state === 'blocked' ? 'idle' : 'clear-forward';
  if (ab === 0b11 && (state === 'idle' || state === 'blocked')) return 'blocking';
  return `forward ${ab.toString(2).padStart(2, '0')}`;
}

function backwardName(ab: number, state: ChinaNo1State): string {
  if (ab === 0b01) return state === 'out-clear-back' ? 're-answer' : 'answer';
  if (ab === 0b11) return state === 'seizing' ? 'seize-ack' : state === 'out-answered' ? 'clear-back' : 'backward 11';
  if (ab === 0b10) return state === 'out-releasing' ? 'release-guard' : 'idle';
  return state === 'seizing' ? 'seize (dual seizure)' : 'backward 00';
}

function isFullConfig(c: ChinaNo1Config | ChinaNo1ConfigInput | undefined): c is ChinaNo1Config {
  return c !== undefined && Object.isFrozen(c) && 'timers' in c && c.timers !== undefined && 'cdBits' in c;
}
