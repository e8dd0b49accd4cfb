// Lurk's lean chat parser: Twitch's real captures (twitch-protocol.md §5.4) into typed events,
// IRCv3 unescaping, emote offsets against twurple's reading of them, agreement with the
// reference parser on lines recorded from the simulator's IRC server, and a seeded fuzz that
// the parser survives (LURK_FUZZ_SEED=<n> replays or explores another sequence).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { extractMessageText, parseEmoteOffsets, parseEmotePositions } from '@twurple/chat';
import { mulberry32 } from '../../../bench/support/streams.js';
import { recordChatLines } from '../../../bench/support/chat-corpus.js';
import { line as renderLine } from '../../../src/sim/protocols/irc/render.js';
import { malformed } from '../../../src/sim/protocols/irc/rooms.js';
import { EMOTES } from '../../../src/sim/world/chat.js';
import type { ChatMessage, ChatNotice } from '../../../src/twitch/chat/events.js';
import { emoteOffsets, MAX_LINE, type ParsedLine, parseChatLine } from '../../../src/twitch/chat/parser.js';
import { unescapeTag } from '../../../src/twitch/irc-message.js';
import { FUZZ_SEED } from '../../helpers/fuzz.js';
import { referenceParse } from './reference-parser.js';

const AT = 1_700_000_000_000;

function message(line: string): ChatMessage {
  const parsed = parseChatLine(line, AT);
  assert.equal(parsed.kind, 'message', `${line} → ${JSON.stringify(parsed)}`);
  return (parsed as { event: ChatMessage }).event;
}

function notice(line: string): ChatNotice {
  const parsed = parseChatLine(line, AT);
  assert.equal(parsed.kind, 'notice', `${line} → ${JSON.stringify(parsed)}`);
  return (parsed as { event: ChatNotice }).event;
}

