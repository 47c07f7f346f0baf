/**
 * Typed errors of the gas call centre. Every error is a {@link HotlineError} with a stable `code`;
 * callers test codes with `isHotlineError(err, AppErrorCode.X)`, never `instanceof`.
 *
 * Messages are English, for logs and developers. What a person reads is produced from `code` and
 * `details` through the message catalog (`src/i18n`).
 * @module
 */
import { HotlineError, type HotlineErrorOptions } from '@hotline/cti-core';

/** Error codes raised by the gas call centre's storage and domain layer. */
export const AppErrorCode = {
  /** The database or the underlying storage failed (see `cause`, `details.sqliteCode`). */
  Storage: 'ERR_STORAGE',
  /** The database was written by a newer version of the program. `details`: `found`, `known`. */
  SchemaTooNew: 'ERR_SCHEMA_TOO_NEW',
  /** The database connection is closed. */
  Closed: 'ERR_STORAGE_CLOSED',
  /** A record does not exist. `details`: `entity`, `key`. */
  NotFound: 'ERR_NOT_FOUND',
  /** A unique key is already taken. `details`: `entity`, `key`. */
  Duplicate: 'ERR_DUPLICATE',
  /** The record changed under the caller (optimistic concurrency); reload and retry. */
  Conflict: 'ERR_CONFLICT',
  /** A ticket workflow move the current state forbids. `details`: `from`, `action`. */
  IllegalTicketTransition: 'ERR_ILLEGAL_TICKET_TRANSITION',
  /** A ticket cannot be escalated (no parent department). */
  CannotEscalate: 'ERR_CANNOT_ESCALATE',
  /** A tracking number is malformed or its check digit is wrong. */
  InvalidTrackingNumber: 'ERR_INVALID_TRACKING_NUMBER',
  /** Wrong user name or password (deliberately not saying which). */
  AuthFailed: 'ERR_AUTH_FAILED',
  /** Too many failed attempts; `details.lockedUntil` (epoch ms). */
  Locked: 'ERR_LOCKED',
  /** The user is disabled. */
  Disabled: 'ERR_USER_DISABLED',
  /** The actor's role or department does not allow the operation. */
  Forbidden: 'ERR_FORBIDDEN',
  /** An argument failed validation. `details`: `field`, `reason`. */
  Invalid: 'ERR_INVALID',
  /** The configuration file is missing, unreadable or invalid. `details.problems`. */
  Config: 'ERR_CONFIG',
} as const;

/** Union of the codes in {@link AppErrorCode}. */
export type AppErrorCodeValue = (typeof AppErrorCode)[keyof typeof AppErrorCode];

/** An error raised by the gas call centre's storage or domain layer. */
export class AppError extends HotlineError {
  constructor(code: AppErrorCodeValue, message: string, options: HotlineErrorOptions = {}) {
    super(code, message, options);
    this.name = 'AppError';
  }
}

/** Shorthand for a {@link AppErrorCode.NotFound} error. */
export function notFound(entity: string, key: string | number): AppError {
  return new AppError(AppErrorCode.NotFound, `${entity} ${String(key)} not found`, { details: { entity, key } });
}

/** Shorthand for an {@link AppErrorCode.Invalid} error on one field. */
export function invalid(field: string, reason: string): AppError {
  return new AppError(AppErrorCode.Invalid, `${field}: ${reason}`, { details: { field, reason } });
}
