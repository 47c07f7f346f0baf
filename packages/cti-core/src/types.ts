import type { Observable } from 'rxjs';
import type { HotlineError } from './errors.js';
import type { ChannelStateName, ChannelTrigger } from './channel-state.js';
import type {
  CallerIdPresentation,
  ConferenceMode,
  DialOutcome,
  DialStage,
  HangupCause,
  SignalingType,
} from './spi.js';

/** One call on a channel, from offer or dial to release. */
export interface CallInfo {
  /** Unique id of the call on this board (`<board>-<n>`). */
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly callerId?: string;
  readonly callerIdPresentation?: CallerIdPresentation;
  readonly callerName?: string;
  readonly calledNumber?: string;
  readonly redirectingNumber?: string;
  /** China No.1 calling party category, where the trunk has it. */
  readonly ka?: number;
  readonly kd?: number;
  /** Scheduler time of the offer or dial. */
  readonly startedAt: number;
  /** Scheduler time of the answer, once connected. */
  readonly answeredAt?: number;
}

/** The state of a channel: a readonly discriminated union on `state`. */
export type ChannelState =
  | { readonly state: 'idle'; readonly since: number }
  | { readonly state: 'offered'; readonly since: number; readonly call: CallInfo }
  | { readonly state: 'dialing'; readonly since: number; readonly call: CallInfo }
  | { readonly state: 'connected'; readonly since: number; readonly call: CallInfo }
  | {
      readonly state: 'releasing';
      readonly since: number;
      readonly call: CallInfo;
      readonly cause: HangupCause;
      readonly remote: boolean;
    }
  | { readonly state: 'out-of-service'; readonly since: number; readonly reason: string };

/** Events of one channel (`Channel.events$`). */
export type ChannelEvent =
  | { readonly type: 'state'; readonly at: number; readonly state: ChannelState; readonly previous: ChannelStateName }
  | { readonly type: 'offered'; readonly at: number; readonly call: CallInfo }
  | { readonly type: 'connected'; readonly at: number; readonly call: CallInfo }
  | { readonly type: 'digit'; readonly at: number; readonly digit: string }
  | { readonly type: 'voice'; readonly at: number; readonly voice: boolean }
  | { readonly type: 'flash'; readonly at: number }
  | {
      readonly type: 'released';
      readonly at: number;
      readonly call: CallInfo;
      readonly cause: HangupCause;
      /** True when the far end hung up first. */
      readonly remote: boolean;
      /** Connected time in ms (0 if never answered). */
      readonly talkMs: number;
    }
  | {
      readonly type: 'illegal-transition';
      readonly at: number;
      readonly from: ChannelStateName;
      readonly trigger: ChannelTrigger;
      readonly error: HotlineError;
    }
  | {
      readonly type: 'fault';
      readonly at: number;
      readonly code: string;
      readonly message: string;
      readonly vendorCode?: number;
    }
  | { readonly type: 'recovered'; readonly at: number };

/** One line of the signalling trace (`Channel.signaling$`). */
export interface SignalingTrace {
  readonly at: number;
  readonly channel: string;
  readonly direction: 'rx' | 'tx';
  readonly protocol: SignalingType | 'mfc' | 'cas';
  readonly message: string;
}

/**
 * What an operation Observable emits: zero or more `progress` items, then exactly one `done`
 * item carrying the result, then completion.
 */
export type OperationEvent<R, P = never> =
  { readonly kind: 'progress'; readonly progress: P } | { readonly kind: 'done'; readonly result: R };

/**
 * A channel operation as a cold Observable: subscribing starts it, unsubscribing cancels it
 * (stops the play, the record, the dial...), completion means done. Fatal failures (hangup,
 * channel fault, illegal state, driver error) arrive on the error channel as `HotlineError`s.
 */
export type Operation<R, P = never> = Observable<OperationEvent<R, P>>;

/** Options of every awaitable operation form. */
export interface AwaitOptions {
  /** Aborting cancels the operation; the Promise rejects with `ERR_CANCELED`. */
  readonly signal?: AbortSignal;
}

/** Result of `dial`. */
export type DialResult =
  | {
      readonly outcome: 'answered' | 'answering-machine' | 'fax-tone';
      readonly connected: true;
      readonly call: CallInfo;
    }
  | {
      readonly outcome: Exclude<DialOutcome, 'answered' | 'answering-machine' | 'fax-tone'>;
      readonly connected: false;
      readonly call: CallInfo;
    };

/** Options of `dial`. */
export interface DialOptions extends AwaitOptions {
  readonly callerId?: string;
  readonly ka?: number;
  readonly kd?: number;
  /** Ring time after which the attempt ends as `no-answer` (default 45 s). */
  readonly noAnswerTimeoutMs?: number;
  /** Ask the board to tell a person from an answering machine or a fax (default false). */
  readonly detectAnswerType?: boolean;
}

/** Progress of `dial`. */
export type DialProgress = DialStage;

/** Options of `play`. */
export interface PlayOptions extends AwaitOptions {
  /**
   * Barge-in: stop playing when the caller presses a key. `true` = any digit, a string = only
   * those digits. The digit stays in the channel's digit buffer for the next `collectDigits`.
   */
  readonly stopOnDigits?: boolean | string;
  /** Discard digits typed before the play starts (default false). */
  readonly flushDigits?: boolean;
}

