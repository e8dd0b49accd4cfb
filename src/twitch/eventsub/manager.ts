// The subscription manager: capabilities declare the subscriptions they want, and the manager
// makes Twitch's list (Helix eventsub/subscriptions, the truth) match: it creates what is missing
// once, deletes what nobody wants (only Lurk's own: its callback URL, its sessions), re-creates
// what Twitch disabled for a passing reason and keeps what was revoked for good as revoked. A
// restart finds its subscriptions in Helix's list by type, version, condition and transport, so
// nothing is duplicated or leaked.
import type { Logger } from '../../core/logger.js';
import type { EventSubCondition, EventSubStatus, EventSubSubscription, EventSubSubscriptionsResponse } from '../eventsub.external.js';
import { HelixRequestError, type HelixCall, type HelixClient } from '../helix-client.js';
import { EVENTSUB_VERSIONS, type EventSubType } from './events.js';
import type { InboxMessage } from './inbox.js';
import { topicKey, webhookSecret } from './verify.js';
import { EventSubSocket } from './websocket.js';

/** the user whose token a WebSocket subscription is created with (Twitch: WebSocket needs a user token) */
export interface EventSubUser {
  /** the user's Twitch id */
  id: string;
  /** a current user access token of Lurk's client id, with the scopes the types need */
  token(): string | Promise<string>;
}

/** one subscription a capability wants */
export interface SubscriptionWant {
  type: EventSubType;
  /** default: the version Lurk reads (EVENTSUB_VERSIONS) */
  version?: string;
  condition: EventSubCondition;
  /**
   * webhook (app token; the default when Lurk has a public URL) or websocket (needs `user`). A
   * webhook want with a user falls back to WebSocket when there is no public URL.
   */
  transport?: 'webhook' | 'websocket';
  user?: EventSubUser;
}

export type WantState = 'pending' | 'verifying' | 'enabled' | 'revoked' | 'failed' | 'unavailable';

/** a wanted subscription and where it stands (GET /api/eventsub/subscriptions) */
export interface SubscriptionState {
  type: string;
  version: string;
  condition: EventSubCondition;
  transport: 'webhook' | 'websocket';
  /** the user of a WebSocket subscription */
  user_id: string | null;
  owners: string[];
  state: WantState;
  /** why it is revoked, failed or unavailable */
  reason: string | null;
  /** Twitch's subscription, when there is one */
  subscription_id: string | null;
  helix_status: EventSubStatus | null;
  cost: number | null;
}

export interface EventSubManagerStats {
  /** where webhooks arrive: `<public URL>/eventsub/webhook`; null without a public URL */
  callback_url: string | null;
  /** false in real mode without LURK_PUBLIC_URL: only WebSocket subscriptions are made */
  webhooks: boolean;
  wanted: number;
  by_state: Partial<Record<WantState, number>>;
  webhook_cost: { total: number; max: number } | null;
  sockets: number;
  last_reconcile_at: number | null;
  last_reconcile_error: string | null;
}

export interface ReconcileReport {
  created: number;
  deleted: number;
  failed: number;
}

export interface EventSubManagerOptions {
  log: Logger;
  /** Helix, once Lurk has started */
  helix: () => HelixClient;
  /** the EventSub WebSocket URL (real Twitch or the simulator) */
  webSocketUrl: () => string;
  /** for creating sessions in tests with a short keepalive; Twitch's default (10 s) otherwise */
  keepaliveSeconds?: number;
  now?: () => number;
}

/** where the manager sends what its sockets read, and the secrets it subscribes webhooks with */
export interface EventSubWiring {
  masterKey: Buffer;
  receive(message: InboxMessage): void;
}

/**
 * Statuses that end a subscription for good: re-creating would only be refused (or is unwanted).
 * Every other one that is not enabled (notification_failures_exceeded, a failed verification, the
 * websocket_* ones) passes: the subscription is deleted and made again.
 */
const PERMANENT: ReadonlySet<EventSubStatus> = new Set<EventSubStatus>(['authorization_revoked', 'user_removed', 'moderator_removed', 'version_removed']);

/** Twitch's per-socket and per-user WebSocket limits (§4) */
export const SUBSCRIPTIONS_PER_SOCKET = 300;
export const SOCKETS_PER_USER = 3;

/** a failed reconcile is tried again after this, doubling up to the cap (the periodic job goes on too) */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;
/** a webhook subscription waits for Twitch's challenge: its status is read again this soon */
const VERIFY_FOLLOW_UP_MS = 5_000;

