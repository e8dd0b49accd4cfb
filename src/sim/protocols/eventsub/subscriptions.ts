// Helix `eventsub/subscriptions`: create, list and delete (twitch-protocol.md §2.8), with
// Twitch's authorisation, duplicate, cost and per-connection limits.
import { randomUUID } from 'node:crypto';
import type { SimToken } from '../../auth.js';
import type { Simulator } from '../../simulator.js';
import { decodeCursor, encodeCursor } from '../helix-common.js';
import { moderatorsOf } from '../helix.js';
import { SUPPORTED_TYPES, conditionUserIds } from './catalog.js';
import type { EventSubStatus, EventSubSubscriptionsResponse } from '../../../twitch/eventsub.external.js';
import { ownerOf, recordOwner, renderSubscription, type Owner, type SubscriptionRecord, type SubscriptionStore } from './store.js';
import { rfc3339Nano } from './time.js';
import { parseCreate, isRejection, type CreateRequest, type Rejection } from './validate.js';
import type { WebhookSender } from './webhook.js';
import type { Session, WebSocketHub } from './websocket.js';

export interface CostLimits {
  /** webhook subscriptions, per client (Twitch: 10,000) */
  webhookMaxTotalCost: number;
  /** WebSocket subscriptions, per client and user (Twitch: 10) */
  websocketMaxTotalCost: number;
}

export type Outcome = { status: 200 | 202 | 204; body?: EventSubSubscriptionsResponse } | Rejection;

/** Twitch allows at most this many subscriptions with the same type, version and condition */
const MAX_SAME_TOPIC = 3;
/** Twitch calls its page size "undetermined" */
const PAGE_SIZE = 100;

const STATUSES: ReadonlySet<string> = new Set<EventSubStatus>([
  'enabled',
  'webhook_callback_verification_pending',
  'webhook_callback_verification_failed',
  'notification_failures_exceeded',
  'authorization_revoked',
  'moderator_removed',
  'user_removed',
  'version_removed',
  'beta_maintenance',
  'websocket_disconnected',
  'websocket_failed_ping_pong',
  'websocket_received_inbound_traffic',
  'websocket_connection_unused',
  'websocket_internal_error',
  'websocket_network_timeout',
  'websocket_network_error',
]);

const FILTERS = ['status', 'type', 'user_id', 'subscription_id'] as const;

type Query = Record<string, unknown>;

/** what an accepted request costs and, for WebSocket, the session it joins */
interface Admission {
  cost: number;
  session?: Session;
}

/** the first value of a query parameter that may repeat */
function one(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === null ? undefined : String(v);
}

/** app tokens see the client's webhook subscriptions; user tokens that user's WebSocket ones */
function ownerOfToken(token: SimToken): Owner {
  return ownerOf(token.clientId, token.kind === 'user' ? token.user : undefined);
}

export class SubscriptionService {
  constructor(
    private readonly sim: Simulator,
    private readonly store: SubscriptionStore,
    private readonly hub: WebSocketHub,
    private readonly webhooks: WebhookSender,
    private readonly limits: CostLimits,
  ) {}

  create(token: SimToken, body: unknown): Outcome {
    const req = parseCreate(body, token, this.sim.world);
    if (isRejection(req)) return req;
    const admitted = this.admit(req, token);
    if (isRejection(admitted)) return admitted;
    const rec = this.record(req, token, admitted);
    this.store.add(rec);
    if (admitted.session) this.hub.attach(admitted.session, rec, token.clientId, token.user!);
    // Twitch sends the challenge right after accepting; the 202 still says "pending"
    else setImmediate(() => void this.webhooks.verify(rec));
    return { status: 202, body: { data: [renderSubscription(rec)], ...this.totals(ownerOfToken(token)) } };
  }

  list(token: SimToken, query: Query): Outcome {
    const given = FILTERS.filter((f) => one(query[f]) !== undefined);
    if (given.length > 1) return { status: 400, message: 'The request may specify only one filter query parameter: status, type, user_id or subscription_id' };
    const status = one(query.status);
    if (status !== undefined && !STATUSES.has(status)) return { status: 400, message: 'The value in the status query parameter is not valid' };
    const type = one(query.type);
    if (type !== undefined && !SUPPORTED_TYPES.has(type)) return { status: 400, message: 'The value in the type query parameter is not valid' };
    const userId = one(query.user_id);
    const subscriptionId = one(query.subscription_id);

    let after = 0;
    const cursor = one(query.after);
    if (cursor !== undefined) {
      const seq = decodeCursor(cursor)?.s;
      if (typeof seq !== 'number') return { status: 400, message: 'The cursor specified in the after query parameter is not valid' };
      after = seq;
    }

    const owner = ownerOfToken(token);
    const matching = this.store
      .owned(owner)
      .filter((r) => r.seq > after)
      .filter((r) => (status === undefined || r.status === status) && (type === undefined || r.type === type))
      .filter((r) => (userId === undefined || conditionUserIds(r.condition).includes(userId)) && (subscriptionId === undefined || r.id === subscriptionId));
    const page = matching.slice(0, PAGE_SIZE);
    const last = page.at(-1);
    const pagination = matching.length > PAGE_SIZE && last ? { cursor: encodeCursor({ s: last.seq }) } : {};
    return { status: 200, body: { data: page.map((r) => renderSubscription(r)), ...this.totals(owner), pagination } };
  }

