// EventSub on the bus: every notification Lurk subscribed to, typed by its subscription type, and
// every revocation. Payloads keep Twitch's own event objects (snake_case, as delivered).
import type {
  ChannelCheerEvent,
  ChannelFollowV2Event,
  ChannelRaidEvent,
  ChannelSubscribeEvent,
  ChannelSubscriptionGiftEvent,
  ChannelSubscriptionMessageEvent,
  ChannelUpdateV2Event,
  EventSubCondition,
  EventSubStatus,
  StreamOfflineEvent,
  StreamOnlineEvent,
} from '../eventsub.external.js';

/** the subscription types (and their versions) Lurk reads, with each one's event */
export interface EventSubEventTypes {
  'stream.online': StreamOnlineEvent;
  'stream.offline': StreamOfflineEvent;
  'channel.update': ChannelUpdateV2Event;
  'channel.raid': ChannelRaidEvent;
  'channel.follow': ChannelFollowV2Event;
  'channel.subscribe': ChannelSubscribeEvent;
  'channel.subscription.message': ChannelSubscriptionMessageEvent;
  'channel.subscription.gift': ChannelSubscriptionGiftEvent;
  'channel.cheer': ChannelCheerEvent;
}

export type EventSubType = keyof EventSubEventTypes;

/** the version of each type Lurk subscribes to and reads (channel.update and channel.follow are v2) */
export const EVENTSUB_VERSIONS: Readonly<Record<EventSubType, string>> = {
  'stream.online': '1',
  'stream.offline': '1',
  'channel.update': '2',
  'channel.raid': '1',
  'channel.follow': '2',
  'channel.subscribe': '1',
  'channel.subscription.message': '1',
  'channel.subscription.gift': '1',
  'channel.cheer': '1',
};

export function isKnownType(type: string, version: string): type is EventSubType {
  return Object.hasOwn(EVENTSUB_VERSIONS, type) && EVENTSUB_VERSIONS[type as EventSubType] === version;
}

interface NotificationBase {
  /** Twitch's message id (the same on a redelivery; Lurk publishes each id once) */
  messageId: string;
  subscriptionId: string;
  version: string;
  condition: EventSubCondition;
  transport: 'webhook' | 'websocket';
  /** the message's timestamp, epoch ms */
  sentAt: number;
  /** when Lurk received it, epoch ms */
  receivedAt: number;
}

/** one notification: narrow on `type` to get its `event` */
export type EventSubNotification = { [T in EventSubType]: NotificationBase & { type: T; event: EventSubEventTypes[T] } }[EventSubType];

export interface EventSubRevocation {
  subscriptionId: string;
  type: string;
  version: string;
  condition: EventSubCondition;
  /** why Twitch ended it: authorization_revoked, user_removed, notification_failures_exceeded, … */
  status: EventSubStatus;
}

declare module '../../core/events.js' {
  interface LurkEvents {
    /** an EventSub notification of a type Lurk reads, once per message id */
    'eventsub.notification': EventSubNotification;
    /** Twitch ended a subscription */
    'eventsub.revocation': EventSubRevocation;
  }
}
