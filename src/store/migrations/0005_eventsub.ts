import type { Kysely } from 'kysely';
import type { DialectFacts } from '../dialect.js';

/**
 * EventSub's inbox: every message Twitch delivered, once per message id. The row is both the
 * deduplication record (a redelivery, also after a restart, finds its id taken) and the queue the
 * intake drains to the bus (state queued → done, or failed when the body cannot be read).
 */
export function eventsub(facts: DialectFacts) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('eventsub_messages')
        // SQLite commits DDL before the migrator records the migration: a crash in between runs
        // this again on the next start, which must then find the table and go on
        .ifNotExists()
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('transport', 'text', (c) => c.notNull())
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('subscription_type', 'text', (c) => c.notNull())
        .addColumn('subscription_version', 'text', (c) => c.notNull())
        .addColumn('sent_at', facts.bigint, (c) => c.notNull())
        .addColumn('received_at', facts.bigint, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // the queue in order of receipt, and the prune of settled rows
      await db.schema.createIndex('eventsub_messages_state').ifNotExists().on('eventsub_messages').columns(['state', 'received_at']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('eventsub_messages').execute();
    },
  };
}
