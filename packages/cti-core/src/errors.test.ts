import { describe, expect, it } from 'vitest';
import { ErrorCode, HotlineError, isHotlineError } from './errors.js';
import { maskDigits, maskPhone } from './logger.js';

describe('errors', () => {
  it('carries code, flags, details and cause', () => {
    const cause = new Error('vendor said no');
    const e = new HotlineError(ErrorCode.Hangup, 'gone', { hangup: true, cause, details: { channel: '3' } });
    expect(e.code).toBe('ERR_HANGUP');
    expect(e.hangup).toBe(true);
    expect(e.canceled).toBe(false);
    expect(e.retryable).toBe(false);
    expect(e.details).toEqual({ channel: '3' });
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(Error);
  });

  it('is recognised across package copies by its Symbol.for marker, not instanceof', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('hotline.error')]: true, code: 'ERR_UNKNOWN_AGENT' });
    expect(isHotlineError(foreign)).toBe(true);
    expect(isHotlineError(foreign, 'ERR_UNKNOWN_AGENT')).toBe(true);
    expect(isHotlineError(foreign, 'ERR_HANGUP')).toBe(false);
    expect(isHotlineError(new Error('plain'))).toBe(false);
    expect(isHotlineError(null)).toBe(false);
    expect(isHotlineError('ERR_HANGUP')).toBe(false);
  });
});

describe('masking personal data', () => {
  it.each([
    ['13800138000', '138******00'],
    ['96777', '***77'],
    ['0571123', '*****23'],
    ['110', '**0'],
    ['', ''],
  ])('maskPhone(%s) = %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it('maskDigits keeps only the length', () => {
    expect(maskDigits('123456')).toBe('******');
  });
});
