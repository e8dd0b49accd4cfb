// Favourites and channel feeds over HTTP (/api/live): every route needs a logged-in session
// (state-changing ones its CSRF token too), but the overlay's, which its key opens. Logins are
// taken in any case and lower-cased.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, HttpError, notFound } from '../core/errors.js';
import { LOGIN, type LookupUsers, usersByLogin } from '../twitch/users.js';
import { sendCsv } from '../web/csv.js';
import { wireSchema } from '../web/schema-type.js';
import type { SessionUser, Sessions } from '../web/sessions.js';
import type { LiveFeed } from './feed.js';
import type { OverlayKeys } from './overlay.js';
import type { FavouriteRecord, LiveStore } from './store.js';
import { LIVE_EVENT_TYPES, type LiveAvailability, type LiveEvent, type LiveFavourite, type LivePush } from './types.js';

export const MAX_FAVOURITES = 100;
const OVERLAY_EVENTS = 10;

export interface LiveRoutesOptions {
  sessions: Sessions;
  store: LiveStore;
  feed: LiveFeed;
  keys: OverlayKeys;
  lookupUsers: LookupUsers;
  publish(channel: string, push: LivePush): void;
  now(): number;
}

const LOGIN_PARAM = { type: 'string', maxLength: 64, description: 'a Twitch login (any case)' } as const;
const NULLABLE_STRING = { type: ['string', 'null'] } as const;
const NULLABLE_INT = { type: ['integer', 'null'] } as const;

const eventSchema = wireSchema<LiveEvent>()({
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    channel_id: { type: 'string' },
    type: { type: 'string', enum: [...LIVE_EVENT_TYPES] },
    at: { type: 'string' },
    user_id: NULLABLE_STRING,
    user_login: NULLABLE_STRING,
    user_name: NULLABLE_STRING,
    anonymous: { type: 'boolean' },
    tier: NULLABLE_STRING,
    months: NULLABLE_INT,
    streak: NULLABLE_INT,
    count: NULLABLE_INT,
    bits: NULLABLE_INT,
    viewers: NULLABLE_INT,
    message: { type: 'string' },
    title: NULLABLE_STRING,
    category: NULLABLE_STRING,
    sources: { type: 'array', items: { type: 'string', enum: ['eventsub', 'chat'] } },
    read_at: NULLABLE_STRING,
    read_by: NULLABLE_STRING,
  },
});

const availabilitySchema = wireSchema<LiveAvailability>()({
  type: 'object',
  properties: {
    type: { type: 'string', enum: [...LIVE_EVENT_TYPES] },
    available: { type: 'boolean' },
    via: { type: 'array', items: { type: 'string', enum: ['eventsub', 'chat'] } },
    reason: NULLABLE_STRING,
  },
});

const favouriteSchema = wireSchema<LiveFavourite>()({
  type: 'object',
  properties: {
    login: { type: 'string' },
    user_id: { type: 'string' },
    display_name: { type: 'string' },
    position: { type: 'integer' },
    live: { type: ['boolean', 'null'] },
    unread: { type: 'integer' },
    availability: { type: 'array', items: availabilitySchema },
    cleared_before: { type: 'integer' },
  },
});

const channelSchema = {
  type: 'object',
  properties: {
    login: { type: 'string' },
    user_id: { type: 'string' },
    display_name: { type: 'string' },
    live: { type: ['boolean', 'null'] },
    title: NULLABLE_STRING,
    category: NULLABLE_STRING,
  },
} as const;

const favouritesSchema = { type: 'object', properties: { favourites: { type: 'array', items: favouriteSchema } } } as const;
const err = { $ref: 'Error#' } as const;
const errors = { 400: err, 401: err, 403: err, 404: err, 409: err, 415: err } as const;
const loginParams = { type: 'object', required: ['login'], properties: { login: LOGIN_PARAM } } as const;
const eventParams = { type: 'object', required: ['login', 'id'], properties: { login: LOGIN_PARAM, id: { type: 'string', maxLength: 20 } } } as const;
const emptyBody = { type: 'object', additionalProperties: false, properties: {} } as const;

const CSV_COLUMNS = [
  'id',
  'at',
  'type',
  'user_login',
  'user_name',
  'anonymous',
  'tier',
  'months',
  'streak',
  'count',
  'bits',
  'viewers',
  'message',
  'title',
  'category',
  'sources',
  'read_at',
  'read_by',
];

/** a login from a request, lower-cased; 400 naming `name` unless it is one */
export function parseLogin(value: unknown, name: string): string {
  const login = typeof value === 'string' ? value.toLowerCase() : '';
  if (!LOGIN.test(login)) throw badRequest(`${name} must be a Twitch login (1 to 25 letters, digits or _)`);
  return login;
}

