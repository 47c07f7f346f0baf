/**
 * `@hotline/board-sanhui`: the Synway (三汇) SHP_A3 / SynCTI board driver.
 *
 * ```ts
 * import { openBoard } from '@hotline/cti-core';
 * import { SanhuiDriver, sanhuiAvailability } from '@hotline/board-sanhui';
 *
 * const a = sanhuiAvailability();
 * if (!a.available) throw new Error(a.reason);
 * const board = await openBoard(new SanhuiDriver({ config: '/etc/shcti/ShConfig.ini', index: '/etc/shcti/ShIndex.ini' }));
 * ```
 * @packageDocumentation
 */
export {
  SanhuiDriver,
  sanhuiAvailability,
  type SanhuiAvailability,
  type SanhuiDriverOptions,
} from './sanhui-driver.js';
export { LIBRARY_ENV, STANDARD_DIRS, sanhuiLibraryCandidates, type RawEvent, type StartInfo } from './native.js';
export * as codes from './codes.js';
