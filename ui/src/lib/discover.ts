// The Discover page's data: API calls, filters, watch history and small formatters.
import type { DiscoverStats, HelixStream, StreamDetail } from '../../../src/discover/types';
import { ApiError, getJson } from './api';
import { useStatus, useTick } from './status';

export { ApiError };
// one declaration of each, shared with the server's routes (types only)
export type { DiscoverStats, StreamDetail };

/** A stream exactly as Helix /streams describes it (what /api/streams/random hands out). */
export type Stream = HelixStream;

// ---------------------------------------------------------------- filters

export interface Filters {
  include: string;
  exclude: string;
  match: 'all' | 'any';
  /** minimum minutes live */
  minAge: number;
  /** also hand out streams with one viewer */
  oneViewer: boolean;
  /** '' for any language */
  language: string;
  /** a game id, '' for any game */
  game: string;
}

export const DEFAULT_FILTERS: Filters = { include: '', exclude: '', match: 'all', minAge: 0, oneViewer: false, language: '', game: '' };

export const MIN_AGES = [0, 3, 5, 10] as const;
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'pt', 'ru', 'ja', 'ko', 'it', 'zh', 'pl', 'tr', 'other'] as const;

const MAX_TERMS = 16;
const MAX_TERM_LENGTH = 80;

export function splitTerms(raw: string): string[] {
  return raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Why these filters would be refused by the API, before asking it. */
export function filterProblem(f: Filters): string | undefined {
  for (const [name, raw] of [
    ['Include', f.include],
    ['Exclude', f.exclude],
  ] as const) {
    const list = splitTerms(raw);
    if (list.length > MAX_TERMS) return `${name} has ${list.length} terms; at most ${MAX_TERMS} are allowed`;
    const long = list.find((t) => t.length > MAX_TERM_LENGTH);
    if (long) return `${name} term “${long.slice(0, 20)}…” is longer than ${MAX_TERM_LENGTH} characters`;
  }
  return undefined;
}

export function isDefaultFilters(f: Filters): boolean {
  return splitTerms(f.include).length === 0 && splitTerms(f.exclude).length === 0 && f.minAge === 0 && !f.oneViewer && f.language === '' && f.game === '';
}

/** How many filters differ from the defaults (the Filters button's badge). */
export function activeFilterCount(f: Filters): number {
  return [splitTerms(f.include).length > 0, splitTerms(f.exclude).length > 0, f.minAge > 0, f.oneViewer, f.language !== '', f.game !== ''].filter(Boolean).length;
}

function randomQuery(f: Filters, count: number): string {
  const q = new URLSearchParams({ count: String(count), max_viewers: f.oneViewer ? '1' : '0' });
  if (f.minAge > 0) q.set('min_age', String(f.minAge));
  const include = splitTerms(f.include);
  if (include.length) {
    q.set('include', include.join(','));
    if (include.length > 1) q.set('match', f.match);
  }
  const exclude = splitTerms(f.exclude);
  if (exclude.length) q.set('exclude', exclude.join(','));
  if (f.language) q.set('language', f.language);
  if (f.game) q.set('game', f.game);
  return q.toString();
}

/** `excludeIds`: streams the visitor already has; `browse`: thumbnails, not counted as hand-outs */
export function fetchRandom(f: Filters, count: number, signal?: AbortSignal, options: { excludeIds?: string[]; browse?: boolean } = {}): Promise<Stream[]> {
  let query = randomQuery(f, count);
  if (options.excludeIds?.length) query += `&exclude_ids=${options.excludeIds.map(encodeURIComponent).join(',')}`;
  if (options.browse) query += '&purpose=browse';
  return getJson<Stream[]>(`/api/streams/random?${query}`, signal);
}

/** undefined when Lurk knows no live stream with this id */
export async function fetchStream(id: string, signal?: AbortSignal): Promise<StreamDetail | undefined> {
  try {
    return await getJson<StreamDetail>(`/api/streams/${encodeURIComponent(id)}`, signal);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return undefined;
    throw err;
  }
}

/** A channel's live stream by login; undefined when it is not live (or not seen yet). */
export async function findChannel(login: string, signal?: AbortSignal): Promise<Stream | undefined> {
  const wanted = login.trim().toLowerCase();
  if (!/^[a-z0-9_]{1,25}$/.test(wanted)) return undefined;
  try {
    return (await getJson<StreamDetail>(`/api/streams/by-login/${encodeURIComponent(wanted)}`, signal)).stream;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return undefined;
    throw err;
  }
}

export function fetchStats(signal?: AbortSignal): Promise<DiscoverStats> {
  return getJson<DiscoverStats>('/api/discover/stats', signal);
}

// ---------------------------------------------------------------- local storage

const FILTERS_KEY = 'lurk.discover.filters';
const HISTORY_KEY = 'lurk.discover.history';
const PREFS_KEY = 'lurk.discover.prefs';
export const HISTORY_SIZE = 6;

function load<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

function save(key: string, value: unknown): void {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or switched off: the page works without it
  }
}

