// The feed's routes over a real Fastify and real SQLite, with Helix, the session and the feed's
// channel state stood in for: what the routes decide themselves (read-all against a concurrent
// insert, overlay keys across remove and re-add, renamed channels, removing a non-favourite).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { LiveFeed } from '../../src/live/feed.js';
import { blank, type ReadEvent } from '../../src/live/normalize.js';
import { overlayKeys } from '../../src/live/overlay.js';
import { liveRoutes } from '../../src/live/routes.js';
import { LiveStore } from '../../src/live/store.js';
import type { LivePush } from '../../src/live/types.js';
import { openStore } from '../../src/store/database.js';
import type { TwitchUser } from '../../src/twitch/users.js';
import { installErrorHandling } from '../../src/web/errors.js';
import type { Sessions } from '../../src/web/sessions.js';
import { tempSqlite } from '../helpers/db.js';

const T = Date.UTC(2026, 11, 1, 18, 0);
const ME = { sessionId: 's', userId: '900', login: 'me', displayName: 'Me', scopes: [], csrf: 'c' };

interface Harness {
  app: FastifyInstance;
  store: LiveStore;
  pushes: LivePush[];
  /** what Helix `users` answers, by login */
  users: Map<string, TwitchUser>;
  refreshes: number;
}

async function withRoutes(t: { after(fn: () => Promise<void>): void }, wrap: (s: LiveStore) => LiveStore = (s) => s): Promise<Harness> {
  const db = await tempSqlite();
  const opened = await openStore({ url: db.url });
  await opened.migrate();
  const app = Fastify();
  t.after(async () => {
    await app.close();
    await opened.close();
    await db.drop();
  });
  installErrorHandling(app);
  const store = wrap(new LiveStore(opened.db));
  const h: Harness = { app, store, pushes: [], users: new Map(), refreshes: 0 };
  const sessions = { require: async () => ME, user: async () => ME } as unknown as Sessions;
  const feed = {
    channel: () => undefined,
    availabilityOf: () => [],
    refresh: async () => {
      h.refreshes++;
    },
  } as unknown as LiveFeed;
  await app.register(liveRoutes, {
    sessions,
    store,
    feed,
    keys: overlayKeys(Buffer.alloc(32, 7)),
    lookupUsers: async (logins) => logins.flatMap((l) => (h.users.has(l) ? [h.users.get(l)!] : [])),
    publish: (_channel, push) => h.pushes.push(push),
    now: () => T,
  });
  return h;
}

const call = async (h: Harness, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
  const r = await h.app.inject({ method, url, ...(body !== undefined ? { payload: body as object } : {}) });
  return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
};

function report(channelId: string, login: string, userId: string): ReadEvent {
  return { ...blank(login, channelId, 'follow', T, 'eventsub'), user_id: userId, user_login: `u${userId}`, user_name: `U${userId}`, dedupKey: `follow:${userId}` };
}

test('read-all without up_to: an event stored while it runs is either read or past the pushed up_to', async (t) => {
  let late: (() => Promise<void>) | undefined;
  const h = await withRoutes(t, (s) => {
    // the feed stores an event at the worst moment: while read-all asks for the newest id
    const newestId = s.newestId.bind(s);
    s.newestId = async (channelId) => {
      await late?.();
      late = undefined;
      return newestId(channelId);
    };
    return s;
  });
  h.users.set('streamer', { id: '100', login: 'streamer', display_name: 'Streamer' });
  assert.equal((await call(h, 'POST', '/api/live/favourites', { login: 'streamer' })).status, 201);
  await h.store.record(report('100', 'streamer', '1'), 60_000);
  late = async () => {
    await h.store.record(report('100', 'streamer', '2'), 60_000);
  };
  const r = await call(h, 'POST', '/api/live/channels/streamer/read-all', {});
  assert.equal(r.status, 200);
  const push = h.pushes.find((p) => p.type === 'read');
  assert.ok(push && push.type === 'read' && push.up_to !== null);
  const events = await h.store.events('100', { limit: 10 });
  assert.equal(events.length, 2);
  for (const e of events) if (e.id <= push.up_to!) assert.notEqual(e.read_at, null, `event ${e.id} is within the pushed up_to but unread`);
});

