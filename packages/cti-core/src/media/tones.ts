/**
 * Tone generation: Chinese call-progress tones (signaling-dsp.md §4.1), DTMF (ITU-T Q.23) and
 * seeded test noise. Levels follow the dBm0 convention of `levels.ts`.
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { msToSamples, SAMPLE_RATE } from './frame.js';
import { dbm0ToAmplitude, dbm0ToRms } from './levels.js';

const TWO_PI = 2 * Math.PI;

/** A call-progress or signalling tone. */
export interface ToneSpec {
  /** Component frequencies in Hz (each at {@link ToneSpec.levelDbm0}). */
  readonly frequencies: readonly number[];
  /** Level of each component in dBm0. */
  readonly levelDbm0: number;
  /** On/off durations in ms: on, off, on, off, …, repeating; empty means continuous. */
  readonly cadence: readonly number[];
  /**
   * Optional stepped level (e.g. the howler): the level moves through `levelsDbm0`, one step
   * every `stepMs`, then stays at the last value. Overrides `levelDbm0` when present.
   */
  readonly levelSteps?: { readonly stepMs: number; readonly levelsDbm0: readonly number[] };
}

/** Names of the Chinese call-progress tones in {@link ChineseTones}. */
export type ChineseToneName =
  | 'dial'
  | 'specialDial'
  | 'ringback'
  | 'busy'
  | 'congestion'
  | 'vacant'
  | 'longDistance'
  | 'callWaiting'
  | 'howler'
  | 'reminder';

/**
 * Chinese call-progress tones (信号音) per signaling-dsp.md §4.1: 450 Hz at −10 dBm0 unless noted.
 * The howler (催挂音, 950 Hz) rises in five 5 dB steps from −20 dBm0 to 0 dBm0 every 2 s (the
 * step size and timing are our choice; the source only says "rising in steps, 5 levels").
 * Call waiting uses the asterisk `[cn]` cadence 0.4 s on / 4 s off.
 */
export const ChineseTones: Readonly<Record<ChineseToneName, ToneSpec>> = {
  dial: { frequencies: [450], levelDbm0: -10, cadence: [] },
  specialDial: { frequencies: [450], levelDbm0: -10, cadence: [400, 40] },
  ringback: { frequencies: [450], levelDbm0: -10, cadence: [1000, 4000] },
  busy: { frequencies: [450], levelDbm0: -10, cadence: [350, 350] },
  congestion: { frequencies: [450], levelDbm0: -10, cadence: [700, 700] },
  vacant: { frequencies: [450], levelDbm0: -10, cadence: [100, 100, 100, 100, 100, 100, 400, 400] },
  longDistance: { frequencies: [450], levelDbm0: -10, cadence: [200, 200, 200, 600] },
  callWaiting: { frequencies: [450], levelDbm0: -10, cadence: [400, 4000] },
  howler: {
    frequencies: [950],
    levelDbm0: -20,
    cadence: [],
    levelSteps: { stepMs: 2000, levelsDbm0: [-20, -15, -10, -5, 0] },
  },
  reminder: { frequencies: [1400], levelDbm0: -10, cadence: [400, 10000] },
};

function checkSpec(spec: ToneSpec): void {
  const bad = (what: string): never => {
    throw new HotlineError(ErrorCode.InvalidArgument, `ToneSpec: ${what}`);
  };
  if (spec.frequencies.length === 0) bad('at least one frequency is required');
  for (const f of spec.frequencies) if (!(f > 0 && f < SAMPLE_RATE / 2)) bad(`frequency ${f} Hz is outside 0..4000 Hz`);
  if (spec.cadence.length % 2 !== 0) bad(`cadence must list on/off pairs, got ${spec.cadence.length} values`);
  for (const ms of spec.cadence) if (!(ms >= 0) || !Number.isFinite(ms)) bad(`cadence value ${ms} is not a duration`);
  if (spec.cadence.length > 0 && spec.cadence.every((ms) => msToSamples(ms) === 0)) bad('cadence has zero length');
  if (spec.levelSteps && (spec.levelSteps.levelsDbm0.length === 0 || !(spec.levelSteps.stepMs > 0)))
    bad('bad levelSteps');
}

/**
 * Streams a {@link ToneSpec} frame by frame: phase-continuous, cadence-respecting, starting at
 * the beginning of the first "on" period. Deterministic (same spec → same samples).
 */
