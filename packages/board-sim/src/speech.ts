import { SAMPLE_RATE } from '@hotline/cti-core/media';

/** A small deterministic PRNG (mulberry32) so simulated audio repeats exactly run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link synthesizeSpeech}. */
export interface SpeechOptions {
  /** Total length in ms. */
  readonly durationMs: number;
  /** Fundamental frequency in Hz (default 120, a male voice; ~220 for a female voice). */
  readonly pitchHz?: number;
  /** Level of the loudest syllables in dBm0 (default -16). */
  readonly levelDbm0?: number;
  /** Syllables per second (default 4, as in Mandarin conversation). */
  readonly syllableRate?: number;
  readonly seed?: number;
}

const VOWELS: ReadonlyArray<readonly [number, number, number]> = [
  [730, 1090, 2440], // a
  [270, 2290, 3010], // i
  [300, 870, 2240], // u
  [530, 1840, 2480], // e
  [570, 840, 2410], // o
];

/**
 * Speech-like audio for simulated people and answering machines: a glottal pulse train with
 * jittered pitch, shaped by vowel formants, in syllables with gaps. It has the spectral and
 * temporal shape of speech (voice activity, answering-machine detection and DTMF talk-off all see
 * it as speech), deterministically from the seed.
 */
export function synthesizeSpeech(options: SpeechOptions): Int16Array {
  const n = Math.max(0, Math.round((options.durationMs * SAMPLE_RATE) / 1000));
  const out = new Int16Array(n);
  const rnd = seededRandom(options.seed ?? 1);
  const pitch = options.pitchHz ?? 120;
  const rate = options.syllableRate ?? 4;
  const peak = 32767 * 10 ** (((options.levelDbm0 ?? -16) - 3.14) / 20) * 2.2;
  const syllable = Math.round(SAMPLE_RATE / rate);
  // Two-pole resonators per formant.
  let i = 0;
  let phase = 0;
  while (i < n) {
    const vowel = VOWELS[Math.floor(rnd() * VOWELS.length)]!;
    const voiced = Math.round(syllable * (0.55 + rnd() * 0.25));
    const gap = syllable - voiced;
    const f0 = pitch * (0.85 + rnd() * 0.3);
    const res = vowel.map((f, k) => {
      const bw = 80 + 40 * k;
      const r = Math.exp((-Math.PI * bw) / SAMPLE_RATE);
      return { a1: 2 * r * Math.cos((2 * Math.PI * f) / SAMPLE_RATE), a2: -r * r, y1: 0, y2: 0, g: 1 / (k + 1) };
    });
    for (let j = 0; j < voiced && i < n; j++, i++) {
      phase += (f0 * (1 + 0.05 * Math.sin((2 * Math.PI * j) / voiced))) / SAMPLE_RATE;
      let excitation = 0;
      if (phase >= 1) {
        phase -= 1;
        excitation = 1;
      }
      excitation += (rnd() - 0.5) * 0.05;
      let s = 0;
      for (const f of res) {
        const y = excitation + f.a1 * f.y1 + f.a2 * f.y2;
        f.y2 = f.y1;
        f.y1 = y;
        s += y * f.g;
      }
      const env = Math.sin((Math.PI * j) / voiced);
      out[i] = Math.max(-32768, Math.min(32767, Math.round(s * env * peak * 0.02)));
    }
    for (let j = 0; j < gap && i < n; j++, i++) out[i] = Math.round((rnd() - 0.5) * 8);
  }
  return out;
}
