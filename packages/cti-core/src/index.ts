/**
 * `@hotline/cti-core`: boards, channels and calls as RxJS streams over a small driver SPI.
 * Soft media lives in `@hotline/cti-core/media`, the driver conformance kit in
 * `@hotline/cti-core/conformance`.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './logger.js';
export * from './spi.js';
export * from './channel-state.js';
export * from './types.js';
export * from './soft-fax.js';
export { Channel, resultOf } from './channel.js';
export { Board, openBoard, type BoardEvent, type IncomingCall, type OpenBoardOptions } from './board.js';
export { VirtualScheduler } from './virtual-scheduler.js';
