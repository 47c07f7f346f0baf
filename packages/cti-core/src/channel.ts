import {
  BehaviorSubject,
  Observable,
  Subject,
  first,
  firstValueFrom,
  last,
  map,
  timer,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import { ErrorCode, HotlineError, isHotlineError } from './errors.js';
import { maskPhone, type Logger } from './logger.js';
import { nextState, type ChannelStateName, type ChannelTrigger } from './channel-state.js';
import type {
  BoardDriver,
  ChannelCapabilities,
  ChannelInfo,
  DialOutcome,
  DriverEvents,
  HangupCause,
  OfferedCall,
} from './spi.js';
import type {
  AwaitOptions,
  CallInfo,
  CallRecording,
  CallRecordingOptions,
  ChannelEvent,
  ChannelState,
  CollectOptions,
  CollectResult,
  ConferenceJoinOptions,
  DialOptions,
  DialProgress,
  DialResult,
  FaxJob,
  FaxProgress,
  FaxResult,
  Operation,
  OperationEvent,
  PlayOptions,
  PlayResult,
  RecordOptions,
  RecordResult,
  SendDigitsOptions,
  SignalingTrace,
} from './types.js';

const DTMF = '0123456789*#ABCD';
const DIAL_CHARS = /^[0-9*#ABCD,]+$/;

/** Kinds of operation; at most one of each runs on a channel at a time. */
type OpKind = 'answer' | 'dial' | 'play' | 'record' | 'call-record' | 'collect' | 'send-digits' | 'fax';

interface InFlight {
  readonly kind: OpKind;
  /** The channel is going away (hangup, fault, close): end the operation. */
  abort(error: HotlineError): void;
}

/** @internal What a channel needs from its board. */
export interface ChannelHost {
  readonly driver: BoardDriver;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  nextCallId(): string;
  nextOpId(): string;
  reportIllegal(channel: Channel, from: ChannelStateName, trigger: ChannelTrigger, error: HotlineError): void;
  reportFault(channel: Channel, code: string, message: string): void;
  readonly closed: boolean;
}

function digitSet(option: boolean | string | undefined): string {
  if (option === true) return DTMF;
  if (!option) return '';
  return option;
}

function validateDigits(digits: string, what: string): void {
  for (let i = 0; i < digits.length; i++) {
    if (!DTMF.includes(digits[i]!)) {
      throw new HotlineError(
        ErrorCode.InvalidArgument,
        `${what}: '${digits[i]}' at position ${i + 1} is not a DTMF digit (allowed: ${DTMF})`,
        { details: { position: i } },
      );
    }
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new HotlineError(ErrorCode.InvalidArgument, `${name} must be a finite number >= 0 (got ${String(value)})`);
  }
  return v;
}

/**
 * One channel of a board: a trunk line, a station (agent phone) or a media resource.
 *
 * State is `state$` (a BehaviorSubject view: current state first, then every change). Operations
 * are cold Observables named with a `$` suffix, and each has an awaitable twin without it:
 * `play$(...)` / `play(...)`. Rules every operation keeps:
 * - It is refused with `ERR_UNSUPPORTED` when the channel lacks the capability, and with
 *   `ERR_ILLEGAL_STATE` when the channel is not in a state that allows it.
 * - At most one operation of each kind runs at a time (`ERR_OPERATION_IN_PROGRESS`).
 * - A far-end hangup ends every operation in flight with an `ERR_HANGUP` error (`hangup: true`),
 *   except `record`, which completes normally with reason `hangup` so a voicemail is kept.
 * - A channel fault ends them with `ERR_CHANNEL_FAULT`; other channels are not disturbed.
 * - Unsubscribing (or aborting the awaitable form's signal) cancels the operation on the board.
 */
export class Channel {
  readonly id: string;
  readonly index: number;
  readonly info: ChannelInfo;
  readonly capabilities: ChannelCapabilities;

  private readonly host: ChannelHost;
  private readonly stateSubject: BehaviorSubject<ChannelState>;
  private readonly eventSubject = new Subject<ChannelEvent>();
  private readonly signalingSubject = new Subject<SignalingTrace>();
  private readonly digitSubject = new Subject<string>();
  private readonly vadSubject = new Subject<boolean>();
  private readonly inflight = new Set<InFlight>();
  private readonly running = new Map<OpKind, InFlight>();
  private readonly pendingByOp = new Map<string, (event: OpDriverEvent) => void>();
  private digitBuffer = '';
  private dialOpId: string | undefined;
  private bridgedWith: Channel | undefined;

  /** Current state, then every change. */
  readonly state$: Observable<ChannelState>;
  /** Everything that happens on the channel. */
  readonly events$: Observable<ChannelEvent>;
  /** Line-signalling trace (MFC digits, line states, caller-ID messages). */
  readonly signaling$: Observable<SignalingTrace>;

  /** @internal Created by the board. */
  constructor(host: ChannelHost, info: ChannelInfo) {
    this.host = host;
    this.info = info;
    this.id = info.id;
    this.index = info.index;
    this.capabilities = info.capabilities;
    this.stateSubject = new BehaviorSubject<ChannelState>({ state: 'idle', since: host.scheduler.now() });
    this.state$ = this.stateSubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
    this.signaling$ = this.signalingSubject.asObservable();
  }

  /** The current state. */
  get state(): ChannelState {
    return this.stateSubject.value;
  }

  /** The current call, if any. */
  get call(): CallInfo | undefined {
    const s = this.stateSubject.value;
    return 'call' in s ? s.call : undefined;
  }

  /** The channel this one is bridged to, if any. */
  get bridgedTo(): Channel | undefined {
    return this.bridgedWith;
  }

  /** Digits typed and not yet consumed by `collectDigits`. */
  get bufferedDigits(): string {
    return this.digitBuffer;
  }

  /** Discards and returns the buffered digits. */
  flushDigits(): string {
    const d = this.digitBuffer;
    this.digitBuffer = '';
    return d;
  }

  // ---------------------------------------------------------------- answer / hangup

  /** Answers the offered call. */
  answer$(): Operation<void> {
    return this.op<void>('answer', { states: ['offered'], capability: 'inbound' }, (sub, ctx) => {
      this.host.driver.answer(this.id).then(
        () => {
          if (ctx.finished) return;
          const s = this.state;
          if (s.state !== 'offered') return;
          const call: CallInfo = { ...s.call, answeredAt: this.now() };
          if (this.transition('answer', { state: 'connected', since: this.now(), call })) {
            this.emit({ type: 'connected', at: this.now(), call });
          }
          ctx.done(undefined);
        },
        (error: unknown) => ctx.fail(this.driverError('answer', error)),
      );
      return () => undefined;
    });
  }

  /** Answers the offered call. */
  answer(options?: AwaitOptions): Promise<void> {
    return this.await(this.answer$(), options);
  }

  /**
   * Hangs up the current call (or rejects the offered one) and returns the channel to idle. Every
   * operation in flight ends with `ERR_HANGUP`. Idle or releasing channels resolve at once.
   */
  async hangup(cause: HangupCause = 'normal'): Promise<void> {
    const s = this.state;
    if (s.state === 'idle' || s.state === 'out-of-service') return;
    if (s.state === 'releasing') {
      await firstValueFrom(this.state$.pipe(first((x) => x.state !== 'releasing')), { defaultValue: s });
      return;
    }
    await this.release(cause, false);
  }

  /** Hangs up as a cold Observable (completes once the channel is idle). */
  hangup$(cause: HangupCause = 'normal'): Observable<void> {
    return new Observable<void>((sub) => {
      this.hangup(cause).then(
        () => {
          sub.next();
          sub.complete();
        },
        (e: unknown) => sub.error(e),
      );
    });
  }

  // ---------------------------------------------------------------- dial

  /**
   * Places an outbound call (on a station, rings the phone). Emits `seized`, `dialing`,
   * `proceeding`, `alerting` progress, then the result. Busy, no answer, unallocated... are
   * results with `connected: false` (the channel is idle again), not errors.
   */
  dial$(number: string, options: DialOptions = {}): Operation<DialResult, DialProgress> {
    return this.op<DialResult, DialProgress>('dial', { states: ['idle'], capability: 'outbound' }, (sub, ctx) => {
      if (!number || !DIAL_CHARS.test(number)) {
        throw new HotlineError(
          ErrorCode.InvalidArgument,
          `dial: '${maskPhone(number)}' is not a dialable number (digits 0-9 * # A-D and ',' for a pause)`,
        );
      }
      const noAnswerMs = nonNegative(options.noAnswerTimeoutMs, 45_000, 'noAnswerTimeoutMs');
      const opId = this.host.nextOpId();
      this.dialOpId = opId;
      const call: CallInfo = {
        id: this.host.nextCallId(),
        direction: 'outbound',
        calledNumber: number,
        ...(options.callerId === undefined ? {} : { callerId: options.callerId }),
        ...(options.ka === undefined ? {} : { ka: options.ka }),
        ...(options.kd === undefined ? {} : { kd: options.kd }),
        startedAt: this.now(),
      };
      if (!this.transition('dial', { state: 'dialing', since: this.now(), call })) {
        throw new HotlineError(ErrorCode.IllegalState, `dial: channel ${this.id} is ${this.state.state}`);
      }
      let noAnswerTimer: Subscription | undefined;
      const finish = (outcome: DialOutcome): void => {
        noAnswerTimer?.unsubscribe();
        this.pendingByOp.delete(opId);
        if (outcome === 'answered' || outcome === 'answering-machine' || outcome === 'fax-tone') {
          const connectedCall: CallInfo = { ...call, answeredAt: this.now() };
          if (this.transition('answered', { state: 'connected', since: this.now(), call: connectedCall })) {
            this.emit({ type: 'connected', at: this.now(), call: connectedCall });
          }
          ctx.done({ outcome, connected: true, call: connectedCall });
        } else {
          const cause: HangupCause =
            outcome === 'busy' ||
            outcome === 'no-answer' ||
            outcome === 'unallocated' ||
            outcome === 'congestion' ||
            outcome === 'rejected'
              ? outcome
              : 'normal';
          ctx.markFinished();
          void this.release(cause, false, 'failed').then(() => ctx.done({ outcome, connected: false, call }));
        }
      };
      this.pendingByOp.set(opId, (e) => {
        if (e.type === 'dialProgress') {
          if (e.stage === 'alerting' && !noAnswerTimer && noAnswerMs > 0) {
            noAnswerTimer = timer(noAnswerMs, this.host.scheduler).subscribe(() => finish('no-answer'));
          }
          ctx.progress(e.stage);
        } else if (e.type === 'dialResult') {
          finish(e.outcome);
        }
      });
      // The ring timer also runs if the board never reports alerting.
      if (noAnswerMs > 0)
        noAnswerTimer = timer(noAnswerMs + 15_000, this.host.scheduler).subscribe(() => finish('no-answer'));
      this.host.logger.debug('dial', { channel: this.id, number: maskPhone(number), opId });
      this.host.driver
        .dial(this.id, {
          opId,
          number,
          detectAnswerType: options.detectAnswerType ?? false,
          ...(options.callerId === undefined ? {} : { callerId: options.callerId }),
          ...(options.ka === undefined ? {} : { ka: options.ka }),
          ...(options.kd === undefined ? {} : { kd: options.kd }),
        })
        .catch((error: unknown) => {
          noAnswerTimer?.unsubscribe();
          this.pendingByOp.delete(opId);
          const err = this.driverError('dial', error);
          ctx.markFinished();
          void this.release('normal', false, 'failed').then(() => ctx.fail(err));
        });
      return (canceled) => {
        noAnswerTimer?.unsubscribe();
        this.pendingByOp.delete(opId);
        if (canceled && this.state.state === 'dialing') void this.release('normal', false);
      };
    });
  }

  /** Places an outbound call; resolves with the result. */
  dial(number: string, options: DialOptions = {}): Promise<DialResult> {
    return this.await(this.dial$(number, options), options);
  }

  // ---------------------------------------------------------------- play

  /**
   * Plays one file or a list of files back to back. With `stopOnDigits`, a key press stops the
   * play (barge-in) and the result names the digit, which stays buffered for `collectDigits`.
   */
  play$(files: string | readonly string[], options: PlayOptions = {}): Operation<PlayResult> {
    return this.op<PlayResult>('play', { states: ['connected'], capability: 'play' }, (sub, ctx) => {
      const list = typeof files === 'string' ? [files] : [...files];
      if (list.length === 0 || list.some((f) => typeof f !== 'string' || f.length === 0)) {
        throw new HotlineError(ErrorCode.InvalidArgument, 'play: give at least one non-empty file path');
      }
      const stopSet = digitSet(options.stopOnDigits);
      if (options.flushDigits) this.digitBuffer = '';
      else if (stopSet) {
        // A digit typed ahead of a barge-in prompt skips it.
        for (const d of this.digitBuffer) {
          if (stopSet.includes(d)) {
            ctx.done({ reason: 'digit', digit: d });
            return () => undefined;
          }
        }
      }
      const opId = this.host.nextOpId();
      let stoppedBy: string | undefined;
      let stopRequested = false;
      const stop = (): void => {
        if (stopRequested) return;
        stopRequested = true;
        this.host.driver.stopPlay(this.id, opId).catch((e: unknown) => this.logDriverError('stopPlay', e));
      };
      const digitSub = stopSet
        ? this.digitSubject.subscribe((d) => {
            if (stoppedBy === undefined && stopSet.includes(d)) {
              stoppedBy = d;
              stop();
            }
          })
        : undefined;
      this.pendingByOp.set(opId, (e) => {
        if (e.type !== 'playEnded') return;
        this.pendingByOp.delete(opId);
        digitSub?.unsubscribe();
        if (e.reason === 'error') {
          ctx.fail(
            new HotlineError(ErrorCode.MediaFormat, `play on channel ${this.id} failed: ${e.error ?? 'unknown error'}`),
          );
        } else if (stoppedBy !== undefined) {
          ctx.done({ reason: 'digit', digit: stoppedBy });
        } else {
          ctx.done({ reason: 'completed' });
        }
      });
      this.host.driver.play(this.id, { opId, files: list }).catch((error: unknown) => {
        this.pendingByOp.delete(opId);
        digitSub?.unsubscribe();
        ctx.fail(this.driverError('play', error));
      });
      return (canceled) => {
        digitSub?.unsubscribe();
        if (this.pendingByOp.delete(opId) && canceled) stop();
      };
    });
  }

  /** Plays one file or a list; resolves with why it ended. */
  play(files: string | readonly string[], options: PlayOptions = {}): Promise<PlayResult> {
    return this.await(this.play$(files, options), options);
  }

  // ---------------------------------------------------------------- record

  /**
   * Records the far end into `path`. Ends on max duration, silence after speech, initial silence,
   * a stop digit, cancellation (reason `stopped`), or a far-end hangup (reason `hangup`, the file
   * is kept: this is how a voicemail normally ends).
   */
  record$(path: string, options: RecordOptions = {}): Operation<RecordResult> {
    return this.op<RecordResult>('record', { states: ['connected'], capability: 'record' }, (sub, ctx) => {
      if (!path) throw new HotlineError(ErrorCode.InvalidArgument, 'record: path is empty');
      const encoding = options.encoding ?? 'pcm16';
      if (!this.capabilities.encodings.includes(encoding)) {
        throw new HotlineError(
          ErrorCode.MediaFormat,
          `record: channel ${this.id} cannot record ${encoding} (supports ${this.capabilities.encodings.join(', ')})`,
        );
      }
      const maxMs = nonNegative(options.maxDurationMs, 120_000, 'maxDurationMs');
      const silenceMs = nonNegative(options.silenceMs, 0, 'silenceMs');
      const initialSilenceMs = nonNegative(options.initialSilenceMs, 0, 'initialSilenceMs');
      if ((silenceMs > 0 || initialSilenceMs > 0) && !this.capabilities.voiceDetect) {
        throw new HotlineError(ErrorCode.Unsupported, `record: channel ${this.id} cannot detect silence`);
      }
      const stopSet = digitSet(options.stopOnDigits);
      const opId = this.host.nextOpId();
      const scheduler = this.host.scheduler;
      let reason: RecordResult['reason'] | undefined;
      let digit: string | undefined;
      const timers: Subscription[] = [];
      const requestStop = (why: RecordResult['reason']): void => {
        if (reason !== undefined) return;
        reason = why;
        for (const t of timers) t.unsubscribe();
        this.host.driver.stopRecord(this.id, opId).catch((e: unknown) => this.logDriverError('stopRecord', e));
      };
      if (maxMs > 0) timers.push(timer(maxMs, scheduler).subscribe(() => requestStop('max-duration')));
      let heardVoice = false;
      let silenceTimer: Subscription | undefined;
      const armSilence = (): void => {
        silenceTimer?.unsubscribe();
        if (silenceMs > 0 && heardVoice)
          silenceTimer = timer(silenceMs, scheduler).subscribe(() => requestStop('silence'));
      };
      if (initialSilenceMs > 0) {
        const t = timer(initialSilenceMs, scheduler).subscribe(() => {
          if (!heardVoice) requestStop('initial-silence');
        });
        timers.push(t);
      }
      const vadSub = this.vadSubject.subscribe((voice) => {
        if (voice) {
          heardVoice = true;
          silenceTimer?.unsubscribe();
          silenceTimer = undefined;
        } else {
          armSilence();
        }
      });
      const digitSub = stopSet
        ? this.digitSubject.subscribe((d) => {
            if (stopSet.includes(d) && reason === undefined) {
              digit = d;
              // The stop digit ends the recording; it is not type-ahead for the next prompt.
              const i = this.digitBuffer.lastIndexOf(d);
              if (i >= 0) this.digitBuffer = this.digitBuffer.slice(0, i) + this.digitBuffer.slice(i + 1);
              requestStop('digit');
            }
          })
        : undefined;
      const cleanup = (): void => {
        for (const t of timers) t.unsubscribe();
        silenceTimer?.unsubscribe();
        vadSub.unsubscribe();
        digitSub?.unsubscribe();
        this.pendingByOp.delete(opId);
      };
      ctx.onAbort = (error) => {
        if (error.hangup && reason === undefined) {
          // Keep the recording: wait for the board to close the file.
          reason = 'hangup';
          for (const t of timers) t.unsubscribe();
          this.host.driver.stopRecord(this.id, opId).catch((e: unknown) => this.logDriverError('stopRecord', e));
          return true;
        }
        cleanup();
        return false;
      };
      this.pendingByOp.set(opId, (e) => {
        if (e.type !== 'recordEnded') return;
        cleanup();
        if (e.reason === 'error') {
          ctx.fail(
            new HotlineError(
              ErrorCode.MediaFormat,
              `record on channel ${this.id} failed: ${e.error ?? 'unknown error'}`,
            ),
          );
          return;
        }
        ctx.done({
          reason: reason ?? 'stopped',
          path,
          durationMs: e.durationMs,
          ...(digit === undefined ? {} : { digit }),
        });
      });
      this.host.driver
        .record(this.id, { opId, path, encoding, mix: options.mix ?? false, beep: options.beep ?? false })
        .catch((error: unknown) => {
          cleanup();
          ctx.fail(this.driverError('record', error));
        });
      return (canceled) => {
        if (canceled && this.pendingByOp.has(opId)) requestStop('stopped');
        cleanup();
      };
    });
  }

  /** Records into `path`; resolves with why it stopped and how long it is. */
  record(path: string, options: RecordOptions = {}): Promise<RecordResult> {
    return this.await(this.record$(path, options), options);
  }

  /**
   * Records the whole call (both directions mixed) in the background, alongside every other
   * operation — prompts, digit collection, a voicemail `record`, a bridge to an agent. Needs the
   * `callRecording` capability. `pause()`/`resume()` leave out what must not be recorded (a
   * password being keyed). A far-end hangup ends the recording with reason `hangup` and keeps
   * the file. Refusals (capability, state, arguments) reject `result` with a typed error.
   */
  recordCall(path: string, options: CallRecordingOptions = {}): CallRecording {
    let paused = false;
    let opId: string | undefined;
    let requestStop: ((why: RecordResult['reason']) => void) | undefined;
    const channel = this;
    const result = new Promise<RecordResult>((resolve, reject) => {
      this.op<RecordResult>('call-record', { states: ['connected'], capability: 'callRecording' }, (_sub, ctx) => {
        if (!path) throw new HotlineError(ErrorCode.InvalidArgument, 'recordCall: path is empty');
        const encoding = options.encoding ?? 'alaw';
        if (!this.capabilities.encodings.includes(encoding)) {
          throw new HotlineError(
            ErrorCode.MediaFormat,
            `recordCall: channel ${this.id} cannot record ${encoding} (supports ${this.capabilities.encodings.join(', ')})`,
          );
        }
        const maxMs = nonNegative(options.maxDurationMs, 4 * 3_600_000, 'maxDurationMs');
        const id = this.host.nextOpId();
        opId = id;
        let reason: RecordResult['reason'] | undefined;
        const limit =
          maxMs > 0 ? timer(maxMs, this.host.scheduler).subscribe(() => requestStop?.('max-duration')) : undefined;
        requestStop = (why) => {
          if (reason !== undefined) return;
          reason = why;
          limit?.unsubscribe();
          this.host.driver.stopRecord(this.id, id).catch((e: unknown) => this.logDriverError('stopRecord', e));
        };
        const cleanup = (): void => {
          limit?.unsubscribe();
          this.pendingByOp.delete(id);
        };
        ctx.onAbort = (error) => {
          if (error.hangup && reason === undefined) {
            requestStop?.('hangup');
            return true; // wait for the board to close the file
          }
          cleanup();
          return false;
        };
        this.pendingByOp.set(id, (e) => {
          if (e.type !== 'recordEnded') return;
          cleanup();
          if (e.reason === 'error') {
            ctx.fail(
              new HotlineError(
                ErrorCode.MediaFormat,
                `call recording on channel ${this.id} failed: ${e.error ?? 'unknown error'}`,
              ),
            );
          } else {
            ctx.done({ reason: reason ?? 'stopped', path, durationMs: e.durationMs });
          }
        });
        this.host.driver
          .record(this.id, { opId: id, path, encoding, mix: true, beep: false, background: true })
          .catch((error: unknown) => {
            cleanup();
            ctx.fail(this.driverError('recordCall', error));
          });
        return (canceled) => {
          if (canceled && this.pendingByOp.has(id)) requestStop?.('stopped');
          cleanup();
        };
      }).subscribe({
        next: (e) => {
          if (e.kind === 'done') resolve(e.result);
        },
        error: reject,
      });
    });
    result.catch(() => undefined); // refusals reach whoever awaits `result`; never unhandled
    const setPaused = async (pause: boolean): Promise<void> => {
      if (opId === undefined) throw new HotlineError(ErrorCode.IllegalState, 'recordCall: the recording did not start');
      if (paused === pause) return;
      const driver = channel.host.driver;
      const fn = pause ? driver.pauseRecord?.bind(driver) : driver.resumeRecord?.bind(driver);
      if (!fn)
        throw new HotlineError(ErrorCode.Unsupported, `recordCall: driver ${driver.name} cannot pause a recording`);
      try {
        await fn(channel.id, opId);
      } catch (error) {
        throw channel.driverError(pause ? 'pauseRecord' : 'resumeRecord', error);
      }
      paused = pause;
    };
    return {
      path,
      get paused() {
        return paused;
      },
      pause: () => setPaused(true),
      resume: () => setPaused(false),
      stop: () => {
        requestStop?.('stopped');
        return result;
      },
      result,
    };
  }

  // ---------------------------------------------------------------- digits

  /**
   * Collects DTMF digits. Digits typed ahead (e.g. during a barge-in prompt) count unless
   * `flush` is set. Each digit is emitted as progress. Ends on max digits, a terminator, or a
   * first-digit, inter-digit or total timeout; the result says which.
   */
  collectDigits$(options: CollectOptions = {}): Operation<CollectResult, string> {
    return this.op<CollectResult, string>(
      'collect',
      { states: ['connected'], capability: 'dtmfDetect' },
      (sub, ctx) => {
        const maxDigits = options.maxDigits ?? 1;
        if (!Number.isInteger(maxDigits) || maxDigits < 1 || maxDigits > 128) {
          throw new HotlineError(
            ErrorCode.InvalidArgument,
            `collectDigits: maxDigits must be an integer 1..128 (got ${String(maxDigits)})`,
          );
        }
        const terminators = options.terminators ?? '';
        validateDigits(terminators, 'collectDigits terminators');
        const firstMs = nonNegative(options.firstDigitTimeoutMs, 5_000, 'firstDigitTimeoutMs');
        const interMs = nonNegative(options.interDigitTimeoutMs, 3_000, 'interDigitTimeoutMs');
        const totalMs = nonNegative(options.totalTimeoutMs, 0, 'totalTimeoutMs');
        if (options.flush) this.digitBuffer = '';
        const scheduler = this.host.scheduler;
        let digits = '';
        let digitTimer: Subscription | undefined;
        let totalTimer: Subscription | undefined;
        let digitSub: Subscription | undefined;
        const end = (result: CollectResult): void => {
          digitTimer?.unsubscribe();
          totalTimer?.unsubscribe();
          digitSub?.unsubscribe();
          ctx.done(result);
        };
        const arm = (): void => {
          digitTimer?.unsubscribe();
          const ms = digits.length === 0 ? firstMs : interMs;
          const reason = digits.length === 0 ? 'first-digit-timeout' : 'inter-digit-timeout';
          if (ms > 0) digitTimer = timer(ms, scheduler).subscribe(() => end({ digits, reason }));
        };
        /** Takes one digit from the buffer; returns true when the collect ended. */
        const take = (): boolean => {
          const d = this.digitBuffer[0];
          if (d === undefined) return false;
          this.digitBuffer = this.digitBuffer.slice(1);
          if (terminators.includes(d)) {
            end({ digits, reason: 'terminator', terminator: d });
            return true;
          }
          digits += d;
          ctx.progress(d);
          if (digits.length >= maxDigits) {
            end({ digits, reason: 'max-digits' });
            return true;
          }
          return false;
        };
        while (this.digitBuffer.length > 0) if (take()) return () => undefined;
        if (totalMs > 0)
          totalTimer = timer(totalMs, scheduler).subscribe(() => end({ digits, reason: 'total-timeout' }));
        arm();
        digitSub = this.digitSubject.subscribe(() => {
          if (ctx.finished) return;
          if (!take()) arm();
        });
        ctx.onAbort = () => {
          digitTimer?.unsubscribe();
          totalTimer?.unsubscribe();
          digitSub?.unsubscribe();
          return false;
        };
        return () => {
          digitTimer?.unsubscribe();
          totalTimer?.unsubscribe();
          digitSub?.unsubscribe();
        };
      },
    );
  }

  /** Collects DTMF digits; resolves with the digits and why the entry ended. */
  collectDigits(options: CollectOptions = {}): Promise<CollectResult> {
    return this.await(this.collectDigits$(options), options);
  }

  /** Sends DTMF digits as tones. */
  sendDigits$(digits: string, options: SendDigitsOptions = {}): Operation<void> {
    return this.op<void>(
      'send-digits',
      { states: ['connected', 'dialing'], capability: 'dtmfGenerate' },
      (sub, ctx) => {
        if (!digits) throw new HotlineError(ErrorCode.InvalidArgument, 'sendDigits: no digits given');
        validateDigits(digits, 'sendDigits');
        const onMs = nonNegative(options.onMs, 80, 'onMs');
        const offMs = nonNegative(options.offMs, 80, 'offMs');
        if (onMs < 40 || offMs < 40) {
          throw new HotlineError(
            ErrorCode.InvalidArgument,
            'sendDigits: onMs and offMs must be at least 40 ms (ITU-T Q.24 receivers)',
          );
        }
        const opId = this.host.nextOpId();
        this.pendingByOp.set(opId, (e) => {
          if (e.type !== 'digitsSent') return;
          this.pendingByOp.delete(opId);
          ctx.done(undefined);
        });
        this.host.driver.sendDigits(this.id, { opId, digits, onMs, offMs }).catch((error: unknown) => {
          this.pendingByOp.delete(opId);
          ctx.fail(this.driverError('sendDigits', error));
        });
        return () => {
          this.pendingByOp.delete(opId);
        };
      },
    );
  }

  /** Sends DTMF digits; resolves when they have been sent. */
  sendDigits(digits: string, options: SendDigitsOptions = {}): Promise<void> {
    return this.await(this.sendDigits$(digits, options), options);
  }

  // ---------------------------------------------------------------- fax

  /** Runs a fax job (send or receive) on the connected call. Progress per page; engines decide support. */
  fax$(job: FaxJob): Operation<FaxResult, FaxProgress> {
    return this.op<FaxResult, FaxProgress>('fax', { states: ['connected'], capability: 'fax' }, (sub, ctx) => {
      if (job.files.length === 0) throw new HotlineError(ErrorCode.InvalidArgument, 'fax: no file given');
      if (job.direction === 'receive' && job.files.length !== 1) {
        throw new HotlineError(ErrorCode.InvalidArgument, 'fax: receive takes exactly one target path');
      }
      const opId = this.host.nextOpId();
      this.pendingByOp.set(opId, (e) => {
        if (e.type === 'faxProgress') {
          const { channel: _c, opId: _o, type: _t, ...progress } = e;
          ctx.progress(progress);
        } else if (e.type === 'faxEnded') {
          this.pendingByOp.delete(opId);
          const { channel: _c, opId: _o, type: _t, ...result } = e;
          ctx.done(result);
        }
      });
      this.host.driver
        .fax(this.id, {
          opId,
          direction: job.direction,
          files: job.files,
          ...(job.localId === undefined ? {} : { localId: job.localId }),
          ...(job.headerInfo === undefined ? {} : { headerInfo: job.headerInfo }),
        })
        .catch((error: unknown) => {
          this.pendingByOp.delete(opId);
          ctx.fail(this.driverError('fax', error));
        });
      return (canceled) => {
        if (this.pendingByOp.delete(opId) && canceled) {
          this.host.driver.stopFax(this.id, opId).catch((e: unknown) => this.logDriverError('stopFax', e));
        }
      };
    });
  }

  /** Runs a fax job; resolves with its result. */
  fax(job: FaxJob): Promise<FaxResult> {
    return this.await(this.fax$(job), job);
  }

  // ---------------------------------------------------------------- bridge / conference / misc

  /** Connects this channel's audio with `other`'s, both ways. Both must be connected. */
  async bridge(other: Channel): Promise<void> {
    this.requireCapability('bridge');
    other.requireCapability('bridge');
    if (other === this)
      throw new HotlineError(ErrorCode.InvalidArgument, 'bridge: a channel cannot be bridged to itself');
    for (const ch of [this, other]) {
      if (ch.state.state !== 'connected') {
        throw new HotlineError(ErrorCode.IllegalState, `bridge: channel ${ch.id} is ${ch.state.state}, not connected`);
      }
      if (ch.bridgedWith && ch.bridgedWith !== (ch === this ? other : this)) {
        throw new HotlineError(
          ErrorCode.IllegalState,
          `bridge: channel ${ch.id} is already bridged to ${ch.bridgedWith.id}`,
        );
      }
    }
    try {
      await this.host.driver.bridge(this.id, other.id);
    } catch (error) {
      throw this.driverError('bridge', error);
    }
    this.bridgedWith = other;
    other.bridgedWith = this;
  }

  /** Disconnects a bridge made with {@link bridge}. A channel that is not bridged resolves at once. */
  async unbridge(): Promise<void> {
    const other = this.bridgedWith;
    if (!other) return;
    this.bridgedWith = undefined;
    other.bridgedWith = undefined;
    try {
      await this.host.driver.unbridge(this.id, other.id);
    } catch (error) {
      throw this.driverError('unbridge', error);
    }
  }

  /** Joins a conference (created on first join) in the given mode. */
  async joinConference(conference: string, options: ConferenceJoinOptions = {}): Promise<void> {
    this.requireCapability('conference');
    if (this.state.state !== 'connected') {
      throw new HotlineError(
        ErrorCode.IllegalState,
        `joinConference: channel ${this.id} is ${this.state.state}, not connected`,
      );
    }
    const mode = options.mode ?? 'speak-listen';
    if (mode === 'whisper' && !options.whisperTo) {
      throw new HotlineError(ErrorCode.InvalidArgument, 'joinConference: mode whisper needs whisperTo');
    }
    try {
      await this.host.driver.joinConference(conference, this.id, mode, options.whisperTo);
    } catch (error) {
      throw this.driverError('joinConference', error);
    }
  }

  /** Leaves a conference. */
  async leaveConference(conference: string): Promise<void> {
    try {
      await this.host.driver.leaveConference(conference, this.id);
    } catch (error) {
      throw this.driverError('leaveConference', error);
    }
  }

  /** China No.1: sets the KB answer (called-party status) for the offered call. */
  async setKb(kb: number): Promise<void> {
    this.requireCapability('categories');
    if (!Number.isInteger(kb) || kb < 1 || kb > 15) {
      throw new HotlineError(ErrorCode.InvalidArgument, `setKb: KB must be an integer 1..15 (got ${String(kb)})`);
    }
    if (!this.host.driver.setKb) throw new HotlineError(ErrorCode.Unsupported, 'setKb: the driver has no setKb');
    try {
      await this.host.driver.setKb(this.id, kb);
    } catch (error) {
      throw this.driverError('setKb', error);
    }
  }

  /** Sends a hook-flash (analog trunk). */
  async flash(): Promise<void> {
    this.requireCapability('flash');
    if (!this.host.driver.flash) throw new HotlineError(ErrorCode.Unsupported, 'flash: the driver has no flash');
    if (this.state.state !== 'connected') {
      throw new HotlineError(ErrorCode.IllegalState, `flash: channel ${this.id} is ${this.state.state}, not connected`);
    }
    try {
      await this.host.driver.flash(this.id);
    } catch (error) {
      throw this.driverError('flash', error);
    }
  }

  // ---------------------------------------------------------------- driver events (from the board)

  /** @internal */
  handleOffered(offer: OfferedCall): void {
    const call: CallInfo = { id: this.host.nextCallId(), direction: 'inbound', ...offer, startedAt: this.now() };
    this.digitBuffer = '';
    if (this.transition('offered', { state: 'offered', since: this.now(), call })) {
      this.emit({ type: 'offered', at: this.now(), call });
    }
  }

  /** @internal */
  isOffered(): boolean {
    return this.state.state === 'offered';
  }

  /** @internal */
  handleRemoteHangup(cause: HangupCause): void {
    const s = this.state.state;
    if (s === 'idle' || s === 'releasing' || s === 'out-of-service') {
      // A late release indication (e.g. after our own hangup) is normal; nothing to do.
      if (s === 'idle') this.host.logger.debug('hangup on idle channel ignored', { channel: this.id });
      return;
    }
    void this.release(cause, true);
  }

  /** @internal */
  handleDigit(digit: string): void {
    if (this.state.state !== 'connected' && this.state.state !== 'dialing') return;
    if (this.digitBuffer.length < 128) this.digitBuffer += digit;
    this.emit({ type: 'digit', at: this.now(), digit });
    this.digitSubject.next(digit);
  }

  /** @internal */
  handleVad(voice: boolean): void {
    this.emit({ type: 'voice', at: this.now(), voice });
    this.vadSubject.next(voice);
  }

  /** @internal */
  handleFlash(): void {
    this.emit({ type: 'flash', at: this.now() });
  }

  /** @internal */
  handleOpEvent(event: OpDriverEvent): void {
    const handler = this.pendingByOp.get(event.opId);
    if (handler) handler(event);
  }

  /** @internal */
  handleAnswered(): void {
    // Boards that report answer apart from dialResult: treated as a dial result when dialing.
    const opId = this.dialOpId;
    if (this.state.state !== 'dialing' || opId === undefined) return;
    this.pendingByOp.get(opId)?.({ type: 'dialResult', channel: this.id, opId, outcome: 'answered' });
  }

  /** @internal */
  handleSignaling(trace: SignalingTrace): void {
    this.signalingSubject.next(trace);
  }

  /** @internal */
  handleFault(code: string, message: string, vendorCode?: number): void {
    const previous = this.state;
    const error = new HotlineError(ErrorCode.ChannelFault, `channel ${this.id} faulted: ${message}`, {
      details: { faultCode: code, ...(vendorCode === undefined ? {} : { vendorCode }) },
    });
    this.abortAll(error);
    this.bridgedWith = undefined;
    this.transition('fault', { state: 'out-of-service', since: this.now(), reason: message });
    this.emit({ type: 'fault', at: this.now(), code, message, ...(vendorCode === undefined ? {} : { vendorCode }) });
    if ('call' in previous) {
      this.emit({
        type: 'released',
        at: this.now(),
        call: previous.call,
        cause: 'channel-fault',
        remote: false,
        talkMs: previous.call.answeredAt === undefined ? 0 : this.now() - previous.call.answeredAt,
      });
    }
  }

  /** @internal */
  handleRecovered(): void {
    if (this.transition('recovered', { state: 'idle', since: this.now() })) {
      this.emit({ type: 'recovered', at: this.now() });
    }
  }

  /** @internal The board is closing. */
  shutdown(): void {
    this.abortAll(new HotlineError(ErrorCode.BoardClosed, `board closed (channel ${this.id})`));
    this.eventSubject.complete();
    this.signalingSubject.complete();
    this.stateSubject.complete();
  }

  // ---------------------------------------------------------------- internals

  private now(): number {
    return this.host.scheduler.now();
  }

  private emit(event: ChannelEvent): void {
    this.eventSubject.next(event);
  }

  private transition(trigger: ChannelTrigger, next: ChannelState): boolean {
    const from = this.state.state;
    const to = nextState(from, trigger);
    if (to === undefined || to !== next.state) {
      const error = new HotlineError(
        ErrorCode.IllegalTransition,
        `channel ${this.id}: '${trigger}' is not allowed in state '${from}'`,
        { details: { channel: this.id, from, trigger } },
      );
      this.host.logger.warn('illegal channel transition', { channel: this.id, from, trigger });
      this.emit({ type: 'illegal-transition', at: this.now(), from, trigger, error });
      this.host.reportIllegal(this, from, trigger, error);
      return false;
    }
    this.stateSubject.next(next);
    this.emit({ type: 'state', at: this.now(), state: next, previous: from });
    return true;
  }

  private async release(
    cause: HangupCause,
    remote: boolean,
    trigger: ChannelTrigger = remote ? 'remote-hangup' : 'hangup',
  ): Promise<void> {
    const s = this.state;
    if (!('call' in s) || s.state === 'releasing') return;
    const call = s.call;
    if (!this.transition(trigger, { state: 'releasing', since: this.now(), call, cause, remote })) return;
    this.abortAll(
      new HotlineError(
        ErrorCode.Hangup,
        remote ? `far end hung up on channel ${this.id}` : `call on channel ${this.id} was hung up`,
        {
          hangup: true,
          details: { channel: this.id, cause, remote },
        },
      ),
    );
    const partner = this.bridgedWith;
    if (partner) {
      this.bridgedWith = undefined;
      partner.bridgedWith = undefined;
      await this.host.driver.unbridge(this.id, partner.id).catch((e: unknown) => this.logDriverError('unbridge', e));
    }
    try {
      await this.host.driver.hangup(this.id, cause);
    } catch (error) {
      this.host.reportFault(this, 'release-failed', `hangup failed: ${String(error)}`);
      return;
    }
    if (this.state.state !== 'releasing') return;
    this.digitBuffer = '';
    this.transition('released', { state: 'idle', since: this.now() });
    this.emit({
      type: 'released',
      at: this.now(),
      call,
      cause,
      remote,
      talkMs: call.answeredAt === undefined ? 0 : this.now() - call.answeredAt,
    });
  }

  private abortAll(error: HotlineError): void {
    for (const op of [...this.inflight]) op.abort(error);
  }

  private requireCapability(capability: keyof ChannelCapabilities): void {
    if (!this.capabilities[capability]) {
      throw new HotlineError(
        ErrorCode.Unsupported,
        `channel ${this.id} (${this.info.kind}) does not support ${capability}`,
      );
    }
  }

  private driverError(operation: string, error: unknown): HotlineError {
    if (isHotlineError(error)) return error;
    return new HotlineError(ErrorCode.Driver, `${operation} on channel ${this.id} failed: ${String(error)}`, {
      cause: error,
    });
  }

  private logDriverError(operation: string, error: unknown): void {
    this.host.logger.warn(`${operation} failed`, { channel: this.id, error: String(error) });
  }

  private await<R, P>(operation: Operation<R, P>, options: AwaitOptions = {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(new HotlineError(ErrorCode.Canceled, 'operation aborted before it started', { canceled: true }));
        return;
      }
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        subscription.unsubscribe();
        reject(new HotlineError(ErrorCode.Canceled, 'operation aborted', { canceled: true }));
      };
      const subscription = operation.subscribe({
        next: (e) => {
          if (e.kind === 'done') {
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            resolve(e.result);
          }
        },
        error: (error: unknown) => {
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      if (!settled) signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The one place operations are made: checks capability, state and concurrency, tracks the
   * operation so hangup/fault/close can end it, and turns unsubscription into cancellation.
   */
  private op<R, P = never>(
    kind: OpKind,
    rules: { readonly states: readonly ChannelStateName[]; readonly capability: keyof ChannelCapabilities },
    start: (subscriber: Subscriber<OperationEvent<R, P>>, ctx: OpContext<R, P>) => (canceled: boolean) => void,
  ): Operation<R, P> {
    return new Observable<OperationEvent<R, P>>((subscriber) => {
      if (this.host.closed) {
        subscriber.error(new HotlineError(ErrorCode.BoardClosed, 'the board is closed'));
        return undefined;
      }
      if (!this.capabilities[rules.capability]) {
        subscriber.error(
          new HotlineError(
            ErrorCode.Unsupported,
            `channel ${this.id} (${this.info.kind}) does not support ${rules.capability}`,
          ),
        );
        return undefined;
      }
      const state = this.state.state;
      if (!rules.states.includes(state)) {
        subscriber.error(
          new HotlineError(
            ErrorCode.IllegalState,
            `${kind}: channel ${this.id} is ${state} (needs ${rules.states.join(' or ')})`,
            {
              details: { channel: this.id, state },
            },
          ),
        );
        return undefined;
      }
      if (this.running.has(kind)) {
        subscriber.error(
          new HotlineError(ErrorCode.Busy, `${kind}: another ${kind} is already running on channel ${this.id}`),
        );
        return undefined;
      }
      const ctx = new OpContext<R, P>(subscriber, () => {
        this.inflight.delete(entry);
        if (this.running.get(kind) === entry) this.running.delete(kind);
      });
      const entry: InFlight = {
        kind,
        abort: (error) => {
          if (ctx.finished) return;
          if (ctx.onAbort?.(error)) return;
          ctx.fail(error);
        },
      };
      this.inflight.add(entry);
      this.running.set(kind, entry);
      let teardown: ((canceled: boolean) => void) | undefined;
      try {
        teardown = start(subscriber, ctx);
      } catch (error) {
        ctx.fail(isHotlineError(error) ? error : this.driverError(kind, error));
        return undefined;
      }
      return () => {
        // Runs on completion, error and unsubscription alike: cancel on the board only when the
        // operation was still running (the caller unsubscribed); always release bookkeeping.
        const canceled = !ctx.finished;
        if (canceled) ctx.markFinished();
        teardown?.(canceled);
      };
    });
  }
}

/** @internal Driver events that carry an operation id. */
export type OpDriverEvent =
  | ({ readonly type: 'dialProgress' } & Parameters<DriverEvents['dialProgress']>[0])
  | ({ readonly type: 'dialResult' } & Parameters<DriverEvents['dialResult']>[0])
  | ({ readonly type: 'playEnded' } & Parameters<DriverEvents['playEnded']>[0])
  | ({ readonly type: 'recordEnded' } & Parameters<DriverEvents['recordEnded']>[0])
  | ({ readonly type: 'digitsSent' } & Parameters<DriverEvents['digitsSent']>[0])
  | ({ readonly type: 'faxProgress' } & Parameters<DriverEvents['faxProgress']>[0])
  | ({ readonly type: 'faxEnded' } & Parameters<DriverEvents['faxEnded']>[0]);

/** Bookkeeping of one running operation. */
class OpContext<R, P> {
  finished = false;
  /** Return true to take over an abort (e.g. record keeps its file on hangup). */
  onAbort: ((error: HotlineError) => boolean) | undefined;

  constructor(
    private readonly subscriber: Subscriber<OperationEvent<R, P>>,
    private readonly untrack: () => void,
  ) {}

  progress(progress: P): void {
    if (!this.finished) this.subscriber.next({ kind: 'progress', progress });
  }

  /** Stops further aborts/teardown but lets a final done/fail through. */
  markFinished(): void {
    this.finished = true;
    this.untrack();
  }

  done(result: R): void {
    if (this.subscriber.closed) return;
    this.finished = true;
    this.untrack();
    this.subscriber.next({ kind: 'done', result });
    this.subscriber.complete();
  }

  fail(error: unknown): void {
    if (this.subscriber.closed) return;
    this.finished = true;
    this.untrack();
    this.subscriber.error(error);
  }
}

/** Maps an operation Observable to its result only (drops progress). */
export function resultOf<R, P>(operation: Operation<R, P>): Observable<R> {
  return operation.pipe(
    last((e): e is { readonly kind: 'done'; readonly result: R } => e.kind === 'done'),
    map((e) => e.result),
  );
}
