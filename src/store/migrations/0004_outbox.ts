import type { Kysely } from 'kysely';
import type { DialectFacts } from '../dialect.js';

// The limits the digest and answers bookkeeping had when this migration landed: a row that had
// reached them was never tried again, so it arrives as gave-up.
const DIGEST_ATTEMPTS = 8;
const ANSWER_ATTEMPTS = 5;
const PAGE = 500;

type Row = Record<string, any>;

/**
 * One outbox for everything delivered once per (kind, key, target), replacing the digest's
 * `digest_posts` and the answers' `answers`. Their rows are carried over, so an upgraded
 * database neither posts a digest again nor answers a mention twice: posted and answered rows
 * arrive as posted, rows at their attempt limit as gave-up, the rest with their attempts.
 */
export function outbox(facts: DialectFacts) {
  // PostgreSQL runs each migration in a transaction; SQLite's is opened here, so a crash
  // halfway leaves the old tables as they were and the migration still pending
  const atomically = (db: Kysely<any>, fn: (db: Kysely<any>) => Promise<void>) => (facts.kind === 'sqlite' ? db.transaction().execute(fn) : fn(db));
  return {
    async up(db: Kysely<any>): Promise<void> {
      await atomically(db, async (db) => {
        // SQLite: the migrator records a migration after up() has committed, in a statement of its
        // own; a crash in between leaves this done but pending, and running it again would fail
        // on every start (the outbox exists, the old tables are gone)
        if (facts.kind === 'sqlite' && (await alreadyUp(db))) return;
        await db.schema
          .createTable('outbox')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('payload', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('remote_id', 'text')
          .addColumn('url', 'text')
          .addColumn('result', 'text')
          .addColumn('last_error', 'text')
          .addColumn('created_at', facts.bigint, (c) => c.notNull())
          .addColumn('updated_at', facts.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('outbox_pk', ['kind', 'key', 'target'])
          .execute();
        // what is due again: a kind's failed and pending entries, oldest first
        await db.schema.createIndex('outbox_due').on('outbox').columns(['kind', 'status', 'updated_at']).execute();

        await copy(db, 'digest_posts', ['day', 'publisher', 'post_key'], 'outbox', (r) => ({
          kind: 'digest',
          key: `${r.day}:${r.post_key}`,
          target: r.publisher,
          status: r.status === 'posted' ? 'posted' : r.attempts >= DIGEST_ATTEMPTS ? 'gave-up' : r.status,
          payload: null,
          attempts: r.attempts,
          remote_id: r.remote_id,
          url: r.url,
          result: null,
          last_error: r.last_error,
          created_at: r.updated_at,
          updated_at: r.updated_at,
        }));
        await copy(db, 'answers', ['source', 'mention_id'], 'outbox', (r) => ({
          kind: 'answer',
          key: r.mention_id,
          target: r.source,
          status: r.status === 'answered' ? 'posted' : r.attempts >= ANSWER_ATTEMPTS ? 'gave-up' : r.status,
          payload: JSON.stringify({ question: r.question, mention: JSON.parse(r.mention) }),
          attempts: r.attempts,
          remote_id: null,
          url: null,
          result: r.reply,
          last_error: null,
          created_at: r.updated_at,
          updated_at: r.updated_at,
        }));
        await db.schema.dropTable('digest_posts').execute();
        await db.schema.dropTable('answers').execute();
      });
    },
    // back to the two tables, with the digest's and the answers' rows (other kinds have no table there)
    async down(db: Kysely<any>): Promise<void> {
      await atomically(db, async (db) => {
        await db.schema
          .createTable('digest_posts')
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('publisher', 'text', (c) => c.notNull())
          .addColumn('post_key', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('remote_id', 'text')
          .addColumn('url', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .addColumn('updated_at', facts.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('digest_posts_pk', ['day', 'publisher', 'post_key'])
          .execute();
        await db.schema
          .createTable('answers')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('mention_id', 'text', (c) => c.notNull())
          .addColumn('question', 'text', (c) => c.notNull())
          .addColumn('mention', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('reply', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', facts.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('answers_pk', ['source', 'mention_id'])
          .execute();
        await copy(db, 'outbox', ['kind', 'key', 'target'], 'digest_posts', (r) => {
          if (r.kind !== 'digest') return undefined;
          const at = r.key.indexOf(':');
          return {
            day: r.key.slice(0, at),
            publisher: r.target,
            post_key: r.key.slice(at + 1),
            status: r.status === 'gave-up' ? 'failed' : r.status,
            remote_id: r.remote_id,
            url: r.url,
            attempts: r.status === 'gave-up' ? Math.max(r.attempts, DIGEST_ATTEMPTS) : r.attempts,
            last_error: r.last_error,
            updated_at: r.updated_at,
          };
        });
        await copy(db, 'outbox', ['kind', 'key', 'target'], 'answers', (r) => {
          if (r.kind !== 'answer') return undefined;
          const payload = JSON.parse(r.payload) as { question: string; mention: unknown };
          return {
            source: r.target,
            mention_id: r.key,
            question: payload.question,
            mention: JSON.stringify(payload.mention),
            status: r.status === 'posted' ? 'answered' : r.status === 'gave-up' ? 'failed' : r.status,
            reply: r.result,
            attempts: r.status === 'gave-up' ? Math.max(r.attempts, ANSWER_ATTEMPTS) : r.attempts,
            updated_at: r.updated_at,
          };
        });
        await db.schema.dropTable('outbox').execute();
      });
    },
  };
}

/** the outbox is there and both tables it replaced are gone: this migration's transaction committed */
async function alreadyUp(db: Kysely<any>): Promise<boolean> {
  const tables = new Set((await db.introspection.getTables()).map((t) => t.name));
  return tables.has('outbox') && !tables.has('digest_posts') && !tables.has('answers');
}

/** Copies `from` into `into` a page at a time, in key order so memory stays bounded; `map` leaves a row out by giving undefined. */
async function copy(db: Kysely<any>, from: string, keys: string[], into: string, map: (r: Row) => Row | undefined): Promise<void> {
  for (let offset = 0; ; offset += PAGE) {
    let page = db.selectFrom(from).selectAll();
    for (const k of keys) page = page.orderBy(k);
    const rows = await page.limit(PAGE).offset(offset).execute();
    const values = rows.map(map).filter((r): r is Row => r !== undefined);
    if (values.length > 0) await db.insertInto(into).values(values).execute();
    if (rows.length < PAGE) return;
  }
}
