import { describe, expect, it } from 'vitest';
import { VoiceActivityDetector, type VoiceActivity } from './energy.js';
import { splitFrames } from './frame.js';
import { frameLevelDbm0 } from './levels.js';
import { speechLike } from './test-signals.js';
import { addNoise, generateTone } from './tones.js';

function events(x: Int16Array, vad = new VoiceActivityDetector()): Array<[number, VoiceActivity]> {
  const out: Array<[number, VoiceActivity]> = [];
  splitFrames(x).forEach((f, i) => {
    const e = vad.push(f);
    if (e) out.push([(i + 1) * 20, e]);
  });
  return out;
}

const cat = (...parts: Int16Array[]): Int16Array => {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('frameLevelDbm0', () => {
  it('measures RMS level in dBm0', () => {
    expect(frameLevelDbm0(generateTone([1000], 20, -23))).toBeCloseTo(-23, 1);
    expect(frameLevelDbm0(addNoise(new Int16Array(8000), { levelDbm0: -50 }, 1))).toBeCloseTo(-50, 0);
  });
});

describe('VoiceActivityDetector', () => {
  const quiet = (ms: number): Int16Array => addNoise(new Int16Array(ms * 8), { levelDbm0: -55 }, ms);
  it('reports voice on onset and silence after the hangover, once each', () => {
    const x = cat(quiet(400), generateTone([300, 900], 600, -20), quiet(1000));
    expect(events(x)).toEqual([
      [420, 'voice'],
      [1000 + 300, 'silence'],
    ]);
  });
  it('bridges pauses shorter than the hangover and respects attack time', () => {
    const burst = generateTone([500], 200, -25);
    const x = cat(quiet(200), burst, quiet(200), burst, quiet(600));
    expect(events(x, new VoiceActivityDetector({ hangoverMs: 300 }))).toEqual([
      [220, 'voice'],
      [800 + 300, 'silence'],
    ]);
    expect(
      events(cat(quiet(200), generateTone([500], 40, -20), quiet(400)), new VoiceActivityDetector({ attackMs: 60 })),
    ).toEqual([]);
  });
  it('stays silent below the threshold and follows speech-like audio', () => {
    expect(events(cat(quiet(500), generateTone([1000], 500, -45), quiet(500)))).toEqual([]);
    const e = events(cat(quiet(500), speechLike(3, 4, 'female', -20), quiet(1500)));
    expect(e[0]).toEqual([expect.any(Number), 'voice']);
    expect(e.at(-1)?.[1]).toBe('silence');
    expect(e.at(-1)![0]).toBeGreaterThan(3500);
  });
  it('validates options and resets', () => {
    expect(() => new VoiceActivityDetector({ hangoverMs: -1 })).toThrow(/hangoverMs/);
    const vad = new VoiceActivityDetector();
    vad.push(generateTone([500], 20, -10));
    expect(vad.state).toBe('voice');
    vad.reset();
    expect(vad.state).toBe('silence');
  });
});
