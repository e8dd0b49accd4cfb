// The feed against a real Lurk on its simulator over real sockets: a favourited channel's subs,
// gifts, cheers and raids triggered in the simulated world each appear once in its feed, with the
// sources that reported them; EventSub redeliveries and forged webhooks change nothing; the
// routes (capitalised logins, read, read-all, clear, replay, overlay rotation, CSV, 401, 403).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Lurk } from '../../src/app.js';
import { LiveStore } from '../../src/live/store.js';
import type { LiveEvent, LivePush } from '../../src/live/types.js';
import { waitFor } from '../helpers/app.js';
import { blank } from '../../src/live/normalize.js';
import { type TestDatabase, tempSqlite } from '../helpers/db.js';
import { insertAccount, type LiveLogin, liveLogin } from '../helpers/live-session.js';
import { deliver, eventSubLurk, MASTER_KEY, simPost } from '../intake/helpers.js';

let db: TestDatabase;
let lurk: Lurk;
let base: string;
let me: LiveLogin;
/** the favourite: a live channel with viewers; the raider: another live channel */
let channel: { index: number; id: string; login: string };
let raider: { index: number; id: string; login: string };
/** the streamer's account is one the accounts part lists: follows, subs and cheers come from EventSub too */
let authorised = false;
/** what the feed handed the hub, by channel (the hub's own sockets are tested with the hub) */
const pushes: { channel: string; push: LivePush }[] = [];

async function get(path: string, login: LiveLogin | null = me, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers: { ...(login ? { cookie: login.cookie } : {}), ...headers } });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

