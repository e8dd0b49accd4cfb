// Live events on the wire: what the HTTP API answers and the event socket pushes. Types only
// (the UI imports this file). Logins are lower case; times are ISO 8601 in UTC.

/** the kinds of event a channel's feed shows */
export const LIVE_EVENT_TYPES = ['follow', 'sub', 'resub', 'gift', 'cheer', 'raid', 'online', 'offline', 'update'] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** where Lurk read an event: EventSub, or the channel's chat (USERNOTICE, the bits tag) */
export type LiveSource = 'eventsub' | 'chat';

/** one event of a channel's feed; the same event read from both sources is one event with both sources */
export interface LiveEvent {
  /** increasing per Lurk: newer events have larger ids (the `before` cursor) */
  id: number;
  /** the channel's login and Twitch id */
  channel: string;
  channel_id: string;
  type: LiveEventType;
  at: string;
  /** who did it: the follower, subscriber, gifter, cheerer, raiding channel; null when anonymous or none (online, offline, update) */
  user_id: string | null;
  user_login: string | null;
  user_name: string | null;
  /** anonymous gifts and cheers */
  anonymous: boolean;
  /** sub, resub, gift: '1000' | '2000' | '3000' | 'prime' */
  tier: string | null;
  /** resub: cumulative months */
  months: number | null;
  /** resub: the streak, when shared */
  streak: number | null;
  /** gift: subs gifted at once */
  count: number | null;
  /** cheer */
  bits: number | null;
  /** raid: viewers brought */
  viewers: number | null;
  /** the user's own message (resub, cheer), '' when none */
  message: string;
  /** update: the new title and category; online: the stream's type */
  title: string | null;
  category: string | null;
  sources: LiveSource[];
  /** acknowledged: by whom (a Lurk user's login) and when; shared by everyone watching the channel */
  read_at: string | null;
  read_by: string | null;
}

/** per event type, whether this channel's feed can show it, how, and why not */
export interface LiveAvailability {
  type: LiveEventType;
  available: boolean;
  /** the sources it is read from now */
  via: LiveSource[];
  /** why it is unavailable, or what is missing for the better source ("follows need the streamer or a moderator to log in to Lurk") */
  reason: string | null;
}

/** a favourite of the logged-in user */
export interface LiveFavourite {
  login: string;
  user_id: string;
  display_name: string;
  /** 0 first */
  position: number;
  /** live now: true/false once Lurk has seen it, null before */
  live: boolean | null;
  /** unread events (not acknowledged) */
  unread: number;
  availability: LiveAvailability[];
  /** events with an id up to this one are hidden from this user's view (clear view); 0: none */
  cleared_before: number;
}

/** the features a user can authorise for their own channel, each with the scopes it asks Twitch for */
export const LIVE_FEATURES = {
  follows: ['moderator:read:followers'],
  subs: ['channel:read:subscriptions'],
  cheers: ['bits:read'],
  /** which channels the user moderates, so their follows can be read too */
  moderation: ['user:read:moderated_channels'],
} as const satisfies Record<string, readonly string[]>;
export type LiveFeature = keyof typeof LIVE_FEATURES;

/** GET /api/live/me */
export interface LiveMe {
  mode: 'simulator' | 'twitch';
  /** null: not logged in */
  user: { id: string; login: string; display_name: string; scopes: string[]; features: LiveFeature[] } | null;
  /** send as `x-csrf-token` on every POST, PUT and DELETE; null when not logged in */
  csrf: string | null;
}

/** a recent chat line of a channel (the stream page's chat in simulator mode, where there is no Twitch embed) */
export interface LiveChatLine {
  id: string;
  user_login: string;
  user_name: string;
  color: string;
  text: string;
  at: string;
}

/** what the event socket (`/api/live/socket?channel=` or `?overlay=`) pushes, one JSON text per frame */
export type LivePush =
  | { type: 'hello'; channel: string; events: LiveEvent[]; chat: LiveChatLine[] }
  | { type: 'event'; event: LiveEvent }
  /** an acknowledgement: these ids, or every id up to `up_to` */
  | { type: 'read'; channel: string; ids: number[]; up_to: number | null; read_by: string; read_at: string }
  /** the same event again, for the overlay and the page to show (nothing is stored) */
  | { type: 'replay'; event: LiveEvent }
  | { type: 'chat'; channel: string; lines: LiveChatLine[] }
  | { type: 'availability'; channel: string; availability: LiveAvailability[]; live: boolean | null }
  | { type: 'pong' };
