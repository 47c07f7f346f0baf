/**
 * The driver SPI: what a board vendor implements. Small, Promise-based and RxJS-free.
 *
 * ## Contract
 * - A driver is a thin translation of a vendor API. It **never** implements timeouts,
 *   cancellation policy or call-state rules: `cti-core` owns those and calls the primitive
 *   commands below.
 * - Commands return Promises that resolve when the board has *accepted* the command (not when a
 *   long operation such as play or dial has finished). Long operations are correlated by the
 *   `opId` chosen by cti-core and finish with an event (`playEnded`, `recordEnded`, `dialResult`,
 *   `digitsSent`, `faxEnded`).
 * - A rejected command rejects with a `HotlineError` (code `ERR_DRIVER` with `details.vendorCode`
 *   and `details.vendorName` for vendor failures, or a more precise cti-core code).
 * - Events are emitted asynchronously (never synchronously from inside a command call) on
 *   {@link BoardDriver.events}. Every event names its channel by the id the driver declared in
 *   {@link BoardInfo.channels}.
 * - A stop command for an operation that already ended is a no-op that resolves.
 * - Drivers declare per-channel {@link ChannelCapabilities}; cti-core refuses operations a channel
 *   does not declare, so a driver may assume it is only asked for what it declared.
 *
 * @module
 */
import type TypedEmitter from 'typed-emitter';

/** What kind of line or resource a channel is. */
export type ChannelKind = 'analog-trunk' | 'digital-trunk' | 'station' | 'voip' | 'fax' | 'recorder' | 'virtual';

/** Line signalling of a trunk channel. */
export type SignalingType = 'loop-start' | 'china-no1' | 'isdn' | 'ss7' | 'sip' | 'none';

/** File encodings a board can play or record. */
export type AudioEncoding = 'pcm16' | 'alaw' | 'ulaw' | 'vox';

/** What a channel can do. cti-core refuses an operation whose capability is false. */
export interface ChannelCapabilities {
  /** Accepts incoming calls (`offered` events). */
  readonly inbound: boolean;
  /** Can place calls (`dial`); on a station channel, dialling rings the phone. */
  readonly outbound: boolean;
  readonly play: boolean;
  readonly record: boolean;
  /** Detects DTMF and emits `digit` events. */
  readonly dtmfDetect: boolean;
  readonly dtmfGenerate: boolean;
  /** Reports call-progress results on outbound calls (busy, congestion, answering machine...). */
  readonly callProgress: boolean;
  /** Emits `vad` events (voice/silence), used for record-stop-on-silence. */
  readonly voiceDetect: boolean;
  readonly bridge: boolean;
  readonly conference: boolean;
  readonly fax: boolean;
  /** Delivers the calling number on `offered`. */
  readonly callerId: boolean;
  /** China No.1 categories KA/KD on `offered` and `setKb`. */
  readonly categories: boolean;
  /** Hook-flash in (station) or out (analog trunk). */
  readonly flash: boolean;
  /** Encodings accepted by `play` and `record`. */
  readonly encodings: readonly AudioEncoding[];
  /**
   * Records whole calls in the background (`RecordCommand.background`), alongside every other
   * operation including a foreground `record`, and pauses/resumes such a recording.
   */
  readonly callRecording?: boolean;
}

/** A channel as the driver declares it when the board opens. */
export interface ChannelInfo {
  /** Stable id, unique on the board (e.g. `"0"`, `"span1-ts5"`). */
  readonly id: string;
  /** Zero-based position on the board. */
  readonly index: number;
  readonly kind: ChannelKind;
  readonly signaling: SignalingType;
  /** E1/T1 span number, for digital trunks. */
  readonly span?: number;
  /** Timeslot on the span, for digital trunks. */
  readonly timeslot?: number;
  readonly capabilities: ChannelCapabilities;
}

/** What `open()` reports. */
export interface BoardInfo {
  readonly vendor: string;
  readonly model: string;
  readonly serial?: string;
  readonly channels: readonly ChannelInfo[];
}

/** Why a call ended (Q.850-like, with the causes a voice board can tell apart). */
export type HangupCause =
  | 'normal'
  | 'busy'
  | 'no-answer'
  | 'rejected'
  | 'unallocated'
  | 'congestion'
  | 'network-out-of-order'
  | 'channel-fault'
  | 'unknown';

