/**
 * `@hotline/cti-core/media` — soft telephony media shared by software boards: framing, dBm0
 * levels, G.711, WAV, tone and DTMF generation, DTMF detection (ITU-T Q.24), call-progress
 * tone classification and voice activity detection.
 *
 * @packageDocumentation
 */

export * from './frame.js';
export * from './levels.js';
export * from './g711.js';
export * from './wav.js';
export * from './tones.js';
export * from './dtmf-detector.js';
export * from './energy.js';
export * from './cpt.js';
export * from './mf.js';
export * from './fsk.js';
export * from './caller-id.js';
