// One client connection: line framing, the login handshake, capabilities, the client's commands
// (JOIN, PART, PRIVMSG, PING, …) and a batched output buffer with a hard size limit.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SimAuth } from '../../auth.js';
import type { World } from '../../world/world.js';
import type { Identities } from './identity.js';
import { login } from './login.js';
import { parseLine, type IrcMessage } from '../../../twitch/irc-message.js';
import * as render from './render.js';
import { Needs, type Line, type RoomName } from './render.js';
import type { Member, Room, Rooms } from './rooms.js';
import type { Transport } from './transport.js';

export const SUPPORTED_CAPS = ['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership'] as const;
const CAP_BIT: Record<string, number> = { 'twitch.tv/tags': 1, 'twitch.tv/commands': 2, 'twitch.tv/membership': 4 };
const TAGS = 1;
const COMMANDS = 2;
const MEMBERSHIP = 4;

/** a client line longer than this (Twitch allows 8 KiB of tags plus 512 bytes) ends the connection */
const MAX_LINE = 16 * 1024;
/** output is written at the end of each tick, or as soon as this much is queued */
const FLUSH_AT = 64 * 1024;

// twitch-protocol.md §5.6: JOINs per user (shared by its connections); an anonymous connection is its own user
const JOINS_PER_WINDOW = 20;
export const JOIN_WINDOW_MS = 10_000;
/**
 * The refusal of a JOIN beyond the concurrent-join limit. Twitch's exact reply is unconfirmed
 * (twitch-protocol.md §5.6); the simulator picks a NOTICE in Twitch's style so clients can tell it apart.
 */
const JOIN_LIMIT_MSG_ID = 'msg_join_limit_reached';
const MESSAGES_PER_WINDOW = 20;
const MESSAGES_PER_WINDOW_MOD = 100;
const MESSAGE_WINDOW_MS = 30_000;

/** what a connection needs from its server */
export interface ConnectionContext {
  readonly auth: SimAuth;
  readonly world: World;
  readonly ids: Identities;
  readonly rooms: Rooms;
  readonly log: Logger;
  /** a connection whose queued output plus unsent socket buffer exceeds this is dropped */
  readonly maxBufferBytes: number;
  /** asks for flush() at the end of the current tick */
  markDirty(connection: IrcConnection): void;
  closed(connection: IrcConnection): void;
  /** channels a logged-in user may be in at once (not counting where it is broadcaster or mod) */
  readonly concurrentJoinLimit: number;
  /** the JOIN window of a logged-in user, shared by its connections */
  joinWindow(user: number): SlidingWindow;
  /** a logged-in user's counted channels → how many of its connections are in each */
  countedChannels(user: number): Map<number, number>;
}

/** timestamps of recent actions, for "N per window" limits */
export class SlidingWindow {
  private times: number[] = [];
  constructor(private readonly windowMs: number) {}
  take(now: number, limit: number): boolean {
    while (this.times.length && this.times[0]! <= now - this.windowMs) this.times.shift();
    if (this.times.length >= limit) return false;
    this.times.push(now);
    return true;
  }
}

let nextId = 1;

export class IrcConnection implements Member {
  readonly id = nextId++;
  readonly openedAt = Date.now();
  /** last time the client sent anything (real time) */
  lastHeard = Date.now();
  /** when the server's unanswered PING went out, 0 when none is pending */
  pingSentAt = 0;
  nick = '';
  registered = false;
  /** the logged-in user's index, -1 for anonymous (justinfan) connections */
  user = -1;
  private scopes: string[] = [];
  private caps = 0;
  private pass: string | undefined;
  private inbuf = '';
  private out = '';
  private outLen = 0;
  /** true while waiting for the server's end-of-tick flush */
  queued = false;
  isClosed = false;
  private readonly joined = new Map<number, Room>();
  /** this connection's own window while anonymous; a logged-in user's is the server's */
  private readonly anonymousJoinWindow = new SlidingWindow(JOIN_WINDOW_MS);
  private readonly messageWindow = new SlidingWindow(MESSAGE_WINDOW_MS);

  constructor(
    readonly transport: Transport,
    private readonly ctx: ConnectionContext,
  ) {}

  get wantsMembership(): boolean {
    return (this.caps & MEMBERSHIP) !== 0;
  }

