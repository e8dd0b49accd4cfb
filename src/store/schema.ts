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

export interface Database {
  lurk_meta: LurkMetaTable;
  job_runs: JobRunsTable;
  streams: StreamsTable;
  sweeps: SweepsTable;
}
