import { describe, expect, it } from 'vitest';
import { isHotlineError } from '../errors.js';
import { concatFrames, FRAME_SAMPLES } from './frame.js';
import { amplitudeToDbm0, dbm0ToAmplitude, frameLevelDbm0 } from './levels.js';
import {
  addNoise,
  ChineseTones,
  DTMF_DIGITS,
  DTMF_FREQUENCIES,
  DtmfGenerator,
  generateDtmf,
  generateTone,
  isDtmfDigit,
  seededRandom,
  ToneGenerator,
  type ToneSpec,
} from './tones.js';

/** Amplitude of the component at `hz` in `x` (single-bin DFT, exact for integer-cycle windows). */
function amplitudeAt(x: Int16Array, hz: number, from = 0, to = x.length): number {
  let re = 0;
  let im = 0;
  for (let n = from; n < to; n++) {
    const w = (2 * Math.PI * hz * n) / 8000;
    re += x[n]! * Math.cos(w);
    im += x[n]! * Math.sin(w);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function render(spec: ToneSpec, ms: number): Int16Array {
  const gen = new ToneGenerator(spec);
  const frames: Int16Array[] = [];
  for (let i = 0; i < ms / 20; i++) {
    const f = new Int16Array(FRAME_SAMPLES);
    gen.fill(f);
    frames.push(f);
  }
  return concatFrames(frames);
}

/** On/off run lengths in ms (5 ms resolution) of a rendered single-frequency tone. */
function runs(x: Int16Array): number[] {
  const out: number[] = [];
  let on = true; // tones start with an on period (whose first sample is sin(0) = 0)
  let len = 0;
  for (let i = 0; i < x.length; i += 40) {
    let peak = 0;
    for (let j = i; j < i + 40 && j < x.length; j++) peak = Math.max(peak, Math.abs(x[j]!));
    const now = peak > 0;
    if (now !== on) {
      out.push(len * 5);
      len = 0;
      on = now;
    }
    len++;
  }
  out.push(len * 5);
  return out;
}

describe('levels convention', () => {
  it('a full-scale sine is +3.14 dBm0 and −10 dBm0 is ≈ 7218 peak', () => {
    expect(dbm0ToAmplitude(3.14)).toBeCloseTo(32767, 6);
    expect(dbm0ToAmplitude(-10)).toBeCloseTo(7218.3, 0);
    expect(amplitudeToDbm0(dbm0ToAmplitude(-23.5))).toBeCloseTo(-23.5, 9);
    expect(frameLevelDbm0(generateTone([1000], 20, -10))).toBeCloseTo(-10, 1);
    expect(frameLevelDbm0(new Int16Array(160))).toBe(-Infinity);
  });
});

describe('ChineseTones', () => {
  it('match signaling-dsp.md §4.1', () => {
    expect(ChineseTones.busy.cadence).toEqual([350, 350]);
    expect(ChineseTones.congestion.cadence).toEqual([700, 700]);
    expect(ChineseTones.ringback.cadence).toEqual([1000, 4000]);
    expect(ChineseTones.vacant.cadence).toEqual([100, 100, 100, 100, 100, 100, 400, 400]);
    expect(ChineseTones.dial.cadence).toEqual([]);
    expect(ChineseTones.howler.frequencies).toEqual([950]);
    expect(ChineseTones.reminder.frequencies).toEqual([1400]);
    for (const [name, spec] of Object.entries(ChineseTones)) {
      if (name !== 'howler' && name !== 'reminder') expect(spec.frequencies).toEqual([450]);
      if (name !== 'howler') expect(spec.levelDbm0).toBe(-10);
    }
  });
});

describe('ToneGenerator', () => {
  it('busy tone: 350/350 cadence at −10 dBm0, 450 Hz', () => {
    const x = render(ChineseTones.busy, 2800);
    expect(runs(x)).toEqual([350, 350, 350, 350, 350, 350, 350, 350]);
    expect(frameLevelDbm0(x.subarray(0, 2800))).toBeCloseTo(-10, 1);
    expect(amplitudeAt(x, 450, 0, 2800)).toBeCloseTo(dbm0ToAmplitude(-10), -1);
  });
  it('vacant: 3 × (100 on, 100 off) then 400 on, 400 off, repeating', () => {
    expect(runs(render(ChineseTones.vacant, 2800))).toEqual([
      100, 100, 100, 100, 100, 100, 400, 400, 100, 100, 100, 100, 100, 100, 400, 400,
    ]);
  });
  it('is phase-continuous across frames (identical to one-shot synthesis)', () => {
    const x = render(ChineseTones.dial, 200);
    const ref = generateTone([450], 200, -10);
    expect(x).toEqual(ref);
  });
  it('howler steps its level every 2 s', () => {
    const x = render(ChineseTones.howler, 10200);
    const levels = [1000, 3000, 5000, 7000, 9000, 10100].map((ms) => frameLevelDbm0(x.subarray(ms * 8, ms * 8 + 800)));
    expect(levels.map((l) => Math.round(l))).toEqual([-20, -15, -10, -5, 0, 0]);
  });
  it('reset restarts the cadence', () => {
    const gen = new ToneGenerator(ChineseTones.busy);
    const a = new Int16Array(160);
    const b = new Int16Array(160);
    gen.fill(a);
    for (let i = 0; i < 30; i++) gen.fill(b);
    gen.reset();
    gen.fill(b);
    expect(b).toEqual(a);
  });
  it('rejects unusable specs', () => {
    expect(() => new ToneGenerator({ frequencies: [], levelDbm0: -10, cadence: [] })).toThrow(/frequency/);
    expect(() => new ToneGenerator({ frequencies: [5000], levelDbm0: -10, cadence: [] })).toThrow(/outside/);
    expect(() => new ToneGenerator({ frequencies: [450], levelDbm0: -10, cadence: [100] })).toThrow(/pairs/);
  });
});

describe('DTMF generation', () => {
  it('digit table and predicate', () => {
    expect(DTMF_DIGITS).toBe('0123456789*#ABCD');
    expect(DTMF_FREQUENCIES['1']).toEqual([697, 1209]);
    expect(DTMF_FREQUENCIES['0']).toEqual([941, 1336]);
    expect(DTMF_FREQUENCIES['#']).toEqual([941, 1477]);
    expect(DTMF_FREQUENCIES['D']).toEqual([941, 1633]);
    expect([...DTMF_DIGITS].every(isDtmfDigit)).toBe(true);
    expect(['a', 'E', '', '12', ' ', ','].some(isDtmfDigit)).toBe(false);
  });
  it('lays out lead, on and off periods', () => {
    const x = generateDtmf('19', { onMs: 50, offMs: 30, leadingSilenceMs: 10 });
    expect(x).toHaveLength(80 + 2 * (400 + 240));
    expect(x.subarray(0, 80).every((v) => v === 0)).toBe(true);
    expect(x.subarray(80 + 400, 80 + 640).every((v) => v === 0)).toBe(true);
    expect(generateDtmf('5')).toHaveLength(960);
  });
  it('puts each tone at the right frequency and level, with twist and deviation', () => {
    const x = generateDtmf('5', { onMs: 100, offMs: 0, levelDbm0: -7, twistDb: -4, frequencyDeviation: 0.02 });
    expect(amplitudeToDbm0(amplitudeAt(x, 770 * 1.02))).toBeCloseTo(-7, 1);
    expect(amplitudeToDbm0(amplitudeAt(x, 1336 * 1.02))).toBeCloseTo(-11, 1);
    expect(amplitudeAt(x, 770)).toBeLessThan(dbm0ToAmplitude(-20));
  });
  it('throws ERR_INVALID_ARGUMENT naming the bad character and its position', () => {
    let err: unknown;
    try {
      generateDtmf('12x4');
    } catch (e) {
      err = e;
    }
    expect(isHotlineError(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/'x' at position 3 is not a DTMF digit/);
    expect(() => generateDtmf('1', { onMs: -5 })).toThrow(/onMs/);
  });
});

describe('DtmfGenerator', () => {
  it('streams exactly what generateDtmf produces, then idles with silence', () => {
    const gen = new DtmfGenerator();
    const options = { onMs: 45, offMs: 55, leadingSilenceMs: 15 };
    gen.queue('1*', options);
    gen.queue('D', { onMs: 45, offMs: 55 });
    expect(gen.busy).toBe(true);
    const frames: Int16Array[] = [];
    const results: boolean[] = [];
    while (gen.busy) {
      const f = new Int16Array(160).fill(123);
      results.push(gen.fill(f));
      frames.push(f);
    }
    const expected = concatFrames([generateDtmf('1*', options), generateDtmf('D', { onMs: 45, offMs: 55 })]);
    const got = concatFrames(frames);
    expect(got.subarray(0, expected.length)).toEqual(expected);
    expect(got.subarray(expected.length).every((v) => v === 0)).toBe(true);
    expect(results.every(Boolean)).toBe(true);
    const idle = new Int16Array(160).fill(7);
    expect(gen.fill(idle)).toBe(false);
    expect(idle.every((v) => v === 0)).toBe(true);
  });
  it('rejects a bad digit without queueing anything', () => {
    const gen = new DtmfGenerator();
    expect(() => gen.queue('1#e')).toThrow(/'e' at position 3/);
    expect(gen.busy).toBe(false);
    gen.queue('1');
    gen.reset();
    expect(gen.busy).toBe(false);
  });
});

describe('addNoise', () => {
  it('is deterministic per seed and hits the requested level', () => {
    const silence = new Int16Array(80000);
    const a = addNoise(silence, { levelDbm0: -30 }, 42);
    expect(addNoise(silence, { levelDbm0: -30 }, 42)).toEqual(a);
    expect(addNoise(silence, { levelDbm0: -30 }, 43)).not.toEqual(a);
    expect(frameLevelDbm0(a)).toBeCloseTo(-30, 1);
    let mean = 0;
    for (const v of a) mean += v;
    expect(Math.abs(mean / a.length)).toBeLessThan(5);
  });
  it('relative S/N is measured against the input power', () => {
    const tone = generateTone([1000], 2000, -10);
    const noisy = addNoise(tone, { snrDb: 20 }, 1);
    const noise = noisy.map((v, i) => v - tone[i]!);
    expect(frameLevelDbm0(noise)).toBeCloseTo(-30, 0);
  });
  it('seededRandom is uniform-ish in [0,1)', () => {
    const r = seededRandom(9);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 10000; i++) {
      const v = r();
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(max - min).toBeGreaterThan(0.99);
  });
});
