/**
 * R2 / China No.1 multi-frequency (MFC) register signals: generation and detection in the
 * 20 ms frames of soft media (signaling-dsp.md §1.2).
 *
 * A signal n (1..15) is a pair of two of six frequencies ("2-of-6"): forward signals (groups
 * I/II) use 1380…1980 Hz, backward signals (groups A/B) 1140…540 Hz, in steps of 120 Hz. China
 * No.1's backward groups only use signals 1–6 (the first four backward frequencies); the
 * detector still recognises all fifteen.
 *
 * The detector follows the engineering of {@link DtmfDetector}: Goertzel filters at the six
 * frequencies of one direction over short blocks (80 samples, 10 ms, two per frame), a cheap
 * per-block classification, and an allocation-free hot path. Acceptance figures are spandsp's
 * Q.441 targets: response range −5…−35 dBm0, twist up to 7 dB (default accepts 8), no
 * detection of bursts shorter than 7 ms (a signal needs two consecutive 10 ms blocks), no
 * release on interruptions of ≤ 7 ms (a release needs two consecutive blocks without the
 * signal even by relaxed criteria), operate and release within 20–30 ms.
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { SAMPLE_RATE } from './frame.js';
import { amplitudeToDbm0, dbm0ToAmplitude } from './levels.js';

/** Direction of an MF register signal: forward (calling → called) or backward. */
export type MfDirection = 'forward' | 'backward';

/** Forward (group I/II) frequencies f0…f5 in Hz. */
export const MF_FORWARD_FREQUENCIES: readonly number[] = Object.freeze([1380, 1500, 1620, 1740, 1860, 1980]);

/** Backward (group A/B) frequencies f0…f5 in Hz. */
export const MF_BACKWARD_FREQUENCIES: readonly number[] = Object.freeze([1140, 1020, 900, 780, 660, 540]);

/**
 * The frequency indices `[i, j]` (into the direction's f0…f5) of signal n, for n = 1..15 at
 * position n − 1: 1 = f0+f1, 2 = f0+f2, 3 = f1+f2, 4 = f0+f3, … 15 = f4+f5.
 */
export const MF_SIGNAL_PAIRS: readonly (readonly [number, number])[] = Object.freeze(
  (() => {
    const pairs: (readonly [number, number])[] = [];
    for (let j = 1; j < 6; j++) for (let i = 0; i < j; i++) pairs.push(Object.freeze([i, j] as const));
    return pairs;
  })(),
);

/** Default sending level per frequency, dBm0 (OpenR2 uses −11; the spec −11.5 ± 1). */
export const MF_DEFAULT_LEVEL_DBM0 = -11;

/** The frequencies of MF signal `signal` (1..15) in `direction`, in Hz. */
export function mfFrequencies(direction: MfDirection, signal: number): readonly [number, number] {
  const pair = MF_SIGNAL_PAIRS[signal - 1];
  if (!Number.isInteger(signal) || !pair) {
    throw new HotlineError(ErrorCode.InvalidArgument, `MF signal must be an integer 1..15, got ${String(signal)}`);
  }
  const f = direction === 'forward' ? MF_FORWARD_FREQUENCIES : MF_BACKWARD_FREQUENCIES;
  return [f[pair[0]]!, f[pair[1]]!];
}

// signal number for each (i, j) frequency pair, i < j: PAIR_TO_SIGNAL[i * 6 + j]
const PAIR_TO_SIGNAL = new Int8Array(36);
MF_SIGNAL_PAIRS.forEach(([i, j], n) => {
  PAIR_TO_SIGNAL[i * 6 + j] = n + 1;
  PAIR_TO_SIGNAL[j * 6 + i] = n + 1;
});

/** Options of {@link MfGenerator}. */
export interface MfGeneratorOptions {
  /** Level of each of the two frequencies, dBm0; default −11. */
  readonly levelDbm0?: number;
  /** Level of the higher frequency relative to the lower one, dB (tests); default 0. */
  readonly twistDb?: number;
  /** Relative frequency offset of both tones (tests; 0.001 = +0.1 %); default 0. */
  readonly frequencyDeviation?: number;
}

/**
 * Streaming MF signal sender for one direction of one channel. `start(n)` / `stop()` switch
 * the signal; {@link MfGenerator.fill} writes the next samples (phase-continuous while a
 * signal lasts, silence otherwise). Allocation-free.
 */