  get anonymous(): boolean {
    return this.user < 0;
  }

  // ---------------------------------------------------------------- input

  /** text from the transport: a chunk of the TCP stream, or one WebSocket frame of whole lines */
  receive(text: string): void {
    if (this.isClosed) return;
    this.lastHeard = Date.now();
    if (this.transport.kind === 'ws') {
      // a frame holds one or more complete lines; tmi.js sends them without a trailing CRLF
      for (const l of text.split('\n')) this.handleLine(l.endsWith('\r') ? l.slice(0, -1) : l);
      return;
    }
    this.inbuf += text;
    let start = 0;
    for (let nl = this.inbuf.indexOf('\n'); nl >= 0 && !this.isClosed; nl = this.inbuf.indexOf('\n', start)) {
      const end = nl > start && this.inbuf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.handleLine(this.inbuf.slice(start, end));
      start = nl + 1;
    }
    this.inbuf = this.inbuf.slice(start);
    if (this.inbuf.length > MAX_LINE) this.destroy('line too long');
  }

  private handleLine(raw: string): void {
    if (!raw || this.isClosed) return;
    if (raw.length > MAX_LINE) return this.destroy('line too long');
    const msg = parseLine(raw);
    if (!msg) return;
    switch (msg.command) {
      case 'CAP':
        return this.cap(msg);
      case 'PASS':
        if (!this.registered) this.pass = msg.params[0];
        return;
      case 'NICK':
        if (!this.registered && msg.params[0]) this.register(msg.params[0]);
        return;
      case 'USER':
        return; // Twitch ignores it
      case 'PING':
        return this.deliver(render.line('', `:${render.SERVER} PONG ${render.SERVER} :${msg.params.at(-1) ?? render.SERVER}`));
      case 'PONG':
        this.pingSentAt = 0;
        return;
      case 'QUIT':
        return this.end();
    }
    if (!this.registered) return;
    switch (msg.command) {
      case 'JOIN':
        return this.join(msg.params[0] ?? '');
      case 'PART':
        return this.part(msg.params[0] ?? '');
      case 'PRIVMSG':
        return this.privmsg(msg.params[0] ?? '', msg.params[1] ?? '');
      default:
        this.deliver(render.numeric('421', this.nick, `${msg.command} :Unknown command`));
    }
  }

  // ---------------------------------------------------------------- handshake

  private cap(msg: IrcMessage): void {
    const sub = (msg.params[0] ?? '').toUpperCase();
    const target = this.nick || '*';
    if (sub === 'LS') return this.deliver(render.line('', `:${render.SERVER} CAP * LS :${SUPPORTED_CAPS.join(' ')}`));
    if (sub === 'LIST') return this.deliver(render.line('', `:${render.SERVER} CAP ${target} LIST :${SUPPORTED_CAPS.filter((c) => this.caps & CAP_BIT[c]!).join(' ')}`));
    if (sub !== 'REQ') return; // END (and anything else) needs no answer
    // the reply echoes the request verbatim: clients match ACK/NAK to their REQ by its text
    const requested = msg.params.at(-1) ?? '';
    const wanted = requested.split(' ').filter(Boolean);
    // IRCv3: a request is granted or refused as a whole
    if (!wanted.length || !wanted.every((c) => CAP_BIT[c.replace(/^-/, '')] !== undefined)) {
      return this.deliver(render.line('', `:${render.SERVER} CAP * NAK :${requested}`));
    }
    const hadMembership = this.wantsMembership;
    for (const c of wanted) {
      if (c.startsWith('-')) this.caps &= ~CAP_BIT[c.slice(1)]!;
      else this.caps |= CAP_BIT[c]!;
    }
    if (hadMembership !== this.wantsMembership) for (const room of this.joined.values()) room.membershipMembers += this.wantsMembership ? 1 : -1;
    this.deliver(render.line('', `:${render.SERVER} CAP * ACK :${requested}`));
  }

