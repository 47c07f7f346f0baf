import { describe, expect, it } from 'vitest';
import { CallProgressDetector, type CallProgressEvent, type CallProgressOptions } from './cpt.js';
import { concatFrames, splitFrames } from './frame.js';
import { musicLike, speechLike } from './test-signals.js';
import { addNoise, ChineseTones, generateTone, seededRandom, ToneGenerator } from './tones.js';

function events(x: Int16Array, options?: CallProgressOptions): CallProgressEvent[] {
  const det = new CallProgressDetector(options);
  const out: CallProgressEvent[] = [];
  for (const frame of splitFrames(x)) {
    const e = det.push(frame);
    if (e) out.push(e);
  }
  return out;
}

/**
 * A cadenced tone with per-segment timing jitter (uniform ±`jitterMs`), frequency offset and
 * level, under white noise `snrDb` below the tone level, preceded by `leadMs` of noise.
 */
function cadenced(
  cadence: readonly number[],
  totalMs: number,
  { hz = 450, levelDbm0 = -10, jitterMs = 30, snrDb = 20, leadMs = 300, seed = 1 } = {},
): Int16Array {
  const rnd = seededRandom(seed);
  const parts: Int16Array[] = [new Int16Array(leadMs * 8)];
  let t = leadMs;
  for (let i = 0; t < totalMs; i = (i + 1) % cadence.length) {
    const ms = Math.max(20, Math.round(cadence[i]! + (rnd() * 2 - 1) * jitterMs));
    parts.push(i % 2 === 0 ? generateTone([hz], ms, levelDbm0) : new Int16Array(ms * 8));
    t += ms;
  }
  return addNoise(concatFrames(parts), { levelDbm0: levelDbm0 - snrDb }, seed + 1);
}

const types = (e: CallProgressEvent[]): string[] => e.map((x) => x.type);

describe('CallProgressDetector: Chinese tones by cadence (jitter ±30 ms, S/N 20 dB)', () => {
  it.each([
    ['busy', [350, 350], 'busy', 3200],
    ['congestion', [700, 700], 'congestion', 6000],
    ['ringback', [1000, 4000], 'ringback', 3800],
    ['vacant', [100, 100, 100, 100, 100, 100, 400, 400], 'vacant', 2700],
  ] as const)('%s is classified once, within %s ms', (_name, cadence, expected, byMs) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const variant of [
        { levelDbm0: -10, hz: 450 },
        { levelDbm0: -25, hz: 470 },
        { levelDbm0: -7, hz: 430, snrDb: 15 },
      ]) {
        const e = events(cadenced(cadence, 12000, { seed, ...variant }));
        expect(types(e), `seed ${seed} ${JSON.stringify(variant)}`).toEqual([expected]);
        expect(e[0]!.atMs).toBeLessThanOrEqual(byMs);
      }
    }
  });
  it('dial tone (continuous) after 1.5 s', () => {
    const e = events(
      addNoise(concatFrames([new Int16Array(2400), generateTone([450], 3000, -10)]), { levelDbm0: -35 }, 3),
    );
    expect(types(e)).toEqual(['dial-tone']);
    expect(e[0]!.atMs).toBeGreaterThanOrEqual(1800);
    expect(e[0]!.atMs).toBeLessThanOrEqual(1840);
  });
  it('exact ToneGenerator output of each Chinese tone', () => {
    const gen = (name: keyof typeof ChineseTones, ms: number): Int16Array => {
      const g = new ToneGenerator(ChineseTones[name]);
      const out = new Int16Array(ms * 8);
      g.fill(out);
      return out;
    };
    expect(types(events(gen('busy', 5000)))).toEqual(['busy']);
    expect(types(events(gen('congestion', 5000)))).toEqual(['congestion']);
    expect(types(events(gen('ringback', 10000)))).toEqual(['ringback']);
    expect(types(events(gen('vacant', 5000)))).toEqual(['vacant']);
    expect(types(events(gen('dial', 3000)))).toEqual(['dial-tone']);
  });
  it('does not confuse busy and congestion at the tolerance edges', () => {
    expect(types(events(cadenced([410, 290], 8000, { jitterMs: 0 })))).toEqual(['busy']);
    expect(types(events(cadenced([550, 550], 8000, { jitterMs: 0 })))).toEqual(['congestion']);
    expect(types(events(cadenced([500, 500], 8000, { jitterMs: 0 })))).toEqual([]); // neither
  });
  it('ringback followed by an answer reports ringback, then voice', () => {
    const ringing = cadenced([1000, 4000], 7000, { jitterMs: 0, seed: 8 });
    const answeredAt = ringing.length / 8;
    const e = events(concatFrames([ringing, addNoise(speechLike(3, 9, 'female', -18), { levelDbm0: -30 }, 9)]));
    expect(types(e)).toEqual(['ringback', 'voice']);
    expect(e[0]!.atMs).toBeLessThan(3500);
    expect(e[1]!.atMs).toBeGreaterThan(answeredAt);
    expect(e[1]!.atMs).toBeLessThan(answeredAt + 1500);
  });
  it('ignores tones below the threshold', () => {
    expect(events(cadenced([350, 350], 4000, { levelDbm0: -45, snrDb: 30 }), { silenceMs: 60000 })).toEqual([]);
  });
});

describe('CallProgressDetector: voice, fax and silence', () => {
  it.each([
    ['male', 1],
    ['female', 2],
    ['child', 3],
  ] as const)('%s speech-like audio is voice (no tone events)', (voice, seed) => {
    const e = events(addNoise(speechLike(8, seed, voice, -18), { levelDbm0: -50 }, seed));
    expect(types(e)).toEqual(['voice']);
    expect(e[0]!.atMs).toBeLessThan(1500);
  });
  it('music on hold is voice', () => {
    expect(types(events(musicLike(6, 3, -20)))).toEqual(['voice']);
  });
  it('fax CNG (1100 Hz, 0.5 s on / 3 s off) after the first burst', () => {
    const e = events(cadenced([500, 3000], 8000, { hz: 1100, jitterMs: 20, leadMs: 200 }));
    expect(types(e)).toEqual(['fax-cng']);
    expect(e[0]!.atMs).toBeLessThan(800);
  });
  it('fax CED (2100 Hz continuous) after 0.4 s', () => {
    const e = events(
      addNoise(concatFrames([new Int16Array(1600), generateTone([2100], 3000, -12)]), { levelDbm0: -35 }, 2),
    );
    expect(types(e)).toEqual(['fax-ced']);
    expect(e[0]!.atMs).toBeGreaterThanOrEqual(600);
    expect(e[0]!.atMs).toBeLessThanOrEqual(640);
  });
  it('silence after 6 s of quiet line, and not during the 4 s ringback pause', () => {
    const e = events(addNoise(new Int16Array(8 * 7000), { levelDbm0: -55 }, 4));
    expect(e).toEqual([{ type: 'silence', atMs: 6000 }]);
    expect(types(events(cadenced([1000, 4000], 20000, { jitterMs: 0 })))).toEqual(['ringback']);
  });
  it('reset forgets what was reported', () => {
    const det = new CallProgressDetector();
    const x = generateTone([450], 2000, -10);
    const run = (): string[] => splitFrames(x).flatMap((f) => det.push(f)?.type ?? []);
    expect(run()).toEqual(['dial-tone']);
    expect(run()).toEqual([]);
    det.reset();
    expect(det.timeMs).toBe(0);
    expect(run()).toEqual(['dial-tone']);
  });
  it('validates options', () => {
    expect(() => new CallProgressDetector({ silenceMs: 0 })).toThrow(/silenceMs/);
  });
});
