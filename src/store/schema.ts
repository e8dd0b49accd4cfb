import type { Generated } from 'kysely';

// Row types of every table. Timestamps are epoch milliseconds (bigint in PostgreSQL,
// integer in SQLite) so both dialects read and write the same numbers.

export interface LurkMetaTable {
  key: string;
  value: string;
}

export interface JobRunsTable {
  id: Generated<number>;
  job: string;
  started_at: number;
  finished_at: number;
  duration_ms: number;
  outcome: 'ok' | 'error';
  error: string | null;
  trigger: 'schedule' | 'manual';
}

/** A live stream as Helix `/streams` describes it, plus when Lurk saw it. */
export interface StreamsTable {
  id: string;
  user_id: string;
  user_login: string;
  user_name: string;
  game_id: string;
  game_name: string;
  type: string;
  title: string;
  viewer_count: number;
  started_at: string;
  language: string;
  thumbnail_url: string;
  /** JSON array of tag strings */
  tags: string;
  is_mature: number;
  first_seen_at: number;
  last_seen_at: number;
  generation: number;
  /** the Helix object as last seen, JSON */
  raw: string;
  /** lower-cased, accent-free title, game, tags, login and name, indexed for substring search */
  search_text: string;
}

export interface SweepsTable {
  generation: number;
  started_at: number;
  finished_at: number | null;
  status: 'running' | 'completed' | 'abandoned';
  pages: number;
  streams: number;
  zero_viewer: number;
  one_viewer: number;
  removed: number;
  budget_points: number;
  rate_limited: number;
  errors: number;
  duration_ms: number | null;
}

/** what every watch-time rollup row measures */
export interface WatchMeasures {
  /** viewer-hours: Σ viewer_count × Δt */
  hours_watched: number;
  /** channel-hours live */
  hours_streamed: number;
  peak_viewers: number;
  /** distinct streams that contributed */
  streams: number;
}

export interface WatchDayChannelGameTable extends WatchMeasures {
  day: string;
  user_id: string;
  game_id: string;
}
export interface WatchDayChannelTable extends WatchMeasures {
  day: string;
  user_id: string;
}
export interface WatchDayGameTable extends WatchMeasures {
  day: string;
  game_id: string;
  /** most channels live with the game in one sweep */
  peak_channels: number;
}
export interface WatchDayTotalTable extends WatchMeasures {
  day: string;
  peak_channels: number;
  /** hours of the day Lurk was sampling */
  hours_covered: number;
}
export interface WatchHourGameTable extends WatchMeasures {
  /** UTC hour start, epoch ms */
  hour: number;
  game_id: string;
  peak_channels: number;
}
export interface WatchHourTotalTable extends WatchMeasures {
  hour: number;
  peak_channels: number;
  hours_covered: number;
}
export interface WatchSamplesTable {
  seen_at: number;
  stream_id: string;
  user_id: string;
  game_id: string;
  viewers: number;
}
export interface WatchStateTable {
  id: number;
  flushed_at: number;
  /** the integrator's per-stream state, JSON, written in the same transaction as the rollups */
  state: string;
}
export interface WatchGamesTable {
  game_id: string;
  name: string;
  search_key: string;
  updated_at: number;
}
export interface WatchChannelsTable {
  user_id: string;
  login: string;
  display_name: string;
  search_key: string;
  updated_at: number;
}
export interface DigestsTable {
  day: string;
  composed_at: number;
  /** JSON: the posts' text and chart specs, so every publisher posts the same digest */
  posts: string;
}
export interface AnswerCursorsTable {
  source: string;
  cursor: string | null;
  updated_at: number;
}
/**
 * Deliveries that must happen once per (kind, key, target): a digest post to one publisher, an
 * answer to one mention. See store/outbox.ts for the states and who writes them.
 */
