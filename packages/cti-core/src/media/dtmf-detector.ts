/**
 * DTMF receiver engineered to the ITU-T Q.24 acceptance figures that spandsp states as its
 * design targets (signaling-dsp.md §3.1).
 *
 * Structure (after spandsp `dtmf.c`): eight Goertzel filters at the Q.23 frequencies run over
 * 102-sample blocks (12.75 ms). Every block is screened cheaply — both groups above the
 * level threshold, each group's peak 3 dB above the other filters of its group and a coarse
 * tone-to-total energy check. Only blocks that pass are examined
 * closely, so the per-sample cost is the eight Goertzel updates plus one energy accumulation:
 *
 * - **frequency** — the frequency of each of the two tones is measured (Hann-window
 *   reassignment, i.e. the phase slope of a windowed DFT at the nominal frequency) and must be
 *   within ±`frequencyTolerance` (default 2.5 %) of nominal: Q.24 requires acceptance within
 *   ±1.5 % and rejection beyond ±3.5 %;
 * - **level** — each tone's amplitude, corrected for the measured frequency offset, must be at
 *   least `thresholdDbm0`;
 * - **twist** — high-group minus low-group level must lie within −`twistDb` (normal twist) …
 *   +`reverseTwistDb` (reverse twist), plus 1 dB for measurement error in blocks the tone
 *   only partly fills;
 * - **harmonics** — a measured frequency ratio within 1 % of 2:1 or 3:2 (a voice's harmonic
 *   pair; no valid DTMF pair comes closer than 1.25 %) is rejected;
 * - **purity** — the two tones, fitted jointly by least squares at their measured
 *   frequencies, must carry at least 90 % of the block's AC energy. This is the
 *   talk-off guard: speech and music spread energy over harmonics and formants, and any second
 *   harmonic or third tone lowers the ratio (it subsumes the second-harmonic check of older
 *   receivers).
 *
 * Timing: a digit is declared after `K` consecutive qualifying blocks of the same digit
 * (`K = 2` for the default `minOnMs` 40 — every tone of ≥ 38.1 ms holds two whole blocks, while
 * a tone shorter than 23 ms can never fill two blocks to the 90 % purity required), and ends
 * after two consecutive blocks that no longer show the digit even by relaxed criteria (same
 * strongest row and column, ≥ 45 % purity, level ≥ threshold − 7 dB). So an interruption of ≤ 10 ms (which spoils at most one block) does not split a
 * digit, while a pause of ≥ 40 ms (which contains two whole blocks) always does.
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { SAMPLE_RATE } from './frame.js';
import { amplitudeToDbm0, dbm0ToAmplitude } from './levels.js';
import { DTMF_COLUMN_FREQUENCIES, DTMF_KEYPAD, DTMF_ROW_FREQUENCIES } from './tones.js';

/** Options of {@link DtmfDetector}. */
export interface DtmfDetectorOptions {
  /**
   * Normal twist (high group weaker than low group) that is always accepted, dB; default 8.
   * The rejection edge lies at most 1 dB beyond (allowance for measurement error).
   */
  readonly twistDb?: number;
  /** Reverse twist (high group stronger) that is always accepted, dB; default 4 (+1 dB allowance as above). */
  readonly reverseTwistDb?: number;
  /** Minimum level of each tone, dBm0; default −42. */
  readonly thresholdDbm0?: number;
  /**
   * Tones at least this long (ms) are always detected; default 40, allowed 40..1000. Determines
   * how many consecutive 12.75 ms blocks must agree: K = max(2, ⌊(minOnMs·8 − 101) / 102⌋).
   * Tones shorter than (K − 0.2) × 12.75 ms are never detected (22.9 ms for the default).
   */
  readonly minOnMs?: number;
  /** Largest accepted relative frequency deviation of either tone; default 0.025 (2.5 %). */
  readonly frequencyTolerance?: number;
}

/** Samples per Goertzel block (as spandsp). */
export const DTMF_BLOCK_SAMPLES = 102;