export class MfGenerator {
  private readonly freqs: readonly number[];
  private readonly ampLow: number;
  private readonly ampHigh: number;
  private readonly deviation: number;
  // oscillator state: cos/sin of the current phase and of the per-sample step, per tone
  private readonly osc = new Float64Array(8);
  private current = 0;

  /** @throws HotlineError `ERR_INVALID_ARGUMENT` for unusable options. */
  constructor(
    /** Which frequency set this generator sends. */
    readonly direction: MfDirection,
    options: MfGeneratorOptions = {},
  ) {
    const level = options.levelDbm0 ?? MF_DEFAULT_LEVEL_DBM0;
    const twist = options.twistDb ?? 0;
    const dev = options.frequencyDeviation ?? 0;
    if (!(level <= 0 && level >= -60) || !Number.isFinite(twist) || !(Math.abs(dev) < 0.05)) {
      throw new HotlineError(
        ErrorCode.InvalidArgument,
        'MfGenerator: levelDbm0 must be −60..0, twistDb finite, |frequencyDeviation| < 0.05',
      );
    }
    this.freqs = direction === 'forward' ? MF_FORWARD_FREQUENCIES : MF_BACKWARD_FREQUENCIES;
    this.ampLow = dbm0ToAmplitude(level);
    this.ampHigh = dbm0ToAmplitude(level + twist);
    this.deviation = dev;
  }

  /** The signal being sent (1..15), or 0 when silent. */
  get signal(): number {
    return this.current;
  }

  /** Starts sending `signal` (1..15) from zero phase; replaces any signal being sent. */
  start(signal: number): void {
    const [f1, f2] = mfFrequencies(this.direction, signal);
    const lo = Math.min(f1, f2) * (1 + this.deviation);
    const hi = Math.max(f1, f2) * (1 + this.deviation);
    const o = this.osc;
    const w1 = (2 * Math.PI * lo) / SAMPLE_RATE;
    const w2 = (2 * Math.PI * hi) / SAMPLE_RATE;
    o[0] = 1;
    o[1] = 0;
    o[2] = Math.cos(w1);
    o[3] = Math.sin(w1);
    o[4] = 1;
    o[5] = 0;
    o[6] = Math.cos(w2);
    o[7] = Math.sin(w2);
    this.current = signal;
  }

  /** Stops sending (silence from the next sample). */
  stop(): void {
    this.current = 0;
  }

  /**
   * Writes `frame.length` samples of the current signal into `frame` (overwriting it), or
   * silence when none. Returns whether a signal was written.
   */
  fill(frame: Int16Array): boolean {
    if (this.current === 0) {
      frame.fill(0);
      return false;
    }
    const o = this.osc;
    let c1 = o[0]!,
      s1 = o[1]!,
      c2 = o[4]!,
      s2 = o[5]!;
    const dc1 = o[2]!,
      ds1 = o[3]!,
      dc2 = o[6]!,
      ds2 = o[7]!;
    const a1 = this.ampLow,
      a2 = this.ampHigh;
    const n = frame.length;
    for (let i = 0; i < n; i++) {
      const v = a1 * s1 + a2 * s2;
      frame[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
      const nc1 = c1 * dc1 - s1 * ds1;
      s1 = s1 * dc1 + c1 * ds1;
      c1 = nc1;
      const nc2 = c2 * dc2 - s2 * ds2;
      s2 = s2 * dc2 + c2 * ds2;
      c2 = nc2;
    }
    // renormalise the rotating phasors (rounding drift)
    const g1 = 1 / Math.sqrt(c1 * c1 + s1 * s1);
    const g2 = 1 / Math.sqrt(c2 * c2 + s2 * s2);
    o[0] = c1 * g1;
    o[1] = s1 * g1;
    o[4] = c2 * g2;
    o[5] = s2 * g2;
    return true;
  }
}

/**
 * Generates `durationMs` of MF signal `signal` in `direction` (tests and tools).
 * @throws HotlineError `ERR_INVALID_ARGUMENT` for a bad signal or option.
 */
export function generateMf(
  direction: MfDirection,
  signal: number,
  durationMs: number,
  options: MfGeneratorOptions = {},
): Int16Array {
  const gen = new MfGenerator(direction, options);
  gen.start(signal);
  const out = new Int16Array(Math.round((durationMs * SAMPLE_RATE) / 1000));
  gen.fill(out);
  return out;
}

/** Options of {@link MfDetector}. */
export interface MfDetectorOptions {
  /** Minimum level of each of the two frequencies, dBm0; default −38 (Q.441: respond down to −35). */
  readonly thresholdDbm0?: number;
  /** Largest level difference between the two frequencies, dB; default 8 (Q.441: ≥ 7 must be accepted). */
  readonly twistDb?: number;
}

/** Samples per Goertzel block of the MF detector (10 ms). */
export const MF_BLOCK_SAMPLES = 80;

const N = MF_BLOCK_SAMPLES;
/** The weaker of the pair must exceed every other filter by this (energy ratio, 6 dB). */
const RELATIVE_PEAK = 10 ** (6 / 10);
/** The pair must carry this share of the block's AC power (strong test / relaxed hold test). */
const STRONG_PURITY = 0.8;
const WEAK_PURITY = 0.3;
const goertzelEnergy = (amplitude: number): number => (amplitude * N * 0.5) ** 2;

/**
 * Streaming MF register-signal detector for one direction (forward detectors run on the
 * backward side, and vice versa). Feed audio of any chunking through {@link MfDetector.push};
 * read the signal being received from {@link MfDetector.signal} (0 = none). One instance per
 * channel. Allocation-free.
 */
export class MfDetector {
  private readonly coeffs: Float64Array;
  private readonly threshold: number;
  private readonly weakThreshold: number;
  private readonly maxTwist: number;
  private readonly state = new Float64Array(12);
  private readonly energies = new Float64Array(6);
  // [0] running energy, [1] running sum, [2] held pair level (dBm0)
  private readonly acc = new Float64Array(3);
  private fill = 0;
  private held = 0;
  private misses = 0;
  private pending = 0;
  private pendingCount = 0;
  private changes = 0;

