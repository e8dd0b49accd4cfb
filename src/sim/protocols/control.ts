// /_sim/*: the simulator's own JSON API: world counts, clock control, ground truth, triggers
// and fault injection. Errors use Lurk's format: {"error":{"code","message"}}.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FAULT_SCHEMA, NO_FAULTS, type Faults } from '../faults.js';
import { eventSubControl, type EventSubControl, type EventSubStatus } from './eventsub/index.js';
import type { SimProtocol, Simulator } from '../simulator.js';
import type { WorldEventType } from '../world/types.js';
import type { World } from '../world/world.js';
import { rfc3339 } from './helix-common.js';

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).send({ error: { code, message } });
}

const TRIGGER_TYPES: WorldEventType[] = [
  'stream.online',
  'stream.offline',
  'channel.update',
  'channel.follow',
  'channel.subscribe',
  'channel.subscription.message',
  'channel.subscription.gift',
  'channel.cheer',
  'channel.raid',
];

/** triggers that are not EventSub events: they change what the world's chat does */
const CHAT_TRIGGERS = ['chat.spike'] as const;
type ChatTrigger = (typeof CHAT_TRIGGERS)[number];

const rangeQuery = {
  type: 'object',
  properties: {
    from: { type: 'string', description: 'ISO 8601 time; default one hour before the world time' },
    to: { type: 'string', description: 'ISO 8601 time; default the world time' },
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 100_000 },
  },
} as const;

/** parses from/to; answers 400 itself and returns undefined when they are not times */
function range(world: World, q: { from?: string; to?: string }, reply: FastifyReply): { from: number; to: number } | undefined {
  const to = q.to !== undefined ? Date.parse(q.to) : world.now();
  const from = q.from !== undefined ? Date.parse(q.from) : to - 3_600_000;
  if (Number.isNaN(from) || Number.isNaN(to)) {
    fail(reply, 400, 'bad_request', 'from and to must be ISO 8601 times, e.g. 2026-11-22T10:00:00Z');
    return undefined;
  }
  if (to < from) {
    fail(reply, 400, 'bad_request', 'to must not be before from');
    return undefined;
  }
  return { from, to };
}

/** the envelope of every truth list: its range, how many there are, and the first `limit` */
function truthList<T, R>(r: { from: number; to: number }, key: string, items: T[], limit: number, render: (item: T) => R) {
  return { from: rfc3339(r.from), to: rfc3339(r.to), total: items.length, [key]: items.slice(0, limit).map(render) };
}

function userRef(world: World, user: number) {
  return { id: world.userId(user), login: world.login(user), name: world.displayName(user) };
}

