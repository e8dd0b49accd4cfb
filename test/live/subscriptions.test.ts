// The subscriptions that follow favourites and the availability they give each event type: the
// public types for every channel, follows with the streamer's or a moderator's token, subs and
// cheers with the streamer's; without webhooks a logged-in account's WebSocket carries them;
// revoked subscriptions show with Twitch's reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveAccount } from '../../src/live/parts.js';
import type { LiveAvailability } from '../../src/live/types.js';
import { availability, FOLLOWS_REASON, liveWants, statesByChannel } from '../../src/live/subscriptions.js';
import type { SubscriptionState } from '../../src/twitch/eventsub/manager.js';

const channels = [
  { channelId: '100', login: 'streamer' },
  { channelId: '200', login: 'modded' },
  { channelId: '300', login: 'nobody' },
];
const streamer: LiveAccount = { userId: '100', login: 'streamer', displayName: 'Streamer', scopes: ['moderator:read:followers', 'channel:read:subscriptions', 'bits:read'], moderates: [] };
const moderator: LiveAccount = { userId: '900', login: 'mod', displayName: 'Mod', scopes: ['moderator:read:followers', 'user:read:moderated_channels'], moderates: ['200', '300'] };
const noScopes: LiveAccount = { ...moderator, userId: '901', scopes: [], moderates: ['300'] };
const eventSubUser = (id: string) => ({ id, token: () => `token-${id}` });

const summary = (wants: ReturnType<typeof liveWants>) => wants.map((w) => `${w.type} ${JSON.stringify(w.condition)} ${w.user?.id ?? '-'}`).sort();

test('wants per favourite: public types with the app token, follows/subs/cheers with the account allowed to read them', () => {
  const wants = liveWants({ channels, accounts: [noScopes, moderator, streamer], eventSubUser, webhooks: true });
  assert.ok(wants.every((w) => w.transport === 'webhook'));
  const s = summary(wants);
  for (const c of ['100', '200', '300']) {
    assert.ok(s.includes(`stream.online {"broadcaster_user_id":"${c}"} -`));
    assert.ok(s.includes(`stream.offline {"broadcaster_user_id":"${c}"} -`));
    assert.ok(s.includes(`channel.update {"broadcaster_user_id":"${c}"} -`));
    assert.ok(s.includes(`channel.raid {"to_broadcaster_user_id":"${c}"} -`));
  }
  // the streamer's own follows with their token; the moderated channels' with the moderator's
  assert.ok(s.includes('channel.follow {"broadcaster_user_id":"100","moderator_user_id":"100"} 100'));
  assert.ok(s.includes('channel.follow {"broadcaster_user_id":"200","moderator_user_id":"900"} 900'));
  assert.ok(s.includes('channel.follow {"broadcaster_user_id":"300","moderator_user_id":"900"} 900'));
  for (const type of ['channel.subscribe', 'channel.subscription.message', 'channel.subscription.gift', 'channel.cheer']) {
    assert.ok(s.includes(`${type} {"broadcaster_user_id":"100"} 100`), type);
    assert.ok(!s.some((x) => x.startsWith(`${type} {"broadcaster_user_id":"200"}`)), `${type}: a moderator cannot read subs or cheers`);
  }
  assert.equal(wants.length, 3 * 4 + 3 + 4);
});

test("without webhooks the public types ride on a logged-in account's WebSocket; with nobody logged in there are none", () => {
  const wants = liveWants({ channels: channels.slice(2), accounts: [noScopes], eventSubUser, webhooks: false });
  assert.deepEqual(summary(wants), [
    'channel.raid {"to_broadcaster_user_id":"300"} 901',
    'channel.update {"broadcaster_user_id":"300"} 901',
    'stream.offline {"broadcaster_user_id":"300"} 901',
    'stream.online {"broadcaster_user_id":"300"} 901',
  ]);
  assert.deepEqual(liveWants({ channels, accounts: [], eventSubUser, webhooks: false }), []);
  assert.deepEqual(liveWants({ channels: [], accounts: [streamer], eventSubUser, webhooks: true }), []);
});

function state(type: string, condition: Record<string, string>, s: SubscriptionState['state'], reason: string | null = null): SubscriptionState {
  return { type, version: '1', condition, transport: 'webhook', user_id: null, owners: ['live'], state: s, reason, subscription_id: null, helix_status: null, cost: 1 };
}

test("availability: what is read and from where, the manager's revocations with their reason, chat's failure", () => {
  const c = { channelId: '100', login: 'streamer' };
  const b = { broadcaster_user_id: '100' };
  const states = [
    state('stream.online', b, 'enabled'),
    state('stream.offline', b, 'enabled'),
    state('channel.update', b, 'pending'),
    state('channel.raid', { to_broadcaster_user_id: '100' }, 'enabled'),
    state('channel.cheer', b, 'revoked', 'authorization_revoked'),
    // another owner's and another channel's do not count
    { ...state('channel.follow', b, 'enabled'), owners: ['audience'] },
    state('channel.subscribe', { broadcaster_user_id: '200' }, 'enabled'),
  ];
  const joined = { channel: 'streamer', role: 'read' as const, state: 'joined' as const, owners: ['live'], linesPerMinute: 0 };
  const by = Object.fromEntries(availability(c, states, joined).map((a) => [a.type, a])) as Record<string, LiveAvailability>;
  assert.deepEqual(by.online, { type: 'online', available: true, via: ['eventsub'], reason: null });
  assert.deepEqual(by.update, { type: 'update', available: true, via: ['eventsub'], reason: null });
  assert.deepEqual(by.raid, { type: 'raid', available: true, via: ['eventsub', 'chat'], reason: null });
  assert.deepEqual(by.follow, { type: 'follow', available: false, via: [], reason: FOLLOWS_REASON });
  assert.equal(by.sub!.available, true);
  assert.deepEqual(by.sub!.via, ['chat']);
  assert.match(by.sub!.reason!, /streamer logging in/);
  assert.deepEqual(by.cheer!.via, ['chat']);
  assert.match(by.cheer!.reason!, /revoked: authorization_revoked/);

  const failed = { ...joined, state: 'failed' as const, reason: 'msg_channel_suspended' };
  const off = Object.fromEntries(availability(c, states, failed).map((a) => [a.type, a])) as Record<string, LiveAvailability>;
  assert.equal(off.sub!.available, false);
  assert.match(off.sub!.reason!, /msg_channel_suspended/);
  assert.deepEqual(off.raid!.via, ['eventsub']);

  // grouped once per tick: each channel's own states, Live's only, give the same answer
  const grouped = statesByChannel(states);
  assert.deepEqual([...grouped.keys()].sort(), ['100', '200']);
  assert.equal(grouped.get('100')!.length, 5);
  assert.deepEqual(availability(c, grouped.get('100')!, joined), availability(c, states, joined));
});
