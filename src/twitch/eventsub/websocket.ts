// One EventSub WebSocket session (twitch-protocol.md §4): the welcome names the session the
// subscriptions are created on, silence longer than the keepalive window (× 1.2, as twurple
// waits) means a dead socket, and session_reconnect moves to the new URL before the old socket
// is closed, so no notification falls between the two. Lurk never sends data frames; ws answers
// Twitch's pings by itself.
import WebSocket from 'ws';
import type { Logger } from '../../core/logger.js';
import type { EventSubSubscription, WsMessage, WsSession } from '../eventsub.external.js';
import type { InboxMessage } from './inbox.js';
import { messageTime } from './verify.js';

/** Twitch waits this long after the welcome for a first subscription; a socket that never welcomes is given up on after it */
const WELCOME_TIMEOUT_MS = 10_000;
/** silence allowed beyond the keepalive window before the socket counts as dead */
const KEEPALIVE_SLACK = 1.2;

export interface EventSubSocketOptions {
  url: string;
  log: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** a notification or revocation read on this session */
  onMessage(message: InboxMessage): void;
  /** the session id changed after a reconnect (its subscriptions came along) */
  onSessionMoved(from: string, to: string): void;
  /** the session ended without Lurk closing it: its subscriptions are disabled (Twitch's rule) */
  onLost(sessionId: string, reason: string): void;
  now?: () => number;
}

export class EventSubSocket {
  private socket?: WebSocket;
  private session?: string;
  private watchdog?: NodeJS.Timeout;
  private keepaliveMs = 10_000;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly o: EventSubSocketOptions) {
    this.now = o.now ?? Date.now;
  }

  /** the current session's id, once welcomed */
  get sessionId(): string | undefined {
    return this.session;
  }

  /** opens the socket; resolves with the session id once welcomed */
  async connect(): Promise<string> {
    const { socket, session } = await this.open(this.o.url);
    this.adopt(socket, session);
    return session.id;
  }

  /** closes the socket on Lurk's own account (onLost is not called) */
  close(): void {
    this.closed = true;
    clearTimeout(this.watchdog);
    this.socket?.close(1000);
    this.socket = undefined;
  }

  /** a socket welcomed at `url`, or why not */
  private open(url: string): Promise<{ socket: WebSocket; session: WsSession }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: WELCOME_TIMEOUT_MS });
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.removeAllListeners('message');
        // whatever the dying socket still reports is beside the point now (and must not go unheard)
        socket.on('error', () => {});
        socket.terminate();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`no session_welcome from ${url} within ${WELCOME_TIMEOUT_MS} ms`)), WELCOME_TIMEOUT_MS);
      socket.once('error', fail);
      socket.once('close', (code) => fail(new Error(`the EventSub socket closed before its welcome (${code})`)));
      socket.once('message', (data) => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        const message = parse(data);
        if (message?.metadata.message_type !== 'session_welcome') return fail(new Error('the first EventSub message was not session_welcome'));
        resolve({ socket, session: (message.payload as { session: WsSession }).session });
      });
    });
  }

  /** makes `socket` the live one: its messages are read, its silence watched, its end reported */
  private adopt(socket: WebSocket, session: WsSession): void {
    this.socket = socket;
    this.session = session.id;
    this.keepaliveMs = (session.keepalive_timeout_seconds ?? 10) * 1000;
    this.arm();
    socket.on('message', (data) => {
      if (socket === this.socket) this.arm();
      this.read(socket, parse(data));
    });
    socket.on('error', (err) => this.o.log.debug({ err: err.message, session: session.id }, 'eventsub socket error'));
    socket.on('close', (code) => {
      // the old socket after a reconnect, or one Lurk closed: expected
      if (socket !== this.socket || this.closed) return;
      this.lost(`closed by Twitch with ${code}`);
    });
  }

  private read(socket: WebSocket, message: WsMessage | undefined): void {
    if (!message) return this.o.log.debug({ session: this.session }, 'eventsub socket sent something that is not an EventSub message');
    const { metadata, payload } = message;
    switch (metadata.message_type) {
      case 'notification':
      case 'revocation': {
        const subscription = (payload as { subscription?: EventSubSubscription }).subscription;
        if (!subscription) return;
        this.o.onMessage({
          messageId: metadata.message_id,
          kind: metadata.message_type,
          transport: 'websocket',
          subscriptionId: subscription.id,
          subscriptionType: subscription.type,
          subscriptionVersion: subscription.version,
          sentAt: messageTime(metadata.message_timestamp),
          receivedAt: this.now(),
          body: JSON.stringify(payload),
        });
        return;
      }
      case 'session_reconnect': {
        const url = (payload as { session: WsSession }).session.reconnect_url;
        if (url && socket === this.socket) void this.reconnect(url);
        return;
      }
      default:
        // keepalives only reset the watchdog; a late welcome means nothing
        return;
    }
  }

  /** session_reconnect: the new socket is welcomed before the old one is closed */
  private async reconnect(url: string): Promise<void> {
    const old = this.socket;
    const from = this.session!;
    try {
      const { socket, session } = await this.open(url);
      if (this.closed) return socket.close(1000);
      this.adopt(socket, session);
      old?.close(1000);
      this.o.log.info({ from, to: session.id }, 'eventsub session moved after session_reconnect');
      this.o.onSessionMoved(from, session.id);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'eventsub reconnect failed; starting a new session');
      this.lost('reconnect failed');
    }
  }

  private arm(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.lost(`no message for ${(this.keepaliveMs * KEEPALIVE_SLACK) / 1000} s (keepalive missed)`), this.keepaliveMs * KEEPALIVE_SLACK);
  }

  private lost(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.watchdog);
    const session = this.session ?? '';
    this.socket?.terminate();
    this.socket = undefined;
    this.o.onLost(session, reason);
  }
}

function parse(data: WebSocket.RawData): WsMessage | undefined {
  try {
    const message = JSON.parse(data.toString()) as WsMessage;
    return typeof message?.metadata?.message_type === 'string' && typeof message.metadata.message_id === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
