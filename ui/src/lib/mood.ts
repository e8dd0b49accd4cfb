// Mood's side of the API: its live WebSocket (reconnecting with backoff), the tracked set's
// changes, and the words the page and the overlay show for scores and labels.
import { useEffect, useState } from 'preact/hooks';
import type { MoodChannelDetail, MoodChannelSummary, MoodLabel, MoodMoment, MoodPush, SeriesStep } from '../../../src/mood/types';
import { query, sendJson } from './api';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface MoodLive {
  connection: Connection;
  /** the tracked set, as the socket last said (undefined until it has) */
  channels?: MoodChannelSummary[];
  /** the server's time of that list (epoch ms) */
  channelsAt?: number;
  /** the newest windows per login (a `channel` socket's pushes) */
  details: ReadonlyMap<string, MoodChannelDetail>;
  /** the newest summary per login (an every-channel socket's pushes) */
  summaries: ReadonlyMap<string, MoodChannelSummary>;
  /** the server's time of the newest windows or summaries push (epoch ms) */
  at?: number;
  /** moments pushed since the socket opened, the newest version of each, the latest MAX_LIVE_MOMENTS */
  moments: MoodMoment[];
}

const FIRST_RETRY_MS = 500;
/** moments kept from the socket: a page open for days must not grow without end */
export const MAX_LIVE_MOMENTS = 200;
const MAX_RETRY_MS = 10_000;

export function liveUrl(channel?: string): string {
  const q = channel ? `?${query({ channel })}` : '';
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/mood/live${q}`;
}

/** moments by id, the newest version of each, the latest started first */
export function mergeMoments(list: readonly MoodMoment[], more: readonly MoodMoment[]): MoodMoment[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of more) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
}

/**
 * Mood's live pushes: every tracked channel, or only `channel`. The socket reconnects with a
 * doubling delay (0.5 s to 10 s) while the component is mounted.
 */
export function useMoodLive(channel?: string): MoodLive {
  const [state, setState] = useState<MoodLive>(initial);
  useEffect(() => {
    let socket: WebSocket | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let retryMs = FIRST_RETRY_MS;
    let closed = false;
    setState(initial());
    const connect = () => {
      const ws = new WebSocket(liveUrl(channel));
      socket = ws;
      ws.onopen = () => {
        retryMs = FIRST_RETRY_MS;
        setState((s) => ({ ...s, connection: 'live' }));
      };
      ws.onmessage = (event) => {
        let push: MoodPush;
        try {
          push = JSON.parse(String(event.data)) as MoodPush;
        } catch {
          return;
        }
        setState((s) => apply(s, push));
      };
      ws.onclose = () => {
        socket = undefined;
        if (closed) return;
        setState((s) => ({ ...s, connection: 'reconnecting' }));
        timer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [channel]);
  return state;
}

function initial(): MoodLive {
  return { connection: 'connecting', details: new Map(), summaries: new Map(), moments: [] };
}

/**
 * One pushed moment into a list already newest first: a new version replaces its old one in place
 * (its start does not change), a new moment goes where its start puts it, and the list keeps the
 * newest MAX_LIVE_MOMENTS: no re-sort of everything on every push.
 */
export function addMoment(list: readonly MoodMoment[], m: MoodMoment): MoodMoment[] {
  const at = list.findIndex((x) => x.id === m.id);
  if (at >= 0) return list.map((x, i) => (i === at ? m : x));
  const started = Date.parse(m.started_at);
  const later = list.findIndex((x) => Date.parse(x.started_at) < started);
  const i = later < 0 ? list.length : later;
  if (i >= MAX_LIVE_MOMENTS) return list as MoodMoment[];
  return [...list.slice(0, i), m, ...list.slice(i, MAX_LIVE_MOMENTS - 1)];
}

function apply(s: MoodLive, push: MoodPush): MoodLive {
  switch (push.type) {
    case 'channels': {
      const logins = new Set(push.channels.map((c) => c.login));
      const details = new Map([...s.details].filter(([login]) => logins.has(login)));
      const summaries = new Map([...s.summaries].filter(([login]) => logins.has(login)));
      return { ...s, connection: 'live', channels: push.channels, channelsAt: Date.parse(push.at), details, summaries };
    }
    case 'windows': {
      const details = new Map(s.details);
      for (const d of push.channels) details.set(d.login, d);
      return { ...s, connection: 'live', details, at: Date.parse(push.at) };
    }
    case 'summaries':
      return { ...s, connection: 'live', summaries: new Map(push.channels.map((c) => [c.login, c])), at: Date.parse(push.at) };
    case 'moment':
      return { ...s, moments: addMoment(s.moments, push.moment) };
    default:
      return s;
  }
}

/** "a, b  c" → ["a", "b", "c"]: logins separated by commas or spaces, lower-cased, each once */
export function parseLogins(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

export function trackChannels(logins: string[]): Promise<unknown> {
  return sendJson('POST', '/api/mood/channels', { logins });
}

export function untrackChannel(login: string): Promise<unknown> {
  return sendJson('DELETE', `/api/mood/channels/${encodeURIComponent(login)}`);
}

export function channelUrl(login: string): string {
  return `/api/mood/channels/${encodeURIComponent(login)}`;
}

export function seriesUrl(login: string, from: number, to: number, step: SeriesStep, format?: 'csv'): string {
  return `${channelUrl(login)}/series?${query({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), step, format })}`;
}

export function momentsUrl(login: string): string {
  return `${channelUrl(login)}/moments`;
}

/** the page's address for a channel's view */
export function channelHref(login: string): string {
  return `/mood?${query({ channel: login })}`;
}

export function overlayHref(login: string): string {
  return `${location.origin}/overlay/mood?${query({ channel: login })}`;
}

/** the mood in words (the gauge's colour only repeats it) */
export function moodWord(label: MoodLabel | null): string {
  if (label === null) return 'no messages';
  return label;
}

/** a score −1..1 as "+0.42" / "−0.10" */
export function formatScore(score: number | null): string {
  if (score === null) return '–';
  const rounded = Math.round(score * 100) / 100;
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${Math.abs(rounded).toFixed(2)}`;
}

export function formatRate(perMinute: number): string {
  return perMinute >= 100 ? String(Math.round(perMinute)) : perMinute.toFixed(1);
}

/** a share 0..1 of a window's messages, "42 %" ("–" when the window had none) */
export function formatShare(share: number, messages: number): string {
  return messages > 0 ? `${Math.round(share * 100)} %` : '–';
}

export function chatStateText(chat: MoodChannelSummary['chat']): string {
  switch (chat.state) {
    case 'joined':
      return 'chat joined';
    case 'joining':
      return 'joining chat…';
    case 'parted':
      return 'chat left';
    case 'failed':
      return `chat failed${chat.reason ? `: ${chat.reason}` : ''}`;
  }
}
