// Audience's service on real SQLite with Lurk's manual clock and the real presence engine: which
// channels are watched and why (config, API, top N, raid targets for two hours or until their
// stream ends), what EventSub and the chat pool are asked for, live state from the sweep, the
// chat ratio against peers, and a stop that writes what the engine holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import type { AudienceConfig } from '../../src/config/settings.js';
import type { StreamsPageEvent } from '../../src/discover/events.js';
import { AudienceService, type AudienceEventSub, medianWithout, RAID_WATCH_MS } from '../../src/audience/service.js';
import type { ChatWants } from '../../src/twitch/chat/types.js';
import type { TwitchUser } from '../../src/twitch/users.js';
import { AudienceStore } from '../../src/audience/store.js';
import { createAudienceEngine } from '../../src/audience/tracker.js';
import { openStore, type Store } from '../../src/store/database.js';
import type { ChatMessage } from '../../src/twitch/chat/events.js';
import type { ChatChannelInfo } from '../../src/twitch/chat/types.js';
import type { EventSubNotification } from '../../src/twitch/eventsub/events.js';
import type { SubscriptionWant } from '../../src/twitch/eventsub/manager.js';
import type { HelixStream } from '../../src/twitch/helix.external.js';
import { memoryLogger } from '../helpers/app.js';
import { tempSqlite } from '../helpers/db.js';

const START = Date.UTC(2026, 11, 1, 18, 0, 0);
const MINUTE = 60_000;

class FakeChat implements ChatWants {
  readonly wanted = new Set<string>();
  want(owner: string, logins: readonly string[]): void {
    assert.equal(owner, 'audience');
    for (const l of logins) this.wanted.add(l);
  }
  release(owner: string, logins: readonly string[]): void {
    assert.equal(owner, 'audience');
    for (const l of logins) this.wanted.delete(l);
  }
  channels(): ChatChannelInfo[] {
    return [...this.wanted].map((channel) => ({ channel, role: 'read', state: 'joined', owners: ['audience'], linesPerMinute: 0 }));
  }
}

class FakeEventSub implements AudienceEventSub {
  wants: SubscriptionWant[] = [];
  kicks = 0;
  declare(owner: string, wants: readonly SubscriptionWant[]): void {
    assert.equal(owner, 'audience');
    this.wants = [...wants];
  }
  kick(): void {
    this.kicks++;
  }
  /** the broadcaster ids each kind of want names */
  ids(type: string, field: string): string[] {
    return this.wants
      .filter((w) => w.type === type && w.condition[field] !== undefined)
      .map((w) => w.condition[field]!)
      .sort();
  }
}

const LOGINS = ['cozy_bard', 'pixelmage', 'lorekeeper', 'speedrunner', 'quietone', 'loudone', 'sleepy', 'hyped', 'target_one'];
const USERS: TwitchUser[] = LOGINS.map((login, i) => ({ id: String(1000 + i), login, display_name: login.toUpperCase() }));
const idOf = (login: string) => USERS.find((u) => u.login === login)!.id;

function setup(store: Store, clock: ManualClock, config: Partial<AudienceConfig> = {}) {
  const chat = new FakeChat();
  const eventsub = new FakeEventSub();
  const full: AudienceConfig = { channels: [], top: 0, lingerSeconds: 600, moveWindowSeconds: 600, perUser: false, perUserDays: 7, ...config };
  const service = new AudienceService({
    config: full,
    store: new AudienceStore(store.db, store.facts),
    engine: createAudienceEngine({ lingerMs: full.lingerSeconds * 1000, windowMs: full.moveWindowSeconds * 1000 }),
    clock,
    log: memoryLogger('warn').log,
    chat,
    eventsub,
    lookupUsers: async (logins) => USERS.filter((u) => logins.includes(u.login)),
  });
  return { service, chat, eventsub };
}

function stream(login: string, viewers: number): HelixStream {
  const id = idOf(login);
  return {
    id: `s${id}`,
    user_id: id,
    user_login: login,
    user_name: login,
    game_id: '1',
    game_name: 'Just Chatting',
    type: 'live',
    title: 't',
    viewer_count: viewers,
    started_at: new Date(START - 3_600_000).toISOString(),
    language: 'en',
    thumbnail_url: '',
    tag_ids: [],
    tags: [],
    is_mature: false,
  } as HelixStream;
}

