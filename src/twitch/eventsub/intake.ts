// The intake's queue worker: messages recorded in the inbox (webhook or WebSocket) are handed to
// the bus in order of receipt, each message id once, then marked done. A message is in the
// database before it is acknowledged; the worker hands fresh ones on from memory (the table is
// not read back on the hot path) and reads the table only for what an earlier run left queued.
// Settled rows are kept a day, far beyond the 10 minutes after which Twitch's own redeliveries
// are refused as stale, so a redelivery always finds its id.
import type { Bus } from '../../core/bus.js';
import type { Logger } from '../../core/logger.js';
import type { EventSubSubscription } from '../eventsub.external.js';
import { isKnownType, type EventSubNotification } from './events.js';
import type { EventSubInbox, InboxMessage } from './inbox.js';

/** how long settled messages are kept for deduplication */
export const DEDUP_WINDOW_MS = 24 * 3_600_000;
const BATCH = 200;
/** ids handed on lately, so a leftover read back from the table is not handed on a second time */
const RECENT_IDS = 50_000;

export interface IntakeCounters {
  notification(type: string): void;
  unknown(type: string): void;
  duplicate(): void;
  depth(n: number): void;
}

export interface EventSubIntakeOptions {
  inbox: EventSubInbox;
  bus: Bus;
  log: Logger;
  counters: IntakeCounters;
  /** a revocation was read (the manager marks or re-creates the subscription) */
  onRevocation(subscription: EventSubSubscription): void;
}

export class EventSubIntake {
  /** recorded and not yet handed on, in order of receipt */
  private readonly pending: InboxMessage[] = [];
  private readonly recent = new Set<string>();
  /** ids being handed on right now, by the drain or by recover(): the other leaves them alone */
  private readonly inFlight = new Set<string>();
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  private handed = 0;
  private unknownTypes = 0;
  private duplicates = 0;
  private readonly rejectedBy: Record<string, number> = {};

  constructor(private readonly o: EventSubIntakeOptions) {}

  /** records a message (dedup by id) and wakes the worker; false for a redelivery */
  async accept(message: InboxMessage): Promise<boolean> {
    const fresh = await this.o.inbox.accept(message);
    if (fresh) {
      this.pending.push(message);
      this.kick();
    } else this.duplicate();
    return fresh;
  }

  /** a WebSocket message: same path as a webhook's, without an answer to wait for */
  receive(message: InboxMessage): void {
    this.accept(message).catch((err: unknown) => this.o.log.error({ err, messageId: message.messageId }, 'eventsub message could not be recorded'));
  }

  duplicate(): void {
    this.duplicates++;
    this.o.counters.duplicate();
  }

  /** drains the queue soon; one drain at a time, a wake-up during one runs it once more */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.stopped);
    })()
      .catch((err: unknown) => this.o.log.error({ err }, 'eventsub queue drain failed; what is left queued is handed on by the prune job'))
      .finally(() => (this.draining = undefined));
  }

  /**
   * Hands on what the table holds as queued: an earlier run's leftovers (at start, before
   * anything new arrives) or rows whose marking failed (the hourly job). Ids handed on lately are
   * only marked, not handed on again.
   */
  async recover(): Promise<void> {
    await this.idle();
    for (;;) {
      const batch = await this.o.inbox.queued(BATCH);
      if (batch.length === 0) break;
      await this.handBatch(batch);
      if (batch.length < BATCH) break;
    }
    this.o.counters.depth(await this.o.inbox.depth());
  }

  /** resolves once every message recorded so far has been handed on */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    await this.idle();
    this.stopped = true;
  }

  /** a webhook delivery refused before it reached the inbox (signature, stale, headers, body) */
  rejected(reason: string): void {
    this.rejectedBy[reason] = (this.rejectedBy[reason] ?? 0) + 1;
  }

  stats(): { handed_on: number; unknown_types: number; duplicates: number; queued: number; rejected: Record<string, number> } {
    return { handed_on: this.handed, unknown_types: this.unknownTypes, duplicates: this.duplicates, queued: this.pending.length, rejected: { ...this.rejectedBy } };
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) await this.handBatch(this.pending.splice(0, BATCH));
    this.o.counters.depth(this.pending.length);
  }

  private async handBatch(batch: readonly InboxMessage[]): Promise<void> {
    const done: string[] = [];
    const failed: string[] = [];
    for (const m of batch) {
      if (this.recent.has(m.messageId)) done.push(m.messageId);
      else if (this.inFlight.has(m.messageId)) continue;
      else {
        // claimed before the await: the hourly recover() reads queued rows while the drain runs
        this.inFlight.add(m.messageId);
        try {
          if (await this.handOn(m)) {
            done.push(m.messageId);
            this.remember(m.messageId);
          } else failed.push(m.messageId);
        } finally {
          this.inFlight.delete(m.messageId);
        }
      }
    }
    await this.o.inbox.settle(done, 'done');
    await this.o.inbox.settle(failed, 'failed');
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value!);
  }

  /** one message to the bus; false when its body cannot be read */
  private async handOn(m: InboxMessage): Promise<boolean> {
    let body: { subscription: EventSubSubscription; event?: unknown };
    try {
      body = JSON.parse(m.body);
    } catch {
      this.o.log.warn({ messageId: m.messageId }, 'eventsub message body is not JSON; set aside');
      return false;
    }
    const subscription = body.subscription;
    if (m.kind === 'revocation') {
      this.o.onRevocation(subscription);
      await this.o.bus.publish('eventsub.revocation', {
        subscriptionId: subscription.id,
        type: subscription.type,
        version: subscription.version,
        condition: subscription.condition,
        status: subscription.status,
      });
      return true;
    }
    if (!isKnownType(m.subscriptionType, m.subscriptionVersion) || typeof body.event !== 'object' || body.event === null) {
      this.unknownTypes++;
      this.o.counters.unknown(m.subscriptionType);
      this.o.log.debug({ type: m.subscriptionType, version: m.subscriptionVersion, messageId: m.messageId }, 'eventsub notification of a type Lurk does not read; dropped');
      return true;
    }
    const notification = {
      type: m.subscriptionType,
      version: m.subscriptionVersion,
      event: body.event,
      messageId: m.messageId,
      subscriptionId: m.subscriptionId,
      condition: subscription.condition,
      transport: m.transport,
      sentAt: m.sentAt,
      receivedAt: m.receivedAt,
    } as EventSubNotification;
    await this.o.bus.publish('eventsub.notification', notification);
    this.handed++;
    this.o.counters.notification(m.subscriptionType);
    return true;
  }
}
