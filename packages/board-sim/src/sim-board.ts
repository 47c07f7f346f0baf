import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import {
  ErrorCode,
  HotlineError,
  silentLogger,
  type BoardDriver,
  type BoardInfo,
  type ChannelCapabilities,
  type ChannelInfo,
  type ConferenceMode,
  type DialCommand,
  type DialOutcome,
  type DriverEmitter,
  type DriverEvents,
  type FaxCommand,
  type HangupCause,
  type Logger,
  type PlayCommand,
  type RecordCommand,
  type SendDigitsCommand,
  type SoftFaxEngine,
  type SoftFaxSession,
  maskPhone,
} from '@hotline/cti-core';
import {
  CallProgressDetector,
  ChineseTones,
  DtmfDetector,
  DtmfGenerator,
  FRAME_SAMPLES,
  ToneGenerator,
  VoiceActivityDetector,
  readWav,
  writeWav,
  type ToneSpec,
  DtmfCallerIdDetector,
  FskCallerIdDetector,
  generateDtmfCallerId,
  generateFskCallerId,
} from '@hotline/cti-core/media';
import {
  ChinaNo1Line,
  chinaNo1Config,
  type ChinaNo1ConfigInput,
  type ChinaNo1Config,
  type ChinaNo1Event,
} from '@hotline/cti-core/signaling';
import { AnswerTypeDetector } from './answer-detector.js';
import { SimParty } from './party.js';
import { synthesizeSpeech } from './speech.js';

/** Options of {@link SimBoard}. */
export interface SimBoardOptions {
  /** Clock of the simulation: a `VirtualScheduler` in tests, rxjs `asyncScheduler` (default) for real time. */
  readonly scheduler?: SchedulerLike;
  /** Analog loop-start trunks (default 4). */
  readonly analogTrunks?: number;
  /** E1 spans with China No.1 signalling, 30 channels each (default 0). */
  readonly e1Spans?: number;
  /** Stations: agents' phones on the board (default 0). */
  readonly stations?: number;
  /** Board model name (default `SIM-<n>`). */
  readonly model?: string;
  readonly logger?: Logger;
  /** Keep every sample each far-end party hears (default true; turn off for load tests). */
  readonly keepAudio?: boolean;
  /** A soft fax engine (e.g. `@hotline/fax-spandsp`): trunks declare `fax` when it is available. */
  readonly faxEngine?: SoftFaxEngine;
  /**
   * China No.1 trunk-group configuration of the board's E1 channels (`@hotline/cti-core/signaling`).
   * Default: called numbers of 1–20 digits ended by 1 s of silence, calling number requested.
   */
  readonly e1Signaling?: ChinaNo1ConfigInput;
  /** Called number a simulated E1 caller dials when `call()` names none (default `8000`). */
  readonly e1DefaultCalledNumber?: string;
}

/** A simulated fax machine: its engine and what it sends or receives. */
export interface SimFaxMachine {
  readonly engine: SoftFaxEngine;
  readonly direction: 'send' | 'receive';
  /** Pages to send, or the one path to receive into. */
  readonly files: readonly string[];
  readonly localId?: string;
  readonly ecm?: boolean;
  /** Told the machine's own result when its session ends. */
  readonly onResult?: (result: import('@hotline/cti-core').FaxResult) => void;
}

/** How a simulated called party behaves when dialled. */
export type SubscriberBehaviour =
  | {
      readonly type: 'answer';
      /** Rings before answering (default 1; a ring cycle is 5 s). */
      readonly afterRings?: number;
      /** Runs once connected; the party says "喂" first unless `silent`. */
      readonly script?: (party: SimParty) => void | Promise<void>;
      readonly silent?: boolean;
    }
  | { readonly type: 'answering-machine'; readonly afterRings?: number; readonly greetingMs?: number }
  | {
      readonly type: 'fax';
      readonly afterRings?: number;
      /** With a machine, a real fax session runs; without, the party only answers with CED. */
      readonly machine?: SimFaxMachine;
    }
  | { readonly type: 'busy' }
  | { readonly type: 'no-answer' }
  | { readonly type: 'unallocated' }
  | { readonly type: 'congestion' }
  | { readonly type: 'reject' };

/** Options of {@link SimBoard.call}. */
export interface SimCallOptions {
  /** Calling number (caller ID). Omit for an anonymous caller. */
  readonly from?: string;
  /** Called number (DNIS). */
  readonly to?: string;
  /** Presentation of the caller ID (default available when `from` is given). */
  readonly presentation?: 'available' | 'restricted' | 'unavailable';
  /** China No.1 KA (default 1, ordinary subscriber) on E1 trunks. */
  readonly ka?: number;
  readonly kd?: number;
  /** Which trunk: `analog`, `e1`, or a channel id (default: first idle analog, then E1). */
  readonly trunk?: string;
  /** Hang up if not answered within this time (default 60 s). */
  readonly giveUpAfterMs?: number;
  /** The caller is a fax machine: once answered it sends or receives with its own engine. */
  readonly fax?: SimFaxMachine;
  /**
   * How the exchange delivers caller ID on an analog trunk (default `fsk`): Bell 202 FSK (YDN 069
   * MDMF) in the silence after the first ring, DTMF (A…C) before the first ring, or none. The
   * board finds the number in the line audio with the soft DSP.
   */
  readonly callerIdSignalling?: 'fsk' | 'dtmf' | 'none';
}

const RING_CYCLE_MS = 5000;
const DTMF_ALL = '0123456789*#ABCD';

type LineState = 'idle' | 'incoming' | 'dialing' | 'connected' | 'far-released' | 'out-of-service';

interface PlayState {
  readonly opId: string;
  readonly clips: readonly Int16Array[];
  clip: number;
  pos: number;
}

interface RecordState {
  readonly opId: string;
  readonly path: string;
  readonly encoding: 'pcm16' | 'alaw' | 'ulaw';
  readonly mix: boolean;
  readonly chunks: Int16Array[];
  samples: number;
  beepMs: number;
  readonly beep: ToneGenerator;
}

interface DialState {
  readonly opId: string;
  readonly number: string;
  readonly behaviour: SubscriberBehaviour | undefined;
  readonly detectAnswerType: boolean;
  readonly startedAt: number;
  /** Audio the network sends back before answer (ringback, busy...). */
  network: ToneGenerator | undefined;
  cpt: CallProgressDetector | undefined;
  amd: AnswerTypeDetector | undefined;
  alerted: boolean;
  timers: Subscription[];
  /** Set once the far end answered, while the answer type is being classified. */
  answeredBy: SimParty | undefined;
}

interface ConferenceMember {
  readonly mode: ConferenceMode;
  readonly whisperTo: string | undefined;
}

/** @internal One simulated line: the board side and the far end of one channel. */
class SimLine {
  state: LineState = 'idle';
  party: SimParty | undefined;
  play: PlayState | undefined;
  record: RecordState | undefined;
  /** The background call recording, if any (records alongside `record`). */
  callRec: (RecordState & { paused: boolean }) | undefined;
  send: { opId: string; gen: DtmfGenerator } | undefined;
  dial: DialState | undefined;
  fax: { opId: string; session: SoftFaxSession } | undefined;
  /** The current call was placed by the board (T.30 calling side). */
  outbound = false;
  bridge: SimLine | undefined;
  conference: string | undefined;
  ringing = false;
  dialToneOk = true;
  kb: number | undefined;
  readonly rx = new Int16Array(FRAME_SAMPLES);
  readonly tx = new Int16Array(FRAME_SAMPLES);
  readonly mixBuf = new Int16Array(FRAME_SAMPLES);
  dtmf: DtmfDetector | undefined;
  vad: VoiceActivityDetector | undefined;
  giveUp: Subscription | undefined;
  ringback: ToneGenerator | undefined;
  /** Media is flowing (the tick must process this line). */
  active = false;
  /** E1: the board's China No.1 engine and the simulated exchange's, on the two ends of the timeslot. */
  r2:
    | { board: ChinaNo1Line; exchange: ChinaNo1Line; answerWaiters: { resolve(): void; reject(e: unknown): void }[] }
    | undefined;
  /** E1: the board sent MF this frame (the caller does not hear register signals). */
  mfTx = false;
  /** E1: the current incoming call has been offered to the application. */
  e1Offered = false;
  /** Analog inbound: caller-ID audio the exchange is still to send (before or between rings). */
  cidAudio: { samples: Int16Array; pos: number; startAt: number } | undefined;
  /** Analog inbound: the board's caller-ID detectors while the call is offered, and the offer to make. */
  cidRx: { fsk: FskCallerIdDetector; dtmf: DtmfCallerIdDetector; offer: () => void } | undefined;

