import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Mention, Publisher } from '../publish/types.js';
import type { Database } from '../store/schema.js';
import { displayName, rankedLines } from './digest.js';
import type { WatchtimeService } from './service.js';

/** what someone asked: the mention without @handles, links and the command word */
export function questionOf(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/(^|\s)@[\w.\-]+(@[\w.\-]+)?/g, ' ')
    .replace(/^\s*!watchtime\b/i, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100);
}

/**
 * The original bot's replies: the top streamers of a game, the games of a streamer, or "no
 * active games or streamers"; a name that is both a game and a streamer gets both answers.
 * Only names with watch time yesterday count, found with the fuzzy search.
 */
export async function answerFor(watch: WatchtimeService, question: string): Promise<string[]> {
  const text = question.trim();
  if (text === '') return ['Ask me about a game or a streamer, e.g. "Baldur\'s Gate 3".'];
  const day = watch.yesterday();
  const found = await watch.search(text, 20);
  const bestOf = async (kind: 'game' | 'streamer') => {
    for (const r of found.filter((f) => f.kind === kind)) {
      const top = kind === 'game' ? await watch.queries.topStreamersOfGame(r.id, day, day, 5) : await watch.queries.topGamesOfStreamer(r.id, day, day, 5);
      if (top.length > 0) return { r, top };
    }
    return undefined;
  };
  const [game, streamer] = await Promise.all([bestOf('game'), bestOf('streamer')]);
  // both only when each matches about as well as the other (an exact streamer name beats a fuzzy game)
  const rank = { id: 0, exact: 1, prefix: 2, contains: 3, fuzzy: 4 } as const;
  const answers: string[] = [];
  const g = game && (!streamer || rank[game.r.match] <= rank[streamer.r.match]) ? game : undefined;
  const s = streamer && (!game || rank[streamer.r.match] <= rank[game.r.match]) ? streamer : undefined;
  if (g) answers.push(`The most watched ${displayName(g.r.name)} streamers yesterday were:\n${rankedLines(g.top)}`);
  if (s) answers.push(`${displayName(s.r.name)} streamed the following games yesterday:\n${rankedLines(s.top)}`);
  if (answers.length === 0) answers.push(`There were no active games or streamers yesterday with name ${displayName(text)}`);
  return answers;
}

/**
 * Reads each publisher's new mentions from its stored cursor and answers every mention exactly
 * once: the mention is recorded before replying and marked answered after, and the cursor only
 * moves past mentions that are recorded.
 */
export class MentionAnswerer {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly watch: WatchtimeService,
    private readonly publishers: Publisher[],
    private readonly log: Pick<Logger, 'info' | 'warn'>,
    private readonly now: () => number,
  ) {}

  get sources(): Publisher[] {
    return this.publishers.filter((p) => p.fetchMentions && p.reply);
  }

  async poll(signal?: AbortSignal): Promise<{ answered: number; failed: number }> {
    let answered = await this.retryFailed(signal);
    let failed = 0;
    for (const p of this.sources) {
      const row = await this.db.selectFrom('answer_cursors').select('cursor').where('source', '=', p.name).executeTakeFirst();
      const { mentions, cursor } = await p.fetchMentions!(row?.cursor ?? undefined, signal);
      for (const m of mentions) {
        await this.db
          .insertInto('answers')
          .values({ source: p.name, mention_id: m.id, question: questionOf(m.text), mention: JSON.stringify(m), status: 'pending', reply: null, attempts: 0, updated_at: this.now() })
          .onConflict((oc) => oc.columns(['source', 'mention_id']).doNothing())
          .execute();
        const r = await this.answer(p, m, signal);
        if (r === 'answered') answered++;
        if (r === 'failed') failed++;
      }
      await this.db
        .insertInto('answer_cursors')
        .values({ source: p.name, cursor: cursor ?? null, updated_at: this.now() })
        .onConflict((oc) => oc.column('source').doUpdateSet({ cursor: cursor ?? null, updated_at: this.now() }))
        .execute();
    }
    return { answered, failed };
  }

  private async answer(p: Publisher, m: Mention, signal?: AbortSignal): Promise<'answered' | 'skipped' | 'failed'> {
    const row = await this.db.selectFrom('answers').selectAll().where('source', '=', p.name).where('mention_id', '=', m.id).executeTakeFirstOrThrow();
    if (row.status === 'answered' || row.attempts >= 5) return 'skipped';
    await this.db.updateTable('answers').set({ attempts: row.attempts + 1, updated_at: this.now() }).where('source', '=', p.name).where('mention_id', '=', m.id).execute();
    try {
      const replies = await answerFor(this.watch, row.question);
      for (const text of replies) await p.reply!(m, text, signal);
      await this.db.updateTable('answers').set({ status: 'answered', reply: replies.join('\n\n'), updated_at: this.now() }).where('source', '=', p.name).where('mention_id', '=', m.id).execute();
      return 'answered';
    } catch (err) {
      this.log.warn({ source: p.name, mention: m.id, err: err instanceof Error ? err.message : String(err) }, 'answering a mention failed; will retry');
      await this.db.updateTable('answers').set({ status: 'failed', updated_at: this.now() }).where('source', '=', p.name).where('mention_id', '=', m.id).execute();
      return 'failed';
    }
  }

  /** mentions recorded but not answered (a reply failed): retried on each poll, up to 5 attempts */
  async retryFailed(signal?: AbortSignal): Promise<number> {
    let answered = 0;
    const rows = await this.db.selectFrom('answers').selectAll().where('status', 'in', ['failed', 'pending']).where('attempts', '<', 5).orderBy('updated_at').limit(50).execute();
    for (const row of rows) {
      const p = this.sources.find((s) => s.name === row.source);
      if (!p) continue;
      if ((await this.answer(p, JSON.parse(row.mention) as Mention, signal)) === 'answered') answered++;
    }
    return answered;
  }
}
