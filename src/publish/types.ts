/** A chart attached to a post; `alt` is what screen readers and the networks' alt-text fields get. */
export interface DigestImage {
  png: Buffer;
  alt: string;
}

/** One post of the daily digest. */
export interface DigestPost {
  /** What the post is about, e.g. 'games' | 'streamers' | 'random-game'; also the folder publisher's file name. */
  key: string;
  /** The digest day (YYYY-MM-DD). The folder publisher files posts under it and Mastodon derives its idempotency key from it. */
  day?: string;
  text: string;
  image?: DigestImage;
}

export interface PublishedRef {
  id: string;
  url?: string;
}

export interface Mention {
  id: string;
  text: string;
  author: string;
  /** Opaque data the same publisher needs to reply. */
  replyTo: unknown;
  createdAt: string;
}

export interface Publisher {
  /** 'folder' | 'bluesky' | 'mastodon' | 'discord' | 'x' */
  readonly name: string;
  publish(post: DigestPost, signal?: AbortSignal): Promise<PublishedRef>;
  /** Mentions newer than `cursor`, oldest first, plus the cursor to store; absent for publishers that can't receive mentions. */
  fetchMentions?(cursor: string | undefined, signal?: AbortSignal): Promise<{ mentions: Mention[]; cursor: string | undefined }>;
  reply?(mention: Mention, text: string, signal?: AbortSignal): Promise<PublishedRef>;
}

/**
 * Why a publish failed. `retryable` separates "try again later" (network, 5xx, 429) from
 * "a person has to fix something" (credentials, a rejected post). Messages never carry secrets.
 */
export class PublishError extends Error {
  constructor(
    message: string,
    readonly publisher: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** How long the network asked us to wait, when it said (429 Retry-After / retry_after). */
    readonly retryAfterMs?: number,
  ) {
    super(`${publisher}: ${message}`);
    this.name = 'PublishError';
  }
}