  /** @throws HotlineError `ERR_INVALID_ARGUMENT` for out-of-range options. */
  constructor(
    /** Which frequency set this detector listens for. */
    readonly direction: MfDirection,
    options: MfDetectorOptions = {},
  ) {
    const thresholdDbm0 = options.thresholdDbm0 ?? -38;
    const twist = options.twistDb ?? 8;
    if (!(thresholdDbm0 >= -60 && thresholdDbm0 <= -5)) {
      throw new HotlineError(
        ErrorCode.InvalidArgument,
        `MfDetector: thresholdDbm0 must be −60..−5, got ${thresholdDbm0}`,
      );
    }
    if (!(twist >= 0 && twist <= 15))
      throw new HotlineError(ErrorCode.InvalidArgument, `MfDetector: twistDb must be 0..15, got ${twist}`);
    const freqs = direction === 'forward' ? MF_FORWARD_FREQUENCIES : MF_BACKWARD_FREQUENCIES;
    this.coeffs = Float64Array.from(freqs, (f) => 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE));
    this.threshold = goertzelEnergy(dbm0ToAmplitude(thresholdDbm0));
    this.weakThreshold = goertzelEnergy(dbm0ToAmplitude(thresholdDbm0 - 6));
    this.maxTwist = 10 ** (twist / 10);
  }

  /** The signal being received (1..15), or 0 when none. */
  get signal(): number {
    return this.held;
  }

  /** Level in dBm0 of the weaker frequency of the held signal when it was recognised; `-Infinity` when none. */
  get levelDbm0(): number {
    return this.held === 0 ? -Infinity : this.acc[2]!;
  }

  /** Number of signal changes (on or off) seen so far: compare before and after a push to spot an edge. */
  get changeCount(): number {
    return this.changes;
  }

