/**
 * `@hotline/cti-core/signaling` — software signalling engines for trunks that have no
 * firmware doing it: China No.1 (digital line signalling in ABCD bits and MFC compelled
 * register signalling with real MF tones) for E1 channels. Analog caller ID (FSK and DTMF)
 * lives with the soft DSP in `@hotline/cti-core/media`.
 *
 * @packageDocumentation
 */

export * from './china-no1-config.js';
export * from './china-no1.js';
export { R2Link, type R2LinkEnd, type R2Endpoint } from './r2-link.js';
