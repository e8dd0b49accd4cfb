// The TMI server: listens on TCP and WebSocket, renders the world's chat, events and membership
// into the rooms clients joined, flushes output once per tick, and injects the IRC faults.
import type { Logger } from 'pino';
import type { Simulator } from '../../simulator.js';
import type { ChatMessage, WorldEvent } from '../../world/types.js';
import { IrcConnection, SlidingWindow, JOIN_WINDOW_MS, type ConnectionContext } from './connection.js';
import { Identities } from './identity.js';
import { Moderation } from './moderation.js';
import * as render from './render.js';
import type { Line, RoomName } from './render.js';
import { Rooms, type Room } from './rooms.js';
import { listenTcp, listenWs, type Listener, type Transport } from './transport.js';

export interface IrcOptions {
  /** TCP port (twurple only connects to 6667 without TLS); 0 = any free port; null = none */
  port: number | null;
  /** WebSocket port; 0 = any free port; null = none */
  wsPort: number | null;
  /** default 127.0.0.1, which also listens on ::1 when the machine has it (twurple dials `localhost`) */
  host?: string;
  /** a connection the client has not sent anything on for this long gets `PING :tmi.twitch.tv` (real ms) */
  pingIntervalMs?: number;
  /** …and is dropped if no PONG follows within this */
  pongTimeoutMs?: number;
  /** queued plus unsent output above which a slow reader is disconnected */
  maxBufferBytes?: number;
  /** how long after RECONNECT the server closes the connections (real ms) */
  reconnectGraceMs?: number;
  /**
   * Channels a logged-in user may be in at once, across its connections, not counting those where
   * it is broadcaster or moderator (Twitch's 2024 rule, twitch-protocol.md §5.6); default 100
   */
  concurrentJoinLimit?: number;
}

const HOUSEKEEPING_MS = 250;
const DROP_ROLL_MS = 1000;

export interface IrcStats {
  connections: number;
  /** room lines fanned out since start (one per line per member, before capability filtering) */
  linesFannedOut: number;
}

export class IrcServer implements ConnectionContext {
  readonly ids: Identities;
  readonly rooms: Rooms;
  readonly log: Logger;
  readonly maxBufferBytes: number;
  private readonly connections = new Set<IrcConnection>();
  private readonly moderation = new Moderation();
  private readonly giftOrigins = new Map<number, { originId: string; remaining: number }>();
  private dirty: IrcConnection[] = [];
  private flushScheduled = false;
  private listeners: Listener[] = [];
  private unsubscribe: (() => void)[] = [];
  private housekeeping?: NodeJS.Timeout;
  private lastDropRoll = Date.now();
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly reconnectGraceMs: number;
  private linesFannedOut = 0;
  readonly concurrentJoinLimit: number;
  /** a logged-in user's JOINs, shared by its connections as Twitch counts them */
  private readonly userJoinWindows = new Map<number, SlidingWindow>();
  /** a logged-in user's counted channels (not broadcaster, not mod) → how many of its connections are in each */
  private readonly userChannels = new Map<number, Map<number, number>>();

  constructor(
    private readonly sim: Simulator,
    private readonly options: IrcOptions,
  ) {
    this.ids = new Identities(sim.world);
    this.rooms = new Rooms(sim.world);
    this.log = sim.log.child({ component: 'irc' });
    this.maxBufferBytes = options.maxBufferBytes ?? 16 * 1024 * 1024;
    this.pingIntervalMs = options.pingIntervalMs ?? 60_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
    this.reconnectGraceMs = options.reconnectGraceMs ?? 500;
    this.concurrentJoinLimit = options.concurrentJoinLimit ?? 100;
  }

  get auth() {
    return this.sim.auth;
  }
  get world() {
    return this.sim.world;
  }

  async start(): Promise<{ ircPort: number | null; ircWsPort: number | null }> {
    const accept = (transport: Transport) => {
      const connection = new IrcConnection(transport, this);
      this.connections.add(connection);
      return { data: (text: string) => connection.receive(text), close: () => connection.onTransportClose() };
    };
    try {
      if (this.options.port !== null) this.listeners.push(await listenTcp(this.options.port, this.options.host, accept));
      const tcpPort = this.options.port !== null ? this.listeners[0]!.port : null;
      if (this.options.wsPort !== null) this.listeners.push(await listenWs(this.options.wsPort, this.options.host, accept));
      const wsPort = this.options.wsPort !== null ? this.listeners.at(-1)!.port : null;
      this.subscribe();
      this.housekeeping = setInterval(() => this.tick(), HOUSEKEEPING_MS);
      this.housekeeping.unref();
      this.log.info({ ircPort: tcpPort, ircWsPort: wsPort }, 'irc listening');
      return { ircPort: tcpPort, ircWsPort: wsPort };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.housekeeping) clearInterval(this.housekeeping);
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    for (const c of [...this.connections]) c.destroy('server stopping');
    await Promise.all(this.listeners.map((l) => l.close()));
    this.listeners = [];
    this.moderation.clear();
  }

  stats(): IrcStats {
    return { connections: this.connections.size, linesFannedOut: this.linesFannedOut };
  }

  // ---------------------------------------------------------------- ConnectionContext

  markDirty(connection: IrcConnection): void {
    this.dirty.push(connection);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // everything a world step (or a sim.advance) produced goes out in one write per socket
    setImmediate(() => this.flushAll());
  }

  closed(connection: IrcConnection): void {
    this.connections.delete(connection);
  }

