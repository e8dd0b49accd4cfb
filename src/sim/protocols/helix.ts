// Helix for the simulator, under /helix/* (Twitch's layout) and /mock/* (twurple's
// TWURPLE_MOCK_API_PORT layout). Every body follows ../shared/twitch-helix-openapi.json.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HelixStream } from '../../twitch/helix.external.js';
import type { SimToken } from '../auth.js';
import type { SimProtocol, Simulator } from '../simulator.js';
import { hash32 } from '../world/random.js';
import type { World } from '../world/world.js';
import { decodeCursor, encodeCursor, helixGate, many, rfc3339, twitchError } from './helix-common.js';

type Query = Record<string, unknown>;

/** Live channels sorted by reported viewers (highest first), rebuilt when world time moves. */
class StreamIndex {
  private time = -1;
  private sorted: Int32Array = new Int32Array(0);
  private gameViewers = new Map<number, number>();
  constructor(private readonly world: World) {}

  refresh(): void {
    if (this.time === this.world.now()) return;
    const world = this.world;
    const live = world.liveChannelList();
    const viewers = new Float64Array(world.channelCount);
    const games = new Map<number, number>();
    for (const c of live) {
      const v = world.reportedViewers(c);
      viewers[c] = v;
      const g = world.gameIndexById(world.stream(c)!.game.id)!;
      games.set(g, (games.get(g) ?? 0) + v);
    }
    live.sort((a, b) => viewers[b]! - viewers[a]! || a - b);
    this.sorted = live;
    this.gameViewers = games;
    this.time = world.now();
  }
  channels(): Int32Array {
    this.refresh();
    return this.sorted;
  }
  /** game indexes ordered by current viewers, then the rest of the catalogue */
  topGames(): number[] {
    this.refresh();
    const ranked = [...this.gameViewers.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([g]) => g);
    const seen = new Set(ranked);
    for (let g = 0; g < this.world.games.length; g++) if (!seen.has(g)) ranked.push(g);
    return ranked;
  }
}

export function renderStream(world: World, channel: number): HelixStream {
  const s = world.stream(channel)!;
  const login = world.login(channel);
  return {
    id: s.id,
    user_id: world.userId(channel),
    user_login: login,
    user_name: world.displayName(channel),
    game_id: s.game.id,
    game_name: s.game.name,
    type: 'live',
    title: s.title,
    viewer_count: world.reportedViewers(channel),
    started_at: rfc3339(s.startedAt),
    language: s.language,
    thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${login}-{width}x{height}.jpg`,
    tag_ids: [],
    tags: s.tags,
    is_mature: false,
  };
}

const DESCRIPTIONS = ['Variety streamer. Be nice in chat.', 'Speedruns, chill vibes and bad puns.', 'Streaming most evenings (UTC).', 'Just a person who likes games & café au lait.', ''];

function renderUser(world: World, user: number, withEmail: boolean) {
  const login = world.login(user);
  const broadcaster = world.isBroadcaster(user);
  return {
    id: world.userId(user),
    login,
    display_name: world.displayName(user),
    type: '' as const,
    broadcaster_type: world.broadcasterType(user),
    description: broadcaster ? DESCRIPTIONS[hash32(user, 0xde5c) % DESCRIPTIONS.length]! : '',
    profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${login}-profile_image-300x300.png`,
    offline_image_url: broadcaster ? `https://static-cdn.jtvnw.net/jtv_user_pictures/${login}-channel_offline_image-1920x1080.png` : '',
    view_count: 0,
    ...(withEmail ? { email: `${login}@example.invalid` } : {}),
    created_at: rfc3339(world.createdAt(user)),
  };
}

function renderGame(world: World, g: number) {
  const game = world.games[g]!;
  return { id: game.id, name: game.name, box_art_url: game.boxArtUrl, igdb_id: game.igdbId };
}

/** moderators of a channel: the broadcaster and a few regulars derived from the channel */
function isModerator(world: World, channel: number, user: number): boolean {
  if (user === channel) return true;
  for (let k = 0; k < 3; k++) if (world.channelCount + (hash32(channel, k, 0x30d) % world.viewerCount) === user) return true;
  return false;
}

