/**
 * Typed errors of the agent protocol.
 *
 * Every error carries a stable `code` string and the cross-package marker
 * `Symbol.for('hotline.error')`, the same shape as `@hotline/cti-core`'s `HotlineError`, so code
 * never needs `instanceof` across package boundaries: use {@link isProtocolError}.
 */

/** The cross-package marker every Hotline error carries. */
export const HOTLINE_ERROR: unique symbol = Symbol.for('hotline.error') as never;

/**
 * Stable error codes. Codes travel on the wire (in error frames and failed responses), so they
 * are part of the protocol: a code is never renamed or reused for another meaning.
 */
export const ProtocolErrorCode = {
  // --- handshake and framing -----------------------------------------------------------------
  /** The client's protocol major version differs from the server's (`details.client`, `details.server`). */
  VersionMismatch: 'ERR_VERSION_MISMATCH',
  /** A frame is not valid JSON, or not a JSON object with a known shape. */
  Malformed: 'ERR_MALFORMED',
  /** A frame is larger than the negotiated limit (`details.bytes`, `details.limit`). */
  FrameTooLarge: 'ERR_FRAME_TOO_LARGE',
  /** A frame's `type` is not one this side knows. */
  UnknownType: 'ERR_UNKNOWN_TYPE',
  /** A message arrived before the `hello` handshake finished, or a second `hello`. */
  HandshakeRequired: 'ERR_HANDSHAKE_REQUIRED',
  // --- authentication ------------------------------------------------------------------------
  /** Wrong user id or password (`details.remainingAttempts` when the server knows it). */
  BadCredentials: 'ERR_BAD_CREDENTIALS',
  /** The account is locked after repeated failures (`details.retryAfterMs` when known). */
  LockedOut: 'ERR_LOCKED_OUT',
  /** The account is disabled. */
  AccountDisabled: 'ERR_ACCOUNT_DISABLED',
  /** A command arrived before login, or the session ended. */
  NotAuthenticated: 'ERR_NOT_AUTHENTICATED',
  /** The resume token is unknown or its session expired: log in again. */
  SessionExpired: 'ERR_SESSION_EXPIRED',
  /** The session was ended by the server (supervisor, administrator, another login, shutdown). */
  ForcedLogout: 'ERR_FORCED_LOGOUT',
  // --- commands ------------------------------------------------------------------------------
  /** The command name is not one the server knows. */
  UnknownCommand: 'ERR_UNKNOWN_COMMAND',
  /** The command's parameters fail its schema (`details.issues`). */
  InvalidParams: 'ERR_INVALID_PARAMS',
  /** The session's role may not issue this command (`details.role`, `details.command`). */
  Forbidden: 'ERR_FORBIDDEN',
  /** A request id was reused for a different command in the same session. */
  RequestIdReused: 'ERR_REQUEST_ID_REUSED',
  /** The server knows the command but no handler is registered for it. */
  NotImplemented: 'ERR_NOT_IMPLEMENTED',
  /** The thing named (customer, ticket, call, agent, voicemail) does not exist. */
  NotFound: 'ERR_NOT_FOUND',
  /** The command is not allowed in the current state (answer with no call offered...). */
  IllegalState: 'ERR_ILLEGAL_STATE',
  /** An update lost a race: the record changed since it was read (`details.currentVersion`). */
  Conflict: 'ERR_CONFLICT',
  /** A field value breaks a business rule the schema cannot express (`details.field`). */
  Validation: 'ERR_VALIDATION',
  /** The server or a system behind it is temporarily unable to serve; try again. */
  Unavailable: 'ERR_UNAVAILABLE',
  /** The server failed unexpectedly; details are in its log, never on the wire. */
  Internal: 'ERR_INTERNAL',
  // --- client side ---------------------------------------------------------------------------
  /** The server could not be reached (connection refused, DNS, TLS, connect timeout). */
  Unreachable: 'ERR_UNREACHABLE',
  /** No response within the request timeout (`details.sent`: whether it reached the wire). */
  Timeout: 'ERR_TIMEOUT',
  /** The connection dropped and could not be resumed. */
  ConnectionLost: 'ERR_CONNECTION_LOST',
  /** The client was closed by its owner. */
  Closed: 'ERR_CLOSED',
} as const;

/** Union of the codes in {@link ProtocolErrorCode}. */
export type ProtocolErrorCodeValue = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** JSON-safe structured facts attached to an error (never personal data in clear). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Options accepted by {@link ProtocolError}. */
export interface ProtocolErrorOptions {
  /** The underlying error, if any (never sent on the wire). */
  readonly cause?: unknown;
  /** Trying the same thing again later may succeed. */
  readonly retryable?: boolean;
  /** The operation was cancelled by its caller. */
  readonly canceled?: boolean;
  /** Structured facts; sent on the wire with the error, so JSON-safe and free of secrets. */
  readonly details?: ErrorDetails;
}

/** Codes that are retryable unless the thrower says otherwise. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<string> = new Set<string>([
  ProtocolErrorCode.Unreachable,
  ProtocolErrorCode.Timeout,
  ProtocolErrorCode.Unavailable,
  ProtocolErrorCode.ConnectionLost,
]);

/**
 * The error every agent-protocol API throws or rejects with, and the error a command handler
 * throws to fail a command with a code the client can act on. `code` may be one of
 * {@link ProtocolErrorCode} or an application code (by convention `ERR_` + upper snake case).
 */
export class ProtocolError extends Error {
  readonly [HOTLINE_ERROR] = true as const;
  /** Stable, documented identifier, e.g. `ERR_BAD_CREDENTIALS`. */
  readonly code: string;
  /** Trying again later may succeed. */
  readonly retryable: boolean;
  /** The operation was cancelled by its caller. */
  readonly canceled: boolean;
  /** Always false: protocol errors are never about a telephone hang-up (kept for shape parity). */
  readonly hangup = false;
  /** Structured facts (JSON-safe). */
  readonly details: ErrorDetails;

  constructor(code: string, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.canceled = options.canceled ?? false;
    this.details = options.details ?? {};
  }
}

/**
 * True for any Hotline error (from any copy of any Hotline package), optionally of one code.
 * Use this instead of `instanceof`.
 */
export function isProtocolError(value: unknown, code?: string): value is ProtocolError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[HOTLINE_ERROR] !== true) return false;
  if (typeof (value as { code?: unknown }).code !== 'string') return false;
  return code === undefined || (value as ProtocolError).code === code;
}
