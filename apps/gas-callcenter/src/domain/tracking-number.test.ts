import { describe, expect, it } from 'vitest';
import { dammCheckDigit, makeTrackingNumber, validateTrackingNumber } from './tracking-number.js';

/** A deterministic spread of tracking numbers over dates and sequences. */
function samples(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 400; i++) {
    const month = (i % 12) + 1;
    const day = ((i * 7) % 28) + 1;
    const seq = ((i * 7919) % 99_999) + 1;
    out.push(makeTrackingNumber({ year: 2020 + (i % 30), month, day }, seq));
  }
  return out;
}

describe('tracking numbers', () => {
  it('are 12 digits: date, daily sequence, check digit', () => {
    const n = makeTrackingNumber({ year: 2026, month: 1, day: 5 }, 37);
    expect(n).toMatch(/^26010500037\d$/);
    expect(validateTrackingNumber(n)).toEqual({ valid: true, date: { year: 2026, month: 1, day: 5 }, sequence: 37 });
    expect(validateTrackingNumber(`${n.slice(0, 6)} ${n.slice(6)}`).valid).toBe(true);
  });

  it('match the published Damm example (572 → 4)', () => {
    expect(dammCheckDigit('572')).toBe(4);
  });

  it('catch every single-digit error', () => {
    let checked = 0;
    for (const n of samples()) {
      for (let i = 0; i < n.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === n[i]) continue;
          const wrong = n.slice(0, i) + d + n.slice(i + 1);
          expect(validateTrackingNumber(wrong).valid, `${n} → ${wrong}`).toBe(false);
          checked++;
        }
      }
    }
    expect(checked).toBe(400 * 12 * 9);
  });

  it('catch every adjacent transposition', () => {
    for (const n of samples()) {
      for (let i = 0; i + 1 < n.length; i++) {
        if (n[i] === n[i + 1]) continue;
        const swapped = n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2);
        expect(validateTrackingNumber(swapped).valid, `${n} → ${swapped}`).toBe(false);
      }
    }
    // Exhaustively, for every pair of different digits at every position of one number.
    const base = makeTrackingNumber({ year: 2026, month: 6, day: 15 }, 12345).slice(0, 11);
    for (let i = 0; i + 1 < 11; i++) {
      for (let a = 0; a <= 9; a++) {
        for (let b = 0; b <= 9; b++) {
          if (a === b) continue;
          const body = base.slice(0, i) + a + b + base.slice(i + 2);
          const swapped = base.slice(0, i) + b + a + base.slice(i + 2);
          expect(dammCheckDigit(body) === dammCheckDigit(swapped)).toBe(false);
        }
      }
    }
  });

  it('report why an input is invalid', () => {
    expect(validateTrackingNumber('12345')).toEqual({ valid: false, problem: 'length' });
    expect(validateTrackingNumber('2601050003a7')).toEqual({ valid: false, problem: 'digits' });
    const badDate = '261340000012';
    const body = badDate.slice(0, 11);
    expect(validateTrackingNumber(body + dammCheckDigit(body))).toEqual({ valid: false, problem: 'date' });
    const zeroSeq = '26010100000';
    expect(validateTrackingNumber(zeroSeq + dammCheckDigit(zeroSeq))).toEqual({ valid: false, problem: 'date' });
    expect(() => makeTrackingNumber({ year: 2026, month: 1, day: 1 }, 100_000)).toThrow(RangeError);
  });
});
