import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../src/store/database.js';
import { schemaMigrations } from '../src/store/migrations/index.js';
import { countStreams, upsertStreams } from '../src/streams/store.js';
import type { HelixStream } from '../src/twitch/helix.external.js';
import { tempSqlite, withEachDialect } from './helpers/db.js';

function stream(id: string, viewers: number, extra: Partial<HelixStream> = {}): HelixStream {
  return {
    id,
    user_id: `u${id}`,
    user_login: `login${id}`,
    user_name: `Name${id}`,
    game_id: '509658',
    game_name: "Baldur's Gate 3",
    type: 'live',
    title: `Stream ${id} — café`,
    viewer_count: viewers,
    started_at: '2026-11-22T10:00:00Z',
    language: 'en',
    thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_login${id}-{width}x{height}.jpg`,
    tag_ids: [],
    tags: ['English'],
    is_mature: false,
    ...extra,
  };
}

describe('migrations', () => {
  test('apply on a fresh database, are idempotent, and leave nothing pending', async (t) => {
    await withEachDialect(t, async ({ url, kind }) => {
      const store = await openStore({ url });
      try {
        assert.equal(store.kind, kind);
        const all = Object.keys(schemaMigrations(store.facts));
        assert.deepEqual(await store.pendingMigrations(), all);
        const first = await store.migrate();
        assert.deepEqual(first.applied, all);
        const second = await store.migrate();
        assert.deepEqual(second.applied, []);
        assert.equal(second.alreadyApplied, all.length);
        assert.deepEqual(await store.pendingMigrations(), []);
        // the tables exist and are empty
        assert.equal(await countStreams(store.db), 0);
        const runs = await store.db.selectFrom('job_runs').selectAll().execute();
        assert.deepEqual(runs, []);
        assert.ok((await store.sizeBytes()) > 0);
      } finally {
        await store.close();
      }
      // a second connection sees the schema as applied
      const again = await openStore({ url });
      try {
        assert.deepEqual(await again.pendingMigrations(), []);
      } finally {
        await again.close();
      }
    });
  });

  test('SQLite runs in WAL mode with foreign keys and a busy timeout', async () => {
    const { url, drop } = await tempSqlite();
    const store = await openStore({ url });
    try {
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      assert.equal(mode.rows[0]?.journal_mode, 'wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
      assert.equal(fk.rows[0]?.foreign_keys, 1);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
      assert.equal(busy.rows[0]?.timeout, 5000);
    } finally {
      await store.close();
      await drop();
    }
  });

  test('ping answers, and the hourly upkeep refreshes the planner statistics on both dialects', async (t) => {
    await withEachDialect(t, async ({ url, kind }) => {
      const store = await openStore({ url });
      try {
        await store.migrate();
        await store.ping();
        await upsertStreams(store.db, store.facts, [stream('1', 0), stream('2', 1)], { generation: 1, seenAt: 1 });
        await store.optimize();
        if (kind === 'postgres') {
          const analyzed = await sql<{ n: number }>`select count(*)::int as n from pg_stat_user_tables where relname = 'streams' and last_analyze is not null`.execute(store.db);
          assert.equal(analyzed.rows[0]?.n, 1, 'analyze ran');
        }
      } finally {
        await store.close();
      }
    });
  });
});

describe('upsertStreams', () => {
  test('inserts, refreshes every changing field, keeps first sighting, merges duplicates', async (t) => {
    await withEachDialect(t, async ({ url }) => {
      const store = await openStore({ url });
      try {
        await store.migrate();
        const n = await upsertStreams(store.db, store.facts, [stream('1', 0), stream('2', 5), stream('1', 1)], { generation: 1, seenAt: 1000 });
        assert.equal(n, 2, 'duplicate id within one call is merged');
        let one = await store.db.selectFrom('streams').selectAll().where('id', '=', '1').executeTakeFirstOrThrow();
        assert.equal(one.viewer_count, 1, 'the later duplicate wins');
        assert.equal(one.game_name, "Baldur's Gate 3");
        assert.deepEqual(JSON.parse(one.tags), ['English']);

        await upsertStreams(store.db, store.facts, [stream('1', 7, { title: 'new title', game_id: '1', game_name: 'Just Chatting', tags: ['a', 'b'] })], { generation: 2, seenAt: 2000 });
        one = await store.db.selectFrom('streams').selectAll().where('id', '=', '1').executeTakeFirstOrThrow();
        assert.equal(one.viewer_count, 7);
        assert.equal(one.title, 'new title');
        assert.equal(one.game_name, 'Just Chatting');
        assert.deepEqual(JSON.parse(one.tags), ['a', 'b']);
        assert.equal(Number(one.generation), 2);
        assert.equal(Number(one.first_seen_at), 1000);
        assert.equal(Number(one.last_seen_at), 2000);
        const two = await store.db.selectFrom('streams').selectAll().where('id', '=', '2').executeTakeFirstOrThrow();
        assert.equal(Number(two.generation), 1, 'streams not in the batch are untouched');
      } finally {
        await store.close();
      }
    });
  });

  test('a batch larger than one statement goes through in a transaction', async (t) => {
    await withEachDialect(t, async ({ url }) => {
      const store = await openStore({ url });
      try {
        await store.migrate();
        const rows = Array.from({ length: 2345 }, (_, i) => stream(String(i), i % 3));
        await store.db.transaction().execute((trx) => upsertStreams(trx, store.facts, rows, { generation: 1, seenAt: 1 }));
        assert.equal(await countStreams(store.db), 2345);
        // a failing transaction leaves nothing behind
        await assert.rejects(
          store.db.transaction().execute(async (trx) => {
            await upsertStreams(trx, store.facts, [stream('new-1', 1)], { generation: 2, seenAt: 2 });
            throw new Error('crash mid-sweep');
          }),
          /crash mid-sweep/,
        );
        const missing = await store.db.selectFrom('streams').select('id').where('id', '=', 'new-1').executeTakeFirst();
        assert.equal(missing, undefined);
      } finally {
        await store.close();
      }
    });
  });
});
