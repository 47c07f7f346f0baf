/**
 * Typed errors of `@hotline/acd`.
 *
 * Every error carries a stable `code` and the behaviour flags shared by all Hotline packages. Code
 * in other packages must not use `instanceof` (two copies of a package may be installed): test the
 * `Symbol.for('hotline.error')` marker with {@link isAcdError} or cti-core's `isHotlineError`.
 */

/** The cross-package marker every Hotline error carries (same symbol as in `@hotline/cti-core`). */
export const HOTLINE_ERROR: unique symbol = Symbol.for('hotline.error') as never;

/** Stable error codes raised by the ACD. */
export const AcdErrorCode = {
  /** No agent with that id is configured. */
  UnknownAgent: 'ERR_UNKNOWN_AGENT',
  /** No queue with that id is configured. */
  UnknownQueue: 'ERR_UNKNOWN_QUEUE',
  /** No interaction with that id is known to the ACD (never enqueued, or already finished). */
  UnknownInteraction: 'ERR_UNKNOWN_INTERACTION',
  /** The command needs a logged-in agent. */
  NotLoggedIn: 'ERR_NOT_LOGGED_IN',
  /** The agent state machine forbids the transition; it was reported and not applied. */
  IllegalTransition: 'ERR_ILLEGAL_TRANSITION',
  /** The interaction is not in a state that allows the command (e.g. answering a queued call). */
  IllegalState: 'ERR_ILLEGAL_STATE',
  /** An argument is malformed or out of range. */
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  /** An agent, queue or interaction with that id already exists. */
  Duplicate: 'ERR_DUPLICATE',
  /** The ACD was disposed. */
  Disposed: 'ERR_DISPOSED',
} as const;

/** Union of the codes in {@link AcdErrorCode}. */
export type AcdErrorCodeValue = (typeof AcdErrorCode)[keyof typeof AcdErrorCode];

/** Options accepted by {@link AcdError}. */
export interface AcdErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** The operation was cancelled by its caller. */
  readonly canceled?: boolean;
  /** The operation ended because the far end hung up. */
  readonly hangup?: boolean;
  /** Trying the same thing again later may succeed. */
  readonly retryable?: boolean;
  /** Structured facts for logs and callers (never personal data in clear). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The error every ACD command throws. Carries the Hotline cross-package marker. */
export class AcdError extends Error {
  readonly [HOTLINE_ERROR] = true as const;
  /** Stable identifier from {@link AcdErrorCode}. */
  readonly code: AcdErrorCodeValue;
  /** The operation was cancelled by its caller. */
  readonly canceled: boolean;
  /** The operation ended because the far end hung up. */
  readonly hangup: boolean;
  /** Trying again later may succeed. */
  readonly retryable: boolean;
  /** Structured facts (ids, states); never personal data in clear. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: AcdErrorCodeValue, message: string, options: AcdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AcdError';
    this.code = code;
    this.canceled = options.canceled ?? false;
    this.hangup = options.hangup ?? false;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** True for any Hotline error (from any package or copy) carrying the marker, optionally of one code. */
export function isAcdError(value: unknown, code?: AcdErrorCodeValue): value is AcdError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[HOTLINE_ERROR] !== true) return false;
  return code === undefined || (value as AcdError).code === code;
}
