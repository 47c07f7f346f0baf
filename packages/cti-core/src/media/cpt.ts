/**
 * Call-progress tone classification for outbound calls, by cadence, for the Chinese tone plan
 * (signaling-dsp.md §4.1): every tone is 450 Hz and tones differ only in their on/off rhythm.
 *
 * Each frame is classified by Goertzel filters (three around 450 Hz to cover 450 ± 25 Hz, three
 * around 1100 Hz for fax CNG, one at 2100 Hz for fax/modem CED) and by its level:
 * a frame is *tone* when its level is at least `toneThresholdDbm0` and one band holds at least
 * 60 % of the frame's AC power; otherwise *voice* when at least `voiceThresholdDbm0` and 6 dB
 * above the tracked noise floor (broadband, non-stationary energy: a person or an answering
 * machine answering, music on hold); otherwise *quiet* (silence or steady line noise).
 * Runs of 450 Hz "on" and "off" frames are matched against the cadences with a tolerance of
 * ±max(25 %, 60 ms) per segment:
 *
 * | event | rule (reported when established) |
 * | --- | --- |
 * | `dial-tone` | 450 Hz on for ≥ `dialToneMs` (default 1500) |
 * | `busy` | two cycles of 350 on / 350 off |
 * | `congestion` | two cycles of 700 on / 700 off |
 * | `ringback` | 1000 on followed by ≥ 2000 ms off (the 4 s off is still running) |
 * | `vacant` | 3 × (100 on, 100 off) then 400 on |
 * | `fax-cng` | a 1100 Hz burst of 500 ± 150 ms |
 * | `fax-ced` | 2100 Hz for ≥ 400 ms |
 * | `voice` | ≥ `voiceMs` (default 400) of voice frames, pauses < 300 ms bridged, no tone between |
 * | `silence` | quiet for ≥ `silenceMs` (default 6000, longer than ringback's 4 s off) |
 *
 * An event is returned once, when its classification is established; it is reported again
 * only after a different classification has been reported in between.
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { SAMPLE_RATE } from './frame.js';
import { dbm0ToRms } from './levels.js';

/** Classifications reported by {@link CallProgressDetector}. */
export type CallProgressType =
  'dial-tone' | 'ringback' | 'busy' | 'congestion' | 'vacant' | 'voice' | 'fax-cng' | 'fax-ced' | 'silence';

/** One classification, with the audio time (ms since start or reset, end of the deciding frame). */
export interface CallProgressEvent {
  readonly type: CallProgressType;
  readonly atMs: number;
}

/** Options of {@link CallProgressDetector}. */
export interface CallProgressOptions {
  /** Minimum tone level, dBm0; default −40. */
  readonly toneThresholdDbm0?: number;
  /** Minimum level of a voice frame, dBm0; default −36. */
  readonly voiceThresholdDbm0?: number;
  /** Continuous 450 Hz needed for dial tone, ms; default 1500. */
  readonly dialToneMs?: number;
  /** Voice needed to report `voice`, ms; default 400. */
  readonly voiceMs?: number;
  /** Quiet needed to report `silence`, ms; default 6000. */
  readonly silenceMs?: number;
}

/** Frame classes: quiet/voice, 450 Hz call-progress tone, 1100 Hz CNG, 2100 Hz CED. */
const Band = { None: 0, Cpt: 1, Cng: 2, Ced: 3 } as const;
type Band = (typeof Band)[keyof typeof Band];

const FILTER_HZ = [430, 450, 470, 1070, 1100, 1130, 2100];
const COEFFS = Float64Array.from(FILTER_HZ, (f) => 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE));
const TONE_FRACTION = 0.6;
const HISTORY = 8;
const VOICE_OVER_FLOOR = 10 ** (6 / 10); // voice frames are ≥ 6 dB above the noise floor
const FLOOR_RISE = 10 ** (0.2 / 10); // the floor estimate rises ≤ 0.2 dB per frame (10 dB/s)
const FLOOR_MIN = dbm0ToRms(-75) ** 2;

function within(ms: number, nominal: number): boolean {
  const tol = Math.max(nominal * 0.25, 60);
  return ms >= nominal - tol && ms <= nominal + tol;
}

/**
 * Streaming call-progress classifier. Push consecutive frames (normally 160 samples; any length
 * works); each call returns at most one newly established {@link CallProgressEvent}.
 */
export class CallProgressDetector {
  private readonly toneThreshold: number; // mean power
  private readonly voiceThreshold: number;
  private readonly dialToneMs: number;
  private readonly voiceMs: number;
  private readonly silenceMs: number;

