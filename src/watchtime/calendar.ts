/**
 * Lurk days: a day runs from `dayStart` (wall-clock time in `timeZone`) on its date to the same
 * wall-clock time on the next date, so a day is 23 or 25 hours long across daylight-saving
 * changes. The original bot rolled over at 08:00 UTC; that is the default.
 */
export interface DayStart {
  hour: number;
  minute: number;
}

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** throws RangeError for a zone the runtime does not know */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone });
}

export function parseDayStart(text: string): DayStart | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  return hour < 24 && minute < 60 ? { hour, minute } : undefined;
}

export function isDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/**
 * The days Lurk accepts from outside (API, CLI): far enough back for any Twitch data, and far
 * enough ahead that the day after the last one still has a four-digit year (toISOString writes
 * year 10000 as "+010000", which no day string survives).
 */
export const FIRST_DAY = '2000-01-01';
export const LAST_DAY = '2199-12-31';

/** why `text` is not a day Lurk accepts, or undefined when it is one */
export function dayProblem(text: string): string | undefined {
  if (!isDay(text)) return `${text} is not a real date (YYYY-MM-DD)`;
  if (text < FIRST_DAY || text > LAST_DAY) return `${text} is outside ${FIRST_DAY}..${LAST_DAY}`;
  return undefined;
}

/** how many days `from`..`to` covers (inclusive), by arithmetic: no list is built */
export function dayCount(from: string, to: string): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS) + 1;
}

/** the date `n` days after `day` (calendar arithmetic, no zone involved) */
export function addDays(day: string, n: number): string {
  return new Date(utcMidnight(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** 00:00 UTC of a YYYY-MM-DD date, in ms */
function utcMidnight(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

/** inclusive list of days from `from` to `to` */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 100_000; d = addDays(d, 1)) out.push(d);
  return out;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export class DayCalendar {
  readonly label: string;
  private readonly format: Intl.DateTimeFormat;
  // sweeps sample thousands of streams at nearly the same instant: remember the last day found
  private cached: { day: string; start: number; end: number } | undefined;

  constructor(
    readonly timeZone: string,
    readonly dayStart: DayStart,
  ) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    this.label = `${String(dayStart.hour).padStart(2, '0')}:${String(dayStart.minute).padStart(2, '0')}`;
  }

  /** the Lurk day an instant belongs to */
  dayOf(t: number): string {
    const c = this.cached;
    if (c && t >= c.start && t < c.end) return c.day;
    const w = this.wall(t);
    let day = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
    if (w.hour * 60 + w.minute < this.dayStart.hour * 60 + this.dayStart.minute) day = addDays(day, -1);
    const { start, end } = this.bounds(day);
    // a wall time skipped by a DST jump can put t just outside; step to the neighbour
    if (t < start) day = addDays(day, -1);
    else if (t >= end) day = addDays(day, 1);
    this.cached = { day, ...this.bounds(day) };
    return day;
  }

  /** [start, end) of a day in epoch ms */
  bounds(day: string): { start: number; end: number } {
    return { start: this.startOf(day), end: this.startOf(addDays(day, 1)) };
  }

  /** first instant of the day, at dayStart wall time (or just after, if DST skips it) */
  startOf(day: string): number {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const naive = Date.UTC(y, m - 1, d, this.dayStart.hour, this.dayStart.minute);
    let t = naive - this.offset(naive);
    t = naive - this.offset(t);
    return t;
  }

  /** the next day or UTC-hour boundary strictly after t: credit is split there */
  nextBoundary(t: number): number {
    const hour = Math.floor(t / HOUR_MS) * HOUR_MS + HOUR_MS;
    this.dayOf(t);
    return Math.min(hour, this.cached!.end);
  }

  today(now: number): string {
    return this.dayOf(now);
  }

  /** the last day that has ended */
  yesterday(now: number): string {
    return addDays(this.dayOf(now), -1);
  }

  private wall(t: number): Wall {
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
  }

  /** zone offset in ms at instant t (local = utc + offset) */
  private offset(t: number): number {
    const w = this.wall(t);
    const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    return asUtc - (t - (((t % 1000) + 1000) % 1000));
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
