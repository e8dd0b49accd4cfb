// Mood's SQL: tracked channels, the per-minute aggregates and the moments (kept for good), and the
// raw messages (kept only with LURK_MOOD_RAW_RETENTION_HOURS > 0).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, MoodMinutesTable, MoodMomentsTable } from '../store/schema.js';
import type { DialectFacts } from '../store/dialect.js';
import type { MoodLabel } from './classifier/types.js';
import type { MinuteAggregate } from './engine.js';
import type { EmoteCount, MomentExample, MoodMoment, TrackSource } from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

/** rows per INSERT: well under either dialect's parameter limit at 13 columns */
const CHUNK = 500;
/** raw messages one prune statement deletes at most (some milliseconds on SQLite) */
const PRUNE_BATCH = 10_000;

export interface ChannelRecord {
  login: string;
  userId: string;
  displayName: string;
  sources: TrackSource[];
  addedAt: number;
}

/** one closed minute as stored: the engine's row, keyed by the channel's user id instead of its login */
export type MinuteRow = Omit<MinuteAggregate, 'channel'> & { channelId: string };

export interface RawMessage {
  channelId: string;
  at: number;
  user: string;
  text: string;
  label: MoodLabel;
  score: number;
}

/** what one tick hands the store: written in one transaction */
export interface TickWrite {
  minutes: MinuteRow[];
  moments: { channelId: string; moment: MoodMoment }[];
  messages: RawMessage[];
}

export class MoodStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly facts: Pick<DialectFacts, 'rowLocator'>,
  ) {}

  async channels(): Promise<ChannelRecord[]> {
    const rows = await this.db.selectFrom('mood_channels').selectAll().orderBy('login').execute();
    return rows.map((r) => ({ login: r.login, userId: r.user_id, displayName: r.display_name, sources: JSON.parse(r.sources) as TrackSource[], addedAt: Number(r.added_at) }));
  }

  async saveChannel(c: ChannelRecord): Promise<void> {
    const row = { login: c.login, user_id: c.userId, display_name: c.displayName, sources: JSON.stringify(c.sources), added_at: c.addedAt };
    await this.db
      .insertInto('mood_channels')
      .values(row)
      .onConflict((oc) => oc.column('login').doUpdateSet({ user_id: row.user_id, display_name: row.display_name, sources: row.sources }))
      .execute();
  }

  async deleteChannel(login: string): Promise<void> {
    await this.db.deleteFrom('mood_channels').where('login', '=', login).execute();
  }

  /**
   * A tick's closed minutes, changed moments and raw messages in one transaction. A minute that
   * is already stored (the partial minute flushed at a stop, then the rest of it after the
   * restart) gets the new counts added, its top emotes merged and the larger of its chatters.
   */
  async writeTick(w: TickWrite): Promise<void> {
    if (w.minutes.length === 0 && w.moments.length === 0 && w.messages.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await upsertMinutes(trx, w.minutes);
      await upsertMoments(trx, w.moments);
      const raw = w.messages.map((m) => ({ channel_id: m.channelId, at: m.at, user: m.user, text: m.text, label: m.label, score: m.score }));
      for (let i = 0; i < raw.length; i += CHUNK)
        await trx
          .insertInto('mood_messages')
          .values(raw.slice(i, i + CHUNK))
          .execute();
    });
  }

  /** stored minutes of a channel in [from, to), oldest first */
  async minutes(channelId: string, from: number, to: number): Promise<MinuteRow[]> {
    const rows = await this.db.selectFrom('mood_minutes').selectAll().where('channel_id', '=', channelId).where('minute', '>=', from).where('minute', '<', to).orderBy('minute').execute();
    return rows.map(minuteFromRow);
  }

  /** stored moments of a channel that started in [from, to), newest first */
  async moments(channelId: string, login: string, from: number, to: number, limit: number): Promise<MoodMoment[]> {
    const rows = await this.db
      .selectFrom('mood_moments')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('started_at', '>=', from)
      .where('started_at', '<', to)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => momentFromRow(r, login));
  }

  async rawMessages(channelId: string, from: number, to: number): Promise<RawMessage[]> {
    const rows = await this.db.selectFrom('mood_messages').selectAll().where('channel_id', '=', channelId).where('at', '>=', from).where('at', '<', to).orderBy('at').execute();
    return rows.map((r) => ({ channelId: r.channel_id, at: Number(r.at), user: r.user, text: r.text, label: r.label, score: Number(r.score) }));
  }

  /** moments an earlier run left open (it crashed) end at their peak, the last that is known of them; how many */
  async endOpenMoments(): Promise<number> {
    const result = await this.db
      .updateTable('mood_moments')
      .set((eb) => ({ ended_at: eb.ref('peak_at') }))
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Forgets raw messages older than `before`; how many went. In batches with a turn of the event
   * loop between them: better-sqlite3 is synchronous, and one DELETE of millions of rows would
   * hold everything else (chat, ticks, requests) for seconds.
   */
  async pruneMessages(before: number, batch = PRUNE_BATCH): Promise<number> {
    // the table has no key of its own: SQLite's rowid, PostgreSQL's ctid name a row
    const row = sql.raw(this.facts.rowLocator);
    let total = 0;
    for (;;) {
      const result = await sql`delete from mood_messages where ${row} in (select ${row} from mood_messages where at < ${before} limit ${batch})`.execute(this.db);
      const n = Number(result.numAffectedRows ?? 0);
      total += n;
      if (n < batch) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

async function upsertMinutes(trx: Db, minutes: MinuteRow[]): Promise<void> {
  if (minutes.length === 0) return;
  // the rows already there (rare: a minute written at a stop and again after the restart), so
  // their top emotes can be merged; the counts are added by the upsert itself
  const stored = new Map<string, EmoteCount[]>();
  const channels = [...new Set(minutes.map((m) => m.channelId))];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const m of minutes) {
    first = Math.min(first, m.minute);
    last = Math.max(last, m.minute);
  }
  for (let i = 0; i < channels.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('mood_minutes')
      .select(['channel_id', 'minute', 'top_emotes'])
      .where('channel_id', 'in', channels.slice(i, i + CHUNK))
      .where('minute', '>=', first)
      .where('minute', '<=', last)
      .execute();
    for (const r of rows) stored.set(`${r.channel_id} ${Number(r.minute)}`, JSON.parse(r.top_emotes) as EmoteCount[]);
  }
  const rows: MoodMinutesTable[] = minutes.map((m) => {
    const before = stored.get(`${m.channelId} ${m.minute}`);
    return {
      channel_id: m.channelId,
      minute: m.minute,
      messages: m.messages,
      chatters: m.chatters,
      positive: m.positive,
      neutral: m.neutral,
      negative: m.negative,
      score_sum: m.scoreSum,
      bits: m.bits,
      subs: m.subs,
      top_emotes: JSON.stringify(before ? mergeEmotes(before, m.topEmotes, Math.max(before.length, m.topEmotes.length)) : m.topEmotes),
    };
  });
  const added = (c: keyof MoodMinutesTable) => sql<number>`${sql.ref(`mood_minutes.${c}`)} + ${sql.ref(`excluded.${c}`)}`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('mood_minutes')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['channel_id', 'minute']).doUpdateSet((eb) => ({
          messages: added('messages'),
          // the two halves' distinct chatters overlap (the same regulars before and after a
          // restart): their sum over-counts, the larger is a lower bound, and is what is kept
          chatters: sql<number>`case when ${sql.ref('mood_minutes.chatters')} > ${sql.ref('excluded.chatters')} then ${sql.ref('mood_minutes.chatters')} else ${sql.ref('excluded.chatters')} end`,
          positive: added('positive'),
          neutral: added('neutral'),
          negative: added('negative'),
          score_sum: added('score_sum'),
          bits: added('bits'),
          subs: added('subs'),
          top_emotes: eb.ref('excluded.top_emotes'),
        })),
      )
      .execute();
  }
}

