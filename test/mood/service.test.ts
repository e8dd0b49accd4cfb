// Mood's service on a real database (SQLite and PostgreSQL) with Lurk's manual clock: top-N
// following, subs counted once, the partial minute kept across a restart, raw retention.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import type { StreamsPageEvent } from '../../src/discover/events.js';
import { createClassifier } from '../../src/mood/classifier/index.js';
import { MoodService } from '../../src/mood/service.js';
import type { ChatWants } from '../../src/twitch/chat/types.js';
import type { TwitchUser } from '../../src/twitch/users.js';
import { MoodStore, type TickWrite } from '../../src/mood/store.js';
import { createMoodEngine } from '../../src/mood/windows.js';
import type { MoodConfig } from '../../src/config/settings.js';
import type { MoodMoment } from '../../src/mood/types.js';
import { openStore, type Store } from '../../src/store/database.js';
import type { ChatMessage, ChatNotice } from '../../src/twitch/chat/events.js';
import type { ChatChannelInfo } from '../../src/twitch/chat/types.js';
import type { HelixStream } from '../../src/twitch/helix.external.js';
import { memoryLogger } from '../helpers/app.js';
import { tempSqlite, withEachDialect } from '../helpers/db.js';

const START = Date.UTC(2026, 11, 1, 18, 0, 0);
const MINUTE = 60_000;

/** the chat pool's side: who Mood wants read */
class FakeChat implements ChatWants {
  readonly wanted = new Set<string>();
  want(owner: string, logins: readonly string[]): void {
    assert.equal(owner, 'mood');
    for (const l of logins) this.wanted.add(l);
  }
  release(owner: string, logins: readonly string[]): void {
    assert.equal(owner, 'mood');
    for (const l of logins) this.wanted.delete(l);
  }
  channels(): ChatChannelInfo[] {
    return [...this.wanted].map((channel) => ({ channel, role: 'read', state: 'joined', owners: ['mood'], linesPerMinute: 0 }));
  }
}

const USERS: TwitchUser[] = ['cozy_bard', 'pixelmage', 'lorekeeper', 'speedrunner', 'quietone', 'loudone'].map((login, i) => ({ id: String(1000 + i), login, display_name: login.toUpperCase() }));

function service(store: Store, clock: ManualClock, config: Partial<MoodConfig> = {}, chat = new FakeChat(), moodStore = new MoodStore(store.db, store.facts)) {
  const lookups: string[][] = [];
  const s = new MoodService({
    config: { channels: [], top: 0, rawRetentionHours: 0, ...config },
    store: moodStore,
    engine: createMoodEngine(),
    classifier: createClassifier(),
    clock,
    log: memoryLogger('warn').log,
    chat,
    lookupUsers: async (logins) => {
      lookups.push([...logins]);
      return USERS.filter((u) => logins.includes(u.login));
    },
  });
  return { service: s, chat, lookups };
}

