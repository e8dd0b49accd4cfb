// Chat as it reaches capabilities: typed, plain JSON values (they cross a Redis bus unchanged).
// The pool publishes the high-rate topics in batches (`{ items }`), flushed every few
// milliseconds: one publish per line would cost more than parsing the line (README, "Chat pool").

/** a Twitch emote in a message, as offsets into `text` (UTF-16 units, as JavaScript indexes strings) */
export interface ChatEmote {
  id: string;
  /** first unit */
  start: number;
  /** one past the last unit: `text.slice(start, end)` is the emote's code */
  end: number;
}

export interface ChatRoles {
  broadcaster: boolean;
  mod: boolean;
  vip: boolean;
  subscriber: boolean;
}

/** one PRIVMSG */
export interface ChatMessage {
  /** Twitch's message id (the `id` tag) */
  id: string;
  /** channel login, lower case, without '#' */
  channel: string;
  channelId: string;
  userId: string;
  /** sender's login */
  user: string;
  displayName: string;
  /** the text, without the /me wrapper */
  text: string;
  /** a /me message */
  action: boolean;
  emotes: ChatEmote[];
  /** bits cheered with the message, 0 when none */
  bits: number;
  /** badge name → version, e.g. { subscriber: '12', moderator: '1' } */
  badges: Record<string, string>;
  roles: ChatRoles;
  /** the name colour, '' when the user never chose one */
  color: string;
  /** the user's first message in this channel */
  firstMessage: boolean;
  returningChatter: boolean;
  /** the message it answers, when it is a threaded reply */
  reply?: { parentId: string; parentUser: string; parentDisplayName: string; parentText: string };
  /** Twitch's send time (`tmi-sent-ts`), ms */
  sentAt: number;
  /** Lurk's clock when it was read */
  receivedAt: number;
}

/** a USERNOTICE: subs, resubs, gifts, raids, announcements… */
export interface ChatNotice {
  id: string;
  channel: string;
  channelId: string;
  /** the `msg-id` tag: sub, resub, subgift, anonsubgift, submysterygift, anonsubmysterygift, raid, announcement, … */
  kind: string;
  /** who it is about (the subscriber, gifter, raider); empty for anonymous gifts */
  userId: string;
  user: string;
  displayName: string;
  /** the user's own message, '' when none */
  text: string;
  emotes: ChatEmote[];
  /** Twitch's text for it (`system-msg`) */
  systemText: string;
  /** every `msg-param-*` tag, without the prefix, e.g. { 'cumulative-months': '7', 'sub-plan': '1000' } */
  params: Record<string, string>;
  /** sub plan (Prime, 1000, 2000, 3000) for sub, resub and gift notices */
  plan?: string;
  /** cumulative months (sub, resub) */
  months?: number;
  /** the gift's recipient (subgift) */
  recipient?: { id: string; login: string; displayName: string };
  /** subs gifted at once (submysterygift) */
  giftCount?: number;
  /** raiders brought (raid) */
  viewers?: number;
  sentAt: number;
  receivedAt: number;
}

/** CLEARCHAT (timeout, ban, whole chat) and CLEARMSG (one message) */
export interface ChatClear {
  channel: string;
  channelId: string;
  kind: 'message' | 'timeout' | 'ban' | 'all';
  targetUserId?: string;
  targetUser?: string;
  targetMessageId?: string;
  /** timeouts only */
  durationSeconds?: number;
  sentAt: number;
  receivedAt: number;
}

/** JOIN/PART of other users, and NAMES, in rooms under 1,000 users (twitch-protocol.md §5.5) */
export interface ChatMembership {
  channel: string;
  kind: 'join' | 'part' | 'names';
  /** logins: one for join/part, the listed ones for names */
  users: string[];
  receivedAt: number;
}

/** a channel's state in the pool changed */
export interface ChatChannelEvent {
  channel: string;
  state: 'joined' | 'parted' | 'failed';
  /** why it failed: msg_channel_suspended, msg_banned, concurrent join limit, … */
  reason?: string;
  at: number;
}

/** the high-rate topics carry batches */
export interface ChatBatch<T> {
  items: T[];
}

declare module '../../core/events.js' {
  interface LurkEvents {
    'chat.message': ChatBatch<ChatMessage>;
    'chat.notice': ChatBatch<ChatNotice>;
    'chat.clear': ChatBatch<ChatClear>;
    'chat.membership': ChatBatch<ChatMembership>;
    'chat.channel': ChatChannelEvent;
  }
}
