// Audience over HTTP: the watched channels (listed, added, removed) and every figure the service
// computes (flows, moves, raids, overlap, where an ended stream's viewers went, the community map),
// as JSON or, with ?format=csv, as a CSV download. Every parameter is parsed and checked here, so
// the service (AudienceQueries) never sees bad input; times are ISO 8601 like Mood's.
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../core/errors.js';
// logins one POST may name: one Helix users call
import { LOGIN, MAX_LOGINS_PER_CALL } from '../twitch/users.js';
import { sendCsv } from '../web/csv.js';
import { rateLimiter } from '../web/rate-limit.js';
import { wireSchema } from '../web/schema-type.js';
import type { AudienceQueries } from './queries.js';
import type { AudienceChannel, AudienceChannelsResponse, EndedResponse, FlowsResponse, MapResponse, MoveRow, MovesResponse, OverlapResponse, RaidsResponse } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** the longest period flows, moves and raids answer for */
const MAX_PERIOD_DAYS = 31;

const LOGIN_PARAM = { type: 'string', pattern: '^[A-Za-z0-9_]{1,25}$', description: 'a Twitch login (any case)' } as const;
const TIME = { type: 'string', maxLength: 40, description: 'an ISO 8601 time, e.g. 2026-12-01T18:00:00Z' } as const;
const FORMAT = { type: 'string', enum: ['json', 'csv'], default: 'json', description: 'csv: the table as a CSV download' } as const;
const limitParam = (byDefault: number) => ({ type: 'integer', minimum: 1, maximum: 1000, default: byDefault }) as const;
const NULLABLE_INT = { type: ['integer', 'null'] } as const;
const NULLABLE_NUMBER = { type: ['number', 'null'] } as const;

const channelSchema = {
  type: 'object',
  properties: {
    login: { type: 'string' },
    sources: {
      type: 'array',
      items: { type: 'string', enum: ['config', 'api', 'top', 'raid'] },
      description: 'why it is watched: LURK_AUDIENCE_CHANNELS, the API, the top N live channels, a watched channel raided it',
    },
    added_at: { type: 'string' },
    live: { type: 'boolean', description: 'live now, per the latest sweep or EventSub' },
    viewer_count: { ...NULLABLE_INT, description: 'Helix viewer_count from the latest sweep; null when not live or not seen yet' },
    present: { type: 'integer', description: 'users with an open presence now (any signal)' },
    active_chatters: { type: 'integer', description: 'distinct users who chatted in the last 10 minutes' },
    chat_ratio: { ...NULLABLE_NUMBER, description: 'active_chatters / viewer_count' },
    peer_ratio: { ...NULLABLE_NUMBER, description: 'the median chat_ratio of channels in the same power-of-ten viewer bucket; null with fewer than 5 peers' },
    flagged: { type: 'boolean', description: 'chat_ratio under a fifth of peer_ratio with at least 50 viewers: a sign of view-botting, not a proof' },
    membership: { type: 'boolean', description: 'JOIN/PART are delivered for this room (under 1,000 users), so moves out of it can be exact' },
    chat: {
      type: 'object',
      description: "the chat pool's view of the channel",
      properties: { state: { type: 'string', enum: ['joining', 'joined', 'failed', 'parted'] }, reason: { type: ['string', 'null'] } },
    },
  },
} as const;

const channelsSchema = wireSchema<AudienceChannelsResponse>()({
  type: 'object',
  properties: {
    channels: { type: 'array', items: channelSchema },
    settings: {
      type: 'object',
      description: 'the settings every figure is made with',
      properties: {
        linger_seconds: { type: 'integer', description: 'LURK_AUDIENCE_LINGER_SECONDS: how long a presence outlives its last signal' },
        move_window_seconds: { type: 'integer', description: 'LURK_AUDIENCE_MOVE_WINDOW_SECONDS: the longest gap between leaving A and the first signal in B that counts as a move' },
        per_user_moves: { type: 'boolean', description: 'LURK_AUDIENCE_PER_USER: per-user move rows are served' },
        per_user_days: { type: 'integer', description: 'LURK_AUDIENCE_PER_USER_DAYS: how long per-user rows are kept' },
      },
    },
  },
});

const watchedSchema = wireSchema<{ added: AudienceChannel[] }>()({ type: 'object', properties: { added: { type: 'array', items: channelSchema } } });

const causeCounts = {
  moves: { type: 'integer' },
  organic: { type: 'integer', description: 'moves not following a raid' },
  raid: { type: 'integer', description: 'moves that followed a raid from A to B' },
} as const;

