// The feed's SQL on real SQLite and real PostgreSQL: one event for two sources' reports within the
// window (the second fills what the first lacked), two for two reports of one source, listing
// with type/before/limit, read and read-all, clear, unread counts, favourites and their order,
// and the retention prune.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blank, type ReadEvent } from '../../src/live/normalize.js';
import { LiveStore } from '../../src/live/store.js';
import { openStore } from '../../src/store/database.js';
import { tempPostgres, withEachDialect } from '../helpers/db.js';

const T = Date.UTC(2026, 11, 1, 18, 0);
const MIN = 60_000;
const WINDOW = 3 * MIN;

function report(patch: Partial<ReadEvent>): ReadEvent {
  return { ...blank('xqcow', '100', 'sub', T, 'eventsub'), user_id: '1', user_login: 'fan', user_name: 'Fan', tier: '1000', dedupKey: 'sub:1', ...patch };
}

async function withStore(t: Parameters<typeof withEachDialect>[0], fn: (s: LiveStore) => Promise<void>) {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      await fn(new LiveStore(store.db, store.kind));
    } finally {
      await store.close();
    }
  });
}

test('two sources within the window are one event; one source twice, or outside the window, two (but for a sub, raid or follow: one)', async (t) => {
  await withStore(t, async (s) => {
    const a = await s.record(report({}), WINDOW);
    assert.equal(a.created, true);
    assert.deepEqual(a.event.sources, ['eventsub']);
    const b = await s.record(report({ source: 'chat', tier: 'prime', message: 'hi', at: T + 20_000 }), WINDOW);
    assert.equal(b.created, false);
    assert.equal(b.event.id, a.event.id);
    assert.deepEqual(b.event.sources, ['chat', 'eventsub']);
    assert.equal(b.event.tier, 'prime');
    assert.equal(b.event.message, 'hi');
    const stored = await s.event('100', a.event.id);
    assert.deepEqual(stored, b.event);
    // the same source again: a sub (a raid, a follow) cannot be twice in minutes, so it is the same one delivered twice
    const again = await s.record(report({ at: T + 30_000 }), WINDOW);
    assert.deepEqual(again, { event: b.event, created: false, duplicate: true });
    // but two cheers of the same bits by one user are two events
    const cheer = (patch: Partial<ReadEvent>) => report({ type: 'cheer', bits: 100, tier: null, dedupKey: 'cheer:1:100', ...patch });
    const c1 = await s.record(cheer({ at: T + 30_000 }), WINDOW);
    const c = await s.record(cheer({ at: T + 35_000 }), WINDOW);
    assert.equal(c1.created, true);
    assert.equal(c.created, true);
    assert.notEqual(c.event.id, c1.event.id);
    // chat's reports of them merge into each once
    const d1 = await s.record(cheer({ source: 'chat', at: T + 40_000 }), WINDOW);
    const d = await s.record(cheer({ source: 'chat', at: T + 40_000 }), WINDOW);
    assert.equal(d1.event.id, c1.event.id);
    assert.equal(d.event.id, c.event.id);
    // outside the window
    const e = await s.record(report({ source: 'chat', at: T + 10 * MIN }), WINDOW);
    assert.equal(e.created, true);
    // another channel's same key
    const f = await s.record(report({ channel_id: '200', channel: 'other', source: 'chat' }), WINDOW);
    assert.equal(f.created, true);
    assert.equal((await s.events('100', { limit: 50 })).length, 4);
    assert.equal((await s.events('200', { limit: 50 })).length, 1);
  });
});

test('listing newest first with type, before and limit; read, read-all, unread and the newest id', async (t) => {
  await withStore(t, async (s) => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const type = i % 2 === 0 ? 'cheer' : 'follow';
      ids.push((await s.record(report({ type, dedupKey: `${type}:${i}`, at: T + i * 1000, bits: type === 'cheer' ? 100 : null }), WINDOW)).event.id);
    }
    assert.deepEqual(
      (await s.events('100', { limit: 10 })).map((e) => e.id),
      [...ids].reverse(),
    );
    const cheers = await s.events('100', { types: ['cheer'], limit: 2 });
    assert.deepEqual(
      cheers.map((e) => e.id),
      [ids[4], ids[2]],
    );
    assert.deepEqual(
      (await s.events('100', { types: ['cheer'], before: ids[2]!, limit: 2 })).map((e) => e.id),
      [ids[0]],
    );
    assert.equal(cheers[0]!.bits, 100);
    assert.equal(await s.newestId('100'), ids[5]);
    assert.equal(await s.newestId('nope'), 0);

    const read = await s.markRead('100', ids[0]!, 'someone', T + 5000);
    assert.equal(read!.read_by, 'someone');
    assert.equal(read!.read_at, new Date(T + 5000).toISOString());
    assert.equal(await s.markRead('100', 999_999, 'someone', T), undefined);
    assert.deepEqual(await s.unread([{ channelId: '100', after: 0 }]), new Map([['100', 5]]));
    assert.deepEqual(await s.unread([{ channelId: '100', after: ids[3]! }]), new Map([['100', 2]]));
    // one query for many channels, each after its own clear view; a channel without events has 0
    await s.record(report({ channel_id: '200', channel: 'other', type: 'follow', dedupKey: 'follow:9' }), WINDOW);
    assert.deepEqual(
      await s.unread([
        { channelId: '100', after: ids[3]! },
        { channelId: '200', after: 0 },
        { channelId: '300', after: 0 },
      ]),
      new Map([
        ['100', 2],
        ['200', 1],
        ['300', 0],
      ]),
    );
    assert.deepEqual(await s.unread([]), new Map());
    assert.equal(await s.markAllRead('100', ids[2], 'other', T + 6000), 2);
    assert.equal(await s.markAllRead('100', undefined, 'other', T + 7000), 3);
    assert.deepEqual(await s.unread([{ channelId: '100', after: 0 }]), new Map([['100', 0]]));
    // the first one keeps its own acknowledgement
    assert.equal((await s.event('100', ids[0]!))!.read_by, 'someone');
  });
});

