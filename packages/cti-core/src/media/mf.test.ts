import { describe, expect, it } from 'vitest';
import { concatFrames } from './frame.js';
import { alawDecode, alawEncode } from './g711.js';
import { frameLevelDbm0 } from './levels.js';
import {
  generateMf,
  MfDetector,
  MfGenerator,
  mfFrequencies,
  MF_SIGNAL_PAIRS,
  type MfDirection,
  type MfGeneratorOptions,
} from './mf.js';
import { speechLike } from './test-signals.js';
import { addNoise, generateTone } from './tones.js';

const silence = (ms: number): Int16Array => new Int16Array(ms * 8);
const BACKGROUND = { levelDbm0: -50 };
const SIGNALS = Array.from({ length: 15 }, (_, i) => i + 1);

/** Runs `x` through a detector frame by frame; returns the sequence of distinct held signals (0 = none), and the frame count each lasted. */
function run(direction: MfDirection, x: Int16Array, frame = 160): { signals: number[]; frames: number[] } {
  const det = new MfDetector(direction);
  const signals: number[] = [];
  const frames: number[] = [];
  let last = 0;
  for (let i = 0; i < x.length; i += frame) {
    const s = det.push(x.subarray(i, Math.min(i + frame, x.length)));
    if (s !== last) {
      if (s !== 0) {
        signals.push(s);
        frames.push(0);
      }
      last = s;
    }
    if (s !== 0) frames[frames.length - 1]!++;
  }
  return { signals, frames };
}

function burst(
  direction: MfDirection,
  signal: number,
  ms: number,
  options: MfGeneratorOptions = {},
  lead = 0,
): Int16Array {
  return concatFrames([silence(20), new Int16Array(lead), generateMf(direction, signal, ms, options), silence(60)]);
}

describe('MF generator', () => {
  it('sends the 2-of-6 pairs of both directions at −11 dBm0 per frequency', () => {
    expect(mfFrequencies('forward', 1)).toEqual([1380, 1500]);
    expect(mfFrequencies('forward', 15)).toEqual([1860, 1980]);
    expect(mfFrequencies('backward', 6)).toEqual([900, 780]);
    expect(mfFrequencies('backward', 10)).toEqual([780, 660]);
    expect(MF_SIGNAL_PAIRS).toHaveLength(15);
    const x = generateMf('forward', 5, 100);
    // two sines at −11 dBm0 each: −8 dBm0 in total
    expect(frameLevelDbm0(x)).toBeCloseTo(-7.99, 1);
    expect(() => mfFrequencies('forward', 16)).toThrow(/1\.\.15/);
    expect(() => new MfGenerator('forward', { levelDbm0: 3 })).toThrow(/levelDbm0/);
  });
  it('is phase-continuous across frames and silent when stopped', () => {
    const gen = new MfGenerator('backward');
    gen.start(3);
    const a = new Int16Array(1600);
    for (let i = 0; i < a.length; i += 160) gen.fill(a.subarray(i, i + 160));
    const b = generateMf('backward', 3, 200);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
    gen.stop();
    const f = new Int16Array(160).fill(5);
    expect(gen.fill(f)).toBe(false);
    expect(f.every((v) => v === 0)).toBe(true);
    expect(gen.signal).toBe(0);
  });
});

