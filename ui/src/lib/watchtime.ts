// The Watch time page's data: the API's URLs, date ranges, the page's own URL, and its own formatters.
import type { DayFrame, Granularity, Kind, Overview } from '../../../src/watchtime/types';
import { query } from './api';
import { formatDay, formatHour } from './format';

// ---------------------------------------------------------------- API shapes

// one declaration of each, shared with the server's routes (types only)
export type { DayFrame, GameDetail, Granularity, Kind, Overview, SearchAnswer, SearchResult, Series, SeriesPoint, StreamerDetail, TopItem, TopList, Totals } from '../../../src/watchtime/types';

// ---------------------------------------------------------------- API URLs

export interface Range {
  from: string;
  to: string;
}

export type Subject = { kind: 'total' } | { kind: 'game'; id: string } | { kind: 'streamer'; login: string };

const API = '/api/watchtime';

export const overviewUrl = (): string => `${API}/overview`;

export function topUrl(kind: Kind, range: Range, limit: number, format?: 'csv'): string {
  return `${API}/top?${query({ kind, from: range.from, to: range.to, limit, format })}`;
}

/** a game's or streamer's detail; `part: 'top'` with csv asks for the top list instead of the series */
export function detailUrl(subject: Exclude<Subject, { kind: 'total' }>, range: Range, limit: number, format?: 'csv', part?: 'top'): string {
  const path = subject.kind === 'game' ? `games/${encodeURIComponent(subject.id)}` : `streamers/${encodeURIComponent(subject.login)}`;
  return `${API}/${path}?${query({ from: range.from, to: range.to, limit, format, part })}`;
}

export function seriesUrl(subject: Subject, range: Range, granularity: Granularity, format?: 'csv'): string {
  const id = subject.kind === 'game' ? subject.id : subject.kind === 'streamer' ? subject.login : undefined;
  return `${API}/series?${query({ kind: subject.kind, id, from: range.from, to: range.to, granularity, format })}`;
}

export function searchUrl(q: string, limit = 10): string {
  return `${API}/search?${query({ q, limit })}`;
}

/** a download's file name, without its extension: lurk-watchtime-<what>-<from>_<to> */
export function downloadName(what: string, range: Range): string {
  const slug = what
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `lurk-watchtime-${slug || 'data'}-${range.from === range.to ? range.from : `${range.from}_${range.to}`}`;
}

// ---------------------------------------------------------------- days and ranges

const DAY_MS = 86_400_000;

export function isDay(text: string | null | undefined): text is string {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  return new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
}

/** the date `n` days after `day` (calendar arithmetic; no zone involved) */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** days in the range, both ends counted */
export function dayCount(range: Range): number {
  return Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / DAY_MS) + 1;
}

export type Preset = 'today' | 'yesterday' | 'last7' | 'last30' | 'month';

export const PRESETS: { id: Preset; label: string; hint: string }[] = [
  { id: 'today', label: 'Today', hint: 'The Lurk day under way (partial)' },
  { id: 'yesterday', label: 'Yesterday', hint: 'The last complete Lurk day' },
  { id: 'last7', label: 'Last 7 days', hint: 'Six complete days and today so far' },
  { id: 'last30', label: 'Last 30 days', hint: '29 complete days and today so far' },
  { id: 'month', label: 'This month', hint: 'From the 1st to today so far' },
];

export const DEFAULT_PRESET: Preset = 'last7';

/** the range the page opens on without one in its address, and why when it is not the usual Last 7 days */
export interface DefaultRange {
  range: Range;
  note?: string;
}

/**
 * The most recent range with figures: Last 7 days, unless Lurk started recording today (Today,
 * where its figures are) or recorded nothing in the last 7 days (the week up to its last day).
 */
