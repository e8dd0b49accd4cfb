// Live events' side of the API: the login links, the favourites and channel routes (every
// state-changing one with the session's CSRF token), the event socket (wss behind HTTPS,
// reconnecting with backoff) and how an event reads in words.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveAvailability, LiveChatLine, LiveEvent, LiveEventType, LiveFavourite, LiveFeature, LivePush, LiveSource } from '../../../src/live/types';
import { ApiError, query } from './api';

export type { LiveAvailability, LiveChatLine, LiveEvent, LiveEventType, LiveFavourite, LiveFeature, LiveMe } from '../../../src/live/types';

/** the types a feed shows, in the order of the filters (src/live/types.ts LIVE_EVENT_TYPES; the UI imports only types) */
export const EVENT_TYPES: readonly LiveEventType[] = ['follow', 'sub', 'resub', 'gift', 'cheer', 'raid', 'online', 'offline', 'update'];

export const TYPE_LABELS: Record<LiveEventType, string> = {
  follow: 'Follows',
  sub: 'Subs',
  resub: 'Resubs',
  gift: 'Gifts',
  cheer: 'Cheers',
  raid: 'Raids',
  online: 'Online',
  offline: 'Offline',
  update: 'Title/category',
};

/** what each feature needs from whom, in the words the page uses; the scopes as src/live/types.ts LIVE_FEATURES asks for them */
export const FEATURES: readonly { feature: LiveFeature; label: string; scope: string; needs: string }[] = [
  { feature: 'follows', label: 'Follows', scope: 'moderator:read:followers', needs: 'Follows need the streamer or a moderator to log in to Lurk: Twitch shows a channel’s follows to nobody else.' },
  { feature: 'subs', label: 'Subs', scope: 'channel:read:subscriptions', needs: 'Subs, resubs and gifts through EventSub need the streamer to log in; without it Lurk reads them from chat.' },
  { feature: 'cheers', label: 'Cheers', scope: 'bits:read', needs: 'Cheers through EventSub need the streamer to log in; without it Lurk reads the bits from chat.' },
  {
    feature: 'moderation',
    label: 'Channels you moderate',
    scope: 'user:read:moderated_channels',
    needs: 'Lets Lurk see which channels you moderate, so your moderator login brings their follows too.',
  },
];

const LOGIN = /^[a-z0-9_]{1,25}$/;

/** a login as typed ("  FooBar ") → "foobar", or undefined when it cannot be a Twitch login */
export function normalizeLogin(text: string): string | undefined {
  const login = text.trim().toLowerCase();
  return LOGIN.test(login) ? login : undefined;
}

/** /live/<login> → login; '' for /live itself */
export function loginInPath(pathname: string): string {
  const m = /^\/live\/([^/]+)\/?$/.exec(pathname);
  return m ? (normalizeLogin(decodeURIComponent(m[1]!)) ?? '') : '';
}

export function streamHref(login: string): string {
  return `/live/${encodeURIComponent(login)}`;
}

/** the login link: Lurk sends the browser to Twitch (or the simulator's consent page) and back to `returnTo` */
export function loginHref(returnTo: string, features: readonly LiveFeature[] = []): string {
  return `/auth/login?${query({ features: features.length ? features.join(',') : undefined, return: returnTo })}`;
}

export function playerUrl(login: string, parent: string): string {
  return `https://player.twitch.tv/?${new URLSearchParams({ channel: login, parent })}`;
}

export function chatEmbedUrl(login: string, parent: string): string {
  return `https://www.twitch.tv/embed/${encodeURIComponent(login)}/chat?${new URLSearchParams({ parent })}`;
}

const base = (login: string) => `/api/live/channels/${encodeURIComponent(login)}`;

export const ME_URL = '/api/live/me';
export const FAVOURITES_URL = '/api/live/favourites';
export const channelUrl = base;

export function eventsUrl(login: string, q: { before?: number; limit?: number; types?: readonly LiveEventType[]; format?: 'csv' }): string {
  const s = query({ type: q.types?.length ? q.types.join(',') : undefined, before: q.before, limit: q.limit, format: q.format });
  return `${base(login)}/events${s ? `?${s}` : ''}`;
}

