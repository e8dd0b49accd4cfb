import type { ComponentChildren } from 'preact';
import { useCallback, useMemo } from 'preact/hooks';
import { TimeChart } from '../../components/time-chart';
import { ApiError } from '../../lib/api';
import {
  dayBoundaryText,
  downloadName,
  formatCompact,
  formatDay,
  formatHour,
  formatHours,
  formatInt,
  formatMoment,
  type DayFrame,
  type DayPoint,
  type Granularity,
  type Range,
  type SeriesPoint,
} from '../../lib/watchtime';

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

export interface Download {
  label: string;
  /** the JSON URL; the CSV link adds format=csv (and any extra query) */
  json: string;
  csv: string;
  what: string;
}

/** "Download: CSV · JSON" for a block of figures */
export function Downloads({ items, range }: { items: Download[]; range: Range }) {
  return (
    <div class="wt-downloads small" data-field="downloads">
      {items.map((d) => (
        <span key={d.what} class="wt-download">
          <span class="muted">{d.label}</span>
          <a href={d.csv} download={downloadName(d.what, range, 'csv')} data-format="csv">
            Download CSV
          </a>
          <a href={d.json} download={downloadName(d.what, range, 'json')} data-format="json">
            JSON
          </a>
        </span>
      ))}
    </div>
  );
}

export function describeError(err: Error): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'Could not reach Lurk. Is it still running?';
    if (err.status === 429) return `Lurk is getting too many requests; try again in ${err.retryAfter ?? 10} s.`;
    if (err.status === 404 && err.code !== 'not_found') return 'This Lurk has no watch-time API (is it an older version?).';
    return err.message;
  }
  return `Something went wrong: ${err.message}`;
}

export function ErrorNotice({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div class="wt-notice error" role="alert" data-field="error">
      <span>{describeError(error)}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ children = 'Loading…' }: { children?: ComponentChildren }) {
  return (
    <div class="wt-loading muted" role="status" data-field="loading">
      <span class="wt-spinner" aria-hidden="true" />
      {children}
    </div>
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

/** figures as cards: hours watched, viewers, … */
export function TotalsCards({ cards }: { cards: { label: string; value: string; note?: string; field: string }[] }) {
  return (
    <div class="cards wt-totals" data-field="totals">
      {cards.map((c) => (
        <div class="card" key={c.field}>
          <div class="label">{c.label}</div>
          <div class="value" data-field={c.field}>
            {c.value}
          </div>
          {c.note && <div class="muted small">{c.note}</div>}
        </div>
      ))}
    </div>
  );
}

/** where the figures end: Lurk's today, and its last write (epoch ms) */
export interface Now {
  today: string;
  lastWrite: number | null;
}

type Point = Pick<SeriesPoint, 'hours_watched' | 'average_viewers'> & { t: string };

export function pointsFromDays(days: DayPoint[]): Point[] {
  return days.map((d) => ({ t: d.day ?? d.t ?? '', hours_watched: d.hours_watched, average_viewers: d.average_viewers }));
}

/**
 * Hours watched (and average viewers) over the range, per hour or per day. Days are dates, drawn at
 * UTC midnight and read in UTC so the axis shows the date itself; hours are instants, read in the API's zone.
 */
export function HoursChart({ title, points, granularity, timeZone, now }: { title: string; points: Point[]; granularity: Granularity; timeZone: string; now: Now }) {
  const hourly = granularity === 'hour';
  const times = useMemo(() => points.map((p) => Date.parse(hourly ? p.t : `${p.t}T00:00:00Z`)), [points, hourly]);
  // hours and days still to come are not zero, just unknown: no line there
  const future = useMemo(() => points.map((p) => (hourly ? now.lastWrite !== null && Date.parse(p.t) > now.lastWrite : p.t > now.today)), [points, hourly, now.lastWrite, now.today]);
  const series = useMemo(
    () => [
      { label: 'Hours watched', values: points.map((p, i) => (future[i] ? null : p.hours_watched)), color: 'var(--accent)', format: formatHours, tick: formatCompact },
      { label: 'Average viewers', values: points.map((p, i) => (future[i] ? null : p.average_viewers)), color: 'var(--accent-2)', format: formatInt, tick: formatCompact, scale: 'right' as const, dash: [6, 4] },
    ],
    [points, future],
  );
  const formatTime = useCallback((t: number) => (hourly ? `${formatDay(new Date(t).toLocaleDateString('en-CA', { timeZone }))} ${formatHour(t, timeZone)}` : formatDay(new Date(t).toISOString().slice(0, 10))), [hourly, timeZone]);
  return (
    <div class="wt-chart" data-field="chart" data-granularity={granularity} data-points={points.length}>
      <TimeChart title={title} times={times} series={series} height={220} timeZone={timeZone} days={!hourly} formatTime={formatTime} />
    </div>
  );
}
