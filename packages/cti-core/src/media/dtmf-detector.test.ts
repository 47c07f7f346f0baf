import { describe, expect, it } from 'vitest';
import { DtmfDetector, type DtmfDetectorOptions } from './dtmf-detector.js';
import { concatFrames } from './frame.js';
import { alawDecode, alawEncode } from './g711.js';
import { musicLike, speechLike } from './test-signals.js';
import {
  addNoise,
  ChineseTones,
  DTMF_DIGITS,
  DTMF_FREQUENCIES,
  generateDtmf,
  generateTone,
  ToneGenerator,
} from './tones.js';

/** Runs `x` through a fresh detector in 160-sample frames; returns all digits reported. */
function detect(x: Int16Array, options?: DtmfDetectorOptions, frame = 160): string {
  const det = new DtmfDetector(options);
  let out = '';
  for (let i = 0; i < x.length; i += frame) out += det.push(x.subarray(i, Math.min(i + frame, x.length)));
  return out;
}

const silence = (ms: number): Int16Array => new Int16Array(ms * 8);
const BACKGROUND = { levelDbm0: -45 }; // line noise under every test signal
const ALIGNMENTS = Array.from({ length: 15 }, (_, i) => i * 7); // sample offsets covering a 102-sample block

/** One dual tone of `ms` at the given per-tone frequencies and levels, padded with silence, with background noise. */
function burst(
  lowHz: number,
  highHz: number,
  ms: number,
  lowDbm0: number,
  highDbm0: number,
  lead: number,
  seed: number,
): Int16Array {
  const x = concatFrames([
    new Int16Array(80 + lead),
    generateTone([lowHz, highHz], ms, [lowDbm0, highDbm0]),
    silence(100),
  ]);
  return addNoise(x, BACKGROUND, seed);
}

/** How many of the block alignments detect exactly `digit`. */
function acceptedAlignments(
  digit: string,
  make: (lead: number, seed: number) => Int16Array,
  options?: DtmfDetectorOptions,
): number {
  return ALIGNMENTS.filter((lead) => detect(make(lead, lead + 1), options) === digit).length;
}

describe('DtmfDetector: decoding (Mitel test 2 style)', () => {
  it('decodes every digit ×10, 50 ms on / 50 ms off at −4 dBm0 per tone, A-law companded', () => {
    const digits = DTMF_DIGITS.repeat(10);
    const x = alawDecode(
      alawEncode(generateDtmf(digits, { onMs: 50, offMs: 50, levelDbm0: -4, leadingSilenceMs: 30 })),
    );
    expect(detect(x)).toBe(digits);
  });
  it('is independent of how the audio is chunked', () => {
    const x = addNoise(generateDtmf('159D#0', { onMs: 45, offMs: 45, leadingSilenceMs: 13 }), BACKGROUND, 5);
    for (const frame of [1, 37, 102, 160, 1000, x.length]) expect(detect(x, undefined, frame)).toBe('159D#0');
  });
  it('holds the digit in `current` while the tone lasts, reports it once, and resets', () => {
    const det = new DtmfDetector();
    const x = generateDtmf('7', { onMs: 200, offMs: 0 });
    let reported = '';
    for (let i = 0; i < x.length; i += 160) reported += det.push(x.subarray(i, i + 160));
    expect(reported).toBe('7');
    expect(det.current).toBe('7');
    expect(det.currentLevelDbm0).toBeCloseTo(-10, 0);
    det.push(silence(40));
    expect(det.current).toBe('');
    det.push(generateDtmf('8', { onMs: 30, offMs: 0 }));
    det.reset();
    expect(det.current).toBe('');
    expect(det.push(silence(100))).toBe('');
  });
  it('validates its options', () => {
    expect(() => new DtmfDetector({ twistDb: -1 })).toThrow(/twistDb/);
    expect(() => new DtmfDetector({ thresholdDbm0: 5 })).toThrow(/thresholdDbm0/);
    expect(() => new DtmfDetector({ minOnMs: 5 })).toThrow(/minOnMs/);
    expect(() => new DtmfDetector({ frequencyTolerance: 0.2 })).toThrow(/frequencyTolerance/);
  });
});

