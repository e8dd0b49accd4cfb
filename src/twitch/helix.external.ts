// Twitch's JSON shapes, exactly as they cross the wire (see ../shared/twitch-helix-openapi.json).
// The simulator renders these and Lurk's clients parse them; domain types live elsewhere.

/** One entry of `GET /helix/streams` `data`. */
export interface HelixStream {
  id: string;
  user_id: string;
  user_login: string;
  user_name: string;
  game_id: string;
  game_name: string;
  type: 'live' | '';
  title: string;
  viewer_count: number;
  /** RFC 3339 UTC, e.g. 2021-03-10T15:04:21Z */
  started_at: string;
  language: string;
  /** contains the `{width}x{height}` placeholder */
  thumbnail_url: string;
  /** deprecated by Twitch, always an empty array */
  tag_ids: string[];
  tags: string[];
  is_mature: boolean;
}

export interface HelixPagination {
  cursor?: string;
}

export interface HelixPage<T> {
  data: T[];
  pagination: HelixPagination;
}

/** Twitch's error body, e.g. `{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}`. */
export interface HelixError {
  error: string;
  status: number;
  message: string;
}
