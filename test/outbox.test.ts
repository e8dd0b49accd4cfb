import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import { PublishError, type DigestPost, type Mention, type Publisher } from '../src/publish/types.js';
import { openStore, type Store } from '../src/store/database.js';
import { CodeMigrationProvider } from '../src/store/migrations/index.js';
import { Outbox } from '../src/store/outbox.js';
import { MentionAnswerer } from '../src/watchtime/answers.js';
import { DigestPublisher, isPermanent, type StoredPost } from '../src/watchtime/digest.js';
import { WatchtimeService } from '../src/watchtime/service.js';
import { memoryLogger } from './helpers/app.js';
import { tempSqlite, withEachDialect } from './helpers/db.js';
import { TEST_WATCHTIME_CONFIG } from './helpers/watchtime.js';

const retryable = () => new PublishError('503 Service Unavailable', 'net', true, 503);
const refused = () => new PublishError('401 Unauthorized: check the token', 'net', false, 401);

async function migrated(url: string): Promise<Store> {
  const store = await openStore({ url });
  await store.migrate();
  return store;
}

describe('the outbox', () => {
  test('delivers once per (kind, key, target); failures are retried up to the limit; a refusal gives up at once', async (t) => {
    await withEachDialect(t, async ({ url }) => {
      const store = await migrated(url);
      try {
        let now = 1_000;
        const box = new Outbox<{ text: string }>(store.db, { kind: 'test', maxAttempts: 3, now: () => now });
        const sent: string[] = [];
        const ok = (id: string) => async (e: { key: string; target: string; payload: { text: string } | undefined }) => {
          sent.push(`${e.key}@${e.target}:${e.payload?.text}`);
          return { remoteId: id, url: `https://net/${id}` };
        };

        const first = await box.deliver('a', 'net', ok('r1'), { payload: { text: 'hello' } });
        assert.equal(first.status, 'posted');
        assert.equal(first.entry.url, 'https://net/r1');
        now = 2_000;
        const again = await box.deliver('a', 'net', ok('r2'), { payload: { text: 'changed' } });
        assert.equal(again.status, 'already');
        assert.equal(again.entry.remoteId, 'r1', 'the first delivery is what is kept');
        // the same key to another target, or in another kind, is another delivery
        assert.equal((await box.deliver('a', 'other', ok('r3'), { payload: { text: 'hello' } })).status, 'posted');
        const otherKind = new Outbox<{ text: string }>(store.db, { kind: 'test-2', maxAttempts: 3, now: () => now });
        assert.equal((await otherKind.deliver('a', 'net', ok('r4'), { payload: { text: 'hi' } })).status, 'posted');
        assert.deepEqual(sent, ['a@net:hello', 'a@other:hello', 'a@net:hi']);

        // a retryable failure is kept and tried again, attempts counted, until the limit
        const fail = async () => {
          throw retryable();
        };
        for (const attempt of [1, 2]) {
          const d = await box.deliver('b', 'net', fail, { permanent: isPermanent });
          assert.equal(d.status, 'failed');
          assert.ok(d.status === 'failed' && !d.permanent);
          assert.equal(d.entry.attempts, attempt);
          assert.equal((await box.get('b', 'net'))!.status, 'failed');
        }
        const third = await box.deliver('b', 'net', fail, { permanent: isPermanent });
        assert.ok(third.status === 'failed' && third.permanent, 'the last allowed attempt gives up when it fails');
        const given = await box.deliver('b', 'net', ok('never'));
        assert.equal(given.status, 'gave-up');
        assert.equal(given.entry.attempts, 3);
        assert.match(given.entry.lastError!, /503/);

        // a refusal that will not change: no second attempt
        const refusal = await box.deliver(
          'c',
          'net',
          async () => {
            throw refused();
          },
          { permanent: isPermanent },
        );
        assert.ok(refusal.status === 'failed' && refusal.permanent);
        assert.equal((await box.get('c', 'net'))!.status, 'gave-up');
        assert.equal((await box.deliver('c', 'net', ok('never'))).status, 'gave-up');
        assert.equal((await box.get('c', 'net'))!.attempts, 1);
        assert.ok(!sent.some((s) => s.startsWith('b@') || s.startsWith('c@')));
      } finally {
        await store.close();
      }
    });
  });

  test('recorded entries wait in order for a retry; an attempt counts before it is sent, so one cut off by a crash counts', async (t) => {
    await withEachDialect(t, async ({ url }) => {
      const store = await migrated(url);
      try {
        let now = 1_000;
        const box = new Outbox<{ n: number }>(store.db, { kind: 'test', maxAttempts: 2, now: () => now });
        await box.record('late', 'net', { n: 2 });
        now = 500;
        await box.record('early', 'net', { n: 1 });
        await box.record('early', 'net', { n: 99 });
        now = 3_000;
        await new Outbox(store.db, { kind: 'elsewhere', maxAttempts: 2, now: () => now }).record('x', 'net');
        assert.deepEqual(
          (await box.due(10)).map((e) => [e.key, e.payload?.n, e.status, e.attempts]),
          [
            ['early', 1, 'pending', 0],
            ['late', 2, 'pending', 0],
          ],
        );

        // the process dies while the network holds the request: the attempt is already counted
        let inFlight!: () => void;
        const sending = new Promise<void>((resolve) => (inFlight = resolve));
        void box.deliver('early', 'net', async () => {
          inFlight();
          return new Promise<never>(() => undefined);
        });
        await sending;
        assert.deepEqual([(await box.get('early', 'net'))!.status, (await box.get('early', 'net'))!.attempts], ['pending', 1]);
        // after the restart: one attempt is left, and it posts
        const restarted = new Outbox<{ n: number }>(store.db, { kind: 'test', maxAttempts: 2, now: () => now });
        assert.deepEqual(
          (await restarted.due(10)).map((e) => e.key),
          ['late', 'early'],
          'the longest untouched first',
        );
        const d = await restarted.deliver('early', 'net', async (e) => ({ remoteId: `r${e.payload!.n}` }));
        assert.equal(d.status, 'posted');
        assert.equal(d.entry.attempts, 2);
        assert.deepEqual(
          (await restarted.due(10)).map((e) => e.key),
          ['late'],
        );

        // an entry whose last attempt was cut off has given up, and its row says so
        const tight = new Outbox<{ n: number }>(store.db, { kind: 'test', maxAttempts: 1, now: () => now });
        let lastInFlight!: () => void;
        const lastSending = new Promise<void>((resolve) => (lastInFlight = resolve));
        void tight.deliver('late', 'net', async () => {
          lastInFlight();
          return new Promise<never>(() => undefined);
        });
        await lastSending;
        assert.equal((await tight.deliver('late', 'net', async () => ({ remoteId: 'never' }))).status, 'gave-up');
        assert.equal((await tight.get('late', 'net'))!.status, 'gave-up');
        assert.deepEqual(await tight.due(10), []);
      } finally {
        await store.close();
      }
    });
  });
});