interface Want {
  key: string;
  type: string;
  version: string;
  condition: EventSubCondition;
  transport: 'webhook' | 'websocket';
  user?: EventSubUser;
  owners: Set<string>;
  state: WantState;
  reason?: string;
  subscription?: EventSubSubscription;
  /** a creation refused for a reason that will not pass by itself: not tried again until its owner declares again */
  stuck?: boolean;
  /** its authorising user granted access again since Twitch revoked it: the revoked subscription is replaced */
  renew?: boolean;
}

interface UserSockets {
  user: EventSubUser;
  sockets: EventSubSocket[];
  /** sessions this process opened and lost or left: their subscriptions are Lurk's to delete */
  past: Set<string>;
  connecting?: Promise<void>;
}

export class EventSubManager {
  private readonly declared = new Map<string, SubscriptionWant[]>();
  private wants = new Map<string, Want>();
  /** topics Twitch revoked for good, by want key: kept across re-declarations for this process's life */
  private readonly revoked = new Map<string, { status: EventSubStatus; users: string[] }>();
  /** want keys whose user authorised Lurk again after a revocation: their revoked subscription is replaced */
  private readonly renewing = new Set<string>();
  private readonly users = new Map<string, UserSockets>();
  private callback?: string;
  private wiring?: EventSubWiring;
  private running?: Promise<ReconcileReport>;
  private again = false;
  private stopped = false;
  private webhookCost: { total: number; max: number } | null = null;
  private lastReconcileAt: number | null = null;
  private lastError: string | null = null;
  private retryMs = RETRY_FIRST_MS;
  private followUp?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private readonly webhookCall: HelixCall = { priority: 'normal', signal: this.abort.signal };
  private readonly now: () => number;

  constructor(private readonly o: EventSubManagerOptions) {
    this.now = o.now ?? Date.now;
  }

  /**
   * `owner` (a capability's name) wants exactly these subscriptions; replaces what it declared
   * before. Takes effect at the next reconcile (at start, then periodically, or reconcile()).
   */
  declare(owner: string, wants: readonly SubscriptionWant[]): void {
    for (const w of wants) {
      if (w.transport === 'websocket' && !w.user) throw new TypeError(`${owner}: a WebSocket subscription to ${w.type} needs a user (token)`);
      if (w.version !== undefined && w.version !== EVENTSUB_VERSIONS[w.type]) throw new TypeError(`${owner}: Lurk reads ${w.type} version ${EVENTSUB_VERSIONS[w.type]}, not ${w.version}`);
    }
    this.declared.set(owner, [...wants]);
    // declaring again is asking again: what Twitch refused before is tried at the next reconcile
    for (const w of this.wants.values()) if (w.owners.has(owner) && w.stuck) w.stuck = false;
    this.rebuild();
  }

  release(owner: string): void {
    this.declared.delete(owner);
    this.rebuild();
  }

  /** where webhooks arrive (`<public URL>/eventsub/webhook`), or none: then only WebSocket is used */
  setCallback(url: string | undefined): void {
    this.callback = url;
    this.rebuild();
  }

  /** the master key secrets come from and where the sockets' messages go (the intake) */
  wire(wiring: EventSubWiring): void {
    this.wiring = wiring;
  }

  /** the wanted subscriptions and their state */
  subscriptions(): SubscriptionState[] {
    return [...this.wants.values()].map((w) => ({
      type: w.type,
      version: w.version,
      condition: { ...w.condition },
      transport: w.transport,
      user_id: w.user?.id ?? null,
      owners: [...w.owners].sort(),
      state: w.state,
      reason: w.reason ?? null,
      subscription_id: w.subscription?.id ?? null,
      helix_status: w.subscription?.status ?? null,
      cost: w.subscription?.cost ?? null,
    }));
  }

  stats(): EventSubManagerStats {
    const byState: Partial<Record<WantState, number>> = {};
    for (const w of this.wants.values()) byState[w.state] = (byState[w.state] ?? 0) + 1;
    let sockets = 0;
    for (const u of this.users.values()) sockets += u.sockets.length;
    return {
      callback_url: this.callback ?? null,
      webhooks: this.callback !== undefined,
      wanted: this.wants.size,
      by_state: byState,
      webhook_cost: this.webhookCost,
      sockets,
      last_reconcile_at: this.lastReconcileAt,
      last_reconcile_error: this.lastError,
    };
  }

