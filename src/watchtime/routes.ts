import type { FastifyInstance, FastifyReply } from 'fastify';
import { badRequest, notFound } from '../core/errors.js';
import { sendCsv } from '../web/csv.js';
import { rateLimiter } from '../web/rate-limit.js';
import { dayCount, dayProblem, FIRST_DAY, LAST_DAY } from './calendar.js';
import { wireSchema } from '../web/schema-type.js';
import type { WatchtimeService } from './service.js';
import type { GameDetail, Overview, RandomGame, SearchAnswer, Series, SeriesPoint, StreamerDetail, TopList } from './types.js';

/** a year and a month: the longest preset the page offers is 30 days, custom ranges get a year */
const MAX_RANGE_DAYS = 400;
const DAY = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `a Lurk day, YYYY-MM-DD, from ${FIRST_DAY} to ${LAST_DAY}` } as const;
const FORMAT = { type: 'string', enum: ['json', 'csv'], default: 'json' } as const;

const totalsSchema = {
  hours_watched: { type: 'number' },
  hours_streamed: { type: 'number' },
  average_viewers: { type: 'number' },
  peak_viewers: { type: 'integer' },
  streams: { type: 'integer' },
} as const;
const itemSchema = { type: 'object', properties: { rank: { type: 'integer' }, id: { type: 'string' }, name: { type: 'string' }, login: { type: 'string' }, ...totalsSchema } } as const;
const pointSchema = { type: 'object', properties: { t: { type: 'string' }, streamers: { type: 'integer' }, ...totalsSchema } } as const;
const zoneSchema = { time_zone: { type: 'string' }, day_start: { type: 'string' } } as const;