const DAY = '2026-11-20';
const chart = { title: 'Most watched games', unit: 'h', items: [{ label: 'Celeste', value: 12 }] };
const POSTS: StoredPost[] = [
  { key: 'games', text: 'The most watched games on Twitch yesterday were:\n1. Celeste: 12 hours', chart, alt: 'Celeste 12 h' },
  { key: 'streamers', text: 'The most watched streamers on Twitch yesterday were:\n1. alice: 12 hours', chart, alt: 'alice 12 h' },
];
const CONFIG = TEST_WATCHTIME_CONFIG;

function recorder(name: string, sent: string[]): Publisher {
  return {
    name,
    async publish(post: DigestPost) {
      sent.push(`${name}:${post.key}`);
      return { id: `${name}-${post.key}` };
    },
  };
}

function mention(id: string): Mention {
  return { id, text: `@lurk.bsky.social question ${id}`, author: 'someone', replyTo: { uri: `at://${id}` }, createdAt: id };
}

describe('the outbox migration (0004)', () => {
  test('an upgraded database posts no digest twice and answers no mention twice; failures go on where they were', async (t) => {
    await withEachDialect(t, async ({ url }) => {
      const store = await openStore({ url });
      const migrator = new Migrator({
        db: store.db,
        provider: new CodeMigrationProvider(store.facts),
        migrationTableName: 'lurk_schema_migrations',
        migrationLockTableName: 'lurk_schema_migrations_lock',
      });
      try {
        // a database as the release before the outbox left it
        const before = await migrator.migrateTo('0003_watchtime');
        assert.equal(before.error, undefined);
        const old = store.db as unknown as Kysely<any>;
        await old
          .insertInto('digests')
          .values({ day: DAY, composed_at: 1, posts: JSON.stringify(POSTS) })
          .execute();
        const post = (publisher: string, post_key: string, status: string, attempts: number, extra: Record<string, unknown> = {}) => ({
          day: DAY,
          publisher,
          post_key,
          status,
          attempts,
          remote_id: null,
          url: null,
          last_error: null,
          updated_at: 10,
          ...extra,
        });
        await old
          .insertInto('digest_posts')
          .values([
            post('folder', 'games', 'posted', 1, { remote_id: 'f1', url: 'file:///digests/games.png' }),
            post('folder', 'streamers', 'posted', 2, { remote_id: 'f2' }),
            post('mastodon', 'games', 'failed', 3, { last_error: 'mastodon: 503' }),
            // a refusal was written as the attempt limit
            post('x', 'games', 'failed', 8, { last_error: 'x: 401 Unauthorized' }),
            post('x', 'streamers', 'pending', 8),
          ])
          .execute();
        const answer = (mention_id: string, status: string, attempts: number, reply: string | null = null) => ({
          source: 'bluesky',
          mention_id,
          question: `question ${mention_id}`,
          mention: JSON.stringify(mention(mention_id)),
          status,
          reply,
          attempts,
          updated_at: 10,
        });
        await old
          .insertInto('answers')
          .values([answer('1', 'answered', 1, 'There were no active games or streamers yesterday with name question 1'), answer('2', 'failed', 2), answer('3', 'failed', 5), answer('4', 'pending', 0)])
          .execute();
        await old.insertInto('answer_cursors').values({ source: 'bluesky', cursor: '4', updated_at: 10 }).execute();

        const upgrade = await store.migrate();
        assert.deepEqual(upgrade.applied.slice(0, 1), ['0004_outbox'], 'later migrations follow it');
        const rows = await store.db.selectFrom('outbox').select(['kind', 'key', 'target', 'status', 'attempts']).orderBy('kind').orderBy('key').orderBy('target').execute();
        assert.deepEqual(
          rows.map((r) => `${r.kind} ${r.key} ${r.target} ${r.status} ${r.attempts}`),
          [
            'answer 1 bluesky posted 1',
            'answer 2 bluesky failed 2',
            'answer 3 bluesky gave-up 5',
            'answer 4 bluesky pending 0',
            `digest ${DAY}:games folder posted 1`,
            `digest ${DAY}:games mastodon failed 3`,
            `digest ${DAY}:games x gave-up 8`,
            `digest ${DAY}:streamers folder posted 2`,
            `digest ${DAY}:streamers x gave-up 8`,
          ],
        );

        // the digest: what was posted stays posted, the failure is retried, what gave up stays given up
        const clock = new ManualClock(Date.UTC(2026, 10, 21, 16, 0));
        const sent: string[] = [];
        const digests = new DigestPublisher(store.db, [recorder('folder', sent), recorder('mastodon', sent), recorder('x', sent)], memoryLogger().log, () => clock.now());
        const watch = new WatchtimeService({ db: store.db, clock, log: memoryLogger().log, config: CONFIG });
        const digest = (await digests.stored(watch, DAY, 0))!;
        assert.deepEqual(digest.posts, POSTS, 'the digest composed before the upgrade is the one posted');
        const outcomes = await digests.publish(digest);
        assert.deepEqual(
          outcomes.map((o) => `${o.publisher}:${o.key}:${o.status}${o.url ? ` ${o.url}` : ''}${o.error ? ` (${o.error})` : ''}`),
          [
            'folder:games:already file:///digests/games.png',
            'folder:streamers:already',
            'mastodon:games:posted',
            'mastodon:streamers:posted',
            'x:games:gave-up (x: 401 Unauthorized)',
            'x:streamers:gave-up',
          ],
        );
        assert.deepEqual(sent, ['mastodon:games', 'mastodon:streamers']);
        assert.equal((await digests.publish(digest)).filter((o) => o.status === 'posted').length, 0, 'and nothing twice');

        // the answers: the answered mention is not answered again though it is read again
        const replies: string[] = [];
        const bluesky: Publisher = {
          name: 'bluesky',
          async publish() {
            return { id: 'p' };
          },
          async fetchMentions(cursor) {
            assert.equal(cursor, '4', 'the cursor carries on');
            return { mentions: ['1', '2', '3', '4'].map(mention), cursor: '4' };
          },
          async reply(m) {
            replies.push(m.id);
            return { id: `r${m.id}` };
          },
        };
        const answerer = new MentionAnswerer(store.db, watch, [bluesky], memoryLogger().log, () => clock.now());
        assert.deepEqual(await answerer.poll(), { answered: 2, failed: 0 });
        assert.deepEqual(replies, ['2', '4']);
        await answerer.poll();
        assert.deepEqual(replies, ['2', '4']);
        const answered = await store.db.selectFrom('outbox').select(['key', 'status', 'attempts', 'result']).where('kind', '=', 'answer').orderBy('key').execute();
        assert.deepEqual(
          answered.map((r) => `${r.key} ${r.status} ${r.attempts}`),
          ['1 posted 1', '2 posted 3', '3 gave-up 5', '4 posted 1'],
        );
        assert.match(answered[1]!.result!, /^There were no active games or streamers yesterday with name question 2$/);

        // and back down: the two old tables with the same states, then up again to the same outbox
        // (the old answers table kept neither the reply's id nor an error)
        const comparable = (rows: { kind: string; remote_id: string | null }[]) => rows.map((r) => (r.kind === 'answer' ? { ...r, remote_id: null } : r));
        const outboxRows = () =>
          store.db
            .selectFrom('outbox')
            .select(['kind', 'key', 'target', 'status', 'attempts', 'payload', 'remote_id', 'url', 'result', 'last_error'])
            .orderBy('kind')
            .orderBy('key')
            .orderBy('target')
            .execute();
        const outboxBefore = await outboxRows();
        const down = await migrator.migrateTo('0003_watchtime');
        assert.equal(down.error, undefined);
        const oldPosts = await old.selectFrom('digest_posts').select(['publisher', 'post_key', 'status', 'attempts']).orderBy('publisher').orderBy('post_key').execute();
        assert.deepEqual(
          oldPosts.map((r) => `${r.publisher}:${r.post_key} ${r.status} ${r.attempts}`),
          ['folder:games posted 1', 'folder:streamers posted 2', 'mastodon:games posted 4', 'mastodon:streamers posted 1', 'x:games failed 8', 'x:streamers failed 8'],
        );
        const oldAnswers = await old.selectFrom('answers').select(['mention_id', 'status', 'attempts', 'question']).orderBy('mention_id').execute();
        assert.deepEqual(
          oldAnswers.map((r) => `${r.mention_id} ${r.status} ${r.attempts} ${r.question}`),
          ['1 answered 1 question 1', '2 answered 3 question 2', '3 failed 5 question 3', '4 answered 1 question 4'],
        );
        assert.deepEqual((await store.migrate()).applied.slice(0, 1), ['0004_outbox']);
        const outboxAfter = await outboxRows();
        assert.deepEqual(comparable(outboxAfter), comparable(outboxBefore));
      } finally {
        await store.close();
      }
    });
  });

  test('SQLite: a crash after the migration committed but before it was recorded leaves a database that still starts', async () => {
    // SQLite cannot run DDL inside the migrator's transaction: 0004 commits its own, and the
    // migrator records it afterwards, in a statement of its own
    const db = await tempSqlite();
    const store = await migrated(db.url);
    try {
      const box = new Outbox(store.db, { kind: 'digest', maxAttempts: 8, now: () => 1_000 });
      await box.deliver(`${DAY}:games`, 'folder', async () => ({ remoteId: 'f1' }));
      // what such a crash leaves: the outbox in place, the old tables gone, 0004 not recorded
      // (the migrator runs them in order, so the later ones are unrecorded too; each finds its work done)
      await (store.db as unknown as Kysely<any>).deleteFrom('lurk_schema_migrations').where('name', '>=', '0004_outbox').execute();
      const pending = await store.pendingMigrations();
      assert.equal(pending[0], '0004_outbox');

      assert.deepEqual((await store.migrate()).applied, pending);
      assert.deepEqual(await store.pendingMigrations(), []);
      const entry = await box.get(`${DAY}:games`, 'folder');
      assert.equal(entry?.status, 'posted', 'what was delivered stays delivered');
      assert.equal(entry?.remoteId, 'f1');
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
