import type { FaxProgress, FaxResult } from './types.js';

/** Options for one soft fax session. */
export interface SoftFaxOptions {
  readonly direction: 'send' | 'receive';
  /** TIFF-F pages to send, or the one path to receive into. */
  readonly files: readonly string[];
  /** This side placed the call (sends CNG) rather than answered it (sends CED). */
  readonly calling: boolean;
  readonly localId?: string;
  readonly headerInfo?: string;
  /** Use error-correction mode when the far end supports it (default true). */
  readonly ecm?: boolean;
  readonly onProgress: (progress: FaxProgress) => void;
  /** Called exactly once when the session ends, successfully or not. */
  readonly onEnd: (result: FaxResult) => void;
}

/**
 * A soft fax session: a T.30 engine driven by the line's audio, 20 ms at a time. Software boards
 * (board-sim, a SIP board) call `process` on every media tick while the fax runs.
 */
export interface SoftFaxSession {
  /** Consumes 20 ms received from the line (`rx`) and writes the next 20 ms to send (`tx`). */
  process(rx: Int16Array, tx: Int16Array): void;
  /** Abandons the session; the engine reports its end through `onEnd` (not successful). */
  stop(): void;
}

/**
 * A soft fax engine (e.g. `@hotline/fax-spandsp`). Hardware boards fax on the board and do not use
 * this; software boards take an engine in their options and declare the `fax` capability only
 * when it is available.
 */
export interface SoftFaxEngine {
  readonly available: boolean;
  /** Why the engine cannot run (e.g. the library is not installed), when `available` is false. */
  readonly unavailableReason?: string;
  /** Starts a session. Throws a `HotlineError` (e.g. `ERR_MEDIA_FORMAT` for a bad TIFF) before any audio flows. */
  start(options: SoftFaxOptions): SoftFaxSession;
}
