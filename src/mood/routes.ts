import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../core/errors.js';
// logins one POST may add: one Helix users call
import { MAX_LOGINS_PER_CALL } from '../twitch/users.js';
import { sendCsv } from '../web/csv.js';
import { rateLimiter } from '../web/rate-limit.js';
import { wireSchema } from '../web/schema-type.js';
import { LiveHub } from './live.js';
import type { MoodService } from './service.js';
import type { MoodChannelDetail, MoodChannelList, MoodMomentList, MoodSeries, SeriesStep } from './types.js';

const LOGIN_PARAM = { type: 'string', pattern: '^[A-Za-z0-9_]{1,25}$', description: 'a Twitch login' } as const;
const TIME = { type: 'string', maxLength: 40, description: 'an ISO 8601 time, e.g. 2026-12-01T18:00:00Z' } as const;
const LABEL = { type: 'string', enum: ['positive', 'neutral', 'negative'] } as const;
const NULLABLE_LABEL = { type: ['string', 'null'], enum: ['positive', 'neutral', 'negative', null] } as const;
const emotesSchema = { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } } } } as const;

const windowSchema = {
  type: 'object',
  properties: {
    window: { type: 'string', enum: ['1m', '5m', '15m'] },
    seconds: { type: 'integer' },
    messages: { type: 'integer' },
    messages_per_minute: { type: 'number' },
    chatters: { type: 'integer' },
    positive: { type: 'number', description: "share of the window's messages, 0..1" },
    neutral: { type: 'number', description: "share of the window's messages, 0..1" },
    negative: { type: 'number', description: "share of the window's messages, 0..1" },
    mean_score: { type: ['number', 'null'] },
    mood: NULLABLE_LABEL,
    top_emotes: emotesSchema,
    bits: { type: 'integer' },
    subs: { type: 'integer' },
  },
} as const;

const summaryProps = {
  login: { type: 'string' },
  user_id: { type: 'string' },
  display_name: { type: 'string' },
  sources: { type: 'array', items: { type: 'string', enum: ['config', 'api', 'top'] }, description: 'why it is tracked: LURK_MOOD_CHANNELS, the API, the top N live channels' },
  added_at: { type: 'string' },
  chat: {
    type: 'object',
    description: "the chat pool's view of the channel",
    properties: { state: { type: 'string', enum: ['joining', 'joined', 'failed', 'parted'] }, reason: { type: ['string', 'null'] } },
  },
  mood: NULLABLE_LABEL,
  mean_score: { type: ['number', 'null'] },
  activity: { type: 'string', enum: ['Zzz', 'Surviving smoothly', 'Sounds interesting', 'Blowing some minds', 'Collecting spammers', 'More than meets the eye'] },
  messages_per_minute: { type: 'number', description: "the 5-minute window's rate" },
  sparkline: { type: 'array', items: { type: 'number' }, description: 'messages per minute, the last 15 minutes, oldest first' },
} as const;

const detailProps = {
  ...summaryProps,
  at: { type: 'string' },
  windows: { type: 'object', properties: { '1m': windowSchema, '5m': windowSchema, '15m': windowSchema } },
} as const;

const listSchema = wireSchema<MoodChannelList>()({ type: 'object', properties: { at: { type: 'string' }, channels: { type: 'array', items: { type: 'object', properties: summaryProps } } } });
const detailSchema = wireSchema<MoodChannelDetail>()({ type: 'object', properties: detailProps });
const seriesSchema = wireSchema<MoodSeries>()({
  type: 'object',
  properties: {
    login: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    step: { type: 'string', enum: ['1m', '5m', '1h'] },
    points: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          t: { type: 'string' },
          messages: { type: 'integer' },
          chatters: { type: 'integer', description: "distinct chatters of the minute; for 5m and 1h, the busiest minute's" },
          positive: { type: 'integer' },
          neutral: { type: 'integer' },
          negative: { type: 'integer' },
          mean_score: { type: ['number', 'null'] },
          bits: { type: 'integer' },
          subs: { type: 'integer' },
        },
      },
    },
  },
});
const momentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    login: { type: 'string' },
    kind: { type: 'string', enum: ['spike', 'swing'] },
    started_at: { type: 'string' },
    peak_at: { type: 'string' },
    ended_at: { type: ['string', 'null'] },
    peak_rate: { type: 'number' },
    baseline_rate: { type: 'number' },
    mean_score: { type: ['number', 'null'] },
    baseline_score: { type: ['number', 'null'] },
    mood: NULLABLE_LABEL,
    top_emotes: emotesSchema,
    examples: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, user: { type: 'string' }, text: { type: 'string' }, label: LABEL } } },
  },
} as const;
const momentsSchema = wireSchema<MoodMomentList>()({ type: 'object', properties: { login: { type: 'string' }, moments: { type: 'array', items: momentSchema } } });

const SERIES_COLUMNS = ['t', 'messages', 'chatters', 'positive', 'neutral', 'negative', 'mean_score', 'bits', 'subs'];

/** an ISO 8601 time parameter, or undefined when absent */
function timeParam(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}(T|$)/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(t)) throw badRequest(`${name}: ${JSON.stringify(text)} is not an ISO 8601 time`);
  return t;
}