// Each response schema is checked against its wire type (./types.ts) at compile time: Fastify
// serializes through the schema and would drop a field the schema does not list.
const overviewSchema = wireSchema<Overview>()({
  type: 'object',
  properties: {
    ...zoneSchema,
    today: { type: 'string' },
    yesterday: { type: 'string' },
    first_day: { type: ['string', 'null'] },
    last_day: { type: ['string', 'null'], description: 'the most recent day with watch time' },
    first_hour: { type: ['string', 'null'], description: 'ISO start of the first UTC hour Lurk sampled; earlier hours are no data, not zero' },
    updated_at: { type: ['integer', 'null'] },
  },
});
const topSchema = wireSchema<TopList>()({
  type: 'object',
  properties: { ...zoneSchema, kind: { type: 'string', enum: ['games', 'streamers'] }, from: { type: 'string' }, to: { type: 'string' }, items: { type: 'array', items: itemSchema } },
});
const seriesSchema = wireSchema<Series>()({
  type: 'object',
  properties: {
    ...zoneSchema,
    kind: { type: 'string', enum: ['total', 'game', 'streamer'] },
    from: { type: 'string' },
    to: { type: 'string' },
    granularity: { type: 'string', enum: ['day', 'hour'] },
    points: { type: 'array', items: pointSchema },
  },
});
/** a game's or a streamer's page: who it is, totals, its top partners and a daily series */
const detailProps = { ...zoneSchema, from: { type: 'string' }, to: { type: 'string' }, series: { type: 'array', items: pointSchema } } as const;
const gameSchema = wireSchema<GameDetail>()({
  type: 'object',
  properties: {
    ...detailProps,
    game: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    totals: { type: 'object', properties: { ...totalsSchema, streamers: { type: 'integer' } } },
    top_streamers: { type: 'array', items: itemSchema },
  },
});
const streamerSchema = wireSchema<StreamerDetail>()({
  type: 'object',
  properties: {
    ...detailProps,
    streamer: { type: 'object', properties: { id: { type: 'string' }, login: { type: 'string' }, name: { type: 'string' } } },
    totals: { type: 'object', properties: totalsSchema },
    top_games: { type: 'array', items: itemSchema },
  },
});
const searchSchema = wireSchema<SearchAnswer>()({
  type: 'object',
  properties: {
    ...zoneSchema,
    q: { type: 'string' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: ['game', 'streamer'] },
          id: { type: 'string' },
          name: { type: 'string' },
          login: { type: 'string' },
          match: { type: 'string', enum: ['id', 'exact', 'prefix', 'contains', 'fuzzy'] },
          hours_watched: { type: 'number' },
        },
      },
    },
  },
});
const randomGameSchema = wireSchema<RandomGame>()({
  type: 'object',
  properties: {
    ...zoneSchema,
    day: { type: 'string' },
    seed: { type: 'integer' },
    game: { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    hours_watched: { type: 'number' },
    share: { type: 'number' },
    top_streamers: { type: 'array', items: itemSchema },
  },
});

interface RangeQuery {
  from?: string;
  to?: string;
  limit: number;
  format: 'json' | 'csv';
}

export async function watchtimeRoutes(app: FastifyInstance, deps: { service: WatchtimeService; rateLimitPerMinute: number }) {
  const { service } = deps;
  const limit = rateLimiter(deps.rateLimitPerMinute);
  const errors = { 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 429: { $ref: 'Error#' } };
  const zone = () => ({ time_zone: service.calendar.timeZone, day_start: service.calendar.label });

  /** every day parameter goes through here: a real date within FIRST_DAY..LAST_DAY */
  function dayParam(name: string, text: string): string {
    const problem = dayProblem(text);
    if (problem) throw badRequest(`${name}: ${problem}`);
    return text;
  }

  /** from/to default to yesterday; checked for real dates, order and length (before any list of days is built) */
  function range(q: { from?: string; to?: string }): { from: string; to: string } {
    const from = dayParam(q.from !== undefined ? 'from' : 'to', q.from ?? q.to ?? service.yesterday());
    const to = dayParam(q.to !== undefined ? 'to' : 'from', q.to ?? (q.from ? from : service.yesterday()));
    if (from > to) throw badRequest(`from (${from}) is after to (${to})`);
    if (dayCount(from, to) > MAX_RANGE_DAYS) throw badRequest(`the range ${from}..${to} is longer than ${MAX_RANGE_DAYS} days`);
    return { from, to };
  }

  function csv(reply: FastifyReply, name: string, rows: readonly object[], columns: string[]) {
    return sendCsv(reply, name, rows, columns, { 'x-lurk-time-zone': service.calendar.timeZone, 'x-lurk-day-start': service.calendar.label });
  }
  const itemColumns = ['rank', 'id', 'login', 'name', 'hours_watched', 'hours_streamed', 'average_viewers', 'peak_viewers', 'streams'];
  const pointColumns = ['t', 'hours_watched', 'hours_streamed', 'average_viewers', 'peak_viewers', 'streams', 'streamers'];
  const rangeProps = { from: DAY, to: DAY, limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 }, format: FORMAT };
  const detailQuery = {
    type: 'object',
    additionalProperties: false,
    properties: { ...rangeProps, part: { type: 'string', enum: ['series', 'top'], default: 'series', description: 'what format=csv exports' } },
  };
  /** format=csv on a detail page: its series, or with part=top its partners */
  function detailCsv(reply: FastifyReply, q: { part: 'series' | 'top' }, names: { top: string; series: string }, top: readonly object[], series: readonly object[]) {
    return q.part === 'top' ? csv(reply, names.top, top, itemColumns) : csv(reply, names.series, series, pointColumns);
  }

  app.get(
    '/api/watchtime/overview',
    {
      onRequest: limit,
      schema: {
        tags: ['watchtime'],
        summary: 'Time zone, day boundary, today and yesterday, and when watch time was last written',
        response: { 200: overviewSchema },
      },
    },
    async (): Promise<Overview> => {
      const [firstDay, lastDay, firstHour] = await Promise.all([service.queries.firstDay(), service.queries.lastDay(), service.queries.firstHour()]);
      return {
        ...zone(),
        today: service.today(),
        yesterday: service.yesterday(),
        first_day: firstDay,
        last_day: lastDay,
        first_hour: firstHour === null ? null : new Date(firstHour).toISOString(),
        updated_at: service.updatedAt,
      };
    },
  );

  app.get<{ Querystring: RangeQuery & { kind: 'games' | 'streamers' } }>(
    '/api/watchtime/top',
    {
      onRequest: limit,
      schema: {
        tags: ['watchtime'],
        summary: 'Most watched games or streamers over a range of days (default: yesterday)',
        querystring: { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { type: 'string', enum: ['games', 'streamers'] }, ...rangeProps } },
        response: { 200: topSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = range(q);
      const items = q.kind === 'games' ? await service.queries.topGames(from, to, q.limit) : await service.queries.topStreamers(from, to, q.limit);
      if (q.format === 'csv') return csv(reply, `lurk-top-${q.kind}-${from}-${to}`, items, itemColumns);
      return { ...zone(), kind: q.kind, from, to, items } satisfies TopList;
    },
  );

  app.get<{ Params: { id: string }; Querystring: RangeQuery & { part: 'series' | 'top' } }>(
    '/api/watchtime/games/:id',
    {
      onRequest: limit,
      schema: {
        tags: ['watchtime'],
        summary: "A game's totals, top streamers and daily series",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 40 } } },
        querystring: detailQuery,
        response: { 200: gameSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = range(q);
      const id = request.params.id;
      const name = (await service.queries.gameNames([id])).get(id);
      if (name === undefined) throw notFound(`No watch time is known for game ${id}`);
      const [totals, top, series] = await Promise.all([service.queries.gameTotals(id, from, to), service.queries.topStreamersOfGame(id, from, to, q.limit), service.queries.gameSeries(id, from, to)]);
      if (q.format === 'csv') return detailCsv(reply, q, { top: `lurk-game-${id}-streamers-${from}-${to}`, series: `lurk-game-${id}-${from}-${to}` }, top, series);
      return { ...zone(), from, to, game: { id, name }, totals, top_streamers: top, series } satisfies GameDetail;
    },
  );

  app.get<{ Params: { login: string }; Querystring: RangeQuery & { part: 'series' | 'top' } }>(
    '/api/watchtime/streamers/:login',
    {
      onRequest: limit,
      schema: {
        tags: ['watchtime'],
        summary: "A streamer's totals, top games and daily series (by login or user id)",
        params: { type: 'object', required: ['login'], properties: { login: { type: 'string', pattern: '^[A-Za-z0-9_]{1,25}$' } } },
        querystring: detailQuery,
        response: { 200: streamerSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = range(q);
      const channel = await service.queries.channelByLogin(request.params.login);
      if (!channel) throw notFound(`No watch time is known for streamer ${request.params.login}`);
      const [totals, top, series] = await Promise.all([
        service.queries.streamerTotals(channel.id, from, to),
        service.queries.topGamesOfStreamer(channel.id, from, to, q.limit),
        service.queries.streamerSeries(channel.id, from, to),
      ]);
      if (q.format === 'csv') return detailCsv(reply, q, { top: `lurk-streamer-${channel.login}-games-${from}-${to}`, series: `lurk-streamer-${channel.login}-${from}-${to}` }, top, series);
      return { ...zone(), from, to, streamer: channel, totals, top_games: top, series } satisfies StreamerDetail;
    },
  );

  app.get<{ Querystring: { kind: 'total' | 'game' | 'streamer'; id?: string; from?: string; to?: string; granularity?: 'day' | 'hour'; format: 'json' | 'csv' } }>(
    '/api/watchtime/series',
    {
      onRequest: limit,
      schema: {
        tags: ['watchtime'],
        summary: 'Hours watched over time, per day or per UTC hour, for all of Twitch, a game or a streamer',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['total', 'game', 'streamer'], default: 'total' },
            id: { type: 'string', minLength: 1, maxLength: 40, description: 'game id, or streamer login or id' },
            from: DAY,
            to: DAY,
            granularity: { type: 'string', enum: ['day', 'hour'], description: 'default: hour for one day, day otherwise' },
            format: FORMAT,
          },
        },
        response: { 200: seriesSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = range(q);
      const granularity = q.granularity ?? (from === to ? 'hour' : 'day');
      if (granularity === 'hour' && dayCount(from, to) > 31) throw badRequest('granularity=hour covers at most 31 days');
      if (q.kind !== 'total' && !q.id) throw badRequest(`id is required with kind=${q.kind}`);
      let points: SeriesPoint[];
      if (q.kind === 'streamer') {
        if (granularity === 'hour') throw badRequest('streamers have daily series only (granularity=day)');
        const channel = await service.queries.channelByLogin(q.id!);
        if (!channel) throw notFound(`No watch time is known for streamer ${q.id}`);
        points = await service.queries.streamerSeries(channel.id, from, to);
      } else {
        points = await service.queries.totalSeries(from, to, granularity, q.kind === 'game' ? q.id : undefined, service.now());
      }
      if (q.format === 'csv') return csv(reply, `lurk-series-${q.kind}-${from}-${to}`, points, pointColumns);
      return { ...zone(), kind: q.kind, from, to, granularity, points } satisfies Series;
    },
  );

  app.get<{ Querystring: { q: string; limit: number } }>(
    '/api/watchtime/search',
    {
      onRequest: limit,
      schema: {
        tags: ['watchtime'],
        summary: 'Games and streamers by name, login or id; ignores case, accents and apostrophes and forgives small typos',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['q'],
          properties: { q: { type: 'string', minLength: 1, maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
        },
        response: { 200: searchSchema, ...errors },
      },
    },
    async (request) => {
      const { q, limit: max } = request.query;
      const results = await service.search(q, max);
      return { ...zone(), q, results } satisfies SearchAnswer;
    },
  );

  app.get<{ Querystring: { day?: string; seed?: number; limit: number } }>(
    '/api/watchtime/random-game',
    {
      onRequest: limit,
      schema: {
        tags: ['watchtime'],
        summary: "A game picked at random with weight by the day's hours watched, and its top streamers",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { day: DAY, seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647 }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 5 } },
        },
        response: { 200: randomGameSchema, ...errors },
      },
    },
    async (request) => {
      const day = dayParam('day', request.query.day ?? service.yesterday());
      const seed = request.query.seed ?? service.digestSeed;
      const pick = await service.randomGame(day, seed, request.query.limit);
      return { ...zone(), day, seed, ...pick } satisfies RandomGame;
    },
  );
}