const flowsSchema = wireSchema<FlowsResponse>()({
  type: 'object',
  properties: {
    channel: { type: 'string' },
    direction: { type: 'string', enum: ['out', 'in'] },
    from: { type: 'string' },
    to: { type: 'string' },
    total: { type: 'integer' },
    flows: {
      type: 'array',
      items: { type: 'object', properties: { channel: { type: 'string', description: 'the destination for direction=out, the source for direction=in' }, ...causeCounts } },
    },
  },
});

const moveRowSchema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    from_channel: { type: 'string' },
    to_channel: { type: 'string' },
    left_at: { type: 'string', description: "A's PART, or the user's last signal in A" },
    joined_at: { type: 'string', description: "the user's first signal in B" },
    cause: { type: 'string', enum: ['raid', 'organic'] },
    raid_id: { type: ['string', 'null'] },
    evidence: {
      type: 'array',
      items: {
        type: 'object',
        properties: { channel: { type: 'string' }, kind: { type: 'string', enum: ['chat', 'notice', 'join', 'part', 'names', 'chatters', 'raid'] }, at: { type: 'string' } },
      },
    },
  },
} as const;

const movesSchema = wireSchema<MovesResponse>()({
  type: 'object',
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    total: { type: 'integer' },
    pairs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          from_channel: { type: 'string' },
          to_channel: { type: 'string' },
          ...causeCounts,
          median_gap_seconds: { ...NULLABLE_NUMBER, description: 'median seconds from leaving A to the first signal in B' },
        },
      },
    },
    moves: { type: 'array', items: moveRowSchema, description: 'per-user rows: present only when the operator turned them on (LURK_AUDIENCE_PER_USER)' },
  },
});

const raidsSchema = wireSchema<RaidsResponse>()({
  type: 'object',
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    raids: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          from_channel: { type: 'string' },
          to_channel: { type: 'string' },
          at: { type: 'string' },
          viewers: { type: 'integer', description: 'viewers carried, as Twitch reported it' },
          sources: { type: 'array', items: { type: 'string', enum: ['eventsub', 'chat'] }, description: 'where Lurk learnt of it' },
          raiders_seen: { type: 'integer', description: 'users Lurk saw move A → B with it (needs both channels watched)' },
          retained_10m: { ...NULLABLE_INT, description: 'of raiders_seen, still present in B 10 minutes after; null until then' },
          retained_30m: { ...NULLABLE_INT, description: 'of raiders_seen, still present in B 30 minutes after; null until then' },
        },
      },
    },
  },
});

const overlapSchema = wireSchema<OverlapResponse>()({
  type: 'object',
  properties: {
    channel: { type: 'string' },
    days: { type: 'integer', enum: [1, 3, 7] },
    from: { type: 'string' },
    to: { type: 'string' },
    audience: { type: 'integer', description: "the channel's active users over the period" },
    shared_any: { type: 'integer', description: 'of those, users also active in at least one other watched channel' },
    others: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          channel: { type: 'string' },
          shared: { type: 'integer', description: 'active users seen in both over the period' },
          share_of_channel: { type: 'number', description: "shared / the asked channel's active users" },
          share_of_other: { type: 'number', description: "shared / the other channel's active users" },
          probability: { type: 'number', description: 'shared / shared_any' },
        },
      },
    },
    ranking: {
      type: 'array',
      description: 'the daily ranking of the most similar channels (up to 10 a day), oldest day first',
      items: {
        type: 'object',
        properties: {
          day: { type: 'string' },
          ranks: { type: 'array', items: { type: 'object', properties: { channel: { type: 'string' }, rank: { type: 'integer' }, shared: { type: 'integer' }, probability: { type: 'number' } } } },
        },
      },
    },
  },
});

const endedSchema = wireSchema<EndedResponse>()({
  type: 'object',
  properties: {
    ended: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          channel: { type: 'string' },
          ended_at: { type: 'string' },
          audience: { type: 'integer', description: 'users present when it ended' },
          followed: { type: 'integer', description: 'of those, users seen arriving in another watched channel within 30 minutes' },
          raid_share: { ...NULLABLE_NUMBER, description: 'raid moves / all moves out of it after the end' },
          destinations: {
            type: 'array',
            items: { type: 'object', properties: { channel: { type: 'string' }, count: { type: 'integer' }, raid: { type: 'integer', description: 'of count, moves that followed a raid' } } },
          },
          final: { type: 'boolean', description: 'false while the 30 minutes after the end are still running' },
        },
      },
    },
  },
});