let seq = 0;
function message(channel: string, text: string, at: number, user = `viewer_${seq % 7}`): ChatMessage {
  seq++;
  return {
    id: `m${seq}`,
    channel,
    channelId: '1',
    userId: '9',
    user,
    displayName: user,
    text,
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

function notice(channel: string, kind: string, at: number, params: Record<string, string> = {}, giftCount?: number): ChatNotice {
  seq++;
  return {
    id: `n${seq}`,
    channel,
    channelId: '1',
    kind,
    userId: '9',
    user: 'gifter',
    displayName: 'gifter',
    text: '',
    emotes: [],
    systemText: '',
    params,
    ...(giftCount ? { giftCount } : {}),
    sentAt: at,
    receivedAt: at,
  };
}

function page(generation: number, index: number, logins: [string, number][]): StreamsPageEvent {
  const streams = logins.map(([login, viewers]) => {
    const u = USERS.find((x) => x.login === login)!;
    return { id: `s${u.id}`, user_id: u.id, user_login: login, user_name: u.display_name, viewer_count: viewers } as HelixStream;
  });
  return { generation, seenAt: START, page: index, streams };
}

/** a migrated SQLite store and a manual clock for one test, removed afterwards */
async function onSqlite(fn: (store: Store, clock: ManualClock) => Promise<void>): Promise<void> {
  const db = await tempSqlite();
  const store = await openStore({ url: db.url });
  try {
    await store.migrate();
    await fn(store, new ManualClock(START));
  } finally {
    await store.close();
    await db.drop();
  }
}

test('top N: followed from the first pages of each sweep; a channel that drops out is replaced, one also added by the API stays', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    const clock = new ManualClock(START);
    try {
      await store.migrate();
      const { service: mood, chat, lookups } = service(store, clock, { top: 3 });
      await mood.start();
      await mood.add(['pixelmage']);
      // the first page holds two, the second completes the three
      await mood.onStreamsPage(
        page(1, 0, [
          ['cozy_bard', 900],
          ['pixelmage', 800],
        ]),
      );
      assert.deepEqual(mood.logins(), ['pixelmage']);
      await mood.onStreamsPage(
        page(1, 1, [
          ['lorekeeper', 700],
          ['speedrunner', 600],
        ]),
      );
      assert.deepEqual(mood.logins(), ['cozy_bard', 'lorekeeper', 'pixelmage']);
      assert.deepEqual(
        mood.summaries(clock.now()).map((c) => [c.login, c.sources, c.user_id]),
        [
          ['cozy_bard', ['top'], '1000'],
          ['lorekeeper', ['top'], '1002'],
          ['pixelmage', ['api', 'top'], '1001'],
        ],
      );
      // the ranking's channels come with their ids: Helix is asked only about the API's
      assert.deepEqual(lookups, [['pixelmage']]);
      // later pages of the same sweep change nothing
      await mood.onStreamsPage(page(1, 2, [['quietone', 10]]));
      assert.deepEqual(mood.logins(), ['cozy_bard', 'lorekeeper', 'pixelmage']);

      // the next sweep: pixelmage and lorekeeper fell out, two others rose
      await mood.onStreamsPage(
        page(2, 0, [
          ['speedrunner', 1000],
          ['cozy_bard', 950],
          ['loudone', 900],
        ]),
      );
      assert.deepEqual(mood.logins(), ['cozy_bard', 'loudone', 'pixelmage', 'speedrunner']);
      assert.deepEqual([...chat.wanted].sort(), ['cozy_bard', 'loudone', 'pixelmage', 'speedrunner']);
      assert.deepEqual(mood.summaries(clock.now()).find((c) => c.login === 'pixelmage')!.sources, ['api']);
      // a sweep with fewer live channels than N: what it saw is the top, once it completes
      await mood.onStreamsPage(page(3, 0, [['quietone', 5]]));
      assert.deepEqual(mood.logins(), ['cozy_bard', 'loudone', 'pixelmage', 'speedrunner']);
      await mood.onSweepCompleted(3);
      assert.deepEqual(mood.logins(), ['pixelmage', 'quietone']);
      await mood.stop();

      // across a restart: the stored set comes back as it was
      const again = service(store, clock, { top: 3 });
      await again.service.start();
      assert.deepEqual(again.service.logins(), ['pixelmage', 'quietone']);
      assert.deepEqual([...again.chat.wanted].sort(), ['pixelmage', 'quietone']);
      await again.service.stop();
      // with LURK_MOOD_TOP off, channels tracked only for the ranking go
      const off = service(store, clock, { top: 0 });
      await off.service.start();
      assert.deepEqual(off.service.logins(), ['pixelmage']);
      await off.service.stop();
    } finally {
      await store.close();
    }
  });
});

