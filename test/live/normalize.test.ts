// Chat and EventSub reports as feed events, from real-shaped lines (the tag sets of
// twitch-protocol.md §5, parsed by Lurk's own chat parser) and EventSub payloads (§3.6): gift
// bombs are one event, anonymous gifters have no user, Prime is a tier, the bits tag (never the
// badge) makes a cheer, and both sources give one event the same dedup key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChatNoticeReader, fromCheerMessage, fromEventSub, type ReadEvent } from '../../src/live/normalize.js';
import type { ChatMessage, ChatNotice } from '../../src/twitch/chat/events.js';
import { parseChatLine } from '../../src/twitch/chat/parser.js';
import type { EventSubNotification } from '../../src/twitch/eventsub/events.js';

const AT = Date.UTC(2026, 11, 1, 20, 0);
const ROOM = 'room-id=71092938';

function notice(tags: string, text = ''): ChatNotice {
  const parsed = parseChatLine(`@${tags};${ROOM};tmi-sent-ts=${AT} :tmi.twitch.tv USERNOTICE #xqcow${text ? ` :${text}` : ''}`, AT);
  assert.equal(parsed.kind, 'notice', JSON.stringify(parsed));
  return (parsed as { event: ChatNotice }).event;
}

function privmsg(tags: string, text: string): ChatMessage {
  const parsed = parseChatLine(`@${tags};${ROOM};tmi-sent-ts=${AT} :tetyys!tetyys@tetyys.tmi.twitch.tv PRIVMSG #xqcow :${text}`, AT);
  assert.equal(parsed.kind, 'message');
  return (parsed as { event: ChatMessage }).event;
}

const user = (id: string, login: string, name: string) => `display-name=${name};login=${login};user-id=${id};user-type=`;
const ANON = user('274598607', 'ananonymousgifter', 'AnAnonymousGifter');

function notification<T extends EventSubNotification['type']>(type: T, event: Extract<EventSubNotification, { type: T }>['event']): EventSubNotification {
  return { type, event, messageId: 'm', subscriptionId: 's', version: '1', condition: {}, transport: 'webhook', sentAt: AT, receivedAt: AT } as EventSubNotification;
}
const B = { broadcaster_user_id: '71092938', broadcaster_user_login: 'xqcow', broadcaster_user_name: 'xQcOW' };

const pick = (e: ReadEvent | undefined) =>
  e && {
    type: e.type,
    user_login: e.user_login,
    anonymous: e.anonymous,
    tier: e.tier,
    months: e.months,
    streak: e.streak,
    count: e.count,
    bits: e.bits,
    viewers: e.viewers,
    message: e.message,
    key: e.dedupKey,
  };