const mapSchema = wireSchema<MapResponse>()({
  type: 'object',
  properties: {
    day: { type: 'string', description: 'the UTC day' },
    days: { type: 'array', items: { type: 'string' }, description: 'days that have a map, newest first' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        properties: { channel: { type: 'string' }, audience: { type: 'integer', description: 'active users that day' }, community: { type: 'integer' }, x: { type: 'number' }, y: { type: 'number' } },
      },
    },
    edges: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          source: { type: 'string' },
          target: { type: 'string' },
          shared: { type: 'integer', description: 'shared active users' },
          weight: { type: 'number', description: "shared / the smaller channel's audience" },
        },
      },
    },
    communities: { type: 'integer' },
    modularity: NULLABLE_NUMBER,
    computed_at: { type: 'string', description: "today's map is recomputed as the day goes on" },
  },
});

const FLOW_COLUMNS = ['from_channel', 'to_channel', 'moves', 'organic', 'raid'];
const PAIR_COLUMNS = ['from_channel', 'to_channel', 'moves', 'organic', 'raid', 'median_gap_seconds'];
const MOVE_COLUMNS = ['user', 'from_channel', 'to_channel', 'left_at', 'joined_at', 'cause', 'raid_id', 'evidence'];
const RAID_COLUMNS = ['id', 'from_channel', 'to_channel', 'at', 'viewers', 'sources', 'raiders_seen', 'retained_10m', 'retained_30m'];
const OVERLAP_COLUMNS = ['channel', 'shared', 'share_of_channel', 'share_of_other', 'probability'];
const ENDED_COLUMNS = ['channel', 'ended_at', 'audience', 'followed', 'raid_share', 'final', 'destination', 'count', 'raid'];
const EDGE_COLUMNS = ['source', 'target', 'shared', 'weight'];
const NODE_COLUMNS = ['channel', 'audience', 'community', 'x', 'y'];

const iso = (t: number) => new Date(t).toISOString();

/** YYYY-MM-DD names a day of the calendar (Date.parse reads 2026-02-30 as 2 March) */
function realDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d;
}

/** an ISO 8601 time parameter (as Mood's routes read them), or undefined when absent */
function timeParam(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}(T|$)/.test(text) && realDay(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(t)) throw badRequest(`${name}: ${JSON.stringify(text)} is not an ISO 8601 time (e.g. 2026-12-01T18:00:00Z)`);
  return t;
}

/**
 * from/to as asked: by default the 24 hours up to now; `from` alone is the 24 hours after it (up
 * to now), `to` alone the 24 hours before it. At most 31 days, so one request reads a bounded range.
 */
function period(q: { from?: string; to?: string }, now: number): { from: number; to: number } {
  const from = timeParam('from', q.from);
  const to = timeParam('to', q.to);
  const end = to ?? (from !== undefined ? Math.min(now, from + DAY) : now);
  const start = from ?? end - DAY;
  if (start >= end) throw badRequest(`from: ${iso(start)} is not before to (${iso(end)})`);
  if (end - start > MAX_PERIOD_DAYS * DAY) throw badRequest(`from/to: the period is ${((end - start) / DAY).toFixed(1)} days, more than ${MAX_PERIOD_DAYS}; narrow it`);
  return { from: start, to: end };
}

function evidenceCell(row: MoveRow): string {
  return row.evidence.map((e) => `${e.kind} ${e.channel} ${e.at}`).join('; ');
}

type Period = { from?: string; to?: string };
type Format = { format: 'json' | 'csv' };

