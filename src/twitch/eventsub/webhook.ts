// A webhook delivery as Twitch sends it (twitch-protocol.md §3): read the headers, find the
// subscription's secret from what the body says it is, check the signature over the raw bytes
// and the message's age, then answer. The challenge is answered at once; a notification or
// revocation is answered once it is durably queued (the intake hands it on later), so a slow
// consumer never makes Twitch wait or retry.
import type { EventSubSubscription } from '../eventsub.external.js';
import type { InboxMessage } from './inbox.js';
import { MAX_MESSAGE_AGE_MS, messageTime, verifySignature, webhookSecret } from './verify.js';

/** where Twitch delivers, under the public URL */
export const EVENTSUB_WEBHOOK_PATH = '/eventsub/webhook';

export type RejectReason = 'headers' | 'body' | 'signature' | 'stale' | 'message_type';

export type WebhookAnswer =
  | { status: 200; text: string; kind: 'challenge' }
  | { status: 204; kind: 'queued' | 'duplicate'; message: InboxMessage }
  | { status: 400 | 403; reason: RejectReason; message: string };

export interface WebhookReceiver {
  masterKey: Buffer;
  /** records the message durably; false when its id was seen before */
  accept(message: InboxMessage): Promise<boolean>;
  now(): number;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isSubscription(v: unknown): v is EventSubSubscription {
  const s = v as EventSubSubscription | undefined;
  return typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.type === 'string' && typeof s.version === 'string' && typeof s.condition === 'object' && s.condition !== null;
}

/** one delivery to the webhook route; `headers` as Node gives them (lower-cased names) */
export async function receiveWebhook(headers: Headers, body: Buffer, receiver: WebhookReceiver): Promise<WebhookAnswer> {
  const id = header(headers, 'twitch-eventsub-message-id');
  const timestamp = header(headers, 'twitch-eventsub-message-timestamp');
  const signature = header(headers, 'twitch-eventsub-message-signature');
  const type = header(headers, 'twitch-eventsub-message-type');
  if (!id || !timestamp || !signature || !type) {
    return { status: 400, reason: 'headers', message: 'an EventSub delivery needs the Twitch-Eventsub-Message-Id, -Timestamp, -Signature and -Type headers' };
  }
  let parsed: { subscription?: unknown; challenge?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { status: 400, reason: 'body', message: 'the body is not JSON' };
  }
  const subscription = parsed?.subscription;
  if (!isSubscription(subscription)) return { status: 400, reason: 'body', message: 'the body names no subscription' };
  // the secret follows from what the subscription is; a forger without the master key cannot make one
  const secret = webhookSecret(receiver.masterKey, subscription.type, subscription.version, subscription.condition as Record<string, string>);
  if (!verifySignature(secret, id, timestamp, body, signature)) return { status: 403, reason: 'signature', message: 'the signature does not match' };
  const sentAt = messageTime(timestamp);
  const now = receiver.now();
  if (!Number.isFinite(sentAt) || now - sentAt > MAX_MESSAGE_AGE_MS) return { status: 403, reason: 'stale', message: 'the message is older than 10 minutes (or its timestamp is not a time)' };

  if (type === 'webhook_callback_verification') {
    if (typeof parsed.challenge !== 'string') return { status: 400, reason: 'body', message: 'the verification names no challenge' };
    return { status: 200, text: parsed.challenge, kind: 'challenge' };
  }
  if (type !== 'notification' && type !== 'revocation') return { status: 400, reason: 'message_type', message: `unknown message type ${JSON.stringify(type.slice(0, 40))}` };
  const message: InboxMessage = {
    messageId: id,
    kind: type,
    transport: 'webhook',
    subscriptionId: subscription.id,
    subscriptionType: subscription.type,
    subscriptionVersion: subscription.version,
    sentAt,
    receivedAt: now,
    body: body.toString('utf8'),
  };
  const fresh = await receiver.accept(message);
  return { status: 204, kind: fresh ? 'queued' : 'duplicate', message };
}