describe('real captures into typed events', () => {
  test('PRIVMSG with badges, badge-info and the mod tag', () => {
    const m = message(
      '@badge-info=subscriber/22;badges=moderator/1,subscriber/12;color=#19E6E6;display-name=randers;emotes=;flags=;id=d831d848-b7c7-4559-ae3a-2cb88f4dbfed;mod=1;room-id=11148817;subscriber=1;tmi-sent-ts=1594555275886;turbo=0;user-id=40286300;user-type=mod :randers!randers@randers.tmi.twitch.tv PRIVMSG #pajlada :hello',
    );
    assert.deepEqual(m, {
      id: 'd831d848-b7c7-4559-ae3a-2cb88f4dbfed',
      channel: 'pajlada',
      channelId: '11148817',
      userId: '40286300',
      user: 'randers',
      displayName: 'randers',
      text: 'hello',
      action: false,
      emotes: [],
      bits: 0,
      badges: { moderator: '1', subscriber: '12' },
      roles: { broadcaster: false, mod: true, vip: false, subscriber: true },
      color: '#19E6E6',
      firstMessage: false,
      returningChatter: false,
      sentAt: 1594555275886,
      receivedAt: AT,
    });
  });

  test('a cheer carries its bits; an upper-case display name keeps its case, the login does not', () => {
    const m = message(
      '@badge-info=;badges=bits/100;bits=1;color=#004B49;display-name=TETYYS;emotes=;flags=;id=d7f03a35-f339-41ca-b4d4-7c0721438570;mod=0;room-id=11148817;subscriber=0;tmi-sent-ts=1594571566672;turbo=0;user-id=36175310;user-type= :tetyys!tetyys@tetyys.tmi.twitch.tv PRIVMSG #pajlada :trihard1',
    );
    assert.equal(m.bits, 1);
    assert.equal(m.user, 'tetyys');
    assert.equal(m.displayName, 'TETYYS');
    assert.deepEqual(m.badges, { bits: '100' });
    assert.deepEqual(m.roles, { broadcaster: false, mod: false, vip: false, subscriber: false });
  });

  test('reply-parent tags, first-msg, returning-chatter and vip', () => {
    const m = message(
      '@badge-info=;badges=vip/1;client-nonce=cd56a3a4;color=;display-name=Chatter;emotes=;first-msg=1;flags=;id=5ad3bb5a-5a4e-4e1a-b2a4-3e5c2b8d0f11;mod=0;reply-parent-display-name=Stream\\sGuy;reply-parent-msg-body=what\\sgame\\sis\\sthis\\:\\s?;reply-parent-msg-id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;reply-parent-user-id=123;reply-parent-user-login=streamguy;returning-chatter=1;room-id=71092938;subscriber=0;tmi-sent-ts=1689000000000;turbo=0;user-id=555;user-type=;vip=1 :chatter!chatter@chatter.tmi.twitch.tv PRIVMSG #xqcow :@Stream_Guy it is chess',
    );
    assert.deepEqual(m.reply, { parentId: 'b34ccfc7-4977-403a-8a94-33c6bac34fb8', parentUser: 'streamguy', parentDisplayName: 'Stream Guy', parentText: 'what game is this; ?' });
    assert.equal(m.firstMessage, true);
    assert.equal(m.returningChatter, true);
    assert.equal(m.roles.vip, true);
    assert.equal(m.color, '');
    assert.equal(m.text, '@Stream_Guy it is chess');
  });

  test('the broadcaster and a founder: roles from the badges', () => {
    const m = message('@badges=broadcaster/1,founder/0;display-name=;id=1;room-id=9;tmi-sent-ts=5;user-id=9 :pajlada!pajlada@pajlada.tmi.twitch.tv PRIVMSG #pajlada :hi');
    assert.deepEqual(m.roles, { broadcaster: true, mod: false, vip: false, subscriber: true });
    // no display name: the login stands in
    assert.equal(m.displayName, 'pajlada');
  });

  test('raid', () => {
    const n = notice(
      '@badge-info=;badges=glhf-pledge/1;color=#FF69B4;display-name=iamelisabete;emotes=;flags=;id=bb99dda7-3736-4583-9114-52aa7e45e7ad;login=iamelisabete;mod=0;msg-id=raid;msg-param-displayName=iamelisabete;msg-param-login=iamelisabete;msg-param-profileImageURL=https://static-cdn.jtvnw.net/jtv_user_pictures/cae3ca63-510d-4715-b4ce-059dcf938978-profile_image-70x70.png;msg-param-viewerCount=430;room-id=71092938;subscriber=0;system-msg=430\\sraiders\\sfrom\\siamelisabete\\shave\\sjoined!;tmi-sent-ts=1594517796120;user-id=155874595;user-type= :tmi.twitch.tv USERNOTICE #xqcow',
    );
    assert.equal(n.kind, 'raid');
    assert.equal(n.channel, 'xqcow');
    assert.equal(n.channelId, '71092938');
    assert.equal(n.user, 'iamelisabete');
    assert.equal(n.userId, '155874595');
    assert.equal(n.viewers, 430);
    assert.equal(n.systemText, '430 raiders from iamelisabete have joined!');
    assert.equal(n.text, '');
    assert.equal(n.params.login, 'iamelisabete');
    assert.equal(n.sentAt, 1594517796120);
  });

  test('sub and resub: plan, months, the user message and its emotes', () => {
    const resub = notice(
      "@badge-info=subscriber/2;badges=subscriber/0,battlerite_1/1;color=#0000FF;display-name=Gutrin;emotes=1035663:0-3;flags=;id=e0975c76-054c-4954-8cb0-91b8867ec1ca;login=gutrin;mod=0;msg-id=resub;msg-param-cumulative-months=2;msg-param-months=0;msg-param-should-share-streak=1;msg-param-streak-months=2;msg-param-sub-plan-name=Channel\\sSubscription\\s(xqcow);msg-param-sub-plan=1000;room-id=71092938;subscriber=1;system-msg=Gutrin\\ssubscribed\\sat\\sTier\\s1.\\sThey've\\ssubscribed\\sfor\\s2\\smonths,\\scurrently\\son\\sa\\s2\\smonth\\sstreak!;tmi-sent-ts=1581713640019;user-id=21156217;user-type= :tmi.twitch.tv USERNOTICE #xqcow :xqcL",
    );
    assert.equal(resub.kind, 'resub');
    assert.equal(resub.plan, '1000');
    assert.equal(resub.months, 2);
    assert.equal(resub.text, 'xqcL');
    assert.deepEqual(resub.emotes, [{ id: '1035663', start: 0, end: 4 }]);
    assert.equal(resub.params['sub-plan-name'], 'Channel Subscription (xqcow)');
    assert.equal(resub.systemText, "Gutrin subscribed at Tier 1. They've subscribed for 2 months, currently on a 2 month streak!");

    const sub = notice(
      '@badge-info=subscriber/0;badges=subscriber/0,premium/1;color=;display-name=fallenseraphhh;emotes=;flags=;id=2a9bea11-a80a-49a0-a498-1642d457f775;login=fallenseraphhh;mod=0;msg-id=sub;msg-param-cumulative-months=1;msg-param-months=0;msg-param-should-share-streak=0;msg-param-sub-plan-name=Channel\\sSubscription\\s(xqcow);msg-param-sub-plan=Prime;room-id=71092938;subscriber=1;system-msg=fallenseraphhh\\ssubscribed\\swith\\sTwitch\\sPrime.;tmi-sent-ts=1582685713242;user-id=224005980;user-type= :tmi.twitch.tv USERNOTICE #xqcow',
    );
    assert.equal(sub.kind, 'sub');
    assert.equal(sub.plan, 'Prime');
    assert.equal(sub.months, 1);
    assert.equal(sub.displayName, 'fallenseraphhh');
  });

  test('subgift, anonsubgift and submysterygift', () => {
    const gift = notice(
      '@badge-info=;badges=partner/1;color=#CC44FF;display-name=xQcOW;emotes=;flags=;id=e21409b1-d25d-4a1a-b5cf-ef27d8b7030e;login=xqcow;mod=0;msg-id=subgift;msg-param-gift-months=1;msg-param-months=2;msg-param-origin-id=da\\s39\\sa3\\see\\s5e\\s6b\\s4b\\s0d\\s32\\s55\\sbf\\sef\\s95\\s60\\s18\\s90\\saf\\sd8\\s07\\s09;msg-param-recipient-display-name=qatarking24xd;msg-param-recipient-id=236653628;msg-param-recipient-user-name=qatarking24xd;msg-param-sender-count=0;msg-param-sub-plan-name=Channel\\sSubscription\\s(xqcow);msg-param-sub-plan=1000;room-id=71092938;subscriber=0;system-msg=xQcOW\\sgifted\\sa\\sTier\\s1\\ssub\\sto\\sqatarking24xd!;tmi-sent-ts=1594583782376;user-id=71092938;user-type= :tmi.twitch.tv USERNOTICE #xqcow',
    );
    assert.equal(gift.kind, 'subgift');
    assert.deepEqual(gift.recipient, { id: '236653628', login: 'qatarking24xd', displayName: 'qatarking24xd' });
    assert.equal(gift.plan, '1000');
    assert.equal(gift.months, undefined, 'a gift has no cumulative months');
    assert.equal(gift.params['origin-id'], 'da 39 a3 ee 5e 6b 4b 0d 32 55 bf ef 95 60 18 90 af d8 07 09');

    const anon = notice(
      '@badge-info=;badges=;color=;display-name=AnAnonymousGifter;emotes=;flags=;id=62c3fd39-84cc-452a-9096-628a5306633a;login=ananonymousgifter;mod=0;msg-id=anonsubgift;msg-param-fun-string=FunStringThree;msg-param-gift-months=1;msg-param-months=13;msg-param-origin-id=da\\s39;msg-param-recipient-display-name=Dot0422;msg-param-recipient-id=151784015;msg-param-recipient-user-name=dot0422;msg-param-sub-plan-name=Channel\\sSubscription\\s(xqcow);msg-param-sub-plan=1000;room-id=71092938;subscriber=0;system-msg=An\\sanonymous\\suser\\sgifted\\sa\\sTier\\s1\\ssub\\sto\\sDot0422!\\s;tmi-sent-ts=1594495108936;user-id=274598607;user-type= :tmi.twitch.tv USERNOTICE #xqcow',
    );
    assert.equal(anon.kind, 'anonsubgift');
    assert.equal(anon.user, 'ananonymousgifter');
    assert.deepEqual(anon.recipient, { id: '151784015', login: 'dot0422', displayName: 'Dot0422' });
    assert.equal(anon.systemText, 'An anonymous user gifted a Tier 1 sub to Dot0422! ');

    const bomb = notice(
      "@badge-info=;badges=sub-gifter/50;color=;display-name=AdamAtReflectStudios;emotes=;flags=;id=049e6371-7023-4fca-8605-7dec60e72e12;login=adamatreflectstudios;mod=0;msg-id=submysterygift;msg-param-mass-gift-count=20;msg-param-origin-id=1f\\sbe\\sbb;msg-param-sender-count=100;msg-param-sub-plan=1000;room-id=71092938;subscriber=0;system-msg=AdamAtReflectStudios\\sis\\sgifting\\s20\\sTier\\s1\\sSubs\\sto\\sxQcOW's\\scommunity!\\sThey've\\sgifted\\sa\\stotal\\sof\\s100\\sin\\sthe\\schannel!;tmi-sent-ts=1594583777669;user-id=211711554;user-type= :tmi.twitch.tv USERNOTICE #xqcow",
    );
    assert.equal(bomb.kind, 'submysterygift');
    assert.equal(bomb.giftCount, 20);
    assert.equal(bomb.plan, '1000');
    assert.equal(bomb.params['sender-count'], '100');
  });

  test('announcement', () => {
    const n = notice(
      '@badge-info=;badges=broadcaster/1;color=#FF0000;display-name=Randers;emotes=25:15-19;flags=;id=9c2ac0c7-7e2d-45c4-a0a4-d9b9e96f5b39;login=randers;mod=0;msg-id=announcement;msg-param-color=PRIMARY;room-id=40286300;subscriber=0;system-msg=;tmi-sent-ts=1648758023469;user-id=40286300;user-type= :tmi.twitch.tv USERNOTICE #randers :hello everyone Kappa',
    );
    assert.equal(n.kind, 'announcement');
    assert.equal(n.params.color, 'PRIMARY');
    assert.equal(n.text, 'hello everyone Kappa');
    assert.deepEqual(n.emotes, [{ id: '25', start: 15, end: 20 }]);
  });

  test('CLEARCHAT timeout, ban and whole chat; CLEARMSG', () => {
    assert.deepEqual(parseChatLine('@ban-duration=1;room-id=11148817;target-user-id=148973258;tmi-sent-ts=1594553828245 :tmi.twitch.tv CLEARCHAT #pajlada :fabzeef', AT), {
      kind: 'clear',
      event: { channel: 'pajlada', channelId: '11148817', sentAt: 1594553828245, receivedAt: AT, kind: 'timeout', targetUser: 'fabzeef', targetUserId: '148973258', durationSeconds: 1 },
    });
    assert.deepEqual(parseChatLine('@room-id=11148817;target-user-id=70948394;tmi-sent-ts=1594561360331 :tmi.twitch.tv CLEARCHAT #pajlada :weeb123', AT), {
      kind: 'clear',
      event: { channel: 'pajlada', channelId: '11148817', sentAt: 1594561360331, receivedAt: AT, kind: 'ban', targetUser: 'weeb123', targetUserId: '70948394' },
    });
    assert.deepEqual(parseChatLine('@room-id=40286300;tmi-sent-ts=1594561392337 :tmi.twitch.tv CLEARCHAT #randers', AT), {
      kind: 'clear',
      event: { channel: 'randers', channelId: '40286300', sentAt: 1594561392337, receivedAt: AT, kind: 'all' },
    });
    assert.deepEqual(parseChatLine('@login=alazymeme;room-id=;target-msg-id=3c92014f-340a-4dc3-a9c9-e5cf182f4a84;tmi-sent-ts=1594561955611 :tmi.twitch.tv CLEARMSG #pajlada :NIGHT CUNT', AT), {
      kind: 'clear',
      event: { channel: 'pajlada', channelId: '', sentAt: 1594561955611, receivedAt: AT, kind: 'message', targetUser: 'alazymeme', targetMessageId: '3c92014f-340a-4dc3-a9c9-e5cf182f4a84' },
    });
  });

  test('JOIN, PART and NAMES', () => {
    assert.deepEqual(parseChatLine(':ronni!ronni@ronni.tmi.twitch.tv JOIN #dallas', AT), { kind: 'membership', event: { channel: 'dallas', kind: 'join', users: ['ronni'], receivedAt: AT } });
    assert.deepEqual(parseChatLine(':ronni!ronni@ronni.tmi.twitch.tv PART #dallas', AT), { kind: 'membership', event: { channel: 'dallas', kind: 'part', users: ['ronni'], receivedAt: AT } });
    assert.deepEqual(parseChatLine(':justinfan1.tmi.twitch.tv 353 justinfan1 = #dallas :ronni fred wilma', AT), {
      kind: 'membership',
      event: { channel: 'dallas', kind: 'names', users: ['ronni', 'fred', 'wilma'], receivedAt: AT },
    });
  });

  test('the rare lines come back as generic messages for the connection logic', () => {
    for (const [raw, command] of [
      ['PING :tmi.twitch.tv', 'PING'],
      [':tmi.twitch.tv RECONNECT', 'RECONNECT'],
      ['@msg-id=msg_banned :tmi.twitch.tv NOTICE #forsen :You are permanently banned from talking in forsen.', 'NOTICE'],
      ['@emote-only=0;followers-only=-1;r9k=0;rituals=0;room-id=40286300;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #randers', 'ROOMSTATE'],
      [':tmi.twitch.tv 001 justinfan1 :Welcome, GLHF!', '001'],
    ] as const) {
      const parsed = parseChatLine(raw, AT);
      assert.equal(parsed.kind, 'other', raw);
      assert.equal((parsed as { message: { command: string } }).message.command, command);
    }
    const notice = parseChatLine('@msg-id=msg_banned :tmi.twitch.tv NOTICE #forsen :You are banned.', AT) as { message: { tags: Map<string, string>; params: string[] } };
    assert.equal(notice.message.tags.get('msg-id'), 'msg_banned');
    assert.deepEqual(notice.message.params, ['#forsen', 'You are banned.']);
  });

  test('a line longer than any Twitch sends is malformed, unread; one just under the limit is read', () => {
    const head = '@id=1 :a!a@a.tmi.twitch.tv PRIVMSG #c :';
    assert.deepEqual(parseChatLine(head + 'x'.repeat(MAX_LINE - head.length + 1), AT), { kind: 'malformed', reason: `line of ${MAX_LINE + 1} characters` });
    assert.equal(message(head + 'x'.repeat(MAX_LINE - head.length)).text.length, MAX_LINE - head.length);
    assert.equal(parseChatLine('x'.repeat(1_000_000), AT).kind, 'malformed');
  });

  test('a command in lower case is still the command', () => {
    assert.equal(message('@id=1 :a!a@a.tmi.twitch.tv privmsg #Chan :hi').channel, 'chan');
  });
});