  joinWindow(user: number): SlidingWindow {
    let w = this.userJoinWindows.get(user);
    if (!w) this.userJoinWindows.set(user, (w = new SlidingWindow(JOIN_WINDOW_MS)));
    return w;
  }

  countedChannels(user: number): Map<number, number> {
    let m = this.userChannels.get(user);
    if (!m) this.userChannels.set(user, (m = new Map()));
    return m;
  }

  private flushAll(): void {
    this.flushScheduled = false;
    const batch = this.dirty;
    this.dirty = [];
    for (const c of batch) {
      c.queued = false;
      c.flush();
    }
  }

  // ---------------------------------------------------------------- the world

  private subscribe(): void {
    const w = this.sim.world;
    this.unsubscribe.push(
      w.onChat((m) => this.chat(m)),
      w.onEvent((e) => this.event(e)),
      w.onMembership((m) => this.membership(m.channel, m.user, m.kind)),
      w.onStep((t) => this.step(t)),
    );
  }

  /** the hot path: one line per message, shared by every connection in the room */
  chat(m: ChatMessage): void {
    const room = this.rooms.get(m.channel);
    if (!room) return;
    this.broadcast(room, render.privmsg(this.ids, room.name, m));
    this.moderation.consider(m);
  }

  private broadcast(room: Room, line: Line): void {
    this.linesFannedOut += room.members.size;
    this.rooms.malformedRate = this.sim.faults.ircMalformedRate;
    this.rooms.broadcast(room, line);
  }

  private event(e: WorldEvent): void {
    const { ids } = this;
    switch (e.type) {
      case 'channel.subscribe':
        if (e.isGift) return this.subGift(e);
        return this.toRoom(e.channel, (room) => render.subNotice(ids, room, e));
      case 'channel.subscription.message':
        return this.toRoom(e.channel, (room) => render.subNotice(ids, room, e));
      case 'channel.subscription.gift': {
        const originId = originIdOf(e);
        this.giftOrigins.set(e.channel, { originId, remaining: e.total ?? 1 });
        return this.toRoom(e.channel, (room) => render.mysteryGiftNotice(ids, room, e, originId));
      }
      case 'channel.raid':
        // the raid shows in the raided channel's chat
        if (e.toChannel !== undefined) this.toRoom(e.toChannel, (room) => render.raidNotice(ids, room, e));
        return;
      default:
        // follows, cheers (their PRIVMSG comes through onChat), stream and channel changes: not on IRC
        return;
    }
  }

  /** a gifted sub: one of the recipients of the channel's last gift bomb, sharing its origin id */
  private subGift(e: WorldEvent): void {
    const bomb = this.giftOrigins.get(e.channel);
    const partOfBomb = !!bomb && bomb.remaining > 0;
    if (bomb && --bomb.remaining <= 0) this.giftOrigins.delete(e.channel);
    const originId = partOfBomb ? bomb.originId : originIdOf(e);
    this.toRoom(e.channel, (room) => render.subGiftNotice(this.ids, room, e, originId, partOfBomb));
  }

  /** builds the line only when someone is in the room */
  private toRoom(channel: number, build: (room: RoomName) => Line): void {
    const room = this.rooms.get(channel);
    if (room) this.broadcast(room, build(room.name));
  }

  private membership(channel: number, user: number, kind: 'join' | 'part'): void {
    const room = this.rooms.get(channel);
    if (!room || !this.rooms.membershipAllowed(room)) return;
    this.broadcast(room, render.membership(this.ids.user(user), room.name, kind === 'join' ? 'JOIN' : 'PART'));
  }

  private step(t: number): void {
    for (const action of this.moderation.due(t)) {
      const room = this.rooms.get(action.message.channel);
      if (!room) continue;
      const line =
        action.kind === 'delete'
          ? render.clearmsg(room.name, this.ids.user(action.message.user).login, action.message, action.at)
          : render.clearchat(room.name, this.ids.user(action.message.user), action.at, action.seconds);
      this.broadcast(room, line);
    }
    // checked on every world step too, so a stepped simulator (speed 0) reacts inside sim.advance()
    if (this.sim.faults.ircReconnect) this.reconnectAll();
  }

  // ---------------------------------------------------------------- faults and keepalive

  private tick(): void {
    const now = Date.now();
    if (this.sim.faults.ircReconnect) this.reconnectAll();
    const dropRate = this.sim.faults.ircDropRate;
    const rollDrops = now - this.lastDropRoll >= DROP_ROLL_MS;
    if (rollDrops) this.lastDropRoll = now;
    for (const c of [...this.connections]) {
      if (rollDrops && dropRate > 0 && Math.random() < dropRate) {
        c.destroy('ircDropRate fault');
        continue;
      }
      c.keepalive(now, this.pingIntervalMs, this.pongTimeoutMs);
    }
  }

  /** RECONNECT to everyone, then close their connections a moment later, as Twitch does before a restart */
  private reconnectAll(): void {
    this.sim.faults.ircReconnect = false;
    const targets = [...this.connections];
    this.log.info({ connections: targets.length }, 'irc RECONNECT fault');
    for (const c of targets) {
      c.deliver(render.RECONNECT);
      c.flush();
    }
    setTimeout(() => {
      for (const c of targets) c.end();
    }, this.reconnectGraceMs).unref();
  }
}

/** Twitch's origin ids are opaque strings; derive one from the world event's id */
function originIdOf(e: WorldEvent): string {
  return e.id.replace(/-/g, '').slice(0, 20);
}