async function upsertMoments(trx: Db, moments: TickWrite['moments']): Promise<void> {
  // a moment changes while it lasts: the last version of each within the batch is the one kept
  const latest = new Map<string, MoodMomentsTable>();
  for (const { channelId, moment: m } of moments) {
    latest.set(m.id, {
      id: m.id,
      channel_id: channelId,
      kind: m.kind,
      started_at: Date.parse(m.started_at),
      peak_at: Date.parse(m.peak_at),
      ended_at: m.ended_at === null ? null : Date.parse(m.ended_at),
      peak_rate: m.peak_rate,
      baseline_rate: m.baseline_rate,
      mean_score: m.mean_score,
      baseline_score: m.baseline_score,
      mood: m.mood,
      top_emotes: JSON.stringify(m.top_emotes),
      examples: JSON.stringify(m.examples),
    });
  }
  const rows = [...latest.values()];
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('mood_moments')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          peak_at: eb.ref('excluded.peak_at'),
          ended_at: eb.ref('excluded.ended_at'),
          peak_rate: eb.ref('excluded.peak_rate'),
          baseline_rate: eb.ref('excluded.baseline_rate'),
          mean_score: eb.ref('excluded.mean_score'),
          baseline_score: eb.ref('excluded.baseline_score'),
          mood: eb.ref('excluded.mood'),
          top_emotes: eb.ref('excluded.top_emotes'),
          examples: eb.ref('excluded.examples'),
        })),
      )
      .execute();
  }
}

/** two top-emote lists as one, most used first (ties by name), the first `keep` */
export function mergeEmotes(a: readonly EmoteCount[], b: readonly EmoteCount[], keep: number): EmoteCount[] {
  const counts = new Map<string, number>();
  for (const e of [...a, ...b]) counts.set(e.name, (counts.get(e.name) ?? 0) + e.count);
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((x, y) => y.count - x.count || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .slice(0, keep);
}

function minuteFromRow(r: MoodMinutesTable): MinuteRow {
  return {
    channelId: r.channel_id,
    minute: Number(r.minute),
    messages: Number(r.messages),
    chatters: Number(r.chatters),
    positive: Number(r.positive),
    neutral: Number(r.neutral),
    negative: Number(r.negative),
    scoreSum: Number(r.score_sum),
    bits: Number(r.bits),
    subs: Number(r.subs),
    topEmotes: JSON.parse(r.top_emotes) as EmoteCount[],
  };
}

function momentFromRow(r: MoodMomentsTable, login: string): MoodMoment {
  const iso = (ms: number) => new Date(Number(ms)).toISOString();
  return {
    id: r.id,
    login,
    kind: r.kind,
    started_at: iso(r.started_at),
    peak_at: iso(r.peak_at),
    ended_at: r.ended_at === null ? null : iso(r.ended_at),
    peak_rate: Number(r.peak_rate),
    baseline_rate: Number(r.baseline_rate),
    mean_score: r.mean_score === null ? null : Number(r.mean_score),
    baseline_score: r.baseline_score === null ? null : Number(r.baseline_score),
    mood: r.mood,
    top_emotes: JSON.parse(r.top_emotes) as EmoteCount[],
    examples: JSON.parse(r.examples) as MomentExample[],
  };
}