describe('chat notices', () => {
  test('a Prime sub and a resub with its shared streak and message', () => {
    const r = new ChatNoticeReader();
    const prime = r.read(
      notice(
        `badge-info=subscriber/1;badges=subscriber/0,premium/1;color=#8A2BE2;emotes=;flags=;id=a1;mod=0;msg-id=sub;msg-param-cumulative-months=1;msg-param-months=0;msg-param-should-share-streak=0;msg-param-sub-plan-name=Channel\\sSubscription\\s(xqcow);msg-param-sub-plan=Prime;msg-param-was-gifted=false;subscriber=1;system-msg=PrimeFan\\ssubscribed\\swith\\sPrime.;${user('1111', 'primefan', 'PrimeFan')}`,
      ),
    );
    assert.deepEqual(pick(prime), {
      type: 'sub',
      user_login: 'primefan',
      anonymous: false,
      tier: 'prime',
      months: null,
      streak: null,
      count: null,
      bits: null,
      viewers: null,
      message: '',
      key: 'sub:1111',
    });
    const resub = r.read(
      notice(
        `badge-info=subscriber/14;badges=subscriber/12;color=;emotes=;flags=;id=a2;mod=0;msg-id=resub;msg-param-cumulative-months=14;msg-param-months=0;msg-param-should-share-streak=1;msg-param-streak-months=9;msg-param-sub-plan=2000;subscriber=1;system-msg=x;${user('2222', 'loyal', 'Loyal')}`,
        'still here',
      ),
    );
    assert.deepEqual(pick(resub), {
      type: 'resub',
      user_login: 'loyal',
      anonymous: false,
      tier: '2000',
      months: 14,
      streak: 9,
      count: null,
      bits: null,
      viewers: null,
      message: 'still here',
      key: 'sub:2222',
    });
    // the streak unshared: not shown
    const quiet = r.read(
      notice(`id=a3;msg-id=resub;msg-param-cumulative-months=3;msg-param-should-share-streak=0;msg-param-streak-months=3;msg-param-sub-plan=1000;${user('3333', 'quiet', 'Quiet')}`),
    );
    assert.equal(quiet!.streak, null);
    assert.equal(quiet!.months, 3);
  });

  test("a gift bomb is one gift with its count: its recipients' subgifts (same origin id) are not events", () => {
    const r = new ChatNoticeReader();
    const bomb = r.read(
      notice(
        `badges=;color=;emotes=;flags=;id=g0;mod=0;msg-id=submysterygift;msg-param-mass-gift-count=5;msg-param-origin-id=9a\\s3f;msg-param-sender-count=25;msg-param-sub-plan=1000;subscriber=1;system-msg=Gifter\\sis\\sgifting\\s5;${user('4444', 'gifter', 'Gifter')}`,
      ),
    );
    assert.deepEqual(pick(bomb), {
      type: 'gift',
      user_login: 'gifter',
      anonymous: false,
      tier: '1000',
      months: null,
      streak: null,
      count: 5,
      bits: null,
      viewers: null,
      message: '',
      key: 'gift:4444:5',
    });
    for (let i = 0; i < 5; i++) {
      const part = r.read(
        notice(
          `id=g${i + 1};msg-id=subgift;msg-param-gift-months=1;msg-param-months=1;msg-param-origin-id=9a\\s3f;msg-param-recipient-display-name=R${i};msg-param-recipient-id=50${i};msg-param-recipient-user-name=r${i};msg-param-sender-count=0;msg-param-sub-plan=1000;${user('4444', 'gifter', 'Gifter')}`,
        ),
      );
      assert.equal(part, undefined, `recipient ${i}`);
    }
    // the same gifter's next lone gift is a gift of one
    const lone = r.read(
      notice(
        `id=g9;msg-id=subgift;msg-param-months=1;msg-param-origin-id=other;msg-param-recipient-id=600;msg-param-recipient-user-name=lucky;msg-param-sender-count=26;msg-param-sub-plan=3000;${user('4444', 'gifter', 'Gifter')}`,
      ),
    );
    assert.deepEqual(pick(lone), {
      type: 'gift',
      user_login: 'gifter',
      anonymous: false,
      tier: '3000',
      months: null,
      streak: null,
      count: 1,
      bits: null,
      viewers: null,
      message: '',
      key: 'gift:4444:1',
    });
  });

  test('a lone gift by a gifter whose bomb is still being handed out is a gift of one (its origin id is another)', () => {
    const r = new ChatNoticeReader();
    const gifter = user('4444', 'gifter', 'Gifter');
    assert.equal(r.read(notice(`id=b0;msg-id=submysterygift;msg-param-mass-gift-count=3;msg-param-origin-id=bomb;msg-param-sub-plan=1000;${gifter}`))?.count, 3);
    assert.equal(r.read(notice(`id=b1;msg-id=subgift;msg-param-origin-id=bomb;msg-param-recipient-id=1;msg-param-sub-plan=1000;${gifter}`)), undefined);
    const lone = r.read(notice(`id=l1;msg-id=subgift;msg-param-origin-id=lone;msg-param-recipient-id=9;msg-param-sub-plan=1000;${gifter}`));
    assert.equal(lone?.count, 1);
    // the bomb still takes its own two recipients, and a notice without an origin id falls back to the gifter
    assert.equal(r.read(notice(`id=b2;msg-id=subgift;msg-param-origin-id=bomb;msg-param-recipient-id=2;msg-param-sub-plan=1000;${gifter}`)), undefined);
    assert.equal(r.read(notice(`id=b3;msg-id=subgift;msg-param-recipient-id=3;msg-param-sub-plan=1000;${gifter}`)), undefined);
    assert.equal(r.read(notice(`id=l2;msg-id=subgift;msg-param-origin-id=bomb;msg-param-recipient-id=4;msg-param-sub-plan=1000;${gifter}`))?.count, 1);
  });

  test('anonymous gifts: ananonymousgifter and the anon* msg-ids have no user', () => {
    const r = new ChatNoticeReader();
    const bomb = r.read(notice(`id=x1;msg-id=submysterygift;msg-param-mass-gift-count=3;msg-param-origin-id=o1;msg-param-sub-plan=1000;${ANON}`));
    assert.deepEqual(pick(bomb), { type: 'gift', user_login: null, anonymous: true, tier: '1000', months: null, streak: null, count: 3, bits: null, viewers: null, message: '', key: 'gift:anon:3' });
    assert.equal(bomb!.user_id, null);
    for (let i = 0; i < 3; i++) assert.equal(r.read(notice(`id=x${i + 2};msg-id=subgift;msg-param-origin-id=o1;msg-param-recipient-id=7${i};msg-param-sub-plan=1000;${ANON}`)), undefined);
    const older = r.read(notice(`id=y1;msg-id=anonsubmysterygift;msg-param-mass-gift-count=2;msg-param-sub-plan=2000;${ANON}`));
    assert.equal(older!.anonymous, true);
    assert.equal(older!.count, 2);
    // no origin id: the anonymous gifter's pending bomb takes them
    assert.equal(r.read(notice(`id=y2;msg-id=anonsubgift;msg-param-recipient-id=81;msg-param-sub-plan=2000;${ANON}`)), undefined);
    assert.equal(r.read(notice(`id=y3;msg-id=anonsubgift;msg-param-recipient-id=82;msg-param-sub-plan=2000;${ANON}`)), undefined);
    const lone = r.read(notice(`id=y4;msg-id=anonsubgift;msg-param-recipient-id=83;msg-param-sub-plan=2000;${ANON}`));
    assert.deepEqual(pick(lone), { type: 'gift', user_login: null, anonymous: true, tier: '2000', months: null, streak: null, count: 1, bits: null, viewers: null, message: '', key: 'gift:anon:1' });
  });

  test("a community gift's recipient whose mystery gift Lurk never saw is not a gift of one", () => {
    const r = new ChatNoticeReader();
    assert.equal(r.read(notice(`id=z1;msg-id=subgift;msg-param-community-gift-id=123;msg-param-origin-id=zz;msg-param-recipient-id=9;msg-param-sub-plan=1000;${user('5555', 'g', 'G')}`)), undefined);
  });

  test("a raid: the raider and msg-param-viewerCount (the protocol document's sample)", () => {
    const r = new ChatNoticeReader();
    const raid = r.read(
      notice(
        'badge-info=;badges=glhf-pledge/1;color=#FF69B4;display-name=iamelisabete;emotes=;flags=;id=bb99dda7;login=iamelisabete;mod=0;msg-id=raid;msg-param-displayName=iamelisabete;msg-param-login=iamelisabete;msg-param-profileImageURL=https://x/y-70x70.png;msg-param-viewerCount=430;subscriber=0;system-msg=430\\sraiders\\sfrom\\siamelisabete\\shave\\sjoined!;user-id=155874595;user-type=',
      ),
    );
    assert.deepEqual(pick(raid), {
      type: 'raid',
      user_login: 'iamelisabete',
      anonymous: false,
      tier: null,
      months: null,
      streak: null,
      count: null,
      bits: null,
      viewers: 430,
      message: '',
      key: 'raid:155874595',
    });
    assert.equal(r.read(notice(`id=q;msg-id=announcement;msg-param-color=PRIMARY;${user('1', 'a', 'A')}`, 'hello')), undefined);
  });
});