export async function moodRoutes(app: FastifyInstance, deps: { service: MoodService; rateLimitPerMinute: number }) {
  const { service } = deps;
  const limit = rateLimiter(deps.rateLimitPerMinute);
  const errors = { 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 429: { $ref: 'Error#' } };
  const params = { type: 'object', required: ['login'], properties: { login: LOGIN_PARAM } } as const;
  const list = (): MoodChannelList => {
    const now = service.now();
    return { at: new Date(now).toISOString(), channels: service.summaries(now) };
  };

  app.get(
    '/api/mood/channels',
    {
      onRequest: limit,
      schema: { tags: ['mood'], summary: 'Tracked channels with their mood now (the 5-minute window), activity and sparkline', response: { 200: listSchema, 429: { $ref: 'Error#' } } },
    },
    async () => list(),
  );

  app.post<{ Body: { logins: string[] } }>(
    '/api/mood/channels',
    {
      onRequest: limit,
      schema: {
        tags: ['mood'],
        summary: `Track channels (1 to ${MAX_LOGINS_PER_CALL} logins); each must exist on Twitch. Answers every tracked channel`,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['logins'],
          properties: { logins: { type: 'array', minItems: 1, maxItems: MAX_LOGINS_PER_CALL, items: { type: 'string', maxLength: 64 } } },
        },
        response: { 200: listSchema, ...errors },
      },
    },
    async (request) => {
      await service.add(request.body.logins);
      return list();
    },
  );

  app.delete<{ Params: { login: string } }>(
    '/api/mood/channels/:login',
    {
      onRequest: limit,
      schema: {
        tags: ['mood'],
        summary: 'Stop tracking a channel added by the API (its stored minutes and moments stay). Answers every tracked channel',
        params,
        response: { 200: listSchema, ...errors, 409: { $ref: 'Error#' } },
      },
    },
    async (request) => {
      await service.remove(request.params.login.toLowerCase());
      return list();
    },
  );

  app.get<{ Params: { login: string } }>(
    '/api/mood/channels/:login',
    { onRequest: limit, schema: { tags: ['mood'], summary: 'One tracked channel with its 1-, 5- and 15-minute windows', params, response: { 200: detailSchema, ...errors } } },
    async (request) => {
      const login = request.params.login.toLowerCase();
      const detail = service.detail(login, service.now());
      if (!detail) throw notTracked(login);
      return detail;
    },
  );

  app.get<{ Params: { login: string }; Querystring: { from?: string; to?: string; step: SeriesStep; format: 'json' | 'csv' } }>(
    '/api/mood/channels/:login/series',
    {
      onRequest: limit,
      schema: {
        tags: ['mood'],
        summary: 'Stored per-minute aggregates (and the current minute) as 1-minute, 5-minute or hourly points; default the last hour; at most 1440 points',
        params,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { from: TIME, to: TIME, step: { type: 'string', enum: ['1m', '5m', '1h'], default: '1m' }, format: { type: 'string', enum: ['json', 'csv'], default: 'json' } },
        },
        response: { 200: seriesSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const login = request.params.login.toLowerCase();
      const from = timeParam('from', q.from);
      const to = timeParam('to', q.to);
      const series = await service.series(login, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), step: q.step });
      if (q.format === 'csv') return sendCsv(reply, `lurk-mood-${login}-${series.from.slice(0, 16)}-${q.step}`, series.points, SERIES_COLUMNS);
      return series;
    },
  );

  app.get<{ Params: { login: string }; Querystring: { from?: string; to?: string; limit: number } }>(
    '/api/mood/channels/:login/moments',
    {
      onRequest: limit,
      schema: {
        tags: ['mood'],
        summary: 'Rate spikes and mood swings, stored and open, newest first; default the last 24 hours',
        params,
        querystring: { type: 'object', additionalProperties: false, properties: { from: TIME, to: TIME, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
        response: { 200: momentsSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const login = request.params.login.toLowerCase();
      const from = timeParam('from', q.from);
      const to = timeParam('to', q.to);
      const moments = await service.moments(login, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), limit: q.limit });
      return { login, moments } satisfies MoodMomentList;
    },
  );

  const live = new LiveHub(service, app.log);
  app.addHook('onClose', async () => live.close());
  app.get<{ Querystring: { channel?: string } }>(
    '/api/mood/live',
    {
      websocket: true,
      // each socket costs a tick's serialisation and a buffer: opening them counts like any request
      onRequest: limit,
      schema: {
        tags: ['mood'],
        summary:
          "WebSocket: {type:'channels'} at open and when the set changes, once a second {type:'summaries'} (every channel's summary) or, with ?channel=, {type:'windows'} (that channel's every window), {type:'moment'} as moments start, change and end",
        querystring: { type: 'object', additionalProperties: false, properties: { channel: LOGIN_PARAM } },
      },
    },
    (socket, request) => live.add(socket, request.query.channel?.toLowerCase()),
  );
}

function notTracked(login: string) {
  return notFound(`login: ${login} is not tracked`);
}
