import { send, type ErrorDetail } from './http.js';
import { truncateText } from './text.js';
import type { DigestPost, Publisher, PublishedRef } from './types.js';

export interface DiscordConfig {
  /** https://discord.com/api/webhooks/<id>/<token>. The token is in the URL, so the URL itself is the secret. */
  webhookUrl: string;
  /** deadline of one call in ms (LURK_PUBLISH_TIMEOUT_SECONDS) */
  timeoutMs?: number;
}

const MAX_CONTENT = 2000;
const MAX_ALT = 1024;

/** Posts to a channel through an incoming webhook. Webhooks cannot read the channel, so there are no mentions. */
export class DiscordPublisher implements Publisher {
  readonly name = 'discord';

  constructor(private readonly config: DiscordConfig) {}

  async publish(post: DigestPost, signal?: AbortSignal): Promise<PublishedRef> {
    // wait=true makes Discord answer with the message it created instead of 204, so we learn its id.
    const url = new URL(this.config.webhookUrl);
    url.searchParams.set('wait', 'true');
    const filename = `${post.key.replace(/[^A-Za-z0-9._-]/g, '_')}.png`;
    const payload = {
      content: truncateText(post.text, MAX_CONTENT),
      // A digest names streamers and games; it should never ping anyone.
      allowed_mentions: { parse: [] },
      attachments: post.image ? [{ id: 0, filename, description: truncateText(post.image.alt, MAX_ALT) }] : [],
    };
    const form = new FormData();
    form.append('payload_json', JSON.stringify(payload));
    if (post.image) form.append('files[0]', new Blob([post.image.png], { type: 'image/png' }), filename);
    const res = await send(this.name, 'post', url.href, { method: 'POST', body: form, signal }, describe, this.config.timeoutMs);
    const message = res.body as { id: string; channel_id: string; guild_id?: string };
    return { id: message.id, ...(message.guild_id ? { url: `https://discord.com/channels/${message.guild_id}/${message.channel_id}/${message.id}` } : {}) };
  }
}

/** Discord errors are `{ message, code }`; a 429 says how long to wait in `retry_after` (seconds, fractional). */
function describe(body: unknown): ErrorDetail {
  const { message, retry_after } = (body ?? {}) as { message?: unknown; retry_after?: unknown };
  return {
    detail: typeof message === 'string' ? message : undefined,
    retryAfterMs: typeof retry_after === 'number' ? Math.ceil(retry_after * 1000) : undefined,
  };
}