  /**
   * Processes `samples` (8 kHz linear PCM, any length) and returns the signal held at the end
   * (1..15, or 0 for none).
   */
  push(samples: Int16Array): number {
    const st = this.state;
    const k = this.coeffs;
    const k0 = k[0]!,
      k1 = k[1]!,
      k2 = k[2]!,
      k3 = k[3]!,
      k4 = k[4]!,
      k5 = k[5]!;
    const len = samples.length;
    let i = 0;
    while (i < len) {
      let a0 = st[0]!,
        b0 = st[1]!,
        a1 = st[2]!,
        b1 = st[3]!,
        a2 = st[4]!,
        b2 = st[5]!;
      let a3 = st[6]!,
        b3 = st[7]!,
        a4 = st[8]!,
        b4 = st[9]!,
        a5 = st[10]!,
        b5 = st[11]!;
      let energy = this.acc[0]!;
      let sum = this.acc[1]!;
      let fill = this.fill;
      const end = Math.min(len, i + (N - fill));
      for (; i < end; i++) {
        const x = samples[i]!;
        energy += x * x;
        sum += x;
        let s = k0 * a0 - b0 + x;
        b0 = a0;
        a0 = s;
        s = k1 * a1 - b1 + x;
        b1 = a1;
        a1 = s;
        s = k2 * a2 - b2 + x;
        b2 = a2;
        a2 = s;
        s = k3 * a3 - b3 + x;
        b3 = a3;
        a3 = s;
        s = k4 * a4 - b4 + x;
        b4 = a4;
        a4 = s;
        s = k5 * a5 - b5 + x;
        b5 = a5;
        a5 = s;
        fill++;
      }
      if (fill === N) {
        const e = this.energies;
        e[0] = a0 * a0 + b0 * b0 - k0 * a0 * b0;
        e[1] = a1 * a1 + b1 * b1 - k1 * a1 * b1;
        e[2] = a2 * a2 + b2 * b2 - k2 * a2 * b2;
        e[3] = a3 * a3 + b3 * b3 - k3 * a3 * b3;
        e[4] = a4 * a4 + b4 * b4 - k4 * a4 * b4;
        e[5] = a5 * a5 + b5 * b5 - k5 * a5 * b5;
        this.analyse(energy - (sum * sum) / N);
        st.fill(0);
        this.acc[0] = 0;
        this.acc[1] = 0;
        this.fill = 0;
      } else {
        st[0] = a0;
        st[1] = b0;
        st[2] = a1;
        st[3] = b1;
        st[4] = a2;
        st[5] = b2;
        st[6] = a3;
        st[7] = b3;
        st[8] = a4;
        st[9] = b4;
        st[10] = a5;
        st[11] = b5;
        this.acc[0] = energy;
        this.acc[1] = sum;
        this.fill = fill;
      }
    }
    return this.held;
  }

  /** Forgets all state, as if newly constructed (the change count is kept). */
  reset(): void {
    this.state.fill(0);
    this.acc.fill(0);
    this.fill = 0;
    if (this.held !== 0) this.changes++;
    this.held = 0;
    this.misses = 0;
    this.pending = 0;
    this.pendingCount = 0;
  }

  private analyse(acEnergy: number): void {
    const e = this.energies;
    // two strongest filters
    let p = 0;
    let q = 1;
    if (e[1]! > e[0]!) {
      p = 1;
      q = 0;
    }
    for (let j = 2; j < 6; j++) {
      if (e[j]! > e[p]!) {
        q = p;
        p = j;
      } else if (e[j]! > e[q]!) q = j;
    }
    const ep = e[p]!;
    const eq = e[q]!;
    const signal = PAIR_TO_SIGNAL[p * 6 + q]!;
    // tone power 2E/N² per tone against mean block power acEnergy/N
    const purity = acEnergy > 0 ? (2 * (ep + eq)) / (N * acEnergy) : 0;
    let strong = false;
    let weak = false;
    if (eq >= this.weakThreshold && purity >= WEAK_PURITY) {
      weak = true;
      if (eq >= this.threshold && ep <= eq * this.maxTwist && purity >= STRONG_PURITY) {
        strong = true;
        for (let j = 0; j < 6; j++) {
          if (j !== p && j !== q && e[j]! * RELATIVE_PEAK > eq) {
            strong = false;
            break;
          }
        }
      }
    }
    if (this.held !== 0) {
      if (weak && signal === this.held) this.misses = 0;
      else if (++this.misses >= 2) {
        this.held = 0;
        this.misses = 0;
        this.changes++;
      }
    }
    if (this.held === 0) {
      if (strong && signal === this.pending) this.pendingCount++;
      else {
        this.pending = strong ? signal : 0;
        this.pendingCount = strong ? 1 : 0;
      }
      if (this.pendingCount >= 2) {
        this.held = this.pending;
        this.acc[2] = amplitudeToDbm0((2 * Math.sqrt(eq)) / N);
        this.pending = 0;
        this.pendingCount = 0;
        this.misses = 0;
        this.changes++;
      }
    }
  }
}