describe('MF detector', () => {
  for (const direction of ['forward', 'backward'] as const) {
    it(`detects each of the 15 ${direction} signals exactly once, A-law companded, under line noise`, () => {
      for (const s of SIGNALS) {
        const x = addNoise(alawDecode(alawEncode(burst(direction, s, 100))), BACKGROUND, s);
        expect(run(direction, x).signals, `signal ${s}`).toEqual([s]);
      }
    });
  }

  it('detects signals at 15 dB S/N (white noise) at every block alignment', () => {
    for (const s of [1, 6, 11, 15]) {
      for (const lead of [0, 13, 40, 79]) {
        const clean = burst('forward', s, 120, {}, lead);
        const x = addNoise(clean, { levelDbm0: -11 - 15 }, s * 100 + lead);
        expect(run('forward', x).signals, `signal ${s} lead ${lead}`).toEqual([s]);
      }
    }
  });

  it('responds from −5 to −35 dBm0 and ignores −45 dBm0', () => {
    for (const level of [-5, -15, -25, -35]) {
      expect(
        run('backward', addNoise(burst('backward', 4, 100, { levelDbm0: level }), BACKGROUND, 7)).signals,
        `${level} dBm0`,
      ).toEqual([4]);
    }
    expect(run('backward', addNoise(burst('backward', 4, 100, { levelDbm0: -45 }), BACKGROUND, 7)).signals).toEqual([]);
  });

  it('accepts 7 dB of twist either way and rejects pairs 20 dB apart', () => {
    for (const twistDb of [-7, 7])
      expect(run('forward', burst('forward', 8, 100, { twistDb, levelDbm0: -8 })).signals).toEqual([8]);
    expect(run('forward', burst('forward', 8, 100, { twistDb: -20, levelDbm0: -5 })).signals).toEqual([]);
  });

  it('tolerates ±10 Hz (±0.5 %) of frequency error', () => {
    for (const frequencyDeviation of [-0.005, 0.005]) {
      for (const s of SIGNALS)
        expect(run('forward', burst('forward', s, 100, { frequencyDeviation })).signals).toEqual([s]);
    }
  });

  it('does not detect bursts shorter than 7 ms, and does not release on an interruption of 7 ms', () => {
    for (const lead of [0, 20, 40, 75]) expect(run('backward', burst('backward', 2, 7, {}, lead)).signals).toEqual([]);
    for (const lead of [0, 30, 75]) {
      const x = concatFrames([
        silence(20),
        new Int16Array(lead),
        generateMf('backward', 2, 60),
        silence(7),
        generateMf('backward', 2, 60),
        silence(60),
      ]);
      expect(run('backward', x).signals).toEqual([2]);
    }
  });

  it('operates and releases within 30 ms; holds a long signal as one', () => {
    const det = new MfDetector('forward');
    det.push(silence(20));
    const tone = generateMf('forward', 12, 1000);
    let operated = -1;
    for (let i = 0; i < tone.length; i += 80) {
      if (det.push(tone.subarray(i, i + 80)) === 12 && operated < 0) operated = (i + 80) / 8;
    }
    expect(operated).toBeLessThanOrEqual(30);
    const changes = det.changeCount;
    expect(det.levelDbm0).toBeCloseTo(-11, 0);
    let released = -1;
    const quiet = silence(100);
    for (let i = 0; i < quiet.length; i += 80)
      if (det.push(quiet.subarray(i, i + 80)) === 0 && released < 0) released = (i + 80) / 8;
    expect(released).toBeLessThanOrEqual(30);
    expect(det.changeCount).toBe(changes + 1);
  });

  it('follows back-to-back signal changes (the compelled cycle changes without a gap)', () => {
    const x = concatFrames([
      silence(20),
      generateMf('forward', 1, 80),
      generateMf('forward', 10, 80),
      silence(40),
      generateMf('forward', 1, 80),
      silence(60),
    ]);
    expect(run('forward', x).signals).toEqual([1, 10, 1]);
  });

  it('ignores the other direction, single tones, and three-tone mixtures', () => {
    for (const s of SIGNALS) expect(run('forward', burst('backward', s, 100)).signals).toEqual([]);
    for (const f of [1380, 1500, 1980])
      expect(run('forward', concatFrames([generateTone([f], 200, -8), silence(40)])).signals).toEqual([]);
    expect(run('forward', generateTone([1380, 1500, 1620], 200, -11)).signals).toEqual([]);
  });

  it('is independent of how the audio is chunked', () => {
    const x = addNoise(concatFrames([burst('forward', 3, 90), burst('forward', 14, 90, {}, 33)]), BACKGROUND, 9);
    for (const frame of [1, 37, 80, 160, 1000]) expect(run('forward', x, frame).signals).toEqual([3, 14]);
  });

  it('talk-off: 60 s of speech-like audio produces at most a handful of false signals', () => {
    const speech = concatFrames([
      speechLike(20, 21, 'male', -12),
      speechLike(20, 22, 'female', -12),
      speechLike(20, 23, 'child', -12),
    ]);
    const f = run('forward', speech).signals.length;
    const b = run('backward', speech).signals.length;
    // MF receivers only listen during register signalling, with no speech on the line; this
    // only bounds the damage of stray audio.
    expect(f + b).toBeLessThanOrEqual(5);
  });

  it('validates its options and resets', () => {
    expect(() => new MfDetector('forward', { thresholdDbm0: 0 })).toThrow(/thresholdDbm0/);
    expect(() => new MfDetector('forward', { twistDb: 30 })).toThrow(/twistDb/);
    const det = new MfDetector('forward');
    det.push(generateMf('forward', 2, 60));
    expect(det.signal).toBe(2);
    det.reset();
    expect(det.signal).toBe(0);
  });
});