const N = DTMF_BLOCK_SAMPLES;
const FREQS = [...DTMF_ROW_FREQUENCIES, ...DTMF_COLUMN_FREQUENCIES];
// Screening only (the close examination decides): each group's peak must exceed the other
// filters of its group by 3 dB. spandsp uses 8 dB, but with 8 dB of twist the low tone's leakage
// into a neighbouring high-group filter comes within 8 dB of the weak high tone.
const RELATIVE_PEAK = 10 ** (3 / 10);
const STRONG_PURITY = 0.9;
const WEAK_PURITY = 0.45;
const GATE_PURITY = 0.4;
const TWIST_ALLOWANCE_DB = 1;

/** Energy of the Goertzel output for a sine of amplitude `a` exactly on frequency: (a·N/2)². */
const goertzelEnergy = (amplitude: number): number => (amplitude * N * 0.5) ** 2;

// Windowed-DFT tables for the frequency measurement: for each of the 8 frequencies,
// [h·cos, h·sin, h'·cos, h'·sin] × N, with h the Hann window and h' its derivative.
const TABLES: Float64Array[] = FREQS.map((f) => {
  const t = new Float64Array(4 * N);
  const w = (2 * Math.PI * f) / SAMPLE_RATE;
  for (let n = 0; n < N; n++) {
    const u = (Math.PI * (n + 0.5)) / N;
    const h = Math.sin(u) ** 2;
    const dh = (Math.PI / N) * Math.sin(2 * u);
    const c = Math.cos(w * n);
    const s = Math.sin(w * n);
    t[n] = h * c;
    t[N + n] = h * s;
    t[2 * N + n] = dh * c;
    t[3 * N + n] = dh * s;
  }
  return t;
});

const OMEGAS = Float64Array.from(FREQS, (f) => (2 * Math.PI * f) / SAMPLE_RATE);
const COEFFS = Float64Array.from(FREQS, (f) => 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE));

/**
 * Streaming DTMF detector. Feed audio of any chunking through {@link DtmfDetector.push};
 * digits are reported once, when their detection completes. Keep one instance per channel
 * (it carries the channel's block and digit state). Allocation-free except for the returned string when digits were detected.
 */
export class DtmfDetector {
  private readonly threshold: number; // Goertzel energy of a tone at thresholdDbm0
  private readonly weakThreshold: number;
  private readonly minTwistRatio: number; // amplitude ratio high/low, lower bound
  private readonly maxTwistRatio: number;
  private readonly tolerance: number;
  private readonly blocksNeeded: number;

  // Goertzel state, per filter: s1, s2
  private readonly state = new Float64Array(16);
  private readonly block = new Float64Array(N);
  private readonly energies = new Float64Array(8);
  private fill = 0;
  // running block energy and sum, kept in a typed array: writing doubles to object fields
  // would box them (allocate) on every push
  // ([2] passes the block's AC energy to analyse(): a double argument would be boxed too)
  private readonly acc = new Float64Array(3);

  private held = '';
  private misses = 0;
  private pending = '';
  private pendingCount = 0;
  private heldLevel = -Infinity;

  /** @throws HotlineError `ERR_INVALID_ARGUMENT` for out-of-range options. */
  constructor(options: DtmfDetectorOptions = {}) {
    const twist = options.twistDb ?? 8;
    const reverse = options.reverseTwistDb ?? 4;
    const thresholdDbm0 = options.thresholdDbm0 ?? -42;
    const minOnMs = options.minOnMs ?? 40;
    const tolerance = options.frequencyTolerance ?? 0.025;
    const check = (ok: boolean, what: string): void => {
      if (!ok) throw new HotlineError(ErrorCode.InvalidArgument, `DtmfDetector: ${what}`);
    };
    check(twist >= 0 && twist <= 20, `twistDb must be 0..20, got ${twist}`);
    check(reverse >= 0 && reverse <= 20, `reverseTwistDb must be 0..20, got ${reverse}`);
    check(thresholdDbm0 >= -70 && thresholdDbm0 <= 0, `thresholdDbm0 must be -70..0, got ${thresholdDbm0}`);
    check(
      minOnMs >= 40 && minOnMs <= 1000,
      `minOnMs must be 40..1000 (shorter tones cannot fill two 12.75 ms blocks), got ${minOnMs}`,
    );
    check(tolerance > 0 && tolerance <= 0.05, `frequencyTolerance must be in (0, 0.05], got ${tolerance}`);
    this.threshold = goertzelEnergy(dbm0ToAmplitude(thresholdDbm0));
    // screening (and the hold test) allow for the Goertzel loss of an off-frequency tone
    // (≤ 6 dB at 3.5 %) or of a block the tone only partly fills
    this.weakThreshold = goertzelEnergy(dbm0ToAmplitude(thresholdDbm0 - 7));
    this.minTwistRatio = 10 ** (-(twist + TWIST_ALLOWANCE_DB) / 20);
    this.maxTwistRatio = 10 ** ((reverse + TWIST_ALLOWANCE_DB) / 20);
    this.tolerance = tolerance;
    this.blocksNeeded = Math.max(2, Math.floor(((minOnMs * SAMPLE_RATE) / 1000 - (N - 1)) / N));
  }

