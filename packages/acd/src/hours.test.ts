import { describe, expect, it } from 'vitest';
import { isOpenAt, shanghaiLocalTime, shanghaiStartOfDay, validateHours } from './hours.js';

// 2026-10-01 00:00 +08:00 is 2026-09-30T16:00:00Z (a Thursday, National Day).
const OCT1 = 1_790_784_000_000;
const H = 3_600_000;

describe('hours of operation in Asia/Shanghai', () => {
  it('computes local time with a fixed +08:00 offset', () => {
    expect(shanghaiLocalTime(OCT1)).toEqual({ date: '2026-10-01', weekday: 'thu', minuteOfDay: 0 });
    expect(shanghaiLocalTime(OCT1 - 1)).toMatchObject({ date: '2026-09-30', weekday: 'wed', minuteOfDay: 1439 });
    expect(shanghaiStartOfDay(OCT1 + 13 * H)).toBe(OCT1);
  });

  const hours = {
    weekly: {
      mon: [
        ['08:30', '12:00'],
        ['13:00', '17:30'],
      ],
      thu: [['08:30', '17:30']],
      sat: [['09:00', '24:00']],
    },
    holidays: ['2026-10-01'],
    specialDays: { '2026-10-10': [['09:00', '12:00']] },
  } as const;

  it('opens by weekly ranges, end exclusive, with a lunch break', () => {
    const mon = OCT1 + 4 * 24 * H; // Mon 2026-10-05
    expect(isOpenAt(hours, mon + 8.5 * H - 1)).toBe(false);
    expect(isOpenAt(hours, mon + 8.5 * H)).toBe(true);
    expect(isOpenAt(hours, mon + 12 * H)).toBe(false);
    expect(isOpenAt(hours, mon + 13 * H)).toBe(true);
    expect(isOpenAt(hours, mon + 17.5 * H)).toBe(false);
  });

  it('closes on holidays; special days override the weekly plan; 24:00 closes at midnight', () => {
    expect(isOpenAt(hours, OCT1 + 10 * H)).toBe(false); // Thursday, but National Day
    expect(isOpenAt(hours, OCT1 + 7 * 24 * H + 10 * H)).toBe(true); // Thu 10-08
    const sat10 = OCT1 + 9 * 24 * H; // Sat 2026-10-10 special: 09:00–12:00 only
    expect(isOpenAt(hours, sat10 + 11 * H)).toBe(true);
    expect(isOpenAt(hours, sat10 + 20 * H)).toBe(false);
    const sat3 = OCT1 + 2 * 24 * H; // Sat 10-03 weekly: 09:00–24:00
    expect(isOpenAt(hours, sat3 + 24 * H - 1)).toBe(true);
    expect(isOpenAt(undefined, sat3)).toBe(true);
  });

  it('validates with precise messages', () => {
    expect(() => validateHours({ weekly: { mon: [['8:00', '12:00']] } })).toThrow(
      'hours.weekly.mon: "8:00" is not a time HH:MM',
    );
    expect(() => validateHours({ weekly: { funday: [] } as never })).toThrow('unknown weekday "funday"');
    expect(() => validateHours({ weekly: {}, holidays: ['2026/10/01'] })).toThrow('is not a date YYYY-MM-DD');
    expect(() => validateHours({ weekly: { tue: [['12:00', '11:00']] } })).toThrow('ends before it starts');
    expect(() => validateHours(hours)).not.toThrow();
  });
});
