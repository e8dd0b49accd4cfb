// Every signal of a user in a channel that reached Lurk's bus (chat.message, chat.notice and
// chat.membership: what Audience itself is fed), kept in columns so a simulated day of them fits
// in a few tens of MB, and when each channel's chat was joined (chat.channel). The bench reads it
// twice: to decide which true moves Lurk could have seen, and to run the seed method on exactly
// the same signals.
import type { Bus } from '../../src/core/bus.js';

export type WireKind = 'chat' | 'notice' | 'join' | 'part' | 'names';
export const WIRE_KINDS: readonly WireKind[] = ['chat', 'notice', 'join', 'part', 'names'];
const KIND_CODE: Record<WireKind, number> = { chat: 0, notice: 1, join: 2, part: 3, names: 4 };

/** a raid as the raided channel's chat announced it (USERNOTICE msg-id=raid) */
export interface WireRaid {
  from: string;
  to: string;
  at: number;
  viewers: number;
}

/** one signal, as read back from the log */
export interface Signal {
  user: number;
  channel: number;
  kind: WireKind;
  at: number;
}

export class SignalLog {
  private readonly userIds = new Map<string, number>();
  readonly userNames: string[] = [];
  private readonly channelIds = new Map<string, number>();
  readonly channelNames: string[] = [];
  private users = new Int32Array(1 << 16);
  private channels = new Int32Array(1 << 16);
  private kinds = new Uint8Array(1 << 16);
  private times = new Float64Array(1 << 16);
  size = 0;
  readonly raids: WireRaid[] = [];
  /** per channel id: [joinedAt, partedAt (Infinity while joined)] pairs, in order */
  private readonly watchedIntervals: number[][] = [];
  /** receivedAt − sentAt of chat messages (Lurk's clock against Twitch's timestamp), ms */
  readonly lags: number[] = [];
  private sorted?: Int32Array;
  private firstOfUser?: Int32Array;

  user(login: string): number {
    let id = this.userIds.get(login);
    if (id === undefined) {
      id = this.userNames.length;
      this.userIds.set(login, id);
      this.userNames.push(login);
    }
    return id;
  }

  /** the id of a login already seen, or undefined */
  userId(login: string): number | undefined {
    return this.userIds.get(login);
  }

  channel(login: string): number {
    let id = this.channelIds.get(login);
    if (id === undefined) {
      id = this.channelNames.length;
      this.channelIds.set(login, id);
      this.channelNames.push(login);
      this.watchedIntervals.push([]);
    }
    return id;
  }

  channelId(login: string): number | undefined {
    return this.channelIds.get(login);
  }

  push(channel: string, user: string, kind: WireKind, at: number): void {
    if (this.size === this.users.length) this.grow();
    const i = this.size++;
    this.users[i] = this.user(user);
    this.channels[i] = this.channel(channel);
    this.kinds[i] = KIND_CODE[kind];
    this.times[i] = at;
    this.sorted = undefined;
  }

  private grow(): void {
    const n = this.users.length * 2;
    const copy = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.users = copy(this.users, (k) => new Int32Array(k));
    this.channels = copy(this.channels, (k) => new Int32Array(k));
    this.kinds = copy(this.kinds, (k) => new Uint8Array(k));
    this.times = copy(this.times, (k) => new Float64Array(k));
  }

  at(i: number): Signal {
    return { user: this.users[i]!, channel: this.channels[i]!, kind: WIRE_KINDS[this.kinds[i]!]!, at: this.times[i]! };
  }
  userAt(i: number): number {
    return this.users[i]!;
  }
  channelAt(i: number): number {
    return this.channels[i]!;
  }
  kindAt(i: number): WireKind {
    return WIRE_KINDS[this.kinds[i]!]!;
  }
  timeAt(i: number): number {
    return this.times[i]!;
  }

  joined(channel: string, at: number): void {
    const spans = this.watchedIntervals[this.channel(channel)]!;
    if (spans.length > 0 && spans.at(-1) === Number.POSITIVE_INFINITY) return;
    spans.push(at, Number.POSITIVE_INFINITY);
  }