  /** The digit currently being held (detected and not yet ended), or `''`. */
  get current(): string {
    return this.held;
  }

  /** Level in dBm0 of the weaker tone of the held digit when it was detected; `-Infinity` when none. */
  get currentLevelDbm0(): number {
    return this.held === '' ? -Infinity : this.heldLevel;
  }

  /**
   * Processes `samples` (8 kHz linear PCM, any length) and returns the digits whose detection
   * completed within them, in order — `''` when none (the common case, which does not allocate).
   */
  push(samples: Int16Array): string {
    let result = '';
    const st = this.state;
    const c0 = COEFFS[0]!,
      c1 = COEFFS[1]!,
      c2 = COEFFS[2]!,
      c3 = COEFFS[3]!;
    const c4 = COEFFS[4]!,
      c5 = COEFFS[5]!,
      c6 = COEFFS[6]!,
      c7 = COEFFS[7]!;
    const block = this.block;
    const len = samples.length;
    let i = 0;
    while (i < len) {
      let a0 = st[0]!,
        b0 = st[1]!,
        a1 = st[2]!,
        b1 = st[3]!,
        a2 = st[4]!,
        b2 = st[5]!,
        a3 = st[6]!,
        b3 = st[7]!;
      let a4 = st[8]!,
        b4 = st[9]!,
        a5 = st[10]!,
        b5 = st[11]!,
        a6 = st[12]!,
        b6 = st[13]!,
        a7 = st[14]!,
        b7 = st[15]!;
      let energy = this.acc[0]!;
      let sum = this.acc[1]!;
      let fill = this.fill;
      const end = Math.min(len, i + (N - fill));
      for (; i < end; i++) {
        const x = samples[i]!;
        block[fill++] = x;
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
        s = c7 * a7 - b7 + x;
        b7 = a7;
        a7 = s;
      }
      if (fill === N) {
        const e = this.energies;
        e[0] = a0 * a0 + b0 * b0 - c0 * a0 * b0;
        e[1] = a1 * a1 + b1 * b1 - c1 * a1 * b1;
        e[2] = a2 * a2 + b2 * b2 - c2 * a2 * b2;
        e[3] = a3 * a3 + b3 * b3 - c3 * a3 * b3;
        e[4] = a4 * a4 + b4 * b4 - c4 * a4 * b4;
        e[5] = a5 * a5 + b5 * b5 - c5 * a5 * b5;
        e[6] = a6 * a6 + b6 * b6 - c6 * a6 * b6;
        e[7] = a7 * a7 + b7 * b7 - c7 * a7 * b7;
        this.acc[2] = energy - (sum * sum) / N;
        const digit = this.analyse();
        if (digit !== '') result += digit;
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
        st[12] = a6;
        st[13] = b6;
        st[14] = a7;
        st[15] = b7;
        this.acc[0] = energy;
        this.acc[1] = sum;
        this.fill = fill;
      }
    }
    return result;
  }

  /** Forgets all state (partial block, held digit), as if newly constructed. */
  reset(): void {
    this.state.fill(0);
    this.fill = 0;
    this.acc.fill(0);
    this.held = '';
    this.misses = 0;
    this.pending = '';
    this.pendingCount = 0;
    this.heldLevel = -Infinity;
  }