async function send(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown = {}, login: LiveLogin | null = me, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { method, headers: { ...(login ? login.headers(base) : { 'content-type': 'application/json', origin: base }), ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function feed(): Promise<LiveEvent[]> {
  const r = await get(`/api/live/channels/${channel.login}/events?limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.body.events;
}

before(async () => {
  db = await tempSqlite();
  ({ lurk } = await eventSubLurk({ DATABASE_URL: db.url, LURK_SIM_SPEED: '0' }));
  base = await lurk.start();
  const hub = lurk.live.hub;
  const publish = hub.publish.bind(hub);
  hub.publish = (channel, push) => {
    pushes.push({ channel, push });
    publish(channel, push);
  };
  const world = lurk.simulator!.world;
  const live = [...world.liveChannelList()].filter((c) => world.viewersNow(c) > 0).sort((a, b) => world.viewersNow(b) - world.viewersNow(a));
  channel = { index: live[0]!, id: world.userId(live[0]!), login: world.login(live[0]!) };
  raider = { index: live[1]!, id: world.userId(live[1]!), login: world.login(live[1]!) };
  me = await liveLogin(lurk, MASTER_KEY, { id: '990000001', login: 'feed_tester' });
  // the streamer logged in with every feature: the simulator takes webhook subscriptions of these types on trust for the app token
  await insertAccount(lurk, MASTER_KEY, { id: channel.id, login: channel.login, scopes: ['moderator:read:followers', 'channel:read:subscriptions', 'bits:read'] });
  authorised = (await lurk.live.accounts.list()).some((a) => a.userId === channel.id);
  assert.ok(authorised, "the accounts part lists the streamer's account");
});

after(async () => {
  await lurk?.stop();
  await db?.drop();
});

describe('a favourited channel', () => {
  test('is added by a capitalised login through Helix; an unknown login is a 404 naming it', async () => {
    const added = await send('POST', '/api/live/favourites', { login: channel.login.toUpperCase() });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.favourite.login, channel.login);
    assert.equal(added.body.favourite.user_id, channel.id);
    const again = await send('POST', '/api/live/favourites', { login: channel.login });
    assert.equal(again.status, 200);
    const unknown = await send('POST', '/api/live/favourites', { login: 'no_such_user_zz9' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /no_such_user_zz9/);
    const bad = await send('POST', '/api/live/favourites', { login: 'not a login!' });
    assert.equal(bad.status, 400);
    const list = await get('/api/live/favourites');
    assert.deepEqual(
      list.body.favourites.map((f: { login: string }) => f.login),
      [channel.login],
    );
  });

  test("is read from chat and EventSub's public subscriptions; follows are unavailable until the streamer or a moderator logs in", async () => {
    await waitFor('the chat pool to join the favourite for live', () =>
      lurk.twitchAccess.chat.channels().some((c) => c.channel === channel.login && c.owners.includes('live') && c.state === 'joined'),
    );
    await waitFor('the public subscriptions enabled', () => {
      const mine = lurk.twitchAccess.eventsub.subscriptions().filter((s) => s.owners.includes('live'));
      return mine.length === (authorised ? 9 : 4) && mine.every((s) => s.state === 'enabled') ? mine : undefined;
    });
    const r = await waitFor('availability', async () => {
      const c = await get(`/api/live/channels/${channel.login.toUpperCase()}`);
      return c.body?.availability?.find((a: { type: string }) => a.type === 'raid')?.via?.length === 2 ? c : undefined;
    });
    const by = Object.fromEntries(r.body.availability.map((a: { type: string }) => [a.type, a]));
    assert.deepEqual(by.raid, { type: 'raid', available: true, via: ['eventsub', 'chat'], reason: null });
    assert.deepEqual(by.online.via, ['eventsub']);
    if (authorised) {
      assert.deepEqual(by.follow, { type: 'follow', available: true, via: ['eventsub'], reason: null });
      assert.deepEqual(by.sub.via, ['eventsub', 'chat']);
    } else {
      assert.equal(by.follow.available, false);
      assert.match(by.follow.reason, /streamer or a moderator/);
      assert.deepEqual(by.sub.via, ['chat']);
      assert.match(by.cheer.reason, /streamer/);
    }
    assert.equal(r.body.channel.live, true);
  });

  test('gets each triggered sub, gift, cheer and raid once, with the sources that reported it', async () => {
    const world = lurk.simulator!.world;
    const seenBefore = new Set(world.eventsBetween(0, Number.MAX_SAFE_INTEGER).map((e) => e.id));
    const trigger = (type: string, extra: Record<string, string> = {}) => simPost(lurk, '/_sim/trigger', { type, broadcaster_user_id: channel.id, ...extra });
    await trigger('channel.follow');
    await trigger('channel.cheer');
    await trigger('channel.cheer');
    // a trigger draws a sub, a resub or (one time in ten) a gift bomb: enough of them to see a bomb
    for (let i = 0; i < 40; i++) {
      await trigger('channel.subscribe');
      if (world.eventsBetween(0, Number.MAX_SAFE_INTEGER).some((e) => !seenBefore.has(e.id) && e.type === 'channel.subscription.gift')) break;
    }
    await simPost(lurk, '/_sim/trigger', { type: 'channel.raid', broadcaster_user_id: raider.id, to_broadcaster_user_id: channel.id });
    const truth = world.eventsBetween(0, Number.MAX_SAFE_INTEGER).filter((e) => !seenBefore.has(e.id) && (e.channel === channel.index || e.toChannel === channel.index));
    // without the streamer's login follows are not read at all
    const shown = truth.filter((e) => !(e.type === 'channel.subscribe' && e.isGift) && (authorised || e.type !== 'channel.follow') && e.type !== 'channel.update');
    assert.ok(
      shown.some((e) => e.type === 'channel.subscription.gift'),
      'the world drew a gift bomb',
    );

    const events = await waitFor(
      'every event in the feed, the raid from both sources',
      async () => {
        await lurk.live.feed.idle();
        const list = await feed();
        const raid = list.find((e) => e.type === 'raid');
        return list.length >= shown.length && raid?.sources.length === 2 ? list : undefined;
      },
      30_000,
    );
    await lurk.live.feed.idle();
    const settled = await feed();
    assert.equal(settled.length, events.length, 'no report came late as a second event');
    assert.equal(settled.length, shown.length, JSON.stringify(settled.map((e) => [e.type, e.sources])));

    const count = (type: string) => settled.filter((e) => e.type === type).length;
    assert.equal(count('cheer'), truth.filter((e) => e.type === 'channel.cheer').length);
    assert.equal(count('gift'), truth.filter((e) => e.type === 'channel.subscription.gift').length);
    assert.equal(count('sub') + count('resub'), truth.filter((e) => (e.type === 'channel.subscribe' && !e.isGift) || e.type === 'channel.subscription.message').length);
    const bomb = truth.find((e) => e.type === 'channel.subscription.gift')!;
    const gift = settled.find((e) => e.type === 'gift')!;
    assert.equal(gift.count, bomb.total);
    assert.equal(gift.anonymous, !!bomb.anonymous);
    assert.deepEqual(gift.sources, authorised ? ['chat', 'eventsub'] : ['chat']);
    assert.equal(count('follow'), authorised ? 1 : 0);
    const raid = settled.find((e) => e.type === 'raid')!;
    assert.deepEqual(raid.sources, ['chat', 'eventsub']);
    assert.equal(raid.user_login, raider.login);
    assert.equal(raid.viewers, truth.find((e) => e.type === 'channel.raid')!.viewers);
    for (const e of settled.filter((x) => x.type === 'cheer')) assert.ok((e.bits ?? 0) > 0);
    // each event was pushed when first read, and the raid again (same id) when its second source completed it
    const pushed = pushes.filter((p) => p.channel === channel.login && p.push.type === 'event').map((p) => (p.push as { event: LiveEvent }).event);
    for (const e of settled)
      assert.ok(
        pushed.some((p) => p.id === e.id),
        `${e.type} ${e.id} pushed`,
      );
    const raidPushes = pushed.filter((p) => p.id === raid.id);
    assert.equal(raidPushes.length, 2);
    assert.equal(raidPushes[0]!.sources.length, 1);
    assert.deepEqual(raidPushes[1]!.sources, ['chat', 'eventsub']);
    assert.equal(new Set(pushed.map((p) => p.id)).size, settled.length, 'no event pushed that is not in the feed');
    // the chat lines went out in batches, the cheers' among them
    await waitFor('a chat frame', () => pushes.some((p) => p.push.type === 'chat' && p.push.lines.some((l) => l.text.startsWith('Cheer'))) || undefined);
    // newest first
    assert.deepEqual(
      settled.map((e) => e.id),
      [...settled.map((e) => e.id)].sort((a, b) => b - a),
    );
  });

  test('the sockets: a session that favourites the channel (any case) or a valid overlay key opens one; hello has the recent events and chat', async () => {
    const sockets = lurk.live.feed.sockets;
    const request = (query: Record<string, string>, cookie?: string) => ({ query, headers: cookie ? { cookie } : {} }) as never;
    assert.equal(await sockets.authorize(request({ channel: channel.login.toUpperCase() }, me.cookie)), channel.login);
    await assert.rejects(sockets.authorize(request({ channel: channel.login })), { statusCode: 401 });
    await assert.rejects(sockets.authorize(request({ channel: raider.login }, me.cookie)), { statusCode: 404 });
    await assert.rejects(sockets.authorize(request({ channel: 'bad login' }, me.cookie)), { statusCode: 400 });
    const page = await get(`/api/live/channels/${channel.login}`);
    const key = new URL(page.body.overlay_url, base).searchParams.get('key')!;
    assert.equal(await sockets.authorize(request({ overlay: key, channel: channel.login })), channel.login);
    await assert.rejects(sockets.authorize(request({ overlay: `${key}x`, channel: channel.login })), { statusCode: 401 });
    const hello = await sockets.hello(channel.login);
    assert.equal(hello.type, 'hello');
    const events = await feed();
    if (hello.type !== 'hello') return;
    assert.deepEqual(
      hello.events.map((e) => e.id),
      events.slice(0, 50).map((e) => e.id),
    );
    // the cheers' PRIVMSGs are chat lines too
    assert.ok(
      hello.chat.some((l) => l.text.startsWith('Cheer')),
      JSON.stringify(hello.chat),
    );
    assert.ok(hello.chat.length <= 50);
  });

  test('a redelivered EventSub message id and a forged signature change nothing in the feed', async () => {
    const subscription = { type: 'channel.raid', version: '1', condition: { to_broadcaster_user_id: channel.id } };
    const event = {
      from_broadcaster_user_id: '12345678',
      from_broadcaster_user_login: 'someraider',
      from_broadcaster_user_name: 'SomeRaider',
      to_broadcaster_user_id: channel.id,
      to_broadcaster_user_login: channel.login,
      to_broadcaster_user_name: channel.login,
      viewers: 77,
    };
    const before = (await feed()).length;
    const id = 'raid-message-0001';
    assert.equal((await deliver(base, { id, subscription, event })).status, 204);
    await waitFor('the delivered raid', async () => {
      await lurk.intake.idle();
      await lurk.live.feed.idle();
      return (await feed()).length === before + 1 || undefined;
    });
    assert.equal((await deliver(base, { id, subscription, event })).status, 204);
    assert.equal((await deliver(base, { id: 'raid-message-0002', subscription, event, secret: 'forged' })).status, 403);
    await lurk.intake.idle();
    await lurk.live.feed.idle();
    const after = await feed();
    assert.equal(after.length, before + 1);
    const raids = after.filter((e) => e.user_login === 'someraider');
    assert.equal(raids.length, 1);
    assert.deepEqual(raids[0]!.sources, ['eventsub']);
    assert.equal(raids[0]!.viewers, 77);
  });

  test('live state follows stream.offline and stream.online, pushed as availability frames', async () => {
    const trigger = (type: string) => simPost(lurk, '/_sim/trigger', { type, broadcaster_user_id: channel.id });
    await trigger('stream.offline');
    await waitFor('the offline event', async () => {
      await lurk.live.feed.idle();
      return (await get(`/api/live/channels/${channel.login}`)).body.channel.live === false || undefined;
    });
    assert.equal((await feed())[0]!.type, 'offline');
    assert.ok(pushes.some((p) => p.push.type === 'availability' && p.push.channel === channel.login && p.push.live === false));
    await trigger('stream.online');
    await waitFor('the online event', async () => {
      await lurk.live.feed.idle();
      return (await get(`/api/live/channels/${channel.login}`)).body.channel.live === true || undefined;
    });
    const online = (await feed())[0]!;
    assert.equal(online.type, 'online');
    assert.deepEqual(online.sources, ['eventsub']);
    assert.equal((await get('/api/live/favourites')).body.favourites[0].live, true);
  });
});

describe('the routes', () => {
  test('refuse without a session (401) and a state change without the CSRF token (403)', async () => {
    assert.equal((await get('/api/live/favourites', null)).status, 401);
    assert.equal((await get(`/api/live/channels/${channel.login}/events`, null)).body.error.code, 'not_logged_in');
    const noCsrf = await fetch(`${base}/api/live/channels/${channel.login}/clear`, { method: 'POST', headers: { cookie: me.cookie, 'content-type': 'application/json', origin: base }, body: '{}' });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as { error: { code: string } }).error.code, 'csrf');
    const wrong = await send('POST', `/api/live/channels/${channel.login}/clear`, {}, me, { 'x-csrf-token': 'nope' });
    assert.equal(wrong.status, 403);
    // another user's favourites are not yours
    const other = await liveLogin(lurk, MASTER_KEY, { id: '990000002', login: 'other_tester' });
    assert.equal((await get(`/api/live/channels/${channel.login}`, other)).status, 404);
    assert.equal((await get(`/api/live/channels/${channel.login}/events`, other)).status, 404);
  });

  test('read one, read all, type filter and paging, clear, replay, rotate the overlay key, CSV: capitalised logins throughout', async () => {
    const LOGIN = channel.login.toUpperCase();
    const events = await feed();
    assert.ok(events.length >= 3);
    const first = events.at(-1)!;
    const read = await send('POST', `/api/live/channels/${LOGIN}/events/${first.id}/read`);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.event.read_by, me.login);
    assert.ok(read.body.event.read_at);
    assert.equal((await send('POST', `/api/live/channels/${LOGIN}/events/999999999/read`)).status, 404);
    assert.equal((await send('POST', `/api/live/channels/${LOGIN}/events/abc/read`)).status, 400);

    const unreadBefore = (await get(`/api/live/channels/${LOGIN}`)).body.unread;
    assert.equal(unreadBefore, events.length - 1);
    const upTo = events[1]!.id;
    const some = await send('POST', `/api/live/channels/${LOGIN}/read-all`, { up_to: upTo });
    assert.equal(some.body.read, events.length - 2);
    assert.equal((await get(`/api/live/channels/${LOGIN}`)).body.unread, 1);
    assert.equal((await send('POST', `/api/live/channels/${LOGIN}/read-all`, {})).body.read, 1);
    const favs = await get('/api/live/favourites');
    assert.equal(favs.body.favourites[0].unread, 0);

    const cheers = await get(`/api/live/channels/${LOGIN}/events?type=cheer,RAID&limit=1`);
    assert.equal(cheers.status, 200, cheers.text);
    assert.equal(cheers.body.events.length, 1);
    assert.ok(['cheer', 'raid'].includes(cheers.body.events[0].type));
    const next = await get(`/api/live/channels/${LOGIN}/events?type=cheer,raid&limit=1&before=${cheers.body.next_before}`);
    assert.ok(next.body.events[0].id < cheers.body.events[0].id);
    assert.equal((await get(`/api/live/channels/${LOGIN}/events?type=nope`)).status, 400);
    assert.equal((await get(`/api/live/channels/${LOGIN}/events?limit=501`)).status, 400);
    assert.equal((await get(`/api/live/channels/${LOGIN}/events?limit=0`)).status, 400);
    assert.equal((await get(`/api/live/channels/bad!login/events`)).status, 400);

    const csv = await get(`/api/live/channels/${LOGIN}/events?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.match(lines[0]!, /^id,at,type,user_login/);
    assert.equal(lines.length, events.length + 1);
    const accept = await get(`/api/live/channels/${LOGIN}/events`, me, { accept: 'text/csv' });
    assert.match(accept.headers.get('content-type') ?? '', /^text\/csv/);

    const replay = await send('POST', `/api/live/channels/${LOGIN}/events/${first.id}/replay`);
    assert.equal(replay.status, 202);
    const replayed = pushes.filter((p) => p.push.type === 'replay').at(-1)!;
    assert.equal(replayed.channel, channel.login);
    assert.equal((replayed.push as { event: LiveEvent }).event.id, first.id);
    const reads = pushes.filter((p) => p.push.type === 'read').map((p) => p.push);
    assert.deepEqual(
      reads.map((r) => r.type === 'read' && [r.ids, r.up_to, r.read_by]),
      [
        [[first.id], null, me.login],
        [[], upTo, me.login],
        [[], events[0]!.id, me.login],
      ],
    );
    assert.equal((await feed()).length, events.length, 'a replay stores nothing');

    const cleared = await send('POST', `/api/live/channels/${LOGIN}/clear`);
    assert.equal(cleared.body.cleared_before, events[0]!.id);
    assert.equal((await get(`/api/live/channels/${LOGIN}`)).body.cleared_before, events[0]!.id);
    assert.equal((await feed()).length, events.length, 'history is kept');

    const page = await get(`/api/live/channels/${LOGIN}`);
    const url = new URL(page.body.overlay_url, base);
    assert.equal(url.pathname, '/overlay/live');
    assert.equal(url.searchParams.get('channel'), channel.login);
    const key = url.searchParams.get('key')!;
    const overlay = await get(`/api/live/overlay?channel=${LOGIN}&key=${encodeURIComponent(key)}`, null);
    assert.equal(overlay.status, 200, overlay.text);
    assert.equal(overlay.body.channel.login, channel.login);
    // cleared: the overlay starts empty, and so does its socket's hello (a session's has the events)
    assert.deepEqual(overlay.body.events, []);
    const sockets = lurk.live.feed.sockets;
    const overlaySocket = { query: { overlay: key, channel: LOGIN }, headers: {} } as never;
    assert.equal(await sockets.authorize(overlaySocket), channel.login);
    const overlayHello = await sockets.hello(channel.login, overlaySocket);
    assert.ok(overlayHello.type === 'hello');
    assert.deepEqual(overlayHello.events, []);
    const sessionHello = await sockets.hello(channel.login);
    assert.ok(sessionHello.type === 'hello' && sessionHello.events.length > 0);
    const rotated = await send('POST', `/api/live/channels/${LOGIN}/overlay/rotate`);
    assert.notEqual(rotated.body.overlay_url, page.body.overlay_url);
    assert.equal((await get(`/api/live/overlay?channel=${LOGIN}&key=${encodeURIComponent(key)}`, null)).status, 401);
    const newKey = new URL(rotated.body.overlay_url, base).searchParams.get('key')!;
    assert.equal((await get(`/api/live/overlay?channel=${LOGIN}&key=${encodeURIComponent(newKey)}`, null)).status, 200);
    assert.equal((await get(`/api/live/overlay?channel=${LOGIN}&key=${encodeURIComponent(`${me.userId}.forged`)}`, null)).status, 401);
  });

  test('the hourly prune forgets events older than LURK_LIVE_RETENTION_DAYS (90 by default) and keeps the others', async () => {
    assert.ok(lurk.scheduler.get('live.prune'), 'the prune is a job');
    const store = new LiveStore(lurk.store.db);
    const before = (await feed()).length;
    const now = lurk.clock.now();
    const old = { ...blank(channel.login, channel.id, 'follow', 0, 'eventsub'), user_id: '5', user_login: 'old', user_name: 'Old' };
    await store.record({ ...old, at: now - 91 * 86_400_000, dedupKey: 'follow:old1' }, 60_000);
    await store.record({ ...old, at: now - 89 * 86_400_000, dedupKey: 'follow:old2' }, 60_000);
    assert.equal((await feed()).length, before + 2);
    assert.equal(await lurk.live.feed.prune(), 1);
    const left = await feed();
    assert.equal(left.length, before + 1);
    assert.ok(left.some((e) => e.user_login === 'old'));
  });

  test('reorder and remove favourites; nobody favouriting a channel any more drops its subscriptions and chat', async () => {
    const second = lurk.simulator!.world.login(raider.index);
    assert.equal((await send('POST', '/api/live/favourites', { login: second })).status, 201);
    const order = await send('PUT', '/api/live/favourites/order', { logins: [second.toUpperCase(), channel.login] });
    assert.equal(order.status, 200, JSON.stringify(order.body));
    assert.deepEqual(
      order.body.favourites.map((f: { login: string; position: number }) => [f.login, f.position]),
      [
        [second, 0],
        [channel.login, 1],
      ],
    );
    assert.equal((await send('PUT', '/api/live/favourites/order', { logins: [second] })).status, 400);
    assert.equal((await send('PUT', '/api/live/favourites/order', { logins: [second, second] })).status, 400);
    assert.equal((await send('DELETE', `/api/live/favourites/${second.toUpperCase()}`)).status, 204);
    assert.equal((await send('DELETE', `/api/live/favourites/${channel.login}`)).status, 204);
    assert.deepEqual((await get('/api/live/favourites')).body.favourites, []);
    await lurk.live.feed.idle();
    assert.deepEqual(
      lurk.twitchAccess.eventsub.subscriptions().filter((s) => s.owners.includes('live')),
      [],
    );
    assert.ok(!lurk.twitchAccess.chat.channels().some((c) => c.owners.includes('live')));
  });
});
