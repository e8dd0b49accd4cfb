import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { renderBarChart, type BarChartSpec } from '../publish/chart.js';
import { PublishError, type DigestPost, type Publisher } from '../publish/types.js';
import { Outbox, type Delivered } from '../store/outbox.js';
import type { Database } from '../store/schema.js';
import { DayCalendar, parseDayStart } from './calendar.js';
import type { RankedItem } from './queries.js';
import type { WatchtimeService } from './service.js';
import { storeDigest, storedDigest } from './store.js';
import type { StoredPost } from './store.js';

export type { StoredPost };

export interface Digest {
  day: string;
  posts: StoredPost[];
}

export const hoursText = (h: number) => `${Math.round(h).toLocaleString('en-US')} hours`;

/** names are display data: keep a line short and free of line breaks */
export function displayName(name: string, max = 40): string {
  const flat = name.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

export function rankedLines(items: RankedItem[], maxName = 40): string {
  return items.map((it, i) => `${i + 1}. ${displayName(it.name, maxName)}: ${hoursText(it.hours_watched)}`).join('\n');
}

/** the strictest network's length: X counts 280, wide (CJK) characters as two */
export const POST_LIMIT = 280;
export function postLength(text: string): number {
  let n = 0;
  for (const ch of text) n += ch.codePointAt(0)! >= 0x1100 ? 2 : 1;
  return n;
}

/** heading plus ranked lines, names shortened as far as needed so every network takes it whole */
export function fittedPost(heading: string, items: RankedItem[]): string {
  let text = '';
  for (const maxName of [40, 32, 24, 18, 14, 10]) {
    text = `${heading}\n${rankedLines(items, maxName)}`;
    if (postLength(text) <= POST_LIMIT) return text;
  }
  return text;
}

function chartOf(title: string, subtitle: string, items: RankedItem[]): BarChartSpec {
  return { title, subtitle, unit: 'h', items: items.map((it) => ({ label: displayName(it.name), value: Math.round(it.hours_watched) })) };
}

function altOf(title: string, items: RankedItem[]): string {
  return `${title}: ${items.map((it) => `${displayName(it.name)} ${hoursText(it.hours_watched)}`).join('; ')}`;
}

/**
 * The original bot's three posts for a finished day, with the same wording: top 5 games, top 5
 * streamers, and the top 5 streamers of a random game picked with weight by hours watched.
 * Returns undefined for a day with no watch time (nothing worth posting).
 */
export async function composeDigest(watch: WatchtimeService, day: string, seed: number): Promise<Digest | undefined> {
  const [games, streamers] = await Promise.all([watch.queries.topGames(day, day, 5), watch.queries.topStreamers(day, day, 5)]);
  if (games.length === 0) return undefined;
  const zone = `${day} · days start ${watch.calendar.label} ${watch.calendar.timeZone}`;
  const posts: StoredPost[] = [
    {
      key: 'games',
      text: fittedPost('The most watched games on Twitch yesterday were:', games),
      chart: chartOf('Most watched games', zone, games),
      alt: altOf(`Most watched games on Twitch, ${day}`, games),
    },
    {
      key: 'streamers',
      text: fittedPost('The most watched streamers on Twitch yesterday were:', streamers),
      chart: chartOf('Most watched streamers', zone, streamers),
      alt: altOf(`Most watched streamers on Twitch, ${day}`, streamers),
    },
  ];
  const random = await watch.randomGame(day, seed, 5);
  if (random.game) {
    const name = displayName(random.game.name);
    posts.push({
      key: 'random-game',
      text: fittedPost(`Today's random game is ${name}. The top 5 streamers yesterday for ${name} are:`, random.top_streamers),
      chart: chartOf(`Top streamers of ${name}`, zone, random.top_streamers),
      alt: altOf(`Most watched ${name} streamers, ${day}`, random.top_streamers),
    });
  }
  return { day, posts };
}

export function toDigestPost(day: string, p: StoredPost): DigestPost {
  return { key: p.key, day, text: p.text, image: { png: renderBarChart(p.chart), alt: p.alt } };
}

export interface PostOutcome {
  publisher: string;
  key: string;
  status: 'posted' | 'already' | 'failed' | 'gave-up';
  error?: string;
  url?: string;
}

/** tries per post and publisher before the digest gives a post up */
const MAX_ATTEMPTS = 8;

/**
 * Posts a digest to every publisher, each post at most once per publisher and day, through the
 * outbox (kind `digest`, key `<day>:<post>`, target the publisher): a post already posted is
 * skipped (across restarts), a failure is retried on the next run, a refusal that will not change
 * (bad credentials, rejected text) is given up at once, and nothing here touches the watch-time data.
 */
export class DigestPublisher {
  private readonly outbox: Outbox;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly publishers: Publisher[],
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly now: () => number,
  ) {
    this.outbox = new Outbox(db, { kind: 'digest', maxAttempts: MAX_ATTEMPTS, now });
  }

  /** compose once and store, so every publisher and every retry posts the very same digest */
  async stored(watch: WatchtimeService, day: string, seed: number): Promise<Digest | undefined> {
    const posts = await storedDigest(this.db, day);
    if (posts) return { day, posts };
    const digest = await composeDigest(watch, day, seed);
    if (!digest) return undefined;
    return { day, posts: await storeDigest(this.db, day, digest.posts, this.now()) };
  }

  async publish(digest: Digest, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<PostOutcome[]> {
    const outcomes: PostOutcome[] = [];
    const rendered = new Map<string, DigestPost>();
    for (const publisher of this.publishers) {
      for (const post of digest.posts) {
        signal?.throwIfAborted();
        const send = async (): Promise<Delivered> => {
          let message = rendered.get(post.key);
          if (!message) {
            message = toDigestPost(digest.day, post);
            rendered.set(post.key, message);
          }
          onProgress?.(`posting ${post.key} to ${publisher.name}…`);
          const ref = await publisher.publish(message, signal);
          return { remoteId: ref.id, ...(ref.url ? { url: ref.url } : {}) };
        };
        const d = await this.outbox.deliver(`${digest.day}:${post.key}`, publisher.name, send, { permanent: isPermanent });
        const base = { publisher: publisher.name, key: post.key };
        if (d.status === 'failed') {
          this.log.warn({ publisher: publisher.name, post: post.key, day: digest.day, error: d.error, retry: !d.permanent }, 'digest post failed');
          outcomes.push({ ...base, status: 'failed', error: d.error });
        } else if (d.status === 'gave-up') {
          outcomes.push({ ...base, status: 'gave-up', ...(d.entry.lastError ? { error: d.entry.lastError } : {}) });
        } else {
          outcomes.push({ ...base, status: d.status, ...(d.entry.url ? { url: d.entry.url } : {}) });
        }
      }
    }
    return outcomes;
  }
}

/** a refusal that will not change (bad credentials, rejected text) is not retried */
export function isPermanent(err: unknown): boolean {
  return err instanceof PublishError && !err.retryable;
}

/**
 * Which finished day the digest is due for at `now`: the day that had ended by the most recent
 * digest time (default 15:00 in the watch-time zone).
 */
export function dueDigestDay(watch: WatchtimeService, digestTime: string, now: number): string {
  const start = parseDayStart(digestTime) ?? { hour: 15, minute: 0 };
  const digestCalendar = new DayCalendar(watch.calendar.timeZone, start);
  const lastDigestMoment = digestCalendar.startOf(digestCalendar.dayOf(now));
  return watch.calendar.yesterday(lastDigestMoment);
}