  /** Classifies one block and runs the digit state machine; returns a newly detected digit or ''. */
  private analyse(): string {
    const acEnergy = this.acc[2]!;
    const e = this.energies;
    let row = 0;
    for (let k = 1; k < 4; k++) if (e[k]! > e[row]!) row = k;
    let col = 4;
    for (let k = 5; k < 8; k++) if (e[k]! > e[col]!) col = k;
    const er = e[row]!;
    const ec = e[col]!;
    let candidate = '';
    let weakCurrent = false;
    let strong = false;
    if (er >= this.weakThreshold && ec >= this.weakThreshold && acEnergy > 0) {
      // tone power estimate 2E/N² per tone vs mean block power acEnergy/N
      const purity = (2 * (er + ec)) / (N * acEnergy);
      const digit = DTMF_KEYPAD[row]![col - 4]!;
      if (digit === this.held) {
        // relaxed hold test: no relative-peak test (a block cut by an interruption has a
        // widened spectrum), lower level and purity
        weakCurrent = purity >= WEAK_PURITY;
      } else if (purity >= GATE_PURITY) {
        let peaks = true;
        for (let k = 0; k < 8; k++) {
          if (k !== row && k !== col && e[k]! * RELATIVE_PEAK > (k < 4 ? er : ec)) peaks = false;
        }
        if (peaks) {
          strong = this.examine(row, col);
          candidate = digit;
        }
      }
    }

    let detected = '';
    if (this.held !== '') {
      if (weakCurrent) this.misses = 0;
      else if (++this.misses >= 2) {
        this.held = '';
        this.misses = 0;
      }
    }
    if (this.held === '') {
      if (strong && candidate === this.pending) this.pendingCount++;
      else {
        this.pending = strong ? candidate : '';
        this.pendingCount = strong ? 1 : 0;
      }
      if (this.pendingCount >= this.blocksNeeded) {
        this.held = this.pending;
        this.heldLevel = this.scratch[0]!;
        this.misses = 0;
        this.pending = '';
        this.pendingCount = 0;
        detected = this.held;
      }
    } else {
      this.pending = '';
      this.pendingCount = 0;
    }
    return detected;
  }

  /**
   * Close examination of a candidate block: measures both tone frequencies, then fits the two
   * sinusoids at those frequencies to the block by least squares (exact in the presence of the
   * other tone's leakage and of frequency offsets) and applies the level, twist and purity
   * limits to the fitted amplitudes. Returns whether the block qualifies, leaving the weaker
   * tone's level in dBm0 in `scratch[0]`.
   */
  private examine(row: number, col: number): boolean {
    // results travel through `scratch`, not return values: returning or passing doubles between
    // non-inlined methods boxes them, and this path runs on speech too
    if (!this.measure(row)) return false;
    const wRow = OMEGAS[row]! + this.scratch[1]!;
    if (!this.measure(col)) return false;
    const wCol = OMEGAS[col]! + this.scratch[1]!;
    // Harmonic guard: no DTMF pair is within 4 % of an octave (2:1) or a fifth (3:2), and even
    // two tones 1.5 % off in opposite directions stay 1.25 % clear; a voice whose harmonics
    // h and 2h (or 2h and 3h) fall on a row and a column is rejected here.
    const ratio = wCol / wRow;
    if (Math.abs(ratio - 2) < 0.02 || Math.abs(ratio - 1.5) < 0.015) return false;
    this.scratch[1] = wRow;
    this.scratch[2] = wCol;
    if (!this.fit()) return false;
    const m = this.lsq;
    const rowAmp = Math.sqrt(m[0]! * m[0]! + m[1]! * m[1]!);
    const colAmp = Math.sqrt(m[2]! * m[2]! + m[3]! * m[3]!);
    const thresholdAmp = (2 * Math.sqrt(this.threshold)) / N;
    if (rowAmp < thresholdAmp || colAmp < thresholdAmp) return false;
    const twist = colAmp / rowAmp;
    if (twist < this.minTwistRatio || twist > this.maxTwistRatio) return false;
    if (m[4]! < STRONG_PURITY * this.acc[2]!) return false;
    this.scratch[0] = amplitudeToDbm0(Math.min(rowAmp, colAmp));
    return true;
  }

