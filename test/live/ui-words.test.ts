// The Live page's words and lists: each event type in one line, logins as typed, the login link,
// and the feed's list (one item per id, newest first) with read marks applied from a push.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveAvailability, LiveEvent, LivePush } from '../../src/live/types.js';

// imported by a computed name: the server's type check must not take in the UI's DOM types
const uiModule = '../../ui/src/lib/live.js';
const ui = (await import(uiModule)) as {
  eventText(e: LiveEvent, channelName?: string): string;
  normalizeLogin(text: string): string | undefined;
  loginInPath(pathname: string): string;
  loginHref(returnTo: string, features?: readonly string[]): string;
  availabilityText(a: LiveAvailability): string;
  mergeEvents(list: readonly LiveEvent[], more: readonly LiveEvent[]): LiveEvent[];
  applyRead(list: readonly LiveEvent[], read: Extract<LivePush, { type: 'read' }>): LiveEvent[];
};

function ev(id: number, type: LiveEvent['type'], fields: Partial<LiveEvent> = {}): LiveEvent {
  return {
    id,
    channel: 'foo',
    channel_id: '1',
    type,
    at: '2026-12-01T18:00:00.000Z',
    user_id: '2',
    user_login: 'viewer',
    user_name: 'Viewer',
    anonymous: false,
    tier: null,
    months: null,
    streak: null,
    count: null,
    bits: null,
    viewers: null,
    message: '',
    title: null,
    category: null,
    sources: ['eventsub'],
    read_at: null,
    read_by: null,
    ...fields,
  };
}

test('every event type reads as one line of words', () => {
  assert.equal(ui.eventText(ev(1, 'follow')), 'Viewer followed');
  assert.equal(ui.eventText(ev(1, 'sub', { tier: '1000' })), 'Viewer subscribed (Tier 1)');
  assert.equal(ui.eventText(ev(1, 'sub', { tier: 'prime' })), 'Viewer subscribed (Prime)');
  assert.equal(ui.eventText(ev(1, 'resub', { tier: '2000', months: 14 })), 'Viewer resubscribed · 14 months · Tier 2');
  assert.equal(ui.eventText(ev(1, 'resub', { tier: '1000', months: 14, streak: 3 })), 'Viewer resubscribed · 14 months · 3 months in a row · Tier 1');
  assert.equal(ui.eventText(ev(1, 'gift', { tier: '1000', count: 5 })), 'Viewer gifted 5 subs');
  assert.equal(ui.eventText(ev(1, 'gift', { tier: '1000', count: 1, anonymous: true, user_login: null, user_name: null })), 'An anonymous gifter gifted 1 sub');
  assert.equal(ui.eventText(ev(1, 'cheer', { bits: 1500 })), 'Viewer cheered 1,500 bits');
  assert.equal(ui.eventText(ev(1, 'raid', { viewers: 120 })), 'Viewer raided with 120 viewers');
  assert.equal(ui.eventText(ev(1, 'online', { user_login: null, user_name: null }), 'Foo'), 'Foo went live');
  assert.equal(ui.eventText(ev(1, 'offline', { user_login: null, user_name: null }), 'Foo'), 'Foo went offline');
  assert.equal(ui.eventText(ev(1, 'update', { title: 'Speedruns', category: 'Celeste' }), 'Foo'), 'Foo changed the stream: Speedruns · Celeste');
  // the user's text stays text: the page renders it through JSX, never as markup
  assert.equal(ui.eventText(ev(1, 'follow', { user_name: '<b>x</b>' })), '<b>x</b> followed');
});

test('logins are lower-cased and checked as Twitch has them; the login link keeps its return path', () => {
  assert.equal(ui.normalizeLogin('  FooBar_9 '), 'foobar_9');
  for (const bad of ['', 'foo bar', 'a'.repeat(26), 'é', '../x']) assert.equal(ui.normalizeLogin(bad), undefined, bad);
  assert.equal(ui.loginInPath('/live/FooBar'), 'foobar');
  assert.equal(ui.loginInPath('/live'), '');
  assert.equal(ui.loginInPath('/live/no%20such'), '');
  assert.equal(ui.loginHref('/live'), '/auth/login?return=%2Flive');
  assert.equal(ui.loginHref('/live/foo', ['follows', 'subs']), '/auth/login?features=follows%2Csubs&return=%2Flive%2Ffoo');
  assert.equal(
    ui.availabilityText({ type: 'follow', available: false, via: [], reason: 'follows need the streamer or a moderator to log in to Lurk' }),
    'follows need the streamer or a moderator to log in to Lurk',
  );
  assert.equal(ui.availabilityText({ type: 'sub', available: true, via: ['eventsub', 'chat'], reason: null }), 'via EventSub + chat');
});

test('the feed list holds one item per id, newest first; a read push marks the ids it names or every id up to up_to', () => {
  const merged = ui.mergeEvents([ev(3, 'follow'), ev(1, 'follow')], [ev(2, 'cheer'), ev(3, 'follow', { sources: ['eventsub', 'chat'] })]);
  assert.deepEqual(
    merged.map((e) => e.id),
    [3, 2, 1],
  );
  assert.deepEqual(merged[0]!.sources, ['eventsub', 'chat'], 'the later copy of an event wins');
  const read = { type: 'read', channel: 'foo', read_by: 'mod', read_at: '2026-12-01T18:01:00.000Z' } as const;
  assert.deepEqual(
    ui.applyRead(merged, { ...read, ids: [2], up_to: null }).map((e) => e.read_by),
    [null, 'mod', null],
  );
  assert.deepEqual(
    ui.applyRead(merged, { ...read, ids: [], up_to: 2 }).map((e) => e.read_by),
    [null, 'mod', 'mod'],
  );
});