test('subs: a mystery gift of 5 counts 5 and not its 5 subgifts again; sub, resub and a lone gift count 1 each; untracked channels are ignored', async () => {
  await onSqlite(async (store, clock) => {
    const { service: mood } = service(store, clock);
    await mood.start();
    await mood.add(['cozy_bard']);
    const at = clock.now() + 1000;
    const origin = { 'origin-id': 'gift-1' };
    mood.onNotices([
      notice('cozy_bard', 'submysterygift', at, { ...origin, 'mass-gift-count': '5' }, 5),
      ...Array.from({ length: 5 }, () => notice('cozy_bard', 'subgift', at, origin)),
      notice('cozy_bard', 'sub', at),
      notice('cozy_bard', 'resub', at),
      notice('cozy_bard', 'subgift', at, { 'origin-id': 'lone-1' }),
      notice('cozy_bard', 'raid', at),
      notice('pixelmage', 'sub', at),
    ]);
    // subgifts that arrive ahead of their mystery gift are counted once in all
    mood.onNotices([
      notice('cozy_bard', 'subgift', at, { 'origin-id': 'gift-2' }),
      notice('cozy_bard', 'submysterygift', at, { 'origin-id': 'gift-2' }, 3),
      notice('cozy_bard', 'subgift', at, { 'origin-id': 'gift-2' }),
    ]);
    mood.onMessages([message('cozy_bard', 'pog', at), message('pixelmage', 'pog', at)]);
    await clock.advance(2 * MINUTE);
    await mood.idle();
    const series = await mood.series('cozy_bard', { from: START, to: START + 2 * MINUTE, step: '1m' });
    const total = series.points.reduce((n, p) => n + p.subs, 0);
    assert.equal(total, 5 + 1 + 1 + 1 + 3);
    assert.equal(
      series.points.reduce((n, p) => n + p.messages, 0),
      1,
    );
    await mood.stop();
  });
});

test('a graceful stop writes the partial minute; after the restart the same minute gains the rest; windows count what was said', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    const clock = new ManualClock(START);
    try {
      await store.migrate();
      const first = service(store, clock);
      await first.service.start();
      await first.service.add(['cozy_bard']);
      const m = START + 2 * MINUTE;
      await clock.advance(m + 5000 - clock.now());
      first.service.onMessages([message('cozy_bard', 'pog', clock.now()), message('cozy_bard', 'boring', clock.now()), message('cozy_bard', 'hello there', clock.now())]);
      const windows = first.service.detail('cozy_bard', clock.now())!.windows;
      assert.equal(windows['1m'].messages, 3);
      // shares of the window's messages
      assert.deepEqual([windows['1m'].positive, windows['1m'].neutral, windows['1m'].negative], [1 / 3, 1 / 3, 1 / 3]);
      await clock.advance(10_000);
      await first.service.stop();
      const stored = new MoodStore(store.db, store.facts);
      const channelId = USERS[0]!.id;
      assert.deepEqual(
        (await stored.minutes(channelId, m, m + MINUTE)).map((r) => r.messages),
        [3],
      );

      const second = service(store, clock);
      await clock.advance(5000);
      await second.service.start();
      assert.deepEqual(second.service.logins(), ['cozy_bard']);
      second.service.onMessages([message('cozy_bard', 'gg', clock.now()), message('cozy_bard', 'w', clock.now())]);
      await clock.advance(m + MINUTE + 1000 - clock.now());
      await second.service.idle();
      const rows = await stored.minutes(channelId, m, m + MINUTE);
      assert.deepEqual(
        rows.map((r) => [r.messages, r.positive, r.neutral, r.negative]),
        [[5, 3, 1, 1]],
      );
      // the series serves the same, and the minutes before the first message (tracked, quiet)
      const series = await second.service.series('cozy_bard', { from: m, to: m + MINUTE, step: '1m' });
      assert.deepEqual(
        series.points.map((p) => [p.t, p.messages]),
        [[new Date(m).toISOString(), 5]],
      );
      await second.service.stop();
    } finally {
      await store.close();
    }
  });
});

test('raw messages are stored only with a retention, and pruned past it', async (t) => {
  for (const hours of [0, 1]) {
    await t.test(`retention ${hours} h`, async () => {
      await onSqlite(async (store, clock) => {
        const { service: mood } = service(store, clock, { rawRetentionHours: hours });
        await mood.start();
        await mood.add(['cozy_bard']);
        mood.onMessages([message('cozy_bard', 'pog', clock.now() + 10, 'alice'), message('cozy_bard', 'boring', clock.now() + 20, 'bob')]);
        await clock.advance(1000);
        await mood.idle();
        const stored = new MoodStore(store.db, store.facts);
        const raw = await stored.rawMessages(USERS[0]!.id, START, START + MINUTE);
        assert.deepEqual(
          raw.map((r) => [r.user, r.text, r.label]),
          hours > 0
            ? [
                ['alice', 'pog', 'positive'],
                ['bob', 'boring', 'negative'],
              ]
            : [],
        );
        if (hours > 0) {
          assert.equal(await mood.pruneRaw(), 0, 'nothing is older than the retention yet');
          await clock.advance(hours * 3_600_000);
          assert.equal(await mood.pruneRaw(), 2);
          assert.deepEqual(await stored.rawMessages(USERS[0]!.id, START, START + MINUTE), []);
        }
        await mood.stop();
      });
    });
  }
});