describe('IRCv3 tag unescaping', () => {
  const table: [string, string][] = [
    ['plain', 'plain'],
    ['a\\sb', 'a b'],
    ['a\\:b', 'a;b'],
    ['a\\\\b', 'a\\b'],
    ['a\\rb', 'a\rb'],
    ['a\\nb', 'a\nb'],
    ['\\s\\s', '  '],
    ['\\\\s', '\\s'],
    ['a\\b', 'ab'],
    ['\\x\\y', 'xy'],
    ['trailing\\', 'trailing'],
    ['\\', ''],
    ['\\\\\\', '\\'],
    ['🔥\\s😭', '🔥 😭'],
    ['', ''],
  ];
  test('every escape, unknown ones and a trailing backslash', () => {
    for (const [raw, want] of table) {
      const n = notice(`@msg-id=raid;system-msg=${raw};id=x\\sy :tmi.twitch.tv USERNOTICE #c`);
      assert.equal(n.systemText, want, raw);
      // a value after an escaped one is unescaped on its own
      assert.equal(n.id, 'x y', raw);
      // the generic parser reads the same
      assert.equal(unescapeTag(raw), want, raw);
    }
  });

  test('escaped values of a PRIVMSG: every field the message reads', () => {
    const m = message('@display-name=A\\sB;color=\\:c;id=i\\\\d;room-id=1\\s;user-id=\\;mod=\\1;emotes=25:0-4 :ab!ab@ab.tmi.twitch.tv PRIVMSG #c :Kappa');
    assert.equal(m.displayName, 'A B');
    assert.equal(m.color, ';c');
    assert.equal(m.id, 'i\\d');
    assert.equal(m.channelId, '1 ');
    assert.equal(m.userId, '');
    assert.equal(m.roles.mod, true);
    assert.deepEqual(m.emotes, [{ id: '25', start: 0, end: 5 }]);
  });
});

