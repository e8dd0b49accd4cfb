// EventSub over WebSocket at /ws (twitch-protocol.md §4): welcome, keepalives when idle, pings,
// notifications, reconnects that carry subscriptions to a new session, revocations, and the
// 4000–4007 close codes with the subscription status each leaves behind.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Simulator } from '../../simulator.js';
import type { EventSubEvent, EventSubStatus, WsMessageType, WsSession } from '../../../twitch/eventsub.external.js';
import { renderSubscription, type SubscriptionRecord, type SubscriptionStore, type WebSocketTransportRecord } from './store.js';
import { messageTimestamp, rfc3339Nano } from './time.js';
import type { Rejection } from './validate.js';

export interface WebSocketOptions {
  /** keepalive window when the client asks for none (Twitch: 10; clients may ask for 10..600) */
  keepaliveSeconds: number;
  /** a session without a subscription after this long is closed with 4003 */
  unusedTimeoutSeconds: number;
  /** how long a session told to reconnect stays open before 4004 */
  reconnectGraceMs: number;
  /** WebSocket ping frames; a ping still unanswered at the next one closes with 4002 */
  pingIntervalMs: number;
  maxSubscriptionsPerSession: number;
  /** connections per client id and user */
  maxSessionsPerUser: number;
}

export type CloseCode = 4000 | 4001 | 4002 | 4003 | 4004 | 4005 | 4006 | 4007;

/** reason texts as twitch-cli sends them, and what happens to the session's subscriptions */
const CLOSE: Record<CloseCode, { reason: string; status: EventSubStatus }> = {
  4000: { reason: 'internal server error', status: 'websocket_internal_error' },
  4001: { reason: 'sent inbound traffic', status: 'websocket_received_inbound_traffic' },
  4002: { reason: 'failed ping pong', status: 'websocket_failed_ping_pong' },
  4003: { reason: 'connection unused', status: 'websocket_connection_unused' },
  4004: { reason: 'reconnect grace time expired', status: 'websocket_disconnected' },
  4005: { reason: 'network timeout', status: 'websocket_network_timeout' },
  4006: { reason: 'network error', status: 'websocket_network_error' },
  4007: { reason: 'invalid reconnect', status: 'websocket_disconnected' },
};
export const CLOSE_CODES = Object.keys(CLOSE).map(Number) as CloseCode[];

/** a client too slow to read this much is timed out (4005) rather than buffered forever */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const OPEN = 1;

class Session {
  readonly subscriptions = new Set<SubscriptionRecord>();
  owner?: { clientId: string; user: number };
  state: 'connected' | 'reconnecting' | 'closed' = 'connected';
  /** the session the client moved to after session_reconnect */
  successor?: Session;
  everSubscribed = false;
  awaitingPong = false;
  keepaliveTimer?: NodeJS.Timeout;
  unusedTimer?: NodeJS.Timeout;
  pingTimer?: NodeJS.Timeout;
  graceTimer?: NodeJS.Timeout;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly keepaliveSeconds: number,
    readonly connectedAt: string,
    /** ws://host/ws as the client reached it, for reconnect_url */
    readonly url: string,
  ) {}

  clearTimers(): void {
    clearTimeout(this.keepaliveTimer);
    clearTimeout(this.unusedTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.graceTimer);
  }
}

export interface SessionInfo {
  id: string;
  state: 'connected' | 'reconnecting';
  connected_at: string;
  keepalive_timeout_seconds: number;
  client_id: string | null;
  user_id: string | null;
  subscriptions: number;
}

/** Twitch session ids look like `AQoQILE98gtqShGmLD7AM6yJThAB` */
function newSessionId(): string {
  return `AQoQ${randomBytes(16).toString('base64url').replace(/[-_]/g, 'x')}AB`;
}

/** `keepalive_timeout_seconds` from the URL, clamped to 10..600 as Twitch does; undefined if absent */
function requestedKeepalive(value: unknown): number | undefined {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n)) return undefined;
  return Math.min(600, Math.max(10, Math.round(n)));
}

