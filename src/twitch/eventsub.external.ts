// EventSub's JSON shapes, exactly as they cross the wire (twitch-protocol.md §2.8, §3, §4 and
// ../shared/twitch-helix-openapi.json). The simulator renders these; Lurk's EventSub intake can
// parse the same types. (They belong next to src/twitch/helix.external.ts once shared.)

export type EventSubStatus =
  | 'enabled'
  | 'webhook_callback_verification_pending'
  | 'webhook_callback_verification_failed'
  | 'notification_failures_exceeded'
  | 'authorization_revoked'
  | 'moderator_removed'
  | 'user_removed'
  | 'version_removed'
  | 'beta_maintenance'
  | 'websocket_disconnected'
  | 'websocket_failed_ping_pong'
  | 'websocket_received_inbound_traffic'
  | 'websocket_connection_unused'
  | 'websocket_internal_error'
  | 'websocket_network_timeout'
  | 'websocket_network_error';

export type EventSubCondition = Record<string, string>;

/** `transport` as Helix lists it; the webhook secret is never sent back */
export type EventSubTransport = { method: 'webhook'; callback: string } | { method: 'websocket'; session_id: string; connected_at?: string; disconnected_at?: string };

export interface EventSubSubscription {
  id: string;
  status: EventSubStatus;
  type: string;
  version: string;
  condition: EventSubCondition;
  created_at: string;
  transport: EventSubTransport;
  cost: number;
}

/** body of POST /eventsub/subscriptions */
export interface CreateEventSubSubscriptionBody {
  type: string;
  version: string;
  condition: EventSubCondition;
  transport: { method: 'webhook' | 'websocket' | 'conduit'; callback?: string; secret?: string; session_id?: string; conduit_id?: string };
}

/** response of POST (data holds the one new subscription) and GET /eventsub/subscriptions */
export interface EventSubSubscriptionsResponse {
  data: EventSubSubscription[];
  total: number;
  total_cost: number;
  max_total_cost: number;
  pagination?: { cursor?: string };
}

// ------------------------------------------------------------------ webhook bodies

export interface WebhookChallengeBody {
  challenge: string;
  subscription: EventSubSubscription;
}
export interface NotificationBody<E = EventSubEvent> {
  subscription: EventSubSubscription;
  event: E;
}
export interface RevocationBody {
  subscription: EventSubSubscription;
}

// ------------------------------------------------------------------ websocket messages

export type WsMessageType = 'session_welcome' | 'session_keepalive' | 'session_reconnect' | 'notification' | 'revocation';

export interface WsMetadata {
  message_id: string;
  message_type: WsMessageType;
  message_timestamp: string;
  subscription_type?: string;
  subscription_version?: string;
}

export interface WsSession {
  id: string;
  status: 'connected' | 'reconnecting';
  connected_at: string;
  keepalive_timeout_seconds: number | null;
  reconnect_url: string | null;
  recovery_url: string | null;
}

export interface WsMessage {
  metadata: WsMetadata;
  payload: { session: WsSession } | Record<string, never> | NotificationBody | RevocationBody;
}

// ------------------------------------------------------------------ event payloads (§3.6)

interface Broadcaster {
  broadcaster_user_id: string;
  broadcaster_user_login: string;
  broadcaster_user_name: string;
}
interface User {
  user_id: string;
  user_login: string;
  user_name: string;
}
/** the acting user, all null when anonymous */
interface MaybeUser {
  user_id: string | null;
  user_login: string | null;
  user_name: string | null;
}
export type Tier = '1000' | '2000' | '3000';

export interface StreamOnlineEvent extends Broadcaster {
  id: string;
  type: 'live' | 'playlist' | 'watch_party' | 'premiere' | 'rerun';
  started_at: string;
}
/** `id` (the stream's) is newer than most documentation; clients that don't know it ignore it */
export interface StreamOfflineEvent extends Broadcaster {
  id?: string;
}
export interface ChannelUpdateV2Event extends Broadcaster {
  title: string;
  language: string;
  category_id: string;
  category_name: string;
  content_classification_labels: string[];
}
export interface ChannelFollowV2Event extends User, Broadcaster {
  followed_at: string;
}
export interface ChannelSubscribeEvent extends User, Broadcaster {
  tier: Tier;
  is_gift: boolean;
}
export interface ChannelSubscriptionGiftEvent extends MaybeUser, Broadcaster {
  total: number;
  tier: Tier;
  cumulative_total: number | null;
  is_anonymous: boolean;
}
export interface ChannelSubscriptionMessageEvent extends User, Broadcaster {
  tier: Tier;
  message: { text: string; emotes: { begin: number; end: number; id: string }[] };
  cumulative_months: number;
  streak_months: number | null;
  duration_months: number;
}
export interface ChannelCheerEvent extends MaybeUser, Broadcaster {
  is_anonymous: boolean;
  message: string;
  bits: number;
}
export interface ChannelRaidEvent {
  from_broadcaster_user_id: string;
  from_broadcaster_user_login: string;
  from_broadcaster_user_name: string;
  to_broadcaster_user_id: string;
  to_broadcaster_user_login: string;
  to_broadcaster_user_name: string;
  viewers: number;
}

export type EventSubEvent =
  | StreamOnlineEvent
  | StreamOfflineEvent
  | ChannelUpdateV2Event
  | ChannelFollowV2Event
  | ChannelSubscribeEvent
  | ChannelSubscriptionGiftEvent
  | ChannelSubscriptionMessageEvent
  | ChannelCheerEvent
  | ChannelRaidEvent;
