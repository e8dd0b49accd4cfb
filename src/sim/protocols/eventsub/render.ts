// World events as EventSub `event` objects, in Twitch's exact shapes (twitch-protocol.md §3.6).
// This is the only place that knows how a WorldEvent looks on the wire; both transports use it.
import type { World, WorldEvent } from '../../world/world.js';
import type {
  ChannelCheerEvent,
  ChannelFollowV2Event,
  ChannelRaidEvent,
  ChannelSubscribeEvent,
  ChannelSubscriptionGiftEvent,
  ChannelSubscriptionMessageEvent,
  ChannelUpdateV2Event,
  EventSubEvent,
  StreamOfflineEvent,
  StreamOnlineEvent,
} from '../../../twitch/eventsub.external.js';
import { specFor } from './catalog.js';
import { rfc3339Nano } from './time.js';

/** where a world event goes: its EventSub type and the routes (see catalog.routingKey) it reaches */
export interface Route {
  type: string;
  version: string;
  keys: string[];
}

const VERSIONS: Record<WorldEvent['type'], string> = {
  'stream.online': '1',
  'stream.offline': '1',
  'channel.update': '2',
  'channel.follow': '2',
  'channel.subscribe': '1',
  'channel.subscription.message': '1',
  'channel.subscription.gift': '1',
  'channel.cheer': '1',
  'channel.raid': '1',
};

export class EventRenderer {
  constructor(private readonly world: World) {}

  route(e: WorldEvent): Route | undefined {
    const version = VERSIONS[e.type];
    if (!specFor(e.type, version)) return undefined;
    if (e.type === 'channel.raid') {
      if (e.toChannel === undefined) return undefined;
      return { type: e.type, version, keys: [`from:${this.world.userId(e.channel)}`, `to:${this.world.userId(e.toChannel)}`] };
    }
    return { type: e.type, version, keys: [this.world.userId(e.channel)] };
  }

  /** the `event` object Twitch sends for it; undefined when the world event lacks what it needs */
  event(e: WorldEvent): EventSubEvent | undefined {
    const needsUser = e.type === 'channel.follow' || e.type === 'channel.subscribe' || e.type === 'channel.subscription.message';
    if (needsUser && e.user === undefined) return undefined;
    if (e.type === 'channel.raid' && e.toChannel === undefined) return undefined;
    switch (e.type) {
      case 'stream.online':
        return this.streamOnline(e);
      case 'stream.offline':
        return this.streamOffline(e);
      case 'channel.update':
        return this.channelUpdate(e);
      case 'channel.follow':
        return this.follow(e);
      case 'channel.subscribe':
        return this.subscribe(e);
      case 'channel.subscription.gift':
        return this.gift(e);
      case 'channel.subscription.message':
        return this.resub(e);
      case 'channel.cheer':
        return this.cheer(e);
      case 'channel.raid':
        return this.raid(e);
    }
  }

  private broadcaster(channel: number) {
    const w = this.world;
    return { broadcaster_user_id: w.userId(channel), broadcaster_user_login: w.login(channel), broadcaster_user_name: w.displayName(channel) };
  }

  private user(user: number | undefined) {
    const w = this.world;
    if (user === undefined) return { user_id: null, user_login: null, user_name: null };
    return { user_id: w.userId(user), user_login: w.login(user), user_name: w.displayName(user) };
  }

  private knownUser(user: number) {
    const w = this.world;
    return { user_id: w.userId(user), user_login: w.login(user), user_name: w.displayName(user) };
  }

  private streamOnline(e: WorldEvent): StreamOnlineEvent {
    const stream = this.world.stream(e.channel);
    const id = e.streamId ?? stream?.id ?? '';
    // Twitch writes started_at with milliseconds here (`2020-10-11T10:11:12.123Z`)
    return { id, ...this.broadcaster(e.channel), type: 'live', started_at: new Date(stream?.startedAt ?? e.at).toISOString() };
  }

  private streamOffline(e: WorldEvent): StreamOfflineEvent {
    return { ...(e.streamId ? { id: e.streamId } : {}), ...this.broadcaster(e.channel) };
  }

  private channelUpdate(e: WorldEvent): ChannelUpdateV2Event {
    const info = this.world.channelInfo(e.channel);
    return {
      ...this.broadcaster(e.channel),
      title: info.title,
      language: info.language,
      category_id: info.game.id,
      category_name: info.game.name,
      content_classification_labels: [],
    };
  }

  private follow(e: WorldEvent): ChannelFollowV2Event {
    return { ...this.knownUser(e.user!), ...this.broadcaster(e.channel), followed_at: rfc3339Nano(e.at) };
  }

  private subscribe(e: WorldEvent): ChannelSubscribeEvent {
    return { ...this.knownUser(e.user!), ...this.broadcaster(e.channel), tier: e.tier ?? '1000', is_gift: e.isGift ?? false };
  }

  private gift(e: WorldEvent): ChannelSubscriptionGiftEvent {
    const anonymous = e.anonymous ?? false;
    const total = e.total ?? 1;
    return {
      ...this.user(anonymous ? undefined : e.user),
      ...this.broadcaster(e.channel),
      total,
      tier: e.tier ?? '1000',
      // the world keeps no gift history; this gift bomb is the least the gifter has given
      cumulative_total: anonymous ? null : total,
      is_anonymous: anonymous,
    };
  }

  private resub(e: WorldEvent): ChannelSubscriptionMessageEvent {
    const months = e.cumulativeMonths ?? 1;
    return {
      ...this.knownUser(e.user!),
      ...this.broadcaster(e.channel),
      tier: e.tier ?? '1000',
      message: { text: e.message ?? '', emotes: [] },
      cumulative_months: months,
      streak_months: e.streakMonths ?? null,
      duration_months: 1,
    };
  }

  private cheer(e: WorldEvent): ChannelCheerEvent {
    const anonymous = e.anonymous ?? false;
    return { is_anonymous: anonymous, ...this.user(anonymous ? undefined : e.user), ...this.broadcaster(e.channel), message: e.message ?? '', bits: e.bits ?? 0 };
  }

  private raid(e: WorldEvent): ChannelRaidEvent {
    const w = this.world;
    const to = e.toChannel!;
    return {
      from_broadcaster_user_id: w.userId(e.channel),
      from_broadcaster_user_login: w.login(e.channel),
      from_broadcaster_user_name: w.displayName(e.channel),
      to_broadcaster_user_id: w.userId(to),
      to_broadcaster_user_login: w.login(to),
      to_broadcaster_user_name: w.displayName(to),
      viewers: e.viewers ?? 0,
    };
  }
}
