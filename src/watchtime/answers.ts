import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Mention, Publisher } from '../publish/types.js';
import { Outbox } from '../store/outbox.js';
import type { Database } from '../store/schema.js';
import { displayName, isPermanent, rankedLines } from './digest.js';
import type { WatchtimeService } from './service.js';
import { mentionCursor, saveMentionCursor } from './store.js';

/** what someone asked: the mention without @handles, links and the command word */
export function questionOf(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/(^|\s)@[\w.-]+(@[\w.-]+)?/g, ' ')
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

/** tries per mention before it is given up */
const MAX_ATTEMPTS = 5;

/** what the outbox keeps of a mention, to answer it on a retry */
interface AskedMention {
  question: string;
  mention: Mention;
}

/**
 * Reads each publisher's new mentions from its stored cursor and answers every mention exactly
 * once through the outbox (kind `answer`, key the mention id, target the publisher): the mention
 * is recorded before replying and marked posted after, and the cursor only moves past mentions
 * that are recorded.
 */
export class MentionAnswerer {
  private readonly outbox: Outbox<AskedMention>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly watch: WatchtimeService,
    private readonly publishers: Publisher[],
    private readonly log: Pick<Logger, 'info' | 'warn'>,
    private readonly now: () => number,
  ) {
    this.outbox = new Outbox(db, { kind: 'answer', maxAttempts: MAX_ATTEMPTS, now });
  }

  get sources(): Publisher[] {
    return this.publishers.filter((p) => p.fetchMentions && p.reply);
  }

  async poll(signal?: AbortSignal): Promise<{ answered: number; failed: number }> {
    let answered = await this.retryFailed(signal);
    let failed = 0;
    for (const p of this.sources) {
      const { mentions, cursor } = await p.fetchMentions!(await mentionCursor(this.db, p.name), signal);
      for (const m of mentions) {
        await this.outbox.record(m.id, p.name, { question: questionOf(m.text), mention: m });
        const r = await this.answer(p, m.id, signal);
        if (r === 'answered') answered++;
        if (r === 'failed') failed++;
      }
      await saveMentionCursor(this.db, p.name, cursor, this.now());
    }
    return { answered, failed };
  }

  private async answer(p: Publisher, mentionId: string, signal?: AbortSignal): Promise<'answered' | 'skipped' | 'failed'> {
    const d = await this.outbox.deliver(
      mentionId,
      p.name,
      async (entry) => {
        const { question, mention } = entry.payload!;
        const replies = await answerFor(this.watch, question);
        const refs = [];
        for (const text of replies) refs.push(await p.reply!(mention, text, signal));
        return { remoteId: refs.map((r) => r.id).join(' '), result: replies.join('\n\n') };
      },
      { permanent: isPermanent },
    );
    if (d.status === 'failed') {
      this.log.warn({ source: p.name, mention: mentionId, err: d.error }, d.permanent ? 'answering a mention failed; given up' : 'answering a mention failed; will retry');
      return 'failed';
    }
    return d.status === 'posted' ? 'answered' : 'skipped';
  }

  /** mentions recorded but not answered (a reply failed): retried on each poll, up to 5 attempts */
  async retryFailed(signal?: AbortSignal): Promise<number> {
    let answered = 0;
    for (const entry of await this.outbox.due(50)) {
      const p = this.sources.find((s) => s.name === entry.target);
      if (!p) continue;
      if ((await this.answer(p, entry.key, signal)) === 'answered') answered++;
    }
    return answered;
  }
}