function page(generation: number, streams: HelixStream[], seenAt: number): StreamsPageEvent {
  return { generation, seenAt, page: 0, streams };
}

function raidNotification(from: string, to: string, at: number, toId = idOf(to)): EventSubNotification {
  return {
    type: 'channel.raid',
    messageId: `m-${from}-${to}-${at}`,
    subscriptionId: 'sub',
    version: '1',
    condition: { from_broadcaster_user_id: idOf(from) },
    transport: 'webhook',
    sentAt: at,
    receivedAt: at,
    event: {
      from_broadcaster_user_id: idOf(from),
      from_broadcaster_user_login: from,
      from_broadcaster_user_name: from,
      to_broadcaster_user_id: toId,
      to_broadcaster_user_login: to,
      to_broadcaster_user_name: to,
      viewers: 12,
    },
  };
}

function offline(login: string, at: number): EventSubNotification {
  return {
    type: 'stream.offline',
    messageId: `off-${login}-${at}`,
    subscriptionId: 'sub',
    version: '1',
    condition: { broadcaster_user_id: idOf(login) },
    transport: 'webhook',
    sentAt: at,
    receivedAt: at,
    event: { broadcaster_user_id: idOf(login), broadcaster_user_login: login, broadcaster_user_name: login },
  };
}

let seq = 0;
function message(channel: string, user: string, at: number): ChatMessage {
  seq++;
  return {
    id: `m${seq}`,
    channel,
    channelId: idOf(channel),
    userId: `u-${user}`,
    user,
    displayName: user,
    text: 'hello',
    action: false,
    emotes: [],
    bits: 0,
    badges: {},
    roles: { broadcaster: false, mod: false, vip: false, subscriber: false },
    color: '',
    firstMessage: false,
    returningChatter: false,
    sentAt: at,
    receivedAt: at,
  };
}

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const db = await tempSqlite();
  const store = await openStore({ url: db.url });
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close();
    await db.drop();
  }
}

test('config and API channels: Helix names them, unknown logins are returned, API-only channels can be unwatched; EventSub and the chat pool follow', async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(START);
    const { service, chat, eventsub } = setup(store, clock, { channels: ['cozy_bard', 'nobody_at_all'] });
    await service.start();
    try {
      assert.deepEqual(service.logins(), ['cozy_bard']);
      assert.deepEqual(eventsub.ids('stream.offline', 'broadcaster_user_id'), [idOf('cozy_bard')]);
      const r = await service.watch(['PixelMage', 'cozy_bard', 'ghost_login']);
      assert.deepEqual(
        r.added.map((c) => [c.login, c.sources]),
        [
          ['cozy_bard', ['config', 'api']],
          ['pixelmage', ['api']],
        ],
      );
      assert.deepEqual(r.unknown, ['ghost_login']);
      assert.deepEqual([...chat.wanted].sort(), ['cozy_bard', 'pixelmage']);
      // four wants per channel: the stream's start and end, raids out and raids in
      assert.equal(eventsub.wants.length, 8);
      assert.deepEqual(eventsub.ids('channel.raid', 'from_broadcaster_user_id'), [idOf('cozy_bard'), idOf('pixelmage')].sort());
      assert.deepEqual(eventsub.ids('channel.raid', 'to_broadcaster_user_id'), [idOf('cozy_bard'), idOf('pixelmage')].sort());
      assert.ok(eventsub.kicks > 0, 'a reconcile is asked for at once');
      assert.equal(await service.unwatch('ghost_login'), false);
      assert.equal(await service.unwatch('cozy_bard'), true, 'the API source goes');
      assert.equal(await service.unwatch('cozy_bard'), false, 'config alone: not the API to remove');
      assert.equal(await service.unwatch('pixelmage'), true);
      assert.deepEqual(service.logins(), ['cozy_bard']);
      assert.deepEqual([...chat.wanted], ['cozy_bard']);
      assert.equal(eventsub.wants.length, 4);
      const { channels, settings } = await service.channels();
      assert.deepEqual(channels[0]!.sources, ['config']);
      assert.deepEqual(settings, { linger_seconds: 600, move_window_seconds: 600, per_user_moves: false, per_user_days: 7 });
    } finally {
      await service.stop();
    }
    // a restart keeps what was stored
    const again = setup(store, clock, { channels: ['cozy_bard'] });
    await again.service.start();
    assert.deepEqual(again.service.logins(), ['cozy_bard']);
    await again.service.stop();
  });
});