/** Presentation of the calling number on an incoming call. */
export type CallerIdPresentation = 'available' | 'restricted' | 'unavailable';

/** Facts about an incoming call, as the line delivered them. */
export interface OfferedCall {
  readonly callerId?: string;
  readonly callerIdPresentation?: CallerIdPresentation;
  readonly callerName?: string;
  readonly calledNumber?: string;
  /** China No.1 calling party category KA (1–15), where the trunk has it. */
  readonly ka?: number;
  /** China No.1 KD (call type of the originating exchange), where the trunk has it. */
  readonly kd?: number;
  /** Original called number of a forwarded call. */
  readonly redirectingNumber?: string;
}

/** Outbound dial request given to the driver. */
export interface DialCommand {
  readonly opId: string;
  readonly number: string;
  /** Calling number to present, where the trunk allows it. */
  readonly callerId?: string;
  /** China No.1 KA to send (calling party category). */
  readonly ka?: number;
  /** China No.1 KD to send. */
  readonly kd?: number;
  /** Ask the board to classify the answer (person, answering machine, fax). */
  readonly detectAnswerType: boolean;
}

/** Stage reached by an outbound call before its result. */
export type DialStage = 'seized' | 'dialing' | 'proceeding' | 'alerting';

/** How an outbound call attempt ended. `answered` leaves the channel connected. */
export type DialOutcome =
  | 'answered'
  | 'answering-machine'
  | 'fax-tone'
  | 'busy'
  | 'no-answer'
  | 'no-dial-tone'
  | 'unallocated'
  | 'congestion'
  | 'rejected';

/** A file to play, or a list of files played back to back. */
export interface PlayCommand {
  readonly opId: string;
  readonly files: readonly string[];
}

/** Starts recording the far end's audio (or the mix of a bridged call) into a file. */
export interface RecordCommand {
  readonly opId: string;
  readonly path: string;
  readonly encoding: AudioEncoding;
  /** Record the mix of both directions (a bridged call) rather than only the far end. */
  readonly mix: boolean;
  /** Play a short beep before recording starts. */
  readonly beep: boolean;
  /**
   * A call recording (channels with `callRecording`): runs in the background alongside other
   * operations, including a foreground record, and can be paused with `pauseRecord`.
   */
  readonly background?: boolean;
}

/** Digits sent as DTMF tones. */
export interface SendDigitsCommand {
  readonly opId: string;
  readonly digits: string;
  readonly onMs: number;
  readonly offMs: number;
}

/** How a conference member takes part. `listen` hears only; `whisper` is heard by `whisperTo` only. */
export type ConferenceMode = 'speak-listen' | 'listen' | 'whisper';

/** Fax direction and files. */
export interface FaxCommand {
  readonly opId: string;
  readonly direction: 'send' | 'receive';
  /** TIFF-F files to send, or the path to receive into. */
  readonly files: readonly string[];
  readonly localId?: string;
  readonly headerInfo?: string;
}

/** Why a play ended, as the driver saw it. */
export type DriverPlayEnd = 'completed' | 'stopped' | 'error';

