import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { send, type ErrorDetail } from './http.js';
import { truncateText } from './text.js';
import { PublishError, type DigestPost, type Mention, type Publisher, type PublishedRef } from './types.js';

export interface MastodonConfig {
  /** The instance, e.g. https://mastodon.social */
  baseUrl: string;
  /** A token with write:statuses, write:media and read:notifications. */
  accessToken: string;
  /** Pause between checks while the instance is still processing an upload (HTTP 202). */
  mediaPollMs?: number;
  /** deadline of one call in ms (LURK_PUBLISH_TIMEOUT_SECONDS) */
  timeoutMs?: number;
}

/** The default instance limit; instances may allow more, none allow less. */
const MAX_CHARS = 500;
const MEDIA_POLLS = 10;

interface Status {
  id: string;
  url?: string | null;
  content: string;
  created_at: string;
  visibility: string;
  account: { acct: string };
}
/** What reply() needs from a mention. */
export interface MastodonReplyRef {
  statusId: string;
  acct: string;
  visibility: string;
}

/** Posts through the Mastodon REST API with a user access token. */
export class MastodonPublisher implements Publisher {
  readonly name = 'mastodon';
  private readonly base: string;

  constructor(private readonly config: MastodonConfig) {
    this.base = config.baseUrl.replace(/\/+$/, '');
  }

  async publish(post: DigestPost, signal?: AbortSignal): Promise<PublishedRef> {
    const mediaIds = post.image ? [await this.upload(post.image.png, post.image.alt, `${post.key}.png`, signal)] : [];
    // Same post and day, same key: Mastodon answers a retry with the status it already created.
    const idempotency = post.day ? `digest:${post.day}:${post.key}` : `digest:${post.key}:${post.text}`;
    return this.createStatus({ status: truncateText(post.text, MAX_CHARS), media_ids: mediaIds, visibility: 'public' }, idempotency, signal);
  }

  /**
   * Mentions after `cursor` (a notification id), oldest first. Uses min_id rather than since_id: min_id
   * returns the page just after the cursor, so a burst of mentions is read in order over several polls
   * instead of skipping the oldest.
   */
  async fetchMentions(cursor: string | undefined, signal?: AbortSignal): Promise<{ mentions: Mention[]; cursor: string | undefined }> {
    const query = new URLSearchParams({ 'types[]': 'mention', limit: '40' });
    if (cursor) query.set('min_id', cursor);
    const res = await send(this.name, 'reading notifications', `${this.base}/api/v1/notifications?${query}`, { headers: this.headers(), signal }, describe, this.config.timeoutMs);
    const notes = res.body as { id: string; type: string; status?: Status }[];
    const mentions = notes.filter((n) => n.type === 'mention' && n.status && (!cursor || compareIds(n.id, cursor) > 0)).sort((a, b) => compareIds(a.id, b.id));
    const newest = mentions.at(-1)?.id ?? cursor;
    return { mentions: mentions.map((n) => toMention(n.status!)), cursor: newest };
  }

  async reply(mention: Mention, text: string, signal?: AbortSignal): Promise<PublishedRef> {
    const ref = mention.replyTo as Partial<MastodonReplyRef> | undefined;
    if (!ref?.statusId || !ref.acct) throw new PublishError('this mention did not come from Mastodon', this.name, false);
    // A direct message stays direct; anything else is answered unlisted so replies don't flood the public timeline.
    const visibility = ref.visibility === 'direct' || ref.visibility === 'private' ? ref.visibility : 'unlisted';
    const status = truncateText(`@${ref.acct} ${text}`, MAX_CHARS);
    return this.createStatus({ status, in_reply_to_id: ref.statusId, visibility }, `reply:${ref.statusId}`, signal);
  }

  private async upload(png: Buffer, alt: string, filename: string, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), filename);
    form.append('description', alt);
    const res = await send(this.name, 'image upload', `${this.base}/api/v2/media`, { method: 'POST', headers: this.headers(), body: form, signal }, describe, this.config.timeoutMs);
    let media = res.body as { id: string; url: string | null };
    // 202 means "accepted, still processing": a status naming it would be refused until its url appears.
    for (let i = 0; res.status === 202 && !media.url; i++) {
      if (i === MEDIA_POLLS) throw new PublishError('image upload still processing', this.name, true);
      await sleep(this.config.mediaPollMs ?? 1000, undefined, { signal });
      const check = await send(this.name, 'image upload', `${this.base}/api/v1/media/${encodeURIComponent(media.id)}`, { headers: this.headers(), signal }, describe, this.config.timeoutMs);
      if (check.status === 200) media = check.body as typeof media;
    }
    return media.id;
  }

  private async createStatus(body: Record<string, unknown>, idempotency: string, signal?: AbortSignal): Promise<PublishedRef> {
    const headers = { ...this.headers(), 'Content-Type': 'application/json', 'Idempotency-Key': createHash('sha256').update(idempotency).digest('hex') };
    const res = await send(this.name, 'post', `${this.base}/api/v1/statuses`, { method: 'POST', headers, body: JSON.stringify(body), signal }, describe, this.config.timeoutMs);
    const status = res.body as Status;
    return { id: status.id, ...(status.url ? { url: status.url } : {}) };
  }

  private headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.config.accessToken}` };
  }
}

/** Mastodon errors are `{ "error": "…" }`. */
function describe(body: unknown): ErrorDetail {
  const error = (body as { error?: unknown } | null)?.error;
  return { detail: typeof error === 'string' ? error : undefined };
}

/** Mastodon ids are decimal strings too long for a double: compare by length, then text. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toMention(status: Status): Mention {
  return {
    id: status.id,
    text: htmlToText(status.content),
    author: status.account.acct,
    replyTo: { statusId: status.id, acct: status.account.acct, visibility: status.visibility } satisfies MastodonReplyRef,
    createdAt: status.created_at,
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Status content is sanitised HTML (p, br, a, span); paragraphs and breaks become newlines, the rest plain text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .trim();
}
