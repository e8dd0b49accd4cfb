// Lurk's side of Twitch chat (README, "Chat pool"): capabilities say which channels they want
// read (`want`/`release`) and where the bot speaks (`speakIn`); the pool joins the union over
// several connections and publishes what it reads on the bus, in batches per topic.
//
// Reading is done by anonymous `justinfan<digits>` connections (no token), at most
// `channelsPerConnection` channels each. The bot account's one connection only sends: it joins
// the channels it speaks in and publishes nothing, so no line is read twice.
//
// Every justinfan nick counts as an account of its own for the JOIN limit (20 per 10 s): a new
// reading connection, or a reconnected one (which takes a fresh nick, as twurple does), ramps on
// its own limiter; the bot's limiter is one for the account, whichever connection joins. What a
// channel costs in memory is one small entry; timers are per connection and per pool, never per channel.
import type { Bus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import type { TwitchEndpoints } from '../endpoints.js';
import { escapeTag } from '../irc-message.js';
import type { ChatChannelEvent, ChatClear, ChatMembership, ChatMessage, ChatNotice } from './events.js';
import { JoinLimiter } from './limiter.js';
import { IrcLink } from './link.js';
import { parseChatLine } from './parser.js';
import type { ChannelState, ChatChannelInfo, ChatPoolStats } from './types.js';

/** a chat login and a way to get its token (each connection logs in anew) */
export interface ChatAccount {
  login: string;
  token(): string;
}

export interface ChatPoolOptions {
  bus: Bus;
  clock: Clock;
  log: Logger;
  metrics?: Metrics;
  /** channels per reading connection (LURK_CHAT_CHANNELS_PER_CONNECTION) */
  channelsPerConnection?: number;
  /** silence after which the pool sends its own `PING :<token>` */
  pingAfterMs?: number;
  /** a PING not answered within this marks the socket dead */
  pongTimeoutMs?: number;
  /** a JOIN not confirmed (own JOIN echo + ROOMSTATE) within this is sent again… */
  joinTimeoutMs?: number;
  /** …at most this many times, then the channel fails */
  joinRetries?: number;
  /** …and tried again after this long (a ban or suspension is never retried; this may have been a passing fault) */
  joinRetryAfterMs?: number;
  /** JOINs per window per account (Twitch: 20 per 10 s) */
  joinsPerWindow?: number;
  joinWindowMs?: number;
  /** channels the bot may be in at once, not counting where it is broadcaster or moderator (Twitch: 100) */
  concurrentJoinLimit?: number;
  /** reconnect backoff: first wait and longest wait (jittered, doubling) */
  backoffMs?: { min: number; max: number };
}

/** NOTICEs after which a channel is not tried again (twitch-protocol.md §5.4; Twitch's msg-id list) */
const PERMANENT = new Set(['msg_channel_suspended', 'msg_banned', 'msg_channel_blocked', 'tos_ban', 'msg_suspended', 'invalid_user']);
/** the simulator's refusal of a JOIN past the concurrent-join limit (Twitch's own reply is unconfirmed) */
const JOIN_LIMIT_NOTICES = new Set(['msg_join_limit_reached']);
const JOIN_LIMIT = 'concurrent join limit';
const NOT_CONFIRMED = 'join not confirmed';
/** batches are published after the current I/O turn, or at once when this big */
const BATCH_MAX = 1000;
/** malformed lines logged per minute, at most */
const MALFORMED_SAMPLES = 3;
/** the chat lines of the bot's rooms, which it does not read: tags, source, then the command */
const BOT_SKIPS = /^(?:@\S* )?:\S+ (?:PRIVMSG|USERNOTICE|CLEARCHAT|CLEARMSG) #/;
/** channels of one JOIN line, in characters (IRC lines are at most 512 bytes with CR LF) */
const JOIN_LINE_MAX = 480;
/** message ids remembered at most during a RECONNECT overlap (a few seconds of the pool's rate) */
const MAX_SEEN = 200_000;
/** message ids stay remembered this long after a RECONNECT's overlap ended */
const DEDUP_TAIL_MS = 10_000;

interface Entry {
  login: string;
  role: 'read' | 'speak';
  owners: Set<string>;
  state: ChannelState;
  reason?: string;
  conn?: Conn;
  /** when the JOIN went out, 0 while queued */
  sentAt: number;
  /** the own JOIN echo arrived on `conn` */
  echo: boolean;
  attempts: number;
  /** moved to a RECONNECT replacement and not confirmed there yet: the old connection still reads it */
  moving: boolean;
  /** a channel failed for an unconfirmed JOIN is tried again after this (ms epoch) */
  retryAt?: number;
  /** the bot is broadcaster or moderator there (USERSTATE), so it does not count towards the concurrent-join limit */
  exempt: boolean;
  minuteStart: number;
  minuteLines: number;
  lastMinuteLines: number;
  lastLineAt: number;
}

type ConnStatus = 'connecting' | 'ready' | 'backoff' | 'draining' | 'closed';

interface Conn {
  name: string;
  kind: 'reader' | 'bot';
  nick: string;
  link?: IrcLink;
  status: ConnStatus;
  channels: Set<Entry>;
  toJoin: Entry[];
  joining: Set<Entry>;
  /** NAMES (353) collected per channel until 366 */
  names: Map<string, string[]>;
  limiter: JoinLimiter;
  pumpTimer?: NodeJS.Timeout;
  retryTimer?: NodeJS.Timeout;
  attempt: number;
  lastHeard: number;
  pingToken: string;
  pingSentAt: number;
}

export class ChatPool {
  private readonly read = new Map<string, Entry>();
  private readonly speak = new Map<string, Entry>();
  private readonly conns = new Set<Conn>();
  private readonly o: Required<Omit<ChatPoolOptions, 'metrics'>> & { metrics?: Metrics };
  private readonly log: Logger;
  private endpoints?: TwitchEndpoints;
  private accountFor?: () => ChatAccount | undefined;
  private account?: ChatAccount | null;
  private bot?: Conn;
  private readonly botLimiter: JoinLimiter;
  private tick?: NodeJS.Timeout;
  private closed = false;
  private seq = 0;
  // batches waiting for the next flush
  private messages: ChatMessage[] = [];
  private notices: ChatNotice[] = [];
  private clears: ChatClear[] = [];
  private members: ChatMembership[] = [];
  private flushQueued = false;
  // RECONNECT overlap: ids seen while two connections read the same channels
  private moving = 0;
  private dedupUntil = 0;
  private readonly seen = new Set<string>();
  /** channels failed for an unconfirmed JOIN, waiting for their retryAt (housekeeping looks only at these) */
  private readonly unconfirmed = new Set<Entry>();
  // counters
  private lines = 0;
  private malformed = 0;
  private reconnects = 0;
  private drops = 0;
  private joinRateLimited = 0;
  private malformedMinute = 0;
  private malformedSampled = 0;
  private rate = { at: 0, lines: 0, perSecond: 0 };
  private readonly reported = { lines: 0, malformed: 0, reconnects: 0, drops: 0 };

  constructor(options: ChatPoolOptions) {
    this.o = {
      channelsPerConnection: 100,
      pingAfterMs: 60_000,
      pongTimeoutMs: 10_000,
      joinTimeoutMs: 10_000,
      joinRetries: 3,
      joinRetryAfterMs: 300_000,
      joinsPerWindow: 20,
      joinWindowMs: 10_000,
      concurrentJoinLimit: 100,
      backoffMs: { min: 250, max: 30_000 },
      ...options,
    };
    if (!Number.isInteger(this.o.channelsPerConnection) || this.o.channelsPerConnection < 1) throw new Error('channelsPerConnection must be a positive integer');
    this.log = options.log.child({ component: 'chat' });
    this.botLimiter = new JoinLimiter(this.o.joinsPerWindow, this.o.joinWindowMs);
  }

  // ---------------------------------------------------------------- the face

  /** `owner` (a capability's name) wants these channels read; any time, before or after start */
  want(owner: string, logins: readonly string[]): void {
    for (const login of checked(logins)) this.add(this.read, 'read', owner, login);
    this.reconcile();
  }

  /** `owner` no longer wants these read; a channel nobody wants is parted */
  release(owner: string, logins: readonly string[]): void {
    for (const login of checked(logins)) this.remove(this.read, owner, login);
    this.reconcile();
  }

  /** the bot account joins these channels to speak in them (reading stays with want()) */
  speakIn(owner: string, logins: readonly string[]): void {
    for (const login of checked(logins)) this.add(this.speak, 'speak', owner, login);
    this.reconcile();
  }

  /** the bot no longer needs to speak there */
  stopSpeaking(owner: string, logins: readonly string[]): void {
    for (const login of checked(logins)) this.remove(this.speak, owner, login);
    this.reconcile();
  }

  /**
   * Connects what is wanted, now and later; the bot account is asked for only when a channel to
   * speak in is declared. Call once Twitch's address is known.
   */
  start(endpoints: TwitchEndpoints, accountFor: () => ChatAccount | undefined): void {
    if (this.endpoints) throw new Error('the chat pool is already started');
    this.endpoints = endpoints;
    this.accountFor = accountFor;
    this.tick = setInterval(() => this.housekeeping(), Math.max(50, Math.min(1000, this.o.pongTimeoutMs / 2, this.o.joinTimeoutMs / 2)));
    this.tick.unref();
    this.reconcile();
  }

  /** sends a message as the bot (threaded under `replyTo` when given); dropped while the bot is not connected */
  say(channel: string, text: string, replyTo?: string): void {
    // during a RECONNECT the old connection speaks until the new one is in
    const bot = this.bot?.status === 'ready' ? this.bot : [...this.conns].find((c) => c.kind === 'bot' && c.status === 'draining' && c.link);
    if (!bot?.link) {
      this.log.debug({ channel }, 'chat message not sent: the bot is not connected');
      return;
    }
    const flat = text.replace(/[\r\n]+/g, ' ').slice(0, 500);
    const tags = replyTo ? `@reply-parent-msg-id=${escapeTag(replyTo)} ` : '';
    bot.link.send(`${tags}PRIVMSG #${channel.toLowerCase()} :${flat}`);
  }

  /** every channel the pool holds, reading and speaking, by login */
  channels(): ChatChannelInfo[] {
    const now = Date.now();
    const out: ChatChannelInfo[] = [];
    for (const e of [...this.read.values(), ...this.speak.values()]) {
      this.roll(e, now);
      const info: ChatChannelInfo = { channel: e.login, role: e.role, state: e.state, owners: [...e.owners].sort(), linesPerMinute: e.lastMinuteLines };
      if (e.reason) info.reason = e.reason;
      if (e.lastLineAt) info.lastLineAt = e.lastLineAt;
      if (e.conn) info.connection = e.conn.name;
      out.push(info);
    }
    return out.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : a.role < b.role ? -1 : 1));
  }

  stats(): ChatPoolStats {
    const connections = { reader: 0, bot: 0 };
    for (const c of this.conns) if (c.status !== 'closed') connections[c.kind]++;
    const channels = { pending: 0, joined: 0, failed: 0 };
    for (const e of this.read.values()) channels[e.state]++;
    for (const e of this.speak.values()) channels[e.state]++;
    return {
      connections,
      channels,
      linesPerSecond: this.rate.perSecond,
      lines: this.lines,
      reconnects: this.reconnects,
      drops: this.drops,
      malformed: this.malformed,
      joinRateLimited: this.joinRateLimited,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    for (const c of [...this.conns]) this.shut(c);
    this.flush();
  }

  // ---------------------------------------------------------------- wanting

  private add(map: Map<string, Entry>, role: Entry['role'], owner: string, login: string): void {
    let e = map.get(login);
    if (!e) {
      e = { login, role, owners: new Set(), state: 'pending', sentAt: 0, echo: false, attempts: 0, moving: false, exempt: false, minuteStart: 0, minuteLines: 0, lastMinuteLines: 0, lastLineAt: 0 };
      map.set(login, e);
    }
    e.owners.add(owner);
  }

  private remove(map: Map<string, Entry>, owner: string, login: string): void {
    const e = map.get(login);
    if (!e?.owners.delete(owner) || e.owners.size > 0) return;
    map.delete(login);
    this.unconfirmed.delete(e);
    const wasJoined = e.state === 'joined';
    this.detach(e, true);
    if (wasJoined) this.channelEvent({ channel: login, state: 'parted', at: this.o.clock.now() });
    if (e.role === 'speak') this.retryLimited();
  }

  /** takes an entry off its connection (PART when it was sent there), closing a connection left empty */
  private detach(e: Entry, part: boolean): void {
    for (const c of this.conns) {
      if (!c.channels.delete(e)) continue;
      c.joining.delete(e);
      const queued = c.toJoin.indexOf(e);
      if (queued >= 0) c.toJoin.splice(queued, 1);
      else if (part && c.link && (c.status === 'ready' || c.status === 'draining')) c.link.send(`PART #${e.login}`);
      if (c.channels.size === 0 && c.status !== 'draining') this.shut(c);
    }
    if (e.moving) this.moveDone(e);
    e.conn = undefined;
  }

  /** gives every waiting channel a connection, opening connections as needed */
  private reconcile(): void {
    if (!this.endpoints || this.closed) return;
    for (const e of this.read.values()) if (!e.conn && e.state === 'pending') this.place(e, this.readerWithRoom());
    let needBot = false;
    for (const e of this.speak.values()) if (!e.conn && e.state === 'pending') needBot = true;
    if (needBot) {
      const bot = this.botConn();
      if (bot) for (const e of this.speak.values()) if (!e.conn && e.state === 'pending') this.place(e, bot);
    }
  }

  private place(e: Entry, c: Conn): void {
    e.conn = c;
    e.sentAt = 0;
    e.echo = false;
    c.channels.add(e);
    c.toJoin.push(e);
    this.pump(c);
  }

  private readerWithRoom(): Conn {
    for (const c of this.conns) if (c.kind === 'reader' && c.status !== 'draining' && c.status !== 'closed' && c.channels.size < this.o.channelsPerConnection) return c;
    return this.open('reader');
  }

  private botConn(): Conn | undefined {
    if (this.bot && this.bot.status !== 'closed' && this.bot.status !== 'draining') return this.bot;
    if (this.account === undefined) {
      this.account = this.accountFor?.() ?? null;
      if (!this.account) this.log.warn('the bot should speak in chat but no chat account is configured; it stays silent');
    }
    if (!this.account) {
      for (const e of this.speak.values()) if (e.state === 'pending' && !e.conn) this.fail(e, 'no chat account');
      return undefined;
    }
    this.bot = this.open('bot');
    return this.bot;
  }

  // ---------------------------------------------------------------- connections

  private open(kind: Conn['kind']): Conn {
    const c: Conn = {
      name: `${kind}-${++this.seq}`,
      kind,
      nick: '',
      status: 'connecting',
      channels: new Set(),
      toJoin: [],
      joining: new Set(),
      names: new Map(),
      limiter: kind === 'bot' ? this.botLimiter : new JoinLimiter(this.o.joinsPerWindow, this.o.joinWindowMs),
      attempt: 0,
      lastHeard: Date.now(),
      pingToken: '',
      pingSentAt: 0,
    };
    this.conns.add(c);
    this.connect(c);
    return c;
  }

  private connect(c: Conn): void {
    if (this.closed || !this.endpoints) return;
    const { host, port, tls } = this.endpoints.ircTcp;
    let pass: string | undefined;
    if (c.kind === 'bot') {
      const account = this.account!;
      c.nick = account.login.toLowerCase();
      try {
        pass = `oauth:${account.token().replace(/^oauth:/, '')}`;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'chat token unavailable; retrying');
        return this.backoff(c);
      }
    } else {
      // a fresh anonymous nick per socket: its own account for the JOIN limit (file comment)
      c.nick = `justinfan${10_000 + Math.floor(Math.random() * 89_999)}`;
      // the limiter belongs to the nick
      c.limiter = new JoinLimiter(this.o.joinsPerWindow, this.o.joinWindowMs);
    }
    c.status = 'connecting';
    c.lastHeard = Date.now();
    c.pingSentAt = 0;
    const link = new IrcLink({
      host,
      port,
      tls,
      nick: c.nick,
      ...(pass ? { pass } : {}),
      log: this.log,
      onLine: (line, now) => this.line(c, link, line, now),
      onOverlong: (now) => this.malformedLine('', 'line too long to be chat', now),
      onClose: () => this.linkClosed(c, link),
    });
    c.link = link;
  }

  private linkClosed(c: Conn, link: IrcLink): void {
    if (c.link !== link) return;
    c.link = undefined;
    if (c.pumpTimer) clearTimeout(c.pumpTimer);
    c.pumpTimer = undefined;
    if (this.closed || c.status === 'closed') return;
    if (c.status === 'draining') {
      // the server closed the old connection after RECONNECT: what it still read is the replacement's now
      this.forget(c);
      for (const e of c.channels) if (e.moving) this.moveDone(e);
      return;
    }
    // a connection lost after login is a drop; one that never got that far is only a failed attempt
    if (c.status === 'ready') this.drops++;
    this.log.debug({ connection: c.name, channels: c.channels.size, status: c.status }, 'chat connection closed; reconnecting');
    this.requeue(c);
    this.backoff(c);
  }

  /** every channel of a connection back to waiting for its JOIN */
  private requeue(c: Conn): void {
    c.toJoin = [];
    c.joining.clear();
    c.names.clear();
    for (const e of c.channels) {
      if (e.state === 'joined') e.state = 'pending';
      e.sentAt = 0;
      e.echo = false;
      c.toJoin.push(e);
    }
  }

  private backoff(c: Conn): void {
    c.status = 'backoff';
    const { min, max } = this.o.backoffMs;
    const ceiling = Math.min(max, min * 2 ** c.attempt++);
    // full jitter in the upper half: connections dropped together do not come back together
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    c.retryTimer = setTimeout(() => {
      c.retryTimer = undefined;
      if (c.status !== 'backoff') return;
      this.reconnects++;
      this.connect(c);
    }, delay);
  }

  /** closes a connection for good */
  private shut(c: Conn): void {
    c.status = 'closed';
    if (c.retryTimer) clearTimeout(c.retryTimer);
    if (c.pumpTimer) clearTimeout(c.pumpTimer);
    c.retryTimer = c.pumpTimer = undefined;
    c.link?.close();
    c.link = undefined;
    this.forget(c);
  }

  private forget(c: Conn): void {
    c.status = 'closed';
    this.conns.delete(c);
    if (this.bot === c) this.bot = undefined;
  }

  /** RECONNECT: a replacement joins everything first; the old connection reads until then (or until the server closes it) */
  private replace(old: Conn): void {
    if (old.status === 'draining') return;
    this.log.info({ connection: old.name, channels: old.channels.size }, 'chat server asked to reconnect; opening the replacement first');
    old.status = 'draining';
    if (old.pumpTimer) clearTimeout(old.pumpTimer);
    old.pumpTimer = undefined;
    // JOINs still unconfirmed here are the replacement's business now
    old.toJoin = [];
    old.joining.clear();
    if (this.bot === old) this.bot = undefined;
    if (old.channels.size === 0) return this.shut(old);
    const next = this.open(old.kind);
    if (old.kind === 'bot') this.bot = next;
    this.reconnects++;
    for (const e of old.channels) {
      if (e.state === 'failed') continue;
      // a channel still moving from an earlier RECONNECT is counted once: moveDone ends it once
      if (e.state === 'joined' && !e.moving) {
        e.moving = true;
        this.moving++;
      }
      this.place(e, next);
    }
  }

  private moveDone(e: Entry): void {
    if (!e.moving) return;
    e.moving = false;
    this.moving--;
    this.dedupUntil = Date.now() + DEDUP_TAIL_MS;
    // an old connection whose channels all moved is closed now
    for (const c of this.conns) if (c.status === 'draining' && ![...c.channels].some((x) => x.moving && x.conn !== c)) this.shut(c);
  }

  // ---------------------------------------------------------------- joins

  /** sends the JOINs the account's limiter allows now, and comes back when the next is allowed */
  private pump(c: Conn): void {
    if (c.status !== 'ready' || !c.link || c.toJoin.length === 0) return;
    const now = Date.now();
    let batch = '';
    let free = c.limiter.available(now);
    while (free > 0 && c.toJoin.length) {
      const e = c.toJoin.shift()!;
      if (c.kind === 'bot' && !this.mayJoinAsBot(e)) {
        c.channels.delete(e);
        e.conn = undefined;
        this.fail(e, JOIN_LIMIT);
        continue;
      }
      c.limiter.take(now);
      free--;
      e.sentAt = now;
      e.echo = false;
      c.joining.add(e);
      // several channels a JOIN, each line within IRC's 512 bytes
      if (batch.length + e.login.length > JOIN_LINE_MAX) {
        c.link.send(`JOIN ${batch}`);
        batch = '';
      }
      batch += batch ? `,#${e.login}` : `#${e.login}`;
    }
    if (batch) c.link.send(`JOIN ${batch}`);
    if (c.toJoin.length && !c.pumpTimer) {
      c.pumpTimer = setTimeout(
        () => {
          c.pumpTimer = undefined;
          this.pump(c);
        },
        Math.max(10, c.limiter.waitMs(Date.now())),
      );
    }
  }

  /** the concurrent-join rule: the bot's own channel and channels where it moderates do not count */
  private mayJoinAsBot(e: Entry): boolean {
    if (e.exempt || e.login === this.account?.login.toLowerCase()) return true;
    let counted = 0;
    for (const x of this.speak.values()) if (x !== e && !x.exempt && x.conn && (x.sentAt > 0 || x.state === 'joined')) counted++;
    return counted < this.o.concurrentJoinLimit;
  }

  /** channels whose JOIN went unconfirmed are tried again once their wait is over */
  private retryUnconfirmed(now: number): void {
    let any = false;
    for (const e of this.unconfirmed) {
      if (e.retryAt !== undefined && e.retryAt > now) continue;
      this.unconfirmed.delete(e);
      e.retryAt = undefined;
      if (e.state !== 'failed' || e.reason !== NOT_CONFIRMED) continue;
      e.state = 'pending';
      e.reason = undefined;
      e.attempts = 0;
      any = true;
    }
    if (any) this.reconcile();
  }

  /** a slot under the concurrent-join limit came free: channels refused for it try again */
  private retryLimited(): void {
    let any = false;
    for (const e of this.speak.values()) {
      if (e.state === 'failed' && e.reason === JOIN_LIMIT) {
        e.state = 'pending';
        e.reason = undefined;
        any = true;
      }
    }
    if (any) this.reconcile();
  }

  private confirmed(c: Conn, e: Entry, now: number): void {
    c.joining.delete(e);
    e.attempts = 0;
    if (e.moving) this.moveDone(e);
    if (e.state === 'joined') return;
    e.state = 'joined';
    e.reason = undefined;
    this.channelEvent({ channel: e.login, state: 'joined', at: now });
  }

  private fail(e: Entry, reason: string): void {
    if (e.state === 'failed' && e.reason === reason) return;
    if (e.conn) this.detach(e, false);
    e.state = 'failed';
    e.reason = reason;
    this.log.info({ channel: e.login, role: e.role, reason }, 'chat channel failed');
    this.channelEvent({ channel: e.login, state: 'failed', reason, at: this.o.clock.now() });
  }

  // ---------------------------------------------------------------- lines

  private line(c: Conn, link: IrcLink, line: string, now: number): void {
    if (c.link !== link) return;
    this.lines++;
    c.lastHeard = now;
    // the bot reads nothing onto the bus: its rooms' chat is skipped unparsed
    if (c.kind === 'bot' && BOT_SKIPS.test(line)) return;
    const parsed = parseChatLine(line, this.o.clock.now());
    switch (parsed.kind) {
      case 'message': {
        if (c.kind === 'bot') return;
        const m = parsed.event;
        const e = this.read.get(m.channel);
        if (!e || !this.reads(c, e)) return;
        if (this.dedup(m.id, now)) return;
        this.count(e, now);
        this.messages.push(m);
        return this.queueFlush(this.messages.length);
      }
      case 'notice': {
        if (c.kind === 'bot') return;
        const n = parsed.event;
        const e = this.read.get(n.channel);
        if (!e || !this.reads(c, e)) return;
        if (n.id && this.dedup(n.id, now)) return;
        this.count(e, now);
        this.notices.push(n);
        return this.queueFlush(this.notices.length);
      }
      case 'clear': {
        if (c.kind === 'bot') return;
        const e = this.read.get(parsed.event.channel);
        if (!e || !this.primary(c, e)) return;
        this.count(e, now);
        this.clears.push(parsed.event);
        return this.queueFlush(this.clears.length);
      }
      case 'membership':
        return this.membership(c, parsed.event);
      case 'malformed':
        return this.malformedLine(line, parsed.reason, now);
      case 'other':
        return this.command(c, parsed.message.command, parsed.message.params, parsed.message.tags);
    }
  }

  /** whether `c` reads `e`'s lines: its own connection, or the old one until a RECONNECT's replacement confirmed it */
  private reads(c: Conn, e: Entry): boolean {
    return e.conn === c ? e.echo || !e.moving : e.moving && c.status === 'draining' && c.channels.has(e);
  }

  /** lines without ids (clears, membership) come from one connection only: the new one once it joined */
  private primary(c: Conn, e: Entry): boolean {
    return e.conn === c ? e.echo : e.moving && c.status === 'draining' && c.channels.has(e);
  }

  /** true when the id was already published (only while a RECONNECT overlap is on or just over) */
  private dedup(id: string, now: number): boolean {
    if (this.moving === 0 && now > this.dedupUntil) {
      if (this.seen.size) this.seen.clear();
      return false;
    }
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    // an overlap lasts seconds; should one never end, the oldest ids go rather than memory growing
    if (this.seen.size > MAX_SEEN) {
      let drop = MAX_SEEN / 10;
      for (const old of this.seen) {
        this.seen.delete(old);
        if (--drop <= 0) break;
      }
    }
    return false;
  }

  private membership(c: Conn, m: ChatMembership): void {
    const e = (c.kind === 'bot' ? this.speak : this.read).get(m.channel);
    if (m.kind !== 'names' && m.users[0] === c.nick) {
      // own JOIN echo: the first half of a confirmation (ROOMSTATE is the second)
      if (m.kind === 'join' && e && e.conn === c) e.echo = true;
      return;
    }
    if (c.kind === 'bot' || !e || !this.primary(c, e)) return;
    if (m.kind === 'names') {
      const list = c.names.get(m.channel);
      if (list) list.push(...m.users);
      else
        c.names.set(
          m.channel,
          m.users.filter((u) => u !== c.nick),
        );
      return;
    }
    this.members.push(m);
    this.queueFlush(this.members.length);
  }

  private command(c: Conn, command: string, params: string[], tags: Map<string, string>): void {
    switch (command) {
      case 'PING':
        return c.link?.send(`PONG :${params.at(-1) ?? 'tmi.twitch.tv'}`);
      case 'PONG':
        if (params.at(-1) === c.pingToken) c.pingSentAt = 0;
        return;
      case '001':
        c.status = c.status === 'draining' ? 'draining' : 'ready';
        c.attempt = 0;
        this.pump(c);
        return;
      case 'RECONNECT':
        return this.replace(c);
      case '366': {
        const channel = params[1]?.replace(/^#/, '').toLowerCase();
        const users = channel ? c.names.get(channel) : undefined;
        if (!channel || !users) return;
        c.names.delete(channel);
        this.members.push({ channel, kind: 'names', users: users.filter((u) => u !== c.nick), receivedAt: this.o.clock.now() });
        return this.queueFlush(this.members.length);
      }
      case 'ROOMSTATE': {
        const e = this.entryOn(c, params[0]);
        if (e?.echo && c.joining.has(e) && tags.has('subs-only') && tags.has('slow')) this.confirmed(c, e, this.o.clock.now());
        return;
      }
      case 'USERSTATE': {
        if (c.kind !== 'bot') return;
        const e = this.entryOn(c, params[0]);
        const badges = tags.get('badges') ?? '';
        if (e && !e.exempt && (tags.get('mod') === '1' || /(^|,)(broadcaster|moderator)\//.test(badges))) {
          e.exempt = true;
          this.retryLimited();
        }
        return;
      }
      case 'NOTICE':
        return this.notice(c, params, tags.get('msg-id') ?? '');
      default:
        return;
    }
  }

  private entryOn(c: Conn, param: string | undefined): Entry | undefined {
    if (!param?.startsWith('#')) return undefined;
    const e = (c.kind === 'bot' ? this.speak : this.read).get(param.slice(1).toLowerCase());
    return e && e.conn === c ? e : undefined;
  }

  private notice(c: Conn, params: string[], msgId: string): void {
    const text = params.at(-1) ?? '';
    if (params[0] === '*' || !params[0]?.startsWith('#')) {
      if (/login authentication failed|improperly formatted auth/i.test(text)) this.log.warn({ connection: c.name }, 'chat login refused: check the chat token');
      else this.log.debug({ connection: c.name, notice: text }, 'chat notice');
      return;
    }
    const e = this.entryOn(c, params[0]);
    if (!e) return;
    if (PERMANENT.has(msgId)) return this.fail(e, msgId);
    if (JOIN_LIMIT_NOTICES.has(msgId)) return this.fail(e, JOIN_LIMIT);
    if (msgId === 'msg_ratelimit' && c.joining.has(e)) {
      // a JOIN refused for pace: it goes to the back of the queue, and the pool says so
      this.joinRateLimited++;
      this.log.warn({ connection: c.name, channel: e.login }, 'Twitch refused a JOIN as too fast; it is sent again later');
      c.joining.delete(e);
      e.sentAt = 0;
      c.toJoin.push(e);
      return this.pump(c);
    }
    this.log.debug({ channel: e.login, msgId, notice: text }, 'chat notice');
  }

  private malformedLine(line: string, reason: string, now: number): void {
    this.malformed++;
    if (now - this.malformedMinute >= 60_000) {
      this.malformedMinute = now;
      this.malformedSampled = 0;
    }
    if (this.malformedSampled++ < MALFORMED_SAMPLES) this.log.debug({ line: line.slice(0, 300), reason, malformed: this.malformed }, 'malformed chat line (sampled)');
  }

  /** per-channel rates, rolled lazily on the channel's own lines: no timer per channel */
  private count(e: Entry, now: number): void {
    if (now - e.minuteStart >= 60_000) this.roll(e, now);
    e.minuteLines++;
    e.lastLineAt = now;
  }

  private roll(e: Entry, now: number): void {
    if (now - e.minuteStart < 60_000) return;
    // the minute that just ended, or nothing when it ended longer ago
    e.lastMinuteLines = now - e.minuteStart < 120_000 ? e.minuteLines : 0;
    e.minuteLines = 0;
    e.minuteStart = now - ((now - e.minuteStart) % 60_000);
  }

  // ---------------------------------------------------------------- the bus

  private queueFlush(size: number): void {
    if (size >= BATCH_MAX) return this.flush();
    if (this.flushQueued) return;
    this.flushQueued = true;
    // everything one socket read produced goes out as one batch per topic
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const { bus } = this.o;
    if (this.messages.length) bus.publish('chat.message', { items: this.messages.splice(0) }).catch(this.flushed);
    if (this.notices.length) bus.publish('chat.notice', { items: this.notices.splice(0) }).catch(this.flushed);
    if (this.clears.length) bus.publish('chat.clear', { items: this.clears.splice(0) }).catch(this.flushed);
    if (this.members.length) bus.publish('chat.membership', { items: this.members.splice(0) }).catch(this.flushed);
  }

  private flushed = (err: unknown) => this.log.debug({ err: (err as Error).message }, 'chat batch not published');

  private channelEvent(event: ChatChannelEvent): void {
    this.o.bus.publish('chat.channel', event).catch((err: unknown) => this.log.debug({ err: (err as Error).message }, 'chat channel event not published'));
  }

  // ---------------------------------------------------------------- housekeeping

  /** liveness, JOIN timeouts, rates and metrics: one timer for the whole pool */
  private housekeeping(): void {
    const now = Date.now();
    for (const c of [...this.conns]) {
      if (!c.link || (c.status !== 'ready' && c.status !== 'draining' && c.status !== 'connecting')) continue;
      if (c.pingSentAt) {
        if (now - c.pingSentAt > this.o.pongTimeoutMs) {
          this.log.info({ connection: c.name }, 'chat connection silent and no PONG; reconnecting');
          c.link.close();
          continue;
        }
      } else if (now - c.lastHeard >= this.o.pingAfterMs) {
        c.pingToken = String(now);
        c.pingSentAt = now;
        c.link.send(`PING :${c.pingToken}`);
      }
      for (const e of [...c.joining]) {
        if (now - e.sentAt < this.o.joinTimeoutMs) continue;
        c.joining.delete(e);
        if (++e.attempts > this.o.joinRetries) {
          this.fail(e, NOT_CONFIRMED);
          // unlike a ban, a silent JOIN may be a passing fault (a partition, a slow server): tried again later
          e.retryAt = now + this.o.joinRetryAfterMs;
          this.unconfirmed.add(e);
          continue;
        }
        e.sentAt = 0;
        c.toJoin.push(e);
      }
      this.pump(c);
    }
    this.retryUnconfirmed(now);
    const elapsed = now - this.rate.at;
    if (elapsed >= 5000 || this.rate.at === 0) {
      if (this.rate.at) this.rate.perSecond = Math.round(((this.lines - this.rate.lines) * 1000) / elapsed);
      this.rate = { at: now, lines: this.lines, perSecond: this.rate.perSecond };
    }
    this.report();
  }

  private report(): void {
    const m = this.o.metrics;
    if (!m) return;
    const s = this.stats();
    m.chatConnections.set({ kind: 'reader' }, s.connections.reader);
    m.chatConnections.set({ kind: 'bot' }, s.connections.bot);
    for (const state of ['pending', 'joined', 'failed'] as const) m.chatChannels.set({ state }, s.channels[state]);
    const r = this.reported;
    m.chatLines.inc(s.lines - r.lines);
    m.chatMalformed.inc(s.malformed - r.malformed);
    m.chatReconnects.inc(s.reconnects - r.reconnects);
    m.chatDrops.inc(s.drops - r.drops);
    Object.assign(r, { lines: s.lines, malformed: s.malformed, reconnects: s.reconnects, drops: s.drops });
  }
}

/** logins as Twitch spells them (lower case, without '#'), all checked before any is used */
function checked(logins: readonly string[]): string[] {
  return logins.map((raw) => {
    const login = raw.trim().toLowerCase().replace(/^#/, '');
    if (!/^[a-z0-9_]{1,25}$/.test(login)) throw new Error(`"${raw}" is not a Twitch login`);
    return login;
  });
}