/** Driver → cti-core events. Every payload names its channel. */
export type DriverEvents = {
  /** A call arrived (trunk) or a station went off-hook while idle. */
  offered: (e: { readonly channel: string } & OfferedCall) => void;
  /** The far end answered an outbound call or a ringing station went off-hook. Prefer `dialResult`. */
  answered: (e: { readonly channel: string }) => void;
  /** The far end released (or a station went on-hook). cti-core releases the channel. */
  hangup: (e: { readonly channel: string; readonly cause: HangupCause }) => void;
  /** A DTMF digit was detected. */
  digit: (e: { readonly channel: string; readonly digit: string; readonly durationMs?: number }) => void;
  /** Voice activity changed on the far end's audio. */
  vad: (e: { readonly channel: string; readonly voice: boolean }) => void;
  /** A station hook-flash, or a flash detected on a line. */
  flash: (e: { readonly channel: string }) => void;
  dialProgress: (e: { readonly channel: string; readonly opId: string; readonly stage: DialStage }) => void;
  dialResult: (e: { readonly channel: string; readonly opId: string; readonly outcome: DialOutcome }) => void;
  playEnded: (e: {
    readonly channel: string;
    readonly opId: string;
    readonly reason: DriverPlayEnd;
    readonly error?: string;
  }) => void;
  recordEnded: (e: {
    readonly channel: string;
    readonly opId: string;
    readonly reason: DriverPlayEnd;
    readonly durationMs: number;
    readonly error?: string;
  }) => void;
  digitsSent: (e: { readonly channel: string; readonly opId: string }) => void;
  faxProgress: (e: {
    readonly channel: string;
    readonly opId: string;
    readonly phase: 'negotiating' | 'page' | 'page-done';
    readonly page: number;
    /** Pages in the job, when known (sending). */
    readonly pageCount?: number;
    readonly bitRate?: number;
  }) => void;
  faxEnded: (e: {
    readonly channel: string;
    readonly opId: string;
    readonly success: boolean;
    readonly pages: number;
    readonly result: string;
    readonly remoteId?: string;
    readonly bitRate?: number;
    readonly resolution?: string;
    readonly ecm?: boolean;
    readonly failurePhase?: string;
  }) => void;
  /** A line-signalling message, for the protocol trace. */
  signaling: (e: {
    readonly channel: string;
    readonly direction: 'rx' | 'tx';
    readonly protocol: SignalingType | 'mfc' | 'cas';
    readonly message: string;
  }) => void;
  /** A span alarm (loss of signal, AIS, ...) raised or cleared. */
  alarm: (e: { readonly span: number; readonly alarm: string; readonly active: boolean }) => void;
  /** A channel failed; cti-core takes it out of service. Other channels are not affected. */
  fault: (e: {
    readonly channel: string;
    readonly code: string;
    readonly message: string;
    readonly vendorCode?: number;
  }) => void;
  /** A faulted channel works again. */
  recovered: (e: { readonly channel: string }) => void;
};

/** The event emitter type a driver exposes. */
export type DriverEmitter = TypedEmitter<DriverEvents>;

/**
 * A board driver. One instance drives one board (or one simulated board).
 * See the module documentation for the contract every method keeps.
 */
export interface BoardDriver {
  /** Driver name for logs, e.g. `"board-sim"`, `"sanhui-shp-a3"`. */
  readonly name: string;
  readonly events: DriverEmitter;

  /** Opens the board and declares its channels. Called once. */
  open(): Promise<BoardInfo>;
  /** Releases the board. Pending operations end; no events follow once it resolves. */
  close(): Promise<void>;

  /** Answers an offered call (goes off-hook / sends the answer signal). */
  answer(channel: string): Promise<void>;
  /** Releases the channel (on-hook / clear-forward or clear-back). Idempotent. */
  hangup(channel: string, cause: HangupCause): Promise<void>;
  /** Seizes the line and dials; progress and the result arrive as events. */
  dial(channel: string, command: DialCommand): Promise<void>;

  play(channel: string, command: PlayCommand): Promise<void>;
  stopPlay(channel: string, opId: string): Promise<void>;
  record(channel: string, command: RecordCommand): Promise<void>;
  stopRecord(channel: string, opId: string): Promise<void>;
  /** Pauses a background call recording: nothing is written until `resumeRecord`. */
  pauseRecord?(channel: string, opId: string): Promise<void>;
  resumeRecord?(channel: string, opId: string): Promise<void>;
  sendDigits(channel: string, command: SendDigitsCommand): Promise<void>;

  /** Connects two channels' audio both ways (bus switching). */
  bridge(a: string, b: string): Promise<void>;
  unbridge(a: string, b: string): Promise<void>;
  /** Adds a channel to a conference, created on first join. `whisperTo` is used by mode `whisper`. */
  joinConference(conference: string, channel: string, mode: ConferenceMode, whisperTo?: string): Promise<void>;
  /** Removes a channel from a conference; the conference ends with its last member. */
  leaveConference(conference: string, channel: string): Promise<void>;

  /** Starts a fax session; progress and the result arrive as events. */
  fax(channel: string, command: FaxCommand): Promise<void>;
  stopFax(channel: string, opId: string): Promise<void>;

  /** Sends a hook-flash on an analog trunk. */
  flash?(channel: string): Promise<void>;
  /** China No.1: sets the KB (called-party status) answer for the current incoming call. */
  setKb?(channel: string, kb: number): Promise<void>;
}
