// What EventSub and chat report, read into one shape: the feed's events, each with the key that
// makes two reports of the same thing (one from EventSub, one from chat) one event. Pure, but for
// the gift tracker, which remembers the mystery gifts whose per-recipient notices follow.
import type { DeepReadonly } from '../core/bus.js';
import type { ChatMessage, ChatNotice } from '../twitch/chat/events.js';
import type { EventSubNotification } from '../twitch/eventsub/events.js';
import type { LiveEvent, LiveSource } from './types.js';

/**
 * An event as read, before it is stored: the wire event's fields without those the store gives it
 * (id, read state, the sources merged), with its time as epoch ms, the one source it came from and
 * the key that folds a second report into it.
 */
export type ReadEvent = Omit<LiveEvent, 'id' | 'at' | 'sources' | 'read_at' | 'read_by'> & {
  at: number;
  source: LiveSource;
  dedupKey: string;
};

/** the logins Twitch's chat names anonymous gifters and cheerers with */
const ANONYMOUS_LOGINS = new Set(['ananonymousgifter', 'ananonymouscheerer']);

/** a report of `type` with every field empty, for the readers below to fill */
export function blank(channel: string, channelId: string, type: LiveEvent['type'], at: number, source: LiveSource): ReadEvent {
  return {
    channel: channel.toLowerCase(),
    channel_id: channelId,
    type,
    at,
    user_id: null,
    user_login: null,
    user_name: null,
    anonymous: false,
    tier: null,
    months: null,
    streak: null,
    count: null,
    bits: null,
    viewers: null,
    message: '',
    title: null,
    category: null,
    source,
    dedupKey: '',
  };
}

const who = (e: Pick<ReadEvent, 'anonymous' | 'user_id'>) => (e.anonymous || !e.user_id ? 'anon' : e.user_id);

/**
 * The key two reports of one event share; online and offline without a stream id fall back to the minute.
 *
 * Within the dedup window (src/live/feed.ts) a report folds into an event of the same key that
 * its source has not reported yet: EventSub and chat each tell of it once. A second report from
 * the same source folds too, into the event it reported, for the types Twitch cannot have twice
 * in minutes (follow, sub, resub, raid, online, offline, update: one follow, one sub a month, a
 * raid is one per raider and its cooldown is longer): those are the same event delivered twice,
 * e.g. a raid read through two subscriptions (Audience's from_broadcaster and Live's
 * to_broadcaster), each with its own message id, which is why no message id can tell them
 * apart. Gifts and cheers are never folded on the same source: two cheers of the same bits or
 * two bombs of the same count by one user within minutes are real, and neither source sends one
 * twice (EventSub redeliveries are dropped by message id before the feed).
 */
export function dedupKey(e: Omit<ReadEvent, 'dedupKey'>): string {
  switch (e.type) {
    case 'follow':
      return `follow:${e.user_id}`;
    case 'sub':
    case 'resub':
      // chat may call a resub a sub (and the other way round): one key for both
      return `sub:${e.user_id}`;
    case 'gift':
      return `gift:${who(e)}:${e.count}`;
    case 'cheer':
      return `cheer:${who(e)}:${e.bits}`;
    case 'raid':
      return `raid:${e.user_id}`;
    case 'update':
      return `update:${e.title ?? ''}|${e.category ?? ''}`;
    default:
      return `${e.type}:${e.title ?? Math.floor(e.at / 60_000)}`;
  }
}

function keyed(e: ReadEvent): ReadEvent {
  e.dedupKey = dedupKey(e);
  return e;
}

const num = (v: string | undefined): number | null => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** Twitch's sub plan as the feed shows it: 'Prime' → 'prime', tiers as they are */
export function tierOf(plan: string | undefined | null): string | null {
  if (!plan) return null;
  return plan.toLowerCase() === 'prime' ? 'prime' : plan;
}

