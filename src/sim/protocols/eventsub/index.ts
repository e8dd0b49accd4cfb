// The simulator's EventSub: subscription management under /eventsub/subscriptions (and the
// /helix and /mock spellings of it), the WebSocket transport at /ws and webhook delivery. Every
// world event reaches each enabled subscription whose type and condition match it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimToken } from '../../auth.js';
import type { SimProtocol, Simulator } from '../../simulator.js';
import type { WorldEvent } from '../../world/world.js';
import { helixGate, twitchError } from '../helix-common.js';
import type { EventSubStatus, EventSubSubscription } from '../../../twitch/eventsub.external.js';
import { EventRenderer } from './render.js';
import { SubscriptionStore, renderSubscription, type SubscriptionRecord } from './store.js';
import { SubscriptionService, type Outcome } from './subscriptions.js';
import { isRejection } from './validate.js';
import { WebhookSender } from './webhook.js';
import { WebSocketHub, type CloseCode, type SessionInfo } from './websocket.js';

export type { EventSubSubscription, EventSubStatus, SessionInfo, CloseCode };
export { CLOSE_CODES } from './websocket.js';
export { signature as webhookSignature } from './webhook.js';

export interface EventSubOptions {
  /** keepalive window of sessions that ask for none (default 10 s, Twitch's default) */
  keepaliveSeconds?: number;
  /** a new session without a subscription after this long is closed with 4003 (default 10 s) */
  unusedTimeoutSeconds?: number;
  /** how long a session told to reconnect stays open before 4004 (default 30 s) */
  reconnectGraceMs?: number;
  /** WebSocket ping interval; an unanswered ping closes with 4002 (default 30 s) */
  pingIntervalMs?: number;
  /** waits between webhook attempts of one message (default 1 s, 5 s, 25 s) */
  webhookRetryDelaysMs?: number[];
  /** a webhook answer slower than this is a failure (default 10 s) */
  webhookTimeoutMs?: number;
  /** undeliverable messages in a row before notification_failures_exceeded (default 5) */
  webhookMaxFailures?: number;
  /** limits, Twitch's by default: 300 per session, 3 sessions per user, costs 10,000 and 10 */
  maxSubscriptionsPerSession?: number;
  maxSessionsPerUser?: number;
  webhookMaxTotalCost?: number;
  websocketMaxTotalCost?: number;
}

/** what the control API can do with EventSub */
export interface EventSubControl {
  /** sends session_reconnect to every connected WebSocket session; returns how many */
  reconnectAll(): number;
  /** every subscription the simulator holds, as Helix renders them */
  subscriptions(): EventSubSubscription[];
  sessions(): SessionInfo[];
  /** ends a subscription with a revocation status (authorization_revoked, user_removed, …) */
  revoke(subscriptionId: string, status: EventSubStatus): boolean;
  /** closes a WebSocket session with one of Twitch's close codes */
  closeSession(sessionId: string, code: CloseCode): boolean;
}

export type EventSubProtocol = SimProtocol & EventSubControl;

const controls = new WeakMap<Simulator, EventSubControl>();

/** the EventSub control of a simulator that uses eventSubProtocol(), for the /_sim API */
export function eventSubControl(sim: Simulator): EventSubControl | undefined {
  return controls.get(sim);
}

const PATHS = ['/eventsub/subscriptions', '/helix/eventsub/subscriptions', '/mock/eventsub/subscriptions'];

interface Parts {
  store: SubscriptionStore;
  renderer: EventRenderer;
  hub: WebSocketHub;
  webhooks: WebhookSender;
  service: SubscriptionService;
  unsubscribe: () => void;
}