test('favourites: added at the end once, reordered, cleared, the overlay generation bumped, removed', async (t) => {
  await withStore(t, async (s) => {
    assert.equal(await s.addFavourite({ userId: 'u1', channelId: '100', login: 'xqcow', displayName: 'xQcOW', addedAt: T }), true);
    assert.equal(await s.addFavourite({ userId: 'u1', channelId: '100', login: 'xqcow', displayName: 'xQcOW', addedAt: T }), false);
    await s.addFavourite({ userId: 'u1', channelId: '200', login: 'other', displayName: 'Other', addedAt: T + 1 });
    await s.addFavourite({ userId: 'u2', channelId: '200', login: 'other', displayName: 'Other', addedAt: T + 2 });
    assert.deepEqual(
      (await s.favourites('u1')).map((f) => [f.login, f.position]),
      [
        ['xqcow', 0],
        ['other', 1],
      ],
    );
    await s.reorder('u1', ['other', 'xqcow']);
    assert.deepEqual(
      (await s.favourites('u1')).map((f) => f.login),
      ['other', 'xqcow'],
    );
    assert.equal(await s.countFavourites('u1'), 2);
    assert.deepEqual(
      (await s.favouritedChannels()).map((c) => c.channelId),
      ['100', '200'],
    );
    await s.setClearedBefore('u1', '100', 42);
    assert.equal((await s.favourite('u1', 'xqcow'))!.clearedBefore, 42);
    assert.equal((await s.favourite('u2', 'other'))!.clearedBefore, 0);
    const salt = (await s.favouriteById('u1', '100'))!.overlaySalt;
    assert.equal((await s.rotateOverlay('u1', '100')).overlayGeneration, 1);
    const rotated = await s.rotateOverlay('u1', '100');
    assert.equal(rotated.overlayGeneration, 2);
    assert.deepEqual(await s.favouriteById('u1', '100'), rotated);
    assert.ok(salt.length >= 20 && rotated.overlaySalt.length >= 20 && rotated.overlaySalt !== salt);
    assert.equal(await s.removeFavourite('u1', 'xqcow'), true);
    assert.equal(await s.removeFavourite('u1', 'xqcow'), false);
    assert.deepEqual(
      (await s.favouritedChannels()).map((c) => c.channelId),
      ['200'],
    );
  });
});

test('the prune forgets events older than the cut, in batches, and keeps the rest', async (t) => {
  await withStore(t, async (s) => {
    for (let i = 0; i < 12; i++) await s.record(report({ dedupKey: `k${i}`, at: T - (12 - i) * 86_400_000 }), WINDOW);
    assert.equal(await s.prune(T - 5 * 86_400_000), 7);
    const left = await s.events('100', { limit: 50 });
    assert.equal(left.length, 5);
    assert.ok(left.every((e) => Date.parse(e.at) >= T - 5 * 86_400_000));
    assert.equal(await s.prune(T - 5 * 86_400_000), 0);
  });
});

test('two processes (scale-out: PostgreSQL) storing the two sources of the same events at once settle on one event each', async () => {
  const db = await tempPostgres();
  const { url } = db;
  {
    const a = await openStore({ url });
    const b = await openStore({ url });
    try {
      await a.migrate();
      const sa = new LiveStore(a.db);
      const sb = new LiveStore(b.db);
      const keys = Array.from({ length: 20 }, (_, i) => `cheer:${i}:100`);
      await Promise.all(keys.flatMap((k) => [sa.record(report({ type: 'cheer', dedupKey: k }), WINDOW), sb.record(report({ type: 'cheer', dedupKey: k, source: 'chat' }), WINDOW)]));
      const events = await sa.events('100', { limit: 100 });
      assert.equal(events.length, keys.length);
      assert.ok(events.every((e) => e.sources.join() === 'chat,eventsub'));
    } finally {
      await b.close();
      await a.close();
      await db.drop();
    }
  }
});