export interface OutboxTable {
  /** what is delivered, e.g. 'digest' or 'answer' */
  kind: string;
  /** which one within the kind, e.g. `2026-11-20:games` or a mention id */
  key: string;
  /** where it goes: a publisher's name */
  target: string;
  status: OutboxStatus;
  /** JSON the sender needs to try again, if the key alone does not say it */
  payload: string | null;
  /** attempts begun so far (counted before sending, so a crash mid-send counts) */
  attempts: number;
  remote_id: string | null;
  url: string | null;
  /** what was delivered, when the sender says (an answer's text) */
  result: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** pending: recorded or being sent; failed: will be tried again; gave-up: never again (too many attempts, or a refusal that will not change) */
export type OutboxStatus = 'pending' | 'posted' | 'failed' | 'gave-up';

/** One EventSub message as delivered (webhook or WebSocket): the dedup record and the intake's queue. */
export interface EventSubMessagesTable {
  /** Twitch-Eventsub-Message-Id (metadata.message_id over WebSocket); a redelivery keeps it */
  message_id: string;
  kind: 'notification' | 'revocation';
  transport: 'webhook' | 'websocket';
  subscription_id: string;
  subscription_type: string;
  subscription_version: string;
  /** the message's own timestamp, epoch ms */
  sent_at: number;
  received_at: number;
  /** the raw JSON body ({subscription, event} or {subscription}) */
  body: string;
  state: 'queued' | 'done' | 'failed';
  attempts: number;
}

/** a channel Mood tracks, and why (JSON array of 'config' | 'api' | 'top') */
export interface MoodChannelsTable {
  login: string;
  user_id: string;
  display_name: string;
  sources: string;
  added_at: number;
}

/** one channel's closed minute, kept for good; a second write of the same minute adds to it */
export interface MoodMinutesTable {
  channel_id: string;
  /** the minute's start, epoch ms */
  minute: number;
  messages: number;
  /** distinct chatters in the minute (two writes of one minute add theirs) */
  chatters: number;
  positive: number;
  neutral: number;
  negative: number;
  score_sum: number;
  bits: number;
  subs: number;
  /** JSON [{name, count}] */
  top_emotes: string;
}

export interface MoodMomentsTable {
  id: string;
  channel_id: string;
  kind: 'spike' | 'swing';
  started_at: number;
  peak_at: number;
  ended_at: number | null;
  peak_rate: number;
  baseline_rate: number;
  mean_score: number | null;
  baseline_score: number | null;
  mood: 'positive' | 'neutral' | 'negative' | null;
  /** JSON [{name, count}] */
  top_emotes: string;
  /** JSON [{at, user, text, label}] */
  examples: string;
}

/** raw messages, only with LURK_MOOD_RAW_RETENTION_HOURS > 0, pruned hourly */
export interface MoodMessagesTable {
  channel_id: string;
  at: number;
  user: string;
  text: string;
  label: 'positive' | 'neutral' | 'negative';
  score: number;
}

/** a channel Audience watches, and why (JSON array of 'config' | 'api' | 'top' | 'raid') */
export interface AudienceChannelsTable {
  login: string;
  user_id: string;
  sources: string;
  added_at: number;
  /** a raid target is watched until then, epoch ms; null without the 'raid' source */
  raid_until: number | null;
}

/** one user's move, kept LURK_AUDIENCE_PER_USER_DAYS */
export interface AudienceMovesTable {
  viewer: string;
  from_channel: string;
  to_channel: string;
  left_at: number;
  joined_at: number;
  cause: 'raid' | 'organic';
  raid_id: string | null;
  /** JSON [{channel, kind, at}] */
  evidence: string;
}

/** moves between two channels arriving in one hour, kept for good */
export interface AudienceMoveCountsTable {
  from_channel: string;
  to_channel: string;
  hour: number;
  moves: number;
  organic: number;
  raid: number;
  /** JSON {gap seconds: moves} */
  gaps: string;
}

export interface AudienceRaidsTable {
  id: string;
  from_channel: string;
  to_channel: string;
  at: number;
  viewers: number;
  /** JSON ['eventsub' | 'chat'] */
  sources: string;
  raiders_seen: number;
  retained_10m: number | null;
  retained_30m: number | null;
}

export interface AudienceEndedTable {
  channel: string;
  ended_at: number;
  audience: number;
  followed: number;
  moves: number;
  raid_moves: number;
  /** JSON [{channel, count, raid}] */
  destinations: string;
  /** 1 once the follow-up time has passed */
  final: number;
}

/** a user's first and last signal in a channel on a UTC day, kept LURK_AUDIENCE_PER_USER_DAYS */
export interface AudienceActivityTable {
  day: string;
  channel: string;
  viewer: string;
  first_at: number;
  last_at: number;
}

/** a channel's most similar channels on a UTC day (rank 1 most similar), kept for good */
export interface AudienceSimilarTable {
  day: string;
  channel: string;
  other: string;
  rank: number;
  shared: number;
  probability: number;
}

/** a UTC day's community map, its MapResponse minus `days` as JSON */
export interface AudienceMapsTable {
  day: string;
  json: string;
  computed_at: number;
}

/** an account logged in with Twitch; its tokens sealed (src/core/sealed.ts) */
export interface LiveAccountsTable {
  user_id: string;
  login: string;
  display_name: string;
  scopes: string;
  access_token: string;
  refresh_token: string;
  expires_at: number;
  validated_at: number;
  moderates: string | null;
  moderates_at: number | null;
  created_at: number;
  updated_at: number;
}

/** a browser session: id is the SHA-256 of the cookie's secret */
export interface LiveSessionsTable {
  id: string;
  user_id: string;
  csrf: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** a login in flight: the OAuth state, bound to the browser that started it */
export interface LiveLoginStatesTable {
  state: string;
  browser: string;
  scopes: string;
  return_to: string;
  expires_at: number;
}

export interface LiveFavouritesTable {
  user_id: string;
  channel_id: string;
  login: string;
  display_name: string;
  position: number;
  added_at: number;
  cleared_before: Generated<number>;
  overlay_generation: Generated<number>;
  overlay_salt: string;
}

export interface LiveEventsTable {
  id: Generated<number>;
  channel_id: string;
  channel_login: string;
  type: string;
  at: number;
  user_id: string | null;
  user_login: string | null;
  user_name: string | null;
  details: string;
  sources: string;
  dedup_key: string;
  read_at: number | null;
  read_by: string | null;
}

export interface Database {
  lurk_meta: LurkMetaTable;
  job_runs: JobRunsTable;
  streams: StreamsTable;
  sweeps: SweepsTable;
  watch_day_channel_game: WatchDayChannelGameTable;
  watch_day_channel: WatchDayChannelTable;
  watch_day_game: WatchDayGameTable;
  watch_day_total: WatchDayTotalTable;
  watch_hour_game: WatchHourGameTable;
  watch_hour_total: WatchHourTotalTable;
  watch_samples: WatchSamplesTable;
  watch_state: WatchStateTable;
  watch_games: WatchGamesTable;
  watch_channels: WatchChannelsTable;
  digests: DigestsTable;
  answer_cursors: AnswerCursorsTable;
  outbox: OutboxTable;
  eventsub_messages: EventSubMessagesTable;
  mood_channels: MoodChannelsTable;
  mood_minutes: MoodMinutesTable;
  mood_moments: MoodMomentsTable;
  mood_messages: MoodMessagesTable;
  audience_channels: AudienceChannelsTable;
  audience_moves: AudienceMovesTable;
  audience_move_counts: AudienceMoveCountsTable;
  audience_raids: AudienceRaidsTable;
  audience_ended: AudienceEndedTable;
  audience_activity: AudienceActivityTable;
  audience_similar: AudienceSimilarTable;
  audience_maps: AudienceMapsTable;
  live_accounts: LiveAccountsTable;
  live_sessions: LiveSessionsTable;
  live_login_states: LiveLoginStatesTable;
  live_favourites: LiveFavouritesTable;
  live_events: LiveEventsTable;
}
