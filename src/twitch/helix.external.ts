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

/** Thrown when a Helix body does not have the shape Twitch documents. */
export class WireShapeError extends Error {
  constructor(
    readonly path: string,
    expected: string,
  ) {
    super(`Helix body: ${path} should be ${expected}`);
    this.name = 'WireShapeError';
  }
}

type Check = (value: unknown, path: string) => void;
const isString: Check = (v, p) => {
  if (typeof v !== 'string') throw new WireShapeError(p, 'a string');
};
const isNumber: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireShapeError(p, 'a number');
};
const isBoolean: Check = (v, p) => {
  if (typeof v !== 'boolean') throw new WireShapeError(p, 'a boolean');
};
const stringArray: Check = (v, p) => {
  if (!Array.isArray(v)) throw new WireShapeError(p, 'an array of strings');
  for (const [i, item] of v.entries()) isString(item, `${p}[${i}]`);
};

const STREAM_FIELDS: Record<keyof HelixStream, Check> = {
  id: isString,
  user_id: isString,
  user_login: isString,
  user_name: isString,
  game_id: isString,
  game_name: isString,
  type: isString,
  title: isString,
  viewer_count: isNumber,
  started_at: isString,
  language: isString,
  thumbnail_url: isString,
  // null in some of Twitch's own examples of this deprecated field
  tag_ids: (v, p) => v === null || stringArray(v, p),
  tags: (v, p) => v === null || stringArray(v, p),
  is_mature: isBoolean,
};

function object(value: unknown, path: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new WireShapeError(path, 'an object');
  return value as Record<string, unknown>;
}

/** Checks and returns a `GET /helix/streams` body; `tags`/`tag_ids` of null become []. */
export function parseStreamsPage(body: unknown): HelixPage<HelixStream> {
  const page = object(body, 'body');
  if (!Array.isArray(page.data)) throw new WireShapeError('data', 'an array');
  const data = page.data.map((item, i) => {
    const s = object(item, `data[${i}]`);
    for (const [key, check] of Object.entries(STREAM_FIELDS)) check(s[key], `data[${i}].${key}`);
    return { ...(s as unknown as HelixStream), tags: (s.tags as string[] | null) ?? [], tag_ids: (s.tag_ids as string[] | null) ?? [] };
  });
  const pagination = page.pagination === undefined ? {} : object(page.pagination, 'pagination');
  if (pagination.cursor !== undefined) isString(pagination.cursor, 'pagination.cursor');
  return { data, pagination: pagination.cursor ? { cursor: pagination.cursor as string } : {} };
}
