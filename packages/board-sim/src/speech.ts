import { SAMPLE_RATE, dbm0ToRms, seededRandom } from '@hotline/cti-core/media';

/** The deterministic PRNG of cti-core's media module (mulberry32), so simulated audio repeats exactly run to run. */
export { seededRandom };

/** Options of {@link synthesizeSpeech}. */
export interface SpeechOptions {
  /** Total length in ms. */
  readonly durationMs: number;
  /** Fundamental frequency in Hz (default 120, a male voice; ~220 for a female voice). */
  readonly pitchHz?: number;
  /** Average level of the voiced parts in dBm0 (default -18, a normal talker on a phone line). */
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
  const raw = new Float64Array(n);
  const voicedMask = new Uint8Array(n);
  const rnd = seededRandom(options.seed ?? 1);
  const pitch = options.pitchHz ?? 120;
  const rate = options.syllableRate ?? 4;
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
      // A syllable envelope that rises and falls quickly, mostly flat in the middle.
      const env = Math.min(1, Math.sin((Math.PI * j) / voiced) * 3);
      raw[i] = s * env;
      voicedMask[i] = 1;
    }
    for (let j = 0; j < gap && i < n; j++, i++) raw[i] = 0;
  }
  // Scale the voiced parts to the requested level; gaps get faint line noise.
  let power = 0;
  let count = 0;
  for (let k = 0; k < n; k++) {
    if (voicedMask[k]) {
      power += raw[k]! * raw[k]!;
      count++;
    }
  }
  const gain = count > 0 && power > 0 ? dbm0ToRms(options.levelDbm0 ?? -18) / Math.sqrt(power / count) : 0;
  const out = new Int16Array(n);
  for (let k = 0; k < n; k++) {
    const v = voicedMask[k] ? raw[k]! * gain : (rnd() - 0.5) * 8;
    out[k] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}
