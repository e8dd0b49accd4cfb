// Shared by the EventSub intake tests: a Lurk against its simulator, signed webhook deliveries,
// and the simulator's view of the subscriptions.
import type { DeepReadonly } from '../../src/core/bus.js';
import { randomUUID } from 'node:crypto';
import { createLurk, type Lurk } from '../../src/app.js';
import type { EventSubNotification } from '../../src/twitch/eventsub/events.js';
import { signMessage, webhookSecret } from '../../src/twitch/eventsub/verify.js';
import { EVENTSUB_WEBHOOK_PATH } from '../../src/twitch/eventsub/webhook.js';
import type { EventSubSubscription } from '../../src/twitch/eventsub.external.js';
import { memoryLogger, testConfig } from '../helpers/app.js';

export const SECRET_KEY = 'test-master-key-0123456789abcdef-0123456789';
export const MASTER_KEY = Buffer.from(SECRET_KEY, 'utf8');

/** a Lurk on the simulator, not sweeping, that records every EventSub notification it publishes */
export async function eventSubLurk(env: Record<string, string>): Promise<{ lurk: Lurk; seen: DeepReadonly<EventSubNotification>[] }> {
  const lurk = await createLurk(testConfig({ LURK_SECRET_KEY: SECRET_KEY, LURK_DIGEST_DIR: 'off', ...env }), { log: memoryLogger('warn').log, sweep: false });
  const seen: DeepReadonly<EventSubNotification>[] = [];
  lurk.bus.subscribe('eventsub.notification', (n) => void seen.push(n));
  return { lurk, seen };
}

/** the first live channel's index and id */
export function liveChannel(lurk: Lurk, skip = 0): { index: number; id: string } {
  const world = lurk.simulator!.world;
  let found = 0;
  for (let c = 0; c < world.channelCount; c++) {
    if (world.isLive(c) && found++ === skip) return { index: c, id: world.userId(c) };
  }
  throw new Error('no live channel in the simulated world');
}

export async function simSubscriptions(lurk: Lurk): Promise<EventSubSubscription[]> {
  const res = await fetch(`${lurk.simulator!.address.httpUrl}/_sim/eventsub`);
  return ((await res.json()) as { subscriptions: EventSubSubscription[] }).subscriptions;
}

export async function simPost(lurk: Lurk, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${lurk.simulator!.address.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export interface Delivery {
  id?: string;
  type?: 'notification' | 'webhook_callback_verification' | 'revocation';
  timestamp?: string;
  subscription?: Partial<EventSubSubscription>;
  event?: unknown;
  challenge?: string;
  /** sign with this secret instead of the subscription's */
  secret?: string;
}

/** a signed channel.update notification (or what `d` says) as Twitch would POST it to Lurk */
export async function deliver(baseUrl: string, d: Delivery = {}): Promise<Response> {
  const subscription = {
    id: randomUUID(),
    status: 'enabled',
    type: 'channel.update',
    version: '2',
    condition: { broadcaster_user_id: '1001' },
    transport: { method: 'webhook', callback: `${baseUrl}${EVENTSUB_WEBHOOK_PATH}` },
    created_at: new Date().toISOString(),
    cost: 0,
    ...d.subscription,
  };
  const type = d.type ?? 'notification';
  const payload =
    type === 'webhook_callback_verification'
      ? { challenge: d.challenge ?? 'challenge-1', subscription }
      : type === 'revocation'
        ? { subscription }
        : {
            subscription,
            event: d.event ?? {
              broadcaster_user_id: '1001',
              broadcaster_user_login: 'one',
              broadcaster_user_name: 'One',
              title: 't',
              language: 'en',
              category_id: '1',
              category_name: 'c',
              content_classification_labels: [],
            },
          };
  const body = JSON.stringify(payload);
  const id = d.id ?? randomUUID();
  const timestamp = d.timestamp ?? new Date().toISOString().replace('Z', '123456Z');
  const secret = d.secret ?? webhookSecret(MASTER_KEY, subscription.type, subscription.version, subscription.condition as Record<string, string>);
  return fetch(`${baseUrl}${EVENTSUB_WEBHOOK_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-retry': '0',
      'twitch-eventsub-message-type': type,
      'twitch-eventsub-message-signature': signMessage(secret, id, timestamp, body),
      'twitch-eventsub-message-timestamp': timestamp,
      'twitch-eventsub-subscription-type': subscription.type,
      'twitch-eventsub-subscription-version': subscription.version,
    },
    body,
  });
}