test('a burst over steady chat is a spike moment: pushed as it changes, stored with its examples, served by moments()', async () => {
  await onSqlite(async (store, clock) => {
    const { service: mood } = service(store, clock);
    await mood.start();
    await mood.add(['cozy_bard']);
    const pushed: string[] = [];
    mood.onTick((_now, moments) => {
      for (const m of moments) pushed.push(`${m.id} ${m.ended_at === null ? 'open' : 'ended'}`);
    });
    const burstFrom = 20 * 60;
    const burstTo = burstFrom + 45;
    let n = 0;
    for (let second = 0; second < burstFrom + 15 * 60; second++) {
      const burst = second >= burstFrom && second < burstTo;
      // steady: one message every 3 s from 30 regulars; the burst: 5 a second from new chatters
      const count = burst ? 5 : second % 3 === 0 ? 1 : 0;
      const batch = Array.from({ length: count }, (_, i) => message('cozy_bard', burst ? 'PogChamp pog' : 'hello', clock.now() + 100 + i * 100, burst ? `hype${n++}` : `regular${second % 30}`));
      mood.onMessages(batch);
      await clock.advance(1000);
    }
    await mood.idle();
    const moments = await mood.moments('cozy_bard', { limit: 10 });
    const spikes = moments.filter((m) => m.kind === 'spike');
    assert.equal(spikes.length, 1, JSON.stringify(moments));
    const spike = spikes[0]!;
    assert.notEqual(spike.ended_at, null);
    assert.ok(Date.parse(spike.started_at) >= START + (burstFrom - 30) * 1000 && Date.parse(spike.started_at) <= START + burstTo * 1000);
    assert.ok(spike.examples.length > 0 && spike.examples.every((e) => e.text === 'PogChamp pog'));
    // pushed when it started and when it ended
    assert.ok(pushed.includes(`${spike.id} open`) && pushed.includes(`${spike.id} ended`), pushed.join(', '));
    const stored = await new MoodStore(store.db, store.facts).moments(USERS[0]!.id, 'cozy_bard', START, START + 3_600_000, 10);
    assert.deepEqual(
      stored.filter((m) => m.kind === 'spike'),
      [spike],
    );
    await mood.stop();
  });
});

/** the real store, whose writes fail while `failing` (a full disk, a locked database) */
class FailingStore extends MoodStore {
  failing = true;
  override async writeTick(w: TickWrite): Promise<void> {
    if (this.failing) throw new Error('SQLITE_FULL: database or disk is full');
    return super.writeTick(w);
  }
}