function moderatorsOf(world: World, channel: number): number[] {
  return [0, 1, 2].map((k) => world.channelCount + (hash32(channel, k, 0x30d) % world.viewerCount));
}

/** the channels `user` moderates (not their own), in channel order: the inverse of moderatorsOf */
function moderatedBy(world: World, user: number): number[] {
  if (user < world.channelCount) return [];
  const out: number[] = [];
  for (let c = 0; c < world.channelCount; c++) if (moderatorsOf(world, c).includes(user)) out.push(c);
  return out;
}

interface Page {
  start: number;
  size: number;
}

/**
 * Reads `first` (bounded) and `after`/`before` cursors. Cursors carry offsets into the list as
 * it is at request time, so a list that changed between pages repeats or skips entries, as
 * Helix does.
 */
function readPage(q: Query, reply: FastifyReply, options: { max: number; default: number }): Page | undefined {
  let size = options.default;
  if (q.first !== undefined) {
    const n = Number(q.first);
    if (!Number.isInteger(n) || n < 1 || n > options.max) {
      twitchError(reply, 400, `The parameter "first" was malformed: the value must be an integer from 1 to ${options.max}`);
      return undefined;
    }
    size = n;
  }
  if (q.after !== undefined && q.before !== undefined) {
    twitchError(reply, 400, 'Only one of "after" and "before" may be specified');
    return undefined;
  }
  const raw = (q.after ?? q.before) as string | undefined;
  if (raw === undefined) return { start: 0, size };
  const cursor = decodeCursor(String(raw));
  const next = Number(cursor?.a);
  const current = Number(cursor?.b);
  if (!cursor || !Number.isInteger(next) || !Number.isInteger(current) || next < 0 || current < 0) {
    twitchError(reply, 400, 'The parameter "after" or "before" is not a valid cursor');
    return undefined;
  }
  return q.after !== undefined ? { start: next, size } : { start: Math.max(0, current - size), size };
}

function pagination(page: Page, total: number): { cursor?: string } {
  return page.start + page.size < total ? { cursor: encodeCursor({ b: page.start, a: page.start + page.size }) } : {};
}

function requireUserToken(reply: FastifyReply, token: SimToken, scope: string): boolean {
  if (token.kind !== 'user' || token.user === undefined) {
    twitchError(reply, 401, 'This endpoint requires a user access token');
    return false;
  }
  if (!token.scopes.includes(scope)) {
    twitchError(reply, 401, `Missing scope: ${scope}`);
    return false;
  }
  return true;
}

function tooMany(reply: FastifyReply, ...lists: string[][]): boolean {
  if (lists.some((l) => l.length > 100)) {
    twitchError(reply, 400, 'you may only send 100 of each parameter');
    return true;
  }
  return false;
}

function channelParam(world: World, reply: FastifyReply, value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') {
    twitchError(reply, 400, `Missing required parameter "${name}"`);
    return undefined;
  }
  const idx = world.userIndex(String(value));
  if (idx === undefined || !world.isBroadcaster(idx)) {
    twitchError(reply, 400, `The parameter "${name}" is not a valid broadcaster id`);
    return undefined;
  }
  return idx;
}

