// Live events' SQL: each user's favourites (their order, clear view, overlay generation) and each
// channel's event feed (kept LURK_LIVE_RETENTION_DAYS).
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseKind } from '../store/dialect.js';
import type { Database, LiveEventsTable } from '../store/schema.js';
import type { ReadEvent } from './normalize.js';
import type { LiveEvent, LiveEventType, LiveSource } from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

/** events one prune statement deletes at most */
const PRUNE_BATCH = 5_000;

export interface FavouriteRecord {
  userId: string;
  channelId: string;
  login: string;
  displayName: string;
  position: number;
  addedAt: number;
  clearedBefore: number;
  overlayGeneration: number;
  /** signed into the overlay key (src/live/overlay.ts) */
  overlaySalt: string;
}

const newSalt = () => randomBytes(18).toString('base64url');

/** the fields of an event kept in `details` */
const DETAIL_FIELDS = ['anonymous', 'tier', 'months', 'streak', 'count', 'bits', 'viewers', 'message', 'title', 'category'] as const;
type Details = Pick<LiveEvent, (typeof DETAIL_FIELDS)[number]>;

type EventRow = Omit<LiveEventsTable, 'id'> & { id: number };

/** types one source reporting twice within the window is one event of (the rule: src/live/normalize.ts) */
const SINGULAR_TYPES: ReadonlySet<LiveEventType> = new Set(['follow', 'sub', 'resub', 'raid', 'online', 'offline', 'update']);

function toEvent(r: EventRow): LiveEvent {
  const d = JSON.parse(r.details) as Details;
  return {
    id: Number(r.id),
    channel: r.channel_login,
    channel_id: r.channel_id,
    type: r.type as LiveEventType,
    at: new Date(Number(r.at)).toISOString(),
    user_id: r.user_id,
    user_login: r.user_login,
    user_name: r.user_name,
    anonymous: d.anonymous ?? false,
    tier: d.tier ?? null,
    months: d.months ?? null,
    streak: d.streak ?? null,
    count: d.count ?? null,
    bits: d.bits ?? null,
    viewers: d.viewers ?? null,
    message: d.message ?? '',
    title: d.title ?? null,
    category: d.category ?? null,
    sources: JSON.parse(r.sources) as LiveSource[],
    read_at: r.read_at === null ? null : new Date(Number(r.read_at)).toISOString(),
    read_by: r.read_by,
  };
}

function detailsOf(e: Details): string {
  const d: Record<string, unknown> = {};
  for (const f of DETAIL_FIELDS) d[f] = e[f];
  return JSON.stringify(d);
}

/** the second report of an event fills what the first lacked (chat knows Prime, EventSub a resub's streak) */
function merge(into: LiveEvent, e: ReadEvent): LiveEvent {
  const out = { ...into, sources: [...into.sources, e.source].sort() as LiveSource[] };
  if (!out.user_id && e.user_id) {
    out.user_id = e.user_id;
    out.user_login = e.user_login;
    out.user_name = e.user_name;
  }
  for (const f of ['tier', 'months', 'streak', 'count', 'bits', 'viewers', 'title', 'category'] as const) if (out[f] === null && e[f] !== null) (out as Record<string, unknown>)[f] = e[f];
  if (e.tier === 'prime') out.tier = 'prime';
  if (!out.message && e.message) out.message = e.message;
  // EventSub tells a resub from a sub; chat's first sub notice of a returning subscriber may not
  if (e.type === 'resub' && out.type === 'sub') out.type = 'resub';
  return out;
}