  private elapsedMs = 0;
  private lastReported: CallProgressType | undefined;
  // 450 Hz cadence: completed runs (alternating on/off, newest last) and the current run
  private readonly runs = new Float64Array(HISTORY);
  private readonly runOn = new Uint8Array(HISTORY);
  private runCount = 0;
  private curOn = false;
  private curMs = 0;
  // other trackers
  private faxBand: Band = Band.None;
  private faxMs = 0;
  private voiceAccum = 0;
  private voiceGap = 0;
  private quietMs = 0;

  /** @throws HotlineError `ERR_INVALID_ARGUMENT` for non-positive durations. */
  constructor(options: CallProgressOptions = {}) {
    this.toneThreshold = dbm0ToRms(options.toneThresholdDbm0 ?? -40) ** 2;
    this.voiceThreshold = dbm0ToRms(options.voiceThresholdDbm0 ?? -36) ** 2;
    this.dialToneMs = options.dialToneMs ?? 1500;
    this.voiceMs = options.voiceMs ?? 400;
    this.silenceMs = options.silenceMs ?? 6000;
    if (!(this.dialToneMs > 0 && this.voiceMs > 0 && this.silenceMs > 0)) {
      throw new HotlineError(
        ErrorCode.InvalidArgument,
        'CallProgressDetector: dialToneMs, voiceMs and silenceMs must be > 0',
      );
    }
  }

  /** Audio time processed since construction or reset, ms. */
  get timeMs(): number {
    return this.elapsedMs;
  }

  /** Forgets everything, including what was reported. */
  reset(): void {
    this.elapsedMs = 0;
    this.lastReported = undefined;
    this.runCount = 0;
    this.curOn = false;
    this.curMs = 0;
    this.faxBand = Band.None;
    this.faxMs = 0;
    this.voiceAccum = 0;
    this.voiceGap = 0;
    this.quietMs = 0;
    this.lastVoice = false;
    this.noiseFloor = Infinity;
  }

  /** Processes one frame; returns a newly established classification or `null`. */
  push(frame: Int16Array): CallProgressEvent | null {
    const n = frame.length;
    if (n === 0) return null;
    const ms = (n * 1000) / SAMPLE_RATE;
    this.elapsedMs += ms;
    const kind = this.classify(frame);

    // --- 450 Hz cadence
    const on = kind === Band.Cpt;
    let found: CallProgressType | undefined;
    if (on !== this.curOn) {
      if (this.curMs > 0) this.pushRun(this.curOn, this.curMs);
      this.curOn = on;
      this.curMs = 0;
      found = this.matchCadence();
    }
    this.curMs += ms;
    if (this.curOn && this.curMs >= this.dialToneMs) found = 'dial-tone';
    if (
      !this.curOn &&
      this.curMs >= 2000 &&
      this.runCount > 0 &&
      this.runOn[this.runCount - 1] === 1 &&
      within(this.runs[this.runCount - 1]!, 1000)
    ) {
      found = 'ringback';
    }

    // --- fax tones
    if (kind === Band.Cng || kind === Band.Ced) {
      if (this.faxBand === kind) this.faxMs += ms;
      else {
        this.faxBand = kind;
        this.faxMs = ms;
      }
      if (kind === Band.Ced && this.faxMs >= 400) found = 'fax-ced';
    } else if (this.faxBand !== Band.None) {
      if (this.faxBand === Band.Cng && this.faxMs >= 350 && this.faxMs <= 650) found = 'fax-cng';
      this.faxBand = Band.None;
      this.faxMs = 0;
    }

    // --- voice and silence
    if (kind === Band.None && this.lastVoice) {
      this.voiceAccum += ms;
      this.voiceGap = 0;
      if (this.voiceAccum >= this.voiceMs) found ??= 'voice';
    } else if (kind !== Band.None) {
      this.voiceAccum = 0;
      this.voiceGap = 0;
    } else if ((this.voiceGap += ms) >= 300) {
      this.voiceAccum = 0;
    }
    if (kind === Band.None && !this.lastVoice) {
      this.quietMs += ms;
      if (this.quietMs >= this.silenceMs) found ??= 'silence';
    } else this.quietMs = 0;

    if (found !== undefined && found !== this.lastReported) {
      this.lastReported = found;
      return { type: found, atMs: this.elapsedMs };
    }
    return null;
  }

  private lastVoice = false;
  private noiseFloor = Infinity;

