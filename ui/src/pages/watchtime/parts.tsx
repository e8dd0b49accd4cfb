import { useCallback, useMemo } from 'preact/hooks';
import { TimeChart } from '../../components/time-chart';
import { formatCompact, formatDay, formatHour, formatHours, formatInt, formatMoment } from '../../lib/format';
import { dayBoundaryText, type DayFrame, type Granularity, type Range, type SeriesPoint } from '../../lib/watchtime';

/** the API's name for itself in error messages */
export const API_NAME = 'watch-time';

/** How the figures' days are cut, and how fresh they are: "Days start 08:00 UTC · updated 14:03:12 UTC". */
export function FrameLine({ frame, updatedAt }: { frame: DayFrame | undefined; updatedAt: number | null | undefined }) {
  if (!frame) return <p class="wt-frame small muted">Reading Lurk’s calendar…</p>;
  return (
    <p class="wt-frame small muted" data-field="frame">
      <span data-field="day-boundary" title={`A Lurk day runs from ${frame.day_start} on its date to ${frame.day_start} the next date, in ${frame.time_zone}`}>
        {dayBoundaryText(frame)}
      </span>
      <span data-field="updated">{updatedAt ? `updated ${formatMoment(updatedAt, frame.time_zone)}` : 'nothing recorded yet'}</span>
    </p>
  );
}

export const EMPTY_TEXT = 'No watch time recorded yet for this range — Lurk samples every stream on each sweep; data appears within a minute.';

export function EmptyState({ range, firstDay, today }: { range: Range; firstDay: string | null | undefined; today: string | undefined }) {
  let hint: string | undefined;
  if (firstDay && range.to < firstDay) hint = `Lurk’s records start on ${formatDay(firstDay)}.`;
  else if (today && range.from > today) hint = 'This range has not started yet.';
  return (
    <div class="wt-empty" data-field="empty">
      <p>{EMPTY_TEXT}</p>
      {hint && <p class="muted small">{hint}</p>}
    </div>
  );
}

/** where the figures begin and end: Lurk's first day and hour, its today, and its last write (epoch ms) */
export interface Now {
  today: string;
  lastWrite: number | null;
  /** the first day with figures (null: none yet) */
  firstDay: string | null;
  /** ISO start of the first hour Lurk sampled (null: none yet) */
  firstHour: string | null;
}

type Point = Pick<SeriesPoint, 't' | 'hours_watched' | 'average_viewers'>;

/**
 * Hours watched (and average viewers) over the range, per hour or per day. Days are dates, drawn at
 * UTC midnight and read in UTC so the axis shows the date itself; hours are instants, read in the API's zone.
 */
export function HoursChart({ title, points, granularity, timeZone, now }: { title: string; points: Point[]; granularity: Granularity; timeZone: string; now: Now }) {
  const hourly = granularity === 'hour';
  const times = useMemo(() => points.map((p) => Date.parse(hourly ? p.t : `${p.t}T00:00:00Z`)), [points, hourly]);
  // before Lurk started recording there is no figure, not a zero: no line there
  const before = useMemo(() => {
    const first = hourly ? (now.firstHour === null ? Infinity : Date.parse(now.firstHour)) : now.firstDay;
    return points.map((p, i) => (first === null ? true : hourly ? times[i]! < (first as number) : p.t < (first as string)));
  }, [points, times, hourly, now.firstDay, now.firstHour]);
  // hours and days still to come are not zero, just unknown: no line there either
  const future = useMemo(() => points.map((p) => (hourly ? now.lastWrite !== null && Date.parse(p.t) > now.lastWrite : p.t > now.today)), [points, hourly, now.lastWrite, now.today]);
  const series = useMemo(() => {
    const known = (i: number) => !future[i] && !before[i];
    return [
      { label: 'Hours watched', values: points.map((p, i) => (known(i) ? p.hours_watched : null)), color: 'var(--accent)', format: formatHours, tick: formatCompact },
      {
        label: 'Average viewers',
        values: points.map((p, i) => (known(i) ? p.average_viewers : null)),
        color: 'var(--accent-2)',
        format: formatInt,
        tick: formatCompact,
        scale: 'right' as const,
        dash: [6, 4],
      },
    ];
  }, [points, future, before]);
  const formatTime = useCallback(
    (t: number) => (hourly ? `${formatDay(new Date(t).toLocaleDateString('en-CA', { timeZone }))} ${formatHour(t, timeZone)}` : formatDay(new Date(t).toISOString().slice(0, 10))),
    [hourly, timeZone],
  );
  return (
    <div class="wt-chart" data-field="chart" data-granularity={granularity} data-points={points.length} data-before-recording={before.filter(Boolean).length}>
      <TimeChart title={title} times={times} series={series} height={220} timeZone={timeZone} days={!hourly} formatTime={formatTime} />
    </div>
  );
}
