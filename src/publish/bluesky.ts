import { AtpAgent, RichText, XRPCError, type AppBskyFeedPost } from '@atproto/api';
import { DEFAULT_TIMEOUT_MS, fetchWithTimeout, isRetryableStatus, isTimeout, timeoutError } from './http.js';
import { pngSize } from './png.js';
import { truncateText } from './text.js';
import { PublishError, type DigestPost, type Mention, type Publisher, type PublishedRef } from './types.js';

export interface BlueskyConfig {
  /** The PDS or entryway to log in to. */
  service?: string;
  /** Handle, DID or e-mail. */
  identifier: string;
  /** An app password (Settings → App passwords), never the account password. */
  appPassword: string;
  /** deadline of one call in ms (LURK_PUBLISH_TIMEOUT_SECONDS) */
  timeoutMs?: number;
}

/** Bluesky's post limit, in graphemes. */
const MAX_GRAPHEMES = 300;
/** Pages of notifications read per poll; past this the oldest unseen mentions are skipped. */
const MAX_PAGES = 5;

interface StrongRef {
  uri: string;
  cid: string;
}
/** What reply() needs: the thread's root and the post answered, as app.bsky.feed.post wants them. */
export interface BlueskyReplyRef {
  root: StrongRef;
  parent: StrongRef;
}

/** Posts through the atproto repo API; logs in once and again only when the session is refused. */
export class BlueskyPublisher implements Publisher {
  readonly name = 'bluesky';
  private readonly agent: AtpAgent;
  private login?: Promise<void>;

  constructor(private readonly config: BlueskyConfig) {
    // every xrpc call, the login and session refresh included, goes through this fetch and its deadline
    this.agent = new AtpAgent({ service: config.service ?? 'https://bsky.social', fetch: fetchWithTimeout(this.timeoutMs) });
  }

  async publish(post: DigestPost, signal?: AbortSignal): Promise<PublishedRef> {
    return this.withSession(
      'post',
      async () => {
        const record = postRecord(post.text);
        if (post.image) {
          const { data } = await this.agent.com.atproto.repo.uploadBlob(post.image.png, { encoding: 'image/png', signal });
          record.embed = { $type: 'app.bsky.embed.images', images: [{ image: data.blob, alt: post.image.alt, aspectRatio: pngSize(post.image.png) }] };
        }
        return this.create(record, signal);
      },
      signal,
    );
  }

  /** Mentions indexed after `cursor` (an indexedAt timestamp), oldest first; the new cursor is the newest one seen. */
  async fetchMentions(cursor: string | undefined, signal?: AbortSignal): Promise<{ mentions: Mention[]; cursor: string | undefined }> {
    return this.withSession(
      'reading notifications',
      async () => {
        const after = cursor ? Date.parse(cursor) : -Infinity;
        const found: { at: number; mention: Mention }[] = [];
        let newest = cursor;
        let page: string | undefined;
        // Notifications come newest first; page back until we reach what the cursor already covers.
        for (let i = 0; i < MAX_PAGES; i++) {
          const { data } = await this.agent.app.bsky.notification.listNotifications({ reasons: ['mention'], limit: 50, cursor: page }, { signal });
          for (const n of data.notifications) {
            const at = Date.parse(n.indexedAt);
            if (n.reason !== 'mention' || !(at > after)) continue;
            found.push({ at, mention: toMention(n) });
            if (!newest || Date.parse(n.indexedAt) > Date.parse(newest)) newest = n.indexedAt;
          }
          const reachedCursor = data.notifications.some((n) => !(Date.parse(n.indexedAt) > after));
          // Without a cursor this is the first poll: the latest page is enough, the backlog is not ours to answer.
          if (!cursor || reachedCursor || !data.cursor || data.notifications.length === 0) break;
          page = data.cursor;
        }
        found.sort((a, b) => a.at - b.at);
        return { mentions: found.map((f) => f.mention), cursor: newest };
      },
      signal,
    );
  }