describe('emote offsets', () => {
  /** a message with emotes placed among emoji, its tag written in code points as Twitch does */
  function compose(parts: (string | { id: string; code: string })[]): { text: string; tag: string; codes: Map<string, string> } {
    let text = '';
    let points = 0;
    const ranges = new Map<string, string[]>();
    const codes = new Map<string, string>();
    for (const p of parts) {
      const s = typeof p === 'string' ? p : p.code;
      const n = [...s].length;
      if (typeof p !== 'string') {
        ranges.set(p.id, [...(ranges.get(p.id) ?? []), `${points}-${points + n - 1}`]);
        codes.set(p.id, p.code);
      }
      text += s;
      points += n;
    }
    return { text, tag: [...ranges].map(([id, r]) => `${id}:${r.join(',')}`).join('/'), codes };
  }

  const kappa = { id: '25', code: 'Kappa' };
  const lul = { id: '425618', code: 'LUL' };
  const heart = { id: '9', code: '<3' };
  const cases = [
    ['🔥 ', kappa, ' ', lul],
    ['👍🏽👍🏽 ', kappa, ' 👍🏽 ', kappa, ' 🔥'],
    ['👨‍👩‍👧‍👦 family ', lul, ' 🏳️‍🌈 ', heart],
    [kappa, ' 🧑‍💻 ', lul, ' 👍🏽'],
    [kappa, '🔥', lul, '😭', heart],
    ['é ü ñ ', kappa],
    ['🔥', '🔥', '🔥'],
    [kappa],
  ];

  test('emoji before, between and after emotes: Lurk and twurple cut the same codes', () => {
    for (const parts of cases) {
      const { text, tag, codes } = compose(parts);
      const lurk = emoteOffsets(tag, text);
      const twurple = parseEmotePositions(text, parseEmoteOffsets(tag));
      assert.equal(lurk.length, twurple.length, text);
      for (const [i, e] of lurk.entries()) {
        assert.equal(text.slice(e.start, e.end), codes.get(e.id), `${text}: ${JSON.stringify(e)}`);
        assert.equal(text.slice(e.start, e.end), twurple[i]!.name, text);
        assert.equal(e.id, twurple[i]!.id, text);
      }
    }
  });

  test('counting UTF-16 units instead would cut the wrong text (the cases above can tell)', () => {
    const { text, tag } = compose(['👍🏽 ', kappa]);
    assert.equal(tag, '25:3-7');
    assert.notEqual(text.slice(3, 8), 'Kappa');
    assert.equal(text.slice(emoteOffsets(tag, text)[0]!.start, emoteOffsets(tag, text)[0]!.end), 'Kappa');
  });

  test('/me: positions count from the text without the ACTION wrapper, as twurple reads them', () => {
    const { text, tag } = compose(['🔥 ', kappa]);
    const raw = `\u0001ACTION ${text}\u0001`;
    const m = message(`@emotes=${tag};id=1 :a!a@a.tmi.twitch.tv PRIVMSG #c :${raw}`);
    assert.equal(m.action, true);
    assert.equal(m.text, extractMessageText(raw));
    const twurple = parseEmotePositions(extractMessageText(raw), parseEmoteOffsets(tag));
    assert.equal(m.text.slice(m.emotes[0]!.start, m.emotes[0]!.end), twurple[0]!.name);
    assert.equal(twurple[0]!.name, 'Kappa');
    // twurple's decodeCtcp also takes an ACTION whose closing \x01 is missing
    const open = message(`@emotes=${tag};id=1 :a!a@a.tmi.twitch.tv PRIVMSG #c :\u0001ACTION ${text}`);
    assert.equal(open.action, true);
    assert.equal(open.text, extractMessageText(`\u0001ACTION ${text}`));
  });

  test('ranges that are malformed or outside the text are dropped; the rest sorted by start', () => {
    assert.deepEqual(emoteOffsets('25:6-10,0-4', 'Kappa Kappa'), [
      { id: '25', start: 0, end: 5 },
      { id: '25', start: 6, end: 11 },
    ]);
    for (const tag of ['25:0-5', '25:4-2', '25:-1-2', '25:a-b', '25:0x0-4', ':0-4', '25', '25:', '25:0-', '25:-4', '25:0-4-', '25:1e1-4', '25:99999999999-4', '/', ',']) {
      for (const e of emoteOffsets(tag, 'Kappa')) assert.ok(e.end <= 5 && e.start < e.end && e.id, `${tag} → ${JSON.stringify(e)}`);
    }
    assert.deepEqual(emoteOffsets('25:0-5', 'Kappa'), []);
    assert.deepEqual(emoteOffsets('25:0-1', '🔥'), []);
    assert.deepEqual(emoteOffsets('25:0-0', '🔥'), [{ id: '25', start: 0, end: 2 }]);
    assert.deepEqual(emoteOffsets(undefined, 'x'), []);
  });
});