  /** Returns the band holding ≥ 60 % of the AC power (if loud enough); sets `lastVoice`. */
  private classify(frame: Int16Array): Band {
    const n = frame.length;
    const c = COEFFS;
    const c0 = c[0]!,
      c1 = c[1]!,
      c2 = c[2]!,
      c3 = c[3]!,
      c4 = c[4]!,
      c5 = c[5]!,
      c6 = c[6]!;
    let a0 = 0,
      b0 = 0,
      a1 = 0,
      b1 = 0,
      a2 = 0,
      b2 = 0,
      a3 = 0,
      b3 = 0,
      a4 = 0,
      b4 = 0,
      a5 = 0,
      b5 = 0,
      a6 = 0,
      b6 = 0;
    let energy = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = frame[i]!;
      energy += x * x;
      sum += x;
      let s = c0 * a0 - b0 + x;
      b0 = a0;
      a0 = s;
      s = c1 * a1 - b1 + x;
      b1 = a1;
      a1 = s;
      s = c2 * a2 - b2 + x;
      b2 = a2;
      a2 = s;
      s = c3 * a3 - b3 + x;
      b3 = a3;
      a3 = s;
      s = c4 * a4 - b4 + x;
      b4 = a4;
      a4 = s;
      s = c5 * a5 - b5 + x;
      b5 = a5;
      a5 = s;
      s = c6 * a6 - b6 + x;
      b6 = a6;
      a6 = s;
    }
    const acPower = (energy - (sum * sum) / n) / n;
    // voice = loud enough and well above the stationary noise floor
    this.lastVoice = acPower >= this.voiceThreshold && acPower >= this.noiseFloor * VOICE_OVER_FLOOR;
    if (acPower < this.toneThreshold) {
      this.trackFloor(acPower);
      return Band.None;
    }
    // tone power estimate of a Goertzel output: 2|X|²/N², compared with the frame's AC power
    const limit = (TONE_FRACTION * acPower * n * n) / 2;
    const cpt = Math.max(
      a0 * a0 + b0 * b0 - c0 * a0 * b0,
      a1 * a1 + b1 * b1 - c1 * a1 * b1,
      a2 * a2 + b2 * b2 - c2 * a2 * b2,
    );
    const cng = Math.max(
      a3 * a3 + b3 * b3 - c3 * a3 * b3,
      a4 * a4 + b4 * b4 - c4 * a4 * b4,
      a5 * a5 + b5 * b5 - c5 * a5 * b5,
    );
    const ced = a6 * a6 + b6 * b6 - c6 * a6 * b6;
    let band: Band = Band.None;
    if (cpt >= limit) band = Band.Cpt;
    else if (cng >= limit) band = Band.Cng;
    else if (ced >= limit) band = Band.Ced;
    if (band !== Band.None) this.lastVoice = false;
    else this.trackFloor(acPower);
    return band;
  }

  /** Minimum tracker: follows drops at once, rises by FLOOR_RISE per frame. */
  private trackFloor(power: number): void {
    const p = Math.max(power, FLOOR_MIN);
    this.noiseFloor = p < this.noiseFloor ? p : Math.min(p, this.noiseFloor * FLOOR_RISE);
  }

  private pushRun(on: boolean, ms: number): void {
    if (this.runCount === HISTORY) {
      this.runs.copyWithin(0, 1);
      this.runOn.copyWithin(0, 1);
      this.runCount--;
    }
    this.runs[this.runCount] = ms;
    this.runOn[this.runCount] = on ? 1 : 0;
    this.runCount++;
  }

  /** Matches the completed runs (newest last) against the cadences. */
  private matchCadence(): CallProgressType | undefined {
    const count = this.runCount;
    const run = (back: number): number => this.runs[count - 1 - back]!;
    const lastIsOn = count > 0 && this.runOn[count - 1] === 1;
    if (count >= 4 && !lastIsOn) {
      // ... on, off, on, off (newest)
      const cycles = (on: number, off: number): boolean =>
        within(run(0), off) && within(run(1), on) && within(run(2), off) && within(run(3), on);
      if (cycles(350, 350)) return 'busy';
      if (cycles(700, 700)) return 'congestion';
    }
    if (count >= 6 && lastIsOn && within(run(0), 400)) {
      // short on, short off ×3 then the long on: the long on is newest; before it off, on, off, on, off, on
      let ok = true;
      for (let b = 1; b <= 5; b++) if (!within(run(b), 100)) ok = false;
      if (ok) return 'vacant';
    }
    return undefined;
  }
}