  /**
   * A revocation Twitch sent (either transport). Passing reasons are re-created at once; for good
   * (authorization_revoked, user_removed, moderator_removed, version_removed) it stays revoked.
   */
  onRevocation(subscription: EventSubSubscription): void {
    const want = [...this.wants.values()].find((w) => w.subscription?.id === subscription.id);
    if (!want) return;
    want.subscription = subscription;
    if (PERMANENT.has(subscription.status)) {
      this.revoked.set(want.key, { status: subscription.status, users: usersOf(want) });
      want.state = 'revoked';
      want.reason = subscription.status;
      this.o.log.warn({ type: want.type, condition: want.condition, status: subscription.status }, 'eventsub subscription revoked for good; not re-created');
      return;
    }
    want.state = 'pending';
    want.reason = subscription.status;
    this.kick();
  }

  /**
   * `userId` authorised Lurk again (logged in anew after Twitch revoked its grant): the wants that
   * user authorises, or names in their condition, are no longer revoked and are made again at the
   * next reconcile, the revoked subscriptions Twitch still lists replaced.
   */
  reauthorised(userId: string): void {
    // the revocations remembered, including those of wants not declared right now (the user was logged out)
    for (const [key, r] of this.revoked) {
      if (!r.users.includes(userId)) continue;
      this.revoked.delete(key);
      this.renewing.add(key);
    }
    let any = false;
    for (const w of this.wants.values()) {
      if (!this.renewing.has(w.key) && !(w.stuck && usersOf(w).includes(userId))) continue;
      w.state = 'pending';
      delete w.reason;
      w.stuck = false;
      w.renew = true;
      any = true;
    }
    if (any) this.kick();
  }

  /** runs a reconcile soon (after the one under way, if any) */
  kick(): void {
    void this.reconcile().catch(() => {});
  }

