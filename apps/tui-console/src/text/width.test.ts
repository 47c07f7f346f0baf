import { describe, expect, it } from 'vitest';
import { displayWidth, padEnd, padStart, truncate } from './width.js';

describe('display width', () => {
  it('counts CJK and full-width forms as two columns', () => {
    expect(displayWidth('王建国')).toBe(6);
    expect(displayWidth('IVR 路径')).toBe(8);
    expect(displayWidth('（）')).toBe(4);
    expect(displayWidth('¥127.50')).toBe(7);
  });
  it('pads and truncates by columns without splitting a wide character', () => {
    expect(padEnd('报修', 6)).toBe('报修  ');
    expect(padStart('81%', 6)).toBe('   81%');
    expect(truncate('姑苏区人民路1288号', 7)).toBe('姑苏区…');
    expect(displayWidth(padEnd('姑苏区人民路1288号', 9))).toBe(9);
  });
});