  /** Twitch registers on NICK (tmi.js never sends CAP END), with the PASS sent before it */
  private register(nick: string): void {
    const result = login(this.ctx.auth, this.ctx.world, nick, this.pass);
    this.pass = undefined;
    if (!result.ok) {
      this.deliver(render.notice('*', result.reason, undefined, Needs.Nothing));
      return this.end();
    }
    this.nick = result.nick;
    this.registered = true;
    if (!result.anonymous) {
      this.user = result.user;
      this.scopes = result.scopes;
    }
    for (const l of render.welcome(this.nick)) this.deliver(l);
    // anonymous connections get no GLOBALUSERSTATE: they have no user
    if (!result.anonymous) this.deliver(render.globaluserstate(this.ctx.ids.user(this.user)));
    this.ctx.log.debug({ connection: this.id, nick: this.nick, transport: this.transport.kind }, 'irc login');
  }

  // ---------------------------------------------------------------- channels

  private join(param: string): void {
    for (const raw of param.split(',')) {
      const target = raw.trim().toLowerCase();
      if (!target) continue;
      // beyond the limit the JOIN is refused with a NOTICE (Twitch silently drops or locks out)
      const window = this.anonymous ? this.anonymousJoinWindow : this.ctx.joinWindow(this.user);
      if (!window.take(Date.now(), JOINS_PER_WINDOW)) {
        this.deliver(render.notice(target, 'Your JOIN was discarded because you are joining channels too quickly.', 'msg_ratelimit'));
        continue;
      }
      const name = target.startsWith('#') ? this.ctx.rooms.resolve(target.slice(1)) : undefined;
      if (!name) {
        this.deliver(render.notice(target, 'This channel does not exist or has been suspended.', 'msg_channel_suspended'));
        continue;
      }
      // a second JOIN of a room it is in is answered again but not counted again
      if (!this.joined.has(name.channel) && !this.anonymous && this.counts(name.channel)) {
        const counted = this.ctx.countedChannels(this.user);
        if (!counted.has(name.channel) && counted.size >= this.ctx.concurrentJoinLimit) {
          this.deliver(render.notice(name.name, `You cannot join more than ${this.ctx.concurrentJoinLimit} channels at once.`, JOIN_LIMIT_MSG_ID));
          continue;
        }
        counted.set(name.channel, (counted.get(name.channel) ?? 0) + 1);
      }
      this.enter(name);
    }
  }

  /** whether a channel counts towards the user's concurrent joins: not where it is broadcaster or moderator */
  private counts(channel: number): boolean {
    const role = this.ctx.ids.role(this.user, channel);
    return !role.broadcaster && !role.mod;
  }

  /** JOIN echo, NAMES (membership, small rooms), USERSTATE, full ROOMSTATE — Twitch's order */
  private enter(name: RoomName): void {
    const { rooms, ids, world } = this.ctx;
    const room = rooms.add(this, name);
    this.joined.set(name.channel, room);
    this.deliver(render.ownMembership(this.nick, name, 'JOIN'));
    if (this.wantsMembership && world.viewersNow(name.channel) < 1000) {
      const logins = world.audience(name.channel).map((u) => ids.user(u).login);
      logins.push(this.nick);
      for (const l of render.names(this.nick, name, logins)) this.deliver(l);
    }
    this.deliver(render.userstate(name, this.anonymous ? { nick: this.nick } : { user: ids.user(this.user), role: ids.role(this.user, name.channel) }));
    this.deliver(render.roomstate(name));
    // logged-in users appear in other clients' membership events; anonymous ones never do
    if (!this.anonymous && rooms.membershipAllowed(room)) rooms.broadcast(room, render.membership(ids.user(this.user), name, 'JOIN'), this);
  }

  private part(param: string): void {
    for (const raw of param.split(',')) {
      const target = raw.trim().toLowerCase();
      const channel = target.startsWith('#') ? this.ctx.world.userByLogin(target.slice(1)) : undefined;
      const room = channel === undefined ? undefined : this.joined.get(channel);
      if (!room) continue;
      this.leave(room);
      this.deliver(render.ownMembership(this.nick, room.name, 'PART'));
    }
  }

  private leave(room: Room): void {
    const { rooms, ids } = this.ctx;
    rooms.remove(this, room);
    this.joined.delete(room.name.channel);
    if (!this.anonymous && this.counts(room.name.channel)) {
      const counted = this.ctx.countedChannels(this.user);
      const n = (counted.get(room.name.channel) ?? 1) - 1;
      if (n > 0) counted.set(room.name.channel, n);
      else counted.delete(room.name.channel);
    }
    if (!this.anonymous && rooms.membershipAllowed(room)) rooms.broadcast(room, render.membership(ids.user(this.user), room.name, 'PART'), this);
  }