/** one EventSub notification as a feed event; undefined for what the feed does not show (a gifted sub's per-recipient event) */
export function fromEventSub(n: DeepReadonly<EventSubNotification>): ReadEvent | undefined {
  const at = n.sentAt;
  switch (n.type) {
    case 'stream.online': {
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'online', Date.parse(n.event.started_at) || at, 'eventsub');
      e.category = n.event.type;
      e.dedupKey = `online:${n.event.id}`;
      return e;
    }
    case 'stream.offline': {
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'offline', at, 'eventsub');
      e.dedupKey = n.event.id ? `offline:${n.event.id}` : `offline:${Math.floor(at / 60_000)}`;
      return e;
    }
    case 'channel.update': {
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'update', at, 'eventsub');
      e.title = n.event.title;
      e.category = n.event.category_name;
      return keyed(e);
    }
    case 'channel.raid': {
      const e = blank(n.event.to_broadcaster_user_login, n.event.to_broadcaster_user_id, 'raid', at, 'eventsub');
      e.user_id = n.event.from_broadcaster_user_id;
      e.user_login = n.event.from_broadcaster_user_login;
      e.user_name = n.event.from_broadcaster_user_name;
      e.viewers = n.event.viewers;
      return keyed(e);
    }
    case 'channel.follow': {
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'follow', Date.parse(n.event.followed_at) || at, 'eventsub');
      setUser(e, n.event.user_id, n.event.user_login, n.event.user_name);
      return keyed(e);
    }
    case 'channel.subscribe': {
      // a gifted sub: the gift event (channel.subscription.gift) is the feed's event
      if (n.event.is_gift) return undefined;
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'sub', at, 'eventsub');
      setUser(e, n.event.user_id, n.event.user_login, n.event.user_name);
      e.tier = n.event.tier;
      return keyed(e);
    }
    case 'channel.subscription.message': {
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'resub', at, 'eventsub');
      setUser(e, n.event.user_id, n.event.user_login, n.event.user_name);
      e.tier = n.event.tier;
      e.months = n.event.cumulative_months;
      e.streak = n.event.streak_months ?? null;
      e.message = n.event.message?.text ?? '';
      return keyed(e);
    }
    case 'channel.subscription.gift': {
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'gift', at, 'eventsub');
      e.anonymous = n.event.is_anonymous || !n.event.user_id;
      if (!e.anonymous) setUser(e, n.event.user_id, n.event.user_login, n.event.user_name);
      e.tier = n.event.tier;
      e.count = n.event.total;
      return keyed(e);
    }
    case 'channel.cheer': {
      const e = blank(n.event.broadcaster_user_login, n.event.broadcaster_user_id, 'cheer', at, 'eventsub');
      e.anonymous = n.event.is_anonymous || !n.event.user_id;
      if (!e.anonymous) setUser(e, n.event.user_id, n.event.user_login, n.event.user_name);
      e.bits = n.event.bits;
      e.message = n.event.message ?? '';
      return keyed(e);
    }
    default:
      return undefined;
  }
}

function setUser(e: ReadEvent, id: string | null, login: string | null, name: string | null): void {
  e.user_id = id;
  e.user_login = login?.toLowerCase() ?? null;
  e.user_name = name;
}

/** a PRIVMSG with the `bits` tag (never the bits badge, which only says the user cheered once) */
export function fromCheerMessage(m: DeepReadonly<ChatMessage>): ReadEvent | undefined {
  if (!(m.bits > 0)) return undefined;
  const e = blank(m.channel, m.channelId, 'cheer', m.sentAt || m.receivedAt, 'chat');
  e.anonymous = ANONYMOUS_LOGINS.has(m.user);
  if (!e.anonymous) setUser(e, m.userId, m.user, m.displayName);
  e.bits = m.bits;
  e.message = m.text;
  return keyed(e);
}

/** a mystery gift whose per-recipient notices are still to come */
interface PendingGift {
  originId: string;
  gifter: string;
  remaining: number;
  until: number;
}

/** recipients' notices of a mystery gift arrive right after it; one that did not within this is not coming */
const PENDING_GIFT_MS = 5 * 60_000;

