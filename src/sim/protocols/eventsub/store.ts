// Every EventSub subscription the simulator holds, indexed by owner (for the Helix listing and
// its costs) and by type + condition (so an event finds its subscribers without a scan).
import type { EventSubCondition, EventSubStatus, EventSubSubscription } from '../../../twitch/eventsub.external.js';
import { routingKey } from './catalog.js';

export interface WebhookTransportRecord {
  method: 'webhook';
  callback: string;
  secret: string;
}
export interface WebSocketTransportRecord {
  method: 'websocket';
  sessionId: string;
  connectedAt: string;
  disconnectedAt?: string;
}

export interface SubscriptionRecord {
  id: string;
  /** creation order, set by the store; GET pages by it */
  seq: number;
  clientId: string;
  /** the user of the user token that created a WebSocket subscription */
  user?: number;
  type: string;
  version: string;
  condition: EventSubCondition;
  status: EventSubStatus;
  /** rendered once, at creation, in simulated time */
  createdAt: string;
  cost: number;
  transport: WebhookTransportRecord | WebSocketTransportRecord;
  /** webhook: messages in a row that could not be delivered despite retries */
  failures: number;
  /** wall-clock ms when it stopped being active; listed a while longer, then forgotten */
  endedAt?: number;
}

/** who sees a subscription in GET and pays for it: the client (webhook) or client + user (WebSocket) */
export type Owner = string;
export function ownerOf(clientId: string, user: number | undefined): Owner {
  return user === undefined ? `app:${clientId}` : `user:${clientId}:${user}`;
}
export function recordOwner(rec: SubscriptionRecord): Owner {
  return ownerOf(rec.clientId, rec.transport.method === 'websocket' ? rec.user : undefined);
}

/** active subscriptions count toward limits and costs; the others are only listed */
export function isActive(status: EventSubStatus): boolean {
  return status === 'enabled' || status === 'webhook_callback_verification_pending';
}

/** how long an ended subscription stays visible in GET (Twitch keeps them for a while too) */
const ENDED_RETENTION_MS = 10 * 60_000;
/** ended subscriptions are swept at most this often per owner, so creating thousands stays linear */
const PRUNE_EVERY_MS = 10_000;

/** one owner's subscriptions in creation order, and the running cost of the active ones */
interface Book {
  subs: Map<string, SubscriptionRecord>;
  activeCost: number;
  prunedAt: number;
}

export class SubscriptionStore {
  private readonly byId = new Map<string, SubscriptionRecord>();
  private readonly books = new Map<Owner, Book>();
  private readonly byRoute = new Map<string, Set<SubscriptionRecord>>();
  private seq = 0;

  add(rec: SubscriptionRecord): void {
    rec.seq = ++this.seq;
    this.byId.set(rec.id, rec);
    const book = this.book(recordOwner(rec), true)!;
    book.subs.set(rec.id, rec);
    if (isActive(rec.status)) {
      book.activeCost += rec.cost;
      this.route(rec, true);
    }
  }

  get(id: string): SubscriptionRecord | undefined {
    return this.byId.get(id);
  }

  /** false once the subscription was deleted (deliveries in flight check this) */
  holds(rec: SubscriptionRecord): boolean {
    return this.byId.get(rec.id) === rec;
  }

  delete(rec: SubscriptionRecord): void {
    if (!this.holds(rec)) return;
    this.byId.delete(rec.id);
    const owner = recordOwner(rec);
    const book = this.books.get(owner);
    if (book) {
      book.subs.delete(rec.id);
      if (isActive(rec.status)) book.activeCost -= rec.cost;
      if (book.subs.size === 0) this.books.delete(owner);
    }
    this.route(rec, false);
  }

  /** moves a subscription to a new status; leaving the active states takes it off the event routes */
  setStatus(rec: SubscriptionRecord, status: EventSubStatus): void {
    const wasActive = isActive(rec.status);
    rec.status = status;
    if (wasActive && !isActive(status)) {
      rec.endedAt = Date.now();
      this.route(rec, false);
      const book = this.books.get(recordOwner(rec));
      if (book && this.holds(rec)) book.activeCost -= rec.cost;
    }
  }

  /** an owner's subscriptions, oldest first */
  owned(owner: Owner): SubscriptionRecord[] {
    return [...(this.book(owner)?.subs.values() ?? [])];
  }

  /** how many subscriptions an owner has (Helix `total`) */
  count(owner: Owner): number {
    return this.book(owner)?.subs.size ?? 0;
  }

  /** the summed cost of an owner's active subscriptions (Helix `total_cost`) */
  activeCost(owner: Owner): number {
    return this.book(owner)?.activeCost ?? 0;
  }

  /** enabled subscriptions of `type` listening on `key` (see routingKey) */
  subscribers(type: string, key: string): SubscriptionRecord[] {
    const set = this.byRoute.get(`${type}|${key}`);
    if (!set) return [];
    return [...set].filter((r) => r.status === 'enabled');
  }

  /** active subscriptions of a client with the same type, version and condition */
  sameTopic(clientId: string, type: string, version: string, condition: EventSubCondition): SubscriptionRecord[] {
    const set = this.byRoute.get(`${type}|${routingKey(type, condition)}`) ?? new Set();
    return [...set].filter((r) => r.clientId === clientId && r.version === version && sameCondition(r.condition, condition));
  }

  all(): SubscriptionRecord[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    this.byId.clear();
    this.books.clear();
    this.byRoute.clear();
  }

  private route(rec: SubscriptionRecord, on: boolean): void {
    const key = `${rec.type}|${routingKey(rec.type, rec.condition)}`;
    let set = this.byRoute.get(key);
    if (on) {
      if (!set) this.byRoute.set(key, (set = new Set()));
      set.add(rec);
    } else if (set) {
      set.delete(rec);
      if (set.size === 0) this.byRoute.delete(key);
    }
  }

  /** an owner's book, with ended subscriptions past their retention swept out */
  private book(owner: Owner, create = false): Book | undefined {
    const existing = this.books.get(owner);
    if (existing) this.sweep(existing);
    const book = this.books.get(owner);
    if (book || !create) return book;
    const fresh: Book = { subs: new Map(), activeCost: 0, prunedAt: Date.now() };
    this.books.set(owner, fresh);
    return fresh;
  }

  private sweep(book: Book): void {
    const now = Date.now();
    if (now - book.prunedAt < PRUNE_EVERY_MS) return;
    book.prunedAt = now;
    const cutoff = now - ENDED_RETENTION_MS;
    for (const rec of book.subs.values()) if (rec.endedAt !== undefined && rec.endedAt < cutoff) this.delete(rec);
  }
}

function sameCondition(a: EventSubCondition, b: EventSubCondition): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if ((a[k] ?? '') !== (b[k] ?? '')) return false;
  return true;
}

/** the subscription as Helix lists it; `withTimes` adds a WebSocket's connected/disconnected times */
export function renderSubscription(rec: SubscriptionRecord, withTimes = true): EventSubSubscription {
  const t = rec.transport;
  const transport: EventSubSubscription['transport'] =
    t.method === 'webhook'
      ? { method: 'webhook', callback: t.callback }
      : {
          method: 'websocket',
          session_id: t.sessionId,
          ...(withTimes ? { connected_at: t.connectedAt } : {}),
          ...(withTimes && t.disconnectedAt ? { disconnected_at: t.disconnectedAt } : {}),
        };
  return { id: rec.id, status: rec.status, type: rec.type, version: rec.version, condition: { ...rec.condition }, transport, created_at: rec.createdAt, cost: rec.cost };
}