export function eventSubProtocol(options: EventSubOptions = {}): EventSubProtocol {
  let parts: Parts | undefined;
  let simulator: Simulator | undefined;
  const running = (): Parts => {
    if (!parts) throw new Error('the EventSub protocol is not registered with a simulator');
    return parts;
  };

  const protocol: EventSubProtocol = {
    name: 'eventsub',

    register(app: FastifyInstance, sim: Simulator) {
      parts = assemble(sim, options);
      simulator = sim;
      controls.set(sim, protocol);
      registerRoutes(app, sim, parts.service);
      parts.hub.register(app);
    },

    async stop() {
      if (!parts) return;
      parts.unsubscribe();
      parts.hub.stop();
      await parts.webhooks.stop();
      parts.store.clear();
      if (simulator) controls.delete(simulator);
      parts = undefined;
    },

    reconnectAll: () => running().hub.reconnectAll(),
    subscriptions: () =>
      running()
        .store.all()
        .map((r) => renderSubscription(r)),
    sessions: () => running().hub.list(),
    revoke(subscriptionId, status) {
      const p = running();
      const rec = p.store.get(subscriptionId);
      if (!rec) return false;
      if (rec.transport.method === 'websocket') p.hub.revoke(rec, status);
      else p.webhooks.revoke(rec, status);
      return true;
    },
    closeSession: (sessionId, code) => running().hub.closeSession(sessionId, code),
  };
  return protocol;
}

function assemble(sim: Simulator, o: EventSubOptions): Parts {
  const store = new SubscriptionStore();
  const renderer = new EventRenderer(sim.world);
  const keepaliveSeconds = o.keepaliveSeconds ?? 10;
  const hub = new WebSocketHub(sim, store, {
    keepaliveSeconds,
    unusedTimeoutSeconds: o.unusedTimeoutSeconds ?? 10,
    reconnectGraceMs: o.reconnectGraceMs ?? 30_000,
    pingIntervalMs: o.pingIntervalMs ?? 30_000,
    maxSubscriptionsPerSession: o.maxSubscriptionsPerSession ?? 300,
    maxSessionsPerUser: o.maxSessionsPerUser ?? 3,
  });
  const webhooks = new WebhookSender(sim, store, {
    retryDelaysMs: o.webhookRetryDelaysMs ?? [1000, 5000, 25_000],
    timeoutMs: o.webhookTimeoutMs ?? 10_000,
    maxFailures: o.webhookMaxFailures ?? 5,
  });
  const service = new SubscriptionService(sim, store, hub, webhooks, {
    webhookMaxTotalCost: o.webhookMaxTotalCost ?? 10_000,
    websocketMaxTotalCost: o.websocketMaxTotalCost ?? 10,
  });
  const parts: Parts = { store, renderer, hub, webhooks, service, unsubscribe: () => {} };
  parts.unsubscribe = sim.world.onEvent((e) => dispatch(parts, e));
  return parts;
}

/** renders a world event once and hands it to every enabled subscription it matches */
function dispatch(p: Parts, e: WorldEvent): void {
  const route = p.renderer.route(e);
  if (route) {
    const targets = new Set<SubscriptionRecord>();
    for (const key of route.keys) for (const rec of p.store.subscribers(route.type, key)) if (rec.version === route.version) targets.add(rec);
    const event = targets.size ? p.renderer.event(e) : undefined;
    if (event) {
      for (const rec of targets) {
        if (rec.transport.method === 'webhook') p.webhooks.notify(rec, event);
        else p.hub.deliver(rec, event);
      }
    }
  }
}

function registerRoutes(app: FastifyInstance, sim: Simulator, service: SubscriptionService): void {
  const handle = (run: (token: SimToken, request: FastifyRequest) => Outcome) => async (request: FastifyRequest, reply: FastifyReply) => {
    const token = await helixGate(sim, request, reply);
    if (!token) return reply;
    const outcome = run(token, request);
    if (isRejection(outcome)) return twitchError(reply, outcome.status, outcome.message);
    return reply.status(outcome.status).send(outcome.body);
  };
  for (const path of PATHS) {
    app.post(
      path,
      handle((token, request) => service.create(token, request.body)),
    );
    app.get(
      path,
      handle((token, request) => service.list(token, request.query as Record<string, unknown>)),
    );
    app.delete(
      path,
      handle((token, request) => service.remove(token, request.query as Record<string, unknown>)),
    );
  }
}
