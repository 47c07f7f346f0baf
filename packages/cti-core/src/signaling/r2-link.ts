/**
 * A back-to-back E1 timeslot between two endpoints (usually `ChinaNo1Line`s): both directions of ABCD bits
 * and 20 ms audio frames, with one frame of transmission delay each way. Used by simulations
 * (board-sim's far-end exchange), tests and benchmarks.
 *
 * @packageDocumentation
 */

import { FRAME_SAMPLES } from '../media/frame.js';

/** Anything that terminates an E1 timeslot frame by frame (a {@link ChinaNo1Line}, a test peer). */
export interface R2Endpoint {
  /** The ABCD nibble it sends now. */
  readonly txAbcd: number;
  /** One frame: the far end's ABCD and audio in; returns true when it wrote its own audio into `txAudio`. */
  process(rxAbcd: number, rxAudio: Int16Array | undefined, txAudio: Int16Array | undefined): boolean;
}

/** Hooks of one end of an {@link R2Link}. */
export interface R2LinkEnd {
  /** Fills the audio this end sends when its engine sends no MF signal (default silence). */
  readonly source?: (frame: Int16Array) => void;
  /** Receives the audio this end heard (after impairment), every frame. */
  readonly sink?: (frame: Int16Array) => void;
}

/** Two endpoints on one simulated timeslot. */
export class R2Link {
  private readonly aTx = [new Int16Array(FRAME_SAMPLES), new Int16Array(FRAME_SAMPLES)] as const;
  private readonly bTx = [new Int16Array(FRAME_SAMPLES), new Int16Array(FRAME_SAMPLES)] as const;
  private aAbcd: number;
  private bAbcd: number;
  private flip = 0;

  /**
   * @param impair - applied in place to every transmitted frame (noise, A-law, attenuation)
   */
  constructor(
    readonly a: R2Endpoint,
    readonly b: R2Endpoint,
    private readonly ends: {
      readonly a?: R2LinkEnd;
      readonly b?: R2LinkEnd;
      readonly impair?: (frame: Int16Array) => void;
    } = {},
  ) {
    this.aAbcd = a.txAbcd;
    this.bAbcd = b.txAbcd;
  }

  /** Runs one 20 ms frame in both directions. */
  tick(): void {
    const prev = this.flip;
    const next = prev ^ 1;
    const aIn = this.bTx[prev]!;
    const bIn = this.aTx[prev]!;
    const aOut = this.aTx[next]!;
    const bOut = this.bTx[next]!;
    const aAbcd = this.aAbcd;
    const bAbcd = this.bAbcd;
    this.ends.a?.sink?.(aIn);
    this.ends.b?.sink?.(bIn);
    if (!this.a.process(bAbcd, aIn, aOut)) this.fill(aOut, this.ends.a);
    if (!this.b.process(aAbcd, bIn, bOut)) this.fill(bOut, this.ends.b);
    if (this.ends.impair) {
      this.ends.impair(aOut);
      this.ends.impair(bOut);
    }
    this.aAbcd = this.a.txAbcd;
    this.bAbcd = this.b.txAbcd;
    this.flip = next;
  }

  private fill(frame: Int16Array, end: R2LinkEnd | undefined): void {
    if (end?.source) end.source(frame);
    else frame.fill(0);
  }
}