/** Result of `play`. */
export type PlayResult = { readonly reason: 'completed' } | { readonly reason: 'digit'; readonly digit: string };

/** Options of `record`. */
export interface RecordOptions extends AwaitOptions {
  /** File encoding (default `pcm16` WAV). */
  readonly encoding?: 'pcm16' | 'alaw' | 'ulaw' | 'vox';
  /** Stop after this long (default 120 s). */
  readonly maxDurationMs?: number;
  /** Stop after this much continuous silence once the caller has spoken; 0 disables (default 0). */
  readonly silenceMs?: number;
  /** Stop when nothing at all is said for this long from the start; 0 disables (default 0). */
  readonly initialSilenceMs?: number;
  /** Stop on these DTMF digits (`true` = any). The digit is not kept in the buffer. */
  readonly stopOnDigits?: boolean | string;
  /** Record both directions of a bridged call (default false). */
  readonly mix?: boolean;
  /** Beep before recording (default false). */
  readonly beep?: boolean;
}

/** Result of `record`. A far-end hangup ends a recording normally, with reason `hangup`. */
export interface RecordResult {
  readonly reason: 'max-duration' | 'silence' | 'initial-silence' | 'digit' | 'hangup' | 'stopped';
  readonly path: string;
  readonly durationMs: number;
  readonly digit?: string;
}

/** Options of `recordCall`. */
export interface CallRecordingOptions {
  /** File encoding (default `alaw`: half the size of PCM16, the telephone's own quality). */
  readonly encoding?: 'pcm16' | 'alaw' | 'ulaw' | 'vox';
  /** Stop after this long (default 4 h). */
  readonly maxDurationMs?: number;
}

/**
 * A call being recorded in the background (both directions mixed). The recording ends when the
 * call does (reason `hangup`, the file is kept), on `stop()`, or at the maximum duration.
 */
export interface CallRecording {
  readonly path: string;
  /** True while paused. */
  readonly paused: boolean;
  /** Stops writing (e.g. while a password is keyed); idempotent. */
  pause(): Promise<void>;
  /** Writes again after `pause`; idempotent. */
  resume(): Promise<void>;
  /** Ends the recording and resolves with its result. */
  stop(): Promise<RecordResult>;
  /** Settles when the recording ends, however it ends. */
  readonly result: Promise<RecordResult>;
}

/** Options of `collectDigits`. */
export interface CollectOptions extends AwaitOptions {
  /** Stop after this many digits (default 1; terminators do not count). */
  readonly maxDigits?: number;
  /** Digits that end the entry; the terminator is not part of the result (default none). */
  readonly terminators?: string;
  /** Time allowed for the first digit (default 5 s). */
  readonly firstDigitTimeoutMs?: number;
  /** Time allowed between digits (default 3 s). */
  readonly interDigitTimeoutMs?: number;
  /** Time allowed for the whole entry; 0 = none (default 0). */
  readonly totalTimeoutMs?: number;
  /** Discard digits typed before the collect starts (default false: type-ahead is kept). */
  readonly flush?: boolean;
}

/** Result of `collectDigits`. */
export interface CollectResult {
  readonly digits: string;
  readonly reason: 'max-digits' | 'terminator' | 'first-digit-timeout' | 'inter-digit-timeout' | 'total-timeout';
  readonly terminator?: string;
}

/** Options of `sendDigits`. */
export interface SendDigitsOptions extends AwaitOptions {
  readonly onMs?: number;
  readonly offMs?: number;
}

/** A fax job. */
export interface FaxJob extends AwaitOptions {
  readonly direction: 'send' | 'receive';
  /** TIFF-F files to send, or the one path to receive into. */
  readonly files: readonly string[];
  readonly localId?: string;
  readonly headerInfo?: string;
}

/** Progress of a fax job. */
export interface FaxProgress {
  readonly phase: 'negotiating' | 'page' | 'page-done';
  readonly page: number;
  readonly bitRate?: number;
  /** Pages in the document being sent, when the engine knows (page `page` of `pageCount`). */
  readonly pageCount?: number;
}

/** Result of a fax job. */
export interface FaxResult {
  readonly success: boolean;
  /** Pages transferred. */
  readonly pages: number;
  /** Engine or board result text (e.g. `OK`, `T30_ERR_RX_NOCARRIER`). */
  readonly result: string;
  readonly remoteId?: string;
  /** Negotiated bit rate (e.g. 14400). */
  readonly bitRate?: number;
  /** Vertical x horizontal resolution as `"R8 x 3.85"`-like text or dpi. */
  readonly resolution?: string;
  /** Whether error-correction mode was used. */
  readonly ecm?: boolean;
  /** The T.30 phase in which a failed session stopped. */
  readonly failurePhase?: string;
}

/** Options of conference join. */
export interface ConferenceJoinOptions {
  readonly mode?: ConferenceMode;
  /** For `whisper`: the member who hears the whisperer (the agent being coached). */
  readonly whisperTo?: string;
}
