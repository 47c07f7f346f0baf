import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import {
  ErrorCode,
  HotlineError,
  type AudioEncoding,
  type BoardDriver,
  type BoardInfo,
  type ChannelCapabilities,
  type ChannelInfo,
  type ConferenceMode,
  type DialCommand,
  type DialOutcome,
  type DialStage,
  type DriverEmitter,
  type DriverEvents,
  type FaxCommand,
  type HangupCause,
  type PlayCommand,
  type RecordCommand,
  type SendDigitsCommand,
  type SignalingType,
} from '@hotline/cti-core';
import {
  NativeErrorCode,
  PendingCalls,
  isNativeVendorFailure,
  libraryUnavailableError,
  readWavLayout,
  symbolMissingError,
  vendorError,
} from '@hotline/native-common';
import {
  CH_TYPE_NAMES,
  CODEC_BYTES_PER_MS,
  ChType,
  DEFAULT_CODECS,
  Dial,
  ERROR_NAMES,
  Ev,
  FORMAT_FROM_HEADER,
  PEND_WAIT_BCK_STP_MSG,
  PENDING_NAMES,
  PlayEnd,
  RecordEnd,
  STATE_NAMES,
  St,
  dialFailureOutcome,
  hangupCauseOf,
  isDialFailure,
  kindOf,
  nameOf,
  stageOfDial,
  stageOfState,
} from './codes.js';
import {
  LIBRARY_ENV,
  sanhuiAddon,
  sanhuiLibraryCandidates,
  type RawEvent,
  type SanhuiBinding,
  type StartInfo,
} from './native.js';

const VENDOR = 'Synway SHP_A3';
const WHOLE = 0xffffffff;
const INSTALL =
  'Install the Synway SynCTI Linux driver package for your board (it provides libshpa3.so and the ShConfig.ini/ShIndex.ini tools), ' +
  'or run `ldconfig` after copying libshpa3.so to /usr/lib.';

