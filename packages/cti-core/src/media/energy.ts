/**
 * Frame energy and energy-based voice activity detection on 20 ms frames. {@link frameLevelDbm0}
 * is defined in `levels.ts` with the rest of the dBm0 convention and re-exported here.
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { SAMPLE_RATE } from './frame.js';
import { frameLevelDbm0 } from './levels.js';

/** RMS level of a frame in dBm0 (defined in `levels.ts`; `-Infinity` for digital silence). */
export { frameLevelDbm0 };

/** Output state of {@link VoiceActivityDetector}. */
export type VoiceActivity = 'voice' | 'silence';

/** Options of {@link VoiceActivityDetector}. */
export interface VoiceActivityOptions {
  /** A frame at or above this RMS level (dBm0) is active; default −40. */
  readonly thresholdDbm0?: number;
  /** Silence is declared only after this much continuous inactivity (ms); default 300. */
  readonly hangoverMs?: number;
  /** Voice is declared only after this much continuous activity (ms); default 20 (one frame). */
  readonly attackMs?: number;
  /** While in voice, frames down to `thresholdDbm0 − hysteresisDb` still count as active; default 3. */
  readonly hysteresisDb?: number;
}

/**
 * Voice activity detector with attack time, hangover and level hysteresis. Starts in
 * `'silence'`; {@link VoiceActivityDetector.push} returns the new state on a change, `null`
 * otherwise. Frames may have any length (durations are counted in samples at 8 kHz).
 */
export class VoiceActivityDetector {
  private readonly threshold: number;
  private readonly holdThreshold: number;
  private readonly hangoverSamples: number;
  private readonly attackSamples: number;
  private active = false;
  private run = 0; // samples of the current contrary run

  /** @throws HotlineError `ERR_INVALID_ARGUMENT` for negative durations or hysteresis. */
  constructor(options: VoiceActivityOptions = {}) {
    const hangover = options.hangoverMs ?? 300;
    const attack = options.attackMs ?? 20;
    const hysteresis = options.hysteresisDb ?? 3;
    if (!(hangover >= 0) || !(attack >= 0) || !(hysteresis >= 0)) {
      throw new HotlineError(
        ErrorCode.InvalidArgument,
        'VoiceActivityDetector: hangoverMs, attackMs and hysteresisDb must be >= 0',
      );
    }
    this.threshold = options.thresholdDbm0 ?? -40;
    this.holdThreshold = this.threshold - hysteresis;
    this.hangoverSamples = (hangover * SAMPLE_RATE) / 1000;
    this.attackSamples = (attack * SAMPLE_RATE) / 1000;
  }

  /** Current state. */
  get state(): VoiceActivity {
    return this.active ? 'voice' : 'silence';
  }

  /** Processes one frame; returns `'voice'` or `'silence'` when the state changes, else `null`. */
  push(frame: Int16Array): VoiceActivity | null {
    const level = frameLevelDbm0(frame);
    if (this.active) {
      if (level >= this.holdThreshold) this.run = 0;
      else if ((this.run += frame.length) >= this.hangoverSamples) {
        this.active = false;
        this.run = 0;
        return 'silence';
      }
    } else if (level >= this.threshold) {
      if ((this.run += frame.length) >= this.attackSamples) {
        this.active = true;
        this.run = 0;
        return 'voice';
      }
    } else this.run = 0;
    return null;
  }

  /** Returns to the initial `'silence'` state. */
  reset(): void {
    this.active = false;
    this.run = 0;
  }
}
