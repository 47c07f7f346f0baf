import { describe, expect, it } from 'vitest';
import {
  concatFrames,
  FRAME_MS,
  FRAME_SAMPLES,
  FrameAssembler,
  forEachFrame,
  frameCount,
  msToSamples,
  SAMPLE_RATE,
  samplesToMs,
  silenceFrame,
  splitFrames,
} from './frame.js';

const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => i);

describe('frame constants', () => {
  it('are consistent', () => {
    expect(SAMPLE_RATE).toBe(8000);
    expect(FRAME_MS).toBe(20);
    expect(FRAME_SAMPLES).toBe((SAMPLE_RATE * FRAME_MS) / 1000);
    expect(silenceFrame()).toEqual(new Int16Array(160));
    expect(msToSamples(20)).toBe(160);
    expect(samplesToMs(80)).toBe(10);
    expect(() => msToSamples(-1)).toThrow(/duration/);
  });
});

describe('splitFrames', () => {
  it('returns zero-copy views for whole frames and pads the tail by default', () => {
    const pcm = ramp(400);
    const frames = splitFrames(pcm);
    expect(frames.map((f) => f.length)).toEqual([160, 160, 160]);
    expect(frames[0]!.buffer).toBe(pcm.buffer);
    expect(frames[1]![0]).toBe(160);
    expect(frames[2]![79]).toBe(399);
    expect(frames[2]![80]).toBe(0);
    expect(frameCount(400)).toBe(3);
  });
  it('drops or keeps the tail on request', () => {
    expect(splitFrames(ramp(400), 'drop')).toHaveLength(2);
    expect(frameCount(400, 'drop')).toBe(2);
    expect(splitFrames(ramp(400), 'keep')[2]).toHaveLength(80);
    expect(splitFrames(ramp(320))).toHaveLength(2);
  });
  it('round-trips through concatFrames and forEachFrame', () => {
    const pcm = ramp(500);
    expect(concatFrames(splitFrames(pcm, 'keep'))).toEqual(pcm);
    const lengths: number[] = [];
    forEachFrame(pcm, (f, i) => lengths.push(f.length * 10 + i));
    expect(lengths).toEqual([1600, 1601, 1602, 202 + 1]);
  });
});

describe('FrameAssembler', () => {
  it('re-chunks arbitrary chunks into exact frames and flushes a padded tail', () => {
    const asm = new FrameAssembler();
    const out: Int16Array[] = [];
    const collect = (f: Int16Array): void => void out.push(f.slice());
    const pcm = ramp(1000);
    asm.push(pcm.subarray(0, 7), collect);
    asm.push(pcm.subarray(7, 500), collect);
    asm.push(pcm.subarray(500), collect);
    expect(out).toHaveLength(6);
    expect(asm.pending).toBe(40);
    asm.flush(collect);
    expect(out).toHaveLength(7);
    expect(concatFrames(out).subarray(0, 1000)).toEqual(pcm);
    expect(out[6]![40]).toBe(0);
    asm.flush(collect);
    expect(out).toHaveLength(7);
  });
});
