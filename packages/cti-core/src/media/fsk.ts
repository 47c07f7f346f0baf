/**
 * Bell 202 FSK at 1200 bit/s (mark 1 = 1200 Hz, space 0 = 2200 Hz), the modem of analog
 * caller ID in China (YDN 069, GR-30 scheme; signaling-dsp.md §4.2), with asynchronous byte
 * framing (start bit 0, 8 data bits LSB first, stop bit 1).
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { SAMPLE_RATE } from './frame.js';
import { dbm0ToAmplitude, dbm0ToRms } from './levels.js';

/** Bit rate, bit/s. */
export const FSK_BAUD = 1200;
/** Mark (binary 1) frequency, Hz. */
export const FSK_MARK_HZ = 1200;
/** Space (binary 0) frequency, Hz. */
export const FSK_SPACE_HZ = 2200;

const SAMPLES_PER_BIT = SAMPLE_RATE / FSK_BAUD; // 6.667

/**
 * Modulates `bits` (0/1 values) into phase-continuous Bell 202 FSK at `levelDbm0`
 * (default −13 dBm0). Bit boundaries fall on fractional sample positions (6⅔ samples a bit).
 */
export function fskModulate(bits: ArrayLike<number>, levelDbm0 = -13): Int16Array {
  if (!(levelDbm0 <= 0 && levelDbm0 >= -60))
    throw new HotlineError(ErrorCode.InvalidArgument, `fskModulate: levelDbm0 must be −60..0, got ${levelDbm0}`);
  const n = Math.ceil(bits.length * SAMPLES_PER_BIT);
  const out = new Int16Array(n);
  const amp = dbm0ToAmplitude(levelDbm0);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const bit = bits[Math.min(bits.length - 1, Math.floor(i / SAMPLES_PER_BIT))]!;
    phase += (2 * Math.PI * (bit ? FSK_MARK_HZ : FSK_SPACE_HZ)) / SAMPLE_RATE;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
    out[i] = Math.round(amp * Math.sin(phase));
  }
  return out;
}

/** Frames `bytes` asynchronously (start 0, 8 data bits LSB first, stop 1) into a bit array. */
export function fskFrameBytes(bytes: ArrayLike<number>): Uint8Array {
  const bits = new Uint8Array(bytes.length * 10);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! & 0xff;
    bits[i * 10] = 0;
    for (let k = 0; k < 8; k++) bits[i * 10 + 1 + k] = (b >> k) & 1;
    bits[i * 10 + 9] = 1;
  }
  return bits;
}

/** Options of {@link FskReceiver}. */
export interface FskReceiverOptions {
  /** Minimum signal level, dBm0 (default −45). */
  readonly thresholdDbm0?: number;
}

const CORR = 7; // correlator window, samples (~1 bit)
const TWO_PI = 2 * Math.PI;

/**
 * Streaming Bell 202 receiver with a UART: non-coherent quadrature correlators at mark and
 * space over a one-bit window, carrier detect by level, start-bit edge detection and mid-bit
 * sampling. `push` calls `onByte` for every byte with a valid stop bit. Allocation-free.
 */
export class FskReceiver {
  private readonly ring = new Float64Array(CORR * 5); // x·cos m, x·sin m, x·cos s, x·sin s, x² per slot
  private readonly sums = new Float64Array(5);
  private readonly threshold: number;
  private pos = 0;
  private n = 0; // absolute sample index
  private lastBit = 1;
  // UART: samples since the start edge (-1 = hunting)
  private uartAt = -1;
  private shift = 0;
  private bitIndex = 0;
  private carrier = false;
  private markRun = 0; // mark samples while hunting for a start bit
  private idleBefore = 0;

  constructor(options: FskReceiverOptions = {}) {
    const t = options.thresholdDbm0 ?? -45;
    this.threshold = dbm0ToRms(t) ** 2 * CORR;
  }

  /** True while a carrier above the threshold is present. */
  get carrierPresent(): boolean {
    return this.carrier;
  }

  /**
   * Demodulates `samples`; calls `onByte` for each byte received, with the number of idle mark
   * bits that preceded its start bit (message framing uses the mark period: GR-30 sends 180).
   */
  push(samples: Int16Array, onByte: (byte: number, idleBits: number) => void): void {
    const ring = this.ring;
    const sums = this.sums;
    const wm = (TWO_PI * FSK_MARK_HZ) / SAMPLE_RATE;
    const ws = (TWO_PI * FSK_SPACE_HZ) / SAMPLE_RATE;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      const n = this.n++;
      const slot = this.pos * 5;
      const a = x * Math.cos(wm * n),
        b = x * Math.sin(wm * n),
        c = x * Math.cos(ws * n),
        d = x * Math.sin(ws * n),
        e = x * x;
      sums[0] = sums[0]! + a - ring[slot]!;
      sums[1] = sums[1]! + b - ring[slot + 1]!;
      sums[2] = sums[2]! + c - ring[slot + 2]!;
      sums[3] = sums[3]! + d - ring[slot + 3]!;
      sums[4] = sums[4]! + e - ring[slot + 4]!;
      ring[slot] = a;
      ring[slot + 1] = b;
      ring[slot + 2] = c;
      ring[slot + 3] = d;
      ring[slot + 4] = e;
      this.pos = (this.pos + 1) % CORR;
      if (n % 4096 === 0) this.renormalise();
      this.carrier = sums[4] > this.threshold;
      const mark = sums[0] * sums[0] + sums[1] * sums[1];
      const space = sums[2] * sums[2] + sums[3] * sums[3];
      const bit = mark >= space ? 1 : 0;
      if (!this.carrier) {
        this.uartAt = -1;
        this.lastBit = 1;
        this.markRun = 0;
        continue;
      }
      if (this.uartAt < 0) {
        if (bit === 1) this.markRun++;
        if (this.lastBit === 1 && bit === 0) {
          this.idleBefore = Math.floor(this.markRun / SAMPLES_PER_BIT);
          this.markRun = 0;
          this.uartAt = 0;
          this.shift = 0;
          this.bitIndex = 0;
        }
      } else {
        this.uartAt++;
        // sample bit k (1..9) in the middle of its period
        const due = Math.round((this.bitIndex + 1.5) * SAMPLES_PER_BIT);
        if (this.uartAt >= due) {
          if (this.bitIndex < 8) {
            this.shift |= bit << this.bitIndex;
            this.bitIndex++;
          } else {
            if (bit === 1) onByte(this.shift, this.idleBefore);
            this.uartAt = -1;
            this.markRun = 0;
          }
        }
      }
      this.lastBit = bit;
    }
  }

  /** Forgets all state. */
  reset(): void {
    this.ring.fill(0);
    this.sums.fill(0);
    this.pos = 0;
    this.uartAt = -1;
    this.lastBit = 1;
    this.carrier = false;
    this.markRun = 0;
  }

  private renormalise(): void {
    // recompute the running sums from the ring (bounds floating-point drift)
    this.sums.fill(0);
    for (let k = 0; k < CORR; k++) for (let j = 0; j < 5; j++) this.sums[j] = this.sums[j]! + this.ring[k * 5 + j]!;
  }
}
