import { Agent as HttpAgent } from 'node:http';
import { ApiRequestError, ApiResponseError, TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import { DEFAULT_TIMEOUT_MS, isRetryableStatus, isTimeout, timeoutError } from './http.js';
import { truncateText } from './text.js';
import { PublishError, type DigestPost, type Publisher, type PublishedRef } from './types.js';

export interface XConfig {
  /** The app's consumer key and secret (OAuth 1.0a). */
  apiKey: string;
  apiSecret: string;
  /** The posting account's access token and secret, generated for the app with read and write permission. */
  accessToken: string;
  accessSecret: string;
  /** Where api.x.com is reached, for tests and proxies; https://api.x.com when absent. */
  baseUrl?: string;
  /** deadline of one call in ms (LURK_PUBLISH_TIMEOUT_SECONDS) */
  timeoutMs?: number;
}

const MAX_CHARS = 280;
const MAX_ALT = 1000;
const X_ORIGIN = 'https://api.x.com';

/**
 * Posts with OAuth 1.0a user context: the v2 chunked media upload (the v1.1 upload is retired),
 * the alt text through media/metadata, then POST /2/tweets. Mentions are left out: reading them
 * needs a paid API tier.
 *
 * twitter-api-v2's methods take no AbortSignal, so `signal` is checked between requests only; each
 * request gets the publish deadline from a plugin instead.
 */
export class XPublisher implements Publisher {
  readonly name = 'x';
  private readonly client: TwitterApi;
  private readonly timeoutMs: number;

  constructor(config: XConfig) {
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const base = config.baseUrl?.replace(/\/+$/, '');
    const rebased = base !== undefined && base !== X_ORIGIN;
    this.client = new TwitterApi(
      { appKey: config.apiKey, appSecret: config.apiSecret, accessToken: config.accessToken, accessSecret: config.accessSecret },
      {
        plugins: [withTimeout(this.timeoutMs), ...(rebased ? [rebase(base)] : [])],
        // The library sends through https.request, which accepts a plain-HTTP URL only with an http.Agent.
        ...(rebased && base.startsWith('http:') ? { httpAgent: new HttpAgent() } : {}),
      },
    );
  }

  async publish(post: DigestPost, signal?: AbortSignal): Promise<PublishedRef> {
    try {
      let mediaIds: [string] | undefined;
      if (post.image) {
        signal?.throwIfAborted();
        const mediaId = await this.client.v2.uploadMedia(post.image.png, { media_type: 'image/png', media_category: 'tweet_image' });
        signal?.throwIfAborted();
        await this.client.v2.createMediaMetadata(mediaId, { alt_text: { text: truncateText(post.image.alt, MAX_ALT) } });
        mediaIds = [mediaId];
      }
      signal?.throwIfAborted();
      const { data } = await this.client.v2.tweet({ text: truncateText(post.text, MAX_CHARS), ...(mediaIds ? { media: { media_ids: mediaIds } } : {}) });
      return { id: data.id, url: `https://x.com/i/web/status/${data.id}` };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toPublishError(error, this.timeoutMs);
    }
  }
}

/**
 * twitter-api-v2 hard-codes https://api.x.com/2/ and offers no base-URL setting (its cloneWithPrefix
 * throws in 1.29: it calls a class constructor without `new`). Its documented plugin hook
 * onBeforeRequestConfig receives the request before the URL is parsed or signed, so we swap the
 * origin there; the OAuth signature then covers the URL actually requested.
 */
function rebase(target: string): ITwitterApiClientPlugin {
  return {
    onBeforeRequestConfig({ params }) {
      if (params.url.startsWith(`${X_ORIGIN}/`)) params.url = target + params.url.slice(X_ORIGIN.length);
    },
  };
}

/**
 * The library sends with https.request; its documented onBeforeRequest hook hands over the request
 * options, so every request gets an AbortSignal deadline for the whole exchange, answer included
 * (its own `timeout` option is only a socket idle timeout: a network trickling bytes would pass).
 */
function withTimeout(timeoutMs: number): ITwitterApiClientPlugin {
  return {
    onBeforeRequest({ requestOptions }) {
      requestOptions.signal = AbortSignal.timeout(timeoutMs);
    },
  };
}

/** The library's errors carry the signed request; only the status and X's own error text are kept. */
function toPublishError(error: unknown, timeoutMs: number): PublishError {
  if (error instanceof ApiResponseError) {
    const status = error.code;
    const what = status === 401 || status === 403 ? 'credentials rejected' : 'post failed';
    const first = error.errors?.[0];
    const detail = error.data?.detail ?? error.data?.title ?? (first && 'message' in first ? first.message : undefined);
    const reset = error.rateLimit?.reset;
    const retryAfterMs = status === 429 && reset ? Math.max(0, reset * 1000 - Date.now()) : undefined;
    return new PublishError(`${what} (HTTP ${status})${detail ? `: ${String(detail).slice(0, 200)}` : ''}`, 'x', isRetryableStatus(status), status, retryAfterMs);
  }
  // the deadline aborted the request; 1.29 keeps the request's error under _options.error while its
  // requestError getter reads a field it never sets
  if (error instanceof ApiRequestError && isTimeout(error.requestError ?? (error as unknown as { _options?: { error?: unknown } })._options?.error)) {
    return timeoutError('x', 'post', timeoutMs);
  }
  // ApiRequestError (no response) and ApiPartialResponseError (cut off mid-response) both pass with time.
  return new PublishError('post failed: network error', 'x', true);
}