  async reply(mention: Mention, text: string, signal?: AbortSignal): Promise<PublishedRef> {
    const ref = mention.replyTo as Partial<BlueskyReplyRef> | undefined;
    if (!ref?.root?.uri || !ref.root.cid || !ref.parent?.uri || !ref.parent.cid) throw new PublishError('this mention did not come from Bluesky', this.name, false);
    return this.withSession(
      'reply',
      async () => {
        const record = postRecord(text);
        record.reply = { root: { uri: ref.root!.uri, cid: ref.root!.cid }, parent: { uri: ref.parent!.uri, cid: ref.parent!.cid } };
        return this.create(record, signal);
      },
      signal,
    );
  }

  private async create(record: AppBskyFeedPost.Record, signal?: AbortSignal): Promise<PublishedRef> {
    const did = this.agent.session!.did;
    const { data } = await this.agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: record as unknown as Record<string, unknown> }, { signal });
    const rkey = data.uri.split('/').pop();
    return { id: data.uri, url: `https://bsky.app/profile/${did}/post/${rkey}` };
  }

  /**
   * Runs `work` with a session. The agent refreshes expired tokens itself; when the server still
   * refuses (refresh token gone, password changed and back), we log in once more and retry once.
   */
  private async withSession<T>(step: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      await this.ensureLogin();
      try {
        return await work();
      } catch (error) {
        if (!isSessionRefused(error)) throw error;
        this.login = undefined;
        await this.ensureLogin();
        return await work();
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw this.toPublishError(step, error);
    }
  }

  private ensureLogin(): Promise<void> {
    this.login ??= this.agent.login({ identifier: this.config.identifier, password: this.config.appPassword }).then(
      () => undefined,
      (error: unknown) => {
        this.login = undefined;
        throw error instanceof XRPCError && error.status === 401 ? new PublishError('login rejected: check the identifier and app password', this.name, false, 401) : error;
      },
    );
    return this.login;
  }

  private get timeoutMs(): number {
    return this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private toPublishError(step: string, error: unknown): PublishError {
    if (error instanceof PublishError) return error;
    if (isTimeout(error)) return timeoutError(this.name, step, this.timeoutMs);
    if (error instanceof XRPCError) {
      // Status 1 is the xrpc client's "no response" (network); 2 is a response it could not parse.
      if (error.status < 100) return new PublishError(`${step} failed: ${error.status === 1 ? 'network error' : 'unexpected response'}`, this.name, true);
      const what = error.status === 401 || error.status === 403 ? 'credentials rejected' : `${step} failed`;
      return new PublishError(`${what} (HTTP ${error.status}): ${error.message.slice(0, 200)}`, this.name, isRetryableStatus(error.status), error.status);
    }
    return new PublishError(`${step} failed: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`, this.name, true);
  }
}

function postRecord(text: string): AppBskyFeedPost.Record {
  const rich = new RichText({ text: truncateText(text, MAX_GRAPHEMES) });
  // Links and hashtags become facets locally; @-mentions would need a handle lookup per name, which a digest does not use.
  rich.detectFacetsWithoutResolution();
  return { $type: 'app.bsky.feed.post', text: rich.text, facets: rich.facets, createdAt: new Date().toISOString() };
}

function isSessionRefused(error: unknown): boolean {
  return error instanceof XRPCError && (error.status === 401 || error.error === 'ExpiredToken' || error.error === 'InvalidToken');
}

interface Notification {
  uri: string;
  cid: string;
  author: { handle: string };
  record: { [k: string]: unknown };
  indexedAt: string;
}

function toMention(n: Notification): Mention {
  const record = n.record as { text?: unknown; createdAt?: unknown; reply?: { root?: StrongRef } };
  const self = { uri: n.uri, cid: n.cid };
  // A mention inside a thread keeps that thread's root, so our answer shows up in it.
  const root = record.reply?.root?.uri && record.reply.root.cid ? { uri: record.reply.root.uri, cid: record.reply.root.cid } : self;
  return {
    id: n.uri,
    text: typeof record.text === 'string' ? record.text : '',
    author: n.author.handle,
    replyTo: { root, parent: self } satisfies BlueskyReplyRef,
    createdAt: typeof record.createdAt === 'string' ? record.createdAt : n.indexedAt,
  };
}
