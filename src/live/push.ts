// The event socket hub (GET /api/live/socket): sockets grouped by channel; each push is
// serialised once and sent to every socket watching that channel. publish() takes plain JSON
// values, so a bus between web processes (Redis) can later hand each process the same pushes.
import { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { rateLimiter } from '../web/rate-limit.js';
import type { LiveSocketSource } from './parts.js';
import type { LivePush } from './types.js';

export const LIVE_SOCKET_PATH = '/api/live/socket';

/** above this many unsent bytes a client's chat frames are skipped (the next chat push carries newer lines) */
export const SKIP_CHAT_ABOVE = 1024 * 1024;
/** a client that would hold more unsent bytes than this is terminated: events, reads and replays are never skipped */
export const MAX_BUFFERED = 8 * 1024 * 1024;
/** a client message longer than this is not a ping: the socket is closed (1008) */
export const MAX_CLIENT_MESSAGE = 1024;
export const PING_INTERVAL_MS = 30_000;
/** how long close() waits for clients to answer the close frame before terminating them */
const CLOSE_GRACE_MS = 500;

export interface LiveHubOptions {
  maxClients: number;
  log: Logger;
  metrics: Metrics;
  /** socket upgrades per minute per client address, as the API's limit (0 or absent: off) */
  rateLimitPerMinute?: number;
  /** protocol pings this often; a socket with no pong by the next one is terminated */
  pingIntervalMs?: number;
}

export interface LiveHubStats {
  clients: number;
  channels: number;
  /** chat frames not sent to a client that was behind, since start */
  skippedChat: number;
  /** clients terminated for holding too much or not answering pings, since start */
  terminated: number;
}

interface Client {
  socket: WebSocket;
  channel: string;
  /** asked for the channel's chat (`?chat=1`: the stream page in simulator mode, where no Twitch chat embed exists) */
  chat: boolean;
  /** a pong (or any message) arrived since the last ping */
  alive: boolean;
  /** pushes that arrived while the hello was being built, sent right after it; undefined once greeted */
  early: Buffer[] | undefined;
  /** the TCP socket, when frames can be written to it directly (no extension negotiated) */
  tcp: Socket | undefined;
}

const CLIENT = Symbol('live client');
type TaggedSocket = WebSocket & { [CLIENT]: Client };

function onPong(this: WebSocket): void {
  (this as TaggedSocket)[CLIENT].alive = true;
}

function onSocketError(this: WebSocket): void {
  this.terminate();
}

const PONG = Buffer.from(JSON.stringify({ type: 'pong' } satisfies LivePush));
const TEXT = { binary: false } as const;

export class LiveHub {
  private readonly channels = new Map<string, Set<Client>>();
  /** sockets per channel that asked for chat: chat pushes to a channel nobody reads chat of cost nothing */
  private readonly chatClients = new Map<string, number>();
  private readonly authorized = new WeakMap<FastifyRequest, string>();
  private count = 0;
  private skippedChat = 0;
  private terminated = 0;
  private pinger: NodeJS.Timeout | undefined;
  private closing = false;

  // one listener of each kind for every socket (the client is found on the socket): nothing per client but the Client
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: WebSocket) => void;

  constructor(readonly options: LiveHubOptions) {
    const hub = this;
    this.onMessage = function (data, isBinary) {
      hub.message((this as TaggedSocket)[CLIENT], data, isBinary);
    };
    this.onClose = function () {
      hub.remove((this as TaggedSocket)[CLIENT]);
    };
  }

  /** registers the socket route; sockets are authorised and greeted through `source` */
  async register(web: FastifyInstance, source: LiveSocketSource): Promise<void> {
    const limit = rateLimiter(this.options.rateLimitPerMinute ?? 0);
    // Fastify's own close ends every socket as a plain 1005: going first says why (1001)
    web.addHook('preClose', () => this.close());
    web.get(
      LIVE_SOCKET_PATH,
      {
        websocket: true,
        onRequest: limit,
        // runs before the upgrade: a refusal is an HTTP answer and the socket is never kept
        preHandler: async (request, reply) => {
          try {
            this.authorized.set(request, await source.authorize(request));
          } catch (err) {
            dropAfterAnswer(request, reply);
            throw err;
          }
        },
        schema: {
          tags: ['live'],
          summary:
            "WebSocket: a channel's live pushes. ?channel=<login> (a favourite, with a session) or ?overlay=<key>. First {type:'hello'}, then {type:'event'|'read'|'replay'|'chat'|'availability'}; send {\"type\":\"ping\"} for {type:'pong'}",
          querystring: {
            type: 'object',
            properties: {
              channel: { type: 'string', maxLength: 64 },
              overlay: { type: 'string', maxLength: 256 },
              chat: { type: 'string', enum: ['0', '1'], description: "1: also push the channel's chat lines ({type:'chat'})" },
            },
          },
        },
      },
      (socket, request) => {
        const channel = this.authorized.get(request);
        this.authorized.delete(request);
        if (channel === undefined) return socket.close(1011, 'not authorised');
        this.add(socket, channel, source, request, (request.query as { chat?: string }).chat === '1');
      },
    );
  }

  /** sends `push` to every socket watching `channel` (a login) */
  publish(channel: string, push: LivePush): void {
    const clients = this.channels.get(channel);
    if (clients === undefined) return;
    const data = Buffer.from(JSON.stringify(push));
    const frame = textFrame(data);
    const skippable = push.type === 'chat';
    if (skippable && (this.chatClients.get(channel) ?? 0) === 0) return;
    for (const c of clients) {
      if (skippable && !c.chat) continue;
      if (c.early !== undefined) {
        c.early.push(data);
        continue;
      }
      const buffered = c.socket.bufferedAmount;
      if (buffered + data.length > MAX_BUFFERED) {
        this.terminate(c, `it would hold more than ${MAX_BUFFERED} bytes unsent: the client does not read`);
        continue;
      }
      if (skippable && buffered > SKIP_CHAT_ABOVE) {
        this.skippedChat++;
        continue;
      }
      // the frame built once, written as is: ws would build a header and make two writes per client
      if (c.tcp !== undefined && c.socket.readyState === OPEN) c.tcp.write(frame);
      else c.socket.send(data, TEXT);
    }
  }

  get size(): number {
    return this.count;
  }

  stats(): LiveHubStats {
    return { clients: this.count, channels: this.channels.size, skippedChat: this.skippedChat, terminated: this.terminated };
  }

  /** closes every socket (1001); one that has not finished closing shortly after is terminated */
  async close(): Promise<void> {
    this.closing = true;
    const sockets = this.closeSockets();
    const open = sockets.filter((s) => s.readyState !== s.CLOSED);
    if (open.length === 0) return;
    await new Promise<void>((resolve) => {
      let left = open.length;
      const timer = setTimeout(resolve, CLOSE_GRACE_MS);
      for (const s of open) {
        s.once('close', () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
    // a client that does not read would hold its socket (and the process) for ws's 30 s close timeout
    for (const s of open) if (s.readyState !== s.CLOSED) s.terminate();
  }

  private closeSockets(): WebSocket[] {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = undefined;
    const sockets: WebSocket[] = [];
    for (const clients of this.channels.values()) for (const c of clients) sockets.push(c.socket);
    this.channels.clear();
    this.chatClients.clear();
    this.setCount(0);
    for (const s of sockets) s.close(1001, 'Lurk is stopping');
    return sockets;
  }

  private add(socket: WebSocket, channel: string, source: LiveSocketSource, request: FastifyRequest, chat: boolean): void {
    if (this.closing) return socket.close(1001, 'Lurk is stopping');
    if (this.count >= this.options.maxClients) return socket.close(1013, `more than ${this.options.maxClients} live sockets: try again later`);
    const client: Client = { socket, channel, chat, alive: true, early: [], tcp: directSocket(socket) };
    if (chat) this.chatClients.set(channel, (this.chatClients.get(channel) ?? 0) + 1);
    let clients = this.channels.get(channel);
    if (clients === undefined) this.channels.set(channel, (clients = new Set()));
    clients.add(client);
    this.setCount(this.count + 1);
    this.startPinging();
    (socket as TaggedSocket)[CLIENT] = client;
    // @fastify/websocket's error listener closes over the request and reply, holding both for the
    // socket's life (several KB a client): a socket error means the socket is gone anyway
    socket.removeAllListeners('error');
    socket.on('error', onSocketError);
    // and the response it made for the handshake stays attached to the TCP socket, with its request
    const tcp = (socket as unknown as { _socket?: { _httpMessage?: { detachSocket(s: unknown): void } | null } })._socket;
    if (tcp?._httpMessage) tcp._httpMessage.detachSocket(tcp);
    socket.on('message', this.onMessage);
    socket.on('pong', onPong);
    socket.once('close', this.onClose);
    // the request once more, for what authorize() learnt of it (an overlay's owner and clear view)
    source.hello(channel, request).then(
      (hello) => this.greet(client, hello),
      (err: unknown) => {
        this.options.log.warn({ err, channel }, 'live socket: the hello failed');
        socket.close(1011, 'the channel could not be read');
      },
    );
  }

  private greet(client: Client, hello: LivePush): void {
    const early = client.early ?? [];
    client.early = undefined;
    if (client.socket.readyState !== client.socket.OPEN) return;
    client.socket.send(JSON.stringify(hello));
    for (const data of early) client.socket.send(data, TEXT);
  }

  private message(client: Client, data: RawData, isBinary: boolean): void {
    client.alive = true;
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (isBinary || bytes > MAX_CLIENT_MESSAGE) return client.socket.close(1008, `only JSON text of at most ${MAX_CLIENT_MESSAGE} bytes`);
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return client.socket.close(1008, 'not JSON');
    }
    // the only message a client sends is a ping, to check the connection
    if ((message as { type?: unknown } | null)?.type === 'ping' && client.socket.readyState === client.socket.OPEN) client.socket.send(PONG, TEXT);
  }

  private remove(client: Client): void {
    const clients = this.channels.get(client.channel);
    if (clients === undefined || !clients.delete(client)) return;
    if (clients.size === 0) this.channels.delete(client.channel);
    if (client.chat) {
      const n = (this.chatClients.get(client.channel) ?? 1) - 1;
      if (n > 0) this.chatClients.set(client.channel, n);
      else this.chatClients.delete(client.channel);
    }
    this.setCount(this.count - 1);
  }

  private terminate(client: Client, reason: string): void {
    this.terminated++;
    this.options.log.warn({ channel: client.channel, buffered: client.socket.bufferedAmount }, `live socket terminated: ${reason}`);
    this.remove(client);
    client.socket.terminate();
  }

  private setCount(n: number): void {
    this.count = n;
    this.options.metrics.liveSocketClients.set(n);
  }

  private startPinging(): void {
    if (this.pinger) return;
    this.pinger = setInterval(() => this.ping(), this.options.pingIntervalMs ?? PING_INTERVAL_MS);
    this.pinger.unref();
  }

  private ping(): void {
    if (this.count === 0) {
      clearInterval(this.pinger);
      this.pinger = undefined;
      return;
    }
    for (const clients of this.channels.values()) {
      for (const c of [...clients]) {
        if (!c.alive) {
          this.terminate(c, 'no pong since the last ping');
          continue;
        }
        c.alive = false;
        c.socket.ping();
      }
    }
  }
}

const OPEN = 1;

/**
 * The TCP socket under a server-side ws socket, to write whole frames to: only without an
 * extension (permessage-deflate would compress frames in a queue of ws's own, and order matters).
 * ws keeps it in `_socket`; undefined if a later ws does not, and sends go through ws again.
 */
function directSocket(socket: WebSocket): Socket | undefined {
  if (socket.extensions !== '') return undefined;
  const tcp = (socket as unknown as { _socket?: unknown })._socket;
  return tcp instanceof Socket ? tcp : undefined;
}

/** one unmasked, final text frame (RFC 6455 5.2) around `data` */
export function textFrame(data: Buffer): Buffer {
  const n = data.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  data.copy(frame, head);
  return frame;
}

/**
 * A refused handshake's socket has left Node's HTTP server: nothing else would close it once the
 * answer is written (see the origin guard, src/web/origin.ts).
 */
function dropAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  const socket = request.raw.socket;
  reply.raw.once('finish', () => socket.destroy());
}