test("a watched channel's raid target is watched (source raid) for two hours, or until its stream ends; stored across a restart", async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(START);
    const { service, chat, eventsub } = setup(store, clock, { channels: ['cozy_bard'] });
    await service.start();
    try {
      // a raid between two channels Lurk does not watch changes nothing
      service.onEventSub(raidNotification('pixelmage', 'target_one', clock.now()));
      await service.settled();
      assert.deepEqual(service.logins(), ['cozy_bard']);
      service.onEventSub(raidNotification('cozy_bard', 'target_one', clock.now()));
      assert.ok(service.isWatched('target_one'), 'watched at once, before the raiders arrive');
      await service.settled();
      assert.deepEqual(service.record('target_one')?.sources, ['raid']);
      assert.equal(service.record('target_one')?.raidUntil, START + RAID_WATCH_MS);
      assert.ok(chat.wanted.has('target_one'));
      await clock.advance(5000);
      assert.ok(eventsub.ids('stream.offline', 'broadcaster_user_id').includes(idOf('target_one')));
      const live = (await service.channels()).channels.find((c) => c.login === 'target_one')!;
      assert.equal(live.live, true);
      assert.deepEqual(live.sources, ['raid']);
    } finally {
      await service.stop();
    }
    // stored: a restart within the two hours keeps it
    const second = setup(store, clock, { channels: ['cozy_bard'] });
    await second.service.start();
    try {
      assert.ok(second.service.isWatched('target_one'));
      // the two hours run out: dropped at the next tick
      await clock.advance(RAID_WATCH_MS);
      await second.service.settled();
      assert.deepEqual(second.service.logins(), ['cozy_bard']);
      assert.ok(!second.chat.wanted.has('target_one'));
      // raided again, then its stream ends: watched 31 minutes more (where its audience went is
      // followed for 30), then dropped
      second.service.onEventSub(raidNotification('cozy_bard', 'target_one', clock.now()));
      await second.service.settled();
      assert.ok(second.service.isWatched('target_one'));
      second.service.onEventSub(offline('target_one', clock.now() + 1000));
      await second.service.settled();
      assert.ok(second.service.isWatched('target_one'), 'still watched while its audience is followed');
      await clock.advance(30 * MINUTE);
      await second.service.settled();
      assert.ok(second.service.isWatched('target_one'));
      await clock.advance(2 * MINUTE);
      await second.service.settled();
      assert.ok(!second.service.isWatched('target_one'));
      const ended = await second.service.ended({ channel: 'target_one', limit: 10 });
      assert.equal(ended.ended.length, 1, 'its ended stream is stored');
      assert.equal(ended.ended[0]!.final, true);
      // a channel with another source keeps it and loses only 'raid'
      await second.service.watch(['pixelmage']);
      second.service.onEventSub(raidNotification('cozy_bard', 'pixelmage', clock.now()));
      await second.service.settled();
      assert.deepEqual(second.service.record('pixelmage')?.sources, ['api', 'raid']);
      second.service.onEventSub(offline('pixelmage', clock.now() + 2000));
      await second.service.settled();
      assert.deepEqual(second.service.record('pixelmage')?.sources, ['api']);
      assert.equal(second.service.record('pixelmage')?.raidUntil, null);
    } finally {
      await second.service.stop();
    }
  });
});

