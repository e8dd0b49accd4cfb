import type { Kysely, Selectable } from 'kysely';
import type { Database, OutboxStatus, OutboxTable } from './schema.js';

/**
 * "Deliver exactly once per (kind, key, target)": a digest post to each publisher, an answer to
 * each mention, later Mood's and Live's alerts. One row per delivery in `outbox`:
 *
 *   pending ──send ok──▶ posted                  (never sent again)
 *      │  ▲
 *  send fails │ next try (attempts < limit)
 *      ▼  │
 *   failed ──limit reached, or a refusal that will not change──▶ gave-up   (never tried again)
 *
 * An attempt is counted before it is sent, so a crash mid-send counts too; a delivery cut off
 * between the network's acceptance and `posted` can go out twice, which is why senders that can
 * (Mastodon) pass an idempotency key derived from the key.
 */
export interface OutboxOptions {
  /** what this outbox delivers, e.g. 'digest', 'answer' */
  kind: string;
  /** attempts after which an entry is given up */
  maxAttempts: number;
  now: () => number;
}

export interface OutboxEntry<P> {
  key: string;
  target: string;
  status: OutboxStatus;
  /** what was recorded with the entry, to send it again */
  payload: P | undefined;
  attempts: number;
  remoteId: string | null;
  url: string | null;
  result: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** what the network said it did with a delivery */
export interface Delivered {
  remoteId: string;
  url?: string;
  /** what was sent, when worth keeping (an answer's text) */
  result?: string;
}

export type Delivery<P> =
  /** sent now */
  | { status: 'posted'; entry: OutboxEntry<P> }
  /** sent before: not sent again */
  | { status: 'already'; entry: OutboxEntry<P> }
  /** not tried: its attempts are used up, or a refusal that will not change came earlier */
  | { status: 'gave-up'; entry: OutboxEntry<P> }
  /** tried now and failed; `permanent`: it will not be tried again */
  | { status: 'failed'; error: string; permanent: boolean; entry: OutboxEntry<P> };

const RETRYABLE: OutboxStatus[] = ['pending', 'failed'];

export class Outbox<P = undefined> {
  constructor(
    private readonly db: Kysely<Database>,
    readonly options: OutboxOptions,
  ) {}

  /** records something to deliver, once: a key already recorded keeps its state and payload */
  async record(key: string, target: string, payload?: P): Promise<void> {
    const now = this.options.now();
    await this.db
      .insertInto('outbox')
      .values({
        kind: this.options.kind,
        key,
        target,
        status: 'pending',
        payload: payload === undefined ? null : JSON.stringify(payload),
        attempts: 0,
        remote_id: null,
        url: null,
        result: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['kind', 'key', 'target']).doNothing())
      .execute();
  }

  async get(key: string, target: string): Promise<OutboxEntry<P> | undefined> {
    const row = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where((eb) => eb.and(this.id(key, target)))
      .executeTakeFirst();
    return row ? toEntry<P>(row) : undefined;
  }

  /** entries neither delivered nor given up, the longest waiting first */
  async due(limit: number): Promise<OutboxEntry<P>[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', '=', this.options.kind)
      .where('status', 'in', RETRYABLE)
      .where('attempts', '<', this.options.maxAttempts)
      .orderBy('updated_at')
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map((r) => toEntry<P>(r));
  }

  /**
   * Sends an entry (recording it first, with `payload`, if it is new) unless it was sent or
   * given up. A failure is kept for the next try; `permanent` says which errors will not change
   * (bad credentials, a rejected text): those give up at once.
   */
  async deliver(key: string, target: string, send: (entry: OutboxEntry<P>) => Promise<Delivered>, options: { payload?: P; permanent?: (err: unknown) => boolean } = {}): Promise<Delivery<P>> {
    await this.record(key, target, options.payload);
    // the claim is one statement, so the attempt is counted even if the process dies while sending
    const claimed = await this.db
      .updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'pending', updated_at: this.options.now() }))
      .where((eb) => eb.and(this.id(key, target)))
      .where('status', 'in', RETRYABLE)
      .where('attempts', '<', this.options.maxAttempts)
      .executeTakeFirst();
    const entry = (await this.get(key, target))!;
    if (Number(claimed.numUpdatedRows) === 0) {
      if (entry.status === 'posted') return { status: 'already', entry };
      // used up while pending (a crash during the last attempt): say so in the row too
      if (entry.status !== 'gave-up') await this.set(key, target, { status: 'gave-up' });
      return { status: 'gave-up', entry: { ...entry, status: 'gave-up' } };
    }
    try {
      const done = await send(entry);
      const posted = { status: 'posted' as const, remote_id: done.remoteId, url: done.url ?? null, result: done.result ?? null, last_error: null };
      const updatedAt = await this.set(key, target, posted);
      return { status: 'posted', entry: { ...entry, status: 'posted', remoteId: posted.remote_id, url: posted.url, result: posted.result, lastError: null, updatedAt } };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const permanent = (options.permanent?.(err) ?? false) || entry.attempts >= this.options.maxAttempts;
      const failed = { status: permanent ? ('gave-up' as const) : ('failed' as const), last_error: error.slice(0, 500) };
      const updatedAt = await this.set(key, target, failed);
      return { status: 'failed', error, permanent, entry: { ...entry, status: failed.status, lastError: failed.last_error, updatedAt } };
    }
  }

  private async set(key: string, target: string, values: Partial<Pick<OutboxTable, 'status' | 'remote_id' | 'url' | 'result' | 'last_error'>>): Promise<number> {
    const updatedAt = this.options.now();
    await this.db
      .updateTable('outbox')
      .set({ ...values, updated_at: updatedAt })
      .where((eb) => eb.and(this.id(key, target)))
      .execute();
    return updatedAt;
  }

  private id(key: string, target: string) {
    return { kind: this.options.kind, key, target };
  }
}

function toEntry<P>(row: Selectable<OutboxTable>): OutboxEntry<P> {
  return {
    key: row.key,
    target: row.target,
    status: row.status,
    payload: row.payload === null ? undefined : (JSON.parse(row.payload) as P),
    attempts: Number(row.attempts),
    remoteId: row.remote_id,
    url: row.url,
    result: row.result,
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