  /** compares the wanted subscriptions with Helix's list and acts; one at a time, a request during one runs once after it */
  reconcile(): Promise<ReconcileReport> {
    // after stop nothing opens a socket or calls Helix again
    if (this.stopped) return Promise.resolve({ created: 0, deleted: 0, failed: 0 });
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<ReconcileReport> => {
      const total: ReconcileReport = { created: 0, deleted: 0, failed: 0 };
      do {
        this.again = false;
        const r = await this.reconcileOnce();
        total.created += r.created;
        total.deleted += r.deleted;
        total.failed += r.failed;
      } while (this.again && !this.stopped);
      return total;
    };
    this.running = run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** closes every socket (their subscriptions end with them, as Twitch disables them) */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.followUp);
    // a reconcile waiting on Helix (backoff, the budget) gives up rather than hold the shutdown
    this.abort.abort();
    await this.running?.catch(() => {});
    for (const u of this.users.values()) for (const s of u.sockets) s.close();
    this.users.clear();
  }

  // ---------------------------------------------------------------- wants

  /** the union of every owner's declarations, keeping the state of wants that stay */
  private rebuild(): void {
    const next = new Map<string, Want>();
    for (const [owner, list] of this.declared) {
      for (const w of list) {
        const version = w.version ?? EVENTSUB_VERSIONS[w.type];
        // without a public URL, a want that has a user falls back to WebSocket
        const transport = w.transport === 'websocket' || (!this.callback && w.user) ? 'websocket' : 'webhook';
        const topic = topicKey(w.type, version, w.condition);
        const key = transport === 'websocket' ? `${topic}|websocket:${w.user!.id}` : `${topic}|webhook`;
        const existing = next.get(key) ?? this.wants.get(key);
        const want: Want = existing ?? { key, type: w.type, version, condition: { ...w.condition }, transport, owners: new Set(), state: 'pending' };
        if (w.user) want.user = w.user;
        if (!next.has(key)) want.owners = new Set();
        want.owners.add(owner);
        const gone = this.revoked.get(key)?.status;
        if (this.renewing.has(key)) want.renew = true;
        if (gone) {
          want.state = 'revoked';
          want.reason = gone;
        }
        next.set(key, want);
      }
    }
    this.wants = next;
  }

  // ---------------------------------------------------------------- reconcile

  private async reconcileOnce(): Promise<ReconcileReport> {
    const report: ReconcileReport = { created: 0, deleted: 0, failed: 0 };
    try {
      await this.reconcileWebhooks(report);
      for (const userId of this.userIds()) await this.reconcileUser(userId, report);
      await this.closeIdleSockets();
      this.lastError = null;
      this.retryMs = RETRY_FIRST_MS;
      if ([...this.wants.values()].some((w) => w.state === 'verifying')) this.soon(VERIFY_FOLLOW_UP_MS);
    } catch (err) {
      if (this.stopped) return report;
      this.lastError = (err as Error).message;
      this.o.log.warn({ err: (err as Error).message, retryInMs: this.retryMs }, 'eventsub reconcile failed; trying again');
      this.soon(this.retryMs);
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      throw err;
    } finally {
      this.lastReconcileAt = this.now();
    }
    return report;
  }

  /** one more reconcile after `ms` (one timer at a time) */
  private soon(ms: number): void {
    if (this.stopped || this.followUp) return;
    this.followUp = setTimeout(() => {
      this.followUp = undefined;
      this.kick();
    }, ms);
    this.followUp.unref();
  }

  private webhookWants(): Want[] {
    return [...this.wants.values()].filter((w) => w.transport === 'webhook');
  }

  private async reconcileWebhooks(report: ReconcileReport): Promise<void> {
    const wants = this.webhookWants();
    if (!this.callback) {
      for (const w of wants) {
        w.state = 'unavailable';
        w.reason = 'no public URL (LURK_PUBLIC_URL): Twitch cannot deliver webhooks to this Lurk';
      }
      return;
    }
    // with nothing wanted, Lurk still clears its own leftovers (a capability that no longer wants them)
    const listed = await this.list(this.webhookCall);
    this.webhookCost = { total: listed.totalCost, max: listed.maxTotalCost };
    const ours = listed.subscriptions.filter((s) => s.transport.method === 'webhook' && s.transport.callback === this.webhookCallback());
    await this.match(wants, ours, this.webhookCall, report, async (w) => this.createWebhook(w, report));
  }

  private async createWebhook(w: Want, report: ReconcileReport): Promise<void> {
    const cost = this.webhookCost;
    if (cost && cost.total >= cost.max) return this.refuse(w, `Twitch's max_total_cost is reached (${cost.total} of ${cost.max})`, report);
    if (!this.wiring) throw new Error('the EventSub manager is not wired to an intake');
    const secret = webhookSecret(this.wiring.masterKey, w.type, w.version, w.condition);
    await this.create(w, { method: 'webhook', callback: this.webhookCallback(), secret }, this.webhookCall, report);
    if (w.subscription && cost) cost.total += w.subscription.cost;
  }

  private webhookCallback(): string {
    return this.callback!;
  }

  /**
   * The shared part of both transports: Helix's subscriptions of Lurk's own (`ours`) against the
   * wants. A want keeps one live subscription (extra copies are deleted), dead ones are deleted
   * and replaced unless revoked for good, and what no want matches is deleted.
   */
  private async match(wants: Want[], ours: EventSubSubscription[], call: HelixCall, report: ReconcileReport, create: (w: Want) => Promise<void>): Promise<void> {
    const byKey = new Map<string, EventSubSubscription[]>();
    for (const s of ours) {
      const key = topicKey(s.type, s.version, s.condition);
      byKey.set(key, [...(byKey.get(key) ?? []), s]);
    }
    const claimed = new Set<string>();
    for (const w of wants) {
      const topic = topicKey(w.type, w.version, w.condition);
      const matches = byKey.get(topic) ?? [];
      for (const s of matches) claimed.add(s.id);
      const live = matches.filter((s) => s.status === 'enabled' || s.status === 'webhook_callback_verification_pending');
      const dead = matches.filter((s) => !live.includes(s));
      let permanent = dead.find((s) => PERMANENT.has(s.status));
      if (permanent && w.renew) {
        // granted again: the revoked one goes and a new one is made
        for (const s of dead) if (PERMANENT.has(s.status)) await this.remove(s, call, report);
        permanent = undefined;
      }
      if (permanent) {
        this.revoked.set(w.key, { status: permanent.status, users: usersOf(w) });
        w.state = 'revoked';
        w.reason = permanent.status;
        w.subscription = permanent;
      }
      for (const s of dead) if (!PERMANENT.has(s.status)) await this.remove(s, call, report);
      const [keep, ...extra] = live;
      for (const s of extra) await this.remove(s, call, report);
      if (keep) {
        w.subscription = keep;
        w.state = keep.status === 'enabled' ? 'enabled' : 'verifying';
        delete w.reason;
        continue;
      }
      if (w.state === 'revoked' || w.stuck) continue;
      delete w.subscription;
      await create(w);
      if (w.subscription) {
        delete w.renew;
        this.renewing.delete(w.key);
      }
    }
    for (const s of ours) if (!claimed.has(s.id)) await this.remove(s, call, report);
  }

  private async create(w: Want, transport: Record<string, string>, call: HelixCall, report: ReconcileReport): Promise<void> {
    try {
      const answer = await this.o.helix().post<EventSubSubscriptionsResponse>('eventsub/subscriptions', { type: w.type, version: w.version, condition: w.condition, transport }, call);
      const created = answer.data[0];
      if (created) {
        w.subscription = created;
        w.state = created.status === 'enabled' ? 'enabled' : 'verifying';
        delete w.reason;
        report.created++;
        if (w.transport === 'webhook') this.webhookCost = { total: answer.total_cost, max: answer.max_total_cost };
      }
    } catch (err) {
      if (err instanceof HelixRequestError && err.status === 409) {
        // another Lurk (or a race with the last list) holds it: the next list shows it
        w.state = 'pending';
        w.reason = 'Twitch says it already exists; the next reconcile finds it';
        return;
      }
      if (err instanceof HelixRequestError && transient(err, w.transport)) {
        // a rate limit, a token that expired, a session that died meanwhile: the next reconcile tries again
        w.state = 'pending';
        w.reason = `Twitch answered ${err.status} (${err.message}); tried again at the next reconcile`;
        report.failed++;
        return;
      }
      if (err instanceof HelixRequestError && err.status >= 400 && err.status < 500) return this.refuse(w, err.message, report);
      throw err;
    }
  }

  /** Twitch refused this one for a reason that will not pass by itself: reported, not retried in a loop */
  private refuse(w: Want, reason: string, report: ReconcileReport): void {
    w.state = 'failed';
    w.reason = reason;
    w.stuck = true;
    report.failed++;
    this.o.log.warn({ type: w.type, condition: w.condition, transport: w.transport, reason }, 'eventsub subscription not created');
  }

  private async remove(s: EventSubSubscription, call: HelixCall, report: ReconcileReport): Promise<void> {
    try {
      await this.o.helix().delete('eventsub/subscriptions', { id: s.id }, call);
      report.deleted++;
    } catch (err) {
      // already gone is what was wanted
      if (!(err instanceof HelixRequestError && err.status === 404)) throw err;
    }
  }

  /** every page of Helix's list for the token of `call` */
  private async list(call: HelixCall): Promise<{ subscriptions: EventSubSubscription[]; totalCost: number; maxTotalCost: number }> {
    const subscriptions: EventSubSubscription[] = [];
    let after: string | undefined;
    let totalCost = 0;
    let maxTotalCost = 0;
    do {
      const page = await this.o.helix().get<EventSubSubscriptionsResponse>('eventsub/subscriptions', { after }, call);
      subscriptions.push(...page.data);
      totalCost = page.total_cost;
      maxTotalCost = page.max_total_cost;
      after = page.pagination?.cursor || undefined;
    } while (after);
    return { subscriptions, totalCost, maxTotalCost };
  }

  // ---------------------------------------------------------------- WebSocket

  private userIds(): string[] {
    const ids = new Set<string>(this.users.keys());
    for (const w of this.wants.values()) if (w.transport === 'websocket') ids.add(w.user!.id);
    return [...ids];
  }

  private async reconcileUser(userId: string, report: ReconcileReport): Promise<void> {
    const wants = [...this.wants.values()].filter((w) => w.transport === 'websocket' && w.user!.id === userId && w.state !== 'revoked' && !w.stuck);
    const all = [...this.wants.values()].filter((w) => w.transport === 'websocket' && w.user!.id === userId);
    const user = all[0]?.user ?? this.users.get(userId)?.user;
    if (!user) return;
    const entry = this.users.get(userId) ?? { user, sockets: [], past: new Set<string>() };
    entry.user = user;
    this.users.set(userId, entry);
    const call: HelixCall = { priority: 'normal', signal: this.abort.signal, userToken: () => entry.user.token() };

    // enough sessions for the wants, within Twitch's 300 per socket and 3 per user
    const needed = Math.min(SOCKETS_PER_USER, Math.ceil(wants.length / SUBSCRIPTIONS_PER_SOCKET));
    while (entry.sockets.length < needed) await this.openSocket(entry);

    const listed = await this.list(call);
    const current = new Set(entry.sockets.map((s) => s.sessionId!));
    const mine = listed.subscriptions.filter((s) => s.transport.method === 'websocket' && (current.has(s.transport.session_id) || entry.past.has(s.transport.session_id)));
    // subscriptions of a past session are disabled (Twitch's rule): deleted, then made again on a live one
    const live = mine.filter((s) => s.transport.method === 'websocket' && current.has(s.transport.session_id));
    for (const s of mine) if (!live.includes(s)) await this.remove(s, call, report);

    const load = new Map<string, number>(entry.sockets.map((s) => [s.sessionId!, 0]));
    for (const s of live) if (s.transport.method === 'websocket' && s.status === 'enabled') load.set(s.transport.session_id, (load.get(s.transport.session_id) ?? 0) + 1);
    await this.match(all, live, call, report, async (w) => {
      const session = [...load.entries()].find(([, n]) => n < SUBSCRIPTIONS_PER_SOCKET)?.[0];
      if (!session) return this.refuse(w, `over Twitch's WebSocket limits (${SOCKETS_PER_USER} sockets × ${SUBSCRIPTIONS_PER_SOCKET} subscriptions for this user)`, report);
      await this.create(w, { method: 'websocket', session_id: session }, call, report);
      if (w.subscription) load.set(session, (load.get(session) ?? 0) + 1);
    });
  }

  private async openSocket(entry: UserSockets): Promise<void> {
    const url = this.o.keepaliveSeconds ? `${this.o.webSocketUrl()}?keepalive_timeout_seconds=${this.o.keepaliveSeconds}` : this.o.webSocketUrl();
    const socket: EventSubSocket = new EventSubSocket({
      url,
      log: this.o.log,
      onMessage: (m) => this.wiring?.receive(m),
      onSessionMoved: (from, to) => {
        entry.past.add(from);
        // the subscriptions came along: their session id is the new one now
        for (const w of this.wants.values()) {
          if (w.subscription?.transport.method === 'websocket' && w.subscription.transport.session_id === from)
            w.subscription = { ...w.subscription, transport: { ...w.subscription.transport, session_id: to } };
        }
      },
      onLost: (session, reason) => {
        entry.past.add(session);
        entry.sockets = entry.sockets.filter((s) => s !== socket);
        this.o.log.warn({ session, reason, user: entry.user.id }, 'eventsub session lost; its subscriptions are made again on a new one');
        for (const w of this.wants.values()) {
          if (w.subscription?.transport.method === 'websocket' && w.subscription.transport.session_id === session) {
            w.state = 'pending';
            w.reason = `session lost: ${reason}`;
          }
        }
        if (!this.stopped) this.kick();
      },
    });
    await socket.connect();
    entry.sockets.push(socket);
  }

  /** a socket no want needs is closed (Twitch would close it as unused anyway) */
  private async closeIdleSockets(): Promise<void> {
    for (const [userId, entry] of this.users) {
      const wanted = [...this.wants.values()].filter((w) => w.transport === 'websocket' && w.user!.id === userId && w.state !== 'revoked' && !w.stuck).length;
      const keep = Math.min(SOCKETS_PER_USER, Math.ceil(wanted / SUBSCRIPTIONS_PER_SOCKET));
      while (entry.sockets.length > keep) {
        const s = entry.sockets.pop()!;
        if (s.sessionId) entry.past.add(s.sessionId);
        s.close();
      }
    }
  }
}

/** the users a want's grant rests on: its authorising user and those its condition names */
function usersOf(w: Want): string[] {
  return [...(w.user ? [w.user.id] : []), ...Object.values(w.condition).filter(Boolean)];
}

/**
 * A refusal that passes by itself: 401 (the user token expired; it is renewed), 429 that is not
 * the cost limit (Twitch answers both with 429), and 400 naming the session for a WebSocket
 * subscription (the socket died between its welcome and the create). Other 4xx are stuck.
 */
function transient(err: HelixRequestError, transport: 'webhook' | 'websocket'): boolean {
  if (err.status === 401) return true;
  if (err.status === 429) return !/cost/i.test(err.message);
  return err.status === 400 && transport === 'websocket' && /session/i.test(err.message);
}