export class WebSocketHub {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly sim: Simulator,
    private readonly store: SubscriptionStore,
    private readonly options: WebSocketOptions,
  ) {}

  register(app: FastifyInstance): void {
    app.get('/ws', { websocket: true }, (socket, request) => this.accept(socket, request));
  }

  /** a session a new subscription may join, or why not */
  admit(sessionId: string, clientId: string, user: number): Session | Rejection {
    const s = this.sessions.get(sessionId);
    if (!s || s.state === 'closed' || s.successor) return { status: 400, message: 'The websocket session does not exist or is no longer connected' };
    if (s.owner && (s.owner.clientId !== clientId || s.owner.user !== user)) return { status: 400, message: 'The websocket session holds subscriptions of another client or user' };
    if (!s.owner && this.openSessionsOf(clientId, user) >= this.options.maxSessionsPerUser) {
      return { status: 429, message: `The user already has ${this.options.maxSessionsPerUser} websocket connections for this client` };
    }
    const enabled = [...s.subscriptions].filter((r) => r.status === 'enabled').length;
    if (enabled >= this.options.maxSubscriptionsPerSession) return { status: 429, message: `The websocket session already has ${this.options.maxSubscriptionsPerSession} enabled subscriptions` };
    return s;
  }

  attach(session: Session, rec: SubscriptionRecord, clientId: string, user: number): void {
    session.owner ??= { clientId, user };
    session.subscriptions.add(rec);
    session.everSubscribed = true;
    clearTimeout(session.unusedTimer);
  }

  detach(rec: SubscriptionRecord): void {
    this.sessionOf(rec)?.subscriptions.delete(rec);
  }

  deliver(rec: SubscriptionRecord, event: EventSubEvent): void {
    const session = this.sessionOf(rec);
    if (!session) return;
    this.send(session, 'notification', { subscription: renderSubscription(rec, false), event }, rec);
  }

  /** ends a subscription with `status` and tells its session */
  revoke(rec: SubscriptionRecord, status: EventSubStatus): void {
    this.store.setStatus(rec, status);
    const session = this.sessionOf(rec);
    if (!session) return;
    this.send(session, 'revocation', { subscription: renderSubscription(rec, false) }, rec);
    session.subscriptions.delete(rec);
  }

  /** asks every connected client to move to a new session (Twitch's server maintenance) */
  reconnectAll(): number {
    let count = 0;
    for (const s of this.sessions.values()) {
      if (s.state !== 'connected') continue;
      s.state = 'reconnecting';
      const reconnectUrl = `${s.url}?reconnect_id=${encodeURIComponent(s.id)}`;
      this.send(s, 'session_reconnect', { session: this.sessionPayload(s, reconnectUrl) });
      s.graceTimer = setTimeout(() => this.close(s, 4004), this.options.reconnectGraceMs);
      count++;
    }
    return count;
  }

  /** closes a session with one of Twitch's codes (the control API's "close --reason") */
  closeSession(id: string, code: CloseCode): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.close(s, code);
    return true;
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()]
      .filter((s): s is Session & { state: 'connected' | 'reconnecting' } => s.state !== 'closed')
      .map((s) => ({
        id: s.id,
        state: s.state,
        connected_at: s.connectedAt,
        keepalive_timeout_seconds: s.keepaliveSeconds,
        client_id: s.owner?.clientId ?? null,
        user_id: s.owner ? this.sim.world.userId(s.owner.user) : null,
        subscriptions: s.subscriptions.size,
      }));
  }

  stop(): void {
    for (const s of this.sessions.values()) {
      s.clearTimers();
      s.state = 'closed';
      s.socket.terminate();
    }
    this.sessions.clear();
  }

  // ---------------------------------------------------------------- connection lifecycle

  private accept(socket: WebSocket, request: FastifyRequest): void {
    const query = (request.query ?? {}) as Record<string, unknown>;
    let predecessor: Session | undefined;
    if (query.reconnect_id !== undefined) {
      predecessor = this.sessions.get(String(query.reconnect_id));
      if (predecessor?.state !== 'reconnecting' || predecessor.successor) {
        socket.close(4007, CLOSE[4007].reason);
        return;
      }
    }
    const keepalive = predecessor?.keepaliveSeconds ?? requestedKeepalive(query.keepalive_timeout_seconds) ?? this.options.keepaliveSeconds;
    const url = `ws://${request.headers.host ?? 'localhost'}/ws`;
    const session = new Session(newSessionId(), socket, keepalive, rfc3339Nano(this.sim.clock.now()), url);
    this.sessions.set(session.id, session);

    // clients may only answer pings; any data frame ends the session
    socket.on('message', () => this.close(session, 4001));
    socket.on('pong', () => (session.awaitingPong = false));
    socket.on('close', () => this.end(session, 'websocket_disconnected'));
    socket.on('error', (err) => this.sim.log.debug({ err, session: session.id }, 'eventsub websocket error'));

    if (predecessor) this.takeOver(predecessor, session);
    this.send(session, 'session_welcome', { session: this.sessionPayload(session, null) });
    if (!session.everSubscribed) session.unusedTimer = setTimeout(() => this.close(session, 4003), this.options.unusedTimeoutSeconds * 1000);
    session.pingTimer = setInterval(() => this.ping(session), this.options.pingIntervalMs);
  }

  /** the client followed reconnect_url: its subscriptions move to the new session */
  private takeOver(old: Session, next: Session): void {
    old.successor = next;
    next.owner = old.owner;
    next.everSubscribed = old.everSubscribed;
    for (const rec of old.subscriptions) {
      const t = rec.transport as WebSocketTransportRecord;
      t.sessionId = next.id;
      t.connectedAt = next.connectedAt;
      next.subscriptions.add(rec);
    }
    old.subscriptions.clear();
    // the old socket stays open until the client closes it or the grace ends (4004), but is quiet
    clearTimeout(old.keepaliveTimer);
    clearInterval(old.pingTimer);
  }

  private close(session: Session, code: CloseCode): void {
    if (session.state === 'closed') return;
    this.end(session, CLOSE[code].status);
    session.socket.close(code, CLOSE[code].reason);
  }

  /** the session is gone: its subscriptions stop and show why */
  private end(session: Session, status: EventSubStatus): void {
    if (session.state === 'closed') return;
    session.state = 'closed';
    session.clearTimers();
    this.sessions.delete(session.id);
    const now = rfc3339Nano(this.sim.clock.now());
    for (const rec of session.subscriptions) {
      (rec.transport as WebSocketTransportRecord).disconnectedAt = now;
      this.store.setStatus(rec, status);
    }
    session.subscriptions.clear();
  }

  private ping(session: Session): void {
    if (session.awaitingPong) return this.close(session, 4002);
    session.awaitingPong = true;
    session.socket.ping();
  }

  // ---------------------------------------------------------------- messages

  private sessionOf(rec: SubscriptionRecord): Session | undefined {
    if (rec.transport.method !== 'websocket') return undefined;
    const s = this.sessions.get(rec.transport.sessionId);
    return s && s.state !== 'closed' ? s : undefined;
  }

  private sessionPayload(s: Session, reconnectUrl: string | null): WsSession {
    const reconnecting = reconnectUrl !== null;
    return {
      id: s.id,
      status: reconnecting ? 'reconnecting' : 'connected',
      connected_at: s.connectedAt,
      keepalive_timeout_seconds: reconnecting ? null : s.keepaliveSeconds,
      reconnect_url: reconnectUrl,
      recovery_url: null,
    };
  }

  private send(session: Session, type: WsMessageType, payload: object, rec?: SubscriptionRecord): void {
    const socket = session.socket;
    if (socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) return this.close(session, 4005);
    const metadata = {
      message_id: randomUUID(),
      message_type: type,
      message_timestamp: messageTimestamp(),
      ...(rec ? { subscription_type: rec.type, subscription_version: rec.version } : {}),
    };
    socket.send(JSON.stringify({ metadata, payload }), (err) => {
      if (err) this.close(session, 4006);
    });
    this.armKeepalive(session);
  }

  /** a keepalive goes out only when nothing else has within the window */
  private armKeepalive(session: Session): void {
    clearTimeout(session.keepaliveTimer);
    if (session.successor) return;
    session.keepaliveTimer = setTimeout(() => this.send(session, 'session_keepalive', {}), session.keepaliveSeconds * 1000);
  }

  private openSessionsOf(clientId: string, user: number): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.owner?.clientId === clientId && s.owner.user === user && !s.successor && s.state !== 'closed') n++;
    return n;
  }
}

export type { Session };
