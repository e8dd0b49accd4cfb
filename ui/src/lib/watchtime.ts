// The Watch time page's data: the API's shapes, its URLs, date ranges, the page's own URL, and formatters.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, isAbort } from './api';

// ---------------------------------------------------------------- API shapes

/** what every watch-time answer carries: how its days are cut */
export interface DayFrame {
  /** IANA name, e.g. "UTC" */
  time_zone: string;
  /** "HH:MM": a Lurk day runs from this wall time on its date to the same time the next date */
  day_start: string;
}

export interface Overview extends DayFrame {
  today: string;
  yesterday: string;
  first_day: string | null;
  /** epoch ms of the last write, null before the first */
  updated_at: number | null;
}

export type Kind = 'games' | 'streamers';

export interface TopItem {
  rank: number;
  id: string;
  name: string;
  /** streamers only */
  login?: string;
  hours_watched: number;
  hours_streamed: number;
  average_viewers: number;
  peak_viewers: number;
  streams: number;
}

export interface TopList extends DayFrame {
  kind: Kind;
  from: string;
  to: string;
  items: TopItem[];
}

export interface Totals {
  hours_watched: number;
  hours_streamed: number;
  average_viewers: number;
  peak_viewers: number;
  streams: number;
  /** games only: how many channels played it */
  streamers?: number;
}

/** a day of a game's or streamer's series (`streamers`: games only) */
export interface DayPoint extends Totals {
  /** the spec's name for the day; this Lurk's detail series call it `t`, as /series does */
  day?: string;
  t?: string;
}

export interface GameDetail extends DayFrame {
  from: string;
  to: string;
  game: { id: string; name: string };
  totals: Totals;
  top_streamers: TopItem[];
  series: DayPoint[];
}

export interface StreamerDetail extends DayFrame {
  from: string;
  to: string;
  streamer: { id: string; login: string; name: string };
  totals: Totals;
  top_games: TopItem[];
  series: DayPoint[];
}

export type Granularity = 'day' | 'hour';

export interface SeriesPoint {
  /** "YYYY-MM-DD" per day, ISO-8601 hour start per hour */
  t: string;
  hours_watched: number;
  hours_streamed: number;
  average_viewers: number;
  peak_viewers: number;
}

export interface Series extends DayFrame {
  kind: 'total' | 'game' | 'streamer';
  from: string;
  to: string;
  granularity: Granularity;
  points: SeriesPoint[];
}

export interface SearchResult {
  kind: 'game' | 'streamer';
  id: string;
  name: string;
  login?: string;
  match: 'id' | 'exact' | 'prefix' | 'contains' | 'fuzzy';
  /** over the last 30 days */
  hours_watched: number;
}

export interface SearchAnswer extends DayFrame {
  q: string;
  results: SearchResult[];
}

// ---------------------------------------------------------------- API URLs

export interface Range {
  from: string;
  to: string;
}

export type Subject = { kind: 'total' } | { kind: 'game'; id: string } | { kind: 'streamer'; login: string };

const API = '/api/watchtime';

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
}

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

/** a file name for a download: lurk-watchtime-<what>-<from>_<to>.<ext> */
export function downloadName(what: string, range: Range, ext: 'csv' | 'json'): string {
  const slug = what
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `lurk-watchtime-${slug || 'data'}-${range.from === range.to ? range.from : `${range.from}_${range.to}`}.${ext}`;
}

export interface Loaded<T> {
  data?: T;
  error?: Error;
  /** a request for `url` is under way (data may be an older answer, kept on screen meanwhile) */
  loading: boolean;
  /** data answers the current url, not an earlier one */
  current: boolean;
}

/**
 * Fetches `url` (nothing while it is undefined), again whenever it or `refresh` changes; the
 * last answer stays until the next arrives, so views dim instead of flashing empty.
 */
export function useApi<T>(url: string | undefined, refresh = 0): Loaded<T> {
  const [state, setState] = useState<{ url?: string; data?: T; error?: Error; loading: boolean }>({ loading: url !== undefined });
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  useEffect(() => {
    if (url === undefined) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(url, controller.signal).then(
      (data) => live.current && !controller.signal.aborted && setState({ url, data, loading: false }),
      (err: unknown) => {
        if (isAbort(err) || !live.current || controller.signal.aborted) return;
        // a failed refresh of the same view keeps what was shown
        setState((s) => ({ url, data: s.url === url ? s.data : undefined, error: err as Error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [url, refresh]);
  return { data: state.data, error: state.error, loading: state.loading || state.url !== url, current: state.url === url };
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

const intFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const hourFormats = [0, 1, 2].map((digits) => new Intl.NumberFormat(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function formatInt(n: number): string {
  return intFormat.format(Math.round(n));
}

/** hours with thousands separators: "12,345", "87.5", "0.25" */
export function formatHours(h: number): string {
  const abs = Math.abs(h);
  return hourFormats[abs >= 100 || h === 0 ? 0 : abs >= 10 ? 1 : 2]!.format(h);
}

/** short axis labels: "12k", "1.2M" */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${+(n / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  return `${+n.toFixed(abs >= 10 || n === 0 ? 0 : 1)}`;
}

/** "Mon 5 Feb 2024" for a Lurk day (a date; its zone is the API's, not the browser's) */
export function formatDay(day: string, withYear = true): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}) });
}

export function formatRange(range: Range): string {
  if (range.from === range.to) return formatDay(range.from);
  const sameYear = range.from.slice(0, 4) === range.to.slice(0, 4);
  return `${formatDay(range.from, !sameYear)} – ${formatDay(range.to)}`;
}

/** a moment in the API's zone: "14:03:12 UTC", with the date when it is not `today`'s calendar date */
export function formatMoment(at: number, timeZone: string): string {
  const date = new Date(at);
  const opts: Intl.DateTimeFormatOptions = { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' };
  try {
    const sameDay = date.toLocaleDateString('en-CA', { timeZone }) === new Date().toLocaleDateString('en-CA', { timeZone });
    return date.toLocaleString(undefined, sameDay ? opts : { ...opts, day: 'numeric', month: 'short' });
  } catch {
    return date.toISOString();
  }
}

/** "14:00" for an hour in the API's zone */
export function formatHour(at: number, timeZone: string): string {
  try {
    return new Date(at).toLocaleTimeString(undefined, { timeZone, hour: '2-digit', minute: '2-digit' });
  } catch {
    return new Date(at).toISOString().slice(11, 16);
  }
}

/** "Days start 08:00 UTC" */
export function dayBoundaryText(frame: DayFrame): string {
  return `Days start ${frame.day_start} ${frame.time_zone}`;
}
