// Audience's wire types: what its routes answer (the UI imports these). Types only.
// Times are ISO 8601 strings, shares are 0..1, logins are lower case. Every figure here is made of
// the signals Twitch still gives (README, "Audience"): chat activity, JOIN/PART and NAMES in rooms
// under 1,000 users, Helix Get Chatters where Lurk holds a moderator token, and raids.

/** why a channel is watched: the configuration, the API / page, the top-N live ranking, or a watched channel raided it */
export type WatchSource = 'config' | 'api' | 'top' | 'raid';

/** the kinds of signal a presence is made of */
export type SignalKind = 'chat' | 'notice' | 'join' | 'part' | 'names' | 'chatters' | 'raid';

export type MoveCause = 'raid' | 'organic';

/** one watched channel and what Lurk sees of its audience now (GET /api/audience/channels) */
export interface AudienceChannel {
  login: string;
  sources: WatchSource[];
  added_at: string;
  /** live now, per the latest sweep or EventSub */
  live: boolean;
  /** Helix viewer_count from the latest sweep; null when not live or not seen yet */
  viewer_count: number | null;
  /** users with an open presence now (any signal) */
  present: number;
  /** distinct users who chatted in the last 10 minutes */
  active_chatters: number;
  /** active_chatters / viewer_count; null without a viewer_count */
  chat_ratio: number | null;
  /** the median chat_ratio of channels of similar size (same power-of-ten viewer bucket), null with fewer than 5 peers */
  peer_ratio: number | null;
  /** chat_ratio is far below its peers' (under a fifth of peer_ratio, with at least 50 viewers): a sign of view-botting, not a proof */
  flagged: boolean;
  /** JOIN/PART are delivered for this room (under 1,000 users), so moves out of it can be exact */
  membership: boolean;
  /** where the chat pool stands with it */
  chat: { state: 'joining' | 'joined' | 'failed' | 'parted'; reason: string | null };
}

export interface AudienceChannelsResponse {
  channels: AudienceChannel[];
  /** the settings that shape every figure, so a reader knows what they are made of */
  settings: { linger_seconds: number; move_window_seconds: number; per_user_moves: boolean; per_user_days: number };
}

/** counts of moves between a channel and one other, by cause */
export interface FlowRow {
  /** the other channel: the destination for direction=out, the source for direction=in */
  channel: string;
  moves: number;
  organic: number;
  raid: number;
}

export interface FlowsResponse {
  channel: string;
  direction: 'out' | 'in';
  from: string;
  to: string;
  total: number;
  flows: FlowRow[];
}

/** one signal behind a move (per-user rows only) */
export interface Evidence {
  channel: string;
  kind: SignalKind;
  at: string;
}

/** one user's move, served only when LURK_AUDIENCE_PER_USER is on */
export interface MoveRow {
  user: string;
  from_channel: string;
  to_channel: string;
  /** A's PART, or the user's last signal in A */
  left_at: string;
  /** the user's first signal in B */
  joined_at: string;
  cause: MoveCause;
  /** the raid it followed, when cause is raid */
  raid_id: string | null;
  evidence: Evidence[];
}

/** moves between two channels, summed */
export interface MovePairRow {
  from_channel: string;
  to_channel: string;
  moves: number;
  organic: number;
  raid: number;
  /** median seconds from leaving A to the first signal in B */
  median_gap_seconds: number | null;
}

export interface MovesResponse {
  from: string;
  to: string;
  total: number;
  pairs: MovePairRow[];
  /** per-user rows: present only when the operator turned them on (LURK_AUDIENCE_PER_USER) */
  moves?: MoveRow[];
}

export interface RaidRow {
  id: string;
  from_channel: string;
  to_channel: string;
  at: string;
  /** viewers carried, as Twitch reported it (EventSub `viewers`, the notice's `msg-param-viewerCount`) */
  viewers: number;
  /** where Lurk learnt of it; the same raid from two sources is one row */
  sources: ('eventsub' | 'chat')[];
  /** users Lurk saw move A → B with it (needs both channels watched) */
  raiders_seen: number;
  /** of those, still present in B 10 and 30 minutes after the raid; null until that time has come */
  retained_10m: number | null;
  retained_30m: number | null;
}

export interface RaidsResponse {
  from: string;
  to: string;
  raids: RaidRow[];
}

/** one other channel's overlap with the asked channel */
export interface OverlapRow {
  channel: string;
  /** active users seen in both over the period */
  shared: number;
  /** shared / the asked channel's active users */
  share_of_channel: number;
  /** shared / the other channel's active users */
  share_of_other: number;
  /** TwitchOverlap's figure: shared / the asked channel's users shared with any other channel */
  probability: number;
}

export interface OverlapResponse {
  channel: string;
  days: 1 | 3 | 7;
  /** the period: the last `days` × 24 hours */
  from: string;
  to: string;
  /** the asked channel's active users over the period */
  audience: number;
  /** of those, users also active in at least one other watched channel */
  shared_any: number;
  others: OverlapRow[];
  /** the daily ranking of the most similar channels (up to 10 a day, rank 1 most similar), oldest day first */
  ranking: { day: string; ranks: { channel: string; rank: number; shared: number; probability: number }[] }[];
}

export interface DestinationRow {
  channel: string;
  count: number;
  /** of count, moves that followed a raid */
  raid: number;
}

export interface EndedStream {
  channel: string;
  ended_at: string;
  /** users present when it ended */
  audience: number;
  /** of those, users seen arriving in another watched channel within 30 minutes */
  followed: number;
  /** raid moves / all moves out of it after the end */
  raid_share: number | null;
  destinations: DestinationRow[];
  /** false while the 30 minutes after the end are still running */
  final: boolean;
}

export interface EndedResponse {
  ended: EndedStream[];
}

export interface MapNode {
  channel: string;
  /** active users that day */
  audience: number;
  community: number;
  x: number;
  y: number;
}

export interface MapEdge {
  source: string;
  target: string;
  /** shared active users */
  shared: number;
  /** shared / the smaller channel's audience */
  weight: number;
}

export interface MapResponse {
  /** the UTC day, YYYY-MM-DD */
  day: string;
  /** days that have a map, newest first */
  days: string[];
  nodes: MapNode[];
  edges: MapEdge[];
  communities: number;
  modularity: number | null;
  /** when it was computed; today's map is recomputed as the day goes on */
  computed_at: string;
}