export interface LiveChannel {
  login: string;
  user_id: string;
  display_name: string;
  live: boolean | null;
  title: string | null;
  category: string | null;
}

/** GET /api/live/channels/:login */
export interface LiveChannelView {
  channel: LiveChannel;
  availability: LiveAvailability[];
  overlay_url: string;
  cleared_before: number;
  unread: number;
}

/** a state-changing request: JSON body (`{}` when empty, the origin guard wants JSON) and the session's CSRF token */
export async function send<T>(method: 'POST' | 'PUT' | 'DELETE', url: string, csrf: string | null, body: unknown = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError('Could not reach Lurk; check your connection', 0, 'network');
  }
  const answer = (await res.json().catch(() => undefined)) as (T & { error?: { code?: string; message?: string } }) | undefined;
  if (!res.ok) throw new ApiError(answer?.error?.message ?? `Lurk answered HTTP ${res.status}`, res.status, answer?.error?.code ?? 'http');
  return answer as T;
}

export const logout = (csrf: string | null) => send<unknown>('POST', '/auth/logout', csrf);
export const addFavourite = (csrf: string | null, login: string) => send<{ favourite: LiveFavourite }>('POST', FAVOURITES_URL, csrf, { login });
export const removeFavourite = (csrf: string | null, login: string) => send<unknown>('DELETE', `${FAVOURITES_URL}/${encodeURIComponent(login)}`, csrf);
export const orderFavourites = (csrf: string | null, logins: string[]) => send<{ favourites: LiveFavourite[] }>('PUT', `${FAVOURITES_URL}/order`, csrf, { logins });
export const readEvent = (csrf: string | null, login: string, id: number) => send<{ event: LiveEvent }>('POST', `${base(login)}/events/${id}/read`, csrf);
export const readAll = (csrf: string | null, login: string, upTo?: number) => send<{ read: number }>('POST', `${base(login)}/read-all`, csrf, upTo !== undefined ? { up_to: upTo } : {});
export const replayEvent = (csrf: string | null, login: string, id: number) => send<unknown>('POST', `${base(login)}/events/${id}/replay`, csrf);
export const clearView = (csrf: string | null, login: string) => send<{ cleared_before: number }>('POST', `${base(login)}/clear`, csrf);
export const rotateOverlay = (csrf: string | null, login: string) => send<{ overlay_url: string }>('POST', `${base(login)}/overlay/rotate`, csrf);

