import { describe, expect, it } from 'vitest';
import { keyId, parseKey, splitKeys } from './keypress.js';

describe('parseKey', () => {
  it.each([
    ['\u001BOP', 'f1'],
    ['\u001B[11~', 'f1'],
    ['\u001B[[A', 'f1'],
    ['\u001B[15~', 'f5'],
    ['\u001B[21~', 'f10'],
    ['\u001B[A', 'up'],
    ['\u001BOB', 'down'],
    ['\r', 'return'],
    ['\u007F', 'backspace'],
    ['\u0013', 'ctrl+s'],
    ['\u001B1', 'meta+1'],
    ['\u001B[Z', 'shift+tab'],
    ['?', '?'],
    ['王', '王'],
  ])('%j is %s', (data, id) => expect(keyId(parseKey(data))).toBe(id));

  it('keeps pasted CJK text whole', () => expect(parseKey('燃气泄漏').text).toBe('燃气泄漏'));
});

describe('splitKeys', () => {
  it('separates Enter from text typed in the same read', () =>
    expect(splitKeys('hotline\r')).toEqual(['hotline', '\r']));
  it('keeps an escape sequence whole', () => expect(splitKeys('\u001B[15~')).toEqual(['\u001B[15~']));
});
