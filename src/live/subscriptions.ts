// Subscriptions follow favourites: for each favourited channel, the EventSub subscriptions that
// feed it (the public ones with Lurk's app token, follows/subs/cheers with the token of an account
// allowed to read them), and what that means for each event type (LiveAvailability).
import type { ChatChannelInfo } from '../twitch/chat/types.js';
import type { EventSubUser, SubscriptionState, SubscriptionWant } from '../twitch/eventsub/manager.js';
import type { EventSubType } from '../twitch/eventsub/events.js';
import type { LiveAccount } from './parts.js';
import { LIVE_EVENT_TYPES, LIVE_FEATURES, type LiveAvailability, type LiveEventType } from './types.js';

export const OWNER = 'live';

export interface FeedChannel {
  channelId: string;
  login: string;
}

export const FOLLOWS_REASON = 'follows need the streamer or a moderator to log in to Lurk and allow follows';
const SUBS_REASON = "read from chat only: the streamer logging in to Lurk and allowing subs would add EventSub (every sub, with the subscriber's tier, even when chat is not read)";
const CHEERS_REASON = 'read from chat only: the streamer logging in to Lurk and allowing cheers would add EventSub (every cheer, even when chat is not read)';
const NO_TRANSPORT = 'Lurk has no public URL (LURK_PUBLIC_URL) for webhooks and nobody is logged in whose token could carry a WebSocket';

const has = (a: LiveAccount, scopes: readonly string[]) => scopes.every((s) => a.scopes.includes(s));

/** the account whose token reads `channel`'s follows: the streamer first, else a moderator */
export function followsAccount(accounts: readonly LiveAccount[], channelId: string): LiveAccount | undefined {
  const can = accounts.filter((a) => has(a, LIVE_FEATURES.follows));
  return can.find((a) => a.userId === channelId) ?? can.find((a) => a.moderates.includes(channelId));
}

const broadcaster = (accounts: readonly LiveAccount[], channelId: string, scopes: readonly string[]) => accounts.find((a) => a.userId === channelId && has(a, scopes));

export interface WantsInput {
  channels: readonly FeedChannel[];
  accounts: readonly LiveAccount[];
  eventSubUser: (userId: string) => EventSubUser;
  /** webhooks can be delivered (a public URL, or the simulator) */
  webhooks: boolean;
}

/** every subscription the favourited channels need */
export function liveWants(input: WantsInput): SubscriptionWant[] {
  const wants: SubscriptionWant[] = [];
  // without webhooks, the public types ride on any logged-in account's WebSocket
  const carrier = input.webhooks ? undefined : input.accounts[0];
  for (const c of input.channels) {
    const b = { broadcaster_user_id: c.channelId };
    if (input.webhooks || carrier) {
      const user = carrier ? { user: input.eventSubUser(carrier.userId) } : {};
      for (const type of ['stream.online', 'stream.offline', 'channel.update'] as const) wants.push({ type, condition: b, transport: 'webhook', ...user });
      wants.push({ type: 'channel.raid', condition: { to_broadcaster_user_id: c.channelId }, transport: 'webhook', ...user });
    }
    const follows = followsAccount(input.accounts, c.channelId);
    if (follows)
      wants.push({ type: 'channel.follow', condition: { broadcaster_user_id: c.channelId, moderator_user_id: follows.userId }, transport: 'webhook', user: input.eventSubUser(follows.userId) });
    const subs = broadcaster(input.accounts, c.channelId, LIVE_FEATURES.subs);
    if (subs)
      for (const type of ['channel.subscribe', 'channel.subscription.message', 'channel.subscription.gift'] as const)
        wants.push({ type, condition: b, transport: 'webhook', user: input.eventSubUser(subs.userId) });
    const cheers = broadcaster(input.accounts, c.channelId, LIVE_FEATURES.cheers);
    if (cheers) wants.push({ type: 'channel.cheer', condition: b, transport: 'webhook', user: input.eventSubUser(cheers.userId) });
  }
  return wants;
}

/** what a feed type is read from on EventSub */
const EVENTSUB_TYPES: Record<LiveEventType, EventSubType[]> = {
  online: ['stream.online'],
  offline: ['stream.offline'],
  update: ['channel.update'],
  raid: ['channel.raid'],
  follow: ['channel.follow'],
  sub: ['channel.subscribe'],
  resub: ['channel.subscription.message'],
  gift: ['channel.subscription.gift'],
  cheer: ['channel.cheer'],
};
/** what chat reads too */
const CHAT_TYPES: ReadonlySet<LiveEventType> = new Set(['raid', 'sub', 'resub', 'gift', 'cheer']);
const BAD_STATES: ReadonlySet<string> = new Set(['revoked', 'failed', 'unavailable']);

function channelOf(s: SubscriptionState): string | undefined {
  return s.condition.to_broadcaster_user_id ?? s.condition.broadcaster_user_id;
}

/** Live's subscription states by the channel they feed, read once for every channel */
export function statesByChannel(states: readonly SubscriptionState[]): Map<string, SubscriptionState[]> {
  const out = new Map<string, SubscriptionState[]>();
  for (const s of states) {
    const id = channelOf(s);
    if (id === undefined || !s.owners.includes(OWNER)) continue;
    const list = out.get(id);
    if (list) list.push(s);
    else out.set(id, [s]);
  }
  return out;
}

/** per type, how the channel's feed reads it now (`states`: any, or the channel's from statesByChannel) */
export function availability(channel: FeedChannel, states: readonly SubscriptionState[], chat: ChatChannelInfo | undefined): LiveAvailability[] {
  const mine = states.filter((s) => s.owners.includes(OWNER) && channelOf(s) === channel.channelId);
  const chatOk = !!chat && chat.state !== 'failed';
  return LIVE_EVENT_TYPES.map((type) => {
    const subs = mine.filter((s) => (EVENTSUB_TYPES[type] as string[]).includes(s.type));
    const bad = subs.find((s) => BAD_STATES.has(s.state));
    const eventsub = subs.length > 0 && !bad;
    const via: LiveAvailability['via'] = [];
    if (eventsub) via.push('eventsub');
    if (CHAT_TYPES.has(type) && chatOk) via.push('chat');
    let reason: string | null = null;
    if (bad) reason = `EventSub ${bad.type} is ${bad.state}${bad.reason ? `: ${bad.reason}` : ''}`;
    else if (subs.length === 0) {
      if (type === 'follow') reason = FOLLOWS_REASON;
      else if (type === 'cheer') reason = CHEERS_REASON;
      else if (type === 'sub' || type === 'resub' || type === 'gift') reason = SUBS_REASON;
      else reason = NO_TRANSPORT;
    }
    if (CHAT_TYPES.has(type) && !chatOk) reason = [reason, chat ? `chat ${chat.state}${chat.reason ? `: ${chat.reason}` : ''}` : 'chat not joined yet'].filter(Boolean).join('; ');
    return { type, available: via.length > 0, via, reason };
  });
}
