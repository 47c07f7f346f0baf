/**
 * Signal levels in dBm0 — the one place the level convention is defined.
 *
 * Convention (ITU-T G.711 / spandsp `DBM0_MAX_SINE_POWER`): a full-scale sine of peak amplitude
 * 32767 in 16-bit linear PCM is **+3.14 dBm0**. Hence a 0 dBm0 sine has peak amplitude
 * 32767 × 10^(−3.14/20) ≈ 22 826 (RMS ≈ 16 141), and −10 dBm0 has peak ≈ 7 218.
 * The level of an arbitrary signal is its RMS power relative to that of a 0 dBm0 sine.
 *
 * @packageDocumentation
 */

/** Level in dBm0 of a full-scale sine (peak 32767). */
export const DBM0_MAX_SINE_POWER = 3.14;

/** Peak amplitude of a full-scale sine. */
export const FULL_SCALE = 32767;

/** RMS of a 0 dBm0 sine (`FULL_SCALE / sqrt(2) * 10^(-3.14/20)` ≈ 16 141). */
export const DBM0_REFERENCE_RMS = (FULL_SCALE / Math.SQRT2) * 10 ** (-DBM0_MAX_SINE_POWER / 20);

/** Peak amplitude of a sine at `levelDbm0` (e.g. −10 → ≈ 7 218). */
export function dbm0ToAmplitude(levelDbm0: number): number {
  return FULL_SCALE * 10 ** ((levelDbm0 - DBM0_MAX_SINE_POWER) / 20);
}

/** Level in dBm0 of a sine of peak amplitude `amplitude`; `-Infinity` for 0. */
export function amplitudeToDbm0(amplitude: number): number {
  return 20 * Math.log10(Math.abs(amplitude) / FULL_SCALE) + DBM0_MAX_SINE_POWER;
}

/** Level in dBm0 of a signal of RMS value `rms`; `-Infinity` for 0. */
export function rmsToDbm0(rms: number): number {
  return 20 * Math.log10(rms / DBM0_REFERENCE_RMS);
}

/** RMS value of a signal at `levelDbm0`. */
export function dbm0ToRms(levelDbm0: number): number {
  return DBM0_REFERENCE_RMS * 10 ** (levelDbm0 / 20);
}

/**
 * RMS level of `frame` in dBm0 (any length; typically one 160-sample frame).
 * Returns `-Infinity` for an all-zero or empty frame. Does not allocate.
 */
export function frameLevelDbm0(frame: Int16Array): number {
  const n = frame.length;
  if (n === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = frame[i]!;
    sum += x * x;
  }
  return rmsToDbm0(Math.sqrt(sum / n));
}
