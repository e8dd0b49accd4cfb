// Webhook signatures and secrets (twitch-protocol.md §3.3, §3.5). Each subscription's secret is
// derived from Lurk's master key and what the subscription is, so no secret is stored and a
// restart still verifies what it subscribed before.
import { createHmac } from 'node:crypto';
import { sameSecret } from '../../core/sealed.js';
import type { EventSubCondition } from '../eventsub.external.js';

/** Twitch refuses messages older than this as replays, and so does Lurk */
export const MAX_MESSAGE_AGE_MS = 10 * 60_000;

/** the condition as one string, keys sorted and empty values left out (Twitch treats those as absent) */
export function conditionKey(condition: EventSubCondition): string {
  return Object.keys(condition)
    .filter((k) => condition[k] !== undefined && condition[k] !== '')
    .sort()
    .map((k) => `${k}=${condition[k]}`)
    .join('&');
}

/** what a subscription is: type, version and condition (its topic; a transport is added beside it) */
export function topicKey(type: string, version: string, condition: EventSubCondition): string {
  return `${type}@${version}?${conditionKey(condition)}`;
}

/** the webhook secret of a topic: hex HMAC-SHA256 of the topic under the master key (64 characters; Twitch takes 10–100) */
export function webhookSecret(masterKey: Buffer, type: string, version: string, condition: EventSubCondition): string {
  return createHmac('sha256', masterKey)
    .update(`eventsub-webhook\n${topicKey(type, version, condition)}`)
    .digest('hex');
}

/** `sha256=` + hex HMAC-SHA256 over id + timestamp + raw body, keyed by the secret */
export function signMessage(secret: string, messageId: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(messageId).update(timestamp).update(body).digest('hex')}`;
}

/** true when `signature` is the message's, compared in constant time */
export function verifySignature(secret: string, messageId: string, timestamp: string, body: Buffer | string, signature: string): boolean {
  // a length mismatch says nothing about the secret (every valid signature has the same length)
  return sameSecret(signature, signMessage(secret, messageId, timestamp, body));
}

/** RFC 3339 (nanoseconds allowed) to epoch ms; NaN when it is not a time */
export function messageTime(timestamp: string): number {
  // Date.parse reads at most milliseconds; the digits below them are cut, not rounded
  return Date.parse(timestamp.replace(/(\.\d{3})\d+/, '$1'));
}