describe('on lines recorded from the simulator', () => {
  let lines: string[] = [];
  before(async () => {
    lines = await recordChatLines(30_000);
  });

  test('every emote range cut from the text is the emote code, with emoji ahead of emotes among them', () => {
    const codes = new Map(EMOTES.map((e) => [e.id, e.code]));
    let emotes = 0;
    let emojiFirst = 0;
    for (const l of lines) {
      const parsed = parseChatLine(l, AT);
      if (parsed.kind !== 'message') continue;
      const m = parsed.event;
      for (const e of m.emotes) {
        assert.equal(m.text.slice(e.start, e.end), codes.get(e.id), `${l}`);
        emotes++;
        if (/[\uD800-\uDBFF]/.test(m.text.slice(0, e.start))) emojiFirst++;
      }
    }
    assert.ok(emotes > 1000, `${emotes} emotes`);
    assert.ok(emojiFirst > 10, `${emojiFirst} emotes behind an emoji`);
  });

  test('the lean parser and the reference parser agree on every line, field for field', () => {
    const kinds = new Map<string, number>();
    for (const l of lines) {
      const lean = parseChatLine(l, AT);
      assert.deepStrictEqual(lean, referenceParse(l, AT), l);
      kinds.set(lean.kind, (kinds.get(lean.kind) ?? 0) + 1);
    }
    // the corpus holds every kind the parser reads by hand
    for (const k of ['message', 'notice', 'clear', 'membership', 'other']) assert.ok((kinds.get(k) ?? 0) > 0, `${k}: ${JSON.stringify([...kinds])}`);
  });

  test("the simulator's malformed lines are malformed, never a crash", () => {
    let n = 0;
    // the broadcast lines, which the fault replaces: each has a source
    for (const l of lines.filter((l) => /^(@\S* )?:/.test(l)).slice(0, 2000)) {
      const tagged = l.startsWith('@');
      const broken = malformed(renderLine(tagged ? l.slice(1, l.indexOf(' ')) : '', tagged ? l.slice(l.indexOf(' ') + 1) : l));
      for (const variant of [broken.tagged, broken.plain]) {
        const parsed = parseChatLine(variant.replace(/\r\n$/, ''), AT);
        assert.equal(parsed.kind, 'malformed', variant);
        n++;
      }
    }
    assert.ok(n >= 4000);
  });

  test('fuzz: thousands of mutated lines never throw and never yield an event missing a field', (t) => {
    const seed = Number(process.env.LURK_FUZZ_SEED ?? FUZZ_SEED);
    t.diagnostic(`LURK_FUZZ_SEED=${seed}`);
    const random = mulberry32(seed);
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
    const SPECIAL = [
      '@',
      ':',
      ';',
      '=',
      ' ',
      '  ',
      '\\',
      '#',
      '!',
      '-',
      ',',
      '/',
      '\u0001',
      '\u0000',
      '\uD800',
      '\uDC00',
      '🔥',
      '👍🏽',
      '\uFFFD',
      '\r',
      '\n',
      'ACTION ',
      'PRIVMSG',
      'USERNOTICE',
      '353',
      '\\s',
      '\\:',
      'é',
    ];
    const sources = lines.filter((l, i) => i % 7 === 0 || !l.includes('PRIVMSG')).slice(0, 3000);
    const mutate = (l: string): string => {
      let s = l;
      for (let k = 1 + int(3); k > 0; k--) {
        const at = int(s.length + 1);
        switch (int(8)) {
          case 0:
            s = s.slice(0, at);
            break;
          case 1:
            s = s.slice(0, at) + s.slice(at + 1 + int(40));
            break;
          case 2:
            s = s.slice(0, at) + pick(SPECIAL) + s.slice(at);
            break;
          case 3:
            s = s.slice(0, at) + pick(SPECIAL) + s.slice(at + 1);
            break;
          case 4:
            s = s.slice(0, at) + s.slice(int(s.length), int(s.length) + 30) + s.slice(at);
            break;
          case 5:
            s = s.slice(at) + s.slice(0, at);
            break;
          case 6:
            s = String.fromCharCode(...Array.from({ length: int(60) }, () => int(0x10000)));
            break;
          case 7:
            s = s.slice(0, at) + pick(SPECIAL).repeat(1 + int(3000)) + s.slice(at);
            break;
        }
      }
      return s;
    };
    const problems: string[] = [];
    let count = 0;
    const inputs = [
      ...Array.from({ length: 12_000 }, () => mutate(pick(sources))),
      '',
      ' ',
      '@',
      ':',
      '@ ',
      ': ',
      '@a=b',
      ':x',
      'x'.repeat(1_000_000),
      `@${'a=b;'.repeat(50_000)} :a!a@a PRIVMSG #c :x`,
    ];
    for (const input of inputs) {
      count++;
      let parsed: ParsedLine;
      try {
        parsed = parseChatLine(input, AT);
      } catch (err) {
        problems.push(`threw ${(err as Error).message}: ${JSON.stringify(input.slice(0, 300))}`);
        continue;
      }
      const why = invalid(parsed);
      if (why) problems.push(`${why}: ${JSON.stringify(input.slice(0, 300))}`);
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} of ${count} inputs (LURK_FUZZ_SEED=${seed})`);
  });
});

/** what is wrong with an event's fields, '' when nothing */
function invalid(p: ParsedLine): string {
  const str = (v: unknown) => typeof v === 'string';
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const channelOk = (c: unknown) => str(c) && (c as string).length > 0 && c === (c as string).toLowerCase();
  const emotesOk = (list: unknown, text: string) =>
    Array.isArray(list) &&
    list.every(
      (e: { id: unknown; start: unknown; end: unknown }) =>
        str(e.id) && (e.id as string) !== '' && num(e.start) && num(e.end) && (e.start as number) >= 0 && (e.start as number) < (e.end as number) && (e.end as number) <= text.length,
    );
  switch (p.kind) {
    case 'message': {
      const m = p.event;
      if (![m.id, m.channelId, m.userId, m.user, m.displayName, m.text, m.color].every(str)) return 'message with a missing string';
      if (!channelOk(m.channel)) return `message with channel ${JSON.stringify(m.channel)}`;
      if (!emotesOk(m.emotes, m.text)) return `message with emotes ${JSON.stringify(m.emotes)}`;
      if (![m.bits, m.sentAt, m.receivedAt].every(num)) return 'message with a bad number';
      if (![m.action, m.firstMessage, m.returningChatter, ...Object.values(m.roles)].every((b) => typeof b === 'boolean') || Object.keys(m.roles).length !== 4) return 'message with bad flags';
      if (!Object.values(m.badges).every(str)) return 'message with a bad badge';
      if (m.reply && ![m.reply.parentId, m.reply.parentUser, m.reply.parentDisplayName, m.reply.parentText].every(str)) return 'message with a bad reply';
      return '';
    }
    case 'notice': {
      const n = p.event;
      if (![n.id, n.channelId, n.kind, n.userId, n.user, n.displayName, n.text, n.systemText].every(str) || n.kind === '') return 'notice with a missing string';
      if (!channelOk(n.channel)) return 'notice without a channel';
      if (!emotesOk(n.emotes, n.text)) return 'notice with bad emotes';
      if (![n.sentAt, n.receivedAt].every(num) || !Object.values(n.params).every(str)) return 'notice with a bad field';
      for (const k of ['months', 'giftCount', 'viewers'] as const) if (n[k] !== undefined && !num(n[k])) return `notice with ${k} ${n[k]}`;
      return '';
    }
    case 'clear': {
      const c = p.event;
      if (!channelOk(c.channel) || !str(c.channelId) || !['message', 'timeout', 'ban', 'all'].includes(c.kind) || !num(c.sentAt)) return 'bad clear';
      if (c.kind === 'timeout' && !num(c.durationSeconds)) return 'timeout without a duration';
      if ((c.kind === 'timeout' || c.kind === 'ban') && !(str(c.targetUser) && c.targetUser !== '')) return 'ban without a target';
      return '';
    }
    case 'membership':
      return channelOk(p.event.channel) && p.event.users.every((u) => str(u) && u !== '') ? '' : 'bad membership';
    case 'other':
      return str(p.message.command) && p.message.command !== '' && Array.isArray(p.message.params) ? '' : 'bad other';
    case 'malformed':
      return str(p.reason) && p.reason !== '' ? '' : 'malformed without a reason';
  }
}
