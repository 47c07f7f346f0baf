/**
 * Turns an error into the sentence a person reads, in their language. Typed errors are described
 * from their `code` and `details`; anything else is reported as an internal error with its message.
 * @module
 */
import { isHotlineError } from '@hotline/cti-core';
import type { ConfigProblem } from '../config/load.js';
import { AppErrorCode } from '../domain/errors.js';
import { translateDynamic, type Translate } from '../i18n/catalog.js';

/** A localised description of `err`. */
export function describeError(err: unknown, t: Translate): string {
  if (!isHotlineError(err)) return t('error.internal', { message: err instanceof Error ? err.message : String(err) });
  const d = err.details as Record<string, unknown>;
  const s = (k: string): string => {
    const v = d[k];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  };
  switch (err.code) {
    case AppErrorCode.Config: {
      const problems = (d.problems as ConfigProblem[] | undefined) ?? [];
      return [t('error.config', { count: problems.length }), ...problems.map((p) => `  ${p.message}`)].join('\n');
    }
    case AppErrorCode.SchemaTooNew:
      return t('error.schemaTooNew', { found: s('found'), known: s('known'), file: s('file') });
    case AppErrorCode.Storage:
      return t('error.storage', { message: err.message });
    case AppErrorCode.Closed:
      return t('error.closed');
    case AppErrorCode.NotFound:
      return t('error.notFound', { entity: translateDynamic(t, `entity.${s('entity')}`, s('entity')), key: s('key') });
    case AppErrorCode.Duplicate:
      return t('error.duplicate');
    case AppErrorCode.Conflict:
      return t('error.conflict');
    case AppErrorCode.IllegalTicketTransition:
      return t('error.illegalTransition', {
        from: translateDynamic(t, `ticketStatus.${s('from')}`, s('from')),
        action: translateDynamic(t, `ticketAction.${s('action')}`, s('action')),
      });
    case AppErrorCode.CannotEscalate:
      return t('error.cannotEscalate');
    case AppErrorCode.InvalidTrackingNumber:
      return t('error.invalidTrackingNumber');
    case AppErrorCode.AuthFailed:
      return t('error.authFailed');
    case AppErrorCode.Locked:
      return t('error.locked', {
        until: typeof d.lockedUntil === 'number' ? new Date(d.lockedUntil).toISOString() : '?',
      });
    case AppErrorCode.Disabled:
      return t('error.disabled');
    case AppErrorCode.Forbidden:
      return t('error.forbidden');
    case AppErrorCode.Invalid:
      return t('error.invalid', {
        field: translateDynamic(t, `field.${s('field')}`, s('field')),
        reason: translateDynamic(t, `reason.${s('reason')}`, s('reason')),
      });
    default:
      return t('error.internal', { message: `${err.code}: ${err.message}` });
  }
}
