// Wire shapes of the Discover API, shared by its routes and the UI (no runtime imports here).
import type { HelixStream } from '../twitch/helix.external.js';

/** what /api/streams/random hands out: a stream exactly as Helix /streams describes it */
export type { HelixStream };

/** GET /api/streams/:id and /api/streams/by-login/:login */
export interface StreamDetail {
  stream: HelixStream;
  first_seen_at: string;
  last_seen_at: string;
  live_for_seconds: number;
  generation: number;
}

/** the last completed sweep of Helix /streams */
export interface LastSweep {
  generation: number;
  status: 'running' | 'completed' | 'abandoned';
  started_at: string;
  finished_at: string | null;
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

/** the sweep under way */
export interface CurrentSweep {
  generation: number;
  started_at: string;
  pages: number;
  streams: number;
}

/** GET /api/discover/stats */
export interface DiscoverStats {
  live: number;
  zero_viewer: number;
  one_viewer: number;
  games: number;
  pool: number;
  last_sweep: LastSweep | null;
  current_sweep: CurrentSweep | null;
  per_game: { game_id: string; game_name: string; zero: number; one: number }[];
  per_tag: { tag: string; zero: number; one: number }[];
}