export function helixProtocol(): SimProtocol {
  return {
    name: 'helix',
    register(app: FastifyInstance, sim: Simulator) {
      const world = sim.world;
      const index = new StreamIndex(world);

      const routes: Record<string, (q: Query, token: SimToken, reply: FastifyReply) => unknown> = {
        streams(q, _token, reply) {
          const userIds = many(q.user_id);
          const logins = many(q.user_login).map((l) => l.toLowerCase());
          const gameIds = many(q.game_id);
          const languages = many(q.language);
          if (tooMany(reply, userIds, logins, gameIds, languages)) return reply;
          if (q.type !== undefined && q.type !== 'all' && q.type !== 'live') return twitchError(reply, 400, 'The parameter "type" must be "all" or "live"');
          const page = readPage(q, reply, { max: 100, default: 20 });
          if (!page) return reply;
          let list: ArrayLike<number> = index.channels();
          if (userIds.length || logins.length || gameIds.length || languages.length) {
            const users = new Set<number>();
            for (const id of userIds) {
              const u = world.userIndex(id);
              if (u !== undefined) users.add(u);
            }
            for (const login of logins) {
              const u = world.userByLogin(login);
              if (u !== undefined) users.add(u);
            }
            const games = new Set(gameIds);
            const langs = new Set(languages);
            const byUser = userIds.length > 0 || logins.length > 0;
            list = Array.prototype.filter.call(list, (c: number) => {
              if (byUser && !users.has(c)) return false;
              const s = world.stream(c)!;
              if (games.size && !games.has(s.game.id)) return false;
              if (langs.size && !langs.has(s.language)) return false;
              return true;
            }) as number[];
          }
          const data: HelixStream[] = [];
          for (let i = page.start; i < Math.min(list.length, page.start + page.size); i++) data.push(renderStream(world, list[i]!));
          return { data, pagination: pagination(page, list.length) };
        },

        users(q, token, reply) {
          const ids = many(q.id);
          const logins = many(q.login);
          if (ids.length + logins.length > 100) return twitchError(reply, 400, 'The total number of "id" and "login" parameters must not exceed 100');
          if (ids.length + logins.length === 0) {
            if (token.kind !== 'user' || token.user === undefined) return twitchError(reply, 400, 'Missing required parameter "id" or "login" (or use a user access token)');
            return { data: [renderUser(world, token.user, token.scopes.includes('user:read:email'))] };
          }
          const found = new Set<number>();
          for (const id of ids) {
            const u = world.userIndex(id);
            if (u !== undefined) found.add(u);
          }
          for (const login of logins) {
            const u = world.userByLogin(login);
            if (u !== undefined) found.add(u);
          }
          return { data: [...found].map((u) => renderUser(world, u, token.user === u && token.scopes.includes('user:read:email'))) };
        },

        games(q, _token, reply) {
          const ids = many(q.id);
          const names = many(q.name);
          const igdb = many(q.igdb_id);
          if (ids.length + names.length + igdb.length > 100) return twitchError(reply, 400, 'The total number of "id", "name" and "igdb_id" parameters must not exceed 100');
          if (ids.length + names.length + igdb.length === 0) return twitchError(reply, 400, 'Missing required parameter "id", "name" or "igdb_id"');
          const data = world.games
            .map((_, g) => g)
            .filter((g) => {
              const game = world.games[g]!;
              return ids.includes(game.id) || names.includes(game.name) || (game.igdbId !== '' && igdb.includes(game.igdbId));
            })
            .map((g) => renderGame(world, g));
          return { data };
        },

        'games/top'(q, _token, reply) {
          const page = readPage(q, reply, { max: 100, default: 20 });
          if (!page) return reply;
          const ranked = index.topGames();
          return { data: ranked.slice(page.start, page.start + page.size).map((g) => renderGame(world, g)), pagination: pagination(page, ranked.length) };
        },

        'chat/chatters'(q, token, reply) {
          if (q.broadcaster_id === undefined || q.moderator_id === undefined) return twitchError(reply, 400, 'Missing required parameter "broadcaster_id" or "moderator_id"');
          if (!requireUserToken(reply, token, 'moderator:read:chatters')) return reply;
          const channel = channelParam(world, reply, q.broadcaster_id, 'broadcaster_id');
          if (channel === undefined) return reply;
          if (world.userIndex(String(q.moderator_id)) !== token.user) return twitchError(reply, 401, 'The ID in moderator_id must match the user ID in the user access token');
          if (!isModerator(world, channel, token.user!)) return twitchError(reply, 403, 'The user in moderator_id is not one of the broadcaster’s moderators');
          const page = readPage(q, reply, { max: 1000, default: 100 });
          if (!page) return reply;
          const audience = world.audience(channel).sort((a, b) => a - b);
          const data = audience.slice(page.start, page.start + page.size).map((u) => ({ user_id: world.userId(u), user_login: world.login(u), user_name: world.displayName(u) }));
          return { data, pagination: pagination(page, audience.length), total: audience.length };
        },

        'channels/followers'(q, token, reply) {
          const channel = channelParam(world, reply, q.broadcaster_id, 'broadcaster_id');
          if (channel === undefined) return reply;
          const total = world.followerCount(channel);
          const allowed = token.kind === 'user' && token.user !== undefined && token.scopes.includes('moderator:read:followers') && isModerator(world, channel, token.user);
          if (q.user_id !== undefined) {
            if (!allowed) return twitchError(reply, 401, 'Checking a single follower requires the moderator:read:followers scope from the broadcaster or a moderator');
            const target = world.userIndex(String(q.user_id));
            for (let i = 0; target !== undefined && i < Math.min(total, 200_000); i++) {
              const f = world.followerAt(channel, i)!;
              if (f.user === target) return { total, data: [follower(world, f)], pagination: {} };
            }
            return { total, data: [], pagination: {} };
          }
          // without the permission Twitch answers with the total only
          if (!allowed) return { total, data: [], pagination: {} };
          const page = readPage(q, reply, { max: 100, default: 20 });
          if (!page) return reply;
          const data = [];
          for (let i = page.start; i < Math.min(total, page.start + page.size); i++) data.push(follower(world, world.followerAt(channel, i)!));
          return { total, data, pagination: pagination(page, total) };
        },

        subscriptions(q, token, reply) {
          if (!requireUserToken(reply, token, 'channel:read:subscriptions')) return reply;
          const channel = channelParam(world, reply, q.broadcaster_id, 'broadcaster_id');
          if (channel === undefined) return reply;
          if (channel !== token.user) return twitchError(reply, 403, 'broadcaster_id must match the user ID in the user access token');
          const total = world.subscriberCount(channel);
          const all: { user: number; tier: '1000' | '2000' | '3000'; gifter?: number }[] = [];
          for (let i = 0; i < total; i++) all.push(world.subscriberAt(channel, i)!);
          const points = all.reduce((sum, s) => sum + (s.tier === '3000' ? 6 : s.tier === '2000' ? 2 : 1), 0);
          const render = (s: (typeof all)[number]) => ({
            broadcaster_id: world.userId(channel),
            broadcaster_login: world.login(channel),
            broadcaster_name: world.displayName(channel),
            gifter_id: s.gifter !== undefined ? world.userId(s.gifter) : '',
            gifter_login: s.gifter !== undefined ? world.login(s.gifter) : '',
            gifter_name: s.gifter !== undefined ? world.displayName(s.gifter) : '',
            is_gift: s.gifter !== undefined,
            plan_name: `Channel Subscription (${world.login(channel)})${s.tier === '1000' ? '' : s.tier === '2000' ? ': $9.99 Sub' : ': $24.99 Sub'}`,
            tier: s.tier,
            user_id: world.userId(s.user),
            user_name: world.displayName(s.user),
            user_login: world.login(s.user),
          });
          const userIds = many(q.user_id);
          if (tooMany(reply, userIds)) return reply;
          if (userIds.length) {
            const wanted = new Set(userIds.map((id) => world.userIndex(id)));
            return { data: all.filter((s) => wanted.has(s.user)).map(render), total, points };
          }
          const page = readPage(q, reply, { max: 100, default: 20 });
          if (!page) return reply;
          return { data: all.slice(page.start, page.start + page.size).map(render), pagination: pagination(page, total), total, points };
        },

        'bits/leaderboard'(q, token, reply) {
          if (!requireUserToken(reply, token, 'bits:read')) return reply;
          const channel = token.user!;
          const count = q.count === undefined ? 10 : Number(q.count);
          if (!Number.isInteger(count) || count < 1 || count > 100) return twitchError(reply, 400, 'The parameter "count" must be an integer from 1 to 100');
          const period = q.period === undefined ? 'all' : String(q.period);
          if (!['day', 'week', 'month', 'year', 'all'].includes(period)) return twitchError(reply, 400, 'The parameter "period" must be day, week, month, year or all');
          let from = 0;
          let to = Infinity;
          let range = { started_at: '', ended_at: '' };
          if (period !== 'all') {
            const start = q.started_at !== undefined ? Date.parse(String(q.started_at)) : world.now();
            if (Number.isNaN(start)) return twitchError(reply, 400, 'The parameter "started_at" must be an RFC3339 timestamp');
            const d = new Date(start);
            const begin = Date.UTC(
              d.getUTCFullYear(),
              period === 'year' ? 0 : d.getUTCMonth(),
              period === 'month' || period === 'year' ? 1 : d.getUTCDate() - (period === 'week' ? (d.getUTCDay() + 6) % 7 : 0),
            );
            const end =
              period === 'day'
                ? begin + 86_400_000
                : period === 'week'
                  ? begin + 7 * 86_400_000
                  : period === 'month'
                    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
                    : Date.UTC(d.getUTCFullYear() + 1, 0, 1);
            from = begin;
            to = end;
            range = { started_at: rfc3339(begin), ended_at: rfc3339(end) };
          }
          const scores = new Map<number, number>();
          for (const e of world.eventsBetween(from, to === Infinity ? world.now() + 1 : to)) {
            if (e.type === 'channel.cheer' && e.channel === channel && e.user !== undefined && !e.anonymous) scores.set(e.user, (scores.get(e.user) ?? 0) + (e.bits ?? 0));
          }
          const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
          const entries = ranked.map(([user, score], i) => ({ user_id: world.userId(user), user_login: world.login(user), user_name: world.displayName(user), rank: i + 1, score }));
          let data = entries.slice(0, count);
          if (q.user_id !== undefined) {
            const at = entries.findIndex((e) => e.user_id === String(q.user_id));
            data = at < 0 ? [] : entries.slice(Math.max(0, at - Math.floor(count / 2)), Math.max(0, at - Math.floor(count / 2)) + count);
          }
          return { data, date_range: range, total: data.length };
        },

        'moderation/channels'(q, token, reply) {
          if (q.user_id === undefined || q.user_id === '') return twitchError(reply, 400, 'Missing required parameter "user_id"');
          if (!requireUserToken(reply, token, 'user:read:moderated_channels')) return reply;
          if (world.userIndex(String(q.user_id)) !== token.user) return twitchError(reply, 401, 'The ID in user_id must match the user ID in the user access token');
          const page = readPage(q, reply, { max: 100, default: 20 });
          if (!page) return reply;
          const channels = moderatedBy(world, token.user!);
          const data = channels.slice(page.start, page.start + page.size).map((c) => ({ broadcaster_id: world.userId(c), broadcaster_login: world.login(c), broadcaster_name: world.displayName(c) }));
          return { data, pagination: pagination(page, channels.length) };
        },

        channels(q, _token, reply) {
          const ids = many(q.broadcaster_id);
          if (ids.length === 0) return twitchError(reply, 400, 'Missing required parameter "broadcaster_id"');
          if (tooMany(reply, ids)) return reply;
          const data = ids
            .map((id) => world.userIndex(id))
            .filter((c): c is number => c !== undefined && world.isBroadcaster(c))
            .map((c) => {
              const info = world.channelInfo(c);
              return {
                broadcaster_id: world.userId(c),
                broadcaster_login: world.login(c),
                broadcaster_name: world.displayName(c),
                broadcaster_language: info.language,
                game_id: info.game.id,
                game_name: info.game.name,
                title: info.title,
                delay: 0,
                tags: info.tags,
                content_classification_labels: [],
                is_branded_content: false,
              };
            });
          return { data };
        },
      };

      for (const prefix of ['/helix', '/mock']) {
        for (const [path, handler] of Object.entries(routes)) {
          app.get(`${prefix}/${path}`, async (request: FastifyRequest, reply: FastifyReply) => {
            const token = await helixGate(sim, request, reply);
            if (!token) return reply;
            return handler(request.query as Query, token, reply);
          });
        }
      }
    },
  };
}

function follower(world: World, f: { user: number; at: number }) {
  return { user_id: world.userId(f.user), user_login: world.login(f.user), user_name: world.displayName(f.user), followed_at: rfc3339(f.at) };
}

export { moderatedBy, moderatorsOf };
