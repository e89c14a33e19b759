import { describe, expect, test } from 'vitest';
import { nextRun, parseCron } from '../../src/sweep/cron.js';

const at = (iso: string): Date => new Date(iso);
const next = (cron: string, after: string): string => nextRun(cron, at(after)).toISOString();

describe('nextRun', () => {
  test('the default schedule (Monday 06:00 UTC) from a Friday is the coming Monday', () => {
    expect(next('0 6 * * 1', '2026-11-27T12:00:00Z')).toBe('2026-11-30T06:00:00.000Z');
  });

  test('strictly after: at the exact time it answers the following week; a second later too', () => {
    expect(next('0 6 * * 1', '2026-11-30T06:00:00Z')).toBe('2026-12-07T06:00:00.000Z');
    expect(next('0 6 * * 1', '2026-11-30T06:00:01Z')).toBe('2026-12-07T06:00:00.000Z');
    expect(next('0 6 * * 1', '2026-11-30T05:59:59Z')).toBe('2026-11-30T06:00:00.000Z');
  });

  test('step fields: */15 minutes, an hour range with a step, and a/n from a value to the end', () => {
    expect(next('*/15 * * * *', '2026-11-27T12:07:30Z')).toBe('2026-11-27T12:15:00.000Z');
    expect(next('*/15 * * * *', '2026-11-27T23:50:00Z')).toBe('2026-11-28T00:00:00.000Z');
    expect(next('0 9-17/4 * * *', '2026-11-27T10:00:00Z')).toBe('2026-11-27T13:00:00.000Z');
    expect(next('0 9-17/4 * * *', '2026-11-27T17:30:00Z')).toBe('2026-11-28T09:00:00.000Z');
    expect(next('50/5 * * * *', '2026-11-27T10:56:00Z')).toBe('2026-11-27T11:50:00.000Z');
  });

  test('lists and day-of-week ranges; 0 and 7 are both Sunday', () => {
    // Friday 2026-11-27: the next Tuesday or Thursday at 08:30.
    expect(next('30 8 * * 2,4', '2026-11-27T00:00:00Z')).toBe('2026-12-01T08:30:00.000Z');
    expect(next('0 0 * * 1-5', '2026-11-28T00:00:00Z')).toBe('2026-11-30T00:00:00.000Z'); // Saturday → Monday
    expect(next('0 0 * * 7', '2026-11-27T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
    expect(next('0 0 * * 0', '2026-11-27T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
  });

  test('day-of-month and day-of-week both restricted: either one matches (cron semantics)', () => {
    // The 13th, or any Friday: from Saturday 2026-11-28 the next Friday is 2026-12-04 (before the 13th).
    expect(next('0 0 13 * 5', '2026-11-28T00:00:00Z')).toBe('2026-12-04T00:00:00.000Z');
    // From Friday 2026-12-11 the 13th (a Sunday) comes before the next Friday.
    expect(next('0 0 13 * 5', '2026-12-11T00:00:00Z')).toBe('2026-12-13T00:00:00.000Z');
    // Only day-of-month restricted: weekday ignored.
    expect(next('0 0 13 * *', '2026-11-28T00:00:00Z')).toBe('2026-12-13T00:00:00.000Z');
  });

  test('month boundaries and leap days', () => {
    expect(next('0 6 1 * *', '2026-12-15T00:00:00Z')).toBe('2027-01-01T06:00:00.000Z');
    expect(next('0 0 31 * *', '2026-11-01T00:00:00Z')).toBe('2026-12-31T00:00:00.000Z'); // November has no 31st
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  test('invalid or impossible expressions are refused', () => {
    for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '*/0 * * * *', '5-1 * * * *', 'a * * * *', '1,,2 * * * *']) {
      expect(() => nextRun(bad, at('2026-01-01T00:00:00Z')), bad).toThrow(RangeError);
    }
    expect(() => nextRun('0 0 30 2 *', at('2026-01-01T00:00:00Z'))).toThrow(/never matches/);
  });

  test('parseCron expands fields', () => {
    const c = parseCron('1,2 */12 * 1-3 7');
    expect([...c.minutes]).toEqual([1, 2]);
    expect([...c.hours]).toEqual([0, 12]);
    expect([...c.months]).toEqual([1, 2, 3]);
    expect([...c.weekdays]).toEqual([0]);
    expect(c.dayRestricted).toBe(false);
    expect(c.weekdayRestricted).toBe(true);
  });
});
