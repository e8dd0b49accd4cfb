// GET /api/chat/channels: every channel the chat pool holds, with its state, owners and rates,
// and the pool's own figures.
import type { FastifyInstance } from 'fastify';
import type { ChatPool } from '../twitch/chat/pool.js';

const channelSchema = {
  type: 'object',
  properties: {
    channel: { type: 'string', examples: ['cozy_bard'] },
    role: { type: 'string', enum: ['read', 'speak'], description: 'read by an anonymous connection, or joined by the bot to speak in' },
    state: { type: 'string', enum: ['pending', 'joined', 'failed'] },
    reason: { type: ['string', 'null'], description: 'why it failed: msg_channel_suspended, msg_banned, concurrent join limit, join not confirmed, …' },
    owners: { type: 'array', items: { type: 'string' }, description: 'the capabilities that want it' },
    lines_per_minute: { type: 'integer', description: 'messages, notices and clears in the last full minute' },
    last_line_at: { type: ['string', 'null'], format: 'date-time' },
    connection: { type: ['string', 'null'], examples: ['reader-2'] },
  },
} as const;

const poolSchema = {
  type: 'object',
  properties: {
    connections: { type: 'object', properties: { reader: { type: 'integer' }, bot: { type: 'integer' } } },
    channels: { type: 'object', properties: { pending: { type: 'integer' }, joined: { type: 'integer' }, failed: { type: 'integer' } } },
    lines_per_second: { type: 'number' },
    lines: { type: 'integer' },
    reconnects: { type: 'integer' },
    drops: { type: 'integer' },
    malformed: { type: 'integer', description: 'lines that could not be read (skipped, counted)' },
    join_rate_limited: { type: 'integer', description: 'JOINs Twitch refused for going too fast; 0 in normal operation' },
  },
} as const;

interface Query {
  state?: 'pending' | 'joined' | 'failed';
  owner?: string;
}

export async function chatRoutes(app: FastifyInstance, o: { pool: ChatPool }) {
  app.get<{ Querystring: Query }>(
    '/api/chat/channels',
    {
      schema: {
        tags: ['chat'],
        summary: "The chat pool's channels (state, owners, lines per minute, last line) and its connections, rates, reconnects and drops",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['pending', 'joined', 'failed'], description: 'only channels in this state' },
            owner: { type: 'string', pattern: '^[a-z0-9._-]{1,64}$', description: 'only channels this capability wants' },
          },
        },
        response: { 200: { type: 'object', properties: { pool: poolSchema, channels: { type: 'array', items: channelSchema } } }, 400: { $ref: 'Error#' } },
      },
    },
    async (request) => {
      const s = o.pool.stats();
      const channels = o.pool
        .channels()
        .filter((c) => (!request.query.state || c.state === request.query.state) && (!request.query.owner || c.owners.includes(request.query.owner)))
        .sort((a, b) => a.channel.localeCompare(b.channel) || a.role.localeCompare(b.role))
        .map((c) => ({
          channel: c.channel,
          role: c.role,
          state: c.state,
          reason: c.reason ?? null,
          owners: c.owners,
          lines_per_minute: c.linesPerMinute,
          last_line_at: c.lastLineAt === undefined ? null : new Date(c.lastLineAt).toISOString(),
          connection: c.connection ?? null,
        }));
      return {
        pool: {
          connections: s.connections,
          channels: s.channels,
          lines_per_second: s.linesPerSecond,
          lines: s.lines,
          reconnects: s.reconnects,
          drops: s.drops,
          malformed: s.malformed,
          join_rate_limited: s.joinRateLimited,
        },
        channels,
      };
    },
  );
}
