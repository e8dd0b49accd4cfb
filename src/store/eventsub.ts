// EventSub's inbox in the database: one row per message id, inserted or ignored at receipt,
// drained in order of receipt, pruned once settled. It keeps the promise of EventSubInbox
// (src/twitch/eventsub/inbox.ts); the store may not import the twitch layer, so the intake module
// checks the fit where it hands this in.
import type { Kysely } from 'kysely';
import type { Database, EventSubMessagesTable } from './schema.js';

/** a message as the intake hands it over (InboxMessage in src/twitch/eventsub/inbox.ts) */
export interface StoredEventSubMessage {
  messageId: string;
  kind: EventSubMessagesTable['kind'];
  transport: EventSubMessagesTable['transport'];
  subscriptionId: string;
  subscriptionType: string;
  subscriptionVersion: string;
  sentAt: number;
  receivedAt: number;
  body: string;
}

export class SqlEventSubInbox {
  constructor(private readonly db: Kysely<Database>) {}

  async accept(m: StoredEventSubMessage): Promise<boolean> {
    const result = await this.db
      .insertInto('eventsub_messages')
      .values({
        message_id: m.messageId,
        kind: m.kind,
        transport: m.transport,
        subscription_id: m.subscriptionId,
        subscription_type: m.subscriptionType,
        subscription_version: m.subscriptionVersion,
        sent_at: m.sentAt,
        received_at: m.receivedAt,
        body: m.body,
        state: 'queued',
        attempts: 0,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async queued(limit: number): Promise<StoredEventSubMessage[]> {
    const rows = await this.db.selectFrom('eventsub_messages').selectAll().where('state', '=', 'queued').orderBy('received_at').orderBy('sent_at').orderBy('message_id').limit(limit).execute();
    return rows.map((r) => ({
      messageId: r.message_id,
      kind: r.kind,
      transport: r.transport,
      subscriptionId: r.subscription_id,
      subscriptionType: r.subscription_type,
      subscriptionVersion: r.subscription_version,
      sentAt: Number(r.sent_at),
      receivedAt: Number(r.received_at),
      body: r.body,
    }));
  }

  async settle(messageIds: readonly string[], state: 'done' | 'failed'): Promise<void> {
    if (messageIds.length === 0) return;
    await this.db
      .updateTable('eventsub_messages')
      .set((eb) => ({ state, attempts: eb('attempts', '+', 1) }))
      .where('message_id', 'in', messageIds)
      .execute();
  }

  async depth(): Promise<number> {
    const row = await this.db
      .selectFrom('eventsub_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async prune(receivedBefore: number): Promise<number> {
    const result = await this.db.deleteFrom('eventsub_messages').where('state', '!=', 'queued').where('received_at', '<', receivedBefore).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