export async function audienceRoutes(app: FastifyInstance, opts: { queries: AudienceQueries; rateLimitPerMinute: number }) {
  const { queries } = opts;
  const limit = rateLimiter(opts.rateLimitPerMinute);
  const errors = { 400: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 429: { $ref: 'Error#' } };
  // what the origin guard answers for a state-changing request (src/web/origin.ts)
  const refusals = { 403: { $ref: 'Error#' }, 415: { $ref: 'Error#' } };
  const periodProps = { from: { ...TIME, description: `${TIME.description}; default 24 hours before to` }, to: { ...TIME, description: `${TIME.description}; default now (or 24 hours after from)` } };

  app.get(
    '/api/audience/channels',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: 'Watched channels with what Lurk sees of their audience now, and the settings every figure is made with',
        response: { 200: channelsSchema, 429: { $ref: 'Error#' } },
      },
    },
    async () => queries.channels(),
  );

  app.post<{ Body: { logins: string[] } }>(
    '/api/audience/channels',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: `Watch channels (1 to ${MAX_LOGINS_PER_CALL} logins, any case). Logins Twitch does not know are a 404 naming them; the others are watched all the same. Answers the channels added`,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['logins'],
          properties: { logins: { type: 'array', minItems: 1, maxItems: MAX_LOGINS_PER_CALL, items: { type: 'string', maxLength: 64 } } },
        },
        response: { 201: watchedSchema, ...errors, ...refusals },
      },
    },
    async (request, reply) => {
      const wanted = [...new Set(request.body.logins.map((l) => l.trim().toLowerCase()))];
      const bad = wanted.find((l) => !LOGIN.test(l));
      if (bad !== undefined) throw badRequest(`logins: ${JSON.stringify(bad)} is not a Twitch login (1 to 25 letters, digits or _)`);
      const { added, unknown } = await queries.watch(wanted);
      if (unknown.length > 0) {
        const others = added.length > 0 ? `; the others are watched: ${added.map((c) => c.login).join(', ')}` : '';
        throw notFound(`logins: no Twitch user ${unknown.join(', ')}${others}`);
      }
      return reply.status(201).send({ added });
    },
  );

  app.delete<{ Params: { login: string } }>(
    '/api/audience/channels/:login',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: 'Stop watching a channel added by the API (what was counted stays; a channel also in the configuration or the top N stays watched for it). Answers every watched channel',
        params: { type: 'object', required: ['login'], properties: { login: LOGIN_PARAM } },
        response: { 200: channelsSchema, ...errors, ...refusals },
      },
    },
    async (request) => {
      const login = request.params.login.toLowerCase();
      if (!(await queries.unwatch(login))) throw notFound(`login: ${login} is not watched through the API`);
      return queries.channels();
    },
  );

  app.get<{ Querystring: Period & Format & { channel: string; direction: 'out' | 'in' } }>(
    '/api/audience/flows',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: 'Moves out of a channel (direction=out, by destination) or into it (direction=in, by source) over a period, by cause; default the last 24 hours, at most 31 days',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['channel'],
          properties: { channel: LOGIN_PARAM, direction: { type: 'string', enum: ['out', 'in'], default: 'out' }, ...periodProps, format: FORMAT },
        },
        response: { 200: flowsSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const channel = q.channel.toLowerCase();
      const flows = await queries.flows({ channel, direction: q.direction, ...period(q, queries.now()) });
      if (q.format === 'csv') {
        const rows = flows.flows.map((f) => ({ ...f, from_channel: q.direction === 'out' ? channel : f.channel, to_channel: q.direction === 'out' ? f.channel : channel }));
        return sendCsv(reply, `lurk-audience-flows-${channel}-${q.direction}-${flows.from.slice(0, 16)}`, rows, FLOW_COLUMNS);
      }
      return flows;
    },
  );

  app.get<{ Querystring: Period & Format & { from_channel?: string; to_channel?: string; limit: number; table: 'pairs' | 'moves' } }>(
    '/api/audience/moves',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary:
          'Moves between watched channels over a period, summed by pair (optionally from and/or to one channel); per-user rows (`moves`) only when the operator turned them on (LURK_AUDIENCE_PER_USER). Default the last 24 hours, at most 31 days',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from_channel: LOGIN_PARAM,
            to_channel: LOGIN_PARAM,
            ...periodProps,
            limit: { ...limitParam(100), description: 'the most pairs (and per-user rows) answered' },
            format: FORMAT,
            table: { type: 'string', enum: ['pairs', 'moves'], default: 'pairs', description: 'which table format=csv gives: the pairs, or the per-user rows (only when they are on)' },
          },
        },
        response: { 200: movesSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (q.format === 'csv' && q.table === 'moves' && !queries.perUser) throw notFound('table: per-user move rows are off on this Lurk (LURK_AUDIENCE_PER_USER); the pairs are served');
      const fromChannel = q.from_channel?.toLowerCase();
      const toChannel = q.to_channel?.toLowerCase();
      const answer = await queries.moves({ ...(fromChannel ? { fromChannel } : {}), ...(toChannel ? { toChannel } : {}), ...period(q, queries.now()), limit: q.limit });
      // per-user rows leave only when the operator turned them on, whatever the service answered
      const { moves: perUser, ...aggregates } = answer;
      const moves: MovesResponse = queries.perUser ? answer : aggregates;
      if (q.format === 'csv') {
        const name = `lurk-audience-${q.table}-${[fromChannel, toChannel].filter(Boolean).join('-to-') || 'all'}-${moves.from.slice(0, 16)}`;
        if (q.table === 'moves')
          return sendCsv(
            reply,
            name,
            (perUser ?? []).map((m) => ({ ...m, evidence: evidenceCell(m) })),
            MOVE_COLUMNS,
          );
        return sendCsv(reply, name, moves.pairs, PAIR_COLUMNS);
      }
      return moves;
    },
  );

  app.get<{ Querystring: Period & Format & { channel?: string; limit: number } }>(
    '/api/audience/raids',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: 'Raids from or to watched channels (or from or to one channel) over a period, newest first, with the raiders Lurk saw arrive and stay; default the last 24 hours, at most 31 days',
        querystring: { type: 'object', additionalProperties: false, properties: { channel: LOGIN_PARAM, ...periodProps, limit: limitParam(100), format: FORMAT } },
        response: { 200: raidsSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const channel = q.channel?.toLowerCase();
      const raids = await queries.raids({ ...(channel ? { channel } : {}), ...period(q, queries.now()), limit: q.limit });
      if (q.format === 'csv') {
        const rows = raids.raids.map((r) => ({ ...r, sources: r.sources.join(' ') }));
        return sendCsv(reply, `lurk-audience-raids-${channel ?? 'all'}-${raids.from.slice(0, 16)}`, rows, RAID_COLUMNS);
      }
      return raids;
    },
  );

  app.get<{ Querystring: Format & { channel: string; days: 1 | 3 | 7 } }>(
    '/api/audience/overlap',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: "A channel's audience shared with each other watched channel over the last 1, 3 or 7 days, and the daily ranking of the most similar channels",
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['channel'],
          properties: { channel: LOGIN_PARAM, days: { type: 'integer', enum: [1, 3, 7], default: 7, description: 'the period: the last days × 24 hours' }, format: FORMAT },
        },
        response: { 200: overlapSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const channel = q.channel.toLowerCase();
      const overlap = await queries.overlap({ channel, days: q.days });
      if (q.format === 'csv') return sendCsv(reply, `lurk-audience-overlap-${channel}-${q.days}d-${overlap.to.slice(0, 10)}`, overlap.others, OVERLAP_COLUMNS);
      return overlap;
    },
  );

  app.get<{ Querystring: Format & { channel?: string; limit: number } }>(
    '/api/audience/ended',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: 'Where the viewers of streams that ended went (all watched channels, or one), newest first',
        querystring: { type: 'object', additionalProperties: false, properties: { channel: LOGIN_PARAM, limit: limitParam(50), format: FORMAT } },
        response: { 200: endedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const channel = q.channel?.toLowerCase();
      const ended = await queries.ended({ ...(channel ? { channel } : {}), limit: q.limit });
      if (q.format === 'csv') {
        // one row per destination; a stream whose viewers went nowhere seen keeps one row with them empty
        const rows = ended.ended.flatMap(({ destinations, ...stream }) =>
          destinations.length === 0 ? [stream] : destinations.map((d) => ({ ...stream, destination: d.channel, count: d.count, raid: d.raid })),
        );
        return sendCsv(reply, `lurk-audience-ended-${channel ?? 'all'}`, rows, ENDED_COLUMNS);
      }
      return ended;
    },
  );

  app.get<{ Querystring: Format & { day?: string; table: 'edges' | 'nodes' } }>(
    '/api/audience/map',
    {
      onRequest: limit,
      schema: {
        tags: ['audience'],
        summary: 'The community map of one UTC day (default the newest): channels placed and grouped by their shared audience; 404 when there is none',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a UTC day, YYYY-MM-DD' },
            format: FORMAT,
            table: { type: 'string', enum: ['edges', 'nodes'], default: 'edges', description: 'which table format=csv gives' },
          },
        },
        response: { 200: mapSchema, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (q.day !== undefined && !realDay(q.day)) throw badRequest(`day: ${JSON.stringify(q.day)} is not a day of the calendar (YYYY-MM-DD)`);
      const map = await queries.map(q.day !== undefined ? { day: q.day } : {});
      if (!map) throw notFound(q.day !== undefined ? `day: no community map for ${q.day}` : 'day: no community map yet (one is computed once watched channels have shared audience)');
      if (q.format === 'csv') return sendCsv(reply, `lurk-audience-map-${map.day}-${q.table}`, q.table === 'nodes' ? map.nodes : map.edges, q.table === 'nodes' ? NODE_COLUMNS : EDGE_COLUMNS);
      return map;
    },
  );
}
