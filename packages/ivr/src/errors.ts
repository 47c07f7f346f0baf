/**
 * Error codes raised by `@hotline/ivr`. Every error is a cti-core `HotlineError` (tested across
 * packages with `isHotlineError`, never `instanceof`).
 *
 * @module
 */
import { HotlineError, type HotlineErrorOptions } from '@hotline/cti-core';

/** Stable codes of the errors `@hotline/ivr` throws or rejects with. */
export const IvrErrorCode = {
  /** A prompt a flow or menu refers to has no file in the catalog for a locale. */
  PromptMissing: 'ERR_PROMPT_MISSING',
  /** A prompt file exists but is not a readable 8 kHz mono WAV. */
  PromptUnreadable: 'ERR_PROMPT_UNREADABLE',
  /** A declarative menu file does not parse or does not match the schema (see `details.issues`). */
  MenuInvalid: 'ERR_IVR_MENU_INVALID',
  /** A value cannot be spoken (not finite, too large, malformed date...). */
  SayInvalid: 'ERR_IVR_SAY_INVALID',
  /** An IVR argument or option is malformed. */
  InvalidArgument: 'ERR_IVR_INVALID_ARGUMENT',
  /** A node needs an adapter the application did not provide (ACD, transfer lines, fax documents). */
  NotConfigured: 'ERR_IVR_NOT_CONFIGURED',
  /** The runtime was used before `start()` or after `close()`. */
  NotStarted: 'ERR_IVR_NOT_STARTED',
} as const;

/** Union of the codes in {@link IvrErrorCode}. */
export type IvrErrorCodeName = (typeof IvrErrorCode)[keyof typeof IvrErrorCode];

/** Creates a `HotlineError` with an IVR code. */
export function ivrError(code: IvrErrorCodeName, message: string, options: HotlineErrorOptions = {}): HotlineError {
  return new HotlineError(code, message, options);
}