test('the sweep: live state and viewer counts; a channel live in one complete sweep and gone from the next two has ended; the top N followed', async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(START);
    const { service } = setup(store, clock, { channels: ['cozy_bard', 'pixelmage'], top: 2 });
    await service.start();
    try {
      await service.onStreamsPage(page(1, [stream('loudone', 900), stream('hyped', 800), stream('cozy_bard', 120), stream('pixelmage', 40)], clock.now()));
      await service.onSweepCompleted(1, clock.now());
      await service.settled();
      assert.deepEqual(service.logins(), ['cozy_bard', 'hyped', 'loudone', 'pixelmage']);
      let rows = (await service.channels()).channels;
      assert.deepEqual(
        rows.map((c) => [c.login, c.sources, c.live, c.viewer_count]),
        [
          ['cozy_bard', ['config'], true, 120],
          ['hyped', ['top'], true, 800],
          ['loudone', ['top'], true, 900],
          ['pixelmage', ['config'], true, 40],
        ],
      );
      // the next sweep: pixelmage missing (paging drift skips one now and then: still live), hyped out of the top two
      await clock.advance(MINUTE);
      await service.onStreamsPage(page(2, [stream('loudone', 950), stream('sleepy', 850), stream('hyped', 700), stream('cozy_bard', 130)], clock.now()));
      await service.onSweepCompleted(2, clock.now());
      await service.settled();
      assert.deepEqual(service.logins(), ['cozy_bard', 'loudone', 'pixelmage', 'sleepy']);
      rows = (await service.channels()).channels;
      assert.equal(rows.find((c) => c.login === 'pixelmage')!.live, true, 'one missed sweep is not an end');
      // missing from a second complete sweep in a row: ended
      await clock.advance(MINUTE);
      await service.onStreamsPage(page(3, [stream('loudone', 950), stream('sleepy', 850), stream('cozy_bard', 130)], clock.now()));
      await service.onSweepCompleted(3, clock.now());
      await service.settled();
      rows = (await service.channels()).channels;
      const pixel = rows.find((c) => c.login === 'pixelmage')!;
      assert.equal(pixel.live, false);
      assert.equal(pixel.viewer_count, null);
      assert.equal(rows.find((c) => c.login === 'cozy_bard')!.viewer_count, 130);
    } finally {
      await service.stop();
    }
  });
});

test('chat ratio: active chatters over viewers, against the median of at least five channels of the same size; far below it is flagged', async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(START);
    const logins = ['cozy_bard', 'pixelmage', 'lorekeeper', 'speedrunner', 'quietone', 'loudone'];
    const { service } = setup(store, clock, { channels: logins });
    await service.start();
    try {
      // all in the hundreds; five chat at 20 per 200 viewers, loudone at 1 per 500
      await service.onStreamsPage(
        page(
          1,
          logins.map((l) => stream(l, l === 'loudone' ? 500 : 200)),
          clock.now(),
        ),
      );
      const at = clock.now();
      for (const l of logins) {
        const n = l === 'loudone' ? 1 : 20;
        service.onMessages(Array.from({ length: n }, (_, i) => message(l, `${l}_fan${i}`, at + i)));
      }
      // a repeat chatter is one active chatter
      service.onMessages([message('cozy_bard', 'cozy_bard_fan0', at + 100)]);
      await clock.advance(5000);
      let rows = (await service.channels()).channels;
      const by = new Map(rows.map((r) => [r.login, r]));
      assert.equal(by.get('cozy_bard')!.active_chatters, 20);
      assert.equal(by.get('cozy_bard')!.chat_ratio, 0.1);
      assert.equal(by.get('cozy_bard')!.peer_ratio, 0.1);
      assert.equal(by.get('cozy_bard')!.flagged, false);
      assert.equal(by.get('loudone')!.chat_ratio, 1 / 500);
      assert.equal(by.get('loudone')!.peer_ratio, 0.1);
      assert.equal(by.get('loudone')!.flagged, true);
      // with one channel fewer in the bucket there are too few peers
      await service.unwatch('quietone');
      await service.watch(['quietone']);
      await clock.advance(11 * MINUTE);
      rows = (await service.channels()).channels;
      assert.ok(
        rows.every((r) => r.active_chatters === 0),
        'chatters older than 10 minutes are not active',
      );
    } finally {
      await service.stop();
    }
  });
});

