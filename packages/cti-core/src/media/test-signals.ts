/**
 * Deterministic synthetic signals for detector tests and benchmarks: speech-like voiced/unvoiced
 * babble with formants and Mandarin-like pitch contours, and music-like melodies and chords
 * with harmonic-rich timbres. Not part of the public media API (not exported from the entry).
 *
 * @packageDocumentation
 */

import { SAMPLE_RATE } from './frame.js';
import { dbm0ToRms } from './levels.js';
import { seededRandom } from './tones.js';

const TWO_PI = 2 * Math.PI;

/** Vowel formants (F1, F2, F3 in Hz) for an adult male voice; scaled up for female/child voices. */
const VOWELS: ReadonlyArray<readonly [number, number, number]> = [
  [730, 1090, 2440], // a
  [270, 2290, 3010], // i
  [300, 870, 2240], // u
  [530, 1840, 2480], // e
  [570, 840, 2410], // o
  [440, 1020, 2240], // ɤ
  [660, 1720, 2410], // æ
  [490, 1350, 1690], // ɚ
];

/** Speaker classes for {@link speechLike}. */
export type Voice = 'male' | 'female' | 'child';

const VOICES: Readonly<Record<Voice, { f0: number; formantScale: number }>> = {
  male: { f0: 110, formantScale: 1 },
  female: { f0: 210, formantScale: 1.17 },
  child: { f0: 290, formantScale: 1.3 },
};

function resonance(f: number, centre: number, bandwidth: number): number {
  // magnitude of a second-order resonator normalised to 1 at its centre
  const x = (f * f - centre * centre) / (f * bandwidth);
  return 1 / Math.sqrt(1 + x * x);
}

/**
 * Speech-like signal: syllables of 120–350 ms (a voiced vowel with formant transitions and a
 * Mandarin-like tone contour — level, rising, dipping, falling — optionally preceded by a
 * fricative noise burst), separated by short pauses; normalised to `levelDbm0` RMS over the
 * active parts. Deterministic per `seed`.
 */
export function speechLike(seconds: number, seed: number, voice: Voice = 'male', levelDbm0 = -15): Int16Array {
  const rnd = seededRandom(seed);
  const total = Math.round(seconds * SAMPLE_RATE);
  const out = new Float64Array(total);
  const { f0: baseF0, formantScale } = VOICES[voice];
  const phases = new Float64Array(64);
  let t = 0;
  while (t < total) {
    const syllable = Math.round((0.12 + 0.23 * rnd()) * SAMPLE_RATE);
    if (rnd() < 0.4) {
      // fricative: high-passed noise (first difference), 30–90 ms
      const len = Math.round((0.03 + 0.06 * rnd()) * SAMPLE_RATE);
      let prev = 0;
      for (let i = 0; i < len && t < total; i++, t++) {
        const w = rnd() - 0.5;
        out[t] = (w - prev) * 0.25 * Math.sin((Math.PI * i) / len);
        prev = w;
      }
    }
    const v1 = VOWELS[Math.floor(rnd() * VOWELS.length)]!;
    const v2 = VOWELS[Math.floor(rnd() * VOWELS.length)]!;
    const contour = Math.floor(rnd() * 4);
    const f0Speaker = baseF0 * (0.85 + 0.3 * rnd());
    for (let i = 0; i < syllable && t < total; i++, t++) {
      const u = i / syllable;
      const tone =
        contour === 0
          ? 1.15
          : contour === 1
            ? 0.9 + 0.35 * u
            : contour === 2
              ? 1 - 0.6 * u * (1 - u) * 2
              : 1.25 - 0.45 * u;
      const f0 =
        f0Speaker * tone * (1 + 0.01 * Math.sin(TWO_PI * 5.5 * (t / SAMPLE_RATE))) * (1 + 0.004 * (rnd() - 0.5));
      const f1 = (v1[0] + (v2[0] - v1[0]) * u) * formantScale;
      const f2 = (v1[1] + (v2[1] - v1[1]) * u) * formantScale;
      const f3 = (v1[2] + (v2[2] - v1[2]) * u) * formantScale;
      const env = Math.sin(Math.PI * u) ** 0.5;
      let v = 0;
      for (let k = 1; k < 64; k++) {
        const fk = k * f0;
        if (fk > 3800) break;
        phases[k] = (phases[k]! + (TWO_PI * fk) / SAMPLE_RATE) % TWO_PI;
        const gain = (1 / k) * (resonance(fk, f1, 80) + 0.7 * resonance(fk, f2, 100) + 0.4 * resonance(fk, f3, 150));
        v += gain * Math.sin(phases[k]!);
      }
      out[t] = v * env;
    }
    t += Math.round((0.02 + 0.18 * rnd()) * SAMPLE_RATE); // pause
  }
  return normalise(out, levelDbm0);
}

/**
 * Music-like signal: a melody over sustained chords, each note with 8 harmonics (1/k amplitude)
 * and a piano-like or organ-like envelope, notes from the equal-tempered scale (A4 = 440 Hz)
 * between 110 and 1760 Hz. Deterministic per `seed`.
 */
export function musicLike(seconds: number, seed: number, levelDbm0 = -15): Int16Array {
  const rnd = seededRandom(seed);
  const total = Math.round(seconds * SAMPLE_RATE);
  const out = new Float64Array(total);
  const note = (semitone: number): number => 440 * 2 ** (semitone / 12);
  let t = 0;
  while (t < total) {
    const len = Math.round((0.2 + 0.6 * rnd()) * SAMPLE_RATE);
    const root = Math.floor(rnd() * 24) - 24; // A2..G#4
    const chord = [root, root + (rnd() < 0.5 ? 3 : 4), root + 7, root + 12 + Math.floor(rnd() * 13)];
    const organ = rnd() < 0.5;
    for (let i = 0; i < len && t + i < total; i++) {
      const env = organ
        ? Math.min(1, i / 200, (len - i) / 200)
        : Math.exp(-i / (0.25 * SAMPLE_RATE)) * Math.min(1, i / 40);
      let v = 0;
      for (const st of chord) {
        const f = note(st);
        for (let k = 1; k <= 8 && k * f < 3900; k++) v += Math.sin((TWO_PI * k * f * (t + i)) / SAMPLE_RATE) / k;
      }
      out[t + i] = v * env;
    }
    t += len;
  }
  return normalise(out, levelDbm0);
}

function normalise(x: Float64Array, levelDbm0: number): Int16Array {
  let sum = 0;
  let active = 0;
  for (const v of x) {
    if (v !== 0) {
      sum += v * v;
      active++;
    }
  }
  const gain = active === 0 ? 0 : dbm0ToRms(levelDbm0) / Math.sqrt(sum / active);
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! * gain;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}