describe('cheers in chat', () => {
  test('the bits tag makes a cheer; the bits badge alone does not', () => {
    const cheer = fromCheerMessage(privmsg('badge-info=;badges=bits/100;bits=1;color=#004B49;display-name=TETYYS;emotes=;id=c1;mod=0;user-id=36175310;user-type=', 'trihard1'));
    assert.deepEqual(pick(cheer), {
      type: 'cheer',
      user_login: 'tetyys',
      anonymous: false,
      tier: null,
      months: null,
      streak: null,
      count: null,
      bits: 1,
      viewers: null,
      message: 'trihard1',
      key: 'cheer:36175310:1',
    });
    assert.equal(fromCheerMessage(privmsg('badge-info=;badges=bits/100000;color=#004B49;display-name=TETYYS;emotes=;id=c2;mod=0;user-id=36175310;user-type=', 'no bits here')), undefined);
  });
});

describe('EventSub', () => {
  test("a gifted sub's channel.subscribe is no event; the gift, a resub, a cheer and a raid key as chat's do", () => {
    assert.equal(fromEventSub(notification('channel.subscribe', { ...B, user_id: '9', user_login: 'r', user_name: 'R', tier: '1000', is_gift: true })), undefined);
    const sub = fromEventSub(notification('channel.subscribe', { ...B, user_id: '1111', user_login: 'PrimeFan', user_name: 'PrimeFan', tier: '1000', is_gift: false }));
    assert.equal(sub!.dedupKey, 'sub:1111');
    assert.equal(sub!.user_login, 'primefan');
    const gift = fromEventSub(
      notification('channel.subscription.gift', { ...B, user_id: null, user_login: null, user_name: null, total: 3, tier: '1000', cumulative_total: null, is_anonymous: true }),
    );
    assert.deepEqual(pick(gift), { type: 'gift', user_login: null, anonymous: true, tier: '1000', months: null, streak: null, count: 3, bits: null, viewers: null, message: '', key: 'gift:anon:3' });
    const resub = fromEventSub(
      notification('channel.subscription.message', {
        ...B,
        user_id: '2222',
        user_login: 'loyal',
        user_name: 'Loyal',
        tier: '2000',
        message: { text: 'still here', emotes: [] },
        cumulative_months: 14,
        streak_months: null,
        duration_months: 1,
      }),
    );
    assert.equal(resub!.dedupKey, 'sub:2222');
    assert.equal(resub!.streak, null);
    const cheer = fromEventSub(notification('channel.cheer', { ...B, user_id: '36175310', user_login: 'tetyys', user_name: 'TETYYS', is_anonymous: false, message: 'trihard1', bits: 1 }));
    assert.equal(cheer!.dedupKey, 'cheer:36175310:1');
    const anonCheer = fromEventSub(notification('channel.cheer', { ...B, user_id: null, user_login: null, user_name: null, is_anonymous: true, message: '', bits: 100 }));
    assert.equal(anonCheer!.dedupKey, 'cheer:anon:100');
    const raid = fromEventSub(
      notification('channel.raid', {
        from_broadcaster_user_id: '155874595',
        from_broadcaster_user_login: 'iamelisabete',
        from_broadcaster_user_name: 'iamelisabete',
        to_broadcaster_user_id: '71092938',
        to_broadcaster_user_login: 'xqcow',
        to_broadcaster_user_name: 'xQcOW',
        viewers: 430,
      }),
    );
    assert.equal(raid!.dedupKey, 'raid:155874595');
    assert.equal(raid!.channel, 'xqcow');
    const online = fromEventSub(notification('stream.online', { ...B, id: '40001', type: 'live', started_at: '2026-12-01T20:00:00Z' }));
    assert.equal(online!.dedupKey, 'online:40001');
    const follow = fromEventSub(notification('channel.follow', { ...B, user_id: '77', user_login: 'fan', user_name: 'Fan', followed_at: '2026-12-01T20:00:00.123456Z' }));
    assert.equal(follow!.dedupKey, 'follow:77');
  });
});