function parseId(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : Number.NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`${name} must be an event id (a whole number)`);
  return n;
}

export async function liveRoutes(app: FastifyInstance, o: LiveRoutesOptions): Promise<void> {
  const { sessions, store, feed, keys } = o;

  /** the user's favourite of the channel Helix knows by `user`, renamed to its login now; undefined if none */
  const renamed = async (userId: string, found: { id: string; login: string; display_name: string }): Promise<FavouriteRecord | undefined> => {
    const f = await store.favouriteById(userId, found.id);
    if (!f) return undefined;
    const login = found.login.toLowerCase();
    if (f.login === login && f.displayName === found.display_name) return f;
    await store.renameChannel(found.id, login, found.display_name);
    await feed.refresh();
    return { ...f, login, displayName: found.display_name };
  };

  /** by login; a login none of them has is asked of Helix: it may be a favourite's new name */
  const favouriteOf = async (user: SessionUser, login: string): Promise<FavouriteRecord> => {
    const f = await store.favourite(user.userId, login);
    if (f) return f;
    const found = (await usersByLogin(o.lookupUsers, [login])).get(login);
    const r = found && (await renamed(user.userId, found));
    if (!r) throw notFound(`${login} is not one of your favourites`);
    return r;
  };

  const wire = async (favs: FavouriteRecord[]): Promise<LiveFavourite[]> => {
    const unread = await store.unread(favs.map((f) => ({ channelId: f.channelId, after: f.clearedBefore })));
    return favs.map((f) => ({
      login: f.login,
      user_id: f.channelId,
      display_name: f.displayName,
      position: f.position,
      live: feed.channel(f.login)?.live ?? null,
      unread: unread.get(f.channelId) ?? 0,
      availability: feed.availabilityOf(f.login),
      cleared_before: f.clearedBefore,
    }));
  };

  const channelOf = (f: FavouriteRecord) => {
    const c = feed.channel(f.login);
    return { login: f.login, user_id: f.channelId, display_name: f.displayName, live: c?.live ?? null, title: c?.title ?? null, category: c?.category ?? null };
  };

  const overlayUrl = (f: FavouriteRecord) => keys.url(f.login, keys.key(f.userId, f.channelId, f.overlaySalt));

  app.get(
    '/api/live/favourites',
    { schema: { tags: ['live'], summary: 'Your favourite channels, in your order, with live state, unread events and availability', response: { 200: favouritesSchema, 401: err } } },
    async (request) => {
      const user = await sessions.require(request);
      return { favourites: await wire(await store.favourites(user.userId)) };
    },
  );

  app.post<{ Body: { login: string } }>(
    '/api/live/favourites',
    {
      schema: {
        tags: ['live'],
        summary: `Add a favourite (a Twitch login, any case; checked with Helix; at most ${MAX_FAVOURITES}). 201 when added, 200 when it was one already`,
        body: { type: 'object', required: ['login'], additionalProperties: false, properties: { login: LOGIN_PARAM } },
        response: { 200: { type: 'object', properties: { favourite: favouriteSchema } }, 201: { type: 'object', properties: { favourite: favouriteSchema } }, ...errors },
      },
    },
    async (request, reply) => {
      const user = await sessions.require(request);
      const login = parseLogin(request.body.login, 'login');
      const there = await store.favourite(user.userId, login);
      if (there) return { favourite: (await wire([there]))[0] };
      if ((await store.countFavourites(user.userId)) >= MAX_FAVOURITES) throw new HttpError(409, 'too_many_favourites', `at most ${MAX_FAVOURITES} favourites: remove one first`);
      const found = (await usersByLogin(o.lookupUsers, [login])).get(login);
      if (!found) throw notFound(`Twitch has no user ${login}`);
      // a favourite under its old name
      const known = await renamed(user.userId, found);
      if (known) return { favourite: (await wire([known]))[0] };
      await store.addFavourite({ userId: user.userId, channelId: found.id, login, displayName: found.display_name, addedAt: o.now() });
      await feed.refresh();
      const added = await favouriteOf(user, login);
      reply.code(201);
      return { favourite: (await wire([added]))[0] };
    },
  );

  app.delete<{ Params: { login: string } }>(
    '/api/live/favourites/:login',
    {
      schema: {
        tags: ['live'],
        summary: 'Remove a favourite (its events stay while someone else favourites it; your clear view and overlay key go); 404 unless it is one',
        params: loginParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      if (await store.removeFavourite(user.userId, f.login)) await feed.refresh();
      return reply.code(204).send();
    },
  );

  app.put<{ Body: { logins: string[] } }>(
    '/api/live/favourites/order',
    {
      schema: {
        tags: ['live'],
        summary: 'Reorder your favourites: every one of them, once each, in the new order',
        body: { type: 'object', required: ['logins'], additionalProperties: false, properties: { logins: { type: 'array', maxItems: MAX_FAVOURITES + 1, items: LOGIN_PARAM } } },
        response: { 200: favouritesSchema, ...errors },
      },
    },
    async (request) => {
      const user = await sessions.require(request);
      const logins = request.body.logins.map((l, i) => parseLogin(l, `logins[${i}]`));
      const favs = await store.favourites(user.userId);
      const mine = new Set(favs.map((f) => f.login));
      if (new Set(logins).size !== logins.length || logins.length !== mine.size || !logins.every((l) => mine.has(l))) throw badRequest('logins must list every one of your favourites exactly once');
      await store.reorder(user.userId, logins);
      return { favourites: await wire(await store.favourites(user.userId)) };
    },
  );

  app.get<{ Params: { login: string } }>(
    '/api/live/channels/:login',
    {
      schema: {
        tags: ['live'],
        summary: 'One of your favourites: the channel, what its feed can show (availability), your overlay URL, your clear view and unread events',
        params: loginParams,
        response: {
          200: {
            type: 'object',
            properties: {
              channel: channelSchema,
              availability: { type: 'array', items: availabilitySchema },
              overlay_url: { type: 'string' },
              cleared_before: { type: 'integer' },
              unread: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      const [w] = await wire([f]);
      return { channel: channelOf(f), availability: w!.availability, overlay_url: overlayUrl(f), cleared_before: f.clearedBefore, unread: w!.unread };
    },
  );

  app.get<{ Params: { login: string }; Querystring: { type?: string; before?: string; limit?: string; format?: string } }>(
    '/api/live/channels/:login/events',
    {
      schema: {
        tags: ['live'],
        summary: "A favourite's events, newest first (JSON, or CSV with format=csv or Accept: text/csv); `next_before` pages on. Your clear view does not hide them here",
        params: loginParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', maxLength: 200, description: `comma-separated event types: ${LIVE_EVENT_TYPES.join(', ')}` },
            before: { type: 'string', maxLength: 20, description: 'events with a smaller id than this' },
            limit: { type: 'string', maxLength: 4, description: '1 to 500, default 50' },
            format: { type: 'string', enum: ['json', 'csv'] },
          },
        },
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: eventSchema }, next_before: NULLABLE_INT } }, ...errors },
      },
    },
    async (request, reply) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      const q = request.query;
      const types = q.type ? q.type.split(',').map((t) => t.trim().toLowerCase()) : [];
      for (const t of types) if (!(LIVE_EVENT_TYPES as readonly string[]).includes(t)) throw badRequest(`type must be a comma-separated list of ${LIVE_EVENT_TYPES.join(', ')}; not ${t}`);
      const before = q.before === undefined ? undefined : parseId(q.before, 'before');
      const limit = q.limit === undefined ? 50 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest('limit must be a whole number from 1 to 500');
      const events = await store.events(f.channelId, { types, ...(before !== undefined ? { before } : {}), limit });
      const next_before = events.length === limit ? events.at(-1)!.id : null;
      if (q.format === 'csv' || (q.format === undefined && wantsCsv(request)))
        return sendCsv(
          reply,
          `${f.login}-events`,
          events.map((e) => ({ ...e, sources: e.sources.join(' ') })),
          CSV_COLUMNS,
        );
      return { events, next_before };
    },
  );

  app.post<{ Params: { login: string; id: string } }>(
    '/api/live/channels/:login/events/:id/read',
    {
      schema: {
        tags: ['live'],
        summary: 'Acknowledge one event (shown as read to everyone watching the channel)',
        params: eventParams,
        response: { 200: { type: 'object', properties: { event: eventSchema } }, ...errors },
      },
    },
    async (request) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      const id = parseId(request.params.id, 'id');
      const at = o.now();
      const event = await store.markRead(f.channelId, id, user.login, at);
      if (!event) throw notFound(`${f.login} has no event ${id}`);
      o.publish(f.login, { type: 'read', channel: f.login, ids: [id], up_to: null, read_by: user.login, read_at: new Date(at).toISOString() });
      return { event };
    },
  );

  app.post<{ Params: { login: string }; Body: { up_to?: number } }>(
    '/api/live/channels/:login/read-all',
    {
      schema: {
        tags: ['live'],
        summary: 'Acknowledge every unread event (up to `up_to`, an event id, when given); answers how many',
        params: loginParams,
        body: { type: 'object', additionalProperties: false, properties: { up_to: { type: 'integer', minimum: 0 } } },
        response: { 200: { type: 'object', properties: { read: { type: 'integer' } } }, ...errors },
      },
    },
    async (request) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      // the newest id first: an event stored while this runs stays unread, and the push says so
      const upTo = request.body?.up_to ?? (await store.newestId(f.channelId));
      const at = o.now();
      const read = await store.markAllRead(f.channelId, upTo, user.login, at);
      o.publish(f.login, { type: 'read', channel: f.login, ids: [], up_to: upTo, read_by: user.login, read_at: new Date(at).toISOString() });
      return { read };
    },
  );

  app.post<{ Params: { login: string; id: string } }>(
    '/api/live/channels/:login/events/:id/replay',
    {
      schema: {
        tags: ['live'],
        summary: "Show an event again on the channel's page and overlay (nothing is stored)",
        params: eventParams,
        body: emptyBody,
        response: { 202: { type: 'object', properties: {} }, ...errors },
      },
    },
    async (request, reply) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      const id = parseId(request.params.id, 'id');
      const event = await store.event(f.channelId, id);
      if (!event) throw notFound(`${f.login} has no event ${id}`);
      o.publish(f.login, { type: 'replay', event });
      return reply.code(202).send({});
    },
  );

  app.post<{ Params: { login: string } }>(
    '/api/live/channels/:login/clear',
    {
      schema: {
        tags: ['live'],
        summary: 'Clear your view of the feed: events up to now are hidden from you (kept for everyone, and in the history)',
        params: loginParams,
        body: emptyBody,
        response: { 200: { type: 'object', properties: { cleared_before: { type: 'integer' } } }, ...errors },
      },
    },
    async (request) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      const cleared_before = await store.newestId(f.channelId);
      await store.setClearedBefore(user.userId, f.channelId, cleared_before);
      return { cleared_before };
    },
  );

  app.post<{ Params: { login: string } }>(
    '/api/live/channels/:login/overlay/rotate',
    {
      schema: {
        tags: ['live'],
        summary: 'A new overlay URL for this channel; the old one stops working',
        params: loginParams,
        body: emptyBody,
        response: { 200: { type: 'object', properties: { overlay_url: { type: 'string' } } }, ...errors },
      },
    },
    async (request) => {
      const user = await sessions.require(request);
      const f = await favouriteOf(user, parseLogin(request.params.login, 'login'));
      return { overlay_url: overlayUrl(await store.rotateOverlay(user.userId, f.channelId)) };
    },
  );

  app.get<{ Querystring: { channel?: string; key?: string } }>(
    '/api/live/overlay',
    {
      schema: {
        tags: ['live'],
        summary: "The overlay's channel and its last 10 events (no session: the overlay URL's key opens it)",
        querystring: { type: 'object', additionalProperties: false, properties: { channel: LOGIN_PARAM, key: { type: 'string', maxLength: 200 } } },
        response: { 200: { type: 'object', properties: { channel: channelSchema, events: { type: 'array', items: eventSchema } } }, ...errors },
      },
    },
    async (request) => {
      const f = await overlayFavourite(store, keys, request.query.channel, request.query.key);
      const events: LiveEvent[] = await store.events(f.channelId, { after: f.clearedBefore, limit: OVERLAY_EVENTS });
      return { channel: channelOf(f), events };
    },
  );
}

/** the favourite an overlay key opens; 401 for a missing or stale key, 400 for a bad channel */
export async function overlayFavourite(store: LiveStore, keys: OverlayKeys, channel: unknown, key: unknown): Promise<FavouriteRecord> {
  const login = parseLogin(channel, 'channel');
  if (typeof key !== 'string' || !key) throw new HttpError(401, 'bad_overlay_key', 'key is missing: use the overlay URL from the channel page');
  const userId = keys.userOf(key);
  const named = userId ? await store.favourite(userId, login) : undefined;
  // the URL names the channel as it was called when copied: a renamed channel's key still opens it
  const f = named ?? (userId ? (await store.favourites(userId)).find((c) => keys.verify(key, c.channelId, c.overlaySalt)) : undefined);
  if (!f || !keys.verify(key, f.channelId, f.overlaySalt))
    throw new HttpError(401, 'bad_overlay_key', 'this overlay key is not (or no longer) valid: copy the overlay URL again from the channel page');
  return f;
}

function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}
