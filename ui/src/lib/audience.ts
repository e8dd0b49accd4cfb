// Audience's side of the API: its addresses, the watched set's changes, Lurk's clock for the
// periods asked, and the words the page shows for its figures.
import { useEffect, useState } from 'preact/hooks';
import type { WatchSource } from '../../../src/audience/types';
import { query, sendJson } from './api';
import { useStatus } from './status';

/** how often the page asks again: Audience pushes nothing, and its figures move by the minute */
export const REFRESH_MS = 10_000;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** the periods the channel view offers */
export const PERIODS = [
  { key: '24h', label: '24 h', ms: DAY_MS },
  { key: '7d', label: '7 d', ms: 7 * DAY_MS },
] as const;
export type PeriodKey = (typeof PERIODS)[number]['key'];

export const OVERLAP_DAYS = [1, 3, 7] as const;
export type OverlapDays = (typeof OVERLAP_DAYS)[number];

/** a Twitch login as Helix spells it */
const LOGIN = /^[a-z0-9_]{1,25}$/;

export function isLogin(text: string): boolean {
  return LOGIN.test(text);
}

/** the login in /audience/<login> (lower-cased), '' on /audience itself */
export function loginInPath(pathname: string): string {
  const rest = pathname.replace(/^\/audience\/?/, '').replace(/\/$/, '');
  try {
    return decodeURIComponent(rest).trim().toLowerCase();
  } catch {
    return rest.toLowerCase();
  }
}

/** the page's address for a channel's view */
export function channelHref(login: string): string {
  return `/audience/${encodeURIComponent(login)}`;
}

const iso = (t: number) => new Date(t).toISOString();

export const CHANNELS_URL = '/api/audience/channels';

export function flowsUrl(channel: string, direction: 'out' | 'in', from: number, to: number, format?: 'csv'): string {
  return `/api/audience/flows?${query({ channel, direction, from: iso(from), to: iso(to), format })}`;
}

export function movesUrl(q: { fromChannel?: string; toChannel?: string; from: number; to: number; format?: 'csv' }): string {
  return `/api/audience/moves?${query({ from_channel: q.fromChannel, to_channel: q.toChannel, from: iso(q.from), to: iso(q.to), format: q.format })}`;
}

export function raidsUrl(channel?: string, format?: 'csv'): string {
  const q = query({ channel, format });
  return `/api/audience/raids${q ? `?${q}` : ''}`;
}

export function overlapUrl(channel: string, days: OverlapDays, format?: 'csv'): string {
  return `/api/audience/overlap?${query({ channel, days, format })}`;
}

export function endedUrl(channel?: string, format?: 'csv'): string {
  const q = query({ channel, format });
  return `/api/audience/ended${q ? `?${q}` : ''}`;
}

/** the map of `day` (the newest without one); as CSV, its nodes or its edges */
export function mapUrl(day?: string, csv?: 'nodes' | 'edges'): string {
  const q = query({ day, format: csv ? 'csv' : undefined, table: csv });
  return `/api/audience/map${q ? `?${q}` : ''}`;
}

export function watchChannels(logins: string[]): Promise<unknown> {
  return sendJson('POST', CHANNELS_URL, { logins });
}

export function unwatchChannel(login: string): Promise<unknown> {
  return sendJson('DELETE', `${CHANNELS_URL}/${encodeURIComponent(login)}`);
}

/** a counter that moves on every `ms`, to ask again (paused while the tab is hidden) */
export function useRefresh(ms = REFRESH_MS): [number, () => void] {
  const [n, setN] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') setN((x) => x + 1);
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
  return [n, () => setN((x) => x + 1)];
}

/**
 * Lurk's time (the simulator's clock in simulator mode, which may run faster than the wall),
 * read from the status socket and carried on by its speed; a new value only when `tick` moves,
 * so the periods asked change once a refresh, not on every render.
 */
export function useLurkNow(tick: number): number {
  const { status, receivedAt } = useStatus();
  const [now, setNow] = useState(() => Date.now());
  const known = status !== undefined;
  useEffect(() => {
    if (!status) return setNow(Date.now());
    setNow(Math.round(status.now + (performance.now() - receivedAt) * (status.clock.speed || 1)));
    // only the tick (and the first snapshot) move the time asked
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick, known]);
  return now;
}

const SOURCE_WORDS: Record<WatchSource, string> = { config: 'configuration', api: 'added here', top: 'top live', raid: 'raided' };

export function sourceWords(sources: readonly WatchSource[]): string {
  return sources.map((s) => SOURCE_WORDS[s]).join(', ');
}

/** a share 0..1 as "42 %" ("–" for none) */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  const p = share * 100;
  return `${p > 0 && p < 1 ? '<1' : Math.round(p)} %`;
}

/** chatters per viewer, "0.12" */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '–';
  return ratio >= 1 ? ratio.toFixed(1) : ratio.toFixed(3).replace(/0+$/, '').replace(/\.$/, '.0');
}

// a watched channel's chat reads as a tracked one's (the same states on the wire)
export { chatStateText } from './mood';

export const FLAG_TEXT = 'far fewer chatters than channels of its size — a sign of view-botting, not a proof';