test('300,000 raw messages in one tick with a failing, then recovering store: no throw, ticks go on, what was kept is written', async () => {
  await onSqlite(async (store, clock) => {
    const rejections: unknown[] = [];
    const onRejection = (err: unknown) => rejections.push(err);
    process.on('unhandledRejection', onRejection);
    try {
      const failing = new FailingStore(store.db, store.facts);
      const { service: mood } = service(store, clock, { rawRetentionHours: 1 }, new FakeChat(), failing);
      await mood.start();
      await mood.add(['cozy_bard']);
      let ticks = 0;
      mood.onTick(() => ticks++);
      const at = clock.now() + 10;
      mood.onMessages(Array.from({ length: 300_000 }, (_, i) => message('cozy_bard', 'pog', at, `viewer_${i % 50}`)));
      // each tick's write fails and re-queues everything
      for (let i = 0; i < 3; i++) {
        await clock.advance(1000);
        await mood.idle();
      }
      assert.equal(ticks, 3, 'the ticks went on while the database failed');
      assert.equal(mood.droppedRawMessages, 100_000, 'beyond the bound of 200,000, counted');
      mood.onMessages([message('cozy_bard', 'still here', clock.now() + 10, 'late')]);
      failing.failing = false;
      await clock.advance(1000);
      await mood.idle();
      const count = await store.db
        .selectFrom('mood_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 200_000, 'the queue stays within its bound: the newest message pushed out the oldest');
      assert.equal(mood.droppedRawMessages, 100_001);
      const late = await store.db.selectFrom('mood_messages').select('text').where('user', '=', 'late').execute();
      assert.deepEqual(late, [{ text: 'still here' }]);
      assert.equal(mood.detail('cozy_bard', clock.now())?.windows['1m'].messages, 300_001, 'the windows counted every message');
      await mood.stop();
      assert.equal(ticks, 4);
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

test('moments open when a channel is untracked or Lurk stops are stored ended then; one a crash left open ends at its peak at the next start', async () => {
  await onSqlite(async (store, clock) => {
    const stored = new MoodStore(store.db, store.facts);
    // an earlier run crashed during a moment
    const crashed: MoodMoment = {
      id: 'loudone:1:spike',
      login: 'loudone',
      kind: 'spike',
      started_at: new Date(START - 3_600_000).toISOString(),
      peak_at: new Date(START - 3_500_000).toISOString(),
      ended_at: null,
      peak_rate: 300,
      baseline_rate: 20,
      mean_score: 0.5,
      baseline_score: 0,
      mood: 'positive',
      top_emotes: [],
      examples: [],
    };
    await stored.writeTick({ minutes: [], moments: [{ channelId: USERS[5]!.id, moment: crashed }], messages: [] });
    const { service: mood } = service(store, clock);
    await mood.start();
    const [afterCrash] = await stored.moments(USERS[5]!.id, 'loudone', START - 7_200_000, START, 10);
    assert.equal(afterCrash?.ended_at, crashed.peak_at);
    await mood.add(['cozy_bard', 'pixelmage']);
    const burstFrom = 20 * 60;
    let n = 0;
    for (let second = 0; second < burstFrom + 20; second++) {
      const burst = second >= burstFrom;
      const count = burst ? 5 : second % 3 === 0 ? 1 : 0;
      for (const login of ['cozy_bard', 'pixelmage'])
        mood.onMessages(Array.from({ length: count }, (_, i) => message(login, burst ? 'PogChamp pog' : 'hello', clock.now() + 100 + i * 100, burst ? `hype${n++}` : `regular${second % 30}`)));
      await clock.advance(1000);
    }
    const openNow = async (login: string) => (await mood.moments(login, { limit: 10 })).filter((m) => m.kind === 'spike' && m.ended_at === null);
    assert.equal((await openNow('cozy_bard')).length, 1, 'the burst is an open spike on both channels');
    assert.equal((await openNow('pixelmage')).length, 1);
    const untrackedAt = clock.now();
    await mood.remove('pixelmage');
    await clock.advance(1000);
    const stoppedAt = clock.now();
    await mood.stop();
    const spikes = async (i: number, login: string) => (await stored.moments(USERS[i]!.id, login, START, START + 3_600_000, 10)).filter((m) => m.kind === 'spike');
    assert.deepEqual(
      (await spikes(1, 'pixelmage')).map((m) => m.ended_at),
      [new Date(untrackedAt).toISOString()],
    );
    assert.deepEqual(
      (await spikes(0, 'cozy_bard')).map((m) => m.ended_at),
      [new Date(stoppedAt).toISOString()],
    );
  });
});

/** a service whose Helix lookups are answered by `lookup` */
function withLookup(store: Store, clock: ManualClock, config: Partial<MoodConfig>, lookup: (logins: readonly string[]) => Promise<TwitchUser[]>, sweeps = true): MoodService {
  return new MoodService({
    sweeps,
    config: { channels: [], top: 0, rawRetentionHours: 0, ...config },
    store: new MoodStore(store.db, store.facts),
    engine: createMoodEngine(),
    classifier: createClassifier(),
    clock,
    log: memoryLogger('warn').log,
    chat: new FakeChat(),
    lookupUsers: lookup,
  });
}

const known = (logins: readonly string[]) => USERS.filter((u) => logins.includes(u.login));

test('add: a login untracked while Helix is asked about another is asked about too and tracked, not a 500', async () => {
  await onSqlite(async (store, clock) => {
    let release: (() => void) | undefined;
    const asked: string[][] = [];
    const mood = withLookup(store, clock, {}, async (logins) => {
      asked.push([...logins]);
      if (logins.includes('pixelmage')) await new Promise<void>((resolve) => (release = resolve));
      return known(logins);
    });
    await mood.start();
    await mood.add(['cozy_bard']);
    const adding = mood.add(['cozy_bard', 'pixelmage'], 'top');
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    await mood.remove('cozy_bard');
    release();
    await adding;
    assert.deepEqual(mood.logins(), ['cozy_bard', 'pixelmage']);
    assert.deepEqual(asked, [['cozy_bard'], ['pixelmage'], ['cozy_bard']]);
    const stored = await new MoodStore(store.db, store.facts).channels();
    assert.deepEqual(
      stored.map((c) => [c.login, c.sources]),
      [
        ['cozy_bard', ['top']],
        ['pixelmage', ['top']],
      ],
    );
    await mood.stop();
  });
});

test('a configured channel the API added while Helix could not be asked keeps both sources', async () => {
  await onSqlite(async (store, clock) => {
    let calls = 0;
    // the start's lookup fails; the API's add and the retry a minute later are answered
    const mood = withLookup(store, clock, { channels: ['cozy_bard'] }, async (logins) => {
      if (calls++ === 0) throw new Error('Helix: 503');
      return known(logins);
    });
    await mood.start();
    assert.deepEqual(mood.logins(), []);
    await mood.add(['cozy_bard']);
    await clock.advance(61_000);
    await mood.idle();
    const stored = await new MoodStore(store.db, store.facts).channels();
    assert.deepEqual(
      stored.map((c) => [c.login, c.sources]),
      [['cozy_bard', ['config', 'api']]],
    );
    assert.equal(mood.detail('cozy_bard', clock.now())?.sources.join(), 'config,api');
    await mood.stop();
  });
});

test('top N counts distinct channels: a stream listed on two pages does not make the top apply with fewer than N', async () => {
  await onSqlite(async (store, clock) => {
    const { service: mood } = service(store, clock, { top: 2 });
    await mood.start();
    await mood.onStreamsPage(
      page(1, 0, [
        ['cozy_bard', 900],
        ['cozy_bard', 899],
      ]),
    );
    assert.deepEqual(mood.logins(), [], 'one channel seen, twice, is not a top 2');
    await mood.onStreamsPage(page(1, 1, [['pixelmage', 800]]));
    assert.deepEqual(mood.logins(), ['cozy_bard', 'pixelmage']);
    await mood.stop();
  });
});

test('channels stored for the top N are dropped at a start with no sweep to refresh them (kept with one)', async (t) => {
  for (const sweeps of [false, true]) {
    await t.test(sweeps ? 'with a sweep' : 'without a sweep', async () => {
      await onSqlite(async (store, clock) => {
        const stored = new MoodStore(store.db, store.facts);
        await stored.saveChannel({ login: 'cozy_bard', userId: USERS[0]!.id, displayName: 'COZY_BARD', sources: ['top'], addedAt: START - MINUTE });
        await stored.saveChannel({ login: 'pixelmage', userId: USERS[1]!.id, displayName: 'PIXELMAGE', sources: ['api', 'top'], addedAt: START - MINUTE });
        const mood = withLookup(store, clock, { top: 3 }, async (logins) => known(logins), sweeps);
        await mood.start();
        const expected: [string, string[]][] = sweeps
          ? [
              ['cozy_bard', ['top']],
              ['pixelmage', ['api', 'top']],
            ]
          : [['pixelmage', ['api']]];
        assert.deepEqual(
          (await stored.channels()).map((c) => [c.login, c.sources]),
          expected,
        );
        assert.deepEqual(
          mood.logins(),
          expected.map(([login]) => login),
        );
        await mood.stop();
      });
    });
  }
});
