// Mood's wire types: what its routes answer and its WebSocket pushes (the UI imports these).
// Types only. Times are ISO 8601 strings, shares are 0..1, rates are messages per minute.

export type MoodLabel = 'positive' | 'neutral' | 'negative';

/** Strafe's six activity labels, from the 5-minute message rate (messages per minute) */
export type ActivityLabel = 'Zzz' | 'Surviving smoothly' | 'Sounds interesting' | 'Blowing some minds' | 'Collecting spammers' | 'More than meets the eye';

export type WindowName = '1m' | '5m' | '15m';

export interface EmoteCount {
  name: string;
  count: number;
}

/** one rolling window, the trailing `seconds` ending at the snapshot's time */
export interface MoodWindow {
  window: WindowName;
  seconds: number;
  messages: number;
  /** quiet minutes count as zero: messages / (seconds / 60), except while tracking has run for less than the window */
  messages_per_minute: number;
  /** distinct chatters in the window */
  chatters: number;
  positive: number;
  neutral: number;
  negative: number;
  /** mean classifier score of the window's messages; null when there are none */
  mean_score: number | null;
  /** the window's mood from mean_score; null when there are no messages */
  mood: MoodLabel | null;
  top_emotes: EmoteCount[];
  bits: number;
  /** subs, resubs and gifted subs (a gift of 5 counts 5) */
  subs: number;
}

export interface MoodWindows {
  '1m': MoodWindow;
  '5m': MoodWindow;
  '15m': MoodWindow;
}

/** why a channel is tracked: the configuration, the API / page, or the top-N live ranking */
export type TrackSource = 'config' | 'api' | 'top';

/** a tracked channel with its mood now (the 5-minute window) */
export interface MoodChannelSummary {
  login: string;
  user_id: string;
  display_name: string;
  sources: TrackSource[];
  added_at: string;
  /** the chat pool's view: joining, joined, failed (with reason) */
  chat: { state: 'joining' | 'joined' | 'failed' | 'parted'; reason: string | null };
  /** the 5-minute window's mood, null when it had no messages */
  mood: MoodLabel | null;
  mean_score: number | null;
  activity: ActivityLabel;
  /** the 5-minute window's rate */
  messages_per_minute: number;
  /** messages per minute, one per minute, the last 15 minutes oldest first (the grid's sparkline) */
  sparkline: number[];
}

export interface MoodChannelList {
  at: string;
  channels: MoodChannelSummary[];
}

/** GET /api/mood/channels/:login: every window now */
export interface MoodChannelDetail extends MoodChannelSummary {
  at: string;
  windows: MoodWindows;
}

export type SeriesStep = '1m' | '5m' | '1h';

/** one step of the stored per-minute aggregates (counts, not shares) */
export interface MoodSeriesPoint {
  t: string;
  messages: number;
  chatters: number;
  positive: number;
  neutral: number;
  negative: number;
  mean_score: number | null;
  bits: number;
  subs: number;
}

export interface MoodSeries {
  login: string;
  from: string;
  to: string;
  step: SeriesStep;
  points: MoodSeriesPoint[];
}

export interface MomentExample {
  at: string;
  user: string;
  text: string;
  label: MoodLabel;
}

/** a spike of the message rate, or a sharp mood swing, against the channel's own recent baseline */
export interface MoodMoment {
  id: string;
  login: string;
  kind: 'spike' | 'swing';
  started_at: string;
  peak_at: string;
  /** null while it lasts */
  ended_at: string | null;
  /** messages per minute at the peak, and the baseline it rose from */
  peak_rate: number;
  baseline_rate: number;
  /** mean score during the moment, and before it (a swing is the difference) */
  mean_score: number | null;
  baseline_score: number | null;
  mood: MoodLabel | null;
  top_emotes: EmoteCount[];
  examples: MomentExample[];
}

export interface MoodMomentList {
  login: string;
  moments: MoodMoment[];
}

/** what the WebSocket /api/mood/live pushes */
export type MoodPush =
  /** once a second to a `?channel=` socket: that channel's every window (empty while it is not tracked) */
  | { type: 'windows'; at: string; channels: MoodChannelDetail[] }
  /** once a second to a socket without `?channel=`: every tracked channel's summary (the grid's cards) */
  | { type: 'summaries'; at: string; channels: MoodChannelSummary[] }
  /** a moment started, or changed (its peak, its end) */
  | { type: 'moment'; moment: MoodMoment }
  /** the tracked set changed */
  | { type: 'channels'; at: string; channels: MoodChannelSummary[] };