export class ToneGenerator {
  private readonly omegas: Float64Array;
  private readonly phases: Float64Array;
  private readonly segments: Int32Array;
  private readonly stepSamples: number;
  private readonly stepAmplitudes: Float64Array;
  private segment = 0;
  private inSegment = 0;
  private elapsed = 0;

  /**
   * @param spec - the tone to generate (kept as {@link ToneGenerator.spec})
   * @throws HotlineError `ERR_INVALID_ARGUMENT` for an unusable spec.
   */
  constructor(
    /** The tone this generator produces. */
    readonly spec: ToneSpec,
  ) {
    checkSpec(spec);
    this.omegas = Float64Array.from(spec.frequencies, (f) => (TWO_PI * f) / SAMPLE_RATE);
    this.phases = new Float64Array(spec.frequencies.length);
    this.segments = Int32Array.from(spec.cadence, msToSamples);
    const steps = spec.levelSteps;
    this.stepSamples = steps ? msToSamples(steps.stepMs) : 0;
    this.stepAmplitudes = Float64Array.from(steps ? steps.levelsDbm0 : [spec.levelDbm0], dbm0ToAmplitude);
  }

  /** Writes the next `frame.length` samples (normally 160) into `frame`. Does not allocate. */
  fill(frame: Int16Array): void {
    const omegas = this.omegas;
    const phases = this.phases;
    const k = omegas.length;
    const segments = this.segments;
    const continuous = segments.length === 0;
    for (let i = 0; i < frame.length; i++) {
      if (!continuous) {
        while (this.inSegment >= segments[this.segment]!) {
          this.inSegment = 0;
          this.segment = (this.segment + 1) % segments.length;
        }
        this.inSegment++;
      }
      const on = continuous || (this.segment & 1) === 0;
      let v = 0;
      if (on) {
        const stepIndex =
          this.stepSamples > 0
            ? Math.min(Math.floor(this.elapsed / this.stepSamples), this.stepAmplitudes.length - 1)
            : 0;
        const amp = this.stepAmplitudes[stepIndex]!;
        for (let j = 0; j < k; j++) v += amp * Math.sin(phases[j]!);
      }
      for (let j = 0; j < k; j++) {
        let p = phases[j]! + omegas[j]!;
        if (p >= TWO_PI) p -= TWO_PI;
        phases[j] = p;
      }
      this.elapsed++;
      frame[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
    }
  }

  /** Restarts the tone from the beginning of its cadence with zero phase. */
  reset(): void {
    this.phases.fill(0);
    this.segment = 0;
    this.inSegment = 0;
    this.elapsed = 0;
  }
}

/**
 * Generates `durationMs` of a steady (non-cadenced) multi-frequency tone.
 * `levelDbm0` is per component: one number for all, or one per frequency.
 */
export function generateTone(
  frequencies: readonly number[],
  durationMs: number,
  levelDbm0: number | readonly number[],
): Int16Array {
  const n = msToSamples(durationMs);
  const out = new Int16Array(n);
  const amps = frequencies.map((_, i) =>
    dbm0ToAmplitude(typeof levelDbm0 === 'number' ? levelDbm0 : (levelDbm0[i] ?? -Infinity)),
  );
  for (let s = 0; s < n; s++) {
    let v = 0;
    for (let j = 0; j < frequencies.length; j++) v += amps[j]! * Math.sin((TWO_PI * frequencies[j]! * s) / SAMPLE_RATE);
    out[s] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DTMF

/** The 16 DTMF digits in canonical order. */
export const DTMF_DIGITS = '0123456789*#ABCD';

/** DTMF low-group (row) frequencies in Hz (ITU-T Q.23). */
export const DTMF_ROW_FREQUENCIES: readonly number[] = [697, 770, 852, 941];

/** DTMF high-group (column) frequencies in Hz (ITU-T Q.23). */
export const DTMF_COLUMN_FREQUENCIES: readonly number[] = [1209, 1336, 1477, 1633];

/** Keypad layout: `DTMF_KEYPAD[row][column]`. */
export const DTMF_KEYPAD: readonly string[] = ['123A', '456B', '789C', '*0#D'];

/** For each DTMF digit, its `[low, high]` frequency pair in Hz. */
export const DTMF_FREQUENCIES: Readonly<Record<string, readonly [number, number]>> = Object.freeze(
  Object.fromEntries(
    DTMF_KEYPAD.flatMap((keys, r) =>
      Array.from(keys, (key, c) => [
        key,
        Object.freeze([DTMF_ROW_FREQUENCIES[r]!, DTMF_COLUMN_FREQUENCIES[c]!] as const),
      ]),
    ),
  ),
);

/** True when `ch` is exactly one of {@link DTMF_DIGITS} (upper-case A–D only). */
export function isDtmfDigit(ch: string): boolean {
  return ch.length === 1 && DTMF_DIGITS.includes(ch);
}

/** Options of {@link generateDtmf} and {@link DtmfGenerator.queue}. */
export interface DtmfOptions {
  /** Tone duration per digit in ms; default 60. */
  readonly onMs?: number;
  /** Silence after each digit in ms; default 60. */
  readonly offMs?: number;
  /** Level of the low-group tone in dBm0; default −10. */
  readonly levelDbm0?: number;
  /** Level of the high-group tone relative to the low-group tone, in dB; default 0 (negative = "normal" twist). */
  readonly twistDb?: number;
  /** Relative frequency offset applied to both tones (0.02 = +2 %); default 0. */
  readonly frequencyDeviation?: number;
  /** Silence before the first digit in ms; default 0. */
  readonly leadingSilenceMs?: number;
}

interface Segment {
  readonly samples: number;
  readonly wLow: number;
  readonly wHigh: number;
  readonly aLow: number;
  readonly aHigh: number;
}

function validateDigits(digits: string, where: string): void {
  for (let i = 0; i < digits.length; i++) {
    const ch = digits[i]!;
    if (!isDtmfDigit(ch)) {
      throw new HotlineError(
        ErrorCode.InvalidArgument,
        `${where}: '${ch}' at position ${i + 1} is not a DTMF digit (allowed: ${DTMF_DIGITS})`,
        { details: { position: i + 1 } },
      );
    }
  }
}

function checkMs(where: string, name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0)
    throw new HotlineError(ErrorCode.InvalidArgument, `${where}: ${name} must be >= 0 ms, got ${ms}`);
  return msToSamples(ms);
}

function buildSegments(digits: string, options: DtmfOptions, where: string): Segment[] {
  validateDigits(digits, where);
  const on = checkMs(where, 'onMs', options.onMs ?? 60);
  const off = checkMs(where, 'offMs', options.offMs ?? 60);
  const lead = checkMs(where, 'leadingSilenceMs', options.leadingSilenceMs ?? 0);
  const level = options.levelDbm0 ?? -10;
  const twist = options.twistDb ?? 0;
  const dev = options.frequencyDeviation ?? 0;
  if (!Number.isFinite(level) || !Number.isFinite(twist) || !(Math.abs(dev) < 0.5)) {
    throw new HotlineError(
      ErrorCode.InvalidArgument,
      `${where}: level, twist and frequencyDeviation must be finite (|deviation| < 0.5)`,
    );
  }
  const aLow = dbm0ToAmplitude(level);
  const aHigh = dbm0ToAmplitude(level + twist);
  const segments: Segment[] = [];
  const silence = (samples: number): void => {
    if (samples > 0) segments.push({ samples, wLow: 0, wHigh: 0, aLow: 0, aHigh: 0 });
  };
  silence(lead);
  for (const digit of digits) {
    const [low, high] = DTMF_FREQUENCIES[digit]!;
    if (on > 0) {
      segments.push({
        samples: on,
        wLow: (TWO_PI * low * (1 + dev)) / SAMPLE_RATE,
        wHigh: (TWO_PI * high * (1 + dev)) / SAMPLE_RATE,
        aLow,
        aHigh,
      });
    }
    silence(off);
  }
  return segments;
}

/**
 * Streaming DTMF sender: queue digits, then pull audio frame by frame (used by simulated
 * parties to press keys as real audio). Each tone starts at zero phase, like spandsp `dtmf_tx`.
 */
export class DtmfGenerator {
  private readonly segments: Segment[] = [];
  private head = 0;
  private pos = 0;

  /**
   * Appends `digits` (each followed by `offMs` of silence) to the queue.
   * @throws HotlineError `ERR_INVALID_ARGUMENT` naming the first non-DTMF character and its
   *   1-based position, or a bad timing/level option; nothing is queued then.
   */
  queue(digits: string, options: DtmfOptions = {}): void {
    const added = buildSegments(digits, options, 'DtmfGenerator.queue');
    if (this.head > 0 && this.head === this.segments.length) {
      this.segments.length = 0;
      this.head = 0;
    }
    for (const s of added) this.segments.push(s);
  }

  /** True while queued tones or gaps remain to be sent. */
  get busy(): boolean {
    return this.head < this.segments.length;
  }

  /**
   * Writes the next `frame.length` samples. Returns `false` (and writes silence) when idle;
   * `true` when any queued audio (tone or gap) was written — the rest of the frame after the
   * queue drains is silence.
   */
  fill(frame: Int16Array): boolean {
    if (!this.busy) {
      frame.fill(0);
      return false;
    }
    let i = 0;
    while (i < frame.length && this.head < this.segments.length) {
      const seg = this.segments[this.head]!;
      const n = Math.min(seg.samples - this.pos, frame.length - i);
      if (seg.aLow === 0 && seg.aHigh === 0) {
        frame.fill(0, i, i + n);
      } else {
        for (let k = 0; k < n; k++) {
          const t = this.pos + k;
          const v = seg.aLow * Math.sin(seg.wLow * t) + seg.aHigh * Math.sin(seg.wHigh * t);
          frame[i + k] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
        }
      }
      i += n;
      this.pos += n;
      if (this.pos >= seg.samples) {
        this.head++;
        this.pos = 0;
      }
    }
    if (i < frame.length) frame.fill(0, i);
    if (this.head === this.segments.length) {
      this.segments.length = 0;
      this.head = 0;
    }
    return true;
  }

  /** Drops everything queued. */
  reset(): void {
    this.segments.length = 0;
    this.head = 0;
    this.pos = 0;
  }
}

/**
 * Generates a DTMF digit string as PCM: optional leading silence, then for each digit `onMs`
 * of the dual tone followed by `offMs` of silence (total
 * `leadingSilenceMs + digits.length × (onMs + offMs)`, in samples rounded per segment).
 * @throws HotlineError `ERR_INVALID_ARGUMENT` naming the first non-DTMF character and its position.
 */
export function generateDtmf(digits: string, options: DtmfOptions = {}): Int16Array {
  const segments = buildSegments(digits, options, 'generateDtmf');
  let total = 0;
  for (const s of segments) total += s.samples;
  const out = new Int16Array(total);
  let offset = 0;
  for (const s of segments) {
    if (s.aLow !== 0 || s.aHigh !== 0) {
      for (let t = 0; t < s.samples; t++) {
        const v = s.aLow * Math.sin(s.wLow * t) + s.aHigh * Math.sin(s.wHigh * t);
        out[offset + t] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
      }
    }
    offset += s.samples;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Test noise

/** A deterministic uniform PRNG in [0, 1) (mulberry32) — for reproducible test signals only. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How loud {@link addNoise} makes the noise. */
export type NoiseLevel =
  /** Absolute noise level (RMS) in dBm0. */
  | { readonly levelDbm0: number }
  /** Signal-to-noise ratio in dB relative to the RMS power of the whole input. */
  | { readonly snrDb: number };

/**
 * Returns a copy of `samples` with white Gaussian noise added (clipped to 16 bits).
 * Deterministic: the same `seed` gives the same noise. For tests and benchmarks.
 */
export function addNoise(samples: Int16Array, noise: NoiseLevel, seed: number): Int16Array {
  let rms: number;
  if ('levelDbm0' in noise) rms = dbm0ToRms(noise.levelDbm0);
  else {
    let sum = 0;
    for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
    rms = Math.sqrt(sum / Math.max(1, samples.length)) * 10 ** (-noise.snrDb / 20);
  }
  const rnd = seededRandom(seed);
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 2) {
    // Box–Muller: two independent N(0,1) values per pair of uniforms
    const u1 = 1 - rnd();
    const u2 = rnd();
    const r = Math.sqrt(-2 * Math.log(u1)) * rms;
    const a = samples[i]! + r * Math.cos(TWO_PI * u2);
    out[i] = a > 32767 ? 32767 : a < -32768 ? -32768 : Math.round(a);
    if (i + 1 < samples.length) {
      const b = samples[i + 1]! + r * Math.sin(TWO_PI * u2);
      out[i + 1] = b > 32767 ? 32767 : b < -32768 ? -32768 : Math.round(b);
    }
  }
  return out;
}