/** the socket's address on this page's host: wss when the page came over HTTPS */
export function socketUrl(params: SocketParams): string {
  const q = query({ channel: params.channel, overlay: params.overlay, chat: params.chat ? '1' : undefined });
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live/socket?${q}`;
}

/** a page's socket: `channel` with the session, or with `overlay` (the overlay URL's key) without one */
export interface SocketParams {
  channel: string;
  overlay?: string;
  /** also the channel's chat lines (the stream page in simulator mode) */
  chat?: boolean;
}

export type Connection = 'connecting' | 'live' | 'reconnecting';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
/** a ping now and then keeps proxies from closing a quiet socket */
const PING_MS = 30_000;

/**
 * The event socket while the component is mounted (none while `params` is undefined): every frame
 * goes to `onPush`; a closed socket (Lurk restarting) is opened again with backoff, and the new
 * hello brings what was missed.
 */
export function useLiveSocket(params: SocketParams | undefined, onPush: (push: LivePush) => void): Connection {
  const [connection, setConnection] = useState<Connection>('connecting');
  const handler = useRef(onPush);
  handler.current = onPush;
  const url = params ? socketUrl(params) : undefined;
  useEffect(() => {
    if (!url) return;
    let socket: WebSocket | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;
    let retryMs = FIRST_RETRY_MS;
    let stopped = false;
    const connect = () => {
      const ws = new WebSocket(url);
      socket = ws;
      ws.onmessage = (message) => {
        let push: LivePush;
        try {
          push = JSON.parse(String(message.data)) as LivePush;
        } catch {
          return;
        }
        if (push.type === 'hello') {
          retryMs = FIRST_RETRY_MS;
          setConnection('live');
        }
        handler.current(push);
      };
      ws.onopen = () => {
        ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'ping' })), PING_MS);
      };
      ws.onclose = () => {
        clearInterval(ping);
        if (stopped) return;
        setConnection('reconnecting');
        timer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ping);
      socket?.close();
    };
  }, [url]);
  return connection;
}

const TIERS: Record<string, string> = { '1000': 'Tier 1', '2000': 'Tier 2', '3000': 'Tier 3', prime: 'Prime' };

export function tierText(tier: string | null): string {
  return tier ? (TIERS[tier] ?? tier) : '';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** who did it, in words: the display name, "An anonymous gifter", or the login */
export function actor(e: LiveEvent): string {
  if (e.anonymous) return e.type === 'cheer' ? 'An anonymous cheerer' : 'An anonymous gifter';
  return e.user_name || e.user_login || 'Someone';
}

/** the event in one line of plain text (rendered as text, never as markup) */
export function eventText(e: LiveEvent, channelName = e.channel): string {
  const who = actor(e);
  switch (e.type) {
    case 'follow':
      return `${who} followed`;
    case 'sub':
      return `${who} subscribed${e.tier ? ` (${tierText(e.tier)})` : ''}`;
    case 'resub': {
      const parts = [`${who} resubscribed`];
      if (e.months !== null) parts.push(plural(e.months, 'month'));
      if (e.streak !== null && e.streak > 1) parts.push(`${plural(e.streak, 'month')} in a row`);
      if (e.tier) parts.push(tierText(e.tier));
      return parts.join(' · ');
    }
    case 'gift':
      return `${who} gifted ${plural(e.count ?? 1, 'sub')}${e.tier && e.tier !== '1000' ? ` (${tierText(e.tier)})` : ''}`;
    case 'cheer':
      return `${who} cheered ${plural(e.bits ?? 0, 'bit')}`;
    case 'raid':
      return `${who} raided with ${plural(e.viewers ?? 0, 'viewer')}`;
    case 'online':
      return `${channelName} went live`;
    case 'offline':
      return `${channelName} went offline`;
    case 'update':
      return `${channelName} changed the stream: ${[e.title, e.category].filter((x) => x).join(' · ') || 'title and category'}`;
  }
}

export const SOURCE_LABELS: Record<LiveSource, string> = { eventsub: 'EventSub', chat: 'chat' };

export function sourcesText(sources: readonly LiveSource[]): string {
  return sources.map((s) => SOURCE_LABELS[s]).join(' + ');
}

/** an availability in words: "via EventSub", "via chat", or why not */
export function availabilityText(a: LiveAvailability): string {
  if (!a.available) return a.reason ?? 'not available';
  const via = a.via.length ? `via ${sourcesText(a.via)}` : 'available';
  return a.reason ? `${via} (${a.reason})` : via;
}

/** newest first, one per id (the later copy wins: the same event may come back with a second source) */
export function mergeEvents(list: readonly LiveEvent[], more: readonly LiveEvent[]): LiveEvent[] {
  const byId = new Map<number, LiveEvent>();
  for (const e of list) byId.set(e.id, e);
  for (const e of more) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/** applies a `read` frame: the ids it names, or every id up to up_to */
export function applyRead(list: readonly LiveEvent[], read: Extract<LivePush, { type: 'read' }>): LiveEvent[] {
  const ids = new Set(read.ids);
  return list.map((e) => (e.read_at === null && (ids.has(e.id) || (read.up_to !== null && e.id <= read.up_to)) ? { ...e, read_at: read.read_at, read_by: read.read_by } : e));
}

export function chatTail(lines: readonly LiveChatLine[], more: readonly LiveChatLine[], keep = 150): LiveChatLine[] {
  const seen = new Set(lines.map((l) => l.id));
  return [...lines, ...more.filter((l) => !seen.has(l.id))].slice(-keep);
}