  // ---------------------------------------------------------------- chat

  /** A logged-in client's message goes to the other connections in the room (not into the world). */
  private privmsg(target: string, text: string): void {
    const { rooms, ids, world } = this.ctx;
    const channelName = target.toLowerCase();
    if (this.anonymous || !this.scopes.includes('chat:edit')) {
      return this.deliver(render.notice(channelName, 'You need to be logged in with the chat:edit scope to send messages.', 'no_permission'));
    }
    const name = channelName.startsWith('#') ? rooms.resolve(channelName.slice(1)) : undefined;
    if (!name) return this.deliver(render.notice(channelName, 'This channel does not exist or has been suspended.', 'msg_channel_suspended'));
    if (!text) return;
    const role = ids.role(this.user, name.channel);
    const limit = role.broadcaster || role.mod ? MESSAGES_PER_WINDOW_MOD : MESSAGES_PER_WINDOW;
    if (!this.messageWindow.take(Date.now(), limit)) {
      return this.deliver(render.notice(name.name, 'Your message was not sent because you are sending messages too quickly.', 'msg_ratelimit'));
    }
    const id = randomUUID();
    const room = rooms.get(name.channel);
    if (room) rooms.broadcast(room, render.clientPrivmsg(ids, name, this.user, id, text, world.now()), this);
    this.deliver(render.userstate(name, { user: ids.user(this.user), role }, id));
  }

  // ---------------------------------------------------------------- output

  /** queues a line, in the variant the client asked for, if it asked for what the line needs */
  deliver(line: Line): void {
    if (line.needs !== Needs.Nothing && !(this.caps & (line.needs === Needs.Commands ? COMMANDS : MEMBERSHIP))) return;
    this.enqueue(this.caps & TAGS ? line.tagged : line.plain);
  }

  private enqueue(text: string): void {
    if (this.isClosed) return;
    // V8 concatenates into a rope: appending is cheap, the string is flattened once on write
    this.out += text;
    this.outLen += text.length;
    if (!this.queued) {
      this.queued = true;
      this.ctx.markDirty(this);
    }
    if (this.outLen >= FLUSH_AT) this.flush();
  }

  /** writes the queued lines as one chunk (one WebSocket frame); drops a client that cannot keep up */
  flush(): void {
    if (this.isClosed || this.outLen === 0) return;
    if (this.transport.buffered() + this.outLen > this.ctx.maxBufferBytes) return this.destroy('slow reader');
    const data = this.out;
    this.out = '';
    this.outLen = 0;
    this.transport.write(data);
  }

  /** sends what is queued, then closes */
  end(): void {
    if (this.isClosed) return;
    this.flush();
    this.shutdown();
    this.transport.end();
  }

  /** closes at once, dropping what is queued */
  destroy(reason: string): void {
    if (this.isClosed) return;
    // a client the server gave up on is worth an info line; faults and shutdown are expected
    const level = reason === 'slow reader' || reason === 'ping timeout' ? 'info' : 'debug';
    this.ctx.log[level]({ connection: this.id, nick: this.nick, transport: this.transport.kind, reason }, 'irc connection dropped');
    this.shutdown();
    this.transport.destroy();
  }

  /** called by the transport when the socket is gone */
  onTransportClose(): void {
    this.shutdown();
  }

  private shutdown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.out = '';
    this.outLen = 0;
    for (const room of [...this.joined.values()]) this.leave(room);
    this.ctx.closed(this);
  }

  /** the server's keepalive: PING an idle client, drop one that does not answer */
  keepalive(now: number, pingIntervalMs: number, pongTimeoutMs: number): void {
    if (this.isClosed) return;
    if (!this.registered) {
      if (now - this.openedAt > pingIntervalMs + pongTimeoutMs) this.destroy('never logged in');
      return;
    }
    if (this.pingSentAt) {
      if (now - this.pingSentAt > pongTimeoutMs) this.destroy('ping timeout');
    } else if (now - this.lastHeard >= pingIntervalMs) {
      this.pingSentAt = now;
      this.deliver(render.PING);
    }
  }
}
