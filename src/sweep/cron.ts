/**
 * A tiny five-field cron (`minute hour day-of-month month day-of-week`, UTC) for the in-process sweep
 * timer. Pure: no clock, no globals. (The ISO week label of the weekly issue is report/weekly `isoWeek`.)
 *
 * Fields take `*`, numbers, ranges `a-b`, steps `*\/n`, `a-b/n`, `a/n` (from a to the field's end) and
 * comma lists; day-of-week is 0-7 with 0 and 7 both Sunday. As in Vixie cron, when both day-of-month and
 * day-of-week are restricted (neither starts with `*`), a day matches if EITHER matches.
 */

interface Field {
  min: number;
  max: number;
}

const FIELDS: readonly Field[] = [
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12 }, // month
  { min: 0, max: 7 }, // day of week (7 = Sunday)
];
const NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];

export interface Cron {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Whether day-of-month / day-of-week were restricted (not starting with `*`). */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

function int(text: string, field: number, cron: string): number {
  if (!/^\d+$/.test(text)) throw new RangeError(`cron "${cron}": "${text}" is not a number in the ${NAMES[field]} field`);
  const n = Number(text);
  const { min, max } = FIELDS[field];
  if (n < min || n > max) throw new RangeError(`cron "${cron}": ${n} is outside ${min}-${max} in the ${NAMES[field]} field`);
  return n;
}

function parseField(text: string, field: number, cron: string): Set<number> {
  const { min, max } = FIELDS[field];
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') throw new RangeError(`cron "${cron}": bad ${NAMES[field]} field "${text}"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (stepText !== undefined && (!/^\d+$/.test(stepText) || step < 1)) throw new RangeError(`cron "${cron}": bad step "${stepText}" in the ${NAMES[field]} field`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = int(a, field, cron);
      hi = int(b, field, cron);
      if (lo > hi) throw new RangeError(`cron "${cron}": range ${range} is backwards in the ${NAMES[field]} field`);
    } else {
      lo = int(range, field, cron);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(cron: string): Cron {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) throw new RangeError(`cron "${cron}": expected five fields (minute hour day-of-month month day-of-week)`);
  const sets = parts.map((p, i) => parseField(p, i, cron));
  const weekdays = sets[4];
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    minutes: sets[0],
    hours: sets[1],
    days: sets[2],
    months: sets[3],
    weekdays,
    dayRestricted: !parts[2].startsWith('*'),
    weekdayRestricted: !parts[4].startsWith('*'),
  };
}

function dayMatches(c: Cron, d: Date): boolean {
  const dom = c.days.has(d.getUTCDate());
  const dow = c.weekdays.has(d.getUTCDay());
  if (c.dayRestricted && c.weekdayRestricted) return dom || dow;
  return dom && dow;
}

const MINUTE = 60_000;

/**
 * The first time strictly after `after` (at a whole minute, UTC) that matches `cron`. Throws a
 * RangeError for an invalid expression or one that never matches (e.g. `0 0 30 2 *`).
 */
export function nextRun(cron: string | Cron, after: Date): Date {
  const c = typeof cron === 'string' ? parseCron(cron) : cron;
  const t = new Date(Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE);
  // Every field is checked from the largest down; a miss jumps to the start of the next unit.
  // Eight years covers every valid day/month/weekday combination (29 February on a given weekday).
  const limit = t.getTime() + 8 * 366 * 24 * 60 * MINUTE;
  while (t.getTime() <= limit) {
    if (!c.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(c, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!c.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!c.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  throw new RangeError(`cron "${typeof cron === 'string' ? cron : 'expression'}" never matches`);
}