describe('DtmfDetector: Q.24 frequency deviation (accept ±1.5 %, reject ±3.5 %)', () => {
  const cases: Array<[string, 'low' | 'high', number, boolean]> = [];
  for (const digit of ['1', '5', '9', 'D', '0', '*']) {
    for (const tone of ['low', 'high'] as const) {
      for (const dev of [-0.015, 0.015]) cases.push([digit, tone, dev, true]);
      for (const dev of [-0.035, 0.035, -0.05, 0.05]) cases.push([digit, tone, dev, false]);
    }
  }
  it.each(cases)('digit %s, %s tone shifted %f → accepted %s (all block alignments)', (digit, tone, dev, accept) => {
    const [low, high] = DTMF_FREQUENCIES[digit]!;
    const n = acceptedAlignments(digit, (lead, seed) =>
      burst(
        tone === 'low' ? low * (1 + dev) : low,
        tone === 'high' ? high * (1 + dev) : high,
        60,
        -10,
        -10,
        lead,
        seed,
      ),
    );
    expect(n).toBe(accept ? ALIGNMENTS.length : 0);
  });
  it.each([
    [0.015, true],
    [-0.015, true],
    [0.035, false],
    [-0.035, false],
  ])('both tones shifted %f (generateDtmf frequencyDeviation) → accepted %s', (dev, accept) => {
    const x = addNoise(generateDtmf(DTMF_DIGITS, { frequencyDeviation: dev, leadingSilenceMs: 20 }), BACKGROUND, 9);
    expect(detect(x)).toBe(accept ? DTMF_DIGITS : '');
  });
});

describe('DtmfDetector: harmonic guard', () => {
  it.each([
    ['octave: 683 + 1366 Hz (row 1 −2 %, column 2 +2.2 %)', 683, 1366, '2'],
    ['fifth: 869 + 1303.5 Hz (row 3 +2 %, column 2 −2.4 %)', 869, 1303.5, '8'],
  ])('rejects %s, a harmonic pair inside the frequency tolerance', (_name, low, high, digit) => {
    expect(acceptedAlignments(digit, (lead, seed) => burst(low, high, 80, -10, -10, lead, seed))).toBe(0);
    // the same deviation sizes without the harmonic relation (row deviation mirrored) are accepted
    const [l] = DTMF_FREQUENCIES[digit]!;
    expect(acceptedAlignments(digit, (lead, seed) => burst(2 * l - low, high, 80, -10, -10, lead, seed))).toBe(
      ALIGNMENTS.length,
    );
  });
});

describe('DtmfDetector: Q.24 twist (8 dB normal / 4 dB reverse accepted)', () => {
  it.each([
    ['normal 8 dB', -10, -18, true],
    ['normal 6 dB', -10, -16, true],
    ['reverse 4 dB', -14, -10, true],
    ['reverse 2 dB', -12, -10, true],
    ['normal 10 dB', -10, -20, false],
    ['normal 12 dB', -6, -18, false],
    ['reverse 6 dB', -16, -10, false],
    ['reverse 8 dB', -14, -6, false],
  ] as const)('%s (low %i, high %i dBm0) → accepted %s', (_name, lowDbm0, highDbm0, accept) => {
    for (const digit of ['1', 'D', '0']) {
      const [low, high] = DTMF_FREQUENCIES[digit]!;
      const n = acceptedAlignments(digit, (lead, seed) => burst(low, high, 60, lowDbm0, highDbm0, lead, seed));
      expect(n, digit).toBe(accept ? ALIGNMENTS.length : 0);
    }
  });
  it('a custom twist limit is honoured', () => {
    const x = (lead: number, seed: number): Int16Array => burst(697, 1209, 60, -10, -16, lead, seed);
    expect(acceptedAlignments('1', x, { twistDb: 4 })).toBe(0);
    expect(acceptedAlignments('1', x, { twistDb: 6 })).toBe(ALIGNMENTS.length);
  });
});

describe('DtmfDetector: Q.24 dynamic range and threshold', () => {
  it.each([
    [-3, true], // total ≈ 0 dBm0, the loudest dual tone that does not clip
    [-10, true],
    [-20, true],
    [-30, true],
    [-36, true],
    [-40, true],
    [-45, false],
    [-50, false],
  ])('%i dBm0 per tone → accepted %s', (level, accept) => {
    const n = acceptedAlignments('5', (lead, seed) =>
      concatFrames([
        new Int16Array(lead),
        addNoise(generateDtmf('5', { levelDbm0: level, leadingSilenceMs: 10 }), { levelDbm0: -60 }, seed),
      ]),
    );
    expect(n).toBe(accept ? ALIGNMENTS.length : 0);
  });
  it('honours a custom threshold', () => {
    const x = generateDtmf('5', { levelDbm0: -33, leadingSilenceMs: 10 });
    expect(detect(x)).toBe('5');
    expect(detect(x, { thresholdDbm0: -30 })).toBe('');
  });
});