export function controlProtocol(): SimProtocol {
  return {
    name: 'control',
    register(app: FastifyInstance, sim: Simulator) {
      const world = sim.world;

      app.get('/_sim/world', async () => sim.summary());

      app.post<{ Body: { speed?: number; advance_seconds?: number } }>(
        '/_sim/clock',
        {
          schema: {
            body: {
              type: 'object',
              additionalProperties: false,
              properties: { speed: { type: 'number', minimum: 0, maximum: 100_000 }, advance_seconds: { type: 'number', minimum: 0, maximum: 30 * 86_400 } },
            },
          },
        },
        async (request, reply) => {
          const { speed, advance_seconds } = request.body ?? {};
          if (speed === undefined && advance_seconds === undefined) return fail(reply, 400, 'bad_request', 'send {"speed":N} or {"advance_seconds":N}');
          if (advance_seconds !== undefined) sim.advance(advance_seconds * 1000);
          if (speed !== undefined) sim.setSpeed(speed);
          return sim.summary();
        },
      );

      app.get<{ Querystring: { from?: string; to?: string; by?: 'game' | 'streamer' } }>(
        '/_sim/truth/watchtime',
        { schema: { querystring: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, by: { type: 'string', enum: ['game', 'streamer'], default: 'game' } } } } },
        async (request, reply) => {
          const r = range(world, request.query, reply);
          if (!r) return reply;
          const by = request.query.by ?? 'game';
          const hours = world.truth.hours(r.from, r.to, by);
          const rows = [...hours.entries()]
            .sort((a, b) => b[1] - a[1] || a[0] - b[0])
            .map(([key, h]) =>
              by === 'game'
                ? { game_id: world.games[key]!.id, game_name: world.games[key]!.name, hours: h }
                : { user_id: world.userId(key), user_login: world.login(key), user_name: world.displayName(key), hours: h },
            );
          return {
            from: rfc3339(r.from),
            to: rfc3339(r.to),
            by,
            // exact where the range lies on truth-interval boundaries that have closed
            final_until: rfc3339(world.truth.closedUntil()),
            horizon: rfc3339(world.truth.horizon()),
            total_hours: rows.reduce((sum, row) => sum + row.hours, 0),
            rows,
          };
        },
      );

      app.get<{ Querystring: { from?: string; to?: string; limit: number } }>('/_sim/truth/moves', { schema: { querystring: rangeQuery } }, async (request, reply) => {
        const r = range(world, request.query, reply);
        if (!r) return reply;
        return truthList(r, 'moves', world.movesBetween(r.from, r.to), request.query.limit, (m) => ({
          user_id: world.userId(m.user),
          user_login: world.login(m.user),
          from: userRef(world, m.from),
          to: userRef(world, m.to),
          left_at: rfc3339(m.leftAt),
          joined_at: rfc3339(m.joinedAt),
          cause: m.cause,
        }));
      });

      app.get<{ Querystring: { channel?: string; from?: string; to?: string; limit: number } }>(
        '/_sim/truth/messages',
        { schema: { querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, channel: { type: 'string' } } } } },
        async (request, reply) => {
          const r = range(world, request.query, reply);
          if (!r) return reply;
          let channel: number | undefined;
          if (request.query.channel !== undefined) {
            channel = world.userByLogin(request.query.channel);
            if (channel === undefined || !world.isBroadcaster(channel)) return fail(reply, 404, 'not_found', `no simulated channel ${request.query.channel}`);
          }
          return truthList(r, 'messages', world.messagesBetween(channel, r.from, r.to), request.query.limit, (m) => ({
            id: m.id,
            at: new Date(m.at).toISOString(),
            channel: world.login(m.channel),
            user_id: world.userId(m.user),
            user_login: world.login(m.user),
            text: m.text,
            emotes: m.emotes,
            sentiment: m.sentiment,
            ...(m.bits ? { bits: m.bits } : {}),
          }));
        },
      );

      app.get<{ Querystring: { from?: string; to?: string; limit: number; type?: string } }>(
        '/_sim/truth/events',
        { schema: { querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, type: { type: 'string', enum: TRIGGER_TYPES } } } } },
        async (request, reply) => {
          const r = range(world, request.query, reply);
          if (!r) return reply;
          const events = world.eventsBetween(r.from, r.to).filter((e) => !request.query.type || e.type === request.query.type);
          return truthList(r, 'events', events, request.query.limit, (e) => ({
            id: e.id,
            type: e.type,
            at: new Date(e.at).toISOString(),
            broadcaster: userRef(world, e.channel),
            ...(e.user !== undefined ? { user: userRef(world, e.user) } : {}),
            ...(e.toChannel !== undefined ? { to_broadcaster: userRef(world, e.toChannel) } : {}),
            ...(e.gifter !== undefined ? { gifter: userRef(world, e.gifter) } : {}),
            ...Object.fromEntries(
              Object.entries({
                tier: e.tier,
                bits: e.bits,
                viewers: e.viewers,
                is_gift: e.isGift,
                total: e.total,
                anonymous: e.anonymous,
                cumulative_months: e.cumulativeMonths,
                stream_id: e.streamId,
              }).filter(([, v]) => v !== undefined),
            ),
          }));
        },
      );

      app.post<{ Body: { type: WorldEventType | ChatTrigger; broadcaster_user_id: string; to_broadcaster_user_id?: string } }>(
        '/_sim/trigger',
        {
          schema: {
            body: {
              type: 'object',
              required: ['type', 'broadcaster_user_id'],
              additionalProperties: false,
              properties: { type: { type: 'string', enum: [...TRIGGER_TYPES, ...CHAT_TRIGGERS] }, broadcaster_user_id: { type: 'string' }, to_broadcaster_user_id: { type: 'string' } },
            },
          },
        },
        async (request, reply) => {
          const { type, broadcaster_user_id, to_broadcaster_user_id } = request.body;
          const channel = world.userIndex(broadcaster_user_id);
          if (channel === undefined || !world.isBroadcaster(channel)) return fail(reply, 404, 'not_found', `no simulated broadcaster with id ${broadcaster_user_id}`);
          let toChannel: number | undefined;
          if (to_broadcaster_user_id !== undefined) {
            toChannel = world.userIndex(to_broadcaster_user_id);
            if (toChannel === undefined || !world.isBroadcaster(toChannel)) return fail(reply, 404, 'not_found', `no simulated broadcaster with id ${to_broadcaster_user_id}`);
          }
          try {
            if (type === 'chat.spike') {
              const { until } = world.spikeChat(channel);
              return { triggered: type, event_id: null, at: rfc3339(world.now()), until: rfc3339(until) };
            }
            const event = world.trigger(type, channel, toChannel !== undefined ? { toChannel } : {});
            return { triggered: type, event_id: event?.id ?? null, at: rfc3339(world.now()) };
          } catch (err) {
            if (err instanceof RangeError) return fail(reply, 409, 'conflict', err.message);
            throw err;
          }
        },
      );

      // EventSub's own controls: what is subscribed, and forcing reconnects, revocations, closes
      const withEventSub = (reply: FastifyReply, fn: (eventsub: EventSubControl) => unknown) => {
        const eventsub = eventSubControl(sim);
        return eventsub ? fn(eventsub) : fail(reply, 404, 'not_found', 'EventSub is not running in this simulator');
      };
      app.get('/_sim/eventsub', async (_request, reply) => withEventSub(reply, (e) => ({ subscriptions: e.subscriptions(), sessions: e.sessions() })));
      app.post('/_sim/eventsub/reconnect', async (_request, reply) => withEventSub(reply, (e) => ({ sessions: e.reconnectAll() })));
      app.post<{ Body: { subscription_id: string; status: EventSubStatus } }>(
        '/_sim/eventsub/revoke',
        {
          schema: {
            body: {
              type: 'object',
              required: ['subscription_id', 'status'],
              additionalProperties: false,
              properties: {
                subscription_id: { type: 'string' },
                status: { type: 'string', enum: ['authorization_revoked', 'user_removed', 'version_removed', 'moderator_removed', 'notification_failures_exceeded'] },
              },
            },
          },
        },
        async (request, reply) =>
          withEventSub(reply, (e) =>
            e.revoke(request.body.subscription_id, request.body.status) ? { revoked: request.body.subscription_id } : fail(reply, 404, 'not_found', `no subscription ${request.body.subscription_id}`),
          ),
      );

      app.get('/_sim/faults', async () => sim.faults);
      app.post<{ Body: Partial<Faults> }>('/_sim/faults', { schema: { body: FAULT_SCHEMA } }, async (request) => {
        sim.faults = { ...sim.faults, ...request.body };
        return sim.faults;
      });
      app.delete('/_sim/faults', async () => {
        sim.faults = { ...NO_FAULTS };
        return sim.faults;
      });
    },
  };
}
