// The feed's intake with real SQLite and its Twitch surroundings stood in for: what reaches the
// bus more than once (a raid through Audience's subscription and Live's own) is one event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/core/logger.js';
import { type FeedEventSub, LiveFeed } from '../../src/live/feed.js';
import type { LiveAccounts } from '../../src/live/parts.js';
import { LiveStore } from '../../src/live/store.js';
import type { LivePush } from '../../src/live/types.js';
import { openStore } from '../../src/store/database.js';
import type { ChatWants } from '../../src/twitch/chat/types.js';
import type { EventSubNotification } from '../../src/twitch/eventsub/events.js';
import type { SubscriptionState } from '../../src/twitch/eventsub/manager.js';
import { tempSqlite } from '../helpers/db.js';

const T = Date.UTC(2026, 11, 1, 18, 0);

interface FeedHarness {
  feed: LiveFeed;
  store: LiveStore;
  pushes: { channel: string; push: LivePush }[];
  states: SubscriptionState[];
  calls: { subscriptions: number };
  /** the chat wants and releases, in order */
  chat: string[];
}

async function withFeed(t: { after(fn: () => Promise<void>): void }, favourites: { channelId: string; login: string }[]): Promise<FeedHarness> {
  const db = await tempSqlite();
  const opened = await openStore({ url: db.url });
  await opened.migrate();
  const store = new LiveStore(opened.db);
  for (const f of favourites) await store.addFavourite({ userId: '900', channelId: f.channelId, login: f.login, displayName: f.login, addedAt: T });
  const h: FeedHarness = { feed: undefined as unknown as LiveFeed, store, pushes: [], states: [], calls: { subscriptions: 0 }, chat: [] };
  const eventsub: FeedEventSub = {
    declare: () => {},
    kick: () => {},
    subscriptions: () => {
      h.calls.subscriptions++;
      return h.states;
    },
  };
  const chat: ChatWants = {
    want: (_owner, logins) => h.chat.push(...logins.map((l) => `want ${l}`)),
    release: (_owner, logins) => h.chat.push(...logins.map((l) => `release ${l}`)),
    channels: () => [],
  };
  const accounts = { list: async () => [], eventSubUser: () => ({}), onChange: () => () => {} } as unknown as LiveAccounts;
  h.feed = new LiveFeed({
    store,
    publish: (channel, push) => h.pushes.push({ channel, push }),
    clock: { now: () => T } as never,
    log: createLogger('silent'),
    accounts,
    eventsub,
    chat,
    streams: async () => [],
    webhooks: true,
  });
  await h.feed.start();
  t.after(async () => {
    await h.feed.stop();
    await opened.close();
    await db.drop();
  });
  return h;
}

function raid(messageId: string, condition: Record<string, string>): EventSubNotification {
  return {
    type: 'channel.raid',
    event: {
      from_broadcaster_user_id: '200',
      from_broadcaster_user_login: 'raider',
      from_broadcaster_user_name: 'Raider',
      to_broadcaster_user_id: '100',
      to_broadcaster_user_login: 'streamer',
      to_broadcaster_user_name: 'Streamer',
      viewers: 42,
    },
    messageId,
    subscriptionId: `sub-${messageId}`,
    version: '1',
    condition,
    transport: 'webhook',
    sentAt: T,
    receivedAt: T,
  } as EventSubNotification;
}

test("a raid from a watched channel into a favourite, read through Audience's subscription and Live's, is one event pushed once", async (t) => {
  const h = await withFeed(t, [
    { channelId: '100', login: 'streamer' },
    { channelId: '200', login: 'raider' },
  ]);
  h.feed.onEventSub(raid('m1', { from_broadcaster_user_id: '200' }));
  h.feed.onEventSub(raid('m2', { to_broadcaster_user_id: '100' }));
  await h.feed.idle();
  const events = await h.store.events('100', { limit: 10 });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.user_login, 'raider');
  assert.equal(events[0]!.viewers, 42);
  assert.deepEqual(await h.store.events('200', { limit: 10 }), [], 'the raider is favourited too: the raid is not in its feed');
  assert.equal(h.pushes.filter((p) => p.push.type === 'event').length, 1);
});

test('a favourite renamed in the store: the feed knows the channel by its new login and reads its chat under it', async (t) => {
  const h = await withFeed(t, [{ channelId: '100', login: 'oldname' }]);
  assert.deepEqual(h.chat, ['want oldname']);
  await h.store.renameChannel('100', 'newname', 'NewName');
  await h.feed.refresh();
  assert.deepEqual(h.chat, ['want oldname', 'release oldname', 'want newname']);
  assert.equal(h.feed.channel('newname')?.channelId, '100');
  assert.equal(h.feed.channel('newname')?.displayName, 'NewName');
  assert.equal(h.feed.channel('oldname'), undefined);
  assert.equal((await h.store.favourite('900', 'newname'))?.displayName, 'NewName');
});
