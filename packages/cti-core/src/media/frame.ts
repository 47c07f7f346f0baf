/**
 * Audio framing conventions shared by every soft-media component.
 *
 * Hotline's soft media is 8 kHz, 16-bit signed linear PCM carried in `Int16Array`s of
 * 20 ms frames (160 samples). Streams carry frames, never single samples.
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';

/** Sampling rate of all soft media, in samples per second. */
export const SAMPLE_RATE = 8000;

/** Duration of one media frame, in milliseconds. */
export const FRAME_MS = 20;

/** Samples in one media frame (`SAMPLE_RATE * FRAME_MS / 1000` = 160). */
export const FRAME_SAMPLES = 160;

/** Returns a new, zero-filled frame of {@link FRAME_SAMPLES} samples (linear PCM silence). */
export function silenceFrame(): Int16Array {
  return new Int16Array(FRAME_SAMPLES);
}

/**
 * Converts a duration in milliseconds to a whole number of samples at {@link SAMPLE_RATE},
 * rounding to the nearest sample. Throws `ERR_INVALID_ARGUMENT` for negative or non-finite input.
 */
export function msToSamples(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new HotlineError(ErrorCode.InvalidArgument, `duration must be a finite number of ms >= 0, got ${ms}`);
  }
  return Math.round((ms * SAMPLE_RATE) / 1000);
}

/** Converts a sample count to milliseconds at {@link SAMPLE_RATE} (fractional result). */
export function samplesToMs(samples: number): number {
  return (samples * 1000) / SAMPLE_RATE;
}

/** Number of frames {@link splitFrames} returns for `sampleCount` samples with the given policy. */
export function frameCount(sampleCount: number, partial: PartialFramePolicy = 'pad'): number {
  const whole = Math.floor(sampleCount / FRAME_SAMPLES);
  return partial === 'drop' || sampleCount % FRAME_SAMPLES === 0 ? whole : whole + 1;
}

/**
 * What {@link splitFrames} does with a trailing partial frame:
 * `'pad'` copies it into a full frame padded with silence, `'drop'` discards it,
 * `'keep'` returns it as a shorter view.
 */
export type PartialFramePolicy = 'pad' | 'drop' | 'keep';

/**
 * Splits PCM into consecutive frames of {@link FRAME_SAMPLES} samples.
 *
 * Whole frames are zero-copy `subarray` views of `samples` (writing to them writes to
 * `samples`); a padded trailing frame is a fresh copy. `partial` defaults to `'pad'`.
 */
export function splitFrames(samples: Int16Array, partial: PartialFramePolicy = 'pad'): Int16Array[] {
  const frames: Int16Array[] = [];
  const whole = Math.floor(samples.length / FRAME_SAMPLES);
  for (let i = 0; i < whole; i++) {
    frames.push(samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
  }
  const rest = samples.length - whole * FRAME_SAMPLES;
  if (rest > 0) {
    const tail = samples.subarray(whole * FRAME_SAMPLES);
    if (partial === 'keep') frames.push(tail);
    else if (partial === 'pad') {
      const frame = silenceFrame();
      frame.set(tail);
      frames.push(frame);
    }
  }
  return frames;
}

/**
 * Calls `onFrame` for each consecutive {@link FRAME_SAMPLES}-sample view of `samples`
 * without allocating (the trailing partial frame, if any, is passed as a shorter view).
 */
export function forEachFrame(samples: Int16Array, onFrame: (frame: Int16Array, index: number) => void): void {
  let index = 0;
  for (let start = 0; start < samples.length; start += FRAME_SAMPLES) {
    onFrame(samples.subarray(start, Math.min(start + FRAME_SAMPLES, samples.length)), index++);
  }
}

/** Concatenates frames (or any PCM chunks) into one new `Int16Array`. */
export function concatFrames(frames: readonly Int16Array[]): Int16Array {
  let total = 0;
  for (const frame of frames) total += frame.length;
  const out = new Int16Array(total);
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

/**
 * Re-chunks a stream of arbitrary-length PCM chunks into exact {@link FRAME_SAMPLES}-sample frames.
 *
 * `push` calls `onFrame` once per completed frame with an internal buffer that is reused:
 * consume or copy it before `push` returns. `flush` emits the remainder padded with silence.
 */
export class FrameAssembler {
  private readonly buffer = new Int16Array(FRAME_SAMPLES);
  private fill = 0;

  /** Samples currently buffered (0..159). */
  get pending(): number {
    return this.fill;
  }

  /** Appends `chunk`, calling `onFrame` for each frame completed. */
  push(chunk: Int16Array, onFrame: (frame: Int16Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(FRAME_SAMPLES - this.fill, chunk.length - offset);
      this.buffer.set(chunk.subarray(offset, offset + n), this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === FRAME_SAMPLES) {
        this.fill = 0;
        onFrame(this.buffer);
      }
    }
  }

  /** Emits buffered samples as one silence-padded frame (if any are pending) and empties the buffer. */
  flush(onFrame: (frame: Int16Array) => void): void {
    if (this.fill === 0) return;
    this.buffer.fill(0, this.fill);
    this.fill = 0;
    onFrame(this.buffer);
  }

  /** Discards buffered samples. */
  reset(): void {
    this.fill = 0;
  }
}