export class LiveStore {
  /** `kind`: on SQLite one process writes, so no other can have inserted at the same time */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind?: DatabaseKind,
  ) {}

  // ------------------------------------------------------------------ events

  /**
   * Stores a report: merged into the event of the same key within `windowMs` that this source
   * has not reported yet, else a new event. A second process reading the other source's report
   * finds this row once it committed; one that inserted at the same time is settled after.
   */
  async record(e: ReadEvent, windowMs: number): Promise<{ event: LiveEvent; created: boolean; duplicate?: true }> {
    const recorded = await this.db.transaction().execute(async (tx) => {
      const candidates = (await tx
        .selectFrom('live_events')
        .selectAll()
        .where('channel_id', '=', e.channel_id)
        .where('dedup_key', '=', e.dedupKey)
        .where('at', '>=', e.at - windowMs)
        .where('at', '<=', e.at + windowMs)
        .orderBy('id', 'asc')
        .execute()) as EventRow[];
      const events = candidates.map(toEvent);
      const match = events.find((c) => !c.sources.includes(e.source));
      if (match) {
        const merged = merge(match, e);
        await this.update(tx, merged);
        return { event: merged, created: false };
      }
      const same = SINGULAR_TYPES.has(e.type) ? events.find((c) => c.sources.includes(e.source)) : undefined;
      if (same) return { event: same, created: false, duplicate: true as const };
      const row = {
        channel_id: e.channel_id,
        channel_login: e.channel,
        type: e.type,
        at: e.at,
        user_id: e.user_id,
        user_login: e.user_login,
        user_name: e.user_name,
        details: detailsOf(e),
        sources: JSON.stringify([e.source]),
        dedup_key: e.dedupKey,
        read_at: null,
        read_by: null,
      };
      const inserted = await tx.insertInto('live_events').values(row).returning('id').executeTakeFirstOrThrow();
      return { event: toEvent({ ...row, id: Number(inserted.id) }), created: true };
    });
    return recorded.created && this.kind !== 'sqlite' ? this.settle(recorded.event, e, windowMs) : recorded;
  }

  /**
   * Another process may have inserted the other source's report at the same time (neither saw
   * the other's uncommitted row): the newer row then folds into the older, so the two settle on
   * one event whichever process looks last.
   */
  private async settle(mine: LiveEvent, e: ReadEvent, windowMs: number): Promise<{ event: LiveEvent; created: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      const older = (await tx
        .selectFrom('live_events')
        .selectAll()
        .where('channel_id', '=', e.channel_id)
        .where('dedup_key', '=', e.dedupKey)
        .where('id', '<', mine.id)
        .where('at', '>=', e.at - windowMs)
        .where('at', '<=', e.at + windowMs)
        .orderBy('id', 'asc')
        .execute()) as EventRow[];
      const match = older.map(toEvent).find((c) => !c.sources.includes(e.source));
      if (!match) return { event: mine, created: true };
      const merged = merge(match, e);
      await this.update(tx, merged);
      await tx.deleteFrom('live_events').where('id', '=', mine.id).execute();
      return { event: merged, created: false };
    });
  }

  private async update(tx: Db, merged: LiveEvent): Promise<void> {
    await tx
      .updateTable('live_events')
      .set({ type: merged.type, user_id: merged.user_id, user_login: merged.user_login, user_name: merged.user_name, details: detailsOf(merged), sources: JSON.stringify(merged.sources) })
      .where('id', '=', merged.id)
      .execute();
  }

  /** newest first */
  async events(channelId: string, q: { types?: readonly string[]; before?: number; after?: number; limit: number }): Promise<LiveEvent[]> {
    let query = this.db.selectFrom('live_events').selectAll().where('channel_id', '=', channelId);
    if (q.types && q.types.length > 0) query = query.where('type', 'in', [...q.types]);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    const rows = (await query.orderBy('id', 'desc').limit(q.limit).execute()) as EventRow[];
    return rows.map(toEvent);
  }

  async event(channelId: string, id: number): Promise<LiveEvent | undefined> {
    const row = (await this.db.selectFrom('live_events').selectAll().where('channel_id', '=', channelId).where('id', '=', id).executeTakeFirst()) as EventRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  /** acknowledges one event (again: the newer acknowledgement wins) */
  async markRead(channelId: string, id: number, by: string, at: number): Promise<LiveEvent | undefined> {
    await this.db.updateTable('live_events').set({ read_at: at, read_by: by }).where('channel_id', '=', channelId).where('id', '=', id).execute();
    return this.event(channelId, id);
  }

  /** acknowledges every unread event up to `upTo` (every one without it); how many */
  async markAllRead(channelId: string, upTo: number | undefined, by: string, at: number): Promise<number> {
    let q = this.db.updateTable('live_events').set({ read_at: at, read_by: by }).where('channel_id', '=', channelId).where('read_at', 'is', null);
    if (upTo !== undefined) q = q.where('id', '<=', upTo);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** unread events after `after` (a user's cleared_before), per channel id */
  async unread(channels: readonly { channelId: string; after: number }[]): Promise<Map<string, number>> {
    const out = new Map(channels.map((c) => [c.channelId, 0]));
    if (channels.length === 0) return out;
    const rows = await this.db
      .selectFrom('live_events')
      .select((eb) => ['channel_id', eb.fn.countAll<number>().as('n')])
      .where('read_at', 'is', null)
      .where((eb) => eb.or(channels.map((c) => eb.and([eb('channel_id', '=', c.channelId), eb('id', '>', c.after)]))))
      .groupBy('channel_id')
      .execute();
    for (const r of rows) out.set(r.channel_id, Number(r.n));
    return out;
  }

  /** the newest event id of a channel, 0 when none */
  async newestId(channelId: string): Promise<number> {
    const r = await this.db
      .selectFrom('live_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    return Number(r?.id ?? 0);
  }

  /** deletes events older than `before`, a batch at a time; how many */
  async prune(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await this.db.selectFrom('live_events').select('id').where('at', '<', before).orderBy('id').limit(PRUNE_BATCH).execute();
      if (ids.length === 0) return total;
      const r = await this.db
        .deleteFrom('live_events')
        .where(
          'id',
          'in',
          ids.map((i) => Number(i.id)),
        )
        .executeTakeFirst();
      total += Number(r.numDeletedRows);
      if (ids.length < PRUNE_BATCH) return total;
    }
  }

  // ------------------------------------------------------------------ favourites

  async favourites(userId: string): Promise<FavouriteRecord[]> {
    const rows = await this.db.selectFrom('live_favourites').selectAll().where('user_id', '=', userId).orderBy('position').orderBy('added_at').execute();
    return rows.map(toFavourite);
  }

  async favourite(userId: string, login: string): Promise<FavouriteRecord | undefined> {
    const row = await this.db.selectFrom('live_favourites').selectAll().where('user_id', '=', userId).where('login', '=', login).executeTakeFirst();
    return row ? toFavourite(row) : undefined;
  }

  /** adds at the end; false when it was there already */
  async addFavourite(f: { userId: string; channelId: string; login: string; displayName: string; addedAt: number }): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const there = await tx.selectFrom('live_favourites').select('channel_id').where('user_id', '=', f.userId).where('channel_id', '=', f.channelId).executeTakeFirst();
      if (there) return false;
      const last = await tx
        .selectFrom('live_favourites')
        .select((eb) => eb.fn.max('position').as('p'))
        .where('user_id', '=', f.userId)
        .executeTakeFirst();
      const position = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
      await tx
        .insertInto('live_favourites')
        .values({ user_id: f.userId, channel_id: f.channelId, login: f.login, display_name: f.displayName, position, added_at: f.addedAt, overlay_salt: newSalt() })
        .execute();
      return true;
    });
  }

  async countFavourites(userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('live_favourites')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async removeFavourite(userId: string, login: string): Promise<boolean> {
    const r = await this.db.deleteFrom('live_favourites').where('user_id', '=', userId).where('login', '=', login).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** positions follow `logins` (every favourite of the user, checked by the caller) */
  async reorder(userId: string, logins: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (tx: Db) => {
      for (const [i, login] of logins.entries()) await tx.updateTable('live_favourites').set({ position: i }).where('user_id', '=', userId).where('login', '=', login).execute();
    });
  }

  async setClearedBefore(userId: string, channelId: string, id: number): Promise<void> {
    await this.db.updateTable('live_favourites').set({ cleared_before: id }).where('user_id', '=', userId).where('channel_id', '=', channelId).execute();
  }

  /** a new overlay salt (the old key stops working), the generation counting rotations; the favourite after */
  async rotateOverlay(userId: string, channelId: string): Promise<FavouriteRecord> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('live_favourites').select('overlay_generation').where('user_id', '=', userId).where('channel_id', '=', channelId).executeTakeFirstOrThrow();
      await tx
        .updateTable('live_favourites')
        .set({ overlay_generation: Number(row.overlay_generation) + 1, overlay_salt: newSalt() })
        .where('user_id', '=', userId)
        .where('channel_id', '=', channelId)
        .execute();
      return toFavourite(await tx.selectFrom('live_favourites').selectAll().where('user_id', '=', userId).where('channel_id', '=', channelId).executeTakeFirstOrThrow());
    });
  }

  /** a user's favourite by channel id (the overlay key names the user and channel) */
  async favouriteById(userId: string, channelId: string): Promise<FavouriteRecord | undefined> {
    const row = await this.db.selectFrom('live_favourites').selectAll().where('user_id', '=', userId).where('channel_id', '=', channelId).executeTakeFirst();
    return row ? toFavourite(row) : undefined;
  }

  /** a channel renamed at Twitch: every favourite of it follows (its events keep the login they were stored under) */
  async renameChannel(channelId: string, login: string, displayName: string): Promise<void> {
    await this.db.updateTable('live_favourites').set({ login, display_name: displayName }).where('channel_id', '=', channelId).execute();
  }

  /** every channel someone favourites, once each */
  async favouritedChannels(): Promise<{ channelId: string; login: string; displayName: string }[]> {
    const rows = await this.db.selectFrom('live_favourites').select(['channel_id', 'login', 'display_name']).orderBy('channel_id').execute();
    const seen = new Map<string, { channelId: string; login: string; displayName: string }>();
    for (const r of rows) if (!seen.has(r.channel_id)) seen.set(r.channel_id, { channelId: r.channel_id, login: r.login, displayName: r.display_name });
    return [...seen.values()];
  }
}

function toFavourite(r: {
  user_id: string;
  channel_id: string;
  login: string;
  display_name: string;
  position: number;
  added_at: number;
  cleared_before: number;
  overlay_generation: number;
  overlay_salt: string;
}): FavouriteRecord {
  return {
    userId: r.user_id,
    channelId: r.channel_id,
    login: r.login,
    displayName: r.display_name,
    position: Number(r.position),
    addedAt: Number(r.added_at),
    clearedBefore: Number(r.cleared_before),
    overlayGeneration: Number(r.overlay_generation),
    overlaySalt: r.overlay_salt,
  };
}