test('overlay keys never come back: rotated, then the favourite removed and added again, both old keys are 401', async (t) => {
  const h = await withRoutes(t);
  h.users.set('streamer', { id: '100', login: 'streamer', display_name: 'Streamer' });
  const overlay = async (url: string) => call(h, 'GET', `/api/live/overlay?${new URL(url, 'http://x').searchParams}`);
  const urlNow = async () => (await call(h, 'GET', '/api/live/channels/streamer')).body.overlay_url as string;
  assert.equal((await call(h, 'POST', '/api/live/favourites', { login: 'streamer' })).status, 201);
  const first = await urlNow();
  assert.equal((await overlay(first)).status, 200);
  const rotated = (await call(h, 'POST', '/api/live/channels/streamer/overlay/rotate', {})).body.overlay_url as string;
  assert.notEqual(rotated, first);
  assert.equal((await overlay(first)).status, 401);
  assert.equal((await overlay(rotated)).status, 200);
  assert.equal((await call(h, 'DELETE', '/api/live/favourites/streamer', {})).status, 204);
  assert.equal((await call(h, 'POST', '/api/live/favourites', { login: 'streamer' })).status, 201);
  const again = await urlNow();
  for (const old of [first, rotated]) {
    const r = await overlay(old);
    assert.equal(r.status, 401, old);
    assert.equal(r.body.error.code, 'bad_overlay_key');
  }
  assert.equal((await overlay(again)).status, 200);
});

test('a channel renamed at Twitch: found by its new login (the favourite follows), added again under it as the same favourite; its overlay key still opens it', async (t) => {
  const h = await withRoutes(t);
  h.users.set('oldname', { id: '100', login: 'oldname', display_name: 'OldName' });
  assert.equal((await call(h, 'POST', '/api/live/favourites', { login: 'oldname' })).status, 201);
  const overlayUrl = (await call(h, 'GET', '/api/live/channels/oldname')).body.overlay_url as string;
  h.users.delete('oldname');
  h.users.set('newname', { id: '100', login: 'newname', display_name: 'NewName' });
  const refreshes = h.refreshes;
  const page = await call(h, 'GET', '/api/live/channels/NewName');
  assert.equal(page.status, 200, JSON.stringify(page.body));
  assert.deepEqual([page.body.channel.login, page.body.channel.display_name, page.body.channel.user_id], ['newname', 'NewName', '100']);
  assert.ok(h.refreshes > refreshes, 'the feed reads the favourites again (chat under the new login)');
  assert.deepEqual(
    (await call(h, 'GET', '/api/live/favourites')).body.favourites.map((f: { login: string }) => f.login),
    ['newname'],
  );
  assert.equal((await call(h, 'GET', '/api/live/channels/oldname')).status, 404);
  // renamed back while nobody looked: adding it under that name is the same favourite
  h.users.delete('newname');
  h.users.set('oldname', { id: '100', login: 'oldname', display_name: 'OldName' });
  const again = await call(h, 'POST', '/api/live/favourites', { login: 'oldname' });
  assert.equal(again.status, 200);
  assert.equal(again.body.favourite.login, 'oldname');
  assert.equal((await call(h, 'GET', '/api/live/favourites')).body.favourites.length, 1);
  const overlay = await call(h, 'GET', `/api/live/overlay?${new URL(overlayUrl, 'http://x').searchParams}`);
  assert.equal(overlay.status, 200);
  h.users.delete('oldname');
  h.users.set('third', { id: '100', login: 'third', display_name: 'Third' });
  assert.equal((await call(h, 'GET', '/api/live/channels/third')).status, 200);
  assert.equal((await call(h, 'GET', `/api/live/overlay?${new URL(overlayUrl, 'http://x').searchParams}`)).status, 200, 'the URL names the old login');
});

test('removing a login that is not a favourite is a 404 naming it', async (t) => {
  const h = await withRoutes(t);
  h.users.set('someone', { id: '300', login: 'someone', display_name: 'Someone' });
  const r = await call(h, 'DELETE', '/api/live/favourites/Someone', {});
  assert.equal(r.status, 404);
  assert.match(r.body.error.message, /someone/);
  assert.equal((await call(h, 'DELETE', '/api/live/favourites/nobody_at_all', {})).status, 404);
});