test('a stop writes the activity the engine holds; overlap counts it', async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(START);
    const { service } = setup(store, clock, { channels: ['cozy_bard', 'pixelmage'] });
    await service.start();
    const at = clock.now();
    service.onMessages([message('cozy_bard', 'both', at), message('pixelmage', 'both', at + 1), message('cozy_bard', 'only_a', at + 2), message('lorekeeper', 'unwatched', at + 3)]);
    await clock.advance(5000);
    await service.stop();
    const rows = await store.db.selectFrom('audience_activity').select(['channel', 'viewer']).orderBy('channel').orderBy('viewer').execute();
    assert.deepEqual(
      rows.map((r) => [r.channel, r.viewer]),
      [
        ['cozy_bard', 'both'],
        ['cozy_bard', 'only_a'],
        ['pixelmage', 'both'],
      ],
    );
    const again = setup(store, clock, { channels: ['cozy_bard', 'pixelmage'] });
    await again.service.start();
    try {
      const o = await again.service.overlap({ channel: 'cozy_bard', days: 1 });
      assert.equal(o.audience, 2);
      assert.equal(o.shared_any, 1);
      assert.deepEqual(o.others, [{ channel: 'pixelmage', shared: 1, share_of_channel: 0.5, share_of_other: 1, probability: 1 }]);
      assert.equal(o.ranking.length, 1, "today's ranking, counted live");
      assert.deepEqual(o.ranking[0]!.ranks, [{ channel: 'pixelmage', rank: 1, shared: 1, probability: 1 }]);
    } finally {
      await again.service.stop();
    }
  });
});

test("the daily job stores the previous UTC day's ranking and map; today's map is counted on request; a missing day is undefined", async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 23, 0));
    const logins = ['cozy_bard', 'pixelmage', 'lorekeeper', 'speedrunner'];
    const { service } = setup(store, clock, { channels: logins });
    await service.start();
    try {
      assert.equal(await service.map({}), undefined, 'no activity, no map');
      // two pairs of channels sharing their chatters: cozy_bard + pixelmage, lorekeeper + speedrunner
      const at = clock.now();
      for (const [i, l] of logins.entries()) service.onMessages(Array.from({ length: 6 }, (_, k) => message(l, `${i < 2 ? 'left' : 'right'}${k}`, at + k)));
      await clock.advance(MINUTE + 5000);
      const today = await service.map({});
      assert.equal(today?.day, '2026-12-01');
      assert.deepEqual(today?.days, ['2026-12-01']);
      assert.equal(today?.nodes.length, 4);
      assert.equal(today?.communities, 2);
      const community = new Map(today!.nodes.map((n) => [n.channel, n.community]));
      assert.equal(community.get('cozy_bard'), community.get('pixelmage'));
      assert.equal(community.get('lorekeeper'), community.get('speedrunner'));
      assert.notEqual(community.get('cozy_bard'), community.get('lorekeeper'));
      // today's map is kept 10 minutes: a new chatter shows after that
      service.onMessages([message('cozy_bard', 'late_fan', clock.now())]);
      await clock.advance(MINUTE + 5000);
      const cached = await service.map({});
      assert.equal(cached?.computed_at, today?.computed_at);
      assert.equal(cached?.nodes.find((n) => n.channel === 'cozy_bard')?.audience, 6);
      await clock.advance(10 * MINUTE);
      const fresh = await service.map({});
      assert.notEqual(fresh?.computed_at, today?.computed_at);
      assert.equal(fresh?.nodes.find((n) => n.channel === 'cozy_bard')?.audience, 7);

      // past midnight and the job's 00:10
      await clock.advance(60 * MINUTE);
      assert.deepEqual(await service.daily(), { day: '2026-12-01', ranked: 4, nodes: 4 });
      assert.equal(await service.daily(true), undefined, 'stored already: the start-up catch-up skips it');
      const stored = await service.map({ day: '2026-12-01' });
      assert.deepEqual(
        stored?.nodes.map((n) => [n.channel, n.audience]),
        [
          ['cozy_bard', 7],
          ['lorekeeper', 6],
          ['pixelmage', 6],
          ['speedrunner', 6],
        ],
      );
      assert.deepEqual(
        stored?.edges.map((e) => [e.source, e.target, e.shared, e.weight]),
        [
          ['cozy_bard', 'pixelmage', 6, 1],
          ['lorekeeper', 'speedrunner', 6, 1],
        ],
      );
      assert.equal(await service.map({ day: '2026-11-30' }), undefined);
      // nothing today yet: the newest stored day
      assert.equal((await service.map({}))?.day, '2026-12-01');
      const o = await service.overlap({ channel: 'cozy_bard', days: 1 });
      assert.deepEqual(o.ranking, [{ day: '2026-12-01', ranks: [{ channel: 'pixelmage', rank: 1, shared: 6, probability: 1 }] }]);
      assert.equal(o.audience, 7);
      assert.deepEqual(
        o.others.map((r) => [r.channel, r.shared]),
        [['pixelmage', 6]],
      );
    } finally {
      await service.stop();
    }
  });
});

