// EventSub over webhooks (twitch-protocol.md §3): the callback verification challenge, signed
// notifications delivered at least once (retries keep the message id), and revocation when a
// callback keeps failing. Faults: a share of deliveries carry a wrong signature, a share of
// notifications arrive twice.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Simulator } from '../../simulator.js';
import type { EventSubEvent, EventSubStatus } from '../../../twitch/eventsub.external.js';
import { renderSubscription, type SubscriptionRecord, type SubscriptionStore, type WebhookTransportRecord } from './store.js';
import { messageTimestamp } from './time.js';

export interface WebhookOptions {
  /** waits between attempts of one message; one retry per entry */
  retryDelaysMs: number[];
  /** an answer slower than this counts as a failure */
  timeoutMs: number;
  /** messages in a row that fail every attempt before Twitch gives up on the callback */
  maxFailures: number;
}

type MessageType = 'webhook_callback_verification' | 'notification' | 'revocation';

interface Message {
  id: string;
  type: MessageType;
  timestamp: string;
  body: string;
}

interface Answer {
  status: number;
  text: string;
}

/** `sha256=` + hex HMAC-SHA256 over id + timestamp + raw body, keyed by the secret (§3.3) */
export function signature(secret: string, id: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret)
    .update(id + timestamp + body)
    .digest('hex')}`;
}

export class WebhookSender {
  private readonly abort = new AbortController();
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    private readonly sim: Simulator,
    private readonly store: SubscriptionStore,
    private readonly options: WebhookOptions,
  ) {}

  /** sends the challenge; the callback must answer 200 with the challenge as its body */
  async verify(rec: SubscriptionRecord): Promise<void> {
    const challenge = randomBytes(24).toString('base64url');
    const message = this.message('webhook_callback_verification', { challenge, subscription: renderSubscription(rec) });
    const answer = await this.send(rec, message, 0);
    if (!this.store.holds(rec) || rec.status !== 'webhook_callback_verification_pending') return;
    const verified = answer?.status === 200 && answer.text === challenge;
    this.store.setStatus(rec, verified ? 'enabled' : 'webhook_callback_verification_failed');
    if (!verified) this.sim.log.debug({ subscription: rec.id, status: answer?.status }, 'eventsub webhook verification failed');
  }

  notify(rec: SubscriptionRecord, event: EventSubEvent): void {
    const message = this.message('notification', { subscription: renderSubscription(rec), event });
    void this.deliver(rec, message).then((delivered) => this.settle(rec, message, delivered));
  }

  /** ends the subscription with `status` and tells the callback (one attempt: the receiver may be gone) */
  revoke(rec: SubscriptionRecord, status: EventSubStatus): void {
    this.store.setStatus(rec, status);
    const message = this.message('revocation', { subscription: renderSubscription(rec) });
    void this.send(rec, message, 0);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const w of this.waits) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.waits.clear();
  }

  private message(type: MessageType, payload: object): Message {
    return { id: randomUUID(), type, timestamp: messageTimestamp(), body: JSON.stringify(payload) };
  }

  /** tries until a 2xx or the retries run out; false when the message could not be delivered */
  private async deliver(rec: SubscriptionRecord, message: Message): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (this.abort.signal.aborted || !this.store.holds(rec) || rec.status !== 'enabled') return false;
      const answer = await this.send(rec, message, attempt);
      if (answer && answer.status >= 200 && answer.status < 300) return true;
      const delay = this.options.retryDelaysMs[attempt];
      if (delay === undefined) return false;
      await this.wait(delay);
    }
  }

  private settle(rec: SubscriptionRecord, message: Message, delivered: boolean): void {
    if (!this.store.holds(rec) || rec.status !== 'enabled') return;
    if (delivered) {
      rec.failures = 0;
      // at-least-once: a share of notifications arrive a second time with the same id
      if (Math.random() < this.sim.faults.webhookDuplicateRate) void this.send(rec, message, 0);
      return;
    }
    rec.failures++;
    this.sim.log.debug({ subscription: rec.id, failures: rec.failures }, 'eventsub webhook notification undeliverable');
    if (rec.failures >= this.options.maxFailures) this.revoke(rec, 'notification_failures_exceeded');
  }

  /** one POST; undefined when the callback could not be reached or did not answer in time */
  private async send(rec: SubscriptionRecord, message: Message, attempt: number): Promise<Answer | undefined> {
    const transport = rec.transport as WebhookTransportRecord;
    // a wrong signature is one a receiver must reject; the retry is signed properly again
    const secret = Math.random() < this.sim.faults.webhookBadSignatureRate ? `${transport.secret}-wrong` : transport.secret;
    const headers = {
      'Content-Type': 'application/json',
      'Twitch-Eventsub-Message-Id': message.id,
      'Twitch-Eventsub-Message-Retry': String(attempt),
      'Twitch-Eventsub-Message-Type': message.type,
      'Twitch-Eventsub-Message-Signature': signature(secret, message.id, message.timestamp, message.body),
      'Twitch-Eventsub-Message-Timestamp': message.timestamp,
      'Twitch-Eventsub-Subscription-Type': rec.type,
      'Twitch-Eventsub-Subscription-Version': rec.version,
    };
    try {
      return await post(transport.callback, headers, message.body, this.options.timeoutMs, this.abort.signal);
    } catch (err) {
      this.sim.log.debug({ err, subscription: rec.id, callback: transport.callback }, 'eventsub webhook delivery failed');
      return undefined;
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        timer: setTimeout(() => {
          this.waits.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.waits.add(w);
    });
  }
}

/** a POST without connection reuse, so nothing lingers once the simulator stops */
function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', agent: false, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    // the whole exchange must finish in time, not just each read
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(err: Error) {
      clearTimeout(deadline);
      reject(err);
    }
    req.on('error', fail);
    req.end(body);
  });
}