  remove(token: SimToken, query: Query): Outcome {
    const id = one(query.id);
    if (!id) return { status: 400, message: 'Missing required parameter "id"' };
    const rec = this.store.get(id);
    if (!rec || recordOwner(rec) !== ownerOfToken(token)) return { status: 404, message: 'subscription not found' };
    this.hub.detach(rec);
    this.store.delete(rec);
    return { status: 204 };
  }

  /** Twitch's checks after the body is valid: authorisation, duplicates, session limits, cost */
  private admit(req: CreateRequest, token: SimToken): Admission | Rejection {
    const denied = this.authorise(req, token);
    if (denied) return denied;
    const { spec, condition, transport } = req;
    const same = this.store.sameTopic(token.clientId, spec.type, spec.version, condition);
    if (same.some((r) => sameTransport(r, req))) return { status: 409, message: 'subscription already exists' };
    if (same.length >= MAX_SAME_TOPIC) return { status: 429, message: `At most ${MAX_SAME_TOPIC} subscriptions may share the same type, version and condition` };

    const session = transport.method === 'websocket' ? this.hub.admit(transport.sessionId, token.clientId, token.user!) : undefined;
    if (isRejection(session)) return session;
    const owner = ownerOfToken(token);
    const cost = this.cost(req, token);
    if (this.store.activeCost(owner) + cost > this.maxTotalCost(owner)) return { status: 429, message: 'The subscription would exceed the maximum total cost' };
    return { cost, ...(session ? { session } : {}) };
  }

  private record(req: CreateRequest, token: SimToken, { cost, session }: Admission): SubscriptionRecord {
    const { spec, condition, transport } = req;
    return {
      id: randomUUID(),
      seq: 0,
      clientId: token.clientId,
      ...(token.kind === 'user' ? { user: token.user } : {}),
      type: spec.type,
      version: spec.version,
      condition,
      status: transport.method === 'webhook' ? 'webhook_callback_verification_pending' : 'enabled',
      createdAt: rfc3339Nano(this.sim.clock.now()),
      cost,
      transport:
        transport.method === 'webhook'
          ? { method: 'webhook', callback: transport.callback, secret: transport.secret }
          : { method: 'websocket', sessionId: session!.id, connectedAt: session!.connectedAt },
      failures: 0,
    };
  }

  /**
   * 403 unless the condition's user authorised this: a WebSocket (user token) subscription to a
   * scoped type needs the scope from that very user. App tokens carry no grants the simulator
   * can see, so webhook subscriptions are taken on trust. channel.follow also needs a real
   * moderator (the broadcaster counts).
   */
  private authorise(req: CreateRequest, token: SimToken): Rejection | undefined {
    const { spec, condition } = req;
    const world = this.sim.world;
    if (spec.type === 'channel.follow') {
      const broadcaster = world.userIndex(condition.broadcaster_user_id!)!;
      const moderator = world.userIndex(condition.moderator_user_id!)!;
      if (moderator !== broadcaster && !moderatorsOf(world, broadcaster).includes(moderator)) {
        return { status: 403, message: 'The user in moderator_user_id is not one of the broadcaster’s moderators' };
      }
    }
    if (token.kind !== 'user' || !spec.scope || !spec.authorisedBy) return undefined;
    if (!token.scopes.includes(spec.scope)) return { status: 403, message: `Missing required scope ${spec.scope}` };
    if (world.userIndex(condition[spec.authorisedBy]!) !== token.user) return { status: 403, message: 'subscription missing proper authorization' };
    return undefined;
  }

  /**
   * 0 when a user named in the condition authorised the client, else 1. For user tokens that
   * is the token's user; for app tokens, types that cannot be created without authorisation.
   */
  private cost(req: CreateRequest, token: SimToken): number {
    if (token.kind === 'user') return conditionUserIds(req.condition).includes(this.sim.world.userId(token.user!)) ? 0 : 1;
    return req.spec.authorisedBy ? 0 : 1;
  }

  private maxTotalCost(owner: Owner): number {
    return owner.startsWith('app:') ? this.limits.webhookMaxTotalCost : this.limits.websocketMaxTotalCost;
  }

  private totals(owner: Owner): Pick<EventSubSubscriptionsResponse, 'total' | 'total_cost' | 'max_total_cost'> {
    return { total: this.store.count(owner), total_cost: this.store.activeCost(owner), max_total_cost: this.maxTotalCost(owner) };
  }
}

function sameTransport(rec: SubscriptionRecord, req: CreateRequest): boolean {
  const a = rec.transport;
  const b = req.transport;
  if (a.method === 'webhook' && b.method === 'webhook') return a.callback === b.callback;
  if (a.method === 'websocket' && b.method === 'websocket') return a.sessionId === b.sessionId;
  return false;
}