export function defaultRange(o: Pick<Overview, 'today' | 'yesterday' | 'first_day' | 'last_day' | 'first_hour' | 'time_zone'>): DefaultRange {
  const today = presetRange('today', o);
  if (o.first_day === null) return { range: today, note: 'Nothing recorded yet, so this opens on Today, where the first figures will appear.' };
  if (o.first_day >= o.today) {
    const hour = o.first_hour ? ` (its first hour: ${formatHour(Date.parse(o.first_hour), o.time_zone)})` : '';
    return { range: today, note: `Lurk started recording today${hour}, so this opens on Today: the longer ranges have nothing earlier.` };
  }
  const week = presetRange(DEFAULT_PRESET, o);
  if (o.last_day !== null && o.last_day < week.from) {
    const from = addDays(o.last_day, -6);
    return {
      // biome-ignore lint/complexity/useMathMinMax: days are YYYY-MM-DD text, compared as text (Math.max would give NaN)
      range: { from: from < o.first_day ? o.first_day : from, to: o.last_day },
      note: `Nothing was recorded in the last 7 days, so this opens on the last week with figures, up to ${formatDay(o.last_day)}.`,
    };
  }
  return { range: week };
}

/** Ranges are relative to Lurk's days (the API's today), not the browser's calendar. */
export function presetRange(preset: Preset, days: Pick<Overview, 'today' | 'yesterday'>): Range {
  const { today, yesterday } = days;
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: yesterday, to: yesterday };
    case 'last7':
      return { from: addDays(today, -6), to: today };
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
  }
}

/** which preset a range is, if any */
export function presetOf(range: Range, days: Pick<Overview, 'today' | 'yesterday'>): Preset | undefined {
  return PRESETS.find((p) => {
    const r = presetRange(p.id, days);
    return r.from === range.from && r.to === range.to;
  })?.id;
}

export function includesToday(range: Range, today: string): boolean {
  return range.from <= today && today <= range.to;
}

// ---------------------------------------------------------------- the page's own URL

export type View = { kind: 'overview' } | { kind: 'game'; id: string } | { kind: 'streamer'; login: string };

export const WATCHTIME_PATH = '/watchtime';

export interface PageUrl {
  view: View;
  /** absent: the default preset */
  range?: Range;
}

export function readPageUrl(search = location.search): PageUrl {
  const q = new URLSearchParams(search);
  const from = q.get('from');
  const to = q.get('to');
  const range = isDay(from) && isDay(to) ? (from <= to ? { from, to } : { from: to, to: from }) : undefined;
  const game = q.get('game')?.trim();
  const streamer = q.get('streamer')?.trim().toLowerCase();
  const view: View = game ? { kind: 'game', id: game } : streamer ? { kind: 'streamer', login: streamer } : { kind: 'overview' };
  return range ? { view, range } : { view };
}

export function pageHref(view: View, range: Range | undefined): string {
  const q = new URLSearchParams();
  if (view.kind === 'game') q.set('game', view.id);
  if (view.kind === 'streamer') q.set('streamer', view.login);
  if (range) {
    q.set('from', range.from);
    q.set('to', range.to);
  }
  const search = q.toString();
  return `${WATCHTIME_PATH}${search ? `?${search}` : ''}`;
}

/** moves within the page: a history entry, and a popstate for whoever follows the address bar */
export function go(href: string): void {
  if (href === `${location.pathname}${location.search}`) return;
  history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** onClick for an in-page link: plain clicks stay in the page, modified clicks do what the browser does */
export function followLink(e: MouseEvent): void {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button !== 0) return;
  const href = (e.currentTarget as HTMLAnchorElement).getAttribute('href');
  if (!href) return;
  e.preventDefault();
  go(href);
  window.scrollTo({ top: 0 });
}

// ---------------------------------------------------------------- formatting

export function formatRange(range: Range): string {
  if (range.from === range.to) return formatDay(range.from);
  const sameYear = range.from.slice(0, 4) === range.to.slice(0, 4);
  return `${formatDay(range.from, !sameYear)} – ${formatDay(range.to)}`;
}

/** "Days start 08:00 UTC" */
export function dayBoundaryText(frame: DayFrame): string {
  return `Days start ${frame.day_start} ${frame.time_zone}`;
}