test('a failing database: the tick never throws, the batch is kept and written once the database answers again', async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(START);
    class FlakyStore extends AudienceStore {
      failures = 2;
      override async write(w: Parameters<AudienceStore['write']>[0]): Promise<void> {
        if (this.failures > 0 && w.activity.length > 0) {
          this.failures--;
          throw new Error('the database is away');
        }
        return super.write(w);
      }
    }
    const flaky = new FlakyStore(store.db, store.facts);
    const log = memoryLogger('warn');
    const service = new AudienceService({
      config: { channels: ['cozy_bard'], top: 0, lingerSeconds: 600, moveWindowSeconds: 600, perUser: false, perUserDays: 7 },
      store: flaky,
      engine: createAudienceEngine({ lingerMs: 600_000, windowMs: 600_000 }),
      clock,
      log: log.log,
      chat: new FakeChat(),
      eventsub: new FakeEventSub(),
      lookupUsers: async (logins) => USERS.filter((u) => logins.includes(u.login)),
    });
    await service.start();
    try {
      service.onMessages([message('cozy_bard', 'early', clock.now())]);
      // the minute's drain fails twice (two ticks), then goes through with what came meanwhile
      await clock.advance(MINUTE + 5000);
      service.onMessages([message('cozy_bard', 'later', clock.now())]);
      await clock.advance(2 * MINUTE);
      assert.equal(flaky.failures, 0);
      const rows = await store.db.selectFrom('audience_activity').select('viewer').orderBy('viewer').execute();
      assert.deepEqual(
        rows.map((r) => r.viewer),
        ['early', 'later'],
      );
      assert.ok(log.lines().some((l) => String(l.msg).includes('audience write failed')));
      assert.deepEqual(service.droppedRows, { moves: 0, raids: 0, ended: 0, activity: 0 });
    } finally {
      await service.stop();
    }
  });
});

test("the peers' median without each channel is the median of the others", () => {
  const naive = (values: number[]) => {
    const v = [...values].sort((a, b) => a - b);
    return v.length % 2 === 1 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let n = 2; n < 14; n++) {
    const sorted = Array.from({ length: n }, () => Math.round(next() * 20) / 20).sort((a, b) => a - b);
    for (let i = 0; i < n; i++) assert.equal(medianWithout(sorted, i), naive(sorted.filter((_, k) => k !== i)), `${sorted} without #${i}`);
  }
});

test("raiders arriving in a raid target Lurk starts watching with the raid are moves (the target's warm-up does not hide them)", async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(START);
    const { service } = setup(store, clock, { channels: ['cozy_bard'], perUser: true });
    await service.start();
    try {
      // past cozy_bard's warm-up, five viewers chat there
      await clock.advance(3 * MINUTE);
      const raiders = ['r1', 'r2', 'r3', 'r4', 'r5'];
      service.onMessages(raiders.map((u, i) => message('cozy_bard', u, clock.now() + i)));
      await clock.advance(10_000);
      const raidAt = clock.now();
      service.onEventSub(raidNotification('cozy_bard', 'target_one', raidAt));
      // they leave with the raid and arrive a few seconds later; target_one's own viewer was there before
      service.onMembership([
        { channel: 'cozy_bard', kind: 'part', users: raiders, receivedAt: raidAt + 1000 },
        { channel: 'target_one', kind: 'names', users: ['regular'], receivedAt: raidAt + 1500 },
        { channel: 'target_one', kind: 'join', users: raiders, receivedAt: raidAt + 3000 },
      ]);
      await clock.advance(10_000);
      const moves = await service.moves({ from: raidAt - MINUTE, to: clock.now() + MINUTE, limit: 100 });
      assert.deepEqual(
        moves.pairs.map((p) => [p.from_channel, p.to_channel, p.moves, p.raid]),
        [['cozy_bard', 'target_one', 5, 5]],
      );
      assert.deepEqual(moves.moves?.map((m) => m.user).sort(), raiders);
      const { raids } = await service.raids({ from: raidAt - MINUTE, to: clock.now() + MINUTE, limit: 10 });
      assert.equal(raids[0]?.raiders_seen, 5);
    } finally {
      await service.stop();
    }
  });
});
