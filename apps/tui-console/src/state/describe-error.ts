import { isProtocolError, ProtocolErrorCode } from '@hotline/agent-protocol';
import type { MessageKey, Translator } from '../i18n/i18n.js';

/**
 * The sentence a person reads for a failed operation: every protocol error code has its own
 * message; details the server gives (remaining attempts, lock time, versions) are filled in.
 */
export function describeError(t: Translator, error: unknown, context: { readonly url?: string } = {}): string {
  if (!isProtocolError(error))
    return t.t('error.unknown', {
      code: 'ERR_INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    });
  const d = error.details;
  switch (error.code) {
    case ProtocolErrorCode.BadCredentials:
      return typeof d.remainingAttempts === 'number'
        ? t.t('error.badCredentialsRemaining', { n: d.remainingAttempts })
        : t.t('error.ERR_BAD_CREDENTIALS');
    case ProtocolErrorCode.LockedOut:
      return typeof d.retryAfterMs === 'number'
        ? t.t('error.lockedOutFor', { min: Math.max(1, Math.ceil(d.retryAfterMs / 60_000)) })
        : t.t('error.ERR_LOCKED_OUT');
    case ProtocolErrorCode.Unreachable:
      return t.t('error.ERR_UNREACHABLE', { url: context.url ?? (typeof d.url === 'string' ? d.url : '') });
    case ProtocolErrorCode.VersionMismatch: {
      const fromMessage = /client speaks (\S+), server speaks (\S+)/.exec(error.message);
      return t.t('error.ERR_VERSION_MISMATCH', {
        client: typeof d.client === 'string' ? d.client : (fromMessage?.[1] ?? '?'),
        server: typeof d.server === 'string' ? d.server : (fromMessage?.[2] ?? '?'),
      });
    }
    case ProtocolErrorCode.ForcedLogout: {
      const reason = typeof d.reason === 'string' ? d.reason : undefined;
      const known = ['supervisor', 'administrator', 'replaced', 'shutdown', 'password-changed', 'disabled'];
      return t.t('error.ERR_FORCED_LOGOUT', {
        reason: reason && known.includes(reason) ? t.t(`forced.${reason}` as MessageKey) : error.message,
      });
    }
    case ProtocolErrorCode.IllegalState:
      return d.reason === 'no-seat' ? t.t('error.noSeat') : t.t('error.ERR_ILLEGAL_STATE');
    case ProtocolErrorCode.Validation:
      return t.t('error.ERR_VALIDATION', { message: error.message });
    case ProtocolErrorCode.AccountDisabled:
    case ProtocolErrorCode.SessionExpired:
    case ProtocolErrorCode.Forbidden:
    case ProtocolErrorCode.NotFound:
    case ProtocolErrorCode.Conflict:
    case ProtocolErrorCode.InvalidParams:
    case ProtocolErrorCode.Timeout:
    case ProtocolErrorCode.Unavailable:
    case ProtocolErrorCode.NotImplemented:
    case ProtocolErrorCode.Closed:
    case ProtocolErrorCode.ConnectionLost:
      return t.t(`error.${error.code}` as MessageKey);
    default:
      return t.t('error.unknown', { code: error.code, message: error.message });
  }
}