  constructor(readonly info: ChannelInfo) {}

  get id(): string {
    return this.info.id;
  }
}

function capabilities(kind: 'analog' | 'e1' | 'station', fax: boolean): ChannelCapabilities {
  return {
    inbound: true,
    outbound: true,
    play: true,
    record: true,
    dtmfDetect: true,
    dtmfGenerate: kind !== 'station',
    callProgress: kind !== 'station',
    voiceDetect: true,
    bridge: true,
    conference: true,
    fax: fax && kind !== 'station',
    callerId: kind !== 'station',
    categories: kind === 'e1',
    flash: kind !== 'e1',
    encodings: ['pcm16', 'alaw', 'ulaw'],
    callRecording: kind !== 'station',
  };
}

/**
 * A simulated PSTN and voice board: the reference driver (`driver`) plus the far end that drives
 * it in tests and demos (`call`, `subscriber`, `phone`, `fault`...).
 *
 * Media is real: 8 kHz PCM in 20 ms frames flows both ways on every active line; callers key
 * DTMF as tones that the board's soft DSP must detect; outbound calls are classified from the
 * tones the simulated network plays (busy, ringback, vacant number...) on analog trunks, and
 * from backward China No.1 signals (KB) on E1 trunks. Runs in virtual time (a
 * `VirtualScheduler`) or in real time.
 */
export class SimBoard {
  /** The driver to give to `openBoard`. */
  readonly driver: BoardDriver;

  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly keepAudio: boolean;
  private readonly lines: SimLine[] = [];
  private readonly byId = new Map<string, SimLine>();
  private readonly subscribers = new Map<string, SubscriberBehaviour>();
  private readonly phones = new Map<string, SimPhone>();
  private readonly conferences = new Map<string, Map<string, ConferenceMember>>();
  private readonly emitter: DriverEmitter = new EventEmitter() as unknown as DriverEmitter;
  private readonly promptCache = new Map<string, { mtimeMs: number; samples: Int16Array }>();
  private readonly model: string;
  private readonly faxEngine: SoftFaxEngine | undefined;
  /** Per analog line being offered: feeds the line audio to its caller-ID detectors. */
  private readonly cidFeeds = new Map<string, (frame: Int16Array) => void>();
  private readonly boardR2: ChinaNo1Config;
  private readonly exchangeR2: ChinaNo1Config;
  private readonly defaultCalled: string;
  private tick: Subscription | undefined;
  private opened = false;
  private closedFlag = false;
  private activeCount = 0;
  private framesProcessed = 0;