  /**
   * Measures the frequency of the tone near filter `k` by Hann-window reassignment: leaves its
   * offset from nominal (rad/sample) in `scratch[1]` and returns whether the relative deviation
   * is within the tolerance.
   */
  private measure(k: number): boolean {
    const t = TABLES[k]!;
    const x = this.block;
    let hr = 0,
      hi = 0,
      dr = 0,
      di = 0;
    for (let n = 0; n < N; n++) {
      const v = x[n]!;
      hr += v * t[n]!;
      hi -= v * t[N + n]!;
      dr += v * t[2 * N + n]!;
      di -= v * t[3 * N + n]!;
    }
    const mag2 = hr * hr + hi * hi;
    if (mag2 === 0) return false;
    // Δω = −Im(X_d / X_h) = −Im(X_d · conj(X_h)) / |X_h|²
    const dw = -(di * hr - dr * hi) / mag2;
    this.scratch[1] = dw;
    return Math.abs(dw / OMEGAS[k]!) <= this.tolerance;
  }

  /**
   * Least-squares fit of x[n] ≈ a·cos(w1 n) + b·sin(w1 n) + c·cos(w2 n) + d·sin(w2 n) over the
   * block, with w1 = `scratch[1]` and w2 = `scratch[2]` (rad/sample). Leaves [a, b, c, d, explained energy] in `lsq`; false if the system is singular.
   */
  private fit(): boolean {
    const w1 = this.scratch[1]!;
    const w2 = this.scratch[2]!;
    const x = this.block;
    const cw1 = Math.cos(w1),
      sw1 = Math.sin(w1),
      cw2 = Math.cos(w2),
      sw2 = Math.sin(w2);
    let c1 = 1,
      s1 = 0,
      c2 = 1,
      s2 = 0;
    let g00 = 0,
      g01 = 0,
      g02 = 0,
      g03 = 0,
      g11 = 0,
      g12 = 0,
      g13 = 0,
      g22 = 0,
      g23 = 0,
      g33 = 0;
    let b0 = 0,
      b1 = 0,
      b2 = 0,
      b3 = 0;
    for (let n = 0; n < N; n++) {
      const v = x[n]!;
      g00 += c1 * c1;
      g01 += c1 * s1;
      g02 += c1 * c2;
      g03 += c1 * s2;
      g11 += s1 * s1;
      g12 += s1 * c2;
      g13 += s1 * s2;
      g22 += c2 * c2;
      g23 += c2 * s2;
      g33 += s2 * s2;
      b0 += v * c1;
      b1 += v * s1;
      b2 += v * c2;
      b3 += v * s2;
      const nc1 = c1 * cw1 - s1 * sw1;
      s1 = s1 * cw1 + c1 * sw1;
      c1 = nc1;
      const nc2 = c2 * cw2 - s2 * sw2;
      s2 = s2 * cw2 + c2 * sw2;
      c2 = nc2;
    }
    // Gaussian elimination on the symmetric 4×4 system (augmented, row-major in `m`)
    const m = this.gram;
    m[0] = g00;
    m[1] = g01;
    m[2] = g02;
    m[3] = g03;
    m[4] = b0;
    m[5] = g01;
    m[6] = g11;
    m[7] = g12;
    m[8] = g13;
    m[9] = b1;
    m[10] = g02;
    m[11] = g12;
    m[12] = g22;
    m[13] = g23;
    m[14] = b2;
    m[15] = g03;
    m[16] = g13;
    m[17] = g23;
    m[18] = g33;
    m[19] = b3;
    for (let p = 0; p < 4; p++) {
      const pivot = m[p * 5 + p]!;
      if (!(pivot > 1e-9)) return false;
      for (let r = p + 1; r < 4; r++) {
        const f = m[r * 5 + p]! / pivot;
        if (f === 0) continue;
        for (let c = p; c < 5; c++) m[r * 5 + c] = m[r * 5 + c]! - f * m[p * 5 + c]!;
      }
    }
    const out = this.lsq;
    for (let r = 3; r >= 0; r--) {
      let acc = m[r * 5 + 4]!;
      for (let c = r + 1; c < 4; c++) acc -= m[r * 5 + c]! * out[c]!;
      out[r] = acc / m[r * 5 + r]!;
    }
    out[4] = out[0]! * b0 + out[1]! * b1 + out[2]! * b2 + out[3]! * b3;
    return true;
  }

  private readonly gram = new Float64Array(20);
  private readonly lsq = new Float64Array(5);
  private readonly scratch = new Float64Array(3);
}