/** Options of {@link SanhuiDriver}. */
export interface SanhuiDriverOptions {
  /** Path of libshpa3.so; when set, the only candidate (see {@link sanhuiLibraryCandidates}). */
  readonly library?: string;
  /** ShConfig.ini, passed to SsmStartCti (default `HOTLINE_SANHUI_CONFIG` or `/usr/local/etc/ShConfig.ini`). */
  readonly config?: string;
  /** ShIndex.ini, passed to SsmStartCti (default `HOTLINE_SANHUI_INDEX` or `/usr/local/etc/ShIndex.ini`). */
  readonly index?: string;
  /**
   * China No.1 KB: `application` (default) turns automatic KB off so every incoming SS1 call is
   * offered with its numbers and KA/KD before the caller hears ringing; `answer` (or `setKb`)
   * then sends KB. `board` leaves the board's AutoSendKB configuration alone.
   */
  readonly ss1Kb?: 'application' | 'board';
  /** Codec ids per encoding (default {@link DEFAULT_CODECS}); encodings not listed are refused. */
  readonly codecs?: Readonly<Partial<Record<AudioEncoding, number>>>;
  /** Codec ids of headerless prompt files by extension (default `.alaw`/`.al` 6, `.ulaw`/`.ul`/`.mu` 7, `.pcm` 1). */
  readonly playFormats?: Readonly<Record<string, number>>;
  /** `wJoinMode` of SsmJoinConfGroup (UNCERTAIN values; default speak-listen 1, listen 0). */
  readonly conferenceJoinModes?: Readonly<{ speakListen: number; listen: number }>;
  /** Members per conference group (default 16). */
  readonly conferenceSize?: number;
  /** Keep the Node.js process alive while the board is open (default false). */
  readonly keepAlive?: boolean;
  /** Declares only the channels for which this returns true (e.g. to keep a test loop aside). */
  readonly channelFilter?: (ch: number, type: number) => boolean;
  /** Environment (for the library and configuration variables; default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Whether the Synway driver can run here, and if not, why. */
export interface SanhuiAvailability {
  readonly available: boolean;
  readonly reason?: string;
  /** The library that loaded. */
  readonly library?: string;
  /** Optional SHP_A3 functions the library lacks (capabilities the board will not offer). */
  readonly missingOptional?: readonly string[];
  /** True when the library is the Hotline fake. */
  readonly fake?: boolean;
}

interface Call {
  readonly direction: 'in' | 'out';
  offered: boolean;
  /** Incoming SS1 call waiting for KB (pending reason PEND_WaitBckStpMsg). */
  kbPending: boolean;
  connected: boolean;
  hangupSent: boolean;
}

interface Line {
  readonly ch: number;
  readonly id: string;
  readonly type: number;
  readonly signaling: SignalingType;
  readonly station: boolean;
  call: Call | undefined;
  dial: { readonly opId: string; readonly stages: Set<DialStage>; done: boolean } | undefined;
  play: { readonly opId: string; readonly files: readonly string[]; index: number } | undefined;
  /** SsmPlayFile calls whose E_PROC_PlayEnd has not arrived (one per started play). */
  playsOutstanding: number;
  record: { readonly opId: string; readonly path: string; readonly codec: number } | undefined;
  recsOutstanding: number;
  send: { readonly opId: string } | undefined;
  faulted: boolean;
  conference: string | undefined;
}

function env(options: SanhuiDriverOptions): NodeJS.ProcessEnv {
  return options.env ?? process.env;
}

/**
 * Tells whether the Synway driver can run: the addon is built and a libshpa3.so with every
 * required function loads from the search order. Does not start the board.
 */
export function sanhuiAvailability(options: Pick<SanhuiDriverOptions, 'library' | 'env'> = {}): SanhuiAvailability {
  const addon = sanhuiAddon();
  if (!addon.ok) return { available: false, reason: addon.reason };
  const candidates = sanhuiLibraryCandidates(options.library, env(options));
  let r;
  try {
    r = addon.binding.load(candidates.map((c) => c.path));
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (r.ok) {
    return { available: true, library: r.path ?? '', missingOptional: r.missingOptional, fake: r.control.length > 0 };
  }
  if (r.path && r.missingRequired.length > 0) {
    return { available: false, library: r.path, reason: symbolMissingError(VENDOR, r.path, r.missingRequired).message };
  }
  const attempts = r.attempts.map((a, i) => ({ ...a, source: candidates[i]?.source ?? 'standard' }));
  const error = libraryUnavailableError({
    vendor: VENDOR,
    library: 'libshpa3.so',
    envVar: LIBRARY_ENV,
    attempts,
    install: INSTALL,
  });
  return { available: false, reason: error.message };
}

/**
 * The Synway (三汇) SHP_A3 board driver: the cti-core driver SPI over SynCTI's libshpa3.so,
 * loaded at run time by the package's addon. One driver drives the whole SynCTI system (every
 * board SsmStartCti opens; one per process). Channel ids are SynCTI application channel numbers
 * as strings (`"0"`, `"1"`, ...).
 *
 * Mapping (research/vendor-apis.md §1, §4):
 * - incoming call: E_CHG_ChState → S_CALL_RINGING (2), or on China No.1 with application KB
 *   S_CALL_PENDING (7) / PEND_WaitBckStpMsg (10) → `offered` with caller/called numbers and KA/KD;
 *   `answer` sends KB=1 when still pending, then SsmPickup.
 * - far-end release: S_CALL_PENDING with a pending reason → `hangup` (cause from the reason);
 *   cti-core then calls `hangup` → SsmHangup → S_CALL_STANDBY.
 * - dial: SsmAutoDial; states 4/40 → `seized`, 5/41 → `dialing`, 6/43/44 → `proceeding`,
 *   DIAL_ECHOTONE / state 9 → `alerting`; DIAL_VOICE(F1/F2) → `answered`; failures → outcome
 *   from ATDL_*, then the pending reason, then the DIAL_* code.
 * - play/record: SsmPlayFile / SsmRecToFile; E_PROC_PlayEnd / E_PROC_RecordEnd end them. WAV
 *   files play with format -1 (from the header); record encodings use the codec table.
 * - stations: dial rings (SsmStartRing[WithCIDStr]); E_CHG_HookState off-hook answers it, or
 *   offers a call when the station was idle; on-hook is a `hangup`.
 * - S_CALL_UNAVAILABLE / OFFLINE / blocked → `fault` (vendorCode = the state); back to standby →
 *   `recovered`.
 */
export class SanhuiDriver implements BoardDriver {
  readonly name = 'sanhui-shp-a3';
  readonly events: DriverEmitter = new EventEmitter() as unknown as DriverEmitter;

  private readonly options: SanhuiDriverOptions;
  private binding: SanhuiBinding | undefined;
  private readonly lines: (Line | undefined)[] = [];
  private readonly byId = new Map<string, Line>();
  private readonly pending = new PendingCalls();
  private readonly conferences = new Map<string, { readonly group: number; readonly members: Set<string> }>();
  private readonly codecs: Readonly<Partial<Record<AudioEncoding, number>>>;
  private readonly playFormats: Readonly<Record<string, number>>;
  private opened = false;
  private closed = false;
  private markerSeq = 0;
  private readonly markers = new Map<number, () => void>();
  private delivered = 0;
  private started: StartInfo | undefined;
  private missingOptional = new Set<string>();

  constructor(options: SanhuiDriverOptions = {}) {
    this.options = options;
    this.codecs = options.codecs ?? DEFAULT_CODECS;
    this.playFormats = options.playFormats ?? { '.alaw': 6, '.al': 6, '.ulaw': 7, '.ul': 7, '.mu': 7, '.pcm': 1 };
  }

  /** Optional SHP_A3 functions the loaded library lacks (after `open`). */
  get missingFunctions(): readonly string[] {
    return [...this.missingOptional];
  }

  /** The board information of the open board (after `open`). */
  get startInfo(): StartInfo | undefined {
    return this.started;
  }

  // ------------------------------------------------------------------------------- open / close

  async open(): Promise<BoardInfo> {
    if (this.opened) throw new HotlineError(ErrorCode.IllegalState, 'sanhui: open() was already called on this driver');
    this.opened = true;
    const addon = sanhuiAddon();
    if (!addon.ok)
      throw new HotlineError(NativeErrorCode.AddonUnavailable, `${VENDOR}: ${addon.reason}`, {
        details: { tried: addon.tried },
      });
    const binding = addon.binding;
    const e = env(this.options);
    const candidates = sanhuiLibraryCandidates(this.options.library, e);
    const loaded = binding.load(candidates.map((c) => c.path));
    if (!loaded.ok) {
      if (loaded.path && loaded.missingRequired.length > 0)
        throw symbolMissingError(VENDOR, loaded.path, loaded.missingRequired);
      const attempts = loaded.attempts.map((a, i) => ({ ...a, source: candidates[i]?.source ?? 'standard' }));
      throw libraryUnavailableError({
        vendor: VENDOR,
        library: 'libshpa3.so',
        envVar: LIBRARY_ENV,
        attempts,
        install: INSTALL,
      });
    }
    const config = this.options.config ?? e.HOTLINE_SANHUI_CONFIG ?? '/usr/local/etc/ShConfig.ini';
    const index = this.options.index ?? e.HOTLINE_SANHUI_INDEX ?? '/usr/local/etc/ShIndex.ini';
    let info: StartInfo;
    try {
      info = await this.pending.track(binding.start(config, index));
    } catch (error) {
      throw this.mapError(error, { config });
    }
    this.binding = binding;
    this.started = info;
    this.missingOptional = new Set(loaded.missingOptional);
    const has = (...names: string[]): boolean => names.every((n) => !this.missingOptional.has(n));
    const channels: ChannelInfo[] = [];
    const encodings = (Object.keys(this.codecs) as AudioEncoding[]).filter((k) => this.codecs[k] !== undefined);
    const digital = new Map<string, number>();
    info.channels.forEach((c, ch) => {
      if (this.options.channelFilter && !this.options.channelFilter(ch, c.type)) return;
      const k = kindOf(c.type);
      const id = String(ch);
      const line: Line = {
        ch,
        id,
        type: c.type,
        signaling: k.signaling,
        station: c.type === ChType.Station,
        call: undefined,
        dial: undefined,
        play: undefined,
        playsOutstanding: 0,
        record: undefined,
        recsOutstanding: 0,
        send: undefined,
        faulted: false,
        conference: undefined,
      };
      this.lines[ch] = line;
      this.byId.set(id, line);
      const trunk = k.kind === 'analog-trunk' || k.kind === 'digital-trunk';
      const caps: ChannelCapabilities = {
        // A capability whose SHP_A3 functions the library does not export is not declared.
        inbound: k.usable,
        outbound: k.usable && (c.type !== ChType.Station || has('SsmStartRing')),
        play: k.usable,
        record: k.usable,
        dtmfDetect: k.usable,
        dtmfGenerate: k.usable && has('SsmTxDtmf'),
        callProgress: trunk,
        voiceDetect: false,
        bridge: k.usable && has('SsmTalkWith', 'SsmStopTalkWith'),
        conference: k.usable && has('SsmCreateConfGroup', 'SsmJoinConfGroup', 'SsmExitConfGroup', 'SsmFreeConfGroup'),
        fax: false,
        callerId: trunk,
        categories: c.type === ChType.Ss1 && has('SsmSetKB', 'SsmGetKA', 'SsmGetKD'),
        flash: false,
        encodings: k.usable ? encodings : [],
      };
      const declared: ChannelInfo = {
        id,
        index: channels.length,
        kind: k.kind,
        signaling: k.signaling,
        capabilities: caps,
      };
      if (k.kind === 'digital-trunk') {
        // E1: 30 bearer channels per span, timeslots 1-15 and 17-31 (derived from the order of
        // the application channels of each board; see docs/boards/sanhui.md).
        const key = `${c.board}`;
        const n = digital.get(key) ?? 0;
        digital.set(key, n + 1);
        const ts = (n % 30) + 1;
        channels.push({
          ...declared,
          span: Math.max(c.board, 0) * 16 + Math.floor(n / 30),
          timeslot: ts >= 16 ? ts + 1 : ts,
        });
      } else {
        channels.push(declared);
      }
    });
    // Application KB on China No.1, no board-level DTMF stop (cti-core does barge-in).
    const setup: Promise<unknown>[] = [];
    for (const line of this.byId.values()) {
      if (line.type === ChType.Ss1 && (this.options.ss1Kb ?? 'application') === 'application') {
        setup.push(this.raw('SsmEnableAutoSendKB', [line.ch, 0]).catch(() => undefined));
      }
      if (kindOf(line.type).usable) setup.push(this.raw('SsmSetDtmfStopPlay', [line.ch, 0]).catch(() => undefined));
    }
    await Promise.all(setup);
    binding.startEvents((batch) => this.onBatch(batch), this.options.keepAlive ?? false);
    const model = info.boardName || (info.boardModel ? `model ${info.boardModel}` : 'SHP_A3');
    return { vendor: 'Synway', model, ...(info.serial ? { serial: info.serial } : {}), channels };
  }

  async close(): Promise<void> {
    if (!this.binding || this.closed) {
      this.closed = true;
      return;
    }
    this.closed = true;
    const binding = this.binding;
    for (const resolve of this.markers.values()) resolve();
    this.markers.clear();
    await this.pending.idle().catch(() => undefined);
    // Tracked like every native call, so a harness settling the driver waits for them too.
    await this.pending.track(binding.stopEvents());
    try {
      await this.pending.track(binding.close());
    } catch (error) {
      throw this.mapError(error, {});
    }
  }

  /** Keeps (true) or stops keeping (false) the process alive while the board is open. */
  setKeepAlive(keepAlive: boolean): void {
    this.binding?.setKeepAlive(keepAlive);
  }

  // ------------------------------------------------------------------------------- calls

  async answer(channel: string): Promise<void> {
    const line = this.line(channel);
    if (line.station) {
      // The phone is already off-hook (that is what offered the call): nothing to send.
      if (line.call) line.call.connected = true;
      return;
    }
    if (line.call?.kbPending) {
      await this.command(line, 'SsmSetKB', [line.ch, 1]);
      line.call.kbPending = false;
    }
    await this.command(line, 'SsmPickup', [line.ch]);
    if (line.call) line.call.connected = true;
  }

  async hangup(channel: string, _cause: HangupCause): Promise<void> {
    const line = this.line(channel);
    const wasRinging = line.station && line.dial !== undefined && !line.dial.done;
    line.call = undefined;
    if (line.dial) line.dial.done = true;
    line.dial = undefined;
    line.play = undefined;
    line.record = undefined;
    line.send = undefined;
    if (line.faulted) return;
    if (line.conference) await this.leaveConference(line.conference, line.id).catch(() => undefined);
    if (wasRinging) await this.command(line, 'SsmStopRing', [line.ch]).catch(() => undefined);
    await this.command(line, 'SsmHangup', [line.ch]);
  }

  async dial(channel: string, command: DialCommand): Promise<void> {
    const line = this.line(channel);
    line.call = { direction: 'out', offered: false, kbPending: false, connected: false, hangupSent: false };
    line.dial = { opId: command.opId, stages: new Set(), done: false };
    try {
      if (line.station) {
        if (command.callerId) {
          await this.command(line, 'SsmStartRingWithCIDStr', [line.ch, command.callerId, 0]);
        } else {
          await this.command(line, 'SsmStartRing', [line.ch]);
        }
        return;
      }
      if (command.callerId) await this.command(line, 'SsmSetTxCallerId', [line.ch, command.callerId]);
      if (line.type === ChType.Ss1) {
        if (command.ka !== undefined) await this.command(line, 'SsmSetKA', [line.ch, command.ka]);
        if (command.kd !== undefined) await this.command(line, 'SsmSetKD', [line.ch, command.kd]);
      }
      await this.command(line, 'SsmAutoDial', [line.ch, command.number]);
    } catch (error) {
      line.call = undefined;
      line.dial = undefined;
      throw error;
    }
  }

  async setKb(channel: string, kb: number): Promise<void> {
    const line = this.line(channel);
    if (line.type !== ChType.Ss1)
      throw new HotlineError(ErrorCode.Unsupported, `sanhui: channel ${channel} has no China No.1 signalling`);
    if (!line.call?.kbPending) {
      throw new HotlineError(ErrorCode.IllegalState, `sanhui: channel ${channel} has no incoming call waiting for KB`);
    }
    await this.command(line, 'SsmSetKB', [line.ch, kb]);
    line.call.kbPending = false;
  }

  // ------------------------------------------------------------------------------- media

  async play(channel: string, command: PlayCommand): Promise<void> {
    const line = this.line(channel);
    const formats = command.files.map((f) => this.playFormatOf(f));
    line.play = { opId: command.opId, files: command.files, index: 0 };
    await this.startFile(line, formats);
  }

  async stopPlay(channel: string, opId: string): Promise<void> {
    const line = this.line(channel);
    if (line.play?.opId !== opId || line.faulted) return;
    await this.command(line, 'SsmStopPlayFile', [line.ch]);
  }

  async record(channel: string, command: RecordCommand): Promise<void> {
    const line = this.line(channel);
    const codec = this.codecs[command.encoding];
    if (codec === undefined) {
      throw new HotlineError(
        ErrorCode.MediaFormat,
        `sanhui: no Synway codec id is configured for ${command.encoding} (known: ${Object.keys(this.codecs).join(', ')}); set the driver's \`codecs\` option`,
        { details: { encoding: command.encoding } },
      );
    }
    line.record = { opId: command.opId, path: command.path, codec };
    line.recsOutstanding++;
    try {
      await this.command(line, 'SsmRecToFile', [line.ch, command.path, codec, 0, WHOLE, WHOLE, 0], {
        file: command.path,
      });
    } catch (error) {
      line.recsOutstanding--;
      line.record = undefined;
      throw error;
    }
  }

  async stopRecord(channel: string, opId: string): Promise<void> {
    const line = this.line(channel);
    if (line.record?.opId !== opId || line.faulted) return;
    await this.command(line, 'SsmStopRecToFile', [line.ch]);
  }

  async sendDigits(channel: string, command: SendDigitsCommand): Promise<void> {
    const line = this.line(channel);
    line.send = { opId: command.opId };
    try {
      await this.command(line, 'SsmTxDtmf', [line.ch, command.digits]);
    } catch (error) {
      line.send = undefined;
      throw error;
    }
  }

  // ------------------------------------------------------------------------------- switching

  async bridge(a: string, b: string): Promise<void> {
    const la = this.line(a);
    const lb = this.line(b);
    await this.command(la, 'SsmTalkWith', [la.ch, lb.ch]);
  }

  async unbridge(a: string, b: string): Promise<void> {
    const la = this.line(a);
    const lb = this.line(b);
    if (la.faulted || lb.faulted) return;
    await this.command(la, 'SsmStopTalkWith', [la.ch, lb.ch]);
  }

  async joinConference(conference: string, channel: string, mode: ConferenceMode): Promise<void> {
    const line = this.line(channel);
    if (mode === 'whisper') {
      throw new HotlineError(
        ErrorCode.Unsupported,
        'sanhui: whisper needs SsmSetContactInConf semantics that the public SynCTI documentation does not give; not supported',
      );
    }
    if (line.conference === conference) return;
    if (line.conference) await this.leaveConference(line.conference, channel);
    let conf = this.conferences.get(conference);
    if (!conf) {
      const size = this.options.conferenceSize ?? 16;
      const group = (await this.command(line, 'SsmCreateConfGroup', [size, size, Math.min(size, 3), 0])) as number;
      conf = { group, members: new Set() };
      this.conferences.set(conference, conf);
    }
    const modes = this.options.conferenceJoinModes ?? { speakListen: 1, listen: 0 };
    await this.command(line, 'SsmJoinConfGroup', [
      conf.group,
      line.ch,
      mode === 'listen' ? modes.listen : modes.speakListen,
      0,
      0,
      0,
    ]);
    conf.members.add(channel);
    line.conference = conference;
  }

  async leaveConference(conference: string, channel: string): Promise<void> {
    const line = this.line(channel);
    const conf = this.conferences.get(conference);
    if (!conf || !conf.members.has(channel)) return;
    conf.members.delete(channel);
    line.conference = undefined;
    if (!line.faulted) await this.command(line, 'SsmExitConfGroup', [line.ch, 0]);
    if (conf.members.size === 0) {
      this.conferences.delete(conference);
      await this.command(line, 'SsmFreeConfGroup', [conf.group]);
    }
  }

  async fax(channel: string, _command: FaxCommand): Promise<void> {
    throw new HotlineError(
      ErrorCode.Unsupported,
      `sanhui: fax on channel ${channel} is not supported by this driver yet`,
    );
  }

  async stopFax(): Promise<void> {
    // No fax session can be running (fax is not declared).
  }

  // ------------------------------------------------------------------------------- harness support

  /**
   * Resolves when the driver is quiet: no vendor call in flight and every event the library had
   * queued when it was called has been delivered and handled (a marker posted with
   * SsmPutUserEvent has come back through the event thread). Used by the virtual-time harness;
   * harmless in production.
   */
  async settle(): Promise<void> {
    for (;;) {
      const before = this.pending.count + this.delivered;
      await this.pending.idle();
      await this.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pending.size === 0 && this.pending.count + this.delivered === before) return;
    }
  }

  /** Events delivered by the addon so far (for benchmarks). */
  get eventsDelivered(): number {
    return this.delivered;
  }

  /** @internal The addon (for the fake's test-control calls). */
  get native(): SanhuiBinding | undefined {
    return this.binding;
  }

  private flush(): Promise<void> {
    const binding = this.binding;
    if (!binding || this.closed) return Promise.resolve();
    const seq = (this.markerSeq = (this.markerSeq + 1) >>> 0);
    return new Promise<void>((resolve) => {
      this.markers.set(seq, resolve);
      if (!binding.putMarker(seq)) {
        this.markers.delete(seq);
        resolve();
      }
    });
  }

  // ------------------------------------------------------------------------------- events

  private onBatch(batch: RawEvent[]): void {
    for (const e of batch) {
      if (e.code === this.binding?.markerEvent) {
        const resolve = this.markers.get(e.param);
        this.markers.delete(e.param);
        resolve?.();
        continue;
      }
      this.delivered++;
      if (this.closed) continue;
      const line = this.lines[e.ch];
      if (!line) continue;
      try {
        this.onEvent(line, e);
      } catch (error) {
        // A listener threw: never let it escape into the addon's callback.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private emit<K extends keyof DriverEvents>(name: K, payload: Parameters<DriverEvents[K]>[0]): void {
    (this.events.emit as (n: K, p: Parameters<DriverEvents[K]>[0]) => boolean)(name, payload);
  }

  private trace(line: Line, message: string): void {
    this.emit('signaling', { channel: line.id, direction: 'rx', protocol: line.signaling, message });
  }

  private onEvent(line: Line, e: RawEvent): void {
    switch (e.code) {
      case Ev.ChState:
        this.onState(line, e.param & 0xffff, e.param >>> 16, e);
        break;
      case Ev.AutoDial:
        this.onAutoDial(line, e.param, e.failure);
        break;
      case Ev.RcvDtmf: {
        const digit = String.fromCharCode(e.param & 0xff);
        this.emit('digit', { channel: line.id, digit });
        break;
      }
      case Ev.PlayEnd:
        this.onPlayEnd(line, e.param);
        break;
      case Ev.RecordEnd:
        this.onRecordEnd(line, e.param);
        break;
      case Ev.SendDtmf:
        if (line.send) {
          const opId = line.send.opId;
          line.send = undefined;
          this.emit('digitsSent', { channel: line.id, opId });
        }
        break;
      case Ev.HookState:
        if (line.station) this.onHook(line, e.param === 1);
        break;
      case Ev.RingCount:
        this.trace(line, `ring ${e.param}`);
        break;
      case Ev.CallerId:
        this.trace(line, 'caller id received');
        break;
      case Ev.RxPhoNumBuf:
        this.trace(line, `called number digits ${e.param}`);
        break;
      default:
        break;
    }
  }

  private onState(line: Line, state: number, old: number, e: RawEvent): void {
    if (line.signaling !== 'none') {
      const reason = e.reason === undefined ? '' : ` (${nameOf(PENDING_NAMES, e.reason)})`;
      this.trace(line, `${nameOf(STATE_NAMES, old)} → ${nameOf(STATE_NAMES, state)}${reason}`);
    }
    if (state === St.Unavailable || state === St.Offline || state === St.RemoteBlock || state === St.LocalBlock) {
      this.fault(line, state);
      return;
    }
    if (line.faulted) {
      if (state === St.Standby) {
        line.faulted = false;
        this.emit('recovered', { channel: line.id });
      }
      return;
    }
    const stage = stageOfState(state);
    if (stage && line.dial && !line.dial.done) this.stage(line, stage);
    switch (state) {
      case St.Ringing:
        if (!line.call && !line.station) this.offer(line, e, false);
        break;
      case St.Pending:
        this.onPending(line, e);
        break;
      case St.Talking:
        if (line.dial && !line.dial.done) this.dialResult(line, 'answered');
        break;
      case St.Standby:
        // Released without passing through S_CALL_PENDING (e.g. an analog caller abandoning).
        if (line.call && !line.call.hangupSent && !line.station) this.remoteHangup(line, 'normal');
        break;
      default:
        break;
    }
  }

  private onPending(line: Line, e: RawEvent): void {
    const reason = e.reason;
    if (reason === PEND_WAIT_BCK_STP_MSG && !line.call) {
      this.offer(line, e, true);
      return;
    }
    if (line.dial && !line.dial.done) {
      this.dialResult(line, dialFailureOutcome(undefined, e.failure, reason) ?? 'congestion');
      return;
    }
    if (line.call && !line.call.hangupSent) this.remoteHangup(line, hangupCauseOf(reason));
  }

  private offer(line: Line, e: RawEvent, kbPending: boolean): void {
    line.call = { direction: 'in', offered: true, kbPending, connected: false, hangupSent: false };
    this.emit('offered', {
      channel: line.id,
      ...(e.callerId ? { callerId: e.callerId, callerIdPresentation: 'available' as const } : {}),
      ...(e.called ? { calledNumber: e.called } : {}),
      ...(e.ka !== undefined && e.ka >= 0 && line.type === ChType.Ss1 ? { ka: e.ka } : {}),
      ...(e.kd !== undefined && e.kd >= 0 && line.type === ChType.Ss1 ? { kd: e.kd } : {}),
    });
  }

  private onHook(line: Line, offHook: boolean): void {
    if (offHook) {
      if (line.dial && !line.dial.done) {
        this.dialResult(line, 'answered');
        void this.raw('SsmStopRing', [line.ch]).catch(() => undefined);
      } else if (!line.call) {
        this.offer(line, { code: Ev.HookState, ch: line.ch, param: 1 }, false);
      }
    } else if (line.call && !line.call.hangupSent) {
      if (line.dial && !line.dial.done) this.dialResult(line, 'no-answer');
      else this.remoteHangup(line, 'normal');
    }
  }

  private onAutoDial(line: Line, code: number, failure: number | undefined): void {
    const dial = line.dial;
    if (!dial || dial.done) return;
    const stage = stageOfDial(code);
    if (stage) this.stage(line, stage);
    if (code === Dial.Voice || code === Dial.VoiceF1 || code === Dial.VoiceF2) {
      this.dialResult(line, 'answered');
    } else if (isDialFailure(code)) {
      this.dialResult(line, dialFailureOutcome(code, failure, undefined) ?? 'congestion');
    }
  }

  private stage(line: Line, stage: DialStage): void {
    const dial = line.dial;
    if (!dial || dial.stages.has(stage)) return;
    dial.stages.add(stage);
    this.emit('dialProgress', { channel: line.id, opId: dial.opId, stage });
  }

  private dialResult(line: Line, outcome: DialOutcome): void {
    const dial = line.dial;
    if (!dial || dial.done) return;
    dial.done = true;
    if (outcome === 'answered' && line.call) line.call.connected = true;
    if (outcome !== 'answered') {
      line.call = undefined;
      line.dial = undefined;
    }
    this.emit('dialResult', { channel: line.id, opId: dial.opId, outcome });
  }

  private remoteHangup(line: Line, cause: HangupCause): void {
    const call = line.call;
    if (!call || call.hangupSent) return;
    call.hangupSent = true;
    this.emit('hangup', { channel: line.id, cause });
  }

  private fault(line: Line, state: number): void {
    if (line.faulted) return;
    line.faulted = true;
    line.call = undefined;
    line.dial = undefined;
    line.play = undefined;
    line.record = undefined;
    line.send = undefined;
    line.playsOutstanding = 0;
    line.recsOutstanding = 0;
    if (line.conference) this.conferences.get(line.conference)?.members.delete(line.id);
    line.conference = undefined;
    const code =
      state === St.Offline
        ? 'line-offline'
        : state === St.RemoteBlock
          ? 'remote-block'
          : state === St.LocalBlock
            ? 'local-block'
            : 'channel-unavailable';
    this.emit('fault', {
      channel: line.id,
      code,
      message: `${nameOf(STATE_NAMES, state)} (state ${state}) on ${nameOf(CH_TYPE_NAMES, line.type)} ${line.ch}`,
      vendorCode: state,
    });
  }

  private onPlayEnd(line: Line, reason: number): void {
    if (line.playsOutstanding > 0) line.playsOutstanding--;
    if (line.playsOutstanding > 0) return; // the end of a play that a newer one replaced
    if (reason === PlayEnd.Hangup) this.remoteHangup(line, 'normal');
    const play = line.play;
    if (!play) return;
    if (reason === PlayEnd.Completed && play.index + 1 < play.files.length) {
      play.index++;
      let format: number;
      try {
        format = this.playFormatOf(play.files[play.index]!);
      } catch (error) {
        this.endPlay(line, 'error', String(error));
        return;
      }
      line.playsOutstanding++;
      this.raw('SsmPlayFile', [line.ch, play.files[play.index]!, format, 0, WHOLE]).catch((error: unknown) => {
        line.playsOutstanding--;
        if (line.play === play) this.endPlay(line, 'error', this.mapError(error, { channel: line.id }).message);
      });
      return;
    }
    this.endPlay(line, reason === PlayEnd.Completed ? 'completed' : 'stopped');
  }

  private endPlay(line: Line, reason: 'completed' | 'stopped' | 'error', error?: string): void {
    const play = line.play;
    if (!play) return;
    line.play = undefined;
    this.emit('playEnded', { channel: line.id, opId: play.opId, reason, ...(error === undefined ? {} : { error }) });
  }

  private onRecordEnd(line: Line, reason: number): void {
    if (line.recsOutstanding > 0) line.recsOutstanding--;
    if (line.recsOutstanding > 0) return;
    const rec = line.record;
    line.record = undefined;
    // A recording ended by the far end's release: report the release first, so the recording
    // ends as a voicemail (reason `hangup`) rather than as stopped.
    if (reason === RecordEnd.Hangup) this.remoteHangup(line, 'normal');
    if (!rec) return;
    this.emit('recordEnded', {
      channel: line.id,
      opId: rec.opId,
      reason: 'stopped',
      durationMs: recordedMs(rec.path, rec.codec),
    });
  }

  // ------------------------------------------------------------------------------- helpers

  private async startFile(line: Line, formats: readonly number[]): Promise<void> {
    const play = line.play!;
    line.playsOutstanding++;
    try {
      await this.command(line, 'SsmPlayFile', [line.ch, play.files[0]!, formats[0]!, 0, WHOLE], {
        file: play.files[0],
      });
    } catch (error) {
      line.playsOutstanding--;
      if (line.play === play) line.play = undefined;
      throw error;
    }
  }

  /** The nFormat for a file: -1 (from its WAVE header) for .wav, the table for raw files. */
  private playFormatOf(file: string): number {
    const ext = extname(file).toLowerCase();
    if (ext === '.wav') return FORMAT_FROM_HEADER;
    const id = this.playFormats[ext];
    if (id === undefined) {
      throw new HotlineError(
        ErrorCode.MediaFormat,
        `sanhui: cannot tell the codec of ${file} (${ext || 'no extension'}); play .wav files, or map the extension in the \`playFormats\` option`,
        { details: { file } },
      );
    }
    if (CODEC_BYTES_PER_MS[id] === undefined) {
      throw new HotlineError(
        ErrorCode.MediaFormat,
        `sanhui: codec id ${id} (for ${ext}) is not one this driver knows (1, 6, 7)`,
        {
          details: { file, codec: id },
        },
      );
    }
    return id;
  }

  private line(id: string): Line {
    if (!this.binding || this.closed) throw new HotlineError(ErrorCode.BoardClosed, 'sanhui: the board is not open');
    const line = this.byId.get(id);
    if (!line) throw new HotlineError(ErrorCode.UnknownChannel, `sanhui: no channel '${id}'`);
    return line;
  }

  private raw(name: string, args: readonly (number | string)[]): Promise<unknown> {
    const binding = this.binding;
    if (!binding) return Promise.reject(new HotlineError(ErrorCode.BoardClosed, 'sanhui: the board is not open'));
    return this.pending.track(binding.call(name, args));
  }

  private async command(
    line: Line,
    name: string,
    args: readonly (number | string)[],
    context: Record<string, unknown> = {},
  ): Promise<unknown> {
    try {
      return await this.raw(name, args);
    } catch (error) {
      throw this.mapError(error, { channel: line.id, ...context });
    }
  }

  private mapError(error: unknown, context: Record<string, unknown>): HotlineError {
    if (!isNativeVendorFailure(error)) {
      if (error instanceof HotlineError) return error;
      return new HotlineError(ErrorCode.Driver, `${VENDOR}: ${String(error)}`, { cause: error });
    }
    return vendorError(VENDOR, error, ERROR_NAMES, context, (code, op) => {
      if (code === -2 || code === 3) return { code: ErrorCode.Unsupported };
      if (code === 7) return { code: ErrorCode.MediaFormat };
      if (code === 9 && op === 'SsmPlayFile') return { code: ErrorCode.MediaFormat };
      if (code === 2) return { code: ErrorCode.UnknownChannel };
      if (code === 11 || code === 13 || code === 20) return { retryable: true };
      return {};
    });
  }
}

/** Length of a finished recording from its file: the WAVE data chunk, or the raw size. */
function recordedMs(path: string, codec: number): number {
  try {
    const wav = readWavLayout(path);
    if (wav) return Math.round((wav.dataBytes * 1000) / Math.max((wav.sampleRate * wav.bitsPerSample) / 8, 1));
    return Math.round(statSync(path).size / (CODEC_BYTES_PER_MS[codec] ?? 8));
  } catch {
    return 0;
  }
}