/**
 * Chat's USERNOTICEs as feed events. A gift bomb is one `submysterygift` followed by one
 * `subgift` per recipient, tied to it by `msg-param-origin-id` (and, on Twitch, a
 * `msg-param-community-gift-id`); those are absorbed into the bomb's one event. A `subgift`
 * that belongs to no mystery gift is a gift of one.
 */
export class ChatNoticeReader {
  private readonly pending = new Map<string, PendingGift[]>();

  read(n: DeepReadonly<ChatNotice>): ReadEvent | undefined {
    const at = n.sentAt || n.receivedAt;
    const anonymous = n.kind.startsWith('anon') || ANONYMOUS_LOGINS.has(n.user) || !n.userId;
    const plan = n.plan ?? n.params['sub-plan'];
    switch (n.kind) {
      case 'sub':
      case 'resub': {
        const e = blank(n.channel, n.channelId, n.kind, at, 'chat');
        setUser(e, n.userId, n.user, n.displayName);
        e.tier = tierOf(plan);
        const months = n.months ?? num(n.params['cumulative-months']);
        if (n.kind === 'resub') {
          e.months = months;
          e.streak = n.params['should-share-streak'] === '1' ? num(n.params['streak-months']) : null;
        }
        e.message = n.text;
        return keyed(e);
      }
      case 'submysterygift':
      case 'anonsubmysterygift': {
        const e = blank(n.channel, n.channelId, 'gift', at, 'chat');
        e.anonymous = anonymous;
        if (!anonymous) setUser(e, n.userId, n.user, n.displayName);
        e.tier = tierOf(plan);
        e.count = n.giftCount ?? num(n.params['mass-gift-count']) ?? 1;
        this.remember(n.channelId, { originId: n.params['origin-id'] ?? '', gifter: anonymous ? 'anon' : n.userId, remaining: e.count, until: at + PENDING_GIFT_MS });
        return keyed(e);
      }
      case 'subgift':
      case 'anonsubgift': {
        if (this.absorb(n.channelId, n.params['origin-id'], anonymous ? 'anon' : n.userId, at)) return undefined;
        // a recipient of a community gift whose mystery gift Lurk did not see (it joined late)
        if (n.params['community-gift-id']) return undefined;
        const e = blank(n.channel, n.channelId, 'gift', at, 'chat');
        e.anonymous = anonymous;
        if (!anonymous) setUser(e, n.userId, n.user, n.displayName);
        e.tier = tierOf(plan);
        e.count = 1;
        return keyed(e);
      }
      case 'raid': {
        const e = blank(n.channel, n.channelId, 'raid', at, 'chat');
        setUser(e, n.userId, n.params.login ?? n.user, n.params.displayName ?? n.displayName);
        e.viewers = n.viewers ?? num(n.params.viewerCount);
        return keyed(e);
      }
      default:
        return undefined;
    }
  }

  private remember(channelId: string, gift: PendingGift): void {
    const list = (this.pending.get(channelId) ?? []).filter((g) => g.until > gift.until - PENDING_GIFT_MS && g.remaining > 0);
    list.push(gift);
    this.pending.set(channelId, list);
  }

  /**
   * Whether this recipient's notice belongs to a mystery gift seen before: by origin id; by its
   * gifter only where an origin id is missing (on the notice or the bomb), since a notice naming
   * another origin is the same gifter's lone gift while their bomb is still being handed out.
   */
  private absorb(channelId: string, originId: string | undefined, gifter: string, at: number): boolean {
    const list = this.pending.get(channelId);
    if (!list) return false;
    const live = list.filter((g) => g.remaining > 0 && g.until >= at);
    const byGifter = (g: PendingGift) => g.gifter === gifter && (!originId || !g.originId);
    const gift = (originId ? live.find((g) => g.originId === originId) : undefined) ?? live.find(byGifter);
    if (live.length === 0) this.pending.delete(channelId);
    if (!gift) return false;
    gift.remaining--;
    return true;
  }
}