  constructor(options: SimBoardOptions = {}) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    this.keepAudio = options.keepAudio ?? true;
    this.faxEngine = options.faxEngine;
    const fax = options.faxEngine?.available ?? false;
    const analog = options.analogTrunks ?? 4;
    const spans = options.e1Spans ?? 0;
    const stations = options.stations ?? 0;
    for (const [name, n] of [
      ['analogTrunks', analog],
      ['e1Spans', spans],
      ['stations', stations],
    ] as const) {
      if (!Number.isInteger(n) || n < 0 || n > 4096) {
        throw new HotlineError(
          ErrorCode.InvalidArgument,
          `SimBoard: ${name} must be an integer 0..4096 (got ${String(n)})`,
        );
      }
    }
    this.model = options.model ?? `SIM-${analog}A-${spans}E1-${stations}S`;
    this.boardR2 = chinaNo1Config({
      calledDigits: { min: 1, max: 20 },
      ...options.e1Signaling,
      timers: { endOfNumberMs: 1000, ...options.e1Signaling?.timers },
    });
    // The simulated exchange knows its subscribers (numbering plan); unknown numbers end by time-out.
    // KB8 (ITU "line out of order") stands for a rejected call.
    this.exchangeR2 = chinaNo1Config({
      numberComplete: (n) => this.subscribers.has(n),
      kbOutcomes: {
        1: 'accepted',
        2: 'busy',
        3: 'busy',
        4: 'congestion',
        5: 'unallocated',
        6: 'accepted',
        8: 'rejected',
      },
      timers: { endOfNumberMs: 1000 },
    });
    this.defaultCalled = options.e1DefaultCalledNumber ?? '8000';
    if (!/^[0-9]{1,20}$/.test(this.defaultCalled)) {
      throw new HotlineError(ErrorCode.InvalidArgument, 'SimBoard: e1DefaultCalledNumber must be 1-20 digits');
    }
    let index = 0;
    const add = (info: Omit<ChannelInfo, 'index'>): void => {
      const line = new SimLine({ ...info, index: index++ });
      this.lines.push(line);
      this.byId.set(line.id, line);
    };
    for (let i = 0; i < analog; i++) {
      add({ id: `a${i}`, kind: 'analog-trunk', signaling: 'loop-start', capabilities: capabilities('analog', fax) });
    }
    for (let s = 0; s < spans; s++) {
      for (let ts = 1; ts <= 31; ts++) {
        if (ts === 16) continue;
        add({
          id: `e${s}-${ts}`,
          kind: 'digital-trunk',
          signaling: 'china-no1',
          span: s,
          timeslot: ts,
          capabilities: capabilities('e1', fax),
        });
      }
    }
    for (let i = 0; i < stations; i++) {
      add({ id: `s${i}`, kind: 'station', signaling: 'loop-start', capabilities: capabilities('station', fax) });
    }
    for (const line of this.lines) if (line.info.kind === 'digital-trunk') this.attachR2(line);
    this.driver = this.makeDriver();
  }

  /** The declared channels. */
  get channels(): readonly ChannelInfo[] {
    return this.lines.map((l) => l.info);
  }

  /** Frames of audio processed so far (both directions of every active line count once). */
  get frames(): number {
    return this.framesProcessed;
  }

  // ================================================================== far-end control

  /**
   * A simulated caller dials in on a trunk. Returns the caller at once; it connects when the
   * board answers (`whenConnected`). With no idle trunk, the caller hears congestion and the
   * call ends (`release.cause` is `congestion`).
   */
  call(options: SimCallOptions = {}): SimParty {
    const party = new SimParty(options.from ?? '', this.scheduler, this.keepAudio);
    const line = this.pickTrunk(options.trunk);
    if (!line || !this.opened || this.closedFlag) {
      party.attach({ farHangup: () => undefined, wake: () => undefined });
      this.later(() => party.markReleased('board', 'congestion'));
      return party;
    }
    line.state = 'incoming';
    line.party = party;
    party.channel = line.id;
    line.outbound = false;
    line.kb = undefined;
    line.e1Offered = false;
    if (options.fax) {
      const machine = options.fax;
      void party.whenConnected().then(
        () =>
          party
            .fax(machine.engine, { ...machine, calling: true })
            .then((r) => machine.onResult?.(r))
            .catch((e: unknown) => this.logger.warn('simulated fax caller failed', { error: String(e) })),
        () => undefined,
      );
    }
    party.attach(this.linkFor(line, party));
    const e1 = line.info.kind === 'digital-trunk';
    const ka = options.ka ?? 1;
    const presentation = options.presentation ?? (options.from ? 'available' : 'unavailable');
    const offer = {
      channel: line.id,
      ...(options.from && presentation === 'available' ? { callerId: options.from } : {}),
      callerIdPresentation: presentation,
      ...(options.to ? { calledNumber: options.to } : {}),
      ...(e1 ? { ka, ...(options.kd === undefined ? {} : { kd: options.kd }) } : {}),
    } as const;
    if (e1) {
      // The exchange seizes the timeslot and runs the MFC exchange with the board's engine;
      // the board offers the call when the register signalling is complete.
      line.r2!.exchange.seize({
        called: options.to ?? this.defaultCalled,
        ...(options.from ? { caller: options.from } : {}),
        ...(presentation === 'restricted' ? { callerRestricted: true } : {}),
        ka,
        ...(options.kd === undefined ? {} : { kd: options.kd }),
      });
    } else {
      // Analog: the exchange rings (1 s on, 4 s off) and sends caller ID as audio — DTMF before
      // the first ring or FSK in the silence after it. The board finds it with its detectors and
      // offers the call then; with no caller ID it offers after the first ring and a short wait.
      const mode = options.callerIdSignalling ?? 'fsk';
      let offered = false;
      const makeOffer = (found?: { number?: string; numberAbsence?: 'O' | 'P'; format: string }): void => {
        if (offered || line.party !== party || line.state !== 'incoming') return;
        offered = true;
        this.cidFeeds.delete(line.id);
        line.cidRx = undefined;
        line.cidAudio = undefined;
        const { callerId: _given, callerIdPresentation: _p, ...rest } = offer;
        if (found?.number) {
          this.trace(line, 'rx', 'loop-start', `caller ID (${found.format.toUpperCase()}) ${maskPhone(found.number)}`);
          this.emit('offered', { ...rest, callerId: found.number, callerIdPresentation: 'available' });
        } else {
          const presentation = found?.numberAbsence === 'P' ? 'restricted' : 'unavailable';
          if (found)
            this.trace(line, 'rx', 'loop-start', `caller ID (${found.format.toUpperCase()}) number ${presentation}`);
          this.emit('offered', { ...rest, callerIdPresentation: presentation });
        }
      };
      if (mode !== 'none' && (options.from || presentation !== 'available')) {
        const message =
          options.from && presentation === 'available'
            ? { number: options.from, dateTime: '11261200' }
            : { numberAbsence: presentation === 'restricted' ? ('P' as const) : ('O' as const), dateTime: '11261200' };
        const samples =
          mode === 'dtmf' && message.number
            ? generateDtmfCallerId(message.number)
            : generateFskCallerId(message, { format: 'mdmf' });
        // DTMF before the first ring (from 200 ms); FSK 500 ms after the first ring ends.
        line.cidAudio = {
          samples,
          pos: 0,
          startAt: this.scheduler.now() + (mode === 'dtmf' && message.number ? 200 : 1500),
        };
        line.cidRx = { fsk: new FskCallerIdDetector(), dtmf: new DtmfCallerIdDetector(), offer: () => undefined };
        line.cidRx.offer = () => makeOffer();
        this.trace(line, 'tx', 'loop-start', `ringing (${mode.toUpperCase()} caller ID)`);
        const cidRx = line.cidRx;
        const cidPush = (frame: Int16Array): void => {
          const found = cidRx.fsk.push(frame) ?? cidRx.dtmf.push(frame);
          if (found) makeOffer(found);
        };
        this.cidFeeds.set(line.id, cidPush);
      }
      // No caller ID (or none decoded): offer once the caller ID would have ended.
      this.later(() => makeOffer(), mode === 'none' ? 1500 : 3500);
    }
    // The caller hears ringback until answered, and gives up after a while.
    line.ringback = new ToneGenerator(ChineseTones.ringback);
    this.activate(line);
    const giveUp = options.giveUpAfterMs ?? 60_000;
    line.giveUp = this.scheduler.schedule(() => {
      if (line.party === party && line.state === 'incoming') party.hangup('no-answer');
    }, giveUp);
    return party;
  }

  /** Defines how a number behaves when the board dials it. Unknown numbers are unallocated. */
  subscriber(number: string, behaviour: SubscriberBehaviour): void {
    this.subscribers.set(number, behaviour);
  }

  /** The phone on a station channel (by channel id or station number 0..n-1). */
  phone(station: string | number): SimPhone {
    const id = typeof station === 'number' ? `s${station}` : station;
    const line = this.byId.get(id);
    if (!line || line.info.kind !== 'station') {
      throw new HotlineError(ErrorCode.UnknownChannel, `no station ${String(station)} on the simulated board`);
    }
    let phone = this.phones.get(id);
    if (!phone) {
      phone = new SimPhone(this, line.id);
      this.phones.set(id, phone);
    }
    return phone;
  }

  /** Makes a channel fail (the driver reports a fault); the far end of a call on it is cut off. */
  fault(channel: string, code = 'SIM_FAULT', message = 'simulated hardware fault'): void {
    const line = this.line(channel);
    // As a board does: the fault is reported first, then the operations it killed end.
    this.emit('fault', { channel, code, message, vendorCode: 9999 });
    this.dropFarEnd(line, 'board', 'channel-fault');
    this.clearOps(line, 'error');
    line.state = 'out-of-service';
    this.deactivate(line);
    if (line.r2) this.attachR2(line);
  }

  /** Brings a faulted channel back. */
  recover(channel: string): void {
    const line = this.line(channel);
    if (line.state !== 'out-of-service') return;
    line.state = 'idle';
    this.emit('recovered', { channel });
  }

  /** Raises or clears a span alarm. */
  alarm(span: number, alarm: string, active: boolean): void {
    this.emit('alarm', { span, alarm, active });
  }

  /** Removes dial tone from an analog trunk (outbound dials end `no-dial-tone`). */
  setDialTone(channel: string, present: boolean): void {
    this.line(channel).dialToneOk = present;
  }

  /** The far-end party currently on a channel (caller, called party or station user), if any. */
  partyOn(channel: string): SimParty | undefined {
    return this.line(channel).party;
  }

  /** The KB the board set on an E1 channel's current incoming call, if any. */
  kbOf(channel: string): number | undefined {
    return this.line(channel).kb;
  }

  // ================================================================== the driver

  private makeDriver(): BoardDriver {
    const sim = this;
    const driver: BoardDriver = {
      name: 'board-sim',
      events: this.emitter,
      open: async (): Promise<BoardInfo> => {
        if (sim.opened) throw new HotlineError(ErrorCode.IllegalState, 'the simulated board is already open');
        sim.opened = true;
        return { vendor: 'Hotline', model: sim.model, serial: 'SIM0001', channels: sim.channels };
      },
      close: async () => {
        sim.closedFlag = true;
        for (const line of sim.lines) {
          sim.dropFarEnd(line, 'board', 'normal');
          sim.clearOps(line, null);
          sim.deactivate(line);
          line.state = 'idle';
        }
        sim.tick?.unsubscribe();
        sim.tick = undefined;
        for (const line of sim.lines) {
          if (!line.r2) continue;
          line.r2.board.dispose();
          line.r2.exchange.dispose();
          line.r2.answerWaiters.length = 0;
        }
        sim.emitter.removeAllListeners();
      },
      answer: async (channel) => sim.answer(sim.line(channel)),
      hangup: async (channel, cause) => sim.boardHangup(sim.line(channel), cause),
      dial: async (channel, command) => sim.dial(sim.line(channel), command),
      play: async (channel, command) => sim.play(sim.line(channel), command),
      stopPlay: async (channel, opId) => {
        const line = sim.line(channel);
        if (line.play?.opId !== opId) return;
        line.play = undefined;
        sim.emit('playEnded', { channel, opId, reason: 'stopped' });
      },
      record: async (channel, command) => sim.record(sim.line(channel), command),
      stopRecord: async (channel, opId) => {
        const line = sim.line(channel);
        if (line.record?.opId === opId) sim.finishRecord(line, 'stopped');
        else if (line.callRec?.opId === opId) sim.finishRecord(line, 'stopped', 'callRec');
      },
      pauseRecord: async (channel, opId) => {
        const rec = sim.line(channel).callRec;
        if (rec?.opId === opId) rec.paused = true;
      },
      resumeRecord: async (channel, opId) => {
        const rec = sim.line(channel).callRec;
        if (rec?.opId === opId) rec.paused = false;
      },
      sendDigits: async (channel, command) => sim.sendDigits(sim.line(channel), command),
      bridge: async (a, b) => sim.bridge(sim.line(a), sim.line(b)),
      unbridge: async (a, b) => {
        const la = sim.line(a);
        const lb = sim.line(b);
        if (la.bridge === lb) la.bridge = undefined;
        if (lb.bridge === la) lb.bridge = undefined;
      },
      joinConference: async (conference, channel, mode, whisperTo) =>
        sim.join(conference, sim.line(channel), mode, whisperTo),
      leaveConference: async (conference, channel) => sim.leave(conference, sim.line(channel)),
      fax: async (channel: string, command: FaxCommand) => sim.startFax(sim.line(channel), command),
      stopFax: async (channel, opId) => {
        const line = sim.line(channel);
        if (line.fax?.opId === opId) line.fax.session.stop();
      },
      flash: async (channel) => {
        const line = sim.line(channel);
        sim.trace(line, 'tx', 'loop-start', 'hook flash');
      },
      setKb: async (channel, kb) => {
        const line = sim.line(channel);
        if (line.info.kind !== 'digital-trunk') {
          throw new HotlineError(ErrorCode.Unsupported, `channel ${channel} has no China No.1 signalling`);
        }
        const r2 = line.r2!;
        if (r2.board.state !== 'in-offered') {
          throw new HotlineError(
            ErrorCode.IllegalState,
            `setKb: channel ${channel} has no call waiting for KB (China No.1 state ${r2.board.state})`,
          );
        }
        line.kb = kb;
        r2.board.accept(kb);
        sim.activate(line);
      },
    };
    return driver;
  }

  private line(id: string): SimLine {
    const line = this.byId.get(id);
    if (!line) throw new HotlineError(ErrorCode.UnknownChannel, `the simulated board has no channel '${id}'`);
    return line;
  }

  private emit<K extends keyof DriverEvents>(name: K, payload: Parameters<DriverEvents[K]>[0]): void {
    // Events never fire synchronously inside a command.
    this.later(() => {
      if (this.closedFlag) return;
      (this.emitter.emit as (n: K, p: Parameters<DriverEvents[K]>[0]) => boolean)(name, payload);
    });
  }

  private later(work: () => void, delay = 0): Subscription {
    return this.scheduler.schedule(work, delay);
  }

  private trace(line: SimLine, direction: 'rx' | 'tx', protocol: 'mfc' | 'cas' | 'loop-start', message: string): void {
    this.emit('signaling', { channel: line.id, direction, protocol, message });
  }

  private pickTrunk(trunk: SimCallOptions['trunk']): SimLine | undefined {
    if (trunk && trunk !== 'analog' && trunk !== 'e1') {
      const line = this.line(trunk);
      return line.state === 'idle' && line.info.kind !== 'station' && this.r2Idle(line) ? line : undefined;
    }
    const kinds =
      trunk === 'e1' ? ['digital-trunk'] : trunk === 'analog' ? ['analog-trunk'] : ['analog-trunk', 'digital-trunk'];
    for (const kind of kinds) {
      const line = this.lines.find((l) => l.info.kind === kind && l.state === 'idle' && this.r2Idle(l));
      if (line) return line;
    }
    return undefined;
  }

  private linkFor(line: SimLine, party: SimParty): { farHangup(cause: HangupCause): void; wake(): void } {
    return {
      farHangup: (cause) => {
        if (line.party !== party) return;
        party.markReleased('far', cause);
        line.giveUp?.unsubscribe();
        if (line.r2) {
          // The exchange clears (clear-forward on a call it placed, clear-back on one it
          // received); the board learns it from the line signal.
          line.r2.exchange.release();
          if (line.state === 'dialing') this.finishDial(line, 'rejected');
          return;
        }
        if (line.state === 'dialing') {
          // The called party hung up before answer classification finished: the call is over.
          this.finishDial(line, 'rejected');
          return;
        }
        line.state = 'far-released';
        line.ringing = false;
        this.emit('hangup', { channel: line.id, cause });
      },
      wake: () => this.activate(line),
    };
  }

  private answer(line: SimLine): void | Promise<void> {
    if (line.state !== 'incoming' || !line.party) {
      throw new HotlineError(ErrorCode.IllegalState, `answer: channel ${line.id} has no incoming call (${line.state})`);
    }
    if (line.r2) {
      // E1: KB1 (if the application set none), then the ANSWER line signal; resolves once it is sent.
      const r2 = line.r2;
      if (r2.board.state !== 'in-offered' && r2.board.state !== 'in-alerting') {
        throw new HotlineError(
          ErrorCode.IllegalState,
          `answer: channel ${line.id} is in China No.1 state ${r2.board.state}`,
        );
      }
      r2.board.answer();
      this.activate(line);
      return new Promise<void>((resolve, reject) => r2.answerWaiters.push({ resolve, reject }));
    }
    line.giveUp?.unsubscribe();
    line.ringback = undefined;
    line.state = 'connected';
    this.startDetectors(line);
    line.party.markConnected();
    this.activate(line);
  }

  private boardHangup(line: SimLine, cause: HangupCause): void {
    if (line.state === 'out-of-service') return;
    line.giveUp?.unsubscribe();
    if (line.dial) {
      for (const t of line.dial.timers) t.unsubscribe();
      line.dial = undefined;
    }
    this.dropFarEnd(line, 'board', cause);
    this.clearOps(line, 'stopped');
    if (line.bridge) {
      line.bridge.bridge = undefined;
      line.bridge = undefined;
    }
    if (line.conference) this.leave(line.conference, line);
    if (line.r2) {
      // clear-back, clear-forward or a rejecting KB, as the engine's state requires
      line.r2.board.release();
      this.failAnswerWaiters(line, new HotlineError(ErrorCode.IllegalState, `answer: channel ${line.id} was released`));
    }
    line.state = 'idle';
    line.ringing = false;
    line.ringback = undefined;
    line.dtmf = undefined;
    line.vad = undefined;
    if (this.r2Idle(line)) this.deactivate(line);
    else this.activate(line);
  }

  private dropFarEnd(line: SimLine, by: 'far' | 'board', cause: HangupCause): void {
    const party = line.party;
    line.party = undefined;
    if (party && !party.release) party.markReleased(by, cause);
    if (line.info.kind === 'station') {
      const phone = this.phones.get(line.id);
      if (phone) phone.ringing = false;
    }
  }

  /** Ends the operations of a line; `reason` null = silently (board closing). */
  private clearOps(line: SimLine, reason: 'stopped' | 'error' | null): void {
    if (line.play) {
      const { opId } = line.play;
      line.play = undefined;
      if (reason) this.emit('playEnded', { channel: line.id, opId, reason });
    }
    if (line.record) {
      if (reason) this.finishRecord(line, reason === 'error' ? 'error' : 'stopped');
      else line.record = undefined;
    }
    if (line.callRec) {
      if (reason) this.finishRecord(line, reason === 'error' ? 'error' : 'stopped', 'callRec');
      else line.callRec = undefined;
    }
    if (line.send) {
      const { opId } = line.send;
      line.send = undefined;
      if (reason) this.emit('digitsSent', { channel: line.id, opId });
    }
    if (line.fax) {
      const { session } = line.fax;
      if (!reason) line.fax = undefined;
      session.stop();
    }
  }

  private startDetectors(line: SimLine): void {
    line.dtmf = new DtmfDetector();
    line.vad = new VoiceActivityDetector();
  }

  // ---------------------------------------------------------------- China No.1 (E1)

  /** True when the line has no China No.1 engine or both ends of its timeslot are idle. */
  private r2Idle(line: SimLine): boolean {
    return !line.r2 || (line.r2.board.idle && line.r2.exchange.idle);
  }

  private failAnswerWaiters(line: SimLine, error: unknown): void {
    const waiters = line.r2?.answerWaiters.splice(0) ?? [];
    for (const w of waiters) w.reject(error);
  }

  /** Puts fresh engines on both ends of an E1 timeslot and wires their events. */
  private attachR2(line: SimLine): void {
    if (line.r2) {
      line.r2.board.dispose();
      line.r2.exchange.dispose();
    }
    const board = new ChinaNo1Line({ channel: line.id, scheduler: this.scheduler, config: this.boardR2 });
    const exchange = new ChinaNo1Line({
      channel: `${line.id}-exchange`,
      scheduler: this.scheduler,
      config: this.exchangeR2,
    });
    const r2 = { board, exchange, answerWaiters: [] as { resolve(): void; reject(e: unknown): void }[] };
    line.r2 = r2;
    board.signaling$.subscribe((t) => this.trace(line, t.direction, t.protocol, t.message));
    board.events$.subscribe((e) => {
      if (line.r2 === r2) this.onBoardR2(line, e);
    });
    exchange.events$.subscribe((e) => {
      if (line.r2 === r2) this.onExchangeR2(line, e);
    });
  }

  /** Events of the board's own engine: what the application learns. */
  private onBoardR2(line: SimLine, e: ChinaNo1Event): void {
    const dial = line.dial;
    switch (e.type) {
      case 'offered': {
        if (line.state !== 'incoming' || !line.party) return;
        line.e1Offered = true;
        const c = e.call;
        this.emit('offered', {
          channel: line.id,
          ...(c.caller ? { callerId: c.caller } : {}),
          callerIdPresentation: c.callerPresentation,
          calledNumber: c.called,
          ...(c.ka === undefined ? {} : { ka: c.ka }),
          ...(c.kd === undefined ? {} : { kd: c.kd }),
        });
        return;
      }
      case 'answered':
        if (line.outbound) {
          if (dial && line.state === 'dialing') this.farAnswers(line, dial);
          return;
        }
        // the board sent ANSWER: the call is connected
        line.giveUp?.unsubscribe();
        line.ringback = undefined;
        if (line.state === 'incoming' && line.party) {
          line.state = 'connected';
          this.startDetectors(line);
          line.party.markConnected();
        }
        for (const w of line.r2!.answerWaiters.splice(0)) w.resolve();
        return;
      case 'seize-acknowledged':
        if (dial) this.emit('dialProgress', { channel: line.id, opId: dial.opId, stage: 'dialing' });
        return;
      case 'accepted':
        if (!line.outbound || !dial) return;
        this.emit('dialProgress', { channel: line.id, opId: dial.opId, stage: 'proceeding' });
        dial.alerted = true;
        this.emit('dialProgress', { channel: line.id, opId: dial.opId, stage: 'alerting' });
        dial.network = new ToneGenerator(ChineseTones.ringback);
        return;
      case 'failed':
        if (line.outbound && dial) this.finishDial(line, e.outcome);
        return;
      case 'clear-back':
      case 'clear-forward': {
        // the far end released
        this.failAnswerWaiters(
          line,
          new HotlineError(ErrorCode.Hangup, `answer: the caller on ${line.id} hung up`, { hangup: true }),
        );
        if (line.state === 'dialing') {
          this.finishDial(line, 'rejected');
          return;
        }
        if (line.state !== 'incoming' && line.state !== 'connected') return;
        if (line.state === 'incoming' && !line.e1Offered) {
          // the caller gave up during the register signalling: the application never saw the call
          this.dropFarEnd(line, 'far', line.party?.release?.cause ?? 'normal');
          line.giveUp?.unsubscribe();
          line.state = 'idle';
          return;
        }
        const cause = line.party?.release?.cause ?? 'normal';
        line.party?.markReleased('far', cause);
        line.giveUp?.unsubscribe();
        line.state = 'far-released';
        this.emit('hangup', { channel: line.id, cause });
        return;
      }
      case 'protocol-error':
        this.logger.warn('China No.1 protocol error', { channel: line.id, code: e.error.code, error: e.error.message });
        return;
      default:
        return;
    }
  }

  /** Events of the simulated exchange's engine: what the far end does. */
  private onExchangeR2(line: SimLine, e: ChinaNo1Event): void {
    switch (e.type) {
      case 'offered':
        this.exchangeDecides(line);
        return;
      case 'clear-back':
        // the board hung up an answered incoming call: the exchange clears forward
        line.party?.markReleased('board', 'normal');
        line.r2!.exchange.release();
        return;
      case 'failed':
        // the board refused the call (KB2…, A4/A5) or the set-up failed
        if (!line.outbound && line.party && !line.party.release) {
          line.party.markReleased(
            'board',
            e.outcome === 'busy' ? 'busy' : e.outcome === 'unallocated' ? 'unallocated' : 'congestion',
          );
        }
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- dialling

  private dial(line: SimLine, command: DialCommand): void {
    if (line.state !== 'idle') {
      throw new HotlineError(ErrorCode.IllegalState, `dial: channel ${line.id} is busy (${line.state})`);
    }
    if (line.info.kind === 'station') {
      this.ringStation(line, command);
      return;
    }
    const behaviour = this.subscribers.get(command.number.replace(/,/g, ''));
    const dial: DialState = {
      opId: command.opId,
      number: command.number,
      behaviour,
      detectAnswerType: command.detectAnswerType,
      startedAt: this.scheduler.now(),
      network: undefined,
      cpt: undefined,
      amd: undefined,
      alerted: false,
      timers: [],
      answeredBy: undefined,
    };
    const channel = line.id;
    const e1 = line.info.kind === 'digital-trunk';
    if (line.r2) {
      // China No.1: the board's engine seizes and signals the number; the exchange's engine answers.
      line.r2.board.seize({
        called: command.number.replace(/,/g, ''),
        ...(command.callerId ? { caller: command.callerId } : {}),
        ...(command.ka === undefined ? {} : { ka: command.ka }),
        ...(command.kd === undefined ? {} : { kd: command.kd }),
      });
    }
    line.state = 'dialing';
    line.dial = dial;
    line.outbound = true;
    const progress = (stage: 'seized' | 'dialing' | 'proceeding' | 'alerting'): void =>
      this.emit('dialProgress', { channel, opId: command.opId, stage });
    progress('seized');
    if (e1) {
      this.activate(line);
      return;
    }
    if (!line.dialToneOk) {
      dial.timers.push(this.later(() => this.finishDial(line, 'no-dial-tone'), 3000));
      return;
    }
    // Dialling takes time: DTMF at ~160 ms per digit on analog lines.
    const dialMs = 200 + command.number.length * 160;
    dial.timers.push(this.later(() => progress('dialing'), 50));
    dial.timers.push(
      this.later(() => {
        if (line.dial !== dial) return;
        progress('proceeding');
        this.networkResponds(line, dial);
      }, dialMs),
    );
  }

  /** E1: the exchange's register has the number; it answers the KD with the subscriber's KB. */
  private exchangeDecides(line: SimLine): void {
    const r2 = line.r2!;
    const dial = line.dial;
    const number = r2.exchange.incoming.called;
    const b = dial?.behaviour ?? this.subscribers.get(number);
    const kb =
      !b || b.type === 'unallocated'
        ? 5
        : b.type === 'busy'
          ? 2
          : b.type === 'congestion'
            ? 4
            : b.type === 'reject'
              ? 8
              : 1;
    r2.exchange.accept(kb);
    if (kb !== 1 || !dial || !b || b.type === 'no-answer') return;
    const rings = 'afterRings' in b && b.afterRings !== undefined ? b.afterRings : 1;
    // Answer partway through the silence after the last ring burst.
    dial.timers.push(
      this.later(
        () => {
          if (line.dial === dial && r2.exchange.state === 'in-alerting') r2.exchange.answer();
        },
        Math.max(0, rings - 1) * RING_CYCLE_MS + 1500,
      ),
    );
  }

  /** What the called side does once the number is dialled (analog trunks). */
  private networkResponds(line: SimLine, dial: DialState): void {
    const b = dial.behaviour;
    const kind = b?.type ?? 'unallocated';
    const failWithTone = (tone: ToneSpec, outcome: DialOutcome): void => {
      void outcome;
      // Analog: the only evidence is the tone; the call-progress detector must recognise it.
      dial.network = new ToneGenerator(tone);
      dial.cpt = new CallProgressDetector();
      this.activate(line);
      // A line that never produces a recognisable tone is given up by cti-core's ring timer.
    };
    switch (kind) {
      case 'busy':
        failWithTone(ChineseTones.busy, 'busy');
        return;
      case 'congestion':
        failWithTone(ChineseTones.congestion, 'congestion');
        return;
      case 'unallocated':
        failWithTone(ChineseTones.vacant, 'unallocated');
        return;
      case 'reject':
        this.finishDial(line, 'rejected');
        return;
      default:
        break;
    }
    // The called party is idle: it rings, and the caller side hears ringback.
    dial.network = new ToneGenerator(ChineseTones.ringback);
    dial.cpt = new CallProgressDetector();
    this.activate(line);
    if (kind === 'no-answer' || !b) return;
    const rings = 'afterRings' in b && b.afterRings !== undefined ? b.afterRings : 1;
    // Answer partway through the silence after the last ring burst.
    dial.timers.push(this.later(() => this.farAnswers(line, dial), Math.max(0, rings - 1) * RING_CYCLE_MS + 1500));
  }

  private farAnswers(line: SimLine, dial: DialState): void {
    if (line.dial !== dial) return;
    const b = dial.behaviour!;
    const party = new SimParty(dial.number, this.scheduler, this.keepAudio);
    party.attach(this.linkFor(line, party));
    line.party = party;
    dial.network = undefined;
    dial.answeredBy = party;
    party.markConnected();
    const e1 = line.info.kind === 'digital-trunk';
    if (b.type === 'answering-machine') {
      void party.say(synthesizeSpeech({ durationMs: b.greetingMs ?? 6000, pitchHz: 210, seed: 7 }));
    } else if (b.type === 'fax' && b.machine) {
      const machine = b.machine;
      void party
        .fax(machine.engine, { ...machine, calling: false })
        .then((r) => machine.onResult?.(r))
        .catch((e: unknown) => this.logger.warn('simulated fax machine failed', { error: String(e) }));
    } else if (b.type === 'fax') {
      // A called fax machine answers with CED (2100 Hz) for about 3 s.
      const ced = new ToneGenerator({ frequencies: [2100], levelDbm0: -12, cadence: [] });
      const samples = new Int16Array(8 * 3000);
      for (let i = 0; i < samples.length; i += FRAME_SAMPLES) ced.fill(samples.subarray(i, i + FRAME_SAMPLES));
      void party.say(samples);
    } else if (b.type === 'answer') {
      const script = b.script;
      void (async () => {
        try {
          if (!b.silent) await party.say(synthesizeSpeech({ durationMs: 600, pitchHz: 140, seed: 3 }));
          if (script) await script(party);
        } catch (error) {
          this.logger.debug('far-end script ended', { error: String(error) });
        }
      })();
    }
    this.activate(line);
    if (!dial.detectAnswerType && e1) {
      this.finishDial(line, 'answered');
      return;
    }
    // Analog answer is recognised from the audio (ringback stops, voice or a fax tone starts);
    // with answer-type detection the first utterance is classified.
    dial.cpt = new CallProgressDetector();
    dial.amd = dial.detectAnswerType ? new AnswerTypeDetector() : undefined;
  }

  private finishDial(line: SimLine, outcome: DialOutcome): void {
    const dial = line.dial;
    if (!dial) return;
    for (const t of dial.timers) t.unsubscribe();
    line.dial = undefined;
    const connected = outcome === 'answered' || outcome === 'answering-machine' || outcome === 'fax-tone';
    if (connected) {
      line.state = 'connected';
      this.startDetectors(line);
    } else {
      this.dropFarEnd(line, 'board', 'normal');
    }
    this.emit('dialResult', { channel: line.id, opId: dial.opId, outcome });
  }

  private ringStation(line: SimLine, command: DialCommand): void {
    const phone = this.phone(line.id);
    if (phone.offHook) {
      throw new HotlineError(ErrorCode.IllegalState, `dial: station ${line.id} is off-hook`);
    }
    line.state = 'dialing';
    line.dial = {
      opId: command.opId,
      number: command.number,
      behaviour: undefined,
      detectAnswerType: false,
      startedAt: this.scheduler.now(),
      network: undefined,
      cpt: undefined,
      amd: undefined,
      alerted: true,
      timers: [],
      answeredBy: undefined,
    };
    phone.ringing = true;
    phone.ringingCallerId = command.callerId;
    this.emit('dialProgress', { channel: line.id, opId: command.opId, stage: 'alerting' });
  }

  /** @internal A station phone went off-hook. */
  phoneOffHook(phone: SimPhone): SimParty {
    const line = this.line(phone.channel);
    const party = new SimParty(phone.channel, this.scheduler, this.keepAudio);
    party.attach(this.linkFor(line, party));
    line.party = party;
    if (line.state === 'dialing' && line.dial) {
      phone.ringing = false;
      party.markConnected();
      this.finishDial(line, 'answered');
    } else if (line.state === 'idle') {
      // An agent lifts the handset to make a call: offered to the application like a call.
      line.state = 'incoming';
      party.markConnected();
      this.emit('offered', { channel: line.id, callerId: phone.channel, callerIdPresentation: 'available' });
    }
    this.activate(line);
    return party;
  }

  /** @internal A station hook-flash. */
  phoneFlash(phone: SimPhone): void {
    this.emit('flash', { channel: phone.channel });
  }

  // ---------------------------------------------------------------- media operations

  private loadPrompt(path: string): Int16Array {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch (error) {
      throw new HotlineError(
        ErrorCode.MediaFormat,
        `cannot read prompt ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        {
          cause: error,
        },
      );
    }
    const cached = this.promptCache.get(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached.samples;
    const wav = readWav(readFileSync(path), path);
    if (wav.sampleRate !== 8000) {
      throw new HotlineError(ErrorCode.MediaFormat, `${path}: ${wav.sampleRate} Hz audio; the board plays 8 kHz only`);
    }
    this.promptCache.set(path, { mtimeMs, samples: wav.samples });
    return wav.samples;
  }

  private play(line: SimLine, command: PlayCommand): void {
    this.requireConnected(line, 'play');
    const clips = command.files.map((f) => this.loadPrompt(f));
    if (line.play) this.emit('playEnded', { channel: line.id, opId: line.play.opId, reason: 'stopped' });
    line.play = { opId: command.opId, clips, clip: 0, pos: 0 };
    this.activate(line);
  }

  private record(line: SimLine, command: RecordCommand): void {
    this.requireConnected(line, 'record');
    if (command.encoding === 'vox') {
      throw new HotlineError(
        ErrorCode.MediaFormat,
        'record: the simulated board writes WAV (pcm16, alaw, ulaw), not VOX',
      );
    }
    try {
      mkdirSync(dirname(command.path), { recursive: true });
    } catch (error) {
      throw new HotlineError(ErrorCode.Driver, `record: cannot create the folder of ${command.path}: ${String(error)}`);
    }
    const state: RecordState = {
      opId: command.opId,
      path: command.path,
      encoding: command.encoding,
      mix: command.mix,
      chunks: [],
      samples: 0,
      beepMs: command.beep ? 300 : 0,
      beep: new ToneGenerator({ frequencies: [950], levelDbm0: -12, cadence: [] }),
    };
    if (command.background) {
      if (line.callRec)
        throw new HotlineError(ErrorCode.Busy, `record: channel ${line.id} is already recording the call`);
      line.callRec = { ...state, mix: true, beepMs: 0, paused: false };
    } else {
      line.record = state;
    }
    this.activate(line);
  }

  private finishRecord(line: SimLine, reason: 'stopped' | 'error', slot: 'record' | 'callRec' = 'record'): void {
    const rec = line[slot];
    if (!rec) return;
    line[slot] = undefined;
    const durationMs = rec.samples / 8;
    if (reason === 'error') {
      this.emit('recordEnded', {
        channel: line.id,
        opId: rec.opId,
        reason: 'error',
        durationMs,
        error: 'channel fault',
      });
      return;
    }
    const samples = new Int16Array(rec.samples);
    let at = 0;
    for (const c of rec.chunks) {
      samples.set(c, at);
      at += c.length;
    }
    // Written under a temporary name, then renamed: a reader never sees half a file.
    const tmp = `${rec.path}.part`;
    try {
      writeFileSync(tmp, writeWav(samples, { encoding: rec.encoding }), { flush: true });
      renameSync(tmp, rec.path);
      this.emit('recordEnded', { channel: line.id, opId: rec.opId, reason: 'stopped', durationMs });
    } catch (error) {
      rmSync(tmp, { force: true });
      this.emit('recordEnded', { channel: line.id, opId: rec.opId, reason: 'error', durationMs, error: String(error) });
    }
  }

  private sendDigits(line: SimLine, command: SendDigitsCommand): void {
    if (line.state !== 'connected' && line.state !== 'dialing') {
      throw new HotlineError(ErrorCode.IllegalState, `sendDigits: channel ${line.id} is ${line.state}`);
    }
    for (const d of command.digits) {
      if (!DTMF_ALL.includes(d))
        throw new HotlineError(ErrorCode.InvalidArgument, `sendDigits: '${d}' is not a DTMF digit`);
    }
    const gen = new DtmfGenerator();
    gen.queue(command.digits, { onMs: command.onMs, offMs: command.offMs, levelDbm0: -8 });
    line.send = { opId: command.opId, gen };
    this.activate(line);
  }

  private startFax(line: SimLine, command: FaxCommand): void {
    const engine = this.faxEngine;
    if (!engine?.available) {
      throw new HotlineError(
        ErrorCode.Unsupported,
        `channel ${line.id}: no fax engine${engine?.unavailableReason ? ` (${engine.unavailableReason})` : ''}`,
      );
    }
    this.requireConnected(line, 'fax');
    if (line.fax) throw new HotlineError(ErrorCode.Busy, `fax: channel ${line.id} is already faxing`);
    const opId = command.opId;
    const session = engine.start({
      direction: command.direction,
      files: command.files,
      calling: line.outbound,
      ...(command.localId === undefined ? {} : { localId: command.localId }),
      ...(command.headerInfo === undefined ? {} : { headerInfo: command.headerInfo }),
      onProgress: (p) => this.emit('faxProgress', { channel: line.id, opId, ...p }),
      onEnd: (r) => {
        if (line.fax?.opId === opId) line.fax = undefined;
        this.emit('faxEnded', { channel: line.id, opId, ...r });
      },
    });
    line.fax = { opId, session };
    this.activate(line);
  }

  private bridge(a: SimLine, b: SimLine): void {
    for (const l of [a, b]) {
      if (l.state !== 'connected')
        throw new HotlineError(ErrorCode.IllegalState, `bridge: channel ${l.id} is ${l.state}`);
    }
    a.bridge = b;
    b.bridge = a;
    this.activate(a);
    this.activate(b);
  }

  private join(conference: string, line: SimLine, mode: ConferenceMode, whisperTo: string | undefined): void {
    this.requireConnected(line, 'joinConference');
    if (line.conference && line.conference !== conference) {
      throw new HotlineError(
        ErrorCode.IllegalState,
        `joinConference: channel ${line.id} is in conference ${line.conference}`,
      );
    }
    let members = this.conferences.get(conference);
    if (!members) {
      members = new Map();
      this.conferences.set(conference, members);
    }
    if (whisperTo !== undefined && !this.byId.has(whisperTo)) {
      throw new HotlineError(ErrorCode.UnknownChannel, `joinConference: no channel ${whisperTo} to whisper to`);
    }
    members.set(line.id, { mode, whisperTo });
    line.conference = conference;
    this.activate(line);
  }

  private leave(conference: string, line: SimLine): void {
    const members = this.conferences.get(conference);
    if (!members) return;
    members.delete(line.id);
    if (line.conference === conference) line.conference = undefined;
    if (members.size === 0) this.conferences.delete(conference);
  }

  private requireConnected(line: SimLine, what: string): void {
    if (line.state !== 'connected') {
      throw new HotlineError(ErrorCode.IllegalState, `${what}: channel ${line.id} is ${line.state}, not connected`);
    }
  }

  // ---------------------------------------------------------------- the media clock

  private activate(line: SimLine): void {
    if (!line.active) {
      line.active = true;
      this.activeCount++;
    }
    if (!this.tick && !this.closedFlag) {
      const sim = this;
      // The clock keeps a fixed rate: each wake-up runs every 20 ms tick that has fallen due
      // since the clock started (a late timer in real time catches up, up to 10 ticks at once;
      // in virtual time exactly one tick runs per wake-up).
      const startedAt = this.scheduler.now();
      let ticks = 0;
      this.tick = this.scheduler.schedule(function (this: { schedule(state?: unknown, delay?: number): unknown }) {
        const due = Math.floor((sim.scheduler.now() - startedAt) / 20);
        let budget = 10;
        do {
          sim.processTick();
          ticks++;
        } while (ticks < due && --budget > 0 && sim.activeCount > 0);
        if (ticks < due) ticks = due; // too far behind: drop the backlog rather than spiral
        if (sim.activeCount > 0 && !sim.closedFlag) {
          const next = startedAt + (ticks + 1) * 20 - sim.scheduler.now();
          this.schedule(undefined, Math.max(0, next));
        } else {
          sim.tick = undefined;
        }
      }, 20);
    }
  }

  private deactivate(line: SimLine): void {
    if (line.active) {
      line.active = false;
      this.activeCount--;
    }
  }

  /** Runs 20 ms of audio on every active line. Public for benchmarks. */
  processTick(): void {
    const active: SimLine[] = [];
    for (const line of this.lines) if (line.active) active.push(line);
    // 1. What each far end sends (rx at the board).
    for (const line of active) this.produceRx(line);
    // 2. What the board sends (tx): prompts, digits, bridged or conferenced audio.
    for (const line of active) this.produceTx(line);
    // 3. Deliver, detect, record.
    for (const line of active) this.consume(line);
    this.framesProcessed += active.length;
  }

  private produceRx(line: SimLine): void {
    const rx = line.rx;
    const cid = line.cidAudio;
    if (line.state === 'incoming' && cid) {
      rx.fill(0);
      if (this.scheduler.now() >= cid.startAt) {
        const n = Math.min(FRAME_SAMPLES, cid.samples.length - cid.pos);
        if (n > 0) rx.set(cid.samples.subarray(cid.pos, cid.pos + n));
        cid.pos += n;
      }
      return;
    }
    // E1: the exchange's engine hears what the board sent last frame, and may send MF
    if (line.r2 && line.r2.exchange.process(line.r2.board.txAbcd, line.tx, rx)) return;
    if (line.state === 'dialing' && line.dial?.network) {
      line.dial.network.fill(rx);
    } else if (line.party && line.party.connected && line.party.talking) {
      line.party.produce(rx);
    } else {
      rx.fill(0);
    }
  }

  private produceTx(line: SimLine): void {
    const tx = line.tx;
    line.mfTx = false;
    if (line.r2 && line.r2.board.process(line.r2.exchange.txAbcd, line.rx, tx)) {
      line.mfTx = true;
      return;
    }
    tx.fill(0);
    if (line.r2 && line.state === 'incoming' && line.r2.board.state !== 'in-alerting') return;
    if (line.state === 'incoming' && line.ringback && line.info.kind !== 'station') {
      line.ringback.fill(tx);
      return;
    }
    if (line.fax) {
      line.fax.session.process(line.rx, tx);
    } else if (line.record && line.record.beepMs > 0) {
      line.record.beep.fill(tx);
    } else if (line.play) {
      this.playInto(line, tx);
    } else if (line.send) {
      line.send.gen.fill(tx);
      if (!line.send.gen.busy) {
        const { opId } = line.send;
        line.send = undefined;
        this.emit('digitsSent', { channel: line.id, opId });
      }
    }
    if (line.bridge) addInto(tx, line.bridge.rx);
    if (line.conference) {
      const members = this.conferences.get(line.conference);
      if (members) {
        for (const [id, m] of members) {
          if (id === line.id || m.mode === 'listen') continue;
          if (m.mode === 'whisper' && m.whisperTo !== line.id) continue;
          const other = this.byId.get(id);
          if (other) addInto(tx, other.rx);
        }
      }
    }
  }

  private playInto(line: SimLine, tx: Int16Array): void {
    const play = line.play!;
    let filled = 0;
    while (filled < FRAME_SAMPLES && play.clip < play.clips.length) {
      const clip = play.clips[play.clip]!;
      const n = Math.min(FRAME_SAMPLES - filled, clip.length - play.pos);
      tx.set(clip.subarray(play.pos, play.pos + n), filled);
      filled += n;
      play.pos += n;
      if (play.pos >= clip.length) {
        play.clip++;
        play.pos = 0;
      }
    }
    if (play.clip >= play.clips.length) {
      line.play = undefined;
      this.emit('playEnded', { channel: line.id, opId: play.opId, reason: 'completed' });
    }
  }

  private consume(line: SimLine): void {
    const { rx, tx } = line;
    const party = line.party;
    if (party && !party.release && (party.connected || line.state === 'incoming') && !line.mfTx) party.hear(tx);
    if (line.state === 'dialing' && line.dial) {
      if (!line.r2 || line.dial.answeredBy) this.classifyDial(line, line.dial);
      return;
    }
    if (line.state !== 'connected') {
      if (line.state === 'incoming' && line.cidRx) this.cidFeeds.get(line.id)?.(rx);
      if (
        line.state !== 'incoming' &&
        line.state !== 'far-released' &&
        !line.record &&
        !line.callRec &&
        this.r2Idle(line)
      )
        this.deactivate(line);
      return;
    }
    if (line.dtmf && !line.fax) {
      const digits = line.dtmf.push(rx);
      for (let i = 0; i < digits.length; i++) this.emit('digit', { channel: line.id, digit: digits[i]! });
    }
    if (line.vad) {
      const change = line.vad.push(rx);
      if (change) this.emit('vad', { channel: line.id, voice: change === 'voice' });
    }
    const call = line.callRec;
    if (call && !call.paused) {
      const frame = new Int16Array(rx);
      addInto(frame, tx);
      call.chunks.push(frame);
      call.samples += frame.length;
    }
    const rec = line.record;
    if (rec) {
      if (rec.beepMs > 0) {
        rec.beepMs -= 20;
      } else {
        let frame: Int16Array;
        if (rec.mix) {
          frame = line.mixBuf;
          frame.set(rx);
          addInto(frame, tx);
          frame = frame.slice();
        } else {
          frame = rx.slice();
        }
        rec.chunks.push(frame);
        rec.samples += frame.length;
      }
    }
  }

  private classifyDial(line: SimLine, dial: DialState): void {
    const rx = line.rx;
    if (dial.amd) {
      const tone = dial.cpt?.push(rx);
      if (tone && (tone.type === 'fax-ced' || tone.type === 'fax-cng')) {
        this.finishDial(line, 'fax-tone');
        return;
      }
      const kind = dial.amd.push(rx);
      if (kind)
        this.finishDial(line, kind === 'machine' ? 'answering-machine' : kind === 'fax' ? 'fax-tone' : 'answered');
      return;
    }
    const event = dial.cpt?.push(rx);
    if (!event) return;
    switch (event.type) {
      case 'busy':
        this.finishDial(line, 'busy');
        return;
      case 'congestion':
        this.finishDial(line, 'congestion');
        return;
      case 'vacant':
        this.finishDial(line, 'unallocated');
        return;
      case 'ringback':
        if (!dial.alerted) {
          dial.alerted = true;
          this.emit('dialProgress', { channel: line.id, opId: dial.opId, stage: 'alerting' });
        }
        return;
      case 'voice':
        if (dial.answeredBy) this.finishDial(line, 'answered');
        return;
      case 'silence':
        // Ringback stopped and nobody spoke: a silent answer (analog lines have no answer signal).
        if (dial.answeredBy) this.finishDial(line, 'answered');
        return;
      case 'fax-ced':
      case 'fax-cng':
        if (dial.answeredBy) this.finishDial(line, 'fax-tone');
        return;
      default:
        return;
    }
  }
}

function addInto(target: Int16Array, source: Int16Array): void {
  for (let i = 0; i < target.length; i++) {
    const v = target[i]! + source[i]!;
    target[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/**
 * The phone on a station channel: an agent's handset. It rings when the board dials the
 * station; `offHook` answers it (or, when idle, offers a call to the application, as lifting a
 * handset does); `onHook` hangs up; `flash` sends a hook-flash. While off-hook, `party` is the
 * person holding the handset (press keys, speak, listen).
 */
export class SimPhone {
  /** True while the board is ringing the phone. */
  ringing = false;
  /** The caller ID the board presented with the ring, if any. */
  ringingCallerId: string | undefined;
  private current: SimParty | undefined;

  /** @internal */
  constructor(
    private readonly sim: SimBoard,
    /** The station's channel id. */
    readonly channel: string,
  ) {}

  /** True while the handset is lifted. */
  get offHook(): boolean {
    return this.current !== undefined && !this.current.release;
  }

  /** The person on the handset while off-hook. */
  get party(): SimParty {
    if (!this.current || this.current.release) {
      throw new HotlineError(ErrorCode.IllegalState, `station ${this.channel} is on-hook`);
    }
    return this.current;
  }

  /** Lifts the handset: answers a ringing phone, or starts a call from an idle one. */
  liftHandset(): SimParty {
    if (this.offHook) return this.current!;
    this.current = this.sim.phoneOffHook(this);
    return this.current;
  }

  /** Puts the handset down. */
  hangUp(): void {
    if (!this.offHook) return;
    this.current!.hangup('normal');
    this.ringing = false;
  }

  /** Sends a hook-flash (only while off-hook). */
  flash(): void {
    if (!this.offHook) throw new HotlineError(ErrorCode.IllegalState, `flash: station ${this.channel} is on-hook`);
    this.sim.phoneFlash(this);
  }
}