function cleanFilters(raw: Partial<Filters> | undefined): Filters {
  const f = { ...DEFAULT_FILTERS };
  if (!raw || typeof raw !== 'object') return f;
  if (typeof raw.include === 'string') f.include = raw.include;
  if (typeof raw.exclude === 'string') f.exclude = raw.exclude;
  if (raw.match === 'any') f.match = 'any';
  if (typeof raw.minAge === 'number' && (MIN_AGES as readonly number[]).includes(raw.minAge)) f.minAge = raw.minAge;
  if (raw.oneViewer === true) f.oneViewer = true;
  if (typeof raw.language === 'string' && /^([a-z]{2}|other)$/.test(raw.language)) f.language = raw.language;
  if (typeof raw.game === 'string' && /^\d{1,20}$/.test(raw.game)) f.game = raw.game;
  return f;
}

/** the remembered filters, if the visitor asked to remember them */
export function loadFilters(): Filters | undefined {
  const raw = load<Partial<Filters>>(FILTERS_KEY);
  return raw ? cleanFilters(raw) : undefined;
}

export function saveFilters(f: Filters | undefined): void {
  save(FILTERS_KEY, f);
}

/** what the watch history keeps of a stream (enough to draw it and find it again) */
export type HistoryEntry = Pick<Stream, 'id' | 'user_login' | 'user_name' | 'title' | 'game_name' | 'language' | 'thumbnail_url'> & { shown_at: number };

export function loadHistory(): HistoryEntry[] {
  const raw = load<HistoryEntry[]>(HISTORY_KEY);
  if (!Array.isArray(raw)) return [];
  return raw.filter((h) => h && typeof h.id === 'string' && typeof h.user_login === 'string').slice(0, HISTORY_SIZE + 1);
}

/** puts a stream first in the history; keeps one more than is shown, since the current stream is left out */
export function pushHistory(history: HistoryEntry[], s: Stream): HistoryEntry[] {
  const entry: HistoryEntry = {
    id: s.id,
    user_login: s.user_login,
    user_name: s.user_name,
    title: s.title,
    game_name: s.game_name,
    language: s.language,
    thumbnail_url: s.thumbnail_url,
    shown_at: Date.now(),
  };
  const next = [entry, ...history.filter((h) => h.id !== s.id && h.user_login !== s.user_login)].slice(0, HISTORY_SIZE + 1);
  save(HISTORY_KEY, next);
  return next;
}

export interface Prefs {
  grid: boolean;
  wide: boolean;
}

export function loadPrefs(): Prefs {
  const raw = load<Partial<Prefs>>(PREFS_KEY);
  return { grid: raw?.grid !== false, wide: raw?.wide === true };
}

export function savePrefs(p: Prefs): void {
  save(PREFS_KEY, p);
}

// ---------------------------------------------------------------- URL

export interface UrlParams {
  stream?: string;
  channel?: string;
  filter?: string;
}

export function readUrl(search = location.search): UrlParams {
  const q = new URLSearchParams(search);
  const out: UrlParams = {};
  const stream = q.get('stream')?.trim();
  if (stream) out.stream = stream;
  const channel = q.get('channel')?.trim();
  if (channel) out.channel = channel;
  const filter = q.get('filter')?.trim();
  if (filter) out.filter = filter;
  return out;
}

export const DISCOVER_PATH = '/discover';

/** keeps the address bar on the stream shown, so it can be shared or reloaded (also when the page was reached as /) */
export function writeUrl(stream: Stream | undefined, include: string): void {
  const q = new URLSearchParams();
  if (stream) q.set('stream', stream.id);
  const terms = splitTerms(include);
  if (terms.length) q.set('filter', terms.join(','));
  const search = q.toString();
  const url = `${DISCOVER_PATH}${search ? `?${search}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(history.state, '', url);
}

// ---------------------------------------------------------------- formatting

export function twitchUrl(login: string): string {
  return `https://www.twitch.tv/${encodeURIComponent(login)}`;
}

export function playerUrl(login: string, parent: string): string {
  const q = new URLSearchParams({ channel: login, parent, muted: 'false' });
  return `https://player.twitch.tv/?${q}`;
}

export function thumbnailUrl(s: Pick<Stream, 'thumbnail_url'>, width: number, height: number): string {
  return s.thumbnail_url.replace('{width}', String(width)).replace('{height}', String(height));
}

/** "3h 07m", "12m", under a minute "0m" */
export function formatLiveFor(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h >= 24) return `${Math.floor(h / 24)}d ${h % 24}h ${String(m).padStart(2, '0')}m`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m`;
}

let languageNames: Intl.DisplayNames | undefined;
export function languageName(code: string): string {
  if (code === 'other') return 'Other';
  try {
    languageNames ??= new Intl.DisplayNames(['en'], { type: 'language' });
    return languageNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export function viewerText(n: number): string {
  if (n === 0) return 'nobody watching';
  return n === 1 ? '1 viewer' : `${n.toLocaleString()} viewers`;
}

/** a stable hue per game, for the placeholder thumbnails */
export function hueOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % 360;
}

/**
 * Lurk's clock now (the simulator's clock may run faster than the wall clock), ticking every second;
 * stream start times and sweep times are on that clock.
 */
export function useServerNow(): number {
  const { status, receivedAt } = useStatus();
  const wall = useTick(1000);
  if (!status) return wall;
  return status.now + (performance.now() - receivedAt) * status.clock.speed;
}
