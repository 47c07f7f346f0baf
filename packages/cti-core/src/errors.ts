/**
 * Typed errors shared by every Hotline package.
 *
 * Errors carry a stable `code` string and behaviour flags. Packages never use `instanceof` across
 * package boundaries (two copies of a package may be installed); they test the
 * `Symbol.for('hotline.error')` marker through {@link isHotlineError}.
 */

/** The cross-package marker every Hotline error carries. */
export const HOTLINE_ERROR: unique symbol = Symbol.for('hotline.error') as never;

/** Options accepted by {@link HotlineError}. */
export interface HotlineErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** The operation was cancelled by its caller (unsubscribe, abort). */
  readonly canceled?: boolean;
  /** The operation ended because the far end hung up. */
  readonly hangup?: boolean;
  /** Trying the same thing again later may succeed. */
  readonly retryable?: boolean;
  /** Structured facts for logs and callers (never personal data in clear). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Base class of every error a Hotline package throws or rejects with. */
export class HotlineError extends Error {
  readonly [HOTLINE_ERROR] = true as const;
  /** Stable, documented identifier, e.g. `ERR_HANGUP`. */
  readonly code: string;
  readonly canceled: boolean;
  readonly hangup: boolean;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: HotlineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HotlineError';
    this.code = code;
    this.canceled = options.canceled ?? false;
    this.hangup = options.hangup ?? false;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** True for any Hotline error (from any copy of any Hotline package), optionally of one code. */
export function isHotlineError(value: unknown, code?: string): value is HotlineError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[HOTLINE_ERROR] !== true) return false;
  return code === undefined || (value as HotlineError).code === code;
}

/** Error codes raised by `@hotline/cti-core`. */
export const ErrorCode = {
  /** The far end hung up while the operation was in flight. */
  Hangup: 'ERR_HANGUP',
  /** The caller cancelled the operation (unsubscribe or AbortSignal). */
  Canceled: 'ERR_CANCELED',
  /** The operation is not allowed in the channel's current state. */
  IllegalState: 'ERR_ILLEGAL_STATE',
  /** A driver event asked for a transition the state machine forbids; it was not applied. */
  IllegalTransition: 'ERR_ILLEGAL_TRANSITION',
  /** The channel does not declare the capability the operation needs. */
  Unsupported: 'ERR_UNSUPPORTED',
  /** The channel faulted and is out of service. */
  ChannelFault: 'ERR_CHANNEL_FAULT',
  /** The board was closed. */
  BoardClosed: 'ERR_BOARD_CLOSED',
  /** The vendor library or driver reported an error (see `details.vendorCode`). */
  Driver: 'ERR_DRIVER',
  /** An argument is malformed (e.g. a DTMF string with a letter that is not a DTMF digit). */
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  /** A media file is unreadable or in a format the board cannot handle. */
  MediaFormat: 'ERR_MEDIA_FORMAT',
  /** Another operation of the same kind is already running on the channel. */
  Busy: 'ERR_OPERATION_IN_PROGRESS',
  /** No such channel. */
  UnknownChannel: 'ERR_UNKNOWN_CHANNEL',
  /** The driver did not confirm a command in time. */
  Timeout: 'ERR_TIMEOUT',
} as const;

/** Union of the codes in {@link ErrorCode}. */
export type CtiErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
