// Wire shapes of the Watch time API, shared by its routes, its queries and the UI (no runtime imports here).

/** what every watch-time answer carries: how its days are cut */
export interface DayFrame {
  /** IANA name, e.g. "UTC" */
  time_zone: string;
  /** "HH:MM": a Lurk day runs from this wall time on its date to the same time the next date */
  day_start: string;
}

/** GET /api/watchtime/overview */
export interface Overview extends DayFrame {
  today: string;
  yesterday: string;
  /** the first Lurk day with watch time, null before the first write */
  first_day: string | null;
  /** the most recent Lurk day with watch time (today, or the last day Lurk ran), null before the first write */
  last_day: string | null;
  /** ISO start of the first UTC hour Lurk sampled: earlier hours are no data, not zero; null before the first write */
  first_hour: string | null;
  /** epoch ms of the last write, null before the first */
  updated_at: number | null;
}

export type Kind = 'games' | 'streamers';

export interface Totals {
  hours_watched: number;
  hours_streamed: number;
  average_viewers: number;
  peak_viewers: number;
  streams: number;
}

/** a row of a leaderboard */
export interface TopItem extends Totals {
  rank: number;
  id: string;
  name: string;
  /** streamers only */
  login?: string;
}

/** GET /api/watchtime/top */
export interface TopList extends DayFrame {
  kind: Kind;
  from: string;
  to: string;
  items: TopItem[];
}

export type Granularity = 'day' | 'hour';

export interface SeriesPoint extends Totals {
  /** "YYYY-MM-DD" per day, ISO-8601 hour start per hour */
  t: string;
  /** a game's daily series only: how many channels played it that day */
  streamers?: number;
}

/** GET /api/watchtime/series */
export interface Series extends DayFrame {
  kind: 'total' | 'game' | 'streamer';
  from: string;
  to: string;
  granularity: Granularity;
  points: SeriesPoint[];
}

export interface GameTotals extends Totals {
  /** how many channels played it */
  streamers: number;
}

/** GET /api/watchtime/games/:id */
export interface GameDetail extends DayFrame {
  from: string;
  to: string;
  game: { id: string; name: string };
  totals: GameTotals;
  top_streamers: TopItem[];
  series: SeriesPoint[];
}

/** GET /api/watchtime/streamers/:login */
export interface StreamerDetail extends DayFrame {
  from: string;
  to: string;
  streamer: { id: string; login: string; name: string };
  totals: Totals;
  top_games: TopItem[];
  series: SeriesPoint[];
}

export type MatchKind = 'id' | 'exact' | 'prefix' | 'contains' | 'fuzzy';

export interface SearchResult {
  kind: 'game' | 'streamer';
  id: string;
  name: string;
  login?: string;
  match: MatchKind;
  /** over the last 30 days */
  hours_watched: number;
}

/** GET /api/watchtime/search */
export interface SearchAnswer extends DayFrame {
  q: string;
  results: SearchResult[];
}

/** the day's game picked with weight by hours watched */
export interface RandomGamePick {
  game: { id: string; name: string } | null;
  hours_watched: number;
  share: number;
  top_streamers: TopItem[];
}

/** GET /api/watchtime/random-game */
export interface RandomGame extends DayFrame, RandomGamePick {
  day: string;
  seed: number;
}
