import type { FastifyInstance } from 'fastify';
import { HttpError, notFound } from '../core/errors.js';
import { rateLimiter } from '../web/rate-limit.js';
import { wireSchema } from '../web/schema-type.js';
import type { DiscoverService } from './service.js';
import type { StreamRow } from './store.js';
import type { DiscoverStats, HelixStream, StreamDetail } from './types.js';

const MAX_TERMS = 16;
const MAX_TERM_LENGTH = 80;

// response schemas are checked against their wire types (./types.ts) at compile time
const helixStreamSchema = wireSchema<HelixStream>()({
  $id: 'HelixStream',
  type: 'object',
  description: 'A stream exactly as Helix /streams describes it',
  properties: {
    id: { type: 'string' },
    user_id: { type: 'string' },
    user_login: { type: 'string' },
    user_name: { type: 'string' },
    game_id: { type: 'string' },
    game_name: { type: 'string' },
    type: { type: 'string', enum: ['live', ''] },
    title: { type: 'string' },
    viewer_count: { type: 'integer' },
    started_at: { type: 'string' },
    language: { type: 'string' },
    thumbnail_url: { type: 'string' },
    tag_ids: { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    is_mature: { type: 'boolean' },
  },
});

const sweepCounts = { pages: { type: 'integer' }, streams: { type: 'integer' } } as const;
const statsSchema = wireSchema<DiscoverStats>()({
  type: 'object',
  properties: {
    live: { type: 'integer' },
    zero_viewer: { type: 'integer' },
    one_viewer: { type: 'integer' },
    games: { type: 'integer' },
    pool: { type: 'integer' },
    last_sweep: {
      type: ['object', 'null'],
      description: 'the last completed sweep',
      properties: {
        generation: { type: 'integer' },
        status: { type: 'string', enum: ['running', 'completed', 'abandoned'] },
        started_at: { type: 'string' },
        finished_at: { type: ['string', 'null'] },
        ...sweepCounts,
        zero_viewer: { type: 'integer' },
        one_viewer: { type: 'integer' },
        removed: { type: 'integer' },
        budget_points: { type: 'number' },
        rate_limited: { type: 'integer' },
        errors: { type: 'integer' },
        duration_ms: { type: ['number', 'null'] },
      },
    },
    current_sweep: { type: ['object', 'null'], description: 'the sweep under way, if any', properties: { generation: { type: 'integer' }, started_at: { type: 'string' }, ...sweepCounts } },
    per_game: { type: 'array', items: { type: 'object', properties: { game_id: { type: 'string' }, game_name: { type: 'string' }, zero: { type: 'integer' }, one: { type: 'integer' } } } },
    per_tag: { type: 'array', items: { type: 'object', properties: { tag: { type: 'string' }, zero: { type: 'integer' }, one: { type: 'integer' } } } },
  },
});

interface RandomQuerystring {
  count: number;
  max_viewers: number;
  min_age: number;
  include?: string;
  exclude?: string;
  match: 'all' | 'any';
  language?: string;
  game?: string;
  exclude_ids?: string;
  purpose: 'watch' | 'browse';
}

/** "a, b c" and repeated parameters alike become ["a", "b c"]; quotes are not needed */
function terms(raw: string | string[] | undefined, name: string): string[] {
  if (raw === undefined) return [];
  const list = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  if (list.length > MAX_TERMS) throw new HttpError(413, 'payload_too_large', `${name} has ${list.length} terms; at most ${MAX_TERMS} are allowed`);
  const long = list.find((t) => t.length > MAX_TERM_LENGTH);
  if (long) throw new HttpError(413, 'payload_too_large', `${name} term "${long.slice(0, 20)}…" is longer than ${MAX_TERM_LENGTH} characters`);
  return list;
}

function streamDetail(row: StreamRow): StreamDetail {
  return {
    stream: JSON.parse(row.raw) as HelixStream,
    first_seen_at: new Date(Number(row.first_seen_at)).toISOString(),
    last_seen_at: new Date(Number(row.last_seen_at)).toISOString(),
    live_for_seconds: Math.max(0, Math.floor((Number(row.last_seen_at) - Date.parse(row.started_at)) / 1000)),
    generation: Number(row.generation),
  };
}

export async function discoverRoutes(app: FastifyInstance, deps: { service: DiscoverService; rateLimitPerMinute: number; maxViewers: number }) {
  const { service } = deps;
  app.addSchema(helixStreamSchema);
  // the stream itself is checked above (a $ref reads as unknown here)
  app.addSchema(
    wireSchema<Omit<StreamDetail, 'stream'> & { stream: unknown }>()({
      $id: 'StreamDetail',
      type: 'object',
      properties: {
        stream: { $ref: 'HelixStream#' },
        first_seen_at: { type: 'string' },
        last_seen_at: { type: 'string' },
        live_for_seconds: { type: 'integer' },
        generation: { type: 'integer' },
      },
    }),
  );
  const limit = rateLimiter(deps.rateLimitPerMinute);
  const errors = { 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 413: { $ref: 'Error#' }, 429: { $ref: 'Error#' } };

  app.get<{ Querystring: RandomQuerystring }>(
    '/api/streams/random',
    {
      onRequest: limit,
      schema: {
        tags: ['discover'],
        summary: 'Random live streams nobody (or almost nobody) is watching',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            count: { type: 'integer', minimum: 1, maximum: 64, default: 1, description: 'how many distinct streams' },
            max_viewers: { type: 'integer', minimum: 0, maximum: deps.maxViewers, default: 0 },
            min_age: { type: 'integer', minimum: 0, maximum: 10_080, default: 0, description: 'minimum minutes live' },
            include: { type: 'string', maxLength: 2000, description: 'comma-separated terms matched against title, game, tags, login and name' },
            exclude: { type: 'string', maxLength: 2000, description: 'comma-separated terms; a stream matching any is left out' },
            match: { type: 'string', enum: ['all', 'any'], default: 'all', description: 'whether every include term or any must match' },
            language: { type: 'string', pattern: '^([a-z]{2}|other)$' },
            game: { type: 'string', minLength: 1, maxLength: 200, description: 'a game id or exact name' },
            exclude_ids: { type: 'string', pattern: '^[0-9]{1,20}(,[0-9]{1,20}){0,63}$', description: 'stream ids to leave out, e.g. the one on screen (up to 64)' },
            purpose: { type: 'string', enum: ['watch', 'browse'], default: 'watch', description: 'browse picks (thumbnails) do not count towards spreading visitors' },
          },
        },
        response: { 200: { type: 'array', items: { $ref: 'HelixStream#' } }, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return service.random({
        count: q.count,
        maxViewers: q.max_viewers,
        minAgeMinutes: q.min_age,
        include: terms(q.include, 'include'),
        exclude: terms(q.exclude, 'exclude'),
        match: q.match,
        ...(q.language ? { language: q.language } : {}),
        ...(q.game ? { game: q.game } : {}),
        ...(q.exclude_ids ? { excludeIds: q.exclude_ids.split(',') } : {}),
        purpose: q.purpose,
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/streams/:id',
    {
      onRequest: limit,
      schema: {
        tags: ['discover'],
        summary: 'A stored stream, when Lurk last saw it, and how long it has been live',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,20}$' } } },
        response: { 200: { $ref: 'StreamDetail#' }, ...errors },
      },
    },
    async (request) => {
      const row = await service.stream(request.params.id);
      if (!row) throw notFound(`No live stream ${request.params.id} is known`);
      return streamDetail(row);
    },
  );

  app.get<{ Params: { login: string } }>(
    '/api/streams/by-login/:login',
    {
      onRequest: limit,
      schema: {
        tags: ['discover'],
        summary: 'The live stream of a channel, by login, whatever its audience',
        params: { type: 'object', required: ['login'], properties: { login: { type: 'string', pattern: '^[A-Za-z0-9_]{1,25}$' } } },
        response: { 200: { $ref: 'StreamDetail#' }, ...errors },
      },
    },
    async (request) => {
      const row = await service.streamByLogin(request.params.login);
      if (!row) throw notFound(`${request.params.login} is not live, or Lurk has not seen it yet`);
      return streamDetail(row);
    },
  );

  app.get(
    '/api/discover/stats',
    {
      schema: {
        tags: ['discover'],
        summary: 'Live, zero- and one-viewer totals, the last sweep, and counts per game and tag',
        response: { 200: statsSchema },
      },
    },
    async (): Promise<DiscoverStats> => service.stats(),
  );
}