  parted(channel: string, at: number): void {
    const spans = this.watchedIntervals[this.channel(channel)]!;
    if (spans.length > 0 && spans.at(-1) === Number.POSITIVE_INFINITY) spans[spans.length - 1] = at;
  }

  /** when the channel's chat was joined most recently at or before `at`, if it still was at `at` */
  watchedSince(channel: number, at: number): number | undefined {
    const spans = this.watchedIntervals[channel];
    if (!spans) return undefined;
    for (let i = spans.length - 2; i >= 0; i -= 2) {
      if (spans[i]! <= at) return at <= spans[i + 1]! ? spans[i] : undefined;
    }
    return undefined;
  }

  /** the earliest time every one of these channels was joined (and stayed so), or undefined */
  allJoinedBy(channels: readonly string[]): number | undefined {
    let latest = 0;
    for (const c of channels) {
      const id = this.channelIds.get(c);
      const spans = id === undefined ? undefined : this.watchedIntervals[id];
      if (!spans || spans.length === 0) return undefined;
      latest = Math.max(latest, spans[0]!);
    }
    return latest;
  }

  /** signal indices ordered by user, then time; and where each user's run starts */
  private index(): { order: Int32Array; first: Int32Array } {
    if (!this.sorted || !this.firstOfUser) {
      const order = new Int32Array(this.size);
      for (let i = 0; i < this.size; i++) order[i] = i;
      const u = this.users;
      const t = this.times;
      order.sort((a, b) => u[a]! - u[b]! || t[a]! - t[b]! || a - b);
      const first = new Int32Array(this.userNames.length + 1).fill(-1);
      for (let k = order.length - 1; k >= 0; k--) first[u[order[k]!]!] = k;
      first[this.userNames.length] = order.length;
      for (let id = this.userNames.length - 1; id >= 0; id--) if (first[id] === -1) first[id] = first[id + 1]!;
      this.sorted = order;
      this.firstOfUser = first;
    }
    return { order: this.sorted, first: this.firstOfUser };
  }

  /** a user's signals in time order (indices into the log) */
  ofUser(user: number): Int32Array {
    const { order, first } = this.index();
    return order.subarray(first[user]!, first[user + 1]!);
  }

  /** every signal index in time order (ties keep their arrival order) */
  inTimeOrder(): Int32Array {
    const order = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) order[i] = i;
    const t = this.times;
    return order.sort((a, b) => t[a]! - t[b]! || a - b);
  }

  /** the lag percentile p (0..1) of chat messages, ms */
  lagPercentile(p: number): number {
    if (this.lags.length === 0) return Number.NaN;
    const sorted = [...this.lags].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  }
}

/**
 * Subscribes a SignalLog to the chat topics of a bus: messages and notices (a chat signal), JOIN,
 * PART and NAMES (each listed login a signal), raid notices, and each channel's join and part.
 * Signals are stamped with Lurk's clock when read (receivedAt), as membership lines carry no
 * timestamp of their own.
 */
export function recordSignals(bus: Bus, log = new SignalLog()): { log: SignalLog; stop(): void } {
  const offs = [
    bus.subscribe('chat.message', ({ items }) => {
      for (const m of items) {
        log.push(m.channel, m.user, 'chat', m.receivedAt);
        log.lags.push(m.receivedAt - m.sentAt);
      }
    }),
    bus.subscribe('chat.notice', ({ items }) => {
      for (const n of items) {
        if (n.user) log.push(n.channel, n.user, 'notice', n.receivedAt);
        if (n.kind === 'raid' && n.user) log.raids.push({ from: n.user, to: n.channel, at: n.receivedAt, viewers: n.viewers ?? 0 });
      }
    }),
    bus.subscribe('chat.membership', ({ items }) => {
      for (const m of items) for (const u of m.users) log.push(m.channel, u, m.kind, m.receivedAt);
    }),
    bus.subscribe('chat.channel', (e) => {
      if (e.state === 'joined') log.joined(e.channel, e.at);
      else log.parted(e.channel, e.at);
    }),
  ];
  return {
    log,
    stop() {
      for (const off of offs) off();
    },
  };
}