describe('DtmfDetector: Q.24 timing', () => {
  it.each([
    [40, true],
    [45, true],
    [60, true],
    [20, false],
    [15, false],
    [10, false],
  ])('a %i ms tone → accepted %s (all alignments)', (ms, accept) => {
    for (const digit of ['1', '#']) {
      const [low, high] = DTMF_FREQUENCIES[digit]!;
      expect(
        acceptedAlignments(digit, (lead, seed) => burst(low, high, ms, -10, -10, lead, seed)),
        digit,
      ).toBe(accept ? ALIGNMENTS.length : 0);
    }
  });
  it('a 40 ms pause separates two identical digits (all alignments)', () => {
    for (const lead of ALIGNMENTS) {
      const x = concatFrames([new Int16Array(lead), generateDtmf('33', { onMs: 50, offMs: 40 })]);
      expect(detect(addNoise(x, BACKGROUND, lead))).toBe('33');
    }
  });
  it('a 10 ms interruption does not split one digit (all alignments)', () => {
    for (const lead of ALIGNMENTS) {
      const x = concatFrames([
        new Int16Array(80 + lead),
        generateTone([852, 1477], 60, -10),
        silence(10),
        generateTone([852, 1477], 60, -10),
        silence(100),
      ]);
      expect(detect(addNoise(x, BACKGROUND, lead))).toBe('9');
    }
  });
  it('minOnMs raises the required duration', () => {
    const x = (lead: number, seed: number): Int16Array => burst(697, 1336, 45, -10, -10, lead, seed);
    expect(acceptedAlignments('2', x)).toBe(ALIGNMENTS.length);
    expect(acceptedAlignments('2', x, { minOnMs: 80 })).toBe(0);
    expect(acceptedAlignments('2', (lead, seed) => burst(697, 1336, 80, -10, -10, lead, seed), { minOnMs: 80 })).toBe(
      ALIGNMENTS.length,
    );
  });
});

describe('DtmfDetector: Q.24 signal-to-noise', () => {
  // S/N = total DTMF power (two tones) to white-noise power over 0–4 kHz
  it.each([
    [-10, 15],
    [-10, 12],
    [-20, 15],
    [-30, 15],
  ])('every digit at %i dBm0 per tone with S/N %i dB is detected exactly', (level, snr) => {
    const digits = DTMF_DIGITS.repeat(8);
    const x = generateDtmf(digits, { onMs: 50, offMs: 50, levelDbm0: level, leadingSilenceMs: 20 });
    expect(detect(addNoise(x, { levelDbm0: level + 3.01 - snr }, level * 100 + snr))).toBe(digits);
  });
});

describe('DtmfDetector: talk-off (no false digits)', () => {
  it('synthetic speech: 3 voices × 3 levels × 20 s', () => {
    let found = '';
    for (const voice of ['male', 'female', 'child'] as const) {
      for (const level of [-5, -15, -25]) found += detect(speechLike(20, 100 + level, voice, level));
    }
    expect(found).toBe('');
  });
  it('synthetic speech with line noise', () => {
    expect(detect(addNoise(speechLike(30, 77, 'female', -12), { levelDbm0: -35 }, 1))).toBe('');
  });
  it('synthetic music: chords and melodies with harmonic-rich timbres, 60 s', () => {
    expect(detect(musicLike(30, 1, -8)) + detect(musicLike(30, 2, -20))).toBe('');
  });
  it('Chinese call-progress tones, 350+440 Hz dial tone, fax tones and noise', () => {
    let found = '';
    for (const spec of Object.values(ChineseTones)) {
      const gen = new ToneGenerator({ ...spec, levelDbm0: spec.levelDbm0 + 7 });
      const frame = new Int16Array(160);
      const det = new DtmfDetector();
      for (let i = 0; i < 500; i++) {
        gen.fill(frame);
        found += det.push(frame);
      }
    }
    found += detect(generateTone([350, 440], 3000, -8));
    found += detect(generateTone([1100], 3000, -5)) + detect(generateTone([2100], 3000, -5));
    found += detect(addNoise(silence(10000), { levelDbm0: -10 }, 3));
    expect(found).toBe('');
  });
});
